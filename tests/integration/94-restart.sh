#!/bin/sh
# 94-restart: crashes and restarts (issue 8 item 4).
#  - kill -9 of senderkeyd three times while 8 line clients (AUTHZ that
#    decides "authorized") and 8 policy clients ask in a loop; each time
#    the daemon is started again and a client polls until it is answered
#    (the time is printed as a figure, not checked); every reply any
#    client got is complete: a connection the kill cut shows EOF, never a
#    truncated line ("authorized" without its end);
#  - the checker itself: a fake server that writes "authorized allowlis"
#    and closes is counted as a cut reply (the test can fail);
#  - the policy store on a full disk (a 256 KiB tmpfs, filled): "senderkey
#    policy allow" fails with exit 74 and says "disk full", the store stays
#    as it was (export, integrity_check), a daemon reading it keeps its
#    rules and keeps serving;
#  - the store on a read-only bind mount: the CLI fails with exit 77 and
#    "Read-only file system", the store is unchanged, and a daemon starts
#    from it and applies its rules.
# (The store under kill -9 of the CLI is 50-policy-cli's crash test.)
# Figures: restart_ms_max, restart_ms_last ("# figure:" lines, and
# $SK_FIGURES when set).
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
CF=$SK_BUILD/tests/connflood
CL=$SK_BUILD/tests/skclient
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CF" ] || skip_all "tests/tools/connflood not built"
[ -x "$CL" ] || skip_all "tests/tools/skclient not built"

D=$(mktemp -d /tmp/sk-94.XXXXXX)
BG=""
cleanup() {
	for p in $BG $SKD_PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	umount -l "$D/full" 2>/dev/null
	umount -l "$D/ro" 2>/dev/null
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

ask() {	# SOCKET LINE
	printf '%s\n' "$2" | "$CL" "$1" -n 1
}

ALICE_FP=$("$SK" fingerprint "$SK_TOP/tests/bed/alice.pub" | cut -d' ' -f1)
AUTHZ="AUTHZ sender=alice@example.test recipient=bob@example.net sig=pass key=$ALICE_FP"

# --- the checker sees a cut reply ------------------------------------
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(4)
c, _ = s.accept(); c.recv(4096)
c.sendall(b"authorized allowlis"); c.close()
' "$D/fake.sock" &
	BG="$BG $!"
	_i=0
	while [ ! -S "$D/fake.sock" ] && [ $_i -lt 50 ]; do
		_i=$((_i + 1)); sleep 0.1
	done
	"$CF" -r "$AUTHZ" "$D/fake.sock" churn 1 1 >"$D/fake.out" 2>/dev/null
	RC=$?
	expect_match "checker: a truncated 'authorized' is counted, exit 1" \
	    "$(cat "$D/fake.out"):$RC" "partial=1 .*authorized_partial=1 .*:1$"
else
	skip "checker: a truncated reply is counted" "no python3"
fi

# --- kill -9 under load, restart -------------------------------------
skd_start r "$D" "DNSTimeout 3s" || { not_ok "senderkeyd starts"; done_testing; }
expect_match "AUTHZ with alice's key decides authorized" \
    "$(ask "$D/r.sock" "$AUTHZ")" "^authorized "
"$CF" -e authorized -r "$AUTHZ" "$D/r.sock" churn 8 9 >"$D/churn.out" \
    2>"$D/churn.err" &
CH1=$!
"$CF" -p -e action= "$D/r.policy" churn 8 9 >"$D/pchurn.out" \
    2>"$D/pchurn.err" &
CH2=$!
BG="$BG $CH1 $CH2"
max=0
last=""
PID=$PID_r
for cycle in 1 2 3; do
	sleep 1.5
	kill -9 "$PID"
	_i=0
	while alive "$PID" && [ $_i -lt 50 ]; do _i=$((_i + 1)); sleep 0.02; done
	rm -f "$D/r.pid"
	bed exec "$SKD" -f -x "$D/r.conf" >>"$D/r.log" 2>&1 &
	"$CF" "$D/r.sock" wait 20000 >"$D/wait.out"
	last=$(kv waited_ms "$D/wait.out")
	expect_match "kill -9 #$cycle: serving again after the restart" \
	    "$last" "^[0-9]+$"
	_i=0
	while [ ! -s "$D/r.pid" ] && [ $_i -lt 50 ]; do _i=$((_i + 1)); sleep 0.1; done
	PID=$(cat "$D/r.pid" 2>/dev/null)
	SKD_PIDS="$SKD_PIDS $PID"
	case "$last" in
	[0-9]*) [ "$last" -gt "$max" ] && max=$last ;;
	esac
done
fig restart_ms_last "$last"
fig restart_ms_max "$max"
wait "$CH1"
RC1=$?
wait "$CH2"
RC2=$?
diag "line clients: $(cat "$D/churn.out")"
diag "policy clients: $(cat "$D/pchurn.out")"
expect_match "line clients: no reply cut short, every reply authorized" \
    "$(cat "$D/churn.out"):$RC1" \
    "^ok=[1-9][0-9]* eof=[0-9]+ partial=0 connect_fail=[0-9]+ unexpected=0 authorized=[1-9][0-9]* authorized_partial=0 .*:0$"
expect_match "line clients: connections the kills cut saw EOF" \
    "$(kv eof "$D/churn.out")" "^[1-9][0-9]*$"
expect_match "policy clients: no reply cut short" \
    "$(cat "$D/pchurn.out"):$RC2" \
    "^ok=[1-9][0-9]* eof=[0-9]+ partial=0 connect_fail=[0-9]+ unexpected=0 .*:0$"
expect_match "after three kills: AUTHZ answered" \
    "$(ask "$D/r.sock" "$AUTHZ")" "^authorized "

# --- the policy store on a full disk ---------------------------------
mkdir "$D/full"
if mount -t tmpfs -o size=256k,mode=0755 tmpfs "$D/full" 2>/dev/null; then
	S=$D/full/store.db
	"$SK" policy -f "$S" set carol@example.net deny >/dev/null 2>&1
	"$SK" policy -f "$S" allow carol@example.net alice@example.test \
	    >/dev/null 2>&1
	skd_start fullrd "$D" "DNSTimeout 3s" "PolicyStore $S" ||
	    not_ok "a daemon starts from the store on the small disk"
	"$SK" policy -f "$S" export >"$D/before"
	dd if=/dev/zero of="$D/full/fill" bs=4k 2>/dev/null
	i=0
	while [ $i -lt 400 ]; do
		echo "carol@example.net allow sender-$i-with-a-long-local-part@example$i.test"
		i=$((i + 1))
	done >"$D/big.txt"
	"$SK" policy -f "$S" import "$D/big.txt" >"$D/out" 2>"$D/err"
	RC=$?
	# single commands too, until one fails (a page may still be free)
	i=0
	while [ $RC -eq 0 ] && [ $i -lt 50 ]; do
		"$SK" policy -f "$S" allow carol@example.net \
		    "s$i-$(head -c 200 /dev/zero | tr '\0' x)@example.test" \
		    >"$D/out" 2>"$D/err"
		RC=$?
		i=$((i + 1))
	done
	expect_eq "full disk: senderkey policy exits 74" "$RC" 74
	expect_match "full disk: the error says so" "$(cat "$D/err")" \
	    "disk full"
	rm -f "$D/full/fill"
	"$SK" policy -f "$S" export >"$D/after" 2>&1
	if [ $i -eq 0 ]; then
		check "full disk: the store is unchanged" cmp "$D/before" \
		    "$D/after"
	else
		check "full disk: the store kept its rules (acknowledged ones)" \
		    sh -c "grep -vxF -f '$D/after' '$D/before' | grep -q . && exit 1 || exit 0"
	fi
	expect_eq "full disk: integrity_check" \
	    "$(sqlite3 -cmd '.timeout 10000' "$S" 'PRAGMA integrity_check' 2>&1)" ok
	expect_match "full disk: the daemon kept its rules and serves" \
	    "$(ask "$D/fullrd.sock" "AUTHZ sender=mallory@insecure.test recipient=carol@example.net")" \
	    "^unauthorized not-allowlisted "
	kill "$PID_fullrd" 2>/dev/null
	sleep 0.2
	umount "$D/full"
else
	skip "full disk" "cannot mount a tmpfs"
fi

# --- the policy store on a read-only disk ----------------------------
mkdir "$D/rw" "$D/ro"
S=$D/rw/store.db
"$SK" policy -f "$S" set carol@example.net deny >/dev/null 2>&1
"$SK" policy -f "$S" allow carol@example.net alice@example.test >/dev/null 2>&1
if mount --bind "$D/rw" "$D/ro" 2>/dev/null &&
    mount -o remount,bind,ro "$D/ro" 2>/dev/null; then
	"$SK" policy -f "$S" export >"$D/before"
	"$SK" policy -f "$D/ro/store.db" allow carol@example.net \
	    mallory@insecure.test >"$D/out" 2>"$D/err"
	expect_eq "read-only disk: senderkey policy exits 77" "$?" 77
	expect_match "read-only disk: the error says so" "$(cat "$D/err")" \
	    "Read-only file system"
	"$SK" policy -f "$S" export >"$D/after"
	check "read-only disk: the store is unchanged" cmp "$D/before" \
	    "$D/after"
	if skd_start ro "$D" "DNSTimeout 3s" "PolicyStore $D/ro/store.db"; then
		ok "read-only disk: the daemon starts from the store"
		expect_match "read-only disk: its rules decide" \
		    "$(ask "$D/ro.sock" "AUTHZ sender=mallory@insecure.test recipient=carol@example.net")" \
		    "^unauthorized not-allowlisted "
	else
		not_ok "read-only disk: the daemon starts from the store"
		diag "$(tail -n 3 "$D/ro.log")"
	fi
else
	skip "read-only disk" "cannot make a read-only bind mount"
fi

done_testing
