/* test_host.c - reading fake host trees, the parsers, the real commands */
#include "hosttest.h"

#include <sys/socket.h>
#include <sys/un.h>

/* The loaded rules and the firewall of a tidy snap host. */
static const char nft_drop[] =
	"{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}},"
	"{\"table\": {\"family\": \"inet\", \"name\": \"filter\"}},"
	"{\"chain\": {\"family\": \"inet\", \"table\": \"filter\", \"name\": "
	"\"input\", \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, "
	"\"policy\": \"drop\"}},"
	"{\"rule\": {\"family\": \"inet\", \"table\": \"filter\", \"chain\": "
	"\"input\", \"expr\": [{\"match\": {\"op\": \"in\", \"left\": {\"ct\": "
	"{\"key\": \"state\"}}, \"right\": [\"established\", \"related\"]}}, "
	"{\"accept\": null}]}}]}";

/* LXD's own table: accepts on its bridge, drops nothing. */
static const char nft_lxd_only[] =
	"{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": "
	"\"lxd\"}},"
	"{\"chain\": {\"family\": \"inet\", \"table\": \"lxd\", \"name\": "
	"\"in.lxdbr0\", \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0,"
	" \"policy\": \"accept\"}},"
	"{\"rule\": {\"family\": \"inet\", \"table\": \"lxd\", \"chain\": "
	"\"in.lxdbr0\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": "
	"{\"meta\": {\"key\": \"iifname\"}}, \"right\": \"lxdbr0\"}}, "
	"{\"drop\": null}]}}]}";

/* IPv4 only, by a last rule that rejects everything. */
static const char nft_ip_reject[] =
	"{\"nftables\": [{\"chain\": {\"family\": \"ip\", \"table\": \"fw\", "
	"\"name\": \"in\", \"type\": \"filter\", \"hook\": \"input\", "
	"\"prio\": 10, \"policy\": \"accept\"}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"fw\", \"chain\": \"in\", "
	"\"expr\": [{\"counter\": {\"packets\": 0, \"bytes\": 0}}, "
	"{\"reject\": {\"type\": \"icmpx\"}}]}}]}";

static const char snap_list[] =
	"Name  Version  Rev    Tracking     Publisher   Notes\n"
	"lxd   5.21.3   31333  5.21/stable  canonical** -\n";

static const struct ht_cmd snap_good_cmds[] = {
	{ "/usr/sbin/auditctl -l", 0,
	  "-w /snap/bin/lxc -p x -k lxd_execution\n"
	  "-w /snap/bin/lxd -p x -k lxd_execution\n", NULL },
	{ "/usr/sbin/nft -j list ruleset", 0, nft_drop, NULL },
	{ "/usr/bin/snap list lxd", 0, snap_list, NULL },
	{ "/usr/bin/snap get system refresh.hold", 1, "",
	  "error: snap \"core\" has no \"refresh.hold\" configuration "
	  "option\n" },
	{ NULL, 0, NULL, NULL },
};

/* ------------------------------------------------------------ parsers -- */

static void
test_audit_rules(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	host_parse_audit_rules(
		"# comment -w /nope -p x\n"
		"-w /a -p x -k k\n"
		"-w /b -p wa\n"
		"-w /c\n"
		"  -w   /d   -p rwxa  # trailing comment\n"
		"-a always,exit -F arch=b64 -S all -F path=/e -F perm=x "
		"-F key=lxd_execution\n"
		"-a exit,always -F path=/f -S execve\n"
		"-a never,exit -F path=/g -F perm=x\n"
		"-a always,exit -F path=/h -F perm=wa\n"
		"-W /d -p rwxa\n"
		"No rules\n",
		&l);
	assert_int_equal(l.n, 4);
	assert_true(strlist_has(&l, "/a"));
	assert_false(strlist_has(&l, "/b"));
	assert_true(strlist_has(&l, "/c"));
	assert_false(strlist_has(&l, "/d"));
	assert_true(strlist_has(&l, "/e"));
	assert_true(strlist_has(&l, "/f"));
	assert_false(strlist_has(&l, "/g"));
	assert_false(strlist_has(&l, "/h"));
	host_parse_audit_rules("-D\n-w /z -p x\n", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "/z");
	strlist_release(&l);
	host_parse_audit_rules(NULL, &l);
	assert_int_equal(l.n, 0);
}

static void
fw_release(struct host_fw *fw)
{
	free(fw->name);
	free(fw->error);
	free(fw->v4_where);
	free(fw->v6_where);
	memset(fw, 0, sizeof(*fw));
}

static void
test_nft(void **state)
{
	struct host_fw fw = { 0 };
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(host_parse_nft(nft_drop, &fw, &d), 0);
	assert_true(fw.ran && fw.v4_drop && fw.v6_drop);
	assert_non_null(strstr(fw.v4_where, "inet filter, chain input "
					    "(policy drop)"));
	fw_release(&fw);

	assert_int_equal(host_parse_nft(nft_lxd_only, &fw, &d), 0);
	assert_true(fw.ran);
	assert_false(fw.v4_drop || fw.v6_drop);
	fw_release(&fw);

	assert_int_equal(host_parse_nft(nft_ip_reject, &fw, &d), 0);
	assert_true(fw.v4_drop);
	assert_false(fw.v6_drop);
	assert_non_null(strstr(fw.v4_where, "last rule drops"));
	fw_release(&fw);

	assert_int_equal(host_parse_nft("{\"nftables\": []}", &fw, &d), 0);
	assert_false(fw.v4_drop || fw.v6_drop);
	fw_release(&fw);

	assert_int_equal(host_parse_nft("Error: no netlink", &fw, &d), -1);
	assert_non_null(strstr(d.msg, "not nft JSON"));
	assert_int_equal(host_parse_nft("{}", &fw, &d), -1);
	fw_release(&fw);
}

static void
test_iptables(void **state)
{
	struct host_fw fw = { 0 };
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(host_parse_iptables("-P INPUT DROP\n-A INPUT -i lo "
					     "-j ACCEPT\n", false, &fw, &d),
			 0);
	assert_true(fw.v4_drop);
	assert_false(fw.v6_drop);
	fw_release(&fw);

	assert_int_equal(host_parse_iptables("-P INPUT ACCEPT\n-A INPUT -m "
					     "conntrack --ctstate ESTABLISHED "
					     "-j ACCEPT\n-A INPUT -j REJECT "
					     "--reject-with "
					     "icmp6-port-unreachable\n",
					     true, &fw, &d),
			 0);
	assert_true(fw.v6_drop);
	assert_false(fw.v4_drop);
	assert_non_null(strstr(fw.v6_where, "ip6tables INPUT (last rule "
					    "REJECT)"));
	fw_release(&fw);

	assert_int_equal(host_parse_iptables("-P INPUT ACCEPT\n-A INPUT -p "
					     "tcp -j DROP\n", false, &fw, &d),
			 0);
	assert_false(fw.v4_drop);
	fw_release(&fw);

	assert_int_equal(host_parse_iptables("iptables v1.8.9 (legacy): "
					     "can't initialize\n", false, &fw,
					     &d),
			 -1);
	fw_release(&fw);
}

static void
test_apt(void **state)
{
	static const char *const names[] = {
		"APT::Periodic::Unattended-Upgrade",
		"APT::Periodic::Update-Package-Lists",
	};
	char *v[2] = { NULL, NULL };
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(host_parse_apt("// x\nAPT::Periodic::"
					"Update-Package-Lists \"1\";\n"
					"apt::periodic::unattended-upgrade "
					"\"1\";\n",
					names, v, 2, &d),
			 0);
	assert_string_equal(v[0], "1");
	assert_string_equal(v[1], "1");
	assert_int_equal(host_parse_apt("APT { Periodic {\n"
					"  Unattended-Upgrade \"0\"; # off\n"
					"  /* Update-Package-Lists \"0\"; */\n"
					"}; };\n"
					"Unattended-Upgrade::Allowed-Origins "
					"{ \"${distro_id}:${distro_codename}\";"
					" };\n",
					names, v, 2, &d),
			 0);
	assert_string_equal(v[0], "0");
	assert_string_equal(v[1], "1");
	assert_int_equal(host_parse_apt("APT::Periodic::Unattended-Upgrade "
					"7;", names, v, 2, &d), 0);
	assert_string_equal(v[0], "7");
	assert_int_equal(host_parse_apt("APT { Periodic \"1\";", names, v, 2,
					&d),
			 -1);
	assert_non_null(strstr(d.msg, "not closed"));
	assert_int_equal(host_parse_apt("A \"b", names, v, 2, &d), -1);
	assert_int_equal(host_parse_apt("A \"b\" c;", names, v, 2, &d), -1);
	assert_int_equal(host_parse_apt("};", names, v, 2, &d), -1);
	free(v[0]);
	free(v[1]);
}

/* Each wrong shape of pro status output is refused, with what is wrong. */
static void
test_pro_status(void **state)
{
	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "", "not JSON" },
		{ "Unknown option --format", "not JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"services\": []}", "no boolean \"attached\"" },
		{ "{\"attached\": 1, \"services\": []}",
		  "no boolean \"attached\"" },
		{ "{\"attached\": false}", "no \"services\" list" },
		{ "{\"attached\": false, \"services\": {}}",
		  "no \"services\" list" },
		{ "{\"attached\": false, \"services\": [], \"version\": 37}",
		  "\"version\" is not a string" },
		{ "{\"attached\": true, \"services\": [\"esm-infra\"]}",
		  "services[0] is not an object" },
		{ "{\"attached\": true, \"services\": [{\"name\": 1}]}",
		  "services[0] is not an object with a string \"name\"" },
		{ "{\"attached\": true, \"services\": [{\"name\": "
		  "\"esm-apps\", \"status\": true}]}",
		  "the \"status\" of esm-apps is not a string" },
		{ "{\"attached\": true, \"services\": [{\"name\": "
		  "\"esm-infra\"}]}",
		  "attached but esm-infra has no \"status\"" },
	};
	struct diag d = { { 0 } };
	struct host_pro p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&d, 0, sizeof(d));
		if (host_parse_pro_status(bad[i].json, &p, &d) != -1)
			fail_msg("accepted %s", bad[i].json);
		if (!strstr(d.msg, bad[i].why))
			fail_msg("%s: '%s', want '%s'", bad[i].json, d.msg,
				 bad[i].why);
		assert_null(p.esm_infra);
	}
	assert_int_equal(host_parse_pro_status(NULL, &p, &d), -1);

	/* unattached: services without status */
	assert_int_equal(host_parse_pro_status(
				 "{\"attached\": false, \"version\": \"37.1\", "
				 "\"services\": [{\"name\": \"esm-infra\", "
				 "\"available\": \"yes\"}]}",
				 &p, &d),
			 0);
	assert_false(p.attached);
	assert_string_equal(p.version, "37.1");
	assert_null(p.esm_infra);
	assert_null(p.esm_apps);
	host_pro_release(&p);

	assert_int_equal(host_parse_pro_status(
				 "{\"attached\": true, \"services\": ["
				 "{\"name\": \"esm-apps\", \"status\": "
				 "\"disabled\"}, {\"name\": \"esm-infra\", "
				 "\"status\": \"enabled\"}, {\"name\": "
				 "\"livepatch\", \"status\": \"warning\"}]}",
				 &p, &d),
			 0);
	assert_true(p.attached);
	assert_null(p.version);
	assert_string_equal(p.esm_infra, "enabled");
	assert_string_equal(p.esm_apps, "disabled");
	host_pro_release(&p);
}

static void
test_os_release(void **state)
{
	char *id, *name;

	(void)state;
	host_parse_os_release("NAME=\"Ubuntu\"\nID=ubuntu\r\n"
			      "PRETTY_NAME=\"Ubuntu 24.04.3 LTS\"\n",
			      &id, &name);
	assert_string_equal(id, "ubuntu");
	assert_string_equal(name, "Ubuntu 24.04.3 LTS");
	free(id);
	free(name);
	/* quotes of either kind, escapes in double quotes, case of ID */
	host_parse_os_release("ID='Ubuntu'\nNAME=\"A \\\"B\\\" \\\\C\"\n", &id,
			      &name);
	assert_string_equal(id, "ubuntu");
	assert_string_equal(name, "A \"B\" \\C");
	free(id);
	free(name);
	/* os-release(5): no ID means "linux"; ID_LIKE is not ID */
	host_parse_os_release("ID_LIKE=ubuntu\n", &id, &name);
	assert_string_equal(id, "linux");
	assert_string_equal(name, "linux");
	free(id);
	free(name);
	host_parse_os_release(NULL, &id, &name);
	assert_string_equal(id, "linux");
	free(id);
	free(name);
}

/* -------------------------------------------------------------- trees -- */

static void
test_snap_tree(void **state)
{
	const struct host_ops ops = HT_OPS(snap_good_cmds);
	char *root = ht_tree("snap-good");
	struct snapshot s;
	struct host h;

	(void)state;
	ht_put_pki(root, "ca.crt", "var/snap/lxd/common/lxd/server.ca");
	ht_put_pki(root, "crl-good.pem", "var/snap/lxd/common/lxd/ca.crl");
	ht_load_snapshot(&s, "sample-502");
	ht_read(&h, root, &ops, NULL, &s);

	assert_int_equal(h.install, HOST_INSTALL_SNAP);
	assert_string_equal(host_install_name(h.install), "snap");
	assert_string_equal(h.lxd_dir, "/var/snap/lxd/common/lxd");
	assert_string_equal(h.socket_path,
			    "/var/snap/lxd/common/lxd/unix.socket");
	assert_true(h.socket.exists);
	assert_int_equal(h.socket.mode, 0660);
	/* environment.server_pid 11320 is not in the tree; lxd.pid is */
	assert_int_equal(h.pid, 4242);
	assert_string_equal(h.pid_from, "/var/snap/lxd/common/lxd.pid");
	assert_true(h.flag_syslog && h.flag_verbose && !h.flag_debug);
	assert_string_equal(h.flag_group, "lxd");
	assert_true(h.snap_config_present);
	assert_string_equal(h.snap_group, "lxd");
	assert_string_equal(h.snap_user_group, "lxdusers");
	assert_int_equal(h.snap_syslog, 1);
	assert_int_equal(h.snap_verbose, 1);
	assert_int_equal(h.snap_debug, 0);
	assert_string_equal(h.admin_group, "lxd");
	assert_null(h.admin_group_pending);
	assert_null(h.accounts_error);
	assert_non_null(host_group_by_name(&h, "lxdusers"));
	assert_int_equal(host_group_by_name(&h, "lxd")->gid, 998);

	assert_true(h.ca_present);
	assert_null(h.ca_error);
	assert_string_equal(h.ca_subject, "CN=lxd-harden test CA");
	assert_true(h.crl_present && h.crl_signed && h.crl_has_next);
	assert_int_equal(h.crl_revoked, 1);

	assert_string_equal(h.auditd_path, "/usr/sbin/auditd");
	assert_int_equal(h.lxd_binaries.n, 5);
	assert_int_equal(h.audit_file_exec.n, 5);
	assert_false(strlist_has(&h.audit_file_exec, "/snap/bin/ignored"));
	assert_true(h.audit_loaded_known);
	assert_int_equal(h.audit_loaded_exec.n, 2);

	assert_true(h.sched_debug.exists);
	assert_int_equal(h.sched_debug.mode, 0400);
	assert_int_equal(h.slab.mode, 0700);

	assert_true(h.apt_present && h.uu_installed);
	assert_string_equal(h.apt_unattended, "1");
	assert_string_equal(h.apt_unattended_from,
			    "/etc/apt/apt.conf.d/20auto-upgrades");
	assert_int_equal(h.snap_held, 0);
	assert_int_equal(h.n_fw, 1);
	assert_true(h.fw[0].v4_drop && h.fw[0].v6_drop);
	assert_true(h.usg_installed);
	assert_string_equal(h.user_socket_path,
			    "/var/snap/lxd/common/lxd-user/unix.socket");

	host_release(&h);
	snapshot_release(&s);
	ht_rmtree(root);
	free(root);
}

static void
test_package_tree(void **state)
{
	static const struct ht_cmd cmds[] = {
		{ "/usr/sbin/iptables-legacy -S INPUT", 0,
		  "-P INPUT DROP\n", NULL },
		{ "/usr/sbin/ip6tables-legacy -S INPUT", 0,
		  "-P INPUT DROP\n", NULL },
		{ NULL, 0, NULL, NULL },
	};
	const struct host_ops ops = HT_OPS(cmds);
	char *root = ht_tree("package-good");
	struct snapshot s;
	struct host h;

	(void)state;
	ht_load_snapshot(&s, "sample-502");
	ht_read(&h, root, &ops, "/var/lib/lxd/unix.socket", &s);

	assert_int_equal(h.install, HOST_INSTALL_PACKAGE);
	assert_string_equal(h.lxd_dir, "/var/lib/lxd");
	assert_int_equal(h.pid, 11320);
	assert_string_equal(h.pid_from, "environment.server_pid");
	assert_true(h.flag_syslog && h.flag_debug && !h.flag_verbose);
	assert_string_equal(h.admin_group, "lxd");
	assert_string_equal(h.admin_group_from, "the daemon's --group");
	assert_int_equal(h.user_pid, 11400);
	assert_string_equal(h.user_socket_path,
			    "/var/lib/lxd-user/unix.socket");
	assert_true(h.user_socket.exists);
	assert_false(h.ca_present);
	assert_int_equal(h.lxd_binaries.n, 3);
	assert_true(strlist_has(&h.audit_file_exec, "/usr/bin/lxd-user"));
	assert_true(strlist_has(&h.audit_file_exec, "/usr/bin/lxc"));
	assert_null(h.auditctl_path);
	assert_false(h.audit_loaded_known);
	assert_string_equal(h.apt_unattended, "always");
	assert_string_equal(h.apt_update_lists, "7");
	assert_string_equal(h.apt_update_lists_from, "/etc/apt/apt.conf");
	assert_int_equal(h.snap_held, -1);
	assert_int_equal(h.n_fw, 2);
	assert_true(h.fw[0].v4_drop && h.fw[1].v6_drop);
	assert_false(h.sched_debug.exists);

	host_release(&h);
	snapshot_release(&s);
	ht_rmtree(root);
	free(root);
}

static void
test_incus_tree(void **state)
{
	char *root = ht_tree("incus");
	struct snapshot s;
	struct host h;

	(void)state;
	ht_load_snapshot(&s, "incus-70");
	ht_read(&h, root, NULL, NULL, &s);
	assert_int_equal(h.install, HOST_INSTALL_INCUS);
	assert_string_equal(h.product, "Incus");
	assert_string_equal(h.lxd_dir, "/var/lib/incus");
	assert_string_equal(h.socket_path, "/var/lib/incus/unix.socket");
	assert_int_equal(h.pid, 11320);
	assert_string_equal(h.admin_group, "incus-admin");
	assert_int_equal(h.lxd_binaries.n, 2);
	/* no ops and a tree: commands are not run */
	assert_non_null(h.commands_why);
	assert_null(h.auditctl_path);
	host_release(&h);
	snapshot_release(&s);
	ht_rmtree(root);
	free(root);
}

/*
 * Links in the tree resolve in the tree: /etc/group pointing at
 * /etc/group.tree (absolutely) and /etc/passwd at ../../../etc/passwd.tree
 * read the tree's files, not this machine's.
 */
static void
test_tree_links(void **state)
{
	char *root = ht_tree("package-good");
	char *p, *q;
	const struct host_group *g;
	struct snapshot s;
	struct host h;
	FILE *f;

	(void)state;
	p = xasprintf("%s/etc/group", root);
	q = xasprintf("%s.tree", p);
	assert_int_equal(rename(p, q), 0);
	free(q);
	assert_int_equal(symlink("/etc/group.tree", p), 0);
	free(p);
	p = xasprintf("%s/etc/group.tree", root);
	f = fopen(p, "a");
	assert_non_null(f);
	fputs("treeonly:x:4242:carol\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/etc/passwd", root);
	q = xasprintf("%s.tree", p);
	assert_int_equal(rename(p, q), 0);
	free(q);
	assert_int_equal(symlink("../../../../../../../../etc/passwd.tree", p),
			 0);
	free(p);
	ht_load_snapshot(&s, "sample-502");
	ht_read(&h, root, NULL, "/var/lib/lxd/unix.socket", &s);
	assert_null(h.accounts_error);
	g = host_group_by_name(&h, "treeonly");
	assert_non_null(g);
	assert_int_equal(g->gid, 4242);
	assert_non_null(host_group_by_name(&h, "lxd"));
	assert_true(h.n_users > 0);
	host_release(&h);
	snapshot_release(&s);
	ht_rmtree(root);
	free(root);
}

static void
test_bare_tree(void **state)
{
	char *root = ht_tree("bare");
	struct host h;

	(void)state;
	ht_read(&h, root, NULL, NULL, NULL);
	assert_int_equal(h.install, HOST_INSTALL_PACKAGE);
	assert_string_equal(h.socket_path, "/var/lib/lxd/unix.socket");
	assert_false(h.socket.exists);
	assert_int_equal(h.pid, 0);
	assert_non_null(strstr(h.daemon_error, "no environment.server_pid"));
	assert_non_null(strstr(h.accounts_error, "/etc/group"));
	assert_null(h.auditd_path);
	assert_false(h.apt_present);
	assert_int_equal(h.n_fw, 0);
	assert_false(h.slab.exists);
	host_release(&h);
	ht_rmtree(root);
	free(root);
}

static void
test_daemon_checks(void **state)
{
	static const char *const helper[] = {
		"lxd", "forkexec", "c1", "/var/lib/lxd", NULL,
	};
	static const char *const other[] = { "/sbin/init", NULL };
	static const char *const daemon[] = {
		"/usr/bin/lxd", "daemon", "--group=adm", "--syslog=false",
		"-v", NULL,
	};
	const struct host_ops ops = HT_OPS(snap_good_cmds);
	char *root = ht_tree("snap-good");
	struct snapshot s;
	struct host h;

	(void)state;
	ht_load_snapshot(&s, "sample-502");
	/* the API's PID is a helper, lxd.pid another program */
	ht_cmdline(root, 11320, helper);
	ht_cmdline(root, 4242, other);
	ht_read(&h, root, &ops, NULL, &s);
	assert_int_equal(h.pid, 0);
	assert_non_null(strstr(h.daemon_error, "environment.server_pid "
					       "11320 is 'lxd forkexec', not "
					       "the LXD daemon"));
	assert_non_null(strstr(h.daemon_error, "is '/sbin/init'"));
	assert_non_null(strstr(h.daemon_error, "fake tree has no sockets"));
	/* without a process the snap's setting decides the group */
	assert_string_equal(h.admin_group, "lxd");
	assert_string_equal(h.admin_group_from, "the snap's daemon.group");
	host_release(&h);

	ht_cmdline(root, 11320, daemon);
	ht_write(root, "var/snap/lxd/common/config",
		 "daemon_group=\"lxdusers\"\ndaemon_syslog='yes'\n", 0644);
	ht_read(&h, root, &ops, NULL, &s);
	assert_int_equal(h.pid, 11320);
	assert_string_equal(h.flag_group, "adm");
	assert_false(h.flag_syslog);
	assert_true(h.flag_verbose);
	assert_string_equal(h.admin_group, "adm");
	assert_string_equal(h.admin_group_pending, "lxdusers");
	assert_int_equal(h.snap_syslog, 1);
	assert_int_equal(h.snap_verbose, -1);
	assert_string_equal(h.snap_user_group, "lxd");
	host_release(&h);

	snapshot_release(&s);
	ht_rmtree(root);
	free(root);
}

static void
test_bad_root(void **state)
{
	struct host_opts o = { "/nonexistent/lxdh", NULL, NULL };
	struct diag d = { { 0 } };
	struct host h;

	(void)state;
	host_init(&h);
	assert_int_equal(host_read(&h, &o, NULL, &d), -1);
	assert_non_null(strstr(d.msg, "/nonexistent/lxdh"));
	o.root = "/etc/passwd";
	assert_int_equal(host_read(&h, &o, NULL, &d), -1);
	assert_non_null(strstr(d.msg, "not a directory"));
	host_release(&h);
}

static void
test_ca_signed(void **state)
{
	char *root = ht_tree("snap-good");
	char *p;
	struct diag d = { { 0 } };
	struct host h;
	char *pem;

	(void)state;
	ht_put_pki(root, "ca.crt", "var/snap/lxd/common/lxd/server.ca");
	ht_read(&h, root, NULL, NULL, NULL);
	p = xasprintf("%s/client-short.crt", ht_pki);
	pem = read_file(p, NULL, &d);
	assert_int_equal(host_ca_signed(&h, pem, &d), 0);
	free(pem);
	free(p);
	p = xasprintf("%s/foreign.crt", ht_pki);
	pem = read_file(p, NULL, &d);
	assert_int_equal(host_ca_signed(&h, pem, &d), -1);
	free(pem);
	free(p);
	assert_int_equal(host_ca_signed(&h, "junk", &d), -1);
	host_release(&h);
	ht_rmtree(root);
	free(root);
}

/* ---------------------------------------------------------- real ops -- */

static void
test_system_run(void **state)
{
	const char *argv[] = { "/bin/sh", "-c",
			       "echo out; echo err >&2; exit 3", NULL };
	const char *missing[] = { "/nonexistent/lxdh-cmd", NULL };
	struct host_run r;
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(host_ops_system.run(&host_ops_system, argv, &r, &d),
			 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out, "out\n");
	assert_string_equal(r.err, "err\n");
	host_run_release(&r);
	/* glibc reports a failed exec; valgrind's fork-based spawn exits 127 */
	if (host_ops_system.run(&host_ops_system, missing, &r, &d) == 0)
		assert_int_equal(r.status, 127);
	else
		assert_non_null(strstr(d.msg, "/nonexistent/lxdh-cmd"));
	host_run_release(&r);
}

/* Root runs only binaries that only root can change. */
static void
test_system_run_trust(void **state)
{
	char *dir = xstrdup("/tmp/lxdh-trust.XXXXXX");
	char *bin;
	const char *argv[] = { NULL, NULL };
	struct host_run r;
	struct diag d = { { 0 } };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	bin = xasprintf("%s/cmd", dir);
	f = fopen(bin, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho ran\n", f);
	fclose(f);
	assert_int_equal(chmod(bin, 0755), 0);
	argv[0] = bin;
	if (geteuid() == 0) {
		assert_int_equal(host_ops_system.run(&host_ops_system, argv,
						     &r, &d),
				 0);
		assert_string_equal(r.out, "ran\n");
		host_run_release(&r);
	} else {
		/* the file is ours, not root's */
		assert_int_equal(host_ops_system.run(&host_ops_system, argv,
						     &r, &d),
				 -1);
		assert_non_null(strstr(d.msg, "refusing to run"));
	}
	/* a directory on the way that others may write */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(host_ops_system.run(&host_ops_system, argv, &r, &d),
			 -1);
	assert_non_null(strstr(d.msg, "can be changed by a user other than "
				      "root"));
	/* ... unless sticky, like /tmp itself */
	assert_int_equal(chmod(dir, 01777), 0);
	if (geteuid() == 0) {
		assert_int_equal(host_ops_system.run(&host_ops_system, argv,
						     &r, &d),
				 0);
		host_run_release(&r);
	}
	assert_int_equal(chmod(dir, 0700), 0);
	/* the file itself */
	assert_int_equal(chmod(bin, 0757), 0);
	assert_int_equal(host_ops_system.run(&host_ops_system, argv, &r, &d),
			 -1);
	assert_non_null(strstr(d.msg, "mode 0757"));
	/* not a regular file */
	argv[0] = dir;
	assert_int_equal(host_ops_system.run(&host_ops_system, argv, &r, &d),
			 -1);
	assert_non_null(strstr(d.msg, "is not a regular file"));
	unlink(bin);
	rmdir(dir);
	free(bin);
	free(dir);
}

static void
test_system_socket_pid(void **state)
{
	char *dir = xstrdup("/tmp/lxdh-sock.XXXXXX"); /* short: sun_path */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct diag d = { { 0 } };
	char *path;
	long pid = 0;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/s", dir);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(host_ops_system.socket_pid(&host_ops_system, path,
						    &pid, &d),
			 0);
	assert_int_equal(pid, (long)getpid());
	close(fd);
	unlink(path);
	assert_int_equal(host_ops_system.socket_pid(&host_ops_system, path,
						    &pid, &d),
			 -1);
	free(path);
	rmdir(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_rules),
		cmocka_unit_test(test_nft),
		cmocka_unit_test(test_iptables),
		cmocka_unit_test(test_apt),
		cmocka_unit_test(test_pro_status),
		cmocka_unit_test(test_os_release),
		cmocka_unit_test(test_snap_tree),
		cmocka_unit_test(test_package_tree),
		cmocka_unit_test(test_incus_tree),
		cmocka_unit_test(test_bare_tree),
		cmocka_unit_test(test_tree_links),
		cmocka_unit_test(test_daemon_checks),
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_ca_signed),
		cmocka_unit_test(test_system_run),
		cmocka_unit_test(test_system_run_trust),
		cmocka_unit_test(test_system_socket_pid),
	};

	return cmocka_run_group_tests(tests, ht_pki_setup, ht_pki_teardown);
}
