/*
 * test_reads.c - which parts of the snapshot each check reads, and
 * engine_run_changed, which watch uses to re-run only the checks an
 * event can change.
 *
 * Soundness, on saved states: state B is state A with one part taken
 * from another state. A check whose run on A read none of the parts in
 * which B differs must find on B exactly what it found on A (else the
 * recorded reads miss an access, and watch would miss a change); the
 * checks engine_run_changed runs again must find what a full run on B
 * finds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "engine.h"

static char *
data_path(const char *rel)
{
	const char *base = getenv("LXDH_TESTDATA");

	return xasprintf("%s/%s", base ? base : "tests/data", rel);
}

static const char *const parts[] = {
	"certificates.json", "instances.json", "networks.json",
	"profiles.json", "projects.json", "storage-pools.json",
};

static void
copy_file(const char *from, const char *to)
{
	struct diag d = { { 0 } };
	char *buf;
	size_t len;
	FILE *f;

	assert_int_equal(read_file_max(from, 16 << 20, "fixture", &buf, &len,
				       &d), 0);
	f = fopen(to, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
}

/* dir: a copy of state base with file taken from state other (or not) */
static char *
mix(const char *base, const char *other, const char *file)
{
	char tmpl[] = "/tmp/lxdh-reads-XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	const char *all[ARRAY_SIZE(parts) + 1];

	memcpy(all, parts, sizeof(parts));
	all[ARRAY_SIZE(parts)] = "server.json";
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		char *from = xasprintf("%s/%s", str_eq(all[i], file) ?
							 other :
							 base,
				       all[i]);
		char *to = xasprintf("%s/%s", dir, all[i]);

		copy_file(from, to);
		free(from);
		free(to);
	}
	return dir;
}

static void
unmix(char *dir)
{
	const char *all[ARRAY_SIZE(parts) + 1];

	memcpy(all, parts, sizeof(parts));
	all[ARRAY_SIZE(parts)] = "server.json";
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		char *p = xasprintf("%s/%s", dir, all[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(dir);
}

/* What a check found, as text: its findings in order. */
static char *
found(const struct check_result *res)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s\n", status_name(res->status));
	for (size_t i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];

		strbuf_addf(&sb, "%s|%s|%s|%s|%s\n", status_name(f->status),
			    f->object ? f->object : "",
			    f->key ? f->key : "", f->value ? f->value : "",
			    f->message ? f->message : "");
	}
	return strbuf_detach(&sb);
}

struct state {
	struct snapshot s;
	struct policy pol;
	struct check_ctx x;
	struct report r;
};

static void
load(struct state *st, const char *dir)
{
	struct diag d = { { 0 } };

	memset(st, 0, sizeof(*st));
	snapshot_init(&st->s);
	policy_init(&st->pol);
	assert_int_equal(snapshot_load_dir(&st->s, dir, &d), 0);
	st->x.snap = &st->s;
	st->x.policy = &st->pol;
}

static void
unload(struct state *st)
{
	engine_report_release(&st->r);
	policy_release(&st->pol);
	snapshot_release(&st->s);
}

static void
soundness(const char *base_rel, const char *other_rel)
{
	char *base = data_path(base_rel), *other = data_path(other_rel);
	struct state a;
	size_t kept_total = 0, rerun_total = 0;

	load(&a, base);
	engine_run(&a.x, &a.r);
	for (size_t p = 0; p < ARRAY_SIZE(parts); p++) {
		char *dir = mix(base, other, parts[p]);
		struct state b, c;
		unsigned long long changed, *reads;

		load(&b, dir);
		engine_run(&b.x, &b.r);
		load(&c, dir);
		changed = snapshot_changed(&a.s, &c.s);
		reads = xcalloc(a.r.n, sizeof(*reads));
		for (size_t i = 0; i < a.r.n; i++)
			reads[i] = a.r.results[i].reads;
		engine_run_changed(&c.x, &c.r, reads, changed);
		assert_int_equal(c.r.n, a.r.n);
		for (size_t i = 0; i < a.r.n; i++) {
			const char *id = a.r.results[i].check->id;
			char *fa = found(&a.r.results[i]);
			char *fb = found(&b.r.results[i]);

			if (c.r.results[i].kept) {
				kept_total++;
				if (!str_eq(fa, fb))
					fail_msg("%s with %s of %s: %s read "
						 "none of what changed "
						 "(%#llx) but finds otherwise:"
						 "\n%s---\n%s", base_rel,
						 parts[p], other_rel, id,
						 changed, fa, fb);
			} else {
				char *fc = found(&c.r.results[i]);

				rerun_total++;
				if (!str_eq(fc, fb))
					fail_msg("%s: run again, it differs "
						 "from a full run", id);
				free(fc);
			}
			free(fa);
			free(fb);
		}
		free(reads);
		unload(&b);
		unload(&c);
		unmix(dir);
	}
	/* the test means something: some checks were kept, some re-run */
	assert_true(kept_total > 0);
	assert_true(rerun_total > 0);
	unload(&a);
	free(base);
	free(other);
}

static void
test_soundness_lxd(void **state)
{
	(void)state;
	soundness("workload/lxd-502", "workload/hostile");
	soundness("workload/lxd-502", "workload/empty");
	soundness("workload/hostile", "workload/lxd-502");
}

static void
test_soundness_incus(void **state)
{
	(void)state;
	soundness("workload/incus", "workload/lxd-502");
}

/* What some checks must be seen to read. */
static void
test_reads_recorded(void **state)
{
	char *dir = data_path("workload/lxd-502");
	struct state a;

	(void)state;
	load(&a, dir);
	engine_run(&a.x, &a.r);
	for (size_t i = 0; i < a.r.n; i++) {
		const struct check_result *res = &a.r.results[i];

		/* /1.0 by every check */
		assert_true(res->reads & SNAP_BIT(SNAP_SERVER));
		if (str_eq(res->check->id, "LXD-INS-001"))
			assert_true((res->reads & SNAP_BIT(SNAP_INSTANCES)) &&
				    (res->reads & SNAP_BIT(SNAP_PROFILES)));
		if (str_eq(res->check->id, "LXD-GEN-003"))
			assert_true(res->reads &
				    SNAP_BIT(SNAP_STORAGE_POOLS));
		if (str_eq(res->check->id, "LXD-NET-001"))
			assert_false(res->reads & SNAP_BIT(SNAP_INSTANCES));
	}
	/* a change to /1.0 runs everything again */
	{
		struct state c;
		unsigned long long *reads = xcalloc(a.r.n, sizeof(*reads));

		for (size_t i = 0; i < a.r.n; i++)
			reads[i] = a.r.results[i].reads;
		load(&c, dir);
		engine_run_changed(&c.x, &c.r, reads, SNAP_BIT(SNAP_SERVER));
		for (size_t i = 0; i < c.r.n; i++)
			assert_false(c.r.results[i].kept);
		free(reads);
		unload(&c);
	}
	unload(&a);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_recorded),
		cmocka_unit_test(test_soundness_lxd),
		cmocka_unit_test(test_soundness_incus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
