#!/bin/sh
# 63-learn: LearnOutbound (issue 16 section 2, specs/protocol.md 3.2
# LEARN, senderkeyd.conf(5)) through the bed's Postfix: authenticated
# submission (port 587, Cyrus sasldb) with senderkey-milter in sign mode,
# which sends LEARN per recipient; carol@example.test is in deny mode,
# dave@nsec3.test publishes bob's key (secure).
#  - before: dave's mail to carol is refused at RCPT (not-allowlisted);
#  - a daemon running as root refuses LEARN from the milter (uid postfix:
#    error not-permitted): the submission is still delivered, nothing is
#    learned; LEARN from another uid is refused the same way directly;
#  - with the daemon as the milter's user: mallory's login sending as
#    carol learns nothing (login-mismatch) and is still delivered; carol's
#    submission to dave and erin@example.test learns dave (written,
#    pinned to bob's key) and not erin (own-domain); a second submission
#    leaves the entry unchanged; the journal has a dir=out row;
#  - dave's reply signed with bob's key is then accepted and delivered
#    authorized; once dave also publishes alice's key, his mail signed
#    with it is refused (pin-mismatch): the entry is pinned;
#  - the policy service learns from a request with sasl_username, and
#    only for the login's own mailbox;
#  - "senderkey policy report" lists the addresses carol wrote to (the
#    dir=out rows), "show" lists the learned entry, "forget" removes it,
#    and dave is refused at RCPT again.
# The bed is left up; this script's senderkeyd, milter and Postfix are
# stopped, dave's records removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
command -v saslpasswd2 >/dev/null 2>&1 ||
    skip_all "saslpasswd2 is not installed (sasl2-bin)"
[ -n "$(ls /usr/lib/*/sasl2/libsasldb.so* 2>/dev/null)" ] ||
    skip_all "the Cyrus sasldb plugin is not installed (libsasl2-modules-db)"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 program"
SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$SK_BIN/senderkey-milter" ] || skip_all "bin/senderkey-milter not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"
mail_up 63
mkdir -m 0755 "$D/run"
SKPID=
MPID=
DAVE_OWNER=

cleanup() {
	stop_ours "$MPID" "$D/"
	stop_ours "$SKPID" "$D/"
	"$PF" down >/dev/null 2>&1
	[ -n "$DAVE_OWNER" ] && bed del nsec3.test "$DAVE_OWNER" TXT \
	    >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# --- dave@nsec3.test publishes bob's key ------------------------------------
BOB_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/bob.pub" | cut -d' ' -f1)
BOB_PIN=$(printf '%s' "$BOB_FP" | tr -d : | tr 'A-F' 'a-f')
DAVE_OWNER=$("$SK" owner dave@nsec3.test | awk '$1 == "senderkey" {
    sub(/\._senderkey\..*/, "", $2); print $2 }')._senderkey
check "bed add: dave@nsec3.test publishes bob's key" bed add nsec3.test \
    "$DAVE_OWNER TXT \"$("$SK" record "$SK_TOP/tests/bed/bob.pub")\""
mkdir -m 0700 "$D/keys"
for k in alice bob; do
	cp "$SK_TOP/tests/bed/$k.pem" "$D/keys/$k.pem"
	chmod 0600 "$D/keys/$k.pem"
done

# --- carol in deny mode; the journal's directory is the daemon's ------------
STORE=$D/policy.db
check "policy set carol@example.test deny" "$SK" policy -f "$STORE" set \
    carol@example.test deny
chgrp postfix "$STORE" "$STORE-wal" "$STORE-shm"	# read through the group,
							# as with senderkey's
mkdir -m 0750 "$D/j"
chown postfix:postfix "$D/j"
J=$D/j/journal.db

SASLDB=$D/sasldb2
for u in carol mallory; do
	check "saslpasswd2 creates $u's login" sh -c "printf '$u-secret' |
	    saslpasswd2 -c -p -f '$SASLDB' -u example.test $u"
done
chown root:postfix "$SASLDB"
chmod 0640 "$SASLDB"

# start_skd TITLE [LINES...]: senderkeyd for Postfix and the milter
start_skd() {
	_t=$1
	shift
	stop_ours "$SKPID" "$D/"
	chown -R postfix:postfix "$D/j"	# the files a root daemon made
	SKD_GROUP=postfix
	skd_up "$_t" skd "$D/run" "DNSTimeout 3s" "CacheMaxTTL 0s" \
	    "PolicyStore $STORE" "JournalFile $J" "JournalFlush 200ms" \
	    "LearnOutbound yes" "$@"
	SKPID=$SKD_PID
}
ask() {	# REQUEST-LINE, as USER (root when empty): the reply
	if [ -n "$2" ]; then
		printf '%s\n' "$1" | setpriv --reuid "$2" --regid "$2" \
		    --clear-groups "$CL" "$D/run/skd.sock" -n 1
	else
		printf '%s\n' "$1" | "$CL" "$D/run/skd.sock" -n 1
	fi
}
# until_log FILE PATTERN: wait (at most 20 s) until FILE has a line
# matching PATTERN; prints the last such line.
until_log() {
	_i=0
	while ! grep -Eq -- "$2" "$1" && [ $_i -lt 100 ]; do
		_i=$((_i + 1))
		sleep 0.2
	done
	grep -E -- "$2" "$1" | tail -n 1
}
# submit LOGIN TO FILE: FILE from carol@example.test to TO on port 587
submit() {
	send_data carol@example.test "$2" "$3" --port 587 --auth PLAIN \
	    --auth-user "$1" --auth-password "$1-secret"
}
# until_q_out ADDRESS: carol's dir=out row for ADDRESS in the journal,
# polled (at most 20 s; JournalFlush is 200 ms here)
until_q_out() {
	_i=0
	while :; do
		_r=$(sqlite3 -readonly "$J" "SELECT recipient, sender, verdict,
		    reason FROM journal WHERE dir = 'out' AND
		    sender = '$1'" 2>&1)
		[ -n "$_r" ] && break
		_i=$((_i + 1))
		[ $_i -lt 100 ] || break
		sleep 0.2
	done
	printf '%s\n' "$_r"
}
msg() {	# FROM TO FILE
	cat >"$3" <<MSG
From: <$1>
To: <$2>
Subject: 63-learn $(date +%s%N)
Date: Mon, 07 Dec 2026 08:00:00 +0000
Message-ID: <$(date +%s%N).63@bed.test>

Hello.
MSG
}

start_skd "senderkeyd starts as root, LearnOutbound yes"
milter_up "senderkey-milter listens (sign for SMTP AUTH, as postfix)" \
    "MilterDaemonTimeout 10s" "LearnOutbound yes"
if ! "$PF" up --policy "unix:$D/run/skd.policy" \
    --milter "unix:$D/run/milter.sock" --submission "$SASLDB" \
    >"$_t_out" 2>&1; then
	not_ok "postfix up with the policy service, the milter and submission"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi
ok "postfix up with the policy service, the milter and submission"

# --- before: dave is refused ---------------------------------------------
refused "before learning, dave -> carol (deny mode)" dave@nsec3.test \
    carol@example.test '^5[0-9][0-9] 5\.7\.1 '

# --- LEARN from a uid that is neither 0 nor the daemon's --------------------
expect_eq "LEARN as uid postfix to a daemon running as root: not-permitted" \
    "$(ask "LEARN user=carol sender=carol@example.test recipient=dave@nsec3.test" postfix)" \
    "error not-permitted"
msg carol@example.test dave@nsec3.test "$D/m1"
submit carol dave@nsec3.test "$D/m1"
expect_match "refused LEARN: the submission still gets 250" "$(data_reply)" \
    '^250 '
expect_match "refused LEARN: the milter logs the daemon's refusal" \
    "$(until_log "$D/milter.log" 'mode=learn .*not-permitted')" \
    'mode=learn login=carol@example.test recipients=1 .*daemon_error=.*not-permitted'
refused "refused LEARN: dave is still refused" dave@nsec3.test \
    carol@example.test '^5[0-9][0-9] 5\.7\.1 '

# --- the daemon as the milter's user -----------------------------------------
start_skd "senderkeyd restarts as User postfix" "User postfix"
expect_eq "LEARN for another mailbox's login: nothing (as uid postfix)" \
    "$(ask "LEARN user=dan sender=carol@example.test recipient=dave@nsec3.test" postfix)" \
    "ok entry=none why=login-mismatch"

submit mallory dave@nsec3.test "$D/m1"
expect_match "mallory's login sending as carol: delivered (250)" \
    "$(data_reply)" '^250 '
expect_match "mallory's login sending as carol: the milter logs none=1" \
    "$(until_log "$D/milter.log" 'mode=learn login=mallory')" \
    'recipients=1 written=0 unchanged=0 none=1$'
expect_match "mallory's login: the daemon says why, once" \
    "$(grep 'nothing learned' "$D/run/skd.log" | tail -n 1)" \
    'login=mallory@example.test sender=carol@example.test recipient=dave@nsec3.test nothing learned: login-mismatch'
refused "after mallory's submission, dave is still refused" dave@nsec3.test \
    carol@example.test '^5[0-9][0-9] 5\.7\.1 '

submit carol dave@nsec3.test,erin@example.test "$D/m1"
expect_match "carol to dave and erin: 250" "$(data_reply)" '^250 '
expect_match "carol to dave and erin: written=1, none=1 (own domain)" \
    "$(until_log "$D/milter.log" 'mode=learn login=carol@example.test recipients=2')" \
    'recipients=2 written=1 unchanged=0 none=1$'
expect_match "the daemon logs the learn, pinned to bob's key" \
    "$(grep 'learn: user=carol@example.test recipient=dave@nsec3.test' \
    "$D/run/skd.log" | tail -n 1)" 'entry=written lookup=secure-key pins=1$'
submit carol dave@nsec3.test "$D/m1"
expect_match "a second submission to dave: unchanged" \
    "$(until_log "$D/milter.log" 'unchanged=1')" \
    'recipients=1 written=0 unchanged=1 none=0$'
expect_eq "the journal has carol's out row for dave" \
    "$(until_q_out dave@nsec3.test)" \
    "carol@example.test|dave@nsec3.test|untrusted|sig-pending"

# --- dave's replies --------------------------------------------------------
msg dave@nsec3.test carol@example.test "$D/r"
"$SK" sign -k "$D/keys/bob.pem" <"$D/r" >"$D/r.bob"
"$SK" sign -k "$D/keys/alice.pem" <"$D/r" >"$D/r.alice"
send_data dave@nsec3.test carol@example.test "$D/r.bob"
expect_match "dave's reply signed with bob's key: 250" "$(data_reply)" '^250 '
F=$(delivered carol@example.test)
if [ -f "$F" ]; then
	expect_eq "dave's reply: delivered authorized" \
	    "$(headers_of "$F" Sender-Key-Trust)" \
	    "authorized; reason=allowlisted-signed; sender=dave@nsec3.test; key=$(printf '%s' "$BOB_FP" | tr -d ':' | tr 'A-F' 'a-f')"
else
	not_ok "dave's reply: delivered"
	diag "$OUT"
fi
check "bed add: dave@nsec3.test also publishes alice's key" bed add \
    nsec3.test "$DAVE_OWNER TXT \"$("$SK" record \
    "$SK_TOP/tests/bed/alice.pub")\""
send_data dave@nsec3.test carol@example.test "$D/r.alice"
expect_match "dave's mail signed with his other key: refused 5.7.1" \
    "$(data_reply)" '^5[0-9][0-9] 5\.7\.1 '
expect_match "dave's mail signed with his other key: the daemon says pin-mismatch" \
    "$(grep 'sender=dave@nsec3.test' "$D/run/skd.log" | tail -n 1)" \
    ' verdict=unauthorized reason=pin-mismatch '
expect_eq "dave's mail signed with his other key: nothing is queued" \
    "$(queued_id)" ""

# --- the policy service: sasl_username -----------------------------------
pblock() {	# SASL_USERNAME SENDER RECIPIENT
	printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
	    protocol_name=ESMTPA client_address=192.0.2.10 "sender=$2" \
	    "recipient=$3" queue_id= instance=63.1 "sasl_username=$1" ""
}
R=$(pblock carol carol@example.test frank@insecure.test |
    "$CL" "$D/run/skd.policy" -b 1)
expect_match "policy request with sasl_username: answered as always" "$R" \
    '^action='
expect_match "policy request with sasl_username: learned, unpinned" \
    "$(until_log "$D/run/skd.log" 'recipient=frank@insecure.test entry=')" \
    'learn: user=carol@example.test recipient=frank@insecure.test entry=written lookup=insecure pins=0$'
pblock mallory carol@example.test gina@insecure.test |
    "$CL" "$D/run/skd.policy" -b 1 >/dev/null
expect_match "policy request, mallory as carol: nothing learned" \
    "$(until_log "$D/run/skd.log" 'recipient=gina@insecure.test nothing')" \
    'login=mallory sender=carol@example.test recipient=gina@insecure.test nothing learned: login-mismatch'

# --- report: the addresses carol wrote to ---------------------------------
expect_eq "the journal has carol's out row for frank (key insecure)" \
    "$(until_q_out frank@insecure.test)" \
    "carol@example.test|frank@insecure.test|untrusted|key-insecure"
R=$("$SK" policy -f "$STORE" report carol@example.test --journal "$J" 2>&1)
expect_match "policy report: the sent header" "$R" \
    '# sent to 2 addresses \(LearnOutbound\)'
expect_match "policy report: dave, written to twice" "$R" \
    'sent dave@nsec3\.test count=2 last=[0-9TZ:-]+'
R=$("$SK" policy -f "$STORE" report carol@example.test --journal "$J" \
    --json 2>&1)
expect_match "policy report --json: the sent array" \
    "$(printf '%s' "$R" | tr -d '\n')" \
    '"sent": \[    \{"address": "dave@nsec3\.test", "count": 2, "first": [0-9]+, "last": [0-9]+\},    \{"address": "frank@insecure\.test", "count": 1, "first": [0-9]+, "last": [0-9]+\}  \]\}$'

# --- show and forget -------------------------------------------------------
R=$("$SK" policy -f "$STORE" show carol@example.test --journal "$J" 2>&1)
expect_match "policy show lists the learned entry, pinned, source sent" \
    "$(printf '%s\n' "$R" | grep 'dave@nsec3.test')" \
    "allow dave@nsec3\.test pin ($BOB_FP|$BOB_PIN) # user entry: sent "
check "policy forget carol@example.test dave@nsec3.test" "$SK" policy \
    -f "$STORE" forget carol@example.test dave@nsec3.test --journal "$J"
R=$("$SK" policy -f "$STORE" show carol@example.test --journal "$J" 2>&1)
expect_eq "policy show: dave is gone" \
    "$(printf '%s\n' "$R" | grep -c 'dave@nsec3.test')" 0
# the daemon notices the forget on its poll tick (about a second)
_i=0
while :; do
	send dave@nsec3.test carol@example.test
	case $(rcpt_reply carol@example.test) in 5*) break ;; esac
	_i=$((_i + 1))
	[ $_i -lt 20 ] || break
	sleep 0.5
done
expect_match "after forget, dave is refused at RCPT again" \
    "$(rcpt_reply carol@example.test)" '^5[0-9][0-9] 5\.7\.1 '

done_testing
