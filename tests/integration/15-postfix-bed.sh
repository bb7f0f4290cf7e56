#!/bin/sh
# 15-postfix-bed: proves the real-Postfix harness (tests/bed/postfix) with
# a fake policy server that is not senderkeyd (tests/tools/fake_policy.c):
# each fixed action reaches the SMTP client as Postfix documents it (DUNNO
# 250, REJECT 554 5.7.1, DEFER_IF_PERMIT 450 4.7.0, PREPEND adds the header
# to the delivered message), the policy server receives the attributes
# Postfix sends at RCPT, "result" reports each message's fate, and a dead
# policy server gives Postfix's default 451 4.3.5; --milter adds a milter
# (an unreachable one tempfails, milter_default_action = tempfail).
#
# The bed is left up; this script's Postfix instance is stopped at the end
# (its policy socket is gone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
FP=$SK_BUILD/tests/fake_policy
[ -x "$FP" ] || skip_all "$FP is not built"
mail_up 15
FP_PID=

cleanup() {
	[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# start_fake: the fake policy server on $D/policy.sock; sets FP_PID.
start_fake() {
	rm -f "$D/fp.pid"
	"$FP" -s "unix:$D/policy.sock" -l "$D/requests.log" -p "$D/fp.pid" \
	    -r 'reject=REJECT 5.7.1 fake policy says no' \
	    -r 'defer=DEFER_IF_PERMIT 4.7.0 fake policy says later' \
	    -r 'tag=PREPEND X-Test: 1' </dev/null >"$D/fp.err" 2>&1 &
	FP_PID=$!
	_i=0
	while [ ! -s "$D/fp.pid" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -s "$D/fp.pid" ]
}

# request_for RCPT: the policy request block whose recipient is RCPT.
request_for() {
	awk -v r="recipient=$1" '
	    /^$/ { if (hit) { printf "%s", blk; exit } blk = ""; next }
	    { blk = blk $0 "\n"; if ($0 == r) hit = 1 }' "$D/requests.log"
}

check "the fake policy server starts" start_fake
if ! "$PF" up --policy "unix:$D/policy.sock" >"$_t_out" 2>&1; then
	not_ok "postfix up starts the bed's Postfix instance"
	sed 's/^/#   /' "$_t_out"
	tail -n 20 "$SK_PF_LOG" 2>/dev/null | sed 's/^/#   /'
	done_testing
fi
ok "postfix up starts the bed's Postfix instance"
check "postfix status: up" "$PF" status
expect_match "a second up with the same config is a no-op" \
    "$("$PF" up --policy "unix:$D/policy.sock" 2>&1)" "already up"
expect_eq "the instance is not the system's (own config directory)" \
    "$(postconf -c "$SK_PF_DIR/etc" -h config_directory)" "$SK_PF_DIR/etc"

# DUNNO: accepted and delivered, untouched.
send alice@example.test ok@example.net
expect_eq "DUNNO: swaks exits 0" "$RC" 0
expect_match "DUNNO: RCPT gets 250" "$(rcpt_reply ok@example.net)" '^250 '
QID=$(queued_id)
expect_match "DUNNO: the message is queued" "$QID" '^[0-9A-Za-z]+$'
RES=$("$PF" result "$QID" --wait 30 2>&1)
expect_match "DUNNO: result says sent" "$RES" \
    '^recipient=ok@example\.net status=sent dsn=2\.0\.0 file=/'
F=$(field file "$RES")
if [ -f "$F" ]; then
	expect_eq "DUNNO: delivered to the recipient's Maildir copy" \
	    "$(headers_of "$F" Delivered-To)" ok@example.net
	expect_eq "DUNNO: no header was prepended" "$(headers_of "$F" X-Test)" ""
else
	not_ok "DUNNO: the delivered file exists ($F)"
fi
expect_eq "result --last names the same message" \
    "$("$PF" result --last | head -n 1)" "queue_id=$QID"

# REJECT 5.7.1: Postfix answers access_map_reject_code (554) with the text.
send alice@example.test reject@example.net
expect_match "REJECT: RCPT gets 554 5.7.1 with the policy's text" \
    "$(rcpt_reply reject@example.net)" '^554 5\.7\.1 .*fake policy says no'
expect_eq "REJECT: nothing is queued" "$(queued_id)" ""
expect_match "REJECT: Postfix logs the reject" "$("$PF" log)" \
    'NOQUEUE: reject: RCPT .*554 5\.7\.1 <reject@example\.net>'

# DEFER_IF_PERMIT 4.7.0: 450 at RCPT (nothing else permits or rejects).
send alice@example.test defer@example.net
expect_match "DEFER_IF_PERMIT: RCPT gets 450 4.7.0 with the policy's text" \
    "$(rcpt_reply defer@example.net)" '^450 4\.7\.0 .*fake policy says later'
expect_eq "DEFER_IF_PERMIT: nothing is queued" "$(queued_id)" ""

# PREPEND: accepted, the header is on the delivered message.
send alice@example.test tag@example.net
expect_match "PREPEND: RCPT gets 250" "$(rcpt_reply tag@example.net)" '^250 '
RES=$("$PF" result "$(queued_id)" --wait 30 2>&1)
F=$(field file "$RES")
if [ -f "$F" ]; then
	expect_eq "PREPEND: the delivered message has X-Test: 1" \
	    "$(headers_of "$F" X-Test)" 1
else
	not_ok "PREPEND: the message is delivered ($RES)"
fi

# One transaction, three recipients: each gets its own action.
send alice@example.test ok@example.net,tag@example.net,reject@example.net
expect_match "mixed: ok@ gets 250" "$(rcpt_reply ok@example.net)" '^250 '
expect_match "mixed: reject@ gets 554" "$(rcpt_reply reject@example.net)" '^554 '
RES=$("$PF" result "$(queued_id)" --wait 30 2>&1)
expect_eq "mixed: two recipients delivered" \
    "$(printf '%s\n' "$RES" | grep -c ' status=sent ')" 2

# The attributes Postfix sent at RCPT (specs/protocol.md 2.2, facts.md).
REQ=$(request_for ok@example.net)
diag "request for ok@example.net:" "$REQ"
for want in request=smtpd_access_policy protocol_state=RCPT \
    protocol_name=ESMTP sender=alice@example.test \
    recipient=ok@example.net client_address=127.0.0.1 \
    helo_name=client.bed.test; do
	expect_match "policy request carries $want" "$REQ" "^$want\$"
done
expect_match "policy request carries a non-empty instance" "$REQ" \
    '^instance=[0-9A-Za-z.]+$'
expect_match "policy request carries recipient_count" "$REQ" \
    '^recipient_count=[0-9]+$'
expect_eq "Postfix asked once per RCPT (7 recipients in 5 messages)" \
    "$(grep -c '^request=smtpd_access_policy$' "$D/requests.log")" 7

# A dead policy server: Postfix's default_action, 451 4.3.5.
kill "$FP_PID" 2>/dev/null
wait "$FP_PID" 2>/dev/null
FP_PID=
send alice@example.test ok@example.net
expect_match "dead policy server: RCPT gets 451 4.3.5" \
    "$(rcpt_reply ok@example.net)" '^451 4\.3\.5 '
expect_match "dead policy server: Postfix logs the failed connection" \
    "$("$PF" log)" "warning: connect to .*$D/policy\\.sock"

# --milter: an unreachable milter with milter_default_action = tempfail.
check "the fake policy server starts again" start_fake
check "postfix up --milter restarts with the new config" \
    "$PF" up --policy "unix:$D/policy.sock" --milter "unix:$D/no-milter.sock"
expect_eq "--milter sets smtpd_milters" \
    "$(postconf -c "$SK_PF_DIR/etc" -h smtpd_milters)" "unix:$D/no-milter.sock"
send alice@example.test ok@example.net
expect_match "unreachable milter: MAIL gets 451 4.7.1" "$OUT" \
    '^<\*\* 451 4\.7\.1 '

check "postfix down" "$PF" down
if "$PF" status; then
	not_ok "postfix status after down: not up"
else
	ok "postfix status after down: not up"
fi

done_testing
