/* hosttest.h - fake host trees, fake commands and test PKI for host tests */
#ifndef LXD_HARDEN_HOSTTEST_H
#define LXD_HARDEN_HOSTTEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "host.h"
#include "snapshot.h"
#include "remtext.h"

/*
 * A case is a directory under tests/data/host/ holding the files of a
 * host. Git keeps neither modes nor owners, so each case's MODES file
 * lists "MODE UID GID PATH" lines that are applied to the copy a test
 * makes in a temporary directory.
 */

static inline char *
ht_data(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

static inline void
ht_copy(const char *from, const char *to, bool top)
{
	DIR *d = opendir(from);
	struct dirent *e;

	if (!d)
		fail_msg("opendir %s: %s", from, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char *src, *dst;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (top && !strcmp(e->d_name, "MODES")))
			continue;
		src = xasprintf("%s/%s", from, e->d_name);
		dst = xasprintf("%s/%s", to, e->d_name);
		if (lstat(src, &st) != 0)
			fail_msg("lstat %s: %s", src, strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0755) != 0)
				fail_msg("mkdir %s: %s", dst, strerror(errno));
			ht_copy(src, dst, false);
		} else if (S_ISLNK(st.st_mode)) {
			char buf[4096];
			ssize_t n = readlink(src, buf, sizeof(buf) - 1);

			if (n < 0)
				fail_msg("readlink %s", src);
			buf[n] = '\0';
			if (symlink(buf, dst) != 0)
				fail_msg("symlink %s: %s", dst,
					 strerror(errno));
		} else {
			struct diag dg = { { 0 } };
			size_t len = 0;
			char *text = read_file(src, &len, &dg);
			FILE *f = fopen(dst, "wb");

			if (!text || !f || fwrite(text, 1, len, f) != len)
				fail_msg("copy %s: %s", src, dg.msg);
			fclose(f);
			free(text);
		}
		free(src);
		free(dst);
	}
	closedir(d);
}

static inline void
ht_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d;
		struct dirent *e;

		chmod(path, 0700);
		d = opendir(path);
		while (d && (e = readdir(d)) != NULL) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = xasprintf("%s/%s", path, e->d_name);
			ht_rmtree(p);
			free(p);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static inline bool
ht_can_chown(void)
{
	return geteuid() == 0;
}

/* Copies case into a new temporary directory; caller ht_rmtree()s it. */
static inline char *
ht_tmpdir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp",
			      prefix);

	if (!mkdtemp(dir))
		fail_msg("mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

static inline char *
ht_tree(const char *name)
{
	char *rel = xasprintf("host/%s", name);
	char *src = ht_data(rel);
	char *modes = xasprintf("%s/MODES", src);
	char *dir = ht_tmpdir("lxdh-host");
	struct diag d = { { 0 } };
	char *text;

	chmod(dir, 0755);
	ht_copy(src, dir, true);
	text = read_file(modes, NULL, &d);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		unsigned mode;
		long uid, gid;
		char path[512];

		if (nl)
			*nl = '\0';
		if (*line != '#' &&
		    sscanf(line, "%o %ld %ld %511s", &mode, &uid, &gid,
			   path) == 4) {
			char *p = xasprintf("%s/%s", dir, path);

			if (chmod(p, (mode_t)mode) != 0)
				fail_msg("chmod %s: %s", p, strerror(errno));
			if (ht_can_chown() &&
			    chown(p, (uid_t)uid, (gid_t)gid) != 0)
				fail_msg("chown %s: %s", p, strerror(errno));
			free(p);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	free(modes);
	free(src);
	free(rel);
	return dir;
}

/* Writes (or with content NULL removes) a file of the tree. */
static inline void
ht_write(const char *root, const char *rel, const char *content,
	 unsigned mode)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f;

	if (!content) {
		unlink(p);
		free(p);
		return;
	}
	for (char *s = strchr(p + strlen(root) + 1, '/'); s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "wb");
	if (!f || fputs(content, f) == EOF || fclose(f) != 0)
		fail_msg("write %s: %s", p, strerror(errno));
	chmod(p, (mode_t)mode);
	free(p);
}

/* A command line as NUL-separated words, the way /proc/PID/cmdline is. */
static inline void
ht_cmdline(const char *root, long pid, const char *const *argv)
{
	char *p = xasprintf("%s/proc/%ld", root, pid);
	char *f = xasprintf("%s/cmdline", p);
	FILE *out;

	mkdir(p, 0755);
	out = fopen(f, "wb");
	if (!out)
		fail_msg("write %s", f);
	for (size_t i = 0; argv[i]; i++)
		fwrite(argv[i], 1, strlen(argv[i]) + 1, out);
	fclose(out);
	free(f);
	free(p);
}

/*
 * The test PKI of a test group (see ht_make_pki): ht_pki_setup() makes
 * it, ht_pki_teardown() removes it.
 */
static char *ht_pki;

/* Copies a file of the test PKI into the tree. */
static inline void
ht_put_pki(const char *root, const char *file, const char *rel)
{
	char *src = xasprintf("%s/%s", ht_pki, file);
	struct diag d = { { 0 } };
	char *text = read_file(src, NULL, &d);

	if (!text)
		fail_msg("%s", d.msg);
	ht_write(root, rel, text, 0644);
	free(text);
	free(src);
}

/* ------------------------------------------------------ fake commands -- */

struct ht_cmd {
	const char *argv;	/* the words joined by spaces */
	int status;
	const char *out;
	const char *err;
};

/* ops->data: a { NULL }-terminated array of struct ht_cmd */
static inline int
ht_run(const struct host_ops *ops, const char *const argv[],
       struct host_run *r, struct diag *d)
{
	const struct ht_cmd *cmds = ops->data;
	struct strbuf sb = STRBUF_INIT;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; argv[i]; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", argv[i]);
	for (size_t i = 0; cmds && cmds[i].argv; i++) {
		if (strcmp(cmds[i].argv, sb.buf) != 0)
			continue;
		strbuf_release(&sb);
		if (cmds[i].status < 0) {
			diag_set(d, "%s", cmds[i].err);
			return -1;
		}
		r->status = cmds[i].status;
		r->out = xstrdup(cmds[i].out ? cmds[i].out : "");
		r->err = xstrdup(cmds[i].err ? cmds[i].err : "");
		return 0;
	}
	diag_set(d, "cannot run %s: No such file or directory",
		 sb.buf ? sb.buf : "?");
	strbuf_release(&sb);
	return -1;
}

static inline int
ht_socket_pid(const struct host_ops *ops, const char *path, long *pid,
	      struct diag *d)
{
	(void)ops;
	*pid = 0;
	diag_set(d, "cannot connect to '%s': a fake tree has no sockets",
		 path);
	return -1;
}

#define HT_OPS(cmds) { ht_run, ht_socket_pid, (cmds) }

/* ---------------------------------------------------------------- PKI -- */

/* Runs make-pki.sh into a new directory; caller ht_rmtree()s it. */
static inline char *
ht_make_pki(void)
{
	char *script = ht_data("host/make-pki.sh");
	char *dir = ht_tmpdir("lxdh-pki");
	const char *argv[] = { "/bin/sh", script, dir, NULL };
	struct host_run r;
	struct diag d = { { 0 } };

	if (host_ops_system.run(&host_ops_system, argv, &r, &d) != 0)
		fail_msg("make-pki.sh: %s", d.msg);
	if (r.status != 0)
		fail_msg("make-pki.sh exited %d: %s", r.status, r.err);
	host_run_release(&r);
	free(script);
	return dir;
}

/* cmocka group setup and teardown for the test PKI. */
static inline int
ht_pki_setup(void **state)
{
	(void)state;
	ht_pki = ht_make_pki();
	return 0;
}

static inline int
ht_pki_teardown(void **state)
{
	(void)state;
	ht_rmtree(ht_pki);
	free(ht_pki);
	return 0;
}

static inline void
ht_load_snapshot(struct snapshot *s, const char *fixture)
{
	/* "release/lxd-6.9" as it is; a bare name is under snap/ */
	char *rel = strchr(fixture, '/') ? xstrdup(fixture)
					 : xasprintf("snap/%s", fixture);
	char *dir = ht_data(rel);
	struct diag d = { { 0 } };

	snapshot_init(s);
	if (snapshot_load_dir(s, dir, &d) != 0)
		fail_msg("load %s: %s", dir, d.msg);
	free(dir);
	free(rel);
}

/* Reads the tree with the given commands. */
static inline void
ht_read(struct host *h, const char *root, const struct host_ops *ops,
	const char *socket, const struct snapshot *s)
{
	struct host_opts o = { root, ops, socket };
	struct diag d = { { 0 } };

	host_init(h);
	if (host_read(h, &o, s, &d) != 0)
		fail_msg("host_read %s: %s", root, d.msg);
}

#endif
