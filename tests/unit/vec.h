/*
 * vec.h: read the tab-separated test vectors in specs/vectors/.  Lines
 * starting with '#' and empty lines are skipped; "\xHH" and "\\" in a
 * field stand for one octet.  Header-only, for unit tests.
 */
#ifndef SK_VEC_H
#define SK_VEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"

#define VEC_MAXF	24

struct vec_row {
	int	 line;
	int	 nf;
	char	*f[VEC_MAXF];
	size_t	 len[VEC_MAXF];	/* octets after unescaping */
};

/* vec_unescape: in place; returns the new length. */
static size_t
vec_unescape(char *s)
{
	size_t i = 0, o = 0;

	while (s[i] != '\0') {
		if (s[i] == '\\' && s[i + 1] == 'x' && hex_digit(s[i + 2]) >= 0 &&
		    hex_digit(s[i + 3]) >= 0) {
			s[o++] = (char)(hex_digit(s[i + 2]) * 16 +
			    hex_digit(s[i + 3]));
			i += 4;
		} else if (s[i] == '\\' && s[i + 1] == '\\') {
			s[o++] = '\\';
			i += 2;
		} else
			s[o++] = s[i++];
	}
	s[o] = '\0';
	return o;
}

/*
 * vec_each: call FN for every row of PATH; returns the row count, or -1
 * if the file cannot be read.
 */
static int
vec_each(const char *path, void (*fn)(struct vec_row *, void *), void *arg)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rows = 0, lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		printf("not ok - cannot open %s\n", path);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		struct vec_row r;
		char *p, *tab;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		memset(&r, 0, sizeof(r));
		r.line = lineno;
		for (p = line; p != NULL && r.nf < VEC_MAXF; p = tab) {
			if ((tab = strchr(p, '\t')) != NULL)
				*tab++ = '\0';
			r.f[r.nf] = p;
			r.len[r.nf] = vec_unescape(p);
			r.nf++;
		}
		for (; r.nf < VEC_MAXF; r.nf++) {
			r.f[r.nf] = (char *)"";
			r.len[r.nf] = 0;
		}
		fn(&r, arg);
		rows++;
	}
	free(line);
	fclose(f);
	return rows;
}

#endif
