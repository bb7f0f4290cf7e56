#!/bin/sh
# 20-daemon: senderkeyd in the DNSSEC test bed, over its line socket and
# its Postfix policy socket: every lookup state (secure, bogus, insecure,
# secure NXDOMAIN), a dead upstream answered tempfail at the DNSTimeout
# deadline, two requests on one connection, Exim's half-close style, a
# Postfix attribute block on a persistent connection, hostile input
# (oversize line, NUL, too many attributes) after which the daemon still
# answers, 1,000 connections with slow clients while another client is
# still served, DefaultMode deny without a PolicyStore, and SIGHUP reload
# keeping connections.
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"

D=$(mktemp -d /tmp/sk-20.XXXXXX)
DKIM_ZONES=""	# zones given alice's DKIM key record below
SEL=sk$(printf '%s' alice | sha256sum | cut -c1-32)	# record-format.md 2.3
cleanup() {
	for z in $DKIM_ZONES; do
		bed del "$z" "$SEL._domainkey" TXT >/dev/null 2>&1
	done
	for p in $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# start NAME [EXTRA CONFIG LINES]: a daemon with its own sockets in $D;
# waits for its line socket, sets PID_NAME.
start() {
	_n=$1
	shift
	skd_start "$_n" "$D" "DNSTimeout ${TIMEOUT:-2s}" "$@"
}

ask() {	# SOCKET REQUEST-LINES...: the replies (one per line)
	_s=$1
	shift
	printf '%s\n' "$@" | "$CL" "$D/$_s" -n $#
}

# log_barrier SOCKET: return once the decision lines of every request
# answered so far are in the log file.  The daemon writes the lines of a
# loop round at the end of that round; a PING sent after a reply arrived
# is read in a later round, so its answer comes after that write.
log_barrier() {
	ask "$1" PING >/dev/null
}

start main
check "senderkeyd -n accepts the config" "$SKD" -n -x "$D/main.conf"
expect_match "PING" "$(ask main.sock PING)" "^ok pong proto=1 version="

R=$(ask main.sock "LOOKUP alice@example.test")
expect_match "LOOKUP alice@example.test: secure key" "$R" \
    "^ok state=secure-key owner=2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db\._senderkey\.example\.test\. policy=all key=ed25519,[0-9A-F:]{95},-,8tI4sb6GLd\+tf9x6y/8gSQjoUkdyJwTLinUBEde\+fVk= ttl=[0-9]+$"

R=$(ask main.sock "AUTHZ sender=alice@example.test recipient=bob@example.net")
expect_match "AUTHZ secure sender at RCPT: untrusted sig-pending" "$R" \
    "^untrusted sig-pending tag=untrusted lookup=secure-key policy=all trust=untrusted;%20reason=sig-pending;%20sender=alice@example.test class=[0-9a-f]{16}$"
R=$(ask main.sock "AUTHZ sender=alice@bogus.test recipient=bob@example.net")
expect_match "AUTHZ bogus sender: tempfail dns-bogus" "$R" \
    "^tempfail dns-bogus tag=- lookup=bogus "
R=$(ask main.sock "LOOKUP alice@bogus.test")
expect_match "LOOKUP bogus: why= given, no key" "$R" \
    "^ok state=bogus .*why=[^ ]+"
R=$(ask main.sock "AUTHZ sender=alice@insecure.test recipient=bob@example.net")
expect_match "AUTHZ insecure sender: untrusted key-insecure" "$R" \
    "^untrusted key-insecure tag=untrusted lookup=insecure "
R=$(ask main.sock "AUTHZ sender=nobody@example.test recipient=bob@example.net")
expect_match "AUTHZ no key under policy=all: unauthorized no-key" "$R" \
    "^unauthorized no-key tag=unauthorized lookup=secure-nokey policy=all "
R=$(ask main.sock "AUTHZ sender= recipient=bob@example.net")
expect_match "AUTHZ null sender: untrusted null-sender, no lookup" "$R" \
    "^untrusted null-sender tag=untrusted lookup=- policy=- "
R=$(ask main.sock "LOOKUP not-an-address")
expect_eq "LOOKUP of a bad address" "$R" "error bad-address"

# DKIMKEY (the DKIM bridge): alice's key as a DKIM key record at her
# selector in the signed example.test and the unsigned insecure.test; the
# daemon names <selector>._domainkey.<domain> itself.
ALICE_P=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=
for z in example.test insecure.test; do
	if bed add "$z" "$SEL._domainkey TXT \"v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=$ALICE_P\"" >"$_t_out" 2>&1; then
		DKIM_ZONES="$DKIM_ZONES $z"
		ok "bed add $z: alice's DKIM key record at $SEL._domainkey"
	else
		not_ok "bed add $z: alice's DKIM key record at $SEL._domainkey"
		sed 's/^/# /' "$_t_out"
	fi
done
R=$(ask main.sock "DKIMKEY alice@example.test")
expect_match "DKIMKEY alice@example.test: secure key, no policy=" "$R" \
    "^ok state=secure-key owner=$SEL\._domainkey\.example\.test\. key=ed25519,[0-9A-F:]{95},-,8tI4sb6GLd\+tf9x6y/8gSQjoUkdyJwTLinUBEde\+fVk= ttl=[0-9]+\$"
FP_DKIM=$(printf '%s\n' "$R" | sed -n 's/.* key=ed25519,\([0-9A-F:]*\),.*/\1/p')
FP_SK1=$(ask main.sock "LOOKUP alice@example.test" |
    sed -n 's/.* key=ed25519,\([0-9A-F:]*\),.*/\1/p')
if [ -n "$FP_DKIM" ] && [ "$FP_DKIM" = "$FP_SK1" ]; then
	ok "DKIMKEY and LOOKUP: the same key, the same fingerprint"
else
	not_ok "DKIMKEY and LOOKUP: the same key, the same fingerprint ($FP_DKIM, $FP_SK1)"
fi
R=$(ask main.sock "DKIMKEY alice@insecure.test")
expect_match "DKIMKEY alice@insecure.test: insecure (unsigned zone)" "$R" \
    "^ok state=insecure owner=$SEL\._domainkey\.insecure\.test\. key=ed25519,[0-9A-F:]{95},-,[^ ]+ ttl=[0-9]+\$"
R=$(ask main.sock "DKIMKEY nobody@example.test")
expect_match "DKIMKEY nobody@example.test: secure-nokey absent" "$R" \
    "^ok state=secure-nokey nokey=absent owner=sk[0-9a-f]{32}\._domainkey\.example\.test\. ttl=[0-9]+\$"
R=$(ask main.sock "DKIMKEY alice@expired.test")
expect_match "DKIMKEY alice@expired.test: bogus (signatures expired), why= given" "$R" \
    "^ok state=bogus owner=$SEL\._domainkey\.expired\.test\. why=[^ ]+ ttl="
expect_eq "DKIMKEY of a bad address" \
    "$(ask main.sock "DKIMKEY not-an-address")" "error bad-address"
expect_eq "DKIMKEY alone" "$(ask main.sock DKIMKEY)" \
    "error missing-argument"
expect_eq "DKIMKEY with a DNS name beside the address" \
    "$(ask main.sock "DKIMKEY alice@example.test $SEL._domainkey.example.test.")" \
    "error bad-argument"
expect_match "STATS: requests_dkimkey counts the 4 whose address parsed" \
    "$(ask main.sock STATS)" " requests_lookup=[0-9]+ requests_dkimkey=4 "

# two requests on one connection, in order
R=$(printf 'PING\nAUTHZ sender=alice@example.test recipient=x@example.net\n' |
    "$CL" "$D/main.sock" -n 2)
expect_match "two requests on one connection: two replies in order" \
    "$(printf '%s\n' "$R" | tr '\n' '|')" \
    "^ok pong [^|]*\|untrusted sig-pending [^|]*\|$"

# Exim ${readsocket}: request without LF, half-close, answer then EOF
R=$(printf 'AUTHZ sender=alice@example.test recipient=x@example.net' |
    "$CL" "$D/main.sock" -H)
expect_match "half-close: the final line without LF is answered" "$R" \
    "^untrusted sig-pending "

# Postfix: two blocks with the attributes Postfix sends, one connection
block() {	# SENDER RECIPIENT INSTANCE
	printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
	    protocol_name=ESMTP client_address=192.0.2.10 \
	    client_name=mx.example.org client_port=41234 \
	    reverse_client_name=mx.example.org server_address=192.0.2.1 \
	    server_port=25 helo_name=mx.example.org "sender=$1" \
	    "recipient=$2" recipient_count=0 queue_id= "instance=$3" \
	    size=0 etrn_domain= stress= sasl_method= sasl_username= \
	    sasl_sender= ccert_subject= ccert_issuer= ccert_fingerprint= \
	    ccert_pubkey_fingerprint= encryption_protocol= \
	    encryption_cipher= encryption_keysize=0 policy_context= ""
}
R=$({ block alice@example.test bob@example.net 1a2b.1
      block alice@bogus.test bob@example.net 1a2b.2; } |
    "$CL" "$D/main.policy" -b 2)
expect_match "Postfix block 1: PREPEND untrusted sig-pending" \
    "$(printf '%s\n' "$R" | sed -n 1p)" \
    "^action=PREPEND Sender-Key-Trust: untrusted; reason=sig-pending; sender=alice@example.test$"
expect_match "Postfix block 2 on the same connection: DEFER_IF_PERMIT" \
    "$(printf '%s\n' "$R" | sed -n 3p)" \
    "^action=DEFER_IF_PERMIT 4\.7\.0 senderkey: temporary failure \(dns-bogus\)$"

# hostile input
R=$(head -c 9000 /dev/zero | tr '\0' a | "$CL" "$D/main.sock")
expect_eq "oversize line: error line-too-long, then close" "$R" \
    "error line-too-long"
R=$(printf 'PI\000NG\nPING\n' | "$CL" "$D/main.sock" -n 2 | head -n 1)
expect_eq "a NUL octet: error bad-syntax" "$R" "error bad-syntax"
R=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "a%d=x\n", i; print "" }' |
    "$CL" "$D/main.policy")
expect_eq "10,000 attributes: malformed, then close" "$R" \
    "action=DEFER_IF_PERMIT 4.7.0 senderkey: malformed policy request"
R=$(printf 'request=smtpd_access_policy\nsender=a@b\nsender=c@d\n\n' |
    "$CL" "$D/main.policy" -b 1)
expect_match "a repeated attribute: malformed" "$R" "malformed policy request"
expect_match "still answering after hostile input" "$(ask main.sock PING)" \
    "^ok pong"

# 1,000 connections, 100 of them slow, and a fresh client still served
R=$("$CL" "$D/main.sock" -F 1000 100)
expect_match "1,000 connections with slow clients: a fresh one answered" \
    "$R" "fresh: ok pong"
expect_match "1,000 connections: the 900 others answered too" "$R" \
    "answered=900"

expect_match "still answering after the flood" "$(ask main.sock PING)" \
    "^ok pong"
[ -n "$PID_main" ] && grep -q '^[^)]*) [^Z]' "/proc/$PID_main/stat" 2>/dev/null ||
    { diag "main daemon gone:"; tail -n 5 "$D/main.log" | diag "$(cat)"; }

# a dead upstream: the sink as the forwarder, DNSTimeout 1s
TIMEOUT=1s start sink "Forwarders $SK_BED_SINK"
R=$(ask sink.sock "AUTHZ sender=carol@example.test recipient=bob@example.net")
expect_match "dead upstream: tempfail dns-tempfail at the deadline" "$R" \
    "^tempfail dns-tempfail tag=- lookup=tempfail "
R=$(ask sink.sock "LOOKUP carol@example.test")
expect_match "dead upstream: LOOKUP says tempfail timeout" "$R" \
    "^ok state=tempfail .*why=timeout"

# no PolicyStore: DefaultMode decides for every recipient
start deny "DefaultMode deny"
R=$(ask deny.sock "AUTHZ sender=alice@example.test recipient=bob@example.net")
expect_match "DefaultMode deny, no store: unauthorized not-allowlisted, no DNS" \
    "$R" "^unauthorized not-allowlisted tag=unauthorized lookup=- policy=- "
log_barrier deny.sock
expect_match "DefaultMode deny: the log line says mode=deny list=none" \
    "$(grep 'sender=alice@example.test' "$D/deny.log" | head -n 1)" \
    "verdict=unauthorized reason=not-allowlisted .* mode=deny list=none pin=-$"
expect_match "no store: the start-up line says so" \
    "$(grep 'started:' "$D/deny.log")" "policy_store=- rules=0 default_mode=deny"

# MaxConnections: over the cap, accept and close at once.  The first of
# skclient's connections (FIFO accept) stalls mid-line and holds the one
# slot; the two PING clients and the fresh one are accepted and closed
# unanswered.  A closed one may even fail its write (EPIPE: then skclient
# prints no "fresh:" line), so the check is that nobody got an answer,
# and STATS afterwards counts the refusals.
start small "MaxConnections 1"
R=$("$CL" "$D/small.sock" -F 3 1)
expect_match "MaxConnections 1, one client held: the other two unanswered" \
    "$R" "^opened=3 answered=0$"
case $R in
*"fresh: ok"*) not_ok "MaxConnections 1: the fresh client is refused"
	diag "  got: '$R'" ;;
*) ok "MaxConnections 1: the fresh client is refused" ;;
esac
# once skclient is gone its slot frees; retry until STATS gets in
_i=0
while [ -z "$(ask small.sock STATS)" ] && [ $_i -lt 100 ]; do
	_i=$((_i + 1))
	sleep 0.1
done
R=$(ask small.sock STATS)
expect_match "MaxConnections 1: STATS counts at least 3 refusals" "$R" \
    " connections_refused=([3-9]|[1-9][0-9]+) "

# SIGHUP reloads without dropping a connection
R=$( { printf 'PING\n'; sleep 0.5; kill -HUP "$PID_main"; sleep 0.5;
       printf 'PING\n'; } | "$CL" "$D/main.sock" -n 2 | grep -c '^ok pong')
expect_eq "SIGHUP: the connection survives the reload" "$R" 2
log_barrier main.sock
expect_eq "SIGHUP: reload logged" "$(grep -c 'config reloaded' "$D/main.log")" 1
R=$(ask main.sock STATS)
expect_match "STATS after all that" "$R" \
    "^ok uptime=[0-9]+ requests=[0-9]+ .*cache_hits=[1-9][0-9]* "
expect_match "the log has one decision line with its fields" \
    "$(grep 'sender=alice@bogus.test' "$D/main.log" | head -n 1)" \
    "queue_id=- sender=alice@bogus.test recipient=bob@example.net verdict=tempfail reason=dns-bogus tag=- dnssec=bogus policy=[a-z-]+ why_bogus=[^ ]+ class=[0-9a-f]{16} ms=[0-9]+"

# the CLI clients
R=$("$SK_BIN/senderkey" lookup --socket "$D/main.sock" alice@example.test)
expect_match "senderkey lookup --socket: secure key, exit 0" "$R:$?" \
    "^ok state=secure-key .*:0$"
R=$("$SK_BIN/senderkey" lookup -x "$D/main.conf" alice@insecure.test)
expect_match "senderkey lookup -x: socket from the config, exit 1" \
    "$R:$?" "^ok state=insecure .*:1$"
R=$("$SK_BIN/senderkey" authz --socket "$D/main.sock" nobody@example.test \
    bob@example.net)
expect_match "senderkey authz: unauthorized, exit 2" "$R:$?" \
    "^unauthorized no-key .*:2$"
R=$("$SK_BIN/senderkey" stats --socket "$D/main.sock" --json)
expect_match "senderkey stats --json: one object" "$R" \
    '^\{"uptime":[0-9]+,"requests":[0-9]+,.*\}$'
"$SK_BIN/senderkey" stats --socket "$D/nothing.sock" >/dev/null 2>&1
expect_eq "senderkey stats without a daemon: exit 69" "$?" 69
R=$(ask main.sock STATS)
expect_match "STATS: the counters in the order of protocol.md 6" "$R" \
    " requests_ping=[0-9]+ requests_stats=[0-9]+ requests_policy=[0-9]+ errors="
R=$("$SK_BIN/senderkey" stats --socket "$D/main.sock" | tr '\n' ' ')
expect_match "senderkey stats: every counter, one a line, in that order" \
    "$R" "^uptime=[0-9]+ requests=[0-9]+ .* requests_ping=[0-9]+ requests_stats=[0-9]+ requests_policy=[0-9]+ .* latency_max_us=[0-9]+ store_age=[0-9]+ store_updates=[0-9]+ store_reloads=[0-9]+ store_unread=0 store_unread_tempfails=0 \$"
N0=$(ask main.sock STATS | sed 's/.* requests=\([0-9]*\) .*/\1/')
R=$("$SK_BIN/senderkey" authz --socket "$D/main.sock" a@example.test \
    b@example.net sig=maybe 2>&1)
expect_match "senderkey authz with a bad sig=: exit 65, named" "$R:$?" \
    "sig=maybe: bad-argument:65$"
R=$("$SK_BIN/senderkey" authz --socket "$D/main.sock" "$(printf 'a\001@example.test')" \
    b@example.net 2>&1)
expect_match "senderkey authz with a control octet: exit 65, not sent" \
    "$R:$?" "bad-syntax:65$"
N1=$(ask main.sock STATS | sed 's/.* requests=\([0-9]*\) .*/\1/')
expect_eq "those two never reached the daemon (only the STATS between)" \
    "$N1" "$((N0 + 1))"
R=$("$SK_BIN/senderkey" authz --socket "$D/main.sock" \
    '"john doe"@example.test' bob@example.net queue_id=Q12)
expect_match "senderkey authz: a quoted local part with a space is sent" \
    "$R:$?" "^unauthorized no-key .*:2$"

# StatsFile: a Prometheus textfile at start, replaced atomically, and at exit
start prom "StatsFile $D/prom.txt"
_i=0
while [ ! -s "$D/prom.txt" ] && [ $_i -lt 50 ]; do
	_i=$((_i + 1))
	sleep 0.1
done
check "StatsFile written at start-up" test -s "$D/prom.txt"
ask prom.sock PING PING >/dev/null
kill "$PID_prom"
_i=0
while kill -0 "$PID_prom" 2>/dev/null && [ $_i -lt 50 ]; do
	_i=$((_i + 1))
	sleep 0.1
done
expect_match "StatsFile at exit: requests counted" \
    "$(cat "$D/prom.txt")" "senderkeyd_requests_ping 2"
expect_match "StatsFile: Prometheus TYPE lines" "$(cat "$D/prom.txt")" \
    "# TYPE senderkeyd_cache_entries gauge"
expect_eq "StatsFile: no temporary file left" "$(ls "$D" | grep -c 'prom.txt.')" 0

# a missing trust anchor: refuse to start with a clear reason
sed "s|^TrustAnchorFile .*|TrustAnchorFile $D/none.key|" "$D/main.conf" |
    sed "s|$D/main|$D/noanchor|g" >"$D/noanchor.conf"
R=$(bed exec "$SKD" -f -x "$D/noanchor.conf" 2>&1)
RC=$?
expect_eq "no trust anchor: exit 1" "$RC" 1
expect_match "no trust anchor: the reason" "$R" "none.key"

done_testing
