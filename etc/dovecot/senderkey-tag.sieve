# senderkey-tag.sieve: turn senderkey's trust field into IMAP keywords
# that mail clients show as tags (Thunderbird: Tags; others: keywords).
#
#   $SenderKeyTrusted    the message's sender is authenticated: a valid
#                        Sender-Key-Signature under a DNSSEC-secure key
#                        (Sender-Key-Trust: trusted or authorized)
#   $SenderKeyUntrusted  it is not (untrusted, unauthorized in Mode
#                        monitor)
#
# Only the topmost Sender-Key-Trust field counts (specs/verdicts.md 7.1):
# senderkey writes it on top and removes every copy the sender wrote.  A
# message without one gets no keyword: senderkey did not see it (local
# mail, or a path without senderkey), so nothing is claimed either way.
# Run at delivery by Dovecot LMTP as a sieve_before script
# (90-senderkey.conf); the recipient's own Sieve script runs after it.
require ["imap4flags", "index"];

if header :index 1 :matches "Sender-Key-Trust" ["trusted;*", "authorized;*"] {
	addflag "$SenderKeyTrusted";
} elsif header :index 1 :matches "Sender-Key-Trust" ["untrusted;*", "unauthorized;*"] {
	addflag "$SenderKeyUntrusted";
}
