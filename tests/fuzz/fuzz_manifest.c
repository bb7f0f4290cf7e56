/*
 * fuzz_manifest.c: libFuzzer target for zonegen's manifest readers.  The
 * first octet picks the format (value % 3: 0 CSV, 1 allowed_signers,
 * 2 vCard) and, with bit 0x80, MANIFEST_V_SKIP_FOREIGN; the rest is the
 * file.  The entries are then validated for "example.test" and every
 * error text is read.  Parsing reads no file (key paths are only kept).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zonegen/manifest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m;
	struct manifest_stats st;
	const struct manifest_entry *e;
	const char *buf;
	size_t len, i;
	unsigned vflags;

	if (size < 1)
		return 0;
	if ((m = manifest_new()) == NULL)
		return 0;
	buf = (const char *)data + 1;
	len = size - 1;
	vflags = (data[0] & 0x80) ? MANIFEST_V_SKIP_FOREIGN : 0;
	switch ((data[0] & 0x7f) % 3) {
	case 0:
		(void)manifest_parse(m, MANIFEST_CSV, "fuzz/in.csv", buf, len);
		break;
	case 1:
		(void)manifest_parse(m, MANIFEST_SIGNERS, "fuzz/in.signers",
		    buf, len);
		break;
	default:
		(void)manifest_parse(m, MANIFEST_VCARD, "fuzz/in.vcf", buf,
		    len);
		break;
	}
	(void)manifest_validate(m, "example.test", vflags, &st);
	if (st.entries != manifest_count(m))
		abort();
	for (i = 0; (e = manifest_entry(m, i)) != NULL; i++)
		(void)strlen(e->address);
	for (i = 0; i < manifest_nkept(m); i++)
		(void)strlen(manifest_error(m, i));
	manifest_free(m);
	return 0;
}
