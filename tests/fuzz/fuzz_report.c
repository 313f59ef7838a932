/* fuzz_report.c - a saved state through the engine and every format */
#include "fuzz_report.h"

#include <stdio.h>
#include <stdlib.h>

#include "gate.h"
#include "lxdh_config.h"
#include "report.h"

static const char *const format_names[] = {
	"text", "json", "sarif", "junit", "html", "prometheus",
};

void
fuzz_report_dir(const char *dir, const struct policy *policy,
		const char *baseline)
{
	struct snapshot snap;
	struct policy defaults;
	struct check_ctx ctx = { 0 };
	struct report r = { 0 };
	struct diag d = { { 0 } };
	FILE *null;

	snapshot_init(&snap);
	policy_init(&defaults);
	if (snapshot_load_dir(&snap, dir, &d) != 0)
		goto out;
	ctx.snap = &snap;
	ctx.policy = policy ? policy : &defaults;
	ctx.releases_path = LXDH_SRC_DATADIR "/releases.json";
	engine_run(&ctx, &r);
	gate_apply_policy(&r, ctx.policy, snap.now);
	if (baseline && gate_apply_baseline(&r, baseline, &d) != 0)
		goto out_report;
	null = fopen("/dev/null", "w");
	if (!null)
		abort();
	for (size_t i = 0; i < sizeof(format_names) / sizeof(*format_names);
	     i++) {
		const struct report_format *f =
			report_format_find(format_names[i]);

		if (!f)
			abort();	/* a format was renamed: fix the list */
		f->write(null, &r, REPORT_VERBOSE);
	}
	fclose(null);
out_report:
	engine_report_release(&r);
out:
	snapshot_release(&snap);
	policy_release(&defaults);
}
