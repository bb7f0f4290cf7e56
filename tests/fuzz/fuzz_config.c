/*
 * fuzz_config.c: libFuzzer target for the senderkeyd.conf reader:
 * config_parse (which runs lib/conf.c's conf_parse with the daemon's
 * schema, then the cross-setting checks) on the raw octets.  An error
 * must be a "FILE:LINE: ..." text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char fname[] = "fuzz.conf";
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX];

	err[0] = '\0';
	if (config_parse((const char *)data, size, fname, &c, err,
	    sizeof(err)) == 0) {
		if (c == NULL)
			abort();
		config_free(c);
		return 0;
	}
	if (strncmp(err, fname, sizeof(fname) - 1) != 0)
		abort();	/* every error names the file */
	return 0;
}
