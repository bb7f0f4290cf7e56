/*
 * sig: sign and verify Sender-Key-Signature fields (specs/signature.md):
 * which fields are signed, the hash input of section 4.3, Ed25519 (RFC
 * 8463: PureEd25519 over SHA-256 of the input) and RSA PKCS#1 v1.5 with
 * SHA-256, the verification steps and results of section 6, the DKIM
 * test mode of section 9 through the same code, and the verification of
 * DKIM bridge signatures (section 11.2).  Pure: no I/O; the key lookups
 * are the caller's (sig_verify_need_dkim, then sig_verify_dkim;
 * sig_verify_need_keys, then sig_verify_records or sig_verify_keys).
 * Not here: parsing tags (sigheader), canonicalisation (canon), message
 * splitting (msg).
 */
#ifndef SK_SIG_H
#define SK_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "addr.h"
#include "canon.h"
#include "key.h"
#include "msg.h"
#include "owner.h"
#include "sigheader.h"

#define SIG_SKEW		300	/* seconds, both ways */
#define SIG_DEFAULT_LIFETIME	604800	/* x = t + 7 days */
#define SIG_MAX_EVALUATED	4	/* fields of each kind looked at */

/* Results, from worst to best as section 6.2 ranks them. */
enum sig_result {
	SIG_NONE = 0,
	SIG_PERMERROR,
	SIG_FAIL,
	SIG_TEMPERROR,
	SIG_PASS,
};

/* Reasons (section 6.3); sig_reason_name gives the stable text. */
enum sig_reason {
	SIG_R_OK = 0,
	SIG_R_NO_SIGNATURE,
	/* fail */
	SIG_R_SENDER_MISMATCH, SIG_R_FROM_NOT_SIGNED, SIG_R_FROM_NOT_OVERSIGNED,
	SIG_R_FIELD_NOT_SIGNED,
	SIG_R_SIG_FUTURE, SIG_R_SIG_EXPIRED, SIG_R_BODY_HASH_MISMATCH,
	SIG_R_NO_KEY, SIG_R_KEY_REVOKED, SIG_R_KEY_EXPIRED,
	SIG_R_NO_KEY_FOR_ALG, SIG_R_SIG_MISMATCH,
	/* permerror */
	SIG_R_SYNTAX, SIG_R_DUPLICATE_TAG, SIG_R_BAD_VERSION, SIG_R_MISSING_TAG,
	SIG_R_BAD_ALGORITHM, SIG_R_BAD_CANON, SIG_R_BAD_SENDER, SIG_R_BAD_H,
	SIG_R_BAD_BASE64, SIG_R_BAD_TIME, SIG_R_L_TAG, SIG_R_TOO_LONG,
	SIG_R_FROM_INVALID, SIG_R_KEY_INSECURE, SIG_R_KEY_MALFORMED,
	/* temperror */
	SIG_R_DNS_TEMPFAIL, SIG_R_DNS_BOGUS,
	/* internal trouble (out of memory, OpenSSL failure): temperror */
	SIG_R_INTERNAL,
	/* fail: a bridge signature's key is not in the DKIM record (11.2) */
	SIG_R_DKIM_KEY_DIFFERS,
};

/* The key lookup's outcome, as section 6.1 step 7 needs it. */
enum sig_keystate {
	SIG_KEYS_FOUND,		/* SECURE_KEY: candidate keys follow */
	SIG_KEYS_NONE,		/* SECURE_NOKEY: no record */
	SIG_KEYS_REVOKED,	/* SECURE_NOKEY "revoked" */
	SIG_KEYS_EXPIRED,	/* SECURE_NOKEY "expired" */
	SIG_KEYS_INSECURE,
	SIG_KEYS_BOGUS,
	SIG_KEYS_TEMPFAIL,
	SIG_KEYS_MALFORMED,	/* PERMERROR */
};

/*
 * One candidate key: borrowed by sig_verify_keys.  Set PKEY and TESTING
 * (the rest zero); sig_key_prepare may fill the rest once so that many
 * verifications with the same key (a daemon's cache) skip OpenSSL's
 * per-call set-up.
 */
struct sig_key {
	EVP_PKEY	*pkey;		/* Ed25519 or RSA public key */
	int		 testing;	/* t=y */
	int		 prepared;	/* the fields below are set */
	int		 alg;		/* enum sigheader_alg of PKEY */
	unsigned char	 spki_sha256[KEY_SHA256_LEN];
	EVP_MD_CTX	*edctx;		/* Ed25519: DigestVerify ready */
	EVP_PKEY_CTX	*rsactx;	/* RSA: verify ready, PKCS#1, SHA-256 */
};

/* The outcome of one signature (or of the message). */
struct sig_outcome {
	enum sig_result		 result;
	enum sig_reason		 reason;
	size_t			 field;		/* index in the msg; (size_t)-1 */
	enum sigheader_alg	 alg;		/* 0 when not parsed */
	char			 fp[KEY_FP_SIZE]; /* pass: the key; else "" */
	int			 testing;	/* pass: the key's t=y */
	enum sigheader_kind	 kind;		/* the field: SIGHEADER_SKS,
						   _DKIM_BRIDGE, or _DKIM in
						   the test mode */
	char			 selector[OWNER_DKIM_SEL_LEN + 1];
						/* DKIM_BRIDGE: s= (as
						   owner_dkim_selector
						   writes it); else "" */
};

/* A context: the digests fetched once (EVP_MD_fetch), reused per call. */
struct sig_ctx;

/* sig_ctx_new: NULL when SHA-256 cannot be fetched. */
struct sig_ctx	*sig_ctx_new(void);
void		 sig_ctx_free(struct sig_ctx *);

/*
 * sig_key_prepare: compute K's fingerprint and its reusable verification
 * context.  Returns 0, or -1 (K unchanged, still usable unprepared).
 * sig_key_release frees what prepare made (not PKEY).  Threads: the
 * contexts prepare makes (edctx, rsactx) change with every verification,
 * so a prepared key is used by one thread at a time; PKEY alone may be
 * shared read-only (milter/keycache.c leases prepared copies).
 */
int		 sig_key_prepare(struct sig_ctx *, struct sig_key *k);
void		 sig_key_release(struct sig_key *k);

/* --- signing --------------------------------------------------------- */

struct sig_sign_opts {
	enum canon_alg	 hcanon, bcanon;	/* 0: relaxed */
	int64_t		 now;			/* t= */
	int64_t		 lifetime;		/* x = t + this; 0: default */
	const char	*sender;	/* -s: must be the From: address */
	const char	*dkim_domain;	/* with dkim_selector: DKIM test mode */
	const char	*dkim_selector;
	int		 dkim_bridge;	/* the DKIM bridge field (section 11) */
};

enum sig_sign_err {
	SIG_SIGN_OK = 0,
	SIG_SIGN_FROM,		/* not exactly one From: mailbox */
	SIG_SIGN_SENDER,	/* -s is not an address, or not From: */
	SIG_SIGN_KEY,		/* the key is not Ed25519 or RSA, or public */
	SIG_SIGN_OPTS,		/* bad options (lifetime, DKIM domain, the
				   bridge with the test mode) */
	SIG_SIGN_TOOMANY,	/* h= would need over SIGHEADER_MAX_H names */
	SIG_SIGN_CRYPTO,	/* OpenSSL failed */
	SIG_SIGN_NOMEM,
};

/*
 * sig_sign: sign M with KEY (a private Ed25519 or RSA key) as section 7
 * says (DKIM-Signature with O->dkim_domain and O->dkim_selector set: the
 * test mode of section 9).  With O->dkim_bridge set (and no test mode) it
 * writes the DKIM bridge field of section 11.1 instead: a DKIM-Signature
 * with d= the From: domain (A-labels), s= its owner_dkim_selector, i= the
 * canonical From: address, and the h=, c=, t=, x= and a= the
 * Sender-Key-Signature gets with the same options (the caller signs twice
 * for both fields; neither covers the other).  Returns the field to add
 * at the top of the header: folded with CRLF, without a final CRLF,
 * malloc'd and NUL-terminated, *LEN set.  NULL with *ERR set (and *FERR
 * when the From: field was the problem) on failure.
 */
char		*sig_sign(struct sig_ctx *, const struct msg *m, EVP_PKEY *key,
		    const struct sig_sign_opts *o, enum sig_sign_err *err,
		    enum msg_from_err *ferr, size_t *len);

/*
 * sig_signed_names: the h= list section 2.2 gives for M, as pointers to
 * static strings in OUT (room for SIGHEADER_MAX_H): first every present
 * field of the table n + 1 times, in table order, then every absent field
 * of the table once (its absence signed), in table order (as the worked
 * example of section 8).
 * Returns the count, or 0 when more than SIGHEADER_MAX_H would be needed.
 */
size_t		 sig_signed_names(const struct msg *m,
		    const char *out[SIGHEADER_MAX_H]);

/* --- verification ---------------------------------------------------- */

struct sig_verify;

/*
 * sig_verify_begin: run steps 1 to 6 of section 6.1 on the first
 * SIG_MAX_EVALUATED fields named KIND (Sender-Key-Signature, or
 * DKIM-Signature for tests) of M at time NOW.  KIND SIGHEADER_DKIM_BRIDGE
 * evaluates the first SIG_MAX_EVALUATED Sender-Key-Signature fields and
 * also the first SIG_MAX_EVALUATED DKIM-Signature fields, of which only
 * the bridge signatures for the From: address count (section 11.2; the
 * others get no outcome).  M must outlive the result.
 * Returns a new state (caller frees) or NULL when out of memory.
 */
struct sig_verify *sig_verify_begin(struct sig_ctx *, const struct msg *m,
		    enum sigheader_kind kind, int64_t now);
void		 sig_verify_free(struct sig_verify *);

/*
 * sig_verify_need_keys: 1 when some signature is still undecided and
 * needs the sender's keys; *SENDER is then the From: address (owned by
 * the state).  0 when the result is already known (no DNS needed).
 */
int		 sig_verify_need_keys(const struct sig_verify *,
		    const struct addr **sender);

/*
 * sig_verify_need_dkim: 1 when some bridge signature is still undecided:
 * it needs the DKIM key record at the From: address's DKIM owner name
 * (owner_name with OWNER_DKIM) as well as the sender's keys.  Else 0.
 */
int		 sig_verify_need_dkim(const struct sig_verify *);

/*
 * sig_verify_dkim: the DKIM record lookup for the bridge signatures, made
 * before sig_verify_keys or sig_verify_records: its STATE (mapped as step
 * 7 when not SIG_KEYS_FOUND, deciding the pending bridge signatures) and,
 * for SIG_KEYS_FOUND, the N fingerprints FPS of the record's usable keys
 * (copied).  Only the sender's keys among these can then verify a bridge
 * signature.  Without this call a pending bridge signature ends temperror
 * (internal).
 */
void		 sig_verify_dkim(struct sig_verify *, enum sig_keystate state,
		    const char (*fps)[KEY_FP_SIZE], size_t n);

/*
 * sig_verify_keys: steps 7 to 9 with the lookup's STATE and, for
 * SIG_KEYS_FOUND, the N candidate KEYS (any algorithm; sorted and
 * filtered here).  Decides every pending signature.
 */
void		 sig_verify_keys(struct sig_verify *, enum sig_keystate state,
		    const struct sig_key *keys, size_t n);

/*
 * sig_verify_records: sig_verify_keys for N usable keyrecs (a SECURE_KEY
 * answer), each turned into a key with key_from_record_bytes; an
 * unconvertible record is skipped.
 */
struct keyrec;
void		 sig_verify_records(struct sig_verify *,
		    struct keyrec *const *recs, size_t n);

/*
 * sig_verify_count, sig_verify_get: each evaluated signature: the
 * Sender-Key-Signature fields top down, then the counted bridge
 * DKIM-Signature fields top down.
 */
size_t		 sig_verify_count(const struct sig_verify *);
const struct sig_outcome *sig_verify_get(const struct sig_verify *, size_t i);

/*
 * sig_verify_result: the message result (section 6.2): the best result,
 * reported with the first signature that has it in sig_verify_get's order
 * (a Sender-Key-Signature before a bridge signature); SIG_NONE
 * no-signature when there is none.
 */
const struct sig_outcome *sig_verify_result(const struct sig_verify *);

const char	*sig_result_name(enum sig_result);	/* "pass" */
const char	*sig_reason_name(enum sig_reason);	/* "sig-mismatch" */
const char	*sig_sign_strerror(enum sig_sign_err);

#endif
