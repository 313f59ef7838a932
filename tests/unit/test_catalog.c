/* test_catalog.c - the invariants of the check tables */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"

static bool
ends_with_period(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 1 && s[n - 1] == '.';
}

static void
test_invariants(void **state)
{
	const char *prev = NULL;

	(void)state;
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		assert_non_null(s->name);
		assert_non_null(s->checks);
		prev = NULL;
		for (const struct check *c = s->checks; c->id; c++) {
			size_t n = strlen(s->prefix), tl;

			/* ^LXD-<PREFIX>-[0-9]{3}$ */
			assert_int_equal(strncmp(c->id, "LXD-", 4), 0);
			assert_int_equal(strncmp(c->id + 4, s->prefix, n), 0);
			assert_int_equal(c->id[4 + n], '-');
			assert_int_equal(strlen(c->id), 4 + n + 4);
			for (size_t i = 5 + n; i < 8 + n; i++)
				assert_true(c->id[i] >= '0' && c->id[i] <= '9');
			if (prev)
				assert_true(strcmp(prev, c->id) < 0);
			prev = c->id;
			assert_true(c->severity < SEV__COUNT);
			tl = strlen(c->title);
			assert_true(tl > 0 && tl <= 72);
			assert_true(c->title[tl - 1] != '.');
			if (!ends_with_period(c->rationale) ||
			    !ends_with_period(c->reads) ||
			    !ends_with_period(c->remediation))
				fail_msg("%s: rationale, reads and remediation "
					 "must be sentences", c->id);
			assert_non_null(c->eval);
			assert_ptr_equal(catalog_find(c->id), c);
			assert_ptr_equal(catalog_section_of(c), s);
		}
	}
}

static void
test_ids_unique_across_sections(void **state)
{
	size_t n = catalog_count(), k = 0;
	const char **ids = calloc(n, sizeof(*ids));

	(void)state;
	for (const struct section *s = catalog_sections; s->prefix; s++)
		for (const struct check *c = s->checks; c->id; c++)
			ids[k++] = c->id;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(ids[i], ids[j]);
	free(ids);
}

/* The whole catalog of checks.md; a removal must be deliberate. */
static void
test_expected_ids_present(void **state)
{
	static const char *const want[] = {
		"LXD-GEN-001", "LXD-GEN-002", "LXD-GEN-003", "LXD-GEN-004",
		"LXD-ACC-001", "LXD-ACC-002",
		"LXD-ACC-003", "LXD-ACC-004", "LXD-ACC-005", "LXD-ACC-006",
		"LXD-ACC-007", "LXD-ACC-008",
		"LXD-ACC-009", "LXD-ACC-010", "LXD-ACC-011", "LXD-ACC-012",
		"LXD-ACC-013", "LXD-ACC-014", "LXD-ACC-015", "LXD-ACC-016",
		"LXD-NET-001", "LXD-NET-002", "LXD-NET-003", "LXD-NET-004",
		"LXD-NET-005",
		"LXD-INS-001", "LXD-INS-002", "LXD-INS-003", "LXD-INS-004",
		"LXD-INS-005", "LXD-INS-006", "LXD-INS-007", "LXD-INS-008",
		"LXD-INS-009",
		"LXD-DEV-001", "LXD-DEV-002", "LXD-DEV-003", "LXD-DEV-004",
		"LXD-STO-001",
		"LXD-LOG-001", "LXD-LOG-002", "LXD-LOG-003", "LXD-LOG-004",
		"LXD-MUL-001", "LXD-MUL-002", "LXD-MUL-003", "LXD-MUL-004",
		"LXD-HOS-001", "LXD-HOS-002", "LXD-HOS-003", "LXD-HOS-004",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (!catalog_find(want[i]))
			fail_msg("%s is missing from the catalog", want[i]);
	assert_null(catalog_find("LXD-NOPE-001"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_ids_unique_across_sections),
		cmocka_unit_test(test_expected_ids_present),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
