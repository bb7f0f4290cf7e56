/*
 * test_lookup_packet: the packet API of core/lookup.h without DNS:
 * lookup_packet_failed and lookup_packet_free, the state names, refusal
 * of a bad type, packet and TXT queries sharing the pending list and
 * lookup_cancel, and a lookup_packet_sync deadline against a UDP socket
 * on 127.0.0.1 that never answers (FAILED "timeout", no packet).  The
 * secure and bogus paths run against the test bed in 81-audit.sh.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/lookup.h"
#include "t.h"

static void
pcb(void *arg, int id, struct lookup_packet *p)
{
	(void)id;
	++*(int *)arg;
	lookup_packet_free(p);
}

static void
tcb(void *arg, int id, struct lookup_answer *a)
{
	(void)id;
	++*(int *)arg;
	lookup_answer_free(a);
}

static int
write_file(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_lookup_packet.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
main(void)
{
	struct lookup_packet *p;
	struct lookup_opts o;
	struct lookup *lk;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char anchor[64], conf[64], fwd[64], err[256];
	const char *fwds[1];
	int s, id1, id2, id3, calls = 0;

	p = lookup_packet_failed(16, "timeout");
	T_OK(p != NULL && p->dnssec == LOOKUP_DNSSEC_FAILED && p->rrtype ==
	    16 && p->rcode == -1 && p->pkt == NULL && p->answer == NULL &&
	    strcmp(p->why, "timeout") == 0, "lookup_packet_failed");
	lookup_packet_free(p);
	lookup_packet_free(NULL);
	T_OK(1, "lookup_packet_free(NULL) is a no-op");
	T_STREQ(lookup_packet_dnssec_name(LOOKUP_DNSSEC_SECURE), "secure", "name");
	T_STREQ(lookup_packet_dnssec_name(LOOKUP_DNSSEC_BOGUS), "bogus", "name");
	T_STREQ(lookup_packet_dnssec_name(LOOKUP_DNSSEC_INSECURE), "insecure",
	    "name");
	T_STREQ(lookup_packet_dnssec_name(LOOKUP_DNSSEC_FAILED), "failed", "name");
	T_STREQ(lookup_packet_dnssec_name((enum lookup_dnssec)99), "?", "name");

	if (write_file(anchor, ". 3600 IN DS 20326 8 2 "
	    "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d\n")
	    != 0 || write_file(conf, "server:\n\tdo-not-query-localhost: no\n"
	    "\tlocal-zone: \"test.\" nodefault\n") != 0) {
		T_OK(0, "temporary files");
		return t_done();
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(s, (struct sockaddr *)&sin, &slen) != 0) {
		T_OK(0, "a silent UDP socket");
		return t_done();
	}
	snprintf(fwd, sizeof(fwd), "127.0.0.1@%u", ntohs(sin.sin_port));
	fwds[0] = fwd;
	memset(&o, 0, sizeof(o));
	o.trust_anchor_file = anchor;
	o.unbound_config = conf;
	o.forwarders = fwds;
	o.nforwarders = 1;
	o.timeout_ms = 300;
	lk = lookup_new(&o, err, sizeof(err));
	T_OK(lk != NULL, "a context (%s)", lk == NULL ? err : "ok");
	if (lk != NULL) {
		T_INTEQ(lookup_packet_start(lk, "a.test.", 0, LOOKUP_KEY, pcb,
		    &calls, NULL), -1, "type 0 is refused");
		T_INTEQ(lookup_packet_start(lk, "a.test.", 70000, LOOKUP_KEY,
		    pcb, &calls, NULL), -1, "a type over 65535 is refused");
		T_INTEQ(lookup_pending(lk), 0, "nothing pending, refused");
		T_OK(lookup_packet_start(lk, "a.test.", 6, LOOKUP_KEY, pcb,
		    &calls, &id1) == 0 && lookup_start(lk, "b.test.",
		    LOOKUP_KEY, tcb, &calls, &id2) == 0 &&
		    lookup_packet_start(lk, "c.test.", 47, LOOKUP_KEY, pcb,
		    &calls, &id3) == 0, "packet and TXT queries started");
		T_INTEQ(lookup_pending(lk), 3, "one pending list for both");
		lookup_cancel(lk, id1);
		T_INTEQ(lookup_pending(lk), 2, "a packet query is cancelled");

		p = NULL;
		T_OK(lookup_packet_sync(lk, "d.test.", 16, LOOKUP_KEY, &p) ==
		    0 && p != NULL, "lookup_packet_sync returns an answer");
		T_OK(p != NULL && p->dnssec == LOOKUP_DNSSEC_FAILED &&
		    p->why != NULL && strcmp(p->why, "timeout") == 0 &&
		    p->pkt == NULL && p->answer == NULL,
		    "silent server: FAILED timeout, no packet, no answer");
		lookup_packet_free(p);
		T_INTEQ(lookup_pending(lk), 2, "the timed-out query is gone");
		T_INTEQ(calls, 0, "no callback: cancelled or silent queries");
		lookup_free(lk);	/* with packet queries pending */
		T_OK(1, "lookup_free with packet queries pending");
	}
	close(s);
	unlink(anchor);
	unlink(conf);
	return t_done();
}
