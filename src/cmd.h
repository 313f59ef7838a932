/* cmd.h - the subcommands; each returns the process exit status */
#ifndef LXD_HARDEN_CMD_H
#define LXD_HARDEN_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <stddef.h>

enum {
	EXIT_CLEAN = 0,		/* nothing fails at or above the threshold */
	EXIT_ERROR = 1,		/* could not audit: usage, connection, parse */
	EXIT_FINDINGS = 2,	/* something fails at or above the threshold */
};

int cmd_audit(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_usg_tailoring(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/*
 * Whether n changes may be applied: yes (--yes) says so; otherwise asks
 * "Apply N changes? [y/N]" on /dev/tty. Returns 1 to go on; 0 when the
 * answer was no ("Not applied." printed); -1 when there is no terminal
 * to ask on (the error, asking for --yes, printed).
 */
int cmd_approve(size_t n, bool yes);

/* The journal directory: the option, else $LXDH_JOURNAL_DIR, else the
   default. */
const char *cmd_journal_dir(const char *opt);

/*
 * Says which option getopt_long refused (unknown, or its value missing),
 * escaped: main() turns off getopt's own message, which would print the
 * argument raw. argv[0] is the command's name.
 */
void cmd_bad_option(char **argv);

/* Prints "lxd-harden: MSG" on stderr, MSG through the terminal escaper. */
void cmd_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

#endif
