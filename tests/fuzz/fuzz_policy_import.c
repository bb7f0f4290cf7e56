/*
 * fuzz_policy_import.c: libFuzzer target for cli/policy_import.c, the
 * readers of "senderkey policy import" (files a user may have received
 * from someone else: vCard address books, GnuPG keyring exports, the
 * policy export format).  Octet 0 picks the reader (mod 3: vCard, gpg,
 * text); the rest is the file, handed over as a path (a memfd under
 * /proc/self/fd) since that is what the readers take.  Built with
 * cli/policy_import.c and cli/util.c (FUZZ_EXTRA_policy_import).
 * Checks: a reader returns 0 or one of its exit statuses; every item is
 * NUL-terminated, of a known kind, with an empty or 64-hex-digit pin; the
 * vCard and gpg readers only make allow entries of the recipient given.
 * The readers' messages to stderr go to /dev/null (FUZZ_VERBOSE keeps
 * them); sanitizer reports do not use stdio and still show.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/policy_import.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW	1763030000
#define RCPT		"bob@example.test"

static int fd = -1;
static char path[64];

static int
setup(void)
{
	FILE *null;

	if (fd != -1)
		return 0;
	if (getenv("FUZZ_VERBOSE") == NULL &&
	    (null = fopen("/dev/null", "w")) != NULL)
		stderr = null;
	if ((fd = memfd_create("fuzz_policy_import", 0)) == -1)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static void
check_str(const char *s, size_t sz)
{
	if (memchr(s, '\0', sz) == NULL)
		abort();
}

static void
check(const struct policy_import_list *l, int rc, int which)
{
	const struct policy_import_item *it;
	size_t i, n;

	if (rc != 0 && rc != EX_DATAERR && rc != EX_NOINPUT &&
	    rc != EX_SOFTWARE)
		abort();
	for (i = 0; i < l->n; i++) {
		it = &l->items[i];
		if (it->kind != POLICY_IMPORT_MODE &&
		    it->kind != POLICY_IMPORT_ALLOW &&
		    it->kind != POLICY_IMPORT_DENY)
			abort();
		check_str(it->recipient, sizeof(it->recipient));
		check_str(it->sender, sizeof(it->sender));
		check_str(it->mode, sizeof(it->mode));
		check_str(it->pin, sizeof(it->pin));
		n = strlen(it->pin);
		if (n != 0 && (n != 64 || strspn(it->pin,
		    "0123456789abcdef") != 64))
			abort();
		if (which != 2 && (it->kind != POLICY_IMPORT_ALLOW ||
		    strcmp(it->recipient, RCPT) != 0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_import_list l;
	int which, rc;

	if (size < 1 || setup() == -1)
		return 0;
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		return 0;
	memset(&l, 0, sizeof(l));
	which = data[0] % 3;
	if (which == 0)
		rc = policy_import_vcard(path, RCPT, FUZZ_NOW, &l);
	else if (which == 1)
		rc = policy_import_gpg(path, RCPT, FUZZ_NOW, &l);
	else
		rc = policy_import_text(path, &l);
	check(&l, rc, which);
	policy_import_list_free(&l);
	return 0;
}
