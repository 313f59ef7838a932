/* cmd_watch.c - lxd-harden watch: follow the event stream, print drift */
#include "catalog.h"
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_run.h"
#include "check.h"
#include "cli.h"
#include "deadline.h"
#include "engine.h"
#include "escape.h"
#include "gate.h"
#include "releases.h"
#include "target.h"
#include "watch.h"

#define WATCH_FULL_EVERY_MS (3600LL * 1000)
#define WATCH_EXEC_TIMEOUT_MS 10000LL
#define WATCH_BACKOFF_MAX_MS 30000LL
/* a silent stream is pinged after this long, and dropped when the
   answer does not come within WATCH_PONG_MS */
#define WATCH_IDLE_MS 30000LL
#define WATCH_PONG_MS 10000LL
/* at most this many events are folded into one refresh */
#define WATCH_COALESCE_MAX 10000
/*
 * LXD 5.0.2 and Incus 6.0.4 send project-updated before the change is
 * written (api_project.go: SendLifecycle, then projectChange), so a read
 * right after the event can see the old state: what an event names is
 * read again these many ms after the last event (a busy daemon can take
 * a while to write; a drift missed here would wait for the next full
 * audit).
 */
static const long long watch_settle_ms[] = { 250, 1000, 3000 };
#define WATCH_SETTLE_STEPS (sizeof(watch_settle_ms) / sizeof(watch_settle_ms[0]))

static void
watch_usage(FILE *f)
{
	fputs("usage: lxd-harden watch [options]\n"
	      "\n"
	      "Follows the server's event stream and prints each finding that\n"
	      "appears or goes away, one line each, as the change happens.\n"
	      "\n"
	      "Where the server is (as for audit):\n"
	      "  --socket PATH          the LXD unix socket\n"
	      "  --remote NAME          a remote from the lxc client configuration\n"
	      "  --url https://H:P      a server over HTTPS, with --cert and --key\n"
	      "  --cert FILE --key FILE client certificate and key (PEM)\n"
	      "  --server-cert FILE     the server certificate to pin\n"
	      "  --host-root DIR        read the host checks' files under DIR, not /\n"
	      "\n"
	      "What to check and report:\n"
	      "  --policy FILE          thresholds, admins, skips, waivers (YAML);\n"
	      "                         SIGHUP reads it again\n"
	      "  --releases FILE        the supported-release table (GEN-001)\n"
	      "  --format FORMAT        json, text (default json: one object a line)\n"
	      "  --exec CMD             run CMD for each change, the JSON line on its\n"
	      "                         stdin; CMD is split at spaces, no shell\n"
	      "  --exec-timeout DURATION  kill CMD after this long (default 10s)\n"
	      "  --journal              also send each change to the systemd journal\n"
	      "  --full-every DURATION  a full audit this often (default 1h)\n"
	      "  --timeout DURATION     each audit ends within it (default 120s)\n"
	      "\n"
	      "Runs until SIGTERM or SIGINT (exit 0); reconnects when the server\n"
	      "goes away. Exit status 1: bad options or policy at start.\n",
	      f);
}

struct watch_opts {
	struct audit_run_opts run;
	bool text;
	const char *exec;
	long long exec_timeout_ms;
	bool journal;
	long long full_every_ms;
};

static int
parse_opts(int argc, char **argv, struct watch_opts *o)
{
	enum {
		OPT_SOCKET = TARGET_OPT_SOCKET, OPT_REMOTE, OPT_URL, OPT_CERT,
		OPT_KEY, OPT_SERVER_CERT, OPT_POLICY, OPT_RELEASES,
		OPT_HOST_ROOT, OPT_FORMAT, OPT_EXEC, OPT_EXEC_TIMEOUT,
		OPT_JOURNAL, OPT_FULL_EVERY, OPT_TIMEOUT,
	};
	_Static_assert((int)OPT_SERVER_CERT == (int)TARGET_OPT_SERVER_CERT,
		       "the target options keep their shared values");
	static const struct option longopts[] = {
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "exec", required_argument, NULL, OPT_EXEC },
		{ "exec-timeout", required_argument, NULL, OPT_EXEC_TIMEOUT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "full-every", required_argument, NULL, OPT_FULL_EVERY },
		{ "help", no_argument, NULL, 'h' },
		{ "host-root", required_argument, NULL, OPT_HOST_ROOT },
		{ "journal", no_argument, NULL, OPT_JOURNAL },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "releases", required_argument, NULL, OPT_RELEASES },
		{ "remote", required_argument, NULL, OPT_REMOTE },
		{ "server-cert", required_argument, NULL, OPT_SERVER_CERT },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "url", required_argument, NULL, OPT_URL },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->exec_timeout_ms = WATCH_EXEC_TIMEOUT_MS;
	o->full_every_ms = WATCH_FULL_EVERY_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		long long *dur = NULL;
		const char *name = NULL;

		if (target_opt_set(&o->run.target, c, optarg))
			continue;
		switch (c) {
		case OPT_POLICY:
			o->run.policy = optarg;
			break;
		case OPT_RELEASES:
			o->run.releases = optarg;
			break;
		case OPT_HOST_ROOT:
			o->run.host_root = optarg;
			break;
		case OPT_FORMAT:
			if (str_eq(optarg, "text")) {
				o->text = true;
			} else if (str_eq(optarg, "json")) {
				o->text = false;
			} else {
				cmd_error("watch: unknown format '%s' (json, "
					  "text)", optarg);
				return -1;
			}
			break;
		case OPT_EXEC:
			if (!optarg[strspn(optarg, " \t")]) {
				cmd_error("watch: --exec needs a command");
				return -1;
			}
			o->exec = optarg;
			break;
		case OPT_JOURNAL:
			o->journal = true;
			break;
		case OPT_EXEC_TIMEOUT:
			dur = &o->exec_timeout_ms;
			name = "--exec-timeout";
			break;
		case OPT_FULL_EVERY:
			dur = &o->full_every_ms;
			name = "--full-every";
			break;
		case OPT_TIMEOUT:
			dur = &o->run.timeout_ms;
			name = "--timeout";
			break;
		case 'h':
			watch_usage(stdout);
			exit(EXIT_CLEAN);
		default:
			cli_bad_option("watch", c, argv, longopts);
			return -1;
		}
		if (dur) {
			*dur = deadline_parse(optarg);
			if (*dur < 0) {
				cmd_error("watch: %s '%s' is not a duration "
					  "(e.g. 30s, 500ms, 2m, 1h; at most "
					  "24h)", name, optarg);
				return -1;
			}
		}
	}
	if (optind < argc) {
		cmd_error("watch: unexpected argument '%s' (see 'lxd-harden "
			  "watch --help')", argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- signals: a flag and a byte on a pipe that wakes the wait */

static volatile sig_atomic_t got_term, got_hup;
static int wake_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	char b = 1;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	if (wake_pipe[1] >= 0)
		(void)!write(wake_pipe[1], &b, 1);
	errno = saved;
}

static int
signals_setup(void)
{
	struct sigaction sa;

	if (pipe(wake_pipe) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(wake_pipe[i], F_SETFL,
		      fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static void
drain_wake(void)
{
	char b[64];

	while (read(wake_pipe[0], b, sizeof(b)) > 0)
		;
}

/* Sleeps ms, or less when a signal comes. */
static void
nap(long long ms)
{
	struct pollfd p = { .fd = wake_pipe[0], .events = POLLIN };

	if (!got_term && !got_hup)
		(void)poll(&p, 1, (int)ms);
}

/* ---- output */

struct watcher {
	struct watch_opts *o;
	struct audit_run ar;
	json_t *state;		/* the findings map; NULL before the first
				   audit */
	size_t changes;
	bool journal_warned;
	/* the reads again of what recent events named (watch_settle_ms) */
	bool again_want[SNAP__COUNT];
	long long again_at;	/* 0: none pending */
	long long again_from;	/* the last event's time */
	size_t again_step;	/* the next watch_settle_ms[] */
	json_t *again_cause;
};

/* Asks for the parts of want to be read again once the server settled. */
static void
read_again(struct watcher *w, const bool want[SNAP__COUNT], json_t *cause)
{
	long long now = watch_now_ms();

	for (size_t k = 0; k < SNAP__COUNT; k++)
		w->again_want[k] = w->again_want[k] || want[k];
	/* the schedule starts again from this event */
	w->again_from = now;
	w->again_step = 0;
	if (!w->again_at || w->again_at > now + watch_settle_ms[0])
		w->again_at = now + watch_settle_ms[0];
	json_decref(w->again_cause);
	w->again_cause = json_incref(cause);
}

static int
journal_priority(const char *event, const char *sev)
{
	if (!str_eq(event, "new"))
		return 6;
	if (str_eq(sev, "critical"))
		return 2;
	if (str_eq(sev, "high"))
		return 3;
	if (str_eq(sev, "medium"))
		return 4;
	return 5;
}

/* One field of the journal's native protocol (systemd.journal-fields). */
static void
jfield(struct strbuf *b, const char *name, const char *v)
{
	if (!v)
		return;
	if (!strchr(v, '\n')) {
		strbuf_addf(b, "%s=%s\n", name, v);
		return;
	}
	{
		unsigned long long n = strlen(v);
		unsigned char le[8];

		for (int i = 0; i < 8; i++)
			le[i] = (unsigned char)(n >> (8 * i));
		strbuf_addf(b, "%s\n", name);
		strbuf_add(b, le, 8);
		strbuf_add(b, v, (size_t)n);
		strbuf_addch(b, '\n');
	}
}

/*
 * Writes one change to the journal: the native protocol on its socket
 * ($LXDH_JOURNAL_SOCKET for tests), a datagram, no library needed.
 */
static void
journal_send(struct watcher *w, const char *line, const char *event,
	     const json_t *finding)
{
	const char *path = getenv("LXDH_JOURNAL_SOCKET");
	const char *sev = json_string_value(json_object_get(finding,
							    "severity"));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct strbuf b = STRBUF_INIT;
	char prio[4];
	int fd;

	if (!path || !*path)
		path = "/run/systemd/journal/socket";
	snprintf(prio, sizeof(prio), "%d", journal_priority(event, sev));
	jfield(&b, "MESSAGE", line);
	jfield(&b, "PRIORITY", prio);
	jfield(&b, "SYSLOG_IDENTIFIER", "lxd-harden");
	jfield(&b, "LXD_HARDEN_EVENT", event);
	jfield(&b, "LXD_HARDEN_CHECK",
	       json_string_value(json_object_get(finding, "check")));
	jfield(&b, "LXD_HARDEN_SEVERITY", sev);
	jfield(&b, "LXD_HARDEN_OBJECT",
	       json_string_value(json_object_get(finding, "object")));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (strlen(path) >= sizeof(sa.sun_path) || fd < 0 ||
	    (memcpy(sa.sun_path, path, strlen(path) + 1),
	     sendto(fd, b.buf, b.len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		    sizeof(sa)) < 0)) {
		if (!w->journal_warned)
			cmd_error("watch: cannot write to the journal at %s: "
				  "%s", path, strerror(errno));
		w->journal_warned = true;
	} else {
		w->journal_warned = false;
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&b);
}

/*
 * Runs --exec once: CMD split at blanks (no shell, no quoting), the
 * line on its stdin, its stdout sent to our stderr so that it cannot mix
 * with the stream of changes, killed (its process group) at the
 * deadline.
 */
static void
run_exec(const struct watch_opts *o, const char *line)
{
	char *copy = xstrdup(o->exec), *save = NULL, *tok;
	char **argv = NULL;
	size_t n = 0;
	int in[2];
	pid_t pid;
	long long end = watch_now_ms() + o->exec_timeout_ms;
	size_t len = strlen(line), off = 0;
	int status = 0;
	bool killed = false;

	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		argv = xrealloc(argv, (n + 2) * sizeof(*argv));
		argv[n++] = tok;
	}
	argv[n] = NULL;
	if (pipe(in) != 0) {
		cmd_error("watch: --exec: %s", strerror(errno));
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		cmd_error("watch: --exec: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		goto out;
	}
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = SIG_DFL };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGPIPE, &sa, NULL);
		setpgid(0, 0);
		if (dup2(in[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(127);
		close(in[0]);
		close(in[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	while (off < len + 1 && watch_now_ms() < end) {
		const char *p = off < len ? line + off : "\n";
		size_t l = off < len ? len - off : 1;
		ssize_t w = write(in[1], p, l);
		struct pollfd pf = { .fd = in[1], .events = POLLOUT };

		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;	/* it does not read: EPIPE */
		(void)poll(&pf, 1, 100);
	}
	close(in[1]);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (watch_now_ms() >= end && !killed) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = true;
			cmd_error("watch: --exec %s took longer than %lld ms; "
				  "killed", argv[0], o->exec_timeout_ms);
		}
		{
			/* not nap(): a signal must not turn this into a
			   busy loop */
			struct timespec ts = { 0, (killed ? 50 : 20) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	if (!killed && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		cmd_error("watch: --exec %s failed (status %d)", argv[0],
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
out:
	free(argv);
	free(copy);
}

static void
print_text(const char *event, const json_t *f, const json_t *cause)
{
	const json_t *md = json_object_get(cause, "metadata");
	const char *action = json_string_value(json_object_get(md, "action"));
	const char *source = json_string_value(json_object_get(md, "source"));
	const char *audit = json_string_value(json_object_get(cause, "audit"));
	const char *key = json_string_value(json_object_get(f, "key"));
	const char *dev = json_string_value(json_object_get(f, "device"));
	char when[32];

	format_rfc3339(now_epoch(), when, sizeof(when));
	if (!action && str_eq(json_string_value(json_object_get(cause, "type")),
			      "operation"))
		action = "token operation";
	term_printf(stdout, "%s %-5s %-8s %s %s%s%s%s%s: %s (%s%s%s%s)", when,
		    event,
		    json_string_value(json_object_get(f, "severity")),
		    json_string_value(json_object_get(f, "check")),
		    json_string_value(json_object_get(f, "object")),
		    dev ? " device " : "", dev ? dev : "", key ? " " : "",
		    key ? key : "",
		    json_string_value(json_object_get(f, "message")),
		    audit ? "audit: " : "",
		    audit ? audit : action ? action : "event",
		    source && !audit ? " " : "",
		    source && !audit ? source : "");
}

static void
emit(struct watcher *w, const char *event, json_t *finding, json_t *cause)
{
	json_t *line = json_object();
	char *s;

	json_object_set_new(line, "event", json_string(event));
	json_object_set(line, "finding", finding);
	json_object_set(line, "cause", cause);
	s = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(line);
	if (!s)
		return;
	if (w->o->text)
		print_text(event, finding, cause);
	else
		printf("%s\n", s);
	fflush(stdout);
	if (w->o->journal)
		journal_send(w, s, event, finding);
	if (w->o->exec)
		run_exec(w->o, s);
	w->changes++;
	free(s);
}

/* Prints what changed from w->state to the findings of the report. */
static void
diff_and_emit(struct watcher *w, json_t *cause)
{
	json_t *now = watch_findings(&w->ar.report, w->state);
	const char *k;
	json_t *v;

	if (w->state) {
		json_object_foreach (w->state, k, v)
			if (!json_object_get(now, k))
				emit(w, "fixed", v, cause);
	}
	json_object_foreach (now, k, v)
		if (!w->state || !json_object_get(w->state, k))
			emit(w, "new", v, cause);
	json_decref(w->state);
	w->state = now;
}

static void
emit_audit(struct watcher *w, const char *reason)
{
	const struct report *r = &w->ar.report;

	if (w->o->text) {
		term_printf(stdout, "audit (%s) of %s: %zu failing findings, "
			    "score %.0f", reason, r->endpoint,
			    json_object_size(w->state), r->score);
	} else {
		json_t *j = json_pack("{s:s, s:s, s:s?, s:I, s:f}", "event",
				      "audit", "reason", reason, "server",
				      r->endpoint,
				      "failing",
				      (json_int_t)json_object_size(w->state),
				      "score", r->score);
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) :
			      NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
	}
	fflush(stdout);
}

/* ---- audits */

static int
full_audit(struct watcher *w, const char *reason)
{
	struct diag d = { { 0 } };
	json_t *cause;

	if (audit_run_again(&w->ar, &w->o->run, &d) != 0) {
		cmd_error("watch: full audit (%s) failed: %s", reason,
			  d.msg);
		return -1;
	}
	cause = json_pack("{s:s}", "audit", reason);
	diff_and_emit(w, cause);
	json_decref(cause);
	emit_audit(w, reason);
	return 0;
}

/*
 * ns (its /1.0 fetched) gets every part of the current state, and the
 * one instance named fetched again. Returns -1 when that did not work
 * out (ns must then be released and fetched the usual way).
 */
static int
fetch_one_instance(struct watcher *w, struct snapshot *ns, const char *project,
		   const char *name)
{
	struct audit_run *ar = &w->ar;
	static const bool none[SNAP__COUNT];
	struct lxd_response r;
	struct diag d = { { 0 } };
	char *path = snapshot_object("instances", name, project);
	char *what = xasprintf("GET %s", path);
	int rc;

	snapshot_fetch_some(ns, ar->client, &ar->snap, none);
	if (lxd_get(ar->client, path, &r, &d) == 0)
		rc = snapshot_put_item(ns, SNAP_INSTANCES, project, name,
				       r.metadata, what);
	else if (r.http_status == 404)
		rc = snapshot_put_item(ns, SNAP_INSTANCES, project, name, NULL,
				       what);
	else
		rc = -1;
	lxd_response_release(&r);
	free(path);
	free(what);
	return rc;
}

/*
 * The checks again after some parts (or, when name is set, one
 * instance) were fetched anew.
 */
static int
refresh(struct watcher *w, const bool want[SNAP__COUNT], json_t *cause,
	const char *project, const char *name)
{
	struct audit_run *ar = &w->ar;
	struct snapshot ns;
	struct check_ctx ctx = { 0 };
	struct diag d = { { 0 } };
	char msg[sizeof(d.msg)];
	long long ms = w->o->run.timeout_ms > 0 ? w->o->run.timeout_ms :
						  AUDIT_TIMEOUT_MS;
	unsigned long long changed, *reads = NULL;

	deadline_arm(ms, "--timeout");
	snapshot_init(&ns);
	if (snapshot_fetch_root(&ns, ar->client, ar->ep.label,
				ar->ep.url != NULL, &d) != 0) {
		deadline_disarm();
		snapshot_release(&ns);
		cmd_error("watch: %s", d.msg);
		return -1;
	}
	if (name && fetch_one_instance(w, &ns, project, name) != 0) {
		snapshot_release(&ns);
		snapshot_init(&ns);
		name = NULL;
		if (snapshot_fetch_root(&ns, ar->client, ar->ep.label,
					ar->ep.url != NULL, &d) != 0) {
			deadline_disarm();
			snapshot_release(&ns);
			cmd_error("watch: %s", d.msg);
			return -1;
		}
	}
	if (!name)
		snapshot_fetch_some(&ns, ar->client, &ar->snap, want);
	if (deadline_report(msg, sizeof(msg)))
		cmd_error("watch: %s", msg);
	deadline_disarm();
	/* what the checks read before, and which parts are not as they were */
	changed = snapshot_changed(&ar->snap, &ns);
	if (ar->have_report && ar->report.n == catalog_count()) {
		reads = xcalloc(ar->report.n, sizeof(*reads));
		for (size_t i = 0; i < ar->report.n; i++)
			reads[i] = ar->report.results[i].reads;
	}
	/* the report borrows from the snapshot: it goes first */
	if (ar->have_report)
		engine_report_release(&ar->report);
	memset(&ar->report, 0, sizeof(ar->report));
	snapshot_release(&ar->snap);
	ar->snap = ns;
	ctx.snap = &ar->snap;
	ctx.policy = &ar->policy;
	ctx.host = ar->have_host ? &ar->host : NULL;
	ctx.releases_path = releases_locate(w->o->run.releases);
	/* only the checks that read a changed part run again */
	engine_run_changed(&ctx, &ar->report, reads, changed);
	free(reads);
	ar->have_report = true;
	gate_apply_policy(&ar->report, &ar->policy, ar->snap.now);
	diff_and_emit(w, cause);
	return 0;
}

static void
reload_policy(struct watcher *w)
{
	struct policy p;
	struct diag d = { { 0 } };

	if (!w->o->run.policy)
		return;
	policy_init(&p);
	if (policy_load(&p, w->o->run.policy, &d) != 0) {
		cmd_error("watch: SIGHUP: the policy was not reloaded, the "
			  "old one stays: %s", d.msg);
		policy_release(&p);
		return;
	}
	policy_release(&w->ar.policy);
	w->ar.policy = p;
}

/* ---- the loop */

/*
 * After the stream dropped: the next try waits the backoff, which grows
 * while connections keep dying young (a server that accepts and closes
 * at once must not get a full audit in a tight loop) and starts again
 * at 1 s after one that lived a minute.
 */
static void
dropped(long long connected_at, long long *backoff, long long *retry_at)
{
	long long now = watch_now_ms();

	if (now - connected_at >= 60000)
		*backoff = 1000;
	*retry_at = now + *backoff;
	*backoff = *backoff * 2 > WATCH_BACKOFF_MAX_MS ? WATCH_BACKOFF_MAX_MS :
							 *backoff * 2;
}

static void
watch_loop(struct watcher *w)
{
	struct watch_stream st;
	bool connected = false, first = true;
	long long backoff = 1000, next_full = 0, ping_sent = 0;
	long long connected_at = 0, retry_at = 0;
	struct diag d = { { 0 } };

	memset(&st, 0, sizeof(st));
	st.fd = -1;
	while (!got_term) {
		json_t *ev = NULL;
		long long now, wait;
		int rc;

		if (!connected) {
			now = watch_now_ms();
			if (now < retry_at) {
				nap(retry_at - now);
				continue;
			}
			if (watch_stream_open(&st, w->ar.client, &w->ar.ep,
					      10000, &d) != 0) {
				watch_stream_close(&st);
				cmd_error("watch: %s; again in %lld s",
					  d.msg, backoff / 1000);
				nap(backoff);
				backoff = backoff * 2 > WATCH_BACKOFF_MAX_MS ?
						  WATCH_BACKOFF_MAX_MS :
						  backoff * 2;
				continue;
			}
			connected = true;
			connected_at = watch_now_ms();
			ping_sent = 0;
			if (!first)
				fprintf(stderr, "lxd-harden: watch: the "
					"event stream is back\n");
			/* subscribed first, so that nothing changes unseen
			   between the audit and the stream */
			if (full_audit(w, first ? "start" : "reconnect") != 0) {
				watch_stream_close(&st);
				connected = false;
				nap(backoff);
				backoff = backoff * 2 > WATCH_BACKOFF_MAX_MS ?
						  WATCH_BACKOFF_MAX_MS :
						  backoff * 2;
				continue;
			}
			first = false;
			next_full = watch_now_ms() + w->o->full_every_ms;
		}
		if (got_hup) {
			got_hup = 0;
			drain_wake();
			reload_policy(w);
			next_full = 0;
		}
		now = watch_now_ms();
		if (now >= next_full) {
			if (full_audit(w, next_full ? "timer" : "reload") != 0)
				next_full = now + backoff;
			else
				next_full = watch_now_ms() +
					    w->o->full_every_ms;
			continue;
		}
		if (w->again_at && now >= w->again_at) {
			bool want[SNAP__COUNT];
			json_t *cause = json_incref(w->again_cause);

			memcpy(want, w->again_want, sizeof(want));
			/* the next step of the schedule, or the end of it */
			while (++w->again_step < WATCH_SETTLE_STEPS &&
			       w->again_from +
					       watch_settle_ms[w->again_step] <=
				       now)
				;
			if (w->again_step < WATCH_SETTLE_STEPS) {
				w->again_at = w->again_from +
					      watch_settle_ms[w->again_step];
			} else {
				memset(w->again_want, 0,
				       sizeof(w->again_want));
				w->again_at = 0;
				json_decref(w->again_cause);
				w->again_cause = NULL;
			}
			if (refresh(w, want, cause, NULL, NULL) != 0)
				next_full = watch_now_ms() + backoff;
			json_decref(cause);
			continue;
		}
		wait = next_full - now;
		if (w->again_at && w->again_at - now < wait)
			wait = w->again_at - now;
		if (ping_sent) {
			if (now - ping_sent > WATCH_PONG_MS &&
			    st.last_rx_ms < ping_sent) {
				cmd_error("watch: the event stream has been "
					  "silent for %lld s; reconnecting",
					  (now - st.last_rx_ms) / 1000);
				watch_stream_close(&st);
				connected = false;
				dropped(connected_at, &backoff, &retry_at);
				continue;
			}
			if (st.last_rx_ms >= ping_sent)
				ping_sent = 0;
		} else if (now - st.last_rx_ms >= WATCH_IDLE_MS) {
			if (watch_stream_ping(&st, &d) != 0) {
				cmd_error("watch: %s; reconnecting", d.msg);
				watch_stream_close(&st);
				connected = false;
				dropped(connected_at, &backoff, &retry_at);
				continue;
			}
			ping_sent = now;
		}
		if (wait > WATCH_IDLE_MS / 3)
			wait = WATCH_IDLE_MS / 3;
		rc = watch_stream_next(&st, wake_pipe[0], (long)wait, &ev, &d);
		if (rc < 0) {
			cmd_error("watch: %s; reconnecting", d.msg);
			watch_stream_close(&st);
			connected = false;
			dropped(connected_at, &backoff, &retry_at);
			continue;
		}
		if (rc == 0)
			continue;
		{
			bool want[SNAP__COUNT], more[SNAP__COUNT];
			bool any = watch_event_parts(ev, want);
			json_t *cause = ev;
			int n = 0;

			/* what has already arrived goes into one refresh */
			while (n++ < WATCH_COALESCE_MAX &&
			       watch_stream_next(&st, -1, 0, &ev, &d) == 1) {
				if (!watch_event_parts(ev, more)) {
					json_decref(ev);
					continue;
				}
				for (size_t k = 0; k < SNAP__COUNT; k++)
					want[k] = want[k] || more[k];
				any = true;
				json_decref(cause);
				cause = ev;
			}
			if (any) {
				char *proj = NULL, *name = NULL;

				/* one instance event alone: that instance */
				if (n == 1)
					(void)watch_event_instance(cause, &proj,
								   &name);
				if (refresh(w, want, cause, proj, name) != 0)
					next_full = watch_now_ms() + backoff;
				read_again(w, want, cause);
				free(proj);
				free(name);
			}
			json_decref(cause);
		}
	}
	watch_stream_close(&st);
}

int
cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	struct watcher w;
	struct diag d = { { 0 } };

	if (parse_opts(argc, argv, &o) != 0)
		return EXIT_ERROR;
	memset(&w, 0, sizeof(w));
	w.o = &o;
	policy_init(&w.ar.policy);
	snapshot_init(&w.ar.snap);
	host_init(&w.ar.host);
	if ((o.run.policy && policy_load(&w.ar.policy, o.run.policy, &d)) ||
	    target_resolve(&o.run.target, &w.ar.ep, &d) != 0 ||
	    !(w.ar.client = lxd_client_new(&w.ar.ep, &d))) {
		cmd_error("watch: %s", d.msg);
		audit_run_release(&w.ar);
		return EXIT_ERROR;
	}
	if (signals_setup() != 0) {
		cmd_error("watch: cannot set up signals: %s",
			  strerror(errno));
		audit_run_release(&w.ar);
		return EXIT_ERROR;
	}
	watch_loop(&w);
	json_decref(w.state);
	json_decref(w.again_cause);
	audit_run_release(&w.ar);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	return EXIT_CLEAN;
}
