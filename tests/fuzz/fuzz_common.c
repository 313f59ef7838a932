/* fuzz_common.c - private scratch files for the harnesses */
#include "fuzz_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char dir[PATH_MAX];

static void
cleanup(void)
{
	char cmd[PATH_MAX + 32];

	if (!dir[0])
		return;
	/* Our own mkdtemp directory, holding only what we wrote. */
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

const char *
fuzz_dir(void)
{
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/lxdh-fuzz.XXXXXX",
			 t && *t ? t : "/tmp");
		if (!mkdtemp(dir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(cleanup);
	}
	return dir;
}

static void
write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *p = data;

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size > 0) {
		ssize_t w = write(fd, p, size);

		if (w <= 0) {
			perror(path);
			abort();
		}
		p += w;
		size -= (size_t)w;
	}
	close(fd);
}

const char *
fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	write_file(path, data, size);
	return path;
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

const char *
fuzz_testdata(void)
{
	const char *t = getenv("LXDH_TESTDATA");

	return t && *t ? t : LXDH_FUZZ_TESTDATA;
}

char *
fuzz_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	char chunk[65536];
	size_t n;

	*len = 0;
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = xrealloc(buf, *len + n + 1);
		memcpy(buf + *len, chunk, n);
		*len += n;
	}
	fclose(f);
	if (!buf)
		buf = xmalloc(1);
	buf[*len] = '\0';
	return buf;
}

const char *
fuzz_copy_fixture(const char *src, const char *sub)
{
	char *dst = xasprintf("%s/%s", fuzz_dir(), sub);
	DIR *d = opendir(src);
	struct dirent *e;

	if (!d) {
		perror(src);
		abort();
	}
	if (mkdir(dst, 0700) != 0) {
		perror(dst);
		abort();
	}
	while ((e = readdir(d))) {
		char *from, *to, *buf;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		from = xasprintf("%s/%s", src, e->d_name);
		to = xasprintf("%s/%s", dst, e->d_name);
		buf = fuzz_read(from, &n);
		if (!buf) {
			perror(from);
			abort();
		}
		write_file(to, buf, n);
		free(buf);
		free(from);
		free(to);
	}
	closedir(d);
	return dst;	/* kept for the life of the process */
}
