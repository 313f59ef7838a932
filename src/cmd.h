/* cmd.h - the subcommands; each returns the process exit status */
#ifndef LXD_HARDEN_CMD_H
#define LXD_HARDEN_CMD_H

enum {
	EXIT_CLEAN = 0,		/* nothing fails at or above the threshold */
	EXIT_ERROR = 1,		/* could not audit: usage, connection, parse */
	EXIT_FINDINGS = 2,	/* something fails at or above the threshold */
};

int cmd_audit(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_usg_tailoring(int argc, char **argv);

/* Prints "lxd-harden: MSG" on stderr. */
void cmd_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

#endif
