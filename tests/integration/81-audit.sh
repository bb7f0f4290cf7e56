#!/bin/sh
# 81-audit: senderkey audit against zones served in the test bed (bed
# serve: zones of our own, so the bed's zones stay untouched): a clean
# NSEC3 zone audits OK (exit 0); an NSEC zone with a missing sender, a key
# that is not the manifest's, an RSA-1024 record and a testing flag gives
# each finding with its severity, the walk's hashes, exit 2; signatures
# expiring sooner than --crit-expiry are CRITICAL; the bed's bogus,
# expired and insecure zones are CRITICAL with the reason, and nothing is
# read from a bogus zone's answers but its past signature expiry (fail
# closed: no denial type, no walk); --json and
# --json-stream parse and carry the schema's required fields; DKIM bridge
# records with the same, another, no and a bogus key (--dkim and not).
. "$SK_TOP/tests/integration/lib.sh"

need_root
bed_up

sk="$SK_BIN/senderkey"
tmp=$(mktemp -d)
served=""
cleanup() {
	for z in $served; do
		bed unserve "$z" >/dev/null 2>&1
	done
	rm -rf "$tmp" "$_t_out"
}
trap cleanup EXIT

alice=$SK_TOP/tests/bed/alice.pub
bob=$SK_TOP/tests/bed/bob.pub
openssl genpkey -algorithm ed25519 -out "$tmp/carol.pem" 2>/dev/null
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 \
    -out "$tmp/dave.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$tmp/other.pem" 2>/dev/null
chmod 600 "$tmp"/*.pem

# mkzone ZONE MODE [SIGNZONE ARGS...] < records: sign and serve ZONE.
mkzone() {
	z=$1
	mode=$2
	shift 2
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$z"
		printf '@ SOA ns.%s. hostmaster.%s. 1 300 60 86400 60\n' "$z" "$z"
		printf '@ NS ns\nns A 127.0.0.4\n'
		cat
	} >"$tmp/$z.zone"
	k=$(cd "$tmp" && ldns-keygen -a ECDSAP256SHA256 -k "$z.") || return 1
	set -- "$@" -f "$tmp/$z.signed" -o "$z."
	[ "$mode" = nsec3 ] && set -- "$@" -n -t 0
	ldns-signzone "$@" "$tmp/$z.zone" "$tmp/$k" || return 1
	# MKZONE_EDIT: a sed script run over the signed zone (made bogus)
	if [ -n "${MKZONE_EDIT:-}" ]; then
		sed -i "$MKZONE_EDIT" "$tmp/$z.signed" || return 1
	fi
	ldns-key2ds -n -2 "$tmp/$k.key" >"$tmp/$z.ds" || return 1
	bed serve "$z" "$tmp/$z.signed" "$tmp/$z.ds" >/dev/null 2>&1 || return 1
	served="$served $z"
}

rec() {	# ADDRESS KEYFILE [record options]: a zone line
	a=$1
	f=$2
	shift 2
	printf '%s TXT "%s"\n' "$("$sk" owner -s "$a")" \
	    "$("$sk" record "$@" "$f")"
}

audit() {
	bed exec "$sk" audit -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" "$@"
}

# 1. A clean NSEC3 zone: every sender published and secure.
{
	rec alice@au1.test "$alice"
	rec bob@au1.test "$bob"
} | mkzone au1.test nsec3
expect_eq "au1.test is served" "$?" 0
printf 'address,key\nalice@au1.test,%s\nbob@au1.test,%s\n' "$alice" "$bob" \
    >"$tmp/au1.csv"
out=$(audit -d au1.test "$tmp/au1.csv")
rc=$?
expect_eq "published and secure senders: exit 0 (OK)" "$rc" 0
expect_match "the summary line says OK" "$out" '^SENDERKEY OK - au1\.test: 2 senders'
expect_match "NSEC3 is reported as not walkable" "$out" '^INFO nsec3 au1\.test:'
expect_match "alice is ok" "$out" '^INFO ok alice@au1\.test:'

# 2. An NSEC zone with problems.
rsa=$(openssl pkey -in "$tmp/dave.pem" -pubout -outform DER 2>/dev/null |
    base64 -w0)
{
	rec alice@au2.test "$alice"
	rec bob@au2.test "$tmp/other.pem"
	rec carol@au2.test "$tmp/carol.pem" -t
	printf '%s TXT "v=SK1; k=rsa; p=%s"\n' \
	    "$("$sk" owner -s dave@au2.test)" "$rsa"
} | mkzone au2.test nsec
expect_eq "au2.test is served" "$?" 0
printf 'address,key\nalice@au2.test,%s\nbob@au2.test,%s\ncarol@au2.test,%s\nerin@au2.test,%s\n' \
    "$alice" "$bob" "$tmp/carol.pem" "$bob" >"$tmp/au2.csv"
out=$(audit -d au2.test "$tmp/au2.csv")
rc=$?
expect_eq "an audit with errors exits 2 (CRITICAL)" "$rc" 2
expect_match "a missing sender is an ERROR" "$out" \
    '^ERROR missing erin@au2\.test: .*not published \(NXDOMAIN\)'
expect_match "a key not in the manifest is CRITICAL" "$out" \
    '^CRITICAL key-mismatch bob@au2\.test:'
expect_match "the manifest's key not published is an ERROR" "$out" \
    '^ERROR key-missing bob@au2\.test:'
expect_match "a testing flag is a WARNING" "$out" \
    '^WARNING testing carol@au2\.test:'
dave=$("$sk" owner -s dave@au2.test | cut -c1-56)
expect_match "an RSA-1024 record is an ERROR" "$out" \
    "^ERROR weak-key $dave._senderkey.au2.test.: .*rsa-too-small"
expect_match "the NSEC zone is a WARNING listing the walked hashes" "$out" \
    "^WARNING nsec-walkable au2\.test: .*\(complete\) found 4: .*$dave"
expect_match "the RSA sender found by the walk is audited" "$out" \
    "^NOTICE|weak-key $dave"

# 3. Signatures that expire in two days: CRITICAL under --crit-expiry 3d.
soon=$(date -u -d '+2 days' +%Y%m%d%H%M%S)
rec alice@au3.test "$alice" | mkzone au3.test nsec3 -e "$soon"
expect_eq "au3.test is served" "$?" 0
printf 'address,key\nalice@au3.test,%s\n' "$alice" >"$tmp/au3.csv"
out=$(audit -d au3.test --warn-expiry 14d --crit-expiry 3d "$tmp/au3.csv")
rc=$?
expect_eq "near-expiry signatures: exit 2" "$rc" 2
expect_match "the record's signatures expiring are CRITICAL" "$out" \
    '^CRITICAL rrsig-expiry alice@au3\.test: .*critical: under 72h'
out=$(audit -d au3.test --warn-expiry 14d --crit-expiry 1d "$tmp/au3.csv")
rc=$?
expect_eq "the same with --crit-expiry 1d: exit 1 (WARNING)" "$rc" 1
expect_match "... and a WARNING" "$out" '^WARNING rrsig-expiry alice@au3\.test:'

# 4. The bed's broken zones.
printf 'address,key\nalice@bogus.test,%s\n' "$alice" >"$tmp/bogus.csv"
out=$(audit -d bogus.test "$tmp/bogus.csv")
expect_eq "bogus zone: exit 2" "$?" 2
expect_match "a bogus record is CRITICAL with the reason" "$out" \
    '^CRITICAL bogus alice@bogus\.test: .*signature verification failed'
printf 'address,key\nalice@expired.test,%s\n' "$alice" >"$tmp/expired.csv"
out=$(audit -d expired.test "$tmp/expired.csv")
expect_eq "expired zone: exit 2" "$?" 2
expect_match "an expired zone is CRITICAL with the reason" "$out" \
    '^CRITICAL zone-bogus expired\.test: .*signature expired'
expect_match "its expired signatures are CRITICAL" "$out" \
    '^CRITICAL rrsig-expired expired\.test:'
audit -d expired.test --json >"$tmp/expired.json"
check "a bogus zone: its denial type is unknown and it is not walked (only validated answers count)" \
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["denial"] == "unknown", d["denial"]
assert not any(f["code"] in ("nsec-walkable", "nsec3") for f in d["findings"])
' "$tmp/expired.json"
out=$(audit -d insecure.test)
expect_eq "insecure zone: exit 2" "$?" 2
expect_match "an unsigned zone is CRITICAL" "$out" \
    '^CRITICAL zone-insecure insecure\.test:'

# 5. JSON forms.
audit -d au2.test --json "$tmp/au2.csv" >"$tmp/out.json"
expect_eq "--json exits as the text form" "$?" 2
check "--json is one document with the required fields" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("schema", "domain", "time", "status", "exit", "senders", "denial",
          "counts", "findings"):
    assert k in d, k
assert d["schema"] == "senderkey-audit/1" and d["exit"] == 2
assert d["status"] == "CRITICAL" and d["denial"] == "nsec"
for f in d["findings"]:
    for k in ("severity", "code", "subject", "message"):
        assert k in f, k
    assert f["severity"] in ("CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO")
assert any(f["code"] == "missing" for f in d["findings"])
assert sum(d["counts"].values()) == len(d["findings"])
' "$tmp/out.json"
audit -d au2.test --json-stream "$tmp/au2.csv" >"$tmp/out.jsonl"
check "--json-stream is one object per line, findings then a summary" \
    python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all(l["type"] == "finding" for l in lines[:-1])
assert lines[-1]["type"] == "summary" and lines[-1]["exit"] == 2
for l in lines[:-1]:
    assert l["schema"] == "senderkey-audit/1"
    for k in ("severity", "code", "subject", "message"):
        assert k in l["finding"], k
' "$tmp/out.jsonl"

# 7. The DKIM bridge records (audit.md 3): the same keys are ok; another
# key is CRITICAL with or without --dkim; none is an ERROR with --dkim
# only; a bogus one is CRITICAL.
openssl genpkey -algorithm ed25519 -out "$tmp/erin.pem" 2>/dev/null
chmod 600 "$tmp/erin.pem"
dkrec() {	# ADDRESS KEYFILE: the DKIM key record's zone line
	printf '%s TXT "%s"\n' "$("$sk" owner -s --dkim "$1")" \
	    "$("$sk" record --dkim "$2")"
}
{
	rec alice@au5.test "$alice"
	dkrec alice@au5.test "$alice"
	rec bob@au5.test "$bob"
	dkrec bob@au5.test "$tmp/other.pem"
	rec carol@au5.test "$tmp/carol.pem"
	rec erin@au5.test "$tmp/erin.pem"
	dkrec erin@au5.test "$tmp/erin.pem" | sed 's/v=DKIM1; /v=DKIM1; n=edit-me; /'
} | MKZONE_EDIT='s/n=edit-me;/n=edit-it;/' mkzone au5.test nsec3
expect_eq "au5.test is served" "$?" 0
printf 'address,key\nalice@au5.test,%s\nbob@au5.test,%s\ncarol@au5.test,%s\nerin@au5.test,%s\n' \
    "$alice" "$bob" "$tmp/carol.pem" "$tmp/erin.pem" >"$tmp/au5.csv"
out=$(audit -d au5.test --dkim "$tmp/au5.csv")
expect_eq "--dkim: findings above WARNING exit 2" "$?" 2
expect_match "--dkim: the same key in both records is ok" "$out" \
    '^INFO ok alice@au5\.test: .*DKIM key record secure, the same keys'
expect_match "--dkim: a DKIM key the SK1 record lacks is CRITICAL" "$out" \
    "^CRITICAL dkim-key-differs bob@au5\\.test: $("$sk" owner -s --dkim bob@au5.test): DKIM verifiers accept 1 key"
expect_match "--dkim: no DKIM record is an ERROR" "$out" \
    '^ERROR dkim-missing carol@au5\.test: sk[0-9a-f]*\._domainkey\.au5\.test\.: no DKIM key record'
expect_match "--dkim: a bogus DKIM record is CRITICAL" "$out" \
    '^CRITICAL dkim-insecure erin@au5\.test: .*DNSSEC validation fails'
out=$(audit -d au5.test "$tmp/au5.csv")
expect_eq "without --dkim: still exit 2 (bob, erin)" "$?" 2
expect_match "without --dkim: a DKIM record is still compared" "$out" \
    '^CRITICAL dkim-key-differs bob@au5\.test:'
expect_match "without --dkim: no DKIM record is no finding (carol ok)" \
    "$out" '^INFO ok carol@au5\.test:'

# 6. Usage errors are UNKNOWN (3).
"$sk" audit >/dev/null 2>&1
expect_eq "no -d: exit 3 (UNKNOWN)" "$?" 3
printf 'address,key\nnot an address,x\n' >"$tmp/bad.csv"
"$sk" audit -d au1.test "$tmp/bad.csv" >/dev/null 2>"$tmp/err"
expect_eq "a bad manifest: exit 3" "$?" 3
expect_match "... with FILE:LINE" "$(cat "$tmp/err")" 'bad\.csv:2:'
done_testing
