/* audit_run.c - one audit of a live server: what audit and fix share */
#include "audit_run.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "deadline.h"
#include "fix.h"
#include "gate.h"
#include "releases.h"

/* Where the host is read from, or false when this audit reads none. */
static bool
host_wanted(const struct audit_run *ar, const struct audit_run_opts *o,
	    struct host_opts *ho)
{
	if (!o->host_root && !ar->ep.socket_path)
		return false;
	memset(ho, 0, sizeof(*ho));
	ho->root = o->host_root;
	ho->socket_path = ar->ep.socket_path;
	return true;
}

static int
evaluate(struct audit_run *ar, const struct audit_run_opts *o,
	 struct diag *d)
{
	struct check_ctx ctx = { 0 };
	struct fix_opts fo = { 0 };
	struct host_opts ho;

	if (!ar->have_host && host_wanted(ar, o, &ho)) {
		if (host_read(&ar->host, &ho, &ar->snap, d) != 0)
			return -1;
		ar->have_host = true;
	}
	if (ar->have_host)
		ctx.host = &ar->host;
	if (!o->input && ar->snap.product) {
		free(ar->snap.client_setup);
		ar->snap.client_setup = target_client_setup(
			&ar->ep, o->target.remote, ar->snap.product);
	}
	ctx.snap = &ar->snap;
	ctx.policy = &ar->policy;
	ctx.releases_path = releases_locate(o->releases);
	if (o->select) {
		ctx.selects = gate_select_wants;
		ctx.selects_arg = o->select;
	}
	engine_run(&ctx, &ar->report);
	ar->have_report = true;
	gate_apply_policy(&ar->report, &ar->policy, ar->snap.now);
	/* the advice for what fix knows comes from fix's own plan */
	fo.policy = &ar->policy;
	fo.host_root = ar->have_host ? ar->host.root : NULL;
	fo.host = ar->have_host ? &ar->host : NULL;
	fix_remedy_attach(&ar->report, &ar->snap, &fo);
	return 0;
}

/*
 * The host is read in a thread of its own while the requests are in
 * flight: its commands (nft, auditctl, ...) take about as long as the
 * slowest request. The thread shares nothing with the fetch: it reads a
 * copy of what GET /1.0 said, and its own struct host and diag. Both
 * sides respect the one deadline (deadline.c is thread-safe).
 */
struct host_job {
	pthread_t tid;
	struct host *host;
	struct host_opts ho;
	struct snapshot root;	/* a copy of /1.0 */
	struct diag d;
	int rc;
};

static void *
host_job_run(void *arg)
{
	struct host_job *j = arg;

	j->rc = host_read(j->host, &j->ho, &j->root, &j->d);
	return NULL;
}

/*
 * Fetches everything after /1.0 and reads the host meanwhile. Returns
 * -1 with d set only when the host root is unusable (as host_read).
 */
static int
fetch_and_read_host(struct audit_run *ar, const struct audit_run_opts *o,
		    struct diag *d)
{
	struct host_job j = { 0 };
	bool threaded = false;

	if (host_wanted(ar, o, &j.ho)) {
		j.host = &ar->host;
		snapshot_copy_root(&j.root, &ar->snap);
		threaded = pthread_create(&j.tid, NULL, host_job_run, &j) == 0;
		if (!threaded)
			j.rc = host_read(j.host, &j.ho, &j.root, &j.d);
	}
	snapshot_fetch_rest(&ar->snap, ar->client);
	if (threaded)
		pthread_join(j.tid, NULL);
	if (j.host) {
		snapshot_release(&j.root);
		if (j.rc != 0) {
			diag_set(d, "%s", j.d.msg);
			return -1;
		}
		ar->have_host = true;
	}
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

static void
name_host(struct audit_run *ar, const struct audit_run_opts *o)
{
	host_identity_read(&ar->id, o->host_root);
	ar->report.host = ar->id.host;
}

/*
 * --host-only: the daemon is found (its socket) and asked for /1.0 only,
 * for its name and cluster; when it does not answer, the host is read
 * all the same (the checks that need /1.0 then say so).
 */
static int
start_host_only(struct audit_run *ar, const struct audit_run_opts *o,
		struct diag *d)
{
	struct diag ignored = { { 0 } };

	if (!ar->ep.socket_path && !o->host_root) {
		diag_set(d, "--host-only reads this machine: use the local "
			    "socket (--socket PATH or none), not --remote or "
			    "--url");
		return -1;
	}
	if (snapshot_fetch_root(&ar->snap, ar->client, ar->ep.label,
				ar->ep.url != NULL, &ignored) != 0) {
		snapshot_release(&ar->snap);
		snapshot_init(&ar->snap);
	}
	if (evaluate(ar, o, d) != 0)
		return -1;
	name_host(ar, o);
	return 0;
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
		if (evaluate(ar, o, d) != 0)
			return -1;
		if (o->host_only)
			name_host(ar, o);
		return 0;
	}
	if (target_resolve(&o->target, &ar->ep, d) != 0)
		return -1;
	ar->client = lxd_client_new(&ar->ep, d);
	if (!ar->client)
		return -1;
	if (o->host_only)
		return start_host_only(ar, o, d);
	if (snapshot_fetch_root(&ar->snap, ar->client, ar->ep.label,
				ar->ep.url != NULL, d) != 0)
		return -1;
	if (fetch_and_read_host(ar, o, d) != 0)
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
	if (snapshot_fetch_root(&ar->snap, ar->client, ar->ep.label,
				ar->ep.url != NULL, d) != 0)
		return -1;
	if (fetch_and_read_host(ar, o, d) != 0)
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
	host_identity_release(&ar->id);
	memset(ar, 0, sizeof(*ar));
}
