/*
 * test_property.c - no check passes on a value of the wrong type
 *
 * For each saved state under tests/data/{snap,workload,release}, every
 * value of every file (the whole file included) is replaced, one at a
 * time, by a value of each other JSON type. No check whose status was
 * fail, error or manual may then be pass or notapplicable: a value of
 * the wrong shape must never read as "absent" or "not set".
 *
 * Time bound: a fixture with more than PROP_MAX_POSITIONS values is
 * sampled at an even stride (the whole file and the first values of each
 * file are always in), so the run stays well under a minute in the
 * ASan/UBSan build. The numbers are printed as TAP diagnostics.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "engine.h"

/*
 * Values tried per fixture (each with up to 6 replacements). At 300 the
 * 20 fixtures of today make about 28,000 audits: 6.5 s of CPU in the
 * plain build, 25 s with ASan/UBSan. Build with
 * -DPROP_MAX_POSITIONS=100000000 to try every value (64,000 audits).
 */
#ifndef PROP_MAX_POSITIONS
#define PROP_MAX_POSITIONS 300
#endif

struct pos {
	json_t **root;		/* the document slot when parent is NULL */
	json_t *parent;		/* object or array holding the value */
	char *key;		/* in an object */
	size_t index;		/* in an array */
	size_t doc;		/* which file */
};

struct fixture {
	const char *name;
	json_t *docs[SNAP__COUNT];
	struct pos *pos;
	size_t npos, alloc;
	enum status *base;
	size_t nchecks;
	char *releases;
};

static const struct check **all_checks;
static size_t n_all_checks;

static void
collect_checks(void)
{
	if (all_checks)
		return;
	for (const struct section *sec = catalog_sections; sec->prefix; sec++)
		for (const struct check *c = sec->checks; c->id; c++) {
			all_checks = xrealloc(all_checks, (n_all_checks + 1) *
							  sizeof(*all_checks));
			all_checks[n_all_checks++] = c;
		}
}

static void
pos_add(struct fixture *f, struct pos p)
{
	if (f->npos == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 256;
		f->pos = xrealloc(f->pos, f->alloc * sizeof(*f->pos));
	}
	f->pos[f->npos++] = p;
}

static void
walk(struct fixture *f, json_t *v, size_t doc)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach (v, key, m) {
			pos_add(f, (struct pos){ .parent = v,
						 .key = xstrdup(key),
						 .doc = doc });
			walk(f, m, doc);
		}
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, m) {
			pos_add(f, (struct pos){ .parent = v, .index = i,
						 .doc = doc });
			walk(f, m, doc);
		}
	}
}

static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

static void
run_all(struct fixture *f, enum status *st)
{
	struct snapshot s;
	struct policy pol;
	struct check_ctx x = { 0 };
	struct diag d = { { 0 } };
	int rc;

	snapshot_init(&s);
	policy_init(&pol);
	rc = snapshot_load_docs(&s, f->docs, f->name, &d);
	x.snap = &s;
	x.policy = &pol;
	x.releases_path = f->releases;
	for (size_t i = 0; i < n_all_checks; i++) {
		struct findings out = { 0 };

		if (rc != 0) {
			/* the audit stops with exit 1: nothing passes */
			st[i] = ST_ERROR;
			continue;
		}
		all_checks[i]->eval(all_checks[i], &x, &out);
		st[i] = engine_status(&out);
		findings_release(&out);
	}
	policy_release(&pol);
	snapshot_release(&s);
}

static bool
load_fixture(struct fixture *f, const char *set, const char *name)
{
	char *rel = xasprintf("%s/%s", set, name);
	char *dir = data_path(rel);
	bool any = false;

	memset(f, 0, sizeof(*f));
	f->name = name;
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		char *path = xasprintf("%s/%s.json", dir,
				       snapshot_kind_name((enum snap_kind)k));
		json_error_t err;

		f->docs[k] = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
		any |= f->docs[k] != NULL;
		free(path);
	}
	free(rel);
	free(dir);
	if (!any)
		return false;
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		if (!f->docs[k])
			continue;
		pos_add(f, (struct pos){ .root = &f->docs[k], .doc = k });
		walk(f, f->docs[k], k);
	}
	return true;
}

static void
release_fixture(struct fixture *f)
{
	for (size_t k = 0; k < SNAP__COUNT; k++)
		json_decref(f->docs[k]);
	for (size_t i = 0; i < f->npos; i++)
		free(f->pos[i].key);
	free(f->pos);
	free(f->base);
}

static json_t *
pos_get(const struct pos *p)
{
	if (p->root)
		return *p->root;
	return p->key ? json_object_get(p->parent, p->key) :
			json_array_get(p->parent, p->index);
}

/* Puts v (a reference is taken) at p. */
static void
pos_set(const struct pos *p, json_t *v)
{
	if (p->root) {
		json_decref(*p->root);
		*p->root = json_incref(v);
	} else if (p->key) {
		json_object_set(p->parent, p->key, v);
	} else {
		json_array_set(p->parent, p->index, v);
	}
}

static bool
bad_move(enum status before, enum status after)
{
	return (before == ST_FAIL || before == ST_ERROR ||
		before == ST_MANUAL) &&
	       (after == ST_PASS || after == ST_NOTAPPLICABLE);
}

/* The JSON path of p, for the failure message. */
static void
describe(const struct fixture *f, const struct pos *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s.json %s%s%s", f->name,
		 snapshot_kind_name((enum snap_kind)p->doc),
		 p->root ? "(the whole file)" : p->key ? "member " : "index ",
		 p->key ? p->key : "", "");
	if (!p->root && !p->key) {
		size_t len = strlen(buf);

		snprintf(buf + len, n - len, "%zu", p->index);
	}
}

/*
 * Whether putting rep at p gives a value of another type than the data
 * there. A whole file in API envelope form holds its data in metadata: a
 * bare list in its place is data of the same type (an empty answer). A
 * null where the API leaves an empty list out as null is an empty list.
 */
static bool
wrong_type(const struct pos *p, const json_t *orig, const json_t *rep)
{
	const json_t *md = json_object_get(orig, "metadata");
	const json_t *data = orig;

	if (!data || !rep)
		return false;
	if (p->root && md && json_object_get(orig, "type"))
		data = md;
	if (json_is_boolean(rep) && json_is_boolean(data))
		return false;
	if (json_is_null(rep) && p->key &&
	    snapshot_null_is_empty((enum snap_kind)p->doc, p->key))
		return false;
	return json_typeof(rep) != json_typeof(data);
}

static size_t total_runs, total_fixtures, total_bad;

static void
mutate_fixture(struct fixture *f)
{
	/* one value of each JSON type (jansson tells integers from reals) */
	json_t *reps[] = { json_null(), json_true(), json_integer(7),
			   json_real(0.5), json_string("x"), json_array(),
			   json_object() };
	enum status *st = xcalloc(n_all_checks, sizeof(*st));
	size_t stride = f->npos > PROP_MAX_POSITIONS ?
				(f->npos + PROP_MAX_POSITIONS - 1) /
					PROP_MAX_POSITIONS :
				1;
	size_t tried = 0;

	f->base = xcalloc(n_all_checks, sizeof(*f->base));
	run_all(f, f->base);
	for (size_t i = 0; i < f->npos; i++) {
		const struct pos *p = &f->pos[i];
		json_t *orig;

		/* whole files and the first values always, then a sample */
		if (!p->root && i % stride != 0 && i > 16)
			continue;
		orig = json_incref(pos_get(p));
		tried++;
		for (size_t r = 0; r < ARRAY_SIZE(reps); r++) {
			if (!wrong_type(p, orig, reps[r]))
				continue;
			pos_set(p, reps[r]);
			run_all(f, st);
			total_runs++;
			for (size_t c = 0; c < n_all_checks; c++) {
				char where[512];
				char *val;

				if (!bad_move(f->base[c], st[c]))
					continue;
				describe(f, p, where, sizeof(where));
				val = json_dumps(reps[r], JSON_ENCODE_ANY);
				if (total_bad++ < 40)
					print_message("# %s set to %s: %s went "
						      "from %s to %s\n", where,
						      val, all_checks[c]->id,
						      status_name(f->base[c]),
						      status_name(st[c]));
				free(val);
			}
		}
		pos_set(p, orig);
		json_decref(orig);
	}
	print_message("# %s: %zu values, %zu tried (stride %zu)\n", f->name,
		      f->npos, tried, stride);
	for (size_t r = 0; r < ARRAY_SIZE(reps); r++)
		json_decref(reps[r]);
	free(st);
}

static void
run_set(const char *set)
{
	char *dir = data_path(set);
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	collect_checks();
	if (!dh) {
		/* a set not in this tree yet: nothing to mutate */
		print_message("# no fixtures under %s\n", dir);
		free(dir);
		return;
	}
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	free(dir);
	for (size_t i = 0; i < n; i++) {
		struct fixture f;

		if (load_fixture(&f, set, names[i])) {
			f.releases = getenv("LXDH_SRCDIR") ?
					     xasprintf("%s/data/releases.json",
						       getenv("LXDH_SRCDIR")) :
					     xstrdup("data/releases.json");
			mutate_fixture(&f);
			free(f.releases);
			total_fixtures++;
		}
		release_fixture(&f);
		free(names[i]);
	}
	free(names);
	if (total_bad)
		fail_msg("%zu mutations moved a check to pass or "
			 "notapplicable", total_bad);
}

static void
test_snap(void **state)
{
	(void)state;
	run_set("snap");
}

static void
test_workload(void **state)
{
	(void)state;
	run_set("workload");
}

static void
test_release(void **state)
{
	(void)state;
	run_set("release");
}

/* GEN-001 of fixture with the release table at path. */
static enum status
gen001(const struct snapshot *snap, const char *path)
{
	const struct check *c = catalog_find("LXD-GEN-001");
	struct policy pol;
	struct check_ctx x = { 0 };
	struct findings out = { 0 };
	enum status st;

	assert_non_null(c);
	policy_init(&pol);
	x.snap = snap;
	x.policy = &pol;
	x.releases_path = path;
	c->eval(c, &x, &out);
	st = engine_status(&out);
	findings_release(&out);
	policy_release(&pol);
	return st;
}

/*
 * The release table is data too: every value of data/releases.json is
 * replaced by each other type, for fixtures whose release GEN-001 fails
 * (an LXD LTS behind, an Incus, an unsupported feature release).
 */
static void
test_release_table(void **state)
{
	static const char *const fixtures[][2] = {
		{ "snap", "sample-502" },
		{ "workload", "incus" },
		{ "workload", "vm-67" },
	};
	const char *src = getenv("LXDH_SRCDIR");
	char *orig_path = xasprintf("%s/data/releases.json", src ? src : ".");
	char tmp[] = "/tmp/lxdh-prop-rel-XXXXXX";
	json_t *reps[] = { json_null(), json_true(), json_integer(7),
			   json_real(0.5), json_string("x"), json_array(),
			   json_object() };
	json_error_t err;
	struct fixture tf;
	json_t *table = json_load_file(orig_path, 0, &err);
	int fd = mkstemp(tmp);
	size_t runs = 0;

	(void)state;
	assert_non_null(table);
	assert_true(fd >= 0);
	close(fd);
	/* the positions of the table, reusing the fixture walker */
	memset(&tf, 0, sizeof(tf));
	tf.docs[0] = table;
	pos_add(&tf, (struct pos){ .root = &tf.docs[0] });
	walk(&tf, table, 0);
	for (size_t f = 0; f < ARRAY_SIZE(fixtures); f++) {
		struct fixture fx;
		struct snapshot snap;
		struct diag d = { { 0 } };
		enum status base;

		assert_true(load_fixture(&fx, fixtures[f][0], fixtures[f][1]));
		snapshot_init(&snap);
		assert_int_equal(snapshot_load_docs(&snap, fx.docs, fx.name,
						    &d), 0);
		base = gen001(&snap, orig_path);
		assert_int_equal(base, ST_FAIL);
		for (size_t i = 0; i < tf.npos; i++) {
			const struct pos *p = &tf.pos[i];
			json_t *orig = json_incref(pos_get(p));

			for (size_t r = 0; r < ARRAY_SIZE(reps); r++) {
				enum status st;

				if (json_typeof(reps[r]) == json_typeof(orig) ||
				    (json_is_boolean(reps[r]) &&
				     json_is_boolean(orig)))
					continue;
				/*
				 * The table's "readme": in an LTS entry, null
				 * is "unknown" (latest) or "not published"
				 * (end_of_support), a value of its own.
				 */
				if (json_is_null(reps[r]) &&
				    (str_eq(p->key, "latest") ||
				     str_eq(p->key, "end_of_support")) &&
				    json_object_get(p->parent, "series"))
					continue;
				pos_set(p, reps[r]);
				assert_int_equal(json_dump_file(tf.docs[0], tmp,
								JSON_ENCODE_ANY),
						 0);
				st = gen001(&snap, tmp);
				runs++;
				if (bad_move(base, st)) {
					char *v = json_dumps(reps[r],
							     JSON_ENCODE_ANY);

					print_message("# releases.json %s%s "
						      "[%zu] set to %s: "
						      "GEN-001 %s on %s\n",
						      p->key ? "member " : "",
						      p->key ? p->key : "",
						      p->index, v,
						      status_name(st),
						      fixtures[f][1]);
					free(v);
					total_bad++;
				}
			}
			pos_set(p, orig);
			json_decref(orig);
		}
		snapshot_release(&snap);
		release_fixture(&fx);
	}
	print_message("# releases.json: %zu values, %zu GEN-001 runs\n",
		      tf.npos, runs);
	unlink(tmp);
	tf.docs[0] = NULL;
	for (size_t i = 0; i < tf.npos; i++)
		free(tf.pos[i].key);
	free(tf.pos);
	json_decref(table);
	for (size_t r = 0; r < ARRAY_SIZE(reps); r++)
		json_decref(reps[r]);
	free(orig_path);
	if (total_bad)
		fail_msg("%zu mutations of the release table moved GEN-001 "
			 "to pass or notapplicable", total_bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snap),
		cmocka_unit_test(test_workload),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_table),
	};
	clock_t t0 = clock();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	printf("# %zu fixtures, %zu mutated audits, %.1f s CPU\n",
	       total_fixtures, total_runs,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	return rc;
}
