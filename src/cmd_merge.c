/* cmd_merge.c - lxd-harden merge: many reports into one fleet report */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "fleet.h"
#include "fleet_merge.h"
#include "report.h"
#include "report/fleet_report.h"

#define MERGE_MAX_INPUTS 4096

static void
merge_usage(FILE *f)
{
	fprintf(f,
		"usage: lxd-harden merge [options] REPORT.json...\n"
		"\n"
		"Combines JSON reports (audit --format json, audit --host-only,\n"
		"fleet reports) into one fleet report. Findings on cluster-wide\n"
		"objects from reports of the same cluster (the same certificate\n"
		"fingerprint) are kept once; host findings are kept per host.\n"
		"\n"
		"  --format FORMAT        %s (default text)\n"
		"  -o, --output FILE      write the report to FILE (atomically)\n"
		"  --baseline OLD.json    carry each finding's first_seen from an\n"
		"                         older report (v1 or fleet)\n"
		"  --fail-on SEVERITY     exit 2 when a check fails at or above it\n"
		"                         (default low)\n"
		"  --no-color             never colour the text report\n"
		"  -v, --verbose          each report's findings after the table\n"
		"\n"
		"Exit status: 0 clean, 2 findings at or above --fail-on, 1 when a\n"
		"report could not be read or a target could not be audited.\n",
		report_format_names());
}

struct merge_opts {
	const char *format;
	const char *output;
	const char *baseline;
	enum severity fail_on;
	bool verbose;
	bool no_color;
};

static int
parse(int argc, char **argv, struct merge_opts *o)
{
	enum { OPT_FORMAT = 256, OPT_BASELINE, OPT_FAIL_ON, OPT_NO_COLOR };
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->fail_on = SEV_LOW;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ho:v", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_FAIL_ON:
			if (cli_severity("--fail-on", optarg, &o->fail_on) != 0)
				return -1;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			merge_usage(stdout);
			exit(EXIT_CLEAN);
		default:
			cli_bad_option("merge", c, argv, longopts);
			return -1;
		}
	}
	if (!report_format_find(o->format)) {
		cmd_error("unknown format '%s' (%s)", o->format,
			  report_format_names());
		return -1;
	}
	if (optind >= argc) {
		cmd_error("merge needs one or more reports (see 'lxd-harden "
			  "merge --help')");
		return -1;
	}
	if (argc - optind > MERGE_MAX_INPUTS) {
		cmd_error("more than %d reports", MERGE_MAX_INPUTS);
		return -1;
	}
	return 0;
}

static json_t *
load(const char *path)
{
	struct diag d = { { 0 } };
	char *buf = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *j;

	if (read_file_max(path, FLEET_MAX_REPORT, "report", &buf, &len,
			  &d) != 0) {
		cmd_error("%s", d.msg);
		return NULL;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!j)
		cmd_error("%s:%d:%d: not JSON: %s", path, je.line, je.column,
			  je.text);
	return j;
}

struct merge_job {
	const struct fleet *fl;
	const char *format;
	unsigned flags;
};

static int
write_job(FILE *f, void *ctx)
{
	const struct merge_job *j = ctx;

	return fleet_write(f, j->fl, j->format, j->flags);
}

int
cmd_merge(int argc, char **argv)
{
	struct merge_opts o;
	struct fleet fl = { 0 };
	struct diag d = { { 0 } };
	struct merge_job job;
	int rc = EXIT_ERROR;
	const char *nc = getenv("NO_COLOR");

	if (parse(argc, argv, &o) != 0)
		return EXIT_ERROR;
	fl.generated_at = now_epoch();
	for (int i = optind; i < argc; i++) {
		json_t *doc = load(argv[i]);
		int r;

		if (!doc)
			goto out;
		r = fleet_merge_add(&fl, doc, argv[i], &d);
		json_decref(doc);
		if (r != 0) {
			cmd_error("%s", d.msg);
			goto out;
		}
	}
	fleet_merge_dedup(&fl);
	if (o.baseline) {
		json_t *old = load(o.baseline);
		int r;

		if (!old)
			goto out;
		r = fleet_merge_baseline(&fl, old, &d);
		json_decref(old);
		if (r != 0) {
			cmd_error("%s", d.msg);
			goto out;
		}
	}
	job.fl = &fl;
	job.format = o.format;
	job.flags = o.verbose ? REPORT_VERBOSE : 0;
	if (o.output && !str_eq(o.output, "-")) {
		if (atomic_write(o.output, 0644, write_job, &job) != 0)
			goto out;
	} else {
		if (!o.no_color && !(nc && *nc) && isatty(STDOUT_FILENO) == 1)
			job.flags |= REPORT_COLOR;
		if (write_job(stdout, &job) != 0 || fflush(stdout) != 0) {
			cmd_error("cannot write the report: %s",
				  strerror(errno));
			goto out;
		}
	}
	rc = fleet_exit_status(&fl, o.fail_on);
out:
	fleet_release(&fl);
	return rc;
}
