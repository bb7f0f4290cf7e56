#!/bin/sh
# 24-cache-bound: CacheMaxTTL bounds every layer of caching (verdicts.md
# 2.4).  A senderkeyd with CacheMaxTTL 2s resolves iteratively in the bed
# (UnboundConfig, no forwarder); two keys are published with TTL 3600.
# One record is then deleted at the primary and the other replaced by a
# revoked record (p= empty): within CacheMaxTTL + DNSTimeout (plus slack
# for the polling) the running daemon reports the first gone
# (secure-nokey nokey=absent) and the second revoked (AUTHZ key-revoked,
# LOOKUP nokey=revoked).  Before libunbound's own cache was bounded, the
# old keys kept verifying for the record TTL (an hour).
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"

D=$(mktemp -d /tmp/sk-24.XXXXXX)
cleanup() {
	for p in $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

KEY=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=
FPR=99:13:03:B7:6C:B2:20:9B:2E:22:12:9E:53:5C:01:F4:6F:CC:50:53:2F:10:D4:90:2D:CD:0B:D3:73:C2:E7:84
MAXTTL=2
TIMEOUT=2
# Fresh names on every run: nothing of an earlier run is in any cache.
GONE=gone$$@example.test
REVK=revk$$@example.test
H_GONE=$("$SK" owner -s "$GONE" | sed 's/\._senderkey\.example\.test\.$//')
H_REVK=$("$SK" owner -s "$REVK" | sed 's/\._senderkey\.example\.test\.$//')

bed add example.test \
    "$H_GONE._senderkey 3600 IN TXT \"v=SK1; k=ed25519; p=$KEY\"" \
    "$H_REVK._senderkey 3600 IN TXT \"v=SK1; k=ed25519; p=$KEY\"" \
    >"$_t_out" 2>&1
check "two keys published with TTL 3600" test $? -eq 0

skd_start main "$D" "DNSTimeout ${TIMEOUT}s" "CacheMaxTTL ${MAXTTL}s"
check "senderkeyd is up (CacheMaxTTL ${MAXTTL}s)" test -S "$D/main.sock"

lookup() {	# ADDRESS: the LOOKUP reply line
	"$SK" lookup --socket "$D/main.sock" "$1" 2>&1
}
authz() {	# SENDER: the AUTHZ reply line (signature passed, alice's key)
	"$SK" authz --socket "$D/main.sock" "$1" bob@example.net sig=pass \
	    "key=$FPR" 2>&1
}

expect_match "before: $GONE has a secure key" "$(lookup "$GONE")" \
    "^ok state=secure-key .*key=ed25519,"
expect_match "before: $REVK has a secure key" "$(lookup "$REVK")" \
    "^ok state=secure-key .*key=ed25519,"
expect_match "before: AUTHZ $REVK with its key is authorized" \
    "$(authz "$REVK")" "^authorized key-secure-signed "
# the answers are now in both caches (senderkeyd's and libunbound's)
sleep 1

bed del example.test "$H_GONE._senderkey" TXT >"$_t_out" 2>&1 &&
    bed del example.test "$H_REVK._senderkey" TXT >>"$_t_out" 2>&1 &&
    bed add example.test \
    "$H_REVK._senderkey 3600 IN TXT \"v=SK1; k=ed25519; p=\"" \
    >>"$_t_out" 2>&1
check "the primary: one key removed, the other revoked" test $? -eq 0

# poll UNTIL-REGEX ADDRESS: LOOKUP until the reply matches, for at most
# CacheMaxTTL + DNSTimeout plus 8 s of slack (polling, a slow VM).
# Sets R to the last reply.
poll() {
	_end=$(( $(date +%s) + MAXTTL + TIMEOUT + 8 ))
	while :; do
		R=$(lookup "$2")
		printf '%s\n' "$R" | grep -Eq "$1" && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}

poll "^ok state=secure-nokey " "$GONE"
expect_match "removed key: gone within CacheMaxTTL + DNSTimeout" "$R" \
    "^ok state=secure-nokey .*nokey=absent"
poll "^ok state=secure-nokey " "$REVK"
expect_match "revoked key: revoked within CacheMaxTTL + DNSTimeout" "$R" \
    "^ok state=secure-nokey .*nokey=revoked"
expect_match "revoked key: AUTHZ with the old key says key-revoked" \
    "$(authz "$REVK")" "^unauthorized key-revoked "

bed del example.test "$H_REVK._senderkey" TXT >/dev/null 2>&1
done_testing
