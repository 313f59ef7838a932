/* releases.h - the table of supported LXD and Incus releases (GEN-001) */
#ifndef LXD_HARDEN_RELEASES_H
#define LXD_HARDEN_RELEASES_H

#include <stdbool.h>

#include "util.h"

/*
 * The file GEN-001 reads: --releases FILE, else $LXD_HARDEN_RELEASES, else
 * /etc/lxd-harden/releases.json, else the installed data file, else the
 * source tree's data/releases.json (an uninstalled build). Returns NULL
 * when none exists. The returned string is static or from the arguments.
 */
const char *releases_locate(const char *cli_path);

#endif
