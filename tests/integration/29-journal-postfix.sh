#!/bin/sh
# 29-journal-postfix: the decision journal built by real traffic through
# the bed's Postfix (policy service at RCPT, senderkey-milter at the end
# of data), then "senderkey policy report" and "set ... deny
# --keep-history" on it (issue 16 section 1, specs/store.md 6): signed
# mail from alice@example.test and alice@nsec3.test and unsigned mail from
# an insecure.test sender reach dan@example.net (allow mode); the report
# counts each message once at RCPT and once at end of data, shows alice's
# key, and says deny mode would refuse all three today; --keep-history
# --dry-run prints deny mode and the two alices pinned to the key seen,
# the real run writes exactly that (the insecure sender is not
# allowlisted); afterwards Postfix refuses the insecure sender at RCPT
# and delivers alice's signed mail as authorized.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 program"
mail_up 29
mkdir -m 0755 "$D/run"
SKPID=
MPID=

cleanup() {
	stop_ours "$MPID" "$D/"
	stop_ours "$SKPID" "$D/"
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

alice_keytable		# $D/keys/alice.pem, mode 0600
ALICE_FP=$("$SK" fingerprint "$D/keys/alice.pem" | cut -d' ' -f1)
STORE=$D/policy.db
J=$D/journal.db
check "policy: a store (frank is allow mode)" "$SK" policy -f "$STORE" \
    set frank@example.net allow
chmod 0644 "$STORE"

SKD_GROUP=postfix
skd_up "senderkeyd starts with the store and a journal" skd "$D/run" \
    "DNSTimeout 3s" "PolicyStore $STORE" "JournalFile $J" \
    "JournalFlush 200ms"
SKPID=$SKD_PID
CONF=$D/run/skd.conf

milter_up "senderkey-milter listens" "MilterMode verify" \
    "MilterDaemonTimeout 10s"
if ! "$PF" up --policy "unix:$D/run/skd.policy" \
    --milter "unix:$D/run/milter.sock" >"$_t_out" 2>&1; then
	not_ok "postfix up with the policy service and the milter"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up with the policy service and the milter"

msg() {	# FROM FILE: a plain message from FROM to dan
	cat >"$2" <<MSG
From: Alice <$1>
To: Dan <dan@example.net>
Subject: 29-journal-postfix
Date: Mon, 07 Dec 2026 05:00:00 +0000
Message-ID: <$(date +%s%N).29@example.test>

Hello Dan.
MSG
}
msg alice@example.test "$D/a"
"$SK" sign -k "$D/keys/alice.pem" <"$D/a" >"$D/a.signed"
msg alice@nsec3.test "$D/n"
"$SK" sign -k "$D/keys/alice.pem" <"$D/n" >"$D/n.signed"
msg ivy@insecure.test "$D/i"

trust() {	# RCPT: Sender-Key-Trust of the last message delivered
	_q=$(queued_id)
	[ -n "$_q" ] || { echo "(not queued)"; return; }
	_f=$("$PF" result "$_q" --wait 30 2>&1 | grep -F "recipient=$1 " |
	    tr ' ' '\n' | sed -n 's/^file=//p' | head -n 1)
	[ -f "$_f" ] || { echo "(not delivered)"; return; }
	sed -n 's/^Sender-Key-Trust: //p' "$_f" | tr -d '\r' | head -n 1
}

AK=991303b76cb2209b2e22129e535c01f46fcc50532f10d4902dcd0bd373c2e784

# --- traffic: dan is allow mode (DefaultMode) ---
for k in 1 2; do
	send_data alice@example.test dan@example.net "$D/a.signed"
	expect_eq "alice@example.test signed ($k): trusted" \
	    "$(trust dan@example.net)" \
	    "trusted; reason=key-secure-signed; sender=alice@example.test; key=$AK"
done
send_data alice@nsec3.test dan@example.net "$D/n.signed"
expect_eq "alice@nsec3.test signed: trusted" "$(trust dan@example.net)" \
    "trusted; reason=key-secure-signed; sender=alice@nsec3.test; key=$AK"
send_data ivy@insecure.test dan@example.net "$D/i"
expect_eq "ivy@insecure.test unsigned: untrusted" \
    "$(trust dan@example.net)" \
    "untrusted; reason=key-insecure; sender=ivy@insecure.test"

# 4 messages: 4 decisions at RCPT, 4 at the end of data
_i=0
until [ "$(sqlite3 -readonly "$J" "SELECT sum(count) FROM journal" \
    2>/dev/null)" = 8 ] || [ $_i -ge 150 ]; do
	sleep 0.2
	_i=$((_i + 1))
done
expect_eq "eight decisions journaled" \
    "$(sqlite3 -readonly "$J" "SELECT sum(count) FROM journal" 2>&1)" 8

norm() { sed -e 's/last=[0-9TZ:-]*/last=T/' -e 's/since [0-9TZ:-]*/since T/' \
    -e 's/"\(first\|last\|since\)": [0-9]*/"\1": T/g'; }
R=$("$SK" policy -x "$CONF" report dan@example.net | norm)
expect_eq "report dan (text)" "$R" \
"# dan@example.net since T (30 days): 3 senders, 3 refused by deny mode today
alice@example.test rcpt=2 data=2 authorized=2 tags=trusted:2,untrusted:2 last=T deny=refuse:not-allowlisted key=$ALICE_FP
alice@nsec3.test rcpt=1 data=1 authorized=1 tags=trusted:1,untrusted:1 last=T deny=refuse:not-allowlisted key=$ALICE_FP
ivy@insecure.test rcpt=1 data=1 authorized=0 tags=untrusted:2 last=T deny=refuse:not-allowlisted"
R=$("$SK" policy -x "$CONF" report dan@example.net --json --since 1d | norm)
expect_eq "report dan (JSON)" "$R" \
'{
  "recipient": "dan@example.net",
  "since": T,
  "senders": [
    {"sender": "alice@example.test", "rcpt": 2, "data": 2, "authorized": 2, "tags": {"trusted": 2, "untrusted": 2}, "keys": ["'"$ALICE_FP"'"], "first": T, "last": T, "deny": "not-allowlisted"},
    {"sender": "alice@nsec3.test", "rcpt": 1, "data": 1, "authorized": 1, "tags": {"trusted": 1, "untrusted": 1}, "keys": ["'"$ALICE_FP"'"], "first": T, "last": T, "deny": "not-allowlisted"},
    {"sender": "ivy@insecure.test", "rcpt": 1, "data": 1, "authorized": 0, "tags": {"untrusted": 2}, "keys": [], "first": T, "last": T, "deny": "not-allowlisted"}
  ]
}'

R=$("$SK" policy -x "$CONF" set dan@example.net deny --keep-history \
    --dry-run)
expect_eq "--keep-history --dry-run" "$R:$?" \
"# senderkey policy set --keep-history --dry-run: nothing written
dan@example.net mode deny
dan@example.net allow alice@example.test pin $ALICE_FP
dan@example.net allow alice@nsec3.test pin $ALICE_FP:0"
R=$("$SK" policy -x "$CONF" set dan@example.net deny --keep-history \
    --since 90d)
expect_eq "--keep-history writes three rules" "$R:$?" "3 rules changed:0"
expect_eq "dan's rules: deny, the two alices pinned, not ivy" \
    "$("$SK" policy -f "$STORE" show dan@example.net |
    sed '1d; s/^[me][0-9]* *//')" \
"dan@example.net mode deny
dan@example.net allow alice@example.test pin $ALICE_FP
dan@example.net allow alice@nsec3.test pin $ALICE_FP"

# --- the rules at work (senderkeyd sees the change within a second) ---
wait_log 'policy store updated' "$D/run/skd.log" 50
send_data ivy@insecure.test dan@example.net "$D/i"
expect_match "deny mode: ivy refused at RCPT" "$(rcpt_reply dan@example.net)" \
    '^5[0-9][0-9] 5\.7\.1 .*not-allowlisted'
send_data alice@example.test dan@example.net "$D/a.signed"
expect_eq "deny mode: alice's signed mail authorized" \
    "$(trust dan@example.net)" \
    "authorized; reason=allowlisted-signed; sender=alice@example.test; key=$AK"

done_testing
