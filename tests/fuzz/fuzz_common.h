/* fuzz_common.h - what every libFuzzer harness of lxd-harden shares */
#ifndef LXD_HARDEN_FUZZ_COMMON_H
#define LXD_HARDEN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/*
 * The loaders under test read files, and they are right to: a saved
 * state, a policy or a journal is a file. Each harness therefore writes
 * the input into a private directory made once per process (mkdtemp
 * under $TMPDIR) and hands the loader that path. Paths returned are
 * valid for the life of the process.
 */
const char *fuzz_dir(void);

/* Writes data to fuzz_dir()/name, replacing it; returns the path. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* A NUL-terminated copy of data (caller frees). */
char *fuzz_cstr(const uint8_t *data, size_t size);

/*
 * Copies every regular file of src (a fixture directory) into
 * fuzz_dir()/sub and returns that directory.
 */
const char *fuzz_copy_fixture(const char *src, const char *sub);

/*
 * The whole content of path into *len bytes (caller frees); NULL when
 * the file cannot be read.
 */
char *fuzz_read(const char *path, size_t *len);

/* The repository's tests/data directory ($LXDH_TESTDATA or the build's). */
const char *fuzz_testdata(void);

#endif
