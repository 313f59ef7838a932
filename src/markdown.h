/* markdown.h - text made safe for CommonMark and GitHub's tables */
#ifndef LXD_HARDEN_MARKDOWN_H
#define LXD_HARDEN_MARKDOWN_H

#include "util.h"

/*
 * Appends s as literal Markdown text: every ASCII punctuation character
 * is backslash-escaped (so nothing in s can open emphasis, a link, a
 * code span, raw HTML or a table cell), line breaks become spaces, and
 * control and invisible format characters are made visible the way the
 * terminal escaper shows them. Safe inside a table cell.
 */
void md_text(struct strbuf *sb, const char *s);

/*
 * Appends the program's own prose (catalog text, never a foreign string)
 * with only the characters escaped that could change its meaning
 * mid-line: backslash, code, emphasis, links, raw HTML, entities and
 * table cells. Easier to read in the raw file than md_text().
 */
void md_prose(struct strbuf *sb, const char *s);

/*
 * Appends a fenced code block (info string "sh") holding the n lines
 * verbatim, each indented by indent spaces (to sit inside a list item):
 * text copied from it, rendered or raw, is the command itself. The fence
 * is longer than any run of backticks in the lines, so none can close
 * it. A line that pastes as it is (escape_cmd) is written so, backslashes
 * included; in any other, control and invisible format characters are
 * made visible as the terminal escaper shows them.
 */
void md_code_block(struct strbuf *sb, unsigned indent,
		   const char *const *lines, size_t n);

#endif
