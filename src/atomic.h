/* atomic.h - replacing an output file whole or not at all (-o FILE) */
#ifndef LXD_HARDEN_ATOMIC_H
#define LXD_HARDEN_ATOMIC_H

#include <stdio.h>
#include <sys/types.h>

/* Writes the content to f; returns 0, or non-zero with errno set. */
typedef int atomic_writer_fn(FILE *f, void *ctx);

/*
 * Writes path so that a reader sees the old file or the new one, never
 * half of it: writer(f, ctx) fills a temporary file beside path, which is
 * flushed, synced, given its mode and renamed over path; then the
 * directory is synced, as well as it can be (a failure there is not
 * reported: the file is already in place).
 *
 * A new file gets mode less the umask, as open(2) would give it. An
 * existing regular file keeps its mode (and, when root writes it, its
 * owner). A symbolic link is followed and its target replaced, except a
 * link in a sticky world-writable directory (/tmp) that belongs neither
 * to the caller nor to the directory's owner: that is refused, as
 * fs.protected_symlinks would, whatever the sysctl says. A device, FIFO
 * or socket (say /dev/stdout or /dev/null) is written into, not replaced.
 *
 * Returns 0, or -1 after saying why on stderr with cmd_error() ("cannot
 * write 'PATH': ..." or "cannot rename 'TMP' to 'PATH': ..."); the
 * temporary file is then removed and path is as it was.
 */
int atomic_write(const char *path, mode_t mode, atomic_writer_fn *writer,
		 void *ctx);

#endif
