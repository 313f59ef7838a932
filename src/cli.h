/* cli.h - command-line mistakes: "did you mean", one-line usage errors */
#ifndef LXD_HARDEN_CLI_H
#define LXD_HARDEN_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "finding.h"

/* Levenshtein distance of a and b, ASCII case folded; capped at 255. */
size_t cli_edit_distance(const char *a, const char *b);

/*
 * The candidate nearest to word, when it is near enough to be a typo
 * (distance at most a third of word's length plus one, at most 3);
 * NULL otherwise or when two candidates tie.
 */
const char *cli_nearest(const char *word, const char *const *cand, size_t n);

struct check;

/* The check id names as people type it ("acc-1": LXD-ACC-001), or NULL. */
const struct check *cli_check_find(const char *id);

/* The catalog id nearest to id ("LXD-ACC-01" -> "LXD-ACC-001"), or NULL. */
const char *cli_nearest_check(const char *id);

/*
 * After getopt_long (optstring starting with ':') returned '?' or ':':
 * prints one line, e.g. "lxd-harden: audit: unknown option '--fial-on'
 * (did you mean --fail-on?); see 'lxd-harden audit --help'". Uses optind
 * and optopt as getopt_long left them.
 */
void cli_bad_option(const char *cmd, int c, char **argv,
		    const struct option *longopts);

struct gate_select;

/*
 * A selection option of audit and fix (--check, --skip, --section,
 * --project: option is its name without dashes) added to s; -1 after
 * saying why on stderr.
 */
int cli_select_option(struct gate_select *s, const char *option,
		      const char *arg);

/*
 * A severity option's LEVEL (option: "--fail-on", "--min-severity") into
 * *out; -1 after saying why on stderr.
 */
int cli_severity(const char *option, const char *arg, enum severity *out);

#endif
