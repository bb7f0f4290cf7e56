#!/bin/sh
# 66-refusal-text: what a refused sender reads (issue 16 section 4,
# specs/verdicts.md 6.5), through the bed's real Postfix (policy service
# at RCPT, senderkey-milter at the end of DATA), driven by swaks.
#  - the reply is Postfix's words, then exactly the text of
#    specs/vectors/refusals.tsv for the mode and reason, naming the
#    recipient as the client spelled it: not-allowlisted (deny mode),
#    denylisted (no advice);
#  - a recipient that must not be echoed (over 100 octets, a quoted
#    local part with a space, 8-bit) is named "this mailbox", and every
#    reply line stays within RFC 5321's 512 octets;
#  - the milter's refusal at the end of DATA (deny mode, an allowlisted
#    sender's unsigned message: sig-missing) shows the same words.
# Exim shows them too: 26-exim.
#
# The bed is left up; this script's senderkeyd, milter and Postfix
# instance are stopped at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
mail_up 66
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

# bob@example.net: deny mode, allows alice@example.test, denies
# nobody@insecure.test; every other recipient: DefaultMode deny.
bob_store
check "policy deny bob@example.net mallory@insecure.test" \
    "$SK" policy -f "$STORE" deny bob@example.net mallory@insecure.test

SKD_GROUP=postfix
skd_up "senderkeyd starts (DefaultMode deny, the store)" skd "$D/run" \
    "DNSTimeout 3s" "DefaultMode deny" "PolicyStore $STORE"
SKPID=$SKD_PID
milter_up "senderkey-milter listens" "MilterMode verify" \
    "MilterDaemonTimeout 10s"
if ! "$PF" up --policy "unix:$D/run/skd.policy" \
    --milter "unix:$D/run/milter.sock" >"$_t_out" 2>&1; then
	not_ok "postfix up with the policy service and the milter"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up with the policy service and the milter"

PFWORDS='554 5.7.1 <%s>: Recipient address rejected: '

# rcpt_is NAME RCPT MODE REASON NAMED [PFNAMED]: the reply to RCPT
# TO:<RCPT> of the last send is Postfix's words naming PFNAMED (default
# RCPT), then refusals.tsv's text for MODE and REASON naming NAMED (""
# for "this mailbox"); at most 510 octets.
rcpt_is() {
	_got=$(rcpt_reply "$2")
	# shellcheck disable=SC2059
	expect_eq "$1" "$_got" \
	    "$(printf "$PFWORDS" "${6:-$2}")$(refusal "$3" "$4" "$5")"
	expect_match "$1: the reply line is at most 512 octets with CRLF" \
	    "$(printf '%s' "$_got" | wc -c)" '^([0-9]|[0-9][0-9]|[1-4][0-9][0-9]|50[0-9]|510)$'
}

send nobody@insecure.test carol@example.net
rcpt_is "deny mode, a sender not allowlisted: the words of refusals.tsv" \
    carol@example.net deny not-allowlisted carol@example.net
send nobody@insecure.test Carol@Example.NET
rcpt_is "the recipient is named as the client spelled it" \
    Carol@Example.NET deny not-allowlisted Carol@Example.NET
send mallory@insecure.test bob@example.net
rcpt_is "a denylisted sender: no advice" \
    bob@example.net deny denylisted bob@example.net
expect_eq "... and nothing is queued" "$(queued_id)" ""

# Recipients the text does not echo.
LONG=$(printf 'x%.0s' $(seq 1 101))@example.net
send nobody@insecure.test "$LONG"
rcpt_is "a recipient over 100 octets: \"this mailbox\"" \
    "$LONG" deny not-allowlisted ""
send nobody@insecure.test '"carol x"@example.net'
rcpt_is "a quoted local part with a space: \"this mailbox\"" \
    '"carol x"@example.net' deny not-allowlisted "" 'carol x@example.net'
send nobody@insecure.test 'émile@example.net'
rcpt_is "an 8-bit local part: \"this mailbox\"" \
    'émile@example.net' deny not-allowlisted ""

# The milter at the end of DATA: alice is allowlisted, her unsigned
# message is accepted at RCPT (sig-pending) and refused by the milter.
cat >"$D/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: 66-refusal-text
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.66@mail.example.test>

Not signed.
MSG
send_data alice@example.test bob@example.net "$D/msg"
expect_match "milter: RCPT accepted (sig-pending)" \
    "$(rcpt_reply bob@example.net)" '^250 '
expect_eq "milter: an unsigned message, deny mode: the words of refusals.tsv" \
    "$(data_reply)" "550 5.7.1 $(refusal deny sig-missing bob@example.net)"
expect_eq "... and nothing is queued" "$(queued_id)" ""

done_testing
