#!/bin/sh
# 29-dovecot-bed: the mail client's end of the test bed.  The bed's
# Postfix delivers over LMTP to a real Dovecot 2.3 (tests/bed/dovecot),
# and a client speaks IMAP to it (python3's imaplib), as the default-deny
# tests of issue 16 will:
#   a message sent to bob@example.net through Postfix arrives in bob's
#     INBOX over LMTP, with its Subject;
#   bob's Sieve script (Pigeonhole, run by LMTP) sets an IMAP keyword
#     that the client fetches, and files a message into a folder;
#   a wrong password is refused; a recipient Dovecot does not know is
#     refused by LMTP, and Postfix bounces rather than loses it.
# The bed is left up; this script's Dovecot and Postfix are stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v dovecot >/dev/null 2>&1 ||
    skip_all "dovecot is not installed (dovecot-imapd dovecot-lmtpd dovecot-sieve)"
[ -x /usr/lib/dovecot/lmtp ] || skip_all "dovecot-lmtpd is not installed"
PY=/usr/bin/python3
DCB=$SK_TOP/tests/bed/dovecot
mail_up 29

cleanup() {
	"$DCB" down >/dev/null 2>&1
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

if ! "$DCB" up --user bob@example.net:bob-secret >"$_t_out" 2>&1; then
	not_ok "dovecot up"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "dovecot up"
eval "$("$DCB" env)"
rm -rf "$SK_DC_DIR/home/bob@example.net"	# an earlier run's mail

if ! "$PF" up --policy none \
    --set "virtual_transport = lmtp:unix:$SK_DC_LMTP" >"$_t_out" 2>&1; then
	not_ok "postfix up, delivering over LMTP"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up, delivering over LMTP"

# imap USER PASSWORD PYTHON: run PYTHON with M logged in (imaplib) in
# the bed; prints what it prints, "LOGIN-FAILED" when login is refused.
imap() {
	ip netns exec "$SK_BED_NS" "$PY" -c "
import imaplib, sys
M = imaplib.IMAP4('127.0.0.1', $SK_DC_IMAP_PORT)
try:
    M.login(sys.argv[1], sys.argv[2])
except imaplib.IMAP4.error:
    print('LOGIN-FAILED'); sys.exit(0)
$3
M.logout()" "$1" "$2" 2>&1
}

# subjects FOLDER: the Subject of each message in bob's FOLDER, with its
# flags, one a line ("FLAGS | Subject").
subjects() {
	imap bob@example.net bob-secret "
M.select('\"$1\"', readonly=True)
typ, d = M.search(None, 'ALL')
for n in d[0].split():
    typ, r = M.fetch(n, '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    fl = imaplib.ParseFlags(r[0][0]).__iter__()
    s = r[0][1].decode().strip().replace('Subject: ', '')
    print(' '.join(sorted(f.decode() for f in fl)), '|', s)"
}

# wait_in FOLDER SUBJECT: up to 10 s for SUBJECT to show up in FOLDER.
wait_in() {
	_i=0
	while [ $_i -lt 50 ]; do
		subjects "$1" | grep -qF "| $2" && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# --- LMTP delivery, read over IMAP -----------------------------------------
send alice@example.test bob@example.net --header "Subject: 29 plain"
expect_match "RCPT to bob accepted" "$(rcpt_reply bob@example.net)" '^250 '
if wait_in INBOX "29 plain"; then
	ok "delivered over LMTP, fetched over IMAP"
else
	not_ok "delivered over LMTP, fetched over IMAP"
	diag "$(subjects INBOX)"
	diag "$(tail -n 10 "$SK_DC_DIR/log")"
fi
expect_eq "a wrong password is refused" \
    "$(imap bob@example.net wrong 'print("IN")')" "LOGIN-FAILED"

# --- Sieve at delivery: a keyword and a folder -----------------------------
cat >"$D/bob.sieve" <<'SIEVE'
require ["imap4flags", "fileinto", "mailbox"];
if header :contains "subject" "29 tagged" {
    addflag "$SkBedTagged";
}
if header :contains "subject" "29 filed" {
    fileinto :create "Bed/Filed";
}
SIEVE
_home=$SK_DC_DIR/home/bob@example.net
mkdir -p "$_home"
cp "$D/bob.sieve" "$_home/.dovecot.sieve"
chown -R nobody:nogroup "$_home"

send alice@example.test bob@example.net --header "Subject: 29 tagged"
if wait_in INBOX "29 tagged"; then
	expect_match "Sieve set the keyword the client fetches" \
	    "$(subjects INBOX | grep -F '| 29 tagged')" '\$SkBedTagged'
else
	not_ok "the tagged message arrived"
	diag "$(tail -n 10 "$SK_DC_DIR/log")"
fi
_l=$(subjects INBOX | grep -F '| 29 plain')
case $_l in
*'$SkBedTagged'*|'') not_ok "an untagged message has no keyword"; diag "$_l" ;;
*) ok "an untagged message has no keyword" ;;
esac

send alice@example.test bob@example.net --header "Subject: 29 filed"
if wait_in Bed/Filed "29 filed"; then
	ok "Sieve filed a message into a folder the client sees"
else
	not_ok "Sieve filed a message into a folder the client sees"
	diag "$(tail -n 10 "$SK_DC_DIR/log")"
fi

# --- an unknown recipient: refused by LMTP, bounced by Postfix --------------
send alice@example.test nobody-here@example.net --header "Subject: 29 unknown"
_q=$(queued_id)
_r=$("$PF" result "$_q" --wait 10 2>&1 || true)
expect_match "an unknown mailbox is bounced, not lost" \
    "$(field status "$_r")" '^(bounced|deferred)$'

done_testing
