/* test_checks_storage.c - STO checks on workload fixtures */
#include "wltest.h"

#include "checks/common.h"

static void
test_shared_backing(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-STO-001", ST_FAIL);
	/* a directory inside another pool's directory, no options */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/storage-pools/nested", NULL,
			  NULL),
		  ST_FAIL, SEV_LOW, NULL, "source", "/srv/ext/sub/",
		  "/1.0/storage-pools/nested",
		  "Move pool nested to a backing device of its own: lxc "
		  "storage create NEW DRIVER source=DEVICE, then lxc move "
		  "INSTANCE --storage NEW for each instance, then lxc storage "
		  "delete nested.");
	/* one btrfs device, different mount options (one by default) */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/storage-pools/b2", NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "source",
		  "3a1c6e1e-1111-4c2a-9f00-000000000001",
		  "/1.0/storage-pools/b2",
		  "lxc storage set b2 "
		  "btrfs.mount_options=user_subvol_rm_allowed,compress=zstd");
	/* two datasets of one zpool */
	wl_find(&t, ST_FAIL, "/1.0/storage-pools/z2", NULL, "source");
	/* different volume groups, unrelated paths */
	wl_clean(&t, "/1.0/storage-pools/l2");
	wl_clean(&t, "/1.0/storage-pools/l1");
	wl_clean(&t, "/1.0/storage-pools/b3");
	wl_clean(&t, "/1.0/storage-pools/default");
	wl_clean(&t, "/1.0/storage-pools/ext");
	assert_int_equal(ct_count(&t, ST_FAIL), 3);
	ct_release(&t);
}

static void
test_mount_options(void **state)
{
	struct ct t;
	json_t *cfg;

	(void)state;
	/* b3 on b1's device: same options in another order is low */
	wl_load(&t, "lxd-502");
	cfg = json_object_get(wl_item(&t, SNAP_STORAGE_POOLS, "b3", NULL),
			      "config");
	json_object_set_new(cfg, "volatile.initial_source",
			    json_string("/dev/vdb"));
	ct_run(&t, "LXD-STO-001");
	/* one finding per pair: b1-b3 agree, b2-b3 do not */
	{
		size_t low = 0, medium = 0;

		for (size_t i = 0; i < t.out.n; i++) {
			if (!str_eq(t.out.v[i].object, "/1.0/storage-pools/b3"))
				continue;
			low += t.out.v[i].severity == SEV_LOW;
			medium += t.out.v[i].severity == SEV_MEDIUM;
		}
		assert_int_equal(low, 1);
		assert_int_equal(medium, 1);
	}
	/* ... and b2 still differs from b1 */
	assert_int_equal(wl_find(&t, ST_FAIL, "/1.0/storage-pools/b2", NULL,
				 NULL)->severity,
			 SEV_MEDIUM);
	ct_release(&t);

	/* LVM volume groups and block mount options */
	wl_load(&t, "lxd-502");
	cfg = json_object_get(wl_item(&t, SNAP_STORAGE_POOLS, "l2", NULL),
			      "config");
	json_object_set_new(cfg, "lvm.vg_name", json_string("vg0"));
	json_object_set_new(cfg, "volume.block.mount_options",
			    json_string("discard,nosuid"));
	ct_run(&t, "LXD-STO-001");
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/storage-pools/l2", NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "lvm.vg_name", "vg0",
		  "/1.0/storage-pools/l2",
		  "lxc storage set l2 volume.block.mount_options=discard");
	ct_release(&t);
}

static void
test_cluster(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "cluster");
	assert_true(t.snap.clustered);
	assert_non_null(snapshot_part(&t.snap, SNAP_CLUSTER_MEMBERS, NULL));
	ct_expect_status(&t, "LXD-STO-001", ST_FAIL);
	/* m1: p1 and p2 on /dev/sdb with different options; m2: apart */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/storage-pools/p2", NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "source", "aaaa-uuid",
		  "/1.0/storage-pools/p2",
		  "lxc storage set p2 btrfs.mount_options=compress=zstd");
	assert_true(ct_contains(wl_find(&t, ST_FAIL, "/1.0/storage-pools/p2",
					NULL, NULL)->message,
				"member m1"));
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	/* m3 did not answer: errors, one per pool */
	wl_find(&t, ST_ERROR, "/1.0/storage-pools/p1", NULL, NULL);
	wl_find(&t, ST_ERROR, "/1.0/storage-pools/p3", NULL, NULL);
	assert_int_equal(ct_count(&t, ST_ERROR), 3);
	ct_release(&t);

	/* a pool×member that was never read is an error too */
	wl_load(&t, "cluster");
	json_array_remove(t.snap.part[SNAP_STORAGE_POOL_MEMBERS], 8);
	ct_run(&t, "LXD-STO-001");
	assert_true(ct_contains(wl_find(&t, ST_ERROR, "/1.0/storage-pools/p3",
					NULL, NULL)->message,
				"not read"));
	ct_release(&t);

	/* without the per-member part nothing can be compared */
	wl_load(&t, "cluster");
	wl_set_part(&t, SNAP_STORAGE_POOL_MEMBERS, NULL);
	ct_expect_status(&t, "LXD-STO-001", ST_ERROR);
	ct_release(&t);
}

static void
test_errors_and_nothing(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "empty");
	ct_expect_status(&t, "LXD-STO-001", ST_NOTAPPLICABLE);
	wl_set_part(&t, SNAP_STORAGE_POOLS, NULL);
	ct_expect_status(&t, "LXD-STO-001", ST_ERROR);
	ct_release(&t);

	/* a client without can_edit sees config null */
	wl_load(&t, "lxd-502");
	json_object_set_new(wl_item(&t, SNAP_STORAGE_POOLS, "ext", NULL),
			    "config", json_null());
	ct_run(&t, "LXD-STO-001");
	wl_find(&t, ST_ERROR, "/1.0/storage-pools/ext", NULL, NULL);
	ct_release(&t);
}

/* n zfs pools, datasets of one zpool "tank", then one on its own. */
static json_t *
zfs_pools(size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i <= n; i++) {
		char name[32], src[48];

		snprintf(name, sizeof(name), "p%04zu", i);
		snprintf(src, sizeof(src), "%s/p%04zu", i < n ? "tank" : "own",
			 i);
		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:{s:s}, s:[]}", "name", name, "driver",
			"zfs", "config", "source", src, "used_by"));
	}
	return list;
}

/*
 * What a server can make the check do is bounded: a pool gets a finding
 * for each of its first 16 earlier partners and one counting the rest,
 * and more than 1000 pools are an error, not half a million pairs.
 */
static void
test_many_pools(void **state)
{
	struct ct t;
	const struct finding *f;
	size_t on_last = 0;

	(void)state;
	wl_load(&t, "lxd-502");
	wl_set_part(&t, SNAP_STORAGE_POOLS, zfs_pools(40));
	ct_run(&t, "LXD-STO-001");
	/* pools 1..16 pair with all before them, 17..39 with 16 plus one */
	assert_int_equal(ct_count(&t, ST_FAIL),
			 16 * 17 / 2 + 23 * 17);
	for (size_t i = 0; i < t.out.n; i++)
		on_last += str_eq(t.out.v[i].object, "/1.0/storage-pools/p0039");
	assert_int_equal(on_last, 17);
	f = &t.out.v[t.out.n - 1];
	assert_string_equal(f->object, "/1.0/storage-pools/p0039");
	assert_string_equal(f->message, "Storage pool p0039 shares its "
			    "backing with 23 more pools than the 16 named in "
			    "its other findings.");
	assert_int_equal(f->severity, SEV_LOW);
	wl_clean(&t, "/1.0/storage-pools/p0040");
	wl_clean(&t, "/1.0/storage-pools/p0000");
	ct_release(&t);

	wl_load(&t, "lxd-502");
	wl_set_part(&t, SNAP_STORAGE_POOLS, zfs_pools(1000));
	ct_expect_status(&t, "LXD-STO-001", ST_ERROR);
	assert_int_equal(t.out.n, 1);
	assert_string_equal(t.out.v[0].message,
			    "1001 storage pools are more than the 1000 whose "
			    "every pair this check compares; compare their "
			    "source keys by hand.");
	ct_release(&t);
}

/* The path helpers STO-001 and DEV-002 share (checks/common.c). */
static void
test_paths(void **state)
{
	static const struct {
		const char *in, *want;
	} clean[] = {
		{ "/", "/" },
		{ "", "/" },
		{ "//a//b/", "/a/b" },
		{ "/a/./b/../c", "/a/c" },
		{ "/../..", "/" },
		{ "a/b", "/a/b" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(clean); i++) {
		char *got = checks_clean_path(clean[i].in);

		assert_string_equal(got, clean[i].want);
		free(got);
	}
	assert_true(checks_path_within("/a/b", "/a"));
	assert_true(checks_path_within("/a", "/a"));
	assert_false(checks_path_within("/ab", "/a"));
	assert_true(checks_path_within("/etc", "/"));
	assert_true(checks_path_within("/", "/"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_backing),
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_cluster),
		cmocka_unit_test(test_errors_and_nothing),
		cmocka_unit_test(test_many_pools),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
