/* target.c - which server to audit: socket discovery and client remotes */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cmd.h"
#include "escape.h"
#include "yamlutil.h"

#define TARGET_DEFAULT_PORT "8443"
#define TARGET_MAX_CONFIG ((size_t)4 << 20)

/* Where LXD and Incus put their admin socket, after the environment's. */
static const struct {
	const char *path;
	const char *product;	/* whose client reaches it by default */
} system_sockets[] = {
	{ "/var/snap/lxd/common/lxd/unix.socket", "lxd" },
	{ "/var/lib/lxd/unix.socket", "lxd" },
	{ "/var/lib/incus/unix.socket", "incus" },
	{ "/run/incus/unix.socket", "incus" },
};

/* Whether path is a system socket of product (NULL: of either). */
static bool
system_socket(const char *path, const char *product)
{
	for (size_t i = 0; i < ARRAY_SIZE(system_sockets); i++)
		if (str_eq(path, system_sockets[i].path) &&
		    (!product || str_eq(product, system_sockets[i].product)))
			return true;
	return false;
}

/*
 * A path "exists" unless lstat() says it does not; a socket behind a
 * directory we may not search still counts, so that connecting to it
 * later reports the permission problem instead of hiding it.
 */
static bool
path_exists(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return true;
	return errno != ENOENT && errno != ENOTDIR;
}

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

char *
target_client_setup(const struct lxd_endpoint *ep, const char *remote,
		    const char *product)
{
	bool incus = str_eq(product, "incus");
	const char *client = product_client(product);
	const char *var = incus ? "INCUS_SOCKET" : "LXD_SOCKET";
	const char *sock, *dir;
	char *own;
	bool same;

	if (remote) {
		/* "prod:", written the way lxc spells it, is remote prod */
		char *name = xstrdup(remote), *out;
		size_t n = strlen(name);

		if (n > 1 && name[n - 1] == ':')
			name[n - 1] = '\0';
		out = xasprintf("%s remote switch %s", client, shq(name));
		free(name);
		return out;
	}
	if (!ep->socket_path)
		return NULL;
	/* the socket the client itself would use */
	sock = env_nonempty(var);
	dir = env_nonempty(incus ? "INCUS_DIR" : "LXD_DIR");
	if (sock)
		own = xstrdup(sock);
	else if (dir)
		own = xasprintf("%s/unix.socket", dir);
	else
		own = NULL;
	if (own)
		same = str_eq(own, ep->socket_path);
	else
		same = system_socket(ep->socket_path, incus ? "incus" : "lxd");
	free(own);
	return same ? NULL : xasprintf("export %s=%s", var,
					   shq(ep->socket_path));
}

static int
resolve_socket(const char *given, struct lxd_endpoint *ep, struct diag *d)
{
	struct strbuf tried = STRBUF_INIT;
	const char *env;
	char *cand[ARRAY_SIZE(system_sockets) + 4];
	size_t n = 0, i;
	int rc = -1;

	if (given) {
		ep->socket_path = xstrdup(given);
		ep->label = xasprintf("unix://%s", given);
		return 0;
	}
	env = env_nonempty("LXD_SOCKET");
	if (env)
		cand[n++] = xstrdup(env);
	env = env_nonempty("LXD_DIR");
	if (env)
		cand[n++] = xasprintf("%s/unix.socket", env);
	/* Incus's client reads its own variables, the same way */
	env = env_nonempty("INCUS_SOCKET");
	if (env)
		cand[n++] = xstrdup(env);
	env = env_nonempty("INCUS_DIR");
	if (env)
		cand[n++] = xasprintf("%s/unix.socket", env);
	for (i = 0; i < ARRAY_SIZE(system_sockets); i++)
		cand[n++] = xstrdup(system_sockets[i].path);

	for (i = 0; i < n; i++) {
		if (path_exists(cand[i])) {
			ep->socket_path = xstrdup(cand[i]);
			ep->label = xasprintf("unix://%s", cand[i]);
			rc = 0;
			break;
		}
		strbuf_addstr(&tried, i ? ", " : "");
		strbuf_addstr(&tried, cand[i]);
	}
	if (rc)
		diag_set(d, "no LXD or Incus socket found (tried: %s); is the "
			    "daemon running? name its socket with --socket "
			    "PATH", tried.buf);
	for (i = 0; i < n; i++)
		free(cand[i]);
	strbuf_release(&tried);
	return rc;
}

static bool
host_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
	       ch == '_';
}

/*
 * Checks an https://HOST[:PORT][/] URL and returns it as
 * https://HOST:PORT, with LXD's port 8443 when none is given. Caller
 * frees. what says whose URL it is ("--url", "remote 'x'").
 */
static char *
normalize_url(const char *url, const char *what, struct diag *d)
{
	const char *host, *p, *port = NULL;
	size_t hlen, plen = 0;
	unsigned long n;

	if (str_starts_with(url, "unix:")) {
		diag_set(d, "%s: '%s' is a unix socket: use --socket PATH for "
			    "a local server", what, url);
		return NULL;
	}
	if (strncasecmp(url, "https://", 8) != 0) {
		if (strstr(url, "://"))
			diag_set(d, "%s: unsupported URL '%s': only https:// "
				    "is supported", what, url);
		else
			diag_set(d, "%s: invalid URL '%s': expected "
				    "https://HOST[:PORT]", what, url);
		return NULL;
	}
	host = url + 8;
	if (*host == '[') {
		p = strchr(host, ']');
		if (!p || p == host + 1)
			goto bad;
		for (const char *q = host + 1; q < p; q++)
			if (!strchr("0123456789abcdefABCDEF:.", *q))
				goto bad;
		p++;
	} else {
		for (p = host; host_char_ok(*p); p++)
			;
		if (p == host)
			goto bad;
	}
	hlen = (size_t)(p - host);
	if (*p == ':') {
		port = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		plen = (size_t)(p - port);
		if (!plen || plen > 5)
			goto bad;
		n = strtoul(port, NULL, 10);
		if (n < 1 || n > 65535)
			goto bad;
	}
	if (*p == '/')
		p++;
	if (*p)
		goto bad;
	if (!port)
		return xasprintf("https://%.*s:%s", (int)hlen, host,
				 TARGET_DEFAULT_PORT);
	return xasprintf("https://%.*s:%.*s", (int)hlen, host, (int)plen,
			 port);
bad:
	diag_set(d, "%s: invalid URL '%s': expected https://HOST[:PORT]",
		 what, url);
	return NULL;
}

static int
check_readable(const char *path, const char *what, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		diag_set(d, "cannot read %s '%s': %s", what, path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

void
target_warn_key(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		cmd_error("warning: client key '%s' is readable by %s (mode "
			  "%04o); anyone who reads it can act as this client: "
			  "chmod 600 %s",
			  path,
			  (st.st_mode & S_IROTH) ? "everyone" : "its group",
			  (unsigned)st.st_mode & 07777, shq(path));
}

static int
resolve_url(const struct target_opts *o, struct lxd_endpoint *ep,
	    struct diag *d)
{
	if (!o->cert || !o->key) {
		diag_set(d, "--url needs both --cert and --key (missing %s)",
			 !o->cert && !o->key ? "both" :
			 !o->cert ? "--cert" : "--key");
		return -1;
	}
	if (check_readable(o->cert, "client certificate", d) ||
	    check_readable(o->key, "client key", d))
		return -1;
	target_warn_key(o->key);
	if (o->server_cert &&
	    check_readable(o->server_cert, "server certificate", d))
		return -1;
	ep->url = normalize_url(o->url, "--url", d);
	if (!ep->url)
		return -1;
	ep->client_cert = xstrdup(o->cert);
	ep->client_key = xstrdup(o->key);
	ep->server_cert = o->server_cert ? xstrdup(o->server_cert) : NULL;
	ep->label = xstrdup(ep->url);
	return 0;
}

/* --- lxc's config.yml --------------------------------------------------- */

struct yconf {
	const char *file;
	yaml_document_t doc;
};

static int
yconf_load(struct yconf *y, const char *buf, size_t len, struct diag *d)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	int rc = -1;

	if (!yaml_parser_initialize(&parser)) {
		diag_set(d, "%s: cannot initialise the YAML parser", y->file);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf,
				     len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		if (parser.error == YAML_READER_ERROR)
			diag_set(d, "%s: %s at byte %zu", y->file,
				 parser.problem, parser.problem_offset);
		else if (parser.context)
			diag_set(d, "%s:%zu:%zu: %s (%s at line %zu column "
				    "%zu)", y->file,
				 parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1,
				 parser.problem, parser.context,
				 parser.context_mark.line + 1,
				 parser.context_mark.column + 1);
		else
			diag_set(d, "%s:%zu:%zu: %s", y->file,
				 parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1,
				 parser.problem ? parser.problem :
				 "malformed YAML");
		goto out;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		diag_set(d, "%s:%zu:%zu: %s", y->file,
			 parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "malformed YAML");
		yaml_document_delete(&y->doc);
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		diag_set(d, "%s:%zu:%zu: more than one YAML document",
			 y->file, extra.start_mark.line + 1,
			 extra.start_mark.column + 1);
		yaml_document_delete(&extra);
		yaml_document_delete(&y->doc);
		goto out;
	}
	yaml_document_delete(&extra);
	rc = 0;
out:
	yaml_parser_delete(&parser);
	return rc;
}

static yaml_node_t *
ynode(struct yconf *y, int i)
{
	return yaml_document_get_node(&y->doc, i);
}


/*
 * Looks key up in a mapping; a key given twice is an error, as it is for
 * lxc (Go's yaml refuses it too). *out is NULL when the key is absent.
 */
static int
ymap_get(struct yconf *y, const yaml_node_t *map, const char *key,
	 const char *where, yaml_node_t **out, struct diag *d)
{
	yaml_node_pair_t *p;

	*out = NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(y, p->key);

		if (!str_eq(yaml_str(k), key))
			continue;
		if (*out) {
			yaml_error_at(d, y->file, k, "duplicate key '%s' in %s",
				      key, where);
			return -1;
		}
		*out = ynode(y, p->value);
	}
	return 0;
}

static int
yremote_str(struct yconf *y, const yaml_node_t *map, const char *key,
	    const char *name, const char **out, struct diag *d)
{
	char *where = xasprintf("remote '%s'", name);
	yaml_node_t *v;
	int rc = ymap_get(y, map, key, where, &v, d);

	free(where);
	*out = NULL;
	if (rc)
		return -1;
	if (!v)
		return 0;
	*out = yaml_str(v);
	if (!*out) {
		yaml_error_at(d, y->file, v,
			      "'%s' of remote '%s' must be a string", key,
			      name);
		return -1;
	}
	return 0;
}

/*
 * The config.yml the client would read (lxc's, else incus's), or NULL and
 * a diag naming what it tried.
 */
static char *
find_config(struct diag *d)
{
	static const char *const vars[] = { "LXD_CONF", "INCUS_CONF" };
	static const char *const homes[] = {
		".config/lxc", "snap/lxd/common/config", ".config/incus",
	};
	const char *home = env_nonempty("HOME");
	struct strbuf tried = STRBUF_INIT;
	char *a;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *conf = env_nonempty(vars[i]);

		if (!conf)
			continue;
		a = xasprintf("%s/config.yml", conf);
		if (path_exists(a))
			return a;
		diag_set(d, "cannot read client configuration '%s' (from "
			    "$%s): %s", a, vars[i], strerror(ENOENT));
		free(a);
		return NULL;
	}
	if (!home) {
		diag_set(d, "no client configuration found: none of LXD_CONF, "
			    "INCUS_CONF and HOME is set");
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(homes); i++) {
		a = xasprintf("%s/%s/config.yml", home, homes[i]);
		if (path_exists(a)) {
			strbuf_release(&tried);
			return a;
		}
		strbuf_addstr(&tried, i ? ", " : "");
		strbuf_addstr(&tried, a);
		free(a);
	}
	diag_set(d, "no client configuration found (tried: %s)", tried.buf);
	strbuf_release(&tried);
	return NULL;
}

static void
known_remotes(struct yconf *y, const yaml_node_t *remotes, struct strbuf *sb)
{
	yaml_node_pair_t *p;

	if (!remotes) {
		strbuf_addstr(sb, "none");
		return;
	}
	for (p = remotes->data.mapping.pairs.start;
	     p < remotes->data.mapping.pairs.top; p++) {
		const char *k = yaml_str(ynode(y, p->key));

		if (!k)
			continue;
		strbuf_addstr(sb, sb->len ? ", " : "");
		strbuf_addstr(sb, k);
	}
	if (!sb->len)
		strbuf_addstr(sb, "none");
}

/* Fills ep from remote name's entry in the parsed file. */
static int
remote_from_doc(struct yconf *y, const struct target_opts *o,
		const char *dir, struct lxd_endpoint *ep, struct diag *d)
{
	const char *name = o->remote;
	const char *addr, *proto, *auth;
	yaml_node_t *root = yaml_document_get_root_node(&y->doc);
	yaml_node_t *remotes = NULL, *r = NULL;
	struct strbuf known = STRBUF_INIT;
	char *what, *path;
	yaml_node_pair_t *p;

	if (root && root->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, root,
			      "expected a mapping at the top level");
		return -1;
	}
	if (root && ymap_get(y, root, "remotes", "the top level", &remotes,
			     d))
		return -1;
	if (remotes && remotes->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, remotes,
			      "'remotes' must be a mapping");
		return -1;
	}
	if (remotes && ymap_get(y, remotes, name, "'remotes'", &r, d))
		return -1;
	if (!r) {
		known_remotes(y, remotes, &known);
		diag_set(d, "remote '%s' not found in '%s' (known: %s)", name,
			 y->file, known.buf);
		strbuf_release(&known);
		return -1;
	}
	if (r->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, r, "remote '%s' must be a mapping",
			      name);
		return -1;
	}
	for (p = r->data.mapping.pairs.start; p < r->data.mapping.pairs.top;
	     p++) {
		if (!yaml_str(ynode(y, p->key))) {
			yaml_error_at(d, y->file, ynode(y, p->key),
				      "keys of remote '%s' "
				      "must be strings",
				      name);
			return -1;
		}
	}
	if (yremote_str(y, r, "addr", name, &addr, d) ||
	    yremote_str(y, r, "protocol", name, &proto, d) ||
	    yremote_str(y, r, "auth_type", name, &auth, d))
		return -1;
	if (str_empty(addr)) {
		diag_set(d, "remote '%s' in '%s' has no addr", name, y->file);
		return -1;
	}
	if (str_starts_with(addr, "unix:")) {
		diag_set(d, "remote '%s' in '%s' is a unix socket ('%s'): "
			    "audit a local server with --socket PATH instead",
			 name, y->file, addr);
		return -1;
	}
	if (proto && !str_eq(proto, "lxd") && !str_eq(proto, "incus")) {
		diag_set(d, "remote '%s' in '%s' uses protocol '%s': only LXD "
			    "and Incus servers (protocol 'lxd' or 'incus') can "
			    "be audited", name, y->file, proto);
		return -1;
	}
	if (auth && !str_eq(auth, "tls")) {
		diag_set(d, "remote '%s' in '%s' uses auth_type '%s': only TLS "
			    "client certificates are supported", name, y->file,
			 auth);
		return -1;
	}
	what = xasprintf("remote '%s'", name);
	ep->url = normalize_url(addr, what, d);
	free(what);
	if (!ep->url)
		return -1;

	ep->client_cert = o->cert ? xstrdup(o->cert) :
				    xasprintf("%s/client.crt", dir);
	ep->client_key = o->key ? xstrdup(o->key) :
				  xasprintf("%s/client.key", dir);
	if (check_readable(ep->client_cert, "client certificate", d) ||
	    check_readable(ep->client_key, "client key", d))
		return -1;
	target_warn_key(ep->client_key);
	if (o->server_cert) {
		if (check_readable(o->server_cert, "server certificate", d))
			return -1;
		ep->server_cert = xstrdup(o->server_cert);
	} else {
		path = xasprintf("%s/servercerts/%s.crt", dir, name);
		if (path_exists(path))
			ep->server_cert = path;
		else
			free(path);
	}
	ep->label = xasprintf("remote %s (%s)", name, ep->url);
	return 0;
}

static int
resolve_remote(const struct target_opts *o, struct lxd_endpoint *ep,
	       struct diag *d)
{
	struct yconf y = { 0 };
	struct target_opts trimmed;
	char *file, *buf = NULL, *dir, *slash, *name = NULL;
	size_t len = 0;
	int rc = -1;

	if (str_empty(o->remote) || strchr(o->remote, '/')) {
		diag_set(d, "invalid remote name '%s'", o->remote);
		return -1;
	}
	/* "prod:" as lxc spells a remote: one trailing colon is dropped */
	len = strlen(o->remote);
	if (o->remote[len - 1] == ':') {
		if (len == 1 || o->remote[len - 2] == ':') {
			diag_set(d, "invalid remote name '%s'", o->remote);
			return -1;
		}
		name = xstrndup(o->remote, len - 1);
		trimmed = *o;
		trimmed.remote = name;
		o = &trimmed;
	}
	len = 0;
	file = find_config(d);
	if (!file) {
		free(name);
		return -1;
	}
	if (read_file_trusted(file, TARGET_MAX_CONFIG, "client configuration", &buf,
			  &len, d))
		goto out;
	y.file = file;
	if (yconf_load(&y, buf, len, d))
		goto out;
	dir = xstrdup(file);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	rc = remote_from_doc(&y, o, slash ? dir : ".", ep, d);
	free(dir);
	yaml_document_delete(&y.doc);
out:
	free(buf);
	free(file);
	free(name);
	return rc;
}

/* The remotes that speak the LXD API: protocol lxd or incus (or none). */
static int
list_from_doc(struct yconf *y, struct target_remote **v, size_t *n,
	      struct diag *d)
{
	yaml_node_t *root = yaml_document_get_root_node(&y->doc);
	yaml_node_t *remotes = NULL;
	yaml_node_pair_t *p;

	if (root && root->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, root,
			      "expected a mapping at the top level");
		return -1;
	}
	if (root && ymap_get(y, root, "remotes", "the top level", &remotes,
			     d))
		return -1;
	if (!remotes)
		return 0;
	if (remotes->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, remotes,
			      "'remotes' must be a mapping");
		return -1;
	}
	for (p = remotes->data.mapping.pairs.start;
	     p < remotes->data.mapping.pairs.top; p++) {
		const char *name = yaml_str(ynode(y, p->key));
		yaml_node_t *r = ynode(y, p->value);
		const char *proto, *addr;

		if (!name || !r || r->type != YAML_MAPPING_NODE) {
			yaml_error_at(d, y->file, ynode(y, p->key),
				      "each remote must be "
				      "a name and a mapping");
			return -1;
		}
		if (yremote_str(y, r, "protocol", name, &proto, d) ||
		    yremote_str(y, r, "addr", name, &addr, d))
			return -1;
		if (proto && !str_eq(proto, "lxd") && !str_eq(proto, "incus"))
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[*n].name = xstrdup(name);
		(*v)[*n].socket = NULL;
		if (addr && str_starts_with(addr, "unix:")) {
			const char *path = addr + strlen("unix:");

			while (*path == '/' && path[1] == '/')
				path++;
			(*v)[*n].socket = xstrdup(path);
		}
		(*n)++;
	}
	return 0;
}

int
target_remote_list(struct target_remote **v, size_t *n, char **file,
		   struct diag *d)
{
	struct yconf y = { 0 };
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	*v = NULL;
	*n = 0;
	*file = find_config(d);
	if (!*file)
		return -1;
	if (read_file_trusted(*file, TARGET_MAX_CONFIG, "client configuration",
			  &buf, &len, d))
		goto out;
	y.file = *file;
	if (yconf_load(&y, buf, len, d))
		goto out;
	rc = list_from_doc(&y, v, n, d);
	yaml_document_delete(&y.doc);
out:
	free(buf);
	if (rc) {
		target_remote_list_free(*v, *n);
		*v = NULL;
		*n = 0;
		free(*file);
		*file = NULL;
	}
	return rc;
}

void
target_remote_list_free(struct target_remote *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].socket);
	}
	free(v);
}

int
target_resolve(const struct target_opts *opts, struct lxd_endpoint *ep,
	       struct diag *d)
{
	int given = !!opts->socket + !!opts->remote + !!opts->url;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (given > 1) {
		diag_set(d, "--socket, --remote and --url are mutually "
			    "exclusive");
		return -1;
	}
	if (opts->url)
		rc = resolve_url(opts, ep, d);
	else if (opts->remote)
		rc = resolve_remote(opts, ep, d);
	else if (opts->cert || opts->key || opts->server_cert) {
		diag_set(d, "--cert, --key and --server-cert need --url or "
			    "--remote");
		rc = -1;
	} else
		rc = resolve_socket(opts->socket, ep, d);
	if (rc)
		lxd_endpoint_release(ep);
	return rc;
}

bool
target_socket_is_system(const char *path)
{
	return system_socket(path, NULL);
}

bool
target_opt_set(struct target_opts *o, int c, const char *arg)
{
	switch (c) {
	case TARGET_OPT_SOCKET:
		o->socket = arg;
		return true;
	case TARGET_OPT_REMOTE:
		o->remote = arg;
		return true;
	case TARGET_OPT_URL:
		o->url = arg;
		return true;
	case TARGET_OPT_CERT:
		o->cert = arg;
		return true;
	case TARGET_OPT_KEY:
		o->key = arg;
		return true;
	case TARGET_OPT_SERVER_CERT:
		o->server_cert = arg;
		return true;
	default:
		return false;
	}
}
