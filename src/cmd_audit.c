/* cmd_audit.c - lxd-harden audit: fetch, evaluate, report, exit status */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "audit_fleet.h"
#include "audit_run.h"
#include "cli.h"
#include "deadline.h"
#include "engine.h"
#include "escape.h"
#include "fleet.h"
#include "gate.h"
#include "host_only.h"
#include "report.h"
#include "report/fleet_report.h"
#include "target.h"

void
cmd_error(const char *fmt, ...)
{
	va_list ap;

	/* the whole line: names, paths and server text all end up in it */
	fputs("lxd-harden: ", stderr);
	va_start(ap, fmt);
	term_vprintf(stderr, fmt, ap);
	va_end(ap);
}

void
cmd_bad_option(char **argv)
{
	int i = optind > 1 ? optind - 1 : 1;
	const char *arg = argv[i] ? argv[i] : "";

	/* a long option names itself; a short one is optopt */
	if (!str_starts_with(arg, "--") && optopt > ' ' && optopt < 0x7f)
		cmd_error("%s: bad option '-%c' or its value missing", argv[0],
			  optopt);
	else
		cmd_error("%s: bad option '%s' or its value missing", argv[0],
			  arg);
}

static void
audit_usage(FILE *f)
{
	fprintf(f,
		"usage: lxd-harden audit [options]\n"
		"\n"
		"Where the server is (default: the local socket, found as lxc finds it):\n"
		"  --socket PATH          the LXD unix socket\n"
		"  --remote NAME          a remote from the lxc client configuration;\n"
		"                         repeat it to audit several (a fleet)\n"
		"  --all-remotes          every remote of the client configuration\n"
		"                         that speaks the LXD API (a fleet)\n"
		"  --targets FILE         the targets of a fleet (YAML 'targets:' list)\n"
		"  --jobs N               audit at most N targets at once (default:\n"
		"                         the number of CPUs)\n"
		"  --host-only            only the host checks of this machine; the\n"
		"                         report names the host (and cluster member)\n"
		"  --url https://H:P      a server over HTTPS, with --cert and --key\n"
		"  --cert FILE --key FILE client certificate and key (PEM)\n"
		"  --server-cert FILE     the server certificate to pin\n"
		"  --input DIR            audit a saved snapshot (JSON files) instead\n"
		"  --host-root DIR        read the host checks' files under DIR, not /\n"
		"                         (needed for host checks with --input)\n"
		"\n"
		"What to report:\n"
		"  --format FORMAT        %s (default text)\n"
		"  -o, --output FILE      write the report to FILE (atomically)\n"
		"  -o FORMAT=FILE         write FORMAT to FILE; repeat for several;\n"
		"                         FILE - is stdout; the text report still goes\n"
		"                         to stdout unless a -o names text or -\n"
		"  --fail-on SEVERITY     exit 2 when a check fails at or above it:\n"
		"                         critical, high, medium, low (default), info\n"
		"  --baseline OLD.json    mark findings new or known, list what was fixed\n"
		"  --fail-on-new          with --baseline: only new findings fail the run\n"
		"  --policy FILE          thresholds, admins, skips, waivers (YAML)\n"
		"  --releases FILE        the supported-release table (GEN-001)\n"
		"  --timeout DURATION     the whole audit ends within it (default 120s;\n"
		"                         e.g. 30s, 500ms, 2m); per target in a fleet\n"
		"  --no-color             never colour the text report\n"
		"  -v, --verbose          list every check: passes, reasons for n/a,\n"
		"                         every object of a grouped finding\n"
		"\n"
		"Which checks and objects (like the policy's skip:):\n"
		"  --check ID|GLOB        run only these checks (repeatable)\n"
		"  --skip ID|GLOB         skip these checks (repeatable)\n"
		"  --section NAME         only this section: GEN, ACC, NET, ... or its\n"
		"                         name (repeatable)\n"
		"  --project NAME         only findings on objects of this project\n"
		"  --min-severity LEVEL   show only failing checks at or above it (the\n"
		"                         exit status still follows --fail-on)\n"
		"\n"
		"Exit status: 0 clean, 2 findings at or above --fail-on, 1 could not audit\n"
		"(a fleet: 1 when any target could not be audited, else the worst).\n",
		report_format_names());
}

struct output {
	const struct report_format *format;
	const char *path;	/* NULL: stdout */
	bool std;		/* "-" or /dev/stdout: the standard output */
};

#define MAX_OUTPUTS 16

struct audit_opts {
	struct target_opts target;
	const char *format;
	const char *output;	/* a plain -o FILE */
	struct output outputs[MAX_OUTPUTS + 1];	/* -o FORMAT=FILE, and
						   the text on stdout */
	size_t n_outputs;
	const char *baseline;
	bool fail_on_new;
	const char *policy;
	const char *releases;
	const char *input;
	const char *host_root;
	long long timeout_ms;
	enum severity fail_on;
	bool no_color;
	bool verbose;
	struct gate_select select;
	bool min_set;
	enum severity min_severity;
	/* a fleet: more than one --remote, --all-remotes or --targets */
	const char *remotes[FLEET_MAX_TARGETS];
	size_t n_remotes;
	bool all_remotes;
	const char *targets;
	unsigned jobs;
	bool host_only;
};

static bool
is_fleet(const struct audit_opts *o)
{
	return o->n_remotes > 1 || o->all_remotes || o->targets;
}

/*
 * "-" and /dev/stdout name the standard output: written there directly
 * (a pipe cannot be replaced atomically).
 */
static bool
is_stdout(const char *path)
{
	return str_eq(path, "-") || str_eq(path, "/dev/stdout") ||
	       str_eq(path, "/dev/fd/1") || str_eq(path, "/proc/self/fd/1");
}

/*
 * -o takes FILE (the --format report) or FORMAT=FILE. A path that merely
 * contains '=' is a plain FILE unless what stands before the '=' names a
 * format.
 */
static int
add_output(struct audit_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const struct report_format *fmt = NULL;
	char name[32];

	if (eq && (size_t)(eq - arg) < sizeof(name)) {
		memcpy(name, arg, (size_t)(eq - arg));
		name[eq - arg] = '\0';
		fmt = report_format_find(name);
	}
	if (!fmt) {
		if (o->output) {
			cmd_error("-o given twice; use -o FORMAT=FILE for "
				  "several reports");
			return -1;
		}
		o->output = arg;
		return 0;
	}
	if (!eq[1]) {
		cmd_error("-o %s= needs a file name", name);
		return -1;
	}
	if (o->n_outputs == MAX_OUTPUTS) {
		cmd_error("at most %d reports at once", MAX_OUTPUTS);
		return -1;
	}
	o->outputs[o->n_outputs].format = fmt;
	o->outputs[o->n_outputs].path = eq + 1;
	o->outputs[o->n_outputs].std = is_stdout(eq + 1);
	o->n_outputs++;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct audit_opts *o)
{
	enum {
		OPT_SOCKET = TARGET_OPT_SOCKET, OPT_REMOTE, OPT_URL, OPT_CERT,
		OPT_KEY, OPT_SERVER_CERT, OPT_FORMAT, OPT_FAIL_ON, OPT_POLICY,
		OPT_RELEASES, OPT_INPUT, OPT_NO_COLOR, OPT_BASELINE,
		OPT_FAIL_ON_NEW, OPT_HOST_ROOT, OPT_TIMEOUT, OPT_CHECK,
		OPT_SKIP, OPT_SECTION, OPT_PROJECT, OPT_MIN_SEVERITY,
		OPT_ALL_REMOTES, OPT_TARGETS, OPT_JOBS, OPT_HOST_ONLY,
	};
	_Static_assert((int)OPT_SERVER_CERT == (int)TARGET_OPT_SERVER_CERT,
		       "the target options keep their shared values");
	static const struct option longopts[] = {
		{ "all-remotes", no_argument, NULL, OPT_ALL_REMOTES },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "fail-on-new", no_argument, NULL, OPT_FAIL_ON_NEW },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "host-only", no_argument, NULL, OPT_HOST_ONLY },
		{ "host-root", required_argument, NULL, OPT_HOST_ROOT },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "min-severity", required_argument, NULL, OPT_MIN_SEVERITY },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "output", required_argument, NULL, 'o' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "releases", required_argument, NULL, OPT_RELEASES },
		{ "remote", required_argument, NULL, OPT_REMOTE },
		{ "section", required_argument, NULL, OPT_SECTION },
		{ "server-cert", required_argument, NULL, OPT_SERVER_CERT },
		{ "skip", required_argument, NULL, OPT_SKIP },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "targets", required_argument, NULL, OPT_TARGETS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "url", required_argument, NULL, OPT_URL },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->fail_on = SEV_LOW;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ho:v", longopts, NULL)) != -1) {
		if (c == OPT_REMOTE) {
			if (o->n_remotes == FLEET_MAX_TARGETS) {
				cmd_error("more than %d --remote",
					  FLEET_MAX_TARGETS);
				return -1;
			}
			o->remotes[o->n_remotes++] = optarg;
		}
		if (target_opt_set(&o->target, c, optarg))
			continue;
		switch (c) {
		case OPT_ALL_REMOTES:
			o->all_remotes = true;
			break;
		case OPT_TARGETS:
			o->targets = optarg;
			break;
		case OPT_HOST_ONLY:
			o->host_only = true;
			break;
		case OPT_JOBS: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*optarg < '0' || *optarg > '9' || *end || n < 1 ||
			    n > 1024) {
				cmd_error("--jobs '%s' is not a number from 1 "
					  "to 1024", optarg);
				return -1;
			}
			o->jobs = (unsigned)n;
			break;
		}
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case 'o':
			if (add_output(o, optarg) != 0)
				return -1;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_FAIL_ON_NEW:
			o->fail_on_new = true;
			break;
		case OPT_FAIL_ON:
			if (cli_severity("--fail-on", optarg, &o->fail_on) != 0)
				return -1;
			break;
		case OPT_POLICY:
			o->policy = optarg;
			break;
		case OPT_RELEASES:
			o->releases = optarg;
			break;
		case OPT_INPUT:
			o->input = optarg;
			break;
		case OPT_HOST_ROOT:
			o->host_root = optarg;
			break;
		case OPT_TIMEOUT:
			o->timeout_ms = deadline_parse(optarg);
			if (o->timeout_ms < 0) {
				cmd_error("--timeout '%s' is not a duration "
					  "(e.g. 60s, 500ms, 2m; at most 24h)",
					  optarg);
				return -1;
			}
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_CHECK:
		case OPT_SKIP:
		case OPT_SECTION:
		case OPT_PROJECT:
			if (cli_select_option(&o->select,
					      c == OPT_CHECK ? "check" :
					      c == OPT_SKIP ? "skip" :
					      c == OPT_SECTION ? "section" :
								 "project",
					      optarg) != 0)
				return -1;
			break;
		case OPT_MIN_SEVERITY:
			if (cli_severity("--min-severity", optarg, &o->min_severity) != 0)
				return -1;
			o->min_set = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			audit_usage(stdout);
			exit(EXIT_CLEAN);
		default:
			cli_bad_option("audit", c, argv, longopts);
			return -1;
		}
	}
	if (optind < argc) {
		cmd_error("unexpected argument '%s' (see 'lxd-harden audit "
			  "--help')", argv[optind]);
		return -1;
	}
	if (!report_format_find(o->format)) {
		cmd_error("unknown format '%s' (%s)", o->format,
			  report_format_names());
		return -1;
	}
	if (o->fail_on_new && !o->baseline) {
		cmd_error("--fail-on-new needs --baseline OLD.json");
		return -1;
	}
	if (o->output && o->n_outputs) {
		cmd_error("-o FILE cannot be mixed with -o FORMAT=FILE; write "
			  "-o %s=%s", o->format, o->output);
		return -1;
	}
	for (size_t i = 0; i < o->n_outputs; i++) {
		for (size_t j = 0; j < i; j++) {
			if (o->outputs[i].std && o->outputs[j].std) {
				cmd_error("two reports would be written to "
					  "stdout (-o %s=%s and -o %s=%s)",
					  o->outputs[j].format->name,
					  o->outputs[j].path,
					  o->outputs[i].format->name,
					  o->outputs[i].path);
				return -1;
			}
			if (str_eq(o->outputs[i].path, o->outputs[j].path)) {
				cmd_error("two reports would be written to '%s'",
					  o->outputs[i].path);
				return -1;
			}
		}
	}
	if (o->input && (o->target.socket || o->target.remote ||
			 o->target.url)) {
		cmd_error("--input cannot be combined with --socket, --remote "
			  "or --url");
		return -1;
	}
	if (is_fleet(o) && (o->input || o->target.socket || o->target.url ||
			    o->host_only || o->host_root)) {
		cmd_error("a fleet (several --remote, --all-remotes, --targets) "
			  "cannot be combined with --input, --socket, --url, "
			  "--host-root or --host-only; name sockets and URLs in "
			  "a --targets file");
		return -1;
	}
	if (is_fleet(o) &&
	    (o->target.cert || o->target.key || o->target.server_cert)) {
		cmd_error("--cert, --key and --server-cert name one server; "
			  "give each target its own in a --targets file");
		return -1;
	}
	if (is_fleet(o) && o->baseline) {
		cmd_error("--baseline compares one server's reports; for a "
			  "fleet use 'lxd-harden merge --baseline OLD.json'");
		return -1;
	}
	if (o->jobs && !is_fleet(o)) {
		cmd_error("--jobs needs a fleet (several --remote, "
			  "--all-remotes or --targets)");
		return -1;
	}
	if (o->host_only && (o->target.remote || o->target.url)) {
		cmd_error("--host-only reads this machine: use the local socket "
			  "(--socket PATH or none), not --remote or --url");
		return -1;
	}
	{
		struct diag d;

		if (o->host_only && host_only_select(&o->select, &d) != 0) {
			cmd_error("%s", d.msg);
			return -1;
		}
		if (gate_select_validate(&o->select, &d) != 0) {
			cmd_error("%s", d.msg);
			return -1;
		}
	}
	return 0;
}

/* Appends s as one shell word (single-quoted unless plainly safe). */
static void
add_word(struct strbuf *sb, const char *s)
{
	if (sb->len)
		strbuf_addch(sb, ' ');
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_@%+=:,./-") == strlen(s)) {
		strbuf_addstr(sb, s);
		return;
	}
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\"'\"'");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

/* --opt=VALUE, one word, so a wrapped command never splits the pair. */
static void
add_opt(struct strbuf *sb, const char *opt, const char *value)
{
	struct strbuf w = STRBUF_INIT;

	if (!value)
		return;
	add_word(&w, value);
	if (sb->len)
		strbuf_addch(sb, ' ');
	strbuf_addf(sb, "%s=%s", opt, w.buf);
	strbuf_release(&w);
}

/*
 * The options 'lxd-harden fix' needs to act on the same server with the
 * same policy and selection, shell-quoted. Caller frees.
 */
static char *
fix_args(const struct audit_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	const struct gate_select *s = &o->select;

	add_opt(&sb, "--socket", o->target.socket);
	add_opt(&sb, "--remote", o->target.remote);
	add_opt(&sb, "--url", o->target.url);
	add_opt(&sb, "--cert", o->target.cert);
	add_opt(&sb, "--key", o->target.key);
	add_opt(&sb, "--server-cert", o->target.server_cert);
	add_opt(&sb, "--policy", o->policy);
	add_opt(&sb, "--releases", o->releases);
	add_opt(&sb, "--host-root", o->host_root);
	for (size_t i = 0; i < s->n_check; i++)
		add_opt(&sb, "--check", s->check[i]);
	for (size_t i = 0; i < s->n_skip; i++)
		add_opt(&sb, "--skip", s->skip[i]);
	for (size_t i = 0; i < s->n_section; i++)
		add_opt(&sb, "--section", s->section[i]);
	add_opt(&sb, "--project", s->project);
	if (o->min_set)
		add_opt(&sb, "--min-severity", severity_name(o->min_severity));
	return strbuf_detach(&sb);
}

static bool
want_color(const struct audit_opts *o)
{
	const char *nc = getenv("NO_COLOR");

	if (o->no_color || (nc && *nc))
		return false;
	return isatty(STDOUT_FILENO) == 1;
}

/* What atomic_write() hands to write_report(). */
struct report_job {
	const struct report_format *format;
	const struct report *report;
	unsigned flags;
	const struct fleet *fleet;	/* a fleet: written instead */
};

static int
write_report(FILE *f, void *ctx)
{
	const struct report_job *job = ctx;

	if (job->fleet)
		return fleet_write(f, job->fleet, job->format->name,
				   job->flags);
	return job->format->write(f, job->report, job->flags);
}

/* The targets of a fleet run, in the order the command line gave them. */
static int
fleet_targets(const struct audit_opts *o, struct fleet_targets *t)
{
	struct diag d = { { 0 } };

	for (size_t i = 0; i < o->n_remotes; i++) {
		struct target_opts one = { 0 };
		const char *name = o->remotes[i];
		char *trimmed = NULL;
		int rc;

		/* "prod:" as lxc spells it names the target "prod" */
		if (*name && name[strlen(name) - 1] == ':')
			name = trimmed = xstrndup(name, strlen(name) - 1);
		one.remote = o->remotes[i];
		rc = fleet_targets_add(t, name, &one, NULL, &d);
		free(trimmed);
		if (rc != 0)
			goto bad;
	}
	if (o->targets && fleet_targets_load(t, o->targets, &d) != 0)
		goto bad;
	if (o->all_remotes && fleet_targets_all_remotes(t, &d) != 0)
		goto bad;
	return 0;
bad:
	cmd_error("%s", d.msg);
	return -1;
}

static int
write_std(const struct report_format *fmt, const struct report *report,
	  const struct fleet *fl, unsigned flags)
{
	struct report_job job = { fmt, report, flags, fl };

	return write_report(stdout, &job);
}

/* Writes every report the options ask for (-o, --format, stdout). */
static int
write_outputs(struct audit_opts *o, const struct report_format *fmt,
	      const struct report *report, const struct fleet *fl,
	      unsigned flags)
{
	if (o->n_outputs == 0) {
		o->outputs[0].format = fmt;
		o->outputs[0].path = o->output;
		o->outputs[0].std = !o->output || is_stdout(o->output);
		o->n_outputs = 1;
	}
	/*
	 * When -o FORMAT=FILE sends every report to a file and none of them
	 * is text, the text report goes to stdout as well: a person (or a
	 * CI log) still sees it. A plain -o FILE keeps stdout quiet.
	 */
	if (!o->output) {
		bool claimed = false;

		for (size_t i = 0; i < o->n_outputs; i++)
			claimed |= o->outputs[i].std ||
				   str_eq(o->outputs[i].format->name, "text");
		if (!claimed && o->n_outputs < MAX_OUTPUTS + 1) {
			o->outputs[o->n_outputs].format =
				report_format_find("text");
			o->outputs[o->n_outputs].path = NULL;
			o->outputs[o->n_outputs].std = true;
			o->n_outputs++;
		}
	}
	for (size_t i = 0; i < o->n_outputs; i++) {
		const struct output *out = &o->outputs[i];

		if (!out->std) {
			struct report_job job = { out->format, report, flags,
						   fl };

			if (atomic_write(out->path, 0644, write_report,
					 &job) != 0)
				return -1;
		} else if (write_std(out->format, report, fl,
				     flags | (want_color(o) ? REPORT_COLOR :
							      0)) != 0 ||
			   fflush(stdout) != 0) {
			cmd_error("cannot write the report: %s",
				  strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
audit_fleet_cmd(struct audit_opts *o, const struct report_format *fmt)
{
	struct fleet_targets t = { 0 };
	struct fleet fl = { 0 };
	struct audit_fleet a = { 0 };
	unsigned flags = o->verbose ? REPORT_VERBOSE : 0;
	int rc = EXIT_ERROR;

	if (fleet_targets(o, &t) != 0)
		goto out;
	a.policy = o->policy;
	a.releases = o->releases;
	a.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : AUDIT_TIMEOUT_MS;
	a.select = &o->select;
	a.min_set = o->min_set;
	a.min_severity = o->min_severity;
	fl.generated_at = now_epoch();
	fleet_run(&t, o->jobs ? o->jobs : fleet_default_jobs(), a.timeout_ms,
		  audit_fleet_one, &a, &fl);
	if (write_outputs(o, fmt, NULL, &fl, flags) != 0)
		goto out;
	rc = fleet_exit_status(&fl, o->fail_on);
out:
	fleet_release(&fl);
	fleet_targets_release(&t);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	struct audit_opts o;
	struct audit_run ar;
	struct audit_run_opts ro = { 0 };
	struct report *report;
	const struct report_format *fmt;
	struct diag d = { { 0 } };
	unsigned flags = 0;
	int rc = EXIT_ERROR;
	char *args = NULL;

	if (parse_opts(argc, argv, &o) != 0)
		return EXIT_ERROR;
	fmt = report_format_find(o.format);
	if (is_fleet(&o))
		return audit_fleet_cmd(&o, fmt);
	ro.target = o.target;
	ro.policy = o.policy;
	ro.releases = o.releases;
	ro.host_root = o.host_root;
	ro.input = o.input;
	ro.timeout_ms = o.timeout_ms;
	ro.host_only = o.host_only;
	ro.select = &o.select;
	if (audit_run_start(&ar, &ro, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	report = &ar.report;
	if (o.baseline && gate_apply_baseline(report, o.baseline, &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}

	if (gate_apply_selection(report, &o.select, &ar.policy, &ar.snap,
				 &d) != 0) {
		cmd_error("%s", d.msg);
		goto out;
	}
	/* the report owns what it says: the server's objects can go */
	snapshot_drop_parts(&ar.snap);
	if (o.min_set)
		report->min_severity = o.min_severity;
	args = fix_args(&o);
	report->fix_args = args;

	if (o.verbose)
		flags |= REPORT_VERBOSE;
	if (write_outputs(&o, fmt, report, NULL, flags) != 0)
		goto out;
	rc = gate_fails(report, o.fail_on, o.fail_on_new) ? EXIT_FINDINGS :
							     EXIT_CLEAN;
out:
	audit_run_release(&ar);
	free(args);
	return rc;
}
