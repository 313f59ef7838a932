/* test_shellout.c - every printed command runs as exactly what it says */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "checktest.h"
#include "escape.h"
#include "fix.h"

/* What tests/data/workload/make-hostile.py appends to every name. */
#define TAIL "$(touch${IFS}x)'`touch${IFS}y`;touch z&\x1b]0;pwned\x07\xe2\x80\xae"

struct sandbox {
	char dir[64];
	char *bin, *work, *log;
};

static void
sandbox_init(struct sandbox *sb)
{
	static const char fake[] =
		"#!/bin/sh\n"
		"{ printf 'CALL\\0'; for a in \"$@\"; do printf '%s\\0' \"$a\"; "
		"done; } >> \"$FAKE_LOG\"\n";
	FILE *f;

	snprintf(sb->dir, sizeof(sb->dir), "/tmp/lxdh-shellout-XXXXXX");
	assert_non_null(mkdtemp(sb->dir));
	sb->bin = xasprintf("%s/bin", sb->dir);
	sb->work = xasprintf("%s/work", sb->dir);
	sb->log = xasprintf("%s/log", sb->dir);
	assert_int_equal(mkdir(sb->bin, 0700), 0);
	assert_int_equal(mkdir(sb->work, 0700), 0);
	for (int i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", sb->bin, i ? "incus" : "lxc");

		f = fopen(p, "w");
		assert_non_null(f);
		fputs(fake, f);
		fclose(f);
		assert_int_equal(chmod(p, 0700), 0);
		free(p);
	}
}

static void
sandbox_release(struct sandbox *sb)
{
	char *cmd = xasprintf("rm -rf %s", sb->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(sb->bin);
	free(sb->work);
	free(sb->log);
}

/*
 * The command part of a remediation: what follows "run: ", up to the
 * first " (" or ", or " outside single quotes (prose around it). NULL
 * when that does not start with the client's name.
 */
static char *
command_part(const char *text, const char *client)
{
	const char *s = strstr(text, "run: ");
	bool quoted = false;
	size_t n;

	s = s ? s + 5 : text;
	if (!str_starts_with(s, client) || s[strlen(client)] != ' ')
		return NULL;
	for (n = 0; s[n]; n++) {
		if (s[n] == '\'')
			quoted = !quoted;
		if (!quoted && (!strncmp(s + n, " (", 2) ||
				!strncmp(s + n, ", or ", 5)))
			break;
	}
	while (n && s[n - 1] == ' ')
		n--;
	return xstrndup(s, n);
}

/* Runs cmd with shell in the sandbox; returns the calls as re-quoted
   command lines joined by " && ". */
static char *
run_in(struct sandbox *sb, const char *shell, const char *cmd,
       const char *client)
{
	struct strbuf out = STRBUF_INIT;
	char *data, *path;
	size_t len;
	pid_t pid;
	int st;
	struct diag d;

	unlink(sb->log);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *p = xasprintf("%s:/usr/bin:/bin", sb->bin);

		if (chdir(sb->work) != 0)
			_exit(127);
		setenv("PATH", p, 1);
		setenv("FAKE_LOG", sb->log, 1);
		execl("/bin/sh", "sh", "-c", "exec \"$0\" -c \"$1\"", shell,
		      cmd, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* nothing but the fake client ran */
	for (const char *f = "xyz"; *f; f++) {
		struct stat sst;

		path = xasprintf("%s/%c", sb->work, *f);
		if (stat(path, &sst) == 0)
			fail_msg("%s ran something: %s exists", cmd, path);
		free(path);
	}
	data = read_file(sb->log, &len, &d);
	assert_non_null(data);
	for (size_t i = 0; i < len;) {
		const char *w = data + i;

		if (str_eq(w, "CALL")) {
			if (out.len)
				strbuf_addstr(&out, " && ");
			strbuf_addstr(&out, client);
		} else {
			strbuf_addch(&out, ' ');
			escape_sh(&out, w);
		}
		i += strlen(w) + 1;
	}
	free(data);
	return strbuf_detach(&out);
}

/* Runs one printed command in sh and bash; counts those run. */
static void
check_command(struct sandbox *sb, const char *text, const char *client,
	      size_t *ran, size_t *hostile)
{
	static const char *const shells[] = { "/bin/sh", "/bin/bash" };
	char *cmd = command_part(text, client);

	/* a pipeline runs the client more than once: the fake's log holds
	   several calls, which this comparison does not read */
	if (cmd && strstr(cmd, " | ")) {
		free(cmd);
		return;
	}
	if (!cmd)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++) {
		char *got = run_in(sb, shells[i], cmd, client);

		if (!str_eq(got, cmd))
			fail_msg("printed:  %s\nran:      %s\n(from: %s)", cmd,
				 got, text);
		free(got);
	}
	(*ran)++;
	if (strstr(cmd, "touch"))
		(*hostile)++;
	free(cmd);
}

/* The argv the fake client saw for cmd, as a NULL-terminated list. */
static void
expect_argv(struct sandbox *sb, const char *cmd, const char *const *want)
{
	char *data;
	size_t len, k = 0;
	struct diag d;
	char *got = run_in(sb, "/bin/sh", cmd, "lxc");

	free(got);
	data = read_file(sb->log, &len, &d);
	assert_non_null(data);
	assert_string_equal(data, "CALL");
	for (size_t i = 5; i < len; i += strlen(data + i) + 1, k++) {
		assert_non_null(want[k]);
		assert_string_equal(data + i, want[k]);
	}
	assert_null(want[k]);
	free(data);
}

/* The command part of f's remediation runs with exactly want. */
static void
expect_remedy(struct sandbox *sb, const struct finding *f,
	      const char *const *want)
{
	char *cmd;

	if (!f)
		return;
	assert_true(f->remedy.n_commands > 0);
	cmd = command_part(f->remedy.commands[0], "lxc");
	assert_non_null(cmd);
	expect_argv(sb, cmd, want);
	free(cmd);
}

static const struct finding *
find_remedy(const struct report *r, const char *id, const char *object,
	    const char *key)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *cr = &r->results[i];

		if (!str_eq(cr->check->id, id))
			continue;
		for (size_t j = 0; j < cr->findings.n; j++) {
			const struct finding *f = &cr->findings.v[j];

			if (str_eq(f->object, object) &&
			    (!key || str_eq(f->key, key)) &&
			    f->remedy.n_commands)
				return f;
		}
	}
	fail_msg("no %s finding on %s with a remediation", id, object);
	return NULL;
}

static void
test_audit_and_fix_commands(void **state)
{
	struct ct t;
	struct report r = { 0 };
	struct fix_opts fo = { 0 };
	struct fix_plan plan = { 0 };
	struct sandbox sb;
	size_t ran = 0, hostile = 0;
	const struct finding *f;
	char *obj;

	(void)state;
	ct_load_from(&t, "workload", "hostile");
	engine_run(&t.ctx, &r);
	/* the audit's remedies, as the report prints them */
	fix_remedy_attach(&r, &t.snap, &fo);
	sandbox_init(&sb);
	for (size_t i = 0; i < r.n; i++)
		for (size_t j = 0; j < r.results[i].findings.n; j++) {
			const struct finding *g = &r.results[i].findings.v[j];

			for (size_t k = 0; k < g->remedy.n_commands; k++)
				check_command(&sb, g->remedy.commands[k], "lxc",
					      &ran, &hostile);
		}
	/* most remediations name a hostile object: all of them ran clean */
	assert_true(ran >= 50);
	assert_true(hostile >= 40);

	fix_plan_build(&r, &t.snap, &fo, &plan);
	ran = hostile = 0;
	for (size_t i = 0; i < plan.n; i++)
		if (plan.v[i].command)
			check_command(&sb, plan.v[i].command, "lxc", &ran,
				      &hostile);
	assert_true(ran >= 10);
	assert_true(hostile >= 10);

	/* and the argv is the one meant, word for word */
	obj = xasprintf("/1.0/profiles/%s?project=default",
			urlq("priv" TAIL));
	{
		static const char *const want[] = {
			"profile", "set", "priv" TAIL,
			"security.privileged=false", "--project", "default",
			NULL,
		};

		f = find_remedy(&r, "LXD-INS-001", obj, "security.privileged");
		expect_remedy(&sb, f, want);
	}
	free(obj);
	obj = xasprintf("/1.0/networks/%s?project=default", urlq("br4" TAIL));
	{
		static const char *const want[] = {
			"network", "delete", "br4" TAIL, "--project",
			"default", NULL,
		};

		f = find_remedy(&r, "LXD-GEN-002", obj, NULL);
		expect_remedy(&sb, f, want);
	}
	free(obj);
	obj = xasprintf("/1.0/instances/%s?project=default",
			urlq("disks" TAIL));
	{
		static const char *const want[] = {
			"config", "device", "set", "disks" TAIL,
			"data" TAIL, "readonly=true", "--project", "default",
			NULL,
		};

		f = find_remedy(&r, "LXD-DEV-002", obj, "readonly");
		expect_remedy(&sb, f, want);
	}
	free(obj);
	obj = xasprintf("/1.0/projects/%s", urlq("tenant" TAIL));
	{
		static const char *const want[] = {
			"project", "set", "tenant" TAIL,
			"restricted.containers.nesting=block", NULL,
		};

		f = find_remedy(&r, "LXD-MUL-003", obj, NULL);
		expect_remedy(&sb, f, want);
	}
	free(obj);

	fix_plan_release(&plan);
	sandbox_release(&sb);
	engine_report_release(&r);
	ct_release(&t);
}

static void
test_profile_create_commands(void **state)
{
	struct ct t;
	struct fix_plan plan = { 0 };
	struct profile_opts o = { 0 };
	struct sandbox sb;
	struct diag d;
	size_t ran = 0, hostile = 0;

	(void)state;
	ct_load_from(&t, "workload", "hostile");
	sandbox_init(&sb);
	o.name = "hardened";
	o.project = "own" TAIL;
	o.attach_all = true;
	if (profile_plan_build(&t.snap, &o, &plan, &d) != 0)
		fail_msg("%s", d.msg);
	for (size_t i = 0; i < plan.n; i++)
		if (plan.v[i].command)
			check_command(&sb, plan.v[i].command, "lxc", &ran,
				      &hostile);
	/* the create, and at least one attach of a hostile instance */
	assert_true(ran >= 2);
	assert_true(hostile >= 2);
	fix_plan_release(&plan);
	sandbox_release(&sb);
	ct_release(&t);
}

/* Fails when text holds a control or invisible format character. */
static void
assert_terminal_safe(const char *text, const char *what)
{
	const unsigned char *p = (const unsigned char *)text;

	for (size_t i = 0; p[i]; i++) {
		bool bad = (p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f ||
			   (p[i] == 0xc2 && p[i + 1] >= 0x80 &&
			    p[i + 1] < 0xa0) ||
			   (p[i] == 0xe2 && p[i + 1] == 0x80 &&
			    ((p[i + 2] >= 0x8b && p[i + 2] <= 0x8f) ||
			     (p[i + 2] >= 0xaa && p[i + 2] <= 0xae))) ||
			   (p[i] == 0xe2 && p[i + 1] == 0x81 &&
			    p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9);

		if (bad)
			fail_msg("%s: raw byte 0x%02x at offset %zu", what,
				 p[i], i);
	}
}

/* The fix plan and profile create print hostile names escaped. */
static void
test_plan_printed_escaped(void **state)
{
	struct ct t;
	struct report r = { 0 };
	struct fix_opts fo = { 0 };
	struct fix_plan plan = { 0 };
	struct profile_opts o = { 0 };
	struct diag d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	ct_load_from(&t, "workload", "hostile");
	engine_run(&t.ctx, &r);
	fix_plan_build(&r, &t.snap, &fo, &plan);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fix_plan_print(f, &plan, false);
	fclose(f);
	/* the names are there, escaped */
	assert_non_null(strstr(buf, "\\x1b]0;pwned\\x07\\u202e"));
	assert_terminal_safe(buf, "fix plan");
	free(buf);
	fix_plan_release(&plan);

	o.name = "hardened";
	o.project = "own" TAIL;
	o.attach_all = true;
	if (profile_plan_build(&t.snap, &o, &plan, &d) != 0)
		fail_msg("%s", d.msg);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fix_plan_print_items(f, &plan);
	fclose(f);
	assert_non_null(strstr(buf, "\\u202e"));
	assert_terminal_safe(buf, "profile create plan");
	free(buf);
	fix_plan_release(&plan);
	engine_report_release(&r);
	ct_release(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_and_fix_commands),
		cmocka_unit_test(test_profile_create_commands),
		cmocka_unit_test(test_plan_printed_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
