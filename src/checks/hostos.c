/* hostos.c - HOS checks: security updates, host firewall, CIS hardening,
 * Ubuntu Pro */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "checks/host_checks.h"

/* APT::Periodic values are intervals in days; "always" is every run. */
static bool
apt_enabled(const char *v)
{
	char *end;
	long n;

	if (str_empty(v))
		return false;
	if (str_eq(v, "always"))
		return true;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0;
}

static void
judge_apt_key(const struct check *c, const char *key, const char *value,
	      const char *from, const char *effect, struct findings *out)
{
	const char *src = from ? from : "/etc/apt/apt.conf.d";
	char *obj = host_checks_file(src);
	struct finding *f;

	if (apt_enabled(value)) {
		findings_add(out, ST_PASS, c->severity, obj, "%s is \"%s\".",
			     key, value);
	} else {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "%s is %s%s%s: %s.", key, value ? "\"" : "",
				 value ? value : "not set",
				 value ? "\"" : "", effect);
		if (value)
			finding_key(f, key, value, obj);
		finding_remedy_cmd(f, "dpkg-reconfigure -plow "
				   "unattended-upgrades");
		finding_remediation(f, "It writes "
				    "/etc/apt/apt.conf.d/20auto-upgrades.");
	}
	free(obj);
}

static void
eval_updates(const struct check *c, const struct check_ctx *x,
	     struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	struct finding *f;

	if (!h)
		return;
	if (h->apt_error) {
		findings_add(out, ST_ERROR, c->severity,
			     "file:///etc/apt/apt.conf.d", "%s.",
			     h->apt_error);
	} else if (!h->apt_present) {
		findings_add(out, ST_MANUAL, c->severity, "file:///etc/apt",
			     "This is not a Debian or Ubuntu host (no "
			     "/etc/apt): check that security updates are "
			     "installed automatically.");
	} else {
		if (!h->uu_installed) {
			f = findings_add(out, ST_FAIL, c->severity,
					 "file:///usr/bin/unattended-upgrade",
					 "unattended-upgrades is not "
					 "installed: security updates wait "
					 "for someone to apply them.");
			finding_remedy_cmd(f, "apt-get install "
					   "unattended-upgrades");
		}
		judge_apt_key(c, "APT::Periodic::Update-Package-Lists",
			      h->apt_update_lists, h->apt_update_lists_from,
			      "the package lists are not refreshed, so no "
			      "update is found", out);
		judge_apt_key(c, "APT::Periodic::Unattended-Upgrade",
			      h->apt_unattended, h->apt_unattended_from,
			      "updates are not installed automatically", out);
	}
	if (h->install != HOST_INSTALL_SNAP)
		return;
	if (h->snap_held > 0) {
		f = findings_add(out, ST_FAIL, c->severity, "file:///snap/lxd",
				 "The LXD snap's refreshes are held (%s): it "
				 "gets no security updates.",
				 h->snap_held_why);
		finding_remedy_cmd(f, "snap refresh --unhold lxd");
		finding_remediation(f, "A hold on every snap is lifted with "
				    "snap refresh --unhold.");
	} else if (h->snap_held < 0) {
		findings_add(out, ST_MANUAL, c->severity, "file:///snap/lxd",
			     "Whether the LXD snap's refreshes are held is "
			     "unknown (%s): check snap list lxd for 'held'.",
			     h->snap_refresh_error ? h->snap_refresh_error
						   : "not read");
	} else {
		findings_add(out, ST_PASS, c->severity, "file:///snap/lxd",
			     "The LXD snap's refreshes are not held.");
	}
}

/* ------------------------------------------------------------ HOS-002 -- */

static const char *
fw_object(const struct host_fw *fw)
{
	return str_starts_with(fw->name, "nft") ? "file:///etc/nftables.conf"
						: "file:///etc/iptables";
}

static void
eval_firewall(const struct check *c, const struct check_ctx *x,
	      struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	const struct host_fw *v4 = NULL, *v6 = NULL, *ran = NULL;
	struct strbuf errs = STRBUF_INIT, names = STRBUF_INIT;
	struct finding *f;

	if (!h)
		return;
	if (h->n_fw == 0) {
		findings_add(out, ST_MANUAL, c->severity,
			     "file:///etc/nftables.conf",
			     "Neither nft nor iptables is installed: check "
			     "the host firewall by hand.");
		return;
	}
	for (size_t i = 0; i < h->n_fw; i++) {
		const struct host_fw *fw = &h->fw[i];

		if (!fw->ran) {
			strbuf_addf(&errs, "%s%s: %s", errs.len ? "; " : "",
				    fw->name, fw->error ? fw->error : "?");
			continue;
		}
		strbuf_addf(&names, "%s%s", names.len ? ", " : "", fw->name);
		if (!ran)
			ran = fw;
		if (fw->v4_drop && !v4)
			v4 = fw;
		if (fw->v6_drop && !v6)
			v6 = fw;
	}
	if (v4 && v6) {
		findings_add(out, ST_PASS, c->severity, fw_object(v4),
			     "Unexpected inbound traffic is dropped: IPv4 by "
			     "%s, IPv6 by %s.", v4->v4_where, v6->v6_where);
	} else if (v4 && h->ipv6_off) {
		findings_add(out, ST_PASS, c->severity, fw_object(v4),
			     "Unexpected inbound IPv4 traffic is dropped by "
			     "%s, and IPv6 is disabled.", v4->v4_where);
	} else if (!ran) {
		findings_add(out, ST_MANUAL, c->severity,
			     fw_object(&h->fw[0]),
			     "The firewall rules could not be read (%s): "
			     "check the host firewall by hand.", errs.buf);
	} else {
		f = findings_add(out, ST_FAIL, c->severity, fw_object(ran),
				 "No input chain drops or rejects unexpected "
				 "inbound %s traffic (read: %s%s%s).",
				 v4   ? "IPv6"
				 : v6 ? "IPv4"
				      : h->ipv6_off ? "IPv4" : "IPv4 or IPv6",
				 names.buf, errs.len ? "; unreadable: " : "",
				 errs.len ? errs.buf : "");
		finding_remediation(f, "give the host a firewall whose input "
				    "policy is drop, allowing only the "
				    "services it offers (for example with "
				    "nftables or ufw)");
	}
	strbuf_release(&errs);
	strbuf_release(&names);
}

/* ------------------------------------------------------------ HOS-003 -- */

static void
eval_cis(const struct check *c, const struct check_ctx *x,
	 struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	struct finding *f;

	if (!h)
		return;
	f = findings_add(out, ST_MANUAL, c->severity, "file:///usr/sbin/usg",
			 "Check the host against the CIS benchmark with the "
			 "Ubuntu Security Guide (usg audit "
			 "cis_level1_server) or OpenSCAP%s. Three rules fail "
			 "falsely on LXD hosts: grub2_uefi_password (set "
			 "the UEFI password and confirm it is asked), and "
			 "no_files_unowned_by_user and "
			 "file_permissions_ungroupowned (unprivileged "
			 "containers own files through their user "
			 "namespace); 'lxd-harden usg-tailoring' writes a "
			 "tailoring file that turns them off.",
			 h->usg_installed     ? " (usg is installed)"
			 : h->oscap_installed ? " (oscap is installed)"
					      : "");
	finding_remedy_cmd(f, "lxd-harden usg-tailoring -o "
			   "lxd-tailoring.xml");
	finding_remedy_cmd(f, "usg audit --tailoring-file "
			   "lxd-tailoring.xml");
}

/* ------------------------------------------------------------ HOS-004 -- */

/* Where the Pro client comes from and how a machine is attached. */
#define PRO_INSTALL "apt-get install ubuntu-pro-client"
/* the token is the user's: a need, and the command once it is known */
#define PRO_TOKEN_WHY                                                    \
	"your Ubuntu Pro token, from https://ubuntu.com/pro/dashboard"
#define PRO_ATTACH_NOTE "Then: pro attach TOKEN."

static void
judge_esm(const struct check *c, const char *obj, const char *service,
	  const char *status, struct findings *out)
{
	struct finding *f;

	if (str_eq(status, "enabled")) {
		findings_add(out, ST_PASS, c->severity, obj,
			     "Ubuntu Pro service %s is enabled.", service);
	} else if (!status) {
		findings_add(out, ST_ERROR, c->severity, obj,
			     "pro status lists no service %s on an attached "
			     "machine: run pro status on the host.",
			     service);
	} else if (str_eq(status, "n/a")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, obj,
			     "Ubuntu Pro says %s does not apply to this "
			     "release (status n/a).", service);
	} else if (str_eq(status, "disabled")) {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "Ubuntu Pro service %s is disabled: its "
				 "security updates do not reach the host.",
				 service);
		finding_key(f, service, status, obj);
		finding_remedy_cmd(f, "pro enable %s", service);
	} else {
		f = findings_add(out, ST_MANUAL, c->severity, obj,
				 "Ubuntu Pro service %s has status \"%s\": "
				 "check pro status on the host.", service,
				 status);
		finding_key(f, service, status, obj);
	}
}

static void
eval_ubuntu_pro(const struct check *c, const struct check_ctx *x,
		struct findings *out)
{
	const struct host *h = host_checks_need(c, x, "file:///usr/bin/pro",
						out);
	struct finding *f;
	char *obj;

	if (!h)
		return;
	if (h->os_release_error) {
		findings_add(out, ST_ERROR, c->severity,
			     "file:///etc/os-release",
			     "Cannot tell the distribution: %s.",
			     h->os_release_error);
		return;
	}
	if (!h->os_release_path) {
		findings_add(out, ST_ERROR, c->severity,
			     "file:///etc/os-release",
			     "Cannot tell the distribution: neither "
			     "/etc/os-release nor /usr/lib/os-release "
			     "exists.");
		return;
	}
	obj = host_checks_file(h->os_release_path);
	if (!str_eq(h->os_id, "ubuntu")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, obj,
			     "This host runs %s (ID=%s in %s), not Ubuntu: "
			     "Ubuntu Pro is for Ubuntu hosts.", h->os_name,
			     h->os_id, h->os_release_path);
		free(obj);
		return;
	}
	free(obj);
	if (!h->pro_path) {
		f = findings_add(out, ST_FAIL, c->severity,
				 "file:///usr/bin/pro",
				 "This %s host has no Ubuntu Pro client "
				 "(/usr/bin/pro): it cannot be attached, so "
				 "it gets no ESM security updates and no "
				 "Ubuntu Security Guide.", h->os_name);
		finding_remedy_cmd(f, PRO_INSTALL);
		finding_remedy_need(f, "pro.token", PRO_TOKEN_WHY);
		finding_remediation(f, PRO_ATTACH_NOTE);
		return;
	}
	obj = host_checks_file(h->pro_path);
	if (!h->pro_read) {
		if (h->commands_why)
			findings_add(out, ST_MANUAL, c->severity, obj,
				     "pro status was %s: run pro status on "
				     "the host.", h->commands_why);
		else
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cannot read the Ubuntu Pro status: %s.",
				     h->pro_error ? h->pro_error : "not read");
		free(obj);
		return;
	}
	if (!h->pro.attached) {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "This %s host is not attached to Ubuntu "
				 "Pro: it gets no ESM security updates "
				 "(esm-infra, esm-apps) and no Ubuntu "
				 "Security Guide.", h->os_name);
		finding_key(f, "attached", "false", obj);
		finding_remedy_need(f, "pro.token", PRO_TOKEN_WHY);
		finding_remediation(f, PRO_ATTACH_NOTE);
		free(obj);
		return;
	}
	judge_esm(c, obj, "esm-infra", h->pro.esm_infra, out);
	judge_esm(c, obj, "esm-apps", h->pro.esm_apps, out);
	free(obj);
}

const struct check hostos_checks[] = {
	{
		.id = "LXD-HOS-001",
		.title = "Security updates reach the host and the LXD snap",
		.severity = SEV_MEDIUM,
		.rationale = "Fixes for the kernel, LXC and LXD arrive as "
			     "package and snap updates; a host that does not "
			     "take them keeps known holes open.",
		.reads = "APT::Periodic::Update-Package-Lists and "
			 "APT::Periodic::Unattended-Upgrade from "
			 "/etc/apt/apt.conf.d and /etc/apt/apt.conf, whether "
			 "unattended-upgrades is installed, and for the snap "
			 "whether snap list lxd marks it held or "
			 "refresh.hold holds every snap.",
		.remediation = "Install and enable unattended-upgrades "
			       "(dpkg-reconfigure -plow unattended-upgrades) "
			       "and release holds on the LXD snap (snap "
			       "refresh --unhold lxd).",
		.eval = eval_updates,
	},
	{
		.id = "LXD-HOS-002",
		.title = "A host firewall drops unexpected inbound traffic",
		.severity = SEV_MEDIUM,
		.rationale = "LXD's listeners and everything else on the host "
			     "are reachable from the network unless a "
			     "firewall drops what is not expected.",
		.reads = "The loaded rules: nft -j list ruleset where nft "
			 "exists, and iptables -S INPUT (legacy tables); a "
			 "base chain on the input hook whose policy is drop, "
			 "or whose last rule drops or rejects everything, "
			 "counts, for IPv4 and IPv6. Jumps are not followed.",
		.remediation = "Set up a firewall with an input policy of "
			       "drop that allows only the services the host "
			       "offers, for IPv4 and IPv6.",
		.eval = eval_firewall,
	},
	{
		.id = "LXD-HOS-003",
		.title = "The host is hardened to the CIS benchmark",
		.severity = SEV_INFO,
		.rationale = "LXD is only as safe as the host it runs on; the "
			     "CIS benchmark covers what this tool does not.",
		.reads = "Nothing but whether usg or oscap is installed: the "
			 "benchmark is run by the Ubuntu Security Guide or "
			 "OpenSCAP.",
		.remediation = "Audit the host with usg or oscap using the "
			       "tailoring file from lxd-harden usg-tailoring, "
			       "which turns off the three rules that fail "
			       "falsely on LXD hosts.",
		.eval = eval_cis,
	},
	{
		.id = "LXD-HOS-004",
		.title = "Ubuntu hosts are attached to Ubuntu Pro with ESM enabled",
		.severity = SEV_MEDIUM,
		.rationale = "Ubuntu Pro brings Expanded Security Maintenance: "
			     "security fixes for the main archive beyond "
			     "standard support (esm-infra) and for universe "
			     "(esm-apps), and the Ubuntu Security Guide that "
			     "the CIS hardening relies on.",
		.reads = "ID in /etc/os-release (or /usr/lib/os-release); on "
			 "Ubuntu, pro status --format json (attached, and "
			 "the status of esm-infra and esm-apps).",
		.remediation = "Install the client (" PRO_INSTALL "), attach "
			       "the machine with a token from "
			       "https://ubuntu.com/pro/dashboard (pro attach "
			       "TOKEN) and enable the services (pro enable "
			       "esm-infra esm-apps).",
		.eval = eval_ubuntu_pro,
	},
	CHECK_END,
};
