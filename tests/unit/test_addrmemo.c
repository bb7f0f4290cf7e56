/*
 * test_addrmemo: senderkeyd's raw-address memo answers every sender and
 * recipient exactly as the functions it stands for (addr_parse_form,
 * owner_name_ctx, owner_policy_name, rcpt_mailbox, log_value,
 * refusal_recipient), whatever it remembers: spellings that differ in
 * case, quoting, form or delimiter set never share an entry, a sender
 * never gets a recipient's entry of the same octets, and with one slot
 * (every call replaces the entry) as with many.  A repeated input is
 * answered from memory, and the memory held stays bounded.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/owner.h"
#include "lib/rcpt.h"
#include "core/refusal.h"
#include "resolver/addrmemo.h"
#include "resolver/log.h"
#include "t.h"

static const char *const raws[] = {
	"alice@example.test", "Alice@example.test", "alice@EXAMPLE.test",
	"ALICE@Example.Test", "alice@example.test.", "\"alice\"@example.test",
	"john doe@example.test", "\"john doe\"@example.test",
	"John Doe@example.test", "bob+news@example.net",
	"Bob+news@example.net", "bob-news@example.net", "bob@example.net",
	"owner-list@example.net", "list-request@example.net",
	"postmaster+x@example.net", "example.net!dan", "dan%example.net",
	"dan%example.net@mx.example.net", "a!b!c", "\xc3\x89mile@example.net",
	"\xc3\xa9mile@example.net", "stra\xc3\x9f" "e@example.net",
	"m\xc3\xbcller@b\xc3\xbc" "cher.example", "x@xn--bcher-kva.example",
	"x@xn--bad.example", "root@localhost", "x@[192.0.2.1]", "no-at-sign",
	"@example.net", "a@", "a..b@example.net", "\"a b", "bad\xff@x.test",
	"a\"b@example.net", "carol@example.net%", "<carol@example.net>",
	"a b@example.net", "+x@example.net",
};
#define NRAW	(sizeof(raws) / sizeof(raws[0]))

static const char *const delimsets[] = { NULL, "", "+", "-", "+-" };
#define NDELIM	(sizeof(delimsets) / sizeof(delimsets[0]))

/* same_addr: A and B are both NULL or the same address in every form */
static int
same_addr(const struct addr *a, const struct addr *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(addr_canon(a), addr_canon(b)) == 0 &&
	    strcmp(addr_local(a), addr_local(b)) == 0 &&
	    strcmp(addr_canon_local(a), addr_canon_local(b)) == 0 &&
	    strcmp(addr_domain(a), addr_domain(b)) == 0 &&
	    addr_size(a) == addr_size(b);
}

struct env {
	EVP_MD_CTX	*ctx;
	const EVP_MD	*md;
	size_t		 bad;
	char		 what[300];
};

static void
check_sender(struct env *v, struct addrmemo *m, const char *raw,
    enum addr_form form)
{
	struct addrmemo_sender got;
	struct addr *a;
	char kn[OWNER_NAME_MAX], pn[OWNER_NAME_MAX], lg[64];
	int names = -1;

	a = addr_parse_form(raw, form, NULL, NULL);
	if (a != NULL && owner_name_ctx(v->ctx, v->md, a, OWNER_SENDERKEY,
	    kn, sizeof(kn)) == 0 && owner_policy_name(addr_domain(a), pn,
	    sizeof(pn)) == 0)
		names = 0;
	log_value(raw, lg, sizeof(lg));
	if (addrmemo_sender(m, raw, form, v->ctx, v->md, &got) == -1 ||
	    got.vs != (a != NULL ? VS_OK : VS_INVALID) ||
	    !same_addr(got.addr, a) || got.names != (a != NULL ? names :
	    got.names) || (a != NULL && names == 0 &&
	    (strcmp(got.keyname, kn) != 0 || strcmp(got.polname, pn) != 0)) ||
	    strcmp(got.log, lg) != 0) {
		if (v->bad++ == 0)
			snprintf(v->what, sizeof(v->what), "sender \"%s\" "
			    "form %d", raw, (int)form);
	}
	addr_free(a);
}

static void
check_rcpt(struct env *v, struct addrmemo *m, const char *raw,
    enum addr_form form, const char *delims)
{
	struct addrmemo_rcpt got;
	struct addr *mb;
	enum addr_err e;
	char dom[256], lg[64];

	dom[0] = '\0';
	mb = rcpt_mailbox(raw, form, delims, dom, sizeof(dom), &e);
	log_value(raw, lg, sizeof(lg));
	if (addrmemo_rcpt(m, raw, form, delims, &got) == -1 ||
	    !same_addr(got.mb, mb) || strcmp(got.dom, dom) != 0 ||
	    strcmp(got.log, lg) != 0 ||
	    got.refusal != refusal_recipient(raw)) {
		if (v->bad++ == 0)
			snprintf(v->what, sizeof(v->what), "recipient \"%s\" "
			    "form %d delims %s", raw, (int)form,
			    delims != NULL ? delims : "(null)");
	}
	addr_free(mb);
}

/* pass: every raw string as sender and recipient, every form and set */
static void
pass(struct env *v, struct addrmemo *m, int backwards)
{
	size_t i, k, d;
	int f;

	for (k = 0; k < NRAW; k++) {
		i = backwards ? NRAW - 1 - k : k;
		for (f = 0; f < 2; f++) {
			check_sender(v, m, raws[i], (enum addr_form)f);
			for (d = 0; d < NDELIM; d++)
				check_rcpt(v, m, raws[i], (enum addr_form)f,
				    delimsets[(d + k) % NDELIM]);
			check_sender(v, m, raws[i], (enum addr_form)f);
		}
	}
}

int
main(void)
{
	struct env v;
	struct addrmemo *m;
	struct addrmemo_sender s;
	struct addrmemo_rcpt r;
	size_t slots[] = { 1, 8, ADDRMEMO_SLOTS }, i, max = 0, b;
	char raw[64];
	uint64_t h;

	memset(&v, 0, sizeof(v));
	v.ctx = EVP_MD_CTX_new();
	v.md = EVP_MD_fetch(NULL, "SHA256", NULL);
	T_OK(v.ctx != NULL && v.md != NULL, "a SHA-256 context");
	T_OK(addrmemo_new(3) == NULL && addrmemo_new(0) == NULL,
	    "slots must be a power of 2");
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		m = addrmemo_new(slots[i]);
		T_OK(m != NULL, "addrmemo_new(%zu)", slots[i]);
		if (m == NULL)
			continue;
		v.bad = 0;
		pass(&v, m, 0);
		pass(&v, m, 1);
		pass(&v, m, 0);
		T_OK(v.bad == 0, "%zu slots: every answer as the functions' "
		    "(%zu differ, first: %s)", slots[i], v.bad, v.what);
		addrmemo_free(m);
	}

	/* longer than ADDRMEMO_RAW_MAX: answered, not kept */
	m = addrmemo_new(ADDRMEMO_SLOTS);
	v.bad = 0;
	if (m != NULL) {
		char longraw[ADDRMEMO_RAW_MAX + 20];

		memset(longraw, 'a', sizeof(longraw));
		strcpy(longraw + sizeof(longraw) - 20, "@example.test");
		check_sender(&v, m, longraw, ADDR_FORM_SMTP);
		check_rcpt(&v, m, longraw, ADDR_FORM_SMTP, "+");
		check_sender(&v, m, "alice@example.test", ADDR_FORM_SMTP);
		h = addrmemo_hits(m);
		check_sender(&v, m, longraw, ADDR_FORM_SMTP);
		T_OK(v.bad == 0 && addrmemo_hits(m) == h, "a raw string over "
		    "%d octets: answered as the functions, never from memory",
		    ADDRMEMO_RAW_MAX);
	}
	addrmemo_free(m);

	/* the same octets as recipient, then as sender: no sharing */
	m = addrmemo_new(ADDRMEMO_SLOTS);
	T_OK(m != NULL && addrmemo_rcpt(m, "Bob+news@example.net",
	    ADDR_FORM_SMTP, "+", &r) == 0 && r.mb != NULL &&
	    strcmp(addr_canon(r.mb), "bob@example.net") == 0,
	    "recipient Bob+news: mailbox bob@example.net");
	T_OK(addrmemo_sender(m, "Bob+news@example.net", ADDR_FORM_SMTP,
	    v.ctx, v.md, &s) == 0 && s.addr != NULL &&
	    strcmp(addr_local(s.addr), "Bob+news") == 0,
	    "the same octets as sender: its own parse (local part Bob+news)");
	T_OK(addrmemo_rcpt(m, "Bob+news@example.net", ADDR_FORM_SMTP, "-",
	    &r) == 0 && r.mb != NULL &&
	    strcmp(addr_canon(r.mb), "bob+news@example.net") == 0,
	    "another delimiter set: another mailbox");
	T_OK(addrmemo_sender(m, "alice@example.test", ADDR_FORM_SMTP, v.ctx,
	    v.md, &s) == 0 && addrmemo_sender(m, "Alice@example.test",
	    ADDR_FORM_SMTP, v.ctx, v.md, &s) == 0 && s.addr != NULL &&
	    strcmp(addr_local(s.addr), "Alice") == 0,
	    "a spelling with the same canonical form keeps its own local part");
	h = addrmemo_hits(m);
	T_OK(addrmemo_sender(m, "Alice@example.test", ADDR_FORM_SMTP, v.ctx,
	    v.md, &s) == 0 && addrmemo_hits(m) == h + 1 &&
	    addrmemo_rcpt(m, "Bob+news@example.net", ADDR_FORM_SMTP, "-",
	    &r) == 0 && addrmemo_hits(m) == h + 2,
	    "a repeated input: from memory");
	addrmemo_free(m);

	/* bounded: many distinct senders through a few slots */
	m = addrmemo_new(8);
	for (i = 0; m != NULL && i < 20000; i++) {
		snprintf(raw, sizeof(raw), "user%zu@domain%zu.example", i,
		    i % 97);
		(void)addrmemo_sender(m, raw, ADDR_FORM_SMTP, v.ctx, v.md, &s);
		(void)addrmemo_rcpt(m, raw, ADDR_FORM_INTERNAL, "+", &r);
		if ((b = addrmemo_bytes(m)) > max)
			max = b;
	}
	T_OK(m != NULL && max < 9 * 2048, "8 slots after 40000 inputs: at "
	    "most %zu octets held", max);
	addrmemo_free(m);
	addrmemo_free(NULL);
	EVP_MD_free((EVP_MD *)v.md);
	EVP_MD_CTX_free(v.ctx);
	return t_done();
}
