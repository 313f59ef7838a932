/* test_snapshot.c - loading, defaults, project marks and secret scrubbing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "snapshot.h"

static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/snapshot/%s", base ? base : "tests/data", rel);
}

static void
load(struct snapshot *s, const char *rel)
{
	struct diag d = { { 0 } };
	char *dir = data_path(rel);

	snapshot_init(s);
	if (snapshot_load_dir(s, dir, &d) != 0)
		fail_msg("load %s: %s", dir, d.msg);
	free(dir);
}

static void
test_server_fields(void **state)
{
	struct snapshot s;

	(void)state;
	load(&s, "sample-5.0.2");
	assert_string_equal(s.product, "lxd");
	assert_string_equal(s.server_version, "5.0.2");
	assert_string_equal(s.server_name, "vm");
	assert_false(s.clustered);
	assert_true(snapshot_has_ext(&s, "remote_token_expiry"));
	assert_false(snapshot_has_ext(&s, "access_management"));
	assert_string_equal(snapshot_client(&s), "lxc");
	snapshot_release(&s);
}

static void
test_config_defaults(void **state)
{
	struct snapshot s;
	const char *from;

	(void)state;
	load(&s, "sample-5.0.2");
	assert_string_equal(snapshot_config(&s, "cluster.join_token_expiry",
					    &from), "5H");
	assert_string_equal(from, "server");
	assert_string_equal(snapshot_config(&s, "core.trust_ca_certificates",
					    &from), "false");
	assert_string_equal(from, "default");
	assert_string_equal(snapshot_config(&s, "core.metrics_authentication",
					    &from), "true");
	/* 5.0.x has no default: unset means tokens never expire */
	json_object_del(json_object_get(s.part[SNAP_SERVER], "config"),
			"core.remote_token_expiry");
	assert_null(snapshot_config(&s, "core.remote_token_expiry", &from));
	assert_null(from);
	free(s.server_version);
	s.server_version = xstrdup("5.21.5");
	assert_string_equal(snapshot_config(&s, "core.remote_token_expiry",
					    &from), "15d");
	free(s.server_version);
	s.server_version = xstrdup("6.3");
	assert_null(snapshot_config(&s, "core.remote_token_expiry", NULL));
	free(s.server_version);
	s.server_version = xstrdup("6.7");
	assert_string_equal(snapshot_config(&s, "core.remote_token_expiry",
					    NULL), "15d");
	/* LXD returns a set trust password as JSON true */
	assert_string_equal(snapshot_config(&s, "core.trust_password", &from),
			    "(hidden)");
	snapshot_release(&s);
}

static void
test_secrets_scrubbed(void **state)
{
	struct snapshot s;
	char *dump;

	(void)state;
	load(&s, "sample-5.0.2");
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		if (!s.part[k])
			continue;
		dump = json_dumps(s.part[k], 0);
		assert_null(strstr(dump, "s3cr3t-token-value"));
		assert_null(strstr(dump, "hunter2"));
		free(dump);
	}
	assert_string_equal(snapshot_config(&s, "user.db_password", NULL),
			    "(hidden)");
	snapshot_release(&s);
}

/* OpenFGA's API token (LXD openfga.*, Incus authorization.openfga.*) */
static void
test_token_keys_scrubbed(void **state)
{
	json_t *docs[SNAP__COUNT] = { 0 };
	struct diag d = { { 0 } };
	struct snapshot s;
	char *dump;

	(void)state;
	docs[SNAP_SERVER] = json_pack(
		"{s:[], s:s, s:s, s:s, s:{s:s, s:s}, "
		"s:{s:s, s:s, s:s, s:s, s:s}}",
		"api_extensions", "api_status", "stable", "api_version", "1.0",
		"auth", "trusted",
		"environment", "server", "incus", "server_version", "7.3",
		"config", "openfga.api.token", "Tok-1-value",
		"authorization.openfga.api.token", "Tok-2-value",
		"loki.auth.token", "", "core.remote_token_expiry", "15m",
		"user.tokenish", "kept");
	assert_non_null(docs[SNAP_SERVER]);
	snapshot_init(&s);
	if (snapshot_load_docs(&s, docs, "mem", &d) != 0)
		fail_msg("load: %s", d.msg);
	dump = json_dumps(s.part[SNAP_SERVER], 0);
	assert_null(strstr(dump, "Tok-1-value"));
	assert_null(strstr(dump, "Tok-2-value"));
	free(dump);
	assert_string_equal(snapshot_config(&s, "openfga.api.token", NULL),
			    "(hidden)");
	assert_string_equal(snapshot_config(&s,
					    "authorization.openfga.api.token",
					    NULL),
			    "(hidden)");
	/* empty stays empty: "not set" is still told apart */
	assert_string_equal(snapshot_config(&s, "loki.auth.token", NULL), "");
	/* a duration and a key that only starts like one are kept */
	assert_string_equal(snapshot_config(&s, "core.remote_token_expiry",
					    NULL),
			    "15m");
	assert_string_equal(snapshot_config(&s, "user.tokenish", NULL),
			    "kept");
	snapshot_release(&s);
	json_decref(docs[SNAP_SERVER]);
}

static void
write_doc(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(path);
}

/*
 * A part is read item by item with its equal values held once
 * (jsonlim_loadb_items), then its secrets are cut out: a secret's "true"
 * is replaced by "(hidden)", the same "true" elsewhere, shared with it
 * when read, stays.
 */
static void
test_shared_then_scrubbed(void **state)
{
	static const char *const files[] = { "server.json",
					     "instances.json" };
	char tmpl[] = "/tmp/lxdh-shared.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct diag d = { { 0 } };
	struct snapshot s;
	const json_t *insts, *c1, *c2;

	(void)state;
	assert_non_null(dir);
	write_doc(dir, "server.json",
		  "{\"api_extensions\": [], \"api_status\": \"stable\", "
		  "\"api_version\": \"1.0\", \"auth\": \"trusted\", "
		  "\"environment\": {\"server\": \"lxd\", "
		  "\"server_version\": \"5.0.2\"}, \"config\": {}}");
	write_doc(dir, "instances.json",
		  "[{\"name\": \"c1\", \"project\": \"default\", "
		  "\"config\": {\"user.password\": \"true\", "
		  "\"security.nesting\": \"true\"}, "
		  "\"expanded_devices\": {\"eth0\": {\"type\": \"nic\"}}},"
		  " {\"name\": \"c2\", \"project\": \"default\", "
		  "\"config\": {\"security.nesting\": \"true\"}, "
		  "\"expanded_devices\": {\"eth0\": {\"type\": \"nic\"}}}]");
	snapshot_init(&s);
	if (snapshot_load_dir(&s, dir, &d) != 0)
		fail_msg("load: %s", d.msg);
	insts = snapshot_part(&s, SNAP_INSTANCES, NULL);
	assert_int_equal(json_array_size(insts), 2);
	c1 = json_object_get(json_array_get(insts, 0), "config");
	c2 = json_object_get(json_array_get(insts, 1), "config");
	assert_string_equal(json_string_value(json_object_get(c1,
							      "user.password")),
			    "(hidden)");
	assert_string_equal(json_string_value(json_object_get(
				    c1, "security.nesting")),
			    "true");
	assert_ptr_equal(json_object_get(c1, "security.nesting"),
			 json_object_get(c2, "security.nesting"));
	assert_ptr_equal(json_object_get(json_array_get(insts, 0),
					 "expanded_devices"),
			 json_object_get(json_array_get(insts, 1),
					 "expanded_devices"));
	snapshot_release(&s);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);

		assert_int_equal(unlink(path), 0);
		free(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
test_operations_flattened(void **state)
{
	struct snapshot s;
	const json_t *ops, *op;
	size_t i, tokens = 0;

	(void)state;
	load(&s, "sample-5.0.2");
	ops = snapshot_part(&s, SNAP_OPERATIONS, NULL);
	assert_non_null(ops);
	assert_true(json_is_array(ops));
	json_array_foreach (ops, i, op)
		if (!strcmp(json_string_value(json_object_get(op, "class")),
			    "token"))
			tokens++;
	assert_int_equal(tokens, 3);
	snapshot_release(&s);
}

static void
test_projects_marked(void **state)
{
	struct snapshot s;
	const json_t *p, *item;
	size_t i;

	(void)state;
	load(&s, "sample-5.0.2");
	p = snapshot_part(&s, SNAP_PROFILES, NULL);
	assert_true(json_array_size(p) > 0);
	json_array_foreach (p, i, item)
		assert_string_equal(json_string_value(json_object_get(item,
			"project")), "default");
	/* instances keep the project the server gave them */
	p = snapshot_part(&s, SNAP_INSTANCES, NULL);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(p, 0), "project")), "locked");
	snapshot_release(&s);
}

/*
 * After the checks, snapshot_drop_parts() frees every object (a part
 * asked for then is absent, with a reason, never an empty list) and
 * keeps the strings a report borrows.
 */
static void
test_drop_parts(void **state)
{
	struct snapshot s;
	const char *why = NULL;

	(void)state;
	load(&s, "sample-5.0.2");
	assert_non_null(snapshot_part(&s, SNAP_INSTANCES, &why));
	assert_non_null(snapshot_find(&s, SNAP_PROJECTS, NULL, "default"));
	snapshot_drop_parts(&s);
	for (size_t k = 0; k < SNAP__COUNT; k++) {
		assert_null(snapshot_part(&s, (enum snap_kind)k, &why));
		assert_string_equal(why, "released once the checks had run");
		assert_false(s.unsupported[k]);
	}
	assert_null(snapshot_find(&s, SNAP_PROJECTS, NULL, "default"));
	assert_string_equal(s.product, "lxd");
	assert_string_equal(s.server_version, "5.0.2");
	assert_string_equal(s.server_name, "vm");
	snapshot_release(&s);
}

static void
test_missing_part(void **state)
{
	struct snapshot s;
	const char *why;

	(void)state;
	load(&s, "sample-5.0.2");
	assert_null(snapshot_part(&s, SNAP_IDENTITIES, &why));
	assert_non_null(strstr(why, "access_management"));
	assert_true(s.unsupported[SNAP_IDENTITIES]);
	snapshot_release(&s);
}

static void
test_load_errors(void **state)
{
	struct snapshot s;
	struct diag d;
	const char *why;
	char *dir;

	(void)state;
	dir = data_path("bad-json");
	snapshot_init(&s);
	assert_int_equal(snapshot_load_dir(&s, dir, &d), -1);
	assert_non_null(strstr(d.msg, "projects.json': malformed JSON at line 1 column"));
	snapshot_release(&s);
	free(dir);

	dir = data_path("no-server");
	snapshot_init(&s);
	assert_int_equal(snapshot_load_dir(&s, dir, &d), -1);
	assert_non_null(strstr(d.msg, "no server.json"));
	snapshot_release(&s);
	free(dir);

	/* a part of the wrong shape is absent; the checks that need it err */
	dir = data_path("not-list");
	snapshot_init(&s);
	assert_int_equal(snapshot_load_dir(&s, dir, &d), 0);
	assert_null(snapshot_part(&s, SNAP_PROJECTS, &why));
	assert_string_equal(why, "projects.json: at $: expected array, got "
				 "object");
	assert_false(s.unsupported[SNAP_PROJECTS]);
	snapshot_release(&s);
	free(dir);
}

static void
test_object_url(void **state)
{
	char *u;

	(void)state;
	u = snapshot_object("networks", "br0", "p1");
	assert_string_equal(u, "/1.0/networks/br0?project=p1");
	free(u);
	u = snapshot_object("profiles", "default", NULL);
	assert_string_equal(u, "/1.0/profiles/default?project=default");
	free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_fields),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_secrets_scrubbed),
		cmocka_unit_test(test_token_keys_scrubbed),
		cmocka_unit_test(test_operations_flattened),
		cmocka_unit_test(test_projects_marked),
		cmocka_unit_test(test_missing_part),
		cmocka_unit_test(test_drop_parts),
		cmocka_unit_test(test_shared_then_scrubbed),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_object_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
