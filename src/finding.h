/* finding.h - statuses, severities and the findings a check produces */
#ifndef LXD_HARDEN_FINDING_H
#define LXD_HARDEN_FINDING_H

#include <stdbool.h>
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
 * What a person (or `fix`) does about a failing finding, as data: the
 * reports render it, the JSON carries it as "remedy", and "remediation"
 * is derived from it when written (remedy_text). commands: complete shell
 * commands, every foreign word shell-quoted, no prose and no
 * placeholders; a command that needs a value the tool cannot guess is
 * not listed: the value is a need instead (given with fix --set
 * NAME=VALUE). The flags say what `fix` does with it; the fixer table
 * sets them (fix_remedy_attach), so the advice and the plan agree.
 */
struct remedy_need {
	char *name;	/* "core.https_address" */
	char *why;	/* why the tool cannot guess it */
};

struct remedy {
	char **commands;
	size_t n_commands;
	struct remedy_need *needs;
	size_t n_needs;
	char *note;		/* prose; NULL when none */
	bool fixable;		/* `fix` has a plan item for it */
	bool reversible;	/* rollback restores it exactly */
	bool restart;		/* takes effect at a restart */
	bool opt_in;		/* applied only when named (--only/--set) */
	bool host;		/* scope host: changes the machine's files or
				   packages, not the daemon's state; set by
				   any command that is not the client's */
};

/*
 * One observation about one object. Every string is owned by the finding.
 * object is the LXD URL ("/1.0/instances/c1?project=default") or a host
 * object ("file:///etc/x", "group:lxd"). device, key, value and source
 * are NULL when they do not apply.
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
	/* what to do; its one-line text ("remediation") is remedy_text() */
	struct remedy remedy;
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
/* The remedy's prose (replaces it). */
void finding_remediation(struct finding *f, const char *fmt, ...)
	LXDH_PRINTF(2, 3);
#define finding_remedy_note finding_remediation
/* Appends one complete, shell-quoted command. */
void finding_remedy_cmd(struct finding *f, const char *fmt, ...)
	LXDH_PRINTF(2, 3);
/* A value the user supplies with fix --set NAME=VALUE, and why. */
void finding_remedy_need(struct finding *f, const char *name,
			 const char *fmt, ...) LXDH_PRINTF(3, 4);
/* Drops the commands (the fixer's replace them). */
void finding_remedy_clear_commands(struct finding *f);
/*
 * The one-line text of a remedy, the reports' "remediation" (caller
 * frees); NULL when empty. Made when it is written, never kept: the
 * remedy is the one truth.
 */
char *remedy_text(const struct remedy *r);
/* Whether the remedy says nothing (remedy_text() would be NULL). */
bool remedy_empty(const struct remedy *r);
void remedy_copy(struct remedy *dst, const struct remedy *src);
void remedy_release(struct remedy *r);
/* Frees the strings of one finding (not the finding itself). */
void finding_release(struct finding *f);
void findings_release(struct findings *fs);

#endif
