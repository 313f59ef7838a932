/* cmd.h - the subcommands; each returns the process exit status */
#ifndef LXD_HARDEN_CMD_H
#define LXD_HARDEN_CMD_H

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

/* Asks "Apply N changes? [y/N]" on /dev/tty: 1 yes, 0 no, -1 no
   terminal (the caller then wants --yes). */
int cmd_confirm(size_t n);

/* Prints "lxd-harden: MSG" on stderr. */
void cmd_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

#endif
