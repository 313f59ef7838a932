/*
 * test_checks_netmul_release.c - NET-003/004/006 and MUL-003 on the
 * release fixtures (tests/data/release: LXD 5.21 and 6.x, Incus 6.0 and
 * 7.x), one weakness planted and one clean counterpart per release.
 */
#include "checktest.h"

#include <stdint.h>

static const char *const releases[] = {
	"lxd-5.21.7",
	"lxd-6.9",
	"incus-6.0.6",
	"incus-7.3",
};

static bool
is_incus(const char *rel)
{
	return str_starts_with(rel, "incus-");
}

static json_t *
item(struct ct *t, enum snap_kind k, const char *name)
{
	const json_t *o;
	size_t i;

	json_array_foreach (t->snap.part[k], i, o)
		if (str_eq(json_string_value(json_object_get(o, "name")),
			   name))
			return (json_t *)(uintptr_t)o;
	fail_msg("no %s", name);
	return NULL;
}

static json_t *
cfg_of(struct ct *t, enum snap_kind k, const char *name)
{
	return json_object_get(item(t, k, name), "config");
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
	else
		json_object_del(o, key);
}

static void
load(struct ct *t, const char *rel)
{
	ct_load_from(t, "release", rel);
	print_message("# %s\n", rel);
}

/* The client every remediation must start with, and the foreign one. */
static void
assert_client(const struct ct *t, const char *rel)
{
	for (size_t i = 0; i < t->out.n; i++)
		for (size_t k = 0; k < t->out.v[i].remedy.n_commands; k++)
			assert_true(str_starts_with(
				t->out.v[i].remedy.commands[k],
				is_incus(rel) ? "incus " : "lxc "));
	assert_true(ct_nowhere(t, is_incus(rel) ? "lxc " : "incus "));
}

/* The bridge every fixture has, with its NICs (instance c1, profile). */
static const char *
bridge_of(const char *rel)
{
	return is_incus(rel) ? "incusbr0" : "lxdbr0";
}

static void
test_net003_releases(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(releases); r++) {
		const char *rel = releases[r];
		const char *br = bridge_of(rel);
		char *obj = snapshot_object("networks", br, "default");
		const json_t *o;
		struct ct t;
		size_t i;

		load(&t, rel);
		ct_expect_status(&t, "LXD-NET-003", ST_FAIL);
		ct_finding(&t, ST_FAIL, obj);
		assert_client(&t, rel);
		/* every NIC on the bridge carries its own ACLs */
		json_array_foreach (t.snap.part[SNAP_INSTANCES], i, o)
			set_str(json_object_get(json_object_get(
							o, "expanded_devices"),
						"eth0"),
				"security.acls", "web");
		json_array_foreach (t.snap.part[SNAP_PROFILES], i, o)
			set_str(json_object_get(json_object_get(o, "devices"),
						"eth0"),
				"security.acls", "web");
		ct_run(&t, "LXD-NET-003");
		if (is_incus(rel)) {
			/* network_bridge_acl_devices */
			ct_expect_status(&t, "LXD-NET-003", ST_PASS);
			assert_true(ct_contains(ct_finding(&t, ST_PASS,
							   obj)->message,
						"sets its own"));
		} else {
			/* no LXD release lets a bridged NIC carry ACLs */
			ct_expect_status(&t, "LXD-NET-003", ST_FAIL);
			assert_true(ct_contains(
				ct_finding(&t, ST_FAIL, obj)->message,
				"LXD has no ACLs on bridged NICs"));
		}
		/* the network's own ACLs pass everywhere */
		set_str(cfg_of(&t, SNAP_NETWORKS, br), "security.acls", "web");
		ct_expect_status(&t, "LXD-NET-003", ST_PASS);
		ct_release(&t);
		free(obj);
	}
}

static void
test_net004_releases(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(releases); r++) {
		const char *rel = releases[r];
		struct ct t;
		json_t *acl, *rule;

		load(&t, rel);
		ct_expect_status(&t, "LXD-NET-004", ST_PASS);
		acl = json_pack("{s:s, s:s, s:{}, s:[], s:[]}", "name", "web",
				"project", "default", "config", "ingress",
				"egress");
		rule = json_pack("{s:s, s:s, s:s}", "action",
				 is_incus(rel) ? "allow-stateless" : "allow",
				 "source", "0.0.0.0/1, 128.0.0.0/1", "state",
				 "enabled");
		json_array_append_new(json_object_get(acl, "ingress"), rule);
		json_array_append_new(t.snap.part[SNAP_NETWORK_ACLS], acl);
		ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
		assert_true(ct_contains(
			ct_finding(&t, ST_FAIL,
				   "/1.0/network-acls/web?project=default")
				->message,
			"every IPv4 source"));
		assert_client(&t, rel);
		set_str(rule, "source", "0.0.0.0/1, 128.0.0.0/2");
		ct_expect_status(&t, "LXD-NET-004", ST_PASS);
		/* the default egress action of the bridge */
		set_str(cfg_of(&t, SNAP_NETWORKS, bridge_of(rel)),
			"security.acls.default.egress.action", "allow");
		ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
		assert_client(&t, rel);
		set_str(cfg_of(&t, SNAP_NETWORKS, bridge_of(rel)),
			"security.acls.default.egress.action", "drop");
		ct_expect_status(&t, "LXD-NET-004", ST_PASS);
		ct_release(&t);
	}
}

static void
test_mul003_releases(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(releases); r++) {
		const char *rel = releases[r];
		const char *obj = "/1.0/projects/tenant";
		struct ct t;
		json_t *cfg;

		load(&t, rel);
		ct_expect_status(&t, "LXD-MUL-003", ST_NOTAPPLICABLE);
		json_array_append_new(
			t.snap.part[SNAP_PROJECTS],
			json_pack("{s:s, s:{s:s, s:s, s:s}}", "name", "tenant",
				  "config", "restricted", "true",
				  "features.images", "true",
				  "features.profiles", "true"));
		/* absent keys are the release's defaults, which block */
		ct_expect_status(&t, "LXD-MUL-003", ST_PASS);
		cfg = cfg_of(&t, SNAP_PROJECTS, "tenant");
		set_str(cfg, "restricted.devices.disk", "allow");
		set_str(cfg, "restricted.devices.disk.paths", "/srv,/");
		set_str(cfg, "restricted.idmap.gid", "0-65535");
		set_str(cfg, "restricted.devices.proxy", "allow");
		ct_expect_status(&t, "LXD-MUL-003", ST_FAIL);
		assert_int_equal(ct_count(&t, ST_FAIL), 3);
		for (size_t i = 0; i < t.out.n; i++) {
			assert_string_equal(t.out.v[i].object, obj);
			assert_true(ct_contains(t.out.v[i].message,
						"re-opens"));
		}
		assert_client(&t, rel);
		set_str(cfg, "restricted.devices.disk.paths", "/srv/tenant");
		set_str(cfg, "restricted.idmap.gid", "1000000-1065535");
		set_str(cfg, "restricted.devices.proxy", "block");
		ct_expect_status(&t, "LXD-MUL-003", ST_PASS);
		ct_release(&t);
	}
}

static void
test_net006_releases(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(releases); r++) {
		const char *rel = releases[r];
		struct ct t;

		load(&t, rel);
		/* only an unrestricted admin certificate */
		ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
		assert_true(ct_contains(t.out.v[0].message,
					is_incus(rel) ? "can use a project." :
							"can_create_images"));
		json_array_append_new(
			t.snap.part[SNAP_CERTIFICATES],
			json_pack("{s:s, s:s, s:s, s:b, s:[s]}", "name", "ci",
				  "type", "client", "fingerprint", "abcd",
				  "restricted", 1, "projects", "default"));
		ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
		assert_int_equal(ct_count(&t, ST_FAIL), 2);
		assert_client(&t, rel);
		ct_set_config(&t, "core.proxy_http", "http://proxy:3128");
		ct_set_config(&t, "core.proxy_https", "http://proxy:3128");
		ct_expect_status(&t, "LXD-NET-006", ST_PASS);
		if (!is_incus(rel)) {
			/* a group granting image creation to an identity */
			json_t *g = item(&t, SNAP_AUTH_GROUPS, "viewers");

			json_array_clear(t.snap.part[SNAP_CERTIFICATES]);
			ct_set_config(&t, "core.proxy_https", NULL);
			ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
			json_array_append_new(
				json_object_get(g, "permissions"),
				json_pack("{s:s, s:s, s:s}", "entity_type",
					  "project", "url",
					  "/1.0/projects/default",
					  "entitlement", "image_manager"));
			json_object_set_new(
				g, "identities",
				json_pack("{s:[s]}", "oidc", "eve@example.com"));
			ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
			assert_true(ct_contains(
				ct_finding(&t, ST_FAIL, "/1.0")->message,
				"group viewers (image_manager)"));
		}
		ct_release(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net003_releases),
		cmocka_unit_test(test_net004_releases),
		cmocka_unit_test(test_mul003_releases),
		cmocka_unit_test(test_net006_releases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
