/* common.c - small helpers the server and workload checks share */
#include "checks/common.h"

#include <string.h>

#include "util.h"

const char *
checks_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const json_t *
checks_need_part(const struct check *c, const struct check_ctx *x,
		 enum snap_kind k, const char *object, struct findings *out)
{
	const char *why;
	const json_t *p = snapshot_part(x->snap, k, &why);

	if (p)
		return p;
	if (x->snap->unsupported[k])
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "Not available: %s.", why ? why : "unsupported");
	else
		findings_add(out, ST_ERROR, c->severity, object,
			     "Cannot read %s: %s.", object,
			     why ? why : "not fetched");
	return NULL;
}

const char *
checks_source_of(const char *from)
{
	return str_eq(from, "default") ? "default" : "/1.0";
}

bool
checks_grants_server_admin(const json_t *group)
{
	const json_t *p;
	size_t i;

	json_array_foreach (json_object_get(group, "permissions"), i, p)
		if (str_eq(checks_jstr(p, "entity_type"), "server") &&
		    str_eq(checks_jstr(p, "entitlement"), "admin"))
			return true;
	return false;
}

char *
checks_clean_path(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(n + 2);
	size_t len = 0;

	while (*p) {
		size_t m;

		p += strspn(p, "/");
		m = strcspn(p, "/");
		if (!m)
			break;
		if (m == 1 && p[0] == '.') {
			/* nothing */
		} else if (m == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			out[len++] = '/';
			memcpy(out + len, p, m);
			len += m;
		}
		p += m;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

bool
checks_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (str_eq(dir, "/"))
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
					      path[n] == '/');
}

void
checks_no_ext(const struct check *c, const struct check_ctx *x,
	      struct findings *out, const char *object, const char *ext,
	      const char *lxd_since, const char *what)
{
	if (!str_eq(x->snap->product, "incus"))
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "The server lacks API extension %s (LXD %s), so "
			     "%s.", ext, lxd_since, what);
	else
		findings_add(out, ST_NOTAPPLICABLE, c->severity, object,
			     "The server lacks API extension %s, so %s.", ext,
			     what);
}
