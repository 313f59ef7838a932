/* test_escape.c - no server string reaches a terminal as a control code */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "escape.h"

static void
check_term(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	escape_term(&sb, in);
	assert_string_equal(sb.buf ? sb.buf : "", want);
	strbuf_release(&sb);
}

static void
test_term(void **state)
{
	(void)state;
	check_term("plain name", "plain name");
	check_term("", "");
	check_term("\033[2J\033]0;pwned\007", "\\x1b[2J\\x1b]0;pwned\\x07");
	check_term("a\nb\tc\rd", "a\\x0ab\\x09c\\x0dd");
	check_term("del\x7f", "del\\x7f");
	check_term("back\\slash", "back\\\\slash");
	/* C1 CSI (U+009B) encoded in UTF-8 */
	check_term("x\xc2\x9b" "31m", "x\\x9b31m");
	/* valid multibyte text passes through */
	check_term("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
		   "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
	/* invalid UTF-8: lone continuation, overlong, truncated, surrogate */
	check_term("\x80", "\\x80");
	check_term("\xc0\xaf", "\\xc0\\xaf");
	check_term("\xe2\x82", "\\xe2\\x82");
	check_term("\xed\xa0\x80", "\\xed\\xa0\\x80");
}

static void
test_utf8_valid(void **state)
{
	char *s;

	(void)state;
	s = escape_utf8_valid("ok \xc3\xa9");
	assert_string_equal(s, "ok \xc3\xa9");
	free(s);
	s = escape_utf8_valid("bad \xff end");
	assert_string_equal(s, "bad \xef\xbf\xbd end");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term),
		cmocka_unit_test(test_utf8_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
