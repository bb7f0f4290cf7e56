/*
 * pqlib.c: libpq loaded with dlopen on the first PostgreSQL store of a
 * process (see pqlib.h for why), its functions looked up once into a
 * table that is never written again.  The one state of the process is
 * the table and the outcome of the load, both set under pthread_once.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "lib/errstr.h"
#include "pqlib.h"

static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static struct pqlib	 table;
static int		 loaded;
static char		 why[256];

static void
load(void)
{
	void *h;
	const char *e;

	if ((h = dlopen(PQLIB_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(why, sizeof(why), "PostgreSQL: cannot load %s: %s",
		    PQLIB_SONAME, e != NULL ? e : "unknown error");
		return;
	}
#define PQLIB_LOOKUP(f)							\
	if ((table.f = (__typeof__(table.f))dlsym(h, #f)) == NULL) {	\
		snprintf(why, sizeof(why), "PostgreSQL: %s has no %s",	\
		    PQLIB_SONAME, #f);					\
		return;							\
	}
	PQLIB_FUNCS(PQLIB_LOOKUP)
#undef PQLIB_LOOKUP
	/* the handle stays open for the life of the process */
	loaded = 1;
}

int
pqlib_load(char *err, size_t errsz)
{
	if (pthread_once(&once, load) != 0) {
		errstr_set(err, errsz, "PostgreSQL: cannot load %s",
		    PQLIB_SONAME);
		return -1;
	}
	if (!loaded) {
		errstr_set(err, errsz, "%s", why);
		return -1;
	}
	return 0;
}

const struct pqlib *
pqlib_get(void)
{
	return &table;
}
