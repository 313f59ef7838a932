/* audit_run.c - one audit of a live server: what audit and fix share */
#include "audit_run.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "deadline.h"
#include "gate.h"
#include "releases.h"

static int
evaluate(struct audit_run *ar, const struct audit_run_opts *o,
	 struct diag *d)
{
	struct check_ctx ctx = { 0 };

	if (o->host_root || ar->ep.socket_path) {
		struct host_opts ho = {
			.root = o->host_root,
			.socket_path = ar->ep.socket_path,
		};

		if (host_read(&ar->host, &ho, &ar->snap, d) != 0)
			return -1;
		ar->have_host = true;
		ctx.host = &ar->host;
	}
	ctx.snap = &ar->snap;
	ctx.policy = &ar->policy;
	ctx.releases_path = releases_locate(o->releases);
	engine_run(&ctx, &ar->report);
	ar->have_report = true;
	gate_apply_policy(&ar->report, &ar->policy, ar->snap.now);
	return 0;
}

static void
arm(const struct audit_run_opts *o)
{
	long long ms = o->timeout_ms > 0 ? o->timeout_ms : AUDIT_TIMEOUT_MS;
	char what[48];

	if (ms % 1000)
		snprintf(what, sizeof(what), "--timeout %lldms", ms);
	else
		snprintf(what, sizeof(what), "--timeout %llds", ms / 1000);
	deadline_arm(ms, what);
}

/*
 * Ends the deadline of one audit. When it passed, that is the one line
 * to print, whatever failed because of it.
 */
static int
disarm(int rc, struct diag *d)
{
	char msg[sizeof(d->msg)];

	if (deadline_report(msg, sizeof(msg))) {
		diag_set(d, "%s", msg);
		rc = -1;
	}
	deadline_disarm();
	return rc;
}

static int
start(struct audit_run *ar, const struct audit_run_opts *o, struct diag *d)
{
	policy_init(&ar->policy);
	snapshot_init(&ar->snap);
	host_init(&ar->host);
	if (o->policy && policy_load(&ar->policy, o->policy, d) != 0)
		return -1;
	if (o->input) {
		if (snapshot_load_dir(&ar->snap, o->input, d) != 0)
			return -1;
		return evaluate(ar, o, d);
	}
	if (target_resolve(&o->target, &ar->ep, d) != 0)
		return -1;
	ar->client = lxd_client_new(&ar->ep, d);
	if (!ar->client)
		return -1;
	if (snapshot_fetch(&ar->snap, ar->client, ar->ep.label,
			   ar->ep.url != NULL, d) != 0)
		return -1;
	return evaluate(ar, o, d);
}

int
audit_run_start(struct audit_run *ar, const struct audit_run_opts *o,
		struct diag *d)
{
	memset(ar, 0, sizeof(*ar));
	arm(o);
	return disarm(start(ar, o, d), d);
}

static int
again(struct audit_run *ar, const struct audit_run_opts *o, struct diag *d)
{
	if (o->input) {
		diag_set(d, "a saved state (--input) cannot be audited again");
		return -1;
	}
	if (ar->have_report)
		engine_report_release(&ar->report);
	ar->have_report = false;
	memset(&ar->report, 0, sizeof(ar->report));
	snapshot_release(&ar->snap);
	snapshot_init(&ar->snap);
	host_release(&ar->host);
	host_init(&ar->host);
	ar->have_host = false;
	if (snapshot_fetch(&ar->snap, ar->client, ar->ep.label,
			   ar->ep.url != NULL, d) != 0)
		return -1;
	return evaluate(ar, o, d);
}

int
audit_run_again(struct audit_run *ar, const struct audit_run_opts *o,
		struct diag *d)
{
	arm(o);
	return disarm(again(ar, o, d), d);
}

void
audit_run_release(struct audit_run *ar)
{
	if (ar->have_report)
		engine_report_release(&ar->report);
	snapshot_release(&ar->snap);
	host_release(&ar->host);
	lxd_client_free(ar->client);
	lxd_endpoint_release(&ar->ep);
	policy_release(&ar->policy);
	memset(ar, 0, sizeof(*ar));
}
