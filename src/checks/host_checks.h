/* host_checks.h - host evaluators of ACC and MUL, and their table entries */
#ifndef LXD_HARDEN_HOST_CHECKS_H
#define LXD_HARDEN_HOST_CHECKS_H

#include "catalog.h"
#include "host.h"

/*
 * How the notapplicable finding of a host check without a host begins
 * (audit --host-only finds the host checks by it).
 */
#define HOST_CHECKS_NEED "The host checks need the machine the daemon runs on"

/*
 * Returns the host, or adds a notapplicable finding about object saying
 * why there is none (a remote audit, or saved state without
 * --host-root) and returns NULL.
 */
/*
 * The running daemon as a finding's object: "process:incusd" on Incus,
 * else "process:lxd".
 */
const char *host_checks_daemon(const struct check_ctx *x);

const struct host *host_checks_need(const struct check *c,
				    const struct check_ctx *x,
				    const char *object, struct findings *out);

/* "file:///PATH". Caller frees. */
char *host_checks_file(const char *path);

check_eval_fn host_checks_admin_group;	/* LXD-ACC-001 */
check_eval_fn host_checks_socket;	/* LXD-ACC-002 */
check_eval_fn host_checks_cert_lifetime;/* LXD-ACC-007 */
check_eval_fn host_checks_crl;		/* LXD-ACC-008 */
check_eval_fn host_checks_user_group;	/* LXD-MUL-001 */
check_eval_fn host_checks_name_leak;	/* LXD-MUL-004 */

#endif
