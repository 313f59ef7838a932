/* xmlesc.h - making untrusted strings safe for XML and HTML */
#ifndef LXD_HARDEN_XMLESC_H
#define LXD_HARDEN_XMLESC_H

#include "util.h"

/*
 * Appends s for XML 1.0 or HTML character data and attribute values (the
 * quotes are escaped too): & < > " ' become entities, and \r a character
 * reference so a parser keeps it. Bytes that are not valid UTF-8 become
 * U+FFFD. Characters XML 1.0 forbids (C0 controls but \t \n \r) and the
 * ones it discourages (DEL, C1 controls) become a visible \xNN; U+FFFE and
 * U+FFFF become U+FFFD. A NULL s appends nothing.
 */
void xmlesc_text(struct strbuf *sb, const char *s);

/*
 * As xmlesc_text, and \t \n become character references too, so that
 * attribute-value normalisation does not turn them into spaces.
 */
void xmlesc_attr(struct strbuf *sb, const char *s);

#endif
