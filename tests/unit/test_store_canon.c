/*
 * test_store_canon: core/store_canon.c, the forms the policy store keeps
 * targets and pins in: addresses and *@domains (case, IDN), recipients as
 * the mailbox they are delivered to (delimiters, routes, a trailing dot,
 * non-ASCII case folding), the check that a stored target is canonical,
 * and pins in their three forms (as typed, as stored, as octets).
 */
#include <stdio.h>
#include <string.h>

#include "core/store.h"
#include "t.h"

#define Z29	"00000000000000000000000000000"
#define Z58	Z29 Z29

static void
test_targets(void)
{
	char c[STORE_TARGET_MAX], err[512];
	int i;

	T_INTEQ(store_canon("Alice@Example.NET", c, NULL, 0),
	    STORE_T_ADDR, "an address");
	T_STREQ(c, "alice@example.net", "canonical: lowercased");
	T_INTEQ(store_canon("*@BÜCHER.example.", c, NULL, 0),
	    STORE_T_DOMAIN, "a *@domain");
	T_STREQ(c, "*@xn--bcher-kva.example", "canonical: A-label");
	T_INTEQ(store_canon("*@", c, err, sizeof(err)), -1,
	    "*@ alone is refused (%s)", err);
	T_INTEQ(store_canon("a b@x.test", c, err, sizeof(err)), -1,
	    "a bad address is refused (%s)", err);
	T_OK(strstr(err, "at octet 1") != NULL &&
	    strstr(err, "expected an address or *@domain") != NULL,
	    "the message says where and what was expected");
	T_INTEQ(store_canon_rcpt("Carol+X@Example.NET.", "+", c, &i, NULL,
	    0), STORE_T_ADDR, "a recipient");
	T_OK(strcmp(c, "carol@example.net") == 0 && i == 1,
	    "recipient: the mailbox it is delivered to, marked changed (%s)",
	    c);
	T_INTEQ(store_canon_rcpt("example.net!Carol", NULL, c, &i, NULL, 0),
	    STORE_T_ADDR, "a bang path recipient");
	T_OK(strcmp(c, "carol@example.net") == 0 && i == 1,
	    "bang path: carol's (%s)", c);
	T_INTEQ(store_canon_rcpt("Carol@Example.NET", "+", c, &i, NULL, 0),
	    STORE_T_ADDR, "a plain recipient");
	T_OK(strcmp(c, "carol@example.net") == 0 && i == 0,
	    "plain recipient: not marked changed");
	T_INTEQ(store_canon_rcpt("carol+x@example.net", NULL, c, &i, NULL,
	    0), STORE_T_ADDR, "no delimiter set");
	T_OK(strcmp(c, "carol+x@example.net") == 0 && i == 0,
	    "no delimiter set: the extension stays");
	T_INTEQ(store_canon_rcpt("*@Example.NET.", "+", c, &i, NULL, 0),
	    STORE_T_DOMAIN, "a *@domain recipient");
	T_STREQ(c, "*@example.net", "*@domain as store_canon");
	T_INTEQ(store_canon_rcpt("ÉMILE+x@Example.NET", "+", c, &i, NULL,
	    0), STORE_T_ADDR, "a non-ASCII recipient");
	T_OK(strcmp(c, "émile@example.net") == 0 && i == 1,
	    "non-ASCII case folded as Postfix folds it, marked changed (%s)",
	    c);
	T_INTEQ(store_canon_rcpt("STRAẞE@example.net", NULL, c, &i, NULL,
	    0), STORE_T_ADDR, "a recipient with a capital sharp s");
	T_STREQ(c, "strasse@example.net", "full case folding: ss");
	T_INTEQ(store_canon("ÉMILE@Example.NET", c, NULL, 0),
	    STORE_T_ADDR, "a sender");
	T_STREQ(c, "Émile@example.net", "a sender: only A-Z lowered");
	T_INTEQ(store_canon_rcpt("a!b!carol", "+", c, &i, err,
	    sizeof(err)), -1, "two levels of routing refused (%s)", err);
	T_OK(strstr(err, "cannot tell the mailbox") != NULL,
	    "the message says why");
	T_INTEQ(store_canon_rcpt("a b@x.test", "+", c, &i, err,
	    sizeof(err)), -1, "a syntax error refused (%s)", err);
	T_OK(strstr(err, "at octet 1") != NULL, "the message says where");
}

/* store_canon_is: what the writer accepts and the reader trusts. */
static void
test_is(void)
{
	static const struct {
		const char	*s;
		int		 kind;
	} c[] = {
		{ "alice@example.net", STORE_T_ADDR },
		{ "*@xn--bcher-kva.example", STORE_T_DOMAIN },
		{ "Émile@example.net", STORE_T_ADDR },	/* senders as given */
		{ "Alice@example.net", -1 },
		{ "alice@Example.net", -1 },
		{ "*@bücher.example", -1 },
		{ "*@example.net.", -1 },
		{ "*@", -1 },
		{ "", -1 },
		{ "not an address", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		T_INTEQ(store_canon_is(c[i].s), c[i].kind,
		    "store_canon_is(\"%s\") is %d", c[i].s, c[i].kind);
}

static void
test_pins(void)
{
	char pin[STORE_PIN_HEX];
	unsigned char fp[STORE_FP_LEN], back[STORE_FP_LEN];
	size_t i;

	T_INTEQ(store_canon_pin("AB:CD", pin), -1, "a short pin");
	T_INTEQ(store_canon_pin("5C87" Z58 "DA", pin), 0, "64 hex digits");
	T_STREQ(pin, "5c87" Z58 "da",
	    "stored lowercase");
	T_INTEQ(store_canon_pin("5C:87:" "00:00:00:00:00:00:00:00:00:00:"
	    "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:DA",
	    pin), 0, "the colon form of key_fingerprint");
	T_STREQ(pin, "5c87" Z58 "da", "the same pin");
	T_INTEQ(store_canon_pin("5c87" Z58 "dz", pin), -1, "not hex");

	for (i = 0; i < STORE_FP_LEN; i++)
		fp[i] = (unsigned char)(i * 37 + 11);
	store_canon_pin_hex(fp, pin);
	T_INTEQ(strlen(pin), 64, "pin_hex: 64 digits");
	T_OK(strspn(pin, "0123456789abcdef") == 64, "pin_hex: lowercase hex");
	T_OK(strncmp(pin, "0b30", 4) == 0 && strcmp(pin + 60, "6186") == 0,
	    "pin_hex: the octets in order, high nibble first (%s)", pin);
	T_INTEQ(store_canon_pin_bytes(pin, back), 0, "pin_bytes reads it back");
	T_OK(memcmp(fp, back, sizeof(fp)) == 0, "the same octets");
	T_INTEQ(store_canon_pin_bytes("5C87" Z58 "DA", back), -1,
	    "pin_bytes: uppercase is not the stored form");
	T_INTEQ(store_canon_pin_bytes("5c87" Z58 "d", back), -1,
	    "pin_bytes: 63 digits");
	T_INTEQ(store_canon_pin_bytes("5c87" Z58 "da0", back), -1,
	    "pin_bytes: 65 digits");
	T_INTEQ(store_canon_pin_bytes("5c:87" Z58 "d", back), -1,
	    "pin_bytes: colons");
	T_INTEQ(store_canon_pin_bytes("", back), -1, "pin_bytes: empty");
}

int
main(void)
{
	test_targets();
	test_is();
	test_pins();
	return t_done();
}
