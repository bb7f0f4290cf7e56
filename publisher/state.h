/*
 * state: record lists in a small text file, for publish: the state file
 * (the managed records last applied, so that a later run without AXFR
 * still sees senders removed from the manifest) and the plan file (the
 * desired and current records a plan was made from, so that --apply
 * --plan-file applies exactly that plan).  Format: a first line
 * "; MAGIC", "; domain DOMAIN", "; aux TEXT" (optional), then sections,
 * each "; section NAME" followed by records in zone file presentation
 * form, one per line, absolute names.  Written atomically (lib/afile).
 */
#ifndef SK_STATE_H
#define SK_STATE_H

#include <stddef.h>

#include <ldns/ldns.h>

struct state_section {
	const char	*name;
	ldns_rr_list	*rrs;	/* save: read; load: a new list (caller's) */
};

/*
 * state_save: write MAGIC, DOMAIN (text), AUX (NULL: none) and the N
 * sections S to PATH, atomically: PATH is either the old file or the
 * complete new one.  Returns 0, or -1 with ERR set.
 */
int	state_save(const char *path, const char *magic, const char *domain,
	    const char *aux, const struct state_section *s, size_t n,
	    char *err, size_t errsz);

/*
 * state_load: read PATH written by state_save with the same MAGIC and
 * DOMAIN; fills S[i].rrs for each of the N section names (an absent
 * section gives an empty list) and, when AUX is not NULL, *AUX (malloc'd
 * or NULL).  Returns 0; 1 when PATH does not exist (nothing filled); -1
 * with "PATH:LINE: what was expected" in ERR (nothing filled).
 */
int	state_load(const char *path, const char *magic, const char *domain,
	    char **aux, struct state_section *s, size_t n, char *err,
	    size_t errsz);

/* state_clear: free the lists of the N sections S and set them NULL. */
void	state_clear(struct state_section *s, size_t n);

#endif
