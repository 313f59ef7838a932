/* fuzz_report.h - a saved state through the engine and every format */
#ifndef LXD_HARDEN_FUZZ_REPORT_H
#define LXD_HARDEN_FUZZ_REPORT_H

#include "engine.h"
#include "policy.h"
#include "snapshot.h"

/*
 * Loads the saved state in dir, runs the whole catalog with policy (may
 * be NULL for the defaults) and, when baseline is not NULL, applies that
 * earlier report; then writes every report format to the null device.
 * A load or baseline that fails is simply the end of the run: the
 * harnesses look for crashes, hangs, leaks and undefined behaviour.
 */
void fuzz_report_dir(const char *dir, const struct policy *policy,
		     const char *baseline);

#endif
