#!/bin/sh
# check.sh - each report format of a fixed snapshot against its golden file
#
# TAP. Runs `lxd-harden audit` on tests/data/snapshot/sample-5.0.2 with the
# release table pinned (tests/data/releases-fixed.json) and the clock fixed
# (SOURCE_DATE_EPOCH), and compares every format byte for byte with
# tests/golden/report.*. After a deliberate change (a new check, a new
# field), regenerate them all with:
#
#   tests/golden/check.sh --update        (LXDH_BIN defaults to build/)
#
# and review the diff before committing it.
set -u

srcdir=${LXDH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${LXDH_BIN:-$srcdir/build/lxd-harden}
update=false
[ "${1:-}" = --update ] && update=true

# format, golden file suffix
formats='text txt
json json
sarif sarif
junit xml
html html
prometheus prom'

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795880000}
export NO_COLOR=1
unset LXD_HARDEN_RELEASES LXD_DIR LXD_SOCKET COLUMNS 2>/dev/null || true

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..$(echo "$formats" | wc -l)"
n=0
fails=0
echo "$formats" | {
	while read -r fmt ext; do
		n=$((n + 1))
		golden=$srcdir/tests/golden/report.$ext
		out=$tmp/report.$ext
		# relative paths, so the endpoint in the report is the same
		# wherever the tree is checked out
		(cd "$srcdir" && "$bin" audit \
			--input tests/data/snapshot/sample-5.0.2 \
			--releases tests/data/releases-fixed.json \
			--format "$fmt") >"$out" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
			echo "not ok $n - $fmt: lxd-harden exited $rc"
			sed 's/^/# /' "$tmp/err"
			fails=$((fails + 1))
			continue
		fi
		if $update; then
			cp "$out" "$golden"
			echo "ok $n - $fmt: wrote tests/golden/report.$ext"
		elif [ ! -f "$golden" ]; then
			echo "not ok $n - $fmt: tests/golden/report.$ext is missing (run $0 --update)"
			fails=$((fails + 1))
		elif cmp -s "$golden" "$out"; then
			echo "ok $n - $fmt matches tests/golden/report.$ext"
		else
			echo "not ok $n - $fmt differs from tests/golden/report.$ext (after a deliberate change: $0 --update)"
			diff -u "$golden" "$out" | head -60 | sed 's/^/# /'
			fails=$((fails + 1))
		fi
	done
	[ "$fails" -eq 0 ]
}
