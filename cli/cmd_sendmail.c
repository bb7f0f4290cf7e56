/*
 * cmd_sendmail: "senderkey sendmail [--sendmail PROGRAM] [--keys DIR]
 * [--dkim] [sendmail options] [--] [RECIPIENT...]", a sendmail(1)
 * stand-in for mail clients (mutt's `set sendmail`, git send-email
 * --sendmail-cmd, msmtp set-ups).  It reads the whole message (at most
 * MSG_MAX_SIZE octets; without -i or -oi up to a line holding only a
 * dot), signs it with the private key of its From: address found in the
 * sender's key directory (sendmail_opts_keypath), and runs the real
 * submission program (--sendmail, else $SENDERKEY_SENDMAIL, else
 * /usr/sbin/sendmail; a name without '/' is looked up in PATH) directly,
 * never through a shell, with the other arguments as given and the
 * signed message on its standard input (with --dkim also the DKIM
 * bridge's DKIM-Signature, below the Sender-Key-Signature, as `senderkey
 * sign --dkim`).  A message without Date: or Message-ID: gets them first
 * (the MTA would add them after signing and break the signature).  A
 * message it cannot sign is not handed on.
 *
 * Exit status: the real program's; else 64 usage (also -bs, -bd, -q and
 * the other modes that send no message), 65 the message cannot be signed
 * (header syntax, not exactly one From: mailbox, over 64 MiB), 69 the
 * program cannot be run, 70 internal error or the program died of a
 * signal, 74 read or write error, 78 no usable key (no file for the From:
 * address, a file others could read, not a private key).
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/msg.h"
#include "lib/sig.h"
#include "cmds.h"
#include "sendmail_opts.h"
#include "signmsg.h"
#include "util.h"

#define DEFAULT_SENDMAIL	"/usr/sbin/sendmail"

extern char **environ;

/*
 * load_key: the private key of FROM, or NULL after one line on standard
 * error (the caller exits EX_CONFIG).
 */
static EVP_PKEY *
load_key(const struct addr *from, const char *keys)
{
	EVP_PKEY *key = NULL;
	char path[4096], err[512];

	if (sendmail_opts_keypath(keys, getenv("SENDERKEY_KEYS"),
	    getenv("XDG_CONFIG_HOME"), getenv("HOME"), addr_canon(from), path,
	    sizeof(path)) == -1)
		fprintf(stderr, "senderkey: sendmail: no key directory for "
		    "%s (set HOME or SENDERKEY_KEYS); not sent\n",
		    addr_canon(from));
	else if ((key = key_load(path, 1, NULL, err, sizeof(err))) == NULL)
		fprintf(stderr, "senderkey: sendmail: no usable key for "
		    "%s: %s; not sent\n", addr_canon(from), err);
	return key;
}

/*
 * complete: when *M lacks Date: or Message-ID:, put them on top of *BUF
 * (*LEN octets; replaced by a new buffer) and parse again into *M.
 * Returns 0, or -1 after one line on standard error.
 */
static int
complete(struct msg **m, char **buf, size_t *len, const struct addr *from)
{
	unsigned char rnd[16];
	char add[SENDMAIL_OPTS_FIELDS_MAX], *nb;
	int date = msg_count(*m, "Date") == 0;
	int mid = msg_count(*m, "Message-ID") == 0;
	int n;

	if (!date && !mid)
		return 0;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    (n = sendmail_opts_fields(add, sizeof(add), date, mid,
	    (int64_t)time(NULL), rnd, addr_domain(from),
	    msg_had_lf(*m))) == -1 ||
	    (nb = malloc((size_t)n + *len + 1)) == NULL) {
		fprintf(stderr, "senderkey: sendmail: cannot add Date: or "
		    "Message-ID:; not sent\n");
		return -1;
	}
	memcpy(nb, add, (size_t)n);
	memcpy(nb + n, *buf, *len);
	nb[(size_t)n + *len] = '\0';
	msg_free(*m);
	OPENSSL_cleanse(*buf, *len);
	free(*buf);
	*buf = nb;
	*len += (size_t)n;
	if ((*m = msg_parse(*buf, *len, NULL, NULL)) == NULL) {
		fprintf(stderr, "senderkey: sendmail: out of memory\n");
		return -1;
	}
	return 0;
}

/* write_all: LEN octets at P to FD; 0, or -1 with errno set. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * hand_on: run O's program with the field and the LEN octets at BUF on
 * its standard input; its exit status, or ours after one line.
 */
static int
hand_on(struct sendmail_opts *o, const char *field, size_t flen,
    const char *buf, size_t len)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def;
	const char *prog = o->program;
	pid_t pid;
	int p[2], e, status, werr = 0;

	if (prog == NULL && (prog = getenv("SENDERKEY_SENDMAIL")) == NULL)
		prog = DEFAULT_SENDMAIL;
	o->pass[0] = (char *)prog;
	if (pipe(p) == -1) {
		fprintf(stderr, "senderkey: sendmail: pipe: %s\n",
		    strerror(errno));
		return EX_OSERR;
	}
	/* The program gets SIGPIPE back as it was before we ignored it. */
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		goto spawned;
	if ((e = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto spawned;
	}
	if ((e = posix_spawn_file_actions_adddup2(&fa, p[0], 0)) == 0 &&
	    (e = posix_spawn_file_actions_addclose(&fa, p[1])) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&attr, &def)) == 0 &&
	    (e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF)) == 0)
		e = posix_spawnp(&pid, prog, &fa, &attr, o->pass, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
spawned:
	close(p[0]);
	if (e != 0) {
		close(p[1]);
		fprintf(stderr, "senderkey: sendmail: cannot run %s: %s; "
		    "not sent\n", prog, strerror(e));
		return EX_UNAVAILABLE;
	}
	if (write_all(p[1], field, flen) == -1 ||
	    write_all(p[1], buf, len) == -1)
		werr = errno;
	close(p[1]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			fprintf(stderr, "senderkey: sendmail: waitpid: %s\n",
			    strerror(errno));
			return EX_OSERR;
		}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "senderkey: sendmail: %s died of signal %d\n",
		    prog, WTERMSIG(status));
		return EX_SOFTWARE;
	}
	if (WEXITSTATUS(status) == 0 && werr != 0) {
		fprintf(stderr, "senderkey: sendmail: writing to %s: %s\n",
		    prog, strerror(werr));
		return EX_IOERR;
	}
	return WEXITSTATUS(status);
}

int
cmd_sendmail(int argc, char **argv)
{
	struct sendmail_opts o;
	struct sig_sign_opts so;
	enum sendmail_opts_err oerr;
	enum msg_err merr = MSG_OK;
	enum msg_from_err ferr = MSG_FROM_OK;
	struct msg *m = NULL;
	struct addr *from = NULL;
	EVP_PKEY *key = NULL;
	char err[512], *buf = NULL, *field = NULL;
	size_t len = 0, flen = 0, line = 0;
	int rc = EX_SOFTWARE;

	if (sendmail_opts_parse(argc, argv, &o, &oerr) == -1) {
		if (o.bad != NULL)
			fprintf(stderr, "senderkey: sendmail: %s: %s\n",
			    o.bad, sendmail_opts_strerror(oerr));
		else
			fprintf(stderr, "senderkey: sendmail: %s\n",
			    sendmail_opts_strerror(oerr));
		if (oerr != SENDMAIL_OPTS_ENOMEM)
			senderkey_usage(stderr, "sendmail");
		return oerr == SENDMAIL_OPTS_ENOMEM ? EX_OSERR : EX_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((buf = util_read_file("-", MSG_MAX_SIZE, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: sendmail: %s; not sent\n", err);
		rc = errno == EFBIG ? EX_DATAERR : EX_IOERR;
		goto done;
	}
	if (!o.ignore_dots)
		len = sendmail_opts_dot_end(buf, len);
	if ((m = msg_parse(buf, len, &merr, &line)) == NULL) {
		fprintf(stderr, "senderkey: sendmail: stdin:%zu: %s; not "
		    "sent\n", line, msg_strerror(merr));
		rc = merr == MSG_ENOMEM ? EX_SOFTWARE : EX_DATAERR;
		goto done;
	}
	if ((from = msg_from(m, &ferr)) == NULL) {
		fprintf(stderr, "senderkey: sendmail: the message has no "
		    "single From: address to sign for (%s); not sent\n",
		    msg_from_errname(ferr));
		rc = ferr == MSG_FROM_ENOMEM ? EX_SOFTWARE : EX_DATAERR;
		goto done;
	}
	if ((key = load_key(from, o.keys)) == NULL) {
		rc = EX_CONFIG;
		goto done;
	}
	if (complete(&m, &buf, &len, from) == -1)
		goto done;
	memset(&so, 0, sizeof(so));
	so.now = (int64_t)time(NULL);
	so.dkim_bridge = o.dkim;
	if ((field = signmsg_field(m, key, &so, &flen, &rc)) == NULL)
		goto done;
	rc = hand_on(&o, field, flen, buf, len);
done:
	free(field);
	msg_free(m);
	addr_free(from);
	EVP_PKEY_free(key);
	if (buf != NULL)
		OPENSSL_cleanse(buf, len);
	free(buf);
	sendmail_opts_free(&o);
	return rc;
}
