/*
 * senderkeyd: the daemon's main: options, config, sockets (unix with
 * owner/group/mode, loopback TCP, systemd socket activation), daemonising
 * with a readiness pipe, privileges, the lookup context (created after
 * the fork), the start-up validation check, the recipient policy store
 * (opened read-only after the privilege drop, polled once a second),
 * sd_notify, signals (SIGHUP reloads config and store, SIGTERM/SIGINT
 * stop) and the loop.  Requests are server.c's and server_req.c's.  The
 * configuration is checked by core/startcheck.c before anything is made,
 * for -n and for a start alike; a start refused later removes the
 * sockets, directories and pid file it made.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/crypto.h>

#include "lib/config.h"
#include "lib/service.h"
#include "core/lookup.h"
#include "core/startcheck.h"
#include "core/store.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "server.h"
#include "daemon.h"
#include "reload.h"
#include "storecopy.h"
#include "storefeed.h"
#include "uentry.h"

#define UENTRY_POLL_MS	1000	/* a user entry change is seen within this */
#define STATS_WRITE_MS	10000	/* StatsFile is rewritten this often */
/*
 * Descriptors beside the connections: listeners, the epoll, signal and
 * timer descriptors, libunbound's sockets and pipes, the log, the store
 * with its -wal and -shm, the StatsFile being written.
 */
#define NOFILE_RESERVE	64

static const struct option longopts[] = {
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "check",	no_argument,		NULL, 'n' },
	{ "config",	required_argument,	NULL, 'x' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

/* usage: the help on stdout (exit 0), or the usage line on stderr (64). */
static void
usage(int help)
{
	if (!help) {
		fprintf(stderr, "usage: senderkeyd [-fhnV] [-x CONFIG]\n");
		exit(EX_USAGE);
	}
	printf("usage: senderkeyd [-fhnV] [-x CONFIG]\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -n, --check         check the configuration as a start "
	    "would, then exit\n"
	    "  -x, --config FILE   the configuration (default %s)\n"
	    "  -h, --help          this help\n"
	    "  -V, --version       the version and the libraries'\n",
	    CONFIG_DEFAULT_PATH);
	exit(0);
}

static void
versions(void)
{
	printf("senderkeyd %s\n", SENDERKEY_VERSION);
	printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
	printf("ldns %s\n", ldns_version());
	printf("libunbound %s\n", lookup_version());
}

/*
 * undo_start: what a refused start made goes again: the sockets (and
 * the directories made for them), the pid file.
 */
static void
undo_start(struct daemon *d)
{
	int i;

	service_pid_remove(d->pid);	/* first: it may be in their dir */
	for (i = 2; i >= 0; i--) {
		service_unix_undo(d->socks[i]);
		service_unix_free(d->socks[i]);
		d->socks[i] = NULL;
	}
}

/*
 * fail: report a start-up error (to the waiting parent too), undo what
 * the start made and exit.
 */
static void fatal(struct daemon *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
fatal(struct daemon *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	undo_start(d);
	if (d->ready_fd != -1) {
		if (write(d->ready_fd, msg, strlen(msg)) == -1)
			_exit(1);
		_exit(1);
	}
	fprintf(stderr, "senderkeyd: %s\n", msg);
	if (d->log != NULL && !d->foreground)
		log_msg(d->log, LOG_ERR, "%s", msg);
	exit(1);
}

/*
 * listen_unix: the socket CL names, made by service.c: bound in a private
 * directory, given its owner (SocketOwner, else User), group and mode
 * there and renamed into place, so root never changes a file through a
 * name the daemon's user could have swapped.
 */
static int
listen_unix(struct daemon *d, const struct config_listen *cl, int idx)
{
	const struct config *cfg = d->cfg;
	const char *group = idx == 2 && cfg->client_socket_group != NULL ?
	    cfg->client_socket_group : cfg->socket_group;	/* Dovecot's */
	struct service_sockopt o;
	char err[512];
	int fd;

	o.uid = (uid_t)-1;
	o.gid = (gid_t)-1;
	o.mode = cfg->socket_mode != 0 ? cfg->socket_mode : 0660;
	o.mkparent = 1;
	if ((cfg->socket_owner != NULL || cfg->user != NULL) &&
	    service_user(cfg->socket_owner != NULL ? cfg->socket_owner :
	    cfg->user, &o.uid, NULL, err, sizeof(err)) == -1)
		fatal(d, "%s", err);
	if (group != NULL &&
	    service_group(group, &o.gid, err, sizeof(err)) == -1)
		fatal(d, "%s", err);
	if ((fd = service_unix_listen(cl->path, &o, 1024, &d->socks[idx], err,
	    sizeof(err))) == -1)
		fatal(d, "%s", err);
	return fd;
}

static int
listen_inet(struct daemon *d, const struct config_listen *cl)
{
	char err[512];
	int fd;

	if ((fd = service_inet_listen(cl->spec, cl->host, cl->port, 1024, err,
	    sizeof(err))) == -1)
		fatal(d, "%s", err);
	return fd;
}

static void
add_socket(struct daemon *d, int fd, enum server_proto p)
{
	if (d->nfds >= MAX_SOCKETS)
		fatal(d, "too many sockets");
	d->fds[d->nfds] = fd;
	d->protos[d->nfds++] = p;
}

/* systemd: LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES.  Returns 1 if used. */
static int
socket_activation(struct daemon *d)
{
	const char *pid = getenv("LISTEN_PID"), *nfd = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	char *list = NULL, *name, *save = NULL;
	long n, i;

	if (pid == NULL || nfd == NULL || atol(pid) != (long)getpid())
		return 0;
	n = atol(nfd);
	if (n <= 0 || n > MAX_SOCKETS)
		return 0;
	if (names != NULL && (list = strdup(names)) == NULL)
		fatal(d, "out of memory");
	name = list != NULL ? strtok_r(list, ":", &save) : NULL;
	for (i = 0; i < n; i++) {
		fcntl(3 + (int)i, F_SETFD, FD_CLOEXEC);
		fcntl(3 + (int)i, F_SETFL, O_NONBLOCK);
		add_socket(d, 3 + (int)i, name == NULL ? SERVER_LINE : strcmp(name,
		    "policy") == 0 ? SERVER_POLICY : strcmp(name, "client") ==
		    0 ? SERVER_CLIENT : SERVER_LINE);
		name = list != NULL ? strtok_r(NULL, ":", &save) : NULL;
	}
	free(list);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 1;
}

/* activated: systemd passes this process its sockets. */
static int
activated(void)
{
	const char *pid = getenv("LISTEN_PID"), *nfd = getenv("LISTEN_FDS");

	return pid != NULL && nfd != NULL && atol(pid) == (long)getpid() &&
	    atol(nfd) > 0 && atol(nfd) <= MAX_SOCKETS;
}

/*
 * check_config: core/startcheck.c's checks, the same for -n (CHECK) and
 * a start: every message on stderr; errors end the process (exit 1)
 * before anything is made.  With CHECK and no error: "FILE: ok".
 */
static void
check_config(struct daemon *d, int check)
{
	struct startcheck *sc;

	if ((sc = startcheck_new(d->cfg)) == NULL) {
		fprintf(stderr, "senderkeyd: out of memory\n");
		exit(1);
	}
	startcheck_senderkeyd(sc, activated());
	startcheck_print(sc, stderr, "senderkeyd");
	if (startcheck_errors(sc) > 0) {
		startcheck_free(sc);
		config_free(d->cfg);
		exit(1);
	}
	startcheck_free(sc);
	if (check) {
		printf("%s: ok\n", d->cfg->file != NULL ? d->cfg->file :
		    "(defaults)");
		config_free(d->cfg);
		exit(0);
	}
}

static void
open_sockets(struct daemon *d)
{
	const struct config_listen *cl[3] = { &d->cfg->socket,
	    &d->cfg->policy_socket, &d->cfg->client_socket };	/* unix only */
	static const enum server_proto p[3] = { SERVER_LINE, SERVER_POLICY,
	    SERVER_CLIENT };
	int i;

	if (socket_activation(d))
		return;
	for (i = 0; i < 3; i++) {
		if (i == 2 && d->nfds == 0)
			fatal(d, "no Socket and no PolicySocket configured");
		if (cl[i]->kind == CONFIG_LISTEN_UNIX)
			add_socket(d, listen_unix(d, cl[i], i), p[i]);
		else if (cl[i]->kind == CONFIG_LISTEN_INET)
			add_socket(d, listen_inet(d, cl[i]), p[i]);
	}
}

static void
drop_privileges(struct daemon *d)
{
	char err[512];

	if (d->cfg->user != NULL && service_drop(d->cfg->user, err,
	    sizeof(err)) == -1)
		fatal(d, "%s", err);
}

/*
 * close_inherited: close every descriptor above stderr that the daemon
 * did not open (a shell's or a supervisor's pipes, files), except those
 * systemd passes (LISTEN_FDS for this pid, from 3).  An inherited pipe
 * would keep its reader waiting for an EOF for as long as the daemon
 * runs, and an inherited file is access the User was never given.
 */
static void
close_inherited(void)
{
	const char *pid = getenv("LISTEN_PID"), *nfd = getenv("LISTEN_FDS");
	long keep = 0;
	int fd, max;

	if (pid != NULL && nfd != NULL && atol(pid) == (long)getpid()) {
		keep = atol(nfd);
		if (keep < 0 || keep > MAX_SOCKETS)
			keep = 0;
	}
	if (close_range(3 + (unsigned)keep, ~0U, 0) == 0)
		return;
	max = (int)sysconf(_SC_OPEN_MAX);
	for (fd = 3 + (int)keep; fd < max && fd < 65536; fd++)
		(void)close(fd);
}

/*
 * raise_nofile: make room for MaxConnections descriptors.  The soft
 * limit is raised to what the cap needs (up to the hard limit; as root
 * the hard limit too).  Runs before the privilege drop.  A limit still
 * too low is logged: connections past it are refused at EMFILE (server.c
 * keeps a spare descriptor to accept and close them) before the cap.
 */
static void
raise_nofile(struct daemon *d)
{
	struct rlimit rl, want;
	rlim_t need = (rlim_t)d->cfg->max_connections + NOFILE_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= need)
		return;
	want.rlim_cur = need;
	want.rlim_max = rl.rlim_max > need ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &want) == -1 &&
	    rl.rlim_max > rl.rlim_cur) {
		want.rlim_cur = rl.rlim_max;	/* as far as we may */
		want.rlim_max = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &want);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need)
		log_msg(d->log, LOG_WARNING, "MaxConnections %u needs %llu "
		    "descriptors but the limit is %llu: connections past "
		    "about %llu are refused",
		    d->cfg->max_connections, (unsigned long long)need,
		    (unsigned long long)rl.rlim_cur,
		    (unsigned long long)(rl.rlim_cur > NOFILE_RESERVE ?
		    rl.rlim_cur - NOFILE_RESERVE : 0));
}

/* daemonise: fork; the parent waits for "ok" or an error on a pipe. */
static void
daemonise(struct daemon *d)
{
	char buf[1024];
	ssize_t n;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal(d, "pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		fatal(d, "fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		n = read(p[0], buf, sizeof(buf) - 1);
		if (n == 2 && memcmp(buf, "ok", 2) == 0)
			_exit(0);
		if (n <= 0)
			snprintf(buf, sizeof(buf), "the daemon died at start");
		else
			buf[n] = '\0';
		fprintf(stderr, "senderkeyd: %s\n", buf);
		_exit(1);
	}
	close(p[0]);
	d->ready_fd = p[1];
	setsid();
	if (chdir("/") == -1)
		fatal(d, "chdir /: %s", strerror(errno));
	if ((n = open("/dev/null", O_RDWR)) != -1) {
		dup2((int)n, 0);
		dup2((int)n, 1);
		dup2((int)n, 2);
		if (n > 2)
			close((int)n);
	}
}

/*
 * write_pidfile: PidFile, by service.c: as root before the drop when its
 * directory is root's alone, else as User after it (called at both
 * points; it writes once).  Never through a link.
 */
static void
write_pidfile(struct daemon *d)
{
	char err[512];
	uid_t uid = (uid_t)-1;

	if (d->cfg->pid_file == NULL)
		return;
	if (d->pid == NULL) {
		if (d->cfg->user != NULL && service_user(d->cfg->user, &uid,
		    NULL, err, sizeof(err)) == -1)
			fatal(d, "%s", err);
		if ((d->pid = service_pid_new(d->cfg->pid_file, uid, err,
		    sizeof(err))) == NULL)
			fatal(d, "%s", err);
	}
	if (service_pid_write(d->pid, getpid(), err, sizeof(err)) == -1)
		fatal(d, "%s", err);
}

static void
start_lookup(struct daemon *d)
{
	struct lookup_opts o;
	struct lookup_answer *a = NULL;
	char err[512];

	memset(&o, 0, sizeof(o));
	o.trust_anchor_file = d->cfg->trust_anchor_file;
	o.unbound_config = d->cfg->unbound_config;
	o.forwarders = (const char *const *)d->cfg->forwarders;
	o.nforwarders = d->cfg->nforwarders;
	o.timeout_ms = d->cfg->dns_timeout_ms;
	/* CacheMaxTTL bounds libunbound's caches too (verdicts.md 2.4). */
	o.bound_cache = 1;
	o.cache_max_ttl = d->cfg->cache_max_ttl;
	if ((d->lk = lookup_new(&o, err, sizeof(err))) == NULL)
		fatal(d, "%s", err);
	/* The root is signed: its TXT must validate as secure NODATA. */
	if (lookup_sync(d->lk, ".", LOOKUP_POLICY, &a) == -1)
		fatal(d, "the validation check could not run");
	if (a->state == LOOKUP_BOGUS || a->state == LOOKUP_INSECURE) {
		char why[256];

		snprintf(why, sizeof(why), "%s: %s",
		    lookup_state_name(a->state), a->reason != NULL ?
		    a->reason : "-");
		lookup_answer_free(a);
		fatal(d, "DNSSEC validation does not work (the root zone is "
		    "%s); check TrustAnchorFile", why);
	}
	if (a->state == LOOKUP_TEMPFAIL)
		log_msg(d->log, LOG_WARNING, "start-up validation check: "
		    "DNS unreachable (%s); answering tempfail until it is",
		    a->reason != NULL ? a->reason : "-");
	lookup_answer_free(a);
}

/*
 * open_journal: the decision journal of the PolicyStore (specs/store.md
 * 6), when there is a store and JournalDays is not 0.  One that cannot
 * be opened is logged once and the daemon runs without it.
 */
static void
open_journal(struct daemon *d)
{
	char path[PATH_MAX], err[STORE_ERR_MAX];

	if (d->store == NULL || d->cfg->journal_days == 0)
		return;
	if (store_journal_path(d->cfg->policy_store, d->cfg->journal_file,
	    path, sizeof(path)) == -1) {
		log_msg(d->log, LOG_ERR, "journal off: %s",
		    store_is_pg(d->cfg->policy_store) ? "a PostgreSQL "
		    "PolicyStore needs a JournalFile" : "its path is too long");
		return;
	}
	if ((d->journal = journal_new(d->loop, d->log, path,
	    d->cfg->journal_days, d->cfg->journal_max_rows,
	    d->cfg->journal_rcpt_rows, d->cfg->journal_flush_ms, err,
	    sizeof(err))) == NULL) {
		log_msg(d->log, LOG_ERR, "journal off: %s", err);
		return;
	}
	server_set_journal(d->srv, d->journal);
	log_msg(d->log, LOG_INFO, "journal: path=%s days=%u max_rows=%llu "
	    "flush_ms=%u", path, d->cfg->journal_days,
	    (unsigned long long)d->cfg->journal_max_rows,
	    d->cfg->journal_flush_ms);
	d->uentry = uentry_new(path, d->cfg->user_entries, d->store, d->log);
	server_set_uentry(d->srv, d->uentry);
}

static void
on_poll(void *arg)
{
	struct daemon *d = arg;

	uentry_poll(d->uentry);
	storecopy_log(d->copy, d->log);
	if (loop_timer_set(d->poll, UENTRY_POLL_MS) == -1)
		log_msg(d->log, LOG_ERR, "user entries: cannot re-arm the "
		    "poll timer; changes are seen at SIGHUP only");
}

/*
 * write_stats: the Prometheus textfile (StatsFile), when configured.  A
 * failure is logged once until it changes or goes away.
 */
static void
write_stats(struct daemon *d)
{
	char err[256];

	if (d->cfg->stats_file == NULL)
		return;
	err[0] = '\0';
	if (server_stats_write(d->srv, d->cfg->stats_file, err,
	    sizeof(err)) == 0) {
		if (d->stats_err[0] != '\0')
			log_msg(d->log, LOG_INFO, "StatsFile %s written again",
			    d->cfg->stats_file);
		d->stats_err[0] = '\0';
		return;
	}
	if (strcmp(err, d->stats_err) != 0)
		log_msg(d->log, LOG_ERR, "StatsFile: %s", err);
	snprintf(d->stats_err, sizeof(d->stats_err), "%s", err);
}

static void
on_stats(void *arg)
{
	struct daemon *d = arg;

	write_stats(d);
	if (loop_timer_set(d->stats, STATS_WRITE_MS) == -1)
		log_msg(d->log, LOG_ERR, "StatsFile: cannot re-arm its timer");
}

static void
on_signal(void *arg, int signo)
{
	struct daemon *d = arg;

	if (signo == SIGTERM || signo == SIGINT) {
		log_msg(d->log, LOG_INFO, "stopping (signal %d)", signo);
		loop_stop(d->loop);
	} else if (signo == SIGHUP)
		reload_config(d);
}

int
main(int argc, char **argv)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	struct daemon d;
	char err[CONFIG_ERR_MAX];
	int ch, check = 0;
	size_t i;

	close_inherited();
	memset(&d, 0, sizeof(d));
	d.ready_fd = -1;
	while ((ch = getopt_long(argc, argv, "fnVx:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			d.foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'V':
			versions();
			return 0;
		case 'x':
			d.cfgpath = optarg;
			break;
		case 'h':
			usage(1);
			break;
		default:
			usage(0);
		}
	}
	if (optind != argc)
		usage(0);
	if (config_load(d.cfgpath, &d.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkeyd: %s\n", err);
		return 1;
	}
	check_config(&d, check);
	if ((d.loop = loop_new()) == NULL)
		fatal(&d, "cannot create the event loop");
	open_sockets(&d);
	if (!d.foreground)
		daemonise(&d);
	if ((d.log = log_new("senderkeyd", d.foreground,
	    d.cfg->syslog_facility)) == NULL)
		fatal(&d, "out of memory");
	write_pidfile(&d);	/* as root, if its directory is root's */
	raise_nofile(&d);
	drop_privileges(&d);
	write_pidfile(&d);	/* as User, if not written yet */
	/* as the daemon's User: what it cannot read, it must not serve */
	if (storefeed_load(d.cfg, d.log, &d.store, &d.reader, &d.loaded, err,
	    sizeof(err)) == -1)
		fatal(&d, "%s; refusing to start (a missing, unreadable or "
		    "corrupt store is never \"no rules\")", err);
	/* before libunbound starts its thread: it must not get signals */
	if (loop_signals(d.loop, sigs, 3, on_signal, &d) == -1)
		fatal(&d, "signalfd: %s", strerror(errno));
	start_lookup(&d);
	if ((d.srv = server_new(d.loop, d.lk, NULL, NULL, d.log,
	    d.cfg)) == NULL)
		fatal(&d, "out of memory");
	server_set_store(d.srv, d.store);
	reload_start_feed(&d);
	open_journal(&d);
	if ((d.poll = loop_timer_new(d.loop, on_poll, &d)) == NULL ||
	    loop_timer_set(d.poll, UENTRY_POLL_MS) == -1 ||
	    (d.stats = loop_timer_new(d.loop, on_stats, &d)) == NULL ||
	    loop_timer_set(d.stats, STATS_WRITE_MS) == -1)
		fatal(&d, "out of memory");
	write_stats(&d);
	for (i = 0; i < d.nfds; i++)
		if (server_listen(d.srv, d.fds[i], d.protos[i]) == -1)
			fatal(&d, "cannot watch a listening socket");
	log_msg(d.log, LOG_INFO, "started: version=%s sockets=%zu "
	    "dns_timeout_ms=%u policy_store=%s rules=%zu default_mode=%s",
	    SENDERKEY_VERSION, d.nfds, d.cfg->dns_timeout_ms,
	    d.cfg->policy_store != NULL ? d.cfg->policy_store : "-",
	    d.store != NULL ? store_count(d.store) : 0,
	    verdict_mode_name(reload_mode_of(d.cfg)));
	if (service_notify_ready(err, sizeof(err)) == -1)
		log_msg(d.log, LOG_WARNING, "sd_notify: %s", err);
	if (d.ready_fd != -1) {
		if (write(d.ready_fd, "ok", 2) == -1)
			log_msg(d.log, LOG_WARNING, "readiness pipe: %s",
			    strerror(errno));
		close(d.ready_fd);
		d.ready_fd = -1;
	}
	if (loop_run(d.loop) == -1)
		log_msg(d.log, LOG_ERR, "event loop: %s", strerror(errno));
	write_stats(&d);
	reload_drop(&d, "stopping");
	server_set_journal(d.srv, NULL);
	server_set_uentry(d.srv, NULL);
	server_set_feed(d.srv, NULL);
	storefeed_free(d.feed);
	storecopy_free(d.copy);
	uentry_free(d.uentry);
	journal_free(d.journal);
	server_free(d.srv);
	loop_timer_free(d.poll);
	loop_timer_free(d.stats);
	store_free(d.store);
	lookup_free(d.lk);
	for (i = 0; i < 3; i++) {
		service_unix_remove(d.socks[i]);
		service_unix_free(d.socks[i]);
	}
	service_pid_remove(d.pid);
	service_pid_free(d.pid);
	loop_free(d.loop);
	log_free(d.log);
	config_free(d.cfg);
	return 0;
}
