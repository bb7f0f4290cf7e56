#!/bin/sh
# 40-zonegen: senderkey zonegen from CSV, allowed_signers and vCard
# manifests: golden output in three formats, deterministic bytes, every
# record and OPENPGPKEY RDATA checked by peers (nsd-checkzone,
# named-checkzone, ldns-read-zone, and gpg's own export-dane output kept in
# tests/data/pgp/expected.tsv), and errors that leave the old output alone.
. "$SK_TOP/tests/integration/lib.sh"

sk="$SK_BIN/senderkey"
data="$SK_TOP/tests/data/zonegen"
tmp=$(mktemp -d)
trap 'umount "$tmp/full" 2>/dev/null; rm -rf "$tmp" "$_t_out"' EXIT
cp -r "$data/keys" "$tmp/keys"
chmod 600 "$tmp/keys"/*.private
cd "$data" || exit 1
zg() {
	"$sk" zonegen -d example.test --now 2026-06-01 --key-dir "$tmp/keys" \
	    "$@"
}

for f in zone nsupdate json; do
	zg --policy some --format "$f" senders.csv signers contacts.vcf \
	    >"$tmp/out.$f" 2>"$tmp/err.$f"
	expect_eq "$f: exit 0" "$?" 0
	check "$f: output equals the golden file" cmp "$tmp/out.$f" "expected.$f"
done
expect_match "vCard key without a matching user ID: warning, no OPENPGPKEY" \
    "$(cat "$tmp/err.zone")" "contacts.vcf:6: warning: mal@example.test: no OPENPGPKEY"

# --dkim: each key also as a DKIM key record at the sender's DKIM owner
# name (zonegen.md 1), same key, same TTL; nothing at _domainkey without it.
for f in zone json; do
	zg --policy some --dkim --format "$f" senders.csv signers contacts.vcf \
	    >"$tmp/dkim.$f" 2>/dev/null
	expect_eq "--dkim $f: exit 0" "$?" 0
	check "--dkim $f: output equals the golden file" cmp "$tmp/dkim.$f" \
	    "expected-dkim.$f"
done
expect_eq "without --dkim nothing is published under _domainkey" \
    "$(grep -c '_domainkey' expected.zone)" 0
expect_eq "--dkim: one DKIM record per published key record" \
    "$(grep -c '^[^;].*_domainkey\.example\.test\.	3600	IN	TXT	"v=DKIM1; ' expected-dkim.zone)" \
    "$(grep -c '^[^;].*_senderkey\.example\.test\.	3600	IN	TXT	"v=SK1; k=' expected-dkim.zone)"
for a in alice.smith@example.test bob@example.test dave@example.test \
    erin@example.test frank@example.test; do
	sk1=$(awk -v o="$("$sk" owner -s "$a")" '$1 == o' "$tmp/dkim.zone" |
	    sed 's/.*p=//; s/" "//g; s/"$//' | sort)
	dk=$(awk -v o="$("$sk" owner -s --dkim "$a")" '$1 == o' "$tmp/dkim.zone" |
	    sed 's/.*p=//; s/" "//g; s/"$//' | sort)
	expect_eq "--dkim: $a's DKIM p= values are its SK1 p= values" "$dk" "$sk1"
done
expect_match "--dkim: testing key gives t=y:s" \
    "$(grep "^$("$sk" owner -s --dkim dave@example.test)" "$tmp/dkim.zone")" \
    't=y:s; p='
expect_eq "--dkim: an RSA-3072 DKIM record is split into 255-octet strings" \
    "$(grep "^$("$sk" owner -s --dkim bob@example.test)" "$tmp/dkim.zone" |
    grep -o '"[^"]*"' | awk '{ printf "%d ", length($0) - 2 }')" "255 255 96 "
grep -v '^;' "$tmp/dkim.zone" >"$tmp/dkim.rr"
ldns-read-zone -z "$tmp/dkim.rr" | grep -v '^;' >"$tmp/dkim.sorted"
ldns-read-zone "$tmp/dkim.rr" | grep -v '^;' >"$tmp/dkim.read"
check "--dkim: records in ldns's canonical order" cmp "$tmp/dkim.sorted" \
    "$tmp/dkim.read"

# Determinism: manifests in another order, CSV lines shuffled.
{ head -n 1 senders.csv; tail -n +2 senders.csv | sort -r; } >"$tmp/shuffled.csv"
cp signers contacts.vcf "$tmp/"
sed 's|\.\./|'"$data"'/../|' "$tmp/shuffled.csv" >"$tmp/s2.csv"
(cd "$tmp" && "$sk" zonegen -d example.test --now 2026-06-01 \
    --key-dir "$tmp/keys" --policy some contacts.vcf signers s2.csv \
    >"$tmp/again.zone" 2>/dev/null)
check "same senders in another order give the same bytes" \
    cmp "$tmp/again.zone" expected.zone

# What is and is not published.
z=expected.zone
expect_eq "retired key (not_after passed) is absent" \
    "$(grep -c "$("$sk" owner -s grace@example.test)" "$z")" 0
expect_eq "pending key (not_before far ahead) is absent" \
    "$(grep -c "$("$sk" owner -s heidi@example.test)" "$z")" 0
expect_eq "rollover: erin has two key records" \
    "$(grep -c "^$("$sk" owner -s erin@example.test)" "$z")" 2
expect_match "revoked key: p= empty, k= from the key" \
    "$(grep "^$("$sk" owner -s frank@example.test)" "$z")" '"v=SK1; k=rsa; p="$'
expect_match "not_after becomes x=" \
    "$(grep "^$("$sk" owner -s bob@example.test)" "$z")" 'x=1798761600;'
expect_match "testing flag becomes t=y" \
    "$(grep "^$("$sk" owner -s dave@example.test)" "$z")" 't=y;'
expect_match "allowed_signers valid-before becomes x=" \
    "$(grep "^$("$sk" owner -s judy@example.test)" "$z")" 'x=1893456000;'
expect_eq "ASCII capitals: OPENPGPKEY at the canonical and the as-written name" \
    "$(grep -c '	OPENPGPKEY	' "$z")" 4

# OPENPGPKEY RDATA equals what gpg printed with export-dane.
for pair in alice.gpg:alice.smith@example.test bob.gpg:bob@example.test \
    dave.gpg:dave@example.test; do
	file=${pair%%:*} addr=${pair#*:}
	want=$(awk -F'\t' -v f="$file" -v a="$addr" \
	    '$1 == f && $2 == a { print $3 }' ../pgp/expected.tsv)
	hash=$("$sk" owner -s "$addr" | cut -d. -f1)
	got=$(awk -v h="$hash._openpgpkey.example.test." '$1 == h { print $5 }' "$z" |
	    base64 -d | od -An -tx1 -v | tr -d ' \n')
	expect_eq "OPENPGPKEY of $addr equals gpg export-dane" "$got" "$want"
done

# Peers on a whole zone.
zg --soa ns1.example.net.,hostmaster.example.test.,2026060101 \
    --ns ns1.example.net. senders.csv signers >"$tmp/full.zone" 2>/dev/null
check "nsd-checkzone accepts the zone" nsd-checkzone example.test "$tmp/full.zone"
check "named-checkzone accepts the zone" named-checkzone -q example.test "$tmp/full.zone"
check "ldns-read-zone accepts the zone" ldns-read-zone "$tmp/full.zone"

# Errors: all reported with FILE:LINE, nothing written.
printf 'old contents\n' >"$tmp/keep.zone"
cat >"$tmp/bad.csv" <<'CSV'
address,key
al ice@example.test,generate
bob@example.org,generate
carol@example.test,missing.pem
dave@example.test,RSA1024
CSV
sed -i "s|RSA1024|$SK_TOP/tests/data/key/rsa1024.spki.pem|" "$tmp/bad.csv"
zg -o "$tmp/keep.zone" "$tmp/bad.csv" 2>"$tmp/err"
expect_eq "bad manifest exits 1" "$?" 1
expect_match "bad address: file:line and why" "$(cat "$tmp/err")" \
    "bad.csv:2: .*al ice@example.test"
expect_match "foreign domain: file:line" "$(cat "$tmp/err")" \
    "bad.csv:3: .*example.org"
check "output file untouched after errors" grep -qx 'old contents' "$tmp/keep.zone"
cat >"$tmp/bad2.csv" <<CSV
address,key
carol@example.test,missing.pem
dave@example.test,$SK_TOP/tests/data/key/rsa1024.spki.pem
erin@example.test,$SK_TOP/tests/data/key/ed25519.pub
CSV
zg -o "$tmp/keep.zone" "$tmp/bad2.csv" 2>"$tmp/err"
expect_eq "bad keys exit 1" "$?" 1
expect_match "missing key file: file:line and path" "$(cat "$tmp/err")" \
    "bad2.csv:2: .*missing.pem"
expect_match "weak RSA key: file:line and why" "$(cat "$tmp/err")" \
    "bad2.csv:3: .*2048"
check "output file still untouched" grep -qx 'old contents' "$tmp/keep.zone"
zg --format xml senders.csv >/dev/null 2>&1
expect_eq "unknown format is a usage error" "$?" 64
"$sk" zonegen senders.csv >/dev/null 2>&1
expect_eq "missing -d is a usage error" "$?" 64
zg "$tmp/nonexistent.csv" >/dev/null 2>&1
expect_eq "unreadable manifest exits 66" "$?" 66

# -o writes the same bytes atomically.
zg --policy some -o "$tmp/keep.zone" senders.csv signers contacts.vcf 2>/dev/null
check "-o writes the golden bytes" cmp "$tmp/keep.zone" expected.zone
expect_eq "-o leaves no temporary file" "$(ls "$tmp" | grep -c 'keep.zone.')" 0

# --sign: DNSSEC-signed with our signer (Ed25519 KSK + ZSK, NSEC3), checked
# by ldns-verify-zone and nsd-checkzone; the same bytes twice.
cp "$SK_TOP"/tests/data/sign/Kexample.test.+015+* "$tmp/keys/"
zs() {
	zg --soa ns1.example.net.,hostmaster.example.test.,7 --ns ns1.example.net. \
	    --sign "$tmp/keys/Kexample.test.+015+04932" \
	    --sign "$tmp/keys/Kexample.test.+015+28481" \
	    --inception 2026-06-01 --expiration 2026-07-01 --no-progress "$@" \
	    senders.csv signers
}
zs -o "$tmp/signed.zone" --ds "$tmp/ds" 2>/dev/null
expect_eq "--sign exits 0" "$?" 0
check "ldns-verify-zone verifies the signed zone" \
    ldns-verify-zone -t 20260615000000 "$tmp/signed.zone"
check "nsd-checkzone accepts the signed zone" \
    nsd-checkzone example.test "$tmp/signed.zone"
check "NSEC3 by default (NSEC3PARAM present)" grep -q 'NSEC3PARAM' "$tmp/signed.zone"
expect_eq "flags 0 on every NSEC3 record (never opt-out, zonegen.md)" \
    "$(awk '$4 == "NSEC3" { print $6 }' "$tmp/signed.zone" | sort -u)" 0
expect_match "DS for the KSK written to --ds" "$(cat "$tmp/ds")" \
    '^example\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]+4932 15 2 '
zs --dkim -o "$tmp/signed-dkim.zone" --ds "$tmp/ds-dkim" 2>/dev/null
check "--sign --dkim: ldns-verify-zone verifies the zone" \
    ldns-verify-zone -t 20260615000000 "$tmp/signed-dkim.zone"
expect_eq "--sign --dkim: an RRSIG over each DKIM name's TXT" \
    "$(awk '$1 ~ /^sk[0-9a-f]+\._domainkey\./ && $4 == "RRSIG" && $5 == "TXT"' \
    "$tmp/signed-dkim.zone" | wc -l)" \
    "$(awk '$1 ~ /^sk[0-9a-f]+\._domainkey\./ && $4 == "TXT" { print $1 }' \
    "$tmp/signed-dkim.zone" | sort -u | wc -l)"
expect_eq "--sign --dkim: the DKIM records as many as the key records" \
    "$(awk '$1 ~ /_domainkey\.example\.test\.$/ && $4 == "TXT"' \
    "$tmp/signed-dkim.zone" | wc -l)" \
    "$(awk '$1 ~ /^[0-9a-f]+\._senderkey\.example\.test\.$/ && $4 == "TXT"' \
    "$tmp/signed-dkim.zone" | wc -l)"
zs -o "$tmp/signed2.zone" --ds "$tmp/ds2" -j 1 2>/dev/null
check "Ed25519-signed output is the same bytes (2 threads vs 1)" \
    cmp "$tmp/signed.zone" "$tmp/signed2.zone"
zs --nsec -o "$tmp/nsec.zone" --ds "$tmp/ds3" 2>/dev/null
check "--nsec: NSEC chain, verified" sh -c \
    "grep -q '	NSEC	' '$tmp/nsec.zone' && ldns-verify-zone -t 20260615000000 '$tmp/nsec.zone'"
# --ds is written like -o (lib/afile): a symlink planted at FILE is
# replaced, its target never written; a run that fails after the DS file
# was opened leaves the old file (or none) and no temporary file.
printf 'victim\n' >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/ds-link"
zs -o "$tmp/signed4.zone" --ds "$tmp/ds-link" 2>/dev/null
expect_eq "--ds at a symlink: exit 0" "$?" 0
check "--ds at a symlink: the link's target is untouched" \
    grep -qx victim "$tmp/victim"
check "--ds at a symlink: the link is replaced by the DS file" sh -c \
    "[ ! -L '$tmp/ds-link' ] && cmp -s '$tmp/ds-link' '$tmp/ds'"
printf 'victim\n' >"$tmp/victim2"
ln -s "$tmp/victim2" "$tmp/out-link"
zs -o "$tmp/out-link" 2>/dev/null
check "-o at a symlink: the same (target untouched, link replaced)" sh -c \
    "grep -qx victim '$tmp/victim2' && [ ! -L '$tmp/out-link' ]"
printf 'old DS\n' >"$tmp/ds-keep"
zs --inception 2026-07-01 --expiration 2026-06-01 -o "$tmp/signed5.zone" \
    --ds "$tmp/ds-keep" 2>"$tmp/err"
expect_eq "--ds, signing fails: exit 65" "$?" 65
check "--ds, signing fails: the old DS file is as it was" \
    grep -qx 'old DS' "$tmp/ds-keep"
zs --inception 2026-07-01 --expiration 2026-06-01 --ds "$tmp/ds-new" \
    >/dev/null 2>&1
check "--ds, signing fails: no DS file made" test ! -e "$tmp/ds-new"
expect_eq "--ds leaves no temporary file" \
    "$(ls "$tmp" | grep -c -e '^ds-keep\.' -e '^ds-new\.' -e '^ds-link\.')" 0
if [ "$(id -u)" = 0 ] && mkdir "$tmp/full" &&
    mount -t tmpfs -o size=64k tmpfs "$tmp/full" 2>/dev/null; then
	dd if=/dev/zero of="$tmp/full/fill" bs=4k >/dev/null 2>&1
	zs -o "$tmp/signed6.zone" --ds "$tmp/full/ds" 2>"$tmp/err"
	expect_eq "--ds on a full file system: exit 74" "$?" 74
	expect_match "--ds on a full file system: says so" "$(cat "$tmp/err")" \
	    "$tmp/full/ds: cannot write"
	expect_eq "--ds on a full file system: no half-written file" \
	    "$(ls "$tmp/full")" fill
	umount "$tmp/full"
else
	skip "--ds on a full file system" "needs root (tmpfs)"
fi
zg --sign "$tmp/keys/Kexample.test.+015+04932" senders.csv >/dev/null 2>&1
expect_eq "--sign without --soa is a usage error" "$?" 64
zs --sign "$tmp/keys/Kmissing" -o "$tmp/keep.zone" 2>"$tmp/err"
expect_eq "missing signing key exits 65" "$?" 65
check "output file untouched when signing fails" cmp "$tmp/keep.zone" expected.zone

# generate: a new key is made once and reused.
mkdir "$tmp/newkeys"
printf 'address,key\nnew@example.test,generate\n' >"$tmp/gen.csv"
"$sk" zonegen -d example.test --key-dir "$tmp/newkeys" "$tmp/gen.csv" \
    >"$tmp/g1" 2>/dev/null
"$sk" zonegen -d example.test --key-dir "$tmp/newkeys" "$tmp/gen.csv" \
    >"$tmp/g2" 2>/dev/null
check "generate makes a 0600 key" test "$(stat -c %a "$tmp/newkeys/new@example.test.private")" = 600
check "a second run reuses it (same output)" cmp "$tmp/g1" "$tmp/g2"
# The fast path (zonegen/zg_fast.c: one CSV of inline ssh-ed25519 keys)
# writes the general path's bytes, and everything it does not take gives
# the general path's output, messages and exit code
# (SENDERKEY_ZONEGEN_NOFAST=1: the general path alone).
both() {
	name=$1
	shift
	"$sk" zonegen "$@" >"$tmp/fast.out" 2>"$tmp/fast.err"
	frc=$?
	SENDERKEY_ZONEGEN_NOFAST=1 "$sk" zonegen "$@" >"$tmp/gen.out" \
	    2>"$tmp/gen.err"
	grc=$?
	check "fast path, $name: same output" cmp "$tmp/fast.out" "$tmp/gen.out"
	check "fast path, $name: same messages" cmp "$tmp/fast.err" "$tmp/gen.err"
	expect_eq "fast path, $name: same exit code" "$frc" "$grc"
}
"$SK_TOP/bench/mkzone" -d example.test --csv "$tmp/m.csv" 3000 >/dev/null
apex="--soa ns1.bench.invalid.,hostmaster.example.test.,1 --ns ns1.bench.invalid."
# shellcheck disable=SC2086
both "3000 senders, whole zone" -d example.test --policy all $apex "$tmp/m.csv"
both "no apex, --ttl 300" -d Example.Test. --ttl 300 "$tmp/m.csv"
# shellcheck disable=SC2086
both "--dkim, 3000 senders, whole zone" -d example.test --dkim --policy all \
    $apex "$tmp/m.csv"
expect_eq "fast path, --dkim: a DKIM record per sender" \
    "$(grep -c '_domainkey.example.test.	3600	IN	TXT	"v=DKIM1; ' "$tmp/fast.out")" 3000
both "--dkim, golden expected-inline-dkim.zone" -d example.test --policy all \
    --soa ns1.example.test.,hostmaster.example.test.,1 --ns ns1.example.test. \
    --skip-foreign --dkim inline.csv
check "fast path, --dkim: output equals the golden file" cmp "$tmp/fast.out" \
    expected-inline-dkim.zone
{ printf '\357\273\277key,address,flags\n'; tail -n +2 "$tmp/m.csv" |
    awk -F, '{ printf "%s,%s,\n", $2, toupper(substr($1, 1, 1)) substr($1, 2) }'
    printf 'x@Other.Test,%s,\n' "$(sed -n 2p "$tmp/m.csv" | cut -d, -f2)"; } \
    >"$tmp/m2.csv"
both "BOM, other columns, capitals, --skip-foreign" -d example.test \
    --skip-foreign --policy some "$tmp/m2.csv"
both "a foreign row without --skip-foreign" -d example.test "$tmp/m2.csv"
"$sk" zonegen -d example.test --policy all "$tmp/m.csv" >"$tmp/f1" 2>/dev/null
check "fast path output checked by ldns-read-zone" ldns-read-zone "$tmp/f1"
k1=$(sed -n 2p "$tmp/m.csv" | cut -d, -f2)
k2=$(sed -n 3p "$tmp/m.csv" | cut -d, -f2)
n=0
while IFS='|' read -r what text; do
	n=$((n + 1))
	printf '%b' "$text" | sed "s|K1|$k1|g; s|K2|$k2|g" >"$tmp/gu$n.csv"
	both "gives up: $what" -d example.test "$tmp/gu$n.csv"
done <<'CASES'
duplicate|address,key\na@example.test,K1\na@example.test,K1\n
conflict|address,key\na@example.test,K1\nA@example.test,K1\n
second key|address,key\na@example.test,K1\na@example.test,K2\n
date|address,key,not_after\na@example.test,K1,2020-01-01\n
flag|address,key,flags\na@example.test,K1,revoked\n
quoted|address,key\n"a@example.test",K1\n
CRLF|address,key\r\na@example.test,K1\r\n
bad address|address,key\na..b@example.test,K1\nc@example.test,K2\n
non-ASCII|address,key\n\303\251@example.test,K1\n
key file|address,key\na@example.test,missing.pub\n
broken key|address,key\na@example.test,ssh-ed25519 AAAA\n
field count|address,key\na@example.test,K1,\n
no header|a@example.test,K1\n
empty|
CASES
for f in senders.csv ../manifest/good.csv ../manifest/minimal.csv \
    ../manifest/err-duplicate.csv ../manifest/err-foreign.csv; do
	both "golden $f" -d example.test --now 2026-06-01 \
	    --key-dir "$tmp/nokeys" "$f"
done
printf 'old contents\n' >"$tmp/keep2.zone"
chmod 444 "$tmp/m.csv"
"$sk" zonegen -d example.test -o "$tmp/keep2.zone" "$tmp/m.csv" 2>/dev/null
SENDERKEY_ZONEGEN_NOFAST=1 "$sk" zonegen -d example.test -o "$tmp/gen2.zone" \
    "$tmp/m.csv" 2>/dev/null
check "fast path -o: the general path's bytes" cmp "$tmp/keep2.zone" "$tmp/gen2.zone"
expect_eq "fast path -o leaves no temporary file" \
    "$(ls "$tmp" | grep -c 'keep2.zone.')" 0
printf 'old contents\n' >"$tmp/keep3.zone"
"$sk" zonegen -d example.test -o "$tmp/keep3.zone" "$tmp/gu1.csv" 2>/dev/null
check "a give-up with errors leaves the old file" grep -qx 'old contents' \
    "$tmp/keep3.zone"
done_testing
