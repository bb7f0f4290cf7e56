# senderkey-allow.sieve: run by IMAPSieve when a message arrives in the
# Senders/Allow folder (91-senderkey-imapsieve.conf).  Hands the message
# to "senderkey imap-move allow", which sends its topmost
# Sender-Key-Trust field and the logged-in user to senderkeyd; the
# message stays where the user put it (:copy).  What was done, or why
# nothing was, is one line in Dovecot's log.
require ["vnd.dovecot.pipe", "copy"];

pipe :copy "senderkey-imap-move" ["allow"];
