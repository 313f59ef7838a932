/* test_checks_general.c - GEN checks on fixture snapshots */
#include <stdio.h>
#include <unistd.h>

#include "checktest.h"
#include "host.h"
#include "releases.h"

static char *
releases_file(void)
{
	const char *src = getenv("LXDH_SRCDIR");

	return xasprintf("%s/data/releases.json", src ? src : ".");
}

static void
gen1_load(struct ct *t, const char *fixture)
{
	ct_load(t, fixture);
	t->releases = releases_file();
	t->ctx.releases_path = t->releases;
}

/* Runs GEN-001 and returns its only finding. */
static const struct finding *
gen1(struct ct *t, enum status want)
{
	ct_expect_status(t, "LXD-GEN-001", want);
	assert_int_equal(t->out.n, 1);
	assert_string_equal(t->out.v[0].object, "/1.0");
	return &t->out.v[0];
}

static void
test_gen001_lts_behind(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	gen1_load(&t, "sample-502");
	f = gen1(&t, ST_FAIL);
	ct_assert_fail(f, SEV_HIGH, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "5.0.2"));
	assert_true(ct_contains(f->message, "5.0.9"));
	assert_true(ct_contains(fix_text(f), "--channel=5.0/stable"));
	assert_true(ct_contains(fix_text(f), "snap refresh"));

	/* a packaged LXD is upgraded through apt, or moved to the snap */
	{
		struct host h;

		host_init(&h);
		h.install = HOST_INSTALL_PACKAGE;
		t.ctx.host = &h;
		f = gen1(&t, ST_FAIL);
		assert_true(ct_contains(fix_text(f),
					"apt-get install --only-upgrade lxd"));
		assert_true(ct_contains(fix_text(f), "lxd.migrate"));
		t.ctx.host = NULL;
		host_release(&h);
	}

	ct_set_version(&t, "lxd", "5.21.3");
	f = gen1(&t, ST_FAIL);
	assert_true(ct_contains(f->message, "5.21.7"));

	ct_set_version(&t, "incus", "6.0.3");
	f = gen1(&t, ST_FAIL);
	assert_true(ct_contains(f->message, "Incus 6.0.3"));
	assert_true(ct_contains(f->message, "6.0.6"));
	assert_true(ct_contains(fix_text(f), "Incus"));
	ct_release(&t);
}

static void
test_gen001_supported(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	gen1_load(&t, "clean-509");
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "2027-06-30"));
	ct_release(&t);

	gen1_load(&t, "lxd-69");
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "latest feature release"));
	ct_set_version(&t, "lxd", "5.21.7");
	gen1(&t, ST_PASS);
	ct_set_version(&t, "incus", "7.3");
	gen1(&t, ST_PASS);
	ct_set_version(&t, "incus", "6.0.6");
	gen1(&t, ST_PASS);
	ct_release(&t);
}

static void
test_gen001_unpublished_end(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	gen1_load(&t, "incus-70");
	assert_string_equal(t.snap.product, "incus");
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "not published"));
	/* a far future: still no invented end date */
	t.snap.now += 10LL * 365 * 86400;
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "not published"));
	ct_release(&t);
}

static void
test_gen001_newer_than_table(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	gen1_load(&t, "lxd-69");
	ct_set_version(&t, "lxd", "6.10");
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "stale"));
	assert_true(ct_contains(f->message, "2026-08-22"));
	ct_set_version(&t, "lxd", "5.0.10");
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "stale"));
	ct_set_version(&t, "incus", "7.4");
	f = gen1(&t, ST_PASS);
	assert_true(ct_contains(f->message, "stale"));
	ct_release(&t);
}

static void
test_gen001_unsupported(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	gen1_load(&t, "lxd-69");
	ct_set_version(&t, "lxd", "6.5");
	f = gen1(&t, ST_FAIL);
	ct_assert_fail(f, SEV_HIGH, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "6.5"));
	assert_true(ct_contains(f->message, "6.9"));
	ct_set_version(&t, "lxd", "5.20");
	gen1(&t, ST_FAIL);
	ct_set_version(&t, "incus", "7.2");
	gen1(&t, ST_FAIL);

	ct_set_version(&t, "lxd", "4.0.13");
	f = gen1(&t, ST_FAIL);
	assert_true(ct_contains(f->message, "2025-06-30"));
	assert_true(ct_contains(fix_text(f), "5.21.7"));
	ct_set_version(&t, "lxd", "3.0.3");
	f = gen1(&t, ST_FAIL);
	assert_true(ct_contains(f->message, "2023-06-30"));

	/* the day after 5.0's support ends */
	ct_set_version(&t, "lxd", "5.0.9");
	gen1(&t, ST_PASS);
	assert_int_equal(parse_rfc3339("2027-07-01T00:00:00Z", &t.snap.now),
			 0);
	f = gen1(&t, ST_FAIL);
	assert_true(ct_contains(f->message, "2027-06-30"));
	ct_release(&t);
}

static void
test_gen001_no_version(void **state)
{
	struct ct t;

	(void)state;
	gen1_load(&t, "lxd-69");
	ct_set_version(&t, "lxd", "unknown");
	ct_expect_status(&t, "LXD-GEN-001", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0");
	ct_release(&t);
}

static char *
temp_table(const char *content)
{
	char path[] = "/tmp/lxdh-releases-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return xstrdup(path);
}

static void
expect_table_error(const char *content, const char *needle)
{
	struct ct t;
	char *path = temp_table(content);
	char *obj = xasprintf("file://%s", path);
	const struct finding *f;

	ct_load(&t, "clean-509");
	t.ctx.releases_path = path;
	ct_expect_status(&t, "LXD-GEN-001", ST_ERROR);
	f = ct_finding(&t, ST_ERROR, obj);
	assert_true(ct_contains(f->message, path));
	if (!ct_contains(f->message, needle))
		fail_msg("'%s' does not say '%s'", f->message, needle);
	unlink(path);
	free(path);
	free(obj);
	ct_release(&t);
}

static void
test_gen001_bad_table(void **state)
{
	struct ct t;
	const struct finding *f;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-GEN-001", ST_ERROR);
	f = ct_finding(&t, ST_ERROR, "releases.json");
	assert_true(ct_contains(f->message, "--releases"));
	t.ctx.releases_path = "/nonexistent/releases.json";
	ct_expect_status(&t, "LXD-GEN-001", ST_ERROR);
	ct_finding(&t, ST_ERROR, "file:///nonexistent/releases.json");
	ct_release(&t);

	expect_table_error("{ \"schema\": ", "line");
	expect_table_error("{ \"schema\": \"other/1\" }", "schema");
	expect_table_error("{ \"schema\": \"lxd-harden/releases/1\", "
			   "\"products\": { \"incus\": {} } }",
			   "product \"lxd\"");
	expect_table_error("{ \"schema\": \"lxd-harden/releases/1\", "
			   "\"products\": { \"lxd\": { \"lts\": [ { "
			   "\"series\": \"5.0\", \"end_of_support\": "
			   "\"June 2027\", \"latest\": \"5.0.9\" } ], "
			   "\"feature\": { \"latest\": \"6.9\" } } } }",
			   "YYYY-MM-DD");
	expect_table_error("{ \"schema\": \"lxd-harden/releases/1\", "
			   "\"products\": { \"lxd\": { \"lts\": [], "
			   "\"feature\": {} } } }",
			   "feature.latest");
}

/* A one-LTS table for LXD with the given series entry and feature entry. */
static char *
lxd_table(const char *lts, const char *feature)
{
	return xasprintf("{ \"schema\": \"lxd-harden/releases/1\", "
			 "\"updated\": \"2026-08-22\", \"products\": { "
			 "\"lxd\": { \"lts\": [ %s ], \"feature\": %s } } }",
			 lts, feature);
}

/*
 * Values of the right JSON type that GEN-001 still cannot use: each used
 * to compare as "not older" and pass.
 */
static void
test_gen001_malformed_values(void **state)
{
	static const struct {
		const char *lts, *feature, *needle;
	} cases[] = {
		{ "{ \"series\": \"5.0\", \"latest\": \"5.0.x\" }",
		  "{ \"latest\": \"6.9\" }", "point release" },
		{ "{ \"series\": \"5.0\", \"latest\": true }",
		  "{ \"latest\": \"6.9\" }", "point release" },
		{ "{ \"series\": \"5.0\", \"latest\": \"5.21.7\" }",
		  "{ \"latest\": \"6.9\" }", "point release" },
		{ "{ \"series\": \"5.0\", \"latest\": \"5.0.9\", "
		  "\"end_of_support\": \"2027-02-30\" }",
		  "{ \"latest\": \"6.9\" }", "end_of_support" },
		{ "{ \"series\": \"5.0\", \"latest\": \"5.0.9\", "
		  "\"first_release\": \"2028-01-01\", "
		  "\"end_of_support\": \"2027-06-30\" }",
		  "{ \"latest\": \"6.9\" }", "before its first release" },
		{ "{ \"series\": \"5.0\", \"latest\": \"5.0.9\", "
		  "\"first_release\": \"2022-13-01\" }",
		  "{ \"latest\": \"6.9\" }", "first_release" },
		{ "{ \"series\": true, \"latest\": \"5.0.9\" }",
		  "{ \"latest\": \"6.9\" }", "series" },
		{ "{ \"series\": \"5.0\", \"latest\": \"5.0.9\" }",
		  "{ \"latest\": \"6.x\" }", "feature.latest" },
		{ "{ \"series\": \"5.0\", \"latest\": \"5.0.9\" }",
		  "{ \"latest\": \"6.9\", \"released\": \"2026-02-29\" }",
		  "feature.released" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *table = lxd_table(cases[i].lts, cases[i].feature);

		expect_table_error(table, cases[i].needle);
		free(table);
	}
}

/* The same table with good values is used: the cases above are not
   rejected for something else. */
static void
test_gen001_wellformed_table(void **state)
{
	char *table = lxd_table("{ \"series\": \"5.0\", \"latest\": "
				"\"5.0.9\", \"first_release\": "
				"\"2022-03-31\", \"end_of_support\": "
				"\"2028-02-29\" }",
				"{ \"latest\": \"6.9\", \"released\": "
				"\"2026-06-23\" }");
	char *path = temp_table(table);
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	t.ctx.releases_path = path;
	ct_expect_status(&t, "LXD-GEN-001", ST_PASS);
	unlink(path);
	free(path);
	free(table);
	ct_release(&t);
}

static void
test_releases_locate(void **state)
{
	const char *p;

	(void)state;
	assert_string_equal(releases_locate("/x/r.json"), "/x/r.json");
	assert_int_equal(setenv("LXD_HARDEN_RELEASES", "/y/r.json", 1), 0);
	assert_string_equal(releases_locate(NULL), "/y/r.json");
	assert_string_equal(releases_locate("/x/r.json"), "/x/r.json");
	assert_int_equal(unsetenv("LXD_HARDEN_RELEASES"), 0);
	/* an uninstalled build falls back to the source tree's copy */
	p = releases_locate(NULL);
	assert_non_null(p);
	assert_true(str_ends_with(p, "/releases.json"));
	assert_int_equal(access(p, R_OK), 0);
}

static void
test_gen002_unused_networks(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-GEN-002", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 3);
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/lxdbr0?project=default");
	ct_assert_fail(f, SEV_LOW, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "unused-prof"));
	assert_true(ct_contains(fix_text(f),
				"lxc network delete lxdbr0 --project default"));
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/br-idle?project=default");
	ct_assert_fail(f, SEV_LOW, NULL, NULL, NULL);
	assert_string_equal(fix_text(f),
			    "lxc network delete br-idle --project default");
	ct_finding(&t, ST_FAIL, "/1.0/networks/br-null?project=default");
	ct_release(&t);
}

static void
test_gen002_used(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* 5.0.2 writes default-project URLs without ?project= */
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-GEN-002", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-GEN-002", ST_PASS);
	assert_int_equal(t.out.n, 0);
	/* br-prof is used only through a profile; unknown profiles */
	ct_drop_part(&t, SNAP_PROFILES, "GET /1.0/profiles: 403 Forbidden");
	ct_expect_status(&t, "LXD-GEN-002", ST_ERROR);
	f = ct_finding(&t, ST_ERROR, "/1.0/networks/br-prof?project=default");
	assert_true(ct_contains(f->message, "403 Forbidden"));
	ct_release(&t);
}

static void
test_gen002_error(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-GEN-002", ST_ERROR);
	assert_true(ct_contains(ct_finding(&t, ST_ERROR, "/1.0/networks")
					->message,
				"networks.json"));
	ct_release(&t);
}

static void
test_gen003_unused_pools(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-GEN-003", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 3);
	f = ct_finding(&t, ST_FAIL, "/1.0/storage-pools/pool-ext");
	ct_assert_fail(f, SEV_LOW, NULL, NULL, NULL);
	assert_string_equal(fix_text(f), "lxc storage delete pool-ext");
	ct_finding(&t, ST_FAIL, "/1.0/storage-pools/pool-ext2");
	ct_finding(&t, ST_FAIL, "/1.0/storage-pools/pool-nested");
	ct_release(&t);

	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-GEN-003", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL, "/1.0/storage-pools/pool-profiles");
	ct_assert_fail(f, SEV_LOW, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "unused-prof"));
	assert_true(ct_contains(f->message, "default (project blue)"));
	assert_true(ct_contains(fix_text(f),
				"lxc storage delete pool-profiles"));
	ct_finding(&t, ST_FAIL, "/1.0/storage-pools/pool-empty");
	ct_release(&t);
}

static void
test_gen003_used_and_error(void **state)
{
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-GEN-003", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-GEN-003", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/storage-pools");
	ct_release(&t);
}

/* GEN-004: members that are not online are errors, never passes */
static void
test_gen004_cluster_members(void **state)
{
	json_t *m;
	struct ct t;

	(void)state;
	ct_load_from(&t, "workload", "cluster");
	ct_expect_status(&t, "LXD-GEN-004", ST_ERROR);
	ct_finding(&t, ST_PASS, "/1.0/cluster/members/m1");
	ct_finding(&t, ST_PASS, "/1.0/cluster/members/m2");
	assert_true(ct_contains(ct_finding(&t, ST_ERROR,
					   "/1.0/cluster/members/m3")->message,
				"m3 is Offline"));
	m = json_array_get(t.snap.part[SNAP_CLUSTER_MEMBERS], 2);
	json_object_set_new(m, "status", json_string("Evacuated"));
	ct_expect_status(&t, "LXD-GEN-004", ST_PASS);
	json_object_set_new(m, "status", json_string("Error"));
	ct_expect_status(&t, "LXD-GEN-004", ST_ERROR);
	json_object_del(m, "status");
	ct_expect_status(&t, "LXD-GEN-004", ST_ERROR);
	assert_true(ct_contains(ct_finding(&t, ST_ERROR,
					   "/1.0/cluster/members/m3")->message,
				"unknown state"));
	/* the member list unreadable: an error */
	json_decref(t.snap.part[SNAP_CLUSTER_MEMBERS]);
	t.snap.part[SNAP_CLUSTER_MEMBERS] = NULL;
	ct_expect_status(&t, "LXD-GEN-004", ST_ERROR);
	ct_release(&t);

	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-GEN-004", ST_NOTAPPLICABLE);
	ct_release(&t);
}

/*
 * GEN-004 on the releases this machine cannot run as a cluster: each
 * release's saved state made a two-member cluster (the member list has
 * the same fields on every release): both online pass, one offline errs.
 */
static void
test_gen004_releases(void **state)
{
	static const char *const rel[] = { "lxd-5.21.7", "lxd-6.9",
					   "incus-6.0.6", "incus-7.3" };
	struct ct t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		json_t *members = json_pack(
			"[{s:s, s:s, s:s}, {s:s, s:s, s:s}]",
			"server_name", "a", "url", "https://192.0.2.1:8443",
			"status", "Online",
			"server_name", "b", "url", "https://192.0.2.2:8443",
			"status", "Online");

		ct_load_from(&t, "release", rel[i]);
		t.snap.clustered = true;
		json_decref(t.snap.part[SNAP_CLUSTER_MEMBERS]);
		t.snap.part[SNAP_CLUSTER_MEMBERS] = members;
		free(t.snap.why[SNAP_CLUSTER_MEMBERS]);
		t.snap.why[SNAP_CLUSTER_MEMBERS] = NULL;
		ct_expect_status(&t, "LXD-GEN-004", ST_PASS);
		json_object_set_new(json_array_get(members, 1), "status",
				    json_string("Offline"));
		ct_expect_status(&t, "LXD-GEN-004", ST_ERROR);
		ct_finding(&t, ST_ERROR, "/1.0/cluster/members/b");
		ct_release(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen004_cluster_members),
		cmocka_unit_test(test_gen004_releases),
		cmocka_unit_test(test_gen001_lts_behind),
		cmocka_unit_test(test_gen001_supported),
		cmocka_unit_test(test_gen001_unpublished_end),
		cmocka_unit_test(test_gen001_newer_than_table),
		cmocka_unit_test(test_gen001_unsupported),
		cmocka_unit_test(test_gen001_no_version),
		cmocka_unit_test(test_gen001_bad_table),
		cmocka_unit_test(test_releases_locate),
		cmocka_unit_test(test_gen002_unused_networks),
		cmocka_unit_test(test_gen002_used),
		cmocka_unit_test(test_gen001_malformed_values),
		cmocka_unit_test(test_gen001_wellformed_table),
		cmocka_unit_test(test_gen002_error),
		cmocka_unit_test(test_gen003_unused_pools),
		cmocka_unit_test(test_gen003_used_and_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
