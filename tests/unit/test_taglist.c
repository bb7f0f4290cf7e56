/* test_taglist: the DKIM tag-list parser: whitespace, errors, positions. */
#include "lib/taglist.h"
#include "t.h"

static struct taglist *
p(const char *s, enum taglist_err *err, size_t *pos)
{
	return taglist_parse(s, strlen(s), err, pos);
}

/*
 * long_values: values longer than the 16-octet steps of the scanner,
 * with every kind of octet at every offset: where a bad octet is
 * reported, where the value ends, that trailing whitespace is dropped
 * and inner whitespace kept, and that taglist_scan agrees with
 * taglist_parse.
 */
static void
long_values(void)
{
	static const unsigned char odd[] = { 0x7f, 0x80, 0xff, 0x01, 0x00 };
	struct taglist_span sp[TAGLIST_MAX_TAGS];
	struct taglist *tl;
	enum taglist_err err;
	char buf[128], want[128];
	size_t at, k, pos, n, bad = 0, badv = 0, bads = 0;

	for (at = 0; at < 60; at++) {
		/* "v=" then 60 VALCHARs with one odd octet at AT */
		for (k = 0; k < sizeof(odd); k++) {
			memcpy(buf, "v=", 2);
			memset(buf + 2, 'x', 60);
			buf[2 + at] = (char)odd[k];
			tl = taglist_parse(buf, 62, &err, &pos);
			if (tl != NULL || pos != 2 + at || err != (odd[k] == 0 ?
			    TAGLIST_ENUL : TAGLIST_ESYNTAX))
				bad++;
			taglist_free(tl);
		}
		/* "v=" + text with SP/HTAB inside and after, then ";w=1" */
		memcpy(buf, "v=", 2);
		for (k = 0; k < 60; k++)
			buf[2 + k] = "ab c\td=e"[(k * 7 + at) % 8];
		memset(buf + 2 + at, ' ', 60 - at);	/* trailing WSP */
		memcpy(buf + 62, ";w=1", 4);
		n = at;
		while (n > 0 && (buf[1 + n] == ' ' || buf[1 + n] == '\t'))
			n--;
		memcpy(want, buf + 2, n);
		want[n] = '\0';
		/* leading whitespace is dropped by the parser too */
		for (k = 0; want[k] == ' ' || want[k] == '\t'; k++)
			;
		tl = taglist_parse(buf, 66, &err, &pos);
		if (tl == NULL || strcmp(taglist_get(tl, "v"), want + k) != 0 ||
		    strcmp(taglist_get(tl, "w"), "1") != 0)
			badv++;
		if (taglist_scan(buf, 66, sp, &err, &pos) != 2 ||
		    tl == NULL || sp[0].valuelen != strlen(want + k) ||
		    memcmp(sp[0].value, want + k, sp[0].valuelen) != 0)
			bads++;
		taglist_free(tl);
	}
	T_OK(bad == 0, "a bad octet at any offset of a long value is found "
	    "at its position (%zu wrong)", bad);
	T_OK(badv == 0, "long values end at ';' without their trailing "
	    "whitespace, inner whitespace kept (%zu wrong)", badv);
	T_OK(bads == 0, "taglist_scan gives the same spans as taglist_parse "
	    "(%zu wrong)", bads);
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
	long_values();
	taglist_free(NULL);
	T_STREQ(taglist_errname(TAGLIST_EDUP), "duplicate-tag", "error names");
	return t_done();
}
