/* markdown.c - text made safe for CommonMark and GitHub's tables */
#include "markdown.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

/*
 * s with control bytes (no newline or escape sequence survives) and
 * invisible format characters shown as the terminal escaper shows them,
 * and the noncharacters U+FFFE and U+FFFF shown, not passed.
 */
static void
visible(struct strbuf *out, const char *s)
{
	struct strbuf vis = STRBUF_INIT;

	escape_term(&vis, s ? s : "");
	strbuf_addstr(out, "");
	for (const char *p = vis.buf ? vis.buf : ""; *p; p++) {
		if (p[0] == '\xef' && p[1] == '\xbf' &&
		    (p[2] == '\xbe' || p[2] == '\xbf')) {
			strbuf_addf(out, "\\xef\\xbf\\x%02x",
				    (unsigned char)p[2]);
			p += 2;
			continue;
		}
		strbuf_addch(out, *p);
	}
	strbuf_release(&vis);
}

/* visible(s) with a backslash before each character of set. */
static void
escape_set(struct strbuf *sb, const char *s, const char *set)
{
	struct strbuf vis = STRBUF_INIT;

	visible(&vis, s);
	for (const char *p = vis.buf; *p; p++) {
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

void
md_code_block(struct strbuf *sb, unsigned indent, const char *const *lines,
	      size_t n)
{
	struct strbuf *vis = xcalloc(n + 1, sizeof(*vis));
	size_t fence = 3;

	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i] ? lines[i] : "";
		struct strbuf c = STRBUF_INIT;
		size_t run = 0;

		/* as it is when it pastes (escape_cmd), else made visible */
		escape_cmd(&c, l);
		if (str_eq(c.buf, l) && !strstr(l, "\xef\xbf\xbe") &&
		    !strstr(l, "\xef\xbf\xbf"))
			strbuf_addstr(&vis[i], l);
		else
			visible(&vis[i], l);
		strbuf_release(&c);
		for (const char *p = vis[i].buf; *p; p++) {
			run = *p == '`' ? run + 1 : 0;
			if (run >= fence)
				fence = run + 1;
		}
	}
	strbuf_addf(sb, "%*s", (int)indent, "");
	for (size_t k = 0; k < fence; k++)
		strbuf_addch(sb, '`');
	strbuf_addstr(sb, "sh\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(sb, "%*s%s\n", (int)indent, "", vis[i].buf);
		strbuf_release(&vis[i]);
	}
	strbuf_addf(sb, "%*s", (int)indent, "");
	for (size_t k = 0; k < fence; k++)
		strbuf_addch(sb, '`');
	strbuf_addch(sb, '\n');
	free(vis);
}
