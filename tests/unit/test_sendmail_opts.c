/*
 * test_sendmail_opts: `senderkey sendmail`'s command line is read as
 * sendmail reads it (clusters, options with an attached or a separate
 * argument, -t, -i and -oi, "--", recipients), the wrapper's own
 * --sendmail and --keys are taken out, modes that send no message and
 * long options that are not ours are refused; the key file's path
 * follows --keys, $SENDERKEY_KEYS, $XDG_CONFIG_HOME, $HOME and refuses
 * addresses that would leave the directory; a lone dot ends a message;
 * the Date: and Message-ID: fields added to a message that lacks them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#include "../../cli/sendmail_opts.c"

/* parse: the words of LINE (space separated) as argv after "sendmail". */
static int
parse(const char *line, struct sendmail_opts *o, enum sendmail_opts_err *e)
{
	static char buf[512];
	static char *argv[32];
	int argc = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "sendmail";
	for (p = strtok(buf, " "); p != NULL && argc < 31;
	    p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return sendmail_opts_parse(argc, argv, o, e);
}

/* joined: O's pass-through arguments after PASS[0], space separated. */
static const char *
joined(const struct sendmail_opts *o)
{
	static char out[512];
	int i;

	out[0] = '\0';
	for (i = 1; i < o->npass; i++) {
		if (i > 1)
			strcat(out, " ");
		strcat(out, o->pass[i]);
	}
	return out;
}

static void
test_parse(void)
{
	struct sendmail_opts o;
	enum sendmail_opts_err e;

	T_INTEQ(parse("-oem -oi -- bob@example.net", &o, &e), 0, "mutt's line");
	T_INTEQ(o.ignore_dots, 1, "-oi: dots ignored");
	T_INTEQ(o.header_rcpt, 0, "no -t");
	T_INTEQ(o.nrcpt, 1, "one recipient");
	T_STREQ(joined(&o), "-oem -oi -- bob@example.net", "all passed on");
	T_OK(o.pass[0] == NULL && o.pass[o.npass] == NULL,
	    "pass[0] left to the caller, NULL-terminated");
	sendmail_opts_free(&o);

	T_INTEQ(parse("--sendmail /usr/bin/msmtp -i -f me@x a@y b@z", &o, &e),
	    0, "--sendmail and -f with a separate argument");
	T_STREQ(o.program, "/usr/bin/msmtp", "--sendmail taken");
	T_STREQ(joined(&o), "-i -f me@x a@y b@z", "--sendmail not passed on");
	T_INTEQ(o.nrcpt, 2, "two recipients");
	T_INTEQ(o.ignore_dots, 1, "-i");
	sendmail_opts_free(&o);

	T_INTEQ(parse("-fme@x --keys=/k -ti", &o, &e), 0, "clusters");
	T_STREQ(o.keys, "/k", "--keys=DIR");
	T_INTEQ(o.header_rcpt, 1, "-ti: -t");
	T_INTEQ(o.ignore_dots, 1, "-ti: -i");
	T_INTEQ(o.nrcpt, 0, "-t: no recipient needed");
	T_STREQ(joined(&o), "-fme@x -ti", "attached -f passed as is");
	sendmail_opts_free(&o);

	T_INTEQ(parse("-F Alice -C /etc/pf -bm -t", &o, &e), 0,
	    "-F, -C with arguments, -bm");
	T_INTEQ(o.ignore_dots, 0, "-F's argument is no option");
	T_INTEQ(o.header_rcpt, 1, "-t after them");
	sendmail_opts_free(&o);

	T_INTEQ(parse("-f -t a@y", &o, &e), 0, "-f's argument may look "
	    "like an option");
	T_INTEQ(o.header_rcpt, 0, "... and is not one");
	sendmail_opts_free(&o);

	T_INTEQ(parse("-o i a@y", &o, &e), 0, "-o i");
	T_INTEQ(o.ignore_dots, 1, "-o i: dots ignored");
	sendmail_opts_free(&o);

	T_INTEQ(parse("a@y -t", &o, &e), 0, "options end at a recipient");
	T_INTEQ(o.header_rcpt, 0, "-t after it is a recipient");
	T_INTEQ(o.nrcpt, 2, "two recipients");
	sendmail_opts_free(&o);

	T_INTEQ(parse("-bs", &o, &e), -1, "-bs refused");
	T_INTEQ(e, SENDMAIL_OPTS_MODE, "... as a mode");
	T_STREQ(o.bad, "-bs", "... naming it");
	T_INTEQ(parse("-b d", &o, &e), -1, "-b d refused");
	T_INTEQ(parse("-bp", &o, &e), -1, "-bp refused");
	T_INTEQ(parse("-bv a@y", &o, &e), -1, "-bv refused");
	T_INTEQ(parse("-q", &o, &e), -1, "-q refused");
	T_INTEQ(e, SENDMAIL_OPTS_MODE, "... as a mode");
	T_INTEQ(parse("-q1h", &o, &e), -1, "-q1h refused");
	T_INTEQ(parse("-I", &o, &e), -1, "-I (newaliases) refused");
	T_INTEQ(parse("-it", &o, &e), 0, "-it accepted");
	sendmail_opts_free(&o);
	T_INTEQ(parse("-t -f", &o, &e), -1, "-f without its argument");
	T_INTEQ(e, SENDMAIL_OPTS_ARG, "... is said so");
	T_INTEQ(parse("-t --sendmail", &o, &e), -1,
	    "--sendmail without its argument");
	T_INTEQ(e, SENDMAIL_OPTS_ARG, "... is said so");
	T_INTEQ(parse("-t --keys", &o, &e), -1, "--keys without argument");
	T_INTEQ(e, SENDMAIL_OPTS_ARG, "... is said so");
	T_INTEQ(parse("--dkim -t", &o, &e), 0, "--dkim");
	T_INTEQ(o.dkim, 1, "--dkim: the DKIM bridge asked for");
	T_STREQ(joined(&o), "-t", "--dkim not passed on");
	sendmail_opts_free(&o);
	T_INTEQ(parse("-t a@y", &o, &e), 0, "no --dkim");
	T_INTEQ(o.dkim, 0, "no --dkim: no DKIM bridge");
	sendmail_opts_free(&o);
	T_INTEQ(parse("--dkim=yes -t", &o, &e), -1, "--dkim=yes");
	T_INTEQ(e, SENDMAIL_OPTS_LONG, "... is not ours (a flag)");
	T_INTEQ(parse("--sendmailx=/x -t", &o, &e), -1, "--sendmailx");
	T_INTEQ(e, SENDMAIL_OPTS_LONG, "... is not ours");
	T_INTEQ(parse("-oi", &o, &e), -1, "no recipient and no -t");
	T_INTEQ(e, SENDMAIL_OPTS_NORCPT, "... is said so");
	T_INTEQ(parse("-oi --", &o, &e), -1, "-- without recipients");
	T_INTEQ(parse("-- -t", &o, &e), 0, "after --, -t is a recipient");
	T_INTEQ(o.header_rcpt, 0, "... not the option");
	sendmail_opts_free(&o);
	sendmail_opts_free(NULL);
}

static void
test_keypath(void)
{
	char p[256];

	T_INTEQ(sendmail_opts_keypath("/d", "/e", "/x", "/h", "a@b.example",
	    p, sizeof(p)), 0, "--keys");
	T_STREQ(p, "/d/a@b.example.private", "--keys first");
	T_INTEQ(sendmail_opts_keypath(NULL, "/e", "/x", "/h", "a@b.example",
	    p, sizeof(p)), 0, "$SENDERKEY_KEYS");
	T_STREQ(p, "/e/a@b.example.private", "$SENDERKEY_KEYS next");
	T_INTEQ(sendmail_opts_keypath(NULL, "", "/x", "/h", "a@b.example",
	    p, sizeof(p)), 0, "empty $SENDERKEY_KEYS");
	T_STREQ(p, "/x/senderkey/keys/a@b.example.private",
	    "$XDG_CONFIG_HOME/senderkey/keys");
	T_INTEQ(sendmail_opts_keypath(NULL, NULL, "rel", "/h", "a@b.example",
	    p, sizeof(p)), 0, "relative $XDG_CONFIG_HOME");
	T_STREQ(p, "/h/.config/senderkey/keys/a@b.example.private",
	    "... ignored: $HOME/.config");
	T_INTEQ(sendmail_opts_keypath(NULL, NULL, NULL, NULL, "a@b.example",
	    p, sizeof(p)), -1, "no HOME: no directory");
	T_INTEQ(sendmail_opts_keypath("/d", NULL, NULL, NULL, "a/../b@c",
	    p, sizeof(p)), -1, "an address with '/'");
	T_INTEQ(sendmail_opts_keypath("/d", NULL, NULL, NULL, ".a@c", p,
	    sizeof(p)), -1, "an address starting with a dot");
	T_INTEQ(sendmail_opts_keypath("/d", NULL, NULL, NULL, "a@b.example",
	    p, 10), -1, "too long for OUT");
}

static void
test_dot(void)
{
	T_INTEQ(sendmail_opts_dot_end("a\n.\nb\n", 6), 2, "LF dot line");
	T_INTEQ(sendmail_opts_dot_end("a\r\n.\r\nb\r\n", 9), 3,
	    "CRLF dot line");
	T_INTEQ(sendmail_opts_dot_end("a\n.", 3), 2, "dot at the end");
	T_INTEQ(sendmail_opts_dot_end(".\n", 2), 0, "dot first");
	T_INTEQ(sendmail_opts_dot_end("a\n..\n.b\n", 8), 8,
	    "'..' and '.b' do not end it");
	T_INTEQ(sendmail_opts_dot_end("a.\nb", 4), 4, "a dot inside a line");
	T_INTEQ(sendmail_opts_dot_end("", 0), 0, "empty");
}

static void
test_fields(void)
{
	unsigned char rnd[16];
	char out[SENDMAIL_OPTS_FIELDS_MAX];
	int i;

	for (i = 0; i < 16; i++)
		rnd[i] = (unsigned char)(i * 17);
	T_INTEQ(sendmail_opts_fields(out, sizeof(out), 1, 1, 1700000000,
	    rnd, "example.test", 0), 100, "both fields, CRLF");
	T_STREQ(out, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	    "Message-ID: <00112233445566778899aabbccddeeff@example.test>\r\n",
	    "Date: in RFC 5322 form, Message-ID: from RND and DOMAIN");
	T_INTEQ(sendmail_opts_fields(out, sizeof(out), 1, 0, 0, rnd, "x",
	    1), 38, "Date: only, LF");
	T_STREQ(out, "Date: Thu, 01 Jan 1970 00:00:00 +0000\n", "the epoch");
	T_INTEQ(sendmail_opts_fields(out, sizeof(out), 0, 1, 0, rnd, "x",
	    1), 49, "Message-ID: only");
	T_INTEQ(sendmail_opts_fields(out, sizeof(out), 0, 0, 0, rnd, "x",
	    1), 0, "nothing missing: nothing");
	T_INTEQ(sendmail_opts_fields(out, 40, 1, 1, 0, rnd, "x", 1), -1,
	    "OUT too small");
}

int
main(void)
{
	test_parse();
	test_keypath();
	test_dot();
	test_fields();
	return t_done();
}
