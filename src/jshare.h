/* jshare.h - equal JSON subtrees held once (hash consing) */
#ifndef LXD_HARDEN_JSHARE_H
#define LXD_HARDEN_JSHARE_H

#include <jansson.h>
#include <stddef.h>

/*
 * Makes the equal values below the items of list one value, held by
 * reference count: the expanded_devices that a profile gives a thousand
 * instances, the "true" and "default" in every config. Equal means equal
 * as dumped: the same type and value, an object's members in the same
 * order. The items themselves are left as they are (a part's items are
 * told apart by pointer), and so is a value that is not an array.
 *
 * For a tree nobody changes any more (a snapshot's part once scrubbed):
 * a change to a shared value would show through every item that holds
 * it, so whoever changes one copies it first (json_deep_copy), as the
 * snapshot's users do already. Returns how many values were replaced
 * by an equal one (those inside a replaced one included).
 */
size_t jshare_items(json_t *list);

/*
 * The same one item at a time, for a list still being read: the values
 * below each item given to jshare_below() are shared with those below
 * the items given before. The table borrows them, so the items must
 * stay alive until jshare_free().
 */
struct jshare;
struct jshare *jshare_new(void);
size_t jshare_below(struct jshare *t, json_t *item);
void jshare_free(struct jshare *t);

#endif
