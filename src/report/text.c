/*
 * text.c - the report for people: by default the failing checks, their
 * findings grouped by cause, a tally of the rest and what to do next;
 * wrapped to the width of the terminal.
 */
#include "report.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "catalog.h"
#include "escape.h"
#include "lxdh_config.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_MAGENTA "\033[35m"
#define C_CYAN "\033[36m"

/* Objects a group names before "and N more" (-v names them all). */
#define GROUP_NAMED 3
/* Ids a tally entry names at most. */
#define TALLY_IDS 6
/* Remedies in the closing "Next steps". */
#define NEXT_STEPS 3

/*
 * The writer builds one paragraph at a time (our own text, colour codes
 * and escaped foreign text) and wraps it when it is flushed.
 */
struct out {
	FILE *f;
	bool color;
	bool verbose;
	int err;
	size_t width;
	struct strbuf para;
	const struct report *r;
};

static void
add(struct out *o, const char *s)
{
	strbuf_addstr(&o->para, s);
}

static void
addf(struct out *o, const char *fmt, ...) LXDH_PRINTF(2, 3);

static void
addf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	add(o, s);
	free(s);
}

static void
color(struct out *o, const char *c)
{
	if (o->color)
		add(o, c);
}

/* Untrusted text, every control character made visible. */
static void
put_safe(struct out *o, const char *s)
{
	escape_term(&o->para, s ? s : "");
}

/* An object as kind/name (project), escaped. */
static void
put_object(struct out *o, const char *object)
{
	char *s = report_object_short(object);

	put_safe(o, s);
	free(s);
}

/* Length of the colour sequence at s (ours only), or 0. */
static size_t
csi_len(const char *s)
{
	size_t n = 2;

	if (s[0] != '\033' || s[1] != '[')
		return 0;
	while (s[n] && !(s[n] >= 0x40 && s[n] <= 0x7e))
		n++;
	return s[n] ? n + 1 : n;
}

/* Columns s[0..n) takes: colour codes take none, a UTF-8 character one. */
static size_t
cols(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n;) {
		size_t c = csi_len(s + i);

		if (c) {
			i += c;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
		i++;
	}
	return w;
}

static void
emit(struct out *o, const char *s, size_t n)
{
	if (n && fwrite(s, 1, n, o->f) != n)
		o->err = -1;
}

/*
 * Writes the paragraph wrapped at spaces to o->width, continuation lines
 * indented by hang; a word longer than a line stays whole. Leading spaces
 * of the paragraph (and of what follows a newline in it) are its indent.
 */
static void
flush_para(struct out *o, size_t hang)
{
	const char *s = o->para.buf ? o->para.buf : "";
	size_t col = 0;
	bool at_start = true;

	while (*s) {
		size_t sp = 0, wl;

		if (*s == '\n') {
			/* a blank line before a heading; no indent after it */
			emit(o, "\n", 1);
			s++;
			col = 0;
			at_start = true;
			continue;
		}
		while (s[sp] == ' ')
			sp++;
		wl = strcspn(s + sp, " \n");
		if (!at_start && col + sp + cols(s + sp, wl) > o->width &&
		    wl) {
			emit(o, "\n", 1);
			for (size_t k = 0; k < hang; k++)
				emit(o, " ", 1);
			col = hang;
			emit(o, s + sp, wl);
			col += cols(s + sp, wl);
		} else {
			emit(o, s, sp + wl);
			col += sp + cols(s + sp, wl);
		}
		if (wl)
			at_start = false;
		s += sp + wl;
	}
	emit(o, "\n", 1);
	o->para.len = 0;
	if (o->para.buf)
		o->para.buf[0] = '\0';
}

/* The length of the shell word at s (a quoted part holds spaces). */
static size_t
word_len(const char *s)
{
	size_t wl = 0;
	bool quoted = false;

	while (s[wl] && (quoted || s[wl] != ' ')) {
		if (s[wl] == '\'')
			quoted = !quoted;
		wl++;
	}
	return wl;
}

/*
 * Writes lead (our own text) and then a shell command; when it is too
 * wide it is broken between words (never inside single quotes) with a
 * trailing backslash, continuation lines indented by indent, so it still
 * pastes as one command.
 */
static void
write_command(struct out *o, const char *lead, const char *cmd,
	      size_t indent)
{
	size_t col = cols(lead, strlen(lead));
	const char *s = cmd;
	bool line_start = true;

	emit(o, lead, strlen(lead));
	if (o->color)
		emit(o, C_CYAN, strlen(C_CYAN));
	while (*s) {
		size_t wl = word_len(s);

		/* an option stays on the line of its value: --project p */
		if (s[0] == '-' && s[wl] == ' ' && s[wl + 1] &&
		    s[wl + 1] != '-')
			wl += 1 + word_len(s + wl + 1);
		if (!line_start && col + 1 + wl + 2 > o->width) {
			emit(o, " \\\n", 3);
			for (size_t k = 0; k < indent; k++)
				emit(o, " ", 1);
			col = indent;
		} else if (!line_start) {
			emit(o, " ", 1);
			col++;
		}
		emit(o, s, wl);
		col += cols(s, wl);
		line_start = false;
		s += wl;
		while (*s == ' ')
			s++;
	}
	if (o->color)
		emit(o, C_RESET, strlen(C_RESET));
	emit(o, "\n", 1);
}

/*
 * Whether a remedy is one command that pastes as it is: it starts with
 * the client of this server (lxc or incus) or snap, and holds no prose
 * (parentheses, ", ", " or ", a full stop) and nothing the escaper
 * changed.
 */
static bool
pastable(const struct report *r, const char *text, const char *escaped)
{
	const char *client = product_client(r->product);
	size_t n = strlen(text);

	if (!(str_starts_with(text, client) && text[strlen(client)] == ' ') &&
	    !str_starts_with(text, "snap "))
		return false;
	return !strpbrk(text, "()") && !strstr(text, ", ") &&
	       !strstr(text, " or ") && n && text[n - 1] != '.' &&
	       str_eq(text, escaped);
}

/* "LEAD text": wrapped as a command (pasteable), or as prose. */
static void
write_lead(struct out *o, const char *lead, const char *text, bool command,
	   size_t hang)
{
	if (command) {
		write_command(o, lead, text, hang + 2);
		return;
	}
	add(o, lead);
	color(o, C_CYAN);
	add(o, text);
	color(o, C_RESET);
	flush_para(o, hang);
}

/*
 * Writes "LEAD command" for a remedy's command: wrapped as a command
 * when it pastes as it is (escape_cmd left it alone), else shown escaped.
 */
static void
write_cmd_line(struct out *o, const char *lead, const char *cmd,
	       size_t hang)
{
	struct strbuf esc = STRBUF_INIT;

	escape_cmd(&esc, cmd);
	write_lead(o, lead, esc.buf, str_eq(esc.buf, cmd), hang);
	strbuf_release(&esc);
}

/* Writes "LEAD remedy": as a command when it is one, else as prose. */
static void
write_remedy(struct out *o, const struct report *r, const char *lead,
	     const char *text, bool ours, size_t hang)
{
	struct strbuf esc = STRBUF_INIT;

	if (ours)
		strbuf_addstr(&esc, text);
	else
		escape_term(&esc, text);
	write_lead(o, lead, esc.buf, pastable(r, text, esc.buf), hang);
	strbuf_release(&esc);
}

/*
 * A finding's remedy: each command on a "fix:" line (a command is
 * written as a command only when it pastes as it is, see pastable), each
 * value to give, the prose, and what `fix` does with it.
 */
static void
write_finding_remedy(struct out *o, const struct remedy *rm)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < rm->n_commands; i++)
		write_cmd_line(o, "      fix: ", rm->commands[i], 8);
	for (size_t i = 0; i < rm->n_needs; i++) {
		strbuf_release(&sb);
		strbuf_addf(&sb, "%s: %s", rm->needs[i].name,
			    rm->needs[i].why);
		if (rm->fixable)
			strbuf_addf(&sb, "; then lxd-harden fix --set %s=VALUE",
				    rm->needs[i].name);
		write_remedy(o, o->r, "      needs: ", sb.buf, false, 8);
	}
	if (rm->note)
		write_remedy(o, o->r, rm->n_commands || rm->n_needs ?
				      "      note: " : "      fix: ",
			     rm->note, false, 8);
	if (rm->fixable) {
		strbuf_release(&sb);
		strbuf_addf(&sb, "%s%s%s%s",
			    rm->n_needs ? "applied once given (fix --set)" :
			    rm->opt_in	? "opt-in (fix --only)" :
					  "safe (fix --apply)",
			    rm->restart ? ", restart needed" : "",
			    rm->reversible ? ", reversible" :
					     ", not reversible",
			    rm->host ? ", on this host" : "");
		write_remedy(o, o->r, "      plan: ", sb.buf, false, 8);
	}
	strbuf_release(&sb);
}

static const char *
status_color(enum status s)
{
	switch (s) {
	case ST_FAIL:
		return C_RED C_BOLD;
	case ST_ERROR:
		return C_MAGENTA C_BOLD;
	case ST_MANUAL:
		return C_YELLOW;
	case ST_PASS:
	case ST_FIXED:
		return C_GREEN;
	case ST_NOTAPPLICABLE:
	case ST_WAIVED:
	case ST_SKIPPED:
	case ST__COUNT:
		break;
	}
	return C_DIM;
}

static const char *
status_label(enum status s)
{
	switch (s) {
	case ST_PASS:
		return "PASS";
	case ST_FAIL:
		return "FAIL";
	case ST_MANUAL:
		return "MANUAL";
	case ST_NOTAPPLICABLE:
		return "N/A";
	case ST_ERROR:
		return "ERROR";
	case ST_WAIVED:
		return "WAIVED";
	case ST_SKIPPED:
		return "SKIP";
	case ST_FIXED:
		return "FIXED";
	case ST__COUNT:
		break;
	}
	return "?";
}

static bool
failing(enum status s)
{
	return s == ST_FAIL || s == ST_ERROR;
}

/* Which findings of a check the report shows. */
static bool
shown(const struct finding *f, enum status check_status, bool verbose)
{
	if (verbose)
		return true;
	switch (check_status) {
	case ST_FAIL:
		return f->status == ST_FAIL || f->status == ST_ERROR;
	case ST_ERROR:
		return f->status == ST_ERROR;
	case ST_MANUAL:
		return f->status == ST_MANUAL;
	case ST_WAIVED:
		return f->status == ST_WAIVED;
	case ST_SKIPPED:
		return f->status == ST_SKIPPED;
	default:
		return false;
	}
}

/*
 * Findings of one check with the same cause: the same remedy, or (without
 * one) the same key of the same source object, such as a profile that
 * several instances inherit. Everything else is a cause of its own, and
 * so is a second finding on an object its group already holds: two
 * facts about one object (two keys of one file) are shown as two.
 */
struct member {
	char *key;
	size_t idx;
	const char *obj;	/* the finding's object ("" for none) */
	size_t occ;		/* earlier members of its cause on obj */
};

static char *
cause_of(const struct finding *f, size_t idx)
{
	const char *w = f->waiver_reason ? f->waiver_reason : "";
	char *fix = remedy_text(&f->remedy), *cause;

	if (fix) {
		cause = xasprintf("%d\x1fR\x1f%s\x1f%s", (int)f->status, w,
				  fix);
		free(fix);
		return cause;
	}
	if (f->source && f->key)
		return xasprintf("%d\x1fS\x1f%s\x1f%s\x1f%s\x1f%s",
				 (int)f->status, w, f->source, f->key,
				 f->device ? f->device : "");
	return xasprintf("%d\x1fU\x1f%zu", (int)f->status, idx);
}

/* By cause, then object, then the finding's place. */
static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (!c)
		c = strcmp(x->obj, y->obj);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
idx_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

struct group {
	size_t *idx;	/* findings, in report order */
	size_t n;
	size_t first;	/* the first member's index, for ordering */
};

static int
group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Groups the shown findings of res; returns the number of groups. */
static size_t
group_findings(const struct check_result *res, bool verbose,
	       struct group **out)
{
	struct member *m = xcalloc(res->findings.n ? res->findings.n : 1,
				   sizeof(*m));
	struct group *g = xcalloc(res->findings.n ? res->findings.n : 1,
				  sizeof(*g));
	size_t nm = 0, ng = 0;

	for (size_t i = 0; i < res->findings.n; i++) {
		if (!shown(&res->findings.v[i], res->status, verbose))
			continue;
		m[nm].key = cause_of(&res->findings.v[i], i);
		m[nm].idx = i;
		m[nm].obj = res->findings.v[i].object ?
				    res->findings.v[i].object :
				    "";
		nm++;
	}
	qsort(m, nm, sizeof(*m), member_cmp);
	for (size_t i = 0; i < nm;) {
		size_t j = i, g0 = ng;

		while (j < nm && str_eq(m[j].key, m[i].key))
			j++;
		/* the n-th finding of a cause on one object goes to the
		   cause's n-th group (a cause's members are in object
		   order) */
		for (size_t k = i; k < j; k++) {
			m[k].occ = k > i && str_eq(m[k].obj, m[k - 1].obj) ?
					   m[k - 1].occ + 1 :
					   0;
			if (g0 + m[k].occ >= ng)
				ng = g0 + m[k].occ + 1;
			g[g0 + m[k].occ].n++;
		}
		for (size_t t = g0; t < ng; t++) {
			g[t].idx = xcalloc(g[t].n, sizeof(*g[t].idx));
			g[t].n = 0;
			g[t].first = SIZE_MAX;
		}
		for (size_t k = i; k < j; k++) {
			struct group *to = &g[g0 + m[k].occ];

			to->idx[to->n++] = m[k].idx;
			if (m[k].idx < to->first)
				to->first = m[k].idx;
		}
		for (size_t t = g0; t < ng; t++)
			qsort(g[t].idx, g[t].n, sizeof(*g[t].idx), idx_cmp);
		i = j;
	}
	for (size_t i = 0; i < nm; i++)
		free(m[i].key);
	free(m);
	qsort(g, ng, sizeof(*g), group_cmp);
	*out = g;
	return ng;
}

static void
groups_release(struct group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].idx);
	free(g);
}

/* The member that stands for the group: the source itself when it is one. */
static const struct finding *
representative(const struct check_result *res, const struct group *g)
{
	for (size_t k = 0; k < g->n; k++) {
		const struct finding *f = &res->findings.v[g->idx[k]];

		if (f->source && str_eq(f->source, f->object))
			return f;
	}
	return &res->findings.v[g->idx[0]];
}

static void
write_group(struct out *o, const struct check_result *res,
	    const struct group *g, bool show_sev)
{
	const struct finding *f = representative(res, g);
	enum severity sev = f->severity;
	bool is_new = false;
	size_t named;

	for (size_t k = 0; k < g->n; k++) {
		const struct finding *m = &res->findings.v[g->idx[k]];

		if (m->severity > sev)
			sev = m->severity;
		is_new |= m->baseline == BASELINE_NEW;
	}
	add(o, "    - ");
	if (show_sev && sev != res->severity) {
		color(o, status_color(f->status));
		addf(o, "[%s] ", severity_name(sev));
		color(o, C_RESET);
	}
	color(o, C_BOLD);
	put_object(o, f->object);
	color(o, C_RESET);
	if (f->device) {
		add(o, " device ");
		put_safe(o, f->device);
	}
	add(o, ": ");
	put_safe(o, f->message);
	if (is_new) {
		color(o, C_BOLD);
		add(o, " [new]");
		color(o, C_RESET);
	}
	flush_para(o, 6);
	if (f->waiver_reason) {
		add(o, "      waived until ");
		put_safe(o, f->waiver_expires);
		add(o, ": ");
		put_safe(o, f->waiver_reason);
		flush_para(o, 8);
	}
	/* the key line adds what the message does not say: a value, or
	   where it comes from ("KEY=" alone says only that it is unset,
	   which the message says already) */
	if (f->key && (!f->message || !strstr(f->message, f->key) ||
		       (f->source && !str_eq(f->source, f->object))) &&
	    (f->value || (f->source && !str_eq(f->source, f->object)))) {
		add(o, "      ");
		put_safe(o, f->key);
		add(o, "=");
		put_safe(o, f->value ? f->value : "");
		if (f->source && !str_eq(f->source, f->object)) {
			add(o, " (from ");
			put_object(o, f->source);
			add(o, ")");
		}
		flush_para(o, 8);
	}
	if (g->n > 1) {
		named = o->verbose ? g->n : GROUP_NAMED;
		addf(o, "      %zu objects: ", g->n);
		put_object(o, f->object);
		for (size_t k = 0, shown_n = 1; k < g->n; k++) {
			const struct finding *m = &res->findings.v[g->idx[k]];

			if (m == f)
				continue;
			if (shown_n == named) {
				addf(o, " and %zu more (-v lists them)",
				     g->n - named);
				break;
			}
			add(o, ", ");
			put_object(o, m->object);
			shown_n++;
		}
		flush_para(o, 8);
	}
	write_finding_remedy(o, &f->remedy);
}

static void
write_result(struct out *o, const struct check_result *res)
{
	const struct check *c = res->check;
	bool fails = failing(res->status);
	struct group *g;
	char since[64];
	size_t ng;

	add(o, "  ");
	color(o, status_color(res->status));
	addf(o, "%-6s", status_label(res->status));
	color(o, C_RESET);
	addf(o, " %-8s %s  %s", severity_name(res->severity), c->id, c->title);
	flush_para(o, 31);
	report_open_since(o->r, res, since, sizeof(since));
	if (since[0]) {
		add(o, "      ");
		color(o, C_DIM);
		add(o, since);
		color(o, C_RESET);
		flush_para(o, 6);
	}
	if (res->status == ST_NOTAPPLICABLE && res->findings.n &&
	    !o->verbose) {
		add(o, "      ");
		put_safe(o, res->findings.v[0].message);
		flush_para(o, 6);
		return;
	}
	ng = group_findings(res, o->verbose, &g);
	for (size_t i = 0; i < ng; i++)
		write_group(o, res, &g[i], fails);
	groups_release(g, ng);
	if (fails || res->status == ST_MANUAL) {
		bool any_fix = false;

		for (size_t i = 0; i < res->findings.n; i++)
			any_fix |= !remedy_empty(&res->findings.v[i].remedy);
		if (!any_fix) {
			add(o, "      how to fix: ");
			add(o, c->remediation);
			flush_para(o, 8);
		}
	}
}

/* Whether the default view shows a check (-v shows every one). */
static bool
result_shown(const struct report *r, const struct check_result *res,
	     bool verbose)
{
	if (verbose)
		return true;
	return failing(res->status) && res->severity >= r->min_severity;
}

static void
write_header(struct out *o, const struct report *r)
{
	char when[32];

	format_rfc3339(r->generated_at, when, sizeof(when));
	color(o, C_BOLD);
	add(o, "lxd-harden " LXDH_VERSION " audit of ");
	put_safe(o, r->endpoint);
	color(o, C_RESET);
	flush_para(o, 2);
	add(o, "server: ");
	put_safe(o, r->product);
	add(o, " ");
	put_safe(o, r->server_version);
	if (!str_empty(r->server_name)) {
		add(o, " on '");
		put_safe(o, r->server_name);
		add(o, "'");
	}
	addf(o, " (%s%s%s)", r->clustered ? "clustered" : "standalone",
	     r->install ? ", install: " : "", r->install ? r->install : "");
	flush_para(o, 2);
	if (r->host) {
		add(o, "host: ");
		put_safe(o, r->host);
		if (r->cluster_member) {
			add(o, ", member '");
			put_safe(o, r->cluster_member);
			add(o, "' of the cluster with certificate ");
			put_safe(o, r->cluster_fingerprint ?
					    r->cluster_fingerprint : "?");
		}
		flush_para(o, 2);
	}
	addf(o, "read: %s, %zu API requests", when, r->requests);
	flush_para(o, 2);
	if (r->client_setup) {
		char *lead = report_setup_lead(r);

		add(o, lead);
		free(lead);
		flush_para(o, 2);
		write_cmd_line(o, "  ", r->client_setup, 0);
	}
}

/* "N WHAT (ID, ID)" for the checks of one status the default view hides. */
static void
tally_part(struct out *o, const struct report *r, enum status st,
	   const char *what, bool list, bool *first)
{
	size_t n = 0, listed = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->results[i].status == st &&
		    !result_shown(r, &r->results[i], false))
			n++;
	if (!n)
		return;
	addf(o, "%s%zu %s", *first ? "" : ", ", n, what);
	*first = false;
	/* a few ids help; a long list is what -v is for */
	if (!list || n > TALLY_IDS)
		return;
	add(o, " (");
	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];

		if (res->status != st || result_shown(r, res, false))
			continue;
		addf(o, "%s%s", listed++ ? ", " : "", res->check->id);
	}
	add(o, ")");
}

static void
write_tally(struct out *o, const struct report *r)
{
	bool first = true;
	size_t below = 0;

	for (size_t i = 0; i < r->n; i++)
		if (failing(r->results[i].status) &&
		    !result_shown(r, &r->results[i], false))
			below++;
	add(o, "\nNot shown: ");
	if (below)
		addf(o, "%zu failing below %s (--min-severity)", below,
		     severity_name(r->min_severity));
	first = below == 0;
	tally_part(o, r, ST_PASS, "pass", false, &first);
	tally_part(o, r, ST_NOTAPPLICABLE, "not applicable", false, &first);
	tally_part(o, r, ST_MANUAL, "manual", true, &first);
	tally_part(o, r, ST_WAIVED, "waived", true, &first);
	tally_part(o, r, ST_SKIPPED, "skipped", true, &first);
	if (first)
		add(o, "nothing");
	add(o, "; -v lists every check.");
	flush_para(o, 2);
}

/* One remedy of the closing block. */
struct step {
	enum severity sev;
	size_t order;
	const char *id;
	const char *text;
	char *own;	/* text, when it is a remedy_text() to free */
	bool ours;	/* catalog text, not the server's */
	bool command;	/* a remedy's one command */
};

static int
step_cmp(const void *a, const void *b)
{
	const struct step *x = a, *y = b;

	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
write_next_steps(struct out *o, const struct report *r)
{
	struct step *st = NULL;
	size_t n = 0, alloc = 0, order = 0, shown_n = 0;
	json_t *seen = json_object();	/* the steps' texts, to repeat none */

	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *res = &r->results[i];
		bool any = false;

		if (res->status != ST_FAIL || res->severity < r->min_severity)
			continue;
		for (size_t j = 0; j <= res->findings.n; j++) {
			const struct finding *f =
				j < res->findings.n ? &res->findings.v[j] : NULL;
			const char *text;
			char *fix = NULL;
			bool dup;

			if (f && (f->status != ST_FAIL ||
				  f->severity < r->min_severity ||
				  !(fix = remedy_text(&f->remedy))))
				continue;
			if (!f && any)
				break;
			/* one command pastes alone; else the whole remedy */
			text = !f ? res->check->remediation :
			       f->remedy.n_commands == 1 ? f->remedy.commands[0] :
							   fix;
			if (text != fix) {
				free(fix);
				fix = NULL;
			}
			dup = report_count(seen, text) > 1;
			any = true;
			if (dup) {
				free(fix);
				continue;
			}
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				st = xrealloc(st, alloc * sizeof(*st));
			}
			st[n++] = (struct step){
				.sev = f ? f->severity : res->severity,
				.order = order++,
				.id = res->check->id,
				.text = text,
				.own = fix,
				.ours = f == NULL,
				.command = f && f->remedy.n_commands == 1,
			};
		}
	}
	json_decref(seen);
	if (!n) {
		free(st);
		return;
	}
	qsort(st, n, sizeof(*st), step_cmp);
	add(o, "\n");
	color(o, C_BOLD);
	add(o, "Next steps");
	color(o, C_RESET);
	flush_para(o, 0);
	for (size_t i = 0; i < n && shown_n < NEXT_STEPS; i++, shown_n++) {
		char lead[64];

		snprintf(lead, sizeof(lead), "  %zu. [%s] %s: ", shown_n + 1,
			 severity_name(st[i].sev), st[i].id);
		if (st[i].command)
			write_cmd_line(o, lead, st[i].text, 5);
		else
			write_remedy(o, r, lead, st[i].text, st[i].ours, 5);
	}
	if (n > NEXT_STEPS) {
		addf(o, "  (%zu more distinct fixes above)", n - NEXT_STEPS);
		flush_para(o, 5);
	}
	add(o, "  The safe fixes at once (the plan first, then one confirmation; "
	       "lxd-harden rollback undoes them):");
	flush_para(o, 4);
	{
		struct strbuf cmd = STRBUF_INIT;

		strbuf_addstr(&cmd, "lxd-harden fix --apply");
		if (!str_empty(r->fix_args)) {
			strbuf_addch(&cmd, ' ');
			escape_cmd(&cmd, r->fix_args);
		}
		write_command(o, "    ", cmd.buf, 6);
		strbuf_release(&cmd);
	}
	if (str_starts_with(r->endpoint, "dir://")) {
		add(o, "  (this audit read a saved state: run it against the "
		       "server it came from, adding --socket, --remote or "
		       "--url)");
		flush_para(o, 3);
	}
	for (size_t i = 0; i < n; i++)
		free(st[i].own);
	free(st);
}

/* The columns to wrap to: $COLUMNS, else the terminal's, else 80. */
static size_t
text_width(FILE *f)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	long v;
	char *end;

	if (env && *env) {
		v = strtol(env, &end, 10);
		if (!*end && v >= 40 && v <= 1000)
			return (size_t)v;
	}
	if (isatty(fileno(f)) == 1 && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 40)
		return ws.ws_col;
	return 80;
}

int
report_text_write(FILE *f, const struct report *r, unsigned flags)
{
	struct out o = {
		.f = f,
		.color = (flags & REPORT_COLOR) != 0,
		.verbose = (flags & REPORT_VERBOSE) != 0,
		.width = text_width(f),
		.r = r,
	};
	const struct section *cur = NULL;
	size_t n_shown = 0;

	write_header(&o, r);
	for (size_t i = 0; i < r->n; i++) {
		const struct section *sec = catalog_section_of(r->results[i].check);

		if (!result_shown(r, &r->results[i], o.verbose))
			continue;
		n_shown++;
		if (sec != cur) {
			cur = sec;
			add(&o, "\n");
			color(&o, C_BOLD);
			add(&o, sec ? sec->name : "Other");
			color(&o, C_RESET);
			flush_para(&o, 0);
		}
		write_result(&o, &r->results[i]);
	}
	if (!n_shown) {
		add(&o, "\nNo check fails.");
		flush_para(&o, 0);
	}

	if (r->has_baseline) {
		add(&o, "\n");
		color(&o, C_BOLD);
		add(&o, "Fixed since the baseline");
		color(&o, C_RESET);
		addf(&o, " (%zu)", r->fixed_since.n);
		flush_para(&o, 0);
		for (size_t i = 0; i < r->fixed_since.n; i++) {
			const struct finding *fx = &r->fixed_since.v[i];

			add(&o, "  ");
			put_safe(&o, r->fixed_ids[i]);
			add(&o, " ");
			put_object(&o, fx->object);
			if (fx->device) {
				add(&o, " device ");
				put_safe(&o, fx->device);
			}
			add(&o, ": ");
			put_safe(&o, fx->message);
			flush_para(&o, 6);
		}
	}
	if (r->n_notes) {
		add(&o, "\n");
		color(&o, C_BOLD);
		add(&o, "Notes");
		color(&o, C_RESET);
		flush_para(&o, 0);
		for (size_t i = 0; i < r->n_notes; i++) {
			add(&o, "  - ");
			put_safe(&o, r->notes[i]);
			flush_para(&o, 4);
		}
	}
	if (!o.verbose)
		write_tally(&o, r);

	addf(&o, "\nsummary: %zu fail, %zu error, %zu manual, %zu pass, "
		 "%zu notapplicable",
	     r->counts[ST_FAIL], r->counts[ST_ERROR], r->counts[ST_MANUAL],
	     r->counts[ST_PASS], r->counts[ST_NOTAPPLICABLE]);
	if (r->counts[ST_WAIVED] || r->counts[ST_SKIPPED])
		addf(&o, ", %zu waived, %zu skipped", r->counts[ST_WAIVED],
		     r->counts[ST_SKIPPED]);
	addf(&o, " (%zu checks)", r->n);
	flush_para(&o, 2);
	if (r->score >= 0) {
		addf(&o, "score: %.1f%% of applicable checks pass, weighted "
			 "by severity", r->score);
		flush_para(&o, 2);
	}
	write_next_steps(&o, r);
	strbuf_release(&o.para);
	if (fflush(f) == EOF)
		o.err = -1;
	return o.err;
}
