#!/bin/bash
# fleet.sh - 20 targets in one audit against the slowest single target;
# writes the numbers between the fleet markers of bench/README.md.
#
#   flock /tmp/lxdh-integration.lock bench/fleet.sh
#   N=20 RUNS=5 LXDH_BIN=build/lxd-harden BENCH_OUT=/tmp/b.md bench/fleet.sh
#
# Starts a private LXD 5.0.2 (lib.sh; never the system's) and audits it
# over its socket: RUNS single audits (the slowest is the yardstick), then
# RUNS fleet audits of the same daemon under N names, with the default
# --jobs (the CPUs) and with --jobs N. Reports wall times (bash date
# +%s%N), the ratio fleet / slowest single, and the fleet's peak memory
# (GNU time, the parent; each child is one ordinary audit).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=${N:-20}
RUNS=${RUNS:-5}
OUTMD=${BENCH_OUT:-$HERE/README.md}
exec </dev/null

. "$SRCDIR/tests/integration/lib.sh"
lxdh_have_lxd || { echo "bench: lxd is not installed" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-bench-fleet.XXXXXX") || exit 1
trap 'lxdh_daemon_cleanup; rm -rf "$W"' EXIT
lxdh_product lxd
lxdh_daemon_start lxdh-bench-fleet || exit 1
S=$LXDH_SOCKET
VERSION=$(lxdh_daemon_version)
unset LXD_DIR LXD_SOCKET

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "targets:" >"$W/t.yml"
for i in $(seq 1 "$N"); do
	printf '  - name: lxd-%02d\n    socket: %s\n' "$i" "$S" >>"$W/t.yml"
done

"$BIN" audit --socket "$S" --format json >/dev/null	# warm-up
singles=()
for i in $(seq 1 "$RUNS"); do
	t=$(date +%s%N)
	"$BIN" audit --socket "$S" --format json >/dev/null
	singles+=("$(ms "$t")")
done
slowest=$(printf '%s\n' "${singles[@]}" | sort -n | tail -1)

fleet() {	# fleet JOBS: the wall times of RUNS fleet audits, one a line
	local i t
	for i in $(seq 1 "$RUNS"); do
		t=$(date +%s%N)
		"$BIN" audit --targets "$W/t.yml" --jobs "$1" --format json \
			>"$W/f.json"
		ms "$t"
	done
}
jobs_default=$(nproc)
def=$(fleet "$jobs_default" | tr '\n' ' ')
all=$(fleet "$N" | tr '\n' ' ')
def_med=$(echo "$def" | tr ' ' '\n' | grep . | median)
all_med=$(echo "$all" | tr ' ' '\n' | grep . | median)
audited=$(jq '.summary.audited' "$W/f.json")
rss=$( { /usr/bin/time -f %M "$BIN" audit --targets "$W/t.yml" --jobs "$N" \
	--format json >/dev/null; } 2>&1 | tail -1)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

block=$(cat <<EOF
<!-- fleet: written by bench/fleet.sh -->
## Fleet: $N targets in one run

\`bench/fleet.sh\`: one private LXD $VERSION audited over its
socket under $N names (a targets file), against the slowest of $RUNS single
audits of the same daemon. $(nproc) CPUs; load average before:
$(cut -d' ' -f1-3 /proc/loadavg); lxd-harden $("$BIN" --version | head -1).

| what | wall time |
|---|---|
| single audit, $RUNS runs (ms) | ${singles[*]}; slowest **$slowest ms** |
| fleet of $N, \`--jobs $jobs_default\` (the default), $RUNS runs (ms) | $def; median **$def_med ms** |
| fleet of $N, \`--jobs $N\`, $RUNS runs (ms) | $all; median **$all_med ms** |
| ratio fleet / slowest single, default --jobs | **$(ratio "$def_med" "$slowest")** |
| ratio fleet / slowest single, --jobs $N | **$(ratio "$all_med" "$slowest")** |
| ratio serial (N x slowest) / fleet, --jobs $N | $(ratio "$((N * slowest))" "$all_med") |
| targets audited in the last run | $audited of $N |
| peak memory of the fleet process (max RSS, --jobs $N) | $rss KiB |

All $N targets are one daemon on a 2-core machine, so the audits share its
CPU with the daemon: the fleet cannot reach the slowest single target's time
here. Against $N separate servers the audits wait on the network instead.
<!-- /fleet -->
EOF
)
if grep -q '^<!-- fleet: ' "$OUTMD" 2>/dev/null; then
	awk -v b="$block" '/^<!-- fleet: / { print b; skip = 1; next }
		/^<!-- \/fleet -->/ { skip = 0; next } !skip' "$OUTMD" >"$W/md"
else
	{ cat "$OUTMD" 2>/dev/null; echo; echo "$block"; } >"$W/md"
fi
cp "$W/md" "$OUTMD"
# bench/run.sh rewrites README.md and takes the block back from here
[ -n "${BENCH_OUT:-}" ] || echo "$block" >"$HERE/fleet.md"
echo "$block"
