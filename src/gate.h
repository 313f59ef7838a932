/* gate.h - what the policy and a baseline make of a report's results */
#ifndef LXD_HARDEN_GATE_H
#define LXD_HARDEN_GATE_H

#include <jansson.h>
#include <stdbool.h>

#include "engine.h"
#include "policy.h"
#include "snapshot.h"

/*
 * The command line's choice of checks and objects (audit and fix):
 * --check and --skip take an id or a glob (fnmatch, case folded),
 * --section a section's name or prefix ("Access", "ACC"), --project the
 * objects of one project.
 */
#define GATE_MAX_SELECT 64

struct gate_select {
	const char *check[GATE_MAX_SELECT];
	size_t n_check;
	const char *skip[GATE_MAX_SELECT];
	size_t n_skip;
	const char *section[GATE_MAX_SELECT];
	size_t n_section;
	const char *project;
	/* fix: failing checks below it are not planned (audit: display only) */
	bool skip_below;
	enum severity below;
};

/* True when the command line selects anything at all. */
bool gate_select_any(const struct gate_select *s);

/*
 * Appends one of the option strings --check, --skip, --section or
 * --project to s (option is its name without the dashes); -1 with d when
 * there are too many.
 */
int gate_select_add(struct gate_select *s, const char *option,
		    const char *value, struct diag *d);

/*
 * Every --check, --skip and --section must name something in the
 * catalog; -1 with d ("... matches no check; did you mean X?") when one
 * does not.
 */
int gate_select_validate(const struct gate_select *s, struct diag *d);

/*
 * Whether s (a struct gate_select, or NULL) keeps check c by --check,
 * --skip and --section: a check_ctx selects predicate, so that a check
 * left out is not evaluated. (--min-severity and --project judge
 * results, and gate_apply_selection applies them afterwards.)
 */
bool gate_select_wants(const void *s, const struct check *c);

/*
 * Applies the selection to r, like the policy's skip: a check left out
 * is listed as skipped (its findings replaced by one saying which option
 * left it out); with --project, only findings on objects of that project
 * stay (a check left with none is notapplicable). A --check that selects
 * a check the policy skips is reported in r->notes (the policy wins).
 * -1 with d when --project names no project of snap (did you mean).
 */
int gate_apply_selection(struct report *r, const struct gate_select *s,
			 const struct policy *p, const struct snapshot *snap,
			 struct diag *d);

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
 * key are. A known finding keeps the old report's first_seen (or, from a
 * report that has none, its generated_at); a new one is first seen now
 * (r->generated_at). -1 with d when the file is not a
 * lxd-harden/report/v1 report or holds a timestamp that is not RFC 3339.
 */
int gate_apply_baseline(struct report *r, const char *path, struct diag *d);

/*
 * The same carrying forward on two JSON reports (lxd-harden/report/v1,
 * as fleet merge --baseline holds them): every fail, error or waived
 * finding of cur gets "first_seen", the earlier of its own (or cur's
 * generated_at) and that of the same finding in old. Nothing else of
 * cur changes. -1 with d when a timestamp of either is not RFC 3339 or
 * cur has no generated_at.
 */
int gate_carry_first_seen_json(json_t *cur, const json_t *old,
			       struct diag *d);

/*
 * True when a check fails (or is in error) at or above threshold; with
 * only_new, only findings the baseline did not have count.
 */
bool gate_fails(const struct report *r, enum severity threshold,
		bool only_new);

#endif
