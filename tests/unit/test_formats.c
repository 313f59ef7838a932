/* test_formats.c - SARIF, JUnit, HTML, Markdown and Prometheus writers on
 * hostile data */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "catalog.h"
#include "escape.h"
#include "markdown.h"
#include "report.h"
#include "xmlesc.h"

static void
eval_none(const struct check *c, const struct check_ctx *x,
	  struct findings *out)
{
	(void)c;
	(void)x;
	(void)out;
}

#define CHECK(i, t, sev)                                                   \
	{                                                                  \
		.id = i, .title = t, .severity = sev,                      \
		.rationale = "Because <b>it</b> matters & \"more\".",      \
		.reads = "Nothing.", .remediation = "Do 'the' <thing>.",   \
		.eval = eval_none,                                         \
	}

static const struct check fake_checks[] = {
	CHECK("LXD-GEN-901", "A failing check", SEV_HIGH),
	CHECK("LXD-GEN-902", "A waived check", SEV_MEDIUM),
	CHECK("LXD-ACC-903", "A manual check", SEV_LOW),
	CHECK("LXD-ACC-904", "A check that does not apply", SEV_LOW),
	CHECK("LXD-NET-905", "A check in error", SEV_MEDIUM),
	CHECK("LXD-NET-906", "A passing check", SEV_INFO),
	CHECK("LXD-NET-907", "A skipped check", SEV_HIGH),
	CHECK("LXD-ZZZ-908", "A check in no section", SEV_LOW),
};
#define N_FAKE ARRAY_SIZE(fake_checks)

/* terminal escapes, markup, quotes, CDATA end, CR, C0, C1, invalid UTF-8 */
#define HOSTILE                                                            \
	"evil\033]0;owned\007\033[2J<script>alert(1)</script>"            \
	"]]> \"dq\" 'sq' & \\ \r\001\xc2\x9b\xef\xbf\xbe\xff"

static struct finding *
add(struct report *r, size_t i, enum status st, enum severity sev,
    const char *object, const char *msg)
{
	return findings_add(&r->results[i].findings, st, sev, object, "%s",
			    msg);
}

static void
build(struct report *r)
{
	struct finding *f;

	memset(r, 0, sizeof(*r));
	r->n = N_FAKE;
	r->results = xcalloc(N_FAKE, sizeof(*r->results));
	for (size_t i = 0; i < N_FAKE; i++)
		r->results[i].check = &fake_checks[i];

	f = add(r, 0, ST_FAIL, SEV_CRITICAL,
		"/1.0/instances/" HOSTILE "?project=default", "bad " HOSTILE);
	finding_key(f, "user." HOSTILE, HOSTILE,
		    "/1.0/profiles/" HOSTILE "?project=default");
	finding_device(f, "eth0" HOSTILE);
	finding_remedy_cmd(f, "lxc config unset %s", HOSTILE);
	f->baseline = BASELINE_NEW;
	f = add(r, 0, ST_FAIL, SEV_HIGH, "group:lxd", "second object");
	f->baseline = BASELINE_KNOWN;
	add(r, 0, ST_PASS, SEV_HIGH, "/1.0/instances/ok?project=default",
	    "fine");

	f = add(r, 1, ST_WAIVED, SEV_MEDIUM, "file:///etc/" HOSTILE,
		"waived " HOSTILE);
	f->waiver_reason = xstrdup("accepted " HOSTILE);
	f->waiver_expires = xstrdup("2027-01-31");
	f->baseline = BASELINE_KNOWN;

	add(r, 2, ST_MANUAL, SEV_LOW, "/1.0", "look at " HOSTILE);
	add(r, 3, ST_NOTAPPLICABLE, SEV_LOW, "/1.0", "no such thing");
	add(r, 4, ST_ERROR, SEV_MEDIUM, "/1.0/networks/n?project=p",
	    "cannot read " HOSTILE);
	add(r, 6, ST_SKIPPED, SEV_HIGH, "/1.0", "skipped by the policy: "
	    HOSTILE);
	add(r, 7, ST_FAIL, SEV_LOW, "process:lxd", "odd");

	for (size_t i = 0; i < N_FAKE; i++) {
		struct check_result *res = &r->results[i];

		res->status = engine_status(&res->findings);
		res->severity = res->status == ST_FAIL ?
					SEV_CRITICAL :
					res->check->severity;
		r->counts[res->status]++;
	}
	r->results[7].severity = SEV_LOW;
	engine_score(r);

	r->endpoint = "unix:///var/lib/lxd/unix.socket" HOSTILE;
	r->product = "lxd";
	r->server_name = "host" HOSTILE;
	r->server_version = "5.0.2";
	r->generated_at = 1795880000;
	r->requests = 12;

	r->has_baseline = true;
	f = findings_add(&r->fixed_since, ST_FIXED, SEV_HIGH, "/1.0",
			 "gone " HOSTILE);
	r->fixed_ids = xcalloc(1, sizeof(*r->fixed_ids));
	r->fixed_ids[0] = xstrdup("LXD-GEN-901");
	r->notes = xcalloc(1, sizeof(*r->notes));
	r->notes[0] = xstrdup("waiver expired " HOSTILE);
	r->n_notes = 1;
}

/* Writes the rendering to $LXDH_FORMATS_DUMP/NAME for the suite's checks. */
static void
dump(const char *name, const char *out)
{
	const char *dir = getenv("LXDH_FORMATS_DUMP");
	char *path;
	FILE *f;

	if (!dir || !*dir)
		return;
	path = xasprintf("%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s", path);
	fputs(out, f);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static char *
render_report(const char *format, struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(report_format_find(format));
	assert_int_equal(report_format_find(format)->write(f, r, 0), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *
render(const char *format)
{
	struct report r;
	char *out;

	build(&r);
	out = render_report(format, &r);
	engine_report_release(&r);
	return out;
}

/*
 * Valid UTF-8 with no control byte but \t \n \r; strict also rules out
 * DEL, C1 controls and U+FFFE (JSON may carry those, escaped or as text).
 */
static void
assert_clean_bytes(const char *s, bool strict)
{
	char *valid = escape_utf8_valid(s);

	assert_string_equal(valid, s);
	free(valid);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			fail_msg("control byte 0x%02x at offset %td", *p,
				 (const char *)p - s);
	if (!strict)
		return;
	assert_null(strstr(s, "\x7f"));
	assert_null(strstr(s, "\xc2\x9b"));
	assert_null(strstr(s, "\xef\xbf\xbe"));
}

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static size_t
n_sections(void)
{
	size_t n = 0;

	for (const struct section *s = catalog_sections; s->prefix; s++)
		n++;
	return n;
}

static void
test_xmlesc(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	xmlesc_text(&sb, "a<b>&\"'\t\n\r\033\x7f\xc2\x85\xef\xbf\xbf\xff]]>");
	assert_string_equal(sb.buf, "a&lt;b&gt;&amp;&quot;&#39;\t\n&#13;"
				    "\\x1b\\x7f\\x85\xef\xbf\xbd\xef\xbf\xbd"
				    "]]&gt;");
	strbuf_release(&sb);
	xmlesc_attr(&sb, "x\ty\nz");
	assert_string_equal(sb.buf, "x&#9;y&#10;z");
	strbuf_release(&sb);
	/* valid multibyte text passes as it is; NULL adds nothing */
	xmlesc_text(&sb, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92");
	xmlesc_text(&sb, NULL);
	assert_string_equal(sb.buf,
			    "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92");
	strbuf_release(&sb);
}

static json_t *
rule_of(json_t *run, const char *id)
{
	json_t *rules = json_object_get(json_object_get(json_object_get(
		run, "tool"), "driver"), "rules");
	size_t i;
	json_t *v;

	json_array_foreach(rules, i, v)
		if (str_eq(json_string_value(json_object_get(v, "id")), id))
			return v;
	return NULL;
}

static const char *
jget(json_t *o, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	const char *res;

	for (char *k = strtok_r(copy, ".", &save); k && o;
	     k = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, strtoul(k, NULL, 10)) :
				       json_object_get(o, k);
	free(copy);
	res = json_string_value(o);
	return res ? res : "";
}

static void
test_sarif(void **state)
{
	char *out = render("sarif");
	json_error_t err;
	json_t *j = json_loads(out, JSON_REJECT_DUPLICATES, &err);
	json_t *run, *results, *res0, *rule;

	(void)state;
	if (!j)
		fail_msg("SARIF is not JSON: %s", err.text);
	dump("hostile.sarif", out);
	assert_clean_bytes(out, false);
	assert_string_equal(jget(j, "version"), "2.1.0");
	assert_non_null(strstr(jget(j, "$schema"), "sarif-2.1.0"));
	run = json_array_get(json_object_get(j, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(
		json_object_get(run, "tool"), "driver"), "rules")), N_FAKE);

	rule = rule_of(run, "LXD-GEN-901");
	assert_string_equal(jget(rule, "properties.security-severity"), "8.0");
	assert_string_equal(jget(rule, "defaultConfiguration.level"), "error");
	assert_string_equal(jget(rule, "shortDescription.text"),
			    "A failing check");
	assert_string_equal(jget(rule, "help.text"), "Do 'the' <thing>.");
	assert_string_equal(jget(rule_of(run, "LXD-GEN-902"),
				 "properties.security-severity"), "5.5");
	assert_string_equal(jget(rule_of(run, "LXD-NET-906"),
				 "defaultConfiguration.level"), "note");

	/* 2 fails + waived + manual + the unsectioned fail */
	results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 5);
	res0 = json_array_get(results, 0);
	assert_string_equal(jget(res0, "ruleId"), "LXD-GEN-901");
	assert_string_equal(jget(res0, "level"), "error");
	assert_string_equal(jget(res0, "baselineState"), "new");
	assert_string_equal(jget(res0, "properties.security-severity"), "9.5");
	/* the object is data in the logical location... */
	assert_non_null(strstr(jget(res0, "locations.0.logicalLocations.0."
					  "fullyQualifiedName"),
			       "<script>alert(1)</script>"));
	assert_string_equal(jget(res0, "locations.0.logicalLocations.0.kind"),
			    "instance");
	assert_string_equal(jget(res0, "locations.0.logicalLocations.0."
				       "properties.project"), "default");
	/* ...and a relative, percent-encoded path in the physical one */
	assert_true(str_starts_with(jget(res0, "locations.0.physicalLocation."
					       "artifactLocation.uri"),
				    "1.0/instances/evil%1B%5D0;owned%07"));
	assert_non_null(strstr(jget(res0, "locations.0.physicalLocation."
					  "artifactLocation.uri"),
			       "%3Fproject=default"));
	assert_string_equal(jget(json_array_get(results, 1), "baselineState"),
			    "unchanged");
	assert_string_equal(jget(json_array_get(results, 1),
				 "locations.0.physicalLocation."
				 "artifactLocation.uri"), "group/lxd");
	assert_string_equal(jget(json_array_get(results, 2),
				 "suppressions.0.status"), "accepted");
	assert_true(str_starts_with(jget(json_array_get(results, 2),
					 "suppressions.0.justification"),
				    "accepted evil\033]0;"));
	assert_string_equal(jget(json_array_get(results, 2),
				 "suppressions.0.properties.expires"),
			    "2027-01-31");
	assert_string_equal(jget(json_array_get(results, 2),
				 "locations.0.physicalLocation."
				 "artifactLocation.uri"),
			    "file/etc/evil%1B%5D0;owned%07%1B%5B2J%3Cscript%3E"
			    "alert(1)%3C/script%3E%5D%5D%3E%20%22dq%22%20'sq'"
			    "%20&%20%5C%20%0D%01%C2%9B%EF%BF%BE%FF");
	assert_string_equal(jget(json_array_get(results, 3), "kind"), "review");
	assert_string_equal(jget(json_array_get(results, 3), "level"), "none");
	assert_string_equal(jget(json_array_get(results, 4), "ruleId"),
			    "LXD-ZZZ-908");
	/* fingerprints are stable and distinct per object */
	assert_string_not_equal(jget(res0, "partialFingerprints."
					   "primaryLocationLineHash"),
				jget(json_array_get(results, 1),
				     "partialFingerprints."
				     "primaryLocationLineHash"));
	/* the error and the policy note are notifications */
	assert_string_equal(jget(run, "invocations.0.toolExecutionNotifications"
				      ".0.associatedRule.id"), "LXD-NET-905");
	assert_string_equal(jget(run, "invocations.0.toolExecutionNotifications"
				      ".1.level"), "warning");
	assert_true(json_is_real(json_object_get(json_object_get(run,
		"properties"), "score")));
	assert_string_equal(jget(run, "properties.fixedSinceBaseline.0.ruleId"),
			    "LXD-GEN-901");
	json_decref(j);
	free(out);
}

static void
test_junit(void **state)
{
	char *out = render("junit");

	(void)state;
	dump("hostile.xml", out);
	assert_clean_bytes(out, true);
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "]]>"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(out, "&quot;dq&quot; &#39;sq&#39; &amp;"));
	assert_true(str_starts_with(out, "<?xml version=\"1.0\" "
					 "encoding=\"UTF-8\"?>\n<testsuites "));
	/* 3 cases for GEN-901 (3 objects), 1 each for the rest */
	assert_non_null(strstr(out, "<testsuites name=\"lxd-harden\" "
				    "tests=\"10\" failures=\"3\" errors=\"1\" "
				    "skipped=\"4\""));
	assert_int_equal(count(out, "<testsuite "), n_sections() + 1);
	assert_int_equal(count(out, "<testcase "), 10);
	assert_int_equal(count(out, "<failure "), 3);
	assert_int_equal(count(out, "<error "), 1);
	assert_int_equal(count(out, "<skipped "), 4);
	assert_non_null(strstr(out, "<testsuite name=\"Other\""));
	assert_non_null(strstr(out, "<skipped message=\"waived until "
				    "2027-01-31: accepted evil"));
	assert_non_null(strstr(out, "<skipped message=\"manual review: look"));
	assert_non_null(strstr(out, "<failure message=\"bad evil"));
	assert_non_null(strstr(out, "type=\"critical\">"));
	assert_non_null(strstr(out, "[new]"));
	assert_non_null(strstr(out, "<property name=\"score\" value=\""));
	assert_non_null(strstr(out, "note: waiver expired"));
	free(out);
}

static void
test_html(void **state)
{
	char *out = render("html");

	(void)state;
	dump("hostile.html", out);
	assert_clean_bytes(out, true);
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "<SCRIPT"));
	assert_null(strstr(out, "http://"));
	assert_null(strstr(out, "https://"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(out, "Content-Security-Policy"));
	assert_non_null(strstr(out, "<b data-count=\"fail\">2</b>"));
	assert_non_null(strstr(out, "<b data-count=\"waived\">1</b>"));
	assert_non_null(strstr(out, "<b data-count=\"manual\">1</b>"));
	assert_non_null(strstr(out, "<span data-count=\"checks\">8</span>"));
	assert_non_null(strstr(out, "data-score>"));
	/* the waiver, with reason and expiry */
	assert_non_null(strstr(out, "accepted evil\\x1b]0;owned\\x07"));
	assert_non_null(strstr(out, "2027-01-31"));
	assert_non_null(strstr(out, ">new</span>"));
	assert_non_null(strstr(out, ">known</span>"));
	assert_non_null(strstr(out, "Fixed since the baseline"));
	assert_non_null(strstr(out, "Policy notes"));
	assert_non_null(strstr(out, "Needs a person"));
	assert_non_null(strstr(out, "Could not check"));
	/* the fix command, escaped, in a code block */
	assert_non_null(strstr(out, "<pre class=\"cmd\"><code>lxc config unset "
				    "evil"));
	assert_true(str_ends_with(out, "</html>\n"));
	free(out);
}

/*
 * Outside code blocks nothing opens HTML, a link, code or a table cell;
 * a code block opens with a fence and "sh", and only its own closing
 * fence (as long, alone on its line) ends it.
 */
static void
assert_md_safe(const char *out)
{
	size_t fence = 0;	/* the open block's fence; 0: none */

	for (const char *line = out; *line;) {
		const char *end = strchr(line, '\n');
		const char *stop = end ? end : line + strlen(line);
		const char *t = line;
		size_t ticks = 0;

		while (t < stop && *t == ' ')
			t++;
		while (t + ticks < stop && t[ticks] == '`')
			ticks++;
		if (!fence && ticks >= 3) {
			fence = ticks;
			assert_true(stop - (t + ticks) == 2 &&
				    !strncmp(t + ticks, "sh", 2));
		} else if (fence) {
			if (ticks >= fence) {
				assert_true(t + ticks == stop);
				fence = 0;
			}
		} else {
			for (const char *p = line; p < stop; p++)
				if (strchr("<>`", *p) &&
				    (p == out || p[-1] != '\\'))
					fail_msg("unescaped '%c' at offset "
						 "%td: %.40s", *p, p - out, p);
		}
		line = end ? end + 1 : stop;
	}
	assert_int_equal(fence, 0);
}

static void
test_md_code_block(void **state)
{
	static const char *const lines[] = { "a ``` b", "````x <y>",
					     "evil\033]0;owned\007\xef\xbf\xbe" };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	md_code_block(&sb, 2, lines, 3);
	/* a fence longer than any run inside, every line indented, the
	   controls and the noncharacter shown, not passed */
	assert_string_equal(sb.buf, "  `````sh\n"
				    "  a ``` b\n"
				    "  ````x <y>\n"
				    "  evil\\x1b]0;owned\\x07\\xef\\xbf\\xbe\n"
				    "  `````\n");
	assert_md_safe(sb.buf);
	strbuf_release(&sb);
}

static void
test_markdown(void **state)
{
	char *out = render("markdown");

	(void)state;
	dump("hostile.md", out);
	assert_clean_bytes(out, true);
	assert_md_safe(out);
	assert_null(strstr(out, "](http"));
	assert_non_null(strstr(out, "\\<script\\>alert\\(1\\)"));
	assert_non_null(strstr(out, "| fail | critical | LXD\\-GEN\\-901 | "
				    "A failing check | 2 |\n"));
	assert_non_null(strstr(out, "| error | medium | LXD\\-NET\\-905 | "));
	/* a row per failing or erring check, under a header and a rule */
	assert_int_equal(count(out, "\n| "), 1 + 3);
	assert_int_equal(count(out, "\n|---|"), 1);
	/* a foreign '|' is escaped, so each row has its five cells */
	assert_int_equal(count(out, "\n| fail | critical | LXD\\-GEN\\-901 | "
				    "A failing check | 2 |\n"), 1);
	/* the command in a code block, to copy as it is */
	assert_non_null(strstr(out, "  - Fix:\n\n    ```sh\n"
				    "    lxc config unset evil"));
	assert_non_null(strstr(out, " **\\[new\\]**"));
	assert_non_null(strstr(out, "**2 fail**, 1 error, 1 manual"));
	free(out);
}

static void
test_prometheus(void **state)
{
	char *out = render("prometheus");
	regex_t sample, comment;
	char *save = NULL;

	(void)state;
	dump("hostile.prom", out);
	assert_clean_bytes(out, true);
	/* name{label="value",...} number, values with \\ \" \n escapes only */
	assert_int_equal(regcomp(&sample,
				 "^[a-z_]+(\\{([a-z_]+="
				 "\"([^\"\\\\]|\\\\[\\\\\"n])*\",?)*\\})?"
				 " [0-9.]+$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	assert_int_equal(regcomp(&comment, "^# (HELP|TYPE) lxd_harden_[a-z_]+ ",
				 REG_EXTENDED | REG_NOSUB), 0);
	for (char *l = strtok_r(out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		if (regexec(l[0] == '#' ? &comment : &sample, l, 0, NULL, 0))
			fail_msg("bad exposition line: %s", l);
	regfree(&sample);
	regfree(&comment);
	free(out);

	out = render("prometheus");
	assert_non_null(strstr(out, "server_name=\"hostevil\\\\x1b]0;owned"
				    "\\\\x07\\\\x1b[2J<script>alert(1)"
				    "</script>]]> \\\"dq\\\" 'sq' & \\\\ "
				    "\\\\x0d\\\\x01"));
	assert_non_null(strstr(out, "\nlxd_harden_last_run_timestamp_seconds "
				    "1795880000\n"));
	assert_non_null(strstr(out, "lxd_harden_check_status{"
				    "id=\"LXD-GEN-901\","
				    "severity=\"high\",section=\"General\","
				    "status=\"fail\"} 1\n"));
	assert_non_null(strstr(out, "lxd_harden_findings{id=\"LXD-GEN-901\","
				    "severity=\"high\",section=\"General\","
				    "status=\"fail\"} 2\n"));
	assert_non_null(strstr(out,
			       "lxd_harden_checks{status=\"waived\"} 1\n"));
	assert_non_null(strstr(out, "\nlxd_harden_score_ratio 0."));
	assert_int_equal(count(out, "lxd_harden_check_status{"),
			 N_FAKE * ST__COUNT);
	free(out);
}

/* An empty catalog: nothing applies, so no score anywhere. */
static void
test_empty(void **state)
{
	static const char *const formats[] = { "json", "sarif", "junit",
					       "html", "prometheus",
					       "markdown" };
	struct report r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		char *out;

		memset(&r, 0, sizeof(r));
		r.score = -1;
		out = render_report(formats[i], &r);
		assert_clean_bytes(out, true);
		if (str_eq(formats[i], "prometheus"))
			assert_null(strstr(out, "score"));
		if (str_eq(formats[i], "html"))
			assert_non_null(strstr(out, "<span data-score>n/a"));
		if (str_eq(formats[i], "markdown"))
			assert_non_null(strstr(out, "No check fails"));
		if (str_eq(formats[i], "sarif")) {
			json_t *j = json_loads(out, 0, NULL);
			json_t *run;

			assert_non_null(j);
			run = json_array_get(json_object_get(j, "runs"), 0);
			assert_true(json_is_null(json_object_get(
				json_object_get(run, "properties"), "score")));
			json_decref(j);
			dump("empty.sarif", out);
		}
		free(out);
	}
}

/* A stream that cannot be written makes every writer fail. */
static void
test_write_error(void **state)
{
	static const char *const formats[] = { "json", "sarif", "junit",
					       "html", "prometheus",
					       "markdown" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		const struct report_format *fmt;
		FILE *f = fopen("/dev/null", "r");
		struct report r;

		assert_non_null(f);
		build(&r);
		fmt = report_format_find(formats[i]);
		assert_int_equal(fmt->write(f, &r, 0), -1);
		engine_report_release(&r);
		fclose(f);
	}
}

/* Writes v as jstream calls, opening containers down to depth levels. */
static void
stream_tree(struct jstream *js, const char *key, json_t *v, int levels)
{
	const char *k;
	json_t *item;
	size_t i;

	if (!levels || !(json_is_object(v) || json_is_array(v))) {
		jstream_put(js, key, json_incref(v));
		return;
	}
	jstream_open(js, key, json_is_array(v) ? '[' : '{');
	if (json_is_array(v))
		json_array_foreach(v, i, item)
			stream_tree(js, NULL, item, levels - 1);
	else
		json_object_foreach(v, k, item)
			stream_tree(js, k, item, levels - 1);
	jstream_close(js);
}

static char *
dump_with(json_t *v, int levels)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jstream js;

	assert_non_null(f);
	if (levels < 0) {
		assert_int_equal(report_dump_json(f, json_incref(v)), 0);
	} else {
		jstream_init(&js, f);
		stream_tree(&js, NULL, v, levels);
		assert_int_equal(jstream_finish(&js), 0);
	}
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * A document written piece by piece (jstream) is byte for byte the one
 * report_dump_json writes for the whole tree, whichever containers are
 * streamed: empty ones, scalars at the top, strings with newlines, quotes,
 * terminal controls and non-ASCII text, and more than 64 KiB of it.
 */
static void
test_jstream(void **state)
{
	static const char *const docs[] = {
		"{}",
		"[]",
		"\"top\"",
		"{\"a\": [], \"b\": {}, \"c\": [[], {}, [1, [2, {}]]]}",
		"{\"s\": \"line\\none \\\"q\\\" \\u001b[31m\\u00e9\\u2028 \\u0085\", "
		"\"k\\n\\u001b\": {\"x\": null, \"y\": true, \"z\": 1.5}, "
		"\"n\": [1, -2, \"three\", {\"four\": [4]}]}",
	};
	json_t *big = json_array();

	(void)state;
	for (size_t i = 0; i < 3000; i++)
		json_array_append_new(big,
				      json_pack("{s:i, s:s, s:[s, {}]}", "i",
						(int)i, "t",
						"\xc3\xa9t\xc3\xa9 \x1b]0;x\x07",
						"\xe2\x80\xae"));
	for (size_t i = 0; i <= ARRAY_SIZE(docs); i++) {
		json_t *v = i < ARRAY_SIZE(docs) ?
				    json_loads(docs[i], JSON_DECODE_ANY, NULL) :
				    json_incref(big);
		char *whole;

		assert_non_null(v);
		whole = dump_with(v, -1);
		for (int levels = 0; levels <= 4; levels++) {
			char *streamed = dump_with(v, levels);

			assert_string_equal(streamed, whole);
			free(streamed);
		}
		free(whole);
		json_decref(v);
	}
	json_decref(big);
}

/*
 * Repeats among many findings of one check, which the writers find by
 * hash lookups: each answer must be what comparing every finding with
 * all before it gives (computed here that way). 600 findings on 40
 * objects, interleaved; 3 keys; 25 commands; every fifth one passes.
 */
#define REP_N 600

static unsigned
rep_object(size_t i)
{
	return (unsigned)(i * 7 % 40);
}

static void
build_repeats(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->n = 1;
	r->results = xcalloc(1, sizeof(*r->results));
	r->results[0].check = &fake_checks[0];
	for (size_t i = 0; i < REP_N; i++) {
		char obj[64], key[16];
		struct finding *f;

		snprintf(obj, sizeof(obj), "/1.0/instances/c%02u?project=default",
			 rep_object(i));
		snprintf(key, sizeof(key), "k%zu", i % 3);
		f = add(r, 0, i % 5 == 4 ? ST_PASS : ST_FAIL, SEV_HIGH, obj,
			"finding");
		finding_key(f, key, "v", "instance");
		finding_remedy_cmd(f, "lxc config unset c%zu k", i % 25);
	}
	r->results[0].status = ST_FAIL;
	r->results[0].severity = SEV_HIGH;
	r->counts[ST_FAIL] = 1;
	r->generated_at = 1795880000;
	r->product = "lxd";
}

/* Whether findings a and b have the same object, device and key. */
static bool
same_identity(const struct finding *a, const struct finding *b)
{
	return str_eq(a->object, b->object) && str_eq(a->device, b->device) &&
	       str_eq(a->key, b->key);
}

/* How many distinct objects among findings (of status st, or any: -1). */
static size_t
distinct_objects(const struct findings *fs, int st)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->n; i++) {
		bool seen = false;

		if (st >= 0 && fs->v[i].status != (enum status)st)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = (st < 0 || fs->v[j].status == (enum status)st) &&
			       str_eq(fs->v[j].object, fs->v[i].object);
		n += !seen;
	}
	return n;
}

static void
test_repeats(void **state)
{
	struct report r;
	const struct findings *fs;
	char *out, want[64];
	json_t *j, *results;
	size_t k = 0, cmds = 0;
	json_error_t err;

	(void)state;
	build_repeats(&r);
	fs = &r.results[0].findings;

	/* SARIF: the n-th finding of an identity ends its hash with :n */
	out = render_report("sarif", &r);
	j = json_loads(out, 0, &err);
	assert_non_null(j);
	results = json_object_get(json_array_get(json_object_get(j, "runs"), 0),
				  "results");
	assert_int_equal(json_array_size(results), REP_N - REP_N / 5);
	for (size_t i = 0; i < fs->n; i++) {
		size_t nth = 1;
		const char *h;

		if (fs->v[i].status != ST_FAIL)
			continue;
		for (size_t m = 0; m < i; m++)
			nth += same_identity(&fs->v[m], &fs->v[i]);
		h = jget(json_array_get(results, k++),
			 "partialFingerprints.primaryLocationLineHash");
		snprintf(want, sizeof(want), ":%zu", nth);
		assert_non_null(strchr(h, ':'));
		assert_string_equal(strchr(h, ':'), want);
	}
	json_decref(j);
	free(out);

	/* JUnit: one case per object, whatever the order of the findings */
	out = render_report("junit", &r);
	assert_int_equal(count(out, "<testcase "), distinct_objects(fs, -1));
	assert_int_equal(count(out, "<testcase "), 40);
	free(out);

	/* HTML: the card counts the objects that fail */
	out = render_report("html", &r);
	snprintf(want, sizeof(want), "<b>%zu objects.</b>",
		 distinct_objects(fs, ST_FAIL));
	assert_non_null(strstr(out, want));
	free(out);

	/* text: each distinct command is one next step */
	for (size_t i = 0; i < fs->n; i++) {
		bool seen = false;

		if (fs->v[i].status != ST_FAIL)
			continue;
		for (size_t m = 0; m < i && !seen; m++)
			seen = fs->v[m].status == ST_FAIL &&
			       str_eq(fs->v[m].remedy.commands[0],
				      fs->v[i].remedy.commands[0]);
		cmds += !seen;
	}
	assert_int_equal(cmds, 20);	/* 25 commands, 5 only on passes */
	out = render_report("text", &r);
	snprintf(want, sizeof(want), "(%zu more distinct fixes above)",
		 cmds - 3);
	assert_non_null(strstr(out, want));
	free(out);
	engine_report_release(&r);
}

static void
test_report_count(void **state)
{
	json_t *seen = json_object();

	(void)state;
	assert_int_equal(report_count(seen, "a"), 1);
	assert_int_equal(report_count(seen, "b"), 1);
	assert_int_equal(report_count(seen, "a"), 2);
	/* NULL is counted apart from every string, the empty one too */
	assert_int_equal(report_count(seen, NULL), 1);
	assert_int_equal(report_count(seen, ""), 1);
	assert_int_equal(report_count(seen, NULL), 2);
	assert_int_equal(report_count(seen, ""), 2);
	/* bytes that are not UTF-8 are a key like any other */
	assert_int_equal(report_count(seen, "\xff\xfe"), 1);
	assert_int_equal(report_count(seen, "\xff\xfe"), 2);
	assert_int_equal(report_count(seen, "a"), 3);
	json_decref(seen);
}

static void
test_registry(void **state)
{
	static const char *const formats[] = { "html", "json", "junit",
					       "markdown", "prometheus",
					       "sarif", "text" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		assert_non_null(report_format_find(formats[i]));
		assert_non_null(strstr(report_format_names(), formats[i]));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmlesc),
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_md_code_block),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_jstream),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_report_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
