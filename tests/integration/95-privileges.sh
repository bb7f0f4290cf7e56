#!/bin/sh
# 95-privileges: what senderkeyd keeps after it drops root (issue 8 item
# 5, specs/security.md 5 and 6).  The daemon runs as it would in
# production (no -f: it forks, its stdio is /dev/null) with User nobody,
# SocketGroup nogroup, a PolicyStore and a StatsFile:
#  - /proc/PID/status: real, effective, saved and filesystem uid and gid
#    are nobody's / nogroup's, no supplementary group 0, no capabilities;
#  - /proc/PID/fd: only sockets (both listening sockets among them),
#    event descriptors, its own pipes (both ends), /dev/null and the
#    store (with -wal, -shm): no other file, no directory, nothing opened
#    as root but the listening sockets, nothing inherited (the test
#    starts it with a stray pipe end on descriptor 9);
#  - the sockets: mode 0660, group nogroup; a user outside the group gets
#    EACCES on connect, the same user with nogroup as a supplementary
#    group is answered (setpriv);
#  - an unknown User stops the start, with the reason;
#  - senderkey-milter in sign mode refuses KeyTable key files that grant
#    anything to group (0640) or others (0604), and takes 0600 and 0400;
#    it refuses a 0600 key owned by another user (nobody), a symbolic
#    link to a good key, a key in a directory that group or others may
#    write (0770, 0757) or that another user owns, and takes one in a
#    sticky 1777 directory (specs/security.md 6).
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SK=$SK_BIN/senderkey
SKM=$SK_BIN/senderkey-milter
CF=$SK_BUILD/tests/connflood
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$CF" ] || skip_all "tests/tools/connflood not built"
need_nobody
NOBODY=$(id -u nobody)
NOGROUP=$(getent group nogroup | cut -d: -f3)
OUTSIDER=2	# uid and gid "bin": neither the socket's owner nor in its group

D=$(mktemp -d /tmp/sk-95.XXXXXX)
chmod 0711 "$D"
STRAY=""
cleanup() {
	for p in $SKD_PIDS $STRAY; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# the store, readable by the daemon's group; a StatsFile directory of its own
mkdir -m 0750 "$D/st" "$D/stats"
"$SK" policy -f "$D/st/store.db" set carol@example.net deny >/dev/null 2>&1
chgrp -R nogroup "$D/st"
chown nobody "$D/stats"

SKD_GROUP=nogroup skd_conf priv "$D" "DNSTimeout 3s" "User nobody" \
    "PolicyStore $D/st/store.db" "StatsFile $D/stats/skd.prom"
mkfifo "$D/stray"
sleep 30 <"$D/stray" &
STRAY=$!
if bed exec "$SKD" -x "$D/priv.conf" >"$D/start.out" 2>&1 9>"$D/stray"; then
	ok "senderkeyd starts as a daemon with User nobody"
else
	not_ok "senderkeyd starts as a daemon with User nobody"
	diag "$(cat "$D/start.out")"
	done_testing
fi
PID=$(cat "$D/priv.pid" 2>/dev/null)
SKD_PIDS="$SKD_PIDS $PID"
check "the pid file names a running daemon" alive "${PID:-0}"

# --- credentials ---
ST=/proc/$PID/status
expect_eq "Uid: real, effective, saved, fs are nobody" \
    "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$ST")" \
    "$NOBODY $NOBODY $NOBODY $NOBODY"
expect_eq "Gid: real, effective, saved, fs are nogroup" \
    "$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "$ST")" \
    "$NOGROUP $NOGROUP $NOGROUP $NOGROUP"
GROUPS_=$(awk '$1 == "Groups:" { $1 = ""; print }' "$ST")
expect_match "supplementary groups: nobody's only, not root's" \
    "x$GROUPS_ " "^x( $NOGROUP)* $"
expect_eq "no effective capabilities" \
    "$(awk '$1 == "CapEff:" { print $2 }' "$ST")" 0000000000000000
expect_eq "no permitted capabilities" \
    "$(awk '$1 == "CapPrm:" { print $2 }' "$ST")" 0000000000000000

# --- descriptors ---
# the listening sockets' inodes, from the daemon's network namespace; each
# was bound in a private directory beside its name and renamed into place
# (lib/service.c), so its address is DIR/.skXXXXXXXX/s
LINO=$(awk -v d="$D/.sk" '$8 != "" && index($8, d) == 1 && $8 ~ /\/s$/ {
    print $7 }' "/proc/$PID/net/unix" | sort -u)
# files it may hold, by device and inode (a path read from /proc can carry
# a prefix, e.g. when the tests run in a chroot)
okid=" $(stat -L -c %d:%i /dev/null "$D/st/store.db" "$D/st/store.db-wal" \
    "$D/st/store.db-shm" 2>/dev/null | tr '\n' ' ')"
bad=""
nlisten=0
for f in /proc/"$PID"/fd/*; do
	t=$(readlink "$f") || continue
	case "$t" in
	socket:\[*\])
		ino=${t#socket:[}
		ino=${ino%]}
		for l in $LINO; do
			[ "$l" = "$ino" ] && nlisten=$((nlisten + 1))
		done ;;
	pipe:*)	# its own pipes have both ends here; one end is inherited
		[ "$(ls -l /proc/"$PID"/fd | grep -cF -- "-> $t")" -eq 2 ] ||
		    bad="$bad ${f##*/}=$t(one end)" ;;
	anon_inode:*) ;;
	# valgrind's own (tools/valgrind-check): its log, the binary, copies
	"${SK_VALGRIND_LOGS:-/nonexistent}"/*) ;;
	*/valgrind_proc_*|*/senderkeyd)
		[ -n "${SK_VALGRIND_LOGS:-}" ] ||
		    bad="$bad ${f##*/}=$t" ;;
	*)	case "$okid" in
		*" $(stat -L -c %d:%i "$f" 2>/dev/null) "*) ;;
		*) bad="$bad ${f##*/}=$t" ;;
		esac ;;
	esac
done
expect_eq "open descriptors: sockets, events, pipes, /dev/null, the store only" \
    "$bad" ""
expect_eq "both listening sockets are among them" "$nlisten" 2
diag "descriptors: $(for f in /proc/"$PID"/fd/*; do readlink "$f"; done |
    sed 's/:\[[0-9]*\]//' | sort | uniq -c | tr -s ' \n' ' ')"

# --- the sockets ---
expect_eq "line socket: mode 0660, owner nobody, group nogroup" \
    "$(stat -c '%a %U %G' "$D/priv.sock")" "660 nobody nogroup"
expect_eq "policy socket: mode 0660, owner nobody, group nogroup" \
    "$(stat -c '%a %U %G' "$D/priv.policy")" "660 nobody nogroup"
R=$(setpriv --reuid=$OUTSIDER --regid=$OUTSIDER --clear-groups \
    "$CF" "$D/priv.sock" once 2>&1)
expect_eq "a user outside SocketGroup: EACCES on the line socket" "$R" \
    "connect=EACCES"
R=$(setpriv --reuid=$OUTSIDER --regid=$OUTSIDER --clear-groups \
    "$CF" -p "$D/priv.policy" once 2>&1)
expect_eq "a user outside SocketGroup: EACCES on the policy socket" "$R" \
    "connect=EACCES"
R=$(setpriv --reuid=$OUTSIDER --regid=$OUTSIDER --groups="$NOGROUP" \
    "$CF" "$D/priv.sock" once 2>&1)
expect_match "the same user in SocketGroup: answered" "$R" \
    "^connect=ok reply=ok pong"
R=$(setpriv --reuid=$OUTSIDER --regid=$OUTSIDER --groups="$NOGROUP" \
    "$CF" -r "AUTHZ sender=x@insecure.test recipient=carol@example.net" \
    "$D/priv.sock" once 2>&1)
expect_match "... and the store, read as nobody, decides" "$R" \
    "reply=unauthorized not-allowlisted "
_i=0
while [ ! -s "$D/stats/skd.prom" ] && [ $_i -lt 30 ]; do
	_i=$((_i + 1)); sleep 0.1
done
expect_eq "the StatsFile is written as nobody" \
    "$(stat -c %U "$D/stats/skd.prom" 2>&1)" nobody

# --- an unknown User ---
skd_conf nouser "$D" "DNSTimeout 3s" "User sk-no-such-user-95"
R=$(bed exec timeout 20 "$SKD" -f -x "$D/nouser.conf" 2>&1)
expect_match "an unknown User: exit 1, named" "$R:$?" \
    "unknown user sk-no-such-user-95.*:1$"

# --- milter key files ---
if [ -x "$SKM" ]; then
	cp "$SK_TOP/tests/bed/alice.pem" "$D/alice.pem"
	printf 'alice@example.test %s alice\n' "$D/alice.pem" >"$D/keytable"
	{ echo "Socket unix:$D/priv.sock"
	  echo "MilterSocket unix:$D/m.sock"
	  echo "SocketGroup root"
	  echo "AuthservID mx.example.net"
	  echo "KeyTable $D/keytable"; } >"$D/m.conf"
	for m in 640 604 660 644; do
		chmod "$m" "$D/alice.pem"
		R=$("$SKM" -n -x "$D/m.conf" 2>&1)
		expect_match "milter: a key file of mode 0$m is refused (exit 78)" \
		    "$R:$?" "alice\.pem.*:78$"
	done
	for m in 600 400; do
		chmod "$m" "$D/alice.pem"
		check "milter: a key file of mode 0$m is taken" \
		    "$SKM" -n -x "$D/m.conf"
	done
	# owner, link and directory: each a KeyTable naming K (in dir KD)
	mkdir -m 0700 "$D/kd"
	mkt() {	# mkt FILE: the KeyTable names FILE
		printf 'alice@example.test %s alice\n' "$1" >"$D/keytable"
	}
	refused() {	# refused WHAT PATTERN
		R=$("$SKM" -n -x "$D/m.conf" 2>&1)
		expect_match "milter: $1 is refused (exit 78)" "$R:$?" "$2.*:78$"
	}
	cp "$D/alice.pem" "$D/kd/k.pem" && chmod 600 "$D/kd/k.pem"
	mkt "$D/kd/k.pem"
	check "milter: a 0600 key owned by root in a 0700 directory is taken" \
	    "$SKM" -n -x "$D/m.conf"
	chown nobody "$D/kd/k.pem"
	refused "a 0600 key owned by nobody (started as root)" \
	    "k\.pem: private key file is owned by uid $NOBODY.*chown 0 "
	chown root "$D/kd/k.pem"
	ln -s k.pem "$D/kd/link.pem"
	mkt "$D/kd/link.pem"
	refused "a symbolic link to a good key" \
	    "link\.pem: private key file is a symbolic link"
	mkt "$D/kd/k.pem"
	for m in 770 757; do
		chmod "$m" "$D/kd"
		refused "a 0600 key in a directory of mode 0$m" \
		    "k\.pem: the key's directory $D/kd has mode 0$m.*chmod go-w"
	done
	chmod 1777 "$D/kd"
	check "milter: a 0600 key in a sticky 1777 directory is taken" \
	    "$SKM" -n -x "$D/m.conf"
	chmod 0755 "$D/kd"
	chown nobody "$D/kd"
	refused "a 0600 key in a directory owned by nobody" \
	    "k\.pem: the key's directory $D/kd is owned by uid $NOBODY"
else
	skip "milter key files" "bin/senderkey-milter not built"
fi

done_testing
