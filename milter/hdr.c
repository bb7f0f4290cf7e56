/*
 * hdr.c: the milter's copy of the message (hdr.h).  Header fields are
 * checked whole before a single octet is appended, so a refused field
 * leaves nothing half-written; the buffer grows by doubling up to
 * MSG_MAX_SIZE and is dropped at the first problem.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "hdr.h"

struct hdr {
	int		 leadspc;
	char		*buf;
	size_t		 len, cap;
	size_t		 nfields;	/* fields seen, refused one included */
	enum hdr_err	 err;
	size_t		 errfield;
};

struct hdr *
hdr_new(int leadspc)
{
	struct hdr *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->leadspc = leadspc != 0;
	return h;
}

void
hdr_reset(struct hdr *h)
{
	if (h == NULL)
		return;
	free(h->buf);
	h->buf = NULL;
	h->len = h->cap = 0;
	h->nfields = 0;
	h->err = HDR_OK;
	h->errfield = 0;
}

void
hdr_free(struct hdr *h)
{
	if (h == NULL)
		return;
	free(h->buf);
	free(h);
}

/* fail: record E (the first problem only) and drop the copy. */
static int
fail(struct hdr *h, enum hdr_err e, size_t field)
{
	if (h->err == HDR_OK) {
		h->err = e;
		h->errfield = field;
	}
	free(h->buf);
	h->buf = NULL;
	h->len = h->cap = 0;
	return e == HDR_ENOMEM ? -1 : 0;
}

/* reserve: room for N more octets; 0, or -1 with the error recorded. */
static int
reserve(struct hdr *h, size_t n, size_t field)
{
	size_t ncap;
	char *nb;

	if (n > MSG_MAX_SIZE - h->len) {
		fail(h, HDR_ETOOBIG, field);
		return -1;
	}
	if (h->len + n <= h->cap)
		return 0;
	ncap = h->cap == 0 ? 8192 : h->cap;
	while (ncap < h->len + n)
		ncap *= 2;
	if ((nb = realloc(h->buf, ncap)) == NULL) {
		fail(h, HDR_ENOMEM, field);
		return -1;
	}
	h->buf = nb;
	h->cap = ncap;
	return 0;
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

enum hdr_err
hdr_check(const char *name, const char *value)
{
	const unsigned char *n = (const unsigned char *)name;
	size_t i, j;

	if (*n == '\0')
		return HDR_ENAME;
	for (; *n != '\0'; n++)
		if (*n < 33 || *n > 126 || *n == ':')
			return HDR_ENAME;
	for (i = 0; value[i] != '\0'; i++) {
		if (value[i] == '\r')
			return HDR_ECR;
		if (value[i] != '\n')
			continue;
		/* a fold: whitespace, then something on that line */
		for (j = i + 1; is_wsp(value[j]); j++)
			;
		if (j == i + 1 || value[j] == '\n' || value[j] == '\0')
			return HDR_EBREAK;
	}
	return HDR_OK;
}

int
hdr_field(struct hdr *h, const char *name, const char *value)
{
	enum hdr_err e;
	size_t nlen, i, need, nlf = 0;
	char *o;

	if (h->err != HDR_OK)
		return 0;
	h->nfields++;
	if ((e = hdr_check(name, value)) != HDR_OK)
		return fail(h, e, h->nfields);
	nlen = strlen(name);
	for (i = 0; value[i] != '\0'; i++)
		if (value[i] == '\n')
			nlf++;
	/* NAME ":" [SP] VALUE (each LF one octet longer) CRLF; the
	   lengths are capped first, so NEED cannot overflow */
	if (nlen > MSG_MAX_SIZE || i > MSG_MAX_SIZE) {
		fail(h, HDR_ETOOBIG, h->nfields);
		return 0;
	}
	need = nlen + 1 + (h->leadspc ? 0 : 1) + i + nlf + 2;
	if (reserve(h, need, h->nfields) == -1)
		return h->err == HDR_ENOMEM ? -1 : 0;
	o = h->buf + h->len;
	memcpy(o, name, nlen);
	o += nlen;
	*o++ = ':';
	if (!h->leadspc)
		*o++ = ' ';
	for (i = 0; value[i] != '\0'; i++) {
		if (value[i] == '\n')
			*o++ = '\r';
		*o++ = value[i];
	}
	*o++ = '\r';
	*o++ = '\n';
	h->len = (size_t)(o - h->buf);
	return 0;
}

int
hdr_eoh(struct hdr *h)
{
	if (h->err != HDR_OK)
		return 0;
	if (reserve(h, 2, 0) == -1)
		return h->err == HDR_ENOMEM ? -1 : 0;
	memcpy(h->buf + h->len, "\r\n", 2);
	h->len += 2;
	return 0;
}

int
hdr_body(struct hdr *h, const void *p, size_t len)
{
	if (h->err != HDR_OK || len == 0)
		return 0;
	if (reserve(h, len, 0) == -1)
		return h->err == HDR_ENOMEM ? -1 : 0;
	memcpy(h->buf + h->len, p, len);
	h->len += len;
	return 0;
}

enum hdr_err
hdr_error(const struct hdr *h, size_t *field)
{
	if (field != NULL)
		*field = h->errfield;
	return h->err;
}

const char *
hdr_text(const struct hdr *h, size_t *len)
{
	*len = h->len;
	return h->buf != NULL ? h->buf : "";
}

const char *
hdr_errname(enum hdr_err e)
{
	switch (e) {
	case HDR_OK:
		return "ok";
	case HDR_ENAME:
		return "name";
	case HDR_ECR:
		return "cr";
	case HDR_EBREAK:
		return "break";
	case HDR_ETOOBIG:
		return "too-big";
	case HDR_ENOMEM:
		return "nomem";
	}
	return "unknown";
}

const char *
hdr_strerror(enum hdr_err e)
{
	switch (e) {
	case HDR_OK:
		return "no error";
	case HDR_ENAME:
		return "a field name that is empty or holds a character "
		    "other than printable ASCII without ':'";
	case HDR_ECR:
		return "a carriage return in a field value";
	case HDR_EBREAK:
		return "a line break in a field value that is not a fold "
		    "(whitespace, then text)";
	case HDR_ETOOBIG:
		return "the message is too big to check";
	case HDR_ENOMEM:
		return "out of memory";
	}
	return "unknown error";
}
