/*
 * pgp.c: OpenPGP v4 transferable public keys: packet framing, the key,
 * user ID and signature packets (enough of each to choose self-signatures
 * as GnuPG 2.2 does), the fingerprint, the key as an EVP_PKEY, and the
 * export-minimal/export-dane reduction for one mailbox.  Armor is
 * pgp_armor.c's job, packet headers pgp_packet.c's.  Not a general OpenPGP implementation: no messages,
 * no secret keys, no signature verification.  See pgp.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "errstr.h"
#include "pgp.h"
#include "pgp_armor.h"
#include "pgp_mbox.h"
#include "pgp_packet.h"
#include "pgp_pkey.h"
#include "pgp_sig.h"

/* Packet tags (RFC 4880 section 4.3, RFC 9580 section 5). */
#define TAG_SIG		2
#define TAG_SECKEY	5
#define TAG_PUBKEY	6
#define TAG_SECSUB	7
#define TAG_MARKER	10
#define TAG_TRUST	12
#define TAG_UID		13
#define TAG_PUBSUB	14
#define TAG_UAT		17
#define TAG_PADDING	21
#define TAG_NONCRIT	40	/* tags from here on may be ignored */

/* Signature types. */
#define SIG_DIRECT	0x1F
#define SIG_SUBKEY	0x18
#define SIG_UID_REV	0x30
#define SIG_SUB_REV	0x28
#define IS_UID_SIG(t)	(((t) & ~3) == 0x10)

#define KF_SIGN		0x02

struct pkt {
	uint8_t		 tag;
	size_t		 no;		/* 1-based packet number in the input */
	size_t		 off;		/* offset of its header */
	const unsigned char *body;
	size_t		 len;
	struct pgp_sig	 sig;		/* when tag is TAG_SIG */
};

enum comp_kind { COMP_PRIMARY, COMP_UID, COMP_UAT, COMP_SUBKEY };

/* A key, user ID, attribute or subkey packet and its signatures. */
struct comp {
	enum comp_kind	 kind;
	size_t		 first;		/* index into pkts */
	size_t		 nsig;		/* pkts[first + 1 .. first + nsig] */
	char		*uid;		/* COMP_UID: NUL-terminated copy */
	char		*mbox;		/* COMP_UID: or NULL */
	uint32_t	 created;	/* key packets */
	uint8_t		 keyid[8];	/* key packets */
};

struct pgp_key {
	unsigned char	*buf;
	size_t		 buflen;
	struct pkt	*pkts;
	size_t		 npkts;
	struct comp	*comps;
	size_t		 ncomps;
	size_t		 nuids;
	unsigned char	 fpr[PGP_FPR_LEN];
	char		 fprhex[PGP_FPR_HEX];
};

static int
ascii_caseeq(const char *a, const char *b)
{
	unsigned char x, y;

	for (;; a++, b++) {
		x = (unsigned char)*a;
		y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
}

/* ---- signatures ---- */

/* sig_usable: a signature GnuPG would consider at all. */
static int
sig_usable(const struct pgp_sig *s)
{
	return s->has_created && !s->bad_critical;
}

static int
sig_expired(const struct pgp_sig *s, time_t now)
{
	return s->sig_expire != 0 &&
	    (int64_t)s->created + s->sig_expire <= (int64_t)now;
}

/* ---- the key ---- */

static struct comp *
add_comp(struct pgp_key *k, enum comp_kind kind, size_t first)
{
	struct comp *c;

	/* At most one component per packet: sized in pgp_key_parse. */
	c = &k->comps[k->ncomps++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->first = first;
	return c;
}

/* key_packet: check a (sub)key packet's fixed part; fill C. */
static int
key_packet(const struct pkt *pk, struct comp *c, unsigned char *fpr,
    char *err, size_t errsz)
{
	unsigned char md[EVP_MAX_MD_SIZE], hdr[3];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (pk->len < 1 || pk->body[0] != 4) {
		errstr_set(err, errsz,
		    "packet %zu: version %u key (only version 4 "
		    "keys are supported)", pk->no, pk->len ? pk->body[0] : 0);
		return -1;
	}
	if (pk->len < 7) {
		errstr_set(err, errsz,
		    "packet %zu: truncated key packet", pk->no);
		return -1;
	}
	if (pk->len > 0xFFFF) {
		errstr_set(err, errsz,
		    "packet %zu: key packet of %zu octets is "
		    "too large for a v4 fingerprint", pk->no, pk->len);
		return -1;
	}
	c->created = pgp_sig_be32(pk->body + 1);
	hdr[0] = 0x99;
	hdr[1] = (unsigned char)(pk->len >> 8);
	hdr[2] = (unsigned char)pk->len;
	ok = (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(ctx, hdr, 3) &&
	    EVP_DigestUpdate(ctx, pk->body, pk->len) &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == PGP_FPR_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		errstr_set(err, errsz, "SHA-1 failed");
		return -1;
	}
	memcpy(c->keyid, md + PGP_FPR_LEN - 8, 8);
	if (fpr != NULL)
		memcpy(fpr, md, PGP_FPR_LEN);
	return 0;
}

/* add_packet: file one packet into K; returns 0 or -1 with ERR set. */
static int
add_packet(struct pgp_key *k, struct pkt *pk, char *err, size_t errsz)
{
	struct comp *c;
	size_t idx = k->npkts;
	char msg[160];

	if (k->npkts == 0 && pk->tag != TAG_PUBKEY) {
		if (pk->tag == TAG_SECKEY)
			errstr_set(err, errsz, "this is a secret key: give the "
			    "public key (gpg --export)");
		else
			errstr_set(err, errsz,
			    "packet 1 is a %s packet (tag %u), "
			    "expected a public key (tag 6)", pgp_packet_tag_name(pk->tag),
			    pk->tag);
		return -1;
	}
	switch (pk->tag) {
	case TAG_PUBKEY:
		if (k->npkts != 0) {
			errstr_set(err, errsz,
			    "packet %zu: a second public key "
			    "(only one key per file)", pk->no);
			return -1;
		}
		k->pkts[k->npkts++] = *pk;
		c = add_comp(k, COMP_PRIMARY, idx);
		if (key_packet(pk, c, k->fpr, err, errsz) == -1)
			return -1;
		return 0;
	case TAG_UID:
	case TAG_UAT:
		if (k->comps[k->ncomps - 1].kind == COMP_SUBKEY) {
			errstr_set(err, errsz, "packet %zu: %s after a subkey",
			    pk->no, pgp_packet_tag_name(pk->tag));
			return -1;
		}
		k->pkts[k->npkts++] = *pk;
		c = add_comp(k, pk->tag == TAG_UID ? COMP_UID : COMP_UAT, idx);
		if (pk->tag == TAG_UID) {
			if ((c->uid = malloc(pk->len + 1)) == NULL)
				goto enomem;
			memcpy(c->uid, pk->body, pk->len);
			c->uid[pk->len] = '\0';
			c->mbox = pgp_mbox_from_uid(c->uid, pk->len);
			k->nuids++;
		}
		return 0;
	case TAG_PUBSUB:
		k->pkts[k->npkts++] = *pk;
		c = add_comp(k, COMP_SUBKEY, idx);
		return key_packet(pk, c, NULL, err, errsz);
	case TAG_SIG:
		if (pgp_sig_parse(pk->body, pk->len, &pk->sig, msg,
		    sizeof(msg)) == -1) {
			errstr_set(err, errsz, "packet %zu: %s", pk->no, msg);
			return -1;
		}
		k->pkts[k->npkts++] = *pk;
		k->comps[k->ncomps - 1].nsig++;
		return 0;
	case TAG_TRUST:
	case TAG_MARKER:
	case TAG_PADDING:
		return 0;	/* dropped, as GnuPG does */
	case TAG_SECSUB:
		errstr_set(err, errsz, "packet %zu: a secret subkey: give the "
		    "public key (gpg --export)", pk->no);
		return -1;
	default:
		if (pk->tag >= TAG_NONCRIT)
			return 0;	/* RFC 9580 section 4.3: ignore */
		errstr_set(err, errsz,
		    "packet %zu: a %s packet (tag %u) is not part "
		    "of a public key", pk->no, pgp_packet_tag_name(pk->tag), pk->tag);
		return -1;
	}
enomem:
	errstr_set(err, errsz, "out of memory");
	return -1;
}

struct pgp_key *
pgp_key_parse(const unsigned char *buf, size_t len, char *err, size_t errsz)
{
	struct pgp_key *k = NULL;
	struct pkt pk;
	size_t pos = 0, body, n, no, i, maxp;
	static const char hex[] = "0123456789ABCDEF";

	if (len == 0) {
		errstr_set(err, errsz, "empty key");
		return NULL;
	}
	if (len > PGP_KEY_MAX) {
		errstr_set(err, errsz,
		    "key of %zu octets exceeds the limit of %d",
		    len, PGP_KEY_MAX);
		return NULL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto enomem;
	if (pgp_armor_is_armor(buf, len)) {
		if (pgp_armor_decode((const char *)buf, len, &k->buf,
		    &k->buflen, err, errsz) == -1)
			goto fail;
	} else {
		if ((k->buf = malloc(len)) == NULL)
			goto enomem;
		memcpy(k->buf, buf, len);
		k->buflen = len;
	}
	/* Every packet has a header of at least 2 octets. */
	maxp = k->buflen / 2 + 1;
	if (maxp > PGP_MAX_PACKETS)
		maxp = PGP_MAX_PACKETS;
	if ((k->pkts = calloc(maxp, sizeof(*k->pkts))) == NULL ||
	    (k->comps = calloc(maxp, sizeof(*k->comps))) == NULL)
		goto enomem;
	for (no = 1; pos < k->buflen; no++) {
		memset(&pk, 0, sizeof(pk));
		pk.no = no;
		pk.off = pos;
		if (pgp_packet_header(k->buf, k->buflen, &pos, no, &pk.tag, &body,
		    &n, err, errsz) == -1)
			goto fail;
		if (k->npkts == maxp) {
			errstr_set(err, errsz,
			    "packet %zu: more than %zu packets",
			    no, maxp);
			goto fail;
		}
		pk.body = k->buf + body;
		pk.len = n;
		if (add_packet(k, &pk, err, errsz) == -1)
			goto fail;
	}
	if (k->nuids == 0) {
		errstr_set(err, errsz, "the key has no user ID");
		goto fail;
	}
	for (i = 0; i < PGP_FPR_LEN; i++) {
		k->fprhex[2 * i] = hex[k->fpr[i] >> 4];
		k->fprhex[2 * i + 1] = hex[k->fpr[i] & 15];
	}
	k->fprhex[2 * PGP_FPR_LEN] = '\0';
	return k;
enomem:
	errstr_set(err, errsz, "out of memory");
fail:
	pgp_key_free(k);
	return NULL;
}

void
pgp_key_free(struct pgp_key *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->ncomps; i++) {
		free(k->comps[i].uid);
		free(k->comps[i].mbox);
	}
	free(k->comps);
	free(k->pkts);
	free(k->buf);
	free(k);
}

const unsigned char *
pgp_key_fingerprint(const struct pgp_key *k)
{
	return k->fpr;
}

const char *
pgp_key_fingerprint_hex(const struct pgp_key *k)
{
	return k->fprhex;
}

uint32_t
pgp_key_created(const struct pgp_key *k)
{
	return k->comps[0].created;
}

size_t
pgp_key_uid_count(const struct pgp_key *k)
{
	return k->nuids;
}

static const struct comp *
nth_uid(const struct pgp_key *k, size_t n)
{
	size_t i;

	for (i = 0; i < k->ncomps; i++)
		if (k->comps[i].kind == COMP_UID && n-- == 0)
			return &k->comps[i];
	return NULL;
}

const char *
pgp_key_uid(const struct pgp_key *k, size_t i, size_t *len)
{
	const struct comp *c = nth_uid(k, i);

	if (c == NULL)
		return NULL;
	if (len != NULL)
		*len = k->pkts[c->first].len;
	return c->uid;
}

const char *
pgp_key_uid_mbox(const struct pgp_key *k, size_t i)
{
	const struct comp *c = nth_uid(k, i);

	return c == NULL ? NULL : c->mbox;
}

/* ---- choosing signatures as GnuPG 2.2 does ---- */

static const struct pgp_sig *
sig_at(const struct pgp_key *k, const struct comp *c, size_t j)
{
	return &k->pkts[c->first + 1 + j].sig;
}

/* self_sig: a usable signature by the primary key. */
static int
self_sig(const struct pgp_key *k, const struct pgp_sig *s)
{
	return sig_usable(s) && s->has_issuer &&
	    memcmp(s->issuer, k->comps[0].keyid, 8) == 0;
}

/*
 * uid_chosen: the self-signature GnuPG's merge_selfsigs_main applies to
 * user ID C (the newest certification or revocation, later packet on a
 * tie), as an index, or -1 when there is none.
 */
static ssize_t
uid_chosen(const struct pgp_key *k, const struct comp *c)
{
	const struct pgp_sig *s;
	ssize_t best = -1;
	uint32_t date = 0;
	size_t j;

	for (j = 0; j < c->nsig; j++) {
		s = sig_at(k, c, j);
		if (!self_sig(k, s))
			continue;
		if ((IS_UID_SIG(s->type) || s->type == SIG_UID_REV) &&
		    s->created >= date) {
			date = s->created;
			best = (ssize_t)j;
		}
	}
	return best;
}

/* nonrev: mark_usable_uid_certs' "nonrevocable and unexpired" at time 0. */
static int
nonrev(const struct pgp_sig *s)
{
	return IS_UID_SIG(s->type) && s->nonrevocable;
}

/*
 * uid_usable: the self-signature GnuPG's clean_sigs_from_uid keeps on a
 * valid user ID (mark_usable_uid_certs, which prefers non-revocable
 * certifications), as an index, or -1.
 */
static ssize_t
uid_usable(const struct pgp_key *k, const struct comp *c)
{
	const struct pgp_sig *s, *b;
	ssize_t best = -1;
	uint32_t date = 0;
	size_t j;

	for (j = 0; j < c->nsig; j++) {
		s = sig_at(k, c, j);
		if (!self_sig(k, s) || !(IS_UID_SIG(s->type) ||
		    s->type == SIG_UID_REV))
			continue;
		if (best == -1) {
			best = (ssize_t)j;
			date = s->created;
			continue;
		}
		b = sig_at(k, c, (size_t)best);
		if (nonrev(b) && !nonrev(s))
			continue;
		if ((!nonrev(b) && nonrev(s)) || s->created >= date) {
			best = (ssize_t)j;
			date = s->created;
		}
	}
	return best;
}

/*
 * subkey_binding: the binding signature GnuPG's merge_selfsigs_subkey
 * chooses for subkey C at NOW (newest unexpired 0x18 by the primary), as
 * an index; -1 when there is none, or the subkey is revoked, expired or
 * (signing without a back-signature) invalid.
 */
static ssize_t
subkey_binding(const struct pgp_key *k, const struct comp *c, time_t now)
{
	const struct pgp_sig *s;
	ssize_t best = -1;
	uint32_t date = 0;
	size_t j;

	for (j = 0; j < c->nsig; j++) {
		s = sig_at(k, c, j);
		if (!self_sig(k, s))
			continue;
		if (s->type == SIG_SUB_REV)
			return -1;
		if (s->type == SIG_SUBKEY && s->created >= date &&
		    !sig_expired(s, now)) {
			date = s->created;
			best = (ssize_t)j;
		}
	}
	if (best == -1)
		return -1;
	s = sig_at(k, c, (size_t)best);
	if (s->has_key_expire && s->key_expire != 0 &&
	    (int64_t)c->created + s->key_expire < (int64_t)now)
		return -1;
	if (s->has_keyflags && (s->keyflags & KF_SIGN) && !s->has_backsig)
		return -1;
	return best;
}

/* exportable: what do_export_one_keyblock writes at all. */
static int
exportable(const struct pgp_sig *s)
{
	return !s->nonexportable && !s->sensitive;
}

struct obuf {
	unsigned char	*p;
	size_t		 len, cap;
};

/* put: append packet PK with an old-format header, shortest length. */
static int
put(struct obuf *o, const struct pkt *pk)
{
	unsigned char h[5];
	size_t hl, need, cap;
	unsigned char *np;

	h[0] = (unsigned char)(0x80 | pk->tag << 2);
	if (pk->len < 256) {
		h[1] = (unsigned char)pk->len;
		hl = 2;
	} else if (pk->len < 65536) {
		h[0] |= 1;
		h[1] = (unsigned char)(pk->len >> 8);
		h[2] = (unsigned char)pk->len;
		hl = 3;
	} else {
		h[0] |= 2;
		h[1] = (unsigned char)(pk->len >> 24);
		h[2] = (unsigned char)(pk->len >> 16);
		h[3] = (unsigned char)(pk->len >> 8);
		h[4] = (unsigned char)pk->len;
		hl = 5;
	}
	need = o->len + hl + pk->len;	/* bounded by PGP_KEY_MAX * 2 */
	if (need > o->cap) {
		cap = need > 2 * o->cap ? need : 2 * o->cap;
		if ((np = realloc(o->p, cap)) == NULL)
			return -1;
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, h, hl);
	memcpy(o->p + o->len + hl, pk->body, pk->len);
	o->len = need;
	return 0;
}

static int
put_sig(struct obuf *o, const struct pgp_key *k, const struct comp *c,
    size_t j)
{
	if (!exportable(sig_at(k, c, j)))
		return 0;
	return put(o, &k->pkts[c->first + 1 + j]);
}

int
pgp_key_minimal_at(const struct pgp_key *k, const char *addr_spec,
    time_t now, unsigned char **out, size_t *outlen, char *err,
    size_t errsz)
{
	struct obuf o = { NULL, 0, 0 };
	const struct comp *c;
	const struct pgp_sig *s;
	ssize_t chosen, keep;
	size_t i, j;
	int printable = 0, matched = 0;

	*out = NULL;
	*outlen = 0;
	c = &k->comps[0];
	if (put(&o, &k->pkts[c->first]) == -1)
		goto enomem;
	for (j = 0; j < c->nsig; j++)
		if (put_sig(&o, k, c, j) == -1)
			goto enomem;
	for (i = 1; i < k->ncomps; i++) {
		c = &k->comps[i];
		if (c->kind != COMP_UID || c->mbox == NULL ||
		    !ascii_caseeq(c->mbox, addr_spec))
			continue;
		matched = 1;
		if ((chosen = uid_chosen(k, c)) == -1)
			continue;	/* gpg --import drops it */
		s = sig_at(k, c, (size_t)chosen);
		if (s->type == SIG_UID_REV || sig_expired(s, now))
			keep = chosen;	/* clean_uid_from_key compacts */
		else {
			keep = uid_usable(k, c);
			printable = 1;
		}
		if (put(&o, &k->pkts[c->first]) == -1 ||
		    (keep >= 0 && put_sig(&o, k, c, (size_t)keep) == -1))
			goto enomem;
	}
	if (!printable) {
		errstr_set(err, errsz,
		    matched ? "no valid user ID for %s (revoked, "
		    "expired or without a self-signature)" : "no user ID has "
		    "the address %s", addr_spec);
		free(o.p);
		return -1;
	}
	for (i = 1; i < k->ncomps; i++) {
		c = &k->comps[i];
		if (c->kind != COMP_SUBKEY ||
		    (chosen = subkey_binding(k, c, now)) == -1)
			continue;
		if (put(&o, &k->pkts[c->first]) == -1)
			goto enomem;
		for (j = 0; j < c->nsig; j++) {
			s = sig_at(k, c, j);
			if ((j == (size_t)chosen || s->type == SIG_SUB_REV) &&
			    put_sig(&o, k, c, j) == -1)
				goto enomem;
		}
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
enomem:
	errstr_set(err, errsz, "out of memory");
	free(o.p);
	return -1;
}

int
pgp_key_minimal_for(const struct pgp_key *k, const char *addr_spec,
    unsigned char **out, size_t *outlen)
{
	return pgp_key_minimal_at(k, addr_spec, time(NULL), out, outlen,
	    NULL, 0);
}

/* ---- the key for the _senderkey record ---- */

EVP_PKEY *
pgp_key_pkey(const struct pgp_key *k, char *err, size_t errsz)
{
	const struct pkt *pk = &k->pkts[0];

	return pgp_pkey_from_body(pk->body, pk->len, err, errsz);
}

/* primary_flags: key flags of the newest valid self-signature, or -1. */
static int
primary_flags(const struct pgp_key *k)
{
	const struct comp *c;
	const struct pgp_sig *s;
	uint32_t date = 0;
	int flags = -1, any = 0;
	size_t i, j;
	ssize_t ch;

	for (i = 0; i < k->ncomps; i++) {
		c = &k->comps[i];
		if (c->kind == COMP_PRIMARY) {
			for (j = 0; j < c->nsig; j++) {
				s = sig_at(k, c, j);
				if (self_sig(k, s) && s->type == SIG_DIRECT &&
				    (!any || s->created >= date)) {
					any = 1;
					date = s->created;
					flags = s->has_keyflags ? s->keyflags :
					    -1;
				}
			}
		} else if (c->kind == COMP_UID &&
		    (ch = uid_chosen(k, c)) != -1) {
			s = sig_at(k, c, (size_t)ch);
			if (IS_UID_SIG(s->type) && (!any || s->created >= date)) {
				any = 1;
				date = s->created;
				flags = s->has_keyflags ? s->keyflags : -1;
			}
		}
	}
	return flags;
}

EVP_PKEY *
pgp_key_signing_pkey(const struct pgp_key *k, time_t now, int *subkey,
    char *err, size_t errsz)
{
	const struct comp *c, *best = NULL;
	const struct pgp_sig *s;
	const struct pkt *pk;
	ssize_t ch;
	size_t i;
	int flags = primary_flags(k);

	if (subkey != NULL)
		*subkey = 0;
	if (flags == -1 || (flags & KF_SIGN))
		return pgp_key_pkey(k, err, errsz);
	for (i = 1; i < k->ncomps; i++) {
		c = &k->comps[i];
		if (c->kind != COMP_SUBKEY ||
		    (ch = subkey_binding(k, c, now)) == -1)
			continue;
		s = sig_at(k, c, (size_t)ch);
		pk = &k->pkts[c->first];
		if (!s->has_keyflags || !(s->keyflags & KF_SIGN) ||
		    (pk->body[5] != 1 && pk->body[5] != 3 && pk->body[5] != 22))
			continue;
		if (best == NULL || c->created >= best->created)
			best = c;
	}
	if (best == NULL) {
		errstr_set(err, errsz,
		    "the primary key cannot sign and no valid "
		    "Ed25519 or RSA signing subkey exists");
		return NULL;
	}
	if (subkey != NULL)
		*subkey = 1;
	pk = &k->pkts[best->first];
	return pgp_pkey_from_body(pk->body, pk->len, err, errsz);
}
