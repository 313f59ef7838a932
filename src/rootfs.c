/* rootfs.c - files of a host seen under a root directory (--host-root) */
#define _GNU_SOURCE	/* O_PATH, AT_EMPTY_PATH */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* Test hook: walk even where openat2 exists (the fallback's own test). */
bool rootfs_no_openat2;

#define MAX_LINKS 40	/* as the kernel's ELOOP limit */
#define MAX_DEPTH 256

static bool
is_host(const char *root)
{
	return !root || !*root || str_eq(root, "/");
}

/* Closes the walk's directory stack above level 0. */
static void
unwind(int *stack, size_t *depth)
{
	while (*depth > 0)
		close(stack[(*depth)--]);
}

/*
 * The fallback of openat2(RESOLVE_IN_ROOT): one component at a time from
 * the root's descriptor, each opened with O_NOFOLLOW; a link's target is
 * spliced into what is left of the path (an absolute one from the root
 * again); ".." never climbs above the root.
 */
static int
walk_open(int rootfd, const char *path, int flags)
{
	int stack[MAX_DEPTH];
	size_t depth = 0;
	int links = 0, fd = -1, err = 0;
	char *todo = xstrdup(path), *p = todo;

	stack[0] = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (stack[0] < 0) {
		free(todo);
		return -1;
	}
	for (;;) {
		char *comp, *next;
		bool last;
		struct stat st;
		int cfd;

		while (*p == '/')
			p++;
		if (!*p) {
			fd = openat(stack[depth], ".", flags | O_CLOEXEC);
			err = fd < 0 ? errno : 0;
			break;
		}
		comp = p;
		next = strchr(p, '/');
		if (next)
			*next++ = '\0';
		else
			next = p + strlen(p);
		while (*next == '/')
			next++;
		last = !*next;
		p = next;
		if (str_eq(comp, "."))
			continue;
		if (str_eq(comp, "..")) {
			if (depth > 0)
				close(stack[depth--]);
			continue;
		}
		cfd = openat(stack[depth], comp,
			     O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0 || fstat(cfd, &st) != 0) {
			err = errno;
			if (cfd >= 0)
				close(cfd);
			break;
		}
		if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			char target[4096];
			ssize_t n = readlinkat(cfd, "", target,
					       sizeof(target) - 1);
			char *spliced;

			close(cfd);
			if (n < 0 || ++links > MAX_LINKS) {
				err = n < 0 ? errno : ELOOP;
				break;
			}
			target[n] = '\0';
			if (target[0] == '/')
				unwind(stack, &depth);
			spliced = xasprintf("%s/%s", target, p);
			free(todo);
			todo = p = spliced;
			continue;
		}
		if (last) {
			close(cfd);
			fd = openat(stack[depth], comp,
				    flags | O_NOFOLLOW | O_CLOEXEC);
			err = fd < 0 ? errno : 0;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(cfd);
			err = ENOTDIR;
			break;
		}
		if (depth + 1 >= MAX_DEPTH) {
			close(cfd);
			err = ENAMETOOLONG;
			break;
		}
		stack[++depth] = cfd;
	}
	unwind(stack, &depth);
	close(stack[0]);
	free(todo);
	errno = err;
	return fd;
}

int
rootfs_open(const char *root, const char *path, int flags)
{
	struct open_how how;
	const char *rel = path;
	int rootfd, fd, err;

	if (is_host(root))
		return open(path, flags | O_CLOEXEC);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	while (*rel == '/')
		rel++;
	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = -1;
	errno = ENOSYS;
	if (!rootfs_no_openat2)
		fd = (int)syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how,
				  sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = walk_open(rootfd, path, flags);
	err = errno;
	close(rootfd);
	errno = err;
	return fd;
}

int
rootfs_stat(const char *root, const char *path, struct stat *st)
{
	int fd, rc, err;

	if (is_host(root))
		return stat(path, st);
	fd = rootfs_open(root, path, O_PATH);
	if (fd < 0)
		return -1;
	rc = fstat(fd, st);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

FILE *
rootfs_fopen(const char *root, const char *path)
{
	/* O_NONBLOCK: a FIFO planted in the tree must not hang the audit */
	int fd = rootfs_open(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fcntl(fd, F_SETFL, 0) != 0 || !(f = fdopen(fd, "rb"))) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	return f;
}

#define ROOTFS_READ_MAX ((size_t)16 << 20)

char *
rootfs_read_file(const char *root, const char *path, struct diag *d)
{
	FILE *f = rootfs_fopen(root, path);
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f) {
		diag_set(d, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb.len + n > ROOTFS_READ_MAX) {
			diag_set(d, "cannot read '%s': larger than %zu MiB",
				 path, ROOTFS_READ_MAX >> 20);
			goto fail;
		}
		strbuf_add(&sb, chunk, n);
	}
	if (ferror(f)) {
		diag_set(d, "cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return strbuf_detach(&sb);
fail:
	fclose(f);
	strbuf_release(&sb);
	return NULL;
}

DIR *
rootfs_opendir(const char *root, const char *path)
{
	int fd;
	DIR *d;

	if (is_host(root))
		return opendir(path);
	fd = rootfs_open(root, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return d;
}

/*
 * Opens the directory of path inside root (flags O_PATH or O_RDONLY) and
 * sets *base to path's last component (borrowed). -1 with EINVAL when
 * there is none ("/", "x/..").
 */
static int
open_parent(const char *root, const char *path, int flags, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	*base = slash ? slash + 1 : path;
	if (!**base || str_eq(*base, ".") || str_eq(*base, "..")) {
		errno = EINVAL;
		return -1;
	}
	dir = slash == path ? xstrdup("/") :
	      slash	    ? xstrndup(path, (size_t)(slash - path)) :
			      xstrdup(".");
	fd = rootfs_open(root, dir, flags | O_DIRECTORY);
	free(dir);
	return fd;
}

ssize_t
rootfs_readlink(const char *root, const char *path, char *buf, size_t len)
{
	const char *base;
	int dfd, err;
	ssize_t n;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (is_host(root)) {
		n = readlink(path, buf, len - 1);
	} else {
		dfd = open_parent(root, path, O_PATH, &base);
		if (dfd < 0)
			return -1;
		n = readlinkat(dfd, base, buf, len - 1);
		err = errno;
		close(dfd);
		errno = err;
	}
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int
rootfs_chmod(const char *root, const char *path, mode_t mode)
{
	char proc[64];
	int fd, rc, err;

	if (is_host(root))
		return chmod(path, mode);
	fd = rootfs_open(root, path, O_PATH);
	if (fd < 0)
		return -1;
	/* an O_PATH descriptor takes no fchmod; its /proc link does */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	rc = chmod(proc, mode);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

int
rootfs_chown(const char *root, const char *path, uid_t uid, gid_t gid)
{
	int fd, rc, err;

	if (is_host(root))
		return chown(path, uid, gid);
	fd = rootfs_open(root, path, O_PATH);
	if (fd < 0)
		return -1;
	rc = fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

int
rootfs_unlink(const char *root, const char *path)
{
	const char *base;
	int dfd, rc, err;

	if (is_host(root))
		return unlink(path);
	dfd = open_parent(root, path, O_PATH, &base);
	if (dfd < 0)
		return -1;
	rc = unlinkat(dfd, base, 0);
	err = errno;
	close(dfd);
	errno = err;
	return rc;
}

int
rootfs_mkdir(const char *root, const char *path, mode_t mode)
{
	const char *base;
	int dfd, rc, err;

	if (is_host(root))
		return mkdir(path, mode);
	dfd = open_parent(root, path, O_PATH, &base);
	if (dfd < 0)
		return -1;
	rc = mkdirat(dfd, base, mode);
	err = errno;
	close(dfd);
	errno = err;
	return rc;
}

int
rootfs_write(const char *root, const char *path, mode_t mode,
	     const char *content, size_t len)
{
	char *cur = xstrdup(path);
	const char *base = NULL;
	int dfd = -1, fd = -1, err = 0, rc = -1;
	char tmp[300];
	struct stat st;
	bool have_old = false;

	/* follow the final name's links inside root to the file itself */
	for (int hops = 0;; hops++) {
		char target[4096];
		ssize_t n;

		dfd = open_parent(root, cur, O_RDONLY, &base);
		if (dfd < 0)
			goto fail;
		n = readlinkat(dfd, base, target, sizeof(target) - 1);
		if (n < 0)
			break;
		close(dfd);
		dfd = -1;
		if (hops >= MAX_LINKS) {
			errno = ELOOP;
			goto fail;
		}
		target[n] = '\0';
		if (target[0] == '/') {
			free(cur);
			cur = xstrdup(target);
		} else {
			const char *slash = strrchr(cur, '/');
			char *next = xasprintf("%.*s/%s",
					       slash ? (int)(slash - cur) : 1,
					       slash ? cur : ".", target);

			free(cur);
			cur = next;
		}
	}
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode)) {
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
			goto fail;
		}
		have_old = true;
	} else if (errno != ENOENT) {
		goto fail;
	}
	for (int i = 0; fd < 0 && i < 100; i++) {
		snprintf(tmp, sizeof(tmp), ".%.200s.lxdh-%ld-%d", base,
			 (long)getpid(), i);
		fd = openat(dfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		if (fd < 0 && errno != EEXIST)
			goto fail;
	}
	if (fd < 0)
		goto fail;
	if (!have_old) {
		mode_t mask = umask(077);

		umask(mask);
		mode &= ~mask;
	}
	if (write_all(fd, content, len) != 0 || fsync(fd) != 0 ||
	    (have_old && geteuid() == 0 &&
	     fchown(fd, st.st_uid, st.st_gid) != 0) ||
	    fchmod(fd, have_old ? st.st_mode & 07777 : mode) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	fd = -1;
	if (err) {
		unlinkat(dfd, tmp, 0);
		errno = err;
		goto fail;
	}
	if (renameat(dfd, tmp, dfd, base) != 0) {
		err = errno;
		unlinkat(dfd, tmp, 0);
		errno = err;
		goto fail;
	}
	fsync(dfd);
	rc = 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(cur);
	errno = err;
	return rc;
}
