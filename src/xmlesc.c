/* xmlesc.c - making untrusted strings safe for XML and HTML */
#include "xmlesc.h"

#include <stdio.h>
#include <stdlib.h>

#include "escape.h"

static void
add_hex(struct strbuf *sb, unsigned char c)
{
	char hex[8];

	snprintf(hex, sizeof(hex), "\\x%02x", c);
	strbuf_addstr(sb, hex);
}

static void
escape(struct strbuf *sb, const char *s, bool attr)
{
	char *valid;
	const unsigned char *p;
	unsigned cp;

	if (!s)
		return;
	/* after this every byte >= 0x80 starts or continues valid UTF-8 */
	valid = escape_utf8_valid(s);
	for (p = (const unsigned char *)valid; *p; p++) {
		switch (*p) {
		case '&':
			strbuf_addstr(sb, "&amp;");
			continue;
		case '<':
			strbuf_addstr(sb, "&lt;");
			continue;
		case '>':
			strbuf_addstr(sb, "&gt;");
			continue;
		case '"':
			strbuf_addstr(sb, "&quot;");
			continue;
		case '\'':
			strbuf_addstr(sb, "&#39;");
			continue;
		case '\r':
			strbuf_addstr(sb, "&#13;");
			continue;
		case '\n':
			strbuf_addstr(sb, attr ? "&#10;" : "\n");
			continue;
		case '\t':
			strbuf_addstr(sb, attr ? "&#9;" : "\t");
			continue;
		default:
			break;
		}
		if (escape_invisible((const char *)p, &cp)) {
			/* a bidi override or a zero-width character: shown as
			   a reference, so it reorders nothing when printed */
			strbuf_addf(sb, "&#x%X;", cp);
			p += escape_invisible((const char *)p, &cp) - 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			add_hex(sb, *p);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) {
			add_hex(sb, p[1]);
			p++;
		} else if (p[0] == 0xef && p[1] == 0xbf &&
			   (p[2] == 0xbe || p[2] == 0xbf)) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			p += 2;
		} else {
			strbuf_addch(sb, (char)*p);
		}
	}
	free(valid);
}

void
xmlesc_text(struct strbuf *sb, const char *s)
{
	escape(sb, s, false);
}

void
xmlesc_attr(struct strbuf *sb, const char *s)
{
	escape(sb, s, true);
}
