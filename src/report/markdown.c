/*
 * markdown.c - the report as GitHub-flavoured Markdown, for a pull-request
 * comment or a CI job summary: the tally, a table of the checks that fail
 * or could not run, and per check its findings with their fixes. Every
 * foreign string goes through md_text(): nothing a server sends can open
 * a link, raw HTML or a table cell.
 */
#include "report.h"

#include <stdlib.h>

#include "catalog.h"
#include "cite.h"
#include "lxdh_config.h"
#include "markdown.h"

/* The findings shown per check; the rest are counted. */
#define MD_MAX_FINDINGS 20

static bool
failing(enum status s)
{
	return s == ST_FAIL || s == ST_ERROR;
}

static bool
finding_failing(const struct finding *f)
{
	return failing(f->status);
}

static size_t
count_failing(const struct check_result *res)
{
	size_t n = 0;

	for (size_t i = 0; i < res->findings.n; i++)
		n += finding_failing(&res->findings.v[i]);
	return n;
}

static void
header(struct strbuf *sb, const struct report *r)
{
	strbuf_addstr(sb, "## lxd\\-harden audit: ");
	md_text(sb, str_empty(r->product) ? "lxd" : r->product);
	strbuf_addch(sb, ' ');
	md_text(sb, r->server_version);
	strbuf_addstr(sb, " at ");
	md_text(sb, r->endpoint);
	strbuf_addstr(sb, "\n\n");
	strbuf_addf(sb, "**%zu fail**, %zu error, %zu manual, %zu pass, "
		    "%zu not applicable",
		    r->counts[ST_FAIL], r->counts[ST_ERROR],
		    r->counts[ST_MANUAL], r->counts[ST_PASS],
		    r->counts[ST_NOTAPPLICABLE]);
	if (r->counts[ST_WAIVED] || r->counts[ST_SKIPPED])
		strbuf_addf(sb, ", %zu waived, %zu skipped",
			    r->counts[ST_WAIVED], r->counts[ST_SKIPPED]);
	strbuf_addf(sb, " (%zu checks)", r->n);
	if (r->score >= 0)
		strbuf_addf(sb, "; score %.1f%%", r->score);
	strbuf_addstr(sb, ".\n\n");
	if (r->client_setup) {
		const char *line = r->client_setup;
		char *lead = report_setup_lead(r);

		md_prose(sb, lead);
		strbuf_addstr(sb, "\n\n");
		free(lead);
		md_code_block(sb, 0, &line, 1);
		strbuf_addch(sb, '\n');
	}
}

static void
table(struct strbuf *sb, const struct report *r)
{
	bool any = false;

	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		const char *guide = cite_guide(res->check->id);

		if (!failing(res->status) || res->severity < r->min_severity)
			continue;
		if (!any)
			strbuf_addstr(sb, "| Status | Severity | Check | "
					  "Title | Objects |\n"
					  "|---|---|---|---|---:|\n");
		any = true;
		strbuf_addf(sb, "| %s | %s | ", status_name(res->status),
			    severity_name(res->severity));
		if (guide)
			strbuf_addf(sb, "[%s](%s)", res->check->id, guide);
		else
			md_text(sb, res->check->id);
		strbuf_addstr(sb, " | ");
		md_text(sb, res->check->title);
		strbuf_addf(sb, " | %zu |\n", count_failing(res));
	}
	if (!any)
		strbuf_addstr(sb, "No check fails and none is in error.\n");
	strbuf_addch(sb, '\n');
}

static void
finding(struct strbuf *sb, const struct finding *f)
{
	char *fix;

	strbuf_addf(sb, "- **%s** ", severity_name(f->severity));
	md_text(sb, f->object);
	if (f->device) {
		strbuf_addstr(sb, " device ");
		md_text(sb, f->device);
	}
	strbuf_addstr(sb, ": ");
	md_text(sb, f->message);
	if (f->baseline == BASELINE_NEW)
		strbuf_addstr(sb, " **\\[new\\]**");
	if (f->key) {
		strbuf_addstr(sb, "\n  - ");
		md_text(sb, f->key);
		strbuf_addch(sb, '=');
		md_text(sb, f->value ? f->value : "");
		if (f->source) {
			strbuf_addstr(sb, " \\(from ");
			md_text(sb, f->source);
			strbuf_addstr(sb, "\\)");
		}
	}
	if (f->remedy.n_commands) {
		struct remedy rest = f->remedy;
		char *t;

		/* commands to copy as they are, then the rest as the
		   remediation text says it */
		rest.n_commands = 0;
		t = remedy_text(&rest);
		strbuf_addstr(sb, "\n  - Fix:\n\n");
		md_code_block(sb, 4, (const char *const *)f->remedy.commands,
			      f->remedy.n_commands);
		if (t) {
			strbuf_addstr(sb, "\n  - ");
			md_text(sb, t);
		}
		free(t);
	} else if ((fix = remedy_text(&f->remedy))) {
		strbuf_addstr(sb, "\n  - Fix: ");
		md_text(sb, fix);
		free(fix);
	}
	strbuf_addch(sb, '\n');
}

static void
details(struct strbuf *sb, const struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		size_t shown = 0, total = count_failing(res);

		if (!failing(res->status) || res->severity < r->min_severity)
			continue;
		strbuf_addf(sb, "### %s ", res->check->id);
		md_text(sb, res->check->title);
		strbuf_addstr(sb, "\n\n");
		for (size_t j = 0; j < res->findings.n; j++) {
			const struct finding *f = &res->findings.v[j];

			if (!finding_failing(f))
				continue;
			if (shown++ == MD_MAX_FINDINGS)
				break;
			finding(sb, f);
		}
		if (total > MD_MAX_FINDINGS)
			strbuf_addf(sb, "- and %zu more (see the JSON "
				    "report)\n", total - MD_MAX_FINDINGS);
		strbuf_addstr(sb, "\nHow to fix: ");
		md_text(sb, res->check->remediation);
		strbuf_addstr(sb, "\n\n");
	}
}

int
report_markdown_write(FILE *f, const struct report *r, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	(void)flags;
	header(&sb, r);
	table(&sb, r);
	details(&sb, r);
	strbuf_addstr(&sb, "_lxd\\-harden " LXDH_VERSION "_\n");
	if (fwrite(sb.buf, 1, sb.len, f) != sb.len || fflush(f) == EOF)
		rc = -1;
	strbuf_release(&sb);
	return rc;
}
