/* snapshot.c - one immutable copy of the server state that checks read */
#include "snapshot.h"

#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lxdval.h"

static const char *const kind_names[] = {
	[SNAP_SERVER] = "server",
	[SNAP_PROJECTS] = "projects",
	[SNAP_INSTANCES] = "instances",
	[SNAP_PROFILES] = "profiles",
	[SNAP_NETWORKS] = "networks",
	[SNAP_NETWORK_ACLS] = "network-acls",
	[SNAP_STORAGE_POOLS] = "storage-pools",
	[SNAP_CERTIFICATES] = "certificates",
	[SNAP_OPERATIONS] = "operations",
	[SNAP_IDENTITIES] = "identities",
	[SNAP_AUTH_GROUPS] = "auth-groups",
	[SNAP_CLUSTER_MEMBERS] = "cluster-members",
	[SNAP_STORAGE_POOL_MEMBERS] = "storage-pools-members",
};
_Static_assert(ARRAY_SIZE(kind_names) == SNAP__COUNT, "a kind has no name");

const char *
snapshot_kind_name(enum snap_kind k)
{
	return (unsigned)k < SNAP__COUNT ? kind_names[k] : "unknown";
}

void
snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->now = now_epoch();
}

void
snapshot_release(struct snapshot *s)
{
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		json_decref(s->part[k]);
		free(s->why[k]);
	}
	free(s->endpoint);
	free(s->product);
	free(s->server_version);
	free(s->server_name);
	memset(s, 0, sizeof(*s));
}

const json_t *
snapshot_part(const struct snapshot *s, enum snap_kind k, const char **why)
{
	if (why)
		*why = s->part[k] ? NULL :
		       s->why[k]  ? s->why[k] :
				    "not fetched";
	return s->part[k];
}

bool
snapshot_has_ext(const struct snapshot *s, const char *ext)
{
	const json_t *exts, *v;
	size_t i;

	if (!s->part[SNAP_SERVER])
		return false;
	exts = json_object_get(s->part[SNAP_SERVER], "api_extensions");
	json_array_foreach (exts, i, v)
		if (str_eq(json_string_value(v), ext))
			return true;
	return false;
}

static bool
is_secret_key(const char *k)
{
	static const char *const words[] = { "password", "secret" };
	size_t n = strlen(k);

	for (size_t w = 0; w < ARRAY_SIZE(words); w++) {
		size_t m = strlen(words[w]);

		for (size_t i = 0; i + m <= n; i++)
			if (strncasecmp(k + i, words[w], m) == 0)
				return true;
	}
	return false;
}

/*
 * Secrets are cut out when the state is taken, not when it is printed:
 * then no report writer, present or future, can leak one. A secret that
 * is set is replaced by "(hidden)"; an empty one stays empty so that
 * "not set" can still be told apart.
 */
static void
scrub(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach (j, k, v) {
			if (is_secret_key(k) && json_is_string(v) &&
			    json_string_length(v) > 0)
				json_string_set(v, "(hidden)");
			else
				scrub(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v)
			scrub(v);
	}
}

static const char *
server_env(const struct snapshot *s, const char *key)
{
	const json_t *env = json_object_get(s->part[SNAP_SERVER],
					    "environment");

	return json_string_value(json_object_get(env, key));
}

/* Takes the server object; derives product, version and name from it. */
static void
set_server(struct snapshot *s, json_t *server)
{
	const json_t *env;

	json_decref(s->part[SNAP_SERVER]);
	s->part[SNAP_SERVER] = server;
	free(s->product);
	free(s->server_version);
	free(s->server_name);
	env = json_object_get(server, "environment");
	s->product = xstrdup(server_env(s, "server") ? server_env(s, "server") :
						       "lxd");
	s->server_version = xstrdup(
		server_env(s, "server_version") ? server_env(s, "server_version") :
						  "unknown");
	s->server_name = xstrdup(
		server_env(s, "server_name") ? server_env(s, "server_name") : "");
	s->clustered = json_is_true(json_object_get(env, "server_clustered"));
}

const char *
snapshot_client(const struct snapshot *s)
{
	return str_eq(s->product, "incus") ? "incus" : "lxc";
}

char *
snapshot_object(const char *kind, const char *name, const char *project)
{
	return xasprintf("/1.0/%s/%s?project=%s", kind, name,
			 project ? project : "default");
}

/* Defaults of server keys that LXD leaves out of GET /1.0 when unset. */
static const char *
config_default(const struct snapshot *s, const char *key)
{
	static const struct {
		const char *key, *value;
	} fixed[] = {
		{ "cluster.join_token_expiry", "3H" },
		{ "core.https_allowed_credentials", "false" },
		{ "core.metrics_authentication", "true" },
		{ "core.shutdown_timeout", "5" },
		{ "core.trust_ca_certificates", "false" },
	};
	const char *v = s->server_version;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (str_eq(key, fixed[i].key))
			return fixed[i].value;
	if (str_eq(key, "core.remote_token_expiry")) {
		/*
		 * LXD gained a 15-day default in 5.21.5 and 6.7; before that,
		 * in every 5.0.x and in Incus, no value means tokens never
		 * expire (lxd-server-facts 1.3).
		 */
		if (str_eq(s->product, "incus"))
			return NULL;
		if (lxdval_version_cmp(v, "6.7") >= 0 ||
		    (lxdval_version_cmp(v, "5.21.5") >= 0 &&
		     lxdval_version_cmp(v, "6.0") < 0))
			return "15d";
		return NULL;
	}
	if (snapshot_has_ext(s, "loki")) {
		if (str_eq(key, "loki.types"))
			return "lifecycle,logging";
		if (str_eq(key, "loki.loglevel"))
			return "info";
	}
	return NULL;
}

const char *
snapshot_config(const struct snapshot *s, const char *key, const char **from)
{
	const json_t *cfg = json_object_get(s->part[SNAP_SERVER], "config");
	const json_t *v = json_object_get(cfg, key);
	const char *def;

	if (v) {
		if (from)
			*from = "server";
		return json_is_string(v) ? json_string_value(v) : "(hidden)";
	}
	def = config_default(s, key);
	if (from)
		*from = def ? "default" : NULL;
	return def;
}

/*
 * Appends the items of list to the part, marking each with its project
 * when the server left that out (5.0.2 does for profiles and networks).
 */
static void
part_append(struct snapshot *s, enum snap_kind k, const json_t *list,
	    const char *project)
{
	const json_t *item;
	size_t i;

	if (!s->part[k])
		s->part[k] = json_array();
	json_array_foreach (list, i, item) {
		json_t *copy = json_deep_copy(item);

		if (json_is_object(copy) && project &&
		    !json_object_get(copy, "project"))
			json_object_set_new(copy, "project",
					    json_string(project));
		json_array_append_new(s->part[k], copy);
	}
}

/* Operations come as {"running": [...], "success": [...]}: flatten. */
static json_t *
flatten_operations(const json_t *md)
{
	json_t *out = json_array();
	const char *k;
	json_t *v, *op;
	size_t i;

	if (json_is_array(md)) {
		json_array_extend(out, (json_t *)(uintptr_t)md);
		return out;
	}
	json_object_foreach ((json_t *)(uintptr_t)md, k, v)
		json_array_foreach (v, i, op)
			json_array_append(out, op);
	return out;
}

static void
set_why(struct snapshot *s, enum snap_kind k, bool unsupported,
	const char *fmt, ...) LXDH_PRINTF(4, 5);

static void
set_why(struct snapshot *s, enum snap_kind k, bool unsupported,
	const char *fmt, ...)
{
	va_list ap;

	json_decref(s->part[k]);
	s->part[k] = NULL;
	free(s->why[k]);
	va_start(ap, fmt);
	s->why[k] = xvasprintf(fmt, ap);
	va_end(ap);
	s->unsupported[k] = unsupported;
}

/* Why a server has no /1.0/auth identities and groups, product-aware. */
static const char *
no_auth_api(const struct snapshot *s)
{
	if (str_eq(s->product, "incus"))
		return "Incus has no /1.0/auth identities or groups";
	return "the server lacks API extension access_management (LXD 5.21+)";
}

/* The projects that keep their own entities of a feature ("profiles"). */
static void
projects_with(const struct snapshot *s, const char *feature,
	      struct strbuf *names, size_t *count)
{
	const json_t *p;
	size_t i;
	char key[64];

	snprintf(key, sizeof(key), "features.%s", feature);
	strbuf_addstr(names, "default");
	strbuf_addch(names, '\0');
	*count = 1;
	json_array_foreach (s->part[SNAP_PROJECTS], i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const json_t *cfg = json_object_get(p, "config");

		if (!name || str_eq(name, "default"))
			continue;
		if (!lxdval_is_true(json_string_value(json_object_get(cfg, key))))
			continue;
		strbuf_addstr(names, name);
		strbuf_addch(names, '\0');
		(*count)++;
	}
}

struct plan {
	struct lxd_request *reqs;
	enum snap_kind *kinds;
	char **projects;	/* NULL: not project-scoped */
	size_t n, alloc;
};

static void
plan_add(struct plan *p, enum snap_kind k, const char *project,
	 const char *fmt, ...) LXDH_PRINTF(4, 5);

static void
plan_add(struct plan *p, enum snap_kind k, const char *project,
	 const char *fmt, ...)
{
	va_list ap;

	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->reqs = xrealloc(p->reqs, p->alloc * sizeof(*p->reqs));
		p->kinds = xrealloc(p->kinds, p->alloc * sizeof(*p->kinds));
		p->projects = xrealloc(p->projects,
				       p->alloc * sizeof(*p->projects));
	}
	memset(&p->reqs[p->n], 0, sizeof(p->reqs[p->n]));
	va_start(ap, fmt);
	p->reqs[p->n].path = xvasprintf(fmt, ap);
	va_end(ap);
	p->kinds[p->n] = k;
	p->projects[p->n] = project ? xstrdup(project) : NULL;
	p->n++;
}

static void
plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->reqs[i].path);
		free(p->projects[i]);
		lxd_response_release(&p->reqs[i].resp);
	}
	free(p->reqs);
	free(p->kinds);
	free(p->projects);
	memset(p, 0, sizeof(*p));
}

/*
 * Files one answer of GET /1.0/storage-pools/NAME?target=MEMBER. One
 * unreachable member must not hide the others, so a failure is kept as an
 * item of its own rather than failing the whole kind.
 */
static void
pool_member_add(struct snapshot *s, const struct lxd_request *r,
		const char *member)
{
	const char *name = r->path + strlen("/1.0/storage-pools/");
	json_t *item;

	if (!s->part[SNAP_STORAGE_POOL_MEMBERS])
		s->part[SNAP_STORAGE_POOL_MEMBERS] = json_array();
	if (r->rc == 0 && json_is_object(r->resp.metadata)) {
		item = json_deep_copy(r->resp.metadata);
	} else {
		item = json_object();
		json_object_set_new(item, "name",
				    json_stringn(name, strcspn(name, "?")));
		json_object_set_new(item, "error",
				    json_string(r->rc == 0 ?
							"expected an object" :
							r->diag.msg));
	}
	json_object_set_new(item, "member", json_string(member));
	json_array_append_new(s->part[SNAP_STORAGE_POOL_MEMBERS], item);
}

/*
 * Runs a plan and files each answer under its kind. A kind fetched in
 * several requests (one per project) is complete only when all succeed:
 * a partial list would let a check pass on what it never saw.
 */
static void
plan_run(struct snapshot *s, struct lxd_client *c, struct plan *p)
{
	bool failed[SNAP__COUNT] = { false };

	if (!p->n)
		return;
	lxd_get_all(c, p->reqs, p->n);
	for (size_t i = 0; i < p->n; i++) {
		enum snap_kind k = p->kinds[i];
		const json_t *md = p->reqs[i].resp.metadata;

		if (failed[k])
			continue;
		if (k == SNAP_STORAGE_POOL_MEMBERS) {
			pool_member_add(s, &p->reqs[i], p->projects[i]);
			continue;
		}
		if (p->reqs[i].rc != 0) {
			failed[k] = true;
			set_why(s, k, false, "%s", p->reqs[i].diag.msg);
			continue;
		}
		if (k == SNAP_OPERATIONS) {
			json_t *flat = flatten_operations(md);

			part_append(s, k, flat, NULL);
			json_decref(flat);
			continue;
		}
		if (!json_is_array(md)) {
			failed[k] = true;
			set_why(s, k, false, "GET %s: expected a list",
				p->reqs[i].path);
			continue;
		}
		part_append(s, k, md, p->projects[i]);
	}
}

static int
check_root(const json_t *md, const char *endpoint, struct diag *d)
{
	const char *auth = json_string_value(json_object_get(md, "auth"));
	const json_t *env;
	const char *server;

	if (!json_is_object(md) ||
	    !str_eq(json_string_value(json_object_get(md, "api_version")),
		    "1.0")) {
		diag_set(d, "'%s' is not an LXD server (GET /1.0 has no "
			    "api_version 1.0)", endpoint);
		return -1;
	}
	if (!str_eq(auth, "trusted")) {
		diag_set(d, "auth: untrusted: '%s' does not trust this client "
			    "certificate (add it with 'lxc config trust add')",
			 endpoint);
		return -1;
	}
	env = json_object_get(md, "environment");
	server = json_string_value(json_object_get(env, "server"));
	if (!json_is_object(env) || !json_is_array(json_object_get(md,
			"api_extensions")) ||
	    (!str_eq(server, "lxd") && !str_eq(server, "incus"))) {
		diag_set(d, "'%s' is not an LXD server (environment.server is "
			    "'%s')", endpoint, server ? server : "missing");
		return -1;
	}
	return 0;
}

static void
plan_global(struct snapshot *s, struct plan *p)
{
	if (snapshot_has_ext(s, "instance_all_projects"))
		plan_add(p, SNAP_INSTANCES, NULL,
			 "/1.0/instances?recursion=1&all-projects=true");
	plan_add(p, SNAP_PROJECTS, NULL, "/1.0/projects?recursion=1");
	plan_add(p, SNAP_STORAGE_POOLS, NULL, "/1.0/storage-pools?recursion=1");
	if (s->clustered)
		plan_add(p, SNAP_CLUSTER_MEMBERS, NULL,
			 "/1.0/cluster/members?recursion=1");
	else
		set_why(s, SNAP_CLUSTER_MEMBERS, true,
			"the server is not clustered");
	plan_add(p, SNAP_CERTIFICATES, NULL, "/1.0/certificates?recursion=1");
	if (snapshot_has_ext(s, "operations_get_query_all_projects"))
		plan_add(p, SNAP_OPERATIONS, NULL,
			 "/1.0/operations?recursion=1&all-projects=true");
	else
		plan_add(p, SNAP_OPERATIONS, NULL, "/1.0/operations?recursion=1");
	if (snapshot_has_ext(s, "access_management")) {
		plan_add(p, SNAP_IDENTITIES, NULL,
			 "/1.0/auth/identities?recursion=1");
		plan_add(p, SNAP_AUTH_GROUPS, NULL,
			 "/1.0/auth/groups?recursion=1");
	} else {
		set_why(s, SNAP_IDENTITIES, true, "%s", no_auth_api(s));
		set_why(s, SNAP_AUTH_GROUPS, true, "%s", no_auth_api(s));
	}
}

/*
 * In a cluster the pool list leaves out the keys that name the backing
 * device (source, zfs.pool_name, ...): ask each member for each pool,
 * which is one request per pool and member, never per instance.
 */
static void
plan_pool_members(struct snapshot *s, struct plan *p)
{
	const json_t *pool, *loc;
	size_t i, j;

	if (!s->clustered) {
		set_why(s, SNAP_STORAGE_POOL_MEMBERS, true,
			"the server is not clustered");
		return;
	}
	if (!s->part[SNAP_STORAGE_POOLS]) {
		set_why(s, SNAP_STORAGE_POOL_MEMBERS, false,
			"the storage pools could not be read");
		return;
	}
	/* an empty list, so that "no pool" is not "not fetched" */
	s->part[SNAP_STORAGE_POOL_MEMBERS] = json_array();
	json_array_foreach (s->part[SNAP_STORAGE_POOLS], i, pool) {
		const char *name = json_string_value(json_object_get(pool,
								     "name"));
		const json_t *locs = json_object_get(pool, "locations");
		const char *key = "server_name";

		if (!name)
			continue;
		if (!json_array_size(locs)) {
			/* no locations listed: every member */
			locs = s->part[SNAP_CLUSTER_MEMBERS];
		} else {
			key = NULL;
		}
		json_array_foreach (locs, j, loc) {
			const char *m = json_string_value(
				key ? json_object_get(loc, key) : loc);

			if (m)
				plan_add(p, SNAP_STORAGE_POOL_MEMBERS, m,
					 "/1.0/storage-pools/%s?target=%s",
					 name, m);
		}
	}
}

static void
plan_per_project(struct snapshot *s, struct plan *p)
{
	struct strbuf names = STRBUF_INIT;
	const char *name;
	size_t n;

	if (!s->part[SNAP_INSTANCES] && !s->why[SNAP_INSTANCES]) {
		/* no all-projects listing: ask each project */
		const json_t *pr;
		size_t i;

		plan_add(p, SNAP_INSTANCES, "default",
			 "/1.0/instances?recursion=1&project=default");
		json_array_foreach (s->part[SNAP_PROJECTS], i, pr) {
			name = json_string_value(json_object_get(pr, "name"));
			if (name && !str_eq(name, "default"))
				plan_add(p, SNAP_INSTANCES, name,
					 "/1.0/instances?recursion=1&project=%s",
					 name);
		}
	}
	projects_with(s, "profiles", &names, &n);
	name = names.buf;
	for (size_t i = 0; i < n; i++, name += strlen(name) + 1)
		plan_add(p, SNAP_PROFILES, name,
			 "/1.0/profiles?recursion=1&project=%s", name);
	strbuf_release(&names);

	projects_with(s, "networks", &names, &n);
	name = names.buf;
	for (size_t i = 0; i < n; i++, name += strlen(name) + 1) {
		plan_add(p, SNAP_NETWORKS, name,
			 "/1.0/networks?recursion=1&project=%s", name);
		if (snapshot_has_ext(s, "network_acl"))
			plan_add(p, SNAP_NETWORK_ACLS, name,
				 "/1.0/network-acls?recursion=1&project=%s",
				 name);
	}
	strbuf_release(&names);
	plan_pool_members(s, p);
	if (!snapshot_has_ext(s, "network_acl"))
		set_why(s, SNAP_NETWORK_ACLS, true,
			"the server lacks API extension network_acl");
}

int
snapshot_fetch(struct snapshot *s, struct lxd_client *c, const char *endpoint,
	       bool remote, struct diag *d)
{
	struct lxd_response root;
	struct plan p = { 0 };
	int rc = -1;

	free(s->endpoint);
	s->endpoint = xstrdup(endpoint);
	s->remote = remote;
	if (lxd_get(c, "/1.0", &root, d) != 0)
		goto out;
	if (check_root(root.metadata, endpoint, d) != 0)
		goto out;
	set_server(s, json_incref(root.metadata));

	/*
	 * Two rounds: what needs nothing but /1.0, then what needs the list
	 * of projects (5.0.2 ignores all-projects for profiles, and networks
	 * live in the projects that have features.networks).
	 */
	plan_global(s, &p);
	plan_run(s, c, &p);
	plan_release(&p);
	if (!s->part[SNAP_PROJECTS]) {
		/* a client restricted from listing projects: default only */
		s->part[SNAP_PROJECTS] = json_array();
	}
	plan_per_project(s, &p);
	plan_run(s, c, &p);
	plan_release(&p);

	for (size_t k = 0; k < SNAP__COUNT; k++)
		scrub(s->part[k]);
	rc = 0;
out:
	s->requests = lxd_client_requests(c);
	lxd_response_release(&root);
	return rc;
}

/* A file holds an API envelope or the bare metadata. */
static json_t *
load_json(const char *path, struct diag *d)
{
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	json_t *md;

	if (!j) {
		diag_set(d, "cannot load '%s': line %d column %d: %s", path,
			 err.line, err.column, err.text);
		return NULL;
	}
	if (json_is_object(j) && json_object_get(j, "type") &&
	    json_object_get(j, "metadata")) {
		md = json_incref(json_object_get(j, "metadata"));
		json_decref(j);
		return md;
	}
	return j;
}

int
snapshot_load_dir(struct snapshot *s, const char *dir, struct diag *d)
{
	free(s->endpoint);
	s->endpoint = xasprintf("dir://%s", dir);
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		char *path = xasprintf("%s/%s.json", dir, kind_names[k]);
		json_t *j;
		FILE *f = fopen(path, "r");

		if (!f) {
			if (k == SNAP_SERVER) {
				diag_set(d, "cannot open '%s': no server.json "
					    "in the snapshot directory", path);
				free(path);
				return -1;
			}
			set_why(s, (enum snap_kind)k, false,
				"no %s.json in the snapshot directory",
				kind_names[k]);
			free(path);
			continue;
		}
		fclose(f);
		j = load_json(path, d);
		free(path);
		if (!j)
			return -1;
		if (k == SNAP_SERVER) {
			if (check_root(j, s->endpoint, d) != 0) {
				json_decref(j);
				return -1;
			}
			set_server(s, j);
			continue;
		}
		if (k == SNAP_OPERATIONS) {
			json_t *flat = flatten_operations(j);

			json_decref(j);
			j = flat;
		}
		if (!json_is_array(j)) {
			diag_set(d, "'%s/%s.json' is not a list", dir,
				 kind_names[k]);
			json_decref(j);
			return -1;
		}
		part_append(s, (enum snap_kind)k, j,
			    k == SNAP_PROFILES || k == SNAP_NETWORKS ||
					    k == SNAP_NETWORK_ACLS ||
					    k == SNAP_INSTANCES ?
				    "default" :
				    NULL);
		json_decref(j);
	}
	if (!snapshot_has_ext(s, "access_management")) {
		if (!s->part[SNAP_IDENTITIES])
			set_why(s, SNAP_IDENTITIES, true, "%s",
				no_auth_api(s));
		if (!s->part[SNAP_AUTH_GROUPS])
			set_why(s, SNAP_AUTH_GROUPS, true, "%s",
				no_auth_api(s));
	}
	for (size_t k = 0; k < SNAP__COUNT; k++)
		scrub(s->part[k]);
	return 0;
}
