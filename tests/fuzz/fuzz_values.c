/*
 * fuzz_values.c - LXD's value formats as the checks read them: booleans,
 * expiry expressions (and their writer, which must read back), listener
 * addresses, versions and paths; address lists (ACL peers, subnets) and
 * the shell quoting of remediation words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "fuzz_common.h"
#include "lxdval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char *half = NULL;
	struct diag d = { { 0 } };
	struct lxdval_listen l;
	long long at = 0;
	bool never = false;
	char buf[64];

	(void)lxdval_is_true(s);
	(void)lxdval_is_false(s);
	if (lxdval_expiry(s, 1795880000, &at, &never, &d) == 0 && !never &&
	    at > 1795880000 && at - 1795880000 < 1000LL * 366 * 86400) {
		long long back = 0;
		bool never2 = false;

		/* What the fixer writes reads back to the same length. */
		lxdval_expiry_expr(at - 1795880000, buf, sizeof(buf));
		if (lxdval_expiry(buf, 1795880000, &back, &never2, &d) != 0 ||
		    never2)
			abort();
		lxdval_format_duration(at - 1795880000, buf, sizeof(buf));
	}
	(void)lxdval_listen(s, 8443, &l, &d);
	/* Two versions: the input cut in half at its middle. */
	half = strdup(s);
	if (!half)
		abort();
	half[strlen(half) / 2] = '\0';
	(void)lxdval_version_cmp(half, s + strlen(half));
	if (s[0] == '/') {
		char *clean = checks_clean_path(s);

		(void)checks_path_within(clean, "/etc");
		free(clean);
	}
	{
		struct lxdval_cover cov;
		char *more = malloc(strlen(s) + sizeof(",0.0.0.0/0,::/0"));
		char *q = checks_shq(s);

		if (!more || !q || !*q)
			abort();
		lxdval_addr_cover(s, &cov);
		/* Adding everything to any list covers everything. */
		strcpy(more, s);
		strcat(more, ",0.0.0.0/0,::/0");
		lxdval_addr_cover(more, &cov);
		if (!cov.all4 || !cov.all6)
			abort();
		free(more);
		free(q);
	}
	free(half);
	free(s);
	return 0;
}
