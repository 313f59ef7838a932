/* snapshot.c - one immutable copy of the server state that checks read */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "jsonlim.h"
#include "lxdval.h"
#include "shape.h"

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

/*
 * What the checks read of each part, and of which type (see shape.h). A
 * part with an item of another shape is absent, its why naming the
 * endpoint or file and the JSON path: the checks that need it report
 * error instead of reading "absent" as "not set".
 */
static const struct shape sh_string = { .kind = SH_STRING };
static const struct shape sh_strings = { .kind = SH_ARRAY,
					 .item = &sh_string };
static const struct shape sh_config = { .kind = SH_MAP, .item = &sh_string };

#define STR(k) { .key = (k), .kind = SH_STRING }
#define STR_NEEDED(k) { .key = (k), .kind = SH_STRING, .required = true }
#define BOOL(k) { .key = (k), .kind = SH_BOOL }
#define INT(k) { .key = (k), .kind = SH_INT }
#define CONFIG(k) { .key = (k), .kind = SH_MAP, .item = &sh_string }
#define DEVICES(k) { .key = (k), .kind = SH_MAP, .item = &sh_config }
#define STRINGS(k) { .key = (k), .kind = SH_ARRAY, .item = &sh_string }
/* Go leaves an empty list out as null (used_by, locations in 5.0.2). */
#define STRINGS_OR_NULL(k) { .key = (k), .kind = SH_ARRAY, .nullable = true, \
			     .item = &sh_string }
#define LIST_OF(k, it) { .key = (k), .kind = SH_ARRAY, .item = (it) }
#define END { .key = NULL }

static const struct shape f_instance[] = {
	STR_NEEDED("name"), STR("project"), STR("type"), STR("status"),
	INT("status_code"), STR("location"), STRINGS("profiles"),
	CONFIG("config"), DEVICES("devices"), CONFIG("expanded_config"),
	DEVICES("expanded_devices"), END
};
static const struct shape f_profile[] = {
	STR_NEEDED("name"), STR("project"), CONFIG("config"),
	DEVICES("devices"), STRINGS_OR_NULL("used_by"), END
};
static const struct shape f_project[] = {
	STR_NEEDED("name"), CONFIG("config"), STRINGS_OR_NULL("used_by"), END
};
static const struct shape f_network[] = {
	STR_NEEDED("name"), STR("project"), STR("type"), BOOL("managed"),
	CONFIG("config"), STRINGS_OR_NULL("used_by"),
	STRINGS_OR_NULL("locations"), END
};
static const struct shape f_acl_rule[] = {
	STR("action"), STR("state"), STR("source"), STR("destination"),
	STR("protocol"), STR("source_port"), STR("destination_port"),
	STR("description"), END
};
static const struct shape sh_acl_rule = { .kind = SH_OBJECT,
					  .fields = f_acl_rule };
static const struct shape f_acl[] = {
	STR_NEEDED("name"), STR("project"), LIST_OF("ingress", &sh_acl_rule),
	LIST_OF("egress", &sh_acl_rule), CONFIG("config"), END
};
static const struct shape f_pool[] = {
	STR_NEEDED("name"), STR("driver"), STR("status"), CONFIG("config"),
	STRINGS_OR_NULL("used_by"), STRINGS_OR_NULL("locations"), END
};
static const struct shape f_certificate[] = {
	STR("name"), STR_NEEDED("type"), STR_NEEDED("fingerprint"),
	STR("certificate"), BOOL("restricted"), STRINGS_OR_NULL("projects"),
	END
};
/* The metadata of a token names it and tells when it expires. */
static const struct shape f_request[] = { STR("name"), END };
static const struct shape f_op_metadata[] = {
	STR("expiresAt"), STR("serverName"),
	{ .key = "request", .kind = SH_OBJECT, .fields = f_request }, END
};
static const struct shape f_operation[] = {
	STR_NEEDED("id"), STR_NEEDED("class"), STR("status"),
	{ .key = "status_code", .kind = SH_INT, .required = true },
	STR("created_at"),
	{ .key = "metadata", .kind = SH_OBJECT, .nullable = true,
	  .fields = f_op_metadata },
	END
};
static const struct shape f_identity[] = {
	STR("id"), STR("name"), STR("type"), STR("authentication_method"),
	STRINGS_OR_NULL("groups"), END
};
static const struct shape f_permission[] = {
	STR("entity_type"), STR("url"), STR("entitlement"), END
};
static const struct shape sh_permission = { .kind = SH_OBJECT,
					    .fields = f_permission };
static const struct shape f_group[] = {
	/* a group without permissions has null (LXD 5.21) */
	STR_NEEDED("name"),
	{ .key = "permissions", .kind = SH_ARRAY, .nullable = true,
	  .item = &sh_permission },
	{ .key = "identities", .kind = SH_MAP, .item = &sh_strings },
	STRINGS_OR_NULL("identity_provider_groups"), END
};
static const struct shape f_member[] = {
	STR_NEEDED("server_name"), STR("url"), STR("status"), END
};
static const struct shape f_pool_member[] = {
	STR_NEEDED("name"), STR_NEEDED("member"), STR("error"),
	STR("driver"), CONFIG("config"), STRINGS_OR_NULL("locations"), END
};

#define ITEMS(f) { .kind = SH_ARRAY, .item = &(const struct shape){ \
			   .kind = SH_OBJECT, .fields = (f) } }

static const struct shape part_shapes[SNAP__COUNT] = {
	[SNAP_INSTANCES] = ITEMS(f_instance),
	[SNAP_PROFILES] = ITEMS(f_profile),
	[SNAP_PROJECTS] = ITEMS(f_project),
	[SNAP_NETWORKS] = ITEMS(f_network),
	[SNAP_NETWORK_ACLS] = ITEMS(f_acl),
	[SNAP_STORAGE_POOLS] = ITEMS(f_pool),
	[SNAP_CERTIFICATES] = ITEMS(f_certificate),
	[SNAP_OPERATIONS] = ITEMS(f_operation),
	[SNAP_IDENTITIES] = ITEMS(f_identity),
	[SNAP_AUTH_GROUPS] = ITEMS(f_group),
	[SNAP_CLUSTER_MEMBERS] = ITEMS(f_member),
	[SNAP_STORAGE_POOL_MEMBERS] = ITEMS(f_pool_member),
};

/* LXD shows a hidden key that is set as JSON true, and only those. */
static const char *const hidden_keys[] = {
	"core.trust_password", "loki.auth.password", NULL
};
static const struct shape f_environment[] = {
	STR("server"), STR("server_version"), STR("server_name"),
	BOOL("server_clustered"), INT("server_pid"), STRINGS("addresses"),
	END
};
/* What is read of /1.0 beside its config; a mismatch stops the audit. */
static const struct shape sh_root = {
	.kind = SH_OBJECT,
	.fields = (const struct shape[]){
		STR("api_version"), STR("auth"), STRINGS("api_extensions"),
		{ .key = "environment", .kind = SH_OBJECT,
		  .fields = f_environment },
		END },
};
static const struct shape sh_server_config = {
	.kind = SH_MAP, .item = &sh_string, .true_ok = hidden_keys
};

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
	/*
	 * The server object stays when only its config is unreadable (its
	 * version and extensions were checked): why[] then says so and the
	 * part reads as absent.
	 */
	if (why)
		*why = s->why[k] ? s->why[k] :
		       s->part[k] ? NULL :
				    "not fetched";
	return s->why[k] ? NULL : s->part[k];
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

/*
 * A key that names a password or secret anywhere, or a token at its end
 * (openfga.api.token, authorization.openfga.api.token, loki.auth.token
 * style keys); not core.remote_token_expiry, which is a duration.
 */
static bool
is_secret_key(const char *k)
{
	static const char *const words[] = { "password", "secret" };
	size_t n = strlen(k);

	if (n >= 6 && strcasecmp(k + n - 6, ".token") == 0)
		return true;

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
	return xasprintf("/1.0/%s/%s?project=%s", kind, urlq(name),
			 urlq(project ? project : "default"));
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

	if (!s->part[SNAP_SERVER] || s->why[SNAP_SERVER]) {
		if (from)
			*from = NULL;
		return NULL;
	}
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

/*
 * Operations come as {"running": [...], "success": [...]}: checks the
 * shape, then flattens. Anything else (null, a list, a single operation
 * object) is NULL with *why set.
 */
static const struct shape sh_operations_map = {
	.kind = SH_MAP, .item = &part_shapes[SNAP_OPERATIONS]
};

static json_t *
flatten_operations(const json_t *md, char **why)
{
	json_t *out;
	const char *k;
	json_t *v, *op;
	size_t i;

	*why = shape_check(md, &sh_operations_map);
	if (*why)
		return NULL;
	out = json_array();
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
	static const struct shape pool = { .kind = SH_OBJECT,
					   .fields = f_pool };
	const char *name = r->path + strlen("/1.0/storage-pools/");
	char *why = r->rc == 0 ? shape_check(r->resp.metadata, &pool) : NULL;
	json_t *item;

	if (!s->part[SNAP_STORAGE_POOL_MEMBERS])
		s->part[SNAP_STORAGE_POOL_MEMBERS] = json_array();
	if (r->rc == 0 && !why) {
		item = json_deep_copy(r->resp.metadata);
	} else {
		item = json_object();
		json_object_set_new(item, "name",
				    json_stringn(name, strcspn(name, "?")));
		json_object_set_new(item, "error",
				    why ? json_sprintf("GET %s: %s", r->path,
						       why) :
					  json_string(r->diag.msg));
	}
	free(why);
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
	char *why;

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
			json_t *flat = flatten_operations(md, &why);

			if (!flat) {
				failed[k] = true;
				set_why(s, k, false, "GET %s: %s",
					p->reqs[i].path, why);
				free(why);
				continue;
			}
			part_append(s, k, flat, NULL);
			json_decref(flat);
			continue;
		}
		why = shape_check(md, &part_shapes[k]);
		if (why) {
			failed[k] = true;
			set_why(s, k, false, "GET %s: %s", p->reqs[i].path,
				why);
			free(why);
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
	char *why = json_is_object(md) ? shape_check(md, &sh_root) : NULL;

	if (why) {
		diag_set(d, "'%s' gave a /1.0 that cannot be read: %s",
			 endpoint, why);
		free(why);
		return -1;
	}
	if (!json_is_object(md) ||
	    !str_eq(json_string_value(json_object_get(md, "api_version")),
		    "1.0")) {
		diag_set(d, "'%s' is not an LXD server (GET /1.0 has no "
			    "api_version 1.0)", endpoint);
		return -1;
	}
	if (!str_eq(auth, "trusted")) {
		/* an untrusted client is not told which product it is */
		diag_set(d, "auth: untrusted: '%s' does not trust this client "
			    "certificate (add it with 'lxc config trust add' "
			    "on LXD, 'incus config trust add-certificate' on "
			    "Incus)", endpoint);
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

/*
 * The server config is read by many checks: a value of the wrong shape
 * makes the server part unreadable for them (they report error), while
 * its version and extensions, already checked, still steer the fetch.
 */
static void
check_server_config(struct snapshot *s, const char *source)
{
	const json_t *cfg = json_object_get(s->part[SNAP_SERVER], "config");
	char *why;

	if (!cfg) {
		free(s->why[SNAP_SERVER]);
		s->why[SNAP_SERVER] = xasprintf("%s: at $.config: missing",
						source);
		return;
	}
	why = shape_check(cfg, &sh_server_config);
	if (why) {
		free(s->why[SNAP_SERVER]);
		s->why[SNAP_SERVER] = xasprintf("%s: at $.config%s", source,
						why + strlen("at $"));
		free(why);
	}
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
					 urlq(name), urlq(m));
		}
	}
}

static void
plan_per_project(struct snapshot *s, struct plan *p)
{
	struct strbuf names = STRBUF_INIT;
	const char *name;
	size_t n;

	if (!snapshot_has_ext(s, "network_acl"))
		set_why(s, SNAP_NETWORK_ACLS, true,
			"the server lacks API extension network_acl");
	if (!s->part[SNAP_PROJECTS]) {
		/*
		 * LXD lists a restricted client the projects it may see, so
		 * a failed list is a failure, not "default only": what lives
		 * per project cannot be asked for completely.
		 */
		const char *pwhy = s->why[SNAP_PROJECTS] ?
					   s->why[SNAP_PROJECTS] :
					   "not fetched";
		static const enum snap_kind scoped[] = {
			SNAP_INSTANCES, SNAP_PROFILES, SNAP_NETWORKS,
			SNAP_NETWORK_ACLS
		};

		for (size_t i = 0; i < ARRAY_SIZE(scoped); i++)
			if (!s->part[scoped[i]] && !s->why[scoped[i]])
				set_why(s, scoped[i], false,
					"the projects could not be listed, so "
					"not every project's %s could be "
					"requested (%s)",
					kind_names[scoped[i]], pwhy);
		plan_pool_members(s, p);
		return;
	}
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
					 urlq(name));
		}
	}
	projects_with(s, "profiles", &names, &n);
	name = names.buf;
	for (size_t i = 0; i < n; i++, name += strlen(name) + 1)
		plan_add(p, SNAP_PROFILES, name,
			 "/1.0/profiles?recursion=1&project=%s", urlq(name));
	strbuf_release(&names);

	projects_with(s, "networks", &names, &n);
	name = names.buf;
	for (size_t i = 0; i < n; i++, name += strlen(name) + 1) {
		plan_add(p, SNAP_NETWORKS, name,
			 "/1.0/networks?recursion=1&project=%s", urlq(name));
		if (snapshot_has_ext(s, "network_acl"))
			plan_add(p, SNAP_NETWORK_ACLS, name,
				 "/1.0/network-acls?recursion=1&project=%s",
				 urlq(name));
	}
	strbuf_release(&names);
	plan_pool_members(s, p);
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
	check_server_config(s, "GET /1.0");

	/*
	 * Two rounds: what needs nothing but /1.0, then what needs the list
	 * of projects (5.0.2 ignores all-projects for profiles, and networks
	 * live in the projects that have features.networks).
	 */
	plan_global(s, &p);
	plan_run(s, c, &p);
	plan_release(&p);
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

/* A saved state file is read whole; larger ones are refused. */
#define SNAP_MAX_FILE ((size_t)256 << 20)

/*
 * Opens DIR/NAME for reading without blocking or following a link: a
 * FIFO, a device or a directory put in a saved state must not hang or
 * mislead the audit. Returns the descriptor; -2 when the file does not
 * exist (the part is then absent); -1 with d set when it exists but
 * cannot be used.
 */
static int
open_state_file(int dirfd, const char *dir, const char *name, struct diag *d)
{
	struct stat st;
	int fd = openat(dirfd, name,
			O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		if (errno == ELOOP)
			diag_set(d, "cannot use '%s/%s': it is a symbolic link "
				    "(or a loop of them); copy the saved file "
				    "itself into the directory", dir, name);
		else
			diag_set(d, "cannot open '%s/%s': %s", dir, name,
				 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		diag_set(d, "cannot use '%s/%s': %s", dir, name,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_set(d, "cannot use '%s/%s': it is %s, not a regular file; "
			    "put the saved JSON file there or remove it",
			 dir, name,
			 S_ISDIR(st.st_mode)  ? "a directory" :
			 S_ISFIFO(st.st_mode) ? "a FIFO" :
			 S_ISCHR(st.st_mode)  ? "a character device" :
			 S_ISBLK(st.st_mode)  ? "a block device" :
			 S_ISSOCK(st.st_mode) ? "a socket" :
						"a special file");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reads and parses one file of a saved state. Returns -2 when it does not
 * exist, -1 with d set when it cannot be used, else 0 with *out.
 */
static int
load_json(int dirfd, const char *dir, const char *name, json_t **out,
	  struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	char why[256];
	json_t *j;
	ssize_t r;
	int fd = open_state_file(dirfd, dir, name, d);

	if (fd < 0)
		return fd;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diag_set(d, "cannot read '%s/%s': %s", dir, name,
				 strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		if (sb.len + (size_t)r > SNAP_MAX_FILE) {
			diag_set(d, "cannot use '%s/%s': larger than %zu MiB",
				 dir, name, SNAP_MAX_FILE >> 20);
			goto fail;
		}
		strbuf_add(&sb, chunk, (size_t)r);
	}
	close(fd);
	fd = -1;
	/* A saved state gets the caps of a server's answer. */
	j = jsonlim_loadb(sb.buf ? sb.buf : "", sb.len, JSON_REJECT_DUPLICATES,
			  &jsonlim_server, NULL, why, sizeof(why));
	strbuf_release(&sb);
	if (!j) {
		diag_set(d, "cannot load '%s/%s': %s", dir, name, why);
		return -1;
	}
	*out = j;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	strbuf_release(&sb);
	return -1;
}

/*
 * A saved document holds an API envelope, which must be a consistent sync
 * answer, or the bare metadata. Returns the metadata (a new reference), or
 * NULL with *why set (caller frees).
 */
static json_t *
unwrap(const json_t *doc, char **why)
{
	char buf[256];

	*why = NULL;
	if (json_is_object(doc) && json_object_get(doc, "type") &&
	    json_object_get(doc, "metadata")) {
		if (lxd_envelope_check(doc, 0, buf, sizeof(buf)) != 0) {
			*why = xasprintf("not a usable API answer: %s", buf);
			return NULL;
		}
		return json_incref(json_object_get(doc, "metadata"));
	}
	return json_incref((json_t *)(uintptr_t)doc);
}

/* Files one part read from a saved state; a bad shape leaves it absent. */
static void
load_part(struct snapshot *s, enum snap_kind k, const json_t *doc,
	  const char *file)
{
	char *why;
	json_t *j = unwrap(doc, &why);

	if (j && k == SNAP_OPERATIONS) {
		json_t *flat = flatten_operations(j, &why);

		json_decref(j);
		j = flat;
	} else if (j) {
		why = shape_check(j, &part_shapes[k]);
	}
	if (why) {
		set_why(s, k, false, "%s: %s", file, why);
		free(why);
		json_decref(j);
		return;
	}
	part_append(s, k, j,
		    k == SNAP_PROFILES || k == SNAP_NETWORKS ||
				    k == SNAP_NETWORK_ACLS ||
				    k == SNAP_INSTANCES ?
			    "default" :
			    NULL);
	json_decref(j);
}

bool
snapshot_null_is_empty(enum snap_kind k, const char *key)
{
	const struct shape *item;

	if ((unsigned)k >= SNAP__COUNT || !part_shapes[k].item)
		return false;
	item = part_shapes[k].item;
	for (const struct shape *f = item->fields; f && f->key; f++)
		if (str_eq(f->key, key))
			return f->nullable;
	return false;
}

int
snapshot_load_docs(struct snapshot *s, json_t *const docs[SNAP__COUNT],
		   const char *label, struct diag *d)
{
	free(s->endpoint);
	s->endpoint = xasprintf("dir://%s", label);
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		char *name = xasprintf("%s.json", kind_names[k]);
		json_t *j;
		char *why;

		if (!docs[k] && k == SNAP_SERVER) {
			diag_set(d, "cannot open '%s/%s': no server.json in "
				    "the snapshot directory", label, name);
			free(name);
			return -1;
		}
		if (!docs[k]) {
			set_why(s, (enum snap_kind)k, false,
				"no %s in the snapshot directory", name);
		} else if (k == SNAP_SERVER) {
			j = unwrap(docs[k], &why);
			if (!j) {
				diag_set(d, "cannot use '%s/%s': %s", label,
					 name, why);
				free(why);
				free(name);
				return -1;
			}
			if (check_root(j, s->endpoint, d) != 0) {
				json_decref(j);
				free(name);
				return -1;
			}
			set_server(s, j);
			check_server_config(s, name);
		} else {
			load_part(s, (enum snap_kind)k, docs[k], name);
		}
		free(name);
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

int
snapshot_load_dir(struct snapshot *s, const char *dir, struct diag *d)
{
	json_t *docs[SNAP__COUNT] = { NULL };
	int dirfd, rc = 0;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (dirfd < 0) {
		diag_set(d, "cannot read the saved state '%s': %s%s", dir,
			 strerror(errno),
			 errno == ENOTDIR ? " (--input names a directory of "
					    "JSON files)" : "");
		return -1;
	}
	for (size_t k = 0; k < SNAP__COUNT && rc == 0; k++) {
		char *name = xasprintf("%s.json", kind_names[k]);

		if (load_json(dirfd, dir, name, &docs[k], d) == -1)
			rc = -1;
		free(name);
	}
	close(dirfd);
	if (rc == 0)
		rc = snapshot_load_docs(s, docs, dir, d);
	for (size_t k = 0; k < SNAP__COUNT; k++)
		json_decref(docs[k]);
	return rc;
}
