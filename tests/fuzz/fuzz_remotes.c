/*
 * fuzz_remotes.c - the lxc/incus client configuration (config.yml) read
 * for --remote. The input is the file; the remote asked for is "prod",
 * as in the seed. Only the endpoint is resolved: nothing connects.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target_opts o = { .remote = "prod" };
	struct lxd_endpoint ep = { 0 };
	struct diag d = { { 0 } };

	/* target_resolve reads $LXD_CONF/config.yml first. */
	setenv("LXD_CONF", fuzz_dir(), 1);
	fuzz_write("config.yml", data, size);
	(void)target_resolve(&o, &ep, &d);
	lxd_endpoint_release(&ep);
	return 0;
}
