#!/bin/sh
# 08-quiet: what make check prints besides the tests.  The build: one
# short line per compile ("CC lib/hex.o", into a temp build dir), the full
# command with V=1, nothing when nothing needs building.  tools/deps (a
# copy in a temp tree, with fake dpkg-query, apt-get and
# debconf-set-selections on PATH): silent when nothing is missing; else it
# names the packages and their count, says when apt-get update runs, shows
# apt's own progress (APT::Status-Fd lines, condensed) and the end; apt's
# output only when apt fails, with its status.
. "$(dirname "$0")/lib.sh"

command -v make >/dev/null 2>&1 || skip_all "no make"
T=$(mktemp -d "${TMPDIR:-/tmp}/sk-08.XXXXXX") || exit 1
cleanup() { rm -rf "$T" "$_t_out"; }
trap cleanup EXIT

# --- the build ----------------------------------------------------------
R=$(make -s --no-print-directory -C "$SK_TOP" BUILD="$T/b" "$T/b/lib/hex.o" 2>&1)
expect_eq "a compile prints one short line" "$R" "  CC  lib/hex.o"
# make check runs "make tests" after its build: up to date, it is silent
if ! make -n --no-print-directory -C "$SK_TOP" BUILD="$SK_BUILD" \
    BIN="$SK_BIN" tests 2>&1 | grep -q -- ' -o '; then
	R=$(make --no-print-directory -C "$SK_TOP" BUILD="$SK_BUILD" \
	    BIN="$SK_BIN" tests 2>&1)
	expect_eq "make tests with nothing to build: nothing printed" "$R" ""
else
	skip "make tests with nothing to build" "$SK_BUILD is not up to date"
fi
rm -f "$T/b/lib/hex.o"
R=$(make --no-print-directory -C "$SK_TOP" BUILD="$T/b" V=1 "$T/b/lib/hex.o" 2>&1)
expect_match "V=1: the compiler command" "$R" " -c -o $T/b/lib/hex\.o lib/hex\.c$"

# --- tools/deps ---------------------------------------------------------
mkdir -p "$T/tree/tools" "$T/fake" "$T/tree/build/exim/root/usr/sbin"
cp "$SK_TOP/tools/deps" "$T/tree/tools/deps"
# an Exim root that passes tools/deps' own check: nothing to fetch
printf '#!/bin/sh\n' >"$T/tree/build/exim/root/usr/sbin/exim4"
chmod 755 "$T/tree/build/exim/root/usr/sbin/exim4"
sed -n 's/^EXIM_DEBS="\(.*\)"$/\1/p' "$SK_TOP/tools/deps" \
    >"$T/tree/build/exim/root/.debs"
cat >"$T/fake/dpkg-query" <<'FAKE'
#!/bin/sh
for p; do :; done
case " ${MISSING:-} " in *" $p "*) echo "unknown ok not-installed" ;;
*) echo "install ok installed" ;; esac
FAKE
cat >"$T/fake/apt-get" <<'FAKE'
#!/bin/sh
[ "$1" = update ] && exit 0
echo "apt says this on stdout"
echo "apt says this on stderr" >&2
echo "dlstatus:1:12.5:Retrieving file 1 of 2" >&3
echo "pmstatus:swaks:60:Installing swaks" >&3
exit ${FAKE_RC:-0}
FAKE
printf '#!/bin/sh\ncat >/dev/null\n' >"$T/fake/debconf-set-selections"
chmod 755 "$T/fake/"*
deps() { PATH="$T/fake:$PATH" sh "$T/tree/tools/deps" 2>&1; }

if [ "$(id -u)" != 0 ]; then
	skip "tools/deps" "needs root (it installs only as root)"
	done_testing
fi
R=$(MISSING= deps)
expect_eq "nothing missing: tools/deps says nothing, exit 0" "$R:$?" ":0"
R=$(MISSING="nsd swaks" deps)
RC=$?
expect_eq "two missing: exit 0" "$RC" 0
expect_match "two missing: named, with their count" "$R" \
    "^tools/deps: installing 2 missing Debian packages: nsd swaks$"
expect_match "two missing: apt-get update is said" "$R" \
    "^tools/deps: apt-get update$"
expect_match "two missing: apt's progress, condensed" "$R" \
    "^tools/deps:  12% Retrieving file 1 of 2$"
expect_match "two missing: the end is said" "$R" \
    "^tools/deps: installed 2 packages$"
case $R in
*"apt says"*) not_ok "two missing: apt's own output not shown" ;;
*) ok "two missing: apt's own output not shown" ;;
esac
R=$(MISSING="nsd" FAKE_RC=100 deps)
RC=$?
expect_eq "apt fails: exit 1" "$RC" 1
expect_match "apt fails: its output shown" "$R" "^  apt says this on stderr$"
expect_match "apt fails: its status said" "$R" \
    "^tools/deps: apt-get install failed \(status 100\)$"

done_testing
