/* fix_profile.c - the plan of `profile create`: the guide's hardened
   profile, and attaching it (pure: reads the snapshot, changes nothing) */
#include "fix.h"
#include "checks/common.h"
#include "escape.h"

#include <stdlib.h>
#include <string.h>

/* Interception switches the profile keeps off (LXD 5.0 has them all). */
static const char *const intercept_off[] = {
	"security.syscalls.intercept.bpf",
	"security.syscalls.intercept.bpf.devices",
	"security.syscalls.intercept.mknod",
	"security.syscalls.intercept.mount",
	"security.syscalls.intercept.sched_setscheduler",
	"security.syscalls.intercept.setxattr",
};

json_t *
profile_hardened_config(const struct profile_opts *o)
{
	json_t *c = json_object();

	json_object_set_new(c, "limits.cpu",
			    json_string(o->cpu ? o->cpu : HARDENED_LIMIT_CPU));
	json_object_set_new(c, "limits.memory",
			    json_string(o->memory ? o->memory :
						    HARDENED_LIMIT_MEMORY));
	json_object_set_new(c, "limits.processes",
			    json_string(o->processes ? o->processes :
						       HARDENED_LIMIT_PROCESSES));
	json_object_set_new(c, "security.privileged", json_string("false"));
	json_object_set_new(c, "security.nesting", json_string("false"));
	if (!o->no_idmap_isolated)
		json_object_set_new(c, "security.idmap.isolated",
				    json_string("true"));
	json_object_set_new(c, "security.devlxd.images", json_string("false"));
	for (size_t i = 0; i < ARRAY_SIZE(intercept_off); i++)
		json_object_set_new(c, intercept_off[i], json_string("false"));
	return c;
}

/* The project whose objects of a feature (profiles, networks) P uses. */
static int
feature_project(const struct snapshot *s, const char *project,
		const char *feature, const char **out, struct diag *d)
{
	const json_t *projects = snapshot_part(s, SNAP_PROJECTS, NULL), *it;
	char key[64];
	size_t i;

	*out = "default";
	if (str_eq(project, "default"))
		return 0;
	snprintf(key, sizeof(key), "features.%s", feature);
	json_array_foreach(projects, i, it) {
		if (!str_eq(checks_jstr(it, "name"), project))
			continue;
		if (str_eq(checks_jstr(json_object_get(it, "config"), key),
			   "true"))
			*out = project;
		return 0;
	}
	if (!projects)
		return 0;	/* no project list: assume the default */
	diag_set(d, "no project '%s' on this server", project);
	return -1;
}

static const json_t *
find_named(const json_t *arr, const char *name, const char *project)
{
	const json_t *it;
	size_t i;

	json_array_foreach(arr, i, it) {
		const char *p = checks_jstr(it, "project");

		if (str_eq(checks_jstr(it, "name"), name) &&
		    str_eq(p ? p : "default", project))
			return it;
	}
	return NULL;
}

/*
 * The NICs of the default profile that sit on a bridge, copied with
 * filtering on: into devs (name -> device). Says why in notes.
 */
static void
bridged_nics(const struct snapshot *s, const char *pproj, const char *nproj,
	     const char *name, json_t *devs, struct fix_plan *p)
{
	const json_t *def = find_named(snapshot_part(s, SNAP_PROFILES, NULL),
				       "default", pproj);
	const json_t *nets = snapshot_part(s, SNAP_NETWORKS, NULL);
	const char *dn;
	json_t *dev;

	json_object_foreach(json_object_get(def, "devices"), dn, dev) {
		const char *network = checks_jstr(dev, "network");
		const char *parent = checks_jstr(dev, "parent");
		const json_t *net = NULL;
		json_t *copy;
		bool v4, v6;

		if (!str_eq(checks_jstr(dev, "type"), "nic"))
			continue;
		if (!str_empty(network)) {
			net = find_named(nets, network, nproj);
			if (!net || !str_eq(checks_jstr(net, "type"), "bridge"))
				continue;
		} else if (str_eq(checks_jstr(dev, "nictype"), "bridged") &&
			   !str_empty(parent)) {
			net = find_named(nets, parent, nproj);
		} else {
			continue;
		}
		copy = json_deep_copy(dev);
		if (net) {
			v4 = fix_net_has_family(net, "ipv4");
			v6 = fix_net_has_family(net, "ipv6");
		} else {
			/* an unmanaged bridge: IP filtering needs the NIC's
			   own addresses */
			v4 = !str_empty(checks_jstr(dev, "ipv4.address"));
			v6 = !str_empty(checks_jstr(dev, "ipv6.address"));
		}
		if (v4)
			json_object_set_new(copy, "security.ipv4_filtering",
					    json_string("true"));
		if (v6)
			json_object_set_new(copy, "security.ipv6_filtering",
					    json_string("true"));
		if (!v4 && !v6)
			json_object_set_new(copy, "security.mac_filtering",
					    json_string("true"));
		json_object_set_new(devs, dn, copy);
		fix_plan_note(p, "device %s of profile %s copies the default "
				 "profile's NIC %s (bridge %s) with %s "
				 "filtering: attaching %s to an instance "
				 "overrides the default profile's %s for it "
				 "(the same device name: the later profile "
				 "wins)",
			      dn, name, dn, network ? network : parent,
			      v4 && v6 ? "IPv4 and IPv6" : v4 ? "IPv4" :
			      v6	      ? "IPv6" : "MAC",
			      name, dn);
	}
}

/* " --project P" unless P is default (static buffer of the caller). */
static const char *
parg(const char *project, char *buf, size_t len)
{
	if (str_eq(project, "default"))
		buf[0] = '\0';
	else
		snprintf(buf, len, " --project %s", shq(project));
	return buf;
}

static bool
wants(const struct profile_opts *o, const char *name)
{
	if (o->attach_all)
		return true;
	for (size_t i = 0; i < o->n_attach; i++)
		if (str_eq(o->attach[i], name))
			return true;
	return false;
}

static bool
list_has(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (str_eq(json_string_value(v), s))
			return true;
	return false;
}

/* What attaching does to this instance, from its type and status. */
static char *
attach_effect(const json_t *inst, const struct profile_opts *o,
	      json_t *devs)
{
	bool vm = str_eq(checks_jstr(inst, "type"), "virtual-machine");
	bool running = str_eq(checks_jstr(inst, "status"), "Running");
	struct strbuf sb = { 0 };
	const char *dn;
	json_t *dv;

	if (vm)
		strbuf_addstr(&sb, "a virtual machine: the container-only keys "
				   "(limits.processes, security.privileged, "
				   "nesting, idmap) do not apply to it");
	else if (running)
		strbuf_addf(&sb, "running: the limits and security keys apply "
				 "live%s",
			    o->no_idmap_isolated ? "" :
			    ", but security.idmap.isolated needs a restart "
			    "(the root filesystem is remapped to an isolated "
			    "id range then)");
	else
		strbuf_addf(&sb, "%s: everything takes effect at its next "
				 "start%s",
			    checks_jstr(inst, "status") ?
				    checks_jstr(inst, "status") :
				    "not running",
			    o->no_idmap_isolated ? "" :
			    " (the root filesystem is remapped to an isolated "
			    "id range then)");
	json_object_foreach(devs, dn, dv) {
		(void)dv;
		if (json_object_get(json_object_get(inst, "devices"), dn))
			strbuf_addf(&sb, "; its own device %s still overrides "
					 "the profile's", dn);
		else if (running)
			strbuf_addf(&sb, "; NIC %s is re-plugged with "
					 "filtering (brief loss of "
					 "connectivity)", dn);
	}
	return strbuf_detach(&sb);
}

int
profile_plan_build(const struct snapshot *s, const struct profile_opts *o,
		   struct fix_plan *p, struct diag *d)
{
	const char *project = o->project ? o->project : "default";
	const char *client = snapshot_client(s);
	const json_t *profiles = snapshot_part(s, SNAP_PROFILES, NULL);
	const json_t *instances = snapshot_part(s, SNAP_INSTANCES, NULL);
	const json_t *existing, *inst;
	const char *pproj, *nproj, *k;
	json_t *config, *devs, *v;
	char *url, pa[300];
	size_t i;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (str_empty(o->name) || strpbrk(o->name, "/ ?&#\"'\\") ||
	    str_eq(o->name, ".") || str_eq(o->name, "..")) {
		diag_set(d, "'%s' is not a valid profile name",
			 o->name ? o->name : "");
		return -1;
	}
	if (!profiles || (!instances && (o->attach_all || o->n_attach))) {
		diag_set(d, "the server's %s could not be read",
			 profiles ? "instances" : "profiles");
		return -1;
	}
	if (feature_project(s, project, "profiles", &pproj, d) != 0 ||
	    feature_project(s, project, "networks", &nproj, d) != 0)
		return -1;
	for (i = 0; i < o->n_attach; i++) {
		if (!find_named(instances, o->attach[i], project)) {
			diag_set(d, "no instance '%s' in project '%s'",
				 o->attach[i], project);
			return -1;
		}
	}
	existing = find_named(profiles, o->name, pproj);
	if (existing && !o->update) {
		diag_set(d, "profile '%s' already exists in project '%s'; "
			    "--update changes it to the hardened settings, or "
			    "choose another name", o->name, pproj);
		return -1;
	}
	config = profile_hardened_config(o);
	if (str_eq(s->product, "incus")) {
		/* Incus names /dev/lxd the guest API */
		json_object_del(config, "security.devlxd.images");
		json_object_set_new(config, "security.guestapi.images",
				    json_string("false"));
	}
	devs = json_object();
	bridged_nics(s, pproj, nproj, o->name, devs, p);
	url = snapshot_object("profiles", o->name, pproj);
	parg(pproj, pa, sizeof(pa));

	if (!existing) {
		json_t *body = json_pack("{s:s, s:s, s:O, s:O}", "name",
					 o->name, "description",
					 "Hardened profile (lxd-harden, after "
					 "the LXD hardening guide)",
					 "config", config, "devices", devs);
		struct fix_item *it = fix_plan_add(p, "profile", url,
						   FIXK_CREATE);
		struct strbuf cmd = { 0 };

		it->new_value = json_dumps(body, JSON_SORT_KEYS |
							 JSON_COMPACT);
		json_decref(body);
		strbuf_addf(&cmd, "%s profile create %s%s && %s profile set "
				  "%s%s", client, shq(o->name), pa, client,
			    shq(o->name), pa);
		json_object_foreach(config, k, v)
			strbuf_addf(&cmd, " %s=%s", shq(k),
				    shq(json_string_value(v)));
		if (json_object_size(devs))
			strbuf_addf(&cmd, " (and the device%s listed)",
				    json_object_size(devs) == 1 ? "" : "s");
		it->command = strbuf_detach(&cmd);
		it->risk = FIX_OPTIN;
		it->effect = xstrdup("rollback deletes it again");
	} else {
		const json_t *cur = json_object_get(existing, "config");
		const json_t *curd = json_object_get(existing, "devices");

		json_object_foreach(config, k, v) {
			const char *now = checks_jstr(cur, k);
			struct fix_item *it;

			if (str_eq(now, json_string_value(v)))
				continue;
			it = fix_plan_add(p, "profile", url, FIXK_CONFIG_KEY);
			it->key = xstrdup(k);
			it->old_present = json_object_get(cur, k) != NULL;
			it->old_value = now ? xstrdup(now) : NULL;
			it->new_value = xstrdup(json_string_value(v));
			it->risk = FIX_OPTIN;
			it->command = xasprintf("%s profile set %s %s=%s%s",
						client, shq(o->name), shq(k),
						shq(json_string_value(v)), pa);
		}
		json_object_foreach(devs, k, v) {
			const json_t *now = json_object_get(curd, k);
			struct fix_item *it;

			if (now && json_equal(now, v))
				continue;
			it = fix_plan_add(p, "profile", url, FIXK_DEVICE_SET);
			it->device = xstrdup(k);
			it->old_present = now != NULL;
			it->old_value = now ? json_dumps(now, JSON_SORT_KEYS |
							      JSON_COMPACT) :
					      NULL;
			it->new_value = json_dumps(v, JSON_SORT_KEYS |
							  JSON_COMPACT);
			it->risk = FIX_OPTIN;
			it->command = xasprintf("%s profile device %s %s %s "
						"... (the values above)%s",
						client, now ? "set" : "add",
						shq(o->name), shq(k), pa);
		}
		if (!p->n)
			fix_plan_note(p, "profile %s already has the hardened "
					 "settings", o->name);
	}

	json_array_foreach(instances, i, inst) {
		const char *ip = checks_jstr(inst, "project");
		const char *name = checks_jstr(inst, "name");
		const json_t *list = json_object_get(inst, "profiles");
		struct fix_item *it;
		json_t *nl;
		char *iurl;

		if (!str_eq(ip ? ip : "default", project) || !name ||
		    !wants(o, name))
			continue;
		if (!json_is_array(list) ||
		    str_eq(checks_jstr(inst, "status"), "Error")) {
			fix_plan_note(p, "instance %s: its configuration could "
					 "not be read (status %s); not "
					 "attached", name,
				      checks_jstr(inst, "status") ?
					      checks_jstr(inst, "status") :
					      "?");
			continue;
		}
		if (list_has(list, o->name)) {
			fix_plan_note(p, "instance %s already uses profile %s",
				      name, o->name);
			continue;
		}
		iurl = snapshot_object("instances", name, project);
		it = fix_plan_add(p, "profile", iurl, FIXK_PROFILES);
		free(iurl);
		it->key = xstrdup("profiles");
		it->old_present = true;
		it->old_value = json_dumps(list, JSON_COMPACT);
		nl = json_deep_copy(list);
		json_array_append_new(nl, json_string(o->name));
		it->new_value = json_dumps(nl, JSON_COMPACT);
		json_decref(nl);
		it->risk = FIX_OPTIN;
		it->command = xasprintf("%s profile add %s %s%s", client,
					shq(name), shq(o->name),
					parg(project, pa, sizeof(pa)));
		it->effect = attach_effect(inst, o, devs);
		/* local keys still win over every profile */
		json_object_foreach(config, k, v) {
			const char *local = checks_jstr(
				json_object_get(inst, "config"), k);

			if (local && !str_eq(local, json_string_value(v)))
				fix_plan_note(p, "instance %s sets %s=%s "
						 "itself, which overrides the "
						 "profile's %s (see 'lxd-harden "
						 "fix')", name, k, local,
					      json_string_value(v));
		}
	}
	for (i = 0; i < p->n; i++)
		p->v[i].selected = true;
	rc = 0;
	free(url);
	json_decref(config);
	json_decref(devs);
	return rc;
}
