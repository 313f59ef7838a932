/* multiuser.c - MUL checks: restricted projects for non-admin clients */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "lxdval.h"
#include "checks/host_checks.h"

static bool
project_restricted(const json_t *project)
{
	return lxdval_is_true(checks_jstr(json_object_get(project, "config"),
					  "restricted"));
}

/* ---- MUL-002 ---- */

/* Who can use which project: "certificate NAME" -> project. */
struct user_of {
	char *project;
	char *who;
};

struct users {
	struct user_of *v;
	size_t n, alloc;
};

static void
users_add(struct users *u, const char *project, const char *who)
{
	for (size_t i = 0; i < u->n; i++)
		if (str_eq(u->v[i].project, project) &&
		    str_eq(u->v[i].who, who))
			return;
	if (u->n == u->alloc) {
		u->alloc = u->alloc ? 2 * u->alloc : 16;
		u->v = xrealloc(u->v, u->alloc * sizeof(*u->v));
	}
	u->v[u->n].project = xstrdup(project);
	u->v[u->n].who = xstrdup(who);
	u->n++;
}

static void
users_release(struct users *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].project);
		free(u->v[i].who);
	}
	free(u->v);
	memset(u, 0, sizeof(*u));
}

/*
 * The project a permission's entity lives in: the project itself for
 * "/1.0/projects/NAME", else the ?project= of a project-scoped entity
 * (no ?project= means default). Server-wide entities give NULL. Caller
 * frees.
 */
static char *
permission_project(const json_t *perm)
{
	const char *type = checks_jstr(perm, "entity_type");
	const char *url = checks_jstr(perm, "url");
	const char *q;

	if (!url || !type || str_eq(type, "server") ||
	    str_eq(type, "identity") || str_eq(type, "group") ||
	    str_eq(type, "identity_provider_group") ||
	    str_eq(type, "certificate") || str_eq(type, "storage_pool"))
		return NULL;
	if (str_eq(type, "project")) {
		const char *name = url + strlen("/1.0/projects/");

		if (!str_starts_with(url, "/1.0/projects/"))
			return NULL;
		return xstrndup(name, strcspn(name, "/?"));
	}
	q = strstr(url, "project=");
	if (!q)
		return xstrdup("default");
	q += strlen("project=");
	return xstrndup(q, strcspn(q, "&"));
}

static const json_t *
find_group(const json_t *groups, const char *name)
{
	const json_t *g;
	size_t i;

	json_array_foreach (groups, i, g)
		if (str_eq(checks_jstr(g, "name"), name))
			return g;
	return NULL;
}

/*
 * Fine-grained identities (5.21+): one that holds no server admin but a
 * permission on a project, or on something in a project, can use it.
 * Legacy certificate identities are judged through /1.0/certificates.
 */
static void
identity_users(const json_t *ids, const json_t *groups, struct users *u)
{
	const json_t *ident, *gn, *perm;
	size_t i, j, k;

	json_array_foreach (ids, i, ident) {
		const char *type = checks_jstr(ident, "type");
		const char *method =
			checks_jstr(ident, "authentication_method");
		const char *name = checks_jstr(ident, "name");
		const json_t *glist = json_object_get(ident, "groups");
		bool admin = false;
		char *who;

		if (str_starts_with(type, "Client certificate (") ||
		    str_starts_with(type, "Metrics certificate") ||
		    str_eq(type, "Server certificate") ||
		    str_eq(type, "Initial UI token bearer"))
			continue;
		json_array_foreach (glist, j, gn)
			if (checks_grants_server_admin(find_group(
				    groups, json_string_value(gn))))
				admin = true;
		if (admin)
			continue;
		who = xasprintf("identity %s/%s", method ? method : "?",
				name ? name : checks_jstr(ident, "id"));
		json_array_foreach (glist, j, gn) {
			const json_t *g = find_group(groups,
						     json_string_value(gn));

			json_array_foreach (json_object_get(g, "permissions"),
					    k, perm) {
				char *proj = permission_project(perm);

				if (proj)
					users_add(u, proj, who);
				free(proj);
			}
		}
		free(who);
	}
}

/* The projects, or NULL after an error finding saying why there are none. */
static const json_t *
need_projects(const struct check *c, const struct snapshot *s,
	      struct findings *out)
{
	const char *why;
	const json_t *projects = snapshot_part(s, SNAP_PROJECTS, &why);

	if (!projects)
		findings_add(out, ST_ERROR, c->severity, "/1.0/projects",
			     "Cannot read the projects: %s.",
			     why ? why : "not fetched");
	return projects;
}

static void
eval_restricted_projects(const struct check *c, const struct check_ctx *x,
			 struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *certs, *projects, *ids, *groups, *e, *pn;
	const char *why;
	struct users u = { 0 };
	size_t i, j;

	certs = snapshot_part(s, SNAP_CERTIFICATES, &why);
	if (!certs) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/certificates",
			     "Cannot read the trust store: %s.",
			     why ? why : "not fetched");
		return;
	}
	projects = need_projects(c, s, out);
	if (!projects)
		return;
	json_array_foreach (certs, i, e) {
		const char *name = checks_jstr(e, "name");
		const char *fp = checks_jstr(e, "fingerprint");
		char *who;

		if (!str_eq(checks_jstr(e, "type"), "client") ||
		    !json_is_true(json_object_get(e, "restricted")))
			continue;
		who = xasprintf("certificate %s (%.12s)",
				str_empty(name) ? "(unnamed)" : name,
				fp ? fp : "?");
		json_array_foreach (json_object_get(e, "projects"), j, pn)
			if (json_string_value(pn))
				users_add(&u, json_string_value(pn), who);
		free(who);
	}
	ids = snapshot_part(s, SNAP_IDENTITIES, &why);
	groups = snapshot_part(s, SNAP_AUTH_GROUPS, NULL);
	if (ids && groups)
		identity_users(ids, groups, &u);
	else if (!s->unsupported[SNAP_IDENTITIES])
		findings_add(out, ST_ERROR, c->severity,
			     "/1.0/auth/identities",
			     "Cannot read the identities and their groups: %s.",
			     why ? why : "not fetched");
	if (!u.n && !out->n) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/projects",
			     "No restricted client certificate or non-admin "
			     "identity can use a project: every client is an "
			     "admin.");
		users_release(&u);
		return;
	}
	json_array_foreach (projects, i, e) {
		const char *name = checks_jstr(e, "name");
		const char *v = checks_jstr(json_object_get(e, "config"),
					    "restricted");
		struct strbuf who = STRBUF_INIT;
		struct finding *f;
		char *obj;

		if (!name || project_restricted(e))
			continue;
		for (size_t k = 0; k < u.n; k++) {
			if (!str_eq(u.v[k].project, name))
				continue;
			if (who.len)
				strbuf_addstr(&who, ", ");
			strbuf_addstr(&who, u.v[k].who);
		}
		if (!who.len) {
			strbuf_release(&who);
			continue;
		}
		obj = xasprintf("/1.0/projects/%s", urlq(name));
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Project %s is usable by %s but is not "
				 "restricted (restricted%s%s), so they can "
				 "create privileged containers and attach host "
				 "paths.", name, who.buf,
				 v ? "=" : " is not set", v ? v : "");
		finding_key(f, "restricted", v, obj);
		finding_remediation(f, "%s project set %s restricted=true",
				    snapshot_client(s), shq(name));
		free(obj);
		strbuf_release(&who);
	}
	users_release(&u);
}

/* ---- MUL-003 ---- */

/* restricted.* keys that must not be "allow", with their safe value. */
static const struct {
	const char *key;
	const char *safe;
	const char *why;
} reopened[] = {
	{ "restricted.containers.privilege", "unprivileged",
	  "privileged containers are allowed" },
	{ "restricted.containers.nesting", "block",
	  "security.nesting is allowed" },
	{ "restricted.containers.lowlevel", "block",
	  "raw.lxc, raw.idmap and other low-level container keys are "
	  "allowed" },
	{ "restricted.virtual-machines.lowlevel", "block",
	  "raw.qemu and other low-level VM keys are allowed" },
	{ "restricted.devices.disk", "managed",
	  "any host path can be attached, as restricted.devices.disk.paths is "
	  "not set" },
	{ "restricted.devices.gpu", "block", "GPU passthrough is allowed" },
	{ "restricted.devices.usb", "block", "USB passthrough is allowed" },
	{ "restricted.devices.pci", "block", "PCI passthrough is allowed" },
	{ "restricted.devices.unix-char", "block",
	  "host character devices can be attached" },
	{ "restricted.devices.unix-block", "block",
	  "host block devices can be attached" },
	{ "restricted.devices.unix-hotplug", "block",
	  "host devices can be hot-plugged" },
	{ "restricted.devices.infiniband", "block",
	  "InfiniBand passthrough is allowed" },
};

static void
eval_restrictions(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *projects, *e;
	size_t i, restricted = 0;

	projects = need_projects(c, s, out);
	if (!projects)
		return;
	json_array_foreach (projects, i, e) {
		const char *name = checks_jstr(e, "name");
		const json_t *cfg = json_object_get(e, "config");
		char *obj;

		if (!name || !project_restricted(e))
			continue;
		restricted++;
		obj = xasprintf("/1.0/projects/%s", urlq(name));
		for (size_t k = 0; k < ARRAY_SIZE(reopened); k++) {
			const char *v = checks_jstr(cfg, reopened[k].key);
			struct finding *f;

			if (!str_eq(v, "allow"))
				continue;
			if (str_eq(reopened[k].key,
				   "restricted.devices.disk") &&
			    !str_empty(checks_jstr(
				    cfg, "restricted.devices.disk.paths")))
				continue;
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Restricted project %s sets %s=allow: "
					 "%s.", name, reopened[k].key,
					 reopened[k].why);
			finding_key(f, reopened[k].key, v, obj);
			finding_remediation(f, "%s project set %s %s=%s",
					    snapshot_client(s), shq(name),
					    shq(reopened[k].key),
					    shq(reopened[k].safe));
		}
		free(obj);
	}
	if (!restricted)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/projects", "No project is restricted.");
}

const struct check multiuser_checks[] = {
	{
		.id = "LXD-MUL-001",
		.title = "Restricted users have their own group",
		.severity = SEV_MEDIUM,
		.rationale = "The restricted socket of lxd-user gives each user "
			     "a confined project; when its group is the admin "
			     "group, users cannot be given that without also "
			     "getting full control.",
		.reads = "The snap's daemon.user.group and daemon.group from "
			 "/var/snap/lxd/common/config; on packaged LXD the "
			 "group of a running lxd-user's socket; Incus "
			 "separates incus and incus-admin by design.",
		.remediation = "Create a group for restricted users and make it "
			       "the user socket's group (snap set lxd "
			       "daemon.user.group=lxdusers); keep daemon.group "
			       "for administrators only.",
		.eval = host_checks_user_group,
	},
	{
		.id = "LXD-MUL-002",
		.title = "Projects that non-admin clients use are restricted",
		.severity = SEV_MEDIUM,
		.rationale = "A restricted certificate or a non-admin identity "
			     "is confined only by the project it uses: without "
			     "restricted=true it can create privileged "
			     "containers or attach host paths and so take the "
			     "host.",
		.reads = "The projects of restricted client certificates, the "
			 "project permissions of non-admin identities and "
			 "their groups (LXD 5.21+), and each project's "
			 "restricted key.",
		.remediation = "Set restricted=true on every project a "
			       "non-admin client can use.",
		.eval = eval_restricted_projects,
	},
	{
		.id = "LXD-MUL-003",
		.title = "Restricted projects do not re-open what restriction "
			 "closes",
		.severity = SEV_MEDIUM,
		.rationale = "Each restricted.* key set to allow undoes part "
			     "of restricted=true: privileged or nested "
			     "containers, low-level keys, host paths and "
			     "device passthrough all lead to the host.",
		.reads = "The restricted.containers.*, "
			 "restricted.virtual-machines.lowlevel and "
			 "restricted.devices.* keys of every project with "
			 "restricted=true.",
		.remediation = "Set the keys back to their restricted default, "
			       "or confine disks with "
			       "restricted.devices.disk.paths; LXD refuses "
			       "the change while an instance of the project "
			       "still uses what it closes, so fix those "
			       "instances first.",
		.eval = eval_restrictions,
	},
	{
		.id = "LXD-MUL-004",
		.title = "Container names do not leak to other users",
		.severity = SEV_LOW,
		.rationale = "/proc/sched_debug and /sys/kernel/slab list the "
			     "processes and cgroups of every container, so any "
			     "local user can learn the names of other users' "
			     "instances.",
		.reads = "The modes of /proc/sched_debug (absent or at most "
			 "0400) and /sys/kernel/slab (at most 0700).",
		.remediation = "chmod 400 /proc/sched_debug and chmod 700 "
			       "/sys/kernel/slab, and repeat it at every boot "
			       "(a systemd unit or tmpfiles.d entry).",
		.eval = host_checks_name_leak,
	},
	CHECK_END
};
