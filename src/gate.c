/* gate.c - what the policy and a baseline make of a report's results */
#include "gate.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define GATE_MAX_BASELINE ((size_t)256 << 20)

static void
add_note(struct report *r, char *note)
{
	r->notes = xrealloc(r->notes, (r->n_notes + 1) * sizeof(*r->notes));
	r->notes[r->n_notes++] = note;
}

static bool
failing(const struct finding *f)
{
	return f->status == ST_FAIL || f->status == ST_ERROR;
}

static void
recount(struct report *r)
{
	for (size_t k = 0; k < ST__COUNT; k++)
		r->counts[k] = 0;
	for (size_t i = 0; i < r->n; i++)
		r->counts[r->results[i].status]++;
	engine_score(r);
}

static void
apply_override(struct check_result *res, enum severity sev)
{
	for (size_t i = 0; i < res->findings.n; i++)
		if (failing(&res->findings.v[i]))
			res->findings.v[i].severity = sev;
	res->severity = sev;
}

static bool
waiver_matches(const struct policy_waiver *w, const char *id,
	       const struct finding *f)
{
	if (!str_eq(w->check, id))
		return false;
	return !w->object || fnmatch(w->object, f->object, 0) == 0;
}

void
gate_apply_policy(struct report *r, const struct policy *p, long long now)
{
	bool *used = xcalloc(p->n_waivers ? p->n_waivers : 1, sizeof(*used));

	for (size_t i = 0; i < r->n; i++) {
		struct check_result *res = &r->results[i];
		const char *id = res->check->id;

		if (res->status == ST_SKIPPED)
			continue;
		for (size_t k = 0; k < p->n_overrides; k++)
			if (str_eq(p->overrides[k].check, id))
				apply_override(res, (enum severity)
						       p->overrides[k].severity);
		for (size_t j = 0; j < res->findings.n; j++) {
			struct finding *f = &res->findings.v[j];

			/* a check that could not read its data is not waivable */
			if (f->status != ST_FAIL)
				continue;
			for (size_t k = 0; k < p->n_waivers; k++) {
				const struct policy_waiver *w = &p->waivers[k];

				if (!waiver_matches(w, id, f))
					continue;
				used[k] = true;
				if (now > w->expires_at)
					continue;
				f->status = ST_WAIVED;
				free(f->waiver_reason);
				free(f->waiver_expires);
				f->waiver_reason = xstrdup(w->reason);
				f->waiver_expires = xstrdup(w->expires);
				break;
			}
		}
		res->status = engine_status(&res->findings);
		if (res->status != ST_FAIL && res->status != ST_ERROR)
			res->severity = res->check->severity;
	}
	for (size_t k = 0; k < p->n_waivers; k++) {
		const struct policy_waiver *w = &p->waivers[k];

		if (now > w->expires_at)
			add_note(r, xasprintf("waiver for %s on '%s' (line %d) "
					      "expired on %s and no longer "
					      "waives: %s",
					      w->check, w->object ? w->object : "*",
					      w->line, w->expires, w->reason));
		else if (!used[k])
			add_note(r, xasprintf("waiver for %s on '%s' (line %d) "
					      "matches no failing finding",
					      w->check, w->object ? w->object : "*",
					      w->line));
	}
	free(used);
	recount(r);
}

/* The identity of a finding across runs. Caller frees. */
static char *
finding_ident(const char *id, const char *object, const char *device,
	      const char *key)
{
	return xasprintf("%s\x1f%s\x1f%s\x1f%s", id, object ? object : "",
			 device ? device : "", key ? key : "");
}

static const char *
jget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool
old_failing(const char *status)
{
	return str_eq(status, "fail") || str_eq(status, "error") ||
	       str_eq(status, "waived");
}

int
gate_apply_baseline(struct report *r, const char *path, struct diag *d)
{
	json_error_t err;
	json_t *old, *res, *f, *results;
	struct diag why = { { 0 } };
	size_t i, j, len;
	char *buf;

	if (read_file_max(path, GATE_MAX_BASELINE, "baseline", &buf, &len,
			  &why) != 0) {
		diag_set(d, "%s (a baseline is the JSON report of an earlier "
			    "audit: 'lxd-harden audit --format json -o FILE')",
			 why.msg);
		return -1;
	}
	old = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	free(buf);
	if (!old) {
		diag_set(d, "cannot read baseline '%s': line %d column %d: %s",
			 path, err.line, err.column, err.text);
		return -1;
	}
	results = json_object_get(old, "results");
	if (!str_eq(jget(old, "schema"), "lxd-harden/report/v1") ||
	    !json_is_array(results)) {
		diag_set(d, "baseline '%s' is not a lxd-harden JSON report "
			    "(schema lxd-harden/report/v1)", path);
		json_decref(old);
		return -1;
	}
	r->has_baseline = true;

	/* mark what we have now */
	for (size_t a = 0; a < r->n; a++) {
		struct check_result *cr = &r->results[a];

		for (size_t b = 0; b < cr->findings.n; b++) {
			struct finding *cf = &cr->findings.v[b];
			char *want;
			bool known = false;

			if (!failing(cf) && cf->status != ST_WAIVED)
				continue;
			want = finding_ident(cr->check->id, cf->object,
					     cf->device, cf->key);
			json_array_foreach (results, i, res) {
				json_array_foreach (json_object_get(res, "findings"),
						    j, f) {
					char *have;

					if (!old_failing(jget(f, "status")))
						continue;
					have = finding_ident(jget(res, "id"),
							     jget(f, "object"),
							     jget(f, "device"),
							     jget(f, "key"));
					known = str_eq(have, want);
					free(have);
					if (known)
						break;
				}
				if (known)
					break;
			}
			free(want);
			cf->baseline = known ? BASELINE_KNOWN : BASELINE_NEW;
		}
	}

	/* and what the old report had that is gone */
	json_array_foreach (results, i, res) {
		json_array_foreach (json_object_get(res, "findings"), j, f) {
			char *have;
			bool still = false;
			enum severity sev = SEV_INFO;
			struct finding *nf;

			if (!old_failing(jget(f, "status")))
				continue;
			have = finding_ident(jget(res, "id"), jget(f, "object"),
					     jget(f, "device"), jget(f, "key"));
			for (size_t a = 0; a < r->n && !still; a++) {
				const struct check_result *cr = &r->results[a];

				for (size_t b = 0; b < cr->findings.n; b++) {
					const struct finding *cf =
						&cr->findings.v[b];
					char *want;

					if (!failing(cf) &&
					    cf->status != ST_WAIVED)
						continue;
					want = finding_ident(cr->check->id,
							     cf->object,
							     cf->device, cf->key);
					still = str_eq(have, want);
					free(want);
					if (still)
						break;
				}
			}
			free(have);
			if (still)
				continue;
			if (severity_parse(jget(f, "severity"), &sev) != 0)
				sev = SEV_INFO;
			nf = findings_add(&r->fixed_since, ST_FIXED, sev,
					  jget(f, "object"), "%s",
					  jget(f, "message") ? jget(f, "message") :
							       "");
			finding_key(nf, jget(f, "key"), jget(f, "value"),
				    jget(f, "source"));
			finding_device(nf, jget(f, "device"));
			r->fixed_ids = xrealloc(r->fixed_ids,
						r->fixed_since.n *
							sizeof(*r->fixed_ids));
			r->fixed_ids[r->fixed_since.n - 1] =
				xstrdup(jget(res, "id") ? jget(res, "id") : "");
		}
	}
	json_decref(old);
	return 0;
}

bool
gate_fails(const struct report *r, enum severity threshold, bool only_new)
{
	if (!only_new)
		return engine_fails(r, threshold);
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		for (size_t j = 0; j < res->findings.n; j++) {
			const struct finding *f = &res->findings.v[j];

			if (failing(f) && f->severity >= threshold &&
			    f->baseline != BASELINE_KNOWN)
				return true;
		}
	}
	return false;
}
