/*
 * sendmail_opts: the command line of `senderkey sendmail`, its key file
 * and the end of a message read without -i (sendmail_opts.h).  Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sendmail_opts.h"

/* Option letters that take an argument, attached or the next one. */
#define WITH_ARG	"ABCFLNOQRVXbdfhopr"

/*
 * own: 1 when ARG is --NAME or --NAME=VALUE, with *VAL the value (NEXT
 * for --NAME; NULL when there is none) and *USED 1 when NEXT was taken;
 * 0 otherwise.
 */
static int
own(const char *arg, const char *name, const char *next, const char **val,
    int *used)
{
	size_t n = strlen(name);

	*used = 0;
	if (strncmp(arg + 2, name, n) != 0)
		return 0;
	if (arg[2 + n] == '=')
		*val = arg + 3 + n;
	else if (arg[2 + n] == '\0') {
		*val = next;
		*used = 1;
	} else
		return 0;
	return 1;
}

/*
 * cluster: one option argument ARG ("-ti", "-fme@x", "-oi"), with NEXT
 * the argument after it (or NULL).  Returns how many arguments it took
 * (1 or 2), or -1 with *ERR set.
 */
static int
cluster(const char *arg, const char *next, struct sendmail_opts *o,
    enum sendmail_opts_err *err)
{
	const char *p, *val;

	for (p = arg + 1; *p != '\0'; p++) {
		if (*p == 'q' || *p == 'I') {
			*err = SENDMAIL_OPTS_MODE;
			return -1;
		}
		if (*p == 't')
			o->header_rcpt = 1;
		else if (*p == 'i')
			o->ignore_dots = 1;
		if (strchr(WITH_ARG, *p) == NULL)
			continue;
		val = p[1] != '\0' ? p + 1 : next;
		if (val == NULL) {
			*err = SENDMAIL_OPTS_ARG;
			return -1;
		}
		if (*p == 'b' && strcmp(val, "m") != 0) {
			*err = SENDMAIL_OPTS_MODE;
			return -1;
		}
		if (*p == 'o' && strcmp(val, "i") == 0)
			o->ignore_dots = 1;
		return p[1] != '\0' ? 1 : 2;
	}
	return 1;
}

int
sendmail_opts_parse(int argc, char **argv, struct sendmail_opts *o,
    enum sendmail_opts_err *err)
{
	const char *v = NULL;
	int i, n, used;

	memset(o, 0, sizeof(*o));
	*err = SENDMAIL_OPTS_ENOMEM;
	if ((o->pass = calloc((size_t)argc + 1, sizeof(*o->pass))) == NULL)
		return -1;
	o->npass = 1;
	for (i = 1; i < argc; i += n) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] :
		    NULL;

		o->bad = a;
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			o->pass[o->npass++] = argv[i++];
			break;
		}
		if (strcmp(a, "--dkim") == 0) {
			o->dkim = 1;	/* a flag: no value */
			n = 1;
			continue;
		}
		if (a[1] == '-') {
			if (own(a, "sendmail", next, &v, &used))
				o->program = v;
			else if (own(a, "keys", next, &v, &used))
				o->keys = v;
			else {
				*err = SENDMAIL_OPTS_LONG;
				goto fail;
			}
			if (v == NULL) {
				*err = SENDMAIL_OPTS_ARG;
				goto fail;
			}
			n = 1 + used;
			continue;
		}
		if ((n = cluster(a, next, o, err)) == -1)
			goto fail;
		o->pass[o->npass++] = argv[i];
		if (n == 2)
			o->pass[o->npass++] = argv[i + 1];
	}
	o->bad = NULL;
	o->nrcpt = argc - i;
	for (; i < argc; i++)
		o->pass[o->npass++] = argv[i];
	if (o->nrcpt == 0 && !o->header_rcpt) {
		*err = SENDMAIL_OPTS_NORCPT;
		goto fail;
	}
	*err = SENDMAIL_OPTS_OK;
	return 0;
fail:
	free(o->pass);
	o->pass = NULL;
	return -1;
}

void
sendmail_opts_free(struct sendmail_opts *o)
{
	if (o == NULL)
		return;
	free(o->pass);
	o->pass = NULL;
}

const char *
sendmail_opts_strerror(enum sendmail_opts_err e)
{
	switch (e) {
	case SENDMAIL_OPTS_OK:
		return "no error";
	case SENDMAIL_OPTS_MODE:
		return "only sending a message (-bm) is supported";
	case SENDMAIL_OPTS_ARG:
		return "option requires an argument";
	case SENDMAIL_OPTS_LONG:
		return "unknown option";
	case SENDMAIL_OPTS_NORCPT:
		return "no recipients given and no -t";
	case SENDMAIL_OPTS_ENOMEM:
		return "out of memory";
	}
	return "unknown error";
}

int
sendmail_opts_keypath(const char *keys, const char *env_keys,
    const char *xdg, const char *home, const char *addr, char *out,
    size_t outsz)
{
	const char *dir, *sub = "";
	int n;

	if (addr[0] == '\0' || addr[0] == '.' || strchr(addr, '/') != NULL)
		return -1;
	if (keys != NULL)
		dir = keys;
	else if (env_keys != NULL && env_keys[0] != '\0')
		dir = env_keys;
	else if (xdg != NULL && xdg[0] == '/') {
		dir = xdg;
		sub = "/senderkey/keys";
	} else if (home != NULL && home[0] != '\0') {
		dir = home;
		sub = "/.config/senderkey/keys";
	} else
		return -1;
	n = snprintf(out, outsz, "%s%s/%s.private", dir, sub, addr);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

size_t
sendmail_opts_dot_end(const char *buf, size_t len)
{
	size_t i = 0;
	const char *nl;

	while (i < len) {
		if (buf[i] == '.' && (i + 1 == len || buf[i + 1] == '\n' ||
		    (buf[i + 1] == '\r' && (i + 2 == len ||
		    buf[i + 2] == '\n'))))
			return i;
		if ((nl = memchr(buf + i, '\n', len - i)) == NULL)
			break;
		i = (size_t)(nl - buf) + 1;
	}
	return len;
}

int
sendmail_opts_fields(char *out, size_t outsz, int date, int mid,
    int64_t now, const unsigned char rnd[16], const char *domain, int lf)
{
	const char *eol = lf ? "\n" : "\r\n";
	char when[64];
	struct tm tm;
	time_t t = (time_t)now;
	size_t n = 0;
	int i, w;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (date) {
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S +0000",
		    &tm) == 0)
			return -1;
		w = snprintf(out, outsz, "Date: %s%s", when, eol);
		if (w < 0 || (size_t)w >= outsz)
			return -1;
		n = (size_t)w;
	}
	if (mid) {
		w = snprintf(out + n, outsz - n, "Message-ID: <");
		for (i = 0; i < 16 && w >= 0; i++) {
			n += (size_t)w;
			if (n >= outsz)
				return -1;
			w = snprintf(out + n, outsz - n, "%02x", rnd[i]);
		}
		if (w < 0 || (n += (size_t)w) >= outsz)
			return -1;
		w = snprintf(out + n, outsz - n, "@%s>%s", domain, eol);
		if (w < 0 || (n += (size_t)w) >= outsz)
			return -1;
	}
	return (int)n;
}
