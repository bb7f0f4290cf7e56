/*
 * listen: where senderkey-milter listens.  A unix: socket is made the way
 * lib/service.h says (bound in a private directory, owner and mode set
 * there, renamed into place); inet: sockets are libmilter's own.  Not
 * here: the privilege drop (service_drop, in main.c).
 */
#ifndef SK_MILTER_LISTEN_H
#define SK_MILTER_LISTEN_H

#include <sys/types.h>

#include "lib/config.h"
#include "lib/service.h"

/* listen_spec: libmilter's form of L ("unix:/p", "inet:PORT@HOST"),
   malloc'd; NULL when L is neither or memory ran out. */
char	*listen_spec(const struct config_listen *l);

/*
 * listen_open: have libmilter listen on CFG's MilterSocket (after
 * smfi_register).  A unix: socket gets OWNER ((uid_t)-1: as made) and
 * mode 0660 and is renamed into place; *UP is then its handle, for
 * service_unix_remove at exit (else NULL).  Returns 0, or -1 with the
 * reason on stderr.
 */
int	 listen_open(const struct config *cfg, uid_t owner,
	    struct service_unix **up);

/*
 * LISTEN_THREAD_STACK: the stack libmilter's session threads get.  Its
 * worker pool starts and ends threads as connections come and go (a
 * third of the messages at 32 connections here); glibc keeps 40 MiB of
 * freed stacks for reuse, which is five of the default 8 MiB ones, so
 * every other new thread mapped and faulted in a fresh stack.  A session
 * needs a few KiB (its largest frames hold fingerprints and one log
 * line; OpenSSL's verification keeps its numbers on the heap).
 */
#define LISTEN_THREAD_STACK	(512 * 1024)

/* listen_threads: make LISTEN_THREAD_STACK the stack size of threads
   made from now on (before smfi_main), when the default is larger and
   the C library allows it; nothing else changes when it does not. */
void	 listen_threads(void);

#endif
