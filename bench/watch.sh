#!/bin/bash
# watch.sh - the cost of 'lxd-harden watch' on a server with N instances
# (default 1000): latency from a weakening 'lxc config set' to the printed
# finding, CPU while idle, memory after E events (default 10000). Starts
# its own private LXD (tests/integration/lib.sh); prints a Markdown table
# (also written to $BENCH_OUT when set). Run it under the machine-wide
# lock: flock /tmp/lxdh-integration.lock bench/watch.sh
#
#   N=1000 E=10000 IDLE=60 LXDH_BIN=build/lxd-harden bench/watch.sh
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=${N:-1000}
E=${E:-10000}
IDLE=${IDLE:-60}
ROUNDS=${ROUNDS:-5}

# shellcheck source=../tests/integration/lib.sh
. "$SRCDIR/tests/integration/lib.sh"
lxdh_product lxd || exit 1
WPID=
cleanup() {
	[ -n "$WPID" ] && kill -TERM "$WPID" 2>/dev/null && wait "$WPID"
	lxdh_daemon_cleanup
}
trap cleanup EXIT
LXDH_LOG_FD=2
lxdh_daemon_start lxdh-wbench || exit 1
W=$LXDH_BASE
t0=$(date +%s)
"$HERE/make-instances.sh" "$N" >"$W/make.out" || exit 1
t_make=$(($(date +%s) - t0))
inst=$(lxc list --format csv -c n | head -1)

OUT=$W/watch.out
"$BIN" watch --socket "$LXD_SOCKET" >"$OUT" 2>"$W/watch.err" &
WPID=$!
ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_for FROM PATTERN...: ms when a line after FROM matched all
wait_for() {
	local from=$1 end
	shift
	end=$(($(ms) + 120000))
	while [ "$(ms)" -lt "$end" ]; do
		if tail -n +"$((from + 1))" "$OUT" | awk -v a="$1" -v b="${2:-}" \
			'index($0, a) && index($0, b) { f = 1 } END { exit !f }'; then
			ms
			return 0
		fi
		sleep 0.01
	done
	return 1
}
t0=$(ms)
wait_for 0 '"event":"audit"' '"reason":"start"' >/dev/null || { echo "no start audit" >&2; exit 1; }
t_start=$(($(ms) - t0))

# ---- latency: lxc config set INSTANCE security.privileged=true
lat=()
cli=()
for r in $(seq 1 "$ROUNDS"); do
	n=$(wc -l <"$OUT")
	t0=$(ms)
	lxc config set "$inst" security.privileged=true
	tc=$(ms)
	t1=$(wait_for "$n" '"event":"new"' 'security.privileged') || exit 1
	lat+=($((t1 - t0)))
	cli+=($((tc - t0)))
	n=$(wc -l <"$OUT")
	lxc config unset "$inst" security.privileged
	wait_for "$n" '"event":"fixed"' 'security.privileged' >/dev/null || exit 1
done
lat_sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
lat_med=$(echo "$lat_sorted" | sed -n "$(((ROUNDS + 1) / 2))p")

# ---- idle CPU
ticks() { awk '{ print $14 + $15 }' "/proc/$WPID/stat"; }
hz=$(getconf CLK_TCK)
c0=$(ticks)
sleep "$IDLE"
c1=$(ticks)
idle_cpu=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v s="$IDLE" \
	'BEGIN { printf "%.2f", 100 * t / hz / s }')
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$WPID/status")

# ---- E events: instance config writes, as fast as one client sends them
t0=$(ms)
python3 - "$LXD_SOCKET" "$inst" "$E" <<'PY'
import http.client, json, socket, sys
class C(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("lxd")
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)
sock, inst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = C(sock)
for i in range(n):
    c.request("PATCH", "/1.0/instances/" + inst,
              json.dumps({"config": {"user.bench": str(i)}}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("PATCH %d: %d" % (i, r.status))
PY
t_events=$(($(ms) - t0))
sleep 5
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$WPID/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$WPID/status")
c2=$(ticks)
# still answering after the flood
n=$(wc -l <"$OUT")
t0=$(ms)
lxc config set "$inst" security.privileged=true
t1=$(wait_for "$n" '"event":"new"' 'security.privileged') || exit 1
lat_after=$((t1 - t0))
lxc config unset "$inst" security.privileged

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
report=$(cat <<MD
## \`lxd-harden watch\` on $N instances

\`bench/watch.sh\` (LXD $(lxdh_daemon_version), $(nproc) cores shared with
other work, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end,
$("$BIN" --version 2>/dev/null | head -1)). The watcher follows the
stream of a private LXD with $N stopped containers; latency is from the
start of the client command to the printed line, so it includes the
client's own start and the write.

| what | result |
|---|---|
| instances | $N (created in ${t_make} s) |
| first full audit at start | ${t_start} ms |
| latency, \`lxc config set INSTANCE security.privileged=true\` started to the \`new\` line, median of $ROUNDS | **${lat_med} ms** (all: $(echo "${lat[@]}" | tr ' ' ',')) |
| of which \`lxc config set\` itself (until it returned) | $(echo "${cli[@]}" | tr ' ' ',') ms |
| CPU while idle, ${IDLE} s | ${idle_cpu} % of one core |
| memory (VmRSS) before the events | $(mib "$rss0") |
| $E instance updates (PATCH), sent in | ${t_events} ms |
| CPU for the $E events | $(awk -v t=$((c2 - c1)) -v hz="$hz" 'BEGIN { printf "%.2f s", t / hz }') |
| memory (VmRSS) after the events / peak (VmHWM) | $(mib "$rss1") / $(mib "$hwm") |
| latency after the events | ${lat_after} ms |
MD
)
echo "$report"
# bench/run.sh appends bench/watch.md to bench/README.md
echo "$report" >"${BENCH_OUT:-$HERE/watch.md}"
exit 0
