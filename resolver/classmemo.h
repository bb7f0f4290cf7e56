/*
 * classmemo: senderkeyd's memo of class ids (verdicts.md section 8).
 * verdict_class is a pure function of the verdict input without its sig
 * field, and a daemon sees few combinations of those seven small enums,
 * so the id of each one seen lately is kept in a small direct-mapped
 * table.  Not here: what a class is (verdict.c), where the inputs come
 * from (inputs.c).
 */
#ifndef SK_CLASSMEMO_H
#define SK_CLASSMEMO_H

#include <stdint.h>

#include "core/verdict.h"

#define CLASSMEMO_SLOTS	64	/* ids remembered (a power of 2) */

struct classmemo;

/* classmemo_new: an empty memo, or NULL when out of memory. */
struct classmemo	*classmemo_new(void);

/* classmemo_free: NULL is a no-op. */
void			 classmemo_free(struct classmemo *m);

/*
 * classmemo_id: verdict_class's id for IN (IN->sig ignored) into ID,
 * from M when remembered, else computed and remembered (replacing the
 * slot's previous one).  Returns 0, or -1 as verdict_class (ID then
 * undefined, nothing remembered).
 */
int			 classmemo_id(struct classmemo *m,
			    const struct verdict_input *in,
			    char id[VERDICT_CLASS_IDSIZE]);

/* classmemo_hits: how many classmemo_id calls M answered from memory. */
uint64_t		 classmemo_hits(const struct classmemo *m);

#endif
