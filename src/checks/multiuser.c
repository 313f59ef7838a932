/* multiuser.c - MUL checks: restricted projects for non-admin clients */
#include "catalog.h"

#include <ctype.h>
#include <stdio.h>
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

/*
 * Who can use which project: project -> {"certificate NAME": null, ...},
 * each in the order first seen; a lookup per pair however many clients
 * and projects there are.
 */
struct users {
	json_t *by_project;
	size_t n;		/* pairs */
};

static void
users_add(struct users *u, const char *project, const char *who)
{
	json_t *set;

	if (!u->by_project)
		u->by_project = json_object();
	set = json_object_get(u->by_project, project);
	if (!set) {
		set = json_object();
		json_object_set_new_nocheck(u->by_project, project, set);
	}
	if (json_object_get(set, who))
		return;
	json_object_set_new_nocheck(set, who, json_null());
	u->n++;
}

static void
users_release(struct users *u)
{
	json_decref(u->by_project);
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

/*
 * Fine-grained identities (5.21+): one that holds no server admin but a
 * permission on a project, or on something in a project, can use it.
 * Legacy certificate identities are judged through /1.0/certificates.
 */
static void
identity_users(const struct snapshot *s, const json_t *ids,
	       struct users *u)
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
			if (checks_grants_server_admin(snapshot_find(
				    s, SNAP_AUTH_GROUPS, NULL,
				    json_string_value(gn))))
				admin = true;
		if (admin)
			continue;
		who = xasprintf("identity %s/%s", method ? method : "?",
				name ? name : checks_jstr(ident, "id"));
		json_array_foreach (glist, j, gn) {
			const json_t *g = snapshot_find(
				s, SNAP_AUTH_GROUPS, NULL,
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
		identity_users(s, ids, &u);
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
		const char *key;
		json_t *nul;
		char *obj;

		if (!name || project_restricted(e))
			continue;
		json_object_foreach (json_object_get(u.by_project, name),
				     key, nul) {
			(void)nul;
			if (who.len)
				strbuf_addstr(&who, ", ");
			strbuf_addstr(&who, key);
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
		finding_remedy_cmd(f, "%s project set %s restricted=true",
				    snapshot_client(s), shq(name));
		free(obj);
		strbuf_release(&who);
	}
	users_release(&u);
}

/* ---- MUL-003 ---- */

/*
 * How a restricted.* key re-opens what restricted=true closes. The keys,
 * their values and their defaults are read from each release's own
 * project code: the config validator (lxd/api_project.go, Incus
 * cmd/incusd/api_project.go) and the table of restriction defaults with
 * the checks that enforce them (LXD lxd/project/permissions.go, later
 * lxd/project/limits/permissions.go; Incus
 * internal/server/project/permissions.go). The defaults are the same in
 * every release from LXD 5.0 and Incus 0.1 to LXD 6.9 and Incus 7.3.
 */
enum reopen_kind {
	RK_VALUE,	/* one of the values in open[] */
	RK_DISK,	/* allow, unless disk.paths confines it below / */
	RK_IDMAP,	/* a host id range that takes in id 0 */
	RK_SUBNETS,	/* uplink subnets whose union is a whole family */
};

static const struct restriction {
	const char *key;
	enum reopen_kind kind;
	const char *open[2];	/* RK_VALUE: the values that re-open */
	const char *dflt;	/* the value when the key is absent */
	const char *safe;	/* what the remediation sets */
	/* First release with the key; NULL: the product has no such key. */
	const char *lxd_since, *incus_since;
	const char *reopens;	/* what the value re-opens */
} restrictions[] = {
	{ "restricted.containers.privilege", RK_VALUE, { "allow" },
	  "unprivileged", "unprivileged", "4.0", "0.1",
	  "privileged containers (security.privileged=true), whose root is "
	  "root on the host" },
	{ "restricted.containers.nesting", RK_VALUE, { "allow" }, "block",
	  "block", "4.0", "0.1",
	  "security.nesting, which lets a container run its own container "
	  "manager with more of the host's kernel exposed" },
	{ "restricted.containers.interception", RK_VALUE, { "allow", "full" },
	  "block", "block", "4.24", "0.1",
	  "system call interception (mknod, mount, setxattr, bpf), which "
	  "lets the daemon act on the host for the container" },
	{ "restricted.containers.lowlevel", RK_VALUE, { "allow" }, "block",
	  "block", "4.0", "0.1",
	  "raw.lxc, raw.apparmor, raw.seccomp and the other low-level "
	  "container keys, any of which undoes the confinement" },
	{ "restricted.virtual-machines.lowlevel", RK_VALUE, { "allow" },
	  "block", "block", "4.0", "0.1",
	  "raw.qemu, raw.apparmor and the other low-level VM keys, which run "
	  "arbitrary QEMU options on the host" },
	{ "restricted.devices.disk", RK_DISK, { "allow" }, "managed",
	  "managed", "4.0", "0.1",
	  "disks from any host path, the host's root file system included" },
	{ "restricted.devices.nic", RK_VALUE, { "allow" }, "managed",
	  "managed", "4.0", "0.1",
	  "NICs of any type (physical, macvlan, ipvlan, routed, p2p) on any "
	  "host interface, outside restricted.networks.access" },
	{ "restricted.devices.proxy", RK_VALUE, { "allow" }, "block", "block",
	  "4.18", "0.1",
	  "proxy devices, which connect to or listen on any host address, "
	  "its loopback-only services included" },
	{ "restricted.devices.unix-char", RK_VALUE, { "allow" }, "block",
	  "block", "4.0", "0.1",
	  "host character devices (/dev/mem, /dev/kmsg and the like)" },
	{ "restricted.devices.unix-block", RK_VALUE, { "allow" }, "block",
	  "block", "4.0", "0.1",
	  "host block devices, the host's own disks included" },
	{ "restricted.devices.unix-hotplug", RK_VALUE, { "allow" }, "block",
	  "block", "4.0", "0.1", "hot-plugged host devices" },
	{ "restricted.devices.gpu", RK_VALUE, { "allow" }, "block", "block",
	  "4.0", "0.1", "GPU passthrough" },
	{ "restricted.devices.usb", RK_VALUE, { "allow" }, "block", "block",
	  "4.0", "0.1", "USB passthrough" },
	{ "restricted.devices.pci", RK_VALUE, { "allow" }, "block", "block",
	  "4.18", "0.1", "PCI passthrough of host hardware" },
	{ "restricted.devices.infiniband", RK_VALUE, { "allow" }, "block",
	  "block", "4.0", "0.1", "InfiniBand passthrough" },
	{ "restricted.idmap.uid", RK_IDMAP, { NULL }, "", "", "4.21", "0.1",
	  "raw.idmap entries that map host uid 0, so files the host's root "
	  "owns are the container's to change" },
	{ "restricted.idmap.gid", RK_IDMAP, { NULL }, "", "", "4.21", "0.1",
	  "raw.idmap entries that map host gid 0, so files the host's root "
	  "group owns are the container's to change" },
	{ "restricted.networks.subnets", RK_SUBNETS, { NULL }, "", "",
	  "4.7", "0.1",
	  "OVN networks and routes with any address of the uplink, so the "
	  "project can claim addresses that belong to others" },
	{ "restricted.cluster.target", RK_VALUE, { "allow" }, "block",
	  "block", "4.12", "0.1",
	  "choosing the cluster member an instance runs on, and so which "
	  "host's resources it lands on" },
	/*
	 * Not judged: restricted.networks.access, .uplinks, .zones and
	 * .integrations (Incus) and restricted.storage-pools.access and
	 * restricted.images.servers (Incus 6.0.6/7.0) name the resources a
	 * project may use; restricted.virtual-machines.nesting (Incus 7.3)
	 * defaults to allow and keeps nesting inside the VM.
	 * restricted.backups and restricted.snapshots do not reach the host.
	 */
};

/* True when the release of s has key k. */
static bool
restriction_known(const struct snapshot *s, const struct restriction *r)
{
	bool incus = str_eq(s->product, "incus");
	const char *since = incus ? r->incus_since : r->lxd_since;

	if (!since)
		return false;
	return !s->server_version ||
	       lxdval_version_cmp(s->server_version, since) >= 0;
}

/*
 * True when a list of host id ranges ("1000000-1065535,0") takes in
 * id 0. Sets *bad when an element is not a number or a range.
 */
static bool
idmap_has_root(const char *v, bool *bad)
{
	const char *p = v;

	*bad = false;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		char buf[64];
		char *end, *start;
		unsigned long a, b;

		if (n >= sizeof(buf)) {
			*bad = true;
			return false;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n;
		if (*p == ',')
			p++;
		start = buf + strspn(buf, " ");
		if (!*start)
			continue;
		if (!isdigit((unsigned char)*start)) {
			*bad = true;
			return false;
		}
		a = strtoul(start, &end, 10);
		while (*end == ' ')
			end++;
		b = a;
		if (*end == '-') {
			end++;
			while (*end == ' ')
				end++;
			if (!isdigit((unsigned char)*end)) {
				*bad = true;
				return false;
			}
			b = strtoul(end, &end, 10);
			while (*end == ' ')
				end++;
		}
		if (*end || b < a) {
			*bad = true;
			return false;
		}
		if (a == 0)
			return true;
	}
	return false;
}

/*
 * The subnet part of each "uplink:subnet" element, as a list. Caller
 * frees.
 */
static char *
subnets_only(const char *v)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = v;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *colon = memchr(p, ':', n);
		const char *a = colon ? colon + 1 : p;

		strbuf_addf(&sb, "%s%.*s", sb.len ? "," : "",
			    (int)(p + n - a), a);
		p += n;
		if (*p == ',')
			p++;
	}
	return strbuf_detach(&sb);
}

/* True when one of restricted.devices.disk.paths is the root itself. */
static bool
disk_paths_root(const char *paths)
{
	const char *p = paths;
	bool root = false;

	while (p && *p && !root) {
		size_t n = strcspn(p, ",");
		char *one = xstrndup(p, n);
		char *c;

		p += n;
		if (*p == ',')
			p++;
		if (one[strspn(one, " ")]) {
			c = checks_clean_path(one + strspn(one, " "));
			root = str_eq(c, "/");
			free(c);
		}
		free(one);
	}
	return root;
}

/*
 * Why value v of r re-opens what restriction closes, or NULL when it
 * does not. May set *err for a value the check cannot read.
 */
static const char *
reopen_reason(const struct restriction *r, const char *v, const json_t *cfg,
	      char *why, size_t len, bool *err)
{
	const char *paths;
	struct lxdval_cover cov;
	char *list;

	*err = false;
	switch (r->kind) {
	case RK_VALUE:
		for (size_t i = 0; i < ARRAY_SIZE(r->open); i++)
			if (r->open[i] && str_eq(v, r->open[i]))
				return "";
		return NULL;
	case RK_DISK:
		if (!str_eq(v, "allow"))
			return NULL;
		paths = checks_jstr(cfg, "restricted.devices.disk.paths");
		if (str_empty(paths))
			return ", and restricted.devices.disk.paths is not set";
		if (disk_paths_root(paths)) {
			snprintf(why, len,
				 ", and restricted.devices.disk.paths=%s "
				 "includes / itself, which is no limit",
				 paths);
			return why;
		}
		return NULL;
	case RK_IDMAP:
		if (idmap_has_root(v, err))
			return "";
		return NULL;
	case RK_SUBNETS:
		list = subnets_only(v);
		lxdval_addr_cover(list, &cov);
		free(list);
		if (cov.empty || !(cov.all4 || cov.all6))
			return NULL;
		snprintf(why, len, ", which covers every %s address",
			 cov.all4 ? "IPv4" : "IPv6");
		return why;
	}
	return NULL;
}

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
		char *obj, *qn;

		if (!name || !project_restricted(e))
			continue;
		restricted++;
		obj = xasprintf("/1.0/projects/%s", urlq(name));
		qn = checks_shq(name);
		for (size_t k = 0; k < ARRAY_SIZE(restrictions); k++) {
			const struct restriction *r = &restrictions[k];
			const json_t *jv = json_object_get(cfg, r->key);
			const char *v = json_string_value(jv);
			const char *reason;
			struct finding *f;
			char why[512];
			bool err;

			if (!restriction_known(s, r))
				continue;
			if (jv && !v) {
				f = findings_add(out, ST_ERROR, c->severity,
						 obj,
						 "Cannot judge %s of project "
						 "%s: its value is not a "
						 "string.", r->key, name);
				finding_key(f, r->key, NULL, obj);
				continue;
			}
			/* absent: the release's default, which blocks */
			reason = reopen_reason(r, v ? v : r->dflt, cfg, why,
					       sizeof(why), &err);
			if (err) {
				f = findings_add(out, ST_ERROR, c->severity,
						 obj,
						 "Cannot judge %s=%s of "
						 "project %s: not a list of "
						 "ids or id ranges.",
						 r->key, v, name);
				finding_key(f, r->key, v, obj);
				continue;
			}
			if (!reason)
				continue;
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Restricted project %s sets %s=%s%s: "
					 "it re-opens %s.", name, r->key,
					 v ? v : "", reason, r->reopens);
			finding_key(f, r->key, v, obj);
			if (r->kind == RK_VALUE || r->kind == RK_DISK)
				finding_remedy_cmd(f, "%s project set %s "
						      "%s=%s",
						    snapshot_client(s), qn,
						    r->key, r->safe);
			else if (r->kind == RK_IDMAP)
			{
				finding_remedy_cmd(f, "%s project unset %s %s",
						   snapshot_client(s), qn,
						   r->key);
				finding_remediation(f, "Or, if the project "
						       "needs them, set %s to "
						       "host ranges without "
						       "id 0.", r->key);
			}
			else
			{
				finding_remedy_need(f, r->key, "the uplink "
						    "networks and subnets "
						    "this project may use, "
						    "as UPLINK:SUBNET");
				finding_remediation(f, "Then: %s project set "
						       "%s %s=VALUE.",
						    snapshot_client(s), qn,
						    r->key);
			}
		}
		free(qn);
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
			 "their groups (where the release has them), and each "
			 "project's "
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
		.rationale = "Each restricted.* key that re-opens something "
			     "undoes part of restricted=true: privileged or "
			     "nested containers, syscall interception, "
			     "low-level keys, host paths, device passthrough, "
			     "proxies, unmanaged NICs, host uid/gid 0 in "
			     "raw.idmap and whole-family uplink subnets all "
			     "lead to the host or to others' traffic.",
		.reads = "The restricted.* keys of every project with "
			 "restricted=true, judged by the values and defaults "
			 "of the server's release (an absent key is the "
			 "release's default, which blocks).",
		.remediation = "Set the keys back to their restricted default, "
			       "confine disks with "
			       "restricted.devices.disk.paths, and keep host "
			       "id 0 out of restricted.idmap.*; the server "
			       "refuses the change while an instance of the "
			       "project still uses what it closes, so fix "
			       "those instances first.",
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
