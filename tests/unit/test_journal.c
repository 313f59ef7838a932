/* test_journal.c - the synced, append-only journal of fix --apply */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"

#define SERVER "0123456789abcdef0123456789abcdef"

static char *
tmpdir(void)
{
	char *t = xstrdup("/tmp/lxdh-jtest.XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static json_t *
header(const char *server)
{
	return json_pack("{s:s,s:s,s:s}", "type", "header", "schema",
			 JOURNAL_SCHEMA, "server", server);
}

/* Writes text at the end of path, as a crash might have left it. */
static void
append_raw(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
slurp(const char *path)
{
	struct diag d = { { 0 } };
	char *s = read_file(path, NULL, &d);

	assert_non_null(s);
	return s;
}

static void
test_create_append_load(void **state)
{
	char *base = tmpdir(), *dir = xasprintf("%s/j", base), *latest;
	struct journal j;
	struct diag d = { { 0 } }, warn = { { 0 } };
	struct stat st;
	json_t *hdr = header(SERVER);
	json_t *e = json_pack("{s:s,s:i}", "type", "change", "seq", 1);
	json_t *lines;

	(void)state;
	assert_int_equal(journal_create(&j, dir, hdr, &d), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(j.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(journal_append(&j, e, &d), 0);
	latest = journal_latest(dir, SERVER, &d);
	assert_non_null(latest);
	assert_string_equal(latest, j.path);
	journal_close(&j);

	lines = journal_load(latest, &warn, &d);
	assert_non_null(lines);
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(warn.msg, "");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(lines, 1), "seq")),
			 1);
	json_decref(lines);
	/* another server's journals are not this one's */
	assert_null(journal_latest(dir, "ffff0000ffff0000ffff", &d));
	assert_non_null(strstr(d.msg, "no journal of this server"));

	json_decref(hdr);
	json_decref(e);
	free(latest);
	rm_rf(base);
	free(dir);
	free(base);
}

/* A last line cut short (a crash, a full disk) is reported by the reader
   and cut off before the next append, so the journal stays readable. */
static void
test_torn_line_repaired(void **state)
{
	char *dir = tmpdir(), *path, *text;
	struct journal j;
	struct diag d = { { 0 } }, warn = { { 0 } };
	json_t *hdr = header(SERVER), *lines;
	json_t *e = json_pack("{s:s,s:i,s:s}", "type", "rollback", "seq", 1,
			      "state", "restored");

	(void)state;
	assert_int_equal(journal_create(&j, dir, hdr, &d), 0);
	path = xstrdup(j.path);
	journal_close(&j);
	append_raw(path, "{\"type\":\"sta");

	lines = journal_load(path, &warn, &d);
	assert_non_null(lines);
	assert_int_equal(json_array_size(lines), 1);
	assert_non_null(strstr(warn.msg, ":2: the last line is incomplete"));
	json_decref(lines);

	warn.msg[0] = '\0';
	assert_int_equal(journal_open(&j, path, &warn, &d), 0);
	assert_non_null(strstr(warn.msg, "was cut off"));
	assert_int_equal(journal_append(&j, e, &d), 0);
	journal_close(&j);
	text = slurp(path);
	assert_null(strstr(text, "\"sta{"));
	free(text);

	warn.msg[0] = '\0';
	lines = journal_load(path, &warn, &d);
	assert_non_null(lines);
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(warn.msg, "");
	json_decref(lines);

	json_decref(hdr);
	json_decref(e);
	free(path);
	rm_rf(dir);
	free(dir);
}

/* A write that fails half way (the file size limit stands in for a full
   disk) leaves no half line behind: the next append and the reader see
   whole lines only. */
static void
test_failed_append_leaves_no_half_line(void **state)
{
	char *dir = tmpdir(), *path, *text, *big = xcalloc(1, 8192);
	struct journal j;
	struct diag d = { { 0 } }, warn = { { 0 } };
	json_t *hdr = header(SERVER), *lines, *e;
	struct rlimit old, lim;
	struct stat st;

	(void)state;
	memset(big, 'x', 8191);
	e = json_pack("{s:s,s:i,s:s}", "type", "change", "seq", 1, "pad", big);
	assert_int_equal(journal_create(&j, dir, hdr, &d), 0);
	path = xstrdup(j.path);
	assert_int_equal(fstat(j.fd, &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(journal_append(&j, e, &d), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_non_null(strstr(d.msg, "cannot write journal"));
	assert_int_equal(fstat(j.fd, &st), 0);
	text = slurp(path);
	assert_int_equal((size_t)st.st_size, strlen(text));
	assert_int_equal(text[st.st_size - 1], '\n');
	free(text);
	json_decref(e);
	e = json_pack("{s:s,s:i,s:s}", "type", "state", "seq", 1, "state",
		      "applied");
	assert_int_equal(journal_append(&j, e, &d), 0);
	journal_close(&j);
	lines = journal_load(path, &warn, &d);
	assert_non_null(lines);
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(warn.msg, "");
	json_decref(lines);
	json_decref(e);
	json_decref(hdr);
	free(big);
	free(path);
	rm_rf(dir);
	free(dir);
}

static void
test_not_a_journal(void **state)
{
	char *dir = tmpdir(), *path = xasprintf("%s/x.jsonl", dir);
	struct diag d = { { 0 } };
	FILE *f = fopen(path, "w");

	(void)state;
	fputs("{\"type\":\"header\"}\n", f);
	fclose(f);
	assert_null(journal_load(path, NULL, &d));
	assert_non_null(strstr(d.msg, "not an lxd-harden journal"));
	f = fopen(path, "w");
	fputs("{\"type\":\"header\",\"schema\":\"lxd-harden/journal/v1\"}\n",
	      f);
	fclose(f);
	assert_null(journal_load(path, NULL, &d));
	assert_non_null(strstr(d.msg, "of another format"));
	unlink(path);
	assert_null(journal_latest(dir, SERVER, &d));
	rmdir(dir);
	free(path);
	free(dir);
}

/* A journal planted where others can write is never read: not in a
   world-writable directory, not through a symlink, not a file of
   another user or one others may write. */
static void
test_untrusted_places_refused(void **state)
{
	char *base = tmpdir(), *pub = xasprintf("%s/pub", base);
	char *good = xasprintf("%s/good", base), *path, *lnk, *other;
	struct journal j;
	struct diag d = { { 0 } };
	json_t *hdr = header(SERVER);

	(void)state;
	/* a world-writable (sticky) directory: refused for reading */
	assert_int_equal(journal_create(&j, pub, hdr, &d), 0);
	path = xstrdup(j.path);
	journal_close(&j);
	assert_int_equal(chmod(pub, 01777), 0);
	assert_null(journal_load(path, NULL, &d));
	assert_non_null(strstr(d.msg, "is writable by others (mode 1777)"));
	assert_null(journal_latest(pub, SERVER, &d));
	assert_non_null(strstr(d.msg, "writable by others"));
	assert_int_equal(journal_dir_open(pub, true, &d), -1);
	assert_int_equal(journal_open(&j, path, NULL, &d), -1);
	free(path);

	/* a symlink to a good directory */
	assert_int_equal(journal_create(&j, good, hdr, &d), 0);
	path = xstrdup(j.path);
	journal_close(&j);
	lnk = xasprintf("%s/link", base);
	assert_int_equal(symlink(good, lnk), 0);
	assert_int_equal(journal_dir_open(lnk, false, &d), -1);
	assert_non_null(strstr(d.msg, "is a symlink"));
	free(lnk);

	/* a journal that is a symlink */
	lnk = xasprintf("%s/l.jsonl", good);
	assert_int_equal(symlink(path, lnk), 0);
	assert_null(journal_load(lnk, NULL, &d));
	assert_non_null(strstr(d.msg, "symlink"));
	unlink(lnk);

	/* a journal others may write */
	assert_int_equal(chmod(path, 0666), 0);
	assert_null(journal_load(path, NULL, &d));
	assert_non_null(strstr(d.msg, "is not trusted"));
	assert_int_equal(chmod(path, 0600), 0);

	/* a second name for it */
	assert_int_equal(link(path, lnk), 0);
	assert_null(journal_load(path, NULL, &d));
	assert_non_null(strstr(d.msg, "2 links"));
	unlink(lnk);
	free(lnk);
	assert_non_null(json_incref(hdr));
	json_decref(hdr);

	if (geteuid() == 0) {
		/* another user's journal, another user's directory */
		other = xasprintf("%s/other", base);
		assert_int_equal(chown(path, 1234, 1234), 0);
		assert_null(journal_load(path, NULL, &d));
		assert_non_null(strstr(d.msg, "uid 1234"));
		assert_int_equal(chown(path, 0, 0), 0);
		assert_int_equal(mkdir(other, 0755), 0);
		assert_int_equal(chown(other, 1234, 1234), 0);
		assert_int_equal(journal_dir_open(other, false, &d), -1);
		assert_non_null(strstr(d.msg, "belongs to uid 1234"));
		free(other);
	}
	json_decref(hdr);
	free(path);
	rm_rf(base);
	free(pub);
	free(good);
	free(base);
}

/* One holder per server; the second one is told who holds it. */
static void
test_lock(void **state)
{
	char *dir = tmpdir(), *want;
	struct journal_lock a, b, c;
	struct diag d = { { 0 } };
	struct stat st;
	char *lockp = xasprintf("%s/%s.lock", dir, SERVER);

	(void)state;
	assert_int_equal(journal_lock(dir, SERVER, "fix --apply", &a, &d), 0);
	assert_int_equal(stat(lockp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(journal_lock(dir, SERVER, "rollback", &b, &d), -1);
	want = xasprintf("another lxd-harden is changing this server (pid "
			 "%ld, since ", (long)getpid());
	assert_non_null(strstr(d.msg, want));
	assert_non_null(strstr(d.msg, ": fix --apply); wait for it"));
	free(want);
	/* another server is not locked */
	assert_int_equal(journal_lock(dir, "ffff0000ffff0000", "x", &c, &d),
			 0);
	journal_unlock(&c);
	journal_unlock(&a);
	assert_int_equal(journal_lock(dir, SERVER, "rollback", &b, &d), 0);
	journal_unlock(&b);
	/* a name that is no file name */
	assert_int_equal(journal_lock(dir, "../x", "x", &c, &d), -1);
	free(lockp);
	rm_rf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_append_load),
		cmocka_unit_test(test_torn_line_repaired),
		cmocka_unit_test(test_failed_append_leaves_no_half_line),
		cmocka_unit_test(test_not_a_journal),
		cmocka_unit_test(test_untrusted_places_refused),
		cmocka_unit_test(test_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
