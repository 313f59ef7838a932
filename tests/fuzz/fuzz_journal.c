/* fuzz_journal.c - the fix journal reader that rollback trusts */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("journal", data, size);
	struct diag d = { { 0 } };
	json_t *j = journal_load(path, &d);

	json_decref(j);
	return 0;
}
