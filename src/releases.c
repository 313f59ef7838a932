/* releases.c - where the table of supported releases is found (GEN-001) */
#include "releases.h"

#include <stdlib.h>
#include <unistd.h>

#include "lxdh_config.h"

static bool
readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/*
 * A path the user named is returned even when it cannot be read, so that
 * GEN-001 reports an error about that file instead of quietly using
 * another table.
 */
const char *
releases_locate(const char *cli_path)
{
	static const char *const fallbacks[] = {
		"/etc/lxd-harden/releases.json",
		LXDH_DATADIR "/releases.json",
		LXDH_SRC_DATADIR "/releases.json",
	};
	const char *env;

	if (!str_empty(cli_path))
		return cli_path;
	env = getenv("LXD_HARDEN_RELEASES");
	if (!str_empty(env))
		return env;
	for (size_t i = 0; i < ARRAY_SIZE(fallbacks); i++)
		if (readable(fallbacks[i]))
			return fallbacks[i];
	return NULL;
}
