/* host.c - reads the machine the LXD daemon runs on, under a root directory */
#include "host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lxdval.h"
#include "rootfs.h"
#include "x509.h"

#define SNAP_COMMON "/var/snap/lxd/common"
#define HOST_FILE_MAX (16u << 20)

const char *
host_install_name(enum host_install k)
{
	switch (k) {
	case HOST_INSTALL_SNAP:
		return "snap";
	case HOST_INSTALL_PACKAGE:
		return "package";
	case HOST_INSTALL_INCUS:
		return "incus";
	case HOST_INSTALL_UNKNOWN:
		break;
	}
	return NULL;
}

void
host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->snap_syslog = h->snap_verbose = h->snap_debug = -1;
	h->snap_held = -1;
}

static void
stat_release(struct host_stat *st)
{
	free(st->error);
	memset(st, 0, sizeof(*st));
}

void
host_release(struct host *h)
{
	if (!h)
		return;
	free(h->root);
	free(h->install_why);
	free(h->product);
	free(h->lxd_dir);
	free(h->commands_why);
	free(h->socket_path);
	stat_release(&h->socket);
	free(h->pid_from);
	for (size_t i = 0; i < h->argc; i++)
		free(h->argv[i]);
	free(h->argv);
	free(h->daemon_error);
	free(h->flag_group);
	free(h->snap_config_path);
	free(h->snap_config_error);
	free(h->snap_group);
	free(h->snap_user_group);
	free(h->admin_group);
	free(h->admin_group_from);
	free(h->admin_group_pending);
	for (size_t i = 0; i < h->n_groups; i++) {
		free(h->groups[i].name);
		strlist_release(&h->groups[i].members);
	}
	free(h->groups);
	for (size_t i = 0; i < h->n_users; i++)
		free(h->users[i].name);
	free(h->users);
	free(h->accounts_error);
	free(h->user_socket_path);
	stat_release(&h->user_socket);
	free(h->ca_path);
	free(h->ca_error);
	free(h->ca_pem);
	free(h->ca_subject);
	free(h->crl_path);
	free(h->crl_error);
	free(h->crl_invalid);
	free(h->crl_sign_error);
	free(h->auditd_path);
	strlist_release(&h->lxd_binaries);
	strlist_release(&h->audit_files);
	strlist_release(&h->audit_file_exec);
	free(h->audit_files_error);
	free(h->auditctl_path);
	strlist_release(&h->audit_loaded_exec);
	free(h->audit_loaded_error);
	stat_release(&h->sched_debug);
	stat_release(&h->slab);
	free(h->apt_error);
	free(h->apt_unattended);
	free(h->apt_unattended_from);
	free(h->apt_update_lists);
	free(h->apt_update_lists_from);
	free(h->snap_held_why);
	free(h->snap_refresh_error);
	for (size_t i = 0; i < h->n_fw; i++) {
		free(h->fw[i].name);
		free(h->fw[i].error);
		free(h->fw[i].v4_where);
		free(h->fw[i].v6_where);
	}
	free(h->os_release_path);
	free(h->os_release_error);
	free(h->os_id);
	free(h->os_name);
	free(h->pro_path);
	free(h->pro_error);
	host_pro_release(&h->pro);
	host_init(h);
}

/* ------------------------------------------------------------ helpers -- */

/*
 * Every host file is opened through rootfs: under --host-root, links and
 * ".." in the tree resolve inside the tree, never on this machine.
 */

/*
 * Reads host file p. Returns NULL with *missing set when it does not
 * exist, or NULL with *err (caller frees) when it cannot be read.
 */
static char *
slurp(const struct host *h, const char *p, size_t *len, bool *missing,
      char **err)
{
	FILE *f = rootfs_fopen(h->root, p);
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;

	*missing = false;
	*err = NULL;
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			*missing = true;
		else
			*err = xasprintf("cannot read %s: %s", p,
					 strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb.len + n > HOST_FILE_MAX) {
			*err = xasprintf("%s is larger than %u MiB", p,
					 HOST_FILE_MAX >> 20);
			fclose(f);
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_add(&sb, chunk, n);
	}
	if (ferror(f)) {
		*err = xasprintf("cannot read %s: %s", p, strerror(errno));
		fclose(f);
		strbuf_release(&sb);
		return NULL;
	}
	fclose(f);
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}

static bool
exists(const struct host *h, const char *p)
{
	struct stat st;

	return rootfs_stat(h->root, p, &st) == 0;
}

static bool
is_dir(const struct host *h, const char *p)
{
	struct stat st;

	return rootfs_stat(h->root, p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
stat_path(const struct host *h, const char *p, struct host_stat *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (rootfs_stat(h->root, p, &st) == 0) {
		out->exists = true;
		out->mode = (unsigned)(st.st_mode & 07777);
		out->uid = (long)st.st_uid;
		out->gid = (long)st.st_gid;
	} else if (errno != ENOENT && errno != ENOTDIR) {
		out->error = xasprintf("cannot stat %s: %s", p,
				       strerror(errno));
	}
}

/* The first of the host paths that exists, or NULL. Caller frees. */
static char *
first_existing(const struct host *h, const char *const *paths)
{
	for (size_t i = 0; paths[i]; i++)
		if (exists(h, paths[i]))
			return xstrdup(paths[i]);
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in host directory p; -1 with *err when unreadable. */
static int
list_dir(const struct host *h, const char *p, struct strlist *out, char **err)
{
	DIR *dir = rootfs_opendir(h->root, p);
	struct dirent *e;

	*err = NULL;
	if (!dir) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		*err = xasprintf("cannot list %s: %s", p, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		strlist_push(out, e->d_name);
	}
	closedir(dir);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

static void
set_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

/* Runs a command through the ops; -1 with *err (caller frees). */
static int
run_cmd(const struct host *h, const struct host_ops *ops,
	const char *const argv[], struct host_run *r, char **err)
{
	struct diag d = { { 0 } };

	memset(r, 0, sizeof(*r));
	*err = NULL;
	if (!ops) {
		*err = xstrdup(h->commands_why);
		return -1;
	}
	if (ops->run(ops, argv, r, &d) != 0) {
		*err = xstrdup(d.msg);
		host_run_release(r);
		return -1;
	}
	return 0;
}

/* The first line of a command's error output, for messages. */
static char *
first_line(const char *s)
{
	size_t n;

	if (!s)
		return xstrdup("");
	while (*s == '\n' || *s == ' ')
		s++;
	n = strcspn(s, "\n");
	if (n > 200)
		n = 200;
	return xstrndup(s, n);
}

static char *
run_failure(const char *what, const struct host_run *r)
{
	char *line = first_line(r->err && *r->err ? r->err : r->out);
	char *msg = xasprintf("%s exited with status %d%s%s", what,
			      r->status, *line ? ": " : "", line);

	free(line);
	return msg;
}

/* ------------------------------------------------------------ install -- */

static void
detect_install(struct host *h, const struct host_opts *o,
	       const struct snapshot *s)
{
	static const char *const snap_signs[] = {
		"/snap/bin/lxd", SNAP_COMMON "/lxd", NULL,
	};
	char *sign;

	if (s && str_eq(s->product, "incus")) {
		h->install = HOST_INSTALL_INCUS;
		h->install_why = xstrdup("the server says it is Incus");
	} else if (o->socket_path) {
		if (str_starts_with(o->socket_path, "/var/snap/lxd/")) {
			h->install = HOST_INSTALL_SNAP;
			h->install_why = xasprintf("the socket %s is the "
						   "snap's", o->socket_path);
		} else {
			h->install = HOST_INSTALL_PACKAGE;
			h->install_why = xasprintf("the socket %s is not the "
						   "snap's", o->socket_path);
		}
	} else if ((sign = first_existing(h, snap_signs)) != NULL) {
		h->install = HOST_INSTALL_SNAP;
		h->install_why = xasprintf("%s exists", sign);
		free(sign);
	} else {
		h->install = HOST_INSTALL_PACKAGE;
		h->install_why = xstrdup("no snap and not Incus");
	}
	h->product = xstrdup(h->install == HOST_INSTALL_INCUS ? "Incus"
							      : "LXD");
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void
locate_dirs(struct host *h, const struct host_opts *o)
{
	const char *sock = o->socket_path;
	const char *base = sock ? strrchr(sock, '/') : NULL;
	bool std_name = base && str_eq(base + 1, "unix.socket");

	switch (h->install) {
	case HOST_INSTALL_SNAP:
		h->lxd_dir = xstrdup(SNAP_COMMON "/lxd");
		h->socket_path = xstrdup(sock ? sock
					      : SNAP_COMMON "/lxd/unix.socket");
		break;
	case HOST_INSTALL_INCUS:
		if (sock && std_name && !str_starts_with(sock, "/run/"))
			h->lxd_dir = dir_of(sock);
		else
			h->lxd_dir = xstrdup("/var/lib/incus");
		if (sock)
			h->socket_path = xstrdup(sock);
		else if (exists(h, "/run/incus/unix.socket"))
			h->socket_path = xstrdup("/run/incus/unix.socket");
		else
			h->socket_path =
				xstrdup("/var/lib/incus/unix.socket");
		break;
	case HOST_INSTALL_PACKAGE:
	case HOST_INSTALL_UNKNOWN:
		h->lxd_dir = sock && std_name ? dir_of(sock)
					      : xstrdup("/var/lib/lxd");
		h->socket_path = xstrdup(sock ? sock
					      : "/var/lib/lxd/unix.socket");
		break;
	}
}

/* ----------------------------------------------------------- accounts -- */

static bool
parse_id(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return false;
	*out = v;
	return true;
}

/* Splits a colon-separated line into at most max fields. */
static size_t
split_colons(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

static void
parse_group_file(struct host *h, char *text)
{
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		char *f[4];
		long gid;

		if (nl)
			*nl = '\0';
		if (*line && *line != '#' && *line != '+' && *line != '-' &&
		    split_colons(line, f, 4) == 4 && parse_id(f[2], &gid) &&
		    !host_group_by_name(h, f[0])) {
			struct host_group *g;

			h->groups = xrealloc(h->groups, (h->n_groups + 1) *
							 sizeof(*h->groups));
			g = &h->groups[h->n_groups++];
			memset(g, 0, sizeof(*g));
			g->name = xstrdup(f[0]);
			g->gid = gid;
			for (char *m = f[3]; *m;) {
				size_t k = strcspn(m, ",");
				char *name = xstrndup(m, k);

				if (*name && !strlist_has(&g->members, name))
					strlist_push(&g->members, name);
				free(name);
				m += k;
				if (*m)
					m++;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

static void
parse_passwd_file(struct host *h, char *text)
{
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		char *f[7];
		long uid, gid;
		bool dup = false;

		if (nl)
			*nl = '\0';
		if (*line && *line != '#' && *line != '+' && *line != '-' &&
		    split_colons(line, f, 7) >= 4 && parse_id(f[2], &uid) &&
		    parse_id(f[3], &gid)) {
			for (size_t i = 0; i < h->n_users; i++)
				if (str_eq(h->users[i].name, f[0]))
					dup = true;
			if (!dup) {
				h->users = xrealloc(h->users,
						    (h->n_users + 1) *
							    sizeof(*h->users));
				h->users[h->n_users].name = xstrdup(f[0]);
				h->users[h->n_users].uid = uid;
				h->users[h->n_users].gid = gid;
				h->n_users++;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

/*
 * /etc/group and /etc/passwd, then the extrausers files Ubuntu Core
 * keeps beside them. Users and groups from other NSS sources (LDAP, SSSD)
 * are not seen; the checks say so.
 */
static void
read_accounts(struct host *h)
{
	static const char *const groups[] = {
		"/etc/group", "/var/lib/extrausers/group",
	};
	static const char *const passwds[] = {
		"/etc/passwd", "/var/lib/extrausers/passwd",
	};
	bool missing;
	char *err, *text;

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		text = slurp(h, groups[i], NULL, &missing, &err);
		if (err && !h->accounts_error)
			h->accounts_error = err;
		else
			free(err);
		if (missing && i == 0 && !h->accounts_error)
			h->accounts_error = xstrdup("/etc/group does not "
						    "exist");
		if (text)
			parse_group_file(h, text);
		free(text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(passwds); i++) {
		text = slurp(h, passwds[i], NULL, &missing, &err);
		if (err && !h->accounts_error)
			h->accounts_error = err;
		else
			free(err);
		if (missing && i == 0 && !h->accounts_error)
			h->accounts_error = xstrdup("/etc/passwd does not "
						    "exist");
		if (text)
			parse_passwd_file(h, text);
		free(text);
	}
}

const struct host_group *
host_group_by_name(const struct host *h, const char *name)
{
	for (size_t i = 0; name && i < h->n_groups; i++)
		if (str_eq(h->groups[i].name, name))
			return &h->groups[i];
	return NULL;
}

const struct host_group *
host_group_by_gid(const struct host *h, long gid)
{
	for (size_t i = 0; i < h->n_groups; i++)
		if (h->groups[i].gid == gid)
			return &h->groups[i];
	return NULL;
}

const struct host_user *
host_user_by_uid(const struct host *h, long uid)
{
	for (size_t i = 0; i < h->n_users; i++)
		if (h->users[i].uid == uid)
			return &h->users[i];
	return NULL;
}

void
host_group_users(const struct host *h, const struct host_group *g,
		 struct strlist *out)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->members.n; i++)
		if (!strlist_has(out, g->members.v[i]))
			strlist_push(out, g->members.v[i]);
	for (size_t i = 0; i < h->n_users; i++)
		if (h->users[i].gid == g->gid &&
		    !strlist_has(out, h->users[i].name))
			strlist_push(out, h->users[i].name);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

/* ------------------------------------------------------------- daemon -- */

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Reads /proc/PID/cmdline under the root into a vector. */
static int
read_cmdline(const struct host *h, long pid, char ***argv, size_t *argc,
	     char **err)
{
	char *path = xasprintf("/proc/%ld/cmdline", pid);
	size_t len = 0, n = 0;
	bool missing;
	char *text = slurp(h, path, &len, &missing, err);
	char **v = NULL;

	*argv = NULL;
	*argc = 0;
	if (!text) {
		if (missing)
			*err = xasprintf("no process %ld (%s does not "
					 "exist)", pid, path);
		free(path);
		return -1;
	}
	free(path);
	if (len == 0) {
		*err = xasprintf("process %ld has no command line (a kernel "
				 "thread or a zombie)", pid);
		free(text);
		return -1;
	}
	for (size_t i = 0; i < len;) {
		size_t k = strnlen(text + i, len - i);

		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = xstrndup(text + i, k);
		i += k + 1;
	}
	free(text);
	*argv = v;
	*argc = n;
	return 0;
}

static void
free_argv(char **argv, size_t argc)
{
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* "lxd [--flags]" or "lxd daemon [--flags]", not a helper like forkexec. */
static bool
is_daemon(char **argv, size_t argc, bool incus)
{
	const char *b;

	if (argc == 0)
		return false;
	b = base_name(argv[0]);
	if (incus ? !str_eq(b, "incusd")
		  : !(str_eq(b, "lxd") || str_eq(b, "lxd.debug")))
		return false;
	for (size_t i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (str_eq(argv[i], "--group") ||
			    str_eq(argv[i], "--logfile"))
				i++;
			continue;
		}
		return str_eq(argv[i], "daemon");
	}
	return true;
}

/* --flag, --flag=true|false; returns -1 when arg is not the flag. */
static int
bool_flag(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return -1;
	if (arg[n] == '\0')
		return 1;
	if (arg[n] == '=')
		return lxdval_is_true(arg + n + 1) ? 1 : 0;
	return -1;
}

static void
read_flags(struct host *h)
{
	for (size_t i = 1; i < h->argc; i++) {
		const char *a = h->argv[i];
		int v;

		if (str_eq(a, "--"))
			break;
		if ((v = bool_flag(a, "--syslog")) >= 0)
			h->flag_syslog = v;
		else if ((v = bool_flag(a, "--verbose")) >= 0 ||
			 (v = bool_flag(a, "-v")) >= 0)
			h->flag_verbose = v;
		else if ((v = bool_flag(a, "--debug")) >= 0 ||
			 (v = bool_flag(a, "-d")) >= 0)
			h->flag_debug = v;
		else if (str_eq(a, "--group") && i + 1 < h->argc)
			set_str(&h->flag_group, xstrdup(h->argv[++i]));
		else if (str_starts_with(a, "--group="))
			set_str(&h->flag_group, xstrdup(a + 8));
	}
	if (h->flag_group && !*h->flag_group)
		set_str(&h->flag_group, NULL);
}

static long
server_pid(const struct snapshot *s)
{
	const json_t *env;
	json_int_t pid;

	if (!s || !s->part[SNAP_SERVER])
		return 0;
	env = json_object_get(s->part[SNAP_SERVER], "environment");
	pid = json_integer_value(json_object_get(env, "server_pid"));
	return pid > 0 ? (long)pid : 0;
}

/*
 * Tries the PID the API gives, the socket's peer, then the snap's
 * lxd.pid; the first that is the daemon wins. What went wrong with each
 * is kept for the message when none is.
 */
static void
find_daemon(struct host *h, const struct host_ops *ops,
	    const struct snapshot *s)
{
	struct strbuf why = STRBUF_INIT;
	bool incus = h->install == HOST_INSTALL_INCUS;
	long cand[3] = { 0, 0, 0 };
	const char *from[3] = {
		"environment.server_pid", "the socket's peer", NULL,
	};
	char *text, *err;
	bool missing;

	cand[0] = server_pid(s);
	if (!cand[0])
		strbuf_addstr(&why, "the API gives no environment.server_pid");
	if (ops && h->socket_path) {
		struct diag d = { { 0 } };

		if (ops->socket_pid(ops, h->socket_path, &cand[1], &d) != 0)
			strbuf_addf(&why, "%s%s", why.len ? "; " : "", d.msg);
	}
	if (h->install == HOST_INSTALL_SNAP) {
		from[2] = SNAP_COMMON "/lxd.pid";
		text = slurp(h, from[2], NULL, &missing, &err);
		if (text)
			text[strcspn(text, " \t\r\n")] = '\0';
		if (text && !parse_id(text, &cand[2]))
			strbuf_addf(&why, "%s%s holds no PID",
				    why.len ? "; " : "", from[2]);
		if (err)
			strbuf_addf(&why, "%s%s", why.len ? "; " : "", err);
		free(text);
		free(err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cand); i++) {
		char **argv;
		size_t argc;

		if (cand[i] <= 0 || (i > 0 && cand[i] == cand[0] && h->pid))
			continue;
		if (read_cmdline(h, cand[i], &argv, &argc, &err) != 0) {
			strbuf_addf(&why, "%s%s %ld: %s", why.len ? "; " : "",
				    from[i], cand[i], err);
			free(err);
			continue;
		}
		if (!is_daemon(argv, argc, incus)) {
			strbuf_addf(&why, "%s%s %ld is '%s%s%s', not the %s "
				    "daemon", why.len ? "; " : "", from[i],
				    cand[i], argv[0], argc > 1 ? " " : "",
				    argc > 1 ? argv[1] : "", h->product);
			free_argv(argv, argc);
			continue;
		}
		h->pid = cand[i];
		h->pid_from = xstrdup(from[i]);
		h->argv = argv;
		h->argc = argc;
		break;
	}
	if (h->pid) {
		read_flags(h);
		strbuf_release(&why);
	} else {
		h->daemon_error = xasprintf("cannot find the %s daemon's "
					    "process: %s", h->product,
					    why.len ? why.buf : "no PID");
		strbuf_release(&why);
	}
}

/* -------------------------------------------------------- snap config -- */

static char *
unquote(const char *v)
{
	size_t n = strlen(v);

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		return xstrndup(v + 1, n - 2);
	return xstrndup(v, n);
}

static int
tri_bool(const char *v)
{
	if (str_empty(v))
		return -1;
	return lxdval_is_true(v) ? 1 : 0;
}

/*
 * $SNAP_COMMON/config, written by the snap's configure hook as shell
 * "key=value" lines with defaults filled in, and sourced by daemon.start:
 * so it is what the next daemon start will use.
 */
static void
read_snap_config(struct host *h)
{
	bool missing;
	char *text;

	h->snap_config_path = xstrdup(SNAP_COMMON "/config");
	text = slurp(h, h->snap_config_path, NULL, &missing,
		     &h->snap_config_error);
	h->snap_config_present = text != NULL;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		char *eq, *v;

		if (nl)
			*nl = '\0';
		eq = strchr(line, '=');
		if (*line != '#' && eq) {
			*eq = '\0';
			v = unquote(eq + 1);
			if (str_eq(line, "daemon_group"))
				set_str(&h->snap_group, v);
			else if (str_eq(line, "daemon_user_group"))
				set_str(&h->snap_user_group, v);
			else if (str_eq(line, "daemon_syslog"))
				h->snap_syslog = tri_bool(v);
			else if (str_eq(line, "daemon_verbose"))
				h->snap_verbose = tri_bool(v);
			else if (str_eq(line, "daemon_debug"))
				h->snap_debug = tri_bool(v);
			if (v != h->snap_group && v != h->snap_user_group)
				free(v);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	/* daemon.start and the hook default both groups to "lxd" */
	if (str_empty(h->snap_group))
		set_str(&h->snap_group, xstrdup("lxd"));
	if (str_empty(h->snap_user_group))
		set_str(&h->snap_user_group, xstrdup("lxd"));
}

static void
decide_admin_group(struct host *h)
{
	const struct host_group *g;

	if (h->pid) {
		if (h->flag_group) {
			h->admin_group = xstrdup(h->flag_group);
			h->admin_group_from = xasprintf("the daemon's "
							"--group");
		} else {
			h->admin_group_from = xstrdup("the daemon runs "
						      "without --group");
		}
		if (h->install == HOST_INSTALL_SNAP &&
		    h->snap_config_present &&
		    !str_eq(h->snap_group, h->flag_group) &&
		    (h->flag_group || host_group_by_name(h, h->snap_group)))
			h->admin_group_pending = xstrdup(h->snap_group);
		return;
	}
	switch (h->install) {
	case HOST_INSTALL_SNAP:
		h->admin_group = xstrdup(h->snap_group);
		h->admin_group_from = xstrdup("the snap's daemon.group");
		break;
	case HOST_INSTALL_INCUS:
		h->admin_group = xstrdup("incus-admin");
		h->admin_group_from = xstrdup("Incus' default");
		break;
	case HOST_INSTALL_PACKAGE:
	case HOST_INSTALL_UNKNOWN:
		g = h->socket.exists && h->socket.gid != 0
			    ? host_group_by_gid(h, h->socket.gid)
			    : NULL;
		if (g) {
			h->admin_group = xstrdup(g->name);
			h->admin_group_from = xstrdup("the socket's group");
		} else {
			h->admin_group = xstrdup("lxd");
			h->admin_group_from = xstrdup("the packaged "
						      "lxd.service default");
		}
		break;
	}
}

/* --------------------------------------------------------- user daemon -- */

/*
 * The restricted daemon: the snap's socket, or a running lxd-user
 * (packaged LXD ships it without a service; unless socket-activated it
 * serves unix.socket in its working directory).
 */
static void
find_user_daemon(struct host *h)
{
	struct strlist pids = { 0 };
	char *err = NULL;

	if (h->install == HOST_INSTALL_SNAP) {
		h->user_socket_path = xstrdup(SNAP_COMMON
					      "/lxd-user/unix.socket");
		stat_path(h, h->user_socket_path, &h->user_socket);
		return;
	}
	if (h->install != HOST_INSTALL_PACKAGE)
		return;
	if (list_dir(h, "/proc", &pids, &err) != 0) {
		free(err);
		return;
	}
	for (size_t i = 0; i < pids.n && !h->user_pid; i++) {
		char **argv;
		size_t argc;
		long pid;

		if (!parse_id(pids.v[i], &pid) ||
		    read_cmdline(h, pid, &argv, &argc, &err) != 0) {
			free(err);
			err = NULL;
			continue;
		}
		if (str_eq(base_name(argv[0]), "lxd-user")) {
			char *cwd = xasprintf("/proc/%ld/cwd", pid);
			char buf[4096];
			ssize_t n = rootfs_readlink(h->root, cwd, buf,
						    sizeof(buf));

			h->user_pid = pid;
			if (n > 0 && buf[0] == '/') {
				buf[n] = '\0';
				h->user_socket_path = xasprintf(
					"%s/unix.socket",
					str_eq(buf, "/") ? "" : buf);
				stat_path(h, h->user_socket_path,
					  &h->user_socket);
			}
			free(cwd);
		}
		free_argv(argv, argc);
	}
	strlist_release(&pids);
}

/* ---------------------------------------------------------------- PKI -- */

static char *
ssl_error(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return xstrdup(r ? r : fallback);
}

static X509 *
pem_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

static char *
name_line(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *r;
	long len;

	if (!b)
		return xstrdup("");
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
	len = BIO_get_mem_data(b, &data);
	r = len > 0 && data ? xstrndup(data, (size_t)len) : xstrdup("");
	BIO_free(b);
	return r;
}

static void
read_crl(struct host *h, X509 *ca)
{
	bool missing;
	char *text = slurp(h, h->crl_path, NULL, &missing, &h->crl_error);
	BIO *b = NULL;
	X509_CRL *crl = NULL;
	EVP_PKEY *key;
	STACK_OF(X509_REVOKED) *rev;

	h->crl_present = text != NULL || h->crl_error != NULL;
	if (!text)
		return;
	if (!strstr(text, "-----BEGIN X509 CRL-----")) {
		h->crl_invalid = xasprintf("%s holds no PEM \"X509 CRL\" "
					   "block", h->crl_path);
		goto out;
	}
	b = BIO_new_mem_buf(text, -1);
	crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
	if (!crl) {
		char *e = ssl_error("malformed");

		h->crl_invalid = xasprintf("%s does not parse: %s",
					   h->crl_path, e);
		free(e);
		goto out;
	}
	if (x509_time_epoch(X509_CRL_get0_lastUpdate(crl),
			    &h->crl_last_update) != 0)
		h->crl_last_update = 0;
	/* nextUpdate is optional */
	if (x509_time_epoch(X509_CRL_get0_nextUpdate(crl),
			    &h->crl_next_update) == 0)
		h->crl_has_next = true;
	rev = X509_CRL_get_REVOKED(crl);
	h->crl_revoked = rev ? (size_t)sk_X509_REVOKED_num(rev) : 0;
	if (!ca) {
		h->crl_sign_error = xstrdup("the CA could not be read");
		goto out;
	}
	key = X509_get0_pubkey(ca);
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
			  X509_get_subject_name(ca)) != 0) {
		char *issuer = name_line(X509_CRL_get_issuer(crl));

		h->crl_sign_error = xasprintf("it was issued by '%s', not "
					      "by the CA '%s'", issuer,
					      h->ca_subject);
		free(issuer);
	} else if (!key || X509_CRL_verify(crl, key) != 1) {
		char *e = ssl_error("bad signature");

		h->crl_sign_error = xasprintf("its signature does not "
					      "verify with the CA's key (%s)",
					      e);
		free(e);
	} else {
		h->crl_signed = true;
	}
out:
	ERR_clear_error();
	X509_CRL_free(crl);
	BIO_free(b);
	free(text);
}

/*
 * server.ca, or cluster.ca when the server is clustered (LXD switches to
 * the cluster.* prefix when cluster.crt exists), and ca.crl beside it.
 */
static void
read_pki(struct host *h, const struct snapshot *s)
{
	bool clustered = (s && s->clustered);
	char *crt = xasprintf("%s/cluster.crt", h->lxd_dir);
	X509 *ca = NULL;
	bool missing;

	if (exists(h, crt))
		clustered = true;
	free(crt);
	h->ca_path = xasprintf("%s/%s.ca", h->lxd_dir,
			       clustered ? "cluster" : "server");
	h->crl_path = xasprintf("%s/ca.crl", h->lxd_dir);
	h->ca_pem = slurp(h, h->ca_path, NULL, &missing, &h->ca_error);
	h->ca_present = h->ca_pem != NULL || h->ca_error != NULL;
	if (!h->ca_present)
		return;
	if (h->ca_pem) {
		ca = pem_cert(h->ca_pem);
		if (!ca) {
			char *e = ssl_error("malformed");

			h->ca_error = xasprintf("%s is not a PEM "
						"certificate: %s", h->ca_path,
						e);
			free(e);
		} else {
			h->ca_subject =
				name_line(X509_get_subject_name(ca));
		}
	}
	read_crl(h, ca);
	X509_free(ca);
	ERR_clear_error();
}

int
host_ca_signed(const struct host *h, const char *pem, struct diag *d)
{
	X509 *ca = h->ca_pem ? pem_cert(h->ca_pem) : NULL;
	X509 *x = pem ? pem_cert(pem) : NULL;
	int rc = -1;

	if (!ca)
		diag_set(d, "the CA could not be read");
	else if (!x)
		diag_set(d, "the certificate does not parse");
	else if (X509_check_issued(ca, x) != X509_V_OK ||
		 X509_verify(x, X509_get0_pubkey(ca)) != 1)
		diag_set(d, "not signed by the CA");
	else
		rc = 0;
	X509_free(ca);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* -------------------------------------------------------------- audit -- */

static void
lxd_binaries(struct host *h)
{
	static const char *const snap[] = {
		"/snap/bin/lxc", "/snap/bin/lxd", "/snap/bin/lxd.buginfo",
		"/snap/bin/lxd.check-kernel", "/snap/bin/lxd.lxc", NULL,
	};
	static const char *const package[] = {
		"/usr/bin/lxc", "/usr/bin/lxd", "/usr/bin/lxd-user",
		"/usr/sbin/lxd", "/usr/lib/lxd/lxd", NULL,
	};
	static const char *const incus[] = {
		"/usr/bin/incus", "/usr/bin/incusd", "/usr/sbin/incusd",
		"/usr/libexec/incus/incusd", "/usr/lib/incus/incusd",
		"/opt/incus/bin/incus", "/opt/incus/bin/incusd",
		"/usr/bin/incus-user", "/usr/libexec/incus/incus-user",
		"/opt/incus/bin/incus-user", NULL,
	};
	const char *const *list;

	switch (h->install) {
	case HOST_INSTALL_SNAP:
		/* the guide's five, whether or not they exist here */
		for (size_t i = 0; snap[i]; i++)
			strlist_push(&h->lxd_binaries, snap[i]);
		return;
	case HOST_INSTALL_INCUS:
		list = incus;
		break;
	case HOST_INSTALL_PACKAGE:
	case HOST_INSTALL_UNKNOWN:
	default:
		list = package;
		break;
	}
	for (size_t i = 0; list[i]; i++)
		if (exists(h, list[i]))
			strlist_push(&h->lxd_binaries, list[i]);
	if (h->argc && h->argv[0][0] == '/' &&
	    !strlist_has(&h->lxd_binaries, h->argv[0]))
		strlist_push(&h->lxd_binaries, h->argv[0]);
}

static void
read_audit(struct host *h, const struct host_ops *ops)
{
	static const char *const auditd[] = {
		"/usr/sbin/auditd", "/sbin/auditd", NULL,
	};
	static const char *const auditctl[] = {
		"/usr/sbin/auditctl", "/sbin/auditctl", NULL,
	};
	struct strlist names = { 0 };
	char *err = NULL;

	lxd_binaries(h);
	h->auditd_path = first_existing(h, auditd);
	h->auditctl_path = first_existing(h, auditctl);

	/* augenrules reads *.rules in rules.d in C-locale order */
	if (list_dir(h, "/etc/audit/rules.d", &names, &err) != 0)
		h->audit_files_error = err;
	for (size_t i = 0; i <= names.n; i++) {
		char *p = i < names.n ? xasprintf("/etc/audit/rules.d/%s",
						   names.v[i])
				      : xstrdup("/etc/audit/audit.rules");
		struct strlist one = { 0 };
		bool missing;
		char *text;

		if (i < names.n && !str_ends_with(names.v[i], ".rules")) {
			free(p);
			continue;
		}
		text = slurp(h, p, NULL, &missing, &err);
		if (err) {
			if (!h->audit_files_error)
				h->audit_files_error = err;
			else
				free(err);
		}
		if (text) {
			strlist_push(&h->audit_files, p);
			host_parse_audit_rules(text, &one);
			for (size_t k = 0; k < one.n; k++)
				if (!strlist_has(&h->audit_file_exec,
						 one.v[k]))
					strlist_push(&h->audit_file_exec,
						     one.v[k]);
		}
		strlist_release(&one);
		free(text);
		free(p);
	}
	strlist_release(&names);

	if (h->auditctl_path) {
		const char *argv[] = { h->auditctl_path, "-l", NULL };
		struct host_run r;

		if (run_cmd(h, ops, argv, &r, &err) != 0) {
			h->audit_loaded_error = err;
		} else if (r.status != 0) {
			h->audit_loaded_error = run_failure("auditctl -l", &r);
		} else {
			host_parse_audit_rules(r.out, &h->audit_loaded_exec);
			h->audit_loaded_known = true;
		}
		host_run_release(&r);
	}
}

/* ------------------------------------------------------------ updates -- */

/*
 * apt.conf(5): /etc/apt/apt.conf.d/ files whose names hold only
 * letters, digits, '_', '-' and '.', with no extension or ".conf", read
 * in order, then /etc/apt/apt.conf.
 */
static bool
apt_file_name_ok(const char *n)
{
	const char *dot;

	for (const char *p = n; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
		      *p == '.'))
			return false;
	dot = strrchr(n, '.');
	return !dot || str_eq(dot, ".conf");
}

static void
read_apt(struct host *h)
{
	static const char *const names[] = {
		"APT::Periodic::Unattended-Upgrade",
		"APT::Periodic::Update-Package-Lists",
	};
	char *values[ARRAY_SIZE(names)] = { NULL, NULL };
	char *from[ARRAY_SIZE(names)] = { NULL, NULL };
	static const char *const uu[] = {
		"/usr/bin/unattended-upgrade",
		"/usr/bin/unattended-upgrades", NULL,
	};
	struct strlist files = { 0 };
	char *err = NULL, *found;

	h->apt_present = is_dir(h, "/etc/apt");
	if (!h->apt_present)
		return;
	found = first_existing(h, uu);
	h->uu_installed = found != NULL;
	free(found);
	if (list_dir(h, "/etc/apt/apt.conf.d", &files, &err) != 0)
		h->apt_error = err;
	for (size_t i = 0; i <= files.n; i++) {
		char *p, *text, *before[ARRAY_SIZE(names)];
		struct diag d = { { 0 } };
		bool missing;

		if (i < files.n && !apt_file_name_ok(files.v[i]))
			continue;
		p = i < files.n ? xasprintf("/etc/apt/apt.conf.d/%s",
					    files.v[i])
				: xstrdup("/etc/apt/apt.conf");
		text = slurp(h, p, NULL, &missing, &err);
		if (err) {
			if (!h->apt_error)
				h->apt_error = err;
			else
				free(err);
		}
		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			before[k] = values[k] ? xstrdup(values[k]) : NULL;
		if (text && host_parse_apt(text, names, values,
					   ARRAY_SIZE(names), &d) != 0 &&
		    !h->apt_error)
			h->apt_error = xasprintf("%s: %s", p, d.msg);
		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			if (!str_eq(before[k], values[k]))
				set_str(&from[k], xstrdup(p));
			free(before[k]);
		}
		free(text);
		free(p);
	}
	strlist_release(&files);
	h->apt_unattended = values[0];
	h->apt_unattended_from = from[0];
	h->apt_update_lists = values[1];
	h->apt_update_lists_from = from[1];
}

/* "snap list lxd": its Notes column says "held" (snapd 2.58+). */
static void
read_snap_refresh(struct host *h, const struct host_ops *ops, long long now)
{
	static const char *const snap[] = {
		"/usr/bin/snap", "/snap/bin/snap", NULL,
	};
	char *bin, *err = NULL;
	struct host_run r;
	const char *line;

	if (h->install != HOST_INSTALL_SNAP)
		return;
	bin = first_existing(h, snap);
	if (!bin) {
		h->snap_refresh_error = xstrdup("the snap command is not "
						"installed");
		return;
	}
	{
		const char *argv[] = { bin, "list", "lxd", NULL };

		if (run_cmd(h, ops, argv, &r, &err) != 0) {
			h->snap_refresh_error = err;
			goto out;
		}
	}
	if (r.status != 0) {
		h->snap_refresh_error = run_failure("snap list lxd", &r);
		host_run_release(&r);
		goto out;
	}
	h->snap_held = 0;
	for (line = r.out; line && *line;) {
		size_t len = strcspn(line, "\n");

		if (str_starts_with(line, "lxd ")) {
			char *row = xstrndup(line, len);
			char *notes = strrchr(row, ' ');

			if (notes && strstr(notes + 1, "held")) {
				h->snap_held = 1;
				h->snap_held_why = xasprintf(
					"snap list lxd: Notes %s", notes + 1);
			}
			free(row);
		}
		line += len;
		if (*line)
			line++;
	}
	host_run_release(&r);
	if (h->snap_held)
		goto out;
	{
		/* snap refresh --hold without names holds every snap */
		const char *argv[] = { bin, "get", "system", "refresh.hold",
				       NULL };

		if (run_cmd(h, ops, argv, &r, &err) != 0) {
			h->snap_held = -1;
			h->snap_refresh_error = err;
			goto out;
		}
	}
	if (r.status == 0) {
		char *v = first_line(r.out);
		long long until;

		if (str_eq(v, "forever") ||
		    (parse_rfc3339(v, &until) == 0 && until > now)) {
			h->snap_held = 1;
			h->snap_held_why = xasprintf("refresh.hold=%s (every "
						     "snap)", v);
		}
		free(v);
	}
	host_run_release(&r);
out:
	free(bin);
}

/* --------------------------------------------------------- Ubuntu Pro -- */

/* os-release(5): /etc/os-release, else /usr/lib/os-release. */
static void
read_os_release(struct host *h)
{
	static const char *const paths[] = {
		"/etc/os-release", "/usr/lib/os-release",
	};

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		bool missing;
		char *err = NULL;
		char *text = slurp(h, paths[i], NULL, &missing, &err);

		if (missing)
			continue;
		h->os_release_path = xstrdup(paths[i]);
		if (!text) {
			h->os_release_error = err;
			return;
		}
		host_parse_os_release(text, &h->os_id, &h->os_name);
		free(text);
		return;
	}
}

/*
 * On Ubuntu only: `pro status --format json` (ubuntu-pro-client) says
 * whether the machine is attached and which ESM services are enabled.
 */
static void
read_ubuntu_pro(struct host *h, const struct host_ops *ops)
{
	static const char *const pro[] = { "/usr/bin/pro", NULL };
	struct diag d = { { 0 } };
	char *err = NULL;
	struct host_run r;

	read_os_release(h);
	if (!str_eq(h->os_id, "ubuntu"))
		return;
	h->pro_path = first_existing(h, pro);
	if (!h->pro_path)
		return;
	{
		const char *argv[] = { h->pro_path, "status", "--format",
				       "json", NULL };

		if (run_cmd(h, ops, argv, &r, &err) != 0) {
			h->pro_error = err;
			return;
		}
	}
	if (r.status != 0) {
		h->pro_error = run_failure("pro status --format json", &r);
	} else if (host_parse_pro_status(r.out, &h->pro, &d) != 0) {
		h->pro_error = xasprintf("pro status --format json: %s",
					 d.msg);
	} else {
		h->pro_read = true;
	}
	host_run_release(&r);
}

/* ----------------------------------------------------------- firewall -- */

static struct host_fw *
fw_new(struct host *h, const char *name)
{
	struct host_fw *fw = &h->fw[h->n_fw++];

	memset(fw, 0, sizeof(*fw));
	fw->name = xstrdup(name);
	return fw;
}

/* kind: 0 nft, 1 iptables, 2 ip6tables */
static void
fw_run(struct host *h, const struct host_ops *ops, const char *const argv[],
       const char *name, int kind)
{
	struct host_fw *fw = fw_new(h, name);
	struct diag d = { { 0 } };
	struct host_run r;
	char *err = NULL;

	if (run_cmd(h, ops, argv, &r, &err) != 0) {
		fw->error = err;
		return;
	}
	if (r.status != 0)
		fw->error = run_failure(name, &r);
	else if ((kind == 0 ? host_parse_nft(r.out, fw, &d)
			    : host_parse_iptables(r.out, kind == 2, fw, &d)) !=
		 0)
		fw->error = xstrdup(d.msg);
	host_run_release(&r);
}

/*
 * nft shows every nftables table, iptables-nft's included; legacy
 * xtables rules are only seen by iptables-legacy (or by iptables when
 * nft is absent).
 */
static void
read_firewall(struct host *h, const struct host_ops *ops)
{
	static const char *const nft[] = {
		"/usr/sbin/nft", "/sbin/nft", NULL,
	};
	static const char *const legacy4[] = {
		"/usr/sbin/iptables-legacy", "/sbin/iptables-legacy", NULL,
	};
	static const char *const legacy6[] = {
		"/usr/sbin/ip6tables-legacy", "/sbin/ip6tables-legacy", NULL,
	};
	static const char *const ipt4[] = {
		"/usr/sbin/iptables", "/sbin/iptables", NULL,
	};
	static const char *const ipt6[] = {
		"/usr/sbin/ip6tables", "/sbin/ip6tables", NULL,
	};
	char *n = first_existing(h, nft);
	char *v4 = first_existing(h, legacy4);
	char *v6 = first_existing(h, legacy6);
	char *err = NULL, *off;
	bool missing;

	off = slurp(h, "/proc/sys/net/ipv6/conf/all/disable_ipv6", NULL,
		    &missing, &err);
	h->ipv6_off = off && off[0] == '1';
	free(off);
	free(err);

	if (n) {
		const char *argv[] = { n, "-j", "list", "ruleset", NULL };

		fw_run(h, ops, argv, "nft -j list ruleset", 0);
	}
	if (!n && !v4) {
		v4 = first_existing(h, ipt4);
		free(v6);
		v6 = first_existing(h, ipt6);
	}
	if (v4) {
		const char *argv[] = { v4, "-S", "INPUT", NULL };
		char *name = xasprintf("%s -S INPUT", base_name(v4));

		fw_run(h, ops, argv, name, 1);
		free(name);
	}
	if (v6) {
		const char *argv[] = { v6, "-S", "INPUT", NULL };
		char *name = xasprintf("%s -S INPUT", base_name(v6));

		fw_run(h, ops, argv, name, 2);
		free(name);
	}
	free(n);
	free(v4);
	free(v6);
}

/* --------------------------------------------------------------- read -- */

int
host_read(struct host *h, const struct host_opts *o,
	  const struct snapshot *s, struct diag *d)
{
	static const char *const usg[] = {
		"/usr/sbin/usg", "/usr/bin/usg", NULL,
	};
	static const char *const oscap[] = {
		"/usr/bin/oscap", "/usr/sbin/oscap", NULL,
	};
	const char *root = o && o->root ? o->root : "/";
	const struct host_ops *ops = o ? o->ops : NULL;
	struct host_opts none = { 0 };
	struct stat st;
	size_t n;
	char *p;

	if (!o)
		o = &none;
	host_release(h);
	if (stat(root, &st) != 0) {
		diag_set(d, "cannot use host root '%s': %s", root,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_set(d, "host root '%s' is not a directory", root);
		return -1;
	}
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	h->root = xstrndup(root, n);
	if (!ops && str_eq(h->root, "/"))
		ops = &host_ops_system;
	if (!ops)
		h->commands_why = xasprintf("not run: the host is read from "
					    "%s, and a command would describe "
					    "this machine instead",
					    h->root);

	detect_install(h, o, s);
	locate_dirs(h, o);
	stat_path(h, h->socket_path, &h->socket);
	read_accounts(h);
	find_daemon(h, ops, s);
	if (h->install == HOST_INSTALL_SNAP)
		read_snap_config(h);
	decide_admin_group(h);
	find_user_daemon(h);
	read_pki(h, s);
	read_audit(h, ops);
	stat_path(h, "/proc/sched_debug", &h->sched_debug);
	stat_path(h, "/sys/kernel/slab", &h->slab);
	read_apt(h);
	read_snap_refresh(h, ops, s ? s->now : now_epoch());
	read_firewall(h, ops);
	p = first_existing(h, usg);
	h->usg_installed = p != NULL;
	free(p);
	p = first_existing(h, oscap);
	h->oscap_installed = p != NULL;
	free(p);
	read_ubuntu_pro(h, ops);
	return 0;
}
