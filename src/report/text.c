/* text.c - the report for people, grouped by section */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "escape.h"
#include "lxdh_config.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_MAGENTA "\033[35m"
#define C_CYAN "\033[36m"

struct out {
	FILE *f;
	bool color;
	int err;
};

static void
put(struct out *o, const char *s)
{
	if (fputs(s, o->f) == EOF)
		o->err = -1;
}

static void
color(struct out *o, const char *c)
{
	if (o->color)
		put(o, c);
}

/* Writes untrusted text with every control character made visible. */
static void
put_safe(struct out *o, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	escape_term(&sb, s ? s : "");
	put(o, sb.buf ? sb.buf : "");
	strbuf_release(&sb);
}

static const char *
status_color(enum status s)
{
	switch (s) {
	case ST_FAIL:
		return C_RED C_BOLD;
	case ST_ERROR:
		return C_MAGENTA C_BOLD;
	case ST_MANUAL:
		return C_YELLOW;
	case ST_PASS:
	case ST_FIXED:
		return C_GREEN;
	case ST_NOTAPPLICABLE:
	case ST_WAIVED:
	case ST_SKIPPED:
	case ST__COUNT:
		break;
	}
	return C_DIM;
}

static const char *
status_label(enum status s)
{
	switch (s) {
	case ST_PASS:
		return "PASS ";
	case ST_FAIL:
		return "FAIL ";
	case ST_MANUAL:
		return "MANUAL";
	case ST_NOTAPPLICABLE:
		return "N/A  ";
	case ST_ERROR:
		return "ERROR";
	case ST_WAIVED:
		return "WAIVED";
	case ST_SKIPPED:
		return "SKIP ";
	case ST_FIXED:
		return "FIXED";
	case ST__COUNT:
		break;
	}
	return "?";
}

static void
write_finding(struct out *o, const struct finding *f, bool show_sev)
{
	char line[64];

	put(o, "      - ");
	if (show_sev) {
		color(o, status_color(f->status));
		snprintf(line, sizeof(line), "[%s] ", severity_name(f->severity));
		put(o, line);
		color(o, C_RESET);
	}
	color(o, C_BOLD);
	put_safe(o, f->object);
	color(o, C_RESET);
	if (f->device) {
		put(o, " device ");
		put_safe(o, f->device);
	}
	put(o, ": ");
	put_safe(o, f->message);
	if (f->baseline == BASELINE_NEW) {
		color(o, C_BOLD);
		put(o, " [new]");
		color(o, C_RESET);
	}
	put(o, "\n");
	if (f->waiver_reason) {
		put(o, "        waived until ");
		put_safe(o, f->waiver_expires);
		put(o, ": ");
		put_safe(o, f->waiver_reason);
		put(o, "\n");
	}
	if (f->key) {
		put(o, "        ");
		put_safe(o, f->key);
		put(o, "=");
		put_safe(o, f->value ? f->value : "");
		if (f->source) {
			put(o, " (from ");
			put_safe(o, f->source);
			put(o, ")");
		}
		put(o, "\n");
	}
	if (f->remediation) {
		put(o, "        fix: ");
		color(o, C_CYAN);
		put_safe(o, f->remediation);
		color(o, C_RESET);
		put(o, "\n");
	}
}

static bool
shown(const struct finding *f, enum status check_status, bool verbose)
{
	if (verbose)
		return true;
	switch (check_status) {
	case ST_FAIL:
		return f->status == ST_FAIL || f->status == ST_ERROR;
	case ST_ERROR:
		return f->status == ST_ERROR;
	case ST_MANUAL:
		return f->status == ST_MANUAL;
	case ST_WAIVED:
		return f->status == ST_WAIVED;
	case ST_SKIPPED:
		return f->status == ST_SKIPPED;
	default:
		return false;
	}
}

static void
write_result(struct out *o, const struct check_result *res, bool verbose)
{
	const struct check *c = res->check;
	char line[160];
	bool failing = res->status == ST_FAIL || res->status == ST_ERROR;

	put(o, "  ");
	color(o, status_color(res->status));
	snprintf(line, sizeof(line), "%-6s", status_label(res->status));
	put(o, line);
	color(o, C_RESET);
	snprintf(line, sizeof(line), " %-8s %s  %s\n",
		 severity_name(res->severity), c->id, c->title);
	put(o, line);
	if (res->status == ST_NOTAPPLICABLE && res->findings.n && !verbose) {
		put(o, "      ");
		put_safe(o, res->findings.v[0].message);
		put(o, "\n");
	}
	for (size_t i = 0; i < res->findings.n; i++)
		if (shown(&res->findings.v[i], res->status, verbose))
			write_finding(o, &res->findings.v[i], failing);
	if (failing || res->status == ST_MANUAL) {
		bool any_fix = false;

		for (size_t i = 0; i < res->findings.n; i++)
			any_fix |= res->findings.v[i].remediation != NULL;
		if (!any_fix) {
			put(o, "      how to fix: ");
			put(o, c->remediation);
			put(o, "\n");
		}
	}
}

int
report_text_write(FILE *f, const struct report *r, unsigned flags)
{
	struct out o = { f, (flags & REPORT_COLOR) != 0, 0 };
	bool verbose = (flags & REPORT_VERBOSE) != 0;
	const struct section *cur = NULL;
	char line[256], when[32];

	format_rfc3339(r->generated_at, when, sizeof(when));
	color(&o, C_BOLD);
	put(&o, "lxd-harden " LXDH_VERSION " audit of ");
	put_safe(&o, r->endpoint);
	color(&o, C_RESET);
	put(&o, "\n");
	put(&o, "server: ");
	put_safe(&o, r->product);
	put(&o, " ");
	put_safe(&o, r->server_version);
	if (!str_empty(r->server_name)) {
		put(&o, " on '");
		put_safe(&o, r->server_name);
		put(&o, "'");
	}
	snprintf(line, sizeof(line), " (%s%s%s), %zu API requests, %s\n",
		 r->clustered ? "clustered" : "standalone",
		 r->install ? ", install: " : "", r->install ? r->install : "",
		 r->requests, when);
	put(&o, line);

	for (size_t i = 0; i < r->n; i++) {
		const struct section *sec = catalog_section_of(r->results[i].check);

		if (sec != cur) {
			cur = sec;
			put(&o, "\n");
			color(&o, C_BOLD);
			put(&o, sec ? sec->name : "Other");
			color(&o, C_RESET);
			put(&o, "\n");
		}
		write_result(&o, &r->results[i], verbose);
	}

	if (r->has_baseline) {
		put(&o, "\n");
		color(&o, C_BOLD);
		put(&o, "Fixed since the baseline");
		color(&o, C_RESET);
		snprintf(line, sizeof(line), " (%zu)\n", r->fixed_since.n);
		put(&o, line);
		for (size_t i = 0; i < r->fixed_since.n; i++) {
			put(&o, "  ");
			put_safe(&o, r->fixed_ids[i]);
			write_finding(&o, &r->fixed_since.v[i], false);
		}
	}
	if (r->n_notes) {
		put(&o, "\n");
		color(&o, C_BOLD);
		put(&o, "Policy notes");
		color(&o, C_RESET);
		put(&o, "\n");
		for (size_t i = 0; i < r->n_notes; i++) {
			put(&o, "  - ");
			put_safe(&o, r->notes[i]);
			put(&o, "\n");
		}
	}

	snprintf(line, sizeof(line),
		 "\nsummary: %zu fail, %zu error, %zu manual, %zu pass, "
		 "%zu notapplicable",
		 r->counts[ST_FAIL], r->counts[ST_ERROR], r->counts[ST_MANUAL],
		 r->counts[ST_PASS], r->counts[ST_NOTAPPLICABLE]);
	put(&o, line);
	if (r->counts[ST_WAIVED] || r->counts[ST_SKIPPED]) {
		snprintf(line, sizeof(line), ", %zu waived, %zu skipped",
			 r->counts[ST_WAIVED], r->counts[ST_SKIPPED]);
		put(&o, line);
	}
	snprintf(line, sizeof(line), " (%zu checks)\n", r->n);
	put(&o, line);
	if (r->score >= 0) {
		snprintf(line, sizeof(line),
			 "score: %.1f%% of applicable checks pass, weighted "
			 "by severity\n", r->score);
		put(&o, line);
	}
	if (fflush(f) == EOF)
		o.err = -1;
	return o.err;
}
