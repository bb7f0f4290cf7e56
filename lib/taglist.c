/*
 * taglist.c: parse the DKIM tag-list syntax (RFC 6376 section 3.2).
 *
 * The parser is strict: a tag name is ALPHA *(ALPHA / DIGIT / "_"), a
 * value holds only VALCHAR (printable ASCII except ';') and whitespace,
 * every tag appears at most once.  Whitespace (SP, HTAB, CR, LF) around
 * names, '=' and values is skipped.  taglist_scan does the parsing
 * into spans of the caller's text (no allocation: a signature header is
 * parsed per message); taglist_parse makes one allocation holding the
 * list and NUL-terminated copies of every name and value.
 */
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "taglist.h"

struct tag {
	const char	*name;
	const char	*value;
	size_t		 namelen;
};

struct taglist {
	size_t		 n;
	struct tag	 tags[];	/* N, then the copies */
};

/* Octet classes. */
#define C_WSP	1	/* SP, HTAB, CR, LF */
#define C_ALPHA	2
#define C_NAME	4	/* ALPHA / DIGIT / "_" */
#define C_VAL	8	/* VALCHAR: %x21-3A / %x3C-7E */

static const unsigned char cls[256] = {
	[' '] = C_WSP, ['\t'] = C_WSP, ['\r'] = C_WSP, ['\n'] = C_WSP,
	['!'] = C_VAL, ['"'] = C_VAL, ['#'] = C_VAL, ['$'] = C_VAL,
	['%'] = C_VAL, ['&'] = C_VAL, ['\''] = C_VAL, ['('] = C_VAL,
	[')'] = C_VAL, ['*'] = C_VAL, ['+'] = C_VAL, [','] = C_VAL,
	['-'] = C_VAL, ['.'] = C_VAL, ['/'] = C_VAL,
	['0'] = C_VAL | C_NAME, ['1'] = C_VAL | C_NAME, ['2'] = C_VAL | C_NAME,
	['3'] = C_VAL | C_NAME, ['4'] = C_VAL | C_NAME, ['5'] = C_VAL | C_NAME,
	['6'] = C_VAL | C_NAME, ['7'] = C_VAL | C_NAME, ['8'] = C_VAL | C_NAME,
	['9'] = C_VAL | C_NAME, [':'] = C_VAL,
	['<'] = C_VAL, ['='] = C_VAL, ['>'] = C_VAL, ['?'] = C_VAL,
	['@'] = C_VAL,
#define A	(C_VAL | C_NAME | C_ALPHA)
	['A'] = A, ['B'] = A, ['C'] = A, ['D'] = A, ['E'] = A, ['F'] = A,
	['G'] = A, ['H'] = A, ['I'] = A, ['J'] = A, ['K'] = A, ['L'] = A,
	['M'] = A, ['N'] = A, ['O'] = A, ['P'] = A, ['Q'] = A, ['R'] = A,
	['S'] = A, ['T'] = A, ['U'] = A, ['V'] = A, ['W'] = A, ['X'] = A,
	['Y'] = A, ['Z'] = A,
	['a'] = A, ['b'] = A, ['c'] = A, ['d'] = A, ['e'] = A, ['f'] = A,
	['g'] = A, ['h'] = A, ['i'] = A, ['j'] = A, ['k'] = A, ['l'] = A,
	['m'] = A, ['n'] = A, ['o'] = A, ['p'] = A, ['q'] = A, ['r'] = A,
	['s'] = A, ['t'] = A, ['u'] = A, ['v'] = A, ['w'] = A, ['x'] = A,
	['y'] = A, ['z'] = A,
#undef A
	['['] = C_VAL, ['\\'] = C_VAL, [']'] = C_VAL, ['^'] = C_VAL,
	['_'] = C_VAL | C_NAME, ['`'] = C_VAL,
	['{'] = C_VAL, ['|'] = C_VAL, ['}'] = C_VAL, ['~'] = C_VAL,
};

#define CLS(c)	(cls[(unsigned char)(c)])

/* fail: set *ERR and *POS (when not NULL); returns 0, taglist_scan's "none" */
static size_t
fail(enum taglist_err e, size_t at, enum taglist_err *err, size_t *pos)
{
	if (err != NULL)
		*err = e;
	if (pos != NULL)
		*pos = at;
	return 0;
}

/*
 * value_end: from I, scan a tag-value up to ';' or LEN: *VE is set after
 * its last VALCHAR (unchanged if it has none).  Returns the position of
 * the ';' or LEN, or of the first octet that is neither VALCHAR nor
 * whitespace (the caller sees that it is no ';').  SSE2: 16 octets a
 * step while no ';' or bad octet is among them.
 */
static size_t
value_end(const char *text, size_t i, size_t len, size_t *ve)
{
#ifdef __SSE2__
	const __m128i v20 = _mm_set1_epi8(0x20), v7f = _mm_set1_epi8(0x7f);
	const __m128i vsemi = _mm_set1_epi8(';'), vsp = _mm_set1_epi8(' ');
	const __m128i vtab = _mm_set1_epi8('\t'), vcr = _mm_set1_epi8('\r');
	const __m128i vlf = _mm_set1_epi8('\n');
	__m128i w, vc, ws;
	unsigned int mv, mw, stop, below;

	while (len - i >= 16) {
		w = _mm_loadu_si128((const void *)(text + i));
		/* 0x21..0x7e (signed: 8-bit octets are negative), not ';' */
		vc = _mm_andnot_si128(_mm_cmpeq_epi8(w, vsemi),
		    _mm_and_si128(_mm_cmpgt_epi8(w, v20),
		    _mm_cmplt_epi8(w, v7f)));
		ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vsp),
		    _mm_cmpeq_epi8(w, vtab)), _mm_or_si128(
		    _mm_cmpeq_epi8(w, vcr), _mm_cmpeq_epi8(w, vlf)));
		mv = (unsigned int)_mm_movemask_epi8(vc);
		mw = (unsigned int)_mm_movemask_epi8(ws);
		stop = ~(mv | mw) & 0xffffu;
		below = stop != 0 ? mv & ((1u << __builtin_ctz(stop)) - 1) :
		    mv;
		if (below != 0)
			*ve = i + 32 - (size_t)__builtin_clz(below);
		if (stop != 0)
			return i + (size_t)__builtin_ctz(stop);
		i += 16;
	}
#endif
	for (; i < len && text[i] != ';'; i++) {
		if (CLS(text[i]) & C_VAL)
			*ve = i + 1;
		else if (!(CLS(text[i]) & C_WSP))
			break;
	}
	return i;
}

size_t
taglist_scan(const char *text, size_t len,
    struct taglist_span tags[TAGLIST_MAX_TAGS], enum taglist_err *err,
    size_t *pos)
{
	const char *nul;
	size_t i = 0, j, n = 0, ns, ne, vs, ve;

	if (err != NULL)
		*err = TAGLIST_OK;
	if ((nul = memchr(text, '\0', len)) != NULL)
		return fail(TAGLIST_ENUL, (size_t)(nul - text), err, pos);
	while (i < len) {
		while (i < len && (CLS(text[i]) & C_WSP))
			i++;
		if (i == len)
			break;
		/* tag-name */
		ns = i;
		if (!(CLS(text[i]) & C_ALPHA))
			return fail(TAGLIST_ESYNTAX, i, err, pos);
		while (i < len && (CLS(text[i]) & C_NAME))
			i++;
		ne = i;
		while (i < len && (CLS(text[i]) & C_WSP))
			i++;
		if (i == len || text[i] != '=')
			return fail(TAGLIST_ESYNTAX, i, err, pos);
		i++;
		while (i < len && (CLS(text[i]) & C_WSP))
			i++;
		/* tag-value: VALCHARs with inner whitespace, up to ';' */
		vs = ve = i;
		if ((i = value_end(text, i, len, &ve)) < len && text[i] != ';')
			return fail(TAGLIST_ESYNTAX, i, err, pos);
		for (j = 0; j < n; j++) {
			if (tags[j].namelen == ne - ns &&
			    memcmp(tags[j].name, text + ns, ne - ns) == 0)
				return fail(TAGLIST_EDUP, ns, err, pos);
		}
		if (n == TAGLIST_MAX_TAGS)
			return fail(TAGLIST_ETOOMANY, ns, err, pos);
		tags[n].name = text + ns;
		tags[n].namelen = ne - ns;
		tags[n].value = text + vs;
		tags[n].valuelen = ve - vs;
		n++;
		if (i < len)
			i++;	/* the ';' */
	}
	if (n == 0)
		return fail(TAGLIST_EEMPTY, 0, err, pos);
	return n;
}

struct taglist *
taglist_parse(const char *text, size_t len, enum taglist_err *err,
    size_t *pos)
{
	struct taglist_span sp[TAGLIST_MAX_TAGS];
	struct taglist *tl;
	char *o;
	size_t i, n, need;

	if ((n = taglist_scan(text, len, sp, err, pos)) == 0)
		return NULL;
	need = sizeof(*tl) + n * sizeof(tl->tags[0]);
	for (i = 0; i < n; i++)
		need += sp[i].namelen + sp[i].valuelen + 2;
	if ((tl = malloc(need)) == NULL)
		return NULL;
	tl->n = n;
	o = (char *)&tl->tags[n];
	for (i = 0; i < n; i++) {
		tl->tags[i].name = o;
		tl->tags[i].namelen = sp[i].namelen;
		memcpy(o, sp[i].name, sp[i].namelen);
		o += sp[i].namelen;
		*o++ = '\0';
		tl->tags[i].value = o;
		memcpy(o, sp[i].value, sp[i].valuelen);
		o += sp[i].valuelen;
		*o++ = '\0';
	}
	return tl;
}

void
taglist_free(struct taglist *tl)
{
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
		if (tl->tags[i].name[0] == name[0] &&
		    strcmp(tl->tags[i].name, name) == 0)
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
