/* journal.c - the append-only, synced record of fix --apply */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
journal_create(struct journal *j, const char *dir, json_t *header,
	       struct diag *d)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	struct stat st;

	memset(j, 0, sizeof(*j));
	j->fd = j->dirfd = -1;
	if (mkdir_p(dir, d) != 0)
		return -1;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		diag_set(d, "journal directory '%s' is not a directory", dir);
		return -1;
	}
	if ((st.st_mode & 077) && chmod(dir, 0700) != 0) {
		diag_set(d, "cannot make '%s' private: %s", dir,
			 strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	j->path = xasprintf("%s/%s.%09ldZ-%ld.jsonl", dir, stamp, ts.tv_nsec,
			    (long)getpid());
	j->fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
				      O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->fd < 0) {
		diag_set(d, "cannot create journal '%s': %s", j->path,
			 strerror(errno));
		free(j->path);
		j->path = NULL;
		return -1;
	}
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (journal_append(j, header, d) != 0) {
		journal_close(j);
		return -1;
	}
	return 0;
}

int
journal_open(struct journal *j, const char *path, struct diag *d)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	memset(j, 0, sizeof(*j));
	j->dirfd = -1;
	j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (j->fd < 0) {
		diag_set(d, "cannot open journal '%s': %s", path,
			 strerror(errno));
		free(dir);
		return -1;
	}
	if (slash)
		*slash = '\0';
	j->dirfd = open(slash ? (dir[0] ? dir : "/") : ".",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	j->path = xstrdup(path);
	return 0;
}

int
journal_append(struct journal *j, const json_t *entry, struct diag *d)
{
	char *s = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = 0;

	if (!s) {
		diag_set(d, "cannot encode a journal entry");
		return -1;
	}
	if (write_all(j->fd, s, strlen(s)) != 0 || write_all(j->fd, "\n", 1) ||
	    fsync(j->fd) != 0 || (j->dirfd >= 0 && fsync(j->dirfd) != 0)) {
		diag_set(d, "cannot write journal '%s': %s", j->path,
			 strerror(errno));
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

json_t *
journal_load(const char *path, struct diag *d)
{
	char *buf = read_file(path, NULL, d), *line, *next;
	json_t *arr;
	int n = 0;

	if (!buf)
		return NULL;
	arr = json_array();
	for (line = buf; line && *line; line = next) {
		json_error_t e;
		json_t *v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n++;
		if (!*line)
			continue;
		v = json_loads(line, JSON_REJECT_DUPLICATES, &e);
		if (!v || !json_is_object(v)) {
			/* a line cut short by a crash ends the journal */
			if (!next || !*next) {
				json_decref(v);
				break;
			}
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
		diag_set(d, "'%s' is not an lxd-harden journal", path);
		json_decref(arr);
		return NULL;
	}
	return arr;
}

char *
journal_latest(const char *dir, struct diag *d)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	char *best = NULL;

	if (!dh) {
		diag_set(d, "no journal in '%s': %s", dir, strerror(errno));
		return NULL;
	}
	while ((e = readdir(dh))) {
		if (!str_ends_with(e->d_name, ".jsonl") || e->d_name[0] == '.')
			continue;
		if (!best || strcmp(e->d_name, best) > 0) {
			free(best);
			best = xstrdup(e->d_name);
		}
	}
	closedir(dh);
	if (!best) {
		diag_set(d, "no journal in '%s'", dir);
		return NULL;
	}
	{
		char *p = xasprintf("%s/%s", dir, best);

		free(best);
		return p;
	}
}
