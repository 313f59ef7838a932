/* test_profile.c - the plan of profile create, and the host fixes of
   LOG-001/002/003 (plan, apply through fake host_ops, rollback) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "fix.h"
#include "journal.h"

/* ------------------------------------------------------ profile create */

static const char *profiles_json =
	"[{\"name\":\"default\",\"project\":\"default\",\"config\":{},"
	"\"devices\":{\"root\":{\"type\":\"disk\",\"path\":\"/\","
	"\"pool\":\"p\"},\"eth0\":{\"type\":\"nic\",\"network\":\"br0\","
	"\"name\":\"eth0\"},\"mac\":{\"type\":\"nic\",\"nictype\":"
	"\"macvlan\",\"parent\":\"enp1s0\"}}},"
	"{\"name\":\"hard\",\"project\":\"default\",\"config\":{"
	"\"limits.cpu\":\"2\",\"limits.memory\":\"4GiB\","
	"\"limits.processes\":\"500\",\"security.privileged\":\"false\","
	"\"security.nesting\":\"false\",\"security.idmap.isolated\":\"true\","
	"\"security.devlxd.images\":\"false\","
	"\"security.syscalls.intercept.bpf\":\"false\","
	"\"security.syscalls.intercept.bpf.devices\":\"false\","
	"\"security.syscalls.intercept.mknod\":\"false\","
	"\"security.syscalls.intercept.mount\":\"false\","
	"\"security.syscalls.intercept.sched_setscheduler\":\"false\","
	"\"security.syscalls.intercept.setxattr\":\"false\"},"
	"\"devices\":{}}]";
static const char *networks_json =
	"[{\"name\":\"br0\",\"project\":\"default\",\"type\":\"bridge\","
	"\"config\":{\"ipv4.address\":\"10.0.0.1/24\","
	"\"ipv6.address\":\"fd42::1/64\"}}]";
static const char *instances_json =
	"[{\"name\":\"run\",\"project\":\"default\",\"type\":\"container\","
	"\"status\":\"Running\",\"profiles\":[\"default\"],\"config\":{"
	"\"security.nesting\":\"true\"},\"devices\":{}},"
	"{\"name\":\"stop\",\"project\":\"default\",\"type\":\"container\","
	"\"status\":\"Stopped\",\"profiles\":[\"default\",\"x\"],"
	"\"config\":{},\"devices\":{\"eth0\":{\"type\":\"nic\","
	"\"network\":\"br0\"}}},"
	"{\"name\":\"vm\",\"project\":\"default\",\"type\":\"virtual-machine\","
	"\"status\":\"Running\",\"profiles\":[\"default\"],\"config\":{},"
	"\"devices\":{}},"
	"{\"name\":\"gone\",\"project\":\"default\",\"status\":\"Error\"},"
	"{\"name\":\"has\",\"project\":\"default\",\"type\":\"container\","
	"\"status\":\"Stopped\",\"profiles\":[\"default\",\"hard\"],"
	"\"config\":{},\"devices\":{}},"
	"{\"name\":\"other\",\"project\":\"p2\",\"type\":\"container\","
	"\"status\":\"Stopped\",\"profiles\":[\"default\"],\"config\":{},"
	"\"devices\":{}}]";
static const char *projects_json =
	"[{\"name\":\"default\",\"config\":{\"features.profiles\":\"true\"}},"
	"{\"name\":\"p2\",\"config\":{\"features.profiles\":\"false\"}}]";

static int
snap_setup(void **state)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));

	snapshot_init(s);
	s->product = xstrdup("lxd");
	s->part[SNAP_PROFILES] = json_loads(profiles_json, 0, NULL);
	s->part[SNAP_NETWORKS] = json_loads(networks_json, 0, NULL);
	s->part[SNAP_INSTANCES] = json_loads(instances_json, 0, NULL);
	s->part[SNAP_PROJECTS] = json_loads(projects_json, 0, NULL);
	assert_non_null(s->part[SNAP_PROFILES]);
	assert_non_null(s->part[SNAP_INSTANCES]);
	*state = s;
	return 0;
}

static int
snap_teardown(void **state)
{
	snapshot_release(*state);
	free(*state);
	return 0;
}

static const struct fix_item *
find_item(const struct fix_plan *p, enum fix_kind k, const char *object)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == k && str_eq(p->v[i].object, object))
			return &p->v[i];
	return NULL;
}

/* The item, which must be there. */
static const struct fix_item *
item_of(const struct fix_plan *p, enum fix_kind k, const char *object)
{
	const struct fix_item *it = find_item(p, k, object);

	if (!it) {
		fail_msg("no %s item for %s", fix_kind_name(k), object);
		abort();
	}
	return it;
}

/* Item i, which must be there. */
static struct fix_item *
nth(const struct fix_plan *p, size_t i)
{
	if (i >= p->n || !p->v) {
		fail_msg("no item %zu", i);
		abort();
	}
	return &p->v[i];
}

static bool
has_note(const struct fix_plan *p, const char *part)
{
	for (size_t i = 0; i < p->n_notes; i++)
		if (strstr(p->notes[i], part))
			return true;
	return false;
}

static void
test_hardened_config(void **state)
{
	struct profile_opts o = { .name = "h" };
	json_t *c = profile_hardened_config(&o);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(c, "limits.cpu")),
			    "2");
	assert_string_equal(json_string_value(json_object_get(
				    c, "limits.memory")), "2GiB");
	assert_string_equal(json_string_value(json_object_get(
				    c, "limits.processes")), "500");
	assert_string_equal(json_string_value(json_object_get(
				    c, "security.idmap.isolated")), "true");
	assert_string_equal(json_string_value(json_object_get(
				    c, "security.syscalls.intercept.mknod")),
			    "false");
	json_decref(c);
	o.cpu = "4";
	o.memory = "8GiB";
	o.processes = "1000";
	o.no_idmap_isolated = true;
	c = profile_hardened_config(&o);
	assert_string_equal(json_string_value(json_object_get(c, "limits.cpu")),
			    "4");
	assert_string_equal(json_string_value(json_object_get(
				    c, "limits.processes")), "1000");
	assert_null(json_object_get(c, "security.idmap.isolated"));
	json_decref(c);
}

static void
test_create_attach_all(void **state)
{
	struct profile_opts o = { .name = "new", .attach_all = true };
	struct fix_plan p;
	struct diag d = { { 0 } };
	const struct fix_item *it;
	json_t *body, *eth;

	assert_int_equal(profile_plan_build(*state, &o, &p, &d), 0);
	it = item_of(&p, FIXK_CREATE, "/1.0/profiles/new?project=default");
	assert_non_null(it);
	assert_true(it->selected);
	body = json_loads(it->new_value, 0, NULL);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "name")),
			    "new");
	/* the bridged NIC, filtered for both families; macvlan is not */
	eth = json_object_get(json_object_get(body, "devices"), "eth0");
	assert_string_equal(json_string_value(json_object_get(
				    eth, "security.ipv4_filtering")), "true");
	assert_string_equal(json_string_value(json_object_get(
				    eth, "security.ipv6_filtering")), "true");
	assert_string_equal(json_string_value(json_object_get(eth, "network")),
			    "br0");
	assert_null(json_object_get(json_object_get(body, "devices"), "mac"));
	assert_null(json_object_get(json_object_get(body, "devices"), "root"));
	json_decref(body);
	assert_true(has_note(&p, "overrides the default profile's eth0"));

	it = item_of(&p, FIXK_PROFILES, "/1.0/instances/run?project=default");
	assert_non_null(it);
	assert_string_equal(it->old_value, "[\"default\"]");
	assert_string_equal(it->new_value, "[\"default\",\"new\"]");
	assert_non_null(strstr(it->effect, "apply live"));
	assert_non_null(strstr(it->effect, "idmap.isolated needs a restart"));
	assert_non_null(strstr(it->effect, "NIC eth0 is re-plugged"));
	assert_string_equal(it->command, "lxc profile add run new");
	/* a local nesting=true still wins: said */
	assert_true(has_note(&p, "instance run sets security.nesting=true"));

	it = item_of(&p, FIXK_PROFILES, "/1.0/instances/stop?project=default");
	assert_non_null(it);
	assert_string_equal(it->new_value, "[\"default\",\"x\",\"new\"]");
	assert_non_null(strstr(it->effect, "next start"));
	assert_non_null(strstr(it->effect, "its own device eth0 still"));

	it = item_of(&p, FIXK_PROFILES, "/1.0/instances/vm?project=default");
	assert_non_null(strstr(it->effect, "virtual machine"));
	/* no configuration: not attached, said; other projects untouched */
	assert_null(find_item(&p, FIXK_PROFILES,
			    "/1.0/instances/gone?project=default"));
	assert_true(has_note(&p, "instance gone: its configuration could not"));
	assert_null(find_item(&p, FIXK_PROFILES,
			    "/1.0/instances/other?project=p2"));
	assert_int_equal(p.n, 5);
	fix_plan_release(&p);
}

static void
test_exists(void **state)
{
	struct profile_opts o = { .name = "hard" };
	struct fix_plan p;
	struct diag d = { { 0 } };

	assert_int_equal(profile_plan_build(*state, &o, &p, &d), -1);
	assert_non_null(strstr(d.msg, "profile 'hard' already exists in "
				      "project 'default'; --update"));
	fix_plan_release(&p);

	/* --update: only what differs (memory, the NIC) */
	o.update = true;
	assert_int_equal(profile_plan_build(*state, &o, &p, &d), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(nth(&p, 0)->kind, FIXK_CONFIG_KEY);
	assert_string_equal(nth(&p, 0)->key, "limits.memory");
	assert_string_equal(nth(&p, 0)->old_value, "4GiB");
	assert_string_equal(nth(&p, 0)->new_value, "2GiB");
	assert_int_equal(nth(&p, 1)->kind, FIXK_DEVICE_SET);
	assert_string_equal(nth(&p, 1)->device, "eth0");
	assert_false(nth(&p, 1)->old_present);
	fix_plan_release(&p);

	/* --attach: an instance that has it already is a note */
	{
		const char *names[] = { "has" };

		o.attach = names;
		o.n_attach = 1;
		o.memory = "4GiB";
		assert_int_equal(profile_plan_build(*state, &o, &p, &d), 0);
		assert_int_equal(p.n, 1);
		assert_true(has_note(&p, "instance has already uses profile"));
		fix_plan_release(&p);
	}
}

static void
test_errors(void **state)
{
	const char *names[] = { "nosuch" };
	struct profile_opts o = { .name = "new", .attach = names,
				  .n_attach = 1 };
	struct fix_plan p;
	struct diag d = { { 0 } };

	assert_int_equal(profile_plan_build(*state, &o, &p, &d), -1);
	assert_string_equal(d.msg, "no instance 'nosuch' in project 'default'");
	fix_plan_release(&p);
	o.n_attach = 0;
	o.name = "a/b";
	assert_int_equal(profile_plan_build(*state, &o, &p, &d), -1);
	assert_non_null(strstr(d.msg, "not a valid profile name"));
	fix_plan_release(&p);
	o.name = "new";
	o.project = "nope";
	assert_int_equal(profile_plan_build(*state, &o, &p, &d), -1);
	assert_string_equal(d.msg, "no project 'nope' on this server");
	fix_plan_release(&p);
	/* a project without its own profiles: the profile is default's */
	o.project = "p2";
	o.attach_all = true;
	assert_int_equal(profile_plan_build(*state, &o, &p, &d), 0);
	assert_non_null(item_of(&p, FIXK_CREATE,
				"/1.0/profiles/new?project=default"));
	assert_non_null(item_of(&p, FIXK_PROFILES,
				"/1.0/instances/other?project=p2"));
	assert_string_equal(item_of(&p, FIXK_PROFILES,
				    "/1.0/instances/other?project=p2")->command,
			    "lxc profile add other new --project p2");
	fix_plan_release(&p);
}

/* ------------------------------------------------------- host fixes */

struct hfix {
	char dir[64];		/* the fake root and the journals */
	char root[96];
	char jdir[96];
	struct host host;
	struct report report;
	struct snapshot snap;
};

static void
add_result(struct report *r, const char *id, const char *object,
	   const char *key, const char *value)
{
	struct check_result *cr;
	struct finding *f;

	r->results = xrealloc(r->results, (r->n + 1) * sizeof(*r->results));
	cr = &r->results[r->n++];
	memset(cr, 0, sizeof(*cr));
	cr->check = catalog_find(id);
	assert_non_null(cr->check);
	cr->status = ST_FAIL;
	f = findings_add(&cr->findings, ST_FAIL, SEV_LOW, object, "x");
	if (key)
		finding_key(f, key, value, object);
}

static int
host_setup(void **state)
{
	struct hfix *h = xcalloc(1, sizeof(*h));
	char *p;

	snprintf(h->dir, sizeof(h->dir), "/tmp/lxdh-tprof.XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->root, sizeof(h->root), "%s/root", h->dir);
	snprintf(h->jdir, sizeof(h->jdir), "%s/j", h->dir);
	assert_int_equal(mkdir(h->root, 0755), 0);
	p = xasprintf("%s/etc", h->root);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	host_init(&h->host);
	h->host.root = xstrdup(h->root);
	h->host.install = HOST_INSTALL_SNAP;
	h->host.auditd_path = xstrdup("/usr/sbin/auditd");
	strlist_push(&h->host.lxd_binaries, "/snap/bin/lxc");
	strlist_push(&h->host.lxd_binaries, "/snap/bin/lxd");
	strlist_push(&h->host.lxd_binaries, "/snap/bin/lxd.lxc");
	strlist_push(&h->host.audit_file_exec, "/snap/bin/lxd.lxc");
	h->host.snap_syslog = -1;
	h->host.snap_verbose = 0;
	h->host.snap_debug = -1;
	snapshot_init(&h->snap);
	h->snap.product = xstrdup("lxd");
	add_result(&h->report, "LXD-LOG-003", "file:///snap/bin/lxc", NULL,
		   NULL);
	add_result(&h->report, "LXD-LOG-003", "file:///snap/bin/lxd", NULL,
		   NULL);
	add_result(&h->report, "LXD-LOG-003", "file:///snap/bin/lxd.lxc",
		   NULL, NULL);
	add_result(&h->report, "LXD-LOG-001",
		   "file:///var/snap/lxd/common/config", "daemon.syslog",
		   "false");
	add_result(&h->report, "LXD-LOG-002",
		   "file:///var/snap/lxd/common/config", "daemon.verbose",
		   "false");
	*state = h;
	return 0;
}

static int
host_teardown(void **state)
{
	struct hfix *h = *state;
	char *cmd = xasprintf("rm -rf '%s'", h->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	host_release(&h->host);
	engine_report_release(&h->report);
	snapshot_release(&h->snap);
	free(h);
	return 0;
}

/*
 * A fake snap: settings in a JSON object (ops->data), changed by set and
 * unset, read by get; every command line recorded.
 */
struct fake_snap {
	json_t *settings;
	struct strbuf log;
};

static int
fake_run(const struct host_ops *ops, const char *const argv[],
	 struct host_run *r, struct diag *d)
{
	struct fake_snap *fs = (struct fake_snap *)(uintptr_t)ops->data;
	const json_t *v;

	(void)d;
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; argv[i]; i++)
		strbuf_addf(&fs->log, "%s%s", i ? " " : "", argv[i]);
	strbuf_addch(&fs->log, '\n');
	assert_string_equal(argv[0], "/usr/bin/snap");
	assert_string_equal(argv[2], "lxd");
	if (str_eq(argv[1], "get")) {
		v = json_object_get(fs->settings, argv[3]);
		if (!v) {
			r->status = 1;
			r->err = xasprintf("error: snap \"lxd\" has no \"%s\" "
					   "configuration option", argv[3]);
			return 0;
		}
		r->out = xasprintf("%s\n", json_string_value(v));
		return 0;
	}
	if (str_eq(argv[1], "set")) {
		char *k = xstrdup(argv[3]), *eq = strchr(k, '=');

		assert_non_null(eq);
		*eq = '\0';
		json_object_set_new(fs->settings, k, json_string(eq + 1));
		free(k);
		return 0;
	}
	assert_string_equal(argv[1], "unset");
	json_object_del(fs->settings, argv[3]);
	return 0;
}

static int
fake_pid(const struct host_ops *ops, const char *path, long *pid,
	 struct diag *d)
{
	(void)ops;
	(void)path;
	(void)pid;
	diag_set(d, "no");
	return -1;
}

static void
test_host_plan(void **state)
{
	struct hfix *h = *state;
	struct fix_opts o = { .host_root = h->root, .host = &h->host };
	const char *only[] = { "LXD-LOG-003" };
	struct fix_plan p;
	const struct fix_item *it;

	fix_plan_build(&h->report, &h->snap, &o, &p);
	it = item_of(&p, FIXK_HOST_FILE,
		     "file:///etc/audit/rules.d/lxd-harden.rules");
	assert_non_null(it);
	assert_int_equal(it->risk, FIX_OPTIN);
	assert_false(it->old_present);
	assert_non_null(strstr(it->new_value, "-w /snap/bin/lxc -p x -k "
					      "lxd_execution\n"));
	assert_non_null(strstr(it->new_value, "-w /snap/bin/lxd -p x -k "
					      "lxd_execution\n"));
	/* a rules file watches lxd.lxc already: only a reload */
	assert_null(strstr(it->new_value, "lxd.lxc"));
	assert_true(has_note(&p, "augenrules --load"));
	assert_int_equal(it->new_mode, 0640);

	it = item_of(&p, FIXK_SNAP_SET, "snap:lxd");
	assert_non_null(it);
	assert_string_equal(it->key, "daemon.syslog");
	assert_false(it->old_present);
	assert_string_equal(it->command, "snap set lxd daemon.syslog=true");
	assert_non_null(strstr(it->effect, "restart"));
	assert_string_equal(nth(&p, p.n - 1)->key, "daemon.verbose");
	assert_string_equal(nth(&p, p.n - 1)->old_value, "false");

	o.only = only;
	o.n_only = 1;
	fix_plan_select(&p, &o);
	for (size_t i = 0; i < p.n; i++)
		assert_int_equal(nth(&p, i)->selected,
				 nth(&p, i)->kind == FIXK_HOST_FILE);
	fix_plan_release(&p);

	/* packaged LXD: the drop-in, as text only */
	h->host.install = HOST_INSTALL_PACKAGE;
	o.n_only = 0;
	fix_plan_build(&h->report, &h->snap, &o, &p);
	assert_null(find_item(&p, FIXK_SNAP_SET, "snap:lxd"));
	assert_true(has_note(&p, "LXD-LOG-001: not applied by the tool: add "
				 "--syslog with a systemd drop-in"));
	fix_plan_release(&p);
}

static void
test_host_apply_rollback(void **state)
{
	struct hfix *h = *state;
	struct fix_opts o = { .host_root = h->root, .host = &h->host };
	struct fake_snap fs = { .settings = json_pack("{s:s}",
						      "daemon.verbose",
						      "false") };
	const struct host_ops ops = { fake_run, fake_pid, &fs };
	struct fix_apply_opts ao = { .journal_dir = h->jdir,
				     .host_root = h->root, .ops = &ops };
	struct fix_rollback_opts ro = { .ops = &ops };
	struct fix_plan p;
	struct diag d = { { 0 } };
	char *journal = NULL, *rules, *text;
	FILE *out = tmpfile();

	fix_plan_build(&h->report, &h->snap, &o, &p);
	for (size_t i = 0; i < p.n; i++)
		nth(&p, i)->selected = true;
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	for (size_t i = 0; i < p.n; i++)
		assert_int_equal(nth(&p, i)->state, FIXS_APPLIED);
	assert_string_equal(json_string_value(json_object_get(
				    fs.settings, "daemon.syslog")), "true");
	assert_string_equal(json_string_value(json_object_get(
				    fs.settings, "daemon.verbose")), "true");
	rules = xasprintf("%s/etc/audit/rules.d/lxd-harden.rules", h->root);
	text = read_file(rules, NULL, &d);
	assert_non_null(text);
	assert_non_null(strstr(text, "-w /snap/bin/lxd -p x"));
	free(text);

	/* rollback: unset what was unset, false back, the file gone */
	assert_int_equal(fix_rollback(NULL, journal, &ro, out, &d), 0);
	assert_null(json_object_get(fs.settings, "daemon.syslog"));
	assert_string_equal(json_string_value(json_object_get(
				    fs.settings, "daemon.verbose")), "false");
	assert_int_equal(access(rules, F_OK), -1);
	assert_non_null(strstr(fs.log.buf, "/usr/bin/snap unset lxd "
					   "daemon.syslog\n"));
	assert_non_null(strstr(fs.log.buf, "/usr/bin/snap set lxd "
					   "daemon.verbose=false\n"));
	fix_plan_release(&p);
	free(journal);
	journal = NULL;

	/* changed after the fix: rollback leaves what changed alone and
	   says so, undoes the rest; --force undoes it too */
	fix_plan_build(&h->report, &h->snap, &o, &p);
	for (size_t i = 0; i < p.n; i++)
		nth(&p, i)->selected = true;
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	json_object_set_new(fs.settings, "daemon.verbose", json_string("debug"));
	{
		FILE *f = fopen(rules, "a");

		fputs("-w /mine -p x\n", f);
		fclose(f);
	}
	strbuf_release(&fs.log);
	assert_int_equal(fix_rollback(NULL, journal, &ro, out, &d), 2);
	assert_non_null(strstr(d.msg, "2 values changed since the fix"));
	assert_string_equal(json_string_value(json_object_get(
				    fs.settings, "daemon.verbose")), "debug");
	assert_null(json_object_get(fs.settings, "daemon.syslog"));
	assert_int_equal(access(rules, F_OK), 0);
	assert_null(strstr(fs.log.buf, "set lxd daemon.verbose"));
	ro.force = true;
	assert_int_equal(fix_rollback(NULL, journal, &ro, out, &d), 0);
	ro.force = false;
	assert_string_equal(json_string_value(json_object_get(
				    fs.settings, "daemon.verbose")), "false");
	assert_int_equal(access(rules, F_OK), -1);
	fix_plan_release(&p);
	free(journal);
	journal = NULL;

	/* changed since the plan: a conflict, nothing run */
	fix_plan_build(&h->report, &h->snap, &o, &p);
	for (size_t i = 0; i < p.n; i++)
		nth(&p, i)->selected = nth(&p, i)->kind == FIXK_SNAP_SET;
	json_object_set_new(fs.settings, "daemon.syslog", json_string("true"));
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	for (size_t i = 0; i < p.n; i++)
		if (nth(&p, i)->selected)
			assert_int_equal(nth(&p, i)->state, FIXS_CONFLICT);
	assert_string_equal(json_string_value(json_object_get(
				    fs.settings, "daemon.verbose")), "false");
	fix_plan_release(&p);
	free(journal);
	journal = NULL;

	/* no commands under a tree: planned, but apply fails and says so */
	json_object_del(fs.settings, "daemon.syslog");
	ao.ops = NULL;
	fix_plan_build(&h->report, &h->snap, &o, &p);
	for (size_t i = 0; i < p.n; i++)
		nth(&p, i)->selected = nth(&p, i)->kind == FIXK_SNAP_SET;
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	for (size_t i = 0; i < p.n; i++)
		if (nth(&p, i)->selected) {
			assert_int_equal(nth(&p, i)->state, FIXS_FAILED);
			assert_non_null(strstr(nth(&p, i)->error, "--host-root"));
		}
	fix_plan_release(&p);
	free(journal);
	free(rules);
	strbuf_release(&fs.log);
	json_decref(fs.settings);
	fclose(out);
}

static void
test_host_file_conflict(void **state)
{
	struct hfix *h = *state;
	struct fix_opts o = { .host_root = h->root, .host = &h->host };
	struct fix_apply_opts ao = { .journal_dir = h->jdir,
				     .host_root = h->root };
	struct fix_plan p;
	struct diag d = { { 0 } };
	char *journal = NULL, *dir, *rules;
	FILE *f;

	dir = xasprintf("%s/etc/audit", h->root);
	mkdir(dir, 0755);
	free(dir);
	dir = xasprintf("%s/etc/audit/rules.d", h->root);
	mkdir(dir, 0755);
	rules = xasprintf("%s/lxd-harden.rules", dir);
	f = fopen(rules, "w");
	fputs("-w /snap/bin/lxc -p x -k mine\n", f);
	fclose(f);
	fix_plan_build(&h->report, &h->snap, &o, &p);
	assert_true(nth(&p, 0)->old_present);
	assert_string_equal(nth(&p, 0)->old_value, "-w /snap/bin/lxc -p x -k mine\n");
	/* the existing file is kept, the missing rules appended */
	assert_true(str_starts_with(nth(&p, 0)->new_value,
				    "-w /snap/bin/lxc -p x -k mine\n"));
	nth(&p, 0)->selected = true;
	f = fopen(rules, "a");
	fputs("# someone else\n", f);
	fclose(f);
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	assert_int_equal(nth(&p, 0)->state, FIXS_CONFLICT);
	fix_plan_release(&p);
	free(journal);
	free(rules);
	free(dir);
}

/*
 * The rules file in the tree is a link to an absolute path: the fix reads
 * and writes the tree's file it names, never this machine's, and a link
 * to a file outside the tree stays out of reach.
 */
static void
test_host_file_links(void **state)
{
	struct hfix *h = *state;
	struct fix_opts o = { .host_root = h->root, .host = &h->host };
	struct fix_apply_opts ao = { .journal_dir = h->jdir,
				     .host_root = h->root };
	struct fix_plan p;
	struct diag d = { { 0 } };
	char *journal = NULL, *dir, *rules, *inroot, *victim, *text;
	const char *hostfile = "/etc/lxdh-test-rootfs.rules";
	struct stat st;
	FILE *f;

	unlink(hostfile);
	dir = xasprintf("%s/etc/audit", h->root);
	mkdir(dir, 0755);
	free(dir);
	dir = xasprintf("%s/etc/audit/rules.d", h->root);
	mkdir(dir, 0755);
	rules = xasprintf("%s/lxd-harden.rules", dir);
	inroot = xasprintf("%s%s", h->root, hostfile);
	f = fopen(inroot, "w");
	fputs("-w /snap/bin/lxc -p x -k tree\n", f);
	fclose(f);
	assert_int_equal(symlink(hostfile, rules), 0);

	fix_plan_build(&h->report, &h->snap, &o, &p);
	/* what the link names inside the tree is what the plan keeps */
	assert_true(nth(&p, 0)->old_present);
	assert_string_equal(nth(&p, 0)->old_value,
			    "-w /snap/bin/lxc -p x -k tree\n");
	nth(&p, 0)->selected = true;
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	assert_int_equal(nth(&p, 0)->state, FIXS_APPLIED);
	if (stat(hostfile, &st) == 0) {
		unlink(hostfile);
		fail_msg("the fix wrote %s on this machine", hostfile);
	}
	text = read_file(inroot, NULL, &d);
	assert_non_null(text);
	assert_non_null(strstr(text, "-w /snap/bin/lxd -p x"));
	free(text);
	assert_int_equal(lstat(rules, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	fix_plan_release(&p);
	free(journal);
	journal = NULL;

	/* a link to a file outside the tree: not read, not written */
	victim = xasprintf("%s/victim", h->dir);
	f = fopen(victim, "w");
	fputs("outside\n", f);
	fclose(f);
	unlink(rules);
	assert_int_equal(symlink(victim, rules), 0);
	fix_plan_build(&h->report, &h->snap, &o, &p);
	assert_false(nth(&p, 0)->old_present);
	nth(&p, 0)->selected = true;
	assert_int_equal(fix_apply(NULL, &h->snap, &p, &ao, &journal, &d), 0);
	assert_int_not_equal(nth(&p, 0)->state, FIXS_APPLIED);
	text = read_file(victim, NULL, &d);
	assert_string_equal(text, "outside\n");
	free(text);
	fix_plan_release(&p);
	free(journal);
	free(victim);
	free(inroot);
	free(rules);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hardened_config),
		cmocka_unit_test_setup_teardown(test_create_attach_all,
						snap_setup, snap_teardown),
		cmocka_unit_test_setup_teardown(test_exists, snap_setup,
						snap_teardown),
		cmocka_unit_test_setup_teardown(test_errors, snap_setup,
						snap_teardown),
		cmocka_unit_test_setup_teardown(test_host_plan, host_setup,
						host_teardown),
		cmocka_unit_test_setup_teardown(test_host_apply_rollback,
						host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_file_conflict,
						host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(test_host_file_links,
						host_setup, host_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
