#!/bin/sh
# 26-exim: senderkey's shipped Exim configuration (etc/exim4/, .included
# as it is by tests/bed/exim) in a real Exim 4.96 in the DNSSEC test bed,
# asking senderkeyd over the line protocol (specs/protocol.md 3), driven
# by swaks.  Issue 12, sections 1 and 2 for Exim:
#
# - A forged Sender-Key-Trust never reaches the client on top: without
#   senderkey's fragments, the bed's Exim delivers the sender's forged
#   field first (the attack is real); with them, every incoming copy
#   (exact, lower-case, two copies, folded, blank before the colon) is
#   gone from the spool and from the delivered message, and senderkey's
#   own field is there, alone, in allow mode, in deny mode (allowlisted
#   sender), for the null sender and for a local (non-SMTP) submission
#   (no verdict: no field at all).  Deny mode refuses a sender that is
#   not allowlisted with 5.7.1.
# - The shipped ACL fails closed (bogus DNS, senderkeyd down: 4.7.0) and
#   splits recipients of two classes (452 4.5.3).
# - The recipient is decided as the mailbox Exim delivers to: each
#   spelling of a deny-mode mailbox (carol@example.net, "dave
#   smith"@example.net) that Exim accepts and delivers to it (case,
#   quotes, a source route) gets the mailbox's answer; Exim refuses a
#   trailing dot, a bang path and a domain literal.  A quoted sender is
#   decided as its mailbox (a deny entry for "john doe"@insecure.test
#   holds in every spelling).  The address extension (carol+news) is
#   removed by senderkeyd's RecipientDelimiter, set like the router's
#   local_part_suffix (without it, carol+news@example.net gets 250).
#
# The bed is left up; this script's senderkeyd and Exim are stopped.
. "$(dirname "$0")/lib.sh"

need_root
command -v swaks >/dev/null 2>&1 || skip_all "swaks is not installed"
SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
EXIM=$SK_TOP/tests/bed/exim
"$EXIM" fetch >"$_t_out" 2>&1 ||
    skip_all "the Exim 4.96 .debs cannot be obtained: $(tail -n 1 "$_t_out")"
bed_up

PF=$EXIM	# mail.sh's send: swaks through "$PF send"
. "$SK_TOP/tests/integration/mail.sh"
eval "$("$EXIM" env)"
D=$(mktemp -d /tmp/sk-26.XXXXXX) || exit 1
chmod 0755 "$D"		# Exim (user Debian-exim) must reach the socket
STORE=$D/policy.db
SOCK=$D/run/skd.sock
SKD_PIDS=

cleanup() {
	for _p in $SKD_PIDS; do kill "$_p" 2>/dev/null; done
	"$EXIM" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# exim_id: the message id in OUT (Exim's "250 OK id=..."), or "".
exim_id() {
	printf '%s\n' "$OUT" |
	    sed -n 's/^<-  *250 OK id=\([-0-9A-Za-z]*\).*$/\1/p' | head -n 1
}

# trust_fields FILE|-: the header section's Sender-Key-Trust fields (any
# case, blanks before the colon too), folded lines joined, one a line.
trust_fields() {
	awk '/^$/ { exit }
	    /^[ \t]/ { if (t) v = v $0; next }
	    { if (t) print v; t = tolower($0) ~ /^sender-key-trust[ \t]*:/; v = $0 }
	    END { if (t) print v }' "$1"
}

# forged NAME FROM TO WANT: a message from FROM to TO carrying five forged
# fields is accepted; in the spool and in the delivered message the only
# Sender-Key-Trust field is "Sender-Key-Trust: WANT" (WANT empty: none),
# and it is the first field of its name.
forged() {
	send "$2" "$3" \
	    --add-header "Sender-Key-Trust: authorized" \
	    --add-header "sender-key-trust: authorized" \
	    --add-header "Sender-Key-Trust: authorized" \
	    --add-header "$(printf 'Sender-Key-Trust: authorized;\n\treason=key-secure-signed')" \
	    --add-header "Sender-Key-Trust :authorized"
	_want=${4:+Sender-Key-Trust: $4}
	expect_match "$1: RCPT gets 250" "$(rcpt_reply "$3")" '^250 '
	_id=$(exim_id)
	if [ -z "$_id" ]; then
		not_ok "$1: queued"
		diag "$OUT"
		return
	fi
	expect_eq "$1: in the spool, only senderkey's field" \
	    "$("$EXIM" headers "$_id" | trust_fields -)" "$_want"
	_f=$("$EXIM" deliver "$_id" | sed -n 's/^[^ ]* //p' | head -n 1)
	if [ -f "$_f" ]; then
		expect_eq "$1: delivered with only senderkey's field" \
		    "$(trust_fields "$_f")" "$_want"
	else
		not_ok "$1: delivered"
		"$EXIM" log | tail -n 5 | sed 's/^/#   /'
	fi
}

# refused_exim NAME FROM TO PATTERN: RCPT reply matches, nothing queued.
refused_exim() {
	send "$2" "$3"
	expect_match "$1: RCPT gets $4" "$(rcpt_reply_all "$3")" "$4"
	expect_eq "$1: nothing is queued" "$(exim_id)" ""
}

# --- the attack, without senderkey's fragments ---------------------------
if ! "$EXIM" up >"$_t_out" 2>&1; then
	not_ok "exim up (no senderkey)"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "exim up (no senderkey)"
send alice@example.test bob@example.net \
    --add-header "Sender-Key-Trust: authorized"
F=$("$EXIM" deliver "$(exim_id)" 2>/dev/null | sed -n 's/^[^ ]* //p')
expect_eq "without the fragments the forged field is delivered on top" \
    "$(trust_fields "$F" | head -n 1)" "Sender-Key-Trust: authorized"

# --- the shipped configuration -------------------------------------------
check "policy set carol@example.net deny" \
    "$SK" policy -f "$STORE" set carol@example.net deny
check "policy allow carol alice@example.test" \
    "$SK" policy -f "$STORE" allow carol@example.net alice@example.test
check "policy allow carol alice@insecure.test" \
    "$SK" policy -f "$STORE" allow carol@example.net alice@insecure.test
check "policy set \"dave smith\"@example.net deny" \
    "$SK" policy -f "$STORE" set '"dave smith"@example.net' deny
check "policy allow \"dave smith\" alice@example.test" \
    "$SK" policy -f "$STORE" allow '"dave smith"@example.net' \
    alice@example.test
check "policy deny bob \"john doe\"@insecure.test" \
    "$SK" policy -f "$STORE" deny bob@example.net '"john doe"@insecure.test'
if ! "$EXIM" up --senderkey "$SOCK" >"$_t_out" 2>&1; then
	not_ok "exim up with etc/exim4 and senderkeyd's line socket"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "exim up with etc/exim4 and senderkeyd's line socket"

# RecipientDelimiter: the bed's router says local_part_suffix = +*.
SKD_GROUP=Debian-exim
skd_up "senderkeyd starts in the bed" skd "$D/run" "DefaultMode allow" \
    "DNSTimeout 2s" "PolicyStore $STORE" "RecipientDelimiter +"

# Section 2: forged fields.
forged "allow mode" alice@example.test bob@example.net \
    "untrusted; reason=sig-pending; sender=alice@example.test"
forged "allow mode, unsigned zone" nobody@insecure.test bob@example.net \
    "untrusted; reason=key-insecure; sender=nobody@insecure.test"
forged "null sender" "<>" bob@example.net "untrusted; reason=null-sender"
forged "deny mode, allowlisted sender" alice@example.test \
    carol@example.net "untrusted; reason=sig-pending; sender=alice@example.test"
refused_exim "deny mode, sender not allowlisted" nobody@insecure.test \
    carol@example.net \
    '^550 5\.7\.1 .*\(senderkey: not-allowlisted\)$'
expect_eq "deny mode: Exim shows the words of refusals.tsv (verdicts.md 6.5)" \
    "$(rcpt_reply_all carol@example.net)" \
    "550 5.7.1 $(refusal deny not-allowlisted carol@example.net)"
I=$(printf 'From: root@example.net\nTo: bob@example.net\nSender-Key-Trust: authorized\nsender-key-trust: trusted\nSubject: 26-exim local\n\nhi\n' |
    "$EXIM" submit root@example.net 2>"$_t_out")
expect_eq "local submission: no Sender-Key-Trust field left" \
    "$("$EXIM" headers "$I" 2>&1 | trust_fields -)" ""

# Fail closed; one class per transaction.
refused_exim "bogus zone: deferred" alice@bogus.test bob@example.net \
    '^451 4\.7\.0 senderkey: temporary failure \(dns-bogus\)$'
send alice@example.test bob@example.net,carol@example.net
expect_match "two classes: bob gets 250" "$(rcpt_reply bob@example.net)" \
    '^250 '
expect_match "two classes: carol gets 452 4.5.3" \
    "$(rcpt_reply carol@example.net)" '^452[- ]4\.5\.3 senderkey: too many'

# Section 1: spellings of a deny-mode mailbox that Exim accepts and
# delivers to that mailbox get the mailbox's answer.
# spellings MAILBOX DELIVERED SPELLING...: nobody@insecure.test gets
# MAILBOX's 550 not-allowlisted for every SPELLING (one transaction:
# nothing is accepted, so no class is fixed); alice's mail to each
# SPELLING is delivered with Delivered-To: DELIVERED.
# rcpt_norm: the reply with the recipient its text names (as spelled, or
# "this mailbox": verdicts.md 6.5) as RCPT
rcpt_norm() { sed -E 's/^(550 5\.7\.1) (<[^>]*>|this mailbox) /\1 RCPT /'; }
spellings() {
	_mb=$1
	_dl=$2
	shift 2
	_all=$(printf '%s,' "$_mb" "$@")
	send nobody@insecure.test "${_all%,}"
	_plain=$(rcpt_reply_all "$_mb" | rcpt_norm)
	expect_match "$_mb refuses nobody@insecure.test" "$_plain" \
	    '^550 5\.7\.1 RCPT .*\(senderkey: not-allowlisted\)$'
	for _r in "$@"; do
		expect_eq "$_r: nobody@insecure.test gets $_mb's answer" \
		    "$(rcpt_reply_all "$_r" | rcpt_norm)" "$_plain"
	done
	for _r in "$@"; do
		send alice@example.test "$_r"
		_d=$("$EXIM" deliver "$(exim_id)" 2>/dev/null | head -n 1)
		expect_eq "$_r: Exim delivers alice's mail to $_dl" \
		    "${_d%% /*}" "$_dl"
	done
}
spellings carol@example.net carol@example.net CAROL@example.net \
    Carol@EXAMPLE.NET '"carol"@example.net' '"CAROL"@Example.Net' \
    @mx.bed.test:carol@example.net carol+news@example.net \
    '"carol+news"@example.net' CAROL+News@example.net
spellings '"dave smith"@example.net' 'dave smith@example.net' \
    '"Dave Smith"@example.net' '"dave smith"@EXAMPLE.NET'
send alice@example.test 'carol@example.net.,example.net!carol,carol@[127.0.0.1]'
for R in carol@example.net. 'example.net!carol' 'carol@[127.0.0.1]'; do
	expect_match "$R: Exim refuses the address" "$(rcpt_reply "$R")" '^501 '
done
expect_eq "refused addresses: nothing is queued" "$(exim_id)" ""

# A quoted sender is decided as its mailbox: bob (allow mode) denies
# "john doe"@insecure.test, whose mail is otherwise accepted
# (key-insecure), in any spelling Exim accepts for it.
for S in '"john doe"@insecure.test' '"John Doe"@Insecure.Test' \
    '@relay.test:"john doe"@insecure.test'; do
	refused_exim "sender $S: bob's deny entry" "$S" bob@example.net \
	    '^550 5\.7\.1 .*\(senderkey: denylisted\)$'
done
# the field names the sender quoted (verdicts.md 7.1), decoded from trust=
forged "another quoted sender" '"jane doe"@insecure.test' bob@example.net \
    'untrusted; reason=key-insecure; sender="\"jane doe\"@insecure.test"'

# senderkeyd down: deferred, never accepted.
for _p in $SKD_PIDS; do kill "$_p" 2>/dev/null; done
_i=0
while [ -S "$SOCK" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
rm -f "$SOCK"
refused_exim "senderkeyd down: deferred" alice@example.test bob@example.net \
    '^451 4\.7\.0 senderkey: temporary failure \(internal\)$'

done_testing
