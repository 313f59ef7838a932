/* network.c - NET checks: listeners, network ACLs, metrics authentication */
#include "catalog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "lxdval.h"

/*
 * An example of a specific address for remediation text: the first
 * address the server (in a cluster: member, from its own /1.0) reports
 * that is neither a wildcard nor loopback, with the given port.
 */
static char *
example_address(const struct snapshot *s, const char *member, int port)
{
	const json_t *env = json_object_get(s->part[SNAP_SERVER],
					    "environment");
	const json_t *addrs = json_object_get(env, "addresses");
	const json_t *a;
	size_t i;

	if (member)
		addrs = json_object_get(snapshot_member(s, member),
					"addresses");
	json_array_foreach (addrs, i, a) {
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

/* The finding source of a member-local value: its member's object. */
static const char *
member_source(const char *from, const char *object)
{
	return str_eq(from, "default") ? "default" : object;
}

/* LXD-NET-001 on one server or cluster member. */
static void
https_address_on(const struct check *c, const struct check_ctx *x,
		 const char *member, const char *obj, struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *key = "core.https_address";
	const char *from = NULL;
	struct lxdval_listen l;
	struct diag d = { "" };
	struct finding *f;
	const char *v;
	char *ex, *tgt;

	v = snapshot_member_config(s, member, key, &from);
	if (str_empty(v)) {
		findings_add(out, ST_PASS, c->severity, obj,
			     "%s is not set, so the API has no network "
			     "listener.", key);
		return;
	}
	if (lxdval_listen(v, 8443, &l, &d) != 0) {
		f = findings_add(out, ST_ERROR, c->severity, obj,
				 "Cannot judge %s: %s.", key, d.msg);
		finding_key(f, key, v, member_source(from, obj));
		return;
	}
	if (l.wildcard) {
		ex = example_address(s, member, l.port);
		tgt = checks_target_arg(member);
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "%s=%s binds the API to every interface on "
				 "port %d.", key, v, l.port);
		finding_key(f, key, v, member_source(from, obj));
		finding_remediation(f, "%s config set %s=%s%s (an address of "
				       "this host that clients must reach)",
				    snapshot_client(s), shq(key), shq(ex), tgt);
		free(tgt);
		free(ex);
	} else if (l.loopback) {
		f = findings_add(out, ST_PASS, c->severity, obj,
				 "%s=%s listens on loopback only.", key, v);
		finding_key(f, key, v, member_source(from, obj));
	} else {
		f = findings_add(out, ST_PASS, c->severity, obj,
				 "%s=%s listens on the specific address %s, "
				 "port %d.", key, v, l.host, l.port);
		finding_key(f, key, v, member_source(from, obj));
	}
}

static void
eval_https_address(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	checks_per_member(c, x, out, https_address_on);
}

/* LXD-NET-002 on one server or cluster member. */
static void
other_listeners_on(const struct check *c, const struct check_ctx *x,
		   const char *member, const char *obj, struct findings *out)
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

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *key = keys[i].key;
		bool debug = str_eq(key, "core.debug_address");
		const char *from = NULL;
		struct lxdval_listen l;
		struct diag d = { "" };
		struct finding *f;
		const char *v;
		char *ex, *tgt;

		v = snapshot_member_config(s, member, key, &from);
		if (str_empty(v))
			continue;
		if (lxdval_listen(v, keys[i].port, &l, &d) != 0) {
			f = findings_add(out, ST_ERROR, c->severity, obj,
					 "Cannot judge %s: %s.", key, d.msg);
			finding_key(f, key, v, member_source(from, obj));
			continue;
		}
		tgt = checks_target_arg(member);
		if (debug && !l.loopback) {
			f = findings_add(out, ST_FAIL, SEV_CRITICAL, obj,
					 "%s=%s serves pprof over plain HTTP "
					 "without authentication on %s, port "
					 "%d.", key, v,
					 l.wildcard ? "every interface" :
						      l.host,
					 l.port);
			finding_key(f, key, v, member_source(from, obj));
			finding_remediation(f, "%s config unset %s%s",
					    snapshot_client(s), shq(key), tgt);
		} else if (l.wildcard) {
			ex = example_address(s, member, l.port);
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "%s=%s binds %s to every interface on "
					 "port %d.", key, v, keys[i].what,
					 l.port);
			finding_key(f, key, v, member_source(from, obj));
			finding_remediation(f, "%s config set %s=%s%s, or %s "
					       "config unset %s%s if it is not "
					       "needed",
					    snapshot_client(s), shq(key),
					    shq(ex), tgt, snapshot_client(s),
					    shq(key), tgt);
			free(ex);
		}
		free(tgt);
	}
}

static void
eval_other_listeners(const struct check *c, const struct check_ctx *x,
		     struct findings *out)
{
	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	checks_per_member(c, x, out, other_listeners_on);
}

static bool
acl_network(const json_t *n)
{
	const char *type = checks_jstr(n, "type");

	return json_is_true(json_object_get(n, "managed")) &&
	       (str_eq(type, "bridge") || str_eq(type, "ovn"));
}

/* ---- NICs attached to managed networks ---- */

/* One NIC device with network=NAME, of an instance or a profile. */
struct nic_ref {
	bool is_profile;
	const char *owner;	/* instance or profile name */
	const char *project;	/* the owner's project */
	const char *device;	/* the device name */
	const json_t *dev;
	bool local;		/* an instance's own device, not a profile's */
};

struct nic_list {
	struct nic_ref *v;
	size_t n, alloc;
	const char *why;	/* the instances or profiles are unreadable */
};

static void
nics_add(struct nic_list *l, bool is_profile, const json_t *owner,
	 const json_t *devices, const json_t *local)
{
	const char *dn;
	const json_t *d;

	json_object_foreach ((json_t *)(uintptr_t)devices, dn, d) {
		if (!str_eq(checks_jstr(d, "type"), "nic") ||
		    str_empty(checks_jstr(d, "network")))
			continue;
		if (l->n == l->alloc) {
			l->alloc = l->alloc ? 2 * l->alloc : 16;
			l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
		}
		l->v[l->n] = (struct nic_ref){
			.is_profile = is_profile,
			.owner = checks_jstr(owner, "name"),
			.project = checks_jstr(owner, "project"),
			.device = dn,
			.dev = d,
			.local = json_equal(d, json_object_get(local, dn)),
		};
		if (!l->v[l->n].project)
			l->v[l->n].project = "default";
		if (l->v[l->n].owner)
			l->n++;
	}
}

/*
 * Every managed-network NIC of every instance (its effective devices)
 * and profile. l->why is set when either part is unreadable.
 */
static void
nics_load(const struct snapshot *s, struct nic_list *l)
{
	const json_t *insts = snapshot_part(s, SNAP_INSTANCES, &l->why);
	const json_t *profs, *o;
	const char *why = NULL;
	size_t i;

	profs = snapshot_part(s, SNAP_PROFILES, &why);
	if (!profs && !l->why)
		l->why = why ? why : "not fetched";
	if (!insts && !l->why)
		l->why = "not fetched";
	json_array_foreach (insts, i, o) {
		const json_t *devs = json_object_get(o, "expanded_devices");

		nics_add(l, false, o,
			 devs ? devs : json_object_get(o, "devices"),
			 json_object_get(o, "devices"));
	}
	json_array_foreach (profs, i, o)
		nics_add(l, true, o, json_object_get(o, "devices"), NULL);
}

static void
nics_release(struct nic_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The object URL of a NIC's owner. Caller frees. */
static char *
nic_object(const struct nic_ref *r)
{
	return snapshot_object(r->is_profile ? "profiles" : "instances",
			       r->owner, r->project);
}

/*
 * The NICs on each network, as "PROJECT\x1fNAME" -> [indexes into l]: a
 * NIC is on the network of its name in its own project, or in default
 * when its project has no network of the name (a project without
 * features.networks uses default's networks). One pass over the NICs,
 * so that a check over networks stays linear.
 */
static json_t *
nics_by_network(const struct snapshot *s, const struct nic_list *l)
{
	json_t *by = json_object();

	for (size_t k = 0; k < l->n; k++) {
		const struct nic_ref *r = &l->v[k];
		const char *name = checks_jstr(r->dev, "network");
		const char *np = r->project;
		json_t *list;
		char *key;

		if (!name)
			continue;
		if (!snapshot_find(s, SNAP_NETWORKS, np, name))
			np = "default";
		key = xasprintf("%s\x1f%s", np, name);
		list = json_object_get(by, key);
		if (!list) {
			list = json_array();
			json_object_set_new(by, key, list);
		}
		json_array_append_new(list, json_integer((json_int_t)k));
		free(key);
	}
	return by;
}

/*
 * The API extension that lets a NIC on a network of this type carry its
 * own security.acls: network_ovn_acl for OVN NICs (LXD and Incus), and
 * network_bridge_acl_devices for bridged NICs (Incus 6.0.4 and 6.9+; no
 * LXD release has it).
 */
static const char *
nic_acl_ext(const json_t *n)
{
	return str_eq(checks_jstr(n, "type"), "ovn") ?
		       "network_ovn_acl" :
		       "network_bridge_acl_devices";
}

static void
eval_network_acls(const struct check *c, const struct check_ctx *x,
		  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *nets, *n;
	struct nic_list nics = { 0 };
	json_t *by_net;
	size_t i, seen = 0;

	nets = checks_need_part(c, x, SNAP_NETWORKS, "/1.0/networks", out);
	if (!nets)
		return;
	nics_load(s, &nics);
	by_net = nics_by_network(s, &nics);
	json_array_foreach (nets, i, n) {
		const char *name = checks_jstr(n, "name");
		const char *project = checks_jstr(n, "project");
		const json_t *cfg = json_object_get(n, "config");
		const char *ext = nic_acl_ext(n);
		bool nic_acls = snapshot_has_ext(s, ext);
		struct strbuf bare = STRBUF_INIT;
		size_t attached = 0, filtered = 0, listed = 0;
		struct finding *f;
		const json_t *on, *ki;
		size_t j;
		char *obj, *qn, *qp, *key;

		if (!name || !acl_network(n))
			continue;
		seen++;
		if (!str_empty(checks_jstr(cfg, "security.acls")))
			continue;
		if (!project)
			project = "default";
		obj = snapshot_object("networks", name, project);
		key = xasprintf("%s\x1f%s", project, name);
		on = json_object_get(by_net, key);
		free(key);
		json_array_foreach (on, j, ki) {
			const struct nic_ref *r =
				&nics.v[json_integer_value(ki)];

			attached++;
			if (nic_acls && !str_empty(checks_jstr(
						r->dev, "security.acls"))) {
				filtered++;
				continue;
			}
			if (listed++ < 5)
				strbuf_addf(&bare, "%s%s %s device %s",
					    bare.len ? ", " : "",
					    r->is_profile ? "profile" :
							    "instance",
					    r->owner, r->device);
		}
		if (!nics.why && attached && filtered == attached) {
			f = findings_add(out, ST_PASS, c->severity, obj,
					 "Managed %s network %s has no "
					 "security.acls, but each of the %zu "
					 "NICs on it sets its own.",
					 checks_jstr(n, "type"), name,
					 attached);
			finding_key(f, "security.acls", "", obj);
		} else {
			char note[160] = "";

			if (!nic_acls && str_eq(s->product, "lxd") &&
			    str_eq(ext, "network_bridge_acl_devices"))
				snprintf(note, sizeof(note),
					 " (LXD has no ACLs on bridged NICs)");
			else if (!nic_acls)
				snprintf(note, sizeof(note),
					 " (NICs cannot carry ACLs here: the "
					 "server lacks API extension %s)",
					 ext);
			else if (nics.why)
				snprintf(note, sizeof(note),
					 "; the NICs could not be read to see "
					 "whether they carry their own");
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Managed %s network %s has no "
					 "security.acls, so no ACL filters its "
					 "traffic%s%s%s%s.",
					 checks_jstr(n, "type"), name,
					 bare.len ? " on " : "",
					 bare.len ? bare.buf : "",
					 listed > 5 ? " and others" : "", note);
			finding_key(f, "security.acls", "", obj);
			qn = checks_shq(name);
			qp = checks_shq(project);
			finding_remediation(f, "%s network set %s "
					       "'security.acls=<acl>' "
					       "--project %s",
					    snapshot_client(s), qn, qp);
			free(qn);
			free(qp);
		}
		strbuf_release(&bare);
		free(obj);
	}
	if (!seen)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/networks",
			     "There is no managed bridge or OVN network.");
	json_decref(by_net);
	nics_release(&nics);
}

/*
 * A rule "lets everything through" when it allows (stateful or not), is
 * not disabled, its peer side (source for ingress, destination for
 * egress) covers every address, and it carries any protocol or TCP/UDP
 * with no destination port: such a rule opens every service. A rule
 * limited to icmp4/icmp6 can only carry ICMP, so it is not counted even
 * though it has no port (ICMP has none).
 */
static bool
opens_everything(const json_t *rule, const char *peer)
{
	const char *proto = checks_jstr(rule, "protocol");
	const char *action = checks_jstr(rule, "action");
	struct lxdval_cover cov;

	if (!(str_eq(action, "allow") || str_eq(action, "allow-stateless")) ||
	    str_eq(checks_jstr(rule, "state"), "disabled"))
		return false;
	lxdval_addr_cover(checks_jstr(rule, peer), &cov);
	if (!lxdval_cover_everything(&cov))
		return false;
	if (str_empty(proto))
		return true;
	return (str_eq(proto, "tcp") || str_eq(proto, "udp")) &&
	       str_empty(checks_jstr(rule, "destination_port"));
}

/* "any source", "every IPv4 source", ... for a rule's peer side. */
static const char *
peer_words(const json_t *rule, const char *peer)
{
	struct lxdval_cover cov;
	bool src = str_eq(peer, "source");

	lxdval_addr_cover(checks_jstr(rule, peer), &cov);
	if (cov.empty)
		return src ? "any source (no source set)" :
			     "any destination (no destination set)";
	if (cov.external)
		return src ? "every source outside the network (@external)" :
			     "every destination outside the network "
			     "(@external)";
	if (cov.all4 && cov.all6)
		return src ? "every IPv4 and IPv6 source" :
			     "every IPv4 and IPv6 destination";
	if (cov.all4)
		return src ? "every IPv4 source" : "every IPv4 destination";
	return src ? "every IPv6 source" : "every IPv6 destination";
}

static void
acl_rule_findings(const struct check *c, const struct snapshot *s,
		  const json_t *a, const char *dir, struct findings *out)
{
	const char *name = checks_jstr(a, "name");
	const char *project = checks_jstr(a, "project");
	const char *peer = str_eq(dir, "ingress") ? "source" : "destination";
	const json_t *r;
	char *obj, *qn, *qp;
	size_t j;

	if (!project)
		project = "default";
	obj = snapshot_object("network-acls", name, project);
	qn = checks_shq(name);
	qp = checks_shq(project);
	json_array_foreach (json_object_get(a, dir), j, r) {
		const char *proto = checks_jstr(r, "protocol");
		const char *desc = checks_jstr(r, "description");
		struct finding *f;

		if (!opens_everything(r, peer))
			continue;
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "ACL %s %s rule %zu%s%s%s allows %s %s %s.",
				 name, dir, j + 1,
				 str_empty(desc) ? "" : " (",
				 str_empty(desc) ? "" : desc,
				 str_empty(desc) ? "" : ")",
				 str_empty(proto) ? "every protocol and port" :
				 str_eq(proto, "tcp") ? "every TCP port" :
							"every UDP port",
				 str_eq(dir, "ingress") ? "from" : "to",
				 peer_words(r, peer));
		finding_key(f, peer, checks_jstr(r, peer), obj);
		finding_remediation(f, "%s network acl edit %s --project %s "
				       "(limit the rule's %s, protocol or "
				       "destination_port)",
				    snapshot_client(s), qn, qp, peer);
	}
	free(qn);
	free(qp);
	free(obj);
}

static const char *const default_action_keys[] = {
	"security.acls.default.ingress.action",
	"security.acls.default.egress.action",
};

/* "allow" or "allow-stateless": unmatched traffic passes. */
static bool
action_allows(const char *v)
{
	return str_eq(v, "allow") || str_eq(v, "allow-stateless");
}

static void
eval_acl_rules(const struct check *c, const struct check_ctx *x,
	       struct findings *out)
{
	const struct snapshot *s = x->snap;
	const json_t *acls, *nets, *a, *n;
	struct nic_list nics = { 0 };
	size_t i;

	acls = checks_need_part(c, x, SNAP_NETWORK_ACLS, "/1.0/network-acls",
				out);
	nets = checks_need_part(c, x, SNAP_NETWORKS, "/1.0/networks", out);
	json_array_foreach (acls, i, a) {
		if (!checks_jstr(a, "name"))
			continue;
		acl_rule_findings(c, s, a, "ingress", out);
		acl_rule_findings(c, s, a, "egress", out);
	}
	json_array_foreach (nets, i, n) {
		const char *name = checks_jstr(n, "name");
		const char *project = checks_jstr(n, "project");
		const json_t *cfg = json_object_get(n, "config");
		char *obj, *qn, *qp;

		if (!name)
			continue;
		if (!project)
			project = "default";
		obj = snapshot_object("networks", name, project);
		for (size_t k = 0; k < ARRAY_SIZE(default_action_keys); k++) {
			const char *key = default_action_keys[k];
			const char *v = checks_jstr(cfg, key);
			struct finding *f;

			if (!action_allows(v))
				continue;
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "Network %s sets %s=%s, so %s traffic "
					 "that no ACL rule matches is let %s.",
					 name, key, v, k ? "egress" : "ingress",
					 k ? "out" : "in");
			finding_key(f, key, v, obj);
			qn = checks_shq(name);
			qp = checks_shq(project);
			finding_remediation(f, "%s network set %s %s=reject "
					       "--project %s",
					    snapshot_client(s), qn, key, qp);
			free(qn);
			free(qp);
		}
		free(obj);
	}
		/*
	 * NICs with ACLs of their own carry their own default actions; an
	 * instance's NIC is judged where it is set (profile NICs once, on
	 * the profile).
	 */
	nics_load(s, &nics);
	if (nics.why && acls && nets)
		findings_add(out, ST_ERROR, c->severity, "/1.0/instances",
			     "Cannot read the instances and profiles to judge "
			     "the ACL default actions of their NICs: %s.",
			     nics.why);
	for (size_t k = 0; k < nics.n; k++) {
		const struct nic_ref *r = &nics.v[k];

		for (size_t m = 0; m < ARRAY_SIZE(default_action_keys); m++) {
			const char *key = default_action_keys[m];
			const char *v = checks_jstr(r->dev, key);
			struct finding *f;
			char *obj, *qo, *qd, *qp;

			if (!action_allows(v) || (!r->is_profile && !r->local))
				continue;
			obj = nic_object(r);
			qo = checks_shq(r->owner);
			qd = checks_shq(r->device);
			qp = checks_shq(r->project);
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "NIC %s of %s %s sets %s=%s, so %s "
					 "traffic that no ACL rule matches is "
					 "let %s.", r->device,
					 r->is_profile ? "profile" :
							 "instance",
					 r->owner, key, v,
					 m ? "egress" : "ingress",
					 m ? "out" : "in");
			finding_device(f, r->device);
			finding_key(f, key, v, obj);
			if (r->is_profile)
				finding_remediation(
					f, "%s profile device set %s %s "
					   "%s=reject --project %s",
					snapshot_client(s), qo, qd, key, qp);
			else
				finding_remediation(
					f, "%s config device set %s %s "
					   "%s=reject --project %s",
					snapshot_client(s), qo, qd, key, qp);
			free(qo);
			free(qd);
			free(qp);
			free(obj);
		}
	}
	nics_release(&nics);
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

/* ---- NET-006: outbound requests go through a filtering proxy ---- */

/*
 * Project entitlements that include can_create_images in LXD's
 * fine-grained model (5.21+), and server ones that imply it through
 * can_edit_projects.
 */
static bool
grants_image_create(const json_t *perm)
{
	const char *type = checks_jstr(perm, "entity_type");
	const char *e = checks_jstr(perm, "entitlement");

	if (str_eq(type, "project"))
		return str_eq(e, "can_create_images") ||
		       str_eq(e, "operator") || str_eq(e, "image_manager");
	if (str_eq(type, "server"))
		return str_eq(e, "can_edit_projects") ||
		       str_eq(e, "project_manager");
	return false;
}

/* True when a group has members, or does not say (then assume so). */
static bool
group_has_members(const json_t *g)
{
	const json_t *ids = json_object_get(g, "identities");
	const json_t *idp = json_object_get(g, "identity_provider_groups");
	const char *method;
	const json_t *list;

	if (!ids && !idp)
		return true;
	if (json_array_size(idp))
		return true;
	if (json_is_array(ids))
		return json_array_size(ids) > 0;
	json_object_foreach ((json_t *)(uintptr_t)ids, method, list)
		if (json_array_size(list))
			return true;
	return false;
}

/* Adds "WHAT A (B)" to who, naming at most four. */
static void
add_who(struct strbuf *who, size_t *n, const char *what, const char *a,
	const char *b)
{
	if ((*n)++ >= 4)
		return;
	if (who->len)
		strbuf_addstr(who, ", ");
	strbuf_addf(who, "%s %s (%s)", what, a, b ? b : "?");
}

/*
 * The non-admin clients that can create images, in who. Returns false
 * after an error finding when the data to decide is unreadable.
 */
static bool
image_creators(const struct check *c, const struct snapshot *s,
	       struct strbuf *who, size_t *n, struct findings *out)
{
	const json_t *certs, *groups, *e, *pn, *perm;
	const char *why = NULL;
	size_t i, j;

	certs = snapshot_part(s, SNAP_CERTIFICATES, &why);
	if (!certs) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/certificates",
			     "Cannot read the trust store to see who can "
			     "create images: %s.", why ? why : "not fetched");
		return false;
	}
	groups = snapshot_part(s, SNAP_AUTH_GROUPS, &why);
	if (!groups && !s->unsupported[SNAP_AUTH_GROUPS]) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/auth/groups",
			     "Cannot read the authorization groups to see "
			     "which grant can_create_images: %s.",
			     why ? why : "not fetched");
		return false;
	}
	/*
	 * A restricted certificate may create images in every project it
	 * can use, whatever features.images says: imagesPost asks only for
	 * access to the project (LXD 5.0.2 allowProjectPermission, 5.21.7
	 * and 6.9 the TLS driver's can_create_images on a listed project,
	 * Incus 6.0.4 driver_tls.go), and without features.images the
	 * image goes to the default project's store.
	 */
	json_array_foreach (certs, i, e) {
		if (!str_eq(checks_jstr(e, "type"), "client") ||
		    !json_is_true(json_object_get(e, "restricted")))
			continue;
		json_array_foreach (json_object_get(e, "projects"), j, pn) {
			const char *p = json_string_value(pn);

			if (p) {
				const char *name = checks_jstr(e, "name");

				add_who(who, n, "restricted certificate",
					str_empty(name) ? "(unnamed)" : name,
					p);
				break;
			}
		}
	}
	json_array_foreach (groups, i, e) {
		const char *name = checks_jstr(e, "name");

		if (!name || checks_grants_server_admin(e) ||
		    !group_has_members(e))
			continue;
		json_array_foreach (json_object_get(e, "permissions"), j,
				    perm) {
			if (grants_image_create(perm)) {
				add_who(who, n, "group", name,
					checks_jstr(perm, "entitlement"));
				break;
			}
		}
	}
	return true;
}

/* True when a comma list of hosts holds "*", which bypasses the proxy. */
static bool
ignores_every_host(const char *v)
{
	const char *p = v;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		size_t lead = strspn(p, " ");

		if (lead < n && p[lead] == '*' &&
		    strspn(p + lead + 1, " ") == n - lead - 1)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

static void
eval_outbound_proxy(const struct check *c, const struct check_ctx *x,
		    struct findings *out)
{
	static const char *const keys[] = { "core.proxy_http",
					    "core.proxy_https" };
	const struct snapshot *s = x->snap;
	static const char *const ext_authz[] = { "openfga.api.url",
						 "rbac.api.url" };
	const char *ign_key = "core.proxy_ignore_hosts";
	struct strbuf who = STRBUF_INIT;
	const char *from = NULL, *ign;
	struct finding *f;
	size_t n = 0, set = 0;

	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	if (!image_creators(c, s, &who, &n, out))
		goto done;
	if (!n) {
		/*
		 * An external authorizer (OpenFGA on LXD 5.21+ and Incus,
		 * RBAC on LXD 5.0) holds relations the API does not show.
		 */
		for (size_t i = 0; i < ARRAY_SIZE(ext_authz); i++) {
			const char *v = snapshot_config(s, ext_authz[i], &from);

			if (str_empty(v))
				continue;
			f = findings_add(out, ST_MANUAL, c->severity, "/1.0",
					 "%s=%s: the external authorizer decides "
					 "who can create images, which the API "
					 "does not show. If any non-admin user "
					 "holds can_create_images, set "
					 "core.proxy_http and core.proxy_https "
					 "to a filtering proxy.",
					 ext_authz[i], v);
			finding_key(f, ext_authz[i], v, checks_source_of(from));
			goto done;
		}
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "No non-admin client can create images: no "
			     "restricted certificate can use a project%s.",
			     s->unsupported[SNAP_AUTH_GROUPS] ?
				     "" :
				     ", and no non-admin group with members "
				     "grants can_create_images, operator or "
				     "image_manager on a project");
		goto done;
	}
	if (n > 4)
		strbuf_addf(&who, " and %zu more", n - 4);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = snapshot_config(s, keys[i], &from);
		char *arg, *qa;

		if (!str_empty(v)) {
			set++;
			continue;
		}
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s is not set while %s can create images: "
				 "the server fetches any %s URL they name "
				 "(image imports and remote image servers) "
				 "directly, so they can reach what the host "
				 "reaches.", keys[i], who.buf,
				 i ? "HTTPS" : "HTTP");
		finding_key(f, keys[i], v ? v : "", checks_source_of(from));
		arg = xasprintf("%s=http://<filtering-proxy>:3128", keys[i]);
		qa = checks_shq(arg);
		finding_remediation(f, "%s config set %s", snapshot_client(s),
				    qa);
		free(qa);
		free(arg);
	}
	ign = snapshot_config(s, ign_key, &from);
	if (ignores_every_host(ign)) {
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "%s=%s sends every request around the proxy, "
				 "while %s can create images.", ign_key, ign,
				 who.buf);
		finding_key(f, ign_key, ign, checks_source_of(from));
		finding_remediation(f, "%s config unset %s",
				    snapshot_client(s), ign_key);
	} else if (set == ARRAY_SIZE(keys)) {
		f = findings_add(out, ST_PASS, c->severity, "/1.0",
				 "Outbound HTTP and HTTPS requests go through "
				 "core.proxy_http=%s and core.proxy_https=%s "
				 "(%s can create images); that the proxy "
				 "filters is for its operator to confirm.",
				 snapshot_config(s, keys[0], NULL),
				 snapshot_config(s, keys[1], NULL), who.buf);
	}
done:
	strbuf_release(&who);
}

const struct check network_checks[] = {
	{
		.id = "LXD-NET-001",
		.title = "The API does not listen on every interface",
		.severity = SEV_HIGH,
		.rationale = "A wildcard core.https_address exposes the full "
			     "REST API on every network the host is on, "
			     "including ones no client should come from.",
		.reads = "core.https_address from GET /1.0; in a cluster, "
			 "each member's own from GET /1.0?target=MEMBER.",
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
			 "/1.0; in a cluster, each member's own from GET "
			 "/1.0?target=MEMBER.",
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
			     "routes to. ACLs on every NIC of a network count "
			     "where the release lets NICs carry them.",
		.reads = "security.acls of managed bridge and OVN networks in "
			 "every project, and of the NICs on them (instances' "
			 "effective devices and profiles): OVN NICs with API "
			 "extension network_ovn_acl, bridged NICs with "
			 "network_bridge_acl_devices.",
		.remediation = "Create network ACLs for what the instances "
			       "need and attach them with security.acls.",
		.eval = eval_network_acls,
	},
	{
		.id = "LXD-NET-004",
		.title = "No ACL or network default lets everything in",
		.severity = SEV_MEDIUM,
		.rationale = "An allow rule for every port from any source "
			     "(or to any destination), or a default action of "
			     "allow, makes the ACL an open door. Any source "
			     "means empty, @external, or addresses whose union "
			     "covers all of IPv4 or IPv6.",
		.reads = "The ingress and egress rules of every network ACL, "
			 "and security.acls.default.ingress.action and "
			 ".egress.action of every network and NIC.",
		.remediation = "Limit allow rules to the peers and ports "
			       "needed, and keep the default actions at "
			       "reject or drop.",
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
	{
		/*
		 * The guide's "Restrict outbound requests" (June 2026): a
		 * network control, so the next NET id rather than a new
		 * section.
		 */
		.id = "LXD-NET-006",
		.title = "Outbound requests go through a filtering proxy",
		.severity = SEV_MEDIUM,
		.rationale = "A client that can create images makes the server "
			     "fetch URLs it chooses. Where non-admin clients "
			     "can, core.proxy_http and core.proxy_https should "
			     "name a proxy that filters what the server may "
			     "reach, or they can probe and fetch from the "
			     "host's networks.",
		.reads = "core.proxy_http, core.proxy_https and "
			 "core.proxy_ignore_hosts from GET /1.0; who can "
			 "create images: restricted client certificates with "
			 "any project (features.images only decides where "
			 "the image is stored), and "
			 "non-admin groups granting can_create_images, "
			 "operator or image_manager on a project or "
			 "can_edit_projects/project_manager on the server "
			 "(where the release has authorization groups).",
		.remediation = "Run a filtering proxy and set both "
			       "core.proxy_http and core.proxy_https to it; "
			       "keep core.proxy_ignore_hosts to hosts that "
			       "need no filter.",
		.eval = eval_outbound_proxy,
	},
	CHECK_END
};
