#!/bin/sh
# 92-fault-matrix: the DNSSEC fault matrix (issue 8 item 2), table-driven
# from tests/bed/faults/matrix.txt.  tests/bed/faults/mkfaults builds one
# broken (or control) zone per case as a child of fm.test; fm.test is
# served by the bed ("bed serve"), the children by an NSD of our own on
# 127.0.0.92 inside the bed's namespace (some delegations point at the
# bed's nsd-dom, which refuses them, at the sink, or at an address where
# nothing listens).  For every row: "senderkey query" gives the expected
# state (and the usable keys), and senderkeyd answers AUTHZ with the
# expected verdict for an allow-mode and a deny-mode recipient, with the
# expected lookup=; then AUTHZ with sig=pass and the fingerprint of the
# key the zone publishes must give "authorized" on secure-key rows only.
# Finally: zero "authorized" at RCPT in the whole matrix.  A summary
# table is printed as diagnostics.
. "$(dirname "$0")/lib.sh"

need_root
for t in ldns-keygen ldns-key2ds nsd-checkzone; do
	command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
done
SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"
bed_up
# One run at a time: every run serves fm.test and binds 127.0.0.92.
if command -v flock >/dev/null 2>&1; then
	exec 8>"${SK_BED_DIR%/}-92.lock"
	flock -w 300 8 || skip_all "another 92-fault-matrix holds the lock"
fi

FAULTS=$SK_TOP/tests/bed/faults
MATRIX=$FAULTS/matrix.txt
FM_ADDR=127.0.0.92
D=$(mktemp -d /tmp/sk-92.XXXXXX)
PIDS=""
SERVED=""
cleanup() {
	for p in $PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	_p=$(cat "$D/z/nsd.pid" 2>/dev/null)
	[ -n "$_p" ] && kill "$_p" 2>/dev/null
	[ -n "$SERVED" ] && bed unserve fm.test >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ALICE_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/alice.pub" | cut -d' ' -f1)
BOB_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/bob.pub" | cut -d' ' -f1)

# The table: "|"-separated, blanks around fields dropped -> $D/rows (TAB).
grep -v '^#' "$MATRIX" | grep -v '^[[:space:]]*$' | awk -F'|' -v OFS='\t' '{
	for (i = 1; i <= NF; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i)
	if (NF != 11) { print "bad row " NR ": " NF " fields" > "/dev/stderr"; exit 1 }
	$1 = $1; print }' >"$D/rows" || { not_ok "matrix.txt parses"; done_testing; }
NROWS=$(wc -l <"$D/rows")
expect_eq "matrix.txt has at least 25 rows" \
    "$([ "$NROWS" -ge 25 ] && echo yes || echo "no ($NROWS)")" yes

# --- the zones --------------------------------------------------------
mkdir "$D/z"
check "mkfaults builds the zones" env FM_ADDR=$FM_ADDR \
    SK_BED_SINK="$SK_BED_SINK" "$FAULTS/mkfaults" "$D/z" \
    "$("$SK" record "$SK_TOP/tests/bed/alice.pub")" \
    "$("$SK" record "$SK_TOP/tests/bed/bob.pub")"
[ -f "$D/z/nsd.conf" ] || done_testing
# A zone of the table that mkfaults does not delegate would make its row
# test the parent's NXDOMAIN instead.
for z in $(cut -f2 "$D/rows" | sort -u); do
	grep -q "^$z	" "$D/z/children" || not_ok "zone $z of matrix.txt is built"
done

if bed exec nsd -c "$D/z/nsd.conf" >"$D/nsd.out" 2>&1; then
	_i=0
	until bed exec drill -Q @$FM_ADDR good.fm.test SOA >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || break
		sleep 0.1
	done
fi
check "our NSD serves the children on $FM_ADDR" \
    bed exec drill -Q @$FM_ADDR good.fm.test SOA
expect_match "our NSD refuses to load noload.fm.test" \
    "$(cat "$D/z/nsd.log" 2>/dev/null)" "noload\.fm\.test.* read with [0-9]+ errors"
if bed serve fm.test "$D/z/fm.test.signed" "$D/z/fm.test.ds" \
    >"$_t_out" 2>&1; then
	SERVED=1
	ok "bed serve fm.test (the parent, with every delegation)"
else
	not_ok "bed serve fm.test (the parent, with every delegation)"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi

# The oversize case must really be too big for UDP at 1232 octets.
ALICE_OWNER=$("$SK" owner alice@big.fm.test | awk '$1 == "senderkey" { print $2 }')
expect_match "big.fm.test: UDP answer at 1232 octets is truncated (TC)" \
    "$(bed exec drill -b 1232 @$FM_ADDR "$ALICE_OWNER" TXT 2>&1)" \
    "flags:.* tc"

# --- clients ----------------------------------------------------------
cp "$SK_BED_UBCONF" "$D/ub-clock.conf"
printf '\tval-override-date: "20200101000000"\n' >>"$D/ub-clock.conf"

# qargs CLIENT: "senderkey query" options for CLIENT.
qargs() {
	case $1 in
	std) echo "-C $SK_BED_UBCONF -t 3" ;;
	sink) echo "-C $SK_BED_UBCONF -F $SK_BED_SINK -t 1" ;;
	clock) echo "-C $D/ub-clock.conf -t 3" ;;
	esac
}

# The recipient policy: bob@example.net has no rule (DefaultMode allow);
# carol@example.net is deny mode and allowlists every zone of the table.
STORE=$D/store.db
(
	"$SK" policy -f "$STORE" set carol@example.net deny &&
	for z in $(cut -f2 "$D/rows" | sort -u); do
		"$SK" policy -f "$STORE" allow carol@example.net "*@$z.fm.test" ||
		    exit 1
	done
) >"$D/policy.out" 2>&1
check "the policy store: carol (deny) allowlists every zone" \
    test $? -eq 0

# start NAME CONFIG-LINES...: a daemon; waits for its socket.
start() {
	_n=$1
	shift
	{
		echo "Socket unix:$D/$_n.sock"
		echo "PolicySocket unix:$D/$_n.policy"
		echo "SocketGroup root"
		echo "TrustAnchorFile $SK_BED_ANCHOR"
		echo "PidFile $D/$_n.pid"
		echo "PolicyStore $STORE"
		for l in "$@"; do echo "$l"; done
	} >"$D/$_n.conf"
	bed exec "$SKD" -f -x "$D/$_n.conf" >"$D/$_n.log" 2>&1 &
	_i=0
	while [ ! -S "$D/$_n.sock" ] || [ ! -s "$D/$_n.pid" ]; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || break
		sleep 0.1
	done
	PIDS="$PIDS $(cat "$D/$_n.pid" 2>/dev/null)"
	expect_match "senderkeyd ($_n) answers PING" \
	    "$(printf 'PING\n' | "$CL" "$D/$_n.sock" -n 1)" "^ok pong"
}
# The rows run all at once; a bogus answer costs unbound retries.  An
# ASan-built daemon (make asan) on 2 busy cores needs longer than 3 s for
# those, and would then say dns-tempfail where dns-bogus is the answer.
STD_TIMEOUT=3s
if grep -q __asan_init "$SKD" 2>/dev/null; then
	STD_TIMEOUT=10s
	diag "senderkeyd is built with ASan: DNSTimeout $STD_TIMEOUT"
fi
start std "UnboundConfig $SK_BED_UBCONF" "DNSTimeout $STD_TIMEOUT"
start sink "UnboundConfig $SK_BED_UBCONF" "Forwarders $SK_BED_SINK" \
    "DNSTimeout 1s"
# With the clock far off even the root is bogus: senderkeyd refuses to
# start at all (its start-up validation check), so no verdict can come
# from it; the clock rows have "-" as verdicts and check only the query.
{
	echo "Socket unix:$D/clock.sock"
	echo "PolicySocket unix:$D/clock.policy"
	echo "SocketGroup root"
	echo "TrustAnchorFile $SK_BED_ANCHOR"
	echo "UnboundConfig $D/ub-clock.conf"
	echo "DNSTimeout 3s"
} >"$D/clock.conf"
bed exec timeout 30 "$SKD" -f -x "$D/clock.conf" >"$D/clock.log" 2>&1
RC=$?
expect_eq "senderkeyd with the clock in 2020 refuses to start" \
    "$(test $RC -ne 0 && test $RC -ne 124 && echo refused || echo "exit $RC")" \
    refused
expect_match "... because DNSSEC validation does not work (root bogus)" \
    "$(cat "$D/clock.log")" "DNSSEC validation does not work.*bogus"

# --- every row at once: queries and AUTHZ in parallel ----------------
# (wait only for these jobs: the daemons are background jobs too)
t0=$(date +%s)
i=0
JOBS=""
while IFS='	' read -r name zone local client state allow deny key nkeys how fails; do
	i=$((i + 1))
	s=$local@$zone.fm.test
	case $key in
	alice) fp=$ALICE_FP ;;
	bob) fp=$BOB_FP ;;
	*) fp=BAD ;;
	esac
	# shellcheck disable=SC2046
	bed exec "$SK" query -A "$SK_BED_ANCHOR" $(qargs "$client") "$s" \
	    >"$D/q.$i" 2>&1 &
	JOBS="$JOBS $!"
	[ "$allow" = - ] && continue
	printf '%s\n' "AUTHZ sender=$s recipient=bob@example.net" \
	    "AUTHZ sender=$s recipient=carol@example.net" \
	    "AUTHZ sender=$s recipient=bob@example.net sig=pass key=$fp" \
	    "AUTHZ sender=$s recipient=carol@example.net sig=pass key=$fp" |
	    "$CL" "$D/$client.sock" -n 4 >"$D/a.$i" 2>&1 &
	JOBS="$JOBS $!"
done <"$D/rows"
for j in $JOBS; do wait "$j"; done
diag "all $i rows queried in $(( $(date +%s) - t0 )) s"

# --- checks -----------------------------------------------------------
# reply N LINE: line LINE of row N's AUTHZ replies.
reply() { sed -n "$2p" "$D/a.$1"; }
vr() { printf '%s\n' "$1" | cut -d' ' -f1,2; }		# "verdict reason"
lk() { printf '%s\n' "$1" | sed -n 's/.* lookup=\([^ ]*\).*/\1/p'; }

AUTH_RCPT=0
AUTH_BAD=0
printf '%-20s %-13s %-13s %-27s %-27s %s\n' case want-state got-state allow deny \
    "sig=pass allow / deny" >"$D/summary"
i=0
while IFS='	' read -r name zone local client state allow deny key nkeys how fails; do
	i=$((i + 1))
	s=$local@$zone.fm.test
	got=$(sed -n 's/^state=//p' "$D/q.$i" | head -n 1)
	expect_eq "$name: senderkey query $s ($client): state" "$got" "$state"
	[ "$got" = "$state" ] || { diag "$how"; sed 's/^/#   /' "$D/q.$i"; }
	if [ "$nkeys" != - ]; then
		case $key in alice) fp=$ALICE_FP ;; *) fp=$BOB_FP ;; esac
		expect_eq "$name: $nkeys usable key(s), all $key's" \
		    "$(grep -c "^key=ed25519 256 $fp\$" "$D/q.$i"):$(grep -c '^key=' "$D/q.$i")" \
		    "$nkeys:$nkeys"
	fi
	if [ "$allow" = - ]; then
		printf '%-20s %-13s %-13s %s\n' "$name" "$state" "${got:-?}" \
		    "(senderkeyd refuses to start)" >>"$D/summary"
		continue
	fi
	r1=$(reply $i 1) r2=$(reply $i 2) r3=$(reply $i 3) r4=$(reply $i 4)
	expect_eq "$name: AUTHZ allow-mode recipient" "$(vr "$r1")" "$allow"
	expect_eq "$name: AUTHZ deny-mode recipient" "$(vr "$r2")" "$deny"
	expect_eq "$name: senderkeyd lookup= (both recipients)" \
	    "$(lk "$r1") $(lk "$r2")" "$state $state"
	# sig=pass with the zone's key: authorized only when secure-key;
	# otherwise decided as sig=fail, which here is the RCPT verdict.
	if [ "$state" = secure-key ]; then
		w3="authorized key-secure-signed" w4="authorized allowlisted-signed"
	else
		w3=$allow w4=$deny
	fi
	expect_eq "$name: AUTHZ sig=pass key=$key, allow mode" "$(vr "$r3")" "$w3"
	expect_eq "$name: AUTHZ sig=pass key=$key, deny mode" "$(vr "$r4")" "$w4"
	for r in "$r1" "$r2"; do
		case $r in authorized*) AUTH_RCPT=$((AUTH_RCPT + 1)) ;; esac
	done
	for r in "$r3" "$r4"; do
		case $state:$r in
		secure-key:*) ;;
		*:authorized*) AUTH_BAD=$((AUTH_BAD + 1)) ;;
		esac
	done
	printf '%-20s %-13s %-13s %-27s %-27s %s / %s\n' "$name" \
	    "$state" "${got:-?}" "$(vr "$r1")" "$(vr "$r2")" \
	    "$(vr "$r3" | cut -d' ' -f1)" "$(vr "$r4" | cut -d' ' -f1)" \
	    >>"$D/summary"
done <"$D/rows"

expect_eq "zero rows authorized at RCPT (no signature known)" "$AUTH_RCPT" 0
expect_eq "sig=pass with the published key: authorized on secure-key rows only" \
    "$AUTH_BAD" 0
diag "summary (expected state, got state, RCPT verdicts, sig=pass verdicts):"
sed 's/^/  /' "$D/summary" | while IFS= read -r l; do diag "$l"; done

done_testing
