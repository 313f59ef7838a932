/* test_lxdval.c - booleans, expiries, listeners, versions and durations */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lxdval.h"

/* 2026-11-28T15:33:20Z, the tests' SOURCE_DATE_EPOCH */
#define BASE 1795880000LL

static void
test_booleans(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "True", "1",
					   "yes", "YES", "On", "on" };
	static const char *const no[] = { "false", "FALSE", "0", "no",
					  "No", "off", "OFF" };
	static const char *const junk[] = { "", "2", "yes please", " true",
					    "t", "enabled", "nope" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		assert_true(lxdval_is_true(yes[i]));
		assert_false(lxdval_is_false(yes[i]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		assert_true(lxdval_is_false(no[i]));
		assert_false(lxdval_is_true(no[i]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
		assert_false(lxdval_is_true(junk[i]));
		assert_false(lxdval_is_false(junk[i]));
	}
	assert_false(lxdval_is_true(NULL));
	assert_false(lxdval_is_false(NULL));
}

static long long
expiry_ok(const char *v, long long base)
{
	struct diag d = { "" };
	long long at = -1;
	bool never = true;

	if (lxdval_expiry(v, base, &at, &never, &d) != 0)
		fail_msg("'%s' was refused: %s", v, d.msg);
	assert_false(never);
	return at;
}

static void
expiry_bad(const char *v)
{
	struct diag d = { "" };
	long long at;
	bool never;

	if (lxdval_expiry(v, BASE, &at, &never, &d) == 0)
		fail_msg("'%s' was accepted", v);
	assert_true(d.msg[0] != '\0');
}

static void
test_expiry_units(void **state)
{
	(void)state;
	assert_int_equal(expiry_ok("15M", BASE) - BASE, 900);
	assert_int_equal(expiry_ok("30S", BASE) - BASE, 30);
	assert_int_equal(expiry_ok("3H", BASE) - BASE, 3 * 3600);
	assert_int_equal(expiry_ok("1d 3H", BASE) - BASE, 86400 + 3 * 3600);
	assert_int_equal(expiry_ok("2w", BASE) - BASE, 14 * 86400);
	assert_int_equal(expiry_ok("15d", BASE) - BASE, 15 * 86400);
	/* 15m is fifteen months: 2026-11-28 -> 2028-02-28 */
	assert_int_equal(expiry_ok("15m", BASE) - BASE, 457LL * 86400);
	/* one year from 2026-11-28 is 2027-11-28 (365 days) */
	assert_int_equal(expiry_ok("1y", BASE) - BASE, 365LL * 86400);
	/* across 2028-02-29: 2027-11-28 + 1y = 2028-11-28 (366 days) */
	assert_int_equal(expiry_ok("1y", BASE + 365LL * 86400) -
				 (BASE + 365LL * 86400),
			 366LL * 86400);
	assert_int_equal(expiry_ok("0M 5M", BASE) - BASE, 300);
	assert_int_equal(expiry_ok("015M", BASE) - BASE, 900);
}

static void
test_expiry_calendar(void **state)
{
	const long long jan31 = 1801353600LL;	/* 2027-01-31T00:00:00Z */
	const long long feb15 = 1802649600LL;	/* 2027-02-15T00:00:00Z */
	const long long feb15l = 1834185600LL;	/* 2028-02-15T00:00:00Z */

	(void)state;
	/* Go's AddDate: Jan 31 + 1 month = "Feb 31" = Mar 3 */
	assert_int_equal(expiry_ok("1m", jan31) - jan31, 31LL * 86400);
	assert_int_equal(expiry_ok("1m", feb15) - feb15, 28LL * 86400);
	assert_int_equal(expiry_ok("1m", feb15l) - feb15l, 29LL * 86400);
	/* 2026-12-31 + 1d = 2027-01-01 */
	assert_int_equal(expiry_ok("1d", jan31 - 31LL * 86400),
			 jan31 - 30LL * 86400);
	/* days, months and years together, then the clock part */
	assert_int_equal(expiry_ok("1y 1m 1d 1H", feb15) - feb15,
			 (366LL + 28 + 1) * 86400 + 3600);
}

static void
test_expiry_spaces_and_empty(void **state)
{
	struct diag d = { "" };
	long long at = 42;
	bool never = false;

	(void)state;
	assert_int_equal(lxdval_expiry("", BASE, &at, &never, &d), 0);
	assert_true(never);
	never = false;
	assert_int_equal(lxdval_expiry(NULL, BASE, &at, &never, &d), 0);
	assert_true(never);
	never = false;
	assert_int_equal(lxdval_expiry("   ", BASE, &at, &never, &d), 0);
	assert_true(never);
	assert_int_equal(expiry_ok("  15M  ", BASE) - BASE, 900);
	assert_int_equal(expiry_ok("\t1H\n", BASE) - BASE, 3600);
}

static void
test_expiry_malformed(void **state)
{
	(void)state;
	expiry_bad("15 M");
	expiry_bad("15");
	expiry_bad("M");
	expiry_bad("15x");
	expiry_bad("15s");
	expiry_bad("15h");
	expiry_bad("15D");
	expiry_bad("-5M");
	expiry_bad("1.5H");
	expiry_bad("1d  3H");
	expiry_bad("1d,3H");
	expiry_bad("5M 5M");
	expiry_bad("5M 0M");
	expiry_bad("1H 2M 3H");
	expiry_bad("99999999999999999999999S");
}

static void
listen_ok(const char *v, int defport, const char *host, int port,
	  bool wildcard, bool loopback)
{
	struct lxdval_listen l;
	struct diag d = { "" };

	if (lxdval_listen(v, defport, &l, &d) != 0)
		fail_msg("'%s' was refused: %s", v, d.msg);
	assert_string_equal(l.host, host);
	assert_int_equal(l.port, port);
	assert_int_equal(l.wildcard, wildcard);
	assert_int_equal(l.loopback, loopback);
}

static void
listen_bad(const char *v)
{
	struct lxdval_listen l;
	struct diag d = { "" };

	if (lxdval_listen(v, 8443, &l, &d) == 0)
		fail_msg("'%s' was accepted", v);
	assert_true(d.msg[0] != '\0');
}

static void
test_listen(void **state)
{
	(void)state;
	listen_ok(":8443", 8443, "", 8443, true, false);
	listen_ok(":8623", 8443, "", 8623, true, false);
	listen_ok("0.0.0.0:8443", 8443, "0.0.0.0", 8443, true, false);
	listen_ok("[::]:8443", 8443, "::", 8443, true, false);
	listen_ok("[::]", 8443, "::", 8443, true, false);
	listen_ok("::", 8443, "::", 8443, true, false);
	listen_ok("[::1]:8443", 8443, "::1", 8443, false, true);
	listen_ok("::1", 9100, "::1", 9100, false, true);
	listen_ok("127.0.0.1", 8443, "127.0.0.1", 8443, false, true);
	listen_ok("127.1.2.3:80", 8443, "127.1.2.3", 80, false, true);
	listen_ok("localhost:8080", 8080, "localhost", 8080, false, true);
	listen_ok("192.0.2.1:9000", 9000, "192.0.2.1", 9000, false, false);
	listen_ok("192.0.2.1", 9100, "192.0.2.1", 9100, false, false);
	listen_ok("192.0.2.1:", 9100, "192.0.2.1", 9100, false, false);
	listen_ok("[2001:db8::1]:8443", 8443, "2001:db8::1", 8443, false,
		  false);
	listen_ok("2001:db8::1", 53, "2001:db8::1", 53, false, false);
	listen_ok("example.com:8443", 8443, "example.com", 8443, false, false);
	listen_ok("lxd-1.example.com", 8443, "lxd-1.example.com", 8443, false,
		  false);
	listen_ok("[::ffff:127.0.0.1]:1", 8443, "::ffff:127.0.0.1", 1, false,
		  true);
	listen_ok("[::ffff:0.0.0.0]:1", 8443, "::ffff:0.0.0.0", 1, true,
		  false);
	listen_bad("[::1");
	listen_bad("[::1]x");
	listen_bad(":99999");
	listen_bad(":65536");
	listen_bad("host:port");
	listen_bad("192.0.2.1:-1");
	listen_bad("bad host:8443");
	listen_bad("[example.com]:8443");
	listen_bad("1:2:zz::1");
	listen_bad(NULL);
}

static void
test_versions(void **state)
{
	(void)state;
	assert_true(lxdval_version_cmp("5.0.10", "5.0.9") > 0);
	assert_true(lxdval_version_cmp("5.0.9", "5.0.10") < 0);
	assert_int_equal(lxdval_version_cmp("5.21", "5.21.0"), 0);
	assert_int_equal(lxdval_version_cmp("6.9", "6.9.0.0"), 0);
	assert_true(lxdval_version_cmp("6.1", "5.21.7") > 0);
	assert_true(lxdval_version_cmp("5.21.4", "5.21.5") < 0);
	assert_int_equal(lxdval_version_cmp("6.9-ab8fad2", "6.9"), 0);
	assert_int_equal(lxdval_version_cmp("7.3.0", "7.3"), 0);
	assert_int_equal(lxdval_version_cmp("5.0.2", "5.0.2"), 0);
	assert_true(lxdval_version_cmp("unknown", "1") < 0);
	assert_int_equal(lxdval_version_cmp(NULL, ""), 0);
	assert_true(lxdval_version_cmp("10.0", "9.99") > 0);
}

static void
dur(long long secs, const char *want)
{
	char buf[64];

	lxdval_format_duration(secs, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_durations(void **state)
{
	char tiny[4];

	(void)state;
	dur(0, "0s");
	dur(45, "45s");
	dur(900, "15m");
	dur(3600, "1h");
	dur(3 * 3600, "3h");
	dur(15 * 86400, "15d");
	dur(2 * 365 * 86400 + 3 * 86400, "2y 3d");
	dur(86400 + 3600 + 61, "1d 1h 1m 1s");
	dur(-900, "-15m");
	lxdval_format_duration(15 * 86400, tiny, sizeof(tiny));
	assert_string_equal(tiny, "15d");
	lxdval_format_duration(2 * 365 * 86400 + 3 * 86400, tiny,
			       sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
}

/* The expressions the fixes write must mean what the policy says. */
static void
test_expiry_expr(void **state)
{
	static const struct {
		long long secs;
		const char *want;
	} cases[] = {
		{ 900, "15M" }, { 3600, "1H" }, { 86400, "1d" },
		{ 90 * 86400, "90d" }, { 25 * 3600, "25H" }, { 61, "61S" },
		{ 0, "1S" },
	};
	char buf[32];
	long long at;
	bool never;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lxdval_expiry_expr(cases[i].secs, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(lxdval_expiry(buf, 1795880000, &at, &never,
					       NULL), 0);
		assert_false(never);
		assert_int_equal(at - 1795880000,
				 cases[i].secs > 0 ? cases[i].secs : 1);
	}
}

static bool
covers(const char *list)
{
	struct lxdval_cover c;

	lxdval_addr_cover(list, &c);
	return lxdval_cover_everything(&c);
}

static void
test_addr_cover_everything(void **state)
{
	struct lxdval_cover c;

	(void)state;
	assert_true(covers(NULL));
	assert_true(covers(""));
	assert_true(covers("  "));
	assert_true(covers("@external"));
	assert_true(covers("0.0.0.0/0"));
	assert_true(covers("::/0"));
	assert_true(covers(" 10.0.0.0/8 , ::/0"));
	assert_true(covers("0.0.0.0-255.255.255.255"));
	/* a union of pieces, in any order, overlapping or adjacent */
	assert_true(covers("128.0.0.0/1,0.0.0.0/1"));
	assert_true(covers("0.0.0.0-10.0.0.5,10.0.0.0/8,11.0.0.0-255.255.255.255"));
	assert_true(covers("0.0.0.0/2, 64.0.0.0-191.255.255.255, 192.0.0.0/2"));
	assert_true(covers("8000::/1,::-7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	/* host bits under the prefix are ignored as LXD masks them */
	assert_true(covers("10.1.2.3/0"));
	lxdval_addr_cover("0.0.0.0/1,128.0.0.0/1,web,@internal", &c);
	assert_true(c.all4);
	assert_false(c.all6);
	assert_int_equal(c.other, 2);
}

static void
test_addr_cover_partial(void **state)
{
	struct lxdval_cover c;

	(void)state;
	assert_false(covers("10.0.0.0/8"));
	assert_false(covers("@internal"));
	assert_false(covers("web-acl"));
	/* one address short at either end, or a hole in the middle */
	assert_false(covers("0.0.0.1-255.255.255.255"));
	assert_false(covers("0.0.0.0-255.255.255.254"));
	assert_false(covers("0.0.0.0-10.0.0.4,10.0.0.6-255.255.255.255"));
	assert_false(covers("0.0.0.0/1,128.0.0.0/2"));
	/* the two families do not add up to one */
	assert_false(covers("0.0.0.0/1,8000::/1"));
	/* malformed pieces count for nothing */
	assert_false(covers("0.0.0.0/33"));
	assert_false(covers("0.0.0.0/"));
	assert_false(covers("255.255.255.255-0.0.0.0"));
	assert_false(covers("0.0.0.0-::"));
	assert_false(covers("0.0.0.0/0x"));
	assert_false(covers(","));
	lxdval_addr_cover("10.0.0.0/8,,$set", &c);
	assert_false(c.empty);
	assert_int_equal(c.other, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_expiry_expr),
		cmocka_unit_test(test_expiry_units),
		cmocka_unit_test(test_expiry_calendar),
		cmocka_unit_test(test_expiry_spaces_and_empty),
		cmocka_unit_test(test_expiry_malformed),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_addr_cover_everything),
		cmocka_unit_test(test_addr_cover_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
