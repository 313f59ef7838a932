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
};

struct report {
	struct check_result *results;	/* catalog order */
	size_t n;
	size_t counts[ST__COUNT];
	/* target */
	const char *endpoint;
	const char *product;
	const char *server_name;
	const char *server_version;
	bool clustered;
	bool remote;
	long long generated_at;
	size_t requests;
};

/* Evaluates every check. Strings in r borrow from x->snap. */
void engine_run(const struct check_ctx *x, struct report *r);
void engine_report_release(struct report *r);

/* The status a set of findings amounts to (rule in check.h). */
enum status engine_status(const struct findings *fs);

/* True when a fail or error at or above threshold is in r. */
bool engine_fails(const struct report *r, enum severity threshold);

#endif
