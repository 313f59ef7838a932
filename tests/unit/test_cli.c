/* test_cli.c - "did you mean": edit distance, option and check-id typos */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "cli.h"
#include "util.h"

static void
test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(cli_edit_distance("", ""), 0);
	assert_int_equal(cli_edit_distance("abc", ""), 3);
	assert_int_equal(cli_edit_distance("", "abc"), 3);
	assert_int_equal(cli_edit_distance("kitten", "sitting"), 3);
	/* a swap of neighbours is one edit; case does not count */
	assert_int_equal(cli_edit_distance("audti", "audit"), 1);
	assert_int_equal(cli_edit_distance("FIX", "fix"), 0);
	/* words longer than any option or id are never near */
	{
		char big[200];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(cli_edit_distance(big, "a"), 255);
	}
}

static void
test_nearest(void **state)
{
	static const char *const opts[] = { "fail-on", "fail-on-new", "format",
					     "baseline", "policy", "socket" };
	size_t n = ARRAY_SIZE(opts);

	(void)state;
	assert_string_equal(cli_nearest("fial-on", opts, n), "fail-on");
	assert_string_equal(cli_nearest("formt", opts, n), "format");
	assert_string_equal(cli_nearest("sokcet", opts, n), "socket");
	/* too far to be a typo */
	assert_null(cli_nearest("verbose", opts, n));
	assert_null(cli_nearest("x", opts, n));
	/* two candidates as near: no guess */
	{
		static const char *const two[] = { "abcd", "abce" };

		assert_null(cli_nearest("abcf", two, 2));
	}
}

static void
test_nearest_check(void **state)
{
	(void)state;
	/* the way people type ids: case, prefix, short numbers */
	assert_string_equal(cli_nearest_check("acc-1"), "LXD-ACC-001");
	assert_string_equal(cli_nearest_check("LXD-ACC-01"), "LXD-ACC-001");
	assert_string_equal(cli_nearest_check("ins-003"), "LXD-INS-003");
	/* a typo in the section */
	assert_string_equal(cli_nearest_check("LXD-ISN-001"), "LXD-INS-001");
	assert_string_equal(cli_nearest_check("LXD-AC-001"), "LXD-ACC-001");
	/* nothing like an id */
	assert_null(cli_nearest_check("foo"));
	assert_null(cli_nearest_check(""));
	/* an id as typed is found; a typo is not (only suggested) */
	assert_string_equal(cli_check_find("acc-1")->id, "LXD-ACC-001");
	assert_string_equal(cli_check_find("lxd-ins-03")->id, "LXD-INS-003");
	assert_null(cli_check_find("LXD-ISN-001"));
	assert_null(cli_check_find(""));
	/* every suggestion is a catalog id */
	assert_non_null(catalog_find(cli_nearest_check("dev-2")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_nearest_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
