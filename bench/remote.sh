#!/bin/bash
# remote.sh - the audit against a remote over HTTPS with DELAY ms added
# on loopback, side by side with its slowest required request: the number
# of rounds, not the server, is what a distant server makes the audit
# wait for.
#
#   sudo bench/remote.sh                        # N=200 DELAY=50 RUNS=5
#   LXDH_BIN_OLD=/path/to/older/lxd-harden sudo -E bench/remote.sh
#
# Creates a network namespace, runs a private LXD in it listening on its
# loopback (core.https_address) with a client certificate trusted through
# 'lxc config trust add', and adds DELAY ms each way on that loopback
# with 'tc qdisc add dev lo root netem delay', or, when the kernel has no
# netem, through bench/delay-proxy.py (the same delay in a relay). Writes
# bench/remote.md (BENCH_OUT to put it elsewhere). Removes the namespace
# and the daemon whatever happens.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=${N:-200}
DELAY=${DELAY:-50}
RUNS=${RUNS:-5}
OUTMD=${BENCH_OUT:-$HERE/remote.md}
exec </dev/null

if [ "${1:-}" != inner ]; then
	[ "$(id -u)" = 0 ] || { echo "remote.sh: run as root (network namespace, private LXD)" >&2; exit 1; }
	[ -x "$BIN" ] || { echo "remote.sh: no binary at $BIN" >&2; exit 1; }
	command -v ip >/dev/null && command -v tc >/dev/null ||
		{ echo "remote.sh: needs ip and tc (iproute2)" >&2; exit 1; }
	NS=lxdh-bench-$$
	ip netns add "$NS" || exit 1
	trap 'ip netns del "$NS"' EXIT
	ip -n "$NS" link set lo up || exit 1
	BIN=$BIN N=$N DELAY=$DELAY RUNS=$RUNS BENCH_OUT=$OUTMD NS=$NS \
		ip netns exec "$NS" bash "${BASH_SOURCE[0]}" inner
	exit $?
fi

# Inside the namespace from here on.
. "$SRCDIR/tests/integration/lib.sh"
LXDH_LOG_FD=2
PROXY=''
cleanup() {
	[ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null
	lxdh_daemon_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

lxdh_daemon_start lxdh-remote || exit 1
W=$LXDH_BASE/bench
mkdir -p "$W"
"$HERE/make-instances.sh" "$N" >"$W/make.out" || exit 1
PORT=$(lxdh_free_port)
lxc config set core.https_address "127.0.0.1:$PORT" >/dev/null || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/client.key" -out "$W/client.crt" -days 2 -subj /CN=lxdh-bench \
	>/dev/null 2>&1 || exit 1
lxc config trust add "$W/client.crt" --name lxdh-bench >/dev/null || exit 1

# The requests one audit makes, as the daemon logs them.
lxc monitor --type=logging --pretty --loglevel=debug >"$W/monitor.log" 2>/dev/null &
mon=$!
sleep 1
"$BIN" audit --url "https://127.0.0.1:$PORT" --cert "$W/client.crt" --key "$W/client.key" \
	--server-cert "$LXD_DIR/server.crt" --format json -o "$W/report.json" 2>"$W/err"
rc=$?
sleep 1
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
	echo "remote.sh: the audit failed (exit $rc): $(cat "$W/err")" >&2
	exit 1
fi
grep 'msg="Handling API request"' "$W/monitor.log" |
	sed -E 's/.* url=("([^"]*)"|([^ ]*)).*/\2\3/' | grep -v '^/1.0/events' | sort -u >"$W/urls"
nreq=$(wc -l <"$W/urls")

# One side-by-side set: RUNS rounds of (each required request alone over
# a new HTTPS connection, as the audit's first requests are: the slowest
# is the bar; the audit; the older build). Prints medians.
measure() {
	local port=$1 tag=$2
	: >"$W/$tag.slow"; : >"$W/$tag.new"; : >"$W/$tag.old"
	for _ in $(seq 1 "$RUNS"); do
		slow=0
		while read -r url; do
			t=$(curl -s -k --cert "$W/client.crt" --key "$W/client.key" -o /dev/null \
				-w '%{time_total}\n' "https://127.0.0.1:$port$url" | awk '{ printf "%d", $1 * 1000 }')
			[ "$t" -gt "$slow" ] && slow=$t
		done <"$W/urls"
		echo "$slow" >>"$W/$tag.slow"
		for b in new old; do
			bin=$BIN
			if [ "$b" = old ]; then
				[ -n "${LXDH_BIN_OLD:-}" ] || continue
				bin=$LXDH_BIN_OLD
			fi
			t0=$(ms)
			"$bin" audit --url "https://127.0.0.1:$port" --cert "$W/client.crt" \
				--key "$W/client.key" --server-cert "$LXD_DIR/server.crt" \
				--format json -o "$W/r.json" 2>/dev/null
			echo $(($(ms) - t0)) >>"$W/$tag.$b"
		done
	done
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
measure "$PORT" direct

how=''
if tc qdisc add dev lo root netem delay "${DELAY}ms" 2>/dev/null; then
	how="\`tc qdisc add dev lo root netem delay ${DELAY}ms\` in network namespace $NS"
	DPORT=$PORT
else
	DPORT=$(lxdh_free_port)
	python3 "$HERE/delay-proxy.py" "$DPORT" "$PORT" "$DELAY" &
	PROXY=$!
	sleep 1
	how="bench/delay-proxy.py in network namespace $NS (this kernel has no netem: \`tc qdisc add ... netem\` fails), ${DELAY} ms each way and a round trip before each new connection"
fi
measure "$DPORT" delayed

row() {
	local tag=$1 what=$2 s a o
	s=$(median <"$W/$tag.slow")
	a=$(median <"$W/$tag.new")
	o=$( [ -s "$W/$tag.old" ] && median <"$W/$tag.old")
	printf '| %s | %d ms | %d ms | %s | %s | %s |\n' "$what" "$s" "$a" \
		"$(awk -v a="$a" -v s="$s" 'BEGIN { printf "%.2f", a / s }')" \
		"${o:+$o ms}" \
		"$(paste -sd, "$W/$tag.new")"
}

{
	cat <<MD
## Remote over HTTPS with added delay

\`bench/remote.sh\` runs a private LXD $(lxd --version) with $N stopped containers in a
network namespace, listening on its loopback over HTTPS, and audits it with
\`--url\` and a trusted client certificate, first as it is, then with
${DELAY} ms added each way: $how. Each round times every required
request alone over a new HTTPS connection with curl (the slowest is the
bar), then the audit$( [ -n "${LXDH_BIN_OLD:-}" ] && echo ", then an older build ($LXDH_BIN_OLD)"); medians of $RUNS rounds. $nreq distinct
requests per audit. Measured $(date -u +%Y-%m-%d) on $(nproc) cores shared with other work
(load average $load). Reproduce: \`sudo bench/remote.sh\` (N=200 DELAY=50
RUNS=5; LXDH_BIN_OLD=FILE adds an older build to each round).

Over the delayed link a new HTTPS connection costs two round trips (TCP,
then TLS) before its request's own: the slowest request alone is about
three round trips plus the server's time, and the audit, two rounds of
them (\`/1.0\` with the project list, then the rest on new connections).
The build before this work needed a third round for the other projects'
profiles, one more round trip on connections already open.

| link | slowest required request alone | audit | audit / slowest | older build | audit per round (ms) |
|---|---|---|---|---|---|
$(row direct "loopback")
$(row delayed "loopback + ${DELAY} ms each way")
MD
} >"$OUTMD"
cat "$OUTMD"
