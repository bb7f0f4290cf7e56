/*
 * version.h: the one version string of senderkey.  Every program prints
 * it for --version, senderkeyd answers it to PING, and the Debian
 * package's version starts with it.
 */
#ifndef SK_VERSION_H
#define SK_VERSION_H

#define SENDERKEY_VERSION	"0.1"

#endif
