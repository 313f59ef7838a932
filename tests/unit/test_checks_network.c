/* test_checks_network.c - NET checks on fixture snapshots */
#include "checktest.h"

#include <stdint.h>

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
	/* the address is the user's to name: a need with an example */
	assert_int_equal(f->remedy.n_commands, 0);
	assert_string_equal(f->remedy.needs[0].name, "core.https_address");
	assert_true(ct_contains(f->remedy.needs[0].why, "192.0.2.2:8623"));
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
	assert_string_equal(t.out.v[0].remedy.needs[0].name,
			    "core.https_address");
	assert_int_equal(t.out.v[0].remedy.n_commands, 0);
	assert_true(ct_nowhere(&t, "lxc "));
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
			assert_string_equal(fix_text(f),
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
	assert_int_equal(f->remedy.n_commands, 0);
	assert_string_equal(f->remedy.needs[0].name, "security.acls");
	assert_true(ct_contains(f->remedy.note, "lxc network set ovn1 "
						"security.acls="));
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

/* The only finding with status st about object whose message has needle. */
static const struct finding *
find_msg(const struct ct *t, enum status st, const char *object,
	 const char *needle)
{
	const struct finding *hit = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++) {
		const struct finding *f = &t->out.v[i];

		if (f->status == st && str_eq(f->object, object) &&
		    ct_contains(f->message, needle)) {
			hit = f;
			n++;
		}
	}
	if (n != 1) {
		ct_dump(t);
		fail_msg("%zu %s findings about %s with \"%s\", want 1", n,
			 status_name(st), object, needle);
	}
	return hit;
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

/* Adds an API extension unless the fixture has it. */
static void
add_ext(struct ct *t, const char *ext)
{
	if (snapshot_has_ext(&t->snap, ext))
		return;
	json_array_append_new(json_object_get(t->snap.part[SNAP_SERVER],
					      "api_extensions"),
			      json_string(ext));
}

static json_t *
acl_rule(struct ct *t, const char *acl, const char *dir, size_t i)
{
	return json_array_get(json_object_get(item(t, SNAP_NETWORK_ACLS, acl),
					      dir),
			      i);
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
test_net004_open_rules(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "sample-502");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	/* open-acl both ways, web-acl out, @external in, two defaults */
	assert_int_equal(ct_count(&t, ST_FAIL), 6);
	f = find_msg(&t, ST_FAIL, "/1.0/network-acls/open-acl?project=default",
		     "ingress rule 1");
	ct_assert_fail(f, SEV_MEDIUM, "source", NULL, NULL);
	assert_true(ct_contains(f->message, "every protocol and port"));
	assert_true(ct_contains(f->message, "any source (no source set)"));
	assert_true(ct_contains(fix_text(f), "lxc network acl edit "
						"open-acl --project default"));
	f = find_msg(&t, ST_FAIL, "/1.0/network-acls/open-acl?project=default",
		     "egress rule 1");
	assert_true(ct_contains(f->message, "to any destination"));
	f = find_msg(&t, ST_FAIL, "/1.0/network-acls/web-acl?project=default",
		     "egress rule 1");
	ct_assert_fail(f, SEV_MEDIUM, "destination", "0.0.0.0/0", NULL);
	assert_true(ct_contains(f->message, "every IPv4 destination"));
	f = find_msg(&t, ST_FAIL,
		     "/1.0/network-acls/ovn-only-acl?project=default",
		     "@external");
	ct_assert_fail(f, SEV_MEDIUM, "source", "@external", NULL);
	f = find_msg(&t, ST_FAIL, "/1.0/networks/rig0hSRa?project=default",
		     "ingress traffic");
	ct_assert_fail(f, SEV_MEDIUM, "security.acls.default.ingress.action",
		       "allow", "/1.0/networks/rig0hSRa?project=default");
	f = find_msg(&t, ST_FAIL, "/1.0/networks/rig0hSRa?project=default",
		     "egress traffic");
	ct_assert_fail(f, SEV_MEDIUM, "security.acls.default.egress.action",
		       "allow", "/1.0/networks/rig0hSRa?project=default");
	assert_string_equal(fix_text(f),
			    "lxc network set rig0hSRa "
			    "security.acls.default.egress.action=reject "
			    "--project default");
	ct_release(&t);

	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL, "/1.0/network-acls/any-tcp?project=blue");
	assert_true(ct_contains(f->message, "every TCP port"));
	assert_true(ct_contains(f->message, "all tcp"));
	assert_true(ct_contains(f->message, "every IPv6 source"));
	ct_finding(&t, ST_FAIL, "/1.0/networks/lxdbr0?project=default");
	ct_release(&t);
}

/* Sources that add up to everything, and ones that fall short. */
static void
test_net004_source_union(void **state)
{
	static const char *const open[] = {
		"0.0.0.0/1,128.0.0.0/1",
		"0.0.0.0-255.255.255.255",
		"0.0.0.0-9.255.255.255, 10.0.0.0/8, 11.0.0.0-255.255.255.255",
		"::/1, 8000::/1",
		"@external",
		"",
	};
	static const char *const narrow[] = {
		"0.0.0.0/1",
		"0.0.0.1-255.255.255.255",
		"0.0.0.0/1,128.0.0.0/2,web",
		"@internal",
		"10.0.0.0/8,::/1",
	};
	const struct finding *f;
	struct ct t;
	json_t *r;

	(void)state;
	ct_load(&t, "clean-509");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	/* ingress rule 4: any protocol from 10.0.0.0/8 */
	r = acl_rule(&t, "web-acl", "ingress", 3);
	for (size_t i = 0; i < ARRAY_SIZE(open); i++) {
		set_str(r, "source", open[i]);
		ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
		f = find_msg(&t, ST_FAIL,
			     "/1.0/network-acls/web-acl?project=default",
			     "ingress rule 4");
		ct_assert_fail(f, SEV_MEDIUM, "source", NULL, NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(narrow); i++) {
		set_str(r, "source", narrow[i]);
		ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	}
	/* a stateless allow (Incus) opens as much as a stateful one */
	set_str(r, "source", "::/0");
	set_str(r, "action", "allow-stateless");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	/* a port limit or ICMP closes it again */
	set_str(r, "protocol", "udp");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "every UDP port"));
	set_str(r, "destination_port", "53");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	set_str(r, "destination_port", NULL);
	set_str(r, "protocol", "icmp6");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	set_str(r, "protocol", NULL);
	set_str(r, "action", "reject");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	ct_release(&t);
}

static void
test_net004_egress(void **state)
{
	const struct finding *f;
	struct ct t;
	json_t *r;

	(void)state;
	ct_load(&t, "clean-509");
	r = acl_rule(&t, "web-acl", "egress", 0);
	/* TCP to every address with no port limit */
	set_str(r, "destination_port", NULL);
	set_str(r, "destination", "0.0.0.0/1,128.0.0.0/1");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	f = find_msg(&t, ST_FAIL, "/1.0/network-acls/web-acl?project=default",
		     "egress rule 1");
	assert_true(ct_contains(f->message, "every TCP port to every IPv4 "
					    "destination"));
	assert_true(ct_contains(fix_text(f), "limit the rule's "
						"destination"));
	/* a narrow destination is fine even without ports */
	set_str(r, "destination", "192.0.2.0/24");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	/* a disabled rule lets nothing out */
	set_str(r, "destination", NULL);
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	set_str(r, "state", "disabled");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	/* the network's default egress action */
	set_str(json_object_get(item(&t, SNAP_NETWORKS, "lxdbr0"), "config"),
		"security.acls.default.egress.action", "allow");
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/lxdbr0?project=default");
	assert_true(ct_contains(f->message, "let out"));
	set_str(json_object_get(item(&t, SNAP_NETWORKS, "lxdbr0"), "config"),
		"security.acls.default.egress.action", "drop");
	ct_expect_status(&t, "LXD-NET-004", ST_PASS);
	ct_release(&t);
}

static const char nic_instances[] =
	"[{\"name\": \"web1\", \"project\": \"default\", \"type\": "
	"\"container\", \"devices\": {\"eth0\": {\"type\": \"nic\", "
	"\"network\": \"lxdbr0\", \"security.acls\": \"web-acl\", "
	"\"security.acls.default.ingress.action\": \"allow\"}}, "
	"\"expanded_devices\": {\"eth0\": {\"type\": \"nic\", "
	"\"network\": \"lxdbr0\", \"security.acls\": \"web-acl\", "
	"\"security.acls.default.ingress.action\": \"allow\"}, "
	"\"eth1\": {\"type\": \"nic\", \"network\": \"lxdbr0\", "
	"\"security.acls.default.egress.action\": \"allow\"}}}]";

static const char nic_profiles[] =
	"[{\"name\": \"two nics\", \"project\": \"default\", \"devices\": "
	"{\"eth1\": {\"type\": \"nic\", \"network\": \"lxdbr0\", "
	"\"security.acls.default.egress.action\": \"allow\"}}}]";

static void
set_part(struct ct *t, enum snap_kind k, const char *text)
{
	json_decref(t->snap.part[k]);
	t->snap.part[k] = json_loads(text, 0, NULL);
	assert_non_null(t->snap.part[k]);
}

/* NICs that carry their own default actions. */
static void
test_net004_nic_defaults(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	ct_load(&t, "clean-509");
	set_part(&t, SNAP_INSTANCES, nic_instances);
	set_part(&t, SNAP_PROFILES, nic_profiles);
	ct_expect_status(&t, "LXD-NET-004", ST_FAIL);
	/* eth1 comes from the profile: judged there, not again on web1 */
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	f = ct_finding(&t, ST_FAIL, "/1.0/instances/web1?project=default");
	ct_assert_fail(f, SEV_MEDIUM, "security.acls.default.ingress.action",
		       "allow", NULL);
	assert_string_equal(f->device, "eth0");
	assert_string_equal(fix_text(f),
			    "lxc config device set web1 eth0 "
			    "security.acls.default.ingress.action=reject "
			    "--project default");
	f = ct_finding(&t, ST_FAIL,
		       "/1.0/profiles/two%20nics?project=default");
	assert_string_equal(fix_text(f),
			    "lxc profile device set 'two nics' eth1 "
			    "security.acls.default.egress.action=reject "
			    "--project default");
	/* Incus names its own client */
	ct_set_version(&t, "incus", "6.0.4");
	ct_run(&t, "LXD-NET-004");
	for (size_t i = 0; i < t.out.n; i++)
		assert_true(str_starts_with(fix_text(&t.out.v[i]), "incus "));
	assert_true(ct_nowhere(&t, "lxc "));
	ct_release(&t);

	/* unreadable NICs are an error, not a pass */
	ct_load(&t, "clean-509");
	ct_drop_part(&t, SNAP_INSTANCES, "HTTP 500");
	ct_expect_status(&t, "LXD-NET-004", ST_ERROR);
	assert_true(ct_contains(ct_finding(&t, ST_ERROR,
					   "/1.0/instances")->message,
				"HTTP 500"));
	ct_release(&t);
}

/* NICs that carry their own ACLs stand in for the network's (NET-003). */
static void
test_net003_nic_acls(void **state)
{
	const struct finding *f;
	const char *ovn1 = "/1.0/networks/ovn1?project=blue";
	struct ct t;

	(void)state;
	ct_load(&t, "lxd-521");
	/* ovn1 lives in blue; web's NIC and the blue profile's use it */
	set_part(&t, SNAP_INSTANCES,
		 "[{\"name\": \"web\", \"project\": \"blue\", \"devices\": {},"
		 " \"expanded_devices\": {\"eth0\": {\"type\": \"nic\", "
		 "\"network\": \"ovn1\", \"security.acls\": \"web\"}}},"
		 " {\"name\": \"other\", \"project\": \"red\", "
		 "\"expanded_devices\": {\"eth0\": {\"type\": \"nic\", "
		 "\"network\": \"ovn1\"}}}]");
	set_part(&t, SNAP_PROFILES,
		 "[{\"name\": \"default\", \"project\": \"blue\", \"devices\":"
		 " {\"eth0\": {\"type\": \"nic\", \"network\": \"ovn1\"}}}]");
	add_ext(&t, "network_ovn_acl");
	ct_expect_status(&t, "LXD-NET-003", ST_FAIL);
	/* the profile's NIC has none; red's ovn1 is another network */
	f = ct_finding(&t, ST_FAIL, ovn1);
	assert_true(ct_contains(f->message, "on profile default device eth0"));
	assert_false(ct_contains(f->message, "instance other"));
	assert_false(ct_contains(f->message, "instance web"));
	set_str(json_object_get(json_object_get(item(&t, SNAP_PROFILES,
						     "default"),
						"devices"),
				"eth0"),
		"security.acls", "web");
	ct_expect_status(&t, "LXD-NET-003", ST_PASS);
	f = ct_finding(&t, ST_PASS, ovn1);
	assert_true(ct_contains(f->message, "each of the 2 NICs"));
	/* without network_ovn_acl a NIC cannot carry ACLs */
	ct_drop_ext(&t, "network_ovn_acl");
	ct_expect_status(&t, "LXD-NET-003", ST_FAIL);
	assert_true(ct_contains(ct_finding(&t, ST_FAIL, ovn1)->message,
				"lacks API extension network_ovn_acl"));
	add_ext(&t, "network_ovn_acl");
	/* NICs that cannot be read cannot stand in */
	ct_drop_part(&t, SNAP_PROFILES, "HTTP 403");
	ct_expect_status(&t, "LXD-NET-003", ST_FAIL);
	assert_true(ct_contains(ct_finding(&t, ST_FAIL, ovn1)->message,
				"could not be read"));
	ct_release(&t);

	/* a bridge without ACLs, its only NIC filtered */
	ct_load(&t, "lxd-521");
	set_str(json_object_get(item(&t, SNAP_NETWORKS, "br-idle"), "config"),
		"security.acls", NULL);
	set_part(&t, SNAP_INSTANCES,
		 "[{\"name\": \"c1\", \"project\": \"default\", "
		 "\"expanded_devices\": {\"eth0\": {\"type\": \"nic\", "
		 "\"network\": \"br-idle\", \"security.acls\": \"web\"}}}]");
	set_part(&t, SNAP_PROFILES, "[]");
	ct_run(&t, "LXD-NET-003");
	/* LXD: no release lets a bridged NIC carry ACLs */
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/br-idle?project=default");
	assert_true(ct_contains(f->message, "LXD has no ACLs on bridged NICs"));
	assert_false(ct_contains(f->message, "network_bridge_acl_devices"));
	/* an Incus release before 6.0.4 / 6.9 names the extension */
	ct_set_version(&t, "incus", "6.0.3");
	ct_run(&t, "LXD-NET-003");
	f = ct_finding(&t, ST_FAIL, "/1.0/networks/br-idle?project=default");
	assert_true(ct_contains(f->message, "lacks API extension "
					    "network_bridge_acl_devices"));
	/* Incus 6.0.4 and 6.9+ do (network_bridge_acl_devices) */
	ct_set_version(&t, "incus", "6.0.4");
	add_ext(&t, "network_bridge_acl_devices");
	ct_run(&t, "LXD-NET-003");
	ct_finding(&t, ST_PASS, "/1.0/networks/br-idle?project=default");
	assert_true(ct_nowhere(&t, "lxc "));
	ct_release(&t);
}

static void
set_cert_restricted(struct ct *t, const char *name, bool restricted)
{
	json_object_set_new(item(t, SNAP_CERTIFICATES, name), "restricted",
			    json_boolean(restricted));
}

/* NET-006: who can create images, and the proxy keys. */
static void
test_net006_outbound_proxy(void **state)
{
	const struct finding *f;
	struct ct t;

	(void)state;
	/* ci is a restricted certificate of default, which has images */
	ct_load(&t, "lxd-521");
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	assert_int_equal(ct_count(&t, ST_FAIL), 2);
	for (size_t i = 0; i < t.out.n; i++) {
		f = &t.out.v[i];
		ct_assert_fail(f, SEV_MEDIUM, NULL, "", "/1.0");
		assert_true(ct_contains(f->message, "restricted certificate "
						    "ci (default)"));
	}
	assert_string_equal(t.out.v[0].key, "core.proxy_http");
	assert_int_equal(t.out.v[0].remedy.n_commands, 0);
	assert_string_equal(t.out.v[0].remedy.needs[0].name,
			    "core.proxy_http");
	assert_string_equal(t.out.v[1].key, "core.proxy_https");
	/* one key is not enough */
	ct_set_config(&t, "core.proxy_http", "http://proxy.internal:3128");
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	ct_assert_fail(ct_finding(&t, ST_FAIL, "/1.0"), SEV_MEDIUM,
		       "core.proxy_https", "", "/1.0");
	ct_set_config(&t, "core.proxy_https", "http://proxy.internal:3128");
	ct_expect_status(&t, "LXD-NET-006", ST_PASS);
	assert_true(ct_contains(ct_finding(&t, ST_PASS, "/1.0")->message,
				"core.proxy_https=http://proxy.internal:3128"));
	/* ignoring every host bypasses the proxy; some hosts do not */
	ct_set_config(&t, "core.proxy_ignore_hosts", "localhost, * ");
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0");
	ct_assert_fail(f, SEV_MEDIUM, "core.proxy_ignore_hosts",
		       "localhost, * ", "/1.0");
	assert_string_equal(fix_text(f),
			    "lxc config unset core.proxy_ignore_hosts");
	ct_set_config(&t, "core.proxy_ignore_hosts", "localhost,*.internal");
	ct_expect_status(&t, "LXD-NET-006", ST_PASS);
	ct_set_config(&t, "core.proxy_http", NULL);
	ct_set_config(&t, "core.proxy_https", NULL);

	/* a group granting can_create_images, reached by an identity */
	set_cert_restricted(&t, "ci", false);
	ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
	f = ct_finding(&t, ST_NOTAPPLICABLE, "/1.0");
	assert_true(ct_contains(f->message, "No non-admin client"));
	assert_true(ct_contains(f->message, "can_create_images"));
	json_array_append_new(
		json_object_get(item(&t, SNAP_AUTH_GROUPS, "viewers"),
				"permissions"),
		json_pack("{s:s, s:s, s:s}", "entity_type", "project", "url",
			  "/1.0/projects/blue", "entitlement",
			  "can_create_images"));
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message,
				"group viewers (can_create_images)"));
	/* a group nobody is in lets nobody create images */
	json_object_set_new(item(&t, SNAP_AUTH_GROUPS, "viewers"),
			    "identities", json_object());
	ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
	/* the admin group's operator entitlement does not count */
	assert_true(ct_nowhere(&t, "ops"));
	/* an external authorizer's relations are not in the API */
	ct_set_config(&t, "openfga.api.url", "https://fga.internal:8080");
	ct_expect_status(&t, "LXD-NET-006", ST_MANUAL);
	assert_true(ct_contains(ct_finding(&t, ST_MANUAL, "/1.0")->message,
				"external authorizer"));
	ct_set_config(&t, "openfga.api.url", NULL);

	/* data that cannot be read is an error */
	ct_drop_part(&t, SNAP_AUTH_GROUPS, "HTTP 403");
	ct_expect_status(&t, "LXD-NET-006", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/auth/groups");
	t.snap.unsupported[SNAP_AUTH_GROUPS] = true;
	ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
	/* the projects do not decide (features.images only says where) */
	ct_drop_part(&t, SNAP_PROJECTS, "HTTP 500");
	ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
	ct_drop_part(&t, SNAP_CERTIFICATES, "HTTP 500");
	ct_expect_status(&t, "LXD-NET-006", ST_ERROR);
	ct_finding(&t, ST_ERROR, "/1.0/certificates");
	ct_release(&t);

	/*
	 * A restricted certificate in a project without its own images
	 * still creates images (stored in default's): imagesPost checks
	 * only access to the project, on LXD 5.0.2 to 6.9 and Incus.
	 */
	ct_load(&t, "lxd-521");
	json_array_clear(json_object_get(item(&t, SNAP_CERTIFICATES, "ci"),
					 "projects"));
	ct_expect_status(&t, "LXD-NET-006", ST_NOTAPPLICABLE);
	json_array_append_new(json_object_get(item(&t, SNAP_CERTIFICATES,
						   "ci"),
					      "projects"),
			      json_string("blue"));
	set_str(json_object_get(item(&t, SNAP_PROJECTS, "blue"), "config"),
		"features.images", "false");
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "ci (blue)"));
	set_str(json_object_get(item(&t, SNAP_PROJECTS, "blue"), "config"),
		"features.images", "true");
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	assert_true(ct_contains(t.out.v[0].message, "ci (blue)"));
	/* Incus: the same keys, its own client */
	ct_set_version(&t, "incus", "6.0.4");
	ct_expect_status(&t, "LXD-NET-006", ST_FAIL);
	assert_string_equal(t.out.v[0].remedy.needs[0].name,
			    "core.proxy_http");
	assert_true(ct_nowhere(&t, "lxc "));
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
	assert_string_equal(fix_text(f),
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

/*
 * A cluster: the listener keys are each member's own (member-servers.json
 * of workload/cluster: m1 metrics on every interface, m2 debug on
 * loopback, m3 unreachable); the answering member's /1.0 decides nothing.
 */
static void
test_net_cluster_members(void **state)
{
	const struct finding *f;
	json_t *m2;
	struct ct t;

	(void)state;
	ct_load_from(&t, "workload", "cluster");
	assert_true(t.snap.clustered);
	ct_expect_status(&t, "LXD-NET-002", ST_FAIL);
	f = ct_finding(&t, ST_FAIL, "/1.0?target=m1");
	ct_assert_fail(f, SEV_HIGH, "core.metrics_address", "0.0.0.0:9100",
		       "/1.0?target=m1");
	/* the address is a need, named as fix --set takes it */
	assert_int_equal(f->remedy.n_commands, 0);
	assert_string_equal(f->remedy.needs[0].name,
			    "core.metrics_address@m1");
	assert_true(ct_contains(f->remedy.needs[0].why, "10.0.0.1:9100"));
	assert_true(ct_contains(f->remedy.note,
				"lxc config unset core.metrics_address "
				"--target m1"));
	assert_int_equal(ct_count(&t, ST_FAIL), 1);
	f = ct_finding(&t, ST_ERROR, "/1.0?target=m3");
	assert_true(ct_contains(f->message, "cluster member m3 (status "
					    "Offline) holds for itself"));
	assert_true(ct_contains(f->message, "connection refused"));

	/* NET-001: one pass per readable member, m3 an error */
	ct_run(&t, "LXD-NET-001");
	assert_int_equal(t.status, ST_ERROR);
	assert_true(ct_contains(ct_finding(&t, ST_PASS,
					   "/1.0?target=m1")->message,
				"10.0.0.1"));
	assert_true(ct_contains(ct_finding(&t, ST_PASS,
					   "/1.0?target=m2")->message,
				"10.0.0.2"));
	ct_finding(&t, ST_ERROR, "/1.0?target=m3");

	/* m2's debug listener moves to every interface: critical on m2 */
	m2 = json_array_get(t.snap.part[SNAP_MEMBER_SERVERS], 1);
	json_object_set_new(json_object_get(m2, "config"),
			    "core.debug_address", json_string("[::]:8444"));
	ct_run(&t, "LXD-NET-002");
	f = ct_finding(&t, ST_FAIL, "/1.0?target=m2");
	ct_assert_fail(f, SEV_CRITICAL, "core.debug_address", "[::]:8444",
		       "/1.0?target=m2");
	assert_true(ct_contains(fix_text(f), "lxc config unset "
						"core.debug_address --target "
						"m2"));

	/* the answering member's /1.0 is not what a member is judged by */
	ct_set_config(&t, "core.debug_address", "0.0.0.0:1");
	ct_run(&t, "LXD-NET-002");
	assert_int_equal(ct_count(&t, ST_FAIL), 2);

	/* a listed member missing from the per-member state: an error */
	json_array_remove(t.snap.part[SNAP_MEMBER_SERVERS], 2);
	ct_run(&t, "LXD-NET-001");
	assert_true(ct_contains(ct_finding(&t, ST_ERROR,
					   "/1.0?target=m3")->message,
				"not in the state read"));

	/* no per-member state: an error, never a pass */
	json_decref(t.snap.part[SNAP_MEMBER_SERVERS]);
	t.snap.part[SNAP_MEMBER_SERVERS] = NULL;
	ct_expect_status(&t, "LXD-NET-001", ST_ERROR);
	ct_expect_status(&t, "LXD-NET-002", ST_ERROR);
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
		cmocka_unit_test(test_net003_nic_acls),
		cmocka_unit_test(test_net004_open_rules),
		cmocka_unit_test(test_net004_source_union),
		cmocka_unit_test(test_net004_egress),
		cmocka_unit_test(test_net004_nic_defaults),
		cmocka_unit_test(test_net004_clean_error),
		cmocka_unit_test(test_net005_metrics_auth),
		cmocka_unit_test(test_net006_outbound_proxy),
		cmocka_unit_test(test_net_cluster_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
