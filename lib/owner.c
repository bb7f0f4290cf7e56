/*
 * owner.c: owner names for sender keys, OpenPGP keys and the domain policy
 * record.  The first label is the first 28 octets of SHA-256 over the
 * local part, in lowercase hex (RFC 7929 section 3).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "addr.h"
#include "owner.h"

int
owner_hash(const char *local, size_t len, char out[OWNER_HASH_LEN + 1])
{
	return owner_hash_md(EVP_sha256(), local, len, out);
}

/* hex_label: the first OWNER_HASH_LEN / 2 octets of MD in hex at OUT. */
static void
hex_label(const unsigned char *md, char out[OWNER_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < OWNER_HASH_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[OWNER_HASH_LEN] = '\0';
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
	return kind == OWNER_OPENPGPKEY ? "_openpgpkey" : "_senderkey";
}

int
owner_name_local(const char *local, const char *domain, enum owner_kind kind,
    char *out, size_t outsz)
{
	char h[OWNER_HASH_LEN + 1];
	int n;

	if (owner_hash(local, strlen(local), h) == -1)
		return -1;
	n = snprintf(out, outsz, "%s.%s.%s.", h, kind_label(kind), domain);
	/* A DNS name holds at most 253 octets in text form, dot excluded. */
	if (n < 0 || (size_t)n >= outsz || n > 254)
		return -1;
	return 0;
}

int
owner_name_fits(const char *domain, enum owner_kind kind)
{
	/* As owner_name_local: "HASH.LABEL.DOMAIN." of at most 254 octets. */
	return OWNER_HASH_LEN + 1 + strlen(kind_label(kind)) + 1 +
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
owner_policy_name(const char *domain, char *out, size_t outsz)
{
	int n;

	n = snprintf(out, outsz, "_senderkey.%s.", domain);
	if (n < 0 || (size_t)n >= outsz || n > 254)
		return -1;
	return 0;
}
