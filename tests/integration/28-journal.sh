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
ALICE_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/alice.pub" | cut -d' ' -f1)
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

# --- report and set deny --keep-history, on the journal just built ---
ask main.sock "AUTHZ sender=alice@example.test recipient=frank@example.net sig=pass key=$ALICE_FP" >/dev/null
ask main.sock "AUTHZ sender=alice@example.test recipient=frank@example.net" >/dev/null
ask main.sock "AUTHZ sender=mallory@insecure.test recipient=frank@example.net" >/dev/null
ask main.sock "AUTHZ sender=mallory@insecure.test recipient=frank@example.net sig=none" >/dev/null
R=$(until_q "SELECT sum(count) FROM journal WHERE recipient = 'frank@example.net'" 4)
expect_eq "frank's four decisions flushed" "$R" 4
# times vary: last= and the header's date are replaced
norm() { sed -e 's/last=[0-9TZ:-]*/last=T/' -e 's/since [0-9TZ:-]*/since T/' \
    -e 's/"\(first\|last\|since\)": [0-9]*/"\1": T/g'; }
R=$("$SK" policy -x "$D/main.conf" report Carol+news@example.net \
    2>"$D/rep.err" | norm)
expect_eq "report carol (text)" "$R" \
"# carol@example.net since T (30 days): 2 senders, 1 refused by deny mode today
alice@example.test rcpt=1 data=2 authorized=2 tags=authorized:2,untrusted:1 last=T deny=accept key=$ALICE_FP
mallory@example.test rcpt=3 data=0 authorized=0 tags=unauthorized:3 last=T deny=refuse:not-allowlisted"
expect_match "report reads the recipient as its mailbox" "$(cat "$D/rep.err")" \
    "Carol\+news@example.net is read as carol@example.net"
R=$("$SK" policy -f "$STORE" report frank@example.net --json | norm)
expect_eq "report frank (JSON)" "$R" \
'{
  "recipient": "frank@example.net",
  "since": T,
  "senders": [
    {"sender": "alice@example.test", "rcpt": 1, "data": 1, "authorized": 1, "tags": {"trusted": 1, "untrusted": 1}, "keys": ["'"$ALICE_FP"'"], "first": T, "last": T, "deny": "not-allowlisted"},
    {"sender": "mallory@insecure.test", "rcpt": 1, "data": 1, "authorized": 0, "tags": {"untrusted": 2}, "keys": [], "first": T, "last": T, "deny": "not-allowlisted"}
  ]
}'
R=$("$SK" policy -f "$STORE" report frank@example.net --since 1h | head -n 1 | norm)
expect_eq "report --since 1h" "$R" \
    "# frank@example.net since T (1 day): 2 senders, 2 refused by deny mode today"
R=$("$SK" policy -f "$STORE" report nobody@example.net | norm)
expect_eq "report of a recipient without history" "$R" \
    "# nobody@example.net since T (30 days): 0 senders, 0 refused by deny mode today"
"$SK" policy -f "$STORE" report frank@example.net --since 3x >/dev/null 2>&1
expect_eq "report --since 3x: usage (64)" "$?" 64
"$SK" policy -f "$STORE" report frank@example.net --journal "$D/none.db" \
    >/dev/null 2>&1
expect_eq "report without a journal: 66" "$?" 66
R=$("$SK" policy -f "$STORE" set frank@example.net deny --keep-history \
    --dry-run)
expect_eq "--keep-history --dry-run prints the rules" "$R:$?" \
"# senderkey policy set --keep-history --dry-run: nothing written
frank@example.net mode deny
frank@example.net allow alice@example.test pin $ALICE_FP:0"
expect_eq "--dry-run wrote nothing" \
    "$("$SK" policy -f "$STORE" export)" "$RULES"
R=$("$SK" policy -f "$STORE" set frank@example.net deny --keep-history \
    --since 90d)
expect_eq "--keep-history writes mode and pinned entry" "$R:$?" \
    "2 rules changed:0"
expect_eq "frank's rules: deny, alice pinned to the key seen, not mallory" \
    "$("$SK" policy -f "$STORE" show frank@example.net | sed 's/^[me][0-9]* *//')" \
"# $STORE: DefaultMode allow
frank@example.net mode deny
frank@example.net allow alice@example.test pin $ALICE_FP"
expect_match "the audit row" "$(sqlite3 -readonly "$STORE" \
    "SELECT what FROM audit ORDER BY id DESC LIMIT 1")" \
    "^set frank@example.net deny --keep-history \(1 sender\)$"
R=$("$SK" policy -f "$STORE" report frank@example.net | sed 1d | norm)
expect_eq "report after: alice accepted, mallory refused" "$R" \
"alice@example.test rcpt=1 data=1 authorized=1 tags=trusted:1,untrusted:1 last=T deny=accept key=$ALICE_FP
mallory@insecure.test rcpt=1 data=1 authorized=0 tags=untrusted:2 last=T deny=refuse:not-allowlisted"
RULES=$("$SK" policy -f "$STORE" export)

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
wait_log 'journal: not written' "$D/main2.log" 200
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
wait_log 'journal: written again' "$D/main2.log"
expect_match "the recovery is logged once" "$(grep -c \
    'journal: written again' "$D/main2.log")" "^1$"
stop_ours "$PID_main2" "$D"

done_testing
