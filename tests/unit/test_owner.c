/*
 * test_owner.c: the owner label functions agree with each other and with
 * RFC 7929's vectors: owner_hash, owner_hash_md (digest fetched once) and
 * owner_hash_ctx (digest context reused, as zonegen does for a million
 * names) give the same 56 hex digits, also when one context hashes many
 * names in a row; owner_name_ctx gives owner_name's full name, and
 * names that do not fit fail the same way.  owner_hash is nettle's
 * SHA-256 and the other two OpenSSL's: every length from 0 to 300 octets
 * (each SHA-256 block and padding boundary), any octet value, agrees.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/owner.h"
#include "t.h"

/* names: owner_name_ctx against owner_name, fits and does not fit. */
static void
names(EVP_MD_CTX *ctx, const EVP_MD *md)
{
	static const char *const addrs[] = { "alice@example.test",
	    "Hugh@Example.COM", "x@a.b" };
	char a[OWNER_NAME_MAX], b[OWNER_NAME_MAX], big[300];
	struct addr *ad;
	enum addr_err e;
	size_t i, n;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if ((ad = addr_parse(addrs[i], &e, NULL)) == NULL) {
			T_OK(0, "parse %s", addrs[i]);
			continue;
		}
		T_OK(owner_name(ad, OWNER_SENDERKEY, a, sizeof(a)) == 0 &&
		    owner_name_ctx(ctx, md, ad, OWNER_SENDERKEY, b,
		    sizeof(b)) == 0, "both name %s", addrs[i]);
		T_STREQ(b, a, "owner_name_ctx equals owner_name for %s",
		    addrs[i]);
		n = strlen(a);
		T_OK(owner_name_ctx(ctx, md, ad, OWNER_OPENPGPKEY, b,
		    sizeof(b)) == 0 && owner_name(ad, OWNER_OPENPGPKEY, a,
		    sizeof(a)) == 0 && strcmp(a, b) == 0,
		    "_openpgpkey names agree for %s", addrs[i]);
		T_OK(owner_name_ctx(ctx, md, ad, OWNER_DKIM, b,
		    sizeof(b)) == 0 && owner_name(ad, OWNER_DKIM, a,
		    sizeof(a)) == 0 && strcmp(a, b) == 0 &&
		    strstr(a, "._domainkey.") == a + OWNER_DKIM_SEL_LEN,
		    "_domainkey names agree for %s", addrs[i]);
		T_OK(owner_name_ctx(ctx, md, ad, OWNER_SENDERKEY, b,
		    n) == -1, "a buffer one octet short fails (%s)",
		    addrs[i]);
		T_OK(owner_name_ctx(ctx, md, ad, OWNER_SENDERKEY, b,
		    n + 1) == 0 && strlen(b) == n,
		    "an exact buffer fits (%s)", addrs[i]);
		addr_free(ad);
	}
	T_OK(owner_policy_name("example.test", a, sizeof(a)) == 0,
	    "policy name fits");
	T_STREQ(a, "_senderkey.example.test.", "policy name text");
	T_OK(owner_policy_name("example.test", a, 24) == -1,
	    "policy name one octet short fails");
	/* 240 + 12 = 252 fits; 243 + 12 = 255 > 254 does not */
	memset(big, 'a', sizeof(big));
	big[240] = '\0';
	T_OK(owner_policy_name(big, a, sizeof(a)) == 0,
	    "policy name of 252 octets fits");
	big[240] = 'a';
	big[243] = '\0';
	T_OK(owner_policy_name(big, a, sizeof(a)) == -1,
	    "policy name over 254 octets fails");
}

int
main(void)
{
	static const struct {
		const char *local, *label;
	} v[] = {
		{ "hugh",
		  "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6" },
		{ "alice",
		  "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db" },
	};
	char a[OWNER_HASH_LEN + 1], b[OWNER_HASH_LEN + 1];
	char c[OWNER_HASH_LEN + 1];
	char local[32];
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t i, same = 0;

	T_OK(md != NULL && ctx != NULL, "SHA-256 and a context");
	if (md == NULL || ctx == NULL)
		return t_done();
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		T_OK(owner_hash_ctx(ctx, md, v[i].local, strlen(v[i].local),
		    a) == 0, "owner_hash_ctx computes '%s'", v[i].local);
		T_STREQ(a, v[i].label, "owner_hash_ctx: RFC 7929 vector '%s'",
		    v[i].local);
		T_OK(owner_hash_md(md, v[i].local, strlen(v[i].local), b) ==
		    0, "owner_hash_md computes '%s'", v[i].local);
		T_STREQ(b, v[i].label, "owner_hash_md: RFC 7929 vector '%s'",
		    v[i].local);
	}
	/* One context for many names, empty and long ones among them. */
	for (i = 0; i < 1000; i++) {
		size_t n = (size_t)snprintf(local, sizeof(local), "%.*s%zu",
		    (int)(i % 20), "abcdefghijklmnopqrstuvwxyz", i);

		if (i % 100 == 0)
			n = 0;
		if (owner_hash_ctx(ctx, md, local, n, a) == 0 &&
		    owner_hash(local, n, b) == 0 &&
		    owner_hash_md(md, local, n, c) == 0 &&
		    strcmp(a, b) == 0 && strcmp(a, c) == 0 &&
		    strlen(a) == OWNER_HASH_LEN)
			same++;
	}
	T_INTEQ(same, 1000, "a reused context gives owner_hash's label for "
	    "1000 names in a row");
	/* nettle (owner_hash) and OpenSSL (owner_hash_md) agree. */
	same = 0;
	for (i = 0; i <= 300; i++) {
		char buf[301];
		size_t j;

		for (j = 0; j < i; j++)
			buf[j] = (char)(j * 7 + i);
		if (owner_hash(buf, i, a) == 0 &&
		    owner_hash_md(md, buf, i, b) == 0 && strcmp(a, b) == 0)
			same++;
	}
	T_INTEQ(same, 301, "owner_hash equals owner_hash_md for every length "
	    "from 0 to 300 octets");
	names(ctx, md);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return t_done();
}
