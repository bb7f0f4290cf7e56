#!/bin/sh
# 90-fuzz-replay: every fuzz target's committed corpus (tests/fuzz/corpus/
# TARGET, seeds and the reproducers of fixed findings) replayed through
# the target under this build ($SK_BUILD/fuzz/replay_TARGET, replay.c
# linked without libFuzzer), one ok line per target: a crash, a sanitizer
# report (make asan) or a property the target checks (abort) fails it.
# Also checks that every target has a corpus and every corpus a target,
# that every target has a line in tests/fuzz/targets.tsv (what make
# fuzz-coverage checks it reaches), and that tests/fuzz/table sums a
# small ledger into the table of a copy of a doc as make fuzz does.
. "$(dirname "$0")/lib.sh"

fz=$SK_TOP/tests/fuzz
for src in "$fz"/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	dir=$fz/corpus/$t
	n=$(ls "$dir" 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then
		not_ok "fuzz $t: has a seed corpus in tests/fuzz/corpus/$t"
		continue
	fi
	r=$SK_BUILD/fuzz/replay_$t
	if [ ! -x "$r" ]; then
		skip "fuzz $t: corpus replays" "$r not built (make tests)"
		continue
	fi
	check "fuzz $t: its $n corpus inputs replay without a crash" \
	    "$r" "$dir"
done
for dir in "$fz"/corpus/*; do
	t=$(basename "$dir")
	[ -f "$fz/fuzz_$t.c" ] || not_ok "fuzz corpus $t has a target fuzz_$t.c"
done
missing=
for src in "$fz"/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	grep -q "^$t	" "$fz/targets.tsv" || missing="$missing $t"
done
expect_eq "fuzz: every target has a line in tests/fuzz/targets.tsv" \
    "$missing" ""

# The ledger -> table step of make fuzz, on a copy.
w=$(mktemp -d "${TMPDIR:-/tmp}/sk-fuzztab.XXXXXX") || exit 1
printf '# header\n' >"$w/ledger"
printf '2026-01-01T00:00:00Z\t1\tb\t100\t100\t5\t0\t3\n' >>"$w/ledger"
printf '2026-01-02T00:00:00Z\t2\ta\t40\t80\t5\t0\t4\n' >>"$w/ledger"
printf '2026-01-03T00:00:00Z\t2\tb\t30\t60\t5\t1\t5\n' >>"$w/ledger"
printf '2026-01-04T00:00:00Z\t2\tb\t20\t40\t5\t0\t6\n' >>"$w/ledger"
printf 'before\n<!-- fuzz-table begin -->\nold\n<!-- fuzz-table end -->\nafter\n' \
    >"$w/doc"
if "$fz/table" "$w/ledger" "$w/doc" 2; then
	got=$(grep '^| [a-z]' "$w/doc" | grep -v '^| target' | tr '\n' ' ')
	expect_eq "fuzz table: CPU s this round, all rounds, since the last finding" \
	    "$got" "| a | 40 | 40 | 40 | 4 | 0 | 2026-01-02 | | b | 50 | 150 | 20 | 6 | 0 | 2026-01-04 | | all targets | 90 | 190 | | | | | "
	expect_eq "fuzz table: only the text between the markers changes" \
	    "$(sed -n '1p;$p' "$w/doc" | tr '\n' ' ')" "before after "
else
	not_ok "fuzz table: tests/fuzz/table runs"
fi
rm -rf "$w"
done_testing
