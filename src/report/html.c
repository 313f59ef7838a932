/* html.c - the report as one self-contained HTML page for people */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cite.h"
#include "lxdh_config.h"
#include "xmlesc.h"

/*
 * The page loads nothing and runs nothing: inline CSS only, and a content
 * security policy that forbids scripts should an escape ever be missed.
 */
static const char head_html[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	"'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, "
	"initial-scale=1\">\n"
	"<meta name=\"generator\" content=\"lxd-harden " LXDH_VERSION "\">\n";

static const char css[] =
	"<style>\n"
	":root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f3f4f6;"
	"--card:#fff;--critical:#7f1d1d;--high:#dc2626;--medium:#ea580c;"
	"--low:#ca8a04;--info:#6b7280;--pass:#15803d;--fail:#dc2626;"
	"--error:#7c3aed;--manual:#b45309;--waived:#475569;--skipped:#94a3b8;"
	"--notapplicable:#9ca3af;--fixed:#0f766e}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 "
	"system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
	"code,pre,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,"
	"Consolas,monospace;font-size:13px}\n"
	"header{background:#111827;color:#f9fafb;padding:24px 32px}\n"
	"header h1{margin:0 0 4px;font-size:24px;font-weight:650}\n"
	"header .meta{color:#d1d5db;font-size:14px;overflow-wrap:anywhere}\n"
	"header .meta span+span:before{content:'\\00b7';color:#6b7280;"
	"margin:0 8px}\n"
	"main{max-width:1120px;margin:0 auto;padding:24px 32px 48px}\n"
	"h2{font-size:19px;margin:32px 0 12px}\n"
	"h2 .n{color:var(--muted);font-weight:400}\n"
	".card{background:var(--card);border:1px solid var(--line);"
	"border-radius:10px;padding:16px 20px;margin:0 0 12px}\n"
	".summary{display:grid;grid-template-columns:300px 1fr;gap:12px}\n"
	".score .big{font-size:48px;font-weight:700;line-height:1}\n"
	".score .big small{font-size:18px;color:var(--muted);font-weight:400}\n"
	".meter{height:10px;background:var(--line);border-radius:5px;"
	"margin:12px 0 8px;overflow:hidden}\n"
	".meter div{height:100%;border-radius:5px}\n"
	".muted{color:var(--muted)}\n"
	".counts{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}\n"
	".count{border-radius:8px;padding:8px 12px;background:var(--bg);"
	"border-left:4px solid var(--c)}\n"
	".count b{display:block;font-size:26px;line-height:1.2}\n"
	".count span{font-size:13px;color:var(--muted)}\n"
	".chart{display:grid;grid-template-columns:170px 1fr 48px;gap:6px 12px;"
	"align-items:center}\n"
	".chart .bar{display:flex;height:24px;background:var(--bg);"
	"border-radius:4px;overflow:hidden}\n"
	".chart .bar div{color:#fff;font-size:12px;font-weight:600;"
	"text-align:center;line-height:24px;min-width:22px}\n"
	".chart .tot{text-align:right;font-weight:600}\n"
	".chart .none{color:var(--pass);font-size:13px}\n"
	".legend{margin-top:12px;font-size:13px;color:var(--muted)}\n"
	".legend i{display:inline-block;width:10px;height:10px;"
	"border-radius:2px;margin:0 4px 0 12px;vertical-align:-1px}\n"
	".badge{display:inline-block;border-radius:999px;padding:1px 9px;"
	"font-size:12px;font-weight:600;color:#fff;background:var(--c);"
	"white-space:nowrap;vertical-align:1px}\n"
	".badge.outline{background:none;color:var(--c);"
	"border:1px solid var(--c)}\n"
	".check h3{margin:0 0 4px;font-size:16px}\n"
	".check h3 .mono{color:var(--muted);font-weight:500;margin:0 6px}\n"
	".check .why{color:var(--muted);margin:4px 0 8px;font-size:14px}\n"
	".obj{border-top:1px solid var(--line);padding:10px 0 4px}\n"
	".obj .name{font-weight:600;overflow-wrap:anywhere}\n"
	".obj .kv{margin:2px 0;color:var(--muted);overflow-wrap:anywhere}\n"
	".obj .kv code{white-space:pre-wrap}\n"
	"pre.cmd{background:#0f172a;color:#e2e8f0;border-radius:6px;"
	"padding:8px 12px;margin:6px 0;white-space:pre-wrap;"
	"overflow-wrap:anywhere}\n"
	"pre.cmd:before{content:'fix';color:#94a3b8;font-size:11px;"
	"text-transform:uppercase;letter-spacing:.05em;margin-right:10px}\n"
	".howto{margin:8px 0 0;font-size:14px}\n"
	"table{width:100%;border-collapse:collapse;background:var(--card);"
	"border:1px solid var(--line);border-radius:10px;overflow:hidden}\n"
	"th,td{text-align:left;padding:7px 10px;border-bottom:1px solid "
	"var(--line);vertical-align:top;font-size:14px}\n"
	"th{background:#f9fafb;font-weight:600;color:var(--muted)}\n"
	"td.wrap{overflow-wrap:anywhere}\n"
	"td.id{white-space:nowrap;width:1%}\n"
	"header .meta span{white-space:nowrap}\n"
	"header .meta span.mono{white-space:normal;overflow-wrap:anywhere}\n"
	".index td{padding:5px 10px}\n"
	"tr.sec td{background:#f9fafb;font-weight:600}\n"
	"a{color:#1d4ed8;text-decoration:none}\n"
	"footer{color:var(--muted);font-size:13px;margin-top:32px}\n"
	"@media (max-width:800px){main{padding:16px}"
	"header{padding:20px 16px}.summary{grid-template-columns:1fr}"
	".counts{grid-template-columns:repeat(2,1fr)}"
	".chart{grid-template-columns:110px 1fr 36px}}\n"
	"@media print{body{background:#fff}.card,table{break-inside:avoid}}\n"
	"</style>\n";

struct page {
	struct strbuf sb;
	const char *product;	/* whose reference pages to link */
	const struct report *r;
};

static void
put(struct page *p, const char *s)
{
	strbuf_addstr(&p->sb, s);
}

/* Untrusted text, for element content and quoted attribute values alike. */
static void
esc(struct page *p, const char *s)
{
	xmlesc_text(&p->sb, s);
}

static void
putf(struct page *p, const char *fmt, ...) LXDH_PRINTF(2, 3);

static void
putf(struct page *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	put(p, s);
	free(s);
}

static const char *
status_label(enum status s)
{
	static const char *const labels[ST__COUNT] = {
		[ST_PASS] = "Pass",
		[ST_FAIL] = "Fail",
		[ST_MANUAL] = "Manual",
		[ST_NOTAPPLICABLE] = "N/A",
		[ST_ERROR] = "Error",
		[ST_WAIVED] = "Waived",
		[ST_SKIPPED] = "Skipped",
		[ST_FIXED] = "Fixed",
	};

	return (unsigned)s < ST__COUNT ? labels[s] : "?";
}

static void
status_badge(struct page *p, enum status s)
{
	putf(p, "<span class=\"badge\" style=\"--c:var(--%s)\">%s</span>",
	     status_name(s), status_label(s));
}

static void
severity_badge(struct page *p, enum severity s, bool outline)
{
	putf(p, "<span class=\"badge%s\" style=\"--c:var(--%s)\">%s</span>",
	     outline ? " outline" : "", severity_name(s), severity_name(s));
}

static void
baseline_badge(struct page *p, enum finding_baseline b)
{
	if (b == BASELINE_NEW)
		put(p, " <span class=\"badge\" "
		       "style=\"--c:#1d4ed8\">new</span>");
	else if (b == BASELINE_KNOWN)
		put(p, " <span class=\"badge outline\" "
		       "style=\"--c:var(--muted)\">known</span>");
}

static void
header(struct page *p, const struct report *r)
{
	char iso[32], when[40];
	size_t len;

	/* 2026-11-28T15:33:20Z reads better as 2026-11-28 15:33:20 UTC */
	format_rfc3339(r->generated_at, iso, sizeof(iso));
	len = strlen(iso);
	if (len > 11 && iso[10] == 'T' && iso[len - 1] == 'Z')
		snprintf(when, sizeof(when), "%.10s %.*s UTC", iso,
			 (int)(len - 12), iso + 11);
	else
		snprintf(when, sizeof(when), "%s", iso);
	put(p, "<title>LXD security audit: ");
	esc(p, str_empty(r->server_name) ? r->endpoint : r->server_name);
	put(p, "</title>\n");
	put(p, css);
	put(p, "</head>\n<body>\n<header>\n<h1>LXD security audit");
	if (!str_empty(r->server_name)) {
		put(p, " of ");
		esc(p, r->server_name);
	}
	put(p, "</h1>\n<div class=\"meta\"><span>");
	esc(p, str_empty(r->product) ? "lxd" : r->product);
	put(p, " ");
	esc(p, r->server_version);
	put(p, r->clustered ? " (clustered)" : " (standalone)");
	put(p, "</span><span class=\"mono\">");
	esc(p, r->endpoint);
	putf(p, "</span><span>%s</span><span>lxd-harden " LXDH_VERSION
		"</span></div>\n</header>\n<main>\n", when);
}

static const char *
score_color(double score)
{
	if (score >= 80)
		return "var(--pass)";
	if (score >= 50)
		return "var(--medium)";
	return "var(--fail)";
}

static void
summary(struct page *p, const struct report *r)
{
	static const enum status shown[] = {
		ST_FAIL, ST_ERROR, ST_MANUAL, ST_WAIVED,
		ST_PASS, ST_NOTAPPLICABLE, ST_SKIPPED, ST_FIXED,
	};

	put(p, "<section class=\"summary\">\n<div class=\"card score\">\n");
	if (r->score >= 0) {
		double s = (double)(long long)(r->score * 10.0 + 0.5) / 10.0;

		putf(p, "<div class=\"big\"><span data-score>%.1f</span>"
			"<small> / 100</small></div>\n", s);
		putf(p, "<div class=\"meter\"><div style=\"width:%.1f%%;"
			"background:%s\"></div></div>\n", s, score_color(s));
		put(p, "<div class=\"muted\">Score: the share of applicable "
		       "checks that pass, weighted by severity.</div>\n");
	} else {
		put(p, "<div class=\"big\"><span data-score>n/a</span></div>\n"
		       "<div class=\"muted\">No check applies to this server, "
		       "so there is no score.</div>\n");
	}
	put(p, "</div>\n<div class=\"card\">\n<div class=\"counts\">\n");
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		putf(p, "<div class=\"count\" style=\"--c:var(--%s)\">"
			"<b data-count=\"%s\">%zu</b><span>%s</span></div>\n",
		     status_name(shown[i]), status_name(shown[i]),
		     r->counts[shown[i]], status_label(shown[i]));
	putf(p, "</div>\n<div class=\"muted\" style=\"margin-top:10px\">"
		"<span data-count=\"checks\">%zu</span> checks run.</div>\n"
		"</div>\n</section>\n", r->n);
}

/* Failing findings by section and severity, as stacked bars. */
static void
chart(struct page *p, const struct report *r)
{
	size_t nsec = 0, max = 0;
	size_t (*tally)[SEV__COUNT];
	const struct section *sec;
	size_t total[SEV__COUNT] = { 0 }, all = 0;

	for (sec = catalog_sections; sec->prefix; sec++)
		nsec++;
	tally = xcalloc(nsec + 1, sizeof(*tally));
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		const struct section *s = catalog_section_of(res->check);
		size_t k = s ? (size_t)(s - catalog_sections) : nsec;

		for (size_t j = 0; j < res->findings.n; j++) {
			const struct finding *f = &res->findings.v[j];

			if (f->status != ST_FAIL || f->severity >= SEV__COUNT)
				continue;
			tally[k][f->severity]++;
			total[f->severity]++;
			all++;
		}
	}
	for (size_t k = 0; k <= nsec; k++) {
		size_t t = 0;

		for (int v = 0; v < SEV__COUNT; v++)
			t += tally[k][v];
		if (t > max)
			max = t;
	}

	putf(p, "<h2>Failing findings by section and severity "
		"<span class=\"n\">(<span data-count=\"findings\">%zu</span>)"
		"</span></h2>\n<div class=\"card\">\n<div class=\"chart\">\n",
	     all);
	for (size_t k = 0; k <= nsec; k++) {
		size_t t = 0;

		for (int v = 0; v < SEV__COUNT; v++)
			t += tally[k][v];
		if (k == nsec && t == 0)
			break;	/* no unsectioned check failed */
		put(p, "<div>");
		esc(p, k < nsec ? catalog_sections[k].name : "Other");
		put(p, "</div>\n<div class=\"bar\">");
		if (t == 0)
			put(p, "<span class=\"none\">&#10003; no failing "
			       "finding</span>");
		for (int v = SEV__COUNT - 1; v >= 0; v--) {
			if (!tally[k][v])
				continue;
			putf(p, "<div style=\"width:%.1f%%;"
				"background:var(--%s)\" title=\"%zu %s\">"
				"%zu</div>",
			     100.0 * (double)tally[k][v] / (double)max,
			     severity_name((enum severity)v), tally[k][v],
			     severity_name((enum severity)v), tally[k][v]);
		}
		putf(p, "</div>\n<div class=\"tot\">%zu</div>\n", t);
	}
	put(p, "</div>\n<div class=\"legend\">");
	for (int v = SEV__COUNT - 1; v >= 0; v--)
		putf(p, "<i style=\"background:var(--%s)\"></i>%s "
			"<b data-severity=\"%s\">%zu</b>",
		     severity_name((enum severity)v),
		     severity_name((enum severity)v),
		     severity_name((enum severity)v), total[v]);
	put(p, "</div>\n</div>\n");
	free(tally);
}

/* A finding's remedy: the commands, the values to give, the prose and
   what fix does with it. */
static void
put_remedy(struct page *p, const struct remedy *rm)
{
	if (rm->n_commands) {
		put(p, "<pre class=\"cmd\"><code>");
		for (size_t i = 0; i < rm->n_commands; i++) {
			esc(p, rm->commands[i]);
			put(p, "\n");
		}
		put(p, "</code></pre>\n");
	}
	for (size_t i = 0; i < rm->n_needs; i++) {
		put(p, "<div class=\"kv\">Needs <code>");
		esc(p, rm->needs[i].name);
		put(p, "</code>: ");
		esc(p, rm->needs[i].why);
		if (rm->fixable) {
			put(p, "; then <code>lxd-harden fix --set ");
			esc(p, rm->needs[i].name);
			put(p, "=VALUE</code>");
		}
		put(p, "</div>\n");
	}
	if (rm->note) {
		put(p, "<div class=\"kv\">");
		esc(p, rm->note);
		put(p, "</div>\n");
	}
	if (rm->fixable) {
		put(p, "<div class=\"kv\">Plan: ");
		put(p, rm->n_needs ? "applied once given (fix --set)" :
		       rm->opt_in  ? "opt-in (fix --only)" :
				     "safe (fix --apply)");
		if (rm->restart)
			put(p, ", restart needed");
		put(p, rm->reversible ? ", reversible" : ", not reversible");
		if (rm->host)
			put(p, ", on this host");
		put(p, "</div>\n");
	}
}

/*
 * One finding. Its status and severity are shown only where they differ
 * from the check's, which its card already shows.
 */
static void
finding_block(struct page *p, const struct finding *f, bool show_status,
	      bool show_severity)
{
	put(p, "<div class=\"obj\">\n<div class=\"name\">");
	if (show_status) {
		status_badge(p, f->status);
		put(p, " ");
	}
	if (show_severity) {
		severity_badge(p, f->severity, true);
		put(p, " ");
	}
	put(p, "<span class=\"mono\">");
	esc(p, f->object);
	put(p, "</span>");
	if (f->device) {
		put(p, " device <span class=\"mono\">");
		esc(p, f->device);
		put(p, "</span>");
	}
	baseline_badge(p, f->baseline);
	put(p, "</div>\n<div>");
	esc(p, f->message);
	put(p, "</div>\n");
	if (f->key) {
		put(p, "<div class=\"kv\"><code>");
		esc(p, f->key);
		put(p, "=");
		esc(p, f->value);
		put(p, "</code>");
		if (f->source) {
			put(p, " from <span class=\"mono\">");
			esc(p, f->source);
			put(p, "</span>");
		}
		put(p, "</div>\n");
	}
	if (f->waiver_reason) {
		put(p, "<div class=\"kv\">Waived until ");
		esc(p, f->waiver_expires);
		put(p, ": ");
		esc(p, f->waiver_reason);
		put(p, "</div>\n");
	}
	put_remedy(p, &f->remedy);
	put(p, "</div>\n");
}

/* How many distinct objects have a finding with status want. */
static size_t
objects_with(const struct check_result *res, enum status want)
{
	json_t *seen = json_object();
	size_t n = 0;

	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];

		if (f->status == want ||
		    (want == ST_FAIL && f->status == ST_ERROR))
			n += report_count(seen, f->object) == 1;
	}
	json_decref(seen);
	return n;
}

/* Links to the guide section and the reference pages of a check. */
static void
cites_html(struct page *p, const char *id)
{
	const char *urls[CITE_MAX_REFS];
	size_t n = cite_refs(id, p->product, urls);

	if (!cite_guide(id))
		return;
	put(p, "<div class=\"muted\">Guide: "
	       "<a rel=\"noreferrer\" href=\"");
	esc(p, cite_guide(id));
	put(p, "\">How to harden security for LXD</a>");
	for (size_t i = 0; i < n; i++) {
		put(p, i ? ", <a rel=\"noreferrer\" href=\"" :
			   ". Reference: <a rel=\"noreferrer\" href=\"");
		esc(p, urls[i]);
		put(p, "\">");
		esc(p, urls[i]);
		put(p, "</a>");
	}
	put(p, "</div>\n");
}

static void
check_card(struct page *p, const struct check_result *res, enum status want)
{
	const struct check *c = res->check;
	const struct section *sec = catalog_section_of(c);
	bool any_fix = false;
	size_t n = objects_with(res, want);
	char since[64];

	for (size_t i = 0; i < res->findings.n; i++) {
		enum status s = res->findings.v[i].status;

		if (s == want || (want == ST_FAIL && s == ST_ERROR))
			any_fix |= !remedy_empty(&res->findings.v[i].remedy);
	}
	putf(p, "<div class=\"card check\" id=\"%s\">\n<h3>", c->id);
	severity_badge(p, res->severity, false);
	putf(p, "<span class=\"mono\">%s</span>", c->id);
	esc(p, c->title);
	put(p, " ");
	status_badge(p, res->status);
	put(p, "</h3>\n");
	report_open_since(p->r, res, since, sizeof(since));
	if (since[0])
		putf(p, "<div class=\"muted\">%s</div>\n", since);
	put(p, "<div class=\"why\">");
	if (sec) {
		esc(p, sec->name);
		put(p, ". ");
	}
	esc(p, c->rationale);
	putf(p, " <b>%zu object%s.</b></div>\n", n, n == 1 ? "" : "s");
	cites_html(p, c->id);
	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];

		if (f->status == want ||
		    (want == ST_FAIL && f->status == ST_ERROR))
			finding_block(p, f, f->status != res->status,
				      f->severity != res->severity);
	}
	if (!any_fix) {
		put(p, "<div class=\"howto\"><b>How to fix:</b> ");
		esc(p, c->remediation);
		put(p, "</div>\n");
	}
	put(p, "</div>\n");
}

/* A long list of cards starts with a table of them, to scan and jump. */
static void
card_index(struct page *p, const struct check_result **v, size_t n,
	   enum status want)
{
	put(p, "<table class=\"index\">\n");
	for (size_t i = 0; i < n; i++) {
		size_t k = objects_with(v[i], want);

		put(p, "<tr><td class=\"id\">");
		severity_badge(p, v[i]->severity, false);
		putf(p, "</td><td class=\"mono id\"><a href=\"#%s\">%s</a>"
			"</td><td class=\"wrap\">", v[i]->check->id,
		     v[i]->check->id);
		esc(p, v[i]->check->title);
		putf(p, "</td><td class=\"muted id\">%zu object%s</td></tr>\n",
		     k, k == 1 ? "" : "s");
	}
	put(p, "</table>\n<div style=\"height:12px\"></div>\n");
}

static int
by_severity(const void *a, const void *b)
{
	const struct check_result *x = *(const struct check_result *const *)a;
	const struct check_result *y = *(const struct check_result *const *)b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->check->id, y->check->id);
}

/* Checks with status st, most severe first, as cards. */
static void
cards(struct page *p, const struct report *r, enum status st,
      const char *title, const char *blurb)
{
	const struct check_result **v = xcalloc(r->n + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->results[i].status == st)
			v[n++] = &r->results[i];
	if (n) {
		qsort(v, n, sizeof(*v), by_severity);
		putf(p, "<h2>%s <span class=\"n\">(%zu)</span></h2>\n"
			"<p class=\"muted\">%s</p>\n", title, n, blurb);
		if (n > 3)
			card_index(p, v, n, st);
		for (size_t i = 0; i < n; i++)
			check_card(p, v[i], st);
	}
	free(v);
}

static void
waived(struct page *p, const struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->results[i].findings.n; j++) {
			enum status s = r->results[i].findings.v[j].status;

			n += s == ST_WAIVED || s == ST_SKIPPED;
		}
	if (!n)
		return;
	putf(p, "<h2>Waived and skipped <span class=\"n\">(%zu)</span></h2>\n"
		"<p class=\"muted\">Accepted by the policy: still listed, "
		"with the reason given and the date the waiver ends.</p>\n"
		"<table>\n<tr><th>Check</th><th>Object</th><th>Status</th>"
		"<th>Reason</th><th>Until</th></tr>\n", n);
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		for (size_t j = 0; j < res->findings.n; j++) {
			const struct finding *f = &res->findings.v[j];

			if (f->status != ST_WAIVED && f->status != ST_SKIPPED)
				continue;
			putf(p, "<tr><td class=\"mono id\">%s</td>"
				"<td class=\"mono wrap\">", res->check->id);
			esc(p, f->object);
			put(p, "</td><td>");
			status_badge(p, f->status);
			put(p, "</td><td class=\"wrap\">");
			esc(p, f->waiver_reason ? f->waiver_reason :
						  f->message);
			put(p, "</td><td class=\"mono id\">");
			esc(p, f->waiver_expires ? f->waiver_expires : "");
			put(p, "</td></tr>\n");
		}
	}
	put(p, "</table>\n");
}

static void
fixed_since(struct page *p, const struct report *r)
{
	if (!r->has_baseline)
		return;
	putf(p, "<h2>Fixed since the baseline <span class=\"n\">(%zu)"
		"</span></h2>\n", r->fixed_since.n);
	if (!r->fixed_since.n) {
		put(p, "<p class=\"muted\">Nothing the baseline reported "
		       "has gone.</p>\n");
		return;
	}
	put(p, "<div class=\"card\">\n");
	for (size_t i = 0; i < r->fixed_since.n; i++) {
		put(p, "<div class=\"mono\">");
		esc(p, r->fixed_ids[i]);
		put(p, "</div>\n");
		finding_block(p, &r->fixed_since.v[i], false, true);
	}
	put(p, "</div>\n");
}

static void
notes(struct page *p, const struct report *r)
{
	if (!r->n_notes)
		return;
	putf(p, "<h2>Policy notes <span class=\"n\">(%zu)</span></h2>\n"
		"<div class=\"card\"><ul>\n", r->n_notes);
	for (size_t i = 0; i < r->n_notes; i++) {
		put(p, "<li>");
		esc(p, r->notes[i]);
		put(p, "</li>\n");
	}
	put(p, "</ul></div>\n");
}

/* The one line a check gets in the full list. */
static const char *
result_note(const struct check_result *res)
{
	for (size_t i = 0; i < res->findings.n; i++)
		if (res->findings.v[i].status == res->status)
			return res->findings.v[i].message;
	return NULL;
}

static void
all_checks(struct page *p, const struct report *r)
{
	const struct section *cur = NULL;

	putf(p, "<h2>All checks <span class=\"n\">(%zu)</span></h2>\n"
		"<table>\n<tr><th>Status</th><th>Severity</th><th>Check</th>"
		"<th>Title</th></tr>\n", r->n);
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		const struct section *sec = catalog_section_of(res->check);
		bool carded = res->status == ST_FAIL ||
			      res->status == ST_ERROR ||
			      res->status == ST_MANUAL;
		const char *note = result_note(res);

		if (i == 0 || sec != cur) {
			cur = sec;
			put(p, "<tr class=\"sec\"><td colspan=\"4\">");
			esc(p, sec ? sec->name : "Other");
			put(p, "</td></tr>\n");
		}
		put(p, "<tr><td class=\"id\">");
		status_badge(p, res->status);
		put(p, "</td><td class=\"id\">");
		severity_badge(p, res->severity, true);
		if (carded)
			putf(p, "</td><td class=\"mono id\"><a href=\"#%s\">%s"
				"</a>", res->check->id, res->check->id);
		else
			putf(p, "</td><td class=\"mono id\">%s",
			     res->check->id);
		put(p, "</td><td class=\"wrap\">");
		esc(p, res->check->title);
		if (!carded && res->status != ST_PASS && note) {
			put(p, "<div class=\"muted\">");
			esc(p, note);
			put(p, "</div>");
		}
		put(p, "</td></tr>\n");
	}
	put(p, "</table>\n");
}

int
report_html_write(FILE *f, const struct report *r, unsigned flags)
{
	struct page p = { STRBUF_INIT, r->product, r };
	int rc = 0;

	(void)flags;
	put(&p, head_html);
	header(&p, r);
	summary(&p, r);
	chart(&p, r);
	cards(&p, r, ST_FAIL, "Fix these first",
	      "Failing checks, most severe first, with each object and the "
	      "command that fixes it.");
	cards(&p, r, ST_ERROR, "Could not check",
	      "These checks could not read what they need; they are not a "
	      "pass.");
	cards(&p, r, ST_MANUAL, "Needs a person",
	      "These checks cannot decide from the server alone; each says "
	      "what to look at.");
	waived(&p, r);
	fixed_since(&p, r);
	notes(&p, r);
	all_checks(&p, r);
	put(&p, "<footer>Generated by lxd-harden " LXDH_VERSION
		". This page is self-contained: it loads nothing and runs no "
		"script.</footer>\n</main>\n</body>\n</html>\n");
	if (fwrite(p.sb.buf, 1, p.sb.len, f) != p.sb.len || fflush(f) == EOF)
		rc = -1;
	strbuf_release(&p.sb);
	return rc;
}
