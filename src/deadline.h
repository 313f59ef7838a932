/* deadline.h - one time limit on the work at hand (an audit) */
#ifndef LXD_HARDEN_DEADLINE_H
#define LXD_HARDEN_DEADLINE_H

#include <stdbool.h>

/*
 * An audit must end in bounded time whatever the server or the host
 * does: connecting, every request and every host command share one
 * deadline (audit --timeout). It is process-wide because everything that
 * waits (lxd.c, host_ops.c) must see the same one, and there is one audit
 * at a time. What waits asks for the time left, gives up when it is gone
 * and notes what it was waiting for; the caller then reports one line
 * naming all of that.
 */

/* Starts the clock: ms from now. what names the limit ("--timeout 60s"). */
void deadline_arm(long long ms, const char *what);
/* Stops it: nothing after this is limited (a prompt, the fix's writes). */
void deadline_disarm(void);
/* Milliseconds left; a large number when disarmed, 0 when passed. */
long long deadline_left_ms(void);
bool deadline_passed(void);
/* Notes something cut short by the deadline ("GET /1.0/networks"). */
void deadline_note(const char *what);
/* Notes something not begun because the deadline had passed. */
void deadline_note_unsent(const char *what);
/*
 * When the deadline cut something short or kept it from beginning:
 * fills buf with one line ("the audit did not finish within 60s
 * (--timeout 60s); still pending: GET /1.0/...") and returns true.
 * Otherwise false.
 */
bool deadline_report(char *buf, unsigned long len);

/*
 * Parses a duration: "90" or "90s", "500ms", "2m", "1h". Returns
 * milliseconds, or -1 when text is not one (or is 0 or over a day).
 */
long long deadline_parse(const char *text);

#endif
