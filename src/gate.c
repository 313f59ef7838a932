/* gate.c - what the policy and a baseline make of a report's results */
#include "gate.h"

#include <ctype.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "cli.h"
#include "jsonlim.h"
#include "shape.h"

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

/*
 * The waivers of one check, by index into the policy's, under the part of
 * their object that is literal: what comes before the first fnmatch
 * character ('*', '?', '[', '\\'; an object URL has a '?' before its
 * project), the empty string for a waiver of every object. Only a
 * waiver under a prefix of a finding's object can match it, so a
 * finding looks up each prefix of its object and tries what is there in
 * the policy's order: with a waiver per instance, waiving stays linear
 * in the findings.
 */
struct waivers_of {
	json_t *by_prefix;	/* literal prefix -> [index, ...] */
	size_t *lens, n_lens;	/* the prefixes' lengths, each once, sorted */
	size_t *cand, n_cand;	/* a finding's candidates */
};

static int
index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void
waivers_of_check(struct waivers_of *wo, const struct policy *p,
		 const char *id)
{
	size_t distinct = 0;

	wo->by_prefix = json_object();
	wo->cand = xcalloc(p->n_waivers + 1, sizeof(*wo->cand));
	wo->lens = xcalloc(p->n_waivers + 1, sizeof(*wo->lens));
	wo->n_cand = wo->n_lens = 0;
	for (size_t k = 0; k < p->n_waivers; k++) {
		const struct policy_waiver *w = &p->waivers[k];
		size_t len = w->object ? strcspn(w->object, "*?[\\") : 0;
		const char *key = w->object ? w->object : "";
		json_t *list;

		if (!str_eq(w->check, id))
			continue;
		list = json_object_getn(wo->by_prefix, key, len);
		if (!list) {
			list = json_array();
			json_object_setn_new_nocheck(wo->by_prefix, key, len,
						     list);
			wo->lens[wo->n_lens++] = len;
		}
		json_array_append_new(list, json_integer((json_int_t)k));
	}
	/* equal prefixes share a list, so equal lengths may repeat */
	qsort(wo->lens, wo->n_lens, sizeof(*wo->lens), index_cmp);
	for (size_t a = 0; a < wo->n_lens; a++)
		if (!distinct || wo->lens[a] != wo->lens[distinct - 1])
			wo->lens[distinct++] = wo->lens[a];
	wo->n_lens = distinct;
}

/*
 * Waives f with the first of its check's waivers, in the policy's order,
 * that matches and has not expired; every matching one up to it is
 * marked used.
 */
static void
waive(struct finding *f, const char *id, const struct policy *p,
      struct waivers_of *wo, bool *used, long long now)
{
	size_t olen = f->object ? strlen(f->object) : 0;

	if (!json_object_size(wo->by_prefix))
		return;
	/* only the lengths some prefix has: the policy bounds the work, not
	   the length of an object a server named */
	wo->n_cand = 0;
	for (size_t l = 0; l < wo->n_lens && wo->lens[l] <= olen; l++) {
		const json_t *list = json_object_getn(
			wo->by_prefix, f->object ? f->object : "",
			wo->lens[l]);
		size_t i;
		json_t *v;

		json_array_foreach (list, i, v)
			wo->cand[wo->n_cand++] = (size_t)json_integer_value(v);
	}
	qsort(wo->cand, wo->n_cand, sizeof(*wo->cand), index_cmp);
	for (size_t c = 0; c < wo->n_cand; c++) {
		const struct policy_waiver *w = &p->waivers[wo->cand[c]];

		if (!waiver_matches(w, id, f))
			continue;
		used[wo->cand[c]] = true;
		if (now > w->expires_at)
			continue;
		f->status = ST_WAIVED;
		free(f->waiver_reason);
		free(f->waiver_expires);
		f->waiver_reason = xstrdup(w->reason);
		f->waiver_expires = xstrdup(w->expires);
		return;
	}
}

void
gate_apply_policy(struct report *r, const struct policy *p, long long now)
{
	bool *used = xcalloc(p->n_waivers ? p->n_waivers : 1, sizeof(*used));

	for (size_t i = 0; i < r->n; i++) {
		struct check_result *res = &r->results[i];
		const char *id = res->check->id;
		struct waivers_of wo;

		if (res->status == ST_SKIPPED)
			continue;
		for (size_t k = 0; k < p->n_overrides; k++)
			if (str_eq(p->overrides[k].check, id))
				apply_override(res, (enum severity)
						       p->overrides[k].severity);
		waivers_of_check(&wo, p, id);
		for (size_t j = 0; j < res->findings.n; j++) {
			/* a check that could not read its data is not waivable */
			if (res->findings.v[j].status == ST_FAIL)
				waive(&res->findings.v[j], id, p, &wo, used,
				      now);
		}
		json_decref(wo.by_prefix);
		free(wo.lens);
		free(wo.cand);
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

/* One open finding of an old report: its identity and first sight. */
struct seen {
	char *ident;
	long long first_seen;	/* 0: unknown (the old report has no time) */
};

struct seen_index {
	struct seen *v;
	size_t n;
};

static int
seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->ident,
		      ((const struct seen *)b)->ident);
}

static void
seen_release(struct seen_index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->v[i].ident);
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

/* A timestamp member of a report: 0 with *out unchanged when absent. */
static int
json_time(const json_t *o, const char *k, long long *out)
{
	const json_t *v = json_object_get(o, k);

	if (!v)
		return 0;
	return json_is_string(v) && parse_rfc3339(json_string_value(v), out) == 0 ?
		       0 :
		       -1;
}

/*
 * Indexes the open findings (fail, error, waived) of old, a
 * lxd-harden/report/v1 report, by identity, each with its first_seen, or
 * the old report's generated_at when it has none (a report older than
 * first_seen), sorted; of duplicates the earliest time is kept. -1 with d
 * (naming what) when a timestamp is not RFC 3339.
 */
static int
seen_index_build(struct seen_index *ix, const json_t *old, const char *what,
		 struct diag *d)
{
	const json_t *results = json_object_get(old, "results"), *res, *f;
	long long at = 0;
	size_t i, j, kept = 0, alloc = 0;

	ix->v = NULL;
	ix->n = 0;
	if (json_time(old, "generated_at", &at) != 0) {
		diag_set(d, "%s: generated_at is not an RFC 3339 time", what);
		return -1;
	}
	json_array_foreach (results, i, res) {
		json_array_foreach (json_object_get(res, "findings"), j, f) {
			long long t = at;

			if (!old_failing(jget(f, "status")))
				continue;
			if (json_time(f, "first_seen", &t) != 0) {
				diag_set(d, "%s: results[%zu].findings[%zu]."
					    "first_seen is not an RFC 3339 "
					    "time", what, i, j);
				seen_release(ix);
				return -1;
			}
			if (ix->n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				ix->v = xrealloc(ix->v, alloc * sizeof(*ix->v));
			}
			ix->v[ix->n].ident = finding_ident(jget(res, "id"),
							   jget(f, "object"),
							   jget(f, "device"),
							   jget(f, "key"));
			ix->v[ix->n++].first_seen = t;
		}
	}
	if (ix->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), seen_cmp);
	for (i = 0; i < ix->n; i++) {
		if (kept && str_eq(ix->v[kept - 1].ident, ix->v[i].ident)) {
			struct seen *k = &ix->v[kept - 1];

			if (ix->v[i].first_seen &&
			    (!k->first_seen || ix->v[i].first_seen < k->first_seen))
				k->first_seen = ix->v[i].first_seen;
			free(ix->v[i].ident);
			continue;
		}
		ix->v[kept++] = ix->v[i];
	}
	ix->n = kept;
	return 0;
}

static const struct seen *
seen_find(const struct seen_index *ix, const char *ident)
{
	struct seen key = { (char *)(uintptr_t)ident, 0 };

	if (!ix->n)
		return NULL;
	return bsearch(&key, ix->v, ix->n, sizeof(*ix->v), seen_cmp);
}

/*
 * Indexes the open findings (fail, error, waived) of the report being
 * made, sorted by identity, so that telling what an old report had and
 * this one has not stays a lookup per old finding.
 */
static void
current_index(struct seen_index *ix, const struct report *r)
{
	size_t alloc = 0;

	ix->v = NULL;
	ix->n = 0;
	for (size_t a = 0; a < r->n; a++) {
		const struct check_result *cr = &r->results[a];

		for (size_t b = 0; b < cr->findings.n; b++) {
			const struct finding *cf = &cr->findings.v[b];

			if (!failing(cf) && cf->status != ST_WAIVED)
				continue;
			if (ix->n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				ix->v = xrealloc(ix->v, alloc * sizeof(*ix->v));
			}
			ix->v[ix->n++] = (struct seen){
				finding_ident(cr->check->id, cf->object,
					      cf->device, cf->key),
				0
			};
		}
	}
	if (ix->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), seen_cmp);
}

/* The earlier of a finding's own first sight and the old report's. */
static long long
carried(long long mine, const struct seen *s)
{
	return s && s->first_seen && s->first_seen < mine ? s->first_seen :
							     mine;
}

int
gate_carry_first_seen_json(json_t *cur, const json_t *old, struct diag *d)
{
	struct seen_index ix;
	json_t *res, *f;
	long long at;
	size_t i, j;

	if (json_time(cur, "generated_at", &at) != 0 ||
	    !json_object_get(cur, "generated_at")) {
		diag_set(d, "the newer report has no RFC 3339 generated_at");
		return -1;
	}
	if (seen_index_build(&ix, old, "the older report", d) != 0)
		return -1;
	json_array_foreach (json_object_get(cur, "results"), i, res) {
		json_array_foreach (json_object_get(res, "findings"), j, f) {
			long long mine = at;
			char when[32], *want;

			if (!old_failing(jget(f, "status")))
				continue;
			if (json_time(f, "first_seen", &mine) != 0) {
				diag_set(d, "the newer report: results[%zu]."
					    "findings[%zu].first_seen is not "
					    "an RFC 3339 time", i, j);
				seen_release(&ix);
				return -1;
			}
			want = finding_ident(jget(res, "id"), jget(f, "object"),
					     jget(f, "device"), jget(f, "key"));
			format_rfc3339(carried(mine, seen_find(&ix, want)),
				       when, sizeof(when));
			free(want);
			json_object_set_new(f, "first_seen", json_string(when));
		}
	}
	seen_release(&ix);
	return 0;
}

/* The check id was not run in r: skipped by the policy or command line. */
static bool
not_run(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (str_eq(r->results[i].check->id, id))
			return r->results[i].status == ST_SKIPPED;
	return false;
}

/*
 * What a baseline reads of an old report: of each result its check id and
 * findings; of an open finding what says which it is, since when, and
 * what a gone one was; of any other finding its status (it keeps its
 * place, which messages name). Its remedy, the better part of a report,
 * is dropped as each result is read.
 */
#define NAMED(k) { .key = (k), .kind = SH_STRING }
static const struct shape old_result = {
	.kind = SH_OBJECT,
	.fields = (const struct shape[]){ NAMED("id"), NAMED("findings"),
					  { .key = NULL } },
};
static const struct shape old_open = {
	.kind = SH_OBJECT,
	.fields = (const struct shape[]){
		NAMED("status"), NAMED("first_seen"), NAMED("object"),
		NAMED("device"), NAMED("key"), NAMED("value"),
		NAMED("source"), NAMED("message"), NAMED("severity"),
		{ .key = NULL } },
};
static const struct shape old_other = {
	.kind = SH_OBJECT,
	.fields = (const struct shape[]){ NAMED("status"), { .key = NULL } },
};
#undef NAMED

/* The caps on a baseline: one of our own reports, up to its file cap. */
static const struct jsonlim baseline_lim = {
	.max_depth = 64,
	.max_string = GATE_MAX_BASELINE,
	.mem_per_byte = 16,
	.mem_floor = (size_t)4 << 20,
};

/* jsonlim_loadb_items' hook on each result of the old report. */
static void
baseline_result(json_t *res, const void *arg)
{
	json_t *f;
	size_t i;

	(void)arg;
	shape_prune(res, &old_result, false);
	json_array_foreach (json_object_get(res, "findings"), i, f)
		shape_prune(f,
			    old_failing(jget(f, "status")) ? &old_open :
							     &old_other,
			    false);
}

int
gate_apply_baseline(struct report *r, const char *path, struct diag *d)
{
	json_t *old, *res, *f, *results;
	struct diag why = { { 0 } };
	struct seen_index ix;
	size_t i, j, len, fixed_alloc;
	char *buf, *what, jwhy[256];

	if (read_file_trusted(path, GATE_MAX_BASELINE, "baseline", &buf, &len,
			  &why) != 0) {
		diag_set(d, "%s (a baseline is the JSON report of an earlier "
			    "audit: 'lxd-harden audit --format json -o FILE')",
			 why.msg);
		return -1;
	}
	old = jsonlim_loadb_items(buf, len, JSON_REJECT_DUPLICATES,
				  &baseline_lim, baseline_result, NULL, NULL,
				  jwhy, sizeof(jwhy));
	free(buf);
	if (!old) {
		diag_set(d, "cannot read baseline '%s': %s", path, jwhy);
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
	what = xasprintf("baseline '%s'", path);
	if (seen_index_build(&ix, old, what, d) != 0) {
		free(what);
		json_decref(old);
		return -1;
	}
	free(what);
	r->has_baseline = true;

	/* mark what we have now, and since when it is there */
	for (size_t a = 0; a < r->n; a++) {
		struct check_result *cr = &r->results[a];

		for (size_t b = 0; b < cr->findings.n; b++) {
			struct finding *cf = &cr->findings.v[b];
			const struct seen *s;
			char *want;

			if (!failing(cf) && cf->status != ST_WAIVED)
				continue;
			want = finding_ident(cr->check->id, cf->object,
					     cf->device, cf->key);
			s = seen_find(&ix, want);
			free(want);
			cf->baseline = s ? BASELINE_KNOWN : BASELINE_NEW;
			cf->first_seen = carried(engine_first_seen(r, cf), s);
		}
	}
	seen_release(&ix);

	/* and what the old report had that is gone */
	current_index(&ix, r);
	fixed_alloc = r->fixed_since.n;	/* what r->fixed_ids holds */
	json_array_foreach (results, i, res) {
		/* a check not run this time (the policy or the command line
		   skips it) says nothing of what it found before */
		if (not_run(r, jget(res, "id")))
			continue;
		json_array_foreach (json_object_get(res, "findings"), j, f) {
			char *have;
			bool still;
			enum severity sev = SEV_INFO;
			struct finding *nf;

			if (!old_failing(jget(f, "status")))
				continue;
			have = finding_ident(jget(res, "id"), jget(f, "object"),
					     jget(f, "device"), jget(f, "key"));
			still = seen_find(&ix, have) != NULL;
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
			if (r->fixed_since.n > fixed_alloc) {
				fixed_alloc = r->fixed_since.alloc;
				r->fixed_ids = xrealloc(r->fixed_ids,
							fixed_alloc *
								sizeof(*r->fixed_ids));
			}
			r->fixed_ids[r->fixed_since.n - 1] =
				xstrdup(jget(res, "id") ? jget(res, "id") : "");
		}
	}
	seen_release(&ix);
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

bool
gate_select_any(const struct gate_select *s)
{
	return s->n_check || s->n_skip || s->n_section || s->project ||
	       s->skip_below;
}

int
gate_select_add(struct gate_select *s, const char *option, const char *value,
		struct diag *d)
{
	const char **v;
	size_t *n;

	if (str_eq(option, "project")) {
		if (s->project && !str_eq(s->project, value)) {
			diag_set(d, "--project given twice ('%s' and '%s')",
				 s->project, value);
			return -1;
		}
		s->project = value;
		return 0;
	}
	if (str_eq(option, "check")) {
		v = s->check;
		n = &s->n_check;
	} else if (str_eq(option, "skip")) {
		v = s->skip;
		n = &s->n_skip;
	} else {
		v = s->section;
		n = &s->n_section;
	}
	if (*n == GATE_MAX_SELECT) {
		diag_set(d, "at most %d --%s", GATE_MAX_SELECT, option);
		return -1;
	}
	if (str_empty(value)) {
		diag_set(d, "--%s needs a value", option);
		return -1;
	}
	v[(*n)++] = value;
	return 0;
}

/* Ids are upper case; the pattern is matched case folded. */
static bool
id_matches(const char *pattern, const char *id)
{
	char *up = xstrdup(pattern);
	bool m;

	for (char *c = up; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	m = fnmatch(up, id, 0) == 0;
	free(up);
	return m;
}

/* "Network security" matches NET, network security, network-security, network. */
static bool
section_matches(const char *want, const struct section *sec)
{
	size_t first = strcspn(sec->name, " ");
	size_t n = strlen(want);

	if (strcasecmp(want, sec->prefix) == 0)
		return true;
	if (n == first && strncasecmp(want, sec->name, first) == 0)
		return true;
	if (n != strlen(sec->name))
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = want[i], b = sec->name[i];

		if ((a == '-' || a == '_') && b == ' ')
			continue;
		if (tolower((unsigned char)a) != tolower((unsigned char)b))
			return false;
	}
	return true;
}

static const char **
catalog_ids(size_t *n)
{
	const char **ids = xcalloc(catalog_count() + 1, sizeof(*ids));

	*n = 0;
	for (const struct section *s = catalog_sections; s->prefix; s++)
		for (const struct check *c = s->checks; c->id; c++)
			ids[(*n)++] = c->id;
	return ids;
}

static int
validate_ids(const char *const *pats, size_t np, const char *option,
	     struct diag *d)
{
	size_t n;
	const char **ids = catalog_ids(&n);
	int rc = 0;

	for (size_t k = 0; k < np && rc == 0; k++) {
		bool any = false;
		const char *near;

		for (size_t i = 0; i < n && !any; i++)
			any = id_matches(pats[k], ids[i]);
		if (any)
			continue;
		/* as explain and fix --only guess: "acc-4" is LXD-ACC-004 */
		near = cli_nearest_check(pats[k]);
		if (near)
			diag_set(d, "--%s '%s' matches no check; did you mean "
				    "%s? (lxd-harden checks lists them)",
				 option, pats[k], near);
		else
			diag_set(d, "--%s '%s' matches no check (an id such "
				    "as LXD-ACC-004 or a glob such as "
				    "'LXD-ACC-*'; lxd-harden checks lists them)",
				 option, pats[k]);
		rc = -1;
	}
	free(ids);
	return rc;
}

int
gate_select_validate(const struct gate_select *s, struct diag *d)
{
	if (validate_ids(s->check, s->n_check, "check", d) != 0 ||
	    validate_ids(s->skip, s->n_skip, "skip", d) != 0)
		return -1;
	for (size_t k = 0; k < s->n_section; k++) {
		const char *names[32];
		size_t n = 0;
		bool any = false;
		const char *near;

		for (const struct section *sec = catalog_sections;
		     sec->prefix && n + 2 <= ARRAY_SIZE(names); sec++) {
			any = any || section_matches(s->section[k], sec);
			names[n++] = sec->name;
			names[n++] = sec->prefix;
		}
		if (any)
			continue;
		near = cli_nearest(s->section[k], names, n);
		if (near)
			diag_set(d, "--section '%s' names no section; did you "
				    "mean '%s'?", s->section[k], near);
		else
			diag_set(d, "--section '%s' names no section (GEN, "
				    "ACC, NET, INS, DEV, STO, LOG, MUL, HOS or "
				    "their names)", s->section[k]);
		return -1;
	}
	return 0;
}

/*
 * Why --check, --skip or --section leave c out, or NULL when they select
 * it.
 */
static char *
left_out_check(const struct gate_select *s, const struct check *c)
{
	const struct section *sec = catalog_section_of(c);
	bool in = s->n_check == 0;

	for (size_t k = 0; k < s->n_skip; k++)
		if (id_matches(s->skip[k], c->id))
			return xasprintf("skipped by --skip %s", s->skip[k]);
	for (size_t k = 0; k < s->n_check && !in; k++)
		in = id_matches(s->check[k], c->id);
	if (!in)
		return xstrdup("skipped: not selected by --check");
	if (s->n_section) {
		in = false;
		for (size_t k = 0; k < s->n_section && !in; k++)
			in = sec && section_matches(s->section[k], sec);
		if (!in)
			return xstrdup("skipped: not in the --section chosen");
	}
	return NULL;
}

bool
gate_select_wants(const void *arg, const struct check *c)
{
	char *why = arg ? left_out_check(arg, c) : NULL;

	free(why);
	return why == NULL;
}

/* Why the command line leaves c out, or NULL when it selects it. */
static char *
left_out(const struct gate_select *s, const struct check_result *res)
{
	char *why = left_out_check(s, res->check);

	if (why)
		return why;
	if (s->skip_below && (res->status == ST_FAIL ||
			      res->status == ST_ERROR) &&
	    res->severity < s->below)
		return xasprintf("skipped: below --min-severity %s",
				 severity_name(s->below));
	return NULL;
}

/* The project an object belongs to, or NULL (server-wide, host). */
static char *
object_project(const char *object)
{
	const char *q;

	if (!object || !str_starts_with(object, "/1.0/"))
		return NULL;
	q = strstr(object, "?project=");
	if (!q)
		q = strstr(object, "&project=");
	if (q) {
		q += strlen("?project=");
		return xstrndup(q, strcspn(q, "&"));
	}
	if (str_starts_with(object, "/1.0/projects/")) {
		q = object + strlen("/1.0/projects/");
		return xstrndup(q, strcspn(q, "/?"));
	}
	return NULL;
}

static int
check_project(const struct gate_select *s, const struct snapshot *snap,
	      struct report *r, struct diag *d)
{
	const json_t *projects = snap ? snapshot_part(snap, SNAP_PROJECTS,
						      NULL) : NULL;
	const char **names;
	const char *near;
	json_t *p;
	size_t i, n = 0;

	if (!s->project)
		return 0;
	if (!json_is_array(projects)) {
		add_note(r, xasprintf("--project %s: the project list could "
				      "not be read, so the name is not "
				      "checked", s->project));
		return 0;
	}
	names = xcalloc(json_array_size(projects) + 1, sizeof(*names));
	json_array_foreach (projects, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (str_eq(name, s->project)) {
			free(names);
			return 0;
		}
		if (name)
			names[n++] = name;
	}
	near = cli_nearest(s->project, names, n);
	if (near)
		diag_set(d, "--project '%s' is not a project of the server; "
			    "did you mean '%s'?", s->project, near);
	else
		diag_set(d, "--project '%s' is not a project of the server",
			 s->project);
	free(names);
	return -1;
}

/* Keeps only the findings on objects of project. */
static void
keep_project(struct check_result *res, const char *project)
{
	size_t kept = 0;

	for (size_t j = 0; j < res->findings.n; j++) {
		struct finding *f = &res->findings.v[j];
		char *p = object_project(f->object);
		bool keep = str_eq(p, project);

		free(p);
		if (keep)
			res->findings.v[kept++] = *f;
		else
			finding_release(f);
	}
	res->findings.n = kept;
}

/*
 * What the baseline says is gone, cut like the findings: with --project,
 * only objects of that project; with --min-severity, nothing below it.
 */
static void
keep_fixed(struct report *r, const struct gate_select *s)
{
	size_t kept = 0;

	for (size_t j = 0; j < r->fixed_since.n; j++) {
		struct finding *f = &r->fixed_since.v[j];
		char *p = object_project(f->object);
		bool keep = (!s->project || str_eq(p, s->project)) &&
			    (!s->skip_below || f->severity >= s->below);

		free(p);
		if (keep) {
			r->fixed_ids[kept] = r->fixed_ids[j];
			r->fixed_since.v[kept++] = *f;
		} else {
			free(r->fixed_ids[j]);
			finding_release(f);
		}
	}
	r->fixed_since.n = kept;
}

/* Replaces the findings of res by one. */
static void
replace_findings(struct check_result *res, enum status st, const char *msg)
{
	findings_release(&res->findings);
	findings_add(&res->findings, st, res->check->severity, "/1.0", "%s",
		     msg);
}

static bool
policy_skips(const struct policy *p, const char *id)
{
	for (size_t i = 0; p && i < p->n_skips; i++)
		if (str_eq(p->skips[i].check, id))
			return true;
	return false;
}

int
gate_apply_selection(struct report *r, const struct gate_select *s,
		     const struct policy *p, const struct snapshot *snap,
		     struct diag *d)
{
	if (!gate_select_any(s))
		return 0;
	if (check_project(s, snap, r, d) != 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		struct check_result *res = &r->results[i];
		const char *id = res->check->id;
		char *why;

		if (policy_skips(p, id)) {
			for (size_t k = 0; k < s->n_check; k++)
				if (id_matches(s->check[k], id) &&
				    !strpbrk(s->check[k], "*?["))
					add_note(r, xasprintf(
						"--check %s selects %s, but the "
						"policy skips it; it stays "
						"skipped (remove it from skip: "
						"in the policy to run it)",
						s->check[k], id));
			continue;
		}
		why = left_out(s, res);
		if (why) {
			replace_findings(res, ST_SKIPPED, why);
			free(why);
		} else if (s->project && res->findings.n) {
			keep_project(res, s->project);
			if (!res->findings.n) {
				char *msg = xasprintf(
					"No finding concerns an object of "
					"project %s (--project).",
					s->project);

				replace_findings(res, ST_NOTAPPLICABLE, msg);
				free(msg);
			}
		}
		res->status = engine_status(&res->findings);
		res->severity = engine_result_severity(res->check,
						       &res->findings,
						       res->status);
	}
	keep_fixed(r, s);
	recount(r);
	return 0;
}
