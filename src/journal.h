/* journal.h - what fix --apply changed, written before it changes it */
#ifndef LXD_HARDEN_JOURNAL_H
#define LXD_HARDEN_JOURNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "util.h"

/*
 * A journal is a file of JSON lines (schema "lxd-harden/journal/v2"),
 * created 0600 in a 0700 directory. Every line is written and synced
 * (file and directory) before the call returns, so whatever the process
 * has done is on disk when it dies. Lines:
 *   {"type":"header", "schema", "created", "endpoint", "server",
 *    "host_root"}   server: the server's certificate fingerprint
 *   {"type":"change", "seq", "object", "kind", "items": [{"check",
 *    "field", "key", "device", "before", "after", "reversible"}],
 *    "previous", "member"}
 *                   items: only the keys the fix changes, before and
 *                   after (null: absent); previous: what re-creating a
 *                   deleted object (or putting a host file back) takes;
 *                   member: the cluster member whose own server keys
 *                   changed (object "/1.0?target=M"; rollback sends to
 *                   that object, so to that member), absent otherwise
 *   {"type":"state", "seq", "state": "applied"|"failed"|"unknown",
 *    "error"}       unknown: the request was sent and no answer came
 *   {"type":"rollback", "seq", "state": "restored"|"failed"|"skipped"|
 *    "conflict", "error"}
 *   {"type":"rolled-back"}
 *
 * Journals are trusted only in a directory that is no symlink, is owned
 * by root or the caller and is writable by nobody else; each journal is
 * a regular file owned the same way, opened without following links.
 */
#define JOURNAL_SCHEMA "lxd-harden/journal/v2"
#define JOURNAL_DEFAULT_DIR "/var/lib/lxd-harden/journals"
/* A journal larger than this is not one lxd-harden wrote. */
#define JOURNAL_MAX_BYTES ((size_t)64 << 20)

struct journal {
	int fd;
	int dirfd;
	char *path;
};

/*
 * Opens the journal directory for use after checking that it can be
 * trusted (see above); with create, a missing directory (and its
 * parents) is made 0700. Returns an O_DIRECTORY descriptor, or -1 with
 * d ("journal directory '/tmp/j' is writable by others (mode 1777);
 * use a private one").
 */
int journal_dir_open(const char *dir, bool create, struct diag *d);

/* Creates a new journal in dir (made 0700 when missing) and writes the
   header line. */
int journal_create(struct journal *j, const char *dir, json_t *header,
		   struct diag *d);
/*
 * Opens an existing journal to append (rollback records). A last line
 * cut short (a crash, a full disk) is cut off first and warn says so.
 */
int journal_open(struct journal *j, const char *path, struct diag *warn,
		 struct diag *d);
/*
 * Appends one line and syncs it. Steals nothing: entry stays the
 * caller's. A write that fails half way is cut off again, so the file
 * always ends with a whole line.
 */
int journal_append(struct journal *j, const json_t *entry, struct diag *d);
void journal_close(struct journal *j);

/*
 * Reads every whole line of a journal into an array (caller decrefs). A
 * last line cut short is left out and warn (may be NULL) says so.
 */
json_t *journal_load(const char *path, struct diag *warn, struct diag *d);
/*
 * The newest journal in dir (by name) whose header names server (the
 * certificate fingerprint); caller frees.
 */
char *journal_latest(const char *dir, const char *server, struct diag *d);

/*
 * The per-server lock of apply and rollback: flock on
 * DIR/SERVER.lock, which records who holds it ("pid 123, since
 * 2026-12-03T09:00:00Z: fix --apply"). Released when the process exits,
 * so it never goes stale. Returns 0, or -1 with d naming the holder.
 */
struct journal_lock {
	int fd;
};
int journal_lock(const char *dir, const char *server, const char *what,
		 struct journal_lock *l, struct diag *d);
void journal_unlock(struct journal_lock *l);

#endif
