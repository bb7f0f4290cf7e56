#!/bin/sh
# gen.sh: make the OpenPGP fixtures of tests/unit/test_pgp.c with GnuPG
# 2.2.40 (run once, in this directory; the outputs are committed).
# Writes KEY.gpg (binary export), KEY.asc (armored export) and
# expected.tsv: "key file <TAB> address <TAB> hex RDATA gpg prints with
# export-minimal,export-dane and keep-uid='mbox = ADDRESS'" ("-" when gpg
# prints no record).  --faked-system-time spreads the signatures over
# distinct seconds so "the newest self-signature" is unambiguous.
set -eu
GNUPGHOME=$(mktemp -d)
export GNUPGHOME
trap 'gpgconf --kill all; rm -rf "$GNUPGHOME"' EXIT
t=1735689600	# 2025-01-01
g() { t=$((t + 10)); gpg --batch --quiet --passphrase '' --yes \
    --faked-system-time "$t!" "$@" 2>/dev/null; }
LC_ALL=C.UTF-8
export LC_ALL
fpr() { gpg --with-colons --list-keys "$1" 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }'; }

# carol: a third party who certifies alice and bob.
g --quick-gen-key 'Carol <carol@example.org>' ed25519 default never
carol=$(fpr carol@example.org)

# alice: Ed25519 primary, cv25519 subkey, several user IDs, one revoked,
# two with the same address, a bare address, newer self-signatures.
g --quick-gen-key 'Alice <alice@example.test>' ed25519 default never
alice=$(fpr alice@example.test)
g --quick-add-key "$alice" cv25519 encr never
g --quick-add-uid "$alice" 'Alice Work <Alice.Smith@Example.TEST>'
g --quick-add-uid "$alice" 'Old <old@example.test>'
g --quick-add-uid "$alice" 'bare@example.test'
g --quick-add-uid "$alice" 'Alice Again <alice@example.test>'
g --quick-add-uid "$alice" 'Jörg <jörg@example.test>'
g -u "$carol" --quick-sign-key "$alice" 'Alice <alice@example.test>' >/dev/null
g -u "$carol" --quick-sign-key "$alice" 'Old <old@example.test>' >/dev/null
g --quick-revoke-uid "$alice" 'Old <old@example.test>'
g --export "$alice" >"$GNUPGHOME/alice-before.gpg"
g --quick-set-expire "$alice" 2099-12-31
g --quick-set-expire "$alice" 2099-12-31 '*'
# gpg replaces the self-signatures it supersedes; importing the older
# export again brings them back, so the key carries both generations.
g --import "$GNUPGHOME/alice-before.gpg"
g -u "$carol" --quick-sign-key "$alice" 'bare@example.test' >/dev/null

# bob: RSA 3072 primary and RSA encryption subkey, two user IDs.
g --quick-gen-key 'Bob <bob@example.test>' rsa3072 default never
bob=$(fpr bob@example.test)
g --quick-add-key "$bob" rsa3072 encr never
g --quick-add-uid "$bob" 'Robert <robert@example.test>'
g -u "$carol" --quick-sign-key "$bob" 'Bob <bob@example.test>' >/dev/null
g --quick-set-expire "$bob" 2099-12-31

# dave: certify-only Ed25519 primary with an Ed25519 signing subkey.
g --quick-gen-key 'Dave <dave@example.test>' ed25519 cert never
dave=$(fpr dave@example.test)
g --quick-add-key "$dave" ed25519 sign never
g --quick-add-key "$dave" cv25519 encr never

: >expected.tsv
for k in alice:$alice bob:$bob dave:$dave carol:$carol; do
	name=${k%%:*} f=${k#*:}
	g --export "$f" >"$name.gpg"
	g --armor --export "$f" >"$name.asc"
	echo "$f" >"$name.fpr"
done
for row in alice:alice@example.test alice:ALICE@Example.Test \
    alice:alice.smith@example.test alice:old@example.test \
    alice:bare@example.test alice:jörg@example.test \
    alice:nobody@example.test bob:bob@example.test \
    bob:robert@example.test dave:dave@example.test \
    carol:carol@example.org; do
	name=${row%%:*} a=${row#*:}
	hex=$(g --export-options export-minimal,export-dane \
	    --export-filter "keep-uid=mbox = $a" --export "$(cat "$name.fpr")" |
	    awk '/TYPE61/ { on = 1; next } on && /\)/ { exit }
		on { gsub(/[ \t]/, ""); printf "%s", $0 }')
	printf '%s.gpg\t%s\t%s\n' "$name" "$a" "${hex:--}" >>expected.tsv
done
