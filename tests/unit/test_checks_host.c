/* test_checks_host.c - every host check on a passing and a failing tree */
#include "evidence.h"
#include "hosttest.h"

#include "catalog.h"
#include "checks/host_checks.h"
#include "engine.h"

/* The six host checks as the catalog holds them. */
#define acc001 (*catalog_find("LXD-ACC-001"))
#define acc002 (*catalog_find("LXD-ACC-002"))
#define acc007 (*catalog_find("LXD-ACC-007"))
#define acc008 (*catalog_find("LXD-ACC-008"))
#define mul001 (*catalog_find("LXD-MUL-001"))
#define mul004 (*catalog_find("LXD-MUL-004"))

static const char nft_drop[] =
	"{\"nftables\": [{\"chain\": {\"family\": \"inet\", \"table\": "
	"\"filter\", \"name\": \"input\", \"type\": \"filter\", \"hook\": "
	"\"input\", \"prio\": 0, \"policy\": \"drop\"}}]}";
static const char nft_accept[] =
	"{\"nftables\": [{\"chain\": {\"family\": \"inet\", \"table\": "
	"\"filter\", \"name\": \"input\", \"type\": \"filter\", \"hook\": "
	"\"input\", \"prio\": 0, \"policy\": \"accept\"}}]}";
static const char nft_v4_only[] =
	"{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": "
	"\"filter\", \"name\": \"input\", \"type\": \"filter\", \"hook\": "
	"\"input\", \"prio\": 0, \"policy\": \"drop\"}}]}";

#define SNAP_LIST(notes)                                                 \
	"Name  Version  Rev    Tracking     Publisher   Notes\n"         \
	"lxd   5.21.3   31333  5.21/stable  canonical** " notes "\n"

static const struct ht_cmd snap_good_cmds[] = {
	{ "/usr/sbin/auditctl -l", 0,
	  "-w /snap/bin/lxc -p x -k lxd_execution\n"
	  "-w /snap/bin/lxd -p x -k lxd_execution\n"
	  "-a always,exit -F arch=b64 -S all -F path=/snap/bin/lxd.buginfo "
	  "-F perm=x -F key=lxd_execution\n"
	  "-w /snap/bin/lxd.check-kernel -p x -k lxd_execution\n"
	  "-w /snap/bin/lxd.lxc -p x -k lxd_execution\n", NULL },
	{ "/usr/sbin/nft -j list ruleset", 0, nft_drop, NULL },
	{ "/usr/bin/snap list lxd", 0, SNAP_LIST("-"), NULL },
	{ "/usr/bin/snap get system refresh.hold", 1, "",
	  "error: snap \"core\" has no \"refresh.hold\" configuration "
	  "option\n" },
	{ NULL, 0, NULL, NULL },
};

static const struct ht_cmd snap_bad_cmds[] = {
	{ "/usr/sbin/auditctl -l", 0, "No rules\n", NULL },
	{ "/usr/sbin/nft -j list ruleset", 0, nft_accept, NULL },
	{ "/usr/bin/snap list lxd", 0, SNAP_LIST("held"), NULL },
	{ NULL, 0, NULL, NULL },
};

static const struct ht_cmd package_good_cmds[] = {
	{ "/usr/sbin/iptables-legacy -S INPUT", 0, "-P INPUT DROP\n", NULL },
	{ "/usr/sbin/ip6tables-legacy -S INPUT", 0,
	  "-P INPUT ACCEPT\n-A INPUT -j REJECT --reject-with "
	  "icmp6-adm-prohibited\n", NULL },
	{ NULL, 0, NULL, NULL },
};

static const struct ht_cmd package_bad_cmds[] = {
	{ "/usr/sbin/auditctl -l", 1, "",
	  "You must be root to run this program.\n" },
	{ "/usr/sbin/iptables -S INPUT", 0, "-P INPUT ACCEPT\n", NULL },
	{ "/usr/sbin/ip6tables -S INPUT", 0, "-P INPUT ACCEPT\n", NULL },
	{ NULL, 0, NULL, NULL },
};

/* One check run on one tree. */
/*
 * The LXD saved state the host cases pair with: the whole group runs
 * once on LXD 5.0.2 and again on each LXD release fixture, so that every
 * host check is asserted on every LXD release (scripts/matrix.py).
 */
static const char *snapfix = "sample-502";

/* Setup of each case: *state names the saved state to pair with. */
static int
use_fixture(void **state)
{
	snapfix = *state;
	return 0;
}

struct hc {
	char *root;
	struct snapshot snap;
	struct policy policy;
	struct host host;
	struct check_ctx ctx;
	struct findings out;
	enum status status;
	char fixture[96];	/* "set/fixture" under tests/data */
};

static void
hc_open(struct hc *t, const char *tree, const char *fixture)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->fixture, sizeof(t->fixture), "%s%s",
		 strchr(fixture, '/') ? "" : "snap/", fixture);
	t->root = ht_tree(tree);
	ht_load_snapshot(&t->snap, fixture);
	policy_init(&t->policy);
	host_init(&t->host);
	t->ctx.snap = &t->snap;
	t->ctx.policy = &t->policy;
}

/* (Re)reads the tree, after a test changed it. */
static void
hc_read(struct hc *t, const struct ht_cmd *cmds, const char *socket)
{
	const struct host_ops ops = HT_OPS(cmds);

	host_release(&t->host);
	ht_read(&t->host, t->root, &ops, socket, &t->snap);
	t->ctx.host = &t->host;
}

static enum status
hc_run(struct hc *t, const struct check *c)
{
	findings_release(&t->out);
	c->eval(c, &t->ctx, &t->out);
	t->status = engine_status(&t->out);
	return t->status;
}

static const struct check *
cat(const char *id)
{
	const struct check *c = catalog_find(id);

	if (!c)
		fail_msg("no check %s", id);
	return c;
}

/* The finding with status st whose message holds text, or NULL. */
static const struct finding *
hc_find(const struct hc *t, enum status st, const char *text)
{
	for (size_t i = 0; i < t->out.n; i++)
		if (t->out.v[i].status == st &&
		    strstr(t->out.v[i].message, text))
			return &t->out.v[i];
	return NULL;
}

static void
hc_dump(const struct hc *t)
{
	for (size_t i = 0; i < t->out.n; i++)
		print_message("  %s %s: %s\n", status_name(t->out.v[i].status),
			      t->out.v[i].object, t->out.v[i].message);
}

#define assert_finding(t, st, text)                                      \
	do {                                                             \
		if (!hc_find((t), (st), (text))) {                       \
			hc_dump(t);                                      \
			fail_msg("no %s finding with '%s'",              \
				 status_name(st), (text));               \
		}                                                        \
	} while (0)

#define assert_status(t, c, st)                                          \
	do {                                                             \
		if (hc_run((t), (c)) != (st)) {                          \
			hc_dump(t);                                      \
			fail_msg("%s: %s, expected %s", (c)->id,         \
				 status_name((t)->status),               \
				 status_name(st));                       \
		}                                                        \
		evidence_note((t)->fixture, &(t)->snap, (c)->id, (st));  \
	} while (0)

static void
hc_close(struct hc *t)
{
	findings_release(&t->out);
	host_release(&t->host);
	policy_release(&t->policy);
	snapshot_release(&t->snap);
	ht_rmtree(t->root);
	free(t->root);
}

static void
need_root(void)
{
	if (!ht_can_chown())
		skip();
}

/* ------------------------------------------------------------ remote -- */

static void
test_not_applicable_without_host(void **state)
{
	const char *ids[] = { "LXD-LOG-001", "LXD-LOG-002", "LXD-LOG-003",
			      "LXD-HOS-001", "LXD-HOS-002", "LXD-HOS-003",
			      "LXD-HOS-004" };
	const struct check *own[] = { &acc001, &acc002, &acc007, &acc008,
				      &mul001, &mul004 };
	struct hc t;

	(void)state;
	hc_open(&t, "bare", snapfix);
	t.snap.remote = true;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_status(&t, cat(ids[i]), ST_NOTAPPLICABLE);
		assert_finding(&t, ST_NOTAPPLICABLE, "this audit is remote");
	}
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		assert_status(&t, own[i], ST_NOTAPPLICABLE);
	t.snap.remote = false;
	assert_status(&t, &acc001, ST_NOTAPPLICABLE);
	assert_finding(&t, ST_NOTAPPLICABLE, "--host-root");
	hc_close(&t);
}

/* ----------------------------------------------------------- ACC-001 -- */

static void
test_acc001_admin_group(void **state)
{
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	/* no list in the policy: a person decides */
	assert_status(&t, &acc001, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "to: alice.");
	strlist_push(&t.policy.admin_members, "alice");
	t.policy.admin_members.set = true;
	assert_status(&t, &acc001, ST_PASS);
	assert_finding(&t, ST_PASS, "'lxd' (the daemon's --group) holds: "
				    "alice");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	strlist_push(&t.policy.admin_members, "alice");
	t.policy.admin_members.set = true;
	assert_status(&t, &acc001, ST_FAIL);
	assert_finding(&t, ST_FAIL, "User 'bob' is in the admin group 'lxd'");
	assert_finding(&t, ST_FAIL, "User 'mallory' is in the admin group "
				    "'lxd' (the daemon's --group, as primary "
				    "group)");
	assert_null(hc_find(&t, ST_FAIL, "'alice'"));
	hc_close(&t);
}

static void
test_acc001_no_group_and_pending(void **state)
{
	static const char *const no_group[] = {
		"lxd", "--logfile", "/var/snap/lxd/common/lxd/logs/lxd.log",
		NULL,
	};
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	/* the daemon started before daemon.group named an existing group */
	ht_cmdline(t.root, 4242, no_group);
	hc_read(&t, snap_good_cmds, NULL);
	strlist_push(&t.policy.admin_members, "alice");
	t.policy.admin_members.set = true;
	assert_status(&t, &acc001, ST_PASS);
	assert_finding(&t, ST_PASS, "without --group: only root");
	assert_finding(&t, ST_PASS, "After the next restart (the snap's "
				    "daemon.group is 'lxd')");

	/* a group that is not in /etc/group */
	ht_write(t.root, "var/snap/lxd/common/config",
		 "daemon_group=nosuch\n", 0644);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc001, ST_PASS);
	assert_null(t.host.admin_group_pending);

	/* an unreadable user database is an error, not a pass */
	ht_write(t.root, "etc/group", NULL, 0);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc001, ST_ERROR);
	hc_close(&t);
}

/* ----------------------------------------------------------- ACC-002 -- */

static void
test_acc002_socket(void **state)
{
	struct hc t;

	(void)state;
	need_root();
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc002, ST_PASS);
	assert_finding(&t, ST_PASS, "mode 0660, owner root and group lxd");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, &acc002, ST_FAIL);
	assert_finding(&t, ST_FAIL, "mode is 0666, wider than 0660: every "
				    "local user");
	assert_finding(&t, ST_FAIL, "group is root (gid 0), not the admin "
				    "group lxd");
	assert_string_equal(t.out.v[0].object,
			    "file:///var/snap/lxd/common/lxd/unix.socket");
	hc_close(&t);

	hc_open(&t, "package-bad", snapfix);
	hc_read(&t, package_bad_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, &acc002, ST_FAIL);
	assert_finding(&t, ST_FAIL, "0770");
	assert_finding(&t, ST_FAIL, "owned by alice (uid 1000), not root");
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, &acc002, ST_ERROR);
	hc_close(&t);
}

/* ------------------------------------------------------ ACC-007/008 -- */

static json_t *
cert_json(const char *file, const char *name, const char *type)
{
	char *p = xasprintf("%s/%s", ht_pki, file);
	struct diag d = { { 0 } };
	char *pem = read_file(p, NULL, &d);
	json_t *o;

	if (!pem)
		fail_msg("%s", d.msg);
	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:[]}", "name", name, "type",
		      type, "fingerprint", name, "certificate", pem,
		      "restricted", 0, "projects");
	free(pem);
	free(p);
	return o;
}

static void
test_acc007_lifetime(void **state)
{
	const char *ca = "var/snap/lxd/common/lxd/server.ca";
	json_t *certs = json_array();
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc007, ST_NOTAPPLICABLE);
	assert_finding(&t, ST_NOTAPPLICABLE, "not in PKI mode");

	ht_put_pki(t.root, "ca.crt", ca);
	hc_read(&t, snap_good_cmds, NULL);
	json_array_append_new(certs, cert_json("client-short.crt", "short",
					       "client"));
	json_array_append_new(certs, cert_json("ca.crt", "peer", "server"));
	json_decref(t.snap.part[SNAP_CERTIFICATES]);
	t.snap.part[SNAP_CERTIFICATES] = certs;
	assert_status(&t, &acc007, ST_PASS);
	assert_finding(&t, ST_PASS, "'short' is valid for 30d");

	json_array_append_new(certs, cert_json("client-long.crt", "long",
					       "metrics"));
	assert_status(&t, &acc007, ST_FAIL);
	assert_finding(&t, ST_FAIL, "Metrics certificate 'long' is valid for "
				    "1y 35d");
	assert_finding(&t, ST_FAIL, "policy maximum of 90d");
	assert_int_equal(t.out.v[1].severity, SEV_LOW);
	assert_string_equal(t.out.v[1].object, "/1.0/certificates/long");

	/* a shorter policy makes the short one fail too */
	t.policy.cert_lifetime_max = 7 * 86400;
	assert_status(&t, &acc007, ST_FAIL);
	assert_finding(&t, ST_FAIL, "'short'");

	ht_write(t.root, ca, "not a certificate\n", 0644);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc007, ST_ERROR);
	hc_close(&t);
}

static void
test_acc008_crl(void **state)
{
	const char *crl = "var/snap/lxd/common/lxd/ca.crl";
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_NOTAPPLICABLE);

	ht_put_pki(t.root, "ca.crt", "var/snap/lxd/common/lxd/server.ca");
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_FAIL);
	assert_finding(&t, ST_FAIL, "without a revocation list");
	assert_string_equal(t.out.v[0].object,
			    "file:///var/snap/lxd/common/lxd/ca.crl");

	ht_put_pki(t.root, "crl-good.pem", crl);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_PASS);
	assert_finding(&t, ST_PASS, "signed by the CA, revokes 1 "
				    "certificate(s)");

	ht_put_pki(t.root, "crl-expired.pem", crl);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_FAIL);
	assert_finding(&t, ST_FAIL, "due 2020-02-01T00:00:00Z");

	ht_put_pki(t.root, "crl-foreign.pem", crl);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_FAIL);
	assert_finding(&t, ST_FAIL, "signature does not verify with the CA's "
				    "key");

	ht_put_pki(t.root, "crl-other.pem", crl);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_FAIL);
	assert_finding(&t, ST_FAIL, "issued by 'CN=another CA'");

	ht_put_pki(t.root, "ca.crt", crl);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_FAIL);
	assert_finding(&t, ST_FAIL, "no PEM \"X509 CRL\" block");

	ht_write(t.root, crl, "-----BEGIN X509 CRL-----\nAAAA\n"
			      "-----END X509 CRL-----\n", 0644);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &acc008, ST_FAIL);
	assert_finding(&t, ST_FAIL, "does not parse");
	hc_close(&t);

	/* clustered: cluster.ca, not server.ca */
	hc_open(&t, "package-good", snapfix);
	ht_put_pki(t.root, "ca.crt", "var/lib/lxd/cluster.ca");
	ht_put_pki(t.root, "crl-good.pem", "var/lib/lxd/ca.crl");
	ht_write(t.root, "var/lib/lxd/cluster.crt", "x", 0644);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, &acc008, ST_PASS);
	assert_string_equal(t.host.ca_path, "/var/lib/lxd/cluster.ca");
	hc_close(&t);
}

/* ----------------------------------------------------------- MUL-001 -- */

static void
test_mul001_user_group(void **state)
{
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &mul001, ST_PASS);
	assert_finding(&t, ST_PASS, "group 'lxdusers', administrators 'lxd'");
	/* without the config file both default to lxd */
	ht_write(t.root, "var/snap/lxd/common/config", NULL, 0);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &mul001, ST_FAIL);
	assert_finding(&t, ST_FAIL, "the defaults");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, &mul001, ST_FAIL);
	assert_finding(&t, ST_FAIL, "both 'lxd'");
	assert_string_equal(t.out.v[0].key, "daemon.user.group");
	hc_close(&t);

	hc_open(&t, "package-good", snapfix);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	if (ht_can_chown()) {
		assert_status(&t, &mul001, ST_PASS);
		assert_finding(&t, ST_PASS, "group is lxdusers");
	}
	/* no user daemon running: nothing to judge */
	ht_write(t.root, "proc/11400/cmdline", NULL, 0);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, &mul001, ST_NOTAPPLICABLE);
	hc_close(&t);

	if (ht_can_chown()) {
		hc_open(&t, "package-bad", snapfix);
		hc_read(&t, package_bad_cmds, "/var/lib/lxd/unix.socket");
		assert_status(&t, &mul001, ST_FAIL);
		assert_finding(&t, ST_FAIL, "is the admin group 'lxd'");
		hc_close(&t);
	}

	hc_open(&t, "incus", "incus-70");
	hc_read(&t, NULL, NULL);
	assert_status(&t, &mul001, ST_PASS);
	hc_close(&t);
}

/* ----------------------------------------------------------- MUL-004 -- */

static void
test_mul004_name_leak(void **state)
{
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, &mul004, ST_PASS);
	assert_finding(&t, ST_PASS, "/proc/sched_debug has mode 0400");
	assert_finding(&t, ST_PASS, "/sys/kernel/slab has mode 0700");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, &mul004, ST_FAIL);
	assert_finding(&t, ST_FAIL, "/proc/sched_debug has mode 0444, wider "
				    "than 0400");
	assert_finding(&t, ST_FAIL, "/sys/kernel/slab has mode 0755, wider "
				    "than 0700");
	assert_int_equal(t.out.v[0].remedy.n_commands, 1);
	assert_string_equal(t.out.v[0].remedy.commands[0],
			    "chmod 400 /proc/sched_debug");
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, &mul004, ST_PASS);
	assert_finding(&t, ST_PASS, "does not exist");
	hc_close(&t);
}

/* ------------------------------------------------------- LOG-001/002 -- */

static void
test_log001_002_flags(void **state)
{
	const struct check *syslog = cat("LXD-LOG-001");
	const struct check *verbose = cat("LXD-LOG-002");
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, syslog, ST_PASS);
	assert_finding(&t, ST_PASS, "(PID 4242) logs to syslog "
				    "(daemon.syslog=true)");
	assert_status(&t, verbose, ST_PASS);
	/* config says no: the next restart turns it off */
	ht_write(t.root, "var/snap/lxd/common/config",
		 "daemon_syslog=false\ndaemon_debug=true\n", 0644);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, syslog, ST_FAIL);
	assert_finding(&t, ST_FAIL, "the next restart turns it off");
	assert_status(&t, verbose, ST_PASS);
	/* the daemon cannot be found: the config alone cannot pass */
	ht_write(t.root, "var/snap/lxd/common/config",
		 "daemon_syslog=true\n", 0644);
	ht_write(t.root, "var/snap/lxd/common/lxd.pid", NULL, 0);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, syslog, ST_ERROR);
	assert_finding(&t, ST_ERROR, "daemon.syslog is true, but whether");
	assert_status(&t, verbose, ST_FAIL);
	assert_finding(&t, ST_FAIL, "daemon.verbose is false, so the daemon "
				    "does not log verbosely");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, syslog, ST_FAIL);
	assert_finding(&t, ST_FAIL, "daemon.syslog=true is not in effect yet");
	assert_string_equal(fix_text(&t.out.v[0]), "snap restart lxd.daemon");
	assert_status(&t, verbose, ST_FAIL);
	assert_finding(&t, ST_FAIL, "daemon.verbose is false and the daemon "
				    "(PID 4243) runs without --verbose");
	hc_close(&t);

	/*
	 * The package trees' daemon is the PID of LXD 5.0.2's saved state;
	 * LXD 5.21 and 6.x ship only as the snap.
	 */
	if (str_eq(snapfix, "sample-502")) {
		hc_open(&t, "package-good", snapfix);
		hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
		assert_status(&t, syslog, ST_PASS);
		assert_status(&t, verbose, ST_PASS);
		hc_close(&t);

		hc_open(&t, "package-bad", snapfix);
		hc_read(&t, package_bad_cmds, "/var/lib/lxd/unix.socket");
		assert_status(&t, syslog, ST_FAIL);
		assert_finding(&t, ST_FAIL, "runs without --syslog");
		assert_non_null(strstr(fix_text(&t.out.v[0]),
				       "systemctl edit lxd.service"));
		assert_status(&t, verbose, ST_FAIL);
		hc_close(&t);
	}

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, syslog, ST_ERROR);
	assert_finding(&t, ST_ERROR, "cannot find the LXD daemon's process");
	hc_close(&t);
}

/* ----------------------------------------------------------- LOG-003 -- */

static void
test_log003_auditd(void **state)
{
	static const struct ht_cmd partial[] = {
		{ "/usr/sbin/auditctl -l", 0, "-w /snap/bin/lxc -p x\n",
		  NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const struct ht_cmd broken[] = {
		{ "/usr/sbin/auditctl -l", -1, NULL,
		  "/usr/sbin/auditctl: no answer within 30 seconds" },
		{ NULL, 0, NULL, NULL },
	};
	const struct check *c = cat("LXD-LOG-003");
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, c, ST_PASS);
	assert_int_equal(t.out.n, 5);
	assert_finding(&t, ST_PASS, "/snap/bin/lxd.check-kernel are audited "
				    "(rules file and loaded rules)");
	/* rules on disk but not loaded */
	hc_read(&t, partial, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "The rules files watch /snap/bin/lxd, "
				    "but the loaded rules do not");
	/* auditctl does not answer: the files alone need a person */
	hc_read(&t, broken, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "no answer within 30 seconds");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "No audit rule records the execution of "
				    "/snap/bin/lxd.check-kernel");
	/* -p wa is no execution rule, and "never" rules add nothing */
	assert_finding(&t, ST_FAIL, "of /snap/bin/lxd.");
	assert_finding(&t, ST_FAIL, "of /snap/bin/lxd.buginfo");
	/* on disk only, auditctl says "No rules" */
	assert_finding(&t, ST_FAIL, "The rules files watch /snap/bin/lxc, but "
				    "the loaded rules do not");
	hc_close(&t);

	hc_open(&t, "package-good", snapfix);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_PASS);
	assert_int_equal(t.out.n, 3);
	hc_close(&t);

	hc_open(&t, "package-bad", snapfix);
	hc_read(&t, package_bad_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "execution of /usr/bin/lxd.");
	assert_finding(&t, ST_MANUAL, "exited with status 1: You must be "
				      "root");
	hc_close(&t);

	hc_open(&t, "incus", "incus-70");
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_PASS);
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "auditd is not installed");
	hc_close(&t);
}

/* ----------------------------------------------------------- LOG-004 -- */

static void
set_loki(struct hc *t, const char *ext, const char *key, const char *value)
{
	json_t *server = t->snap.part[SNAP_SERVER];

	if (ext)
		json_array_append_new(json_object_get(server,
						      "api_extensions"),
				      json_string(ext));
	if (key)
		json_object_set_new(json_object_get(server, "config"), key,
				    json_string(value));
}

static void
test_log004_loki(void **state)
{
	const struct check *c = cat("LXD-LOG-004");
	struct hc t;

	(void)state;
	hc_open(&t, "bare", snapfix);
	/* an API check: judged without the host, even remotely */
	t.snap.remote = true;
	assert_status(&t, c, ST_NOTAPPLICABLE);
	assert_finding(&t, ST_NOTAPPLICABLE, "LXD 5.0.2 has no Loki support");
	set_loki(&t, "loki", NULL, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "loki.api.url is not set");
	set_loki(&t, NULL, "loki.api.url", "https://loki.example:3100");
	assert_status(&t, c, ST_PASS);
	set_loki(&t, "event_security", NULL, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "loki.types=lifecycle,logging leaves out "
				    "security");
	assert_string_equal(fix_text(&t.out.v[0]),
			    "lxc config set loki.types=lifecycle,logging,"
			    "security");
	set_loki(&t, NULL, "loki.types", "lifecycle,security");
	assert_status(&t, c, ST_PASS);
	hc_close(&t);

	/*
	 * Incus names its loggers: an address alone defines none (Incus
	 * loads a logger by its target.type); tests/unit/test_releases.c
	 * has the rest.
	 */
	hc_open(&t, "bare", "incus-70");
	set_loki(&t, NULL, "logging.central.target.address",
		 "https://loki.example:3100");
	assert_status(&t, c, ST_FAIL);
	set_loki(&t, NULL, "logging.central.target.type", "loki");
	assert_status(&t, c, ST_PASS);
	assert_finding(&t, ST_PASS, "(logging.central.target.address)");
	hc_close(&t);
}

/* ----------------------------------------------------------- HOS-001 -- */

static void
test_hos001_updates(void **state)
{
	static const struct ht_cmd system_hold[] = {
		{ "/usr/bin/snap list lxd", 0, SNAP_LIST("-"), NULL },
		{ "/usr/bin/snap get system refresh.hold", 0, "forever\n",
		  NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const struct ht_cmd old_hold[] = {
		{ "/usr/bin/snap list lxd", 0, SNAP_LIST("-"), NULL },
		{ "/usr/bin/snap get system refresh.hold", 0,
		  "2020-01-01T00:00:00Z\n", NULL },
		{ NULL, 0, NULL, NULL },
	};
	const struct check *c = cat("LXD-HOS-001");
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, c, ST_PASS);
	assert_finding(&t, ST_PASS, "refreshes are not held");
	hc_read(&t, system_hold, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "refresh.hold=forever (every snap)");
	hc_read(&t, old_hold, NULL);
	assert_status(&t, c, ST_PASS);
	/* snap cannot be asked: a person looks */
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "cannot run /usr/bin/snap list lxd");
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "unattended-upgrades is not installed");
	assert_finding(&t, ST_FAIL, "APT::Periodic::Unattended-Upgrade is "
				    "\"0\"");
	assert_finding(&t, ST_FAIL, "refreshes are held (snap list lxd: "
				    "Notes held)");
	hc_close(&t);

	hc_open(&t, "package-good", snapfix);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_PASS);
	hc_close(&t);

	hc_open(&t, "package-bad", snapfix);
	hc_read(&t, package_bad_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "APT::Periodic::Update-Package-Lists is "
				    "not set");
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "not a Debian or Ubuntu host");
	hc_close(&t);

	hc_open(&t, "package-good", snapfix);
	ht_write(t.root, "etc/apt/apt.conf.d/99broken", "APT {\n", 0644);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "99broken");
	hc_close(&t);
}

/* ----------------------------------------------------------- HOS-002 -- */

static void
test_hos002_firewall(void **state)
{
	static const struct ht_cmd v4_only[] = {
		{ "/usr/sbin/nft -j list ruleset", 0, nft_v4_only, NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const struct ht_cmd nft_fails[] = {
		{ "/usr/sbin/nft -j list ruleset", 1, "",
		  "Error: Operation not permitted\n" },
		{ NULL, 0, NULL, NULL },
	};
	const struct check *c = cat("LXD-HOS-002");
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, c, ST_PASS);
	assert_finding(&t, ST_PASS, "IPv4 by nft table inet filter");
	hc_read(&t, v4_only, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "unexpected inbound IPv6 traffic");
	/* unless the host has no IPv6 */
	ht_write(t.root, "proc/sys/net/ipv6/conf/all/disable_ipv6", "1\n",
		 0644);
	hc_read(&t, v4_only, NULL);
	assert_status(&t, c, ST_PASS);
	assert_finding(&t, ST_PASS, "and IPv6 is disabled");
	hc_read(&t, nft_fails, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "Operation not permitted");
	/* no command at all: never a pass */
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_MANUAL);
	hc_close(&t);

	hc_open(&t, "snap-bad", snapfix);
	hc_read(&t, snap_bad_cmds, NULL);
	assert_status(&t, c, ST_FAIL);
	assert_finding(&t, ST_FAIL, "inbound IPv4 or IPv6 traffic (read: nft "
				    "-j list ruleset)");
	hc_close(&t);

	hc_open(&t, "package-good", snapfix);
	hc_read(&t, package_good_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_PASS);
	assert_finding(&t, ST_PASS, "IPv6 by ip6tables INPUT (last rule "
				    "REJECT)");
	hc_close(&t);

	hc_open(&t, "package-bad", snapfix);
	hc_read(&t, package_bad_cmds, "/var/lib/lxd/unix.socket");
	assert_status(&t, c, ST_FAIL);
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "Neither nft nor iptables");
	hc_close(&t);
}

/* ----------------------------------------------------------- HOS-003 -- */

static void
test_hos003_cis(void **state)
{
	const struct check *c = cat("LXD-HOS-003");
	struct hc t;

	(void)state;
	hc_open(&t, "snap-good", snapfix);
	hc_read(&t, snap_good_cmds, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "(usg is installed)");
	assert_finding(&t, ST_MANUAL, "no_files_unowned_by_user");
	assert_non_null(strstr(fix_text(&t.out.v[0]), "usg-tailoring"));
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_MANUAL);
	assert_null(hc_find(&t, ST_MANUAL, "is installed"));
	hc_close(&t);
}

/* ----------------------------------------------------------- HOS-004 -- */

#define PRO_ARGV "/usr/bin/pro status --format json"

/* tests/data/host/pro-status/NAME.json. Caller frees. */
static char *
pro_json(const char *name)
{
	char *rel = xasprintf("host/pro-status/%s.json", name);
	char *path = ht_data(rel);
	struct diag d = { { 0 } };
	char *text = read_file(path, NULL, &d);

	if (!text)
		fail_msg("%s", d.msg);
	free(path);
	free(rel);
	return text;
}

/* Reads the tree with `pro status` answering status, out and err. */
static void
pro_read(struct hc *t, int status, const char *out, const char *err)
{
	const struct ht_cmd cmds[] = {
		{ PRO_ARGV, status, out, err },
		{ NULL, 0, NULL, NULL },
	};

	hc_read(t, cmds, NULL);
}

/* Reads the tree with pro status printing sample NAME (exit 0). */
static void
pro_sample(struct hc *t, const char *name)
{
	char *json = pro_json(name);

	pro_read(t, 0, json, NULL);
	free(json);
}

static size_t
ct_count_status(const struct hc *t, enum status st)
{
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++)
		n += t->out.v[i].status == st;
	return n;
}

static const struct finding *
hc_only(const struct hc *t, enum status st)
{
	const struct finding *hit = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->out.n; i++)
		if (t->out.v[i].status == st) {
			hit = &t->out.v[i];
			n++;
		}
	if (n != 1) {
		hc_dump(t);
		fail_msg("%zu %s findings, want 1", n, status_name(st));
	}
	return hit;
}

static void
test_hos004_ubuntu_pro(void **state)
{
	const struct check *c = cat("LXD-HOS-004");
	const struct finding *f;
	struct hc t;

	(void)state;
	hc_open(&t, "ubuntu", snapfix);

	/* attached, both ESM services enabled */
	pro_sample(&t, "attached");
	assert_status(&t, c, ST_PASS);
	assert_int_equal(ct_count_status(&t, ST_PASS), 2);
	assert_finding(&t, ST_PASS, "esm-infra is enabled");
	assert_finding(&t, ST_PASS, "esm-apps is enabled");

	/* one service off */
	pro_sample(&t, "apps-disabled");
	assert_status(&t, c, ST_FAIL);
	f = hc_only(&t, ST_FAIL);
	assert_non_null(strstr(f->message, "esm-apps is disabled"));
	assert_string_equal(fix_text(f), "pro enable esm-apps");
	assert_finding(&t, ST_PASS, "esm-infra is enabled");

	/* not attached */
	pro_sample(&t, "unattached");
	assert_status(&t, c, ST_FAIL);
	f = hc_only(&t, ST_FAIL);
	assert_non_null(strstr(f->message, "Ubuntu 24.04.3 LTS host is not "
					   "attached to Ubuntu Pro"));
	assert_string_equal(f->key, "attached");
	assert_string_equal(f->value, "false");
	/* the token is the user's: a need, and no command */
	assert_int_equal(f->remedy.n_commands, 0);
	assert_string_equal(f->remedy.needs[0].name, "pro.token");

	/* what cannot be read is an error, never a pass */
	pro_read(&t, 0, "{\"attached\": true, \"services\": [", NULL);
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "pro status --format json: not JSON");
	pro_sample(&t, "attached-string");
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "no boolean \"attached\"");
	pro_sample(&t, "no-status");
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "esm-infra has no \"status\"");
	pro_read(&t, 1, "", "This command must be run as root (try using "
			    "sudo).\n");
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "exited with status 1: This command "
				     "must be run as root");
	pro_read(&t, -1, NULL, "pro status --format json ran longer than "
			       "30 s");
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "ran longer than 30 s");

	/* --host-root runs no command: a person looks */
	host_release(&t.host);
	ht_read(&t.host, t.root, NULL, NULL, &t.snap);
	assert_status(&t, c, ST_MANUAL);
	assert_finding(&t, ST_MANUAL, "pro status was not run");

	/* no client: the next step is to install it */
	ht_write(t.root, "usr/bin/pro", NULL, 0);
	pro_sample(&t, "attached");
	assert_status(&t, c, ST_FAIL);
	f = hc_only(&t, ST_FAIL);
	assert_non_null(strstr(f->message, "no Ubuntu Pro client"));
	assert_int_equal(f->remedy.n_commands, 1);
	assert_string_equal(f->remedy.commands[0],
			    "apt-get install ubuntu-pro-client");
	assert_string_equal(f->remedy.needs[0].name, "pro.token");

	/* os-release(5): /usr/lib/os-release when /etc has none */
	ht_write(t.root, "usr/bin/pro", "#!/bin/sh\n", 0755);
	ht_write(t.root, "etc/os-release", NULL, 0);
	ht_write(t.root, "usr/lib/os-release", "ID=ubuntu\nVERSION_ID=22.04\n",
		 0644);
	pro_sample(&t, "attached");
	assert_status(&t, c, ST_PASS);
	/* neither file: the distribution is unknown */
	ht_write(t.root, "usr/lib/os-release", NULL, 0);
	pro_sample(&t, "attached");
	assert_status(&t, c, ST_ERROR);
	assert_finding(&t, ST_ERROR, "Cannot tell the distribution");
	/* not Ubuntu: pro is not even asked */
	ht_write(t.root, "etc/os-release",
		 "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
		 0644);
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_NOTAPPLICABLE);
	assert_finding(&t, ST_NOTAPPLICABLE, "This host runs Debian GNU/Linux "
					     "12 (bookworm) (ID=debian in "
					     "/etc/os-release), not Ubuntu");
	hc_close(&t);

	hc_open(&t, "bare", snapfix);
	hc_read(&t, NULL, NULL);
	assert_status(&t, c, ST_NOTAPPLICABLE);
	assert_finding(&t, ST_NOTAPPLICABLE, "runs alpine (ID=alpine");
	hc_close(&t);
}

/* -------------------------------------------- Incus release states -- */

static const struct ht_cmd incus_good_cmds[] = {
	{ "/usr/sbin/auditctl -l", 0,
	  "-w /usr/bin/incus -p x\n-w /usr/libexec/incus/incusd -p x\n", NULL },
	{ "/usr/sbin/nft -j list ruleset", 0, nft_drop, NULL },
	{ NULL, 0, NULL, NULL },
};

static const struct ht_cmd incus_bad_cmds[] = {
	{ "/usr/sbin/auditctl -l", 0, "No rules\n", NULL },
	{ "/usr/sbin/nft -j list ruleset", 0, nft_accept, NULL },
	{ NULL, 0, NULL, NULL },
};

/*
 * The host checks with the Incus release states (Incus installed from a
 * package: incusd under /usr/libexec): each planted weakness fails and
 * its clean counterpart passes. HOS-001/003/004 and ACC-007/008 need a
 * distribution or PKI tree that the incus tree does not have yet.
 */
static void
test_incus_release_hosts(void **state)
{
	static const char *const rels[] = { "release/incus-6.0.6",
					    "release/incus-7.3" };
	static const char *const good[] = { "/usr/libexec/incus/incusd",
					    "--group", "incus-admin",
					    "--syslog", "--verbose", NULL };
	static const char *const bad[] = { "/usr/libexec/incus/incusd",
					   "--group", "incus-admin", NULL };

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rels); r++) {
		struct hc t;
		char *sock;

		/* clean */
		hc_open(&t, "incus", rels[r]);
		need_root();
		ht_cmdline(t.root, 1234, good);
		ht_write(t.root, "usr/sbin/nft", "", 0755);
		ht_write(t.root, "proc/sched_debug", "", 0400);
		hc_read(&t, incus_good_cmds, NULL);
		strlist_push(&t.policy.admin_members, "alice");
		t.policy.admin_members.set = true;
		assert_status(&t, cat("LXD-ACC-001"), ST_PASS);
		assert_status(&t, cat("LXD-ACC-002"), ST_PASS);
		assert_finding(&t, ST_PASS, "group incus-admin");
		assert_status(&t, cat("LXD-LOG-001"), ST_PASS);
		assert_status(&t, cat("LXD-LOG-002"), ST_PASS);
		assert_status(&t, cat("LXD-LOG-003"), ST_PASS);
		assert_finding(&t, ST_PASS, "/usr/bin/incus");
		assert_status(&t, cat("LXD-MUL-004"), ST_PASS);
		assert_status(&t, cat("LXD-HOS-002"), ST_PASS);
		hc_close(&t);

		/* weak */
		hc_open(&t, "incus", rels[r]);
		ht_cmdline(t.root, 1234, bad);
		ht_write(t.root, "usr/sbin/nft", "", 0755);
		ht_write(t.root, "proc/sched_debug", "", 0444);
		ht_write(t.root, "etc/audit/rules.d/incus.rules", NULL, 0);
		sock = xasprintf("%s/var/lib/incus/unix.socket", t.root);
		assert_int_equal(chmod(sock, 0666), 0);
		free(sock);
		hc_read(&t, incus_bad_cmds, NULL);
		strlist_push(&t.policy.admin_members, "carol");
		t.policy.admin_members.set = true;
		assert_status(&t, cat("LXD-ACC-001"), ST_FAIL);
		assert_finding(&t, ST_FAIL, "'alice'");
		assert_status(&t, cat("LXD-ACC-002"), ST_FAIL);
		assert_status(&t, cat("LXD-LOG-001"), ST_FAIL);
		assert_status(&t, cat("LXD-LOG-002"), ST_FAIL);
		assert_status(&t, cat("LXD-LOG-003"), ST_FAIL);
		assert_status(&t, cat("LXD-MUL-004"), ST_FAIL);
		assert_status(&t, cat("LXD-HOS-002"), ST_FAIL);
		/* by design, even on the weak host (expect.json by_design) */
		assert_status(&t, cat("LXD-MUL-001"), ST_PASS);
		for (size_t i = 0; i < t.out.n; i++)
			assert_null(strstr(fix_text(&t.out.v[i])
						   ? fix_text(&t.out.v[i])
						   : "",
					   "lxc "));
		hc_close(&t);

		/* Debian's incus package: updates come from APT alone */
		hc_open(&t, "incus", rels[r]);
		ht_cmdline(t.root, 1234, good);
		ht_write(t.root, "usr/bin/unattended-upgrade", "", 0755);
		ht_write(t.root, "etc/apt/apt.conf",
			 "APT::Periodic::Update-Package-Lists \"1\";\n"
			 "APT::Periodic::Unattended-Upgrade \"1\";\n", 0644);
		hc_read(&t, incus_good_cmds, NULL);
		assert_status(&t, cat("LXD-HOS-001"), ST_PASS);
		ht_write(t.root, "etc/apt/apt.conf",
			 "APT::Periodic::Unattended-Upgrade \"0\";\n", 0644);
		hc_read(&t, incus_good_cmds, NULL);
		assert_status(&t, cat("LXD-HOS-001"), ST_FAIL);
		assert_finding(&t, ST_FAIL, "Unattended-Upgrade");
		hc_close(&t);

		/* PKI mode: Incus keeps the CA and CRL in /var/lib/incus */
		hc_open(&t, "incus", rels[r]);
		ht_cmdline(t.root, 1234, good);
		ht_put_pki(t.root, "ca.crt", "var/lib/incus/server.ca");
		hc_read(&t, incus_good_cmds, NULL);
		assert_status(&t, cat("LXD-ACC-008"), ST_FAIL);
		assert_finding(&t, ST_FAIL, "without a revocation list");
		ht_put_pki(t.root, "crl-good.pem", "var/lib/incus/ca.crl");
		hc_read(&t, incus_good_cmds, NULL);
		assert_status(&t, cat("LXD-ACC-008"), ST_PASS);
		json_decref(t.snap.part[SNAP_CERTIFICATES]);
		t.snap.part[SNAP_CERTIFICATES] = json_array();
		json_array_append_new(t.snap.part[SNAP_CERTIFICATES],
				      cert_json("client-short.crt", "short",
						"client"));
		assert_status(&t, cat("LXD-ACC-007"), ST_PASS);
		json_array_append_new(t.snap.part[SNAP_CERTIFICATES],
				      cert_json("client-long.crt", "long",
						"client"));
		assert_status(&t, cat("LXD-ACC-007"), ST_FAIL);
		assert_finding(&t, ST_FAIL, "'long'");
		hc_close(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_applicable_without_host),
		cmocka_unit_test(test_acc001_admin_group),
		cmocka_unit_test(test_acc001_no_group_and_pending),
		cmocka_unit_test(test_acc002_socket),
		cmocka_unit_test(test_acc007_lifetime),
		cmocka_unit_test(test_acc008_crl),
		cmocka_unit_test(test_mul001_user_group),
		cmocka_unit_test(test_mul004_name_leak),
		cmocka_unit_test(test_log001_002_flags),
		cmocka_unit_test(test_log003_auditd),
		cmocka_unit_test(test_hos001_updates),
		cmocka_unit_test(test_hos002_firewall),
		cmocka_unit_test(test_hos003_cis),
		cmocka_unit_test(test_hos004_ubuntu_pro),
	};


	static const char *const fixtures[] = { "sample-502",
						"release/lxd-5.21.7",
						"release/lxd-6.9" };
	const struct CMUnitTest distro[] = {
		cmocka_unit_test(test_hos003_cis),
		cmocka_unit_test(test_hos004_ubuntu_pro),
	};
	static const char *const incus_fixtures[] = { "release/incus-6.0.6",
						      "release/incus-7.3" };
	struct CMUnitTest all[ARRAY_SIZE(tests) * ARRAY_SIZE(fixtures) + 2 +
			      ARRAY_SIZE(distro) * ARRAY_SIZE(incus_fixtures)];
	size_t n = 0;

	for (size_t f = 0; f < ARRAY_SIZE(fixtures); f++) {
		for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
			all[n] = tests[i];
			all[n].setup_func = use_fixture;
			all[n].initial_state = (void *)(uintptr_t)fixtures[f];
			n++;
		}
	}
	/* LOG-004 reads the server, not the host: sample-502 only */
	all[n] = (struct CMUnitTest)cmocka_unit_test(test_log004_loki);
	all[n].setup_func = use_fixture;
	all[n++].initial_state = (void *)(uintptr_t)fixtures[0];
	all[n++] = (struct CMUnitTest)cmocka_unit_test(
		test_incus_release_hosts);
	/* the distribution checks read the host only, whatever the server */
	for (size_t f = 0; f < ARRAY_SIZE(incus_fixtures); f++) {
		for (size_t i = 0; i < ARRAY_SIZE(distro); i++) {
			all[n] = distro[i];
			all[n].setup_func = use_fixture;
			all[n].initial_state =
				(void *)(uintptr_t)incus_fixtures[f];
			n++;
		}
	}
	return _cmocka_run_group_tests("host", all, n, ht_pki_setup,
				       ht_pki_teardown);
}
