/*
 * txt.c: TXT RDATA <-> one text.  ldns holds each character-string as an
 * rdf of type STR whose first octet is its length; this file splits at
 * 255 octets on the way out and joins without separators on the way in.
 */
#include <stdlib.h>
#include <string.h>

#include "txt.h"

char *
txt_join(const ldns_rr *rr, size_t *len)
{
	size_t i, total = 0, off = 0;
	char *out;

	*len = 0;
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
		return NULL;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (ldns_rdf_get_type(f) != LDNS_RDF_TYPE_STR ||
		    ldns_rdf_size(f) < 1 ||
		    ldns_rdf_data(f)[0] != ldns_rdf_size(f) - 1)
			return NULL;
		total += ldns_rdf_size(f) - 1;
	}
	if ((out = malloc(total + 1)) == NULL)
		return NULL;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		memcpy(out + off, ldns_rdf_data(f) + 1, ldns_rdf_size(f) - 1);
		off += ldns_rdf_size(f) - 1;
	}
	out[off] = '\0';
	*len = off;
	return out;
}

ldns_rr *
txt_rr_new(const char *owner, uint32_t ttl, const char *text, size_t len)
{
	ldns_rr *rr;
	ldns_rdf *name = NULL, *f;
	uint8_t buf[256];
	size_t off = 0, n;

	if ((rr = ldns_rr_new()) == NULL)
		return NULL;
	if (ldns_str2rdf_dname(&name, owner) != LDNS_STATUS_OK ||
	    !ldns_dname_str_absolute(owner))
		goto fail;
	ldns_rr_set_owner(rr, name);
	name = NULL;
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	do {
		n = len - off > 255 ? 255 : len - off;
		buf[0] = (uint8_t)n;
		memcpy(buf + 1, text + off, n);
		if ((f = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, n + 1,
		    buf)) == NULL)
			goto fail;
		if (!ldns_rr_push_rdf(rr, f)) {
			ldns_rdf_deep_free(f);
			goto fail;
		}
		off += n;
	} while (off < len);
	return rr;
fail:
	ldns_rdf_deep_free(name);
	ldns_rr_free(rr);
	return NULL;
}
