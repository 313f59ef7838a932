#!/bin/bash
# workload.sh - the workload checks (INS, DEV, STO, MUL) at scale: 1000
# instances over several projects, a tenth privileged through a profile, a
# tenth with a host-path disk. Writes bench/workload-results.md.
#
#   sudo bench/workload.sh                     # N=1000, build/lxd-harden
#   N=200 BENCH_OUT=/tmp/w.md sudo -E bench/workload.sh
#
# Starts a private LXD (never the system's), then measures (a) the audit's
# wall time, median of RUNS; (b) its API requests (its own count and the
# daemon's log); (c) each of those requests alone with curl, to compare
# the audit with the slowest one it needs; (d) the same audit on a saved
# copy of those answers (--input), which is parsing and evaluation alone;
# (e) what a user would script instead: lxc config show --expanded once per
# instance. It also checks that the findings are the planted ones. Stops
# and removes the daemon whatever happens.
set -u
# lxc reads YAML from a standard input that is not a terminal: give it
# an empty pipe (not /dev/null, which a careless process can replace)
exec < <(:)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=${N:-1000}
RUNS=${RUNS:-5}
JOBS=${JOBS:-4}
OUTMD=${BENCH_OUT:-$HERE/workload-results.md}

. "$SRCDIR/tests/integration/lib.sh"
LXDH_LOG=/dev/stderr

[ -x "$BIN" ] || { echo "bench: no binary at $BIN (meson setup build && ninja -C build)" >&2; exit 1; }
lxdh_have_lxd || { echo "bench: lxd is not installed" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (it starts a private LXD)" >&2; exit 1; }
for t in jq curl; do
	command -v "$t" >/dev/null || { echo "bench: $t is not installed" >&2; exit 1; }
done

trap lxdh_daemon_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
secs() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }

T_START=$(ms)
lxdh_daemon_start lxdh-wlbench || exit 1
W=$LXDH_BASE/bench
mkdir -p "$W" "$LXDH_BASE/host/data"

# ------------------------------------------------------------- populate ----

# default and two projects with their own profiles (each its own priv
# profile); one project without, which uses default's profiles.
PROJECTS="default wl-a wl-b wl-c"
lxc storage create default dir >/dev/null || exit 1
lxc profile device add default root disk path=/ pool=default >/dev/null || exit 1
# A bridge on a free 10.201.N.0/24 (the range of tests/integration/
# workload.sh), in the default profiles the way lxd init sets it up.
BR=wlbb$$
used=$(ip -4 -o addr show; ip -4 route show table all)
for _ in $(seq 1 200); do
	net=$((RANDOM % 250 + 2))
	case "$used" in *"10.201.$net."*) continue ;; esac
	break
done
LXDH_BRIDGES+=("$BR")
lxc network create "$BR" ipv4.address="10.201.$net.1/24" ipv6.address=none \
	>/dev/null || exit 1
lxc profile device add default eth0 nic network="$BR" name=eth0 >/dev/null || exit 1
for p in $PROJECTS; do
	if [ "$p" != default ]; then
		own=true
		[ "$p" = wl-c ] && own=false
		lxc project create "$p" -c features.profiles=$own \
			-c features.images=false >/dev/null || exit 1
		[ $own = true ] && { lxc profile device add default root disk \
			path=/ pool=default --project "$p" >/dev/null &&
			lxc profile device add default eth0 nic network="$BR" \
				name=eth0 --project "$p" >/dev/null || exit 1; }
	fi
	[ "$p" = wl-c ] && continue
	lxc profile create priv --project "$p" >/dev/null || exit 1
	lxc profile set priv security.privileged=true --project "$p" >/dev/null || exit 1
	lxc profile create limits --project "$p" >/dev/null || exit 1
	# (no security.idmap.isolated: 65536 host IDs each, and this host's
	# root has 10M in /etc/subuid, so LXD refuses after about 150)
	lxc profile set limits limits.cpu=1 limits.memory=512MiB \
		limits.processes=500 --project "$p" >/dev/null || exit 1
done

echo "bench: creating $N instances" >&2
t0=$(ms)
# One POST per instance: profiles, config and devices in one request.
# Every 10th (i % 10 == 0) is privileged through profile priv, every 10th
# (i % 10 == 5) has a writable host-path disk, every 2nd has the limits.
# shellcheck disable=SC2086
set -- $PROJECTS
np=$#
for i in $(seq 1 "$N"); do
	k=$(((i - 1) % np + 1))
	p=${!k}
	profs='"default"'
	[ $((i % 2)) = 0 ] && profs="$profs,\"limits\""
	[ $((i % 10)) = 0 ] && profs="$profs,\"priv\""
	devs='{}'
	[ $((i % 10)) = 5 ] &&
		devs="{\"data\":{\"type\":\"disk\",\"source\":\"$LXDH_BASE/host/data\",\"path\":\"/data\"}}"
	printf '%s {"name":"w%04d","source":{"type":"none"},"profiles":[%s],"devices":%s}\n' \
		"$p" "$i" "$profs" "$devs"
done >"$W/bodies"
xargs -P "$JOBS" -n 1 -d '\n' sh -c '
	p=${1%% *} body=${1#* }
	err=$(lxc query --wait -X POST --data "$body" \
		"/1.0/instances?project=$p" 2>&1 >/dev/null) ||
		echo "bench: creating $body failed: $err" >&2' sh \
	<"$W/bodies"
t_make=$(($(ms) - t0))
n_inst=$(lxc list --all-projects -f csv -c n | wc -l)
echo "bench: $n_inst instances in $(secs $t_make) s" >&2

audit() {
	"$BIN" audit --socket "$LXD_SOCKET" --format json >"$W/report.json" 2>"$W/audit.err"
	local rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
		echo "bench: the audit failed (exit $rc): $(cat "$W/audit.err")" >&2
		exit 1
	fi
}

# time_runs FILE CMD...: RUNS timed runs after one warm-up, ms per line.
time_runs() {
	local f=$1
	shift
	"$@"
	: >"$f"
	for _ in $(seq 1 "$RUNS"); do
		t0=$(ms)
		"$@"
		echo $(($(ms) - t0)) >>"$f"
	done
}

# ---------------------------------------------------------- (a) audit ----

load=$(cut -d' ' -f1-3 /proc/loadavg)
time_runs "$W/t_audit" audit
wall_ms=$(median <"$W/t_audit")
wall_min=$(sort -n "$W/t_audit" | head -n 1)
wall_max=$(sort -n "$W/t_audit" | tail -n 1)
rss=n/a
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$W/rss" "$BIN" audit --socket "$LXD_SOCKET" \
		--format json >/dev/null 2>&1
	rss=$(tail -n 1 "$W/rss" | awk '{ printf "%.1f MiB", $1 / 1024 }')
fi
report_bytes=$(stat -c %s "$W/report.json")

# Are the findings the planted ones?
want_priv=$((N / 10))
want_disk=$(((N + 5) / 10))
got_priv=$(jq '[.results[] | select(.id == "LXD-INS-001") | .findings[] |
	select(.status == "fail" and (.object | startswith("/1.0/instances/")))] | length' "$W/report.json")
got_priv_src=$(jq '[.results[] | select(.id == "LXD-INS-001") | .findings[] |
	select(.status == "fail" and (.object | startswith("/1.0/instances/")) and
	       (.source | startswith("/1.0/profiles/priv?")))] | length' "$W/report.json")
got_disk=$(jq '[.results[] | select(.id == "LXD-DEV-002") | .findings[] |
	select(.status == "fail" and .device == "data")] | length' "$W/report.json")
got_prof=$(jq '[.results[] | select(.id == "LXD-INS-001") | .findings[] |
	select(.status == "fail" and (.object | startswith("/1.0/profiles/")))] | length' "$W/report.json")
got_errors=$(jq '[.results[] | select(.status == "error")] | length' "$W/report.json")
wl_summary=$(jq -c '[.results[] | select(.id | test("INS|DEV|STO|MUL")) |
	{key: .id, value: "\(.status) \([.findings[] | select(.status == "fail")] | length)"}] | from_entries' "$W/report.json")

# ------------------------------------------------------- (b) requests ----

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

# ------------------------------------------- (c) each request alone ----

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
slow_ms=$(head -n 1 "$W/per-url.sorted" | awk '{ print $1 }')
slow_what=$(head -n 1 "$W/per-url.sorted" | awk '{ printf "GET %s (%s bytes)", $3, $2 }')
sum_ms=$(awk '{ s += $1 } END { printf "%d", s }' "$W/per-url")

# --------------------------------- (d) parsing and evaluation alone ----

# The same answers saved as a snapshot directory (--input).
S=$W/snap
mkdir -p "$S"
get() { curl -s --unix-socket "$LXD_SOCKET" "http://lxd$1"; }
get /1.0 >"$S/server.json"
get /1.0/projects?recursion=1 >"$S/projects.json"
get "/1.0/instances?recursion=1&all-projects=true" >"$S/instances.json"
get /1.0/storage-pools?recursion=1 >"$S/storage-pools.json"
get /1.0/certificates?recursion=1 >"$S/certificates.json"
get "/1.0/networks?recursion=1&project=default" >"$S/networks.json"
for p in $(jq -r '.metadata[] | select(.name == "default" or .config["features.profiles"] == "true") | .name' "$S/projects.json"); do
	get "/1.0/profiles?recursion=1&project=$p" |
		jq --arg p "$p" '.metadata | map(. + {project: $p})'
done | jq -s 'add' >"$S/profiles.json"
offline() { "$BIN" audit --input "$S" --format json >"$W/offline.json" 2>/dev/null; }
time_runs "$W/t_offline" offline
off_ms=$(median <"$W/t_offline")
off_same=no
if [ "$(jq -c '[.results[] | select(.id | test("INS|DEV|STO|MUL")) | {id, status, n: (.findings | length)}]' "$W/offline.json")" = \
	"$(jq -c '[.results[] | select(.id | test("INS|DEV|STO|MUL")) | {id, status, n: (.findings | length)}]' "$W/report.json")" ]; then
	off_same=yes
fi

# -------------------------------------------------------- (e) naive ----

echo "bench: lxc config show --expanded for each instance" >&2
t0=$(ms)
lxc list --all-projects -f json | jq -r '.[] | "\(.name),\(.project)"' >"$W/names"
while IFS=, read -r name proj; do
	lxc config show --expanded "$name" --project "$proj" >/dev/null </dev/null
done <"$W/names"
t_naive=$(($(ms) - t0))

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
osname=$(. /etc/os-release && echo "$PRETTY_NAME")
ver=$("$BIN" --version | head -n 1)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

{
	cat <<MD
# Benchmark: the workload checks on $n_inst instances

\`bench/workload.sh\` starts a private LXD and creates $N stopped containers
(one \`POST /1.0/instances\` each, \`source.type=none\`) over four projects:
\`default\`, \`wl-a\` and \`wl-b\` with their own profiles, and \`wl-c\`
without (it uses default's). Every default profile has a NIC on a
managed bridge, as \`lxd init\` sets it up. A tenth of the instances are
privileged through a profile \`priv\`, a tenth have a writable host-path
disk, half take their limits from a profile. It rewrites this file.

## Machine

| | |
|---|---|
| CPU | $(nproc) cores, $cpu |
| OS | $osname, kernel $(uname -r) |
| LXD | $(lxd --version) (Debian package), storage \`dir\` |
| lxd-harden | $ver |
| date | $(date -u +%Y-%m-%d) |
| load average before the timed runs | $load |

## Results

| what | result |
|---|---|
| instances | $n_inst (created in $(secs "$t_make") s, $JOBS in parallel) |
| (a) \`lxd-harden audit\`, whole catalog, wall time, median of $RUNS | **$(secs "$wall_ms") s** (min $(secs "$wall_min"), max $(secs "$wall_max")); peak RSS $rss |
| (b) API requests per audit: its own count / the daemon's log | **$req_self** / $req_daemon |
| (c) slowest single request the audit needs, alone (median of 3) | **$(secs "$slow_ms") s**: $slow_what |
| (c) all of its requests one after the other | $(secs "$sum_ms") s |
| (a) / (c) | the audit takes $(ratio "$wall_ms" "$slow_ms") times its slowest request |
| (d) the same audit on the saved answers (\`--input\`): parsing and evaluation only | $(secs "$off_ms") s (same workload results: $off_same) |
| (e) naive: \`lxc list\` + \`lxc config show --expanded\` once per instance | **$(secs "$t_naive") s** ($n_inst client runs; $(ratio "$t_naive" "$wall_ms") times the audit) |
| report | $report_bytes bytes of JSON |

Findings, checked against what was planted:

| | planted | found |
|---|---|---|
| LXD-INS-001 instances privileged | $want_priv (through profile priv) | $got_priv ($got_priv_src with \`source\` = a priv profile) |
| LXD-INS-001 profiles | 3 (priv in default, wl-a, wl-b) | $got_prof |
| LXD-DEV-002 writable host-path disks | $want_disk | $got_disk |
| checks in error | 0 | $got_errors |

Workload checks (status, failing findings): \`$wl_summary\`

### (c) Every request the audit makes, alone

| median of 3 | bytes | request |
|---|---|---|
MD
	awk '{ printf "| %.3f s | %s | `GET %s` |\n", $1 / 1000, $2, $3 }' "$W/per-url.sorted"
	cat <<MD

The request count does not grow with the instances: one listing with
\`recursion=1&all-projects=true\` carries every instance's
\`expanded_config\` and \`expanded_devices\`, and profiles are read once per
project that has its own. The evaluation of every check over all
instances and profiles ((d), which includes parsing the JSON) is a small
part of the audit; the daemon answering the requests is the rest.

## Reproduce

\`\`\`sh
meson setup build && ninja -C build
sudo bench/workload.sh               # N=1000 RUNS=5; took $(( ($(ms) - T_START) / 1000 )) s here
N=200 BENCH_OUT=/tmp/w.md sudo -E bench/workload.sh
\`\`\`

It needs \`lxd lxd-client dnsmasq-base nftables jq curl\` (Debian 12) and
root.
MD
} >"$OUTMD"
echo "bench: wrote $OUTMD" >&2
cat "$OUTMD"
