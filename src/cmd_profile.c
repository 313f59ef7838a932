/* cmd_profile.c - lxd-harden profile create: the guide's hardened profile */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "cli.h"
#include "escape.h"
#include "fix.h"
#include "journal.h"
#include "lxd.h"
#include "snapshot.h"
#include "target.h"

#define MAX_ATTACH 256

static void
usage(FILE *f)
{
	fputs("usage: lxd-harden profile create NAME [options]\n"
	      "\n"
	      "Plans the hardened profile of the LXD hardening guide (limits,\n"
	      "security keys, and the default profile's bridged NICs with\n"
	      "spoofing filters) and, with --attach, adding it to instances.\n"
	      "Nothing changes without --apply; rollback undoes an --apply.\n"
	      "\n"
	      "  --cpu N                limits.cpu (default "
	      HARDENED_LIMIT_CPU ")\n"
	      "  --memory SIZE          limits.memory (default "
	      HARDENED_LIMIT_MEMORY ")\n"
	      "  --processes N          limits.processes (default "
	      HARDENED_LIMIT_PROCESSES ")\n"
	      "  --no-idmap-isolated    leave security.idmap.isolated out (it\n"
	      "                         remaps a container's files at restart)\n"
	      "  --attach all|INSTANCE  add the profile to every instance of the\n"
	      "                         project, or to these (repeatable, or a\n"
	      "                         comma-separated list)\n"
	      "  --project P            the project (default \"default\")\n"
	      "  --update               the profile may exist: change only what\n"
	      "                         differs from the hardened settings\n"
	      "  --apply                make the changes after one confirmation\n"
	      "  --yes                  do not ask (needed without a terminal)\n"
	      "  --journal-dir DIR      where the journal goes\n"
	      "                         (default " JOURNAL_DEFAULT_DIR ")\n"
	      "  --socket, --remote, --url, --cert, --key, --server-cert: the\n"
	      "                         server, as for audit\n"
	      "\n"
	      "Exit status: 0 nothing to do or everything applied; 2 the plan\n"
	      "has changes (without --apply) or something was not applied;\n"
	      "1 error (the profile exists without --update, unknown instance,\n"
	      "no journal).\n",
	      f);
}

enum {
	OPT_SOCKET = TARGET_OPT_SOCKET, OPT_REMOTE, OPT_URL, OPT_CERT,
	OPT_KEY, OPT_SERVER_CERT, OPT_CPU, OPT_MEMORY, OPT_PROCESSES, OPT_NO_IDMAP,
	OPT_ATTACH, OPT_PROJECT, OPT_UPDATE, OPT_APPLY, OPT_YES,
	OPT_JOURNAL_DIR, OPT_NO_COLOR,
};
_Static_assert((int)OPT_SERVER_CERT == (int)TARGET_OPT_SERVER_CERT,
	       "the target options keep their shared values");

static const struct option longopts[] = {
	{ "apply", no_argument, NULL, OPT_APPLY },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "help", no_argument, NULL, 'h' },
	{ "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-idmap-isolated", no_argument, NULL, OPT_NO_IDMAP },
	{ "processes", required_argument, NULL, OPT_PROCESSES },
	{ "project", required_argument, NULL, OPT_PROJECT },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "server-cert", required_argument, NULL, OPT_SERVER_CERT },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "update", no_argument, NULL, OPT_UPDATE },
	{ "url", required_argument, NULL, OPT_URL },
	{ "yes", no_argument, NULL, OPT_YES },
	{ NULL, 0, NULL, 0 },
};

struct cmd_opts {
	struct target_opts target;
	struct profile_opts prof;
	bool apply, yes;
	const char *journal_dir;
	char *attach_buf[MAX_ATTACH];	/* owned copies of the names */
	const char *attach[MAX_ATTACH];
	size_t n_attach;
};

static bool
all_digits(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* --attach a,b: each name. */
static int
add_attach(struct cmd_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (str_eq(t, "all")) {
			o->prof.attach_all = true;
			continue;
		}
		if (o->n_attach == MAX_ATTACH) {
			cmd_error("too many --attach");
			free(copy);
			return -1;
		}
		o->attach_buf[o->n_attach] = xstrdup(t);
		o->attach[o->n_attach] = o->attach_buf[o->n_attach];
		o->n_attach++;
	}
	free(copy);
	return 0;
}

static void
opts_release(struct cmd_opts *o)
{
	for (size_t i = 0; i < o->n_attach; i++)
		free(o->attach_buf[i]);
}

static int
parse(int argc, char **argv, struct cmd_opts *o)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":hy", longopts, NULL)) != -1) {
		if (target_opt_set(&o->target, c, optarg))
			continue;
		switch (c) {
		case OPT_CPU:
			o->prof.cpu = optarg;
			break;
		case OPT_MEMORY:
			o->prof.memory = optarg;
			break;
		case OPT_PROCESSES:
			if (!all_digits(optarg)) {
				cmd_error("--processes takes a number, not "
					  "'%s'", optarg);
				return -1;
			}
			o->prof.processes = optarg;
			break;
		case OPT_NO_IDMAP:
			o->prof.no_idmap_isolated = true;
			break;
		case OPT_ATTACH:
			if (add_attach(o, optarg) != 0)
				return -1;
			break;
		case OPT_PROJECT:
			o->prof.project = optarg;
			break;
		case OPT_UPDATE:
			o->prof.update = true;
			break;
		case OPT_APPLY:
			o->apply = true;
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
		case 'h':
			usage(stdout);
			exit(EXIT_CLEAN);
		default:
			cli_bad_option("profile", c, argv, longopts);
			return -1;
		}
	}
	if (optind >= argc || !str_eq(argv[optind], "create")) {
		cmd_error("usage: lxd-harden profile create NAME [options] "
			  "(see 'lxd-harden profile --help')");
		return -1;
	}
	if (optind + 1 >= argc) {
		cmd_error("profile create needs the profile's NAME");
		return -1;
	}
	o->prof.name = argv[optind + 1];
	/* instance names after --attach may follow NAME */
	for (int i = optind + 2; i < argc; i++) {
		if (!o->prof.attach_all && !o->n_attach) {
			cmd_error("unexpected argument '%s' (instances are "
				  "named with --attach)", argv[i]);
			return -1;
		}
		if (add_attach(o, argv[i]) != 0)
			return -1;
	}
	if (o->prof.attach_all && o->n_attach) {
		cmd_error("--attach all names every instance; do not list "
			  "instances with it");
		return -1;
	}
	o->prof.attach = o->attach;
	o->prof.n_attach = o->n_attach;
	o->journal_dir = cmd_journal_dir(o->journal_dir);
	return 0;
}

static const char *
state_name(enum fix_state s)
{
	switch (s) {
	case FIXS_APPLIED:
		return "applied ";
	case FIXS_CONFLICT:
		return "conflict";
	case FIXS_FAILED:
		return "failed  ";
	case FIXS_UNKNOWN:
		return "unknown ";
	case FIXS_PENDING:
		break;
	}
	return "pending ";
}

int
cmd_profile(int argc, char **argv)
{
	struct cmd_opts o;
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *client = NULL;
	struct snapshot snap;
	struct fix_plan plan = { 0 };
	struct fix_apply_opts ao = { 0 };
	struct diag d = { { 0 } };
	char *journal = NULL;
	size_t nbad = 0;
	int rc = EXIT_ERROR, arc;

	memset(&o, 0, sizeof(o));
	snapshot_init(&snap);
	if (parse(argc, argv, &o) != 0)
		goto out;
	if (target_resolve(&o.target, &ep, &d) != 0 ||
	    !(client = lxd_client_new(&ep, &d)) ||
	    snapshot_fetch(&snap, client, ep.label, ep.url != NULL, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	if (profile_plan_build(&snap, &o.prof, &plan, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	fix_plan_print_items(stdout, &plan);
	if (!o.apply) {
		rc = plan.n ? EXIT_FINDINGS : EXIT_CLEAN;
		if (plan.n)
			printf("\nNothing was changed. --apply makes these "
			       "changes.\n");
		goto out;
	}
	if (!plan.n) {
		printf("\nNothing to apply.\n");
		rc = EXIT_CLEAN;
		goto out;
	}
	fflush(stdout);
	switch (cmd_approve(plan.n, o.yes)) {
	case -1:
		goto out;
	case 0:
		rc = EXIT_FINDINGS;
		goto out;
	default:
		break;
	}
	ao.journal_dir = o.journal_dir;
	ao.endpoint = ep.label;
	ao.command = "profile create --apply";
	ao.host_root = NULL;	/* no host change: the journal says "/" */
	arc = fix_apply(client, &snap, &plan, &ao, &journal, &d);
	printf("\nResult:\n");
	for (size_t i = 0; i < plan.n; i++) {
		const struct fix_item *it = &plan.v[i];

		term_printf(stdout, "  %s %s%s%s%s%s%s%s", state_name(it->state),
		       it->object, it->key ? " " : "", it->key ? it->key : "",
		       it->device ? " device " : "",
		       it->device ? it->device : "", it->error ? ": " : "",
		       it->error ? it->error : "");
		nbad += it->state != FIXS_APPLIED;
	}
	if (journal) {
		putchar('\n');
		term_printf(stdout, "Journal: %s", journal);
		term_printf(stdout, "(undo with: lxd-harden rollback %s)",
			    shq(journal));
	}
	if (arc != 0) {
		cmd_error("%s", d.msg);
		rc = EXIT_ERROR;
	} else {
		rc = nbad ? EXIT_FINDINGS : EXIT_CLEAN;
	}
out:
	free(journal);
	fix_plan_release(&plan);
	snapshot_release(&snap);
	lxd_client_free(client);
	lxd_endpoint_release(&ep);
	opts_release(&o);
	return rc;
}
