/* test_journal.c - the synced, append-only journal of fix --apply */
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

#include "journal.h"

static char *
tmpdir(void)
{
	char *t = xstrdup("/tmp/lxdh-jtest.XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static void
cleanup(const char *dir, const char *file)
{
	if (file)
		unlink(file);
	rmdir(dir);
	{
		char *parent = xstrdup(dir), *s = strrchr(parent, '/');

		*s = '\0';
		rmdir(parent);
		free(parent);
	}
}

static void
test_create_append_load(void **state)
{
	char *base = tmpdir(), *dir = xasprintf("%s/j", base), *latest;
	struct journal j;
	struct diag d = { { 0 } };
	struct stat st;
	json_t *hdr = json_pack("{s:s,s:s}", "type", "header", "schema",
				JOURNAL_SCHEMA);
	json_t *e = json_pack("{s:s,s:i}", "type", "change", "seq", 1);
	json_t *lines;

	(void)state;
	assert_int_equal(journal_create(&j, dir, hdr, &d), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(j.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(journal_append(&j, e, &d), 0);
	latest = journal_latest(dir, &d);
	assert_string_equal(latest, j.path);
	journal_close(&j);

	lines = journal_load(latest, &d);
	assert_non_null(lines);
	assert_int_equal(json_array_size(lines), 2);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(lines, 1), "seq")),
			 1);
	json_decref(lines);

	/* a line cut short by a crash ends the journal, no more */
	{
		FILE *f = fopen(latest, "a");

		fputs("{\"type\":\"sta", f);
		fclose(f);
	}
	lines = journal_load(latest, &d);
	assert_non_null(lines);
	assert_int_equal(json_array_size(lines), 2);
	json_decref(lines);

	json_decref(hdr);
	json_decref(e);
	cleanup(dir, latest);
	free(latest);
	free(dir);
	free(base);
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
	assert_null(journal_load(path, &d));
	assert_non_null(strstr(d.msg, "not an lxd-harden journal"));
	unlink(path);
	rmdir(dir);
	assert_null(journal_latest(dir, &d));
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_append_load),
		cmocka_unit_test(test_not_a_journal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
