/* test_checks_multiuser.c - MUL-002 and MUL-003 on workload fixtures */
#include "wltest.h"

static void
test_restricted_projects(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-MUL-002", ST_FAIL);
	/* the restricted certificate ci may use tenant and open */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/projects/open", NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "restricted", NULL,
		  "/1.0/projects/open", "lxc project set open restricted=true");
	assert_true(ct_contains(wl_find(&t, ST_FAIL, "/1.0/projects/open",
					NULL, NULL)->message,
				"certificate ci"));
	wl_clean(&t, "/1.0/projects/tenant");
	/* a metrics certificate reaches no project */
	wl_clean(&t, "/1.0/projects/shared");
	assert_int_equal(ct_count(&t, ST_FAIL), 1);

	/* restricted=false is not restricted either */
	json_object_set_new(json_object_get(wl_item(&t, SNAP_PROJECTS, "open",
						    NULL),
					    "config"),
			    "restricted", json_string("false"));
	ct_run(&t, "LXD-MUL-002");
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/projects/open", NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "restricted", "false",
		  "/1.0/projects/open", "lxc project set open restricted=true");
	/* fixed */
	json_object_set_new(json_object_get(wl_item(&t, SNAP_PROJECTS, "open",
						    NULL),
					    "config"),
			    "restricted", json_string("true"));
	ct_expect_status(&t, "LXD-MUL-002", ST_PASS);
	ct_release(&t);
}

static void
test_identities(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "identities");
	ct_expect_status(&t, "LXD-MUL-002", ST_FAIL);
	/* alice (OIDC, group devs) operates project dev */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/projects/dev", NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "restricted", NULL,
		  "/1.0/projects/dev", "lxc project set dev restricted=true");
	assert_true(ct_contains(wl_find(&t, ST_FAIL, "/1.0/projects/dev",
					NULL, NULL)->message,
				"identity oidc/alice"));
	/* bob reaches ops2 through an instance, and ops2 is restricted */
	wl_clean(&t, "/1.0/projects/ops2");
	/* carol holds server admin */
	wl_clean(&t, "/1.0/projects/adminproj");
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	ct_release(&t);
}

static void
test_restrictions(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-MUL-003", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/projects/tenant", NULL,
			  "restricted.containers.nesting"),
		  ST_FAIL, SEV_MEDIUM, NULL, "restricted.containers.nesting",
		  "allow", "/1.0/projects/tenant",
		  "lxc project set tenant restricted.containers.nesting=block");
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/projects/tenant", NULL,
			  "restricted.devices.disk"),
		  ST_FAIL, SEV_MEDIUM, NULL, "restricted.devices.disk",
		  "allow", "/1.0/projects/tenant",
		  "lxc project set tenant restricted.devices.disk=managed");
	/* disk=allow with disk.paths; restricted=yes counts */
	wl_clean(&t, "/1.0/projects/tenant2");
	/* not restricted: its restricted.* keys do nothing (MUL-002) */
	wl_clean(&t, "/1.0/projects/open");
	assert_int_equal(ct_count(&t, ST_FAIL), 2);

	/* every key of the list, one finding each */
	{
		static const char *const keys[] = {
			"restricted.containers.privilege",
			"restricted.containers.lowlevel",
			"restricted.virtual-machines.lowlevel",
			"restricted.devices.gpu",
			"restricted.devices.usb",
			"restricted.devices.pci",
			"restricted.devices.unix-char",
			"restricted.devices.unix-block",
			"restricted.devices.unix-hotplug",
			"restricted.devices.infiniband",
			"restricted.devices.nic",
			"restricted.devices.proxy",
			"restricted.containers.interception",
			"restricted.cluster.target",
		};
		json_t *cfg = json_object_get(wl_item(&t, SNAP_PROJECTS,
						      "tenant2", NULL),
					      "config");

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			json_object_set_new(cfg, keys[i],
					    json_string("allow"));
		/* privilege=isolated is stricter than the default */
		json_object_set_new(cfg, "restricted.containers.privilege",
				    json_string("isolated"));
		ct_run(&t, "LXD-MUL-003");
		assert_int_equal(ct_count(&t, ST_FAIL),
				 2 + ARRAY_SIZE(keys) - 1);
		assert_true(ct_nowhere(&t, "privilege"));
		json_object_set_new(cfg, "restricted.containers.privilege",
				    json_string("allow"));
		ct_run(&t, "LXD-MUL-003");
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			assert_true(ct_contains(wl_find(&t, ST_FAIL,
							"/1.0/projects/tenant2",
							NULL, keys[i])
							->message,
						"re-opens"));
		assert_int_equal(ct_count(&t, ST_FAIL), 2 + ARRAY_SIZE(keys));
	}
	ct_release(&t);
}

static json_t *
tenant2(struct ct *t)
{
	return json_object_get(wl_item(t, SNAP_PROJECTS, "tenant2", NULL),
			       "config");
}

static void
set_cfg(struct ct *t, const char *key, const char *v)
{
	if (v)
		json_object_set_new(tenant2(t), key, json_string(v));
	else
		json_object_del(tenant2(t), key);
}

/* Values that re-open through their content, not by being "allow". */
static void
test_restriction_values(void **state)
{
	static const char *const root_paths[] = { "/", "/srv,/", " //", "/a/..",
						  "/srv, /./" };
	static const char *const root_ids[] = { "0", "0-65535",
						" 1000000-1065535 , 0-3" };
	static const char *const whole[] = {
		"up:0.0.0.0/0",
		"up:0.0.0.0/1,up:128.0.0.0/1",
		"up:::/1,other:8000::/1",
	};
	const struct finding *f;
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	/* tenant2: disk=allow confined by disk.paths, the rest default */
	ct_run(&t, "LXD-MUL-003");
	wl_clean(&t, "/1.0/projects/tenant2");
	for (size_t i = 0; i < ARRAY_SIZE(root_paths); i++) {
		set_cfg(&t, "restricted.devices.disk.paths", root_paths[i]);
		ct_run(&t, "LXD-MUL-003");
		f = wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
			    "restricted.devices.disk");
		assert_true(ct_contains(f->message, "includes / itself"));
		assert_string_equal(fix_text(f),
				    "lxc project set tenant2 "
				    "restricted.devices.disk=managed");
	}
	set_cfg(&t, "restricted.devices.disk.paths", "/srv/tenant2,/data");
	ct_run(&t, "LXD-MUL-003");
	wl_clean(&t, "/1.0/projects/tenant2");

	/* host uid/gid 0 in restricted.idmap.* */
	for (size_t i = 0; i < ARRAY_SIZE(root_ids); i++) {
		set_cfg(&t, "restricted.idmap.uid", root_ids[i]);
		set_cfg(&t, "restricted.idmap.gid", root_ids[i]);
		ct_run(&t, "LXD-MUL-003");
		f = wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
			    "restricted.idmap.uid");
		assert_true(ct_contains(f->message, "host uid 0"));
		f = wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
			    "restricted.idmap.gid");
		assert_true(ct_contains(f->message, "host gid 0"));
	}
	set_cfg(&t, "restricted.idmap.uid", "1000000-1065535, 5");
	set_cfg(&t, "restricted.idmap.gid", NULL);
	ct_run(&t, "LXD-MUL-003");
	wl_clean(&t, "/1.0/projects/tenant2");
	set_cfg(&t, "restricted.idmap.uid", "5-1");
	ct_run(&t, "LXD-MUL-003");
	wl_find(&t, ST_ERROR, "/1.0/projects/tenant2", NULL,
		"restricted.idmap.uid");
	set_cfg(&t, "restricted.idmap.uid", "root");
	ct_run(&t, "LXD-MUL-003");
	wl_find(&t, ST_ERROR, "/1.0/projects/tenant2", NULL,
		"restricted.idmap.uid");
	set_cfg(&t, "restricted.idmap.uid", NULL);

	/* uplink subnets that add up to a whole family */
	for (size_t i = 0; i < ARRAY_SIZE(whole); i++) {
		set_cfg(&t, "restricted.networks.subnets", whole[i]);
		ct_run(&t, "LXD-MUL-003");
		f = wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
			    "restricted.networks.subnets");
		assert_true(ct_contains(f->message, "covers every IPv"));
	}
	set_cfg(&t, "restricted.networks.subnets",
		"up:198.51.100.0/24,up:2001:db8::/64");
	ct_run(&t, "LXD-MUL-003");
	wl_clean(&t, "/1.0/projects/tenant2");

	/* interception=full opens at least what allow opens */
	set_cfg(&t, "restricted.containers.interception", "full");
	ct_run(&t, "LXD-MUL-003");
	f = wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
		    "restricted.containers.interception");
	assert_true(ct_contains(f->message, "system call interception"));
	/* a key the release predates (proxy before LXD 4.18) is not judged */
	set_cfg(&t, "restricted.containers.interception", NULL);
	set_cfg(&t, "restricted.devices.proxy", "allow");
	ct_run(&t, "LXD-MUL-003");
	wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
		"restricted.devices.proxy");
	ct_set_version(&t, "lxd", "4.17");
	ct_run(&t, "LXD-MUL-003");
	wl_clean(&t, "/1.0/projects/tenant2");
	/* Incus has them all, and its own client */
	ct_set_version(&t, "incus", "6.0.4");
	ct_run(&t, "LXD-MUL-003");
	assert_string_equal(fix_text(wl_find(&t, ST_FAIL,
					     "/1.0/projects/tenant2", NULL,
					     "restricted.devices.proxy")),
			    "incus project set tenant2 "
			    "restricted.devices.proxy=block");
	assert_true(ct_nowhere(&t, "lxc "));
	/* a value of the wrong shape is an error */
	json_object_set_new(tenant2(&t), "restricted.devices.gpu",
			    json_true());
	ct_run(&t, "LXD-MUL-003");
	wl_find(&t, ST_ERROR, "/1.0/projects/tenant2", NULL,
		"restricted.devices.gpu");
	ct_release(&t);
}

static void
test_nothing_and_errors(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "empty");
	ct_expect_status(&t, "LXD-MUL-002", ST_NOTAPPLICABLE);
	ct_expect_status(&t, "LXD-MUL-003", ST_NOTAPPLICABLE);
	wl_set_part(&t, SNAP_CERTIFICATES, NULL);
	ct_expect_status(&t, "LXD-MUL-002", ST_ERROR);
	wl_set_part(&t, SNAP_PROJECTS, NULL);
	ct_expect_status(&t, "LXD-MUL-003", ST_ERROR);
	ct_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restricted_projects),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_restrictions),
		cmocka_unit_test(test_restriction_values),
		cmocka_unit_test(test_nothing_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
