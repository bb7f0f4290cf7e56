/*
 * store_snap.c: the rules a pair's rows must keep (specs/store.md 2),
 * checked by every reader on every pair it reads (store_src.c,
 * store_copy.c): a store whose rules cannot be trusted is refused, never
 * half read.  And the binary search over a sorted listing of rules.
 * What the rules mean is store_index.c's; the forms a row must be in
 * are store_canon.c's.
 */
#include <stdio.h>
#include <string.h>

#include "lib/errstr.h"
#include "store_int.h"

int
store_snap_check_pair(const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n, char *err, size_t errsz)
{
	const char *what = NULL;
	size_t i, pins = 0;
	int plain = 0, k = -1;

	if (n == 0)
		return 0;
	if (store_canon_is(rcpt) == -1)
		what = "the recipient is not a canonical target";
	else if (sender != NULL && (k = store_canon_is(sender)) == -1)
		what = "the sender is not a canonical target";
	else if (sender == NULL && n > 1)
		what = "more than one mode rule";
	for (i = 0; what == NULL && i < n; i++) {
		if ((rows[i].kind == STORE_RULE_MODE) != (sender == NULL) ||
		    (rows[i].kind == STORE_RULE_MODE && rows[i].mode !=
		    VM_ALLOW && rows[i].mode != VM_DENY))
			what = "a rule of the wrong kind";
		else if (rows[i].has_pin && rows[i].kind != STORE_RULE_ALLOW)
			what = "a pin on a rule other than allow";
		else if (rows[i].has_pin && k != STORE_T_ADDR)
			what = "a pin on a *@domain sender";
		else if (rows[i].kind == STORE_RULE_ALLOW && rows[i].has_pin)
			pins++;
		else if (rows[i].kind == STORE_RULE_ALLOW)
			plain = 1;
		if (what == NULL && pins > STORE_MAX_PINS)
			what = "more pins than allowed";
		else if (what == NULL && pins > 0 && plain)
			what = "pinned and unpinned allow entries mixed";
	}
	if (what == NULL)
		return 0;
	i = i > 0 ? i - 1 : 0;
	errstr_set(err, errsz, "%s rule %lld: %s for %s%s%s",
	    sender == NULL ? "mode" : "entry", (long long)rows[i].id, what,
	    sender != NULL ? sender : "", sender != NULL ? " -> " : "", rcpt);
	return -1;
}

size_t
store_snap_find(const struct store_rule *a, size_t n, const char *rcpt,
    const char *sender)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(a[mid].recipient, rcpt);
		if (c == 0 && sender != NULL)
			c = strcmp(a[mid].sender, sender);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && strcmp(a[lo].recipient, rcpt) == 0 &&
	    (sender == NULL || strcmp(a[lo].sender, sender) == 0))
		return lo;
	return n;
}
