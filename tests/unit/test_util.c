/* test_util.c - allocation helpers, strbuf, time, files in and out */
#define _XOPEN_SOURCE 700 /* mknod, S_IFCHR */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic.h"
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

/* A new empty directory under TMPDIR; caller rmdir()s and frees it. */
static char *
tmp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/lxdh-util.XXXXXX",
			      tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir))
		fail_msg("mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

static void
put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		fail_msg("write %s: %s", path, strerror(errno));
}

static size_t
entries(const char *dir)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void
test_read_file_max(void **state)
{
	size_t big = ((size_t)1 << 20) + 1, len = 0;
	char *dir = tmp_dir();
	char *path = xasprintf("%s/f", dir);
	char *fill = xcalloc(big, 1);
	char *buf = NULL, *want;
	struct diag d;

	(void)state;
	put(path, "abc", 3);
	assert_int_equal(read_file_max(path, (size_t)1 << 20, "thing", &buf,
				       &len, &d), 0);
	assert_int_equal(len, 3);
	assert_string_equal(buf, "abc");
	free(buf);

	put(path, fill, big);
	assert_int_equal(read_file_max(path, (size_t)1 << 20, "thing", &buf,
				       &len, &d), -1);
	want = xasprintf("cannot read thing '%s': larger than 1 MiB", path);
	assert_string_equal(d.msg, want);
	free(want);

	assert_int_equal(read_file_max("/nonexistent/x", 1 << 20, "thing",
				       &buf, &len, &d), -1);
	assert_string_equal(d.msg, "cannot read thing '/nonexistent/x': No "
				   "such file or directory");
	unlink(path);
	rmdir(dir);
	free(fill);
	free(path);
	free(dir);
}

static int
write_ctx(FILE *f, void *ctx)
{
	return fputs(ctx, f) == EOF ? -1 : 0;
}

static int
write_fails(FILE *f, void *ctx)
{
	(void)ctx;
	fputs("half", f);
	errno = EIO;
	return -1;
}

static void
test_atomic_write(void **state)
{
	char *dir = tmp_dir();
	char *path = xasprintf("%s/out", dir);
	char one[] = "one\n", two[] = "two\n";
	char *text;
	struct stat st;

	(void)state;
	assert_int_equal(atomic_write(path, 0640, write_ctx, one), 0);
	text = read_file(path, NULL, NULL);
	assert_string_equal(text, "one\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	/* a failed write leaves the old file and no temporary one */
	assert_int_equal(atomic_write(path, 0644, write_fails, NULL), -1);
	text = read_file(path, NULL, NULL);
	assert_string_equal(text, "one\n");
	free(text);
	assert_int_equal(entries(dir), 1);

	/* a path without a directory part is relative to the current one */
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(atomic_write("out", 0644, write_ctx, two), 0);
	text = read_file(path, NULL, NULL);
	assert_string_equal(text, "two\n");
	free(text);
	assert_int_equal(chdir("/"), 0);

	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* A new file honours the umask; an existing one keeps its mode. */
static void
test_atomic_write_umask(void **state)
{
	char *dir = tmp_dir();
	char *path = xasprintf("%s/report.json", dir);
	char one[] = "one\n";
	struct stat st;
	mode_t old = umask(077);

	(void)state;
	assert_int_equal(atomic_write(path, 0644, write_ctx, one), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(path);
	umask(027);
	assert_int_equal(atomic_write(path, 0644, write_ctx, one), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/*
 * -o in a sticky world-writable directory: another user's link is not
 * followed (fs.protected_symlinks), the caller's own link or the
 * directory owner's is.
 */
static void
test_atomic_write_protected_links(void **state)
{
	char *sticky = tmp_dir(), *outside = tmp_dir();
	char *secret = xasprintf("%s/shadow", outside);
	char *link = xasprintf("%s/report.json", sticky);
	char *dlink = xasprintf("%s/sub", sticky);
	char *through = xasprintf("%s/sub/report.json", sticky);
	char one[] = "one\n", text[] = "secret\n";
	char *got;

	(void)state;
	if (geteuid() != 0) {
		free(sticky), free(outside), free(secret), free(link);
		free(dlink), free(through);
		skip();
	}
	assert_int_equal(chmod(sticky, 01777), 0);
	put(secret, text, strlen(text));
	assert_int_equal(symlink(secret, link), 0);
	assert_int_equal(lchown(link, 65534, 65534), 0);
	assert_int_equal(atomic_write(link, 0644, write_ctx, one), -1);
	got = read_file(secret, NULL, NULL);
	assert_string_equal(got, "secret\n");
	free(got);
	/* a directory on the way that is such a link: refused as well */
	assert_int_equal(symlink(outside, dlink), 0);
	assert_int_equal(lchown(dlink, 65534, 65534), 0);
	assert_int_equal(atomic_write(through, 0644, write_ctx, one), -1);
	assert_int_equal(entries(outside), 1);
	/* a link of the directory's owner is followed */
	assert_int_equal(chown(sticky, 65534, 65534), 0);
	assert_int_equal(atomic_write(link, 0644, write_ctx, one), 0);
	got = read_file(secret, NULL, NULL);
	assert_string_equal(got, "one\n");
	free(got);
	/* and the caller's own link */
	assert_int_equal(chown(sticky, 0, 0), 0);
	assert_int_equal(lchown(link, 0, 0), 0);
	assert_int_equal(atomic_write(link, 0644, write_ctx, text), 0);
	got = read_file(secret, NULL, NULL);
	assert_string_equal(got, "secret\n");
	free(got);
	/* not sticky: the owner does not matter */
	assert_int_equal(chmod(sticky, 0777), 0);
	assert_int_equal(lchown(link, 65534, 65534), 0);
	assert_int_equal(atomic_write(link, 0644, write_ctx, one), 0);

	unlink(link);
	unlink(dlink);
	unlink(secret);
	rmdir(sticky);
	rmdir(outside);
	free(sticky);
	free(outside);
	free(secret);
	free(link);
	free(dlink);
	free(through);
}

/* Devices, links and modes: what -o must never break. */
static void
test_atomic_write_special(void **state)
{
	char *dir = tmp_dir();
	char *file = xasprintf("%s/private.json", dir);
	char *link = xasprintf("%s/link.json", dir);
	char *dangling = xasprintf("%s/dangling", dir);
	char *null = xasprintf("%s/null", dir);
	char one[] = "one\n", two[] = "two\n";
	struct stat st;
	char *text;

	(void)state;
	/* an existing file keeps its mode even when asked for 0644 */
	assert_int_equal(atomic_write(file, 0600, write_ctx, one), 0);
	assert_int_equal(atomic_write(file, 0644, write_ctx, two), 0);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* a symlink is followed: the target changes, the link stays */
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(atomic_write(link, 0644, write_ctx, one), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = read_file(file, NULL, NULL);
	assert_string_equal(text, "one\n");
	free(text);
	/* a link to a file not yet there creates it; a missing dir fails */
	assert_int_equal(symlink("new.json", dangling), 0);
	assert_int_equal(atomic_write(dangling, 0644, write_ctx, one), 0);
	text = read_file(dangling, NULL, NULL);
	assert_string_equal(text, "one\n");
	free(text);
	unlink(dangling);
	assert_int_equal(symlink("/nonexistent/x", dangling), 0);
	assert_int_equal(atomic_write(dangling, 0644, write_ctx, one), -1);

	/* a directory is an error, not replaced */
	assert_int_equal(atomic_write(dir, 0644, write_ctx, one), -1);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* a character device is written into, never replaced */
	if (mknod(null, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		assert_int_equal(atomic_write(null, 0644, write_ctx, one), 0);
		assert_int_equal(stat(null, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		unlink(null);
	}
	assert_int_equal(entries(dir), 4);

	unlink(dangling);
	unlink(link);
	unlink(file);
	text = xasprintf("%s/new.json", dir);
	unlink(text);
	free(text);
	rmdir(dir);
	free(dangling);
	free(null);
	free(link);
	free(file);
	free(dir);
}

/* read_file_trusted on path: 0, or -1 with needle in the reason. */
static void
trusted(const char *path, const char *needle)
{
	struct diag d = { { 0 } };
	char *buf = NULL;
	size_t len = 0;
	int rc = read_file_trusted(path, 1 << 20, "policy", &buf, &len, &d);

	if (!needle) {
		if (rc != 0)
			fail_msg("%s refused: %s", path, d.msg);
		assert_string_equal(buf, "x: 1\n");
		free(buf);
	} else if (rc == 0 || !strstr(d.msg, needle)) {
		fail_msg("%s: rc %d, want a refusal saying '%s': %s", path, rc,
			 needle, d.msg);
	}
}

/*
 * A file whose content decides verdicts is read only when no one but
 * root or the caller could have written it, its directory or its link.
 */
static void
test_read_file_trusted(void **state)
{
	char dir[] = "/tmp/lxdh-trusted-XXXXXX";
	char *f, *l, *p;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	f = xasprintf("%s/policy.yml", dir);
	l = xasprintf("%s/link.yml", dir);
	p = xasprintf("%s/fifo", dir);
	fp = fopen(f, "w");
	assert_non_null(fp);
	fputs("x: 1\n", fp);
	fclose(fp);
	assert_int_equal(chmod(f, 0644), 0);
	trusted(f, NULL);
	assert_int_equal(chmod(f, 0666), 0);
	trusted(f, "others may write it");
	assert_int_equal(chmod(f, 0644), 0);
	/* a directory all may write: only when sticky (as /tmp) */
	assert_int_equal(chmod(dir, 0777), 0);
	trusted(f, "could change the directory");
	assert_int_equal(chmod(dir, 01777), 0);
	trusted(f, NULL);
	assert_int_equal(chmod(dir, 0700), 0);
	/* a FIFO is refused without waiting for a writer */
	assert_int_equal(mkfifo(p, 0600), 0);
	trusted(p, "not a regular file");
	assert_int_equal(symlink(f, l), 0);
	trusted(l, NULL);
	if (geteuid() == 0) {
		/* group root may write; another group may not */
		assert_int_equal(chmod(f, 0664), 0);
		assert_int_equal(chown(f, 0, 0), 0);
		trusted(f, NULL);
		assert_int_equal(chown(f, 0, 65534), 0);
		trusted(f, "others may write it");
		assert_int_equal(chmod(f, 0644), 0);
		assert_int_equal(chown(f, 65534, 65534), 0);
		trusted(f, "belongs to another user");
		assert_int_equal(chown(f, 0, 0), 0);
		assert_int_equal(lchown(l, 65534, 65534), 0);
		trusted(l, "symlink that uid 65534 made");
	}
	unlink(l);
	unlink(p);
	unlink(f);
	rmdir(dir);
	free(f);
	free(l);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write_special),
		cmocka_unit_test(test_atomic_write_umask),
		cmocka_unit_test(test_atomic_write_protected_links),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_format_rfc3339),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_now_epoch),
		cmocka_unit_test(test_read_file_missing),
		cmocka_unit_test(test_read_file_max),
		cmocka_unit_test(test_read_file_trusted),
		cmocka_unit_test(test_atomic_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
