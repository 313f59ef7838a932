/* instances.c - INS checks: privilege, limits, nesting, low-level keys */
#include "checks/instances.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "checks/common.h"
#include "lxdval.h"

const json_t *
instances_project_config(const struct snapshot *s, const char *project)
{
	return json_object_get(snapshot_find(s, SNAP_PROJECTS, NULL, project),
			       "config");
}

/*
 * The project an instance of project takes its profiles from: its own
 * when it has features.profiles, else default. A project the snapshot
 * does not list (a restricted client) counts as having its own profiles
 * when any profile was listed under it.
 */
static const char *
profile_project(const struct snapshot *s, const char *project)
{
	const json_t *cfg;

	if (str_eq(project, "default"))
		return "default";
	cfg = instances_project_config(s, project);
	if (cfg)
		return lxdval_is_true(checks_jstr(cfg, "features.profiles")) ?
			       project :
			       "default";
	return snapshot_in_project(s, SNAP_PROFILES, project) ? project :
								 "default";
}

/*
 * An instance whose cluster member is unreachable comes back with status
 * Error (code 112) and only name, project, location and type: nothing
 * can be judged, and nothing may pass.
 */
static bool
is_unreachable(const json_t *inst)
{
	const json_t *cfg = json_object_get(inst, "expanded_config");
	bool error = str_eq(checks_jstr(inst, "status"), "Error") ||
		     json_integer_value(json_object_get(inst, "status_code")) ==
			     112;

	if (!json_is_object(cfg))
		return true;
	return error && json_object_size(cfg) == 0;
}

static void
add_instance(struct instances_set *set, const struct snapshot *s,
	     const json_t *inst, const json_t *profiles)
{
	struct instances_subject *sub = &set->v[set->n];
	const char *name = checks_jstr(inst, "name");
	const char *project = checks_jstr(inst, "project");
	const json_t *plist = json_object_get(inst, "profiles");
	const char *pproj;
	const json_t *pn;
	size_t i;

	if (!name)
		return;
	if (!project)
		project = "default";
	memset(sub, 0, sizeof(*sub));
	sub->name = name;
	sub->project = project;
	sub->location = checks_jstr(inst, "location");
	sub->is_vm = str_eq(checks_jstr(inst, "type"), "virtual-machine");
	sub->unreachable = is_unreachable(inst);
	sub->config = json_object_get(inst, "expanded_config");
	sub->devices = json_object_get(inst, "expanded_devices");
	sub->local_config = json_object_get(inst, "config");
	sub->local_devices = json_object_get(inst, "devices");
	sub->norigins = 1 + json_array_size(plist);
	sub->origins = xcalloc(sub->norigins, sizeof(*sub->origins));
	sub->profile_json = xcalloc(sub->norigins, sizeof(*sub->profile_json));
	sub->origins[0].name = name;
	sub->origins[0].project = project;
	sub->origins[0].object = snapshot_object("instances", name, project);
	sub->profiles_known = profiles != NULL;
	pproj = profile_project(s, project);
	json_array_foreach (plist, i, pn) {
		struct instances_origin *o = &sub->origins[i + 1];
		const char *pname = json_string_value(pn);

		o->is_profile = true;
		o->name = pname ? pname : "";
		o->project = pproj;
		o->object = snapshot_object("profiles", o->name, pproj);
		sub->profile_json[i + 1] =
			profiles ? snapshot_find(s, SNAP_PROFILES, pproj,
						 o->name) :
				   NULL;
		if (!sub->profile_json[i + 1])
			sub->profiles_known = false;
	}
	set->n++;
	set->ninstances++;
}

static void
add_profile(struct instances_set *set, const json_t *prof)
{
	struct instances_subject *sub = &set->v[set->n];
	const char *name = checks_jstr(prof, "name");
	const char *project = checks_jstr(prof, "project");

	if (!name)
		return;
	if (!project)
		project = "default";
	memset(sub, 0, sizeof(*sub));
	sub->is_profile = true;
	sub->name = name;
	sub->project = project;
	sub->config = json_object_get(prof, "config");
	sub->devices = json_object_get(prof, "devices");
	sub->local_config = sub->config;
	sub->local_devices = sub->devices;
	sub->norigins = 1;
	sub->origins = xcalloc(1, sizeof(*sub->origins));
	sub->profile_json = xcalloc(1, sizeof(*sub->profile_json));
	sub->origins[0].is_profile = true;
	sub->origins[0].name = name;
	sub->origins[0].project = project;
	sub->origins[0].object = snapshot_object("profiles", name, project);
	sub->profiles_known = true;
	set->n++;
}

/* What an instance set was built from, to tell a stale one. */
struct instances_cache {
	struct instances_set set;
	const json_t *from[3];
	size_t from_n[3];
};

static const enum snap_kind cache_parts[3] = { SNAP_INSTANCES, SNAP_PROFILES,
					       SNAP_PROJECTS };

static void
set_free(struct instances_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		for (size_t k = 0; k < set->v[i].norigins; k++)
			free(set->v[i].origins[k].object);
		free(set->v[i].origins);
		free(set->v[i].profile_json);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}

static void
cache_free(void *p)
{
	struct instances_cache *ic = p;

	set_free(&ic->set);
	free(ic);
}

static bool
cache_fresh(const struct instances_cache *ic, const struct snapshot *s)
{
	for (size_t k = 0; k < 3; k++)
		if (ic->from[k] != s->part[cache_parts[k]] ||
		    ic->from_n[k] != json_array_size(s->part[cache_parts[k]]))
			return false;
	return true;
}

int
instances_load(const struct check *c, const struct check_ctx *x,
	       struct instances_set *set, struct findings *out)
{
	/* the cache beside the state: filling it changes no part */
	struct snapshot *s = (struct snapshot *)(uintptr_t)x->snap;
	struct instances_cache *ic;
	const json_t *insts, *profs, *e;
	const char *why, *pwhy;
	size_t i;

	memset(set, 0, sizeof(*set));
	insts = snapshot_part(s, SNAP_INSTANCES, &why);
	if (!insts) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/instances",
			     "Cannot read the instances: %s.",
			     why ? why : "not fetched");
		return -1;
	}
	profs = snapshot_part(s, SNAP_PROFILES, &pwhy);
	if (!profs)
		findings_add(out, ST_ERROR, c->severity, "/1.0/profiles",
			     "Cannot read the profiles: %s; a profile that no "
			     "instance uses is not judged, and values "
			     "instances inherit are not traced to their "
			     "profile.", pwhy ? pwhy : "not fetched");
	/* a set built from the cache depends on what building it read:
	   the projects, whether or not this snapshot needed them */
	(void)snapshot_part(s, SNAP_PROJECTS, NULL);

	ic = s->free_derived == cache_free ? s->derived : NULL;
	if (ic && cache_fresh(ic, s)) {
		*set = ic->set;
		set->borrowed = true;
		return 0;
	}
	snapshot_forget_derived(s);
	ic = xcalloc(1, sizeof(*ic));
	for (size_t k = 0; k < 3; k++) {
		ic->from[k] = s->part[cache_parts[k]];
		ic->from_n[k] = json_array_size(ic->from[k]);
	}
	ic->set.have_profiles = profs != NULL;
	ic->set.v = xcalloc(json_array_size(insts) + json_array_size(profs) +
				    1,
			    sizeof(*ic->set.v));
	json_array_foreach (insts, i, e)
		add_instance(&ic->set, s, e, profs);
	json_array_foreach (profs, i, e)
		add_profile(&ic->set, e);
	s->derived = ic;
	s->free_derived = cache_free;
	*set = ic->set;
	set->borrowed = true;
	return 0;
}

void
instances_release(struct instances_set *set)
{
	if (set->borrowed)
		memset(set, 0, sizeof(*set));
	else
		set_free(set);
}

const char *
instances_cfg(const struct instances_subject *sub, const char *key)
{
	return checks_jstr(sub->config, key);
}

const struct instances_origin *
instances_key_origin(const struct instances_subject *sub, const char *key)
{
	const json_t *want = json_object_get(sub->config, key);

	if (sub->is_profile || json_object_get(sub->local_config, key))
		return &sub->origins[0];
	for (size_t k = sub->norigins; k-- > 1;) {
		const json_t *v = json_object_get(
			json_object_get(sub->profile_json[k], "config"), key);

		if (v)
			return json_equal(v, want) ? &sub->origins[k] : NULL;
	}
	return NULL;
}

const struct instances_origin *
instances_device_origin(const struct instances_subject *sub,
			const char *device)
{
	const json_t *want = json_object_get(sub->devices, device);

	if (sub->is_profile || json_object_get(sub->local_devices, device))
		return &sub->origins[0];
	for (size_t k = sub->norigins; k-- > 1;) {
		const json_t *v = json_object_get(
			json_object_get(sub->profile_json[k], "devices"),
			device);

		if (v)
			return json_equal(v, want) ? &sub->origins[k] : NULL;
	}
	return NULL;
}

const char *
instances_profile_value(const struct instances_subject *sub, const char *key,
			const struct instances_origin **from)
{
	for (size_t k = sub->norigins; k-- > 1;) {
		const char *v = checks_jstr(
			json_object_get(sub->profile_json[k], "config"), key);

		if (v) {
			if (from)
				*from = &sub->origins[k];
			return v;
		}
	}
	if (from)
		*from = NULL;
	return NULL;
}

const char *
instances_label(const struct instances_subject *sub)
{
	if (sub->is_profile)
		return "Profile";
	return sub->is_vm ? "Virtual machine" : "Container";
}

void
instances_from_text(const struct instances_subject *sub,
		    const struct instances_origin *o, char *buf, size_t len)
{
	if (sub->is_profile)
		snprintf(buf, len, "%s", "");
	else if (!o)
		snprintf(buf, len, " (from a profile that could not be read)");
	else if (!o->is_profile)
		snprintf(buf, len, " (set on the instance)");
	else if (str_eq(o->project, sub->project))
		snprintf(buf, len, " (from profile %s)", o->name);
	else
		snprintf(buf, len, " (from profile %s of project %s)", o->name,
			 o->project);
}

/* Appends a space and s as one shell word. */
static void
add_word(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, ' ');
	escape_sh(sb, s);
}

void
instances_remedy(struct finding *f, const struct snapshot *s,
		 const struct instances_origin *o, const char *verb,
		 const char *device, const char *args)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, snapshot_client(s));
	strbuf_addstr(&sb, o->is_profile ? " profile" : " config");
	if (device)
		strbuf_addstr(&sb, " device");
	strbuf_addch(&sb, ' ');
	strbuf_addstr(&sb, verb);
	add_word(&sb, o->name);
	if (device)
		add_word(&sb, device);
	/* each KEY=VALUE of args is a word of its own */
	for (const char *a = args; a && *a;) {
		const char *sp = strchr(a, ' ');
		size_t n = sp ? (size_t)(sp - a) : strlen(a);
		char *w = xstrndup(a, n);

		add_word(&sb, w);
		free(w);
		a += n + (sp != NULL);
	}
	strbuf_addstr(&sb, " --project");
	add_word(&sb, o->project);
	finding_remedy_cmd(f, "%s", sb.buf);
	strbuf_release(&sb);
}

void
instances_unreachable(const struct check *c,
		      const struct instances_subject *sub,
		      struct findings *out)
{
	if (sub->location && !str_eq(sub->location, "none") &&
	    !str_empty(sub->location))
		findings_add(out, ST_ERROR, c->severity, sub->origins[0].object,
			     "%s %s in project %s cannot be judged: LXD "
			     "returned no configuration for it (status Error; "
			     "cluster member %s is unreachable).",
			     instances_label(sub), sub->name, sub->project,
			     sub->location);
	else
		findings_add(out, ST_ERROR, c->severity, sub->origins[0].object,
			     "%s %s in project %s cannot be judged: LXD "
			     "returned no configuration for it (status "
			     "Error).", instances_label(sub), sub->name,
			     sub->project);
}

/* A value as it is shown in a message: its first line, at most 60 bytes. */
static void
show_value(const char *v, char *buf, size_t len)
{
	size_t n = strcspn(v, "\n");
	bool cut = v[n] != '\0' || n > 60;

	if (n > 60)
		n = 60;
	snprintf(buf, len, "%.*s%s", (int)n, v, cut ? "..." : "");
}

/*
 * The key rules: a config key, which instances it applies to, what makes
 * it a finding, and how to fix it. Profiles are judged by every rule,
 * as LXD applies a profile to containers and virtual machines alike.
 */
#define R_CT 1u
#define R_VM 2u

enum rule_test {
	T_TRUE,		/* a true boolean */
	T_FALSE,	/* a false boolean */
	T_SET,		/* any non-empty value */
	T_EQ,		/* arg */
	T_NE,		/* anything but arg */
	T_ALLOW,	/* a syscall allowlist naming a default-denied call */
};

enum rule_era {
	ERA_ANY,
	ERA_OLD_BOOT,	/* security.secureboot/csm: LXD < 6.7, Incus */
	ERA_BOOT_MODE,	/* boot.mode: LXD 6.7 and later */
};

struct key_rule {
	const char *key;
	unsigned scope;
	enum rule_test test;
	const char *arg;
	enum severity sev;	/* SEV_INFO: the check's own */
	bool worse_if_privileged;	/* critical with security.privileged */
	const char *fix;	/* "KEY=VALUE" to set; NULL: unset the key */
	const char *vm_ext;	/* VMs only with this API extension */
	enum rule_era era;
	const char *why;	/* what it does, for the message */
};

/* The calls LXD's default seccomp policy denies (lxd/seccomp). */
static const char *const default_denied[] = {
	"kexec_load", "open_by_handle_at", "init_module", "finit_module",
	"delete_module",
};

/* The first default-denied syscall an allowlist names, or NULL. */
static const char *
allow_names_denied(const char *list)
{
	const char *p = list;

	while (*p) {
		size_t n;

		p += strspn(p, " \t\r\n,");
		n = strcspn(p, " \t\r\n,");
		for (size_t i = 0; n && i < ARRAY_SIZE(default_denied); i++)
			if (strlen(default_denied[i]) == n &&
			    strncmp(p, default_denied[i], n) == 0)
				return default_denied[i];
		p += n;
		/* the rest of a line is an action ("errno 38") */
		p += strcspn(p, "\n");
	}
	return NULL;
}

static bool
rule_hits(const struct key_rule *r, const char *v)
{
	if (!v)
		return false;
	switch (r->test) {
	case T_TRUE:
		return lxdval_is_true(v);
	case T_FALSE:
		return lxdval_is_false(v);
	case T_SET:
		return *v != '\0';
	case T_EQ:
		return strcasecmp(v, r->arg) == 0;
	case T_NE:
		return *v != '\0' && !str_eq(v, r->arg);
	case T_ALLOW:
		return allow_names_denied(v) != NULL;
	}
	return false;
}

/* LXD 6.7 replaced security.secureboot/csm by boot.mode; Incus did not. */
static bool
has_boot_mode(const struct snapshot *s)
{
	if (str_eq(s->product, "incus"))
		return false;
	return snapshot_has_ext(s, "instance_boot_mode") ||
	       lxdval_version_cmp(s->server_version, "6.7") >= 0;
}

static bool
rule_applies(const struct key_rule *r, const struct snapshot *s,
	     const struct instances_subject *sub)
{
	if (r->era == ERA_OLD_BOOT && has_boot_mode(s))
		return false;
	if (r->era == ERA_BOOT_MODE && !has_boot_mode(s))
		return false;
	if (sub->is_profile)
		return true;
	if (sub->is_vm)
		return (r->scope & R_VM) &&
		       (!r->vm_ext || snapshot_has_ext(s, r->vm_ext));
	return (r->scope & R_CT) != 0;
}

static bool
is_privileged(const struct instances_subject *sub)
{
	return !sub->is_vm &&
	       lxdval_is_true(instances_cfg(sub, "security.privileged"));
}

static void
report_rule(const struct check *c, const struct check_ctx *x,
	    const struct instances_subject *sub, const struct key_rule *r,
	    const char *v, struct findings *out)
{
	const struct instances_origin *o = instances_key_origin(sub, r->key);
	enum severity sev = r->sev != SEV_INFO ? r->sev : c->severity;
	const char *also = "";
	char from[256], shown[80], extra[160] = "";
	const char *denied;
	struct finding *f;

	if (r->worse_if_privileged && is_privileged(sub)) {
		sev = SEV_CRITICAL;
		also = ", together with security.privileged=true";
	}
	if (r->test == T_ALLOW) {
		denied = allow_names_denied(v);
		snprintf(extra, sizeof(extra), ", which lets %s through",
			 denied);
	}
	instances_from_text(sub, o, from, sizeof(from));
	show_value(v, shown, sizeof(shown));
	f = findings_add(out, ST_FAIL, sev, sub->origins[0].object,
			 "%s %s sets %s=%s%s%s%s: %s.", instances_label(sub),
			 sub->name, r->key, shown, from, also, extra, r->why);
	finding_key(f, r->key, v, o ? o->object : NULL);
	if (r->fix)
		instances_remedy(f, x->snap, o ? o : &sub->origins[0], "set",
				 NULL, r->fix);
	else
		instances_remedy(f, x->snap, o ? o : &sub->origins[0], "unset",
				 NULL, r->key);
}

/*
 * Judges every instance of the types in scope, and every profile, by a
 * table of key rules. what names the instances for "nothing applies".
 */
static void
scan_rules(const struct check *c, const struct check_ctx *x,
	   const struct key_rule *rules, size_t nrules, unsigned scope,
	   const char *what, struct findings *out)
{
	struct instances_set set;
	size_t judged = 0, before = out->n;

	if (instances_load(c, x, &set, out) != 0)
		return;
	for (size_t i = 0; i < set.n; i++) {
		const struct instances_subject *sub = &set.v[i];

		if (!sub->is_profile) {
			if (!(scope & (sub->is_vm ? R_VM : R_CT)))
				continue;
			if (sub->unreachable) {
				instances_unreachable(c, sub, out);
				continue;
			}
			judged++;
		}
		for (size_t k = 0; k < nrules; k++) {
			const char *v = instances_cfg(sub, rules[k].key);

			if (rule_applies(&rules[k], x->snap, sub) &&
			    rule_hits(&rules[k], v))
				report_rule(c, x, sub, &rules[k], v, out);
		}
	}
	if (!judged && out->n == before)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances",
			     "There are no %s, and no profile sets what this "
			     "check looks for.", what);
	instances_release(&set);
}

static const struct key_rule privileged_rules[] = {
	{ .key = "security.privileged", .scope = R_CT, .test = T_TRUE,
	  .fix = "security.privileged=false",
	  .why = "container root is host root, so an escape owns the "
		 "host" },
};

static void
eval_privileged(const struct check *c, const struct check_ctx *x,
		struct findings *out)
{
	scan_rules(c, x, privileged_rules, ARRAY_SIZE(privileged_rules), R_CT,
		   "containers", out);
}

/* The values of the hardened profile (profile create); the operator
   sizes them. */
static const struct {
	const char *key, *example;
} limit_keys[] = {
	{ "limits.cpu", HARDENED_LIMIT_CPU },
	{ "limits.memory", HARDENED_LIMIT_MEMORY },
	{ "limits.processes", HARDENED_LIMIT_PROCESSES },
};

static void
eval_limits(const struct check *c, const struct check_ctx *x,
	    struct findings *out)
{
	struct instances_set set;
	size_t judged = 0;

	if (instances_load(c, x, &set, out) != 0)
		return;
	for (size_t i = 0; i < set.ninstances; i++) {
		const struct instances_subject *sub = &set.v[i];
		struct strbuf keys = STRBUF_INIT, args = STRBUF_INIT;
		struct strbuf text = STRBUF_INIT;
		const char *missing[ARRAY_SIZE(limit_keys)];
		size_t n = 0;
		struct finding *f;

		if (sub->is_vm)
			continue;
		if (sub->unreachable) {
			instances_unreachable(c, sub, out);
			continue;
		}
		judged++;
		for (size_t k = 0; k < ARRAY_SIZE(limit_keys); k++) {
			if (!str_empty(instances_cfg(sub, limit_keys[k].key)))
				continue;
			if (n) {
				strbuf_addch(&keys, ',');
				strbuf_addch(&args, ' ');
			}
			missing[n++] = limit_keys[k].key;
			strbuf_addstr(&keys, limit_keys[k].key);
			strbuf_addf(&args, "%s=%s", limit_keys[k].key,
				    limit_keys[k].example);
		}
		/* "a", "a or b", "a, b or c" */
		for (size_t k = 0; k < n; k++) {
			if (k)
				strbuf_addstr(&text, k + 1 == n ? " or " : ", ");
			strbuf_addstr(&text, missing[k]);
		}
		if (n) {
			f = findings_add(out, ST_FAIL, c->severity,
					 sub->origins[0].object,
					 "Container %s has no %s, so it can "
					 "exhaust the host's resources.",
					 sub->name, text.buf);
			finding_key(f, keys.buf, NULL, NULL);
			instances_remedy(f, x->snap, &sub->origins[0], "set",
					 NULL, args.buf);
		}
		strbuf_release(&keys);
		strbuf_release(&args);
		strbuf_release(&text);
	}
	if (!judged)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances", "There are no containers.");
	instances_release(&set);
}

static const struct key_rule nesting_rules[] = {
	/*
	 * LXD ignores security.nesting on virtual machines. In Incus it
	 * means nested virtualisation there (default true), which is not
	 * the container escape the guide warns about.
	 */
	{ .key = "security.nesting", .scope = R_CT, .test = T_TRUE,
	  .worse_if_privileged = true, .fix = "security.nesting=false",
	  .why = "nested containers get access to kernel interfaces "
		 "(/proc, /sys, mounts) meant for the host" },
};

static void
eval_nesting(const struct check *c, const struct check_ctx *x,
	     struct findings *out)
{
	scan_rules(c, x, nesting_rules, ARRAY_SIZE(nesting_rules), R_CT,
		   "containers", out);
}

static void
eval_isolated(const struct check *c, const struct check_ctx *x,
	      struct findings *out)
{
	const char *key = "security.idmap.isolated";
	struct instances_set set;
	size_t judged = 0, before = out->n;

	if (instances_load(c, x, &set, out) != 0)
		return;
	for (size_t i = 0; i < set.n; i++) {
		const struct instances_subject *sub = &set.v[i];
		const char *v = instances_cfg(sub, key);
		const struct instances_origin *o;
		char from[256];
		struct finding *f;

		if (sub->is_profile) {
			/* a profile that turns isolation off */
			if (!lxdval_is_false(v))
				continue;
			f = findings_add(out, ST_FAIL, c->severity,
					 sub->origins[0].object,
					 "Profile %s sets %s=%s, so its "
					 "containers share one UID/GID range.",
					 sub->name, key, v);
			finding_key(f, key, v, sub->origins[0].object);
			instances_remedy(f, x->snap, &sub->origins[0], "set",
					 NULL, "security.idmap.isolated=true");
			continue;
		}
		if (sub->is_vm)
			continue;
		if (sub->unreachable) {
			instances_unreachable(c, sub, out);
			continue;
		}
		judged++;
		if (is_privileged(sub) || lxdval_is_true(v))
			continue;
		o = v ? instances_key_origin(sub, key) : NULL;
		if (v) {
			instances_from_text(sub, o, from, sizeof(from));
			f = findings_add(out, ST_FAIL, c->severity,
					 sub->origins[0].object,
					 "Container %s sets %s=%s%s, so it "
					 "shares its UID/GID range with other "
					 "containers.", sub->name, key, v,
					 from);
		} else {
			f = findings_add(out, ST_FAIL, c->severity,
					 sub->origins[0].object,
					 "Container %s does not set %s, so it "
					 "shares its UID/GID range with other "
					 "containers.", sub->name, key);
		}
		finding_key(f, key, v, o ? o->object : NULL);
		instances_remedy(f, x->snap, o ? o : &sub->origins[0], "set",
				 NULL, "security.idmap.isolated=true");
	}
	if (!judged && out->n == before)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances",
			     "There are no containers, and no profile turns "
			     "isolation off.");
	instances_release(&set);
}

/* ---- INS-005: instance-local values that weaken their profiles ---- */

enum strength {
	W_SAME,
	W_STRONGER,
	W_WEAKER,
	W_UNSURE,
};

/* Booleans where true is the weaker setting. */
static const char *const weak_when_true[] = {
	"security.privileged",
	"security.nesting",
	"security.devlxd",
	"security.devlxd.images",
	"security.devlxd.management.volumes",
	"security.delegate_bpf",
	"security.csm",
	"security.guestapi",
	"security.guestapi.images",
	"security.syscalls.intercept.bpf",
	"security.syscalls.intercept.bpf.devices",
	"security.syscalls.intercept.mknod",
	"security.syscalls.intercept.mount",
	"security.syscalls.intercept.mount.shift",
	"security.syscalls.intercept.sched_setscheduler",
	"security.syscalls.intercept.setxattr",
	"security.syscalls.intercept.sysinfo",
	"limits.memory.swap",
};

/* Booleans where true is the stronger setting. */
static const char *const strong_when_true[] = {
	"security.idmap.isolated",
	"security.secureboot",
	"security.protection.delete",
	"security.protection.shift",
	"security.protection.start",
	"security.syscalls.deny_default",
	"security.syscalls.blacklist_default",
	"security.syscalls.deny_compat",
	"security.syscalls.blacklist_compat",
	"security.sev",
	"security.sev.policy.es",
};

static bool
in_names(const char *const *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(list[i], key))
			return true;
	return false;
}

static enum strength
cmp_num(long double local, long double prof)
{
	if (local > prof)
		return W_WEAKER;
	return local < prof ? W_STRONGER : W_SAME;
}

/* A whole decimal number; -1 when v is not one. */
static int
parse_uint(const char *v, long double *out)
{
	char *end;
	unsigned long long n;

	if (!v || !isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end)
		return -1;
	*out = (long double)n;
	return 0;
}

/* CPUs in a limits.cpu value: a count, or a set such as "0-3,7". */
static int
parse_cpus(const char *v, long double *out)
{
	const char *p = v;
	long double n = 0;

	if (parse_uint(v, out) == 0)
		return 0;
	while (*p) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*p))
			return -1;
		a = strtoul(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (b < a)
			return -1;
		n += (long double)(b - a + 1);
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	*out = n;
	return 0;
}

/* A byte size with LXD's suffixes ("512MiB", "1GB", "1000"). */
static int
parse_bytes(const char *v, long double *out)
{
	static const struct {
		const char *suffix;
		long double mult;
	} units[] = {
		{ "KiB", 1024.0L }, { "MiB", 1048576.0L },
		{ "GiB", 1073741824.0L }, { "TiB", 1099511627776.0L },
		{ "PiB", 1125899906842624.0L },
		{ "EiB", 1152921504606846976.0L },
		{ "kB", 1e3L }, { "KB", 1e3L }, { "MB", 1e6L }, { "GB", 1e9L },
		{ "TB", 1e12L }, { "PB", 1e15L }, { "EB", 1e18L },
		{ "B", 1.0L },
	};
	char *end;
	long double n;

	if (!v || !isdigit((unsigned char)*v))
		return -1;
	n = strtold(v, &end);
	if (!*end) {
		*out = n;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (str_eq(end, units[i].suffix)) {
			*out = n * units[i].mult;
			return 0;
		}
	}
	return -1;
}

/* "50%" */
static int
parse_percent(const char *v, long double *out)
{
	char *end;

	if (!v || !isdigit((unsigned char)*v))
		return -1;
	*out = strtold(v, &end);
	return str_eq(end, "%") ? 0 : -1;
}

/* "25ms/100ms" as a share of one CPU. */
static int
parse_quota(const char *v, long double *out)
{
	char *end;
	long double a, b;

	if (!v || !isdigit((unsigned char)*v))
		return -1;
	a = strtold(v, &end);
	if (!str_starts_with(end, "ms/"))
		return -1;
	v = end + 3;
	if (!isdigit((unsigned char)*v))
		return -1;
	b = strtold(v, &end);
	if (!str_eq(end, "ms") || b <= 0)
		return -1;
	*out = a / b;
	return 0;
}

/* An rlimit "soft:hard" or "value", judged by its hard limit. */
static int
parse_rlimit(const char *v, long double *out)
{
	const char *hard = strchr(v, ':');

	hard = hard ? hard + 1 : v;
	if (str_eq(hard, "unlimited")) {
		*out = 1e30L;
		return 0;
	}
	return parse_uint(hard, out);
}

/* Whether every entry of the list sub (split on seps) is in super. */
static bool
list_within(const char *sub, const char *super, const char *seps)
{
	const char *p = sub;

	while (*p) {
		size_t n;
		const char *q = super;
		bool found = false;

		p += strspn(p, seps);
		n = strcspn(p, seps);
		if (!n)
			break;
		while (*q && !found) {
			size_t m;

			q += strspn(q, seps);
			m = strcspn(q, seps);
			found = m == n && strncmp(p, q, n) == 0;
			q += m;
		}
		if (!found)
			return false;
		p += n;
	}
	return true;
}

static enum strength
list_strength(const char *local, const char *prof, bool more_is_weaker,
	      const char *seps)
{
	bool l_in_p = list_within(local, prof, seps);
	bool p_in_l = list_within(prof, local, seps);

	if (l_in_p && p_in_l)
		return W_SAME;
	if (more_is_weaker)
		return l_in_p ? W_STRONGER : W_WEAKER;
	return p_in_l ? W_STRONGER : W_WEAKER;
}

static enum strength
compare_with(int (*parse)(const char *, long double *), const char *local,
	     const char *prof)
{
	long double a, b;

	if (parse(local, &a) != 0 || parse(prof, &b) != 0)
		return W_UNSURE;
	return cmp_num(a, b);
}

/*
 * How an instance-local value compares with what its profiles set: only
 * what can be told for certain is called weaker or stronger.
 */
static enum strength
strength_of(const char *key, const char *local, const char *prof)
{
	if (in_names(weak_when_true, ARRAY_SIZE(weak_when_true), key)) {
		bool l = lxdval_is_true(local), p = lxdval_is_true(prof);

		return l == p ? W_SAME : l ? W_WEAKER : W_STRONGER;
	}
	if (in_names(strong_when_true, ARRAY_SIZE(strong_when_true), key)) {
		bool l = lxdval_is_true(local), p = lxdval_is_true(prof);

		return l == p ? W_SAME : l ? W_STRONGER : W_WEAKER;
	}
	if (str_eq(key, "limits.cpu"))
		return compare_with(parse_cpus, local, prof);
	if (str_eq(key, "limits.processes") ||
	    str_eq(key, "limits.cpu.priority") ||
	    str_eq(key, "limits.disk.priority"))
		return compare_with(parse_uint, local, prof);
	if (str_eq(key, "limits.memory") ||
	    str_starts_with(key, "limits.hugepages.")) {
		if (strchr(local, '%') && strchr(prof, '%'))
			return compare_with(parse_percent, local, prof);
		return compare_with(parse_bytes, local, prof);
	}
	if (str_eq(key, "limits.cpu.allowance")) {
		if (strchr(local, '%') && strchr(prof, '%'))
			return compare_with(parse_percent, local, prof);
		return compare_with(parse_quota, local, prof);
	}
	if (str_starts_with(key, "limits.kernel."))
		return compare_with(parse_rlimit, local, prof);
	if (str_eq(key, "limits.memory.enforce")) {
		if (str_eq(local, "soft") && str_eq(prof, "hard"))
			return W_WEAKER;
		if (str_eq(local, "hard") && str_eq(prof, "soft"))
			return W_STRONGER;
		return W_UNSURE;
	}
	if (str_eq(key, "security.syscalls.deny") ||
	    str_eq(key, "security.syscalls.blacklist"))
		return list_strength(local, prof, false, " \t\r\n");
	if (str_eq(key, "security.syscalls.allow") ||
	    str_eq(key, "security.syscalls.whitelist"))
		return list_strength(local, prof, true, " \t\r\n");
	if (str_eq(key, "security.syscalls.intercept.mount.allowed"))
		return list_strength(local, prof, true, ", ");
	return W_UNSURE;
}

static void
eval_local_overrides(const struct check *c, const struct check_ctx *x,
		     struct findings *out)
{
	struct instances_set set;
	size_t judged = 0;

	if (instances_load(c, x, &set, out) != 0)
		return;
	for (size_t i = 0; i < set.ninstances; i++) {
		const struct instances_subject *sub = &set.v[i];
		const char *key;
		const json_t *jv;

		if (sub->unreachable) {
			instances_unreachable(c, sub, out);
			continue;
		}
		judged++;
		json_object_foreach ((json_t *)(uintptr_t)sub->local_config,
				     key, jv) {
			const struct instances_origin *o;
			const char *local = json_string_value(jv);
			const char *prof;
			char from[256], sl[80], sp[80];
			enum strength w;
			struct finding *f;

			if (!local || (!str_starts_with(key, "security.") &&
				       !str_starts_with(key, "limits.")))
				continue;
			prof = instances_profile_value(sub, key, &o);
			if (!prof || str_eq(prof, local))
				continue;
			w = strength_of(key, local, prof);
			if (w == W_SAME || w == W_STRONGER)
				continue;
			instances_from_text(sub, o, from, sizeof(from));
			show_value(local, sl, sizeof(sl));
			show_value(prof, sp, sizeof(sp));
			if (w == W_WEAKER)
				f = findings_add(
					out, ST_FAIL, c->severity,
					sub->origins[0].object,
					"%s %s sets %s=%s on the instance, "
					"weaker than %s%s.",
					instances_label(sub), sub->name, key,
					sl, sp, from);
			else
				f = findings_add(
					out, ST_MANUAL, c->severity,
					sub->origins[0].object,
					"%s %s sets %s=%s on the instance, "
					"overriding %s%s; check that it does "
					"not weaken it.",
					instances_label(sub), sub->name, key,
					sl, sp, from);
			finding_key(f, key, local, sub->origins[0].object);
			instances_remedy(f, x->snap, &sub->origins[0], "unset",
					 NULL, key);
		}
	}
	if (!judged)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances", "There are no instances.");
	instances_release(&set);
}

static const struct key_rule lowlevel_rules[] = {
	{ .key = "raw.lxc", .scope = R_CT, .test = T_SET,
	  .why = "raw LXC configuration bypasses what LXD enforces" },
	{ .key = "raw.seccomp", .scope = R_CT, .test = T_SET,
	  .why = "it replaces the whole seccomp policy" },
	{ .key = "raw.apparmor", .scope = R_CT | R_VM, .test = T_SET,
	  .why = "it adds rules to the AppArmor profile that confines the "
		 "instance" },
	{ .key = "raw.idmap", .scope = R_CT | R_VM, .test = T_SET,
	  .why = "it maps host IDs of its choosing into the instance" },
	{ .key = "raw.qemu", .scope = R_VM, .test = T_SET,
	  .why = "it passes arbitrary arguments to QEMU on the host" },
	{ .key = "raw.qemu.conf", .scope = R_VM, .test = T_SET,
	  .why = "it rewrites the QEMU configuration LXD generates" },
	/* Incus: QEMU scriptlet and QMP hooks */
	{ .key = "raw.qemu.scriptlet", .scope = R_VM, .test = T_SET,
	  .why = "it runs a scriptlet against the QEMU configuration" },
	{ .key = "raw.qemu.qmp.early", .scope = R_VM, .test = T_SET,
	  .why = "it sends raw QMP commands to QEMU" },
	{ .key = "raw.qemu.qmp.pre-start", .scope = R_VM, .test = T_SET,
	  .why = "it sends raw QMP commands to QEMU" },
	{ .key = "raw.qemu.qmp.post-start", .scope = R_VM, .test = T_SET,
	  .why = "it sends raw QMP commands to QEMU" },
	{ .key = "linux.kernel_modules", .scope = R_CT, .test = T_SET,
	  .why = "the host loads kernel modules on the container's behalf" },
	{ .key = "linux.kernel_modules.load", .scope = R_CT, .test = T_EQ,
	  .arg = "ondemand",
	  .why = "root in the container can make the host load modules" },
	{ .key = "security.idmap.base", .scope = R_CT, .test = T_SET,
	  .why = "it places the container's IDs at a host range of its "
		 "choosing" },
	{ .key = "security.idmap.size", .scope = R_CT, .test = T_SET,
	  .why = "it sizes the container's host ID range by hand" },
};

static void
eval_lowlevel(const struct check *c, const struct check_ctx *x,
	      struct findings *out)
{
	scan_rules(c, x, lowlevel_rules, ARRAY_SIZE(lowlevel_rules),
		   R_CT | R_VM, "instances", out);
}

static const struct key_rule syscall_rules[] = {
	{ .key = "security.syscalls.intercept.mount.allowed", .scope = R_CT,
	  .test = T_SET, .sev = SEV_CRITICAL,
	  .why = "the container mounts these filesystems itself, handing "
		 "untrusted data to the host kernel" },
	{ .key = "security.syscalls.intercept.bpf", .scope = R_CT,
	  .test = T_TRUE, .fix = "security.syscalls.intercept.bpf=false",
	  .why = "the host loads BPF programs for the container" },
	{ .key = "security.syscalls.intercept.bpf.devices", .scope = R_CT,
	  .test = T_TRUE,
	  .fix = "security.syscalls.intercept.bpf.devices=false",
	  .why = "the container can attach device-cgroup BPF programs" },
	{ .key = "security.syscalls.intercept.mknod", .scope = R_CT,
	  .test = T_TRUE, .fix = "security.syscalls.intercept.mknod=false",
	  .why = "the host creates device nodes for the container" },
	{ .key = "security.syscalls.intercept.sched_setscheduler",
	  .scope = R_CT, .test = T_TRUE,
	  .fix = "security.syscalls.intercept.sched_setscheduler=false",
	  .why = "the container can raise process priorities on the host" },
	{ .key = "security.syscalls.intercept.setxattr", .scope = R_CT,
	  .test = T_TRUE, .fix = "security.syscalls.intercept.setxattr=false",
	  .why = "the host sets restricted extended attributes for the "
		 "container" },
	{ .key = "security.syscalls.deny_default", .scope = R_CT,
	  .test = T_FALSE, .fix = "security.syscalls.deny_default=true",
	  .why = "the default deny list (kexec_load, open_by_handle_at, "
		 "init_module, ...) is dropped" },
	/* LXD 5.0 names of the same keys */
	{ .key = "security.syscalls.blacklist_default", .scope = R_CT,
	  .test = T_FALSE, .fix = "security.syscalls.blacklist_default=true",
	  .why = "the default deny list (kexec_load, open_by_handle_at, "
		 "init_module, ...) is dropped" },
	{ .key = "security.syscalls.allow", .scope = R_CT, .test = T_ALLOW,
	  .why = "the allowlist replaces the default deny list and lets a "
		 "call through that it blocks" },
	{ .key = "security.syscalls.whitelist", .scope = R_CT,
	  .test = T_ALLOW,
	  .why = "the allowlist replaces the default deny list and lets a "
		 "call through that it blocks" },
	{ .key = "security.delegate_bpf", .scope = R_CT, .test = T_TRUE,
	  .fix = "security.delegate_bpf=false",
	  .why = "BPF tokens let the container load BPF programs into the "
		 "host kernel" },
	/* Incus names of BPF delegation */
	{ .key = "security.bpffs.delegate_cmds", .scope = R_CT,
	  .test = T_SET,
	  .why = "BPF delegation lets the container use bpf() commands on "
		 "the host kernel" },
	{ .key = "security.bpffs.delegate_maps", .scope = R_CT,
	  .test = T_SET,
	  .why = "BPF delegation lets the container create BPF maps in the "
		 "host kernel" },
	{ .key = "security.bpffs.delegate_progs", .scope = R_CT,
	  .test = T_SET,
	  .why = "BPF delegation lets the container load BPF programs into "
		 "the host kernel" },
	{ .key = "security.bpffs.delegate_attachs", .scope = R_CT,
	  .test = T_SET,
	  .why = "BPF delegation lets the container attach BPF programs in "
		 "the host kernel" },
};

static void
eval_syscalls(const struct check *c, const struct check_ctx *x,
	      struct findings *out)
{
	scan_rules(c, x, syscall_rules, ARRAY_SIZE(syscall_rules), R_CT,
		   "containers", out);
}

static const struct key_rule devlxd_rules[] = {
	/* VMs gained security.devlxd.images in 5.21 (devlxd_images_vm) */
	{ .key = "security.devlxd.images", .scope = R_CT | R_VM,
	  .test = T_TRUE, .vm_ext = "devlxd_images_vm",
	  .fix = "security.devlxd.images=false",
	  .why = "the instance can read the server's images through "
		 "/dev/lxd" },
	{ .key = "security.devlxd.management.volumes", .scope = R_CT | R_VM,
	  .test = T_TRUE, .fix = "security.devlxd.management.volumes=false",
	  .why = "the instance can manage custom volumes and devices "
		 "through /dev/lxd" },
	/* Incus name */
	{ .key = "security.guestapi.images", .scope = R_CT, .test = T_TRUE,
	  .fix = "security.guestapi.images=false",
	  .why = "the instance can read the server's images through "
		 "/dev/incus" },
};

static void
eval_devlxd(const struct check *c, const struct check_ctx *x,
	    struct findings *out)
{
	scan_rules(c, x, devlxd_rules, ARRAY_SIZE(devlxd_rules), R_CT | R_VM,
		   "instances", out);
}

static const struct key_rule secureboot_rules[] = {
	{ .key = "security.secureboot", .scope = R_VM, .test = T_FALSE,
	  .era = ERA_OLD_BOOT, .fix = "security.secureboot=true",
	  .why = "the firmware boots unsigned code" },
	{ .key = "security.csm", .scope = R_VM, .test = T_TRUE,
	  .era = ERA_OLD_BOOT, .fix = "security.csm=false",
	  .why = "the VM boots legacy BIOS firmware without secure boot" },
	{ .key = "boot.mode", .scope = R_VM, .test = T_NE,
	  .arg = "uefi-secureboot", .era = ERA_BOOT_MODE,
	  .fix = "boot.mode=uefi-secureboot",
	  .why = "the firmware boots without secure boot" },
};

static void
eval_secureboot(const struct check *c, const struct check_ctx *x,
		struct findings *out)
{
	scan_rules(c, x, secureboot_rules, ARRAY_SIZE(secureboot_rules), R_VM,
		   "virtual machines", out);
}

const struct check instance_checks[] = {
	{
		.id = "LXD-INS-001",
		.title = "No container is privileged",
		.severity = SEV_HIGH,
		.rationale = "A privileged container runs without a user "
			     "namespace: its root is host root, so any escape "
			     "from it is a host compromise.",
		.reads = "security.privileged in the expanded config of every "
			 "container of every project, and in every profile.",
		.remediation = "Set security.privileged=false where the "
			       "instance or its profile sets it, and restart "
			       "the container.",
		.eval = eval_privileged,
	},
	{
		.id = "LXD-INS-002",
		.title = "Every container has CPU, memory and process limits",
		.severity = SEV_MEDIUM,
		.rationale = "Containers have no resource limits by default, "
			     "so one of them can starve the host and every "
			     "other instance.",
		.reads = "limits.cpu, limits.memory and limits.processes in "
			 "the expanded config of every container.",
		.remediation = "Put limits.cpu, limits.memory and "
			       "limits.processes, sized for the workload, in "
			       "a hardened profile every container uses, or "
			       "on the container.",
		.eval = eval_limits,
	},
	{
		.id = "LXD-INS-003",
		.title = "No container has nesting enabled",
		.severity = SEV_MEDIUM,
		.rationale = "security.nesting exposes kernel interfaces a "
			     "container should not reach; together with "
			     "security.privileged it makes escaping to the "
			     "host easy.",
		.reads = "security.nesting and security.privileged in the "
			 "expanded config of every container, and in every "
			 "profile.",
		.remediation = "Set security.nesting=false where the instance "
			       "or its profile sets it.",
		.eval = eval_nesting,
	},
	{
		.id = "LXD-INS-004",
		.title = "Unprivileged containers use an isolated ID map",
		.severity = SEV_LOW,
		.rationale = "Containers without security.idmap.isolated share "
			     "one host UID/GID range, so a process escaping "
			     "one of them owns the files of all the others.",
		.reads = "security.idmap.isolated and security.privileged in "
			 "the expanded config of every container, and "
			 "profiles that set security.idmap.isolated false.",
		.remediation = "Set security.idmap.isolated=true on the "
			       "containers (or their profile) and restart "
			       "them; LXD remaps their files at the next "
			       "start.",
		.eval = eval_isolated,
	},
	{
		.id = "LXD-INS-005",
		.title = "No instance-local setting weakens its profiles",
		.severity = SEV_LOW,
		.rationale = "Hardened settings belong in profiles so that "
			     "they are reviewed once; a local security.* or "
			     "limits.* value that overrides a profile quietly "
			     "undoes that review.",
		.reads = "The instance-local config of every instance against "
			 "the values its profiles set, in profile order.",
		.remediation = "Unset the local value so the profile's value "
			       "applies, or move the exception into a profile "
			       "of its own.",
		.eval = eval_local_overrides,
	},
	{
		.id = "LXD-INS-006",
		.title = "No instance uses low-level overrides",
		.severity = SEV_HIGH,
		.rationale = "raw.* keys, kernel module loading and hand-made "
			     "ID maps bypass the confinement LXD sets up, and "
			     "LXD cannot vouch for what they do.",
		.reads = "raw.lxc, raw.seccomp, raw.apparmor, raw.idmap, "
			 "raw.qemu, raw.qemu.conf (and the Incus raw.qemu.* "
			 "hooks), linux.kernel_modules, "
			 "linux.kernel_modules.load and "
			 "security.idmap.base/size of every instance, by its "
			 "type, and of every profile.",
		.remediation = "Remove the low-level keys, or confine them to "
			       "a reviewed profile in a project that allows "
			       "them.",
		.eval = eval_lowlevel,
	},
	{
		.id = "LXD-INS-007",
		.title = "No container weakens syscall filtering",
		.severity = SEV_HIGH,
		.rationale = "Syscall interception makes the host kernel act "
			     "on the container's behalf, and dropping the "
			     "default deny list reopens calls such as "
			     "kexec_load; intercepted mounts hand untrusted "
			     "filesystems to the host kernel.",
		.reads = "security.syscalls.* (with the older names "
			 "blacklist_default and whitelist), "
			 "security.delegate_bpf and the Incus security.bpffs.* "
			 "keys of every container and profile.",
		.remediation = "Unset the interception and delegation keys and "
			       "restore the default deny list.",
		.eval = eval_syscalls,
	},
	{
		.id = "LXD-INS-008",
		.title = "Instances cannot reach images or volumes via "
			 "/dev/lxd",
		.severity = SEV_LOW,
		.rationale = "security.devlxd.images exposes the server's "
			     "images to the instance, and "
			     "security.devlxd.management.volumes lets it "
			     "manage storage through /dev/lxd.",
		.reads = "security.devlxd.images, "
			 "security.devlxd.management.volumes and the Incus "
			 "security.guestapi.images of every instance and "
			 "profile.",
		.remediation = "Set the keys to false where the instance or "
			       "its profile enables them.",
		.eval = eval_devlxd,
	},
	{
		.id = "LXD-INS-009",
		.title = "Virtual machines boot with secure boot",
		.severity = SEV_LOW,
		.rationale = "Without secure boot a virtual machine runs "
			     "whatever boot loader and kernel are on its disk, "
			     "so a compromised guest can persist below its "
			     "operating system.",
		.reads = "security.secureboot and security.csm (Incus and "
			 "older LXD) or boot.mode (newer LXD) of every "
			 "virtual machine and profile.",
		.remediation = "Turn secure boot back on where the instance or "
			       "its profile turns it off.",
		.eval = eval_secureboot,
	},
	CHECK_END
};
