#!/bin/sh
# 72-opendkim-bed: tests/bed/opendkim, OpenDKIM as a verifying milter in
# the DNSSEC test bed (issue 18; the peer of bench/milter and
# bench/mailpath), behind the bed's Postfix (--policy none --milter).
#  - a message DKIM-signed by python3-dkim (RSA-2048, relaxed/relaxed)
#    with a key published in the bed (sk72._domainkey.example.test) is
#    delivered with "dkim=pass (2048-bit key; secure)" from
#    opendkim.bed.test: the key was validated from the bed's anchor;
#  - the same message with a changed body gets "dkim=fail";
#  - OpenDKIM started afresh survives 32 concurrent SMTP sessions as its
#    very first connections (smtp-source -s 32): all 32 are delivered
#    with dkim=pass secure, and the filter still runs;
#  - 32 milter connections that reach the end of the header at the same
#    moment, 5 times (a small milter client here): all 160 get
#    "continue" and the filter still runs.  OpenDKIM parses its
#    ResolverConfiguration at that point of every message (VBR), in
#    libunbound's parser, which is not thread-safe: without the
#    bed's shim (tests/bed/ub-config-lock.c) the filter dies here;
#  - misconfigured without TrustAnchorFile (--no-anchor), the same message
#    gets "insecure key", never "secure": the checks above can tell.
# The bed is left up; OpenDKIM, the Postfix instance and the published
# key are taken away at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v opendkim >/dev/null 2>&1 || skip_all "opendkim is not installed"
command -v miltertest >/dev/null 2>&1 || skip_all "miltertest is not installed"
command -v smtp-source >/dev/null 2>&1 || skip_all "smtp-source is not installed"
/usr/bin/python3 -c 'import dkim' 2>/dev/null ||
    skip_all "python3-dkim is not installed"
ODK=$SK_TOP/tests/bed/opendkim
SEL=sk72
mail_up 72
PUBLISHED=

cleanup() {
	"$ODK" down >/dev/null 2>&1
	"$PF" down >/dev/null 2>&1
	[ -z "$PUBLISHED" ] ||
	    bed del example.test "$SEL._domainkey" TXT >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# --- a DKIM key in the bed --------------------------------------------------
check "openssl makes an RSA-2048 key" openssl genpkey -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$D/dkim.pem"
P=$(openssl pkey -in "$D/dkim.pem" -pubout -outform DER | base64 -w 0)
# the record in TXT strings of at most 250 octets (RFC 6376 3.6.2.2)
TXT=$(printf 'v=DKIM1; k=rsa; p=%s' "$P" | fold -w 250 |
    sed 's/.*/"&"/' | tr '\n' ' ')
if bed add example.test "$SEL._domainkey TXT $TXT" >"$_t_out" 2>&1; then
	PUBLISHED=1
	ok "the DKIM key is published at $SEL._domainkey.example.test"
else
	not_ok "the DKIM key is published at $SEL._domainkey.example.test"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi

# --- messages -----------------------------------------------------------------
printf '%s\r\n' "From: Alice <alice@example.test>" "To: Bob <bob@example.net>" \
    "Subject: 72-opendkim-bed" "Date: Mon, 07 Dec 2026 13:00:00 +0000" \
    "Message-ID: <72-opendkim-bed@example.test>" "" "Hello Bob," \
    "a message with a DKIM signature." >"$D/msg"
check "python3-dkim signs the message" /usr/bin/python3 -c '
import sys, dkim
msg = open(sys.argv[1], "rb").read()
key = open(sys.argv[2], "rb").read()
sig = dkim.sign(msg, sys.argv[3].encode(), b"example.test", key,
    canonicalize=(b"relaxed", b"relaxed"),
    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
open(sys.argv[4], "wb").write(sig + msg)' "$D/msg" "$D/dkim.pem" "$SEL" \
    "$D/signed"
sed 's/a DKIM signature/a changed body/' "$D/signed" >"$D/tampered"
# smtp-source -F sends each line with CRLF appended: LF line ends
tr -d '\r' <"$D/signed" >"$D/signed.lf"

AR_PASS="^opendkim\.bed\.test; dkim=pass \(2048-bit key; secure\) header\.d=example\.test .*header\.s=$SEL "

# ar_of FILE: OpenDKIM's Authentication-Results in FILE, unfolded
ar_of() {
	fields_of "$1" Authentication-Results | sed 's/^[^:]*: *//' |
	    tr -s ' \t' '  ' | grep -F "$SK_ODK_AUTHSERV;"
}

# --- OpenDKIM behind Postfix ------------------------------------------------
odk_up() {	# TITLE [ARGS]
	_o_t=$1
	shift
	if "$ODK" up "$@" >"$_t_out" 2>&1; then
		ok "$_o_t"
		eval "$("$ODK" env)"
	else
		not_ok "$_o_t"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
}

odk_up "opendkim up (verify mode, the bed's anchor and resolver config)"
if "$PF" up --policy none --milter "$SK_ODK_SOCK" >"$_t_out" 2>&1; then
	ok "postfix up with OpenDKIM as its milter"
else
	not_ok "postfix up with OpenDKIM as its milter"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi

send_data alice@example.test bob@example.net "$D/signed"
expect_match "signed: end of DATA gets 250" "$(data_reply)" '^250 '
F=$(delivered bob@example.net)
if [ -f "$F" ]; then
	expect_match "signed: dkim=pass, 2048-bit key, secure" \
	    "$(ar_of "$F")" "$AR_PASS"
else
	not_ok "signed: delivered"
	diag "$OUT"
fi

send_data alice@example.test bob@example.net "$D/tampered"
F=$(delivered bob@example.net)
if [ -f "$F" ]; then
	expect_match "changed body: dkim=fail" "$(ar_of "$F")" \
	    "^opendkim\.bed\.test; dkim=fail .*header\.s=$SEL "
else
	not_ok "changed body: delivered"
	diag "$OUT"
fi

# --- 32 concurrent sessions as the first connections -------------------------
"$ODK" down >/dev/null 2>&1
odk_up "opendkim up afresh"
R=odk72-$$@example.net
check "smtp-source: 32 concurrent sessions, 32 messages accepted" \
    ip netns exec "$SK_BED_NS" smtp-source -s 32 -m 32 -F "$D/signed.lf" \
    -f alice@example.test -t "$R" 127.0.0.1:25
check "OpenDKIM still runs after 32 concurrent first sessions" "$ODK" status
got() {	# the delivered files for $R
	grep -lixF "Delivered-To: $R" "$SK_PF_MAIL"/new/* 2>/dev/null
}
i=0
while [ "$(got | wc -l)" -lt 32 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
n=0
for f in $(got); do
	ar_of "$f" | grep -Eq "$AR_PASS" && n=$((n + 1))
done
expect_eq "all 32 delivered with dkim=pass secure" "$n" 32

# eoh_burst SOCKET N ROUNDS: ROUNDS times, N milter connections taken to
# the end of the header together (the same command to all, then the
# replies); prints how many got "continue" at the end of the header.
eoh_burst() {
	/usr/bin/python3 -c '
import socket, struct, sys
path, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def pkt(cmd, data=b""):
    return struct.pack("!I", len(data) + 1) + cmd + data
def recv(s):
    b = b""
    while len(b) < 4 or len(b) < 4 + struct.unpack("!I", b[:4])[0]:
        c = s.recv(65536)
        if not c:
            return b""
        b += c
    return b[4:5]
def step(socks, p, want=b"c"):
    for s in socks:
        s.sendall(p)
    good = 0
    for s in socks:
        try:
            good += recv(s) == want
        except OSError:
            pass
    return good
good = 0
for _ in range(rounds):
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(20)
        s.connect(path)
        socks.append(s)
    step(socks, pkt(b"O", struct.pack("!III", 6, 0x1ff, 0)), b"O")
    step(socks, pkt(b"C", b"client.bed.test\0" b"4" + struct.pack("!H", 25) +
        b"127.0.0.1\0"))
    step(socks, pkt(b"H", b"client.bed.test\0"))
    step(socks, pkt(b"M", b"<alice@example.test>\0"))
    step(socks, pkt(b"R", b"<bob@example.net>\0"))
    step(socks, pkt(b"L", b"From\0Alice <alice@example.test>\0"))
    good += step(socks, pkt(b"N"))
    for s in socks:
        try:
            s.sendall(pkt(b"Q"))
        except OSError:
            pass
        s.close()
print(good)' "$@" 2>&1
}

expect_eq "32 milter connections at the end of the header at once, 5 times" \
    "$(eoh_burst "${SK_ODK_SOCK#unix:}" 32 5)" 160
check "OpenDKIM still runs after them" "$ODK" status
if [ -s "$SK_ODK_LOG" ]; then
	diag "OpenDKIM's stderr:"
	diag "$(tail -n 5 "$SK_ODK_LOG")"
fi

# --- misconfigured: no trust anchor ------------------------------------------
odk_up "opendkim up without TrustAnchorFile" --no-anchor
send_data alice@example.test bob@example.net "$D/signed"
F=$(delivered bob@example.net)
if [ -f "$F" ]; then
	expect_match "no anchor: the key is unprotected" "$(ar_of "$F")" \
	    '^opendkim\.bed\.test; dkim=pass \(2048-bit key; unprotected\)'
	if ar_of "$F" | grep -Eq "$AR_PASS"; then
		not_ok "no anchor: never secure"
	else
		ok "no anchor: never secure"
	fi
else
	not_ok "no anchor: delivered"
	diag "$OUT"
fi

done_testing
