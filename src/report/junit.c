/* junit.c - the report as JUnit XML: a suite per section, a case per object */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lxdh_config.h"
#include "xmlesc.h"

enum outcome { OUT_PASS, OUT_FAILURE, OUT_ERROR, OUT_SKIPPED };

/* One test case: the findings of one check about one object. */
struct tcase {
	const char *object;	/* NULL: the check has no finding */
	size_t *idx;		/* indexes into the check's findings */
	size_t n, alloc;
};

struct counts {
	size_t tests, failures, errors, skipped;
};

/* Groups a check's findings by object, in the order they first appear. */
static struct tcase *
group(const struct check_result *res, size_t *n_out)
{
	struct tcase *tc = xcalloc(res->findings.n + 1, sizeof(*tc));
	json_t *at = json_object();	/* an object's case, by index */
	size_t n = 0;

	for (size_t i = 0; i < res->findings.n; i++) {
		const char *obj = res->findings.v[i].object ?
					  res->findings.v[i].object :
					  "";
		json_t *k = json_object_get(at, obj);
		struct tcase *c;

		if (!k) {
			k = json_integer((json_int_t)n);
			json_object_set_new_nocheck(at, obj, k);
			tc[n++].object = obj;
		}
		c = &tc[json_integer_value(k)];
		if (c->n == c->alloc) {
			c->alloc = c->alloc ? 2 * c->alloc : 4;
			c->idx = xrealloc(c->idx, c->alloc * sizeof(*c->idx));
		}
		c->idx[c->n++] = i;
	}
	json_decref(at);
	if (n == 0)
		n = 1;	/* a check without findings is one passing case */
	*n_out = n;
	return tc;
}

static void
free_groups(struct tcase *tc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tc[i].idx);
	free(tc);
}

static bool
has(const struct check_result *res, const struct tcase *tc, enum status st)
{
	for (size_t i = 0; i < tc->n; i++)
		if (res->findings.v[tc->idx[i]].status == st)
			return true;
	return false;
}

/* The first finding of the case with status st, or NULL. */
static const struct finding *
first(const struct check_result *res, const struct tcase *tc, enum status st)
{
	for (size_t i = 0; i < tc->n; i++)
		if (res->findings.v[tc->idx[i]].status == st)
			return &res->findings.v[tc->idx[i]];
	return NULL;
}

/* The highest severity among the case's findings with status st. */
static enum severity
worst(const struct check_result *res, const struct tcase *tc, enum status st)
{
	enum severity sev = SEV_INFO;

	for (size_t i = 0; i < tc->n; i++) {
		const struct finding *f = &res->findings.v[tc->idx[i]];

		if (f->status == st && f->severity > sev)
			sev = f->severity;
	}
	return sev;
}

/*
 * Fail and error are what they say; skipped, waived, manual and
 * notapplicable objects are skipped (nothing to run, or a person must
 * look); pass and fixed pass.
 */
static enum outcome
outcome_of(const struct check_result *res, const struct tcase *tc,
	   enum status *why)
{
	static const enum status order[] = {
		ST_FAIL, ST_ERROR, ST_SKIPPED, ST_WAIVED, ST_MANUAL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (!has(res, tc, order[i]))
			continue;
		*why = order[i];
		if (order[i] == ST_FAIL)
			return OUT_FAILURE;
		if (order[i] == ST_ERROR)
			return OUT_ERROR;
		return OUT_SKIPPED;
	}
	if (tc->n == 0 || has(res, tc, ST_PASS) || has(res, tc, ST_FIXED)) {
		*why = ST_PASS;
		return OUT_PASS;
	}
	*why = ST_NOTAPPLICABLE;
	return OUT_SKIPPED;
}

static void
attr(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, " %s=\"", name);
	xmlesc_attr(sb, value);
	strbuf_addch(sb, '"');
}

static void
attr_zu(struct strbuf *sb, const char *name, size_t v)
{
	strbuf_addf(sb, " %s=\"%zu\"", name, v);
}

static void
finding_text(struct strbuf *sb, const struct finding *f)
{
	char *fix;

	strbuf_addf(sb, "[%s %s] ", status_name(f->status),
		    severity_name(f->severity));
	xmlesc_text(sb, f->object);
	if (f->device) {
		strbuf_addstr(sb, " device ");
		xmlesc_text(sb, f->device);
	}
	strbuf_addstr(sb, ": ");
	xmlesc_text(sb, f->message);
	if (f->baseline == BASELINE_NEW)
		strbuf_addstr(sb, " [new]");
	strbuf_addch(sb, '\n');
	if (f->key) {
		strbuf_addstr(sb, "  ");
		xmlesc_text(sb, f->key);
		strbuf_addch(sb, '=');
		xmlesc_text(sb, f->value);
		if (f->source) {
			strbuf_addstr(sb, " (from ");
			xmlesc_text(sb, f->source);
			strbuf_addch(sb, ')');
		}
		strbuf_addch(sb, '\n');
	}
	if (f->waiver_reason) {
		strbuf_addstr(sb, "  waived until ");
		xmlesc_text(sb, f->waiver_expires);
		strbuf_addstr(sb, ": ");
		xmlesc_text(sb, f->waiver_reason);
		strbuf_addch(sb, '\n');
	}
	fix = remedy_text(&f->remedy);
	if (fix) {
		strbuf_addstr(sb, "  fix: ");
		xmlesc_text(sb, fix);
		strbuf_addch(sb, '\n');
	}
	free(fix);
}

static void
skipped_message(struct strbuf *msg, const struct finding *f, enum status why)
{
	if (!f)
		return;
	if (why == ST_WAIVED)
		strbuf_addf(msg, "waived until %s: %s",
			    f->waiver_expires ? f->waiver_expires : "?",
			    f->waiver_reason ? f->waiver_reason : "");
	else if (why == ST_MANUAL)
		strbuf_addf(msg, "manual review: %s", f->message);
	else
		strbuf_addstr(msg, f->message ? f->message : "");
}

static void
write_case(struct strbuf *sb, const struct check_result *res,
	   const struct tcase *tc, struct counts *cnt)
{
	const struct check *c = res->check;
	enum status why = ST_PASS;
	enum outcome out = outcome_of(res, tc, &why);
	struct strbuf name = STRBUF_INIT, msg = STRBUF_INIT;
	const char *tag = out == OUT_FAILURE ? "failure" : "error";
	const struct finding *fst;
	bool any_fix = false;

	strbuf_addstr(&name, c->title);
	if (tc->n)
		strbuf_addf(&name, " [%s]", tc->object);
	strbuf_addstr(sb, "    <testcase");
	attr(sb, "classname", c->id);
	attr(sb, "name", name.buf);
	strbuf_addstr(sb, " time=\"0\"");
	cnt->tests++;
	switch (out) {
	case OUT_PASS:
		strbuf_addstr(sb, "/>\n");
		break;
	case OUT_SKIPPED:
		cnt->skipped++;
		skipped_message(&msg, first(res, tc, why), why);
		strbuf_addstr(sb, ">\n      <skipped");
		attr(sb, "message", msg.len ? msg.buf : "");
		strbuf_addstr(sb, "/>\n    </testcase>\n");
		break;
	case OUT_FAILURE:
	case OUT_ERROR:
		if (out == OUT_FAILURE)
			cnt->failures++;
		else
			cnt->errors++;
		fst = first(res, tc, why);
		strbuf_addf(sb, ">\n      <%s", tag);
		attr(sb, "message", fst ? fst->message : "");
		attr(sb, "type", severity_name(worst(res, tc, why)));
		strbuf_addstr(sb, ">");
		for (size_t i = 0; i < tc->n; i++) {
			const struct finding *fi = &res->findings.v[tc->idx[i]];

			finding_text(sb, fi);
			any_fix |= !remedy_empty(&fi->remedy);
		}
		if (!any_fix) {
			strbuf_addstr(sb, "how to fix: ");
			xmlesc_text(sb, c->remediation);
			strbuf_addch(sb, '\n');
		}
		strbuf_addf(sb, "</%s>\n    </testcase>\n", tag);
		break;
	}
	strbuf_release(&name);
	strbuf_release(&msg);
}

static void
property(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addstr(sb, "      <property");
	attr(sb, "name", name);
	attr(sb, "value", value);
	strbuf_addstr(sb, "/>\n");
}

static void
properties(struct strbuf *sb, const struct report *r)
{
	char buf[64];

	strbuf_addstr(sb, "    <properties>\n");
	if (r->score >= 0) {
		snprintf(buf, sizeof(buf), "%.1f",
			 (double)(long long)(r->score * 10.0 + 0.5) / 10.0);
		property(sb, "score", buf);
	}
	property(sb, "server", r->product);
	property(sb, "server_version", r->server_version);
	property(sb, "server_name", r->server_name);
	property(sb, "endpoint", r->endpoint);
	property(sb, "tool", "lxd-harden " LXDH_VERSION);
	strbuf_addstr(sb, "    </properties>\n");
}

/* Policy notes and what the baseline had that is gone. */
static void
system_out(struct strbuf *sb, const struct report *r)
{
	if (!r->n_notes && !r->has_baseline)
		return;
	strbuf_addstr(sb, "    <system-out>");
	for (size_t i = 0; i < r->n_notes; i++) {
		strbuf_addstr(sb, "note: ");
		xmlesc_text(sb, r->notes[i]);
		strbuf_addch(sb, '\n');
	}
	if (r->has_baseline)
		strbuf_addf(sb, "fixed since the baseline: %zu\n",
			    r->fixed_since.n);
	for (size_t i = 0; r->has_baseline && i < r->fixed_since.n; i++) {
		xmlesc_text(sb, r->fixed_ids[i]);
		strbuf_addch(sb, ' ');
		finding_text(sb, &r->fixed_since.v[i]);
	}
	strbuf_addstr(sb, "</system-out>\n");
}

static void
write_suite(struct strbuf *out, const struct report *r,
	    const struct section *sec, size_t id, const char *when,
	    struct counts *total)
{
	struct strbuf body = STRBUF_INIT;
	struct counts cnt = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		struct tcase *tc;
		size_t n;

		if (catalog_section_of(res->check) != sec)
			continue;
		tc = group(res, &n);
		for (size_t k = 0; k < n; k++)
			write_case(&body, res, &tc[k], &cnt);
		free_groups(tc, n);
	}
	strbuf_addstr(out, "  <testsuite");
	attr(out, "name", sec ? sec->name : "Other");
	attr_zu(out, "id", id);
	attr(out, "package", sec ? sec->prefix : "");
	attr(out, "hostname", str_empty(r->server_name) ? "localhost" :
							  r->server_name);
	attr(out, "timestamp", when);
	attr_zu(out, "tests", cnt.tests);
	attr_zu(out, "failures", cnt.failures);
	attr_zu(out, "errors", cnt.errors);
	attr_zu(out, "skipped", cnt.skipped);
	strbuf_addstr(out, " time=\"0\">\n");
	properties(out, r);
	if (body.len)
		strbuf_add(out, body.buf, body.len);
	if (id == 0)
		system_out(out, r);
	strbuf_addstr(out, "  </testsuite>\n");
	strbuf_release(&body);
	total->tests += cnt.tests;
	total->failures += cnt.failures;
	total->errors += cnt.errors;
	total->skipped += cnt.skipped;
}

static bool
any_unsectioned(const struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!catalog_section_of(r->results[i].check))
			return true;
	return false;
}

int
report_junit_write(FILE *f, const struct report *r, unsigned flags)
{
	struct strbuf suites = STRBUF_INIT, head = STRBUF_INIT;
	struct counts total = { 0 };
	char when[32];
	size_t id = 0;
	int rc = 0;

	(void)flags;
	format_rfc3339(r->generated_at, when, sizeof(when));
	/* JUnit's schema has local time without a zone; ours is UTC */
	if (str_ends_with(when, "Z"))
		when[strlen(when) - 1] = '\0';
	for (const struct section *sec = catalog_sections; sec->prefix; sec++)
		write_suite(&suites, r, sec, id++, when, &total);
	if (any_unsectioned(r))
		write_suite(&suites, r, NULL, id++, when, &total);

	strbuf_addstr(&head, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			     "<testsuites name=\"lxd-harden\"");
	attr_zu(&head, "tests", total.tests);
	attr_zu(&head, "failures", total.failures);
	attr_zu(&head, "errors", total.errors);
	attr_zu(&head, "skipped", total.skipped);
	strbuf_addstr(&head, " time=\"0\">\n");
	strbuf_addstr(&suites, "</testsuites>\n");
	if (fwrite(head.buf, 1, head.len, f) != head.len ||
	    fwrite(suites.buf, 1, suites.len, f) != suites.len ||
	    fflush(f) == EOF)
		rc = -1;
	strbuf_release(&head);
	strbuf_release(&suites);
	return rc;
}
