/* checktest.h - loading fixture snapshots and running one check on them */
#ifndef LXD_HARDEN_CHECKTEST_H
#define LXD_HARDEN_CHECKTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "engine.h"
#include "evidence.h"
#include "remtext.h"

/* One check run on one fixture directory under tests/data/snap/. */
struct ct {
	struct snapshot snap;
	struct policy policy;
	struct check_ctx ctx;
	struct findings out;
	char *releases;
	enum status status;
	char fixture[96];	/* "set/fixture" under tests/data */
};

static inline char *
ct_data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

/* Loads tests/data/<set>/<fixture> ("snap", "workload") into t. */
static inline void
ct_load_from(struct ct *t, const char *set, const char *fixture)
{
	struct diag d = { { 0 } };
	char *rel = xasprintf("%s/%s", set, fixture);
	char *dir = ct_data_path(rel);

	memset(t, 0, sizeof(*t));
	snprintf(t->fixture, sizeof(t->fixture), "%s", rel);
	snapshot_init(&t->snap);
	if (snapshot_load_dir(&t->snap, dir, &d) != 0)
		fail_msg("load %s: %s", dir, d.msg);
	free(rel);
	free(dir);
	policy_init(&t->policy);
	t->ctx.snap = &t->snap;
	t->ctx.policy = &t->policy;
}

/* Loads tests/data/snap/<fixture> into t. */
static inline void
ct_load(struct ct *t, const char *fixture)
{
	ct_load_from(t, "snap", fixture);
}

static inline const struct check *
ct_find(const char *id)
{
	const struct check *c = catalog_find(id);

	if (!c)
		fail_msg("no check %s", id);
	return c;
}

/* Runs id again from scratch (earlier findings are dropped). */
static inline enum status
ct_run(struct ct *t, const char *id)
{
	const struct check *c = ct_find(id);

	findings_release(&t->out);
	if (!c)
		return ST__COUNT;
	c->eval(c, &t->ctx, &t->out);
	t->status = engine_status(&t->out);
	return t->status;
}

static inline void
ct_release(struct ct *t)
{
	findings_release(&t->out);
	policy_release(&t->policy);
	snapshot_release(&t->snap);
	free(t->releases);
}

static inline void
ct_dump(const struct ct *t)
{
	for (size_t i = 0; i < t->out.n; i++) {
		const struct finding *f = &t->out.v[i];

		print_message("  [%s/%s] %s: %s | %s=%s (%s) | fix: %s\n",
			      status_name(f->status),
			      severity_name(f->severity),
			      f->object, f->message, f->key ? f->key : "-",
			      f->value ? f->value : "-",
			      f->source ? f->source : "-",
			      fix_text(f) ? fix_text(f) : "-");
	}
}

static inline void
ct_expect_status(struct ct *t, const char *id, enum status want)
{
	if (ct_run(t, id) != want) {
		ct_dump(t);
		fail_msg("%s: status %s, want %s", id, status_name(t->status),
			 status_name(want));
	}
	evidence_note(t->fixture, &t->snap, id, want);
}

/* The only finding about object with status st; fails unless one. */
static inline const struct finding *
ct_finding(const struct ct *t, enum status st, const char *object)
{
	const struct finding *hit = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++) {
		if (t->out.v[i].status == st &&
		    str_eq(t->out.v[i].object, object)) {
			hit = &t->out.v[i];
			n++;
		}
	}
	if (n != 1) {
		ct_dump(t);
		fail_msg("%zu %s findings about %s, want 1", n,
			 status_name(st), object);
	}
	return hit;
}

static inline size_t
ct_count(const struct ct *t, enum status st)
{
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++)
		n += t->out.v[i].status == st;
	return n;
}

static inline bool
ct_contains(const char *s, const char *needle)
{
	return s && strstr(s, needle);
}

/* Asserts the fields of a failing finding; NULL skips a field. */
static inline void
ct_assert_fail(const struct finding *f, enum severity sev, const char *key,
	       const char *value, const char *source)
{
	assert_int_equal(f->status, ST_FAIL);
	assert_int_equal(f->severity, sev);
	assert_non_null(fix_text(f));
	assert_true(strlen(f->message) > 0);
	if (key) {
		assert_non_null(f->key);
		assert_string_equal(f->key, key);
	}
	if (value) {
		assert_non_null(f->value);
		assert_string_equal(f->value, value);
	}
	if (source) {
		assert_non_null(f->source);
		assert_string_equal(f->source, source);
	}
}

/*
 * Variants the fixtures do not hold are made by editing the loaded
 * snapshot: tests own it, checks still only read it.
 */
static inline void
ct_drop_ext(struct ct *t, const char *ext)
{
	json_t *exts = json_object_get(t->snap.part[SNAP_SERVER],
				       "api_extensions");

	for (size_t i = 0; i < json_array_size(exts); i++) {
		if (str_eq(json_string_value(json_array_get(exts, i)), ext)) {
			json_array_remove(exts, i);
			return;
		}
	}
	fail_msg("fixture has no extension %s", ext);
}

/* Sets a server config key; NULL removes it. */
static inline void
ct_set_config(struct ct *t, const char *key, const char *value)
{
	json_t *cfg = json_object_get(t->snap.part[SNAP_SERVER], "config");

	if (value)
		json_object_set_new(cfg, key, json_string(value));
	else
		json_object_del(cfg, key);
}

static inline void
ct_set_version(struct ct *t, const char *product, const char *version)
{
	free(t->snap.product);
	free(t->snap.server_version);
	t->snap.product = xstrdup(product);
	t->snap.server_version = xstrdup(version);
}

/* Removes a part as if it could not be fetched. */
static inline void
ct_drop_part(struct ct *t, enum snap_kind k, const char *why)
{
	json_decref(t->snap.part[k]);
	t->snap.part[k] = NULL;
	free(t->snap.why[k]);
	t->snap.why[k] = xstrdup(why);
}

/* True when no string of any finding contains needle. */
static inline bool
ct_nowhere(const struct ct *t, const char *needle)
{
	for (size_t i = 0; i < t->out.n; i++) {
		const struct finding *f = &t->out.v[i];
		const char *fields[] = { f->object, f->message, f->device,
					 f->key, f->value, f->source,
					 fix_text(f) };

		for (size_t k = 0; k < ARRAY_SIZE(fields); k++)
			if (ct_contains(fields[k], needle))
				return false;
	}
	return true;
}

#endif
