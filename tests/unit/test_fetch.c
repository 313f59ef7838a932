/*
 * test_fetch.c - snapshot_fetch against a fake LXD on a unix socket: a
 * failed or malformed answer makes the checks that need it error, never
 * pass or notapplicable, and the envelope must agree with itself.
 *
 * The fake serves a saved state (tests/data/snap/sample-502) by endpoint;
 * each test may replace the answer of one endpoint.
 */
#define _DEFAULT_SOURCE		/* MAP_ANONYMOUS, usleep() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"
#include "engine.h"
#include "lxd.h"

/* One replaced answer: path (without query) -> status line and body. */
struct canned {
	const char *path;
	const char *status;
	const char *body;
};

static struct {
	pid_t pid;
	char *dir;
	char *sock;
	char *fixture;
	struct canned over[4];
	struct trace *trace;	/* shared with the server's processes */
} srv;

/*
 * What the fake saw, in memory shared with its per-connection processes:
 * the requests in the order they arrived, how many had arrived when the
 * first answer after /1.0 went out, and the holds a test asks for (an
 * answer waits until so many requests have arrived, or 5 s).
 */
#define TRACE_MAX 64
struct trace {
	int arrived;
	int answered;			/* answers held (not /1.0, projects) */
	int arrived_at_first;		/* arrived when the first went out */
	int hold_all;			/* every other answer waits */
	int timed_out;			/* a hold was not met */
	char path[TRACE_MAX][256];
};

static const struct {
	const char *path, *file;
} routes[] = {
	{ "/1.0", "server" },
	{ "/1.0/projects", "projects" },
	{ "/1.0/instances", "instances" },
	{ "/1.0/profiles", "profiles" },
	{ "/1.0/networks", "networks" },
	{ "/1.0/network-acls", "network-acls" },
	{ "/1.0/storage-pools", "storage-pools" },
	{ "/1.0/certificates", "certificates" },
	{ "/1.0/operations", "operations" },
	{ "/1.0/auth/identities", "identities" },
	{ "/1.0/auth/groups", "auth-groups" },
};

#define NOT_FOUND                                                        \
	"{\"type\":\"error\",\"status\":\"\",\"status_code\":0,"          \
	"\"operation\":\"\",\"error_code\":404,\"error\":\"not found\","  \
	"\"metadata\":null}"

static void
reply(int fd, const char *status, const char *body)
{
	dprintf(fd, "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", status, strlen(body),
		body);
}

static void
answer(int fd, const char *full)
{
	char path[256];
	char *file, *body, *wrapped;
	struct diag d = { { 0 } };

	snprintf(path, sizeof(path), "%.*s", (int)strcspn(full, "?"), full);
	for (size_t i = 0; i < ARRAY_SIZE(srv.over); i++) {
		if (srv.over[i].path && str_eq(srv.over[i].path, path)) {
			reply(fd, srv.over[i].status, srv.over[i].body);
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!str_eq(routes[i].path, path))
			continue;
		file = xasprintf("%s/%s.json", srv.fixture, routes[i].file);
		body = read_file(file, NULL, &d);
		free(file);
		if (!body)
			break;
		if (body[strspn(body, " \n")] == '[') {
			wrapped = xasprintf("{\"type\":\"sync\",\"status\":"
					    "\"Success\",\"status_code\":200,"
					    "\"error_code\":0,\"metadata\":%s}",
					    body);
			free(body);
			body = wrapped;
		}
		reply(fd, "200 OK", body);
		free(body);
		return;
	}
	reply(fd, "404 Not Found", NOT_FOUND);
}

/* Records a request and waits for the hold that applies to it. */
static void
trace_hold(const char *path)
{
	struct trace *t = srv.trace;
	int n = __atomic_fetch_add(&t->arrived, 1, __ATOMIC_SEQ_CST);
	int hold = 0, zero = 0;

	if (n < TRACE_MAX)
		snprintf(t->path[n], sizeof(t->path[n]), "%s", path);
	/* the first round, which the rest depends on */
	if (str_eq(path, "/1.0") || str_eq(path, "/1.0/projects?recursion=1"))
		return;
	hold = t->hold_all;
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&t->arrived, __ATOMIC_SEQ_CST) >= hold)
			break;
		usleep(1000);
	}
	if (__atomic_load_n(&t->arrived, __ATOMIC_SEQ_CST) < hold)
		__atomic_store_n(&t->timed_out, 1, __ATOMIC_SEQ_CST);
	if (__atomic_compare_exchange_n(&t->answered, &zero, 1, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		t->arrived_at_first = __atomic_load_n(&t->arrived,
						      __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_add(&t->answered, 1, __ATOMIC_SEQ_CST);
}

static void
serve_conn(int fd)
{
	char buf[8192], path[256];
	size_t len = 0;
	ssize_t r;
	char *end;

	alarm(30);
	for (;;) {
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			_exit(0);
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end) {
			if (len == sizeof(buf) - 1)
				_exit(1);
			continue;
		}
		if (sscanf(buf, "GET %255s HTTP/1.1", path) != 1)
			_exit(1);
		trace_hold(path);
		answer(fd, path);
		len -= (size_t)(end + 4 - buf);
		memmove(buf, end + 4, len);
	}
}

/* The holds of the next server_start() (0: none). */
static int next_hold_all;

/* A path under the test data (LXDH_TESTDATA, else tests/data). Caller
   frees. */
static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

static void
server_start(const char *fixture, const struct canned *over, size_t n)
{
	struct sockaddr_un sa;
	char tmpl[] = "/tmp/lxdh-fetch-XXXXXX";
	int fd;

	memset(&srv, 0, sizeof(srv));
	assert_non_null(mkdtemp(tmpl));
	srv.dir = xstrdup(tmpl);
	srv.sock = xasprintf("%s/unix.socket", srv.dir);
	srv.fixture = data_path(fixture);
	for (size_t i = 0; i < n && i < ARRAY_SIZE(srv.over); i++)
		srv.over[i] = over[i];
	srv.trace = mmap(NULL, sizeof(*srv.trace), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(srv.trace != MAP_FAILED);
	memset(srv.trace, 0, sizeof(*srv.trace));
	srv.trace->hold_all = next_hold_all;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, srv.sock, strlen(srv.sock));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 64), 0);
	srv.pid = fork();
	assert_true(srv.pid >= 0);
	if (srv.pid == 0) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c < 0)
				continue;
			if (fork() == 0) {
				close(fd);
				serve_conn(c);
			}
			close(c);
		}
	}
	setpgid(srv.pid, srv.pid);
	close(fd);
}

/* Where server_stop() copies the trace (NULL: nowhere). */
static struct trace *keep_trace;

static void
server_stop(void)
{
	kill(-srv.pid, SIGKILL);
	waitpid(srv.pid, NULL, 0);
	unlink(srv.sock);
	rmdir(srv.dir);
	if (keep_trace)
		memcpy(keep_trace, srv.trace, sizeof(*keep_trace));
	munmap(srv.trace, sizeof(*srv.trace));
	free(srv.sock);
	free(srv.dir);
	free(srv.fixture);
	memset(&srv, 0, sizeof(srv));
}

/* A fetched snapshot and the status of each check on it. */
struct run {
	struct snapshot snap;
	enum status st[128];
	char *msg[128];		/* the findings of each check, joined */
	const struct check *checks[128];
	size_t n;
	int rc;
	struct diag d;
};

static void
fetch_and_run(struct run *r, const char *fixture, const struct canned *over,
	      size_t n)
{
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *c;
	struct policy pol;
	struct check_ctx x = { 0 };

	memset(r, 0, sizeof(*r));
	server_start(fixture, over, n);
	ep.socket_path = srv.sock;
	c = lxd_client_new(&ep, &r->d);
	assert_non_null(c);
	snapshot_init(&r->snap);
	r->rc = snapshot_fetch(&r->snap, c, "fake", false, &r->d);
	lxd_client_free(c);
	server_stop();
	policy_init(&pol);
	x.snap = &r->snap;
	x.policy = &pol;
	for (const struct section *sec = catalog_sections; sec->prefix; sec++)
		for (const struct check *k = sec->checks; k->id; k++) {
			struct findings out = { 0 };
			struct strbuf sb = STRBUF_INIT;

			assert_true(r->n < ARRAY_SIZE(r->st));
			k->eval(k, &x, &out);
			r->checks[r->n] = k;
			r->st[r->n] = engine_status(&out);
			for (size_t i = 0; i < out.n; i++)
				strbuf_addf(&sb, "%s\n", out.v[i].message);
			r->msg[r->n++] = strbuf_detach(&sb);
			findings_release(&out);
		}
	policy_release(&pol);
}

static void
run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->msg[i]);
	snapshot_release(&r->snap);
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

/* id is error, and its findings say needle. */
static void
expect_error(const struct run *r, const char *id, const char *needle)
{
	size_t i = idx(r, id);

	if (r->st[i] != ST_ERROR || !strstr(r->msg[i], needle))
		fail_msg("%s: %s, want error saying '%s':\n%s", id,
			 status_name(r->st[i]), needle, r->msg[i]);
}

/* No check that fails, errs or asks for review on the good answers
   passes or is notapplicable on the bad ones. */
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

static struct run good;

static int
good_setup(void **state)
{
	(void)state;
	fetch_and_run(&good, "snap/sample-502", NULL, 0);
	return good.rc;
}

static int
good_teardown(void **state)
{
	(void)state;
	run_release(&good);
	return 0;
}

#define ERROR_500                                                        \
	"{\"type\":\"error\",\"status\":\"\",\"status_code\":0,"          \
	"\"operation\":\"\",\"error_code\":500,\"error\":\"boom\","       \
	"\"metadata\":null}"
#define SYNC(md)                                                         \
	"{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,"  \
	"\"operation\":\"\",\"error_code\":0,\"error\":\"\",\"metadata\":" \
	md "}"

/*
 * A failed GET /1.0/projects is not "a client that cannot list
 * projects": the projects and every per-project part are errors.
 */
static void
test_projects_failed(void **state)
{
	static const struct canned over[] = {
		{ "/1.0/projects", "500 Internal Server Error", ERROR_500 },
	};
	struct run r;
	const char *why;

	(void)state;
	fetch_and_run(&r, "snap/sample-502", over, ARRAY_SIZE(over));
	assert_int_equal(r.rc, 0);
	assert_null(snapshot_part(&r.snap, SNAP_PROFILES, &why));
	assert_non_null(strstr(why, "projects could not be listed"));
	assert_null(snapshot_part(&r.snap, SNAP_NETWORKS, &why));
	assert_non_null(strstr(why, "projects could not be listed"));
	assert_null(snapshot_part(&r.snap, SNAP_NETWORK_ACLS, &why));
	expect_error(&r, "LXD-MUL-003", "boom");
	expect_error(&r, "LXD-NET-003", "projects could not be listed");
	expect_no_escape(&good, &r);
	run_release(&r);
}

/* The recursion=0 answer (URLs) where objects were asked for. */
static void
test_projects_as_urls(void **state)
{
	static const struct canned over[] = {
		{ "/1.0/projects", "200 OK",
		  SYNC("[\"/1.0/projects/default\"]") },
		{ "/1.0/storage-pools", "200 OK",
		  SYNC("[\"/1.0/storage-pools/default\"]") },
	};
	struct run r;

	(void)state;
	fetch_and_run(&r, "snap/sample-502", over, ARRAY_SIZE(over));
	assert_int_equal(r.rc, 0);
	expect_error(&r, "LXD-MUL-003",
		     "GET /1.0/projects?recursion=1: at $[0]: expected "
		     "object, got string");
	expect_error(&r, "LXD-GEN-003", "/1.0/storage-pools?recursion=1: at "
					"$[0]: expected object");
	expect_no_escape(&good, &r);
	run_release(&r);
}

/* Envelopes whose parts disagree are not data. */
static void
test_envelope_disagrees(void **state)
{
	static const struct canned over[] = {
		/* sync with an error's status_code */
		{ "/1.0/certificates", "200 OK",
		  "{\"type\":\"sync\",\"status_code\":400,\"error_code\":0,"
		  "\"metadata\":[]}" },
		/* an error envelope sent with 200 */
		{ "/1.0/operations", "200 OK",
		  "{\"type\":\"error\",\"status_code\":0,\"error_code\":403,"
		  "\"error\":\"denied\",\"metadata\":{}}" },
		/* sync with an error_code */
		{ "/1.0/storage-pools", "200 OK",
		  "{\"type\":\"sync\",\"status_code\":200,\"error_code\":500,"
		  "\"metadata\":[]}" },
		/* no status_code at all */
		{ "/1.0/networks", "200 OK",
		  "{\"type\":\"sync\",\"metadata\":[]}" },
	};
	struct run r;

	(void)state;
	fetch_and_run(&r, "snap/sample-502", over, ARRAY_SIZE(over));
	assert_int_equal(r.rc, 0);
	expect_error(&r, "LXD-ACC-005", "GET /1.0/certificates");
	expect_error(&r, "LXD-ACC-005", "status_code 200");
	expect_error(&r, "LXD-ACC-011", "GET /1.0/operations");
	expect_error(&r, "LXD-GEN-003", "error_code 500");
	expect_error(&r, "LXD-GEN-002", "GET /1.0/networks");
	expect_no_escape(&good, &r);
	run_release(&r);
}

/* Operations metadata that is null or one bare operation. */
static void
test_operations_shapes(void **state)
{
	static const struct canned null_md[] = {
		{ "/1.0/operations", "200 OK", SYNC("null") },
	};
	static const struct canned bare[] = {
		{ "/1.0/operations", "200 OK",
		  SYNC("{\"id\":\"x\",\"class\":\"token\",\"status_code\":103,"
		       "\"metadata\":{}}") },
	};
	struct run r;

	(void)state;
	fetch_and_run(&r, "snap/sample-502", null_md, ARRAY_SIZE(null_md));
	expect_error(&r, "LXD-ACC-011", "expected object, got null");
	expect_no_escape(&good, &r);
	run_release(&r);
	fetch_and_run(&r, "snap/sample-502", bare, ARRAY_SIZE(bare));
	expect_error(&r, "LXD-ACC-011", "at $.id: expected array, got string");
	expect_no_escape(&good, &r);
	run_release(&r);
}

/* A bad server config makes the checks that read it err; the rest run. */
static void
test_server_config_shape(void **state)
{
	char *body;
	struct canned over[1];
	struct run r;
	json_t *root;
	json_error_t err;
	char *path = data_path("snap/sample-502/server.json");

	(void)state;
	root = json_load_file(path, 0, &err);
	assert_non_null(root);
	json_object_set_new(json_object_get(json_object_get(root, "metadata"),
					    "config"),
			    "core.https_address", json_true());
	body = json_dumps(root, JSON_COMPACT);
	over[0] = (struct canned){ "/1.0", "200 OK", body };
	fetch_and_run(&r, "snap/sample-502", over, 1);
	assert_int_equal(r.rc, 0);
	expect_error(&r, "LXD-NET-001",
		     "GET /1.0: at $.config[\"core.https_address\"]: "
		     "expected string, got boolean");
	expect_error(&r, "LXD-ACC-003", "GET /1.0: at $.config");
	expect_no_escape(&good, &r);
	run_release(&r);
	json_decref(root);
	free(body);
	free(path);
}

/* lxd_envelope_check on its own. */
static void
test_envelope_check(void **state)
{
	static const struct {
		const char *json;
		long http;
		bool ok;
	} cases[] = {
		{ SYNC("[]"), 200, true },
		{ SYNC("null"), 200, true },
		{ SYNC("{}"), 0, true },
		{ "{\"type\":\"sync\",\"status_code\":200,\"error_code\":0}",
		  200, false },
		{ SYNC("[]"), 500, false },
		{ "{\"type\":\"sync\",\"status_code\":\"200\",\"metadata\":[]}",
		  200, false },
		{ "{\"type\":\"sync\",\"status_code\":200,\"error_code\":true,"
		  "\"metadata\":[]}", 200, false },
		{ "{\"type\":\"async\",\"status_code\":100,\"error_code\":0,"
		  "\"metadata\":{\"id\":\"x\"}}", 202, true },
		{ "{\"type\":\"async\",\"status_code\":100,\"error_code\":0,"
		  "\"metadata\":null}", 202, false },
		{ "{\"type\":\"async\",\"status_code\":200,\"error_code\":0,"
		  "\"metadata\":{}}", 202, false },
		{ ERROR_500, 500, true },
		{ ERROR_500, 404, false },
		{ ERROR_500, 200, false },
		{ ERROR_500, 0, false },
		{ "{\"type\":\"error\",\"status_code\":0,\"error_code\":0,"
		  "\"metadata\":null}", 500, false },
		{ "{\"type\":\"weird\",\"status_code\":200,\"metadata\":[]}",
		  200, false },
		{ "[1]", 200, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *j = json_loads(cases[i].json, 0, NULL);
		char why[256] = "";
		int rc;

		assert_non_null(j);
		rc = lxd_envelope_check(j, cases[i].http, why, sizeof(why));
		if ((rc == 0) != cases[i].ok)
			fail_msg("case %zu (%s, HTTP %ld): rc %d (%s)", i,
				 cases[i].json, cases[i].http, rc, why);
		if (rc != 0 && !why[0])
			fail_msg("case %zu: no reason given", i);
		json_decref(j);
	}
}

/* Index of the first request whose path starts with prefix, or -1. */
static int
trace_find(const struct trace *t, const char *prefix)
{
	for (int i = 0; i < t->arrived && i < TRACE_MAX; i++)
		if (str_starts_with(t->path[i], prefix))
			return i;
	return -1;
}

/*
 * The fetch is GET /1.0 with the project list, then one round: on 5.0.2
 * (sample-502: no all-projects for profiles, networks or ACLs) the seven
 * requests that need nothing but /1.0, the default project's profiles,
 * networks and ACLs among them, and the four other projects with
 * features.profiles are all sent before any of them is answered (the
 * fake answers /1.0 and the project list at once and holds every other
 * answer until all thirteen requests have arrived).
 */
static void
test_round_structure(void **state)
{
	struct trace t;
	struct run r;
	const char *why;

	(void)state;
	keep_trace = &t;
	next_hold_all = 2 + 7 + 4;
	fetch_and_run(&r, "snap/sample-502", NULL, 0);
	next_hold_all = 0;
	keep_trace = NULL;
	assert_int_equal(r.rc, 0);
	if (t.timed_out || t.arrived != 13 || r.snap.requests != 13) {
		for (int i = 0; i < t.arrived && i < TRACE_MAX; i++)
			print_message("request %d: %s\n", i, t.path[i]);
		fail_msg("timed out %d, %d requests arrived, %zu counted",
			 t.timed_out, t.arrived, r.snap.requests);
	}
	/* /1.0 and the projects first, in either order */
	assert_true(trace_find(&t, "/1.0/projects?") < 2);
	assert_true(str_eq(t.path[0], "/1.0") || str_eq(t.path[1], "/1.0"));
	assert_true(t.arrived_at_first >= 13);
	assert_true(trace_find(&t, "/1.0/profiles?recursion=1&project=default")
		    >= 2);
	assert_true(trace_find(&t, "/1.0/networks?recursion=1&project=default")
		    >= 2);
	assert_true(trace_find(&t,
			"/1.0/network-acls?recursion=1&project=default") >= 2);
	assert_true(trace_find(&t, "/1.0/profiles?recursion=1&project=limited")
		    >= 2);
	/* the held answers were filed all the same */
	assert_non_null(snapshot_part(&r.snap, SNAP_INSTANCES, &why));
	assert_non_null(snapshot_part(&r.snap, SNAP_PROFILES, &why));
	assert_non_null(snapshot_part(&r.snap, SNAP_PROJECTS, &why));
	run_release(&r);
}

/*
 * An item keeps only the members its shape names, fetched or loaded
 * alike: an instance of LXD 6.9 drops created_at, architecture,
 * description..., and its config the volatile.* keys, and the two parts
 * are the same.
 */
static void
test_unnamed_members_dropped(void **state)
{
	static const char *const gone[] = { "created_at", "architecture",
					    "description", "last_used_at",
					    "ephemeral", "stateful" };
	struct snapshot dir;
	struct diag d;
	struct run r;
	const json_t *fetched, *loaded, *e;
	char *path = data_path("release/lxd-6.9");
	size_t i;

	(void)state;
	fetch_and_run(&r, "release/lxd-6.9", NULL, 0);
	if (r.rc != 0)
		fail_msg("%s", r.d.msg);
	snapshot_init(&dir);
	assert_int_equal(snapshot_load_dir(&dir, path, &d), 0);
	fetched = snapshot_part(&r.snap, SNAP_INSTANCES, NULL);
	loaded = snapshot_part(&dir, SNAP_INSTANCES, NULL);
	assert_true(json_array_size(fetched) > 0);
	assert_true(json_equal(fetched, loaded));
	json_array_foreach (fetched, i, e) {
		static const char *const maps[] = { "config",
						    "expanded_config" };

		assert_non_null(json_object_get(e, "name"));
		assert_non_null(json_object_get(e, "expanded_config"));
		for (size_t k = 0; k < ARRAY_SIZE(gone); k++)
			assert_null(json_object_get(e, gone[k]));
		/* nor an instance's volatile.* keys, and the rest stays */
		for (size_t m = 0; m < ARRAY_SIZE(maps); m++) {
			const char *key;
			json_t *v;

			json_object_foreach (json_object_get(e, maps[m]), key,
					     v)
				assert_false(str_starts_with(key,
							     "volatile."));
		}
		assert_non_null(json_object_get(
			json_object_get(e, "expanded_config"),
			"image.os"));
	}
	snapshot_release(&dir);
	free(path);
	run_release(&r);
}

/*
 * Where the server lists profiles, networks and ACLs across projects
 * (Incus 6.0.4, LXD 5.21), there is no second step at all: one request
 * per kind, all-projects, in the round after /1.0.
 */
static void
test_round_all_projects(void **state)
{
	struct trace t;
	struct run r;

	(void)state;
	keep_trace = &t;
	next_hold_all = 2 + 9;
	fetch_and_run(&r, "snap/lxd-521", NULL, 0);
	next_hold_all = 0;
	keep_trace = NULL;
	assert_int_equal(r.rc, 0);
	if (t.timed_out || t.arrived != 11) {
		for (int i = 0; i < t.arrived && i < TRACE_MAX; i++)
			print_message("request %d: %s\n", i, t.path[i]);
		fail_msg("timed out %d, %d requests arrived", t.timed_out,
			 t.arrived);
	}
	assert_true(t.arrived_at_first >= 11);
	for (int i = 0; i < 11; i++)
		assert_null(strstr(t.path[i], "project="));
	assert_true(trace_find(&t, "/1.0/profiles?recursion=1&all-projects=true")
		    > 0);
	assert_true(trace_find(&t, "/1.0/networks?recursion=1&all-projects=true")
		    > 0);
	assert_true(trace_find(&t,
			"/1.0/network-acls?recursion=1&all-projects=true") > 0);
	run_release(&r);
}

/*
 * A failed project list takes down only what is asked project by
 * project: where profiles, networks and ACLs come from all-projects
 * listings (5.21), they are complete without it and stay.
 */
static void
test_projects_failed_all_projects(void **state)
{
	static const struct canned over[] = {
		{ "/1.0/projects", "500 Internal Server Error", ERROR_500 },
	};
	struct run r;
	const char *why;

	(void)state;
	fetch_and_run(&r, "snap/lxd-521", over, ARRAY_SIZE(over));
	assert_int_equal(r.rc, 0);
	assert_null(snapshot_part(&r.snap, SNAP_PROJECTS, &why));
	assert_non_null(strstr(why, "boom"));
	assert_non_null(snapshot_part(&r.snap, SNAP_PROFILES, &why));
	assert_non_null(snapshot_part(&r.snap, SNAP_NETWORKS, &why));
	assert_non_null(snapshot_part(&r.snap, SNAP_INSTANCES, &why));
	expect_error(&r, "LXD-MUL-003", "boom");
	run_release(&r);
}

/*
 * watch's partial refetch: after snapshot_fetch_root, snapshot_fetch_some
 * with any one kind wanted gives every part equal to a full fetch (the
 * project list fresh, the other projects' profiles asked for), and
 * nothing is leaked (ASan's leak check in the suite).
 */
static void
test_fetch_some_equals_full(void **state)
{
	static const enum snap_kind one[] = { SNAP_PROFILES, SNAP_PROJECTS,
					      SNAP_INSTANCES, SNAP_NETWORKS };
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *c;
	struct snapshot full;
	struct diag d = { { 0 } };

	(void)state;
	server_start("snap/sample-502", NULL, 0);
	ep.socket_path = srv.sock;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	snapshot_init(&full);
	assert_int_equal(snapshot_fetch(&full, c, "fake", false, &d), 0);
	for (size_t i = 0; i < ARRAY_SIZE(one); i++) {
		struct snapshot part;
		bool want[SNAP__COUNT] = { false };

		want[one[i]] = true;
		snapshot_init(&part);
		assert_int_equal(snapshot_fetch_root(&part, c, "fake", false,
						     &d), 0);
		snapshot_fetch_some(&part, c, &full, want);
		for (size_t k = 0; k < SNAP__COUNT; k++) {
			const json_t *a = full.part[k], *b = part.part[k];

			if ((a || b) && !json_equal((json_t *)(uintptr_t)a,
						    (json_t *)(uintptr_t)b))
				fail_msg("wanting %s: part %s differs from "
					 "a full fetch", snapshot_kind_name(
						 one[i]), snapshot_kind_name(
						 (enum snap_kind)k));
		}
		snapshot_release(&part);
	}
	snapshot_release(&full);
	lxd_client_free(c);
	server_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_check),
		cmocka_unit_test(test_projects_failed),
		cmocka_unit_test(test_projects_as_urls),
		cmocka_unit_test(test_envelope_disagrees),
		cmocka_unit_test(test_operations_shapes),
		cmocka_unit_test(test_server_config_shape),
		cmocka_unit_test(test_round_structure),
		cmocka_unit_test(test_unnamed_members_dropped),
		cmocka_unit_test(test_fetch_some_equals_full),
		cmocka_unit_test(test_round_all_projects),
		cmocka_unit_test(test_projects_failed_all_projects),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, good_setup, good_teardown);
}
