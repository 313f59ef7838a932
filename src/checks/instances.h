/* instances.h - the instances and profiles the workload checks judge */
#ifndef LXD_HARDEN_CHECKS_INSTANCES_H
#define LXD_HARDEN_CHECKS_INSTANCES_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

/*
 * Where a setting comes from: the instance itself or one of its profiles.
 * Strings are borrowed from the snapshot, except object, which the set
 * owns.
 */
struct instances_origin {
	bool is_profile;
	const char *name;
	const char *project;	/* the project the object lives in */
	char *object;		/* "/1.0/instances/N?project=P" */
};

/*
 * One thing the workload checks judge: an instance with its effective
 * settings (expanded_config, expanded_devices), or a profile with its own.
 * A profile applies to containers and virtual machines alike, so it is
 * judged by the rules of both.
 */
struct instances_subject {
	bool is_profile;
	bool is_vm;		/* an instance of type virtual-machine */
	bool unreachable;	/* status Error and no configuration */
	const char *name;
	const char *project;
	const char *location;	/* cluster member, or NULL */
	const json_t *config;	/* expanded_config, or the profile's */
	const json_t *devices;	/* expanded_devices, or the profile's */
	const json_t *local_config;	/* the instance's own config */
	const json_t *local_devices;
	/*
	 * origins[0] is the subject itself; then, for an instance, its
	 * profiles in the order they apply. A profile that could not be
	 * found has a NULL json.
	 */
	struct instances_origin *origins;
	const json_t **profile_json;	/* [norigins], [0] unused */
	size_t norigins;
	bool profiles_known;	/* every profile was found */
};

struct instances_set {
	struct instances_subject *v;
	size_t n;
	size_t ninstances;	/* instances come first, then profiles */
	bool have_profiles;	/* the profiles part could be read */
	bool borrowed;		/* the snapshot's shared set (a copy of it) */
};

/*
 * The subjects of a snapshot. Without the instances part it adds an
 * ST_ERROR finding and returns -1; without the profiles part it adds an
 * ST_ERROR finding (a profile nobody uses could hide a finding) and goes
 * on with the instances alone. The subjects are built once per snapshot
 * and shared by every check that asks (snapshot's derived cache), so the
 * set is read-only; instances_release() gives it back.
 */
int instances_load(const struct check *c, const struct check_ctx *x,
		   struct instances_set *set, struct findings *out);
void instances_release(struct instances_set *set);

/* The subject's value of a config key, or NULL. */
const char *instances_cfg(const struct instances_subject *sub,
			  const char *key);

/*
 * Where the effective value of a config key or a device comes from: the
 * instance when its own config sets it, else the last of its profiles
 * that sets it (later profiles override earlier ones). NULL when no
 * profile explains it (a profile could not be read).
 */
const struct instances_origin *
instances_key_origin(const struct instances_subject *sub, const char *key);
const struct instances_origin *
instances_device_origin(const struct instances_subject *sub,
			const char *device);
/* The value the instance's profiles alone give key, or NULL. */
const char *instances_profile_value(const struct instances_subject *sub,
				    const char *key,
				    const struct instances_origin **from);

/* "Container c1", "Virtual machine v1", "Profile p" (for messages). */
const char *instances_label(const struct instances_subject *sub);
/* ", set by profile P" / ", set on the instance" / "" for a profile. */
void instances_from_text(const struct instances_subject *sub,
			 const struct instances_origin *o, char *buf,
			 size_t len);

/*
 * Sets the finding's remediation to "CLIENT {config|profile} [device ]VERB
 * NAME [DEVICE] [ARGS] --project P" for origin o (quoting what needs it).
 * device is NULL for config keys; args holds KEY=VALUE words separated
 * by single spaces, each of which becomes one shell word.
 */
void instances_remedy(struct finding *f, const struct snapshot *s,
		      const struct instances_origin *o, const char *verb,
		      const char *device, const char *args);

/*
 * Adds the ST_ERROR finding for an instance whose configuration could not
 * be read (its cluster member is unreachable).
 */
void instances_unreachable(const struct check *c,
			   const struct instances_subject *sub,
			   struct findings *out);

/* A project's config, or NULL when the project is not in the snapshot. */
const json_t *instances_project_config(const struct snapshot *s,
				       const char *project);

#endif
