/* escape.c - making untrusted strings safe for each output */
#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one: overlong forms, surrogates and values past U+10FFFF count
 * as invalid, as RFC 3629 says.
 */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The code point of the valid sequence of n bytes at p. */
static unsigned
utf8_cp(const unsigned char *p, size_t n)
{
	unsigned cp = n == 1 ? p[0] : p[0] & (0xff >> (n + 1));

	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * Characters a terminal draws as nothing or uses to reorder what follows:
 * bidi embeddings, overrides and isolates (which make "rm -rf x" display
 * as something else), zero-width spaces and joiners, the line and
 * paragraph separators and the byte order mark.
 */
static bool
invisible_format(unsigned cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

size_t
escape_invisible(const char *s, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = utf8_seq(p);

	if (n < 2 || !invisible_format(utf8_cp(p, n)))
		return 0;
	*cp = utf8_cp(p, n);
	return n;
}

void
escape_json_text(struct strbuf *sb, const char *json)
{
	const unsigned char *p = (const unsigned char *)json;
	char u[8];

	while (*p) {
		unsigned cp;
		size_t n = 0;

		/* a run of ASCII other than DEL passes as it is, at once */
		while (p[n] && p[n] < 0x7f)
			n++;
		if (n) {
			strbuf_add(sb, p, n);
			p += n;
			continue;
		}
		n = escape_invisible((const char *)p, &cp);
		if (n) {
			snprintf(u, sizeof(u), "\\u%04x", cp);
			strbuf_addstr(sb, u);
			p += n;
		} else if (*p == 0x7f) {
			strbuf_addstr(sb, "\\u007f");
			p++;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) {
			snprintf(u, sizeof(u), "\\u%04x", p[1]);
			strbuf_addstr(sb, u);
			p += 2;
		} else {
			strbuf_addch(sb, (char)*p++);
		}
	}
}

void
escape_term(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char hex[16];

	while (*p) {
		size_t n = utf8_seq(p);

		if (n > 1 && invisible_format(utf8_cp(p, n))) {
			snprintf(hex, sizeof(hex), "\\u%04x", utf8_cp(p, n));
			strbuf_addstr(sb, hex);
			p += n;
		} else if (n == 0 || *p < 0x20 || *p == 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02x", *p);
			strbuf_addstr(sb, hex);
			p++;
		} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			/* C1 controls U+0080..U+009F: CSI and friends */
			snprintf(hex, sizeof(hex), "\\x%02x", p[1]);
			strbuf_addstr(sb, hex);
			p += 2;
		} else if (*p == '\\') {
			strbuf_addstr(sb, "\\\\");
			p++;
		} else {
			strbuf_add(sb, p, n);
			p += n;
		}
	}
}

void
escape_cmd(struct strbuf *sb, const char *s)
{
	struct strbuf t = STRBUF_INIT;
	size_t backslashes = 0, len = strlen(s ? s : "");

	escape_term(&t, s ? s : "");
	for (const char *p = s ? s : ""; *p; p++)
		backslashes += *p == '\\';
	/* only the backslashes were doubled, nothing else changed (every
	   other change makes the text longer still) */
	if (t.len == len + backslashes)
		strbuf_addstr(sb, s ? s : "");
	else
		strbuf_addstr(sb, t.buf ? t.buf : "");
	strbuf_release(&t);
}

char *
escape_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct strbuf sb = STRBUF_INIT;

	while (*p) {
		size_t n = utf8_seq(p);

		if (n == 0) {
			strbuf_addstr(&sb, "\xef\xbf\xbd");
			p++;
		} else {
			strbuf_add(&sb, p, n);
			p += n;
		}
	}
	return strbuf_detach(&sb);
}

/*
 * Bytes a shell word may hold unquoted in every POSIX shell, bash and
 * zsh: no glob, expansion, separator or redirection. '=' and '~' are left
 * out at the start (zsh's =cmd, tilde expansion); '-' is fine, the tool
 * never prints a name where an option would be read.
 */
static bool
sh_safe(const char *s)
{
	if (!*s || *s == '=')
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c)))
			return false;
	}
	return true;
}

void
escape_sh(struct strbuf *sb, const char *s)
{
	if (sh_safe(s)) {
		strbuf_addstr(sb, s);
		return;
	}
	strbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			strbuf_addstr(sb, "'\"'\"'");
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

void
escape_url(struct strbuf *sb, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:@", *p)) {
			strbuf_addch(sb, (char)*p);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hexd[*p >> 4]);
			strbuf_addch(sb, hexd[*p & 15]);
		}
	}
}

char *
unescape_url(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "");
	for (const char *p = s; *p; p++) {
		int hi, lo;

		if (*p == '%' && (hi = hex_value(p[1])) >= 0 &&
		    (lo = hex_value(p[2])) >= 0 && (hi || lo)) {
			strbuf_addch(&sb, (char)(hi * 16 + lo));
			p += 2;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	return strbuf_detach(&sb);
}

/*
 * Stores a new ring entry, freeing the one it replaces. One ring per
 * thread: the host is read in a thread of its own while the fetch, which
 * quotes names into request paths, runs (audit_run.c).
 */
static const char *
ring_keep(struct strbuf *sb)
{
	static _Thread_local char *ring[ESCAPE_RING];
	static _Thread_local size_t next;
	char *s = strbuf_detach(sb);

	free(ring[next]);
	ring[next] = s;
	next = (next + 1) % ESCAPE_RING;
	return s;
}

/* fn(s) kept in the ring. */
static const char *
ring_of(void (*fn)(struct strbuf *, const char *), const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "");
	fn(&sb, s ? s : "");
	return ring_keep(&sb);
}

const char *
shq(const char *s)
{
	return ring_of(escape_sh, s);
}

const char *
urlq(const char *s)
{
	return ring_of(escape_url, s);
}

const char *
cmdq(const char *s)
{
	return ring_of(escape_cmd, s);
}

const char *
termq(const char *s)
{
	return ring_of(escape_term, s);
}

void
term_vprintf(FILE *f, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	char *line = xvasprintf(fmt, ap);

	strbuf_addstr(&sb, "");
	escape_term(&sb, line);
	strbuf_addch(&sb, '\n');
	fputs(sb.buf, f);
	strbuf_release(&sb);
	free(line);
}

void
term_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	term_vprintf(f, fmt, ap);
	va_end(ap);
}
