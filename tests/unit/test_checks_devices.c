/* test_checks_devices.c - DEV checks on workload fixtures */
#include "wltest.h"

#define INST(n) "/1.0/instances/" n "?project=default"
#define PROF(n) "/1.0/profiles/" n "?project=default"

static void
test_passthrough(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-DEV-001", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("devs"), "gpu0", NULL), ST_FAIL,
		  SEV_MEDIUM, "gpu0", "type", "gpu", PROF("gpu"),
		  "lxc profile device remove gpu gpu0 --project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("devs"), "kmsg", NULL), ST_FAIL,
		  SEV_MEDIUM, "kmsg", "type", "unix-char", INST("devs"),
		  "lxc config device remove devs kmsg --project default");
	wl_find(&t, ST_FAIL, INST("devs"), "usb1", NULL);
	/* pci is for VMs; tpm is no passthrough */
	wl_clean_device(&t, INST("devs"), "pci0");
	wl_clean_device(&t, INST("devs"), "tpm0");
	wl_assert(wl_find(&t, ST_FAIL, PROF("gpu"), "gpu0", NULL), ST_FAIL,
		  SEV_MEDIUM, "gpu0", "type", "gpu", PROF("gpu"),
		  "lxc profile device remove gpu gpu0 --project default");
	wl_clean(&t, INST("clean"));
	assert_int_equal(ct_count(&t, ST_FAIL), 4);
	ct_release(&t);

	/* VM rules: pci counts, unix-char (containers only) does not */
	wl_load(&t, "vm-521");
	ct_expect_status(&t, "LXD-DEV-001", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("vpci"), "gpu0", NULL), ST_FAIL,
		  SEV_MEDIUM, "gpu0", "type", "pci", INST("vpci"),
		  "lxc config device remove vpci gpu0 --project default");
	wl_clean_device(&t, INST("vpci"), "kmsg");
	wl_find(&t, ST_FAIL, PROF("chardev"), "kmsg", NULL);
	ct_release(&t);
}

static void
test_host_paths(void **state)
{
	static const char *const high[] = { "ssl", "lxdsock", "lxddir",
					     "sneaky", "docker" };
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-DEV-002", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("disks"), "data", NULL), ST_FAIL,
		  SEV_MEDIUM, "data", "readonly", NULL, INST("disks"),
		  "lxc config device set disks data readonly=true --project "
		  "default");
	/* host root from a profile: high, fixed on the profile */
	wl_assert(wl_find(&t, ST_FAIL, INST("disks"), "hr", NULL), ST_FAIL,
		  SEV_HIGH, "hr", "source", "/", PROF("hostroot"),
		  "lxc profile device remove hostroot hr --project default");
	wl_find(&t, ST_FAIL, PROF("hostroot"), "hr", NULL);
	/* sensitive even when read-only */
	for (size_t i = 0; i < ARRAY_SIZE(high); i++)
		assert_int_equal(wl_find(&t, ST_FAIL, INST("disks"), high[i],
					 NULL)->severity,
				 SEV_HIGH);
	/* the LXD directory learnt from the pools (a private LXD_DIR) */
	assert_true(ct_contains(wl_find(&t, ST_FAIL, INST("disks"), "lxddir",
					NULL)->message,
				"/tmp/lxdtest/lxd"));
	/* read-only, custom volume, root disk: clean */
	wl_clean_device(&t, INST("disks"), "ro");
	wl_clean_device(&t, INST("disks"), "vol");
	wl_clean_device(&t, INST("disks"), "root");
	wl_clean(&t, INST("clean"));
	ct_release(&t);

	/* readonly=yes counts as true */
	wl_load(&t, "lxd-502");
	json_object_set_new(json_object_get(json_object_get(
						    wl_item(&t, SNAP_INSTANCES,
							    "disks", NULL),
						    "expanded_devices"),
					    "data"),
			    "readonly", json_string("On"));
	ct_run(&t, "LXD-DEV-002");
	wl_clean_device(&t, INST("disks"), "data");
	ct_release(&t);
}

static void
test_nic_filtering(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-DEV-003", ST_FAIL);
	/* br4 has no IPv6, so IPv4 filtering is all it needs */
	wl_assert(wl_find(&t, ST_FAIL, INST("nics"), "eth0", NULL), ST_FAIL,
		  SEV_MEDIUM, "eth0", "security.ipv4_filtering", NULL,
		  INST("nics"),
		  "lxc config device set nics eth0 "
		  "security.ipv4_filtering=true --project default");
	wl_clean_device(&t, INST("nics"), "eth5");
	/* br6 has IPv6: IPv4 filtering alone (implying MAC) is low */
	wl_assert(wl_find(&t, ST_FAIL, INST("nics"), "eth2", NULL), ST_FAIL,
		  SEV_LOW, "eth2", "security.ipv6_filtering", NULL,
		  INST("nics"),
		  "lxc config device set nics eth2 "
		  "security.ipv6_filtering=true --project default");
	wl_clean_device(&t, INST("nics"), "eth1");
	/* nictype=bridged on an unmanaged bridge: both families needed */
	wl_find(&t, ST_FAIL, INST("nics"), "eth3", "security.ipv6_filtering");
	/* macvlan is not a bridge */
	wl_clean_device(&t, INST("nics"), "eth4");
	/* MAC filtering alone, from a profile */
	wl_assert(wl_find(&t, ST_FAIL, INST("macnic"), "eth0", NULL), ST_FAIL,
		  SEV_LOW, "eth0", "security.ipv4_filtering", NULL,
		  PROF("macf"),
		  "lxc profile device set macf eth0 "
		  "security.ipv4_filtering=true security.ipv6_filtering=true "
		  "--project default");
	/* the default profile's NIC, in every instance that uses it */
	wl_assert(wl_find(&t, ST_FAIL, PROF("default"), "eth0", NULL),
		  ST_FAIL, SEV_MEDIUM, "eth0", "security.ipv4_filtering", NULL,
		  PROF("default"),
		  "lxc profile device set default eth0 "
		  "security.ipv4_filtering=true --project default");
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/instances/sh1?project=shared",
			  "eth0", NULL),
		  ST_FAIL, SEV_MEDIUM, "eth0", "security.ipv4_filtering", NULL,
		  PROF("default"),
		  "lxc profile device set default eth0 "
		  "security.ipv4_filtering=true --project default");
	wl_clean(&t, INST("clean"));
	ct_release(&t);

	/* no bridge at all on this bridge: the bridge has neither family */
	wl_load(&t, "lxd-502");
	json_object_clear(json_object_get(wl_item(&t, SNAP_NETWORKS, "br4",
						  NULL),
					  "config"));
	json_object_set_new(json_object_get(wl_item(&t, SNAP_NETWORKS, "br4",
						    NULL),
					    "config"),
			    "ipv4.address", json_string("none"));
	json_object_set_new(json_object_get(wl_item(&t, SNAP_NETWORKS, "br4",
						    NULL),
					    "config"),
			    "ipv6.address", json_string("none"));
	ct_run(&t, "LXD-DEV-003");
	wl_find(&t, ST_FAIL, INST("nics"), "eth0", "security.mac_filtering");
	wl_clean_device(&t, INST("nics"), "eth5");
	ct_release(&t);

	/* networks unreadable: a network= NIC cannot be judged */
	wl_load(&t, "lxd-502");
	wl_set_part(&t, SNAP_NETWORKS, NULL);
	ct_run(&t, "LXD-DEV-003");
	wl_find(&t, ST_ERROR, INST("nics"), "eth1", NULL);
	/* nictype=bridged still is */
	wl_find(&t, ST_FAIL, INST("nics"), "eth3", NULL);
	ct_release(&t);
}

static void
test_nic_ovn(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "ovn");
	ct_expect_status(&t, "LXD-DEV-003", ST_FAIL);
	/* OVN NICs are not on a bridge */
	wl_clean(&t, "/1.0/instances/o1?project=ovnp");
	wl_clean(&t, "/1.0/profiles/default?project=ovnp");
	/* a project without features.networks uses default's networks */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/instances/n1?project=nonet",
			  "eth0", NULL),
		  ST_FAIL, SEV_MEDIUM, "eth0", "security.ipv4_filtering", NULL,
		  "/1.0/instances/n1?project=nonet",
		  "lxc config device set n1 eth0 "
		  "security.ipv4_filtering=true --project nonet");
	wl_find(&t, ST_FAIL, INST("b1"), "eth0", NULL);
	/* an unknown network is an error, never a pass */
	wl_find(&t, ST_ERROR, INST("m1"), "eth0", NULL);
	ct_release(&t);
}

static void
test_proxies(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-DEV-004", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("proxies"), "p-any", NULL),
		  ST_FAIL, SEV_LOW, "p-any", "listen", "tcp:0.0.0.0:8080",
		  INST("proxies"),
		  "lxc config device set proxies p-any "
		  "listen=tcp:127.0.0.1:8080 --project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("proxies"), "p-v6", NULL),
		  ST_FAIL, SEV_LOW, "p-v6", "listen", "udp:[::]:5353",
		  INST("proxies"),
		  "lxc config device set proxies p-v6 'listen=udp:[::1]:5353' "
		  "--project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("proxies"), "p-rev", NULL),
		  ST_FAIL, SEV_LOW, "p-rev", "bind", "instance",
		  INST("proxies"),
		  "lxc config device remove proxies p-rev --project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("proxies"), "web", NULL),
		  ST_FAIL, SEV_LOW, "web", "listen", "tcp:0.0.0.0:80",
		  PROF("proxy"),
		  "lxc profile device set proxy web listen=tcp:127.0.0.1:80 "
		  "--project default");
	wl_find(&t, ST_FAIL, PROF("proxy"), "web", NULL);
	wl_clean_device(&t, INST("proxies"), "p-local");
	wl_clean_device(&t, INST("proxies"), "p-unix");
	ct_release(&t);
}

static void
test_unreachable_and_empty(void **state)
{
	static const char *const ids[] = { "LXD-DEV-001", "LXD-DEV-002",
					   "LXD-DEV-003", "LXD-DEV-004" };
	struct ct t;

	(void)state;
	wl_load(&t, "cluster");
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		ct_expect_status(&t, ids[i], ST_ERROR);
		wl_find(&t, ST_ERROR, INST("lost"), NULL, NULL);
		wl_find(&t, ST_ERROR, INST("lostvm"), NULL, NULL);
	}
	ct_release(&t);

	wl_load(&t, "empty");
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		ct_expect_status(&t, ids[i], ST_NOTAPPLICABLE);
	wl_set_part(&t, SNAP_INSTANCES, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		ct_expect_status(&t, ids[i], ST_ERROR);
	ct_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_host_paths),
		cmocka_unit_test(test_nic_filtering),
		cmocka_unit_test(test_nic_ovn),
		cmocka_unit_test(test_proxies),
		cmocka_unit_test(test_unreachable_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
