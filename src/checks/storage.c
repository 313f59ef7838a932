/* storage.c - STO checks: storage pools that share a backing device */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "lxdval.h"

/*
 * One thing a pool is backed by: a path (a directory, block device or
 * loop file), or a name in a driver's namespace (a zpool, a volume group,
 * a Ceph pool, a btrfs filesystem UUID).
 */
struct backing {
	char *space;		/* "path", "zpool", "vg", "ceph", ... */
	char *ident;		/* a clean path, or the name */
	const char *key;	/* the config key it came from */
	const char *raw;	/* its value as configured */
};

struct pool {
	const char *name;
	const char *driver;
	const json_t *config;
	struct backing b[6];
	size_t nb;
};

static void
add_backing(struct pool *p, const char *space, const char *ident,
	    size_t n, const char *key, const char *raw)
{
	struct backing *b;

	if (p->nb == sizeof(p->b) / sizeof(p->b[0]) || !n)
		return;
	b = &p->b[p->nb++];
	b->space = xstrdup(space);
	b->ident = str_eq(space, "path") ? checks_clean_path(ident) :
					   xstrndup(ident, n);
	b->key = key;
	b->raw = raw;
}

/*
 * What backs a pool, from the keys that name it: source and
 * volatile.initial_source (paths, or names once LXD rewrote them),
 * zfs.pool_name, lvm.vg_name, ceph.osd.pool_name.
 */
static void
pool_backings(struct pool *p)
{
	static const char *const path_keys[] = { "source",
						 "volatile.initial_source" };
	const char *d = p->driver ? p->driver : "";
	const char *v;

	for (size_t i = 0; i < ARRAY_SIZE(path_keys); i++) {
		v = checks_jstr(p->config, path_keys[i]);
		if (str_empty(v))
			continue;
		if (v[0] == '/')
			add_backing(p, "path", v, strlen(v), path_keys[i], v);
		else if (str_eq(d, "zfs"))
			/* "tank/lxd" lives on zpool "tank" */
			add_backing(p, "zpool", v, strcspn(v, "/"),
				    path_keys[i], v);
		else if (str_eq(d, "lvm"))
			add_backing(p, "vg", v, strlen(v), path_keys[i], v);
		else
			add_backing(p, d, v, strlen(v), path_keys[i], v);
	}
	v = checks_jstr(p->config, "zfs.pool_name");
	if (str_eq(d, "zfs") && !str_empty(v))
		add_backing(p, "zpool", v, strcspn(v, "/"), "zfs.pool_name", v);
	v = checks_jstr(p->config, "lvm.vg_name");
	if (str_eq(d, "lvm") && !str_empty(v))
		add_backing(p, "vg", v, strlen(v), "lvm.vg_name", v);
	v = checks_jstr(p->config, "ceph.osd.pool_name");
	if (str_eq(d, "ceph") && !str_empty(v)) {
		const char *cl = checks_jstr(p->config, "ceph.cluster_name");
		char *id = xasprintf("%s/%s", str_empty(cl) ? "ceph" : cl, v);

		add_backing(p, "ceph", id, strlen(id), "ceph.osd.pool_name", v);
		free(id);
	}
}

static void
pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->nb; i++) {
		free(p->b[i].space);
		free(p->b[i].ident);
	}
	p->nb = 0;
}

static bool
backings_meet(const struct backing *a, const struct backing *b)
{
	if (!str_eq(a->space, b->space))
		return false;
	if (str_eq(a->space, "path"))
		return checks_path_within(a->ident, b->ident) ||
		       checks_path_within(b->ident, a->ident);
	return str_eq(a->ident, b->ident);
}

/*
 * The mount-option key of a driver and its default: btrfs mounts the pool
 * with btrfs.mount_options; block-backed drivers mount each filesystem
 * volume with volume.block.mount_options. dir, cephfs and zfs datasets
 * have none.
 */
static const char *
mount_key(const struct pool *p, const char **def)
{
	static const char *const block[] = { "lvm", "ceph", "powerflex",
					     "pure", "powerstore", "alletra" };
	const char *d = p->driver;

	*def = NULL;
	if (str_eq(d, "btrfs")) {
		*def = "user_subvol_rm_allowed";
		return "btrfs.mount_options";
	}
	for (size_t i = 0; i < ARRAY_SIZE(block); i++) {
		if (str_eq(d, block[i])) {
			*def = "discard";
			return "volume.block.mount_options";
		}
	}
	if (str_eq(d, "zfs") &&
	    lxdval_is_true(checks_jstr(p->config, "volume.zfs.block_mode"))) {
		*def = "discard";
		return "volume.block.mount_options";
	}
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The options sorted, so "a,b" and "b,a" compare equal. Caller frees. */
static char *
sorted_options(const char *v)
{
	char *copy = xstrdup(v), *p = copy;
	const char **parts = xcalloc(strlen(v) + 1, sizeof(*parts));
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

	while (*p) {
		size_t m = strcspn(p, ",");

		if (m)
			parts[n++] = p;
		if (!p[m])
			break;
		p[m] = '\0';
		p += m + 1;
	}
	qsort(parts, n, sizeof(*parts), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		strbuf_addstr(&sb, parts[i]);
	}
	free(parts);
	free(copy);
	return strbuf_detach(&sb);
}

/* "btrfs.mount_options=x" or "no mount options"; caller frees. */
static char *
options_text(const struct pool *p, const char **value)
{
	const char *def;
	const char *key = mount_key(p, &def);
	const char *v;

	*value = NULL;
	if (!key)
		return xstrdup("no mount options");
	v = checks_jstr(p->config, key);
	*value = v ? v : def;
	return xasprintf("%s=%s%s", key, *value, v ? "" : " (default)");
}

/* The first backings of a and of b that meet, or false. */
static bool
pools_meet(const struct pool *a, const struct pool *b,
	   const struct backing **ba, const struct backing **bb)
{
	for (size_t i = 0; i < a->nb; i++)
		for (size_t j = 0; j < b->nb; j++)
			if (backings_meet(&a->b[i], &b->b[j])) {
				*ba = &a->b[i];
				*bb = &b->b[j];
				return true;
			}
	return false;
}

/* The finding on b for sharing a backing with a (ba and bb meet). */
static void
judge_pair(const struct check *c, const struct check_ctx *x,
	   const struct pool *a, const struct pool *b,
	   const struct backing *ba, const struct backing *bb,
	   const char *member, struct findings *out)
{
	const char *va, *vb, *ka, *kb, *def;
	char *ta, *tb, *sa = NULL, *sb = NULL, *obj, where[300] = "";
	bool differ;
	struct finding *f;

	if (member)
		snprintf(where, sizeof(where), " on cluster member %s", member);
	ta = options_text(a, &va);
	tb = options_text(b, &vb);
	ka = mount_key(a, &def);
	kb = mount_key(b, &def);
	/* only two pools that both mount with options can disagree */
	if (ka && kb) {
		sa = sorted_options(va);
		sb = sorted_options(vb);
	}
	differ = sa && sb && !str_eq(sa, sb);
	obj = xasprintf("/1.0/storage-pools/%s", urlq(b->name));
	if (differ) {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Storage pools %s and %s share their backing "
				 "%s (%s %s=%s; %s %s=%s)%s with different "
				 "mount options (%s %s; %s %s), so the kernel "
				 "may mount one of them without the options it "
				 "asks for.", a->name, b->name, ba->ident,
				 a->name, ba->key, ba->raw, b->name, bb->key,
				 bb->raw, where, a->name, ta, b->name, tb);
		if (str_eq(ka, kb))
			finding_remedy_cmd(f, "%s storage set %s %s=%s",
					    snapshot_client(x->snap),
					    shq(b->name), shq(kb), shq(va));
		else
			finding_remediation(f, "Move pool %s to a backing "
					       "device of its own",
					    b->name);
	} else {
		f = findings_add(out, ST_FAIL, SEV_LOW, obj,
				 "Storage pools %s and %s share their backing "
				 "%s (%s %s=%s; %s %s=%s)%s; %s, but each pool "
				 "should have a disk of its own.", a->name,
				 b->name, ba->ident, a->name, ba->key, ba->raw,
				 b->name, bb->key, bb->raw, where,
				 sa && sb ? "their mount options agree" :
					    "no mount options can conflict");
		finding_remediation(f, "Move pool %s to a backing device of "
				       "its own: %s storage create NEW DRIVER "
				       "source=DEVICE, then %s move INSTANCE "
				       "--storage NEW for each instance, then "
				       "%s storage delete %s.", b->name,
				    snapshot_client(x->snap),
				    snapshot_client(x->snap),
				    snapshot_client(x->snap), shq(b->name));
	}
	finding_key(f, bb->key, bb->raw, obj);
	free(obj);
	free(ta);
	free(tb);
	free(sa);
	free(sb);
}

/*
 * What one server may ask of this check: every pair of pools is compared
 * (STO_MAX_POOLS pools make half a million pairs), and a pool gets a
 * finding for each of the first STO_MAX_PARTNERS earlier pools it shares
 * a backing with, then one that counts the rest. Without them a server
 * listing 10,000 pools on one zpool made 50 million findings.
 */
#define STO_MAX_POOLS 1000
#define STO_MAX_PARTNERS 16

static void
too_many_pools(const struct check *c, size_t n, const char *member,
	       struct findings *out)
{
	findings_add(out, ST_ERROR, c->severity, "/1.0/storage-pools",
		     "%zu storage pools%s%s are more than the %d whose every "
		     "pair this check compares; compare their source keys by "
		     "hand.", n, member ? " on cluster member " : "",
		     member ? member : "", STO_MAX_POOLS);
}

/*
 * Compares every pair of the pools of one member (or of the standalone
 * server when member is NULL).
 */
static void
judge_pools(const struct check *c, const struct check_ctx *x,
	    struct pool *pools, size_t n, const char *member,
	    struct findings *out)
{
	size_t *partners;

	if (n > STO_MAX_POOLS) {
		too_many_pools(c, n, member, out);
		return;
	}
	partners = xcalloc(n + 1, sizeof(*partners));
	for (size_t i = 0; i < n; i++)
		pool_backings(&pools[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const struct backing *ba, *bb;

			if (!pools_meet(&pools[i], &pools[j], &ba, &bb) ||
			    ++partners[j] > STO_MAX_PARTNERS)
				continue;
			judge_pair(c, x, &pools[i], &pools[j], ba, bb, member,
				   out);
		}
	for (size_t j = 0; j < n; j++) {
		struct finding *f;
		char *obj;

		if (partners[j] <= STO_MAX_PARTNERS)
			continue;
		obj = xasprintf("/1.0/storage-pools/%s", urlq(pools[j].name));
		f = findings_add(out, ST_FAIL, SEV_LOW, obj,
				 "Storage pool %s%s%s shares its backing with "
				 "%zu more pools than the %d named in its "
				 "other findings.", pools[j].name,
				 member ? " on cluster member " : "",
				 member ? member : "",
				 partners[j] - STO_MAX_PARTNERS,
				 STO_MAX_PARTNERS);
		finding_remediation(f, "Move pool %s to a backing device of "
				       "its own.", pools[j].name);
		free(obj);
	}
	for (size_t i = 0; i < n; i++)
		pool_release(&pools[i]);
	free(partners);
}

static void
eval_standalone(const struct check *c, const struct check_ctx *x,
		const json_t *list, struct findings *out)
{
	struct pool *pools = xcalloc(json_array_size(list) + 1,
				     sizeof(*pools));
	const json_t *e;
	size_t i, n = 0;

	json_array_foreach (list, i, e) {
		const char *name = checks_jstr(e, "name");
		char *obj;

		if (!name)
			continue;
		if (!json_is_object(json_object_get(e, "config"))) {
			obj = xasprintf("/1.0/storage-pools/%s", urlq(name));
			findings_add(out, ST_ERROR, c->severity, obj,
				     "The configuration of storage pool %s is "
				     "hidden from this client (it needs "
				     "can_edit on the pool).", name);
			free(obj);
			continue;
		}
		pools[n].name = name;
		pools[n].driver = checks_jstr(e, "driver");
		pools[n].config = json_object_get(e, "config");
		n++;
	}
	judge_pools(c, x, pools, n, NULL, out);
	free(pools);
}

/*
 * In a cluster the pool list hides the backing keys: the snapshot holds
 * each pool as each member sees it (?target=MEMBER). Pools share a disk
 * only on the same member.
 */
static void
eval_clustered(const struct check *c, const struct check_ctx *x,
	       const json_t *list, struct findings *out)
{
	const char *why;
	const json_t *per = snapshot_part(x->snap, SNAP_STORAGE_POOL_MEMBERS,
					  &why);
	const json_t *e, *p, *loc;
	struct strbuf members = STRBUF_INIT;
	size_t i, j, nm = 0;
	const char *m;

	if (!per) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/storage-pools",
			     "Cannot read the storage pools as each cluster "
			     "member sees them (?target=): %s.",
			     why ? why : "not fetched");
		return;
	}
	/* every pool must be seen on every member it is on */
	json_array_foreach (list, i, p) {
		const char *name = checks_jstr(p, "name");

		json_array_foreach (json_object_get(p, "locations"), j, loc) {
			const json_t *hit = NULL;
			size_t k;
			char *obj;

			m = json_string_value(loc);
			json_array_foreach (per, k, e)
				if (str_eq(checks_jstr(e, "name"), name) &&
				    str_eq(checks_jstr(e, "member"), m))
					hit = e;
			if (hit || !name || !m)
				continue;
			obj = xasprintf("/1.0/storage-pools/%s", urlq(name));
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Storage pool %s was not read on cluster "
				     "member %s.", name, m);
			free(obj);
		}
	}
	/* the distinct members, in order of first appearance */
	json_array_foreach (per, i, e) {
		const char *mm = checks_jstr(e, "member");
		const char *q = members.buf;
		bool seen = false;

		if (!mm)
			continue;
		for (size_t k = 0; k < nm; k++, q += strlen(q) + 1)
			seen = seen || str_eq(q, mm);
		if (seen)
			continue;
		strbuf_add(&members, mm, strlen(mm) + 1);
		nm++;
	}
	m = members.buf;
	for (size_t k = 0; k < nm; k++, m += strlen(m) + 1) {
		struct pool *pools = xcalloc(json_array_size(per) + 1,
					     sizeof(*pools));
		size_t n = 0;

		json_array_foreach (per, i, e) {
			const char *name = checks_jstr(e, "name");
			char *obj;

			if (!str_eq(checks_jstr(e, "member"), m) || !name)
				continue;
			obj = xasprintf("/1.0/storage-pools/%s", urlq(name));
			if (checks_jstr(e, "error"))
				findings_add(out, ST_ERROR, c->severity, obj,
					     "Cannot read storage pool %s on "
					     "cluster member %s: %s.", name, m,
					     checks_jstr(e, "error"));
			else if (!json_is_object(json_object_get(e, "config")))
				findings_add(out, ST_ERROR, c->severity, obj,
					     "The configuration of storage "
					     "pool %s on cluster member %s is "
					     "hidden from this client.", name,
					     m);
			free(obj);
			if (checks_jstr(e, "error") ||
			    !json_is_object(json_object_get(e, "config")))
				continue;
			pools[n].name = name;
			pools[n].driver = checks_jstr(e, "driver");
			pools[n].config = json_object_get(e, "config");
			n++;
		}
		judge_pools(c, x, pools, n, m, out);
		free(pools);
	}
	strbuf_release(&members);
}

static void
eval_shared_backing(const struct check *c, const struct check_ctx *x,
		    struct findings *out)
{
	const char *why;
	const json_t *list = snapshot_part(x->snap, SNAP_STORAGE_POOLS, &why);

	if (!list) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/storage-pools",
			     "Cannot read the storage pools: %s.",
			     why ? why : "not fetched");
		return;
	}
	if (json_array_size(list) < 2) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/storage-pools",
			     "There are fewer than two storage pools, so none "
			     "can share a backing device.");
		return;
	}
	if (json_array_size(list) > STO_MAX_POOLS) {
		too_many_pools(c, json_array_size(list), NULL, out);
		return;
	}
	if (x->snap->clustered)
		eval_clustered(c, x, list, out);
	else
		eval_standalone(c, x, list, out);
}

const struct check storage_checks[] = {
	{
		.id = "LXD-STO-001",
		.title = "No two storage pools share a backing device",
		.severity = SEV_MEDIUM,
		.rationale = "When two pools sit on one disk or directory, the "
			     "kernel may quietly ignore the mount options of "
			     "the second mount of a filesystem, so a pool can "
			     "run without the options it was given.",
		.reads = "source, volatile.initial_source, zfs.pool_name, "
			 "lvm.vg_name and ceph.osd.pool_name of every pool "
			 "(per cluster member with ?target= in a cluster), and "
			 "btrfs.mount_options or volume.block.mount_options.",
		.remediation = "Give each storage pool a disk of its own, or "
			       "at least identical mount options on pools "
			       "that share one.",
		.eval = eval_shared_backing,
	},
	CHECK_END
};
