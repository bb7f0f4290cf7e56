#!/bin/sh
# 01-cli: the senderkey front end on its own: owner names, records built
# from key files and read back, errors and exit codes.  Peers: openssl
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
chmod 644 "$tmp/a.key"
got=$("$sk" fingerprint "$tmp/a.key" | awk '{ print $1 }')
expect_eq "fingerprint of a public part needs no private-key mode" "$got" "$want"
done_testing
