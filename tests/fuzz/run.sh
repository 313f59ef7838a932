#!/bin/bash
# run.sh - runs each libFuzzer harness for a bounded time; prints TAP.
#
#   LXDH_FUZZ_BUILDDIR=build-fuzz/tests/fuzz tests/fuzz/run.sh snapshot policy
#
# Each harness starts from its committed seed corpus (tests/fuzz/corpus/
# NAME, copied: the committed one is never written) and runs for
# $LXDH_FUZZ_SECONDS seconds (default 20). A crash, leak, timeout or
# sanitizer report fails the case and leaves the reproducer in the work
# directory named in the output. Executions are counted and printed.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${LXDH_FUZZ_BUILDDIR:?set LXDH_FUZZ_BUILDDIR to the fuzz build directory}
SECS=${LXDH_FUZZ_SECONDS:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-fuzz-run.XXXXXX") || exit 1
KEEP=
trap '[ -n "$KEEP" ] || rm -rf -- "$WORK"' EXIT

n=0
failed=0
total=0
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	corpus=$WORK/$t
	mkdir -p "$corpus"
	cp -r "$HERE/corpus/$t/." "$corpus/" 2>/dev/null
	log=$WORK/$t.log
	# -rss_limit_mb: memory stays bounded whatever the input;
	# -timeout: one input may take at most 10 s (a hang is a bug).
	(cd "$WORK" && "$BUILD/fuzz_$t" -max_total_time="$SECS" \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$WORK/$t-" "$corpus" >"$log" 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	execs=${execs:-0}
	total=$((total + execs))
	if [ "$rc" = 0 ] && [ "$execs" -gt 0 ]; then
		echo "ok $n - fuzz_$t: $execs executions in ${SECS} s, no finding"
	else
		failed=$((failed + 1))
		KEEP=1
		echo "not ok $n - fuzz_$t: exit $rc after $execs executions (work dir $WORK)"
		sed -n '/ERROR\|SUMMARY\|Test unit written\|==[0-9]*==/p' "$log" |
			head -20 | sed 's/^/# /'
	fi
done
echo "# $total executions in all"
[ "$failed" = 0 ]
