#!/bin/sh
# 80-publish: senderkey publish against a Knot DNS primary (tests/bed/knot)
# with online signing: the plan shows the diff and sends nothing; --apply
# updates Knot over TSIG; a second run has nothing to do; a record Knot
# holds that publish does not manage is never touched; the 30% brake
# refuses without --force; a wrong secret gives the BADSIG hint, a wrong
# key name the BADKEY hint, a clock two hours ahead (faketime) the BADTIME
# hint, and none of them changes anything.  After apply every NS serves
# the data and it validates through the bed's root
# (Knot's zone is delegated from test. with its DS); --wait gives up with
# exit 1 on a server that does not serve the zone.  With AXFR refused, the
# state file still shows a removed sender, which is deleted (after --force:
# 1 of 3 records, each counted once).  A plan file
# applied after a concurrent change (knsupdate) fails on its prerequisites
# and changes nothing.  senderkey audit of the published zone (Knot signs
# it with NSEC3 here) reports every sender secure and exits 0.  --dkim
# adds, replaces and deletes the DKIM key records of the DKIM bridge, and
# only those.
. "$SK_TOP/tests/integration/lib.sh"

need_root
knot_up pub.test

sk="$SK_BIN/senderkey"
cp "$SK_TOP/tests/bed/alice.pem" "$SK_TOP/tests/bed/bob.pem" "$tmp/"
chmod 600 "$tmp/alice.pem" "$tmp/bob.pem"	# private keys: key_load's rule
cd "$tmp" || exit 1
printf 'address,key,not_before,not_after,flags\nalice@pub.test,alice.pem,,,\nbob@pub.test,bob.pem,,,\ncarol@pub.test,generate,,,\ndave@pub.test,generate,,,\n' >all.csv
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\nbob@pub.test,bob.pem,,,\ncarol@pub.test,generate,,,\ndave@pub.test,generate,,,\n' >rotate.csv
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\n' >few.csv

pub() {	# publish with the good key; output in $tmp/out, status in $rc
	bed exec "$sk" publish -d pub.test -s "$SK_KNOT_ADDR" "$@" \
	    >"$tmp/out" 2>&1
	rc=$?
}
axfr() {
	bed exec kdig +noall +answer -y "hmac-sha256:publish-key:$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$SK_KNOT_KEY")" \
	    @"$SK_KNOT_ADDR" pub.test AXFR 2>/dev/null |
	    awk '$4 == "TXT" || $4 == "OPENPGPKEY"' | sort
}
alice=2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db._senderkey.pub.test.

before=$(axfr)
pub -k "$SK_KNOT_KEY" --policy all --detailed-exitcode all.csv
expect_eq "plan: --detailed-exitcode 2 when changes are pending" "$rc" 2
expect_match "plan: shows the records to add" "$(cat "$tmp/out")" \
    '^plan: 5 to add, 0 to delete'
expect_eq "plan: sends nothing" "$(axfr)" "$before"

pub -k "$SK_KNOT_KEY_KNOT" --policy all --apply all.csv
expect_eq "apply (Knot key format): exit 0" "$rc" 0
expect_match "apply: one message accepted" "$(cat "$tmp/out")" \
    '^applied: 1 UPDATE message accepted'
check "apply: Knot serves alice's key" sh -c \
    "$SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $alice TXT | grep -q 'p=8tI4sb6'"
check "apply: Knot signed it (RRSIG)" sh -c \
    "$SK_BED_CMD exec kdig +dnssec +short @$SK_KNOT_ADDR $alice TXT | grep -q '^TXT 13 '"

# Audit what was published (Knot signs for 14 days: thresholds below).
eval "$("$SK_TOP/tests/bed/bed" env)"
bed exec "$sk" audit -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" -d pub.test \
    --warn-expiry 5d --crit-expiry 1d all.csv >"$tmp/audit" 2>&1
expect_eq "audit after apply: every sender secure (exit 0)" "$?" 0
expect_match "audit after apply: OK for the 4 senders" "$(cat "$tmp/audit")" \
    '^SENDERKEY OK - pub\.test: 4 senders'
for who in alice bob carol dave; do
	expect_match "audit after apply: $who is ok (secure)" \
	    "$(cat "$tmp/audit")" "^INFO ok $who@pub\\.test: .*, secure,"
done
expect_match "audit after apply: the zone validates" "$(cat "$tmp/audit")" \
    '^INFO zone-secure pub\.test:'

pub -k "$SK_KNOT_KEY" --policy all --detailed-exitcode all.csv
expect_eq "second run: nothing to do (exit 0)" "$rc" 0
expect_match "second run: empty plan" "$(cat "$tmp/out")" \
    '^plan: 0 to add, 0 to delete, in 0 RRsets; 5 of 5'
check "unmanaged TXT at alice's name kept" sh -c \
    "$SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $alice TXT | grep -q 'unrelated text'"

pub -k "$SK_KNOT_BADSIG" --policy all --apply rotate.csv
expect_match "wrong secret: BADSIG hint" "$(cat "$tmp/out")" \
    'BADSIG: the server knows key publish-key\. .*secret'
expect_eq "wrong secret: exit 1" "$rc" 1
pub -k "$SK_KNOT_BADKEY" --policy all --apply rotate.csv
expect_match "wrong key name: BADKEY hint" "$(cat "$tmp/out")" \
    'BADKEY: the server has no key named other-key\.'
expect_eq "wrong key name: exit 1" "$rc" 1
check "wrong keys changed nothing" sh -c \
    "$SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $alice TXT | grep -q 'p=8tI4sb6'"

pub -k "$SK_KNOT_KEY" --policy all --apply rotate.csv
expect_eq "rotation (1 of 5 records, 20%): applied" "$rc" 0
check "rotation: alice now has bob's key, unrelated TXT kept" sh -c \
    "$SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $alice TXT | grep -q 'unrelated text' &&
     ! $SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $alice TXT | grep -q 'p=8tI4sb6'"

pub -k "$SK_KNOT_KEY" --apply few.csv
expect_eq "brake: 4 of 5 deleted refused (exit 1)" "$rc" 1
expect_match "brake: says --force" "$(cat "$tmp/out")" \
    'refusing to delete or change 4 of 5 managed records.*--force'
pub -k "$SK_KNOT_KEY" --detailed-exitcode few.csv
expect_eq "brake: nothing was deleted (still pending)" "$rc" 2
pub -k "$SK_KNOT_KEY" --apply --force few.csv
expect_eq "brake: --force applies" "$rc" 0
check "never touched: www TXT and alice's unrelated TXT" sh -c \
    "axfr_out=\$($SK_BED_CMD exec kdig +noall +answer @$SK_KNOT_ADDR www.pub.test TXT); echo \"\$axfr_out\" | grep -q 'wrong owner' &&
     $SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $alice TXT | grep -q 'unrelated text'"
pub -k "$SK_KNOT_KEY" --detailed-exitcode few.csv
expect_eq "after --force: in sync" "$rc" 0

# BADTIME: this machine's clock two hours ahead (libfaketime's faketime
# wrapper; ldns signs with time(NULL), which it intercepts).  Knot refuses
# the TSIG signature; publish gives the one-line clock hint, exits 1 and
# the zone is unchanged.  Without faketime this fails: tools/deps has it.
if command -v faketime >/dev/null 2>&1; then
	before=$(axfr)
	# An ASan-built senderkey (make asan) must accept libfaketime
	# preloaded ahead of its runtime.
	bed exec env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    faketime -f '+2h' "$sk" publish -d pub.test \
	    -s "$SK_KNOT_ADDR" -k "$SK_KNOT_KEY" --policy all --apply --force \
	    all.csv >"$tmp/out" 2>&1
	rc=$?
	expect_match "clock 2h ahead: BADTIME hint" "$(cat "$tmp/out")" \
	    "BADTIME: this machine's clock and the server's differ by more than [0-9]+ seconds: fix the clock"
	expect_eq "clock 2h ahead: exit 1" "$rc" 1
	expect_eq "clock 2h ahead: nothing changed on the server" "$(axfr)" \
	    "$before"
else
	not_ok "BADTIME hint: faketime (libfaketime) not installed; tools/deps installs it"
fi

# Confirmation: every NS serves the data, and it validates as secure.
eval "$("$SK_TOP/tests/bed/bed" env)"
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\nbob@pub.test,bob.pem,,,\nerin@pub.test,alice.pem,,,\n' >conf.csv
pub -k "$SK_KNOT_KEY" --apply --force -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
    --wait=60s conf.csv
expect_eq "confirm: exit 0" "$rc" 0
expect_match "confirm: per server" "$(cat "$tmp/out")" \
    '^confirm: ns\.pub\.test\. \(127\.0\.0\.5\): serves the new data'
expect_match "confirm: erin's new key validates as secure" "$(cat "$tmp/out")" \
    '^confirm: [0-9a-f]*\._senderkey\.pub\.test\. key: secure-key$'
expect_match "confirm: all agree" "$(cat "$tmp/out")" \
    '^confirmed: every server serves the new data and it validates as secure'
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\nbob@pub.test,bob.pem,,,\nerin@pub.test,bob.pem,,,\n' >conf2.csv
pub -k "$SK_KNOT_KEY" --apply --force --state conf.csv.state \
    --ns-address ns.pub.test=127.0.0.4 --wait=3s conf2.csv
expect_eq "confirm --wait: a server without the data: exit 1" "$rc" 1
expect_match "confirm --wait: says which server" "$(cat "$tmp/out")" \
    'confirm: ns\.pub\.test\. \(127\.0\.0\.4\): no authoritative answer'
expect_match "confirm --wait: says it gave up" "$(cat "$tmp/out")" \
    '--wait: 1 server or name not as expected'

# State file: AXFR refused, a removed sender is still seen and deleted.
"$SK_TOP/tests/bed/knot" acl update || not_ok "knot acl update"
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\nbob@pub.test,bob.pem,,,\n' >conf3.csv
erin=$("$sk" owner erin@pub.test | awk '$1 == "senderkey" { print $2 }')
# Removing erin deletes 1 of 3 managed records: over the 30% brake, as
# with AXFR (reading alice's and bob's names twice counted 1 of 5).
pub -k "$SK_KNOT_KEY" --apply --state conf.csv.state conf3.csv
expect_match "state file: AXFR refused, the brake counts each record once" \
    "$(cat "$tmp/out")" 'refusing to delete or change 1 of 3 managed records'
pub -k "$SK_KNOT_KEY" --apply --force --state conf.csv.state conf3.csv
expect_eq "state file: apply without AXFR: exit 0" "$rc" 0
expect_match "state file: AXFR refused, state file read" "$(cat "$tmp/out")" \
    'AXFR refused; read the manifest.s names and the [0-9]+ records of the state file'
expect_match "state file: erin (removed) deleted" "$(cat "$tmp/out")" \
    '^delete [0-9a-f]*\._senderkey\.pub\.test\. TXT'
check "state file: Knot no longer serves erin's key" sh -c \
    "! $SK_BED_CMD exec kdig +short @$SK_KNOT_ADDR $erin TXT | grep -q v=SK1"
check "state file: now lists alice and bob only" sh -c \
    "[ \$(grep -c v=SK1 conf.csv.state) -eq 2 ]"
"$SK_TOP/tests/bed/knot" acl update,transfer || not_ok "knot acl update,transfer"

# Plan file and a concurrent change: the prerequisites fail, nothing applied.
pub -k "$SK_KNOT_KEY" --plan-file plan.txt rotate.csv
expect_match "plan file: written" "$(cat "$tmp/out")" '^plan written to plan.txt'
printf 'server %s\nzone pub.test.\nupdate add %s 3600 TXT "v=SK1; k=ed25519; p=AAAAconcurrentconcurrentconcurrentconcurr="\nsend\n' \
    "$SK_KNOT_ADDR" "$("$sk" owner carol@pub.test | awk '$1 == "senderkey" { print $2 }')" >nsupd.txt
bed exec knsupdate -y "hmac-sha256:publish-key:$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$SK_KNOT_KEY")" nsupd.txt >/dev/null 2>&1
before=$(axfr)
expect_match "concurrent change: knsupdate added a key at carol's name" "$before" 'AAAAconcurrent'
pub -k "$SK_KNOT_KEY" --apply --plan-file plan.txt
expect_eq "concurrent change: apply of the plan file fails (exit 1)" "$rc" 1
expect_match "concurrent change: the prerequisite failure is reported" \
    "$(cat "$tmp/out")" 'YXRRSET|NXRRSET'
expect_eq "concurrent change: nothing half-applied" "$(axfr)" "$before"
printf 'not a plan\n' >bad-plan.txt
pub -k "$SK_KNOT_KEY" --apply --plan-file bad-plan.txt
expect_match "plan file: a bad file is refused with file:line" \
    "$(cat "$tmp/out")" 'bad-plan.txt:1: expected'

# --dkim: the DKIM key records planned like the SK1 records (publish.md 1):
# added, replaced, and deleted only at names publish plans or wrote (the
# state file); an operator's own selector and a bridge name publish never
# wrote are never touched; without --dkim nothing under _domainkey is.
dn() { "$sk" owner -s --dkim "$1"; }
served() { bed exec kdig +short @"$SK_KNOT_ADDR" "$1" TXT | tr -d '"' | sort; }
zed=$(dn zed@pub.test)
printf 'server %s\nzone pub.test.\nupdate add mail._domainkey.pub.test. 3600 TXT "v=DKIM1; k=rsa; p=operator"\nupdate add %s 3600 TXT "v=DKIM1; k=ed25519; p=AAAAzedzedzedzedzedzedzedzedzedzedzedzedzed="\nsend\n' \
    "$SK_KNOT_ADDR" "$zed" >nsupd2.txt
bed exec knsupdate -y "hmac-sha256:publish-key:$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$SK_KNOT_KEY")" nsupd2.txt >/dev/null 2>&1
printf 'address,key,not_before,not_after,flags\nalice@pub.test,alice.pem,,,\nbob@pub.test,bob.pem,,,\n' >dk.csv
pub -k "$SK_KNOT_KEY" --detailed-exitcode --force --apply dk.csv
expect_eq "without --dkim: applied, exit 0" "$rc" 0
expect_eq "without --dkim: nothing planned under _domainkey" \
    "$(grep -c '_domainkey' "$tmp/out")" 0
pub -k "$SK_KNOT_KEY" --dkim --apply dk.csv
expect_eq "--dkim: applied, exit 0" "$rc" 0
expect_match "--dkim: two DKIM records added" "$(cat "$tmp/out")" \
    '^plan: 2 to add, 0 to delete, in 2 RRsets'
for who in alice bob; do
	sk1=$(served "$("$sk" owner -s "$who@pub.test")" | grep v=SK1 | sed 's/.*p=//')
	expect_eq "--dkim: Knot serves $who's DKIM record, the SK1 record's key" \
	    "$(served "$(dn "$who@pub.test")")" \
	    "v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=$sk1"
done
check "--dkim: Knot signed alice's DKIM record (RRSIG)" sh -c \
    "$SK_BED_CMD exec kdig +dnssec +short @$SK_KNOT_ADDR $(dn alice@pub.test) TXT | grep -q '^TXT 13 '"
pub -k "$SK_KNOT_KEY" --detailed-exitcode --dkim dk.csv
expect_eq "--dkim, second run: nothing to do" "$rc" 0
pub -k "$SK_KNOT_KEY" --detailed-exitcode dk.csv
expect_eq "without --dkim: the DKIM records publish wrote are left alone" "$rc" 0
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\nbob@pub.test,bob.pem,,,\n' >dk2.csv
pub -k "$SK_KNOT_KEY" --dkim --apply --force --state dk.csv.state dk2.csv
expect_match "--dkim rotation: alice's DKIM record replaced" "$(cat "$tmp/out")" \
    "^change $(dn alice@pub.test) TXT"
expect_eq "--dkim rotation: Knot serves alice's new DKIM key" \
    "$(served "$(dn alice@pub.test)")" "$(served "$(dn bob@pub.test)")"
printf 'address,key,not_before,not_after,flags\nalice@pub.test,bob.pem,,,\n' >dk3.csv
pub -k "$SK_KNOT_KEY" --dkim --apply --force --state dk.csv.state dk3.csv
expect_match "--dkim: bob (removed, in the state file) loses his DKIM record" \
    "$(cat "$tmp/out")" "^delete $(dn bob@pub.test) TXT"
expect_eq "--dkim: Knot no longer serves bob's DKIM record" \
    "$(served "$(dn bob@pub.test)")" ""
expect_match "--dkim: a bridge name publish never wrote is kept" \
    "$(served "$zed")" 'p=AAAAzed'
expect_match "--dkim: the operator's own selector is kept" \
    "$(served mail._domainkey.pub.test.)" 'p=operator'
bed exec "$sk" audit -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" -d pub.test \
    --dkim --warn-expiry 5d --crit-expiry 1d dk3.csv >"$tmp/audit" 2>&1
expect_eq "audit --dkim after publish --dkim: exit 0" "$?" 0
expect_match "audit --dkim: alice's DKIM record is secure and the same" \
    "$(cat "$tmp/audit")" \
    '^INFO ok alice@pub\.test: .*DKIM key record secure, the same keys'
done_testing
