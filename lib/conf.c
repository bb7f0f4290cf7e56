/*
 * conf.c: the schema-driven reader of opendkim.conf-style files (conf.h).
 * conf_parse is pure: text in, a struct conf or a "FILE:LINE: what was
 * expected" message out; conf_load adds only reading the file.  What the
 * settings mean is config.c's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

struct conf_val {
	int		 set;		/* from the file or a default */
	unsigned	 line;		/* 0: default */
	char		*str;		/* the value as written (last) */
	uint64_t	 num;
	int		 eidx;
	char		**items;
	size_t		 nitems;
};

struct conf {
	const struct conf_schema *schema;
	size_t		 n;
	struct conf_val	*v;
};

/* Where an error is: FILE and LINE (0 for a default). */
struct where {
	const char	*file;
	unsigned	 line;
	char		*err;
	size_t		 errsz;
};

static void say(const struct where *w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(const struct where *w, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->err == NULL || w->errsz == 0)
		return;
	if (w->line == 0)
		snprintf(w->err, w->errsz, "%s: (default) %s%s%s", w->file,
		    name != NULL ? name : "", name != NULL ? ": " : "", msg);
	else
		snprintf(w->err, w->errsz, "%s:%u: %s%s%s", w->file, w->line,
		    name != NULL ? name : "", name != NULL ? ": " : "", msg);
}

void
conf_free(struct conf *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].str);
		for (j = 0; j < c->v[i].nitems; j++)
			free(c->v[i].items[j]);
		free(c->v[i].items);
	}
	free(c->v);
	free(c);
}

/* number: decimal digits at S (N octets) into *OUT; -1 on overflow. */
static int
number(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static size_t
digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* scaled: digits times a unit, with overflow checked. */
static int
scaled(const char *s, size_t n, uint64_t unit, uint64_t *out)
{
	uint64_t v;

	if (number(s, n, &v) == -1 || (unit != 0 && v > UINT64_MAX / unit))
		return -1;
	*out = v * unit;
	return 0;
}

static void
fmt_ms(uint64_t ms, char *buf, size_t sz)
{
	if (ms % 1000 == 0)
		snprintf(buf, sz, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, sz, "%" PRIu64 "ms", ms);
}

static int
parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* add_item: append a copy of S (N octets) to V's list. */
static int
add_item(struct conf_val *v, const char *s, size_t n)
{
	char **items, *it;

	if ((it = strndup(s, n)) == NULL)
		return -1;
	items = reallocarray(v->items, v->nitems + 1, sizeof(*items));
	if (items == NULL) {
		free(it);
		return -1;
	}
	v->items = items;
	v->items[v->nitems++] = it;
	return 0;
}

/* nomem: the message for running out of memory, in W; returns -1. */
static int
nomem(const struct where *w)
{
	if (w->err != NULL && w->errsz > 0)
		snprintf(w->err, w->errsz, "out of memory");
	return -1;
}

/*
 * apply_list: adds the items of VALUE (separated by commas and blanks)
 * to the list V of S, checking each; 0, or -1 with the message written.
 */
static int
apply_list(const struct conf_schema *s, struct conf_val *v,
    const char *value, const struct where *w)
{
	char why[256];
	const char *p, *q;
	size_t before = v->nitems;

	for (p = value; *p != '\0'; p = q) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		q = p + strcspn(p, ", \t");
		if (v->nitems >= CONF_LIST_MAX) {
			say(w, s->name, "expected at most %d items",
			    CONF_LIST_MAX);
			return -1;
		}
		if (add_item(v, p, (size_t)(q - p)) == -1)
			return nomem(w);
		if (s->check != NULL && s->check(v->items[v->nitems - 1], why,
		    sizeof(why)) == -1) {
			say(w, s->name, "%s, got '%s'", why,
			    v->items[v->nitems - 1]);
			return -1;
		}
	}
	if (v->nitems == before) {
		say(w, s->name, "expected at least one item");
		return -1;
	}
	return 0;
}

/*
 * apply: VALUE for schema entry S into V, at W.  Returns 0, or -1 with
 * the message written.
 */
static int
apply(const struct conf_schema *s, struct conf_val *v, const char *value,
    const struct where *w)
{
	char why[256], lo[32], hi[32];
	const char *p;
	size_t n, i;
	uint64_t num = 0;
	int b;

	why[0] = '\0';
	switch (s->type) {
	case CONF_STRING:
		break;
	case CONF_PATH:
		if (value[0] != '/') {
			say(w, s->name, "expected an absolute path, got '%s'",
			    value);
			return -1;
		}
		break;
	case CONF_UINT:
		if (number(value, strlen(value), &num) == -1 || num < s->min ||
		    num > s->max) {
			say(w, s->name, "expected an integer from %" PRIu64
			    " to %" PRIu64 ", got '%s'", s->min, s->max, value);
			return -1;
		}
		break;
	case CONF_SIZE:
		n = digits(value);
		p = value + n;
		if (*p == '\0')
			b = scaled(value, n, 1, &num);
		else if (p[1] == '\0' && strchr("kK", *p) != NULL)
			b = scaled(value, n, 1024, &num);
		else if (p[1] == '\0' && strchr("mM", *p) != NULL)
			b = scaled(value, n, 1024 * 1024, &num);
		else if (p[1] == '\0' && strchr("gG", *p) != NULL)
			b = scaled(value, n, 1024 * 1024 * 1024, &num);
		else
			b = -1;
		if (b == -1 || num < s->min || num > s->max) {
			say(w, s->name, "expected a size from %" PRIu64 " to %"
			    PRIu64 " octets (suffix k, m or g allowed), got "
			    "'%s'", s->min, s->max, value);
			return -1;
		}
		break;
	case CONF_DURATION:
		n = digits(value);
		p = value + n;
		if (*p == '\0' || strcmp(p, "s") == 0)
			b = scaled(value, n, 1000, &num);
		else if (strcmp(p, "ms") == 0)
			b = scaled(value, n, 1, &num);
		else if (strcmp(p, "m") == 0)
			b = scaled(value, n, 60 * 1000, &num);
		else if (strcmp(p, "h") == 0)
			b = scaled(value, n, 3600 * 1000, &num);
		else if (strcmp(p, "d") == 0)
			b = scaled(value, n, 86400 * 1000, &num);
		else
			b = -1;
		if (b == -1 || num < s->min || num > s->max) {
			fmt_ms(s->min, lo, sizeof(lo));
			fmt_ms(s->max, hi, sizeof(hi));
			say(w, s->name, "expected a duration from %s to %s "
			    "(unit ms, s, m, h or d), got '%s'", lo, hi, value);
			return -1;
		}
		break;
	case CONF_BOOL:
		if ((b = parse_bool(value)) == -1) {
			say(w, s->name, "expected yes or no, got '%s'", value);
			return -1;
		}
		num = (uint64_t)b;
		break;
	case CONF_ENUM:
		for (i = 0; s->enums != NULL && s->enums[i] != NULL; i++)
			if (strcasecmp(s->enums[i], value) == 0)
				break;
		if (s->enums == NULL || s->enums[i] == NULL) {
			n = 0;
			for (i = 0; s->enums != NULL && s->enums[i] != NULL &&
			    n < sizeof(why); i++)
				n += (size_t)snprintf(why + n, sizeof(why) - n,
				    "%s%s", i == 0 ? "" : " or ", s->enums[i]);
			say(w, s->name, "expected %s, got '%s'", why, value);
			return -1;
		}
		v->eidx = (int)i;
		break;
	case CONF_LIST:
		if (apply_list(s, v, value, w) == -1)
			return -1;
		break;
	}
	if (s->type != CONF_LIST && s->check != NULL &&
	    s->check(value, why, sizeof(why)) == -1) {
		say(w, s->name, "%s, got '%s'", why, value);
		return -1;
	}
	free(v->str);
	if ((v->str = strdup(value)) == NULL)
		return nomem(w);
	v->num = num;
	v->set = 1;
	v->line = w->line;
	return 0;
}

/* printable: S for a message, or "?" when it holds control octets. */
static const char *
printable(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "?";
	return s;
}

struct conf *
conf_parse(const struct conf_schema *schema, const char *text, size_t len,
    const char *filename, char *err, size_t errsz)
{
	struct conf *c = NULL;
	struct where w = { filename, 0, err, errsz };
	char line[CONF_LINE_MAX + 1], *name, *value, *e;
	const char *p = text, *end = text + len, *nl;
	size_t i, n;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->schema = schema;
	while (schema[c->n].name != NULL)
		c->n++;
	if ((c->v = calloc(c->n + 1, sizeof(*c->v))) == NULL)
		goto nomem;
	for (; p < end; p = nl + 1) {
		w.line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > CONF_LINE_MAX) {
			say(&w, NULL, "expected a line of at most %d octets",
			    CONF_LINE_MAX);
			goto fail;
		}
		if (memchr(p, '\0', n) != NULL) {
			say(&w, NULL, "expected text, found a NUL octet");
			goto fail;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		while (n > 0 && strchr(" \t\r", line[n - 1]) != NULL)
			line[--n] = '\0';
		name = line + strspn(line, " \t");
		if (*name == '\0' || *name == '#')
			continue;
		e = name + strcspn(name, " \t");
		value = e + strspn(e, " \t");
		*e = '\0';
		for (i = 0; i < c->n; i++)
			if (strcasecmp(schema[i].name, name) == 0)
				break;
		if (i == c->n) {
			say(&w, NULL, "unknown name '%s'", printable(name));
			goto fail;
		}
		if (*value == '\0') {
			say(&w, schema[i].name, "expected a value");
			goto fail;
		}
		if (c->v[i].set && !(schema[i].flags & CONF_REPEAT)) {
			say(&w, schema[i].name, "set twice (first on line %u)",
			    c->v[i].line);
			goto fail;
		}
		if (apply(&schema[i], &c->v[i], value, &w) == -1)
			goto fail;
	}
	w.line = 0;
	for (i = 0; i < c->n; i++)
		if (!c->v[i].set && schema[i].def != NULL &&
		    apply(&schema[i], &c->v[i], schema[i].def, &w) == -1)
			goto fail;
	return c;
nomem:
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "out of memory");
fail:
	conf_free(c);
	return NULL;
}

struct conf *
conf_load(const struct conf_schema *schema, const char *path, char *err,
    size_t errsz)
{
	struct conf *c = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto syserr;
	if (fstat(fd, &st) == -1)
		goto syserr;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		goto fail;
	}
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL)
		goto syserr;
	while ((r = read(fd, buf + len, CONF_FILE_MAX + 1 - len)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			goto syserr;
		}
		len += (size_t)r;
		if (len > CONF_FILE_MAX) {
			snprintf(err, errsz, "%s: larger than %d octets", path,
			    CONF_FILE_MAX);
			goto fail;
		}
	}
	close(fd);
	fd = -1;
	c = conf_parse(schema, buf, len, path, err, errsz);
	free(buf);
	return c;
syserr:
	saved = errno;
	snprintf(err, errsz, "%s: %s", path, strerror(saved));
	if (fd != -1)
		close(fd);
	free(buf);
	errno = saved;
	return NULL;
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}

static const struct conf_val *
find(const struct conf *c, const char *name, const struct conf_schema **s)
{
	size_t i;

	if (c == NULL || name == NULL)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->schema[i].name, name) == 0) {
			if (s != NULL)
				*s = &c->schema[i];
			return c->v[i].set ? &c->v[i] : NULL;
		}
	return NULL;
}

int
conf_isset(const struct conf *c, const char *name)
{
	return find(c, name, NULL) != NULL;
}

unsigned
conf_line(const struct conf *c, const char *name)
{
	const struct conf_val *v = find(c, name, NULL);

	return v != NULL ? v->line : 0;
}

const char *
conf_str(const struct conf *c, const char *name)
{
	const struct conf_val *v = find(c, name, NULL);

	return v != NULL ? v->str : NULL;
}

uint64_t
conf_uint(const struct conf *c, const char *name)
{
	const struct conf_val *v = find(c, name, NULL);

	return v != NULL ? v->num : 0;
}

int
conf_enum(const struct conf *c, const char *name)
{
	const struct conf_schema *s = NULL;
	const struct conf_val *v = find(c, name, &s);

	return v != NULL && s->type == CONF_ENUM ? v->eidx : -1;
}

size_t
conf_list(const struct conf *c, const char *name, const char *const **items)
{
	const struct conf_schema *s = NULL;
	const struct conf_val *v = find(c, name, &s);

	if (v == NULL || s->type != CONF_LIST) {
		*items = NULL;
		return 0;
	}
	*items = (const char *const *)v->items;
	return v->nitems;
}
