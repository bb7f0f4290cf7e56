#!/bin/sh
# 23-store-postfix: the recipient policy store (PolicyStore, written with
# "senderkey policy -f STORE") read by senderkeyd behind a real Postfix in
# the DNSSEC test bed, driven by swaks (issue 5, specs/verdicts.md 4 and
# 6.1, specs/protocol.md 2.4 and 2.5).  A deny-mode recipient rejects an
# unknown sender (not-allowlisted) and an allowlisted sender without a
# secure key (key-insecure); it accepts an allowlisted sender with a
# secure key, tagged "untrusted; reason=sig-pending" (at RCPT nothing can
# claim "authorized" without a milter, and deny mode prepends senderkey's
# field like allow mode, protocol.md 2.4); it accepts a pinned sender
# while the published key is
# the pinned one and rejects (pin-mismatch) once another key is
# published; switching the recipient's mode with the CLI takes effect
# without a restart; a transaction with a deny-mode and an allow-mode
# recipient splits (452 4.5.3 for the second class); an unreadable store
# makes senderkeyd refuse to start.
#
# The bed is left up; this script's senderkeyd, Postfix instance and
# records are removed at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
mail_up 23
STORE=$D/policy.db
SKPID=
OWNER=

cleanup() {
	stop_ours "$SKPID" "$D/"
	"$PF" down >/dev/null 2>&1
	[ -z "$OWNER" ] || bed del example.test "$OWNER" >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

pol() {	# senderkey policy -f STORE ARGS...
	"$SK" policy -f "$STORE" "$@"
}

# conf NAME DIR STORE: DIR/NAME.conf, a senderkeyd config with its sockets
# in DIR (group postfix) and PolicyStore STORE.
SKD_GROUP=postfix
conf() {
	skd_conf "$1" "$2" "DNSTimeout 2s" "DefaultMode allow" "PolicyStore $3"
}


# until_reply NAME FROM TO PATTERN: send until the RCPT reply matches
# PATTERN (the daemon sees a committed change within a second; the
# deadline is generous), then one check.
until_reply() {
	_i=0
	while :; do
		send "$2" "$3"
		rcpt_reply "$3" | grep -Eq -- "$4" && break
		_i=$((_i + 1))
		[ $_i -lt 20 ] || break
		sleep 0.5
	done
	expect_match "$1: RCPT gets $4" "$(rcpt_reply "$3")" "$4"
}

NOTALLOWED='^554 5\.7\.1 .*\(senderkey: not-allowlisted\)$'

# --- carol@example.test: a key of ours, published with TTL 1 -------------
mkdir -m 0700 "$D/keys"
openssl genpkey -algorithm ed25519 -out "$D/keys/carol1.key" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$D/keys/carol2.key" 2>/dev/null
OWNER=$("$SK" owner -s carol@example.test | sed 's/\.example\.test\.\{0,1\}$//')
publish() {	# KEYFILE: carol's record is that key's (TTL 1)
	bed del example.test "$OWNER" >/dev/null 2>&1
	bed add example.test "$("$SK" record -a carol@example.test -T 1 "$1")"
}
check "carol's first key is published" publish "$D/keys/carol1.key"
FPR1=$("$SK" fingerprint "$D/keys/carol1.key" | awk '{ print $1 }')
expect_match "carol's key fingerprint" "$FPR1" '^[0-9A-Fa-f:]{64,95}$'

# --- the store: bob in deny mode, dan by DefaultMode allow ---------------
check "policy set bob@example.net deny" pol set bob@example.net deny
check "policy allow bob alice@example.test" \
    pol allow bob@example.net alice@example.test
check "policy allow bob alice@insecure.test" \
    pol allow bob@example.net alice@insecure.test
check "policy allow bob carol@example.test --pin" \
    pol allow bob@example.net carol@example.test --pin "$FPR1"
chmod 0644 "$STORE"

skd_up "senderkeyd starts with the PolicyStore" skd "$D/run" \
    "DNSTimeout 2s" "DefaultMode allow" "PolicyStore $STORE"
SKPID=$SKD_PID
if ! "$PF" up --policy "unix:$D/run/skd.policy" >"$_t_out" 2>&1; then
	not_ok "postfix up with senderkeyd's policy socket"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up with senderkeyd's policy socket"

# --- deny mode ------------------------------------------------------------
refused "deny mode: an unknown sender with a secure key" \
    nobody@example.test bob@example.net "$NOTALLOWED"
refused "deny mode: an unknown sender (another secure key)" \
    alice@nsec3.test bob@example.net "$NOTALLOWED"
accepted "deny mode: allowlisted, secure key (tagged sig-pending)" \
    alice@example.test bob@example.net \
    "untrusted; reason=sig-pending; sender=alice@example.test"
expect_match "deny mode: the daemon's verdict for it is untrusted sig-pending" \
    "$(grep 'sender=alice@example.test recipient=bob@example.net' \
    "$D/run/skd.log" | tail -n 1)" 'verdict=untrusted reason=sig-pending .*mode=deny list=allow'
refused "deny mode: allowlisted but in an unsigned zone" \
    alice@insecure.test bob@example.net \
    '^554 5\.7\.1 .*\(senderkey: key-insecure\)$'
accepted "allow mode (DefaultMode) for another recipient: tagged" \
    alice@insecure.test dan@example.net \
    "untrusted; reason=key-insecure; sender=alice@insecure.test"

# --- a pinned key ---------------------------------------------------------
accepted "pinned key published: accepted" carol@example.test \
    bob@example.net "untrusted; reason=sig-pending; sender=carol@example.test"
check "carol's key is replaced by another one" publish "$D/keys/carol2.key"
until_reply "pinned key replaced: rejected" carol@example.test \
    bob@example.net \
    '^554 5\.7\.1 .*\(senderkey: pin-mismatch\)$'
expect_eq "pinned key replaced: nothing is queued" "$(queued_id)" ""

# --- one transaction, two classes: the second is sent again later -------
send alice@example.test bob@example.net,dan@example.net
expect_match "two classes: the first recipient (deny mode) gets 250" \
    "$(rcpt_reply bob@example.net)" '^250 '
expect_match "two classes: the second (allow mode) gets 452 4.5.3" \
    "$(rcpt_reply dan@example.net)" \
    '^452 4\.5\.3 .*senderkey: too many recipients of another policy class'
F=$(delivered bob@example.net)
if [ -f "$F" ]; then
	expect_eq "two classes: bob's copy carries the deny-mode field only" \
	    "$(headers_of "$F" Sender-Key-Trust)" \
	    "untrusted; reason=sig-pending; sender=alice@example.test"
else
	not_ok "two classes: bob's copy is delivered"
	diag "$OUT"
fi

# --- switching modes without a restart ------------------------------------
check "policy set bob@example.net allow" pol set bob@example.net allow
until_reply "mode switched to allow: an unlisted secure sender is accepted" \
    alice@nsec3.test bob@example.net '^250 '
F=$(delivered bob@example.net)
if [ -f "$F" ]; then
	expect_eq "mode switched to allow: tagged untrusted sig-pending" \
	    "$(headers_of "$F" Sender-Key-Trust)" \
	    "untrusted; reason=sig-pending; sender=alice@nsec3.test"
else
	not_ok "mode switched to allow: delivered"
	diag "$OUT"
fi
check "policy set bob@example.net deny" pol set bob@example.net deny
until_reply "mode switched back to deny: rejected again" \
    alice@nsec3.test bob@example.net "$NOTALLOWED"
check "the same senderkeyd process throughout (no restart)" alive "$SKPID"
expect_eq "the same senderkeyd process throughout (pid file)" \
    "$(cat "$D/run/skd.pid" 2>/dev/null)" "$SKPID"

# --- an unreadable store: refuse to start, never "no rules, allow all" --
printf 'this is not an SQLite database\n' >"$D/corrupt.db"
conf skd "$D/bad" "$D/corrupt.db"
R=$(timeout 30 "$SK_TOP/tests/bed/bed" exec "$SKD" -f -x "$D/bad/skd.conf" 2>&1)
RC=$?
expect_eq "a corrupt store: senderkeyd refuses to start (exit 1)" "$RC" 1
expect_match "a corrupt store: the reason names the store" "$R" \
    "corrupt\.db"

done_testing
