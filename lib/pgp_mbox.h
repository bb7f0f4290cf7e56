/*
 * pgp_mbox: the mailbox in an OpenPGP user ID as GnuPG 2.2 extracts it
 * (for keep-uid='mbox = ...' and DANE).  Pure: no I/O.
 */
#ifndef SK_PGP_MBOX_H
#define SK_PGP_MBOX_H

#include <stddef.h>

/*
 * pgp_mbox_from_uid: GnuPG's mailbox_from_userid on the LEN octets at UID
 * (read up to the first NUL, as gpg does): the part between '<' and '>'
 * when there is a '<', else the whole ID when it is a plain address; the
 * result has exactly one '@', does not start with '@' or end with '@' or
 * '.', and has only atext characters before the '@' and letters, digits,
 * '_', '-', '.' after it (non-ASCII octets pass).  Returns it malloc'd
 * with ASCII A-Z lower-cased (caller frees), or NULL when there is none
 * or on ENOMEM.
 */
char	*pgp_mbox_from_uid(const char *uid, size_t len);

#endif
