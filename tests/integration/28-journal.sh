#!/bin/sh
# 28-journal: senderkeyd's decision journal (specs/store.md 6), in the
# DNSSEC test bed, over the line socket: decisions for a recipient
# mailbox (its +extension cut) are counted per key, authorized ones with
# sig=pass pinned to the key that verified, the null sender and the
# JournalDays 0 daemon not journaled; the daemon creates the journal
# 0640 beside the store and never writes the store; a kill -9 after a
# flush leaves a journal that passes integrity_check with its counts and
# a store with every rule; a journal locked by another writer keeps the
# daemon answering, is logged once, and gets its counts once unlocked.
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 program"

D=$(mktemp -d /tmp/sk-28.XXXXXX)
LOCKPID=
cleanup() {
	for p in $SKD_PIDS $LOCKPID; do [ -n "$p" ] && kill "$p" 2>/dev/null
	done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

STORE=$D/store.db
J=$D/journal.db
ALICE_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/alice.pem" | cut -d' ' -f1)
PIN=$(printf '%s' "$ALICE_FP" | tr -d : | tr 'A-F' 'a-f')

start() {	# NAME [LINE...]
	_n=$1
	shift
	skd_start "$_n" "$D" "DNSTimeout 3s" "PolicyStore $STORE" \
	    "RecipientDelimiter +" "JournalFlush 200ms" "$@"
}
ask() {	# SOCKET REQUEST-LINE: the reply
	printf '%s\n' "$2" | "$CL" "$D/$1" -n 1
}
q() {	# SQL on the journal
	sqlite3 -readonly "$J" "$1" 2>&1
}
# until_q SQL WANT: poll the journal every 0.2 s, for at most 20 s
# (JournalFlush is 200 ms here), until SQL gives WANT; prints the last answer.
until_q() {
	_i=0
	while :; do
		_r=$(q "$1")
		[ "$_r" = "$2" ] && break
		_i=$((_i + 1))
		[ $_i -lt 100 ] || break
		sleep 0.2
	done
	printf '%s\n' "$_r"
}

check "policy: carol is deny mode" "$SK" policy -f "$STORE" set \
    carol@example.net deny
check "policy: carol allows alice@example.test" "$SK" policy -f "$STORE" \
    allow carol@example.net alice@example.test
RULES=$("$SK" policy -f "$STORE" export)
STORE_SUM=$(cat "$STORE" "$STORE-wal" 2>/dev/null | sha256sum)

# --- JournalDays 0: no journal ---
start off "JournalDays 0" || not_ok "the daemon starts"
ask off.sock "AUTHZ sender=mallory@example.test recipient=carol@example.net" \
    >/dev/null
stop_ours "$PID_off" "$D"
expect_eq "JournalDays 0: no journal file" \
    "$(test -e "$J" && echo there || echo none)" "none"

# --- decisions, counted ---
skd_up "the daemon starts with a journal" main "$D" "DNSTimeout 3s" \
    "PolicyStore $STORE" "RecipientDelimiter +" "JournalFlush 200ms"
expect_match "the start line of the journal" "$(grep 'journal:' \
    "$D/main.log")" "journal: path=$J days=30 max_rows=1000000 flush_ms=200"
expect_eq "the journal is created 0640 beside the store" \
    "$(stat -c %a "$J" 2>&1)" "640"
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=carol@example.net")
expect_match "RCPT time: sig-pending" "$R" "^untrusted sig-pending "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=carol+x@example.net sig=pass key=$ALICE_FP")
expect_match "end of data, sig=pass: authorized" "$R" \
    "^authorized allowlisted-signed "
ask main.sock "AUTHZ sender=alice@example.test recipient=Carol@example.net sig=pass key=$ALICE_FP" >/dev/null
for i in 1 2 3; do
	ask main.sock "AUTHZ sender=Mallory@example.test recipient=carol@example.net" >/dev/null
done
ask main.sock "AUTHZ sender= recipient=carol@example.net" >/dev/null
ask main.sock "AUTHZ sender=alice@example.test recipient=erin@example.net" >/dev/null

W="SELECT sender, sig, verdict, reason, tag, pin, count FROM journal ORDER BY recipient, sender, sig"
R=$(until_q "SELECT sum(count) FROM journal" 7)
expect_eq "seven decisions flushed" "$R" 7
expect_eq "the rows: one per key, mailbox and canonical sender" "$(q "$W")" \
"alice@example.test|pass|authorized|allowlisted-signed|authorized|$PIN|2
alice@example.test|unknown|untrusted|sig-pending|untrusted||1
mallory@example.test|unknown|unauthorized|not-allowlisted|unauthorized||3
alice@example.test|unknown|untrusted|sig-pending|untrusted||1"
expect_eq "recipients are mailboxes" \
    "$(q "SELECT DISTINCT recipient FROM journal ORDER BY 1" | tr '\n' ' ')" \
    "carol@example.net erin@example.net "
expect_eq "the daemon never wrote the store" \
    "$(cat "$STORE" "$STORE-wal" 2>/dev/null | sha256sum)" "$STORE_SUM"

# --- kill -9 after a flush: the journal is sound, no rule lost ---
for i in 1 2 3 4 5; do
	ask main.sock "AUTHZ sender=mallory@example.test recipient=carol@example.net" >/dev/null
done
R=$(until_q "SELECT count FROM journal WHERE sender = 'mallory@example.test'" 8)
expect_eq "five more, flushed" "$R" 8
ask main.sock "AUTHZ sender=mallory@example.test recipient=carol@example.net" >/dev/null
kill -KILL "$PID_main"
_i=0
while alive "$PID_main" && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
expect_eq "kill -9: the journal passes integrity_check" \
    "$(q 'PRAGMA integrity_check')" "ok"
R=$(q "SELECT count FROM journal WHERE sender = 'mallory@example.test'")
expect_match "kill -9: the flushed counts are there (8, or 9 if the last flush came first)" \
    "$R" "^(8|9)$"
expect_eq "kill -9: every rule is there" \
    "$("$SK" policy -f "$STORE" export)" "$RULES"
expect_eq "kill -9: the store passes integrity_check" \
    "$(sqlite3 -readonly "$STORE" 'PRAGMA integrity_check' 2>&1)" "ok"

# --- a locked journal: the daemon keeps answering ---
skd_up "the daemon starts again on the same journal" main2 "$D" \
    "DNSTimeout 3s" "PolicyStore $STORE" "RecipientDelimiter +" \
    "JournalFlush 200ms"
BEFORE=$(q "SELECT sum(count) FROM journal")
mkfifo "$D/lock.in"
sqlite3 "$J" <"$D/lock.in" >"$D/lock.out" 2>&1 &
LOCKPID=$!
exec 7>"$D/lock.in"
printf 'BEGIN IMMEDIATE;\nSELECT 1;\n' >&7
_i=0
until [ "$(cat "$D/lock.out")" = 1 ] || [ $_i -ge 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_eq "another writer holds the journal" "$(cat "$D/lock.out")" 1
for i in 1 2 3 4; do
	R=$(ask main2.sock "AUTHZ sender=zed@example.test recipient=carol@example.net")
	expect_match "locked journal: answer $i" "$R" \
	    "^unauthorized not-allowlisted "
done
_i=0
until grep -q 'journal: not written' "$D/main2.log" || [ $_i -ge 200 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_match "the outage is logged" "$(grep -c 'journal: not written' \
    "$D/main2.log")" "^1$"
expect_eq "nothing of the batch written while locked" \
    "$(q "SELECT sum(count) FROM journal")" "$BEFORE"
R=$(ask main2.sock "PING")
expect_match "still answering" "$R" "^ok pong"
printf 'ROLLBACK;\n.quit\n' >&7
exec 7>&-
wait "$LOCKPID" 2>/dev/null
LOCKPID=
R=$(until_q "SELECT count FROM journal WHERE sender = 'zed@example.test'" 4)
expect_eq "unlocked: the kept decisions written, once" "$R" 4
_i=0
until grep -q 'journal: written again' "$D/main2.log" || [ $_i -ge 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_match "the recovery is logged once" "$(grep -c \
    'journal: written again' "$D/main2.log")" "^1$"
stop_ours "$PID_main2" "$D"

done_testing
