# tests/integration/lib.sh: shared helpers for the integration scripts
# (POSIX sh; source it with ". "$(dirname "$0")/lib.sh"").
#
# TAP-style lines, counted by tests/run:
#   ok NAME                  "ok N - NAME"
#   not_ok NAME              "not ok N - NAME"
#   skip NAME REASON...      "skip N - NAME # REASON"
#   check NAME CMD...        ok when CMD exits 0 (its output shown on failure)
#   expect_eq NAME GOT WANT  ok when the two strings are equal
#   expect_match NAME TEXT PATTERN   ok when TEXT matches the grep -E PATTERN
#   diag TEXT...             "# TEXT" lines (shown by tests/run on failure)
#   done_testing             summary line; exit status 1 if anything failed
#   fig NAME VALUE           a measured figure: "# figure: NAME=VALUE", and
#                            NAME=VALUE appended to $SK_FIGURES when set
#                            (tools/robustness collects them)
#   kv KEY FILE              the value of KEY= in FILE's key=value words
#   refusal MODE REASON RCPT the text a refused sender reads
#                            (specs/vectors/refusals.tsv, verdicts.md 6.5)
#                            naming RCPT ("" for "this mailbox")
# The DNSSEC test bed:
#   need_root                skip the whole script unless root with netns
#   bed_up                   tests/bed/bed up, then eval its env (SK_BED_*)
#   bed ARGS...              tests/bed/bed ARGS...
#   need_nobody              skip the whole script unless setpriv(1), the
#                            user nobody and the group nogroup exist
# Knot in the bed (tests/bed/knot):
#   knot_up ZONE             skip the whole script unless knotd is there;
#       bed_up; tmp, a new temp dir; at exit Knot is stopped and tmp
#       removed (an EXIT trap); Knot up serving ZONE signed with NSEC3
#       (else not_ok and the script ends), and its env (SK_KNOT_*)
# senderkeyd in the bed:
#   skd_conf NAME DIR [LINES...]   write DIR/NAME.conf (mkdir -p DIR,
#       atomically): Socket unix:DIR/NAME.sock, PolicySocket
#       unix:DIR/NAME.policy, SocketGroup $SKD_GROUP (default root), the
#       bed's TrustAnchorFile and UnboundConfig, PidFile DIR/NAME.pid, LINES
#   skd_start NAME DIR [LINES...]  skd_conf, then $SK_BIN/senderkeyd -f -x
#       DIR/NAME.conf in the bed (output appended to DIR/NAME.log); waits up
#       to 30 s for DIR/NAME.sock and DIR/NAME.pid; sets SKD_PID and
#       PID_NAME, appends the pid to SKD_PIDS (the scripts' cleanup kills
#       these); returns 1 when the socket or pid file did not appear
#   skd_up TEXT NAME DIR [LINES...]  skd_start NAME DIR LINES, then one
#       check TEXT: it came up and runs; if not, its log is shown and the
#       script ends (done_testing)
# Processes a script started:
#   alive PID                PID runs: it exists and is neither a zombie
#       nor dead (this VM reaps slowly); 1 for an empty PID
#   stop_ours PID DIR        SIGTERM to PID if its command line names DIR
#       (so a reused pid is never hit), then wait up to 5 s for it to go
#       (its state in /proc, not kill -0: this VM reaps slowly), SIGKILL
#       after that; 1 when PID was not ours or not running
# Set by tests/run: SK_BIN (programs), SK_BUILD, SK_TOP (the top dir).

SK_TOP=${SK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SK_BIN=${SK_BIN:-$SK_TOP/bin}
SK_BED_CMD=$SK_TOP/tests/bed/bed
export SK_TOP SK_BIN

_t_n=0
_t_failed=0
_t_out=$(mktemp "${TMPDIR:-/tmp}/sk-it.XXXXXX") || exit 1
trap 'rm -f "$_t_out"' EXIT

ok() {
	_t_n=$((_t_n + 1))
	echo "ok $_t_n - $*"
}

not_ok() {
	_t_n=$((_t_n + 1))
	_t_failed=$((_t_failed + 1))
	echo "not ok $_t_n - $*"
}

skip() {
	_t_name=$1
	shift
	_t_n=$((_t_n + 1))
	echo "skip $_t_n - $_t_name # $*"
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

check() {
	_t_name=$1
	shift
	if "$@" >"$_t_out" 2>&1; then
		ok "$_t_name"
	else
		not_ok "$_t_name"
		diag "command: $*"
		sed 's/^/#   /' "$_t_out"
	fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  got:  '$2'"
		diag "  want: '$3'"
	fi
}

expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  got:  '$2'"
		diag "  want: /$3/"
	fi
}

done_testing() {
	echo "# $_t_n checks, $_t_failed failed"
	[ "$_t_failed" -eq 0 ]
	exit $?
}

# skip_all REASON: one skip line for the whole script, exit 0.
skip_all() {
	skip "$(basename "$0" .sh)" "$*"
	exit 0
}

need_root() {
	_t_probe=skprobe$$
	[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
	command -v ip >/dev/null 2>&1 || skip_all "no ip(8)"
	for _t_tool in nsd unbound unbound-control ldns-signzone drill; do
		command -v "$_t_tool" >/dev/null 2>&1 ||
		    [ -x "/usr/sbin/$_t_tool" ] ||
		    skip_all "$_t_tool is not installed"
	done
	if [ ! -e "/var/run/netns/${SK_BED_NS:-skbed}" ]; then
		ip netns add "$_t_probe" >/dev/null 2>&1 ||
		    skip_all "network namespaces unavailable"
		ip netns del "$_t_probe" >/dev/null 2>&1
	fi
}

need_nobody() {
	command -v setpriv >/dev/null 2>&1 || skip_all "no setpriv (util-linux)"
	getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
	    skip_all "no user nobody / group nogroup"
}

bed() {
	"$SK_BED_CMD" "$@"
}

bed_up() {
	if ! "$SK_BED_CMD" up >"$_t_out" 2>&1; then
		not_ok "the test bed comes up"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
	eval "$("$SK_BED_CMD" env)"
}

_knot_down() {
	"$SK_TOP/tests/bed/knot" down >/dev/null 2>&1
	rm -rf "$tmp" "$_t_out"
}

knot_up() {	# ZONE
	command -v knotd >/dev/null 2>&1 || skip_all "knot not installed"
	bed_up
	tmp=$(mktemp -d) || exit 1
	trap _knot_down EXIT
	SK_KNOT_NSEC3=on "$SK_TOP/tests/bed/knot" up "$1" ||
	    { not_ok "knot up"; done_testing; }
	eval "$("$SK_TOP/tests/bed/knot" env)"
}

skd_conf() {
	_k_n=$1
	_k_d=$2
	shift 2
	mkdir -p "$_k_d" || return 1
	{
		echo "Socket unix:$_k_d/$_k_n.sock"
		echo "PolicySocket unix:$_k_d/$_k_n.policy"
		echo "SocketGroup ${SKD_GROUP:-root}"
		echo "TrustAnchorFile $SK_BED_ANCHOR"
		echo "UnboundConfig $SK_BED_UBCONF"
		echo "PidFile $_k_d/$_k_n.pid"
		for _k_l in "$@"; do echo "$_k_l"; done
	} >"$_k_d/$_k_n.conf.new" &&
	    mv "$_k_d/$_k_n.conf.new" "$_k_d/$_k_n.conf"
}

skd_start() {
	skd_conf "$@" || return 1
	rm -f "$_k_d/$_k_n.pid"
	# ready: the socket, the pid file, and one more "started:" line than
	# before (it comes after the journal and user entries are opened, so
	# a test may read their start lines at once)
	_k_c=$(grep -c 'started: version=' "$_k_d/$_k_n.log" 2>/dev/null)
	bed exec "$SK_BIN/senderkeyd" -f -x "$_k_d/$_k_n.conf" \
	    >>"$_k_d/$_k_n.log" 2>&1 &
	_k_i=0
	while [ ! -S "$_k_d/$_k_n.sock" ] || [ ! -s "$_k_d/$_k_n.pid" ] ||
	    [ "$(grep -c 'started: version=' "$_k_d/$_k_n.log" 2>/dev/null)" \
	    -le "${_k_c:-0}" ]; do
		_k_i=$((_k_i + 1))
		[ $_k_i -lt 300 ] || break
		sleep 0.1
	done
	SKD_PID=$(cat "$_k_d/$_k_n.pid" 2>/dev/null)
	SKD_PIDS="$SKD_PIDS $SKD_PID"
	eval "PID_$_k_n=\$SKD_PID"
	[ $_k_i -lt 300 ]
}

skd_up() {
	_u_t=$1
	shift
	if skd_start "$@" && alive "$SKD_PID"; then
		ok "$_u_t"
	else
		not_ok "$_u_t"
		sed 's/^/#   /' "$2/$1.log"
		done_testing
	fi
}

fig() {	# NAME VALUE
	diag "figure: $1=$2"
	[ -n "${SK_FIGURES:-}" ] && echo "$1=$2" >>"$SK_FIGURES"
	return 0
}

kv() {	# KEY FILE
	tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | tail -n 1
}

refusal() {	# MODE REASON RCPT
	_r_t=$(awk -F '\t' -v m="$1" -v r="$2" \
	    '$1 == m && $2 == r { print $3 }' \
	    "$SK_TOP/specs/vectors/refusals.tsv")
	if [ -n "$3" ]; then
		_r_t=${_r_t#<carol@example.net>}
		printf '<%s>%s\n' "$3" "$_r_t"
	else
		printf 'this mailbox%s\n' "${_r_t#<carol@example.net>}"
	fi
}

# wait_log PATTERN FILE [TENTHS]: until FILE has a line matching PATTERN
# (grep -E), for at most TENTHS tenths of a second (default 100); 0 when
# it came, 1 when not.
wait_log() {
	_w_i=0
	until grep -Eq -- "$1" "$2" 2>/dev/null; do
		[ $_w_i -lt "${3:-100}" ] || return 1
		_w_i=$((_w_i + 1))
		sleep 0.1
	done
}

alive() {	# PID
	[ -n "$1" ] || return 1
	_a_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$_a_st" ] && [ "$_a_st" != Z ] && [ "$_a_st" != X ]
}

stop_ours() {	# PID DIR
	[ -n "$1" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null |
	    grep -qF -- "$2" || return 1
	kill -TERM "$1" 2>/dev/null || return 1
	_s_i=0
	while [ $_s_i -lt 100 ]; do
		alive "$1" || return 0
		_s_i=$((_s_i + 1))
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	return 0
}
