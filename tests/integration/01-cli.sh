#!/bin/sh
# 01-cli: the senderkey front end on its own: owner names, records built
# from key files and read back, errors and exit codes; --help, --version
# and help COMMAND for every command senderkey --help lists; the private
# key file checks of sign, fingerprint, record and zonegen, case by case.  Peers: openssl
# (fingerprints, key generation) and ldns-read-zone (the zone line).
. "$SK_TOP/tests/integration/lib.sh"

sk="$SK_BIN/senderkey"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$_t_out"' EXIT

# owner
out=$("$sk" owner -s hugh@example.com)
expect_eq "owner -s prints the _senderkey name" "$out" \
    "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6._senderkey.example.com."
"$sk" owner 'al ice@example.test' >/dev/null 2>"$tmp/err"
expect_eq "owner: bad address exits 65" "$?" 65
expect_match "owner: error names the offset and the problem" "$(cat "$tmp/err")" \
    "al ice@example.test: at octet 3: character not allowed"
"$sk" owner >/dev/null 2>&1
expect_eq "owner: no address is a usage error" "$?" 64
out=$("$sk" owner --dkim Alice@example.test | sed -n '/^selector/p; /^dkim/p')
expect_eq "owner --dkim: selector and DKIM owner name of the canonical local part" \
    "$out" "$(printf '%s\n%s' 'selector    sk2bd806c97f0e00af1a1fc3328fa763a9' \
    'dkim        sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey.example.test.')"
expect_eq "owner without --dkim prints no DKIM lines" \
    "$("$sk" owner alice@example.test | grep -c '^selector\|^dkim')" 0
expect_eq "owner -s --dkim prints only the DKIM owner name" \
    "$("$sk" owner -s --dkim alice@example.test)" \
    "sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey.example.test."
"$sk" frobnicate >/dev/null 2>&1
expect_eq "unknown command is a usage error" "$?" 64

# record from an ed25519 key made by openssl
openssl genpkey -algorithm ed25519 -out "$tmp/a.key" 2>/dev/null
chmod 600 "$tmp/a.key"
openssl pkey -in "$tmp/a.key" -pubout -out "$tmp/a.pub" 2>/dev/null
raw=$(openssl pkey -in "$tmp/a.key" -pubout -outform DER | tail -c 32 | base64 -w0)
rec=$("$sk" record "$tmp/a.pub")
expect_eq "record: ed25519 p= is the raw key" "$rec" "v=SK1; k=ed25519; p=$raw"
rec2=$("$sk" record "$tmp/a.key")
expect_eq "record: a private key file gives the same record" "$rec2" "$rec"
out=$("$sk" check-record "$rec")
expect_eq "check-record reads it back" "$out" "$(printf 'algorithm=ed25519\nbits=256')"
rec=$("$sk" record -t -x 2030-01-01 -n 'laptop key' "$tmp/a.pub")
expect_eq "record: optional tags in canonical order" "$rec" \
    "v=SK1; k=ed25519; t=y; x=1893456000; n=laptop key; p=$raw"
# record --dkim: the same key as a DKIM key record (record-format.md 3.3)
rec=$("$sk" record --dkim "$tmp/a.pub" 2>"$tmp/err")
expect_eq "record --dkim: DKIM key record, same p=" "$rec" \
    "v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=$raw"
expect_eq "record --dkim: no warning without -x" "$(cat "$tmp/err")" ""
rec=$("$sk" record --dkim -t -n 'laptop key' "$tmp/a.pub")
expect_eq "record --dkim -t: t=y:s, no n=" "$rec" \
    "v=DKIM1; k=ed25519; h=sha256; s=email; t=y:s; p=$raw"
rec=$("$sk" record --dkim -x 2030-01-01 "$tmp/a.pub" 2>"$tmp/err")
expect_eq "record --dkim -x: no x= in a DKIM record" "$rec" \
    "v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=$raw"
expect_match "record --dkim -x: warns that DKIM verifiers do not see it" \
    "$(cat "$tmp/err")" "warning: a DKIM key record has no expiry"
out=$("$sk" record --dkim -a Alice@example.test -T 600 "$tmp/a.pub")
expect_eq "record --dkim -a: the zone line at the DKIM owner name" "$out" \
    "$(printf 'sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey.example.test.\t600\tIN\tTXT\t"v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=%s"' "$raw")"
"$sk" record -x tomorrow "$tmp/a.pub" >/dev/null 2>&1
expect_eq "record: bad -x is a usage error" "$?" 64
"$sk" record "$tmp/missing.pub" >/dev/null 2>&1
expect_eq "record: missing file exits 66" "$?" 66
printf 'not a key\n' >"$tmp/junk.pub"
"$sk" record "$tmp/junk.pub" >/dev/null 2>&1
expect_eq "record: junk file exits 65" "$?" 65

# RSA: split into 255-octet strings; ldns-read-zone must accept the line
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:4096 \
    -out "$tmp/r.key" 2>/dev/null
"$sk" record -a Bob@Example.test -T 600 "$tmp/r.key" >"$tmp/r.zone"
check "ldns-read-zone accepts the RSA-4096 line" ldns-read-zone "$tmp/r.zone"
nstr=$(grep -o '"[^"]*"' "$tmp/r.zone" | wc -l)
expect_eq "RSA-4096 record is three TXT strings" "$nstr" 3
owner=$(awk '{ print $1 }' "$tmp/r.zone")
expect_eq "zone line owner is the canonical name" "$owner" \
    "$("$sk" owner -s bob@example.test)"
joined=$(grep -o '"[^"]*"' "$tmp/r.zone" | tr -d '"\n')
check "joined strings parse as a 4096-bit rsa key" sh -c \
    "'$sk' check-record '$joined' | grep -qx bits=4096"
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 \
    -out "$tmp/small.key" 2>/dev/null
"$sk" record "$tmp/small.key" >/dev/null 2>"$tmp/err"
expect_eq "record: RSA-1024 refused with 65" "$?" 65
expect_match "record: says why" "$(cat "$tmp/err")" "at least 2048 bits"

# check-record errors
"$sk" check-record 'v=SK1; k=ed25519; k=rsa; p=' 2>"$tmp/err"
expect_eq "check-record: duplicate tag exits 65" "$?" 65
expect_match "check-record: names the error and offset" "$(cat "$tmp/err")" \
    "at octet 19: duplicate-tag"
out=$("$sk" check-record -p 'v=SK1; policy=all')
expect_eq "check-record -p: policy record" "$out" "policy=all"

# fingerprint agrees with openssl
want=$(openssl pkey -in "$tmp/a.pub" -pubin -outform DER | openssl dgst -sha256 -r |
    cut -c1-64 | tr a-f A-F | sed 's/../&:/g; s/:$//')
got=$("$sk" fingerprint "$tmp/a.key" | awk '{ print $1 }')
expect_eq "fingerprint equals openssl's SPKI SHA-256" "$got" "$want"
got=$("$sk" fingerprint "$tmp/a.pub" | awk '{ print $1 }')
expect_eq "fingerprint of the public key file: the same" "$got" "$want"

# --help, --version and help COMMAND for every command in the table that
# senderkey --help lists (a command added later without them fails here)
ver=$(sed -n 's/^#define SENDERKEY_VERSION[ \t]*"\(.*\)"/\1/p' \
    "$SK_TOP/lib/version.h")
"$sk" --help >"$tmp/help" 2>"$tmp/err"
expect_eq "senderkey --help exits 0" "$?" 0
expect_eq "senderkey --help writes nothing to stderr" "$(cat "$tmp/err")" ""
cmds=$(awk '/^commands:/ { on = 1; next } on && NF { print $1 }' "$tmp/help")
n=$(printf '%s\n' "$cmds" | grep -c .)
check "senderkey --help lists the commands ($n)" test "$n" -ge 15
out=$("$sk" --version)
expect_eq "senderkey --version exits 0" "$?" 0
expect_eq "senderkey --version: first line from lib/version.h" \
    "$(printf '%s\n' "$out" | head -n 1)" "senderkey $ver"
expect_match "senderkey --version names the libraries" \
    "$(printf '%s\n' "$out" | tr '\n' ' ')" "OpenSSL .* ldns .* libunbound "
for c in $cmds; do
	out=$("$sk" "$c" --help 2>"$tmp/err")
	rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$tmp/err" ] &&
	    [ "$(printf '%s\n' "$out" | head -n 1 | awk '{ print $1, $2, $3 }')" = \
	    "usage: senderkey $c" ]; then
		ok "$c --help: its usage on stdout, exit 0"
	else
		not_ok "$c --help: its usage on stdout, exit 0 (exit $rc: $out $(cat "$tmp/err"))"
	fi
	expect_eq "help $c prints the same" "$("$sk" help "$c")" "$out"
	expect_eq "$c -x X --help (after other options) too" \
	    "$("$sk" "$c" -x /nonexistent --help 2>&1)" "$out"
	got=$("$sk" "$c" --version 2>&1 | head -n 1)
	expect_eq "$c --version: senderkey $ver" "$got" "senderkey $ver"
done
out=$("$sk" lookup --help)
expect_eq "lookup --help is not taken as an address (exit 0)" "$?" 0
"$sk" help frobnicate >"$tmp/out" 2>"$tmp/err"
expect_eq "help of an unknown command exits 64" "$?" 64
expect_eq "... with nothing on stdout" "$(cat "$tmp/out")" ""
"$sk" keygen >"$tmp/out" 2>"$tmp/err"
expect_eq "a usage error still exits 64" "$?" 64
expect_match "... with the usage on stderr" "$(cat "$tmp/err")" \
    "usage: senderkey keygen"
out=$("$sk" owner -s -- --help@example.org)
expect_eq "owner -- --help@...: a local part with dashes after --" "$out" \
    "$("$sk" owner -s x@example.org | sed "s/^[0-9a-f]*/$(printf '%s' \
    '--help' | sha256sum | cut -c1-56)/")"
"$sk" owner -- --help >"$tmp/out" 2>"$tmp/err"
expect_eq "owner -- --help: --help is an operand after --, exit 65" "$?" 65
expect_match "... refused as an address" "$(cat "$tmp/err")" "^senderkey: --help: "

# The one private-key reader (lib/key.c over lib/secret.c), for every
# command that reads a key file: what is wrong is said first, then the mode.
k="$tmp/k"
mkdir -m 700 "$k"
openssl genpkey -algorithm ed25519 -out "$k/good.key" 2>/dev/null
chmod 600 "$k/good.key"
cp "$k/good.key" "$k/open.key"
chmod 644 "$k/open.key"
openssl pkey -in "$k/good.key" -pubout -out "$k/pub.pem" 2>/dev/null
chmod 644 "$k/pub.pem"
"$sk" record "$k/good.key" >"$k/rec.txt"
chmod 644 "$k/rec.txt"
mkfifo "$k/fifo"
mkdir "$k/dir"
ln -s good.key "$k/link.key"
printf 'hello\n' >"$k/junk"
printf 'From: alice@example.test\r\nTo: bob@example.test\r\nSubject: t\r\n\r\nhi\r\n' \
    >"$tmp/msg"
# run CMD FILE: the command reading FILE, stderr in $tmp/err, exit in $rc
# (timeout: a command that blocks on the FIFO fails instead of hanging)
run() {
	case $1 in
	sign) timeout 60 "$sk" sign -k "$2" <"$tmp/msg" ;;
	fingerprint) timeout 60 "$sk" fingerprint "$2" ;;
	record) timeout 60 "$sk" record "$2" ;;
	zonegen) printf 'address,key\nalice@example.test,%s\n' "$2" >"$tmp/m.csv"
		timeout 60 "$sk" zonegen -d example.test "$tmp/m.csv" ;;
	esac >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
}
for c in sign fingerprint record zonegen; do
	run "$c" "$k/missing"
	expect_match "$c: a missing key file is named" "$(cat "$tmp/err")" \
	    "$k/missing: No such file or directory"
	run "$c" "$k/fifo"
	expect_match "$c: a FIFO is refused without blocking" \
	    "$(cat "$tmp/err")" "fifo: not a regular file \\(a FIFO\\)"
	run "$c" "$k/dir"
	expect_match "$c: a directory is refused" "$(cat "$tmp/err")" \
	    "dir: not a regular file \\(a directory\\)"
	run "$c" "$k/open.key"
	check "$c: a 0644 private key is refused" test "$rc" -ne 0
	expect_match "$c: ... naming the mode and the fix" "$(cat "$tmp/err")" \
	    "open.key: private key file has mode 0644.*run chmod 600 $k/open.key"
	run "$c" "$k/link.key"
	expect_match "$c: a symbolic link to a private key is refused" \
	    "$(cat "$tmp/err")" "link.key: private key file is a symbolic link"
	run "$c" "$k/good.key"
	expect_eq "$c: a 0600 private key is read" "$rc:$(cat "$tmp/err")" "0:"
done
chmod 644 "$k/junk"
for f in pub.pem rec.txt junk; do
	run sign "$k/$f"
	expect_eq "sign: 0644 $f is refused for its content (65)" "$rc" 65
	case $f in
	pub.pem) want="this is a public key where a private key is needed" ;;
	rec.txt) want="this is a sender key record \\(v=SK1\\) where a private key" ;;
	junk) want="not a PEM private key" ;;
	esac
	expect_match "sign: $f: what it is, not its mode" \
	    "$(grep -v chmod "$tmp/err")" "$f: $want"
done
for c in fingerprint record zonegen; do
	run "$c" "$k/pub.pem"
	expect_eq "$c: a public key of mode 0644 is fine" "$rc:$(cat "$tmp/err")" "0:"
done
done_testing
