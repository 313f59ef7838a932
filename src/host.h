/* host.h - the machine the LXD daemon runs on, read once before the checks */
#ifndef LXD_HARDEN_HOST_H
#define LXD_HARDEN_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "snapshot.h"
#include "util.h"

/*
 * The host checks (ACC-001/002/007/008, LOG-*, MUL-001/004, HOS-*) read
 * the host through struct host, filled by host_read() before evaluation
 * the way the API is read into struct snapshot: evaluators stay pure
 * functions of what was read. Every host file is read under a root
 * directory ("/" or --host-root DIR), so tests build fake hosts as
 * directory trees. The few things a tree cannot fake (running nft,
 * auditctl or snap, and asking a unix socket who listens on it) go
 * through struct host_ops, which tests replace.
 *
 * Paths kept in struct host are host paths ("/etc/group"), never
 * prefixed with the root. Every string is owned by the host; each item
 * that could not be read carries an error text (NULL when it was read or
 * is simply absent), so that checks report error and never pass on
 * missing data.
 */

enum host_install {
	HOST_INSTALL_UNKNOWN,
	HOST_INSTALL_SNAP,	/* the LXD snap */
	HOST_INSTALL_PACKAGE,	/* a distribution package (Debian's lxd) */
	HOST_INSTALL_INCUS,
};

/* "snap", "package", "incus", or NULL for unknown. */
const char *host_install_name(enum host_install k);

/* What a command printed and how it ended. */
struct host_run {
	int status;	/* exit status (0-255) */
	char *out;	/* standard output, NUL-terminated; owned */
	char *err;	/* the start of standard error; owned */
};

void host_run_release(struct host_run *r);

/*
 * The one interface to what files cannot fake.
 *
 * run: runs argv[0] (an absolute host path) with exactly argv, no shell
 * and a fixed environment. Returns 0 when the command ran and exited, with
 * any status (r filled); -1 with d when it could not start, was killed or
 * ran too long. r is always initialised.
 *
 * socket_pid: the PID of the process that created the unix socket at
 * path (SO_PEERCRED). -1 with d when unknown.
 */
struct host_ops {
	int (*run)(const struct host_ops *ops, const char *const argv[],
		   struct host_run *r, struct diag *d);
	int (*socket_pid)(const struct host_ops *ops, const char *path,
			  long *pid, struct diag *d);
	const void *data;	/* for the implementation */
};

/* The real thing: posix_spawn and SO_PEERCRED. */
extern const struct host_ops host_ops_system;

struct host_opts {
	/* Where host files are read: NULL or "/" for this machine. */
	const char *root;
	/*
	 * NULL: host_ops_system when root is "/"; with another root no
	 * command is run (their output would describe this machine, not
	 * the tree), and what needs one is reported as unknown.
	 */
	const struct host_ops *ops;
	/* The unix socket that answered; NULL with --input. */
	const char *socket_path;
};

/* A file's owner and permission bits. */
struct host_stat {
	bool exists;
	unsigned mode;		/* permission bits, 07777 */
	long uid;
	long gid;
	char *error;		/* stat failed other than "does not exist" */
};

struct host_group {
	char *name;
	long gid;
	struct strlist members;	/* the fourth field of the group file */
};

struct host_user {
	char *name;
	long uid;
	long gid;		/* primary group */
};

/* One source of firewall rules and what it says about inbound traffic. */
struct host_fw {
	char *name;		/* "nft -j list ruleset" */
	bool ran;		/* it ran and its output was understood */
	char *error;		/* why not */
	bool v4_drop;		/* unexpected IPv4 inbound is dropped */
	bool v6_drop;
	char *v4_where;		/* "inet filter input (policy drop)" */
	char *v6_where;
};

#define HOST_FW_MAX 3

/* What `pro status --format json` says (ubuntu-pro-client). */
struct host_pro {
	bool attached;
	char *version;		/* of the client, NULL when absent */
	/*
	 * The "status" of the services ("enabled", "disabled", "n/a",
	 * "warning"); NULL when not listed or, unattached, not given.
	 */
	char *esm_infra;
	char *esm_apps;
};

struct host {
	char *root;			/* "/" or the --host-root directory */
	enum host_install install;
	char *install_why;		/* how it was recognised */
	char *product;			/* "LXD" or "Incus", for messages */
	char *lxd_dir;			/* LXD_DIR (or INCUS_DIR) */
	char *commands_why;		/* why no command is run, or NULL */

	/* The admin socket. */
	char *socket_path;		/* NULL when unknown */
	struct host_stat socket;

	/* The daemon process. */
	long pid;			/* 0: not found */
	char *pid_from;			/* "environment.server_pid", ... */
	char **argv;			/* its command line */
	size_t argc;
	char *daemon_error;		/* why the process is unknown */
	bool flag_syslog;
	bool flag_verbose;
	bool flag_debug;
	char *flag_group;		/* --group, NULL when absent */

	/* The snap's settings ($SNAP_COMMON/config), snap installs only. */
	char *snap_config_path;
	bool snap_config_present;
	char *snap_config_error;
	char *snap_group;		/* daemon_group (default "lxd") */
	char *snap_user_group;		/* daemon_user_group (default "lxd") */
	int snap_syslog;		/* 1, 0, or -1 when not set */
	int snap_verbose;
	int snap_debug;

	/*
	 * The admin group: the daemon's --group; without a readable
	 * process the snap's daemon.group, Incus' incus-admin, or the
	 * socket's group. NULL when the daemon runs without --group (only
	 * root can use it).
	 */
	char *admin_group;
	char *admin_group_from;
	char *admin_group_pending;	/* daemon.group not yet in effect */

	/* The group and passwd databases (files only, no NSS). */
	struct host_group *groups;
	size_t n_groups;
	struct host_user *users;
	size_t n_users;
	char *accounts_error;

	/* The restricted (lxd-user) daemon. */
	long user_pid;			/* 0: none running */
	char *user_socket_path;		/* NULL when unknown */
	struct host_stat user_socket;

	/* PKI: the CA and the CRL in LXD_DIR. */
	char *ca_path;
	bool ca_present;
	char *ca_error;			/* unreadable or not a certificate */
	char *ca_pem;
	char *ca_subject;
	char *crl_path;
	bool crl_present;
	char *crl_error;		/* unreadable (error, not a finding) */
	char *crl_invalid;		/* read but not a PEM X509 CRL */
	bool crl_signed;		/* verified with the CA's key */
	char *crl_sign_error;		/* why not */
	bool crl_has_next;
	long long crl_next_update;
	long long crl_last_update;
	size_t crl_revoked;

	/* auditd. */
	char *auditd_path;		/* NULL: not installed */
	struct strlist lxd_binaries;	/* the LXD binaries of this install */
	struct strlist audit_files;	/* rules files read */
	struct strlist audit_file_exec;	/* paths with an execution rule */
	char *audit_files_error;
	char *auditctl_path;		/* NULL: not installed */
	bool audit_loaded_known;
	struct strlist audit_loaded_exec;
	char *audit_loaded_error;

	/* Name leakage. */
	struct host_stat sched_debug;
	struct host_stat slab;

	/* Updates. */
	bool apt_present;		/* /etc/apt: a Debian-like host */
	char *apt_error;
	char *apt_unattended;		/* APT::Periodic::Unattended-Upgrade */
	char *apt_unattended_from;
	char *apt_update_lists;		/* ...::Update-Package-Lists */
	char *apt_update_lists_from;
	bool uu_installed;		/* unattended-upgrades */
	int snap_held;			/* 1 held, 0 not, -1 unknown */
	char *snap_held_why;		/* what says so */
	char *snap_refresh_error;

	/* Firewall. */
	struct host_fw fw[HOST_FW_MAX];
	size_t n_fw;
	bool ipv6_off;			/* net.ipv6.conf.all.disable_ipv6=1 */

	/* Ubuntu Security Guide. */
	bool usg_installed;
	bool oscap_installed;

	/* The distribution: os-release(5). */
	char *os_release_path;		/* the file read; NULL: none exists */
	char *os_release_error;		/* unreadable */
	char *os_id;			/* ID=, "linux" when unset */
	char *os_name;			/* PRETTY_NAME=, or NAME=, or ID= */

	/* Ubuntu Pro, read on Ubuntu hosts only. */
	char *pro_path;			/* NULL: the client is not installed */
	bool pro_read;			/* pro status was run and understood */
	char *pro_error;		/* why not (not run, failed, bad JSON) */
	struct host_pro pro;
};

void host_init(struct host *h);
void host_release(struct host *h);

/*
 * Reads everything the host checks need. s gives the product,
 * environment.server_pid and the cluster state, and may be NULL. Returns
 * -1 only when the root itself is unusable; what cannot be read is
 * recorded in the item's error and left for the checks to report.
 */
int host_read(struct host *h, const struct host_opts *o,
	      const struct snapshot *s, struct diag *d);

/* Lookups in what was read; NULL when absent. */
const struct host_group *host_group_by_name(const struct host *h,
					    const char *name);
const struct host_group *host_group_by_gid(const struct host *h, long gid);
const struct host_user *host_user_by_uid(const struct host *h, long uid);

/*
 * The users with the group's rights: its listed members plus the users
 * whose primary group it is, sorted, without duplicates. Caller releases
 * with strlist_release().
 */
void host_group_users(const struct host *h, const struct host_group *g,
		      struct strlist *out);

/* Verifies a PEM certificate against the CA: 0 signed, -1 with d. */
int host_ca_signed(const struct host *h, const char *pem, struct diag *d);

/*
 * Parsers, exposed for tests. Each adds to out and returns 0, or -1 with
 * d when the input is not what it should be.
 *
 * host_parse_audit_rules: the paths that rules in auditctl syntax (a
 * rules file, or auditctl -l output) watch for execution.
 * host_parse_nft: whether an `nft -j list ruleset` dump drops
 * unexpected inbound IPv4 and IPv6 traffic.
 * host_parse_iptables: the same for `iptables -S INPUT` output; v6 says
 * which family the output is of.
 */
void host_parse_audit_rules(const char *text, struct strlist *exec_paths);
int host_parse_nft(const char *json, struct host_fw *fw, struct diag *d);
int host_parse_iptables(const char *text, bool v6, struct host_fw *fw,
			struct diag *d);

/*
 * One APT configuration text applied on top of what is in values (an
 * array of n "Key::Path" names and their current values). Returns -1 with
 * d on a syntax error.
 */
int host_parse_apt(const char *text, const char *const *names,
		   char **values, size_t n, struct diag *d);

/*
 * `pro status --format json`: fills p (release with host_pro_release).
 * -1 with d when it is not JSON of that shape: an object with a boolean
 * "attached" and a "services" list of objects with a string "name", whose
 * esm-infra and esm-apps carry a string "status" when attached.
 */
int host_parse_pro_status(const char *json, struct host_pro *p,
			  struct diag *d);
void host_pro_release(struct host_pro *p);

/*
 * An os-release(5) text: ID (lower case, "linux" when unset) and a name
 * for messages (PRETTY_NAME, else NAME, else the ID). Caller frees both.
 */
void host_parse_os_release(const char *text, char **id, char **name);

#endif
