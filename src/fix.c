/* fix.c - the fixer table and the plan of `fix` (pure: changes nothing) */
#include "fix.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/common.h"
#include "escape.h"
#include "lxdval.h"
#include "policy.h"
#include "rootfs.h"
#include "x509.h"

struct fixer;

/* What a fixer gets besides the finding. */
struct fix_ctx {
	const struct snapshot *snap;
	const struct fix_opts *opts;
	const struct check_result *result;
};

typedef void fixer_fn(const struct fixer *fx, const struct finding *f,
		      const struct fix_ctx *x, struct fix_plan *p);

/*
 * One row of the fixer table. value: the value a key is set to (NULL:
 * removed); risk and effect: as planned.
 */
struct fixer {
	const char *check;
	fixer_fn *fn;
	const char *value;
	enum fix_risk risk;
	const char *effect;
	bool restart;		/* takes effect at a restart */
};

const char *
fix_risk_name(enum fix_risk r)
{
	switch (r) {
	case FIX_SAFE:
		return "safe";
	case FIX_OPTIN:
		return "opt-in";
	case FIX_NEEDS_VALUE:
		return "needs-value";
	}
	return "?";
}

const char *
fix_kind_name(enum fix_kind k)
{
	switch (k) {
	case FIXK_SERVER_KEY:
		return "server-key";
	case FIXK_CONFIG_KEY:
		return "config-key";
	case FIXK_DEVICE_KEY:
		return "device-key";
	case FIXK_DELETE:
		return "delete";
	case FIXK_HOST_FILE:
		return "host-file";
	case FIXK_HOST_MODE:
		return "host-mode";
	case FIXK_CREATE:
		return "create";
	case FIXK_DEVICE_SET:
		return "device-set";
	case FIXK_PROFILES:
		return "profiles";
	case FIXK_SNAP_SET:
		return "snap-set";
	}
	return "?";
}

static char *
dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct fix_item *
fix_plan_add(struct fix_plan *p, const char *check, const char *object,
	     enum fix_kind kind)
{
	struct fix_item *it;

	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->v = xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	it = &p->v[p->n++];
	memset(it, 0, sizeof(*it));
	it->check = xstrdup(check);
	it->object = xstrdup(object);
	it->kind = kind;
	it->reversible = true;
	return it;
}

static void
item_release(struct fix_item *it)
{
	free(it->check);
	free(it->object);
	free(it->device);
	free(it->key);
	free(it->old_value);
	free(it->new_value);
	free(it->effect);
	free(it->command);
	free(it->then);
	free(it->error);
	free(it->old_json);
}

void
fix_plan_release(struct fix_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		item_release(&p->v[i]);
	free(p->v);
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	json_decref(p->planned);
	json_decref(p->noted);
	memset(p, 0, sizeof(*p));
}

static void
note_add(struct fix_plan *p, char *s)
{
	if (!p->noted)
		p->noted = json_object();
	if (json_object_get(p->noted, s)) {
		free(s);
		return;
	}
	json_object_set_new_nocheck(p->noted, s, json_null());
	if (p->n_notes == p->notes_alloc) {
		p->notes_alloc = p->notes_alloc ? 2 * p->notes_alloc : 16;
		p->notes = xrealloc(p->notes,
				    p->notes_alloc * sizeof(*p->notes));
	}
	p->notes[p->n_notes++] = s;
}

void
fix_plan_note(struct fix_plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_add(p, xvasprintf(fmt, ap));
	va_end(ap);
}

#define plan_note fix_plan_note

/* One part of an identity: '-' for NULL, else its length and bytes. */
static void
ident_part(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_addf(sb, "+%zu:%s", strlen(s), s);
	else
		strbuf_addch(sb, '-');
}

/* What tells two plan items apart, as one string. Caller frees. */
static char *
item_ident(enum fix_kind kind, const char *object, const char *device,
	   const char *key)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%d", (int)kind);
	ident_part(&sb, object);
	ident_part(&sb, device);
	ident_part(&sb, key);
	return strbuf_detach(&sb);
}

static bool
item_is(const struct fix_item *it, const char *object, enum fix_kind kind,
	const char *device, const char *key)
{
	return it->kind == kind && str_eq(it->object, object) &&
	       str_eq(it->device, device) && str_eq(it->key, key);
}

/*
 * An item for the same change is already planned (several findings, say
 * an instance and its profile, lead to one change). The items added
 * since the last call are indexed first: a fixer sets an item's device
 * and key right after adding it, before it asks again. An index entry
 * whose item was taken back (p->n went down) is seen and rebuilt.
 */
static bool
planned(struct fix_plan *p, const char *object, enum fix_kind kind,
	const char *device, const char *key)
{
	char *want;
	const json_t *at;
	size_t i;

	for (int round = 0; round < 2; round++) {
		if (!p->planned || p->n_planned > p->n || round) {
			json_decref(p->planned);
			p->planned = json_object();
			p->n_planned = 0;
		}
		for (; p->n_planned < p->n; p->n_planned++) {
			const struct fix_item *it = &p->v[p->n_planned];
			char *k = item_ident(it->kind, it->object, it->device,
					     it->key);

			if (!json_object_get(p->planned, k))
				json_object_set_new_nocheck(
					p->planned, k,
					json_integer((json_int_t)p->n_planned));
			free(k);
		}
		want = item_ident(kind, object, device, key);
		at = json_object_get(p->planned, want);
		free(want);
		if (!at)
			return false;
		i = (size_t)json_integer_value(at);
		if (i < p->n && item_is(&p->v[i], object, kind, device, key))
			return true;
	}
	return false;
}

const char *
fix_set_value(const struct fix_opts *o, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; o && i < o->n_set; i++) {
		const char *s = o->set[i];

		if (!strncmp(s, key, len) && s[len] == '=')
			return s + len + 1;
	}
	return NULL;
}

/*
 * The --set value for a server key on one cluster member: KEY@MEMBER=V,
 * else an empty KEY= (unset on every member). A plain KEY=ADDRESS is not
 * taken for a member: one address cannot be right on every machine.
 * member NULL: KEY=V.
 */
static const char *
server_set_value(const struct fix_opts *o, const char *key,
		 const char *member)
{
	size_t len = strlen(key);
	const char *v;

	for (size_t i = 0; member && o && i < o->n_set; i++) {
		const char *s = o->set[i];
		size_t ml = strlen(member);

		if (!strncmp(s, key, len) && s[len] == '@' &&
		    !strncmp(s + len + 1, member, ml) && s[len + 1 + ml] == '=')
			return s + len + 1 + ml + 1;
	}
	v = fix_set_value(o, key);
	return member && v && v[0] ? NULL : v;
}

/* ---- objects of the snapshot ---- */

/*
 * Splits "/1.0/KIND/NAME?project=P" into its parts, decoded, in the
 * caller's buffers. Returns -1 for anything else.
 */
static int
split_object(const char *url, char *kind, size_t klen, char *name,
	     size_t nlen, char *project, size_t plen)
{
	const char *k, *n, *q;
	char *enc, *dec;

	if (!str_starts_with(url, "/1.0/"))
		return -1;
	k = url + 5;
	n = strchr(k, '/');
	if (!n || (size_t)(n - k) >= klen)
		return -1;
	memcpy(kind, k, (size_t)(n - k));
	kind[n - k] = '\0';
	n++;
	q = strchr(n, '?');
	if (!q)
		q = n + strlen(n);
	if ((size_t)(q - n) >= nlen || q == n)
		return -1;
	/* the parts are percent-encoded (snapshot_object): decode them */
	enc = xstrndup(n, (size_t)(q - n));
	dec = unescape_url(enc);
	snprintf(name, nlen, "%s", dec);
	free(enc);
	free(dec);
	dec = unescape_url(str_starts_with(q, "?project=") ? q + 9 :
							     "default");
	snprintf(project, plen, "%s", dec);
	free(dec);
	return 0;
}

/* The snapshot's JSON of an instance, profile, network or project. */
static const json_t *
find_object(const struct snapshot *s, const char *url)
{
	char kind[32], name[256], project[256];
	enum snap_kind sk;

	if (split_object(url, kind, sizeof(kind), name, sizeof(name), project,
			 sizeof(project)) != 0)
		return NULL;
	if (str_eq(kind, "instances"))
		sk = SNAP_INSTANCES;
	else if (str_eq(kind, "profiles"))
		sk = SNAP_PROFILES;
	else if (str_eq(kind, "networks"))
		sk = SNAP_NETWORKS;
	else if (str_eq(kind, "projects"))
		sk = SNAP_PROJECTS;
	else if (str_eq(kind, "storage-pools"))
		sk = SNAP_STORAGE_POOLS;
	else
		return NULL;
	/* a hash lookup: planning every finding of 100,000 instances must
	   not scan the instance list once per finding */
	if (sk == SNAP_PROJECTS || sk == SNAP_STORAGE_POOLS)
		return snapshot_find(s, sk, NULL, name);
	return snapshot_find(s, sk, project, name);
}

/*
 * " --project P" into buf, default too: a client switched to another
 * project would otherwise change the object of that name there (and the
 * audit's advice, made from these commands, says it the same way).
 */
static void
project_arg(const char *url, char *buf, size_t len)
{
	char kind[32], name[256], project[256];

	buf[0] = '\0';
	if (split_object(url, kind, sizeof(kind), name, sizeof(name), project,
			 sizeof(project)) == 0)
		snprintf(buf, len, " --project %s", shq(project));
}

static const char *
object_name(const char *url, char *buf, size_t len)
{
	char kind[32], project[256];

	if (split_object(url, kind, sizeof(kind), buf, len, project,
			 sizeof(project)) != 0)
		snprintf(buf, len, "%s", url);
	return buf;
}

/* ---- fixers ---- */

static const char *
check_id(const struct fix_ctx *x)
{
	return x->result->check->id;
}

/*
 * A server key: set to fx->value (NULL: unset; "POLICY-EXPIRY": the
 * policy's token maximum); FIX_NEEDS_VALUE keys take --set KEY=VALUE.
 */
static void
fix_server_key(const struct fixer *fx, const struct finding *f,
	       const struct fix_ctx *x, struct fix_plan *p)
{
	const char *client = snapshot_client(x->snap);
	const json_t *srv = snapshot_part(x->snap, SNAP_SERVER, NULL);
	const json_t *old = json_object_get(json_object_get(srv, "config"),
					    f->key ? f->key : "");
	const char *key = f->key, *value = fx->value, *given;
	enum fix_risk risk = fx->risk;
	/*
	 * A member-local key of a cluster member (object /1.0?target=M) is
	 * changed on that member: the request and the command name it.
	 */
	char *member = snapshot_object_member(f->object);
	const char *object = member ? f->object : "/1.0";
	char *tgt;
	struct fix_item *it;
	char expiry[32];

	if (member && (!key || !snapshot_key_member_local(key))) {
		free(member);
		member = NULL;
		object = "/1.0";
	}
	if (str_empty(key) || planned(p, object, FIXK_SERVER_KEY, NULL, key)) {
		free(member);
		return;
	}
	if (member)
		old = json_object_get(json_object_get(snapshot_member(x->snap,
								      member),
						      "config"),
				      key);
	tgt = xasprintf("%s%s", member ? " --target " : "",
			member ? shq(member) : "");
	if (value && str_eq(value, "POLICY-EXPIRY")) {
		const struct policy *pol = x->opts->policy;

		lxdval_expiry_expr(pol ? pol->token_expiry_max : 15 * 60,
				   expiry, sizeof(expiry));
		value = expiry;
	}
	given = server_set_value(x->opts, key, member);
	if (given) {
		value = given[0] ? given : NULL;
	} else if (risk == FIX_NEEDS_VALUE && str_eq(key, "core.debug_address")) {
		/* the unauthenticated listener just goes */
		value = NULL;
		risk = FIX_SAFE;
	}
	it = fix_plan_add(p, check_id(x), object, FIXK_SERVER_KEY);
	it->key = xstrdup(key);
	it->old_present = old != NULL;
	if (json_is_string(old))
		it->old_value = xstrdup(json_string_value(old));
	else if (old)
		it->old_value = xstrdup("(hidden)");
	it->new_value = dup0(value);
	it->risk = risk;
	if (fx->effect)
		it->effect = xstrdup(fx->effect);
	if (str_eq(key, "core.trust_password")) {
		/* LXD never returns the password: rollback cannot restore it */
		it->reversible = false;
		it->risk = FIX_OPTIN;
	}
	if (risk == FIX_NEEDS_VALUE && !given) {
		/* no command until the value is given: it is a need */
		free(it->effect);
		it->effect = xasprintf("the tool cannot guess the value; "
				       "name it with --set %s%s%s=VALUE (or "
				       "--set %s%s%s= to unset it)", key,
				       member ? "@" : "", member ? member : "",
				       key, member ? "@" : "",
				       member ? member : "");
	} else if (value) {
		it->command = xasprintf("%s config set %s=%s%s", client,
					shq(key), shq(value), tgt);
	} else {
		it->command = xasprintf("%s config unset %s%s", client,
					shq(key), tgt);
	}
	free(tgt);
	free(member);
	if (given && risk == FIX_NEEDS_VALUE) {
		/* naming the value is the consent */
		it->risk = FIX_OPTIN;
		free(it->effect);
		it->effect = str_ends_with(key, "_address") ?
			xasprintf("clients using the old address of %s lose "
				  "their connection", key) :
			xasprintf("the server uses the %s you gave from now on",
				  key);
	}
}

/* LOG-004 on LXD: loki.api.url is the user's to name (loki.types, the
   other finding, keeps the check's own command). */
static void
fix_loki_url(const struct fixer *fx, const struct finding *f,
	     const struct fix_ctx *x, struct fix_plan *p)
{
	if (str_eq(f->key, "loki.api.url"))
		fix_server_key(fx, f, x, p);
}

/* The object a key of a finding is changed on: where it came from. */
static const char *
target_of(const struct finding *f)
{
	if (f->source && str_starts_with(f->source, "/1.0/"))
		return f->source;
	return f->object;
}

static void
add_config_key(const struct fixer *fx, const struct fix_ctx *x,
	       struct fix_plan *p, const char *target, const char *key,
	       const char *value)
{
	const json_t *obj = find_object(x->snap, target);
	const json_t *old = json_object_get(json_object_get(obj, "config"),
					    key);
	const char *client = snapshot_client(x->snap);
	char kind[32], name[256], project[256], parg[300];
	struct fix_item *it;
	const char *sub;

	if (planned(p, target, FIXK_CONFIG_KEY, NULL, key))
		return;
	if (!obj) {
		plan_note(p, "%s: %s is not in the audit's data; fix %s by hand",
			  check_id(x), target, key);
		return;
	}
	if (json_is_string(old) && str_eq(json_string_value(old), value))
		return;
	if (split_object(target, kind, sizeof(kind), name, sizeof(name),
			 project, sizeof(project)) != 0)
		return;
	project_arg(target, parg, sizeof(parg));
	it = fix_plan_add(p, check_id(x), target, FIXK_CONFIG_KEY);
	it->key = xstrdup(key);
	it->old_present = old != NULL;
	if (json_is_string(old))
		it->old_value = xstrdup(json_string_value(old));
	it->new_value = dup0(value);
	it->risk = fx->risk;
	if (str_eq(kind, "instances"))
		sub = "config set";
	else if (str_eq(kind, "profiles"))
		sub = "profile set";
	else if (str_eq(kind, "projects"))
		sub = "project set";
	else
		sub = "network set";
	it->command = xasprintf("%s %s %s %s=%s%s", client, sub, shq(name),
				shq(key), shq(value),
				str_eq(kind, "projects") ? "" : parg);
	if (fx->effect) {
		size_t users = json_array_size(json_object_get(obj, "used_by"));

		if (str_eq(kind, "profiles") && users)
			it->effect = xasprintf("%s; on every instance using "
					       "profile %s (%zu)",
					       fx->effect, name, users);
		else
			it->effect = xstrdup(fx->effect);
	}
}

static void
fix_config_key(const struct fixer *fx, const struct finding *f,
	       const struct fix_ctx *x, struct fix_plan *p)
{
	if (str_empty(f->key) || strchr(f->key, ' ') || strchr(f->key, ','))
		return;
	add_config_key(fx, x, p, target_of(f), f->key, fx->value);
}

static void
fix_project_restricted(const struct fixer *fx, const struct finding *f,
		       const struct fix_ctx *x, struct fix_plan *p)
{
	if (!str_starts_with(f->object, "/1.0/projects/"))
		return;
	add_config_key(fx, x, p, f->object, "restricted", "true");
}

static void
add_device_key(const struct fixer *fx, const struct fix_ctx *x,
	       struct fix_plan *p, const char *target, const char *dev,
	       const char *key, const char *value, const char *effect)
{
	const json_t *obj = find_object(x->snap, target);
	const json_t *d = json_object_get(json_object_get(obj, "devices"), dev);
	const json_t *old = json_object_get(d, key);
	const char *client = snapshot_client(x->snap);
	char kind[32], name[256], project[256], parg[300];
	struct fix_item *it;

	if (planned(p, target, FIXK_DEVICE_KEY, dev, key))
		return;
	if (!d) {
		plan_note(p, "%s: device %s of %s is not in the audit's data; "
			     "fix it by hand", check_id(x), dev, target);
		return;
	}
	if (json_is_string(old) && str_eq(json_string_value(old), value))
		return;
	if (split_object(target, kind, sizeof(kind), name, sizeof(name),
			 project, sizeof(project)) != 0)
		return;
	project_arg(target, parg, sizeof(parg));
	it = fix_plan_add(p, check_id(x), target, FIXK_DEVICE_KEY);
	it->device = xstrdup(dev);
	it->key = xstrdup(key);
	it->old_present = old != NULL;
	if (json_is_string(old))
		it->old_value = xstrdup(json_string_value(old));
	it->new_value = xstrdup(value);
	it->risk = fx->risk;
	it->command = xasprintf("%s %s device set %s %s %s=%s%s", client,
				str_eq(kind, "profiles") ? "profile" : "config",
				shq(name), shq(dev), shq(key), shq(value),
				parg);
	if (effect)
		it->effect = xstrdup(effect);
}

/* The device a finding names, on the object it came from. */
static const char *
device_target(const struct finding *f, const struct fix_ctx *x)
{
	const char *t = target_of(f);
	const json_t *obj = find_object(x->snap, t);

	/* a device the instance overrides locally is the instance's */
	if (!json_object_get(json_object_get(obj, "devices"), f->device))
		return f->object;
	return t;
}

static void
fix_disk_readonly(const struct fixer *fx, const struct finding *f,
		  const struct fix_ctx *x, struct fix_plan *p)
{
	/*
	 * Only a writable disk is fixed by readonly=true; one that shares a
	 * sensitive path (key "source") stays failing read-only too: it is
	 * removed by hand, as its remedy says.
	 */
	if (str_empty(f->device) || !str_eq(f->key, "readonly"))
		return;
	add_device_key(fx, x, p, device_target(f, x), f->device, "readonly",
		       "true", fx->effect);
}

bool
fix_net_has_family(const json_t *net, const char *family)
{
	char key[32];
	const char *v;

	snprintf(key, sizeof(key), "%s.address", family);
	v = checks_jstr(json_object_get(net, "config"), key);
	return !str_empty(v) && !str_eq(v, "none");
}

static void
fix_nic_filtering(const struct fixer *fx, const struct finding *f,
		  const struct fix_ctx *x, struct fix_plan *p)
{
	const char *target, *bridge;
	const json_t *obj, *d, *net;
	char kind[32], name[256], project[256], *nurl;
	bool v4, v6;

	if (str_empty(f->device))
		return;
	target = device_target(f, x);
	obj = find_object(x->snap, target);
	d = json_object_get(json_object_get(obj, "devices"), f->device);
	bridge = checks_jstr(d, "network");
	if (str_empty(bridge))
		bridge = checks_jstr(d, "parent");
	if (split_object(target, kind, sizeof(kind), name, sizeof(name),
			 project, sizeof(project)) != 0 || str_empty(bridge))
		return;
	nurl = snapshot_object("networks", bridge, project);
	net = find_object(x->snap, nurl);
	if (!net) {
		free(nurl);
		nurl = snapshot_object("networks", bridge, "default");
		net = find_object(x->snap, nurl);
	}
	free(nurl);
	v4 = net ? fix_net_has_family(net, "ipv4") : true;
	v6 = net ? fix_net_has_family(net, "ipv6") : false;
	if (v4)
		add_device_key(fx, x, p, target, f->device,
			       "security.ipv4_filtering", "true", fx->effect);
	if (v6)
		add_device_key(fx, x, p, target, f->device,
			       "security.ipv6_filtering", "true", fx->effect);
	if (!v4 && !v6)
		add_device_key(fx, x, p, target, f->device,
			       "security.mac_filtering", "true", fx->effect);
}

static void
fix_delete_network(const struct fixer *fx, const struct finding *f,
		   const struct fix_ctx *x, struct fix_plan *p)
{
	const json_t *obj = find_object(x->snap, f->object);
	char name[256], parg[300];
	struct fix_item *it;

	if (!obj || planned(p, f->object, FIXK_DELETE, NULL, NULL))
		return;
	if (json_array_size(json_object_get(obj, "used_by"))) {
		plan_note(p, "%s: network %s is still named by profiles; "
			     "remove those devices first",
			  check_id(x), object_name(f->object, name,
						   sizeof(name)));
		return;
	}
	project_arg(f->object, parg, sizeof(parg));
	it = fix_plan_add(p, check_id(x), f->object, FIXK_DELETE);
	it->old_present = true;
	it->risk = fx->risk;
	it->effect = xstrdup(fx->effect);
	it->command = xasprintf("%s network delete %s%s",
				snapshot_client(x->snap),
				shq(object_name(f->object, name,
						sizeof(name))),
				parg);
}

/* o as compact JSON text (caller frees); steals o. */
static char *
json_text(json_t *o)
{
	char *t = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(o);
	return t;
}

/* GEN-003: delete an unused storage pool. */
static void
fix_delete_pool(const struct fixer *fx, const struct finding *f,
		const struct fix_ctx *x, struct fix_plan *p)
{
	const json_t *obj = find_object(x->snap, f->object);
	const json_t *cfg = json_object_get(obj, "config");
	const char *driver = checks_jstr(obj, "driver"), *source;
	char name[256];
	struct fix_item *it;
	json_t *keep;

	(void)fx;
	if (!obj || planned(p, f->object, FIXK_DELETE, NULL, NULL))
		return;
	object_name(f->object, name, sizeof(name));
	if (json_array_size(json_object_get(obj, "used_by"))) {
		plan_note(p, "%s: storage pool %s is still named by profiles; "
			     "remove their disk devices on it first",
			  check_id(x), name);
		return;
	}
	if (str_empty(driver)) {
		plan_note(p, "%s: the driver of storage pool %s is unknown; "
			     "delete it by hand", check_id(x), name);
		return;
	}
	if (x->snap->clustered) {
		/*
		 * A cluster's pool exists on every member with member-local
		 * keys (source, size, ...) that the pool list hides; putting
		 * it back takes one pending create per member, then the
		 * pool, which rollback does not do. So no automatic delete.
		 */
		plan_note(p, "%s: storage pool %s is defined on every cluster "
			     "member with each member's own source; rollback "
			     "could not create it again member by member, so "
			     "it is not deleted automatically (by hand: %s "
			     "storage delete %s)", check_id(x), name,
			  snapshot_client(x->snap), shq(name));
		return;
	}
	source = checks_jstr(cfg, "source");
	it = fix_plan_add(p, check_id(x), f->object, FIXK_DELETE);
	it->old_present = true;
	it->old_value = xasprintf("storage pool %s (driver %s%s%s)", name,
				  driver, source ? ", source " : "",
				  source ? source : "");
	keep = json_pack("{s:s, s:o}", "driver", driver, "config",
			 cfg ? json_deep_copy(cfg) : json_object());
	it->old_json = json_text(keep);
	it->risk = FIX_OPTIN;
	if (str_eq(driver, "dir") && source)
		it->effect = xasprintf(
			"deletes the pool; the server empties its directory "
			"%s, which stays on disk; rollback creates the pool "
			"again with the same driver and configuration", source);
	else
		it->effect = xasprintf(
			"deletes the pool and what the server made for it "
			"(driver %s); rollback creates it again, empty, with "
			"the same driver and configuration%s%s", driver,
			source ? "; its source stays where it is: " : "",
			source ? source : "");
	it->command = xasprintf("%s storage delete %s",
				snapshot_client(x->snap), shq(name));
}

/* ACC-005: remove a certificate that has expired (recomputed from its
   PEM; expiring, not yet valid and weak certificates stay manual). */
static void
fix_remove_expired_cert(const struct fixer *fx, const struct finding *f,
			const struct fix_ctx *x, struct fix_plan *p)
{
	const char *fp, *name, *type;
	const json_t *cert;
	struct x509_info xi;
	struct diag d = { { 0 } };
	struct fix_item *it;
	char when[32];

	if (!str_starts_with(f->object, "/1.0/certificates/"))
		return;
	fp = f->object + strlen("/1.0/certificates/");
	cert = snapshot_find_by(x->snap, SNAP_CERTIFICATES, "fingerprint",
				fp);
	if (!cert || planned(p, f->object, FIXK_DELETE, NULL, NULL))
		return;
	name = checks_jstr(cert, "name");
	if (str_empty(name))
		name = fp;
	if (x509_parse_pem(checks_jstr(cert, "certificate"), &xi, &d) != 0 ||
	    xi.not_after >= x->snap->now) {
		plan_note(p, "%s: certificate %s is not expired: renew or "
			     "replace it by hand (only expired certificates "
			     "are removed)", check_id(x), name);
		return;
	}
	type = checks_jstr(cert, "type");
	format_rfc3339(xi.not_after, when, sizeof(when));
	it = fix_plan_add(p, check_id(x), f->object, FIXK_DELETE);
	it->old_present = true;
	it->old_value = xasprintf("certificate %s (type %s, expired on %s)",
				  name, type ? type : "?", when);
	it->old_json = json_text(json_pack("{s:s}", "fingerprint", fp));
	it->risk = FIX_OPTIN;
	it->reversible = false;
	it->effect = xstrdup(fx->effect);
	it->command = xasprintf("%s config trust remove %s",
				snapshot_client(x->snap), shq(fp));
}

/* ACC-011: revoke a pending trust or cluster join token (DELETE of its
   operation). Pending TLS identities are left to a person. */
static void
fix_revoke_token(const struct fixer *fx, const struct finding *f,
		 const struct fix_ctx *x, struct fix_plan *p)
{
	const char *id, *name, *kind = "trust token";
	const json_t *op, *md;
	struct fix_item *it;

	if (str_starts_with(f->object, "/1.0/auth/identities/")) {
		char *fix = remedy_text(&f->remedy);

		plan_note(p, "%s: pending TLS identity %s: not revoked "
			     "automatically; %s", check_id(x),
			  f->object + strlen("/1.0/auth/identities/"),
			  fix ? fix : "delete it by hand");
		free(fix);
		return;
	}
	if (!str_starts_with(f->object, "/1.0/operations/"))
		return;
	id = f->object + strlen("/1.0/operations/");
	op = snapshot_find_by(x->snap, SNAP_OPERATIONS, "id", id);
	if (!op || planned(p, f->object, FIXK_DELETE, NULL, NULL))
		return;
	md = json_object_get(op, "metadata");
	name = checks_jstr(json_object_get(md, "request"), "name");
	if (checks_jstr(md, "serverName")) {
		kind = "cluster join token";
		name = checks_jstr(md, "serverName");
	}
	it = fix_plan_add(p, check_id(x), f->object, FIXK_DELETE);
	it->old_present = true;
	it->old_value = xasprintf("pending %s %s", kind,
				  name ? name : "(unnamed)");
	it->old_json = json_text(json_pack("{s:s, s:i}", "class", "token",
					   "status_code", 103));
	it->risk = FIX_OPTIN;
	it->reversible = false;
	it->effect = xstrdup(fx->effect);
	it->command = xasprintf("%s operation delete %s",
				snapshot_client(x->snap), shq(id));
}

#define TMPFILES_CONF "/etc/tmpfiles.d/lxd-harden-names.conf"

/* MUL-004: chmod now, and a tmpfiles.d entry so it lasts across boots. */
static void
fix_name_leak(const struct fixer *fx, const struct finding *f,
	      const struct fix_ctx *x, struct fix_plan *p)
{
	const char *path;
	unsigned want;
	struct fix_item *it;
	struct stat st;

	if (!x->opts->host_root || !str_starts_with(f->object, "file://"))
		return;
	path = f->object + 7;
	if (str_eq(path, "/proc/sched_debug"))
		want = 0400;
	else if (str_eq(path, "/sys/kernel/slab"))
		want = 0700;
	else
		return;
	/* host files are read inside --host-root (rootfs.h) */
	if (rootfs_stat(x->opts->host_root, path, &st) != 0)
		return;
	it = fix_plan_add(p, check_id(x), f->object, FIXK_HOST_MODE);
	it->old_present = true;
	it->old_mode = (unsigned)st.st_mode & 07777;
	it->new_mode = (unsigned)st.st_mode & want;
	it->risk = fx->risk;
	it->command = xasprintf("chmod %o %s", it->new_mode, shq(path));
	if (!planned(p, "file://" TMPFILES_CONF, FIXK_HOST_FILE, NULL, NULL)) {
		it = fix_plan_add(p, check_id(x), "file://" TMPFILES_CONF,
				  FIXK_HOST_FILE);
		it->old_present = rootfs_stat(x->opts->host_root,
					      TMPFILES_CONF, &st) == 0;
		if (it->old_present) {
			struct diag d = { { 0 } };

			it->old_value = rootfs_read_file(x->opts->host_root,
							 TMPFILES_CONF, &d);
		}
		it->new_value = xstrdup(
			"# lxd-harden (LXD-MUL-004): container names do not "
			"leak\n"
			"z /proc/sched_debug 0400 - - -\n"
			"z /sys/kernel/slab 0700 - - -\n");
		it->whole_file = true;
		it->risk = fx->risk;
		/* the command: host_file_command, once all lines are in */
	}
}

/*
 * ACC-002: the admin socket back to 0660 (when wider), owner root and
 * the admin group (when they differ), as the file is now under the host
 * root.
 */
static void
fix_socket_mode(const struct fixer *fx, const struct finding *f,
		const struct fix_ctx *x, struct fix_plan *p)
{
	const struct host *h = x->opts->host;
	const struct host_group *g;
	const char *path, *group = "root";
	long want_gid = 0;
	unsigned mode;
	struct fix_item *it;
	struct stat st;
	char *chmod_cmd = NULL, *chown_cmd = NULL;
	bool owner;

	if (!h || !x->opts->host_root || !str_starts_with(f->object, "file://"))
		return;
	path = f->object + 7;
	if (!str_eq(path, h->socket_path) ||
	    planned(p, f->object, FIXK_HOST_MODE, NULL, NULL))
		return;
	if (rootfs_stat(x->opts->host_root, path, &st) != 0)
		return;
	g = h->admin_group ? host_group_by_name(h, h->admin_group) : NULL;
	if (g) {
		want_gid = g->gid;
		group = g->name;
	}
	mode = (unsigned)st.st_mode & 07777;
	owner = st.st_uid != 0 || (long)st.st_gid != want_gid;
	if (!(mode & ~0660u) && !owner)
		return;
	it = fix_plan_add(p, check_id(x), f->object, FIXK_HOST_MODE);
	it->old_present = true;
	it->old_mode = mode;
	it->new_mode = (mode & ~0660u) ? 0660 : mode;
	it->chown = owner;
	it->old_uid = (long)st.st_uid;
	it->old_gid = (long)st.st_gid;
	it->new_uid = 0;
	it->new_gid = want_gid;
	it->risk = fx->risk;
	if (it->new_mode != mode)
		chmod_cmd = xasprintf("chmod 0660 %s", shq(path));
	if (owner)
		chown_cmd = xasprintf("chown root:%s %s", shq(group),
				      shq(path));
	it->command = chmod_cmd ? chmod_cmd : chown_cmd;
	it->then = chmod_cmd ? chown_cmd : NULL;
	chmod_cmd = chown_cmd = NULL;
	it->effect = xasprintf("only root and the admin group %s can use the "
			       "socket (as the daemon creates it)", group);
	free(chmod_cmd);
	free(chown_cmd);
}


/* The item of a host file already planned, or NULL. */
static struct fix_item *
planned_file(struct fix_plan *p, const char *object)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == FIXK_HOST_FILE &&
		    str_eq(p->v[i].object, object))
			return &p->v[i];
	return NULL;
}

/* The audit rule that records executions of path, one line. */
static char *
audit_rule(const char *path)
{
	char *r = checks_audit_rule(path), *line = xasprintf("%s\n", r);

	free(r);
	return line;
}

/*
 * LOG-003: every LXD binary that no rules file watches gets a line in
 * AUDIT_RULES (kept with what it holds already). A binary that the files
 * watch but the loaded rules do not only needs augenrules --load.
 */
static void
fix_audit_rules(const struct fixer *fx, const struct finding *f,
		const struct fix_ctx *x, struct fix_plan *p)
{
	const struct host *h = x->opts->host;
	const char *bin;
	struct fix_item *it;
	char *rule, *old;
	struct diag d = { { 0 } };

	if (!h || !x->opts->host_root || !str_starts_with(f->object, "file://"))
		return;
	bin = f->object + 7;
	if (!h->auditd_path) {
		plan_note(p, "%s: install auditd first (apt-get install "
			     "auditd); then 'lxd-harden fix' writes %s",
			  check_id(x), AUDIT_RULES);
		return;
	}
	if (!strlist_has(&h->lxd_binaries, bin))
		return;
	if (strlist_has(&h->audit_file_exec, bin)) {
		plan_note(p, "%s: the rules files watch %s but the loaded "
			     "rules do not: run 'augenrules --load'",
			  check_id(x), bin);
		return;
	}
	rule = audit_rule(bin);
	it = planned_file(p, "file://" AUDIT_RULES);
	if (!it) {
		it = fix_plan_add(p, check_id(x), "file://" AUDIT_RULES,
				  FIXK_HOST_FILE);
		struct stat st;

		it->old_present = rootfs_stat(x->opts->host_root, AUDIT_RULES,
					      &st) == 0;
		old = it->old_present ? rootfs_read_file(x->opts->host_root,
							 AUDIT_RULES, &d) :
					NULL;
		if (it->old_present && !old) {
			/* unreadable: do not plan over what we cannot keep */
			plan_note(p, "%s: %s", check_id(x), d.msg);
			free(rule);
			p->n--;
			item_release(&p->v[p->n]);
			return;
		}
		it->old_value = old;
		if (old && old[0])
			it->new_value = xasprintf("%s%s", old,
						  str_ends_with(old, "\n") ?
							  "" : "\n");
		else
			it->new_value = xstrdup(
				"## lxd-harden (LXD-LOG-003): record every "
				"execution of the LXD binaries\n");
		it->new_mode = 0640;
		it->risk = fx->risk;
		it->effect = xstrdup(fx->effect);
		it->then = xstrdup("augenrules --load");
	}
	if (!strstr(it->new_value, rule)) {
		char *nv = xasprintf("%s%s", it->new_value, rule);

		free(it->new_value);
		it->new_value = nv;
	}
	free(rule);
}

/*
 * LOG-001/002 on the snap: snap set lxd KEY=true (run with a fixed argv
 * through host_ops). Packaged LXD and Incus: what to do, as a note.
 */
static void
fix_snap_setting(const struct fixer *fx, const struct finding *f,
		 const struct fix_ctx *x, struct fix_plan *p)
{
	const struct host *h = x->opts->host;
	const char *key = str_eq(check_id(x), "LXD-LOG-001") ?
				  "daemon.syslog" :
				  "daemon.verbose";
	const char *flag = str_eq(key, "daemon.syslog") ? "--syslog" :
							   "--verbose";
	int cur;
	struct fix_item *it;

	(void)f;
	if (!h || !x->opts->host_root)
		return;
	if (h->install != HOST_INSTALL_SNAP) {
		const char *svc = h->install == HOST_INSTALL_INCUS ? "incus" :
								     "lxd";

		plan_note(p, "%s: not applied by the tool: add %s with a "
			     "systemd drop-in (systemctl edit %s.service: "
			     "[Service] ExecStart= then ExecStart= the "
			     "daemon's command line with --syslog --verbose), "
			     "then systemctl restart %s",
			  check_id(x), flag, svc, svc);
		return;
	}
	cur = str_eq(key, "daemon.syslog") ? h->snap_syslog : h->snap_verbose;
	if (cur > 0 || (str_eq(key, "daemon.verbose") && h->snap_debug > 0)) {
		plan_note(p, "%s: %s is set but not in effect: run 'snap "
			     "restart lxd.daemon'", check_id(x), key);
		return;
	}
	if (planned(p, "snap:lxd", FIXK_SNAP_SET, NULL, key))
		return;
	it = fix_plan_add(p, check_id(x), "snap:lxd", FIXK_SNAP_SET);
	it->key = xstrdup(key);
	it->old_present = cur >= 0;
	if (cur >= 0)
		it->old_value = xstrdup(cur ? "true" : "false");
	it->new_value = xstrdup("true");
	it->risk = fx->risk;
	it->effect = xstrdup(fx->effect);
	it->command = xasprintf("snap set lxd %s=true", key);
	it->then = xstrdup("snap restart lxd.daemon");
}

#define SAFE FIX_SAFE
#define OPTIN FIX_OPTIN

static const struct fixer fixers[] = {
	{ "LXD-ACC-003", fix_server_key, "false", SAFE, NULL, false },
	{ "LXD-ACC-004", fix_server_key, NULL, OPTIN,
	  "not reversible: LXD never returns the trust password, so "
	  "rollback cannot set it again", false },
	{ "LXD-ACC-009", fix_server_key, "POLICY-EXPIRY", SAFE, NULL, false },
	{ "LXD-ACC-010", fix_server_key, "POLICY-EXPIRY", SAFE, NULL, false },
	{ "LXD-NET-001", fix_server_key, NULL, FIX_NEEDS_VALUE, NULL, false },
	{ "LXD-NET-002", fix_server_key, NULL, FIX_NEEDS_VALUE, NULL, false },
	{ "LXD-NET-005", fix_server_key, "true", SAFE, NULL, false },
	{ "LXD-NET-006", fix_server_key, NULL, FIX_NEEDS_VALUE, NULL, false },
	{ "LXD-LOG-004", fix_loki_url, NULL, FIX_NEEDS_VALUE, NULL, false },
	{ "LXD-GEN-002", fix_delete_network, NULL, OPTIN,
	  "deletes the network; rollback creates it again with the same "
	  "configuration", false },
	{ "LXD-INS-001", fix_config_key, "false", OPTIN,
	  "restart needed to take effect; the root filesystem is remapped "
	  "to the unprivileged id range at the next start", true },
	{ "LXD-INS-003", fix_config_key, "false", OPTIN,
	  "restart needed to take effect; nested containers inside stop "
	  "working", true },
	{ "LXD-INS-004", fix_config_key, "true", OPTIN,
	  "restart needed; the root filesystem is remapped to an isolated "
	  "id range at the next start", true },
	{ "LXD-INS-008", fix_config_key, "false", SAFE, NULL, false },
	{ "LXD-DEV-002", fix_disk_readonly, NULL, OPTIN,
	  "the disk is re-attached read-only; writes from the running "
	  "instance fail", false },
	{ "LXD-DEV-003", fix_nic_filtering, NULL, OPTIN,
	  "the NIC of a running instance is re-plugged: brief loss of "
	  "connectivity, and spoofed traffic is dropped", false },
	{ "LXD-MUL-004", fix_name_leak, NULL, SAFE, NULL, false },
	{ "LXD-GEN-003", fix_delete_pool, NULL, OPTIN, NULL, false },
	{ "LXD-ACC-002", fix_socket_mode, NULL, SAFE, NULL, false },
	{ "LXD-ACC-005", fix_remove_expired_cert, NULL, OPTIN,
	  "the client can no longer connect with it (it has expired "
	  "anyway); not reversible: the server refuses to add an expired "
	  "certificate, so rollback cannot put it back (the journal keeps "
	  "its PEM, name, type and projects)", false },
	{ "LXD-ACC-011", fix_revoke_token, NULL, OPTIN,
	  "whoever holds the token can no longer use it; not reversible: "
	  "the server never issues the same secret again (issue a new "
	  "token if it is still needed)", false },
	{ "LXD-LOG-003", fix_audit_rules, NULL, OPTIN,
	  "auditd loads the rules at boot, or now with 'augenrules --load'; "
	  "every execution of the binaries is then logged", false },
	{ "LXD-LOG-001", fix_snap_setting, NULL, OPTIN,
	  "takes effect at the next daemon restart ('snap restart "
	  "lxd.daemon'; instances keep running, the API is briefly away)", true },
	{ "LXD-LOG-002", fix_snap_setting, NULL, OPTIN,
	  "takes effect at the next daemon restart ('snap restart "
	  "lxd.daemon'; instances keep running, the API is briefly away); "
	  "the log grows faster", true },
	{ "LXD-MUL-002", fix_project_restricted, NULL, OPTIN,
	  "instances of the project that use what a restricted project "
	  "forbids can no longer be changed or started", false },
};

/* Checks whose fix is not automatic: what the plan says instead. */
static const struct {
	const char *check;
	const char *note;
} manual_notes[] = {
	{ "LXD-INS-002", "limits come from the hardened profile: run "
			 "'lxd-harden profile create NAME --attach all'" },
};

/* The fixers that change the machine the tool runs on, not the daemon. */
static bool
host_fixer(const struct fixer *fx)
{
	return fx->fn == fix_name_leak || fx->fn == fix_socket_mode ||
	       fx->fn == fix_audit_rules || fx->fn == fix_snap_setting;
}

/* Whether text has line as one of its lines. */
static bool
line_in(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *o = text; o && *o;) {
		const char *oe = strchr(o, '\n');
		size_t olen = oe ? (size_t)(oe - o) : strlen(o);

		if (olen == len && !strncmp(o, line, len))
			return true;
		o = oe ? oe + 1 : o + olen;
	}
	return false;
}

/*
 * A host file's command: printf of the lines it gains, appended to it
 * (the plan writes the whole file, with its old lines kept); a file that
 * is the tool's own (whole_file) is written whole, so pasting it twice
 * does no harm. Comment lines are left to the plan.
 */
static void
host_file_command(struct fix_item *it)
{
	struct strbuf sb = STRBUF_INIT;
	const char *l = it->new_value, *e;
	bool any = false;

	strbuf_addstr(&sb, "printf '%s\\n'");
	while (l && *l) {
		size_t len;
		char *line;

		e = strchr(l, '\n');
		len = e ? (size_t)(e - l) : strlen(l);
		line = xstrndup(l, len);
		if (len && line[0] != '#' &&
		    (it->whole_file ||
		     !(it->old_value && line_in(it->old_value, line)))) {
			strbuf_addf(&sb, " %s", shq(line));
			any = true;
		}
		free(line);
		l = e ? e + 1 : l + len;
	}
	strbuf_addf(&sb, " %s %s", it->whole_file ? ">" : ">>",
		    shq(it->object + 7));
	free(it->command);
	it->command = any ? strbuf_detach(&sb) : NULL;
	strbuf_release(&sb);
}

static const struct fixer *
fixer_of(const char *check)
{
	for (size_t k = 0; k < ARRAY_SIZE(fixers); k++)
		if (str_eq(fixers[k].check, check))
			return &fixers[k];
	return NULL;
}

static void
plan_finishing(struct fix_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == FIXK_HOST_FILE)
			host_file_command(&p->v[i]);
}

void
fix_remedy_attach(struct report *r, const struct snapshot *s,
		  const struct fix_opts *o)
{
	for (size_t i = 0; i < r->n; i++) {
		struct check_result *cr = &r->results[i];
		struct fix_ctx x = { .snap = s, .opts = o, .result = cr };
		const struct fixer *fx = fixer_of(cr->check->id);

		if (cr->status != ST_FAIL || !fx ||
		    (o->host_withheld && host_fixer(fx)))
			continue;
		for (size_t j = 0; j < cr->findings.n; j++) {
			struct finding *f = &cr->findings.v[j];
			struct fix_plan p = { 0 };
			struct remedy *rm = &f->remedy;

			if (f->status != ST_FAIL || f->waiver_reason)
				continue;
			fx->fn(fx, f, &x, &p);
			plan_finishing(&p);
			if (p.n) {
				rm->fixable = true;
				rm->reversible = true;
				rm->opt_in = false;
				rm->restart = fx->restart;
				rm->host = host_fixer(fx);
				/* and the commands below, like any; the
				   text is derived again from here on */
				finding_remedy_clear_commands(f);
			}
			for (size_t k = 0; k < p.n; k++) {
				const struct fix_item *it = &p.v[k];

				if (it->command)
					finding_remedy_cmd(f, "%s", it->command);
				if (it->then)
					finding_remedy_cmd(f, "%s", it->then);
				if (it->risk == FIX_NEEDS_VALUE && it->key) {
					/* named as --set takes it */
					char *m = snapshot_object_member(
						it->object);
					char *name = m ? xasprintf("%s@%s",
								   it->key, m) :
							 xstrdup(it->key);

					finding_remedy_need(
						f, name, "%s",
						it->effect ? it->effect :
							     "the tool cannot "
							     "guess it");
					free(name);
					free(m);
				}
				if (!it->reversible)
					rm->reversible = false;
				if (it->risk != FIX_SAFE || !it->reversible)
					rm->opt_in = true;
			}
			fix_plan_release(&p);
		}
	}
}

void
fix_plan_build(const struct report *r, const struct snapshot *s,
	       const struct fix_opts *o, struct fix_plan *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *cr = &r->results[i];
		struct fix_ctx x = { .snap = s, .opts = o, .result = cr };
		const struct fixer *fx = NULL;

		if (cr->status != ST_FAIL)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(fixers); k++)
			if (str_eq(fixers[k].check, cr->check->id))
				fx = &fixers[k];
		if (!fx) {
			const char *note = "no automatic fix (see 'lxd-harden "
					   "explain')";

			for (size_t k = 0; k < ARRAY_SIZE(manual_notes); k++)
				if (str_eq(manual_notes[k].check,
					   cr->check->id))
					note = manual_notes[k].note;
			plan_note(p, "%s: %s", cr->check->id, note);
			continue;
		}
		if (o->host_withheld && host_fixer(fx)) {
			plan_note(p, "%s: not planned: it changes this "
				     "machine, and the daemon audited is a "
				     "private one (its socket is not the "
				     "system's); add --host to plan it", fx->check);
			continue;
		}
		for (size_t j = 0; j < cr->findings.n; j++) {
			const struct finding *f = &cr->findings.v[j];

			if (f->status != ST_FAIL || f->waiver_reason)
				continue;
			fx->fn(fx, f, &x, p);
		}
	}
	plan_finishing(p);
	json_decref(p->planned);	/* rebuilt if anyone asks again */
	p->planned = NULL;
	p->n_planned = 0;
}

bool
fix_only_matches(const char *only, const struct fix_item *it)
{
	size_t len = strlen(it->check);
	const char *rest;
	char name[256], want[512];
	char *member;

	if (strncmp(only, it->check, len) != 0)
		return false;
	rest = only + len;
	if (!*rest)
		return true;
	if (*rest != ':')
		return false;
	rest++;
	if (str_starts_with(it->object, "file://"))
		return str_eq(rest, it->object + 7);
	member = snapshot_object_member(it->object);
	if (member)	/* a cluster member's own server key: by member */
		snprintf(name, sizeof(name), "%s", member);
	else
		object_name(it->object, name, sizeof(name));
	free(member);
	if (str_eq(rest, name))
		return true;
	if (it->device) {
		snprintf(want, sizeof(want), "%s/%s", name, it->device);
		if (str_eq(rest, want))
			return true;
	}
	if (it->key) {
		snprintf(want, sizeof(want), "%s/%s", name, it->key);
		if (str_eq(rest, want))
			return true;
		if (str_eq(rest, it->key))
			return true;
	}
	return false;
}

void
fix_plan_select(struct fix_plan *p, const struct fix_opts *o)
{
	for (size_t i = 0; i < p->n; i++) {
		struct fix_item *it = &p->v[i];
		bool named = false;

		for (size_t k = 0; k < o->n_only; k++)
			if (fix_only_matches(o->only[k], it))
				named = true;
		if (it->kind == FIXK_SERVER_KEY) {
			char *m = snapshot_object_member(it->object);

			if (server_set_value(o, it->key, m))
				named = true;
			free(m);
		}
		if (o->n_only)
			it->selected = named;
		else
			it->selected = (it->risk == FIX_SAFE && it->reversible) ||
				       named;
		if (it->risk == FIX_NEEDS_VALUE)
			it->selected = false;
	}
}

static void
print_value(FILE *f, bool present, const char *v)
{
	if (!present)
		fputs("(absent)", f);
	else
		fprintf(f, "\"%s\"", termq(v));
}

/* The lines of new that old does not have, as "+ LINE". */
static void
print_added_lines(FILE *f, const char *old, const char *new)
{
	const char *l = new, *e;

	while (l && *l) {
		size_t len;
		bool seen = false;

		e = strchr(l, '\n');
		len = e ? (size_t)(e - l) : strlen(l);
		for (const char *o = old; o && *o;) {
			const char *oe = strchr(o, '\n');
			size_t olen = oe ? (size_t)(oe - o) : strlen(o);

			if (olen == len && !strncmp(o, l, len)) {
				seen = true;
				break;
			}
			o = oe ? oe + 1 : o + olen;
		}
		if (!seen && len) {
			char *line = xstrndup(l, len);

			fprintf(f, "        + %s\n", termq(line));
			free(line);
		}
		l = e ? e + 1 : l + len;
	}
}

/* A created object: its config keys and devices, one a line. */
static void
print_json_object(FILE *f, const char *text)
{
	json_t *o = json_loads(text ? text : "", 0, NULL);
	const char *k;
	json_t *v;

	json_object_foreach(json_object_get(o, "config"), k, v)
		fprintf(f, "        %s=%s\n", termq(k),
			termq(json_is_string(v) ? json_string_value(v) : "?"));
	json_object_foreach(json_object_get(o, "devices"), k, v) {
		char *d = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);

		fprintf(f, "        device %s: %s\n", termq(k),
			termq(d ? d : "?"));
		free(d);
	}
	json_decref(o);
}

static void
print_item(FILE *f, const struct fix_item *it)
{
	fprintf(f, "  %s %s %s", it->selected ? "[x]" : "[ ]", it->check,
		termq(it->object));
	if (it->device)
		fprintf(f, " device %s", termq(it->device));
	fputc('\n', f);
	switch (it->kind) {
	case FIXK_SERVER_KEY:
	case FIXK_CONFIG_KEY:
	case FIXK_DEVICE_KEY:
		fprintf(f, "      %s: ", termq(it->key));
		print_value(f, it->old_present, it->old_value);
		fputs(" -> ", f);
		if (it->risk == FIX_NEEDS_VALUE)
			fputs("(a value you give)", f);
		else
			print_value(f, it->new_value != NULL, it->new_value);
		fputc('\n', f);
		break;
	case FIXK_DELETE:
		if (it->old_value)
			fprintf(f, "      %s -> (deleted)\n",
				termq(it->old_value));
		else
			fputs("      delete the object\n", f);
		break;
	case FIXK_HOST_FILE:
		fprintf(f, "      write %s (%s before)\n", termq(it->object + 7),
			it->old_present ? "present" : "absent");
		print_added_lines(f, it->old_value, it->new_value);
		break;
	case FIXK_CREATE:
		fprintf(f, "      create it:\n");
		print_json_object(f, it->new_value);
		break;
	case FIXK_DEVICE_SET:
		fprintf(f, "      device %s: %s -> %s\n", termq(it->device),
			termq(it->old_value ? it->old_value : "(absent)"),
			termq(it->new_value));
		break;
	case FIXK_PROFILES:
		fprintf(f, "      profiles: %s -> %s\n", termq(it->old_value),
			termq(it->new_value));
		break;
	case FIXK_SNAP_SET:
		fprintf(f, "      snap lxd %s: ", termq(it->key));
		print_value(f, it->old_present, it->old_value);
		fputs(" -> ", f);
		print_value(f, true, it->new_value);
		fputc('\n', f);
		break;
	case FIXK_HOST_MODE:
		if (it->new_mode != it->old_mode || !it->chown)
			fprintf(f, "      mode %04o -> %04o\n", it->old_mode,
				it->new_mode);
		if (it->chown)
			fprintf(f, "      owner %ld:%ld -> %ld:%ld\n",
				it->old_uid, it->old_gid, it->new_uid,
				it->new_gid);
		break;
	}
	if (it->command)
		fprintf(f, "      command: %s\n", cmdq(it->command));
	if (it->then)
		fprintf(f, "      then: %s\n", cmdq(it->then));
	if (it->effect)
		fprintf(f, "      effect: %s\n", termq(it->effect));
	if (!it->reversible)
		fputs("      not reversible: rollback cannot undo this\n", f);
}

void
fix_plan_print(FILE *f, const struct fix_plan *p, bool apply)
{
	static const struct {
		enum fix_risk risk;
		const char *title;
	} groups[] = {
		{ FIX_SAFE, "Safe (applied by 'fix --apply')" },
		{ FIX_OPTIN, "Opt-in (applied only when named: --only "
			     "CHECK[:NAME[/DEVICE]])" },
		{ FIX_NEEDS_VALUE, "Needs a value (--set KEY=VALUE)" },
	};

	fprintf(f, "%s: %zu change%s\n", apply ? "Changes" : "Plan", p->n,
		p->n == 1 ? "" : "s");
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		bool any = false;

		for (size_t i = 0; i < p->n; i++) {
			const struct fix_item *it = &p->v[i];
			enum fix_risk shown = it->risk == FIX_SAFE &&
							      !it->reversible ?
						      FIX_OPTIN :
						      it->risk;

			if (shown != groups[g].risk)
				continue;
			if (!any)
				fprintf(f, "\n%s:\n", groups[g].title);
			any = true;
			print_item(f, it);
		}
	}
	if (p->n_notes) {
		fputs("\nNot fixed automatically:\n", f);
		for (size_t i = 0; i < p->n_notes; i++)
			fprintf(f, "  %s\n", termq(p->notes[i]));
	}
	fputs("\n[x] = applied by this run\n", f);
}

void
fix_plan_print_items(FILE *f, const struct fix_plan *p)
{
	fprintf(f, "Plan: %zu change%s\n\n", p->n, p->n == 1 ? "" : "s");
	for (size_t i = 0; i < p->n; i++)
		print_item(f, &p->v[i]);
	if (p->n_notes) {
		fputs("\nNotes:\n", f);
		for (size_t i = 0; i < p->n_notes; i++)
			fprintf(f, "  %s\n", termq(p->notes[i]));
	}
}
