/* jsonlim.h - parsing JSON from a server within caps on memory and shape */
#ifndef LXD_HARDEN_JSONLIM_H
#define LXD_HARDEN_JSONLIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * What one document may cost. A body is checked before it is parsed
 * (nesting depth and the length of each string, in one pass over the
 * bytes) and while it is parsed (the memory jansson allocates for it,
 * counted through jansson's allocator hooks). The memory cap scales with
 * the body: mem_per_byte times its length, plus mem_floor.
 */
struct jsonlim {
	size_t max_depth;	/* arrays and objects inside each other */
	size_t max_string;	/* bytes of one string or key, as sent */
	size_t mem_per_byte;	/* parsed bytes allowed per body byte */
	size_t mem_floor;	/* parsed bytes allowed on top of that */
};

/* The caps on every answer of an LXD server (README, "Reliability"). */
extern const struct jsonlim jsonlim_server;

/*
 * Parses len bytes of buf (jansson flags as for json_loadb) within lim.
 * Returns the value, or NULL with why filled with one line: which cap was
 * exceeded and by what ("nested deeper than 64 levels at byte 120"), or
 * jansson's syntax error ("malformed JSON at line 1 column 4: ..").
 * *over_cap (when not NULL) tells a cap from a syntax error. The cap on
 * memory applies to this call only, on this thread.
 */
json_t *jsonlim_loadb(const char *buf, size_t len, size_t flags,
		      const struct jsonlim *lim, bool *over_cap, char *why,
		      size_t whylen);

/*
 * jsonlim_loadb() for a body that holds a long list of alike items (an
 * API envelope whose metadata is a list, a saved part): the items of an
 * array at the top, or of an array that is a member of the object at the
 * top, are parsed one at a time, and their equal values are shared as
 * they come (jshare.h), so the list is never held as a whole tree before
 * it is shared. The value is the one jsonlim_loadb() gives, sharing
 * apart, and so are the errors: a body this does not take apart (a
 * syntax error, a duplicate key, a NUL byte) is left to jansson whole.
 * The caps are the same, counted on what is held once shared. For a
 * value nobody will change.
 *
 * each (may be NULL) is called with arg on every item of such a list as
 * soon as it is parsed, before its values are shared, and may remove
 * members of it: what is removed is never held beside the rest of the
 * list. The hook sees the same items when jansson parses the body whole.
 */
typedef void jsonlim_item_fn(json_t *item, const void *arg);

json_t *jsonlim_loadb_items(const char *buf, size_t len, size_t flags,
			    const struct jsonlim *lim, jsonlim_item_fn *each,
			    const void *arg, bool *over_cap, char *why,
			    size_t whylen);

/*
 * The shape caps alone, on a body as it arrives: a transfer can stop at
 * the first byte over a cap instead of holding the rest. Feed the bytes
 * in order; -1 with why filled (as jsonlim_loadb) at a cap.
 */
struct jsonlim_scan {
	const struct jsonlim *lim;
	size_t pos;		/* bytes scanned so far */
	size_t depth, containers;
	size_t start;		/* where the open string began */
	bool in_string, escape;
};

void jsonlim_scan_init(struct jsonlim_scan *sc, const struct jsonlim *lim);
int jsonlim_scan(struct jsonlim_scan *sc, const char *buf, size_t len,
		 char *why, size_t whylen);

/* The most memory the last jsonlim_loadb() on this thread held at once. */
size_t jsonlim_last_peak(void);

#endif
