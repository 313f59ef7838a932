/* watch_diff.c - the failing findings of a report, keyed for comparing */
#include "watch.h"

#include <stdlib.h>

#include "engine.h"
#include "escape.h"

static char *
finding_id(const char *check, const struct finding *f)
{
	return xasprintf("%s\x1f%s\x1f%s\x1f%s", check,
			 f->object ? f->object : "",
			 f->device ? f->device : "",
			 f->key ? f->key : "");
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static json_t *
finding_json(const struct check *c, const struct finding *f)
{
	json_t *o = json_object();
	char *fix;

	set_str(o, "check", c->id);
	set_str(o, "title", c->title);
	set_str(o, "severity", severity_name(f->severity));
	set_str(o, "status", status_name(f->status));
	set_str(o, "object", f->object);
	set_str(o, "message", f->message);
	set_str(o, "device", f->device);
	set_str(o, "key", f->key);
	set_str(o, "value", f->value);
	set_str(o, "source", f->source);
	fix = remedy_text(&f->remedy);
	set_str(o, "remediation", fix);
	free(fix);
	return o;
}

/*
 * The failing findings of r that nothing waives, by id; for a check that
 * could not be evaluated (error), the findings old had, so that a
 * failed read never reads as "fixed".
 */
json_t *
watch_findings(const struct report *r, json_t *old)
{
	json_t *m = json_object();

	for (size_t i = 0; i < r->n; i++) {
		const struct check_result *cr = &r->results[i];

		/* not run again (nothing it reads changed), or could not
		   read its data: what it found before still stands */
		if ((cr->kept || cr->status == ST_ERROR) && old) {
			char *prefix = xasprintf("%s\x1f", cr->check->id);
			const char *k;
			json_t *v;

			json_object_foreach (old, k, v)
				if (str_starts_with(k, prefix))
					json_object_set(m, k, v);
			free(prefix);
			continue;
		}
		if (cr->status == ST_SKIPPED)
			continue;
		for (size_t j = 0; j < cr->findings.n; j++) {
			const struct finding *f = &cr->findings.v[j];
			char *id;

			if (f->status != ST_FAIL || f->waiver_reason)
				continue;
			id = finding_id(cr->check->id, f);
			/* invalid UTF-8 cannot be a key: such a name is
			   held under its escaped form */
			if (!json_object_get(m, id) &&
			    json_object_set_new(m, id, finding_json(cr->check,
								    f)) != 0) {
				char *e = escape_utf8_valid(id);

				json_object_set_new(m, e, finding_json(cr->check,
								       f));
				free(e);
			}
			free(id);
		}
	}
	return m;
}

