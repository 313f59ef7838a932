/* cli.c - command-line mistakes: "did you mean", one-line usage errors */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "util.h"

#define CLI_MAX_WORD 64

size_t
cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[CLI_MAX_WORD + 1];

	if (la > CLI_MAX_WORD || lb > CLI_MAX_WORD)
		return 255;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) ==
					      tolower((unsigned char)b[j - 1]) ?
					      0 :
					      1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb] > 255 ? 255 : row[lb];
}

const char *
cli_nearest(const char *word, const char *const *cand, size_t n)
{
	size_t limit = strlen(word) / 3, best = 255;
	const char *hit = NULL;
	bool tie = false;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t dist = cli_edit_distance(word, cand[i]);

		if (dist < best) {
			best = dist;
			hit = cand[i];
			tie = false;
		} else if (dist == best && !str_eq(hit, cand[i])) {
			tie = true;
		}
	}
	return best <= limit && !tie ? hit : NULL;
}

const char *
cli_nearest_check(const char *id)
{
	const char *ids[256];
	char full[CLI_MAX_WORD];
	size_t n = 0;

	for (const struct section *s = catalog_sections; s->prefix; s++)
		for (const struct check *c = s->checks; c->id; c++)
			if (n < ARRAY_SIZE(ids))
				ids[n++] = c->id;
	/* "ACC-001" for "LXD-ACC-001": people drop the common prefix */
	if (strncasecmp(id, "LXD-", 4) != 0 && strlen(id) + 5 < sizeof(full)) {
		snprintf(full, sizeof(full), "LXD-%s", id);
		id = full;
	}
	return cli_nearest(id, ids, n);
}

void
cli_bad_option(const char *cmd, int c, char **argv,
	       const struct option *longopts)
{
	const char *arg = argv[optind - 1];
	const char *names[64], *hit;
	char word[CLI_MAX_WORD];
	size_t n = 0, len, nprefix = 0;

	if (c == ':') {
		if (optopt && optopt < 256 && !str_starts_with(arg, "--"))
			cmd_error("%s: option '-%c' needs a value; see "
				  "'lxd-harden %s --help'", cmd, optopt, cmd);
		else
			cmd_error("%s: option '%s' needs a value; see "
				  "'lxd-harden %s --help'", cmd, arg, cmd);
		return;
	}
	if (optopt) {
		cmd_error("%s: unknown option '-%c'; see 'lxd-harden %s "
			  "--help'", cmd, isprint(optopt) ? optopt : '?', cmd);
		return;
	}
	/* an unknown long option, or a prefix of more than one */
	len = strcspn(arg + 2, "=");
	snprintf(word, sizeof(word), "%.*s", (int)len, arg + 2);
	for (const struct option *o = longopts; o->name; o++) {
		if (n < ARRAY_SIZE(names))
			names[n++] = o->name;
		if (len && !strncmp(o->name, word, len))
			nprefix++;
	}
	if (nprefix > 1) {
		struct strbuf sb = STRBUF_INIT;

		for (const struct option *o = longopts; o->name; o++) {
			if (strncmp(o->name, word, len))
				continue;
			strbuf_addstr(&sb, sb.len ? ", --" : "--");
			strbuf_addstr(&sb, o->name);
		}
		cmd_error("%s: option '--%s' is ambiguous (%s); see "
			  "'lxd-harden %s --help'", cmd, word, sb.buf, cmd);
		strbuf_release(&sb);
		return;
	}
	hit = cli_nearest(word, names, n);
	if (hit)
		cmd_error("%s: unknown option '--%s' (did you mean --%s?); see "
			  "'lxd-harden %s --help'", cmd, word, hit, cmd);
	else
		cmd_error("%s: unknown option '--%s'; see 'lxd-harden %s "
			  "--help'", cmd, word, cmd);
}
