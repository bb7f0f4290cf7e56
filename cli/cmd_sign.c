/*
 * cmd_sign: "senderkey sign -k KEY [-s SENDER] [-c HEADER/BODY] [-l LIFETIME]
 * [-T TIME] [--dkim | --dkim-domain D --dkim-selector S]" reads a message
 * on standard input and writes it to standard output with a
 * Sender-Key-Signature field on top (specs/signature.md section 7).  With
 * --dkim the DKIM bridge's DKIM-Signature follows right below it (section
 * 11.1).  With --dkim-domain and --dkim-selector it writes a standard
 * DKIM-Signature instead (the DKIM test mode of section 9, for peer tests
 * only; not with --dkim).  The message keeps its line ends (LF or CRLF);
 * the new fields use the same.
 *
 * Exit status: 0 signed, 64 usage, 65 the message cannot be signed (no
 * single From: mailbox, -s not the From: address, bad header), 66 the key
 * file cannot be used (also: readable by group or others), 70 internal
 * error, 74 write error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/evp.h>

#include "lib/key.h"
#include "lib/msg.h"
#include "lib/sig.h"
#include "cmds.h"
#include "signmsg.h"
#include "util.h"

enum { OPT_DKIM_DOMAIN = 256, OPT_DKIM_SELECTOR, OPT_DKIM };

/* parse_c: "h/b" into O; 0 or -1. */
static int
parse_c(const char *s, struct sig_sign_opts *o)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL)
		return -1;
	o->hcanon = canon_parse(s, (size_t)(slash - s));
	o->bcanon = canon_parse(slash + 1, strlen(slash + 1));
	return o->hcanon == 0 || o->bcanon == 0 ? -1 : 0;
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dkim-domain", required_argument, NULL, OPT_DKIM_DOMAIN },
		{ "dkim-selector", required_argument, NULL, OPT_DKIM_SELECTOR },
		{ "dkim", no_argument, NULL, OPT_DKIM },
		{ NULL, 0, NULL, 0 },
	};
	struct sig_sign_opts o;
	struct msg *m = NULL;
	EVP_PKEY *key = NULL;
	enum msg_err merr = MSG_OK;
	enum key_load_err why;
	const char *keypath = NULL;
	char err[512], *buf = NULL, *field = NULL;
	size_t len = 0, flen = 0, line = 0;
	int ch, rc = EX_SOFTWARE;

	memset(&o, 0, sizeof(o));
	o.now = (int64_t)time(NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:k:l:s:T:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (parse_c(optarg, &o) == -1) {
				fprintf(stderr, "senderkey: -c %s: expected "
				    "relaxed|simple/relaxed|simple\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'k':
			keypath = optarg;
			break;
		case 'l':
			if (util_duration(optarg, &o.lifetime) == -1 ||
			    o.lifetime <= 0) {
				fprintf(stderr, "senderkey: -l %s: expected a "
				    "duration such as 7d\n", optarg);
				return EX_USAGE;
			}
			break;
		case 's':
			o.sender = optarg;
			break;
		case 'T':
			if (util_time(optarg, o.now, &o.now) == -1 ||
			    o.now < 0) {
				fprintf(stderr, "senderkey: -T %s: expected a "
				    "Unix time or YYYY-MM-DDTHH:MM:SSZ\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case OPT_DKIM_DOMAIN:
			o.dkim_domain = optarg;
			break;
		case OPT_DKIM_SELECTOR:
			o.dkim_selector = optarg;
			break;
		case OPT_DKIM:
			o.dkim_bridge = 1;
			break;
		default:
			senderkey_usage(stderr, "sign");
			return EX_USAGE;
		}
	}
	if (o.dkim_bridge && (o.dkim_domain != NULL ||
	    o.dkim_selector != NULL)) {
		fprintf(stderr, "senderkey: --dkim (the DKIM bridge) and "
		    "--dkim-domain/--dkim-selector (the DKIM test mode) "
		    "exclude each other\n");
		return EX_USAGE;
	}
	if (optind != argc || keypath == NULL ||
	    (o.dkim_domain == NULL) != (o.dkim_selector == NULL)) {
		senderkey_usage(stderr, "sign");
		return EX_USAGE;
	}
	if ((key = key_load(keypath, 1, &why, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return why == KEY_LOAD_EDATA ? EX_DATAERR : EX_NOINPUT;
	}
	if ((buf = util_read_file("-", MSG_MAX_SIZE, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		rc = EX_DATAERR;
		goto done;
	}
	if ((m = msg_parse(buf, len, &merr, &line)) == NULL) {
		fprintf(stderr, "senderkey: stdin:%zu: %s\n", line,
		    msg_strerror(merr));
		rc = EX_DATAERR;
		goto done;
	}
	if ((field = signmsg_field(m, key, &o, &flen, &rc)) == NULL)
		goto done;
	fwrite(field, 1, flen, stdout);
	fwrite(buf, 1, len, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "senderkey: write error: %s\n",
		    strerror(errno));
		rc = EX_IOERR;
	} else
		rc = 0;
done:
	free(field);
	msg_free(m);
	free(buf);
	EVP_PKEY_free(key);
	return rc;
}
