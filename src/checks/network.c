/* network.c - NET checks: listeners, network ACLs, metrics authentication */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "lxdval.h"

/*
 * An example of a specific address for remediation text: the first
 * address the server reports that is neither a wildcard nor loopback,
 * with the given port.
 */
static char *
example_address(const struct snapshot *s, int port)
{
	const json_t *env = json_object_get(s->part[SNAP_SERVER],
					    "environment");
	const json_t *a;
	size_t i;

	json_array_foreach (json_object_get(env, "addresses"), i, a) {
		struct lxdval_listen l;

		if (lxdval_listen(json_string_value(a), port, &l, NULL) != 0 ||
		    l.wildcard || l.loopback || !l.host[0])
			continue;
		if (strchr(l.host, ':'))
			return xasprintf("[%s]:%d", l.host, port);
		return xasprintf("%s:%d", l.host, port);
	}
	return xasprintf("<address>:%d", port);
}

static void
eval_https_address(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "core.https_address";
	const char *from = NULL;
	struct lxdval_listen l;
	struct diag d = { "" };
	struct finding *f;
	const char *v;
	char *ex;

	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	v = snapshot_config(s, key, &from);
	if (str_empty(v)) {
		findings_add(out, ST_PASS, c->severity, "/1.0",
			     "%s is not set, so the API has no network "
			     "listener.", key);
		return;
	}
	if (lxdval_listen(v, 8443, &l, &d) != 0) {
		f = findings_add(out, ST_ERROR, c->severity, "/1.0",
				 "Cannot judge %s: %s.", key, d.msg);
		finding_key(f, key, v, checks_source_of(from));
		return;
	}
	if (l.wildcard) {
		ex = example_address(s, l.port);
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s=%s binds the API to every interface on "
				 "port %d.", key, v, l.port);
		finding_key(f, key, v, checks_source_of(from));
		finding_remediation(f, "%s config set %s=%s (an address of "
				       "this host that clients must reach)",
				    snapshot_client(s), shq(key), shq(ex));
		free(ex);
	} else if (l.loopback) {
		f = findings_add(out, ST_PASS, c->severity, "/1.0",
				 "%s=%s listens on loopback only.", key, v);
		finding_key(f, key, v, checks_source_of(from));
	} else {
		f = findings_add(out, ST_PASS, c->severity, "/1.0",
				 "%s=%s listens on the specific address %s, "
				 "port %d.", key, v, l.host, l.port);
		finding_key(f, key, v, checks_source_of(from));
	}
}

static void
eval_other_listeners(const struct check *c, const struct check_ctx *x,
		     struct findings *out)
{
	static const struct {
		const char *key;
		int port;
		const char *what;
	} keys[] = {
		{ "cluster.https_address", 8443, "the cluster API" },
		{ "core.metrics_address", 9100, "the metrics API" },
		{ "core.storage_buckets_address", 9000, "the S3 bucket API" },
		{ "core.bgp_address", 179, "the BGP server" },
		{ "core.dns_address", 53, "the DNS server" },
		{ "core.debug_address", 8080, "pprof" },
	};
	const struct snapshot *s = x->snap;

	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *key = keys[i].key;
		bool debug = str_eq(key, "core.debug_address");
		const char *from = NULL;
		struct lxdval_listen l;
		struct diag d = { "" };
		struct finding *f;
		const char *v;
		char *ex;

		v = snapshot_config(s, key, &from);
		if (str_empty(v))
			continue;
		if (lxdval_listen(v, keys[i].port, &l, &d) != 0) {
			f = findings_add(out, ST_ERROR, c->severity, "/1.0",
					 "Cannot judge %s: %s.", key, d.msg);
			finding_key(f, key, v, checks_source_of(from));
			continue;
		}
		if (debug && !l.loopback) {
			f = findings_add(out, ST_FAIL, SEV_CRITICAL, "/1.0",
					 "%s=%s serves pprof over plain HTTP "
					 "without authentication on %s, port "
					 "%d.", key, v,
					 l.wildcard ? "every interface" :
						      l.host,
					 l.port);
			finding_key(f, key, v, checks_source_of(from));
			finding_remediation(f, "%s config unset %s",
					    snapshot_client(s), shq(key));
		} else if (l.wildcard) {
			ex = example_address(s, l.port);
			f = findings_add(out, ST_FAIL, c->severity, "/1.0",
					 "%s=%s binds %s to every interface on "
					 "port %d.", key, v, keys[i].what,
					 l.port);
			finding_key(f, key, v, checks_source_of(from));
			finding_remediation(f, "%s config set %s=%s, or %s "
					       "config unset %s if it is not "
					       "needed",
					    snapshot_client(s), shq(key),
					    shq(ex), snapshot_client(s),
					    shq(key));
			free(ex);
		}
	}
}

static bool
acl_network(const json_t *n)
{
	const char *type = checks_jstr(n, "type");

	return json_is_true(json_object_get(n, "managed")) &&
	       (str_eq(type, "bridge") || str_eq(type, "ovn"));
}

static void
eval_network_acls(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *nets, *n;
	size_t i, seen = 0;

	nets = checks_need_part(c, x, SNAP_NETWORKS, "/1.0/networks", out);
	if (!nets)
		return;
	json_array_foreach (nets, i, n) {
		const char *name = checks_jstr(n, "name");
		const char *project = checks_jstr(n, "project");
		const json_t *cfg = json_object_get(n, "config");
		struct finding *f;
		char *obj;

		if (!name || !acl_network(n))
			continue;
		seen++;
		if (!str_empty(checks_jstr(cfg, "security.acls")))
			continue;
		if (!project)
			project = "default";
		obj = snapshot_object("networks", name, project);
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Managed %s network %s has no security.acls, "
				 "so no ACL filters its traffic.",
				 checks_jstr(n, "type"), name);
		finding_key(f, "security.acls", "", obj);
		finding_remediation(f, "%s network set %s security.acls=ACL "
				       "--project %s",
				    snapshot_client(s), shq(name), shq(project));
		free(obj);
	}
	if (!seen)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/networks",
			     "There is no managed bridge or OVN network.");
}

/* True when any element of a comma list is empty or a catch-all. */
static bool
any_source(const char *src)
{
	const char *p = src;

	if (str_empty(src))
		return true;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *a = p, *b = p + n;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if ((b - a == 9 && strncmp(a, "0.0.0.0/0", 9) == 0) ||
		    (b - a == 4 && strncmp(a, "::/0", 4) == 0))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/*
 * "Lets everything in" means any protocol, or TCP/UDP with no
 * destination port: such a rule opens every service. A rule limited to
 * icmp4/icmp6 can only carry ICMP, so it is not counted even though it
 * has no port (ICMP has none).
 */
static bool
opens_everything(const json_t *rule)
{
	const char *proto = checks_jstr(rule, "protocol");

	if (!str_eq(checks_jstr(rule, "action"), "allow") ||
	    str_eq(checks_jstr(rule, "state"), "disabled") ||
	    !any_source(checks_jstr(rule, "source")))
		return false;
	if (str_empty(proto))
		return true;
	return (str_eq(proto, "tcp") || str_eq(proto, "udp")) &&
	       str_empty(checks_jstr(rule, "destination_port"));
}

static void
eval_acl_rules(const struct check *c, const struct check_ctx *x,
	       struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *acls, *nets, *a, *r, *n;
	size_t i, j;

	acls = checks_need_part(c, x, SNAP_NETWORK_ACLS, "/1.0/network-acls",
				out);
	nets = checks_need_part(c, x, SNAP_NETWORKS, "/1.0/networks", out);
	json_array_foreach (acls, i, a) {
		const char *name = checks_jstr(a, "name");
		const char *project = checks_jstr(a, "project");
		char *obj;

		if (!name)
			continue;
		if (!project)
			project = "default";
		obj = snapshot_object("network-acls", name, project);
		json_array_foreach (json_object_get(a, "ingress"), j, r) {
			const char *proto = checks_jstr(r, "protocol");
			const char *desc = checks_jstr(r, "description");
			struct finding *f;

			if (!opens_everything(r))
				continue;
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "ACL %s ingress rule %zu%s%s%s allows "
					 "%s from any source.", name, j + 1,
					 str_empty(desc) ? "" : " (",
					 str_empty(desc) ? "" : desc,
					 str_empty(desc) ? "" : ")",
					 str_empty(proto) ?
						 "every protocol and port" :
						 str_eq(proto, "tcp") ?
						 "every TCP port" :
						 "every UDP port");
			finding_remediation(f, "%s network acl edit %s "
					       "--project %s (limit the "
					       "rule's source, protocol or "
					       "destination_port)",
					    snapshot_client(s), shq(name),
					    shq(project));
		}
		free(obj);
	}
	json_array_foreach (nets, i, n) {
		const char *key = "security.acls.default.ingress.action";
		const char *name = checks_jstr(n, "name");
		const char *project = checks_jstr(n, "project");
		const char *v = checks_jstr(json_object_get(n, "config"), key);
		struct finding *f;
		char *obj;

		if (!name || !str_eq(v, "allow"))
			continue;
		if (!project)
			project = "default";
		obj = snapshot_object("networks", name, project);
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Network %s sets %s=allow, so ingress traffic "
				 "that no ACL rule matches is let in.", name,
				 key);
		finding_key(f, key, v, obj);
		finding_remediation(f, "%s network set %s %s=reject "
				       "--project %s",
				    snapshot_client(s), shq(name), shq(key),
				    shq(project));
		free(obj);
	}
}

static void
eval_metrics_auth(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "core.metrics_authentication";
	const char *from = NULL;
	struct finding *f;
	const char *v;

	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	if (!snapshot_has_ext(s, "metrics_authentication")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "The server lacks API extension "
			     "metrics_authentication, so %s does not exist.",
			     key);
		return;
	}
	v = snapshot_config(s, key, &from);
	if (!lxdval_is_false(v))
		return;
	f = findings_add(out, ST_FAIL, c->severity, "/1.0",
			 "%s=%s lets anyone who reaches a listener read "
			 "/1.0/metrics without a certificate.", key, v);
	finding_key(f, key, v, checks_source_of(from));
	finding_remediation(f, "%s config set %s=true", snapshot_client(s),
			    shq(key));
}

const struct check network_checks[] = {
	{
		.id = "LXD-NET-001",
		.title = "The API does not listen on every interface",
		.severity = SEV_HIGH,
		.rationale = "A wildcard core.https_address exposes the full "
			     "REST API on every network the host is on, "
			     "including ones no client should come from.",
		.reads = "core.https_address from GET /1.0.",
		.remediation = "Set core.https_address to one specific address "
			       "and port, or to loopback when only local "
			       "access is needed.",
		.eval = eval_https_address,
	},
	{
		.id = "LXD-NET-002",
		.title = "Other listeners do not bind every interface",
		.severity = SEV_HIGH,
		.rationale = "The cluster, metrics, bucket, BGP and DNS "
			     "listeners should face only the networks that "
			     "need them, and the debug listener serves pprof "
			     "without any authentication.",
		.reads = "cluster.https_address, core.metrics_address, "
			 "core.storage_buckets_address, core.bgp_address, "
			 "core.dns_address and core.debug_address from GET "
			 "/1.0.",
		.remediation = "Bind each listener to a specific address, or "
			       "unset it; never leave core.debug_address set "
			       "on anything but loopback.",
		.eval = eval_other_listeners,
	},
	{
		.id = "LXD-NET-003",
		.title = "Every managed bridge and OVN network has ACLs",
		.severity = SEV_MEDIUM,
		.rationale = "Without network ACLs, instances on the network "
			     "can reach and be reached by anything the host "
			     "routes to.",
		.reads = "security.acls of managed bridge and OVN networks in "
			 "every project.",
		.remediation = "Create network ACLs for what the instances "
			       "need and attach them with security.acls.",
		.eval = eval_network_acls,
	},
	{
		.id = "LXD-NET-004",
		.title = "No ACL or network default lets everything in",
		.severity = SEV_MEDIUM,
		.rationale = "An ingress rule that allows every port from any "
			     "source, or a default ingress action of allow, "
			     "makes the ACL an open door.",
		.reads = "The ingress rules of every network ACL and "
			 "security.acls.default.ingress.action of every "
			 "network.",
		.remediation = "Limit allow rules to the sources and ports "
			       "needed, and keep the default ingress action "
			       "at reject or drop.",
		.eval = eval_acl_rules,
	},
	{
		.id = "LXD-NET-005",
		.title = "The metrics endpoint requires authentication",
		.severity = SEV_MEDIUM,
		.rationale = "Unauthenticated metrics reveal instance names, "
			     "resource use and activity to anyone who can "
			     "reach a listener.",
		.reads = "core.metrics_authentication from GET /1.0 (default "
			 "true).",
		.remediation = "Set core.metrics_authentication to true and "
			       "give scrapers a metrics certificate.",
		.eval = eval_metrics_auth,
	},
	CHECK_END
};
