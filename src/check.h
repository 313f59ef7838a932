/* check.h - what one entry of the check catalog is */
#ifndef LXD_HARDEN_CHECK_H
#define LXD_HARDEN_CHECK_H

#include "finding.h"
#include "policy.h"
#include "snapshot.h"

struct check;
struct host;

/*
 * Everything an evaluator may read. Evaluators are pure functions of it:
 * they add findings to out and touch nothing else.
 */
struct check_ctx {
	const struct snapshot *snap;
	const struct policy *policy;
	const char *releases_path;	/* the release table file (GEN-001) */
	/*
	 * The machine the daemon runs on, read before evaluation; NULL
	 * when it was not read (a remote audit, or --input without
	 * --host-root): the host checks are then notapplicable.
	 */
	const struct host *host;
	/*
	 * Whether the command line selects check c (--check, --skip,
	 * --section), or NULL for all: a check left out is not evaluated
	 * at all; the engine records it as skipped, and the command's
	 * selection then says why.
	 */
	bool (*selects)(const void *arg, const struct check *c);
	const void *selects_arg;
};

/*
 * An evaluator adds findings; the engine derives the status from them:
 * any fail -> fail; else any error -> error; else skipped or waived (set
 * by the policy); else any manual -> manual; else any pass (or no finding
 * at all) -> pass; else notapplicable.
 * So an evaluator that cannot read its data must add an ST_ERROR finding,
 * and one for which nothing applies adds an ST_NOTAPPLICABLE finding
 * saying why.
 */
typedef void check_eval_fn(const struct check *c, const struct check_ctx *x,
			   struct findings *out);

struct check {
	const char *id;		/* "LXD-ACC-010"; stable, never reused */
	const char *title;	/* <= 72 chars, no trailing period */
	enum severity severity;
	const char *rationale;	/* why it matters; full sentences */
	const char *reads;	/* what is read; full sentences */
	const char *remediation;/* what an operator does; full sentences */
	check_eval_fn *eval;
};

#define CHECK_END { .id = NULL }

#endif
