#!/bin/sh
# 05-package: the Debian packaging's fast checks (tools/fresh-root does the
# slow ones in a debootstrap root): the package version starts with
# SENDERKEY_VERSION, Build-Depends is tools/deps' build list, make install
# DESTDIR= installs exactly the files debian/*.install ship and keeps a
# changed config, the shipped senderkeyd.conf passes senderkeyd -n and
# senderkey-milter -n, and systemd-analyze verify accepts both units.
. "$(dirname "$0")/lib.sh"

T=$SK_TOP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-package.XXXXXX") || exit 1
trap 'rm -rf "$tmp" "$_t_out"' EXIT

# --- versions -------------------------------------------------------------
want=$(sed -n 's/^#define[[:space:]]*SENDERKEY_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
    "$T/lib/version.h")
top=$(sed -n '1p' "$T/debian/changelog")
expect_match "debian/changelog's first entry is source senderkey" "$top" \
    '^senderkey \([^)]+\) '
ver=$(printf '%s\n' "$top" | sed -n 's/^[^ ]* (\([^)]*\)).*/\1/p')
expect_eq "the package's upstream version is SENDERKEY_VERSION" \
    "${ver%-*}" "$want"
expect_match "... with a Debian revision (a non-native package)" "$ver" \
    '^[^-]+-[0-9]+$'

# --- Build-Depends = tools/deps' build list ----------------------------------
# build-essential is implied by Debian policy, debhelper-compat is the
# package's own; every other name must be on both lists.
deps=$(sed -n '/^BUILD_PACKAGES="/,/^"/p' "$T/tools/deps" | tr -d '"' |
    sed 's/^BUILD_PACKAGES=//' | tr ' ' '\n' | grep -v '^build-essential$' |
    grep . | sort | tr '\n' ' ')
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$T/debian/control" |
    sed 's/^Build-Depends://; /^[A-Z]/d' | tr ',' '\n' |
    sed 's/([^)]*)//; s/[[:space:]]//g' | grep . |
    grep -v '^debhelper-compat$' | sort | tr '\n' ' ')
expect_eq "debian/control's Build-Depends is tools/deps' build list" \
    "$bdeps" "${deps:-(empty)}"

# --- make install = what the packages ship --------------------------------
# The directories debian/rules gives make install.
dirs=$(sed -n '/^INSTALL_DIRS =/,/[^\\]$/p' "$T/debian/rules" |
    sed 's/^INSTALL_DIRS =//; s/\\$//' | tr '\n' ' ')
expect_match "debian/rules names the install directories" "$dirs" \
    'PREFIX=/usr .*SYSTEMDUNITDIR=/lib/systemd/system'
mk() {	# make ARGS in the tree with the test's programs
	make -s -C "$T" BIN="$SK_BIN" BUILD="$SK_BUILD" "$@" >"$tmp/make.out" 2>&1
}
d=$tmp/dest
# shellcheck disable=SC2086
check "make install DESTDIR=... with debian/rules' directories" \
    mk install DESTDIR="$d" $dirs
(cd "$d" && find . ! -type d | sed 's|^\./||' | sort) >"$tmp/files"
: >"$tmp/pats"
for p in senderkey senderkeyd; do
	grep -v '^#' "$T/debian/$p.install" | grep . >>"$tmp/pats"
done
unmatched=
while read -r f; do
	n=0
	while read -r pat; do
		# shellcheck disable=SC2254
		case $f in $pat) n=$((n + 1)) ;; esac
	done <"$tmp/pats"
	[ "$n" -eq 1 ] || unmatched="$unmatched $f($n)"
done <"$tmp/files"
expect_eq "each installed file is in exactly one package's .install" \
    "$unmatched" ""
unused=
while read -r pat; do
	hit=0
	while read -r f; do
		# shellcheck disable=SC2254
		case $f in $pat) hit=1; break ;; esac
	done <"$tmp/files"
	[ "$hit" -eq 1 ] || unused="$unused $pat"
done <"$tmp/pats"
[ -s "$tmp/pats" ] || unused="(no .install lines)"
expect_eq "each .install line names an installed file" "$unused" ""
expect_match "the programs, the conffile and both units are among them" \
    "$(tr '\n' ' ' <"$tmp/files")" \
    'etc/senderkey/senderkeyd.conf .*lib/systemd/system/senderkey-milter.service lib/systemd/system/senderkeyd.service .*usr/bin/senderkey .*usr/sbin/senderkey-milter usr/sbin/senderkeyd '
check "the units' ExecStart names SBINDIR's programs" \
    grep -qx 'ExecStart=/usr/sbin/senderkeyd -f' \
    "$d/lib/systemd/system/senderkeyd.service"

# A shipped script (a #! line) is installed executable, the rest 0644
# (lintian: script-not-executable for senderkey-imap-move before).
_modes=$(cd "$d/usr/share/senderkey" && for f in */*; do
	m=$(stat -c %a "$f")
	if [ "$(head -c 2 "$f")" = '#!' ]; then [ "$m" = 755 ] || echo "$f $m"
	else [ "$m" = 644 ] || echo "$f $m"; fi
done)
expect_eq "shared files: scripts 0755, the others 0644" "$_modes" ""
check "... the Dovecot wrapper among the scripts" \
    test -x "$d/usr/share/senderkey/dovecot/senderkey-imap-move"

# An operator's config is never replaced; uninstall keeps it too.
echo "# mine" >>"$d/etc/senderkey/senderkeyd.conf"
# shellcheck disable=SC2086
check "make install again" mk install DESTDIR="$d" $dirs
expect_eq "... keeps a changed senderkeyd.conf" \
    "$(tail -1 "$d/etc/senderkey/senderkeyd.conf")" "# mine"
# shellcheck disable=SC2086
check "make uninstall" mk uninstall DESTDIR="$d" $dirs
expect_eq "... removes every file but the changed config" \
    "$(cd "$d" && find . ! -type d | sort | tr '\n' ' ')" \
    "./etc/senderkey/senderkeyd.conf "
rm -rf "$d"
# shellcheck disable=SC2086
mk install DESTDIR="$d" $dirs && mk uninstall DESTDIR="$d" $dirs
expect_eq "... and the shipped one when unchanged" \
    "$(cd "$d" && find . ! -type d | wc -l)" 0
d2=$tmp/local
check "make install PREFIX=/usr/local" mk install DESTDIR="$d2" PREFIX=/usr/local
check "... puts the units in /usr/local/lib/systemd/system, ExecStart in /usr/local/sbin" \
    grep -qx 'ExecStart=/usr/local/sbin/senderkey-milter' \
    "$d2/usr/local/lib/systemd/system/senderkey-milter.service"
check "... and the config in /etc/senderkey (the programs' path)" \
    test -f "$d2/etc/senderkey/senderkeyd.conf"

# --- the shipped config ----------------------------------------------------
# It names what the package makes: the user and group senderkey, the store
# in /var/lib/senderkey and the sockets in /run/senderkey.  This machine
# need not have them and the tests never touch those paths, so a copy swaps
# exactly these lines (any other difference fails the check below): users
# and group -> nobody/nogroup, socket and store paths -> the temp dir
# (not in comments: the commented ClientSocket stays as shipped).
need_nobody
conf=$T/etc/senderkey/senderkeyd.conf
# The store as the package makes it: root:GROUP 0750 directory, files of
# group GROUP (here nogroup), so that a -n that opens it as User can.
chmod 0711 "$tmp"
mkdir -m 0750 "$tmp/run" && chgrp nogroup "$tmp/run"	# RuntimeDirectory=
mkdir -m 0750 "$tmp/lib" && chgrp nogroup "$tmp/lib"
# the journal's own directory, as the postinst makes it (User's)
mkdir -m 0750 "$tmp/lib/journal" && chown nobody:nogroup "$tmp/lib/journal"
"$SK_BIN/senderkey" policy -f "$tmp/lib/policy.db" import /dev/null \
    >/dev/null 2>&1 && chgrp nogroup "$tmp/lib"/policy.db*
sed -e 's|^User[[:space:]]*senderkey$|User nobody|' \
    -e 's|^MilterUser[[:space:]]*senderkey$|MilterUser nobody|' \
    -e 's|^SocketGroup[[:space:]]*senderkey$|SocketGroup nogroup|' \
    -e "/^#/!s|unix:/run/senderkey/|unix:$tmp/run/|" \
    -e "s|^PolicyStore[[:space:]]*/var/lib/senderkey/|PolicyStore $tmp/lib/|" \
    -e "s|^JournalFile[[:space:]]*/var/lib/senderkey/journal/|JournalFile $tmp/lib/journal/|" \
    "$conf" >"$tmp/swapped.conf"
check "... which User reads through the group, as senderkeyd will" \
    setpriv --reuid nobody --regid nogroup --clear-groups \
    "$SK_BIN/senderkey" policy -f "$tmp/lib/policy.db" show
expect_eq "the copy swaps only User, MilterUser, SocketGroup, 3 sockets, the store, the journal" \
    "$(diff "$conf" "$tmp/swapped.conf" | grep -c '^>')" 8
if [ -r /usr/share/dns/root.key ] && [ -s "$tmp/swapped.conf" ]; then
	out=$("$SK_BIN/senderkeyd" -n -x "$tmp/swapped.conf" 2>&1)
	expect_eq "senderkeyd -n accepts the shipped config" "$out" \
	    "$tmp/swapped.conf: ok"
	out=$("$SK_BIN/senderkey-milter" -n -x "$tmp/swapped.conf" 2>&1)
	expect_match "senderkey-milter -n accepts the shipped config" \
	    "$out" "^$tmp/swapped.conf: ok"
else
	skip "senderkeyd -n accepts the shipped config" "no dns-root-data"
fi
check "the maintainer scripts parse (sh -n)" \
    sh -n "$T/debian/senderkeyd.postinst" "$T/debian/senderkeyd.postrm"

# --- systemd-analyze verify ------------------------------------------------
# verify wants the ExecStart programs and the Documentation= pages where the
# units name them: in a private mount namespace an overlay shows the
# DESTDIR's /usr/sbin over the host's, and MANPATH names its man pages.
verify() {	# UNIT...: systemd-analyze verify, its output in $tmp/verify
	unshare -m sh -c 'mount -t overlay overlay \
	    -o "lowerdir=$0/usr/sbin:/usr/sbin" /usr/sbin &&
	    MANPATH=$0/usr/share/man exec systemd-analyze verify "$@"' \
	    "$d" "$@" >"$tmp/verify" 2>&1
}
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify accepts both units" "no systemd-analyze"
elif [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	skip "systemd-analyze verify accepts both units" "needs root (unshare -m)"
else
	rm -rf "$d"
	# shellcheck disable=SC2086
	mk install DESTDIR="$d" $dirs
	verify "$d/lib/systemd/system/senderkeyd.service" \
	    "$d/lib/systemd/system/senderkey-milter.service"
	expect_eq "systemd-analyze verify accepts both units, no word said" \
	    "$?:$(cat "$tmp/verify")" "0:"
	sed 's|^ExecStart=/usr/sbin/senderkeyd|ExecStart=/usr/sbin/sk-none|' \
	    "$d/lib/systemd/system/senderkeyd.service" >"$tmp/bad.service"
	verify "$tmp/bad.service"
	expect_match "... and refuses one whose program is missing" \
	    "$?:$(cat "$tmp/verify")" '^[1-9].*not executable'
fi
done_testing
