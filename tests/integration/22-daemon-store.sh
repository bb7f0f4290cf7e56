#!/bin/sh
# 22-daemon-store: senderkeyd reading the recipient policy store
# (PolicyStore), in the DNSSEC test bed, over its line socket, its Postfix
# policy socket and `senderkey authz`: a deny-mode recipient refuses an
# unknown sender and an allowlisted sender with an insecure key, gives an
# allowlisted sender with a secure key sig-pending at RCPT and authorized
# with sig=pass and the verifying key; a pin that differs from the
# published key, and a key rotated away from the pinned one, give
# pin-mismatch; `--pin-current` pins alice's real fingerprint; a mode
# switch is seen without a restart; a missing, corrupt or empty store
# prevents start-up; a store replaced by junk while running keeps the
# old rules (logged once); SIGHUP to a config with a missing store keeps
# the old config and store.
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"

D=$(mktemp -d /tmp/sk-22.XXXXXX)
ROT=sk22rot$$			# a local part of our own in example.test
ROT_OWNER=""
cleanup() {
	for p in $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	[ -n "$ROT_OWNER" ] && bed del example.test "$ROT_OWNER" TXT \
	    >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

STORE=$D/store.db
ALICE_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/alice.pub" | cut -d' ' -f1)
BOB_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/bob.pub" | cut -d' ' -f1)

# conf NAME STORE-PATH: a config with its own sockets, reading STORE-PATH.
conf() {
	skd_conf "$1" "$D" "DNSTimeout 3s" "PolicyStore $2"
}

# start NAME STORE-PATH: conf NAME STORE-PATH, then run that daemon; waits
# for its line socket and pid file (bounded), sets PID_NAME.
start() {
	skd_start "$1" "$D" "DNSTimeout 3s" "PolicyStore $2"
}

ask() {	# SOCKET REQUEST-LINE: the reply
	printf '%s\n' "$2" | "$CL" "$D/$1" -n 1
}

# until_match SOCKET REQUEST PATTERN: ask every 0.2 s until the reply
# matches, for at most 5 s; prints the last reply.
until_match() {
	_i=0
	while :; do
		_r=$(ask "$1" "$2")
		printf '%s\n' "$_r" | grep -Eq -- "$3" && break
		_i=$((_i + 1))
		[ $_i -lt 25 ] || break
		sleep 0.2
	done
	printf '%s\n' "$_r"
}

pol() {	# the policy CLI on the store
	"$SK" policy -f "$STORE" "$@" >>"$D/policy.out" 2>&1
}

# --- the store, before the daemon starts ---
check "policy: carol is deny mode" pol set carol@example.net deny
check "policy: carol allows alice@example.test" \
    pol allow carol@example.net alice@example.test
check "policy: carol allows alice@insecure.test" \
    pol allow carol@example.net alice@insecure.test
check "policy: dan (deny) pins bob's key for alice" sh -c \
    "\"$SK\" policy -f \"$STORE\" set dan@example.net deny &&
     \"$SK\" policy -f \"$STORE\" allow dan@example.net alice@example.test \
	 --pin $BOB_FP"
check "policy: *@example.org is deny mode, allows *@example.test" sh -c \
    "\"$SK\" policy -f \"$STORE\" set '*@example.org' deny &&
     \"$SK\" policy -f \"$STORE\" allow '*@example.org' '*@example.test'"
check "policy: frank is allow mode" pol set frank@example.net allow
check "policy: ivan denylists alice@example.test" \
    pol deny ivan@example.net alice@example.test
check "policy: carol allows \"john doe\"@insecure.test" \
    pol allow carol@example.net '"john doe"@insecure.test'

# --pin-current: a validated lookup in the bed, settings from -x CONF
conf main "$STORE"
check "policy: erin is deny mode" pol set erin@example.net deny
R=$(bed exec "$SK" policy -x "$D/main.conf" allow erin@example.net \
    alice@example.test --pin-current 2>&1)
RC=$?
expect_match "--pin-current alice@example.test succeeds" \
    "$(printf '%s' "$R" | tr '\n' ' '):$RC" \
    "pinning $ALICE_FP.*:0$"
R=$("$SK" policy -f "$STORE" show erin@example.net)
expect_match "--pin-current pinned senderkey fingerprint alice.pem" "$R" \
    "allow alice@example.test pin $ALICE_FP$"

# a sender of our own, published with bob's key, pinned as it is now
ROT_HASH=$("$SK" owner "$ROT@example.test" | awk '$1 == "senderkey" {
    sub(/\._senderkey\..*/, "", $2); print $2 }')
ROT_OWNER=$ROT_HASH._senderkey
if bed add example.test "$ROT_OWNER TXT \"$("$SK" record \
    "$SK_TOP/tests/bed/bob.pub")\"" >"$_t_out" 2>&1; then
	ok "bed add: $ROT@example.test published with bob's key"
else
	not_ok "bed add: $ROT@example.test published with bob's key"
	sed 's/^/#   /' "$_t_out"
fi
check "policy: gus is deny mode" pol set gus@example.net deny
R=$(bed exec "$SK" policy -x "$D/main.conf" allow gus@example.net \
    "$ROT@example.test" --pin-current 2>&1)
RC=$?
expect_match "--pin-current $ROT@example.test pins bob's key" \
    "$(printf '%s' "$R" | tr '\n' ' '):$RC" \
    "pinning $BOB_FP.*:0$"

# --- the daemon ---
start main "$STORE"
expect_match "the daemon starts with the store" "$(ask main.sock PING)" \
    "^ok pong"
expect_match "the start-up line names the store and its rules" \
    "$(grep 'started:' "$D/main.log")" \
    "policy_store=$STORE rules=[1-9][0-9]* default_mode=allow"

R=$(ask main.sock "AUTHZ sender=mallory@insecure.test recipient=carol@example.net")
expect_match "deny mode, unknown sender: unauthorized not-allowlisted, no DNS" \
    "$R" "^unauthorized not-allowlisted tag=unauthorized lookup=- policy=- "
R=$(ask main.sock "AUTHZ sender=alice@insecure.test recipient=carol@example.net")
expect_match "deny mode, allowlisted, insecure key: unauthorized key-insecure" \
    "$R" "^unauthorized key-insecure tag=unauthorized lookup=insecure "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=carol@example.net")
# Neither this verdict nor its class depends on the domain policy: it is
# decided without it and reported as policy=-, whichever answer came first.
expect_match "deny mode, allowlisted, secure key, RCPT: untrusted sig-pending" \
    "$R" "^untrusted sig-pending tag=untrusted lookup=secure-key policy=- "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=carol@example.net sig=pass key=$ALICE_FP")
expect_match "deny mode, allowlisted, sig=pass with alice's key: authorized" \
    "$R" "^authorized allowlisted-signed tag=authorized lookup=secure-key "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=carol@example.net sig=pass key=$BOB_FP")
expect_match "deny mode, sig=pass with a key not in DNS: unauthorized sig-fail" \
    "$R" "^unauthorized sig-fail "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=bob@example.net")
expect_match "a recipient the store does not name: DefaultMode allow" \
    "$R" "^untrusted sig-pending "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=heidi@example.org")
expect_match "domain level: *@example.org allows *@example.test" \
    "$R" "^untrusted sig-pending "
R=$(ask main.sock "AUTHZ sender=mallory@insecure.test recipient=heidi@example.org")
expect_match "domain level: deny mode refuses others" \
    "$R" "^unauthorized not-allowlisted "

R=$("$SK" authz --socket "$D/main.sock" alice@example.test \
    carol@example.net sig=pass "key=$ALICE_FP")
expect_match "senderkey authz: authorized, exit 0" "$R:$?" \
    "^authorized allowlisted-signed .*:0$"
R=$("$SK" authz --socket "$D/main.sock" mallory@insecure.test \
    carol@example.net)
expect_match "senderkey authz: not-allowlisted, exit 2" "$R:$?" \
    "^unauthorized not-allowlisted .*:2$"

# pins
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=dan@example.net")
expect_match "pinned bob's key, alice publishes hers, RCPT: pin-mismatch" \
    "$R" "^unauthorized pin-mismatch tag=unauthorized lookup=secure-key "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=dan@example.net sig=pass key=$ALICE_FP")
expect_match "pinned bob's key, signed with alice's: pin-mismatch" \
    "$R" "^unauthorized pin-mismatch "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=erin@example.net sig=pass key=$ALICE_FP")
expect_match "pinned with --pin-current, signed with that key: authorized" \
    "$R" "^authorized allowlisted-signed tag=authorized "
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=erin@example.net")
expect_match "pinned with --pin-current, RCPT: untrusted sig-pending" \
    "$R" "^untrusted sig-pending "
R=$(ask main.sock "AUTHZ sender=$ROT@example.test recipient=gus@example.net")
expect_match "key as pinned: untrusted sig-pending" "$R" \
    "^untrusted sig-pending tag=untrusted lookup=secure-key "
expect_match "the decision log line has mode, list and pin" \
    "$(grep "sender=$ROT@example.test" "$D/main.log" | head -n 1)" \
    "verdict=untrusted reason=sig-pending .* mode=deny list=allow pin=match$"

# Every spelling that reaches a mailbox is decided as that mailbox
# (verdicts.md 4.2): before, each of these got DefaultMode allow.
skd_start spell "$D" "DNSTimeout 3s" "PolicyStore $STORE" \
    "RecipientDelimiter +" >/dev/null
for r in carol@example.net. CAROL@Example.NET. '"carol"@example.net' \
    'example.net!carol' carol%example.net@mx.example.net \
    carol+news@example.net carol+news@example.net. \
    '"carol+x"@example.net' 'example.net!carol+news'; do
	R=$(ask spell.sock "AUTHZ sender=mallory@insecure.test recipient=$r")
	expect_match "deny mode by another spelling, $r: not-allowlisted" \
	    "$R" "^unauthorized not-allowlisted "
done
R=$(ask main.sock "AUTHZ sender=mallory@insecure.test recipient=carol+news@example.net")
expect_match "without RecipientDelimiter carol+news is its own mailbox" \
    "$R" "^untrusted key-insecure "
R=$(ask spell.sock "AUTHZ sender=alice@example.test recipient=dan@example.net. sig=pass key=$ALICE_FP")
expect_match "pinned, trailing dot, signed with another key: pin-mismatch" \
    "$R" "^unauthorized pin-mismatch "
R=$(ask spell.sock "AUTHZ sender=alice@example.test recipient=example.net!dan sig=pass key=$ALICE_FP")
expect_match "pinned, bang path, signed with another key: pin-mismatch" \
    "$R" "^unauthorized pin-mismatch "
R=$(ask spell.sock "AUTHZ sender=alice@example.test recipient=ivan@example.net. sig=pass key=$ALICE_FP")
expect_match "denylisted, trailing dot: denylisted" "$R" "^unauthorized denylisted "
R=$(ask spell.sock "AUTHZ sender=alice@example.test recipient=ivan+x@example.net sig=pass key=$ALICE_FP")
expect_match "denylisted, extension: denylisted" "$R" "^unauthorized denylisted "
# no certain mailbox: the strictest outcome of the domain (deny mode)
for r in 'a!example.net!carol' 'carol%a%example.net@mx.example.net' \
    'carol%example.net@mx.example.net.@x' 'ivan!x%example.net'; do
	R=$(ask spell.sock "AUTHZ sender=alice@example.test recipient=$r sig=pass key=$ALICE_FP")
	expect_match "no certain mailbox, $r: unauthorized" "$R" \
	    "^unauthorized (not-allowlisted|denylisted) "
done

# Postfix policy socket: the store decides there too
block() {	# SENDER RECIPIENT
	printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
	    protocol_name=ESMTP client_address=192.0.2.10 \
	    client_name=mx.example.org helo_name=mx.example.org \
	    "sender=$1" "recipient=$2" queue_id= instance=22.1 ""
}
R=$(block mallory@insecure.test carol@example.net |
    "$CL" "$D/main.policy" -b 1)
expect_match "policy socket, deny mode, unknown sender: REJECT" \
    "$(printf '%s\n' "$R" | sed -n 1p)" "^action=REJECT 5\.7\.1 .*not-allowlisted"

R=$(block mallory@insecure.test carol@example.net. |
    "$CL" "$D/spell.policy" -b 1)
expect_match "policy socket, trailing dot: REJECT not-allowlisted" \
    "$(printf '%s\n' "$R" | sed -n 1p)" "^action=REJECT 5\.7\.1 .*not-allowlisted"
R=$(block mallory@insecure.test carol+news@example.net |
    "$CL" "$D/spell.policy" -b 1)
expect_match "policy socket, extension: REJECT not-allowlisted" \
    "$(printf '%s\n' "$R" | sed -n 1p)" "^action=REJECT 5\.7\.1 .*not-allowlisted"
# Postfix's unquoted internal form: "john doe"@insecure.test is allowlisted
R=$(block 'john doe@insecure.test' carol@example.net |
    "$CL" "$D/main.policy" -b 1)
expect_match "policy socket, sender in Postfix's internal form: its mailbox's rules" \
    "$(printf '%s\n' "$R" | sed -n 1p)" "^action=REJECT 5\.7\.1 .*key-insecure"
R=$(block mallory@insecure.test 'john doe@example.org' |
    "$CL" "$D/main.policy" -b 1)
expect_match "policy socket, recipient in Postfix's internal form: its domain's mode" \
    "$(printf '%s\n' "$R" | sed -n 1p)" "^action=REJECT 5\.7\.1 .*not-allowlisted"

# the key is rotated away from the pin: a daemon asked afterwards says so
if bed del example.test "$ROT_OWNER" TXT >"$_t_out" 2>&1 &&
    bed add example.test "$ROT_OWNER TXT \"$("$SK" record \
    "$SK_TOP/tests/bed/alice.pub")\"" >>"$_t_out" 2>&1; then
	ok "bed del/add: $ROT@example.test now publishes alice's key"
else
	not_ok "bed del/add: $ROT@example.test now publishes alice's key"
	sed 's/^/#   /' "$_t_out"
fi
start rot "$STORE"
R=$(ask rot.sock "AUTHZ sender=$ROT@example.test recipient=gus@example.net")
expect_match "published key no longer the pinned one: pin-mismatch" "$R" \
    "^unauthorized pin-mismatch tag=unauthorized lookup=secure-key "
R=$(ask rot.sock "AUTHZ sender=$ROT@example.test recipient=gus@example.net sig=pass key=$ALICE_FP")
expect_match "signed with the new key, pinned the old: pin-mismatch" "$R" \
    "^unauthorized pin-mismatch "

# a mode switch while running, no restart
R=$(ask main.sock "AUTHZ sender=mallory@insecure.test recipient=frank@example.net")
expect_match "frank in allow mode: untrusted key-insecure" "$R" \
    "^untrusted key-insecure "
check "policy: frank switches to deny" pol set frank@example.net deny
R=$(until_match main.sock \
    "AUTHZ sender=mallory@insecure.test recipient=frank@example.net" \
    "^unauthorized not-allowlisted ")
expect_match "the switch to deny is seen within 5 s, no restart" "$R" \
    "^unauthorized not-allowlisted "
expect_match "the change is applied as one, not a reload, and logged" \
    "$(grep 'policy store updated' "$D/main.log" | tail -n 1)" \
    "path=$STORE pairs=1 rules=[0-9]+"
check "policy: frank back to allow" pol set frank@example.net allow
R=$(until_match main.sock \
    "AUTHZ sender=mallory@insecure.test recipient=frank@example.net" \
    "^untrusted key-insecure ")
expect_match "and back to allow, within 5 s" "$R" "^untrusted key-insecure "

# start-up refusals: missing, corrupt, empty store
conf missing "$D/nothing.db"
R=$(bed exec timeout 20 "$SKD" -f -x "$D/missing.conf" 2>&1)
expect_eq "a missing store: senderkeyd exits 1" "$?" 1
expect_match "a missing store: the reason names it" "$R" \
    "conf:[0-9]+: PolicyStore: $D/nothing\.db: "
cp "$STORE" "$D/bad.db"
printf 'this is junk, not a policy store at all\n' |
    dd of="$D/bad.db" conv=notrunc 2>/dev/null
conf bad "$D/bad.db"
R=$(bed exec timeout 20 "$SKD" -f -x "$D/bad.conf" 2>&1)
expect_eq "a corrupt store: senderkeyd exits 1" "$?" 1
expect_match "a corrupt store: the reason names it" "$R" \
    "conf:[0-9]+: PolicyStore: $D/bad\.db: "
: >"$D/empty.db"
conf empty "$D/empty.db"
R=$(bed exec timeout 20 "$SKD" -f -x "$D/empty.conf" 2>&1)
expect_eq "an empty file as store: senderkeyd exits 1" "$?" 1
expect_match "an empty file: the reason names it" "$R" \
    "conf:[0-9]+: PolicyStore: $D/empty\.db: "

# the store is opened as User, after the privilege drop
if getent passwd nobody >/dev/null && getent group nogroup >/dev/null; then
	chmod 0711 "$D"
	mkdir -m 0755 "$D/u"
	"$SK" policy -f "$D/u/store.db" set carol@example.net deny \
	    >/dev/null 2>&1
	{ echo "Socket unix:$D/u/user.sock"; echo "PolicySocket unix:$D/u/user.policy"
	  echo "SocketGroup root"
	  echo "TrustAnchorFile $SK_BED_ANCHOR"
	  echo "UnboundConfig $SK_BED_UBCONF"; echo "PolicyStore $D/u/store.db"
	  echo "User nobody"; } >"$D/user.conf"
	R=$(bed exec timeout 20 "$SKD" -f -x "$D/user.conf" 2>&1)
	RC=$?
	expect_match "a store User cannot read: refused, exit 1" "$R:$RC" \
	    "conf:[0-9]+: PolicyStore: $D/u/store\.db: .*:1$"
	chgrp nogroup "$D/u/store.db" "$D/u/store.db-wal" "$D/u/store.db-shm"
	bed exec "$SKD" -f -x "$D/user.conf" >"$D/user.log" 2>&1 &
	_i=0
	while ! grep -q 'started:' "$D/user.log" && [ $_i -lt 100 ]; do
		_i=$((_i + 1))
		sleep 0.1
	done
	expect_match "group-readable store: starts as User, reads its rules" \
	    "$(grep 'started:' "$D/user.log")" "rules=1 "
	R=$(printf 'AUTHZ sender=x@insecure.test recipient=carol@example.net\n' |
	    "$CL" "$D/u/user.sock" -n 1)
	expect_match "as User: the store's deny mode decides" "$R" \
	    "^unauthorized not-allowlisted "
	_p=$(ps -eo pid,user,args | awk -v c="$D/user.conf" \
	    '$2 == "nobody" && index($0, c) { print $1 }')
	[ -n "$_p" ] && SKD_PIDS="$SKD_PIDS $_p"
else
	skip "store opened as User" "no user nobody / group nogroup"
fi

# SIGHUP to a config whose store is missing: everything is kept
conf main "$D/nothing.db"
kill -HUP "$PID_main"
wait_log 'reload failed' "$D/main.log" 50
expect_match "SIGHUP, store missing: reload refused, logged" \
    "$(grep 'reload failed' "$D/main.log")" \
    "config and policy store kept: PolicyStore $D/nothing\.db"
R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=carol@example.net sig=pass key=$ALICE_FP")
expect_match "SIGHUP, store missing: the old rules still decide" "$R" \
    "^authorized allowlisted-signed "
conf main "$STORE"

# the store replaced by junk while running: old rules kept, logged once
# (with its -wal and -shm: SQLite would read the old pages from the WAL).
# The junk arrives by one rename, so no poll sees the store missing in
# between (that would be a second, different failure, rightly logged).
cp "$D/bad.db" "$STORE.junk"
for x in -wal -shm; do mv "$STORE$x" "$D/keep.db$x"; done
ln "$STORE" "$D/keep.db"
mv -f "$STORE.junk" "$STORE"
wait_log 'stay in use' "$D/main.log" 50
sleep 2.5	# two more polls, which must not log again
expect_eq "store replaced by junk: the failure is logged once" \
    "$(grep -c 'stay in use' "$D/main.log")" 1
R=$(ask main.sock "AUTHZ sender=mallory@insecure.test recipient=carol@example.net")
expect_match "store replaced by junk: the old rules still decide" "$R" \
    "^unauthorized not-allowlisted "
rm -f "$STORE"
for x in "" -wal -shm; do mv "$D/keep.db$x" "$STORE$x"; done
check "policy: carol allows mallory@insecure.test (store back)" \
    pol allow carol@example.net mallory@insecure.test
R=$(until_match main.sock \
    "AUTHZ sender=mallory@insecure.test recipient=carol@example.net" \
    "^unauthorized key-insecure ")
expect_match "store back: its new rules are used within 5 s" "$R" \
    "^unauthorized key-insecure "

[ -n "$PID_main" ] && grep -q '^[^)]*) [^Z]' "/proc/$PID_main/stat" 2>/dev/null ||
    { diag "main daemon gone:"; tail -n 5 "$D/main.log" | diag "$(cat)"; }

done_testing
