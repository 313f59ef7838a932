/* test_fix.c - the fixer table and the plan (pure: no server) */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "engine.h"
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

/*
 * A name with '#' is one object: the audit names it percent-encoded, the
 * plan's request path keeps it whole, and --only matches it by its name.
 */
static void
test_only_hash_name(void **state)
{
	static const char *profiles =
		"[{\"name\":\"ha\",\"project\":\"default\",\"used_by\":[],"
		"\"config\":{\"security.privileged\":\"true\"},"
		"\"devices\":{}},"
		"{\"name\":\"ha#sh\",\"project\":\"default\",\"used_by\":[],"
		"\"config\":{\"security.privileged\":\"true\"},"
		"\"devices\":{}}]";
	const char *only[] = { "LXD-INS-001:ha#sh" };
	struct snapshot snap;
	struct policy pol;
	struct check_ctx x = { 0 };
	struct report r = { 0 };
	struct fix_opts o = { .only = only, .n_only = 1 };
	struct fix_plan p;
	size_t selected = 0;

	(void)state;
	snapshot_init(&snap);
	policy_init(&pol);
	snap.product = xstrdup("lxd");
	snap.part[SNAP_PROFILES] = json_loads(profiles, 0, NULL);
	snap.part[SNAP_INSTANCES] = json_loads("[]", 0, NULL);
	x.snap = &snap;
	x.policy = &pol;
	engine_run(&x, &r);
	o.policy = &pol;
	fix_plan_build(&r, &snap, &o, &p);
	fix_plan_select(&p, &o);
	for (size_t i = 0; i < p.n; i++) {
		if (!p.v[i].selected)
			continue;
		selected++;
		assert_string_equal(p.v[i].check, "LXD-INS-001");
		assert_string_equal(p.v[i].object,
				    "/1.0/profiles/ha%23sh?project=default");
		assert_string_equal(p.v[i].command,
				    "lxc profile set 'ha#sh' "
				    "security.privileged=false");
	}
	assert_int_equal(selected, 1);
	fix_plan_release(&p);
	engine_report_release(&r);
	policy_release(&pol);
	snapshot_release(&snap);
}

/* ---- deletions (GEN-003, ACC-005, ACC-011) and the socket (ACC-002) ---- */

/* other.crt ends 2126-11-04 15:22:44Z, server.crt 2126-11-04 15:26:28Z. */
static const char *pem_other =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIB+DCCAX6gAwIBAgIULTgQF3ccR1YIn6pCtfJGjvlER68wCgYIKoZIzj0EAwIw\n"
	"MjEZMBcGA1UECgwQbHhkLWhhcmRlbiB0ZXN0czEVMBMGA1UEAwwMb3RoZXItY2xp\n"
	"ZW50MCAXDTI2MTEyODE1MjI0NFoYDzIxMjYxMTA0MTUyMjQ0WjAyMRkwFwYDVQQK\n"
	"DBBseGQtaGFyZGVuIHRlc3RzMRUwEwYDVQQDDAxvdGhlci1jbGllbnQwdjAQBgcq\n"
	"hkjOPQIBBgUrgQQAIgNiAARUf0D7ClvbIUxT/DTGktPWuo6ZorqdorfdgG72xAgq\n"
	"5OnDo5uSLMVrvAodPeLIjpiWCrMXVyyXVCCmU2F/bnIHb0nAHwAmW7XzC4ybzcrO\n"
	"JoBX/Rg1u6sDZfT3eHh4P9yjUzBRMB0GA1UdDgQWBBS6jxxu5FEHHxlQvRWkCZj8\n"
	"bM7KhzAfBgNVHSMEGDAWgBS6jxxu5FEHHxlQvRWkCZj8bM7KhzAPBgNVHRMBAf8E\n"
	"BTADAQH/MAoGCCqGSM49BAMCA2gAMGUCMC6zkngGkIJLR3W3C8Wo0wVaDWmi9Nmn\n"
	"rrGPTlQyBLpEH5I2czJ9W27XaYl3E5G/0AIxAOD7wsLkRyWYDufkDw2ZMffncfFW\n"
	"qBxiNDL4EQJLAGM4GHveQllVVR2lHjjFDqvozg==\n"
	"-----END CERTIFICATE-----\n";
static const char *pem_server =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIB9zCCAXygAwIBAgIUOUg0zrGgNU5qhj3rRMUpUVrC0LUwCgYIKoZIzj0EAwIw\n"
	"MTEZMBcGA1UECgwQbHhkLWhhcmRlbiB0ZXN0czEUMBIGA1UEAwwLdGVzdC1zZXJ2\n"
	"ZXIwIBcNMjYxMTI4MTUyNjI4WhgPMjEyNjExMDQxNTI2MjhaMDExGTAXBgNVBAoM\n"
	"EGx4ZC1oYXJkZW4gdGVzdHMxFDASBgNVBAMMC3Rlc3Qtc2VydmVyMHYwEAYHKoZI\n"
	"zj0CAQYFK4EEACIDYgAE5eITmp76qxFcoOTtC3n0CRgzha+qqOCpxITRCvkwOTpw\n"
	"bijIYp5zeEKGa7HqBWYgGkgBl6KTOqXuLY+eJ+AAyUtyLHYQ67ZO0NkEXPLJ/bzq\n"
	"FO6z7x0ajUh4GISsF3mFo1MwUTAdBgNVHQ4EFgQUzwdoOrUHcWJB0h+8Ax9O5C27\n"
	"YF8wHwYDVR0jBBgwFoAUzwdoOrUHcWJB0h+8Ax9O5C27YF8wDwYDVR0TAQH/BAUw\n"
	"AwEB/zAKBggqhkjOPQQDAgNpADBmAjEAjebA6DhgASv523/crgTJ8DUpWLZFbRbM\n"
	"brFVH8MZlk9KtBN2LvtoD7n/VFE1OcPxAjEA6Hd8EEG1rqLUoNYT6JXN4es73Wmz\n"
	"6+Y0MmBqQKj0h69me2lKAK9tGB4siFFab8/x\n"
	"-----END CERTIFICATE-----\n";
#define FP_OLD "aaaa000000000000000000000000000000000000000000000000000000000001"
#define FP_NEW "bbbb000000000000000000000000000000000000000000000000000000000002"
#define OP_TRUST "11111111-2222-3333-4444-555555555555"
#define OP_JOIN "66666666-7777-8888-9999-000000000000"

/* Adds a failing finding with a message to the result of id (made when
   missing). */
static void
add_msg(struct report *r, const char *id, const char *object,
	const char *msg)
{
	struct check_result *cr = NULL;

	for (size_t i = 0; i < r->n; i++)
		if (str_eq(r->results[i].check->id, id))
			cr = &r->results[i];
	if (!cr) {
		r->results = xrealloc(r->results,
				      (r->n + 1) * sizeof(*r->results));
		cr = &r->results[r->n++];
		memset(cr, 0, sizeof(*cr));
		cr->check = catalog_find(id);
		assert_non_null(cr->check);
		cr->status = ST_FAIL;
	}
	findings_add(&cr->findings, ST_FAIL, SEV_MEDIUM, object, "%s", msg);
}

static int
setup_delete(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	json_t *certs;

	snapshot_init(&fx->snap);
	fx->snap.product = xstrdup("lxd");
	fx->snap.now = 4949479600LL;	/* 2126-11-04 15:26:40Z: both expired */
	fx->snap.part[SNAP_SERVER] = json_loads(server_json, 0, NULL);
	fx->snap.part[SNAP_STORAGE_POOLS] = json_loads(
		"[{\"name\":\"spare\",\"driver\":\"dir\",\"description\":\"d\","
		"\"config\":{\"source\":\"/srv/spare\"},\"used_by\":[]},"
		"{\"name\":\"held\",\"driver\":\"dir\",\"config\":{},"
		"\"used_by\":[\"/1.0/profiles/p?project=default\"]}]",
		0, NULL);
	certs = json_array();
	json_array_append_new(certs, json_pack(
		"{s:s, s:s, s:s, s:b, s:[], s:s}", "name", "old",
		"fingerprint", FP_OLD, "type", "client", "restricted", 0,
		"projects", "certificate", pem_other));
	json_array_append_new(certs, json_pack(
		"{s:s, s:s, s:s, s:b, s:[], s:s}", "name", "new",
		"fingerprint", FP_NEW, "type", "client", "restricted", 0,
		"projects", "certificate", pem_server));
	fx->snap.part[SNAP_CERTIFICATES] = certs;
	fx->snap.part[SNAP_OPERATIONS] = json_loads(
		"[{\"id\":\"" OP_TRUST "\",\"class\":\"token\","
		"\"status_code\":103,\"metadata\":{\"secret\":\"s3cret\","
		"\"request\":{\"name\":\"laptop\"}}},"
		"{\"id\":\"" OP_JOIN "\",\"class\":\"token\","
		"\"status_code\":103,\"metadata\":{\"secret\":\"s3cret2\","
		"\"serverName\":\"node2\"}}]", 0, NULL);
	policy_init(&fx->policy);
	add_msg(&fx->report, "LXD-GEN-003", "/1.0/storage-pools/spare",
		"Storage pool spare holds no instance, volume, image or "
		"bucket.");
	add_msg(&fx->report, "LXD-GEN-003", "/1.0/storage-pools/held",
		"Storage pool held holds no instance; only profiles refer "
		"to it (p).");
	add_msg(&fx->report, "LXD-ACC-005", "/1.0/certificates/" FP_OLD,
		"Certificate old expired on 2126-11-04T15:22:44Z.");
	add_msg(&fx->report, "LXD-ACC-005", "/1.0/certificates/" FP_OLD,
		"Certificate old has a weak RSA key of 1024 bits.");
	add_msg(&fx->report, "LXD-ACC-005", "/1.0/certificates/" FP_NEW,
		"Certificate new has a weak RSA key of 1024 bits.");
	add_msg(&fx->report, "LXD-ACC-011", "/1.0/operations/" OP_TRUST,
		"Pending trust token laptop never expires.");
	add_msg(&fx->report, "LXD-ACC-011", "/1.0/operations/" OP_JOIN,
		"Pending cluster join token node2 never expires.");
	*state = fx;
	return 0;
}

static const struct fix_item *
find_obj0(const struct fix_plan *p, const char *object)
{
	for (size_t i = 0; i < p->n; i++)
		if (str_eq(p->v[i].object, object))
			return &p->v[i];
	return NULL;
}

/* The item of object; fails the test when there is none. */
static const struct fix_item *
find_obj(const struct fix_plan *p, const char *object)
{
	const struct fix_item *it = find_obj0(p, object);

	if (!it) {
		fail_msg("no item for %s", object);
		abort();
	}
	return it;
}

static bool
has_note(const struct fix_plan *p, const char *part)
{
	for (size_t i = 0; i < p->n_notes; i++)
		if (strstr(p->notes[i], part))
			return true;
	return false;
}

static char *
plan_text(const struct fix_plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fix_plan_print(f, p, false);
	fclose(f);
	return buf;
}

static void
test_delete_pool(void **state)
{
	struct fixture *fx = *state;
	struct fix_opts o = { .policy = &fx->policy };
	struct fix_plan p;
	const struct fix_item *it;
	char *text;

	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	fix_plan_select(&p, &o);
	it = find_obj(&p, "/1.0/storage-pools/spare");
	assert_non_null(it);
	assert_string_equal(it->check, "LXD-GEN-003");
	assert_int_equal(it->kind, FIXK_DELETE);
	assert_int_equal(it->risk, FIX_OPTIN);
	assert_true(it->reversible);
	assert_false(it->selected);
	assert_string_equal(it->command, "lxc storage delete spare");
	assert_string_equal(it->old_value,
			    "storage pool spare (driver dir, source "
			    "/srv/spare)");
	assert_string_equal(it->old_json, "{\"config\":{\"source\":"
			    "\"/srv/spare\"},\"driver\":\"dir\"}");
	assert_non_null(strstr(it->effect, "/srv/spare, which stays on "
				       "disk"));
	assert_non_null(strstr(it->effect, "same driver and configuration"));
	/* a pool that profiles still name: a note, no deletion */
	assert_null(find_obj0(&p, "/1.0/storage-pools/held"));
	assert_true(has_note(&p, "storage pool held is still named by "
				 "profiles"));
	text = plan_text(&p);
	assert_non_null(strstr(text, "LXD-GEN-003 /1.0/storage-pools/spare\n"
				     "      storage pool spare (driver dir, "
				     "source /srv/spare) -> (deleted)\n"
				     "      command: lxc storage delete spare"));
	free(text);
	fix_plan_release(&p);

	/* --only names it */
	{
		const char *only[] = { "LXD-GEN-003:spare" };
		struct fix_opts o2 = { .policy = &fx->policy, .only = only,
				       .n_only = 1 };

		fix_plan_build(&fx->report, &fx->snap, &o2, &p);
		fix_plan_select(&p, &o2);
		assert_true(find_obj(&p, "/1.0/storage-pools/spare")->selected);
		assert_false(find_obj(&p, "/1.0/certificates/" FP_OLD)
				     ->selected);
		fix_plan_release(&p);
	}

	/* a cluster's pool: refused with a note (rollback could not put
	   it back member by member) */
	fx->snap.clustered = true;
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	assert_null(find_obj0(&p, "/1.0/storage-pools/spare"));
	assert_true(has_note(&p, "storage pool spare is defined on every "
				 "cluster member"));
	assert_true(has_note(&p, "lxc storage delete spare"));
	fix_plan_release(&p);
	fx->snap.clustered = false;
}

/*
 * A cluster member's own keys: planned on /1.0?target=M with --target M,
 * the old value from that member, --set KEY@M=V per member, a plain
 * --set KEY=ADDRESS not taken for a member, --only CHECK:M/KEY.
 */
static void
test_member_keys(void **state)
{
	struct fixture *fx = *state;
	struct fix_plan p;
	const struct fix_item *it;

	fx->snap.clustered = true;
	fx->snap.part[SNAP_MEMBER_SERVERS] = json_loads(
		"[{\"member\":\"m1\",\"config\":{\"core.debug_address\":"
		"\"0.0.0.0:8444\",\"core.metrics_address\":\":9100\"}},"
		"{\"member\":\"m 2\",\"config\":{\"core.metrics_address\":"
		"\"[::]:9100\"}}]", 0, NULL);
	add_result(&fx->report, "LXD-NET-002", "/1.0?target=m1",
		   "core.debug_address", "0.0.0.0:8444", "/1.0?target=m1",
		   NULL);
	add_result(&fx->report, "LXD-NET-002", "/1.0?target=m1",
		   "core.metrics_address", ":9100", "/1.0?target=m1", NULL);
	add_result(&fx->report, "LXD-NET-002", "/1.0?target=m%202",
		   "core.metrics_address", "[::]:9100", "/1.0?target=m%202",
		   NULL);
	{
		const char *set[] = { "core.metrics_address@m1=10.0.0.1:9100",
				      "core.metrics_address=10.9.9.9:9100" };
		const char *only[] = { "LXD-NET-002:m1/core.debug_address",
				       "LXD-NET-002:m1/core.metrics_address" };
		struct fix_opts o = { .policy = &fx->policy, .set = set,
				      .n_set = 2, .only = only, .n_only = 2 };

		fix_plan_build(&fx->report, &fx->snap, &o, &p);
		fix_plan_select(&p, &o);
	}
	for (size_t i = 0; i < p.n; i++) {
		it = &p.v[i];
		if (!str_eq(it->check, "LXD-NET-002"))
			continue;
		assert_int_equal(it->kind, FIXK_SERVER_KEY);
		if (str_eq(it->object, "/1.0?target=m1") &&
		    str_eq(it->key, "core.debug_address")) {
			assert_string_equal(it->old_value, "0.0.0.0:8444");
			assert_null(it->new_value);
			assert_string_equal(it->command, "lxc config unset "
					    "core.debug_address --target m1");
			assert_true(it->selected);
		} else if (str_eq(it->object, "/1.0?target=m1")) {
			assert_string_equal(it->old_value, ":9100");
			assert_string_equal(it->new_value, "10.0.0.1:9100");
			assert_string_equal(it->command,
					    "lxc config set core.metrics_address"
					    "=10.0.0.1:9100 --target m1");
			assert_true(it->selected);
		} else {
			/* the plain --set is no address for every member */
			assert_string_equal(it->object, "/1.0?target=m%202");
			assert_string_equal(it->old_value, "[::]:9100");
			assert_int_equal(it->risk, FIX_NEEDS_VALUE);
			assert_false(it->selected);
			assert_non_null(strstr(it->command, "--target 'm 2'"));
			assert_non_null(strstr(it->effect, "--set "
					       "core.metrics_address@m 2="));
		}
	}
	fix_plan_release(&p);
}

static void
test_remove_expired_cert(void **state)
{
	struct fixture *fx = *state;
	struct fix_opts o = { .policy = &fx->policy };
	struct fix_plan p;
	const struct fix_item *it;
	size_t n = 0;
	char *text;

	/* 15:24:00Z: "old" has expired, "new" has not */
	fx->snap.now = 4949479440LL;
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	fix_plan_select(&p, &o);
	for (size_t i = 0; i < p.n; i++)
		n += str_eq(p.v[i].check, "LXD-ACC-005");
	assert_int_equal(n, 1);	/* two findings on "old", one change */
	it = find_obj(&p, "/1.0/certificates/" FP_OLD);
	assert_non_null(it);
	assert_int_equal(it->kind, FIXK_DELETE);
	assert_int_equal(it->risk, FIX_OPTIN);
	assert_false(it->reversible);
	assert_false(it->selected);
	assert_string_equal(it->command, "lxc config trust remove " FP_OLD);
	assert_string_equal(it->old_value, "certificate old (type client, "
					   "expired on 2126-11-04T15:22:44Z)");
	assert_non_null(strstr(it->effect, "the server refuses to add an "
				       "expired certificate"));
	/* weak but not expired: left to a person */
	assert_null(find_obj0(&p, "/1.0/certificates/" FP_NEW));
	assert_true(has_note(&p, "certificate new is not expired"));
	text = plan_text(&p);
	assert_non_null(strstr(text, "not reversible: rollback cannot undo "
				     "this"));
	free(text);
	fix_plan_release(&p);

	/* before either expired: no change at all */
	fx->snap.now = 4949478600LL;
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	assert_null(find_obj0(&p, "/1.0/certificates/" FP_OLD));
	assert_true(has_note(&p, "certificate old is not expired"));
	fix_plan_release(&p);
}

static void
test_revoke_token(void **state)
{
	struct fixture *fx = *state;
	const char *only[] = { "LXD-ACC-011:" OP_JOIN };
	struct fix_opts o = { .policy = &fx->policy, .only = only,
			      .n_only = 1 };
	struct fix_plan p;
	const struct fix_item *it;
	char *text;

	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	fix_plan_select(&p, &o);
	it = find_obj(&p, "/1.0/operations/" OP_TRUST);
	assert_non_null(it);
	assert_int_equal(it->kind, FIXK_DELETE);
	assert_int_equal(it->risk, FIX_OPTIN);
	assert_false(it->reversible);
	assert_false(it->selected);
	assert_string_equal(it->old_value, "pending trust token laptop");
	assert_string_equal(it->command, "lxc operation delete " OP_TRUST);
	assert_non_null(strstr(it->effect, "not reversible"));
	it = find_obj(&p, "/1.0/operations/" OP_JOIN);
	assert_non_null(it);
	assert_true(it->selected);
	assert_string_equal(it->old_value, "pending cluster join token node2");
	text = plan_text(&p);
	assert_null(strstr(text, "s3cret"));	/* never the secret */
	assert_non_null(strstr(text, "pending trust token laptop -> "
				     "(deleted)"));
	free(text);
	fix_plan_release(&p);
}

/* ACC-002 on a fake root: a socket 0666, group not the admin group. */
static void
test_socket_mode(void **state)
{
	struct fixture *fx = *state;
	char root[] = "/tmp/lxdh-test-fix.XXXXXX";
	struct host h;
	struct fix_opts o = { .policy = &fx->policy };
	struct fix_plan p;
	const struct fix_item *it;
	char *dir, *sock, *text;
	FILE *f;

	assert_non_null(mkdtemp(root));
	dir = xasprintf("%s/lxd", root);
	sock = xasprintf("%s/lxd/unix.socket", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	f = fopen(sock, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(sock, 0666), 0);

	host_init(&h);
	h.root = xstrdup(root);
	h.socket_path = xstrdup("/lxd/unix.socket");
	h.admin_group = xstrdup("lxd");
	h.groups = xcalloc(1, sizeof(*h.groups));
	h.n_groups = 1;
	h.groups[0].name = xstrdup("lxd");
	h.groups[0].gid = 4242;
	o.host = &h;
	o.host_root = root;
	add_msg(&fx->report, "LXD-ACC-002", "file:///lxd/unix.socket",
		"The socket's mode is 0666, wider than 0660.");
	add_msg(&fx->report, "LXD-ACC-002", "file:///lxd/unix.socket",
		"The socket's group is root (gid 0), not the admin group.");

	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	fix_plan_select(&p, &o);
	it = find_obj(&p, "file:///lxd/unix.socket");
	assert_non_null(it);
	assert_string_equal(it->check, "LXD-ACC-002");
	assert_int_equal(it->kind, FIXK_HOST_MODE);
	assert_int_equal(it->risk, FIX_SAFE);
	assert_true(it->reversible);
	assert_true(it->selected);
	assert_int_equal(it->old_mode, 0666);
	assert_int_equal(it->new_mode, 0660);
	assert_true(it->chown);
	assert_int_equal(it->old_uid, (long)geteuid());
	assert_int_equal(it->new_uid, 0);
	assert_int_equal(it->new_gid, 4242);
	assert_string_equal(it->command,
			    "chmod 0660 /lxd/unix.socket && chown root:lxd "
			    "/lxd/unix.socket");
	text = plan_text(&p);
	assert_non_null(strstr(text, "mode 0666 -> 0660"));
	assert_non_null(strstr(text, "-> 0:4242"));
	free(text);
	fix_plan_release(&p);

	/* mode already right, only the group: no chmod */
	assert_int_equal(chmod(sock, 0660), 0);
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	it = find_obj(&p, "file:///lxd/unix.socket");
	assert_non_null(it);
	assert_int_equal(it->new_mode, 0660);
	assert_string_equal(it->command, "chown root:lxd /lxd/unix.socket");
	fix_plan_release(&p);

	/*
	 * a private daemon without --host: not planned, and the plan says
	 * which check and how to have it
	 */
	o.host_withheld = true;
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	assert_null(find_obj0(&p, "file:///lxd/unix.socket"));
	text = plan_text(&p);
	assert_non_null(strstr(text, "LXD-ACC-002: not planned: it changes "
				     "this machine"));
	assert_non_null(strstr(text, "add --host to plan it"));
	free(text);
	fix_plan_release(&p);
	o.host_withheld = false;

	/* without a host (a remote audit): nothing */
	o.host = NULL;
	fix_plan_build(&fx->report, &fx->snap, &o, &p);
	assert_null(find_obj0(&p, "file:///lxd/unix.socket"));
	fix_plan_release(&p);

	host_release(&h);
	unlink(sock);
	rmdir(dir);
	rmdir(root);
	free(sock);
	free(dir);
}

/* ------------------------------------------------- Incus fix plans -- */

static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

static void
load_fixture(struct snapshot *s, const char *rel)
{
	struct diag d = { { 0 } };
	char *dir = data_path(rel);

	snapshot_init(s);
	if (snapshot_load_dir(s, dir, &d) != 0)
		fail_msg("load %s: %s", dir, d.msg);
	free(dir);
}

/* Adds the api_extensions of fixture rel to (or, with drop, out of) set. */
static void
ext_set(json_t *set, const char *rel, bool drop)
{
	struct snapshot s;
	const json_t *e;
	size_t i;

	load_fixture(&s, rel);
	json_array_foreach (json_object_get(s.part[SNAP_SERVER],
					    "api_extensions"), i, e) {
		if (drop)
			json_object_del(set, json_string_value(e));
		else
			json_object_set_new(set, json_string_value(e),
					    json_true());
	}
	snapshot_release(&s);
}

/* True when s names LXD with a version ("LXD 5.21", "LXD 6.6+"). */
static bool
names_lxd_version(const char *s)
{
	for (const char *p = s; (p = strstr(p, "LXD")); p++) {
		const char *q = p + 3;

		while (*q == ' ')
			q++;
		if (isdigit((unsigned char)*q))
			return true;
	}
	return false;
}

/* True when word stands in text as a whole word (not inside a name). */
static bool
names_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p++) {
		bool before = p == text || !(isalnum((unsigned char)p[-1]) ||
					     p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (before && after)
			return true;
	}
	return false;
}

/*
 * The plan for an Incus server names the incus client, never lxc, an
 * LXD version or an extension only LXD has (those of the LXD release
 * fixtures that no Incus release fixture lists).
 */
static void
test_incus_plan_terms(void **state)
{
	static const char *const incus[] = { "release/incus-6.0.6",
					     "release/incus-7.3",
					     "snap/incus-70", "workload/incus" };
	const char *src = getenv("LXDH_SRCDIR");
	char *releases = xasprintf("%s/data/releases.json", src ? src : ".");
	json_t *lxd_only = json_object();
	const char *ext;
	json_t *v;

	(void)state;
	ext_set(lxd_only, "release/lxd-5.21.7", false);
	ext_set(lxd_only, "release/lxd-6.9", false);
	ext_set(lxd_only, "release/incus-6.0.6", true);
	ext_set(lxd_only, "release/incus-7.3", true);
	assert_non_null(json_object_get(lxd_only, "access_management"));
	assert_null(json_object_get(lxd_only, "loki"));
	for (size_t i = 0; i < ARRAY_SIZE(incus); i++) {
		struct snapshot s;
		struct policy pol;
		struct check_ctx x = { 0 };
		struct report r = { 0 };
		struct fix_opts o = { 0 };
		struct fix_plan p;
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		load_fixture(&s, incus[i]);
		assert_string_equal(s.product, "incus");
		policy_init(&pol);
		x.snap = &s;
		x.policy = &pol;
		x.releases_path = releases;
		engine_run(&x, &r);
		o.policy = &pol;
		fix_plan_build(&r, &s, &o, &p);
		fix_plan_select(&p, &o);
		assert_true(p.n > 0);
		f = open_memstream(&text, &len);
		assert_non_null(f);
		fix_plan_print(f, &p, false);
		fix_plan_print_items(f, &p);
		fclose(f);
		if (!strstr(text, "incus ") || strstr(text, "lxc ") ||
		    names_lxd_version(text))
			fail_msg("%s: the plan is not in Incus terms:\n%s",
				 incus[i], text);
		json_object_foreach (lxd_only, ext, v)
			if (names_word(text, ext))
				fail_msg("%s: the plan names LXD-only extension "
					 "%s:\n%s", incus[i], ext, text);
		free(text);
		fix_plan_release(&p);
		engine_report_release(&r);
		policy_release(&pol);
		snapshot_release(&s);
	}
	json_decref(lxd_only);
	free(releases);
}

/* The checkers themselves see what they look for. */
static void
test_term_checkers(void **state)
{
	(void)state;
	assert_true(names_lxd_version("on LXD 6.9 or later"));
	assert_true(names_lxd_version("(LXD 5.21+)"));
	assert_false(names_lxd_version("LXD-ACC-010 and the LXD daemon"));
	assert_true(names_word("needs access_management.", "access_management"));
	assert_false(names_word("access_management_expiry",
				"access_management"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plan_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_only_and_set, setup,
						teardown),
		cmocka_unit_test(test_only_hash_name),
		cmocka_unit_test_setup_teardown(test_policy_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delete_pool,
						setup_delete, teardown),
		cmocka_unit_test_setup_teardown(test_remove_expired_cert,
						setup_delete, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_token,
						setup_delete, teardown),
		cmocka_unit_test_setup_teardown(test_socket_mode,
						setup_delete, teardown),
		cmocka_unit_test_setup_teardown(test_member_keys, setup,
						teardown),
		cmocka_unit_test(test_incus_plan_terms),
		cmocka_unit_test(test_term_checkers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
