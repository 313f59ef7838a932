/* fleet.c - many targets in one run: the list, the concurrent audits */
#include "fleet.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "yamlutil.h"

#define FLEET_MAX_FILE ((size_t)1 << 20)
/* the child's own deadline reports first; this is the backstop */
#define FLEET_GRACE_MS 5000LL

/* --- the list ------------------------------------------------------------ */

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FLEET_MAX_NAME)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._:@-") == n;
}

static const struct fleet_target *
find_name(const struct fleet_targets *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (str_eq(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

static char *
dup_opt(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
target_release(struct fleet_target *x)
{
	free(x->name);
	free(x->remote);
	free(x->url);
	free(x->cert);
	free(x->key);
	free(x->server_cert);
	free(x->socket);
	free(x->policy);
}

int
fleet_targets_add(struct fleet_targets *t, const char *name,
		  const struct target_opts *o, const char *policy,
		  struct diag *d)
{
	struct fleet_target *x;

	if (!name_ok(name)) {
		diag_set(d, "target name '%s' is not 1 to %d of A-Z a-z 0-9 . "
			    "_ : @ -", name, FLEET_MAX_NAME);
		return -1;
	}
	if (find_name(t, name)) {
		diag_set(d, "target '%s' is named twice", name);
		return -1;
	}
	if (t->n >= FLEET_MAX_TARGETS) {
		diag_set(d, "more than %d targets", FLEET_MAX_TARGETS);
		return -1;
	}
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	x = &t->v[t->n++];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	x->remote = dup_opt(o->remote);
	x->url = dup_opt(o->url);
	x->cert = dup_opt(o->cert);
	x->key = dup_opt(o->key);
	x->server_cert = dup_opt(o->server_cert);
	x->socket = dup_opt(o->socket);
	x->policy = dup_opt(policy);
	return 0;
}

void
fleet_targets_release(struct fleet_targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		target_release(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

struct ydoc {
	const char *file;
	yaml_document_t doc;
};

/* The keys an entry may have, and where each goes. */
enum { K_NAME, K_REMOTE, K_URL, K_CERT, K_KEY, K_SERVER_CERT, K_SOCKET,
       K_POLICY, K__COUNT };
static const char *const entry_keys[K__COUNT] = {
	"name", "remote", "url", "cert", "key", "server-cert", "socket",
	"policy",
};

static int
parse_entry(struct ydoc *y, yaml_node_t *e, struct fleet_targets *t,
	    struct diag *d)
{
	const char *v[K__COUNT] = { 0 };
	const yaml_node_t *at[K__COUNT] = { 0 };
	struct target_opts o = { 0 };
	yaml_node_pair_t *p;

	if (e->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, e,
			      "each entry of 'targets' must be a mapping with "
			      "a 'name'");
		return -1;
	}
	for (p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(&y->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(&y->doc, p->value);
		const char *k = yaml_str(kn);
		size_t i;

		if (!k) {
			yaml_error_at(d, y->file, kn,
				      "keys of a target must be strings");
			return -1;
		}
		for (i = 0; i < K__COUNT; i++)
			if (str_eq(k, entry_keys[i]))
				break;
		if (i == K__COUNT) {
			yaml_error_at(d, y->file, kn,
				      "unknown key '%s' in a target (name, "
				      "remote, url, cert, key, server-cert, "
				      "socket, policy)",
				      k);
			return -1;
		}
		if (v[i]) {
			yaml_error_at(d, y->file, kn,
				      "duplicate key '%s' in a target", k);
			return -1;
		}
		v[i] = yaml_str(vn);
		at[i] = vn;
		if (!v[i] || !*v[i]) {
			yaml_error_at(d, y->file, vn,
				      "'%s' of a target must be a non-empty "
				      "string",
				      k);
			return -1;
		}
	}
	if (!v[K_NAME]) {
		yaml_error_at(d, y->file, e, "a target has no 'name'");
		return -1;
	}
	if (!!v[K_REMOTE] + !!v[K_URL] + !!v[K_SOCKET] > 1) {
		yaml_error_at(d, y->file, e,
			      "target '%s': remote, url and socket exclude "
			      "each other",
			      v[K_NAME]);
		return -1;
	}
	if ((v[K_CERT] || v[K_KEY] || v[K_SERVER_CERT]) && !v[K_REMOTE] &&
	    !v[K_URL]) {
		yaml_error_at(d, y->file, e,
			      "target '%s': cert, key and server-cert need "
			      "remote or url",
			      v[K_NAME]);
		return -1;
	}
	o.remote = v[K_REMOTE];
	o.url = v[K_URL];
	o.cert = v[K_CERT];
	o.key = v[K_KEY];
	o.server_cert = v[K_SERVER_CERT];
	o.socket = v[K_SOCKET];
	if (fleet_targets_add(t, v[K_NAME], &o, v[K_POLICY], d) != 0) {
		char msg[sizeof(d->msg)];

		snprintf(msg, sizeof(msg), "%s", d->msg);
		yaml_error_at(d, y->file, at[K_NAME], "%s", msg);
		return -1;
	}
	return 0;
}

static int
parse_doc(struct ydoc *y, struct fleet_targets *t, struct diag *d)
{
	yaml_node_t *root = yaml_document_get_root_node(&y->doc);
	yaml_node_t *list = NULL;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;

	if (!root || root->type != YAML_MAPPING_NODE) {
		yaml_error_at(d, y->file, root,
			      "expected a mapping with a 'targets' list at "
			      "the top level");
		return -1;
	}
	for (p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&y->doc, p->key);
		const char *k = yaml_str(kn);

		if (!str_eq(k, "targets")) {
			yaml_error_at(d, y->file, kn,
				      "unknown top-level key '%s' (only "
				      "'targets')",
				      k ? k : "?");
			return -1;
		}
		if (list) {
			yaml_error_at(d, y->file, kn,
				      "duplicate key 'targets'");
			return -1;
		}
		list = yaml_document_get_node(&y->doc, p->value);
	}
	if (!list) {
		yaml_error_at(d, y->file, root, "no 'targets' list");
		return -1;
	}
	if (list->type != YAML_SEQUENCE_NODE ||
	    list->data.sequence.items.start == list->data.sequence.items.top) {
		yaml_error_at(d, y->file, list,
			      "'targets' must be a non-empty list");
		return -1;
	}
	for (it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++)
		if (parse_entry(y, yaml_document_get_node(&y->doc, *it), t,
				d) != 0)
			return -1;
	return 0;
}

int
fleet_targets_parse(struct fleet_targets *t, const char *buf, size_t len,
		    const char *file, struct diag *d)
{
	struct ydoc y = { .file = file };
	struct fleet_targets add = { 0 };
	yaml_parser_t parser;
	int rc = -1;

	if (!yaml_parser_initialize(&parser)) {
		diag_set(d, "%s: cannot initialise the YAML parser", file);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &y.doc)) {
		diag_set(d, "%s:%zu:%zu: %s", file,
			 parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "malformed YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	/* the names must be unique across what t holds already too */
	add = *t;
	add.v = NULL;
	add.n = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct target_opts o = { t->v[i].socket, t->v[i].remote,
					 t->v[i].url, t->v[i].cert,
					 t->v[i].key, t->v[i].server_cert };

		(void)fleet_targets_add(&add, t->v[i].name, &o,
					t->v[i].policy, d);
	}
	rc = parse_doc(&y, &add, d);
	yaml_document_delete(&y.doc);
	yaml_parser_delete(&parser);
	if (rc != 0) {
		fleet_targets_release(&add);
		return -1;
	}
	fleet_targets_release(t);
	*t = add;
	return 0;
}

int
fleet_targets_load(struct fleet_targets *t, const char *path, struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (read_file_trusted(path, FLEET_MAX_FILE, "targets file", &buf, &len,
			  d) != 0)
		return -1;
	rc = fleet_targets_parse(t, buf, len, path, d);
	free(buf);
	return rc;
}

int
fleet_targets_all_remotes(struct fleet_targets *t, struct diag *d)
{
	struct target_remote *v;
	size_t n;
	char *file;
	int rc = 0;

	if (target_remote_list(&v, &n, &file, d) != 0)
		return -1;
	if (n == 0) {
		diag_set(d, "no remote in '%s' speaks the LXD API", file);
		rc = -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct target_opts o = { 0 };

		if (v[i].socket) {
			/* "unix://": the socket the client would find */
			o.socket = *v[i].socket ? v[i].socket : NULL;
		} else {
			o.remote = v[i].name;
		}
		if (find_name(t, v[i].name))
			continue;	/* also named with --remote */
		rc = fleet_targets_add(t, v[i].name, &o, NULL, d);
	}
	target_remote_list_free(v, n);
	free(file);
	return rc;
}

/* --- the results --------------------------------------------------------- */

void
fleet_add_report(struct fleet *f, const char *name, json_t *report)
{
	struct fleet_entry *e;

	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	e = &f->v[f->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->report = report;
}

void
fleet_add_error(struct fleet *f, const char *name, const char *fmt, ...)
{
	va_list ap;
	struct fleet_entry *e;

	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	e = &f->v[f->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	va_start(ap, fmt);
	e->error = xvasprintf(fmt, ap);
	va_end(ap);
	/* one line: a reason is never allowed to break the table */
	for (char *c = e->error; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

void
fleet_release(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].error);
		free(f->v[i].dedup_note);
		json_decref(f->v[i].report);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* --- the concurrent audits ----------------------------------------------- */

unsigned
fleet_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct slot {
	size_t idx;		/* into the targets */
	pid_t pid;
	int fd;
	long long kill_at;	/* monotonic ms */
	struct strbuf buf;
	bool too_big;
};

/* The child: audit, then 'R' and the report, or 'E' and one line. */
static void __attribute__((noreturn))
child(const struct fleet_target *t, fleet_audit_fn *fn, void *ctx, int fd)
{
	struct diag d = { { 0 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc = -1;

	signal(SIGPIPE, SIG_DFL);
	if (mem) {
		rc = fn(t, ctx, mem, &d);
		if (fclose(mem) != 0 && rc == 0) {
			diag_set(&d, "cannot hold the report");
			rc = -1;
		}
	} else {
		diag_set(&d, "cannot hold the report: %s", strerror(errno));
	}
	if (rc == 0) {
		if (write_all(fd, "R", 1) != 0 || write_all(fd, buf, len) != 0)
			_exit(3);
	} else if (write_all(fd, "E", 1) != 0 ||
		   write_all(fd, d.msg[0] ? d.msg : "the audit failed",
			     strlen(d.msg[0] ? d.msg : "the audit failed")) != 0)
		_exit(3);
	_exit(rc == 0 ? 0 : 1);
}

static void
finish(struct slot *s, const struct fleet_target *t, int status,
       long long timeout_ms, bool killed, json_t **report, char **error)
{
	const char *b = s->buf.buf ? s->buf.buf : "";
	json_error_t je;

	*report = NULL;
	*error = NULL;
	if (killed) {
		*error = xasprintf("did not finish within --timeout %lldms "
				   "(stopped)", timeout_ms);
		return;
	}
	if (s->too_big) {
		*error = xasprintf("its report is larger than %zu MiB",
				   FLEET_MAX_REPORT >> 20);
		return;
	}
	if (s->buf.len && b[0] == 'E') {
		*error = xstrndup(b + 1, s->buf.len - 1);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || b[0] != 'R') {
		if (WIFSIGNALED(status))
			*error = xasprintf("the audit of '%s' died of signal "
					   "%d", t->name, WTERMSIG(status));
		else
			*error = xasprintf("the audit of '%s' failed", t->name);
		return;
	}
	*report = json_loadb(b + 1, s->buf.len - 1, JSON_REJECT_DUPLICATES,
			     &je);
	if (!*report)
		*error = xasprintf("its report is not JSON: %s (line %d)",
				   je.text, je.line);
}

void
fleet_run(const struct fleet_targets *t, unsigned jobs, long long timeout_ms,
	  fleet_audit_fn *fn, void *ctx, struct fleet *out)
{
	struct slot *slots;
	struct pollfd *pfd;
	unsigned *map;
	json_t **reports = xcalloc(t->n ? t->n : 1, sizeof(*reports));
	char **errors = xcalloc(t->n ? t->n : 1, sizeof(*errors));
	size_t next = 0, running = 0;

	if (jobs == 0)
		jobs = 1;
	if (jobs > t->n)
		jobs = t->n ? (unsigned)t->n : 1;
	slots = xcalloc(jobs, sizeof(*slots));
	pfd = xcalloc(jobs, sizeof(*pfd));
	map = xcalloc(jobs, sizeof(*map));
	for (unsigned i = 0; i < jobs; i++)
		slots[i].pid = -1;
	fflush(NULL);
	while (next < t->n || running > 0) {
		unsigned np = 0;
		long long now = mono_ms(), wait = -1;

		/* start what fits */
		for (unsigned i = 0; i < jobs && next < t->n; i++) {
			int p[2];
			pid_t pid;

			if (slots[i].pid != -1)
				continue;
			if (pipe(p) != 0) {
				errors[next] = xasprintf("cannot make a pipe: "
							 "%s", strerror(errno));
				next++;
				continue;
			}
			pid = fork();
			if (pid < 0) {
				errors[next] = xasprintf("cannot fork: %s",
							 strerror(errno));
				close(p[0]);
				close(p[1]);
				next++;
				continue;
			}
			if (pid == 0) {
				close(p[0]);
				for (unsigned k = 0; k < jobs; k++)
					if (slots[k].pid != -1)
						close(slots[k].fd);
				child(&t->v[next], fn, ctx, p[1]);
			}
			close(p[1]);
			slots[i].idx = next++;
			slots[i].pid = pid;
			slots[i].fd = p[0];
			slots[i].kill_at = now + timeout_ms + FLEET_GRACE_MS;
			slots[i].too_big = false;
			slots[i].buf = (struct strbuf)STRBUF_INIT;
			running++;
		}
		for (unsigned i = 0; i < jobs; i++) {
			long long left;

			if (slots[i].pid == -1)
				continue;
			pfd[np].fd = slots[i].fd;
			pfd[np].events = POLLIN;
			map[np++] = i;
			left = slots[i].kill_at - now;
			if (wait < 0 || left < wait)
				wait = left < 0 ? 0 : left;
		}
		if (np == 0)
			continue;
		if (poll(pfd, np, (int)(wait > 60000 ? 60000 : wait)) < 0 &&
		    errno != EINTR)
			break;
		now = mono_ms();
		for (unsigned k = 0; k < np; k++) {
			struct slot *s = &slots[map[k]];
			bool done = false, killed = false;
			int status = 0;

			if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
				char chunk[65536];
				ssize_t r = read(s->fd, chunk, sizeof(chunk));

				if (r > 0 && !s->too_big) {
					if (s->buf.len + (size_t)r >
					    FLEET_MAX_REPORT) {
						s->too_big = true;
						kill(s->pid, SIGKILL);
					} else {
						strbuf_add(&s->buf, chunk,
							   (size_t)r);
					}
				}
				if (r == 0 || (r < 0 && errno != EINTR &&
					       errno != EAGAIN))
					done = true;
			}
			if (!done && now >= s->kill_at) {
				kill(s->pid, SIGKILL);
				killed = true;
				done = true;
			}
			if (!done)
				continue;
			close(s->fd);
			while (waitpid(s->pid, &status, 0) < 0 &&
			       errno == EINTR)
				;
			finish(s, &t->v[s->idx], status, timeout_ms, killed,
			       &reports[s->idx], &errors[s->idx]);
			strbuf_release(&s->buf);
			s->pid = -1;
			running--;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		if (reports[i])
			fleet_add_report(out, t->v[i].name, reports[i]);
		else
			fleet_add_error(out, t->v[i].name, "%s",
					errors[i] ? errors[i] :
						    "the audit failed");
		free(errors[i]);
	}
	free(reports);
	free(errors);
	free(slots);
	free(pfd);
	free(map);
}
