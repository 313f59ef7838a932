#!/bin/bash
# watch.sh - 'lxd-harden watch' against a real private LXD or Incus
# ($LXDH_PRODUCT); prints TAP.
#
#   LXDH_BIN=build/lxd-harden LXDH_PRODUCT=incus tests/integration/watch.sh
#
# One watcher follows the daemon's event stream while the suite makes
# each kind of weakening change (a profile, the server config, a network,
# a project, a trust token), asserts the "new" line within 2 s, reverts
# and asserts "fixed" within 2 s. Then the daemon is stopped and started
# again: the watcher must reconnect and run a full audit, and SIGTERM
# must end it with status 0. Run it under the machine-wide lock:
#   flock /tmp/lxdh-integration.lock tests/integration/watch.sh
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=tap.sh
. "$HERE/tap.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
lxdh_product "${LXDH_PRODUCT:-lxd}" || exit 1

WPID=
finish() {
	if [ -n "$WPID" ] && kill -0 "$WPID" 2>/dev/null; then
		kill -TERM "$WPID"
		wait "$WPID" 2>/dev/null
	fi
	[ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null
	lxdh_daemon_cleanup
	echo "1..$NTEST"
	[ "$NFAIL" = 0 ]
}
trap finish EXIT

if ! lxdh_have_daemon; then
	not_ok "$LXDH_NAME is installed"
	exit 1
fi
lxdh_daemon_start >/dev/null 2>&1 || { not_ok "$LXDH_NAME starts"; exit 1; }
W=$LXDH_BASE
OUT=$W/watch.out
ERR=$W/watch.err

start_watch() {
	"$BIN" watch --socket "$LXDH_SOCKET" --full-every 10m "$@" \
		>>"$OUT" 2>>"$ERR" &
	WPID=$!
}

# wait_line SECONDS FROM PATTERN...: a line after line FROM of the output
# matches every PATTERN (fixed strings) within SECONDS; prints the time
# it took in ms.
wait_line() {
	local secs=$1 from=$2 t0 now
	shift 2
	t0=$(date +%s%N)
	while :; do
		if tail -n +"$((from + 1))" "$OUT" | {
			local l p all
			while IFS= read -r l; do
				all=1
				for p in "$@"; do
					case "$l" in *"$p"*) ;; *) all= ;; esac
				done
				[ -n "$all" ] && exit 0
			done
			exit 1
		}; then
			now=$(date +%s%N)
			echo $(((now - t0) / 1000000))
			return 0
		fi
		now=$(date +%s%N)
		[ $(((now - t0) / 1000000)) -ge $((secs * 1000)) ] && return 1
		sleep 0.05
	done
}

lines() { wc -l <"$OUT"; }

# change NAME CHECK OBJECT-PART -- WEAKEN... ; -- REVERT...
# (the two commands are given as strings, run by eval)
change() {
	local name=$1 check=$2 obj=$3 weaken=$4 revert=$5 n ms
	n=$(lines)
	if ! eval "$weaken" >"$W/cmd.out" 2>&1; then
		not_ok "$name: the weakening command ran"
		diag "$(cat "$W/cmd.out")"
		return
	fi
	if ms=$(wait_line 2 "$n" '"event":"new"' "\"check\":\"$check\"" "$obj"); then
		ok "$name: 'new' $check within 2 s (${ms} ms)"
	else
		not_ok "$name: 'new' $check within 2 s"
		diag "$(tail -n +"$((n + 1))" "$OUT" | cut -c1-300)" "$(tail -3 "$ERR")"
	fi
	n=$(lines)
	if ! eval "$revert" >"$W/cmd.out" 2>&1; then
		not_ok "$name: the revert ran"
		diag "$(cat "$W/cmd.out")"
		return
	fi
	if ms=$(wait_line 2 "$n" '"event":"fixed"' "\"check\":\"$check\"" "$obj"); then
		ok "$name: 'fixed' $check within 2 s (${ms} ms)"
	else
		not_ok "$name: 'fixed' $check within 2 s"
		diag "$(tail -n +"$((n + 1))" "$OUT" | cut -c1-300)" "$(tail -3 "$ERR")"
	fi
}

: >"$OUT"
# --journal into a socket of our own, --exec a command that keeps stdin
JSOCK=$W/journal.sock
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
f = open(sys.argv[2], "ab", 0)
while True:
    f.write(s.recv(1 << 20) + b"\n--\n")
' "$JSOCK" "$W/journal.out" &
JPID=$!
for _ in $(seq 1 50); do [ -S "$JSOCK" ] && break; sleep 0.1; done
LXDH_JOURNAL_SOCKET=$JSOCK start_watch --journal --exec "tee -a $W/exec.out"
if wait_line 60 0 '"event":"audit"' '"reason":"start"' >/dev/null; then
	ok "watch runs a full audit at start"
else
	not_ok "watch runs a full audit at start"
	diag "$(tail -5 "$ERR")"
	exit 1
fi

C=$LXDH_CLIENT
PORT=$(lxdh_free_port)
change "profile security.privileged" LXD-INS-001 '/1.0/profiles/default' \
	"lxdh_cli profile set default security.privileged=true" \
	"lxdh_cli profile unset default security.privileged"
change "server config core.https_address on every interface" LXD-NET-001 \
	'"object":"/1.0"' \
	"lxdh_cli config set core.https_address=[::]:$PORT" \
	"lxdh_cli config unset core.https_address"
change "a bridge without ACLs" LXD-NET-003 '/1.0/networks/lxdhw0' \
	"lxdh_bridge_create lxdhw0" \
	"lxdh_cli network delete lxdhw0"
lxdh_cli project create lxdhwp -c restricted=true >/dev/null 2>&1
change "restricted project re-opens privileged containers" LXD-MUL-003 \
	'lxdhwp' \
	"lxdh_cli project set lxdhwp restricted.containers.privilege=allow" \
	"lxdh_cli project unset lxdhwp restricted.containers.privilege"
# a token needs the server on the network (loopback only: no NET-001)
TPORT=$(lxdh_free_port)
lxdh_cli config set core.https_address="127.0.0.1:$TPORT" >/dev/null
change "a trust token that never expires" LXD-ACC-011 '/1.0/operations/' \
	"lxdh_trust_token lxdhw" \
	"lxdh_cli config trust revoke-token lxdhw"

# ---- what --exec and --journal received
nchg=$(grep -c '^{"event":"\(new\|fixed\)"' "$OUT")
nexec=$(grep -c '^{"event":"\(new\|fixed\)"' "$W/exec.out" 2>/dev/null)
if [ "$nchg" -gt 0 ] && [ "$nchg" = "${nexec:-0}" ] &&
	grep -q '"check":"LXD-NET-001"' "$W/exec.out"; then
	ok "--exec got each of the $nchg changes as a JSON line on stdin"
else
	not_ok "--exec got each change on stdin ($nchg printed, ${nexec:-0} to --exec)"
fi
if grep -q '^LXD_HARDEN_CHECK=LXD-INS-001$' "$W/journal.out" 2>/dev/null &&
	grep -q '^LXD_HARDEN_SEVERITY=high$' "$W/journal.out" &&
	grep -q '^LXD_HARDEN_EVENT=fixed$' "$W/journal.out" &&
	grep -q '^PRIORITY=3$' "$W/journal.out" &&
	grep -q '^MESSAGE={"event":"new"' "$W/journal.out"; then
	ok "--journal sent the changes with LXD_HARDEN_CHECK, LXD_HARDEN_SEVERITY and PRIORITY"
else
	not_ok "--journal sent the changes with their fields"
	diag "$(head -20 "$W/journal.out" 2>/dev/null)"
fi

# ---- the same over HTTPS with a client certificate and the pinned server
# certificate: a second watcher
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/client.key" -out "$W/client.crt" -days 30 \
	-subj /CN=lxdh-watch >/dev/null 2>&1
lxdh_trust_add_cert "$W/client.crt" --name lxdh-watch >/dev/null 2>&1
MAIN_OUT=$OUT
OUT=$W/watch-tls.out
: >"$OUT"
"$BIN" watch --url "https://127.0.0.1:$TPORT" --cert "$W/client.crt" \
	--key "$W/client.key" --server-cert "$LXDH_DIR/server.crt" \
	>"$OUT" 2>"$W/watch-tls.err" &
TPID=$!
if wait_line 60 0 '"event":"audit"' '"reason":"start"' '"server":"https://' >/dev/null; then
	ok "watch over HTTPS runs a full audit at start"
	change "over HTTPS: profile security.privileged" LXD-INS-001 \
		'/1.0/profiles/default' \
		"lxdh_cli profile set default security.privileged=true" \
		"lxdh_cli profile unset default security.privileged"
else
	not_ok "watch over HTTPS runs a full audit at start"
	diag "$(tail -5 "$W/watch-tls.err")"
fi
kill -TERM "$TPID"
wait "$TPID"
OUT=$MAIN_OUT

# ---- the daemon goes away and comes back
n=$(lines)
kill -KILL "$LXDH_PID"
wait "$LXDH_PID" 2>/dev/null
sleep 2
if kill -0 "$WPID" 2>/dev/null; then
	ok "watch survives the daemon going away"
else
	not_ok "watch survives the daemon going away"
fi
lxdh_daemon_start_again() {
	# the same dirs: LXDH_BASE and the product's variables stay
	# shellcheck disable=SC2086
	setsid "$LXDH_DAEMON" --group root --logfile "$LXDH_LOGFILE" \
		${LXDH_DAEMON_ARGS:-} >>"$LXDH_BASE/daemon.out" 2>&1 </dev/null &
	LXDH_PID=$!
	lxdh_admin waitready --timeout=60 >/dev/null 2>&1
}
if lxdh_daemon_start_again; then
	if ms=$(wait_line 45 "$n" '"event":"audit"' '"reason":"reconnect"'); then
		ok "watch reconnects and runs a full audit (${ms} ms after the restart)"
	else
		not_ok "watch reconnects and runs a full audit"
		diag "$(tail -5 "$ERR")"
	fi
	change "after the reconnect: profile security.privileged" LXD-INS-001 \
		'/1.0/profiles/default' \
		"lxdh_cli profile set default security.privileged=true" \
		"lxdh_cli profile unset default security.privileged"
else
	not_ok "$LXDH_NAME starts again"
fi

# ---- SIGTERM ends it cleanly
kill -TERM "$WPID"
rc=0
wait "$WPID" || rc=$?
WPID=
if [ "$rc" = 0 ]; then
	ok "SIGTERM ends watch with status 0"
else
	not_ok "SIGTERM ends watch with status 0 (got $rc)"
	diag "$(tail -n 20 "$ERR")"
fi
