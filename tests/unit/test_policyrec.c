/* test_policyrec: domain policy records against specs/vectors/policies.tsv. */
#include "lib/policyrec.h"
#include "t.h"
#include "vec.h"

static void
row(struct vec_row *r, void *arg)
{
	enum policyrec_policy p = 0;
	enum policyrec_err err;
	int rc;

	(void)arg;
	rc = policyrec_parse(r->f[0], r->len[0], &p, &err, NULL);
	if (r->f[1][0] == '!') {
		T_OK(rc == -1, "line %d: rejected", r->line);
		T_STREQ(policyrec_errname(err), r->f[1] + 1,
		    "line %d: error name", r->line);
		return;
	}
	T_OK(rc == 0, "line %d: parses (%s)", r->line, policyrec_errname(err));
	T_STREQ(policyrec_name(p), r->f[1], "line %d: policy", r->line);
}

int
main(void)
{
	enum policyrec_policy p;
	const char *s;
	int n;

	n = vec_each("specs/vectors/policies.tsv", row, NULL);
	T_OK(n >= 10, "policies.tsv has %d rows", n);
	s = policyrec_encode(POLICYREC_ALL);
	T_OK(policyrec_parse(s, strlen(s), &p, NULL, NULL) == 0 &&
	    p == POLICYREC_ALL, "encode/parse round trip: all");
	s = policyrec_encode(POLICYREC_SOME);
	T_OK(policyrec_parse(s, strlen(s), &p, NULL, NULL) == 0 &&
	    p == POLICYREC_SOME, "encode/parse round trip: some");
	return t_done();
}
