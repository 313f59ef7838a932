/*
 * test_select.c - the command line's selection (--check, --skip,
 * --section, --project), "did you mean", short object names, and the
 * text report's grouping and width on the fixtures
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
#include "cli.h"
#include "gate.h"
#include "report.h"

struct run {
	struct snapshot snap;
	struct policy policy;
	struct report r;
};

static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

/*
 * Evaluates the catalog on tests/data/<rel>, only the checks sel keeps
 * (NULL: all), as audit_run does.
 */
static void
run_on_select(struct run *x, const char *rel, const struct gate_select *sel)
{
	struct diag d = { { 0 } };
	struct check_ctx ctx = { 0 };
	char *dir = data_path(rel);
	char *releases = data_path("releases-fixed.json");

	memset(x, 0, sizeof(*x));
	snapshot_init(&x->snap);
	policy_init(&x->policy);
	if (snapshot_load_dir(&x->snap, dir, &d) != 0)
		fail_msg("load %s: %s", dir, d.msg);
	ctx.snap = &x->snap;
	ctx.policy = &x->policy;
	ctx.releases_path = releases;
	if (sel) {
		ctx.selects = gate_select_wants;
		ctx.selects_arg = sel;
	}
	engine_run(&ctx, &x->r);
	free(dir);
	free(releases);
}

static void
run_on(struct run *x, const char *rel)
{
	run_on_select(x, rel, NULL);
}

static void
run_release(struct run *x)
{
	engine_report_release(&x->r);
	snapshot_release(&x->snap);
	policy_release(&x->policy);
}

static const struct check_result *
result(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (str_eq(r->results[i].check->id, id))
			return &r->results[i];
	fail_msg("no result %s", id);
	return NULL;
}

static void
test_edit_distance(void **state)
{
	static const char *const cand[] = { "LXD-ACC-004", "LXD-ACC-014",
					     "LXD-NET-004" };

	(void)state;
	/* the selection options share cli.c's "did you mean" */
	assert_int_equal(cli_edit_distance("abc", "ABC"), 0);
	assert_string_equal(cli_nearest("LXD-ACC-0004", cand, 3),
			    "LXD-ACC-004");
	assert_string_equal(cli_nearest("lxd-net-040", cand, 3),
			    "LXD-NET-004");
	/* two candidates as near: no guess */
	assert_null(cli_nearest("LXD-ACC-04", cand, 3));
	assert_null(cli_nearest("something else", cand, 3));
}

static void
expect_invalid(const char *option, const char *value, const char *want)
{
	struct gate_select s = { 0 };
	struct diag d = { { 0 } };

	assert_int_equal(gate_select_add(&s, option, value, &d), 0);
	assert_int_equal(gate_select_validate(&s, &d), -1);
	if (!strstr(d.msg, want))
		fail_msg("--%s %s: '%s' lacks '%s'", option, value, d.msg,
			 want);
}

static void
test_validate(void **state)
{
	struct gate_select s = { 0 };
	struct diag d = { { 0 } };

	(void)state;
	expect_invalid("check", "LXD-ACC-04", "did you mean LXD-ACC-004?");
	expect_invalid("check", "ACC-004", "did you mean LXD-ACC-004?");
	expect_invalid("skip", "LXD-XYZ-*", "matches no check");
	expect_invalid("section", "netwrk", "did you mean");
	expect_invalid("section", "nothing-like-it", "names no section");

	assert_int_equal(gate_select_add(&s, "check", "lxd-acc-*", &d), 0);
	assert_int_equal(gate_select_add(&s, "skip", "LXD-ACC-004", &d), 0);
	assert_int_equal(gate_select_add(&s, "section", "Network", &d), 0);
	assert_int_equal(gate_select_add(&s, "section", "ins", &d), 0);
	assert_int_equal(gate_select_add(&s, "section", "host-os", &d), 0);
	assert_int_equal(gate_select_validate(&s, &d), 0);
	assert_int_equal(gate_select_add(&s, "project", "a", &d), 0);
	assert_int_equal(gate_select_add(&s, "project", "b", &d), -1);
	assert_int_equal(gate_select_add(&s, "check", "", &d), -1);
}

static void
test_check_and_skip(void **state)
{
	struct run x;
	struct gate_select s = { 0 };
	struct diag d = { { 0 } };
	size_t ins = 0;

	(void)state;
	gate_select_add(&s, "check", "LXD-INS-*", &d);
	gate_select_add(&s, "skip", "LXD-INS-002", &d);
	run_on_select(&x, "snapshot/sample-5.0.2", &s);
	/* a check left out is not evaluated: it read nothing but /1.0 */
	for (size_t i = 0; i < x.r.n; i++) {
		const struct check_result *res = &x.r.results[i];
		bool kept = str_starts_with(res->check->id, "LXD-INS-") &&
			    !str_eq(res->check->id, "LXD-INS-002");

		assert_true(kept ? (res->reads & SNAP_BIT(SNAP_INSTANCES)) != 0 :
				   res->reads == SNAP_BIT(SNAP_SERVER));
		if (!kept)
			assert_int_equal(res->status, ST_SKIPPED);
	}
	assert_int_equal(gate_apply_selection(&x.r, &s, &x.policy, &x.snap,
					      &d), 0);
	for (size_t i = 0; i < x.r.n; i++) {
		const struct check_result *res = &x.r.results[i];

		if (str_starts_with(res->check->id, "LXD-INS-") &&
		    !str_eq(res->check->id, "LXD-INS-002")) {
			assert_int_not_equal(res->status, ST_SKIPPED);
			ins++;
			continue;
		}
		/* left out, but listed as skipped with the reason */
		assert_int_equal(res->status, ST_SKIPPED);
		assert_int_equal(res->findings.n, 1);
		assert_non_null(strstr(res->findings.v[0].message,
				       str_eq(res->check->id, "LXD-INS-002") ?
					       "--skip LXD-INS-002" :
					       "not selected by --check"));
	}
	assert_true(ins >= 5);
	assert_int_equal(x.r.counts[ST_SKIPPED], x.r.n - ins);
	assert_int_equal(result(&x.r, "LXD-INS-003")->status, ST_FAIL);
	run_release(&x);
}

static void
test_section_and_policy_conflict(void **state)
{
	struct run x;
	struct gate_select s = { 0 };
	struct diag d = { { 0 } };

	(void)state;
	run_on(&x, "snapshot/sample-5.0.2");
	/* the policy skips ACC-004; the command line asks for it */
	x.policy.skips = xcalloc(1, sizeof(*x.policy.skips));
	x.policy.skips[0].check = xstrdup("LXD-ACC-004");
	x.policy.skips[0].reason = xstrdup("accepted");
	x.policy.n_skips = 1;
	engine_report_release(&x.r);
	{
		struct check_ctx ctx = { .snap = &x.snap, .policy = &x.policy };

		engine_run(&ctx, &x.r);
	}
	gate_select_add(&s, "check", "LXD-ACC-004", &d);
	gate_select_add(&s, "check", "LXD-NET-*", &d);
	gate_select_add(&s, "section", "network", &d);
	assert_int_equal(gate_apply_selection(&x.r, &s, &x.policy, &x.snap,
					      &d), 0);
	assert_int_equal(result(&x.r, "LXD-ACC-004")->status, ST_SKIPPED);
	assert_non_null(strstr(result(&x.r, "LXD-ACC-004")->findings.v[0]
				       .message, "policy"));
	assert_int_equal(x.r.n_notes, 1);
	assert_non_null(strstr(x.r.notes[0], "--check LXD-ACC-004"));
	assert_non_null(strstr(x.r.notes[0], "policy skips it"));
	assert_int_equal(result(&x.r, "LXD-NET-001")->status, ST_FAIL);
	assert_int_equal(result(&x.r, "LXD-INS-001")->status, ST_SKIPPED);
	run_release(&x);
}

static void
test_project(void **state)
{
	struct run x;
	struct gate_select s = { 0 };
	struct diag d = { { 0 } };
	const struct check_result *ins1;

	(void)state;
	run_on(&x, "snapshot/sample-5.0.2");
	gate_select_add(&s, "project", "semii", &d);
	assert_int_equal(gate_apply_selection(&x.r, &s, &x.policy, &x.snap,
					      &d), -1);
	assert_non_null(strstr(d.msg, "did you mean 'semi'?"));

	s.project = "semi";
	assert_int_equal(gate_apply_selection(&x.r, &s, &x.policy, &x.snap,
					      &d), 0);
	for (size_t i = 0; i < x.r.n; i++) {
		const struct check_result *res = &x.r.results[i];

		for (size_t j = 0; j < res->findings.n; j++) {
			const char *o = res->findings.v[j].object;

			if (res->status == ST_NOTAPPLICABLE &&
			    strstr(res->findings.v[j].message, "--project"))
				continue;
			if (res->status == ST_PASS && !res->findings.n)
				continue;
			if (!strstr(o, "?project=semi") &&
			    !str_eq(o, "/1.0/projects/semi"))
				fail_msg("%s keeps %s", res->check->id, o);
		}
	}
	/* n-priv (notrestr) and the profile priv are gone, s-priv stays */
	ins1 = result(&x.r, "LXD-INS-001");
	assert_int_equal(ins1->status, ST_FAIL);
	assert_int_equal(ins1->findings.n, 1);
	assert_string_equal(ins1->findings.v[0].object,
			    "/1.0/instances/s-priv?project=semi");
	/* a server-wide failure is not about the project */
	assert_int_equal(result(&x.r, "LXD-ACC-004")->status,
			 ST_NOTAPPLICABLE);
	assert_int_equal(result(&x.r, "LXD-MUL-003")->status, ST_FAIL);
	run_release(&x);
}

static void
test_object_short(void **state)
{
	static const char *const cases[][2] = {
		{ "/1.0", "server" },
		{ "/1.0/instances/c1?project=default", "instance/c1 (default)" },
		{ "/1.0/profiles/a%2Fb?project=p%20q", "profile/a/b (p q)" },
		{ "/1.0/storage-pools/pool", "storage-pool/pool" },
		{ "/1.0/projects/semi", "project/semi" },
		{ "/1.0/certificates/"
		  "14f8e115bf023a1f2abcb117d7f4519a2fed037ddf14c52aeef2e074e3f38a57",
		  "certificate/14f8e115bf02" },
		{ "/1.0/certificates/short", "certificate/short" },
		{ "/1.0/auth/identities/tls/bob", "identity/tls/bob" },
		{ "file:///usr/bin/lxd", "/usr/bin/lxd" },
		{ "process:lxd", "process:lxd" },
		{ "/1.0/instances/bad%zz", "instance/bad%zz" },
		{ "/1.0/instances/trail%4", "instance/trail%4" },
		{ "/1.0/instances/nul%00x", "instance/nul%00x" },
		{ "/1.0/instances/esc%1b", "instance/esc\033" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = report_object_short(cases[i][0]);

		assert_string_equal(s, cases[i][1]);
		free(s);
	}
	assert_string_equal(report_object_kind("/1.0"), "server");
	assert_string_equal(report_object_kind("/1.0/network-acls/a"),
			    "network-acl");
}

static char *
render_text(const struct report *r, unsigned flags, const char *columns)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	setenv("COLUMNS", columns, 1);
	assert_int_equal(report_text_write(f, r, flags), 0);
	fclose(f);
	unsetenv("COLUMNS");
	return buf;
}

static size_t
max_width(const char *s)
{
	size_t max = 0, w = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			w = 0;
			continue;
		}
		if (((unsigned char)*s & 0xc0) != 0x80 && ++w > max)
			max = w;
	}
	return max;
}

/*
 * Fails when two remedies of the report are the same: a remedy is the run
 * of "fix:", "needs:" and "note:" lines of one finding.
 */
static void
assert_no_duplicate_fix(const char *text, const char *what)
{
	char *copy = xstrdup(text), *save = NULL;
	struct strbuf cur = STRBUF_INIT;
	char **blocks = NULL;
	size_t n = 0;
	bool more = true;

	for (char *l = strtok_r(copy, "\n", &save); more;
	     l = strtok_r(NULL, "\n", &save)) {
		const char *fix = l ? strstr(l, "fix: ") : NULL;

		if (!fix && l)
			fix = strstr(l, "note: ");
		if (!fix && l)
			fix = strstr(l, "needs: ");
		more = l != NULL;
		if (fix && strspn(l, " ") == (size_t)(fix - l)) {
			strbuf_addf(&cur, "%s\n", l);
			continue;
		}
		if (!cur.len)
			continue;
		for (size_t i = 0; i < n; i++)
			if (str_eq(blocks[i], cur.buf))
				fail_msg("%s: '%s' printed twice", what,
					 cur.buf);
		blocks = xrealloc(blocks, (n + 1) * sizeof(*blocks));
		blocks[n++] = strbuf_detach(&cur);
	}
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	free(copy);
}

static const char *const fixtures[] = {
	"snapshot/sample-5.0.2", "workload/cluster", "workload/empty",
	"workload/hostile", "workload/identities", "workload/incus",
	"workload/lxd-502",
	"workload/ovn", "workload/vm-521", "workload/vm-67",
};

/*
 * The bar: the demo-like reports fit 100 columns, and a fix that
 * many objects inherit is printed once.
 */
static void
test_text_width_and_groups(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		struct run x;
		char *out;

		run_on(&x, fixtures[i]);
		for (unsigned v = 0; v <= 1; v++) {
			out = render_text(&x.r, v ? REPORT_VERBOSE : 0, "100");
			if (max_width(out) > 100)
				fail_msg("%s%s: a line of %zu columns",
					 fixtures[i], v ? " -v" : "",
					 max_width(out));
			free(out);
		}
		out = render_text(&x.r, 0, "80");
		if (max_width(out) > 80)
			fail_msg("%s: a line of %zu columns at 80",
				 fixtures[i], max_width(out));
		free(out);
		/* unwrapped, so a fix line is the whole remedy */
		out = render_text(&x.r, 0, "1000");
		assert_no_duplicate_fix(out, fixtures[i]);
		free(out);
		run_release(&x);
	}
}

static void
test_text_group_names_objects(void **state)
{
	struct run x;
	char *out;
	const char *fix = "fix: lxc profile device set default eth0 "
			  "security.ipv4_filtering=true --project default";
	const char *p;

	(void)state;
	run_on(&x, "workload/lxd-502");
	out = render_text(&x.r, 0, "1000");
	/* once, with the objects counted and three named */
	p = strstr(out, fix);
	assert_non_null(p);
	assert_null(strstr(p + 1, fix));
	assert_non_null(strstr(out, " objects: profile/default (default), "));
	assert_non_null(strstr(out, " more (-v lists them)"));
	/* the default view: no passing check, a tally, next steps */
	assert_null(strstr(out, "\n  PASS "));
	assert_non_null(strstr(out, "\nNot shown: "));
	assert_non_null(strstr(out, "\nNext steps\n  1. [critical] "));
	assert_non_null(strstr(out, "    lxd-harden fix --apply"));
	free(out);

	/* a remedy that is one command wraps with a backslash, pasteable */
	out = render_text(&x.r, 0, "80");
	assert_non_null(strstr(out, "      fix: lxc profile device set default eth0 "
				    "security.ipv4_filtering=true \\\n"
				    "          --project default\n"));
	/* prose does not get a backslash */
	p = strstr(out, "      note: ");
	assert_non_null(p);
	assert_non_null(strchr(p, '\n'));
	assert_true(strchr(p, '\n')[-1] != '\\');
	free(out);

	out = render_text(&x.r, REPORT_VERBOSE, "1000");
	p = strstr(out, fix);
	assert_non_null(p);
	assert_null(strstr(p + 1, fix));
	assert_null(strstr(out, "more (-v lists them)"));
	assert_non_null(strstr(out, "\n  PASS "));
	assert_non_null(strstr(out, "\n  N/A "));
	free(out);
	run_release(&x);
}

/*
 * Findings with one remedy are grouped across objects, but two facts
 * about one object (two keys of one file) stay two: each message shown.
 */
static void
test_text_same_object_two_facts(void **state)
{
	struct run x;
	struct check_result *res;
	const char *objs[] = { "/1.0/profiles/p?project=default",
			       "/1.0/profiles/p?project=default",
			       "/1.0/profiles/q?project=default" };
	char *out;
	const char *p;

	(void)state;
	run_on(&x, "workload/lxd-502");
	res = (struct check_result *)(uintptr_t)result(&x.r, "LXD-INS-001");
	findings_release(&res->findings);
	for (size_t i = 0; i < 3; i++) {
		struct finding *f = findings_add(&res->findings, ST_FAIL,
						 SEV_HIGH, objs[i],
						 "fact %zu", i);

		finding_remedy_cmd(f, "%s", "lxc profile unset p x");
	}
	res->status = ST_FAIL;
	out = render_text(&x.r, 0, "1000");
	/* fact 0 and fact 2 share a group (two objects), fact 1 is shown */
	assert_non_null(strstr(out, "fact 0"));
	assert_non_null(strstr(out, "fact 1"));
	assert_null(strstr(out, "fact 2"));
	p = strstr(out, "2 objects: ");
	assert_non_null(p);
	assert_non_null(strstr(p, "profile/p (default), profile/q (default)"));
	assert_null(strstr(out, "profile/p (default), profile/p (default)"));
	free(out);
	run_release(&x);
}

/* Incus text names no lxc, and its commands are recognised as commands. */
static void
test_text_incus(void **state)
{
	struct run x;
	char *out;

	(void)state;
	run_on(&x, "workload/incus");
	out = render_text(&x.r, REPORT_VERBOSE, "80");
	if (strstr(out, "lxc "))
		fail_msg("Incus text names lxc: %s", strstr(out, "lxc "));
	assert_non_null(strstr(out, "fix: incus profile unset bpf "
				    "security.bpffs.delegate_cmds \\\n"));
	free(out);
	run_release(&x);
}

static void
test_text_min_severity_and_fix_args(void **state)
{
	struct run x;
	char *out;

	(void)state;
	run_on(&x, "snapshot/sample-5.0.2");
	x.r.min_severity = SEV_CRITICAL;
	x.r.fix_args = "--remote=prod --check='LXD-INS-*' --min-severity=critical";
	out = render_text(&x.r, 0, "60");
	assert_non_null(strstr(out, "LXD-INS-003"));
	assert_null(strstr(out, "\n  FAIL   high "));
	assert_non_null(strstr(out, "failing below critical (--min-severity)"));
	/* the command wraps between words, with a backslash, not in quotes */
	if (!strstr(out, "    lxd-harden fix --apply --remote=prod \\\n"
			 "      --check='LXD-INS-*' --min-severity=critical\n"))
		fail_msg("the fix command is not wrapped as expected:\n%s",
			 strstr(out, "Next steps"));
	assert_true(max_width(out) <= 60);
	free(out);
	run_release(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_check_and_skip),
		cmocka_unit_test(test_section_and_policy_conflict),
		cmocka_unit_test(test_project),
		cmocka_unit_test(test_object_short),
		cmocka_unit_test(test_text_width_and_groups),
		cmocka_unit_test(test_text_group_names_objects),
		cmocka_unit_test(test_text_same_object_two_facts),
		cmocka_unit_test(test_text_incus),
		cmocka_unit_test(test_text_min_severity_and_fix_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
