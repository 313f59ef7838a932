/* engine.c - runs the catalog over a snapshot and holds the results */
#include "engine.h"

#include <stdlib.h>

#include "catalog.h"
#include "host.h"
#include "x509.h"

enum status
engine_status(const struct findings *fs)
{
	bool fail = false, error = false, manual = false, pass = false;
	bool waived = false, skipped = false;

	for (size_t i = 0; i < fs->n; i++) {
		switch (fs->v[i].status) {
		case ST_FAIL:
			fail = true;
			break;
		case ST_ERROR:
			error = true;
			break;
		case ST_MANUAL:
			manual = true;
			break;
		case ST_PASS:
		case ST_FIXED:
			pass = true;
			break;
		case ST_WAIVED:
			waived = true;
			break;
		case ST_SKIPPED:
			skipped = true;
			break;
		case ST_NOTAPPLICABLE:
		case ST__COUNT:
			break;
		}
	}
	if (fail)
		return ST_FAIL;
	if (error)
		return ST_ERROR;
	if (skipped)
		return ST_SKIPPED;
	if (waived)
		return ST_WAIVED;
	if (manual)
		return ST_MANUAL;
	if (pass || fs->n == 0)
		return ST_PASS;
	return ST_NOTAPPLICABLE;
}

enum severity
engine_result_severity(const struct check *c, const struct findings *fs,
		       enum status st)
{
	enum severity sev = SEV_INFO;
	bool any = false;

	if (st != ST_FAIL)
		return c->severity;
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->v[i].status != ST_FAIL)
			continue;
		if (!any || fs->v[i].severity > sev)
			sev = fs->v[i].severity;
		any = true;
	}
	return any ? sev : c->severity;
}

/*
 * The score weighs each applicable check by its catalog severity
 * (critical 10, high 6, medium 3, low 1, info 0) and gives the passing
 * share in percent. Applicable: pass, fixed, fail, error and waived (a
 * waiver accepts a risk, it does not remove it). manual, notapplicable
 * and skipped checks are left out.
 */
static double
score_of(const struct report *r)
{
	static const double weight[SEV__COUNT] = {
		[SEV_INFO] = 0, [SEV_LOW] = 1, [SEV_MEDIUM] = 3,
		[SEV_HIGH] = 6, [SEV_CRITICAL] = 10,
	};
	double got = 0, max = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		double w = weight[res->check->severity];

		switch (res->status) {
		case ST_PASS:
		case ST_FIXED:
			got += w;
			max += w;
			break;
		case ST_FAIL:
		case ST_ERROR:
		case ST_WAIVED:
			max += w;
			break;
		case ST_MANUAL:
		case ST_NOTAPPLICABLE:
		case ST_SKIPPED:
		case ST__COUNT:
			break;
		}
	}
	return max > 0 ? 100.0 * got / max : -1.0;
}

void
engine_score(struct report *r)
{
	r->score = score_of(r);
}

static const char *
skip_reason(const struct policy *p, const char *id)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_skips; i++)
		if (str_eq(p->skips[i].check, id))
			return p->skips[i].reason;
	return NULL;
}

void
engine_run(const struct check_ctx *x, struct report *r)
{
	engine_run_changed(x, r, NULL, 0);
}

void
engine_run_changed(const struct check_ctx *x, struct report *r,
		   const unsigned long long *reads, unsigned long long changed)
{
	/* a cache and a note beside the state: no part changes */
	struct snapshot *s = (struct snapshot *)(uintptr_t)x->snap;
	size_t i = 0;

	if (changed & SNAP_BIT(SNAP_SERVER))
		reads = NULL;

	r->n = catalog_count();
	r->results = xcalloc(r->n, sizeof(*r->results));
	for (size_t k = 0; k < ST__COUNT; k++)
		r->counts[k] = 0;
	for (const struct section *sec = catalog_sections; sec->prefix; sec++) {
		for (const struct check *c = sec->checks; c->id; c++) {
			struct check_result *res = &r->results[i++];

			res->check = c;
			if (reads && !(reads[i - 1] & changed)) {
				res->kept = true;
				res->reads = reads[i - 1];
				res->status = ST_SKIPPED;
				res->severity = c->severity;
				continue;
			}
			/* every check reads /1.0 (version, extensions) */
			res->reads = SNAP_BIT(SNAP_SERVER);
			s->reads = &res->reads;
			if (skip_reason(x->policy, c->id))
				findings_add(&res->findings, ST_SKIPPED,
					     c->severity, "/1.0",
					     "skipped by the policy: %s",
					     skip_reason(x->policy, c->id));
			else if (x->selects && !x->selects(x->selects_arg, c))
				findings_add(&res->findings, ST_SKIPPED,
					     c->severity, "/1.0",
					     "skipped: left out by the "
					     "command line");
			else
				c->eval(c, x, &res->findings);
			s->reads = NULL;
			res->status = engine_status(&res->findings);
			res->severity =
				engine_result_severity(c, &res->findings,
						       res->status);
			r->counts[res->status]++;
		}
	}
	r->endpoint = s->endpoint;
	r->client_setup = s->client_setup;
	r->product = s->product;
	r->server_name = s->server_name;
	r->server_version = s->server_version;
	r->clustered = s->clustered;
	if (s->clustered) {
		const json_t *env = json_object_get(s->part[SNAP_SERVER],
						    "environment");

		if (x509_sha256_pem(json_string_value(json_object_get(
					    env, "certificate")),
				    r->cluster_fp) == 0 &&
		    r->cluster_fp[0])
			r->cluster_fingerprint = r->cluster_fp;
		r->cluster_member = s->server_name;
	}
	r->install = x->host ? host_install_name(x->host->install) : NULL;
	r->remote = s->remote;
	r->generated_at = s->now;
	r->requests = s->requests;
	engine_score(r);
}

bool
engine_finding_open(const struct finding *f)
{
	return f->status == ST_FAIL || f->status == ST_ERROR;
}

long long
engine_first_seen(const struct report *r, const struct finding *f)
{
	return f->first_seen ? f->first_seen : r->generated_at;
}

long long
engine_oldest_open(const struct report *r, const struct check_result *res)
{
	long long oldest = -1;

	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];
		long long t;

		if (!engine_finding_open(f))
			continue;
		t = engine_first_seen(r, f);
		if (oldest < 0 || t < oldest)
			oldest = t;
	}
	return oldest;
}

void
engine_report_release(struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		findings_release(&r->results[i].findings);
	free(r->results);
	r->results = NULL;
	r->n = 0;
	if (r->fixed_ids)
		for (size_t i = 0; i < r->fixed_since.n; i++)
			free(r->fixed_ids[i]);
	free(r->fixed_ids);
	r->fixed_ids = NULL;
	findings_release(&r->fixed_since);
	for (size_t i = 0; i < r->n_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	r->notes = NULL;
	r->n_notes = 0;
}

bool
engine_fails(const struct report *r, enum severity threshold)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		if ((res->status == ST_FAIL || res->status == ST_ERROR) &&
		    res->severity >= threshold)
			return true;
	}
	return false;
}
