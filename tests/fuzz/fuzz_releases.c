/*
 * fuzz_releases.c - the release table GEN-001 reads (--releases FILE),
 * judged against the versions of the recorded LXD and Incus states.
 */
#include <stdint.h>
#include <stdlib.h>

#include "catalog.h"
#include "fuzz_common.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixtures[] = {
	"snap/sample-502", "snap/lxd-521", "snap/lxd-69", "snap/incus-70",
};
#define NFIX (sizeof(fixtures) / sizeof(*fixtures))

static struct snapshot snaps[NFIX];
static bool loaded;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct check *c = catalog_find("LXD-GEN-001");
	const char *path = fuzz_write("releases.json", data, size);
	struct policy p;

	if (!c)
		abort();
	if (!loaded) {
		for (size_t i = 0; i < NFIX; i++) {
			char *dir = xasprintf("%s/%s", fuzz_testdata(),
					      fixtures[i]);
			struct diag d = { { 0 } };

			snapshot_init(&snaps[i]);
			if (snapshot_load_dir(&snaps[i], dir, &d) != 0)
				abort();	/* the fixtures must load */
			free(dir);
		}
		loaded = true;
	}
	policy_init(&p);
	for (size_t i = 0; i < NFIX; i++) {
		struct check_ctx ctx = {
			.snap = &snaps[i],
			.policy = &p,
			.releases_path = path,
		};
		struct findings out = { 0 };

		c->eval(c, &ctx, &out);
		findings_release(&out);
	}
	policy_release(&p);
	return 0;
}
