#!/bin/sh
# 02-keygen: senderkey keygen writes a 0600 PKCS#8 private key and an SPKI
# public key, never replaces a private key without --force, and prints a
# record that check-record accepts and whose key openssl agrees with.  A
# missing output directory is made (mode 0700: the README's first example
# in an empty directory); each plausible mistake (missing parent, a file
# as the directory, an open directory, an existing key, a directory where
# the key goes, no permission) gets a message saying the real problem.
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
# The README's first example, as pasted, in an empty directory.
mkdir "$tmp/empty" && cd "$tmp/empty" || exit 1
out=$("$sk" keygen -o keys alice@example.org 2>"$tmp/err")
expect_eq "keygen -o keys in an empty directory exits 0" "$?" 0
expect_eq "... and says nothing on stderr" "$(cat "$tmp/err")" ""
expect_eq "keys is created with mode 700" "$(stat -c %a keys)" 700
expect_eq "... holding the two key files" "$(ls keys | tr '\n' ' ')" \
    "alice@example.org.private alice@example.org.pub "
expect_match "the first line names the key file" \
    "$(printf '%s\n' "$out" | head -n 1)" \
    '^; alice@example\.org: keys/alice@example\.org\.private \(ed25519\)$'
"$sk" keygen -o keys bob@example.org >/dev/null 2>&1
expect_eq "a second key in the same directory" "$?" 0
cd "$tmp" || exit 1

# Every plausible mistake says the real problem.
"$sk" keygen -o "$tmp/no/such" bob@example.org >/dev/null 2>"$tmp/err"
expect_eq "missing parent directory exits 73" "$?" 73
expect_eq "... and names the parent, only the last component is made" \
    "$(cat "$tmp/err")" "senderkey: cannot create the key directory \
$tmp/no/such: its parent directory $tmp/no does not exist (create it first)"
check "... nothing was created" test ! -e "$tmp/no"
: >"$tmp/plain"
"$sk" keygen -o "$tmp/plain" bob@example.org >/dev/null 2>"$tmp/err"
expect_eq "a file as -o DIR exits 73" "$?" 73
expect_match "... said to be no directory" "$(cat "$tmp/err")" \
    "$tmp/plain: not a directory"
mkdir -m 777 "$tmp/open"
"$sk" keygen -o "$tmp/open" bob@example.org >/dev/null 2>"$tmp/err"
expect_eq "a group/other-writable key directory is refused (73)" "$?" 73
expect_match "... naming its mode and the fix" "$(cat "$tmp/err")" \
    "has mode 0777, writable by group or others.*run chmod go-w $tmp/open"
check "... and nothing is written there" test -z "$(ls -A "$tmp/open")"
mkdir -m 1777 "$tmp/sticky"
"$sk" keygen -o "$tmp/sticky" bob@example.org >/dev/null 2>"$tmp/err"
expect_eq "a sticky directory (as /tmp) is fine" "$?" 0
"$sk" keygen -o "$tmp" alice@example.org >/dev/null 2>"$tmp/err"
expect_eq "an existing key without --force exits 73" "$?" 73
expect_eq "... with the one hint that fits" "$(cat "$tmp/err")" \
    "senderkey: $priv: already exists (use --force to replace it)"
mkdir "$tmp/d1"
mkdir "$tmp/d1/carol@example.org.private"
"$sk" keygen --force -o "$tmp/d1" carol@example.org >/dev/null 2>"$tmp/err"
expect_eq "a directory where the key file goes exits 73" "$?" 73
expect_match "... said to be a directory" "$(cat "$tmp/err")" \
    "carol@example.org.private: not a regular file \(it is a directory\)"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$tmp"
	mkdir -m 755 "$tmp/ro"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$sk" keygen \
	    -o "$tmp/ro" bob@example.org >/dev/null 2>"$tmp/err"
	expect_eq "no permission to write: exits 73" "$?" 73
	expect_match "... says so, naming the directory" "$(cat "$tmp/err")" \
	    "no permission to write in the directory $tmp/ro"
else
	skip "no permission to write" "needs root and setpriv"
fi
"$sk" keygen -o "$tmp" '"a/b"@example.org' >/dev/null 2>&1
expect_eq "an address that cannot be a file name is refused" "$?" 73
done_testing
