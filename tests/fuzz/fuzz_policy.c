/*
 * fuzz_policy.c - the YAML policy loader, and the loaded policy applied
 * to a real saved state (waivers, overrides and skips reach the gate).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_report.h"
#include "policy.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *state;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("policy.yaml", data, size);
	struct policy p;
	struct diag d = { { 0 } };

	if (!state) {
		char *src = xasprintf("%s/snap/sample-502", fuzz_testdata());

		state = fuzz_copy_fixture(src, "state");
		free(src);
	}
	policy_init(&p);
	if (policy_load(&p, path, &d) == 0)
		fuzz_report_dir(state, &p, NULL);
	policy_release(&p);
	return 0;
}
