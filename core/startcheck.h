/*
 * startcheck: what a start of senderkeyd or senderkey-milter checks in
 * its configuration before it binds a socket or makes a directory: users
 * and groups exist, sockets can be made where they are configured, files
 * are there, readable (by User, after the privilege drop, where the
 * daemon reads them then) and of the right kind.  `senderkeyd -n` and
 * `senderkey-milter -n` run the same functions as the real start, so the
 * two cannot disagree.  Every error is collected (not only the first),
 * each as "FILE:LINE: Name value: what is wrong" naming the directive.
 * Not here: binding, dropping privileges, serving.
 */
#ifndef SK_CORE_STARTCHECK_H
#define SK_CORE_STARTCHECK_H

#include <stdio.h>

#include "lib/config.h"

struct startcheck;

/* startcheck_new: an empty report about CFG (borrowed); NULL on ENOMEM. */
struct startcheck	*startcheck_new(const struct config *cfg);

/* startcheck_free: frees SC.  NULL is a no-op. */
void			 startcheck_free(struct startcheck *sc);

/*
 * startcheck_add: one message about directive NAME (as in the schema;
 * NULL: about the file as a whole): an error, or a warning when WARN
 * (printed, but the start goes on).  Written "FILE:LINE: NAME VALUE:
 * text", "(default)" in place of LINE's value when NAME was not set.
 */
void			 startcheck_add(struct startcheck *sc, int warn,
			    const char *name, const char *fmt, ...)
			    __attribute__((format(printf, 4, 5)));

/* startcheck_errors: the number of errors so far. */
size_t			 startcheck_errors(const struct startcheck *sc);

/*
 * startcheck_print: every message, "PROG: ..." one a line on F, then,
 * when there were several errors, "PROG: FILE: N errors; not started"
 * (the same words for -n as for a start).
 */
void			 startcheck_print(const struct startcheck *sc,
			    FILE *f, const char *prog);

/*
 * startcheck_senderkeyd: every check of senderkeyd's start: User,
 * SocketOwner, SocketGroup, Socket and PolicySocket (unless ACTIVATED:
 * systemd passed the sockets), PidFile, and as User (in a child that
 * drops to it, when run as root): TrustAnchorFile (parsed), UnboundConfig
 * and Forwarders (given to libunbound), PolicyStore (opened, its schema
 * known), StatsFile (its directory writable).
 */
void			 startcheck_senderkeyd(struct startcheck *sc,
			    int activated);

/*
 * startcheck_milter: the checks of senderkey-milter's start that do not
 * need its own modules: Socket and MilterSocket set, MilterUser,
 * MilterSocket's directory (which the milter does not create), MilterMode
 * sign without a KeyTable.  The KeyTable itself is loaded by the milter,
 * which reports a failure with startcheck_add.
 */
void			 startcheck_milter(struct startcheck *sc);

#endif
