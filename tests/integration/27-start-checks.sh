#!/bin/sh
# 27-start-checks: `senderkeyd -n` and `senderkey-milter -n` check what a
# start checks, with the same words and the same exit status, and a
# refused start leaves nothing behind.  Each refused configuration is run
# through -n and through a real start (senderkeyd in the foreground, and
# once as a daemon); the sockets' directory, which does not exist before,
# is listed after.  senderkeyd: unknown User, unknown SocketGroup, a
# missing TrustAnchorFile, one that is no trust anchor, a missing
# PolicyStore, a StatsFile in a missing directory, a socket path taken by
# a file, several errors at once (all reported).  Refused after the
# sockets were made: a PolicySocket whose port is taken, and a trust
# anchor that does not validate the bed's root (the real root key): the
# sockets, their directory and the pid file go again.  senderkey-milter:
# unknown MilterUser, a missing MilterSocket directory, a KeyTable that
# does not parse, MilterMode sign without a KeyTable.  And both answer
# -h/--help and -V/--version.
. "$(dirname "$0")/lib.sh"

need_root
bed_up

SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"

D=$(mktemp -d /tmp/sk-27.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# --help and --version (usage on stdout, exit 0); a usage error: 64
VER=$(sed -n 's/^#define SENDERKEY_VERSION[^"]*"\(.*\)"$/\1/p' \
    "$SK_TOP/lib/version.h")
for prog in "$SKD" "$SKM"; do
	[ -x "$prog" ] || continue
	n=$(basename "$prog")
	for o in -h --help; do
		R=$("$prog" "$o" 2>/dev/null)
		expect_match "$n $o: usage on stdout, exit 0" "$R:$?" \
		    "^usage: $n "
		expect_match "$n $o: names --version" "$R" "-V, --version"
	done
	for o in -V --version; do
		R=$("$prog" "$o" 2>/dev/null)
		expect_match "$n $o: \"$n $VER\" first, exit 0" \
		    "$(printf '%s\n' "$R" | head -n 1):$?" "^$n $VER:0$"
		expect_match "$n $o: the OpenSSL version" "$R" "^OpenSSL [0-9]"
	done
	R=$("$prog" --no-such-option 2>&1 >/dev/null)
	expect_match "$n --no-such-option: usage on stderr, exit 64" \
	    "$R:$?" "usage: $n .*:64$"
done

# conf NAME [LINES...]: $D/NAME.conf, sockets and pid file in $D/NAME/
# (not made here), SocketGroup root unless LINES set one.
conf() {
	_n=$1
	shift
	{
		echo "Socket unix:$D/$_n/line.sock"
		echo "PolicySocket unix:$D/$_n/policy.sock"
		case "$*" in *SocketGroup*) ;; *) echo "SocketGroup root" ;; esac
		case "$*" in *TrustAnchorFile*) ;;
		*) echo "TrustAnchorFile $SK_BED_ANCHOR" ;; esac
		echo "UnboundConfig $SK_BED_UBCONF"
		echo "PidFile $D/$_n/skd.pid"
		echo "DNSTimeout 2s"
		for _l in "$@"; do echo "$_l"; done
	} >"$D/$_n.conf"
}

listing() {	# DIR: its entries, or "(none)" when it does not exist
	if [ -e "$1" ]; then ls -A "$1" | tr '\n' ' '; else echo "(none)"; fi
}

# same WHAT DIR RC PATTERN PROG CONF [OPTION]: PROG -n -x CONF and
# PROG -x CONF OPTION (a start): the same output, matching PATTERN, both
# exit RC, DIR as it was before.
same() {
	_w=$1 _d=$2 _rc=$3 _p=$4
	_before=$(listing "$_d")
	R1=$("$5" -n -x "$6" 2>&1)
	RC1=$?
	R2=$(bed exec timeout 20 "$5" -x "$6" ${7:-} 2>&1)
	RC2=$?
	expect_match "$_w: -n names it" "$R1" "$_p"
	expect_eq "$_w: -n exits $_rc" "$RC1" "$_rc"
	expect_eq "$_w: a start says the same" "$R2" "$R1"
	expect_eq "$_w: a start exits $_rc" "$RC2" "$_rc"
	expect_eq "$_w: nothing left behind" "$(listing "$_d")" "$_before"
}

# skd WHAT NAME PATTERN [LINES...]: same, for senderkeyd -f
skd() {
	_w=$1 _k=$2 _pat=$3
	shift 3
	conf "$_k" "$@"
	same "$_w" "$D/$_k" 1 "$_pat" "$SKD" "$D/$_k.conf" -f
}

skd "unknown User" user "user\.conf:[0-9]+: User: unknown user sk-no-such-27$" \
    "User sk-no-such-27"
skd "unknown SocketGroup" group \
    "group\.conf:[0-9]+: SocketGroup: unknown group sk-no-such-27$" \
    "SocketGroup sk-no-such-27"
conf dgroup "SocketGroup x"
sed -i '/^SocketGroup/d' "$D/dgroup.conf"
if getent group senderkey >/dev/null; then
	skip "the default SocketGroup, unknown" "this host has a group senderkey"
else
	same "the default SocketGroup, unknown" "$D/dgroup" 1 \
	    "dgroup\.conf: SocketGroup \(default\): unknown group senderkey$" \
	    "$SKD" "$D/dgroup.conf" -f
fi
skd "a missing TrustAnchorFile" anchor \
    "anchor\.conf:[0-9]+: TrustAnchorFile: $D/none\.key: No such file" \
    "TrustAnchorFile $D/none.key"
printf 'this is not a trust anchor\n' >"$D/junk.key"
skd "a TrustAnchorFile that is no anchor" junk \
    "junk\.conf:[0-9]+: TrustAnchorFile: $D/junk\.key:1: not a trust anchor" \
    "TrustAnchorFile $D/junk.key"
skd "a missing PolicyStore" store \
    "store\.conf:[0-9]+: PolicyStore: $D/none\.db: " \
    "PolicyStore $D/none.db"
skd "a StatsFile in a missing directory" stats \
    "stats\.conf:[0-9]+: StatsFile: $D/nodir/s\.prom: its directory $D/nodir: No such file" \
    "StatsFile $D/nodir/s.prom"
# A journal that cannot be written is turned off at start, not refused
# (specs/store.md 6.1): -n says so as a warning and exits 0.
"$SK_BIN/senderkey" policy -f "$D/j.db" import /dev/null >/dev/null 2>&1
conf journal "PolicyStore $D/j.db" "JournalFile $D/nodir/j.journal"
R=$("$SKD" -n -x "$D/journal.conf" 2>&1)
expect_eq "a JournalFile in a missing directory: -n exits 0" "$?" 0
expect_match "... and warns, naming the line" "$R" \
    "journal\.conf:[0-9]+: warning: JournalFile: $D/nodir/j\.journal: its directory $D/nodir: No such file"
expect_match "... then says ok" "$(printf '%s\n' "$R" | tail -n 1)" \
    "^$D/journal\.conf: ok$"
conf journal2 "PolicyStore $D/j.db" "JournalDays 0" \
    "JournalFile $D/nodir/j.journal"
expect_eq "JournalDays 0: the journal's place is not checked" \
    "$("$SKD" -n -x "$D/journal2.conf" 2>&1)" "$D/journal2.conf: ok"
# LearnOutbound writes user entries into the journal file: without one
# (JournalDays 0, or no PolicyStore) -n warns, naming the line, and is ok.
conf learn0 "PolicyStore $D/j.db" "JournalDays 0" "LearnOutbound yes"
R=$("$SKD" -n -x "$D/learn0.conf" 2>&1)
expect_eq "LearnOutbound with JournalDays 0: -n exits 0" "$?" 0
expect_match "... and warns, naming the line" "$R" \
    "learn0\.conf:[0-9]+: warning: LearnOutbound: nothing will be learned: .*\(JournalDays 0\)"
conf learn1 "LearnOutbound yes"
expect_match "LearnOutbound without a PolicyStore: -n warns" \
    "$("$SKD" -n -x "$D/learn1.conf" 2>&1)" \
    "learn1\.conf:[0-9]+: warning: LearnOutbound: .*\(no PolicyStore\)"
conf learn2 "PolicyStore $D/j.db" "JournalFile $D/j.journal" \
    "LearnOutbound yes"
expect_eq "LearnOutbound with a journal: -n says ok, nothing more" \
    "$("$SKD" -n -x "$D/learn2.conf" 2>&1)" "$D/learn2.conf: ok"
# The mail client's socket (ClientSocket, protocol.md 4).
skd "an unknown ClientSocketGroup" cgroup \
    "cgroup\.conf:[0-9]+: ClientSocketGroup: unknown group sk-no-such-27$" \
    "ClientSocket unix:$D/cgroup/client.sock" \
    "ClientSocketGroup sk-no-such-27"
skd "a ClientSocket on the line socket's path" csame \
    "csame\.conf:[0-9]+: ClientSocket: unix:$D/csame/line\.sock: the same as another socket$" \
    "ClientSocket unix:$D/csame/line.sock" "ClientUser nobody"
skd "a ClientSocket without ClientUser" cnouser \
    "cnouser\.conf:[0-9]+: ClientSocket: needs ClientUser, the user Dovecot's mail processes run as" \
    "ClientSocket unix:$D/cnouser/client.sock"
skd "an unknown ClientUser" cbaduser \
    "cbaduser\.conf:[0-9]+: ClientUser: unknown user sk-no-such-27$" \
    "ClientSocket unix:$D/cbaduser/client.sock" "ClientUser sk-no-such-27"
conf cinet "ClientSocket inet:127.0.0.1:9999"
expect_match "a ClientSocket over TCP is refused" \
    "$("$SKD" -n -x "$D/cinet.conf" 2>&1)" \
    "cinet\.conf:[0-9]+: ClientSocket: expected unix:/absolute/path or none"
conf cnojournal "PolicyStore $D/j.db" \
    "ClientSocket unix:$D/cnojournal/client.sock" "JournalDays 0" \
    "ClientUser nobody"
expect_match "a ClientSocket with JournalDays 0: a warning" \
    "$("$SKD" -n -x "$D/cnojournal.conf" 2>&1)" \
    "cnojournal\.conf:[0-9]+: warning: ClientSocket: MOVE will make no user entries: .*\(JournalDays 0\)"
conf cnostore "ClientSocket unix:$D/cnostore/client.sock" "ClientUser nobody"
expect_match "a ClientSocket without a PolicyStore: a warning" \
    "$("$SKD" -n -x "$D/cnostore.conf" 2>&1)" \
    "cnostore\.conf:[0-9]+: warning: ClientSocket: MOVE will make no user entries: .*\(no PolicyStore\)"
mkdir "$D/file"
: >"$D/file/line.sock"
skd "a socket path taken by a file" file \
    "file\.conf:1: Socket: $D/file/line\.sock exists and is not a socket$"
skd "three errors at once: all reported" three \
    "three\.conf: 3 errors; not started$" "User sk-no-such-27" \
    "PolicyStore $D/none.db" "StatsFile $D/nodir/s.prom"
expect_eq "three errors at once: one line each, then the count" \
    "$(printf '%s\n' "$R1" | grep -c '^senderkeyd: ')" 4

# as a daemon (no -f): the same words from the process that was started
conf daemon "User sk-no-such-27"
same "unknown User, started as a daemon" "$D/daemon" 1 \
    "daemon\.conf:[0-9]+: User: unknown user sk-no-such-27$" \
    "$SKD" "$D/daemon.conf"

# --- refused after the sockets were made ------------------------------
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
bed exec "$PY" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(600)' \
    >"$D/port" 2>&1 &
PIDS="$PIDS $!"
_i=0
while [ ! -s "$D/port" ] && [ $_i -lt 100 ]; do _i=$((_i + 1)); sleep 0.05; done
conf busy "PolicySocket inet:127.0.0.1:$(cat "$D/port")"
sed -i '2d' "$D/busy.conf"	# the unix PolicySocket line
R=$(bed exec timeout 20 "$SKD" -f -x "$D/busy.conf" 2>&1)
expect_match "a PolicySocket port in use: refused, exit 1" "$R:$?" \
    "bind inet:127\.0\.0\.1:[0-9]+: Address already in use:1$"
expect_eq "a PolicySocket port in use: the line socket and its directory gone" \
    "$(listing "$D/busy")" "(none)"

for how in -f daemon; do
	conf "root$how" "TrustAnchorFile /usr/share/dns/root.key"
	if [ "$how" = -f ]; then
		R=$(bed exec timeout 30 "$SKD" -f -x "$D/root$how.conf" 2>&1)
	else
		R=$(bed exec timeout 30 "$SKD" -x "$D/root$how.conf" 2>&1)
	fi
	expect_match "a trust anchor the bed's root fails ($how): refused, exit 1" \
	    "$R:$?" "DNSSEC validation does not work.*:1$"
	expect_eq "... ($how): sockets, pid file and directory gone" \
	    "$(listing "$D/root$how")" "(none)"
done

# the same after the drop to User: the sockets and the pid file go (the
# directory made for them is User's), the directory stays, empty (its
# parent is root's: User may not remove it)
if getent passwd nobody >/dev/null && getent group nogroup >/dev/null; then
	chmod 0711 "$D"
	conf rootuser "TrustAnchorFile /usr/share/dns/root.key" "User nobody"
	sed -i 's/^SocketGroup root/SocketGroup nogroup/' "$D/rootuser.conf"
	R=$(bed exec timeout 30 "$SKD" -f -x "$D/rootuser.conf" 2>&1)
	expect_match "refused after the drop to User: exit 1" "$R:$?" \
	    "DNSSEC validation does not work.*:1$"
	expect_eq "... sockets and pid file gone, the directory left empty" \
	    "$(listing "$D/rootuser")" ""
	chmod 0700 "$D"
else
	skip "refused after the drop to User" "no user nobody / group nogroup"
fi

# --- senderkey-milter -------------------------------------------------
if [ -x "$SKM" ]; then
	mconf() {	# NAME LINES...: $D/NAME.conf, MilterSocket in $D/NAME/
		_n=$1
		shift
		mkdir -p "$D/$_n"
		{
			echo "Socket unix:$D/skd.sock"
			echo "MilterSocket unix:$D/$_n/milter.sock"
			echo "AuthservID mx.example.net"
			for _l in "$@"; do echo "$_l"; done
			case "$*" in *SocketGroup*) ;;
			*) echo "SocketGroup root" ;; esac
		} >"$D/$_n.conf"
	}
	mil() {	# WHAT NAME PATTERN LINES...
		_w=$1 _k=$2 _pat=$3
		shift 3
		mconf "$_k" "$@"
		same "milter: $_w" "$D/$_k" 78 "$_pat" "$SKM" "$D/$_k.conf"
	}
	mil "unknown MilterUser" muser \
	    "muser\.conf:4: MilterUser: unknown user sk-no-such-27$" \
	    "MilterUser sk-no-such-27"
	mil "unknown SocketGroup (the socket's group)" mgroup \
	    "mgroup\.conf:4: SocketGroup: unknown group sk-no-such-27$" \
	    "SocketGroup sk-no-such-27"
	printf 'junk\n' >"$D/keytable"
	mil "a KeyTable that does not parse" mkt \
	    "mkt\.conf:4: KeyTable: $D/keytable:1: " "KeyTable $D/keytable"
	mil "MilterMode sign without a KeyTable" msign \
	    "msign\.conf:4: MilterMode: sign needs a KeyTable$" "MilterMode sign"
	# LearnOutbound: senderkeyd takes LEARN from uid 0 or its own only
	mconf mlearn "LearnOutbound yes" "MilterUser nobody"
	R=$("$SKM" -n -x "$D/mlearn.conf" 2>&1)
	expect_eq "milter as nobody, senderkeyd as root, LearnOutbound: -n exits 0" \
	    "$?" 0
	expect_match "... and warns that LEARN will be refused" "$R" \
	    "mlearn\.conf:4: warning: LearnOutbound: senderkeyd refuses LEARN from the milter's user \(uid [0-9]+\)"
	mconf mlearn2 "LearnOutbound yes" "MilterUser nobody" "User nobody"
	expect_eq "milter and senderkeyd as the same user: no warning" \
	    "$("$SKM" -n -x "$D/mlearn2.conf" 2>&1)" "$D/mlearn2.conf: ok, 0 KeyTable entries"
	mconf mlearn3 "LearnOutbound yes" "MilterUser nobody" \
	    "MilterMode verify"
	expect_eq "MilterMode verify sends no LEARN: no warning" \
	    "$("$SKM" -n -x "$D/mlearn3.conf" 2>&1)" "$D/mlearn3.conf: ok, 0 KeyTable entries"
	mconf mdir
	sed -i "s|$D/mdir/milter.sock|$D/mdir/no/milter.sock|" "$D/mdir.conf"
	same "milter: a missing MilterSocket directory" "$D/mdir" 78 \
	    "mdir\.conf:2: MilterSocket: $D/mdir/no/milter\.sock: its directory $D/mdir/no: No such file" \
	    "$SKM" "$D/mdir.conf"
else
	skip "senderkey-milter" "bin/senderkey-milter not built"
fi

done_testing
