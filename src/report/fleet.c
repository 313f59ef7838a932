/* fleet.c - the formats of a fleet report: one view over many targets */
#include "report/fleet_report.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "escape.h"
#include "lxdh_config.h"
#include "report.h"
#include "xmlesc.h"

/* How many names a cross-fleet line lists before "and N more". */
#define FLEET_NAMES_SHOWN 10

/* Each entry read back once for the formats that need struct report. */
struct view {
	const struct fleet_entry *e;
	struct report r;
	bool ok;		/* r loaded */
	char *why;		/* e->error, or why the report did not load */
	enum severity worst;
	bool any;		/* something fails or errs */
};

struct views {
	struct view *v;
	size_t n;
	size_t audited;
	size_t errors;
};

static void
views_load(struct views *vs, const struct fleet *fl)
{
	vs->v = xcalloc(fl->n ? fl->n : 1, sizeof(*vs->v));
	vs->n = fl->n;
	vs->audited = vs->errors = 0;
	for (size_t i = 0; i < fl->n; i++) {
		struct view *v = &vs->v[i];
		struct diag d = { { 0 } };

		v->e = &fl->v[i];
		if (!v->e->report) {
			v->why = xstrdup(v->e->error ? v->e->error : "no report");
		} else if (fleet_report_load(&v->r, v->e->report, &d) != 0) {
			v->why = xasprintf("its report: %s", d.msg);
		} else {
			v->ok = true;
			v->worst = fleet_report_worst(&v->r, &v->any);
		}
		if (v->ok)
			vs->audited++;
		else
			vs->errors++;
	}
}

static void
views_release(struct views *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		if (vs->v[i].ok)
			engine_report_release(&vs->v[i].r);
		free(vs->v[i].why);
	}
	free(vs->v);
}

int
fleet_exit_status(const struct fleet *fl, enum severity fail_on)
{
	struct views vs;
	int rc = EXIT_CLEAN;

	views_load(&vs, fl);
	for (size_t i = 0; i < vs.n; i++) {
		if (!vs.v[i].ok)
			rc = EXIT_ERROR;
		else if (rc == EXIT_CLEAN &&
			 engine_fails(&vs.v[i].r, fail_on))
			rc = EXIT_FINDINGS;
	}
	views_release(&vs);
	return rc;
}

/* --- the checks across the fleet ----------------------------------------- */

struct xcheck {
	const struct check *check;
	enum severity worst;
	size_t *fail;		/* view indexes */
	size_t n_fail;
	size_t *error;
	size_t n_error;
};

static int
xcheck_cmp(const void *a, const void *b)
{
	const struct xcheck *x = a, *y = b;

	if (x->n_fail + x->n_error != y->n_fail + y->n_error)
		return x->n_fail + x->n_error > y->n_fail + y->n_error ? -1 :
									  1;
	if (x->worst != y->worst)
		return x->worst > y->worst ? -1 : 1;
	return strcmp(x->check->id, y->check->id);
}

/* Every check that fails or errs somewhere, most widespread first. */
static struct xcheck *
xchecks(const struct views *vs, size_t *n)
{
	size_t total = catalog_count(), k = 0;
	struct xcheck *x = xcalloc(total + 1, sizeof(*x));

	*n = 0;
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		for (const struct check *c = s->checks; c->id; c++, k++) {
			struct xcheck *e = &x[*n];

			e->check = c;
			for (size_t i = 0; i < vs->n; i++) {
				const struct view *v = &vs->v[i];

				if (!v->ok)
					continue;
				for (size_t j = 0; j < v->r.n; j++) {
					const struct check_result *res =
						&v->r.results[j];

					if (res->check != c ||
					    (res->status != ST_FAIL &&
					     res->status != ST_ERROR))
						continue;
					if (!e->n_fail && !e->n_error)
						e->worst = res->severity;
					if (res->severity > e->worst)
						e->worst = res->severity;
					if (res->status == ST_FAIL) {
						e->fail = xrealloc(e->fail,
							(e->n_fail + 1) *
							sizeof(size_t));
						e->fail[e->n_fail++] = i;
					} else {
						e->error = xrealloc(e->error,
							(e->n_error + 1) *
							sizeof(size_t));
						e->error[e->n_error++] = i;
					}
				}
			}
			if (e->n_fail || e->n_error)
				(*n)++;
		}
	}
	(void)k;
	qsort(x, *n, sizeof(*x), xcheck_cmp);
	return x;
}

static void
xchecks_free(struct xcheck *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(x[i].fail);
		free(x[i].error);
	}
	free(x);
}

static void
names(struct strbuf *sb, const struct views *vs, const size_t *idx, size_t n,
      bool all)
{
	size_t shown = all || n <= FLEET_NAMES_SHOWN ? n : FLEET_NAMES_SHOWN;

	for (size_t i = 0; i < shown; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", vs->v[idx[i]].e->name);
	if (shown < n)
		strbuf_addf(sb, ", and %zu more", n - shown);
}

static char *
xcheck_line(const struct views *vs, const struct xcheck *x, bool all)
{
	struct strbuf sb = STRBUF_INIT;

	if (x->n_fail) {
		strbuf_addf(&sb, "fails on %zu of %zu server%s: ", x->n_fail,
			    vs->audited, vs->audited == 1 ? "" : "s");
		names(&sb, vs, x->fail, x->n_fail, all);
	}
	if (x->n_error) {
		strbuf_addf(&sb, "%sin error on %zu of %zu server%s: ",
			    x->n_fail ? "; " : "", x->n_error, vs->audited,
			    vs->audited == 1 ? "" : "s");
		names(&sb, vs, x->error, x->n_error, all);
	}
	return strbuf_detach(&sb);
}

/* A per-target report of another format, into memory. */
static char *
format_one(const char *format, const struct report *r, unsigned flags)
{
	const struct report_format *fmt = report_format_find(format);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	if (fmt->write(m, r, flags) != 0) {
		fclose(m);
		free(buf);
		return NULL;
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
server_of(struct strbuf *sb, const struct view *v)
{
	strbuf_addf(sb, "%s %s", v->r.product ? v->r.product : "?",
		    v->r.server_version ? v->r.server_version : "?");
}

static void
score_of(struct strbuf *sb, const struct report *r)
{
	if (r->score < 0)
		strbuf_addstr(sb, "-");
	else
		strbuf_addf(sb, "%.0f", r->score);
}

/* --- text ---------------------------------------------------------------- */

static int
write_text(FILE *f, const struct views *vs, unsigned flags)
{
	size_t w = strlen("TARGET"), nx;
	struct xcheck *x;

	for (size_t i = 0; i < vs->n; i++)
		if (strlen(vs->v[i].e->name) > w)
			w = strlen(vs->v[i].e->name);
	fprintf(f, "lxd-harden %s fleet audit: %zu target%s, %zu audited, "
		   "%zu could not be audited\n\n", LXDH_VERSION, vs->n,
		vs->n == 1 ? "" : "s", vs->audited, vs->errors);
	fprintf(f, "%-*s  %-14s %5s %5s %5s %6s %5s %5s  %s\n", (int)w,
		"TARGET", "SERVER", "PASS", "FAIL", "ERROR", "MANUAL", "N/A",
		"SCORE", "WORST");
	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];
		struct strbuf srv = STRBUF_INIT, sc = STRBUF_INIT;

		if (!v->ok) {
			term_printf(f, "%-*s  error: %s", (int)w, v->e->name,
				    v->why);
			continue;
		}
		server_of(&srv, v);
		score_of(&sc, &v->r);
		term_printf(f, "%-*s  %-14s %5zu %5zu %5zu %6zu %5zu %5s  %s",
			    (int)w, v->e->name, srv.buf, v->r.counts[ST_PASS],
			    v->r.counts[ST_FAIL], v->r.counts[ST_ERROR],
			    v->r.counts[ST_MANUAL],
			    v->r.counts[ST_NOTAPPLICABLE], sc.buf,
			    v->any ? severity_name(v->worst) : "-");
		strbuf_release(&srv);
		strbuf_release(&sc);
	}
	x = xchecks(vs, &nx);
	fprintf(f, "\n");
	if (nx == 0)
		fprintf(f, "No check fails on any audited server.\n");
	else
		fprintf(f, "Failing checks across the fleet:\n");
	for (size_t i = 0; i < nx; i++) {
		char *line = xcheck_line(vs, &x[i], flags & REPORT_VERBOSE);

		term_printf(f, "  %-12s %-8s %s", x[i].check->id,
			    severity_name(x[i].worst), line);
		free(line);
	}
	xchecks_free(x, nx);
	for (size_t i = 0; (flags & REPORT_VERBOSE) && i < vs->n; i++) {
		const struct view *v = &vs->v[i];

		fprintf(f, "\n=== %s ===\n", v->e->name);
		if (!v->ok) {
			term_printf(f, "error: %s", v->why);
			continue;
		}
		if (v->e->dedup_note)
			term_printf(f, "note: %s", v->e->dedup_note);
		if (report_text_write(f, &v->r, flags) != 0)
			return -1;
	}
	if (!(flags & REPORT_VERBOSE) && vs->n)
		fprintf(f, "\nEach server's findings: -v.\n");
	return ferror(f) ? -1 : 0;
}

/* --- markdown ------------------------------------------------------------ */

static void
md_cell(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' ||
		    *s == '_' || *s == '<' || *s == '[' || *s == ']')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s == '\n' ? ' ' : *s);
	}
}

static int
write_markdown(FILE *f, const struct views *vs, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	struct xcheck *x;
	size_t nx;
	int rc;

	strbuf_addf(&sb, "# lxd-harden fleet audit\n\n%zu targets, %zu "
			 "audited, %zu could not be audited.\n\n", vs->n,
		    vs->audited, vs->errors);
	strbuf_addstr(&sb, "| Target | Server | Pass | Fail | Error | Manual "
			   "| N/A | Score | Worst |\n|---|---|--:|--:|--:|--:|"
			   "--:|--:|---|\n");
	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];

		strbuf_addstr(&sb, "| ");
		md_cell(&sb, v->e->name);
		if (!v->ok) {
			char *why = escape_utf8_valid(v->why);

			strbuf_addstr(&sb, " | error: ");
			md_cell(&sb, why);
			strbuf_addstr(&sb, " | | | | | | | |\n");
			free(why);
			continue;
		}
		strbuf_addstr(&sb, " | ");
		server_of(&sb, v);
		strbuf_addf(&sb, " | %zu | %zu | %zu | %zu | %zu | ",
			    v->r.counts[ST_PASS], v->r.counts[ST_FAIL],
			    v->r.counts[ST_ERROR], v->r.counts[ST_MANUAL],
			    v->r.counts[ST_NOTAPPLICABLE]);
		score_of(&sb, &v->r);
		strbuf_addf(&sb, " | %s |\n",
			    v->any ? severity_name(v->worst) : "-");
	}
	x = xchecks(vs, &nx);
	strbuf_addstr(&sb, "\n## Failing checks across the fleet\n\n");
	if (!nx)
		strbuf_addstr(&sb, "No check fails on any audited server.\n");
	for (size_t i = 0; i < nx; i++) {
		char *line = xcheck_line(vs, &x[i], true);

		strbuf_addf(&sb, "- **%s** (%s): ", x[i].check->id,
			    severity_name(x[i].worst));
		md_cell(&sb, line);
		strbuf_addch(&sb, '\n');
		free(line);
	}
	xchecks_free(x, nx);
	rc = fwrite(sb.buf, 1, sb.len, f) == sb.len ? 0 : -1;
	strbuf_release(&sb);
	for (size_t i = 0; rc == 0 && (flags & REPORT_VERBOSE) && i < vs->n;
	     i++) {
		if (!vs->v[i].ok)
			continue;
		fprintf(f, "\n---\n\n");
		rc = report_markdown_write(f, &vs->v[i].r, flags);
	}
	return rc == 0 && !ferror(f) ? 0 : -1;
}

/* --- HTML ---------------------------------------------------------------- */

static int
write_html(FILE *f, const struct views *vs, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	struct xcheck *x;
	size_t nx;
	int rc;

	(void)flags;
	strbuf_addstr(&sb,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<title>lxd-harden fleet audit</title>\n<style>\n"
		"body{font-family:sans-serif;margin:2em}"
		"table{border-collapse:collapse}"
		"td,th{border:1px solid #ccc;padding:.2em .5em;"
		"text-align:left}"
		".error{color:#a00}.sev-critical,.sev-high{color:#a00;"
		"font-weight:bold}.sev-medium{color:#a60}\n"
		"</style>\n</head>\n<body>\n<h1>lxd-harden fleet audit</h1>\n");
	strbuf_addf(&sb, "<p>%zu targets, %zu audited, %zu could not be "
			 "audited (lxd-harden %s).</p>\n", vs->n, vs->audited,
		    vs->errors, LXDH_VERSION);
	strbuf_addstr(&sb, "<table>\n<tr><th>Target</th><th>Server</th>"
			   "<th>Pass</th><th>Fail</th><th>Error</th>"
			   "<th>Manual</th><th>N/A</th><th>Score</th>"
			   "<th>Worst</th></tr>\n");
	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];

		strbuf_addstr(&sb, "<tr><td><a href=\"#t-");
		xmlesc_attr(&sb, v->e->name);
		strbuf_addstr(&sb, "\">");
		xmlesc_text(&sb, v->e->name);
		strbuf_addstr(&sb, "</a></td>");
		if (!v->ok) {
			strbuf_addstr(&sb, "<td colspan=\"8\" class=\"error\">"
					   "error: ");
			xmlesc_text(&sb, v->why);
			strbuf_addstr(&sb, "</td></tr>\n");
			continue;
		}
		strbuf_addstr(&sb, "<td>");
		{
			struct strbuf s = STRBUF_INIT;

			server_of(&s, v);
			xmlesc_text(&sb, s.buf);
			strbuf_release(&s);
		}
		strbuf_addf(&sb, "</td><td>%zu</td><td>%zu</td><td>%zu</td>"
				 "<td>%zu</td><td>%zu</td><td>",
			    v->r.counts[ST_PASS], v->r.counts[ST_FAIL],
			    v->r.counts[ST_ERROR], v->r.counts[ST_MANUAL],
			    v->r.counts[ST_NOTAPPLICABLE]);
		score_of(&sb, &v->r);
		strbuf_addf(&sb, "</td><td class=\"sev-%s\">%s</td></tr>\n",
			    v->any ? severity_name(v->worst) : "none",
			    v->any ? severity_name(v->worst) : "-");
	}
	strbuf_addstr(&sb, "</table>\n<h2>Failing checks across the fleet"
			   "</h2>\n<ul>\n");
	x = xchecks(vs, &nx);
	for (size_t i = 0; i < nx; i++) {
		char *line = xcheck_line(vs, &x[i], true);

		strbuf_addf(&sb, "<li><b>%s</b> <span class=\"sev-%s\">%s"
				 "</span> ", x[i].check->id,
			    severity_name(x[i].worst),
			    severity_name(x[i].worst));
		xmlesc_text(&sb, x[i].check->title);
		strbuf_addstr(&sb, ": ");
		xmlesc_text(&sb, line);
		strbuf_addstr(&sb, "</li>\n");
		free(line);
	}
	if (!nx)
		strbuf_addstr(&sb, "<li>No check fails on any audited server."
				   "</li>\n");
	strbuf_addstr(&sb, "</ul>\n");
	xchecks_free(x, nx);
	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];

		strbuf_addstr(&sb, "<h2 id=\"t-");
		xmlesc_attr(&sb, v->e->name);
		strbuf_addstr(&sb, "\">");
		xmlesc_text(&sb, v->e->name);
		strbuf_addstr(&sb, "</h2>\n");
		if (!v->ok) {
			strbuf_addstr(&sb, "<p class=\"error\">error: ");
			xmlesc_text(&sb, v->why);
			strbuf_addstr(&sb, "</p>\n");
			continue;
		}
		strbuf_addstr(&sb, "<ul>\n");
		for (size_t j = 0; j < v->r.n; j++) {
			const struct check_result *res = &v->r.results[j];

			for (size_t k = 0; k < res->findings.n; k++) {
				const struct finding *fd = &res->findings.v[k];
				char *obj;

				if (fd->status != ST_FAIL &&
				    fd->status != ST_ERROR)
					continue;
				obj = report_object_short(fd->object);
				strbuf_addf(&sb, "<li>%s <b>%s</b> <span "
						 "class=\"sev-%s\">%s</span> ",
					    status_name(fd->status),
					    res->check->id,
					    severity_name(fd->severity),
					    severity_name(fd->severity));
				xmlesc_text(&sb, obj);
				strbuf_addstr(&sb, ": ");
				xmlesc_text(&sb, fd->message);
				strbuf_addstr(&sb, "</li>\n");
				free(obj);
			}
		}
		strbuf_addstr(&sb, "</ul>\n");
	}
	strbuf_addstr(&sb, "</body>\n</html>\n");
	rc = fwrite(sb.buf, 1, sb.len, f) == sb.len && !ferror(f) ? 0 : -1;
	strbuf_release(&sb);
	return rc;
}

/* --- JSON ---------------------------------------------------------------- */

static json_t *
idx_names(const struct views *vs, const size_t *idx, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(vs->v[idx[i]].e->name));
	return a;
}

static int
write_json(FILE *f, const struct views *vs, const struct fleet *fl)
{
	json_t *root = json_object(), *tool = json_object();
	json_t *sum = json_object(), *checks = json_array();
	json_t *targets = json_array();
	struct xcheck *x;
	size_t nx;
	char when[32];
	enum severity worst = SEV_INFO;
	bool any = false;

	json_object_set_new(root, "schema", json_string("lxd-harden/fleet/v1"));
	json_object_set_new(tool, "name", json_string("lxd-harden"));
	json_object_set_new(tool, "version", json_string(LXDH_VERSION));
	json_object_set_new(root, "tool", tool);
	format_rfc3339(fl->generated_at, when, sizeof(when));
	json_object_set_new(root, "generated_at", json_string(when));
	for (size_t i = 0; i < vs->n; i++) {
		if (vs->v[i].ok && vs->v[i].any &&
		    (!any || vs->v[i].worst > worst)) {
			worst = vs->v[i].worst;
			any = true;
		}
	}
	json_object_set_new(sum, "targets", json_integer((json_int_t)vs->n));
	json_object_set_new(sum, "audited",
			    json_integer((json_int_t)vs->audited));
	json_object_set_new(sum, "error", json_integer((json_int_t)vs->errors));
	json_object_set_new(sum, "worst_severity",
			    any ? json_string(severity_name(worst)) :
				  json_null());
	x = xchecks(vs, &nx);
	for (size_t i = 0; i < nx; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "id", json_string(x[i].check->id));
		json_object_set_new(c, "severity",
				    json_string(severity_name(x[i].worst)));
		json_object_set_new(c, "fail",
				    idx_names(vs, x[i].fail, x[i].n_fail));
		json_object_set_new(c, "error",
				    idx_names(vs, x[i].error, x[i].n_error));
		json_array_append_new(checks, c);
	}
	xchecks_free(x, nx);
	json_object_set_new(sum, "checks", checks);
	json_object_set_new(root, "summary", sum);
	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];
		json_t *t = json_object();

		json_object_set_new(t, "name", json_string(v->e->name));
		json_object_set_new(t, "status",
				    json_string(v->ok ? "audited" : "error"));
		if (!v->ok) {
			char *why = escape_utf8_valid(v->why);

			json_object_set_new(t, "error", json_string(why));
			free(why);
		} else {
			json_object_set_new(t, "score",
					    v->r.score < 0 ? json_null() :
						json_real(json_number_value(
							json_object_get(
								v->e->report,
								"score"))));
			json_object_set_new(t, "worst_severity",
					    v->any ? json_string(severity_name(
							     v->worst)) :
						     json_null());
		}
		if (v->e->dedup_note)
			json_object_set_new(t, "merge_note",
					    json_string(v->e->dedup_note));
		if (v->e->report)
			json_object_set(t, "report", v->e->report);
		json_array_append_new(targets, t);
	}
	json_object_set_new(root, "targets", targets);
	return report_dump_json(f, root);
}

/* --- SARIF: one run per target ------------------------------------------- */

static int
write_sarif(FILE *f, const struct views *vs)
{
	json_t *root = NULL, *runs = json_array();

	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];
		json_t *run, *auto_id = json_object();
		char *id = xasprintf("lxd-harden/%s/", v->e->name);

		json_object_set_new(auto_id, "id", json_string(id));
		free(id);
		if (v->ok) {
			char *doc = format_one("sarif", &v->r, 0);
			json_t *one = doc ? json_loads(doc, 0, NULL) : NULL;

			free(doc);
			if (!one) {
				json_decref(auto_id);
				json_decref(runs);
				json_decref(root);
				return -1;
			}
			if (!root) {
				root = json_deep_copy(one);
				json_object_del(root, "runs");
			}
			run = json_incref(json_array_get(
				json_object_get(one, "runs"), 0));
			json_decref(one);
		} else {
			json_t *inv = json_object(), *note = json_object();
			json_t *msg = json_object(), *drv = json_object();
			char *why = escape_utf8_valid(v->why);

			run = json_object();
			json_object_set_new(drv, "name",
					    json_string("lxd-harden"));
			json_object_set_new(drv, "version",
					    json_string(LXDH_VERSION));
			json_object_set_new(run, "tool",
					    json_pack("{s:o}", "driver", drv));
			json_object_set_new(msg, "text", json_string(why));
			free(why);
			json_object_set_new(note, "level", json_string("error"));
			json_object_set_new(note, "message", msg);
			json_object_set_new(inv, "executionSuccessful",
					    json_false());
			json_object_set_new(inv, "toolExecutionNotifications",
					    json_pack("[o]", note));
			json_object_set_new(run, "invocations",
					    json_pack("[o]", inv));
			json_object_set_new(run, "results", json_array());
		}
		json_object_set_new(run, "automationDetails", auto_id);
		json_array_append_new(runs, run);
	}
	if (!root) {
		root = json_object();
		json_object_set_new(root, "$schema", json_string(
			"https://json.schemastore.org/sarif-2.1.0.json"));
		json_object_set_new(root, "version", json_string("2.1.0"));
	}
	json_object_set_new(root, "runs", runs);
	return report_dump_json(f, root);
}

/* --- JUnit: one suite per target ----------------------------------------- */

/*
 * The per-target JUnit report has one suite per section; the fleet keeps
 * their test cases in one suite named after the target. Element text is
 * escaped, so no line of it starts with a tag of the frame.
 */
static void
junit_cases(struct strbuf *out, const char *doc)
{
	bool in_props = false;

	for (const char *l = doc; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l + 1) : strlen(l);

		if (str_starts_with(l, "<?xml") ||
		    str_starts_with(l, "<testsuites") ||
		    str_starts_with(l, "</testsuites") ||
		    str_starts_with(l, "  <testsuite") ||
		    str_starts_with(l, "  </testsuite")) {
			/* the frame */
		} else if (str_starts_with(l, "    <properties>")) {
			in_props = true;
		} else if (str_starts_with(l, "    </properties>")) {
			in_props = false;
		} else if (!in_props) {
			strbuf_add(out, l, len);
		}
		l += len;
	}
}

static size_t
xml_count(const char *doc, const char *attr)
{
	const char *p = strstr(doc, "<testsuites");
	char *key = xasprintf(" %s=\"", attr);
	size_t n = 0;

	if (p)
		p = strstr(p, key);
	if (p)
		n = strtoul(p + strlen(key), NULL, 10);
	free(key);
	return n;
}

static int
write_junit(FILE *f, const struct views *vs)
{
	struct strbuf body = STRBUF_INIT, sb = STRBUF_INIT;
	size_t tests = 0, failures = 0, errors = 0, skipped = 0;
	int rc;

	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];
		size_t t, fl, er, sk;

		strbuf_addstr(&body, "  <testsuite name=\"");
		xmlesc_attr(&body, v->e->name);
		if (!v->ok) {
			strbuf_addf(&body, "\" id=\"%zu\" tests=\"1\" "
					   "failures=\"0\" errors=\"1\" "
					   "skipped=\"0\" time=\"0\">\n"
					   "    <testcase classname=\"audit\" "
					   "name=\"audit of ", i);
			xmlesc_attr(&body, v->e->name);
			strbuf_addstr(&body, "\" time=\"0\">\n      <error "
					     "message=\"");
			xmlesc_attr(&body, v->why);
			strbuf_addstr(&body, "\" type=\"error\"/>\n    "
					     "</testcase>\n  </testsuite>\n");
			tests++;
			errors++;
			continue;
		}
		{
			char *doc = format_one("junit", &v->r, 0);

			if (!doc) {
				strbuf_release(&body);
				return -1;
			}
			t = xml_count(doc, "tests");
			fl = xml_count(doc, "failures");
			er = xml_count(doc, "errors");
			sk = xml_count(doc, "skipped");
			strbuf_addf(&body, "\" id=\"%zu\" hostname=\"", i);
			xmlesc_attr(&body, v->r.server_name ?
						   v->r.server_name : "");
			strbuf_addf(&body, "\" tests=\"%zu\" failures=\"%zu\" "
					   "errors=\"%zu\" skipped=\"%zu\" "
					   "time=\"0\">\n", t, fl, er, sk);
			junit_cases(&body, doc);
			strbuf_addstr(&body, "  </testsuite>\n");
			free(doc);
			tests += t;
			failures += fl;
			errors += er;
			skipped += sk;
		}
	}
	strbuf_addf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<testsuites name=\"lxd-harden fleet\" tests=\"%zu\" "
			 "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
			 "time=\"0\">\n", tests, failures, errors, skipped);
	strbuf_add(&sb, body.buf ? body.buf : "", body.len);
	strbuf_addstr(&sb, "</testsuites>\n");
	rc = fwrite(sb.buf, 1, sb.len, f) == sb.len && !ferror(f) ? 0 : -1;
	strbuf_release(&sb);
	strbuf_release(&body);
	return rc;
}

/* --- Prometheus: a target label ------------------------------------------ */

struct family {
	char *name;
	char *head;		/* its HELP and TYPE lines */
	struct strbuf samples;
};

struct families {
	struct family *v;
	size_t n;
};

/* The index of family name (added when new). */
static size_t
family_get(struct families *fs, const char *name, size_t len)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strlen(fs->v[i].name) == len &&
		    !strncmp(fs->v[i].name, name, len))
			return i;
	fs->v = xrealloc(fs->v, (fs->n + 1) * sizeof(*fs->v));
	memset(&fs->v[fs->n], 0, sizeof(*fs->v));
	fs->v[fs->n].name = xstrndup(name, len);
	return fs->n++;
}

/* Adds target="NAME" to each sample of one target's metrics. */
static void
prom_target(struct families *fs, const char *doc, const char *name)
{
	struct family *cur = NULL;

	for (const char *l = doc; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (str_starts_with(l, "# HELP ")) {
			const char *nm = l + 7;
			/* first the index: family_get may move fs->v */
			size_t k = family_get(fs, nm, strcspn(nm, " \n"));

			cur = &fs->v[k];
			if (!cur->head)
				cur->head = xstrndup(l, len);
		} else if (str_starts_with(l, "# TYPE ")) {
			if (cur && !strstr(cur->head, "\n# TYPE")) {
				char *h = xasprintf("%s\n%.*s", cur->head,
						    (int)len, l);

				free(cur->head);
				cur->head = h;
			}
		} else if (len && l[0] != '#' && cur) {
			size_t nlen = strcspn(l, "{ ");

			strbuf_add(&cur->samples, l, nlen);
			strbuf_addf(&cur->samples, "{target=\"%s\"", name);
			if (l[nlen] == '{') {
				if (l[nlen + 1] != '}')
					strbuf_addch(&cur->samples, ',');
				strbuf_add(&cur->samples, l + nlen + 1,
					   len - nlen - 1);
			} else {
				strbuf_addch(&cur->samples, '}');
				strbuf_add(&cur->samples, l + nlen,
					   len - nlen);
			}
			strbuf_addch(&cur->samples, '\n');
		}
		l += len + (nl ? 1 : 0);
	}
}

static int
write_prometheus(FILE *f, const struct views *vs)
{
	struct families fs = { 0 };
	size_t up = family_get(&fs, "lxd_harden_target_up", 20);
	int rc = 0;

	fs.v[up].head = xstrdup("# HELP lxd_harden_target_up Whether the "
				"target could be audited (1) or not (0).\n"
				"# TYPE lxd_harden_target_up gauge");
	for (size_t i = 0; i < vs->n; i++) {
		const struct view *v = &vs->v[i];
		char *doc;

		/* names are [A-Za-z0-9._:@-]: nothing to escape in a label */
		strbuf_addf(&fs.v[up].samples,
			    "lxd_harden_target_up{target=\"%s\"} %d\n",
			    v->e->name, v->ok ? 1 : 0);
		if (!v->ok)
			continue;
		doc = format_one("prometheus", &v->r, 0);
		if (!doc) {
			rc = -1;
			break;
		}
		prom_target(&fs, doc, v->e->name);
		free(doc);
	}
	for (size_t i = 0; i < fs.n; i++) {
		if (rc == 0 && fs.v[i].samples.len)
			fprintf(f, "%s\n%s", fs.v[i].head ? fs.v[i].head : "",
				fs.v[i].samples.buf);
		free(fs.v[i].name);
		free(fs.v[i].head);
		strbuf_release(&fs.v[i].samples);
	}
	free(fs.v);
	return rc == 0 && !ferror(f) ? 0 : -1;
}

int
fleet_write(FILE *f, const struct fleet *fl, const char *format,
	    unsigned flags)
{
	struct views vs;
	int rc;

	views_load(&vs, fl);
	if (str_eq(format, "json"))
		rc = write_json(f, &vs, fl);
	else if (str_eq(format, "sarif"))
		rc = write_sarif(f, &vs);
	else if (str_eq(format, "junit"))
		rc = write_junit(f, &vs);
	else if (str_eq(format, "prometheus"))
		rc = write_prometheus(f, &vs);
	else if (str_eq(format, "html"))
		rc = write_html(f, &vs, flags);
	else if (str_eq(format, "markdown"))
		rc = write_markdown(f, &vs, flags);
	else
		rc = write_text(f, &vs, flags);
	views_release(&vs);
	return rc;
}
