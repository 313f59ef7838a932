/* host_ops.c - running host commands and asking a socket for its owner */
#define _GNU_SOURCE	/* SO_PEERCRED, struct ucred */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"

#define RUN_TIMEOUT_MS 30000
#define RUN_OUT_MAX (64u << 20)	/* an nft ruleset can be large */
#define RUN_ERR_MAX 4096u

void
host_run_release(struct host_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->status = 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

/* Reads what is there; returns 1 at end of file, 0 for more, -1 on error. */
static int
drain(int fd, struct strbuf *sb, size_t max, bool *truncated)
{
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return 1;
	if (sb->len + (size_t)n > max) {
		*truncated = true;
		if (sb->len < max)
			strbuf_add(sb, buf, max - sb->len);
		return 0;
	}
	strbuf_add(sb, buf, (size_t)n);
	return 0;
}

/*
 * Reads both pipes until both are closed or the time is up: the
 * command's own limit, or the audit's deadline when that comes first.
 * Returns 0, -1 on the command's timeout or a read error, -2 at the
 * audit's deadline.
 */
static int
collect(int out_fd, int err_fd, struct strbuf *out, struct strbuf *err,
	bool *out_truncated, struct diag *d)
{
	struct pollfd p[2] = {
		{ .fd = out_fd, .events = POLLIN },
		{ .fd = err_fd, .events = POLLIN },
	};
	long long own = RUN_TIMEOUT_MS;
	bool audit_deadline = deadline_left_ms() < own;
	long long deadline = now_ms() +
			     (audit_deadline ? deadline_left_ms() : own);
	bool err_truncated = false;

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		long long left = deadline - now_ms();
		int rc;

		if (left <= 0 && audit_deadline) {
			diag_set(d, "stopped at the deadline");
			return -2;
		}
		if (left <= 0) {
			diag_set(d, "no answer within %d seconds",
				 RUN_TIMEOUT_MS / 1000);
			return -1;
		}
		rc = poll(p, 2, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			diag_set(d, "poll: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			int r;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP |
							     POLLERR)))
				continue;
			r = i == 0 ? drain(p[i].fd, out, RUN_OUT_MAX,
					   out_truncated)
				   : drain(p[i].fd, err, RUN_ERR_MAX,
					   &err_truncated);
			if (r < 0) {
				diag_set(d, "read: %s", strerror(errno));
				return -1;
			}
			if (r == 1)
				p[i].fd = -1;
		}
	}
	return 0;
}

/*
 * Root runs these commands, so each must be a file only root can change:
 * the file and every directory on its real path owned by root and not
 * writable by group (unless the group is root's) or others (unless a
 * directory has the sticky bit, like /tmp). 0, or -1 with d.
 */
static int
trusted_binary(const char *path, struct diag *d)
{
	char *real = realpath(path, NULL);
	struct stat st;
	char *cut;
	bool file = true;

	if (!real) {
		diag_set(d, "cannot run %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		const char *at = *real ? real : "/";
		bool sticky;

		if (stat(at, &st) != 0) {
			diag_set(d, "cannot run %s: %s: %s", path, at,
				 strerror(errno));
			break;
		}
		sticky = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
		if (file && !S_ISREG(st.st_mode)) {
			diag_set(d, "refusing to run %s: %s is not a regular "
				    "file", path, at);
			break;
		}
		if (st.st_uid != 0 ||
		    ((st.st_mode & S_IWGRP) && st.st_gid != 0 && !sticky) ||
		    ((st.st_mode & S_IWOTH) && !sticky)) {
			diag_set(d, "refusing to run %s: %s can be changed by "
				    "a user other than root (owner %ld, mode "
				    "%04o)", path, at, (long)st.st_uid,
				 (unsigned)(st.st_mode & 07777));
			break;
		}
		if (!*real) {
			free(real);
			return 0;
		}
		file = false;
		cut = strrchr(real, '/');
		*cut = '\0';	/* "/usr/bin" -> "/usr" -> "" (the root) */
	}
	free(real);
	return -1;
}

static int
system_run(const struct host_ops *ops, const char *const argv[],
	   struct host_run *r, struct diag *d)
{
	static const char *const env[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"LC_ALL=C",
		NULL,
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	posix_spawn_file_actions_t fa;
	char **av, **ev;
	size_t n = 0;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	bool truncated = false;
	pid_t pid;
	int status, rc = -1, e;

	(void)ops;
	memset(r, 0, sizeof(*r));
	if (trusted_binary(argv[0], d) != 0)
		return -1;
	while (argv[n])
		n++;
	/* posix_spawn takes char *const[]: give it copies it may not keep */
	av = xcalloc(n + 1, sizeof(*av));
	for (size_t i = 0; i < n; i++)
		av[i] = xstrdup(argv[i]);
	ev = xcalloc(ARRAY_SIZE(env), sizeof(*ev));
	for (size_t i = 0; env[i]; i++)
		ev[i] = xstrdup(env[i]);

	if (cloexec_pipe(po) != 0 || cloexec_pipe(pe) != 0) {
		diag_set(d, "cannot run %s: pipe: %s", argv[0],
			 strerror(errno));
		goto out_fds;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	e = posix_spawn(&pid, av[0], &fa, NULL, av, ev);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (e != 0) {
		diag_set(d, "cannot run %s: %s", argv[0], strerror(e));
		goto out_fds;
	}
	if ((e = collect(po[0], pe[0], &out, &err, &truncated, d)) != 0) {
		char msg[sizeof(d->msg)];

		snprintf(msg, sizeof(msg), "%s", d->msg);
		if (e == -2)
			deadline_note(argv[0]);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		diag_set(d, "%s: %s", argv[0], msg);
		goto out_fds;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			diag_set(d, "%s: waitpid: %s", argv[0],
				 strerror(errno));
			goto out_fds;
		}
	}
	if (WIFSIGNALED(status)) {
		diag_set(d, "%s was killed by signal %d", argv[0],
			 WTERMSIG(status));
		goto out_fds;
	}
	if (truncated) {
		diag_set(d, "%s printed more than %u MiB", argv[0],
			 RUN_OUT_MAX >> 20);
		goto out_fds;
	}
	r->status = WEXITSTATUS(status);
	r->out = strbuf_detach(&out);
	r->err = strbuf_detach(&err);
	rc = 0;
out_fds:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	for (size_t i = 0; i < n; i++)
		free(av[i]);
	free(av);
	for (size_t i = 0; ev[i]; i++)
		free(ev[i]);
	free(ev);
	return rc;
}

static int
system_socket_pid(const struct host_ops *ops, const char *path, long *pid,
		  struct diag *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, rc = -1;

	(void)ops;
	*pid = 0;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		diag_set(d, "socket path '%s' is too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		diag_set(d, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		diag_set(d, "cannot connect to '%s': %s", path,
			 strerror(errno));
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		diag_set(d, "'%s': SO_PEERCRED: %s", path, strerror(errno));
		goto out;
	}
	if (cred.pid <= 0) {
		diag_set(d, "'%s': the peer's PID is not visible here", path);
		goto out;
	}
	*pid = (long)cred.pid;
	rc = 0;
out:
	close(fd);
	return rc;
}

const struct host_ops host_ops_system = {
	.run = system_run,
	.socket_pid = system_socket_pid,
	.data = NULL,
};
