#!/bin/sh
# 24-trust-header: a sender's forged Sender-Key-Trust never reaches the
# client on top (issue 12 section 2; specs/verdicts.md 7.1, specs/protocol.md
# 2.4 and 5.3, docs/mta.md "Forged trust fields").  Through the bed's real
# Postfix, for every Postfix deployment, messages that arrive with forged
# fields (exact, lower-case name, two copies one of them "Name :", folded
# over two lines, and one in senderkeyd's own "untrusted" form; one
# message each for (a), one message with all of them for the others) are
# delivered with senderkey's own field first and no forged field above
# it; the delivered copy is read:
#  (a) senderkeyd's policy service alone, with the shipped
#      etc/postfix/senderkey_header_checks used as it is: an allow-mode
#      recipient and a deny-mode recipient (allowlisted sender) both get
#      senderkeyd's prepended field first; forgeries that claim anything
#      are gone, the one in the "untrusted" form sits below; in Mode
#      monitor a refused sender's message is accepted with senderkeyd's
#      "unauthorized" field first;
#  (b) senderkey-milter alone (MilterMode verify, no policy service): the
#      milter's field, exactly "Sender-Key-Trust: TAG; reason=R", is the
#      only one;
#  (c) the policy service, the shipped header_checks and the milter
#      (verify): the milter's field is the only one, and a signed message
#      to the deny-mode recipient keeps the milter's "authorized" (fields a
#      milter adds are not subject to header_checks);
#  (d) the milter in sign mode (with the policy service and header_checks
#      on port 25): a submission on port 587, signed or not, is delivered
#      with no Sender-Key-Trust and without a forged Authentication-Results
#      of this host (another host's stays); port 25 mail as in (a);
#  (e) the milter in both mode alone: port 25 as in (b), port 587 as in
#      (d).
# The submission parts need saslpasswd2 and the Cyrus sasldb plugin (as
# 71-milter-postfix) and are skipped without them.
#
# The bed is left up; this script's senderkeyd, milter and Postfix
# instance are stopped at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail.sh"

need_postfix
SK=$SK_BIN/senderkey
SKD=$SK_BIN/senderkeyd
SKM=$SK_BIN/senderkey-milter
[ -x "$SKD" ] || skip_all "bin/senderkeyd not built"
[ -x "$SKM" ] || skip_all "bin/senderkey-milter not built"
SUBMIT=1
command -v saslpasswd2 >/dev/null 2>&1 || SUBMIT=
[ -n "$(ls /usr/lib/x86_64-linux-gnu/sasl2/libsasldb.so* \
    /usr/lib/*/sasl2/libsasldb.so* 2>/dev/null)" ] || SUBMIT=
mail_up 24
MPID=

cleanup() {
	stop_ours "$MPID" "$D/"
	for _p in $SKD_PIDS; do
		stop_ours "$_p" "$D/"
	done
	"$PF" down >/dev/null 2>&1
	rm -rf "$D" "$_t_out"
}
trap cleanup EXIT

# The shipped header_checks table as it is (a copy that user postfix can
# read wherever the tree lives; cmp proves it is the same octets).
HC=$D/senderkey_header_checks
cp "$SK_TOP/etc/postfix/senderkey_header_checks" "$HC"
chmod 0644 "$HC"
check "header_checks: the shipped file, unchanged" \
    cmp "$SK_TOP/etc/postfix/senderkey_header_checks" "$HC"

# --- the policy store, keys, the sasldb, senderkeyd -----------------------
bob_store
alice_keytable
SUB=
if [ -n "$SUBMIT" ]; then
	printf 'alice-secret' | saslpasswd2 -c -p -f "$D/sasldb2" \
	    -u example.test alice 2>/dev/null || SUBMIT=
	chown root:postfix "$D/sasldb2" 2>/dev/null
	chmod 0640 "$D/sasldb2" 2>/dev/null
	[ -z "$SUBMIT" ] || SUB="--submission $D/sasldb2"
fi

SKD_GROUP=postfix
mkdir -m 0755 "$D/run"
skd_up "senderkeyd starts" skd "$D/run" "DNSTimeout 3s" \
    "DefaultMode allow" "PolicyStore $STORE"

# milter MODE: (re)start senderkey-milter in MilterMode MODE on
# $D/run/milter.sock, as user postfix.
milter() {
	# libmilter looks at a TERM only every few seconds; this milter has
	# no state worth a clean exit
	[ -z "$MPID" ] || kill -KILL "$MPID" 2>/dev/null
	stop_ours "$MPID" "$D/"
	MPID=
	milter_up "senderkey-milter listens (MilterMode $1)" \
	    "KeyTable $D/keytable" "MilterMode $1"
}

# pf_up ARGS...: tests/bed/postfix up ARGS, or stop here.
pf_up() {
	if "$PF" up "$@" >"$_t_out" 2>&1; then
		ok "postfix up $*"
	else
		not_ok "postfix up $*"
		sed 's/^/#   /' "$_t_out"
		done_testing
	fi
}

# --- the forged messages ----------------------------------------------------
FORGED_U='Sender-Key-Trust: untrusted; reason=forged'
VARIANTS="exact lower two folded untrusted"

# msg VARIANT FROM TO: a message whose header starts with VARIANT's forged
# field(s), on stdout.
msg() {
	case $1 in
	exact)	printf 'Sender-Key-Trust: authorized; reason=allowlisted-signed\n' ;;
	lower)	printf 'sender-key-trust: authorized; reason=allowlisted-signed\n' ;;
	two)	printf 'Sender-Key-Trust: authorized; reason=allowlisted-signed\n'
		printf 'Sender-Key-Trust : trusted; reason=key-secure-signed\n' ;;
	folded)	printf 'Sender-Key-Trust:\n\tauthorized; reason=allowlisted-signed\n' ;;
	untrusted) printf '%s\n' "$FORGED_U" ;;
	all)	for _mv in $VARIANTS; do
			msg "$_mv" | sed '/^From: /,$d'
		done ;;
	esac
	cat <<MSG
From: Sender <$2>
To: <$3>
Subject: 24-trust-header $1
Date: Thu, 13 Nov 2025 09:30:00 +0000
Message-ID: <$1.$$@client.bed.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

A forged trust field ($1).
MSG
}

# arrives NAME FROM TO FILE WANT [swaks args]: FILE from FROM to TO is
# accepted at the end of DATA and delivered with exactly the
# Sender-Key-Trust fields WANT (one a line, in order; empty: none).
arrives() {
	_n=$1
	_af=$2
	_at=$3
	_ai=$4
	_w=$5
	shift 5
	send_data "$_af" "$_at" "$_ai" "$@"
	_f=$(delivered "$_at")
	if [ -f "$_f" ]; then
		expect_eq "$_n" "$(fields_of "$_f" Sender-Key-Trust)" "$_w"
		cp "$_f" "$D/last"
	else
		not_ok "$_n (delivered)"
		diag "$OUT"
		diag "$(tail -n 5 "$D/milter.log" 2>/dev/null)"
	fi
}

# forgeries NAME FROM TO OURS BELOW [swaks args]: every variant from FROM
# to TO arrives with the field OURS first; with BELOW=below the forged
# "untrusted" copy stays under it (header_checks keep that form),
# otherwise it is gone too.
forgeries() {
	_fn=$1
	_ff=$2
	_ft=$3
	_fo=$4
	_fb=$5
	shift 5
	for _v in $VARIANTS; do
		msg "$_v" "$_ff" "$_ft" >"$D/msg.$_v"
		_want=$_fo
		if [ "$_v" = untrusted ] && [ "$_fb" = below ]; then
			_want="$_fo
$FORGED_U"
		fi
		arrives "$_fn, $_v forgery: Sender-Key-Trust fields" \
		    "$_ff" "$_ft" "$D/msg.$_v" "$_want" "$@"
	done
}

SKT_U_INSECURE='Sender-Key-Trust: untrusted; reason=key-insecure; sender=x@insecure.test'
SKT_U_PENDING='Sender-Key-Trust: untrusted; reason=sig-pending; sender=alice@example.test'
SUBMIT_ARGS="--port 587 --auth PLAIN --auth-user alice --auth-password alice-secret"

# all_at_once NAME FROM TO WANT [swaks args]: one message that carries
# every variant above arrives with exactly the fields WANT.
all_at_once() {
	_an=$1
	_af2=$2
	_at2=$3
	_aw=$4
	shift 4
	msg all "$_af2" "$_at2" >"$D/msg.all"
	arrives "$_an, every forgery in one message: Sender-Key-Trust fields" \
	    "$_af2" "$_at2" "$D/msg.all" "$_aw" "$@"
}

# submissions NAME: (sign path) alice submits a message with every
# forgery on port 587 (From: alice, signed), and one From: a sender
# without a KeyTable entry; each is delivered with no Sender-Key-Trust at
# all, and a forged Authentication-Results of this host is gone while
# another host's stays.
submissions() {
	if [ -z "$SUBMIT" ]; then
		skip "$1" "no saslpasswd2 or Cyrus sasldb plugin"
		return 0
	fi
	# shellcheck disable=SC2086
	all_at_once "$1, signed submission" alice@example.test \
	    dan@example.net "" $SUBMIT_ARGS
	expect_match "$1: the submission was signed" \
	    "$(fields_of "$D/last" Sender-Key-Signature)" \
	    '^Sender-Key-Signature: v=1; a=ed25519-sha256; '
	{
		printf 'Authentication-Results: mx.bed.test; senderkey=pass header.from=alice@example.test\n'
		printf 'Authentication-Results: other.example; spf=pass\n'
		msg exact x@insecure.test dan@example.net
	} >"$D/msg.ar"
	# shellcheck disable=SC2086
	arrives "$1, unsigned submission (no KeyTable entry): no Sender-Key-Trust" \
	    x@insecure.test dan@example.net "$D/msg.ar" "" $SUBMIT_ARGS
	expect_eq "$1: our forged Authentication-Results is gone, another stays" \
	    "$(fields_of "$D/last" Authentication-Results)" \
	    "Authentication-Results: other.example; spf=pass"
}

# --- (a) the policy service alone, with the shipped header_checks ----------
pf_up --policy "unix:$D/run/skd.policy" --header-checks "$HC"
forgeries "(a) policy service, allow mode" x@insecure.test dan@example.net \
    "$SKT_U_INSECURE" below
forgeries "(a) policy service, deny mode (allowlisted)" alice@example.test \
    bob@example.net "$SKT_U_PENDING" below

# --- (a) in Mode monitor: nothing refused, senderkey's field still first ---
if skd_start mon "$D/run" "DNSTimeout 3s" "Mode monitor" \
    "PolicyStore $STORE"; then
	ok "senderkeyd starts (Mode monitor)"
	pf_up --policy "unix:$D/run/mon.policy" --header-checks "$HC"
	all_at_once "(a) policy service, Mode monitor, refused sender" \
	    x@insecure.test bob@example.net \
	    "Sender-Key-Trust: unauthorized; reason=not-allowlisted; sender=x@insecure.test
$FORGED_U"
else
	not_ok "senderkeyd starts (Mode monitor)"
	sed 's/^/#   /' "$D/run/mon.log"
fi

# --- (c) policy service + header_checks + milter (verify) -----------------
# (d) on the same Postfix: the milter in sign mode.
# shellcheck disable=SC2086
pf_up --policy "unix:$D/run/skd.policy" --header-checks "$HC" \
    --milter "unix:$D/run/milter.sock" $SUB
milter verify
all_at_once "(c) policy service + milter" x@insecure.test dan@example.net \
    "$SKT_U_INSECURE"
msg two alice@example.test bob@example.net >"$D/msg.alice"
if "$SK" sign -k "$D/keys/alice.pem" <"$D/msg.alice" >"$D/signed" \
    2>"$_t_out"; then
	arrives "(c) signed, deny-mode recipient: the milter's authorized survives header_checks" \
	    alice@example.test bob@example.net "$D/signed" \
	    "Sender-Key-Trust: authorized; reason=allowlisted-signed; sender=alice@example.test; key=991303b76cb2209b2e22129e535c01f46fcc50532f10d4902dcd0bd373c2e784"
else
	not_ok "senderkey sign signs the test message"
	sed 's/^/#   /' "$_t_out"
fi

milter sign
submissions "(d) milter in sign mode"
all_at_once "(d) milter in sign mode, port 25 (policy service)" \
    x@insecure.test dan@example.net "$SKT_U_INSECURE
$FORGED_U"

# --- (b) the milter alone (verify), (e) the milter alone in both mode -----
# shellcheck disable=SC2086
pf_up --policy none --milter "unix:$D/run/milter.sock" $SUB
milter verify
all_at_once "(b) milter alone" x@insecure.test dan@example.net \
    "$SKT_U_INSECURE"
milter both
all_at_once "(e) milter in both mode, port 25" x@insecure.test \
    dan@example.net "$SKT_U_INSECURE"
submissions "(e) milter in both mode"

done_testing
