/* snapshot.h - one immutable copy of the server state that checks read */
#ifndef LXD_HARDEN_SNAPSHOT_H
#define LXD_HARDEN_SNAPSHOT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lxd.h"
#include "util.h"

/*
 * Ownership: the snapshot owns every json_t it holds. Accessors return
 * borrowed pointers, valid until snapshot_release(). Checks never modify
 * the snapshot.
 *
 * Secrets are removed when the snapshot is built: token secrets in
 * operations, and the values of secret config keys (core.trust_password,
 * oidc.client.secret, loki.auth.password, any key holding "password" or
 * "secret") are replaced by the string "(hidden)". Nothing downstream can
 * print them.
 */
enum snap_kind {
	SNAP_SERVER,		/* GET /1.0 (an object) */
	SNAP_PROJECTS,		/* /1.0/projects?recursion=1 */
	SNAP_INSTANCES,		/* /1.0/instances?recursion=1&all-projects */
	SNAP_PROFILES,		/* per project with features.profiles */
	SNAP_NETWORKS,		/* per project with features.networks */
	SNAP_NETWORK_ACLS,	/* per project with features.networks */
	SNAP_STORAGE_POOLS,	/* /1.0/storage-pools?recursion=1 */
	SNAP_CERTIFICATES,	/* /1.0/certificates?recursion=1 */
	SNAP_OPERATIONS,	/* flattened list of every operation */
	SNAP_IDENTITIES,	/* /1.0/auth/identities?recursion=1 (5.21+) */
	SNAP_AUTH_GROUPS,	/* /1.0/auth/groups?recursion=1 (5.21+) */
	SNAP_CLUSTER_MEMBERS,	/* /1.0/cluster/members?recursion=1 (cluster) */
	/*
	 * Per pool and member (cluster only): GET
	 * /1.0/storage-pools/NAME?target=MEMBER, which alone shows the keys
	 * naming the backing device. Each item is the pool object with
	 * "member" added, or {"name", "member", "error"} when that request
	 * failed.
	 */
	SNAP_STORAGE_POOL_MEMBERS,
	SNAP__COUNT
};

const char *snapshot_kind_name(enum snap_kind k);

struct snapshot {
	/*
	 * Arrays for every kind but SNAP_SERVER. Items of project-scoped
	 * kinds carry "project" (added when the server omitted it).
	 */
	json_t *part[SNAP__COUNT];
	/* Why a part is absent (NULL when present): an HTTP error text, or
	   "needs API extension X". */
	char *why[SNAP__COUNT];
	bool unsupported[SNAP__COUNT];	/* absent because the server lacks it */

	char *endpoint;		/* the label of the endpoint */
	bool remote;		/* reached over HTTPS */
	char *product;		/* "lxd" or "incus" */
	char *server_version;	/* "5.0.2" */
	char *server_name;
	bool clustered;
	long long now;		/* time of the audit (SOURCE_DATE_EPOCH aware) */
	size_t requests;	/* HTTP requests the fetch made */
};

void snapshot_init(struct snapshot *s);
void snapshot_release(struct snapshot *s);

/*
 * Fetches everything the checks need with one request per kind of object
 * (profiles, networks and ACLs: one per project that has its own), run
 * concurrently. Returns -1 only when the server as a whole cannot be
 * audited (GET /1.0 failed, untrusted, not LXD); a part that fails alone
 * is recorded in why[] and the checks that need it report error.
 */
int snapshot_fetch(struct snapshot *s, struct lxd_client *c,
		   const char *endpoint, bool remote, struct diag *d);

/*
 * Loads a snapshot from a directory of JSON files named after the kinds
 * (server.json, projects.json, instances.json, profiles.json,
 * networks.json, network-acls.json, storage-pools.json,
 * certificates.json, operations.json, identities.json, auth-groups.json,
 * cluster-members.json, storage-pools-members.json),
 * each either a full API envelope or its metadata. A missing file leaves
 * the part absent ("not in the snapshot directory"). For unit tests and
 * for auditing an exported state (--input DIR).
 */
int snapshot_load_dir(struct snapshot *s, const char *dir, struct diag *d);

/* Returns the part, or NULL with *why set (why may be NULL). */
const json_t *snapshot_part(const struct snapshot *s, enum snap_kind k,
			    const char **why);

bool snapshot_has_ext(const struct snapshot *s, const char *ext);

/*
 * The server config value of key as a string: the stored value, else the
 * default for this product and version (see snapshot.c), else NULL.
 * *from is set to "server" or "default". Non-string stored values (LXD
 * returns hidden keys as true) read as "(hidden)".
 */
const char *snapshot_config(const struct snapshot *s, const char *key,
			    const char **from);

/* The lxc-compatible client for remediation text: "lxc" or "incus". */
const char *snapshot_client(const struct snapshot *s);

/*
 * Builds the object URL for a project-scoped entity:
 * "/1.0/KIND/NAME?project=P", NAME and P percent-encoded (escape_url) so
 * that a name with '#', '?', '/' or '&' names that one object in a
 * request. Caller frees.
 */
char *snapshot_object(const char *kind, const char *name, const char *project);

#endif
