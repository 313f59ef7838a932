/* test_policy.c - the strict YAML policy loader and its defaults */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "finding.h"
#include "policy.h"

static char *
fixture(const char *name)
{
	const char *dir = getenv("LXDH_TESTDATA");

	return xasprintf("%s/policy/%s", dir ? dir : "tests/data", name);
}

/*
 * Loads a fixture that must fail and checks the whole message, which
 * starts with the file's path; expect is what follows that path.
 */
static void
assert_fails(const char *name, const char *expect)
{
	struct policy p;
	struct diag d = { { 0 } };
	char *path = fixture(name);
	char *want = xasprintf("%s%s", path, expect);

	policy_init(&p);
	assert_int_equal(policy_load(&p, path, &d), -1);
	assert_string_equal(d.msg, want);
	policy_release(&p);
	free(want);
	free(path);
}

static void
test_defaults(void **state)
{
	struct policy p;

	(void)state;
	policy_init(&p);
	assert_null(p.path);
	assert_int_equal(p.token_expiry_max, 900);
	assert_int_equal(p.cert_lifetime_max, 90LL * 86400);
	assert_int_equal(p.expiring_window, 30LL * 86400);
	assert_int_equal(p.oidc_session_max, 86400);
	assert_false(p.admin_members.set);
	assert_false(p.admin_certs.set);
	assert_false(p.admin_identities.set);
	assert_int_equal(p.admin_members.n, 0);
	policy_release(&p);
	policy_release(NULL);
}

static void
test_full(void **state)
{
	struct policy p;
	struct diag d = { { 0 } };
	char *path = fixture("full.yaml");

	(void)state;
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, &d), 0);
	assert_string_equal(p.path, path);
	assert_int_equal(p.token_expiry_max, 15 * 60);
	assert_int_equal(p.cert_lifetime_max, 10 * 86400);
	assert_int_equal(p.expiring_window, 2 * 86400 + 12 * 3600);
	assert_int_equal(p.oidc_session_max, 8 * 3600);

	assert_true(p.admin_members.set);
	assert_int_equal(p.admin_members.n, 2);
	assert_string_equal(p.admin_members.v[0], "alice");
	assert_string_equal(p.admin_members.v[1], "bob");

	assert_true(p.admin_certs.set);
	assert_int_equal(p.admin_certs.n, 2);
	assert_string_equal(p.admin_certs.v[0], "c697be12d807");
	assert_string_equal(p.admin_certs.v[1], "auditor-admin.crt");

	assert_true(p.admin_identities.set);
	assert_int_equal(p.admin_identities.n, 2);
	assert_true(strlist_has(&p.admin_identities,
				"oidc/alice@example.com"));
	assert_true(strlist_has(&p.admin_identities,
				"tls/0123456789abcdef"));
	policy_release(&p);
	free(path);
}

/* Only what the file names changes; an empty list is still "set". */
static void
test_minimal_keeps_defaults(void **state)
{
	struct policy p;
	struct diag d = { { 0 } };
	char *path = fixture("minimal.yaml");

	(void)state;
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, &d), 0);
	assert_int_equal(p.token_expiry_max, 900);
	assert_int_equal(p.cert_lifetime_max, 90LL * 86400);
	assert_int_equal(p.expiring_window, 30LL * 86400);
	assert_true(p.admin_members.set);
	assert_int_equal(p.admin_members.n, 0);
	assert_false(p.admin_certs.set);
	assert_false(p.admin_identities.set);
	policy_release(&p);
	free(path);
}

static void
test_unknown_key(void **state)
{
	(void)state;
	assert_fails("unknown-key.yaml",
		     ":4:3: unknown key 'token_expiry' in 'thresholds'");
	assert_fails("unknown-top.yaml",
		     ":2:1: unknown key 'ignore' at the top level");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	assert_fails("wrong-type-list.yaml",
		     ":3:18: 'admins.group_members' must be a list of "
		     "strings, not a string");
	assert_fails("wrong-type-number.yaml",
		     ":3:21: 'thresholds.token_expiry_max' must be a "
		     "duration such as 15M or 90d, not a number");
	assert_fails("list-item-number.yaml",
		     ":3:32: items of 'admins.certificates' must be "
		     "non-empty strings, not a number (quote it if it is "
		     "a name)");
	assert_fails("version-string.yaml",
		     ":1:10: 'version' must be the integer 1, not a string");
	assert_fails("section-null.yaml",
		     ":2:12: 'thresholds' must be a mapping, not null");
	assert_fails("not-mapping.yaml",
		     ":1:1: a policy must be a mapping, not a list");
}

static void
test_bad_durations(void **state)
{
	(void)state;
	assert_fails("bad-duration.yaml",
		     ":3:22: bad duration '90 d' for "
		     "'thresholds.cert_lifetime_max': each part must be a "
		     "number followed by S, M, H, d or w, parts separated "
		     "by one space (e.g. 15M, 90d, 1d 12H)");
	assert_fails("repeated-unit.yaml",
		     ":3:20: bad duration '1d 2d' for "
		     "'thresholds.expiring_window': a unit is given twice");
}

static void
test_months_years_rejected(void **state)
{
	(void)state;
	/* 15m is fifteen months to LXD, not fifteen minutes */
	assert_fails("months.yaml",
		     ":3:21: bad duration '15m' for "
		     "'thresholds.token_expiry_max': months (m) and years "
		     "(y) are not fixed durations; use d or w");
	assert_fails("years.yaml",
		     ":3:22: bad duration '1y' for "
		     "'thresholds.cert_lifetime_max': months (m) and years "
		     "(y) are not fixed durations; use d or w");
}

static void
test_version(void **state)
{
	(void)state;
	assert_fails("no-version.yaml",
		     ":1:1: missing required key 'version' at the top level");
	assert_fails("version-2.yaml",
		     ":1:10: unsupported policy version 2 (only version 1 "
		     "is known)");
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	assert_fails("duplicate.yaml",
		     ":5:3: duplicate key 'group_members' in 'admins'");
}

static void
test_documents(void **state)
{
	(void)state;
	assert_fails("empty.yaml",
		     ": empty policy (expected a mapping with 'version: 1')");
	assert_fails("syntax.yaml",
		     ":4:1: did not find expected ',' or ']' (while parsing "
		     "a flow sequence at line 3 column 21)");
	assert_fails("two-docs.yaml", ":2:1: more than one YAML document");
}

static void
test_unreadable(void **state)
{
	struct policy p;
	struct diag d = { { 0 } };
	char *path = fixture("no-such-policy.yaml");
	char *want = xasprintf("cannot read policy '%s': No such file or "
			       "directory", path);

	(void)state;
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, &d), -1);
	assert_string_equal(d.msg, want);
	/* a failed load leaves the defaults in place */
	assert_int_equal(p.token_expiry_max, 900);
	policy_release(&p);
	free(want);
	free(path);
}

static void
test_strlist(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	assert_false(strlist_has(&l, "a"));
	assert_false(strlist_has(NULL, "a"));
	strlist_push(&l, "alice");
	strlist_push(&l, "bob");
	assert_int_equal(l.n, 2);
	assert_true(strlist_has(&l, "alice"));
	assert_true(strlist_has(&l, "bob"));
	/* exact compare: no prefixes, no case folding */
	assert_false(strlist_has(&l, "ali"));
	assert_false(strlist_has(&l, "Alice"));
	assert_false(strlist_has(&l, NULL));
	strlist_release(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	strlist_release(NULL);
}

static void
test_gates(void **state)
{
	struct policy p;
	struct diag d = { { 0 } };
	char *path = fixture("gates.yaml");

	(void)state;
	policy_init(&p);
	if (policy_load(&p, path, &d) != 0)
		fail_msg("%s", d.msg);
	assert_int_equal(p.n_skips, 1);
	assert_string_equal(p.skips[0].check, "LXD-GEN-001");
	assert_string_equal(p.skips[0].reason,
			    "pinned to 5.0 by the vendor until the 2027 refresh");
	assert_int_equal(p.n_overrides, 2);
	assert_string_equal(p.overrides[0].check, "LXD-NET-003");
	assert_int_equal(p.overrides[0].severity, SEV_HIGH);
	assert_int_equal(p.overrides[1].severity, SEV_LOW);
	assert_int_equal(p.n_waivers, 2);
	assert_string_equal(p.waivers[0].object, "/1.0/certificates/c697be12*");
	assert_string_equal(p.waivers[0].expires, "2027-03-31");
	/* the waiver holds through the whole expiry day, UTC */
	assert_int_equal(p.waivers[0].expires_at, 1806537599);
	assert_int_equal(p.waivers[0].line, 9);
	assert_null(p.waivers[1].object);
	assert_string_equal(p.waivers[1].expires, "2026-12-31");
	policy_release(&p);
	free(path);
}

static void
test_gate_errors(void **state)
{
	(void)state;
	assert_fails("skip-unknown-check.yaml",
		     ":3:12: unknown check 'LXD-NOPE-001' in 'skip.check' "
		     "(see 'lxd-harden checks')");
	assert_fails("skip-no-reason.yaml",
		     ":3:5: missing required key 'reason' in an item of 'skip'");
	assert_fails("skip-plain-id.yaml",
		     ":2:8: items of 'skip' must be mappings, not a string");
	assert_fails("severity-bad.yaml",
		     ":3:16: 'severity.LXD-NET-003' must be one of critical, "
		     "high, medium, low, info");
	assert_fails("waiver-bad-date.yaml",
		     ":5:14: 'waivers.expires' must be a date YYYY-MM-DD, not "
		     "that");
	assert_fails("waiver-no-reason.yaml",
		     ":3:5: missing required key 'reason' in an item of "
		     "'waivers'");
	assert_fails("waiver-unknown-key.yaml",
		     ":6:5: unknown key 'owner' in an item of 'waivers'");
}

/* Writes text to a new temporary file; returns its path (caller frees). */
static char *
temp_policy(const char *text, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/lxdh-policy.XXXXXX", tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads text as a policy that must fail quickly with expect after path. */
static void
assert_refused_fast(const char *text, size_t len, const char *expect)
{
	struct policy p;
	struct diag d = { { 0 } };
	char *path = temp_policy(text, len);
	char *want = xasprintf("%s%s", path, expect);
	double t0 = seconds_now();

	policy_init(&p);
	assert_int_equal(policy_load(&p, path, &d), -1);
	/* libyaml alone spends minutes on the 600 KB case */
	assert_true(seconds_now() - t0 < 2.0);
	assert_string_equal(d.msg, want);
	policy_release(&p);
	unlink(path);
	free(want);
	free(path);
}

static void
test_nesting_and_size_caps(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 300000;

	(void)state;
	/* 600 KB of nested flow lists */
	strbuf_addstr(&sb, "version: 1\nskip: ");
	for (size_t i = 0; i < n; i++)
		strbuf_addch(&sb, '[');
	for (size_t i = 0; i < n; i++)
		strbuf_addch(&sb, ']');
	strbuf_addch(&sb, '\n');
	assert_true(sb.len > 600000);
	assert_refused_fast(sb.buf, sb.len,
			    ":2:22: nested deeper than 16 levels (the cap on "
			    "a policy's nesting)");

	/* nested block mappings: the cap counts the same levels */
	sb.len = 0;
	strbuf_addstr(&sb, "version: 1\n");
	for (size_t i = 0; i < 17; i++) {
		for (size_t j = 0; j < i; j++)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, "k:\n");
	}
	for (size_t j = 0; j < 17; j++)
		strbuf_addch(&sb, ' ');
	strbuf_addstr(&sb, "v\n");
	assert_refused_fast(sb.buf, sb.len,
			    ":18:17: nested deeper than 16 levels (the cap on "
			    "a policy's nesting)");

	/* 16 levels are within the cap: the schema decides */
	sb.len = 0;
	strbuf_addstr(&sb, "version: 1\nskip:\n  - ");
	for (size_t i = 0; i < 14; i++)
		strbuf_addch(&sb, '[');
	for (size_t i = 0; i < 14; i++)
		strbuf_addch(&sb, ']');
	strbuf_addch(&sb, '\n');
	assert_refused_fast(sb.buf, sb.len,
			    ":3:5: items of 'skip' must be mappings, not a "
			    "list");

	/* a flat list of more values than any policy needs */
	sb.len = 0;
	strbuf_addstr(&sb, "version: 1\nadmins:\n  members:\n");
	for (size_t i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "  - u\n");
	assert_refused_fast(sb.buf, sb.len,
			    ":99997:5: more than 100000 values (the cap on a "
			    "policy's size)");
	strbuf_release(&sb);
}

static void
test_example_ships_and_loads(void **state)
{
	struct policy p;
	struct diag d = { { 0 } };
	const char *src = getenv("LXDH_SRCDIR");
	char *path = xasprintf("%s/examples/policy.yaml", src ? src : ".");

	(void)state;
	policy_init(&p);
	if (policy_load(&p, path, &d) != 0)
		fail_msg("%s", d.msg);
	assert_true(p.admin_certs.set);
	assert_true(p.n_waivers >= 1);
	policy_release(&p);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_gate_errors),
		cmocka_unit_test(test_example_ships_and_loads),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_keeps_defaults),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_durations),
		cmocka_unit_test(test_months_years_rejected),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_strlist),
		cmocka_unit_test(test_nesting_and_size_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
