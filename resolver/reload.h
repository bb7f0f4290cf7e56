/*
 * reload: senderkeyd's policy store once read (its feed and copy
 * threads) and the config reloads of SIGHUP (reload.c).  Loop thread
 * only.
 */
#ifndef SK_RELOAD_H
#define SK_RELOAD_H

#include "core/verdict.h"

struct config;
struct daemon;

/* reload_mode_of: CFG's DefaultMode as a verdict mode. */
enum verdict_mode reload_mode_of(const struct config *cfg);

/*
 * reload_start_feed: keep D's store (read by storefeed_load, with its
 * reader) current from now on, and its PolicyStoreCopy; a feed that
 * cannot start is logged (the rules then stay as read).
 */
void		 reload_start_feed(struct daemon *d);

/*
 * reload_config: SIGHUP: D's config file read again and taken, at once
 * when it names the same store, DefaultMode and copy; else once the
 * store it names has been read whole off the loop (a reload still
 * waiting is dropped first).  Failures are logged and change nothing.
 */
void		 reload_config(struct daemon *d);

/* reload_drop: a reload waiting for its store, dropped and logged with
 * WHY; none waiting is a no-op. */
void		 reload_drop(struct daemon *d, const char *why);

#endif
