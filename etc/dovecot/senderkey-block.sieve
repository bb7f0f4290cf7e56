# senderkey-block.sieve: as senderkey-allow.sieve, for the Senders/Block
# folder: the sender the field names is blocked for the logged-in user.
require ["vnd.dovecot.pipe", "copy"];

pipe :copy "senderkey-imap-move" ["block"];
