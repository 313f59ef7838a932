#!/bin/bash
# check.sh - the systemd units of contrib/systemd verify, are as sandboxed
# as README says, and the audit service's ExecStart does its job. TAP.
#
# systemd is not PID 1 where the tests run (a container), so the units
# cannot be started here. Instead:
#   - systemd-analyze verify reads the three units (with the ExecStart
#     paths pointed at this build), and security --offline scores them;
#   - the ExecStart script runs directly, twice (the first run has no
#     baseline, the second carries first_seen), and with node_exporter's
#     directory missing, unsafe and safe;
#   - it runs again in an emulation of the sandbox: a mount namespace with
#     / read-only but the state and textfile directories, NoNewPrivileges
#     and the unit's CapabilityBoundingSet (setpriv), reading the host
#     (--host-root /), and the host checks judge as they do with every
#     capability.
set -u
srcdir=${LXDH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${LXDH_BUILDDIR:-$srcdir/build}
bin=${LXDH_BIN:-$builddir/lxd-harden}
# shellcheck source=../integration/tap.sh
. "$srcdir/tests/integration/tap.sh"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795880000}
unset LXD_DIR LXD_SOCKET LXD_HARDEN_OPTS 2>/dev/null || true
# In the build tree (whose directories only root writes, when root builds
# it): the script refuses a textfile directory below /tmp.
W=$(mktemp -d "$builddir/systemd-test.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
script=$builddir/contrib/lxd-harden-audit
units="lxd-harden.service lxd-harden.timer lxd-harden-watch.service"

finish() {
	echo "1..$NTEST"
	[ "$NFAIL" = 0 ]
	exit
}

# ---- the units: verify and score
mkdir "$W/units"
for u in $units; do
	src=$builddir/contrib/$u
	[ -f "$src" ] || src=$srcdir/contrib/systemd/$u
	sed -e "s|^ExecStart=[^ ]*/lxd-harden-audit|ExecStart=$script|" \
		-e "s|^ExecStart=[^ ]*/lxd-harden |ExecStart=$bin |" "$src" >"$W/units/$u"
done
if ! command -v systemd-analyze >/dev/null; then
	not_ok "systemd-analyze is installed (Debian package systemd)"
	finish
fi
if (cd "$W/units" && systemd-analyze verify --man=no $units) >"$W/verify" 2>&1 &&
	! [ -s "$W/verify" ]; then
	ok "systemd-analyze verify: $units"
else
	not_ok "systemd-analyze verify: $units"
	diag "$(cat "$W/verify")"
fi
# and verify does fail a broken unit (so the case above means something)
printf '[Service]\nExecStart=%s\nProtectSystm=yes\n' "$script" >"$W/units/broken.service"
if (cd "$W/units" && systemd-analyze verify --man=no broken.service) >"$W/verify" 2>&1 ||
	grep -q "Unknown key" "$W/verify"; then
	ok "systemd-analyze verify reports a misspelt key"
else
	not_ok "systemd-analyze verify reports a misspelt key"
fi
for u in lxd-harden.service lxd-harden-watch.service; do
	score=$(cd "$W/units" && systemd-analyze security --offline=true "./$u" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	readme=$(sed -n "s/^| \`$u\` | \([0-9.]*\) .*/\1/p" "$srcdir/README.md")
	if [ -n "$score" ] && [ "$score" = "$readme" ]; then
		ok "$u: systemd-analyze security scores $score, as README says"
	else
		not_ok "$u: systemd-analyze security scores '$score', README says '$readme'"
	fi
done
# the sandbox keys README promises
for key in ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
	StateDirectory=lxd-harden ProtectHome=read-only; do
	if grep -qx "$key" "$W/units/lxd-harden.service" &&
		grep -qx "$key" "$W/units/lxd-harden-watch.service"; then
		ok "both services set $key"
	else
		not_ok "both services set $key"
	fi
done
if [ "$(grep -c '^ReadWritePaths=' "$W/units/lxd-harden.service")" = 1 ] &&
	grep -qx 'ReadWritePaths=-/var/lib/prometheus/node-exporter' "$W/units/lxd-harden.service" &&
	! grep -q '^ReadWritePaths=' "$W/units/lxd-harden-watch.service"; then
	ok "the only writable paths are the state directory and node_exporter's"
else
	not_ok "the only writable paths are the state directory and node_exporter's"
fi
if grep -qx 'Restart=on-failure' "$W/units/lxd-harden-watch.service" &&
	grep -q '^ExecStart=.* watch --journal --full-every 1h' "$W/units/lxd-harden-watch.service" &&
	grep -qx 'OnCalendar=daily' "$W/units/lxd-harden.timer" &&
	grep -q '^RandomizedDelaySec=' "$W/units/lxd-harden.timer"; then
	ok "the watcher restarts on failure; the timer is daily with a random delay"
else
	not_ok "the watcher restarts on failure; the timer is daily with a random delay"
fi

# ---- the ExecStart script, run directly
A=(--input "$srcdir/tests/data/snapshot/sample-5.0.2" --releases "$srcdir/tests/data/releases-fixed.json")
mkdir -p "$W/state" "$W/textfile"
chmod 755 "$W" "$W/textfile"
run() { # run DAY-OFFSET [script args]: the service's run, N days later
	local days=$1
	shift
	STATE_DIRECTORY=$W/state LXD_HARDEN_TEXTFILE_DIR=${TEXTFILE-$W/textfile} \
		LXD_HARDEN_BIN=$bin SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + days * 86400)) \
		"$script" "${A[@]}" "$@" >"$W/stdout" 2>"$W/stderr"
}

# whether the script may write $W/textfile: every directory above it
# root's, and writable by others only when sticky (as /tmp)
safe=true
d=$W
while [ "$d" != / ]; do
	m=0$(stat -c %a "$d")
	[ "$(stat -c %u "$d")" = 0 ] &&
		{ [ $((m & 022)) = 0 ] || [ $((m & 01000)) != 0 ]; } || safe=false
	d=$(dirname "$d")
done

run 0
rc=$?
if [ "$rc" = 2 ] && jq -e '.schema == "lxd-harden/report/v1" and
	([.results[].findings[] | select(has("baseline"))] | length) == 0' \
	"$W/state/last.json" >/dev/null; then
	ok "first run (no last.json yet): exit 2 (findings), last.json written without a baseline"
else
	not_ok "first run (no last.json yet): exit 2 (findings), last.json written without a baseline (exit $rc)"
	diag "$(cat "$W/stderr")"
fi
if grep -q '^lxd-harden .* audit of' "$W/stdout"; then
	ok "the text report goes to the standard output (the journal)"
else
	not_ok "the text report goes to the standard output (the journal)"
fi
if $safe; then
	if [ -s "$W/textfile/lxd-harden.prom" ] &&
		grep -q "^lxd_harden_last_run_timestamp_seconds $SOURCE_DATE_EPOCH\$" "$W/textfile/lxd-harden.prom"; then
		ok "first run: the textfile lxd-harden.prom is written"
	else
		not_ok "first run: the textfile lxd-harden.prom is written"
		diag "$(cat "$W/stderr")"
	fi
else
	ok "# SKIP $W has a directory above it that is not root's alone"
fi

run 3
rc=$?
first=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
if [ "$rc" = 2 ] && jq -e --arg first "$first" '
	[.results[].findings[] | select(.status == "fail")] as $f |
	($f | length) > 0 and
	all($f[]; .baseline == "known" and .first_seen == $first)' \
	"$W/state/last.json" >/dev/null; then
	ok "second run, 3 days later: every failing finding is known and keeps first_seen $first"
else
	not_ok "second run, 3 days later: every failing finding is known and keeps first_seen $first (exit $rc)"
	diag "$(cat "$W/stderr")"
fi
if grep -q '(3 days)' "$W/stdout"; then
	ok "the text report says how long each check has been failing"
else
	not_ok "the text report says how long each check has been failing"
fi
if $safe; then
	if grep -q "^lxd_harden_oldest_finding_first_seen_timestamp_seconds{.*} $SOURCE_DATE_EPOCH\$" "$W/textfile/lxd-harden.prom" &&
		! grep -q '^lxd_harden_new_findings{.*} [1-9]' "$W/textfile/lxd-harden.prom"; then
		ok "second run: the textfile has the first-seen times and no new finding"
	else
		not_ok "second run: the textfile has the first-seen times and no new finding"
	fi
fi

# node_exporter not installed: no textfile, no complaint
cp "$W/state/last.json" "$W/last.before"
TEXTFILE=$W/none run 4
rc=$?
if [ "$rc" = 2 ] && [ ! -e "$W/none" ] && ! [ -s "$W/stderr" ]; then
	ok "no textfile directory: the audit runs, nothing else is written or said"
else
	not_ok "no textfile directory: the audit runs, nothing else is written or said (exit $rc)"
	diag "$(cat "$W/stderr")"
fi
# a textfile directory another user could write: refused, said why
mkdir -p "$W/open" && chmod 1777 "$W/open"
TEXTFILE=$W/open run 5
rc=$?
if [ "$rc" = 2 ] && [ ! -e "$W/open/lxd-harden.prom" ] &&
	grep -q "not writing $W/open/lxd-harden.prom: .* is not root's alone" "$W/stderr"; then
	ok "a textfile directory others can write: not written, the journal says why"
else
	not_ok "a textfile directory others can write: not written, the journal says why (exit $rc)"
	diag "$(cat "$W/stderr")"
fi
# a textfile directory of root's inside a sticky directory all may
# write (as /tmp): written, since no one else can replace it
mkdir -p "$W/sticky/tf" && chmod 1777 "$W/sticky" && chmod 0755 "$W/sticky/tf"
TEXTFILE=$W/sticky/tf run 5
rc=$?
if ! $safe; then
	ok "# SKIP $W has a directory above it that is not root's alone"
elif [ "$rc" = 2 ] && [ -s "$W/sticky/tf/lxd-harden.prom" ] && ! [ -s "$W/stderr" ]; then
	ok "a root-owned textfile directory inside a sticky one (as /tmp): written"
else
	not_ok "a root-owned textfile directory inside a sticky one (as /tmp): written (exit $rc)"
	diag "$(cat "$W/stderr")"
fi
# a last.json that is not a report: exit 1, one line, last.json kept
echo '{"schema": "something else"}' >"$W/state/last.json"
cp "$W/state/last.json" "$W/last.bad"
TEXTFILE=$W/none run 6
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$W/stderr")" = 1 ] &&
	grep -q "is not a lxd-harden JSON report" "$W/stderr" &&
	cmp -s "$W/state/last.json" "$W/last.bad"; then
	ok "a broken last.json: exit 1 with one line, nothing overwritten"
else
	not_ok "a broken last.json: exit 1 with one line, nothing overwritten (exit $rc)"
	diag "$(cat "$W/stderr")"
fi
cp "$W/last.before" "$W/state/last.json"

# ---- the sandbox, emulated: read-only /, the unit's capabilities
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$W/units/lxd-harden.service" |
	tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null; then
	ok "# SKIP the sandbox emulation needs root, unshare and setpriv"
	finish
fi
host_view() { jq -c '[.results[] | [.id, .status, [.findings[].message]]]' "$1"; }
STATE_DIRECTORY=$W/state LXD_HARDEN_TEXTFILE_DIR= LXD_HARDEN_BIN=$bin \
	"$script" "${A[@]}" --host-root / -o "json=$W/full.json" >/dev/null 2>&1
mkdir -p "$W/sandbox"
cp "$W/state/last.json" "$W/sandbox/last.json"
unshare -m -- /bin/sh -c '
	mount --make-rprivate / &&
	mount --bind "$1" "$1" &&
	mount -o remount,bind,ro / || exit 99
	shift
	! touch /etc/.lxd-harden-sandbox-probe 2>/dev/null || exit 98
	exec "$@"' sh "$W/sandbox" \
	env STATE_DIRECTORY="$W/sandbox" LXD_HARDEN_TEXTFILE_DIR= LXD_HARDEN_BIN="$bin" \
	setpriv --bounding-set "-all,$caps" --inh-caps=-all --no-new-privs -- \
	"$script" "${A[@]}" --host-root / >"$W/stdout" 2>"$W/stderr"
rc=$?
if [ "$rc" = 2 ] && [ -s "$W/full.json" ] &&
	[ "$(host_view "$W/sandbox/last.json")" = "$(host_view "$W/full.json")" ]; then
	ok "sandboxed (read-only /, capabilities $caps, no new privileges): the same verdicts, host checks included, as with full root"
else
	not_ok "sandboxed (read-only /, capabilities $caps, no new privileges): the same verdicts as with full root (exit $rc)"
	diag "$(cat "$W/stderr")"
	diff <(host_view "$W/full.json" | jq -c '.[]') <(host_view "$W/sandbox/last.json" | jq -c '.[]') | head -10 | sed 's/^/# /'
fi
# without those capabilities the firewall and audit rules cannot be read:
# the bounding set is what the host checks need, not a guess
mkdir -p "$W/nocaps"
setpriv --bounding-set -all --inh-caps=-all --no-new-privs -- \
	env STATE_DIRECTORY="$W/nocaps" LXD_HARDEN_TEXTFILE_DIR= LXD_HARDEN_BIN="$bin" \
	"$script" "${A[@]}" --host-root / >/dev/null 2>&1
if command -v nft >/dev/null && [ -s "$W/nocaps/last.json" ] &&
	[ "$(host_view "$W/nocaps/last.json")" != "$(host_view "$W/full.json")" ]; then
	ok "with no capability at all some host check judges differently (so the set above matters)"
elif ! command -v nft >/dev/null; then
	ok "# SKIP nft is not installed"
else
	not_ok "with no capability at all some host check judges differently"
fi
finish
