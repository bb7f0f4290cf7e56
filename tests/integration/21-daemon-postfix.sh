#!/bin/sh
# 21-daemon-postfix: senderkeyd behind a real Postfix (check_policy_service
# on its PolicySocket, tests/bed/postfix) in the DNSSEC test bed, driven by
# swaks.  What the SMTP client sees for each sender (specs/protocol.md 2.4,
# specs/verdicts.md 6.1): a secure key is accepted and tagged "untrusted;
# reason=sig-pending" (no signature at RCPT), a secure NXDOMAIN under
# policy=all is rejected 5.7.1, an unsigned zone is accepted and tagged
# key-insecure, bogus and expired zones and a dead upstream are deferred
# 4.7.0; one transaction with two recipients of one class carries one
# header; after a SIGHUP to DefaultMode deny every sender but the null
# sender is rejected (not-allowlisted) without DNS; Mode monitor answers
# DUNNO and logs the verdict; a dead senderkeyd makes Postfix defer with
# its default action 451 4.3.5, never accept.  The 452 4.5.3 class split
# needs two recipient modes, hence the policy store: 23-store-postfix.
#
# The bed is left up; this script's senderkeyd and Postfix instance are
# stopped at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SKD=$SK_BIN/senderkeyd
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
mail_up 21
SKPID=

cleanup() {
	stop_skd
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# write_conf [EXTRA CONFIG LINES]: $D/run/skd.conf, the sockets skd.sock
# and skd.policy in $D/run (group postfix); DNSTimeout $TIMEOUT.
SKD_GROUP=postfix
write_conf() {
	skd_conf skd "$D/run" "DNSTimeout ${TIMEOUT:-2s}" "$@"
}

# start_skd [EXTRA CONFIG LINES]: write_conf, then senderkeyd -f in the
# bed; waits for its sockets and pid file, sets SKPID.
start_skd() {
	skd_start skd "$D/run" "DNSTimeout ${TIMEOUT:-2s}" "$@" || return 1
	SKPID=$SKD_PID
	alive "$SKPID"
}

# restart NAME [EXTRA CONFIG LINES]: stop_skd, start_skd, one check
# named NAME.
restart() {
	_r_name=$1
	shift
	stop_skd
	if start_skd "$@"; then
		ok "$_r_name"
	else
		not_ok "$_r_name"
		tail -n 5 "$D/run/skd.log" | sed 's/^/#   /'
	fi
}

stop_skd() {
	[ -n "$SKPID" ] || return 0
	stop_ours "$SKPID" "$D/"
	SKPID=
	rm -f "$D/run/skd.policy" "$D/run/skd.sock"
}

# --- DefaultMode allow, Mode enforce ------------------------------------
skd_up "senderkeyd starts in the bed" skd "$D/run" \
    "DNSTimeout ${TIMEOUT:-2s}" "DefaultMode allow"
SKPID=$SKD_PID
expect_eq "the policy socket's group is postfix" \
    "$(stat -c %G "$D/run/skd.policy")" postfix
if ! "$PF" up --policy "unix:$D/run/skd.policy" >"$_t_out" 2>&1; then
	not_ok "postfix up with senderkeyd's policy socket"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up with senderkeyd's policy socket"

accepted "secure key, allow mode" alice@example.test bob@example.net \
    "untrusted; reason=sig-pending; sender=alice@example.test"
refused "secure NXDOMAIN under policy=all" nobody@example.test \
    bob@example.net \
    '^554 5\.7\.1 .*\(senderkey: no-key\)$'
expect_match "the reject is in Postfix's log" "$("$PF" log)" \
    'NOQUEUE: reject: RCPT .*554 5\.7\.1 <bob@example\.net>.*from=<nobody@example\.test>'
accepted "unsigned zone, allow mode" alice@insecure.test bob@example.net \
    "untrusted; reason=key-insecure; sender=alice@insecure.test"
refused "bogus zone" alice@bogus.test bob@example.net \
    '^450 4\.7\.0 .*senderkey: temporary failure \(dns-bogus\)$'
refused "expired signatures" alice@expired.test bob@example.net \
    '^450 4\.7\.0 .*senderkey: temporary failure \(dns-bogus\)$'
accepted "null sender, allow mode" "<>" bob@example.net \
    "untrusted; reason=null-sender"

# Two recipients of one class in one transaction: both accepted, the
# header once (the second recipient gets DUNNO, protocol.md 2.5).
send alice@example.test bob@example.net,carol@example.net
expect_match "two recipients: bob gets 250" \
    "$(rcpt_reply bob@example.net)" '^250 '
expect_match "two recipients: carol gets 250" \
    "$(rcpt_reply carol@example.net)" '^250 '
F=$(delivered carol@example.net)
if [ -f "$F" ]; then
	expect_eq "two recipients: one Sender-Key-Trust header" \
	    "$(headers_of "$F" Sender-Key-Trust)" \
	    "untrusted; reason=sig-pending; sender=alice@example.test"
else
	not_ok "two recipients: delivered"
	diag "$OUT"
fi

expect_match "senderkeyd logged the decision with Postfix's queue id" \
    "$(grep 'sender=alice@insecure.test' "$D/run/skd.log" | head -n 1)" \
    'queue_id=[^ ]* sender=alice@insecure\.test recipient=bob@example\.net verdict=untrusted reason=key-insecure'

# --- a dead upstream: the sink as forwarder, DNSTimeout 1s --------------
TIMEOUT=1s restart "senderkeyd restarts with the sink as forwarder" \
    "DefaultMode allow" "Forwarders $SK_BED_SINK"
refused "dead upstream: tempfail at the deadline" carol@example.test \
    bob@example.net \
    '^450 4\.7\.0 .*senderkey: temporary failure \(dns-tempfail\)$'

# --- SIGHUP to DefaultMode deny (no store: nobody is allowlisted) -------
restart "senderkeyd restarts" "DefaultMode allow"
accepted "before the reload: allow mode" alice@example.test \
    bob@example.net "untrusted; reason=sig-pending; sender=alice@example.test"
write_conf "DefaultMode deny"
kill -HUP "$SKPID"
wait_log 'config reloaded' "$D/run/skd.log"
check "SIGHUP: the new config is loaded" grep -q 'config reloaded' "$D/run/skd.log"
refused "deny mode: a secure key without allowlisting" alice@example.test \
    bob@example.net \
    '^554 5\.7\.1 .*\(senderkey: not-allowlisted\)$'
refused "deny mode: an unsigned zone" alice@insecure.test bob@example.net \
    '^554 5\.7\.1 .*\(senderkey: not-allowlisted\)$'
refused "deny mode: a bogus zone is rejected without DNS (rule 5)" \
    alice@bogus.test bob@example.net \
    '^554 5\.7\.1 .*\(senderkey: not-allowlisted\)$'
accepted "deny mode: the null sender is accepted, tagged" "<>" \
    bob@example.net "untrusted; reason=null-sender"
check "SIGHUP kept the same process" alive "$SKPID"

# --- Mode monitor: accepted, tagged with what would have happened -------
write_conf "DefaultMode deny" "Mode monitor"
kill -HUP "$SKPID"
_i=0
until [ "$(grep -c 'config reloaded' "$D/run/skd.log")" -ge 2 ] ||
    [ $_i -ge 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
accepted "monitor: a refused sender is accepted, tagged unauthorized" \
    nobody@example.test bob@example.net \
    "unauthorized; reason=not-allowlisted; sender=nobody@example.test"
expect_match "monitor: the verdict is logged" \
    "$(grep 'sender=nobody@example.test' "$D/run/skd.log" | tail -n 1)" \
    'verdict=unauthorized reason=not-allowlisted'

# --- senderkeyd dies: Postfix defers (default_action), never accepts ----
stop_skd
refused "senderkeyd down: Postfix's default action" alice@example.test \
    bob@example.net '^451 4\.3\.5 '

done_testing
