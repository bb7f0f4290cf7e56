/*
 * taglist.c: parse the DKIM tag-list syntax (RFC 6376 section 3.2).
 *
 * The parser is strict: a tag name is ALPHA *(ALPHA / DIGIT / "_"), a
 * value holds only VALCHAR (printable ASCII except ';') and whitespace,
 * every tag appears at most once.  Whitespace (SP, HTAB, CR, LF) around
 * names, '=' and values is skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "taglist.h"

struct tag {
	char	*name;
	char	*value;
};

struct taglist {
	struct tag	*tags;
	size_t		 n;
};

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* VALCHAR: %x21-3A / %x3C-7E */
static int
is_valchar(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x21 && u <= 0x7e && u != ';';
}

static char *
dup_range(const char *s, size_t len)
{
	char *p;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static int
fail(enum taglist_err e, size_t at, enum taglist_err *err, size_t *pos)
{
	if (err != NULL)
		*err = e;
	if (pos != NULL)
		*pos = at;
	return -1;
}

struct taglist *
taglist_parse(const char *text, size_t len, enum taglist_err *err,
    size_t *pos)
{
	struct taglist *tl;
	size_t i = 0, j, ns, ne, vs, ve;

	if (err != NULL)
		*err = TAGLIST_OK;
	if (memchr(text, '\0', len) != NULL) {
		fail(TAGLIST_ENUL, (size_t)((const char *)memchr(text, '\0',
		    len) - text), err, pos);
		return NULL;
	}
	if ((tl = calloc(1, sizeof(*tl))) == NULL)
		return NULL;
	if ((tl->tags = calloc(TAGLIST_MAX_TAGS, sizeof(*tl->tags))) == NULL)
		goto fail;

	while (i < len) {
		while (i < len && is_wsp(text[i]))
			i++;
		if (i == len)
			break;
		/* tag-name */
		ns = i;
		if (!is_alpha(text[i])) {
			fail(TAGLIST_ESYNTAX, i, err, pos);
			goto fail;
		}
		while (i < len && (is_alpha(text[i]) || is_digit(text[i]) ||
		    text[i] == '_'))
			i++;
		ne = i;
		while (i < len && is_wsp(text[i]))
			i++;
		if (i == len || text[i] != '=') {
			fail(TAGLIST_ESYNTAX, i, err, pos);
			goto fail;
		}
		i++;
		while (i < len && is_wsp(text[i]))
			i++;
		/* tag-value: VALCHARs with inner whitespace, up to ';' */
		vs = ve = i;
		while (i < len && text[i] != ';') {
			if (is_valchar(text[i]))
				ve = i + 1;
			else if (!is_wsp(text[i])) {
				fail(TAGLIST_ESYNTAX, i, err, pos);
				goto fail;
			}
			i++;
		}
		for (j = 0; j < tl->n; j++) {
			if (strlen(tl->tags[j].name) == ne - ns &&
			    memcmp(tl->tags[j].name, text + ns, ne - ns) == 0) {
				fail(TAGLIST_EDUP, ns, err, pos);
				goto fail;
			}
		}
		if (tl->n == TAGLIST_MAX_TAGS) {
			fail(TAGLIST_ETOOMANY, ns, err, pos);
			goto fail;
		}
		tl->tags[tl->n].name = dup_range(text + ns, ne - ns);
		tl->tags[tl->n].value = dup_range(text + vs, ve - vs);
		tl->n++;
		if (tl->tags[tl->n - 1].name == NULL ||
		    tl->tags[tl->n - 1].value == NULL)
			goto fail;
		if (i < len)
			i++;	/* the ';' */
	}
	if (tl->n == 0) {
		fail(TAGLIST_EEMPTY, 0, err, pos);
		goto fail;
	}
	return tl;
fail:
	taglist_free(tl);
	return NULL;
}

void
taglist_free(struct taglist *tl)
{
	size_t i;

	if (tl == NULL)
		return;
	for (i = 0; i < tl->n; i++) {
		free(tl->tags[i].name);
		free(tl->tags[i].value);
	}
	free(tl->tags);
	free(tl);
}

size_t
taglist_count(const struct taglist *tl)
{
	return tl->n;
}

const char *
taglist_name(const struct taglist *tl, size_t i)
{
	return i < tl->n ? tl->tags[i].name : NULL;
}

const char *
taglist_value(const struct taglist *tl, size_t i)
{
	return i < tl->n ? tl->tags[i].value : NULL;
}

const char *
taglist_get(const struct taglist *tl, const char *name)
{
	size_t i;

	for (i = 0; i < tl->n; i++)
		if (strcmp(tl->tags[i].name, name) == 0)
			return tl->tags[i].value;
	return NULL;
}

const char *
taglist_errname(enum taglist_err e)
{
	switch (e) {
	case TAGLIST_OK:
		return "ok";
	case TAGLIST_ESYNTAX:
		return "syntax";
	case TAGLIST_EDUP:
		return "duplicate-tag";
	case TAGLIST_EEMPTY:
		return "empty";
	case TAGLIST_ENUL:
		return "nul-byte";
	case TAGLIST_ETOOMANY:
		return "too-many-tags";
	}
	return "unknown";
}
