/* escape.h - making untrusted strings safe for each output */
#ifndef LXD_HARDEN_ESCAPE_H
#define LXD_HARDEN_ESCAPE_H

#include <stdarg.h>
#include <stdio.h>

#include "util.h"

/*
 * Appends s for a terminal: C0 and C1 control characters, DEL and bytes
 * that are not valid UTF-8 become \xNN (backslash itself becomes \\), so
 * no escape sequence from the server reaches the terminal.
 */
void escape_term(struct strbuf *sb, const char *s);

/*
 * Appends a shell command for a terminal: s as it is when escape_term
 * would change nothing in it but its backslashes (printf '%s\n' stays
 * pasteable), else escape_term(s). Either way no control, invisible or
 * invalid byte reaches the terminal; a command that holds one is shown,
 * not pasteable.
 */
void escape_cmd(struct strbuf *sb, const char *s);

/*
 * When s starts with an invisible or reordering character (bidi
 * embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069,
 * U+200B-U+200F, U+2028-U+2029, U+2060-U+2065, U+061C, U+FEFF): its
 * length in bytes, the code point in *cp. Otherwise 0.
 */
size_t escape_invisible(const char *s, unsigned *cp);

/*
 * Appends JSON text (as jansson writes it, valid UTF-8) with DEL, the C1
 * controls and the invisible characters above written as \uNNNN: the
 * same JSON, but nothing in it acts on a terminal it is printed to.
 */
void escape_json_text(struct strbuf *sb, const char *json);

/*
 * Appends s as one word for a POSIX shell: left bare when it is made only
 * of letters, digits and _@%+=:,./- and does not start with '=',
 * otherwise in single quotes, a quote inside becoming '"'"' (not '\'':
 * the terminal escaper doubles backslashes). Pasting the result runs with
 * exactly s as the argument: nothing in it is expanded, split or globbed.
 * Printed through escape_cmd, a command keeps its backslashes; one holding
 * a control or an invisible character shows it escaped and no longer
 * pastes as is.
 */
void escape_sh(struct strbuf *sb, const char *s);

/*
 * Appends s percent-encoded for one segment of a URL path or one query
 * value: every byte but A-Z a-z 0-9 - . _ ~ : @ becomes %XX, so a name
 * holding '/', '?', '#', '&', '=', '+' or '%' stays one name in a request.
 */
void escape_url(struct strbuf *sb, const char *s);

/* Decodes %XX in s into a new string (caller frees); a malformed escape
   is kept as it is. */
char *unescape_url(const char *s);

/*
 * The same three as values usable straight in a printf argument list:
 * shq(name) for a command word, urlq(name) for a request path, termq(s)
 * for a terminal. The result is kept in a ring of ESCAPE_RING strings and
 * stays valid until that many more calls to any of them; NULL reads as "".
 */
#define ESCAPE_RING 64
const char *shq(const char *s);
const char *urlq(const char *s);
const char *termq(const char *s);
/* escape_cmd(s), kept in the same ring. */
const char *cmdq(const char *s);

/*
 * Prints a formatted line through escape_term (the format's own text
 * included, so a newline inside a value cannot start a forged line),
 * followed by one newline.
 */
void term_printf(FILE *f, const char *fmt, ...) LXDH_PRINTF(2, 3);
void term_vprintf(FILE *f, const char *fmt, va_list ap) LXDH_PRINTF(2, 0);

/* Returns a valid UTF-8 copy of s, invalid bytes as U+FFFD. Caller frees. */
char *escape_utf8_valid(const char *s);

#endif
