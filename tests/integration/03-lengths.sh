#!/bin/sh
# 03-lengths: the size limits of STYLE (tools/lengths): no .c file over
# 800 lines and no function over 120 in lib core resolver zonegen publisher
# cli milter, except what tools/lengths.allow names.  First the checker
# itself, on made-up files in the project's style: it must find a long
# function and a long file, and pass ones at the limits.
. "$(dirname "$0")/lib.sh"

L=$SK_TOP/tools/lengths
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-lengths.XXXXXX") || exit 1
trap 'rm -rf "$tmp" "$_t_out"' EXIT

# func NAME BODYLINES: a function in STYLE's shape whose body holds
# BODYLINES statements (its length is BODYLINES + 2 brace lines).
func() {
	printf 'static int\n%s(int a)\n{\n' "$1"
	i=0
	while [ "$i" -lt "$2" ]; do
		printf '\ta += %d;\n' "$i"
		i=$((i + 1))
	done
	printf '}\n\n'
}
{ func at_limit 118; func over_limit 119; } >"$tmp/f.c"
"$L" -a - "$tmp/f.c" >"$tmp/out" 2>&1
rc=$?
expect_eq "a 121-line function fails the check" "$rc" 1
expect_match "... and is named" "$(cat "$tmp/out")" \
    "^OVER: function $tmp/f.c:over_limit: 121 lines"
expect_eq "a 120-line function passes" \
    "$(grep -c '^OVER.*:at_limit' "$tmp/out")" 0
check "... measured as 120 lines" grep -q "^#  *120 $tmp/f.c:at_limit" \
    "$tmp/out"
printf '%s:over_limit\n' "$tmp/f.c" >"$tmp/allow"
check "an allowlisted function passes" "$L" -a "$tmp/allow" "$tmp/f.c"

{ i=0; while [ "$i" -lt 801 ]; do echo "/* $i */"; i=$((i + 1)); done; } \
    >"$tmp/long.c"
head -n 800 "$tmp/long.c" >"$tmp/limit.c"
"$L" -a - "$tmp/long.c" "$tmp/limit.c" >"$tmp/out" 2>&1
expect_eq "an 801-line file fails the check" "$?" 1
expect_eq "... only that one" "$(grep '^OVER' "$tmp/out")" \
    "OVER: file $tmp/long.c: 801 lines (limit 800)"

# The tree.
"$L" >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /; s/^# #/#/' "$tmp/out"
expect_eq "the tree: nothing over the limits outside tools/lengths.allow" \
    "$rc" 0
[ "$rc" -eq 0 ] || diag "$(grep '^OVER' "$tmp/out")"
done_testing
