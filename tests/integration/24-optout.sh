#!/bin/sh
# 24-optout: policy=all holds whatever the zone's denial looks like
# (issue 12 section 3, specs/verdicts.md 3.1).  optout.test publishes a
# secure "v=SK1; policy=all" and alice's key and is signed with NSEC3
# opt-out (ldns-signzone -n -p), so the NXDOMAIN for a local part without
# a key falls in an opt-out span and validates as insecure.  senderkeyd
# (line protocol AUTHZ) and the bed's real Postfix with senderkeyd as its
# policy service must refuse such a sender (unauthorized key-insecure,
# 5.7.1), a signature claim does not help it, and its class is that of a
# missing key under policy=all; alice (secure key) is still sig-pending at
# RCPT.  optsome.test, signed the same way without a policy record, is
# the control: there the same insecure answer is untrusted (accepted and
# tagged key-insecure).  senderkey audit reports the opt-out chain:
# nsec3-optout ERROR (exit 2) under policy=all, WARNING (exit 1) without.
#
# The bed is left up; the served zones, senderkeyd and Postfix are
# stopped at the end.
. "$(dirname "$0")/lib.sh"

need_root
for t in ldns-keygen ldns-signzone ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
done
SK=$SK_BIN/senderkey
CL=$SK_BUILD/tests/skclient
[ -x "$SK_BIN/senderkeyd" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"
bed_up

PF=$SK_TOP/tests/bed/postfix
D=$(mktemp -d /tmp/sk-24.XXXXXX) || exit 1
chmod 0755 "$D"		# smtpd (user postfix) must reach the socket dir
SKD_PIDS=""
SERVED=""
PF_UP=""
cleanup() {
	for p in $SKD_PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$PF_UP" ] && "$PF" down >/dev/null 2>&1
	for z in $SERVED; do bed unserve "$z" >/dev/null 2>&1; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ALICE=$SK_TOP/tests/bed/alice.pub
ALICE_FP=$("$SK" fingerprint "$ALICE" | cut -d' ' -f1)

# optzone ZONE [RR lines...]: ZONE with alice's key and the lines, signed
# with NSEC3 opt-out (alg 13 KSK and ZSK, 0 iterations), then served.
optzone() {
	_z=$1
	shift
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$_z"
		printf '@ SOA ns hostmaster 1 300 60 86400 60\n'
		printf '@ NS ns\nns A 127.0.0.4\n'
		printf '%s TXT "%s"\n' "$("$SK" owner -s "alice@$_z")" \
		    "$("$SK" record "$ALICE")"
		for _l in "$@"; do printf '%s\n' "$_l"; done
	} >"$D/$_z.zone" || return 1
	_ksk=$(cd "$D" && ldns-keygen -a ECDSAP256SHA256 -k "$_z.") &&
	_zsk=$(cd "$D" && ldns-keygen -a ECDSAP256SHA256 "$_z.") &&
	ldns-signzone -n -p -t 0 -f "$D/$_z.signed" -o "$_z." \
	    "$D/$_z.zone" "$D/$_ksk" "$D/$_zsk" &&
	ldns-key2ds -n -2 "$D/$_ksk.key" >"$D/$_z.ds" || return 1
	bed serve "$_z" "$D/$_z.signed" "$D/$_z.ds" >"$_t_out" 2>&1 ||
	    return 1
	SERVED="$SERVED $_z"
}

# flags ZONE: the flags of every NSEC3 record of the signed file, sorted
# and unique ("1" for an opt-out chain), then those of NSEC3PARAM.
flags() {
	awk '$4 == "NSEC3" { print $6 }' "$D/$1.signed" | sort -u | tr '\n' ' '
	awk '$4 == "NSEC3PARAM" { print "param=" $6 }' "$D/$1.signed"
}

for z in optout.test optsome.test; do
	case $z in
	optout.test) optzone "$z" '_senderkey TXT "v=SK1; policy=all"' ;;
	*) optzone "$z" ;;
	esac
	if [ $? -eq 0 ]; then
		ok "$z: signed with NSEC3 opt-out and served"
	else
		not_ok "$z: signed with NSEC3 opt-out and served"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
	expect_eq "$z: every NSEC3 record has the opt-out flag" \
	    "$(flags "$z")" "1 param=0"
done

# The premise: the opt-out NXDOMAIN validates as insecure, the policy
# record and alice's key as secure.
q() { bed exec "$SK" query -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" "$@"; }
expect_match "query nobody@optout.test: insecure NXDOMAIN (opt-out span)" \
    "$(q nobody@optout.test 2>&1 | tr '\n' ' ')" \
    "^state=insecure .*reason=NXDOMAIN"
expect_match "query alice@optout.test: secure-key" \
    "$(q alice@optout.test 2>&1 | head -n 1)" "^state=secure-key$"

# --- senderkeyd, line protocol -----------------------------------------
getent group postfix >/dev/null 2>&1 && SKD_GROUP=postfix
skd_up "senderkeyd starts in the bed" skd "$D/run" "DNSTimeout 3s" \
    "DefaultMode allow"
BOB=recipient=bob@example.net
printf '%s\n' \
    "AUTHZ sender=nobody@optout.test $BOB" \
    "AUTHZ sender=alice@optout.test $BOB" \
    "AUTHZ sender=nobody@optout.test $BOB sig=pass key=$ALICE_FP" \
    "AUTHZ sender=nobody@optsome.test $BOB" \
    "AUTHZ sender=nobody@example.test $BOB" |
    "$CL" "$D/run/skd.sock" -n 5 >"$D/authz" 2>&1
r() { sed -n "$1p" "$D/authz"; }
cls() { r "$1" | tr ' ' '\n' | sed -n 's/^class=//p'; }
expect_match "AUTHZ unknown local part, policy=all, opt-out: unauthorized" \
    "$(r 1)" \
    "^unauthorized key-insecure tag=unauthorized lookup=insecure policy=all "
expect_match "AUTHZ alice (secure key) under policy=all: sig-pending" \
    "$(r 2)" \
    "^untrusted sig-pending tag=untrusted lookup=secure-key policy=all "
expect_match "AUTHZ unknown local part claiming sig=pass: still unauthorized" \
    "$(r 3)" "^unauthorized key-insecure tag=unauthorized "
expect_match "AUTHZ control, opt-out, no policy=all: untrusted key-insecure" \
    "$(r 4)" \
    "^untrusted key-insecure tag=untrusted lookup=insecure policy=some "
expect_eq "the class is that of a missing key under policy=all" \
    "$(cls 1)" "$(cls 5)"

# --- the bed's Postfix with senderkeyd as its policy service -----------
if ! command -v swaks >/dev/null 2>&1 ||
    [ ! -x /usr/lib/postfix/sbin/master ]; then
	skip "Postfix checks" "swaks or postfix is not installed"
else
	. "$SK_TOP/tests/integration/mail.sh"
	if "$PF" up --policy "unix:$D/run/skd.policy" >"$_t_out" 2>&1; then
		PF_UP=1
		ok "postfix up with senderkeyd's policy socket"
		refused "Postfix: unknown local part, opt-out, policy=all" \
		    nobody@optout.test bob@example.net \
		    '^554 5\.7\.1 .*\(senderkey: key-insecure\)$'
		accepted "Postfix: alice of that domain at RCPT" \
		    alice@optout.test bob@example.net \
		    "untrusted; reason=sig-pending; sender=alice@optout.test"
		accepted "Postfix: control, opt-out without policy=all" \
		    nobody@optsome.test bob@example.net \
		    "untrusted; reason=key-insecure; sender=nobody@optsome.test"
	else
		not_ok "postfix up with senderkeyd's policy socket"
		sed 's/^/#   /' "$_t_out"
	fi
fi

# --- senderkey audit ----------------------------------------------------
audit() { bed exec "$SK" audit -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" "$@"; }
out=$(audit -d optout.test)
rc=$?
expect_eq "audit optout.test (policy=all, opt-out): exit 2" "$rc" 2
expect_match "audit optout.test: nsec3-optout is an ERROR" "$out" \
    "^ERROR nsec3-optout optout\.test: "
out=$(audit -d optsome.test)
rc=$?
expect_eq "audit optsome.test (opt-out, no policy record): exit 1" "$rc" 1
expect_match "audit optsome.test: nsec3-optout is a WARNING" "$out" \
    "^WARNING nsec3-optout optsome\.test: "
out=$(audit -d nsec3.test)
expect_eq "audit nsec3.test (NSEC3 without opt-out): no nsec3-optout" \
    "$(printf '%s\n' "$out" | grep -c nsec3-optout)" 0

done_testing
