#!/bin/sh
# 24-recipient-spellings: every spelling of a recipient that the bed's
# Postfix delivers to a mailbox is decided as that mailbox (issue 12
# section 1, specs/verdicts.md 4.2, specs/record-format.md 1.3).
#
# The bed's Postfix runs with recipient_delimiter = +, mydestination =
# localhost, smtputf8_enable = yes (its default) and one Maildir per
# mailbox (virtual_mailbox_maps, a texthash table with carol, dave, erin,
# émile and a catch-all for example.net), so the directory a message
# lands in names the mailbox Postfix delivered it to.
#
# Phase 1, Postfix deciding alone (senderkeyd in Mode monitor answers
# DUNNO): each spelling is sent and the mailbox it reaches is read from
# the delivered file's directory; "senderkey policy explain" (the same
# rcpt_mailbox as senderkeyd, RecipientDelimiter +) must read it as that
# mailbox or as no mailbox, never as another one.  Phase 2, senderkeyd
# enforcing a store where carol@example.net and émile@example.net are in
# deny mode, dave is in deny mode with alice@example.test pinned to a key
# she does not publish, and erin denylists alice@example.test: the RCPT
# reply for every spelling that reached carol, dave, erin or émile must
# be the reply for the plain mailbox (554 5.7.1 not-allowlisted,
# pin-mismatch, denylisted); one that senderkey cannot reduce to one
# mailbox (two levels of routing through a local host) must be refused
# as well (the strictest outcome, specs/verdicts.md 4.2).  Spellings
# Postfix rejects or delivers elsewhere are listed as such.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
mail_up 24
STORE=$D/policy.db
MON=
ENF=

cleanup() {
	stop_ours "$MON" "$D/"
	stop_ours "$ENF" "$D/"
	"$PF" down >/dev/null 2>&1
	rm -rf "$SK_PF_DIR/mail/carol" "$SK_PF_DIR/mail/dave" \
	    "$SK_PF_DIR/mail/erin" "$SK_PF_DIR/mail/émile" \
	    "$SK_PF_DIR/mail/other" "$D" "$_t_out"
}
trap cleanup EXIT

# --- the mailboxes, the store, two senderkeyd ------------------------------
printf '%s\n' 'carol@example.net carol/' 'dave@example.net dave/' \
    'erin@example.net erin/' 'émile@example.net émile/' \
    '@example.net other/' >"$D/mailboxes"
chmod 0644 "$D/mailboxes"
up() {	# POLICY-SOCKET: the bed's Postfix with this test's main.cf lines
	"$PF" up --policy "unix:$1" \
	    --set 'recipient_delimiter = +' \
	    --set 'mydestination = localhost' \
	    --set 'smtputf8_enable = yes' \
	    --set "virtual_mailbox_maps = texthash:$D/mailboxes" \
	    >"$_t_out" 2>&1
}

PIN=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF
pol() { "$SK" policy -f "$STORE" "$@" >/dev/null; }
check "carol@example.net: deny mode" pol set carol@example.net deny
check "émile@example.net: deny mode" pol set émile@example.net deny
check "dave@example.net: deny mode" pol set dave@example.net deny
check "dave@example.net: alice@example.test pinned to a key she does not publish" \
    pol allow dave@example.net alice@example.test --pin "$PIN"
check "erin@example.net: alice@example.test denylisted" \
    pol deny erin@example.net alice@example.test
chmod 0644 "$STORE"

SKD_GROUP=postfix
for m in monitor enforce; do
	skd_up "senderkeyd ($m) starts" "$m" "$D/$m" "DNSTimeout 2s" \
	    "DefaultMode allow" "PolicyStore $STORE" "RecipientDelimiter +" \
	    "Mode $m"
	[ $m = monitor ] && MON=$SKD_PID || ENF=$SKD_PID
done
printf 'PolicyStore %s\nRecipientDelimiter +\n' "$STORE" >"$D/cli.conf"

# Every spelling, as the client writes it in RCPT TO.
cat >"$D/spellings" <<'EOF'
carol@example.net
Carol@Example.NET
CAROL@EXAMPLE.NET.
carol@example.net.
carol@example.net..
example.net!carol
Example.NET.!Carol
example.net!carol+news
carol%example.net
carol%example.net@localhost
carol%example.net@[127.0.0.1]
example.net!carol@localhost
"carol@example.net"@localhost
"example.net!carol"@[127.0.0.1]
carol+news@example.net
carol+@example.net
carol++x@example.net
"carol"@example.net
"carol+news"@example.net
"Carol+News"@Example.net.
carol-news@example.net
a.example!example.net!carol
carol%example.net@mx.bed.test
dave@example.net.
example.net!dave
dave+x@example.net
erin@example.net.
Erin+x@Example.NET
carol%example.net!erin
localhost!example.net!carol
localhost!example.net!dave
erin%example.net%localhost
émile@example.net
ÉMILE@example.net
Émile@Example.NET.
ÉMILE+news@example.net
"Émile"@example.net
example.net!ÉMILE
ÉMILE%example.net@localhost
EOF
# Not listed: an NFD spelling (E + U+0301 MILE).  Postfix does not
# normalize, so it delivers that to the catch-all, while senderkey reads
# it as émile (specs/record-format.md 1.3): émile's rules then apply
# to mail for the catch-all, never the other way round.

# --- phase 1: where Postfix alone delivers each spelling -------------------
if ! up "$D/monitor/monitor.policy"; then
	not_ok "postfix up (senderkeyd in monitor mode: DUNNO)"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up (senderkeyd in monitor mode: DUNNO)"

# mailbox_of QID: the mailbox (Maildir) the message QID was delivered to
mailbox_of() {
	_f=$(grep -lE "by mx\.bed\.test \(Postfix\) with [A-Z]+ id $1([^0-9A-Za-z]|\$)" \
	    "$SK_PF_DIR"/mail/*/new/* 2>/dev/null | head -n 1)
	if [ -z "$_f" ]; then
		echo "not-delivered:$(grep -F "]: $1: to=<" "$SK_PF_LOG" |
		    sed -n 's/^.* status=\([a-z]*\).*$/\1/p' | head -n 1)"
		return
	fi
	_b=$(basename "$(dirname "$(dirname "$_f")")")
	case $_b in
	other) echo "other:$(headers_of "$_f" Delivered-To | head -n 1)" ;;
	*) echo "$_b@example.net" ;;
	esac
}

# settle QID...: wait until each has a final status in the log (30 s)
settle() {
	_i=0
	for _q in "$@"; do
		while ! grep -qE "]: $_q: to=<.* status=(sent|bounced)" \
		    "$SK_PF_LOG" && [ $_i -lt 300 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	done
}

# cli_reads SPELLING: how "senderkey policy" reads the recipient
cli_reads() {
	"$SK" policy -x "$D/cli.conf" explain alice@example.test "$1" \
	    >/dev/null 2>"$D/cli.err"
	if grep -q 'cannot tell the mailbox' "$D/cli.err"; then
		echo none
	elif grep -q ' is read as ' "$D/cli.err"; then
		sed -n 's/^.* is read as \([^,]*\), the mailbox.*$/\1/p' \
		    "$D/cli.err"
	else	# the spelling's own canonical form: compare owner names
		_o=$("$SK" owner -s "$1" 2>/dev/null)
		for _m in carol@example.net dave@example.net erin@example.net \
		    émile@example.net; do
			if [ -n "$_o" ] &&
			    [ "$_o" = "$("$SK" owner -s $_m)" ]; then
				echo "$_m"
				return
			fi
		done
		printf '%s\n' "$1" | tr 'A-Z' 'a-z'
	fi
}

: >"$D/sent"
while IFS= read -r s <&3; do	# send them all, then read where they went
	send alice@example.test "$s" </dev/null
	r=$(rcpt_reply "$s")
	case $r in
	250\ *) q=$(queued_id); echo "$s ${q:-none}" >>"$D/sent" ;;
	*) echo "$s rejected:$(printf '%s' "$r" | tr ' ' '_')" >>"$D/sent" ;;
	esac
done 3<"$D/spellings"
# shellcheck disable=SC2046
settle $(awk '$2 !~ /^(rejected:|none$)/ { print $2 }' "$D/sent")
: >"$D/fate"
while read -r s q <&3; do
	case $q in
	rejected:*) mb=$q ;;
	none) mb=not-queued ;;
	*) mb=$(mailbox_of "$q") ;;
	esac
	c=$(cli_reads "$s")
	printf '%s %s %s\n' "$s" "$mb" "$c" >>"$D/fate"
	case $mb in
	carol@example.net|dave@example.net|erin@example.net|émile@example.net)
		if [ "$c" = "$mb" ] || [ "$c" = none ]; then
			ok "postfix delivers '$s' to $mb; senderkey reads it as $c"
		else
			not_ok "postfix delivers '$s' to $mb; senderkey reads it as $c"
		fi ;;
	other:*)
		case $c in
		carol@example.net|dave@example.net|erin@example.net|émile@example.net)
			not_ok "postfix delivers '$s' to ${mb#other:}, not $c; senderkey reads it as $c" ;;
		*)	ok "postfix delivers '$s' to another mailbox (${mb#other:}); senderkey reads it as $c" ;;
		esac ;;
	*)	diag "postfix does not deliver '$s' to a mailbox: $mb (senderkey reads it as $c)" ;;
	esac
done 3<"$D/sent"

# --- phase 2: senderkeyd deciding, every spelling as its mailbox -----------
if ! up "$D/enforce/enforce.policy"; then
	not_ok "postfix up (senderkeyd enforcing)"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up (senderkeyd enforcing)"

sender_for() {	# MAILBOX: the sender whose mail that mailbox's rules refuse
	case $1 in
	carol@*|émile@*) echo nobody@insecure.test ;;
	*) echo alice@example.test ;;
	esac
}
# the reply without the address: Postfix's "<ADDR>: " and the one the
# refusal text names (verdicts.md 6.5: as spelled, or "this mailbox")
norm() { sed -E 's/<[^>]*>: //; s/: (<[^>]*>|this mailbox) /: RCPT /'; }

for mb in carol@example.net dave@example.net erin@example.net \
    émile@example.net; do
	send "$(sender_for $mb)" "$mb"
	rcpt_reply "$mb" | norm >"$D/base.${mb%@*}"
done
expect_match "carol (deny mode), an unknown sender: 554 5.7.1 not-allowlisted" \
    "$(cat "$D/base.carol")" '^554 5\.7\.1 .*\(senderkey: not-allowlisted\)$'
expect_match "émile (deny mode), an unknown sender: 554 5.7.1 not-allowlisted" \
    "$(cat "$D/base.émile")" '^554 5\.7\.1 .*\(senderkey: not-allowlisted\)$'
expect_match "dave (deny mode), the pinned sender with another key: 554 5.7.1 pin-mismatch" \
    "$(cat "$D/base.dave")" '^554 5\.7\.1 .*\(senderkey: pin-mismatch\)$'
expect_match "erin, a denylisted sender: 554 5.7.1 denylisted" \
    "$(cat "$D/base.erin")" '^554 5\.7\.1 .*\(senderkey: denylisted\)$'

n=0
ndeny=0
while read -r s mb c <&3; do
	case $mb in
	carol@example.net|dave@example.net|erin@example.net|émile@example.net) ;;
	*) continue ;;
	esac
	n=$((n + 1))
	case $mb in carol@*|dave@*|émile@*) ndeny=$((ndeny + 1)) ;; esac
	send "$(sender_for "$mb")" "$s" </dev/null
	if [ "$c" = none ]; then
		# no one mailbox for senderkey: its domain's strictest
		# outcome, at least as strict as the mailbox's refusal
		expect_match "'$s' (delivered to $mb, no one mailbox for senderkey) is refused as $mb is" \
		    "$(rcpt_reply "$s" | norm)" '^554 5\.7\.1 .*\(senderkey: [a-z-]+\)$'
		continue
	fi
	expect_eq "'$s' (delivered to $mb) is decided as $mb" \
	    "$(rcpt_reply "$s" | norm)" "$(cat "$D/base.${mb%@*}")"
done 3<"$D/fate"
diag "$n spellings reach carol, dave, erin or émile; $ndeny of them a deny-mode mailbox"
check "at least 10 spellings reach a deny-mode mailbox" test "$ndeny" -ge 10
awk '$2 !~ /^(carol|dave|erin|émile)@example\.net$/ {
	printf "# not decided as carol, dave, erin or émile: %s: postfix: %s, senderkey reads: %s\n", $1, $2, $3 }' \
    "$D/fate"

done_testing
