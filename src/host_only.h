/* host_only.h - audit --host-only: the host checks, and whose host */
#ifndef LXD_HARDEN_HOST_ONLY_H
#define LXD_HARDEN_HOST_ONLY_H

#include "gate.h"
#include "snapshot.h"

struct check;

/* Whether c reads the host (its evaluator says so when given none). */
bool host_only_is_host_check(const struct check *c);

/*
 * Adds "--check ID" to s for every host check: those whose evaluator,
 * given no host, says it needs the machine (HOST_CHECKS_NEED). -1 with d
 * when s has no room.
 */
int host_only_select(struct gate_select *s, struct diag *d);

/* Who the report is about: owned strings, NULL when unknown. */
struct host_identity {
	char *host;		/* the host name */
	char *member;		/* clustered: the member's name */
	char *fingerprint;	/* clustered: SHA-256 of the cluster cert */
};

/*
 * The host's name (host_root's etc/hostname when a root is given, else
 * gethostname()), and from snap's /1.0, when clustered, the member's name
 * and the certificate's fingerprint.
 */
void host_identity_read(struct host_identity *id, const struct snapshot *snap,
			const char *host_root);
void host_identity_release(struct host_identity *id);

#endif
