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
 * The shell line that points this product's client (lxc or incus) at the
 * server ep reaches, when a command pasted as printed would act on
 * another server; NULL when the client reaches it by default:
 *   - a socket: "export LXD_SOCKET=PATH" (INCUS_SOCKET for Incus) unless
 *     it is the client's own (its _SOCKET or _DIR variable, else a system
 *     socket of that product);
 *   - a remote (remote non-NULL): "lxc remote switch NAME";
 *   - a URL without a remote: NULL (the client knows no such server).
 * Caller frees.
 */
char *target_client_setup(const struct lxd_endpoint *ep, const char *remote,
			  const char *product);

/* A remote of the client configuration that speaks the LXD API. */
struct target_remote {
	char *name;
	char *socket;	/* a unix remote: its socket path ("" for the
			   default one); NULL for an HTTPS remote */
};

/*
 * The remotes in the client configuration target_resolve reads (*file,
 * caller frees) that speak the LXD API (protocol lxd, incus, or none
 * given), in file order. 0, or -1 with d when the file is missing or
 * malformed. Free with target_remote_list_free.
 */
int target_remote_list(struct target_remote **v, size_t *n, char **file,
		       struct diag *d);
void target_remote_list_free(struct target_remote *v, size_t n);

/*
 * Whether path is one of the sockets the system's LXD or Incus listens on
 * (the snap's, the packages'); false for a private daemon's LXD_DIR.
 */
bool target_socket_is_system(const char *path);

/*
 * Warns on stderr (one line, not an error) when the client key at path
 * can be read by its group or by everyone.
 */
void target_warn_key(const char *path);

#endif
