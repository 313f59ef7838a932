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

/*
 * Which machine the report is about: an owned string, NULL when unknown.
 * The member and the cluster's fingerprint come from /1.0, with the rest
 * of the report (engine_report).
 */
struct host_identity {
	char *host;		/* the host name */
};

/*
 * The host's name: host_root's etc/hostname when a root is given, else
 * gethostname().
 */
void host_identity_read(struct host_identity *id, const char *host_root);
void host_identity_release(struct host_identity *id);

#endif
