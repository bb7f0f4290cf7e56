#!/bin/sh
# 60-sign-verify: "senderkey sign" and "senderkey verify" against peers.
#  1. DKIM test mode (specs/signature.md section 9): python3-dkim (dkimpy,
#     the library behind dkimverify) accepts our DKIM-Signature for
#     ed25519-sha256 and rsa-sha256, relaxed and simple, with the public
#     key served by a dnsfunc; it rejects a tampered copy.  The same
#     canonicalisation and signing code makes Sender-Key-Signature.
#     For a plain-text message (no MIME fields) dkimpy accepts h= naming
#     the absent fields and rejects the copy with "Content-Type:
#     text/html" added: it reads signed absence as we do (RFC 6376 5.4.2).
#  2. In the DNSSEC test bed: a message signed for alice@example.test
#     (key published, secure) verifies (exit 0, pass, alice's fingerprint);
#     a tampered body fails (exit 1, body-hash-mismatch); a tampered
#     Subject fails (sig-mismatch); a sender in bogus.test gives temperror
#     (exit 75); in insecure.test permerror key-insecure (exit 1); a
#     sender without a key fails no-key; the plain-text message with an
#     added Content-Type: text/html or Content-Transfer-Encoding: fails
#     (sig-mismatch).
#  3. The DKIM bridge (section 11.1): "sign --dkim" writes the
#     Sender-Key-Signature on top and the DKIM-Signature right below it
#     (d= the From domain, s= sk + sha256(local)[:32], i= the address);
#     dkimpy accepts the DKIM-Signature for Ed25519 and RSA-2048 keys
#     with "v=DKIM1; k=...; p=<the SK1 record's p=>" served only at the
#     sender's selector name, also for a local part quoted in i= (=3D);
#     it rejects a tampered copy; --dkim with --dkim-domain is a usage
#     error; in the bed, verify still passes on the Sender-Key-Signature.
# The RFC 8463 example message is checked by tests/unit/test_sig.c.
. "$(dirname "$0")/lib.sh"

SK=$SK_BIN/senderkey
PY=/usr/bin/python3
W=$(mktemp -d "${TMPDIR:-/tmp}/sk-sig.XXXXXX") || exit 1
trap 'rm -rf "$W" "$_t_out"' EXIT

cat >"$W/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: Lunch on Thursday?
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <20251113093000.4711@mail.example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Bob,

Shall  we meet at noon?	The usual place.   

Alice

MSG
# plain text: the signer lists MIME-Version, Content-Type and
# Content-Transfer-Encoding (and Cc, Reply-To...) as absent
sed '/^MIME-Version:/d; /^Content-Type:/d' "$W/msg" >"$W/plain"
# addhdr FILE FIELD: FILE with FIELD added below its Subject: line
addhdr() {
	sed "/^Subject:/a\\
$2" "$1"
}

# ---- 1. dkimpy accepts the DKIM test mode --------------------------------
if $PY -c 'import dkim, nacl' 2>/dev/null; then
	openssl genpkey -algorithm ed25519 -out "$W/ed.key" 2>/dev/null
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 \
	    -out "$W/rsa.key" 2>/dev/null
	chmod 600 "$W/ed.key" "$W/rsa.key"
	ED_P=$(openssl pkey -in "$W/ed.key" -pubout -outform DER | tail -c 32 |
	    base64 -w0)
	RSA_P=$(openssl pkey -in "$W/rsa.key" -pubout -outform DER | base64 -w0)
	cat >"$W/dkv.py" <<'PY'
import sys, dkim
k, p, path = sys.argv[1], sys.argv[2], sys.argv[3]
rec = ("v=DKIM1; k=%s; p=%s" % (k, p)).encode()
def dnsfunc(name, timeout=5):
    return rec if name == b"sel._domainkey.example.test." else None
msg = open(path, "rb").read()
sys.exit(0 if dkim.verify(msg, dnsfunc=dnsfunc) else 1)
PY
	for alg in ed rsa; do
		if [ $alg = ed ]; then k=ed25519 p=$ED_P; else k=rsa p=$RSA_P; fi
		for c in relaxed/relaxed simple/simple relaxed/simple \
		    simple/relaxed; do
			"$SK" sign -k "$W/$alg.key" -c $c --dkim-domain \
			    example.test --dkim-selector sel <"$W/msg" \
			    >"$W/dkim.eml" 2>"$W/err"
			check "dkimpy accepts our $k DKIM-Signature, c=$c" \
			    $PY "$W/dkv.py" $k "$p" "$W/dkim.eml"
		done
		sed 's/noon?/one?/' "$W/dkim.eml" >"$W/bad.eml"
		if $PY "$W/dkv.py" $k "$p" "$W/bad.eml" >/dev/null 2>&1; then
			not_ok "dkimpy rejects a tampered $k message"
		else
			ok "dkimpy rejects a tampered $k message"
		fi
	done
	"$SK" sign -k "$W/ed.key" --dkim-domain example.test \
	    --dkim-selector sel <"$W/plain" >"$W/dkim-plain.eml" 2>"$W/err"
	expect_match "DKIM mode, plain text: h= names the absent MIME fields" \
	    "$(tr -d '\n ' <"$W/dkim-plain.eml")" \
	    'h=from:from:.*mime-version:content-type:content-transfer-encoding;'
	check "dkimpy accepts h= with signed-absent fields" \
	    $PY "$W/dkv.py" ed25519 "$ED_P" "$W/dkim-plain.eml"
	addhdr "$W/dkim-plain.eml" "Content-Type: text/html" >"$W/bad.eml"
	if $PY "$W/dkv.py" ed25519 "$ED_P" "$W/bad.eml" >/dev/null 2>&1; then
		not_ok "dkimpy rejects the plain text with Content-Type: added"
	else
		ok "dkimpy rejects the plain text with Content-Type: added"
	fi
	# the same key, message and time give Sender-Key-Signature the same
	# bh= as the DKIM mode (one canonicaliser)
	bh1=$("$SK" sign -k "$W/ed.key" -T 1763026200 <"$W/msg" |
	    sed -n 's/^ bh=\(.*\);$/\1/p')
	bh2=$("$SK" sign -k "$W/ed.key" -T 1763026200 --dkim-domain \
	    example.test --dkim-selector sel <"$W/msg" |
	    sed -n 's/^ bh=\(.*\);$/\1/p')
	expect_eq "Sender-Key-Signature and DKIM mode share bh=" "$bh1" "$bh2"

	# ---- 3. the DKIM bridge: dkimpy accepts sign --dkim -------------
	cat >"$W/bridge.py" <<'PY'
import sys, hashlib, dkim
rec, local, domain, path = sys.argv[1:5]
sel = "sk" + hashlib.sha256(local.encode()).hexdigest()[:32]
name = ("%s._domainkey.%s." % (sel, domain)).encode()
def dnsfunc(n, timeout=5):
    return rec.encode() if n == name else None
msg = open(path, "rb").read()
sys.exit(0 if dkim.verify(msg, dnsfunc=dnsfunc) else 1)
PY
	sed 's/alice@example.test/al=ice@example.test/' "$W/msg" >"$W/qp"
	for alg in ed rsa; do
		rec=$("$SK" record "$W/$alg.key" |
		    sed 's/^v=SK1; /v=DKIM1; /')
		"$SK" sign --dkim -k "$W/$alg.key" <"$W/msg" >"$W/br.eml" \
		    2>"$W/err"
		expect_eq "sign --dkim ($alg): the first field is the SKS" \
		    "$(head -c 21 "$W/br.eml")" "Sender-Key-Signature:"
		expect_eq "sign --dkim ($alg): DKIM-Signature right below it" \
		    "$(grep -v '^[ 	]' "$W/br.eml" | sed -n 2p |
		    cut -d' ' -f1)" "DKIM-Signature:"
		expect_match "sign --dkim ($alg): d=, s= selector, i=" \
		    "$(tr -d '\n' <"$W/br.eml")" \
		    "d=example.test; *s=sk$(printf alice | sha256sum |
		    cut -c1-32); *i=alice@example.test;"
		check "dkimpy accepts the bridge DKIM-Signature ($alg)" \
		    $PY "$W/bridge.py" "$rec" alice example.test "$W/br.eml"
		sed 's/noon?/one?/' "$W/br.eml" >"$W/bad.eml"
		if $PY "$W/bridge.py" "$rec" alice example.test "$W/bad.eml" \
		    >/dev/null 2>&1; then
			not_ok "dkimpy rejects a tampered bridge message ($alg)"
		else
			ok "dkimpy rejects a tampered bridge message ($alg)"
		fi
	done
	"$SK" sign --dkim -k "$W/ed.key" <"$W/qp" >"$W/br.eml" 2>"$W/err"
	expect_match "sign --dkim: '=' in the local part is =3D in i=" \
	    "$(cat "$W/br.eml")" " i=al=3Dice@example.test;"
	rec=$("$SK" record "$W/ed.key" | sed 's/^v=SK1; /v=DKIM1; /')
	check "dkimpy accepts the bridge with a quoted i=" \
	    $PY "$W/bridge.py" "$rec" al=ice example.test "$W/br.eml"
else
	skip "dkimpy peer" "python3-dkim or python3-nacl is not installed"
fi
"$SK" sign --dkim --dkim-domain example.test --dkim-selector sel \
    -k /nonexistent <"$W/msg" >"$W/o" 2>"$W/err"
expect_eq "sign --dkim with --dkim-domain: usage error (64)" "$?" 64
expect_match "sign --dkim with the test mode: says why" "$(cat "$W/err")" \
    "^senderkey: --dkim .* exclude each other"

# ---- 2. sign and verify in the bed ---------------------------------------
need_root
bed_up

ALICE=$SK_TOP/tests/bed/alice.pem
cp "$ALICE" "$W/alice.pem" && chmod 600 "$W/alice.pem"
ALICE_FP=$(openssl pkey -in "$ALICE" -pubout -outform DER | sha256sum |
    cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//')

# v FILE: senderkey verify in the bed; sets OUT and RC.
v() {
	OUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    <"$1" 2>&1)
	RC=$?
}

"$SK" sign -k "$W/alice.pem" <"$W/msg" >"$W/signed" 2>"$W/err"
check "senderkey sign signs for alice@example.test" test -s "$W/signed"
v "$W/signed"
expect_eq "secure sender: verify exits 0" "$RC" 0
expect_match "secure sender: pass with alice's key" "$OUT" \
    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP"
sed 's/noon?/one?/' "$W/signed" >"$W/t1"
v "$W/t1"
expect_eq "tampered body: exit 1" "$RC" 1
expect_match "tampered body: body-hash-mismatch" "$OUT" \
    "^result=fail reason=body-hash-mismatch"
sed 's/^Subject: Lunch/Subject: Dinner/' "$W/signed" >"$W/t2"
v "$W/t2"
expect_match "tampered Subject: sig-mismatch" "$OUT" \
    "^result=fail reason=sig-mismatch"
"$SK" sign -k "$W/alice.pem" <"$W/plain" >"$W/plain.signed" 2>"$W/err"
v "$W/plain.signed"
expect_match "plain text: pass" "$OUT" "^result=pass reason=ok"
for f in "Content-Type: text/html" "Content-Transfer-Encoding: base64"; do
	addhdr "$W/plain.signed" "$f" >"$W/t3"
	v "$W/t3"
	expect_eq "plain text + $f: exit 1" "$RC" 1
	expect_match "plain text + $f: sig-mismatch" "$OUT" \
	    "^result=fail reason=sig-mismatch"
done
"$SK" sign --dkim -k "$W/alice.pem" <"$W/msg" >"$W/bridge" 2>"$W/err"
v "$W/bridge"
expect_match "sign --dkim: verify passes (the SKS)" "$OUT" \
    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP"
v "$W/msg"
expect_eq "unsigned message: exit 1" "$RC" 1
expect_match "unsigned message: none" "$OUT" "^result=none reason=no-signature"

for d in bogus insecure nokey; do
	case $d in
	nokey) sed 's/alice@example.test/carol@example.test/' "$W/msg" ;;
	*) sed "s/alice@example.test/alice@$d.test/" "$W/msg" ;;
	esac >"$W/m-$d"
	"$SK" sign -k "$W/alice.pem" <"$W/m-$d" >"$W/s-$d" 2>"$W/err"
	v "$W/s-$d"
	case $d in
	bogus)
		expect_eq "bogus.test sender: exit 75" "$RC" 75
		expect_match "bogus.test sender: temperror dns-bogus" "$OUT" \
		    "^result=temperror reason=dns-bogus" ;;
	insecure)
		expect_eq "insecure.test sender: exit 1" "$RC" 1
		expect_match "insecure.test sender: permerror key-insecure" \
		    "$OUT" "^result=permerror reason=key-insecure" ;;
	nokey)
		expect_eq "sender without a key: exit 1" "$RC" 1
		expect_match "sender without a key: fail no-key" "$OUT" \
		    "^result=fail reason=no-key" ;;
	esac
done

# refusals
"$SK" sign -k "$W/alice.pem" -s bob@example.test <"$W/msg" >"$W/o" 2>&1
expect_eq "sign -s other than From: exits 65" "$?" 65
chmod 644 "$W/alice.pem"
"$SK" sign -k "$W/alice.pem" <"$W/msg" >"$W/o" 2>&1
expect_eq "sign refuses a key file readable by others (66)" "$?" 66
done_testing
