#!/bin/bash
# test.sh - build and run every test twice: a normal build (build/) and an
# ASan/UBSan build (build-asan/). Unit tests (cmocka, TAP) and the
# integration suite (a real private LXD, tests/integration/run.sh). Then a
# third build with clang (build-fuzz/) runs the libFuzzer harnesses.
#
# The last line printed is "N passed, N failed", counting TAP cases.
# Exit status: 0 when everything passed.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

rc=0
START=$(date +%s)

# A /dev/null that is not the null device breaks everything after it (lxc
# reads it as YAML). 'lxd-harden audit -o /dev/null' once replaced it with a
# regular file; put it back, loudly, so the next suite still means something.
ensure_dev_null() {
	[ -c /dev/null ] && return 0
	echo "==> WARNING: /dev/null is not a character device (a test replaced it); restoring it" >&2
	[ "$(id -u)" = 0 ] || return 1
	mknod -m 0666 /dev/.null.test.$$ c 1 3 && mv -f /dev/.null.test.$$ /dev/null
}

# build_and_test DIR [meson options]
build_and_test() {
	local dir=$1
	shift
	echo "==> meson setup $dir $*"
	if [ -d "$dir" ]; then
		meson setup --wipe "$dir" "$@" || return 1
	else
		meson setup "$dir" "$@" || return 1
	fi
	rm -f "$dir/meson-logs/testlog.json"
	echo "==> meson compile -C $dir"
	meson compile -C "$dir" || return 1
	echo "==> meson test -C $dir"
	ensure_dev_null
	meson test -C "$dir" --print-errorlogs --num-processes 2
	local r=$?
	ensure_dev_null
	return "$r"
}

ensure_dev_null
build_and_test build || rc=1
build_and_test build-asan -Db_sanitize=address,undefined -Db_lundef=false || rc=1
# The libFuzzer harnesses (clang; ASan+UBSan), each for a bounded time
# ($LXDH_FUZZ_SECONDS, default 20 s) from its committed seed corpus.
CC=clang build_and_test build-fuzz -Dfuzz=true \
	-Db_sanitize=address,undefined -Db_lundef=false || rc=1

echo "==> took $(($(date +%s) - START)) s"

# One summary line, counting TAP "ok" / "not ok" lines of every test; a
# test that printed no TAP, or failed without a "not ok", counts as one.
python3 - build build-asan build-fuzz <<'PY'
import json, os, re, sys

passed = failed = 0
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        print(f"{d}: no test log (the build failed)")
        failed += 1
        continue
    for line in open(log):
        r = json.loads(line)
        out = r.get("stdout", "") or ""
        ok = len(re.findall(r"^ok ", out, re.M))
        bad = len(re.findall(r"^not ok ", out, re.M))
        if r.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and bad == 0:
            print(f"{d}: {r.get('name')}: {r.get('result')}")
            bad = 1
        if ok + bad == 0:
            ok = 1
        passed += ok
        failed += bad
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
py=$?
[ "$py" = 0 ] || rc=1
exit "$rc"
