/*
 * sigbridge: the DKIM bridge's two questions a verifier asks of a
 * DKIM-Signature (specs/signature.md section 11.2): does this field speak
 * for the From: address (d=, s= and i= all name it), and is a key among
 * the DKIM key record's.  Pure: no I/O.  Not here: parsing (sigheader),
 * the verification steps and results (sig).
 */
#ifndef SK_SIGBRIDGE_H
#define SK_SIGBRIDGE_H

#include <stddef.h>

#include "addr.h"
#include "key.h"
#include "owner.h"
#include "sigheader.h"

/*
 * sigbridge_counts: 1 when the DKIM-Signature F (parsed as
 * SIGHEADER_DKIM_BRIDGE) is a bridge signature for FROM, the message's
 * single From: address: d= is FROM's domain (A-label, ASCII letters in any
 * case), s= is FROM's selector (owner_dkim_selector of the canonical local
 * part, any case) and i= decoded has FROM's canonical address, octet for
 * octet (addr_canon).  Else 0.  SEL receives FROM's selector either way.
 */
int	sigbridge_counts(const struct sigheader_fields *f,
	    const struct addr *from, char sel[OWNER_DKIM_SEL_LEN + 1]);

/*
 * sigbridge_fp_in: 1 when the SPKI SHA-256 FP is one of the N fingerprints
 * FPS (NUL-terminated, read by key_fingerprint_parse: hex pairs with
 * colons or 64 hex digits, either case; compared as octets), else 0.
 */
int	sigbridge_fp_in(const unsigned char fp[KEY_SHA256_LEN],
	    const char (*fps)[KEY_FP_SIZE], size_t n);

#endif
