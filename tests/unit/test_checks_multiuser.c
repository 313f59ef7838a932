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
		};
		json_t *cfg = json_object_get(wl_item(&t, SNAP_PROJECTS,
						      "tenant2", NULL),
					      "config");

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			json_object_set_new(cfg, keys[i],
					    json_string("allow"));
		/* something other than allow is fine */
		json_object_set_new(cfg, "restricted.devices.nic",
				    json_string("allow"));
		ct_run(&t, "LXD-MUL-003");
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			wl_find(&t, ST_FAIL, "/1.0/projects/tenant2", NULL,
				keys[i]);
		assert_int_equal(ct_count(&t, ST_FAIL), 2 + ARRAY_SIZE(keys));
	}
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
		cmocka_unit_test(test_nothing_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
