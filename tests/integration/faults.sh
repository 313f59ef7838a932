#!/bin/bash
# faults.sh - audits against a fake server that injects faults; prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/faults.sh
#
# tests/faults/server.py replays real LXD 5.0.2 answers on a unix socket
# and breaks the endpoints it is told to. For each fault the audit must
# end with the right exit status and one line on stderr when it cannot
# run; when one endpoint fails, every check that moved from what the
# unbroken server gives must be "error" with the one-line reason, and
# nothing else may move. Needs python3 and jq; no daemon, no root, a few
# seconds (every audit runs under a short --timeout).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
SERVER=$SRCDIR/tests/faults/server.py
REPLAY=$SRCDIR/tests/faults/replay
HOSTROOT=$SRCDIR/tests/data/host/bare
# the system's interpreter: a pyenv shim costs a second per start
PYTHON=${LXDH_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

# shellcheck source=tap.sh
. "$HERE/tap.sh"
export NO_COLOR=1

W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-faults.XXXXXX") || exit 1
SOCK=$W/lxd.sock
SRV_PID=

stop_server() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=
	fi
}

cleanup() {
	stop_server
	rm -rf "$W"
}
trap cleanup EXIT

# start_server FAULT...: the fake server with --fault FAULT each.
start_server() {
	local args=() f i
	stop_server
	for f in "$@"; do
		args+=(--fault "$f")
	done
	"$PYTHON" "$SERVER" --socket "$SOCK" --data "$REPLAY" \
		"${args[@]}" 2>"$W/server.err" &
	SRV_PID=$!
	for i in $(seq 50); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	diag "the fake server did not start:" "$(cat "$W/server.err")"
	return 1
}

# audit TIMEOUT: one JSON audit of the fake server; sets RC, SECS and
# KB (peak RSS of the audit) and leaves $W/out.json and $W/err.
audit() {
	"$PYTHON" - "$W/usage" "$BIN" audit --socket "$SOCK" \
		--host-root "$HOSTROOT" --format json --timeout "$1" \
		>"$W/out.json" 2>"$W/err" <<'EOF'
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.run(sys.argv[2:]).returncode
secs = time.monotonic() - t0
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    f.write("%d %.2f %d\n" % (rc, secs, kb))
EOF
	read -r RC SECS KB <"$W/usage"
}

# The host checks read the bare tree, not the server: left out.
HOST_CHECKS='^LXD-(ACC-00[1278]|LOG-|MUL-00[14]|HOS-)'
api_statuses() {
	jq -r --arg host "$HOST_CHECKS" \
		'.results[] | select(.id | test($host) | not) | "\(.id) \(.status)"' "$1"
}

exit_is() {
	[ "$RC" = "$1" ] || {
		echo "exit $RC; stderr:"
		cat "$W/err"
		echo "server:"
		cat "$W/server.err"
		return 1
	}
}

one_line_stderr() {
	[ "$(wc -l <"$W/err")" = 1 ]
}

stderr_is() {
	[ "$(cat "$W/err")" = "$1" ] || {
		echo "stderr: $(cat "$W/err")"
		echo "wanted: $1"
		return 1
	}
}

# endpoint_fault DESC FAULT ANCHOR TEXT: one endpoint fails and the audit
# goes on. Exit 2, nothing on stderr; every check that moved from the
# baseline is error with TEXT in its finding, ANCHOR is among them, and
# no check moved anywhere else.
endpoint_fault() {
	local desc=$1 fault=$2 anchor=$3 text=$4
	start_server "$fault" || { not_ok "$desc: server"; return; }
	audit 5s
	check "$desc: exit 2" exit_is 2
	check "$desc: nothing on stderr" test ! -s "$W/err"
	api_statuses "$W/out.json" | sort >"$W/now"
	check "$desc: $anchor is error" grep -qx "$anchor error" "$W/now"
	# every moved check is error, and says why
	check "$desc: only error moves, each naming the fault" \
		moved_are_errors "$text"
}

moved_are_errors() {
	local id st says n=0
	while read -r id st says; do
		grep -qx "$id $st" "$W/base" && continue
		n=$((n + 1))
		if [ "$st" != error ]; then
			echo "$id moved to $st"
			return 1
		fi
		if [ "$says" != true ]; then
			echo "$id does not say: $1"
			return 1
		fi
	done < <(jq -r --arg t "$1" --arg host "$HOST_CHECKS" '.results[] |
		select(.id | test($host) | not) |
		"\(.id) \(.status) \(.findings | map(.message | contains($t)) | any)"' \
		"$W/out.json")
	[ "$n" -gt 0 ]
}

# fatal_fault DESC FAULT TIMEOUT LINE MAXSECS: the audit cannot run:
# exit 1, exactly LINE on stderr, within MAXSECS, no report.
fatal_fault() {
	local desc=$1 fault=$2 timeout=$3 line=$4 max=$5
	start_server "$fault" || { not_ok "$desc: server"; return; }
	audit "$timeout"
	check "$desc: exit 1" exit_is 1
	check "$desc: one line on stderr" one_line_stderr
	check "$desc: the line" stderr_is "$line"
	check "$desc: no report" test ! -s "$W/out.json"
	check "$desc: within ${max}s (took ${SECS}s)" \
		awk -v s="$SECS" -v m="$max" 'BEGIN { exit !(s < m) }'
}

# ----------------------------------------------------------- baseline ----

start_server || exit 1
audit 5s
check "no fault: exit 2 (the replayed server has findings)" test "$RC" = 2
check "no fault: nothing on stderr" test ! -s "$W/err"
api_statuses "$W/out.json" | sort >"$W/base"
"$BIN" audit --input "$REPLAY" --format json >"$W/input.json" 2>/dev/null
api_statuses "$W/input.json" | sort >"$W/input"
check "no fault: the API checks judge as --input of the same answers" \
	diff "$W/input" "$W/base"

# one endpoint broken: its checks are error, the audit goes on

endpoint_fault "5xx on certificates" /1.0/certificates=500 LXD-ACC-006 \
	"GET /1.0/certificates?recursion=1: 500 Internal Server Error: injected failure"
endpoint_fault "503 on storage pools" /1.0/storage-pools=503 LXD-STO-001 \
	"GET /1.0/storage-pools?recursion=1: 503 Service Unavailable: injected failure"
endpoint_fault "bad JSON on networks" /1.0/networks=badjson LXD-NET-003 \
	"GET /1.0/networks?recursion=1&project=default: not an LXD API response (malformed JSON at line 1 column 40"
endpoint_fault "truncated instances" /1.0/instances=truncated LXD-INS-001 \
	"GET /1.0/instances?recursion=1&all-projects=true: incomplete answer from 'unix://$SOCK': transfer closed with"
endpoint_fault "reset on storage pools" /1.0/storage-pools=reset LXD-STO-001 \
	"GET /1.0/storage-pools?recursion=1: "
endpoint_fault "wrong envelope on instances" /1.0/instances=envelope \
	LXD-INS-001 \
	"GET /1.0/instances?recursion=1&all-projects=true: not an LXD API response (sync envelope without metadata)"
endpoint_fault "32 MB of nested arrays as instances" /1.0/instances=huge:32 \
	LXD-INS-001 \
	"GET /1.0/instances?recursion=1&all-projects=true: answer refused (200 OK): JSON that needs more than 492.3 MiB of memory once parsed (the cap is 16 times the 30.5 MiB body plus 4 MiB)"
# the old parser built 2.9 GB from this body (ASan's shadow: about 100 MB)
check "32 MB of nested arrays: peak RSS ${KB} KiB is under 150 MiB" \
	test "$KB" -lt 153600
endpoint_fault "certificates nested 1000 deep" /1.0/certificates=deep:1000 \
	LXD-ACC-006 \
	"GET /1.0/certificates?recursion=1: answer refused (200 OK): JSON nested deeper than 64 levels at byte 167 (the cap on nesting)"
endpoint_fault "an instance name of 50 MB" /1.0/instances=longname:50 \
	LXD-INS-001 \
	"GET /1.0/instances?recursion=1&all-projects=true: answer refused (200 OK): a string at byte 113 is longer than 1 MiB (the cap on one JSON string)"
# refused at the first byte over the cap, not held
check "an instance name of 50 MB: peak RSS ${KB} KiB is under 64 MiB" \
	test "$KB" -lt 65536

# what stops the audit: /1.0 itself, and the deadline

fatal_fault "5xx on /1.0" /1.0=500 5s \
	"lxd-harden: GET /1.0: 500 Internal Server Error: injected failure" 5
fatal_fault "nested arrays as /1.0" /1.0=huge:8 5s \
	"lxd-harden: GET /1.0: answer refused (200 OK): JSON that needs more than 126.1 MiB of memory once parsed (the cap is 16 times the 7.6 MiB body plus 4 MiB)" 5
fatal_fault "a networks body that never ends" /1.0/networks=endless 2s \
	"lxd-harden: the audit did not finish within 2s (--timeout 2s); still pending: GET /1.0/networks?recursion=1&project=default" 5
fatal_fault "storage pools never answered" /1.0/storage-pools=hang 1500ms \
	"lxd-harden: the audit did not finish within 1500ms (--timeout 1500ms); still pending: GET /1.0/storage-pools?recursion=1" 5
fatal_fault "a /1.0 body that never ends" /1.0=endless 1s \
	"lxd-harden: the audit did not finish within 1s (--timeout 1s); still pending: GET /1.0" 4

stop_server
echo "1..$NTEST"
if [ "$NFAIL" -gt 0 ]; then
	echo "# $NFAIL of $NTEST failed"
	exit 1
fi
exit 0
