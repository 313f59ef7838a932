/* finding.c - statuses, severities and the findings a check produces */
#include "finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const severity_names[] = {
	[SEV_INFO] = "info",
	[SEV_LOW] = "low",
	[SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high",
	[SEV_CRITICAL] = "critical",
};
_Static_assert(ARRAY_SIZE(severity_names) == SEV__COUNT,
	       "a severity has no name");

static const char *const status_names[] = {
	[ST_PASS] = "pass",
	[ST_FAIL] = "fail",
	[ST_MANUAL] = "manual",
	[ST_NOTAPPLICABLE] = "notapplicable",
	[ST_ERROR] = "error",
	[ST_WAIVED] = "waived",
	[ST_SKIPPED] = "skipped",
	[ST_FIXED] = "fixed",
};
_Static_assert(ARRAY_SIZE(status_names) == ST__COUNT, "a status has no name");

const char *
severity_name(enum severity s)
{
	return (unsigned)s < SEV__COUNT ? severity_names[s] : "unknown";
}

const char *
status_name(enum status s)
{
	return (unsigned)s < ST__COUNT ? status_names[s] : "unknown";
}

int
severity_parse(const char *name, enum severity *out)
{
	for (size_t i = 0; i < SEV__COUNT; i++) {
		if (str_eq(name, severity_names[i])) {
			*out = (enum severity)i;
			return 0;
		}
	}
	return -1;
}

struct finding *
findings_add(struct findings *fs, enum status st, enum severity sev,
	     const char *object, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (fs->n == fs->alloc) {
		fs->alloc = fs->alloc ? fs->alloc * 2 : 8;
		fs->v = xrealloc(fs->v, fs->alloc * sizeof(*fs->v));
	}
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof(*f));
	f->status = st;
	f->severity = sev;
	f->object = xstrdup(object ? object : "");
	va_start(ap, fmt);
	f->message = xvasprintf(fmt, ap);
	va_end(ap);
	return f;
}

static void
replace(char **slot, const char *s)
{
	free(*slot);
	*slot = s ? xstrdup(s) : NULL;
}

void
finding_key(struct finding *f, const char *key, const char *value,
	    const char *source)
{
	replace(&f->key, key);
	replace(&f->value, value);
	replace(&f->source, source);
}

void
finding_device(struct finding *f, const char *device)
{
	replace(&f->device, device);
}

void
finding_remediation(struct finding *f, const char *fmt, ...)
{
	va_list ap;

	free(f->remediation);
	va_start(ap, fmt);
	f->remediation = xvasprintf(fmt, ap);
	va_end(ap);
}

void
finding_release(struct finding *f)
{
	free(f->object);
	free(f->message);
	free(f->device);
	free(f->key);
	free(f->value);
	free(f->source);
	free(f->remediation);
	free(f->waiver_reason);
	free(f->waiver_expires);
	memset(f, 0, sizeof(*f));
}

void
findings_release(struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_release(&fs->v[i]);
	free(fs->v);
	fs->v = NULL;
	fs->n = fs->alloc = 0;
}
