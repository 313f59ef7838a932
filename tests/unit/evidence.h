/* evidence.h - which check a test asserted, on which release, with what */
#ifndef LXD_HARDEN_EVIDENCE_H
#define LXD_HARDEN_EVIDENCE_H

#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "snapshot.h"

/*
 * With LXDH_EVIDENCE=FILE set, every status a test asserted and got is
 * appended to FILE as "FIXTURE PRODUCT VERSION CHECK STATUS" (tabs).
 * scripts/matrix.py turns these lines into the README's release x check
 * matrix: a cell is backed by a test only if a test asserted it.
 */
static inline void
evidence_note(const char *fixture, const struct snapshot *s, const char *id,
	      enum status st)
{
	const char *path = getenv("LXDH_EVIDENCE");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%s\t%s\t%s\t%s\t%s\n", fixture && *fixture ? fixture : "-",
		s->product ? s->product : "-",
		s->server_version ? s->server_version : "-", id,
		status_name(st));
	fclose(f);
}

#endif
