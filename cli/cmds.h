/*
 * cmds: the subcommands of the senderkey front end.  Each cmd_* takes the
 * argc/argv after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit status.  --help, -h and --version never reach
 * a cmd_*: senderkey.c answers them.  Exit codes follow sysexits: 0 success,
 * 1 a negative answer (check failed), 64 usage, 65 bad input data,
 * 66 cannot open input, 69 unavailable, 70 internal, 75 temporary failure.
 */
#ifndef SK_CMDS_H
#define SK_CMDS_H

#include <stdio.h>

#define EX_NEGATIVE	1

/*
 * senderkey_usage: print the usage text of the command NAME ("keygen") to
 * F; NULL or an unknown NAME: senderkey's own usage and command list.
 * The texts live in senderkey.c's command table, which also answers
 * --help and --version for every command before it runs.
 */
void	senderkey_usage(FILE *f, const char *name);

int	cmd_owner(int argc, char **argv);
int	cmd_sendmail(int argc, char **argv);
int	cmd_record(int argc, char **argv);
int	cmd_check_record(int argc, char **argv);
int	cmd_fingerprint(int argc, char **argv);
int	cmd_query(int argc, char **argv);
int	cmd_lookup(int argc, char **argv);
int	cmd_authz(int argc, char **argv);
int	cmd_stats(int argc, char **argv);
int	cmd_keygen(int argc, char **argv);
int	cmd_zonegen(int argc, char **argv);
int	cmd_publish(int argc, char **argv);
int	cmd_sign(int argc, char **argv);
int	cmd_verify(int argc, char **argv);
int	cmd_policy(int argc, char **argv);
int	cmd_audit(int argc, char **argv);
int	cmd_imapmove(int argc, char **argv);

#endif
