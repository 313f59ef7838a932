/* audit_fleet.c - one target of a fleet audit, in its own process */
#include "audit_fleet.h"

#include "audit_run.h"
#include "report.h"

int
audit_fleet_one(const struct fleet_target *t, void *ctx, FILE *out,
		struct diag *d)
{
	const struct audit_fleet *a = ctx;
	struct audit_run_opts ro = { 0 };
	struct audit_run ar;
	int rc = -1;

	ro.target.socket = t->socket;
	ro.target.remote = t->remote;
	ro.target.url = t->url;
	ro.target.cert = t->cert;
	ro.target.key = t->key;
	ro.target.server_cert = t->server_cert;
	ro.policy = t->policy ? t->policy : a->policy;
	ro.releases = a->releases;
	ro.timeout_ms = a->timeout_ms;
	ro.select = a->select;
	if (audit_run_start(&ar, &ro, d) != 0)
		goto out;
	if (gate_apply_selection(&ar.report, a->select, &ar.policy, &ar.snap,
				 d) != 0)
		goto out;
	if (a->min_set)
		ar.report.min_severity = a->min_severity;
	if (report_json_write(out, &ar.report, 0) != 0) {
		diag_set(d, "cannot write the report of '%s'", t->name);
		goto out;
	}
	rc = 0;
out:
	audit_run_release(&ar);
	return rc;
}
