/* test_report.c - text and JSON writers: shape, counts, escaping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report.h"

static void
eval_none(const struct check *c, const struct check_ctx *x,
	  struct findings *out)
{
	(void)c;
	(void)x;
	(void)out;
}

static const struct check fake_checks[] = {
	{
		.id = "LXD-NET-901",
		.title = "A failing check",
		.severity = SEV_MEDIUM,
		.rationale = "Because.",
		.reads = "Nothing.",
		.remediation = "Do the thing.",
		.eval = eval_none,
	},
	{
		.id = "LXD-NET-902",
		.title = "A passing check",
		.severity = SEV_LOW,
		.rationale = "Because.",
		.reads = "Nothing.",
		.remediation = "Nothing to do.",
		.eval = eval_none,
	},
};

#define HOSTILE "evil\033]0;owned\007\033[2J<script>alert(1)</script>\xff"

static void
build(struct report *r)
{
	struct finding *f;

	memset(r, 0, sizeof(*r));
	r->n = 2;
	r->results = xcalloc(2, sizeof(*r->results));
	r->results[0].check = &fake_checks[0];
	f = findings_add(&r->results[0].findings, ST_FAIL, SEV_CRITICAL,
			 "/1.0/instances/" HOSTILE "?project=default",
			 "bad value %s", HOSTILE);
	finding_key(f, "user." HOSTILE, HOSTILE, "/1.0/profiles/p?project=default");
	finding_device(f, "eth0");
	finding_remedy_cmd(f, "lxc config unset x");
	r->results[0].status = engine_status(&r->results[0].findings);
	r->results[0].severity = SEV_CRITICAL;
	r->results[1].check = &fake_checks[1];
	r->results[1].status = engine_status(&r->results[1].findings);
	r->results[1].severity = SEV_LOW;
	r->counts[ST_FAIL] = 1;
	r->counts[ST_PASS] = 1;
	r->endpoint = "unix:///var/lib/lxd/unix.socket";
	r->product = "lxd";
	r->server_name = "host\033[31m";
	r->server_version = "5.0.2";
	r->generated_at = 1795880000;
	r->requests = 12;
}

static char *
render(const char *format, unsigned flags)
{
	struct report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	build(&r);
	assert_int_equal(report_format_find(format)->write(f, &r, flags), 0);
	fclose(f);
	engine_report_release(&r);
	return buf;
}

static void
test_text_escapes(void **state)
{
	char *out = render("text", 0);

	(void)state;
	assert_null(strchr(out, '\033'));
	assert_null(strchr(out, '\007'));
	assert_non_null(strstr(out, "evil\\x1b]0;owned\\x07\\x1b[2J"));
	assert_non_null(strstr(out, "\\xff"));
	assert_non_null(strstr(out, "FAIL"));
	assert_non_null(strstr(out, "fix: lxc config unset x"));
	assert_non_null(strstr(out, "summary: 1 fail, 0 error, 0 manual, 1 pass"));
	free(out);
}

static void
test_text_color_only_when_asked(void **state)
{
	char *out = render("text", REPORT_COLOR);

	(void)state;
	/* our own colour codes, but still none from the server */
	assert_non_null(strstr(out, "\033[31m"));
	assert_null(strstr(out, "\033]0;"));
	assert_null(strstr(out, "\033[2J"));
	free(out);
}

static void
test_json_shape(void **state)
{
	char *out = render("json", 0);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err), *res, *f;

	(void)state;
	if (!j)
		fail_msg("report is not JSON: %s", err.text);
	assert_string_equal(json_string_value(json_object_get(j, "schema")),
			    "lxd-harden/report/v1");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "tool"), "name")), "lxd-harden");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "target"), "server_version")), "5.0.2");
	assert_true(json_is_false(json_object_get(json_object_get(j, "target"),
						  "clustered")));
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(j, "summary"), "fail")), 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(j, "summary"), "pass")), 1);
	res = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "id")),
			    "LXD-NET-901");
	assert_string_equal(json_string_value(json_object_get(res, "status")),
			    "fail");
	assert_string_equal(json_string_value(json_object_get(res, "severity")),
			    "critical");
	f = json_array_get(json_object_get(res, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "device")),
			    "eth0");
	assert_string_equal(json_string_value(json_object_get(f, "source")),
			    "/1.0/profiles/p?project=default");
	/* the value survives as data; invalid UTF-8 becomes U+FFFD */
	assert_string_equal(json_string_value(json_object_get(f, "value")),
			    "evil\033]0;owned\007\033[2J<script>alert(1)</script>"
			    "\xef\xbf\xbd");
	/* and no raw control byte is in the serialised document */
	assert_null(strchr(out, '\033'));
	json_decref(j);
	free(out);
}

static void
test_unknown_format(void **state)
{
	(void)state;
	assert_null(report_format_find("yaml"));
	assert_non_null(report_format_find("text"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_text_color_only_when_asked),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_unknown_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
