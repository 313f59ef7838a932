/* test_jshare.c - equal subtrees held once, and nothing else changed */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jshare.h"

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	if (!j)
		fail_msg("%s: %s", text, e.text);
	return j;
}

static char *
dump(const json_t *j)
{
	return json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
				     JSON_ENCODE_ANY);
}

#define ITEM(i, k) json_object_get(json_array_get(list, (i)), (k))

/* Shares below every item of list, as the item-by-item reader does. */
static size_t
share_list(json_t *list)
{
	struct jshare *t = jshare_new();
	size_t n = 0;
	json_t *item;
	size_t i;

	json_array_foreach (list, i, item)
		n += jshare_below(t, item);
	jshare_free(t);
	return n;
}

/* Equal values become one; the list dumps exactly as before. */
static void
test_shared(void **state)
{
	json_t *list = load(
		"[{\"name\": \"c1\", \"devices\": {\"eth0\": {\"type\": "
		"\"nic\", \"network\": \"br0\"}}, \"profiles\": [\"default\"], "
		"\"n\": 5, \"r\": 1.5},"
		" {\"name\": \"c2\", \"devices\": {\"eth0\": {\"type\": "
		"\"nic\", \"network\": \"br0\"}}, \"profiles\": [\"default\"], "
		"\"n\": 5, \"r\": 1.5},"
		" {\"name\": \"c2\", \"devices\": {\"eth0\": {\"type\": "
		"\"nic\", \"network\": \"br0\"}}, \"profiles\": [\"default\"], "
		"\"n\": 5, \"r\": 1.5}]");
	char *before = dump(list), *after;

	(void)state;
	/* item 2: the strings inside eth0, eth0, devices, "default", the
	   profiles, n and r (8); item 3 the same and its name (9) */
	assert_int_equal(share_list(list), 17);
	after = dump(list);
	assert_string_equal(after, before);
	assert_ptr_equal(ITEM(0, "devices"), ITEM(1, "devices"));
	assert_ptr_equal(ITEM(0, "profiles"), ITEM(2, "profiles"));
	assert_ptr_equal(ITEM(0, "n"), ITEM(1, "n"));
	assert_ptr_equal(ITEM(0, "r"), ITEM(2, "r"));
	assert_ptr_equal(ITEM(1, "name"), ITEM(2, "name"));
	/* equal items stay two: a part's items are told apart by pointer */
	assert_ptr_not_equal(json_array_get(list, 1), json_array_get(list, 2));
	/* a second pass finds nothing left to share */
	assert_int_equal(share_list(list), 0);
	free(before);
	free(after);
	json_decref(list);
}

/* Values that are equal to json_equal() but not as dumped stay apart. */
static void
test_kept_apart(void **state)
{
	json_t *list = load(
		"[{\"o\": {\"a\": \"1\", \"b\": \"2\"}, \"s\": \"x\\u0000y\", "
		"\"i\": 1, \"t\": \"1\", \"e\": {}, \"l\": [\"1\"]},"
		" {\"o\": {\"b\": \"2\", \"a\": \"1\"}, \"s\": \"x\", "
		"\"i\": 1.0, \"t\": 1, \"e\": [], \"l\": [\"1\", \"1\"]}]");
	char *before = dump(list), *after;

	(void)state;
	share_list(list);
	after = dump(list);
	assert_string_equal(after, before);
	assert_ptr_not_equal(ITEM(0, "o"), ITEM(1, "o"));
	assert_ptr_not_equal(ITEM(0, "s"), ITEM(1, "s"));
	assert_ptr_not_equal(ITEM(0, "i"), ITEM(1, "i"));
	assert_ptr_not_equal(ITEM(0, "t"), ITEM(1, "t"));
	assert_ptr_not_equal(ITEM(0, "e"), ITEM(1, "e"));
	assert_ptr_not_equal(ITEM(0, "l"), ITEM(1, "l"));
	/* but the strings inside them are one */
	assert_ptr_equal(json_object_get(ITEM(0, "o"), "a"),
			 json_object_get(ITEM(1, "o"), "a"));
	assert_ptr_equal(json_array_get(ITEM(1, "l"), 0),
			 json_array_get(ITEM(1, "l"), 1));
	free(before);
	free(after);
	json_decref(list);
}

/* One item alone, and a wide list of 20,000 items. */
static void
test_shapes(void **state)
{
	json_t *obj = load("{\"a\": {\"b\": 1}, \"c\": {\"b\": 1}}");
	json_t *list = json_array();
	char *before, *after;

	(void)state;
	/* the values below one item are shared among themselves too: "c"
	   and its 1 become "a"'s */
	{
		struct jshare *t = jshare_new();

		assert_int_equal(jshare_below(t, obj), 2);
		jshare_free(t);
	}
	assert_ptr_equal(json_object_get(obj, "a"), json_object_get(obj, "c"));
	for (int i = 0; i < 20000; i++)
		json_array_append_new(list,
				      json_pack("{s:i, s:{s:s, s:[i, i]}}",
						"i", i, "d", "k", "v", "l",
						i % 7, i % 3));
	before = dump(list);
	/* 19,999 "d" objects become the first's, each after its own
	   members were shared: what remains is one per (i % 7, i % 3) */
	assert_true(share_list(list) > 19999);
	after = dump(list);
	assert_string_equal(after, before);
	assert_ptr_equal(ITEM(0, "d"), ITEM(21, "d"));
	assert_ptr_not_equal(ITEM(0, "d"), ITEM(1, "d"));
	free(before);
	free(after);
	json_decref(list);
	json_decref(obj);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_kept_apart),
		cmocka_unit_test(test_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
