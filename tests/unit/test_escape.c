/* test_escape.c - no server string reaches a terminal as a control code */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "escape.h"
#include "report.h"

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

/*
 * A command pastes as it is when only its backslashes would change;
 * anything else is shown escaped, backslashes doubled too.
 */
static void
test_cmd(void **state)
{
	static const char *const same[] = {
		"printf '%s\\n' '-w /usr/bin/lxc -p x' >> /etc/a.rules",
		"lxc config set c1 raw.lxc='a\\b' --project default",
		"caf\xc3\xa9 \xe2\x82\xac", "",
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		strbuf_release(&sb);
		escape_cmd(&sb, same[i]);
		assert_string_equal(sb.buf ? sb.buf : "", same[i]);
		assert_string_equal(cmdq(same[i]), same[i]);
	}
	strbuf_release(&sb);
	escape_cmd(&sb, "lxc delete 'a\\b\033[2J'");
	assert_string_equal(sb.buf, "lxc delete 'a\\\\b\\x1b[2J'");
	strbuf_release(&sb);
	/* an invisible character or a bad byte: escaped too */
	assert_string_equal(cmdq("x\xe2\x80\xae\\"), "x\\u202e\\\\");
	assert_string_equal(cmdq("\xff\\"), "\\xff\\\\");
}

static void
test_term_invisible(void **state)
{
	(void)state;
	/* bidi override, isolates, zero-width space and joiner, BOM */
	check_term("a\xe2\x80\xae" "b", "a\\u202eb");
	check_term("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		   "\\u202a\\u202b\\u202c\\u202d");
	check_term("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069");
	check_term("\xe2\x80\x8b\xe2\x80\x8f\xef\xbb\xbf",
		   "\\u200b\\u200f\\ufeff");
	check_term("\xd8\x9c", "\\u061c");
	check_term("\xe2\x80\xa8", "\\u2028");
	/* neighbours that are printable stay as they are */
	check_term("\xe2\x80\x90\xe2\x80\xaf", "\xe2\x80\x90\xe2\x80\xaf");
	/* every C1 control, and DEL */
	for (unsigned c = 0x80; c < 0xa0; c++) {
		char in[3] = { (char)0xc2, (char)c, 0 }, want[8];

		snprintf(want, sizeof(want), "\\x%02x", c);
		check_term(in, want);
	}
}

/* Runs "printf '%s\n' WORD" in shell; returns what it printed. */
static char *
shell_echo(const char *shell, const char *word, const char *dir)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char buf[256];
	size_t n;
	FILE *p;
	char *script;

	strbuf_addf(&cmd, "cd %s && printf '%%s|' ", dir);
	escape_sh(&cmd, word);
	script = strbuf_detach(&cmd);
	escape_sh(&cmd, script);
	free(script);
	script = xasprintf("%s -c %s", shell, cmd.buf);
	strbuf_release(&cmd);
	p = popen(script, "r");
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	assert_int_equal(pclose(p), 0);
	free(script);
	return strbuf_detach(&out);
}

static void
test_sh(void **state)
{
	static const char *const words[] = {
		"$(touch${IFS}x)", "`touch x`", "a b", "it's", "''", "\\",
		"a;touch x", "a|touch x", "a&&touch x", "*", "?", "[a]",
		"~root", "=ls", "$HOME", "a\nb", "!x", "{a,b}", "#x", "a>x",
		"\"q\"", "\xe2\x80\xae", "-n", "",
	};
	static const struct {
		const char *in, *out;
	} exact[] = {
		{ "c1", "c1" },
		{ "security.privileged=false", "security.privileged=false" },
		{ "/var/snap/lxd/common/lxd/unix.socket",
		  "/var/snap/lxd/common/lxd/unix.socket" },
		{ "", "''" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\"'\"'s'" },
		{ "=ls", "'=ls'" },
		{ "$(touch${IFS}x)", "'$(touch${IFS}x)'" },
	};
	char dir[] = "/tmp/lxdh-shq-XXXXXX";
	struct stat st;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(exact); i++) {
		struct strbuf sb = STRBUF_INIT;

		escape_sh(&sb, exact[i].in);
		assert_string_equal(sb.buf ? sb.buf : "", exact[i].out);
		strbuf_release(&sb);
		assert_string_equal(shq(exact[i].in), exact[i].out);
	}
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		static const char *const shells[] = { "sh", "bash", "dash" };

		for (size_t k = 0; k < ARRAY_SIZE(shells); k++) {
			char *got = shell_echo(shells[k], words[i], dir);
			char *want = xasprintf("%s|", words[i]);

			assert_string_equal(got, want);
			free(got);
			free(want);
		}
	}
	/* nothing was run: no file x in the directory */
	{
		char *x = xasprintf("%s/x", dir);

		assert_int_not_equal(stat(x, &st), 0);
		free(x);
	}
	rmdir(dir);
}

static void
test_url(void **state)
{
	char *d;

	(void)state;
	assert_string_equal(urlq("c1"), "c1");
	assert_string_equal(urlq("ha#sh"), "ha%23sh");
	assert_string_equal(urlq("a/b?project=x&y=%"), "a%2Fb%3Fproject%3Dx%26y%3D%25");
	assert_string_equal(urlq("a b\xc3\xa9"), "a%20b%C3%A9");
	assert_string_equal(urlq(NULL), "");
	assert_string_equal(urlq("oidc:alice@example.com"),
			    "oidc:alice@example.com");
	d = unescape_url("ha%23sh%2Fx%zz%");
	assert_string_equal(d, "ha#sh/x%zz%");
	free(d);
	/* %00 is not decoded: a name cannot be cut short */
	d = unescape_url("a%00b");
	assert_string_equal(d, "a%00b");
	free(d);
}

static void
test_ring(void **state)
{
	const char *first;

	(void)state;
	first = shq("a b");
	for (int i = 0; i < ESCAPE_RING - 1; i++)
		(void)termq("x");
	assert_string_equal(first, "'a b'");
	assert_string_equal(termq("\033]0;t\007"), "\\x1b]0;t\\x07");
}

static void
test_term_printf(void **state)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	assert_non_null(f);
	term_printf(f, "cannot read '%s': %s", "a\nlxd-harden: forged",
		    "\033[31mred");
	fclose(f);
	assert_string_equal(buf, "cannot read 'a\\x0alxd-harden: forged': "
				 "\\x1b[31mred\n");
}

static void
test_json_text(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	escape_json_text(&sb, "{\"n\": \"a\xe2\x80\xae" "b\x7f\xc2\x9b\\\\\xef\xbb\xbf"
			      "\xc3\xa9\"}");
	assert_string_equal(sb.buf, "{\"n\": \"a\\u202eb\\u007f\\u009b\\\\\\ufeff"
				    "\xc3\xa9\"}");
	strbuf_release(&sb);
}

/*
 * report_dump_json() escapes the dump in pieces as it is written: the
 * result is the whole text escaped at once, wherever the pieces end
 * (strings of every length, ending in sequences to escape and to keep).
 */
static void
test_json_dump_chunks(void **state)
{
	json_t *a = json_array();
	struct strbuf want = STRBUF_INIT, s = STRBUF_INIT;
	char *text, *got = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int i = 0; i < 6000; i++) {
		s.len = 0;
		for (int j = 0; j < i % 97; j++)
			strbuf_addch(&s, 'x');
		strbuf_addstr(&s, i % 3 ? "\xe2\x80\xae" : "\xc3\xa9");
		strbuf_addstr(&s, i % 2 ? "\xc2\x9b" : "\xf0\x9f\x98\x80");
		json_array_append_new(a, json_string(s.buf));
	}
	text = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	assert_non_null(text);
	assert_true(strlen(text) > 4 * 65536);
	escape_json_text(&want, text);
	strbuf_addch(&want, '\n');
	f = open_memstream(&got, &len);
	assert_non_null(f);
	assert_int_equal(report_dump_json(f, a), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, want.len);
	assert_memory_equal(got, want.buf, len);
	free(text);
	free(got);
	strbuf_release(&want);
	strbuf_release(&s);
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
		cmocka_unit_test(test_term_invisible),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_sh),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_term_printf),
		cmocka_unit_test(test_json_text),
		cmocka_unit_test(test_json_dump_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
