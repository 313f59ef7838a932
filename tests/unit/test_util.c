/* test_util.c - allocation helpers, strbuf, time parsing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void
test_rfc3339(void **state)
{
	long long t;

	(void)state;
	assert_int_equal(parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(parse_rfc3339("2026-11-28T14:57:54.291947361Z", &t),
			 0);
	assert_int_equal(t, 1795877874);
	assert_int_equal(parse_rfc3339("2026-11-28T16:57:54+02:00", &t), 0);
	assert_int_equal(t, 1795877874);
	assert_int_equal(parse_rfc3339("2024-02-29T12:00:00-01:30", &t), 0);
	assert_int_equal(t, 1709213400);
	assert_int_equal(parse_rfc3339("2026-11-28", &t), -1);
	assert_int_equal(parse_rfc3339("2026-13-28T00:00:00Z", &t), -1);
	assert_int_equal(parse_rfc3339("2026-11-28T00:00:00", &t), -1);
	assert_int_equal(parse_rfc3339("2026-11-28T00:00:00Zjunk", &t), -1);
	assert_int_equal(parse_rfc3339("2026-11-28T00:00:00.Z", &t), -1);
	assert_int_equal(parse_rfc3339(NULL, &t), -1);
}

static void
test_format_rfc3339(void **state)
{
	char buf[32];

	(void)state;
	format_rfc3339(1795880000, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T15:33:20Z");
}

static void
test_strbuf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)state;
	for (int i = 0; i < 100; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_true(str_starts_with(sb.buf, "0,1,2,"));
	assert_true(str_ends_with(sb.buf, "98,99,"));
	assert_int_equal(sb.len, strlen(sb.buf));
	s = strbuf_detach(&sb);
	assert_null(sb.buf);
	free(s);
	s = strbuf_detach(&sb);
	assert_string_equal(s, "");
	free(s);
}

static void
test_strings(void **state)
{
	char *s;

	(void)state;
	assert_true(str_eq(NULL, NULL));
	assert_false(str_eq("a", NULL));
	assert_true(str_empty(""));
	assert_true(str_empty(NULL));
	assert_false(str_ends_with("a", "abc"));
	s = xasprintf("%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	free(s);
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
}

static void
test_now_epoch(void **state)
{
	(void)state;
	setenv("SOURCE_DATE_EPOCH", "12345", 1);
	assert_int_equal(now_epoch(), 12345);
	setenv("SOURCE_DATE_EPOCH", "garbage", 1);
	assert_true(now_epoch() > 1700000000);
}

static void
test_read_file_missing(void **state)
{
	struct diag d;

	(void)state;
	assert_null(read_file("/nonexistent/x", NULL, &d));
	assert_string_equal(d.msg,
			    "cannot open '/nonexistent/x': No such file or directory");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_format_rfc3339),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_now_epoch),
		cmocka_unit_test(test_read_file_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
