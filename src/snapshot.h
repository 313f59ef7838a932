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
	/*
	 * Per member (cluster only): GET /1.0?target=MEMBER, cut down to
	 * what is the member's own: {"member", "config" (only the
	 * member-local keys, see snapshot_key_member_local), "addresses"
	 * (environment.addresses)}, or {"member", "error"} when that
	 * request failed. In the order of the member list.
	 */
	SNAP_MEMBER_SERVERS,
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
	/*
	 * The line that points the client at this server before its
	 * commands are pasted (target_client_setup), or NULL. Set by the
	 * audit, kept like endpoint.
	 */
	char *client_setup;
	bool remote;		/* reached over HTTPS */
	char *product;		/* "lxd" or "incus" */
	char *server_version;	/* "5.0.2" */
	char *server_name;
	bool clustered;
	long long now;		/* time of the audit (SOURCE_DATE_EPOCH aware) */
	size_t requests;	/* HTTP requests the fetch made */
	/*
	 * Lookup indexes by project and name, built on first use by
	 * snapshot_find() (see there); not part of the state.
	 */
	json_t *index[SNAP__COUNT];
	const json_t *indexed[SNAP__COUNT];	/* the part indexed */
	size_t indexed_n[SNAP__COUNT];		/* and its size then */
	/* by another field, for snapshot_find_by(): field -> value -> i */
	json_t *field_index[SNAP__COUNT];
	/*
	 * When set (by the engine, around one check), each part read through
	 * snapshot_part(), snapshot_find() or snapshot_in_project() adds
	 * SNAP_BIT(kind) to *reads: which parts a verdict depends on, for
	 * watch to re-run only the checks an event can change.
	 */
	unsigned long long *reads;
	/*
	 * One value derived from the parts and shared by the checks that
	 * read it (the workload checks' instance set), built by its user on
	 * first use: a cache beside the state, like the indexes. Freed with
	 * free_derived by snapshot_forget_derived(), which what can change
	 * a part once checks have run calls (snapshot_put_item, a part
	 * turned into an error, _drop_parts, _release). Its user still
	 * checks that the parts it was built from are the ones there now,
	 * with the sizes they had.
	 */
	void *derived;
	void (*free_derived)(void *);
};

#define SNAP_BIT(k) (1ULL << (unsigned)(k))
_Static_assert(SNAP__COUNT <= 64, "a part is one bit of a read mask");

/*
 * The parts (SNAP_BIT) in which b differs from a: content (a part shared
 * by both is equal at once), presence or the reason it is absent.
 */
unsigned long long snapshot_changed(const struct snapshot *a,
				    const struct snapshot *b);

void snapshot_init(struct snapshot *s);

/* Frees s->derived (see there); a part is about to change or go. */
void snapshot_forget_derived(const struct snapshot *s);
void snapshot_release(struct snapshot *s);

/*
 * Frees the fetched objects (every part and index; a part asked for
 * afterwards is absent, its why saying so) and keeps the strings a report
 * borrows (endpoint, product, version, server name): for a caller done
 * with the checks, so that the objects and the report's output are never
 * held at once. snapshot_release() is still needed.
 */
void snapshot_drop_parts(struct snapshot *s);

/*
 * Fetches everything the checks need with one request per kind of object
 * (profiles, networks and ACLs: one per project that has its own), run
 * concurrently. Returns -1 only when the server as a whole cannot be
 * audited (GET /1.0 failed, untrusted, not LXD, or a field of /1.0 other
 * than config of the wrong type); a part that fails alone, or whose
 * answer does not have the shape the checks read, is recorded in why[]
 * and the checks that need it report error. When the projects cannot be
 * listed, the per-project parts are absent too.
 */
int snapshot_fetch(struct snapshot *s, struct lxd_client *c,
		   const char *endpoint, bool remote, struct diag *d);

/*
 * snapshot_fetch() in two steps, for a caller that works while the
 * requests are in flight: _root asks GET /1.0 and the project list at
 * once (a failure of /1.0 is snapshot_fetch's -1, one of the list is the
 * projects part's error); _rest then asks everything else, the other
 * projects' share included, in one round and cannot fail as a whole.
 */
int snapshot_fetch_root(struct snapshot *s, struct lxd_client *c,
			const char *endpoint, bool remote, struct diag *d);
void snapshot_fetch_rest(struct snapshot *s, struct lxd_client *c);

/*
 * snapshot_fetch_rest() for part of the state (watch, after an event):
 * after snapshot_fetch_root(s), asks only for the kinds want[] names
 * (the pool kinds go together) and takes the others from old, shared
 * (reference-counted: old may be released first). The project list is
 * always the fresh one of snapshot_fetch_root(), and the per-project
 * kinds that are wanted are asked for each project in it.
 */
void snapshot_fetch_some(struct snapshot *s, struct lxd_client *c,
			 const struct snapshot *old,
			 const bool want[SNAP__COUNT]);

/*
 * Replaces the item of part k named name in project (NULL: "default")
 * with item (borrowed; copied, scrubbed, "project" added), appends it
 * when there was none, or removes it when item is NULL: for watch, after
 * an event about one object (k: SNAP_INSTANCES). The part may be shared
 * with another snapshot (snapshot_fetch_some); it is copied, not
 * changed. An item of the wrong shape makes the part an error naming
 * source. Returns -1 (nothing changed) when the part is absent.
 */
int snapshot_put_item(struct snapshot *s, enum snap_kind k,
		      const char *project, const char *name,
		      const json_t *item, const char *source);

/*
 * Fills dst (uninitialised) with a copy of what GET /1.0 gave src (the
 * server part, product, version, cluster state, time), sharing nothing:
 * for the host reader, which runs in a thread of its own while the
 * rest of src is being fetched. Release with snapshot_release().
 */
void snapshot_copy_root(struct snapshot *dst, const struct snapshot *src);

/*
 * Loads a snapshot from a directory of JSON files named after the kinds
 * (server.json, projects.json, instances.json, profiles.json,
 * networks.json, network-acls.json, storage-pools.json,
 * certificates.json, operations.json, identities.json, auth-groups.json,
 * cluster-members.json, storage-pools-members.json,
 * member-servers.json),
 * each either a full API envelope or its metadata. A missing file leaves
 * the part absent ("not in the snapshot directory"). For unit tests and
 * for auditing an exported state (--input DIR).
 */
int snapshot_load_dir(struct snapshot *s, const char *dir, struct diag *d);

/*
 * Every file of a saved state is a regular file, opened without following
 * a link or blocking: a FIFO, a device, a directory, a link or an
 * unreadable file is an error (-1, d says which), while a missing one
 * leaves its part absent. A part whose items do not have the shape the
 * checks read (see shape.h) is absent, its why naming the file and the
 * JSON path.
 *
 * snapshot_load_docs() does the same from documents already parsed
 * (docs[k] is the content of KIND.json, NULL when missing; borrowed);
 * label stands for the directory in messages.
 */
int snapshot_load_docs(struct snapshot *s, json_t *const docs[SNAP__COUNT],
		       const char *label, struct diag *d);

/*
 * True when the items of part k may hold null for key, meaning an empty
 * list (Go leaves an empty slice out as null: used_by in 5.0.2, groups
 * in 5.21). For tests that tell a wrong type from an empty value.
 */
bool snapshot_null_is_empty(enum snap_kind k, const char *key);

/* Returns the part, or NULL with *why set (why may be NULL). */
const json_t *snapshot_part(const struct snapshot *s, enum snap_kind k,
			    const char **why);

bool snapshot_has_ext(const struct snapshot *s, const char *ext);

/*
 * The first item of part k named name in project (NULL or an item
 * without "project": "default"), or NULL: a hash lookup, so that
 * matching instances to profiles or networks stays linear in the number
 * of objects. The index is built on first use and rebuilt when the part
 * was replaced; the snapshot must not be used from two threads while
 * checks run. snapshot_in_project() says whether any item of part k
 * belongs to project.
 */
const json_t *snapshot_find(const struct snapshot *s, enum snap_kind k,
			    const char *project, const char *name);
bool snapshot_in_project(const struct snapshot *s, enum snap_kind k,
			 const char *project);

/*
 * The first item of part k whose string member field is value (a
 * certificate by "fingerprint", an operation by "id"), or NULL: a hash
 * lookup like snapshot_find(), its index built on first use per field.
 */
const json_t *snapshot_find_by(const struct snapshot *s, enum snap_kind k,
			       const char *field, const char *value);

/*
 * The server config value of key as a string: the stored value, else the
 * default for this product and version (see snapshot.c), else NULL.
 * *from is set to "server" or "default". A hidden key that LXD shows as
 * true reads as "(hidden)"; any other non-string value makes the server
 * part unreadable when the snapshot is built, and then this returns NULL:
 * callers go through checks_need_part(SNAP_SERVER) first.
 */
const char *snapshot_config(const struct snapshot *s, const char *key,
			    const char **from);

/*
 * Whether a server key is member-local in a cluster (each member holds
 * its own value; GET /1.0 shows the answering member's, GET
 * /1.0?target=M member M's). The one table of them, after the node
 * config schema of LXD 5.0.2 (lxd/node/config.go) and Incus 6.0
 * (internal/server/node/config.go).
 */
bool snapshot_key_member_local(const char *key);

/*
 * The config value of key on one cluster member: for a member-local key
 * the member's own value (from SNAP_MEMBER_SERVERS; NULL and *from NULL
 * when the member's config was not read), for any other key, or with
 * member NULL, snapshot_config(). *from as there.
 */
const char *snapshot_member_config(const struct snapshot *s,
				   const char *member, const char *key,
				   const char **from);

/*
 * The SNAP_MEMBER_SERVERS item of member, or NULL (not clustered, not
 * read, no such member).
 */
const json_t *snapshot_member(const struct snapshot *s, const char *member);

/*
 * The object URL of the server config of member: "/1.0" for NULL,
 * "/1.0?target=M" (M percent-encoded). Caller frees. snapshot_object_member
 * is the reverse: the member named by such a URL (caller frees), or NULL
 * for plain "/1.0" or another object.
 */
char *snapshot_server_object(const char *member);
char *snapshot_object_member(const char *object);

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
