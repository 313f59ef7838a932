/*
 * fuzz_targets.c - the targets file of a fleet run (audit --targets). The
 * input is the file; the parser validates it to the column and must end
 * with a list or one line of diagnostic, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fleet_targets t = { 0 };
	struct diag d = { { 0 } };

	(void)fleet_targets_parse(&t, (const char *)data, size, "fuzz.yml",
				  &d);
	fleet_targets_release(&t);
	return 0;
}
