#!/bin/sh
# 50-policy-cli: "senderkey policy" end to end on a store in a temp dir:
# every subcommand and its error exits, the verdicts.md 4.2 examples
# through explain, vCard 3.0/4.0 fixtures (tests/data/policy/), keyrings
# made by gpg here (pins checked against gpg --export-ssh-key), export
# and import, permissions, disk full (tmpfs, root), and the crash test:
# 200 kill -9 of the CLI at random moments; every acknowledged update
# must survive, the store must pass integrity_check, and its change log
# must hold a row for each entry kept and none for one lost.
. "$SK_TOP/tests/integration/lib.sh"

sk="$SK_BIN/senderkey"
tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'umount -l "$tmp/full" 2>/dev/null; [ -d "$tmp/gnupg" ] && GNUPGHOME="$tmp/gnupg" gpgconf --kill gpg-agent; rm -rf "$tmp" "$_t_out"' EXIT
S="$tmp/p.db"
p() { "$sk" policy -f "$S" "$@"; }
rc() { "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

# --- the example store of verdicts.md 4.2 ---
check "set a domain mode" p set '*@example.net' deny
expect_eq "a new store is 0640" "$(stat -c %a "$S")" 640
check "allow *@domain" p allow '*@example.net' '*@partner.org'
check "deny an address" p deny '*@example.net' mallory@partner.org
check "set an address mode" p set alice@example.net allow
pin=3F:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:9A
check "allow with --pin" p allow bob@example.net carol@partner.org --pin "$pin"
check "deny *@domain" p deny bob@example.net '*@partner.org'
check "allow gus trent" p allow gus@example.net trent@partner.org
check "deny gus trent" p deny gus@example.net trent@partner.org

ex() {	# sender recipient want-mode want-list want-rc
	out=$(p explain "$1" "$2"); r=$?
	expect_eq "explain $1 $2: mode/list/exit" \
	    "$(printf '%s\n' "$out" | grep -E '^(mode|list)=' | tr '\n' ' ')$r" \
	    "mode=$3 list=$4 $5"
}
ex dan@partner.org carol@example.net deny allow 0
ex mallory@partner.org carol@example.net deny deny 1
ex mallory@partner.org alice@example.net allow deny 1
ex carol@partner.org bob@example.net deny allow 0
ex dan@partner.org bob@example.net deny deny 1
ex trent@partner.org gus@example.net deny deny 1
ex x@elsewhere.test carol@example.net deny none 1
ex dan@sub.partner.org carol@example.net deny none 1
ex x@elsewhere.test erin@other.test allow none 0
out=$(p explain mallory@partner.org carol@example.net)
expect_match "explain names the rule and why" "$out" \
    'rule=e[0-9]+.*|domain level.*address entry beats the domain entry'
expect_match "explain prints the verdict without DNS" "$out" \
    'verdict=unauthorized \(denylisted\)'
out=$(p explain carol@partner.org BOB@Example.NET)
expect_match "explain: canonical recipient, pinned" "$out" "pin=$pin"

# --- show, json, export / import ---
out=$(p show bob@example.net)
expect_match "show RECIPIENT lists its rules" "$out" \
    "bob@example.net allow carol@partner.org pin $pin"
expect_match "show RECIPIENT lists its domain's rules" "$out" \
    '\*@example.net mode deny'
if command -v python3 >/dev/null; then
	check "show --json is JSON" sh -c "'$sk' policy -f '$S' show --json |
	    python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d[\"rules\"]) == 8'"
fi
p export >"$tmp/export"
check "export writes a file" test -s "$tmp/export"
"$sk" policy -f "$tmp/copy.db" import "$tmp/export" >/dev/null
p export | grep -v '^#' | sort >"$tmp/a"
"$sk" policy -f "$tmp/copy.db" export | grep -v '^#' | sort >"$tmp/b"
check "import reads export back, rule for rule" cmp "$tmp/a" "$tmp/b"
printf 'a@x.test allow b@y.test\nbad line here\n' >"$tmp/bad.txt"
expect_eq "import: a bad line is 65" "$(rc "$sk" policy -f "$tmp/copy.db" import "$tmp/bad.txt")" 65
expect_match "import: FILE:LINE and what was expected" "$(cat "$tmp/err")" \
    "bad.txt:2: recipient bad: .*expected an address"
expect_eq "import: nothing of a bad file is kept" \
    "$("$sk" policy -f "$tmp/copy.db" show a@x.test | grep -c b@y.test)" 0

# --- remove, set default ---
check "remove" p remove gus@example.net trent@partner.org
expect_eq "remove: no such entry is 65" "$(rc p remove gus@example.net trent@partner.org)" 65
check "set default removes a mode rule" p set alice@example.net default
expect_match "alice falls back to the domain mode" \
    "$(p explain x@elsewhere.test alice@example.net)" "mode=deny"
check "remove one pin" p remove bob@example.net carol@partner.org --pin "$pin"

# --- error exits ---
expect_eq "no command is 64" "$(rc p)" 64
expect_eq "unknown command is 64" "$(rc p frob)" 64
expect_eq "set with a bad mode is 64" "$(rc p set a@x.test maybe)" 64
expect_eq "allow with too few arguments is 64" "$(rc p allow a@x.test)" 64
expect_eq "--pin with --pin-current is 64" "$(rc p allow a@x.test b@y.test --pin "$pin" --pin-current)" 64
expect_eq "deny --pin is 64" "$(rc p deny a@x.test b@y.test --pin "$pin")" 64
expect_eq "a bad recipient is 65" "$(rc p allow 'a b@x.test' b@y.test)" 65
expect_match "with the offset and what was expected" "$(cat "$tmp/err")" \
    "at octet 1: .*expected an address or \*@domain"
expect_eq "a bad pin is 65" "$(rc p allow a@x.test b@y.test --pin 12:34)" 65
expect_eq "a pin on *@domain is 65" "$(rc p allow a@x.test '*@y.test' --pin "$pin")" 65
expect_eq "explain on a missing store is 66" "$(rc "$sk" policy -f "$tmp/none.db" explain a@x.test b@y.test)" 66
expect_eq "show on a missing store is 66" "$(rc "$sk" policy -f "$tmp/none.db" show)" 66
expect_eq "a store in a missing directory is 73" "$(rc "$sk" policy -f "$tmp/no/dir/p.db" set a@x.test deny)" 73
mkdir "$tmp/ww" && chmod 777 "$tmp/ww"
expect_eq "a store in a world-writable directory is 77" "$(rc "$sk" policy -f "$tmp/ww/p.db" set a@x.test deny)" 77
chmod 646 "$S"
expect_eq "a world-writable store is 77 (write)" "$(rc p set a@x.test deny)" 77
expect_eq "a world-writable store is 77 (read)" "$(rc p show)" 77
chmod 640 "$S"
printf 'not a database, just text that is long enough to be read as a header by sqlite3, surely\n' >"$tmp/junk.db"
chmod 640 "$tmp/junk.db"
expect_eq "a file that is no store is 65" "$(rc "$sk" policy -f "$tmp/junk.db" set a@x.test deny)" 65
: >"$tmp/empty.conf"
expect_eq "no store and no PolicyStore is 64" "$(rc "$sk" policy -x "$tmp/empty.conf" show)" 64
printf 'PolicyStore %s\nDefaultMode deny\n' "$S" >"$tmp/sk.conf"
out=$("$sk" policy -x "$tmp/sk.conf" explain x@elsewhere.test erin@other.test)
expect_match "-x: PolicyStore and DefaultMode from the config" "$out" "mode=deny"
printf 'PolicyStore %s\nTrustAnchorFile %s/none.key\n' "$S" "$tmp" >"$tmp/noanchor.conf"
expect_eq "--pin-current without a trust anchor is 66" \
    "$(rc "$sk" policy -x "$tmp/noanchor.conf" allow a@x.test b@y.test --pin-current)" 66

# --- recipients are kept as the mailbox they are delivered to ---
R="$tmp/r.db"
printf 'PolicyStore %s\nRecipientDelimiter +\n' "$R" >"$tmp/r.conf"
pr() { "$sk" policy -x "$tmp/r.conf" "$@"; }
stored() {	# what input: the command succeeded, one stderr line naming carol's
	expect_eq "$1: done" "$2" 0
	expect_eq "$1: one line on stderr" "$(wc -l <"$tmp/err")" 1
	expect_match "$1: stored as carol's" "$(cat "$tmp/err")" \
	    "^senderkey: recipient .* is stored as carol@example.net, the mailbox it is delivered to\$"
}
stored "set carol+x@example.net" "$(rc pr set carol+x@example.net deny)"
stored "deny for carol@example.net." "$(rc pr deny carol@example.net. mallory@partner.org)"
stored "allow for example.net!carol" "$(rc pr allow 'example.net!carol' dan@partner.org)"
stored "allow for carol%example.net@mx.example.org" \
    "$(rc pr allow 'carol%example.net@mx.example.org' erin@partner.org)"
expect_eq "a plain recipient: done" "$(rc pr allow carol@example.net 'frank+x@partner.org')" 0
expect_eq "a plain recipient: nothing on stderr" "$(cat "$tmp/err")" ""
pr export | grep -v '^#' | sort >"$tmp/rexp"
expect_eq "every rule is carol's; senders stay as written" "$(cat "$tmp/rexp")" \
"carol@example.net allow dan@partner.org
carol@example.net allow erin@partner.org
carol@example.net allow frank+x@partner.org
carol@example.net deny mallory@partner.org
carol@example.net mode deny"
expect_eq "two levels of routing are refused (65)" \
    "$(rc pr set 'a.example!example.net!carol' deny)" 65
expect_match "... saying why" "$(cat "$tmp/err")" \
    "^senderkey: recipient a.example!example.net!carol: cannot tell the mailbox it is delivered to: routing"
expect_eq "'!' with '%' is refused (65)" \
    "$(rc pr allow 'example.net!carol%b.example@mx.example.org' x@partner.org)" 65
expect_eq "an address Postfix completes with its own domain is refused (65)" \
    "$(rc pr set carol deny)" 65
expect_eq "nothing was stored for the refused ones" \
    "$(pr export | grep -v '^#' | sort)" "$(cat "$tmp/rexp")"
out=$(pr explain mallory@partner.org 'Carol+News@example.net.' 2>"$tmp/err")
expect_match "explain: a spelling of carol is decided by carol's rules" \
    "$(printf '%s\n' "$out" | grep -E '^(mode|list)=' | tr '\n' ' ')" \
    "mode=deny list=deny"
expect_match "explain: says how it read the recipient" "$(cat "$tmp/err")" \
    "is read as carol@example.net"
out=$(pr explain x@elsewhere.test 'a.example!example.net!carol' 2>"$tmp/err")
expect_match "explain: no one mailbox gets the strictest rules (deny mode)" \
    "$(printf '%s\n' "$out" | grep -E '^(mode|list)=' | tr '\n' ' ')" \
    "mode=deny list=none"
expect_match "explain: ... and says why" "$(cat "$tmp/err")" \
    "cannot tell the mailbox it is delivered to: routing.*every domain apply"
expect_match "show: a spelling of carol shows carol's rules" \
    "$(pr show carol+y@example.net 2>/dev/null)" "carol@example.net mode deny"
check "remove: a spelling of carol removes carol's entry" \
    pr remove carol+z@example.net erin@partner.org
expect_eq "remove: it is gone" "$(pr export | grep -c erin@)" 0
printf 'carol+news@example.net deny gus@partner.org\n' >"$tmp/rimp.txt"
check "import: a spelling of carol" pr import "$tmp/rimp.txt"
expect_match "import: stored as carol's" "$(pr export)" \
    "carol@example.net deny gus@partner.org"
check "without RecipientDelimiter: done" p set zed+x@example.net. deny
expect_match "without RecipientDelimiter the extension stays, the dot goes" \
    "$(p export)" "zed\+x@example.net mode deny"
check "a rule stored under an old spelling can still be removed" \
    sh -c "sqlite3 '$R' \"INSERT INTO entry(recipient, action, sender) VALUES ('old+x@example.net', 'allow', 'o@partner.org')\" &&
    '$sk' policy -x '$tmp/r.conf' remove old+x@example.net o@partner.org"

# --- vCard fixtures ---
D="$SK_TOP/tests/data/policy"
check "import-vcard 3.0" p import-vcard r@example.net "$D/contacts-3.0.vcf"
check "import-vcard 4.0" p import-vcard r@example.net "$D/contacts-4.0.vcf"
export GNUPGHOME="$tmp/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch -q --import "$SK_TOP/tests/data/pgp/carol.gpg" "$SK_TOP/tests/data/pgp/dave.gpg" 2>/dev/null
sshfp() { gpg --export-ssh-key "$1!" 2>/dev/null >"$tmp/k.ssh" && "$sk" fingerprint "$tmp/k.ssh" | cut -d' ' -f1; }
carol=$(sshfp "$(cat "$SK_TOP/tests/data/pgp/carol.fpr")")
# dave signs with a subkey: its fingerprint, as gpg lists it
davesub=$(gpg --with-colons --list-keys "$(cat "$SK_TOP/tests/data/pgp/dave.fpr")" 2>/dev/null |
    awk -F: '/^sub/ && $12 ~ /s/ {s=1; next} s && /^fpr/ {print $10; exit}')
dave=$(sshfp "$davesub")
pem=$("$sk" fingerprint "$SK_TOP/tests/data/key/ed25519.spki.pem" | cut -d' ' -f1)
out=$(p show r@example.net)
expect_match "3.0: a TYPE=PGP key pins Carol's key (as gpg exports it)" "$out" \
    "r@example.net allow carol@example.org pin $carol\$"
expect_match "3.0: a contact without KEY is allowed unpinned" "$out" \
    "r@example.net allow erin@example.org\$"
expect_match "4.0: Dave's signing subkey is pinned" "$out" \
    "allow dave@example.org pin $dave\$"
expect_match "4.0: a PEM key pins every EMAIL of the contact" "$out" \
    "allow pem@xn--bcher-kva.example pin $pem\$"
n=$(p show r@example.net | grep -c ' r@example.net allow')
expect_eq "bad-key.vcf is 65" "$(rc p import-vcard r@example.net "$D/bad-key.vcf")" 65
expect_match "with FILE:LINE" "$(cat "$tmp/err")" "bad-key.vcf:5: KEY of broken@example.org"
expect_eq "bad-address.vcf is 65" "$(rc p import-vcard r@example.net "$D/bad-address.vcf")" 65
expect_eq "nothing of a bad vCard is imported" "$(p show r@example.net | grep -c ' r@example.net allow')" "$n"
expect_eq "a missing vCard is 66" "$(rc p import-vcard r@example.net "$tmp/nope.vcf")" 66

# --- GnuPG keyrings made here ---
gpg --batch -q --passphrase '' --quick-gen-key 'One <one@example.org>' ed25519 sign never 2>/dev/null
gpg --batch -q --passphrase '' --quick-gen-key 'Two <two@example.org>' rsa2048 sign never 2>/dev/null
f1=$(gpg --with-colons --list-keys one@example.org | awk -F: '/^fpr/{print $10; exit}')
f2=$(gpg --with-colons --list-keys two@example.org | awk -F: '/^fpr/{print $10; exit}')
gpg --batch -q --quick-add-uid "$f1" 'One Alt <One.Alt@Example.ORG>' 2>/dev/null
gpg --batch -q --quick-add-uid "$f1" 'Old <old@example.org>' 2>/dev/null
gpg --batch -q --quick-revoke-uid "$f1" 'Old <old@example.org>' 2>/dev/null
gpg --export "$f1" "$f2" >"$tmp/ring.gpg"
gpg --armor --export "$f1" "$f2" >"$tmp/ring.asc"
{ gpg --armor --export "$f1"; gpg --armor --export "$f2"; } >"$tmp/two.asc"
check "import-gpg: two keys, binary" p import-gpg g1@example.net "$tmp/ring.gpg"
check "import-gpg: two keys, one armor block" p import-gpg g2@example.net "$tmp/ring.asc"
check "import-gpg: two armor blocks" p import-gpg g3@example.net "$tmp/two.asc"
p1=$(sshfp "$f1"); p2=$(sshfp "$f2")
for g in g1 g2 g3; do
	out=$(p show $g@example.net)
	expect_match "$g: one@ pinned to key 1" "$out" "allow one@example.org pin $p1\$"
	expect_match "$g: the second user ID too, canonical" "$out" "allow one.alt@example.org pin $p1\$"
	expect_match "$g: two@ pinned to the RSA key" "$out" "allow two@example.org pin $p2\$"
	expect_eq "$g: the revoked user ID is not imported" "$(printf '%s\n' "$out" | grep -c old@)" 0
done
gpg --batch --yes -q --passphrase '' --export-secret-keys "$f1" >"$tmp/sec.gpg" 2>/dev/null
expect_eq "import-gpg: a secret key is 65" "$(rc p import-gpg g4@example.net "$tmp/sec.gpg")" 65
head -c 100 "$tmp/ring.gpg" >"$tmp/trunc.gpg"
expect_eq "import-gpg: a truncated keyring is 65" "$(rc p import-gpg g4@example.net "$tmp/trunc.gpg")" 65
expect_eq "import-gpg: text that is no key is 65" "$(rc p import-gpg g4@example.net "$D/README")" 65
expect_eq "import-gpg: nothing imported on error" "$(p show g4@example.net | grep -c ' g4@example.net allow')" 0

# --- audit trail ---
if command -v sqlite3 >/dev/null; then
	expect_match "the audit trail names who and what" \
	    "$(sqlite3 "$S" "SELECT user || ' ' || what FROM audit WHERE what LIKE 'deny %' LIMIT 1")" \
	    "^$(id -un) deny \*@example.net mallory@partner.org"
fi

# --- disk full (root: a tiny tmpfs) ---
mkdir "$tmp/full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k,mode=0755 tmpfs "$tmp/full" 2>/dev/null; then
	F="$tmp/full/p.db"
	"$sk" policy -f "$F" set a@x.test deny >/dev/null
	"$sk" policy -f "$F" export >"$tmp/before"
	dd if=/dev/zero of="$tmp/full/fill" bs=4k 2>/dev/null
	i=0; : >"$tmp/big.txt"
	while [ $i -lt 3000 ]; do
		echo "a@x.test allow sender-$i-with-a-rather-long-local-part@example$i.test"; i=$((i + 1))
	done >"$tmp/big.txt"
	expect_eq "disk full: import exits 74" "$(rc "$sk" policy -f "$F" import "$tmp/big.txt")" 74
	expect_match "disk full: says so" "$(cat "$tmp/err")" "disk full.*nothing changed"
	rm -f "$tmp/full/fill"
	"$sk" policy -f "$F" export >"$tmp/after"
	check "disk full: the store is unchanged" cmp "$tmp/before" "$tmp/after"
	umount "$tmp/full"
else
	skip "disk full" "needs root and tmpfs"
fi

# --- crash test: 200 kill -9 at random moments ---
C="$tmp/crash.db"
t0=$(date +%s%N)
"$sk" policy -f "$C" set r@x.test deny >/dev/null
# kill at a random moment within twice the time one update takes here
span=$(( ($(date +%s%N) - t0) * 2 / 1000 ))	# microseconds
: >"$tmp/acked"
i=0; bad=0
while [ $i -lt 200 ]; do
	i=$((i + 1))
	d=$(awk -v s="$i$$" -v span="$span" 'BEGIN { srand(s); printf "%.6f", rand() * span / 1e6 }')
	"$sk" policy -f "$C" allow r@x.test "s$i@y.test" >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	if { wait "$pid"; } 2>/dev/null; then echo "s$i@y.test" >>"$tmp/acked"; fi
	# after each cycle: opens, integrity_check ok, nothing acknowledged lost
	ic=$(sqlite3 "$C" 'PRAGMA integrity_check' 2>&1)
	[ "$ic" = ok ] || { bad=1; diag "cycle $i: integrity_check: $ic"; }
	"$sk" policy -f "$C" export 2>&1 | awk '$2 == "allow" { print $3 }' >"$tmp/cexp"
	lost=$(grep -vxF -f "$tmp/cexp" "$tmp/acked")
	[ -z "$lost" ] || { bad=1; diag "cycle $i: lost $lost"; }
done
acked=$(wc -l <"$tmp/acked")
diag "crash test: $acked of 200 updates acknowledged before kill -9"
expect_eq "crash test: the store opens, passes integrity_check and keeps every acknowledged update" "$bad" 0
check "crash test: some updates were killed, some acknowledged" test "$acked" -gt 0 -a "$acked" -lt 200
# the change log (store.md 2.1) commits with the rows: a change row for
# each entry the store kept, none for an entry a kill took away
expect_eq "crash test: no change row without its entry, no entry without its change row" \
    "$(sqlite3 "$C" "SELECT (SELECT count(*) FROM change c WHERE sender <> '' AND NOT EXISTS (SELECT 1 FROM entry e WHERE e.recipient = c.recipient AND e.sender = c.sender)) + (SELECT count(*) FROM entry e WHERE NOT EXISTS (SELECT 1 FROM change c WHERE c.recipient = e.recipient AND c.sender = e.sender))" 2>&1)" 0
check "crash test: the store still takes writes" "$sk" policy -f "$C" allow r@x.test last@y.test

done_testing
