/*
 * fuzz_baseline.c - an earlier report read as --baseline, applied to the
 * audit of a real saved state, then every format written.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_report.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *state;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("baseline.json", data, size);

	if (!state) {
		char *src = xasprintf("%s/snap/sample-502", fuzz_testdata());

		state = fuzz_copy_fixture(src, "state");
		free(src);
	}
	fuzz_report_dir(state, NULL, path);
	return 0;
}
