/*
 * zoneout.c: the three output formats of senderkey zonegen.
 *
 *   zone      a header comment with counts, then one record per line in
 *             canonical order, each sender's records after a comment line
 *             naming the sender (for people reading diffs)
 *   nsupdate  "update delete" for every managed name and type, then
 *             "update add" per record, in batches ending with "send"
 *             (SOA and NS are never part of an update)
 *   json      {"domain", "counts", "records": [{owner, ttl, type, rdata,
 *             address}]}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zonegen.h"
#include "zoneout.h"

#define NSUPDATE_BATCH	200	/* names per update message */

int
zoneout_format_parse(const char *name, enum zoneout_format *out)
{
	if (strcmp(name, "zone") == 0)
		*out = ZONEOUT_ZONE;
	else if (strcmp(name, "nsupdate") == 0)
		*out = ZONEOUT_NSUPDATE;
	else if (strcmp(name, "json") == 0)
		*out = ZONEOUT_JSON;
	else
		return -1;
	return 0;
}

/* rdata_str: the RDATA of RR in presentation format, malloc'd. */
static char *
rdata_str(const ldns_rr *rr)
{
	ldns_buffer *b;
	char *s = NULL;
	size_t i;

	if ((b = ldns_buffer_new(256)) == NULL)
		return NULL;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i > 0)
			ldns_buffer_printf(b, " ");
		if (ldns_rdf2buffer_str(b, ldns_rr_rdf(rr, i)) !=
		    LDNS_STATUS_OK)
			goto done;
	}
	s = ldns_buffer_export2str(b);
done:
	ldns_buffer_free(b);
	return s;
}

static char *
owner_str(const ldns_rr *rr)
{
	return ldns_rdf2str(ldns_rr_owner(rr));
}

static char *
type_str(const ldns_rr *rr)
{
	return ldns_rr_type2str(ldns_rr_get_type(rr));
}

static void
header(FILE *fp, const struct zonegen *zg, const struct zonegen_counts *c)
{
	fprintf(fp, "; senderkey records for %s.\n", zonegen_domain(zg));
	fprintf(fp, "; %zu senders: %zu keys, %zu revoked, %zu OPENPGPKEY",
	    c->senders, c->keys, c->revoked, c->openpgp);
	if (c->dkim > 0)
		fprintf(fp, ", %zu DKIM", c->dkim);
	fprintf(fp, "; %zu not yet published, %zu retired; %zu records\n",
	    c->pending, c->retired, c->records);
}

/*
 * The octets ldns prints as themselves: in names a-z A-Z 0-9 - _; in TXT
 * strings printable ASCII but '"' and '\\'.  Bitmaps over 0..127 (octets
 * from 128 up are never plain), tested per octet on a million lines.
 */
static const uint64_t name_plain[2] = {
	0x03ff200000000000ULL, 0x07fffffe87fffffeULL,
};
static const uint64_t txt_plain[2] = {
	0xfffffffb00000000ULL, 0x7fffffffefffffffULL,
};

/* plain: 1 when octet C is in bitmap MAP. */
static inline int
plain(const uint64_t map[2], uint8_t c)
{
	return c < 128 && ((map[c >> 6] >> (c & 63)) & 1) != 0;
}

/*
 * plain_name: the presentation form of wire name W (LEN octets) in OUT
 * (at least LDNS_MAX_DOMAINLEN + 2 bytes) when every label octet is one
 * that ldns prints as itself (a-z A-Z 0-9 - _), else 0.  Its length.
 */
static size_t
plain_name(const uint8_t *w, size_t len, char *out)
{
	size_t p = 0, o = 0, j;

	while (p < len && w[p] != 0) {
		if (p + 1 + w[p] > len)
			return 0;
		for (j = 1; j <= w[p]; j++)
			if (!plain(name_plain, w[p + j]))
				return 0;
		memcpy(out + o, w + p + 1, w[p]);
		o += w[p];
		out[o++] = '.';
		p += 1 + w[p];
	}
	if (o == 0)
		out[o++] = '.';
	return o;
}

/*
 * plain_txt: TXT RDATA (LEN octets) as ldns prints it ("a" "b") in OUT
 * (LEN * 2 + 8 bytes) when every octet is printable ASCII other than
 * '"' and '\\' (printed as themselves), else 0.  Its length.
 */
static size_t
plain_txt(const uint8_t *rd, size_t len, char *out)
{
	size_t p = 0, o = 0, j;

	while (p < len) {
		if (p + 1 + rd[p] > len)
			return 0;
		if (p > 0)
			out[o++] = ' ';
		out[o++] = '"';
		for (j = 1; j <= rd[p]; j++)
			if (!plain(txt_plain, rd[p + j]))
				return 0;
		memcpy(out + o, rd + p + 1, rd[p]);
		o += rd[p];
		out[o++] = '"';
		p += 1 + rd[p];
	}
	return o;
}

/* put_u32: V in decimal at OUT (at least 10 bytes); its length. */
static size_t
put_u32(uint32_t v, char *out)
{
	char d[10];
	size_t n = 0, o = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		out[o++] = d[--n];
	return o;
}

/*
 * The zone format goes through one large buffer, written with few large
 * fwrite calls (stdio passes them straight to write(2)).
 */
#define OBUF_SIZE	(1024 * 1024)
#define LINE_MAX_OCT	(LDNS_MAX_DOMAINLEN + 64 + 2 * 4096)

struct obuf {
	FILE	*fp;
	char	*buf;
	size_t	 len;
	int	 err;
};

/* ob_room: make room for N octets (N <= OBUF_SIZE); a pointer to them. */
static char *
ob_room(struct obuf *b, size_t n)
{
	if (b->len + n > OBUF_SIZE) {
		if (fwrite_unlocked(b->buf, 1, b->len, b->fp) != b->len)
			b->err = 1;
		b->len = 0;
	}
	return b->buf + b->len;
}

static void
ob_puts(struct obuf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > OBUF_SIZE) {
		ob_room(b, OBUF_SIZE);
		if (fwrite_unlocked(b->buf, 1, b->len, b->fp) != b->len ||
		    fwrite_unlocked(s, 1, n, b->fp) != n)
			b->err = 1;
		b->len = 0;
		return;
	}
	memcpy(ob_room(b, n), s, n);
	b->len += n;
}

/*
 * fast_line: W (w->plain: nothing to escape) as the line ldns_rr2str
 * prints, at OUT; its length.  TTL is the TTL's text (TTLLEN octets).
 */
static size_t
fast_line(const struct zonegen_wire *w, const char *ttl, size_t ttllen,
    char *out)
{
	size_t p = 0, o = 0;

	while (p < w->ownlen && w->owner[p] != 0) {
		memcpy(out + o, w->owner + p + 1, w->owner[p]);
		o += w->owner[p];
		out[o++] = '.';
		p += 1 + w->owner[p];
	}
	if (o == 0)
		out[o++] = '.';
	out[o++] = '\t';
	memcpy(out + o, ttl, ttllen);
	o += ttllen;
	memcpy(out + o, "\tIN\tTXT\t", 8);
	o += 8;
	for (p = 0; p < w->rdlen; p += 1 + w->rdata[p]) {
		if (p > 0)
			out[o++] = ' ';
		out[o++] = '"';
		memcpy(out + o, w->rdata + p + 1, w->rdata[p]);
		o += w->rdata[p];
		out[o++] = '"';
	}
	out[o++] = '\n';
	return o;
}

/*
 * put_rr: W as one line of a zone file, the bytes ldns_rr2str gives: by
 * hand for plain TXT records (nearly all of a zone), through ldns for the
 * rest.  Returns 0 or -1.
 */
static int
put_rr(struct obuf *b, const struct zonegen_wire *w, const char *ttl,
    size_t ttllen)
{
	char *line, *s;
	size_t o, t;
	ldns_rr *rr;

	if (w->type == LDNS_RR_TYPE_TXT && w->rdlen <= 4096) {
		line = ob_room(b, LINE_MAX_OCT);
		if (w->plain && w->ownlen <= LDNS_MAX_DOMAINLEN + 1) {
			b->len += fast_line(w, ttl, ttllen, line);
			return 0;
		}
		if ((o = plain_name(w->owner, w->ownlen, line)) > 0) {
			line[o++] = '\t';
			o += put_u32(w->ttl, line + o);
			memcpy(line + o, "\tIN\tTXT\t", 8);
			o += 8;
			if ((t = plain_txt(w->rdata, w->rdlen, line + o)) > 0) {
				o += t;
				line[o++] = '\n';
				b->len += o;
				return 0;
			}
		}
	}
	if ((rr = zonegen_wire_rr(w)) == NULL)
		return -1;
	s = ldns_rr2str(rr);
	ldns_rr_free(rr);
	if (s == NULL)
		return -1;
	ob_puts(b, s);
	free(s);
	return 0;
}

int
zoneout_write_zone(FILE *fp, const struct zonegen *zg,
    const struct zonegen_counts *counts, size_t nmore, zoneout_more_fn more,
    void *arg)
{
	struct zonegen_wire w;
	struct obuf b;
	const char *prev = "", *cur;
	char ttl[16];
	size_t i, n, ttllen, cl;
	char *p;
	int rc = -1;

	header(fp, zg, counts != NULL ? counts : zonegen_counts(zg));
	memset(&b, 0, sizeof(b));
	b.fp = fp;
	if ((b.buf = malloc(OBUF_SIZE)) == NULL)
		return -1;
	ttllen = put_u32(zonegen_ttl(zg), ttl);
	n = more != NULL ? 0 : zonegen_count(zg);
	for (i = 0; i < n + nmore; i++) {
		if (i < n)
			zonegen_wire(zg, i, &w);
		else
			more(arg, i - n, &w);
		/* A comment line whenever the sender (or the apex) changes. */
		cur = w.address != NULL ? w.address : "";
		if (i == 0 || strcmp(prev, cur) != 0) {
			const char *c = *cur != '\0' ? cur : zonegen_domain(zg);

			cl = strlen(c);
			if (cl + 3 > OBUF_SIZE)
				goto done;
			p = ob_room(&b, cl + 3);
			p[0] = ';';
			p[1] = ' ';
			memcpy(p + 2, c, cl);
			p[cl + 2] = '\n';
			b.len += cl + 3;
		}
		prev = cur;
		if (put_rr(&b, &w, ttl, ttllen) == -1)
			goto done;
	}
	if (b.len > 0 && fwrite_unlocked(b.buf, 1, b.len, fp) != b.len)
		b.err = 1;
	rc = b.err || ferror(fp) ? -1 : 0;
done:
	free(b.buf);
	return rc;
}

static int
write_nsupdate(FILE *fp, const struct zonegen *zg)
{
	const struct zonegen_rec *r;
	size_t i, j, n, names = 0;
	char *owner, *type, *rdata;

	header(fp, zg, zonegen_counts(zg));
	r = zonegen_records(zg, &n);
	for (i = 0; i < n; i = j) {
		ldns_rr_type t = ldns_rr_get_type(r[i].rr);

		/* The run of records with this owner and type. */
		for (j = i; j < n && ldns_rr_get_type(r[j].rr) == t &&
		    ldns_dname_compare(ldns_rr_owner(r[j].rr),
		    ldns_rr_owner(r[i].rr)) == 0; j++)
			;
		if (t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_NS)
			continue;
		owner = owner_str(r[i].rr);
		type = type_str(r[i].rr);
		if (owner == NULL || type == NULL) {
			free(owner);
			free(type);
			return -1;
		}
		fprintf(fp, "update delete %s %s\n", owner, type);
		for (; i < j; i++) {
			if ((rdata = rdata_str(r[i].rr)) == NULL) {
				free(owner);
				free(type);
				return -1;
			}
			fprintf(fp, "update add %s %u IN %s %s\n", owner,
			    ldns_rr_ttl(r[i].rr), type, rdata);
			free(rdata);
		}
		free(owner);
		free(type);
		if (++names % NSUPDATE_BATCH == 0)
			fputs("send\n", fp);
	}
	if (names % NSUPDATE_BATCH != 0)
		fputs("send\n", fp);
	return ferror(fp) ? -1 : 0;
}

static void
json_str(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

static int
write_json(FILE *fp, const struct zonegen *zg)
{
	const struct zonegen_counts *c = zonegen_counts(zg);
	const struct zonegen_rec *r;
	char *owner, *type, *rdata;
	size_t i, n;

	fputs("{\"domain\":", fp);
	json_str(fp, zonegen_domain(zg));
	fprintf(fp, ",\"counts\":{\"senders\":%zu,\"keys\":%zu,\"revoked\":%zu,"
	    "\"openpgpkey\":%zu,", c->senders, c->keys, c->revoked, c->openpgp);
	if (c->dkim > 0)
		fprintf(fp, "\"dkim\":%zu,", c->dkim);
	fprintf(fp, "\"pending\":%zu,\"retired\":%zu,\"records\":%zu},"
	    "\"records\":[", c->pending, c->retired, c->records);
	r = zonegen_records(zg, &n);
	for (i = 0; i < n; i++) {
		owner = owner_str(r[i].rr);
		type = type_str(r[i].rr);
		rdata = rdata_str(r[i].rr);
		if (owner == NULL || type == NULL || rdata == NULL) {
			free(owner);
			free(type);
			free(rdata);
			return -1;
		}
		fputs(i == 0 ? "\n{\"owner\":" : ",\n{\"owner\":", fp);
		json_str(fp, owner);
		fprintf(fp, ",\"ttl\":%u,\"type\":", ldns_rr_ttl(r[i].rr));
		json_str(fp, type);
		fputs(",\"rdata\":", fp);
		json_str(fp, rdata);
		if (r[i].address != NULL) {
			fputs(",\"address\":", fp);
			json_str(fp, r[i].address);
		}
		putc('}', fp);
		free(owner);
		free(type);
		free(rdata);
	}
	fputs("\n]}\n", fp);
	return ferror(fp) ? -1 : 0;
}

int
zoneout_write(FILE *fp, const struct zonegen *zg, enum zoneout_format format)
{
	switch (format) {
	case ZONEOUT_ZONE:
		return zoneout_write_zone(fp, zg, NULL, 0, NULL, NULL);
	case ZONEOUT_NSUPDATE:
		return write_nsupdate(fp, zg);
	case ZONEOUT_JSON:
		return write_json(fp, zg);
	}
	return -1;
}
