#!/bin/sh
# 61-sendmail: `senderkey sendmail` (issue 16 section 5) in front of a
# real MTA: the bed's Postfix (tests/bed/postfix), reached by a small
# submission program ($D/submit: swaks against the bed, envelope from -f
# or alice, recipients from its arguments, its arguments and input kept
# in $D/calls).  Checked:
#  1. A message from alice@example.test sent with recipients as
#     arguments and -oi reaches Postfix with the submit program called
#     with the same arguments minus --sendmail/--keys; the delivered copy
#     verifies (senderkey verify in the bed: result=pass, alice's key),
#     though it had no Date: (Postfix would add one after signing; the
#     wrapper adds Date: and Message-ID: before); one without Date: and
#     Message-ID: too.
#  2. mutt in batch mode (set sendmail="senderkey sendmail ...") and
#     git send-email --sendmail-cmd send through it; both delivered
#     messages verify as pass with alice's key.
#  3. Not sent, the submit program never run: no key for the From:
#     address (78), a key file readable by others (78), no From: (65),
#     two From: mailboxes (65), -bs and -q (64), no recipient and no -t
#     (64).  mutt reports the failure (non-zero exit).
#  4. Without -i a lone dot ends the message; the submit program's exit
#     status is ours (75); a program name without '/' is found in PATH;
#     the program gets SIGPIPE at its default (the wrapper ignores it for
#     itself); a program that cannot be run gives 69.
#  5. --dkim (the DKIM bridge, signature.md 11.1): the program gets the
#     Sender-Key-Signature on top and the DKIM-Signature right below it,
#     not the --dkim argument; the delivered copy verifies (pass, alice's
#     key) and python3-dkim accepts its DKIM-Signature with alice's key
#     served as "v=DKIM1; ..." at her selector name.  Without --dkim no
#     DKIM-Signature.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SK=$SK_BIN/senderkey
mail_up 61

cleanup() {
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

if ! "$PF" up --policy none >"$_t_out" 2>&1; then
	not_ok "the bed's Postfix comes up"
	sed 's/^/#   /' "$_t_out"
	done_testing
fi

# The key directory as keygen makes it: 0700, ADDRESS.private 0600.
mkdir -m 0700 "$D/keys"
cp "$SK_TOP/tests/bed/alice.pem" "$D/keys/alice@example.test.private"
chmod 0600 "$D/keys/alice@example.test.private"
ALICE_FP=$(openssl pkey -in "$SK_TOP/tests/bed/alice.pem" -pubout \
    -outform DER | sha256sum | cut -d' ' -f1 | tr a-f A-F |
    sed 's/../&:/g; s/:$//')

# The submission program: sendmail's argument conventions, swaks inside.
cat >"$D/submit" <<EOF2
#!/bin/sh
echo "\$*" >>"$D/calls"
from=alice@example.test
while [ \$# -gt 0 ]; do
	case \$1 in
	--) shift; break ;;
	-f) from=\$2; shift 2 ;;
	-f*) from=\${1#-f}; shift ;;
	-*) shift ;;
	*) break ;;
	esac
done
to=\$(echo "\$*" | tr ' ' ',')
cat >"$D/in"
cat "$D/in" >>"$D/calls"
exec "$PF" send --from "\$from" --to "\$to" --data "$D/in" >"$D/swaks" 2>&1
EOF2
chmod 0755 "$D/submit"
SM="$SK sendmail --keys $D/keys --sendmail $D/submit"

# v FILE: senderkey verify in the bed; sets OUT and RC.
v() {
	OUT=$(bed exec "$SK" verify -A "$SK_BED_ANCHOR" -C "$SK_BED_UBCONF" \
	    <"$1" 2>&1)
	RC=$?
}

# trusted NAME: the message the last submit queued was delivered to
# bob@example.net and verifies with alice's key.
trusted() {
	OUT=$(cat "$D/swaks" 2>/dev/null)
	_f=$(delivered bob@example.net)
	if [ -f "$_f" ]; then
		v "$_f"
		expect_match "$1: delivered, verifies with alice's key" "$OUT" \
		    "^result=pass reason=ok alg=ed25519-sha256 key=$ALICE_FP"
	else
		not_ok "$1: delivered"
		diag "$OUT"
	fi
}

# ---- 1. plain sendmail use -----------------------------------------------
cat >"$D/msg" <<'MSG'
From: Alice Example <alice@example.test>
To: Bob <bob@example.net>
Subject: 61-sendmail plain
Message-ID: <61-plain@example.test>

Hi Bob,
. a line starting with a dot
Alice
MSG
$SM -oi -f alice@example.test -- bob@example.net <"$D/msg" 2>"$_t_out"
expect_eq "sendmail -oi -f ... -- RCPT: exit 0" "$?" 0
expect_eq "the program got the other arguments" "$(head -n 1 "$D/calls")" \
    "-oi -f alice@example.test -- bob@example.net"
expect_match "the program got the signed message" "$(sed -n 2p "$D/calls")" \
    '^Sender-Key-Signature: v=1; '
trusted "sendmail"
expect_eq "Date: added once" "$(headers_of "$_f" Date | wc -l)" 1
sed '/^Message-ID:/d; s/plain/no Message-ID/' "$D/msg" >"$D/msg2"
$SM -i bob@example.net <"$D/msg2" 2>"$_t_out"
expect_eq "no Date:, no Message-ID:: exit 0" "$?" 0
trusted "no Date:, no Message-ID:"
expect_match "Message-ID: added, in alice's domain" \
    "$(headers_of "$_f" Message-ID)" '^<[0-9a-f]{32}@example.test>$'

# ---- 5. --dkim (here, after 1: a send without it is in $D/calls) -----
expect_eq "without --dkim: no DKIM-Signature" \
    "$(grep -c '^DKIM-Signature:' "$D/calls")" 0
: >"$D/calls"
$SM --dkim -i bob@example.net <"$D/msg" 2>"$_t_out"
expect_eq "sendmail --dkim: exit 0" "$?" 0
expect_eq "--dkim is not passed on" "$(head -n 1 "$D/calls")" \
    "-i bob@example.net"
expect_match "--dkim: the Sender-Key-Signature on top" \
    "$(sed -n 2p "$D/calls")" '^Sender-Key-Signature: v=1; '
expect_match "--dkim: the DKIM-Signature right below it" \
    "$(sed -n '3,$p' "$D/calls" | grep -v '^[ 	]' | head -n 1)" \
    '^DKIM-Signature: v=1; a=ed25519-sha256; .* d=example.test;'
trusted "sendmail --dkim"
if /usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null && [ -f "$_f" ]; then
	REC=$("$SK" record "$D/keys/alice@example.test.private" |
	    sed 's/^v=SK1; /v=DKIM1; /')
	check "python3-dkim accepts the delivered DKIM-Signature" \
	    /usr/bin/python3 -c '
import sys, hashlib, dkim
name = ("sk%s._domainkey.example.test." %
    hashlib.sha256(b"alice").hexdigest()[:32]).encode()
rec = sys.argv[1].encode()
msg = open(sys.argv[2], "rb").read()
sys.exit(0 if dkim.verify(msg, dnsfunc=lambda n, timeout=5:
    rec if n == name else None) else 1)' "$REC" "$_f"
else
	skip "python3-dkim on the --dkim copy" \
	    "python3-dkim or python3-nacl is not installed, or no copy"
fi

# ---- 2. mutt and git send-email -----------------------------------------
if command -v mutt >/dev/null 2>&1; then
	cat >"$D/muttrc" <<EOF2
set sendmail="$SM"
set from="Alice Example <alice@example.test>"
set use_from=yes
set hostname=example.test
set copy=no
set record=""
set folder="$D"
set spoolfile="$D/spool"
EOF2
	: >"$D/calls"
	echo "Hi Bob, from mutt." | HOME=$D mutt -n -F "$D/muttrc" \
	    -s "61-sendmail mutt" bob@example.net >"$_t_out" 2>&1
	expect_eq "mutt in batch mode: exit 0" "$?" 0
	trusted "mutt"
else
	skip "mutt" "mutt is not installed"
fi

if git send-email -h 2>&1 | grep -q sendmail-cmd; then
	G=$D/repo
	git init -q "$G"
	git -C "$G" config user.name "Alice Example"
	git -C "$G" config user.email alice@example.test
	echo "a line" >"$G/file"
	git -C "$G" add file
	git -C "$G" commit -q -m "61-sendmail: a patch by git send-email"
	git -C "$G" format-patch -q -1 -o "$D/patches"
	: >"$D/calls"
	HOME=$D git -C "$G" send-email --sendmail-cmd="$SM" --confirm=never \
	    --from="Alice Example <alice@example.test>" --to=bob@example.net \
	    --suppress-cc=all "$D"/patches/*.patch >"$_t_out" 2>&1
	expect_eq "git send-email --sendmail-cmd: exit 0" "$?" 0
	trusted "git send-email"
else
	skip "git send-email" "git send-email (git-email) is not installed"
fi

# ---- 3. what it cannot sign is not sent ---------------------------------
# notsent NAME WANT ARGS...: $D/in2 through sendmail ARGS exits WANT
# with one line on stderr, and the submit program is not run.
notsent() {
	_n=$1
	_w=$2
	shift 2
	: >"$D/calls"
	$SM "$@" <"$D/in2" >"$_t_out" 2>&1
	expect_eq "$_n: exit $_w" "$?" "$_w"
	expect_match "$_n: says why" "$(cat "$_t_out")" "^senderkey: sendmail: "
	expect_eq "$_n: nothing handed on" "$(cat "$D/calls")" ""
}
sed 's/alice@example.test/carol@example.test/' "$D/msg" >"$D/in2"
notsent "no key for the From: address" 78 bob@example.net
expect_match "... names the address" "$(cat "$_t_out")" "carol@example.test"
sed '/^From:/d' "$D/msg" >"$D/in2"
notsent "no From:" 65 bob@example.net
sed 's/^From: .*/From: a@example.test, alice@example.test/' "$D/msg" >"$D/in2"
notsent "two From: mailboxes" 65 bob@example.net
cp "$D/msg" "$D/in2"
chmod 0644 "$D/keys/alice@example.test.private"
notsent "a key file others can read" 78 bob@example.net
chmod 0600 "$D/keys/alice@example.test.private"
notsent "-bs" 64 -bs
notsent "-q" 64 -q
notsent "no recipient and no -t" 64 -oi
if command -v mutt >/dev/null 2>&1; then
	sed 's/alice@/carol@/' "$D/muttrc" >"$D/muttrc2"
	: >"$D/calls"
	echo "no key" | HOME=$D mutt -n -F "$D/muttrc2" -s "61 nokey" \
	    bob@example.net >"$_t_out" 2>&1
	_rc=$?
	check "mutt, no key: mutt fails" test "$_rc" -ne 0
	expect_eq "mutt, no key: nothing handed on" "$(cat "$D/calls")" ""
fi

# ---- 4. dots, exit status, a missing program -----------------------------
printf 'From: alice@example.test\nSubject: dot\n\nbefore\n.\nafter\n' \
    >"$D/in2"
: >"$D/calls"
$SM bob@example.net <"$D/in2" 2>"$_t_out"
expect_eq "without -i: exit 0" "$?" 0
expect_eq "without -i: a lone dot ends the message" \
    "$(tail -n 1 "$D/calls")" "before"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$D/fail75"
chmod 0755 "$D/fail75"
"$SK" sendmail --keys "$D/keys" --sendmail "$D/fail75" -t <"$D/msg" \
    2>"$_t_out"
expect_eq "the program's exit status (75) is ours" "$?" 75
PATH=$D:$PATH "$SK" sendmail --keys "$D/keys" --sendmail fail75 -t \
    <"$D/msg" 2>"$_t_out"
expect_eq "a program name without '/' is looked up in PATH" "$?" 75
printf '#!/bin/sh\ncat >/dev/null\nsed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status >%s\n' \
    "$D/sigign" >"$D/sigs"
chmod 0755 "$D/sigs"
"$SK" sendmail --keys "$D/keys" --sendmail "$D/sigs" -t <"$D/msg" 2>"$_t_out"
check "the program does not inherit an ignored SIGPIPE" \
    test $(( 0x$(cat "$D/sigign") & 0x1000 )) -eq 0
SENDERKEY_SENDMAIL=$D/nonexistent "$SK" sendmail --keys "$D/keys" -t \
    <"$D/msg" >"$_t_out" 2>&1
expect_eq "\$SENDERKEY_SENDMAIL that cannot be run: exit 69" "$?" 69
expect_match "... says so" "$(cat "$_t_out")" "cannot run $D/nonexistent"

done_testing
