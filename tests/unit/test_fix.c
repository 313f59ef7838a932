/* test_fix.c - the fixer table and the plan (pure: no server) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "fix.h"
#include "policy.h"

struct fixture {
	struct snapshot snap;
	struct report report;
	struct policy policy;
};

static const char *server_json =
	"{\"config\":{\"core.remote_token_expiry\":\"1H\","
	"\"core.trust_password\":true,\"core.https_address\":\":8443\"}}";
static const char *profiles_json =
	"[{\"name\":\"weak\",\"project\":\"default\",\"used_by\":"
	"[\"/1.0/instances/c1\"],\"config\":{\"security.nesting\":\"true\"},"
	"\"devices\":{}}]";
static const char *instances_json =
	"[{\"name\":\"c1\",\"project\":\"default\",\"config\":{},"
	"\"devices\":{\"data\":{\"type\":\"disk\",\"source\":\"/srv\","
	"\"path\":\"/mnt\"}}}]";

/* A report with one failing result per check id, each one finding. */
static void
add_result(struct report *r, const char *id, const char *object,
	   const char *key, const char *value, const char *source,
	   const char *device)
{
	struct check_result *cr;
	struct finding *f;

	r->results = xrealloc(r->results, (r->n + 1) * sizeof(*r->results));
	cr = &r->results[r->n++];
	memset(cr, 0, sizeof(*cr));
	cr->check = catalog_find(id);
	assert_non_null(cr->check);
	cr->status = ST_FAIL;
	f = findings_add(&cr->findings, ST_FAIL, SEV_MEDIUM, object, "x");
	finding_key(f, key, value, source);
	if (device)
		finding_device(f, device);
}

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snapshot_init(&fx->snap);
	fx->snap.product = xstrdup("lxd");
	fx->snap.part[SNAP_SERVER] = json_loads(server_json, 0, NULL);
	fx->snap.part[SNAP_PROFILES] = json_loads(profiles_json, 0, NULL);
	fx->snap.part[SNAP_INSTANCES] = json_loads(instances_json, 0, NULL);
	policy_init(&fx->policy);
	add_result(&fx->report, "LXD-ACC-010", "/1.0",
		   "core.remote_token_expiry", "1H", "/1.0", NULL);
	add_result(&fx->report, "LXD-ACC-004", "/1.0", "core.trust_password",
		   "(set)", "/1.0", NULL);
	add_result(&fx->report, "LXD-NET-001", "/1.0", "core.https_address",
		   ":8443", "/1.0", NULL);
	/* found on the instance, set by the profile: fixed on the profile */
	add_result(&fx->report, "LXD-INS-003",
		   "/1.0/instances/c1?project=default", "security.nesting",
		   "true", "/1.0/profiles/weak?project=default", NULL);
	add_result(&fx->report, "LXD-DEV-002",
		   "/1.0/instances/c1?project=default", "source", "/srv",
		   "/1.0/instances/c1?project=default", "data");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	engine_report_release(&fx->report);
	snapshot_release(&fx->snap);
	policy_release(&fx->policy);
	free(fx);
	return 0;
}

static const struct fix_item *
find(const struct fix_plan *p, const char *check)
{
	for (size_t i = 0; i < p->n; i++)
		if (str_eq(p->v[i].check, check))
			return &p->v[i];
	fail_msg("no item for %s", check);
	abort();
}

static void
test_plan_default(void **state)
{
	struct fixture *fx = *state;
	struct fix_opts o = { .policy = &fx->policy };
	struct fix_plan p;
	const struct fix_item *it;

	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	fix_plan_select(&p, &o);
	assert_int_equal(p.n, 5);

	it = find(&p, "LXD-ACC-010");
	assert_non_null(it);
	assert_int_equal(it->kind, FIXK_SERVER_KEY);
	assert_true(it->old_present);
	assert_string_equal(it->old_value, "1H");
	assert_string_equal(it->new_value, "15M");
	assert_int_equal(it->risk, FIX_SAFE);
	assert_true(it->reversible);
	assert_true(it->selected);
	assert_string_equal(it->command,
			    "lxc config set core.remote_token_expiry=15M");

	it = find(&p, "LXD-ACC-004");
	assert_non_null(it);
	assert_null(it->new_value);
	assert_false(it->reversible);
	assert_int_equal(it->risk, FIX_OPTIN);
	assert_false(it->selected);

	it = find(&p, "LXD-NET-001");
	assert_int_equal(it->risk, FIX_NEEDS_VALUE);
	assert_false(it->selected);

	it = find(&p, "LXD-INS-003");
	assert_string_equal(it->object, "/1.0/profiles/weak?project=default");
	assert_int_equal(it->kind, FIXK_CONFIG_KEY);
	assert_string_equal(it->new_value, "false");
	assert_false(it->selected);
	assert_non_null(strstr(it->effect, "restart"));

	it = find(&p, "LXD-DEV-002");
	assert_int_equal(it->kind, FIXK_DEVICE_KEY);
	assert_string_equal(it->device, "data");
	assert_string_equal(it->key, "readonly");
	assert_false(it->old_present);
	assert_string_equal(it->new_value, "true");
	fix_plan_release(&p);
}

static void
test_only_and_set(void **state)
{
	struct fixture *fx = *state;
	const char *only[] = { "LXD-DEV-002:c1/data", "LXD-NET-001" };
	const char *set[] = { "core.https_address=192.0.2.10:8443" };
	struct fix_opts o = { .policy = &fx->policy, .only = only,
			      .n_only = 2, .set = set, .n_set = 1 };
	struct fix_plan p;

	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	fix_plan_select(&p, &o);
	assert_true(find(&p, "LXD-DEV-002")->selected);
	assert_false(find(&p, "LXD-ACC-010")->selected);
	assert_false(find(&p, "LXD-INS-003")->selected);
	assert_true(find(&p, "LXD-NET-001")->selected);
	assert_string_equal(find(&p, "LXD-NET-001")->new_value,
			    "192.0.2.10:8443");
	assert_true(fix_only_matches("LXD-DEV-002", find(&p, "LXD-DEV-002")));
	assert_true(fix_only_matches("LXD-DEV-002:c1",
				     find(&p, "LXD-DEV-002")));
	assert_false(fix_only_matches("LXD-DEV-002:c2/data",
				      find(&p, "LXD-DEV-002")));
	assert_false(fix_only_matches("LXD-DEV-00", find(&p, "LXD-DEV-002")));
	fix_plan_release(&p);
}

static void
test_policy_expiry(void **state)
{
	struct fixture *fx = *state;
	struct fix_opts o = { .policy = &fx->policy };
	struct fix_plan p;

	fx->policy.token_expiry_max = 2 * 3600;
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	assert_string_equal(find(&p, "LXD-ACC-010")->new_value, "2H");
	fix_plan_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plan_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_only_and_set, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_expiry, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
