/* test_remedy.c - the audit's advice and fix's plan are one remedy */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checktest.h"
#include "checks/common.h"
#include "fix.h"

/* Every saved state whose findings fix can plan without a host. */
static const char *const states[][2] = {
	{ "snapshot", "sample-5.0.2" }, { "workload", "lxd-502" },
	{ "workload", "hostile" },	{ "workload", "incus" },
	{ "workload", "identities" },	{ "workload", "ovn" },
	{ "workload", "vm-521" },	{ "workload", "vm-67" },
	{ "snap", "lxd-521" },		{ "snap", "lxd-69" },
	{ "snap", "incus-70" },		{ "snap", "certs" },
};

static bool
has_command(const struct remedy *rm, const char *cmd)
{
	for (size_t i = 0; i < rm->n_commands; i++)
		if (str_eq(rm->commands[i], cmd))
			return true;
	return false;
}

/* A failing finding of check whose remedy has cmd. */
static bool
advised(const struct report *r, const char *check, const char *cmd)
{
	for (size_t i = 0; i < r->n; i++) {
		if (!str_eq(r->results[i].check->id, check))
			continue;
		for (size_t j = 0; j < r->results[i].findings.n; j++) {
			const struct finding *f = &r->results[i].findings.v[j];

			if (f->status == ST_FAIL && has_command(&f->remedy, cmd))
				return true;
		}
	}
	return false;
}

static bool
planned_cmd(const struct fix_plan *p, const char *check, const char *cmd)
{
	for (size_t i = 0; i < p->n; i++)
		if (str_eq(p->v[i].check, check) &&
		    (str_eq(p->v[i].command, cmd) || str_eq(p->v[i].then, cmd)))
			return true;
	return false;
}

/*
 * Both ways: every command fix plans is advised by a failing finding of
 * its check, and every command of a remedy marked fixable is planned.
 */
static void
test_plan_is_the_advice(void **state)
{
	size_t items = 0, fixable = 0;

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(states); s++) {
		struct ct t;
		struct report r = { 0 };
		struct fix_opts fo = { .policy = NULL };
		struct fix_plan p;

		ct_load_from(&t, states[s][0], states[s][1]);
		fo.policy = &t.policy;
		engine_run(&t.ctx, &r);
		fix_remedy_attach(&r, &t.snap, &fo);
		fix_plan_build(&r, &t.snap, &fo, &p);
		for (size_t i = 0; i < p.n; i++) {
			const struct fix_item *it = &p.v[i];

			if (it->command && !advised(&r, it->check, it->command))
				fail_msg("%s/%s: fix plans '%s' for %s; the "
					 "audit does not advise it",
					 states[s][0], states[s][1],
					 it->command, it->check);
			items += it->command != NULL;
		}
		for (size_t i = 0; i < r.n; i++)
			for (size_t j = 0; j < r.results[i].findings.n; j++) {
				const struct finding *f =
					&r.results[i].findings.v[j];

				if (f->status != ST_FAIL || !f->remedy.fixable)
					continue;
				fixable++;
				for (size_t k = 0; k < f->remedy.n_commands;
				     k++)
					if (!planned_cmd(&p,
							 r.results[i].check->id,
							 f->remedy.commands[k]))
						fail_msg("%s/%s: %s advises "
							 "'%s'; fix does not "
							 "plan it",
							 states[s][0],
							 states[s][1],
							 r.results[i].check->id,
							 f->remedy.commands[k]);
			}
		fix_plan_release(&p);
		engine_report_release(&r);
		ct_release(&t);
	}
	/* the states exercise the table, not an empty plan */
	assert_true(items >= 40);
	assert_true(fixable >= 40);
}

/* The instance JSON of the snapshot named name (project default). */
static json_t *
instance(struct ct *t, const char *name)
{
	json_t *arr = t->snap.part[SNAP_INSTANCES], *it;
	size_t i;

	json_array_foreach (arr, i, it)
		if (str_eq(json_string_value(json_object_get(it, "name")),
			   name))
			return it;
	fail_msg("no instance %s", name);
	return NULL;
}

/*
 * DEV-002: what fix plans makes the finding go, and what it cannot fix
 * (a shared sensitive path, read-only or not) it does not plan: before,
 * fix set readonly=true on those and the audit still failed them.
 */
static void
test_dev002_plan_fixes_what_it_plans(void **state)
{
	struct ct t;
	struct report r = { 0 };
	struct fix_opts fo = { 0 };
	struct fix_plan p;
	size_t applied = 0;

	(void)state;
	ct_load_from(&t, "workload", "lxd-502");
	fo.policy = &t.policy;
	engine_run(&t.ctx, &r);
	fix_remedy_attach(&r, &t.snap, &fo);
	fix_plan_build(&r, &t.snap, &fo, &p);
	for (size_t i = 0; i < p.n; i++) {
		const struct fix_item *it = &p.v[i];
		json_t *inst, *d;

		if (!str_eq(it->check, "LXD-DEV-002"))
			continue;
		/* only a writable disk's readonly key, on the instance */
		assert_int_equal(it->kind, FIXK_DEVICE_KEY);
		assert_string_equal(it->key, "readonly");
		assert_true(str_starts_with(it->object, "/1.0/instances/"));
		inst = instance(&t, "disks");
		d = json_object_get(json_object_get(inst, "devices"),
				    it->device);
		assert_non_null(d);
		json_object_set_new(d, it->key, json_string(it->new_value));
		d = json_object_get(json_object_get(inst, "expanded_devices"),
				    it->device);
		if (d)
			json_object_set_new(d, it->key,
					    json_string(it->new_value));
		applied++;
	}
	assert_true(applied >= 1);
	/* the sensitive-path findings are advised, not planned */
	for (size_t i = 0; i < r.n; i++) {
		if (!str_eq(r.results[i].check->id, "LXD-DEV-002"))
			continue;
		for (size_t j = 0; j < r.results[i].findings.n; j++) {
			const struct finding *f = &r.results[i].findings.v[j];

			if (f->status != ST_FAIL || !str_eq(f->key, "source"))
				continue;
			assert_false(f->remedy.fixable);
			assert_int_equal(f->remedy.n_commands, 1);
			assert_non_null(strstr(f->remedy.commands[0],
					       " device remove "));
		}
	}
	/* audited again: no writable host disk is left */
	ct_run(&t, "LXD-DEV-002");
	for (size_t i = 0; i < t.out.n; i++)
		if (t.out.v[i].status == ST_FAIL)
			assert_string_not_equal(t.out.v[i].key, "readonly");
	fix_plan_release(&p);
	engine_report_release(&r);
	ct_release(&t);
}

/*
 * INS-002 advises the limits profile create sets: one set of values
 * (the audit said limits.processes=1000, the profile 500).
 */
static void
test_limits_are_the_profile_s(void **state)
{
	struct profile_opts po = { .name = "hardened" };
	json_t *cfg = profile_hardened_config(&po);
	struct ct t;
	const struct finding *f = NULL;
	char *want;

	(void)state;
	ct_load_from(&t, "workload", "lxd-502");
	ct_run(&t, "LXD-INS-002");
	for (size_t i = 0; i < t.out.n && !f; i++)
		if (t.out.v[i].status == ST_FAIL &&
		    str_eq(t.out.v[i].key,
			   "limits.cpu,limits.memory,limits.processes"))
			f = &t.out.v[i];
	if (!f)
		fail_msg("no INS-002 finding with all three limits missing");
	assert_int_equal(f->remedy.n_commands, 1);
	want = xasprintf(" limits.cpu=%s limits.memory=%s limits.processes=%s ",
			 json_string_value(json_object_get(cfg, "limits.cpu")),
			 json_string_value(json_object_get(cfg,
							   "limits.memory")),
			 json_string_value(json_object_get(
				 cfg, "limits.processes")));
	assert_non_null(strstr(f->remedy.commands[0], want));
	free(want);
	json_decref(cfg);
	ct_release(&t);
}

/* LOG-003: the audit's rules file is the one fix writes. */
static void
test_audit_rules_file(void **state)
{
	char *rule = checks_audit_rule("/usr/bin/lxc");

	(void)state;
	assert_string_equal(rule, "-w /usr/bin/lxc -p x -k lxd_execution");
	assert_true(str_ends_with(AUDIT_RULES, "/lxd-harden.rules"));
	assert_true(ct_contains(ct_find("LXD-LOG-003")->remediation,
				AUDIT_RULES));
	free(rule);
}

/*
 * A value the tool cannot guess is a need in the audit and no command in
 * the plan; given with fix --set, the plan has the command, selected.
 */
static void
test_set_gives_the_command(void **state)
{
	const char *set[] = { "core.proxy_http=http://proxy.example:3128" };
	struct ct t;
	struct report r = { 0 };
	struct fix_opts fo = { 0 };
	struct fix_plan p;
	const struct fix_item *it = NULL;
	bool need = false;

	(void)state;
	ct_load_from(&t, "workload", "lxd-502");
	fo.policy = &t.policy;
	engine_run(&t.ctx, &r);
	fix_remedy_attach(&r, &t.snap, &fo);
	for (size_t i = 0; i < r.n; i++)
		for (size_t j = 0; j < r.results[i].findings.n; j++) {
			const struct finding *f = &r.results[i].findings.v[j];

			if (!str_eq(f->key, "core.proxy_http") ||
			    f->status != ST_FAIL)
				continue;
			assert_true(f->remedy.fixable);
			assert_int_equal(f->remedy.n_commands, 0);
			assert_int_equal(f->remedy.n_needs, 1);
			assert_string_equal(f->remedy.needs[0].name,
					    "core.proxy_http");
			need = true;
		}
	assert_true(need);
	fix_plan_build(&r, &t.snap, &fo, &p);
	for (size_t i = 0; i < p.n; i++)
		if (str_eq(p.v[i].key, "core.proxy_http"))
			it = &p.v[i];
	if (!it)
		fail_msg("no plan item for core.proxy_http");
	assert_null(it->command);
	fix_plan_release(&p);

	fo.set = set;
	fo.n_set = 1;
	fix_plan_build(&r, &t.snap, &fo, &p);
	fix_plan_select(&p, &fo);
	it = NULL;
	for (size_t i = 0; i < p.n; i++)
		if (str_eq(p.v[i].key, "core.proxy_http"))
			it = &p.v[i];
	if (!it)
		fail_msg("no plan item for core.proxy_http with --set");
	assert_string_equal(it->command, "lxc config set "
					 "core.proxy_http=http://proxy.example:"
					 "3128");
	assert_true(it->selected);
	fix_plan_release(&p);
	engine_report_release(&r);
	ct_release(&t);
}

/* The derived remediation string: commands, needs, then the prose. */
static void
test_remedy_text(void **state)
{
	struct findings fs = { 0 };
	struct finding *f;

	(void)state;
	f = findings_add(&fs, ST_FAIL, SEV_LOW, "/1.0", "m");
	assert_null(fix_text(f));
	finding_remedy_cmd(f, "lxc config unset a");
	finding_remedy_cmd(f, "lxc config unset b");
	assert_string_equal(fix_text(f),
			    "lxc config unset a && lxc config unset b");
	finding_remedy_need(f, "core.https_address", "only you know it");
	finding_remedy_need(f, "core.https_address", "twice");
	assert_int_equal(f->remedy.n_needs, 1);
	finding_remedy_note(f, "Prose.");
	assert_string_equal(fix_text(f),
			    "lxc config unset a && lxc config unset b; needs "
			    "core.https_address: only you know it. Prose.");
	finding_remedy_clear_commands(f);
	assert_int_equal(f->remedy.n_commands, 0);
	/* what fix plans takes the value with --set */
	f->remedy.fixable = true;
	finding_remedy_note(f, "Prose.");
	assert_string_equal(fix_text(f),
			    "needs core.https_address: only you know it (fix "
			    "--set core.https_address=VALUE). Prose.");
	findings_release(&fs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_is_the_advice),
		cmocka_unit_test(test_dev002_plan_fixes_what_it_plans),
		cmocka_unit_test(test_limits_are_the_profile_s),
		cmocka_unit_test(test_audit_rules_file),
		cmocka_unit_test(test_set_gives_the_command),
		cmocka_unit_test(test_remedy_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
