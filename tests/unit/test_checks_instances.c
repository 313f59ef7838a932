/* test_checks_instances.c - INS checks on workload fixtures */
#include "wltest.h"

#define INST(n) "/1.0/instances/" n "?project=default"
#define PROF(n) "/1.0/profiles/" n "?project=default"

static void
test_privileged(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-001", ST_FAIL);
	/* set on the instance */
	wl_assert(wl_find(&t, ST_FAIL, INST("privlocal"), NULL, NULL),
		  ST_FAIL, SEV_HIGH, NULL, "security.privileged", "true",
		  INST("privlocal"),
		  "lxc config set privlocal security.privileged=false "
		  "--project default");
	/* inherited from a profile: the fix goes to the profile */
	wl_assert(wl_find(&t, ST_FAIL, INST("privprof"), NULL, NULL),
		  ST_FAIL, SEV_HIGH, NULL, "security.privileged", "true",
		  PROF("priv"),
		  "lxc profile set priv security.privileged=false "
		  "--project default");
	/* a project without features.profiles uses default's profiles */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/instances/sh1?project=shared",
			  NULL, NULL),
		  ST_FAIL, SEV_HIGH, NULL, "security.privileged", "true",
		  PROF("priv"),
		  "lxc profile set priv security.privileged=false "
		  "--project default");
	/* a project with its own profiles; "1" is true */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/instances/own1?project=own",
			  NULL, NULL),
		  ST_FAIL, SEV_HIGH, NULL, "security.privileged", "1",
		  "/1.0/profiles/ownpriv?project=own",
		  "lxc profile set ownpriv security.privileged=false "
		  "--project own");
	/* profiles are findings of their own, used or not */
	wl_find(&t, ST_FAIL, PROF("priv"), NULL, "security.privileged");
	wl_assert(wl_find(&t, ST_FAIL, PROF("unused"), NULL, NULL), ST_FAIL,
		  SEV_HIGH, NULL, "security.privileged", "true",
		  PROF("unused"),
		  "lxc profile set unused security.privileged=false "
		  "--project default");
	wl_find(&t, ST_FAIL, "/1.0/profiles/ownpriv?project=own", NULL,
		NULL);
	/* clean counterparts: a local false overrides the profile */
	wl_clean(&t, INST("clean"));
	wl_clean(&t, INST("privoverride"));
	wl_clean(&t, INST("nestlocal"));
	assert_int_equal(ct_count(&t, ST_FAIL), 7);
	ct_release(&t);
}

static void
test_privileged_vm_rules(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "vm-521");
	ct_expect_status(&t, "LXD-INS-001", ST_FAIL);
	/* security.privileged means nothing to a VM */
	wl_clean(&t, INST("vpriv"));
	wl_find(&t, ST_FAIL, PROF("priv"), NULL, "security.privileged");
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	ct_release(&t);
}

static void
test_limits(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-002", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("privlocal"), NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL,
		  "limits.cpu,limits.memory,limits.processes", NULL, NULL,
		  "lxc config set privlocal limits.cpu=2 limits.memory=2GiB "
		  "limits.processes=500 --project default");
	/* all three from the limits profile, or some set locally */
	wl_clean(&t, INST("clean"));
	wl_clean(&t, INST("weak"));
	wl_find(&t, ST_FAIL, "/1.0/instances/t1?project=tenant", NULL, NULL);
	ct_release(&t);

	/* only one key missing */
	wl_load(&t, "lxd-502");
	json_object_del(json_object_get(wl_item(&t, SNAP_INSTANCES, "weak",
						NULL),
					"expanded_config"),
			"limits.processes");
	ct_run(&t, "LXD-INS-002");
	wl_assert(wl_find(&t, ST_FAIL, INST("weak"), NULL, NULL), ST_FAIL,
		  SEV_MEDIUM, NULL, "limits.processes", NULL, NULL,
		  "lxc config set weak limits.processes=500 --project "
		  "default");
	ct_release(&t);

	/* VMs are not judged */
	wl_load(&t, "vm-521");
	ct_run(&t, "LXD-INS-002");
	wl_clean(&t, INST("vok"));
	wl_clean(&t, INST("vsb"));
	wl_find(&t, ST_FAIL, INST("cimg"), NULL, NULL);
	ct_release(&t);
}

static void
test_nesting(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-003", ST_FAIL);
	/* with privileged: critical */
	wl_assert(wl_find(&t, ST_FAIL, INST("privprof"), NULL, NULL),
		  ST_FAIL, SEV_CRITICAL, NULL, "security.nesting", "true",
		  PROF("priv"),
		  "lxc profile set priv security.nesting=false --project "
		  "default");
	/* the instance turns privileged off: plain medium */
	wl_assert(wl_find(&t, ST_FAIL, INST("privoverride"), NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "security.nesting", "true",
		  PROF("priv"),
		  "lxc profile set priv security.nesting=false --project "
		  "default");
	wl_assert(wl_find(&t, ST_FAIL, INST("nestlocal"), NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "security.nesting", "true",
		  INST("nestlocal"),
		  "lxc config set nestlocal security.nesting=false --project "
		  "default");
	/* another project */
	wl_assert(wl_find(&t, ST_FAIL, "/1.0/instances/t1?project=tenant",
			  NULL, NULL),
		  ST_FAIL, SEV_MEDIUM, NULL, "security.nesting", "true",
		  "/1.0/instances/t1?project=tenant",
		  "lxc config set t1 security.nesting=false --project tenant");
	wl_find(&t, ST_FAIL, PROF("priv"), NULL, NULL);
	assert_int_equal(wl_find(&t, ST_FAIL, PROF("priv"), NULL, NULL)
				 ->severity,
			 SEV_CRITICAL);
	assert_int_equal(wl_find(&t, ST_FAIL, PROF("nest"), NULL, NULL)
				 ->severity,
			 SEV_MEDIUM);
	wl_clean(&t, INST("clean"));
	wl_clean(&t, INST("privlocal"));
	ct_release(&t);

	/* Incus: nesting on a VM is nested virtualisation, not judged */
	wl_load(&t, "incus");
	ct_expect_status(&t, "LXD-INS-003", ST_PASS);
	ct_release(&t);
}

static void
test_isolated(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-004", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("weak"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "security.idmap.isolated", "false",
		  INST("weak"),
		  "lxc config set weak security.idmap.isolated=true --project "
		  "default");
	wl_assert(wl_find(&t, ST_FAIL, INST("nestlocal"), NULL, NULL),
		  ST_FAIL, SEV_LOW, NULL, "security.idmap.isolated", NULL,
		  NULL,
		  "lxc config set nestlocal security.idmap.isolated=true "
		  "--project default");
	wl_assert(wl_find(&t, ST_FAIL, PROF("isooff"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "security.idmap.isolated", "false",
		  PROF("isooff"),
		  "lxc profile set isooff security.idmap.isolated=true "
		  "--project default");
	/* isolated through the limits profile; privileged ones skip */
	wl_clean(&t, INST("clean"));
	wl_clean(&t, INST("privlocal"));
	wl_clean(&t, INST("privprof"));
	ct_release(&t);

	wl_load(&t, "vm-67");
	ct_expect_status(&t, "LXD-INS-004", ST_NOTAPPLICABLE);
	ct_release(&t);
}

static void
test_local_overrides(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-005", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("weak"), NULL, "limits.memory"),
		  ST_FAIL, SEV_LOW, NULL, "limits.memory", "4GiB",
		  INST("weak"),
		  "lxc config unset weak limits.memory --project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("weak"), NULL,
			  "security.idmap.isolated"),
		  ST_FAIL, SEV_LOW, NULL, "security.idmap.isolated", "false",
		  INST("weak"),
		  "lxc config unset weak security.idmap.isolated --project "
		  "default");
	/* cannot tell: for a person */
	wl_find(&t, ST_MANUAL, INST("weak"), NULL, "limits.cpu.nodes");
	/* limits.cpu=1 is stricter than 2; privileged=false than true */
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	assert_int_equal(ct_count(&t, ST_MANUAL), 1);
	wl_clean(&t, INST("privoverride"));
	ct_release(&t);

	/* sizes and percentages in other units */
	wl_load(&t, "lxd-502");
	json_object_set_new(json_object_get(wl_item(&t, SNAP_INSTANCES,
						     "weak", NULL),
					    "config"),
			    "limits.memory", json_string("1000MB"));
	ct_run(&t, "LXD-INS-005");
	/* 1000 MB < 1 GiB */
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	json_object_set_new(json_object_get(wl_item(&t, SNAP_INSTANCES,
						     "weak", NULL),
					    "config"),
			    "limits.memory", json_string("50%"));
	ct_run(&t, "LXD-INS-005");
	wl_find(&t, ST_MANUAL, INST("weak"), NULL, "limits.memory");
	ct_release(&t);
}

static void
test_lowlevel(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-006", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("rawlocal"), NULL, "raw.idmap"),
		  ST_FAIL, SEV_HIGH, NULL, "raw.idmap", "both 1000 1000",
		  INST("rawlocal"),
		  "lxc config unset rawlocal raw.idmap --project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("rawlocal"), NULL, "raw.lxc"),
		  ST_FAIL, SEV_HIGH, NULL, "raw.lxc",
		  "lxc.cap.drop=\nlxc.mount.auto=proc:rw", PROF("lowlevel"),
		  "lxc profile unset lowlevel raw.lxc --project default");
	wl_find(&t, ST_FAIL, INST("rawlocal"), NULL, "linux.kernel_modules");
	wl_find(&t, ST_FAIL, PROF("lowlevel"), NULL, "raw.lxc");
	wl_find(&t, ST_FAIL, PROF("unused"), NULL, "raw.apparmor");
	wl_clean(&t, INST("clean"));
	ct_release(&t);

	/* raw.qemu: a VM rule, so a container inheriting it passes */
	wl_load(&t, "vm-521");
	ct_expect_status(&t, "LXD-INS-006", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("vraw"), NULL, NULL), ST_FAIL,
		  SEV_HIGH, NULL, "raw.qemu", "-S", PROF("qemu"),
		  "lxc profile unset qemu raw.qemu --project default");
	wl_clean(&t, INST("crawqemu"));
	wl_find(&t, ST_FAIL, PROF("qemu"), NULL, "raw.qemu");
	ct_release(&t);
}

static void
test_syscalls(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-007", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("sysc"), NULL,
			  "security.syscalls.intercept.mount.allowed"),
		  ST_FAIL, SEV_CRITICAL, NULL,
		  "security.syscalls.intercept.mount.allowed", "ext4",
		  PROF("sys"),
		  "lxc profile unset sys "
		  "security.syscalls.intercept.mount.allowed --project "
		  "default");
	wl_assert(wl_find(&t, ST_FAIL, INST("sysc"), NULL,
			  "security.syscalls.intercept.setxattr"),
		  ST_FAIL, SEV_HIGH, NULL,
		  "security.syscalls.intercept.setxattr", "true", INST("sysc"),
		  "lxc config set sysc "
		  "security.syscalls.intercept.setxattr=false --project "
		  "default");
	wl_find(&t, ST_FAIL, INST("sysc"), NULL,
		"security.syscalls.intercept.mknod");
	/* 5.0 names: whitelist letting kexec_load through, blacklist_* */
	assert_true(ct_contains(wl_find(&t, ST_FAIL, INST("sysc"), NULL,
					"security.syscalls.whitelist")
					->message,
				"kexec_load"));
	wl_assert(wl_find(&t, ST_FAIL, INST("sysold"), NULL, NULL), ST_FAIL,
		  SEV_HIGH, NULL, "security.syscalls.blacklist_default",
		  "false", INST("sysold"),
		  "lxc config set sysold "
		  "security.syscalls.blacklist_default=true --project "
		  "default");
	assert_int_equal(wl_find(&t, ST_FAIL, PROF("sys"), NULL,
				 "security.syscalls.intercept.mount.allowed")
				 ->severity,
			 SEV_CRITICAL);
	wl_clean(&t, INST("clean"));
	ct_release(&t);

	/* the 5.21+ names, and an allowlist without denied calls */
	wl_load(&t, "lxd-502");
	json_object_set_new(json_object_get(wl_item(&t, SNAP_INSTANCES,
						     "clean", NULL),
					    "expanded_config"),
			    "security.syscalls.deny_default",
			    json_string("false"));
	json_object_set_new(json_object_get(wl_item(&t, SNAP_INSTANCES,
						     "sysold", NULL),
					    "expanded_config"),
			    "security.syscalls.allow",
			    json_string("read\nwrite"));
	ct_run(&t, "LXD-INS-007");
	wl_find(&t, ST_FAIL, INST("clean"), NULL,
		"security.syscalls.deny_default");
	wl_find(&t, ST_FAIL, INST("sysold"), NULL, NULL);
	ct_release(&t);

	/* Incus BPF delegation */
	wl_load(&t, "incus");
	ct_expect_status(&t, "LXD-INS-007", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("bpfc"), NULL, NULL), ST_FAIL,
		  SEV_HIGH, NULL, "security.bpffs.delegate_cmds", "prog_load",
		  PROF("bpf"),
		  "incus profile unset bpf security.bpffs.delegate_cmds "
		  "--project default");
	ct_release(&t);
}

static void
test_devlxd(void **state)
{
	struct ct t;
	json_t *exts;

	(void)state;
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-008", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("devlxdprof"), NULL, NULL),
		  ST_FAIL, SEV_LOW, NULL, "security.devlxd.images", "true",
		  PROF("devlxd"),
		  "lxc profile set devlxd security.devlxd.images=false "
		  "--project default");
	wl_assert(wl_find(&t, ST_FAIL, INST("devlxdlocal"), NULL, NULL),
		  ST_FAIL, SEV_LOW, NULL, "security.devlxd.images", "true",
		  INST("devlxdlocal"),
		  "lxc config set devlxdlocal security.devlxd.images=false "
		  "--project default");
	wl_find(&t, ST_FAIL, PROF("devlxd"), NULL, NULL);
	wl_clean(&t, INST("clean"));
	ct_release(&t);

	/* VMs read images through devlxd only with devlxd_images_vm */
	wl_load(&t, "vm-521");
	ct_run(&t, "LXD-INS-008");
	wl_clean(&t, INST("vimg"));
	wl_find(&t, ST_FAIL, INST("cimg"), NULL, NULL);
	exts = json_object_get(t.snap.part[SNAP_SERVER], "api_extensions");
	json_array_append_new(exts, json_string("devlxd_images_vm"));
	ct_run(&t, "LXD-INS-008");
	wl_find(&t, ST_FAIL, INST("vimg"), NULL, NULL);
	ct_release(&t);

	wl_load(&t, "incus");
	ct_expect_status(&t, "LXD-INS-008", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("guest"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "security.guestapi.images", "true",
		  INST("guest"),
		  "incus config set guest security.guestapi.images=false "
		  "--project default");
	ct_release(&t);
}

static void
test_secureboot(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "vm-521");
	ct_expect_status(&t, "LXD-INS-009", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("vsb"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "security.secureboot", "false", INST("vsb"),
		  "lxc config set vsb security.secureboot=true --project "
		  "default");
	wl_assert(wl_find(&t, ST_FAIL, INST("vcsm"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "security.csm", "true", PROF("legacy"),
		  "lxc profile set legacy security.csm=false --project "
		  "default");
	wl_find(&t, ST_FAIL, PROF("legacy"), NULL, "security.csm");
	wl_find(&t, ST_FAIL, PROF("legacy"), NULL, "security.secureboot");
	wl_clean(&t, INST("vok"));
	/* containers are not judged by VM rules */
	wl_clean(&t, INST("cimg"));
	ct_release(&t);

	/* 6.7: boot.mode; the old keys are gone */
	wl_load(&t, "vm-67");
	ct_expect_status(&t, "LXD-INS-009", ST_FAIL);
	wl_assert(wl_find(&t, ST_FAIL, INST("vbios"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "boot.mode", "bios", PROF("bios"),
		  "lxc profile set bios boot.mode=uefi-secureboot --project "
		  "default");
	wl_assert(wl_find(&t, ST_FAIL, INST("vnosb"), NULL, NULL), ST_FAIL,
		  SEV_LOW, NULL, "boot.mode", "uefi-nosecureboot",
		  INST("vnosb"),
		  "lxc config set vnosb boot.mode=uefi-secureboot --project "
		  "default");
	wl_clean(&t, INST("vold"));
	wl_clean(&t, INST("vok"));
	ct_release(&t);

	/* Incus keeps security.secureboot */
	wl_load(&t, "incus");
	ct_expect_status(&t, "LXD-INS-009", ST_FAIL);
	wl_find(&t, ST_FAIL, INST("vsb"), NULL, "security.secureboot");
	ct_release(&t);

	/* no VM anywhere */
	wl_load(&t, "lxd-502");
	ct_expect_status(&t, "LXD-INS-009", ST_NOTAPPLICABLE);
	ct_release(&t);
}

static void
test_unreachable_member(void **state)
{
	static const char *const ct_checks[] = {
		"LXD-INS-001", "LXD-INS-002", "LXD-INS-003", "LXD-INS-004",
		"LXD-INS-007",
	};
	static const char *const all_checks[] = {
		"LXD-INS-005", "LXD-INS-006", "LXD-INS-008",
	};
	struct ct t;

	(void)state;
	wl_load(&t, "cluster");
	for (size_t i = 0; i < ARRAY_SIZE(ct_checks); i++) {
		ct_run(&t, ct_checks[i]);
		const struct finding *f = wl_find(&t, ST_ERROR, INST("lost"),
						  NULL, NULL);

		assert_true(ct_contains(f->message, "m3"));
		assert_int_not_equal(t.status, ST_PASS);
	}
	for (size_t i = 0; i < ARRAY_SIZE(all_checks); i++) {
		ct_run(&t, all_checks[i]);
		wl_find(&t, ST_ERROR, INST("lost"), NULL, NULL);
		wl_find(&t, ST_ERROR, INST("lostvm"), NULL, NULL);
		assert_int_equal(t.status, ST_ERROR);
	}
	ct_expect_status(&t, "LXD-INS-009", ST_ERROR);
	wl_find(&t, ST_ERROR, INST("lostvm"), NULL, NULL);
	ct_release(&t);
}

static void
test_missing_parts(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	wl_set_part(&t, SNAP_INSTANCES, NULL);
	ct_expect_status(&t, "LXD-INS-001", ST_ERROR);
	wl_find(&t, ST_ERROR, "/1.0/instances", NULL, NULL);
	ct_release(&t);

	/* without profiles: instances still judged, sources unknown */
	wl_load(&t, "lxd-502");
	wl_set_part(&t, SNAP_PROFILES, NULL);
	ct_expect_status(&t, "LXD-INS-001", ST_FAIL);
	wl_find(&t, ST_ERROR, "/1.0/profiles", NULL, NULL);
	wl_assert(wl_find(&t, ST_FAIL, INST("privprof"), NULL, NULL),
		  ST_FAIL, SEV_HIGH, NULL, "security.privileged", "true", NULL,
		  "lxc config set privprof security.privileged=false "
		  "--project default");
	ct_release(&t);
}

static void
test_nothing_applies(void **state)
{
	static const char *const ids[] = {
		"LXD-INS-001", "LXD-INS-002", "LXD-INS-003", "LXD-INS-004",
		"LXD-INS-005", "LXD-INS-006", "LXD-INS-007", "LXD-INS-008",
		"LXD-INS-009",
	};
	struct ct t;

	(void)state;
	wl_load(&t, "empty");
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		ct_expect_status(&t, ids[i], ST_NOTAPPLICABLE);
	ct_release(&t);
}

/* A profile the instance names but the snapshot lacks. */
static void
test_unknown_profile(void **state)
{
	struct ct t;

	(void)state;
	wl_load(&t, "lxd-502");
	json_array_remove(t.snap.part[SNAP_PROFILES], 1);	/* priv */
	ct_run(&t, "LXD-INS-001");
	wl_assert(wl_find(&t, ST_FAIL, INST("privprof"), NULL, NULL),
		  ST_FAIL, SEV_HIGH, NULL, "security.privileged", "true", NULL,
		  "lxc config set privprof security.privileged=false "
		  "--project default");
	assert_true(ct_contains(wl_find(&t, ST_FAIL, INST("privprof"), NULL,
					NULL)->message,
				"could not be read"));
	ct_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_privileged_vm_rules),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_isolated),
		cmocka_unit_test(test_local_overrides),
		cmocka_unit_test(test_lowlevel),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_devlxd),
		cmocka_unit_test(test_secureboot),
		cmocka_unit_test(test_unreachable_member),
		cmocka_unit_test(test_missing_parts),
		cmocka_unit_test(test_nothing_applies),
		cmocka_unit_test(test_unknown_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
