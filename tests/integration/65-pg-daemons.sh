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
# (one without a copy refuses to start; one told PolicyStoreUnreachable
# tempfail starts without rules and answers every recipient with a
# temporary failure until it has read the store); a SIGHUP that needs the
# store read again fails and keeps everything; started again, both catch
# up, the third reads its rules, and the SIGHUP is taken once the store
# has been read.
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
# nice of each of a's threads (field 19 of stat, after the name)
nices=$(for t in /proc/"$PID_a"/task/*/stat; do
	sed 's/^.*) //' "$t" | cut -d' ' -f17
done | sort -n | tr '\n' ' ')
expect_match "a: its store reader and copy threads run at nice 19, the loop at 0" \
    "$nices" "^0 .*19 19 $"
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
bed exec "$SKD" -n -x "$D/c.conf" >/dev/null 2>&1
expect_eq "senderkeyd -n says so too" "$?" 1
skd_conf c "$D" "DNSTimeout 3s" "PolicyStore $SK_PG_URI_DAEMON" \
    "PolicyStorePasswordFile $SK_PG_PASSFILE" "PolicyStoreUnreachable tempfail"
R=$(bed exec "$SKD" -n -x "$D/c.conf" 2>&1)
expect_eq "with PolicyStoreUnreachable tempfail, senderkeyd -n passes" "$?" 0
expect_match "with a warning" "$R" "starts without rules"
start c "PolicyStoreUnreachable tempfail"
check "with PolicyStoreUnreachable tempfail, it starts without rules" \
    alive "$SKD_PID" || diag "$(tail -n 5 "$D/c.log")"
expect_match "c says so" "$(grep 'starting without rules' "$D/c.log")" \
    "PolicyStoreUnreachable tempfail"
expect_match "c: AUTHZ gets a temporary failure" "$(ask c "$MAL")" \
    "^tempfail internal "
R=$(printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
    protocol_name=ESMTP client_address=192.0.2.10 helo_name=mx.example.org \
    sender=mallory@insecure.test recipient=frank@example.net "" |
    "$CL" "$D/c.policy" -b 1)
expect_match "c: a Postfix request gets DEFER_IF_PERMIT" \
    "$(printf '%s\n' "$R" | sed -n 1p)" "^action=DEFER_IF_PERMIT .*internal"
expect_eq "c: STATS store_unread" "$(stat_of c store_unread)" 1
expect_eq "c: STATS store_unread_tempfails" \
    "$(stat_of c store_unread_tempfails)" 2
# SIGHUP to another DefaultMode: the store must be read first; it cannot
conf_a=$(cat "$D/a.conf")
printf '%s\nDefaultMode deny\n' "$conf_a" >"$D/a.conf"
kill -HUP "$PID_a"
wait_log 'reload failed' "$D/a.log"
expect_match "a: SIGHUP to a store out of reach: refused, logged" \
    "$(grep 'reload failed' "$D/a.log" | tail -n 1)" \
    "config and policy store kept: PolicyStore postgres"
expect_match "a: its rules still decide" "$(ask a "$MAL")" \
    "^unauthorized denylisted "
"$PGB" start >/dev/null 2>&1
check "policy: the denial goes" \
    pol remove frank@example.net '*@insecure.test'
t=$(until_both "$ALLOWED")
expect_match "the database back: both catch up" "$t" "^[0-9]+$"
_i=0
until ask c "$MAL" | grep -Eq "$ALLOWED" || [ $_i -ge 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_match "c: read at last, it decides" "$(ask c "$MAL")" "$ALLOWED"
expect_match "c logs the first read" "$(grep 'policy store read:' \
    "$D/c.log")" "rules=[12] after [0-9]+ s; deciding with it"
expect_eq "c: STATS store_unread is 0" "$(stat_of c store_unread)" 0
# SIGHUP to another DefaultMode, the database up: read, then taken
kill -HUP "$PID_a"
wait_log 'config reloaded' "$D/a.log"
expect_match "a: SIGHUP reads the store off the loop, then takes it all" \
    "$(sed -n '/reload: reading PolicyStore/,$p' "$D/a.log" | tr '\n' ' ')" \
    "policy store opened: path=postgres.* rules=1 default_mode=deny .*config reloaded"
expect_match "a: frank's own mode still decides" "$(ask a "$MAL")" \
    "$ALLOWED"

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
