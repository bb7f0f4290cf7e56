/*
 * key_int.h: helpers shared by key.c (PEM, records) and key_ssh.c
 * (OpenSSH lines): the small scanners both apply to key text (error
 * messages go through errstr.h).  Internal to those two files; the public interfaces are
 * key.h and key_ssh.h.  Static inline, so the hot scanners (zonegen
 * reads many keys) stay inlined in each file.
 */
#ifndef SK_KEY_INT_H
#define SK_KEY_INT_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SPACES		" \t\n\v\f\r"
#define UNSUPPORTED	" keys are not supported: use ed25519 or rsa"

/* is_space: C is one of SPACES (no strchr: zonegen calls this a lot). */
static inline int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

/* only_space: 1 if the N octets at P are all SPACES. */
static inline int
only_space(const char *p, size_t n)
{
	while (n > 0 && is_space((unsigned char)*p)) {
		p++;
		n--;
	}
	return n == 0;
}

/* has_prefix: 1 if the N octets at P start with PREFIX. */
static inline int
has_prefix(const char *p, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);

	return n >= plen && memcmp(p, prefix, plen) == 0;
}

/* printable: 1 if the N octets at P are printable ASCII (for messages). */
static inline int
printable(const char *p, size_t n)
{
	for (; n > 0; p++, n--)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return 1;
}

#endif
