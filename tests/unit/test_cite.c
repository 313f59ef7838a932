/* test_cite.c - every check cites its guide section and references */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "cite.h"

/* Each check of the catalog has an entry, with a guide anchor. */
static void
test_every_check_cited(void **state)
{
	(void)state;
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		for (const struct check *c = s->checks; c->id; c++) {
			const char *g = cite_guide(c->id);

			if (!g)
				fail_msg("%s has no guide citation (src/cite.c)",
					 c->id);
			assert_true(strncmp(g, CITE_GUIDE_URL "#howto-",
					    strlen(CITE_GUIDE_URL "#howto-")) ==
				    0);
		}
	}
}

/* Each entry names a check that exists: no citation outlives its check. */
static void
test_no_stale_entry(void **state)
{
	(void)state;
	assert_true(cite_count() > 0);
	for (size_t i = 0; i < cite_count(); i++)
		if (!catalog_find(cite_check(i)))
			fail_msg("src/cite.c cites %s, which is not in the "
				 "catalog", cite_check(i));
	assert_int_equal(cite_count(), catalog_count());
}

/* Reference pages are the product's own. */
static void
test_refs_per_product(void **state)
{
	const char *lxd[CITE_MAX_REFS], *incus[CITE_MAX_REFS];
	size_t nl, ni;

	(void)state;
	nl = cite_refs("LXD-NET-001", "lxd", lxd);
	ni = cite_refs("LXD-NET-001", "incus", incus);
	assert_int_equal(nl, 1);
	assert_int_equal(ni, 1);
	assert_string_equal(lxd[0], "https://documentation.ubuntu.com/lxd/"
				    "latest/reference/server_settings/");
	assert_string_equal(incus[0], "https://linuxcontainers.org/incus/"
				      "docs/main/server_config/");
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		for (const struct check *c = s->checks; c->id; c++) {
			ni = cite_refs(c->id, "incus", incus);
			for (size_t i = 0; i < ni; i++)
				assert_non_null(strstr(incus[i],
						       "linuxcontainers.org"));
			nl = cite_refs(c->id, "lxd", lxd);
			for (size_t i = 0; i < nl; i++)
				assert_non_null(strstr(lxd[i],
						       "documentation.ubuntu.com"));
		}
	}
	assert_int_equal(cite_refs("LXD-NOPE-001", "lxd", lxd), 0);
	assert_null(cite_guide("LXD-NOPE-001"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_check_cited),
		cmocka_unit_test(test_no_stale_entry),
		cmocka_unit_test(test_refs_per_product),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
