/* fleet_merge.h - many reports (hosts, servers, fleets) into one fleet */
#ifndef LXD_HARDEN_FLEET_MERGE_H
#define LXD_HARDEN_FLEET_MERGE_H

#include <jansson.h>

#include "fleet.h"

/*
 * Adds a lxd-harden/report/v1 or lxd-harden/fleet/v1 document to f (the
 * reports are taken, doc is not). A v1 report's target is named after
 * its host (a --host-only report) or its server name, made unique. -1
 * with d when doc is neither schema. what names the input for messages.
 */
int fleet_merge_add(struct fleet *f, const json_t *doc, const char *what,
		    struct diag *d);

/*
 * Keeps each finding of a cluster-wide check once among the reports that
 * carry the same cluster fingerprint (the first report holding it keeps
 * it; a result left with none says where it went). Host checks stay per
 * host. Notes what was dropped in each entry's dedup_note.
 */
void fleet_merge_dedup(struct fleet *f);

/*
 * Carries "first_seen" forward into every target of f from the target of
 * the same name in old (a v1 or fleet report), as audit --baseline does
 * (gate_carry_first_seen_json). -1 with d when old is neither schema or
 * a timestamp is not RFC 3339.
 */
int fleet_merge_baseline(struct fleet *f, const json_t *old, struct diag *d);

#endif
