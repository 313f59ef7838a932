/* escape.h - making untrusted strings safe for each output */
#ifndef LXD_HARDEN_ESCAPE_H
#define LXD_HARDEN_ESCAPE_H

#include "util.h"

/*
 * Appends s for a terminal: C0 and C1 control characters, DEL and bytes
 * that are not valid UTF-8 become \xNN (backslash itself becomes \\), so
 * no escape sequence from the server reaches the terminal.
 */
void escape_term(struct strbuf *sb, const char *s);

/* Returns a valid UTF-8 copy of s, invalid bytes as U+FFFD. Caller frees. */
char *escape_utf8_valid(const char *s);

#endif
