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
	finding_remedy_cmd(f, "%s config set %s=false", snapshot_client(s),
			    shq(key));
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
	finding_remedy_cmd(f, "%s config unset %s", snapshot_client(s),
			   shq(key));
}

/*
 * Where a judged certificate lives and how it is replaced or removed: the
 * trust store (/1.0/certificates) or a fine-grained TLS identity, whose
 * certificate /1.0/certificates does not list.
 */
struct cert_home {
	const char *obj;	/* finding object */
	const char *what;	/* "Certificate" or "TLS identity" */
	char *remove;		/* the command that removes it */
	char *renew;		/* what renewing it means */
};

/* Judges one PEM certificate: validity period and key strength. */
static void
judge_cert(const struct check *c, const struct check_ctx *x,
	   const struct cert_home *h, const char *name, const char *pem,
	   struct findings *out)
{
	const struct snapshot *s = x->snap;
	struct x509_info xi;
	struct diag d = { "" };
	struct finding *f;
	char when[32], window[32];

	lxdval_format_duration(x->policy->expiring_window, window,
			       sizeof(window));
	if (x509_parse_pem(pem, &xi, &d) != 0) {
		findings_add(out, ST_ERROR, c->severity, h->obj,
			     "Cannot parse %s %s: %s.",
			     str_eq(h->what, "Certificate") ? "certificate" :
			     "the certificate of TLS identity", name, d.msg);
		return;
	}
	if (xi.not_after < s->now) {
		format_rfc3339(xi.not_after, when, sizeof(when));
		f = findings_add(out, ST_FAIL, SEV_MEDIUM, h->obj,
				 "%s %s expired on %s.", h->what, name, when);
		finding_remedy_cmd(f, "%s", h->remove);
	} else if (xi.not_after - s->now <= x->policy->expiring_window) {
		format_rfc3339(xi.not_after, when, sizeof(when));
		f = findings_add(out, ST_FAIL, SEV_LOW, h->obj,
				 "%s %s expires on %s, within the %s warning "
				 "window.", h->what, name, when, window);
		finding_remediation(f, "%s", h->renew);
	}
	if (xi.not_before > s->now) {
		format_rfc3339(xi.not_before, when, sizeof(when));
		f = findings_add(out, ST_FAIL, SEV_MEDIUM, h->obj,
				 "%s %s is not valid before %s.", h->what,
				 name, when);
		finding_remedy_cmd(f, "%s", h->remove);
	}
	if ((str_eq(xi.key_type, "RSA") && xi.key_bits < 2048) ||
	    (str_eq(xi.key_type, "EC") && xi.key_bits < 256)) {
		f = findings_add(out, ST_FAIL, SEV_MEDIUM, h->obj,
				 "%s %s has a weak %s key of %d bits (minimum "
				 "%d).", h->what, name, xi.key_type,
				 xi.key_bits,
				 str_eq(xi.key_type, "RSA") ? 2048 : 256);
		finding_remediation(f, "Replace it with a certificate that "
				       "has a stronger key, then remove this "
				       "one: %s", h->remove);
	}
}

static bool
in_trust_store(const json_t *certs, const char *fp)
{
	const json_t *e;
	size_t i;

	json_array_foreach (certs, i, e)
		if (fp && strcasecmp(fp, checks_jstr(e, "fingerprint") ?
						 checks_jstr(e, "fingerprint") :
						 "") == 0)
			return true;
	return false;
}

/*
 * Fine-grained TLS identities (access_management_tls: LXD 5.21.3 and
 * 6.2 on) carry a certificate that /1.0/certificates does not list; the
 * ones it does list are judged there.
 */
static void
judge_identity_certs(const struct check *c, const struct check_ctx *x,
		     const json_t *certs, struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *ids, *e;
	size_t i;

	if (!snapshot_has_ext(s, "access_management_tls"))
		return;
	ids = checks_need_part(c, x, SNAP_IDENTITIES, "/1.0/auth/identities",
			       out);
	json_array_foreach (ids, i, e) {
		const char *id = checks_jstr(e, "id");
		const char *name = checks_jstr(e, "name");
		const char *pem = checks_jstr(e, "tls_certificate");
		struct cert_home h = { .what = "TLS identity" };
		char *obj;

		if (!id || !str_eq(checks_jstr(e, "authentication_method"),
				   "tls") ||
		    str_empty(pem) || in_trust_store(certs, id))
			continue;
		if (str_empty(name))
			name = id;
		obj = xasprintf("/1.0/auth/identities/tls/%s", urlq(id));
		h.obj = obj;
		h.remove = xasprintf("%s auth identity delete tls/%s",
				     snapshot_client(s), shq(name));
		h.renew = xasprintf("Renew the client's certificate and set it "
				    "on the identity (%s auth identity edit "
				    "tls/%s, key tls_certificate)",
				    snapshot_client(s), shq(name));
		judge_cert(c, x, &h, name, pem, out);
		free(h.remove);
		free(h.renew);
		free(obj);
	}
}

static void
eval_certificates(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *certs, *e;
	size_t i;

	certs = checks_need_part(c, x, SNAP_CERTIFICATES, "/1.0/certificates",
				 out);
	json_array_foreach (certs, i, e) {
		const char *name = checks_jstr(e, "name");
		const char *fp = checks_jstr(e, "fingerprint");
		struct cert_home h = { .what = "Certificate" };
		char *obj;

		if (!fp)
			continue;
		if (!name)
			name = "";
		obj = xasprintf("/1.0/certificates/%s", urlq(fp));
		h.obj = obj;
		h.remove = xasprintf("%s config trust remove %s",
				     snapshot_client(s), shq(fp));
		h.renew = xasprintf("Renew the client's certificate, add the "
				    "new one (%s config trust add), then run: "
				    "%s", snapshot_client(s), h.remove);
		judge_cert(c, x, &h, name, checks_jstr(e, "certificate"),
			   out);
		free(h.remove);
		free(h.renew);
		free(obj);
	}
	judge_identity_certs(c, x, certs, out);
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
		obj = xasprintf("/1.0/certificates/%s", urlq(fp));
		if (p->admin_certs.set)
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Client certificate %s is "
					 "unrestricted (full admin) and not on "
					 "the policy's admins.certificates "
					 "list.",
					 name);
		else
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Client certificate %s is "
					 "unrestricted (full admin); restrict "
					 "it to projects or list it under "
					 "admins.certificates in the policy.",
					 name);
		/* edit reads the new definition from a pipe */
		finding_remedy_cmd(f, "%s config trust show %s | sed -e "
				      "'s/^restricted: false$/restricted: "
				      "true/' | %s config trust edit %s",
				   snapshot_client(s), shq(fp),
				   snapshot_client(s), shq(fp));
		finding_remediation(f, "The certificate keeps the projects "
				       "it lists (with none it reaches no "
				       "project until they are added with "
				       "%s config trust edit). If it is an "
				       "administrator's, list its fingerprint "
				       "under admins.certificates in the "
				       "policy instead.", snapshot_client(s));
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
	finding_remedy_cmd(f, "%s config set %s=%s", snapshot_client(s),
			   shq(key), shq(expr));
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
		checks_no_ext(c, x, out, "/1.0", "cluster_join_token_expiry",
			      "5.0.2, 5.7 and later",
			      "cluster.join_token_expiry does not exist");
		return;
	}
	/*
	 * Join tokens exist only where a cluster can be formed or grown: a
	 * clustered server, or one with an address to cluster on
	 * (bootstrapping takes cluster.https_address, else copies
	 * core.https_address: lxd/api_cluster.go in 6.9; the clients refuse
	 * a server that is "not available on the network").
	 */
	if (!s->clustered &&
	    str_empty(snapshot_config(s, "core.https_address", NULL)) &&
	    str_empty(snapshot_config(s, "cluster.https_address", NULL))) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server is not clustered and has no network "
			     "address (core.https_address is not set, nor "
			     "cluster.https_address), so it cannot issue "
			     "cluster join tokens.");
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
		checks_no_ext(c, x, out, "/1.0", "remote_token_expiry",
			      "5.0.2, 5.7 and later",
			      "core.remote_token_expiry does not exist");
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
	obj = xasprintf("/1.0/operations/%s", urlq(id));
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
		finding_remedy_cmd(f, "%s operation delete %s",
				    snapshot_client(s), shq(id));
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
				urlq(method ? method : "tls"), urlq(id));
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
		finding_remedy_cmd(f, "%s auth identity delete %s/%s",
				    snapshot_client(s),
				    shq(method ? method : "tls"),
				    shq(name ? name : id));
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
		/* Incus 6.0 to 7.3 server config has no such key */
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "Incus %s has no %s key: it keeps no OIDC client "
			     "secret.", s->server_version, key);
		return;
	}
	if (!snapshot_has_ext(s, "oidc_client_secret")) {
		checks_no_ext(c, x, out, "/1.0", "oidc_client_secret",
			      "5.21.4, 6.5 and later",
			      "oidc.client.secret does not exist");
		return;
	}
	if (!raw_is_set(raw_config(s, key)))
		return;
	f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
			 "%s is set; keep it only if the identity provider "
			 "requires a confidential client.", key);
	finding_key(f, key, "(set)", "/1.0");
	finding_remedy_cmd(f, "%s config unset %s", snapshot_client(s),
			   shq(key));
	finding_remediation(f, "Only if the identity provider does not need "
			       "it.");
}

/*
 * oidc.session.expiry (auth_oidc_sessions, LXD 6.6 and later; default
 * 1w, minimum 1H): how long a login session lasts before LXD sends the
 * user back to the identity provider. The guide's "short-lived" OIDC
 * advice is judged on it against the policy's oidc_session_max.
 */
static void
judge_oidc_session(const struct check_ctx *x, struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "oidc.session.expiry";
	const char *v = json_string_value(raw_config(s, key));
	const char *from = "/1.0";
	long long max = x->policy->oidc_session_max, at;
	char smax[32], slife[32], expr[32];
	struct diag d = { "" };
	struct finding *f;
	bool never;

	if (!snapshot_has_ext(s, "auth_oidc_sessions"))
		return;
	if (str_empty(v)) {
		v = "1w";
		from = "default";
	}
	if (lxdval_expiry(v, s->now, &at, &never, &d) != 0) {
		f = findings_add(out, ST_ERROR, SEV_LOW, "/1.0",
				 "Cannot evaluate %s: %s.", key, d.msg);
		finding_key(f, key, v, from);
		return;
	}
	if (never || at - s->now <= max)
		return;
	lxdval_format_duration(max, smax, sizeof(smax));
	lxdval_format_duration(at - s->now, slife, sizeof(slife));
	lxdval_expiry_expr(max, expr, sizeof(expr));
	f = findings_add(out, ST_FAIL, SEV_LOW, "/1.0",
			 "%s=%s%s keeps an OIDC login valid for %s, more than "
			 "the policy maximum of %s.", key, v,
			 default_note(from), slife, smax);
	finding_key(f, key, v, from);
	finding_remedy_cmd(f, "%s config set %s=%s", snapshot_client(s),
			   shq(key), shq(expr));
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
			     "The server lacks API extension oidc (%s), so it "
			     "has no OIDC support.",
			     str_eq(s->product, "incus") ? "Incus 0.1 and "
			     "later" : "LXD 5.13 and later");
		return;
	}
	issuer = snapshot_config(s, "oidc.issuer", NULL);
	if (str_empty(issuer)) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "OIDC is not configured (oidc.issuer is not "
			     "set).");
		return;
	}
	judge_oidc_session(x, out);
	f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
			 "OIDC is configured with issuer %s; check at the "
			 "identity provider that access tokens are "
			 "short-lived and that MFA is required.", issuer);
	finding_key(f, "oidc.issuer", issuer, "/1.0");
	finding_remediation(f, "At the identity provider, give the %s client "
			       "short-lived access tokens and require MFA",
			    str_eq(s->product, "incus") ? "Incus" : "LXD");
}

/* One holder of an escalating permission, as found in a group. */
struct holder {
	const char *method, *id, *name;	/* name may be NULL */
};

/*
 * Judges every escalating permission that holder h gets from group g.
 * seen collects the "entitlement url" pairs already reported for h, so a
 * permission that two groups grant is one finding.
 */
static void
judge_holder(const struct check *c, const struct check_ctx *x,
	     const struct holder *h, const json_t *g, struct strlist *seen,
	     struct findings *out)
{
	const struct policy *p = x->policy;
	const char *gname = checks_jstr(g, "name");
	char *mid = xasprintf("%s/%s", h->method, h->id);
	char *obj = xasprintf("/1.0/auth/identities/%s/%s", urlq(h->method),
			      urlq(h->id));
	char *gobj = xasprintf("/1.0/auth/groups/%s", urlq(gname));
	const char *who = h->name ? h->name : h->id;
	const json_t *perm;
	size_t i;

	if (strlist_has(&p->admin_identities, mid) ||
	    (h->name && strlist_has(&p->admin_identities, h->name)))
		goto out;
	json_array_foreach (json_object_get(g, "permissions"), i, perm) {
		const char *how = checks_escalation(perm);
		const char *ent = checks_jstr(perm, "entitlement");
		const char *url = checks_jstr(perm, "url");
		struct finding *f;
		char *pair;

		if (!how)
			continue;
		if (!url)
			url = "/1.0";
		pair = xasprintf("%s %s", ent, url);
		if (strlist_has(seen, pair)) {
			free(pair);
			continue;
		}
		strlist_push(seen, pair);
		free(pair);
		if (!p->admin_identities.set)
			f = findings_add(out, ST_MANUAL, c->severity, obj,
					 "Identity %s (%s) holds %s on %s "
					 "through group %s, and %s %s; confirm "
					 "it should, or list it under "
					 "admins.identities in the policy.",
					 who, mid, ent, url, gname, ent, how);
		else
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Identity %s (%s) holds %s on %s "
					 "through group %s, and %s %s, but it "
					 "is not on the policy's "
					 "admins.identities list.", who, mid,
					 ent, url, gname, ent, how);
		finding_key(f, ent, url, gobj);
		finding_remedy_cmd(f, "%s auth identity group remove %s %s",
				    snapshot_client(x->snap), shq(mid),
				    shq(gname));
	}
out:
	free(mid);
	free(obj);
	free(gobj);
}

static bool
identity_listed(const json_t *ids, const char *method, const char *who)
{
	const json_t *ident;
	size_t i;

	json_array_foreach (ids, i, ident)
		if (str_eq(checks_jstr(ident, "authentication_method"),
			   method) &&
		    (str_eq(checks_jstr(ident, "id"), who) ||
		     str_eq(checks_jstr(ident, "name"), who)))
			return true;
	return false;
}

/* Group members the identity list does not show (by id or name). */
static void
judge_unlisted_members(const struct check *c, const struct check_ctx *x,
		       const json_t *g, const json_t *ids,
		       struct findings *out)
{
	const char *method;
	const json_t *list, *m;
	size_t i;

	json_object_foreach (json_object_get(g, "identities"), method, list) {
		json_array_foreach (list, i, m) {
			struct holder h = { method, json_string_value(m),
					    NULL };
			struct strlist seen = { 0 };

			if (!h.id || identity_listed(ids, method, h.id))
				continue;
			judge_holder(c, x, &h, g, &seen, out);
			strlist_release(&seen);
		}
	}
}

/*
 * Members of identity provider groups are not stored: LXD maps them to
 * groups at each request, from the groups claim. Each mapping to an
 * escalating group is for a person to confirm at the identity provider.
 */
static void
judge_idp_groups(const struct check *c, const struct check_ctx *x,
		 const json_t *g, struct findings *out)
{
	const char *gname = checks_jstr(g, "name");
	const json_t *perm, *idp;
	const char *ent = NULL, *how = NULL, *url = NULL;
	size_t i;

	json_array_foreach (json_object_get(g, "permissions"), i, perm) {
		if ((how = checks_escalation(perm))) {
			ent = checks_jstr(perm, "entitlement");
			url = checks_jstr(perm, "url");
			break;
		}
	}
	if (!how)
		return;
	json_array_foreach (json_object_get(g, "identity_provider_groups"), i,
			    idp) {
		const char *name = json_string_value(idp);
		struct finding *f;
		char *obj, *gobj;

		if (!name)
			continue;
		obj = xasprintf("/1.0/auth/identity-provider-groups/%s",
				urlq(name));
		gobj = xasprintf("/1.0/auth/groups/%s", urlq(gname));
		f = findings_add(out, ST_MANUAL, c->severity, obj,
				 "Identity provider group %s is mapped to "
				 "group %s, which holds %s on %s, and %s %s; "
				 "its members are known only to the identity "
				 "provider, so check them there.", name, gname,
				 ent, url ? url : "/1.0", ent, how);
		finding_key(f, ent, url ? url : "/1.0", gobj);
		finding_remedy_cmd(f, "%s auth identity-provider-group group "
				       "remove %s %s", snapshot_client(x->snap),
				    shq(name), shq(gname));
		free(gobj);
		free(obj);
	}
}

static bool
group_escalates(const json_t *g)
{
	const json_t *perm;
	size_t i;

	json_array_foreach (json_object_get(g, "permissions"), i, perm)
		if (checks_escalation(perm))
			return true;
	return false;
}

static void
eval_fine_grained(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *ids, *groups, *g, *ident, *gn;
	size_t i, j;

	if (!need_server(c, x, out))
		return;
	if (str_eq(s->product, "incus")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/auth/identities",
			     "Incus has no identities or groups under "
			     "/1.0/auth; its authorization (OpenFGA or a "
			     "scriptlet) is judged by LXD-ACC-015.");
		return;
	}
	if (!snapshot_has_ext(s, "access_management")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/auth/identities",
			     "The server lacks API extension access_management "
			     "(LXD 5.21 and later), so it has no fine-grained "
			     "authorization.");
		return;
	}
	ids = checks_need_part(c, x, SNAP_IDENTITIES, "/1.0/auth/identities",
			       out);
	groups = checks_need_part(c, x, SNAP_AUTH_GROUPS, "/1.0/auth/groups",
				  out);
	if (!ids || !groups)
		return;
	json_array_foreach (ids, i, ident) {
		struct holder h = {
			checks_jstr(ident, "authentication_method"),
			checks_jstr(ident, "id"), checks_jstr(ident, "name")
		};
		struct strlist seen = { 0 };
		struct finding *f;
		char *obj;

		if (!h.id || !h.method)
			continue;
		if (str_eq(checks_jstr(ident, "type"),
			   "Initial UI token bearer")) {
			obj = xasprintf("/1.0/auth/identities/%s/%s",
					urlq(h.method), urlq(h.id));
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "The initial UI token identity %s is "
					 "still present and holds full admin "
					 "rights.", h.name ? h.name : h.id);
			finding_remedy_cmd(f, "%s auth identity delete %s/%s",
					    snapshot_client(s), shq(h.method),
					    shq(h.name ? h.name : h.id));
			free(obj);
			continue;
		}
		json_array_foreach (json_object_get(ident, "groups"), j, gn) {
			g = snapshot_find(s, SNAP_AUTH_GROUPS, NULL,
					  json_string_value(gn));
			if (g)
				judge_holder(c, x, &h, g, &seen, out);
		}
		strlist_release(&seen);
	}
	json_array_foreach (groups, j, g) {
		if (!checks_jstr(g, "name") || !group_escalates(g))
			continue;
		judge_unlisted_members(c, x, g, ids, out);
		judge_idp_groups(c, x, g, out);
	}
}

/*
 * Incus OpenFGA relations that Incus's documentation
 * (doc/authorization.md) says not to grant to users not trusted with root
 * on the host. Compared in the OpenFGA model of v6.0.4, v7.0.1 and v7.3.0
 * (internal/server/auth/driver_openfga_model.openfga): the same set
 * throughout. The document named the project relation "manager" until
 * 7.0.0, but the model calls it "admin" in every one of these releases.
 */
static const char incus_root_relations[] =
	"server admin, server operator, server can_edit, server "
	"can_create_storage_pools, server can_create_projects, server "
	"can_create_certificates, certificate can_edit, storage_pool "
	"can_edit, project admin";

static void
openfga_manual(const struct check *c, const char *key, const char *value, const char *who,
	       struct findings *out)
{
	struct finding *f;

	f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
			 "%s are authorized by OpenFGA, whose relations Incus "
			 "does not show; check in the OpenFGA store that no "
			 "user not trusted with root on the host holds any "
			 "of: %s.", who, incus_root_relations);
	finding_key(f, key, value, "/1.0");
	finding_remediation(f, "In the OpenFGA store, remove those relations "
			       "from users who are not administrators");
}

static void
scriptlet_manual(const struct check *c, const char *key, const char *value,
		 const char *who, struct findings *out)
{
	struct finding *f;

	f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
			 "%s are authorized by the scriptlet in "
			 "authorization.scriptlet; review that it grants "
			 "admin-level entitlements only to administrators.",
			 who);
	finding_key(f, key, value, "/1.0");
	finding_remedy_cmd(f, "incus config get authorization.scriptlet");
	finding_remediation(f, "Review its authorize function.");
}

/*
 * The driver a client class is routed to in Incus 7.3 and later
 * (authorization_client_routing, internal/server/auth/router.go): its own
 * key, else authorization.client.default, else the built-in route (unix
 * allow, tls allow, tls-restricted tls, oidc allow, default deny). *key is
 * the key that decided, or NULL for the built-in route.
 */
static const char *
incus_route(const struct snapshot *s, const char *class, char *k, size_t n,
	    const char **key)
{
	static const struct {
		const char *class, *driver;
	} builtin[] = {
		{ "unix", "allow" }, { "tls", "allow" },
		{ "tls-restricted", "tls" }, { "oidc", "allow" },
	};
	const char *v;

	snprintf(k, n, "authorization.client.%s", class);
	v = json_string_value(raw_config(s, k));
	if (!str_empty(v)) {
		*key = k;
		return v;
	}
	v = json_string_value(raw_config(s, "authorization.client.default"));
	if (!str_empty(v)) {
		*key = "authorization.client.default";
		return v;
	}
	*key = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++)
		if (str_eq(class, builtin[i].class))
			return builtin[i].driver;
	return "deny";
}

static void
judge_incus_routes(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key, *v, *how;
	bool oidc = !str_empty(snapshot_config(s, "oidc.issuer", NULL));
	char k[64];
	struct finding *f;

	v = incus_route(s, "tls-restricted", k, sizeof(k), &key);
	how = key ? key : "authorization.client.tls-restricted";
	if (str_eq(v, "allow")) {
		f = findings_add(out, ST_FAIL, SEV_HIGH, "/1.0",
				 "Restricted client certificates are routed to "
				 "'allow' (%s=allow), so every restricted "
				 "certificate is a full admin and its project "
				 "list means nothing.", how);
		finding_key(f, how, v, "/1.0");
		finding_remedy_cmd(f, "incus config set "
				      "authorization.client.tls-restricted=tls");
	} else if (str_eq(v, "openfga")) {
		openfga_manual(c, how, v, "Restricted client certificates",
			       out);
	} else if (str_eq(v, "scriptlet")) {
		scriptlet_manual(c, how, v, "Restricted client certificates",
				 out);
	}
	if (!oidc)
		return;
	v = incus_route(s, "oidc", k, sizeof(k), &key);
	how = key ? key : "authorization.client.oidc";
	if (str_eq(v, "allow")) {
		f = findings_add(out, ST_FAIL, SEV_HIGH, "/1.0",
				 "OIDC is configured (oidc.issuer) and OIDC "
				 "clients are routed to 'allow' (%s%s), so "
				 "everyone the identity provider signs in is a "
				 "full admin.", how,
				 key ? "=allow" : " is not set: the built-in "
				 "route");
		finding_key(f, how, key ? v : "", key ? "/1.0" : "default");
		finding_remedy_cmd(f, "incus config set "
				      "authorization.client.oidc=openfga");
		finding_remediation(f, "First configure OpenFGA: the "
				       "openfga.api.url, openfga.api.token "
				       "and openfga.store.id server keys.");
	} else if (str_eq(v, "openfga")) {
		openfga_manual(c, how, v, "OIDC clients", out);
	} else if (str_eq(v, "scriptlet")) {
		scriptlet_manual(c, how, v, "OIDC clients", out);
	}
}

/*
 * Before Incus 7.3 one driver serves all network clients: the scriptlet
 * when authorization.scriptlet is set, else OpenFGA when openfga.api.url,
 * openfga.api.token and openfga.store.id are all set, else the TLS
 * driver, which lets any non-TLS authenticated client (OIDC) do
 * everything (internal/server/auth/driver_tls.go in v6.0.4 and v7.2.0).
 * Restricted certificates are always judged by the TLS driver under
 * OpenFGA and the TLS driver alike.
 */
static void
judge_incus_legacy(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *script = json_string_value(
		raw_config(s, "authorization.scriptlet"));
	const char *issuer = snapshot_config(s, "oidc.issuer", NULL);
	bool openfga = !str_empty(snapshot_config(s, "openfga.api.url",
						  NULL)) &&
		       raw_is_set(raw_config(s, "openfga.api.token")) &&
		       !str_empty(snapshot_config(s, "openfga.store.id",
						  NULL));
	struct finding *f;

	if (!str_empty(script)) {
		scriptlet_manual(c, "authorization.scriptlet", "(set)",
				 "Network clients", out);
		return;
	}
	if (str_empty(issuer))
		return;
	if (openfga) {
		openfga_manual(c, "openfga.api.url",
			       snapshot_config(s, "openfga.api.url", NULL),
			       "OIDC clients", out);
		return;
	}
	f = findings_add(out, ST_FAIL, SEV_HIGH, "/1.0",
			 "OIDC is configured (oidc.issuer=%s) but neither "
			 "OpenFGA (openfga.*) nor an authorization scriptlet "
			 "is, so on Incus %s everyone the identity provider "
			 "signs in is a full admin.", issuer,
			 s->server_version);
	finding_key(f, "oidc.issuer", issuer, "/1.0");
	finding_remedy_need(f, "openfga.api.url", "the address of your "
			    "OpenFGA server");
	finding_remedy_need(f, "openfga.api.token", "a secret only your "
			    "OpenFGA server issues");
	finding_remedy_need(f, "openfga.store.id", "the store your OpenFGA "
			    "server keeps the model in");
	finding_remediation(f, "Set them with incus config set, or unset "
			       "oidc.issuer until OpenFGA is configured.");
}

static void
eval_incus_authorization(const struct check *c, const struct check_ctx *x,
			 struct findings *out)
{
	const struct snapshot *s = x->snap;

	if (!need_server(c, x, out))
		return;
	if (!str_eq(s->product, "incus")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server is LXD, which routes no client class "
			     "to an authorization driver; its fine-grained "
			     "authorization is judged by LXD-ACC-014.");
		return;
	}
	if (snapshot_has_ext(s, "authorization_client_routing"))
		judge_incus_routes(c, x, out);
	else
		judge_incus_legacy(c, x, out);
}

/*
 * Bearer identities: DevLXD token bearers from auth_bearer_devlxd (LXD
 * 6.6), client token bearers from auth_bearer (6.7). A token issued
 * without --expiry lives 10 years (defaultBearerTokenExpiry "10y" in
 * lxd/identities.go of 6.6 to 6.9; the 6.7 to 6.9 documentation says 24
 * hours, the code does not). Its expiry is shown only from
 * access_management_expiry (after 6.9) as expires_at, and is absent when
 * the token never expires, was revoked, was never issued, or was issued
 * before that extension.
 */
static void
eval_bearer_tokens(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	long long max = x->policy->cert_lifetime_max;
	bool shown = snapshot_has_ext(s, "access_management_expiry");
	const json_t *ids, *e;
	char smax[32], expr[32];
	size_t i;

	if (!need_server(c, x, out))
		return;
	if (str_eq(s->product, "incus")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/auth/identities",
			     "Incus has no bearer token identities.");
		return;
	}
	if (!snapshot_has_ext(s, "auth_bearer_devlxd")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/auth/identities",
			     "The server lacks API extension "
			     "auth_bearer_devlxd (LXD 6.6 and later), so it "
			     "has no bearer token identities.");
		return;
	}
	ids = checks_need_part(c, x, SNAP_IDENTITIES, "/1.0/auth/identities",
			       out);
	lxdval_format_duration(max, smax, sizeof(smax));
	lxdval_expiry_expr(max, expr, sizeof(expr));
	json_array_foreach (ids, i, e) {
		const char *id = checks_jstr(e, "id");
		const char *name = checks_jstr(e, "name");
		const char *exp_s = checks_jstr(e, "expires_at");
		const char *type = checks_jstr(e, "type");
		struct finding *f;
		long long at;
		char slife[32];
		char *obj;

		if (!id || !str_eq(checks_jstr(e, "authentication_method"),
				   "bearer"))
			continue;
		if (str_empty(name))
			name = id;
		obj = xasprintf("/1.0/auth/identities/bearer/%s", urlq(id));
		if (shown && exp_s && parse_rfc3339(exp_s, &at) != 0) {
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cannot read the token expiry of bearer "
				     "identity %s: expires_at '%s' is not a "
				     "timestamp.", name, exp_s);
			free(obj);
			continue;
		}
		if (shown && exp_s) {
			if (at - s->now <= max) {
				free(obj);
				continue;
			}
			lxdval_format_duration(at - s->now, slife,
					       sizeof(slife));
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "The token of bearer identity %s (%s) "
					 "stays valid until %s, %s from now, "
					 "more than the policy maximum of %s.",
					 name, type ? type : "bearer", exp_s,
					 slife, smax);
			finding_key(f, "expires_at", exp_s, obj);
		} else if (shown) {
			f = findings_add(out, ST_MANUAL, c->severity, obj,
					 "Bearer identity %s (%s) shows no token "
					 "expiry: its token never expires, was "
					 "issued before API extension "
					 "access_management_expiry, or there is "
					 "none; reissue it with an expiry if it "
					 "is in use.", name,
					 type ? type : "bearer");
		} else {
			f = findings_add(out, ST_MANUAL, c->severity, obj,
					 "LXD %s does not show when the token "
					 "of bearer identity %s (%s) expires "
					 "(API extension "
					 "access_management_expiry, after LXD "
					 "6.9); a token issued without --expiry "
					 "lives 10 years.", s->server_version,
					 name, type ? type : "bearer");
		}
		finding_remedy_cmd(f, "%s auth identity token issue bearer/%s "
				      "--expiry %s", snapshot_client(s),
				   shq(name), shq(expr));
		finding_remediation(f, "This replaces the token: give the new "
				       "one to its user.");
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
			 "not read), and admins.group_members in the policy.",
		.remediation = "Remove everyone but trusted administrators from "
			       "the group (gpasswd -d USER GROUP), give other "
			       "users the restricted group instead, and list the "
			       "approved administrators under admins.group_members in "
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
			 "/1.0/certificates and of every TLS identity in "
			 "/1.0/auth/identities that the trust store does not "
			 "list (on releases that keep the two apart): validity "
			 "period and key.",
		.remediation = "Remove expired and weak certificates from the "
			       "trust store (or delete the TLS identity) and "
			       "renew the ones about to expire.",
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
			 "/1.0/certificates, and admins.certificates in the policy.",
		.remediation = "Restrict client certificates to the projects "
			       "they need, or list the approved full-admin "
			       "clients under admins.certificates in the policy.",
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
			 "/1.0/certificates, against thresholds.cert_lifetime_max in the "
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
			 "3H), judged only where a cluster can be formed or "
			 "grown: a clustered server, or one with "
			 "core.https_address or cluster.https_address set.",
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
			 "the default of the server's release (never on "
			 "Incus and older LXD, 15 days on recent LXD), which "
			 "the finding names.",
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
		.title = "OIDC logins are short-lived and the provider "
			 "requires MFA",
		.severity = SEV_INFO,
		.rationale = "With OIDC, the identity provider decides how "
			     "long a stolen token works and whether a "
			     "password alone is enough.",
		.reads = "oidc.issuer from GET /1.0, and oidc.session.expiry "
			 "where the release has it (default 1w) against "
			 "thresholds.oidc_session_max in the policy (default 1d); the "
			 "provider itself cannot be seen from the server.",
		.remediation = "Set oidc.session.expiry to at most the policy "
			       "maximum, and configure short access token "
			       "lifetimes and MFA at the identity provider.",
		.eval = eval_oidc_provider,
	},
	{
		.id = "LXD-ACC-014",
		.title = "Only approved identities hold admin or an "
			 "entitlement that reaches it",
		.severity = SEV_MEDIUM,
		.rationale = "With fine-grained authorization, server admin "
			     "is full control, and so are entitlements that "
			     "let a holder grant itself more (permission_"
			     "manager, can_edit_identities, can_edit_groups, "
			     "can_edit_identity_provider_groups) or reach root "
			     "through what it may create or reconfigure "
			     "(server can_edit, project and storage pool "
			     "management); the initial UI token and any "
			     "identity not meant to be an administrator must "
			     "hold none of them.",
		.reads = "/1.0/auth/identities and /1.0/auth/groups (each "
			 "group's permissions, members and identity provider "
			 "groups), and admins.identities in the policy.",
		.remediation = "Delete the initial UI token identity, remove "
			       "unapproved identities from groups holding those "
			       "entitlements, and unmap identity provider "
			       "groups that should not reach them.",
		.eval = eval_fine_grained,
	},
	{
		.id = "LXD-ACC-015",
		.title = "Incus gives restricted certificates and OIDC "
			 "clients no full access",
		.severity = SEV_HIGH,
		.rationale = "Incus decides per client class which "
			     "authorization applies. A restricted certificate "
			     "routed to 'allow' is a full admin, and an OIDC "
			     "client with neither OpenFGA nor a scriptlet "
			     "behind it can do everything, which is root on "
			     "the host.",
		.reads = "From Incus 7.3 (authorization_client_routing): "
			 "authorization.client.{tls-restricted,oidc,default} "
			 "with the built-in routes. Before it: "
			 "authorization.scriptlet, openfga.* and oidc.issuer. "
			 "OpenFGA relations live in the OpenFGA store and are "
			 "left to a person.",
		.remediation = "Route restricted certificates to 'tls' and "
			       "OIDC clients to 'openfga' (or a scriptlet), and "
			       "grant root-level OpenFGA relations only to "
			       "administrators.",
		.eval = eval_incus_authorization,
	},
	{
		.id = "LXD-ACC-016",
		.title = "Bearer tokens are not long-lived",
		.severity = SEV_MEDIUM,
		.rationale = "A bearer token works from anywhere until it "
			     "expires, and LXD gives one issued without an "
			     "expiry 10 years.",
		.reads = "The bearer identities in /1.0/auth/identities, on "
			 "releases that have them, and their expires_at, "
			 "where the server shows it, against "
			 "thresholds.cert_lifetime_max in the policy (default 90 days).",
		.remediation = "Issue bearer tokens with an expiry no longer "
			       "than the policy maximum (the client's auth "
			       "identity token issue --expiry).",
		.eval = eval_bearer_tokens,
	},
	CHECK_END
};
