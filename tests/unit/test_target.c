/*
 * test_target.c - socket discovery, lxc remotes and --url (target.c), and
 * the transport's error handling (lxd.c) against a canned HTTP server on
 * a unix socket. The canned server proves the transport only, no check.
 */
#define _DEFAULT_SOURCE		/* setgroups() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxd.h"
#include "target.h"

/* --- helpers -------------------------------------------------------------- */

static char *
fixture(const char *name)
{
	const char *dir = getenv("LXDH_TESTDATA");

	return xasprintf("%s/target/%s", dir ? dir : "tests/data", name);
}

static char *
temp_dir(void)
{
	char *dir = xstrdup("/tmp/lxdh-test-XXXXXX");

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

static void
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	close(fd);
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf --one-file-system '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* The environment target.c reads, cleared so the machine's cannot leak. */
static const char *const target_env[] = {
	"LXD_SOCKET", "LXD_DIR", "LXD_CONF", "INCUS_SOCKET", "INCUS_DIR",
	"INCUS_CONF", "HOME",
};

static int
clear_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(target_env); i++)
		unsetenv(target_env[i]);
	return 0;
}

/* --- socket discovery ----------------------------------------------------- */

static const char *const system_paths[] = {
	"/var/snap/lxd/common/lxd/unix.socket",
	"/var/lib/lxd/unix.socket",
	"/var/lib/incus/unix.socket",
	"/run/incus/unix.socket",
};

static void
test_socket_given_is_used_as_is(void **state)
{
	struct target_opts o = { .socket = "/nonexistent/lxd.socket" };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };

	(void)state;
	setenv("LXD_SOCKET", "/elsewhere.socket", 1);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, "/nonexistent/lxd.socket");
	assert_string_equal(ep.label, "unix:///nonexistent/lxd.socket");
	assert_null(ep.url);
	lxd_endpoint_release(&ep);
	lxd_endpoint_release(NULL);
}

static void
test_socket_discovery_order(void **state)
{
	struct target_opts o = { 0 };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *dir = temp_dir();
	char *env_sock = xasprintf("%s/env.socket", dir);
	char *dir_sock = xasprintf("%s/unix.socket", dir);

	(void)state;
	touch(env_sock);
	touch(dir_sock);
	setenv("LXD_SOCKET", env_sock, 1);
	setenv("LXD_DIR", dir, 1);

	/* $LXD_SOCKET comes first */
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, env_sock);
	lxd_endpoint_release(&ep);

	/* a $LXD_SOCKET that does not exist is skipped for $LXD_DIR's */
	unlink(env_sock);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, dir_sock);
	lxd_endpoint_release(&ep);

	/* so is an empty one */
	setenv("LXD_SOCKET", "", 1);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, dir_sock);
	assert_true(str_starts_with(ep.label, "unix:///tmp/lxdh-test-"));
	lxd_endpoint_release(&ep);

	rm_rf(dir);
	free(env_sock);
	free(dir_sock);
	free(dir);
}

/*
 * What a person runs before pasting commands: nothing when the client
 * reaches the audited socket anyway, else the variable that points it
 * there (quoted), or the remote to switch to.
 */
static void
test_client_setup(void **state)
{
	struct lxd_endpoint ep = { 0 };
	char *s;

	(void)state;
	free(ep.socket_path);
	ep.socket_path = xstrdup("/var/lib/lxd/unix.socket");
	assert_null(target_client_setup(&ep, NULL, "lxd"));
	free(ep.socket_path);
	ep.socket_path = xstrdup("/var/snap/lxd/common/lxd/unix.socket");
	assert_null(target_client_setup(&ep, NULL, "lxd"));
	free(ep.socket_path);
	ep.socket_path = xstrdup("/var/lib/incus/unix.socket");
	assert_null(target_client_setup(&ep, NULL, "incus"));
	/* a private daemon */
	free(ep.socket_path);
	ep.socket_path = xstrdup("/tmp/my lxd/unix.socket");
	s = target_client_setup(&ep, NULL, "lxd");
	assert_string_equal(s, "export LXD_SOCKET='/tmp/my lxd/unix.socket'");
	free(s);
	s = target_client_setup(&ep, NULL, "incus");
	assert_string_equal(s, "export INCUS_SOCKET='/tmp/my lxd/unix.socket'");
	free(s);
	/* ... that the client's own variables already name */
	setenv("LXD_DIR", "/tmp/my lxd", 1);
	assert_null(target_client_setup(&ep, NULL, "lxd"));
	setenv("LXD_SOCKET", "/elsewhere.socket", 1);
	s = target_client_setup(&ep, NULL, "lxd");
	assert_non_null(s);
	free(s);
	/* the system socket is not the client's when LXD_DIR names another */
	free(ep.socket_path);
	ep.socket_path = xstrdup("/var/lib/lxd/unix.socket");
	unsetenv("LXD_SOCKET");
	s = target_client_setup(&ep, NULL, "lxd");
	assert_string_equal(s, "export LXD_SOCKET=/var/lib/lxd/unix.socket");
	free(s);
	/* a remote, written either way */
	free(ep.socket_path);
	ep.socket_path = NULL;
	ep.url = xstrdup("https://prod:8443");
	s = target_client_setup(&ep, "prod:", "lxd");
	assert_string_equal(s, "lxc remote switch prod");
	free(s);
	s = target_client_setup(&ep, "prod", "incus");
	assert_string_equal(s, "incus remote switch prod");
	free(s);
	/* a URL the client has no remote for: nothing to switch to */
	assert_null(target_client_setup(&ep, NULL, "lxd"));
	free(ep.url);
}

/* Incus's variables, after LXD's: INCUS_SOCKET, then INCUS_DIR's socket. */
static void
test_socket_incus_env(void **state)
{
	struct target_opts o = { 0 };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *dir = temp_dir();
	char *env_sock = xasprintf("%s/incus-env.socket", dir);
	char *dir_sock = xasprintf("%s/unix.socket", dir);
	char *lxd_sock = xasprintf("%s/lxd.socket", dir);

	(void)state;
	touch(env_sock);
	touch(dir_sock);
	setenv("INCUS_SOCKET", env_sock, 1);
	setenv("INCUS_DIR", dir, 1);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, env_sock);
	lxd_endpoint_release(&ep);

	unlink(env_sock);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, dir_sock);
	lxd_endpoint_release(&ep);

	/* LXD's variable, when it names a socket, comes first */
	touch(lxd_sock);
	setenv("LXD_SOCKET", lxd_sock, 1);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.socket_path, lxd_sock);
	lxd_endpoint_release(&ep);

	rm_rf(dir);
	free(env_sock);
	free(dir_sock);
	free(lxd_sock);
	free(dir);
}

static void
test_socket_none_found(void **state)
{
	struct target_opts o = { 0 };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *dir = temp_dir();
	char *env_sock = xasprintf("%s/env.socket", dir);
	const char *first_system = NULL;
	char *want;

	(void)state;
	setenv("LXD_SOCKET", env_sock, 1);
	setenv("LXD_DIR", dir, 1);
	for (size_t i = 0; i < ARRAY_SIZE(system_paths); i++) {
		if (access(system_paths[i], F_OK) == 0) {
			first_system = system_paths[i];
			break;
		}
	}
	if (first_system) {
		/* this machine has a server: it must be found after ours */
		assert_int_equal(target_resolve(&o, &ep, &d), 0);
		assert_string_equal(ep.socket_path, first_system);
		lxd_endpoint_release(&ep);
	} else {
		want = xasprintf("no LXD or Incus socket found (tried: %s, "
				 "%s/unix.socket, "
				 "/var/snap/lxd/common/lxd/unix.socket, "
				 "/var/lib/lxd/unix.socket, "
				 "/var/lib/incus/unix.socket, "
				 "/run/incus/unix.socket); is the daemon "
				 "running? name its socket with --socket PATH",
				 env_sock, dir);
		assert_int_equal(target_resolve(&o, &ep, &d), -1);
		assert_string_equal(d.msg, want);
		assert_null(ep.socket_path);
		free(want);
	}
	rm_rf(dir);
	free(env_sock);
	free(dir);
}

static void
test_exclusive_options(void **state)
{
	struct target_opts o = { .socket = "/a", .url = "https://h:8443" };
	struct target_opts o2 = { .remote = "prod", .url = "https://h" };
	struct target_opts o3 = { .cert = "c.crt" };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, "--socket, --remote and --url are "
				   "mutually exclusive");
	assert_int_equal(target_resolve(&o2, &ep, &d), -1);
	assert_string_equal(d.msg, "--socket, --remote and --url are "
				   "mutually exclusive");
	assert_int_equal(target_resolve(&o3, &ep, &d), -1);
	assert_string_equal(d.msg, "--cert, --key and --server-cert need "
				   "--url or --remote");
}

/* --- --url ------------------------------------------------------------- */

static void
test_url_good(void **state)
{
	char *crt = fixture("conf-good/client.crt");
	char *key = fixture("conf-good/client.key");
	char *srv = fixture("certs/server.crt");
	struct target_opts o = { .url = "HTTPS://lxd.example.com:9443/",
				 .cert = crt, .key = key,
				 .server_cert = srv };
	struct target_opts o2 = { .url = "https://[2001:db8::1]", .cert = crt,
				  .key = key };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_null(ep.socket_path);
	assert_string_equal(ep.url, "https://lxd.example.com:9443");
	assert_string_equal(ep.label, "https://lxd.example.com:9443");
	assert_string_equal(ep.client_cert, crt);
	assert_string_equal(ep.client_key, key);
	assert_string_equal(ep.server_cert, srv);
	lxd_endpoint_release(&ep);

	/* LXD's port when none is given; system CAs when no --server-cert */
	assert_int_equal(target_resolve(&o2, &ep, &d), 0);
	assert_string_equal(ep.url, "https://[2001:db8::1]:8443");
	assert_null(ep.server_cert);
	lxd_endpoint_release(&ep);
	free(crt);
	free(key);
	free(srv);
}

static void
assert_url_fails(const char *url, const char *cert, const char *key,
		 const char *want)
{
	struct target_opts o = { .url = url, .cert = cert, .key = key };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };

	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, want);
	assert_null(ep.url);
	assert_null(ep.label);
}

static void
test_url_bad(void **state)
{
	char *crt = fixture("conf-good/client.crt");
	char *key = fixture("conf-good/client.key");
	char *missing = fixture("conf-good/nope.key");
	char *want;

	(void)state;
	assert_url_fails("http://h:8443", crt, key,
			 "--url: unsupported URL 'http://h:8443': only "
			 "https:// is supported");
	assert_url_fails("unix:///var/lib/lxd/unix.socket", crt, key,
			 "--url: 'unix:///var/lib/lxd/unix.socket' is a unix "
			 "socket: use --socket PATH for a local server");
	assert_url_fails("192.0.2.1:8443", crt, key,
			 "--url: invalid URL '192.0.2.1:8443': expected "
			 "https://HOST[:PORT]");
	assert_url_fails("https://h:99999", crt, key,
			 "--url: invalid URL 'https://h:99999': expected "
			 "https://HOST[:PORT]");
	assert_url_fails("https://u@h:8443", crt, key,
			 "--url: invalid URL 'https://u@h:8443': expected "
			 "https://HOST[:PORT]");
	assert_url_fails("https://h:8443/1.0", crt, key,
			 "--url: invalid URL 'https://h:8443/1.0': expected "
			 "https://HOST[:PORT]");
	assert_url_fails("https://", crt, key,
			 "--url: invalid URL 'https://': expected "
			 "https://HOST[:PORT]");

	assert_url_fails("https://h:8443", NULL, NULL,
			 "--url needs both --cert and --key (missing both)");
	assert_url_fails("https://h:8443", crt, NULL,
			 "--url needs both --cert and --key (missing --key)");
	assert_url_fails("https://h:8443", NULL, key,
			 "--url needs both --cert and --key (missing --cert)");
	want = xasprintf("cannot read client key '%s': No such file or "
			 "directory", missing);
	assert_url_fails("https://h:8443", crt, missing, want);
	free(want);
	free(missing);
	free(crt);
	free(key);
}

/* Runs target_resolve with stderr caught; returns what it printed. */
static char *
resolve_stderr(const struct target_opts *o, int *rc)
{
	char path[] = "/tmp/lxdh-stderr-XXXXXX";
	int fd = mkstemp(path), saved;
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *text;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	*rc = target_resolve(o, &ep, &d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text = read_file(path, NULL, NULL);
	unlink(path);
	if (*rc == 0)
		lxd_endpoint_release(&ep);
	return text;
}

/* A client key others can read gets a one-line warning, for --key and
   for a remote's client.key alike. */
static void
test_key_mode_warning(void **state)
{
	char dir[] = "/tmp/lxdh-keymode-XXXXXX";
	char *crt = fixture("conf-good/client.crt");
	char *src = fixture("conf-good/client.key");
	char *key, *text, *cmd, *conf = fixture("conf-good"), *ckey;
	struct target_opts o = { .url = "https://192.0.2.1", .cert = crt };
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	key = xasprintf("%s/client.key", dir);
	cmd = xasprintf("cp %s %s && cp -r %s %s/conf", src, key, conf, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	o.key = key;

	assert_int_equal(chmod(key, 0644), 0);
	text = resolve_stderr(&o, &rc);
	assert_int_equal(rc, 0);
	{
		struct strbuf want = STRBUF_INIT;

		strbuf_addstr(&want, "lxd-harden: warning: client key '");
		strbuf_addstr(&want, key);
		strbuf_addstr(&want, "' is readable by everyone (mode 0644); "
				     "anyone who reads it can act as this "
				     "client: chmod 600 ");
		strbuf_addstr(&want, key);
		strbuf_addstr(&want, "\n");
		assert_string_equal(text, want.buf);
		strbuf_release(&want);
	}
	free(text);

	assert_int_equal(chmod(key, 0640), 0);
	text = resolve_stderr(&o, &rc);
	assert_non_null(strstr(text, "readable by its group (mode 0640)"));
	free(text);

	assert_int_equal(chmod(key, 0600), 0);
	text = resolve_stderr(&o, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(text, "");
	free(text);

	/* the remote's client.key beside config.yml */
	free(conf);
	conf = xasprintf("%s/conf", dir);
	ckey = xasprintf("%s/client.key", conf);
	setenv("LXD_CONF", conf, 1);
	memset(&o, 0, sizeof(o));
	o.remote = "prod";
	assert_int_equal(chmod(ckey, 0604), 0);
	text = resolve_stderr(&o, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "warning: client key"));
	assert_non_null(strstr(text, ckey));
	/* one line */
	assert_non_null(strchr(text, '\n'));
	assert_int_equal(strchr(text, '\n') - text + 1, (long)strlen(text));
	free(text);
	assert_int_equal(chmod(ckey, 0600), 0);
	text = resolve_stderr(&o, &rc);
	assert_string_equal(text, "");
	free(text);
	unsetenv("LXD_CONF");

	cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(ckey);
	free(conf);
	free(key);
	free(src);
	free(crt);
}

/* --- --remote ----------------------------------------------------------- */

static void
test_remote_good(void **state)
{
	struct target_opts o = { .remote = "prod" };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *conf = fixture("conf-good");
	char *want;

	(void)state;
	setenv("LXD_CONF", conf, 1);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_null(ep.socket_path);
	assert_string_equal(ep.url, "https://192.0.2.10:8443");
	assert_string_equal(ep.label, "remote prod (https://192.0.2.10:8443)");
	want = xasprintf("%s/client.crt", conf);
	assert_string_equal(ep.client_cert, want);
	free(want);
	want = xasprintf("%s/client.key", conf);
	assert_string_equal(ep.client_key, want);
	free(want);
	want = xasprintf("%s/servercerts/prod.crt", conf);
	assert_string_equal(ep.server_cert, want);
	free(want);
	lxd_endpoint_release(&ep);

	/* "prod:", as lxc spells a remote, is remote prod */
	o.remote = "prod:";
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.url, "https://192.0.2.10:8443");
	assert_string_equal(ep.label, "remote prod (https://192.0.2.10:8443)");
	lxd_endpoint_release(&ep);
	/* one colon only, and never a name of nothing */
	o.remote = "prod::";
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, "invalid remote name 'prod::'");
	o.remote = ":";
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, "invalid remote name ':'");

	/* no servercerts/staging.crt: the system CAs decide */
	o.remote = "staging";
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.url, "https://[2001:db8::5]:8443");
	assert_null(ep.server_cert);
	lxd_endpoint_release(&ep);
	free(conf);
}

static void
test_remote_overrides(void **state)
{
	char *conf = fixture("conf-good");
	char *crt = fixture("certs/other.crt");
	char *key = fixture("certs/other.key");
	char *srv = fixture("certs/server.crt");
	struct target_opts o = { .remote = "prod", .cert = crt, .key = key,
				 .server_cert = srv };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };

	(void)state;
	setenv("LXD_CONF", conf, 1);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	assert_string_equal(ep.client_cert, crt);
	assert_string_equal(ep.client_key, key);
	assert_string_equal(ep.server_cert, srv);
	lxd_endpoint_release(&ep);
	free(conf);
	free(crt);
	free(key);
	free(srv);
}

static void
mkdir_p(const char *path)
{
	char *cmd = xasprintf("mkdir -p '%s'", path);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Without LXD_CONF: ~/.config/lxc first, then the snap's directory. */
static void
test_remote_home_lookup(void **state)
{
	struct target_opts o = { .remote = "prod" };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *home = temp_dir();
	char *good = fixture("conf-good");
	char *nocert = fixture("conf-nocert");
	char *p, *want;

	(void)state;
	setenv("HOME", home, 1);
	want = xasprintf("no client configuration found (tried: "
			 "%s/.config/lxc/config.yml, "
			 "%s/snap/lxd/common/config/config.yml, "
			 "%s/.config/incus/config.yml)", home, home, home);
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, want);
	free(want);

	/* the snap's client directory */
	p = xasprintf("%s/snap/lxd/common", home);
	mkdir_p(p);
	free(p);
	p = xasprintf("%s/snap/lxd/common/config", home);
	assert_int_equal(symlink(good, p), 0);
	free(p);
	assert_int_equal(target_resolve(&o, &ep, &d), 0);
	want = xasprintf("%s/snap/lxd/common/config/client.crt", home);
	assert_string_equal(ep.client_cert, want);
	free(want);
	lxd_endpoint_release(&ep);

	/* ~/.config/lxc wins over the snap's; this one lacks client.crt */
	p = xasprintf("%s/.config", home);
	mkdir_p(p);
	free(p);
	p = xasprintf("%s/.config/lxc", home);
	assert_int_equal(symlink(nocert, p), 0);
	free(p);
	want = xasprintf("cannot read client certificate "
			 "'%s/.config/lxc/client.crt': No such file or "
			 "directory", home);
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, want);
	assert_null(ep.url);
	free(want);

	/* $LXD_CONF, when set, is the only place looked at */
	setenv("LXD_CONF", home, 1);
	want = xasprintf("cannot read client configuration '%s/config.yml' "
			 "(from $LXD_CONF): No such file or directory", home);
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, want);
	free(want);

	rm_rf(home);
	free(home);
	free(good);
	free(nocert);
}

/* Replaces each @FILE@ in tmpl with file and each @DIR@ with dir. */
static char *
expand(const char *tmpl, const char *file, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;

	while (*tmpl) {
		if (str_starts_with(tmpl, "@FILE@")) {
			strbuf_addstr(&sb, file);
			tmpl += 6;
		} else if (str_starts_with(tmpl, "@DIR@")) {
			strbuf_addstr(&sb, dir);
			tmpl += 5;
		} else {
			strbuf_addch(&sb, *tmpl++);
		}
	}
	return strbuf_detach(&sb);
}

static void
assert_remote_fails(const char *conf_dir, const char *remote,
		    const char *tmpl)
{
	struct target_opts o = { .remote = remote };
	struct lxd_endpoint ep;
	struct diag d = { { 0 } };
	char *conf = fixture(conf_dir);
	char *file = xasprintf("%s/config.yml", conf);
	char *want = expand(tmpl, file, conf);

	setenv("LXD_CONF", conf, 1);
	assert_int_equal(target_resolve(&o, &ep, &d), -1);
	assert_string_equal(d.msg, want);
	assert_null(ep.url);
	assert_null(ep.client_cert);
	free(want);
	free(file);
	free(conf);
}

static void
test_remote_errors(void **state)
{
	(void)state;
	assert_remote_fails("conf-good", "nope",
			    "remote 'nope' not found in '@FILE@' (known: "
			    "images, local, prod, staging, sso, web)");
	assert_remote_fails("conf-good", "local",
			    "remote 'local' in '@FILE@' is a unix socket "
			    "('unix://'): audit a local server with --socket "
			    "PATH instead");
	assert_remote_fails("conf-good", "images",
			    "remote 'images' in '@FILE@' uses protocol "
			    "'simplestreams': only LXD and Incus servers "
			    "(protocol 'lxd' or 'incus') can be audited");
	assert_remote_fails("conf-good", "sso",
			    "remote 'sso' in '@FILE@' uses auth_type 'candid': "
			    "only TLS client certificates are supported");
	assert_remote_fails("conf-good", "web",
			    "remote 'web': unsupported URL "
			    "'http://192.0.2.40:8080': only https:// is "
			    "supported");
	assert_remote_fails("conf-nocert", "prod",
			    "cannot read client certificate '@DIR@/client.crt'"
			    ": No such file or directory");
	assert_remote_fails("conf-bad", "prod",
			    "@FILE@:5:4: did not find expected key (while "
			    "parsing a block mapping at line 3 column 3)");
}

/* --- lxd.c: the client's own checks -------------------------------------- */

static void
assert_client_fails(const struct lxd_endpoint *ep, const char *want)
{
	struct diag d = { { 0 } };

	assert_null(lxd_client_new(ep, &d));
	assert_string_equal(d.msg, want);
}

static void
test_client_new_errors(void **state)
{
	char *crt = fixture("conf-good/client.crt");
	char *key = fixture("conf-good/client.key");
	char *other_key = fixture("certs/other.key");
	char *garbage = fixture("certs/garbage.pem");
	char *srv = fixture("certs/server.crt");
	char *missing = fixture("certs/missing.crt");
	char long_path[200];
	char url[] = "https://127.0.0.1:8443";
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *c;
	struct diag d = { { 0 } };
	char *want;

	(void)state;
	assert_client_fails(&ep, "cannot connect: give either a unix socket "
				 "or an https URL");

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	ep.socket_path = long_path;
	want = xasprintf("cannot connect to 'unix://%s': socket path longer "
			 "than 107 bytes", long_path);
	assert_client_fails(&ep, want);
	free(want);

	ep.socket_path = NULL;
	ep.url = url;
	ep.client_cert = missing;
	ep.client_key = key;
	want = xasprintf("cannot use client certificate '%s': No such file or "
			 "directory", missing);
	assert_client_fails(&ep, want);
	free(want);

	ep.client_cert = garbage;
	want = xasprintf("cannot use client certificate '%s': not a PEM "
			 "certificate", garbage);
	assert_client_fails(&ep, want);
	free(want);

	ep.client_cert = crt;
	ep.client_key = garbage;
	want = xasprintf("cannot use client key '%s': not an unencrypted PEM "
			 "private key", garbage);
	assert_client_fails(&ep, want);
	free(want);

	ep.client_key = other_key;
	want = xasprintf("cannot use client certificate '%s': it does not "
			 "match key '%s'", crt, other_key);
	assert_client_fails(&ep, want);
	free(want);

	ep.client_key = key;
	ep.server_cert = garbage;
	want = xasprintf("cannot use server certificate '%s': not a PEM "
			 "certificate", garbage);
	assert_client_fails(&ep, want);
	free(want);

	ep.server_cert = srv;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	assert_int_equal(lxd_client_requests(c), 0);
	lxd_client_free(c);
	lxd_client_free(NULL);

	free(crt);
	free(key);
	free(other_key);
	free(garbage);
	free(srv);
	free(missing);
}

/* --- lxd.c against a canned server on a unix socket ---------------------- */

static struct {
	pid_t pid;
	char *dir;
	char *sock;
} srv;

static void
reply(int fd, const char *status, const char *type, const char *extra,
      const char *body)
{
	dprintf(fd, "HTTP/1.1 %s\r\nContent-Type: %s\r\n%sContent-Length: "
		    "%zu\r\n\r\n%s", status, type, extra, strlen(body), body);
}

#define ENVELOPE_ERROR(code, text)                                       \
	"{\"type\":\"error\",\"status\":\"\",\"status_code\":0,"          \
	"\"operation\":\"\",\"error_code\":" code ",\"error\":\"" text     \
	"\",\"metadata\":null}"

/* Answers one request for path on connection number conn. */
static void
answer(int fd, const char *path, int conn)
{
	char body[512];

	if (!strcmp(path, "/1.0")) {
		snprintf(body, sizeof(body),
			 "{\"type\":\"sync\",\"status\":\"Success\","
			 "\"status_code\":200,\"operation\":\"\","
			 "\"error_code\":0,\"error\":\"\",\"metadata\":"
			 "{\"api_version\":\"1.0\",\"auth\":\"trusted\","
			 "\"conn\":%d}}", conn);
		reply(fd, "200 OK", "application/json",
		      "ETag: \"abc123\"\r\n", body);
	} else if (!strcmp(path, "/1.0/instances/nope")) {
		reply(fd, "404 Not Found", "application/json", "",
		      ENVELOPE_ERROR("404", "Instance not found"));
	} else if (!strcmp(path, "/forbidden")) {
		reply(fd, "403 Forbidden", "application/json", "",
		      ENVELOPE_ERROR("403", "not\\u001b[31m authorized"));
	} else if (!strcmp(path, "/json-500")) {
		reply(fd, "500 Internal Server Error", "application/json", "",
		      "{\"message\":\"boom\"}");
	} else if (!strcmp(path, "/truncated")) {
		reply(fd, "200 OK", "application/json", "",
		      "{\"type\":\"sync\",\"metadata\":{\"a\":");
	} else if (!strcmp(path, "/html")) {
		reply(fd, "200 OK", "text/html", "",
		      "<html><body>\033[31mhello</body></html>");
	} else if (!strcmp(path, "/html-404")) {
		reply(fd, "404 Not Found", "text/html", "",
		      "<html>Not Found</html>");
	} else if (!strcmp(path, "/async")) {
		reply(fd, "202 Accepted", "application/json", "",
		      "{\"type\":\"async\",\"status\":\"Operation created\","
		      "\"status_code\":100,\"operation\":\"/1.0/operations/"
		      "x\",\"metadata\":{}}");
	} else if (!strcmp(path, "/async-op")) {
		/* an operation id a URL would cut at '#' and '?' */
		reply(fd, "202 Accepted", "application/json", "",
		      "{\"type\":\"async\",\"status\":\"Operation created\","
		      "\"status_code\":100,\"operation\":\"/1.0/operations/"
		      "x#y?z=1\",\"metadata\":{}}");
	} else if (!strncmp(path, "/1.0/operations/x%23y%3Fz%3D1/wait?", 35)) {
		reply(fd, "200 OK", "application/json", "",
		      "{\"type\":\"sync\",\"status\":\"Success\","
		      "\"status_code\":200,\"error_code\":0,\"error\":\"\","
		      "\"metadata\":{\"status\":\"Success\","
		      "\"status_code\":200,\"err\":\"\"}}");
	} else if (!strcmp(path, "/no-envelope")) {
		reply(fd, "200 OK", "application/json", "", "[1,2,3]");
	} else if (!strcmp(path, "/dupkeys")) {
		reply(fd, "200 OK", "application/json", "",
		      "{\"type\":\"sync\",\"metadata\":{},\"metadata\":{}}");
	} else if (!strcmp(path, "/huge")) {
		dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
			    "\r\nContent-Length: 300000000\r\n\r\n{\"type\"");
		_exit(0);
	} else if (!strcmp(path, "/garbage")) {
		dprintf(fd, "hello there\r\n\r\n");
		_exit(0);
	} else if (!strcmp(path, "/nothing")) {
		_exit(0);
	} else {
		reply(fd, "404 Not Found", "application/json", "",
		      ENVELOPE_ERROR("404", "not found"));
	}
}

/* Serves GETs on one keep-alive connection until the client closes it. */
static void
serve_conn(int fd, int conn)
{
	char buf[8192], path[256];
	size_t len = 0;
	ssize_t r;
	char *end;

	alarm(30);
	for (;;) {
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			_exit(0);
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end) {
			if (len == sizeof(buf) - 1)
				_exit(1);
			continue;
		}
		/* GET, or DELETE without a body (lxd_send) */
		if (sscanf(buf, "GET %255s HTTP/1.1", path) != 1 &&
		    sscanf(buf, "DELETE %255s HTTP/1.1", path) != 1)
			_exit(1);
		answer(fd, path, conn);
		len -= (size_t)(end + 4 - buf);
		memmove(buf, end + 4, len);
	}
}

static void
serve(int lfd)
{
	int conn = 0;

	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		conn++;
		if (fork() == 0) {
			close(lfd);
			serve_conn(fd, conn);
		}
		close(fd);
	}
}

static int
bind_socket(const char *path, bool do_listen)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 64), 0);
	return fd;
}

static int
server_start(void **state)
{
	int fd;

	(void)state;
	srv.dir = temp_dir();
	srv.sock = xasprintf("%s/unix.socket", srv.dir);
	fd = bind_socket(srv.sock, true);
	srv.pid = fork();
	if (srv.pid < 0)
		return -1;
	if (srv.pid == 0) {
		setpgid(0, 0);
		serve(fd);
		_exit(0);
	}
	setpgid(srv.pid, srv.pid);
	close(fd);
	return 0;
}

static int
server_stop(void **state)
{
	(void)state;
	if (srv.pid > 0) {
		kill(-srv.pid, SIGKILL);
		waitpid(srv.pid, NULL, 0);
	}
	if (srv.dir)
		rm_rf(srv.dir);
	free(srv.dir);
	free(srv.sock);
	memset(&srv, 0, sizeof(srv));
	return 0;
}

static struct lxd_client *
canned_client(void)
{
	struct lxd_endpoint ep = { .socket_path = srv.sock };
	struct diag d = { { 0 } };
	struct lxd_client *c = lxd_client_new(&ep, &d);

	assert_non_null(c);
	return c;
}

static void
test_lxd_sync(void **state)
{
	struct lxd_client *c = canned_client();
	struct lxd_response r;
	struct diag d = { { 0 } };
	json_int_t conn;

	(void)state;
	assert_int_equal(lxd_get(c, "/1.0", &r, &d), 0);
	assert_int_equal(r.err, LXD_OK);
	assert_int_equal(r.http_status, 200);
	assert_string_equal(r.etag, "\"abc123\"");
	assert_true(json_is_object(r.metadata));
	assert_string_equal(json_string_value(json_object_get(r.metadata,
							     "api_version")),
			    "1.0");
	conn = json_integer_value(json_object_get(r.metadata, "conn"));
	lxd_response_release(&r);

	/* the same connection again: keep-alive works */
	assert_int_equal(lxd_get(c, "/1.0", &r, &d), 0);
	assert_int_equal(json_integer_value(json_object_get(r.metadata,
							    "conn")),
			 conn);
	lxd_response_release(&r);
	assert_int_equal(lxd_client_requests(c), 2);
	lxd_client_free(c);
}

static void
assert_get_fails(struct lxd_client *c, const char *path, enum lxd_err err,
		 const char *want)
{
	struct lxd_response r;
	struct diag d = { { 0 } };

	assert_int_equal(lxd_get(c, path, &r, &d), -1);
	assert_string_equal(d.msg, want);
	assert_int_equal(r.err, err);
	assert_null(r.metadata);
	lxd_response_release(&r);
}

/* An async answer's operation id is one path segment of the wait. */
static void
test_lxd_async_operation_path(void **state)
{
	struct lxd_client *c = canned_client();
	struct lxd_response r;
	struct diag d = { { 0 } };

	(void)state;
	if (lxd_send(c, "DELETE", "/async-op", NULL, NULL, &r, &d) != 0)
		fail_msg("%s", d.msg);
	lxd_response_release(&r);
	lxd_client_free(c);
}

static void
test_lxd_http_errors(void **state)
{
	struct lxd_client *c = canned_client();
	struct lxd_response r;
	struct diag d = { { 0 } };

	(void)state;
	assert_int_equal(lxd_get(c, "/1.0/instances/nope", &r, &d), -1);
	assert_string_equal(d.msg, "GET /1.0/instances/nope: 404 Not Found: "
				   "Instance not found");
	assert_int_equal(r.err, LXD_ERR_HTTP);
	assert_int_equal(r.http_status, 404);
	/* the envelope stays available to the caller */
	assert_int_equal(json_integer_value(json_object_get(r.body,
							    "error_code")),
			 404);
	lxd_response_release(&r);

	/* the server's text never reaches a terminal with its escapes */
	assert_get_fails(c, "/forbidden", LXD_ERR_HTTP,
			 "GET /forbidden: 403 Forbidden: not?[31m authorized");
	assert_get_fails(c, "/json-500", LXD_ERR_HTTP,
			 "GET /json-500: 500 Internal Server Error");
	lxd_client_free(c);
}

static void
test_lxd_not_lxd(void **state)
{
	struct lxd_client *c = canned_client();

	(void)state;
	assert_get_fails(c, "/truncated", LXD_ERR_PROTO,
			 "GET /truncated: not an LXD API response (malformed "
			 "JSON at line 1 column 31: unexpected token near end "
			 "of file)");
	assert_get_fails(c, "/html", LXD_ERR_PROTO,
			 "GET /html: not an LXD API response (body is not "
			 "JSON: '<html><body>?[31mhello</body></html>')");
	assert_get_fails(c, "/html-404", LXD_ERR_PROTO,
			 "GET /html-404: not an LXD API response (404 Not "
			 "Found, body is not JSON: '<html>Not Found</html>')");
	assert_get_fails(c, "/async", LXD_ERR_PROTO,
			 "GET /async: not an LXD API response (an async "
			 "operation answered a GET)");
	assert_get_fails(c, "/no-envelope", LXD_ERR_PROTO,
			 "GET /no-envelope: not an LXD API response (JSON "
			 "without the LXD envelope)");
	assert_get_fails(c, "/dupkeys", LXD_ERR_PROTO,
			 "GET /dupkeys: not an LXD API response (malformed "
			 "JSON at line 1 column 39: duplicate object key near "
			 "'\"metadata\"')");
	assert_get_fails(c, "/huge", LXD_ERR_PROTO,
			 "GET /huge: answer refused: a body larger than 256 "
			 "MiB (the cap on one answer)");
	assert_get_fails(c, "/nothing", LXD_ERR_PROTO,
			 "GET /nothing: not an LXD API response (Empty reply "
			 "from server)");
	{
		/* libcurl's words for a reply that is not HTTP vary */
		struct lxd_response r;
		struct diag d = { { 0 } };

		assert_int_equal(lxd_get(c, "/garbage", &r, &d), -1);
		assert_int_equal(r.err, LXD_ERR_PROTO);
		assert_true(str_starts_with(d.msg, "GET /garbage: not an LXD "
						   "API response ("));
		lxd_response_release(&r);
	}
	lxd_client_free(c);
}

static void
test_lxd_connect_errors(void **state)
{
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *c;
	struct diag d = { { 0 } };
	char *dead = xasprintf("%s/dead.socket", srv.dir);
	char *crt = fixture("conf-good/client.crt");
	char *key = fixture("conf-good/client.key");
	char url[] = "https://127.0.0.1:1";
	char *want;
	int fd;

	(void)state;
	ep.socket_path = xasprintf("%s/missing.socket", srv.dir);
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	want = xasprintf("GET /1.0: cannot connect to 'unix://%s': No such "
			 "file or directory (no socket there: is the daemon "
			 "running? or name its socket with --socket PATH)",
			 ep.socket_path);
	assert_get_fails(c, "/1.0", LXD_ERR_CONNECT, want);
	free(want);
	lxd_client_free(c);
	free(ep.socket_path);

	/* a socket file nobody listens on */
	fd = bind_socket(dead, false);
	close(fd);
	ep.socket_path = dead;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	want = xasprintf("GET /1.0: cannot connect to 'unix://%s': "
			 "Connection refused (no daemon listens on this "
			 "socket: is it running? or name its socket with "
			 "--socket PATH)", dead);
	assert_get_fails(c, "/1.0", LXD_ERR_CONNECT, want);
	free(want);
	lxd_client_free(c);

	/* HTTPS to a port nobody listens on */
	ep.socket_path = NULL;
	ep.url = url;
	ep.client_cert = crt;
	ep.client_key = key;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	assert_get_fails(c, "/1.0", LXD_ERR_CONNECT,
			 "GET /1.0: cannot connect to 'https://127.0.0.1:1': "
			 "Connection refused (is the daemon running, and is "
			 "core.https_address this address and port?)");
	lxd_client_free(c);

	free(dead);
	free(crt);
	free(key);
}

/*
 * One GET on sock that must fail with LXD_ERR_PERM and want. Plain C, no
 * cmocka: it also runs in a child that has dropped root.
 */
static int
perm_case(char *sock, mode_t mode, const char *want)
{
	struct lxd_endpoint ep = { .socket_path = sock };
	struct lxd_client *c;
	struct lxd_response r;
	struct diag d = { { 0 } };
	int rc = -1;

	if (chmod(sock, mode) != 0)
		return -1;
	c = lxd_client_new(&ep, &d);
	if (!c)
		return -1;
	if (lxd_get(c, "/1.0", &r, &d) == -1 && r.err == LXD_ERR_PERM &&
	    !strcmp(d.msg, want))
		rc = 0;
	else
		fprintf(stderr, "# got err %d '%s', want '%s'\n", (int)r.err,
			d.msg, want);
	lxd_response_release(&r);
	lxd_client_free(c);
	return rc;
}

static int
perm_checks(void)
{
	char dir[] = "/tmp/lxdh-test-XXXXXX";
	struct sockaddr_un sa;
	struct group *g = getgrgid(getegid());
	char *sock, *want;
	int fd, rc = -1;

	if (!g || !mkdtemp(dir))
		return -1;
	sock = xasprintf("%s/private.socket", dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 4) != 0)
		goto out;

	/* nobody may use it */
	want = xasprintf("GET /1.0: permission denied on '%s': only root may "
			 "use it", sock);
	rc = perm_case(sock, 0, want);
	free(want);
	if (rc)
		goto out;

	/* the group may: the message names the group to join */
	want = xasprintf("GET /1.0: permission denied on '%s': only root and "
			 "members of group '%s' may use it", sock, g->gr_name);
	rc = perm_case(sock, 0060, want);
	free(want);
out:
	if (fd >= 0)
		close(fd);
	unlink(sock);
	rmdir(dir);
	free(sock);
	return rc;
}

/*
 * Root passes every permission check, so as root the checks run in a
 * child that has become nobody (uid and gid 65534, no other groups).
 */
static void
test_lxd_permission(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		assert_int_equal(perm_checks(), 0);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0)
			_exit(77);
		_exit(perm_checks() ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();		/* no CAP_SETUID here: cannot become nobody */
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_lxd_get_all(void **state)
{
	struct lxd_client *c = canned_client();
	static const char *const paths[] = {
		"/1.0", "/1.0/instances/nope", "/truncated", "/1.0", "/html",
		"/1.0", "/json-500", "/1.0", "/1.0", "/1.0", "/1.0", "/1.0",
	};
	struct lxd_request reqs[ARRAY_SIZE(paths)];

	(void)state;
	memset(reqs, 0xa5, sizeof(reqs));
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		reqs[i].path = xstrdup(paths[i]);
	lxd_get_all(c, reqs, ARRAY_SIZE(reqs));
	assert_int_equal(lxd_client_requests(c), ARRAY_SIZE(reqs));
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct lxd_request *r = &reqs[i];

		if (!strcmp(paths[i], "/1.0")) {
			assert_int_equal(r->rc, 0);
			assert_int_equal(r->resp.err, LXD_OK);
			assert_string_equal(r->diag.msg, "");
			assert_string_equal(r->resp.etag, "\"abc123\"");
			assert_true(json_is_object(r->resp.metadata));
		} else {
			assert_int_equal(r->rc, -1);
			assert_null(r->resp.metadata);
		}
	}
	assert_int_equal(reqs[1].resp.err, LXD_ERR_HTTP);
	assert_string_equal(reqs[1].diag.msg, "GET /1.0/instances/nope: 404 "
					      "Not Found: Instance not found");
	assert_int_equal(reqs[2].resp.err, LXD_ERR_PROTO);
	assert_int_equal(reqs[4].resp.err, LXD_ERR_PROTO);
	assert_int_equal(reqs[6].resp.err, LXD_ERR_HTTP);
	assert_int_equal(reqs[6].resp.http_status, 500);
	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		lxd_response_release(&reqs[i].resp);
		free(reqs[i].path);
	}

	/* nothing to do is fine, and lxd_get still works afterwards */
	lxd_get_all(c, NULL, 0);
	{
		struct lxd_response r;
		struct diag d = { { 0 } };

		assert_int_equal(lxd_get(c, "/1.0", &r, &d), 0);
		lxd_response_release(&r);
	}
	assert_int_equal(lxd_client_requests(c), ARRAY_SIZE(reqs) + 1);
	lxd_client_free(c);
}

/* --- lxd.c against a TLS server with the fixtures' certificate ------------ */

static int
accept_any_client(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

/*
 * Answers GET /1.0 on each TLS connection, saying whether the client
 * showed a certificate, then closes it.
 */
static void
tls_serve(int lfd, const char *crt, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || SSL_CTX_use_certificate_file(ctx, crt,
						 SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		_exit(1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client);
	signal(SIGPIPE, SIG_IGN);
	alarm(60);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		char buf[4096], body[256];
		size_t len = 0;
		SSL *ssl;
		X509 *peer;
		int r;

		if (fd < 0)
			continue;
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1) {
			while (len < sizeof(buf) - 1) {
				r = SSL_read(ssl, buf + len,
					     (int)(sizeof(buf) - 1 - len));
				if (r <= 0)
					break;
				len += (size_t)r;
				buf[len] = '\0';
				if (strstr(buf, "\r\n\r\n"))
					break;
			}
			peer = SSL_get1_peer_certificate(ssl);
			snprintf(body, sizeof(body),
				 "{\"type\":\"sync\",\"status_code\":200,"
				 "\"metadata\":{\"client_cert\":%s}}",
				 peer ? "true" : "false");
			X509_free(peer);
			snprintf(buf, sizeof(buf),
				 "HTTP/1.1 200 OK\r\nContent-Type: "
				 "application/json\r\nConnection: close\r\n"
				 "Content-Length: %zu\r\n\r\n%s",
				 strlen(body), body);
			SSL_write(ssl, buf, (int)strlen(buf));
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		close(fd);
	}
}

static void
test_lxd_tls(void **state)
{
	char *crt = fixture("conf-good/client.crt");
	char *key = fixture("conf-good/client.key");
	char *srv_crt = fixture("certs/server.crt");
	char *srv_key = fixture("certs/server.key");
	char *other = fixture("certs/other.crt");
	char *bundle = xasprintf("%s/bundle.crt", srv.dir);
	char *cmd, *url, *want;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct lxd_endpoint ep = { 0 };
	struct lxd_client *c;
	struct lxd_response r;
	struct diag d = { { 0 } };
	pid_t pid;
	int fd;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		tls_serve(fd, srv_crt, srv_key);
		_exit(0);
	}
	close(fd);
	url = xasprintf("https://127.0.0.1:%d", (int)ntohs(sa.sin_port));
	ep.url = url;
	ep.client_cert = crt;
	ep.client_key = key;

	/* pinned: the self-signed certificate is trusted, names ignored */
	ep.server_cert = srv_crt;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	assert_int_equal(lxd_get(c, "/1.0", &r, &d), 0);
	assert_true(json_is_true(json_object_get(r.metadata, "client_cert")));
	lxd_response_release(&r);
	lxd_client_free(c);

	/* another certificate pinned */
	ep.server_cert = other;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	want = xasprintf("GET /1.0: server certificate of '%s' did not "
			 "verify: SSL certificate problem: self-signed "
			 "certificate", url);
	assert_get_fails(c, "/1.0", LXD_ERR_TLS, want);
	lxd_client_free(c);

	/*
	 * nothing pinned: the system CAs do not know it either; the error
	 * says how to pin it, the address a shell word of its own
	 */
	ep.server_cert = NULL;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	free(want);
	want = xasprintf("GET /1.0: server certificate of '%s' did not "
			 "verify: SSL certificate problem: self-signed "
			 "certificate (pin its certificate: --server-cert "
			 "FILE, fetched with: openssl s_client -connect %s "
			 "</dev/null | openssl x509 > server.crt and its "
			 "fingerprint compared; or 'lxc remote add' / 'incus "
			 "remote add' it and use --remote NAME)", url,
			 url + strlen("https://"));
	assert_get_fails(c, "/1.0", LXD_ERR_TLS, want);
	lxd_client_free(c);
	free(want);

	/*
	 * The server's certificate is among the trusted ones, but the
	 * pinned key is the file's first certificate's: still refused.
	 */
	cmd = xasprintf("cat '%s' '%s' > '%s'", other, srv_crt, bundle);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	ep.server_cert = bundle;
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	want = xasprintf("GET /1.0: server certificate of '%s' did not "
			 "verify: its key is not the one in '%s'", url,
			 bundle);
	assert_get_fails(c, "/1.0", LXD_ERR_TLS, want);
	lxd_client_free(c);
	free(want);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(url);
	free(bundle);
	free(other);
	free(srv_key);
	free(srv_crt);
	free(key);
	free(crt);
}

int
main(void)
{
	const struct CMUnitTest target_tests[] = {
		cmocka_unit_test_setup(test_socket_given_is_used_as_is,
				       clear_env),
		cmocka_unit_test_setup(test_socket_discovery_order, clear_env),
		cmocka_unit_test_setup(test_socket_incus_env, clear_env),
		cmocka_unit_test_setup(test_client_setup, clear_env),
		cmocka_unit_test_setup(test_socket_none_found, clear_env),
		cmocka_unit_test_setup(test_exclusive_options, clear_env),
		cmocka_unit_test_setup(test_url_good, clear_env),
		cmocka_unit_test_setup(test_url_bad, clear_env),
		cmocka_unit_test_setup(test_key_mode_warning, clear_env),
		cmocka_unit_test_setup(test_remote_good, clear_env),
		cmocka_unit_test_setup(test_remote_overrides, clear_env),
		cmocka_unit_test_setup(test_remote_home_lookup, clear_env),
		cmocka_unit_test_setup(test_remote_errors, clear_env),
		cmocka_unit_test(test_client_new_errors),
		cmocka_unit_test(test_lxd_sync),
		cmocka_unit_test(test_lxd_http_errors),
		cmocka_unit_test(test_lxd_async_operation_path),
		cmocka_unit_test(test_lxd_not_lxd),
		cmocka_unit_test(test_lxd_connect_errors),
		cmocka_unit_test(test_lxd_permission),
		cmocka_unit_test(test_lxd_get_all),
		cmocka_unit_test(test_lxd_tls),
	};

	return cmocka_run_group_tests(target_tests, server_start,
				      server_stop);
}
