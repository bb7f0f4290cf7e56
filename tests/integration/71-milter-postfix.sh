#!/bin/sh
# 71-milter-postfix: senderkeyd (policy service and line socket, with a
# recipient policy store) and senderkey-milter together behind a real
# Postfix in the DNSSEC test bed (tests/bed/postfix up --policy --milter
# --submission), driven by swaks (issue 6, specs/protocol.md section 5,
# man/senderkey-milter.8).
#  verify path (port 25): a message signed for alice@example.test is
#    delivered with "senderkey=pass" and "Sender-Key-Trust: authorized"
#    to a deny-mode recipient that allowlists alice, and "trusted" to an
#    allow-mode recipient; a tampered body gets senderkey=fail and is
#    rejected 5.7.1 for the deny-mode recipient; an unsigned message from
#    example.test (policy=all) is rejected 5.7.1; a bogus.test sender
#    (DNS trouble) gets 4.7.x.
#  rendered fields (issue 12 section 5, specs/signature.md 2.2): a signed
#    plain-text message (no MIME fields) is delivered "trusted"; the same
#    copy with an added "Content-Type: text/html" is rejected 5.7.1
#    sig-fail for example.test (policy=all) and, from nsec3.test (no
#    policy record), delivered with senderkey=fail sig-mismatch and
#    "Sender-Key-Trust: untrusted", never authorized or trusted.
#  a Subject: with bare CRs hiding an early end of the header (issue 13):
#    Postfix delivers the CRs as spaces and hands the milter the same, so
#    the milter checks From: CEO as delivered: alice's signature is
#    sender-mismatch and the copy is "untrusted", never trusted; a
#    3000-octet Subject: line is delivered unchanged and trusted.
#  sign path (port 587, SMTP AUTH against a Cyrus sasldb): alice's
#    unsigned message is signed by the milter's sign mode (KeyTable), is
#    delivered with a Sender-Key-Signature that "senderkey verify" accepts
#    in the bed, and passes the receiving side's verify path when sent
#    back through port 25; a wrong password is refused at AUTH, and
#    mallory's login is refused 5.7.1 for alice's From:; a message
#    submitted without Date:, Message-ID: or MIME fields is signed after
#    Postfix's cleanup has added Date: and Message-ID:, so the delivered
#    copy still verifies.  With "MilterDkim yes" the delivered copy has
#    the DKIM bridge's DKIM-Signature right below the
#    Sender-Key-Signature, and python3-dkim accepts it (alice's key as
#    "v=DKIM1; ..." at her selector name).
#
# The bed is left up; this script's senderkeyd, milter and Postfix
# instance are stopped at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v saslpasswd2 >/dev/null 2>&1 ||
    skip_all "saslpasswd2 is not installed (sasl2-bin)"
[ -n "$(ls /usr/lib/x86_64-linux-gnu/sasl2/libsasldb.so* \
    /usr/lib/*/sasl2/libsasldb.so* 2>/dev/null)" ] ||
    skip_all "the Cyrus sasldb plugin is not installed (libsasl2-modules-db)"
SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
mail_up 71
mkdir -m 0755 "$D/run"
SKPID=
MPID=

cleanup() {
	stop_ours "$MPID" "$D/"
	stop_ours "$SKPID" "$D/"
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# --- keys, the policy store, the sasldb -----------------------------------
# Postfix hands the milter the SASL login with its realm
# (smtpd_sasl_local_domain = example.test): {auth_authen} is
# alice@example.test, as man/senderkey-milter.8's example allows.
alice_keytable
bob_store

SASLDB=$D/sasldb2
check "saslpasswd2 creates alice's login" sh -c "printf 'alice-secret' |
    saslpasswd2 -c -p -f '$SASLDB' -u example.test alice"
check "saslpasswd2 creates mallory's login" sh -c "printf 'mallory-secret' |
    saslpasswd2 -p -f '$SASLDB' -u example.test mallory"
chown root:postfix "$SASLDB" 2>/dev/null
chmod 0640 "$SASLDB"

# --- senderkeyd: line socket for the milter, policy socket for smtpd -----
SKD_GROUP=postfix
skd_up "senderkeyd starts with the PolicyStore" skd "$D/run" \
    "DNSTimeout 3s" "DefaultMode allow" "PolicyStore $STORE"
SKPID=$SKD_PID

# --- the milter: verify and (for SMTP AUTH) sign, as user postfix --------
milter_up "senderkey-milter listens" "KeyTable $D/keytable" \
    "MilterDaemonTimeout 10s" "MilterDkim yes"

if ! "$PF" up --policy "unix:$D/run/skd.policy" \
    --milter "unix:$D/run/milter.sock" --submission "$SASLDB" \
    >"$_t_out" 2>&1; then
	not_ok "postfix up with the policy service, the milter and submission"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up with the policy service, the milter and submission"

# --- helpers ----------------------------------------------------------------
# send_data FROM TO FILE and data_reply come from mail.sh.

# every server reply line, for "somewhere it said 4.7.x"
replies() {
	printf '%s\n' "$OUT" | sed -n 's/^<[-~*]* *\([2-5][0-9][0-9][ -].*\)$/\1/p'
}


delivered() {	# RCPT: the Maildir file of the last queued message
	_q=$(queued_id)
	[ -n "$_q" ] || { echo ""; return; }
	"$PF" result "$_q" --wait 30 2>&1 | grep -F "recipient=$1 " |
	    tr ' ' '\n' | sed -n 's/^file=//p' | sed 's/^-$//' | head -n 1
}

# headers_of FILE NAME: the unfolded values of NAME in FILE's header.
headers_of() {
	awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
	    /^\r?$/ { exit }
	    /^[ \t]/ { if (on) { sub(/^[ \t]+/, " "); v = v $0 }; next }
	    { if (on) print v; on = 0 }
	    tolower(substr($0, 1, length(n))) == n {
		v = substr($0, length(n) + 1); sub(/^ */, "", v); on = 1
	    }
	    END { if (on) print v }' "$1" | tr -d '\r'
}

# delivered_ok NAME RCPT AR-PATTERN TRUST: last send delivered to RCPT
# with an Authentication-Results matching AR-PATTERN and exactly TRUST.
delivered_ok() {
	expect_match "$1: end of DATA gets 250" "$(data_reply)" '^250 '
	_f=$(delivered "$2")
	if [ -f "$_f" ]; then
		expect_match "$1: Authentication-Results" \
		    "$(headers_of "$_f" Authentication-Results)" "$3"
		expect_eq "$1: Sender-Key-Trust" \
		    "$(headers_of "$_f" Sender-Key-Trust)" "$4"
	else
		not_ok "$1: delivered to $2"
		diag "$OUT"
		diag "$(tail -n 20 "$D/milter.log")"
	fi
}

cat >"$D/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: 71-milter-postfix
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.71@mail.example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bob,

Shall  we meet at noon?	The usual place.

Alice
MSG
"$SK" sign -k "$D/keys/alice.pem" <"$D/msg" >"$D/signed" 2>"$D/err"
check "senderkey sign signs the test message" test -s "$D/signed"
sed 's/noon?/one?/' "$D/signed" >"$D/tampered"
sed 's/alice@example.test/alice@bogus.test/' "$D/msg" >"$D/bogus"

AK=991303b76cb2209b2e22129e535c01f46fcc50532f10d4902dcd0bd373c2e784
AR_PASS='^mx\.bed\.test; senderkey=pass header\.from=alice@example\.test'

# --- verify path: port 25 -----------------------------------------------
send_data alice@example.test bob@example.net "$D/signed"
delivered_ok "signed, deny-mode recipient allowlisting alice" \
    bob@example.net "$AR_PASS" "authorized; reason=allowlisted-signed; sender=alice@example.test; key=$AK"

send_data alice@example.test dan@example.net "$D/signed"
delivered_ok "signed, allow-mode recipient" dan@example.net "$AR_PASS" \
    "trusted; reason=key-secure-signed; sender=alice@example.test; key=$AK"

send_data alice@example.test bob@example.net "$D/tampered"
expect_match "tampered body, deny-mode recipient: rejected 5.7.1 sig-fail" \
    "$(data_reply)" '^5[0-9][0-9] 5\.7\.1 .*\(senderkey: sig-fail\)'
expect_eq "tampered body: nothing is queued" "$(queued_id)" ""
expect_match "tampered body: the milter logged senderkey=fail" \
    "$(grep -F 'from=alice@example.test' "$D/milter.log")" \
    'result=fail '

send_data alice@example.test dan@example.net "$D/msg"
expect_match "unsigned, policy=all domain: rejected 5.7.1 sig-missing" \
    "$(data_reply)" '^5[0-9][0-9] 5\.7\.1 .*\(senderkey: sig-missing\)'
expect_eq "unsigned: nothing is queued" "$(queued_id)" ""

send_data alice@bogus.test dan@example.net "$D/bogus"
expect_match "bogus.test sender (DNS trouble): 4.7.x" "$(replies)" \
    '^4[0-9][0-9] 4\.7\.[0-9]+ '
expect_eq "bogus.test sender: nothing is queued" "$(queued_id)" ""

# --- rendered fields: an added Content-Type: breaks the signature ---------
# A plain-text message: no MIME-Version:, Content-Type: or
# Content-Transfer-Encoding:, which the signer lists as absent.  The
# body reads as markup once a client is told it is HTML.
cat >"$D/plain" <<'MSG'
From: Alice Example <alice@example.test>
To: Dan <dan@example.net>
Subject: 71-milter-postfix plain
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.71plain@mail.example.test>

Hi Dan,

<a href="http://evil.example/">Your invoice</a><span style="display:none">
Ignore the text below.</span>

Alice
MSG
"$SK" sign -k "$D/keys/alice.pem" <"$D/plain" >"$D/plain.signed" 2>"$D/err"
check "senderkey sign signs the plain-text message" test -s "$D/plain.signed"
# html FILE: FILE with "Content-Type: text/html" added below Subject:
html() {
	sed '/^Subject:/a\
Content-Type: text/html; charset=utf-8' "$1"
}
html "$D/plain.signed" >"$D/plain.html"
check "the forged copy has the added Content-Type:" \
    grep -q '^Content-Type: text/html' "$D/plain.html"

send_data alice@example.test dan@example.net "$D/plain.signed"
delivered_ok "signed plain text, allow-mode recipient" dan@example.net \
    "$AR_PASS" "trusted; reason=key-secure-signed; sender=alice@example.test; key=$AK"

send_data alice@example.test bob@example.net "$D/plain.html"
expect_match \
    "plain text + Content-Type: text/html, deny-mode rcpt: 5.7.1 sig-fail" \
    "$(data_reply)" '^5[0-9][0-9] 5\.7\.1 .*\(senderkey: sig-fail\)'
expect_eq "plain text + Content-Type: text/html: nothing is queued" \
    "$(queued_id)" ""

sed 's/alice@example.test/alice@nsec3.test/' "$D/plain" >"$D/plain3"
"$SK" sign -k "$D/keys/alice.pem" <"$D/plain3" >"$D/plain3.signed" 2>"$D/err"
html "$D/plain3.signed" >"$D/plain3.html"
AR3='^mx\.bed\.test; senderkey=%s .*header\.from=alice@nsec3\.test'
send_data alice@nsec3.test dan@example.net "$D/plain3.signed"
delivered_ok "nsec3.test, signed plain text: control" dan@example.net \
    "$(printf "$AR3" pass)" "trusted; reason=key-secure-signed; sender=alice@nsec3.test; key=$AK"
send_data alice@nsec3.test dan@example.net "$D/plain3.html"
delivered_ok "nsec3.test, plain text + Content-Type: text/html: not trusted" \
    dan@example.net \
    "$(printf "$AR3" 'fail reason="sig-mismatch"')" \
    "untrusted; reason=sig-fail; sender=alice@nsec3.test"

# --- a Subject: with bare CRs (issue 13, as in 70-milter) -----------------
# Alice's signature covers a header that ends after "From: alice"; the
# message sent joins that header into one Subject: value with bare CRs,
# so what is delivered shows From: CEO.  Postfix turns each bare CR into
# a space before the milter sees the field: the milter checks the header
# as delivered (From: CEO), alice's signature does not verify for it, and
# nothing is vouched for.
printf 'Subject: hi\nFrom: Alice <alice@example.test>\n\nFrom: CEO <ceo@nsec3.test>\nTo: Dan <dan@example.net>\nSubject: Wire the money\nMIME-Version: 1.0\nContent-Type: text/plain\n\nPlease pay.\n' >"$D/view"
"$SK" sign -k "$D/keys/alice.pem" <"$D/view" >"$D/view.signed" 2>"$D/err"
awk 'h == 0 && $0 == "Subject: hi" { s = 1; next }
    s == 1 { printf "Subject: hi\r%s\r\r\n", $0; s = 2; next }
    s == 2 && $0 == "" { s = 3; h = 1; next }
    { print }' "$D/view.signed" >"$D/cr-attack"
send_data alice@example.test dan@example.net "$D/cr-attack"
delivered_ok "Subject: with bare CRs: checked as delivered, not trusted" \
    dan@example.net \
    '^mx\.bed\.test; senderkey=fail reason="sender-mismatch" header\.from=ceo@nsec3\.test' \
    "untrusted; reason=no-key; sender=ceo@nsec3.test"
F=$(delivered dan@example.net)
if [ -f "$F" ]; then
	expect_match "Subject: with bare CRs: Postfix delivers them as spaces" \
	    "$(headers_of "$F" Subject | head -n 1 | cat -A)" \
	    '^hi From: Alice <alice@example\.test> *\$$'
fi

# A 3000-octet Subject: line (longer than SMTP's 998) reaches the milter
# and the mailbox unchanged: checked as delivered, trusted, and the
# delivered copy verifies.
printf 'From: Alice <alice@nsec3.test>\nTo: Dan <dan@example.net>\nSubject: %s\nDate: Thu, 13 Nov 2025 09:30:00 +0000\nMessage-ID: <20251113093000.71long@mail.nsec3.test>\nMIME-Version: 1.0\nContent-Type: text/plain\n\nlong\n' \
    "$(head -c 3000 /dev/zero | tr '\0' x)" >"$D/long"
"$SK" sign -k "$D/keys/alice.pem" <"$D/long" >"$D/long.signed" 2>"$D/err"
send_data alice@nsec3.test dan@example.net "$D/long.signed"
delivered_ok "a 3000-octet Subject: line: trusted" dan@example.net \
    "$(printf "$AR3" pass)" "trusted; reason=key-secure-signed; sender=alice@nsec3.test; key=$AK"
F=$(delivered dan@example.net)
[ -f "$F" ] && expect_match "a 3000-octet Subject: line: the delivered copy verifies" \
    "$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" <"$F" 2>&1)" \
    "^result=pass reason=ok .*sender=alice@nsec3.test"

# --- Authentication-Results header.b: a token or a quoted string --------
# RFC 8601 allows only an RFC 2045 token or a quoted-string as the value
# of header.b; base64 writes '/' (about one signature in eight among its
# first 8 characters), which is no token character.  Sign variants of the
# message until b= starts with a '/' within 8 characters, deliver it, and
# let python3-authres read the delivered field.
PY=/usr/bin/python3
if "$PY" -c 'import authres' 2>/dev/null; then
	_n=0 _b=
	while [ $_n -lt 200 ]; do
		sed "s/^Subject: .*/Subject: 71 header.b $_n/" "$D/msg" |
		    "$SK" sign -k "$D/keys/alice.pem" >"$D/slash" 2>"$D/err"
		_b=$(headers_of "$D/slash" Sender-Key-Signature | tr -d ' \t' |
		    sed -n 's/.*;b=\([^;]*\).*/\1/p' | cut -c1-8)
		case $_b in */*) break ;; esac
		_n=$((_n + 1))
	done
	expect_match "a signature whose b= has '/' in its first 8 characters" \
	    "$_b" '/'
	send_data alice@example.test dan@example.net "$D/slash"
	delivered_ok "b= with '/': delivered, trusted" dan@example.net \
	    "$AR_PASS" "trusted; reason=key-secure-signed; sender=alice@example.test; key=$AK"
	_f=$(delivered dan@example.net)
	_ar=$(headers_of "$_f" Authentication-Results)
	# authres reads the value; the raw field must then hold it as a
	# token or as a quoted string, nothing else.
	_v=$(printf '%s' "$_ar" | "$PY" -c '
import sys, authres
h = authres.AuthenticationResultsHeader.parse_value(sys.stdin.read())
for r in h.results:
    for p in r.properties:
        if p.type == "header" and p.name == "b":
            print(p.value)' 2>"$D/err")
	expect_eq "python3-authres reads header.b as the signature's first 8" \
	    "$_v" "$_b"
	if printf '%s' "$_ar" | grep -qF "header.b=\"$_b\""; then
		ok "header.b with '/' is a quoted string"
	else
		not_ok "header.b with '/' is a quoted string"
		diag "$_ar"
	fi
else
	skip "python3-authres is not installed"
fi

# --- sign path: port 587 with SMTP AUTH -----------------------------------
send_data alice@example.test bob@example.net "$D/msg" --port 587 \
    --auth PLAIN --auth-user alice --auth-password wrong-secret
expect_match "submission, wrong password: AUTH refused 535" "$(replies)" \
    '^535 '
expect_eq "submission, wrong password: nothing is queued" "$(queued_id)" ""

send_data alice@example.test dan@example.net "$D/msg" --port 587 \
    --auth PLAIN --auth-user mallory --auth-password mallory-secret
expect_match "submission, mallory with alice's From: refused 5.7.1" \
    "$(data_reply)" '^5[0-9][0-9] 5\.7\.1 senderkey: your login may not'
expect_eq "submission, mallory: nothing is queued" "$(queued_id)" ""

send_data alice@example.test dan@example.net "$D/msg" --port 587 \
    --auth PLAIN --auth-user alice --auth-password alice-secret
expect_match "submission, alice: AUTH accepted" "$(replies)" '^235 '
expect_match "submission, alice: end of DATA gets 250" "$(data_reply)" '^250 '
F=$(delivered dan@example.net)
if [ -f "$F" ]; then
	expect_match "submission: delivered with the milter's signature" \
	    "$(headers_of "$F" Sender-Key-Signature)" \
	    '^v=1; a=ed25519-sha256; .*s=alice@example\.test'
	expect_eq "submission: the DKIM-Signature right below it" \
	    "$(awk '/^$/ { exit } /^Sender-Key-Signature:/ { s = 1; next }
	    s && /^[^ \t]/ { print $1; exit }' "$F")" "DKIM-Signature:"
	if /usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null; then
		check "submission: python3-dkim accepts the DKIM-Signature" \
		    /usr/bin/python3 -c '
import sys, hashlib, dkim
name = ("sk%s._domainkey.example.test." %
    hashlib.sha256(b"alice").hexdigest()[:32]).encode()
rec = sys.argv[1].encode()
msg = open(sys.argv[2], "rb").read()
sys.exit(0 if dkim.verify(msg, dnsfunc=lambda n, timeout=5:
    rec if n == name else None) else 1)' "$("$SK" record "$D/keys/alice.pem" |
		    sed 's/^v=SK1; /v=DKIM1; /')" "$F"
	else
		skip "python3-dkim on the delivered copy" \
		    "python3-dkim or python3-nacl is not installed"
	fi
	cp "$F" "$D/submitted"
	VOUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    <"$D/submitted" 2>&1)
	expect_match "submission: senderkey verify accepts the delivered copy" \
	    "$VOUT" "^result=pass reason=ok .*sender=alice@example.test"
	# The receiving side: the delivered copy back through port 25.
	send_data alice@example.test bob@example.net "$D/submitted"
	delivered_ok "submission, back through port 25 to the deny-mode recipient" \
	    bob@example.net "$AR_PASS" "authorized; reason=allowlisted-signed; sender=alice@example.test; key=$AK"
else
	not_ok "submission: delivered to dan@example.net"
	diag "$OUT"
	diag "$(tail -n 20 "$D/milter.log")"
fi

# A bare message: Postfix's cleanup adds Date: and Message-ID: before the
# milter sees the header, so their signed absence (2.2) breaks nothing.
printf 'From: alice@example.test\nSubject: 71 bare\n\nbare\n' >"$D/bare"
send_data alice@example.test dan@example.net "$D/bare" --port 587 \
    --auth PLAIN --auth-user alice --auth-password alice-secret
expect_match "submission, bare message: end of DATA gets 250" \
    "$(data_reply)" '^250 '
F=$(delivered dan@example.net)
if [ -f "$F" ]; then
	expect_match "submission, bare message: Postfix added Date:" \
	    "$(headers_of "$F" Date)" '[0-9]'
	expect_match \
	    "submission, bare message: signed with Date: and Message-ID: in h=" \
	    "$(headers_of "$F" Sender-Key-Signature | tr -d ' ')" \
	    'h=from:from:.*date:date:message-id:message-id:.*content-type'
	VOUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    <"$F" 2>&1)
	expect_match "submission, bare message: the delivered copy verifies" \
	    "$VOUT" "^result=pass reason=ok .*sender=alice@example.test"
else
	not_ok "submission, bare message: delivered to dan@example.net"
	diag "$OUT"
	diag "$(tail -n 20 "$D/milter.log")"
fi

done_testing
