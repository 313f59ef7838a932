/* jsonlim.c - parsing JSON from a server within caps on memory and shape */
#include "jsonlim.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jshare.h"
#include "util.h"

const struct jsonlim jsonlim_server = {
	.max_depth = 64,
	.max_string = (size_t)1 << 20,
	.mem_per_byte = 16,
	.mem_floor = (size_t)4 << 20,
};

/*
 * jansson's allocator hooks are process-wide; the budget they charge is
 * per thread and exists only while jsonlim_loadb() runs, so allocations
 * anywhere else (json_dumps, building reports) are not limited. Blocks
 * are measured with malloc_usable_size() plus the allocator's header,
 * which is close to what they cost in RSS, and need no header of our
 * own: a string from json_dumps() can still be given to free().
 */
struct budget {
	size_t used, peak, limit;
	bool exceeded;
};

#define BLOCK_OVERHEAD (2 * sizeof(size_t))
/*
 * The least an array or object costs once parsed (a json_array_t and its
 * first table of eight slots is about 150 bytes with the allocator's
 * headers; an object more). A body whose containers alone would exceed
 * the cap is refused before anything is allocated.
 */
#define CONTAINER_MIN_COST 96

static _Thread_local struct budget *budget;
static _Thread_local size_t last_peak;

static void *
counted_malloc(size_t n)
{
	struct budget *b = budget;
	void *p = malloc(n);
	size_t sz;

	if (!p || !b)
		return p;
	sz = malloc_usable_size(p) + BLOCK_OVERHEAD;
	if (b->exceeded || sz > b->limit - b->used) {
		free(p);
		b->exceeded = true;
		return NULL;
	}
	b->used += sz;
	if (b->used > b->peak)
		b->peak = b->used;
	return p;
}

static void
counted_free(void *p)
{
	struct budget *b = budget;

	if (p && b) {
		size_t sz = malloc_usable_size(p) + BLOCK_OVERHEAD;

		b->used = sz < b->used ? b->used - sz : 0;
	}
	free(p);
}

static void
hooks_install(void)
{
	static bool done;

	/*
	 * Safe at any time: both hooks end in the C library's malloc and
	 * free, so a value allocated before is freed the same way.
	 */
	if (!done) {
		json_set_alloc_funcs(counted_malloc, counted_free);
		done = true;
	}
}

/* "1 MiB", "384 KiB", "12345 bytes": sizes in messages. */
static void
size_text(size_t n, char *buf, size_t len)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(buf, len, "%zu MiB", n >> 20);
	else if (n >= ((size_t)1 << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%zu KiB", n >> 10);
	else
		snprintf(buf, len, "%zu bytes", n);
}

void
jsonlim_scan_init(struct jsonlim_scan *sc, const struct jsonlim *lim)
{
	memset(sc, 0, sizeof(*sc));
	sc->lim = lim;
}

/*
 * One pass over the bytes: the nesting depth outside strings and the
 * length of each string as sent (escapes included, so never less than
 * its decoded length). Syntax is jansson's business; this only bounds
 * what it will be asked to build. The state carries over between calls,
 * so a body can be scanned as it arrives.
 */
int
jsonlim_scan(struct jsonlim_scan *sc, const char *buf, size_t len, char *why,
	     size_t whylen)
{
	const struct jsonlim *lim = sc->lim;
	char cap[32];

	for (size_t i = 0; i < len; i++) {
		size_t at = sc->pos + i;
		char ch = buf[i];

		if (sc->in_string) {
			if (sc->escape) {
				sc->escape = false;
			} else if (ch == '\\') {
				sc->escape = true;
			} else if (ch == '"') {
				sc->in_string = false;
				continue;
			}
			if (at - sc->start > lim->max_string) {
				size_text(lim->max_string, cap, sizeof(cap));
				snprintf(why, whylen, "a string at byte %zu is "
					 "longer than %s (the cap on one JSON "
					 "string)", sc->start, cap);
				return -1;
			}
			continue;
		}
		switch (ch) {
		case '"':
			sc->in_string = true;
			sc->start = at;
			break;
		case '[':
		case '{':
			sc->containers++;
			if (++sc->depth > lim->max_depth) {
				snprintf(why, whylen, "JSON nested deeper than "
					 "%zu levels at byte %zu (the cap on "
					 "nesting)", lim->max_depth, at);
				return -1;
			}
			break;
		case ']':
		case '}':
			if (sc->depth)
				sc->depth--;
			break;
		default:
			break;
		}
	}
	sc->pos += len;
	return 0;
}

static size_t
skip_ws(const char *buf, size_t len, size_t pos)
{
	while (pos < len && (buf[pos] == ' ' || buf[pos] == '\t' ||
			     buf[pos] == '\n' || buf[pos] == '\r'))
		pos++;
	return pos;
}

/* The one value at buf[*pos], which moves past it; NULL on any error. */
static json_t *
one_value(const char *buf, size_t len, size_t *pos, size_t flags)
{
	json_error_t e;
	json_t *v = json_loadb(buf + *pos, len - *pos,
			       flags | JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY,
			       &e);

	if (v && (e.position <= 0 || (size_t)e.position > len - *pos)) {
		json_decref(v);
		return NULL;
	}
	if (v)
		*pos += (size_t)e.position;
	return v;
}

/* What parse_items() hands down: the table of shared values, the hook. */
struct items {
	size_t flags;
	struct jshare *share;
	jsonlim_item_fn *each;
	const void *arg;
};

/* The array that opens at buf[*pos], item by item, each shared. */
static json_t *
items_array(const char *buf, size_t len, size_t *pos,
	    const struct items *it)
{
	json_t *a = json_array(), *v;
	size_t p = skip_ws(buf, len, *pos + 1);

	if (p < len && buf[p] == ']') {
		*pos = p + 1;
		return a;
	}
	for (;;) {
		v = one_value(buf, len, &p, it->flags);
		if (!v || json_array_append_new(a, v) != 0)
			break;
		/* before sharing: nothing below the item is held twice yet */
		if (it->each)
			it->each(v, it->arg);
		jshare_below(it->share, v);
		p = skip_ws(buf, len, p);
		if (p < len && buf[p] == ',') {
			p = skip_ws(buf, len, p + 1);
			continue;
		}
		if (p < len && buf[p] == ']') {
			*pos = p + 1;
			return a;
		}
		break;
	}
	json_decref(a);
	return NULL;
}

/*
 * The members of the object that opens at buf[*pos]; a member that is an
 * array is read by items_array(). NULL on anything jansson alone should
 * judge (a syntax error, a duplicate or odd key).
 */
static json_t *
items_object(const char *buf, size_t len, size_t *pos,
	     const struct items *it)
{
	json_t *o = json_object(), *k, *v;
	size_t p = skip_ws(buf, len, *pos + 1);
	const char *key;

	if (p < len && buf[p] == '}') {
		*pos = p + 1;
		return o;
	}
	for (;;) {
		k = p < len && buf[p] == '"' ?
			    one_value(buf, len, &p, it->flags) :
			    NULL;
		key = json_string_value(k);
		if (!key || strlen(key) != json_string_length(k) ||
		    json_object_get(o, key))
			break;
		p = skip_ws(buf, len, p);
		if (p >= len || buf[p] != ':')
			break;
		p = skip_ws(buf, len, p + 1);
		v = p < len && buf[p] == '[' ?
			    items_array(buf, len, &p, it) :
			    one_value(buf, len, &p, it->flags);
		if (!v || json_object_set_new(o, key, v) != 0)
			break;
		json_decref(k);
		k = NULL;
		p = skip_ws(buf, len, p);
		if (p < len && buf[p] == ',') {
			p = skip_ws(buf, len, p + 1);
			continue;
		}
		if (p < len && buf[p] == '}') {
			*pos = p + 1;
			return o;
		}
		break;
	}
	json_decref(k);
	json_decref(o);
	return NULL;
}

static json_t *
parse_items(const char *buf, size_t len, size_t flags, jsonlim_item_fn *each,
	    const void *arg)
{
	struct items it = { .flags = flags, .each = each, .arg = arg };
	size_t p = skip_ws(buf, len, 0);
	json_t *j = NULL;

	/*
	 * A NUL byte is never valid JSON, and jansson does not count it in
	 * the position that tells where a value ended: such a body is
	 * judged whole.
	 */
	if (memchr(buf, '\0', len))
		return NULL;
	it.share = jshare_new();
	if (p < len && buf[p] == '[')
		j = items_array(buf, len, &p, &it);
	else if (p < len && buf[p] == '{')
		j = items_object(buf, len, &p, &it);
	if (j && skip_ws(buf, len, p) != len) {
		json_decref(j);
		j = NULL;
	}
	jshare_free(it.share);
	return j;
}

/*
 * The hook on what jansson parsed whole (a body parse_items() leaves to
 * it that parses all the same: a duplicate key when duplicates are
 * allowed): the same items parse_items() would have given it.
 */
static void
each_item(json_t *j, jsonlim_item_fn *each, const void *arg)
{
	const char *key;
	json_t *v, *m;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach (j, i, v)
			each(v, arg);
	} else if (json_is_object(j)) {
		json_object_foreach (j, key, m)
			if (json_is_array(m))
				json_array_foreach (m, i, v)
					each(v, arg);
	}
}

static json_t *
load(const char *buf, size_t len, size_t flags, const struct jsonlim *lim,
     bool items, jsonlim_item_fn *each, const void *arg, bool *over_cap,
     char *why, size_t whylen)
{
	struct jsonlim_scan sc;
	struct budget b = { 0 };
	json_error_t jerr;
	json_t *j = NULL;
	char cap[32], body[32];

	last_peak = 0;
	if (over_cap)
		*over_cap = true;
	jsonlim_scan_init(&sc, lim);
	if (jsonlim_scan(&sc, buf, len, why, whylen) != 0)
		return NULL;
	hooks_install();
	b.limit = lim->mem_floor;
	if (lim->mem_per_byte && len > (SIZE_MAX - b.limit) / lim->mem_per_byte)
		b.limit = SIZE_MAX;
	else
		b.limit += lim->mem_per_byte * len;
	if (sc.containers > b.limit / CONTAINER_MIN_COST) {
		b.exceeded = true;
	} else {
		budget = &b;
		if (items)
			j = parse_items(buf, len, flags, each, arg);
		/* what parse_items does not take is jansson's to judge */
		if (!j && !b.exceeded) {
			j = json_loadb(buf, len, flags, &jerr);
			if (j && each)
				each_item(j, each, arg);
		}
		budget = NULL;
		last_peak = b.peak;
	}
	if (b.exceeded) {
		json_decref(j);
		size_text(b.limit, cap, sizeof(cap));
		size_text(len, body, sizeof(body));
		snprintf(why, whylen, "JSON that needs more than %s of memory "
			 "once parsed (the cap is %zu times the %s body plus "
			 "%zu MiB)", cap, lim->mem_per_byte, body,
			 lim->mem_floor >> 20);
		return NULL;
	}
	if (over_cap)
		*over_cap = false;
	if (!j) {
		char *s = xstrdup(jerr.text);

		/* jansson quotes the offending input: keep it printable */
		for (char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p >= 0x7f)
				*p = '?';
		if (strlen(s) > 80)
			memcpy(s + 77, "...", 4);
		snprintf(why, whylen, "malformed JSON at line %d column %d: %s",
			 jerr.line, jerr.column, s);
		free(s);
		return NULL;
	}
	return j;
}

json_t *
jsonlim_loadb(const char *buf, size_t len, size_t flags,
	      const struct jsonlim *lim, bool *over_cap, char *why,
	      size_t whylen)
{
	return load(buf, len, flags, lim, false, NULL, NULL, over_cap, why,
		    whylen);
}

json_t *
jsonlim_loadb_items(const char *buf, size_t len, size_t flags,
		    const struct jsonlim *lim, jsonlim_item_fn *each,
		    const void *arg, bool *over_cap, char *why, size_t whylen)
{
	return load(buf, len, flags, lim, true, each, arg, over_cap, why,
		    whylen);
}

size_t
jsonlim_last_peak(void)
{
	return last_peak;
}
