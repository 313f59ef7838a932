/* test_gate.c - waivers, severity overrides, baseline and gating */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gate.h"
#include "report.h"

static void
eval_none(const struct check *c, const struct check_ctx *x,
	  struct findings *out)
{
	(void)c;
	(void)x;
	(void)out;
}

static const struct check checks[] = {
	{ .id = "LXD-ACC-906", .title = "Certs", .severity = SEV_MEDIUM,
	  .rationale = "R.", .reads = "R.", .remediation = "R.",
	  .eval = eval_none },
	{ .id = "LXD-NET-901", .title = "Listeners", .severity = SEV_HIGH,
	  .rationale = "R.", .reads = "R.", .remediation = "R.",
	  .eval = eval_none },
};

#define NOW 1795880000LL	/* 2026-11-28T15:33:20Z */

static void
build(struct report *r)
{
	struct findings *fs;

	memset(r, 0, sizeof(*r));
	r->n = 2;
	r->results = xcalloc(2, sizeof(*r->results));
	r->results[0].check = &checks[0];
	fs = &r->results[0].findings;
	findings_add(fs, ST_FAIL, SEV_MEDIUM, "/1.0/certificates/aaaa1111",
		     "unrestricted");
	findings_add(fs, ST_FAIL, SEV_MEDIUM, "/1.0/certificates/bbbb2222",
		     "unrestricted");
	r->results[1].check = &checks[1];
	fs = &r->results[1].findings;
	finding_key(findings_add(fs, ST_FAIL, SEV_HIGH, "/1.0", "wildcard"),
		    "core.https_address", ":8443", "/1.0");
	for (size_t i = 0; i < r->n; i++) {
		r->results[i].status = engine_status(&r->results[i].findings);
		r->results[i].severity = r->results[i].check->severity;
		r->counts[r->results[i].status]++;
	}
}

static struct policy_waiver
waiver(const char *check, const char *object, const char *expires,
       long long at)
{
	struct policy_waiver w = { 0 };

	w.check = (char *)(uintptr_t)check;
	w.object = (char *)(uintptr_t)object;
	w.reason = (char *)(uintptr_t)"break-glass admin, kept offline";
	w.expires = (char *)(uintptr_t)expires;
	w.expires_at = at;
	w.line = 7;
	return w;
}

static void
test_waiver_partial_and_full(void **state)
{
	struct report r;
	struct policy p = { 0 };
	struct policy_waiver w[1];

	(void)state;
	build(&r);
	w[0] = waiver("LXD-ACC-906", "/1.0/certificates/aaaa*", "2027-01-31",
		      NOW + 86400 * 60);
	p.waivers = w;
	p.n_waivers = 1;
	gate_apply_policy(&r, &p, NOW);
	/* one of two findings waived: the check still fails */
	assert_int_equal(r.results[0].findings.v[0].status, ST_WAIVED);
	assert_string_equal(r.results[0].findings.v[0].waiver_reason,
			    "break-glass admin, kept offline");
	assert_string_equal(r.results[0].findings.v[0].waiver_expires,
			    "2027-01-31");
	assert_int_equal(r.results[0].findings.v[1].status, ST_FAIL);
	assert_int_equal(r.results[0].status, ST_FAIL);
	engine_report_release(&r);

	build(&r);
	w[0] = waiver("LXD-ACC-906", NULL, "2027-01-31", NOW + 86400 * 60);
	gate_apply_policy(&r, &p, NOW);
	assert_int_equal(r.results[0].status, ST_WAIVED);
	assert_int_equal(r.counts[ST_WAIVED], 1);
	assert_int_equal(r.counts[ST_FAIL], 1);
	assert_int_equal(r.n_notes, 0);
	/* waived still counts against the score: 0 of 3+6 */
	assert_true(r.score == 0.0);
	assert_true(gate_fails(&r, SEV_HIGH, false));
	assert_false(gate_fails(&r, SEV_CRITICAL, false));
	engine_report_release(&r);
}

static void
test_expired_and_unused_waivers_reported(void **state)
{
	struct report r;
	struct policy p = { 0 };
	struct policy_waiver w[2];

	(void)state;
	build(&r);
	w[0] = waiver("LXD-ACC-906", NULL, "2026-11-01", NOW - 86400 * 27);
	w[1] = waiver("LXD-NET-901", "/1.0/nothing*", "2027-01-31",
		      NOW + 86400);
	p.waivers = w;
	p.n_waivers = 2;
	gate_apply_policy(&r, &p, NOW);
	assert_int_equal(r.results[0].status, ST_FAIL);
	assert_null(r.results[0].findings.v[0].waiver_reason);
	assert_int_equal(r.n_notes, 2);
	assert_non_null(strstr(r.notes[0], "expired on 2026-11-01"));
	assert_non_null(strstr(r.notes[0], "line 7"));
	assert_non_null(strstr(r.notes[1], "matches no failing finding"));
	engine_report_release(&r);
}

/*
 * Waivers are tried in the policy's order whatever part of the object
 * they spell out (gate.c looks them up by their literal prefix): an
 * expired exact one, then a pattern, then an exact one and one for every
 * object that the pattern leaves unused. '?' is a pattern character, as
 * in every object URL with a project.
 */
static void
test_waiver_order(void **state)
{
	struct report r;
	struct policy p = { 0 };
	struct policy_waiver w[5];
	long long later = NOW + 86400 * 60;

	(void)state;
	build(&r);
	w[0] = waiver("LXD-ACC-906", "/1.0/certificates/aaaa1111",
		      "2026-11-01", NOW - 86400 * 27);
	w[1] = waiver("LXD-ACC-906", "/1.0/cert*", "2027-01-31", later);
	w[1].reason = (char *)(uintptr_t)"the pattern";
	w[2] = waiver("LXD-ACC-906", "/1.0/certificates/bbbb2222",
		      "2027-01-31", later);
	w[3] = waiver("LXD-ACC-906", NULL, "2027-01-31", later);
	w[4] = waiver("LXD-NET-901", "/1.0?", "2027-01-31", later);
	w[0].line = 1;
	w[2].line = 3;
	w[3].line = 4;
	p.waivers = w;
	p.n_waivers = 5;
	gate_apply_policy(&r, &p, NOW);
	assert_string_equal(r.results[0].findings.v[0].waiver_reason,
			    "the pattern");
	assert_string_equal(r.results[0].findings.v[1].waiver_reason,
			    "the pattern");
	/* "/1.0?" needs a character after /1.0: the server's object has none */
	assert_int_equal(r.results[1].findings.v[0].status, ST_FAIL);
	assert_int_equal(r.n_notes, 4);
	assert_non_null(strstr(r.notes[0], "(line 1) expired"));
	assert_non_null(strstr(r.notes[1], "(line 3) matches no failing"));
	assert_non_null(strstr(r.notes[2], "(line 4) matches no failing"));
	assert_non_null(strstr(r.notes[3], "'/1.0?'"));
	engine_report_release(&r);

	/* the exact one first: it wins for its object, the pattern elsewhere */
	build(&r);
	w[0] = w[2];
	w[0].reason = (char *)(uintptr_t)"exact";
	p.n_waivers = 2;
	gate_apply_policy(&r, &p, NOW);
	assert_string_equal(r.results[0].findings.v[0].waiver_reason,
			    "the pattern");
	assert_string_equal(r.results[0].findings.v[1].waiver_reason, "exact");
	assert_int_equal(r.n_notes, 0);
	engine_report_release(&r);
}

static void
test_severity_override(void **state)
{
	struct report r;
	struct policy p = { 0 };
	struct policy_override o = { (char *)(uintptr_t)"LXD-NET-901",
				     SEV_CRITICAL };

	(void)state;
	build(&r);
	p.overrides = &o;
	p.n_overrides = 1;
	gate_apply_policy(&r, &p, NOW);
	assert_int_equal(r.results[1].severity, SEV_CRITICAL);
	assert_int_equal(r.results[1].findings.v[0].severity, SEV_CRITICAL);
	assert_true(gate_fails(&r, SEV_CRITICAL, false));
	engine_report_release(&r);
}

static char *
write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/lxdh-baseline-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_baseline(void **state)
{
	struct report r;
	struct diag d;
	char *path = write_tmp(
		"{\"schema\":\"lxd-harden/report/v1\",\"results\":["
		"{\"id\":\"LXD-ACC-906\",\"findings\":["
		"{\"object\":\"/1.0/certificates/aaaa1111\",\"status\":\"fail\","
		"\"severity\":\"medium\",\"message\":\"unrestricted\"},"
		"{\"object\":\"/1.0/certificates/gone\",\"status\":\"fail\","
		"\"severity\":\"medium\",\"message\":\"was unrestricted\"}]},"
		"{\"id\":\"LXD-NET-901\",\"findings\":["
		"{\"object\":\"/1.0\",\"key\":\"core.https_address\","
		"\"status\":\"fail\",\"severity\":\"high\",\"message\":\"x\"}]}"
		"]}");

	(void)state;
	build(&r);
	assert_int_equal(gate_apply_baseline(&r, path, &d), 0);
	assert_int_equal(r.results[0].findings.v[0].baseline, BASELINE_KNOWN);
	assert_int_equal(r.results[0].findings.v[1].baseline, BASELINE_NEW);
	assert_int_equal(r.results[1].findings.v[0].baseline, BASELINE_KNOWN);
	assert_int_equal(r.fixed_since.n, 1);
	assert_string_equal(r.fixed_ids[0], "LXD-ACC-906");
	assert_string_equal(r.fixed_since.v[0].object,
			    "/1.0/certificates/gone");
	/* only the new medium finding counts with --fail-on-new */
	assert_true(gate_fails(&r, SEV_MEDIUM, true));
	assert_false(gate_fails(&r, SEV_HIGH, true));
	assert_true(gate_fails(&r, SEV_HIGH, false));
	engine_report_release(&r);
	unlink(path);
	free(path);
}

/*
 * A baseline of many findings, found by lookup in the report being made:
 * what is gone is exactly what a comparison with every current finding
 * gives, in the old report's order. The report holds findings on objects
 * 0, 2, 4 ... (every third a pass, which counts as gone); the baseline
 * has objects 0 to 299 on one key, and on another key for object 0.
 */
static void
test_baseline_many(void **state)
{
	struct report r;
	struct diag d;
	struct strbuf sb = STRBUF_INIT;
	struct findings *fs;
	size_t want = 0, k = 0;
	char *path;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.n = 1;
	r.results = xcalloc(1, sizeof(*r.results));
	r.results[0].check = &checks[1];
	fs = &r.results[0].findings;
	for (size_t i = 0; i < 300; i += 2) {
		char obj[32];

		snprintf(obj, sizeof(obj), "/1.0/instances/c%zu", i);
		finding_key(findings_add(fs, i % 3 ? ST_FAIL : ST_PASS,
					 SEV_HIGH, obj, "x"),
			    "security.nesting", "true", "instance");
	}
	r.results[0].status = ST_FAIL;
	r.results[0].severity = SEV_HIGH;
	strbuf_addstr(&sb, "{\"schema\":\"lxd-harden/report/v1\",\"results\":"
			   "[{\"id\":\"LXD-NET-901\",\"findings\":[");
	for (size_t i = 0; i < 300; i++)
		strbuf_addf(&sb, "%s{\"object\":\"/1.0/instances/c%zu\","
				 "\"key\":\"security.nesting\",\"status\":"
				 "\"fail\",\"severity\":\"high\"}",
			    i ? "," : "", i);
	strbuf_addstr(&sb, ",{\"object\":\"/1.0/instances/c2\",\"key\":"
			   "\"security.privileged\",\"status\":\"fail\","
			   "\"severity\":\"high\"}]}]}");
	path = write_tmp(sb.buf);
	assert_int_equal(gate_apply_baseline(&r, path, &d), 0);
	for (size_t i = 0; i < 300; i++) {
		bool still = false;
		char obj[32];

		snprintf(obj, sizeof(obj), "/1.0/instances/c%zu", i);
		for (size_t m = 0; m < fs->n && !still; m++)
			still = fs->v[m].status == ST_FAIL &&
				str_eq(fs->v[m].object, obj);
		if (still)
			continue;
		want++;
		assert_true(k < r.fixed_since.n);
		assert_string_equal(r.fixed_since.v[k].object, obj);
		assert_string_equal(r.fixed_ids[k++], "LXD-NET-901");
	}
	/* the other key of c2 is gone too, last as in the old report */
	assert_int_equal(r.fixed_since.n, want + 1);
	assert_string_equal(r.fixed_since.v[want].key, "security.privileged");
	assert_string_equal(r.fixed_since.v[want].object, "/1.0/instances/c2");
	engine_report_release(&r);
	strbuf_release(&sb);
	unlink(path);
	free(path);
}

static void
test_baseline_errors(void **state)
{
	struct report r;
	struct diag d;
	char *path = write_tmp("{\"schema\":\"other\",\"results\":[]}");

	(void)state;
	build(&r);
	assert_int_equal(gate_apply_baseline(&r, path, &d), -1);
	assert_non_null(strstr(d.msg, "is not a lxd-harden JSON report"));
	unlink(path);
	free(path);
	path = write_tmp("{\"schema\":");
	assert_int_equal(gate_apply_baseline(&r, path, &d), -1);
	assert_non_null(strstr(d.msg, "cannot read baseline"));
	assert_non_null(strstr(d.msg, "line 1"));
	unlink(path);
	/* a file that is not there: its path, the reason, what it must be */
	assert_int_equal(gate_apply_baseline(&r, path, &d), -1);
	{
		char *want = xasprintf("cannot read baseline '%s': No such "
				       "file or directory (a baseline is the "
				       "JSON report of an earlier audit: "
				       "'lxd-harden audit --format json -o "
				       "FILE')", path);

		assert_string_equal(d.msg, want);
		free(want);
	}
	free(path);
	engine_report_release(&r);
}

static long long
epoch(const char *s)
{
	long long t = 0;

	assert_int_equal(parse_rfc3339(s, &t), 0);
	return t;
}

/* A format's output of r, NUL-terminated. Caller frees. */
static char *
render(const struct report *r, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_format_find(format)->write(f, r, 0), 0);
	fclose(f);
	return buf;
}

static void
test_first_seen_carried(void **state)
{
	struct report r;
	struct diag d;
	char since[64], *out;
	json_t *j;
	/* aaaa1111 since Nov 1; the listener from a report without
	   first_seen (as 0.2.0 wrote them): since that report's time */
	char *path = write_tmp(
		"{\"schema\":\"lxd-harden/report/v1\","
		"\"generated_at\":\"2026-11-20T08:00:00Z\",\"results\":["
		"{\"id\":\"LXD-ACC-906\",\"findings\":["
		"{\"object\":\"/1.0/certificates/aaaa1111\",\"status\":\"fail\","
		"\"first_seen\":\"2026-11-01T00:00:00Z\"},"
		"{\"object\":\"/1.0/certificates/aaaa1111\",\"status\":\"fail\","
		"\"first_seen\":\"2026-11-05T00:00:00Z\"}]},"
		"{\"id\":\"LXD-NET-901\",\"findings\":["
		"{\"object\":\"/1.0\",\"key\":\"core.https_address\","
		"\"status\":\"fail\"}]}]}");

	(void)state;
	build(&r);
	r.generated_at = NOW;
	assert_int_equal(gate_apply_baseline(&r, path, &d), 0);
	/* the earlier of duplicates wins */
	assert_int_equal(r.results[0].findings.v[0].first_seen,
			 epoch("2026-11-01T00:00:00Z"));
	/* new: this run */
	assert_int_equal(engine_first_seen(&r, &r.results[0].findings.v[1]),
			 NOW);
	assert_int_equal(r.results[1].findings.v[0].first_seen,
			 epoch("2026-11-20T08:00:00Z"));
	assert_int_equal(engine_oldest_open(&r, &r.results[0]),
			 epoch("2026-11-01T00:00:00Z"));

	report_open_since(&r, &r.results[0], since, sizeof(since));
	assert_string_equal(since, "open since 2026-11-01 (27 days)");
	report_open_since(&r, &r.results[1], since, sizeof(since));
	assert_string_equal(since, "open since 2026-11-20 (8 days)");

	out = render(&r, "json");
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(
							   json_array_get(json_object_get(j, "results"), 0),
							   "findings"),
						   1),
				    "first_seen")),
			    "2026-11-28T15:33:20Z");
	json_decref(j);
	free(out);

	out = render(&r, "prometheus");
	assert_non_null(strstr(out, "lxd_harden_oldest_finding_first_seen_"
				    "timestamp_seconds{id=\"LXD-ACC-906\","
				    "severity=\"medium\",section=\"Access\"} "
				    "1793491200\n"));
	assert_non_null(strstr(out, "lxd_harden_new_findings{severity="
				    "\"medium\"} 1\n"));
	assert_non_null(strstr(out, "lxd_harden_new_findings{severity="
				    "\"high\"} 0\n"));
	assert_non_null(strstr(out, "lxd_harden_open_findings{severity="
				    "\"high\"} 1\n"));
	free(out);

	out = render(&r, "text");
	assert_non_null(strstr(out, "open since 2026-11-01 (27 days)"));
	free(out);
	out = render(&r, "html");
	assert_non_null(strstr(out, "<div class=\"muted\">open since "
				    "2026-11-20 (8 days)</div>"));
	free(out);

	/* fixed now: no open finding, nothing to show */
	r.results[1].findings.v[0].status = ST_PASS;
	report_open_since(&r, &r.results[1], since, sizeof(since));
	assert_string_equal(since, "");
	assert_int_equal(engine_oldest_open(&r, &r.results[1]), -1);
	engine_report_release(&r);
	unlink(path);
	free(path);
}

static void
test_first_seen_bad(void **state)
{
	struct report r;
	struct diag d;
	char *path = write_tmp(
		"{\"schema\":\"lxd-harden/report/v1\",\"results\":["
		"{\"id\":\"LXD-ACC-906\",\"findings\":["
		"{\"object\":\"/1.0/certificates/aaaa1111\",\"status\":\"fail\","
		"\"first_seen\":\"last tuesday\"}]}]}");

	(void)state;
	build(&r);
	assert_int_equal(gate_apply_baseline(&r, path, &d), -1);
	assert_non_null(strstr(d.msg, "results[0].findings[0].first_seen is "
				      "not an RFC 3339 time"));
	assert_false(r.has_baseline);
	unlink(path);
	free(path);
	/* a passing finding is read as little as possible, and keeps its
	   place: the bad one is still findings[1] */
	path = write_tmp(
		"{\"schema\":\"lxd-harden/report/v1\",\"notes\":[\"n\"],"
		"\"fixed_since_baseline\":[{\"object\":\"/1.0\"}],"
		"\"results\":[{\"id\":\"LXD-ACC-906\",\"title\":\"t\","
		"\"findings\":[{\"object\":\"/1.0\",\"status\":\"pass\","
		"\"first_seen\":\"never\",\"remedy\":{\"commands\":[]}},"
		"{\"object\":\"/1.0/certificates/aaaa1111\",\"status\":\"fail\","
		"\"remedy\":{\"commands\":[\"x\"]},\"first_seen\":\"soon\"}]}]}");
	assert_int_equal(gate_apply_baseline(&r, path, &d), -1);
	assert_non_null(strstr(d.msg, "results[0].findings[1].first_seen is "
				      "not an RFC 3339 time"));
	unlink(path);
	free(path);
	path = write_tmp("{\"schema\":\"lxd-harden/report/v1\","
			 "\"generated_at\":7,\"results\":[]}");
	assert_int_equal(gate_apply_baseline(&r, path, &d), -1);
	assert_non_null(strstr(d.msg, "generated_at is not an RFC 3339 time"));
	unlink(path);
	free(path);
	engine_report_release(&r);
}

static void
test_first_seen_json(void **state)
{
	struct diag d;
	json_t *old = json_loads(
		"{\"generated_at\":\"2026-11-20T00:00:00Z\",\"results\":["
		"{\"id\":\"A\",\"findings\":["
		"{\"object\":\"/1.0\",\"status\":\"fail\","
		"\"first_seen\":\"2026-11-02T00:00:00Z\"},"
		"{\"object\":\"/1.0/x\",\"status\":\"error\"}]}]}", 0, NULL);
	json_t *cur = json_loads(
		"{\"generated_at\":\"2026-11-28T00:00:00Z\",\"results\":["
		"{\"id\":\"A\",\"findings\":["
		"{\"object\":\"/1.0\",\"status\":\"fail\"},"
		"{\"object\":\"/1.0/x\",\"status\":\"error\","
		"\"first_seen\":\"2026-10-01T00:00:00Z\"},"
		"{\"object\":\"/1.0/y\",\"status\":\"waived\"},"
		"{\"object\":\"/1.0/z\",\"status\":\"pass\"}]}]}", 0, NULL);
	json_t *fs;

	(void)state;
	assert_non_null(old);
	assert_non_null(cur);
	assert_int_equal(gate_carry_first_seen_json(cur, old, &d), 0);
	fs = json_object_get(json_array_get(json_object_get(cur, "results"), 0),
			     "findings");
	/* from the old report */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(fs, 0), "first_seen")),
			    "2026-11-02T00:00:00Z");
	/* its own is earlier than the old report's generated_at */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(fs, 1), "first_seen")),
			    "2026-10-01T00:00:00Z");
	/* not in the old one: cur's time */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(fs, 2), "first_seen")),
			    "2026-11-28T00:00:00Z");
	assert_null(json_object_get(json_array_get(fs, 3), "first_seen"));

	json_object_del(cur, "generated_at");
	assert_int_equal(gate_carry_first_seen_json(cur, old, &d), -1);
	assert_non_null(strstr(d.msg, "no RFC 3339 generated_at"));
	json_decref(old);
	json_decref(cur);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waiver_partial_and_full),
		cmocka_unit_test(test_expired_and_unused_waivers_reported),
		cmocka_unit_test(test_waiver_order),
		cmocka_unit_test(test_severity_override),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_baseline_many),
		cmocka_unit_test(test_baseline_errors),
		cmocka_unit_test(test_first_seen_carried),
		cmocka_unit_test(test_first_seen_bad),
		cmocka_unit_test(test_first_seen_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
