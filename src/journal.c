/* journal.c - the append-only, synced record of fix --apply */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int
mkdir_p(const char *dir, struct diag *d)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				diag_set(d, "cannot create '%s': %s", p,
					 strerror(errno));
				rc = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

int
journal_dir_open(const char *dir, bool create, struct diag *d)
{
	struct stat st;
	int fd;

	if (create && mkdir_p(dir, d) != 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			diag_set(d, "journal directory '%s' is a symlink or "
				    "not a directory; name the directory "
				    "itself", dir);
		else
			diag_set(d, "cannot open journal directory '%s': %s",
				 dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) {
		diag_set(d, "journal directory '%s' is not a directory", dir);
		close(fd);
		return -1;
	}
	if (!owner_trusted(&st)) {
		diag_set(d, "journal directory '%s' belongs to uid %lu, not "
			    "to root or you; its journals are not trusted",
			 dir, (unsigned long)st.st_uid);
		close(fd);
		return -1;
	}
	if (st.st_mode & 022) {
		diag_set(d, "journal directory '%s' is writable by others "
			    "(mode %04o); its journals are not trusted: use "
			    "a directory only its owner can write",
			 dir, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	/* what is written there is kept private */
	if (create && (st.st_mode & 077) && st.st_uid == geteuid() &&
	    fchmod(fd, 0700) != 0) {
		diag_set(d, "cannot make '%s' private: %s", dir,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Splits path into its directory and its last component. */
static void
split_path(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*dir = xstrdup(".");
		*base = path;
	} else {
		*dir = slash == path ? xstrdup("/") :
				       xasprintf("%.*s", (int)(slash - path),
						 path);
		*base = slash + 1;
	}
}

/*
 * Opens a journal file with flags after checking its directory and the
 * file itself; *dirfd gets the directory (caller closes).
 */
static int
open_checked(const char *path, int flags, int *dirfd, struct diag *d)
{
	char *dir;
	const char *base;
	struct stat st;
	int fd;

	*dirfd = -1;
	split_path(path, &dir, &base);
	if (!*base) {
		diag_set(d, "'%s' names a directory, not a journal", path);
		free(dir);
		return -1;
	}
	*dirfd = journal_dir_open(dir, false, d);
	free(dir);
	if (*dirfd < 0)
		return -1;
	fd = openat(*dirfd, base, flags | O_NOFOLLOW | O_CLOEXEC |
					  O_NONBLOCK);
	if (fd < 0) {
		diag_set(d, "cannot open journal '%s': %s", path,
			 errno == ELOOP ? "it is a symlink" : strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_set(d, "journal '%s' is not a regular file", path);
		goto fail_fd;
	}
	if (!owner_trusted(&st) || (st.st_mode & 022) || st.st_nlink != 1) {
		diag_set(d, "journal '%s' is not trusted: it must belong to "
			    "root or you, be writable by nobody else and have "
			    "no other name (uid %lu, mode %04o, %lu links)",
			 path, (unsigned long)st.st_uid,
			 (unsigned)(st.st_mode & 07777),
			 (unsigned long)st.st_nlink);
		goto fail_fd;
	}
	if ((size_t)st.st_size > JOURNAL_MAX_BYTES) {
		diag_set(d, "journal '%s' is larger than %zu MiB: not one "
			    "lxd-harden wrote", path, JOURNAL_MAX_BYTES >> 20);
		goto fail_fd;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
fail_fd:
	close(fd);
fail:
	close(*dirfd);
	*dirfd = -1;
	return -1;
}

/*
 * The length of the file up to its last newline when its last line is
 * cut short, else -1 (also on errors: then nothing is cut).
 */
static off_t
torn_at(int fd)
{
	struct stat st;
	char buf[4096];
	off_t end;

	if (fstat(fd, &st) != 0 || st.st_size == 0)
		return -1;
	if (pread(fd, buf, 1, st.st_size - 1) != 1 || buf[0] == '\n')
		return -1;
	for (end = st.st_size; end > 0;) {
		off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf)
						      : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - from), from);

		if (n != end - from)
			return -1;
		for (ssize_t i = n; i-- > 0;)
			if (buf[i] == '\n')
				return from + i + 1;
		end = from;
	}
	return 0;
}

/* Cuts a torn last line off; warn says so. */
static int
repair(struct journal *j, struct diag *warn, struct diag *d)
{
	off_t at = torn_at(j->fd);

	if (at < 0)
		return 0;
	if (ftruncate(j->fd, at) != 0 || fsync(j->fd) != 0) {
		diag_set(d, "cannot cut the incomplete last line of journal "
			    "'%s': %s", j->path, strerror(errno));
		return -1;
	}
	if (warn)
		diag_set(warn, "journal '%s': its last line was incomplete "
			       "(a crash or a full disk) and was cut off",
			 j->path);
	return 0;
}

int
journal_create(struct journal *j, const char *dir, json_t *header,
	       struct diag *d)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32], *name;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->dirfd = journal_dir_open(dir, true, d);
	if (j->dirfd < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	name = xasprintf("%s.%09ldZ-%ld.jsonl", stamp, ts.tv_nsec,
			 (long)getpid());
	j->path = xasprintf("%s/%s", dir, name);
	j->fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
					       O_APPEND | O_CLOEXEC |
					       O_NOFOLLOW,
		       0600);
	free(name);
	if (j->fd < 0) {
		diag_set(d, "cannot create journal '%s': %s", j->path,
			 strerror(errno));
		journal_close(j);
		return -1;
	}
	if (journal_append(j, header, d) != 0) {
		journal_close(j);
		return -1;
	}
	return 0;
}

int
journal_open(struct journal *j, const char *path, struct diag *warn,
	     struct diag *d)
{
	memset(j, 0, sizeof(*j));
	j->fd = open_checked(path, O_RDWR | O_APPEND, &j->dirfd, d);
	if (j->fd < 0)
		return -1;
	j->path = xstrdup(path);
	if (repair(j, warn, d) != 0) {
		journal_close(j);
		return -1;
	}
	return 0;
}

int
journal_append(struct journal *j, const json_t *entry, struct diag *d)
{
	char *s = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	struct stat st;
	int rc = 0;

	if (!s) {
		diag_set(d, "cannot encode a journal entry");
		return -1;
	}
	/* a line an earlier failed write left half done goes first */
	if (repair(j, NULL, d) != 0 || fstat(j->fd, &st) != 0) {
		free(s);
		return -1;
	}
	if (write_all(j->fd, s, strlen(s)) != 0 || write_all(j->fd, "\n", 1) ||
	    fsync(j->fd) != 0 || (j->dirfd >= 0 && fsync(j->dirfd) != 0)) {
		int err = errno;

		/* never leave half a line behind */
		if (ftruncate(j->fd, st.st_size) == 0)
			fsync(j->fd);
		diag_set(d, "cannot write journal '%s': %s", j->path,
			 strerror(err));
		rc = -1;
	}
	free(s);
	return rc;
}

void
journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->path);
	j->fd = j->dirfd = -1;
	j->path = NULL;
}

/* The whole file behind fd (at most JOURNAL_MAX_BYTES); caller frees. */
static char *
read_fd(int fd, const char *path, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;

	strbuf_add(&sb, "", 0);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			diag_set(d, "cannot read journal '%s': %s", path,
				 strerror(errno));
			strbuf_release(&sb);
			return NULL;
		}
		if (sb.len + (size_t)n > JOURNAL_MAX_BYTES) {
			diag_set(d, "journal '%s' is larger than %zu MiB: not "
				    "one lxd-harden wrote",
				 path, JOURNAL_MAX_BYTES >> 20);
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	return strbuf_detach(&sb);
}

json_t *
journal_load(const char *path, struct diag *warn, struct diag *d)
{
	int dirfd, fd = open_checked(path, O_RDONLY, &dirfd, d);
	char *buf, *line, *next;
	json_t *arr;
	int n = 0;

	if (fd < 0)
		return NULL;
	buf = read_fd(fd, path, d);
	close(fd);
	close(dirfd);
	if (!buf)
		return NULL;
	arr = json_array();
	for (line = buf; line && *line; line = next) {
		json_error_t e;
		json_t *v;

		next = strchr(line, '\n');
		n++;
		if (!next) {
			/* no newline: cut short by a crash or a full disk */
			if (warn)
				diag_set(warn, "%s:%d: the last line is "
					       "incomplete (a crash or a full "
					       "disk); it is ignored",
					 path, n);
			break;
		}
		*next++ = '\0';
		if (!*line)
			continue;
		v = json_loads(line, JSON_REJECT_DUPLICATES, &e);
		if (!v || !json_is_object(v)) {
			diag_set(d, "%s:%d: not a journal line: %s", path, n,
				 v ? "not an object" : e.text);
			json_decref(v);
			json_decref(arr);
			free(buf);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	free(buf);
	if (!json_array_size(arr) ||
	    !str_eq(json_string_value(json_object_get(json_array_get(arr, 0),
						      "schema")),
		    JOURNAL_SCHEMA)) {
		const char *schema = json_string_value(json_object_get(
			json_array_get(arr, 0), "schema"));

		if (schema && str_starts_with(schema, "lxd-harden/journal/"))
			diag_set(d, "'%s' is an lxd-harden journal of another "
				    "format (%s, not %s); roll it back with "
				    "the version that wrote it",
				 path, "older or newer", JOURNAL_SCHEMA);
		else
			diag_set(d, "'%s' is not an lxd-harden journal", path);
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* The server a journal's header names, or NULL; caller frees. */
static char *
journal_server(const char *path)
{
	struct diag d = { { 0 } };
	json_t *lines = journal_load(path, NULL, &d);
	const char *s = json_string_value(json_object_get(
		json_array_get(lines, 0), "server"));
	char *out = s ? xstrdup(s) : NULL;

	json_decref(lines);
	return out;
}

char *
journal_latest(const char *dir, const char *server, struct diag *d)
{
	int fd = journal_dir_open(dir, false, d);
	DIR *dh;
	struct dirent *e;
	char **names = NULL, *best = NULL;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	dh = fdopendir(fd);
	if (!dh) {
		diag_set(d, "no journal in '%s': %s", dir, strerror(errno));
		close(fd);
		return NULL;
	}
	while ((e = readdir(dh))) {
		if (!str_ends_with(e->d_name, ".jsonl") || e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dh);
	/* newest first: the names start with the time */
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(names[k], names[i]) > 0) {
				char *t = names[i];

				names[i] = names[k];
				names[k] = t;
			}
	for (size_t i = 0; i < n && !best; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		char *s = server ? journal_server(p) : NULL;

		if (!server || str_eq(s, server))
			best = p;
		else
			free(p);
		free(s);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!best)
		diag_set(d, "no journal of this server in '%s'", dir);
	return best;
}

int
journal_lock(const char *dir, const char *server, const char *what,
	     struct journal_lock *l, struct diag *d)
{
	int dfd = journal_dir_open(dir, true, d);
	char *name, *holder, since[32];
	struct stat st;
	ssize_t n;

	l->fd = -1;
	if (dfd < 0)
		return -1;
	if (!*server || strchr(server, '/') || server[0] == '.') {
		diag_set(d, "cannot lock: server identity '%s' is no file "
			    "name", server);
		close(dfd);
		return -1;
	}
	name = xasprintf("%s.lock", server);
	l->fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		       0600);
	close(dfd);
	if (l->fd < 0) {
		diag_set(d, "cannot open lock '%s/%s': %s", dir, name,
			 strerror(errno));
		free(name);
		return -1;
	}
	if (fstat(l->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !owner_trusted(&st) || (st.st_mode & 022)) {
		diag_set(d, "lock '%s/%s' is not a private regular file of "
			    "root or you", dir, name);
		goto fail;
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		char buf[256];

		if (errno != EWOULDBLOCK) {
			diag_set(d, "cannot lock '%s/%s': %s", dir, name,
				 strerror(errno));
			goto fail;
		}
		n = pread(l->fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		diag_set(d, "another lxd-harden is changing this server "
			    "(%s); wait for it to finish",
			 buf[0] ? buf : "holder unknown");
		goto fail;
	}
	format_rfc3339(now_epoch(), since, sizeof(since));
	holder = xasprintf("pid %ld, since %s: %s\n", (long)getpid(), since,
			   what);
	if (ftruncate(l->fd, 0) != 0 ||
	    pwrite(l->fd, holder, strlen(holder), 0) < 0) {
		/* the lock holds; only the note is missing */
	}
	free(holder);
	free(name);
	return 0;
fail:
	free(name);
	close(l->fd);
	l->fd = -1;
	return -1;
}

void
journal_unlock(struct journal_lock *l)
{
	if (l->fd >= 0) {
		if (ftruncate(l->fd, 0) != 0) {
			/* the next holder writes over it anyway */
		}
		close(l->fd);
	}
	l->fd = -1;
}
