/* report.c - the table of output formats, and what they share */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

static const struct report_format formats[] = {
	{ "html", report_html_write },
	{ "json", report_json_write },
	{ "junit", report_junit_write },
	{ "markdown", report_markdown_write },
	{ "prometheus", report_prometheus_write },
	{ "sarif", report_sarif_write },
	{ "text", report_text_write },
};

const struct report_format *
report_format_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (str_eq(formats[i].name, name))
			return &formats[i];
	return NULL;
}

const char *
report_format_names(void)
{
	return "text, json, sarif, junit, html, prometheus, markdown";
}

/*
 * The dump is written as it is made, through the terminal escaper, in
 * pieces of about DUMP_CHUNK bytes: a report of 100,000 instances is
 * never held as text beside its tree (twice over, as it grew).
 */
#define DUMP_CHUNK ((size_t)64 << 10)

struct dump_out {
	FILE *f;
	struct strbuf in, out;
};

/* Escapes and writes in->buf up to keep bytes from its end. */
static int
dump_flush(struct dump_out *d, size_t keep)
{
	size_t cut = d->in.len - keep;
	char saved = d->in.buf[cut];

	d->in.buf[cut] = '\0';
	d->out.len = 0;
	escape_json_text(&d->out, d->in.buf);
	d->in.buf[cut] = saved;
	memmove(d->in.buf, d->in.buf + cut, keep + 1);
	d->in.len = keep;
	return fwrite(d->out.buf, 1, d->out.len, d->f) == d->out.len ? 0 : -1;
}

static int
dump_cb(const char *buf, size_t len, void *ctx)
{
	struct dump_out *d = ctx;
	size_t keep = 0;

	strbuf_add(&d->in, buf, len);
	if (d->in.len < DUMP_CHUNK)
		return 0;
	/* escape whole UTF-8 sequences only: cut after an ASCII byte */
	while (keep < d->in.len &&
	       (unsigned char)d->in.buf[d->in.len - 1 - keep] >= 0x80)
		keep++;
	return dump_flush(d, keep);
}

int
report_dump_json(FILE *f, json_t *root)
{
	struct jstream js;

	jstream_init(&js, f);
	jstream_put(&js, NULL, root);
	return jstream_finish(&js);
}

/*
 * jansson's layout (JSON_INDENT(2)) of a container nested depth deep:
 * its items on lines of their own, indented two spaces a level, the
 * brackets of an empty one side by side.
 */
#define JS_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

static void
js_raw(struct jstream *js, const char *s, size_t len)
{
	if (js->rc == 0 && dump_cb(s, len, js->d) != 0)
		js->rc = -1;
}

static void
js_newline(struct jstream *js, size_t depth)
{
	static const char spaces[] = "                                ";

	js_raw(js, "\n", 1);
	for (size_t n = depth * 2; n; ) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		js_raw(js, spaces, k);
		n -= k;
	}
}

/* jansson's own dump of v, each line after the first indented to depth */
struct js_nested {
	struct jstream *js;
	size_t depth;
};

static int
js_nested_cb(const char *buf, size_t len, void *ctx)
{
	struct js_nested *n = ctx;
	const char *nl;

	/* a string never holds a raw newline: each one is the layout's */
	while (len && (nl = memchr(buf, '\n', len))) {
		js_raw(n->js, buf, (size_t)(nl - buf));
		js_newline(n->js, n->depth);
		len -= (size_t)(nl - buf) + 1;
		buf = nl + 1;
	}
	js_raw(n->js, buf, len);
	return n->js->rc;
}

/* Where the next item or member of the innermost container begins. */
static void
js_next(struct jstream *js, const char *key)
{
	if (js->depth) {
		if (js->items[js->depth - 1]++)
			js_raw(js, ",", 1);
		js_newline(js, js->depth);
	}
	if (key) {
		json_t *k = json_string(key);
		struct js_nested n = { js, js->depth };

		if (!k || json_dump_callback(k, js_nested_cb, &n, JS_FLAGS))
			js->rc = -1;
		json_decref(k);
		js_raw(js, ": ", 2);
	}
}

void
jstream_init(struct jstream *js, FILE *f)
{
	memset(js, 0, sizeof(*js));
	js->d = xmalloc(sizeof(*js->d));
	*js->d = (struct dump_out){ f, STRBUF_INIT, STRBUF_INIT };
}

void
jstream_open(struct jstream *js, const char *key, char bracket)
{
	if (js->depth == ARRAY_SIZE(js->close))
		abort();	/* a programming error: the formats nest less */
	js_next(js, key);
	js_raw(js, bracket == '[' ? "[" : "{", 1);
	js->close[js->depth] = bracket == '[' ? ']' : '}';
	js->items[js->depth++] = 0;
}

void
jstream_put(struct jstream *js, const char *key, json_t *v)
{
	struct js_nested n = { js, js->depth };

	js_next(js, key);
	if (!v || json_dump_callback(v, js_nested_cb, &n, JS_FLAGS))
		js->rc = -1;
	json_decref(v);
}

void
jstream_put_members(struct jstream *js, json_t *obj)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		js->rc = -1;	/* it could not be made */
	json_object_foreach(obj, k, v)
		jstream_put(js, k, json_incref(v));
	json_decref(obj);
}

void
jstream_close(struct jstream *js)
{
	js->depth--;
	if (js->items[js->depth])
		js_newline(js, js->depth);
	js_raw(js, &js->close[js->depth], 1);
}

int
jstream_finish(struct jstream *js)
{
	int rc = js->rc;

	if (js->depth)
		abort();	/* a programming error: a container left open */
	/* the same JSON, but no server string acts on a terminal */
	if (rc == 0) {
		strbuf_addch(&js->d->in, '\n');
		rc = dump_flush(js->d, 0);
	}
	strbuf_release(&js->d->in);
	strbuf_release(&js->d->out);
	free(js->d);
	js->d = NULL;
	return rc;
}

static const struct {
	const char *prefix, *kind;
} kinds[] = {
	{ "/1.0/auth/identities", "identity" },
	{ "/1.0/auth/groups", "group" },
	{ "/1.0/certificates", "certificate" },
	{ "/1.0/images", "image" },
	{ "/1.0/instances", "instance" },
	{ "/1.0/network-acls", "network-acl" },
	{ "/1.0/network-zones", "network-zone" },
	{ "/1.0/networks", "network" },
	{ "/1.0/operations", "operation" },
	{ "/1.0/profiles", "profile" },
	{ "/1.0/projects", "project" },
	{ "/1.0/storage-pools", "storage-pool" },
	{ "/1.0/cluster", "cluster" },
	{ "file:", "file" },
	{ "group:", "group" },
	{ "process:", "process" },
};

const char *
report_object_kind(const char *object)
{
	if (str_eq(object, "/1.0"))
		return "server";
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (str_starts_with(object, kinds[i].prefix))
			return kinds[i].kind;
	return "resource";
}

/* Appends s[0..n) percent-decoded (unescape_url: %00 stays as written). */
static void
add_decoded(struct strbuf *sb, const char *s, size_t n)
{
	char *part = xstrndup(s, n);
	char *dec = unescape_url(part);

	strbuf_addstr(sb, dec);
	free(dec);
	free(part);
}

size_t
report_count(json_t *seen, const char *s)
{
	/* a C string holds no NUL, so the one-byte key "\0" stands for NULL */
	const char *key = s ? s : "";
	size_t len = s ? strlen(s) : 1;
	json_t *n = json_object_getn(seen, key, len);
	json_int_t k = n ? json_integer_value(n) + 1 : 1;

	if (n)
		json_integer_set(n, k);
	else
		json_object_setn_new_nocheck(seen, key, len, json_integer(k));
	return (size_t)k;
}

char *
report_object_short(const char *object)
{
	struct strbuf sb = STRBUF_INIT;
	const char *q, *rest;
	size_t n;

	if (!object)
		return xstrdup("");
	if (str_eq(object, "/1.0"))
		return xstrdup("server");
	if (str_starts_with(object, "file://"))
		return xstrdup(object + strlen("file://"));
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t plen = strlen(kinds[i].prefix);

		if (!str_starts_with(object, "/1.0/") ||
		    !str_starts_with(object, kinds[i].prefix) ||
		    object[plen] != '/')
			continue;
		rest = object + plen + 1;
		q = strchr(rest, '?');
		n = q ? (size_t)(q - rest) : strlen(rest);
		strbuf_addstr(&sb, kinds[i].kind);
		strbuf_addch(&sb, '/');
		/* lxc shows a fingerprint by its first 12 digits too */
		if (str_eq(kinds[i].kind, "certificate") && n == 64 &&
		    strspn(rest, "0123456789abcdef") >= 64)
			n = 12;
		add_decoded(&sb, rest, n);
		if (q && str_starts_with(q, "?project=")) {
			const char *p = q + strlen("?project=");

			strbuf_addstr(&sb, " (");
			add_decoded(&sb, p, strcspn(p, "&"));
			strbuf_addch(&sb, ')');
		}
		return strbuf_detach(&sb);
	}
	return xstrdup(object);
}

void
report_open_since(const struct report *r, const struct check_result *res,
		  char *buf, size_t len)
{
	long long oldest = r->has_baseline ? engine_oldest_open(r, res) : -1;
	long long age = r->generated_at - oldest;
	char when[32];

	buf[0] = '\0';
	if (oldest < 0)
		return;
	if (age <= 0) {
		snprintf(buf, len, "new in this run");
		return;
	}
	format_rfc3339(oldest, when, sizeof(when));
	if (age >= 2 * 86400)
		snprintf(buf, len, "open since %.10s (%lld days)", when,
			 age / 86400);
	else if (age >= 2 * 3600)
		snprintf(buf, len, "open since %.10s (%lld hours)", when,
			 age / 3600);
	else
		snprintf(buf, len, "open since %.10s (%lld minutes)", when,
			 age / 60);
}

char *
report_setup_lead(const struct report *r)
{
	return xasprintf("The commands below act on the server %s reaches "
			 "by default; to run them on this one, first:",
			 product_client(r->product));
}
