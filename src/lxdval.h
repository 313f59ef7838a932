/* lxdval.h - LXD's value formats: booleans, expiries, listeners, versions */
#ifndef LXD_HARDEN_LXDVAL_H
#define LXD_HARDEN_LXDVAL_H

#include <stdbool.h>

#include "util.h"

/* True for "true", "1", "yes", "on" in any case (LXD's IsTrue). */
bool lxdval_is_true(const char *v);
/* True for "false", "0", "no", "off" in any case (LXD's IsFalse). */
bool lxdval_is_false(const char *v);

/*
 * Parses an LXD expiry expression ("15M", "1d 3H") the way LXD's
 * GetExpiry does: parts split on single spaces, each ^[0-9]+[SMHdwmy]$,
 * case-sensitive units (M minutes, m months), no unit twice. Years, months
 * and days are calendar steps from base; hours, minutes, seconds are added
 * as durations. Sets *expires_at (epoch). An empty or NULL value means "no
 * expiry": returns 0 with *never = true. -1 with d on a malformed value.
 */
int lxdval_expiry(const char *v, long long base, long long *expires_at,
		  bool *never, struct diag *d);

/* A listener address as in core.https_address. */
struct lxdval_listen {
	char host[256];		/* without brackets; "" for wildcard ":8443" */
	int port;		/* the default port when none was given */
	bool wildcard;		/* "", "0.0.0.0", "::", "[::]" */
	bool loopback;		/* 127.0.0.0/8, ::1, "localhost" */
};

/*
 * Parses "host:port", "[v6]:port", ":port", "host", "v6" (bare IPv6 without
 * a port), filling in default_port. -1 with d when malformed.
 */
int lxdval_listen(const char *v, int default_port, struct lxdval_listen *out,
		  struct diag *d);

/*
 * Compares dotted versions numerically ("5.0.10" > "5.0.9"); a missing
 * component counts as 0. Non-numeric tails compare as 0.
 */
int lxdval_version_cmp(const char *a, const char *b);

/*
 * Writes secs as an LXD expiry expression that lxdval_expiry() reads back
 * to the same length: "1d", "2H", "15M", "90S" (the largest unit that
 * divides it; fixed units only). Zero or less gives "1S".
 */
void lxdval_expiry_expr(long long secs, char *buf, size_t len);

/* Formats a duration in seconds for people: "15m", "3h", "15d", "2y 3d". */
void lxdval_format_duration(long long secs, char *buf, size_t len);

/*
 * What a comma-separated address list (an ACL rule's source or
 * destination, a project's subnet list) covers, judged over parsed
 * addresses: each element is a CIDR ("10.0.0.0/8", "::/0"), a range
 * ("0.0.0.0-255.255.255.255") or one address; "@external" stands for
 * everything outside the network. The union of all elements is computed
 * per family, so "0.0.0.0/1,128.0.0.0/1" covers all of IPv4.
 * Elements that are not addresses (ACL names, "@internal", address sets)
 * add nothing and are counted in other. An empty or NULL list covers
 * everything (an ACL rule with no source matches any source).
 */
struct lxdval_cover {
	bool all4;		/* the whole IPv4 space */
	bool all6;		/* the whole IPv6 space */
	bool external;		/* "@external" was named */
	bool empty;		/* the list was empty */
	size_t other;		/* elements that are not addresses */
};

void lxdval_addr_cover(const char *list, struct lxdval_cover *out);

/* True when the cover is "everything": empty, @external, all4 or all6. */
bool lxdval_cover_everything(const struct lxdval_cover *c);

#endif
