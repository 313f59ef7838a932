/* audit_fleet.h - one target of a fleet audit, in its own process */
#ifndef LXD_HARDEN_AUDIT_FLEET_H
#define LXD_HARDEN_AUDIT_FLEET_H

#include <stdbool.h>

#include "fleet.h"
#include "gate.h"

/* What every target of the run shares (the command line). */
struct audit_fleet {
	const char *policy;	/* unless the target names its own */
	const char *releases;
	long long timeout_ms;	/* per target */
	const struct gate_select *select;
	bool min_set;
	enum severity min_severity;
};

/* A fleet_audit_fn: ctx is a struct audit_fleet. */
int audit_fleet_one(const struct fleet_target *t, void *ctx, FILE *out,
		    struct diag *d);

#endif
