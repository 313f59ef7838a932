/*
 * test_scale.c - snapshot_find(), the index that keeps evaluation linear
 * (instances to their profiles, projects and networks), answers as a scan
 * would on a large state of many projects. How the time grows with the
 * number of instances is measured in bench/synthetic.sh, not here: a
 * timed unit test fails on a busy machine and proves nothing on an idle
 * one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "engine.h"
#include "policy.h"
#include "snapshot.h"

#define PROJECTS 50

static json_t *
load_server(void)
{
	const char *base = getenv("LXDH_TESTDATA");
	char *path = xasprintf("%s/snap/sample-502/server.json",
			       base ? base : "tests/data");
	json_t *j = json_load_file(path, 0, NULL);

	free(path);
	assert_non_null(j);
	return j;
}

/* A state of n instances; profiles, networks and projects in proportion. */
static void
build(struct snapshot *s, size_t n)
{
	json_t *docs[SNAP__COUNT] = { NULL };
	json_t *insts = json_array(), *profs = json_array();
	json_t *nets = json_array(), *projs = json_array();
	struct diag d = { { 0 } };

	for (size_t p = 0; p < PROJECTS; p++) {
		char name[32];

		snprintf(name, sizeof(name), p ? "p%zu" : "default", p);
		json_array_append_new(projs, json_pack(
			"{s:s, s:{s:s, s:s}, s:[]}", "name", name, "config",
			"features.profiles", "true", "features.networks",
			"true", "used_by"));
		json_array_append_new(nets, json_pack(
			"{s:s, s:s, s:s, s:b, s:{s:s}, s:[]}", "name", "br0",
			"project", name, "type", "bridge", "managed", 1,
			"config", "ipv4.address", "10.0.0.1/24", "used_by"));
	}
	for (size_t i = 0; i < n; i++) {
		char name[32], prof[32], proj[32];

		snprintf(name, sizeof(name), "c%zu", i);
		snprintf(prof, sizeof(prof), "prof%zu", i);
		if (i % PROJECTS)
			snprintf(proj, sizeof(proj), "p%zu", i % PROJECTS);
		else
			snprintf(proj, sizeof(proj), "default");
		json_array_append_new(profs, json_pack(
			"{s:s, s:s, s:{s:s}, s:{}, s:[]}", "name", prof,
			"project", proj, "config", "limits.cpu", "1",
			"devices", "used_by"));
		json_array_append_new(insts, json_pack(
			"{s:s, s:s, s:s, s:s, s:i, s:[s], s:{}, s:{},"
			" s:{s:s}, s:{s:{s:s, s:s, s:s}}}",
			"name", name, "project", proj, "type", "container",
			"status", "Stopped", "status_code", 102, "profiles",
			prof, "config", "devices", "expanded_config",
			"limits.cpu", "1", "expanded_devices", "eth0", "type",
			"nic", "network", "br0", "name", "eth0"));
	}
	docs[SNAP_SERVER] = load_server();
	docs[SNAP_INSTANCES] = insts;
	docs[SNAP_PROFILES] = profs;
	docs[SNAP_NETWORKS] = nets;
	docs[SNAP_PROJECTS] = projs;
	snapshot_init(s);
	assert_int_equal(snapshot_load_docs(s, docs, "scale", &d), 0);
	for (size_t k = 0; k < SNAP__COUNT; k++)
		json_decref(docs[k]);
}

/* snapshot_find() gives what a scan from the start would. */
static void
test_find_like_scan(void **state)
{
	struct snapshot s;
	const json_t *p;

	(void)state;
	build(&s, 200);
	p = snapshot_find(&s, SNAP_PROFILES, "p7", "prof107");
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "name")),
			    "prof107");
	assert_null(snapshot_find(&s, SNAP_PROFILES, "p8", "prof107"));
	assert_null(snapshot_find(&s, SNAP_PROFILES, NULL, "prof107"));
	assert_non_null(snapshot_find(&s, SNAP_PROFILES, NULL, "prof100"));
	assert_non_null(snapshot_find(&s, SNAP_PROJECTS, NULL, "p49"));
	assert_null(snapshot_find(&s, SNAP_PROJECTS, NULL, "p50"));
	assert_true(snapshot_in_project(&s, SNAP_NETWORKS, "p3"));
	assert_false(snapshot_in_project(&s, SNAP_NETWORKS, "nowhere"));
	assert_null(snapshot_find(&s, SNAP_CERTIFICATES, NULL, "x"));
	/* a part replaced after a lookup is indexed again */
	json_array_remove(s.part[SNAP_PROJECTS], 49);
	assert_null(snapshot_find(&s, SNAP_PROJECTS, NULL, "p49"));
	snapshot_release(&s);
}

/*
 * snapshot_find_by() gives what a scan from the start would: the first
 * item whose member is the value, none for another value, a missing
 * member or a non-string one, and a fresh answer once the part changed.
 */
static void
test_find_by_like_scan(void **state)
{
	struct snapshot s;
	json_t *certs = json_array();

	(void)state;
	snapshot_init(&s);
	for (size_t i = 0; i < 500; i++) {
		char fp[16];

		snprintf(fp, sizeof(fp), "fp%03zu", i % 400);
		json_array_append_new(certs, json_pack("{s:s, s:I}",
						       "fingerprint", fp, "n",
						       (json_int_t)i));
	}
	json_array_append_new(certs, json_pack("{s:i}", "fingerprint", 7));
	s.part[SNAP_CERTIFICATES] = certs;
	/* fp042 is items 42 and 442: the first wins */
	assert_int_equal(json_integer_value(json_object_get(snapshot_find_by(
				 &s, SNAP_CERTIFICATES, "fingerprint", "fp042"),
			 "n")), 42);
	assert_int_equal(json_integer_value(json_object_get(snapshot_find_by(
				 &s, SNAP_CERTIFICATES, "fingerprint", "fp399"),
			 "n")), 399);
	assert_null(snapshot_find_by(&s, SNAP_CERTIFICATES, "fingerprint",
				     "fp400"));
	assert_null(snapshot_find_by(&s, SNAP_CERTIFICATES, "fingerprint",
				     NULL));
	assert_null(snapshot_find_by(&s, SNAP_CERTIFICATES, "name", "fp042"));
	assert_null(snapshot_find_by(&s, SNAP_OPERATIONS, "id", "x"));
	/* the part shrank: the index is rebuilt, item 42 is gone */
	json_array_remove(certs, 42);
	assert_int_equal(json_integer_value(json_object_get(snapshot_find_by(
				 &s, SNAP_CERTIFICATES, "fingerprint", "fp042"),
			 "n")), 442);
	snapshot_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_like_scan),
		cmocka_unit_test(test_find_by_like_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
