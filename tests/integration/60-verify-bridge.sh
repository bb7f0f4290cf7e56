#!/bin/sh
# 60-verify-bridge: "senderkey verify" on DKIM bridge signatures
# (specs/signature.md section 11.2) in the DNSSEC test bed, with alice's
# DKIM key record added at sk<32 hex>._domainkey.example.test.  The
# bridge field is made by the DKIM test mode (section 9) with i= slipped
# in through the selector ("SEL; i=ADDRESS"), which gives the tag order of
# section 11.1.
#  - a message with only the bridge field: pass with alice's key, a
#    dkim-lookup line, "kind=dkim selector=" on the signature and message
#    lines (exit 0);
#  - no DKIM record: fail no-key; a DKIM record with bob's key: fail
#    dkim-key-differs (exit 1);
#  - i= another mailbox, or s= another selector: not counted, none, and no
#    lookup at all;
#  - Sender-Key-Signature and bridge field both pass: the SKS is reported;
#    so for "sign --dkim" output, whose bridge field alone passes too.
. "$(dirname "$0")/lib.sh"

SK=$SK_BIN/senderkey
W=$(mktemp -d "${TMPDIR:-/tmp}/sk-vb.XXXXXX") || exit 1

need_root
bed_up

SEL=sk$(printf %s alice | sha256sum | cut -c1-32)
DKIM_OWNER=$SEL._domainkey
cleanup() {
	bed del example.test "$DKIM_OWNER" >/dev/null 2>&1 || true
	rm -rf "$W" "$_t_out"
}
trap cleanup EXIT
cleanup_rec() { bed del example.test "$DKIM_OWNER" >/dev/null 2>&1 || true; }
cleanup_rec

cp "$SK_TOP/tests/bed/alice.pem" "$W/alice.pem" && chmod 600 "$W/alice.pem"
pkey() {
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 |
	    base64 -w0
}
ALICE_P=$(pkey "$SK_TOP/tests/bed/alice.pem")
BOB_P=$(pkey "$SK_TOP/tests/bed/bob.pem")
ALICE_FP=$(openssl pkey -in "$W/alice.pem" -pubout -outform DER |
    sha256sum | cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//')

cat >"$W/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: Lunch on Thursday?
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.4711@mail.example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bob,

Shall we meet at noon?

Alice
MSG

# bridge SELECTOR IDENT IN OUT: IN with a bridge field on top
bridge() {
	"$SK" sign -k "$W/alice.pem" --dkim-domain example.test \
	    --dkim-selector "$1; i=$2" <"$3" >"$4" 2>"$W/err"
}

# v FILE: senderkey verify in the bed; sets OUT and RC.
v() {
	OUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    <"$1" 2>&1)
	RC=$?
}

bridge "$SEL" alice@example.test "$W/msg" "$W/b"
expect_match "the test-mode signer writes i= into the bridge field" \
    "$(tr -d '\n' <"$W/b")" "d=example.test; *s=$SEL; i=alice@example.test;"

v "$W/b"
expect_eq "bridge field, no DKIM record: exit 1" "$RC" 1
expect_match "bridge field, no DKIM record: fail no-key" "$OUT" \
    "^result=fail reason=no-key .*kind=dkim selector=$SEL"
expect_match "bridge field, no DKIM record: the DKIM lookup said so" \
    "$OUT" "^dkim-lookup=secure-nokey owner=$DKIM_OWNER.example.test."

check "bed add: alice's DKIM key record" bed add example.test \
    "$DKIM_OWNER TXT \"v=DKIM1; k=ed25519; p=$ALICE_P\""
v "$W/b"
expect_eq "bridge field alone: exit 0" "$RC" 0
expect_match "bridge field alone: DKIM lookup secure-key" "$OUT" \
    "^dkim-lookup=secure-key owner=$DKIM_OWNER.example.test."
expect_match "bridge field alone: signature line names kind and selector" \
    "$OUT" "^signature=1 kind=dkim selector=$SEL result=pass reason=ok"
expect_match "bridge field alone: pass with alice's key" "$OUT" \
    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP kind=dkim \
selector=$SEL sender=alice@example.test"

sed 's/noon?/one?/' "$W/b" >"$W/t"
v "$W/t"
expect_match "bridge field, body changed: body-hash-mismatch, no lookup" \
    "$OUT" "^result=fail reason=body-hash-mismatch"
expect_eq "bridge field, body changed: no DNS" \
    "$(printf '%s\n' "$OUT" | grep -c lookup=)" 0

BOB_SEL=sk$(printf %s bob | sha256sum | cut -c1-32)
for c in "bob@example.test:$SEL:i= another mailbox" \
    "alice@example.test:$BOB_SEL:s= bob's selector"; do
	what=${c##*:}
	c=${c%:*}
	bridge "${c#*:}" "${c%%:*}" "$W/msg" "$W/n"
	v "$W/n"
	expect_eq "$what: exit 1" "$RC" 1
	expect_match "$what: not counted (none)" "$OUT" \
	    "^result=none reason=no-signature"
	expect_eq "$what: no lookup" \
	    "$(printf '%s\n' "$OUT" | grep -c lookup=)" 0
done

"$SK" sign -k "$W/alice.pem" <"$W/b" >"$W/both" 2>"$W/err"
v "$W/both"
expect_eq "SKS and bridge field: exit 0" "$RC" 0
expect_match "SKS and bridge field: two signatures" "$OUT" \
    "^signature=2 kind=dkim selector=$SEL result=pass"
expect_match "SKS and bridge field: the SKS reported" "$OUT" \
    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP sender="

"$SK" sign --dkim -k "$W/alice.pem" <"$W/msg" >"$W/sd" 2>"$W/err"
v "$W/sd"
expect_match "sign --dkim: both signatures pass" "$OUT" \
    "^signature=2 kind=dkim selector=$SEL result=pass reason=ok"
expect_match "sign --dkim: the SKS reported" "$OUT" \
    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP sender="
# the same without its Sender-Key-Signature (the field and its folds)
awk 'skip && /^[ \t]/ { next } { skip = 0 }
    /^Sender-Key-Signature:/ { skip = 1; next } { print }' "$W/sd" >"$W/sd1"
v "$W/sd1"
expect_match "sign --dkim, bridge field alone: pass" "$OUT" \
    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP kind=dkim"

cleanup_rec
check "bed add: a DKIM key record with bob's key" bed add example.test \
    "$DKIM_OWNER TXT \"v=DKIM1; k=ed25519; p=$BOB_P\""
v "$W/b"
expect_eq "DKIM record with another key: exit 1" "$RC" 1
expect_match "DKIM record with another key: fail dkim-key-differs" "$OUT" \
    "^result=fail reason=dkim-key-differs"
v "$W/both"
expect_match "DKIM record with another key: the SKS still passes" "$OUT" \
    "^result=pass reason=ok"
done_testing
