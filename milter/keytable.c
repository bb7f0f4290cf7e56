/*
 * keytable.c: parse and load the milter's KeyTable (keytable.h).  Strict:
 * a line that is not "ADDRESS KEYFILE LOGINS" is an error naming the file
 * and line, and the milter does not start.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "keytable.h"

struct kt_entry {
	char		*addr;		/* canonical */
	char		*keyfile;
	char		**logins;
	size_t		 nlogins;
	size_t		 line;
	EVP_PKEY	*key;
};

struct keytable {
	char		*file;
	struct kt_entry	*e;
	size_t		 n, cap;
};

void
keytable_free(struct keytable *kt)
{
	size_t i, j;

	if (kt == NULL)
		return;
	for (i = 0; i < kt->n; i++) {
		free(kt->e[i].addr);
		free(kt->e[i].keyfile);
		for (j = 0; j < kt->e[i].nlogins; j++)
			free(kt->e[i].logins[j]);
		free(kt->e[i].logins);
		EVP_PKEY_free(kt->e[i].key);
	}
	free(kt->e);
	free(kt->file);
	free(kt);
}

/* parse_line: one non-comment line (NUL-terminated) into a new entry. */
static int
parse_line(struct keytable *kt, char *line, size_t lineno, char *why,
    size_t whysz)
{
	struct kt_entry *e;
	struct addr *a = NULL;
	enum addr_err aerr;
	char *w[4], *save = NULL, *p, *lsave = NULL;
	size_t n = 0, i;

	for (p = strtok_r(line, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		if (n == 3) {
			snprintf(why, whysz, "expected ADDRESS KEYFILE "
			    "LOGIN[,LOGIN...], found more words");
			return -1;
		}
		w[n++] = p;
	}
	if (n != 3) {
		snprintf(why, whysz, "expected ADDRESS KEYFILE "
		    "LOGIN[,LOGIN...]");
		return -1;
	}
	if ((a = addr_parse(w[0], &aerr, NULL)) == NULL) {
		snprintf(why, whysz, "%s: expected an address (%s)", w[0],
		    addr_strerror(aerr));
		return -1;
	}
	if (keytable_find(kt, addr_canon(a)) != -1) {
		snprintf(why, whysz, "%s: listed twice", addr_canon(a));
		addr_free(a);
		return -1;
	}
	if (w[1][0] != '/') {
		snprintf(why, whysz, "%s: expected an absolute key file path",
		    w[1]);
		addr_free(a);
		return -1;
	}
	if (kt->n == KEYTABLE_MAX_ENTRIES) {
		snprintf(why, whysz, "more than %d entries",
		    KEYTABLE_MAX_ENTRIES);
		addr_free(a);
		return -1;
	}
	if (kt->n == kt->cap) {
		size_t ncap = kt->cap == 0 ? 16 : kt->cap * 2;
		struct kt_entry *ne = reallocarray(kt->e, ncap, sizeof(*ne));

		if (ne == NULL)
			goto nomem;
		kt->e = ne;
		kt->cap = ncap;
	}
	e = &kt->e[kt->n];
	memset(e, 0, sizeof(*e));
	e->line = lineno;
	kt->n++;
	if ((e->addr = strdup(addr_canon(a))) == NULL ||
	    (e->keyfile = strdup(w[1])) == NULL ||
	    (e->logins = calloc(KEYTABLE_MAX_LOGINS, sizeof(char *))) == NULL)
		goto nomem;
	addr_free(a);
	a = NULL;
	for (p = strtok_r(w[2], ",", &lsave); p != NULL;
	    p = strtok_r(NULL, ",", &lsave)) {
		if (e->nlogins == KEYTABLE_MAX_LOGINS) {
			snprintf(why, whysz, "more than %d logins",
			    KEYTABLE_MAX_LOGINS);
			return -1;
		}
		for (i = 0; p[i] != '\0'; i++)
			if ((unsigned char)p[i] < 0x21 ||
			    (unsigned char)p[i] == 0x7f) {
				snprintf(why, whysz, "a login with a control "
				    "octet");
				return -1;
			}
		if ((e->logins[e->nlogins] = strdup(p)) == NULL)
			goto nomem;
		e->nlogins++;
	}
	if (e->nlogins == 0) {
		snprintf(why, whysz, "expected at least one login");
		return -1;
	}
	return 0;
nomem:
	addr_free(a);
	snprintf(why, whysz, "out of memory");
	return -1;
}

struct keytable *
keytable_parse(const char *text, size_t len, const char *filename, char *err,
    size_t errsz)
{
	struct keytable *kt = NULL;
	char line[KEYTABLE_LINE_MAX + 1], why[256], *s;
	size_t pos = 0, lineno = 0, n, i;
	const char *nl;

	if ((kt = calloc(1, sizeof(*kt))) == NULL ||
	    (kt->file = strdup(filename)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	while (pos < len) {
		lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (n > KEYTABLE_LINE_MAX) {
			snprintf(err, errsz, "%s:%zu: line longer than %d "
			    "octets", filename, lineno, KEYTABLE_LINE_MAX);
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		for (i = 0; i < n; i++)
			if (line[i] == '\0' || ((unsigned char)line[i] < 0x20 &&
			    line[i] != '\t')) {
				snprintf(err, errsz, "%s:%zu: control octet",
				    filename, lineno);
				goto fail;
			}
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		if (parse_line(kt, s, lineno, why, sizeof(why)) == -1) {
			snprintf(err, errsz, "%s:%zu: %s", filename, lineno,
			    why);
			goto fail;
		}
	}
	return kt;
fail:
	keytable_free(kt);
	return NULL;
}

int
keytable_load_keys(struct keytable *kt, char *err, size_t errsz)
{
	char why[512];
	size_t i;

	for (i = 0; i < kt->n; i++) {
		if (kt->e[i].key != NULL)
			continue;
		kt->e[i].key = key_load_private(kt->e[i].keyfile, why,
		    sizeof(why));
		if (kt->e[i].key == NULL) {
			snprintf(err, errsz, "%s:%zu: %s", kt->file,
			    kt->e[i].line, why);
			return -1;
		}
	}
	return 0;
}

struct keytable *
keytable_load(const char *path, char *err, size_t errsz)
{
	struct keytable *kt = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KEYTABLE_FILE_MAX) {
		snprintf(err, errsz, "%s: not a regular file of at most %d "
		    "octets", path, KEYTABLE_FILE_MAX);
		goto done;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	while (len < (size_t)st.st_size) {
		r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if ((kt = keytable_parse(buf, len, path, err, errsz)) == NULL)
		goto done;
	if (keytable_load_keys(kt, err, errsz) == -1) {
		keytable_free(kt);
		kt = NULL;
	}
done:
	if (fd != -1)
		close(fd);
	free(buf);
	return kt;
}

size_t
keytable_count(const struct keytable *kt)
{
	return kt->n;
}

long
keytable_find(const struct keytable *kt, const char *addr)
{
	size_t i;

	for (i = 0; i < kt->n; i++)
		if (strcmp(kt->e[i].addr, addr) == 0)
			return (long)i;
	return -1;
}

int
keytable_allowed(const struct keytable *kt, long i, const char *login)
{
	size_t j;

	if (i < 0 || (size_t)i >= kt->n || login == NULL)
		return 0;
	for (j = 0; j < kt->e[i].nlogins; j++)
		if (strcmp(kt->e[i].logins[j], login) == 0)
			return 1;
	return 0;
}

EVP_PKEY *
keytable_key(const struct keytable *kt, long i)
{
	if (i < 0 || (size_t)i >= kt->n)
		return NULL;
	return kt->e[i].key;
}
