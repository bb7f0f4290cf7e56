#!/bin/sh
# 41-zonegen-bed: records made by senderkey zonegen (--dkim: DKIM key
# records too), served in the signed test zone example.test, validate as
# secure through libunbound and the bed's unbound-host, and
# GnuPG finds the OpenPGP key through DANE (gpg --locate-keys with
# --auto-key-locate clear,dane inside the bed's namespace).
. "$SK_TOP/tests/integration/lib.sh"

need_root
bed_up

sk="$SK_BIN/senderkey"
tmp=$(mktemp -d)
GNUPGHOME="$tmp/gnupg"
export GNUPGHOME
mkdir -m 700 "$GNUPGHOME"
cleanup() {
	for n in $names; do
		bed del example.test "$n" >/dev/null 2>&1
	done
	gpgconf --kill all >/dev/null 2>&1
	rm -rf "$tmp" "$_t_out"
}
names=""
trap cleanup EXIT

gpg --batch --quiet --passphrase '' --quick-gen-key 'Zed <Zed@example.test>' \
    ed25519 sign never >/dev/null 2>&1
fpr=$(gpg --batch --with-colons --list-keys Zed@example.test |
    awk -F: '/^fpr/ { print $10; exit }')
gpg --batch --export Zed@example.test >"$tmp/zed.gpg"
openssl genpkey -algorithm ed25519 -out "$tmp/yan.key" 2>/dev/null
chmod 600 "$tmp/yan.key"
printf 'address,key\nZed@example.test,%s\nyan@example.test,%s\n' \
    "$tmp/zed.gpg" "$tmp/yan.key" >"$tmp/senders.csv"
"$sk" zonegen -d example.test --dkim -o "$tmp/z.zone" "$tmp/senders.csv"
expect_eq "zonegen exits 0" "$?" 0
grep -v '^;' "$tmp/z.zone" >"$tmp/rrs"
expect_eq "six records (2 TXT, 2 DKIM TXT, 2 OPENPGPKEY)" "$(wc -l <"$tmp/rrs")" 6
names=$(awk '{ sub(/\.example\.test\.$/, "", $1); print $1 }' "$tmp/rrs" | sort -u)
for n in $names; do
	bed del example.test "$n" >/dev/null 2>&1
done
set --
while IFS= read -r rr; do
	set -- "$@" "$rr"
done <"$tmp/rrs"
check "bed add re-signs example.test with the records" bed add example.test "$@"

q() {
	bed exec "$sk" query -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" "$1"
}
out=$(q zed@example.test)
expect_match "zed's key validates as secure" "$out" '^state=secure-key$'
# The published key is the OpenPGP key's EdDSA point (gpg's pkd:1 minus
# its 0x40 prefix).
point=$(gpg --batch --with-colons --with-key-data --list-keys Zed@example.test \
    2>/dev/null | awk -F: '$1 == "pkd" && $2 == 1 { print substr($4, 3); exit }')
p=$(awk -v o="$("$sk" owner -s zed@example.test)" '$1 == o' "$tmp/rrs" |
    sed 's/.*p=//; s/".*//' | base64 -d | od -An -tx1 -v | tr -d ' \n' |
    tr a-f A-F)
expect_eq "zed's TXT record holds the OpenPGP key's point" "$p" "$point"
out=$(q yan@example.test)
expect_match "yan's key validates as secure" "$out" \
    "key=ed25519 256 $("$sk" fingerprint "$tmp/yan.key" | awk '{ print $1 }')"

# --dkim: the DKIM key records resolve secure through the bed's unbound,
# with the key of the _senderkey record.
uh() {
	bed exec unbound-host -C "$SK_BED_UBCONF" -f "$SK_BED_ANCHOR" -v \
	    -t TXT "$1" 2>&1
}
for a in zed@example.test yan@example.test; do
	dn=$("$sk" owner -s --dkim "$a")
	p=$(awk -v o="$("$sk" owner -s "$a")" '$1 == o' "$tmp/rrs" |
	    sed 's/.*p=//; s/".*//')
	out=$(uh "$dn")
	expect_match "$a: DKIM record secure through the bed's unbound" \
	    "$out" 'TXT record .*\(secure\)$'
	expect_eq "$a: the DKIM record holds the _senderkey record's key" \
	    "$(printf '%s' "$out" | sed 's/.*TXT record "//; s/" (secure)$//')" \
	    "v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=$p"
done

# A second keyring, empty, finds zed's key through DANE in the bed.
GNUPGHOME="$tmp/gnupg2"
mkdir -m 700 "$GNUPGHOME"
bed exec env GNUPGHOME="$GNUPGHOME" gpg --batch --auto-key-locate clear,dane \
    --locate-keys Zed@example.test >"$tmp/locate" 2>&1
expect_eq "gpg --locate-keys via DANE succeeds" "$?" 0
check "gpg found the key zonegen published" grep -q "$fpr" "$tmp/locate"
bed exec env GNUPGHOME="$GNUPGHOME" gpgconf --kill all >/dev/null 2>&1
GNUPGHOME="$tmp/gnupg"
done_testing
