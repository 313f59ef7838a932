/* finding.h - statuses, severities and the findings a check produces */
#ifndef LXD_HARDEN_FINDING_H
#define LXD_HARDEN_FINDING_H

#include <stddef.h>

#include "util.h"

/* Ordered from least to most severe; the order is used for thresholds. */
enum severity {
	SEV_INFO,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
	SEV__COUNT
};

/* The vocabulary of checks.md. */
enum status {
	ST_PASS,
	ST_FAIL,
	ST_MANUAL,
	ST_NOTAPPLICABLE,
	ST_ERROR,
	ST_WAIVED,
	ST_SKIPPED,
	ST_FIXED,
	ST__COUNT
};

const char *severity_name(enum severity s);
const char *status_name(enum status s);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int severity_parse(const char *name, enum severity *out);

/*
 * One observation about one object. Every string is owned by the finding.
 * object is the LXD URL ("/1.0/instances/c1?project=default") or a host
 * object ("file:///etc/x", "group:lxd"). device, key, value, source and
 * remediation are NULL when they do not apply.
 */
struct finding {
	enum status status;
	enum severity severity;
	char *object;
	char *message;
	char *device;
	char *key;
	char *value;
	char *source;
	char *remediation;
	/* set by the policy: a waiver that covers this finding */
	char *waiver_reason;	/* NULL when not waived */
	char *waiver_expires;	/* YYYY-MM-DD */
	/* set by --baseline: whether the old report had this finding */
	enum finding_baseline {
		BASELINE_NONE,	/* no baseline given */
		BASELINE_NEW,
		BASELINE_KNOWN,
	} baseline;
	/*
	 * When the finding was first seen (epoch seconds): --baseline carries
	 * it forward from the old report; 0 means this run, the report's
	 * generated_at (engine_first_seen says which).
	 */
	long long first_seen;
};

struct findings {
	struct finding *v;
	size_t n;
	size_t alloc;
};

/*
 * Appends a finding and returns it so optional fields can be set. The
 * pointer is valid until the next findings_add() on the same list.
 */
struct finding *findings_add(struct findings *fs, enum status st,
			     enum severity sev, const char *object,
			     const char *fmt, ...) LXDH_PRINTF(5, 6);
void finding_key(struct finding *f, const char *key, const char *value,
		 const char *source);
void finding_device(struct finding *f, const char *device);
void finding_remediation(struct finding *f, const char *fmt, ...)
	LXDH_PRINTF(2, 3);
/* Frees the strings of one finding (not the finding itself). */
void finding_release(struct finding *f);
void findings_release(struct findings *fs);

#endif
