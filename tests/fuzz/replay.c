/*
 * replay.c: run one fuzz target's LLVMFuzzerTestOneInput over files, with
 * no libFuzzer: linked with fuzz_<target>.c and libsenderkey.a by the
 * normal compiler, so `make check` replays the committed corpora under the
 * regular build and `make asan` under ASan+UBSan.  Not here: mutation,
 * coverage (tests/fuzz/run builds the libFuzzer binaries).
 *
 * Usage: replay_<target> PATH...   (a PATH that is a directory: each
 * regular file in it, in name order).  Prints "replayed N inputs" and
 * exits 0; a crash in the target is the failure.  Exits 2 when a PATH
 * cannot be read.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX	(16u * 1024 * 1024)	/* largest input read */

/* run_file: read PATH whole and pass it to the target; 0 or -1. */
static int
run_file(const char *path)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, n;
	struct stat st;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1)
		goto fail;
	if (st.st_size < 0 || (uint64_t)st.st_size > REPLAY_MAX) {
		errno = EFBIG;
		goto fail;
	}
	/* An empty input still gets a valid, distinct pointer. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while ((n = fread(buf + len, 1, (size_t)st.st_size - len, f)) > 0)
		len += n;
	if (ferror(f))
		goto fail;
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
fail:
	fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	free(buf);
	return -1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* run_dir: every regular file of DIR in name order; count in *N. */
static int
run_dir(const char *dir, size_t *n)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL, **nn, path[4096];
	size_t count = 0, cap = 0, i;
	struct stat st;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				goto done;
			names = nn;
		}
		if ((names[count] = strdup(de->d_name)) == NULL)
			goto done;
		count++;
	}
	qsort(names, count, sizeof(*names), cmp_names);
	for (i = 0; i < count; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path))
			goto done;
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) == -1)
			goto done;
		(*n)++;
	}
	rc = 0;
done:
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	size_t n = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 2;
		}
		if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &n) == -1)
				return 2;
		} else {
			if (run_file(argv[i]) == -1)
				return 2;
			n++;
		}
	}
	printf("replayed %zu inputs\n", n);
	return 0;
}
