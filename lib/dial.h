/*
 * dial: open a stream connection to a listen address of the config
 * (unix:/path, inet:127.0.0.1:PORT, inet:[::1]:PORT; lib/config.h), the
 * one connect the clients of senderkeyd's line socket share (the CLI
 * blocking, the milter non-blocking under its own deadline).  Not here:
 * what is said on the connection (core/proto_line*.h), listening
 * (lib/service.h).
 */
#ifndef SK_DIAL_H
#define SK_DIAL_H

#include "config.h"

#define DIAL_NONBLOCK	0x1	/* O_NONBLOCK; connect may be in progress */

/*
 * dial_open: a close-on-exec stream socket connected to L.  With
 * DIAL_NONBLOCK in FLAGS the socket is non-blocking and the connect may
 * still be under way: *INPROGRESS (when not NULL) is then 1, and the
 * caller waits for POLLOUT and calls dial_finish.  Without it connect
 * blocks and *INPROGRESS is 0.  The host of an inet address must be a
 * numeric IPv4 or IPv6 address (no name lookup).  Returns the socket, or
 * -1 with errno set (EINVAL for an address that is neither,
 * ENAMETOOLONG for a Unix path too long for sockaddr_un, else connect's).
 */
int		 dial_open(const struct config_listen *l, int flags,
		    int *inprogress);

/*
 * dial_finish: for a socket dial_open left in progress, once poll gave
 * POLLOUT (or POLLERR/POLLHUP): 0 when the connection is made, -1 with
 * errno the reason it failed.
 */
int		 dial_finish(int fd);

#endif
