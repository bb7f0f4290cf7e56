#!/bin/sh
# 10-bed-lookup: "senderkey query" against the DNSSEC test bed, run inside
# the bed's namespace with the bed's root anchor: every answer state that
# real DNS can produce (secure key, secure NXDOMAIN with NSEC and NSEC3,
# secure NODATA at an empty non-terminal, insecure, bogus data, expired
# signatures, timeout), the policy record, a record added at run time,
# cross-checks with unbound-host and the bed's recursive unbound, and what
# one query costs the process (libraries, DNS queries, OpenSSL's start).
#
# The bed is left up (later scripts reuse it; "bed up" is idempotent).
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SK=$SK_BIN/senderkey
ALICE_OWNER=2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db._senderkey
BOB_HASH=$(printf %s bob | sha256sum | cut -c1-56)
BOB_KEY=$(openssl pkey -in "$SK_TOP/tests/bed/bob.pem" -pubout -outform DER |
    tail -c 32 | base64)

# fp PEM: the SHA-256 SPKI fingerprint, computed by openssl, not senderkey.
fp() {
	openssl pkey -in "$1" -pubout -outform DER | sha256sum |
	    cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//'
}
ALICE_FP=$(fp "$SK_TOP/tests/bed/alice.pem")
BOB_FP=$(fp "$SK_TOP/tests/bed/bob.pem")

# q ARGS...: senderkey query in the bed; sets OUT and RC.
q() {
	OUT=$(bed exec "$SK" query -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    "$@" 2>&1)
	RC=$?
}

field() {	# NAME: the value of NAME= in OUT (first one)
	printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1
}

# expect ADDRESS-ARGS, STATE, EXIT: one query, its state and exit status.
expect() {
	_what=$1 _state=$2 _rc=$3
	shift 3
	q "$@"
	expect_eq "$_what: state" "$(field state)" "$_state"
	expect_eq "$_what: exit status" "$RC" "$_rc"
	[ "$(field state)" = "$_state" ] || diag "$OUT"
}

# The bed may still hold bob's record from an interrupted earlier run.
bed del example.test "$BOB_HASH._senderkey" >/dev/null 2>&1 || true
bed del bogus.test "$BOB_HASH._senderkey" >/dev/null 2>&1 || true

# --- signed with NSEC ---
expect "alice@example.test" secure-key 0 alice@example.test
expect_eq "alice@example.test: owner" "$(field owner)" \
    "$ALICE_OWNER.example.test."
expect_eq "alice@example.test: alice's key, other TXT skipped" \
    "$(printf '%s\n' "$OUT" | grep '^key=')" "key=ed25519 256 $ALICE_FP"
expect "nobody@example.test (secure NXDOMAIN)" secure-nokey 1 \
    nobody@example.test
expect_eq "nobody@example.test: reason" "$(field reason)" NXDOMAIN

# --- unsigned ---
expect "alice@insecure.test" insecure 1 alice@insecure.test
expect_eq "alice@insecure.test: the key is still reported" \
    "$(printf '%s\n' "$OUT" | grep '^key=')" "key=ed25519 256 $ALICE_FP"

# --- validation failures ---
expect "alice@bogus.test (data edited after signing)" bogus 69 \
    alice@bogus.test
diag "why_bogus: $(field reason)"
expect_match "alice@bogus.test: the reason names the signature failure" \
    "$(field reason)" "signature (verification|crypto) failed"
expect_eq "alice@bogus.test: no key from bogus data" \
    "$(printf '%s\n' "$OUT" | grep -c '^key=')" 0
expect "alice@expired.test (signatures expired in 2020)" bogus 69 \
    alice@expired.test
diag "why_bogus: $(field reason)"
expect_match "alice@expired.test: the reason names the expiry" \
    "$(field reason)" "expired"

# --- NSEC3 ---
expect "alice@nsec3.test" secure-key 0 alice@nsec3.test
expect_eq "alice@nsec3.test: alice's key" \
    "$(printf '%s\n' "$OUT" | grep '^key=')" "key=ed25519 256 $ALICE_FP"
expect "nobody@nsec3.test (secure NXDOMAIN, NSEC3)" secure-nokey 1 \
    nobody@nsec3.test
expect_eq "nobody@nsec3.test: reason" "$(field reason)" NXDOMAIN

# --- policy records ---
expect "policy of example.test" secure-key 0 -p example.test
expect_eq "policy of example.test: all" "$(field policy)" all
expect_eq "policy of example.test: owner" "$(field owner)" \
    "_senderkey.example.test."
expect "policy via an address" secure-key 0 -p alice@example.test
expect "no policy in nsec3.test (NODATA at an empty non-terminal)" \
    secure-nokey 1 -p nsec3.test
expect_eq "no policy in nsec3.test: reason" "$(field reason)" NODATA

# --- records added and removed at run time ---
expect "bob@example.test before bed add" secure-nokey 1 bob@example.test
check "bed add example.test bob" bed add example.test \
    "$BOB_HASH._senderkey TXT \"v=SK1; k=ed25519; p=$BOB_KEY\""
expect "bob@example.test after bed add" secure-key 0 bob@example.test
expect_eq "bob@example.test: bob's key" \
    "$(printf '%s\n' "$OUT" | grep '^key=')" "key=ed25519 256 $BOB_FP"
check "bed add bogus.test bob" bed add bogus.test \
    "$BOB_HASH._senderkey TXT \"v=SK1; k=ed25519; p=$BOB_KEY\""
expect "bob@bogus.test: bogus.test stays bogus after re-signing" bogus 69 \
    bob@bogus.test
check "bed del example.test bob" bed del example.test \
    "$BOB_HASH._senderkey" TXT
check "bed del bogus.test bob" bed del bogus.test "$BOB_HASH._senderkey"
expect "bob@example.test after bed del" secure-nokey 1 bob@example.test

# --- a server that never answers ---
# Only senderkey's own -t deadline gives the reason "timeout": libunbound
# alone would answer SERVFAIL, and only after about 17 s.
expect "-t 1 against the sink" tempfail 75 -t 1 -F "$SK_BED_SINK" \
    alice@example.test
expect_eq "the sink: reason" "$(field reason)" timeout
# The one-shot bounds its wait with a timer (cli/cmd_query.c): a SIGALRM
# that the parent ignores (kept across exec) must not undo the deadline.
OUT=$(bed exec sh -c 'trap "" ALRM; exec "$@"' sh "$SK" query \
    -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" -t 1 -F "$SK_BED_SINK" \
    alice@example.test 2>&1)
RC=$?
expect_eq "the sink, SIGALRM ignored by the parent: state" "$(field state)" \
    tempfail
expect_eq "the sink, SIGALRM ignored by the parent: reason" \
    "$(field reason)" timeout
expect_eq "the sink, SIGALRM ignored by the parent: exit status" "$RC" 75

# --- through a validating forwarder (the bed's unbound), CD bit set ---
qf() {
	OUT=$(bed exec "$SK" query -A "$SK_BED_ANCHOR" \
	    -C "$SK_BED_UBCONF_FWD" "$@" 2>&1)
	RC=$?
}
qf alice@example.test
expect_eq "via the forwarder: alice@example.test" "$(field state)" secure-key
qf alice@bogus.test
expect_eq "via the forwarder: alice@bogus.test still bogus, not tempfail" \
    "$(field state)" bogus

# --- peers agree ---
uh() {
	bed exec unbound-host -C "$SK_BED_UBCONF" -f "$SK_BED_ANCHOR" -v \
	    -t TXT "$1" 2>&1
}
expect_match "unbound-host: alice@example.test is secure" \
    "$(uh "$ALICE_OWNER.example.test")" "v=SK1.*\(secure\)"
expect_match "unbound-host: alice@bogus.test is bogus" \
    "$(uh "$ALICE_OWNER.bogus.test")" "\(BOGUS"
expect_match "unbound-host: alice@insecure.test is insecure" \
    "$(uh "$ALICE_OWNER.insecure.test")" "v=SK1.*\(insecure\)"
expect_match "drill via the bed's unbound: AD set for example.test" \
    "$(bed exec drill -D "$ALICE_OWNER.example.test" TXT)" \
    "flags: qr rd ra ad"
expect_match "drill via the bed's unbound: SERVFAIL for bogus.test" \
    "$(bed exec drill -D "$ALICE_OWNER.bogus.test" TXT)" "rcode: SERVFAIL"

# --- errors before any DNS ---
q
expect_eq "no address: usage" "$RC" 64
q not-an-address
expect_eq "bad address: exit 65" "$RC" 65
expect_match "bad address: message" "$OUT" "^senderkey: not-an-address: "
OUT=$(bed exec "$SK" query -A /nonexistent/root.key alice@example.test 2>&1)
RC=$?
expect_eq "missing trust anchor: exit 66" "$RC" 66
expect_match "missing trust anchor: message" "$OUT" \
    "trust anchor /nonexistent/root.key: No such file"
q -F 999.1.1.1 alice@example.test
expect_eq "bad forwarder: usage" "$RC" 64

# --- one process per lookup (bench/run's "lookup" part, issue 18) ---
# libpq and the ~20 libraries it needs (Kerberos, LDAP, GnuTLS, ...) are
# loaded only when a PostgreSQL store is opened (core/pqlib.c): before,
# every start of every program mapped and relocated them.
for p in senderkey senderkeyd; do
	libs=$(ldd "$SK_BIN/$p" 2>&1)
	if printf '%s\n' "$libs" | grep -Eq 'libpq|libgssapi|libldap'; then
		diag "$libs"
		not_ok "$p loads no libpq, Kerberos or LDAP at start"
	else
		ok "$p loads no libpq, Kerberos or LDAP at start"
	fi
done
# The DNS queries one "senderkey query" sends from a cold cache: no more
# than unbound-host's for the same name (no second record asked for).
if command -v strace >/dev/null 2>&1; then
	sends() {	# CMD...: the UDP/TCP queries CMD sends, counted
		bed exec strace -f -qq -e trace=sendto,sendmsg,sendmmsg \
		    -o "/dev/stderr" "$@" 2>&1 >/dev/null |
		    grep -Ec '^[0-9]+ +send(to|msg|mmsg)\('
	}
	a=$(sends "$SK" query -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    alice@example.test)
	b=$(sends unbound-host -C "$SK_BED_UBCONF" -f "$SK_BED_ANCHOR" \
	    -t TXT "$ALICE_OWNER.example.test")
	diag "queries sent: senderkey query $a, unbound-host $b"
	if [ "$a" -gt 0 ] && [ "$a" -le "$b" ]; then
		ok "query sends no more DNS queries than unbound-host ($a, $b)"
	else
		not_ok "query sends no more DNS queries than unbound-host ($a, $b)"
	fi
	# libunbound resolves in query's own thread (lookup_fg): no worker
	# thread to start, hand the answer over through a pipe and join.
	# Only CLONE_THREAD counts: LeakSanitizer's tracer (make asan) is a
	# clone without it, at exit.
	clones=$(bed exec strace -f -qq -e trace=clone,clone3 -o "/dev/stderr" \
	    "$SK" query -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    alice@example.test 2>&1 >/dev/null |
	    grep -E '^[0-9]+ +clone3?\(' | grep -c 'CLONE_THREAD')
	expect_eq "query starts no thread (clone calls)" "$clones" 0
	# OpenSSL's start (config file, providers, the first SHA-256 fetch:
	# ~6M instructions, an eighth of the process) is not needed to hash
	# the owner name or print an Ed25519 key's fingerprint (nettle does
	# both); its initialisation is what reads openssl.cnf.
	opens=$(bed exec env -u OPENSSL_CONF strace -f -qq -e trace=openat,open \
	    -o "/dev/stderr" "$SK" query -A "$SK_BED_ANCHOR" \
	    -C "$SK_BED_UBCONF" alice@example.test 2>&1 >/dev/null)
	if printf '%s\n' "$opens" | grep -q 'openssl\.cnf'; then
		diag "$(printf '%s\n' "$opens" | grep 'openssl\.cnf')"
		not_ok "query of an Ed25519 key does not start OpenSSL"
	else
		ok "query of an Ed25519 key does not start OpenSSL"
	fi
else
	skip "query's DNS queries counted" "no strace"
	skip "query does not start OpenSSL" "no strace"
	skip "query starts no thread" "no strace"
fi

done_testing
