/* common.c - small helpers the server and workload checks share */
#include "checks/common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *
checks_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const json_t *
checks_need_part(const struct check *c, const struct check_ctx *x,
		 enum snap_kind k, const char *object, struct findings *out)
{
	const char *why;
	const json_t *p = snapshot_part(x->snap, k, &why);

	if (p)
		return p;
	if (x->snap->unsupported[k])
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "Not available: %s.", why ? why : "unsupported");
	else
		findings_add(out, ST_ERROR, c->severity, object,
			     "Cannot read %s: %s.", object,
			     why ? why : "not fetched");
	return NULL;
}

/* The status the member list gives member ("Online", "Offline", ...). */
static const char *
member_status(const struct snapshot *s, const char *member)
{
	const json_t *list = snapshot_part(s, SNAP_CLUSTER_MEMBERS, NULL);
	const json_t *m;
	size_t i;

	json_array_foreach (list, i, m)
		if (str_eq(checks_jstr(m, "server_name"), member))
			return checks_jstr(m, "status");
	return NULL;
}

void
checks_per_member(const struct check *c, const struct check_ctx *x,
		  struct findings *out, checks_member_fn *fn)
{
	const struct snapshot *s = x->snap;
	const json_t *list, *m;
	const char *why;
	size_t i;

	if (!s->clustered) {
		fn(c, x, NULL, "/1.0", out);
		return;
	}
	list = snapshot_part(s, SNAP_MEMBER_SERVERS, &why);
	if (!list) {
		findings_add(out, ST_ERROR, c->severity, "/1.0",
			     "Cannot read the member-local configuration of "
			     "each cluster member: %s.", why);
		return;
	}
	if (!json_array_size(list)) {
		findings_add(out, ST_ERROR, c->severity, "/1.0",
			     "The server is clustered but lists no cluster "
			     "member, so no member's own configuration was "
			     "read.");
		return;
	}
	json_array_foreach (list, i, m) {
		const char *name = checks_jstr(m, "member");
		const char *err = checks_jstr(m, "error");
		const char *st;
		char *obj;

		if (!name)
			continue;
		obj = snapshot_server_object(name);
		if (err || !json_is_object(json_object_get(m, "config"))) {
			st = member_status(s, name);
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cannot read what cluster member %s%s%s%s "
				     "holds for itself: %s.", name,
				     st ? " (status " : "", st ? st : "",
				     st ? ")" : "",
				     err ? err : "no config in the answer");
		} else {
			fn(c, x, name, obj, out);
		}
		free(obj);
	}
	/* a member the list names whose own state is not there at all */
	json_array_foreach (snapshot_part(s, SNAP_CLUSTER_MEMBERS, NULL), i,
			    m) {
		const char *name = checks_jstr(m, "server_name");
		char *obj;

		if (!name || snapshot_member(s, name))
			continue;
		obj = snapshot_server_object(name);
		findings_add(out, ST_ERROR, c->severity, obj,
			     "Cannot read what cluster member %s holds for "
			     "itself: it is not in the state read.", name);
		free(obj);
	}
}

char *
checks_target_arg(const char *member)
{
	return member ? xasprintf(" --target %s", shq(member)) : xstrdup("");
}

const char *
checks_source_of(const char *from)
{
	return str_eq(from, "default") ? "default" : "/1.0";
}

/*
 * LXD entitlements that amount to full control, from LXD's OpenFGA model
 * (lxd/auth/driver_openfga_model.openfga in 5.21.0, then
 * lxd/auth/drivers/openfga_model.openfga), compared across lxd-5.21.0,
 * 5.21.7, 6.1, 6.3, 6.6 and 6.9: every one of them exists unchanged from
 * access_management (5.21.0) on, so the only version boundary is that
 * extension, which the callers check. LXD's own reference says the four
 * identity and group editors let a client "elevate its own privileges";
 * the others reach root through what they may create or reconfigure.
 * project_manager and can_create_projects differ: creating a project
 * grants nothing in it, so can_create_projects alone is not listed.
 */
static const struct {
	const char *entity_type, *entitlement, *how;
} escalations[] = {
	{ "server", "admin", "gives full control of the server, the same as "
	  "the unix socket and so root on the host" },
	{ "server", "permission_manager", "can create and edit identities, "
	  "groups and identity provider groups, so it can grant itself "
	  "admin" },
	{ "server", "can_edit_identities", "can put any identity, its own "
	  "included, into any group, admin groups included" },
	{ "server", "can_edit_groups", "can give any group, one of its own "
	  "included, any permission, admin included" },
	{ "server", "can_edit_identity_provider_groups", "can map an "
	  "identity provider group it belongs to onto any group, admin "
	  "groups included" },
	{ "server", "can_edit", "can change the server configuration, for "
	  "example point oidc.issuer at an identity provider it controls "
	  "and sign in as any OIDC identity, admins included" },
	{ "server", "project_manager", "can create unrestricted projects and "
	  "instances in every project, for example a privileged container "
	  "with the host's root file system attached" },
	{ "server", "can_edit_projects", "can lift every project's "
	  "restrictions and edit everything in it, for example make a "
	  "privileged container with the host's root file system attached" },
	{ "server", "storage_pool_manager", "can create storage pools on any "
	  "host directory or block device, exposing or overwriting host "
	  "data, and reconfigure every pool" },
	{ "server", "can_create_storage_pools", "can create storage pools on "
	  "any host directory or block device, exposing or overwriting host "
	  "data" },
	{ "server", "can_edit_storage_pools", "can rewrite the host-side "
	  "configuration of every storage pool, which the daemon applies as "
	  "root" },
	{ "identity", "can_edit", "can put this identity into any group, "
	  "admin groups included" },
	{ "group", "can_edit", "can give this group any permission, admin "
	  "included, which every member then holds" },
	{ "identity_provider_group", "can_edit", "can map this identity "
	  "provider group onto any group, admin groups included" },
	{ "project", "can_edit", "can lift this project's restrictions, so "
	  "whoever may create instances in it can attach host paths or run "
	  "privileged containers" },
	{ "storage_pool", "can_edit", "can rewrite this storage pool's "
	  "host-side configuration, which the daemon applies as root" },
};

const char *
checks_escalation(const json_t *permission)
{
	const char *type = checks_jstr(permission, "entity_type");
	const char *ent = checks_jstr(permission, "entitlement");

	for (size_t i = 0; i < ARRAY_SIZE(escalations); i++)
		if (str_eq(type, escalations[i].entity_type) &&
		    str_eq(ent, escalations[i].entitlement))
			return escalations[i].how;
	return NULL;
}

bool
checks_grants_server_admin(const json_t *group)
{
	const json_t *p;
	size_t i;

	/*
	 * can_edit on one project or pool reaches root through that object
	 * but is no server-wide role: the project's own checks still apply
	 * to its holders.
	 */
	json_array_foreach (json_object_get(group, "permissions"), i, p)
		if (checks_escalation(p) &&
		    !str_eq(checks_jstr(p, "entity_type"), "project") &&
		    !str_eq(checks_jstr(p, "entity_type"), "storage_pool"))
			return true;
	return false;
}

char *
checks_clean_path(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(n + 2);
	size_t len = 0;

	while (*p) {
		size_t m;

		p += strspn(p, "/");
		m = strcspn(p, "/");
		if (!m)
			break;
		if (m == 1 && p[0] == '.') {
			/* nothing */
		} else if (m == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			out[len++] = '/';
			memcpy(out + len, p, m);
			len += m;
		}
		p += m;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

bool
checks_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (str_eq(dir, "/"))
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
					      path[n] == '/');
}

void
checks_no_ext(const struct check *c, const struct check_ctx *x,
	      struct findings *out, const char *object, const char *ext,
	      const char *lxd_since, const char *what)
{
	if (!str_eq(x->snap->product, "incus"))
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "The server lacks API extension %s (LXD %s), so "
			     "%s.", ext, lxd_since, what);
	else
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "The server lacks API extension %s, so %s.", ext,
			     what);
}

char *
checks_shq(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	/* the one quoting of a shell word (escape.c) */
	strbuf_addstr(&sb, "");
	escape_sh(&sb, s ? s : "");
	return strbuf_detach(&sb);
}
