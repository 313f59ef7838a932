/* fleet.h - many targets in one run: the list, the concurrent audits */
#ifndef LXD_HARDEN_FLEET_H
#define LXD_HARDEN_FLEET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "target.h"
#include "util.h"

/* At most this many targets in one run (a file, --remote, remotes). */
#define FLEET_MAX_TARGETS 4096
/* A target's name: 1 to 64 of [A-Za-z0-9._:@-]. */
#define FLEET_MAX_NAME 64

/* One server to audit; every string owned (NULL: not given). */
struct fleet_target {
	char *name;
	char *remote;
	char *url;
	char *cert;
	char *key;
	char *server_cert;
	char *socket;
	char *policy;
};

struct fleet_targets {
	struct fleet_target *v;
	size_t n;
};

/*
 * Parses a targets file: a mapping whose only key is "targets", a
 * non-empty list of mappings, each with "name" and any of "remote",
 * "url", "cert", "key", "server-cert", "socket", "policy" (strings).
 * Names are unique; remote, url and socket exclude each other; cert,
 * key and server-cert need remote or url. Appends to t. 0, or -1 with d
 * ("FILE:LINE:COL: what") and t unchanged.
 */
int fleet_targets_parse(struct fleet_targets *t, const char *buf,
			size_t len, const char *file, struct diag *d);
/* Reads path (at most 1 MiB) and parses it as above. */
int fleet_targets_load(struct fleet_targets *t, const char *path,
		       struct diag *d);
/*
 * Appends one target named name (copied from o and policy). -1 with d
 * when the name is not a valid one or already taken.
 */
int fleet_targets_add(struct fleet_targets *t, const char *name,
		      const struct target_opts *o, const char *policy,
		      struct diag *d);
/* Appends every remote of the client configuration that speaks the API. */
int fleet_targets_all_remotes(struct fleet_targets *t, struct diag *d);
void fleet_targets_release(struct fleet_targets *t);

/* The outcome of one target: its v1 report, or the reason there is none. */
struct fleet_entry {
	char *name;
	json_t *report;		/* lxd-harden/report/v1; NULL on error */
	char *error;		/* one line; NULL when report is set */
	char *dedup_note;	/* merge: why findings were dropped, or NULL */
};

struct fleet {
	struct fleet_entry *v;
	size_t n;
	long long generated_at;
};

void fleet_add_report(struct fleet *f, const char *name, json_t *report);
void fleet_add_error(struct fleet *f, const char *name, const char *fmt,
		     ...) LXDH_PRINTF(3, 4);
void fleet_release(struct fleet *f);

/*
 * Audits one target in a child process: writes its v1 JSON report to out
 * and returns 0, or returns -1 with d set.
 */
typedef int fleet_audit_fn(const struct fleet_target *t, void *ctx,
			   FILE *out, struct diag *d);

/*
 * Audits every target, at most jobs at once, each in a process of its
 * own; one that has not answered timeout_ms (plus a grace period for the
 * child's own deadline to report) after it began is killed and becomes an
 * error entry. A report larger than FLEET_MAX_REPORT is an error too.
 * Fills out in the order of t.
 */
#define FLEET_MAX_REPORT ((size_t)64 << 20)
void fleet_run(const struct fleet_targets *t, unsigned jobs,
	       long long timeout_ms, fleet_audit_fn *fn, void *ctx,
	       struct fleet *out);

/* The default for --jobs: the CPUs this process may run on. */
unsigned fleet_default_jobs(void);

#endif
