#!/bin/sh
# 30-sign: the zone signer (zonegen/sign*.c through tests/tools/signzone)
# against the peers: a bench/mkzone zone signed with NSEC3 and NSEC, with
# algorithms 13, 15 and 8, with ldns-keygen and dnssec-keygen keys, passes
# ldns-verify-zone, nsd-checkzone and named-checkzone; DS records match
# ldns-key2ds; output is deterministic for Ed25519; errors leave no output
# file.  In the bed ("bed serve"), a zone we signed with NSEC3 and with NSEC
# validates: a sender's key is secure-key, a missing sender secure-nokey
# (the denial proven), for senderkey query and unbound-host alike.
. "$(dirname "$0")/lib.sh"

SZ=$SK_BUILD/tests/signzone
[ -x "$SZ" ] || skip_all "signzone test tool not built"
for t in ldns-keygen ldns-verify-zone ldns-key2ds python3; do
	command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
done
PATH=$PATH:/usr/sbin
W=$(mktemp -d "${TMPDIR:-/tmp}/sk-sign.XXXXXX") || exit 1
trap 'rm -rf "$W" "$_t_out"' EXIT
cd "$W" || exit 1
"$SK_TOP/bench/mkzone" -d example.test 200 >zone || exit 1

k() { ldns-keygen "$@" example.test; }
K13=$(k -a ECDSAP256SHA256 -k) Z13=$(k -a ECDSAP256SHA256)
K15=$(k -a ED25519 -k) Z15=$(k -a ED25519)
K8=$(k -a RSASHA256 -b 2048 -k)

# peers FILE WHAT: the three zone checkers on FILE.
peers() {
	check "$2: ldns-verify-zone" ldns-verify-zone "$1"
	if command -v nsd-checkzone >/dev/null 2>&1; then
		check "$2: nsd-checkzone" nsd-checkzone example.test "$1"
	else
		skip "$2: nsd-checkzone" "nsd is not installed"
	fi
	if command -v named-checkzone >/dev/null 2>&1; then
		check "$2: named-checkzone" named-checkzone -q -i full \
		    example.test "$1"
	else
		skip "$2: named-checkzone" "bind9-utils is not installed"
	fi
}

for mode in nsec3 nsec; do
	flag=
	[ $mode = nsec ] && flag=-n
	check "$mode alg 13 KSK+ZSK: signzone" "$SZ" $flag -o example.test \
	    -f s13.$mode -d ds13 zone "$K13" "$Z13"
	peers s13.$mode "$mode alg 13"
	check "$mode alg 15 KSK+ZSK: signzone" "$SZ" $flag -o example.test \
	    -f s15.$mode zone "$K15" "$Z15"
	peers s15.$mode "$mode alg 15"
	check "$mode alg 8 CSK: signzone" "$SZ" $flag -j 1 -o example.test \
	    -f s8.$mode zone "$K8"
	peers s8.$mode "$mode alg 8"
done
expect_eq "NSEC3: one NSEC3 per name (200 senders + apex, ns, _senderkey)" \
    "$(awk '$4 == "NSEC3"' s13.nsec3 | wc -l | tr -d ' ')" 203
expect_eq "DS: the KSK's, as ldns-key2ds -2 computes it" \
    "$(awk '{ print $5, $6, $7, $8 }' ds13)" \
    "$(ldns-key2ds -n -2 "$K13.key" | awk '{ print $5, $6, $7, $8 }')"

"$SZ" -i 20250101000000 -e 20250301000000 -o example.test -f d1 zone \
    "$K15" "$Z15" 2>/dev/null
"$SZ" -i 20250101000000 -e 20250301000000 -j 1 -o example.test -f d2 zone \
    "$K15" "$Z15" 2>/dev/null
check "Ed25519: same input, keys and times -> same bytes (2 vs 1 thread)" \
    cmp d1 d2

if command -v dnssec-keygen >/dev/null 2>&1; then
	B13=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK example.test)
	B15=$(dnssec-keygen -q -a ED25519 example.test)
	check "dnssec-keygen keys (13 KSK, 15 ZSK): signzone" "$SZ" \
	    -o example.test -f sb zone "$B13" "$B15"
	peers sb "dnssec-keygen keys"
else
	skip "dnssec-keygen keys" "bind9-utils is not installed"
fi

# Errors: clear message, exit 1, no output file.
printf '$ORIGIN example.test.\n@ 3600 IN SOA ns hm 1 2 3 4 5\nx IN A 1.2.3\n' \
    >bad
OUT=$("$SZ" -o example.test -f sbad bad "$K15" 2>&1)
expect_eq "bad zone: exit 1" "$?" 1
expect_match "bad zone: file:line" "$OUT" "bad:3: "
check "bad zone: no output file" test ! -e sbad -a ! -e sbad.tmp
OUT=$("$SZ" -o other.test -f sbad zone "$K15" 2>&1)
expect_match "key for another zone / owners outside: refused" "$OUT" \
    "outside the zone|another zone"

# --- The bed: our signed zone, served as signed.test, validates. ---
# bed_why: why the bed cannot run here (empty when it can).
bed_why() {
	[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; return; }
	for t in ip nsd nsd-control nsd-checkzone unbound unbound-control \
	    unbound-host ldns-read-zone ldns-signzone drill openssl; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "$t is not installed"
			return
		}
	done
	[ -x "$SK_BIN/senderkey" ] || echo "senderkey is not built"
}
WHY=$(bed_why)
if [ -n "$WHY" ]; then
	skip "validate our signed zone in the bed" "$WHY"
	done_testing
fi
bed_up
SZONE=signed.test
SK=$SK_BIN/senderkey
ALICE_OWNER=2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db._senderkey
ALICE_KEY=$(openssl pkey -in "$SK_TOP/tests/bed/alice.pem" -pubout \
    -outform DER | tail -c 32 | base64)
ALICE_FP=$(openssl pkey -in "$SK_TOP/tests/bed/alice.pem" -pubout \
    -outform DER | sha256sum | cut -d' ' -f1 | tr a-f A-F |
    sed 's/../&:/g; s/:$//')
trap 'bed unserve $SZONE >/dev/null 2>&1; rm -rf "$W" "$_t_out"' EXIT
bed unserve $SZONE >/dev/null 2>&1	# left by an interrupted run

{
	"$SK_TOP/bench/mkzone" -d $SZONE 100
	printf '%s 3600 IN TXT "v=SK1; k=ed25519; p=%s"\n' "$ALICE_OWNER" \
	    "$ALICE_KEY"
} >bedzone || exit 1
BK=$(ldns-keygen -a ECDSAP256SHA256 -k $SZONE)
BZ=$(ldns-keygen -a ECDSAP256SHA256 $SZONE)

# q ADDRESS: senderkey query inside the bed; sets OUT and RC.
q() {
	OUT=$(bed exec "$SK" query -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    "$1" 2>&1)
	RC=$?
}
field() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }
uh() {
	bed exec unbound-host -C "$SK_BED_UBCONF" -f "$SK_BED_ANCHOR" -v \
	    -t TXT "$1" 2>&1
}

for mode in nsec3 nsec; do
	flag=
	[ $mode = nsec ] && flag=-n
	check "bed, $mode: signzone $SZONE" "$SZ" $flag -o $SZONE \
	    -f bed.$mode -d bed.$mode.ds bedzone "$BK" "$BZ"
	check "bed, $mode: bed serve $SZONE" bed serve $SZONE bed.$mode \
	    bed.$mode.ds
	# The denial records NSD hands out are ours, of the right kind.
	AUTH=$(bed exec drill -D @127.0.0.4 "nobody._senderkey.$SZONE" TXT)
	if [ $mode = nsec3 ]; then
		expect_match "bed, nsec3: NSD denies with NSEC3" "$AUTH" \
		    "IN[[:space:]]+NSEC3[[:space:]]"
	else
		expect_match "bed, nsec: NSD denies with NSEC" "$AUTH" \
		    "IN[[:space:]]+NSEC[[:space:]]"
	fi
	q alice@$SZONE
	expect_eq "bed, $mode: alice@$SZONE is secure-key" "$(field state)" \
	    secure-key
	[ "$(field state)" = secure-key ] || diag "$OUT"
	expect_eq "bed, $mode: alice's key" \
	    "$(printf '%s\n' "$OUT" | grep '^key=')" "key=ed25519 256 $ALICE_FP"
	q user7@$SZONE
	expect_eq "bed, $mode: user7@$SZONE (a generated sender) is secure-key" \
	    "$(field state)" secure-key
	q nobody@$SZONE
	expect_eq "bed, $mode: nobody@$SZONE is secure-nokey" \
	    "$(field state)" secure-nokey
	expect_eq "bed, $mode: nobody@$SZONE: exit status" "$RC" 1
	expect_eq "bed, $mode: nobody@$SZONE: the denial proves NXDOMAIN" \
	    "$(field reason)" NXDOMAIN
	expect_match "bed, $mode: unbound-host: alice's record is secure" \
	    "$(uh "$ALICE_OWNER.$SZONE")" "v=SK1.*\(secure\)"
	expect_match "bed, $mode: unbound-host: nobody is a secure NXDOMAIN" \
	    "$(uh "nobody._senderkey.$SZONE")" "NXDOMAIN.*\(secure\)"
done
# The control: the same zone under a DS for a key it does not hold.
ldns-key2ds -n -2 "$(ldns-keygen -a ECDSAP256SHA256 -k $SZONE).key" \
    >other.ds
check "bed serve $SZONE with a DS for another key" bed serve $SZONE \
    bed.nsec other.ds
q alice@$SZONE
expect_eq "a DS for another key: alice@$SZONE is bogus" "$(field state)" \
    bogus
check "bed unserve $SZONE" bed unserve $SZONE
q alice@$SZONE
expect_eq "after unserve: $SZONE is gone (secure NXDOMAIN from test.)" \
    "$(field state)/$(field reason)" secure-nokey/NXDOMAIN
q alice@example.test
expect_eq "after unserve: the bed's own example.test still validates" \
    "$(field state)" secure-key
done_testing
