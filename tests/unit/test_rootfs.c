/* test_rootfs.c - links in a --host-root tree resolve inside the tree */
#include <errno.h>
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

#include "rootfs.h"
#include "util.h"

extern bool rootfs_no_openat2;

struct tree {
	char root[64];		/* the fake host */
	char out[64];		/* this machine, outside it */
};

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
at(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

/* Makes a link at dir/rel to target. */
static void
link_at(const char *dir, const char *rel, const char *target)
{
	char *p = at(dir, rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static void
file_at(const char *dir, const char *rel, const char *text)
{
	char *p = at(dir, rel);

	put(p, text);
	free(p);
}

static void
mkdir_at(const char *dir, const char *rel)
{
	char *p = at(dir, rel);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

/*
 * ROOT/etc/shadow is the tree's; OUT/victim is this machine's. Links in
 * the tree point at both, absolutely and with "..".
 */
static void
tree_init(struct tree *t)
{
	char *victim, *abs_out;

	snprintf(t->root, sizeof(t->root), "/tmp/lxdh-rootfs-XXXXXX");
	snprintf(t->out, sizeof(t->out), "/tmp/lxdh-outside-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	assert_non_null(mkdtemp(t->out));
	mkdir_at(t->root, "etc");
	mkdir_at(t->root, "etc/sub");
	file_at(t->root, "etc/shadow", "tree shadow\n");
	victim = at(t->out, "victim");
	put(victim, "this machine\n");
	assert_int_equal(chmod(victim, 0600), 0);
	link_at(t->root, "etc/abs", "/etc/shadow");
	link_at(t->root, "etc/rel", "../../../../../../../../etc/shadow");
	link_at(t->root, "etc/sub/up", "../../../../../../..");
	link_at(t->root, "etc/slash", "/");
	link_at(t->root, "etc/chain", "sub/hop");
	link_at(t->root, "etc/sub/hop", "/etc/abs");
	link_at(t->root, "etc/loop", "loop");
	/* names this machine's file the way a host would see it */
	link_at(t->root, "etc/victim", victim);
	abs_out = at(t->root, "etc/outdir");
	assert_int_equal(symlink(t->out, abs_out), 0);
	free(abs_out);
	free(victim);
}

static void
tree_release(struct tree *t)
{
	char *cmd = xasprintf("rm -rf %s %s", t->root, t->out);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static char *
slurp(const char *root, const char *path)
{
	FILE *f = rootfs_fopen(root, path);
	char buf[256];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
expect_read(const char *root, const char *path, const char *want)
{
	char *got = slurp(root, path);

	if (!got)
		fail_msg("%s: %s", path, strerror(errno));
	assert_string_equal(got, want);
	free(got);
}

static void
check_reads(void)
{
	struct tree t;
	struct stat st;
	char buf[256];
	char *victim;

	tree_init(&t);
	expect_read(t.root, "/etc/shadow", "tree shadow\n");
	expect_read(t.root, "/etc/abs", "tree shadow\n");
	expect_read(t.root, "/etc/rel", "tree shadow\n");
	expect_read(t.root, "/../../../etc/shadow", "tree shadow\n");
	expect_read(t.root, "/etc/sub/up/etc/shadow", "tree shadow\n");
	expect_read(t.root, "/etc/slash/etc/shadow", "tree shadow\n");
	expect_read(t.root, "/etc/chain", "tree shadow\n");
	/* this machine's file is out of reach, whatever the link says */
	assert_null(slurp(t.root, "/etc/victim"));
	assert_int_equal(errno, ENOENT);
	assert_null(slurp(t.root, "/etc/outdir/victim"));
	assert_null(slurp(t.root, "/etc/loop"));
	assert_int_equal(errno, ELOOP);
	assert_int_equal(rootfs_stat(t.root, "/etc/victim", &st), -1);
	assert_int_equal(rootfs_stat(t.root, "/etc/abs", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(rootfs_stat(t.root, "/etc/slash", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	{
		DIR *d = rootfs_opendir(t.root, "/etc/sub/up/etc");

		assert_non_null(d);
		closedir(d);
	}
	assert_true(rootfs_readlink(t.root, "/etc/sub/up/etc/abs", buf,
				    sizeof(buf)) > 0);
	assert_string_equal(buf, "/etc/shadow");

	/* changes stay in the tree too */
	assert_int_equal(rootfs_chmod(t.root, "/etc/victim", 0666), -1);
	assert_int_equal(rootfs_chown(t.root, "/etc/victim", 65534, 65534),
			 -1);
	assert_int_equal(rootfs_chmod(t.root, "/etc/abs", 0640), 0);
	victim = at(t.out, "victim");
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, getuid());
	/* a write through the absolute link lands on the tree's file */
	assert_int_equal(rootfs_write(t.root, "/etc/abs", 0644, "new\n", 4),
			 0);
	expect_read(t.root, "/etc/shadow", "new\n");
	{
		char *p = at(t.root, "etc/shadow");

		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
		free(p);
		p = at(t.root, "etc/abs");
		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		free(p);
	}
	/* and one through the link to this machine's file fails there */
	assert_int_equal(rootfs_write(t.root, "/etc/victim", 0644, "x", 1),
			 -1);
	assert_int_equal(rootfs_write(t.root, "/etc/outdir/victim", 0644,
				      "x", 1),
			 -1);
	expect_read("/", victim, "this machine\n");
	assert_int_equal(rootfs_unlink(t.root, "/etc/outdir/victim"), -1);
	assert_int_equal(stat(victim, &st), 0);
	free(victim);
	tree_release(&t);
}

static void
test_openat2(void **state)
{
	(void)state;
	rootfs_no_openat2 = false;
	check_reads();
}

/* The walk that stands in where the kernel has no openat2. */
static void
test_walk(void **state)
{
	(void)state;
	rootfs_no_openat2 = true;
	check_reads();
	rootfs_no_openat2 = false;
}

/* Root "/" is this machine: nothing changes for the normal audit. */
static void
test_host_root(void **state)
{
	struct stat st;
	char *got;

	(void)state;
	assert_int_equal(rootfs_stat("/", "/etc/passwd", &st), 0);
	assert_int_equal(rootfs_stat(NULL, "/etc/passwd", &st), 0);
	got = slurp("/", "/proc/self/cmdline");
	assert_non_null(got);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_host_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
