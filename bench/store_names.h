/*
 * store_names.h: the names of bench/store_gen's generated policy store,
 * shared with bench/store_churn so that the churn changes recipients the
 * store holds.  Every name is a canonical target (store.md 2: ASCII,
 * lowercase, A-label domains) and follows from a number alone.
 *
 *	recipient R	"bob@example.net" for R = 0 (the one bench/store asks
 *			about), "*@dD.example" for every 500th (a domain
 *			rule), else "uR@dD.example", D = R / 500
 *	sender S	"*@eD.example" for every 20th (a domain sender),
 *			else "sS@eD.example", D = S / 20
 */
#ifndef SK_BENCH_STORE_NAMES_H
#define SK_BENCH_STORE_NAMES_H

#include <stdint.h>
#include <stdio.h>

#define SN_RCPT_PER_DOMAIN	500
#define SN_SENDER_PER_DOMAIN	20
#define SN_NAME_MAX		64

static inline void
sn_rcpt(uint64_t r, char out[SN_NAME_MAX])
{
	unsigned long long d = r / SN_RCPT_PER_DOMAIN;

	if (r == 0)
		snprintf(out, SN_NAME_MAX, "bob@example.net");
	else if (r % SN_RCPT_PER_DOMAIN == SN_RCPT_PER_DOMAIN - 1)
		snprintf(out, SN_NAME_MAX, "*@d%llu.example", d);
	else
		snprintf(out, SN_NAME_MAX, "u%llu@d%llu.example",
		    (unsigned long long)r, d);
}

/* sn_sender: sender S; returns 1 when it is a domain ("*@..."). */
static inline int
sn_sender(uint64_t s, char out[SN_NAME_MAX])
{
	unsigned long long d = s / SN_SENDER_PER_DOMAIN;

	if (s % SN_SENDER_PER_DOMAIN == 0) {
		snprintf(out, SN_NAME_MAX, "*@e%llu.example", d);
		return 1;
	}
	snprintf(out, SN_NAME_MAX, "s%llu@e%llu.example",
	    (unsigned long long)s, d);
	return 0;
}

/* sn_rand: splitmix64, the generators' one source of numbers. */
static inline uint64_t
sn_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* sn_pin: a random pin in the stored form, 64 lowercase hex digits. */
static inline void
sn_pin(uint64_t *rng, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = 0;
	int i;

	for (i = 0; i < 64; i++) {
		if (i % 16 == 0)
			v = sn_rand(rng);
		out[i] = hex[v & 15];
		v >>= 4;
	}
	out[64] = '\0';
}

#endif
