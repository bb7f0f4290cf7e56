/* test_taglist: the DKIM tag-list parser: whitespace, errors, positions. */
#include "taglist.h"
#include "t.h"

static struct taglist *
p(const char *s, enum taglist_err *err, size_t *pos)
{
	return taglist_parse(s, strlen(s), err, pos);
}

int
main(void)
{
	struct taglist *tl;
	enum taglist_err err;
	size_t pos;
	char many[1024];
	int i, o = 0;

	tl = p(" a = 1 ; b=two words\t;c= ;d_2=x;", &err, &pos);
	T_OK(tl != NULL && taglist_count(tl) == 4, "four tags");
	T_STREQ(taglist_get(tl, "a"), "1", "whitespace around value dropped");
	T_STREQ(taglist_get(tl, "b"), "two words", "inner whitespace kept");
	T_STREQ(taglist_get(tl, "c"), "", "empty value");
	T_STREQ(taglist_name(tl, 3), "d_2", "names keep order, allow '_'");
	T_OK(taglist_get(tl, "z") == NULL, "absent tag is NULL");
	T_OK(taglist_name(tl, 9) == NULL, "index past the end is NULL");
	taglist_free(tl);

	tl = p("a=1\r\n\t;b=2", &err, &pos);
	T_OK(tl != NULL && strcmp(taglist_get(tl, "b"), "2") == 0,
	    "folding whitespace accepted");
	taglist_free(tl);

	T_OK(p("a=1; a=2", &err, &pos) == NULL && err == TAGLIST_EDUP &&
	    pos == 5, "duplicate tag with position");
	T_OK(p("a=1; =2", &err, &pos) == NULL && err == TAGLIST_ESYNTAX &&
	    pos == 5, "missing name");
	T_OK(p("a 1", &err, &pos) == NULL && err == TAGLIST_ESYNTAX,
	    "missing '='");
	T_OK(p("9a=1", &err, &pos) == NULL && err == TAGLIST_ESYNTAX,
	    "name must start with a letter");
	T_OK(p("a=\x7f", &err, &pos) == NULL && err == TAGLIST_ESYNTAX &&
	    pos == 2, "DEL is not a VALCHAR");
	T_OK(p("a=\xc3\xa9", &err, &pos) == NULL && err == TAGLIST_ESYNTAX,
	    "8-bit octets are not VALCHARs");
	T_OK(p("", &err, &pos) == NULL && err == TAGLIST_EEMPTY, "empty list");
	T_OK(p(" ; ", &err, &pos) == NULL && err == TAGLIST_ESYNTAX,
	    "lone separator");
	T_OK(taglist_parse("a=1\0b=2", 7, &err, &pos) == NULL &&
	    err == TAGLIST_ENUL && pos == 3, "NUL byte found at its offset");
	for (i = 0; i < 65; i++)
		o += snprintf(many + o, sizeof(many) - (size_t)o, "t%d=1;", i);
	T_OK(p(many, &err, &pos) == NULL && err == TAGLIST_ETOOMANY,
	    "65 tags are too many");
	taglist_free(NULL);
	T_STREQ(taglist_errname(TAGLIST_EDUP), "duplicate-tag", "error names");
	return t_done();
}
