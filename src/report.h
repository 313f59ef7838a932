/* report.h - output formats for people and machines */
#ifndef LXD_HARDEN_REPORT_H
#define LXD_HARDEN_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "engine.h"

enum {
	REPORT_COLOR = 1 << 0,	/* ANSI colours (text only) */
	REPORT_VERBOSE = 1 << 1,/* text: list passing findings too */
};

typedef int report_write_fn(FILE *f, const struct report *r, unsigned flags);

struct report_format {
	const char *name;
	report_write_fn *write;
};

report_write_fn report_text_write;
report_write_fn report_json_write;
report_write_fn report_sarif_write;
report_write_fn report_junit_write;
report_write_fn report_html_write;
report_write_fn report_prometheus_write;
report_write_fn report_markdown_write;

/*
 * For the JSON formats: writes root indented by two, keys in insertion
 * order, and a newline; drops the reference to root. 0, or -1 when a
 * write failed.
 */
int report_dump_json(FILE *f, json_t *root);

/*
 * The same document written as it is made, for a report too large to
 * hold as a tree beside its findings: open a container, put values and
 * members into it (each dumped and dropped at once), close it. key is
 * the member's name inside an object, NULL inside an array and at the
 * top. The bytes are exactly those report_dump_json() writes for the
 * tree these calls describe. jstream_finish() adds the final newline and
 * returns 0, or -1 when a write failed.
 */
struct dump_out;
struct jstream {
	struct dump_out *d;
	int rc;
	size_t depth;
	size_t items[8];	/* written so far in each open container */
	char close[8];		/* and the bracket that closes it */
};

void jstream_init(struct jstream *js, FILE *f);
void jstream_open(struct jstream *js, const char *key, char bracket);
/* Writes v and drops the reference to it. */
void jstream_put(struct jstream *js, const char *key, json_t *v);
/* Writes each member of obj into the open object; drops obj. */
void jstream_put_members(struct jstream *js, json_t *obj);
void jstream_close(struct jstream *js);
int jstream_finish(struct jstream *js);

/*
 * The sentence the text and Markdown reports put before
 * target.client_setup. Caller frees.
 */
char *report_setup_lead(const struct report *r);

/* A report's "score" as JSON: one decimal, or null when no check counted. */
json_t *report_score_json(double score);
/* A finding's remedy as the JSON and SARIF reports carry it. */
struct remedy;
json_t *remedy_json(const struct remedy *r);

/*
 * How people read an object: "/1.0/instances/c1?project=p" becomes
 * "instance/c1 (p)", "/1.0" "server", a certificate its first 12 hex
 * digits ("certificate/0123456789ab"), "file:///etc/x" "/etc/x"; names
 * are percent-decoded. The full URL stays in the JSON formats. Caller
 * frees; the result is foreign text (escape it for the output).
 */
char *report_object_short(const char *object);

/* The kind of LXD object a URL names ("instance", "server", "file"). */
const char *report_object_kind(const char *object);

/*
 * How long the oldest open finding of res has been there, for the text
 * and HTML views: "new in this run", or "open since 2026-11-25 (3 days)"
 * (hours under two days, minutes under two hours). Empty when res has
 * no open finding or r no baseline (then every finding is new). buf
 * holds at least 64 bytes.
 */
void report_open_since(const struct report *r, const struct check_result *res,
		       char *buf, size_t len);

/*
 * Counts s in seen, a JSON object the caller makes and frees, and
 * returns how many times s has been counted, this time included (NULL
 * counts apart from every string). A hash lookup: telling repeats
 * among many findings this way stays linear, where comparing each with
 * those before it would not.
 */
size_t report_count(json_t *seen, const char *s);

const struct report_format *report_format_find(const char *name);
/* Comma-separated list of format names, for usage text. */
const char *report_format_names(void);

#endif
