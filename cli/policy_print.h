/*
 * policy_print: the output of "senderkey policy" show, export and
 * explain (man/senderkey-policy.1): rules as lines or JSON.
 */
#ifndef SK_POLICY_PRINT_H
#define SK_POLICY_PRINT_H

#include "lib/key.h"
#include "core/store.h"

/* policy_print_pin: PIN (KEY_SHA256_LEN octets) as colon-separated
   uppercase hex in OUT. */
void	policy_print_pin(const unsigned char *pin, char out[KEY_FP_SIZE]);

/* policy_print_json_str: S as a JSON string on stdout (controls escaped
   as \u00XX; UTF-8 passes, addresses are valid UTF-8). */
void	policy_print_json_str(const char *s);

/* policy_print_rule: R on stdout, a line or (JSON) an object after a
   comma unless FIRST; EXPORT: the line of "export", without the id. */
void	policy_print_rule(const struct store_rule *r, int json, int export,
	    int first);

/* policy_print_finish: 0 when stdout took everything, else EX_IOERR
   (said on stderr). */
int	policy_print_finish(void);

#endif
