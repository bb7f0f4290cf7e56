/*
 * policyrec.c: the domain policy record "v=SK1; policy=all|some" at
 * _senderkey.<domain>.  Tag-list syntax from taglist.c; this file adds
 * the SK1 policy semantics of specs/record-format.md.
 */
#include <string.h>

#include "policyrec.h"
#include "taglist.h"

#define POLICYREC_MAX_LEN	1024

static int
set_err(enum policyrec_err e, enum policyrec_err *err)
{
	if (err != NULL)
		*err = e;
	return -1;
}

int
policyrec_parse(const char *text, size_t len, enum policyrec_policy *out,
    enum policyrec_err *err, size_t *pos)
{
	struct taglist *tl;
	enum taglist_err te;
	const char *p;
	int rc = -1;

	if (err != NULL)
		*err = POLICYREC_OK;
	if (pos != NULL)
		*pos = 0;
	if (len > POLICYREC_MAX_LEN)
		return set_err(POLICYREC_ETOOLONG, err);
	if ((tl = taglist_parse(text, len, &te, pos)) == NULL)
		return set_err(te == TAGLIST_EDUP ? POLICYREC_EDUPTAG :
		    POLICYREC_ESYNTAX, err);
	if (strcmp(taglist_name(tl, 0), "v") != 0 ||
	    strcmp(taglist_value(tl, 0), "SK1") != 0)
		set_err(POLICYREC_EVERSION, err);
	else if ((p = taglist_get(tl, "policy")) == NULL)
		set_err(POLICYREC_EMISSING, err);
	else if (strcmp(p, "all") == 0) {
		*out = POLICYREC_ALL;
		rc = 0;
	} else if (strcmp(p, "some") == 0) {
		*out = POLICYREC_SOME;
		rc = 0;
	} else
		set_err(POLICYREC_EPOLICY, err);
	taglist_free(tl);
	return rc;
}

const char *
policyrec_encode(enum policyrec_policy p)
{
	return p == POLICYREC_ALL ? "v=SK1; policy=all" : "v=SK1; policy=some";
}

const char *
policyrec_name(enum policyrec_policy p)
{
	return p == POLICYREC_ALL ? "all" : "some";
}

const char *
policyrec_errname(enum policyrec_err e)
{
	switch (e) {
	case POLICYREC_OK:
		return "ok";
	case POLICYREC_ESYNTAX:
		return "syntax";
	case POLICYREC_EDUPTAG:
		return "duplicate-tag";
	case POLICYREC_EVERSION:
		return "bad-version";
	case POLICYREC_EMISSING:
		return "missing-tag";
	case POLICYREC_EPOLICY:
		return "unknown-policy";
	case POLICYREC_ETOOLONG:
		return "too-long";
	}
	return "unknown";
}
