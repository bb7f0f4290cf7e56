/*
 * afile: write a file atomically.  Data goes to a temporary file in the
 * same directory; afile_commit fsyncs it and renames it over the target
 * (or links it, refusing to replace an existing file), so readers see the
 * old file or the complete new one, never a half-written one.  Any error
 * before the commit leaves the target untouched.
 */
#ifndef SK_AFILE_H
#define SK_AFILE_H

#include <stdio.h>
#include <sys/types.h>

struct afile;

/*
 * afile_open: start writing PATH with permission bits MODE (applied to
 * the temporary file at creation, so secrets are never readable by
 * others).  PATH must not exist or be a regular file (a device such as
 * /dev/null is refused, never replaced).  Returns the handle, or NULL
 * with ERR (ERRSZ bytes) set.
 */
struct afile	*afile_open(const char *path, mode_t mode, char *err,
		    size_t errsz);

/* afile_fp: the stream to write to; owned by the afile. */
FILE		*afile_fp(struct afile *);

/*
 * afile_commit: flush, fsync and move the file into place, then fsync the
 * directory.  With NOCLOBBER an existing PATH is an error (EEXIST) and is
 * left alone.  Always frees AF.  Returns 0, or -1 with ERR set (the
 * temporary file is removed).
 */
int		 afile_commit(struct afile *af, int noclobber, char *err,
		    size_t errsz);

/* afile_abort: remove the temporary file and free AF.  NULL is a no-op. */
void		 afile_abort(struct afile *af);

#endif
