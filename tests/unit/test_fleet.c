/*
 * test_fleet.c - the targets file (fleet.c), running targets in child
 * processes, merge's deduplication and first_seen (fleet_merge.c), and
 * the fleet's exit status (report/fleet.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "host_only.h"
#include "fleet_merge.h"
#include "report/fleet_report.h"

/* --- the targets file --------------------------------------------------- */

static int
parse(struct fleet_targets *t, const char *text, struct diag *d)
{
	return fleet_targets_parse(t, text, strlen(text), "t.yml", d);
}

static void
test_targets_ok(void **state)
{
	struct fleet_targets t = { 0 };
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(parse(&t,
		"targets:\n"
		"  - name: a\n"
		"    remote: prod\n"
		"    policy: /etc/p.yml\n"
		"  - name: b.example:8443\n"
		"    url: https://b:8443\n"
		"    cert: c.crt\n"
		"    key: c.key\n"
		"    server-cert: s.crt\n"
		"  - {name: local, socket: /run/x.sock}\n", &d), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].name, "a");
	assert_string_equal(t.v[0].remote, "prod");
	assert_string_equal(t.v[0].policy, "/etc/p.yml");
	assert_null(t.v[0].url);
	assert_string_equal(t.v[1].url, "https://b:8443");
	assert_string_equal(t.v[1].server_cert, "s.crt");
	assert_string_equal(t.v[2].socket, "/run/x.sock");
	fleet_targets_release(&t);
}

struct bad_case {
	const char *text;
	const char *want;	/* the whole diagnostic */
};

static void
test_targets_bad(void **state)
{
	static const struct bad_case cases[] = {
		{ "", "t.yml: expected a mapping with a 'targets' list at "
		      "the top level" },
		{ "- a\n", "t.yml:1:1: expected a mapping with a 'targets' "
			   "list at the top level" },
		{ "x: 1\n", "t.yml:1:1: unknown top-level key 'x' (only "
			    "'targets')" },
		{ "targets: []\n", "t.yml:1:10: 'targets' must be a "
				   "non-empty list" },
		{ "targets:\n- url: https://h\n",
		  "t.yml:2:3: a target has no 'name'" },
		{ "targets:\n- name: a\n  sokcet: /x\n",
		  "t.yml:3:3: unknown key 'sokcet' in a target (name, remote, "
		  "url, cert, key, server-cert, socket, policy)" },
		{ "targets:\n- name: a\n  name: b\n",
		  "t.yml:3:3: duplicate key 'name' in a target" },
		{ "targets:\n- name: a\n- name: a\n",
		  "t.yml:3:9: target 'a' is named twice" },
		{ "targets:\n- name: a b\n",
		  "t.yml:2:9: target name 'a b' is not 1 to 64 of A-Z a-z 0-9 "
		  ". _ : @ -" },
		{ "targets:\n- name: a\n  remote: r\n  url: https://h\n",
		  "t.yml:2:3: target 'a': remote, url and socket exclude each "
		  "other" },
		{ "targets:\n- name: a\n  cert: c\n",
		  "t.yml:2:3: target 'a': cert, key and server-cert need remote "
		  "or url" },
		{ "targets:\n- name: a\n  remote: [x]\n",
		  "t.yml:3:11: 'remote' of a target must be a non-empty "
		  "string" },
		{ "targets:\n- name: ''\n",
		  "t.yml:2:9: 'name' of a target must be a non-empty string" },
		/* a NUL would cut the path short without a word */
		{ "targets:\n- name: a\n  socket: \"/run/x\\0.sock\"\n",
		  "t.yml:3:11: 'socket' of a target must be a non-empty "
		  "string" },
		{ "targets:\n- name: a\n  socket: !!int 5\n",
		  "t.yml:3:11: 'socket' of a target must be a non-empty "
		  "string" },
		{ "targets:\n- 3\n",
		  "t.yml:2:3: each entry of 'targets' must be a mapping with a "
		  "'name'" },
		{ "targets: [\n", "t.yml:2:1: did not find expected node "
				  "content" },
		{ "targets:\n- name: a\ntargets:\n- name: b\n",
		  "t.yml:3:1: duplicate key 'targets'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fleet_targets t = { 0 };
		struct diag d = { { 0 } };

		assert_int_equal(parse(&t, cases[i].text, &d), -1);
		assert_string_equal(d.msg, cases[i].want);
		assert_int_equal(t.n, 0);
	}
}

/* A name given on the command line cannot be given again in the file. */
static void
test_targets_clash(void **state)
{
	struct fleet_targets t = { 0 };
	struct target_opts o = { .remote = "a" };
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(fleet_targets_add(&t, "a", &o, NULL, &d), 0);
	assert_int_equal(parse(&t, "targets:\n- name: a\n  socket: /s\n",
			       &d), -1);
	assert_string_equal(d.msg, "t.yml:2:9: target 'a' is named twice");
	/* t is as it was */
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].remote, "a");
	assert_int_equal(parse(&t, "targets:\n- name: b\n  socket: /s\n",
			       &d), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[1].socket, "/s");
	fleet_targets_release(&t);
}

/* --- v1 reports built for the tests ------------------------------------- */

/* A v1 report with one result per "ID:STATUS:SEVERITY:OBJECT" spec. */
static json_t *
report(const char *server, const char *fp, const char *host,
       const char *const *specs, size_t n)
{
	json_t *r = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:b, s:b}, "
			      "s:{}, s:f, s:[]}",
			      "schema", "lxd-harden/report/v1",
			      "generated_at", "2026-11-28T15:33:20Z",
			      "target", "endpoint", "unix:///x", "server",
			      "lxd", "server_name", server, "server_version",
			      "5.0.2", "clustered", fp != NULL, "remote", 0,
			      "summary", "score", 50.0, "results");
	json_t *results = json_object_get(r, "results");

	if (fp)
		json_object_set_new(json_object_get(r, "target"), "cluster",
				    json_pack("{s:s, s:s}", "fingerprint", fp,
					      "member", server));
	if (host)
		json_object_set_new(json_object_get(r, "target"), "host",
				    json_string(host));
	for (size_t i = 0; i < n; i++) {
		char id[32], st[16], sev[16], obj[128];

		assert_int_equal(sscanf(specs[i], "%31[^:]:%15[^:]:%15[^:]:"
					"%127s", id, st, sev, obj), 4);
		json_array_append_new(results, json_pack(
			"{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s}]}",
			"id", id, "status", st, "severity", sev, "findings",
			"object", obj, "status", st, "severity", sev,
			"message", "m"));
	}
	return r;
}

static const json_t *
result(const struct fleet *f, size_t i, const char *id)
{
	const json_t *res;
	size_t k;

	json_array_foreach(json_object_get(f->v[i].report, "results"), k, res)
		if (!strcmp(json_string_value(json_object_get(res, "id")), id))
			return res;
	fail_msg("no %s in report %zu", id, i);
	return NULL;
}

static const char *
status_of(const struct fleet *f, size_t i, const char *id)
{
	return json_string_value(json_object_get(result(f, i, id), "status"));
}

/* --- merge -------------------------------------------------------------- */

static const char *const cluster_specs[] = {
	"LXD-ACC-010:fail:medium:/1.0/certificates/abc",
	"LXD-HOS-001:fail:medium:file:///proc/cmdline",
};

static void
test_merge_dedup(void **state)
{
	struct fleet f = { 0 };
	struct diag d = { { 0 } };
	json_t *a = report("m1", "aa", "h1", cluster_specs, 2);
	json_t *b = report("m2", "aa", "h2", cluster_specs, 2);
	json_t *c = report("other", "bb", "h3", cluster_specs, 2);

	(void)state;
	assert_int_equal(fleet_merge_add(&f, a, "a", &d), 0);
	assert_int_equal(fleet_merge_add(&f, b, "b", &d), 0);
	assert_int_equal(fleet_merge_add(&f, c, "c", &d), 0);
	fleet_merge_dedup(&f);
	/* named after their hosts */
	assert_string_equal(f.v[0].name, "h1");
	assert_string_equal(f.v[1].name, "h2");
	/* the cluster-wide finding once, in the first report */
	assert_string_equal(status_of(&f, 0, "LXD-ACC-010"), "fail");
	assert_string_equal(status_of(&f, 1, "LXD-ACC-010"), "skipped");
	assert_non_null(strstr(json_string_value(json_object_get(
		json_array_get(json_object_get(result(&f, 1, "LXD-ACC-010"),
						   "findings"), 0), "message")),
		"h1"));
	assert_non_null(f.v[1].dedup_note);
	/* the summary follows */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		f.v[1].report, "summary"), "skipped")), 1);
	/* and so does the score: only the failing host check counts now
	   (it was 50 with the cluster-wide check's weight) */
	assert_true(json_is_real(json_object_get(f.v[1].report, "score")));
	assert_true(json_real_value(json_object_get(f.v[1].report, "score")) ==
		    0.0);
	/* host findings per host */
	assert_string_equal(status_of(&f, 1, "LXD-HOS-001"), "fail");
	/* another cluster keeps its own */
	assert_string_equal(status_of(&f, 2, "LXD-ACC-010"), "fail");
	assert_null(f.v[2].dedup_note);
	assert_int_equal(fleet_exit_status(&f, SEV_LOW), EXIT_FINDINGS);
	fleet_release(&f);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* Without a fingerprint nothing is merged away, and names stay unique. */
static void
test_merge_standalone(void **state)
{
	struct fleet f = { 0 };
	struct diag d = { { 0 } };
	json_t *a = report("vm", NULL, NULL, cluster_specs, 2);

	(void)state;
	assert_int_equal(fleet_merge_add(&f, a, "a", &d), 0);
	assert_int_equal(fleet_merge_add(&f, a, "a", &d), 0);
	fleet_merge_dedup(&f);
	assert_string_equal(f.v[0].name, "vm");
	assert_string_equal(f.v[1].name, "vm#2");
	assert_string_equal(status_of(&f, 1, "LXD-ACC-010"), "fail");
	fleet_release(&f);
	json_decref(a);
}

static void
test_merge_fleet_and_bad(void **state)
{
	struct fleet f = { 0 };
	struct diag d = { { 0 } };
	json_t *a = report("vm", NULL, NULL, cluster_specs, 1);
	json_t *fl = json_pack("{s:s, s:[{s:s, s:s, s:O}, {s:s, s:s, s:s}]}",
			       "schema", "lxd-harden/fleet/v1", "targets",
			       "name", "x", "status", "audited", "report", a,
			       "name", "y", "status", "error", "error",
			       "down");
	json_t *junk = json_pack("{s:s}", "schema", "other");

	(void)state;
	assert_int_equal(fleet_merge_add(&f, fl, "fl.json", &d), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.v[0].name, "x");
	assert_string_equal(f.v[1].error, "down");
	assert_int_equal(fleet_merge_add(&f, junk, "j.json", &d), -1);
	assert_string_equal(d.msg, "j.json is not a lxd-harden report (schema "
				   "lxd-harden/report/v1 or "
				   "lxd-harden/fleet/v1)");
	/* a target that could not be audited: exit 1 */
	assert_int_equal(fleet_exit_status(&f, SEV_LOW), EXIT_ERROR);
	fleet_release(&f);
	json_decref(a);
	json_decref(fl);
	json_decref(junk);
}

static void
test_merge_baseline(void **state)
{
	struct fleet f = { 0 }, old = { 0 };
	struct diag d = { { 0 } };
	const char *const now_specs[] = {
		"LXD-ACC-010:fail:medium:/1.0/certificates/abc",
		"LXD-ACC-004:fail:high:/1.0",
	};
	json_t *o = report("vm", NULL, NULL, cluster_specs, 1);
	json_t *n = report("vm", NULL, NULL, now_specs, 2);
	json_t *fd;

	(void)state;
	json_object_set_new(o, "generated_at",
			    json_string("2026-01-01T00:00:00Z"));
	/* an older first_seen in the old report wins over its time */
	fd = json_array_get(json_object_get(json_array_get(json_object_get(
		o, "results"), 0), "findings"), 0);
	json_object_set_new(fd, "first_seen",
			    json_string("2025-06-01T00:00:00Z"));
	json_object_set_new(n, "generated_at",
			    json_string("2026-11-28T15:33:20Z"));
	assert_int_equal(fleet_merge_add(&f, n, "n", &d), 0);
	assert_int_equal(fleet_merge_baseline(&f, o, &d), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(result(&f, 0, "LXD-ACC-010"), "findings"), 0),
		"first_seen")), "2025-06-01T00:00:00Z");
	/* new since: its own report's time */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(result(&f, 0, "LXD-ACC-004"), "findings"), 0),
		"first_seen")), "2026-11-28T15:33:20Z");
	json_decref(o);
	o = json_object();
	assert_int_equal(fleet_merge_baseline(&f, o, &d), -1);
	fleet_release(&f);
	fleet_release(&old);
	json_decref(o);
	json_decref(n);
}

/* --- exit status -------------------------------------------------------- */

static void
test_exit_status(void **state)
{
	const char *const low[] = { "LXD-GEN-003:fail:low:/1.0" };
	const char *const pass[] = { "LXD-GEN-003:pass:low:/1.0" };
	struct fleet f = { 0 };

	(void)state;
	fleet_add_report(&f, "a", report("a", NULL, NULL, pass, 1));
	assert_int_equal(fleet_exit_status(&f, SEV_LOW), EXIT_CLEAN);
	fleet_add_report(&f, "b", report("b", NULL, NULL, low, 1));
	assert_int_equal(fleet_exit_status(&f, SEV_LOW), EXIT_FINDINGS);
	/* below the threshold */
	assert_int_equal(fleet_exit_status(&f, SEV_MEDIUM), EXIT_CLEAN);
	/* one target down outweighs findings */
	fleet_add_error(&f, "c", "cannot connect\nto c");
	assert_string_equal(f.v[2].error, "cannot connect to c");
	assert_int_equal(fleet_exit_status(&f, SEV_MEDIUM), EXIT_ERROR);
	fleet_release(&f);
}

/* --- --host-only: whose host ---------------------------------------------- */

static char *
datafile(const char *rel)
{
	const char *dir = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", dir ? dir : "tests/data", rel);
}

/*
 * The cluster fixture, its server.json given env (NULL: as it is), into a
 * fresh directory; a host root beside it with etc/hostname "h1".
 */
static const char *const cluster_parts[] = {
	"server.json", "certificates.json", "cluster-members.json",
	"instances.json", "networks.json", "profiles.json", "projects.json",
	"storage-pools.json", "identities.json", "auth-groups.json",
	"storage-pools-members.json",
};

static char *
cluster_copy(const char *cert_file, const char *fp)
{
	const char *const *parts = cluster_parts;
	char *dir = xstrdup("/tmp/lxdh-test-fleet-XXXXXX");

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(cluster_parts) / sizeof(*parts); i++) {
		char *src = xasprintf("workload/cluster/%s", parts[i]);
		char *from = datafile(src), *to;
		json_t *j = json_load_file(from, 0, NULL);

		assert_non_null(j);
		if (i == 0) {
			json_t *env = json_object_get(j, "environment");

			if (cert_file) {
				char *pem, *cf = datafile(cert_file);
				size_t len;
				struct diag d;

				assert_int_equal(read_file_max(cf, 1 << 16,
					"cert", &pem, &len, &d), 0);
				json_object_set_new(env, "certificate",
						    json_string(pem));
				free(pem);
				free(cf);
			}
			if (fp)
				json_object_set_new(env,
					"certificate_fingerprint",
					json_string(fp));
		}
		to = xasprintf("%s/%s", dir, parts[i]);
		assert_int_equal(json_dump_file(j, to, 0), 0);
		json_decref(j);
		free(src);
		free(from);
		free(to);
	}
	return dir;
}

static void
cluster_remove(char *dir)
{
	for (size_t i = 0; i < sizeof(cluster_parts) / sizeof(*cluster_parts);
	     i++) {
		char *p = xasprintf("%s/%s", dir, cluster_parts[i]);

		unlink(p);
		free(p);
	}
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

/*
 * Reads the saved cluster state (with cert as its certificate) as an
 * audit does, with an etc/hostname of "h1": the host from
 * host_identity_read, the member and fingerprint from the engine.
 */
static void
identity(const char *cert, const char *fp, struct host_identity *id,
	 struct report *r)
{
	char *dir = cluster_copy(cert, fp);
	char *etc = xasprintf("%s/etc", dir), *hn;
	struct snapshot snap;
	struct policy pol;
	struct check_ctx x = { 0 };
	struct diag d = { { 0 } };
	FILE *f;

	snapshot_init(&snap);
	policy_init(&pol);
	assert_int_equal(snapshot_load_dir(&snap, dir, &d), 0);
	assert_int_equal(mkdir(etc, 0755), 0);
	hn = xasprintf("%s/hostname", etc);
	f = fopen(hn, "w");
	assert_non_null(f);
	fputs("h1\n", f);
	fclose(f);
	host_identity_read(id, dir);
	x.snap = &snap;
	x.policy = &pol;
	memset(r, 0, sizeof(*r));
	engine_run(&x, r);
	/* the report borrows from the snapshot: keep what is checked */
	r->cluster_member = r->cluster_member ?
				    xstrdup(r->cluster_member) : NULL;
	r->cluster_fingerprint = r->cluster_fingerprint ?
					 xstrdup(r->cluster_fingerprint) :
					 NULL;
	policy_release(&pol);
	snapshot_release(&snap);
	unlink(hn);
	rmdir(etc);
	cluster_remove(dir);
	free(hn);
	free(etc);
}

static void
identity_release(struct host_identity *id, struct report *r)
{
	host_identity_release(id);
	free((char *)(uintptr_t)r->cluster_member);
	free((char *)(uintptr_t)r->cluster_fingerprint);
	r->cluster_member = r->cluster_fingerprint = NULL;
	engine_report_release(r);
}

static void
test_host_identity(void **state)
{
	struct host_identity id;
	struct report r;
	const char *fp = "128a850cb359ec6ab0964b52cab1cfadd6db96980f38ad5c0"
			 "ca853c21dd01c03";

	(void)state;
	/* the fingerprint from the certificate (openssl x509 | sha256sum) */
	identity("target/certs/other.crt", NULL, &id, &r);
	assert_string_equal(id.host, "h1");
	assert_string_equal(r.cluster_member, "m1");
	assert_string_equal(r.cluster_fingerprint, fp);
	identity_release(&id, &r);
	/* no readable certificate: unknown, never made up */
	identity(NULL, "not-hex", &id, &r);
	assert_null(r.cluster_fingerprint);
	assert_string_equal(r.cluster_member, "m1");
	identity_release(&id, &r);
}

/* --- child processes ---------------------------------------------------- */

static int
fake_audit(const struct fleet_target *t, void *ctx, FILE *out,
	   struct diag *d)
{
	const char *const spec[] = { "LXD-GEN-003:fail:low:/1.0" };
	json_t *r;

	(void)ctx;
	if (t->url) {
		diag_set(d, "cannot connect to '%s'", t->url);
		return -1;
	}
	r = report(t->name, NULL, NULL, spec, 1);
	json_dumpf(r, out, JSON_INDENT(2));
	json_decref(r);
	return 0;
}

static void
test_run(void **state)
{
	struct fleet_targets t = { 0 };
	struct fleet f = { 0 };
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(parse(&t,
		"targets:\n"
		"- {name: a, socket: /a}\n"
		"- {name: b, url: 'https://b'}\n"
		"- {name: c, socket: /c}\n", &d), 0);
	fleet_run(&t, 2, 60000, fake_audit, NULL, &f);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].name, "a");
	assert_non_null(f.v[0].report);
	assert_string_equal(f.v[1].error, "cannot connect to 'https://b'");
	assert_null(f.v[1].report);
	assert_non_null(f.v[2].report);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		f.v[2].report, "target"), "server_name")), "c");
	assert_int_equal(fleet_exit_status(&f, SEV_LOW), EXIT_ERROR);
	fleet_release(&f);
	fleet_targets_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_ok),
		cmocka_unit_test(test_targets_bad),
		cmocka_unit_test(test_targets_clash),
		cmocka_unit_test(test_merge_dedup),
		cmocka_unit_test(test_merge_standalone),
		cmocka_unit_test(test_merge_fleet_and_bad),
		cmocka_unit_test(test_merge_baseline),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_host_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
