#!/bin/bash
# fix-faults.sh - fix --apply while the real daemon dies or stops; TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/fix-faults.sh
#
# Plants a weak configuration in a private daemon and applies fixes to
# three objects. The test hook LXDH_FIX_STOP_BEFORE_WRITE=2 stops the
# apply (SIGSTOP on itself) before its second write, so the fault lands
# at the same point every time:
#   kill -9:  the daemon is stopped, the write is sent into its socket,
#             then the daemon is killed and started again; the change is
#             journaled "unknown" and rollback brings every object back;
#   SIGSTOP:  the daemon stays stopped; the per-write deadline fires, the
#             change is journaled "unknown", nothing more is sent; after
#             SIGCONT rollback brings every object back.
# Runs on LXD, and on Incus when lib.sh can start one (LXDH_PRODUCT=incus).
# A missing daemon is a failure. An EXIT trap stops the daemon.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
LXDH_LOG=/dev/stdout
export NO_COLOR=1

NTEST=0
NFAIL=0
W=
FXPID=
KEEPER=

finish() {
	# never leave the daemon stopped or the apply behind
	[ -n "$LXDH_PID" ] && kill -CONT "$LXDH_PID" 2>/dev/null
	[ -n "$FXPID" ] && kill -KILL "$FXPID" 2>/dev/null
	[ -n "$KEEPER" ] && kill "$KEEPER" 2>/dev/null
	lxdh_daemon_cleanup
	[ -n "$W" ] && [ -z "${LXDH_FIX_KEEP:-}" ] && rm -rf "$W"
	echo "1..$NTEST"
}
trap finish EXIT

# The product's client and admin verbs (lib.sh's when it has them).
cli() {
	if declare -F lxdh_cli >/dev/null; then lxdh_cli "$@"; else lxc "$@"; fi
}
admin() {
	if declare -F lxdh_admin >/dev/null; then lxdh_admin "$@"; else lxd "$@"; fi
}
if declare -F lxdh_product >/dev/null; then
	lxdh_product "${LXDH_PRODUCT:-lxd}" || exit 1
	have() { lxdh_have_daemon; }
else
	have() { lxdh_have_lxd; }
fi
if ! have; then
	not_ok "the daemon and its client are installed"
	exit 1
fi
if ! lxdh_daemon_start lxdh-faults; then
	not_ok "private daemon starts"
	exit 1
fi
ok "private daemon starts"
SOCK=${LXDH_SOCKET:-$LXD_SOCKET}
DAEMON_LOG=${LXDH_LOGFILE:-$LXDH_BASE/lxd.log}
W=$(mktemp -d /tmp/lxdh-faults-w.XXXXXX)
JD=$W/journals
EMPTY=$W/empty-root
SHARE=$W/share
mkdir -p "$EMPTY" "$SHARE"

# The weak configuration: no bridge and nothing running, so a killed
# daemon leaves no helper behind.
cli storage create ftpool dir >/dev/null </dev/null
cli profile device add default root disk path=/ pool=ftpool >/dev/null </dev/null
cli profile create weak >/dev/null </dev/null
cli profile set weak security.nesting true </dev/null
cli init --empty c1 -p default -p weak >/dev/null </dev/null
cli config set c1 security.privileged true </dev/null
cli config device add c1 data disk source="$SHARE" path=/mnt/data >/dev/null </dev/null
cli config set core.remote_token_expiry 1H </dev/null
ONLY=(--only LXD-ACC-010 --only LXD-INS-001 --only LXD-INS-003)

state() {
	local u
	for u in /1.0 /1.0/instances/c1 /1.0/profiles/weak /1.0/profiles/default; do
		timeout 30 "${LXDH_CLIENT:-lxc}" query "$u" </dev/null | jq -S 'del(.etag) | del(.environment)' || return 1
	done
}
state >"$W/before.json"
same_as_before() {
	state >"$W/now.json" && cmp -s "$W/before.json" "$W/now.json" ||
		{ diff "$W/before.json" "$W/now.json" | head -20 | sed 's/^/#   /'; return 1; }
}
fails() { ! "$@"; }

# wait_stopped PID: until the process is stopped (state T).
wait_stopped() {
	local _
	for _ in $(seq 1 600); do
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_queued: until the apply's write waits at the stopped daemon: a
# connection queued on its listening socket, or unread bytes on a
# connection it had accepted before it stopped (the client may reuse one).
wait_queued() {
	local _ q
	for _ in $(seq 1 300); do
		q=$(ss -xaH src "$SOCK" 2>/dev/null |
			awk '$3 > 0 { n++ } END { print n + 0 }')
		if [ "$q" -gt 0 ]; then
			sleep 0.5
			return 0
		fi
		sleep 0.1
	done
	return 1
}
# keep_ns: a process that holds the daemon's mount namespace (lib.sh may
# start it in a private one), so that it can be started there again
# once killed.
keep_ns() {
	nsenter -t "$LXDH_PID" -m sleep 3600 </dev/null >/dev/null 2>&1 &
	KEEPER=$!
	sleep 0.2
}
restart_daemon() {
	local exe
	exe=$(cat "$W/daemon.exe")
	nsenter -t "$KEEPER" -m setsid "$exe" --group root --logfile "$DAEMON_LOG" \
		</dev/null >>"$LXDH_BASE/restart.out" 2>&1 &
	LXDH_PID=$!
	admin waitready --timeout=60 >>"$LXDH_BASE/restart.out" 2>&1
}
# journal_states: "SEQ:STATE" of every state line of the newest journal.
journal_states() {
	jq -r 'select(.type == "state") | "\(.seq):\(.state)"' \
		"$(ls "$JD"/*.jsonl | tail -1)" | tr '\n' ' '
}

# ------------------------------------------------------ kill -9 ----
readlink "/proc/$LXDH_PID/exe" >"$W/daemon.exe"
keep_ns
LXDH_FIX_STOP_BEFORE_WRITE=2 "$BIN" fix --apply --yes --socket "$SOCK" --journal-dir "$JD" \
	--host-root "$EMPTY" "${ONLY[@]}" </dev/null >"$W/k.out" 2>&1 &
FXPID=$!
check "the apply pauses before its second write (test hook)" wait_stopped "$FXPID"
kill -STOP "$LXDH_PID"
kill -CONT "$FXPID"
check "  its second write waits in the stopped daemon's socket" wait_queued
kill -KILL "$LXDH_PID"
wait "$LXDH_PID" 2>/dev/null
wait "$FXPID"
rc=$?
FXPID=
check "the apply whose daemon died mid-write exits 1 (got $rc)" [ "$rc" = 1 ]
[ "$rc" = 1 ] || diag "$(tail -12 "$W/k.out")"
check "  it says the outcome is unknown" grep -q "outcome of 1 change is unknown" "$W/k.out"
st=$(journal_states)
check "  the journal: 1 applied, 1 unknown, 1 not sent ($st)" [ "$st" = "1:applied 2:unknown 3:failed " ]
check "  and no secret or whole config in it" fails grep -q '"expanded_config"\|"devices":{"root"' "$(ls "$JD"/*.jsonl | tail -1)"
check "the daemon starts again" restart_daemon
check "  something did change" fails same_as_before
"$BIN" rollback --socket "$SOCK" --journal-dir "$JD" </dev/null >"$W/kr.out" 2>&1
rc=$?
check "rollback after the kill exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(cat "$W/kr.out")"
check "  and brings every object back" same_as_before

# ------------------------------------------------------ SIGSTOP ----
LXDH_FIX_STOP_BEFORE_WRITE=2 "$BIN" fix --apply --yes --socket "$SOCK" --journal-dir "$JD" \
	--host-root "$EMPTY" --write-timeout 3 "${ONLY[@]}" </dev/null >"$W/s.out" 2>&1 &
FXPID=$!
check "the apply pauses before its second write (test hook)" wait_stopped "$FXPID"
kill -STOP "$LXDH_PID"
t0=$(date +%s)
kill -CONT "$FXPID"
wait "$FXPID"
rc=$?
FXPID=
took=$(($(date +%s) - t0))
check "the apply against a stopped daemon exits 1 (got $rc)" [ "$rc" = 1 ]
[ "$rc" = 1 ] || diag "$(tail -12 "$W/s.out")"
check "  within the write deadline, not 120 s a change (took ${took}s)" [ "$took" -lt 15 ]
check "  the deadline is named" grep -q "unknown (P[A-Z]* /1.0[^ ]*: no complete answer from .* within 3000 ms" "$W/s.out"
st=$(journal_states)
check "  the journal: 1 applied, 1 unknown, 1 not sent ($st)" [ "$st" = "1:applied 2:unknown 3:failed " ]
kill -CONT "$LXDH_PID"
check "the daemon answers again after SIGCONT" timeout 60 "${LXDH_CLIENT:-lxc}" query /1.0 </dev/null >/dev/null
# the write it had queued may still land: let it
sleep 2
"$BIN" rollback --socket "$SOCK" --journal-dir "$JD" </dev/null >"$W/sr.out" 2>&1
rc=$?
check "rollback after the stop exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(cat "$W/sr.out")"
check "  and brings every object back" same_as_before
diag "rollback said: $(tr '\n' '|' <"$W/sr.out")"

# ------------------------------------------------ the answer is lost ----
# A proxy in front of the daemon passes every request on and every answer
# back, but drops the answer to the first PUT: the daemon has carried the
# change out, the apply never learns it. Today that change was "failed"
# and rollback skipped it.
PROXY=$W/proxy.sock
cat >"$W/proxy.py" <<'PY'
import os, socket, sys, threading
listen, upstream, drop_method = sys.argv[1], sys.argv[2], sys.argv[3]
dropped = threading.Event()
def read_request(c):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(65536)
        if not d:
            return None
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        d = c.recv(65536)
        if not d:
            return None
        body += d
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
    return b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body
def handle(c):
    try:
        while True:
            req = read_request(c)
            if req is None:
                return
            u = socket.socket(socket.AF_UNIX)
            u.connect(upstream)
            u.sendall(req)
            resp = b""
            while True:
                d = u.recv(65536)
                if not d:
                    break
                resp += d
            u.close()
            if req.startswith(drop_method.encode() + b" ") and not dropped.is_set():
                dropped.set()
                with open(listen + ".dropped", "w") as f:
                    f.write(req.split(b"\r\n")[0].decode() + "\n")
                return
            c.sendall(resp)
            return
    finally:
        c.close()
s = socket.socket(socket.AF_UNIX)
s.bind(listen)
s.listen(16)
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
PY
python3 "$W/proxy.py" "$PROXY" "$SOCK" PUT </dev/null >"$W/proxy.out" 2>&1 &
PROXYPID=$!
for _ in $(seq 1 50); do [ -S "$PROXY" ] && break; sleep 0.1; done
"$BIN" fix --apply --yes --socket "$PROXY" --journal-dir "$JD" --host-root "$EMPTY" \
	"${ONLY[@]}" </dev/null >"$W/p.out" 2>&1
rc=$?
check "an apply whose answer to a PUT is lost exits 1 (got $rc)" [ "$rc" = 1 ]
[ "$rc" = 1 ] || diag "$(tail -12 "$W/p.out")"
check "  the proxy did drop the answer to a PUT" grep -q "^PUT " "$PROXY.dropped"
st=$(journal_states)
check "  the journal: 1 applied, the PUT unknown (not failed), 1 not sent ($st)" \
	[ "$st" = "1:applied 2:unknown 3:failed " ]
check "  the daemon did carry it out" fails same_as_before
"$BIN" rollback --socket "$PROXY" --journal-dir "$JD" </dev/null >"$W/pr.out" 2>&1
rc=$?
check "rollback exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(cat "$W/pr.out")"
check "  and undoes the change whose answer was lost" same_as_before
kill "$PROXYPID" 2>/dev/null
wait "$PROXYPID" 2>/dev/null

exit $((NFAIL > 0))
