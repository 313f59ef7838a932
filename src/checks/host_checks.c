/* host_checks.c - ACC and MUL checks that read the host: group, socket, PKI */
#include "checks/host_checks.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "lxdval.h"
#include "x509.h"

const char *
host_checks_daemon(const struct check_ctx *x)
{
	return x && x->snap && str_eq(x->snap->product, "incus") ?
		       "process:incusd" :
		       "process:lxd";
}

const struct host *
host_checks_need(const struct check *c, const struct check_ctx *x,
		 const char *object, struct findings *out)
{
	if (x->host)
		return x->host;
	if (x->snap && x->snap->remote)
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "%s; this audit is remote.", HOST_CHECKS_NEED);
	else
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "%s; this audit reads saved state (give "
			     "--host-root to read a host).", HOST_CHECKS_NEED);
	return NULL;
}

char *
host_checks_file(const char *path)
{
	return xasprintf("file://%s", path);
}

static void
join(struct strbuf *sb, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", l->v[i]);
}

static bool
is_root_user(const struct host *h, const char *name)
{
	for (size_t i = 0; i < h->n_users; i++)
		if (str_eq(h->users[i].name, name))
			return h->users[i].uid == 0;
	return false;
}

/* ------------------------------------------------------------ ACC-001 -- */

/* Judges the members of one group; when lead is set, of a pending one. */
static void
judge_group(const struct check *c, const struct check_ctx *x,
	    const char *name, const char *from, const char *lead,
	    struct findings *out)
{
	const struct host *h = x->host;
	const struct strlist *ok = &x->policy->admin_members;
	const struct host_group *g = host_group_by_name(h, name);
	struct strlist all = { 0 }, users = { 0 };
	char *obj = xasprintf("group:%s", name);
	struct strbuf sb = STRBUF_INIT;
	struct finding *f;

	if (!g) {
		findings_add(out, ST_PASS, c->severity, obj,
			     "%sThe admin group '%s' (%s) does not exist in "
			     "/etc/group: only root can use the socket.",
			     lead, name, from);
		goto out;
	}
	host_group_users(h, g, &all);
	/* root can use the socket whatever its group */
	for (size_t i = 0; i < all.n; i++)
		if (!is_root_user(h, all.v[i]))
			strlist_push(&users, all.v[i]);
	if (users.n == 0) {
		findings_add(out, ST_PASS, c->severity, obj,
			     "%sThe admin group '%s' (%s) has no members: "
			     "only root can use the socket.", lead, name,
			     from);
		goto out;
	}
	join(&sb, &users);
	if (!ok->set) {
		findings_add(out, ST_MANUAL, c->severity, obj,
			     "%sGroup '%s' (%s) gives full control of %s, the "
			     "same as root, to: %s. Check each one, and list "
			     "the approved administrators under admins.group_members "
			     "in the policy.", lead, name, from, h->product,
			     sb.buf);
		goto out;
	}
	for (size_t i = 0; i < users.n; i++) {
		bool listed = strlist_has(&g->members, users.v[i]);

		if (strlist_has(ok, users.v[i]))
			continue;
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "%sUser '%s' is in the admin group '%s' "
				 "(%s%s), which gives full control of %s, "
				 "but is not on the policy's admins.group_members "
				 "list.", lead, users.v[i], name, from,
				 listed ? "" : ", as primary group",
				 h->product);
		if (listed)
			finding_remedy_cmd(f, "gpasswd -d %s %s",
					    shq(users.v[i]), shq(name));
		else
			finding_remediation(f, "Give %s another primary "
					    "group: usermod -g GROUP %s.",
					    users.v[i], shq(users.v[i]));
	}
	findings_add(out, ST_PASS, c->severity, obj,
		     "%sAdmin group '%s' (%s) holds: %s.", lead, name, from,
		     sb.buf);
out:
	strbuf_release(&sb);
	strlist_release(&all);
	strlist_release(&users);
	free(obj);
}

void
host_checks_admin_group(const struct check *c, const struct check_ctx *x,
			struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);

	if (!h)
		return;
	if (h->accounts_error) {
		findings_add(out, ST_ERROR, c->severity, "file:///etc/group",
			     "Cannot read the user database: %s.",
			     h->accounts_error);
		return;
	}
	if (h->admin_group)
		judge_group(c, x, h->admin_group, h->admin_group_from, "",
			    out);
	else
		findings_add(out, ST_PASS, c->severity, host_checks_daemon(x),
			     "The %s daemon runs without --group: only root "
			     "can use the socket.", h->product);
	if (h->admin_group_pending) {
		char *lead = xasprintf("After the next restart (the snap's "
				       "daemon.group is '%s'): ",
				       h->admin_group_pending);

		judge_group(c, x, h->admin_group_pending,
			    "the snap's daemon.group", lead, out);
		free(lead);
	}
}

/* ------------------------------------------------------------ ACC-002 -- */

void
host_checks_socket(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	const struct host_group *g, *sg;
	const struct host_user *owner;
	char *obj;
	long want_gid = 0;
	const char *want = "root";
	bool bad = false;
	struct finding *f;

	if (!h)
		return;
	obj = host_checks_file(h->socket_path);
	if (h->socket.error) {
		findings_add(out, ST_ERROR, c->severity, obj, "%s.",
			     h->socket.error);
		goto out;
	}
	if (!h->socket.exists) {
		findings_add(out, ST_ERROR, c->severity, obj,
			     "The unix socket %s does not exist.",
			     h->socket_path);
		goto out;
	}
	g = host_group_by_name(h, h->admin_group);
	if (g) {
		want_gid = g->gid;
		want = g->name;
	}
	sg = host_group_by_gid(h, h->socket.gid);
	owner = host_user_by_uid(h, h->socket.uid);
	if (h->socket.mode & ~0660u) {
		bad = true;
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "The socket's mode is %04o, wider than "
				 "0660%s.", h->socket.mode,
				 h->socket.mode & 0006
					 ? ": every local user controls LXD"
					 : "");
		finding_remedy_cmd(f, "chmod 0660 %s", shq(h->socket_path));
	}
	if (h->socket.uid != 0) {
		bad = true;
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "The socket is owned by %s (uid %ld), not "
				 "root.", owner ? owner->name : "an unknown "
								"user",
				 h->socket.uid);
		finding_remedy_cmd(f, "chown root %s", shq(h->socket_path));
	}
	if (h->socket.gid != want_gid) {
		bad = true;
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "The socket's group is %s (gid %ld), not the "
				 "admin group %s (gid %ld).",
				 sg ? sg->name : "unknown", h->socket.gid,
				 want, want_gid);
		finding_remedy_cmd(f, "chgrp %s %s", shq(want),
				    shq(h->socket_path));
	}
	if (!bad)
		findings_add(out, ST_PASS, c->severity, obj,
			     "The socket has mode %04o, owner root and group "
			     "%s.", h->socket.mode, want);
out:
	free(obj);
}

/* ------------------------------------------------------------ ACC-007 -- */

/* Adds a finding and returns false when there is no CA to judge by. */
static bool
pki_mode(const struct check *c, const struct host *h, struct findings *out)
{
	char *obj = host_checks_file(h->ca_path);
	bool r = false;

	if (h->ca_error)
		findings_add(out, ST_ERROR, c->severity, obj, "%s.",
			     h->ca_error);
	else if (!h->ca_present)
		findings_add(out, ST_NOTAPPLICABLE, c->severity, obj,
			     "There is no CA file %s: the server is not in "
			     "PKI mode.", h->ca_path);
	else
		r = true;
	free(obj);
	return r;
}

void
host_checks_cert_lifetime(const struct check *c, const struct check_ctx *x,
			  struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	long long max = x->policy->cert_lifetime_max;
	const json_t *certs, *cert;
	const char *why;
	char maxs[64];
	size_t i, n = 0;

	if (!h || !pki_mode(c, h, out))
		return;
	certs = snapshot_part(x->snap, SNAP_CERTIFICATES, &why);
	if (!certs) {
		findings_add(out, ST_ERROR, c->severity, "/1.0/certificates",
			     "Cannot read /1.0/certificates: %s.",
			     why ? why : "not fetched");
		return;
	}
	lxdval_format_duration(max, maxs, sizeof(maxs));
	json_array_foreach(certs, i, cert) {
		const char *type = json_string_value(
			json_object_get(cert, "type"));
		const char *fp = json_string_value(
			json_object_get(cert, "fingerprint"));
		const char *name = json_string_value(
			json_object_get(cert, "name"));
		const char *pem = json_string_value(
			json_object_get(cert, "certificate"));
		struct diag d = { { 0 } };
		struct x509_info xi;
		char *obj, life[64], until[32];
		struct finding *f;

		if (!str_eq(type, "client") && !str_eq(type, "metrics"))
			continue;
		n++;
		obj = xasprintf("/1.0/certificates/%s", urlq(fp));
		if (x509_parse_pem(pem, &xi, &d) != 0) {
			findings_add(out, ST_ERROR, c->severity, obj,
				     "Cannot read certificate '%s': %s.",
				     name ? name : "", d.msg);
			free(obj);
			continue;
		}
		lxdval_format_duration(xi.not_after - xi.not_before, life,
				       sizeof(life));
		format_rfc3339(xi.not_after, until, sizeof(until));
		if (xi.not_after - xi.not_before > max) {
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "%s certificate '%s' is valid for "
					 "%s (until %s), longer than the "
					 "policy maximum of %s.",
					 str_eq(type, "client") ? "Client"
								: "Metrics",
					 name ? name : "", life, until, maxs);
			finding_key(f, "validity", life, NULL);
		} else {
			findings_add(out, ST_PASS, c->severity, obj,
				     "Certificate '%s' is valid for %s "
				     "(until %s).", name ? name : "", life,
				     until);
		}
		free(obj);
	}
	if (n == 0)
		findings_add(out, ST_PASS, c->severity, "/1.0/certificates",
			     "The trust store holds no client certificates.");
}

/* ------------------------------------------------------------ ACC-008 -- */

void
host_checks_crl(const struct check *c, const struct check_ctx *x,
		struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	char *obj, next[32];
	struct finding *f;

	if (!h || !pki_mode(c, h, out))
		return;
	obj = host_checks_file(h->crl_path);
	if (h->crl_error) {
		findings_add(out, ST_ERROR, c->severity, obj, "%s.",
			     h->crl_error);
	} else if (!h->crl_present) {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "PKI mode without a revocation list: %s "
				 "does not exist, so no client certificate "
				 "signed by the CA can be revoked.",
				 h->crl_path);
		finding_remediation(f, "Generate it with the CA's "
				    "configuration (openssl ca -gencrl -out "
				    "%s), then restart %s.",
				    shq(h->crl_path), h->product);
	} else if (h->crl_invalid) {
		findings_add(out, ST_FAIL, c->severity, obj, "%s.",
			     h->crl_invalid);
	} else if (!h->crl_signed) {
		findings_add(out, ST_FAIL, c->severity, obj,
			     "%s is not signed by the CA: %s. %s then "
			     "rejects every client certificate the CA "
			     "signed.", h->crl_path, h->crl_sign_error,
			     h->product);
	} else if (h->crl_has_next && h->crl_next_update < x->snap->now) {
		format_rfc3339(h->crl_next_update, next, sizeof(next));
		findings_add(out, ST_FAIL, c->severity, obj,
			     "%s is out of date: its next update was due "
			     "%s, so revocations since then are missing.",
			     h->crl_path, next);
	} else if (h->crl_has_next) {
		format_rfc3339(h->crl_next_update, next, sizeof(next));
		findings_add(out, ST_PASS, c->severity, obj,
			     "%s is signed by the CA, revokes %zu "
			     "certificate(s) and is due for update %s.",
			     h->crl_path, h->crl_revoked, next);
	} else {
		findings_add(out, ST_PASS, c->severity, obj,
			     "%s is signed by the CA and revokes %zu "
			     "certificate(s); it names no next update time.",
			     h->crl_path, h->crl_revoked);
	}
	free(obj);
}

/* ------------------------------------------------------------ MUL-001 -- */

void
host_checks_user_group(const struct check *c, const struct check_ctx *x,
		       struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	const struct host_group *g;
	struct finding *f;
	char *obj;

	if (!h)
		return;
	switch (h->install) {
	case HOST_INSTALL_INCUS:
		findings_add(out, ST_PASS, c->severity, "group:incus",
			     "Incus separates them by design: incus-admin "
			     "for full control, incus for the restricted "
			     "per-user projects.");
		return;
	case HOST_INSTALL_SNAP:
		obj = host_checks_file(h->snap_config_path);
		if (h->snap_config_error) {
			findings_add(out, ST_ERROR, c->severity, obj, "%s.",
				     h->snap_config_error);
		} else if (str_eq(h->snap_user_group, h->snap_group)) {
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "daemon.user.group and daemon.group "
					 "are both '%s'%s: users cannot be "
					 "given a restricted project without "
					 "full control of LXD.",
					 h->snap_group,
					 h->snap_config_present
						 ? ""
						 : " (the defaults; the snap's "
						   "config file is absent)");
			finding_key(f, "daemon.user.group",
				    h->snap_user_group, obj);
			finding_remedy_cmd(f, "groupadd lxdusers");
			finding_remedy_cmd(f, "snap set lxd "
					   "daemon.user.group=lxdusers");
		} else {
			findings_add(out, ST_PASS, c->severity, obj,
				     "Restricted users have group '%s', "
				     "administrators '%s'.",
				     h->snap_user_group, h->snap_group);
		}
		free(obj);
		return;
	case HOST_INSTALL_PACKAGE:
	case HOST_INSTALL_UNKNOWN:
		break;
	}
	if (!h->user_pid) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity,
			     "process:lxd-user",
			     "Packaged LXD ships lxd-user but no service "
			     "starts it, and none is running.");
		return;
	}
	if (!h->user_socket_path || !h->user_socket.exists) {
		findings_add(out, ST_MANUAL, c->severity, "process:lxd-user",
			     "lxd-user runs (PID %ld) but its socket was not "
			     "found: check that its group is not the admin "
			     "group%s%s.", h->user_pid,
			     h->admin_group ? " " : "",
			     h->admin_group ? h->admin_group : "");
		return;
	}
	obj = host_checks_file(h->user_socket_path);
	g = host_group_by_gid(h, h->user_socket.gid);
	if (h->admin_group && g && str_eq(g->name, h->admin_group))
		findings_add(out, ST_FAIL, c->severity, obj,
			     "The lxd-user socket's group is the admin group "
			     "'%s': users cannot be given a restricted "
			     "project without full control of LXD.",
			     g->name);
	else
		findings_add(out, ST_PASS, c->severity, obj,
			     "The lxd-user socket's group is %s (gid %ld), "
			     "not the admin group.", g ? g->name : "unnamed",
			     h->user_socket.gid);
	free(obj);
}

/* ------------------------------------------------------------ MUL-004 -- */

static void
judge_mode(const struct check *c, const char *path,
	   const struct host_stat *st, unsigned max, const char *absent,
	   const char *what, struct findings *out)
{
	char *obj = host_checks_file(path);
	struct finding *f;

	if (st->error) {
		findings_add(out, ST_ERROR, c->severity, obj, "%s.",
			     st->error);
	} else if (!st->exists) {
		findings_add(out, ST_PASS, c->severity, obj, "%s", absent);
	} else if (st->mode & ~max) {
		f = findings_add(out, ST_FAIL, c->severity, obj,
				 "%s has mode %04o, wider than %04o: %s.",
				 path, st->mode, max, what);
		finding_remedy_cmd(f, "chmod %o %s", max, shq(path));
		finding_remediation(f, "Again at every boot: lxd-harden fix "
				    "writes a tmpfiles.d entry for it.");
	} else {
		findings_add(out, ST_PASS, c->severity, obj,
			     "%s has mode %04o.", path, st->mode);
	}
	free(obj);
}

void
host_checks_name_leak(const struct check *c, const struct check_ctx *x,
		      struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);

	if (!h)
		return;
	judge_mode(c, "/proc/sched_debug", &h->sched_debug, 0400,
		   "/proc/sched_debug does not exist (newer kernels keep "
		   "it in debugfs).",
		   "every user can read the process names of every "
		   "container", out);
	judge_mode(c, "/sys/kernel/slab", &h->slab, 0700,
		   "/sys/kernel/slab does not exist.",
		   "every user can list the memory cgroups named after "
		   "each container", out);
}
