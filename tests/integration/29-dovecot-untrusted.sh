#!/bin/sh
# 29-dovecot-untrusted: the shipped etc/dovecot/senderkey-file-untrusted.sieve
# (issue 16 section 4), opt-in filing of untrusted mail.  senderkeyd
# (policy service) and senderkey-milter (verify) decide in the bed's
# Postfix, which delivers over LMTP to a real Dovecot 2.3 running the
# shipped 90-senderkey.conf (the tag script) and the filing script
# compiled with sievec; a client looks over IMAP:
#  per user (the user's script includes it, naming its folder):
#    a message from an unsigned zone (untrusted) is in that folder, with
#      $SenderKeyUntrusted, and not in INBOX;
#    alice's signed message (trusted) stays in INBOX;
#    a message without senderkey's field (delivered over LMTP directly,
#      senderkey never saw it) stays in INBOX;
#    a user who did not opt in keeps untrusted mail in INBOX;
#    untrusted mail is filed once (the script stops: the user's later
#      fileinto rule does not run), trusted mail reaches that rule;
#  per site (sieve_before2, default folder "Untrusted"):
#    untrusted mail is filed for every user, once: the user's own
#      fileinto rule for it does not run (the script stops);
#    trusted mail still reaches the user's own rules.
# The bed is left up; this script's daemons, Postfix and Dovecot stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v dovecot >/dev/null 2>&1 ||
    skip_all "dovecot is not installed (dovecot-imapd dovecot-lmtpd dovecot-sieve)"
command -v sievec >/dev/null 2>&1 || skip_all "sievec is not installed (dovecot-sieve)"
DCB=$SK_TOP/tests/bed/dovecot
SKM=$SK_BIN/senderkey-milter
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
mail_up 29u
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
cp "$SK_TOP/etc/dovecot/senderkey-tag.sieve" \
    "$SK_TOP/etc/dovecot/senderkey-file-untrusted.sieve" "$D/sieve/"
check "sievec compiles the shipped senderkey-tag.sieve" \
    sievec "$D/sieve/senderkey-tag.sieve"
check "sievec compiles the shipped senderkey-file-untrusted.sieve" \
    sievec "$D/sieve/senderkey-file-untrusted.sieve"
sed "s|/etc/dovecot/sieve/|$D/sieve/|" "$SK_TOP/etc/dovecot/90-senderkey.conf" \
    >"$D/90-senderkey.conf"
printf 'plugin {\n  sieve_global = %s\n}\n' "$D/sieve" >"$D/global.conf"
printf 'plugin {\n  sieve_before2 = %s\n}\n' \
    "$D/sieve/senderkey-file-untrusted.sieve" >"$D/site.conf"

# dovecot_up TITLE [--conf FILE ...]: the bed's Dovecot with dan and erin
dovecot_up() {
	_t=$1
	shift
	if ! "$DCB" up --user dan@example.net:dan-secret \
	    --user erin@example.net:erin-secret --conf "$D/90-senderkey.conf" \
	    --conf "$D/global.conf" "$@" >"$_t_out" 2>&1; then
		not_ok "$_t"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
	ok "$_t"
}
dovecot_up "dovecot up: the tag script, sieve_global"
eval "$("$DCB" env)"
rm -rf "$SK_DC_DIR/home/dan@example.net" "$SK_DC_DIR/home/erin@example.net"
mkdir -p "$SK_DC_DIR/home/dan@example.net" "$SK_DC_DIR/home/erin@example.net"

# --- senderkeyd, the milter, Postfix delivering over LMTP --------------------
alice_keytable
SKD_GROUP=postfix
skd_up "senderkeyd starts" skd "$D/run" "DNSTimeout 3s" "DefaultMode allow"
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

msg() {	# FROM TO SUBJECT: a message on stdout
	printf 'From: <%s>\nTo: <%s>\nSubject: %s\n' "$1" "$2" "$3"
	printf 'Date: Mon, 07 Dec 2026 05:00:00 +0000\n'
	printf 'Message-ID: <%s@29u.example>\n' "$(echo "$3" | tr ' ' .)"
	printf '\nHello from 29-dovecot-untrusted.\n'
}
# untrusted TO SUBJECT / trusted TO SUBJECT: one message through Postfix
untrusted() {
	msg carol@insecure.test "$1" "$2" >"$D/m"
	send_data carol@insecure.test "$1" "$D/m"
}
trusted() {
	msg alice@example.test "$1" "$2" |
	    "$SK_BIN/senderkey" sign -k "$D/keys/alice.pem" >"$D/m" 2>"$D/err"
	send_data alice@example.test "$1" "$D/m"
}
# lmtp TO SUBJECT: one message straight to Dovecot's LMTP, no senderkey
lmtp() {
	msg carol@insecure.test "$1" "$2" | /usr/bin/python3 -c '
import smtplib, sys
s = smtplib.LMTP(sys.argv[1])
s.sendmail("carol@insecure.test", [sys.argv[2]], sys.stdin.read())
s.quit()' "$SK_DC_LMTP" "$1" >"$_t_out" 2>&1 ||
	    { not_ok "LMTP delivery of '$2'"; sed 's/^/#   /' "$_t_out"; }
}
userscript() {	# USER: stdin becomes USER's active Sieve script
	_h=$SK_DC_DIR/home/$1
	cat >"$_h/.dovecot.sieve"
	chown -R nobody:nogroup "$_h"
}
at() {	# USER FOLDER SUBJECT: the keywords there, at once ("MISSING")
	IMAP_TRIES=1 imap_flags "$1" "${1%%@*}-secret" "$2" "$3"
}

# --- per user: dan opts in with his own folder; erin does not ---------------
userscript dan@example.net <<'EOF'
require ["include", "variables", "fileinto", "mailbox"];
global "senderkey_untrusted_folder";
set "senderkey_untrusted_folder" "Unproven";
include :global "senderkey-file-untrusted";
if header :contains "subject" "filed later" { fileinto :create "Kept"; }
EOF
userscript erin@example.net <<'EOF'
keep;
EOF

untrusted dan@example.net "29u user untrusted"
expect_eq "per user: untrusted mail is filed in the user's folder, tagged" \
    "$(imap_flags dan@example.net dan-secret Unproven "29u user untrusted")" \
    '$SenderKeyUntrusted'
expect_eq "... and is not in INBOX" \
    "$(at dan@example.net INBOX "29u user untrusted")" MISSING
trusted dan@example.net "29u user trusted"
expect_eq "per user: trusted mail stays in INBOX" \
    "$(imap_flags dan@example.net dan-secret INBOX "29u user trusted")" \
    '$SenderKeyTrusted'
expect_eq "... and is not filed" \
    "$(at dan@example.net Unproven "29u user trusted")" MISSING
untrusted dan@example.net "29u user untrusted filed later"
expect_eq "per user: untrusted mail is filed once: the user's later rule for it does not run" \
    "$(imap_flags dan@example.net dan-secret Unproven "29u user untrusted filed later") $(at dan@example.net Kept "29u user untrusted filed later")" \
    '$SenderKeyUntrusted MISSING'
trusted dan@example.net "29u user trusted filed later"
expect_eq "per user: trusted mail reaches the user's later rule" \
    "$(imap_flags dan@example.net dan-secret Kept "29u user trusted filed later")" \
    '$SenderKeyTrusted'
lmtp dan@example.net "29u user nofield"
expect_eq "per user: mail without senderkey's field stays in INBOX, no keyword" \
    "$(imap_flags dan@example.net dan-secret INBOX "29u user nofield")" ""
expect_eq "... and is not filed" \
    "$(at dan@example.net Unproven "29u user nofield")" MISSING
untrusted erin@example.net "29u erin untrusted"
expect_eq "a user who did not opt in keeps untrusted mail in INBOX" \
    "$(imap_flags erin@example.net erin-secret INBOX "29u erin untrusted")" \
    '$SenderKeyUntrusted'

# --- per site: sieve_before2, the default folder ------------------------------
dovecot_up "dovecot up: the filing script for every user (sieve_before2)" \
    --conf "$D/site.conf"
userscript erin@example.net <<'EOF'
require ["fileinto", "mailbox"];
if header :contains "subject" "29u site" { fileinto :create "Kept"; }
EOF
untrusted erin@example.net "29u site untrusted"
expect_eq "per site: untrusted mail is filed in \"Untrusted\", tagged" \
    "$(imap_flags erin@example.net erin-secret Untrusted "29u site untrusted")" \
    '$SenderKeyUntrusted'
expect_eq "... once: the user's own rule for it does not run" \
    "$(at erin@example.net Kept "29u site untrusted")" MISSING
expect_eq "... and it is not in INBOX" \
    "$(at erin@example.net INBOX "29u site untrusted")" MISSING
trusted erin@example.net "29u site trusted"
expect_eq "per site: trusted mail reaches the user's own rules" \
    "$(imap_flags erin@example.net erin-secret Kept "29u site trusted")" \
    '$SenderKeyTrusted'
lmtp erin@example.net "29u nofield"
expect_eq "per site: mail without senderkey's field stays in INBOX" \
    "$(imap_flags erin@example.net erin-secret INBOX "29u nofield")" ""

done_testing
