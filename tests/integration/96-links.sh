#!/bin/sh
# 96-links: root never follows a link the daemon's user planted (issue 13
# items 1 and 2, specs/security.md 5.1).  The hostile process runs as
# nobody, the User of both daemons, and owns the socket and pid file
# directory, as /run/senderkey is owned by User in production.  The
# target it aims at is a root-owned file of mode 0600 in the test's
# directory; it must keep its content, owner, group and mode throughout.
#  (a) PidFile: a link planted at its name before senderkeyd starts (in
#      the bed, as a daemon) is replaced by the pid file, never written
#      through; the pid file names the running daemon.
#  (b) senderkeyd's sockets: tests/tools/linkrace (as nobody) swaps each
#      new socket for a link to the target while senderkeyd is started
#      50 times; the daemon must never chown or chmod the target.
#  (c) the same for senderkey-milter's socket (MilterUser nobody), 30
#      starts.
#  (d) a process that could regain root after its drop (started with
#      the no_setuid_fixup securebit, so setuid keeps the capabilities)
#      refuses to run: the milter (exit 77) and senderkeyd (exit 1).
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
LR=$SK_BUILD/tests/linkrace
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$LR" ] || skip_all "tests/tools/linkrace not built"
need_nobody

D=$(mktemp -d /tmp/sk-96.XXXXXX)
chmod 0711 "$D"
PIDS=""
cleanup() {
	for p in $PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT
asnobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
# the target: root's, 0600, with content; made afresh for each part (so
# each part fails on its own); tstate: "uid gid mode size checksum"
tstate() {
	echo "$(stat -c '%u %g %a %s' "$D/target") $(cksum <"$D/target")"
}
mktarget() {
	rm -f "$D/target"
	printf 'root only\n' >"$D/target"
	chmod 0600 "$D/target"
	T0=$(tstate)
}
# the directory nobody owns (as /run/senderkey is User's)
mkdir -m 0755 "$D/run"
chown nobody:nogroup "$D/run"

# --- (a) the pid file ---
mktarget
SKD_GROUP=nogroup skd_conf a "$D" "DNSTimeout 3s" "User nobody"
sed -i "s|^PidFile .*|PidFile $D/run/a.pid|" "$D/a.conf"
asnobody ln -s "$D/target" "$D/run/a.pid"
if bed exec "$SKD" -x "$D/a.conf" >"$D/a.out" 2>&1; then
	ok "(a) senderkeyd starts with a link planted at its PidFile"
else
	not_ok "(a) senderkeyd starts with a link planted at its PidFile"
	diag "$(cat "$D/a.out")"
fi
expect_eq "(a) the link's target is unchanged" "$(tstate)" "$T0"
expect_eq "(a) PidFile is now a file of nobody's (written after the drop)" \
    "$(stat -c '%F %U' "$D/run/a.pid" 2>&1)" "regular file nobody"
PID=$(cat "$D/run/a.pid" 2>/dev/null)
PIDS="$PIDS $PID"
check "(a) the pid file names the running daemon" kill -0 "${PID:-0}"
# restart: the link planted again while it runs (it removes only its own
# file at exit), then a new start
asnobody ln -sf "$D/target" "$D/run/a.pid"
kill "$PID" 2>/dev/null
_i=0
while kill -0 "$PID" 2>/dev/null && [ $_i -lt 100 ]; do
	_i=$((_i + 1)); sleep 0.1
done
expect_eq "(a) at exit the planted link is left, its target too" \
    "$(stat -c %F "$D/run/a.pid") $(tstate)" "symbolic link $T0"
if bed exec "$SKD" -x "$D/a.conf" >"$D/a.out" 2>&1; then
	PID=$(cat "$D/run/a.pid" 2>/dev/null)
	PIDS="$PIDS $PID"
	kill "$PID" 2>/dev/null
fi
expect_eq "(a) after a restart the target is unchanged" "$(tstate)" "$T0"

# --- (b) senderkeyd's sockets against a racer ---
mktarget
# A PolicySocket whose port is taken stops each start right after the
# line socket was made (the start-up checks cannot see a port in use), so
# each start makes its socket and then removes it again.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(600)' \
    >"$D/port" 2>&1 &
PIDS="$PIDS $!"
_i=0
while [ ! -s "$D/port" ] && [ $_i -lt 100 ]; do _i=$((_i + 1)); sleep 0.05; done
cat >"$D/b.conf" <<CONF
Socket unix:$D/run/b.sock
PolicySocket inet:127.0.0.1:$(cat "$D/port")
SocketGroup nogroup
SocketMode 0666
User nobody
PidFile $D/run/b.pid
CONF
race() {	# race PATH: start linkrace on PATH as nobody
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$LR" "$1" "$D/target" >"$D/race.out" 2>&1 &
	RACER=$!
	PIDS="$PIDS $RACER"
}
unrace() {
	kill "$RACER" 2>/dev/null
	wait "$RACER" 2>/dev/null
	SWAPS=$(kv swaps "$D/race.out")
}
race "$D/run/b.sock"
n=0 made=0
while [ $n -lt 50 ]; do
	n=$((n + 1))
	"$SKD" -f -x "$D/b.conf" >"$D/b.out" 2>&1
	grep -q "Address already in use" "$D/b.out" && made=$((made + 1))
	[ "$(tstate)" = "$T0" ] || break
done
unrace
diag "senderkeyd: $n starts, $made made their socket, racer swaps=$SWAPS"
expect_eq "(b) 50 starts of senderkeyd against a racer: target unchanged" \
    "$n $(tstate)" "50 $T0"
check "(b) the racer swapped sockets for links" test "${SWAPS:-0}" -gt 0
check "(b) senderkeyd made its sockets in most starts" test "$made" -ge 10
"$SKD" -f -x "$D/b.conf" >"$D/b.out" 2>&1
RC=$?
expect_match "(b) without a racer: refused, exit 1" "$(cat "$D/b.out"):$RC" \
    "bind inet:127\.0\.0\.1:[0-9]+: Address already in use:1$"
expect_eq "(b) the refused start left no socket behind" \
    "$(ls -A "$D/run" | grep -c '^b\.')" 0

# --- (c) senderkey-milter's socket against a racer ---
if [ -x "$SKM" ]; then
	{ echo "Socket unix:$D/run/none.sock"
	  echo "MilterSocket unix:$D/run/m.sock"
	  echo "SocketGroup root"
	  echo "MilterUser nobody"
	  echo "MilterMode verify"
	  echo "AuthservID mx.example.net"; } >"$D/m.conf"
	# mstart: start the milter, wait until it runs as nobody or is gone,
	# note its socket's mode and owner (MSTAT), stop it (libmilter sees
	# SIGTERM within 5 s; the racing starts use SIGKILL)
	mstart() {
		"$@" >"$D/m.out" 2>&1 &
		_p=$!
		_i=0
		while [ $_i -lt 200 ] && kill -0 $_p 2>/dev/null &&
		    ! grep -q "^Uid:[[:space:]]*$(id -u nobody)[[:space:]]" \
		    /proc/$_p/status 2>/dev/null; do
			_i=$((_i + 1)); sleep 0.01
		done
		MSTAT=$(stat -c '%a %U' "$D/run/m.sock" 2>&1)
		kill -${SIG:-TERM} $_p 2>/dev/null
		wait $_p 2>/dev/null
	}
	mktarget
	mstart "$SKM" -x "$D/m.conf"
	expect_eq "(c) milter socket: mode 0660, owner nobody (no racer)" \
	    "$MSTAT" "660 nobody"
	check "(c) ... and removed at exit" test ! -e "$D/run/m.sock"
	race "$D/run/m.sock"
	n=0
	while [ $n -lt 30 ]; do
		n=$((n + 1))
		SIG=KILL mstart "$SKM" -x "$D/m.conf"
		[ "$(tstate)" = "$T0" ] || break
	done
	unrace
	diag "senderkey-milter: $n starts, racer swaps=$SWAPS"
	expect_eq "(c) 30 starts of the milter against a racer: target unchanged" \
	    "$n $(tstate)" "30 $T0"
	check "(c) the racer swapped the milter's socket for links" \
	    test "${SWAPS:-0}" -gt 0

	# --- (d) root could be regained ---
	mktarget
	R=$(timeout 10 setpriv --securebits=+no_setuid_fixup "$SKM" \
	    -x "$D/m.conf" 2>&1)
	expect_match "(d) milter: root could be regained: refused, exit 77" \
	    "$R:$?" "could regain root.*:77$"
	expect_eq "(d) milter: the refused start removed its socket" \
	    "$(ls -A "$D/run" | grep -c '^m\.sock$')" 0
else
	skip "(c), (d) the milter" "bin/senderkey-milter not built"
fi
R=$(timeout 10 setpriv --securebits=+no_setuid_fixup "$SKD" -f \
    -x "$D/b.conf" 2>&1)
expect_match "(d) senderkeyd: root could be regained: refused, exit 1" \
    "$R:$?" "could regain root.*:1$"
expect_eq "the target is unchanged at the end" "$(tstate)" "$T0"

done_testing
