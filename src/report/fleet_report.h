/* fleet_report.h - the formats of a fleet report (many targets) */
#ifndef LXD_HARDEN_FLEET_REPORT_H
#define LXD_HARDEN_FLEET_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "fleet.h"

/*
 * Reads a lxd-harden/report/v1 JSON report back into r: the results of
 * checks this build knows (others stay in the JSON only), findings owned
 * by r, the target's strings borrowed from j (keep j alive). -1 with d
 * when j is not such a report. Release with engine_report_release.
 */
int fleet_report_load(struct report *r, const json_t *j, struct diag *d);

/* The highest severity of a failing or erroring check; *any when one. */
enum severity fleet_report_worst(const struct report *r, bool *any);

/*
 * Writes the fleet in format (a name report_format_find knows); flags as
 * for report_write_fn. 0, or -1 when a write failed.
 */
int fleet_write(FILE *f, const struct fleet *fl, const char *format,
		unsigned flags);

/*
 * The exit status of the fleet: 1 when a target could not be audited,
 * else 2 when one fails at or above fail_on, else 0.
 */
int fleet_exit_status(const struct fleet *fl, enum severity fail_on);

#endif
