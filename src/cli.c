/* cli.c - command-line mistakes: "did you mean", one-line usage errors */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "gate.h"
#include "util.h"

#define CLI_MAX_WORD 64

size_t
cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char m[CLI_MAX_WORD + 1][CLI_MAX_WORD + 1];

	if (la > CLI_MAX_WORD || lb > CLI_MAX_WORD)
		return 255;
	for (size_t i = 0; i <= la; i++)
		m[i][0] = (unsigned char)i;
	for (size_t j = 0; j <= lb; j++)
		m[0][j] = (unsigned char)j;
	/* optimal string alignment: a swap of two neighbours costs 1 */
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned best = m[i - 1][j - 1] + (ca != cb);

			if (m[i - 1][j] + 1u < best)
				best = m[i - 1][j] + 1u;
			if (m[i][j - 1] + 1u < best)
				best = m[i][j - 1] + 1u;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    m[i - 2][j - 2] + 1u < best)
				best = m[i - 2][j - 2] + 1u;
			m[i][j] = (unsigned char)best;
		}
	}
	return m[la][lb];
}

const char *
cli_nearest(const char *word, const char *const *cand, size_t n)
{
	size_t limit = strlen(word) / 3 + 1, best = 255;
	const char *hit = NULL;
	bool tie = false;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t dist;

		if (!cand[i])
			continue;
		dist = cli_edit_distance(word, cand[i]);

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

/*
 * What people type, as an id: "acc-1" for "LXD-ACC-001". Upper case, the
 * common prefix, the number padded to three digits. false when too long.
 */
static bool
normalize_id(const char *id, char *full, size_t size)
{
	char up[CLI_MAX_WORD];
	size_t len = strlen(id), digits = 0;

	if (len >= sizeof(up))
		return false;
	for (size_t i = 0; i <= len; i++)
		up[i] = (char)toupper((unsigned char)id[i]);
	while (digits < len && isdigit((unsigned char)up[len - 1 - digits]))
		digits++;
	if (digits && digits < 3 && len > digits && up[len - 1 - digits] == '-')
		snprintf(full, size, "%s%.*s%.*s%s",
			 str_starts_with(up, "LXD-") ? "" : "LXD-",
			 (int)(len - digits), up, (int)(3 - digits), "00",
			 up + len - digits);
	else
		snprintf(full, size, "%s%s",
			 str_starts_with(up, "LXD-") ? "" : "LXD-", up);
	return true;
}

const struct check *
cli_check_find(const char *id)
{
	char full[CLI_MAX_WORD + 8];

	return normalize_id(id, full, sizeof(full)) ? catalog_find(full) : NULL;
}

const char *
cli_nearest_check(const char *id)
{
	const char *ids[256];
	const struct check *exact;
	char full[CLI_MAX_WORD + 8];
	size_t n = 0;

	if (!normalize_id(id, full, sizeof(full)))
		return NULL;
	exact = catalog_find(full);
	if (exact)
		return exact->id;
	for (const struct section *s = catalog_sections; s->prefix; s++)
		for (const struct check *c = s->checks; c->id; c++)
			if (n < ARRAY_SIZE(ids))
				ids[n++] = c->id;
	return cli_nearest(full, ids, n);
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
	if (optopt && str_starts_with(arg, "--")) {
		cmd_error("%s: option '%.*s' takes no value; see 'lxd-harden "
			  "%s --help'", cmd, (int)strcspn(arg, "="), arg, cmd);
		return;
	}
	if (optopt) {
		cmd_error("%s: unknown option '-%c'; see 'lxd-harden %s "
			  "--help'", cmd, isprint(optopt) ? optopt : '?', cmd);
		return;
	}
	/* an unknown long option, or a prefix of more than one */
	len = strcspn(arg + 2, "=");
	if (len >= sizeof(word))
		len = sizeof(word) - 1;
	/* cmd_error escapes what the user typed for the terminal */
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

int
cli_select_option(struct gate_select *s, const char *option,
		  const char *arg)
{
	struct diag d;

	if (gate_select_add(s, option, arg, &d) != 0) {
		cmd_error("%s", d.msg);
		return -1;
	}
	return 0;
}

int
cli_severity(const char *option, const char *arg, enum severity *out)
{
	if (severity_parse(arg, out) != 0) {
		cmd_error("unknown severity '%s' for %s "
			  "(critical, high, medium, low, info)", arg, option);
		return -1;
	}
	return 0;
}
