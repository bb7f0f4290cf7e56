#!/bin/sh
# 70-milter: senderkey-milter driven by miltertest (tests/data/milter/
# run.lua) against a senderkeyd in the DNSSEC test bed.
#  verify mode: a message signed for alice@example.test gets
#    senderkey=pass and Sender-Key-Trust: trusted; a tampered body fails
#    the signature and, example.test publishing policy=all, is rejected
#    5.7.1 (monitor mode shows senderkey=fail and the unauthorized tag);
#    an unsigned message from example.test is rejected 5.7.1; forged
#    Authentication-Results carrying our authserv-id and every incoming
#    Sender-Key-Trust are deleted, another server's A-R is kept; a
#    bogus.test sender gets 451 4.7.0; a dead daemon gives 451 4.7.0;
#    a message signed for a sender whose key is revoked (expired) shows
#    senderkey=fail reason="key-revoked" ("key-expired").  The DKIM
#    bridge: a message carrying only the DKIM-Signature of "sign --dkim",
#    with alice's DKIM key record at her selector, passes through
#    LOOKUP and DKIMKEY on one connection (header.s= in the A-R, trusted).
#  header as delivered (issue 13): a Subject: whose bare CRs would read
#    as "From: alice" and an early end of the header (alice's signature
#    over that reading, From: CEO delivered) is refused 550 5.6.0 and
#    never gets Sender-Key-Trust: trusted; the milter logs why once.
#  sign mode: {auth_authen}=alice signs as alice@example.test and
#    "senderkey verify" accepts the result in the bed; mallory is
#    refused 5.7.1 for the same From:; a From: without a KeyTable entry
#    passes unsigned.  MilterDkim: off by default (no DKIM-Signature);
#    with "MilterDkim yes" alice's submission also gets the DKIM bridge's
#    DKIM-Signature (d=, s= selector, i=), which python3-dkim accepts
#    with alice's key served as "v=DKIM1; ..." at her selector name, and
#    "senderkey verify" still passes; "MilterDkim maybe" stops start-up
#    (78, file:line).
#  start-up: a KeyTable key readable by others stops the milter.
. "$(dirname "$0")/lib.sh"

command -v miltertest >/dev/null 2>&1 || skip_all "miltertest is not installed"
need_root
bed_up

SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
LUA=$SK_TOP/tests/data/milter/run.lua
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"

D=$(mktemp -d /tmp/sk-70.XXXXXX)
chmod 755 "$D"
PIDS=""
DKIM_ADDED=""
cleanup() {
	[ -n "$DKIM_ADDED" ] &&
	    bed del example.test "$DKIM_ADDED._domainkey" TXT >/dev/null 2>&1
	for p in $PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

cp "$SK_TOP/tests/bed/alice.pem" "$D/alice.pem"
chmod 600 "$D/alice.pem"

# the daemon, in the bed
skd_start d "$D" "DNSTimeout 3s"
PIDS="$PIDS $SKD_PID"
check "senderkeyd is up" test -S "$D/d.sock"

printf 'alice@example.test %s alice\n' "$D/alice.pem" >"$D/keytable"

# milter NAME [EXTRA CONFIG LINES]: start a milter, wait for its socket
milter() {
	_n=$1
	shift
	{
		echo "Socket unix:${DSOCK:-$D/d.sock}"
		echo "MilterSocket unix:$D/$_n.sock"
		case "$*" in *SocketGroup*) ;; *) echo "SocketGroup root" ;; esac
		echo "AuthservID mx.example.net"
		echo "KeyTable $D/keytable"
		echo "MilterDaemonTimeout 5s"
		for l in "$@"; do echo "$l"; done
	} >"$D/$_n.conf"
	"$SKM" -d -x "$D/$_n.conf" >"$D/$_n.log" 2>&1 &
	PIDS="$PIDS $!"
	_i=0
	while [ ! -S "$D/$_n.sock" ]; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || break
		sleep 0.1
	done
}

# mt SOCKNAME MSGFILE [AUTH]: run miltertest; output in OUT
mt() {
	OUT=$(SK_MT_SOCK="unix:$D/$1.sock" SK_MT_MSG="$2" \
	    SK_MT_FROM="${FROM:-alice@example.test}" \
	    SK_MT_RCPT="${RCPT:-bob@example.net}" SK_MT_AUTH="${3:-}" \
	    SK_MT_OUT="${MTOUT:-}" SK_MT_EXPECT="${EXPECT:-}" miltertest -s "$LUA" 2>&1)
}

cat >"$D/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: Lunch on Thursday?
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.4711@mail.example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bob,

Shall  we meet at noon?	The usual place.

Alice
MSG

milter v
check "the milter listens" test -S "$D/v.sock"

# ---- verify mode ------------------------------------------------------
"$SK" sign -k "$D/alice.pem" <"$D/msg" >"$D/signed" 2>"$D/err"
check "senderkey sign signs the test message" test -s "$D/signed"
{
	echo "Authentication-Results: mx.example.net; senderkey=pass header.from=alice@example.test"
	echo "Authentication-Results: other.example.org; spf=pass smtp.mailfrom=example.test"
	echo "Sender-Key-Trust: authorized; reason=allowlisted-signed"
	cat "$D/signed"
} >"$D/signed-forged"

mt v "$D/signed"
expect_match "signed, secure sender: accepted" "$OUT" "^reply=a"
expect_match "signed, secure sender: senderkey=pass with header.from and header.b" \
    "$OUT" "^insert=Authentication-Results: mx\.example\.net; senderkey=pass header\.from=alice@example\.test header\.b=([A-Za-z0-9+]{8}|\"[A-Za-z0-9+/]{8}\")$"
expect_match "signed, secure sender: Sender-Key-Trust: trusted" "$OUT" \
    "^insert=Sender-Key-Trust: trusted; reason=key-secure-signed; sender=alice@example.test; key=[0-9a-f]{64}$"

mt v "$D/signed-forged"
expect_match "forged copies: still pass" "$OUT" "senderkey=pass"
expect_match "forged copies: our Authentication-Results deleted" "$OUT" \
    "^delete=Authentication-Results$"
expect_match "forged copies: incoming Sender-Key-Trust deleted" "$OUT" \
    "^delete=Sender-Key-Trust$"

mt v "$D/signed"
if printf '%s\n' "$OUT" | grep -q '^delete='; then
	not_ok "clean message: nothing deleted"
else
	ok "clean message: nothing deleted"
fi

# The DKIM bridge: only the DKIM-Signature of "sign --dkim" (the
# Sender-Key-Signature on top taken out), alice's key also published as
# her DKIM key record: the milter asks LOOKUP and DKIMKEY and passes it.
BSEL=sk$(printf alice | sha256sum | cut -c1-32)
if bed add example.test "$BSEL._domainkey TXT \"v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=\"" >"$_t_out" 2>&1; then
	DKIM_ADDED=$BSEL
	ok "alice's DKIM key record published at $BSEL._domainkey"
else
	not_ok "alice's DKIM key record published at $BSEL._domainkey"
fi
"$SK" sign --dkim -k "$D/alice.pem" <"$D/msg" 2>"$D/err" |
    awk 'h == 0 && /^Sender-Key-Signature:/ { skip = 1; next }
	h == 0 && skip && /^[ \t]/ { next }
	{ skip = 0 } $0 == "" { h = 1 } { print }' >"$D/dkim-only"
check "a message with only the bridge DKIM-Signature" \
    sh -c "grep -q '^DKIM-Signature:' '$D/dkim-only' &&
    ! grep -q '^Sender-Key-Signature:' '$D/dkim-only'"
N0=$(printf 'STATS\n' | "$SK_BUILD/tests/skclient" "$D/d.sock" -n 1 |
    sed -n 's/.* requests_dkimkey=\([0-9]*\) .*/\1/p')
mt v "$D/dkim-only"
expect_match "bridge DKIM-Signature alone: accepted" "$OUT" "^reply=a"
expect_match "bridge DKIM-Signature alone: senderkey=pass with header.s=" \
    "$OUT" "^insert=Authentication-Results: mx\.example\.net; senderkey=pass header\.from=alice@example\.test header\.b=([A-Za-z0-9+]{8}|\"[A-Za-z0-9+/]{8}\") header\.s=$BSEL\$"
expect_match "bridge DKIM-Signature alone: Sender-Key-Trust: trusted" \
    "$OUT" "^insert=Sender-Key-Trust: trusted; reason=key-secure-signed; sender=alice@example.test; key=[0-9a-f]{64}$"
N1=$(printf 'STATS\n' | "$SK_BUILD/tests/skclient" "$D/d.sock" -n 1 |
    sed -n 's/.* requests_dkimkey=\([0-9]*\) .*/\1/p')
expect_eq "bridge DKIM-Signature alone: the milter asked DKIMKEY once" \
    "$((${N1:-0} - ${N0:-0}))" 1

# A header field holding a bare CR (issue 13): the MTA delivers one
# Subject: field and From: ceo; a milter that took the CRs for line breaks
# would read From: alice and an early end of the header, and vouch for
# alice's signature over a message shown as the CEO's.  The signed view
# is built first, then its Subject:, From: and empty line are joined with
# CRs into the one Subject: value the MTA hands over.
printf 'Subject: hi\nFrom: Alice <alice@example.test>\n\nFrom: CEO <ceo@example.test>\nTo: Bob <bob@example.net>\nSubject: Wire the money\nMIME-Version: 1.0\nContent-Type: text/plain\n\nPlease pay.\n' >"$D/view"
"$SK" sign -k "$D/alice.pem" <"$D/view" >"$D/view-signed"
awk 'h == 0 && $0 == "Subject: hi" { s = 1; next }
    s == 1 { printf "Subject: hi\r%s\r\r\n", $0; s = 2; next }
    s == 2 && $0 == "" { s = 3; h = 1; next }
    { print }' "$D/view-signed" >"$D/cr-attack"
check "CR attack message built" grep -q '^From: CEO' "$D/cr-attack"
EXPECT="550 5.6.0 senderkey: message header cannot be parsed" \
    mt v "$D/cr-attack"
if printf '%s\n' "$OUT" | grep -q '^insert=Sender-Key-Trust: trusted'; then
	not_ok "Subject: with bare CRs hiding From: alice: never trusted"
else
	ok "Subject: with bare CRs hiding From: alice: never trusted"
fi
expect_match "Subject: with bare CRs: refused 550 5.6.0" "$OUT" \
    "^smtp=550 5\.6\.0 "
expect_match "... and the milter logs why, once" \
    "$(grep -c 'carriage return' "$D/v.log")" "^1$"

sed 's/noon?/one?/' "$D/signed" >"$D/tampered"
EXPECT="550 5.7.1 $(refusal allow sig-fail bob@example.net)" \
    mt v "$D/tampered"
expect_match "tampered body, policy=all domain: rejected 550 5.7.1 sig-fail, the words of refusals.tsv" \
    "$OUT" "^smtp=550 5\.7\.1 <bob@example\.net> accepts mail from your domain .*\(senderkey: sig-fail\)$"

EXPECT="550 5.7.1 $(refusal allow sig-missing bob@example.net)" \
    mt v "$D/msg"
expect_match "unsigned, policy=all domain: rejected 550 5.7.1 sig-missing, the words of refusals.tsv" \
    "$OUT" "^smtp=550 5\.7\.1 <bob@example\.net> accepts mail from your domain .*\(senderkey: sig-missing\)$"

sed 's/alice@example.test/alice@bogus.test/' "$D/msg" >"$D/bogus"
"$SK" sign -k "$D/alice.pem" <"$D/bogus" >"$D/bogus-signed"
FROM=alice@bogus.test \
    EXPECT="451 4.7.0 senderkey: temporary failure (dns-bogus)" \
    mt v "$D/bogus"
expect_match "bogus.test sender, unsigned: 451 4.7.0 dns-bogus" "$OUT" \
    "^smtp=451 4\.7\.0 .*\(dns-bogus\)$"
FROM=alice@bogus.test \
    EXPECT="451 4.7.0 senderkey: temporary failure (dns-bogus)" \
    mt v "$D/bogus-signed"
expect_match "bogus.test sender, signed: 451 4.7.0 dns-bogus" "$OUT" \
    "^smtp=451 4\.7\.0 .*\(dns-bogus\)$"

# monitor mode: never refuses, shows the verdicts
milter mon "Mode monitor"
mt mon "$D/tampered"
expect_match "monitor, tampered body: accepted" "$OUT" "^reply=a"
expect_match "monitor, tampered body: senderkey=fail body-hash-mismatch" \
    "$OUT" 'senderkey=fail reason="body-hash-mismatch" header\.from=alice@example\.test'
expect_match "monitor, tampered body: Sender-Key-Trust: unauthorized" \
    "$OUT" "^insert=Sender-Key-Trust: unauthorized; reason=sig-fail; sender=alice@example.test$"

# revoked and expired keys (fresh names on every run): LOOKUP tells them
# apart from a missing key, so the milter reports why the signature failed
KEY=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=
REVK=revk$$@example.test
EXPK=expk$$@example.test
H_REVK=$("$SK" owner -s "$REVK" | sed 's/\._senderkey\.example\.test\.$//')
H_EXPK=$("$SK" owner -s "$EXPK" | sed 's/\._senderkey\.example\.test\.$//')
bed add example.test "$H_REVK._senderkey TXT \"v=SK1; k=ed25519; p=\"" \
    "$H_EXPK._senderkey TXT \"v=SK1; k=ed25519; x=1600000000; p=$KEY\"" \
    >"$_t_out" 2>&1
check "a revoked and an expired key published" test $? -eq 0
for who in "$REVK" "$EXPK"; do
	sed "s/alice@example.test/$who/" "$D/msg" >"$D/m-$who"
	"$SK" sign -k "$D/alice.pem" <"$D/m-$who" >"$D/s-$who"
done
FROM=$REVK mt mon "$D/s-$REVK"
expect_match "revoked key: senderkey=fail reason=key-revoked" "$OUT" \
    "senderkey=fail reason=\"key-revoked\" header\.from=$REVK"
expect_match "revoked key: Sender-Key-Trust says key-revoked" "$OUT" \
    "^insert=Sender-Key-Trust: unauthorized; reason=key-revoked; sender=$REVK$"
FROM=$EXPK mt mon "$D/s-$EXPK"
expect_match "expired key: senderkey=fail reason=key-expired" "$OUT" \
    "senderkey=fail reason=\"key-expired\" header\.from=$EXPK"
bed del example.test "$H_REVK._senderkey" TXT >/dev/null 2>&1
bed del example.test "$H_EXPK._senderkey" TXT >/dev/null 2>&1

# a milter whose daemon is gone
DSOCK=$D/nothing.sock milter dead
EXPECT="451 4.7.0 senderkey: temporary failure (internal)" mt dead "$D/signed"
expect_match "dead daemon: 451 4.7.0, never accepted" "$OUT" \
    "^smtp=451 4\.7\.0 .*\(internal\)$"

# ---- sign mode --------------------------------------------------------
MTOUT=$D/out mt v "$D/msg" alice
expect_match "sign mode, alice: accepted" "$OUT" "^reply=a"
expect_match "sign mode, alice: Sender-Key-Signature inserted" "$OUT" \
    "^insert=Sender-Key-Signature: v=1; a=ed25519-sha256; "
VOUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
    <"$D/out" 2>&1)
expect_match "sign mode: senderkey verify accepts the milter's signature" \
    "$VOUT" "^result=pass reason=ok .*sender=alice@example.test"
EXPECT="550 5.7.1 senderkey: your login may not send as this From: address" \
    mt v "$D/msg" mallory
expect_match "sign mode, mallory as alice: refused 550 5.7.1" "$OUT" \
    "^smtp=550 5\.7\.1 senderkey: your login may not"
sed 's/alice@example.test/carol@example.test/' "$D/msg" >"$D/carol"
mt v "$D/carol" carol
expect_match "sign mode, From: without a key: accepted" "$OUT" "^reply=a"
if printf '%s\n' "$OUT" | grep -q '^insert='; then
	not_ok "sign mode, From: without a key: nothing inserted"
else
	ok "sign mode, From: without a key: nothing inserted"
fi

# ---- sign mode, MilterDkim ---------------------------------------------
if printf '%s\n' "$OUT" | grep -q '^insert=DKIM-Signature'; then
	not_ok "MilterDkim no (default): no DKIM-Signature"
else
	ok "MilterDkim no (default): no DKIM-Signature"
fi
SEL=sk$(printf alice | sha256sum | cut -c1-32)
milter k "MilterDkim yes"
MTOUT=$D/kout mt k "$D/msg" alice
expect_match "MilterDkim yes, alice: accepted" "$OUT" "^reply=a"
expect_match "MilterDkim yes: Sender-Key-Signature inserted" "$OUT" \
    "^insert=Sender-Key-Signature: v=1; a=ed25519-sha256; "
expect_match "MilterDkim yes: the bridge DKIM-Signature inserted" \
    "$(printf '%s' "$OUT" | tr -d '\n')" \
    "insert=DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=$SEL; i=alice@example.test;"
VOUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
    <"$D/kout" 2>&1)
expect_match "MilterDkim yes: senderkey verify still passes" \
    "$VOUT" "^result=pass reason=ok .*sender=alice@example.test"
if /usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null; then
	REC=$("$SK" record "$D/alice.pem" | sed 's/^v=SK1; /v=DKIM1; /')
	check "MilterDkim yes: python3-dkim accepts the DKIM-Signature" \
	    /usr/bin/python3 -c '
import sys, dkim
name = ("%s._domainkey.example.test." % sys.argv[1]).encode()
rec = sys.argv[2].encode()
msg = open(sys.argv[3], "rb").read()
sys.exit(0 if dkim.verify(msg, dnsfunc=lambda n, timeout=5:
    rec if n == name else None) else 1)' "$SEL" "$REC" "$D/kout"
else
	skip "python3-dkim on the milter's field" \
	    "python3-dkim or python3-nacl is not installed"
fi
{ cat "$D/v.conf"; echo "MilterDkim maybe"; } >"$D/bad.conf"
"$SKM" -n -x "$D/bad.conf" >"$D/n.out" 2>&1
expect_eq "MilterDkim maybe: the milter refuses to start" "$?" 78
expect_match "... naming the file, line and setting" "$(cat "$D/n.out")" \
    "bad\.conf:[0-9]+: MilterDkim: expected yes or no, got 'maybe'"

# ---- start-up ---------------------------------------------------------
chmod 644 "$D/alice.pem"
"$SKM" -n -x "$D/v.conf" >"$D/n.out" 2>&1
RC=$?
expect_eq "a key readable by others: the milter refuses to start" "$RC" 78
expect_match "... and says which key file" "$(cat "$D/n.out")" "alice\.pem"
chmod 600 "$D/alice.pem"
check "with the key 0600 the configuration checks out" "$SKM" -n -x "$D/v.conf"

# The socket gets SocketGroup, as senderkeyd's do: the MTA reaches it
# through that group (the shipped config runs the milter as senderkey,
# not as the MTA's user).
need_nobody
milter grp "SocketGroup nogroup"
expect_eq "the milter's socket: group SocketGroup, mode 0660" \
    "$(stat -c '%G %a' "$D/grp.sock" 2>&1)" "nogroup 660"

done_testing
