/* devices.c - DEV checks: passthrough, host paths, NIC spoofing, proxies */
#include "catalog.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "checks/instances.h"
#include "lxdval.h"

/*
 * The part of a device finding every check shares: object, device, key,
 * value, and the instance or profile that brought the device.
 */
static struct finding *
device_finding(struct findings *out, enum status st, enum severity sev,
	       const struct instances_subject *sub, const char *dev,
	       const struct instances_origin *o, const char *key,
	       const char *value, const char *fmt, ...) LXDH_PRINTF(9, 10);

static struct finding *
device_finding(struct findings *out, enum status st, enum severity sev,
	       const struct instances_subject *sub, const char *dev,
	       const struct instances_origin *o, const char *key,
	       const char *value, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	f = findings_add(out, st, sev, sub->origins[0].object, "%s", msg);
	free(msg);
	finding_device(f, dev);
	finding_key(f, key, value, o ? o->object : NULL);
	return f;
}

/* "Device gpu0 of container c1 (from profile p)" */
static void
device_label(const struct instances_subject *sub,
	     const struct instances_origin *o, const char *dev, char *buf,
	     size_t len)
{
	char from[256];

	instances_from_text(sub, o, from, sizeof(from));
	if (sub->is_profile)
		snprintf(buf, len, "Device %s of profile %s", dev, sub->name);
	else
		snprintf(buf, len, "Device %s of %s %s%s", dev,
			 sub->is_vm ? "virtual machine" : "container",
			 sub->name, from);
}

/*
 * Instances to judge: unreachable ones become an error finding here.
 * Returns whether sub is to be judged.
 */
static bool
judge_subject(const struct check *c, const struct instances_subject *sub,
	      size_t *judged, struct findings *out)
{
	if (sub->is_profile)
		return true;
	if (sub->unreachable) {
		instances_unreachable(c, sub, out);
		return false;
	}
	(*judged)++;
	return true;
}

/* ---- DEV-001: passthrough ---- */

#define D_CT 1u
#define D_VM 2u

static const struct {
	const char *type;
	unsigned scope;
	const char *why;
} passthrough[] = {
	{ "gpu", D_CT | D_VM, "it hands a host GPU to the instance" },
	{ "infiniband", D_CT | D_VM,
	  "it hands a host InfiniBand device to the instance" },
	{ "pci", D_VM, "it hands a raw host PCI device to the virtual "
		       "machine" },
	{ "unix-block", D_CT,
	  "it gives the container read and write access to a host block "
	  "device node" },
	{ "unix-char", D_CT,
	  "it gives the container read and write access to a host character "
	  "device node" },
	{ "unix-hotplug", D_CT,
	  "it gives the container host device nodes as they appear" },
	{ "usb", D_CT | D_VM, "it hands a host USB device to the instance" },
};

static void
eval_passthrough(const struct check *c, const struct check_ctx *x,
		 struct findings *out)
{
	struct instances_set set;
	size_t judged = 0, before;

	if (instances_load(c, x, &set, out) != 0)
		return;
	before = out->n;
	for (size_t i = 0; i < set.n; i++) {
		const struct instances_subject *sub = &set.v[i];
		const char *dev;
		const json_t *d;

		if (!judge_subject(c, sub, &judged, out))
			continue;
		json_object_foreach ((json_t *)(uintptr_t)sub->devices, dev,
				     d) {
			const char *type = checks_jstr(d, "type");
			const struct instances_origin *o;
			char label[512];
			struct finding *f;

			for (size_t k = 0; k < ARRAY_SIZE(passthrough); k++) {
				unsigned want = sub->is_vm ? D_VM : D_CT;

				if (!str_eq(type, passthrough[k].type))
					continue;
				if (!sub->is_profile &&
				    !(passthrough[k].scope & want))
					continue;
				o = instances_device_origin(sub, dev);
				device_label(sub, o, dev, label,
					     sizeof(label));
				f = device_finding(out, ST_FAIL, c->severity,
						   sub, dev, o, "type", type,
						   "%s is a %s passthrough "
						   "device: %s.", label, type,
						   passthrough[k].why);
				instances_remedy(f, x->snap,
						 o ? o : &sub->origins[0],
						 "remove", dev, NULL);
			}
		}
	}
	if (!judged && out->n == before)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances",
			     "There are no instances, and no profile has a "
			     "passthrough device.");
	instances_release(&set);
}

/* ---- DEV-002: host paths ---- */

static const char *const sensitive_paths[] = {
	"/", "/etc", "/root", "/boot", "/dev", "/proc", "/sys", "/run",
	"/var/run",
	/* the LXD directory of the snap, of packages, of Incus */
	"/var/snap/lxd/common/lxd", "/var/lib/lxd", "/var/lib/incus",
};

/*
 * The LXD directory of this server as its storage pools reveal it: a
 * pool created without a source lives in LXD_DIR/storage-pools/NAME, a
 * loop-backed one in LXD_DIR/disks/NAME.img. Caller frees.
 */
static char *
lxd_dir_of_pool(const json_t *pool)
{
	const char *name = checks_jstr(pool, "name");
	const char *src = checks_jstr(json_object_get(pool, "config"),
				      "source");
	char *tail, *dir = NULL;

	if (!name || !src || src[0] != '/')
		return NULL;
	tail = xasprintf("/storage-pools/%s", name);
	if (str_ends_with(src, tail))
		dir = xstrndup(src, strlen(src) - strlen(tail));
	free(tail);
	if (dir)
		return dir;
	tail = xasprintf("/disks/%s.img", name);
	if (str_ends_with(src, tail))
		dir = xstrndup(src, strlen(src) - strlen(tail));
	free(tail);
	return dir;
}

/* Why a host path is sensitive, or NULL. */
static const char *
sensitive(const char *path, const json_t *pools, char *buf, size_t len)
{
	const json_t *p;
	size_t i;

	for (size_t k = 0; k < ARRAY_SIZE(sensitive_paths); k++) {
		const char *sp = sensitive_paths[k];

		/* "/" is sensitive itself, not all that lies below it */
		if (str_eq(sp, "/") ? !str_eq(path, "/") :
				      !checks_path_within(path, sp))
			continue;
		if (str_eq(path, sp))
			snprintf(buf, len, "%s is a sensitive host path", path);
		else
			snprintf(buf, len, "%s lies under %s", path, sp);
		return buf;
	}
	json_array_foreach (pools, i, p) {
		char *dir = lxd_dir_of_pool(p);
		char *clean = dir ? checks_clean_path(dir) : NULL;
		bool hit = clean && !str_eq(clean, "/") &&
			   checks_path_within(path, clean);

		if (hit)
			snprintf(buf, len, "%s lies in the LXD directory %s",
				 path, clean);
		free(dir);
		free(clean);
		if (hit)
			return buf;
	}
	/* a unix socket gives control of whatever listens on it */
	if (str_ends_with(path, ".sock") || str_ends_with(path, ".socket")) {
		snprintf(buf, len, "%s is a unix socket", path);
		return buf;
	}
	return NULL;
}

static bool
is_host_path_disk(const json_t *d)
{
	const char *src = checks_jstr(d, "source");

	return str_eq(checks_jstr(d, "type"), "disk") &&
	       str_empty(checks_jstr(d, "pool")) && src && src[0] == '/';
}

static void
eval_host_paths(const struct check *c, const struct check_ctx *x,
		struct findings *out)
{
	const char *pwhy;
	const json_t *pools = snapshot_part(x->snap, SNAP_STORAGE_POOLS, &pwhy);
	struct instances_set set;
	size_t judged = 0, before;

	if (instances_load(c, x, &set, out) != 0)
		return;
	before = out->n;
	for (size_t i = 0; i < set.n; i++) {
		const struct instances_subject *sub = &set.v[i];
		const char *dev;
		const json_t *d;

		if (!judge_subject(c, sub, &judged, out))
			continue;
		json_object_foreach ((json_t *)(uintptr_t)sub->devices, dev,
				     d) {
			const char *src = checks_jstr(d, "source");
			const char *ro = checks_jstr(d, "readonly");
			const struct instances_origin *o;
			char label[512], why[512];
			struct finding *f;
			char *path;

			if (!is_host_path_disk(d))
				continue;
			o = instances_device_origin(sub, dev);
			device_label(sub, o, dev, label, sizeof(label));
			path = checks_clean_path(src);
			if (sensitive(path, pools, why, sizeof(why))) {
				f = device_finding(
					out, ST_FAIL, SEV_HIGH, sub, dev, o,
					"source", src,
					"%s shares host path %s%s: %s, and "
					"the instance can read%s what the host "
					"keeps there.", label, src,
					lxdval_is_true(ro) ? " read-only" :
							     " writable",
					why,
					lxdval_is_true(ro) ? "" :
							     " and change");
				instances_remedy(f, x->snap,
						 o ? o : &sub->origins[0],
						 "remove", dev, NULL);
			} else if (!lxdval_is_true(ro)) {
				f = device_finding(
					out, ST_FAIL, c->severity, sub, dev, o,
					"readonly", ro,
					"%s shares host path %s writable, so "
					"the instance can change host files.",
					label, src);
				instances_remedy(f, x->snap,
						 o ? o : &sub->origins[0],
						 "set", dev, "readonly=true");
			} else if (!pools) {
				/* the LXD directory is known from the pools */
				device_finding(
					out, ST_ERROR, c->severity, sub, dev, o,
					"source", src,
					"%s shares host path %s read-only, but "
					"the storage pools could not be read "
					"(%s), so whether it lies in the LXD "
					"directory is unknown.", label, src,
					pwhy ? pwhy : "not fetched");
			}
			free(path);
		}
	}
	if (!judged && out->n == before)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances",
			     "There are no instances, and no profile has a "
			     "host path disk.");
	instances_release(&set);
}

/* ---- DEV-003: NICs on a bridge ---- */

/* The project whose networks an instance of project uses. */
static const char *
network_project(const struct snapshot *s, const char *project)
{
	const json_t *cfg, *n;
	size_t i;

	if (str_eq(project, "default"))
		return "default";
	cfg = instances_project_config(s, project);
	if (cfg)
		return lxdval_is_true(checks_jstr(cfg, "features.networks")) ?
			       project :
			       "default";
	json_array_foreach (s->part[SNAP_NETWORKS], i, n)
		if (str_eq(checks_jstr(n, "project"), project))
			return project;
	return "default";
}

static const json_t *
find_network(const json_t *nets, const char *name, const char *project)
{
	const json_t *n;
	size_t i;

	json_array_foreach (nets, i, n) {
		const char *p = checks_jstr(n, "project");

		if (str_eq(checks_jstr(n, "name"), name) &&
		    str_eq(p ? p : "default", project))
			return n;
	}
	return NULL;
}

/*
 * Whether a managed bridge carries an address family ("ipv4"/"ipv6").
 * Unknown (no config visible, or not a managed network) counts as yes:
 * then filtering of that family is required.
 */
static bool
bridge_has(const json_t *net, const char *family)
{
	const json_t *cfg = json_object_get(net, "config");
	char key[32];
	const char *v;

	if (!net || !json_is_true(json_object_get(net, "managed")) ||
	    !json_is_object(cfg) || !json_object_size(cfg))
		return true;
	snprintf(key, sizeof(key), "%s.address", family);
	v = checks_jstr(cfg, key);
	return !str_empty(v) && !str_eq(v, "none");
}

static void
judge_nic(const struct check *c, const struct check_ctx *x,
	  const struct instances_subject *sub, const char *dev,
	  const json_t *d, const char *bridge, const json_t *net,
	  struct findings *out)
{
	bool mac = lxdval_is_true(checks_jstr(d, "security.mac_filtering"));
	bool v4 = lxdval_is_true(checks_jstr(d, "security.ipv4_filtering"));
	bool v6 = lxdval_is_true(checks_jstr(d, "security.ipv6_filtering"));
	bool need4 = bridge_has(net, "ipv4"), need6 = bridge_has(net, "ipv6");
	const struct instances_origin *o = instances_device_origin(sub, dev);
	struct strbuf missing = STRBUF_INIT, args = STRBUF_INIT;
	const char *first = NULL;
	char label[512];
	struct finding *f;

	/* IP filtering implies MAC filtering (lxd/device/nic_bridged.go) */
	mac = mac || v4 || v6;
	if (need4 && !v4)
		first = "security.ipv4_filtering";
	if (need6 && !v6 && !first)
		first = "security.ipv6_filtering";
	if (!need4 && !need6 && !mac)
		first = "security.mac_filtering";
	if (!first)
		return;
	if (need4 && !v4) {
		strbuf_addstr(&missing, "security.ipv4_filtering");
		strbuf_addstr(&args, "security.ipv4_filtering=true");
	}
	if (need6 && !v6) {
		if (missing.len) {
			strbuf_addstr(&missing, " and ");
			strbuf_addch(&args, ' ');
		}
		strbuf_addstr(&missing, "security.ipv6_filtering");
		strbuf_addstr(&args, "security.ipv6_filtering=true");
	}
	if (!missing.len) {
		strbuf_addstr(&missing, "security.mac_filtering");
		strbuf_addstr(&args, "security.mac_filtering=true");
	}
	device_label(sub, o, dev, label, sizeof(label));
	if (mac)
		f = device_finding(out, ST_FAIL, SEV_LOW, sub, dev, o, first,
				   checks_jstr(d, first),
				   "%s is a NIC on bridge %s with MAC "
				   "filtering but without %s, so the instance "
				   "can still spoof IP addresses.", label,
				   bridge, missing.buf);
	else
		f = device_finding(out, ST_FAIL, c->severity, sub, dev, o,
				   first, checks_jstr(d, first),
				   "%s is a NIC on bridge %s without MAC or IP "
				   "filtering (it needs %s), so the instance "
				   "can spoof MAC and IP addresses.", label,
				   bridge,
				   missing.buf);
	instances_remedy(f, x->snap, o ? o : &sub->origins[0], "set", dev,
			 args.buf);
	strbuf_release(&missing);
	strbuf_release(&args);
}

static void
eval_nic_filtering(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *nwhy;
	const json_t *nets = snapshot_part(s, SNAP_NETWORKS, &nwhy);
	struct instances_set set;
	size_t judged = 0, bridged = 0, before;

	if (instances_load(c, x, &set, out) != 0)
		return;
	before = out->n;
	for (size_t i = 0; i < set.n; i++) {
		const struct instances_subject *sub = &set.v[i];
		const char *dev;
		const json_t *d;

		if (!judge_subject(c, sub, &judged, out))
			continue;
		json_object_foreach ((json_t *)(uintptr_t)sub->devices, dev,
				     d) {
			const char *nictype = checks_jstr(d, "nictype");
			const char *network = checks_jstr(d, "network");
			const char *parent = checks_jstr(d, "parent");
			const struct instances_origin *o;
			const json_t *net = NULL;
			const char *np;
			char label[512];

			if (!str_eq(checks_jstr(d, "type"), "nic"))
				continue;
			if (!str_empty(network)) {
				np = network_project(s, sub->project);
				if (!nets) {
					o = instances_device_origin(sub, dev);
					device_label(sub, o, dev, label,
						     sizeof(label));
					device_finding(
						out, ST_ERROR, c->severity, sub,
						dev, o, "network", network,
						"%s uses network %s, but the "
						"networks could not be read "
						"(%s), so whether it sits on a "
						"bridge is unknown.", label,
						network,
						nwhy ? nwhy : "not fetched");
					continue;
				}
				net = find_network(nets, network, np);
				if (!net) {
					o = instances_device_origin(sub, dev);
					device_label(sub, o, dev, label,
						     sizeof(label));
					device_finding(
						out, ST_ERROR, c->severity, sub,
						dev, o, "network", network,
						"%s uses network %s, which is "
						"not among the networks of "
						"project %s.", label, network,
						np);
					continue;
				}
				if (!str_eq(checks_jstr(net, "type"), "bridge"))
					continue;
				bridged++;
				judge_nic(c, x, sub, dev, d, network, net, out);
			} else if (str_eq(nictype, "bridged") &&
				   !str_empty(parent)) {
				/* parent may be a managed bridge: learn its
				   address families */
				net = find_network(nets, parent, "default");
				bridged++;
				judge_nic(c, x, sub, dev, d, parent, net, out);
			}
		}
	}
	if (!bridged && out->n == before)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances",
			     "No NIC of an instance or profile sits on a "
			     "bridge.");
	instances_release(&set);
}

/* ---- DEV-004: proxies ---- */

/*
 * Splits a proxy address "tcp:0.0.0.0:80", "tcp:[::]:80-90" into its
 * protocol, host and ports. false for unix and vsock addresses and for
 * anything it cannot read.
 */
static bool
split_listen(const char *v, char *proto, size_t plen, char *host,
	     size_t hlen, const char **ports)
{
	const char *colon = strchr(v, ':');
	const char *rest, *last;
	size_t n;

	if (!colon)
		return false;
	n = (size_t)(colon - v);
	if (n >= plen)
		return false;
	memcpy(proto, v, n);
	proto[n] = '\0';
	if (!str_eq(proto, "tcp") && !str_eq(proto, "udp"))
		return false;
	rest = colon + 1;
	if (rest[0] == '[') {
		const char *end = strchr(rest, ']');

		if (!end || end[1] != ':')
			return false;
		n = (size_t)(end - rest - 1);
		if (n >= hlen)
			return false;
		memcpy(host, rest + 1, n);
		host[n] = '\0';
		*ports = end + 2;
		return true;
	}
	last = strrchr(rest, ':');
	if (!last)
		return false;
	n = (size_t)(last - rest);
	if (n >= hlen)
		return false;
	memcpy(host, rest, n);
	host[n] = '\0';
	*ports = last + 1;
	return true;
}

static bool
wildcard_host(const char *h)
{
	return !*h || str_eq(h, "0.0.0.0") || str_eq(h, "::") ||
	       str_eq(h, "*");
}

static void
eval_proxies(const struct check *c, const struct check_ctx *x,
	     struct findings *out)
{
	struct instances_set set;
	size_t judged = 0, proxies = 0, before;

	if (instances_load(c, x, &set, out) != 0)
		return;
	before = out->n;
	for (size_t i = 0; i < set.n; i++) {
		const struct instances_subject *sub = &set.v[i];
		const char *dev;
		const json_t *d;

		if (!judge_subject(c, sub, &judged, out))
			continue;
		json_object_foreach ((json_t *)(uintptr_t)sub->devices, dev,
				     d) {
			const char *bind = checks_jstr(d, "bind");
			const char *listen = checks_jstr(d, "listen");
			const char *connect = checks_jstr(d, "connect");
			const struct instances_origin *o;
			char label[512], proto[8], host[256], *fix;
			const char *ports;
			struct finding *f;

			if (!str_eq(checks_jstr(d, "type"), "proxy"))
				continue;
			proxies++;
			o = instances_device_origin(sub, dev);
			device_label(sub, o, dev, label, sizeof(label));
			/* "guest" and "container" are the old names */
			if (str_eq(bind, "instance") || str_eq(bind, "guest") ||
			    str_eq(bind, "container")) {
				f = device_finding(
					out, ST_FAIL, c->severity, sub, dev, o,
					"bind", bind,
					"%s is a proxy with bind=%s: it "
					"listens inside the instance and "
					"connects from the host's namespace to "
					"%s, so the instance reaches what only "
					"the host should.", label, bind,
					connect ? connect : "(unset)");
				instances_remedy(f, x->snap,
						 o ? o : &sub->origins[0],
						 "remove", dev, NULL);
				continue;
			}
			if (!listen || !split_listen(listen, proto,
						     sizeof(proto), host,
						     sizeof(host), &ports) ||
			    !wildcard_host(host))
				continue;
			f = device_finding(out, ST_FAIL, c->severity, sub, dev,
					   o, "listen", listen,
					   "%s is a proxy listening on every "
					   "host interface (%s).", label,
					   listen);
			fix = xasprintf("listen=%s:%s:%s", proto,
					strchr(host, ':') ? "[::1]" :
							    "127.0.0.1",
					ports);
			instances_remedy(f, x->snap, o ? o : &sub->origins[0],
					 "set", dev, fix);
			free(fix);
		}
	}
	if (!proxies && out->n == before)
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "/1.0/instances",
			     "No instance or profile has a proxy device.");
	instances_release(&set);
}

const struct check device_checks[] = {
	{
		.id = "LXD-DEV-001",
		.title = "No instance has passthrough devices",
		.severity = SEV_MEDIUM,
		.rationale = "PCI, USB, GPU, InfiniBand and unix device "
			     "passthrough give the instance direct access to "
			     "host hardware and its drivers, outside the "
			     "isolation LXD provides.",
		.reads = "The devices of type pci, usb, gpu, unix-char, "
			 "unix-block, unix-hotplug and infiniband in the "
			 "expanded devices of every instance (by the types its "
			 "kind supports) and in every profile.",
		.remediation = "Remove passthrough devices the workload does "
			       "not need, from the instance or the profile "
			       "that adds them.",
		.eval = eval_passthrough,
	},
	{
		.id = "LXD-DEV-002",
		.title = "Host path disks are read-only and avoid sensitive "
			 "paths",
		.severity = SEV_MEDIUM,
		.rationale = "A writable host path lets the instance change "
			     "host files; a sensitive path (/, /etc, /dev, the "
			     "LXD directory, a unix socket) gives it host "
			     "secrets or control even when read-only.",
		.reads = "Disk devices with no pool and an absolute source in "
			 "the expanded devices of every instance and in every "
			 "profile; the storage pools, to find the LXD "
			 "directory.",
		.remediation = "Set readonly=true on host path disks, and "
			       "remove those that share a sensitive path.",
		.eval = eval_host_paths,
	},
	{
		.id = "LXD-DEV-003",
		.title = "NICs on a bridge cannot spoof MAC or IP addresses",
		.severity = SEV_MEDIUM,
		.rationale = "On a bridge an instance can send frames with any "
			     "MAC and IP address, and IPv6 router "
			     "advertisements, unless its NIC filters them.",
		.reads = "NIC devices with nictype=bridged, or network= a "
			 "managed bridge, in every instance and profile; the "
			 "bridge's ipv4.address and ipv6.address.",
		.remediation = "Set security.ipv4_filtering=true and "
			       "security.ipv6_filtering=true on bridged NICs, "
			       "preferably in the profile that adds them.",
		.eval = eval_nic_filtering,
	},
	{
		.id = "LXD-DEV-004",
		.title = "Proxy devices do not listen widely or bind in "
			 "instances",
		.severity = SEV_LOW,
		.rationale = "A proxy listening on every host interface "
			     "publishes the instance's service to every "
			     "network the host is on; bind=instance makes the "
			     "host connect on the instance's behalf.",
		.reads = "The listen and bind keys of proxy devices in every "
			 "instance and profile.",
		.remediation = "Listen on a specific host address, and remove "
			       "proxies that use bind=instance.",
		.eval = eval_proxies,
	},
	CHECK_END
};
