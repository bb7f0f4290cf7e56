#!/bin/sh
# 02-keygen: senderkey keygen writes a 0600 PKCS#8 private key and an SPKI
# public key, never replaces a private key without --force, and prints a
# record that check-record accepts and whose key openssl agrees with.
. "$SK_TOP/tests/integration/lib.sh"

sk="$SK_BIN/senderkey"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$_t_out"' EXIT

out=$("$sk" keygen -o "$tmp" Alice@Example.org)
expect_eq "keygen exits 0" "$?" 0
priv="$tmp/alice@example.org.private"
pub="$tmp/alice@example.org.pub"
expect_eq "private key is mode 600" "$(stat -c %a "$priv")" 600
expect_eq "public key is mode 644" "$(stat -c %a "$pub")" 644
check "openssl reads the private key as PKCS#8 ed25519" sh -c \
    "openssl pkey -in '$priv' -noout -text | grep -q 'ED25519 Private-Key'"
check "private key PEM is PKCS#8" grep -q 'BEGIN PRIVATE KEY' "$priv"
check "public key PEM is SPKI" grep -q 'BEGIN PUBLIC KEY' "$pub"
raw=$(openssl pkey -pubin -in "$pub" -outform DER | tail -c 32 | base64 -w0)
line=$(printf '%s\n' "$out" | grep -v '^;')
check "printed record carries the public key" sh -c \
    "printf '%s\n' '$line' | grep -qF 'p=$raw\"'"
owner=$(printf '%s\n' "$line" | awk '{ print $1 }')
expect_eq "printed record has the owner name" "$owner" \
    "$("$sk" owner -s alice@example.org)"
text=$(printf '%s\n' "$line" | sed 's/^[^"]*"//; s/"$//')
check "check-record accepts the printed record" "$sk" check-record "$text"

before=$(sha256sum "$priv")
"$sk" keygen -o "$tmp" alice@example.org >/dev/null 2>"$tmp/err"
expect_eq "keygen refuses to replace a key (exit 73)" "$?" 73
expect_match "and says why" "$(cat "$tmp/err")" "already exists.*--force"
expect_eq "the old private key is untouched" "$(sha256sum "$priv")" "$before"
expect_eq "no temporary files are left" "$(ls -A "$tmp" | grep -vc '^err$')" 2

"$sk" keygen -a rsa3072 --force -o "$tmp" alice@example.org >/dev/null
expect_eq "--force replaces it" "$?" 0
check "the new key is RSA 3072" sh -c \
    "'$sk' fingerprint '$priv' | grep -q 'rsa 3072'"
"$sk" keygen -a dsa -o "$tmp" bob@example.org >/dev/null 2>&1
expect_eq "unknown algorithm is a usage error" "$?" 64
"$sk" keygen -o "$tmp/missing-dir" bob@example.org >/dev/null 2>&1
expect_eq "missing directory exits 73" "$?" 73
"$sk" keygen -o "$tmp" '"a/b"@example.org' >/dev/null 2>&1
expect_eq "an address that cannot be a file name is refused" "$?" 73
done_testing
