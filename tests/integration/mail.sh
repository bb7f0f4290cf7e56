# tests/integration/mail.sh: helpers for scripts that send mail through
# the test bed's Postfix (tests/bed/postfix) and read what it did.
# Source after lib.sh; sets PF to the tests/bed/postfix script unless
# the script has set it (26-exim: the Exim bed, with the same send).
#
#   need_postfix                  skip the whole script unless need_root
#                                 passes and swaks and Postfix are there
#   mail_up NAME                  bed_up, eval "$PF env" (SK_PF_*), and D,
#                                 a new temp dir /tmp/sk-NAME.XXXXXX of
#                                 mode 0755 (smtpd, user postfix, and the
#                                 delivery agents reach in there)
#   send FROM TO [swaks args]     one message; sets OUT and RC
#   rcpt_reply RCPT               the reply to RCPT TO:<RCPT> in OUT
#   rcpt_reply_all RCPT           the same, every line of a multi-line
#                                 reply joined into one ("550 5.7.1 A B"
#                                 from "550-5.7.1 A" and "550 5.7.1 B")
#   queued_id                     the queue id in OUT, or ""
#   headers_of FILE NAME          every value of header NAME, one a line
#   delivered RCPT                the delivered file for RCPT, or ""
#   accepted NAME FROM TO HEADER  RCPT 250, delivered, Sender-Key-Trust
#                                 exactly HEADER (empty: none)
#   refused NAME FROM TO PATTERN  RCPT reply matches PATTERN, nothing queued
#   send_data FROM TO FILE [swaks args]  one message, header and body
#                                 from FILE; sets OUT and RC
#   data_reply                    the reply to the end of DATA in OUT
#   fields_of FILE NAME           every field NAME (any case, blanks
#                                 before the colon too), unfolded, as
#                                 written ("Name: value"), one a line
#   field NAME TEXT               the value of NAME= in TEXT's words
#                                 (first one), e.g. of "$PF result"
#   bob_store                     STORE=$D/policy.db, readable by all:
#                                 bob@example.net in deny mode, allowing
#                                 alice@example.test (two checks)
#   milter_up TITLE [LINES...]    senderkey-milter for the bed's Postfix
#                                 (config $D/milter.conf: socket
#                                 $D/run/milter.sock, user and group
#                                 postfix, senderkeyd at $D/run/skd.sock,
#                                 AuthservID mx.bed.test, then LINES; log
#                                 appended to $D/milter.log); MPID; ok
#                                 TITLE, or not_ok and done_testing
#   imap_flags USER PASSWORD FOLDER SUBJECT  the keywords of the last
#                                 message with SUBJECT in FOLDER over IMAP
#                                 (the bed's Dovecot, tests/bed/dovecot;
#                                 waits up to 10 s for it, or IMAP_TRIES
#                                 tries 0.2 s apart), sorted, one line;
#                                 "MISSING" when it is not there
#   alice_keytable                $D/keys/alice.pem (the bed's key of
#                                 alice@example.test, mode 0600) and the
#                                 milter's KeyTable $D/keytable naming it
#                                 for the logins alice, alice@example.test

_mail_test=${0##*/}
_mail_test=${_mail_test%.sh}
PF=${PF:-$SK_TOP/tests/bed/postfix}

need_postfix() {
	need_root
	command -v swaks >/dev/null 2>&1 || skip_all "swaks is not installed"
	[ -x /usr/lib/postfix/sbin/master ] ||
	    skip_all "postfix is not installed"
}

mail_up() {
	bed_up
	eval "$("$PF" env)"
	D=$(mktemp -d "/tmp/sk-$1.XXXXXX") || exit 1
	chmod 0755 "$D"
}

send() {
	_from=$1
	_to=$2
	shift 2
	OUT=$("$PF" send --from "$_from" --to "$_to" \
	    --header "Subject: $_mail_test $_from" "$@" 2>&1)
	RC=$?
}

rcpt_reply() {
	printf '%s\n' "$OUT" | awk -v r="RCPT TO:<$1>" '
	    want && /^<[-~*]/ { sub(/^<[-~*]+ +/, ""); print; exit }
	    index($0, r) { want = 1 }'
}

rcpt_reply_all() {
	printf '%s\n' "$OUT" | awk -v r="RCPT TO:<$1>" '
	    want && /^<[-~*]/ {
		sub(/^<[-~*]+ +/, "")
		last = substr($0, 4, 1) != "-"
		if (t == "") t = substr($0, 1, 3) " " substr($0, 5)
		else { sub(/^[0-9][0-9][0-9][- ]([0-9]\.[0-9]+\.[0-9]+ )?/, ""); t = t " " $0 }
		if (last) { print t; exit }
		next
	    }
	    index($0, r) { want = 1 }'
}

queued_id() {
	printf '%s\n' "$OUT" |
	    sed -n 's/^<[-~ ]* 250 .*queued as \([0-9A-Za-z]*\).*$/\1/p' |
	    head -n 1
}

headers_of() {
	awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
	    /^$/ { exit }
	    tolower(substr($0, 1, length(n))) == n {
		v = substr($0, length(n) + 1); sub(/^ */, "", v); print v
	    }' "$1"
}

delivered() {
	_q=$(queued_id)
	[ -n "$_q" ] || { echo ""; return; }
	"$PF" result "$_q" --wait 30 2>&1 | grep -F "recipient=$1 " |
	    tr ' ' '\n' | sed -n 's/^file=//p' | sed 's/^-$//' | head -n 1
}

accepted() {
	send "$2" "$3"
	expect_match "$1: RCPT gets 250" "$(rcpt_reply "$3")" '^250 '
	_f=$(delivered "$3")
	if [ -f "$_f" ]; then
		expect_eq "$1: delivered with Sender-Key-Trust '$4'" \
		    "$(headers_of "$_f" Sender-Key-Trust)" "$4"
	else
		not_ok "$1: delivered"
		diag "$OUT"
	fi
}

refused() {
	send "$2" "$3"
	expect_match "$1: RCPT gets $4" "$(rcpt_reply "$3")" "$4"
	expect_eq "$1: nothing is queued" "$(queued_id)" ""
}

send_data() {
	_from=$1
	_to=$2
	_file=$3
	shift 3
	OUT=$("$PF" send --from "$_from" --to "$_to" --data "@$_file" "$@" 2>&1)
	RC=$?
}

data_reply() {
	printf '%s\n' "$OUT" | awk '
	    want && /^<[-~*]/ { sub(/^<[-~*]+ +/, ""); print; exit }
	    /^ *-> \.$/ { want = 1 }'
}

fields_of() {
	tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN { n = tolower(n) }
	    /^$/ { exit }
	    /^[ \t]/ { if (on) v = v $0; next }
	    { if (on) print v; on = 0 }
	    { h = tolower($0); sub(/[ \t]*:.*$/, "", h) }
	    index($0, ":") && h == n { v = $0; on = 1 }
	    END { if (on) print v }'
}

field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

bob_store() {
	STORE=$D/policy.db
	check "policy set bob@example.net deny" \
	    "$SK_BIN/senderkey" policy -f "$STORE" set bob@example.net deny
	check "policy allow bob@example.net alice@example.test" \
	    "$SK_BIN/senderkey" policy -f "$STORE" allow bob@example.net \
	    alice@example.test
	chmod 0644 "$STORE"
}

alice_keytable() {
	mkdir -m 0700 "$D/keys"
	cp "$SK_TOP/tests/bed/alice.pem" "$D/keys/alice.pem"
	chmod 0600 "$D/keys/alice.pem"
	printf 'alice@example.test %s alice,alice@example.test\n' \
	    "$D/keys/alice.pem" >"$D/keytable"
}

milter_up() {
	_m_t=$1
	shift
	rm -f "$D/run/milter.sock"
	{
		printf '%s\n' "Socket unix:$D/run/skd.sock" \
		    "MilterSocket unix:$D/run/milter.sock" "MilterUser postfix" \
		    "SocketGroup postfix" "AuthservID mx.bed.test"
		for _m_l in "$@"; do printf '%s\n' "$_m_l"; done
	} >"$D/milter.conf"
	"$SK_BIN/senderkey-milter" -d -x "$D/milter.conf" >>"$D/milter.log" 2>&1 &
	MPID=$!
	_m_i=0
	while [ ! -S "$D/run/milter.sock" ] && [ $_m_i -lt 300 ]; do
		sleep 0.1
		_m_i=$((_m_i + 1))
	done
	if [ -S "$D/run/milter.sock" ]; then
		ok "$_m_t"
	else
		not_ok "$_m_t"
		sed 's/^/#   /' "$D/milter.log"
		done_testing
	fi
}

imap_flags() {
	ip netns exec "$SK_BED_NS" /usr/bin/python3 -c '
import imaplib, sys, time
user, pw, folder, subj, tries = sys.argv[1:6]
for _ in range(int(tries)):
    M = imaplib.IMAP4("127.0.0.1", 143)
    M.login(user, pw)
    typ, _d = M.select(folder, readonly=True)
    if typ == "OK":
        typ, d = M.search(None, "SUBJECT", "\"%s\"" % subj)
        if d[0]:
            typ, r = M.fetch(d[0].split()[-1], "(FLAGS)")
            fl = [f.decode() for f in imaplib.ParseFlags(r[0])
                  if not f.startswith(b"\\")]
            print(" ".join(sorted(fl)))
            sys.exit(0)
    M.logout()
    time.sleep(0.2)
print("MISSING")' "$1" "$2" "$3" "$4" "${IMAP_TRIES:-50}" 2>&1
}
