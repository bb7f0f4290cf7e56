#!/bin/sh
# 31-user-entries: user entries (specs/store.md 7) through senderkeyd and
# "senderkey policy", in the DNSSEC test bed, over the line socket.  The
# daemon creates the journal file at version 2 and loads its user entries;
# an entry another writer adds (here sqlite3, as the MOVE and LEARN
# handlers will through uentry_put) is seen at the next poll and decides
# the next AUTHZ; "policy show", "explain" and "report" name it;
# "policy forget" removes it and the daemon stops using it; the decision
# journal's own batches never reload the user entries; "forget" refuses a
# domain and an unknown source; the daemon never writes the rules file.
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 program"

D=$(mktemp -d /tmp/sk-31.XXXXXX)
cleanup() {
	for p in $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

STORE=$D/store.db
J=$D/journal.db
ALICE_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/alice.pub" | cut -d' ' -f1)
PIN=$(printf '%s' "$ALICE_FP" | tr -d : | tr 'A-F' 'a-f')
T0=1796630400	# 2026-12-07T08:00:00Z

ask() {	# REQUEST-LINE: the reply of the daemon "main"
	printf '%s\n' "$1" | "$CL" "$D/main.sock" -n 1
}
# until_ask REQUEST PATTERN: ask every 0.2 s, for at most 10 s (the poll
# tick is 1 s), until the reply matches; prints the last reply.
until_ask() {
	_i=0
	while :; do
		_r=$(ask "$1")
		printf '%s\n' "$_r" | grep -Eq "$2" && break
		_i=$((_i + 1))
		[ $_i -lt 50 ] || break
		sleep 0.2
	done
	printf '%s\n' "$_r"
}
A_PASS="AUTHZ sender=alice@example.test recipient=carol@example.net sig=pass key=$ALICE_FP"

check "policy: carol is deny mode" "$SK" policy -f "$STORE" set \
    carol@example.net deny
check "policy: the domain denies mallory" "$SK" policy -f "$STORE" \
    deny '*@example.net' mallory@example.test
STORE_SUM=$(cat "$STORE" "$STORE-wal" 2>/dev/null | sha256sum)

skd_up "the daemon starts with a journal" main "$D" "DNSTimeout 3s" \
    "PolicyStore $STORE" "JournalFlush 200ms" "UserEntries 50"
expect_match "the start line of the user entries" "$(grep 'user entries:' \
    "$D/main.log")" "user entries: path=$J entries=0 max_per_recipient=50"
expect_eq "the journal file is of version 2" \
    "$(sqlite3 -readonly "$J" 'PRAGMA user_version')" 2
R=$(ask "$A_PASS")
expect_match "no user entry: not allowlisted" "$R" \
    "^unauthorized not-allowlisted "

# --- another writer adds a user entry; the next poll takes it ---
check "a user entry is written beside the daemon" sqlite3 -cmd ".timeout 5000" "$J" \
    "INSERT INTO uentry VALUES ('carol@example.net', 'alice@example.test', 'allow', '$PIN', 'imap', $T0)"
R=$(until_ask "$A_PASS" "^authorized")
expect_match "the next AUTHZ decides with it" "$R" \
    "^authorized allowlisted-signed "
expect_match "the reload is logged" "$(grep 'user entries reloaded' \
    "$D/main.log")" "entries=1"
R=$(ask "AUTHZ sender=alice@example.test recipient=dan@example.net sig=pass key=$ALICE_FP")
expect_match "another recipient is not concerned" "$R" "^authorized "
check "mallory: a user entry where the operator has one" sqlite3 -cmd ".timeout 5000" "$J" \
    "INSERT INTO uentry VALUES ('carol@example.net', 'mallory@example.test', 'allow', '', 'sent', $T0)"
R=$(until_ask "AUTHZ sender=mallory@example.test recipient=carol@example.net" \
    "no-key")
expect_match "a user's allow beats the domain level's deny of the address" \
    "$R" "^unauthorized no-key "

# the decision journal's batches change data_version, not the user entries
_i=0
until [ "$(sqlite3 -readonly "$J" 'SELECT count(*) FROM journal')" -gt 0 ] ||
    [ $_i -ge 100 ]; do
	sleep 0.2
	_i=$((_i + 1))
done
ask "AUTHZ sender=zed@example.test recipient=carol@example.net" >/dev/null
sleep 1.5	# a flush (200 ms) and a poll tick (1 s) or more
expect_eq "two reloads: the journal's batches cause none" \
    "$(grep -c 'user entries reloaded' "$D/main.log")" 2

# --- the CLI ---
R=$("$SK" policy -x "$D/main.conf" show carol@example.net)
expect_eq "show lists the user entries after the rules" \
    "$(printf '%s\n' "$R" | grep '^u ')" \
"u      carol@example.net allow alice@example.test pin $ALICE_FP # user entry: imap 2026-12-07T08:00:00Z
u      carol@example.net allow mallory@example.test # user entry: sent 2026-12-07T08:00:00Z"
R=$("$SK" policy -x "$D/main.conf" show --json carol@example.net)
expect_match "show --json: user_entries" "$(printf '%s' "$R" | tr -d '\n')" \
    '"user_entries": \[    \{"recipient": "carol@example.net", "rule": "allow", "sender": "alice@example.test", "pins": \["'"$ALICE_FP"'"\], "source": "imap", "created": 1796630400\}'
R=$("$SK" policy -x "$D/main.conf" explain alice@example.test carol@example.net)
expect_match "explain names the user entry" "$(printf '%s' "$R" | tr '\n' ' ')" \
    'rule=user .*user entry \(imap 2026-12-07T08:00:00Z\) `carol@example.net allow alice@example.test`'
R=$("$SK" policy -f "$STORE" explain alice@example.test carol@example.net \
    --journal "$J")
expect_match "explain -f --journal, likewise" "$R" "rule=user"
R=$("$SK" policy -x "$D/main.conf" report carol@example.net)
expect_match "report: deny mode accepts alice, by her user entry" "$R" \
    "alice@example.test .* deny=accept key=$ALICE_FP"

# --- forget ---
"$SK" policy -x "$D/main.conf" forget carol@example.net '*@example.test' \
    >/dev/null 2>"$D/err"
expect_eq "forget refuses a domain (65)" "$?" 65
"$SK" policy -x "$D/main.conf" forget carol@example.net --all \
    --source web >/dev/null 2>&1
expect_eq "forget refuses an unknown source (64)" "$?" 64
R=$("$SK" policy -x "$D/main.conf" forget Carol@example.net --all \
    --source sent)
expect_eq "forget --all --source sent" "$R" "1 user entry forgotten"
R=$("$SK" policy -x "$D/main.conf" forget carol@example.net \
    alice@example.test)
expect_eq "forget one sender" "$R" "1 user entry forgotten"
R=$(until_ask "$A_PASS" "^unauthorized")
expect_match "after the poll the next AUTHZ no longer allows alice" "$R" \
    "^unauthorized not-allowlisted "
R=$(ask "AUTHZ sender=mallory@example.test recipient=carol@example.net")
expect_match "and mallory is denied again" "$R" "^unauthorized denylisted "
expect_eq "show: none left" "$("$SK" policy -x "$D/main.conf" show \
    carol@example.net | grep -c '^u ')" 0
expect_eq "the daemon never wrote the rules file" \
    "$(cat "$STORE" "$STORE-wal" 2>/dev/null | sha256sum)" "$STORE_SUM"
stop_ours "$PID_main" "$D"

done_testing
