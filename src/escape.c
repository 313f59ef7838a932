/* escape.c - making untrusted strings safe for each output */
#include "escape.h"

#include <stdio.h>
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

void
escape_term(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char hex[8];

	while (*p) {
		size_t n = utf8_seq(p);

		if (n == 0 || *p < 0x20 || *p == 0x7f) {
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
