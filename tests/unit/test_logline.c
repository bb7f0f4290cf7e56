/*
 * test_logline: the decision's log line has protocol.md's fields in
 * protocol.md's order; dnssec= only when the verdict used the lookup,
 * policy= only with a policy answer, why_bogus= only for a bogus answer
 * (escaped as log_value escapes), class= "-" when there is none; a line
 * that does not fit is cut, never overrun.
 */
#include <string.h>

#include "resolver/logline.h"
#include "t.h"

int
main(void)
{
	struct verdict_output v = { .verdict = VERDICT_UNTRUSTED,
	    .reason = VR_SIG_PENDING, .tag = VT_UNTRUSTED, .rule = 19,
	    .used_lookup = 1 };
	struct verdict_input in;
	struct lookup_answer ka;
	struct logline_decision d;
	char buf[LOGLINE_MAX + 16], small[40];
	size_t n;

	memset(&in, 0, sizeof(in));
	in.mode = VM_ALLOW;
	in.list = VL_NONE;
	in.pin = VP_NONE;
	in.policy = VPOL_SOME;
	memset(&ka, 0, sizeof(ka));
	ka.state = LOOKUP_SECURE_KEY;
	memset(&d, 0, sizeof(d));
	d.conn = 7;
	d.queue_id = "-";
	d.sender = "alice@example.com";
	d.recipient = "bob@example.net";
	d.v = &v;
	d.in = &in;
	d.ka = &ka;
	d.has_policy = 1;
	d.class_id = "21c33b21cbddc32d";
	d.ms = 12;
	n = logline_decision(buf, sizeof(buf), &d);
	buf[n] = '\0';
	T_STREQ(buf, "conn=7 queue_id=- sender=alice@example.com "
	    "recipient=bob@example.net verdict=untrusted reason=sig-pending "
	    "tag=untrusted dnssec=secure-key policy=some why_bogus=- "
	    "class=21c33b21cbddc32d ms=12 mode=allow list=none pin=-",
	    "every field, in order");

	v.used_lookup = 0;
	d.has_policy = 0;
	d.class_id = "";
	d.ms = 0;
	in.mode = VM_DENY;
	in.list = VL_DENY;
	n = logline_decision(buf, sizeof(buf), &d);
	buf[n] = '\0';
	T_STREQ(strstr(buf, " dnssec="), " dnssec=- policy=- why_bogus=- "
	    "class=- ms=0 mode=deny list=deny pin=-",
	    "no lookup used, no policy answer, no class: -");

	v.used_lookup = 1;
	ka.state = LOOKUP_BOGUS;
	ka.reason = "signature expired \"now\"";
	n = logline_decision(buf, sizeof(buf), &d);
	buf[n] = '\0';
	T_OK(strstr(buf, " dnssec=bogus policy=- "
	    "why_bogus=signature%20expired%20%22now%22 class=-") != NULL,
	    "bogus: why_bogus escaped (%s)", buf);
	ka.state = LOOKUP_TEMPFAIL;
	ka.reason = "timeout";
	n = logline_decision(buf, sizeof(buf), &d);
	buf[n] = '\0';
	T_OK(strstr(buf, " dnssec=tempfail policy=- why_bogus=- ") != NULL,
	    "why_bogus only for a bogus answer");
	d.ka = NULL;
	n = logline_decision(buf, sizeof(buf), &d);
	buf[n] = '\0';
	T_OK(strstr(buf, " dnssec=- ") != NULL, "no key answer: dnssec=-");

	memset(small, 'x', sizeof(small));
	n = logline_decision(small, 20, &d);
	T_OK(n == 20 && memcmp(small, "conn=7 queue_id=- se", 20) == 0 &&
	    small[20] == 'x', "a short buffer: cut at its size, not overrun");
	return t_done();
}
