/* yamlutil.h - what the three YAML readers share (policy, targets, lxc's
   client configuration): the text of a string scalar, and errors that
   name FILE:LINE:COL */
#ifndef LXD_HARDEN_YAMLUTIL_H
#define LXD_HARDEN_YAMLUTIL_H

#include <yaml.h>

#include "util.h"

/*
 * The text of a string scalar: untagged (libyaml gives it !!str) or
 * tagged !!str, with no NUL inside (a NUL would cut a path or a name
 * short without a word). NULL for anything else, n NULL included.
 */
const char *yaml_str(const yaml_node_t *n);

/*
 * Sets d to "FILE:LINE:COL: message" for node n (1-based, as editors
 * count), or "FILE: message" when n is NULL.
 */
void yaml_error_at(struct diag *d, const char *file, const yaml_node_t *n,
		   const char *fmt, ...) LXDH_PRINTF(4, 5);

#endif
