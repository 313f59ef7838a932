/* watch.h - lxd-harden watch: the event stream and what it changes */
#ifndef LXD_HARDEN_WATCH_H
#define LXD_HARDEN_WATCH_H

#include <jansson.h>
#include <stdbool.h>

#include "lxd.h"
#include "snapshot.h"
#include "util.h"
#include "ws.h"

/*
 * The server's event stream: GET /1.0/events upgraded to a websocket on
 * a connection of its own (lxd_client_setup_raw), since Debian 12's
 * libcurl has no websocket support of its own.
 */
struct watch_stream {
	void *easy;		/* CURL * */
	int fd;
	struct ws_reader rd;
	long long last_rx_ms;	/* when a byte last came (monotonic) */
};

/* What the watcher asks for: lifecycle events, and operations (tokens). */
#define WATCH_EVENTS_PATH \
	"/1.0/events?type=lifecycle,operation&all-projects=true"

/*
 * Connects and upgrades within ms. Returns 0, or -1 with one line in d.
 * s must be closed with watch_stream_close() either way.
 */
int watch_stream_open(struct watch_stream *s, struct lxd_client *c,
		      const struct lxd_endpoint *ep, long ms,
		      struct diag *d);
/*
 * Waits at most ms for the next event (0: only what has arrived), or
 * until wake_fd (-1: none) can be read. Returns 1 with *event set (the
 * caller owns it), 0 when none came in time or wake_fd woke it, -1 when
 * the stream ended or broke (d says why).
 */
int watch_stream_next(struct watch_stream *s, int wake_fd, long ms,
		      json_t **event, struct diag *d);
/* Sends a ping (the answer shows the connection lives). */
int watch_stream_ping(struct watch_stream *s, struct diag *d);
void watch_stream_close(struct watch_stream *s);

/* Milliseconds of a monotonic clock. */
long long watch_now_ms(void);

/*
 * Which parts of the snapshot an event can change: want[k] set for each.
 * Returns false for an event that changes no verdict (an exec, a log
 * read, an operation that is not a token, ...).
 */
bool watch_event_parts(const json_t *event, bool want[SNAP__COUNT]);

/*
 * Whether event is about one instance whose own object tells all that
 * changed (updated, started, stopped, created, deleted, ...: not a
 * rename): then *project and *name (caller frees) name it, and it alone
 * is fetched again instead of every instance.
 */
bool watch_event_instance(const json_t *event, char **project, char **name);

struct report;
/*
 * The failing findings of r that nothing waives, as a JSON object: key
 * "CHECK\x1fOBJECT\x1fDEVICE\x1fKEY", value the finding as watch prints
 * it. For a check that could not be evaluated (error), or was not run
 * again (kept: nothing it reads changed), the entries old (the previous
 * map, or NULL) had are kept, so that a failed read never reads as
 * "fixed". Caller owns the result.
 */
json_t *watch_findings(const struct report *r, json_t *old);

#endif
