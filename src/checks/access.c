/* access.c - ACC checks: trust, certificates, tokens, OIDC, identities */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/common.h"
#include "lxdval.h"
#include "x509.h"
#include "checks/host_checks.h"

static bool
need_server(const struct check *c, const struct check_ctx *x,
	    struct findings *out)
{
	return checks_need_part(c, x, SNAP_SERVER, "/1.0", out) != NULL;
}

/* The value as stored in GET /1.0, before defaults. */
static const json_t *
raw_config(const struct snapshot *s, const char *key)
{
	return json_object_get(json_object_get(s->part[SNAP_SERVER], "config"),
			       key);
}

/* Hidden keys read back as JSON true (LXD <= 5.21) or "(hidden)". */
static bool
raw_is_set(const json_t *v)
{
	return json_is_true(v) ||
	       (json_is_string(v) && json_string_length(v) > 0);
}

static const char *
default_note(const char *from)
{
	return str_eq(from, "default") ? " (the default)" : "";
}

static bool
is_lxd_from(const struct snapshot *s, const char *version)
{
	return !str_eq(s->product, "incus") &&
	       lxdval_version_cmp(s->server_version, version) >= 0;
}

/* A duration as an LXD expiry expression, for remediation commands. */
static void
eval_trust_ca(const struct check *c, const struct check_ctx *x,
	      struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "core.trust_ca_certificates";
	const char *from = NULL;
	const char *v;
	struct finding *f;

	if (!need_server(c, x, out))
		return;
	v = snapshot_config(s, key, &from);
	if (!lxdval_is_true(v))
		return;
	f = findings_add(out, ST_FAIL, c->severity, "/1.0",
			 "%s=%s makes every client certificate signed by the "
			 "server's CA a trusted admin without a trust store "
			 "entry.", key, v);
	finding_key(f, key, v, checks_source_of(from));
	finding_remediation(f, "%s config set %s=false", snapshot_client(s),
			    key);
}

static void
eval_trust_password(const struct check *c, const struct check_ctx *x,
		    struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "core.trust_password";
	struct finding *f;

	if (!need_server(c, x, out))
		return;
	if (!raw_is_set(raw_config(s, key))) {
		if (str_eq(s->product, "incus"))
			findings_add(out, ST_NOTAPPLICABLE, c->severity,
				     "/1.0", "Incus has no %s.", key);
		else if (is_lxd_from(s, "6.1"))
			findings_add(out, ST_NOTAPPLICABLE, c->severity,
				     "/1.0", "%s was removed in LXD 6.1 and "
				     "the server runs %s.", key,
				     s->server_version);
		return;
	}
	/* The value is never read: LXD stores a hash, we print "(set)". */
	f = findings_add(out, ST_FAIL, c->severity, "/1.0",
			 "%s is set, so anyone who learns the password can add "
			 "a certificate with full admin rights.", key);
	finding_key(f, key, "(set)", "/1.0");
	finding_remediation(f, "%s config unset %s", snapshot_client(s), key);
}

static void
eval_certificates(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *certs, *e;
	size_t i;
	char window[32];

	certs = checks_need_part(c, x, SNAP_CERTIFICATES, "/1.0/certificates",
				 out);
	if (!certs)
		return;
	lxdval_format_duration(x->policy->expiring_window, window,
			       sizeof(window));
	json_array_foreach (certs, i, e) {
		const char *name = checks_jstr(e, "name");
		const char *fp = checks_jstr(e, "fingerprint");
		struct x509_info xi;
		struct diag d = { "" };
		struct finding *f;
		char when[32];
		char *obj;

		if (!fp)
			continue;
		if (!name)
			name = "";
		obj = xasprintf("/1.0/certificates/%s", fp);
		if (x509_parse_pem(checks_jstr(e, "certificate"), &xi,
				   &d) != 0) {
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cannot parse certificate %s: %s.", name,
				     d.msg);
			free(obj);
			continue;
		}
		if (xi.not_after < s->now) {
			format_rfc3339(xi.not_after, when, sizeof(when));
			f = findings_add(out, ST_FAIL, SEV_MEDIUM, obj,
					 "Certificate %s expired on %s.", name,
					 when);
			finding_remediation(f, "%s config trust remove %s",
					    snapshot_client(s), fp);
		} else if (xi.not_after - s->now <=
			   x->policy->expiring_window) {
			format_rfc3339(xi.not_after, when, sizeof(when));
			f = findings_add(out, ST_FAIL, SEV_LOW, obj,
					 "Certificate %s expires on %s, within "
					 "the %s warning window.", name, when,
					 window);
			finding_remediation(f, "Renew the client's "
					       "certificate, add the new one "
					       "(%s config trust add), then "
					       "run: %s config trust remove "
					       "%s", snapshot_client(s),
					    snapshot_client(s), fp);
		}
		if (xi.not_before > s->now) {
			format_rfc3339(xi.not_before, when, sizeof(when));
			f = findings_add(out, ST_FAIL, SEV_MEDIUM, obj,
					 "Certificate %s is not valid before "
					 "%s.", name, when);
			finding_remediation(f, "%s config trust remove %s",
					    snapshot_client(s), fp);
		}
		if ((str_eq(xi.key_type, "RSA") && xi.key_bits < 2048) ||
		    (str_eq(xi.key_type, "EC") && xi.key_bits < 256)) {
			f = findings_add(out, ST_FAIL, SEV_MEDIUM, obj,
					 "Certificate %s has a weak %s key of "
					 "%d bits (minimum %d).", name,
					 xi.key_type, xi.key_bits,
					 str_eq(xi.key_type, "RSA") ? 2048 :
								      256);
			finding_remediation(f, "Replace it with a certificate "
					       "that has a stronger key, then "
					       "run: %s config trust remove %s",
					    snapshot_client(s), fp);
		}
		free(obj);
	}
}

/* How many certificates' fingerprints start with prefix. */
static size_t
prefix_matches(const json_t *certs, const char *prefix)
{
	const json_t *e;
	size_t i, n = 0;

	json_array_foreach (certs, i, e) {
		const char *fp = checks_jstr(e, "fingerprint");

		if (fp && strncasecmp(fp, prefix, strlen(prefix)) == 0)
			n++;
	}
	return n;
}

static bool
approved_cert(const struct policy *p, const json_t *certs, const char *name,
	      const char *fp)
{
	for (size_t i = 0; i < p->admin_certs.n; i++) {
		const char *a = p->admin_certs.v[i];
		size_t n = strlen(a);

		if (!str_empty(name) && str_eq(a, name))
			return true;
		if (n >= 12 && strncasecmp(fp, a, n) == 0 &&
		    prefix_matches(certs, a) == 1)
			return true;
	}
	return false;
}

static void
eval_unrestricted_clients(const struct check *c, const struct check_ctx *x,
			  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const struct policy *p = x->policy;
	const json_t *certs, *e;
	size_t i;

	certs = checks_need_part(c, x, SNAP_CERTIFICATES, "/1.0/certificates",
				 out);
	if (!certs)
		return;
	json_array_foreach (certs, i, e) {
		const char *name = checks_jstr(e, "name");
		const char *fp = checks_jstr(e, "fingerprint");
		struct finding *f;
		char *obj;

		if (!fp || !str_eq(checks_jstr(e, "type"), "client") ||
		    json_is_true(json_object_get(e, "restricted")))
			continue;
		if (approved_cert(p, certs, name, fp))
			continue;
		if (!name)
			name = "";
		obj = xasprintf("/1.0/certificates/%s", fp);
		if (p->admin_certs.set)
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Client certificate %s is "
					 "unrestricted (full admin) and not on "
					 "the policy's admin_certs list.",
					 name);
		else
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Client certificate %s is "
					 "unrestricted (full admin); restrict "
					 "it to projects or list it under "
					 "admin_certs in the policy.", name);
		finding_remediation(f, "%s config trust edit %s (set "
				       "restricted: true and the projects it "
				       "needs), or add its fingerprint to "
				       "admin_certs in the policy",
				    snapshot_client(s), fp);
		free(obj);
	}
}

/*
 * Judges one expiry key against the policy maximum. value NULL or empty
 * means tokens never expire.
 */
static void
judge_expiry(const struct check *c, const struct check_ctx *x,
	     const char *key, const char *value, const char *from,
	     const char *what, struct findings *out)
{
	const struct snapshot *s = x->snap;
	long long max = x->policy->token_expiry_max, at;
	char smax[32], slife[32], expr[32];
	struct diag d = { "" };
	struct finding *f;
	bool never;

	lxdval_format_duration(max, smax, sizeof(smax));
	lxdval_expiry_expr(max, expr, sizeof(expr));
	if (lxdval_expiry(value, s->now, &at, &never, &d) != 0) {
		f = findings_add(out, ST_ERROR, c->severity, "/1.0",
				 "Cannot evaluate %s: %s.", key, d.msg);
		finding_key(f, key, value, checks_source_of(from));
		return;
	}
	if (never) {
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s is not set, so %s never expire on %s %s "
				 "(policy maximum %s).", key, what,
				 str_eq(s->product, "incus") ? "Incus" : "LXD",
				 s->server_version, smax);
		finding_key(f, key, "", "default");
	} else if (at - s->now > max) {
		lxdval_format_duration(at - s->now, slife, sizeof(slife));
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s=%s%s lets %s live %s, more than the "
				 "policy maximum of %s.", key, value,
				 default_note(from), what, slife, smax);
		finding_key(f, key, value, checks_source_of(from));
	} else {
		return;
	}
	finding_remediation(f, "%s config set %s=%s", snapshot_client(s), key,
			    expr);
}

static void
eval_join_token_expiry(const struct check *c, const struct check_ctx *x,
		       struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "cluster.join_token_expiry";
	const char *from = NULL;
	const char *v;

	if (!need_server(c, x, out))
		return;
	if (!snapshot_has_ext(s, "cluster_join_token_expiry")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server lacks API extension "
			     "cluster_join_token_expiry (LXD 5.0.2, 5.7 and "
			     "later), so %s does not exist.", key);
		return;
	}
	v = snapshot_config(s, key, &from);
	if (str_empty(v)) {
		/* an empty value reverts to the default */
		v = "3H";
		from = "default";
	}
	judge_expiry(c, x, key, v, from, "cluster join tokens", out);
}

/*
 * core.remote_token_expiry as it takes effect: absence means "never"
 * before LXD 5.21.5 and 6.7 and in Incus, 15 days from then on. Read
 * from the raw config because absence is what matters.
 */
static const char *
remote_expiry(const struct snapshot *s, const char **from)
{
	const char *v = json_string_value(
		raw_config(s, "core.remote_token_expiry"));

	if (!str_empty(v)) {
		*from = "server";
		return v;
	}
	*from = "default";
	if (!str_eq(s->product, "incus") &&
	    (lxdval_version_cmp(s->server_version, "6.7") >= 0 ||
	     (lxdval_version_cmp(s->server_version, "5.21.5") >= 0 &&
	      lxdval_version_cmp(s->server_version, "6.0") < 0)))
		return "15d";
	return NULL;
}

static void
eval_remote_token_expiry(const struct check *c, const struct check_ctx *x,
			 struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *from = NULL;
	const char *v;

	if (!need_server(c, x, out))
		return;
	if (!snapshot_has_ext(s, "remote_token_expiry")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server lacks API extension "
			     "remote_token_expiry (LXD 5.0.2, 5.7 and later), "
			     "so core.remote_token_expiry does not exist.");
		return;
	}
	v = remote_expiry(s, &from);
	judge_expiry(c, x, "core.remote_token_expiry", v, from,
		     "trust tokens", out);
}

static void
judge_token(const struct check *c, const struct check_ctx *x,
	    const json_t *op, struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *md = json_object_get(op, "metadata");
	const char *id = checks_jstr(op, "id");
	const char *exp_s = checks_jstr(md, "expiresAt");
	const char *created_s = checks_jstr(op, "created_at");
	const char *name = checks_jstr(json_object_get(md, "request"), "name");
	const char *kind = "trust token";
	long long max = x->policy->token_expiry_max;
	long long created = 0, expires = 0;
	bool has_created, has_exp;
	char smax[32], sdur[32], when[32];
	struct finding *f = NULL;
	char *obj;

	if (checks_jstr(md, "serverName")) {
		kind = "cluster join token";
		name = checks_jstr(md, "serverName");
	}
	if (!name)
		name = "(unnamed)";
	has_created = created_s && parse_rfc3339(created_s, &created) == 0;
	has_exp = exp_s && parse_rfc3339(exp_s, &expires) == 0;
	lxdval_format_duration(max, smax, sizeof(smax));
	obj = xasprintf("/1.0/operations/%s", id);
	if (exp_s && !has_exp) {
		findings_add(out, ST_ERROR, c->severity, obj,
			     "Cannot read the expiry of pending %s %s: "
			     "expiresAt '%s' is not a timestamp.", kind, name,
			     exp_s);
	} else if (!has_exp) {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Pending %s %s never expires (created %s).",
				 kind, name, created_s ? created_s : "at an "
				 "unknown time");
	} else if (has_created && expires - created > max) {
		lxdval_format_duration(expires - created, sdur, sizeof(sdur));
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Pending %s %s is valid for %s (until %s), "
				 "more than the policy maximum of %s.", kind,
				 name, sdur, exp_s, smax);
	} else if (has_created && s->now - created > max) {
		lxdval_format_duration(s->now - created, sdur, sizeof(sdur));
		format_rfc3339(expires, when, sizeof(when));
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Pending %s %s was created %s ago, more than "
				 "the policy maximum of %s (%s %s).", kind,
				 name, sdur, smax,
				 expires < s->now ? "expired at" : "expires at",
				 when);
	} else if (!has_created && expires - s->now > max) {
		lxdval_format_duration(expires - s->now, sdur, sizeof(sdur));
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Pending %s %s stays valid for %s more, "
				 "more than the policy maximum of %s.", kind,
				 name, sdur, smax);
	}
	if (f)
		finding_remediation(f, "%s operation delete %s",
				    snapshot_client(s), id);
	free(obj);
}

static void
eval_pending_tokens(const struct check *c, const struct check_ctx *x,
		    struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *ops, *op, *ids;
	long long max = x->policy->token_expiry_max;
	size_t i;

	ops = checks_need_part(c, x, SNAP_OPERATIONS, "/1.0/operations", out);
	if (ops) {
		json_array_foreach (ops, i, op) {
			if (!str_eq(checks_jstr(op, "class"), "token") ||
			    json_integer_value(json_object_get(
				    op, "status_code")) != 103 ||
			    !checks_jstr(op, "id"))
				continue;
			judge_token(c, x, op, out);
		}
	}
	/*
	 * Pending TLS identities hide their expiry (no expires_at), so the
	 * only evidence is the server-wide setting that gave them one.
	 */
	if (!snapshot_has_ext(s, "access_management_tls"))
		return;
	ids = checks_need_part(c, x, SNAP_IDENTITIES, "/1.0/auth/identities",
			       out);
	json_array_foreach (ids, i, op) {
		const char *from = NULL;
		const char *v = remote_expiry(s, &from);
		const char *id = checks_jstr(op, "id");
		const char *name = checks_jstr(op, "name");
		const char *method = checks_jstr(op, "authentication_method");
		struct diag d = { "" };
		struct finding *f;
		char smax[32];
		long long at = 0;
		bool never = false;
		char *obj;

		if (!str_eq(checks_jstr(op, "type"),
			    "Client certificate (pending)") ||
		    !id)
			continue;
		if (lxdval_expiry(v, s->now, &at, &never, &d) == 0 && !never &&
		    at - s->now <= max)
			continue;
		lxdval_format_duration(max, smax, sizeof(smax));
		obj = xasprintf("/1.0/auth/identities/%s/%s",
				method ? method : "tls", id);
		if (str_empty(v))
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Pending TLS identity %s holds a "
					 "token that never expires, because "
					 "core.remote_token_expiry is not set "
					 "(policy maximum %s).",
					 name ? name : id, smax);
		else
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Pending TLS identity %s holds a "
					 "token whose expiry LXD does not "
					 "show; it was issued under "
					 "core.remote_token_expiry=%s%s, more "
					 "than the policy maximum of %s.",
					 name ? name : id, v,
					 default_note(from), smax);
		finding_remediation(f, "%s auth identity delete %s/%s",
				    snapshot_client(s),
				    method ? method : "tls", name ? name : id);
		free(obj);
	}
}

static void
eval_oidc_secret(const struct check *c, const struct check_ctx *x,
		 struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "oidc.client.secret";
	struct finding *f;

	if (!need_server(c, x, out))
		return;
	if (str_eq(s->product, "incus")) {
		/* Incus 6.0 and 7.x server config has no such key. */
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "Incus has no %s key: it keeps no OIDC client "
			     "secret.", key);
		return;
	}
	if (!snapshot_has_ext(s, "oidc_client_secret")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server lacks API extension "
			     "oidc_client_secret (LXD 5.21.4, 6.5 and later), "
			     "so %s does not exist.", key);
		return;
	}
	if (!raw_is_set(raw_config(s, key)))
		return;
	f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
			 "%s is set; keep it only if the identity provider "
			 "requires a confidential client.", key);
	finding_key(f, key, "(set)", "/1.0");
	finding_remediation(f, "If the identity provider does not need it: "
			       "%s config unset %s", snapshot_client(s), key);
}

static void
eval_oidc_provider(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *issuer;
	struct finding *f;

	if (!need_server(c, x, out))
		return;
	if (!snapshot_has_ext(s, "oidc")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server lacks API extension oidc (LXD 5.13 "
			     "and later), so it has no OIDC support.");
		return;
	}
	issuer = snapshot_config(s, "oidc.issuer", NULL);
	if (str_empty(issuer)) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "OIDC is not configured (oidc.issuer is not "
			     "set).");
		return;
	}
	f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
			 "OIDC is configured with issuer %s; check at the "
			 "identity provider that access tokens are "
			 "short-lived and that MFA is required.", issuer);
	finding_key(f, "oidc.issuer", issuer, "/1.0");
	finding_remediation(f, "At the identity provider, give the LXD client "
			       "short-lived access tokens and require MFA");
}

static bool
in_string_array(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach (a, i, v)
		if (str_eq(json_string_value(v), s))
			return true;
	return false;
}

static void
judge_admin(const struct check *c, const struct check_ctx *x,
	    const char *method, const char *id, const char *name,
	    const char *group, struct findings *out)
{
	const struct policy *p = x->policy;
	char *mid = xasprintf("%s/%s", method, id);
	char *obj = xasprintf("/1.0/auth/identities/%s", mid);
	struct finding *f;

	if (strlist_has(&p->admin_identities, mid) ||
	    (name && strlist_has(&p->admin_identities, name))) {
		free(mid);
		free(obj);
		return;
	}
	if (!p->admin_identities.set) {
		f = findings_add(out, ST_MANUAL, c->severity, obj,
				 "Identity %s (%s) holds server admin through "
				 "group %s; confirm it should, or list it "
				 "under admin_identities in the policy.",
				 name ? name : id, mid, group);
	} else {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Identity %s (%s) holds server admin through "
				 "group %s but is not on the policy's "
				 "admin_identities list.", name ? name : id,
				 mid, group);
	}
	finding_remediation(f, "%s auth identity group remove %s %s",
			    snapshot_client(x->snap), mid, group);
	free(mid);
	free(obj);
}

/* Group members the identity list does not show (by id or name). */
static void
judge_group_members(const struct check *c, const struct check_ctx *x,
		    const json_t *group, const json_t *ids,
		    struct findings *out)
{
	const char *gname = checks_jstr(group, "name");
	const char *method;
	const json_t *list, *m, *ident;
	size_t i, j;

	json_object_foreach (json_object_get(group, "identities"), method,
			     list) {
		json_array_foreach (list, i, m) {
			const char *who = json_string_value(m);
			bool known = false;

			if (!who)
				continue;
			json_array_foreach (ids, j, ident) {
				if (str_eq(checks_jstr(ident,
						       "authentication_method"),
					   method) &&
				    (str_eq(checks_jstr(ident, "id"), who) ||
				     str_eq(checks_jstr(ident, "name"), who)))
					known = true;
			}
			if (!known)
				judge_admin(c, x, method, who, NULL, gname,
					    out);
		}
	}
}

static void
eval_fine_grained(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *ids, *groups, *g, *ident;
	size_t i, j;

	if (!need_server(c, x, out))
		return;
	if (str_eq(s->product, "incus")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/auth/identities",
			     "Incus has no identities or groups under "
			     "/1.0/auth; its fine-grained authorization is "
			     "OpenFGA or a scriptlet.");
		return;
	}
	if (!snapshot_has_ext(s, "access_management")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/auth/identities",
			     "The server lacks API extension "
			     "access_management (LXD 5.21 and later), so it "
			     "has no fine-grained authorization.");
		return;
	}
	ids = checks_need_part(c, x, SNAP_IDENTITIES, "/1.0/auth/identities",
			       out);
	groups = checks_need_part(c, x, SNAP_AUTH_GROUPS, "/1.0/auth/groups",
				  out);
	if (!ids || !groups)
		return;
	json_array_foreach (ids, i, ident) {
		const char *method =
			checks_jstr(ident, "authentication_method");
		const char *id = checks_jstr(ident, "id");
		const char *name = checks_jstr(ident, "name");
		struct finding *f;
		char *obj;

		if (!id || !method)
			continue;
		if (str_eq(checks_jstr(ident, "type"),
			   "Initial UI token bearer")) {
			obj = xasprintf("/1.0/auth/identities/%s/%s", method,
					id);
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "The initial UI token identity %s is "
					 "still present and holds full admin "
					 "rights.", name ? name : id);
			finding_remediation(f, "%s auth identity delete %s/%s",
					    snapshot_client(s), method,
					    name ? name : id);
			free(obj);
			continue;
		}
		json_array_foreach (groups, j, g) {
			const char *gname = checks_jstr(g, "name");

			if (gname && checks_grants_server_admin(g) &&
			    in_string_array(json_object_get(ident, "groups"),
					    gname)) {
				judge_admin(c, x, method, id, name, gname, out);
				break;
			}
		}
	}
	json_array_foreach (groups, j, g) {
		const json_t *idp =
			json_object_get(g, "identity_provider_groups");
		struct finding *f;
		char *obj;

		if (!checks_grants_server_admin(g))
			continue;
		judge_group_members(c, x, g, ids, out);
		if (!json_array_size(idp))
			continue;
		obj = xasprintf("/1.0/auth/groups/%s", checks_jstr(g, "name"));
		f = findings_add(out, ST_MANUAL, c->severity, obj,
				 "Group %s grants server admin to members of "
				 "%zu identity provider group(s), whom LXD "
				 "cannot list; check them at the identity "
				 "provider.", checks_jstr(g, "name"),
				 json_array_size(idp));
		finding_remediation(f, "%s auth identity-provider-group list",
				    snapshot_client(s));
		free(obj);
	}
}

const struct check access_checks[] = {
	{
		.id = "LXD-ACC-001",
		.title = "Only approved users are in the LXD admin group",
		.severity = SEV_HIGH,
		.rationale = "Members of the group that owns the unix socket "
			     "control LXD completely, which is the same as "
			     "root on the host: one can start a privileged "
			     "container with the host's root file system "
			     "mounted.",
		.reads = "The admin group (the running daemon's --group, the "
			 "snap's daemon.group, or incus-admin) and its members "
			 "from /etc/group and /etc/passwd (users whose primary "
			 "group it is count too; NSS sources such as LDAP are "
			 "not read), and admin_members in the policy.",
		.remediation = "Remove everyone but trusted administrators from "
			       "the group (gpasswd -d USER GROUP), give other "
			       "users the restricted group instead, and list the "
			       "approved administrators under admin_members in "
			       "the policy.",
		.eval = host_checks_admin_group,
	},
	{
		.id = "LXD-ACC-002",
		.title = "The admin unix socket is not open to other users",
		.severity = SEV_HIGH,
		.rationale = "Whoever can connect to the unix socket is an "
			     "administrator of LXD; a socket wider than 0660, "
			     "or owned by another user or group, hands that to "
			     "more people than the admin group.",
		.reads = "The mode, owner and group of the unix socket that "
			 "answered (or the install's default socket), and the "
			 "admin group's id from /etc/group.",
		.remediation = "Restore mode 0660, owner root and the admin "
			       "group on the socket; LXD sets them at start "
			       "from its --group, so fix whatever changed them.",
		.eval = host_checks_socket,
	},
	{
		.id = "LXD-ACC-003",
		.title = "CA-signed client certificates are not trusted "
			 "automatically",
		.severity = SEV_HIGH,
		.rationale = "With core.trust_ca_certificates enabled, any "
			     "certificate the CA signed is an admin without "
			     "being added to the trust store, so one CA "
			     "mistake grants full control.",
		.reads = "core.trust_ca_certificates from GET /1.0 (default "
			 "false).",
		.remediation = "Set core.trust_ca_certificates to false and "
			       "add clients to the trust store one by one.",
		.eval = eval_trust_ca,
	},
	{
		.id = "LXD-ACC-004",
		.title = "No trust password is set",
		.severity = SEV_HIGH,
		.rationale = "The legacy trust password lets anyone who knows "
			     "it add a client certificate with full admin "
			     "rights, and a password can be guessed or "
			     "shared; tokens replace it.",
		.reads = "core.trust_password from GET /1.0; LXD shows only "
			 "whether it is set.",
		.remediation = "Unset core.trust_password and add clients with "
			       "short-lived trust tokens.",
		.eval = eval_trust_password,
	},
	{
		.id = "LXD-ACC-005",
		.title = "Trusted certificates are in date and have strong "
			 "keys",
		.severity = SEV_MEDIUM,
		.rationale = "Expired or not yet valid entries are clutter "
			     "that hides what is really trusted, and RSA keys "
			     "under 2048 bits or EC keys under 256 bits can "
			     "be broken.",
		.reads = "The PEM certificate of every entry in "
			 "/1.0/certificates: validity period and key.",
		.remediation = "Remove expired and weak certificates from the "
			       "trust store and renew the ones about to "
			       "expire.",
		.eval = eval_certificates,
	},
	{
		.id = "LXD-ACC-006",
		.title = "Client certificates are restricted or approved "
			 "admins",
		.severity = SEV_MEDIUM,
		.rationale = "An unrestricted client certificate has the same "
			     "power as root on the host; only the approved "
			     "administrators should hold one.",
		.reads = "The type and restricted flag of every entry in "
			 "/1.0/certificates, and admin_certs in the policy.",
		.remediation = "Restrict client certificates to the projects "
			       "they need, or list the approved full-admin "
			       "clients under admin_certs in the policy.",
		.eval = eval_unrestricted_clients,
	},
	{
		.id = "LXD-ACC-007",
		.title = "PKI client certificates are short-lived",
		.severity = SEV_LOW,
		.rationale = "In PKI mode a client certificate signed by the "
			     "CA is accepted until it expires or is revoked; "
			     "short lifetimes limit what a stolen certificate "
			     "is worth when revocation is late or missed.",
		.reads = "Whether a CA file (server.ca, or cluster.ca when "
			 "clustered) is in the LXD directory, and the validity "
			 "period of every client and metrics certificate in "
			 "/1.0/certificates, against cert_lifetime_max in the "
			 "policy (default 90 days).",
		.remediation = "Issue client certificates from the CA with a "
			       "validity no longer than the policy maximum and "
			       "renew them automatically.",
		.eval = host_checks_cert_lifetime,
	},
	{
		.id = "LXD-ACC-008",
		.title = "PKI mode has a current revocation list",
		.severity = SEV_HIGH,
		.rationale = "Without a valid ca.crl a compromised client "
			     "certificate signed by the CA cannot be revoked; "
			     "a CRL that does not verify against the CA makes "
			     "LXD reject every CA-signed client, and a stale "
			     "one misses recent revocations.",
		.reads = "The CA file and ca.crl in the LXD directory, parsed "
			 "and verified with OpenSSL: the CRL's issuer and "
			 "signature against the CA, and its next update time.",
		.remediation = "Publish a CRL signed by the CA as ca.crl in the "
			       "LXD directory, renew it before its next update "
			       "time, and restart LXD after changing it (LXD "
			       "reads it at start).",
		.eval = host_checks_crl,
	},
	{
		.id = "LXD-ACC-009",
		.title = "Cluster join tokens expire quickly",
		.severity = SEV_MEDIUM,
		.rationale = "A join token lets a machine become a cluster "
			     "member with full access; the shorter it lives, "
			     "the less a leaked token is worth.",
		.reads = "cluster.join_token_expiry from GET /1.0 (default "
			 "3H).",
		.remediation = "Set cluster.join_token_expiry to at most the "
			       "policy maximum, for example 15M.",
		.eval = eval_join_token_expiry,
	},
	{
		.id = "LXD-ACC-010",
		.title = "Trust tokens expire quickly",
		.severity = SEV_MEDIUM,
		.rationale = "A trust token adds a client certificate to the "
			     "trust store; without a short expiry a leaked "
			     "token stays usable for days or forever.",
		.reads = "core.remote_token_expiry from GET /1.0; unset means "
			 "never on LXD 5.0.x, 5.21.0 to 5.21.4, 6.1 to 6.6 "
			 "and Incus, and 15 days on later LXD.",
		.remediation = "Set core.remote_token_expiry to at most the "
			       "policy maximum, for example 15M.",
		.eval = eval_remote_token_expiry,
	},
	{
		.id = "LXD-ACC-011",
		.title = "No pending token is long-lived or without expiry",
		.severity = SEV_MEDIUM,
		.rationale = "A pending join or trust token is a credential "
			     "waiting to be used; one that never expires or "
			     "has been waiting long is likely forgotten and "
			     "may have leaked.",
		.reads = "Operations of class token that are still running, "
			 "and pending TLS identities; token secrets are never "
			 "read.",
		.remediation = "Revoke tokens that are no longer needed and "
			       "issue new ones with a short expiry.",
		.eval = eval_pending_tokens,
	},
	{
		.id = "LXD-ACC-012",
		.title = "An OIDC client secret is set only where needed",
		.severity = SEV_LOW,
		.rationale = "A client secret stored in LXD is one more "
			     "credential to protect; public OIDC clients do "
			     "not need one.",
		.reads = "Whether oidc.client.secret is set in GET /1.0; the "
			 "value is never read.",
		.remediation = "Unset oidc.client.secret unless the identity "
			       "provider requires a confidential client.",
		.eval = eval_oidc_secret,
	},
	{
		.id = "LXD-ACC-013",
		.title = "The OIDC provider issues short-lived tokens and "
			 "requires MFA",
		.severity = SEV_INFO,
		.rationale = "With OIDC, the identity provider decides how "
			     "long a stolen token works and whether a "
			     "password alone is enough.",
		.reads = "oidc.issuer from GET /1.0; the provider itself "
			 "cannot be seen from LXD.",
		.remediation = "Configure short access token lifetimes and MFA "
			       "at the identity provider.",
		.eval = eval_oidc_provider,
	},
	{
		.id = "LXD-ACC-014",
		.title = "Only approved identities hold server admin",
		.severity = SEV_MEDIUM,
		.rationale = "With fine-grained authorization, server admin "
			     "is full control; the initial UI token and any "
			     "identity not meant to be an administrator must "
			     "not hold it.",
		.reads = "/1.0/auth/identities and /1.0/auth/groups, and "
			 "admin_identities in the policy.",
		.remediation = "Delete the initial UI token identity and "
			       "remove unapproved identities from groups that "
			       "grant server admin.",
		.eval = eval_fine_grained,
	},
	CHECK_END
};
