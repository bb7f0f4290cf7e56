#!/bin/sh
# 83-publish-bind: senderkey publish against a BIND 9 primary (named, started
# here in the bed's namespace from a temporary directory) that refuses AXFR
# (allow-transfer { none; }) and lets one TSIG key update TXT and
# OPENPGPKEY (update-policy).  Five senders: publish, rotate one key,
# publish again.  Without AXFR publish reads the manifest's names and the
# state file's; each name must be read once, or each prerequisite record
# is sent twice and BIND answers NXRRSET to every change.  A manifest that
# drops 2 of the 5 senders trips the 30% brake (2 of 5 managed records)
# without --force, both with AXFR refused and with it allowed; --force
# then applies it.  --dkim: the DKIM records added and kept in the state
# file by a run without --dkim, then deleted for removed senders.
. "$SK_TOP/tests/integration/lib.sh"

need_root
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] ||
    skip_all "named (bind9) not installed; tools/deps installs it"
bed_up

sk="$SK_BIN/senderkey"
zone=bindpub.test
addr=127.0.0.7
secret=c2VuZGVya2V5IGJpbmQgdGVzdCBrZXkgMzIgb2N0ZXRzIQ==
tmp=$(mktemp -d)
cleanup() {
	stop_ours "$(cat "$tmp/named.pid" 2>/dev/null)" "$tmp/"
	bed exec ip addr del "$addr/32" dev lo >/dev/null 2>&1
	rm -rf "$tmp" "$_t_out"
}
trap cleanup EXIT

# named.conf; $1 is the zone's allow-transfer list.
conf() {
	cat >"$tmp/named.conf.new" <<CONF
options {
	directory "$tmp";
	pid-file "$tmp/named.pid";
	session-keyfile "$tmp/session.key";
	managed-keys-directory "$tmp";
	listen-on port 53 { $addr; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
logging {
	channel l { file "$tmp/named.log"; severity info; };
	category default { l; };
};
key "publish-key." { algorithm hmac-sha256; secret "$secret"; };
zone "$zone" {
	type primary;
	file "$tmp/$zone.zone";
	update-policy { grant publish-key. zonesub TXT OPENPGPKEY; };
	allow-transfer { $1; };
};
CONF
	mv "$tmp/named.conf.new" "$tmp/named.conf"
}
conf none
cat >"$tmp/$zone.zone" <<ZONE
\$ORIGIN $zone.
\$TTL 300
@ SOA ns hostmaster 1 300 60 86400 60
@ NS ns
ns A $addr
www TXT "v=SK1; not managed: wrong owner"
2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db._senderkey TXT "unrelated text"
ZONE
printf 'key "publish-key." {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
    "$secret" >"$tmp/publish.key"
chmod 600 "$tmp/publish.key"	# a secret: publish refuses it readable by others
bed exec ip addr add "$addr/32" dev lo >/dev/null 2>&1
bed exec named -c "$tmp/named.conf" -f >>"$tmp/named.out" 2>&1 &
i=0
until bed exec kdig +short +time=1 @"$addr" "$zone" SOA 2>/dev/null |
    grep -q hostmaster; do
	i=$((i + 1))
	if [ $i -ge 200 ]; then
		not_ok "named serves $zone"
		sed 's/^/#   /' "$tmp/named.out" "$tmp/named.log" 2>/dev/null
		done_testing
	fi
	sleep 0.05
done
ok "named (BIND $(named -v | sed 's/^BIND //; s/ .*//')) serves $zone"
axfr() {	# the managed-type records by AXFR with the key (empty: refused)
	bed exec kdig +noall +answer -y "hmac-sha256:publish-key:$secret" \
	    @"$addr" "$zone" AXFR 2>/dev/null |
	    awk '$4 == "TXT" || $4 == "OPENPGPKEY"' | sort
}
expect_eq "AXFR refused (allow-transfer none)" "$(axfr)" ""

cp "$SK_TOP/tests/bed/alice.pem" "$SK_TOP/tests/bed/bob.pem" "$tmp/"
chmod 600 "$tmp/alice.pem" "$tmp/bob.pem"	# private keys: key_load's rule
cd "$tmp" || exit 1
# Five senders, one record each (no policy record).  Without AXFR the
# names read are the manifest's, then the state file's: a name in both is
# never next to itself in that list.
hdr='address,key,not_before,not_after,flags'
printf '%s\nalice@%s,alice.pem,,,\nerin@%s,generate,,,\ndave@%s,generate,,,\nbob@%s,bob.pem,,,\ncarol@%s,generate,,,\n' \
    "$hdr" $zone $zone $zone $zone $zone >all.csv
sed "s/^alice@$zone,alice.pem/alice@$zone,bob.pem/" all.csv >rotate.csv
grep -v -e '^erin@' -e '^carol@' all.csv >three.csv
grep -v -e '^erin@' -e '^carol@' rotate.csv >three-rot.csv
own() { "$sk" owner -s "$1@$zone"; }
alice=$(own alice)
erin=$(own erin)
pub() {	# publish to named; output in $tmp/out, status in $rc
	bed exec "$sk" publish -d "$zone" -s "$addr" -k "$tmp/publish.key" \
	    --state "$tmp/state" "$@" >"$tmp/out" 2>&1
	rc=$?
}
show() { sed 's/^/#   /' "$tmp/out"; }

pub --apply all.csv
expect_eq "first publish: exit 0" "$rc" 0
[ "$rc" = 0 ] || show
expect_match "first publish: 5 records added" "$(cat "$tmp/out")" \
    '^plan: 5 to add, 0 to delete'
check "first publish: BIND serves alice's key" sh -c \
    "$SK_BED_CMD exec kdig +short @$addr $alice TXT | grep -q 'p=8tI4sb6'"
check "first publish: the state file lists 5 records" sh -c \
    "[ \$(grep -c v=SK1 '$tmp/state') -eq 5 ]"

# Dropping erin and carol deletes 2 of 5 (40%): the brake, AXFR refused
# (reading each name twice counted 2 of 8 and let them go).
pub --apply three.csv
expect_eq "brake, AXFR refused: 2 of 5 deleted refused (exit 1)" "$rc" 1
expect_match "brake, AXFR refused: counts 2 of 5" "$(cat "$tmp/out")" \
    'refusing to delete or change 2 of 5 managed records.*--force'
check "brake, AXFR refused: erin's key still served" sh -c \
    "$SK_BED_CMD exec kdig +short @$addr $erin TXT | grep -q v=SK1"

# A key change with AXFR refused: the names come from the manifest and the
# state file; each must be read once.
pub --apply rotate.csv
expect_eq "key change against BIND (AXFR refused): exit 0" "$rc" 0
[ "$rc" = 0 ] || show
expect_match "key change: read the manifest's and the state file's names" \
    "$(cat "$tmp/out")" 'AXFR refused; read the manifest.s names and the 5 records'
expect_match "key change: 1 of 5 replaced" "$(cat "$tmp/out")" \
    '^plan: 1 to add, 1 to delete, in 1 RRsets; 4 of 5 managed'
check "key change: BIND serves alice's new key, unrelated TXT kept" sh -c \
    "$SK_BED_CMD exec kdig +short @$addr $alice TXT | grep -q v=SK1 &&
     $SK_BED_CMD exec kdig +short @$addr $alice TXT | grep -q 'unrelated text' &&
     ! $SK_BED_CMD exec kdig +short @$addr $alice TXT | grep -q 'p=8tI4sb6'"

pub --apply --detailed-exitcode rotate.csv
expect_eq "publish again: nothing to do (exit 0)" "$rc" 0
expect_match "publish again: 5 of 5 managed records, each once" \
    "$(cat "$tmp/out")" '^plan: 0 to add, 0 to delete, in 0 RRsets; 5 of 5 '

# --dkim with AXFR refused: the DKIM names come from the manifest and the
# state file too; a run without --dkim leaves them, and keeps them in the
# state file (so a later --dkim run still deletes those of removed senders).
dkn() { "$sk" owner -s --dkim "$1@$zone"; }
pub --apply --dkim rotate.csv
expect_eq "--dkim against BIND (AXFR refused): exit 0" "$rc" 0
[ "$rc" = 0 ] || show
expect_match "--dkim: 5 DKIM records added" "$(cat "$tmp/out")" \
    '^plan: 5 to add, 0 to delete, in 5 RRsets; 5 of 5 managed'
check "--dkim: BIND serves alice's DKIM record" sh -c \
    "$SK_BED_CMD exec kdig +short @$addr $(dkn alice) TXT | grep -q 'v=DKIM1; k=ed25519;'"
pub --apply --detailed-exitcode --dkim rotate.csv
expect_match "--dkim again: 10 of 10 managed records, nothing to do" \
    "$(cat "$tmp/out")" '^plan: 0 to add, 0 to delete, in 0 RRsets; 10 of 10 '
pub --apply --detailed-exitcode rotate.csv
expect_match "without --dkim: the DKIM records are not managed" \
    "$(cat "$tmp/out")" '^plan: 0 to add, 0 to delete, in 0 RRsets; 5 of 5 '
check "without --dkim: the state file keeps the 5 DKIM records" sh -c \
    "[ \$(grep -c v=DKIM1 '$tmp/state') -eq 5 ]"

# The same with AXFR allowed for the key: the same count, the same refusal.
conf 'key publish-key.'
kill -HUP "$(cat "$tmp/named.pid")"
i=0
until [ -n "$(axfr)" ] || [ $i -ge 100 ]; do i=$((i + 1)); sleep 0.05; done
expect_match "AXFR allowed after reconfiguring named" "$(axfr)" 'v=SK1'
pub --apply three-rot.csv
expect_eq "brake, AXFR allowed: 2 of 5 deleted refused (exit 1)" "$rc" 1
expect_match "brake, AXFR allowed: counts 2 of 5" "$(cat "$tmp/out")" \
    'refusing to delete or change 2 of 5 managed records.*--force'
if grep -q 'AXFR refused' "$tmp/out"; then
	not_ok "brake, AXFR allowed: read by AXFR"
else
	ok "brake, AXFR allowed: read by AXFR"
fi

pub --apply --force three-rot.csv
expect_eq "--force: 2 of 5 deleted (exit 0)" "$rc" 0
[ "$rc" = 0 ] || show
check "--force: erin's key gone, alice's kept, unmanaged www TXT kept" sh -c \
    "! $SK_BED_CMD exec kdig +short @$addr $erin TXT | grep -q v=SK1 &&
     $SK_BED_CMD exec kdig +short @$addr $alice TXT | grep -q v=SK1 &&
     $SK_BED_CMD exec kdig +short @$addr www.$zone TXT | grep -q 'wrong owner'"
expect_eq "--force: the zone holds 3 managed records" \
    "$(axfr | grep -c 'v=SK1;.*p=')" 3
expect_eq "--force without --dkim: the 5 DKIM records untouched" \
    "$(axfr | grep -c 'v=DKIM1;')" 5
pub --apply --force --dkim three-rot.csv
expect_match "--dkim: the removed senders' DKIM records deleted (state file)" \
    "$(cat "$tmp/out")" '^plan: 0 to add, 2 to delete'
check "--dkim: erin's DKIM record gone, alice's kept" sh -c \
    "! $SK_BED_CMD exec kdig +short @$addr $(dkn erin) TXT | grep -q v=DKIM1 &&
     $SK_BED_CMD exec kdig +short @$addr $(dkn alice) TXT | grep -q v=DKIM1"
done_testing
