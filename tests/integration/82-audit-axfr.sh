#!/bin/sh
# 82-audit-axfr: senderkey audit takes senders from a zone transfer when
# the primary allows one (Knot from tests/bed/knot, NSEC3, so no walk is
# possible): with AXFR refused, an audit without a manifest finds no
# sender; once Knot gives transfers to anyone (knot open-transfer), the
# audit reports it (WARNING axfr-open, exit 1) and audits every sender the
# transfer listed through validated lookups (INFO ok, secure); a DKIM
# bridge record whose selector is no sender's (no _senderkey record, no
# manifest entry) is an ERROR dkim-orphan (exit 2); --no-axfr does not ask.
. "$SK_TOP/tests/integration/lib.sh"

need_root
knot_up axfr.test

sk="$SK_BIN/senderkey"
cp "$SK_TOP/tests/bed/alice.pub" "$SK_TOP/tests/bed/bob.pub" "$tmp/"
cd "$tmp" || exit 1
printf 'address,key\nalice@axfr.test,alice.pub\nbob@axfr.test,bob.pub\n' >m.csv
bed exec "$sk" publish -d axfr.test -s "$SK_KNOT_ADDR" -k "$SK_KNOT_KEY" \
    --policy all --apply m.csv >pub.out 2>&1
expect_eq "two senders published to Knot" "$?" 0
alice=$("$sk" owner -s alice@axfr.test)
bob=$("$sk" owner -s bob@axfr.test)

audit() {
	bed exec "$sk" audit -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    -d axfr.test --warn-expiry 5d --crit-expiry 1d "$@"
}

out=$(audit)
rc=$?
expect_eq "AXFR refused, NSEC3, no manifest: exit 0" "$rc" 0
expect_match "... and no sender found" "$out" '^SENDERKEY OK - axfr\.test: 0 senders'
expect_no_match() {	# NAME TEXT REGEX
	if printf '%s\n' "$2" | grep -Eq "$3"; then not_ok "$1"; else ok "$1"; fi
}
expect_no_match "AXFR refused: no axfr-open finding" "$out" 'axfr-open'

"$SK_TOP/tests/bed/knot" open-transfer || not_ok "knot open-transfer"
out=$(audit)
rc=$?
expect_eq "AXFR allowed: exit 1 (WARNING)" "$rc" 1
expect_match "an open zone transfer is a WARNING" "$out" \
    '^WARNING axfr-open axfr\.test: name server .*\(127\.0\.0\.5\) gives anyone a zone transfer .*listed 2 sender hashes'
expect_match "the transfer found 2 senders" "$out" '^SENDERKEY WARNING - axfr\.test: 2 senders'
expect_match "alice, found by AXFR, validates (ok, secure)" "$out" \
    "^INFO ok $alice: 1 key\\(s\\), ed25519 256, secure,"
expect_match "bob, found by AXFR, validates (ok, secure)" "$out" \
    "^INFO ok $bob: 1 key\\(s\\), ed25519 256, secure,"

# Bridge records added beside publish's: carol's (no sender: an orphan),
# alice's (hers), dave's revoked one (p= empty: no key a DKIM verifier
# accepts), and mail._domainkey (not a bridge name).
carol=$("$sk" owner -s --dkim carol@axfr.test)
printf 'server %s\nzone axfr.test.\nupdate add %s 3600 TXT "%s"\nupdate add %s 3600 TXT "%s"\nupdate add %s 3600 TXT "v=DKIM1; k=ed25519; p="\nupdate add mail._domainkey.axfr.test. 3600 TXT "%s"\nsend\n' \
    "$SK_KNOT_ADDR" "$carol" "$("$sk" record --dkim bob.pub)" \
    "$("$sk" owner -s --dkim alice@axfr.test)" \
    "$("$sk" record --dkim alice.pub)" \
    "$("$sk" owner -s --dkim dave@axfr.test)" \
    "$("$sk" record --dkim bob.pub)" >nsupd.txt
bed exec knsupdate -y "hmac-sha256:publish-key:$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$SK_KNOT_KEY")" nsupd.txt >/dev/null 2>&1
expect_eq "knsupdate added the DKIM records" "$?" 0
out=$(audit)
rc=$?
expect_eq "a DKIM bridge record of no sender: exit 2" "$rc" 2
expect_match "... ERROR dkim-orphan, named by its DKIM owner name" "$out" \
    "^ERROR dkim-orphan $carol: .*DKIM verifiers still accept"
expect_eq "... only that one (alice's is hers, dave's revoked, mail. not a bridge name)" \
    "$(printf '%s\n' "$out" | grep -c 'dkim-orphan')" 1
expect_match "alice's bridge record holds her key: ok" "$out" \
    "^INFO ok $alice: 1 key\\(s\\), ed25519 256, secure,"
printf 'address,key\nalice@axfr.test,alice.pub\nbob@axfr.test,bob.pub\ncarol@axfr.test,bob.pub\n' >m3.csv
out=$(audit "$tmp/m3.csv")
expect_no_match "carol in the manifest: her bridge record is no orphan" "$out" \
    'dkim-orphan'

out=$(audit --no-axfr)
expect_eq "--no-axfr: exit 0" "$?" 0
expect_no_match "--no-axfr: no transfer asked" "$out" 'axfr-open'
expect_no_match "--no-axfr: no dkim-orphan" "$out" 'dkim-orphan'
done_testing
