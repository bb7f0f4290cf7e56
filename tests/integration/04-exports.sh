#!/bin/sh
# 04-exports: the module rule of STYLE (tools/exports): foo.c exports
# only foo and foo_*.  First the checker on objects compiled here from
# made-up files: a stray export must be found and named, a module that
# keeps the rule (static helpers, foo_ data and functions, a program's
# main) must pass; then every object of our build.
. "$(dirname "$0")/lib.sh"

X=$SK_TOP/tools/exports
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-exports.XXXXXX") || exit 1
trap 'rm -rf "$tmp" "$_t_out"' EXIT
mkdir -p "$tmp/lib" "$tmp/cli" "$tmp/b/lib" "$tmp/b/cli"
cat >"$tmp/lib/foo.c" <<'C'
static int helper(int a) { return a + 1; }
int foo_count = 1;
int foo(int a);
int foo_bar(int a);
int foo(int a) { return helper(a); }
int foo_bar(int a) { return helper(a) + foo_count; }
C
cat >"$tmp/cli/prog.c" <<'C'
int prog_run(void);
int prog_run(void) { return 0; }
int main(void) { return prog_run(); }
C
cc -c -o "$tmp/b/lib/foo.o" "$tmp/lib/foo.c" &&
    cc -c -o "$tmp/b/cli/prog.o" "$tmp/cli/prog.c" ||
    { not_ok "cannot compile the made-up modules"; done_testing; exit 1; }
"$X" -C "$tmp" -b b >"$tmp/out" 2>&1
expect_eq "modules that keep the rule pass" "$?" 0

cat >"$tmp/lib/bar.c" <<'C'
int bar_ok(void);
int barx(void);
int foo_other(void);
int bar_ok(void) { return 0; }
int barx(void) { return 1; }
int foo_other(void) { return 2; }
C
cc -c -o "$tmp/b/lib/bar.o" "$tmp/lib/bar.c" ||
    { not_ok "cannot compile the made-up module"; done_testing; exit 1; }
"$X" -C "$tmp" -b b >"$tmp/out" 2>&1
expect_eq "a stray export fails the check" "$?" 1
expect_eq "... each one is named, nothing else" "$(cat "$tmp/out")" \
"lib/bar.c: barx
lib/bar.c: foo_other"

"$X" -C "$tmp" -b nowhere >"$tmp/out" 2>&1
expect_eq "no objects is an error, not a pass" "$?" 2

# The tree, as built for this run.
"$X" -b "$SK_BUILD" >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
expect_eq "every module of our build exports only its own names" "$rc" 0
done_testing
