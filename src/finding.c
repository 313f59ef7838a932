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

char *
remedy_text(const struct remedy *r)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < r->n_commands; i++) {
		if (i)
			strbuf_addstr(&sb, " && ");
		strbuf_addstr(&sb, r->commands[i]);
	}
	for (size_t i = 0; i < r->n_needs; i++) {
		strbuf_addf(&sb, "%sneeds %s: %s", sb.len ? "; " : "",
			    r->needs[i].name, r->needs[i].why);
		if (r->fixable)
			strbuf_addf(&sb, " (fix --set %s=VALUE)",
				    r->needs[i].name);
	}
	if (r->note)
		strbuf_addf(&sb, "%s%s", sb.len ? ". " : "", r->note);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

bool
remedy_empty(const struct remedy *r)
{
	char *t = remedy_text(r);
	bool empty = t == NULL;

	free(t);
	return empty;
}

void
finding_remediation(struct finding *f, const char *fmt, ...)
{
	va_list ap;

	free(f->remedy.note);
	va_start(ap, fmt);
	f->remedy.note = xvasprintf(fmt, ap);
	va_end(ap);
}

void
finding_remedy_cmd(struct finding *f, const char *fmt, ...)
{
	struct remedy *r = &f->remedy;
	va_list ap;

	r->commands = xrealloc(r->commands,
			       (r->n_commands + 1) * sizeof(*r->commands));
	va_start(ap, fmt);
	r->commands[r->n_commands] = xvasprintf(fmt, ap);
	va_end(ap);
	/* anything but the client changes the machine (scope host) */
	if (!str_starts_with(r->commands[r->n_commands], "lxc ") &&
	    !str_starts_with(r->commands[r->n_commands], "incus "))
		r->host = true;
	r->n_commands++;
}

void
finding_remedy_need(struct finding *f, const char *name, const char *fmt,
		    ...)
{
	struct remedy *r = &f->remedy;
	va_list ap;

	for (size_t i = 0; i < r->n_needs; i++) {
		if (str_eq(r->needs[i].name, name))
			return;
	}
	r->needs = xrealloc(r->needs, (r->n_needs + 1) * sizeof(*r->needs));
	r->needs[r->n_needs].name = xstrdup(name);
	va_start(ap, fmt);
	r->needs[r->n_needs++].why = xvasprintf(fmt, ap);
	va_end(ap);
}

void
finding_remedy_clear_commands(struct finding *f)
{
	for (size_t i = 0; i < f->remedy.n_commands; i++)
		free(f->remedy.commands[i]);
	free(f->remedy.commands);
	f->remedy.commands = NULL;
	f->remedy.n_commands = 0;
}

void
remedy_copy(struct remedy *dst, const struct remedy *src)
{
	*dst = *src;
	dst->commands = src->n_commands ?
		xcalloc(src->n_commands, sizeof(*dst->commands)) : NULL;
	for (size_t i = 0; i < src->n_commands; i++)
		dst->commands[i] = xstrdup(src->commands[i]);
	dst->needs = src->n_needs ?
		xcalloc(src->n_needs, sizeof(*dst->needs)) : NULL;
	for (size_t i = 0; i < src->n_needs; i++) {
		dst->needs[i].name = xstrdup(src->needs[i].name);
		dst->needs[i].why = xstrdup(src->needs[i].why);
	}
	dst->note = src->note ? xstrdup(src->note) : NULL;
}

void
remedy_release(struct remedy *r)
{
	for (size_t i = 0; i < r->n_commands; i++)
		free(r->commands[i]);
	free(r->commands);
	for (size_t i = 0; i < r->n_needs; i++) {
		free(r->needs[i].name);
		free(r->needs[i].why);
	}
	free(r->needs);
	free(r->note);
	memset(r, 0, sizeof(*r));
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
	remedy_release(&f->remedy);
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
