/*
 * daemon_ask: the CLI's line-protocol client (specs/protocol.md 3) for
 * `senderkey lookup|authz|stats`: the common options, then one request
 * built by the protocol's codec (core/proto_line_req.h), sent Exim style
 * (write, half-close, read one reply line).  Not here: decoding the reply
 * (each command uses the codec's decoder), connecting (lib/dial.h).
 */
#ifndef SK_CLI_DAEMON_ASK_H
#define SK_CLI_DAEMON_ASK_H

#include "core/proto_line.h"

/*
 * daemon_ask_opts: parse "--socket PATH" / "-x CONFIG" from ARGV[1..]
 * into *SOCK / *CFG (NULL when not given); returns the index of the
 * command's first own argument ("--" ends the options).
 */
int		 daemon_ask_opts(int argc, char **argv, const char **sock,
		    const char **cfg);

/*
 * daemon_ask_request: build RQ with proto_line_req_build and ask the
 * daemon at SOCK (a path, "unix:" allowed), else at the Socket of the
 * config CFG (NULL: the default file).  Returns 0 with *REPLY the reply
 * line without its LF (malloc'd, the caller frees), or a sysexits status
 * after a message on stderr: EX_DATAERR when the codec refuses RQ (the
 * request is not sent), EX_CONFIG, EX_UNAVAILABLE (cannot connect, no
 * complete reply), EX_SOFTWARE.
 */
int		 daemon_ask_request(const char *sock, const char *cfg,
		    const struct proto_line_request *rq, char **reply);

/*
 * daemon_ask_client: daemon_ask_request at the config's ClientSocket
 * (the mail client's socket, MOVE) when SOCK is NULL.
 */
int		 daemon_ask_client(const char *sock, const char *cfg,
		    const struct proto_line_request *rq, char **reply);

#endif
