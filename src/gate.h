/* gate.h - what the policy and a baseline make of a report's results */
#ifndef LXD_HARDEN_GATE_H
#define LXD_HARDEN_GATE_H

#include <stdbool.h>

#include "engine.h"
#include "policy.h"

/*
 * Applies the policy's severity overrides and waivers to r, then
 * recomputes statuses, counts and score. A waived finding keeps its data
 * and gains the waiver's reason and expiry; a check whose every failing
 * finding is waived becomes waived. An expired waiver waives nothing and
 * is reported in r->notes, and so is a waiver that matched no finding.
 * (Skipped checks are handled by engine_run, which does not evaluate
 * them.)
 */
void gate_apply_policy(struct report *r, const struct policy *p,
		       long long now);

/*
 * Reads an earlier JSON report and marks each failing finding of r as new
 * or known; findings of the old report that are gone go to
 * r->fixed_since. A finding is the same when check id, object, device and
 * key are. -1 with d when the file is not a lxd-harden/report/v1 report.
 */
int gate_apply_baseline(struct report *r, const char *path, struct diag *d);

/*
 * True when a check fails (or is in error) at or above threshold; with
 * only_new, only findings the baseline did not have count.
 */
bool gate_fails(const struct report *r, enum severity threshold,
		bool only_new);

#endif
