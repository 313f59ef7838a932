/* jshare.h - equal JSON subtrees held once (hash consing) */
#ifndef LXD_HARDEN_JSHARE_H
#define LXD_HARDEN_JSHARE_H

#include <jansson.h>
#include <stddef.h>

/*
 * Equal values below the items of a list, held once: the expanded_devices
 * that a profile gives a thousand instances, the "true" and "default" in
 * every config become one value, held by reference count. Equal means
 * equal as dumped: the same type and value, an object's members in the
 * same order. The items themselves are left as they are (a part's items
 * are told apart by pointer).
 *
 * For a list nobody changes any more (a snapshot's part): a change to a
 * shared value would show through every item that holds it, so whoever
 * changes one replaces or copies it (json_deep_copy), as the snapshot's
 * users do. jshare_below() makes the values below item one with those
 * below the items given before and returns how many were replaced by an
 * equal one (those inside a replaced one included). The table borrows
 * them, so the items must stay alive until jshare_free().
 */
struct jshare;
struct jshare *jshare_new(void);
size_t jshare_below(struct jshare *t, json_t *item);
void jshare_free(struct jshare *t);

#endif
