/*
 * txt: TXT RDATA as one text.  Long texts are split into character-strings
 * of at most 255 octets; on the way back the strings are joined without
 * anything between them (as DKIM does).  Pure (ldns structures only).
 */
#ifndef SK_TXT_H
#define SK_TXT_H

#include <stddef.h>
#include <stdint.h>
#include <ldns/ldns.h>

/*
 * txt_join: the concatenated character-strings of TXT record RR, as a
 * malloc'd buffer (NUL added, *LEN set to the octet count, which may
 * include NUL octets the caller must reject).  NULL if RR is not TXT or
 * allocation failed.
 */
char	*txt_join(const ldns_rr *rr, size_t *len);

/*
 * txt_rr_new: a new TXT record OWNER TTL IN TXT holding TEXT (LEN octets)
 * split into strings of at most 255 octets.  OWNER is absolute.  Caller
 * frees with ldns_rr_free.  NULL on a bad owner name or allocation failure.
 */
ldns_rr	*txt_rr_new(const char *owner, uint32_t ttl, const char *text,
	    size_t len);

#endif
