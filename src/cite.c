/* cite.c - the guide section and reference pages behind every check */
#include "cite.h"

#include <string.h>

/*
 * The reference pages a check can point at, per product. LXD's pages are
 * those of its "latest" documentation, Incus' those of its "main"
 * documentation: both are the current release's, as the guide is.
 */
enum ref {
	R_NONE,
	R_SERVER,	/* server configuration keys */
	R_AUTH,		/* remote API authentication: certificates, tokens */
	R_PERMS,	/* fine-grained authorization, entitlements */
	R_OIDC,
	R_INSTANCE,	/* instance options */
	R_DEVICES,	/* device types */
	R_DISK,
	R_NIC,
	R_PROXY,
	R_BRIDGE,	/* bridge network keys */
	R_ACL,
	R_PROJECTS,
	R_STORAGE,
	R_SECURITY,	/* the security explanation */
	R_LOKI,
	R_RELEASES,
	R__COUNT
};

static const struct {
	const char *lxd;
	const char *incus;
} ref_urls[R__COUNT] = {
#define LXD_DOC "https://documentation.ubuntu.com/lxd/latest/"
#define INCUS_DOC "https://linuxcontainers.org/incus/docs/main/"
	[R_SERVER] = { LXD_DOC "reference/server_settings/",
		       INCUS_DOC "server_config/" },
	[R_AUTH] = { LXD_DOC "authentication/", INCUS_DOC "authentication/" },
	[R_PERMS] = { LXD_DOC "reference/permissions/",
		      INCUS_DOC "authorization/" },
	[R_OIDC] = { LXD_DOC "howto/oidc/", INCUS_DOC "authentication/" },
	[R_INSTANCE] = { LXD_DOC "reference/instance_options/",
			 INCUS_DOC "reference/instance_options/" },
	[R_DEVICES] = { LXD_DOC "reference/devices/",
			INCUS_DOC "reference/devices/" },
	[R_DISK] = { LXD_DOC "reference/devices_disk/",
		     INCUS_DOC "reference/devices_disk/" },
	[R_NIC] = { LXD_DOC "reference/devices_nic/",
		    INCUS_DOC "reference/devices_nic/" },
	[R_PROXY] = { LXD_DOC "reference/devices_proxy/",
		      INCUS_DOC "reference/devices_proxy/" },
	[R_BRIDGE] = { LXD_DOC "reference/network_bridge/",
		       INCUS_DOC "reference/network_bridge/" },
	[R_ACL] = { LXD_DOC "howto/network_acls/",
		    INCUS_DOC "howto/network_acls/" },
	[R_PROJECTS] = { LXD_DOC "reference/projects/",
			 INCUS_DOC "reference/projects/" },
	[R_STORAGE] = { LXD_DOC "reference/storage_drivers/",
			INCUS_DOC "reference/storage_drivers/" },
	[R_SECURITY] = { LXD_DOC "explanation/security/",
			 INCUS_DOC "security/" },
	[R_LOKI] = { LXD_DOC "howto/logs_loki/", INCUS_DOC "server_config/" },
	[R_RELEASES] = { LXD_DOC "reference/releases-snap/",
			 "https://linuxcontainers.org/incus/" },
#undef LXD_DOC
#undef INCUS_DOC
};

/*
 * One entry per check: its guide section (the anchors are the labels of
 * doc/howto/security_harden.md upstream) and the pages of what it reads.
 */
#define G(anchor) CITE_GUIDE_URL "#" anchor
static const struct cite {
	const char *check;
	const char *guide;
	enum ref refs[CITE_MAX_REFS];
} cites[] = {
	{ "LXD-GEN-001", G("howto-security-harden-supported"), { R_RELEASES } },
	{ "LXD-GEN-002", G("howto-security-harden-delete-unused"),
	  { R_BRIDGE } },
	{ "LXD-GEN-003", G("howto-security-harden-delete-unused"),
	  { R_STORAGE } },
	{ "LXD-GEN-004", G("howto-security-harden-supported"), { R_SERVER } },
	{ "LXD-ACC-001", G("howto-security-harden-group"), { R_SECURITY } },
	{ "LXD-ACC-002", G("howto-security-harden-group"), { R_SECURITY } },
	{ "LXD-ACC-003", G("howto-security-harden-remote"),
	  { R_SERVER, R_AUTH } },
	{ "LXD-ACC-004", G("howto-security-harden-remote"),
	  { R_SERVER, R_AUTH } },
	{ "LXD-ACC-005", G("howto-security-harden-remote"), { R_AUTH } },
	{ "LXD-ACC-006", G("howto-security-harden-remote"),
	  { R_AUTH, R_PROJECTS } },
	{ "LXD-ACC-007", G("howto-security-harden-remote"), { R_AUTH } },
	{ "LXD-ACC-008", G("howto-security-harden-remote"), { R_AUTH } },
	{ "LXD-ACC-009", G("howto-security-harden-auth-expiry"), { R_SERVER } },
	{ "LXD-ACC-010", G("howto-security-harden-auth-expiry"), { R_SERVER } },
	{ "LXD-ACC-011", G("howto-security-harden-auth-expiry"), { R_AUTH } },
	{ "LXD-ACC-012", G("howto-security-harden-remote"),
	  { R_SERVER, R_OIDC } },
	{ "LXD-ACC-013", G("howto-security-harden-remote"), { R_OIDC } },
	{ "LXD-ACC-014", G("howto-security-harden-remote"),
	  { R_PERMS, R_AUTH } },
	{ "LXD-ACC-015", G("howto-security-harden-remote"),
	  { R_PERMS, R_AUTH } },
	{ "LXD-ACC-016", G("howto-security-harden-auth-expiry"),
	  { R_AUTH } },
	{ "LXD-NET-001", G("howto-security-harden-use-ip"), { R_SERVER } },
	{ "LXD-NET-002", G("howto-security-harden-use-ip"), { R_SERVER } },
	{ "LXD-NET-003", G("howto-security-harden-acls"),
	  { R_ACL, R_BRIDGE, R_NIC } },
	{ "LXD-NET-004", G("howto-security-harden-acls"), { R_ACL, R_BRIDGE } },
	{ "LXD-NET-005", G("howto-security-harden-use-ip"), { R_SERVER } },
	{ "LXD-NET-006", G("howto-security-harden-restrict-outbound"),
	  { R_SERVER, R_PERMS } },
	{ "LXD-INS-001", G("howto-security-harden-unprivileged"),
	  { R_INSTANCE, R_SECURITY } },
	{ "LXD-INS-002", G("howto-security-harden-instance-resource-limits"),
	  { R_INSTANCE } },
	{ "LXD-INS-003", G("howto-security-harden-nesting-disable"),
	  { R_INSTANCE } },
	{ "LXD-INS-004", G("howto-security-harden-isolate"), { R_INSTANCE } },
	{ "LXD-INS-005", G("howto-security-profiles"), { R_INSTANCE } },
	{ "LXD-INS-006", G("howto-security-harden-instance"), { R_INSTANCE } },
	{ "LXD-INS-007", G("howto-security-harden-instance"), { R_INSTANCE } },
	{ "LXD-INS-008", G("howto-security-harden-instance"), { R_INSTANCE } },
	{ "LXD-INS-009", G("howto-security-harden-instance"), { R_INSTANCE } },
	{ "LXD-DEV-001", G("howto-security-harden-passthrough"),
	  { R_DEVICES } },
	{ "LXD-DEV-002", G("howto-security-harden-passthrough"), { R_DISK } },
	{ "LXD-DEV-003", G("howto-security-harden-spoof"),
	  { R_NIC, R_SECURITY } },
	{ "LXD-DEV-004", G("howto-security-harden-passthrough"), { R_PROXY } },
	{ "LXD-STO-001", G("howto-security-harden-storage"), { R_STORAGE } },
	{ "LXD-LOG-001", G("howto-security-harden-logging-system"),
	  { R_SECURITY } },
	{ "LXD-LOG-002", G("howto-security-harden-logging-system"),
	  { R_SECURITY } },
	{ "LXD-LOG-003", G("howto-security-harden-logging-auditd"),
	  { R_SECURITY } },
	{ "LXD-LOG-004", G("howto-security-harden-logging-events"),
	  { R_LOKI, R_SERVER } },
	{ "LXD-MUL-001", G("howto-security-harden-restricted-group"),
	  { R_SECURITY } },
	{ "LXD-MUL-002", G("howto-security-harden-projects"),
	  { R_PROJECTS, R_AUTH } },
	{ "LXD-MUL-003", G("howto-security-harden-projects"), { R_PROJECTS } },
	{ "LXD-MUL-004", G("howto-security-harden-name-leakage"),
	  { R_SECURITY } },
	{ "LXD-HOS-001", G("howto-security-harden-update-operating-system"),
	  { R_NONE } },
	{ "LXD-HOS-002", G("howto-security-harden-host"), { R_NONE } },
	{ "LXD-HOS-003", G("howto-security-harden-cis"), { R_NONE } },
	{ "LXD-HOS-004", G("howto-security-harden-host"), { R_NONE } },
};
#undef G

static const struct cite *
find(const char *id)
{
	for (size_t i = 0; i < sizeof(cites) / sizeof(*cites); i++)
		if (id && strcmp(cites[i].check, id) == 0)
			return &cites[i];
	return NULL;
}

const char *
cite_guide(const char *check_id)
{
	const struct cite *c = find(check_id);

	return c ? c->guide : NULL;
}

size_t
cite_refs(const char *check_id, const char *product,
	  const char *urls[CITE_MAX_REFS])
{
	const struct cite *c = find(check_id);
	int incus = product && strcmp(product, "incus") == 0;
	size_t n = 0;

	if (!c)
		return 0;
	for (size_t i = 0; i < CITE_MAX_REFS && c->refs[i] != R_NONE; i++)
		urls[n++] = incus ? ref_urls[c->refs[i]].incus
				  : ref_urls[c->refs[i]].lxd;
	return n;
}

size_t
cite_count(void)
{
	return sizeof(cites) / sizeof(*cites);
}

const char *
cite_check(size_t i)
{
	return i < cite_count() ? cites[i].check : NULL;
}
