#!/bin/sh
# 90-fuzz-replay: every fuzz target's committed corpus (tests/fuzz/corpus/
# TARGET, seeds and the reproducers of fixed findings) replayed through
# the target under this build ($SK_BUILD/fuzz/replay_TARGET, replay.c
# linked without libFuzzer), one ok line per target: a crash, a sanitizer
# report (make asan) or a property the target checks (abort) fails it.
# Also checks that every target has a corpus and every corpus a target.
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
done_testing
