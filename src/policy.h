/* policy.h - the user's thresholds and approved admins (--policy FILE) */
#ifndef LXD_HARDEN_POLICY_H
#define LXD_HARDEN_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct strlist {
	char **v;
	size_t n;
	bool set;	/* the policy file named this list (even if empty) */
};

bool strlist_has(const struct strlist *l, const char *s);
void strlist_push(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

/* skip: a check the policy turns off; reported as skipped, never dropped */
struct policy_skip {
	char *check;
	char *reason;
};

/* severity: a check whose failures count at another severity */
struct policy_override {
	char *check;
	int severity;		/* enum severity */
};

/*
 * waivers: accepted failures of one check, on objects matching a glob
 * (fnmatch; NULL for every object), until the end of the expiry day (UTC).
 */
struct policy_waiver {
	char *check;
	char *object;
	char *reason;
	char *expires;		/* YYYY-MM-DD as written */
	long long expires_at;	/* epoch of the end of that day */
	int line;		/* where it is in the file */
};

struct policy {
	char *path;			/* file it came from, or NULL */
	long long token_expiry_max;	/* seconds; default 15 minutes */
	long long cert_lifetime_max;	/* seconds; default 90 days; also the
					   longest bearer token lifetime */
	long long expiring_window;	/* seconds; default 30 days */
	long long oidc_session_max;	/* seconds; default 1 day */
	struct strlist admin_members;	/* unix users allowed in the admin group */
	struct strlist admin_certs;	/* full-admin client certs: fingerprint
					   (or unique prefix of >= 12) or name */
	struct strlist admin_identities;/* "METHOD/ID" or name of identities
					   allowed to hold server admin */
	struct policy_skip *skips;
	size_t n_skips;
	struct policy_override *overrides;
	size_t n_overrides;
	struct policy_waiver *waivers;
	size_t n_waivers;
};

void policy_init(struct policy *p);
/*
 * Loads a YAML policy file on top of the defaults set by policy_init().
 * Unknown keys and wrong types are errors naming file, line and column.
 */
int policy_load(struct policy *p, const char *path, struct diag *d);
void policy_release(struct policy *p);

#endif
