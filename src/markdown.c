/* markdown.c - text made safe for CommonMark and GitHub's tables */
#include "markdown.h"

#include <string.h>

#include "escape.h"

/* s with a backslash before each character of set; controls made visible. */
static void
escape_set(struct strbuf *sb, const char *s, const char *set)
{
	struct strbuf vis = STRBUF_INIT;

	/* Control bytes first, so no newline or escape sequence survives. */
	escape_term(&vis, s ? s : "");
	for (const char *p = vis.buf ? vis.buf : ""; *p; p++) {
		/* The noncharacters U+FFFE and U+FFFF: shown, not passed. */
		if (p[0] == '\xef' && p[1] == '\xbf' &&
		    (p[2] == '\xbe' || p[2] == '\xbf')) {
			strbuf_addf(sb, "\\\\xef\\\\xbf\\\\x%02x",
				    (unsigned char)p[2]);
			p += 2;
			continue;
		}
		if (strchr(set, *p))
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *p);
	}
	strbuf_release(&vis);
}

void
md_text(struct strbuf *sb, const char *s)
{
	/* CommonMark lets a backslash escape any ASCII punctuation. */
	escape_set(sb, s, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
}

void
md_prose(struct strbuf *sb, const char *s)
{
	escape_set(sb, s, "\\`*_[]<>&|");
}
