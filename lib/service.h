/*
 * service: the start-up skeleton both daemons share (senderkeyd and
 * senderkey-milter): Unix listening sockets, the pid file, the drop from
 * root to the configured user and the checks after it.  Postfix's
 * service skeleton is the model.  The rules (specs/security.md section
 * 5.1): a process running as root never follows a link in a directory
 * someone else may write, creates files with O_EXCL | O_NOFOLLOW and
 * moves them into place with rename(2) (which replaces a link planted
 * at the name, never its target), and sets owners and modes only inside
 * a directory it made itself and nobody else can enter.
 *
 * Nothing here logs: a failing call returns -1 with one line in ERR
 * (ERRSZ bytes) for the caller to log once.
 */
#ifndef SK_SERVICE_H
#define SK_SERVICE_H

#include <stddef.h>
#include <sys/types.h>

struct service_unix;
struct service_pid;

/* What a Unix socket becomes: (uid_t)-1 / (gid_t)-1 leave it as made. */
struct service_sockopt {
	uid_t	uid;		/* owner */
	gid_t	gid;		/* group */
	mode_t	mode;		/* permission bits, e.g. 0660 */
	int	mkparent;	/* create a missing parent directory, 0750 */
};

/*
 * service_unix_begin: prepare a listening socket at PATH (absolute).
 * Opens PATH's directory (creating it 0750 with O's owner and group when
 * O->mkparent says so and it is missing; an existing one is never
 * changed), refuses when PATH exists and is not a socket, and makes a
 * private directory (mode 0700, owned by the caller's euid) beside PATH.
 * The caller binds the socket at service_unix_bindpath() (itself, or
 * through a library such as libmilter) and then calls
 * service_unix_commit.  Returns the handle, or NULL with ERR set.
 */
struct service_unix	*service_unix_begin(const char *path,
			    const struct service_sockopt *o, char *err,
			    size_t errsz);

/* service_unix_bindpath: where to bind(2); owned by U, valid until commit. */
const char		*service_unix_bindpath(const struct service_unix *u);

/*
 * service_unix_commit: give the socket bound at the bind path its owner,
 * group and mode (relative to the private directory's descriptor), then
 * rename it to PATH, replacing an older socket or anything else but a
 * directory planted there meanwhile, and remove the private directory.
 * Returns 0, or -1 with ERR set (the socket and the private directory
 * are removed).
 */
int			 service_unix_commit(struct service_unix *u, char *err,
			    size_t errsz);

/*
 * service_unix_listen: service_unix_begin, a non-blocking close-on-exec
 * stream socket bound at the bind path, listen(BACKLOG), commit.
 * Returns the listening descriptor with *UP the handle (for
 * service_unix_remove), or -1 with ERR set.
 */
int			 service_unix_listen(const char *path,
			    const struct service_sockopt *o, int backlog,
			    struct service_unix **up, char *err, size_t errsz);

/*
 * service_unix_remove: at exit (as any user), remove PATH if it is still
 * the socket this handle committed (same device and inode; a link or a
 * newer daemon's socket is left alone).  Never follows a link.
 */
void			 service_unix_remove(struct service_unix *u);

/*
 * service_unix_undo: for a start refused after the socket was made:
 * service_unix_remove, then remove the directory service_unix_begin made
 * for it (O->mkparent), if it is empty by now.  NULL is a no-op.
 */
void			 service_unix_undo(struct service_unix *u);

/*
 * service_unix_free: close and free U; an uncommitted begin is undone,
 * with the directory it made (if empty).
 */
void			 service_unix_free(struct service_unix *u);

/*
 * service_inet_listen: a non-blocking close-on-exec stream socket bound
 * to HOST (an IPv4 or IPv6 address) PORT (SO_REUSEADDR) and listening
 * with BACKLOG; SPEC names it in errors.  Returns the descriptor, or -1
 * with "bind SPEC: why" (or what failed) in ERR.
 */
int			 service_inet_listen(const char *spec,
			    const char *host, unsigned port, int backlog,
			    char *err, size_t errsz);

/*
 * service_notify_ready: "READY=1" to systemd's NOTIFY_SOCKET (a path, or
 * "@" for an abstract name), when set.  Returns 0 (also when it is not
 * set), or -1 with why the datagram was not sent in ERR.
 */
int			 service_notify_ready(char *err, size_t errsz);

/*
 * service_pid_new: prepare the pid file PATH, before the drop.  Opens
 * its directory and decides who writes it: root, before the drop, when
 * the directory is owned by root and neither group nor others may write
 * it; otherwise the daemon's user after the drop (DROP_UID, (uid_t)-1
 * when there is no drop).  As root without a drop to another user, a
 * directory others may write is refused.  Started as another user, the
 * file is written as that user.  Returns the handle, or NULL with ERR.
 */
struct service_pid	*service_pid_new(const char *path, uid_t drop_uid,
			    char *err, size_t errsz);

/*
 * service_pid_write: write "PID\n" if this is the moment (call it once
 * before the drop and once after; it writes at the first call where it
 * may, then does nothing).  A temporary file made with O_CREAT | O_EXCL
 * | O_NOFOLLOW, mode 0644, is renamed over PATH: a link at PATH is
 * replaced, never followed.  Returns 0, or -1 with ERR set.
 */
int			 service_pid_write(struct service_pid *p, pid_t pid,
			    char *err, size_t errsz);

/*
 * service_pid_remove: at exit, remove PATH if it is still the file this
 * handle wrote (a link or a newer daemon's file is left alone).  A file
 * root wrote in root's directory stays after the drop (nothing may
 * remove it then); the next start replaces it.
 */
void			 service_pid_remove(struct service_pid *p);

/* service_pid_free: close and free P.  NULL is a no-op. */
void			 service_pid_free(struct service_pid *p);

/*
 * service_user: USER's uid and primary gid into *UID, *GID.  Returns 0,
 * or -1 with "unknown user USER" in ERR.
 */
int			 service_user(const char *user, uid_t *uid, gid_t *gid,
			    char *err, size_t errsz);

/* service_group: GROUP's gid; -1 with "unknown group GROUP" in ERR. */
int			 service_group(const char *group, gid_t *gid, char *err,
			    size_t errsz);

/*
 * service_drop: become USER for good: supplementary groups cleared and
 * set to USER's, then gid, then uid, then service_dropped.  USER root
 * changes nothing.  Returns 0, or -1 with ERR set; the caller must
 * not go on after -1.
 */
int			 service_drop(const char *user, char *err,
			    size_t errsz);

/*
 * service_dropped: the checks after a drop to UID/GID (UID 0: none):
 * real, effective and saved ids are UID and GID; uid 0, gid 0 and group
 * 0 cannot be regained (setuid, seteuid, setgid, setegid, setgroups all
 * fail); group 0 is not among the supplementary groups.  Returns 0, or
 * -1 with what is wrong in ERR.
 */
int			 service_dropped(uid_t uid, gid_t gid, char *err,
			    size_t errsz);

#endif
