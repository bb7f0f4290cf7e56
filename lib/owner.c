/*
 * owner.c: owner names for sender keys, OpenPGP keys and the domain policy
 * record.  The first label is the first 28 octets of SHA-256 over the
 * local part, in lowercase hex (RFC 7929 section 3).  owner_hash uses
 * nettle's SHA-256 (libunbound's own crypto library, already in every
 * process that looks names up): a one-shot "senderkey query" then never
 * initialises OpenSSL or fetches its SHA-256 (~5M instructions, more than
 * the rest of the command's own work).  owner_hash_md and owner_hash_ctx
 * keep OpenSSL for callers that already hold its digest.
 */
#include <string.h>

#include <nettle/sha2.h>
#include <openssl/evp.h>

#include "addr.h"
#include "owner.h"

/* hex_n: the first N / 2 octets of MD in lowercase hex at OUT, NUL'd. */
static void
hex_n(const unsigned char *md, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[n] = '\0';
}

/* hex_label: the first OWNER_HASH_LEN / 2 octets of MD in hex at OUT. */
static void
hex_label(const unsigned char *md, char out[OWNER_HASH_LEN + 1])
{
	hex_n(md, OWNER_HASH_LEN, out);
}

void
owner_dkim_selector(const char *local, size_t len,
    char out[OWNER_DKIM_SEL_LEN + 1])
{
	struct sha256_ctx ctx;
	unsigned char md[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)local);
	sha256_digest(&ctx, sizeof(md), md);
	out[0] = 's';
	out[1] = 'k';
	hex_n(md, OWNER_DKIM_HEX, out + 2);
}

int
owner_hash(const char *local, size_t len, char out[OWNER_HASH_LEN + 1])
{
	struct sha256_ctx ctx;
	unsigned char md[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)local);
	sha256_digest(&ctx, sizeof(md), md);
	hex_label(md, out);
	return 0;
}

int
owner_hash_md(const EVP_MD *md_type, const char *local, size_t len,
    char out[OWNER_HASH_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(local, len, md, &mdlen, md_type, NULL) ||
	    mdlen < OWNER_HASH_LEN / 2)
		return -1;
	hex_label(md, out);
	return 0;
}

int
owner_hash_ctx(EVP_MD_CTX *ctx, const EVP_MD *md_type, const char *local,
    size_t len, char out[OWNER_HASH_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_DigestInit_ex2(ctx, md_type, NULL) ||
	    !EVP_DigestUpdate(ctx, local, len) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) ||
	    mdlen < OWNER_HASH_LEN / 2)
		return -1;
	hex_label(md, out);
	return 0;
}

static const char *
kind_label(enum owner_kind kind)
{
	switch (kind) {
	case OWNER_OPENPGPKEY:
		return "_openpgpkey";
	case OWNER_DKIM:
		return "_domainkey";
	default:
		return "_senderkey";
	}
}

/* first_label: the first label of KIND's names for LOCAL, at H. */
static void
first_label(const char *local, size_t len, enum owner_kind kind,
    char h[OWNER_HASH_LEN + 1])
{
	if (kind == OWNER_DKIM)
		owner_dkim_selector(local, len, h);
	else
		(void)owner_hash(local, len, h);
}

/*
 * join: "H.LABEL.DOMAIN." into OUT (OUTSZ octets); -1 when it does not
 * fit there or in a DNS name (253 octets in text form, dot excluded).
 */
static int
join(const char *h, enum owner_kind kind, const char *domain, char *out,
    size_t outsz)
{
	const char *label = kind_label(kind);
	size_t hl = strlen(h), ll = strlen(label), dl = strlen(domain);
	size_t n = hl + 1 + ll + 1 + dl + 1;

	if (n >= outsz || n > 254)
		return -1;
	memcpy(out, h, hl);
	out[hl] = '.';
	memcpy(out + hl + 1, label, ll);
	out[hl + 1 + ll] = '.';
	memcpy(out + hl + ll + 2, domain, dl);
	out[n - 1] = '.';
	out[n] = '\0';
	return 0;
}

int
owner_name_local(const char *local, const char *domain, enum owner_kind kind,
    char *out, size_t outsz)
{
	char h[OWNER_HASH_LEN + 1];

	first_label(local, strlen(local), kind, h);
	return join(h, kind, domain, out, outsz);
}

int
owner_name_fits(const char *domain, enum owner_kind kind)
{
	/* As owner_name_local: "HASH.LABEL.DOMAIN." of at most 254 octets. */
	return (kind == OWNER_DKIM ? OWNER_DKIM_SEL_LEN : OWNER_HASH_LEN) + 1 + strlen(kind_label(kind)) + 1 +
	    strlen(domain) + 1 <= 254;
}

int
owner_name(const struct addr *a, enum owner_kind kind, char *out,
    size_t outsz)
{
	return owner_name_local(addr_canon_local(a), addr_domain(a), kind, out,
	    outsz);
}

int
owner_name_ctx(EVP_MD_CTX *ctx, const EVP_MD *md, const struct addr *a,
    enum owner_kind kind, char *out, size_t outsz)
{
	const char *local = addr_canon_local(a);
	char h[OWNER_HASH_LEN + 1];

	if (kind == OWNER_DKIM)
		owner_dkim_selector(local, strlen(local), h);
	else if (owner_hash_ctx(ctx, md, local, strlen(local), h) == -1)
		return -1;
	return join(h, kind, addr_domain(a), out, outsz);
}

int
owner_policy_name(const char *domain, char *out, size_t outsz)
{
	size_t dl = strlen(domain);

	/* "_senderkey." DOMAIN "." */
	if (11 + dl + 1 >= outsz || 11 + dl + 1 > 254)
		return -1;
	memcpy(out, "_senderkey.", 11);
	memcpy(out + 11, domain, dl);
	out[11 + dl] = '.';
	out[12 + dl] = '\0';
	return 0;
}
