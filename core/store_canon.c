/*
 * store_canon.c: the forms the policy store keeps its targets and pins
 * in (specs/store.md section 2): an address as addr_canon writes it, a
 * recipient as the mailbox it is delivered to, "*@" and an A-label
 * domain, a pin as 64 lowercase hex digits.  The writer refuses anything
 * else and the reader refuses a store holding anything else, both through
 * this file.  Pure: no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/errstr.h"
#include "lib/hex.h"
#include "lib/key.h"
#include "lib/rcpt.h"
#include "store.h"

_Static_assert(KEY_SHA256_LEN == STORE_FP_LEN, "a pin is a SHA-256 digest");

/*
 * put_canon: A's canonical address into OUT (STORE_TARGET_MAX octets),
 * A freed; -1 with ERR naming IN when it does not fit.
 */
static int
put_canon(struct addr *a, const char *in, char *out, char *err,
    size_t errsz)
{
	if (strlen(addr_canon(a)) + 1 > STORE_TARGET_MAX) {
		addr_free(a);
		errstr_set(err, errsz, "%s: address too long", in);
		return -1;
	}
	snprintf(out, STORE_TARGET_MAX, "%s", addr_canon(a));
	addr_free(a);
	return 0;
}

int
store_canon(const char *in, char *out, char *err, size_t errsz)
{
	enum addr_err ae = ADDR_OK;
	struct addr *a = NULL;
	char *dom;
	size_t pos = 0;

	if (in[0] == '*' && in[1] == '@') {
		if ((dom = addr_domain_parse(in + 2, &ae)) == NULL) {
			errstr_set(err, errsz, "%s: bad domain: %s", in,
			    addr_strerror(ae));
			return -1;
		}
		if (strlen(dom) + 3 > STORE_TARGET_MAX) {
			free(dom);
			errstr_set(err, errsz, "%s: domain too long", in);
			return -1;
		}
		snprintf(out, STORE_TARGET_MAX, "*@%s", dom);
		free(dom);
		return STORE_T_DOMAIN;
	}
	if ((a = addr_parse(in, &ae, &pos)) == NULL) {
		errstr_set(err, errsz,
		    "%s: at octet %zu: %s (expected an address "
		    "or *@domain)", in, pos, addr_strerror(ae));
		return -1;
	}
	if (put_canon(a, in, out, err, errsz) == -1)
		return -1;
	return STORE_T_ADDR;
}

int
store_canon_rcpt(const char *in, const char *delims, char *out,
    int *changed, char *err, size_t errsz)
{
	enum addr_err ae = ADDR_OK;
	struct addr *a, *plain;
	char dom[STORE_TARGET_MAX];

	if (changed != NULL)
		*changed = 0;
	if (in[0] == '*' && in[1] == '@')
		return store_canon(in, out, err, errsz);
	if ((a = rcpt_mailbox(in, ADDR_FORM_SMTP, delims, dom, sizeof(dom),
	    &ae)) == NULL) {
		/* a syntax error: say where, as store_canon does */
		if (ae != ADDR_EROUTE && ae != ADDR_ENOAT &&
		    store_canon(in, out, err, errsz) == -1)
			return -1;
		errstr_set(err, errsz, "%s: cannot tell the mailbox it is "
		    "delivered to: %s (expected an address or *@domain)", in,
		    addr_strerror(ae));
		return -1;
	}
	if (put_canon(a, in, out, err, errsz) == -1)
		return -1;
	if (changed != NULL) {
		plain = addr_parse(in, NULL, NULL);
		*changed = plain == NULL || strcmp(addr_canon(plain), out) != 0;
		addr_free(plain);
	}
	return STORE_T_ADDR;
}

int
store_canon_is(const char *s)
{
	char canon[STORE_TARGET_MAX];
	int k;

	if ((k = store_canon(s, canon, NULL, 0)) == -1 ||
	    strcmp(canon, s) != 0)
		return -1;
	return k;
}

void
store_canon_pin_hex(const unsigned char fp[STORE_FP_LEN],
    char out[STORE_PIN_HEX])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < STORE_FP_LEN; i++) {
		out[2 * i] = hex[fp[i] >> 4];
		out[2 * i + 1] = hex[fp[i] & 15];
	}
	out[2 * STORE_FP_LEN] = '\0';
}

int
store_canon_pin(const char *in, char out[STORE_PIN_HEX])
{
	unsigned char fp[KEY_SHA256_LEN];

	if (key_fingerprint_parse(in, fp) == -1)
		return -1;
	store_canon_pin_hex(fp, out);
	return 0;
}

int
store_canon_pin_bytes(const char *s, unsigned char fp[STORE_FP_LEN])
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 2 * STORE_FP_LEN ||
	    strspn(s, "0123456789abcdef") != 2 * STORE_FP_LEN)
		return -1;
	for (i = 0; i < STORE_FP_LEN; i++) {
		if ((hi = hex_digit(s[2 * i])) < 0 ||
		    (lo = hex_digit(s[2 * i + 1])) < 0)
			return -1;
		fp[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
