/*
 * startcheck.c: the start-up checks of both daemons (startcheck.h).  The
 * checks a daemon makes as root before binding run here as they are; the
 * ones it makes as User after the drop run in a child that drops to User
 * first (when started as root), whose messages come back on a pipe.
 * Nothing is created, bound or written.  Not here: the KeyTable (the
 * milter's own module loads it).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "lib/service.h"
#include "lookup.h"
#include "startcheck.h"
#include "store.h"

#define MSG_MAX		1024	/* octets per message */
#define PRIV_NAME_LEN	14	/* "/.skXXXXXXXX/s", service.c's */

struct startcheck {
	const struct config	*cfg;
	char			**msgs;	/* "E...": error, "W...": warning */
	size_t			 n;
	size_t			 nerr;
};

struct startcheck *
startcheck_new(const struct config *cfg)
{
	struct startcheck *sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	sc->cfg = cfg;
	return sc;
}

void
startcheck_free(struct startcheck *sc)
{
	size_t i;

	if (sc == NULL)
		return;
	for (i = 0; i < sc->n; i++)
		free(sc->msgs[i]);
	free(sc->msgs);
	free(sc);
}

/* add_raw: MSG as it is, with its kind octet ('E' or 'W') first. */
static void
add_raw(struct startcheck *sc, const char *msg)
{
	char **nm;
	char *m;

	if ((nm = reallocarray(sc->msgs, sc->n + 1, sizeof(*nm))) == NULL)
		goto nomem;
	sc->msgs = nm;
	if ((m = strdup(msg)) == NULL)
		goto nomem;
	sc->msgs[sc->n++] = m;
	if (m[0] == 'E')
		sc->nerr++;
	return;
nomem:
	sc->nerr++;	/* never "ok" for a check that was not reported */
}

void
startcheck_add(struct startcheck *sc, int warn, const char *name,
    const char *fmt, ...)
{
	const char *file = sc->cfg->file != NULL ? sc->cfg->file :
	    "(defaults)";
	char text[MSG_MAX], msg[MSG_MAX + 256];
	unsigned line = name != NULL ? config_line(sc->cfg, name) : 0;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (i = 0; text[i] != '\0'; i++)
		if (text[i] == '\n')
			text[i] = ' ';
	if (name == NULL)
		snprintf(msg, sizeof(msg), "%c%s: %s%s", warn ? 'W' : 'E',
		    file, warn ? "warning: " : "", text);
	else if (line != 0)
		snprintf(msg, sizeof(msg), "%c%s:%u: %s%s: %s", warn ? 'W' :
		    'E', file, line, warn ? "warning: " : "", name, text);
	else
		snprintf(msg, sizeof(msg), "%c%s: %s%s (default): %s", warn ?
		    'W' : 'E', file, warn ? "warning: " : "", name, text);
	add_raw(sc, msg);
}

size_t
startcheck_errors(const struct startcheck *sc)
{
	return sc->nerr;
}

void
startcheck_print(const struct startcheck *sc, FILE *f, const char *prog)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		fprintf(f, "%s: %s\n", prog, sc->msgs[i] + 1);
	if (sc->nerr > 1)
		fprintf(f, "%s: %s: %zu errors; not started\n", prog,
		    sc->cfg->file != NULL ? sc->cfg->file : "(defaults)",
		    sc->nerr);
}

/* --- as User ------------------------------------------------------------ */

/*
 * as_user: FN(SC) as USER: in a child that dropped to USER when this
 * process is root and USER another user, else here.  The child's
 * messages come back one a line.
 */
static void
as_user(struct startcheck *sc, const char *user,
    void (*fn)(struct startcheck *))
{
	char err[512], buf[MSG_MAX + 512], *nl;
	uid_t uid = 0;
	gid_t gid = 0;
	FILE *in;
	pid_t pid;
	int p[2], st;
	size_t i;

	if (user == NULL || geteuid() != 0 || service_user(user, &uid, &gid,
	    err, sizeof(err)) == -1 || uid == 0) {
		fn(sc);
		return;
	}
	fflush(NULL);
	if (pipe(p) == -1 || (pid = fork()) == -1) {
		startcheck_add(sc, 0, "User", "cannot check as %s: %s", user,
		    strerror(errno));
		return;
	}
	if (pid == 0) {
		struct startcheck *c = startcheck_new(sc->cfg);
		FILE *out;

		close(p[0]);
		if ((out = fdopen(p[1], "w")) == NULL || c == NULL)
			_exit(1);
		if (service_drop(user, err, sizeof(err)) == -1)
			startcheck_add(c, 0, "User", "%s", err);
		else
			fn(c);
		for (i = 0; i < c->n; i++)
			fprintf(out, "%s\n", c->msgs[i]);
		_exit(fclose(out) == 0 && c->n >= c->nerr ? 0 : 1);
	}
	close(p[1]);
	if ((in = fdopen(p[0], "r")) == NULL)
		close(p[0]);
	while (in != NULL && fgets(buf, sizeof(buf), in) != NULL) {
		if ((nl = strchr(buf, '\n')) != NULL)
			*nl = '\0';
		if (buf[0] == 'E' || buf[0] == 'W')
			add_raw(sc, buf);
	}
	if (in != NULL)
		fclose(in);
	st = -1;
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		startcheck_add(sc, 0, "User", "the checks as %s did not "
		    "complete", user);
}

/* anchor_parse: PATH holds DS or DNSKEY records; 0, or -1 with WHY. */
static int
anchor_parse(const char *path, char *why, size_t whysz)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	ldns_status s;
	ldns_rr *rr;
	uint32_t ttl = 3600;
	int line = 0, n = 0, rc = -1;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whysz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!feof(f)) {
		rr = NULL;
		s = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (s == LDNS_STATUS_SYNTAX_EMPTY ||
		    s == LDNS_STATUS_SYNTAX_TTL ||
		    s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (s != LDNS_STATUS_OK) {
			snprintf(why, whysz, "%s:%d: not a trust anchor: %s",
			    path, line, ldns_get_errorstr_by_id(s));
			goto done;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DS ||
		    ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY)
			n++;
		ldns_rr_free(rr);
	}
	if (n == 0) {
		snprintf(why, whysz, "%s: no DS or DNSKEY record in it", path);
		goto done;
	}
	rc = 0;
done:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
	return rc;
}

/*
 * writable_file: PATH (of directive NAME) can be created or written: its
 * directory exists and we may write in it, and PATH is no other kind of
 * file.  WARN: report as a warning (the start goes on without it).
 */
static void
writable_file(struct startcheck *sc, int warn, const char *name,
    const char *path)
{
	struct stat sb;
	char *dir, *slash;

	if ((dir = strdup(path)) == NULL) {
		startcheck_add(sc, 0, name, "out of memory");
		return;
	}
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	if (stat(dir, &sb) == -1)
		startcheck_add(sc, warn, name, "%s: its directory %s: %s", path,
		    dir, strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		startcheck_add(sc, warn, name, "%s: %s is not a directory",
		    path, dir);
	else if (access(dir, W_OK | X_OK) == -1)
		startcheck_add(sc, warn, name, "%s: cannot write in %s: %s",
		    path, dir, strerror(errno));
	else if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		startcheck_add(sc, warn, name, "%s exists and is not a regular "
		    "file", path);
	free(dir);
}

/*
 * check_store: CFG's PolicyStore can be read whole (or, a PostgreSQL
 * server out of reach, PolicyStoreCopy can: a warning, the daemon starts
 * from it; or PolicyStoreUnreachable is tempfail: a warning, it starts
 * without rules), and its journal file written (a warning: it is turned
 * off).
 */
static void
check_store(struct startcheck *sc, const struct config *cfg)
{
	enum verdict_mode mode = cfg->default_mode == CONFIG_MODE_DENY ?
	    VM_DENY : VM_ALLOW;
	enum store_err e = STORE_OK;
	struct store_pos pos;
	struct store *st;
	char why[512], cwhy[256], jpath[PATH_MAX];
	int64_t at;

	cwhy[0] = '\0';
	if ((st = store_load(cfg->policy_store, cfg->policy_store_passfile,
	    mode, &e, why, sizeof(why))) == NULL && e == STORE_EUNAVAIL &&
	    cfg->policy_store_copy != NULL) {
		if ((st = store_copy_load(cfg->policy_store_copy, mode, &pos,
		    &at, NULL, cwhy, sizeof(cwhy))) != NULL) {
			startcheck_add(sc, 1, "PolicyStore", "%s; the daemon "
			    "starts from PolicyStoreCopy %s", why,
			    cfg->policy_store_copy);
			goto journal;
		}
	}
	if (st == NULL && e == STORE_EUNAVAIL && cfg->policy_store_tempfail)
		startcheck_add(sc, 1, "PolicyStore", "%s%s%s%s; the daemon "
		    "starts without rules (PolicyStoreUnreachable tempfail): "
		    "every recipient gets a temporary failure until the store "
		    "is read", why, cwhy[0] != '\0' ? "; PolicyStoreCopy " :
		    "", cwhy[0] != '\0' ? cfg->policy_store_copy : "",
		    cwhy[0] != '\0' ? ": unreadable" : "");
	else if (st == NULL && cwhy[0] != '\0')
		startcheck_add(sc, 0, "PolicyStore", "%s; PolicyStoreCopy %s: "
		    "%s", why, cfg->policy_store_copy, cwhy);
	else if (st == NULL)
		startcheck_add(sc, 0, "PolicyStore", "%s%s%s",
		    strstr(why, cfg->policy_store) == why ? "" :
		    cfg->policy_store, strstr(why, cfg->policy_store) ==
		    why ? "" : ": ", why);
journal:
	/* a journal that cannot be written is turned off, not refused;
	 * without its store there is none to check */
	if (st != NULL && cfg->journal_days > 0 &&
	    store_journal_path(cfg->policy_store, cfg->journal_file, jpath,
	    sizeof(jpath)) == 0)
		writable_file(sc, 1, "JournalFile", jpath);
	store_free(st);
}

/* user_files: what senderkeyd reads or writes as User. */
static void
user_files(struct startcheck *sc)
{
	const struct config *cfg = sc->cfg;
	struct lookup_opts o;
	struct lookup *lk;
	char why[768];
	int anchor_ok;

	anchor_ok = anchor_parse(cfg->trust_anchor_file, why,
	    sizeof(why)) == 0;
	if (!anchor_ok)
		startcheck_add(sc, 0, "TrustAnchorFile", "%s", why);
	memset(&o, 0, sizeof(o));
	o.trust_anchor_file = cfg->trust_anchor_file;
	o.unbound_config = cfg->unbound_config;
	o.forwarders = (const char *const *)cfg->forwarders;
	o.nforwarders = cfg->nforwarders;
	if (anchor_ok && (lk = lookup_new(&o, why, sizeof(why))) == NULL)
		startcheck_add(sc, 0, strncmp(why, "forwarder", 9) == 0 ?
		    "Forwarders" : strncmp(why, "unbound", 7) == 0 ?
		    "UnboundConfig" : "TrustAnchorFile", "%s", why);
	else if (anchor_ok)
		lookup_free(lk);
	if (cfg->policy_store != NULL)
		check_store(sc, cfg);
	if (cfg->stats_file != NULL)
		writable_file(sc, 0, "StatsFile", cfg->stats_file);
	/* LearnOutbound writes user entries: they need the journal file */
	if (cfg->learn_outbound && (cfg->policy_store == NULL ||
	    cfg->journal_days == 0))
		startcheck_add(sc, 1, "LearnOutbound", "nothing will be "
		    "learned: user entries live in the journal file, and there "
		    "is none (%s)", cfg->policy_store == NULL ?
		    "no PolicyStore" : "JournalDays 0");
}

/* --- sockets ------------------------------------------------------------ */

/*
 * check_unix: a socket can be made at L's path the way service.c makes
 * it: its directory exists (or, MKPARENT, can be made), we may write it,
 * the path is no other kind of file, the private bind path fits; warn
 * when GROUP ((gid_t)-1: none) could not reach the socket.
 */
static void
check_unix(struct startcheck *sc, const char *name,
    const struct config_listen *l, int mkparent, gid_t group)
{
	struct sockaddr_un sun;
	struct stat sb;
	char *dir, *slash;
	size_t max;

	if ((dir = strdup(l->path)) == NULL) {
		startcheck_add(sc, 0, name, "out of memory");
		return;
	}
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	max = sizeof(sun.sun_path) - 1 - PRIV_NAME_LEN;
	if (strlen(dir) > max)
		startcheck_add(sc, 0, name, "%s: path too long: its directory "
		    "may have at most %zu octets", l->path, max);
	if (lstat(l->path, &sb) == 0 && !S_ISSOCK(sb.st_mode))
		startcheck_add(sc, 0, name, "%s exists and is not a socket",
		    l->path);
	if (stat(dir, &sb) == -1) {
		int e = errno;
		char *up = strdup(dir), *s2;

		if (e == ENOENT && mkparent && up != NULL &&
		    (s2 = strrchr(up, '/')) != NULL) {
			s2[s2 == up ? 1 : 0] = '\0';
			if (stat(up, &sb) == -1 ||
			    access(up, W_OK | X_OK) == -1)
				startcheck_add(sc, 0, name, "%s: cannot create "
				    "its directory %s: %s: %s", l->path, dir,
				    up, strerror(errno));
			else if (!S_ISDIR(sb.st_mode))
				startcheck_add(sc, 0, name, "%s: cannot create "
				    "its directory %s: %s is not a directory",
				    l->path, dir, up);
		} else
			startcheck_add(sc, 0, name, "%s: its directory %s: "
			    "%s%s", l->path, dir, strerror(e), e == ENOENT ?
			    " (it is not created at start)" : "");
		free(up);
	} else if (!S_ISDIR(sb.st_mode))
		startcheck_add(sc, 0, name, "%s: %s is not a directory",
		    l->path, dir);
	else if (access(dir, W_OK | X_OK) == -1)
		startcheck_add(sc, 0, name, "%s: cannot make a socket in %s: "
		    "%s", l->path, dir, strerror(errno));
	else if (group != (gid_t)-1 && (sb.st_mode & S_IXOTH) == 0 &&
	    !(sb.st_gid == group && (sb.st_mode & S_IXGRP) != 0))
		startcheck_add(sc, 1, name, "%s: its directory %s (mode %04o, "
		    "group %lu) keeps the socket's group out", l->path, dir,
		    (unsigned)(sb.st_mode & 07777), (unsigned long)sb.st_gid);
	free(dir);
}

static void
check_user(struct startcheck *sc, const char *name, const char *user,
    uid_t *uid)
{
	char err[512];

	if (user != NULL && service_user(user, uid, NULL, err,
	    sizeof(err)) == -1)
		startcheck_add(sc, 0, name, "%s", err);
}

/*
 * in_new_dir: PATH is in the missing directory a unix socket of L makes
 * first (check_unix reports when it cannot be made).
 */
static int
in_new_dir(const char *path, const struct config_listen *const l[2],
    int activated)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash != NULL ? (size_t)(slash - path) : 0;
	struct stat sb;
	int i;

	for (i = 0; i < 2 && !activated && n > 0; i++)
		if (l[i]->kind == CONFIG_LISTEN_UNIX &&
		    strncmp(l[i]->path, path, n + 1) == 0 &&
		    strchr(l[i]->path + n + 1, '/') == NULL) {
			char *dir = strndup(path, n);
			int missing = dir != NULL && stat(dir, &sb) == -1 &&
			    errno == ENOENT;

			free(dir);
			return missing;
		}
	return 0;
}

/*
 * check_client: the ClientSocket (protocol.md 4): its group
 * (ClientSocketGroup, else GID, SocketGroup's), its directory, and a path
 * of its own.
 */
static void
check_client(struct startcheck *sc, gid_t gid)
{
	const struct config *cfg = sc->cfg;
	const struct config_listen *cl = &cfg->client_socket;
	char err[512];
	uid_t uid;
	gid_t ugid;

	if (cfg->client_socket_group != NULL &&
	    service_group(cfg->client_socket_group, &gid, err,
	    sizeof(err)) == -1) {
		startcheck_add(sc, 0, "ClientSocketGroup", "%s", err);
		return;
	}
	check_unix(sc, "ClientSocket", cl, 1, gid);
	if (cfg->client_user == NULL)
		startcheck_add(sc, 0, "ClientSocket", "needs ClientUser, the "
		    "user Dovecot's mail processes run as (its mail_uid): "
		    "MOVE is taken from that user and root only");
	else if (service_user(cfg->client_user, &uid, &ugid, err,
	    sizeof(err)) == -1)
		startcheck_add(sc, 0, "ClientUser", "%s", err);
	if (cfg->policy_store == NULL || cfg->journal_days == 0)
		startcheck_add(sc, 1, "ClientSocket", "MOVE will make no user "
		    "entries: they live in the journal file, and there is none "
		    "(%s)", cfg->policy_store == NULL ? "no PolicyStore" :
		    "JournalDays 0");
	if ((cfg->socket.kind == CONFIG_LISTEN_UNIX &&
	    strcmp(cfg->socket.spec, cl->spec) == 0) ||
	    (cfg->policy_socket.kind == CONFIG_LISTEN_UNIX &&
	    strcmp(cfg->policy_socket.spec, cl->spec) == 0))
		startcheck_add(sc, 0, "ClientSocket", "%s: the same as another "
		    "socket", cl->spec);
}

void
startcheck_senderkeyd(struct startcheck *sc, int activated)
{
	const struct config *cfg = sc->cfg;
	const struct config_listen *l[2] = { &cfg->socket,
	    &cfg->policy_socket };
	static const char *const names[2] = { "Socket", "PolicySocket" };
	struct service_pid *p;
	char err[512];
	uid_t uid = (uid_t)-1, owner = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int i;

	errno = 0;
	check_user(sc, "User", cfg->user, &uid);
	check_user(sc, "SocketOwner", cfg->socket_owner, &owner);
	if (cfg->socket_group != NULL && service_group(cfg->socket_group,
	    &gid, err, sizeof(err)) == -1)
		startcheck_add(sc, 0, "SocketGroup", "%s", err);
	if (!activated && l[0]->kind == CONFIG_LISTEN_NONE &&
	    l[1]->kind == CONFIG_LISTEN_NONE)
		startcheck_add(sc, 0, NULL, "no Socket and no PolicySocket "
		    "configured");
	for (i = 0; i < 2 && !activated; i++)
		if (l[i]->kind == CONFIG_LISTEN_UNIX)
			check_unix(sc, names[i], l[i], 1, gid);
	if (!activated && l[0]->kind != CONFIG_LISTEN_NONE &&
	    l[1]->kind == l[0]->kind && strcmp(l[0]->spec, l[1]->spec) == 0)
		startcheck_add(sc, 0, "PolicySocket", "%s: the same as Socket",
		    l[1]->spec);
	if (!activated && cfg->client_socket.kind == CONFIG_LISTEN_UNIX)
		check_client(sc, gid);
	if (cfg->pid_file != NULL && !in_new_dir(cfg->pid_file, l, activated)) {
		if ((p = service_pid_new(cfg->pid_file, uid, err,
		    sizeof(err))) == NULL)
			startcheck_add(sc, 0, "PidFile", "%s",
			    strncmp(err, "PidFile ", 8) == 0 ? err + 8 : err);
		service_pid_free(p);
	}
	errno = 0;
	as_user(sc, cfg->user, user_files);
}

/*
 * learn_peer: with LearnOutbound, senderkeyd takes LEARN only from uid 0
 * or its own (protocol.md 4): warn when the milter, running as MUID
 * ((uid_t)-1: as started), is neither root nor senderkeyd's User.
 */
static void
learn_peer(struct startcheck *sc, uid_t muid)
{
	const struct config *cfg = sc->cfg;
	uid_t duid = geteuid();
	char err[512];

	if (!cfg->learn_outbound || cfg->milter_mode == CONFIG_MILTER_VERIFY)
		return;
	if (muid == (uid_t)-1)
		muid = geteuid();
	if (cfg->user != NULL && service_user(cfg->user, &duid, NULL, err,
	    sizeof(err)) == -1)
		return;		/* senderkeyd -n says so */
	if (muid != 0 && muid != duid)
		startcheck_add(sc, 1, "LearnOutbound", "senderkeyd refuses "
		    "LEARN from the milter's user (uid %u): run the milter "
		    "as root or as senderkeyd's User (%s)", (unsigned)muid,
		    cfg->user != NULL ? cfg->user : "unset");
}

void
startcheck_milter(struct startcheck *sc)
{
	const struct config *cfg = sc->cfg;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	char err[512];

	errno = 0;
	if (cfg->socket.kind == CONFIG_LISTEN_NONE)
		startcheck_add(sc, 0, "Socket", "none: the milter asks "
		    "senderkeyd there");
	if (cfg->milter_socket.kind == CONFIG_LISTEN_NONE)
		startcheck_add(sc, 0, "MilterSocket", "none: the milter needs "
		    "a socket");
	check_user(sc, "MilterUser", cfg->milter_user, &uid);
	learn_peer(sc, uid);
	if (cfg->milter_socket.kind == CONFIG_LISTEN_UNIX) {
		/* the socket's group (milter/listen.c), as senderkeyd's */
		if (cfg->socket_group != NULL && service_group(cfg->socket_group,
		    &gid, err, sizeof(err)) == -1)
			startcheck_add(sc, 0, "SocketGroup", "%s", err);
		check_unix(sc, "MilterSocket", &cfg->milter_socket, 0, gid);
	}
	if (cfg->key_table == NULL && cfg->milter_mode == CONFIG_MILTER_SIGN)
		startcheck_add(sc, 0, "MilterMode", "sign needs a KeyTable");
}
