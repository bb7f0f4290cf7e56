#!/bin/sh
# 00-guard: tests/run's guard over the production paths.  Fake test
# programs in a temp dir are run through tests/run with SK_GUARD_PATHS
# pointing at a temp dir: one that changes nothing passes and the run's
# guard line says the paths are untouched; one that creates a file, one
# that changes a mode and one that removes an entry each fail with a line
# naming the path, and the whole run fails.  (The guard of the real run,
# over /run/senderkey, /etc/senderkey, /var/lib/senderkey and
# /var/spool/postfix/senderkey, is the proof that make check leaves them
# untouched: its line ends every tests/run.)  And the word at the end
# about a test bed left running (a namespace made for the test).
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/sk-00.XXXXXX") || exit 1
cleanup() { rm -rf "$T" "$_t_out"; }
trap cleanup EXIT

mkdir -p "$T/b/tests" "$T/g1/sub" "$T/g2"
echo keep >"$T/g1/sub/kept"
echo gone >"$T/g1/gone"
fake() {	# NAME BODY: an executable fake unit test program
	printf '#!/bin/sh\n%s\necho "ok 1 - %s ran"\n' "$2" "$1" \
	    >"$T/b/tests/$1"
	chmod 755 "$T/b/tests/$1"
}
fake test_clean ":"
guardrun() {	# PATTERN: tests/run on the fakes, guarding $T/g1 $T/g2 $T/g3
	SK_BIN=$T/b SK_BUILD=$T/b SK_BED_NS=${NS:-sk-00-no-such-ns} \
	    SK_GUARD_PATHS="$T/g1 $T/g2 $T/g3" \
	    "$SK_TOP/tests/run" --unit "$1" 2>&1
}

R=$(guardrun test_clean)
RC=$?
expect_eq "a test that changes nothing: tests/run exits 0" "$RC" 0
expect_match "a test that changes nothing: passes" "$R" "^pass test_clean "
expect_match "the run's guard line names the paths, untouched" "$R" \
    "^ok - guard: the run left $T/g1 $T/g2 $T/g3 untouched$"
expect_match "the summary line stays last" "$(printf '%s\n' "$R" | tail -n 1)" \
    "^2 passed, 0 failed$"

fake test_create "echo x >'$T/g2/new.sock'"
fake test_chmod "chmod 0700 '$T/g1/sub'"
fake test_remove "rm -f '$T/g1/gone'"
fake test_mkdir "mkdir '$T/g3'"
for n in create chmod remove mkdir; do
	R=$(guardrun "test_$n")
	RC=$?
	case $n in
	create) p=$T/g2/new.sock ;;
	chmod) p=$T/g1/sub ;;
	remove) p=$T/g1/gone ;;
	mkdir) p=$T/g3 ;;
	esac
	expect_eq "a test that does $n: tests/run exits 1" "$RC" 1
	expect_match "a test that does $n: FAIL, named" "$R" "^FAIL test_$n "
	expect_match "a test that does $n: the line names $p" "$R" \
	    "not ok - test_$n changed $p\$"
	expect_match "a test that does $n: the whole run fails too" "$R" \
	    "^not ok - the run changed $p\$"
	expect_match "a test that does $n: counted in the summary" \
	    "$(printf '%s\n' "$R" | tail -n 1)" "^1 passed, [2-9] failed$"
done
# what changed stays changed: the next clean run is clean again
R=$(guardrun test_clean)
expect_eq "after the changes, a clean test passes again" "$?" 0
case $R in
*"left running"*) not_ok "no bed: no word about one" ;;
*) ok "no bed: no word about one" ;;
esac

# a bed left running (its namespace exists): named, with the command
NS=sk-00-$$
if [ "$(id -u)" = 0 ] && ip netns add "$NS" 2>/dev/null; then
	R=$(SK_BED_DIR=$T/bed guardrun test_clean)
	ip netns del "$NS"
	expect_match "a bed left running: said, with the command that stops it" \
	    "$R" "^the DNSSEC test bed is left running \(namespace $NS\); stop it with: SK_BED_NS=$NS SK_BED_DIR=$T/bed make bed-down$"
	expect_match "... before the summary line, which stays last" \
	    "$(printf '%s\n' "$R" | tail -n 1)" "^2 passed, 0 failed$"
else
	skip "a bed left running: said" "needs root and ip netns"
fi

done_testing
