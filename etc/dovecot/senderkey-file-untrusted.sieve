# senderkey-file-untrusted.sieve: file the mail senderkey could not
# authenticate into a folder of its own (default "Untrusted"), so that an
# allow-mode recipient's INBOX holds the mail of authenticated senders
# and mail without senderkey's decision.  Opt-in, per user or per site
# (INSTALL, section 11).
#
# Filed: messages whose topmost Sender-Key-Trust field (the one senderkey
# writes on top, specs/verdicts.md 7.1) is "untrusted" or "unauthorized"
# (the latter only reaches a mailbox in Mode monitor): the messages
# senderkey-tag.sieve marks $SenderKeyUntrusted.  Never filed: trusted
# and authorized messages, and messages without the field (senderkey did
# not see them: local mail, or a path without senderkey).  Deny-mode
# recipients rarely get untrusted mail (only bounces and, without the
# milter, allowlisted senders' mail at RCPT time).
#
# The folder is the global variable "senderkey_untrusted_folder" when a
# script sets it before the include, else "Untrusted"; it is created when
# missing.  A filed message goes there only: the script stops, so no
# later rule files it a second time.
#
# Per user, at the top of the user's own script:
#   require ["include", "variables"];
#   global "senderkey_untrusted_folder";
#   set "senderkey_untrusted_folder" "Untrusted";   # optional
#   include :global "senderkey-file-untrusted";
# (Dovecot: sieve_global = /etc/dovecot/sieve, where this file and its
# compiled .svbin are.)  Per site: list it after senderkey-tag.sieve,
#   sieve_before2 = /etc/dovecot/sieve/senderkey-file-untrusted.sieve
# and run sievec on it after every change.
require ["include", "variables", "fileinto", "mailbox", "index"];

global "senderkey_untrusted_folder";
if string :is "${senderkey_untrusted_folder}" "" {
	set "senderkey_untrusted_folder" "Untrusted";
}
if header :index 1 :matches "Sender-Key-Trust" ["untrusted;*", "unauthorized;*"] {
	fileinto :create "${senderkey_untrusted_folder}";
	stop;
}
