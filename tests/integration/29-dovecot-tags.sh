#!/bin/sh
# 29-dovecot-tags: what the recipient's mail client shows.  senderkeyd
# (policy service) and senderkey-milter (verify) decide in the bed's
# Postfix, which delivers over LMTP to a real Dovecot 2.3 running the
# shipped etc/dovecot/90-senderkey.conf and senderkey-tag.sieve (compiled
# with sievec, as the file says); a client fetches the keywords over IMAP:
#   alice's signed message (secure key) to an allow-mode recipient and
#     to a deny-mode recipient that allowlists her: $SenderKeyTrusted;
#   a message from an unsigned zone: $SenderKeyUntrusted;
#   the same carrying its own "Sender-Key-Trust: trusted" (the milter
#     removes it): $SenderKeyUntrusted, never trusted;
#   the recipient's own Sieve script still runs after it (fileinto keeps
#     the keyword).
# The bed is left up; this script's daemons, Postfix and Dovecot stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v dovecot >/dev/null 2>&1 ||
    skip_all "dovecot is not installed (dovecot-imapd dovecot-lmtpd dovecot-sieve)"
command -v sievec >/dev/null 2>&1 || skip_all "sievec is not installed (dovecot-sieve)"
DCB=$SK_TOP/tests/bed/dovecot
SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
mail_up 29t
mkdir -m 0755 "$D/run" "$D/sieve"
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
cp "$SK_TOP/etc/dovecot/senderkey-tag.sieve" "$D/sieve/"
check "sievec compiles the shipped senderkey-tag.sieve" \
    sievec "$D/sieve/senderkey-tag.sieve"
sed "s|/etc/dovecot/sieve/|$D/sieve/|" "$SK_TOP/etc/dovecot/90-senderkey.conf" \
    >"$D/90-senderkey.conf"
expect_eq "the shipped fragment runs the script before the user's" \
    "$(grep -c "^ *sieve_before = $D/sieve/senderkey-tag.sieve\$" \
    "$D/90-senderkey.conf")" 1

if ! "$DCB" up --user bob@example.net:bob-secret \
    --user dan@example.net:dan-secret --conf "$D/90-senderkey.conf" \
    >"$_t_out" 2>&1; then
	not_ok "dovecot up with 90-senderkey.conf"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "dovecot up with 90-senderkey.conf"
eval "$("$DCB" env)"
rm -rf "$SK_DC_DIR/home/bob@example.net" "$SK_DC_DIR/home/dan@example.net"

# --- senderkeyd, the milter, Postfix delivering over LMTP --------------------
alice_keytable
bob_store
SKD_GROUP=postfix
skd_up "senderkeyd starts with the PolicyStore" skd "$D/run" \
    "DNSTimeout 3s" "DefaultMode allow" "PolicyStore $STORE"
SKPID=$SKD_PID
milter_up "senderkey-milter listens" "MilterDaemonTimeout 10s"
if ! "$PF" up --policy "unix:$D/run/skd.policy" \
    --milter "unix:$D/run/milter.sock" \
    --set "virtual_transport = lmtp:unix:$SK_DC_LMTP" >"$_t_out" 2>&1; then
	not_ok "postfix up: policy service, milter, LMTP to Dovecot"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up: policy service, milter, LMTP to Dovecot"

# flags_of USER PASSWORD FOLDER SUBJECT: imap_flags (mail.sh).
flags_of() { imap_flags "$@"; }

msg() {	# FROM SUBJECT [EXTRA-HEADER]: a message on stdout
	printf 'From: <%s>\nTo: <dan@example.net>\nSubject: %s\n' "$1" "$2"
	printf 'Date: Mon, 07 Dec 2026 05:00:00 +0000\n'
	printf 'Message-ID: <%s@29t.example>\n' "$(echo "$2" | tr ' ' .)"
	[ -z "${3:-}" ] || printf '%s\n' "$3"
	printf '\nHello from 29-dovecot-tags.\n'
}

# --- signed, secure key: trusted ---------------------------------------------
msg alice@example.test "29t signed" |
    "$SK_BIN/senderkey" sign -k "$D/keys/alice.pem" >"$D/signed" 2>"$D/err"
check "alice's message is signed" test -s "$D/signed"
send_data alice@example.test dan@example.net "$D/signed"
expect_match "signed, allow-mode recipient: 250" "$(data_reply)" '^250 '
expect_eq "signed, allow mode: \$SenderKeyTrusted" \
    "$(flags_of dan@example.net dan-secret INBOX "29t signed")" \
    '$SenderKeyTrusted'
send_data alice@example.test bob@example.net "$D/signed"
expect_eq "signed, deny mode allowlisting alice: \$SenderKeyTrusted" \
    "$(flags_of bob@example.net bob-secret INBOX "29t signed")" \
    '$SenderKeyTrusted'

# --- an unsigned zone: untrusted -----------------------------------------------
msg carol@insecure.test "29t insecure" >"$D/insecure"
send_data carol@insecure.test dan@example.net "$D/insecure"
expect_eq "unsigned zone: \$SenderKeyUntrusted" \
    "$(flags_of dan@example.net dan-secret INBOX "29t insecure")" \
    '$SenderKeyUntrusted'

# --- a forged trust field: never trusted --------------------------------------
msg carol@insecure.test "29t forged" \
    "Sender-Key-Trust: trusted; reason=key-secure-signed" >"$D/forged"
send_data carol@insecure.test dan@example.net "$D/forged"
expect_eq "forged Sender-Key-Trust: trusted: \$SenderKeyUntrusted" \
    "$(flags_of dan@example.net dan-secret INBOX "29t forged")" \
    '$SenderKeyUntrusted'

# --- the user's own Sieve script runs after it -------------------------------
_h=$SK_DC_DIR/home/dan@example.net
mkdir -p "$_h"
printf '%s\n' 'require ["fileinto", "mailbox"];' \
    'if header :contains "subject" "29t filed" { fileinto :create "Kept"; }' \
    >"$_h/.dovecot.sieve"
chown -R nobody:nogroup "$_h"
msg alice@example.test "29t filed" |
    "$SK_BIN/senderkey" sign -k "$D/keys/alice.pem" >"$D/filed" 2>"$D/err"
send_data alice@example.test dan@example.net "$D/filed"
expect_eq "the user's fileinto keeps \$SenderKeyTrusted" \
    "$(flags_of dan@example.net dan-secret Kept "29t filed")" \
    '$SenderKeyTrusted'

done_testing
