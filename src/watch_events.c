/* watch_events.c - which parts of the state an event can change */
#include "watch.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Instance actions that change nothing a check reads. */
static const char *const instance_quiet[] = {
	"instance-console", "instance-exec", "instance-file-",
	"instance-log-", "instance-metadata-retrieved",
	"instance-metadata-template-", "instance-backup-",
	"instance-snapshot-",
};

static void
set(bool want[SNAP__COUNT], enum snap_kind k)
{
	want[k] = true;
}

bool
watch_event_parts(const json_t *event, bool want[SNAP__COUNT])
{
	const char *type = json_string_value(json_object_get(event, "type"));
	const json_t *md = json_object_get(event, "metadata");
	const char *a;

	memset(want, 0, SNAP__COUNT * sizeof(*want));
	if (str_eq(type, "operation")) {
		/* a token lives as an operation (LXD 5.0 has no lifecycle
		   event for its creation); any other operation is noise */
		if (!str_eq(json_string_value(json_object_get(md, "class")),
			    "token"))
			return false;
		set(want, SNAP_OPERATIONS);
		return true;
	}
	if (!str_eq(type, "lifecycle"))
		return false;
	a = json_string_value(json_object_get(md, "action"));
	if (!a)
		return false;
	if (str_starts_with(a, "instance-")) {
		for (size_t i = 0; i < ARRAY_SIZE(instance_quiet); i++)
			if (str_starts_with(a, instance_quiet[i]))
				return false;
		set(want, SNAP_INSTANCES);
	} else if (str_starts_with(a, "profile-")) {
		/* an instance's expanded config and devices come from it */
		set(want, SNAP_PROFILES);
		set(want, SNAP_INSTANCES);
	} else if (str_starts_with(a, "project-")) {
		/* features.* decide where profiles and networks live */
		set(want, SNAP_PROJECTS);
		set(want, SNAP_INSTANCES);
		set(want, SNAP_PROFILES);
		set(want, SNAP_NETWORKS);
		set(want, SNAP_NETWORK_ACLS);
	} else if (str_starts_with(a, "network-acl-")) {
		set(want, SNAP_NETWORK_ACLS);
	} else if (str_starts_with(a, "network-zone-") ||
		   str_starts_with(a, "network-forward-") ||
		   str_starts_with(a, "network-peer-") ||
		   str_starts_with(a, "network-load-balancer-")) {
		return false;
	} else if (str_starts_with(a, "network-")) {
		set(want, SNAP_NETWORKS);
	} else if (str_starts_with(a, "storage-pool-")) {
		set(want, SNAP_STORAGE_POOLS);
	} else if (str_starts_with(a, "certificate-")) {
		/* a token used up adds a certificate and ends its operation */
		set(want, SNAP_CERTIFICATES);
		set(want, SNAP_OPERATIONS);
	} else if (str_starts_with(a, "identity-") ||
		   str_starts_with(a, "auth-group-")) {
		set(want, SNAP_IDENTITIES);
		set(want, SNAP_AUTH_GROUPS);
	} else if (str_eq(a, "config-updated")) {
		/* GET /1.0 is asked again after every event; in a
		   cluster each member's /1.0 holds its local keys */
		set(want, SNAP_SERVER);
		set(want, SNAP_MEMBER_SERVERS);
	} else if (str_starts_with(a, "operation-") ||
		   str_eq(a, "cluster-token-created")) {
		set(want, SNAP_OPERATIONS);
	} else if (str_starts_with(a, "cluster-member-")) {
		set(want, SNAP_CLUSTER_MEMBERS);
	} else if (str_eq(a, "cluster-enabled") ||
		   str_eq(a, "cluster-disabled")) {
		for (size_t k = 0; k < SNAP__COUNT; k++)
			want[k] = true;
	} else {
		return false;
	}
	return true;
}

bool
watch_event_instance(const json_t *event, char **project, char **name)
{
	static const char *const one[] = {
		"instance-updated", "instance-created", "instance-deleted",
		"instance-started", "instance-stopped", "instance-restarted",
		"instance-shutdown", "instance-paused", "instance-resumed",
		"instance-ready", "instance-restored",
	};
	const json_t *md = json_object_get(event, "metadata");
	const char *a = json_string_value(json_object_get(md, "action"));
	const char *src = json_string_value(json_object_get(md, "source"));
	const char *p = json_string_value(json_object_get(event, "project"));
	bool known = false;
	char *raw, *n;

	*project = *name = NULL;
	if (!str_eq(json_string_value(json_object_get(event, "type")),
		    "lifecycle") || !a || !src)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(one); i++)
		known = known || str_eq(a, one[i]);
	if (!known || !str_starts_with(src, "/1.0/instances/"))
		return false;
	src += strlen("/1.0/instances/");
	raw = xstrndup(src, strcspn(src, "?"));
	n = unescape_url(raw);
	free(raw);
	if (!n || !*n || strchr(n, '/')) {
		free(n);
		return false;
	}
	*name = n;
	*project = xstrdup(p && *p ? p : "default");
	return true;
}
