#!/bin/bash
# incus_terms.sh - an Incus server's report is in Incus terms, in every format.
#
#   LXDH_BIN=build/lxd-harden tests/formats/incus_terms.sh
#
# Prints TAP. Audits each Incus fixture in every report format and
# asserts that no output names the lxc client, an LXD version ("LXD 5.21",
# "LXD 6.6+") or an API extension only LXD has: the extensions of the LXD
# release fixtures that no Incus release fixture lists. The fix plan has no
# offline form; test_fix covers it on the same fixtures.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:?set LXDH_BIN}
# shellcheck source=../integration/tap.sh
. "$SRCDIR/tests/integration/tap.sh"

NTEST=0
NFAIL=0
W=$(mktemp -d) || exit 1
trap 'rm -rf -- "$W"' EXIT
D=$SRCDIR/tests/data

exts() { jq -r '(.metadata // .).api_extensions[]' "$1/server.json" | sort -u; }
cat <(exts "$D/release/lxd-5.21.7") <(exts "$D/release/lxd-6.9") |
	sort -u >"$W/lxd"
cat <(exts "$D/release/incus-6.0.6") <(exts "$D/release/incus-7.3") |
	sort -u >"$W/incus"
comm -23 "$W/lxd" "$W/incus" >"$W/lxd-only"
if grep -qx access_management "$W/lxd-only" && ! grep -qx loki "$W/lxd-only"; then
	ok "LXD-only extensions: $(wc -l <"$W/lxd-only") (access_management, not loki)"
else
	not_ok "LXD-only extensions are the LXD fixtures' minus the Incus ones"
fi

for fx in release/incus-6.0.6 release/incus-7.3 snap/incus-70 workload/incus; do
	for fmt in text json sarif html junit markdown prometheus; do
		out=$W/out
		"$BIN" audit --input "$D/$fx" --format "$fmt" >"$out" 2>"$W/err"
		rc=$?
		if [ "$rc" -gt 2 ] || [ ! -s "$out" ]; then
			not_ok "$fx $fmt: audit ran (exit $rc)"
			sed 's/^/# /' "$W/err"
			continue
		fi
		bad=$(grep -noE '(^|[^[:alnum:]_/.-])lxc ' "$out" | head -3)
		ver=$(grep -noE 'LXD ?[0-9]+(\.[0-9]+)*' "$out" | head -3)
		ext=$(grep -nowFf "$W/lxd-only" "$out" | head -3)
		if [ -z "$bad$ver$ext" ]; then
			ok "$fx $fmt: no lxc, LXD version or LXD-only extension"
		else
			not_ok "$fx $fmt: no lxc, LXD version or LXD-only extension"
			printf "%s\n" "$bad" "$ver" "$ext" | grep . | sed "s/^/# /"
		fi
	done
done

echo "1..$NTEST"
[ "$NFAIL" = 0 ]
