/*
 * test_audit_val: the pure parts of audit_val.c on hand-made ldns
 * packets: the earliest RRSIG expiry over one type (other types and
 * other records ignored), and the denial type from the authority section
 * (NSEC, NSEC3 with its iterations, neither, no packet) and the NSEC3
 * opt-out flag there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "lib/keyrec.h"
#include "publisher/audit_val.h"
#include "t.h"

#define OWN	"x._senderkey.d.test."

static void
push(ldns_pkt *p, ldns_pkt_section sec, const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 300, NULL, NULL) !=
	    LDNS_STATUS_OK) {
		T_OK(0, "parse %s", text);
		return;
	}
	ldns_pkt_push_rr(p, sec, rr);
}

#define SIG(type, exp) OWN " 300 IN RRSIG " type " 13 4 300 " exp \
	" 20260101000000 1234 d.test. " \
	"Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy"

int
main(void)
{
	ldns_pkt *p = ldns_pkt_new();
	int iter = -1;

	T_OK(audit_val_sig_expire(NULL, LDNS_RR_TYPE_TXT) == 0,
	    "no packet: no expiry");
	push(p, LDNS_SECTION_ANSWER, OWN " 300 IN TXT \"v=SK1; k=ed25519\"");
	T_OK(audit_val_sig_expire(p, LDNS_RR_TYPE_TXT) == 0,
	    "no RRSIG: no expiry");
	push(p, LDNS_SECTION_ANSWER, SIG("TXT", "20270301000000"));
	push(p, LDNS_SECTION_ANSWER, SIG("TXT", "20270201000000"));
	push(p, LDNS_SECTION_ANSWER, SIG("SOA", "20270101000000"));
	push(p, LDNS_SECTION_AUTHORITY, SIG("TXT", "20261201000000"));
	/* 2027-02-01T00:00:00Z */
	T_OK(audit_val_sig_expire(p, LDNS_RR_TYPE_TXT) == 1801440000,
	    "the earliest TXT RRSIG of the answer section (%lld)",
	    (long long)audit_val_sig_expire(p, LDNS_RR_TYPE_TXT));
	T_OK(audit_val_sig_expire(p, LDNS_RR_TYPE_SOA) == 1798761600,
	    "the SOA RRSIG, for SOA");
	T_INTEQ(audit_val_denial(p, &iter), AUDIT_DENIAL_NONE,
	    "no NSEC or NSEC3 in the authority section: none");
	ldns_pkt_free(p);

	p = ldns_pkt_new();
	push(p, LDNS_SECTION_AUTHORITY, "d.test. 300 IN NSEC a.d.test. "
	    "SOA NS RRSIG NSEC DNSKEY");
	T_INTEQ(audit_val_denial(p, NULL), AUDIT_DENIAL_NSEC, "NSEC");
	ldns_pkt_free(p);

	p = ldns_pkt_new();
	push(p, LDNS_SECTION_AUTHORITY, "d.test. 300 IN NSEC a.d.test. "
	    "SOA NS RRSIG NSEC DNSKEY");
	push(p, LDNS_SECTION_AUTHORITY,
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.d.test. 300 IN NSEC3 1 0 5 - "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
	T_INTEQ(audit_val_denial(p, &iter), AUDIT_DENIAL_NSEC3,
	    "NSEC3 wins over NSEC");
	T_INTEQ(iter, 5, "its iterations");
	ldns_pkt_free(p);

	T_INTEQ(audit_val_denial(NULL, NULL), AUDIT_DENIAL_UNKNOWN,
	    "no packet: unknown");

	/* the opt-out flag of NSEC3 (RFC 5155 3.1.2.1): bit 0 of flags */
	T_INTEQ(audit_val_optout(NULL), 0, "no packet: no opt-out");
	p = ldns_pkt_new();
	push(p, LDNS_SECTION_AUTHORITY, "d.test. 300 IN NSEC a.d.test. "
	    "SOA NS RRSIG NSEC DNSKEY");
	push(p, LDNS_SECTION_AUTHORITY,
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.d.test. 300 IN NSEC3 1 0 0 - "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
	push(p, LDNS_SECTION_ANSWER,
	    "1p9mhaveqvm6t7vbl5lop2u3t2rp3tom.d.test. 300 IN NSEC3 1 1 0 - "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
	T_INTEQ(audit_val_optout(p), 0, "NSEC, NSEC3 flags 0 (and an "
	    "opt-out NSEC3 outside the authority section): no opt-out");
	push(p, LDNS_SECTION_AUTHORITY,
	    "2p9mhaveqvm6t7vbl5lop2u3t2rp3tom.d.test. 300 IN NSEC3 1 1 0 - "
	    "3vptu5timamqttgl4luu9kg21e0aor3s TXT RRSIG");
	T_INTEQ(audit_val_optout(p), 1, "one NSEC3 with flags 1: opt-out");
	ldns_pkt_free(p);
	p = ldns_pkt_new();
	push(p, LDNS_SECTION_AUTHORITY,
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.d.test. 300 IN NSEC3 1 3 0 - "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
	T_INTEQ(audit_val_optout(p), 1, "flags 3 (opt-out and an unknown "
	    "bit): opt-out");
	ldns_pkt_free(p);
	p = ldns_pkt_new();
	push(p, LDNS_SECTION_AUTHORITY,
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.d.test. 300 IN NSEC3 1 2 0 - "
	    "2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
	T_INTEQ(audit_val_optout(p), 0, "flags 2 (opt-out bit clear): no "
	    "opt-out");
	ldns_pkt_free(p);
	{
		/* The DKIM bridge name and records (audit.md 3). */
#define DKN "sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey.d.test. 300 IN TXT "
		struct audit_sender *s = audit_sender_new();
		char *o;

		o = audit_val_dkim_owner("2bd806c97f0e00af1a1fc3328fa763a9"
		    "269723c8db8fac4f93af71db._senderkey.example.test.");
		T_STREQ(o != NULL ? o : "(null)",
		    "sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey.example.test.",
		    "audit_val_dkim_owner: sk + 32 hex of the owner hash");
		free(o);
		o = audit_val_dkim_owner("h1._senderkey.x.test.");
		T_OK(o == NULL, "audit_val_dkim_owner: not a hash owner: NULL");
		free(o);
		p = ldns_pkt_new();
		push(p, LDNS_SECTION_ANSWER, DKN "\"v=DKIM1; k=ed25519; "
		    "h=sha256; s=email; t=s; \" \"p=11qYAYKxCrfVS/7TyWQHOg7hc"
		    "vPapiMlrwIaaPcHURo=\"");
		push(p, LDNS_SECTION_ANSWER, DKN "\"v=DKIM1; k=ed25519; p=\"");
		push(p, LDNS_SECTION_ANSWER, DKN "\"v=DKIM1; k=ed25519; "
		    "h=sha1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"");
		push(p, LDNS_SECTION_AUTHORITY, DKN "\"v=DKIM1; k=ed25519; "
		    "p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"");
		audit_val_dkim(p, s);
		T_INTEQ(s->dkim_nrec, 3, "audit_val_dkim: the answer's 3 TXT "
		    "records (not the authority section's)");
		T_INTEQ(s->ndkim, 1, "audit_val_dkim: one usable key (strings "
		    "joined; the revoked one not usable)");
		T_INTEQ(s->dkim_nbad, 1, "audit_val_dkim: h=sha1 malformed");
		T_INTEQ(s->dkim_keyerr, KEYREC_EHASH, "audit_val_dkim: its "
		    "error is bad-hash");
		T_INTEQ(s->ndkim > 0 ? (long)s->dkim[0].keylen : 0, 32,
		    "audit_val_dkim: the RFC 8463 key's 32 octets");
		ldns_pkt_free(p);
		audit_sender_free(s);
	}
	return t_done();
}
