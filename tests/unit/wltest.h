/* wltest.h - running the workload checks on tests/data/workload fixtures */
#ifndef LXD_HARDEN_WLTEST_H
#define LXD_HARDEN_WLTEST_H

#include "checktest.h"

/* Loads tests/data/workload/<fixture> into t (see ct_load_from). */
static inline void
wl_load(struct ct *t, const char *fixture)
{
	ct_load_from(t, "workload", fixture);
}

/*
 * The only finding with status st about object (and device and key when
 * they are not NULL); fails unless there is exactly one.
 */
static inline const struct finding *
wl_find(const struct ct *t, enum status st, const char *object,
	const char *device, const char *key)
{
	const struct finding *hit = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++) {
		const struct finding *f = &t->out.v[i];

		if (f->status != st || !str_eq(f->object, object))
			continue;
		if (device && !str_eq(f->device, device))
			continue;
		if (key && !str_eq(f->key, key))
			continue;
		hit = f;
		n++;
	}
	if (n != 1) {
		ct_dump(t);
		fail_msg("%zu %s findings about %s %s %s, want 1", n,
			 status_name(st), object, device ? device : "",
			 key ? key : "");
	}
	return hit;
}

/* Asserts that no finding of any status is about object. */
static inline void
wl_clean(const struct ct *t, const char *object)
{
	for (size_t i = 0; i < t->out.n; i++) {
		if (str_eq(t->out.v[i].object, object)) {
			ct_dump(t);
			fail_msg("unexpected finding about %s", object);
		}
	}
}

/* Asserts that no finding is about device of object. */
static inline void
wl_clean_device(const struct ct *t, const char *object, const char *device)
{
	for (size_t i = 0; i < t->out.n; i++) {
		if (str_eq(t->out.v[i].object, object) &&
		    str_eq(t->out.v[i].device, device)) {
			ct_dump(t);
			fail_msg("unexpected finding about %s device %s",
				 object, device);
		}
	}
}

/* A failing finding's fields, all compared (NULL must be NULL). */
static inline void
wl_assert(const struct finding *f, enum status st, enum severity sev,
	  const char *device, const char *key, const char *value,
	  const char *source, const char *remediation)
{
	assert_int_equal(f->status, st);
	if (f->severity != sev)
		fail_msg("%s: severity %s, want %s", f->message,
			 severity_name(f->severity), severity_name(sev));
	if (!str_eq(f->device, device) || !str_eq(f->key, key) ||
	    !str_eq(f->value, value) || !str_eq(f->source, source) ||
	    !str_eq(fix_text(f), remediation))
		fail_msg("%s\n  device %s key %s value %s source %s\n  fix "
			 "%s\n want device %s key %s value %s source %s\n  "
			 "fix %s",
			 f->message, f->device ? f->device : "(null)",
			 f->key ? f->key : "(null)",
			 f->value ? f->value : "(null)",
			 f->source ? f->source : "(null)",
			 fix_text(f) ? fix_text(f) : "(null)",
			 device ? device : "(null)", key ? key : "(null)",
			 value ? value : "(null)", source ? source : "(null)",
			 remediation ? remediation : "(null)");
	assert_true(strlen(f->message) > 0);
	assert_int_equal(f->message[strlen(f->message) - 1], '.');
}

/* Replaces a part of the snapshot (takes the reference). */
static inline void
wl_set_part(struct ct *t, enum snap_kind k, json_t *v)
{
	json_decref(t->snap.part[k]);
	t->snap.part[k] = v;
	free(t->snap.why[k]);
	t->snap.why[k] = v ? NULL : xstrdup("removed by the test");
}

/* The item of a part named name (and project, when not NULL). */
static inline json_t *
wl_item(struct ct *t, enum snap_kind k, const char *name,
	const char *project)
{
	json_t *e;
	size_t i;

	json_array_foreach (t->snap.part[k], i, e) {
		const char *p = json_string_value(json_object_get(e,
								  "project"));

		if (str_eq(json_string_value(json_object_get(e, "name")),
			   name) &&
		    (!project || str_eq(p, project)))
			return e;
	}
	fail_msg("no %s %s", snapshot_kind_name(k), name);
	abort();
}

#endif
