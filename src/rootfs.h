/* rootfs.h - files of a host seen under a root directory (--host-root) */
#ifndef LXD_HARDEN_ROOTFS_H
#define LXD_HARDEN_ROOTFS_H

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Every function takes the root ("/" or NULL for this machine) and a host
 * path ("/etc/group"). Under another root, every component of the path,
 * every symbolic link and every ".." is resolved inside the root, as if
 * the process were chrooted there: a link in the tree to /etc/shadow
 * means ROOT/etc/shadow, and "../../.." stops at ROOT. The kernel does
 * it (openat2 with RESOLVE_IN_ROOT, Linux 5.6); where openat2 is missing
 * a walk does the same one component at a time with O_NOFOLLOW. Magic
 * links (/proc/PID/fd/N) are not followed under another root.
 *
 * They return what the system call they stand for returns, with errno.
 */

/* open(2) of path inside root; flags as open's (O_CREAT not allowed). */
int rootfs_open(const char *root, const char *path, int flags);
/* stat(2) inside root (the final link followed, inside root). */
int rootfs_stat(const char *root, const char *path, struct stat *st);
/* fopen(path, "rb") inside root. */
FILE *rootfs_fopen(const char *root, const char *path);
/*
 * Reads a whole file of at most 16 MiB inside root (NUL-terminated,
 * caller frees); NULL with "cannot read 'PATH': REASON" in d.
 */
struct diag;
char *rootfs_read_file(const char *root, const char *path, struct diag *d);
/* opendir(3) inside root. */
DIR *rootfs_opendir(const char *root, const char *path);
/* readlink(2) of path itself (its directory resolved inside root);
   buf is NUL-terminated on success. */
ssize_t rootfs_readlink(const char *root, const char *path, char *buf,
			size_t len);
/* chmod(2) and chown(2) of what path resolves to inside root. */
int rootfs_chmod(const char *root, const char *path, mode_t mode);
int rootfs_chown(const char *root, const char *path, uid_t uid, gid_t gid);
/* unlink(2) of path's last component, its directory inside root. */
int rootfs_unlink(const char *root, const char *path);
/* mkdir(2) of path's last component, its directory inside root. */
int rootfs_mkdir(const char *root, const char *path, mode_t mode);

/*
 * Replaces the file at path inside root whole (see atomic_write): the
 * final name's links are followed inside root, the new content goes to
 * a temporary file in the directory it resolves to, which is renamed
 * over it. A new file gets mode less the umask; an existing one keeps
 * its mode and owner. Returns 0, or -1 with errno.
 */
int rootfs_write(const char *root, const char *path, mode_t mode,
		 const char *content, size_t len);

#endif
