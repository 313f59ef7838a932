/* target.h - which server to audit: socket discovery and client remotes */
#ifndef LXD_HARDEN_TARGET_H
#define LXD_HARDEN_TARGET_H

#include <stdbool.h>

#include "lxd.h"
#include "util.h"

/* What the command line said; NULL means not given. */
struct target_opts {
	const char *socket;		/* --socket PATH */
	const char *remote;		/* --remote NAME */
	const char *url;		/* --url https://HOST:PORT */
	const char *cert;		/* --cert FILE */
	const char *key;		/* --key FILE */
	const char *server_cert;	/* --server-cert FILE */
};

/*
 * The getopt_long values of the options that name the server, shared by
 * every command that talks to one (audit, fix, profile).
 */
enum target_opt {
	TARGET_OPT_SOCKET = 256,
	TARGET_OPT_REMOTE,
	TARGET_OPT_URL,
	TARGET_OPT_CERT,
	TARGET_OPT_KEY,
	TARGET_OPT_SERVER_CERT,
	TARGET_OPT__NEXT,	/* a command's own options start here */
};

/* Stores arg in o when c is one of the target options; false otherwise. */
bool target_opt_set(struct target_opts *o, int c, const char *arg);

/*
 * Fills ep from opts and the environment, the way lxc and incus do:
 * a remote or URL when given; else the unix socket from --socket,
 * $LXD_SOCKET, $LXD_DIR/unix.socket, $INCUS_SOCKET, $INCUS_DIR/unix.socket,
 * the snap's, /var/lib/lxd/unix.socket, then Incus' sockets (first that
 * exists). Remotes come from $LXD_CONF/config.yml, else
 * $INCUS_CONF/config.yml, else ~/.config/lxc/config.yml, else
 * ~/snap/lxd/common/config/config.yml, else ~/.config/incus/config.yml, with
 * client.crt/client.key beside it and servercerts/NAME.crt as the pinned
 * server certificate. Remotes of protocol lxd and incus are accepted.
 */
int target_resolve(const struct target_opts *opts, struct lxd_endpoint *ep,
		   struct diag *d);

/*
 * Warns on stderr (one line, not an error) when the client key at path
 * can be read by its group or by everyone.
 */
void target_warn_key(const char *path);

#endif
