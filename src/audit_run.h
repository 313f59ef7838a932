/* audit_run.h - one audit of a live server: what audit and fix share */
#ifndef LXD_HARDEN_AUDIT_RUN_H
#define LXD_HARDEN_AUDIT_RUN_H

#include <stdbool.h>

#include "engine.h"
#include "host.h"
#include "host_only.h"
#include "lxd.h"
#include "policy.h"
#include "snapshot.h"
#include "target.h"

struct audit_run_opts {
	struct target_opts target;
	const char *policy;	/* --policy FILE */
	const char *releases;	/* --releases FILE */
	const char *host_root;	/* --host-root DIR */
	const char *input;	/* --input DIR: a saved state, no server */
	/*
	 * --timeout: the whole of one audit (connecting, every request,
	 * every host command) ends within this many ms, or the audit fails
	 * with one line naming what was pending. 0: AUDIT_TIMEOUT_MS.
	 */
	long long timeout_ms;
	/*
	 * --host-only: read the host and GET /1.0 alone (the audit goes on
	 * without it when the daemon does not answer); the report names
	 * the host and, when clustered, the member and cluster certificate.
	 */
	bool host_only;
	/* --check, --skip, --section: only the checks these keep are
	   evaluated (NULL: every check) */
	const struct gate_select *select;
};

#define AUDIT_TIMEOUT_MS 120000LL

struct audit_run {
	struct policy policy;
	struct lxd_endpoint ep;
	struct lxd_client *client;
	struct snapshot snap;
	struct host host;
	bool have_host;
	struct report report;
	bool have_report;
	struct host_identity id;	/* --host-only */
};

/*
 * Loads the policy, connects and fetches the snapshot (or loads the saved
 * one o->input names), reads the host (the machine behind a unix socket,
 * or --host-root), evaluates the catalog and applies the policy, all
 * within o->timeout_ms (the deadline is disarmed again on return).
 * Returns 0, or -1 with d filled.
 */
int audit_run_start(struct audit_run *ar, const struct audit_run_opts *o,
		    struct diag *d);
/* Fetches and evaluates again (after a change), on the same connection. */
int audit_run_again(struct audit_run *ar, const struct audit_run_opts *o,
		    struct diag *d);
void audit_run_release(struct audit_run *ar);

#endif
