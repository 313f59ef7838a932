/* general.c - GEN checks: supported release, unused networks and pools */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "escape.h"
#include "host.h"
#include "lxdval.h"

#define RELEASES_SCHEMA "lxd-harden/releases/1"

/* The first n bytes of s, %XX-decoded (caller frees). */
static char *
url_decode(const char *s, size_t n)
{
	char *part = xstrndup(s, n);
	char *r = unescape_url(part);

	free(part);
	return r;
}

/*
 * Splits a used_by URL "/1.0/KIND/NAME[?project=P]" of the given kind
 * prefix ("/1.0/profiles/"). LXD 5.0.2 leaves out ?project= for the
 * default project, so a missing project means "default".
 */
static bool
split_url(const char *url, const char *prefix, char **name, char **project)
{
	const char *p, *q, *proj;
	size_t n;

	*name = *project = NULL;
	if (!str_starts_with(url, prefix))
		return false;
	p = url + strlen(prefix);
	n = strcspn(p, "/?");
	if (!n)
		return false;
	*name = url_decode(p, n);
	q = strchr(p, '?');
	proj = NULL;
	while (q) {
		q++;
		if (str_starts_with(q, "project=")) {
			proj = q + strlen("project=");
			break;
		}
		q = strchr(q, '&');
	}
	if (proj && *proj && *proj != '&')
		*project = url_decode(proj, strcspn(proj, "&"));
	else
		*project = xstrdup("default");
	return true;
}

static const char *
product_label(const struct snapshot *s)
{
	return str_eq(s->product, "incus") ? "Incus" : "LXD";
}

static char *
file_object(const char *path)
{
	return path[0] == '/' ? xasprintf("file://%s", path) : xstrdup(path);
}

/* "5.21.7" -> "5.21" */
static void
series_of(const char *v, char *buf, size_t len)
{
	const char *dot = strchr(v, '.');
	size_t n = strlen(v);

	if (dot) {
		const char *d2 = strchr(dot + 1, '.');

		if (d2)
			n = (size_t)(d2 - v);
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
}

/* The last second of day "YYYY-MM-DD", or -1 when malformed. */
static int
end_of_day(const char *date, long long *out)
{
	char buf[40];

	if (!date || strlen(date) != 10)
		return -1;
	snprintf(buf, sizeof(buf), "%sT23:59:59Z", date);
	return parse_rfc3339(buf, out);
}

struct lts {
	const char *series;
	const char *end;	/* NULL: not published */
	const char *latest;	/* NULL: unknown */
};

struct table {
	json_t *root;
	const char *updated;
	struct lts *lts;
	size_t nlts;
	const char *feature;	/* latest feature release */
};

static void
table_release(struct table *t)
{
	json_decref(t->root);
	free(t->lts);
	memset(t, 0, sizeof(*t));
}

/* A real calendar day "YYYY-MM-DD" (no 2026-02-30). */
static bool
calendar_date(const char *v)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (!v || strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
			return false;
	y = atoi(v);
	m = atoi(v + 5);
	d = atoi(v + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 ||
						   y % 400 == 0));
}

/* "5.21" (parts == 2) or "5.21.7" (parts == 3): digits and dots only. */
static bool
version_of_parts(const char *v, int parts)
{
	int n = 0;

	if (!v)
		return false;
	while (*v) {
		size_t digits = strspn(v, "0123456789");

		if (!digits || digits > 6)
			return false;
		v += digits;
		n++;
		if (*v == '.')
			v++;
		else if (*v)
			return false;
		else
			break;
	}
	return n == parts && v[-1] != '.';
}

/*
 * Says what is wrong with one LTS entry of the table, or NULL. A value
 * GEN-001 cannot use (a latest of "5.0.x", a date that is no day) must
 * make the check an error, never a comparison that happens to pass.
 */
static const char *
lts_problem(const json_t *e)
{
	const json_t *end = json_object_get(e, "end_of_support");
	const json_t *latest = json_object_get(e, "latest");
	const json_t *first = json_object_get(e, "first_release");
	const char *series = checks_jstr(e, "series");

	if (!json_is_object(e))
		return "is not an object";
	if (!version_of_parts(series, 2))
		return "needs a \"series\" of the form MAJOR.MINOR";
	if (end && !json_is_null(end) &&
	    !calendar_date(json_string_value(end)))
		return "has an \"end_of_support\" that is neither null nor "
		       "a date YYYY-MM-DD";
	if (first && !calendar_date(json_string_value(first)))
		return "has a \"first_release\" that is not a date "
		       "YYYY-MM-DD";
	if (first && json_is_string(end) &&
	    strcmp(json_string_value(first), json_string_value(end)) > 0)
		return "ends its support before its first release";
	if (latest && !json_is_null(latest) &&
	    !(version_of_parts(json_string_value(latest), 3) &&
	      str_starts_with(json_string_value(latest), series) &&
	      json_string_value(latest)[strlen(series)] == '.'))
		return "has a \"latest\" that is neither null nor a point "
		       "release of its series";
	if (json_object_get(e, "note") &&
	    !json_is_string(json_object_get(e, "note")))
		return "has a \"note\" that is not text";
	return NULL;
}

static int
table_load(struct table *t, const char *path, const char *product,
	   struct diag *d)
{
	json_error_t err;
	const json_t *prod, *list, *e, *feature;
	long long tmp;
	size_t i;

	char *buf;
	size_t len;

	memset(t, 0, sizeof(*t));
	/* the table decides what is supported: only a file root keeps */
	if (read_file_trusted(path, (size_t)1 << 20, "release table", &buf,
			      &len, d) != 0)
		return -1;
	t->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	free(buf);
	if (!t->root) {
		diag_set(d, "line %d column %d: %s", err.line, err.column,
			 err.text);
		return -1;
	}
	if (!str_eq(checks_jstr(t->root, "schema"), RELEASES_SCHEMA)) {
		diag_set(d, "\"schema\" is not \"%s\"", RELEASES_SCHEMA);
		return -1;
	}
	t->updated = checks_jstr(t->root, "updated");
	if (json_object_get(t->root, "updated") && !calendar_date(t->updated)) {
		diag_set(d, "\"updated\" is not a date YYYY-MM-DD");
		return -1;
	}
	prod = json_object_get(json_object_get(t->root, "products"), product);
	if (!json_is_object(prod)) {
		diag_set(d, "no entry for product \"%s\" under \"products\"",
			 product);
		return -1;
	}
	list = json_object_get(prod, "lts");
	if (!json_is_array(list)) {
		diag_set(d, "products.%s.lts is not a list", product);
		return -1;
	}
	t->lts = xcalloc(json_array_size(list) + 1, sizeof(*t->lts));
	json_array_foreach (list, i, e) {
		struct lts *l = &t->lts[t->nlts];

		const char *why = lts_problem(e);

		if (why) {
			diag_set(d, "products.%s.lts[%zu] %s", product, i, why);
			return -1;
		}
		l->series = checks_jstr(e, "series");
		l->end = checks_jstr(e, "end_of_support");
		l->latest = checks_jstr(e, "latest");
		if (l->end && end_of_day(l->end, &tmp) != 0) {
			diag_set(d, "products.%s.lts[%zu].end_of_support "
				    "\"%s\" is not YYYY-MM-DD", product, i,
				 l->end);
			return -1;
		}
		t->nlts++;
	}
	feature = json_object_get(prod, "feature");
	t->feature = checks_jstr(feature, "latest");
	if (!version_of_parts(t->feature, 2) &&
	    !version_of_parts(t->feature, 3)) {
		diag_set(d, "products.%s.feature.latest is missing or not a "
			    "version such as 6.9", product);
		return -1;
	}
	if (json_object_get(feature, "released") &&
	    !calendar_date(checks_jstr(feature, "released"))) {
		diag_set(d, "products.%s.feature.released is not a date "
			    "YYYY-MM-DD", product);
		return -1;
	}
	return 0;
}

/* The newest LTS series still in support, for advice. */
static const struct lts *
best_lts(const struct table *t, long long now)
{
	const struct lts *best = NULL;
	long long end;

	for (size_t i = 0; i < t->nlts; i++) {
		const struct lts *l = &t->lts[i];

		if (!l->latest)
			continue;
		if (l->end && end_of_day(l->end, &end) == 0 && now > end)
			continue;
		if (!best || lxdval_version_cmp(l->series, best->series) > 0)
			best = l;
	}
	return best;
}

/*
 * The update command depends on how LXD was installed: the snap refreshes
 * a channel, a distribution package upgrades through apt (and Debian 12
 * ships 5.0.2 only, so a newer release means moving to the snap).
 */
static void
remedy_update(struct finding *f, const struct check_ctx *x, const char *to,
	      const char *series)
{
	const struct snapshot *s = x->snap;

	if (x->host && x->host->install == HOST_INSTALL_PACKAGE &&
	    !str_eq(s->product, "incus")) {
		finding_remedy_cmd(f, "apt-get install --only-upgrade lxd");
		finding_remediation(f, "Update LXD to %s. If your distribution "
				       "does not package it, move to the snap: "
				       "snap install lxd --channel=%s/stable, "
				       "then lxd.migrate.", to,
				    shq(series ? series : "latest"));
		return;
	}
	if (str_eq(s->product, "incus")) {
		finding_remediation(f, "Update Incus to %s with the packages "
				       "of your distribution or the Zabbly "
				       "repository.", to);
		return;
	}
	if (series) {
		finding_remedy_cmd(f, "snap refresh lxd --channel=%s/stable",
				   shq(series));
		finding_remediation(f, "Update LXD to %s; without the snap, "
				       "with the packages of your "
				       "distribution.", to);
	} else {
		finding_remedy_cmd(f, "snap refresh lxd --channel=6/stable");
		finding_remediation(f, "Update LXD to %s, or move to an LTS "
				       "track; without the snap, with the "
				       "packages of your distribution.", to);
	}
}

static void
judge_lts(const struct check *c, const struct check_ctx *x,
	  const struct table *t, const struct lts *l, struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *prod = product_label(s);
	const char *v = s->server_version;
	const char *upd = t->updated ? t->updated : "unknown";
	long long end = 0;
	bool ended = l->end && end_of_day(l->end, &end) == 0 && s->now > end;
	int cmp = l->latest ? lxdval_version_cmp(v, l->latest) : 0;
	struct finding *f;

	if (ended) {
		const struct lts *b = best_lts(t, s->now);

		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s %s LTS reached the end of its standard "
				 "support on %s and the server runs %s.",
				 prod, l->series, l->end, v);
		if (b)
			remedy_update(f, x, b->latest, b->series);
		return;
	}
	if (l->latest && cmp < 0) {
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "The server runs %s %s but %s is the newest "
				 "%s LTS point release.", prod, v, l->latest,
				 l->series);
		remedy_update(f, x, l->latest, l->series);
		return;
	}
	if (l->latest && cmp > 0) {
		findings_add(out, ST_PASS, c->severity, "/1.0",
			     "%s %s is newer than the newest %s LTS release "
			     "the release table knows (%s, updated %s), so "
			     "the table may be stale.", prod, v, l->series,
			     l->latest, upd);
		return;
	}
	if (!l->end)
		findings_add(out, ST_PASS, c->severity, "/1.0",
			     "%s %s is in the %s LTS series, whose end of "
			     "support is not published (the release table "
			     "records none), so check the vendor's support "
			     "statement.", prod, v, l->series);
	else
		findings_add(out, ST_PASS, c->severity, "/1.0",
			     "%s %s is %s %s LTS release, supported until "
			     "%s.", prod, v,
			     l->latest ? "the newest" : "an", l->series,
			     l->end);
}

static void
eval_release(const struct check *c, const struct check_ctx *x,
	     struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *prod = product_label(s);
	const char *v = s->server_version;
	struct table t;
	struct diag d = { "" };
	char series[32];
	char *obj;
	struct finding *f;
	int cmp;

	if (!x->releases_path) {
		findings_add(out, ST_ERROR, c->severity, "releases.json",
			     "No release table was found (give one with "
			     "--releases FILE or $LXD_HARDEN_RELEASES, or "
			     "install /etc/lxd-harden/releases.json).");
		return;
	}
	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	if (str_empty(v) || str_eq(v, "unknown")) {
		findings_add(out, ST_ERROR, c->severity, "/1.0",
			     "The server did not report its version "
			     "(environment.server_version).");
		return;
	}
	if (table_load(&t, x->releases_path,
		       str_eq(s->product, "incus") ? "incus" : "lxd",
		       &d) != 0) {
		obj = file_object(x->releases_path);
		findings_add(out, ST_ERROR, c->severity, obj,
			     "Cannot use the release table %s: %s.",
			     x->releases_path, d.msg);
		free(obj);
		table_release(&t);
		return;
	}
	series_of(v, series, sizeof(series));
	for (size_t i = 0; i < t.nlts; i++) {
		if (lxdval_version_cmp(series, t.lts[i].series) == 0) {
			judge_lts(c, x, &t, &t.lts[i], out);
			table_release(&t);
			return;
		}
	}
	cmp = lxdval_version_cmp(v, t.feature);
	if (cmp == 0) {
		findings_add(out, ST_PASS, c->severity, "/1.0",
			     "%s %s is the latest feature release.", prod, v);
	} else if (cmp > 0) {
		findings_add(out, ST_PASS, c->severity, "/1.0",
			     "%s %s is newer than the latest release the "
			     "release table knows (%s, updated %s), so the "
			     "table may be stale.", prod, v, t.feature,
			     t.updated ? t.updated : "unknown");
	} else {
		const struct lts *b = best_lts(&t, s->now);

		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s %s is not supported: it is neither in a "
				 "supported LTS series nor the latest feature "
				 "release (%s).", prod, v, t.feature);
		if (str_eq(s->product, "incus") ||
		    (x->host && x->host->install == HOST_INSTALL_PACKAGE)) {
			remedy_update(f, x, t.feature, b ? b->series : NULL);
		} else {
			finding_remedy_cmd(f, "snap refresh lxd "
					      "--channel=%s/stable",
					   shq(b ? b->series : "latest"));
			finding_remediation(
				f, "This moves to the %s LTS series; or "
				   "update LXD to %s with snap refresh lxd "
				   "--channel=6/stable.",
				b ? b->series : "newest", t.feature);
		}
	}
	table_release(&t);
}

static bool
profile_has_instances(const json_t *profile)
{
	const json_t *u;
	size_t i;

	json_array_foreach (json_object_get(profile, "used_by"), i, u)
		if (str_starts_with(json_string_value(u), "/1.0/instances/"))
			return true;
	return false;
}

/*
 * Decides whether a network's used_by makes it used. Profiles count only
 * when an instance uses them; anything else (instances, other networks,
 * forwards) counts as use. Returns -1 when a profile must be looked up
 * but the profiles could not be read.
 */
static int
network_users(const struct snapshot *s, const json_t *used_by,
	      const json_t *profiles, struct strbuf *idle)
{
	const json_t *u;
	size_t i;
	int used = 0;

	json_array_foreach (used_by, i, u) {
		const char *url = json_string_value(u);
		char *name, *project;
		const json_t *p;

		if (!split_url(url, "/1.0/profiles/", &name, &project)) {
			used = 1;
			continue;
		}
		if (!profiles) {
			free(name);
			free(project);
			return -1;
		}
		p = snapshot_find(s, SNAP_PROFILES, project, name);
		/* a profile we cannot see might be in use: assume so */
		if (!p || profile_has_instances(p)) {
			used = 1;
		} else {
			if (idle->len)
				strbuf_addstr(idle, ", ");
			strbuf_addstr(idle, name);
			if (!str_eq(project, "default"))
				strbuf_addf(idle, " (project %s)", project);
		}
		free(name);
		free(project);
	}
	return used;
}

static void
eval_unused_networks(const struct check *c, const struct check_ctx *x,
		     struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *nets, *profiles, *n;
	const char *why;
	size_t i;

	nets = checks_need_part(c, x, SNAP_NETWORKS, "/1.0/networks", out);
	if (!nets)
		return;
	profiles = snapshot_part(s, SNAP_PROFILES, &why);
	json_array_foreach (nets, i, n) {
		const char *name = checks_jstr(n, "name");
		const char *project = checks_jstr(n, "project");
		struct strbuf idle = STRBUF_INIT;
		struct finding *f;
		char *obj;
		int used;

		if (!name || !json_is_true(json_object_get(n, "managed")))
			continue;
		if (!project)
			project = "default";
		obj = snapshot_object("networks", name, project);
		used = network_users(s, json_object_get(n, "used_by"), profiles,
				     &idle);
		if (used < 0) {
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cannot tell whether network %s is used "
				     "because the profiles could not be read: "
				     "%s.", name, why ? why : "not fetched");
		} else if (!used) {
			if (idle.len)
				f = findings_add(
					out, ST_FAIL, c->severity, obj,
					"Managed network %s is used only by "
					"profiles that no instance uses (%s).",
					name, idle.buf);
			else
				f = findings_add(out, ST_FAIL, c->severity, obj,
						 "Managed network %s is not "
						 "used by anything.", name);
			if (idle.len)
				finding_remediation(
					f, "Remove the network's devices from "
					   "the profiles %s, then run: %s "
					   "network delete %s --project %s",
					idle.buf, snapshot_client(s),
					shq(name), shq(project));
			else
				finding_remedy_cmd(f, "%s network delete %s "
						       "--project %s",
						    snapshot_client(s),
						    shq(name), shq(project));
		}
		strbuf_release(&idle);
		free(obj);
	}
}

static void
eval_unused_pools(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *pools, *p, *u;
	size_t i, j;

	pools = checks_need_part(c, x, SNAP_STORAGE_POOLS,
				 "/1.0/storage-pools", out);
	if (!pools)
		return;
	json_array_foreach (pools, i, p) {
		const char *name = checks_jstr(p, "name");
		struct strbuf profs = STRBUF_INIT;
		bool used = false;
		struct finding *f;
		char *obj;

		if (!name)
			continue;
		json_array_foreach (json_object_get(p, "used_by"), j, u) {
			const char *url = json_string_value(u);
			char *pn, *pp;

			/* profiles point at the pool but store nothing */
			if (split_url(url, "/1.0/profiles/", &pn, &pp)) {
				if (profs.len)
					strbuf_addstr(&profs, ", ");
				strbuf_addstr(&profs, pn);
				if (!str_eq(pp, "default"))
					strbuf_addf(&profs, " (project %s)",
						    pp);
				free(pn);
				free(pp);
				continue;
			}
			used = true;
		}
		if (!used) {
			obj = xasprintf("/1.0/storage-pools/%s", urlq(name));
			if (profs.len) {
				f = findings_add(
					out, ST_FAIL, c->severity, obj,
					"Storage pool %s holds no instance, "
					"volume, image or bucket; only "
					"profiles refer to it (%s).",
					name, profs.buf);
				finding_remediation(
					f, "Remove the pool's disk devices "
					   "from the profiles %s, then run: "
					   "%s storage delete %s",
					profs.buf, snapshot_client(s),
					shq(name));
			} else {
				f = findings_add(out, ST_FAIL, c->severity, obj,
						 "Storage pool %s holds no "
						 "instance, volume, image or "
						 "bucket.", name);
				finding_remedy_cmd(f, "%s storage delete %s",
						    snapshot_client(s),
						    shq(name));
			}
			free(obj);
		}
		strbuf_release(&profs);
	}
}

/*
 * LXD-GEN-004: a member that is not online cannot be audited (its own
 * listeners and pools are not read) and does not take the changes the
 * others take, so it is never a pass. Evacuated is an operator's choice
 * and still answers.
 */
static void
eval_cluster_members(const struct check *c, const struct check_ctx *x,
		     struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *list, *m;
	size_t i;

	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	if (!s->clustered) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server is not clustered.");
		return;
	}
	list = checks_need_part(c, x, SNAP_CLUSTER_MEMBERS,
				"/1.0/cluster/members", out);
	if (!list)
		return;
	if (!json_array_size(list)) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/cluster/members",
			     "The server is clustered but lists no cluster "
			     "member.");
		return;
	}
	json_array_foreach (list, i, m) {
		const char *name = checks_jstr(m, "server_name");
		const char *st = checks_jstr(m, "status");
		const char *msg = checks_jstr(m, "message");
		char *obj = xasprintf("/1.0/cluster/members/%s", urlq(name));

		if (str_eq(st, "Online") || str_eq(st, "Evacuated"))
			findings_add(out, ST_PASS, c->severity, obj,
				     "Cluster member %s is %s%s%s.", name, st,
				     str_empty(msg) ? "" : ": ",
				     str_empty(msg) ? "" : msg);
		else
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cluster member %s is %s%s%s%s: its own "
				     "settings and host cannot be audited, "
				     "and it misses what the others are "
				     "changed to.", name,
				     st ? st : "in an unknown state",
				     str_empty(msg) ? "" : " (",
				     str_empty(msg) ? "" : msg,
				     str_empty(msg) ? "" : ")");
		free(obj);
	}
}

const struct check general_checks[] = {
	{
		.id = "LXD-GEN-001",
		.title = "The server runs a supported LXD or Incus release",
		.severity = SEV_HIGH,
		.rationale = "Only LTS series inside their support window and "
			     "the latest feature release receive security "
			     "fixes. An LTS point release behind the newest "
			     "one misses fixes that are already published.",
		.reads = "The server version from GET /1.0 and the release "
			 "table file (data/releases.json, replaceable "
			 "without rebuilding).",
		.remediation = "Update to the newest point release of a "
			       "supported LTS series, or to the latest "
			       "feature release.",
		.eval = eval_release,
	},
	{
		.id = "LXD-GEN-002",
		.title = "No managed network is unused",
		.severity = SEV_LOW,
		.rationale = "An unused network still runs a bridge, DHCP and "
			     "DNS on the host and widens the attack surface "
			     "for nothing.",
		.reads = "The used_by lists of managed networks in every "
			 "project, and of the profiles they name.",
		.remediation = "Delete networks that nothing uses, after "
			       "removing them from profiles that no instance "
			       "uses.",
		.eval = eval_unused_networks,
	},
	{
		.id = "LXD-GEN-003",
		.title = "No storage pool is unused",
		.severity = SEV_LOW,
		.rationale = "An unused storage pool keeps host storage "
			     "attached to LXD that nobody watches, and can be "
			     "used to place new data where it is not "
			     "expected.",
		.reads = "The used_by lists of the storage pools; profiles "
			 "that only refer to a pool do not count as use.",
		.remediation = "Delete storage pools that hold no instance, "
			       "volume, image or bucket.",
		.eval = eval_unused_pools,
	},
	{
		.id = "LXD-GEN-004",
		.title = "Every cluster member is online",
		.severity = SEV_HIGH,
		.rationale = "A cluster member that is offline or in an error "
			     "state cannot be audited and does not take "
			     "security updates or changes made through the "
			     "others; it comes back as it was.",
		.reads = "The status of every member from GET "
			 "/1.0/cluster/members?recursion=1 (clustered "
			 "servers only).",
		.remediation = "Bring the member back (or remove it from the "
			       "cluster), then audit again.",
		.eval = eval_cluster_members,
	},
	CHECK_END
};
