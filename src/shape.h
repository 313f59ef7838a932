/* shape.h - declarative JSON shapes, checked when a snapshot is built */
#ifndef LXD_HARDEN_SHAPE_H
#define LXD_HARDEN_SHAPE_H

#include <jansson.h>
#include <stdbool.h>

/*
 * A check reads a field only through the shape that describes it: a value
 * of another type would otherwise read as "absent" and let the check pass.
 * Fields a shape does not name are not read by any check: they are not
 * checked, and the members of a list's items that the item's shape does
 * not name are not kept (shape_prune).
 */
enum shape_kind {
	SH_STRING = 1,
	SH_BOOL,
	SH_INT,
	SH_OBJECT,	/* an object; .fields names what is read of it */
	SH_ARRAY,	/* an array; every item has shape *.item */
	SH_MAP,		/* an object; every value has shape *.item */
	SH_ANY_OBJECT,	/* an object whose members nothing reads */
};

struct shape {
	const char *key;		/* member name; NULL ends a field list */
	enum shape_kind kind;
	bool required;			/* absent is wrong too */
	bool nullable;			/* JSON null is allowed (Go nil slice) */
	const struct shape *item;	/* SH_ARRAY, SH_MAP */
	const struct shape *fields;	/* SH_OBJECT: ends with key NULL */
	/*
	 * SH_MAP only: the values of these member names may be JSON true
	 * as well (LXD shows a set hidden key as true).
	 */
	const char *const *true_ok;
	/*
	 * SH_MAP only: members whose key starts with this are read by no
	 * check and not kept (shape_prune with below).
	 */
	const char *unread_prefix;
};

/*
 * Checks v against sh. Returns NULL when it fits; otherwise a line such as
 * "at $[3].expanded_config[\"security.privileged\"]: expected string, got
 * boolean" (caller frees). The depth walked is bounded by the shape, so a
 * list of 1,000 nested arrays costs one step.
 */
char *shape_check(const json_t *v, const struct shape *sh);

/*
 * Removes from the object v the members that the SH_OBJECT shape sh does
 * not name. What no check reads is then never held, and a check that
 * reads a member its shape forgot to name finds it absent in every test.
 * With below, also the members of v's maps that the map's shape says no
 * check reads (unread_prefix): only while nothing below v is held by
 * anything else (before its values are shared, or in a copy). Anything
 * else is left alone.
 */
void shape_prune(json_t *v, const struct shape *sh, bool below);

/* "string", "boolean", ...: the JSON type of v, for messages. */
const char *shape_type_name(const json_t *v);

#endif
