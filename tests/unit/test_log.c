/*
 * test_log: senderkeyd's log sink in foreground mode (stderr), buffered
 * as the running daemon uses it: log_line writes exactly what log_msg
 * with "%.*s" writes (ident prefix, LF turned into a space, one record
 * per line), buffered lines stay in order with unbuffered warnings, and
 * nothing is written before log_flush; log_value's escaping.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolver/log.h"
#include "t.h"

/* capture: stderr to a temp file; returns the saved stderr. */
static int
capture(char *path, size_t pathsz)
{
	int fd, saved;

	snprintf(path, pathsz, "/tmp/sk-test-log.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return saved;
}

/* captured: what stderr got since capture (NUL-terminated, static). */
static const char *
captured(const char *path)
{
	static char buf[8192];
	FILE *fp;
	size_t n = 0;

	fflush(stderr);
	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

static void
release(int saved, const char *path)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	unlink(path);
}

int
main(void)
{
	char path[64], msgout[8192], v[16];
	struct log *lg;
	int saved;

	if ((lg = log_new("skd", 1, LOG_MAIL)) == NULL)
		return 1;
	/* unbuffered: log_msg and log_line write the same text at once */
	if ((saved = capture(path, sizeof(path))) == -1)
		return 1;
	log_msg(lg, LOG_INFO, "%s", "a=1 b=2\nc=3");
	snprintf(msgout, sizeof(msgout), "%s", captured(path));
	release(saved, path);
	T_STREQ(msgout, "skd: a=1 b=2\nc=3\n", "unbuffered log_msg as is");

	/* buffered: nothing before the flush, then the lines in order */
	log_buffer(lg, 1);
	if ((saved = capture(path, sizeof(path))) == -1)
		return 1;
	log_msg(lg, LOG_INFO, "conn=%d verdict=%s", 7, "untrusted");
	log_line(lg, LOG_INFO, "conn=8 verdict=tempfail", 23);
	log_line(lg, LOG_INFO, "x=1\ny=2 and more", 7);	/* LEN counts */
	T_STREQ(captured(path), "", "buffered: nothing written before "
	    "log_flush");
	log_flush(lg);
	T_STREQ(captured(path), "skd: conn=7 verdict=untrusted\n"
	    "skd: conn=8 verdict=tempfail\nskd: x=1 y=2\n",
	    "log_flush: log_msg and log_line lines, in order, one per "
	    "record (LF made a space)");
	release(saved, path);

	/* a warning goes out at once, after what is buffered */
	if ((saved = capture(path, sizeof(path))) == -1)
		return 1;
	log_line(lg, LOG_INFO, "first", 5);
	log_msg(lg, LOG_WARNING, "second");
	T_STREQ(captured(path), "skd: first\nskd: second\n",
	    "a warning flushes the buffered lines first");
	log_line(lg, LOG_DEBUG, "third", 5);
	log_buffer(lg, 0);
	T_STREQ(captured(path), "skd: first\nskd: second\nskd: third\n",
	    "log_buffer(0) writes the rest");
	release(saved, path);

	/* log_line and log_msg agree on a long line */
	{
		char big[3000];

		memset(big, 'q', sizeof(big));
		log_buffer(lg, 1);
		if ((saved = capture(path, sizeof(path))) == -1)
			return 1;
		log_msg(lg, LOG_INFO, "%.*s", (int)sizeof(big), big);
		log_line(lg, LOG_INFO, big, sizeof(big));
		log_flush(lg);
		snprintf(msgout, sizeof(msgout), "%s", captured(path));
		release(saved, path);
		T_OK(strlen(msgout) == 2 * (5 + sizeof(big) + 1) &&
		    memcmp(msgout, msgout + 5 + sizeof(big) + 1,
		    5 + sizeof(big) + 1) == 0,
		    "a 3000-octet line: log_line writes what log_msg writes");
		log_buffer(lg, 0);
	}

	/* log_value */
	T_STREQ(log_value(NULL, v, sizeof(v)), "-", "log_value NULL: -");
	T_STREQ(log_value("", v, sizeof(v)), "-", "log_value empty: -");
	T_STREQ(log_value("a b%\"c", v, sizeof(v)), "a%20b%25%22c",
	    "log_value escapes space, %% and \"");
	T_STREQ(log_value("abcdefghijklmnopqrstuvwxyz", v, sizeof(v)),
	    "abcdefghijklmno", "log_value truncates to fit");
	T_STREQ(log_value("", v, 1), "", "log_value: one octet holds the NUL");
	log_free(lg);
	log_free(NULL);
	return t_done();
}
