#!/bin/sh
# 04-layers: the include rule of ARCHITECTURE.md (tools/layers).  First
# the checker on a made-up tree: each way of breaking the rule must be
# found and named, a tree that keeps it must pass; then our tree.
. "$(dirname "$0")/lib.sh"

L=$SK_TOP/tools/layers
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp" "$_t_out"' EXIT

mkdir -p "$tmp/lib" "$tmp/core" "$tmp/resolver" "$tmp/milter" "$tmp/cli"
: >"$tmp/lib/a.h"
: >"$tmp/core/c.h"
: >"$tmp/resolver/conn.h"
printf '#include <stdio.h>\n#include "a.h"\n' >"$tmp/lib/a.c"
printf '#include "lib/a.h"\n#include "c.h"\n' >"$tmp/core/c.c"
printf '#include "lib/a.h"\n#include "core/c.h"\n#include "conn.h"\n' \
    >"$tmp/resolver/r.c"
"$L" -C "$tmp" >"$tmp/out" 2>&1
expect_eq "a tree that keeps the rule passes" "$?" 0

printf '#include "core/c.h"\n' >"$tmp/lib/up.c"
printf '#include "lib/a.h"\n#include "resolver/conn.h"\n' >"$tmp/milter/m.c"
printf '#include "conn.h"\n' >"$tmp/cli/bare.c"
printf '#include "core/c.h"\n' >"$tmp/core/self.c"
printf '#include "../lib/a.h"\n' >"$tmp/core/dots.c"
printf '#include "tests/x.h"\n' >"$tmp/cli/nolayer.c"
"$L" -C "$tmp" >"$tmp/out" 2>&1
expect_eq "a broken rule fails the check" "$?" 1
out=$(cat "$tmp/out")
expect_match "lib/ including a layer above it is named" "$out" \
    '^lib/up.c:1: includes "core/c.h": lib/ may include only from: nothing'
expect_match "a program including another program's header is named" \
    "$out" '^milter/m.c:2: includes "resolver/conn.h": milter/ may include only from: lib core'
expect_match "a bare include of another folder's header is named" "$out" \
    '^cli/bare.c:1: includes "conn.h": not a header of cli/'
expect_match "a header of its own folder spelt with the folder is named" \
    "$out" '^core/self.c:1: includes "core/c.h": a header of its own folder'
expect_match "\"..\" is named" "$out" '^core/dots.c:1: includes "../lib/a.h"'
expect_match "a folder that is no layer is named" "$out" \
    '^cli/nolayer.c:1: includes "tests/x.h": tests/ is not a layer'
expect_eq "nothing else is named" "$(grep -c . "$tmp/out")" 6

# The tree.
"$L" >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
expect_eq "our tree follows the include rule" "$rc" 0
done_testing
