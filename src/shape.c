/* shape.c - declarative JSON shapes, checked when a snapshot is built */
#include "shape.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

/* Keys are shown as .key or ["key"], cut to this many bytes. */
#define SHAPE_KEY_SHOWN 64

const char *
shape_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

static const char *
kind_name(enum shape_kind k)
{
	switch (k) {
	case SH_STRING:
		return "string";
	case SH_BOOL:
		return "boolean";
	case SH_INT:
		return "integer";
	case SH_OBJECT:
	case SH_MAP:
	case SH_ANY_OBJECT:
		return "object";
	case SH_ARRAY:
		return "array";
	}
	return "unknown";
}

static void
strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (sb->buf && len < sb->len) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

static void
path_key(struct strbuf *path, const char *key)
{
	size_t n = strlen(key), shown = n < SHAPE_KEY_SHOWN ? n : SHAPE_KEY_SHOWN;
	bool plain = n > 0;

	for (size_t i = 0; i < n && plain; i++)
		plain = (key[i] >= 'a' && key[i] <= 'z') ||
			(key[i] >= 'A' && key[i] <= 'Z') ||
			(key[i] >= '0' && key[i] <= '9') || key[i] == '_';
	if (plain && n == shown) {
		strbuf_addch(path, '.');
		strbuf_addstr(path, key);
		return;
	}
	strbuf_addstr(path, "[\"");
	for (size_t i = 0; i < shown; i++)
		strbuf_addch(path, key[i] == '"' || key[i] == '\\' ||
						   (unsigned char)key[i] < 0x20 ?
					   '?' :
					   key[i]);
	strbuf_addstr(path, n > shown ? "...\"]" : "\"]");
}

static bool
in_list(const char *const *list, const char *key)
{
	for (; list && *list; list++)
		if (str_eq(*list, key))
			return true;
	return false;
}

static char *
mismatch(const struct strbuf *path, const char *want, const json_t *got)
{
	return xasprintf("at $%s: expected %s, got %s",
			 path->buf ? path->buf : "", want,
			 shape_type_name(got));
}

static char *walk(const json_t *v, const struct shape *sh,
		  struct strbuf *path);

static char *
walk_fields(const json_t *obj, const struct shape *fields,
	    struct strbuf *path)
{
	for (const struct shape *f = fields; f && f->key; f++) {
		const json_t *m = json_object_get(obj, f->key);
		size_t len = path->len;
		char *why;

		if (!m && !f->required)
			continue;
		path_key(path, f->key);
		if (!m)
			why = xasprintf("at $%s: missing", path->buf);
		else
			why = walk(m, f, path);
		if (why)
			return why;
		strbuf_setlen(path, len);
	}
	return NULL;
}

static char *
walk(const json_t *v, const struct shape *sh, struct strbuf *path)
{
	const char *key;
	json_t *m;
	size_t i, len = path->len;
	char *why;

	if (json_is_null(v) && sh->nullable)
		return NULL;
	switch (sh->kind) {
	case SH_STRING:
		return json_is_string(v) ? NULL :
					   mismatch(path, "string", v);
	case SH_BOOL:
		return json_is_boolean(v) ? NULL :
					    mismatch(path, "boolean", v);
	case SH_INT:
		return json_is_integer(v) ? NULL :
					    mismatch(path, "integer", v);
	case SH_ANY_OBJECT:
		return json_is_object(v) ? NULL : mismatch(path, "object", v);
	case SH_OBJECT:
		if (!json_is_object(v))
			return mismatch(path, "object", v);
		return walk_fields(v, sh->fields, path);
	case SH_ARRAY:
		if (!json_is_array(v))
			return mismatch(path, "array", v);
		json_array_foreach (v, i, m) {
			strbuf_addf(path, "[%zu]", i);
			why = walk(m, sh->item, path);
			if (why)
				return why;
			strbuf_setlen(path, len);
		}
		return NULL;
	case SH_MAP:
		if (!json_is_object(v))
			return mismatch(path, "object", v);
		json_object_foreach ((json_t *)(uintptr_t)v, key, m) {
			if (json_is_true(m) && in_list(sh->true_ok, key))
				continue;
			/* what no check reads is not checked (nor kept) */
			if (sh->unread_prefix &&
			    str_starts_with(key, sh->unread_prefix))
				continue;
			path_key(path, key);
			why = walk(m, sh->item, path);
			if (why)
				return why;
			strbuf_setlen(path, len);
		}
		return NULL;
	}
	return mismatch(path, kind_name(sh->kind), v);
}

char *
shape_check(const json_t *v, const struct shape *sh)
{
	struct strbuf path = STRBUF_INIT;
	char *why;

	strbuf_addstr(&path, "");
	why = walk(v, sh, &path);
	strbuf_release(&path);
	return why;
}

/* Removes the members of map whose key starts with prefix. */
static void
drop_prefixed(json_t *map, const char *prefix)
{
	size_t n = strlen(prefix);
	void *it, *next;

	for (it = json_object_iter(map); it; it = next) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		next = json_object_iter_next(map, it);
		if (klen >= n && memcmp(key, prefix, n) == 0)
			json_object_deln(map, key, klen);
	}
}

void
shape_prune(json_t *v, const struct shape *sh, bool below)
{
	void *it, *next;
	const char *key;
	size_t klen;
	const struct shape *named;

	if (!json_is_object(v) || !sh || sh->kind != SH_OBJECT)
		return;
	for (it = json_object_iter(v); it; it = next) {
		key = json_object_iter_key(it);
		klen = json_object_iter_key_len(it);
		named = NULL;
		for (const struct shape *f = sh->fields; f && f->key; f++)
			if (strlen(f->key) == klen &&
			    memcmp(f->key, key, klen) == 0) {
				named = f;
				break;
			}
		next = json_object_iter_next(v, it);
		if (!named)
			json_object_deln(v, key, klen);
		else if (below && named->kind == SH_MAP &&
			 named->unread_prefix &&
			 json_is_object(json_object_iter_value(it)))
			drop_prefixed(json_object_iter_value(it),
				      named->unread_prefix);
	}
}
