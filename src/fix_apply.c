/* fix_apply.c - carry a plan out with a journal, and roll it back */
#include "fix.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "journal.h"
#include "lxd.h"
#include "rootfs.h"

/* One object the selected items change, with what the GET read. */
struct target {
	const char *object;
	enum fix_kind kind;	/* of its first item */
	size_t *items;		/* indexes into the plan */
	size_t n_items;
	char *etag;
	json_t *current;	/* metadata of the pre-apply GET */
	bool conflict;
	long seq;
};

static bool
is_host(enum fix_kind k)
{
	return k == FIXK_HOST_FILE || k == FIXK_HOST_MODE;
}

/* A JSON text of the plan, parsed (NULL for NULL). Caller decrefs. */
static json_t *
jparse(const char *text)
{
	return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

/* Writable fields of an object's PUT, by its URL. */
static const char *const *
writable_fields(const char *object)
{
	static const char *const inst[] = { "architecture", "config",
					    "devices", "ephemeral",
					    "profiles", "stateful",
					    "description", NULL };
	static const char *const prof[] = { "config", "description",
					    "devices", NULL };
	static const char *const other[] = { "config", "description", NULL };

	if (str_starts_with(object, "/1.0/instances/"))
		return inst;
	if (str_starts_with(object, "/1.0/profiles/"))
		return prof;
	return other;
}

static json_t *
writable_of(const char *object, const json_t *meta)
{
	const char *const *f = writable_fields(object);
	json_t *o = json_object();

	for (; *f; f++) {
		json_t *v = json_object_get(meta, *f);

		if (v)
			json_object_set_new(o, *f, json_deep_copy(v));
	}
	return o;
}

/* The value of a key as the current object holds it (NULL: absent). */
static const json_t *
current_value(const struct fix_item *it, const json_t *cur)
{
	if (it->kind == FIXK_DEVICE_SET)
		return json_object_get(json_object_get(cur, "devices"),
				       it->device);
	if (it->kind == FIXK_PROFILES)
		return json_object_get(cur, "profiles");
	if (it->kind == FIXK_DEVICE_KEY)
		return json_object_get(
			json_object_get(json_object_get(cur, "devices"),
					it->device),
			it->key);
	return json_object_get(json_object_get(cur, "config"), it->key);
}

/* The item's key still holds what the audit saw. */
static bool
unchanged(const struct fix_item *it, const json_t *cur, char *why,
	  size_t len)
{
	const json_t *v;

	if (it->kind == FIXK_DELETE) {
		json_t *want = jparse(it->old_json);
		const char *k;
		json_t *wv;
		bool same = true;

		if (json_array_size(json_object_get(cur, "used_by"))) {
			snprintf(why, len, "it is in use now");
			json_decref(want);
			return false;
		}
		json_object_foreach(want, k, wv) {
			if (json_equal(json_object_get(cur, k), wv))
				continue;
			if (str_eq(k, "status_code"))
				snprintf(why, len, "it is no longer pending");
			else
				snprintf(why, len, "its %s changed", k);
			same = false;
			break;
		}
		json_decref(want);
		return same;
	}
	if (it->kind == FIXK_DEVICE_SET || it->kind == FIXK_PROFILES) {
		json_t *want = jparse(it->old_value);
		bool same;

		v = current_value(it, cur);
		same = (!v && !want) || (v && want && json_equal(v, want));
		json_decref(want);
		if (!same)
			snprintf(why, len, "%s %s changed", it->kind ==
				 FIXK_PROFILES ? "the profile list" : "device",
				 it->kind == FIXK_PROFILES ? "" : it->device);
		return same;
	}
	if (it->kind == FIXK_DEVICE_KEY &&
	    !json_object_get(json_object_get(cur, "devices"), it->device)) {
		snprintf(why, len, "device %s is gone", it->device);
		return false;
	}
	v = current_value(it, cur);
	if (!v != !it->old_present)
		goto changed;
	if (!v)
		return true;
	if (!json_is_string(v))	/* hidden: cannot compare the value */
		return str_eq(it->old_value, "(hidden)");
	if (str_eq(json_string_value(v), it->old_value))
		return true;
changed:
	snprintf(why, len, "%s was %s%s%s at the audit and is %s%s%s now",
		 it->key, it->old_present ? "'" : "",
		 it->old_present ? it->old_value : "absent",
		 it->old_present ? "'" : "", v ? "'" : "",
		 v ? (json_is_string(v) ? json_string_value(v) : "(hidden)") :
		     "absent",
		 v ? "'" : "");
	return false;
}

static void
item_fail(struct fix_item *it, enum fix_state st, const char *fmt, ...)
	LXDH_PRINTF(3, 4);

static void
item_fail(struct fix_item *it, enum fix_state st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(it->error);
	it->error = xvasprintf(fmt, ap);
	va_end(ap);
	it->state = st;
}

static const char *
entry_kind(const struct target *t)
{
	if (t->kind == FIXK_SERVER_KEY)
		return "server";
	if (t->kind == FIXK_DELETE)
		return "delete";
	if (t->kind == FIXK_CREATE)
		return "create";
	if (t->kind == FIXK_SNAP_SET)
		return "snap-set";
	if (is_host(t->kind))
		return fix_kind_name(t->kind);
	return "object";
}

/* Where an item's value lives in its object ("config", "device-key",
   "device", "profiles"). */
static const char *
item_field(enum fix_kind k)
{
	switch (k) {
	case FIXK_DEVICE_KEY:
		return "device-key";
	case FIXK_DEVICE_SET:
		return "device";
	case FIXK_PROFILES:
		return "profiles";
	default:
		return "config";
	}
}

/* The value at a journal item's place in an object (NULL: absent). */
static json_t *
value_at(const json_t *obj, const char *field, const char *device,
	 const char *key)
{
	json_t *dev = json_object_get(json_object_get(obj, "devices"),
				      device ? device : "");

	if (str_eq(field, "profiles"))
		return json_object_get(obj, "profiles");
	if (str_eq(field, "device"))
		return dev;
	if (str_eq(field, "device-key"))
		return json_object_get(dev, key ? key : "");
	return json_object_get(json_object_get(obj, "config"),
			       key ? key : "");
}

/*
 * Puts v (NULL or null: removes) at the place in a PUT body. -1 when the
 * place is gone (a key of a device that no longer exists).
 */
static int
value_put(json_t *body, const char *field, const char *device,
	  const char *key, const json_t *v)
{
	json_t *where;
	const char *name;

	if (json_is_null(v))
		v = NULL;
	if (str_eq(field, "profiles")) {
		if (!v)
			return -1;
		json_object_set_new(body, "profiles", json_deep_copy(v));
		return 0;
	}
	if (str_eq(field, "device") || str_eq(field, "device-key")) {
		where = json_object_get(body, "devices");
		if (!where) {
			where = json_object();
			json_object_set_new(body, "devices", where);
		}
		if (str_eq(field, "device-key")) {
			where = json_object_get(where, device ? device : "");
			if (!json_is_object(where))
				return -1;
			name = key;
		} else {
			name = device;
		}
	} else {
		where = json_object_get(body, "config");
		if (!where) {
			where = json_object();
			json_object_set_new(body, "config", where);
		}
		name = key;
	}
	if (!name)
		return -1;
	if (v)
		json_object_set_new(where, name, json_deep_copy(v));
	else
		json_object_del(where, name);
	return 0;
}

/* An item's new value as JSON (null: the key is removed). */
static json_t *
item_after(const struct fix_item *it)
{
	json_t *v;

	if (!it->new_value)
		return json_null();
	if (it->kind == FIXK_DEVICE_SET || it->kind == FIXK_PROFILES ||
	    it->kind == FIXK_CREATE) {
		v = jparse(it->new_value);
		return v ? v : json_null();
	}
	return json_string(it->new_value);
}

/*
 * The journal line of one object: for each item, the key's value before
 * and the value the fix writes, and nothing else of the object. A value
 * the server hides (a password) is never kept: that item is not
 * reversible. A deleted object keeps what re-creating it takes; a host
 * file its previous content and mode.
 */
static json_t *
change_entry(const struct target *t, const struct fix_plan *p)
{
	json_t *e = json_object(), *items = json_array();
	bool reversible = true;
	bool keys = t->kind == FIXK_SERVER_KEY || str_eq(entry_kind(t),
							  "object");

	json_object_set_new(e, "type", json_string("change"));
	json_object_set_new(e, "seq", json_integer(t->seq));
	json_object_set_new(e, "object", json_string(t->object));
	json_object_set_new(e, "kind", json_string(entry_kind(t)));
	if (t->kind == FIXK_SERVER_KEY) {
		/* rollback sends to the same object, so the same member */
		char *m = snapshot_object_member(t->object);

		if (m)
			json_object_set_new(e, "member", json_string(m));
		free(m);
	}
	if (is_host(t->kind) || t->kind == FIXK_SNAP_SET) {
		json_object_set(e, "previous", t->current);
	} else if (t->kind == FIXK_DELETE &&
		   str_starts_with(t->object, "/1.0/operations/")) {
		/* a token: who it was for, never its secret */
		const json_t *md = json_object_get(t->current, "metadata");
		const char *name = json_string_value(json_object_get(
			json_object_get(md, "request"), "name"));
		const char *server = json_string_value(json_object_get(
			md, "serverName"));
		json_t *prev = json_object();

		json_object_set(prev, "id", json_object_get(t->current, "id"));
		json_object_set(prev, "class",
				json_object_get(t->current, "class"));
		json_object_set_new(prev, "name",
				    json_string(server ? server :
						name ? name : ""));
		json_object_set_new(prev, "token",
				    json_string(server ? "cluster join" :
							 "trust"));
		json_object_set_new(e, "previous", prev);
	} else if (t->kind == FIXK_DELETE &&
		   str_starts_with(t->object, "/1.0/certificates/")) {
		/* what re-adding it takes: POST /1.0/certificates with the
		   PEM as base64 DER (LXD refuses it once expired) */
		static const char *const keep[] = { "name", "type",
						    "restricted", "projects",
						    "certificate",
						    "fingerprint", NULL };
		json_t *prev = json_object();

		for (const char *const *k = keep; *k; k++)
			json_object_set(prev, *k,
					json_object_get(t->current, *k));
		json_object_set_new(e, "previous", prev);
	} else if (t->kind == FIXK_DELETE) {
		/* re-creating it: its name, type or driver, config and
		   description */
		json_t *prev = writable_of(t->object, t->current);

		if (str_starts_with(t->object, "/1.0/storage-pools/"))
			json_object_set(prev, "driver",
					json_object_get(t->current, "driver"));
		json_object_set(prev, "name",
				json_object_get(t->current, "name"));
		json_object_set(prev, "type",
				json_object_get(t->current, "type"));
		json_object_set_new(e, "previous", prev);
	}
	for (size_t i = 0; i < t->n_items; i++) {
		const struct fix_item *it = &p->v[t->items[i]];
		json_t *j = json_object();

		json_object_set_new(j, "check", json_string(it->check));
		if (it->device)
			json_object_set_new(j, "device",
					    json_string(it->device));
		if (it->key)
			json_object_set_new(j, "key", json_string(it->key));
		if (keys) {
			const char *field = item_field(it->kind);
			json_t *v = value_at(t->current, field, it->device,
					     it->key);

			json_object_set_new(j, "field", json_string(field));
			if (!it->reversible ||
			    (str_eq(field, "config") && v &&
			     !json_is_string(v))) {
				/* hidden by the server, or not to be put
				   back: never kept */
				reversible = false;
				json_object_set_new(j, "reversible",
						    json_false());
			} else {
				json_object_set_new(j, "before",
						    v ? json_deep_copy(v) :
							json_null());
			}
			json_object_set_new(j, "after", item_after(it));
		} else if (t->kind == FIXK_CREATE) {
			json_object_set_new(j, "after", item_after(it));
		} else if (t->kind == FIXK_HOST_FILE) {
			json_object_set_new(j, "after",
					    it->new_value ?
						    json_string(it->new_value) :
						    json_null());
		} else if (t->kind == FIXK_HOST_MODE) {
			json_object_set_new(j, "after",
					    json_pack("{s:I}", "mode",
						      (json_int_t)it->new_mode));
			if (it->chown) {
				json_object_set_new(
					json_object_get(j, "after"), "uid",
					json_integer(it->new_uid));
				json_object_set_new(
					json_object_get(j, "after"), "gid",
					json_integer(it->new_gid));
			}
		} else if (t->kind == FIXK_SNAP_SET) {
			json_object_set_new(j, "after", item_after(it));
		}
		if (!it->reversible && !keys) {
			reversible = false;
			json_object_set_new(j, "reversible", json_false());
		}
		json_array_append_new(items, j);
	}
	json_object_set_new(e, "items", items);
	json_object_set_new(e, "reversible", json_boolean(reversible));
	return e;
}

/* The request that makes the object's change. */
static json_t *
change_body(const struct target *t, const struct fix_plan *p)
{
	json_t *body;

	if (t->kind == FIXK_SERVER_KEY) {
		json_t *cfg = json_object();

		for (size_t i = 0; i < t->n_items; i++) {
			const struct fix_item *it = &p->v[t->items[i]];

			/* LXD deletes a server key set to "" */
			json_object_set_new(cfg, it->key,
					    json_string(it->new_value ?
								it->new_value :
								""));
		}
		return json_pack("{s:o}", "config", cfg);
	}
	body = writable_of(t->object, t->current);
	for (size_t i = 0; i < t->n_items; i++) {
		const struct fix_item *it = &p->v[t->items[i]];
		json_t *where;

		if (it->kind == FIXK_PROFILES) {
			json_object_set_new(body, "profiles",
					    jparse(it->new_value));
			continue;
		}
		if (it->kind == FIXK_DEVICE_SET) {
			where = json_object_get(body, "devices");
			if (!where) {
				where = json_object();
				json_object_set_new(body, "devices", where);
			}
			json_object_set_new(where, it->device,
					    jparse(it->new_value));
			continue;
		}
		if (it->kind == FIXK_DEVICE_KEY) {
			where = json_object_get(json_object_get(body, "devices"),
						it->device);
		} else {
			where = json_object_get(body, "config");
			if (!where) {
				where = json_object();
				json_object_set_new(body, "config", where);
			}
		}
		if (!where)
			continue;
		if (it->new_value)
			json_object_set_new(where, it->key,
					    json_string(it->new_value));
		else
			json_object_del(where, it->key);
	}
	return body;
}

static json_t *
state_entry(const char *type, long seq, const char *state, const char *err)
{
	json_t *e = json_pack("{s:s, s:I, s:s}", "type", type, "seq",
			      (json_int_t)seq, "state", state);

	if (err)
		json_object_set_new(e, "error", json_string(err));
	return e;
}

static void host_read_current(struct target *t, struct fix_plan *p,
			      const char *root);
static int host_apply(const struct target *t, const struct fix_plan *p,
		      struct diag *d);
static void snap_read_current(struct target *t, struct fix_plan *p,
			      const struct host_ops *ops);
static int snap_apply(const struct target *t, const struct fix_plan *p,
		      const struct host_ops *ops, struct diag *d);

/* The collection an object is created in: "/1.0/profiles?project=P". */
static char *
collection_of(const char *object)
{
	const char *q = strchr(object, '?');
	size_t end = q ? (size_t)(q - object) : strlen(object);

	while (end > 0 && object[end - 1] != '/')
		end--;
	if (end > 0)
		end--;
	return xasprintf("%.*s%s", (int)end, object, q ? q : "");
}

static void
targets_release(struct target *ts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ts[i].items);
		free(ts[i].etag);
		json_decref(ts[i].current);
	}
	free(ts);
}

/*
 * What the server holds at each item's place after the change: LXD may
 * store a value otherwise than it was sent (a key set to its default can
 * disappear), and rollback compares with what was stored. NULL when it
 * cannot be read (rollback then compares with what was sent).
 */
static json_t *
stored_after(struct lxd_client *c, const struct target *t,
	     const struct fix_plan *p)
{
	struct lxd_response g;
	struct diag gd = { { 0 } };
	json_t *out;

	if (lxd_get(c, t->object, &g, &gd) != 0) {
		lxd_response_release(&g);
		return json_null();
	}
	out = json_array();
	for (size_t i = 0; i < t->n_items; i++) {
		const struct fix_item *it = &p->v[t->items[i]];
		json_t *v = value_at(g.metadata, item_field(it->kind),
				     it->device, it->key);

		json_array_append_new(out, v ? json_deep_copy(v) : json_null());
	}
	lxd_response_release(&g);
	return out;
}

char *
fix_server_identity(struct lxd_client *c, struct diag *d)
{
	struct lxd_response r;
	const char *fp;
	char *out = NULL;
	size_t len;

	if (lxd_get(c, "/1.0", &r, d) != 0) {
		lxd_response_release(&r);
		return NULL;
	}
	fp = json_string_value(json_object_get(
		json_object_get(r.metadata, "environment"),
		"certificate_fingerprint"));
	len = fp ? strlen(fp) : 0;
	if (len < 16 || len > 128 || strspn(fp, "0123456789abcdef") != len)
		diag_set(d, "cannot tell which server this is: GET /1.0 gives "
			    "no certificate fingerprint (is this client "
			    "trusted?)");
	else
		out = xstrdup(fp);
	lxd_response_release(&r);
	return out;
}

/* Marks every selected item still pending as not applied, with why. */
static void
fail_pending(struct fix_plan *p, const char *why)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].selected && p->v[i].state == FIXS_PENDING)
			item_fail(&p->v[i], FIXS_FAILED, "%s", why);
}

int
fix_apply(struct lxd_client *c, const struct snapshot *s,
	  struct fix_plan *p, const struct fix_apply_opts *o,
	  char **journal_path, struct diag *d)
{
	const char *jdir = o->journal_dir ? o->journal_dir :
					    JOURNAL_DEFAULT_DIR;
	struct target *ts = NULL;
	size_t nt = 0, applied = 0;
	long writes = 0;
	bool unknown = false;
	struct journal j;
	struct journal_lock lk = { -1 };
	json_t *hdr;
	char created[32], *server;
	int rc = -1;

	(void)s;
	*journal_path = NULL;
	/* one target per object, in plan order */
	for (size_t i = 0; i < p->n; i++) {
		struct fix_item *it = &p->v[i];
		struct target *t = NULL;

		if (!it->selected)
			continue;
		for (size_t k = 0; k < nt; k++)
			if (str_eq(ts[k].object, it->object) &&
			    (ts[k].kind == FIXK_DELETE) ==
				    (it->kind == FIXK_DELETE))
				t = &ts[k];
		if (!t) {
			ts = xrealloc(ts, (nt + 1) * sizeof(*ts));
			t = &ts[nt++];
			memset(t, 0, sizeof(*t));
			t->object = it->object;
			t->kind = it->kind;
			t->seq = (long)nt;
		}
		t->items = xrealloc(t->items,
				    (t->n_items + 1) * sizeof(*t->items));
		t->items[t->n_items++] = i;
	}
	if (!nt)
		return 0;
	/* which server, and only one apply or rollback at a time on it */
	/* (no client: host changes only, tied to this host) */
	server = c ? fix_server_identity(c, d) : xstrdup("host");
	if (!server || journal_lock(jdir, server, o->command ? o->command :
							      "fix --apply",
				    &lk, d) != 0) {
		fail_pending(p, "not applied: the server is locked or "
				"unknown");
		free(server);
		targets_release(ts, nt);
		return -1;
	}
	if (o->stop_before)
		raise(SIGSTOP);

	/* read every object again and compare with the audit */
	for (size_t k = 0; k < nt; k++) {
		struct target *t = &ts[k];
		struct lxd_response r;
		struct diag gd = { { 0 } };
		char why[512];

		if (is_host(t->kind)) {
			host_read_current(t, p, o->host_root);
			continue;
		}
		if (t->kind == FIXK_SNAP_SET) {
			snap_read_current(t, p, o->ops);
			continue;
		}
		if (t->kind == FIXK_CREATE) {
			int g = lxd_get(c, t->object, &r, &gd);

			if (g == 0 || r.http_status != 404) {
				for (size_t i = 0; i < t->n_items; i++)
					item_fail(&p->v[t->items[i]],
						  g == 0 ? FIXS_CONFLICT :
							   FIXS_FAILED,
						  "%s", g == 0 ?
						  "it exists now (created since "
						  "the plan); not applied" :
						  gd.msg);
				t->conflict = true;
			}
			lxd_response_release(&r);
			continue;
		}
		if (lxd_get(c, t->object, &r, &gd) != 0) {
			for (size_t i = 0; i < t->n_items; i++)
				item_fail(&p->v[t->items[i]], FIXS_FAILED,
					  "%s", gd.msg);
			t->conflict = true;
			lxd_response_release(&r);
			continue;
		}
		t->current = json_incref(r.metadata);
		t->etag = r.etag ? xstrdup(r.etag) : NULL;
		lxd_response_release(&r);
		for (size_t i = 0; i < t->n_items; i++) {
			if (!unchanged(&p->v[t->items[i]], t->current, why,
				       sizeof(why))) {
				t->conflict = true;
				break;
			}
		}
		if (t->conflict)
			for (size_t i = 0; i < t->n_items; i++)
				item_fail(&p->v[t->items[i]], FIXS_CONFLICT,
					  "changed since the audit (%s); not "
					  "applied", why);
	}

	format_rfc3339(now_epoch(), created, sizeof(created));
	hdr = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "header",
			"schema", JOURNAL_SCHEMA, "created", created,
			"endpoint", o->endpoint ? o->endpoint : "",
			"server", server,
			"host_root", o->host_root ? o->host_root : "/");
	free(server);
	if (journal_create(&j, jdir, hdr, d) != 0) {
		json_decref(hdr);
		fail_pending(p, "not applied: no journal");
		journal_unlock(&lk);
		targets_release(ts, nt);
		return -1;
	}
	json_decref(hdr);
	/* every object's previous state, before the first change */
	for (size_t k = 0; k < nt; k++) {
		json_t *e;

		if (ts[k].conflict)
			continue;
		e = change_entry(&ts[k], p);
		if (journal_append(&j, e, d) != 0) {
			json_decref(e);
			fail_pending(p, "not applied: the journal cannot be "
					"written");
			goto out;
		}
		json_decref(e);
	}

	for (size_t k = 0; k < nt; k++) {
		struct target *t = &ts[k];
		struct lxd_response r;
		struct diag rd = { { 0 } };
		json_t *body = NULL, *e;
		const char *st;
		int ok;

		if (t->conflict)
			continue;
		if (unknown) {
			/* the server did not answer: send it nothing more */
			for (size_t i = 0; i < t->n_items; i++)
				item_fail(&p->v[t->items[i]], FIXS_FAILED,
					  "not applied: the outcome of an "
					  "earlier change is unknown");
			e = state_entry("state", t->seq, "failed",
					"not sent after an unknown outcome");
			if (journal_append(&j, e, d) != 0) {
				json_decref(e);
				goto out;
			}
			json_decref(e);
			continue;
		}
		if (!is_host(t->kind) && t->kind != FIXK_SNAP_SET &&
		    o->stop_before_write > 0 && ++writes == o->stop_before_write)
			raise(SIGSTOP);	/* test hook: a pause between writes */
		memset(&r, 0, sizeof(r));
		if (is_host(t->kind)) {
			ok = host_apply(t, p, &rd);
		} else if (t->kind == FIXK_SNAP_SET) {
			ok = snap_apply(t, p, o->ops, &rd);
		} else if (t->kind == FIXK_CREATE) {
			char *coll = collection_of(t->object);

			body = jparse(p->v[t->items[0]].new_value);
			ok = lxd_send(c, "POST", coll, body, NULL, &r, &rd);
			free(coll);
		} else if (t->kind == FIXK_SERVER_KEY) {
			body = change_body(t, p);
			/* "/1.0", or "/1.0?target=M" for a cluster
			   member's own keys */
			ok = lxd_send(c, "PATCH", t->object, body, t->etag,
				      &r, &rd);
		} else if (t->kind == FIXK_DELETE) {
			ok = lxd_send(c, "DELETE", t->object, NULL, t->etag,
				      &r, &rd);
		} else {
			body = change_body(t, p);
			ok = lxd_send(c, "PUT", t->object, body, t->etag, &r,
				      &rd);
		}
		json_decref(body);
		if (ok != 0 && r.unknown)
			unknown = true;
		for (size_t i = 0; i < t->n_items; i++) {
			struct fix_item *it = &p->v[t->items[i]];

			if (ok == 0)
				it->state = FIXS_APPLIED;
			else if (r.unknown)
				item_fail(it, FIXS_UNKNOWN,
					  "outcome unknown (%s); 'lxd-harden "
					  "rollback' undoes it if it landed",
					  rd.msg);
			else if (r.http_status == 412)
				item_fail(it, FIXS_CONFLICT,
					  "changed concurrently (the ETag no "
					  "longer matches); not overwritten");
			else
				item_fail(it, FIXS_FAILED, "%s", rd.msg);
		}
		st = ok == 0 ? "applied" : r.unknown ? "unknown" : "failed";
		lxd_response_release(&r);
		e = state_entry("state", t->seq, st,
				ok == 0 ? NULL : rd.msg);
		if (ok == 0 && (t->kind == FIXK_SERVER_KEY ||
				str_eq(entry_kind(t), "object")))
			json_object_set_new(e, "after", stored_after(c, t, p));
		if (journal_append(&j, e, d) != 0) {
			json_decref(e);
			goto out;
		}
		json_decref(e);
		if (ok == 0 && o->pause_after > 0 &&
		    (long)++applied >= o->pause_after)
			raise(SIGKILL);	/* test hook: die mid-apply */
	}
	rc = 0;
out:
	*journal_path = xstrdup(j.path);
	journal_close(&j);
	journal_unlock(&lk);
	targets_release(ts, nt);
	return rc;
}

/* ---- host files ---- */

static const char *
host_full(const struct target *t)
{
	return json_string_value(json_object_get(t->current, "path"));
}

/* What the host object is now: {path, mode, content|null}. */
static void
host_read_current(struct target *t, struct fix_plan *p, const char *root)
{
	const char *path = t->object + 7;
	const struct fix_item *it = &p->v[t->items[0]];
	char *full = (!root || str_eq(root, "/")) ? xstrdup(path) :
						  xasprintf("%s%s", root, path);
	struct stat st;
	struct diag d = { { 0 } };

	t->current = json_object();
	json_object_set_new(t->current, "path", json_string(full));
	/* the root too: apply and rollback resolve path inside it */
	json_object_set_new(t->current, "root",
			    json_string(root ? root : "/"));
	if (rootfs_stat(root, path, &st) == 0) {
		json_object_set_new(t->current, "mode",
				    json_integer(st.st_mode & 07777));
		if (t->kind == FIXK_HOST_MODE && it->chown) {
			json_object_set_new(t->current, "uid",
					    json_integer(st.st_uid));
			json_object_set_new(t->current, "gid",
					    json_integer(st.st_gid));
		}
		if (t->kind == FIXK_HOST_FILE) {
			char *text = rootfs_read_file(root, path, &d);

			json_object_set_new(t->current, "content",
					    text ? json_string(text) :
						   json_null());
			free(text);
		}
	} else {
		json_object_set_new(t->current, "mode", json_null());
		json_object_set_new(t->current, "content", json_null());
	}
	if (t->kind == FIXK_HOST_FILE) {
		const json_t *content = json_object_get(t->current, "content");
		bool now = json_is_string(content);
		bool same = now == it->old_present &&
			    (!now || !it->old_value ||
			     str_eq(json_string_value(content), it->old_value));

		if (!same) {
			t->conflict = true;
			for (size_t i = 0; i < t->n_items; i++)
				item_fail(&p->v[t->items[i]], FIXS_CONFLICT,
					  "%s changed since the audit; not "
					  "applied", full);
		}
	}
	if (t->kind == FIXK_HOST_MODE &&
	    (json_integer_value(json_object_get(t->current, "mode")) !=
		     (json_int_t)it->old_mode ||
	     (it->chown &&
	      (json_integer_value(json_object_get(t->current, "uid")) !=
		       (json_int_t)it->old_uid ||
	       json_integer_value(json_object_get(t->current, "gid")) !=
		       (json_int_t)it->old_gid)))) {
		t->conflict = true;
		for (size_t i = 0; i < t->n_items; i++)
			item_fail(&p->v[t->items[i]], FIXS_CONFLICT,
				  "the mode or owner of %s changed since the "
				  "audit; not applied", full);
	}
	free(full);
}

static int
host_apply(const struct target *t, const struct fix_plan *p,
	   struct diag *d)
{
	const struct fix_item *it = &p->v[t->items[0]];
	const char *full = host_full(t);
	const char *root = json_string_value(json_object_get(t->current,
							     "root"));
	const char *path = t->object + 7;

	if (t->kind == FIXK_HOST_MODE) {
		if (it->chown && rootfs_chown(root, path, (uid_t)it->new_uid,
					      (gid_t)it->new_gid) != 0) {
			diag_set(d, "cannot chown '%s': %s", full,
				 strerror(errno));
			return -1;
		}
		if (rootfs_chmod(root, path, it->new_mode) != 0) {
			diag_set(d, "cannot chmod '%s': %s", full,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	{
		/* the directory (e.g. /etc/tmpfiles.d) may not exist yet */
		char *dir = xstrdup(path);

		for (char *s = dir + 1; *s; s++) {
			if (*s != '/')
				continue;
			*s = '\0';
			if (rootfs_mkdir(root, dir, 0755) != 0 &&
			    errno != EEXIST) {
				diag_set(d, "cannot create '%s': %s", dir,
					 strerror(errno));
				free(dir);
				return -1;
			}
			*s = '/';
		}
		free(dir);
	}
	{
		const json_t *m = json_object_get(t->current, "mode");
		mode_t mode = json_is_integer(m) ?
				      (mode_t)json_integer_value(m) :
			      it->new_mode ? (mode_t)it->new_mode :
					     0644;

		if (rootfs_write(root, path, mode, it->new_value,
				 strlen(it->new_value)) == 0)
			return 0;
	}
	diag_set(d, "cannot write '%s': %s", full, strerror(errno));
	return -1;
}

static int
restore_host(const json_t *e, struct diag *d)
{
	const json_t *prev = json_object_get(e, "previous");
	const char *full = json_string_value(json_object_get(prev, "path"));
	const json_t *mode = json_object_get(prev, "mode");
	const json_t *content = json_object_get(prev, "content");
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *root = json_string_value(json_object_get(prev, "root"));
	const char *path = full;

	if (!full)
		return -1;
	/* inside the root it was applied in (journals before it: "/") */
	if (root && !str_eq(root, "/") && str_starts_with(full, root) &&
	    full[strlen(root)] == '/')
		path = full + strlen(root);
	else
		root = "/";
	if (str_eq(kind, "host-mode")) {
		const json_t *uid = json_object_get(prev, "uid");
		const json_t *gid = json_object_get(prev, "gid");

		if (json_is_integer(uid) && json_is_integer(gid) &&
		    rootfs_chown(root, path, (uid_t)json_integer_value(uid),
				 (gid_t)json_integer_value(gid)) != 0) {
			diag_set(d, "cannot chown '%s': %s", full,
				 strerror(errno));
			return -1;
		}
		if (json_is_integer(mode) &&
		    rootfs_chmod(root, path,
				 (mode_t)json_integer_value(mode)) != 0) {
			diag_set(d, "cannot chmod '%s': %s", full,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!json_is_string(content)) {
		if (rootfs_unlink(root, path) != 0 && errno != ENOENT) {
			diag_set(d, "cannot remove '%s': %s", full,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	if (rootfs_write(root, path,
			 json_is_integer(mode) ?
				 (mode_t)json_integer_value(mode) :
				 0644,
			 json_string_value(content),
			 json_string_length(content)) != 0) {
		diag_set(d, "cannot write '%s': %s", full, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- snap settings ---- */

#define SNAP_BIN "/usr/bin/snap"

/* snap get lxd KEY: 1 with *val (caller frees), 0 unset, -1 with d. */
static int
snap_get(const struct host_ops *ops, const char *key, char **val,
	 struct diag *d)
{
	const char *argv[] = { SNAP_BIN, "get", "lxd", key, NULL };
	struct host_run r;
	size_t len;

	*val = NULL;
	if (!ops) {
		diag_set(d, "no command is run on a host read from a "
			    "directory (--host-root): run 'snap set lxd' by "
			    "hand");
		return -1;
	}
	if (ops->run(ops, argv, &r, d) != 0) {
		host_run_release(&r);
		return -1;
	}
	if (r.status != 0) {
		/* 'snap "lxd" has no "daemon.syslog" configuration option':
		   unset */
		bool unset = r.err && strstr(r.err, "has no");

		if (!unset)
			diag_set(d, "%s get lxd %s: exit %d: %s", SNAP_BIN,
				 key, r.status, r.err ? r.err : "");
		host_run_release(&r);
		return unset ? 0 : -1;
	}
	*val = xstrdup(r.out ? r.out : "");
	len = strlen(*val);
	while (len && ((*val)[len - 1] == '\n' || (*val)[len - 1] == ' '))
		(*val)[--len] = '\0';
	host_run_release(&r);
	return 1;
}

/* snap set lxd KEY=VALUE, or snap unset lxd KEY (value NULL). */
static int
snap_put(const struct host_ops *ops, const char *key, const char *value,
	 struct diag *d)
{
	char *kv = value ? xasprintf("%s=%s", key, value) : xstrdup(key);
	const char *argv[] = { SNAP_BIN, value ? "set" : "unset", "lxd", kv,
			       NULL };
	struct host_run r;
	int rc = -1;

	if (!ops) {
		diag_set(d, "no command is run on a host read from a "
			    "directory (--host-root)");
		free(kv);
		return -1;
	}
	if (ops->run(ops, argv, &r, d) == 0) {
		if (r.status == 0)
			rc = 0;
		else
			diag_set(d, "%s %s lxd %s: exit %d: %s", SNAP_BIN,
				 argv[1], kv, r.status, r.err ? r.err : "");
	}
	host_run_release(&r);
	free(kv);
	return rc;
}

/* The settings now: {"settings": {KEY: VALUE|null}}; a difference from
   the plan is a conflict. */
static void
snap_read_current(struct target *t, struct fix_plan *p,
		  const struct host_ops *ops)
{
	json_t *set = json_object();

	t->current = json_pack("{s:o}", "settings", set);
	for (size_t i = 0; i < t->n_items; i++) {
		struct fix_item *it = &p->v[t->items[i]];
		struct diag d = { { 0 } };
		char *val;
		int g = snap_get(ops, it->key, &val, &d);

		if (g < 0) {
			item_fail(it, FIXS_FAILED, "%s", d.msg);
			t->conflict = true;
			continue;
		}
		json_object_set_new(set, it->key,
				    val ? json_string(val) : json_null());
		if ((g > 0) != it->old_present ||
		    (val && !str_eq(val, it->old_value))) {
			item_fail(it, FIXS_CONFLICT, "snap setting %s changed "
				  "since the audit; not applied", it->key);
			t->conflict = true;
		}
		free(val);
	}
	if (t->conflict)
		for (size_t i = 0; i < t->n_items; i++)
			if (p->v[t->items[i]].state == FIXS_PENDING)
				item_fail(&p->v[t->items[i]], FIXS_CONFLICT,
					  "not applied with the rest of snap "
					  "lxd's settings");
}

static int
snap_apply(const struct target *t, const struct fix_plan *p,
	   const struct host_ops *ops, struct diag *d)
{
	for (size_t i = 0; i < t->n_items; i++) {
		const struct fix_item *it = &p->v[t->items[i]];

		if (snap_put(ops, it->key, it->new_value, d) != 0)
			return -1;
	}
	return 0;
}

static int
restore_snap(const json_t *e, const struct host_ops *ops, struct diag *d)
{
	json_t *set = json_object_get(json_object_get(e, "previous"),
				      "settings");
	const char *k;
	json_t *v;

	json_object_foreach(set, k, v)
		if (snap_put(ops, k, json_string_value(v), d) != 0)
			return -1;
	return 0;
}

/* ---- rollback ---- */

/* What one rollback run has seen so far. */
struct rb {
	FILE *out;
	bool force;
	int conflicts;		/* of the entry being undone */
	int reverted;		/* keys put back, of that entry */
};

static bool
same(const json_t *a, const json_t *b)
{
	if (json_is_null(a))
		a = NULL;
	if (json_is_null(b))
		b = NULL;
	return (!a && !b) || (a && b && json_equal(a, b));
}

/* A value for a message: "absent", a string in quotes, or JSON; every
   byte through the terminal escaper. Caller frees. */
static char *
show(const json_t *v)
{
	struct strbuf sb = STRBUF_INIT;
	char *j;

	strbuf_add(&sb, "", 0);
	if (!v || json_is_null(v)) {
		strbuf_addstr(&sb, "absent");
	} else if (json_is_string(v)) {
		strbuf_addch(&sb, '\'');
		escape_term(&sb, json_string_value(v));
		strbuf_addch(&sb, '\'');
	} else {
		j = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
					  JSON_ENCODE_ANY);
		escape_term(&sb, j ? j : "?");
		free(j);
	}
	return strbuf_detach(&sb);
}

/* "KEY", "device D KEY", "device D" or "the profile list", escaped. */
static char *
item_what(const json_t *it)
{
	const char *field = json_string_value(json_object_get(it, "field"));
	const char *dev = json_string_value(json_object_get(it, "device"));
	const char *key = json_string_value(json_object_get(it, "key"));
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, "", 0);
	if (str_eq(field, "profiles")) {
		strbuf_addstr(&sb, "the profile list");
	} else {
		if (dev) {
			strbuf_addstr(&sb, "device ");
			escape_term(&sb, dev);
			if (key)
				strbuf_addch(&sb, ' ');
		}
		if (key && !str_eq(field, "device"))
			escape_term(&sb, key);
	}
	return strbuf_detach(&sb);
}

/*
 * Whether to put a value back: 1 when it holds what the fix wrote (or
 * --force), 0 when it already holds what it held before, -1 for a
 * conflict (said on out).
 */
static int
decide(struct rb *rb, const char *what, const json_t *now,
       const json_t *before, const json_t *after)
{
	char *n, *b, *a;
	int rc;

	if (same(now, before))
		return 0;
	if (same(now, after))
		return 1;
	n = show(now);
	b = show(before);
	a = show(after);
	if (rb->force) {
		fprintf(rb->out, "  forced: %s is %s, not %s as the fix left "
				 "it; putting %s back\n", what, n, a, b);
		rc = 1;
	} else {
		fprintf(rb->out, "  conflict: %s is %s now, not %s as the fix "
				 "left it; left alone (--force puts %s "
				 "back)\n", what, n, a, b);
		rb->conflicts++;
		rc = -1;
	}
	free(n);
	free(b);
	free(a);
	return rc;
}

/* The keys of a server or object change: only those the fix changed,
   only while they hold what it wrote. */
static int
restore_keys(struct lxd_client *c, const json_t *e, const json_t *stored,
	     struct rb *rb, struct diag *d)
{
	const char *object = json_string_value(json_object_get(e, "object"));
	bool server = str_eq(json_string_value(json_object_get(e, "kind")),
			     "server");
	json_t *items = json_object_get(e, "items"), *it, *body, *cfg;
	struct lxd_response g, r;
	const char *member = json_string_value(json_object_get(e, "member"));
	char *om = snapshot_object_member(object);
	size_t i;
	int rc = 0;

	/* a cluster member's keys go back to that member, named twice */
	if (server && !str_eq(member, om)) {
		diag_set(d, "%s: the journal names member %s but the object "
			    "names %s; not restored", termq(object),
			 termq(member ? member : "none"),
			 termq(om ? om : "none"));
		free(om);
		return -1;
	}
	free(om);
	if (lxd_get(c, object, &g, d) != 0) {
		lxd_response_release(&g);
		return -1;
	}
	cfg = json_object();
	body = server ? json_pack("{s:O}", "config", cfg) :
			writable_of(object, g.metadata);
	json_array_foreach(items, i, it) {
		const char *field = json_string_value(json_object_get(it,
								      "field"));
		const char *dev = json_string_value(json_object_get(it,
								    "device"));
		const char *key = json_string_value(json_object_get(it, "key"));
		const json_t *before = json_object_get(it, "before");
		char *what = item_what(it);

		if (json_is_false(json_object_get(it, "reversible"))) {
			fprintf(rb->out, "  not restored: %s %s (not "
					 "reversible)\n",
				json_string_value(json_object_get(it, "check")),
				what);
		} else if (decide(rb, what,
				  value_at(g.metadata, field, dev, key), before,
				  json_array_size(stored) ==
						  json_array_size(items) ?
					  json_array_get(stored, i) :
					  json_object_get(it, "after")) == 1) {
			if (server && key) {
				/* LXD deletes a server key set to "" */
				json_object_set_new(cfg, key, json_string(
					json_is_string(before) ?
						json_string_value(before) :
						""));
				rb->reverted++;
			} else if (!server &&
				   value_put(body, field, dev, key, before) ==
					   0) {
				rb->reverted++;
			} else {
				fprintf(rb->out, "  conflict: %s cannot be put "
						 "back (its device is gone)\n",
					what);
				rb->conflicts++;
			}
		}
		free(what);
	}
	if (rb->reverted)
		rc = lxd_send(c, server ? "PATCH" : "PUT", object, body,
			      g.etag, &r, d);
	else
		memset(&r, 0, sizeof(r));
	json_decref(cfg);
	json_decref(body);
	lxd_response_release(&g);
	lxd_response_release(&r);
	return rc;
}

/* Deletes a created object again, while it is as the fix made it (gone
   already: fine). */
static int
restore_created(struct lxd_client *c, const json_t *e, struct rb *rb,
		struct diag *d)
{
	static const char *const parts[] = { "config", "devices",
					     "description", NULL };
	const char *object = json_string_value(json_object_get(e, "object"));
	const json_t *made = json_object_get(
		json_array_get(json_object_get(e, "items"), 0), "after");
	struct lxd_response g, r;
	struct diag gd = { { 0 } };
	int rc;

	if (lxd_get(c, object, &g, &gd) != 0) {
		rc = g.http_status == 404 ? 0 : -1;
		if (rc)
			*d = gd;
		lxd_response_release(&g);
		return rc;
	}
	for (const char *const *k = parts; *k; k++) {
		const json_t *want = json_object_get(made, *k);
		const json_t *now = json_object_get(g.metadata, *k);

		if (!want || same(now, want) ||
		    (json_is_object(want) && !json_object_size(want) &&
		     (!now || (json_is_object(now) && !json_object_size(now)))) ||
		    (str_eq(*k, "description") && str_empty(
			    json_string_value(want)) &&
		     str_empty(json_string_value(now))))
			continue;
		if (rb->force) {
			fprintf(rb->out, "  forced: its %s changed since the "
					 "fix created it; deleting it "
					 "anyway\n", *k);
			break;
		}
		fprintf(rb->out, "  conflict: its %s changed since the fix "
				 "created it; left alone (--force deletes "
				 "it)\n", *k);
		rb->conflicts++;
		lxd_response_release(&g);
		return 0;
	}
	rc = lxd_send(c, "DELETE", object, NULL, g.etag, &r, d);
	if (rc != 0 && r.http_status == 404)
		rc = 0;
	else if (rc == 0)
		rb->reverted++;
	lxd_response_release(&g);
	lxd_response_release(&r);
	return rc;
}

/* Creates a deleted object again: POST to its collection. */
static int
restore_deleted(struct lxd_client *c, const json_t *e, struct rb *rb,
		struct diag *d)
{
	const char *object = json_string_value(json_object_get(e, "object"));
	json_t *prev = json_object_get(e, "previous");
	struct lxd_response g, r;
	struct diag gd = { { 0 } };
	const char *q, *slash;
	char *coll;
	int rc;

	if (lxd_get(c, object, &g, &gd) == 0) {
		/* it is there (the delete never happened) */
		lxd_response_release(&g);
		return 0;
	}
	if (g.http_status != 404) {
		*d = gd;
		lxd_response_release(&g);
		return -1;
	}
	lxd_response_release(&g);
	slash = strrchr(object, '/');
	q = strchr(object, '?');
	coll = xasprintf("%.*s%s", (int)(slash - object), object, q ? q : "");
	rc = lxd_send(c, "POST", coll, prev, NULL, &r, d);
	if (rc == 0)
		rb->reverted++;
	free(coll);
	lxd_response_release(&r);
	return rc;
}

/* A host file or mode: put back only while it is as the fix left it. */
static int
restore_host_checked(const json_t *e, struct rb *rb, struct diag *d)
{
	const json_t *prev = json_object_get(e, "previous");
	const json_t *after = json_object_get(
		json_array_get(json_object_get(e, "items"), 0), "after");
	const char *full = json_string_value(json_object_get(prev, "path"));
	const char *kind = json_string_value(json_object_get(e, "kind"));
	json_t *now = json_object(), *was = json_object();
	struct stat st;
	int dec;

	if (!full) {
		diag_set(d, "journal entry without a path");
		json_decref(now);
		json_decref(was);
		return -1;
	}
	if (str_eq(kind, "host-mode")) {
		if (stat(full, &st) == 0) {
			json_object_set_new(now, "mode",
					    json_integer(st.st_mode & 07777));
			if (json_object_get(after, "uid")) {
				json_object_set_new(now, "uid",
						    json_integer(st.st_uid));
				json_object_set_new(now, "gid",
						    json_integer(st.st_gid));
			}
		}
		json_object_set(was, "mode", json_object_get(prev, "mode"));
		if (json_object_get(after, "uid")) {
			json_object_set(was, "uid",
					json_object_get(prev, "uid"));
			json_object_set(was, "gid",
					json_object_get(prev, "gid"));
		}
		dec = decide(rb, full, now, was, after);
	} else {
		struct diag rd = { { 0 } };
		char *text = read_file(full, NULL, &rd);
		json_t *cur = text ? json_string(text) : json_null();

		free(text);
		dec = decide(rb, full, cur, json_object_get(prev, "content"),
			     after);
		json_decref(cur);
	}
	json_decref(now);
	json_decref(was);
	if (dec != 1)
		return 0;
	rb->reverted++;
	return restore_host(e, d);
}

/* Snap settings: each key only while it holds what the fix set. */
static int
restore_snap_checked(const json_t *e, const struct host_ops *ops,
		     struct rb *rb, struct diag *d)
{
	json_t *set = json_object_get(json_object_get(e, "previous"),
				      "settings");
	json_t *items = json_object_get(e, "items"), *it, *back;
	json_t *sub = json_object();
	size_t i;
	int rc;

	json_array_foreach(items, i, it) {
		const char *key = json_string_value(json_object_get(it, "key"));
		json_t *cur;
		char *val;
		int g;

		if (!key || !json_object_get(set, key))
			continue;
		g = snap_get(ops, key, &val, d);
		if (g < 0) {
			json_decref(sub);
			return -1;
		}
		cur = val ? json_string(val) : json_null();
		free(val);
		if (decide(rb, key, cur, json_object_get(set, key),
			   json_object_get(it, "after")) == 1)
			json_object_set(sub, key, json_object_get(set, key));
		json_decref(cur);
	}
	rb->reverted += (int)json_object_size(sub);
	back = json_pack("{s:{s:o}}", "previous", "settings", sub);
	rc = restore_snap(back, ops, d);
	json_decref(back);
	return rc;
}

int
fix_rollback(struct lxd_client *c, const char *journal_path,
	     const struct fix_rollback_opts *o, FILE *out, struct diag *d)
{
	struct diag warn = { { 0 } };
	json_t *lines = journal_load(journal_path, &warn, d), *e;
	struct journal j;
	size_t i, n;
	int rc = 0, conflicts = 0;

	if (!lines)
		return -1;
	if (warn.msg[0])
		fprintf(stderr, "lxd-harden: warning: %s\n", warn.msg);
	n = json_array_size(lines);
	json_array_foreach(lines, i, e) {
		if (str_eq(json_string_value(json_object_get(e, "type")),
			   "rolled-back")) {
			json_decref(lines);
			return 1;
		}
	}
	/* (the torn line just reported is cut off before appending) */
	if (journal_open(&j, journal_path, NULL, d) != 0) {
		json_decref(lines);
		return -1;
	}
	for (i = n; i-- > 0;) {
		const json_t *ch = json_array_get(lines, i);
		json_int_t seq = json_integer_value(json_object_get(ch, "seq"));
		const char *kind = json_string_value(json_object_get(ch,
								     "kind"));
		const char *object = json_string_value(
			json_object_get(ch, "object"));
		const char *state = NULL, *result;
		const json_t *stored = NULL;
		bool restored = false;
		struct diag rd = { { 0 } };
		struct rb rb = { out, o->force, 0, 0 };
		struct strbuf name = STRBUF_INIT;
		json_t *se;
		size_t k;
		int ok;

		if (!str_eq(json_string_value(json_object_get(ch, "type")),
			    "change"))
			continue;
		json_array_foreach(lines, k, e) {
			const char *t = json_string_value(
				json_object_get(e, "type"));

			if (json_integer_value(json_object_get(e, "seq")) !=
			    seq)
				continue;
			if (str_eq(t, "state")) {
				state = json_string_value(
					json_object_get(e, "state"));
				stored = json_object_get(e, "after");
			}
			if (str_eq(t, "rollback") &&
			    (str_eq(json_string_value(json_object_get(
					    e, "state")), "restored") ||
			     str_eq(json_string_value(json_object_get(
					    e, "state")), "skipped")))
				restored = true;
		}
		/* failed: known not to have happened */
		if (restored || str_eq(state, "failed"))
			continue;
		/* no state (the process died around the change) or unknown
		   (no answer came): it may have landed; what is there now
		   decides */
		strbuf_add(&name, "", 0);
		escape_term(&name, object ? object : "?");
		if (str_eq(kind, "delete") &&
		    json_is_false(json_object_get(ch, "reversible"))) {
			/* a token's secret, an expired certificate: LXD
			   cannot take them back */
			fprintf(out, "not restored %s (not reversible)\n",
				name.buf);
			strbuf_release(&name);
			se = state_entry("rollback", (long)seq, "skipped",
					 NULL);
			if (journal_append(&j, se, d) != 0) {
				json_decref(se);
				rc = -1;
				break;
			}
			json_decref(se);
			continue;
		}
		fprintf(out, "%s%s:\n", name.buf, state ? "" :
						   " (outcome not recorded)");
		if (str_eq(kind, "server") || str_eq(kind, "object"))
			ok = restore_keys(c, ch, stored, &rb, &rd);
		else if (str_eq(kind, "delete"))
			ok = restore_deleted(c, ch, &rb, &rd);
		else if (str_eq(kind, "create"))
			ok = restore_created(c, ch, &rb, &rd);
		else if (str_eq(kind, "snap-set"))
			ok = restore_snap_checked(ch, o->ops, &rb, &rd);
		else if (str_eq(kind, "host-mode") || str_eq(kind, "host-file"))
			ok = restore_host_checked(ch, &rb, &rd);
		else {
			diag_set(&rd, "%s: cannot undo a change of kind '%s'",
				 object, kind ? kind : "?");
			ok = -1;
		}
		if (ok != 0) {
			fprintf(out, "FAILED %s: %s\n", name.buf, rd.msg);
			if (rc == 0)
				*d = rd;
			rc = -1;
			result = "failed";
		} else if (rb.conflicts) {
			fprintf(out, "conflict %s: %d value%s left alone\n",
				name.buf, rb.conflicts,
				rb.conflicts == 1 ? "" : "s");
			conflicts += rb.conflicts;
			result = "conflict";
		} else {
			fprintf(out, "%s %s\n", rb.reverted ? "restored" :
					"unchanged (nothing to undo)",
				name.buf);
			result = "restored";
		}
		strbuf_release(&name);
		se = state_entry("rollback", (long)seq, result,
				 ok == 0 ? NULL : rd.msg);
		if (journal_append(&j, se, d) != 0) {
			json_decref(se);
			rc = -1;
			break;
		}
		json_decref(se);
	}
	if (rc == 0 && !conflicts) {
		json_t *done = json_pack("{s:s}", "type", "rolled-back");

		if (journal_append(&j, done, d) != 0)
			rc = -1;
		json_decref(done);
	}
	if (rc == 0 && conflicts) {
		diag_set(d, "%d value%s changed since the fix and %s left "
			    "alone; 'lxd-harden rollback --force' puts %s back",
			 conflicts, conflicts == 1 ? "" : "s",
			 conflicts == 1 ? "was" : "were",
			 conflicts == 1 ? "it" : "them");
		rc = 2;
	}
	journal_close(&j);
	json_decref(lines);
	return rc;
}
