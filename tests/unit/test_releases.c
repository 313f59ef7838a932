/* test_releases.c - the whole catalog on the release fixtures */
#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>

#include "checktest.h"

/* tests/data/release/: one saved state per release that cannot run here. */
static const char *const lxd_releases[] = { "lxd-5.21.7", "lxd-6.9" };
static const char *const incus_releases[] = { "incus-6.0.6", "incus-7.3" };

static char *
releases_file(void)
{
	const char *src = getenv("LXDH_SRCDIR");

	return xasprintf("%s/data/releases.json", src ? src : ".");
}

static void
rel_load(struct ct *t, const char *fixture)
{
	ct_load_from(t, "release", fixture);
	t->releases = releases_file();
	t->ctx.releases_path = t->releases;
}

/* The fixture's api_extensions as strings; asserts the shape. */
static const json_t *
rel_exts(const struct ct *t)
{
	const json_t *exts = json_object_get(t->snap.part[SNAP_SERVER],
					     "api_extensions");
	const json_t *e;
	size_t i;

	assert_true(json_is_array(exts));
	json_array_foreach (exts, i, e)
		assert_true(json_is_string(e));
	return exts;
}

static bool
has_ext(const json_t *exts, const char *name)
{
	const json_t *e;
	size_t i;

	json_array_foreach (exts, i, e)
		if (str_eq(json_string_value(e), name))
			return true;
	return false;
}

/*
 * Runs every check of the catalog; fails on an error finding (a check
 * that found the fixture malformed, or could not read what it needs).
 */
static void
run_catalog(struct ct *t, const char *fixture,
	    void (*each)(const struct ct *t, const struct check *c, void *arg),
	    void *arg)
{
	size_t n = 0;

	for (const struct section *s = catalog_sections; s->prefix; s++) {
		for (const struct check *c = s->checks; c->id; c++) {
			n++;
			ct_run(t, c->id);
			if (t->status == ST_ERROR || ct_count(t, ST_ERROR)) {
				ct_dump(t);
				fail_msg("%s on %s: error", c->id, fixture);
			}
			if (each)
				each(t, c, arg);
		}
	}
	assert_int_equal(n, catalog_count());
}

static void
test_fixture_versions(void **state)
{
	static const struct {
		const char *dir, *product, *version;
		size_t min_exts;
	} want[] = {
		/* Counts of the tags' APIExtensions (see tests/data/README.md). */
		{ "lxd-5.21.7", "lxd", "5.21.7", 442 },
		{ "lxd-6.9", "lxd", "6.9", 475 },
		{ "incus-6.0.6", "incus", "6.0.6", 500 },
		{ "incus-7.3", "incus", "7.3", 541 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct ct t;

		rel_load(&t, want[i].dir);
		assert_string_equal(t.snap.product, want[i].product);
		assert_string_equal(t.snap.server_version, want[i].version);
		assert_int_equal(json_array_size(rel_exts(&t)),
				 want[i].min_exts);
		/* Every release here has the extensions the checks key on. */
		assert_true(snapshot_has_ext(&t.snap, "loki"));
		assert_true(snapshot_has_ext(&t.snap, "network_acl"));
		assert_true(snapshot_has_ext(&t.snap, "metrics_authentication"));
		assert_true(snapshot_has_ext(&t.snap, "remote_token_expiry"));
		assert_int_equal(snapshot_has_ext(&t.snap, "access_management"),
				 str_eq(want[i].product, "lxd"));
		ct_release(&t);
	}
}

static void
test_lxd_catalog(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lxd_releases); i++) {
		struct ct t;

		rel_load(&t, lxd_releases[i]);
		run_catalog(&t, lxd_releases[i], NULL, NULL);
		ct_release(&t);
	}
}

struct incus_arg {
	const json_t *lxd_only;	/* LXD extensions this Incus lacks */
	const char *fixture;
};

/* True when s names LXD with a version ("LXD 5.21", "LXD 6.6+"). */
static bool
names_lxd_version(const char *s)
{
	for (const char *p = s; p && (p = strstr(p, "LXD")); p++) {
		const char *q = p + 3;

		while (*q == ' ')
			q++;
		if (isdigit((unsigned char)*q))
			return true;
	}
	return false;
}

static void
check_incus(const struct ct *t, const struct check *c, void *arg)
{
	const struct incus_arg *a = arg;
	const json_t *e;
	size_t i;

	for (size_t k = 0; k < t->out.n; k++) {
		const struct finding *f = &t->out.v[k];
		const char *fields[] = { f->object, f->message, f->device,
					 f->key, f->value, f->source,
					 fix_text(f) };

		for (size_t j = 0; j < ARRAY_SIZE(fields); j++) {
			if (names_lxd_version(fields[j])) {
				ct_dump(t);
				fail_msg("%s on %s names an LXD version: %s",
					 c->id, a->fixture, fields[j]);
			}
		}
	}
	if (!ct_nowhere(t, "lxc ")) {
		ct_dump(t);
		fail_msg("%s on %s names the lxc client", c->id, a->fixture);
	}
	json_array_foreach (a->lxd_only, i, e) {
		if (!ct_nowhere(t, json_string_value(e))) {
			ct_dump(t);
			fail_msg("%s on %s names LXD-only extension %s", c->id,
				 a->fixture, json_string_value(e));
		}
	}
}

static void
test_incus_catalog(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(incus_releases); i++) {
		struct incus_arg a = { NULL, incus_releases[i] };
		json_t *lxd_only = json_array();
		struct ct t, l;
		const json_t *e;
		size_t j;

		rel_load(&t, incus_releases[i]);
		/* The LXD extensions of both LXD fixtures that this lacks. */
		for (size_t k = 0; k < ARRAY_SIZE(lxd_releases); k++) {
			rel_load(&l, lxd_releases[k]);
			json_array_foreach (rel_exts(&l), j, e)
				if (!has_ext(rel_exts(&t), json_string_value(e)) &&
				    !has_ext(lxd_only, json_string_value(e)))
					json_array_append_new(lxd_only, json_string(json_string_value(e)));
			ct_release(&l);
		}
		assert_true(has_ext(lxd_only, "access_management"));
		assert_false(has_ext(lxd_only, "loki"));
		a.lxd_only = lxd_only;
		run_catalog(&t, incus_releases[i], check_incus, &a);
		json_decref(lxd_only);
		ct_release(&t);
	}
}

/* The checker itself: a planted LXD version is seen. */
static void
test_names_lxd_version(void **state)
{
	(void)state;
	assert_true(names_lxd_version("needs LXD 5.21 or later"));
	assert_true(names_lxd_version("(LXD 6.6+)"));
	assert_true(names_lxd_version("x LXD6.1"));
	assert_false(names_lxd_version("LXD-LOG-004"));
	assert_false(names_lxd_version("the LXD daemon"));
	assert_false(names_lxd_version(NULL));
}

/* ----------------------------------------------------------- LOG-004 -- */

static const struct finding *
only_finding(const struct ct *t, enum status st)
{
	if (ct_count(t, st) != 1) {
		ct_dump(t);
		fail_msg("%zu %s findings, want 1", ct_count(t, st),
			 status_name(st));
	}
	for (size_t i = 0; i < t->out.n; i++)
		if (t->out.v[i].status == st)
			return &t->out.v[i];
	return NULL;
}

static void
test_log004_lxd(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lxd_releases); i++) {
		rel_load(&t, lxd_releases[i]);
		ct_expect_status(&t, "LXD-LOG-004", ST_FAIL);
		f = only_finding(&t, ST_FAIL);
		ct_assert_fail(f, SEV_LOW, "loki.api.url", "", "default");
		/* the address is the user's: a need, no command */
		assert_int_equal(f->remedy.n_commands, 0);
		assert_int_equal(f->remedy.n_needs, 1);
		assert_string_equal(f->remedy.needs[0].name, "loki.api.url");
		ct_set_config(&t, "loki.api.url", "https://loki.example:3100");
		/* LXD 6.9 has security events (event_security), 5.21 not */
		if (snapshot_has_ext(&t.snap, "event_security")) {
			ct_expect_status(&t, "LXD-LOG-004", ST_FAIL);
			f = only_finding(&t, ST_FAIL);
			ct_assert_fail(f, SEV_LOW, "loki.types",
				       "lifecycle,logging", "default");
			assert_string_equal(fix_text(f),
					    "lxc config set loki.types="
					    "lifecycle,logging,security");
			ct_set_config(&t, "loki.types",
				      "lifecycle,logging,security");
		} else {
			assert_string_equal(lxd_releases[i], "lxd-5.21.7");
		}
		ct_expect_status(&t, "LXD-LOG-004", ST_PASS);
		assert_true(ct_contains(only_finding(&t, ST_PASS)->message,
					"https://loki.example:3100"));
		/* no credential of the URL in the report */
		ct_set_config(&t, "loki.api.url",
			      "https://u:pw@loki.example:3100/x?t=1");
		ct_expect_status(&t, "LXD-LOG-004", ST_PASS);
		assert_string_equal(only_finding(&t, ST_PASS)->message,
				    "Events go to Loki at "
				    "https://loki.example:3100.");
		ct_release(&t);
	}
}

/* Every Incus finding stays in Incus terms. */
static void
assert_incus_terms(const struct ct *t)
{
	for (size_t i = 0; i < t->out.n; i++) {
		const struct finding *f = &t->out.v[i];

		if (names_lxd_version(f->message) ||
		    names_lxd_version(fix_text(f)) ||
		    ct_contains(fix_text(f), "lxc ")) {
			ct_dump(t);
			fail_msg("an Incus finding in LXD terms");
		}
	}
}

static void
test_log004_incus(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(incus_releases); i++) {
		rel_load(&t, incus_releases[i]);
		/* both have named loggers (server_logging, 6.12 and 6.0.5) */
		assert_true(snapshot_has_ext(&t.snap, "server_logging"));
		ct_expect_status(&t, "LXD-LOG-004", ST_FAIL);
		f = only_finding(&t, ST_FAIL);
		ct_assert_fail(f, SEV_LOW, "logging.NAME.target.address", "",
			       "default");
		assert_int_equal(f->remedy.n_commands, 0);
		assert_string_equal(f->remedy.needs[0].name,
				    "logging.remote.target.address");
		assert_true(ct_contains(f->remedy.note,
					"incus config set "
					"logging.remote.target.type=loki "));
		assert_incus_terms(&t);

		/* an address without a type is no logger in Incus */
		ct_set_config(&t, "logging.siem.target.address",
			      "udp://192.0.2.50:514");
		ct_expect_status(&t, "LXD-LOG-004", ST_FAIL);
		/* syslog without an address writes to the host's syslog */
		ct_set_config(&t, "logging.siem.target.address", NULL);
		ct_set_config(&t, "logging.siem.target.type", "syslog");
		ct_expect_status(&t, "LXD-LOG-004", ST_FAIL);
		assert_true(ct_contains(only_finding(&t, ST_FAIL)->message,
					"siem (syslog, no address)"));
		ct_set_config(&t, "logging.siem.target.address",
			      "udp://192.0.2.50:514");
		ct_expect_status(&t, "LXD-LOG-004", ST_PASS);
		f = only_finding(&t, ST_PASS);
		assert_true(ct_contains(f->message, "syslog logger siem at "
					"udp://192.0.2.50:514"));
		assert_incus_terms(&t);

		/* a report repeats no credential or token of the address */
		ct_set_config(&t, "logging.siem.target.type", "webhook");
		ct_set_config(&t, "logging.siem.target.address",
			      "https://ops:s3cr3t@hooks.example:8443/in/"
			      "T0KEN?key=K3Y");
		ct_expect_status(&t, "LXD-LOG-004", ST_PASS);
		assert_true(ct_contains(only_finding(&t, ST_PASS)->message,
					"webhook logger siem at "
					"https://hooks.example:8443 "));
		assert_true(ct_nowhere(&t, "s3cr3t"));
		assert_true(ct_nowhere(&t, "T0KEN"));
		assert_true(ct_nowhere(&t, "K3Y"));

		/* the deprecated loki.* keys still ship */
		ct_set_config(&t, "logging.siem.target.type", NULL);
		ct_set_config(&t, "logging.siem.target.address", NULL);
		ct_set_config(&t, "loki.api.url", "https://loki.example:3100");
		ct_expect_status(&t, "LXD-LOG-004", ST_PASS);
		assert_true(ct_contains(only_finding(&t, ST_PASS)->message,
					"deprecated since Incus 6.12 and "
					"6.0.5"));
		assert_incus_terms(&t);

		/* wrong shape: error, not pass */
		json_object_set_new(json_object_get(t.snap.part[SNAP_SERVER],
						    "config"),
				    "logging.x.target.type", json_true());
		ct_set_config(&t, "loki.api.url", NULL);
		ct_expect_status(&t, "LXD-LOG-004", ST_ERROR);
		ct_release(&t);

		/* no config object at all */
		rel_load(&t, incus_releases[i]);
		json_object_del(t.snap.part[SNAP_SERVER], "config");
		ct_expect_status(&t, "LXD-LOG-004", ST_ERROR);
		ct_release(&t);
	}

	/* Incus 6.0.0 to 6.0.4 (the real daemon here): loki.* only */
	rel_load(&t, "incus-6.0.6");
	ct_drop_ext(&t, "server_logging");
	ct_drop_ext(&t, "server_logging_webhook");
	ct_set_version(&t, "incus", "6.0.4");
	ct_expect_status(&t, "LXD-LOG-004", ST_FAIL);
	f = only_finding(&t, ST_FAIL);
	ct_assert_fail(f, SEV_LOW, "loki.api.url", "", "default");
	assert_string_equal(f->remedy.needs[0].name, "loki.api.url");
	assert_true(ct_contains(f->remedy.note, "incus config set "
						"loki.api.url="));
	ct_set_config(&t, "loki.api.url", "https://loki.example:3100");
	ct_expect_status(&t, "LXD-LOG-004", ST_PASS);
	assert_false(ct_contains(only_finding(&t, ST_PASS)->message,
				 "deprecated"));
	ct_drop_ext(&t, "loki");
	ct_set_config(&t, "loki.api.url", NULL);
	ct_expect_status(&t, "LXD-LOG-004", ST_NOTAPPLICABLE);
	assert_incus_terms(&t);
	ct_release(&t);
}

/* ------------------------------------------------------ expect.json -- */

/*
 * tests/data/release/expect.json: for each check, a "weak" and a "clean"
 * variant of every release fixture and the status each must give. A
 * variant is the fixture's files with edits ("set"), loaded as a saved
 * state is. "common" holds the variants of all releases; a release's
 * own section replaces a check's entry. An edit is "PART:PATH": VALUE,
 * PATH being "/"-separated keys, "name=X" picking the array item named X
 * or a number its index; null deletes; "PART:+..." appends VALUE to the
 * array PART. A check that does not apply to a release says
 * {"weak": {"status": "notapplicable"}} alone (scripts/matrix.py reads
 * that as "not applicable").
 */
static json_t *
body_of(json_t *doc)
{
	json_t *m = json_object_get(doc, "metadata");

	return m && json_object_get(doc, "status_code") ? m : doc;
}

static json_t *
step(json_t *j, const char *seg, bool create)
{
	if (json_is_array(j)) {
		const json_t *e;
		size_t i;

		if (str_starts_with(seg, "name=")) {
			json_array_foreach (j, i, e)
				if (str_eq(json_string_value(json_object_get(
						   e, "name")), seg + 5))
					return (json_t *)(uintptr_t)e;
			return NULL;
		}
		return json_array_get(j, strtoul(seg, NULL, 10));
	}
	if (!json_is_object(j))
		return NULL;
	if (!json_object_get(j, seg) && create)
		json_object_set_new(j, seg, json_object());
	return json_object_get(j, seg);
}

static void
apply_edit(json_t *docs[SNAP__COUNT], const char *edit, json_t *value,
	   const char *where)
{
	const char *colon = strchr(edit, ':');
	char *part = colon ? xstrndup(edit, (size_t)(colon - edit)) : NULL;
	char *path, *seg, *next;
	json_t *j = NULL;
	int k = -1;

	for (int i = 0; part && i < SNAP__COUNT; i++)
		if (str_eq(snapshot_kind_name((enum snap_kind)i), part))
			k = i;
	if (k < 0)
		fail_msg("%s: edit %s names no part", where, edit);
	if (!docs[k])
		docs[k] = json_array();
	j = body_of(docs[k]);
	free(part);
	if (colon[1] == '+') {
		if (!json_is_array(j))
			fail_msg("%s: %s: not an array", where, edit);
		json_array_append(j, value);
		return;
	}
	path = xstrdup(colon + 1);
	for (seg = path; (next = strchr(seg, '/')); seg = next + 1) {
		*next = '\0';
		j = step(j, seg, true);
		if (!j)
			fail_msg("%s: %s: no %s", where, edit, seg);
	}
	if (!json_is_object(j))
		fail_msg("%s: %s: %s is not in an object", where, edit, seg);
	if (json_is_null(value))
		json_object_del(j, seg);
	else
		json_object_set(j, seg, value);
	free(path);
}

/* Loads release/rel with the edits of variant v into t. */
static void
load_variant(struct ct *t, const char *rel, const json_t *v,
	     const char *where)
{
	json_t *docs[SNAP__COUNT] = { 0 };
	struct diag d = { { 0 } };
	const char *edit;
	json_t *value;
	char *dir;

	memset(t, 0, sizeof(*t));
	snprintf(t->fixture, sizeof(t->fixture), "release/%s", rel);
	dir = ct_data_path(t->fixture);
	for (int k = 0; k < SNAP__COUNT; k++) {
		char *f = xasprintf("%s/%s.json", dir,
				    snapshot_kind_name((enum snap_kind)k));
		struct stat st;

		if (stat(f, &st) == 0) {
			docs[k] = json_load_file(f, 0, NULL);
			if (!docs[k])
				fail_msg("%s: cannot parse", f);
		}
		free(f);
	}
	json_object_foreach ((json_t *)(uintptr_t)json_object_get(v, "set"),
			     edit, value)
		apply_edit(docs, edit, value, where);
	snapshot_init(&t->snap);
	if (snapshot_load_docs(&t->snap, docs, dir, &d) != 0)
		fail_msg("%s: %s", where, d.msg);
	for (int k = 0; k < SNAP__COUNT; k++)
		json_decref(docs[k]);
	free(dir);
	policy_init(&t->policy);
	t->ctx.snap = &t->snap;
	t->ctx.policy = &t->policy;
	t->releases = releases_file();
	t->ctx.releases_path = t->releases;
}

static bool
status_parse(const char *name, enum status *out)
{
	for (int i = 0; i < ST__COUNT; i++) {
		if (str_eq(status_name((enum status)i), name)) {
			*out = (enum status)i;
			return true;
		}
	}
	return false;
}

static json_t *
load_expect(void)
{
	char *p = ct_data_path("release/expect.json");
	json_error_t e;
	json_t *j = json_load_file(p, 0, &e);

	if (!json_is_object(j))
		fail_msg("%s:%d: %s", p, e.line, e.text);
	free(p);
	return j;
}

static void
test_expect(void **state)
{
	static const char *const rels[] = { "lxd-5.21.7", "lxd-6.9",
					    "incus-6.0.6", "incus-7.3" };
	static const char *const variants[] = { "weak", "clean" };
	json_t *exp = load_expect();
	const json_t *common = json_object_get(exp, "common");
	const char *key;
	json_t *bd;
	size_t n = 0;

	(void)state;
	assert_true(json_is_object(common));
	/* "by_design": {CHECK: {"products": [...], "why": "..."}} */
	json_object_foreach ((json_t *)(uintptr_t)json_object_get(exp,
								"by_design"),
			     key, bd) {
		assert_non_null(catalog_find(key));
		assert_true(json_array_size(json_object_get(bd, "products")));
		assert_true(json_string_length(json_object_get(bd, "why")) >
			    20);
	}
	for (size_t r = 0; r < ARRAY_SIZE(rels); r++) {
		const json_t *own = json_object_get(exp, rels[r]);

		for (const struct section *s = catalog_sections; s->prefix;
		     s++) {
			for (const struct check *c = s->checks; c->id; c++) {
				const json_t *e = json_object_get(own, c->id);

				if (!e)
					e = json_object_get(common, c->id);
				for (size_t i = 0; e && i < 2; i++) {
					const json_t *v = json_object_get(
						e, variants[i]);
					const char *st = json_string_value(
						json_object_get(v, "status"));
					char *where;
					enum status want = ST_ERROR;
					struct ct t;

					if (!v)
						continue;
					where = xasprintf("%s %s %s", rels[r],
							  c->id, variants[i]);
					if (!st || !status_parse(st, &want))
						fail_msg("%s: bad status", where);
					load_variant(&t, rels[r], v, where);
					print_message("# %s\n", where);
					ct_expect_status(&t, c->id, want);
					n++;
					ct_release(&t);
					free(where);
				}
			}
		}
	}
	assert_true(n > 0);
	json_decref(exp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_lxd_version),
		cmocka_unit_test(test_fixture_versions),
		cmocka_unit_test(test_lxd_catalog),
		cmocka_unit_test(test_incus_catalog),
		cmocka_unit_test(test_log004_lxd),
		cmocka_unit_test(test_log004_incus),
		cmocka_unit_test(test_expect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
