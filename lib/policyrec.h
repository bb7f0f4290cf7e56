/*
 * policyrec: the domain policy record, TXT at _senderkey.<domain>
 * (specs/record-format.md).  Pure: no I/O.
 *
 *   v=SK1; policy=all     every legitimate sender of the domain has a
 *                         published key and signs
 *   v=SK1; policy=some    some senders do; unsigned mail is not suspect
 */
#ifndef SK_POLICYREC_H
#define SK_POLICYREC_H

#include <stddef.h>

enum policyrec_policy {
	POLICYREC_SOME = 1,
	POLICYREC_ALL = 2,
};

enum policyrec_err {
	POLICYREC_OK = 0,
	POLICYREC_ESYNTAX,	/* tag-list syntax */
	POLICYREC_EDUPTAG,	/* a tag appears twice */
	POLICYREC_EVERSION,	/* v= missing, not first, or not "SK1" */
	POLICYREC_EMISSING,	/* policy= missing */
	POLICYREC_EPOLICY,	/* policy= neither "all" nor "some" */
	POLICYREC_ETOOLONG,	/* over 1024 octets */
};

/*
 * policyrec_parse: parse LEN octets of joined TXT text.  Returns 0 and sets
 * *OUT, or -1 with *ERR / *POS set when not NULL.  Unknown tags are ignored.
 */
int		 policyrec_parse(const char *text, size_t len,
		    enum policyrec_policy *out, enum policyrec_err *err,
		    size_t *pos);
/* policyrec_encode: the record text for P (static string). */
const char	*policyrec_encode(enum policyrec_policy p);
const char	*policyrec_name(enum policyrec_policy p);	/* "all" */
const char	*policyrec_errname(enum policyrec_err);

#endif
