/* jshare.c - equal JSON subtrees held once (hash consing) */
#include "jshare.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Children are made canonical before their parent, so two containers are
 * equal exactly when their children are the same pointers (and, for an
 * object, the same keys in the same order): comparing a container costs
 * one pass over its own members, never a walk of the subtree.
 */
struct slot {
	uint64_t hash;
	json_t *v;		/* borrowed: the tree holds it */
};

struct table {
	struct slot *slots;
	size_t cap, n;		/* cap: a power of two */
};

struct jshare {
	struct table t;
};

static uint64_t
mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

/* splitmix64's finaliser: every bit of h moves the slot */
static uint64_t
avalanche(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
node_hash(json_t *v)
{
	uint64_t h = (uint64_t)json_typeof(v) + 1;
	double d;
	uint64_t bits;
	const char *k;
	json_t *c;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return mix(h, hash_bytes(json_string_value(v),
					 json_string_length(v)));
	case JSON_INTEGER:
		return mix(h, (uint64_t)json_integer_value(v));
	case JSON_REAL:
		d = json_real_value(v);
		memcpy(&bits, &d, sizeof(bits));
		return mix(h, bits);
	case JSON_ARRAY:
		json_array_foreach (v, i, c)
			h = mix(h, (uint64_t)(uintptr_t)c);
		return mix(h, json_array_size(v));
	case JSON_OBJECT:
		json_object_foreach (v, k, c) {
			h = mix(h, hash_bytes(k, strlen(k)));
			h = mix(h, (uint64_t)(uintptr_t)c);
		}
		return mix(h, json_object_size(v));
	default:
		return h;
	}
}

static bool
node_equal(json_t *a, json_t *b)
{
	void *ia, *ib;
	double da, db;

	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b),
			      json_string_length(a)) == 0;
	case JSON_INTEGER:
		return json_integer_value(a) == json_integer_value(b);
	case JSON_REAL:
		da = json_real_value(a);
		db = json_real_value(b);
		return memcmp(&da, &db, sizeof(da)) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (json_array_get(a, i) != json_array_get(b, i))
				return false;
		return true;
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return false;
		/* in order: equal objects dump alike */
		for (ia = json_object_iter(a), ib = json_object_iter(b);
		     ia && ib; ia = json_object_iter_next(a, ia),
		     ib = json_object_iter_next(b, ib))
			if (strcmp(json_object_iter_key(ia),
				   json_object_iter_key(ib)) != 0 ||
			    json_object_iter_value(ia) !=
				    json_object_iter_value(ib))
				return false;
		return !ia && !ib;
	default:
		return a == b;
	}
}

static void
grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct slot *s = xcalloc(cap, sizeof(*s));

	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->slots[i].v)
			continue;
		for (j = t->slots[i].hash & (cap - 1); s[j].v;
		     j = (j + 1) & (cap - 1))
			;
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
}

/* The first value seen equal to v (v itself when it is the first). */
static json_t *
canonical(struct table *t, json_t *v)
{
	uint64_t h = avalanche(node_hash(v));
	size_t j;

	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	for (j = h & (t->cap - 1); t->slots[j].v; j = (j + 1) & (t->cap - 1))
		if (t->slots[j].hash == h && node_equal(t->slots[j].v, v))
			return t->slots[j].v;
	t->slots[j] = (struct slot){ h, v };
	t->n++;
	return v;
}

static json_t *share(struct table *t, json_t *v, size_t *dropped);

/* Makes each child of v canonical, in place. */
static void
share_children(struct table *t, json_t *v, size_t *dropped)
{
	json_t *c, *s;
	void *it;

	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			c = json_array_get(v, i);
			s = share(t, c, dropped);
			if (s != c) {
				json_array_set(v, i, s);
				(*dropped)++;
			}
		}
	} else if (json_is_object(v)) {
		for (it = json_object_iter(v); it;
		     it = json_object_iter_next(v, it)) {
			c = json_object_iter_value(it);
			s = share(t, c, dropped);
			if (s != c) {
				json_object_iter_set(v, it, s);
				(*dropped)++;
			}
		}
	}
}

static json_t *
share(struct table *t, json_t *v, size_t *dropped)
{
	/* true, false and null are jansson's own single values */
	if (json_is_true(v) || json_is_false(v) || json_is_null(v))
		return v;
	share_children(t, v, dropped);
	return canonical(t, v);
}

struct jshare *
jshare_new(void)
{
	return xcalloc(1, sizeof(struct jshare));
}

size_t
jshare_below(struct jshare *t, json_t *item)
{
	size_t dropped = 0;

	share_children(&t->t, item, &dropped);
	return dropped;
}

void
jshare_free(struct jshare *t)
{
	if (!t)
		return;
	free(t->t.slots);
	free(t);
}
