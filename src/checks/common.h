/* common.h - small helpers the server and workload checks share */
#ifndef LXD_HARDEN_CHECKS_COMMON_H
#define LXD_HARDEN_CHECKS_COMMON_H

#include <stdbool.h>

#include "check.h"
#include "escape.h"	/* shq() and urlq() for remedies and objects */

/*
 * The string value of o[key]; NULL when o is not an object, when key is
 * absent or when its value is not a string.
 */
const char *checks_jstr(const json_t *o, const char *key);

/*
 * Returns part k of the snapshot, or adds a finding about object saying
 * why it is absent and returns NULL: ST_NOTAPPLICABLE ("Not available:
 * WHY.") when the server has no such thing, ST_ERROR ("Cannot read
 * OBJECT: WHY.") otherwise. Both at the check's severity.
 */
const json_t *checks_need_part(const struct check *c,
			       const struct check_ctx *x, enum snap_kind k,
			       const char *object, struct findings *out);

/*
 * Member-local checks (listener addresses and the other keys
 * snapshot_key_member_local() names): fn runs once per place such keys
 * live. On a server that is not clustered: once, member NULL, object
 * "/1.0". On a cluster: once per member whose own config was read
 * (member "b", object "/1.0?target=b"); a member whose config could not
 * be read (offline, in Error state) gets an ST_ERROR finding on its
 * object instead, and a cluster whose members could not be listed one
 * ST_ERROR finding on "/1.0". Read values with snapshot_member_config().
 * The caller has checked the server part.
 */
typedef void checks_member_fn(const struct check *c, const struct check_ctx *x,
			      const char *member, const char *object,
			      struct findings *out);
void checks_per_member(const struct check *c, const struct check_ctx *x,
		       struct findings *out, checks_member_fn *fn);

/*
 * " --target M" (M shell-quoted) for the client command that changes a
 * member-local key on member, "" for NULL. Caller frees.
 */
char *checks_target_arg(const char *member);

/*
 * The finding source of a server config value, from the *from that
 * snapshot_config() set: "default" for a default, else "/1.0".
 */
const char *checks_source_of(const char *from);

/*
 * How a permission of an LXD auth group ({entity_type, url, entitlement})
 * amounts to full control of the server, and so of the host: a sentence
 * fragment such as "can give any group, its own included, any
 * permission", or NULL when it does not. The table and its sources are in
 * common.c.
 */
const char *checks_escalation(const json_t *permission);

/*
 * True when an auth group holds server admin or a server-wide permission
 * that reaches it (see checks_escalation); can_edit on a single project or
 * storage pool escalates too, but is not counted here.
 */
bool checks_grants_server_admin(const json_t *group);

/*
 * A lexically clean absolute path: "//", "." and ".." components are
 * folded (".." never climbs above "/") and no trailing slash is kept;
 * the result is at least "/". Only the text is read, never the file
 * system. Caller frees.
 */
char *checks_clean_path(const char *p);

/*
 * True when path is dir or lies below it; both clean (see
 * checks_clean_path). Every path lies below "/".
 */
bool checks_path_within(const char *path, const char *dir);

/*
 * Adds the ST_NOTAPPLICABLE finding (at the check's severity) for a server
 * without API extension ext, ending ", so WHAT.". lxd_since names the LXD
 * releases that have it ("5.21 and later") and is told to LXD servers only,
 * so that an Incus report never cites an LXD release. For an extension only
 * LXD has, the caller words the Incus case itself.
 */
void checks_no_ext(const struct check *c, const struct check_ctx *x,
		   struct findings *out, const char *object, const char *ext,
		   const char *lxd_since, const char *what);

/*
 * s as one shell word: unchanged when it holds only characters the shell
 * leaves alone, else single-quoted ('\'' for a quote). "" gives ''.
 * Caller frees.
 */
char *checks_shq(const char *s);

#endif
