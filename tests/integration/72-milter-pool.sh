#!/bin/sh
# 72-milter-pool: senderkey-milter keeps its connections to senderkeyd
# (milter/daemon.c, specs/protocol.md 5.1), driven by miltertest
# (tests/data/milter/run.lua) in the DNSSEC test bed.
#  reuse: four signed messages (a LOOKUP and an AUTHZ each) cost
#    senderkeyd one connection in all (STATS connections_total; each
#    STATS read is one more), and all four pass.
#  a daemon killed (-9) between two messages: the next message gets
#    451 4.7.0 (internal), never accepted; the daemon restarted on the
#    same socket is reached again by the next message, which passes.
#  a daemon that timed the kept connection out (restarted with
#    IdleTimeout 1s) is reached again on a new connection: the message
#    passes, and the milter logs no daemon error.
#  round trips (issue 18): offered them, the milter takes SMFIP_NR_HDR,
#    SMFIP_NR_EOH and SMFIP_NR_BODY (the MTA waits for no reply to header
#    fields, the end of the header and body chunks); the messages above
#    went through that way; it declines CONNECT, HELO, DATA and unknown
#    commands (SMFIP_NO*), for which it has no callback.
#  -d with no syslog socket (/dev/log): three messages cost no connect to
#    /dev/log (syslog(3) would try it per line) and are still logged.
. "$(dirname "$0")/lib.sh"

command -v miltertest >/dev/null 2>&1 || skip_all "miltertest is not installed"
need_root
bed_up

SK=$SK_BIN/senderkey
SKM=$SK_BIN/senderkey-milter
LUA=$SK_TOP/tests/data/milter/run.lua
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"

D=$(mktemp -d /tmp/sk-72.XXXXXX)
chmod 755 "$D"
MPID=
cleanup() {
	stop_ours "$MPID" "$D/"
	for p in $SKD_PIDS; do alive "$p" && stop_ours "$p" "$D/"; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

cp "$SK_TOP/tests/bed/alice.pem" "$D/alice.pem"
chmod 600 "$D/alice.pem"

skd_up "senderkeyd is up" d "$D"

{
	echo "Socket unix:$D/d.sock"
	echo "MilterSocket unix:$D/m.sock"
	echo "SocketGroup root"
	echo "AuthservID mx.example.net"
	echo "MilterDaemonTimeout 5s"
} >"$D/m.conf"
"$SKM" -d -x "$D/m.conf" >"$D/m.log" 2>&1 &
MPID=$!
_i=0
while [ ! -S "$D/m.sock" ] && [ $_i -lt 300 ]; do
	_i=$((_i + 1))
	sleep 0.1
done
check "the milter listens" test -S "$D/m.sock"

# mt MSGFILE: run miltertest; output in OUT
mt() {
	OUT=$(SK_MT_SOCK="unix:$D/m.sock" SK_MT_MSG="$1" \
	    SK_MT_FROM=alice@example.test SK_MT_RCPT=bob@example.net \
	    SK_MT_EXPECT="${EXPECT:-}" miltertest -s "$LUA" 2>&1)
}

# conns: senderkeyd's connections_total (this STATS is one of them)
conns() {
	"$SK" stats --socket "$D/d.sock" | sed -n 's/^connections_total=//p'
}

cat >"$D/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: The pool
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.4712@mail.example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bob,

one connection for all of these.

Alice
MSG
"$SK" sign -k "$D/alice.pem" <"$D/msg" >"$D/signed" 2>"$D/err"
check "senderkey sign signs the test message" test -s "$D/signed"

# ---- no replies to header fields, end of header, body ----------------------
cat >"$D/proto.lua" <<'LUA'
local conn = mt.connect(os.getenv("SK_MT_SOCK"), 40, 0.25)
assert(conn, "cannot connect")
assert(mt.negotiate(conn, nil, nil, nil) == nil)
for _, o in ipairs({ { "nr_hdr", SMFIP_NR_HDR }, { "nr_eoh", SMFIP_NR_EOH },
    { "nr_body", SMFIP_NR_BODY }, { "noconnect", SMFIP_NOCONNECT },
    { "nohelo", SMFIP_NOHELO }, { "nodata", SMFIP_NODATA },
    { "nounknown", SMFIP_NOUNKNOWN } }) do
	mt.echo(o[1] .. "=" .. tostring(mt.test_option(conn, o[2])))
end
mt.disconnect(conn)
LUA
OUT=$(SK_MT_SOCK="unix:$D/m.sock" miltertest -s "$D/proto.lua" 2>&1)
expect_match "negotiated: no reply to header fields" "$OUT" "^nr_hdr=true$"
expect_match "negotiated: no reply to the end of the header" "$OUT" \
    "^nr_eoh=true$"
expect_match "negotiated: no reply to body chunks" "$OUT" "^nr_body=true$"
# no callback for them: the MTA does not send CONNECT, HELO, DATA or
# unknown commands (and their macros), a round trip less each
expect_match "negotiated: no CONNECT" "$OUT" "^noconnect=true$"
expect_match "negotiated: no HELO" "$OUT" "^nohelo=true$"
expect_match "negotiated: no DATA" "$OUT" "^nodata=true$"
expect_match "negotiated: no unknown commands" "$OUT" "^nounknown=true$"

# ---- reuse ---------------------------------------------------------------
C0=$(conns)
PASS=0
for n in 1 2 3 4; do
	mt "$D/signed"
	printf '%s\n' "$OUT" | grep -q "senderkey=pass" && PASS=$((PASS + 1))
done
C1=$(conns)
expect_eq "four signed messages pass" "$PASS" 4
# C1 - C0: the milter's connections, plus this STATS
expect_eq "four messages (LOOKUP and AUTHZ each): one connection to senderkeyd" \
    "$((C1 - C0 - 1))" 1

# ---- -d with no syslog socket: stderr only --------------------------------
# syslog(3) tries /dev/log anew for every line while nothing listens there
# (a socket, a failing connect and a close per message); the milter finds
# that out once at start and then writes each line to stderr alone.
if [ -S /dev/log ] || ! command -v strace >/dev/null 2>&1; then
	skip "-d without syslog: no connect to /dev/log" \
	    "a syslog socket exists here, or no strace"
	skip "-d without syslog: still logged" "as above"
else
	strace -f -e trace=connect -o "$D/strace" -p "$MPID" 2>"$D/strace.err" &
	SPID=$!
	_i=0
	while ! grep -q attached "$D/strace.err" && [ $_i -lt 100 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
	N0=$(grep -c "mode=verify" "$D/m.log")
	for n in 1 2 3; do
		mt "$D/signed"
	done
	kill -INT "$SPID"
	wait "$SPID"
	expect_eq "-d without syslog: no connect to /dev/log for 3 messages" \
	    "$(grep -c '/dev/log' "$D/strace")" 0
	expect_eq "-d without syslog: each message still logged on stderr" \
	    "$(($(grep -c "mode=verify" "$D/m.log") - N0))" 3
fi

# ---- the daemon killed and restarted between two messages ----------------
kill -KILL "$SKD_PID"
_i=0
while alive "$SKD_PID" && [ $_i -lt 100 ]; do
	_i=$((_i + 1))
	sleep 0.05
done
EXPECT="451 4.7.0 senderkey: temporary failure (internal)" mt "$D/signed"
expect_match "daemon killed: 451 4.7.0 (internal), never accepted" "$OUT" \
    "^smtp=451 4\.7\.0 .*\(internal\)$"
if printf '%s\n' "$OUT" | grep -q "^reply=a"; then
	not_ok "daemon killed: not accepted"
else
	ok "daemon killed: not accepted"
fi
rm -f "$D/d.sock"
skd_up "senderkeyd restarted" d "$D" "IdleTimeout 1s"
mt "$D/signed"
expect_match "daemon restarted: the next message reaches it and passes" \
    "$OUT" "senderkey=pass"

# ---- a kept connection the daemon timed out --------------------------------
sleep 2
mt "$D/signed"
expect_match "after the daemon's IdleTimeout: the message passes" "$OUT" \
    "senderkey=pass"
L=$(grep "mode=verify" "$D/m.log" | tail -n 1)
expect_match "... and the milter logged it as a pass" "$L" "result=pass"
case $L in
*daemon_error*) not_ok "... without a daemon error" ;;
*) ok "... without a daemon error" ;;
esac

done_testing
