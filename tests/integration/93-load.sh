#!/bin/sh
# 93-load: senderkeyd under load and abuse (issue 8 item 3), with
# tests/tools/connflood.  Started with a soft descriptor limit of 1024:
#  - 2,000 persistent Postfix policy connections held at once (the daemon
#    must raise its own soft limit for MaxConnections 2100), each answered
#    at the start and again at the end; the daemon's resident memory per
#    held connection stays under the bound of specs/security.md 3.1
#    (SK_RSS_BOUND_B, 6144 octets); a fresh client is served meanwhile;
#  - 1,000 slow clients (half a request, then one octet every 0.5 s) while
#    200 fresh clients one after the other each get their answer; every
#    slow client is closed at RequestTimeout without a reply; 500 idle
#    clients are closed at IdleTimeout without a reply;
#  - hostile input: an oversize line, 65 attributes (64 pass), a NUL
#    octet, a request over 16 KiB of short lines, an oversize line on the
#    line socket; peers resetting the connection in the middle of their
#    replies; afterwards the daemon answers and holds no connection;
#  - the connection cap: with MaxConnections 20 held, the 21st client is
#    accepted and closed at once with no reply (EOF), counted in STATS
#    connections_refused, and served once a slot is free;
#  - out of descriptors: a daemon whose descriptor limit (lowered with
#    prlimit after start, so it cannot raise it) is below MaxConnections
#    refuses the clients past it like the cap (EOF at once, not a wait:
#    the probe is bounded by timeout), counts them, logs the burst once,
#    and serves new clients once the held connections close.
# Figures (bytes per connection, p99 under slow-client load) are printed
# as "# figure: NAME=VALUE" and appended to $SK_FIGURES when set (read by
# tools/robustness).  SK_LOAD_CONNS / SK_LOAD_SLOW scale the two loads
# (tools/valgrind-check lowers them).
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
CF=$SK_BUILD/tests/connflood
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CF" ] || skip_all "tests/tools/connflood not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"

CONNS=${SK_LOAD_CONNS:-2000}
SLOW=${SK_LOAD_SLOW:-1000}
IDLE=$((SLOW / 2))
RSS_BOUND_B=${SK_RSS_BOUND_B:-6144}
# An ASan build pays redzones and a quarantine per allocation: the bound
# is for the production build, so an instrumented daemon gets four times
# it (still a bound: a per-connection leak of a read buffer exceeds it).
if grep -q __asan_init "$SK_BIN/senderkeyd" 2>/dev/null &&
    [ -z "${SK_RSS_BOUND_B:-}" ]; then
	RSS_BOUND_B=$((RSS_BOUND_B * 4))
	diag "senderkeyd is built with ASan: memory bound $RSS_BOUND_B octets"
fi
D=$(mktemp -d /tmp/sk-93.XXXXXX)
BG=""
cleanup() {
	for p in $BG $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}
# wait_for FILE PATTERN SECONDS: until a line of FILE matches
wait_for() {
	_w=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		_w=$((_w + 1))
		[ $_w -lt $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}
ping_ok() {	# NAME: PING on its line socket answered
	printf 'PING\n' | "$CL" "$D/$1.sock" -n 1 | grep -q '^ok pong'
}
stat_of() {	# NAME STAT: one STATS attribute
	printf 'STATS\n' | "$CL" "$D/$1.sock" -n 1 | tr ' ' '\n' |
	    sed -n "s/^$2=//p"
}
block() {	# EXTRA-LINES...: a policy request with these lines added
	printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
	    sender=alice@example.test recipient=bob@example.net "$@" ""
}

# A soft limit below what MaxConnections needs: the daemon raises its own.
ulimit -Sn 1024 || skip_all "cannot set the soft descriptor limit"
ulimit -Hn | awk -v n="$CONNS" '$1 != "unlimited" && $1 < n + 200 { exit 1 }' ||
    skip_all "hard descriptor limit $(ulimit -Hn) below $CONNS + 200"

# --- 2,000 persistent policy connections ----------------------------
skd_start load "$D" "DNSTimeout 3s" "MaxConnections $((CONNS + 100))" ||
    { not_ok "senderkeyd starts"; done_testing; }
PID=$PID_load
SOFT=$(awk '/^Max open files/ { print $4 }' "/proc/$PID/limits")
check "the daemon raised its soft descriptor limit for MaxConnections" \
    test "$SOFT" -ge $((CONNS + 100))
# warm up: the first lookup and the allocator's first arenas
block | "$CL" "$D/load.policy" -b 1 >/dev/null
"$CF" -p "$D/load.policy" probe 20 >/dev/null
RSS0=$(rss_kb "$PID")
"$CF" -p -e action= "$D/load.policy" hold "$CONNS" 300 >"$D/hold.out" \
    2>"$D/hold.err" &
HOLD=$!
BG="$BG $HOLD"
if wait_for "$D/hold.out" '^held=' 300; then
	RSS1=$(rss_kb "$PID")
	expect_match "$CONNS policy connections held and answered" \
	    "$(head -n 1 "$D/hold.out")" \
	    "^held=$CONNS answered=$CONNS unexpected=0$"
	expect_match "the daemon counts them in STATS" \
	    "$(stat_of load connections)" "^[0-9]+$"
	N=$(stat_of load connections)
	check "STATS connections >= $CONNS while held" test "${N:-0}" -ge "$CONNS"
	check "a fresh line client is answered while they are held" \
	    ping_ok load
	R=$(block | "$CL" "$D/load.policy" -b 1 | head -n 1)
	expect_match "a fresh policy client is answered while they are held" \
	    "$R" "^action=PREPEND Sender-Key-Trust: untrusted; reason=sig-pending; sender=[^ ;]+$"
	BPC=$(( (RSS1 - RSS0) * 1024 / CONNS ))
	[ "$BPC" -lt 0 ] && BPC=0
	fig rss_before_kb "$RSS0"
	fig rss_held_kb "$RSS1"
	fig connections_held "$(kv held "$D/hold.out")"
	fig bytes_per_connection "$BPC"
	check "resident memory per held connection ($BPC octets) <= $RSS_BOUND_B" \
	    test "$BPC" -le "$RSS_BOUND_B"
else
	not_ok "$CONNS policy connections held and answered"
	diag "$(cat "$D/hold.out" "$D/hold.err" 2>/dev/null | tail -n 5)"
fi
kill -USR1 "$HOLD" 2>/dev/null
wait "$HOLD"
expect_match "all $CONNS connections answer again at the end" \
    "$(tail -n 1 "$D/hold.out")" "^answered_after=$CONNS closed=0$"
check "the daemon is alive after the hold" alive "$PID"

# --- hostile input ---------------------------------------------------
malformed="action=DEFER_IF_PERMIT 4.7.0 senderkey: malformed policy request"
R=$(block "client_name=$(head -c 3000 /dev/zero | tr '\0' a)" |
    "$CL" "$D/load.policy")
expect_eq "policy: a 3000-octet line: malformed, then close" "$R" \
    "$malformed"
F60=$(awk 'BEGIN { for (i = 0; i < 60; i++) printf "x%d=y ", i }')
# shellcheck disable=SC2086
R=$(block $F60 | "$CL" "$D/load.policy" -b 1 | head -n 1)
expect_match "policy: 64 attributes (the limit): answered" "$R" \
    "^action=PREPEND "
# shellcheck disable=SC2086
R=$(block $F60 x60=y | "$CL" "$D/load.policy")
expect_eq "policy: 65 attributes: malformed, then close" "$R" "$malformed"
R=$(printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a\000b@example.test\nrecipient=bob@example.net\n\n' |
    "$CL" "$D/load.policy")
expect_eq "policy: a NUL octet: malformed, then close" "$R" "$malformed"
L2K=$(head -c 1990 /dev/zero | tr '\0' b)
R=$(block "a1=$L2K" "a2=$L2K" "a3=$L2K" "a4=$L2K" "a5=$L2K" "a6=$L2K" \
    "a7=$L2K" "a8=$L2K" "a9=$L2K" | "$CL" "$D/load.policy")
expect_eq "policy: 18 KiB of short lines: malformed, then close" "$R" \
    "$malformed"
R=$(head -c 9000 /dev/zero | tr '\0' a | "$CL" "$D/load.sock")
expect_eq "line: a 9000-octet line: error line-too-long" "$R" \
    "error line-too-long"
"$CF" -r STATS "$D/load.sock" abort 200 50 >"$D/abort.out" 2>&1
expect_eq "200 peers reset their connection mid-reply" \
    "$(cat "$D/abort.out")" "aborted=200"
"$CF" -p "$D/load.policy" abort 200 20 >"$D/abort.out" 2>&1
expect_eq "200 policy peers reset mid-reply" "$(cat "$D/abort.out")" \
    "aborted=200"
check "still answering after hostile input" ping_ok load
_i=0
while [ "$(stat_of load connections)" != 1 ] && [ $_i -lt 50 ]; do
	_i=$((_i + 1))
	sleep 0.2
done
expect_eq "no connection left behind (STATS connections is ours only)" \
    "$(stat_of load connections)" 1

# --- slow and idle clients -----------------------------------------
skd_start slow "$D" "DNSTimeout 3s" "MaxConnections $((SLOW + 200))" \
    "RequestTimeout 3s" "IdleTimeout 2s" ||
    { not_ok "senderkeyd (slow) starts"; done_testing; }
block | "$CL" "$D/slow.policy" -b 1 >/dev/null	# warm the cache
"$CF" -p "$D/slow.policy" slow "$SLOW" 500 60 >"$D/slow.out" \
    2>"$D/slow.err" &
SL=$!
BG="$BG $SL"
if wait_for "$D/slow.out" '^slow_ready=' 60; then
	expect_eq "$SLOW slow clients connected" "$(kv slow_ready "$D/slow.out")" \
	    "$SLOW"
	"$CF" -p -e action=PREPEND "$D/slow.policy" probe 200 >"$D/probe.out"
	expect_match "200 fresh policy clients answered during the slow load" \
	    "$(cat "$D/probe.out")" "^answered=200 refused=0 errors=0 unexpected=0 "
	fig slow_clients "$SLOW"
	fig p50_us_slow_load "$(kv p50_us "$D/probe.out")"
	fig p99_us_slow_load "$(kv p99_us "$D/probe.out")"
else
	not_ok "$SLOW slow clients connected"
fi
wait "$SL"
expect_match "every slow client closed at RequestTimeout, no reply" \
    "$(tail -n 1 "$D/slow.out")" "^closed=$SLOW replied=0 open=0 "
fig slow_first_close_ms "$(kv first_close_ms "$D/slow.out")"
fig slow_last_close_ms "$(kv last_close_ms "$D/slow.out")"
"$CF" "$D/slow.sock" idle "$IDLE" 60 >"$D/idle.out" 2>&1
expect_match "every idle client closed at IdleTimeout, no reply" \
    "$(tail -n 1 "$D/idle.out")" "^closed=$IDLE replied=0 open=0 "
check "the slow-load daemon still answers" ping_ok slow

# --- the connection cap --------------------------------------------
skd_start cap "$D" "DNSTimeout 3s" "MaxConnections 20" ||
    { not_ok "senderkeyd (cap) starts"; done_testing; }
"$CF" "$D/cap.sock" hold 20 120 >"$D/cap.out" 2>&1 &
CAP=$!
BG="$BG $CAP"
if wait_for "$D/cap.out" '^held=' 60; then
	expect_match "20 connections held at MaxConnections 20" \
	    "$(head -n 1 "$D/cap.out")" "^held=20 answered=20 "
	R=$("$CF" "$D/cap.sock" once)
	expect_eq "over the cap: accepted and closed at once, no reply" \
	    "$R" "connect=ok reply=EOF"
	R=$("$CF" -p "$D/cap.policy" once)
	expect_eq "over the cap on the policy socket too" "$R" \
	    "connect=ok reply=EOF"
else
	not_ok "20 connections held at MaxConnections 20"
fi
kill -USR1 "$CAP" 2>/dev/null
wait "$CAP"
expect_match "the held connections still answer after the refusals" \
    "$(tail -n 1 "$D/cap.out")" "^answered_after=20 closed=0$"
_i=0
until ping_ok cap || [ $_i -ge 30 ]; do _i=$((_i + 1)); sleep 0.1; done
check "below the cap again: served" ping_ok cap
N=$(stat_of cap connections_refused)
check "STATS connections_refused counts the refusals ($N)" \
    test "${N:-0}" -ge 2

# --- out of descriptors (EMFILE) -----------------------------------
# Under tools/valgrind-check (SK_VALGRIND_LOGS set) the daemon's
# descriptors are valgrind's to manage: it keeps its own limit, which
# prlimit on the process does not change, so the case cannot be staged.
if [ -n "${SK_VALGRIND_LOGS:-}" ]; then
	skip "out of descriptors" "under valgrind: it enforces its own descriptor limit, prlimit cannot lower it"
elif command -v prlimit >/dev/null 2>&1 &&
    skd_start nofd "$D" "DNSTimeout 3s" "MaxConnections 200"; then
	PID=$PID_nofd
	ping_ok nofd	# the first connection's allocations
	NFD=$(ls "/proc/$PID/fd" | wc -l)
	LIM=$((NFD + 20))
	prlimit --pid "$PID" --nofile="$LIM:$LIM"
	check "descriptor limit lowered to $LIM ($NFD open)" \
	    test "$(awk '/^Max open files/ { print $4 }' \
	    "/proc/$PID/limits")" -eq "$LIM"
	"$CF" "$D/nofd.sock" hold 25 120 >"$D/nofd.out" 2>&1 &
	NOFD=$!
	BG="$BG $NOFD"
	if wait_for "$D/nofd.out" '^held=' 150; then
		A=$(kv answered "$D/nofd.out")
		diag "hold 25 at $LIM descriptors: $(head -n 1 "$D/nofd.out")"
		check "out of descriptors: up to the limit served ($A of 25)" \
		    test "${A:-0}" -ge 15 -a "${A:-0}" -lt 25
		R=$(timeout 10 "$CF" "$D/nofd.sock" once)
		expect_eq "out of descriptors: a client is accepted and closed at once (EOF), not left waiting" \
		    "$R" "connect=ok reply=EOF"
		R=$(timeout 10 "$CF" -p "$D/nofd.policy" once)
		expect_eq "out of descriptors: the policy socket too" "$R" \
		    "connect=ok reply=EOF"
	else
		not_ok "hold 25 connections at $LIM descriptors"
	fi
	kill -USR1 "$NOFD" 2>/dev/null
	wait "$NOFD"
	_i=0
	until ping_ok nofd || [ $_i -ge 30 ]; do _i=$((_i + 1)); sleep 0.1; done
	check "descriptors free again: a new client is served" ping_ok nofd
	N=$(stat_of nofd connections_refused)
	check "STATS connections_refused counts them ($N)" \
	    test "${N:-0}" -ge 2
	expect_eq "the burst is logged once, not per client" \
	    "$(grep -c 'refusing new clients' "$D/nofd.log")" 1
	expect_eq "and its end once" \
	    "$(grep -c 'descriptors available again' "$D/nofd.log")" 1
else
	skip "out of descriptors" "no prlimit, or senderkeyd (nofd) did not start"
fi

for p in $SKD_PIDS; do
	alive "$p" || { not_ok "daemon $p still running"; tail -n 5 "$D"/*.log |
	    sed 's/^/# /'; }
done
done_testing
