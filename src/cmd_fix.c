/* cmd_fix.c - lxd-harden fix (plan, apply) and rollback */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_run.h"
#include "catalog.h"
#include "cli.h"
#include "escape.h"
#include "fix.h"
#include "gate.h"
#include "journal.h"
#include "target.h"

#define MAX_ARGS 64

static void
fix_usage(FILE *f)
{
	fputs("usage: lxd-harden fix [options]\n"
	      "\n"
	      "Audits, then prints the plan: every change that fixes a failing\n"
	      "finding, grouped by risk. Nothing changes without --apply.\n"
	      "\n"
	      "  --apply                apply the safe part (and what --only and\n"
	      "                         --set name) after one confirmation\n"
	      "  --yes                  do not ask (needed without a terminal)\n"
	      "  --only CHECK[:NAME[/DEVICE]]  apply only these items; the way to\n"
	      "                         apply opt-in fixes (repeatable)\n"
	      "  --set KEY=VALUE        a value the tool cannot guess, e.g.\n"
	      "                         core.https_address=192.0.2.10:8443;\n"
	      "                         KEY@MEMBER=VALUE for one cluster member\n"
	      "  --host                 also change this machine (socket and /proc\n"
	      "                         modes, audit rules, snap settings) when the\n"
	      "                         daemon is a private one (its socket is not\n"
	      "                         the system's)\n"
	      "  --journal-dir DIR      where the journal goes\n"
	      "                         (default " JOURNAL_DEFAULT_DIR ");\n"
	      "                         owned by root or you, writable by no one else\n"
	      "  --write-timeout SECS   deadline of each change request (default 60);\n"
	      "                         past it the change's outcome is unknown and\n"
	      "                         nothing more is sent\n"
	      "\n"
	      "One apply or rollback at a time per server: a second one says who\n"
	      "holds the lock and exits 1.\n"
	      "\n"
	      "Which checks and objects the plan covers (as for audit):\n"
	      "  --check ID|GLOB        only these checks (repeatable)\n"
	      "  --skip ID|GLOB         not these checks (repeatable)\n"
	      "  --section NAME         only this section (repeatable)\n"
	      "  --project NAME         only findings on objects of this project\n"
	      "  --min-severity LEVEL   only failing checks at or above it\n"
	      "\n"
	      "Which server and how to judge it, as for audit: --socket, --remote,\n"
	      "--url, --cert, --key, --server-cert, --policy, --releases,\n"
	      "--host-root.\n"
	      "\n"
	      "Exit status: 0 nothing to do, or everything applied and fixed;\n"
	      "2 the plan has changes (without --apply), or something is still\n"
	      "failing or was not applied; 1 error (nothing applied when the\n"
	      "journal cannot be written), or the outcome of a change is unknown\n"
	      "(run 'lxd-harden rollback': it undoes whatever landed).\n",
	      f);
}

static void
rollback_usage(FILE *f)
{
	fputs("usage: lxd-harden rollback [options] [JOURNAL]\n"
	      "\n"
	      "Undoes the last 'fix --apply' of this server (or the one whose journal\n"
	      "is named), newest change first. It puts back only the keys the fix\n"
	      "changed, and only while they hold the value the fix wrote; a key\n"
	      "changed since is a conflict, reported and left alone.\n"
	      "\n"
	      "  --force                put conflicting keys back too\n"
	      "  --journal-dir DIR      where journals are (default\n"
	      "                         " JOURNAL_DEFAULT_DIR ")\n"
	      "  --write-timeout SECS   deadline of each request that restores\n"
	      "                         something (default 60)\n"
	      "  --socket, --remote, --url, --cert, --key, --server-cert: the\n"
	      "                         server, as for audit\n"
	      "\n"
	      "Exit status: 0 restored (or already rolled back), 1 something\n"
	      "could not be restored (run it again once the cause is gone), 2\n"
	      "conflicts were left alone.\n",
	      f);
}

struct fix_cmd_opts {
	struct audit_run_opts run;
	bool apply, yes, verbose, host, force;
	long write_timeout_ms;	/* 0: the default */
	const char *journal_dir;
	const char *only[MAX_ARGS];
	size_t n_only;
	const char *set[MAX_ARGS];
	size_t n_set;
	const char *journal;	/* rollback's argument */
	struct gate_select select;
};

enum {
	OPT_SOCKET = TARGET_OPT_SOCKET, OPT_REMOTE, OPT_URL, OPT_CERT,
	OPT_KEY, OPT_SERVER_CERT, OPT_POLICY, OPT_RELEASES, OPT_HOST_ROOT, OPT_APPLY,
	OPT_YES, OPT_ONLY, OPT_SET, OPT_JOURNAL_DIR, OPT_NO_COLOR, OPT_HOST,
	OPT_CHECK, OPT_SKIP, OPT_SECTION, OPT_PROJECT, OPT_MIN_SEVERITY,
	OPT_FORCE, OPT_WRITE_TIMEOUT,
};
_Static_assert((int)OPT_SERVER_CERT == (int)TARGET_OPT_SERVER_CERT,
	       "the target options keep their shared values");

static const struct option longopts[] = {
	{ "apply", no_argument, NULL, OPT_APPLY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ "host", no_argument, NULL, OPT_HOST },
	{ "host-root", required_argument, NULL, OPT_HOST_ROOT },
	{ "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "min-severity", required_argument, NULL, OPT_MIN_SEVERITY },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "project", required_argument, NULL, OPT_PROJECT },
	{ "releases", required_argument, NULL, OPT_RELEASES },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "section", required_argument, NULL, OPT_SECTION },
	{ "server-cert", required_argument, NULL, OPT_SERVER_CERT },
	{ "set", required_argument, NULL, OPT_SET },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "url", required_argument, NULL, OPT_URL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "write-timeout", required_argument, NULL, OPT_WRITE_TIMEOUT },
	{ "yes", no_argument, NULL, OPT_YES },
	{ NULL, 0, NULL, 0 },
};

/*
 * --only's CHECK must be a catalog id; a typo says which id was meant
 * ("LXD-ACC-01" -> LXD-ACC-001) rather than matching nothing.
 */
static bool
only_check_bad(const char *arg)
{
	char id[32];
	size_t len = strcspn(arg, ":");
	const char *near;

	if (len < sizeof(id)) {
		memcpy(id, arg, len);
		id[len] = '\0';
		if (catalog_find(id))
			return false;
	} else {
		snprintf(id, sizeof(id), "%s", arg);
	}
	near = cli_nearest_check(id);
	if (near)
		cmd_error("--only %s: no check '%.*s' (did you mean %s%s?); "
			  "the form is CHECK[:NAME[/DEVICE]]", arg, (int)len,
			  arg, near, arg + len);
	else
		cmd_error("--only takes CHECK[:NAME[/DEVICE]] with a check id "
			  "from 'lxd-harden checks', e.g. LXD-INS-003 or "
			  "LXD-DEV-002:c1/data; not '%s'", arg);
	return true;
}

/* Parses the options of fix (rollback: is_rollback). */
static int
parse(int argc, char **argv, struct fix_cmd_opts *o, bool is_rollback)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hvy", longopts, NULL)) != -1) {
		if ((is_rollback &&
		     (c == OPT_APPLY || c == OPT_ONLY || c == OPT_SET ||
		      c == OPT_HOST ||
		      c == OPT_POLICY || c == OPT_RELEASES || c == OPT_CHECK ||
		      c == OPT_SKIP || c == OPT_SECTION || c == OPT_PROJECT ||
		      c == OPT_MIN_SEVERITY)) ||
		    (!is_rollback && c == OPT_FORCE)) {
			cmd_error("%s takes no %s",
				  is_rollback ? "rollback" : "fix",
				  argv[optind - 1]);
			return -1;
		}
		if (target_opt_set(&o->run.target, c, optarg))
			continue;
		switch (c) {
		case OPT_POLICY:
			o->run.policy = optarg;
			break;
		case OPT_RELEASES:
			o->run.releases = optarg;
			break;
		case OPT_HOST_ROOT:
			o->run.host_root = optarg;
			break;
		case OPT_APPLY:
			o->apply = true;
			break;
		case OPT_HOST:
			o->host = true;
			break;
		case 'y':
		case OPT_YES:
			o->yes = true;
			break;
		case OPT_JOURNAL_DIR:
			o->journal_dir = optarg;
			break;
		case OPT_NO_COLOR:
			break;
		case OPT_CHECK:
		case OPT_SKIP:
		case OPT_SECTION:
		case OPT_PROJECT:
			if (cli_select_option(&o->select,
					      c == OPT_CHECK ? "check" :
					      c == OPT_SKIP ? "skip" :
					      c == OPT_SECTION ? "section" :
								 "project",
					      optarg) != 0)
				return -1;
			break;
		case OPT_MIN_SEVERITY:
			if (cli_severity("--min-severity", optarg, &o->select.below) != 0)
				return -1;
			o->select.skip_below = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_WRITE_TIMEOUT: {
			char *end;
			double v = strtod(optarg, &end);

			if (end == optarg || *end || !(v > 0) || v > 86400) {
				cmd_error("--write-timeout takes seconds "
					  "(0 < N <= 86400), not '%s'",
					  optarg);
				return -1;
			}
			o->write_timeout_ms = (long)(v * 1000);
			if (!o->write_timeout_ms)
				o->write_timeout_ms = 1;
			break;
		}
		case OPT_ONLY:
			if (o->n_only == MAX_ARGS) {
				cmd_error("too many --only");
				return -1;
			}
			if (only_check_bad(optarg))
				return -1;
			o->only[o->n_only++] = optarg;
			break;
		case OPT_SET:
			if (o->n_set == MAX_ARGS) {
				cmd_error("too many --set");
				return -1;
			}
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				cmd_error("--set takes KEY=VALUE, not '%s'",
					  optarg);
				return -1;
			}
			o->set[o->n_set++] = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			if (is_rollback)
				rollback_usage(stdout);
			else
				fix_usage(stdout);
			exit(EXIT_CLEAN);
		default:
			cli_bad_option(is_rollback ? "rollback" : "fix", c, argv,
				       longopts);
			return -1;
		}
	}
	if (is_rollback && optind < argc)
		o->journal = argv[optind++];
	if (optind < argc) {
		cmd_error("unexpected argument '%s' (see 'lxd-harden %s "
			  "--help')", argv[optind],
			  is_rollback ? "rollback" : "fix");
		return -1;
	}
	o->journal_dir = cmd_journal_dir(o->journal_dir);
	{
		struct diag d;

		if (gate_select_validate(&o->select, &d) != 0) {
			cmd_error("%s", d.msg);
			return -1;
		}
	}
	return 0;
}

const char *
cmd_journal_dir(const char *opt)
{
	const char *env = getenv("LXDH_JOURNAL_DIR");

	if (opt && *opt)
		return opt;
	if (!opt && env && *env)
		return env;
	return JOURNAL_DEFAULT_DIR;
}

int
cmd_approve(size_t n, bool yes)
{
	FILE *tty;
	char line[16];

	if (yes)
		return 1;
	tty = fopen("/dev/tty", "r+");
	if (!tty) {
		cmd_error("refusing to apply without a terminal to confirm "
			  "on; pass --yes");
		return -1;
	}
	fprintf(tty, "Apply %zu change%s? [y/N] ", n, n == 1 ? "" : "s");
	fflush(tty);
	if (!fgets(line, sizeof(line), tty))
		line[0] = '\0';
	fclose(tty);
	if (line[0] == 'y' || line[0] == 'Y')
		return 1;
	printf("Not applied.\n");
	return 0;
}

/* A host file's new content names path as a whole word. */
static bool
names_path(const char *text, const char *path)
{
	size_t len = strlen(path);

	for (const char *s = text; s && (s = strstr(s, path)); s += len) {
		bool before = s == text || s[-1] == ' ' || s[-1] == '\n' ||
			      s[-1] == '=';
		bool after = !s[len] || s[len] == ' ' || s[len] == '\n';

		if (before && after)
			return true;
	}
	return false;
}

/* The finding of the new report that says item is still not fixed. */
static const struct finding *
still_failing(const struct report *r, const struct fix_item *it)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *cr = &r->results[i];

		if (!str_eq(cr->check->id, it->check))
			continue;
		for (size_t j = 0; j < cr->findings.n; j++) {
			const struct finding *f = &cr->findings.v[j];

			if (f->status != ST_FAIL || f->waiver_reason)
				continue;
			if (it->kind == FIXK_HOST_FILE) {
				/* a rules file fixes the paths it names */
				if (!str_starts_with(f->object, "file://") ||
				    !names_path(it->new_value, f->object + 7))
					continue;
				return f;
			}
			if (it->kind == FIXK_SNAP_SET) {
				if (!str_eq(f->key, it->key))
					continue;
				return f;
			}
			if (!str_eq(f->object, it->object) &&
			    !str_eq(f->source, it->object))
				continue;
			if (it->kind == FIXK_DEVICE_KEY &&
			    !str_eq(f->device, it->device))
				continue;
			if ((it->kind == FIXK_SERVER_KEY ||
			     it->kind == FIXK_CONFIG_KEY) &&
			    !str_eq(f->key, it->key))
				continue;
			return f;
		}
	}
	return NULL;
}

static size_t
count_selected(const struct fix_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].selected;
	return n;
}

static long
env_long(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : 0;
}

int
cmd_fix(int argc, char **argv)
{
	struct fix_cmd_opts o;
	struct fix_opts fo = { 0 };
	struct audit_run ar;
	struct fix_plan plan = { 0 };
	struct fix_apply_opts ao = { 0 };
	struct diag d = { { 0 } };
	char *journal = NULL;
	size_t nsel, nfixed = 0, nbad = 0, nunknown = 0, nnotes;
	int rc = EXIT_ERROR, arc;

	if (parse(argc, argv, &o, false) != 0)
		return EXIT_ERROR;
	if (!o.apply && (o.yes || o.n_only)) {
		/* --only alone narrows what the plan marks; fine */
	}
	o.run.select = &o.select;
	if (audit_run_start(&ar, &o.run, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	nnotes = ar.report.n_notes;
	if (gate_apply_selection(&ar.report, &o.select, &ar.policy, &ar.snap,
				 &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	/* what the selection says about the policy (the plan has no notes) */
	for (size_t i = nnotes; i < ar.report.n_notes; i++)
		fprintf(stderr, "lxd-harden: note: %s\n", ar.report.notes[i]);
	fo.set = o.set;
	fo.n_set = o.n_set;
	fo.only = o.only;
	fo.n_only = o.n_only;
	fo.policy = &ar.policy;
	fo.host_root = ar.have_host ? ar.host.root : NULL;
	fo.host = ar.have_host ? &ar.host : NULL;
	/* a private daemon's fix changes this machine only when asked */
	fo.host_withheld = !o.host && ar.have_host &&
			   str_eq(ar.host.root, "/") && ar.ep.socket_path &&
			   !target_socket_is_system(ar.ep.socket_path);
	fix_plan_build(&ar.report, &ar.snap, &fo, &plan);
	fix_plan_select(&plan, &fo);
	for (size_t k = 0; k < o.n_only; k++) {
		bool any = false;

		for (size_t i = 0; i < plan.n; i++)
			any = any || fix_only_matches(o.only[k], &plan.v[i]);
		if (!any)
			cmd_error("--only %s names nothing in the plan",
				  o.only[k]);
	}
	fix_plan_print(stdout, &plan, false);
	if (plan.n && ar.snap.client_setup)
		printf("The commands above are what each change amounts to, "
		       "for the server %s reaches by default; for this one, "
		       "first: %s\n",
		       snapshot_client(&ar.snap),
		       cmdq(ar.snap.client_setup));
	nsel = count_selected(&plan);
	if (!o.apply) {
		rc = plan.n ? EXIT_FINDINGS : EXIT_CLEAN;
		if (plan.n)
			printf("Nothing was changed. 'lxd-harden fix --apply' "
			       "applies the items marked [x].\n");
		goto out;
	}
	if (!nsel) {
		printf("Nothing to apply.\n");
		rc = plan.n ? EXIT_FINDINGS : EXIT_CLEAN;
		goto out;
	}
	fflush(stdout);
	switch (cmd_approve(nsel, o.yes)) {
	case -1:
		goto out;
	case 0:
		rc = EXIT_FINDINGS;
		goto out;
	default:
		break;
	}
	ao.journal_dir = o.journal_dir;
	ao.endpoint = ar.ep.label;
	ao.command = "fix --apply";
	ao.host_root = ar.have_host ? ar.host.root : "/";
	/* commands (snap set) only on this machine, never for a tree */
	ao.ops = ar.have_host && str_eq(ar.host.root, "/") ? &host_ops_system :
							      NULL;
	ao.pause_after = env_long("LXDH_FIX_PAUSE_AFTER");
	ao.stop_before = env_long("LXDH_FIX_STOP_BEFORE_APPLY") > 0;
	ao.stop_before_write = env_long("LXDH_FIX_STOP_BEFORE_WRITE");
	lxd_client_set_write_timeout(ar.client, o.write_timeout_ms);
	arc = fix_apply(ar.client, &ar.snap, &plan, &ao, &journal, &d);
	if (journal) {
		putchar('\n');
		term_printf(stdout, "Journal: %s", journal);
		term_printf(stdout, "(undo with: lxd-harden rollback %s)",
			    shq(journal));
	}
	if (arc != 0)
		cmd_error("%s", d.msg);
	if (arc != 0 && !journal) {
		rc = EXIT_ERROR;	/* locked, or no journal: nothing sent */
		goto out;
	}
	for (size_t i = 0; i < plan.n; i++)
		nunknown += plan.v[i].selected &&
			    plan.v[i].state == FIXS_UNKNOWN;
	if (nunknown) {
		/* the server did not answer: no second audit of it */
		printf("\nResult (not audited again: the server did not "
		       "answer):\n");
		for (size_t i = 0; i < plan.n; i++) {
			const struct fix_item *it = &plan.v[i];

			if (!it->selected)
				continue;
			printf("  %s %s %s%s%s%s%s%s%s\n",
			       it->state == FIXS_APPLIED  ? "applied " :
			       it->state == FIXS_UNKNOWN  ? "unknown " :
			       it->state == FIXS_CONFLICT ? "conflict" :
							    "failed  ",
			       it->check, it->object,
			       it->device ? " device " : "",
			       it->device ? it->device : "",
			       it->key ? " " : "", it->key ? it->key : "",
			       it->error ? ": " : "",
			       it->error ? it->error : "");
		}
		cmd_error("the outcome of %zu change%s is unknown (no answer "
			  "in time); once the server answers, 'lxd-harden "
			  "rollback' undoes whatever landed",
			  nunknown, nunknown == 1 ? "" : "s");
		rc = EXIT_ERROR;
		goto out;
	}

	/* judge again what was applied */
	if (audit_run_again(&ar, &o.run, &d) != 0) {
		cmd_error("cannot audit again after applying: %s", d.msg);
		goto out;
	}
	printf("\nResult:\n");
	for (size_t i = 0; i < plan.n; i++) {
		const struct fix_item *it = &plan.v[i];
		const struct finding *f;

		if (!it->selected)
			continue;
		printf("  ");
		if (it->state != FIXS_APPLIED) {
			term_printf(stdout, "%s %s %s%s%s%s%s: %s",
			       it->state == FIXS_CONFLICT ? "conflict" :
							    "failed  ",
			       it->check, it->object,
			       it->device ? " device " : "",
			       it->device ? it->device : "",
			       it->key ? " " : "", it->key ? it->key : "",
			       it->error ? it->error : "not applied");
			nbad++;
			continue;
		}
		f = still_failing(&ar.report, it);
		if (f) {
			term_printf(stdout,
				    "failing  %s %s%s%s%s%s: still failing: %s",
			       it->check, it->object,
			       it->device ? " device " : "",
			       it->device ? it->device : "",
			       it->key ? " " : "", it->key ? it->key : "",
			       f->message);
			nbad++;
		} else {
			term_printf(stdout, "fixed    %s %s%s%s%s%s", it->check,
			       it->object, it->device ? " device " : "",
			       it->device ? it->device : "",
			       it->key ? " " : "", it->key ? it->key : "");
			nfixed++;
		}
	}
	printf("%zu fixed, %zu not\n", nfixed, nbad);
	if (arc != 0)
		rc = EXIT_ERROR;
	else
		rc = nbad ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	free(journal);
	fix_plan_release(&plan);
	audit_run_release(&ar);
	return rc;
}

int
cmd_rollback(int argc, char **argv)
{
	struct fix_cmd_opts o;
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *client = NULL;
	struct fix_rollback_opts ro = { 0 };
	struct journal_lock lk = { -1 };
	struct diag d = { { 0 } };
	char *path = NULL, *server = NULL, *dir = NULL;
	json_t *lines = NULL;
	const json_t *hdr;
	const char *root, *jserver;
	int rc = EXIT_ERROR, r, fd;

	if (parse(argc, argv, &o, true) != 0)
		return EXIT_ERROR;
	/* the journal's directory must be trusted before anything else */
	if (o.journal) {
		const char *slash = strrchr(o.journal, '/');

		dir = slash == o.journal ? xstrdup("/") :
		      slash ? xasprintf("%.*s", (int)(slash - o.journal),
					o.journal) :
			      xstrdup(".");
	} else {
		dir = xstrdup(o.journal_dir);
	}
	fd = journal_dir_open(dir, false, &d);
	if (fd < 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	close(fd);
	if (o.journal) {
		/* read it now: a bad one is refused before connecting */
		lines = journal_load(o.journal, NULL, &d);
		if (!lines) {
			cmd_error("%s", d.msg);
			goto out;
		}
		json_decref(lines);
		lines = NULL;
	}
	if (target_resolve(&o.run.target, &ep, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	client = lxd_client_new(&ep, &d);
	if (!client || !(server = fix_server_identity(client, &d))) {
		cmd_error("%s", d.msg);
		goto out;
	}
	lxd_client_set_write_timeout(client, o.write_timeout_ms);
	if (journal_lock(dir, server, "rollback", &lk, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	if (o.journal)
		path = xstrdup(o.journal);
	else if (!(path = journal_latest(dir, server, &d))) {
		cmd_error("%s", d.msg);
		goto out;
	}
	lines = journal_load(path, NULL, &d);
	if (!lines) {
		cmd_error("%s", d.msg);
		goto out;
	}
	hdr = json_array_get(lines, 0);
	jserver = json_string_value(json_object_get(hdr, "server"));
	if (!str_eq(jserver, server)) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_add(&sb, "", 0);
		escape_term(&sb, jserver ? jserver : "(none)");
		cmd_error("journal '%s' is of the server with certificate "
			  "%.16s..., not of %s (certificate %.16s...); name "
			  "that server", path, sb.buf, ep.label, server);
		strbuf_release(&sb);
		goto out;
	}
	term_printf(stdout, "Rolling back %s", path);
	root = json_string_value(json_object_get(hdr, "host_root"));
	ro.ops = str_eq(root, "/") ? &host_ops_system : NULL;
	ro.force = o.force;
	r = fix_rollback(client, path, &ro, stdout, &d);
	if (r == 1) {
		printf("Already rolled back; nothing to do.\n");
		rc = EXIT_CLEAN;
	} else if (r == 0) {
		printf("Rolled back.\n");
		rc = EXIT_CLEAN;
	} else if (r == 2) {
		printf("Rolled back, except what changed since the fix.\n");
		cmd_error("%s", d.msg);
		rc = EXIT_FINDINGS;
	} else {
		cmd_error("%s", d.msg);
	}
out:
	journal_unlock(&lk);
	json_decref(lines);
	free(path);
	free(server);
	free(dir);
	lxd_client_free(client);
	lxd_endpoint_release(&ep);
	return rc;
}
