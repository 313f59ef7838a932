#!/bin/bash
# run.sh - the 1000-instance benchmark of lxd-harden audit; writes the
# numbers into bench/README.md.
#
#   sudo bench/run.sh                      # N=1000, build/lxd-harden
#   N=200 LXDH_BIN=build/lxd-harden BENCH_OUT=/tmp/b.md bench/run.sh
#
# Starts a private LXD (never the system's), creates N stopped containers
# over four projects, then measures (a) the audit's wall time, median of 5;
# (b) how many API requests it makes (its own count, and the daemon's log
# through lxc monitor); (c) each of those requests alone with curl on the
# unix socket; (d) the naive alternative, lxc config show --expanded once
# per instance. Stops and removes the daemon whatever happens.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=${N:-1000}
RUNS=${RUNS:-5}
OUTMD=${BENCH_OUT:-$HERE/README.md}
# lxc reads YAML from a stdin that is not a terminal (lxc init, lxc config
# edit ...): give it none.
exec </dev/null

. "$SRCDIR/tests/integration/lib.sh"

[ -x "$BIN" ] || { echo "bench: no binary at $BIN (meson setup build && ninja -C build)" >&2; exit 1; }
lxdh_have_lxd || { echo "bench: lxd is not installed" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (it starts a private LXD)" >&2; exit 1; }

trap lxdh_daemon_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
secs() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }

T_START=$(ms)
LXDH_LOG_FD=2
lxdh_daemon_start lxdh-bench || exit 1
W=$LXDH_BASE/bench
mkdir -p "$W"

echo "bench: creating $N instances" >&2
t0=$(ms)
"$HERE/make-instances.sh" "$N" >"$W/make.out" || exit 1
t_make=$(($(ms) - t0))
n_inst=$(lxc list --all-projects -f csv -c n | wc -l)
echo "bench: $n_inst instances in $(secs $t_make) s" >&2

audit() {
	"$BIN" audit --socket "$LXD_SOCKET" --format json -o "$W/report.json" 2>"$W/audit.err"
	local rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
		echo "bench: the audit failed (exit $rc): $(cat "$W/audit.err")" >&2
		exit 1
	fi
}

# Warm-up, then (a) the wall time.
audit
load=$(cut -d' ' -f1-3 /proc/loadavg)
if command -v hyperfine >/dev/null 2>&1; then
	tool="hyperfine, $RUNS runs after 1 warm-up"
	hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$W/hf.json" \
		"$BIN audit --socket $LXD_SOCKET --format json -o $W/report.json" >&2
	wall_ms=$(jq '.results[0].median * 1000 | round' "$W/hf.json")
	wall_min=$(jq '.results[0].min * 1000 | round' "$W/hf.json")
	wall_max=$(jq '.results[0].max * 1000 | round' "$W/hf.json")
else
	tool="bash date +%s%N around each run, $RUNS runs after 1 warm-up"
	: >"$W/times"
	for _ in $(seq 1 "$RUNS"); do
		t0=$(ms)
		audit
		echo $(($(ms) - t0)) >>"$W/times"
	done
	wall_ms=$(median <"$W/times")
	wall_min=$(sort -n "$W/times" | head -n 1)
	wall_max=$(sort -n "$W/times" | tail -n 1)
fi
# Peak memory and CPU of one audit, and the CPU the daemon spent on it
# (utime + stime of the lxd process, in clock ticks).
rss='' cpu_self='' cpu_daemon=''
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$LXDH_PID/stat"; }
d0=$(ticks)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M %U %S' -o "$W/rss" "$BIN" audit --socket "$LXD_SOCKET" \
		--format json -o "$W/report.json" 2>/dev/null
	rss=$(tail -n 1 "$W/rss" | awk '{ printf "%.1f", $1 / 1024 }')
	cpu_self=$(tail -n 1 "$W/rss" | awk '{ printf "%.2f", $2 + $3 }')
else
	audit
fi
cpu_daemon=$(awk -v a="$d0" -v b="$(ticks)" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
report_bytes=$(stat -c %s "$W/report.json")
summary=$(jq -c '.summary | {pass, fail, manual, notapplicable, error}' "$W/report.json")

# (b) the requests: the program's own count, and the daemon's log.
req_self=$(jq '.target.requests // "n/a"' "$W/report.json")
lxc monitor --type=logging --pretty --loglevel=debug >"$W/monitor.log" 2>/dev/null &
mon=$!
sleep 1
audit
sleep 1
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
grep 'msg="Handling API request"' "$W/monitor.log" |
	sed -E 's/.* url=("([^"]*)"|([^ ]*)).*/\2\3/' | grep -v '^/1.0/events' >"$W/urls"
req_daemon=$(wc -l <"$W/urls")

# (c) each request alone, 3 times, median.
: >"$W/per-url"
for url in $(sort -u "$W/urls"); do
	: >"$W/t"
	size=0
	for _ in 1 2 3; do
		curl -s --unix-socket "$LXD_SOCKET" -o /dev/null \
			-w '%{time_total} %{size_download}\n' "http://lxd$url" >"$W/one"
		awk '{ print $1 * 1000 }' "$W/one" >>"$W/t"
		size=$(awk '{ print $2 }' "$W/one")
	done
	echo "$(median <"$W/t") $size $url" >>"$W/per-url"
done
sort -rn "$W/per-url" >"$W/per-url.sorted"
sum_ms=$(awk '{ s += $1 } END { printf "%d", s }' "$W/per-url")

# (e) side by side: RUNS rounds, each timing every request the audit
# makes alone with curl (the slowest of them is the bar) and then the
# audit, so that both see the same load on a shared machine.
: >"$W/ratios"
: >"$W/pairs"
: >"$W/old"
: >"$W/all"
for _ in $(seq 1 "$RUNS"); do
	slow=0
	for url in $(sort -u "$W/urls"); do
		t=$(curl -s --unix-socket "$LXD_SOCKET" -o /dev/null \
			-w '%{time_total}\n' "http://lxd$url" | awk '{ printf "%d", $1 * 1000 }')
		[ "$t" -gt "$slow" ] && slow=$t
	done
	# every request at once (what the server needs to answer them all)
	args=()
	for url in $(sort -u "$W/urls"); do
		args+=(-o /dev/null "http://lxd$url")
	done
	t0=$(ms)
	curl -s --parallel --parallel-max 16 --unix-socket "$LXD_SOCKET" "${args[@]}"
	echo $(($(ms) - t0)) >>"$W/all"
	t0=$(ms)
	audit
	t_a=$(($(ms) - t0))
	if [ -n "${LXDH_BIN_OLD:-}" ]; then
		# an older build, same round, to compare the two under one load
		t0=$(ms)
		"$LXDH_BIN_OLD" audit --socket "$LXD_SOCKET" --format json \
			-o "$W/report-old.json" 2>/dev/null
		echo $(($(ms) - t0)) >>"$W/old"
	fi
	echo "$t_a $slow" >>"$W/pairs"
	awk -v a="$t_a" -v b="$slow" 'BEGIN { if (b > 0) printf "%.2f\n", a / b }' >>"$W/ratios"
done
ratio=$(median <"$W/ratios")
ratio_min=$(sort -n "$W/ratios" | head -n 1)
ratio_max=$(sort -n "$W/ratios" | tail -n 1)
pairs=$(awk '{ printf "%s%d/%d", (NR > 1 ? ", " : ""), $1, $2 }' "$W/pairs")

# (d) the naive way: one lxc call per instance.
if [ "${NAIVE:-1}" = 0 ]; then
	t_naive=0
else
echo "bench: lxc config show --expanded for each instance" >&2
lxc list --all-projects -f json | jq -r '.[] | "\(.name),\(.project)"' >"$W/names"
t0=$(ms)
while IFS=, read -r name proj; do
	lxc config show --expanded "$name" --project "$proj" >/dev/null </dev/null
done <"$W/names"
t_naive=$(($(ms) - t0))
fi

# the older build's row, or nothing (no empty line inside the table)
old_row=''
if [ -s "$W/old" ]; then
	old_row=$'\n'"| (e) the same rounds, $LXDH_BIN_OLD (an older build), median | $(secs "$(median <"$W/old")") s against $(secs "$(awk '{ print $1 }' "$W/pairs" | median)") s; ms per round: $(paste -sd, "$W/old") |"
fi

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
osname=$(. /etc/os-release && echo "$PRETTY_NAME")
ver=$("$BIN" --version | head -n 1 | sed "s/^lxd-harden //")

{
	cat <<MD
# Benchmark: auditing a server with $n_inst instances

\`bench/run.sh\` starts a private LXD, creates $N stopped containers
(\`lxc init --empty\`, over the default project and three projects with their
own profiles), and measures the audit. The numbers below are from its last
run; it rewrites this file.

## Machine

| | |
|---|---|
| CPU | $(nproc) cores, $cpu |
| memory | $mem |
| OS | $osname, kernel $(uname -r) |
| LXD | $(lxd --version) (Debian package), storage \`dir\` |
| lxd-harden | $ver (\`buildtype=debugoptimized\`) |
| date | $(date -u +%Y-%m-%d) |
| load average before the timed runs | $load |

## Results

| what | result |
|---|---|
| instances | $n_inst (created in $(secs $t_make) s by \`bench/make-instances.sh\`) |
| (a) \`lxd-harden audit\`, wall time, median of $RUNS | **$(secs "$wall_ms") s** (min $(secs "$wall_min"), max $(secs "$wall_max")) |
| (a) peak memory (max RSS) | ${rss:-n/a} MiB |
| (a) CPU time of one audit: lxd-harden / the LXD daemon | ${cpu_self:-n/a} s / $cpu_daemon s |
| (b) API requests per audit, as the report counts them (\`target.requests\`) | **$req_self** |
| (b) API requests per audit, as the daemon logged them (\`lxc monitor --type=logging\`) | $req_daemon |
| (c) slowest single request, alone with curl (median of 3) | $(head -n 1 "$W/per-url.sorted" | awk '{ printf "%.2f s, %s bytes: GET %s", $1 / 1000, $2, $3 }') |
| (e) audit / slowest required request, side by side, median of $RUNS rounds | **$ratio** (min $ratio_min, max $ratio_max; ms audit/slowest per round: $pairs) |
| (e) every required request at once (\`curl --parallel\`), same rounds, median | $(secs "$(median <"$W/all")") s; ms per round: $(paste -sd, "$W/all") |${old_row}
| (d) naive: \`lxc config show --expanded\` once per instance | $(if [ "$t_naive" = 0 ]; then echo "not run (NAIVE=0)"; else echo "**$(secs "$t_naive") s** ($n_inst client runs)"; fi) |
| report | $report_bytes bytes of JSON; summary $summary |

Timing method for (a): $tool.$(awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { if (l + 0 > n + 0) printf "\nOther work shared the machine during this run (load average above the core\ncount): expect the times to vary by a fifth or so between runs." }')

### (c) Every request the audit makes, alone

| median of 3 | bytes | request |
|---|---|---|
MD
	awk '{ printf "| %.3f s | %s | `GET %s` |\n", $1 / 1000, $2, $3 }' "$W/per-url.sorted"
	cat <<MD

One after the other these requests take $(secs "$sum_ms") s; the audit sends
them concurrently and takes $(secs "$wall_ms") s in all, parsing and evaluation
included: the daemon spends $cpu_daemon s of CPU answering them on $(nproc)
cores, lxd-harden ${cpu_self:-n/a} s, so the daemon is the bottleneck. The number of
requests does not grow with the number of instances; (d) makes one client
call per instance and is $(awk -v a="$wall_ms" -v b="$t_naive" 'BEGIN { if (a > 0 && b > 0) printf "%.0f times slower here", b / a; else print "not timed in this run (NAIVE=0)" }').

## Reproduce

\`\`\`sh
meson setup build && ninja -C build
sudo bench/run.sh                 # N=1000 RUNS=5; took $(( ($(ms) - T_START) / 1000 )) s here
N=200 BENCH_OUT=/tmp/bench.md sudo -E bench/run.sh   # a quick run elsewhere
\`\`\`

It needs \`lxd lxd-client dnsmasq-base nftables jq curl\` (Debian 12) and root;
\`hyperfine\` is used for (a) when installed. \`bench/make-instances.sh N\`
alone fills a daemon that \`LXD_DIR\` points at (it refuses the system's).
MD
	# the sections of bench/synthetic.sh, bench/remote.sh and the
	# hand-written analysis stay
	if [ -z "${BENCH_OUT:-}" ] && [ -f "$HERE/live-5000.md" ]; then
		printf '\nThe live 5000-instance run: [live-5000.md](live-5000.md).\n'
	fi
	# ... and those of bench/outputs.sh, bench/fleet.sh and bench/watch.sh
	for part in synthetic.md outputs.md fleet.md remote.md analysis.md watch.md; do
		if [ -z "${BENCH_OUT:-}" ] && [ -f "$HERE/$part" ]; then
			echo
			cat "$HERE/$part"
		fi
	done
} >"$OUTMD"
echo "bench: wrote $OUTMD" >&2
cat "$OUTMD"
