/* engine.h - runs the catalog over a snapshot and holds the results */
#ifndef LXD_HARDEN_ENGINE_H
#define LXD_HARDEN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

struct check_result {
	const struct check *check;
	enum status status;
	enum severity severity;	/* highest among failing findings, else the
				   check's own */
	struct findings findings;
	/* the parts of the snapshot its evaluation read (SNAP_BIT) */
	unsigned long long reads;
	/* engine_run_changed: not run again, nothing read changed; its
	   findings are those of the earlier run, not held here */
	bool kept;
};

struct report {
	struct check_result *results;	/* catalog order */
	size_t n;
	size_t counts[ST__COUNT];
	/* target */
	const char *endpoint;
	/* run before pasting the commands (target_client_setup), or NULL */
	const char *client_setup;
	const char *product;
	const char *server_name;
	const char *server_version;
	bool clustered;
	bool remote;
	const char *install;	/* "snap", "package", "incus"; NULL when the
				   host was not read */
	/*
	 * The machine and the cluster (NULL when not known): the host's
	 * name, and when clustered the member that answered
	 * (environment.server_name) and the SHA-256 fingerprint of the
	 * cluster certificate (environment.certificate, the same on every
	 * member). Borrowed; engine_report() points cluster_fingerprint at
	 * cluster_fp, a reader of saved reports at the report's text.
	 */
	const char *host;
	const char *cluster_member;
	const char *cluster_fingerprint;
	char cluster_fp[65];
	long long generated_at;
	size_t requests;
	/*
	 * Score: the share of applicable checks that pass, weighted by
	 * severity, 0-100 (engine.c says how); negative when nothing applies.
	 */
	double score;
	/* --baseline: findings of the old report that are gone now */
	bool has_baseline;
	struct findings fixed_since;	/* object, message, key from the old
					   report; severity as it was */
	char **fixed_ids;		/* the check id of each fixed_since[i] */
	/*
	 * Display only (set by the command, read by the text and Markdown
	 * reports): failing checks below min_severity are counted, not
	 * shown (--min-severity; the exit status ignores it); fix_args are
	 * the shell-quoted options a 'lxd-harden fix' of the same server
	 * and selection needs, or NULL.
	 */
	enum severity min_severity;
	const char *fix_args;
	/* policy notes for people (an expired waiver, ...); owned */
	char **notes;
	size_t n_notes;
};

/* Evaluates every check. Strings in r borrow from x->snap. */
void engine_run(const struct check_ctx *x, struct report *r);

/*
 * engine_run() for a snapshot that differs from an earlier one only in
 * the parts of changed (SNAP_BIT; /1.0 counts as read by every check):
 * a check whose earlier run read none of them (reads[i], catalog order,
 * from that run's results) is not run again but marked kept, with no
 * findings and its reads carried. The counts and score then cover only
 * the checks that ran (for watch, which keeps the rest itself).
 */
void engine_run_changed(const struct check_ctx *x, struct report *r,
			const unsigned long long *reads,
			unsigned long long changed);
void engine_report_release(struct report *r);

/* Recomputes r->score from the statuses (after a policy changed them). */
void engine_score(struct report *r);

/* The status a set of findings amounts to (rule in check.h). */
enum status engine_status(const struct findings *fs);

/*
 * A result's severity: the highest among its failing findings when st is
 * fail, else the check's own.
 */
enum severity engine_result_severity(const struct check *c,
				     const struct findings *fs, enum status st);

/*
 * Open findings are the ones that want work: fail and error. (A waived
 * finding keeps its first_seen too, but is not open.)
 */
bool engine_finding_open(const struct finding *f);

/* When f was first seen: its first_seen, else r's generated_at. */
long long engine_first_seen(const struct report *r, const struct finding *f);

/* The earliest first_seen among res's open findings; -1 when none is open. */
long long engine_oldest_open(const struct report *r,
			     const struct check_result *res);

/* True when a fail or error at or above threshold is in r. */
bool engine_fails(const struct report *r, enum severity threshold);

#endif
