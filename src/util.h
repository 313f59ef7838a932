/* util.h - allocation that never returns NULL, strings, and diagnostics */
#ifndef LXD_HARDEN_UTIL_H
#define LXD_HARDEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define LXDH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LXDH_NONNULL_RET __attribute__((returns_nonnull))
#else
#define LXDH_PRINTF(f, a)
#define LXDH_NONNULL_RET
#endif

/*
 * A diagnostic filled in by a failing function below the command layer.
 * Functions return 0 or -1 and, on -1, leave one line (no newline, no full
 * stop) in msg saying what failed and where.
 */
struct diag {
	char msg[512];
};

void diag_set(struct diag *d, const char *fmt, ...) LXDH_PRINTF(2, 3);

/* The x* family aborts with a message on allocation failure. */
void *xmalloc(size_t n) LXDH_NONNULL_RET;
void *xcalloc(size_t nmemb, size_t size) LXDH_NONNULL_RET;
void *xrealloc(void *p, size_t n) LXDH_NONNULL_RET;
char *xstrdup(const char *s) LXDH_NONNULL_RET;
char *xstrndup(const char *s, size_t n) LXDH_NONNULL_RET;
/* Caller frees. */
char *xasprintf(const char *fmt, ...) LXDH_PRINTF(1, 2) LXDH_NONNULL_RET;
char *xvasprintf(const char *fmt, va_list ap) LXDH_PRINTF(1, 0)
	LXDH_NONNULL_RET;

/* The value of a hex digit (either case), or -1. */
int hex_value(char c);

/* Writes all len bytes of buf to fd (retrying on EINTR); 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

/* NULL-safe string helpers. */
bool str_eq(const char *a, const char *b);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_empty(const char *s);

/* A growable, NUL-terminated byte buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) LXDH_PRINTF(2, 3);
/* Returns the buffer (never NULL) and resets sb; caller frees. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

/*
 * Reads a whole file into a NUL-terminated buffer; returns NULL and fills
 * d when it cannot. Caller frees. *len may be NULL.
 */
char *read_file(const char *path, size_t *len, struct diag *d);

/*
 * Reads a whole file of at most max bytes (a whole number of MiB) into a
 * NUL-terminated buffer: *out (caller frees) and its length *len. Returns
 * 0, or -1 with "cannot read WHAT 'PATH': REASON" in d, REASON being the
 * system's or "larger than N MiB"; *out and *len are then untouched.
 */
int read_file_max(const char *path, size_t max, const char *what, char **out,
		  size_t *len, struct diag *d);

struct stat;
/* Whether st belongs to root or to the caller (the effective uid). */
bool owner_trusted(const struct stat *st);

/*
 * read_file_max() for a file whose content decides verdicts (a policy, a
 * baseline, a targets file, a client configuration, the release table):
 * refused, with the reason and the fix in d, unless it is a regular file
 * that root or the caller owns and that no one else may write (group
 * root aside), in a directory of the same kind (others may write it only
 * when it is sticky), and unless the path is a symlink someone else made.
 */
int read_file_trusted(const char *path, size_t max, const char *what,
		      char **out, size_t *len, struct diag *d);

/* The current time, or SOURCE_DATE_EPOCH when that is set (tests). */
long long now_epoch(void);

/* Parses an RFC 3339 timestamp (fractions and zone allowed) to epoch. */
int parse_rfc3339(const char *s, long long *out);
/* Formats epoch as YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes). */
void format_rfc3339(long long t, char *buf, size_t len);

#endif
