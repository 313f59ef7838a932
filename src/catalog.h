/* catalog.h - the sections of the guide and their check tables */
#ifndef LXD_HARDEN_CATALOG_H
#define LXD_HARDEN_CATALOG_H

#include <stddef.h>

#include "check.h"

struct section {
	const char *prefix;	/* "ACC" */
	const char *name;	/* "Access" */
	const struct check *checks;	/* CHECK_END-terminated, sorted */
};

/* One table per file under checks/. */
extern const struct check general_checks[];
extern const struct check access_checks[];
extern const struct check network_checks[];
extern const struct check instance_checks[];
extern const struct check device_checks[];
extern const struct check storage_checks[];
extern const struct check multiuser_checks[];
extern const struct check logging_checks[];
extern const struct check hostos_checks[];

/* The sections in report order, terminated by { NULL }. */
extern const struct section catalog_sections[];

const struct check *catalog_find(const char *id);
/* The section a check belongs to (by id prefix), or NULL. */
const struct section *catalog_section_of(const struct check *c);
size_t catalog_count(void);

#endif
