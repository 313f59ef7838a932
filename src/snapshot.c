/* snapshot.c - one immutable copy of the server state that checks read */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stddef.h>
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
	[SNAP_MEMBER_SERVERS] = "member-servers",
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

/*
 * An instance's volatile.* keys are the daemon's own record of its state
 * (its uuid, idmap, last power state): set by LXD, not by a user, and read
 * by no check. Dropped, an instance's config is often empty and shared.
 */
#define INSTANCE_CONFIG(k) { .key = (k), .kind = SH_MAP, .item = &sh_string, \
			     .unread_prefix = "volatile." }
static const struct shape f_instance[] = {
	STR_NEEDED("name"), STR("project"), STR("type"), STR("status"),
	INT("status_code"), STR("location"), STRINGS("profiles"),
	INSTANCE_CONFIG("config"), DEVICES("devices"),
	INSTANCE_CONFIG("expanded_config"), DEVICES("expanded_devices"), END
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
	STRINGS_OR_NULL("groups"), STR("tls_certificate"), STR("expires_at"),
	END
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
static const struct shape f_member_server[] = {
	STR_NEEDED("member"), STR("error"), CONFIG("config"),
	STRINGS("addresses"), END
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
	[SNAP_MEMBER_SERVERS] = ITEMS(f_member_server),
};

/*
 * An item keeps the members its shape names and no other (shape_prune):
 * the hook on each item of a list as it is parsed, so that the rest
 * (an instance's created_at, description, architecture...) is never held
 * beside the list, and again as items are filed, whatever they came
 * from.
 */
static void
prune_item(json_t *item, const void *shape)
{
	shape_prune(item, shape, true);
}

/*
 * Incus builds its storage pool list in a nil slice, so a server with no
 * pool answers "metadata": null (cmd/incusd/storage_pools.go, v6.0.4);
 * LXD and every other Incus list answer []. Only that answer, from that
 * server, means "none"; a null anywhere else is still the wrong shape.
 */
static bool
null_means_none(const struct snapshot *s, enum snap_kind k, const json_t *md)
{
	return json_is_null(md) && k == SNAP_STORAGE_POOLS &&
	       str_eq(s->product, "incus");
}

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
snapshot_forget_derived(const struct snapshot *cs)
{
	/* a cache beside the state: dropping it changes no part */
	struct snapshot *s = (struct snapshot *)(uintptr_t)cs;

	if (s->derived && s->free_derived)
		s->free_derived(s->derived);
	s->derived = NULL;
	s->free_derived = NULL;
}

void
snapshot_release(struct snapshot *s)
{
	snapshot_forget_derived(s);
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		json_decref(s->part[k]);
		free(s->why[k]);
		json_decref(s->index[k]);
		json_decref(s->field_index[k]);
	}
	free(s->endpoint);
	free(s->client_setup);
	free(s->product);
	free(s->server_version);
	free(s->server_name);
	memset(s, 0, sizeof(*s));
}

void
snapshot_drop_parts(struct snapshot *s)
{
	snapshot_forget_derived(s);
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		json_decref(s->part[k]);
		s->part[k] = NULL;
		json_decref(s->index[k]);
		s->index[k] = NULL;
		json_decref(s->field_index[k]);
		s->field_index[k] = NULL;
		s->indexed[k] = NULL;
		s->indexed_n[k] = 0;
		free(s->why[k]);
		s->why[k] = xstrdup("released once the checks had run");
		s->unsupported[k] = false;
	}
}

/* Index keys: "PROJECT\x1fNAME" for an item, "\x1ePROJECT" for a project. */
static char *
index_key(const char *project, const char *name)
{
	if (!name)
		return xasprintf("\x1e%s", project ? project : "default");
	return xasprintf("%s\x1f%s", project ? project : "default", name);
}

static const json_t *
index_of(const struct snapshot *cs, enum snap_kind k)
{
	/* a cache beside the state: filling it changes no part */
	struct snapshot *s = (struct snapshot *)(uintptr_t)cs;
	const json_t *item;
	size_t i;

	if (cs->reads)
		*cs->reads |= SNAP_BIT(k);

	if (!s->part[k])
		return NULL;
	if (s->index[k] && s->indexed[k] == s->part[k] &&
	    s->indexed_n[k] == json_array_size(s->part[k]))
		return s->index[k];
	json_decref(s->index[k]);
	s->index[k] = json_object();
	json_decref(s->field_index[k]);
	s->field_index[k] = NULL;
	s->indexed[k] = s->part[k];
	s->indexed_n[k] = json_array_size(s->part[k]);
	json_array_foreach (s->part[k], i, item) {
		const char *name = json_string_value(json_object_get(item,
								     "name"));
		const char *project = json_string_value(
			json_object_get(item, "project"));
		char *key;

		if (!name)
			continue;
		key = index_key(project, name);
		/* the first of a name wins, as a scan from the start would */
		if (!json_object_get(s->index[k], key))
			json_object_set_new(s->index[k], key,
					    json_integer((json_int_t)i));
		free(key);
		key = index_key(project, NULL);
		if (!json_object_get(s->index[k], key))
			json_object_set_new(s->index[k], key, json_true());
		free(key);
	}
	return s->index[k];
}

const json_t *
snapshot_find(const struct snapshot *s, enum snap_kind k, const char *project,
	      const char *name)
{
	const json_t *idx, *at;
	char *key;

	if (!name || !(idx = index_of(s, k)))
		return NULL;
	key = index_key(project, name);
	at = json_object_get(idx, key);
	free(key);
	return at ? json_array_get(s->part[k], (size_t)json_integer_value(at)) :
		    NULL;
}

const json_t *
snapshot_find_by(const struct snapshot *cs, enum snap_kind k,
		 const char *field, const char *value)
{
	/* a cache beside the state, like index_of()'s, and dropped with it */
	struct snapshot *s = (struct snapshot *)(uintptr_t)cs;
	const json_t *item, *at;
	json_t *by;
	size_t i;

	if (!value || !index_of(cs, k))
		return NULL;
	if (!s->field_index[k])
		s->field_index[k] = json_object();
	by = json_object_get(s->field_index[k], field);
	if (!by) {
		by = json_object();
		json_array_foreach (s->part[k], i, item) {
			const char *v = json_string_value(
				json_object_get(item, field));

			/* the first of a value wins, as a scan would */
			if (v && !json_object_get(by, v))
				json_object_set_new_nocheck(
					by, v, json_integer((json_int_t)i));
		}
		json_object_set_new_nocheck(s->field_index[k], field, by);
	}
	at = json_object_get(by, value);
	return at ? json_array_get(s->part[k], (size_t)json_integer_value(at)) :
		    NULL;
}

bool
snapshot_in_project(const struct snapshot *s, enum snap_kind k,
		    const char *project)
{
	const json_t *idx = index_of(s, k);
	char *key;
	bool in;

	if (!idx)
		return false;
	key = index_key(project, NULL);
	in = json_object_get(idx, key) != NULL;
	free(key);
	return in;
}

unsigned long long
snapshot_changed(const struct snapshot *a, const struct snapshot *b)
{
	unsigned long long m = 0;

	for (size_t k = 0; k < SNAP__COUNT; k++) {
		bool same = (!a->part[k] && !b->part[k]) ||
			    (a->part[k] && b->part[k] &&
			     json_equal(a->part[k], b->part[k]));

		if (!same || !str_eq(a->why[k] ? a->why[k] : "",
				     b->why[k] ? b->why[k] : ""))
			m |= SNAP_BIT(k);
	}
	return m;
}

const json_t *
snapshot_part(const struct snapshot *s, enum snap_kind k, const char **why)
{
	/*
	 * The server object stays when only its config is unreadable (its
	 * version and extensions were checked): why[] then says so and the
	 * part reads as absent.
	 */
	if (s->reads)
		*s->reads |= SNAP_BIT(k);
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
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		/* the value is replaced, not changed: it may be shared with
		   a value that is no secret (jsonlim_loadb_items) */
		for (void *it = json_object_iter(j); it;
		     it = json_object_iter_next(j, it)) {
			v = json_object_iter_value(it);
			if (is_secret_key(json_object_iter_key(it)) &&
			    json_is_string(v) && json_string_length(v) > 0)
				json_object_iter_set_new(
					j, it, json_string("(hidden)"));
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
	return product_client(s->product);
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
 * Member-local server keys: the node config schema of LXD 5.0.2
 * (lxd/node/config.go) and Incus 6.0.4 (internal/server/node/config.go);
 * a key a release lacks is simply never set there.
 */
static const char *const member_local_keys[] = {
	"cluster.https_address", "core.bgp_address", "core.bgp_routerid",
	"core.debug_address", "core.dns_address", "core.https_address",
	"core.metrics_address", "core.storage_buckets_address",
	"core.syslog_socket", "maas.machine", "network.ovs.connection",
	"storage.backups_volume", "storage.images_volume",
};

bool
snapshot_key_member_local(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(member_local_keys); i++)
		if (str_eq(key, member_local_keys[i]))
			return true;
	return false;
}

const json_t *
snapshot_member(const struct snapshot *s, const char *member)
{
	const json_t *part = snapshot_part(s, SNAP_MEMBER_SERVERS, NULL);
	const json_t *m;
	size_t i;

	if (!member)
		return NULL;
	json_array_foreach (part, i, m)
		if (str_eq(json_string_value(json_object_get(m, "member")),
			   member))
			return m;
	return NULL;
}

const char *
snapshot_member_config(const struct snapshot *s, const char *member,
		       const char *key, const char **from)
{
	const json_t *m, *v;

	if (!member || !snapshot_key_member_local(key))
		return snapshot_config(s, key, from);
	m = snapshot_member(s, member);
	if (from)
		*from = NULL;
	if (!m || json_object_get(m, "error") ||
	    !json_is_object(json_object_get(m, "config")))
		return NULL;
	v = json_object_get(json_object_get(m, "config"), key);
	if (!json_is_string(v))
		return NULL;	/* member-local keys have no defaults */
	if (from)
		*from = "server";
	return json_string_value(v);
}

char *
snapshot_server_object(const char *member)
{
	if (!member)
		return xstrdup("/1.0");
	return xasprintf("/1.0?target=%s", urlq(member));
}

char *
snapshot_object_member(const char *object)
{
	const char *q = "/1.0?target=";

	if (!object || !str_starts_with(object, q) || !object[strlen(q)] ||
	    strchr(object + strlen(q), '&'))
		return NULL;
	return unescape_url(object + strlen(q));
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

		shape_prune(copy, part_shapes[k].item, true);
		if (json_is_object(copy) && project &&
		    !json_object_get(copy, "project"))
			json_object_set_new(copy, "project",
					    json_string(project));
		json_array_append_new(s->part[k], copy);
	}
}

/*
 * part_append() for a list nobody else holds (a fetched answer about to
 * be released): its items move into the part instead of being copied,
 * so that a large answer is never held twice.
 */
static void
part_take(struct snapshot *s, enum snap_kind k, json_t *list,
	  const char *project)
{
	json_t *item;
	size_t i;

	/* its items are nobody else's (what is below them may be shared):
	   pruned in place (a list parsed with prune_item is already) */
	json_array_foreach (list, i, item)
		shape_prune(item, part_shapes[k].item, false);
	if (!s->part[k] && !project && json_is_array(list) &&
	    list->refcount == 1) {
		s->part[k] = json_incref(list);
		return;
	}
	if (!s->part[k])
		s->part[k] = json_array();
	json_array_foreach (list, i, item) {
		if (json_is_object(item) && project &&
		    !json_object_get(item, "project"))
			json_object_set_new(item, "project",
					    json_string(project));
		json_array_append(s->part[k], item);
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

	snapshot_forget_derived(s);
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

/*
 * The fetch: GET /1.0 alone (its extensions decide what to ask), then one
 * round of everything else at once. What is listed per project (profiles,
 * networks and ACLs where the server has no all-projects listing for
 * them) is asked for the default project in that round, and for the
 * other projects as soon as the project list arrives, while the rest of
 * the round is still in flight; in a cluster the pools of each member
 * likewise follow the pool and member lists.
 */
struct entry {
	struct lxd_request req;
	enum snap_kind kind;
	char *project;		/* NULL: not project-scoped; the member for
				   SNAP_STORAGE_POOL_MEMBERS */
	bool filed;
};

struct fetch {
	struct snapshot *s;
	struct lxd_batch *batch;	/* NULL: entries are only planned */
	struct entry **v;
	size_t n, alloc;
	bool failed[SNAP__COUNT];	/* a request of that kind failed */
	bool per_project[SNAP__COUNT];	/* asked project by project */
	struct entry *projects, *pools, *members;
	bool pools_planned, members_planned;
	const bool *want;	/* NULL: every kind (snapshot_fetch_some) */
};

static void
fetch_add(struct fetch *f, enum snap_kind k, const char *project,
	  const char *fmt, ...) LXDH_PRINTF(4, 5);

static void
fetch_add(struct fetch *f, enum snap_kind k, const char *project,
	  const char *fmt, ...)
{
	struct entry *e;
	va_list ap;

	if (f->want && !f->want[k])
		return;
	e = xcalloc(1, sizeof(*e));
	va_start(ap, fmt);
	e->req.path = xvasprintf(fmt, ap);
	va_end(ap);
	/*
	 * its list is read item by item, equal values held once: nothing
	 * changes a part once taken (scrub replaces values, what must
	 * change one copies it first)
	 */
	e->req.share = true;
	e->req.each = prune_item;
	e->req.each_arg = part_shapes[k].item;
	e->kind = k;
	e->project = project ? xstrdup(project) : NULL;
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 16;
		f->v = xrealloc(f->v, f->alloc * sizeof(*f->v));
	}
	f->v[f->n++] = e;
	if (k == SNAP_PROJECTS)
		f->projects = e;
	else if (k == SNAP_STORAGE_POOLS)
		f->pools = e;
	else if (k == SNAP_CLUSTER_MEMBERS)
		f->members = e;
	if (f->batch)
		lxd_batch_add(f->batch, &e->req);
}

static void
fetch_release(struct fetch *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i]->req.path);
		free(f->v[i]->project);
		lxd_response_release(&f->v[i]->req.resp);
		free(f->v[i]);
	}
	free(f->v);
	lxd_batch_free(f->batch);
	memset(f, 0, sizeof(*f));
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
 * Files one answer of GET /1.0?target=MEMBER, keeping only what is the
 * member's own (its member-local keys and addresses); a failure is an
 * item of its own, so that one member that is down hides no other.
 */
static void
member_server_add(struct snapshot *s, const struct lxd_request *r,
		  const char *member)
{
	const json_t *md = r->resp.metadata;
	const json_t *cfg = json_object_get(md, "config");
	const json_t *addrs = json_object_get(json_object_get(md,
							      "environment"),
					      "addresses");
	char *why = NULL;
	json_t *item = json_object(), *own;

	if (!s->part[SNAP_MEMBER_SERVERS])
		s->part[SNAP_MEMBER_SERVERS] = json_array();
	json_object_set_new(item, "member", json_string(member));
	if (r->rc == 0) {
		why = !json_is_object(md) ? xstrdup("at $: not an object") :
		      !cfg ? xstrdup("at $.config: missing") :
			     shape_check(cfg, &sh_server_config);
		if (!why && addrs && !json_is_array(addrs))
			why = xstrdup("at $.environment.addresses: not a list");
	}
	if (r->rc != 0) {
		json_object_set_new(item, "error", json_string(r->diag.msg));
	} else if (why) {
		json_object_set_new(item, "error",
				    json_sprintf("GET %s: %s", r->path, why));
	} else {
		own = json_object();
		for (size_t i = 0; i < ARRAY_SIZE(member_local_keys); i++) {
			const json_t *v = json_object_get(cfg,
							  member_local_keys[i]);

			if (json_is_string(v))
				json_object_set(own, member_local_keys[i],
						(json_t *)(uintptr_t)v);
		}
		json_object_set_new(item, "config", own);
		json_object_set_new(item, "addresses",
				    addrs ? json_deep_copy(addrs) :
					    json_array());
	}
	free(why);
	json_array_append_new(s->part[SNAP_MEMBER_SERVERS], item);
}

/*
 * Files one answer under its kind and frees it. A kind fetched in several
 * requests (one per project) is complete only when all succeed: a
 * partial list would let a check pass on what it never saw.
 */
static void
file_entry(struct fetch *f, struct entry *e)
{
	struct snapshot *s = f->s;
	enum snap_kind k = e->kind;
	json_t *md = e->req.resp.metadata;
	char *why;

	if (e->filed)
		return;
	e->filed = true;
	if (k == SNAP_STORAGE_POOL_MEMBERS) {
		pool_member_add(s, &e->req, e->project);
	} else if (k == SNAP_MEMBER_SERVERS) {
		member_server_add(s, &e->req, e->project);
	} else if (f->failed[k]) {
		/* the kind is an error already */
	} else if (e->req.rc != 0) {
		f->failed[k] = true;
		set_why(s, k, false, "%s", e->req.diag.msg);
	} else if (k == SNAP_OPERATIONS) {
		json_t *flat = flatten_operations(md, &why);

		if (!flat) {
			f->failed[k] = true;
			set_why(s, k, false, "GET %s: %s", e->req.path, why);
			free(why);
		} else {
			part_take(s, k, flat, NULL);
			json_decref(flat);
		}
	} else if (null_means_none(s, k, md)) {
		json_t *none = json_array();

		part_take(s, k, none, e->project);
		json_decref(none);
	} else if ((why = shape_check(md, &part_shapes[k])) != NULL) {
		f->failed[k] = true;
		set_why(s, k, false, "GET %s: %s", e->req.path, why);
		free(why);
	} else {
		part_take(s, k, md, e->project);
	}
	lxd_response_release(&e->req.resp);
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

/* The project list is in (or its failure recorded) already. */
static bool
projects_filed(const struct snapshot *s)
{
	return s->part[SNAP_PROJECTS] || s->why[SNAP_PROJECTS];
}

/* Files the answer of GET /1.0/projects?recursion=1 as file_entry(). */
static void
file_projects(struct snapshot *s, struct lxd_request *r)
{
	json_t *md = r->resp.metadata;
	char *why;

	if (r->rc != 0) {
		set_why(s, SNAP_PROJECTS, false, "%s", r->diag.msg);
	} else if ((why = shape_check(md, &part_shapes[SNAP_PROJECTS]))) {
		set_why(s, SNAP_PROJECTS, false, "GET %s: %s", r->path, why);
		free(why);
	} else {
		part_take(s, SNAP_PROJECTS, md, NULL);
	}
}

/*
 * What needs nothing but /1.0, and the default project's share of what
 * is listed per project: the first round after /1.0.
 */
static void
plan_first(struct fetch *f)
{
	struct snapshot *s = f->s;
	static const struct {
		enum snap_kind kind;
		const char *path, *all_ext;
	} scoped[] = {
		{ SNAP_PROFILES, "/1.0/profiles", "profiles_all_projects" },
		{ SNAP_NETWORKS, "/1.0/networks", "networks_all_projects" },
		{ SNAP_NETWORK_ACLS, "/1.0/network-acls",
		  "network_acls_all_projects" },
	};

	if (snapshot_has_ext(s, "instance_all_projects")) {
		fetch_add(f, SNAP_INSTANCES, NULL,
			  "/1.0/instances?recursion=1&all-projects=true");
	} else {
		f->per_project[SNAP_INSTANCES] = true;
		fetch_add(f, SNAP_INSTANCES, "default",
			  "/1.0/instances?recursion=1&project=default");
	}
	/* asked alongside /1.0 by snapshot_fetch_root() */
	if (!projects_filed(s))
		fetch_add(f, SNAP_PROJECTS, NULL, "/1.0/projects?recursion=1");
	fetch_add(f, SNAP_STORAGE_POOLS, NULL, "/1.0/storage-pools?recursion=1");
	if (s->clustered)
		fetch_add(f, SNAP_CLUSTER_MEMBERS, NULL,
			  "/1.0/cluster/members?recursion=1");
	else
		set_why(s, SNAP_CLUSTER_MEMBERS, true,
			"the server is not clustered");
	if (!s->clustered)
		set_why(s, SNAP_MEMBER_SERVERS, true,
			"the server is not clustered");
	fetch_add(f, SNAP_CERTIFICATES, NULL, "/1.0/certificates?recursion=1");
	if (snapshot_has_ext(s, "operations_get_query_all_projects"))
		fetch_add(f, SNAP_OPERATIONS, NULL,
			  "/1.0/operations?recursion=1&all-projects=true");
	else
		fetch_add(f, SNAP_OPERATIONS, NULL,
			  "/1.0/operations?recursion=1");
	if (snapshot_has_ext(s, "access_management")) {
		fetch_add(f, SNAP_IDENTITIES, NULL,
			  "/1.0/auth/identities?recursion=1");
		fetch_add(f, SNAP_AUTH_GROUPS, NULL,
			  "/1.0/auth/groups?recursion=1");
	} else {
		set_why(s, SNAP_IDENTITIES, true, "%s", no_auth_api(s));
		set_why(s, SNAP_AUTH_GROUPS, true, "%s", no_auth_api(s));
	}
	if (!snapshot_has_ext(s, "network_acl"))
		set_why(s, SNAP_NETWORK_ACLS, true,
			"the server lacks API extension network_acl");
	for (size_t i = 0; i < ARRAY_SIZE(scoped); i++) {
		enum snap_kind k = scoped[i].kind;

		if (k == SNAP_NETWORK_ACLS &&
		    !snapshot_has_ext(s, "network_acl"))
			continue;
		/* 5.0.2 ignores all-projects for profiles: the extension
		   says whether the server honours it */
		if (snapshot_has_ext(s, scoped[i].all_ext)) {
			fetch_add(f, k, NULL, "%s?recursion=1&all-projects=true",
				  scoped[i].path);
		} else {
			f->per_project[k] = true;
			fetch_add(f, k, "default",
				  "%s?recursion=1&project=default",
				  scoped[i].path);
		}
	}
}

/*
 * In a cluster the pool list leaves out the keys that name the backing
 * device (source, zfs.pool_name, ...): ask each member for each pool,
 * which is one request per pool and member, never per instance.
 */
static void
plan_pool_members(struct fetch *f)
{
	struct snapshot *s = f->s;
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
				fetch_add(f, SNAP_STORAGE_POOL_MEMBERS, m,
					  "/1.0/storage-pools/%s?target=%s",
					  urlq(name), urlq(m));
		}
	}
}

/*
 * In a cluster each member holds its own listener addresses (and the
 * other member-local keys): once the member list is in, ask each member
 * for its /1.0, alongside the rest of the round.
 */
static void
plan_member_servers(struct fetch *f)
{
	struct snapshot *s = f->s;
	const json_t *m;
	size_t i;

	if (!s->part[SNAP_CLUSTER_MEMBERS]) {
		set_why(s, SNAP_MEMBER_SERVERS, false,
			"the cluster members could not be listed (%s)",
			s->why[SNAP_CLUSTER_MEMBERS] ?
				s->why[SNAP_CLUSTER_MEMBERS] :
				"not fetched");
		return;
	}
	s->part[SNAP_MEMBER_SERVERS] = json_array();
	json_array_foreach (s->part[SNAP_CLUSTER_MEMBERS], i, m) {
		const char *name = json_string_value(
			json_object_get(m, "server_name"));

		if (name)
			fetch_add(f, SNAP_MEMBER_SERVERS, name,
				  "/1.0?target=%s", urlq(name));
	}
}

/*
 * Once the project list is filed: the other projects' share of what is
 * asked per project, or, when the list failed, an error for every part
 * that could not be asked for completely.
 */
static void
plan_projects(struct fetch *f)
{
	struct snapshot *s = f->s;
	const json_t *pr;
	size_t i;

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

		for (i = 0; i < ARRAY_SIZE(scoped); i++) {
			enum snap_kind k = scoped[i];

			if (!f->per_project[k] || f->failed[k])
				continue;
			f->failed[k] = true;
			set_why(s, k, false,
				"the projects could not be listed, so not "
				"every project's %s could be requested (%s)",
				kind_names[k], pwhy);
		}
		return;
	}
	json_array_foreach (s->part[SNAP_PROJECTS], i, pr) {
		const char *name = json_string_value(json_object_get(pr,
								     "name"));
		const json_t *cfg = json_object_get(pr, "config");

		if (!name || str_eq(name, "default"))
			continue;
		if (f->per_project[SNAP_INSTANCES])
			fetch_add(f, SNAP_INSTANCES, name,
				  "/1.0/instances?recursion=1&project=%s",
				  urlq(name));
		/* the others share the default project's */
		if (f->per_project[SNAP_PROFILES] &&
		    lxdval_is_true(json_string_value(json_object_get(cfg,
				"features.profiles"))))
			fetch_add(f, SNAP_PROFILES, name,
				  "/1.0/profiles?recursion=1&project=%s",
				  urlq(name));
		if (!lxdval_is_true(json_string_value(json_object_get(cfg,
				"features.networks"))))
			continue;
		if (f->per_project[SNAP_NETWORKS])
			fetch_add(f, SNAP_NETWORKS, name,
				  "/1.0/networks?recursion=1&project=%s",
				  urlq(name));
		if (f->per_project[SNAP_NETWORK_ACLS])
			fetch_add(f, SNAP_NETWORK_ACLS, name,
				  "/1.0/network-acls?recursion=1&project=%s",
				  urlq(name));
	}
}

/* Each answer as it arrives: what the next requests depend on is filed. */
static void
fetch_done(struct lxd_batch *b, struct lxd_request *r, void *ctx)
{
	struct fetch *f = ctx;
	struct entry *e = (struct entry *)(void *)((char *)r -
						   offsetof(struct entry, req));

	(void)b;
	if (e == f->projects) {
		file_entry(f, e);
		plan_projects(f);
	}
	if (e == f->pools || e == f->members) {
		file_entry(f, e);
		if (e == f->members && !f->members_planned) {
			f->members_planned = true;
			plan_member_servers(f);
		}
		if (!f->pools_planned && f->pools->filed &&
		    (!f->members || f->members->filed)) {
			f->pools_planned = true;
			plan_pool_members(f);
		}
	}
}

/*
 * GET /1.0 and, in the same round, the project list: every release this
 * tool reads has projects, and knowing them before the rest is asked
 * lets the per-project requests go out with everything else, one round
 * after /1.0 rather than two (a round costs a round trip to a remote).
 * The list is filed only when /1.0 is usable; a failed list is filed as
 * the part's error, as when it is asked later.
 */
int
snapshot_fetch_root(struct snapshot *s, struct lxd_client *c,
		    const char *endpoint, bool remote, struct diag *d)
{
	char p_root[] = "/1.0", p_projects[] = "/1.0/projects?recursion=1";
	struct lxd_request r[2] = { { .path = p_root },
				    { .path = p_projects } };
	json_t *root;
	int rc = -1;

	free(s->endpoint);
	s->endpoint = xstrdup(endpoint);
	s->remote = remote;
	lxd_get_all(c, r, ARRAY_SIZE(r));
	root = r[0].resp.metadata;
	if (r[0].rc != 0) {
		diag_set(d, "%s", r[0].diag.msg);
		goto out;
	}
	if (check_root(root, endpoint, d) != 0)
		goto out;
	set_server(s, json_incref(root));
	check_server_config(s, "GET /1.0");
	file_projects(s, &r[1]);
	rc = 0;
out:
	s->requests = lxd_client_requests(c);
	lxd_response_release(&r[0].resp);
	lxd_response_release(&r[1].resp);
	return rc;
}

/*
 * Asks for what s lacks after snapshot_fetch_root(), only the kinds want
 * names when it is not NULL, in as few rounds as the answers allow, and
 * files the answers in the order planned, so that reports do not depend
 * on timing.
 */
static void
fetch_run(struct snapshot *s, struct lxd_client *c, const bool *want)
{
	struct fetch f = { 0 };

	f.s = s;
	f.want = want;
	f.batch = lxd_batch_new(c, fetch_done, &f);
	plan_first(&f);
	if (projects_filed(s))
		plan_projects(&f);
	if (!s->clustered) {
		f.pools_planned = true;
		plan_pool_members(&f);
	}
	lxd_batch_run(f.batch);
	for (size_t i = 0; i < f.n; i++)
		file_entry(&f, f.v[i]);
	fetch_release(&f);
	/* what is new in s: the kinds asked for, /1.0 and the projects */
	for (size_t k = 0; k < SNAP__COUNT; k++)
		if (!want || want[k] || k == SNAP_SERVER || k == SNAP_PROJECTS)
			scrub(s->part[k]);
	s->requests = lxd_client_requests(c);
}

void
snapshot_fetch_rest(struct snapshot *s, struct lxd_client *c)
{
	fetch_run(s, c, NULL);
}

void
snapshot_fetch_some(struct snapshot *s, struct lxd_client *c,
		    const struct snapshot *old, const bool want[SNAP__COUNT])
{
	bool w[SNAP__COUNT];

	memcpy(w, want, sizeof(w));
	/* the pools and /1.0 of each member follow the pool and member
	   lists: the four go together */
	if (w[SNAP_STORAGE_POOLS] || w[SNAP_STORAGE_POOL_MEMBERS] ||
	    w[SNAP_CLUSTER_MEMBERS] || w[SNAP_MEMBER_SERVERS])
		w[SNAP_STORAGE_POOLS] = w[SNAP_STORAGE_POOL_MEMBERS] =
			w[SNAP_CLUSTER_MEMBERS] = w[SNAP_MEMBER_SERVERS] =
				true;
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		/* /1.0 and the project list came fresh with
		   snapshot_fetch_root */
		if (k == SNAP_SERVER || k == SNAP_PROJECTS || w[k])
			continue;
		s->part[k] = json_incref(old->part[k]);
		s->why[k] = old->why[k] ? xstrdup(old->why[k]) : NULL;
		s->unsupported[k] = old->unsupported[k];
	}
	fetch_run(s, c, w);
}

int
snapshot_put_item(struct snapshot *s, enum snap_kind k, const char *project,
		  const char *name, const json_t *item, const char *source)
{
	json_t *arr, *copy = NULL, *it;
	const char *p = project ? project : "default";
	char *why = NULL;
	size_t i;
	bool done = false;

	if ((unsigned)k >= SNAP__COUNT || !part_shapes[k].item ||
	    k == SNAP_OPERATIONS || !json_is_array(s->part[k]))
		return -1;
	if (item) {
		why = shape_check(item, part_shapes[k].item);
		if (why) {
			set_why(s, k, false, "%s: %s", source, why);
			free(why);
			return 0;
		}
		copy = json_deep_copy(item);
		shape_prune(copy, part_shapes[k].item, true);
		if (!json_object_get(copy, "project"))
			json_object_set_new(copy, "project", json_string(p));
		scrub(copy);
	}
	/* items are shared with the snapshot this part came from: a new
	   array, the one item replaced */
	snapshot_forget_derived(s);
	arr = json_array();
	json_array_foreach (s->part[k], i, it) {
		const char *ip = json_string_value(json_object_get(it,
								   "project"));

		if (!done && str_eq(json_string_value(json_object_get(it,
								      "name")),
				    name) &&
		    str_eq(ip ? ip : "default", p)) {
			done = true;
			if (copy)
				json_array_append(arr, copy);
			continue;
		}
		json_array_append(arr, it);
	}
	if (!done && copy)
		json_array_append(arr, copy);
	json_decref(copy);
	json_decref(s->part[k]);
	s->part[k] = arr;
	return 0;
}

int
snapshot_fetch(struct snapshot *s, struct lxd_client *c, const char *endpoint,
	       bool remote, struct diag *d)
{
	if (snapshot_fetch_root(s, c, endpoint, remote, d) != 0)
		return -1;
	snapshot_fetch_rest(s, c);
	return 0;
}

void
snapshot_copy_root(struct snapshot *dst, const struct snapshot *src)
{
	snapshot_init(dst);
	dst->part[SNAP_SERVER] = json_deep_copy(src->part[SNAP_SERVER]);
	dst->why[SNAP_SERVER] = src->why[SNAP_SERVER] ?
				       xstrdup(src->why[SNAP_SERVER]) : NULL;
	dst->endpoint = src->endpoint ? xstrdup(src->endpoint) : NULL;
	dst->remote = src->remote;
	dst->product = src->product ? xstrdup(src->product) : NULL;
	dst->server_version = src->server_version ?
				      xstrdup(src->server_version) : NULL;
	dst->server_name = src->server_name ? xstrdup(src->server_name) : NULL;
	dst->clustered = src->clustered;
	dst->now = src->now;
	scrub(dst->part[SNAP_SERVER]);
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
load_json(int dirfd, const char *dir, const char *name, enum snap_kind k,
	  json_t **out, struct diag *d)
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
	j = jsonlim_loadb_items(sb.buf ? sb.buf : "", sb.len,
				JSON_REJECT_DUPLICATES, &jsonlim_server,
				prune_item, part_shapes[k].item, NULL, why,
				sizeof(why));
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

/*
 * Files one part read from a saved state; a bad shape leaves it absent.
 * own: the document is the snapshot's to take apart (loaded from a
 * file), so its items move into the part instead of being copied.
 */
static void
load_part(struct snapshot *s, enum snap_kind k, const json_t *doc,
	  const char *file, bool own)
{
	char *why;
	json_t *j = unwrap(doc, &why);
	const char *project;

	if (j && k == SNAP_OPERATIONS) {
		json_t *flat = flatten_operations(j, &why);

		json_decref(j);
		j = flat;
	} else if (j && null_means_none(s, k, j)) {
		json_decref(j);
		j = json_array();
	} else if (j) {
		why = shape_check(j, &part_shapes[k]);
	}
	if (why) {
		set_why(s, k, false, "%s: %s", file, why);
		free(why);
		json_decref(j);
		return;
	}
	project = k == SNAP_PROFILES || k == SNAP_NETWORKS ||
				  k == SNAP_NETWORK_ACLS ||
				  k == SNAP_INSTANCES ?
			  "default" :
			  NULL;
	if (own)
		part_take(s, k, j, project);
	else
		part_append(s, k, j, project);
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

static int
load_docs(struct snapshot *s, json_t *const docs[SNAP__COUNT],
	  const char *label, bool own, struct diag *d)
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
			load_part(s, (enum snap_kind)k, docs[k], name, own);
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
snapshot_load_docs(struct snapshot *s, json_t *const docs[SNAP__COUNT],
		   const char *label, struct diag *d)
{
	return load_docs(s, docs, label, false, d);
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

		if (load_json(dirfd, dir, name, (enum snap_kind)k, &docs[k],
			      d) == -1)
			rc = -1;
		free(name);
	}
	close(dirfd);
	if (rc == 0)
		rc = load_docs(s, docs, dir, true, d);
	for (size_t k = 0; k < SNAP__COUNT; k++)
		json_decref(docs[k]);
	return rc;
}
