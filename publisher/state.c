/*
 * state.c: the state and plan files of publish (state.h).  Parsing of
 * records is ldns's (ldns_rr_new_frm_str); writing goes through afile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/afile.h"
#include "state.h"

void
state_clear(struct state_section *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ldns_rr_list_deep_free(s[i].rrs);
		s[i].rrs = NULL;
	}
}

int
state_save(const char *path, const char *magic, const char *domain,
    const char *aux, const struct state_section *s, size_t n, char *err,
    size_t errsz)
{
	struct afile *af;
	FILE *f;
	size_t i, j;
	char *t;

	if ((af = afile_open(path, 0644, err, errsz)) == NULL)
		return -1;
	f = afile_fp(af);
	fprintf(f, "; %s\n; domain %s\n", magic, domain);
	if (aux != NULL)
		fprintf(f, "; aux %s\n", aux);
	for (i = 0; i < n; i++) {
		fprintf(f, "; section %s\n", s[i].name);
		for (j = 0; j < ldns_rr_list_rr_count(s[i].rrs); j++) {
			if ((t = ldns_rr2str(ldns_rr_list_rr(s[i].rrs, j))) ==
			    NULL) {
				afile_abort(af);
				snprintf(err, errsz, "%s: out of memory", path);
				return -1;
			}
			t[strcspn(t, "\n")] = '\0';
			fprintf(f, "%s\n", t);
			free(t);
		}
	}
	return afile_commit(af, 0, err, errsz);
}

int
state_load(const char *path, const char *magic, const char *domain,
    char **aux, struct state_section *s, size_t n, char *err, size_t errsz)
{
	FILE *f;
	char *line = NULL, *a = NULL;
	size_t cap = 0, i;
	ssize_t len;
	unsigned long ln = 0;
	ldns_rr_list *cur = NULL;
	ldns_rr *rr;
	ldns_status st;
	int rc = -1;

	for (i = 0; i < n; i++)
		s[i].rrs = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((s[i].rrs = ldns_rr_list_new()) == NULL)
			goto oom;
	while ((len = getline(&line, &cap, f)) != -1) {
		ln++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (ln == 1) {
			if (strncmp(line, "; ", 2) != 0 ||
			    strcmp(line + 2, magic) != 0) {
				snprintf(err, errsz, "%s:1: expected \"; %s\"",
				    path, magic);
				goto fail;
			}
			continue;
		}
		if (ln == 2) {
			if (strncmp(line, "; domain ", 9) != 0 ||
			    strcasecmp(line + 9, domain) != 0) {
				snprintf(err, errsz, "%s:2: expected \"; "
				    "domain %s\" (made for another domain?)",
				    path, domain);
				goto fail;
			}
			continue;
		}
		if (strncmp(line, "; aux ", 6) == 0 && cur == NULL &&
		    a == NULL) {
			if ((a = strdup(line + 6)) == NULL)
				goto oom;
			continue;
		}
		if (strncmp(line, "; section ", 10) == 0) {
			cur = NULL;
			for (i = 0; i < n; i++)
				if (strcmp(line + 10, s[i].name) == 0)
					cur = s[i].rrs;
			if (cur == NULL) {
				snprintf(err, errsz, "%s:%lu: unknown section "
				    "\"%s\"", path, ln, line + 10);
				goto fail;
			}
			continue;
		}
		if (line[0] == ';' || line[0] == '\0')
			continue;
		if (cur == NULL) {
			snprintf(err, errsz, "%s:%lu: expected \"; section "
			    "NAME\" before records", path, ln);
			goto fail;
		}
		rr = NULL;
		if ((st = ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL)) !=
		    LDNS_STATUS_OK) {
			snprintf(err, errsz, "%s:%lu: expected a record with "
			    "an absolute owner name: %s", path, ln,
			    ldns_get_errorstr_by_id(st));
			goto fail;
		}
		if (!ldns_rr_list_push_rr(cur, rr)) {
			ldns_rr_free(rr);
			goto oom;
		}
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (ln < 2) {
		snprintf(err, errsz, "%s:%lu: truncated (expected \"; %s\" "
		    "and \"; domain %s\")", path, ln + 1, magic, domain);
		goto fail;
	}
	if (aux != NULL) {
		*aux = a;
		a = NULL;
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errsz, "%s: out of memory", path);
fail:
	state_clear(s, n);
done:
	free(a);
	free(line);
	fclose(f);
	return rc;
}
