#!/bin/sh
# 05-gpg-dane: the _openpgpkey owner names senderkey computes equal the ones
# GnuPG prints with --export-options export-dane for the same user IDs
# (GnuPG is the peer: it lowercases ASCII letters only, as specs/ says).
. "$SK_TOP/tests/integration/lib.sh"

GNUPGHOME=$(mktemp -d)
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1; rm -rf "$GNUPGHOME" "$_t_out"' EXIT

first=""
for uid in 'hugh@example.com' 'Hugh@Example.COM' 'alice@example.test' \
    'John.Smith+Tag@example.test' 'Jörg.Ü@example.test' \
    'ÉMILE@München.example' 'o'"'"'hara{x}@example.test'; do
	if [ -z "$first" ]; then
		gpg --batch --quiet --passphrase '' --quick-gen-key \
		    "Test <$uid>" ed25519 sign never >/dev/null 2>&1
		first=$uid
	else
		gpg --batch --quiet --quick-add-uid "$first" "Test <$uid>" \
		    >/dev/null 2>&1
	fi
done

# gpg prints, per user ID: "$ORIGIN _openpgpkey.DOMAIN." then
# "; fpr", "; uid", then "HASH TYPE61 ..."; senderkey's first openpgpkey
# line is the canonical name.
gpg --batch --export-options export-dane --export "$first" 2>/dev/null |
    awk '/^\$ORIGIN/ { o = $2 } /^; .*</ { u = $0 } / TYPE61 / {
	sub(/.*</, "", u); sub(/>.*/, "", u); print u "\t" $1 "." o }' \
    >"$GNUPGHOME/gpg-names"

n=$(wc -l <"$GNUPGHOME/gpg-names")
expect_eq "gpg exported one DANE record per user ID" "$n" 7

while IFS="$(printf '\t')" read -r uid gpgname; do
	ours=$("$SK_BIN/senderkey" owner "$uid" | awk '/^openpgpkey/ { print $2; exit }')
	expect_eq "hash label of $uid matches gpg" "${ours%%.*}" "${gpgname%%.*}"
	# gpg prints an IDN domain as UTF-8 (it does not convert to
	# A-labels); compare whole names only for ASCII domains.
	if printf '%s' "$gpgname" | LC_ALL=C grep -q '[^ -~]'; then
		diag "gpg: $gpgname, senderkey: $ours"
	else
		expect_eq "owner name of $uid matches gpg" "$ours" "$gpgname"
	fi
done <"$GNUPGHOME/gpg-names"

# And the RFC 7929 name as written differs only where ASCII capitals are.
asis=$("$SK_BIN/senderkey" owner 'Hugh@example.com' | grep -c 'as written')
expect_eq "Hugh@ gets the as-written RFC 7929 name too" "$asis" 1
asis=$("$SK_BIN/senderkey" owner 'hugh@example.com' | grep -c 'as written')
expect_eq "hugh@ has a single openpgpkey name" "$asis" 0
done_testing
