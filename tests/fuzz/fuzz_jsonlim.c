/*
 * fuzz_jsonlim.c - the item-by-item reader of server answers against
 * jansson's whole-document one: for any body, jsonlim_loadb_items() and
 * jsonlim_loadb() agree on whether it parses, on the value (dumped alike,
 * member order included) and, when it does not parse, on the reason.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DUMP (JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_COMPACT)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why1[256] = "", why2[256] = "";
	bool over1 = false, over2 = false;
	const char *buf = (const char *)data;
	/* the first byte picks the flags, as the callers use them */
	size_t flags = size && (data[0] & 1) ? JSON_REJECT_DUPLICATES : 0;
	json_t *a = jsonlim_loadb(buf, size, flags, &jsonlim_server, &over1,
				  why1, sizeof(why1));
	json_t *b = jsonlim_loadb_items(buf, size, flags, &jsonlim_server,
					NULL, NULL, &over2, why2,
					sizeof(why2));

	if (!a != !b || over1 != over2)
		abort();
	if (a) {
		char *da = json_dumps(a, DUMP), *db = json_dumps(b, DUMP);

		if (!da || !db || strcmp(da, db) != 0)
			abort();
		free(da);
		free(db);
	} else if (!over1 && strcmp(why1, why2) != 0) {
		abort();
	}
	json_decref(a);
	json_decref(b);
	return 0;
}
