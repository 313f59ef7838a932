/* test_checks_network.c - NET checks on fixture snapshots */
#include "checktest.h"

static void
test_net001_wildcard(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-NET-001", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_HIGH, "core.https_address", ":8623", "/1.0");
	assert_true(ct_contains(f->message, "every interface"));
	assert_true(ct_contains(f->message, "8623"));
	assert_true(ct_contains(f->remediation, "lxc config set "
						"core.https_address="
						"192.0.2.2:8623"));
	ct_set_config(&t, "core.https_address", "0.0.0.0");
	ct_expect_status(&t, "LXD-NET-001", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "8443"));
	ct_release(&t);

	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-001", ST_FAIL);
	ct_assert_fail(ct_finding(&t, ST_FAIL, "/1.0"), SEV_HIGH,
		       "core.https_address", "[::]:8443", "/1.0");
	ct_release(&t);
}

static void
test_net001_pass(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-NET-001", ST_PASS);
	f = ct_finding(&t, ST_PASS, "/1.0");
	assert_true(ct_contains(f->message, "specific address 192.0.2.2"));
	assert_string_equal(f->value, "192.0.2.2:8443");
	ct_set_config(&t, "core.https_address", NULL);
	ct_expect_status(&t, "LXD-NET-001", ST_PASS);
	assert_true(ct_contains(ct_finding(&t, ST_PASS, "/1.0")->message,
				"no network listener"));
	ct_set_config(&t, "core.https_address", "[::1");
	ct_expect_status(&t, "LXD-NET-001", ST_ERROR);
	assert_string_equal(ct_finding(&t, ST_ERROR, "/1.0")->key,
			    "core.https_address");
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-NET-001", ST_PASS);
	assert_true(ct_contains(ct_finding(&t, ST_PASS, "/1.0")->message,
				"loopback"));
	ct_release(&t);

	ct_load(&t, "incus-70");
	ct_expect_status(&t, "LXD-NET-001", ST_PASS);
	assert_true(ct_contains(t.out.v[0].message, "10.1.1.1, port 8443"));
	ct_set_config(&t, "core.https_address", "::");
	ct_expect_status(&t, "LXD-NET-001", ST_FAIL);
	assert_true(str_starts_with(t.out.v[0].remediation,
				    "incus config set core.https_address="));
	ct_release(&t);
}

static void
test_net002_listeners(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-NET-002", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_HIGH, "core.metrics_address", ":8624", "/1.0");
	assert_true(ct_contains(f->message, "metrics"));
	ct_release(&t);

	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-002", ST_FAIL);
	assert_int_equal(t.out.n, 3);
	for (size_t i = 0; i < t.out.n; i++) {
		f = &t.out.v[i];
		assert_string_equal(f->object, "/1.0");
		if (str_eq(f->key, "core.debug_address")) {
			ct_assert_fail(f, SEV_CRITICAL, NULL, ":8080", "/1.0");
			assert_true(ct_contains(f->message, "pprof"));
			assert_string_equal(f->remediation,
					    "lxc config unset "
					    "core.debug_address");
		} else if (str_eq(f->key, "core.storage_buckets_address")) {
			ct_assert_fail(f, SEV_HIGH, NULL, "0.0.0.0:9000",
				       "/1.0");
		} else {
			ct_assert_fail(f, SEV_HIGH, "core.dns_address", "::",
				       "/1.0");
			assert_true(ct_contains(f->message, "port 53"));
		}
	}
	ct_release(&t);
}

static void
test_net002_clean(void **state)
{
	struct ct t;

	(void)state;
	/* debug and metrics on loopback */
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-NET-002", ST_PASS);
	assert_int_equal(t.out.n, 0);
	/* a specific but reachable debug address is still critical */
	ct_set_config(&t, "core.debug_address", "192.0.2.2:8080");
	ct_expect_status(&t, "LXD-NET-002", ST_FAIL);
	assert_int_equal(t.out.v[0].severity, SEV_CRITICAL);
	ct_set_config(&t, "core.debug_address", NULL);
	ct_set_config(&t, "cluster.https_address", "[::]");
	ct_expect_status(&t, "LXD-NET-002", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "port 8443"));
	ct_set_config(&t, "cluster.https_address", "bad host");
	ct_expect_status(&t, "LXD-NET-002", ST_ERROR);
	ct_drop_part(&t, SNAP_SERVER, "gone");
	ct_expect_status(&t, "LXD-NET-002", ST_ERROR);
	ct_release(&t);
}

static void
test_net003_acls_attached(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-003", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/ovn1?project=blue");
	ct_assert_fail(f, SEV_MEDIUM, "security.acls", "",
		       "/1.0/networks/ovn1?project=blue");
	assert_string_equal(f->remediation, "lxc network set ovn1 "
					    "security.acls=ACL --project "
					    "blue");
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-NET-003", ST_PASS);
	ct_release(&t);
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-NET-003", ST_PASS);
	json_array_clear(t.snap.part[SNAP_NETWORKS]);
	ct_expect_status(&t, "LXD-NET-003", ST_NOTAPPLICABLE);
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-NET-003", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/networks");
	ct_release(&t);
}

static void
test_net004_open_rules(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/network-acls/open-acl?project=default");
	ct_assert_fail(f, SEV_MEDIUM, NULL, NULL, NULL);
	assert_true(ct_contains(f->message, "rule 1"));
	assert_true(ct_contains(f->message, "every protocol and port"));
	assert_true(ct_contains(f->remediation, "lxc network acl edit "
						"open-acl --project default"));
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/rig0hSRa?project=default");
	ct_assert_fail(f, SEV_MEDIUM, "security.acls.default.ingress.action",
		       "allow", "/1.0/networks/rig0hSRa?project=default");
	ct_release(&t);

	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL, "/1.0/network-acls/any-tcp?project=blue");
	assert_true(ct_contains(f->message, "every TCP port"));
	assert_true(ct_contains(f->message, "all tcp"));
	ct_finding(&t, ST_FAIL, "/1.0/networks/lxdbr0?project=default");
	ct_release(&t);
}

static void
test_net004_clean_error(void **state)
{
	struct ct t;

	(void)state;
	/* ports, ICMP, a narrow source and a disabled rule are fine */
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	assert_int_equal(t.out.n, 0);
	ct_release(&t);

	ct_load(&t, "lxd-69");
	ct_expect_status(&t, "LXD-NET-004", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/network-acls");
	ct_finding(&t, ST_ERROR, "/1.0/networks");
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_drop_part(&t, SNAP_NETWORK_ACLS, "the server lacks API extension "
					    "network_acl");
	t.snap.unsupported[SNAP_NETWORK_ACLS] = true;
	ct_expect_status(&t, "LXD-NET-004", ST_NOTAPPLICABLE);
	ct_release(&t);
}

static void
test_net005_metrics_auth(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-005", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "core.metrics_authentication", "false",
		       "/1.0");
	assert_string_equal(f->remediation,
			    "lxc config set core.metrics_authentication=true");
	ct_set_config(&t, "core.metrics_authentication", "OFF");
	ct_expect_status(&t, "LXD-NET-005", ST_FAIL);
	ct_release(&t);

	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-NET-005", ST_PASS);
	ct_release(&t);
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-NET-005", ST_PASS);
	ct_drop_ext(&t, "metrics_authentication");
	ct_expect_status(&t, "LXD-NET-005", ST_NOTAPPLICABLE);
	ct_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net001_wildcard),
		cmocka_unit_test(test_net001_pass),
		cmocka_unit_test(test_net002_listeners),
		cmocka_unit_test(test_net002_clean),
		cmocka_unit_test(test_net003_acls_attached),
		cmocka_unit_test(test_net004_open_rules),
		cmocka_unit_test(test_net004_clean_error),
		cmocka_unit_test(test_net005_metrics_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
