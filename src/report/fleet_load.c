/* fleet_load.c - a v1 JSON report read back into struct report */
#include "report/fleet_report.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
status_parse(const char *s, enum status *out)
{
	for (int k = 0; s && k < ST__COUNT; k++)
		if (str_eq(s, status_name((enum status)k))) {
			*out = (enum status)k;
			return 0;
		}
	return -1;
}

static int
load_finding(struct findings *fs, const json_t *jf, const char *id,
	     struct diag *d)
{
	enum status st;
	enum severity sev;
	const char *obj = jstr(jf, "object"), *msg = jstr(jf, "message");
	const char *key = jstr(jf, "key"), *base = jstr(jf, "baseline");
	const json_t *w = json_object_get(jf, "waiver");
	struct finding *f;

	if (!json_is_object(jf) || !obj || !msg ||
	    status_parse(jstr(jf, "status"), &st) != 0 ||
	    severity_parse(jstr(jf, "severity") ? jstr(jf, "severity") : "",
			   &sev) != 0) {
		diag_set(d, "a finding of %s lacks object, message, status or "
			    "severity", id);
		return -1;
	}
	f = findings_add(fs, st, sev, obj, "%s", msg);
	if (key)
		finding_key(f, key, jstr(jf, "value"), jstr(jf, "source"));
	if (jstr(jf, "device"))
		finding_device(f, jstr(jf, "device"));
	if (jstr(jf, "remediation"))
		finding_remediation(f, "%s", jstr(jf, "remediation"));
	if (json_is_object(w) && jstr(w, "reason")) {
		f->waiver_reason = xstrdup(jstr(w, "reason"));
		f->waiver_expires = xstrdup(jstr(w, "expires") ?
					    jstr(w, "expires") : "");
	}
	if (str_eq(base, "new"))
		f->baseline = BASELINE_NEW;
	else if (str_eq(base, "known"))
		f->baseline = BASELINE_KNOWN;
	return 0;
}

int
fleet_report_load(struct report *r, const json_t *j, struct diag *d)
{
	const json_t *target = json_object_get(j, "target");
	const json_t *results = json_object_get(j, "results");
	const json_t *score = json_object_get(j, "score");
	const json_t *jr;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(j) ||
	    !str_eq(jstr(j, "schema"), "lxd-harden/report/v1") ||
	    !json_is_object(target) || !json_is_array(results)) {
		diag_set(d, "not a lxd-harden/report/v1 report (schema, target "
			    "and results are needed)");
		return -1;
	}
	r->endpoint = jstr(target, "endpoint");
	r->client_setup = jstr(target, "client_setup");
	r->product = jstr(target, "server");
	r->server_name = jstr(target, "server_name");
	r->server_version = jstr(target, "server_version");
	r->clustered = json_is_true(json_object_get(target, "clustered"));
	r->remote = json_is_true(json_object_get(target, "remote"));
	r->install = jstr(target, "install");
	r->host = jstr(target, "host");
	r->cluster_member = jstr(json_object_get(target, "cluster"), "member");
	r->cluster_fingerprint = jstr(json_object_get(target, "cluster"),
				      "fingerprint");
	r->requests = (size_t)json_integer_value(
		json_object_get(target, "requests"));
	if (!jstr(j, "generated_at") ||
	    parse_rfc3339(jstr(j, "generated_at"), &r->generated_at) != 0) {
		diag_set(d, "generated_at is not an RFC 3339 time");
		return -1;
	}
	r->score = json_is_number(score) ? json_number_value(score) : -1;
	r->results = xcalloc(json_array_size(results) + 1,
			     sizeof(*r->results));
	json_array_foreach(results, i, jr) {
		const char *id = jstr(jr, "id");
		const json_t *fs = json_object_get(jr, "findings"), *jf;
		struct check_result *res = &r->results[r->n];
		size_t k;

		if (!json_is_object(jr) || !id || !json_is_array(fs) ||
		    status_parse(jstr(jr, "status"), &res->status) != 0 ||
		    severity_parse(jstr(jr, "severity") ? jstr(jr, "severity") :
							  "",
				   &res->severity) != 0) {
			diag_set(d, "result %zu lacks id, status, severity or "
				    "findings", i);
			goto fail;
		}
		/* a check this build does not know stays in the JSON only */
		res->check = catalog_find(id);
		if (!res->check)
			continue;
		json_array_foreach(fs, k, jf)
			if (load_finding(&res->findings, jf, id, d) != 0)
				goto fail;
		r->counts[res->status]++;
		r->n++;
	}
	return 0;
fail:
	r->n++;
	engine_report_release(r);
	return -1;
}

enum severity
fleet_report_worst(const struct report *r, bool *any)
{
	enum severity worst = SEV_INFO;

	*any = false;
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		if (res->status != ST_FAIL && res->status != ST_ERROR)
			continue;
		if (!*any || res->severity > worst)
			worst = res->severity;
		*any = true;
	}
	return worst;
}
