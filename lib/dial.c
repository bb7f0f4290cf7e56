/*
 * dial.c: connect to a config listen address (dial.h): the sockaddr
 * built from the address, one socket, one connect.  Blocking or not is
 * the caller's choice; waiting is the caller's (poll).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"

/* sockaddr_of: L as a sockaddr in *SS; its length, or 0 with errno. */
static socklen_t
sockaddr_of(const struct config_listen *l, struct sockaddr_storage *ss)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (l->kind == CONFIG_LISTEN_UNIX && l->path != NULL) {
		if (strlen(l->path) >= sizeof(sun->sun_path)) {
			errno = ENAMETOOLONG;
			return 0;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, l->path, strlen(l->path) + 1);
		return sizeof(*sun);
	}
	if (l->kind == CONFIG_LISTEN_INET && l->host != NULL &&
	    l->port > 0 && l->port <= 65535) {
		if (inet_pton(AF_INET, l->host, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)l->port);
			return sizeof(*sin);
		}
		if (inet_pton(AF_INET6, l->host, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)l->port);
			return sizeof(*sin6);
		}
	}
	errno = EINVAL;
	return 0;
}

int
dial_open(const struct config_listen *l, int flags, int *inprogress)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, e;

	if (inprogress != NULL)
		*inprogress = 0;
	if ((len = sockaddr_of(l, &ss)) == 0)
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    ((flags & DIAL_NONBLOCK) ? SOCK_NONBLOCK : 0), 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		return fd;
	if ((flags & DIAL_NONBLOCK) &&
	    (errno == EINPROGRESS || errno == EAGAIN)) {
		if (inprogress != NULL)
			*inprogress = 1;
		return fd;
	}
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
dial_finish(int fd)
{
	socklen_t elen;
	int soerr = 0;

	elen = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}
