/* json.c - the machine-readable report, schema lxd-harden/report/v1 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>

#include "catalog.h"
#include "cite.h"
#include "escape.h"
#include "lxdh_config.h"

/*
 * jansson refuses strings that are not valid UTF-8; host data may hold
 * such bytes, so they are made valid first. jansson then escapes control
 * characters itself.
 */
static json_t *
jstr(const char *s)
{
	char *v = escape_utf8_valid(s);
	json_t *j = json_string(v);

	free(v);
	return j;
}

static double
round1(double v)
{
	return (double)(long long)(v * 10.0 + 0.5) / 10.0;
}

json_t *
report_score_json(double score)
{
	return score < 0 ? json_null() : json_real(round1(score));
}

static void
set_opt(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, jstr(v));
}

/* "guide" and "references": where the check comes from, for product. */
static void
cites_json(json_t *o, const char *id, const char *product)
{
	const char *urls[CITE_MAX_REFS];
	size_t n = cite_refs(id, product, urls);
	json_t *refs = json_array();

	if (cite_guide(id))
		json_object_set_new(o, "guide", json_string(cite_guide(id)));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(refs, json_string(urls[i]));
	json_object_set_new(o, "references", refs);
}

json_t *
remedy_json(const struct remedy *r)
{
	json_t *o = json_object(), *cmds = json_array(), *needs = json_array();

	for (size_t i = 0; i < r->n_commands; i++)
		json_array_append_new(cmds, jstr(r->commands[i]));
	for (size_t i = 0; i < r->n_needs; i++)
		json_array_append_new(needs,
				      json_pack("{s:o, s:o}", "name",
						jstr(r->needs[i].name), "why",
						jstr(r->needs[i].why)));
	json_object_set_new(o, "commands", cmds);
	json_object_set_new(o, "needs", needs);
	json_object_set_new(o, "note", r->note ? jstr(r->note) : json_null());
	json_object_set_new(o, "fixable", json_boolean(r->fixable));
	json_object_set_new(o, "reversible", json_boolean(r->reversible));
	json_object_set_new(o, "restart", json_boolean(r->restart));
	json_object_set_new(o, "opt_in", json_boolean(r->opt_in));
	json_object_set_new(o, "scope", json_string(r->host ? "host" :
								  "daemon"));
	return o;
}

/*
 * r is the report whose results hold f, or NULL (a finding of the old
 * report, fixed since): fail, error and waived findings of r say since
 * when they are there.
 */
static json_t *
finding_json(const struct report *r, const struct finding *f)
{
	json_t *o = json_object();
	char *fix = remedy_text(&f->remedy);

	json_object_set_new(o, "object", jstr(f->object));
	json_object_set_new(o, "status", json_string(status_name(f->status)));
	json_object_set_new(o, "severity",
			    json_string(severity_name(f->severity)));
	json_object_set_new(o, "message", jstr(f->message));
	set_opt(o, "device", f->device);
	set_opt(o, "key", f->key);
	set_opt(o, "value", f->value);
	set_opt(o, "source", f->source);
	set_opt(o, "remediation", fix);
	if (f->status == ST_FAIL || fix)
		json_object_set_new(o, "remedy", remedy_json(&f->remedy));
	free(fix);
	if (f->waiver_reason) {
		json_t *w = json_object();

		json_object_set_new(w, "reason", jstr(f->waiver_reason));
		json_object_set_new(w, "expires", jstr(f->waiver_expires ?
						       f->waiver_expires : ""));
		json_object_set_new(o, "waiver", w);
	}
	if (f->baseline != BASELINE_NONE)
		json_object_set_new(o, "baseline",
				    json_string(f->baseline == BASELINE_NEW ?
							"new" :
							"known"));
	if (r && (engine_finding_open(f) || f->status == ST_WAIVED)) {
		char when[32];

		format_rfc3339(engine_first_seen(r, f), when, sizeof(when));
		json_object_set_new(o, "first_seen", json_string(when));
	}
	return o;
}

/*
 * The members before "results" (schema, tool, generated_at, target,
 * summary, score), in their order.
 */
static json_t *
report_json_head(const struct report *r)
{
	json_t *root = json_object(), *tool = json_object();
	json_t *target = json_object(), *summary = json_object();
	char when[32];

	json_object_set_new(root, "schema", json_string("lxd-harden/report/v1"));
	json_object_set_new(tool, "name", json_string("lxd-harden"));
	json_object_set_new(tool, "version", json_string(LXDH_VERSION));
	json_object_set_new(root, "tool", tool);
	format_rfc3339(r->generated_at, when, sizeof(when));
	json_object_set_new(root, "generated_at", json_string(when));

	json_object_set_new(target, "endpoint", jstr(r->endpoint ? r->endpoint : ""));
	json_object_set_new(target, "server", jstr(r->product ? r->product : ""));
	json_object_set_new(target, "server_name",
			    jstr(r->server_name ? r->server_name : ""));
	json_object_set_new(target, "server_version",
			    jstr(r->server_version ? r->server_version : ""));
	json_object_set_new(target, "clustered", json_boolean(r->clustered));
	json_object_set_new(target, "remote", json_boolean(r->remote));
	json_object_set_new(target, "install",
			    r->install ? jstr(r->install) : json_null());
	json_object_set_new(target, "requests",
			    json_integer((json_int_t)r->requests));
	/* what makes the remedies' commands act on this server */
	if (r->client_setup)
		json_object_set_new(target, "client_setup",
				    jstr(r->client_setup));
	if (r->host)
		json_object_set_new(target, "host", jstr(r->host));
	if (r->clustered || r->cluster_fingerprint || r->cluster_member) {
		/* for merging the reports of one cluster (merge) */
		json_t *cl = json_object();

		/* null when the server did not say: never made up */
		json_object_set_new(cl, "fingerprint",
				    r->cluster_fingerprint ?
					    jstr(r->cluster_fingerprint) :
					    json_null());
		json_object_set_new(cl, "member",
				    r->cluster_member ?
					    jstr(r->cluster_member) :
					    json_null());
		json_object_set_new(target, "cluster", cl);
	}
	json_object_set_new(root, "target", target);

	for (size_t k = 0; k < ST__COUNT; k++)
		json_object_set_new(summary, status_name((enum status)k),
				    json_integer((json_int_t)r->counts[k]));
	json_object_set_new(root, "summary", summary);
	/* one decimal, so the number is stable across libc printf rounding */
	json_object_set_new(root, "score", report_score_json(r->score));
	return root;
}

/*
 * Written as it is made (jstream), one finding at a time: the tree of a
 * report of 10,000 instances is three times the size of its text.
 */
int
report_json_write(FILE *f, const struct report *r, unsigned flags)
{
	struct jstream js;

	(void)flags;
	jstream_init(&js, f);
	jstream_open(&js, NULL, '{');
	jstream_put_members(&js, report_json_head(r));
	jstream_open(&js, "results", '[');
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		const struct section *sec = catalog_section_of(res->check);
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(res->check->id));
		json_object_set_new(o, "section",
				    json_string(sec ? sec->name : ""));
		json_object_set_new(o, "title", json_string(res->check->title));
		json_object_set_new(o, "severity",
				    json_string(severity_name(res->severity)));
		json_object_set_new(o, "status",
				    json_string(status_name(res->status)));
		cites_json(o, res->check->id, r->product);
		jstream_open(&js, NULL, '{');
		jstream_put_members(&js, o);
		jstream_open(&js, "findings", '[');
		for (size_t j = 0; j < res->findings.n; j++)
			jstream_put(&js, NULL,
				    finding_json(r, &res->findings.v[j]));
		jstream_close(&js);
		jstream_close(&js);
	}
	jstream_close(&js);
	if (r->has_baseline) {
		jstream_open(&js, "fixed_since_baseline", '[');
		for (size_t i = 0; i < r->fixed_since.n; i++) {
			json_t *o = finding_json(NULL, &r->fixed_since.v[i]);

			json_object_set_new(o, "id", jstr(r->fixed_ids[i]));
			jstream_put(&js, NULL, o);
		}
		jstream_close(&js);
	}
	if (r->n_notes) {
		json_t *notes = json_array();

		for (size_t i = 0; i < r->n_notes; i++)
			json_array_append_new(notes, jstr(r->notes[i]));
		jstream_put(&js, "notes", notes);
	}
	jstream_close(&js);
	return jstream_finish(&js);
}
