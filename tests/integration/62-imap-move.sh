#!/bin/sh
# 62-imap-move: a recipient manages their own senders from the mail
# client (issue 16 section 3; protocol.md 3.2 MOVE).  The bed's Postfix
# (senderkeyd as policy service with a journal and a ClientSocket,
# senderkey-milter verifying) delivers over LMTP to a real Dovecot 2.3
# running the shipped 90-senderkey.conf and 91-senderkey-imapsieve.conf,
# the Sieve scripts compiled with sievec and the shipped pipe program
# (its path pointed at this build and this test's socket); a client
# works over IMAP (python3 imaplib):
#   bob, in allow mode, gets a trusted message from alice@nsec3.test and
#     an untrusted one from carol@insecure.test; the operator switches
#     him to deny (allowing alice@example.test): alice@nsec3.test is
#     refused at RCPT, alice@example.test still arrives;
#   bob moves alice@nsec3.test's message into Senders/Allow: the entry is
#     written, pinned; her next message is accepted, $SenderKeyTrusted;
#   bob moves carol's message into Senders/Block: carol is refused at
#     RCPT as denylisted;
#   bad input: a message without a field moved to Allow changes nothing
#     and Dovecot's log says why (no-field); a forged field sent through
#     Postfix is gone (the milter's is the only one); a field APPENDed
#     over IMAP naming a sender who never wrote to bob (not-seen), or
#     alice@nsec3.test with a key that never verified her (key-not-seen),
#     yields no entry; dan appending bob's message into his own
#     Senders/Allow changes only dan's (not-seen), never bob's;
#   "senderkey policy show" lists bob's two entries, source imap.
# The bed is left up; this script's daemons, Postfix and Dovecot stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v dovecot >/dev/null 2>&1 ||
    skip_all "dovecot is not installed (dovecot-imapd dovecot-lmtpd dovecot-sieve)"
command -v sievec >/dev/null 2>&1 || skip_all "sievec is not installed (dovecot-sieve)"
PY=/usr/bin/python3
DCB=$SK_TOP/tests/bed/dovecot
SK=$SK_BIN/senderkey
SKM=$SK_BIN/senderkey-milter
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
mail_up 62m
mkdir -m 0755 "$D/run" "$D/sieve" "$D/pipe"
SKPID= MPID=

cleanup() {
	stop_ours "$MPID" "$D/"
	stop_ours "$SKPID" "$D/"
	"$DCB" down >/dev/null 2>&1
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# --- the shipped Dovecot files, at paths of this test ------------------------
for f in senderkey-tag.sieve senderkey-allow.sieve senderkey-block.sieve; do
	cp "$SK_TOP/etc/dovecot/$f" "$D/sieve/"
done
sed "s|/etc/dovecot/sieve/|$D/sieve/|" "$SK_TOP/etc/dovecot/90-senderkey.conf" \
    >"$D/90-senderkey.conf"
sed -e "s|/etc/dovecot/sieve/|$D/sieve/|" \
    -e "s|/etc/dovecot/sieve-pipe|$D/pipe|" \
    "$SK_TOP/etc/dovecot/91-senderkey-imapsieve.conf" >"$D/91.conf"
sed "s|^exec /usr/bin/senderkey imap-move |exec $SK imap-move --socket $D/run/client.sock |" \
    "$SK_TOP/etc/dovecot/senderkey-imap-move" >"$D/pipe/senderkey-imap-move"
chmod 0755 "$D/pipe/senderkey-imap-move"
expect_eq "the pipe program runs this build, at this test's socket" \
    "$(grep -c "^exec $SK imap-move --socket $D/run/client.sock \"\$@\"\$" \
    "$D/pipe/senderkey-imap-move")" 1

if ! "$DCB" up --user bob@example.net:bob-secret \
    --user dan@example.net:dan-secret --conf "$D/90-senderkey.conf" \
    --conf "$D/91.conf" >"$_t_out" 2>&1; then
	not_ok "dovecot up with 90-senderkey.conf and 91-senderkey-imapsieve.conf"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "dovecot up with 90-senderkey.conf and 91-senderkey-imapsieve.conf"
eval "$("$DCB" env)"
rm -rf "$SK_DC_DIR/home/bob@example.net" "$SK_DC_DIR/home/dan@example.net"
for f in senderkey-tag senderkey-allow senderkey-block; do
	check "sievec compiles the shipped $f.sieve" \
	    sievec -c "$SK_DC_DIR/etc/dovecot.conf" "$D/sieve/$f.sieve"
done

# --- senderkeyd (journal, ClientSocket), the milter, Postfix over LMTP -------
alice_keytable
STORE=$D/policy.db
check "policy: bob in allow mode, allowing alice@example.test" sh -c \
    "'$SK' policy -f '$STORE' set bob@example.net allow &&
     '$SK' policy -f '$STORE' allow bob@example.net alice@example.test"
chmod 0644 "$STORE"
SKD_GROUP=postfix
skd_up "senderkeyd starts with a journal and a ClientSocket" skd "$D/run" \
    "DNSTimeout 3s" "DefaultMode allow" "PolicyStore $STORE" \
    "JournalFile $D/journal.db" "JournalFlush 1s" \
    "ClientSocket unix:$D/run/client.sock" "ClientSocketGroup nogroup" \
    "ClientUser nobody"
SKPID=$SKD_PID
check "the ClientSocket is group nogroup, mode 0660" \
    test "$(stat -c '%G %a' "$D/run/client.sock")" = "nogroup 660"
milter_up "senderkey-milter listens" "MilterDaemonTimeout 10s"
if ! "$PF" up --policy "unix:$D/run/skd.policy" \
    --milter "unix:$D/run/milter.sock" \
    --set "virtual_transport = lmtp:unix:$SK_DC_LMTP" >"$_t_out" 2>&1; then
	not_ok "postfix up: policy service, milter, LMTP to Dovecot"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up: policy service, milter, LMTP to Dovecot"

# imap USER PASSWORD ACTION ARGS...: one IMAP client action, its outcome
# on stdout.  flags FOLDER SUBJECT: the keywords of the message (waits up
# to 10 s; MISSING); move SUBJECT FOLDER: INBOX's message to FOLDER (UID
# MOVE); append FOLDER FILE: FILE appended to FOLDER.
imap() {
	ip netns exec "$SK_BED_NS" "$PY" -c '
import imaplib, sys, time
user, pw, act = sys.argv[1:4]
a = sys.argv[4:]
def find(M, folder, subj):
    for _ in range(50):
        typ, _d = M.select(folder)
        if typ == "OK":
            typ, d = M.uid("SEARCH", None, "SUBJECT", "\"%s\"" % subj)
            if d[0]:
                return d[0].split()[-1]
        time.sleep(0.2)
    return None
M = imaplib.IMAP4("127.0.0.1", 143)
M.login(user, pw)
if act == "flags":
    u = find(M, a[0], a[1])
    if u is None:
        print("MISSING"); sys.exit(0)
    typ, r = M.uid("FETCH", u, "(FLAGS)")
    print(" ".join(sorted(f.decode() for f in imaplib.ParseFlags(r[0])
                          if not f.startswith(b"\\"))))
elif act == "move":
    u = find(M, "INBOX", a[0])
    if u is None:
        print("MISSING"); sys.exit(0)
    print(M.uid("MOVE", u, a[1])[0])
elif act == "append":
    with open(a[1], "rb") as f:
        print(M.append(a[0], None, None, f.read().replace(b"\n", b"\r\n"))[0])
M.logout()' "$@" 2>&1
}

# msg FROM SUBJECT [EXTRA-HEADER]: a message to bob on stdout.
msg() {
	printf '%s\n' ${3:+"$3"} "From: <$1>" "To: <bob@example.net>" \
	    "Subject: $2" "Date: Mon, 07 Dec 2026 08:00:00 +0000" \
	    "Message-ID: <$(echo "$2" | tr ' ' .)@62m.example>" "" \
	    "Hello from 62-imap-move."
}

# signed FROM SUBJECT: msg signed with alice's key, in $D/m.
signed() {
	msg "$1" "$2" | "$SK" sign -k "$D/keys/alice.pem" -s "$1" >"$D/m" \
	    2>"$D/err" || diag "$(cat "$D/err")"
}

# moved NAME USER SUBJECT FOLDER WANT: USER moves SUBJECT into FOLDER and
# senderkeyd's last move line says WANT (a pattern).
moved() {
	expect_eq "$1: the IMAP MOVE succeeds" \
	    "$(imap "$2" "${2%@*}-secret" move "$3" "$4")" OK
	expect_match "$1: senderkeyd: $5" \
	    "$(grep 'move: ' "$D/run/skd.log" | tail -n 1)" "$5"
}

AK=991303b76cb2209b2e22129e535c01f46fcc50532f10d4902dcd0bd373c2e784
BOBK=$("$SK" fingerprint "$SK_TOP/tests/bed/bob.pub" 2>/dev/null |
    tr -d ':' | tr 'A-F' 'a-f' | grep -Eo '[0-9a-f]{64}' | head -n 1)

# --- allow mode: a trusted new sender, an untrusted one ------------------------
signed alice@nsec3.test "62m first"
send_data alice@nsec3.test bob@example.net "$D/m"
expect_eq "allow mode: alice@nsec3.test's signed message: \$SenderKeyTrusted" \
    "$(imap bob@example.net bob-secret flags INBOX "62m first")" \
    '$SenderKeyTrusted'
msg carol@insecure.test "62m carol" >"$D/m"
send_data carol@insecure.test bob@example.net "$D/m"
expect_eq "allow mode: carol@insecure.test: \$SenderKeyUntrusted" \
    "$(imap bob@example.net bob-secret flags INBOX "62m carol")" \
    '$SenderKeyUntrusted'
# a forged field through Postfix: gone, the milter's alone names the sender
msg carol@insecure.test "62m forged" "Sender-Key-Trust: trusted; reason=key-secure-signed; sender=mallory@example.test; key=$AK" >"$D/m"
send_data carol@insecure.test bob@example.net "$D/m"
expect_eq "forged field: \$SenderKeyUntrusted" \
    "$(imap bob@example.net bob-secret flags INBOX "62m forged")" \
    '$SenderKeyUntrusted'
_f=$(grep -l "Subject: 62m forged" "$SK_DC_DIR/home/bob@example.net/Maildir/new/"* \
    "$SK_DC_DIR/home/bob@example.net/Maildir/cur/"* 2>/dev/null | head -n 1)
expect_eq "forged field: delivered with senderkey's field only" \
    "$(fields_of "$_f" Sender-Key-Trust)" \
    "Sender-Key-Trust: untrusted; reason=key-insecure; sender=carol@insecure.test"

# --- deny mode -----------------------------------------------------------------
check "policy set bob@example.net deny" \
    "$SK" policy -f "$STORE" set bob@example.net deny
sleep 1.5	# senderkeyd polls the store every second
signed alice@nsec3.test "62m refused"
send_data alice@nsec3.test bob@example.net "$D/m"
expect_match "deny mode: alice@nsec3.test refused at RCPT" \
    "$(rcpt_reply bob@example.net)" '^5[0-9][0-9] 5\.7\.1 .*not-allowlisted'
signed alice@example.test "62m allowed"
send_data alice@example.test bob@example.net "$D/m"
expect_eq "deny mode: alice@example.test (allowed): \$SenderKeyTrusted" \
    "$(imap bob@example.net bob-secret flags INBOX "62m allowed")" \
    '$SenderKeyTrusted'

# --- bad input first: nothing of it may write an entry -------------------------
printf '%s\n' "From: <mallory@example.test>" "To: <bob@example.net>" \
    "Subject: 62m nofield" "" "no trust field" >"$D/nofield"
expect_eq "no field: APPEND into Senders/Allow" \
    "$(imap bob@example.net bob-secret append Senders/Allow "$D/nofield")" OK
expect_match "no field: senderkeyd says no-field" \
    "$(grep 'move: ' "$D/run/skd.log" | tail -n 1)" \
    'user=bob@example.net .*entry=none why=no-field'
expect_match "no field: Dovecot's log says why" \
    "$("$DCB" log | grep 'senderkey imap-move' | tail -n 1)" \
    'allow bob@example.net: nothing changed: no-field'
msg mallory@example.test "62m appended" "Sender-Key-Trust: trusted; reason=key-secure-signed; sender=mallory@example.test; key=$AK" >"$D/app"
expect_eq "APPENDed field naming a stranger: APPEND" \
    "$(imap bob@example.net bob-secret append Senders/Allow "$D/app")" OK
expect_match "APPENDed field naming a stranger: no entry (not-seen)" \
    "$(grep 'move: ' "$D/run/skd.log" | tail -n 1)" \
    'user=bob@example.net sender=mallory@example.test entry=none why=not-seen'
msg alice@nsec3.test "62m wrongkey" "Sender-Key-Trust: trusted; reason=key-secure-signed; sender=alice@nsec3.test; key=$BOBK" >"$D/app"
expect_eq "APPENDed field with a key never seen: APPEND" \
    "$(imap bob@example.net bob-secret append Senders/Allow "$D/app")" OK
expect_match "APPENDed field with a key never seen: no entry (key-not-seen)" \
    "$(grep 'move: ' "$D/run/skd.log" | tail -n 1)" \
    'sender=alice@nsec3.test entry=none why=key-not-seen'
# dan appends bob's trusted message into his own Senders/Allow
_f=$(grep -l "Subject: 62m first" "$SK_DC_DIR/home/bob@example.net/Maildir/new/"* \
    "$SK_DC_DIR/home/bob@example.net/Maildir/cur/"* 2>/dev/null | head -n 1)
tr -d '\r' <"$_f" >"$D/bobs"
expect_eq "another user: dan APPENDs bob's message" \
    "$(imap dan@example.net dan-secret append Senders/Allow "$D/bobs")" OK
expect_match "another user: only dan's entries are asked for, and none" \
    "$(grep 'move: ' "$D/run/skd.log" | tail -n 1)" \
    'user=dan@example.net sender=alice@nsec3.test entry=none why=not-seen'
signed alice@nsec3.test "62m still refused"
send_data alice@nsec3.test bob@example.net "$D/m"
expect_match "after the bad input: alice@nsec3.test still refused for bob" \
    "$(rcpt_reply bob@example.net)" '^5[0-9][0-9] 5\.7\.1 .*not-allowlisted'

# A local user of another uid in the socket's group can connect, but MOVE
# is taken only from ClientUser (Dovecot's mail_uid) and root: otherwise
# that user could name bob and allow whoever wrote to him.
_fl=$(grep -m 1 '^Sender-Key-Trust:' "$D/bobs" | sed 's/^Sender-Key-Trust: //')
_out=$(printf 'From: x\nSender-Key-Trust: %s\n\nx\n' "$_fl" |
    setpriv --reuid=daemon --regid=nogroup --clear-groups \
    "$SK" imap-move --socket "$D/run/client.sock" --user bob@example.net \
    allow 2>&1)
expect_match "a peer that is not ClientUser: MOVE refused (not-permitted)" \
    "$_out" 'not-permitted'
expect_eq "... and senderkeyd logged no move for it" \
    "$(grep -c 'move: .*sender=alice@nsec3.test.*entry=written' "$D/run/skd.log")" 0

# --- Senders/Allow: the next message is accepted, trusted ----------------------
moved "Allow" bob@example.net "62m first" Senders/Allow \
    'user=bob@example.net sender=alice@nsec3.test action=allow pinned=yes entry=written'
signed alice@nsec3.test "62m after allow"
send_data alice@nsec3.test bob@example.net "$D/m"
expect_match "after Allow: alice@nsec3.test accepted at RCPT" \
    "$(rcpt_reply bob@example.net)" '^250 '
expect_eq "after Allow: her message shows \$SenderKeyTrusted" \
    "$(imap bob@example.net bob-secret flags INBOX "62m after allow")" \
    '$SenderKeyTrusted'

# --- Senders/Block: refused at RCPT ---------------------------------------------
moved "Block" bob@example.net "62m carol" Senders/Block \
    'user=bob@example.net sender=carol@insecure.test action=block pinned=no entry=written'
msg carol@insecure.test "62m carol again" >"$D/m"
send_data carol@insecure.test bob@example.net "$D/m"
expect_match "after Block: carol@insecure.test refused at RCPT (denylisted)" \
    "$(rcpt_reply bob@example.net)" '^5[0-9][0-9] 5\.7\.1 .*denylisted'

# --- what the operator sees: bob's user entries, source imap ---------------
_show=$("$SK" policy -f "$STORE" show bob@example.net --journal "$D/journal.db" 2>&1)
expect_match "policy show: alice@nsec3.test allowed by bob, pinned, from imap" \
    "$(printf '%s\n' "$_show" | grep 'alice@nsec3.test')" \
    "allow.*# user entry: imap "
expect_match "policy show: carol@insecure.test denied by bob, from imap" \
    "$(printf '%s\n' "$_show" | grep 'carol@insecure.test')" \
    "deny.*# user entry: imap "
expect_eq "policy show: no entry for mallory or dan's move" \
    "$(printf '%s\n' "$_show" | grep -c 'mallory\|# user entry.*dan@')" 0

done_testing
