/*
 * test_milter_hdr: the milter's copy of the message (milter/hdr.c):
 * every row of specs/vectors/milter-headers.tsv (a field rebuilt exactly
 * as delivered and read back by msg_parse as that one field, or refused
 * with the error named), then whole messages: fields in order, the first
 * problem sticking with its field number, the size limit, reset.  The
 * milter's sources are not in libsenderkey.a, so hdr.c is compiled in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "vec.h"

#include "../../milter/hdr.c"

/* result_of: the enum named NAME in the vectors' result column. */
static int
result_of(const char *name, enum hdr_err *e)
{
	static const enum hdr_err all[] = { HDR_OK, HDR_ENAME, HDR_ECR,
	    HDR_EBREAK };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(hdr_errname(all[i]), name) == 0) {
			*e = all[i];
			return 0;
		}
	return -1;
}

/* row_ok: the rebuilt field is DELIVERED and parses as that one field. */
static void
row_ok(struct vec_row *r, struct hdr *h)
{
	const struct msg_field *f;
	struct msg *m;
	const char *text;
	size_t len;

	text = hdr_text(h, &len);
	T_OK(len == r->len[4] + 2 && memcmp(text, r->f[4], r->len[4]) == 0 &&
	    memcmp(text + r->len[4], "\r\n", 2) == 0,
	    "line %d: rebuilt as delivered", r->line);
	m = msg_parse(text, len, NULL, NULL);
	f = m != NULL ? msg_field(m, 0) : NULL;
	T_OK(m != NULL && msg_nfields(m) == 1 && f->namelen == r->len[1] &&
	    memcmp(f->raw, r->f[1], f->namelen) == 0 &&
	    f->rawlen == r->len[4] && msg_had_lf(m) == 0,
	    "line %d: msg_parse reads back one field named %s", r->line,
	    r->f[1]);
	msg_free(m);
}

static void
row(struct vec_row *r, void *arg)
{
	struct hdr *h;
	enum hdr_err want, got;
	size_t field;

	(void)arg;
	if (strcmp(r->f[0], "leadspc") == 0)
		return;		/* the column names */
	if (result_of(r->f[3], &want) == -1 || (r->f[0][0] != 'y' &&
	    r->f[0][0] != 'n')) {
		T_OK(0, "line %d: bad row", r->line);
		return;
	}
	/* a NUL cannot reach the milter inside a name or value */
	if (strlen(r->f[1]) != r->len[1] || strlen(r->f[2]) != r->len[2]) {
		T_OK(0, "line %d: NUL in a name or value", r->line);
		return;
	}
	if ((h = hdr_new(r->f[0][0] == 'y')) == NULL)
		abort();
	T_OK(hdr_field(h, r->f[1], r->f[2]) == 0 && hdr_eoh(h) == 0,
	    "line %d: appended without running out of memory", r->line);
	got = hdr_error(h, &field);
	T_OK(got == want && hdr_check(r->f[1], r->f[2]) == want &&
	    field == (want == HDR_OK ? 0 : 1), "line %d: %s (got %s)",
	    r->line, r->f[3], hdr_errname(got));
	if (want == HDR_OK)
		row_ok(r, h);
	else {
		size_t len;

		hdr_text(h, &len);
		T_OK(len == 0 && strcmp(r->f[4], "-") == 0,
		    "line %d: nothing kept of a refused field", r->line);
	}
	hdr_free(h);
}

static void
test_message(void)
{
	static const char want[] =
	    "Subject: a\r\n b\r\nFrom: Alice <alice@example.test>\r\n"
	    "\r\nbody\r\n";
	struct hdr *h;
	struct msg *m;
	const char *text;
	size_t len, field;

	if ((h = hdr_new(1)) == NULL)
		abort();
	T_OK(hdr_field(h, "Subject", " a\n b") == 0 &&
	    hdr_field(h, "From", " Alice <alice@example.test>") == 0 &&
	    hdr_eoh(h) == 0 && hdr_body(h, "body\r\n", 6) == 0,
	    "a message: fields, end of header, body");
	text = hdr_text(h, &len);
	T_OK(len == sizeof(want) - 1 && memcmp(text, want, len) == 0,
	    "a message: rebuilt in order, CRLF");
	m = msg_parse(text, len, NULL, NULL);
	T_OK(m != NULL && msg_nfields(m) == 2, "a message: two fields");
	msg_free(m);

	/* the issue 13 attack: refused, with the field's number */
	hdr_reset(h);
	T_OK(hdr_error(h, &field) == HDR_OK && field == 0 &&
	    (hdr_text(h, &len), len == 0), "reset: empty, no error");
	hdr_field(h, "Sender-Key-Signature", " v=1; s=alice@example.test");
	hdr_field(h, "Subject", " hi\rFrom: Alice <alice@example.test>\r");
	hdr_field(h, "From", " CEO <ceo@example.test>");
	hdr_field(h, "To", " x\n");
	hdr_eoh(h);
	hdr_body(h, "body\r\n", 6);
	T_OK(hdr_error(h, &field) == HDR_ECR && field == 2,
	    "bare CRs in field 2: refused, the first problem sticks");
	T_OK((hdr_text(h, &len), len == 0), "... and nothing is kept");
	hdr_free(h);

	/* the size limit: checked before anything is allocated */
	if ((h = hdr_new(0)) == NULL)
		abort();
	T_OK(hdr_field(h, "Subject", "x") == 0 &&
	    hdr_body(h, "", (size_t)MSG_MAX_SIZE) == 0 &&
	    hdr_error(h, &field) == HDR_ETOOBIG && field == 0,
	    "over MSG_MAX_SIZE: too big");
	T_OK(hdr_field(h, "Subject", "x") == 0 && hdr_error(h, NULL) ==
	    HDR_ETOOBIG, "... and it sticks");
	hdr_free(h);
	hdr_free(NULL);
	hdr_reset(NULL);
	T_OK(strcmp(hdr_errname(HDR_ECR), "cr") == 0 &&
	    strstr(hdr_strerror(HDR_ECR), "carriage return") != NULL,
	    "error names and texts");
}

int
main(void)
{
	int n;

	n = vec_each("specs/vectors/milter-headers.tsv", row, NULL);
	T_OK(n >= 40, "milter-headers.tsv has %d rows", n);
	test_message();
	return t_done();
}
