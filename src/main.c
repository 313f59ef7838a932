/* main.c - lxd-harden: the table of subcommands and dispatch */
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "cmd.h"
#include "lxdh_config.h"
#include "lxdh_git.h"
#include "util.h"

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "audit", cmd_audit, "audit an LXD server against the hardening guide" },
	{ "checks", cmd_checks, "list the check catalog" },
	{ "explain", cmd_explain, "say why a check matters and how to fix it" },
	{ "usg-tailoring", cmd_usg_tailoring,
	  "write a CIS tailoring file for LXD hosts (USG/OpenSCAP)" },
	{ "fix", cmd_fix, "plan the fixes, and apply them with --apply" },
	{ "rollback", cmd_rollback, "undo the last (or a named) fix --apply" },
	{ "profile", cmd_profile, "create the hardened profile and attach it" },
	{ "merge", cmd_merge, "combine reports of many hosts and servers into one" },
	{ "watch", cmd_watch, "follow the event stream and print drift as it happens" },
};

static void
usage(FILE *f)
{
	fputs("usage: lxd-harden COMMAND [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n'lxd-harden COMMAND --help' for a command's options; "
	      "'lxd-harden --version'.\n",
	      f);
}

static const struct cmd *
find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	char help[] = "--help";
	char *help_argv[3] = { NULL, help, NULL };
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version") ||
	    !strcmp(argv[1], "-V")) {
		/* In a git checkout, also what `git describe` says. */
		if (LXDH_GIT_DESCRIBE[0] && strcmp(LXDH_GIT_DESCRIBE, "none"))
			puts("lxd-harden " LXDH_VERSION " (git "
			     LXDH_GIT_DESCRIBE ")");
		else
			puts("lxd-harden " LXDH_VERSION);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc == 2) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		/* "help audit" is "audit --help" */
		if (argc > 3 || !find(argv[2])) {
			cmd_error("help takes one command name (see "
				  "'lxd-harden --help')");
			return EXIT_ERROR;
		}
		help_argv[0] = argv[2];
		return find(argv[2])->fn(2, help_argv);
	}
	/* getopt would print a bad option raw: cmd_bad_option escapes it */
	opterr = 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			cmd_error("cannot initialise libcurl");
			return EXIT_ERROR;
		}
		rc = commands[i].fn(argc - 1, argv + 1);
		curl_global_cleanup();
		return rc;
	}
	{
		const char *names[ARRAY_SIZE(commands)], *near;

		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			names[i] = commands[i].name;
		near = cli_nearest(argv[1], names, ARRAY_SIZE(commands));
		if (near)
			cmd_error("unknown command '%s' (did you mean '%s'?); "
				  "see 'lxd-harden --help'", argv[1], near);
		else
			cmd_error("unknown command '%s' (see 'lxd-harden "
				  "--help')", argv[1]);
	}
	return EXIT_ERROR;
}
