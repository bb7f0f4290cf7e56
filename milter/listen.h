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

#endif
