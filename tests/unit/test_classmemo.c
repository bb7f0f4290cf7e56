/*
 * test_classmemo: senderkeyd's class-id memo gives verdict_class's id
 * for every input without sig, whatever is remembered (the table is
 * much smaller than the inputs, so slots are replaced), ignores sig, and
 * answers a repeated input from memory.
 */
#include <string.h>

#include "resolver/classmemo.h"
#include "t.h"

/* each: call F on every verdict input (sig unknown); returns the count */
static size_t
each(void (*f)(const struct verdict_input *, void *), void *arg)
{
	struct verdict_input in;
	size_t n = 0;
	int a, b, c, d, e, g, h;

	memset(&in, 0, sizeof(in));
	for (a = 0; a < 3; a++)
	for (b = 0; b < 2; b++)
	for (c = 0; c < 3; c++)
	for (d = 0; d < 3; d++)
	for (e = 0; e < 6; e++)
	for (g = 0; g < 6; g++)
	for (h = 0; h < 3; h++) {
		in.sender = (enum verdict_sender)a;
		in.mode = (enum verdict_mode)b;
		in.list = (enum verdict_list)c;
		in.pin = (enum verdict_pin)d;
		in.lookup = (enum lookup_state)e;
		in.key = (enum verdict_key)g;
		in.policy = (enum verdict_policy)h;
		f(&in, arg);
		n++;
	}
	return n;
}

struct run {
	struct classmemo	*m;
	size_t			 bad;
};

static void
check(const struct verdict_input *in, void *arg)
{
	struct run *r = arg;
	char want[VERDICT_CLASS_IDSIZE], got[VERDICT_CLASS_IDSIZE];

	if (verdict_class(in, NULL, 0, want) == -1 ||
	    classmemo_id(r->m, in, got) == -1 || strcmp(want, got) != 0)
		r->bad++;
}

int
main(void)
{
	struct run r = { NULL, 0 };
	struct verdict_input in;
	char a[VERDICT_CLASS_IDSIZE], b[VERDICT_CLASS_IDSIZE];
	size_t n;
	uint64_t h;

	r.m = classmemo_new();
	T_OK(r.m != NULL, "classmemo_new");
	if (r.m == NULL)
		return t_done();
	n = each(check, &r);
	T_OK(r.bad == 0, "first pass: %zu inputs, every id as verdict_class's "
	    "(%zu differ)", n, r.bad);
	each(check, &r);
	T_OK(r.bad == 0, "second pass (slots replaced): every id as "
	    "verdict_class's (%zu differ)", r.bad);

	memset(&in, 0, sizeof(in));
	in.lookup = LOOKUP_SECURE_KEY;
	in.key = VK_OK;
	h = classmemo_hits(r.m);
	T_OK(classmemo_id(r.m, &in, a) == 0, "an input");
	T_OK(classmemo_id(r.m, &in, b) == 0 && strcmp(a, b) == 0 &&
	    classmemo_hits(r.m) >= h + 1, "the same input again: from memory");
	h = classmemo_hits(r.m);
	in.sig = VSIG_PASS;
	T_OK(classmemo_id(r.m, &in, b) == 0 && strcmp(a, b) == 0 &&
	    classmemo_hits(r.m) == h + 1,
	    "sig differs: the same id, from memory (sig is no input)");
	T_OK(strlen(a) == VERDICT_CLASS_IDSIZE - 1, "ids are %d hex digits",
	    VERDICT_CLASS_IDSIZE - 1);
	classmemo_free(r.m);
	classmemo_free(NULL);
	return t_done();
}
