/* journal.h - what fix --apply changed, written before it changes it */
#ifndef LXD_HARDEN_JOURNAL_H
#define LXD_HARDEN_JOURNAL_H

#include <jansson.h>

#include "util.h"

/*
 * A journal is a file of JSON lines (schema "lxd-harden/journal/v1"),
 * created 0600 in a 0700 directory. Every line is written and synced
 * (file and directory) before the call returns, so whatever the process
 * has done is on disk when it dies. Lines:
 *   {"type":"header", "schema", "created", "endpoint", "host_root"}
 *   {"type":"change", "seq", "object", "kind", "previous", ...}
 *   {"type":"state", "seq", "state": "applied"|"failed", "error"}
 *   {"type":"rollback", "seq", "state": "restored"|"failed", "error"}
 *   {"type":"rolled-back"}
 */
#define JOURNAL_SCHEMA "lxd-harden/journal/v1"
#define JOURNAL_DEFAULT_DIR "/var/lib/lxd-harden/journals"

struct journal {
	int fd;
	int dirfd;
	char *path;
};

/* Creates a new journal in dir (made 0700 when missing) and writes the
   header line. */
int journal_create(struct journal *j, const char *dir, json_t *header,
		   struct diag *d);
/* Opens an existing journal to append (rollback records). */
int journal_open(struct journal *j, const char *path, struct diag *d);
/* Appends one line and syncs it. Steals nothing: entry stays the
   caller's. */
int journal_append(struct journal *j, const json_t *entry, struct diag *d);
void journal_close(struct journal *j);

/* Reads every line of a journal into an array (caller decrefs). */
json_t *journal_load(const char *path, struct diag *d);
/* The newest journal in dir (by name); caller frees. */
char *journal_latest(const char *dir, struct diag *d);

#endif
