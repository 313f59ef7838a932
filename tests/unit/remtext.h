/* remtext.h - a finding's one-line remediation, for assertions */
#ifndef LXDH_TEST_REMTEXT_H
#define LXDH_TEST_REMTEXT_H

#include <stdlib.h>

#include "finding.h"

/*
 * remedy_text() of f, or NULL: what the reports print as "remediation".
 * The string lives until 32 more calls in the same file, long enough for
 * the assertion it is made for.
 */
static inline const char *
fix_text(const struct finding *f)
{
	static char *ring[32];
	static size_t next;
	char **slot = &ring[next++ % 32];

	free(*slot);
	*slot = remedy_text(&f->remedy);
	return *slot;
}

#endif
