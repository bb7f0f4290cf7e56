/*
 * fuzz_addr.c: libFuzzer target for lib/addr.c: addr_parse and
 * addr_domain_parse on one NUL-terminated input (stops at a NUL inside),
 * then every accessor of a parsed address.  Not here: msg_mailbox (see
 * fuzz_msg.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr *a;
	enum addr_err err;
	size_t pos = 0;
	char *s, *d;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((a = addr_parse(s, &err, &pos)) != NULL) {
		(void)strlen(addr_local(a));
		(void)strlen(addr_canon_local(a));
		(void)strlen(addr_domain(a));
		(void)strlen(addr_canon(a));
		addr_free(a);
	} else {
		(void)strlen(addr_errname(err));
		(void)strlen(addr_strerror(err));
		if (pos > strlen(s))
			abort();	/* the error position is in the input */
	}
	if ((d = addr_domain_parse(s, &err)) != NULL)
		free(d);
	else
		(void)strlen(addr_errname(err));
	free(s);
	return 0;
}
