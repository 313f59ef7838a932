/* sarif.c - the report as SARIF 2.1.0, for GitHub code scanning and others */
#include "report.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cite.h"
#include "escape.h"
#include "lxdh_config.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static json_t *
jstr(const char *s)
{
	char *v = escape_utf8_valid(s ? s : "");
	json_t *j = json_string(v);

	free(v);
	return j;
}

static json_t *
jmsg(const char *text)
{
	json_t *m = json_object();

	json_object_set_new(m, "text", jstr(text));
	return m;
}

static double
round1(double v)
{
	return (double)(long long)(v * 10.0 + 0.5) / 10.0;
}

static const char *
sarif_level(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
	case SEV_HIGH:
		return "error";
	case SEV_MEDIUM:
		return "warning";
	case SEV_LOW:
	case SEV_INFO:
	case SEV__COUNT:
		break;
	}
	return "note";
}

/* GitHub reads these as its critical/high/medium/low/none bands. */
static const char *
security_severity(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
		return "9.5";
	case SEV_HIGH:
		return "8.0";
	case SEV_MEDIUM:
		return "5.5";
	case SEV_LOW:
		return "3.0";
	case SEV_INFO:
	case SEV__COUNT:
		break;
	}
	return "0.0";
}

static json_t *
rule_json(const struct check *c)
{
	const struct section *sec = catalog_section_of(c);
	json_t *o = json_object(), *cfg = json_object(), *props = json_object();
	json_t *help = json_object(), *tags = json_array();
	struct strbuf md = STRBUF_INIT;
	char *s;

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "shortDescription", jmsg(c->title));
	json_object_set_new(o, "fullDescription", jmsg(c->rationale));
	json_object_set_new(help, "text", jstr(c->remediation));
	strbuf_addf(&md, "**Remediation.** %s", c->remediation);
	if (c->reads)
		strbuf_addf(&md, "\n\n**What is read.** %s", c->reads);
	s = strbuf_detach(&md);
	json_object_set_new(help, "markdown", jstr(s));
	free(s);
	json_object_set_new(o, "help", help);
	if (cite_guide(c->id))
		json_object_set_new(o, "helpUri",
				    json_string(cite_guide(c->id)));
	json_object_set_new(cfg, "level",
			    json_string(sarif_level(c->severity)));
	json_object_set_new(o, "defaultConfiguration", cfg);
	json_array_append_new(tags, json_string("security"));
	json_array_append_new(tags, json_string("lxd"));
	if (sec)
		json_array_append_new(tags, json_string(sec->name));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(props, "precision", json_string("high"));
	json_object_set_new(props, "security-severity",
			    json_string(security_severity(c->severity)));
	json_object_set_new(props, "severity",
			    json_string(severity_name(c->severity)));
	json_object_set_new(o, "properties", props);
	return o;
}

static bool
uri_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-._~/!$&'()*+,;=@", c);
}

/*
 * Code scanning rejects a result without a physical location, and an
 * absolute URI whose scheme differs from the checkout's ("group:lxd")
 * fails the whole upload. So each object becomes a relative path that is
 * stable across runs: "/1.0/instances/c1?project=p" gives
 * "1.0/instances/c1%3Fproject=p", "file:///etc/x" gives "file/etc/x" and
 * "group:lxd" gives "group/lxd".
 */
static char *
object_uri(const char *object)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = object ? object : "";
	const char *colon = strchr(p, ':');

	if (*p != '/' && colon && colon > p &&
	    strspn(p, "abcdefghijklmnopqrstuvwxyz") == (size_t)(colon - p)) {
		strbuf_add(&sb, p, (size_t)(colon - p));
		strbuf_addch(&sb, '/');
		p = colon + 1;
	}
	while (*p == '/')
		p++;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c && uri_safe(c))
			strbuf_addch(&sb, (char)c);
		else
			strbuf_addf(&sb, "%%%02X", c);
	}
	if (!sb.len)
		strbuf_addstr(&sb, "1.0");
	return strbuf_detach(&sb);
}

static json_t *
logical_location(const char *object)
{
	json_t *o = json_object();
	const char *q = strchr(object, '?');
	size_t end = q ? (size_t)(q - object) : strlen(object);
	size_t start = end;
	char *name;

	while (start > 0 && object[start - 1] != '/' &&
	       object[start - 1] != ':')
		start--;
	name = xstrndup(object + start, end - start);
	if (str_starts_with(object, "/1.0/")) {
		/* API objects are percent-encoded (snapshot_object) */
		char *dec = unescape_url(name);

		free(name);
		name = dec;
	}
	json_object_set_new(o, "name", jstr(*name ? name : object));
	json_object_set_new(o, "fullyQualifiedName", jstr(object));
	json_object_set_new(o, "kind", json_string(report_object_kind(object)));
	if (q && str_starts_with(q, "?project=")) {
		json_t *props = json_object();
		char *project = unescape_url(q + strlen("?project="));

		json_object_set_new(props, "project", jstr(project));
		json_object_set_new(o, "properties", props);
		free(project);
	}
	free(name);
	return o;
}

static json_t *
location_json(const char *object)
{
	json_t *loc = json_object(), *phys = json_object();
	json_t *art = json_object();
	json_t *region = json_object(), *logical = json_array();
	char *uri = object_uri(object);

	json_object_set_new(art, "uri", json_string(uri));
	json_object_set_new(phys, "artifactLocation", art);
	json_object_set_new(region, "startLine", json_integer(1));
	json_object_set_new(region, "startColumn", json_integer(1));
	json_object_set_new(region, "endLine", json_integer(1));
	json_object_set_new(region, "endColumn", json_integer(1));
	json_object_set_new(phys, "region", region);
	json_object_set_new(loc, "physicalLocation", phys);
	json_array_append_new(logical, logical_location(object ? object : ""));
	json_object_set_new(loc, "logicalLocations", logical);
	free(uri);
	return loc;
}

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	do {
		h ^= *p;
		h *= 0x100000001b3ULL;
	} while (*p++);
	return h;
}

/* The identity the baseline uses too: check id, object, device and key. */
static uint64_t
finding_hash(const char *id, const struct finding *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv1a(h, id);
	h = fnv1a(h, f->object);
	h = fnv1a(h, f->device);
	return fnv1a(h, f->key);
}

static json_t *
fingerprints(uint64_t h, unsigned nth)
{
	json_t *o = json_object();
	char buf[48];

	snprintf(buf, sizeof(buf), "%016llx:%u", (unsigned long long)h, nth);
	json_object_set_new(o, "primaryLocationLineHash", json_string(buf));
	return o;
}

static void
set_opt(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, jstr(v));
}

static json_t *
result_json(const struct check_result *res, size_t rule_index, size_t j,
	    uint64_t h, unsigned nth)
{
	const struct finding *f = &res->findings.v[j];
	json_t *o = json_object(), *locs = json_array(), *props = json_object();
	struct strbuf text = STRBUF_INIT;
	char *s, *fix = remedy_text(&f->remedy);

	json_object_set_new(o, "ruleId", json_string(res->check->id));
	json_object_set_new(o, "ruleIndex",
			    json_integer((json_int_t)rule_index));
	if (f->status == ST_MANUAL) {
		/* a person must look; SARIF says "review" with level none */
		json_object_set_new(o, "kind", json_string("review"));
		json_object_set_new(o, "level", json_string("none"));
	} else {
		json_object_set_new(o, "kind", json_string("fail"));
		json_object_set_new(o, "level",
				    json_string(sarif_level(f->severity)));
	}
	strbuf_addstr(&text, f->message ? f->message : "");
	if (fix)
		strbuf_addf(&text, "\nFix: %s", fix);
	s = strbuf_detach(&text);
	json_object_set_new(o, "message", jmsg(s));
	free(s);
	json_array_append_new(locs, location_json(f->object));
	json_object_set_new(o, "locations", locs);
	json_object_set_new(o, "partialFingerprints",
			    fingerprints(h, nth));
	if (f->baseline != BASELINE_NONE)
		json_object_set_new(o, "baselineState",
				    json_string(f->baseline == BASELINE_NEW ?
							"new" :
							"unchanged"));
	if (f->status == ST_WAIVED) {
		json_t *sups = json_array(), *sup = json_object();
		json_t *sprops = json_object();

		json_object_set_new(sup, "kind", json_string("external"));
		json_object_set_new(sup, "status", json_string("accepted"));
		json_object_set_new(sup, "justification",
				    jstr(f->waiver_reason));
		set_opt(sprops, "expires", f->waiver_expires);
		json_object_set_new(sup, "properties", sprops);
		json_array_append_new(sups, sup);
		json_object_set_new(o, "suppressions", sups);
	}
	json_object_set_new(props, "status",
			    json_string(status_name(f->status)));
	json_object_set_new(props, "severity",
			    json_string(severity_name(f->severity)));
	json_object_set_new(props, "security-severity",
			    json_string(security_severity(f->severity)));
	json_object_set_new(props, "object", jstr(f->object));
	set_opt(props, "device", f->device);
	set_opt(props, "key", f->key);
	set_opt(props, "value", f->value);
	set_opt(props, "source", f->source);
	set_opt(props, "remediation", fix);
	if (f->status == ST_FAIL || fix)
		json_object_set_new(props, "remedy", remedy_json(&f->remedy));
	json_object_set_new(o, "properties", props);
	free(fix);
	return o;
}

static json_t *
notification(const char *level, const char *text, const char *rule_id,
	     size_t rule_index, const char *object)
{
	json_t *o = json_object();

	json_object_set_new(o, "level", json_string(level));
	json_object_set_new(o, "message", jmsg(text));
	if (rule_id) {
		json_t *rule = json_object(), *locs = json_array();

		json_object_set_new(rule, "id", json_string(rule_id));
		json_object_set_new(rule, "index",
				    json_integer((json_int_t)rule_index));
		json_object_set_new(o, "associatedRule", rule);
		json_array_append_new(locs, location_json(object));
		json_object_set_new(o, "locations", locs);
	}
	return o;
}

static bool
is_result(enum status st)
{
	return st == ST_FAIL || st == ST_WAIVED || st == ST_MANUAL;
}

static json_t *
run_properties(const struct report *r)
{
	json_t *props = json_object(), *summary = json_object();
	json_t *target = json_object();

	json_object_set_new(props, "score",
			    r->score < 0 ? json_null() :
					   json_real(round1(r->score)));
	for (size_t k = 0; k < ST__COUNT; k++)
		json_object_set_new(summary, status_name((enum status)k),
				    json_integer((json_int_t)r->counts[k]));
	json_object_set_new(props, "summary", summary);
	json_object_set_new(target, "endpoint", jstr(r->endpoint));
	json_object_set_new(target, "server", jstr(r->product));
	json_object_set_new(target, "server_name", jstr(r->server_name));
	json_object_set_new(target, "server_version", jstr(r->server_version));
	json_object_set_new(target, "clustered", json_boolean(r->clustered));
	json_object_set_new(props, "target", target);
	if (r->has_baseline) {
		json_t *fixed = json_array();

		for (size_t i = 0; i < r->fixed_since.n; i++) {
			const struct finding *f = &r->fixed_since.v[i];
			json_t *o = json_object();

			json_object_set_new(o, "ruleId", jstr(r->fixed_ids[i]));
			json_object_set_new(o, "object", jstr(f->object));
			set_opt(o, "device", f->device);
			set_opt(o, "key", f->key);
			json_object_set_new(o, "message", jstr(f->message));
			json_array_append_new(fixed, o);
		}
		json_object_set_new(props, "fixedSinceBaseline", fixed);
	}
	return props;
}

/*
 * Written as it is made (jstream): the results, one per failing finding,
 * are dumped one at a time instead of held as a tree.
 */
int
report_sarif_write(FILE *f, const struct report *r, unsigned flags)
{
	struct jstream js;
	json_t *root = json_object(), *run = json_object();
	json_t *tool = json_object(), *driver = json_object();
	json_t *rules = json_array();
	json_t *invocations = json_array(), *inv = json_object();
	json_t *notes = json_array(), *auto_ = json_object();
	char when[32], *id;
	int rc;

	(void)flags;
	json_object_set_new(root, "$schema", json_string(SARIF_SCHEMA));
	json_object_set_new(root, "version", json_string("2.1.0"));

	json_object_set_new(driver, "name", json_string("lxd-harden"));
	json_object_set_new(driver, "version", json_string(LXDH_VERSION));
	json_object_set_new(driver, "semanticVersion",
			    json_string(LXDH_VERSION));
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		json_array_append_new(rules, rule_json(res->check));
		for (size_t j = 0; j < res->findings.n; j++) {
			const struct finding *fi = &res->findings.v[j];

			if (fi->status == ST_ERROR)
				json_array_append_new(
					notes,
					notification("error", fi->message,
						     res->check->id, i,
						     fi->object));
		}
	}
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);

	/* one category per server, so two servers' uploads do not collide */
	id = xasprintf("lxd-harden/%s/", str_empty(r->server_name) ?
						 "default" :
						 r->server_name);
	json_object_set_new(auto_, "id", jstr(id));
	free(id);
	json_object_set_new(run, "automationDetails", auto_);

	for (size_t i = 0; i < r->n_notes; i++)
		json_array_append_new(notes, notification("warning",
							  r->notes[i], NULL, 0,
							  NULL));
	json_object_set_new(inv, "executionSuccessful", json_true());
	format_rfc3339(r->generated_at, when, sizeof(when));
	json_object_set_new(inv, "endTimeUtc", json_string(when));
	json_object_set_new(inv, "toolExecutionNotifications", notes);
	json_array_append_new(invocations, inv);
	json_object_set_new(run, "invocations", invocations);

	jstream_init(&js, f);
	jstream_open(&js, NULL, '{');
	jstream_put_members(&js, root);
	jstream_open(&js, "runs", '[');
	jstream_open(&js, NULL, '{');
	jstream_put_members(&js, run);
	jstream_open(&js, "results", '[');
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		json_t *seen = json_object();

		for (size_t j = 0; j < res->findings.n; j++) {
			uint64_t h = finding_hash(res->check->id,
						  &res->findings.v[j]);
			char hex[24];
			unsigned k;

			/* the how-many-th finding of its check with this identity */
			snprintf(hex, sizeof(hex), "%016llx",
				 (unsigned long long)h);
			k = (unsigned)report_count(seen, hex);

			if (is_result(res->findings.v[j].status))
				jstream_put(&js, NULL,
					    result_json(res, i, j, h, k));
		}
		json_decref(seen);
	}
	jstream_close(&js);
	jstream_put(&js, "properties", run_properties(r));
	jstream_close(&js);
	jstream_close(&js);
	jstream_close(&js);
	rc = jstream_finish(&js);
	if (rc == 0 && fflush(f) == EOF)
		rc = -1;
	return rc;
}
