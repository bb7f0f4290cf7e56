/*
 * pgp_mbox.c: the mailbox of an OpenPGP user ID, found exactly as GnuPG
 * 2.2's mailbox_from_userid() (common/mbox-util.c) finds it, because the
 * OPENPGPKEY record must carry the user IDs gpg's keep-uid='mbox = ADDR'
 * filter keeps.  Not an RFC 5322 parser: lib/addr.c is.
 */
#include <stdlib.h>
#include <string.h>

#include "pgp_mbox.h"

static int
has_invalid_email_chars(const char *s, size_t len)
{
	static const char valid[] = "01234567890_-."
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int at_seen = 0;

	for (; len > 0 && *s != '\0'; len--, s++) {
		if (*s & 0x80)
			continue;
		if (*s == '@')
			at_seen = 1;
		else if (!at_seen && !(strchr(valid, *s) != NULL ||
		    strchr("!#$%&'*+/=?^`{|}~", *s) != NULL))
			return 1;
		else if (at_seen && strchr(valid, *s) == NULL)
			return 1;
	}
	return 0;
}

static size_t
count_chr(const char *s, size_t len, char c)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

static int
has_ctrl_or_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(s[i] & 0x80) && (unsigned char)s[i] <= 0x20)
			return 1;
	return 0;
}

char *
pgp_mbox_from_uid(const char *uid, size_t len)
{
	char *copy = NULL, *r = NULL, *s, *e;
	size_t n, i;

	if ((copy = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(copy, uid, len);
	copy[len] = '\0';
	if ((s = strchr(copy, '<')) != NULL) {
		s++;
		if ((e = strchr(s, '>')) == NULL || e == s)
			goto out;
		n = (size_t)(e - s);
		if (count_chr(s, n, '@') != 1 || s[0] == '@' ||
		    s[n - 1] == '@' || s[n - 1] == '.' ||
		    has_ctrl_or_space(s, n) || has_invalid_email_chars(s, n))
			goto out;
	} else {
		s = copy;
		n = strlen(copy);
		if (n == 0 || has_invalid_email_chars(s, n) ||
		    count_chr(s, n, '@') != 1 || s[0] == '@' ||
		    s[n - 1] == '@' || s[n - 1] == '.' ||
		    strstr(s, "..") != NULL)
			goto out;
	}
	if ((r = malloc(n + 1)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		r[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	r[n] = '\0';
out:
	free(copy);
	return r;
}
