/*
 * test_shapes.c - saved states whose values have the wrong JSON type
 *
 * Each case copies a fixture to a temporary directory, changes one file
 * and loads it with snapshot_load_dir, as `audit --input` does. The
 * checks that read the changed value must err, naming the file and the
 * JSON path; no check may move from fail, error or manual to pass or
 * notapplicable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "catalog.h"
#include "engine.h"

struct run {
	int rc;
	struct diag d;
	enum status st[128];
	char *msg[128];
	const struct check *checks[128];
	size_t n;
};

typedef void mutate_fn(json_t *data);

static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

/* The data of a saved file: the metadata of an envelope, else itself. */
static json_t *
data_of(json_t *doc)
{
	json_t *md = json_object_get(doc, "metadata");

	return md && json_object_get(doc, "type") ? md : doc;
}

static void
run_checks(struct run *r, const char *dir)
{
	struct snapshot s;
	struct policy pol;
	struct check_ctx x = { 0 };

	snapshot_init(&s);
	policy_init(&pol);
	r->rc = snapshot_load_dir(&s, dir, &r->d);
	x.snap = &s;
	x.policy = &pol;
	for (const struct section *sec = catalog_sections; sec->prefix; sec++)
		for (const struct check *k = sec->checks; k->id; k++) {
			struct findings out = { 0 };
			struct strbuf sb = STRBUF_INIT;

			assert_true(r->n < ARRAY_SIZE(r->st));
			if (r->rc == 0)
				k->eval(k, &x, &out);
			r->checks[r->n] = k;
			/* a load that fails stops the audit: nothing passes */
			r->st[r->n] = r->rc == 0 ? engine_status(&out) :
						   ST_ERROR;
			for (size_t i = 0; i < out.n; i++)
				strbuf_addf(&sb, "%s\n", out.v[i].message);
			if (r->rc != 0)
				strbuf_addf(&sb, "%s\n", r->d.msg);
			r->msg[r->n++] = strbuf_detach(&sb);
			findings_release(&out);
		}
	policy_release(&pol);
	snapshot_release(&s);
}

/*
 * Runs every check on set/fixture, and again with file changed by fn
 * (or replaced by text when fn is NULL).
 */
static void
run_changed(struct run *good, struct run *bad, const char *fixture,
	    const char *file, mutate_fn *fn, const char *text)
{
	char tmpl[] = "/tmp/lxdh-shapes-XXXXXX";
	char *src = data_path(fixture);
	DIR *dh;
	struct dirent *de;

	memset(good, 0, sizeof(*good));
	memset(bad, 0, sizeof(*bad));
	run_checks(good, src);
	assert_int_equal(good->rc, 0);
	assert_non_null(mkdtemp(tmpl));
	dh = opendir(src);
	assert_non_null(dh);
	while ((de = readdir(dh)) != NULL) {
		char *from, *to;
		json_t *doc;
		json_error_t err;

		if (!str_ends_with(de->d_name, ".json"))
			continue;
		from = xasprintf("%s/%s", src, de->d_name);
		to = xasprintf("%s/%s", tmpl, de->d_name);
		doc = json_load_file(from, 0, &err);
		assert_non_null(doc);
		if (str_eq(de->d_name, file) && fn)
			fn(data_of(doc));
		if (str_eq(de->d_name, file) && !fn) {
			FILE *f = fopen(to, "w");

			assert_non_null(f);
			fputs(text, f);
			fclose(f);
		} else {
			assert_int_equal(json_dump_file(doc, to, 0), 0);
		}
		json_decref(doc);
		free(from);
		free(to);
	}
	closedir(dh);
	run_checks(bad, tmpl);
	dh = opendir(tmpl);
	while ((de = readdir(dh)) != NULL) {
		char *p = xasprintf("%s/%s", tmpl, de->d_name);

		if (de->d_name[0] != '.')
			unlink(p);
		free(p);
	}
	closedir(dh);
	rmdir(tmpl);
	free(src);
}

static void
run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->msg[i]);
}

static size_t
idx(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (str_eq(r->checks[i]->id, id))
			return i;
	fail_msg("no check %s", id);
	return 0;
}

static void
expect(const struct run *r, const char *id, enum status st,
       const char *needle)
{
	size_t i = idx(r, id);

	if (r->st[i] != st || (needle && !strstr(r->msg[i], needle)))
		fail_msg("%s: %s, want %s saying '%s':\n%s", id,
			 status_name(r->st[i]), status_name(st),
			 needle ? needle : "", r->msg[i]);
}

static void
expect_no_escape(const struct run *good, const struct run *bad)
{
	for (size_t i = 0; i < good->n; i++) {
		enum status a = good->st[i], b = bad->st[i];

		if ((a == ST_FAIL || a == ST_ERROR || a == ST_MANUAL) &&
		    (b == ST_PASS || b == ST_NOTAPPLICABLE))
			fail_msg("%s went from %s to %s:\n%s",
				 good->checks[i]->id, status_name(a),
				 status_name(b), bad->msg[i]);
	}
}

/* Every "true" of a config key becomes JSON true. */
static void
config_bools(json_t *list)
{
	json_t *item, *v;
	const char *k;
	size_t i;

	json_array_foreach (list, i, item) {
		json_t *cfg = json_object_get(item, "expanded_config");

		json_object_foreach (cfg, k, v)
			if (str_eq(json_string_value(v), "true"))
				json_object_set(cfg, k, json_true());
	}
}

static void
test_config_values_as_booleans(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "workload/lxd-502", "instances.json",
		    config_bools, NULL);
	assert_int_equal(bad.rc, 0);
	expect(&good, "LXD-INS-001", ST_FAIL, NULL);
	expect(&bad, "LXD-INS-001", ST_ERROR,
	       "instances.json: at $[0].expanded_config[\"security.idmap."
	       "isolated\"]: expected string, got boolean");
	expect(&bad, "LXD-INS-003", ST_ERROR, "instances.json");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

static void
test_instances_as_urls(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "workload/lxd-502", "instances.json", NULL,
		    "[\"/1.0/instances/privlocal\", \"/1.0/instances/sh1\"]");
	expect(&bad, "LXD-INS-001", ST_ERROR,
	       "instances.json: at $[0]: expected object, got string");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

/* A list of 1,000 nested arrays costs one step, and errs. */
static void
test_nested_arrays(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct run good, bad;
	clock_t t0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		strbuf_addch(&sb, '[');
	for (int i = 0; i < 1000; i++)
		strbuf_addch(&sb, ']');
	t0 = clock();
	run_changed(&good, &bad, "workload/lxd-502", "instances.json", NULL,
		    sb.buf);
	/* refused by the nesting cap of a server's answer, before parsing */
	expect(&bad, "LXD-INS-001", ST_ERROR, "nested deeper than 64 levels");
	expect(&bad, "LXD-INS-002", ST_ERROR, NULL);
	expect_no_escape(&good, &bad);
	assert_true(clock() - t0 < 10 * CLOCKS_PER_SEC);
	run_release(&good);
	run_release(&bad);
	strbuf_release(&sb);
}

static void
server_config_true(json_t *server)
{
	json_object_set_new(server, "config", json_true());
}

static void
test_server_config_not_object(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "snap/sample-502", "server.json",
		    server_config_true, NULL);
	assert_int_equal(bad.rc, 0);
	expect(&bad, "LXD-NET-001", ST_ERROR,
	       "server.json: at $.config: expected object, got boolean");
	expect(&bad, "LXD-ACC-004", ST_ERROR, "server.json");
	expect(&bad, "LXD-ACC-009", ST_ERROR, "server.json");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

/* Only hidden keys may be JSON true: core.trust_password is, others not. */
static void
address_true(json_t *server)
{
	json_object_set_new(json_object_get(server, "config"),
			    "core.https_address", json_true());
}

static void
test_hidden_keys_only(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "snap/sample-502", "server.json", address_true,
		    NULL);
	/* sample-502 shows core.trust_password as true, as LXD 5.0 does */
	expect(&good, "LXD-ACC-004", ST_FAIL, NULL);
	expect(&bad, "LXD-NET-001", ST_ERROR,
	       "at $.config[\"core.https_address\"]: expected string, got "
	       "boolean");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

static void
certs_numbers(json_t *list)
{
	json_array_clear(list);
	json_array_append_new(list, json_integer(1));
	json_array_append_new(list, json_integer(2));
}

static void
test_certificates_as_numbers(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "snap/sample-502", "certificates.json",
		    certs_numbers, NULL);
	expect(&bad, "LXD-ACC-005", ST_ERROR,
	       "certificates.json: at $[0]: expected object, got integer");
	expect(&bad, "LXD-ACC-006", ST_ERROR, "certificates.json");
	expect(&bad, "LXD-MUL-002", ST_ERROR, "certificates.json");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

/* Operations metadata null, and a single bare operation object. */
static void
test_operations_metadata(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "snap/sample-502", "operations.json", NULL,
		    "{\"type\":\"sync\",\"status_code\":200,\"error_code\":0,"
		    "\"metadata\":null}");
	expect(&bad, "LXD-ACC-011", ST_ERROR,
	       "operations.json: at $: expected object, got null");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
	run_changed(&good, &bad, "snap/sample-502", "operations.json", NULL,
		    "{\"id\":\"x\",\"class\":\"token\",\"status_code\":103}");
	expect(&bad, "LXD-ACC-011", ST_ERROR, "operations.json: at $.id");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

/* What steers the whole audit (version, extensions) stops it when bad. */
static void
version_number(json_t *server)
{
	json_object_set_new(json_object_get(server, "environment"),
			    "server_version", json_integer(5));
}

static void
test_server_environment_shape(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "snap/sample-502", "server.json",
		    version_number, NULL);
	assert_int_equal(bad.rc, -1);
	if (!strstr(bad.d.msg, "at $.environment.server_version: expected "
			       "string, got integer"))
		fail_msg("%s", bad.d.msg);
	run_release(&good);
	run_release(&bad);
}

/*
 * Go leaves an empty list out as null: a group without permissions and an
 * identity without groups (LXD 5.21) are read, not refused.
 */
static void
null_permissions(json_t *groups)
{
	json_t *g;
	size_t i;

	json_array_foreach (groups, i, g)
		json_object_set_new(g, "permissions", json_null());
}

static void
test_null_lists_are_empty(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "workload/identities", "auth-groups.json",
		    null_permissions, NULL);
	assert_int_equal(bad.rc, 0);
	for (size_t i = 0; i < bad.n; i++)
		if (strstr(bad.msg[i], "auth-groups.json"))
			fail_msg("%s: %s", bad.checks[i]->id, bad.msg[i]);
	run_release(&good);
	run_release(&bad);
}

/* A TLS identity's certificate as a number. */
static void
cert_number(json_t *ids)
{
	json_t *e;
	size_t i;

	json_array_foreach (ids, i, e)
		if (json_object_get(e, "tls_certificate"))
			json_object_set_new(e, "tls_certificate",
					    json_integer(5));
}

/*
 * ACC-005 reads an identity's tls_certificate, which the identity's shape
 * did not name: a number there read as "no certificate yet" and passed.
 * Now the shape names it (and what a shape does not name is not kept,
 * so a check cannot read such a member unseen).
 */
static void
test_identity_certificate_shape(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "snap/auth-lxd-69", "identities.json",
		    cert_number, NULL);
	expect(&good, "LXD-ACC-005", ST_FAIL, NULL);
	expect(&bad, "LXD-ACC-005", ST_ERROR,
	       "identities.json: at $[5].tls_certificate: expected string, "
	       "got integer");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

/* Every instance's volatile.uuid as a number, and one security key too. */
static void
volatile_numbers(json_t *list)
{
	json_t *item;
	size_t i;

	json_array_foreach (list, i, item)
		json_object_set_new(json_object_get(item, "expanded_config"),
				    "volatile.uuid", json_integer(7));
}

static void
volatile_and_security(json_t *list)
{
	volatile_numbers(list);
	json_object_set_new(json_object_get(json_array_get(list, 0),
					    "expanded_config"),
			    "security.nesting", json_integer(1));
}

/*
 * An instance's volatile.* keys are read by no check: a number there is
 * no error, and changes no verdict; a security key of the wrong type
 * beside them still is one.
 */
static void
test_volatile_unread(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "workload/lxd-502", "instances.json",
		    volatile_numbers, NULL);
	assert_int_equal(bad.rc, 0);
	for (size_t i = 0; i < good.n; i++)
		if (good.st[i] != bad.st[i] ||
		    strcmp(good.msg[i], bad.msg[i]) != 0)
			fail_msg("%s: %s, then %s:\n%s", good.checks[i]->id,
				 status_name(good.st[i]),
				 status_name(bad.st[i]), bad.msg[i]);
	run_release(&good);
	run_release(&bad);
	run_changed(&good, &bad, "workload/lxd-502", "instances.json",
		    volatile_and_security, NULL);
	expect(&bad, "LXD-INS-003", ST_ERROR,
	       "expanded_config[\"security.nesting\"]: expected string, got "
	       "integer");
	expect_no_escape(&good, &bad);
	run_release(&good);
	run_release(&bad);
}

/*
 * Incus 6.0 answers "metadata": null for its pool list when it has no
 * pool; LXD answers []. The same null from LXD is the wrong shape.
 */
static const char null_pools[] =
	"{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,"
	"\"error\":\"\",\"error_code\":0,\"metadata\":null}";

static void
test_incus_null_pool_list(void **state)
{
	struct run good, bad;

	(void)state;
	run_changed(&good, &bad, "release/incus-6.0.6", "storage-pools.json",
		    NULL, null_pools);
	assert_int_equal(bad.rc, 0);
	expect(&bad, "LXD-GEN-003", ST_PASS, NULL);
	expect(&bad, "LXD-STO-001", ST_NOTAPPLICABLE, "fewer than two");
	run_release(&good);
	run_release(&bad);
	run_changed(&good, &bad, "release/lxd-6.9", "storage-pools.json",
		    NULL, null_pools);
	expect(&bad, "LXD-GEN-003", ST_ERROR, "expected array, got null");
	expect(&bad, "LXD-STO-001", ST_ERROR, "expected array, got null");
	run_release(&good);
	run_release(&bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_values_as_booleans),
		cmocka_unit_test(test_instances_as_urls),
		cmocka_unit_test(test_nested_arrays),
		cmocka_unit_test(test_server_config_not_object),
		cmocka_unit_test(test_hidden_keys_only),
		cmocka_unit_test(test_certificates_as_numbers),
		cmocka_unit_test(test_operations_metadata),
		cmocka_unit_test(test_null_lists_are_empty),
		cmocka_unit_test(test_identity_certificate_shape),
		cmocka_unit_test(test_volatile_unread),
		cmocka_unit_test(test_incus_null_pool_list),
		cmocka_unit_test(test_server_environment_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
