/* util.c - allocation that never returns NULL, strings, and diagnostics */
#define _XOPEN_SOURCE 700	/* S_ISVTX */
#include "util.h"

#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
oom(size_t n)
{
	fprintf(stderr, "lxd-harden: out of memory allocating %zu bytes\n", n);
	abort();
}

void
diag_set(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	/* also tells gcc's sanitizer builds that fmt cannot be NULL */
	if (!fmt) {
		fprintf(stderr, "lxd-harden: NULL format string\n");
		abort();
	}
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		fprintf(stderr, "lxd-harden: bad format string\n");
		abort();
	}
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

bool
str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
str_starts_with(const char *s, const char *prefix)
{
	return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_ends_with(const char *s, const char *suffix)
{
	size_t a, b;

	if (!s || !suffix)
		return false;
	a = strlen(s);
	b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool
str_empty(const char *s)
{
	return !s || !*s;
}

static void
strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->alloc)
		return;
	sb->alloc = sb->alloc ? sb->alloc : 64;
	while (sb->alloc < need)
		sb->alloc *= 2;
	sb->buf = xrealloc(sb->buf, sb->alloc);
}

void
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void
strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void
strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_addstr(sb, s);
	free(s);
}

char *
strbuf_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

void
strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

char *
read_file(const char *path, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f) {
		diag_set(d, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&sb, chunk, n);
	if (ferror(f)) {
		diag_set(d, "cannot read '%s': %s", path, strerror(errno));
		fclose(f);
		strbuf_release(&sb);
		return NULL;
	}
	fclose(f);
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}

/* Reads fd (closed here) whole, as read_file_max() says. */
static int
read_fd_max(int fd, const char *path, size_t max, const char *what,
	    char **out, size_t *len, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	ssize_t r;

	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diag_set(d, "cannot read %s '%s': %s", what, path,
				 strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		if (sb.len + (size_t)r > max) {
			diag_set(d, "cannot read %s '%s': larger than %zu MiB",
				 what, path, max >> 20);
			goto fail;
		}
		strbuf_add(&sb, chunk, (size_t)r);
	}
	close(fd);
	*len = sb.len;
	*out = strbuf_detach(&sb);
	return 0;
fail:
	close(fd);
	strbuf_release(&sb);
	return -1;
}

int
read_file_max(const char *path, size_t max, const char *what, char **out,
	      size_t *len, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		diag_set(d, "cannot read %s '%s': %s", what, path,
			 strerror(errno));
		return -1;
	}
	return read_fd_max(fd, path, max, what, out, len, d);
}

bool
owner_trusted(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/* Others than the owner (and group root) may write it. */
static bool
others_write(const struct stat *st)
{
	return (st->st_mode & S_IWOTH) ||
	       ((st->st_mode & S_IWGRP) && st->st_gid != 0);
}

int
read_file_trusted(const char *path, size_t max, const char *what,
		  char **out, size_t *len, struct diag *d)
{
	struct stat lst, st, dst;
	char *real, *slash;
	int fd;

	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
	    !owner_trusted(&lst)) {
		diag_set(d, "not reading %s '%s': it is a symlink that uid %lu "
			    "made; name the file itself", what, path,
			 (unsigned long)lst.st_uid);
		return -1;
	}
	/* O_NONBLOCK: a FIFO put there does not hang the open */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		diag_set(d, "cannot read %s '%s': %s", what, path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_set(d, "not reading %s '%s': not a regular file", what,
			 path);
		close(fd);
		return -1;
	}
	if (!owner_trusted(&st) || others_write(&st)) {
		diag_set(d, "not reading %s '%s': %s (uid %lu, mode %04o), so "
			    "someone else could have written it; chown root "
			    "and chmod go-w it", what, path,
			 owner_trusted(&st) ? "others may write it" :
					      "it belongs to another user",
			 (unsigned long)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	/* the directory it is really in: whoever writes it can swap it */
	real = realpath(path, NULL);
	slash = real ? strrchr(real, '/') : NULL;
	if (slash)
		*(slash == real ? slash + 1 : slash) = '\0';
	if (!real || stat(real, &dst) != 0 || !owner_trusted(&dst) ||
	    (others_write(&dst) && !(dst.st_mode & S_ISVTX))) {
		diag_set(d, "not reading %s '%s': someone else could change "
			    "the directory %s; keep it in a directory only "
			    "root (or you) can write", what, path,
			 real ? real : "it is in");
		free(real);
		close(fd);
		return -1;
	}
	free(real);
	return read_fd_max(fd, path, max, what, out, len, d);
}

long long
now_epoch(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (sde && *sde) {
		errno = 0;
		v = strtoll(sde, &end, 10);
		if (!errno && !*end && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

static int
days_from_civil(long long y, unsigned m, unsigned d, long long *out)
{
	/* Howard Hinnant's algorithm: proleptic Gregorian to days since epoch */
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = era * 146097 + (long long)doe - 719468;
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
parse_rfc3339(const char *s, long long *out)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0;
	long long days;
	const char *p;
	int sign = 0;

	if (!s || strlen(s) < 19)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' ||
		    digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	days_from_civil(y, (unsigned)mo, (unsigned)d, &days);
	*out = days * 86400 + h * 3600 + mi * 60 + se -
	       sign * (oh * 3600 + om * 60);
	return 0;
}

void
format_rfc3339(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
