#!/bin/sh
# 73-dkim-bridge-peers: the DKIM bridge (issue 19, signature.md 11) with
# real DKIM and DMARC receivers and with senderkey-milter, in the DNSSEC
# test bed.  Messages are signed by "senderkey sign --dkim" (the
# Sender-Key-Signature on top, the DKIM-Signature with d= the From
# domain, s= the sender's selector, i= the From address below it); the
# DKIM key records are "senderkey zonegen --dkim" output (example.test)
# and "senderkey record --dkim" output (the same text; other zones),
# published with "bed add" at the name "senderkey owner --dkim" prints;
# _dmarc.example.test is "v=DMARC1; p=reject; adkim=s".  Two keys:
# alice's Ed25519 bed key (tests/bed/alice.pem, a=ed25519-sha256, RFC
# 8463) and an RSA-2048 key for carol@example.test (a=rsa-sha256).
#  Peers, each with the DKIM-Signature alone (the Sender-Key-Signature
#  taken out):
#  (a) python3-dkim 1.1.4 (dkim.verify, through the bed's unbound, records
#      only from answers with the AD bit, i.e. DNSSEC-validated): valid;
#      the message with a changed body: invalid; the key in insecure.test
#      (unsigned): not validated;
#  (b) OpenDKIM 2.11 (tests/bed/opendkim, verify mode, the bed's anchor,
#      UnprotectedKey fail) behind the bed's Postfix: dkim=pass, and
#      dkim=fail for the changed body.  RSA: "(2048-bit key; secure)".
#      Ed25519: OpenDKIM verifies it but writes no key comment (it prints
#      "(N-bit key; secure)" only when it knows a key size, none for
#      Ed25519), so "secure" is shown by UnprotectedKey fail: the same
#      sender in insecure.test gets dkim=policy, never pass;
#  (c) OpenDMARC 1.4.2 (tests/bed/opendmarc, after OpenDKIM, no SPF at
#      all): dmarc=pass for From: example.test with only that DKIM
#      signature; dmarc=fail for the changed body and for the message
#      without any signature (so nothing but the DKIM signature passes).
#  Both peers verify Ed25519 DKIM (Debian 12: python3-dkim with
#  python3-nacl, OpenDKIM 2.11.0~beta2 built with OpenSSL 3).
#  senderkey-milter with senderkeyd (DefaultMode allow) and OpenDKIM behind
#  the bed's Postfix, each message with the DKIM-Signature alone:
#   - alice@example.test (policy=all): Sender-Key-Trust trusted;
#   - alice@nsec3.test (signed, no policy record): a DKIM-Signature
#     re-signed here with alice's key (python3-dkim's hashing, the tags of
#     the senderkey one): unchanged -> trusted; with i= carol@nsec3.test,
#     with s= carol's selector (alice's key published there too), with
#     d=example.test (and i=alice@example.test, as DKIM needs i= inside
#     d=) -> untrusted sig-missing: OpenDKIM says dkim=pass for each, so
#     only the bridge's rules keep them from counting; the same i=
#     change from example.test (policy=all) is refused 5.7.1 sig-missing;
#   - a changed body (nsec3.test): untrusted sig-fail;
#   - alice@insecure.test (unsigned zone, DKIM and SK1 records there):
#     untrusted key-insecure.
# The bed is left up; the filters, senderkeyd, the Postfix instance and
# the records published here are taken away at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v opendkim >/dev/null 2>&1 || skip_all "opendkim is not installed"
command -v miltertest >/dev/null 2>&1 || skip_all "miltertest is not installed"
command -v opendmarc >/dev/null 2>&1 || skip_all "opendmarc is not installed"
/usr/bin/python3 -c 'import dkim, dns.resolver, nacl' 2>/dev/null ||
    skip_all "python3-dkim, python3-dnspython or python3-nacl is not installed"
SK=$SK_BIN/senderkey
[ -x "$SK_BIN/senderkeyd" ] || skip_all "bin/senderkeyd not built"
[ -x "$SK_BIN/senderkey-milter" ] || skip_all "bin/senderkey-milter not built"
ODK=$SK_TOP/tests/bed/opendkim
ODM=$SK_TOP/tests/bed/opendmarc
mail_up 73
mkdir -m 0755 "$D/run"
PUBLISHED=
SKPID=
MPID=

cleanup() {
	stop_ours "$MPID" "$D/"
	stop_ours "$SKPID" "$D/"
	"$ODM" down >/dev/null 2>&1
	"$ODK" down >/dev/null 2>&1
	"$PF" down >/dev/null 2>&1
	for _c_p in $PUBLISHED; do
		bed del "${_c_p%%/*}" "${_c_p#*/}" TXT >/dev/null 2>&1
	done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# publish ZONE NAME TEXT: TEXT as one TXT record at NAME in ZONE, in
# strings of at most 250 octets (RFC 6376 3.6.2.2); taken away at exit
publish() {
	_p_txt=$(printf '%s' "$3" | fold -w 250 | sed 's/.*/"&"/' | tr '\n' ' ')
	if bed add "$1" "$2 TXT $_p_txt" >"$_t_out" 2>&1; then
		PUBLISHED="$PUBLISHED $1/$2"
		ok "published $2.$1"
	else
		not_ok "published $2.$1"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
}

# publish_rr ZONE NAME LINE: the zone file line LINE (one record at NAME)
# added to ZONE; taken away at exit
publish_rr() {
	if bed add "$1" "$3" >"$_t_out" 2>&1; then
		PUBLISHED="$PUBLISHED $1/$2"
		ok "published $2.$1"
	else
		not_ok "published $2.$1"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
}

# dkim_name ADDRESS: the DKIM owner name of ADDRESS, relative to its
# domain ("senderkey owner --dkim")
dkim_name() {
	"$SK" owner --dkim "$1" | sed -n "s/^dkim  *\(.*\)\.${1#*@}\.$/\1/p"
}

# --- keys, records -------------------------------------------------------------
mkdir -m 0700 "$D/keys"
cp "$SK_TOP/tests/bed/alice.pem" "$D/keys/alice.pem"
chmod 0600 "$D/keys/alice.pem"
check "openssl makes carol's RSA-2048 key" openssl genpkey -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$D/keys/carol.pem"
chmod 0600 "$D/keys/carol.pem"
N_A=$(dkim_name alice@example.test)
N_C=$(dkim_name carol@example.test)
SEL_A=${N_A%._domainkey}
SEL_C=${N_C%._domainkey}
expect_eq "alice's selector is the one of specs/vectors/dkim-selectors.tsv" \
    "$SEL_A" "$(awk -F '\t' '$1 == "alice@example.test" { print $4 }' \
    "$SK_TOP/specs/vectors/dkim-selectors.tsv")"
REC_A=$("$SK" record --dkim "$D/keys/alice.pem")
REC_C=$("$SK" record --dkim "$D/keys/carol.pem")
expect_match "alice's DKIM record is Ed25519 with the SK1 record's p=" \
    "$REC_A" "^v=DKIM1; k=ed25519; .*p=$("$SK" record "$D/keys/alice.pem" |
    sed 's/.*p=//; s/[+]/[+]/g')\$"
expect_match "carol's DKIM record is RSA" "$REC_C" \
    '^v=DKIM1; k=rsa; .*p=MIIBIjAN[A-Za-z0-9+/]{380,}=*$'
# example.test's DKIM records as "zonegen --dkim" writes them
openssl pkey -in "$D/keys/carol.pem" -pubout -out "$D/keys/carol.pub"
printf 'address,key,not_before,not_after,flags\n%s,%s,,,\n%s,%s,,,\n' \
    alice@example.test "$SK_TOP/tests/bed/alice.pub" \
    carol@example.test "$D/keys/carol.pub" >"$D/senders.csv"
check "zonegen --dkim writes the records of alice and carol" \
    "$SK" zonegen -d example.test --dkim -o "$D/z.zone" "$D/senders.csv"
# zrr NAME: zonegen's TXT record at NAME.example.test., NAME relative
zrr() {
	grep "^$1\.example\.test\.[[:space:]]" "$D/z.zone" |
	    sed 's/^\([^[:space:]]*\)\.example\.test\./\1/'
}
# text RR: the TXT strings of RR joined
text() {
	printf '%s\n' "$1" | sed 's/^[^"]*"//; s/"$//; s/" "//g'
}
expect_eq "zonegen --dkim: alice's record is record --dkim's" \
    "$(text "$(zrr "$N_A")")" "$REC_A"
expect_eq "zonegen --dkim: carol's record is record --dkim's" \
    "$(text "$(zrr "$N_C")")" "$REC_C"
publish_rr example.test "$N_A" "$(zrr "$N_A")"
publish_rr example.test "$N_C" "$(zrr "$N_C")"
publish example.test _dmarc "v=DMARC1; p=reject; adkim=s"
publish insecure.test "$N_A" "$REC_A"
publish nsec3.test "$N_A" "$REC_A"
# carol's selector in nsec3.test with alice's key: a DKIM-valid signature
# by alice's key under carol's selector
publish nsec3.test "$N_C" "$REC_A"

# --- messages --------------------------------------------------------------------
# message NAME FROM: $D/NAME, a plain message from FROM to dan@example.net
message() {
	printf '%s\r\n' "From: $2" "To: Dan <dan@example.net>" \
	    "Subject: 73-dkim-bridge-peers $1" \
	    "Date: Mon, 07 Dec 2026 20:00:00 +0000" \
	    "Message-ID: <73-$1@example.test>" "MIME-Version: 1.0" \
	    "Content-Type: text/plain; charset=us-ascii" "" "Hello Dan," \
	    "a message with only a DKIM signature." >"$D/$1"
}
# dkim_only FILE: FILE without its Sender-Key-Signature field
dkim_only() {
	awk 'h { print; next }
	    /^\r?$/ { h = 1; print; next }
	    /^[ \t]/ { if (!skip) print; next }
	    { skip = tolower($0) ~ /^sender-key-signature[ \t]*:/ }
	    !skip { print }' "$1"
}
# sign NAME KEY: $D/NAME.signed ("sign --dkim"), $D/NAME.dkim (its
# DKIM-Signature alone) and $D/NAME.changed (that with a changed body)
sign() {
	check "senderkey sign --dkim signs $1" sh -c \
	    '"$1" sign --dkim -k "$2" <"$3" >"$3.signed"' sh "$SK" "$2" "$D/$1"
	dkim_only "$D/$1.signed" >"$D/$1.dkim"
	sed 's/only a DKIM signature/a changed body/' "$D/$1.dkim" \
	    >"$D/$1.changed"
}
message ed 'Alice <alice@example.test>'
sign ed "$D/keys/alice.pem"
message rsa 'Carol <carol@example.test>'
sign rsa "$D/keys/carol.pem"
message insec 'Alice <alice@insecure.test>'
sign insec "$D/keys/alice.pem"
message n3 'Alice <alice@nsec3.test>'
sign n3 "$D/keys/alice.pem"
message none 'Alice <alice@example.test>'
expect_eq "sign --dkim: the Sender-Key-Signature, then the DKIM-Signature" \
    "$(grep -v '^[ 	]' "$D/ed.signed" | head -n 2 | cut -d: -f1 | tr '\n' ' ')" \
    "Sender-Key-Signature DKIM-Signature "
expect_eq "the DKIM-only copy has no Sender-Key-Signature" \
    "$(grep -ci '^sender-key-signature' "$D/ed.dkim")" 0
expect_match "Ed25519: ed25519-sha256, d= From domain, s= selector, i= From" \
    "$(fields_of "$D/ed.dkim" DKIM-Signature | tr -d ' \t')" \
    "a=ed25519-sha256;.*d=example\.test;s=$SEL_A;i=alice@example\.test;"
expect_match "RSA: rsa-sha256, d= From domain, s= selector, i= From" \
    "$(fields_of "$D/rsa.dkim" DKIM-Signature | tr -d ' \t')" \
    "a=rsa-sha256;.*d=example\.test;s=$SEL_C;i=carol@example\.test;"

# --- (a) python3-dkim through the bed's resolver --------------------------------
# dkimpy FILE: "valid" or "invalid" from dkim.verify, whose DNS function
# asks the bed's unbound and takes a TXT only from an answer with the AD
# bit (DNSSEC-validated); "insecure" is printed when an answer lacked it.
dkimpy() {
	ip netns exec "$SK_BED_NS" /usr/bin/python3 -c '
import sys, dkim, dns.resolver, dns.flags
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.use_edns(0, dns.flags.DO, 1232)
r.flags = dns.flags.RD | dns.flags.AD
insecure = []
def txt(name, timeout=5):
    try:
        a = r.resolve(name.decode().rstrip("."), "TXT", lifetime=timeout)
    except Exception:
        return None
    if not a.response.flags & dns.flags.AD:
        insecure.append(name)
        return None
    return b"".join(a[0].strings)
ok = dkim.verify(open(sys.argv[1], "rb").read(), dnsfunc=txt)
print("valid" if ok else "insecure" if insecure else "invalid")' "$1" 2>&1
}
expect_eq "(a) python3-dkim: Ed25519 signature valid" \
    "$(dkimpy "$D/ed.dkim")" valid
expect_eq "(a) python3-dkim: Ed25519, changed body invalid" \
    "$(dkimpy "$D/ed.changed")" invalid
expect_eq "(a) python3-dkim: RSA signature valid" \
    "$(dkimpy "$D/rsa.dkim")" valid
expect_eq "(a) python3-dkim: RSA, changed body invalid" \
    "$(dkimpy "$D/rsa.changed")" invalid
expect_eq "(a) python3-dkim: key in insecure.test is not validated" \
    "$(dkimpy "$D/insec.dkim")" insecure

# senderkey verify (the bridge's verifying half, in the bed) on the same copies
skverify() {
	bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" <"$1" 2>&1 |
	    grep "^result="
}
expect_match "senderkey verify: the DKIM-Signature alone passes" \
    "$(skverify "$D/ed.dkim")" '^result=pass reason=ok .*kind=dkim'
expect_match "senderkey verify: changed body fails" \
    "$(skverify "$D/ed.changed")" '^result=fail '

# --- (b), (c) OpenDKIM and OpenDMARC behind the bed's Postfix --------------------
up() {	# TITLE CMD...
	_u_t=$1
	shift
	if "$@" >"$_t_out" 2>&1; then
		ok "$_u_t"
	else
		not_ok "$_u_t"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
}
up "opendkim up (verify mode, the bed's anchor, UnprotectedKey fail)" \
    "$ODK" up --set 'UnprotectedKey fail'
eval "$("$ODK" env)"
up "opendmarc up (trusts opendkim.bed.test, no SPF)" "$ODM" up
eval "$("$ODM" env)"
up "postfix up with OpenDKIM, then OpenDMARC as milters" \
    "$PF" up --policy none \
    --set "smtpd_milters = $SK_ODK_SOCK, $SK_ODM_SOCK" \
    --set 'milter_default_action = tempfail'

# ar FILE AUTHSERV: the Authentication-Results of AUTHSERV in FILE,
# unfolded, without the field name
ar() {
	fields_of "$1" Authentication-Results | sed 's/^[^:]*: *//' |
	    tr -s ' \t' '  ' | grep -F "$2;"
}
# through NAME FILE FROM: FILE through Postfix from FROM to dan; F is the
# delivered file, ODK_AR, ODM_AR and SK_AR the three filters'
# Authentication-Results and TRUST the Sender-Key-Trust field, all empty
# when nothing was delivered
through() {
	ODK_AR= ODM_AR= SK_AR= TRUST=
	send_data "$3" dan@example.net "$2"
	F=$(delivered dan@example.net)
	if [ -f "$F" ]; then
		ODK_AR=$(ar "$F" "$SK_ODK_AUTHSERV")
		ODM_AR=$(ar "$F" "$SK_ODM_AUTHSERV")
		SK_AR=$(ar "$F" mx.bed.test)
		TRUST=$(fields_of "$F" Sender-Key-Trust | sed 's/^[^:]*: *//' |
		    tr -s ' \t' '  ')
	else
		not_ok "$1: delivered"
		diag "$OUT"
	fi
}
A='^opendkim\.bed\.test; dkim'
M='^opendmarc\.bed\.test; dmarc'

through ed "$D/ed.dkim" alice@example.test
expect_match "(b) OpenDKIM: Ed25519 dkim=pass" "$ODK_AR" \
    "$A=pass header\.d=example\.test header\.i=alice@example\.test header\.a=ed25519-sha256 header\.s=$SEL_A "
expect_match "(c) OpenDMARC: Ed25519 DKIM alone, dmarc=pass" "$ODM_AR" \
    "$M=pass \(p=reject dis=none\) header\.from=example\.test$"
through ed-changed "$D/ed.changed" alice@example.test
expect_match "(b) OpenDKIM: Ed25519, changed body dkim=fail" "$ODK_AR" \
    "$A=fail .*header\.s=$SEL_A "
expect_match "(c) OpenDMARC: Ed25519, changed body dmarc=fail" "$ODM_AR" \
    "$M=fail \(p=reject .*header\.from=example\.test$"

through rsa "$D/rsa.dkim" carol@example.test
expect_match "(b) OpenDKIM: RSA dkim=pass (2048-bit key; secure)" "$ODK_AR" \
    "$A=pass \(2048-bit key; secure\) header\.d=example\.test header\.i=carol@example\.test header\.a=rsa-sha256 header\.s=$SEL_C "
expect_match "(c) OpenDMARC: RSA DKIM alone, dmarc=pass" "$ODM_AR" \
    "$M=pass \(p=reject dis=none\) header\.from=example\.test$"
through rsa-changed "$D/rsa.changed" carol@example.test
expect_match "(b) OpenDKIM: RSA, changed body dkim=fail" "$ODK_AR" \
    "$A=fail .*header\.s=$SEL_C "
expect_match "(c) OpenDMARC: RSA, changed body dmarc=fail" "$ODM_AR" \
    "$M=fail \(p=reject .*header\.from=example\.test$"

through insecure "$D/insec.dkim" alice@insecure.test
expect_match "(b) OpenDKIM: Ed25519 key in an unsigned zone, dkim=policy" \
    "$ODK_AR" "$A=policy .*header\.d=insecure\.test "
through unsigned "$D/none" alice@example.test
expect_match "(c) OpenDMARC: no signature, dmarc=fail (no SPF pass)" \
    "$ODM_AR" "$M=fail \(p=reject .*header\.from=example\.test$"
expect_match "(b) OpenDKIM: no signature, dkim=none" "$ODK_AR" "$A=none;"

# --- senderkey-milter: a DKIM-Signature alone --------------------------------------
# resign IN OUT TAG=VALUE...: IN's DKIM-Signature (Ed25519) signed again
# with alice's key after the changes (a tag that IN lacks goes before
# t=), the Sender-Key-Signature left out; everything else as in IN
SEED=$(openssl pkey -in "$D/keys/alice.pem" -outform DER | tail -c 32 |
    base64)
resign() {
	_r_in=$1
	_r_out=$2
	shift 2
	/usr/bin/python3 -c '
import sys, re, base64, hashlib, nacl.signing, dkim
from dkim.util import parse_tag_value
src, out, seed = sys.argv[1], sys.argv[2], base64.b64decode(sys.argv[3])
raw = open(src, "rb").read()
head, sep, body = raw.partition(b"\r\n\r\n")
fields = []
for line in head.split(b"\r\n"):
    if line[:1] in (b" ", b"\t") and fields:
        fields[-1] += b"\r\n" + line
    else:
        fields.append(line)
name = lambda f: f.split(b":", 1)[0].strip().lower()
sig = [f for f in fields if name(f) == b"dkim-signature"][0]
base = b"\r\n".join(f for f in fields
    if name(f) not in (b"dkim-signature", b"sender-key-signature"))
base += sep + body
tags = [[k, re.sub(rb"\s+", b"", v)]
    for k, v in parse_tag_value(sig.split(b":", 1)[1]).items()]
for k, v in (a.encode().split(b"=", 1) for a in sys.argv[4:]):
    for t in tags:
        if t[0] == k:
            t[1] = v
            break
    else:
        tags.insert([t[0] for t in tags].index(b"t"), [k, v])
t = dict(tags)
assert t[b"a"] == b"ed25519-sha256"
d = dkim.DKIM(base, linesep=b"\r\n")
canon = dkim.CanonicalizationPolicy.from_c_value(t[b"c"])
bh = base64.b64encode(hashlib.sha256(canon.canonicalize_body(d.body)).digest())
assert bh == t[b"bh"]
def value(b):
    return b" " + b";\r\n ".join(k + b"=" + (b if k == b"b" else v)
        for k, v in tags)
h = hashlib.sha256()
dkim.hash_headers(h, canon, canon.canonicalize_headers(d.headers),
    tuple(t[b"h"].lower().split(b":")), (b"DKIM-Signature", value(b"")), t)
b = base64.b64encode(nacl.signing.SigningKey(seed).sign(h.digest()).signature)
open(out, "wb").write(b"DKIM-Signature:" + value(b) + b"\r\n" + base)' \
	    "$_r_in" "$_r_out" "$SEED" "$@" >"$_t_out" 2>&1 ||
	    { not_ok "resign $_r_out"; sed 's/^/#   /' "$_t_out"; }
}
resign "$D/n3.signed" "$D/n3.same"
resign "$D/n3.signed" "$D/n3.i" i=carol@nsec3.test
resign "$D/n3.signed" "$D/n3.s" s="$SEL_C"
resign "$D/n3.signed" "$D/n3.d" d=example.test i=alice@example.test
resign "$D/ed.signed" "$D/ed.i" i=carol@example.test
for f in n3.same n3.i n3.s n3.d ed.i; do
	expect_eq "python3-dkim accepts the re-signed $f" \
	    "$(dkimpy "$D/$f")" valid
done

SKD_GROUP=postfix
skd_up "senderkeyd starts (DefaultMode allow)" skd "$D/run" \
    "DNSTimeout 3s" "DefaultMode allow"
SKPID=$SKD_PID
milter_up "senderkey-milter listens" "MilterDaemonTimeout 10s"
up "postfix up with senderkey-milter, then OpenDKIM as milters" \
    "$PF" up --policy none \
    --set "smtpd_milters = unix:$D/run/milter.sock, $SK_ODK_SOCK" \
    --set 'milter_default_action = tempfail'

AK=991303b76cb2209b2e22129e535c01f46fcc50532f10d4902dcd0bd373c2e784
through m-ed "$D/ed.dkim" alice@example.test
expect_eq "milter: example.test, DKIM-Signature alone: trusted" "$TRUST" \
    "trusted; reason=key-secure-signed; sender=alice@example.test; key=$AK"
expect_match "milter: example.test: senderkey=pass, header.s= the selector" \
    "$SK_AR" "^mx\\.bed\\.test; senderkey=pass header\\.from=alice@example\\.test .*header\\.s=$SEL_A\$"

through m-same "$D/n3.same" alice@nsec3.test
expect_eq "milter: nsec3.test, re-signed unchanged: trusted" "$TRUST" \
    "trusted; reason=key-secure-signed; sender=alice@nsec3.test; key=$AK"
for c in "i:i= another mailbox" "s:s= another sender's selector" \
    "d:d= another domain"; do
	through "m-${c%%:*}" "$D/n3.${c%%:*}" alice@nsec3.test
	expect_eq "milter: nsec3.test, ${c#*:}: untrusted" "$TRUST" \
	    "untrusted; reason=sig-missing; sender=alice@nsec3.test"
	expect_match "milter: nsec3.test, ${c#*:}: OpenDKIM says dkim=pass" \
	    "$ODK_AR" "$A=pass "
done
send_data alice@example.test dan@example.net "$D/ed.i"
expect_match "milter: example.test (policy=all), i= another mailbox: 5.7.1" \
    "$(data_reply)" '^5[0-9][0-9] 5\.7\.1 .*\(senderkey: sig-missing\)'

through m-changed "$D/n3.changed" alice@nsec3.test
expect_eq "milter: nsec3.test, changed body: untrusted sig-fail" "$TRUST" \
    "untrusted; reason=sig-fail; sender=alice@nsec3.test"
through m-insecure "$D/insec.dkim" alice@insecure.test
expect_eq "milter: insecure.test (unsigned zone): untrusted" "$TRUST" \
    "untrusted; reason=key-insecure; sender=alice@insecure.test"

done_testing
