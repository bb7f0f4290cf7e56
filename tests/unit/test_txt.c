/* test_txt: TXT strings split at 255 octets and joined without spaces. */
#include "lib/txt.h"
#include "t.h"

int
main(void)
{
	char text[600], *j, *s;
	ldns_rr *rr, *rr2 = NULL;
	size_t len, i;

	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	rr = txt_rr_new("x._senderkey.example.test.", 3600, text, 600);
	T_OK(rr != NULL, "600-octet record built");
	T_INTEQ(ldns_rr_rd_count(rr), 3, "split into 255+255+90");
	T_INTEQ(ldns_rdf_size(ldns_rr_rdf(rr, 0)), 256, "first string 255");
	T_INTEQ(ldns_rdf_size(ldns_rr_rdf(rr, 2)), 91, "last string 90");
	j = txt_join(rr, &len);
	T_OK(j != NULL && len == 600 && memcmp(j, text, 600) == 0,
	    "join restores the text");
	free(j);
	/* Round trip through presentation format, as a zone file holds it. */
	s = ldns_rr2str(rr);
	T_OK(s != NULL && ldns_rr_new_frm_str(&rr2, s, 0, NULL, NULL) ==
	    LDNS_STATUS_OK, "presentation format parses back");
	j = rr2 != NULL ? txt_join(rr2, &len) : NULL;
	T_OK(j != NULL && len == 600 && memcmp(j, text, 600) == 0,
	    "join after presentation round trip");
	free(j);
	free(s);
	ldns_rr_free(rr2);
	ldns_rr_free(rr);

	rr = txt_rr_new("e.example.test.", 60, "", 0);
	T_OK(rr != NULL && ldns_rr_rd_count(rr) == 1, "empty text: one string");
	j = txt_join(rr, &len);
	T_OK(j != NULL && len == 0, "empty text joins to empty");
	free(j);
	ldns_rr_free(rr);

	T_OK(txt_rr_new("relative.name", 60, "x", 1) == NULL,
	    "relative owner refused");
	rr2 = NULL;
	ldns_rr_new_frm_str(&rr2, "a.test. 60 IN A 192.0.2.1", 0, NULL, NULL);
	T_OK(txt_join(rr2, &len) == NULL, "non-TXT record refused");
	ldns_rr_free(rr2);
	rr2 = NULL;
	ldns_rr_new_frm_str(&rr2, "a.test. 60 IN TXT \"v=SK1; \" \"k=ed\"",
	    0, NULL, NULL);
	j = txt_join(rr2, &len);
	T_STREQ(j, "v=SK1; k=ed", "two strings joined with nothing between");
	free(j);
	ldns_rr_free(rr2);
	return t_done();
}
