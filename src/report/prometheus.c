/* prometheus.c - the report as metrics for node_exporter's textfile files */
#include "report.h"

#include <stdlib.h>

#include "catalog.h"
#include "escape.h"
#include "lxdh_config.h"

/* Statuses counted by lxd_harden_findings: the ones that want attention. */
static const enum status finding_statuses[] = {
	ST_FAIL, ST_ERROR, ST_MANUAL, ST_WAIVED,
};

/*
 * A label value in the text format may hold any UTF-8, with backslash,
 * double quote and newline escaped; parsers reject any other escape. Other
 * C0 and C1 control characters are written as the four characters \xNN
 * (the backslash escaped), so no raw control byte reaches the file, and
 * the noncharacters U+FFFE and U+FFFF become U+FFFD.
 */
static void
add_label(struct strbuf *sb, const char *name, const char *value)
{
	char *v = escape_utf8_valid(value ? value : "");

	strbuf_addf(sb, "%s%s=\"", sb->len && sb->buf[sb->len - 1] != '{' ?
					   "," :
					   "",
		    name);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\\') {
			strbuf_addstr(sb, "\\\\");
		} else if (*p == '"') {
			strbuf_addstr(sb, "\\\"");
		} else if (*p == '\n') {
			strbuf_addstr(sb, "\\n");
		} else if (*p < 0x20 || *p == 0x7f) {
			strbuf_addf(sb, "\\\\x%02x", *p);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) {
			strbuf_addf(sb, "\\\\x%02x", p[1]);
			p++;
		} else if (p[0] == 0xef && p[1] == 0xbf &&
			   (p[2] == 0xbe || p[2] == 0xbf)) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			p += 2;
		} else {
			strbuf_addch(sb, (char)*p);
		}
	}
	strbuf_addch(sb, '"');
	free(v);
}

static void
family(struct strbuf *sb, const char *name, const char *help)
{
	strbuf_addf(sb, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void
check_labels(struct strbuf *sb, const char *metric, const struct check *c)
{
	const struct section *sec = catalog_section_of(c);

	strbuf_addf(sb, "%s{", metric);
	add_label(sb, "id", c->id);
	add_label(sb, "severity", severity_name(c->severity));
	add_label(sb, "section", sec ? sec->name : "");
}

static size_t
count_status(const struct findings *fs, enum status st)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->n; i++)
		n += fs->v[i].status == st;
	return n;
}

/*
 * Open findings (fail, error) by their own severity, and those of them
 * the baseline did not have (every one without --baseline).
 */
static void
by_severity(struct strbuf *sb, const struct report *r)
{
	size_t open[SEV__COUNT] = { 0 }, fresh[SEV__COUNT] = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		const struct findings *fs = &r->results[i].findings;

		for (size_t j = 0; j < fs->n; j++) {
			const struct finding *f = &fs->v[j];

			if (!engine_finding_open(f) || f->severity >= SEV__COUNT)
				continue;
			open[f->severity]++;
			fresh[f->severity] += f->baseline != BASELINE_KNOWN;
		}
	}
	family(sb, "lxd_harden_open_findings",
	       "Findings that fail or are in error, by their severity.");
	for (size_t k = SEV__COUNT; k-- > 0;) {
		strbuf_addstr(sb, "lxd_harden_open_findings{");
		add_label(sb, "severity", severity_name((enum severity)k));
		strbuf_addf(sb, "} %zu\n", open[k]);
	}
	family(sb, "lxd_harden_new_findings",
	       "Open findings the --baseline did not have (all of them "
	       "without one), by their severity.");
	for (size_t k = SEV__COUNT; k-- > 0;) {
		strbuf_addstr(sb, "lxd_harden_new_findings{");
		add_label(sb, "severity", severity_name((enum severity)k));
		strbuf_addf(sb, "} %zu\n", fresh[k]);
	}
}

int
report_prometheus_write(FILE *f, const struct report *r, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	(void)flags;
	family(&sb, "lxd_harden_info",
	       "The audited server and the lxd-harden version (always 1).");
	strbuf_addstr(&sb, "lxd_harden_info{");
	add_label(&sb, "version", LXDH_VERSION);
	add_label(&sb, "server", r->product);
	add_label(&sb, "server_version", r->server_version);
	add_label(&sb, "server_name", r->server_name);
	add_label(&sb, "endpoint", r->endpoint);
	strbuf_addstr(&sb, "} 1\n");

	family(&sb, "lxd_harden_last_run_timestamp_seconds",
	       "When the audit ran, in seconds since the epoch.");
	strbuf_addf(&sb, "lxd_harden_last_run_timestamp_seconds %lld\n",
		    r->generated_at);

	/* absent when no check applies: there is no score to give */
	if (r->score >= 0) {
		/* the one decimal of percent the other formats show */
		double tenths = (double)(long long)(r->score * 10.0 + 0.5);

		family(&sb, "lxd_harden_score_ratio",
		       "Share of applicable checks that pass, weighted by "
		       "severity (0 to 1).");
		strbuf_addf(&sb, "lxd_harden_score_ratio %.3f\n",
			    tenths / 1000.0);
	}

	family(&sb, "lxd_harden_checks", "Number of checks with each status.");
	for (size_t k = 0; k < ST__COUNT; k++) {
		strbuf_addstr(&sb, "lxd_harden_checks{");
		add_label(&sb, "status", status_name((enum status)k));
		strbuf_addf(&sb, "} %zu\n", r->counts[k]);
	}

	family(&sb, "lxd_harden_check_status",
	       "1 for the status each check has, 0 for the other statuses.");
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		for (size_t k = 0; k < ST__COUNT; k++) {
			enum status st = (enum status)k;

			check_labels(&sb, "lxd_harden_check_status",
				     res->check);
			add_label(&sb, "status", status_name(st));
			strbuf_addf(&sb, "} %d\n", res->status == st);
		}
	}

	family(&sb, "lxd_harden_findings",
	       "Findings of each check that want attention, by status.");
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		for (size_t k = 0; k < ARRAY_SIZE(finding_statuses); k++) {
			enum status st = finding_statuses[k];

			check_labels(&sb, "lxd_harden_findings", res->check);
			add_label(&sb, "status", status_name(st));
			strbuf_addf(&sb, "} %zu\n",
				    count_status(&res->findings, st));
		}
	}

	by_severity(&sb, r);

	family(&sb, "lxd_harden_oldest_finding_first_seen_timestamp_seconds",
	       "When the oldest open finding of each failing check was first "
	       "seen, in seconds since the epoch (--baseline carries it "
	       "forward; its age is time() minus this).");
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		long long oldest = engine_oldest_open(r, res);

		if (oldest < 0)
			continue;
		check_labels(&sb,
			     "lxd_harden_oldest_finding_first_seen_timestamp_seconds",
			     res->check);
		strbuf_addf(&sb, "} %lld\n", oldest);
	}

	if (sb.len && fwrite(sb.buf, 1, sb.len, f) != sb.len)
		rc = -1;
	if (fflush(f) == EOF)
		rc = -1;
	strbuf_release(&sb);
	return rc;
}
