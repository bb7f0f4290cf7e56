/*
 * cmd_imapmove: "senderkey imap-move [--socket PATH | -x CONFIG]
 * [--user LOGIN] allow|block", the program Dovecot's IMAPSieve runs
 * (through vnd.dovecot.pipe) when a user moves a message into the Allow
 * or Block folder (specs/protocol.md 3.2, MOVE; INSTALL section 11).  It
 * reads the message on standard input to its end (Pigeonhole wants all
 * of it read), takes the topmost Sender-Key-Trust field, unfolded, and
 * sends MOVE with the user Dovecot gives ($USER, or --user) to the
 * ClientSocket.  It decides nothing: the daemon checks the field and the
 * journal.  One line on standard error says what happened (Dovecot logs
 * it); exit status 0 an entry written or unchanged, 1 nothing done (the
 * line says why), 64 usage, 65 an error reply or input that cannot be
 * sent, 69 senderkeyd unreachable, 78 no ClientSocket in the config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/msg.h"
#include "core/proto_line.h"
#include "core/proto_line_entry.h"
#include "cmds.h"
#include "daemon_ask.h"

#define HEADER_MAX	(1024 * 1024)	/* octets of header kept */

/* header_end: the length of BUF's header with its empty line, or 0. */
static size_t
header_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/*
 * read_header: standard input to its end, the header (and its empty
 * line) kept in a malloc'd *BUF of *LEN octets.  Returns 0, or -1 (a read
 * error, out of memory, a header over HEADER_MAX).
 */
static int
read_header(char **buf, size_t *len)
{
	char chunk[65536], *b = NULL, *nb;
	size_t n, blen = 0, end = 0;
	int over = 0;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (end != 0 || over)
			continue;	/* the body: read, not kept */
		if (blen + n > HEADER_MAX) {
			over = 1;
			continue;
		}
		if ((nb = realloc(b, blen + n + 1)) == NULL)
			goto fail;
		b = nb;
		memcpy(b + blen, chunk, n);
		blen += n;
		end = header_end(b, blen);
	}
	if (ferror(stdin) || over)
		goto fail;
	if (end != 0)
		blen = end;
	*buf = b;
	*len = blen;
	return 0;
fail:
	free(b);
	return -1;
}

/*
 * topmost_field: the unfolded value of the first Sender-Key-Trust field
 * of the header HDR (LEN octets), malloc'd, leading blanks dropped; ""
 * when there is none; NULL when the header does not parse or holds a NUL.
 */
static char *
topmost_field(const char *hdr, size_t len)
{
	const struct msg_field *f;
	struct msg *m;
	char *v = NULL, *p;
	size_t i, vlen;

	if ((m = msg_parse(hdr, len, NULL, NULL)) == NULL)
		return NULL;
	for (i = 0; i < msg_nfields(m); i++) {
		f = msg_field(m, i);
		if (!msg_field_is(f, "Sender-Key-Trust"))
			continue;
		if ((v = msg_unfold(f, &vlen)) != NULL && strlen(v) != vlen) {
			free(v);
			v = NULL;
		}
		goto done;
	}
	v = strdup("");
done:
	msg_free(m);
	if (v != NULL) {
		for (p = v; *p == ' ' || *p == '\t'; p++)
			;
		memmove(v, p, strlen(p) + 1);
	}
	return v;
}

/* report: the daemon's REPLY as one line on stderr; the exit status. */
static int
report(const char *reply, const char *user, const char *action)
{
	struct proto_line_entry_reply r;

	if (proto_line_entry_decode(reply, strlen(reply), &r) == -1) {
		fprintf(stderr, "senderkey imap-move: %s %s: senderkeyd "
		    "answered: %s\n", action, user, reply);
		return EX_DATAERR;
	}
	if (r.entry == PLENT_NONE) {
		fprintf(stderr, "senderkey imap-move: %s %s: nothing changed: "
		    "%s\n", action, user, r.why);
		return EX_NEGATIVE;
	}
	fprintf(stderr, "senderkey imap-move: %s %s: entry %s\n", action,
	    user, proto_line_entry_name(r.entry));
	return 0;
}

int
cmd_imapmove(int argc, char **argv)
{
	struct proto_line_request *rq = NULL;
	const char *sock, *cfg, *user = getenv("USER");
	char *hdr = NULL, *field = NULL, *reply = NULL;
	size_t len;
	int i, rc = EX_SOFTWARE;

	i = daemon_ask_opts(argc, argv, &sock, &cfg);
	if (i + 1 < argc && strcmp(argv[i], "--user") == 0) {
		user = argv[i + 1];
		i += 2;
	}
	if (argc - i != 1 || (strcmp(argv[i], "allow") != 0 &&
	    strcmp(argv[i], "block") != 0)) {
		senderkey_usage(stderr, "imap-move");
		return EX_USAGE;
	}
	if (read_header(&hdr, &len) == -1) {
		fprintf(stderr, "senderkey imap-move: cannot read the message "
		    "(or its header is over %d octets)\n", HEADER_MAX);
		return EX_DATAERR;
	}
	if (user == NULL || user[0] == '\0') {
		fprintf(stderr, "senderkey imap-move: no user: neither USER "
		    "nor --user\n");
		rc = EX_USAGE;
		goto done;
	}
	if ((field = topmost_field(hdr != NULL ? hdr : "", len)) == NULL) {
		fprintf(stderr, "senderkey imap-move: %s %s: nothing changed: "
		    "the message header does not parse\n", argv[i], user);
		rc = EX_DATAERR;
		goto done;
	}
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		goto done;
	rq->cmd = PLC_MOVE;
	rq->user = user;
	rq->have_move = 1;
	rq->move = strcmp(argv[i], "allow") == 0 ? PLM_ALLOW : PLM_BLOCK;
	rq->field = field;
	if ((rc = daemon_ask_client(sock, cfg, rq, &reply)) == 0)
		rc = report(reply, user, argv[i]);
done:
	free(reply);
	free(rq);
	free(field);
	free(hdr);
	return rc;
}
