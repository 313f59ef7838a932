#!/bin/bash
# service.sh - what lxd-harden.service runs, against a real private LXD or
# Incus daemon (LXDH_PRODUCT=lxd|incus, see lib.sh), in an emulation of the
# unit's sandbox; prints TAP.
#
#   flock /tmp/lxdh-integration.lock env LXDH_BIN=build/lxd-harden \
#       LXDH_BUILDDIR=build tests/integration/service.sh
#
# systemd is not PID 1 here, so the unit cannot be started. The unit's
# ExecStart script (build/contrib/lxd-harden-audit) runs in a mount
# namespace where / is read-only except the state directory
# (ProtectSystem=strict, StateDirectory=), under setpriv with the unit's
# CapabilityBoundingSet and no new privileges, and talks to the daemon's
# unix socket on that read-only file system. Run 1 has no last.json; a
# weakening change follows (a profile sets security.privileged); run 2,
# a day later, reports that finding new and first seen now, and every
# other finding known with run 1's first_seen. A missing daemon is a
# failure, not a skip.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
BUILDDIR=${LXDH_BUILDDIR:-$(dirname "$BIN")}
SCRIPT=$BUILDDIR/contrib/lxd-harden-audit
UNIT=$BUILDDIR/contrib/lxd-harden.service

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
LXDH_LOG=/dev/stderr
export NO_COLOR=1
unset LXD_HARDEN_RELEASES LXD_HARDEN_OPTS 2>/dev/null || true

NTEST=0
NFAIL=0
W=
finish() {
	echo "1..$NTEST"
	[ "$NFAIL" = 0 ]
	exit
}
cleanup() {
	lxdh_daemon_cleanup
	[ -n "$W" ] && rm -rf "$W"
}
trap cleanup EXIT

for tool in unshare setpriv jq; do
	command -v "$tool" >/dev/null || { not_ok "$tool is installed"; finish; }
done
if [ "$(id -u)" != 0 ]; then
	not_ok "runs as root (the sandbox emulation mounts)"
	finish
fi
if ! lxdh_daemon_start lxdh-svc >/dev/null; then
	not_ok "$LXDH_NAME starts"
	finish
fi
ok "$LXDH_NAME $(lxdh_daemon_version) started (socket $LXDH_SOCKET)"
W=$(mktemp -d) || exit 1
mkdir "$W/state"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" |
	tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
T0=$(date +%s)

# sandboxed DAY-OFFSET: one run of the service, N days after T0
sandboxed() {
	unshare -m -- /bin/sh -c '
		mount --make-rprivate / &&
		mount --bind "$1" "$1" &&
		mount -o remount,bind,ro / || exit 99
		shift
		# the socket file system is read-only now too
		! touch "$(dirname "$LXDH_SOCKET")/.probe" 2>/dev/null || exit 98
		exec "$@"' sh "$W/state" \
		env STATE_DIRECTORY="$W/state" LXD_HARDEN_TEXTFILE_DIR= \
		LXD_HARDEN_BIN="$BIN" SOURCE_DATE_EPOCH=$((T0 + $1 * 86400)) \
		LXDH_SOCKET="$LXDH_SOCKET" \
		setpriv --bounding-set "-all,$caps" --inh-caps=-all --no-new-privs -- \
		"$SCRIPT" --socket "$LXDH_SOCKET" >"$W/stdout" 2>"$W/stderr"
}

sandboxed 0
rc=$?
if [ "$rc" = 2 ] && jq -e --arg sock "unix://$LXDH_SOCKET" \
	'.target.endpoint == $sock and .summary.pass > 0 and
	 ([.results[].findings[] | select(has("baseline"))] | length) == 0' \
	"$W/state/last.json" >/dev/null; then
	ok "run 1 in the sandbox (read-only /, $caps): audits $LXDH_NAME over its socket, writes last.json (exit 2)"
else
	not_ok "run 1 in the sandbox: audits $LXDH_NAME over its socket, writes last.json (exit $rc)"
	diag "$(tail -5 "$W/stderr")"
	finish
fi
# the same verdicts as an audit of the same daemon outside the sandbox
verdicts() { jq -c '[.results[] | [.id, .status, [.findings[] | [.object, .status]]]]' "$1"; }
SOURCE_DATE_EPOCH=$T0 "$BIN" audit --socket "$LXDH_SOCKET" -o "json=$W/free.json" >/dev/null 2>&1
if [ -s "$W/free.json" ] && [ "$(verdicts "$W/state/last.json")" = "$(verdicts "$W/free.json")" ]; then
	ok "the sandboxed run judges every check as an unconfined run does"
else
	not_ok "the sandboxed run judges every check as an unconfined run does"
	diff <(verdicts "$W/free.json" | jq -c '.[]') <(verdicts "$W/state/last.json" | jq -c '.[]') | head -10 | sed 's/^/# /'
fi
errors=$(jq -r '[.results[] | select(.status == "error") | .id] | join(" ")' "$W/state/last.json")
[ -z "$errors" ] || diag "checks in error in both runs: $errors"
first=$(date -u -d "@$T0" +%Y-%m-%dT%H:%M:%SZ)

# a weakening change between the runs
lxdh_cli profile create svc-weak >/dev/null 2>&1
lxdh_cli profile set svc-weak security.privileged true >/dev/null 2>&1 ||
	not_ok "lxc profile set svc-weak security.privileged true"

sandboxed 1
rc=$?
second=$(date -u -d "@$((T0 + 86400))" +%Y-%m-%dT%H:%M:%SZ)
new=$(jq -c '[.results[] | .id as $id | .findings[] |
	select(.baseline == "new") | [$id, .object, .first_seen]]' "$W/state/last.json")
if [ "$rc" = 2 ] && jq -e --arg s "$second" '
	[.results[].findings[] | select(.baseline == "new")] as $n |
	($n | length) > 0 and all($n[]; .first_seen == $s and (.object | test("profiles/svc-weak")))' \
	"$W/state/last.json" >/dev/null; then
	ok "run 2, a day later: the privileged profile is new, first seen $second ($new)"
else
	not_ok "run 2, a day later: the privileged profile is new, first seen $second (exit $rc): $new"
	diag "$(tail -5 "$W/stderr")"
fi
if jq -e --arg f "$first" '
	[.results[].findings[] | select(.baseline == "known")] as $k |
	($k | length) > 0 and all($k[]; .first_seen == $f)' "$W/state/last.json" >/dev/null; then
	ok "run 2: every known finding keeps run 1's first_seen ($first)"
else
	not_ok "run 2: every known finding keeps run 1's first_seen ($first)"
fi
if grep -q "new in this run" "$W/stdout" && grep -q "open since .* (24 hours)" "$W/stdout"; then
	ok "run 2's text report (the journal) marks the new check and the age of the others"
else
	not_ok "run 2's text report (the journal) marks the new check and the age of the others"
	grep -n "open since\|new in" "$W/stdout" | head -5 | sed 's/^/# /'
fi
finish
