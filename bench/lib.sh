# bench/lib.sh: shell functions the bench parts share (sourced, not run).
#
#   goal TEXT CONDITION [DETAIL]
#	prints one goal line of issue 18, ending in "yes" or "no":
#	    goal: TEXT: yes (DETAIL)
#	CONDITION is an awk expression (floats compare as numbers, so
#	"1.21 >= 1.5" works); "yes" when it is true, "no" when it is false,
#	empty or not a valid expression (a figure that could not be taken
#	is never a goal met).  DETAIL, when given, is shown in parentheses.
#   need_root PART
#	exits 1 with a message unless run as root (the DNSSEC test bed).
#   build_tool NAME
#	prints the path of the bench tool NAME (bench/NAME.c; the tree is
#	$TOP when set, else the parent of the script's folder) in BENCH_BIN
#	(default build/bench), building it (cc -O2, CC honoured) when it is
#	missing or older than its source or a header in bench/; exits 1
#	when it cannot be built.
#
# Figures are printed, never asserted: a "no" is for the reader.

goal()
{
	_g_text=$1
	_g_cond=${2:-}
	_g_detail=${3:-}
	_g_ans=no
	if [ -n "$_g_cond" ] &&
	    awk "BEGIN { exit !(($_g_cond) ? 1 : 0) }" </dev/null 2>/dev/null; then
		_g_ans=yes
	fi
	if [ -n "$_g_detail" ]; then
		printf 'goal: %s: %s (%s)\n' "$_g_text" "$_g_ans" "$_g_detail"
	else
		printf 'goal: %s: %s\n' "$_g_text" "$_g_ans"
	fi
}

need_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench/${1:-bench}: the DNSSEC test bed needs root" >&2
		exit 1
	fi
}

build_tool()
{
	_b_top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
	_b_out=${BENCH_BIN:-$_b_top/build/bench}
	_b_src=$_b_top/bench/$1.c
	_b_new=""
	for _b_h in "$_b_src" "$_b_top"/bench/*.h; do
		[ "$_b_h" -nt "$_b_out/$1" ] && _b_new=1
	done
	if [ ! -x "$_b_out/$1" ] || [ -n "$_b_new" ]; then
		mkdir -p "$_b_out" || exit 1
		${CC:-cc} -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -pthread -o "$_b_out/$1" \
		    "$_b_src" >&2 || {
			echo "bench: cannot build $1" >&2
			exit 1
		}
	fi
	echo "$_b_out/$1"
}
