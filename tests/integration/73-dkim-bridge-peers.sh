#!/bin/sh
# 73-dkim-bridge-peers: what real DKIM and DMARC receivers make of
# senderkey's DKIM signatures (issue 19, the DKIM bridge), in the DNSSEC
# test bed.  Signed by "senderkey sign --dkim-domain example.test
# --dkim-selector SELECTOR" (the DKIM test mode of signature.md 9) with
# the bridge selector of the From local part (sk + 32 hex, record-format.md
# 2.3), the DKIM key record published by hand at
# SELECTOR._domainkey.example.test with the p= of "senderkey record", and
# _dmarc.example.test "v=DMARC1; p=reject; adkim=s".  Two keys: alice's
# Ed25519 bed key (tests/bed/alice.pem, a=ed25519-sha256, RFC 8463) and an
# RSA-2048 key for carol@example.test (a=rsa-sha256).  For each:
#  (a) python3-dkim 1.1.4 (dkim.verify, through the bed's unbound, records
#      only when the answer is DNSSEC-validated, AD bit): valid; the
#      message with a changed body: invalid;
#  (b) OpenDKIM 2.11 (tests/bed/opendkim, verify mode, the bed's anchor,
#      UnprotectedKey fail) behind the bed's Postfix: dkim=pass, and
#      dkim=fail for the changed body.  RSA: "(2048-bit key; secure)".
#      Ed25519: OpenDKIM verifies it but writes no key comment (it prints
#      "(N-bit key; secure)" only when it knows a key size, none for
#      Ed25519), so "secure" is shown by UnprotectedKey fail: the same
#      Ed25519 signature with its key in insecure.test (unsigned) gives
#      dkim=policy, never pass;
#  (c) OpenDMARC 1.4.2 (tests/bed/opendmarc, after OpenDKIM, no SPF at
#      all): dmarc=pass for From: example.test with only that DKIM
#      signature; dmarc=fail for the changed body and for the message
#      without any signature (so nothing but the DKIM signature passes).
# Both peers verify Ed25519 DKIM (Debian 12: python3-dkim with
# python3-nacl, OpenDKIM 2.11.0~beta2 built with OpenSSL 3).
# The bed is left up; the filters, the Postfix instance and the records
# published here are taken away at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v opendkim >/dev/null 2>&1 || skip_all "opendkim is not installed"
command -v miltertest >/dev/null 2>&1 || skip_all "miltertest is not installed"
command -v opendmarc >/dev/null 2>&1 || skip_all "opendmarc is not installed"
/usr/bin/python3 -c 'import dkim, dns.resolver, nacl' 2>/dev/null ||
    skip_all "python3-dkim, python3-dnspython or python3-nacl is not installed"
ODK=$SK_TOP/tests/bed/opendkim
ODM=$SK_TOP/tests/bed/opendmarc
mail_up 73
PUBLISHED=

cleanup() {
	"$ODM" down >/dev/null 2>&1
	"$ODK" down >/dev/null 2>&1
	"$PF" down >/dev/null 2>&1
	for _c_p in $PUBLISHED; do
		bed del "${_c_p%%/*}" "${_c_p#*/}" TXT >/dev/null 2>&1
	done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# selector LOCAL: the bridge selector of a local part (record-format.md 2.3)
selector() {
	printf 'sk%s\n' "$(printf '%s' "$1" | sha256sum | cut -c1-32)"
}

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

# --- keys, records, messages -------------------------------------------------
mkdir -m 0700 "$D/keys"
cp "$SK_TOP/tests/bed/alice.pem" "$D/keys/alice.pem"
chmod 0600 "$D/keys/alice.pem"
check "openssl makes carol's RSA-2048 key" openssl genpkey -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$D/keys/carol.pem"
chmod 0600 "$D/keys/carol.pem"
SEL_A=$(selector alice)
SEL_C=$(selector carol)
expect_eq "alice's selector is the one of specs/vectors/dkim-selectors.tsv" \
    "$SEL_A" "$(awk -F '\t' '$1 == "alice@example.test" { print $4 }' \
    "$SK_TOP/specs/vectors/dkim-selectors.tsv")"

# dkim_record KEYFILE: the DKIM key record of KEYFILE, with the k= and p=
# of its sender key record
dkim_record() {
	"$SK_BIN/senderkey" record "$1" |
	    sed -n 's/^v=SK1; \(k=[a-z0-9]*; p=[A-Za-z0-9+/=]*\)$/v=DKIM1; \1/p'
}
REC_A=$(dkim_record "$D/keys/alice.pem")
REC_C=$(dkim_record "$D/keys/carol.pem")
expect_match "alice's DKIM record is Ed25519" "$REC_A" \
    '^v=DKIM1; k=ed25519; p=8tI4sb6GLd\+tf9x6y/8gSQjoUkdyJwTLinUBEde\+fVk=$'
expect_match "carol's DKIM record is RSA" "$REC_C" \
    '^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/]{380,}=*$'
publish example.test "$SEL_A._domainkey" "$REC_A"
publish example.test "$SEL_C._domainkey" "$REC_C"
publish insecure.test "$SEL_A._domainkey" "$REC_A"
publish example.test _dmarc "v=DMARC1; p=reject; adkim=s"

# message NAME FROM: $D/NAME, a plain message from FROM to bob@example.net
message() {
	printf '%s\r\n' "From: $2" "To: Bob <bob@example.net>" \
	    "Subject: 73-dkim-bridge-peers $1" \
	    "Date: Mon, 07 Dec 2026 20:00:00 +0000" \
	    "Message-ID: <73-$1@example.test>" "MIME-Version: 1.0" \
	    "Content-Type: text/plain; charset=us-ascii" "" "Hello Bob," \
	    "a message with only a DKIM signature." >"$D/$1"
}
# sign NAME KEY DOMAIN SELECTOR: $D/NAME.signed and $D/NAME.changed (the
# same with a changed body)
sign() {
	check "senderkey signs $1 in the DKIM test mode (d=$3)" sh -c \
	    '"$1" sign -k "$2" --dkim-domain "$3" --dkim-selector "$4" \
	    <"$5" >"$5.signed"' sh "$SK_BIN/senderkey" "$2" "$3" "$4" "$D/$1"
	sed 's/only a DKIM signature/a changed body/' "$D/$1.signed" \
	    >"$D/$1.changed"
}
message ed 'Alice <alice@example.test>'
sign ed "$D/keys/alice.pem" example.test "$SEL_A"
message rsa 'Carol <carol@example.test>'
sign rsa "$D/keys/carol.pem" example.test "$SEL_C"
message insec 'Alice <alice@insecure.test>'
sign insec "$D/keys/alice.pem" insecure.test "$SEL_A"
message none 'Alice <alice@example.test>'
expect_match "the Ed25519 signature is ed25519-sha256 with the selector" \
    "$(fields_of "$D/ed.signed" DKIM-Signature | tr -d ' \t')" \
    "a=ed25519-sha256;.*d=example\.test;s=$SEL_A;"
expect_match "the RSA signature is rsa-sha256 with the selector" \
    "$(fields_of "$D/rsa.signed" DKIM-Signature | tr -d ' \t')" \
    "a=rsa-sha256;.*d=example\.test;s=$SEL_C;"

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
    "$(dkimpy "$D/ed.signed")" valid
expect_eq "(a) python3-dkim: Ed25519, changed body invalid" \
    "$(dkimpy "$D/ed.changed")" invalid
expect_eq "(a) python3-dkim: RSA signature valid" \
    "$(dkimpy "$D/rsa.signed")" valid
expect_eq "(a) python3-dkim: RSA, changed body invalid" \
    "$(dkimpy "$D/rsa.changed")" invalid
expect_eq "(a) python3-dkim: key in insecure.test is not validated" \
    "$(dkimpy "$D/insec.signed")" insecure

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

# through NAME FILE FROM: FILE through Postfix from FROM; ODK_AR and ODM_AR
# are the two filters' Authentication-Results (unfolded, without the
# field name), empty when not delivered
through() {
	ODK_AR=
	ODM_AR=
	send_data "$3" bob@example.net "$2"
	_th_f=$(delivered bob@example.net)
	if [ -f "$_th_f" ]; then
		ODK_AR=$(fields_of "$_th_f" Authentication-Results |
		    sed 's/^[^:]*: *//' | tr -s ' \t' '  ' |
		    grep -F "$SK_ODK_AUTHSERV;")
		ODM_AR=$(fields_of "$_th_f" Authentication-Results |
		    sed 's/^[^:]*: *//' | tr -s ' \t' '  ' |
		    grep -F "$SK_ODM_AUTHSERV;")
	else
		not_ok "$1: delivered"
		diag "$OUT"
	fi
}
A='^opendkim\.bed\.test; dkim'
M='^opendmarc\.bed\.test; dmarc'

through ed "$D/ed.signed" alice@example.test
expect_match "(b) OpenDKIM: Ed25519 dkim=pass" "$ODK_AR" \
    "$A=pass header\.d=example\.test header\.i=@example\.test header\.a=ed25519-sha256 header\.s=$SEL_A "
expect_match "(c) OpenDMARC: Ed25519 DKIM alone, dmarc=pass" "$ODM_AR" \
    "$M=pass \(p=reject dis=none\) header\.from=example\.test$"
through ed-changed "$D/ed.changed" alice@example.test
expect_match "(b) OpenDKIM: Ed25519, changed body dkim=fail" "$ODK_AR" \
    "$A=fail .*header\.s=$SEL_A "
expect_match "(c) OpenDMARC: Ed25519, changed body dmarc=fail" "$ODM_AR" \
    "$M=fail \(p=reject .*header\.from=example\.test$"

through rsa "$D/rsa.signed" carol@example.test
expect_match "(b) OpenDKIM: RSA dkim=pass (2048-bit key; secure)" "$ODK_AR" \
    "$A=pass \(2048-bit key; secure\) header\.d=example\.test .*header\.a=rsa-sha256 header\.s=$SEL_C "
expect_match "(c) OpenDMARC: RSA DKIM alone, dmarc=pass" "$ODM_AR" \
    "$M=pass \(p=reject dis=none\) header\.from=example\.test$"
through rsa-changed "$D/rsa.changed" carol@example.test
expect_match "(b) OpenDKIM: RSA, changed body dkim=fail" "$ODK_AR" \
    "$A=fail .*header\.s=$SEL_C "
expect_match "(c) OpenDMARC: RSA, changed body dmarc=fail" "$ODM_AR" \
    "$M=fail \(p=reject .*header\.from=example\.test$"

through insecure "$D/insec.signed" alice@insecure.test
expect_match "(b) OpenDKIM: Ed25519 key in an unsigned zone, dkim=policy" \
    "$ODK_AR" "$A=policy .*header\.d=insecure\.test "
through unsigned "$D/none" alice@example.test
expect_match "(c) OpenDMARC: no signature, dmarc=fail (no SPF pass)" \
    "$ODM_AR" "$M=fail \(p=reject .*header\.from=example\.test$"
expect_match "(b) OpenDKIM: no signature, dkim=none" "$ODK_AR" \
    "$A=none;"

done_testing
