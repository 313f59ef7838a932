/*
 * test_scale.c - evaluation stays linear in the number of objects: the
 * whole catalog on N and 4N instances, each with a profile of its own in
 * one of many projects and a NIC on a network of its project, takes
 * about four times as long, not sixteen (a lookup of each instance's
 * profiles, project or network by a scan of all of them would be
 * quadratic). The best of three runs of each size is compared, with room
 * for a busy machine; and snapshot_find() answers as a scan would.
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

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The best of three runs of the whole catalog on n instances, seconds. */
static double
eval_time(size_t n)
{
	struct snapshot s;
	struct policy pol;
	double best = 1e9;

	build(&s, n);
	policy_init(&pol);
	for (int run = 0; run < 3; run++) {
		struct check_ctx x = { 0 };
		struct report r;
		double t0;

		memset(&r, 0, sizeof(r));
		x.snap = &s;
		x.policy = &pol;
		t0 = now_s();
		engine_run(&x, &r);
		t0 = now_s() - t0;
		if (t0 < best)
			best = t0;
		engine_report_release(&r);
	}
	policy_release(&pol);
	snapshot_release(&s);
	return best;
}

static void
test_linear(void **state)
{
	double small, large;

	(void)state;
	small = eval_time(1000);
	large = eval_time(4000);
	print_message("1000 instances: %.3f s, 4000: %.3f s (x%.1f)\n", small,
		      large, large / small);
	/* linear is x4; a quadratic lookup gives x16 */
	if (large > 9 * small)
		fail_msg("4 times the instances took %.1f times as long",
			 large / small);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_like_scan),
		cmocka_unit_test(test_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
