/* test_limits.c - caps on parsed JSON, the audit deadline, request limits */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "deadline.h"
#include "host.h"
#include "jsonlim.h"
#include "lxd.h"

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n times open, n times close */
static char *
nested(size_t n, size_t *len)
{
	char *s = xmalloc(2 * n + 1);

	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	*len = 2 * n;
	return s;
}

static void
test_depth_cap(void **state)
{
	char why[256];
	bool over;
	size_t len;
	char *s = nested(64, &len);
	json_t *j;

	(void)state;
	j = jsonlim_loadb(s, len, 0, &jsonlim_server, &over, why, sizeof(why));
	assert_non_null(j);
	assert_false(over);
	json_decref(j);
	free(s);

	s = nested(65, &len);
	j = jsonlim_loadb(s, len, 0, &jsonlim_server, &over, why, sizeof(why));
	assert_null(j);
	assert_true(over);
	assert_string_equal(why, "JSON nested deeper than 64 levels at byte 64 "
				 "(the cap on nesting)");
	free(s);

	/* brackets inside strings are text, not nesting */
	s = xmalloc(200);
	snprintf(s, 200, "[\"%s\"]", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
				     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[");
	j = jsonlim_loadb(s, strlen(s), 0, &jsonlim_server, &over, why,
			  sizeof(why));
	assert_non_null(j);
	json_decref(j);
	free(s);
}

static void
test_string_cap(void **state)
{
	size_t max = jsonlim_server.max_string;
	char *s = xmalloc(max + 16);
	char why[256];
	bool over;
	json_t *j;

	(void)state;
	s[0] = '"';
	memset(s + 1, 'a', max);
	s[max + 1] = '"';
	j = jsonlim_loadb(s, max + 2, JSON_DECODE_ANY, &jsonlim_server, &over,
			  why, sizeof(why));
	assert_non_null(j);
	assert_int_equal(json_string_length(j), max);
	json_decref(j);

	/* one byte more, as a key this time */
	s = xrealloc(s, max + 32);
	memcpy(s, "{\"", 2);
	memset(s + 2, 'a', max + 1);
	memcpy(s + max + 3, "\":1}", 5);
	j = jsonlim_loadb(s, strlen(s), 0, &jsonlim_server, &over, why,
			  sizeof(why));
	assert_null(j);
	assert_true(over);
	assert_string_equal(why, "a string at byte 1 is longer than 1 MiB "
				 "(the cap on one JSON string)");
	free(s);
}

/* Scanned in pieces, a body gives the same verdicts as in one. */
static void
test_scan_in_pieces(void **state)
{
	struct jsonlim_scan sc;
	struct jsonlim lim = jsonlim_server;
	const char *body = "{\"a\\\"[[[\":[[\"x\\\\\"],[]]}";
	char why[256];

	(void)state;
	/* byte by byte: an escape split from its character stays one */
	lim.max_depth = 3;
	jsonlim_scan_init(&sc, &lim);
	for (size_t i = 0; body[i]; i++)
		assert_int_equal(jsonlim_scan(&sc, body + i, 1, why,
					      sizeof(why)), 0);
	assert_int_equal(sc.depth, 0);
	assert_int_equal(sc.containers, 4);

	lim.max_depth = 2;
	jsonlim_scan_init(&sc, &lim);
	assert_int_equal(jsonlim_scan(&sc, body, 9, why, sizeof(why)), 0);
	assert_int_equal(jsonlim_scan(&sc, body + 9, strlen(body) - 9, why,
				      sizeof(why)), -1);
	assert_string_equal(why, "JSON nested deeper than 2 levels at byte 11 "
				 "(the cap on nesting)");

	/* a string over the cap is seen before it ends */
	lim = jsonlim_server;
	lim.max_string = 4;
	jsonlim_scan_init(&sc, &lim);
	assert_int_equal(jsonlim_scan(&sc, "[\"abc", 5, why, sizeof(why)), 0);
	assert_int_equal(jsonlim_scan(&sc, "de", 2, why, sizeof(why)), -1);
	assert_string_equal(why, "a string at byte 1 is longer than 4 bytes "
				 "(the cap on one JSON string)");
}

static void
test_memory_cap(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char why[256];
	bool over;
	json_t *j;
	size_t limit;

	(void)state;
	/* 3 MB of [[],[],...]: about 50 times its size once parsed */
	strbuf_addch(&sb, '[');
	for (size_t i = 0; i < 1000000; i++)
		strbuf_addstr(&sb, "[],");
	strbuf_addstr(&sb, "[]]");
	j = jsonlim_loadb(sb.buf, sb.len, 0, &jsonlim_server, &over, why,
			  sizeof(why));
	assert_null(j);
	assert_true(over);
	assert_non_null(strstr(why, "JSON that needs more than "));
	assert_non_null(strstr(why, "(the cap is 16 times the 2.9 MiB body "
				    "plus 4 MiB)"));
	/* refused from the count of containers: nothing was built */
	assert_int_equal(jsonlim_last_peak(), 0);

	/* 4 MB of [1,1,...]: no containers to count, refused while parsed */
	sb.len = 0;
	strbuf_addch(&sb, '[');
	for (size_t i = 0; i < 2000000; i++)
		strbuf_addstr(&sb, "1,");
	strbuf_addstr(&sb, "1]");
	limit = jsonlim_server.mem_per_byte * sb.len + jsonlim_server.mem_floor;
	j = jsonlim_loadb(sb.buf, sb.len, 0, &jsonlim_server, &over, why,
			  sizeof(why));
	assert_null(j);
	assert_true(over);
	assert_true(jsonlim_last_peak() > limit / 2);
	assert_true(jsonlim_last_peak() <= limit);

	/* outside a parse nothing is limited */
	j = json_array();
	for (size_t i = 0; i < 300000; i++)
		json_array_append_new(j, json_array());
	assert_int_equal(json_array_size(j), 300000);
	json_decref(j);
	strbuf_release(&sb);
}

static void
test_malformed_is_not_a_cap(void **state)
{
	char why[256];
	bool over = true;

	(void)state;
	assert_null(jsonlim_loadb("{\"a\":\x01}", 7, 0, &jsonlim_server, &over,
				  why, sizeof(why)));
	assert_false(over);
	assert_non_null(strstr(why, "malformed JSON at line 1 column "));
	/* jansson's text quotes the input: control bytes do not pass */
	assert_null(strchr(why, '\x01'));
}

/*
 * jsonlim_loadb_items() gives what jsonlim_loadb() gives, value and
 * error alike, whatever the body's shape; on a long list of alike items
 * it holds far less at its peak.
 */
static void
test_items_as_whole(void **state)
{
	static const char *const docs[] = {
		"{\"type\": \"sync\", \"metadata\": [{\"a\": {\"b\": 1}}, "
		"{\"a\": {\"b\": 1}}], \"n\": null}",
		" [ ] ", "[]", "{}", " {\"a\" : [ 1 , [ 2 ] , { } ] } ",
		"[{\"k\": \"v\"}, \"s\", 1.5e3, -0, true, false, null]",
		"\"scalar\"", "17",
		/* jansson's to judge: duplicates, syntax, a NUL byte */
		"{\"a\": [], \"a\": [1]}", "[{\"a\": 1, \"a\": 2}]",
		"[1, 2", "[1 2]", "{\"a\" [1]}", "{\"a\": [1],}", "[1,]",
		"[1] x", "{\"a\\u0000b\": [1]}", "[\"\\ud800\"]", "",
		"   ", "[[{\"x\": 34}] ]",
	};
	/* a NUL byte, which jansson does not count where a value ends */
	static const char nul[] = "[ [ {\"x\":34\0} , {\"x\":1} ] ";
	char n1[256] = "", n2[256] = "";
	bool no1, no2;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		for (int dup = 0; dup < 2; dup++) {
			size_t flags = dup ? JSON_REJECT_DUPLICATES : 0;
			char w1[256] = "", w2[256] = "";
			bool o1 = true, o2 = true;
			size_t len = strlen(docs[i]);
			json_t *a = jsonlim_loadb(docs[i], len, flags,
						  &jsonlim_server, &o1, w1,
						  sizeof(w1));
			json_t *b = jsonlim_loadb_items(docs[i], len, flags,
							&jsonlim_server, NULL,
							NULL, &o2, w2,
							sizeof(w2));

			if (!a != !b)
				fail_msg("%s: %s / %s", docs[i], w1, w2);
			assert_int_equal(o1, o2);
			if (a) {
				char *da = json_dumps(a, JSON_PRESERVE_ORDER |
							 JSON_ENCODE_ANY);
				char *db = json_dumps(b, JSON_PRESERVE_ORDER |
							 JSON_ENCODE_ANY);

				assert_string_equal(da, db);
				free(da);
				free(db);
			} else {
				assert_string_equal(w1, w2);
			}
			json_decref(a);
			json_decref(b);
		}
	}
	assert_null(jsonlim_loadb(nul, sizeof(nul) - 1, 0, &jsonlim_server,
				  &no1, n1, sizeof(n1)));
	assert_null(jsonlim_loadb_items(nul, sizeof(nul) - 1, 0,
					&jsonlim_server, NULL, NULL, &no2, n2,
					sizeof(n2)));
	assert_string_equal(n1, n2);
}

/* A hook that takes "drop" out of an object and counts its calls. */
static size_t hook_calls;

static void
drop_member(json_t *item, const void *arg)
{
	hook_calls++;
	json_object_del(item, arg);
}

/*
 * The hook sees each item of the list, whether the body was taken apart
 * or left to jansson whole (a duplicate key allowed), before its values
 * are shared: an item loses "drop" and nothing else, and a value equal
 * to a dropped one stays where it is not dropped.
 */
static void
test_items_hook(void **state)
{
	static const struct {
		const char *doc, *want;
		size_t calls;
	} cases[] = {
		{ "{\"type\": \"sync\", \"metadata\": [{\"drop\": {\"b\": 1}, "
		  "\"keep\": {\"b\": 1}}, {\"drop\": 2}, 3], \"n\": null}",
		  "{\"type\": \"sync\", \"metadata\": [{\"keep\": {\"b\": 1}}, "
		  "{}, 3], \"n\": null}", 3 },
		{ "[{\"drop\": 1, \"x\": [{\"drop\": 1}]}]",
		  "[{\"x\": [{\"drop\": 1}]}]", 1 },
		/* duplicates allowed: jansson parses it whole */
		{ "{\"a\": [], \"a\": [{\"drop\": 1, \"y\": 2}], \"b\": [{}]}",
		  "{\"a\": [{\"y\": 2}], \"b\": [{}]}", 2 },
		{ "{\"metadata\": {\"drop\": 1}}", "{\"metadata\": {\"drop\": 1}}",
		  0 },
		{ "\"scalar\"", "\"scalar\"", 0 },
	};
	char why[256];
	bool over;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *want = json_loads(cases[i].want, JSON_DECODE_ANY,
					  NULL);
		json_t *got;

		hook_calls = 0;
		got = jsonlim_loadb_items(cases[i].doc, strlen(cases[i].doc),
					  JSON_DECODE_ANY, &jsonlim_server,
					  drop_member,
					  "drop", &over, why, sizeof(why));
		if (!got || !json_equal(got, want))
			fail_msg("%s: %s", cases[i].doc, got ? "other" : why);
		assert_int_equal(hook_calls, cases[i].calls);
		json_decref(got);
		json_decref(want);
	}
}

static void
test_items_peak(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char why[256];
	bool over;
	json_t *a, *b;
	size_t whole, items;

	(void)state;
	strbuf_addstr(&sb, "{\"type\": \"sync\", \"metadata\": [");
	for (int i = 0; i < 4000; i++)
		strbuf_addf(&sb, "%s{\"name\": \"c%d\", \"config\": "
			    "{\"limits.cpu\": \"1\", \"security.nesting\": "
			    "\"true\"}, \"expanded_devices\": {\"eth0\": "
			    "{\"type\": \"nic\", \"network\": \"lxdbr0\"}, "
			    "\"root\": {\"path\": \"/\", \"pool\": "
			    "\"default\", \"type\": \"disk\"}}}",
			    i ? ", " : "", i);
	strbuf_addstr(&sb, "]}");
	a = jsonlim_loadb(sb.buf, sb.len, 0, &jsonlim_server, &over, why,
			  sizeof(why));
	assert_non_null(a);
	whole = jsonlim_last_peak();
	b = jsonlim_loadb_items(sb.buf, sb.len, 0, &jsonlim_server, NULL, NULL,
				&over, why, sizeof(why));
	assert_non_null(b);
	items = jsonlim_last_peak();
	assert_true(json_equal(a, b));
	/* each item's own name and objects remain; what repeats is held
	   once */
	if (items * 3 > whole)
		fail_msg("peak %zu bytes item by item, %zu whole", items,
			 whole);
	json_decref(a);
	json_decref(b);
	strbuf_release(&sb);
}

/* Real answers of LXD 5.0.2 parse well inside the cap. */
static void
test_real_answers_fit(void **state)
{
	static const char *const files[] = {
		"server", "instances", "projects", "profiles", "networks",
		"network-acls", "storage-pools", "certificates", "operations",
	};
	const char *src = getenv("LXDH_SRCDIR");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = xasprintf("%s/tests/faults/replay/%s.json",
				       src ? src : ".", files[i]);
		json_error_t e;
		json_t *j = json_load_file(path, 0, &e);
		char *text, why[256];
		bool over;
		size_t len;

		assert_non_null(j);
		text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		len = strlen(text);
		j = jsonlim_loadb(text, len, 0, &jsonlim_server, &over, why,
				  sizeof(why));
		if (!j)
			fail_msg("%s: %s", path, why);
		/* under 15 times: the cap of 16 is not tight for them */
		if (jsonlim_last_peak() > 15 * len + 4096)
			fail_msg("%s: %zu bytes took %zu", path, len,
				 jsonlim_last_peak());
		json_decref(j);
		free(text);
		free(path);
	}
}

static void
test_duration_parse(void **state)
{
	(void)state;
	assert_int_equal(deadline_parse("60"), 60000);
	assert_int_equal(deadline_parse("60s"), 60000);
	assert_int_equal(deadline_parse("500ms"), 500);
	assert_int_equal(deadline_parse("2m"), 120000);
	assert_int_equal(deadline_parse("1h"), 3600000);
	assert_int_equal(deadline_parse("24h"), 86400000);
	assert_int_equal(deadline_parse("25h"), -1);
	assert_int_equal(deadline_parse("0"), -1);
	assert_int_equal(deadline_parse("-5s"), -1);
	assert_int_equal(deadline_parse("5x"), -1);
	assert_int_equal(deadline_parse(""), -1);
	assert_int_equal(deadline_parse(NULL), -1);
	assert_int_equal(deadline_parse("99999999999999999999"), -1);
}

/* A host command that hangs ends at the audit's deadline, and says so. */
static void
test_deadline_stops_host_command(void **state)
{
	const char *const argv[] = { "/bin/sleep", "30", NULL };
	struct host_run r;
	struct diag d = { { 0 } };
	char msg[512];
	double t0 = seconds_now();

	(void)state;
	deadline_arm(300, "--timeout 300ms");
	assert_int_equal(host_ops_system.run(&host_ops_system, argv, &r, &d),
			 -1);
	assert_true(seconds_now() - t0 < 5.0);
	assert_string_equal(d.msg, "/bin/sleep: stopped at the deadline");
	assert_true(deadline_report(msg, sizeof(msg)));
	assert_string_equal(msg, "the audit did not finish within 300ms "
				 "(--timeout 300ms); still pending: "
				 "/bin/sleep");
	deadline_disarm();
	assert_false(deadline_report(msg, sizeof(msg)));
	host_run_release(&r);
}

/* A unix socket that accepts connections and never answers. */
static int
mute_server(char *path, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/lxdh-mute-%ld.sock", tmp ? tmp : "/tmp",
		 (long)getpid());
	unlink(path);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	return fd;
}

static void
test_request_limits(void **state)
{
	char path[256], msg[512], *want;
	struct lxd_endpoint ep = { 0 };
	struct lxd_response r;
	struct diag d = { { 0 } };
	struct lxd_client *c;
	int fd = mute_server(path, sizeof(path));
	double t0;

	(void)state;
	ep.socket_path = xstrdup(path);
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);

	/* the audit's deadline cuts a GET and names it */
	deadline_arm(300, "--timeout 300ms");
	t0 = seconds_now();
	assert_int_equal(lxd_get(c, "/1.0", &r, &d), -1);
	assert_true(seconds_now() - t0 < 5.0);
	assert_int_equal(r.err, LXD_ERR_TIMEOUT);
	want = xasprintf("GET /1.0: no complete answer from 'unix://%s' "
			 "before the deadline", path);
	assert_string_equal(d.msg, want);
	free(want);
	lxd_response_release(&r);
	assert_true(deadline_report(msg, sizeof(msg)));
	assert_string_equal(msg, "the audit did not finish within 300ms "
				 "(--timeout 300ms); still pending: GET /1.0");
	deadline_disarm();

	/* what begins after the deadline is not pending, but not done */
	deadline_arm(1, "--timeout 1ms");
	while (!deadline_passed())
		;
	assert_int_equal(lxd_get(c, "/1.0/projects", &r, &d), -1);
	assert_int_equal(r.err, LXD_ERR_TIMEOUT);
	assert_string_equal(d.msg, "GET /1.0/projects: not sent: the deadline "
				   "had passed");
	lxd_response_release(&r);
	assert_true(deadline_report(msg, sizeof(msg)));
	assert_string_equal(msg, "the audit did not finish within 1ms "
				 "(--timeout 1ms); not begun: GET "
				 "/1.0/projects");
	deadline_disarm();

	/* a write has a limit of its own, and its outcome is unknown */
	lxd_client_set_timeout(c, 300);
	t0 = seconds_now();
	assert_int_equal(lxd_send(c, "PATCH", "/1.0", NULL, NULL, &r, &d), -1);
	assert_true(seconds_now() - t0 < 5.0);
	assert_int_equal(r.err, LXD_ERR_TIMEOUT);
	want = xasprintf("PATCH /1.0: no complete answer from 'unix://%s' "
			 "within 300 ms; whether the change was made is "
			 "unknown", path);
	assert_string_equal(d.msg, want);
	free(want);
	lxd_response_release(&r);

	lxd_client_free(c);
	free(ep.socket_path);
	close(fd);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_string_cap),
		cmocka_unit_test(test_scan_in_pieces),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_malformed_is_not_a_cap),
		cmocka_unit_test(test_items_as_whole),
		cmocka_unit_test(test_items_hook),
		cmocka_unit_test(test_items_peak),
		cmocka_unit_test(test_real_answers_fit),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_deadline_stops_host_command),
		cmocka_unit_test(test_request_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
