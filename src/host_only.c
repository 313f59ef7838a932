/* host_only.c - audit --host-only: the host checks, and whose host */
#include "host_only.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "check.h"
#include "checks/host_checks.h"

bool
host_only_is_host_check(const struct check *c)
{
	struct snapshot empty;
	struct policy pol;
	struct check_ctx x = { 0 };
	struct findings fs = { 0 };
	bool host = false;

	snapshot_init(&empty);
	policy_init(&pol);
	empty.remote = true;
	x.snap = &empty;
	x.policy = &pol;
	c->eval(c, &x, &fs);
	for (size_t i = 0; i < fs.n; i++)
		host = host || (fs.v[i].status == ST_NOTAPPLICABLE &&
				str_starts_with(fs.v[i].message,
						HOST_CHECKS_NEED));
	findings_release(&fs);
	snapshot_release(&empty);
	policy_release(&pol);
	return host;
}

int
host_only_select(struct gate_select *s, struct diag *d)
{
	for (const struct section *sec = catalog_sections; sec->prefix; sec++)
		for (const struct check *c = sec->checks; c->id; c++)
			if (host_only_is_host_check(c) &&
			    gate_select_add(s, "check", c->id, d) != 0)
				return -1;
	return 0;
}

static char *
read_hostname(const char *root)
{
	char buf[256];

	if (root && !str_eq(root, "/")) {
		char *path = xasprintf("%s/etc/hostname", root), *text = NULL;
		size_t len = 0;
		struct diag d;

		if (read_file_max(path, 4096, "host name", &text, &len,
				  &d) == 0) {
			text[strcspn(text, "\r\n")] = '\0';
			free(path);
			if (*text)
				return text;
			free(text);
			return NULL;
		}
		free(path);
		return NULL;
	}
	if (gethostname(buf, sizeof(buf)) != 0)
		return NULL;
	buf[sizeof(buf) - 1] = '\0';
	return xstrdup(buf);
}

void
host_identity_read(struct host_identity *id, const char *host_root)
{
	memset(id, 0, sizeof(*id));
	id->host = read_hostname(host_root);
}

void
host_identity_release(struct host_identity *id)
{
	free(id->host);
	memset(id, 0, sizeof(*id));
}
