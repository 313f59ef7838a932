/* test_lxd_write.c - a write is sent once, and an unanswered one is
   "unknown": lxd_send() against a fake server on a unix socket */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lxd.h"

/* What the fake server does with a write (any method but GET). */
enum mode {
	CLOSE_REUSED,	/* close without answering when the connection has
			   served a request before (a kept-alive connection
			   that died), else answer 200 */
	CLOSE_ALL,	/* read it, close without answering */
	HANG,		/* read it, never answer */
	ERROR_500,	/* answer with an LXD error */
};

struct fake {
	char *dir, *sock, *log;
	pid_t pid;
};

static const char OK_BODY[] =
	"{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,"
	"\"metadata\":{}}";
static const char ERR_BODY[] =
	"{\"type\":\"error\",\"error\":\"boom\",\"error_code\":500}";

static void
reply(int fd, int code, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 code, strlen(body));

	if (write(fd, head, (size_t)n) < 0 ||
	    write(fd, body, strlen(body)) < 0)
		_exit(3);
}

/* The server: poll over its connections, one log line per request. */
static void
serve(int lfd, enum mode mode, const char *logpath)
{
	struct pollfd p[16];
	struct strbuf in[16];
	int served[16], id[16], n = 1, next = 1;
	FILE *log = fopen(logpath, "w");

	if (!log)
		_exit(2);
	setvbuf(log, NULL, _IONBF, 0);
	p[0].fd = lfd;
	p[0].events = POLLIN;
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			_exit(2);
		if ((p[0].revents & POLLIN) && n < 16) {
			int c = accept(lfd, NULL, NULL);

			if (c >= 0) {
				p[n].fd = c;
				p[n].events = POLLIN;
				p[n].revents = 0;
				memset(&in[n], 0, sizeof(in[n]));
				served[n] = 0;
				id[n] = next++;
				n++;
			}
		}
		for (int i = 1; i < n; i++) {
			char buf[4096], *end, *cl;
			ssize_t r;
			size_t hlen, blen = 0;

			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r <= 0)
				goto drop;
			strbuf_add(&in[i], buf, (size_t)r);
			end = strstr(in[i].buf, "\r\n\r\n");
			if (!end)
				continue;
			hlen = (size_t)(end - in[i].buf) + 4;
			cl = strstr(in[i].buf, "Content-Length: ");
			if (cl && cl < end)
				blen = strtoul(cl + 16, NULL, 10);
			if (in[i].len < hlen + blen)
				continue;
			fprintf(log, "c%d %.*s\n", id[i],
				(int)strcspn(in[i].buf, " "), in[i].buf);
			if (!strncmp(in[i].buf, "GET ", 4)) {
				reply(p[i].fd, 200, OK_BODY);
			} else if (mode == ERROR_500) {
				reply(p[i].fd, 500, ERR_BODY);
			} else if (mode == HANG) {
				/* never answered */
			} else if (mode == CLOSE_ALL ||
				   (mode == CLOSE_REUSED && served[i])) {
				goto drop;
			} else {
				reply(p[i].fd, 200, OK_BODY);
			}
			served[i]++;
			in[i].len = 0;
			continue;
drop:
			close(p[i].fd);
			strbuf_release(&in[i]);
			p[i] = p[n - 1];
			in[i] = in[n - 1];
			served[i] = served[n - 1];
			id[i] = id[n - 1];
			n--;
			i--;
		}
	}
}

static void
fake_start(struct fake *f, enum mode mode)
{
	struct sockaddr_un sa;
	int lfd;
	char t[] = "/tmp/lxdh-wtest.XXXXXX";

	assert_non_null(mkdtemp(t));
	f->dir = xstrdup(t);
	f->sock = xasprintf("%s/s", f->dir);
	f->log = xasprintf("%s/log", f->dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, f->sock, strlen(f->sock));
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		serve(lfd, mode, f->log);
		_exit(0);
	}
	close(lfd);
}

/* The server's log so far, then it is stopped; caller frees. */
static char *
fake_stop(struct fake *f)
{
	struct diag d = { { 0 } };
	char *log, *cmd;

	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	log = read_file(f->log, NULL, &d);
	assert_non_null(log);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->dir);
	free(f->sock);
	free(f->log);
	return log;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static struct lxd_client *
client_of(const struct fake *f)
{
	struct lxd_endpoint ep = { 0 };
	struct diag d = { { 0 } };
	struct lxd_client *c;

	ep.socket_path = xstrdup(f->sock);
	c = lxd_client_new(&ep, &d);
	assert_non_null(c);
	lxd_endpoint_release(&ep);
	return c;
}

/*
 * The GET leaves a kept-alive connection the server then drops when a
 * request comes on it. A write must not go there: libcurl would send it
 * again on a new connection by itself (LXD then answered the second
 * copy 412). It goes on a fresh connection, once.
 */
static void
test_write_never_resent(void **state)
{
	struct fake f;
	struct lxd_client *c;
	struct lxd_response r;
	struct diag d = { { 0 } };
	json_t *body = json_pack("{s:{}}", "config");
	char *log;

	(void)state;
	fake_start(&f, CLOSE_REUSED);
	c = client_of(&f);
	assert_int_equal(lxd_get(c, "/1.0", &r, &d), 0);
	lxd_response_release(&r);
	assert_int_equal(lxd_send(c, "PUT", "/1.0/profiles/p", body, NULL, &r,
				  &d), 0);
	lxd_response_release(&r);
	lxd_client_free(c);
	log = fake_stop(&f);
	assert_int_equal(count(log, " PUT"), 1);
	assert_non_null(strstr(log, "c1 GET\nc2 PUT\n"));
	free(log);
	json_decref(body);
}

/* Read and dropped without an answer: sent once, outcome unknown. */
static void
test_dropped_is_unknown(void **state)
{
	struct fake f;
	struct lxd_client *c;
	struct lxd_response r;
	struct diag d = { { 0 } };
	json_t *body = json_pack("{s:{}}", "config");
	char *log;

	(void)state;
	fake_start(&f, CLOSE_ALL);
	c = client_of(&f);
	assert_int_equal(lxd_send(c, "PATCH", "/1.0", body, "\"e\"", &r, &d),
			 -1);
	assert_true(r.unknown);
	assert_non_null(strstr(d.msg, "PATCH /1.0: "));
	lxd_response_release(&r);
	lxd_client_free(c);
	log = fake_stop(&f);
	assert_int_equal(count(log, " PATCH"), 1);
	free(log);
	json_decref(body);
}

/* Never answered: the write's deadline ends it, outcome unknown. */
static void
test_hang_hits_the_write_deadline(void **state)
{
	struct fake f;
	struct lxd_client *c;
	struct lxd_response r;
	struct diag d = { { 0 } };
	json_t *body = json_pack("{s:{}}", "config");
	struct timespec a, b;
	double secs;
	char *log;

	(void)state;
	fake_start(&f, HANG);
	c = client_of(&f);
	lxd_client_set_write_timeout(c, 500);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(lxd_send(c, "PUT", "/1.0/instances/c1", body, NULL,
				  &r, &d), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs >= 0.4 && secs < 5);
	assert_true(r.unknown);
	assert_non_null(strstr(d.msg, "within 500 ms; whether the change was made is unknown"));
	lxd_response_release(&r);
	lxd_client_free(c);
	log = fake_stop(&f);
	assert_int_equal(count(log, " PUT"), 1);
	free(log);
	json_decref(body);
}

/* An answer, even an error, is known; so is a server that is not there. */
static void
test_answers_are_known(void **state)
{
	struct fake f;
	struct lxd_client *c;
	struct lxd_response r;
	struct diag d = { { 0 } };
	json_t *body = json_pack("{s:{}}", "config");
	char *log, *gone;

	(void)state;
	fake_start(&f, ERROR_500);
	c = client_of(&f);
	assert_int_equal(lxd_send(c, "PUT", "/1.0/profiles/p", body, NULL, &r,
				  &d), -1);
	assert_false(r.unknown);
	assert_int_equal(r.http_status, 500);
	lxd_response_release(&r);
	lxd_client_free(c);
	gone = xstrdup(f.sock);
	log = fake_stop(&f);
	free(log);

	f.sock = gone;
	c = client_of(&f);
	assert_int_equal(lxd_send(c, "PUT", "/1.0/profiles/p", body, NULL, &r,
				  &d), -1);
	assert_false(r.unknown);
	lxd_response_release(&r);
	lxd_client_free(c);
	free(gone);
	json_decref(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_never_resent),
		cmocka_unit_test(test_dropped_is_unknown),
		cmocka_unit_test(test_hang_hits_the_write_deadline),
		cmocka_unit_test(test_answers_are_known),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
