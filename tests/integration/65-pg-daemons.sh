#!/bin/sh
# 65-pg-daemons: two senderkeyd "hosts" sharing one policy store on a real
# PostgreSQL 15 (tests/bed/pg), each with its own PolicyStoreCopy: a rule
# written with `senderkey policy` on the database changes the answer of
# both (an incremental change, woken by NOTIFY: "policy store updated",
# no reload); cut off from the database (the daemon role's connections
# refused and terminated) both keep answering from their rules, log the
# outage once and show the age in STATS, while writers still change the
# store; let in again they catch up, the changes made meanwhile included.
# The database stopped: writers exit 75 and change nothing, the daemons
# answer on; one daemon restarted while it is down starts from its copy
# (and one without a copy refuses to start); started again, both catch up.
# A kill -9 of the postmaster: answers go on, and after the restart a
# change reaches both again.
. "$(dirname "$0")/lib.sh"

need_root
PGB=$SK_TOP/tests/bed/pg
SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 ||
    skip_all "PostgreSQL is not installed (tools/deps installs it)"
bed_up
SK_BED_QUIET=1 "$PGB" up >/dev/null 2>&1 || skip_all "tests/bed/pg up failed"
"$PGB" reset >/dev/null 2>&1
eval "$("$PGB" env)"

D=$(mktemp -d /tmp/sk-65.XXXXXX)
cleanup() {
	for p in $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	"$PGB" psql --super -qc "ALTER ROLE skd LOGIN" >/dev/null 2>&1
	"$PGB" start >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

pol() {	# senderkey policy on the database, as the owner
	PGPASSFILE=$SK_PG_PASSFILE "$SK" policy -f "$SK_PG_URI_ADMIN" "$@"
}
ask() {	# NAME REQUEST-LINE: the reply of daemon NAME
	printf '%s\n' "$2" | "$CL" "$D/$1.sock" -n 1
}
MAL="AUTHZ sender=mallory@insecure.test recipient=frank@example.net"
ALLOWED="^untrusted key-insecure "
DENIED="^unauthorized not-allowlisted "

# until_both PATTERN: ask a and b every 0.1 s until both match, for at
# most 10 s; prints the tenths of a second it took (a figure, never a
# bound) or "never".
until_both() {
	_i=0
	while [ $_i -lt 100 ]; do
		if ask a "$MAL" | grep -Eq "$1" &&
		    ask b "$MAL" | grep -Eq "$1"; then
			echo "$_i"
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	echo never
	return 1
}
start() {	# NAME [more config lines]
	_n=$1
	shift
	skd_start "$_n" "$D" "DNSTimeout 3s" "PolicyStore $SK_PG_URI_DAEMON" \
	    "PolicyStorePasswordFile $SK_PG_PASSFILE" "$@"
}
stat_of() {	# NAME KEY: one STATS value of daemon NAME
	ask "$1" STATS | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# --- the store, and two daemons on it ---
check "policy on PostgreSQL: frank in deny mode" \
    pol set frank@example.net deny
start a "PolicyStoreCopy $D/a-copy.db"
check "daemon a starts on PostgreSQL" alive "$SKD_PID"
start b "PolicyStoreCopy $D/b-copy.db"
check "daemon b starts on PostgreSQL" alive "$SKD_PID"
expect_match "a: frank refuses mallory" "$(ask a "$MAL")" "$DENIED"
expect_match "b: frank refuses mallory" "$(ask b "$MAL")" "$DENIED"

# --- a change reaches both, as a change, not a reload ---
check "policy: frank switches to allow" pol set frank@example.net allow
t=$(until_both "$ALLOWED")
expect_match "both daemons answer allow mode" "$t" "^[0-9]+$"
fig pg_change_to_both_ms "$(( ${t:-0} * 100 ))"
expect_match "a applied it as a change" \
    "$(grep 'policy store updated' "$D/a.log" | tail -n 1)" \
    "pairs=1 rules=1"
expect_eq "a read the store whole once: at start" \
    "$(grep -c 'policy store reloaded' "$D/a.log")" 0
_i=0
until [ -s "$D/a-copy.db" ] && [ -s "$D/b-copy.db" ] || [ $_i -ge 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "both keep a copy of the rules" test -s "$D/a-copy.db"

# --- cut off: the daemon role may not connect ---
"$PGB" psql --super -qc "ALTER ROLE skd NOLOGIN" >/dev/null
"$PGB" psql --super -qAtc "SELECT pg_terminate_backend(pid) FROM
    pg_stat_activity WHERE usename = 'skd'" >/dev/null
check "while they are cut off, a writer still writes" \
    pol deny frank@example.net '*@insecure.test'
sleep 2.5
expect_match "a answers from the rules it has" "$(ask a "$MAL")" "$ALLOWED"
expect_match "b answers from the rules it has" "$(ask b "$MAL")" "$ALLOWED"
expect_match "a: STATS shows the age of its rules" "$(stat_of a store_age)" \
    "^([2-9]|[1-9][0-9]+)$"
expect_eq "a logs the outage once" \
    "$(grep -c 'the rules loaded before stay in use' "$D/a.log")" 1
"$PGB" psql --super -qc "ALTER ROLE skd LOGIN" >/dev/null
t=$(until_both "^unauthorized denylisted ")
expect_match "let in again, both apply the change made meanwhile" "$t" \
    "^[0-9]+$"
expect_match "a logs the end of the outage" \
    "$(grep 'readable again' "$D/a.log" | tail -n 1)" "after [0-9]+ s"
expect_match "a: the age is small again" "$(stat_of a store_age)" "^[0-2]$"

# --- the database stopped ---
_i=0	# b's copy has the denial (its thread asks every second)
until [ "$(sqlite3 "$D/b-copy.db" "SELECT count(*) FROM copy_rule WHERE
    kind = 'deny'" 2>/dev/null)" = 1 ] || [ $_i -ge 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_eq "b's copy holds the change" "$(sqlite3 "$D/b-copy.db" \
    "SELECT count(*) FROM copy_rule WHERE kind = 'deny'")" 1
"$PGB" stop >/dev/null 2>&1
pol remove frank@example.net '*@insecure.test' 2>"$D/err"
expect_eq "a writer with the database down: exit 75" "$?" 75
expect_match "and it says why" "$(cat "$D/err")" "."
expect_match "a answers on" "$(ask a "$MAL")" "^unauthorized denylisted "
stop_ours "$PID_b" "$D/b.conf"
start b "PolicyStoreCopy $D/b-copy.db"
check "b restarts with the database down: from its copy" alive "$SKD_PID" ||
    diag "$(tail -n 5 "$D/b.log")"
expect_match "b says so" "$(grep 'starting from PolicyStoreCopy' \
    "$D/b.log" | tail -n 1)" "current [0-9]+ s ago"
expect_match "b answers from the copy" "$(ask b "$MAL")" \
    "^unauthorized denylisted "
skd_conf c "$D" "DNSTimeout 3s" "PolicyStore $SK_PG_URI_DAEMON" \
    "PolicyStorePasswordFile $SK_PG_PASSFILE"
R=$(bed exec timeout 30 "$SKD" -f -x "$D/c.conf" 2>&1)
expect_eq "without a copy, a daemon refuses to start" "$?" 1
expect_match "and names the store" "$R" "PolicyStore: postgres"
"$PGB" start >/dev/null 2>&1
check "policy: the denial goes" \
    pol remove frank@example.net '*@insecure.test'
t=$(until_both "$ALLOWED")
expect_match "the database back: both catch up" "$t" "^[0-9]+$"

# --- a crash of the database ---
"$PGB" kill >/dev/null 2>&1
expect_match "after a kill -9 of PostgreSQL, a answers" "$(ask a "$MAL")" \
    "$ALLOWED"
"$PGB" start >/dev/null 2>&1
check "policy: frank to deny again" pol set frank@example.net deny
t=$(until_both "$DENIED")
expect_match "after its restart, a change reaches both" "$t" "^[0-9]+$"
expect_match "b: STATS counts the changes" "$(stat_of b store_updates)" \
    "^[1-9][0-9]*$"

done_testing
