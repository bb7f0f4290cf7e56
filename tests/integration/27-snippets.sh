#!/bin/sh
# 27-snippets: every fenced block of README.md, INSTALL and docs/mta.md,
# run as printed (issue 15: "every snippet ... is run by make check as
# pasted").  tests/tools/snippets extracts the blocks; a block is named by
# its first line, and a block of a kind this script has no handler for
# fails the test, so a snippet added later without a test fails make check.
#
# Each document runs in order, as a reader would follow it, in its own
# session: "ip netns exec" into the DNSSEC test bed (a private mount
# namespace) with overlays over /etc, /var/lib and /usr/share and a tmpfs
# on /run and /var/spool/postfix, so /etc/senderkey, /etc/postfix,
# /etc/exim4, /run/senderkey, /var/lib/senderkey, /usr/share/senderkey and
# /var/spool/postfix are the session's own; the host never sees them.
# The daemons' logs and Postfix's are copied to
# $SK_BUILD/test-logs/27-snippets-DOC/.  In a session:
#   conf       (# /etc/senderkey/senderkeyd.conf) installed as that file,
#              "senderkeyd -n" says ok, senderkeyd is (re)started and
#              answers PING on Socket and a policy request on
#              PolicySocket; with MilterSocket, senderkey-milter is
#              (re)started and listens there.  One line is added to the
#              installed copy: "UnboundConfig" naming the bed's resolver
#              config (the bed is this machine's "Internet"), and the
#              bed's root key is bind-mounted over
#              /usr/share/dns/root.key.
#   main.cf    (# /etc/postfix/main.cf) the parameters it sets are taken
#              out of /etc/postfix/main.cf and the snippet is appended,
#   master.cf  (# /etc/postfix/master.cf) its lines replace the services
#              of the same name; the session's Postfix (Debian's, config
#              directory /etc/postfix, queue /var/spool/postfix; the base
#              config is tests/bed/postfix-conf's, with mynetworks not
#              holding the test client) passes "postfix check", is
#              restarted, and a message from nobody@insecure.test (an
#              unsigned zone) is delivered with senderkey's
#              Sender-Key-Trust field on top, senderkeyd's policy request
#              count grows (when check_policy_service is configured) and,
#              when smtpd_milters is set, the milter's
#              Authentication-Results field is there.
#   exim       (# /etc/exim4/exim4.conf) the snippet is the config of a
#              real Exim 4.96 (tests/bed/exim's unpacked binary) with the
#              bed's lines (spool, log, port 2526, queue_only, routers)
#              around it; a message gets 250 and senderkey's field.
#   exim-macros (# /etc/exim4/exim4.conf.localmacros) the same, in a config
#              shaped like Debian's: the macros first, then ACLs that
#              .include CHECK_RCPT_LOCAL_ACL_FILE / CHECK_DATA_LOCAL_ACL_FILE.
#   shell      ("$ " lines) each command runs with sh as root in the
#              session's work directory (a copy of the tree's etc/ in
#              it), PATH starting with the built programs; it must exit 0
#              and, where the block shows output, print that output
#              ("..." matches any text, a line of "..." any lines).  Not
#              run but checked: "make ARGS" (make -n ARGS in the tree
#              succeeds), "apt install ./senderkey*.deb" (debian/control
#              declares senderkey and senderkeyd; then what the package
#              does at install is done, as its postinst: user and group
#              senderkey, /var/lib/senderkey root:senderkey 0750, the
#              conffile, an empty store, /usr/share/senderkey/),
#              "systemctl" (the unit file etc/systemd/NAME.service exists;
#              start/restart/reload/stop act on the session's senderkeyd,
#              senderkey-milter and Postfix; a restart of a daemon that
#              runs with the config as it is now is skipped).
# README.md and docs/mta.md start as after "apt install"; INSTALL starts
# bare.  INSTALL's first senderkeyd.conf block must hold the settings of
# the shipped etc/senderkey/senderkeyd.conf.  The bed is left up; the
# sessions' processes are stopped.
. "$(dirname "$0")/lib.sh"

DOCS="README.md INSTALL docs/mta.md"
EXIM_PORT=2526

# --- helpers shared by the session and the shims ---------------------------

# conf_get KEY DEFAULT: KEY's last value in the installed senderkeyd.conf
conf_get() {
	awk -v k="$1" -v d="$2" '$1 == k { v = $2 } END { print (v == "" ? d : v) }' \
	    /etc/senderkey/senderkeyd.conf 2>/dev/null
}

# sock_path SPEC: unix:/p -> /p, inet:H:P -> H:P, none -> ""
sock_path() {
	case $1 in
	unix:*) echo "${1#unix:}" ;;
	inet:*) echo "${1#inet:}" ;;
	*) echo "" ;;
	esac
}

wait_sock() {	# SPEC: the socket file appears (unix) within 10 s
	_w=$(sock_path "$1")
	case $1 in unix:*) ;; *) return 0 ;; esac
	_i=0
	while [ ! -S "$_w" ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || return 1
		sleep 0.1
	done
}

svc_stop() {	# NAME: stop the session's senderkeyd or senderkey-milter
	_p=$(cat "$S/run/$1.pid" 2>/dev/null)
	rm -f "$S/run/$1.pid"
	[ -n "$_p" ] || return 0
	kill -TERM "$_p" 2>/dev/null
	_i=0
	while alive "$_p" && [ $_i -lt 20 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	alive "$_p" && kill -KILL "$_p" 2>/dev/null
	return 0
}

# svc_current NAME: it runs, started with the config as it is now (a
# restart would change nothing: the shim skips it, to keep the test fast)
svc_current() {
	alive "$(cat "$S/run/$1.pid" 2>/dev/null)" &&
	    [ "$(cat "$S/run/$1.sum" 2>/dev/null)" = "$(cksum </etc/senderkey/senderkeyd.conf 2>/dev/null)" ]
}

svc_start() {	# NAME: start it in the foreground, in the background
	svc_stop "$1"
	cksum </etc/senderkey/senderkeyd.conf >"$S/run/$1.sum" 2>/dev/null
	# RuntimeDirectory=senderkey, Group=senderkey of the units
	! getent group senderkey >/dev/null ||
	    install -d -o root -g senderkey -m 0750 /run/senderkey
	case $1 in
	senderkeyd)
		"$SK_BIN/senderkeyd" -f >>"$S/log/senderkeyd.log" 2>&1 &
		echo $! >"$S/run/senderkeyd.pid"
		# ready: it answers PING (a socket file alone may be the old one's)
		_l=$(sock_path "$(conf_get Socket unix:/run/senderkey/senderkeyd.sock)")
		_i=0
		until [ -z "$_l" ] || printf 'PING\n' | "$SKC" "$_l" -H 2>/dev/null |
		    grep -q '^ok pong'; do
			_i=$((_i + 1))
			[ $_i -lt 100 ] && alive "$(cat "$S/run/senderkeyd.pid")" || {
				tail -n 5 "$S/log/senderkeyd.log" >&2
				return 1
			}
			sleep 0.1
		done ;;
	senderkey-milter)
		# a socket file left by a killed milter is not a listening one
		_m=$(conf_get MilterSocket unix:/run/senderkey/milter.sock)
		case $_m in unix:*) rm -f "${_m#unix:}" ;; esac
		"$SK_BIN/senderkey-milter" -d >>"$S/log/milter.log" 2>&1 &
		echo $! >"$S/run/senderkey-milter.pid"
		wait_sock "$(conf_get MilterSocket unix:/run/senderkey/milter.sock)" ||
		    { tail -n 5 "$S/log/milter.log" >&2; return 1; } ;;
	esac
}

pf_pid() {	# the session's Postfix master, if it runs
	_p=$(tr -dc '0-9' 2>/dev/null </var/spool/postfix/pid/master.pid)
	[ -n "$_p" ] && alive "$_p" && echo "$_p"
}

pf_running() {
	[ -n "$(pf_pid)" ]
}

pf_stop() {
	_p=$(pf_pid)
	[ -n "$_p" ] || return 0
	kill -TERM "$_p"
	_i=0
	while alive "$_p" && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
}

# pf_start: as tests/bed/postfix starts its instance (master -w)
pf_start() {
	pf_stop
	# "postfix check" makes the queue's directories (a second or more)
	[ -d /var/spool/postfix/active ] ||
	    postfix check >>"$S/log/postfix.out" 2>&1 || return 1
	/usr/lib/postfix/sbin/master -w >>"$S/log/postfix.out" 2>&1 || return 1
	_i=0
	until timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/25 || exit 1
	    IFS= read -r -t 2 l <&3 || exit 1; printf "QUIT\r\n" >&3
	    case $l in 220*) exit 0 ;; esac; exit 1' 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 20 ] || return 1
		sleep 0.1
	done
}

pf_reload() {
	if pf_running; then kill -HUP "$(pf_pid)"; sleep 1; else pf_start; fi
}

# pkg_install: what "apt install ./senderkey*.deb" does, by the project's
# conventions (the packaging's own test checks the real package).
pkg_install() {
	getent group senderkey >/dev/null || groupadd --system senderkey
	getent passwd senderkey >/dev/null || useradd --system \
	    --gid senderkey --home-dir /var/lib/senderkey \
	    --shell /usr/sbin/nologin senderkey
	install -d -o root -g senderkey -m 0750 /var/lib/senderkey
	install -d -o senderkey -g senderkey -m 0750 /var/lib/senderkey/journal
	install -d -m 0755 /etc/senderkey
	if [ -f "$SK_TOP/etc/senderkey/senderkeyd.conf" ]; then
		cp "$SK_TOP/etc/senderkey/senderkeyd.conf" /etc/senderkey/
	else
		printf '%s\n' "User senderkey" "MilterUser senderkey" \
		    "SocketGroup senderkey" \
		    "PolicyStore /var/lib/senderkey/policy.db" \
		    "TrustAnchorFile /usr/share/dns/root.key" \
		    >/etc/senderkey/senderkeyd.conf
	fi
	bed_dns /etc/senderkey/senderkeyd.conf
	"$SK_BIN/senderkey" policy -f /var/lib/senderkey/policy.db \
	    import /dev/null >/dev/null &&
	    chgrp senderkey /var/lib/senderkey/policy.db*
	for _d in postfix exim4 dovecot; do
		[ -d "$SK_TOP/etc/$_d" ] || continue
		install -d /usr/share/senderkey/$_d
		install -m 0644 "$SK_TOP/etc/$_d"/* /usr/share/senderkey/$_d/
	done
}

# bed_dns FILE: the one line the test adds to an installed config
bed_dns() {
	grep -Eq '^[[:space:]]*(UnboundConfig|Forwarders)[[:space:]]' "$1" &&
	    return 0
	printf '# added by 27-snippets: the test bed is the DNS\nUnboundConfig %s\n' \
	    "$SK_BED_UBCONF" >>"$1"
}

# --- shims: commands that would act on the host ------------------------------

shim_systemctl() {
	_act=
	for _a in "$@"; do
		case $_a in
		--now) _act="$_act+now" ;;
		-*) ;;
		enable|disable|start|stop|restart|reload|status|daemon-reload)
			_act="$_a$_act" ;;
		*)
			_u=${_a%.service}
			case $_u in
			senderkeyd|senderkey-milter)
				[ -f "$SK_TOP/etc/systemd/$_u.service" ] || {
					echo "systemctl (27-snippets): no unit etc/systemd/$_u.service in the tree" >&2
					return 1
				}
				case $_act in
				start*|restart*|enable+now|reload*)
					if [ "${_act%%+*}" = reload ] &&
					    [ -s "$S/run/$_u.pid" ]; then
						kill -HUP "$(cat "$S/run/$_u.pid")"
					elif svc_current "$_u"; then
						:	# runs with this very config
					else
						svc_start "$_u" || return 1
					fi ;;
				stop*|disable+now) svc_stop "$_u" ;;
				esac ;;
			postfix)
				case $_act in
				reload*) pf_reload ;;
				start*|restart*|enable+now) pf_start ;;
				stop*) pf_stop ;;
				esac || return 1 ;;
			*) echo "systemctl (27-snippets): unknown unit $_a" >&2
				return 1 ;;
			esac ;;
		esac
	done
}

shim_apt() {
	[ "${1:-}" = install ] || {
		echo "apt (27-snippets): only 'install ./senderkey*.deb'" >&2
		return 1
	}
	shift
	for _a in "$@"; do
		case $_a in
		./senderkey*.deb) ;;
		*) echo "apt (27-snippets): not a senderkey package: $_a" >&2
			return 1 ;;
		esac
	done
	_c=$SK_TOP/debian/control
	[ -f "$_c" ] && grep -qx 'Package: senderkey' "$_c" &&
	    grep -qx 'Package: senderkeyd' "$_c" || {
		echo "apt (27-snippets): debian/control does not build senderkey and senderkeyd" >&2
		return 1
	}
	pkg_install
}

shim_make() {
	/usr/bin/make -n -C "$SK_TOP" "$@" >/dev/null
}

# --- the session: one document, in order ------------------------------------

# expect_output NAME OUT WANT: OUT matches WANT ("..." wildcards)
expect_output() {
	if /usr/bin/python3 - "$2" "$3" <<'PY'
import re, sys
got = open(sys.argv[1]).read()
if got and not got.endswith("\n"):
	got += "\n"
want = open(sys.argv[2]).read()
pat = ""
for line in want.split("\n")[:-1]:
	if line == "...":
		pat += r"(?:.*\n)*"
	else:
		pat += ".*".join(re.escape(p) for p in line.split("...")) + r"\n"
sys.exit(0 if re.fullmatch(pat, got) else 1)
PY
	then
		ok "$1"
	else
		not_ok "$1"
		diag "got:"
		diag "$(cat "$2")"
		diag "want:"
		diag "$(cat "$3")"
	fi
}

do_shell() {	# FILE NAME: the commands of a "$ " block
	awk -v dir="$S/cmd" '
	    function flush() { if (n) close(dir "/" n ".want") }
	    cont { c = c "\n" $0; cont = /\\$/; if (!cont) print c >(dir "/" n ".cmd"); next }
	    /^\$ / { flush(); n++; c = substr($0, 3); cont = /\\$/
		printf "" >(dir "/" n ".want")
		if (!cont) print c >(dir "/" n ".cmd"); next }
	    { print >>(dir "/" n ".want") }' "$1"
	_n=1
	while [ -f "$S/cmd/$_n.cmd" ]; do
		_c=$(cat "$S/cmd/$_n.cmd")
		_t="$2: \$ $(printf '%s' "$_c" | sed 's/\\/\\\\/g' | tr '\n' ' ')"
		(cd "$S/work" && sh -c "$_c") >"$S/cmd/out" 2>&1
		_rc=$?
		if [ $_rc -ne 0 ]; then
			not_ok "$_t"
			diag "exit status $_rc"
			diag "$(cat "$S/cmd/out")"
		elif [ -s "$S/cmd/$_n.want" ]; then
			expect_output "$_t" "$S/cmd/out" "$S/cmd/$_n.want"
		else
			ok "$_t"
		fi
		_n=$((_n + 1))
	done
	rm -f "$S"/cmd/*
}

do_conf() {	# FILE NAME
	install -d -m 0755 /etc/senderkey
	cp "$1" /etc/senderkey/senderkeyd.conf
	bed_dns /etc/senderkey/senderkeyd.conf
	check "$2: senderkeyd -n" "$SK_BIN/senderkeyd" -n
	if ! svc_start senderkeyd 2>"$S/cmd/err"; then
		not_ok "$2: senderkeyd starts"
		diag "$(cat "$S/cmd/err")"
		return
	fi
	ok "$2: senderkeyd starts"
	_l=$(sock_path "$(conf_get Socket unix:/run/senderkey/senderkeyd.sock)")
	if [ -n "$_l" ]; then
		expect_match "$2: PING on the line socket $_l" \
		    "$(printf 'PING\n' | "$SKC" "$_l" -H 2>&1)" '^ok pong proto=1 '
	fi
	_p=$(sock_path "$(conf_get PolicySocket unix:/run/senderkey/policy.sock)")
	if [ -n "$_p" ]; then
		expect_match "$2: a policy request on $_p" \
		    "$(printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.1\nsender=\nrecipient=carol@example.net\n\n' |
		    "$SKC" "$_p" -b 1 2>&1)" '^action='
	fi
	if grep -Eq '^[[:space:]]*MilterSocket[[:space:]]' "$1"; then
		if svc_start senderkey-milter 2>"$S/cmd/err"; then
			ok "$2: senderkey-milter listens on $(conf_get MilterSocket -)"
		else
			not_ok "$2: senderkey-milter listens on $(conf_get MilterSocket -)"
			diag "$(cat "$S/cmd/err")"
		fi
	else
		svc_stop senderkey-milter
	fi
}

policy_requests() {
	"$SK_BIN/senderkey" stats 2>/dev/null | sed -n 's/^requests_policy=//p'
}

# mail_check NAME: a message through the session's Postfix
mail_check() {
	_before=$(policy_requests)
	_subj="27-snippets $1"
	_out=$(swaks --server 127.0.0.1 --port 25 --helo client.bed.test \
	    --from nobody@insecure.test --to carol@example.net \
	    --header "Subject: $_subj" 2>&1)
	if ! printf '%s\n' "$_out" | grep -q '^<- *250 .*queued as'; then
		not_ok "$1: Postfix accepts a message"
		diag "$_out"
		diag "$(tail -n 10 "$S/pf/maillog" 2>/dev/null)"
		return
	fi
	ok "$1: Postfix accepts a message"
	_i=0 _f=
	while [ $_i -lt 100 ]; do
		_f=$(grep -lF "Subject: $_subj" "$S"/pf/mail/maildir/new/* 2>/dev/null |
		    head -n 1)
		[ -n "$_f" ] && break
		_i=$((_i + 1))
		sleep 0.2
	done
	if [ -z "$_f" ]; then
		not_ok "$1: delivered"
		diag "$(tail -n 10 "$S/pf/maillog")"
		return
	fi
	expect_match "$1: delivered with senderkey's Sender-Key-Trust on top" \
	    "$(grep -i -m 1 '^Sender-Key-Trust' "$_f")" \
	    '^Sender-Key-Trust: untrusted; reason=key-insecure; sender=[^ ;]+$'
	if [ -n "$(postconf -h smtpd_recipient_restrictions | grep check_policy_service)" ]; then
		_after=$(policy_requests)
		expect_eq "$1: senderkeyd was asked (requests_policy grew)" \
		    "$([ "${_after:-0}" -gt "${_before:-0}" ] && echo yes)" yes
	fi
	if [ -n "$(postconf -h smtpd_milters)" ]; then
		expect_match "$1: the milter's Authentication-Results" \
		    "$(sed '/^$/q' "$_f" | grep -i '^Authentication-Results:')" \
		    'senderkey='
	fi
}

do_main() {	# FILE NAME: as an editor would, each parameter the snippet
		# sets is taken out of main.cf first
	awk 'NR == FNR { if (match($0, /^[a-z0-9_]+[ \t]*=/)) {
		n = $0; sub(/[ \t]*=.*$/, "", n); set[n] = 1 }; next }
	    /^[ \t]/ && skip { next }
	    { skip = 0 }
	    match($0, /^[a-z0-9_]+[ \t]*=/) { n = $0; sub(/[ \t]*=.*$/, "", n)
		if (n in set) { skip = 1; next } }
	    { print }' "$1" /etc/postfix/main.cf >/etc/postfix/main.cf.new &&
	    cat "$1" >>/etc/postfix/main.cf.new &&
	    mv /etc/postfix/main.cf.new /etc/postfix/main.cf
	pf_apply "$2"
}

do_master() {	# FILE NAME
	grep -v '^[[:space:]]*#' "$1" | grep -v '^[[:space:]]*$' |
	while read -r _svc _typ _rest; do
		awk -v s="$_svc" -v t="$_typ" -v l="$_svc $_typ $_rest" '
		    $1 == s && $2 == t { print l; done = 1; next } { print }
		    END { if (!done) print l }' /etc/postfix/master.cf \
		    >/etc/postfix/master.cf.new &&
		    mv /etc/postfix/master.cf.new /etc/postfix/master.cf
	done
	pf_apply "$2"
}

pf_apply() {	# NAME
	if ! postfix check >"$S/cmd/err" 2>&1; then
		not_ok "$1: postfix check"
		diag "$(cat "$S/cmd/err")"
		diag "$(tail -n 5 "$S/pf/maillog")"
		return
	fi
	ok "$1: postfix check"
	if ! pf_start; then
		not_ok "$1: Postfix starts"
		diag "$(tail -n 10 "$S/pf/maillog")"
		return
	fi
	mail_check "$1"
}

# exim_run NAME CONFIG: the composed CONFIG in a real Exim, one message
exim_run() {
	if [ -z "$EXIM_ROOT" ]; then
		skip "$1" "the Exim 4.96 .debs are not available"
		return
	fi
	_x() { env LD_LIBRARY_PATH="$EXIM_ROOT/usr/lib/x86_64-linux-gnu:$EXIM_ROOT/lib/x86_64-linux-gnu" \
	    "$EXIM_ROOT/usr/sbin/exim4" -C "$2" "$@"; }
	[ -s "$S/exim/pid" ] && kill "$(cat "$S/exim/pid")" 2>/dev/null
	rm -rf "$S/exim"
	mkdir -p "$S/exim/spool" "$S/exim/log" "$S/exim/mail"
	chown Debian-exim:Debian-exim "$S/exim/spool" "$S/exim/log"
	chown nobody:nogroup "$S/exim/mail"
	if ! env LD_LIBRARY_PATH="$EXIM_ROOT/usr/lib/x86_64-linux-gnu:$EXIM_ROOT/lib/x86_64-linux-gnu" \
	    "$EXIM_ROOT/usr/sbin/exim4" -C "$2" -bV >"$S/cmd/err" 2>&1; then
		not_ok "$1: exim -bV accepts the config"
		diag "$(grep -v '^[A-Z][A-Za-z ]*:' "$S/cmd/err" | tail -n 5)"
		return
	fi
	ok "$1: exim -bV accepts the config"
	if ! env LD_LIBRARY_PATH="$EXIM_ROOT/usr/lib/x86_64-linux-gnu:$EXIM_ROOT/lib/x86_64-linux-gnu" \
	    "$EXIM_ROOT/usr/sbin/exim4" -C "$2" -bd -oX $EXIM_PORT \
	    -oP "$S/exim/pid" >"$S/cmd/err" 2>&1; then
		not_ok "$1: exim starts"
		diag "$(cat "$S/cmd/err")"
		return
	fi
	_i=0
	until timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$EXIM_PORT" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || break
		sleep 0.1
	done
	_out=$(swaks --server 127.0.0.1 --port $EXIM_PORT --helo client.bed.test \
	    --from nobody@insecure.test --to carol@example.net \
	    --header "Subject: 27-snippets $1" 2>&1)
	_id=$(printf '%s\n' "$_out" | sed -n 's/^<-  *250 OK id=\([-0-9A-Za-z]*\).*$/\1/p')
	if [ -z "$_id" ]; then
		not_ok "$1: Exim accepts a message"
		diag "$_out"
		diag "$(tail -n 5 "$S/exim/log/mainlog" 2>/dev/null)"
	else
		ok "$1: Exim accepts a message"
		expect_match "$1: senderkey's Sender-Key-Trust field in the spool" \
		    "$(grep -a 'Sender-Key-Trust:' "$S/exim/spool/input/$_id-H")" \
		    'Sender-Key-Trust: untrusted; reason=key-insecure'
	fi
	kill "$(cat "$S/exim/pid")" 2>/dev/null
}

exim_bed_main() {
	cat <<EOF
# the test bed's lines (27-snippets)
primary_hostname = mx.bed.test
qualify_domain = bed.test
spool_directory = $S/exim/spool
log_file_path = $S/exim/log/%slog
local_interfaces = 127.0.0.1
daemon_smtp_ports = $EXIM_PORT
exim_path = $EXIM_ROOT/usr/sbin/exim4
keep_environment = LD_LIBRARY_PATH
tls_advertise_hosts =
host_lookup =
queue_only = true
domainlist local_domains = *
EOF
}

exim_bed_routers() {
	cat <<EOF

begin routers

mailbox:
  driver = accept
  domains = +local_domains
  transport = maildir

begin transports

maildir:
  driver = appendfile
  directory = $S/exim/mail
  maildir_format
  user = nobody
  group = nogroup
EOF
}

do_exim() {	# FILE NAME
	mkdir -p /etc/exim4
	{ exim_bed_main; cat "$1"; exim_bed_routers; } >/etc/exim4/exim4.conf
	exim_run "$2" /etc/exim4/exim4.conf
}

do_exim_macros() {	# FILE NAME
	mkdir -p /etc/exim4
	cp "$1" /etc/exim4/exim4.conf.localmacros
	{
		cat /etc/exim4/exim4.conf.localmacros
		exim_bed_main
		cat <<'EOF'
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data

begin acl

# the hooks of Debian's exim4-config template
acl_check_rcpt:
  require verify = recipient
.ifdef CHECK_RCPT_LOCAL_ACL_FILE
.include CHECK_RCPT_LOCAL_ACL_FILE
.endif
  accept

acl_check_data:
.ifdef CHECK_DATA_LOCAL_ACL_FILE
.include CHECK_DATA_LOCAL_ACL_FILE
.endif
  accept
EOF
		exim_bed_routers
	} >"$S/exim4.conf.debian"
	exim_run "$2" "$S/exim4.conf.debian"
}

session_end() {
	svc_stop senderkey-milter
	svc_stop senderkeyd
	[ -s "$S/exim/pid" ] && kill "$(cat "$S/exim/pid")" 2>/dev/null
	pf_stop
	# the daemons' logs, for a failure's post-mortem
	_k=${SK_BUILD:-/tmp}/test-logs/27-snippets-$(printf '%s' "$DOC" | tr '/.' '__')
	mkdir -p "$_k" && cp "$S"/log/* "$S/pf/maillog" "$_k/" 2>/dev/null
	rm -f "$_t_out"
}

session() {	# DOC W
	DOC=$1
	S=$2/s-$(printf '%s' "$DOC" | tr '/.' '__')
	mkdir -p "$S" || exit 1
	mount -t tmpfs -o mode=0755 tmpfs "$S" || exit 1
	mkdir -p "$S/etc.u" "$S/etc.w" "$S/lib.u" "$S/lib.w" "$S/share.u" \
	    "$S/share.w" "$S/work" \
	    "$S/cmd" "$S/run" "$S/log" "$S/shim" "$S/pf/data" "$S/pf/mail"
	mount -t overlay overlay \
	    -o "lowerdir=/etc,upperdir=$S/etc.u,workdir=$S/etc.w" /etc &&
	mount -t overlay overlay \
	    -o "lowerdir=/var/lib,upperdir=$S/lib.u,workdir=$S/lib.w" /var/lib &&
	mount -t overlay overlay \
	    -o "lowerdir=/usr/share,upperdir=$S/share.u,workdir=$S/share.w" /usr/share &&
	mount -t tmpfs -o mode=0755 tmpfs /run &&
	mount -t tmpfs -o mode=0755 tmpfs /var/spool/postfix || {
		not_ok "$DOC: the private mounts"
		done_testing
	}
	[ ! -f "/etc/netns/$SK_BED_NS/resolv.conf" ] ||
	    mount --bind "/etc/netns/$SK_BED_NS/resolv.conf" /etc/resolv.conf
	[ ! -f /usr/share/dns/root.key ] ||
	    mount --bind "$SK_BED_ANCHOR" /usr/share/dns/root.key
	trap session_end EXIT
	trap 'exit 1' INT TERM
	# as if exim4-config were installed (the fragments go there)
	install -d -m 0755 /etc/exim4
	getent passwd Debian-exim >/dev/null ||
	    useradd --system --user-group --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin Debian-exim
	# Debian's Postfix, configured for the bed (tests/bed/postfix-conf)
	awk -v pf="$S/pf" '{ gsub(/@PF@/, pf) } /^@(RCPT|MILTER)@$/ { next }
	    /^(config_directory|queue_directory|mynetworks) / { next }
	    { print }' "$SK_TOP/tests/bed/postfix-conf/main.cf.in" \
	    >/etc/postfix/main.cf
	cat >>/etc/postfix/main.cf <<EOF
# the session's Postfix is the system's (27-snippets)
config_directory = /etc/postfix
queue_directory = /var/spool/postfix
# the test client (127.0.0.1) is not one of "mynetworks"
mynetworks = 127.0.0.2/32
EOF
	cp "$SK_TOP/tests/bed/postfix-conf/master.cf" \
	    "$SK_TOP/tests/bed/postfix-conf/vdomains" /etc/postfix/
	sed -i "s|$S/pf/etc/vdomains|/etc/postfix/vdomains|" /etc/postfix/main.cf
	chown postfix:postfix "$S/pf/data"
	chown nobody:nogroup "$S/pf/mail"
	touch "$S/pf/maillog"
	# the source tree's etc/ for "cp etc/..."
	cp -r "$SK_TOP/etc" "$S/work/etc"
	for _s in systemctl apt apt-get make; do
		printf '#!/bin/sh\nexec sh "%s" --shim %s "$@"\n' \
		    "$SK_TOP/tests/integration/27-snippets.sh" "$_s" \
		    >"$S/shim/$_s"
		chmod 0755 "$S/shim/$_s"
	done
	PATH=$S/shim:$SK_BIN:$PATH:/usr/sbin:/sbin
	export PATH S EXIM_ROOT SKC
	[ "$DOC" = INSTALL ] || pkg_install
	while IFS='	' read -r _n _doc _line _kind; do
		[ "$_doc" = "$DOC" ] || continue
		_f=$2/snip/$_n
		_name="$DOC:$_line"
		_t0=$(date +%s.%N)
		case $_kind in
		shell) do_shell "$_f" "$_name" ;;
		conf) do_conf "$_f" "$_name" ;;
		main.cf) do_main "$_f" "$_name" ;;
		master.cf) do_master "$_f" "$_name" ;;
		exim) do_exim "$_f" "$_name" ;;
		exim-macros) do_exim_macros "$_f" "$_name" ;;
		esac
		diag "$_name ($_kind): $(awk -v a="$_t0" -v b="$(date +%s.%N)" \
		    'BEGIN { printf "%.1f", b - a }') s"
	done <"$2/index"
	done_testing
}

# --- entry points ------------------------------------------------------------

case ${1:-} in
--shim)
	shift
	_s=$1
	shift
	case $_s in
	systemctl) shim_systemctl "$@" ;;
	apt|apt-get) shim_apt "$@" ;;
	make) shim_make "$@" ;;
	esac
	exit $?
	;;
--session)
	session "$2" "$3"
	;;
esac

need_root
command -v swaks >/dev/null 2>&1 || skip_all "swaks is not installed"
[ -x /usr/lib/postfix/sbin/master ] || skip_all "postfix is not installed"
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"
grep -qw overlay /proc/filesystems || skip_all "no overlay file system"
SKC=$SK_BUILD/tests/skclient
[ -x "$SKC" ] || skip_all "tests/tools/skclient not built"
EXIM_ROOT=
if "$SK_TOP/tests/bed/exim" fetch >/dev/null 2>&1; then
	EXIM_ROOT=${SK_EXIM_ROOT:-$SK_TOP/build/exim/root}
fi
bed_up
# the bed's own instances listen where the sessions' do
"$SK_TOP/tests/bed/postfix" down >/dev/null 2>&1
W=$(mktemp -d /tmp/sk-27.XXXXXX) || exit 1
chmod 0755 "$W"
trap 'rm -rf "$W" "$_t_out"' EXIT

if ! (cd "$SK_TOP" && tests/tools/snippets "$W/snip" $DOCS) >"$W/index"; then
	not_ok "tests/tools/snippets reads $DOCS"
	done_testing
fi
expect_match "snippets found in $DOCS" "$(wc -l <"$W/index")" '^[1-9]'
while IFS='	' read -r _n _doc _line _kind; do
	[ "$_kind" = unknown ] || continue
	not_ok "$_doc:$_line: a snippet no handler runs (first line: '$(head -n 1 "$W/snip/$_n")')"
done <"$W/index"

# INSTALL's first senderkeyd.conf block is the shipped conffile's settings
_shipped=$SK_TOP/etc/senderkey/senderkeyd.conf
_first=$(awk -F'\t' '$2 == "INSTALL" && $4 == "conf" { print $1; exit }' "$W/index")
if [ -f "$_shipped" ] && [ -n "$_first" ]; then
	expect_eq "INSTALL's first senderkeyd.conf block is etc/senderkey/senderkeyd.conf without comments" \
	    "$(awk '!/^[ \t]*#/ && NF { print $1, $2 }' "$W/snip/$_first")" \
	    "$(awk '!/^[ \t]*#/ && NF { print $1, $2 }' "$_shipped")"
fi

export SKC EXIM_ROOT
_failed=0
for _d in $DOCS; do
	ip netns exec "$SK_BED_NS" sh "$0" --session "$_d" "$W" || _failed=1
done
[ $_failed -eq 0 ] || not_ok "every document's snippets pass"
done_testing
