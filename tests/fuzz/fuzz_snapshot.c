/*
 * fuzz_snapshot.c - the saved-state loader, the whole catalog and every
 * report format. The first input byte picks which file of a real saved
 * state (tests/data/snap/sample-502, from LXD 5.0.2) the rest replaces;
 * the other files stay as recorded, so mutations reach the checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzz_report.h"
#include "util.h"

static const char *const files[] = {
	"server.json", "projects.json", "instances.json", "profiles.json",
	"networks.json", "network-acls.json", "storage-pools.json",
	"certificates.json", "operations.json", "identities.json",
	"auth-groups.json", "cluster-members.json",
	"storage-pools-members.json", "member-servers.json",
};
#define NFILES (sizeof(files) / sizeof(*files))

static const char *state;	/* the copied fixture */
static char *orig[NFILES];	/* each file as recorded; NULL: absent */
static size_t orig_len[NFILES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
setup(void)
{
	char *src = xasprintf("%s/snap/sample-502", fuzz_testdata());

	state = fuzz_copy_fixture(src, "state");
	for (size_t i = 0; i < NFILES; i++) {
		char *p = xasprintf("%s/%s", state, files[i]);

		orig[i] = fuzz_read(p, &orig_len[i]);
		free(p);
	}
	free(src);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t k;
	char *rel;

	if (!state)
		setup();
	if (size < 1)
		return 0;
	k = data[0] % NFILES;
	rel = xasprintf("state/%s", files[k]);
	fuzz_write(rel, data + 1, size - 1);
	fuzz_report_dir(state, NULL, NULL);
	if (orig[k]) {
		fuzz_write(rel, (const uint8_t *)orig[k], orig_len[k]);
	} else {
		char *p = xasprintf("%s/%s", state, files[k]);

		remove(p);
		free(p);
	}
	free(rel);
	return 0;
}
