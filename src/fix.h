/* fix.h - the remediation plan: what `fix` would change, and how */
#ifndef LXD_HARDEN_FIX_H
#define LXD_HARDEN_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine.h"
#include "host.h"
#include "snapshot.h"

/*
 * Fixers are kept apart from the checks: a table keyed by check id turns
 * a failing finding into plan items. Planning is pure (it reads the
 * report and the snapshot, and changes nothing); fix_apply.c carries the
 * items out.
 */
enum fix_kind {
	FIXK_SERVER_KEY,	/* a key of the server config (/1.0) */
	FIXK_CONFIG_KEY,	/* a config key of an instance, profile,
				   project or network */
	FIXK_DEVICE_KEY,	/* a key of one device of an instance or
				   profile */
	FIXK_DELETE,		/* delete the object (network, storage
				   pool, certificate, pending token);
				   old_value: what it is, for the plan;
				   old_json: the fields that must not have
				   changed since the audit */
	FIXK_HOST_FILE,		/* write a file on the host */
	FIXK_HOST_MODE,		/* chmod (and with chown, chown) a file
				   on the host */
	FIXK_CREATE,		/* create the object (POST to its
				   collection); new_value: its JSON */
	FIXK_DEVICE_SET,	/* set a whole device of a profile;
				   old_value/new_value: its JSON */
	FIXK_PROFILES,		/* an instance's profile list;
				   old_value/new_value: JSON arrays */
	FIXK_SNAP_SET,		/* a snap setting (snap set lxd KEY=V),
				   run through host_ops */
};

enum fix_risk {
	FIX_SAFE,		/* changes no running workload, undone exactly */
	FIX_OPTIN,		/* applied only when named with --only */
	FIX_NEEDS_VALUE,	/* applied only with --set KEY=VALUE */
};

struct fix_item {
	char *check;		/* "LXD-ACC-010" */
	char *object;		/* "/1.0", "/1.0/profiles/p?project=default",
				   "file:///etc/x" (the path below the
				   host root) */
	enum fix_kind kind;
	char *device;		/* FIXK_DEVICE_KEY */
	char *key;		/* the key (config and device kinds) */
	bool old_present;	/* the key (or file) exists now */
	char *old_value;	/* as the audit saw it; NULL when absent */
	char *new_value;	/* NULL: remove the key; FIXK_HOST_FILE: the
				   new content */
	unsigned old_mode, new_mode;	/* FIXK_HOST_MODE; FIXK_HOST_FILE:
					   new_mode is the mode a new file
					   gets (0: 0644) */
	bool chown;			/* FIXK_HOST_MODE: the owner changes
					   too */
	bool whole_file;		/* FIXK_HOST_FILE: new_value is the
					   whole file, whatever was there
					   (its command writes, not appends) */
	long old_uid, old_gid, new_uid, new_gid;
	char *old_json;			/* FIXK_DELETE: a JSON object of
					   fields the object must still hold
					   (compared before deleting); NULL:
					   only "not in use" */
	enum fix_risk risk;
	bool reversible;	/* rollback can restore it exactly */
	char *effect;		/* what it does to running workloads and why
				   it is opt-in or not reversible; or NULL */
	char *command;		/* the equivalent lxc (or shell) command:
				   complete and shell-quoted; NULL while
				   it needs a value (FIX_NEEDS_VALUE) */
	char *then;		/* a second command a person runs after
				   command (a reload, a chown, a restart);
				   or NULL */
	bool selected;		/* will be applied */
	/* set by fix_apply() */
	enum fix_state {
		FIXS_PENDING,
		FIXS_APPLIED,
		FIXS_FAILED,	/* the request failed */
		FIXS_CONFLICT,	/* changed since the audit: not applied */
		FIXS_UNKNOWN,	/* sent, but no answer says whether it
				   was carried out */
	} state;
	char *error;		/* why it failed, or NULL */
};

struct fix_plan {
	struct fix_item *v;
	size_t n, alloc;
	char **notes;		/* failing checks with no automatic fix */
	size_t n_notes, notes_alloc;
	/*
	 * While the plan is built, the items planned and the notes, by
	 * identity (jansson objects as hash tables), so that finding one
	 * already there stays a lookup however many instances fail.
	 */
	json_t *planned;
	size_t n_planned;	/* items of v in planned */
	json_t *noted;
};

struct fix_opts {
	/* --set KEY=VALUE, as given */
	const char **set;
	size_t n_set;
	/* --only CHECK[:NAME[/DEVICE]] */
	const char **only;
	size_t n_only;
	const struct policy *policy;	/* may be NULL */
	const char *host_root;		/* NULL: no host fixes */
	const struct host *host;	/* what the audit read; may be NULL */
	/*
	 * The daemon is a private one (its socket is not a system socket)
	 * and --host was not given: fixes that change this machine's files
	 * or settings are not planned; the plan says so instead.
	 */
	bool host_withheld;
};

/* Builds the plan for every failing, unwaived finding of r. */
void fix_plan_build(const struct report *r, const struct snapshot *s,
		    const struct fix_opts *o, struct fix_plan *p);
/*
 * The one source of the audit's advice for the checks `fix` knows: for
 * every failing, unwaived finding of r, plans it alone and, when the plan
 * has items, makes their commands the finding's remedy commands (a value
 * the plan needs becomes a need) and sets the remedy's flags. So the
 * report says what `fix` would do, and never something else.
 */
void fix_remedy_attach(struct report *r, const struct snapshot *s,
		       const struct fix_opts *o);
/*
 * Marks what --apply changes: every safe, reversible item; opt-in items
 * named by --only; needs-value items given by --set. With --only, only
 * the named items are selected.
 */
void fix_plan_select(struct fix_plan *p, const struct fix_opts *o);
/* Whether an --only argument names the item. */
bool fix_only_matches(const char *only, const struct fix_item *it);
/* The value --set gives key, or NULL. */
const char *fix_set_value(const struct fix_opts *o, const char *key);
void fix_plan_print(FILE *f, const struct fix_plan *p, bool apply);
void fix_plan_release(struct fix_plan *p);

const char *fix_risk_name(enum fix_risk r);
const char *fix_kind_name(enum fix_kind k);

/* Adds an item (for profile create and tests); returns it. */
struct fix_item *fix_plan_add(struct fix_plan *p, const char *check,
			      const char *object, enum fix_kind kind);

/* Prints every item in plan order (profile create), then the notes. */
void fix_plan_print_items(FILE *f, const struct fix_plan *p);
/* A note in the plan (shown under "Not fixed automatically"). */
void fix_plan_note(struct fix_plan *p, const char *fmt, ...)
	LXDH_PRINTF(2, 3);

/* ---- fix_profile.c: lxd-harden profile create ---- */
struct profile_opts {
	const char *name;		/* the profile */
	const char *project;		/* "default" when NULL */
	const char *cpu;		/* limits.cpu ("2") */
	const char *memory;		/* limits.memory ("2GiB") */
	const char *processes;		/* limits.processes ("500") */
	bool no_idmap_isolated;		/* leave security.idmap.isolated */
	bool update;			/* the profile may exist: change it */
	bool attach_all;		/* --attach all */
	const char *const *attach;	/* --attach INSTANCE... */
	size_t n_attach;
};

/* The hardened profile's config of the guide, for o (caller decrefs). */
json_t *profile_hardened_config(const struct profile_opts *o);
/*
 * Plans creating (or with update, changing) the profile and attaching it.
 * Every item is selected. Returns 0, or -1 with d (the profile exists
 * without update, an instance is unknown, a part of the snapshot is
 * missing).
 */
int profile_plan_build(const struct snapshot *s, const struct profile_opts *o,
		       struct fix_plan *p, struct diag *d);

/* ---- fix_apply.c ---- */
struct lxd_client;

struct fix_apply_opts {
	const char *journal_dir;	/* JOURNAL_DEFAULT_DIR when NULL */
	const char *endpoint;		/* the endpoint label, for the journal */
	const char *command;		/* what runs, for the lock: "fix
					   --apply" */
	const char *host_root;		/* "/" or --host-root */
	long pause_after;		/* test hook: SIGKILL after N changes;
					   0: never */
	bool stop_before;		/* test hook: SIGSTOP once the lock
					   is held, before any GET */
	long stop_before_write;		/* test hook: SIGSTOP before the Nth
					   write request; 0: never */
	const struct host_ops *ops;	/* runs snap (FIXK_SNAP_SET); NULL:
					   such items fail */
};

/*
 * Applies the selected items. Learns the server's identity (its
 * certificate fingerprint) and takes its lock in the journal directory
 * (another apply or rollback holding it: -1, nothing changed). For every
 * object: GET it, compare the values the items change with what the
 * audit saw (a difference is a concurrent change: its items get
 * FIXS_CONFLICT), journal the before and after values of the keys the
 * items change, then PATCH (server) or PUT (other objects) with If-Match.
 * Sets each item's state. A request sent without an answer is
 * FIXS_UNKNOWN and journaled so; nothing more is sent after it. Returns
 * 0 when the journal could be written (whatever the items did), else -1.
 * *journal_path (caller frees) is NULL when nothing was to do. c may be
 * NULL when every item is a host one (the lock is then "host").
 */
int fix_apply(struct lxd_client *c, const struct snapshot *s,
	      struct fix_plan *p, const struct fix_apply_opts *o,
	      char **journal_path, struct diag *d);

/*
 * The server's identity: the fingerprint of its certificate, as GET /1.0
 * reports it (environment.certificate_fingerprint). Caller frees; NULL
 * with d.
 */
char *fix_server_identity(struct lxd_client *c, struct diag *d);

struct fix_rollback_opts {
	const struct host_ops *ops;	/* runs snap; NULL: such changes fail */
	bool force;			/* --force: restore conflicts too */
};

/*
 * Undoes what a journal records, newest first, and records it. A key is
 * put back only while it holds the value the fix wrote (or the change's
 * outcome is unknown and it does); a key that holds anything else is a
 * conflict, reported and left alone unless o->force. Prints one line per
 * object on out. Returns 0 when everything was restored (or already
 * was), 1 when the journal was already rolled back, 2 when conflicts
 * were left alone, -1 when something could not be restored (d says the
 * first). The caller holds the server's lock.
 */
int fix_rollback(struct lxd_client *c, const char *journal_path,
		 const struct fix_rollback_opts *o, FILE *out,
		 struct diag *d);

/*
 * Whether a managed network has addresses of family ("ipv4", "ipv6"):
 * its FAMILY.address is set and not "none". Shared by the NIC fixes of
 * fix and profile create.
 */
bool fix_net_has_family(const json_t *net, const char *family);

#endif
