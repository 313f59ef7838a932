/* catalog.c - the sections of the guide and their check tables */
#include "catalog.h"

#include <string.h>

const struct section catalog_sections[] = {
	{ "GEN", "General", general_checks },
	{ "ACC", "Access", access_checks },
	{ "NET", "Network security", network_checks },
	{ "INS", "Instance security", instance_checks },
	{ "DEV", "Device security", device_checks },
	{ "STO", "Storage", storage_checks },
	{ "LOG", "Logging", logging_checks },
	{ "MUL", "Multi-user environment", multiuser_checks },
	{ "HOS", "Host OS", hostos_checks },
	{ NULL, NULL, NULL },
};

const struct check *
catalog_find(const char *id)
{
	for (const struct section *s = catalog_sections; s->prefix; s++)
		for (const struct check *c = s->checks; c->id; c++)
			if (str_eq(c->id, id))
				return c;
	return NULL;
}

const struct section *
catalog_section_of(const struct check *c)
{
	for (const struct section *s = catalog_sections; s->prefix; s++) {
		size_t n = strlen(s->prefix);

		if (strncmp(c->id, "LXD-", 4) == 0 &&
		    strncmp(c->id + 4, s->prefix, n) == 0 && c->id[4 + n] == '-')
			return s;
	}
	return NULL;
}

size_t
catalog_count(void)
{
	size_t n = 0;

	for (const struct section *s = catalog_sections; s->prefix; s++)
		for (const struct check *c = s->checks; c->id; c++)
			n++;
	return n;
}
