#!/bin/sh
# 06-gpg-openpgpkey: lib/pgp reduces a key for one address byte for byte
# as GnuPG does: for fresh Ed25519 and RSA 3072 keys with several user IDs
# (mixed case, a bare address, a certification by a second key, a newer
# self-signature, a revoked user ID), the hex that tests/pgpmin prints
# equals the TYPE61 RDATA of gpg --export-options
# export-minimal,export-dane --export-filter keep-uid='mbox = ADDR'.
# senderkey zonegen's OPENPGPKEY record for such a key equals that output
# and differs from the output without keep-uid, as senderkey(1) says.
. "$SK_TOP/tests/integration/lib.sh"

PGPMIN=${SK_BUILD:-$SK_TOP/build/default}/tests/pgpmin
[ -x "$PGPMIN" ] || skip_all "no $PGPMIN (make tests)"
command -v gpg >/dev/null 2>&1 || skip_all "gpg is not installed"

GNUPGHOME=$(mktemp -d)
export GNUPGHOME LC_ALL=C.UTF-8
trap 'gpgconf --kill all >/dev/null 2>&1; rm -rf "$GNUPGHOME" "$_t_out"' EXIT
G=g
g() { gpg --batch --quiet --pinentry-mode loopback --passphrase '' --yes "$@"; }
fpr() { gpg --with-colons --list-keys "$1" 2>/dev/null |
    awk -F: '/^fpr/ { print $10; exit }'; }

$G --quick-gen-key 'Third Party <third@example.org>' ed25519 default never 2>/dev/null
third=$(fpr third@example.org)
keys=""
for alg in ed25519 rsa3072; do
	enc=cv25519
	[ "$alg" = rsa3072 ] && enc=rsa3072
	$G --quick-gen-key "First <first-$alg@example.test>" "$alg" default never 2>/dev/null
	f=$(fpr "first-$alg@example.test")
	$G --quick-add-key "$f" "$enc" encr never 2>/dev/null
	for u in "Second <Second.$alg@Example.Test>" "bare-$alg@example.test" \
	    "Gone <gone-$alg@example.test>"; do
		$G --quick-add-uid "$f" "$u" 2>/dev/null
	done
	$G -u "$third" --quick-sign-key "$f" "First <first-$alg@example.test>" \
	    >/dev/null 2>&1
	$G --quick-revoke-uid "$f" "Gone <gone-$alg@example.test>" 2>/dev/null
	sleep 1	# a newer self-signature needs a later second
	$G --quick-set-expire "$f" 2y 2>/dev/null
	keys="$keys $f"
done
check "gpg made two keys and a certifier" test "$(echo $keys | wc -w)" = 2
n=$(gpg --with-colons --list-keys 2>/dev/null | grep -c '^uid')
expect_eq "gpg made every user ID" "$n" 9

for f in $keys; do
	gpg --batch --export "$f" >"$GNUPGHOME/key.gpg" 2>/dev/null
	gpg --batch --armor --export "$f" >"$GNUPGHOME/key.asc" 2>/dev/null
	check "pgpmin lists the key $f" "$PGPMIN" -l "$GNUPGHOME/key.gpg"
	got=$("$PGPMIN" -l "$GNUPGHOME/key.gpg" | head -n 1)
	expect_eq "fingerprint of $f" "$got" "$f"
	"$PGPMIN" -l "$GNUPGHOME/key.gpg" | tail -n +2 >"$GNUPGHOME/mboxes"
	while read -r mbox; do
		[ "$mbox" = - ] && continue
		want=$(gpg --batch --export-options export-minimal,export-dane \
		    --export-filter "keep-uid=mbox = $mbox" --export "$f" \
		    2>/dev/null | awk '/TYPE61/ { on = 1; next }
			on && /\)/ { exit } on { gsub(/[ \t]/, ""); printf "%s", $0 }')
		if [ -z "$want" ]; then
			# gpg prints no record for a revoked user ID
			if "$PGPMIN" "$GNUPGHOME/key.gpg" "$mbox" >/dev/null 2>&1
			then not_ok "no record for revoked $mbox, as gpg"
			else ok "no record for revoked $mbox, as gpg"; fi
			continue
		fi
		got=$("$PGPMIN" "$GNUPGHOME/key.gpg" "$mbox" 2>/dev/null)
		expect_eq "reduced key for $mbox equals gpg's export-dane" \
		    "$got" "$want"
		got=$("$PGPMIN" "$GNUPGHOME/key.asc" "$mbox" 2>/dev/null)
		expect_eq "same from the armored key for $mbox" "$got" "$want"
		upper=$(printf '%s' "$mbox" | tr a-z A-Z)
		got=$("$PGPMIN" "$GNUPGHOME/key.gpg" "$upper" 2>/dev/null)
		expect_eq "address match ignores ASCII case ($upper)" "$got" "$want"
	done <"$GNUPGHOME/mboxes"
done

# What senderkey(1) promises: zonegen's OPENPGPKEY record for a key with
# several user IDs equals gpg's export-dane output with keep-uid for the
# address, and differs from it without keep-uid (gpg then keeps them all).
sk=$SK_BIN/senderkey
f=$(fpr first-ed25519@example.test)
gpg --batch --armor --export "$f" >"$GNUPGHOME/first.asc" 2>/dev/null
printf 'address,key\nfirst-ed25519@example.test,%s\n' \
    "$GNUPGHOME/first.asc" >"$GNUPGHOME/m.csv"
"$sk" zonegen -d example.test "$GNUPGHOME/m.csv" >"$GNUPGHOME/zone" 2>&1
expect_eq "zonegen of the two-user-ID key exits 0" "$?" 0
ours=$(awk '$4 == "OPENPGPKEY" { for (i = 5; i <= NF; i++) printf "%s", $i }' \
    "$GNUPGHOME/zone" | base64 -d | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
# dane_hex [FILTER]: the RDATA gpg's export-dane prints, in uppercase hex
dane_hex() {
	gpg --batch --export-options export-minimal,export-dane "$@" \
	    --export "$f" 2>/dev/null | awk '/TYPE61/ { on = 1; next }
		on && /\)/ { exit } on { gsub(/[ \t]/, ""); printf "%s", $0 }' |
	    tr a-f A-F
}
keep=$(dane_hex --export-filter 'keep-uid=mbox = first-ed25519@example.test')
all=$(dane_hex)
check "zonegen wrote an OPENPGPKEY record" test -n "$ours"
check "gpg printed both records" test -n "$keep" -a -n "$all"
expect_eq "OPENPGPKEY equals gpg export-dane with keep-uid" "$ours" "$keep"
check "and differs from gpg export-dane without keep-uid (all user IDs)" \
    test "$ours" != "$all"
check "senderkey(1) gives the gpg command with keep-uid" \
    grep -q "export-dane --export-filter keep-uid='mbox = ADDRESS'" \
    "$SK_TOP/man/senderkey.1"
done_testing
