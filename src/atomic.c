/* atomic.c - replacing an output file whole or not at all (-o FILE) */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

#ifndef S_ISVTX
#define S_ISVTX 01000	/* XSI; _POSIX_C_SOURCE alone leaves it out */
#endif

/* Makes a rename in the directory of path durable, if it can. */
static void
sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/*
 * A device, FIFO or socket cannot be replaced by renaming a file over it
 * (that would turn /dev/null into a regular file): write into it.
 */
static int
write_in_place(const char *path, atomic_writer_fn *writer, void *ctx)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	FILE *f;

	if (fd < 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (writer(f, ctx) != 0 || fflush(f) != 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
replace_file(const char *path, mode_t mode, const struct stat *old,
	     atomic_writer_fn *writer, void *ctx);

/* The directory part of path ("." when none); caller frees. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * The rule of fs.protected_symlinks, applied whatever the sysctl says: a
 * link in a sticky world-writable directory (/tmp) is followed only when
 * it belongs to the caller or to the directory's owner. Otherwise another
 * user could point root's report at /etc/shadow. Returns 0 to follow.
 */
static int
check_link_owner(const char *link, const struct stat *lst, const char *path)
{
	char *dir = dir_of(link);
	struct stat dst;
	int rc = 0;

	if (stat(dir, &dst) == 0 && (dst.st_mode & S_ISVTX) &&
	    (dst.st_mode & S_IWOTH) && lst->st_uid != geteuid() &&
	    lst->st_uid != dst.st_uid) {
		cmd_error("cannot write '%s': '%s' is a symbolic link of user "
			  "%ld in the sticky world-writable directory '%s'; "
			  "not followed (give the real path)",
			  path, link, (long)lst->st_uid, dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

/* Checks every directory of path that is a link, as the kernel would. */
static int
check_dir_links(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = strchr(p + 1, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
		struct stat st;

		*s = '\0';
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode))
			rc = check_link_owner(p, &st, path);
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * Where a chain of symbolic links ends, as the shell's '>' would write:
 * the final name need not exist yet (a link to a file still to be
 * created), but the directories on the way must. Caller frees.
 */
static char *
link_target(const char *path)
{
	char *cur = xstrdup(path);
	struct stat st;

	for (int hops = 0; hops < 40; hops++) {
		char buf[4096];
		ssize_t n;
		char *next;

		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		if (check_link_owner(cur, &st, path) != 0) {
			free(cur);
			return NULL;
		}
		n = readlink(cur, buf, sizeof(buf) - 1);
		if (n < 0) {
			cmd_error("cannot write '%s': %s", path,
				  strerror(errno));
			free(cur);
			return NULL;
		}
		buf[n] = '\0';
		if (buf[0] == '/' || !strchr(cur, '/')) {
			next = xstrdup(buf);
		} else {
			const char *slash = strrchr(cur, '/');

			next = xasprintf("%.*s/%s", (int)(slash - cur), cur,
					 buf);
		}
		free(cur);
		cur = next;
	}
	cmd_error("cannot write '%s': %s", path, strerror(ELOOP));
	free(cur);
	return NULL;
}

int
atomic_write(const char *path, mode_t mode, atomic_writer_fn *writer,
	     void *ctx)
{
	struct stat st;
	char *real = NULL;
	int rc;

	if (check_dir_links(path) != 0)
		return -1;
	/* a symlink is followed: its target is written, not the link */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		real = link_target(path);
		if (!real)
			return -1;
		path = real;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			cmd_error("cannot write '%s': Is a directory", path);
			rc = -1;
		} else if (!S_ISREG(st.st_mode)) {
			rc = write_in_place(path, writer, ctx);
		} else {
			rc = replace_file(path, st.st_mode & 07777, &st,
					  writer, ctx);
		}
	} else {
		/* a new file: the caller's umask narrows mode, as open would */
		mode_t mask = umask(077);

		umask(mask);
		rc = replace_file(path, mode & ~mask, NULL, writer, ctx);
	}
	free(real);
	return rc;
}

/*
 * The new file takes the mode (and, for root, the owner) of the one it
 * replaces, so a report kept private stays private.
 */
static int
replace_file(const char *path, mode_t mode, const struct stat *old,
	     atomic_writer_fn *writer, void *ctx)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	FILE *f;
	int rc = -1;

	if (fd < 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (writer(f, ctx) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		fclose(f);
		goto out;
	}
	if (old && geteuid() == 0 &&
	    fchown(fileno(f), old->st_uid, old->st_gid) != 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fchmod(fileno(f), mode) != 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		cmd_error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		cmd_error("cannot rename '%s' to '%s': %s", tmp, path,
			  strerror(errno));
		goto out;
	}
	sync_dir_of(path);
	rc = 0;
out:
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
