#!/bin/bash
# fleet.sh - many targets in one run, against real private daemons; TAP.
#
#   flock /tmp/lxdh-integration.lock tests/integration/fleet.sh
#
# Starts a private LXD 5.0.2 and a private Incus 6.0.4 at once (both via
# lib.sh, one after the other, each one's variables kept apart), makes both
# listen on 127.0.0.1, trusts one client certificate on both and writes a
# client configuration the way 'lxc remote add' / 'incus remote add' do
# (config.yml, client.crt/key, servercerts/NAME.crt). Then:
#   - audit --all-remotes: both over HTTPS, the fleet table and JSON;
#   - --targets FILE mixing sockets, HTTPS and a closed port;
#   - Incus stopped (SIGSTOP) during the run: its targets become error targets
#     within --timeout, the LXD ones complete, the run takes about one
#     timeout, not one per target;
#   - every fleet format; audit --host-only; merge of host-only and API
#     reports, and merge --baseline.
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

W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-fleet.XXXXXX") || exit 1
declare -A D	# saved lib.sh state of each daemon: D[lxd.base] ...

finish() {
	echo "1..$NTEST"
	if [ "$NFAIL" -gt 0 ]; then
		echo "# $NFAIL of $NTEST failed"
		exit 1
	fi
	exit 0
}

# save P / use P: keep and restore lib.sh's state of product P's daemon.
save() {
	D[$1.base]=$LXDH_BASE D[$1.pid]=$LXDH_PID D[$1.dir]=$LXDH_DIR
	D[$1.conf]=$LXDH_CONF D[$1.sock]=$LXDH_SOCKET D[$1.log]=$LXDH_LOGFILE
}
use() {
	lxdh_product "$1" || return 1
	LXDH_BASE=${D[$1.base]:-} LXDH_PID=${D[$1.pid]:-}
	LXDH_DIR=${D[$1.dir]:-} LXDH_CONF=${D[$1.conf]:-}
	LXDH_SOCKET=${D[$1.sock]:-} LXDH_LOGFILE=${D[$1.log]:-}
	unset LXD_DIR LXD_CONF LXD_SOCKET INCUS_DIR INCUS_CONF INCUS_SOCKET
	if lxdh_is_incus; then
		export INCUS_DIR=$LXDH_DIR INCUS_CONF=$LXDH_CONF INCUS_SOCKET=$LXDH_SOCKET
	else
		export LXD_DIR=$LXDH_DIR LXD_CONF=$LXDH_CONF LXD_SOCKET=$LXDH_SOCKET
	fi
}

cleanup() {
	local p
	for p in incus lxd; do
		[ -n "${D[$p.base]:-}" ] || continue
		[ -n "${D[$p.pid]:-}" ] && kill -CONT "${D[$p.pid]}" 2>/dev/null
		use "$p" && lxdh_daemon_cleanup
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! lxdh_have_lxd || ! lxdh_have_incus; then
	skip "fleet runs against LXD and Incus" "both daemons are needed"
	finish
fi

# ------------------------------------------------------ the daemons ----

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/client.key" -out "$W/client.crt" -days 30 \
	-subj /CN=lxdh-fleet >/dev/null 2>&1
chmod 600 "$W/client.key"
C=$W/conf	# the client configuration, as 'remote add' leaves it
mkdir -p "$C/servercerts"
cp "$W/client.crt" "$W/client.key" "$C/"
printf 'default-remote: local\nremotes:\n' >"$C/config.yml"

for p in lxd incus; do
	lxdh_product "$p"
	LXDH_BASE='' LXDH_PID='' LXDH_DIR='' LXDH_CONF='' LXDH_SOCKET=''
	if ! lxdh_daemon_start "lxdh-fleet-$p"; then
		not_ok "a private $LXDH_NAME starts"
		finish
	fi
	save "$p"
	port=$(lxdh_free_port)
	D[$p.port]=$port
	lxdh_cli config set core.https_address "127.0.0.1:$port" </dev/null >/dev/null 2>&1
	lxdh_trust_add_cert "$W/client.crt" --name lxdh-fleet >/dev/null 2>&1
	check "$LXDH_NAME listens on 127.0.0.1:$port and trusts the client" \
		lxdh_cli config get core.https_address
	cp "$LXDH_DIR/server.crt" "$C/servercerts/${p}1.crt"
	cat >>"$C/config.yml" <<EOF
  ${p}1:
    addr: https://127.0.0.1:$port
    auth_type: tls
    project: default
    protocol: $p
    public: false
EOF
done
# a simplestreams image server: no LXD API, left out of --all-remotes
cat >>"$C/config.yml" <<'EOF'
  images:
    addr: https://images.example.invalid
    protocol: simplestreams
    public: true
EOF
unset LXD_DIR LXD_CONF LXD_SOCKET INCUS_DIR INCUS_CONF INCUS_SOCKET

# run NAME ARGS...: the program with the fleet's client configuration;
# stdout, stderr and status in $W/NAME.{out,err}, $RC.
RC=0
run() {
	local name=$1
	shift
	LXD_CONF=$C "$BIN" "$@" </dev/null >"$W/$name.out" 2>"$W/$name.err"
	RC=$?
}
jqf() { jq -e "$1" "$2" >/dev/null; }

# ------------------------------------------------- --all-remotes ----

run all audit --all-remotes --format json
check "--all-remotes: exit 2 (findings on both)" [ "$RC" = 2 ]
check "  a lxd-harden/fleet/v1 report" jqf '.schema == "lxd-harden/fleet/v1"' "$W/all.out"
check "  the two API remotes, not the image server" \
	jqf '[.targets[].name] == ["lxd1", "incus1"]' "$W/all.out"
check "  each target's report is a full v1 report over HTTPS" \
	jqf '[.targets[].report | .schema == "lxd-harden/report/v1" and .target.remote and (.results | length > 40)] | all' "$W/all.out"
check "  the servers are LXD and Incus" \
	jqf '[.targets[].report.target.server] == ["lxd", "incus"]' "$W/all.out"
check "  summary: 2 audited, 0 errors, checks failing across the fleet" \
	jqf '.summary.audited == 2 and .summary.error == 0 and (.summary.checks | length > 0)' "$W/all.out"
run allt audit --all-remotes
check "  text: one row per target" \
	bash -c "grep -qE '^lxd1 +lxd 5\\.0\\.' '$W/allt.out' && grep -qE '^incus1 +incus 6\\.' '$W/allt.out'"
check "  text: 'fails on N of 2 servers: ...'" \
	grep -qE '^  LXD-[A-Z]{3}-[0-9]{3} +[a-z]+ +fails on [12] of 2 servers: (lxd1|incus1)' "$W/allt.out"
run allv audit --all-remotes -v
check "  -v: each server's findings under its name" \
	bash -c "grep -q '^=== lxd1 ===' '$W/allv.out' && grep -q '^=== incus1 ===' '$W/allv.out'"
check "  Incus' part names no lxc command" \
	bash -c "! sed -n '/^=== incus1 ===/,\$p' '$W/allv.out' | grep -qE '(^|[^[:alnum:]_./-])lxc [a-z]'"
run rem2 audit --remote lxd1 --remote incus1: --format json
check "--remote twice: a fleet of the two" \
	jqf '[.targets[] | .name + "=" + .status] == ["lxd1=audited", "incus1=audited"]' "$W/rem2.out"
run one audit --remote lxd1 --format json
check "one --remote: today's v1 report, not a fleet" jqf '.schema == "lxd-harden/report/v1"' "$W/one.out"

# --------------------------------------------------- --targets FILE ----

closed=$(lxdh_free_port 30000 2000)
cat >"$W/targets.yml" <<EOF
targets:
  - name: lxd-sock
    socket: ${D[lxd.sock]}
  - name: incus-sock
    socket: ${D[incus.sock]}
  - name: lxd-https
    remote: lxd1
  - name: incus-url
    url: https://127.0.0.1:${D[incus.port]}
    cert: $W/client.crt
    key: $W/client.key
    server-cert: $C/servercerts/incus1.crt
  - name: down
    url: https://127.0.0.1:$closed
    cert: $W/client.crt
    key: $W/client.key
EOF
run tf audit --targets "$W/targets.yml" --format json
check "--targets: exit 1, a target could not be audited" [ "$RC" = 1 ]
check "  four audited, the closed port an error target" \
	jqf '[.targets[] | .status] == ["audited", "audited", "audited", "audited", "error"]' "$W/tf.out"
check "  its reason is one line naming the address" \
	jqf '.targets[4].error | test("127\\.0\\.0\\.1:'"$closed"'") and (test("\n") | not)' "$W/tf.out"
check "  the socket targets read the host (install set), HTTPS ones do not" \
	jqf '[.targets[0:4][] | .report.target.remote] == [false, false, true, true]' "$W/tf.out"
printf 'targets:\n  - name: a\n    socket: /x\n    url: https://h\n' >"$W/bad.yml"
run bad audit --targets "$W/bad.yml"
check "a bad targets file: exit 1, FILE:LINE:COL and what" \
	bash -c "[ $RC = 1 ] && grep -q 'bad.yml:2:5: target .a.: remote, url and socket exclude each other' '$W/bad.err'"

# ----------------------------- one daemon stopped during the run ----

# 12 Incus targets and 3 LXD ones all at once, with Incus stopped
# (SIGSTOP: the kernel still accepts its connections, and nothing
# answers). It is stopped before the run starts: stopping it "as soon as
# the first audit exists" lost the race when all 15 audits took 0.3 s.
echo "targets:" >"$W/slow.yml"
for i in 1 2 3; do
	printf '  - name: lxd-%s\n    socket: %s\n' "$i" "${D[lxd.sock]}" >>"$W/slow.yml"
done
for i in $(seq 1 12); do
	printf '  - name: incus-%s\n    socket: %s\n' "$i" "${D[incus.sock]}" >>"$W/slow.yml"
done
kill -STOP "${D[incus.pid]}"
start=$(date +%s%N)
LXD_CONF=$C "$BIN" audit --targets "$W/slow.yml" --jobs 15 --timeout 8s \
	--format json </dev/null >"$W/slow.out" 2>"$W/slow.err"
RC=$?
kill -CONT "${D[incus.pid]}"
ms=$((($(date +%s%N) - start) / 1000000))
check "Incus stopped: exit 1" [ "$RC" = 1 ]
check "  the LXD targets complete" \
	jqf '[.targets[] | select(.name | startswith("lxd-")) | .status] == ["audited", "audited", "audited"]' "$W/slow.out"
inc=$(jq -r '[.targets[] | select(.name | startswith("incus-")) | .status] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$W/slow.out")
check "  the Incus targets are error targets ($inc)" \
	bash -c "[[ '$inc' == '12 error' ]]"
check "  each with a one-line reason naming the timeout" \
	jqf '[.targets[] | select(.status == "error") | .error | test("8s|--timeout") and (test("\n") | not)] | all' "$W/slow.out"
check "  in about one --timeout, not one per target (${ms}ms < 20000)" [ "$ms" -lt 20000 ]
diag "stopped run: ${ms}ms for 15 targets, --timeout 8s; Incus: $inc"

# ------------------------------------------------------ formats ----

for f in sarif junit prometheus html markdown; do
	run "fmt-$f" audit --targets "$W/targets.yml" --format "$f"
	check "--format $f: written, exit 1 (one target down)" \
		bash -c "[ $RC = 1 ] && [ -s '$W/fmt-$f.out' ]"
done
check "  SARIF: one run per target" \
	jqf '(.runs | length) == 5 and ([.runs[].automationDetails.id] | index("lxd-harden/down/") != null)' "$W/fmt-sarif.out"
check "  SARIF: the down target's run says it did not execute" \
	jqf '.runs[4].invocations[0].executionSuccessful == false' "$W/fmt-sarif.out"
check "  JUnit: one suite per target" \
	bash -c "[ \$(grep -c '^  <testsuite ' '$W/fmt-junit.out') = 5 ] && xmllint --noout '$W/fmt-junit.out' 2>/dev/null || python3 -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' '$W/fmt-junit.out'"
check "  Prometheus: every sample has a target label" \
	bash -c "! grep -v '^#' '$W/fmt-prometheus.out' | grep -v 'target=\"' | grep -q ."
check "  Prometheus: lxd_harden_target_up 0 for the down target" \
	grep -q '^lxd_harden_target_up{target="down"} 0$' "$W/fmt-prometheus.out"
if command -v promtool >/dev/null 2>&1; then
	check "  Prometheus: promtool accepts it" \
		bash -c "promtool check metrics <'$W/fmt-prometheus.out'"
fi
check "  HTML: a row and a section per target" \
	bash -c "[ \$(grep -c 'id=\"t-' '$W/fmt-html.out') = 5 ]"

# --------------------------------------------- --host-only, merge ----

use lxd
run host audit --host-only --socket "${D[lxd.sock]}" --format json
check "--host-only: the host checks only (others skipped)" \
	jqf '[.results[] | select(.status != "skipped") | .id | test("^LXD-(ACC|LOG|MUL|HOS)-")] | all' "$W/host.out"
check "  names the host" jqf ".target.host == \"$(hostname)\"" "$W/host.out"
check "  not clustered: no cluster object" jqf '.target.cluster == null' "$W/host.out"
run api audit --socket "${D[lxd.sock]}" --format json
unset LXD_DIR LXD_CONF LXD_SOCKET
cp "$W/host.out" "$W/host.json"
cp "$W/api.out" "$W/api.json"
run m merge "$W/host.json" "$W/api.json" "$W/all.out" --format json
check "merge: host-only, API and fleet reports into one fleet (exit 2)" \
	bash -c "[ $RC = 2 ] && jq -e '.schema == \"lxd-harden/fleet/v1\" and (.targets | length) == 4' '$W/m.out' >/dev/null"
run mb merge --baseline "$W/m.out" "$W/host.json" "$W/api.json" "$W/all.out" --format json
check "merge --baseline: every open finding has first_seen from the old run" \
	jqf '[.targets[].report.results[].findings[] | select(.status == "fail" or .status == "error") | .first_seen] | all(. != null)' "$W/mb.out"
finish
