/* fleet_merge.c - many reports (hosts, servers, fleets) into one fleet */
#include "fleet_merge.h"
#include "gate.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "engine.h"
#include "host_only.h"
#include "report.h"
#include "report/fleet_report.h"

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool
name_taken(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (str_eq(f->v[i].name, name))
			return true;
	return false;
}

/*
 * A target name from foreign text: the characters fleet names allow,
 * others as '_', at most FLEET_MAX_NAME - 4 (room for "#NNN"), unique.
 */
static char *
unique_name(const struct fleet *f, const char *want)
{
	char base[FLEET_MAX_NAME + 1];
	size_t n = 0;
	char *name;

	for (const char *p = want ? want : ""; *p && n < FLEET_MAX_NAME - 4;
	     p++)
		base[n++] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				   "OPQRSTUVWXYZ0123456789._:@-", *p) ?
				    *p :
				    '_';
	base[n] = '\0';
	if (!n)
		snprintf(base, sizeof(base), "report");
	name = xstrdup(base);
	for (unsigned k = 2; name_taken(f, name) && k < 1000; k++) {
		free(name);
		name = xasprintf("%s#%u", base, k);
	}
	return name;
}

static bool
is_report(const json_t *doc)
{
	return str_eq(jstr(doc, "schema"), "lxd-harden/report/v1") &&
	       json_is_object(json_object_get(doc, "target")) &&
	       json_is_array(json_object_get(doc, "results"));
}

static bool
is_fleet(const json_t *doc)
{
	return str_eq(jstr(doc, "schema"), "lxd-harden/fleet/v1") &&
	       json_is_array(json_object_get(doc, "targets"));
}

static const char *
report_name(const json_t *rep)
{
	const json_t *t = json_object_get(rep, "target");
	const char *host = jstr(t, "host"), *srv = jstr(t, "server_name");

	if (!str_empty(host))
		return host;
	if (!str_empty(srv))
		return srv;
	return jstr(t, "endpoint");
}

int
fleet_merge_add(struct fleet *f, const json_t *doc, const char *what,
		struct diag *d)
{
	const json_t *t;
	size_t i;

	if (is_report(doc)) {
		char *name = unique_name(f, report_name(doc));

		fleet_add_report(f, name, json_deep_copy(doc));
		free(name);
		return 0;
	}
	if (!is_fleet(doc)) {
		diag_set(d, "%s is not a lxd-harden report (schema "
			    "lxd-harden/report/v1 or lxd-harden/fleet/v1)",
			 what);
		return -1;
	}
	json_array_foreach(json_object_get(doc, "targets"), i, t) {
		const json_t *rep = json_object_get(t, "report");
		const char *err = jstr(t, "error");
		char *name;

		if (!json_is_object(t) || (rep && !is_report(rep)) ||
		    (!rep && !err)) {
			diag_set(d, "%s: target %zu has neither a v1 report nor "
				    "an error", what, i);
			return -1;
		}
		name = unique_name(f, jstr(t, "name"));
		if (rep)
			fleet_add_report(f, name, json_deep_copy(rep));
		else
			fleet_add_error(f, name, "%s", err);
		free(name);
	}
	return 0;
}

static const char *
fingerprint(const json_t *rep)
{
	return jstr(json_object_get(json_object_get(rep, "target"), "cluster"),
		    "fingerprint");
}

/* "ID\nOBJECT\nDEVICE\nKEY": what makes two findings the same one. */
static char *
ident(const char *id, const json_t *fd)
{
	return xasprintf("%s\n%s\n%s\n%s", id, jstr(fd, "object") ?
		jstr(fd, "object") : "", jstr(fd, "device") ?
		jstr(fd, "device") : "", jstr(fd, "key") ? jstr(fd, "key") : "");
}

static bool
host_check(const char *id)
{
	const struct check *c = id ? catalog_find(id) : NULL;

	return c && host_only_is_host_check(c);
}

/*
 * The summary and score of rep counted again from its results: a check
 * kept in another member's report leaves this one's score, by the
 * engine's own weights.
 */
static void
recount(json_t *rep)
{
	json_t *sum = json_object(), *res;
	size_t i, counts[ST__COUNT] = { 0 };
	struct report r;
	struct diag d = { { 0 } };

	json_array_foreach(json_object_get(rep, "results"), i, res)
		for (int k = 0; k < ST__COUNT; k++)
			if (str_eq(jstr(res, "status"),
				   status_name((enum status)k)))
				counts[k]++;
	for (int k = 0; k < ST__COUNT; k++)
		json_object_set_new(sum, status_name((enum status)k),
				    json_integer((json_int_t)counts[k]));
	json_object_set_new(rep, "summary", sum);
	if (fleet_report_load(&r, rep, &d) == 0) {
		engine_score(&r);
		json_object_set_new(rep, "score", report_score_json(r.score));
		engine_report_release(&r);
	}
}

void
fleet_merge_dedup(struct fleet *f)
{
	json_t *seen = json_object();	/* fingerprint -> {ident: holder} */

	for (size_t i = 0; i < f->n; i++) {
		json_t *rep = f->v[i].report, *set, *res;
		const char *fp = rep ? fingerprint(rep) : NULL;
		size_t k, dropped = 0;
		const char *holder = NULL;

		if (str_empty(fp))
			continue;
		set = json_object_get(seen, fp);
		if (!set) {
			set = json_object();
			json_object_set_new(seen, fp, set);
		}
		json_array_foreach(json_object_get(rep, "results"), k, res) {
			const char *id = jstr(res, "id");
			json_t *fs = json_object_get(res, "findings");
			json_t *keep = json_array(), *fd;
			size_t j;
			bool any = false;

			if (!id || !json_is_array(fs) || host_check(id) ||
			    str_eq(jstr(res, "status"), "skipped")) {
				json_decref(keep);
				continue;
			}
			json_array_foreach(fs, j, fd) {
				char *key = ident(id, fd);
				const char *h = jstr(set, key);

				if (h) {
					holder = holder ? holder : h;
					dropped++;
					any = true;
				} else {
					json_object_set_new(set, key,
						json_string(f->v[i].name));
					json_array_append(keep, fd);
				}
				free(key);
			}
			if (any && json_array_size(keep) == 0) {
				json_t *fd1 = json_object();
				char *msg = xasprintf(
					"Judged once for the cluster, in the "
					"report of %s.", holder);

				json_object_set_new(fd1, "object",
						    json_string("/1.0"));
				json_object_set_new(fd1, "status",
						    json_string("skipped"));
				json_object_set_new(fd1, "severity",
					json_incref(json_object_get(res,
								"severity")));
				json_object_set_new(fd1, "message",
						    json_string(msg));
				free(msg);
				json_array_append_new(keep, fd1);
				json_object_set_new(res, "status",
						    json_string("skipped"));
			}
			if (any)
				json_object_set(res, "findings", keep);
			json_decref(keep);
		}
		if (dropped) {
			recount(rep);
			free(f->v[i].dedup_note);
			f->v[i].dedup_note = xasprintf(
				"%zu finding%s on cluster-wide objects kept "
				"once, in the report of %s (same cluster "
				"certificate)", dropped, dropped == 1 ? "" : "s",
				holder);
		}
	}
	json_decref(seen);
}

int
fleet_merge_baseline(struct fleet *f, const json_t *old, struct diag *d)
{
	struct fleet prev = { 0 };
	int rc = 0;

	if (fleet_merge_add(&prev, old, "--baseline", d) != 0) {
		fleet_release(&prev);
		return -1;
	}
	/* each target against the same target of old (by name) */
	for (size_t i = 0; i < f->n && rc == 0; i++) {
		const json_t *was = NULL;
		struct diag why = { { 0 } };

		if (!f->v[i].report)
			continue;
		for (size_t k = 0; k < prev.n && !was; k++)
			if (str_eq(prev.v[k].name, f->v[i].name))
				was = prev.v[k].report;
		if (gate_carry_first_seen_json(f->v[i].report, was, &why) != 0) {
			diag_set(d, "target '%s': %s", f->v[i].name, why.msg);
			rc = -1;
		}
	}
	fleet_release(&prev);
	return rc;
}
