/* fuzz_journal.c - the fix journal reader that rollback trusts, and the
   repair of a torn last line before an append */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("journal", data, size);
	struct diag d = { { 0 } }, warn = { { 0 } };
	struct journal jn;
	json_t *j = journal_load(path, &warn, &d);

	json_decref(j);
	if (journal_open(&jn, path, &warn, &d) == 0) {
		/* the file now ends with a whole line, or is empty */
		json_decref(journal_load(path, NULL, &d));
		journal_close(&jn);
	}
	return 0;
}
