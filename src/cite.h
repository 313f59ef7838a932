/* cite.h - where each check comes from: the guide section and references */
#ifndef LXD_HARDEN_CITE_H
#define LXD_HARDEN_CITE_H

#include <stddef.h>

/* The published guide, "How to harden security for LXD". */
#define CITE_GUIDE_URL \
	"https://documentation.ubuntu.com/lxd/latest/howto/security_harden/"

/* At most this many reference pages per check. */
#define CITE_MAX_REFS 4

/*
 * The URL of the guide section check_id comes from (the guide URL with
 * the section's anchor), or NULL for an unknown id. Static storage.
 */
const char *cite_guide(const char *check_id);

/*
 * The reference pages of the keys and objects check_id reads, in the
 * documentation of product ("lxd" or "incus"; anything else reads as
 * LXD): up to CITE_MAX_REFS URLs into urls. Returns how many; 0 for an
 * unknown id. Static storage.
 */
size_t cite_refs(const char *check_id, const char *product,
		 const char *urls[CITE_MAX_REFS]);

/*
 * For the catalog test: the number of entries, and the check id of
 * entry i.
 */
size_t cite_count(void);
const char *cite_check(size_t i);

#endif
