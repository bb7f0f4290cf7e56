/*
 * policy_import: the sources "senderkey policy" imports allow entries
 * from: vCard address books (through zonegen/manifest.h's reader), GnuPG
 * keyring exports (lib/pgp.h), and its own export format.  Each reader
 * turns a file into a list of pending changes; cmd_policy.c applies the
 * whole list in one transaction, or nothing when any item was bad.
 * Errors are printed to stderr as "FILE:LINE: what was expected".
 */
#ifndef SK_POLICY_IMPORT_H
#define SK_POLICY_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

enum policy_import_kind {
	POLICY_IMPORT_MODE,	/* recipient mode allow|deny */
	POLICY_IMPORT_ALLOW,
	POLICY_IMPORT_DENY,
};

struct policy_import_item {
	enum policy_import_kind	 kind;
	char			 recipient[STORE_TARGET_MAX];
	char			 sender[STORE_TARGET_MAX];	/* entries */
	char			 mode[8];	/* POLICY_IMPORT_MODE */
	char			 pin[STORE_PIN_HEX];	/* "" when none */
};

struct policy_import_list {
	struct policy_import_item	*items;
	size_t				 n, cap;
};

/* policy_import_list_free: the items of L (not L itself). */
void	 policy_import_list_free(struct policy_import_list *l);

/*
 * policy_import_vcard: every EMAIL of every contact in the vCard file
 * PATH becomes an allow entry of RECIPIENT (canonical); a contact's KEY
 * pins that key (SHA-256 of the SPKI; for OpenPGP keys of the key
 * pgp_key_signing_pkey gives at NOW).  Returns 0, or an exit status (65
 * bad data, 66 no input) after printing the errors.
 */
int	 policy_import_vcard(const char *path, const char *recipient,
	    int64_t now, struct policy_import_list *l);

/*
 * policy_import_gpg: each key in PATH (gpg --export output, binary or
 * armored, keys concatenated, several armor blocks allowed) pins its
 * signing key for every mailbox of a valid user ID.  Returns 0 or an
 * exit status.
 */
int	 policy_import_gpg(const char *path, const char *recipient,
	    int64_t now, struct policy_import_list *l);

/*
 * policy_import_text: the export format of "senderkey policy export"
 * (see man/senderkey-policy.1).  Returns 0 or an exit status.
 */
int	 policy_import_text(const char *path, struct policy_import_list *l);

#endif
