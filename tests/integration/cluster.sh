#!/bin/bash
# cluster.sh - a real three-member cluster of LXD 5.0.2 or Incus 6.0.4
# (LXDH_PRODUCT=lxd|incus) on this machine; prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/cluster.sh
#   LXDH_PRODUCT=incus LXDH_BIN=build/lxd-harden tests/integration/cluster.sh
#
# Each member runs in a network namespace this suite creates (a hub
# namespace holds a bridge, each member a veth into it at 10.231.0.11-13;
# shared/docs/real-lxd.md says why namespaces), with a private daemon dir.
# Member a bootstraps with "init --preseed", b and c join with a join
# token in their preseed. The members get different member-local listener
# settings; the suite asserts the findings per member (object
# /1.0?target=M), target.cluster of the JSON report, a per-member fix and
# its rollback (the journal names the member), a pending join token, and
# that a member that goes down is an error, never a pass.
# An EXIT trap kills every process in the namespaces and deletes them
# (their mounts, bridges and nft tables go with them) and the temp dir.
# Run it under flock /tmp/lxdh-integration.lock.
set -u
exec < <(:)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/tap.sh
. "$HERE/tap.sh"

finish() {
	echo "1..$NTEST"
	[ "$NFAIL" = 0 ]
	exit
}

if ! lxdh_product "${LXDH_PRODUCT:-lxd}"; then
	not_ok "LXDH_PRODUCT names lxd or incus"
	finish
fi
if ! lxdh_have_daemon; then
	not_ok "$LXDH_NAME is installed"
	finish
fi
if ! command -v ip >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
	not_ok "ip (iproute2) and jq are installed"
	finish
fi

# Namespace names are machine-wide: one prefix per product and run.
PFX=lxhc${LXDH_PRODUCT:0:1}$$
HUB=$PFX-hub
MEMBERS="a b c"
declare -A ADDR=([a]=10.231.0.11 [b]=10.231.0.12 [c]=10.231.0.13)
W=$(mktemp -d /tmp/lxhcluster.XXXXXX) || exit 1
chmod 0711 "$W"
NETNS_MADE=()

cleanup() {
	local ns p
	for ns in "${NETNS_MADE[@]}"; do
		# everything in a namespace we made is ours: the daemon, its
		# dnsmasq and forkproxy helpers
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for ns in "${NETNS_MADE[@]}"; do
		for p in $(seq 1 20); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.1
		done
		ip netns delete "$ns" 2>/dev/null
	done
	NETNS_MADE=()
	# the daemons' mounts lived in the mount namespaces "ip netns exec"
	# made; none is under $W on the host
	if awk -v b="$W/" 'index($5, b) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		echo "# mounts remain under $W; not removing it"
	else
		rm -rf --one-file-system "$W"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# m_env M: the product's variables for member M's daemon and client.
m_env() {
	if lxdh_is_incus; then
		echo "INCUS_DIR=$W/$1/d INCUS_CONF=$W/$1/conf INCUS_SOCKET=$W/$1/d/unix.socket"
	else
		echo "LXD_DIR=$W/$1/d LXD_CONF=$W/$1/conf LXD_SOCKET=$W/$1/d/unix.socket"
	fi
}
# on M CMD...: CMD in member M's namespace with its variables.
on() {
	local m=$1
	shift
	# shellcheck disable=SC2046
	ip netns exec "$PFX-$m" env -u LXD_DIR -u LXD_CONF -u LXD_SOCKET \
		-u INCUS_DIR -u INCUS_CONF -u INCUS_SOCKET $(m_env "$m") "$@"
}
cli() { local m=$1; shift; on "$m" "$LXDH_CLIENT" "$@" </dev/null; }
init_preseed() {	# init_preseed M < YAML
	local m=$1
	if lxdh_is_incus; then
		on "$m" incus admin init --preseed
	else
		on "$m" lxd init --preseed
	fi
}
sock() { echo "$W/$1/d/unix.socket"; }

# ------------------------------------------------------ the network ----
net_up() {
	local m
	ip netns add "$HUB" || return 1
	NETNS_MADE+=("$HUB")
	ip -n "$HUB" link add br0 type bridge || return 1
	ip -n "$HUB" link set br0 up || return 1
	ip -n "$HUB" link set lo up || return 1
	for m in $MEMBERS; do
		ip netns add "$PFX-$m" || return 1
		NETNS_MADE+=("$PFX-$m")
		ip -n "$PFX-$m" link set lo up || return 1
		ip -n "$PFX-$m" link add eth0 type veth peer name "v$m" netns "$HUB" || return 1
		ip -n "$HUB" link set "v$m" master br0 up || return 1
		ip -n "$PFX-$m" addr add "${ADDR[$m]}/24" dev eth0 || return 1
		ip -n "$PFX-$m" link set eth0 up || return 1
	done
}
T0=$(date +%s.%N)
if ! net_up 2>"$W/net.err"; then
	not_ok "network namespaces for the members"
	diag "$(cat "$W/net.err")"
	finish
fi

# ------------------------------------------------------ the members ----
start_member() {
	local m=$1 i
	mkdir -p "$W/$m/d" "$W/$m/conf"
	chmod 0711 "$W/$m" "$W/$m/d"
	on "$m" setsid "$LXDH_DAEMON" --group root --logfile "$W/$m/daemon.log" \
		</dev/null >"$W/$m/daemon.out" 2>&1 &
	for i in $(seq 1 100); do
		[ -S "$(sock "$m")" ] && break
		sleep 0.1
	done
	if lxdh_is_incus; then
		on "$m" "$INCUS_DAEMON" waitready --timeout=60 >>"$W/$m/daemon.out" 2>&1
	else
		on "$m" lxd waitready --timeout=60 >>"$W/$m/daemon.out" 2>&1
	fi
}
form() {
	local m tok
	for m in $MEMBERS; do
		start_member "$m" || { echo "member $m did not start:"; tail -n 5 "$W/$m/daemon.log" "$W/$m/daemon.out"; return 1; }
	done
	init_preseed a <<EOF >"$W/a/init.out" 2>&1 || { cat "$W/a/init.out"; return 1; }
config:
  core.https_address: ${ADDR[a]}:8443
cluster:
  server_name: a
  enabled: true
EOF
	for m in b c; do
		tok=$(cli a cluster add "$m" --quiet 2>"$W/$m/token.err") ||
			{ echo "cluster add $m:"; cat "$W/$m/token.err"; return 1; }
		init_preseed "$m" <<EOF >"$W/$m/init.out" 2>&1 || { echo "join of $m:"; cat "$W/$m/init.out"; return 1; }
cluster:
  enabled: true
  server_name: $m
  server_address: ${ADDR[$m]}:8443
  cluster_token: $tok
EOF
	done
}
if form >"$W/form.err" 2>&1; then
	ok "a three-member $LXDH_NAME cluster forms ($(cli a cluster list -f csv 2>/dev/null | wc -l) members, $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
else
	not_ok "a three-member $LXDH_NAME cluster forms"
	diag "$(head -n 30 "$W/form.err")"
	finish
fi
VERSION=$(cli a query /1.0 | jq -r .environment.server_version)
echo "# $LXDH_NAME $VERSION, members: $MEMBERS"

# ------------------------------------- member-local listener keys ----
# a: metrics on its own address, debug on loopback (both fine);
# b: metrics and debug on every interface (both fail, debug critical);
# c: nothing but the cluster address. Set as the remediations say:
# "config set KEY=VALUE --target M".
set_keys() {
	cli a config set core.metrics_address="${ADDR[a]}:9100" --target a &&
		cli a config set core.debug_address=127.0.0.1:8444 --target a &&
		cli a config set core.metrics_address=0.0.0.0:9100 --target b &&
		cli a config set core.debug_address=0.0.0.0:8444 --target b
}
check "member-local keys set per member (config set --target M)" set_keys
own_keys() {
	[ "$(cli a query '/1.0?target=b' | jq -r '.config["core.metrics_address"]')" = 0.0.0.0:9100 ] &&
		[ "$(cli a query /1.0 | jq -r '.config["core.metrics_address"]')" = "${ADDR[a]}:9100" ]
}
check "  GET /1.0?target=b shows b's own, GET /1.0 a's" own_keys
# A pending join token (LXD-ACC-011 judges it) for a member that never
# joins.
cli a cluster add ghost --quiet >/dev/null 2>"$W/ghost.err"

audit() {	# audit OUT [options]: JSON audit through member a's socket
	local out=$1
	shift
	"$BIN" audit --socket "$(sock a)" --format json --no-color "$@" \
		>"$out" 2>"$W/audit.err"
}
audit "$W/r.json"
R=$W/r.json
check "the audit through member a gives a JSON report" jq -e .results "$R"
# has ID OBJECT STATUS [KEY]: a finding of ID on OBJECT with STATUS (and
# key KEY)
has() {
	jq -e --arg id "$1" --arg o "$2" --arg s "$3" --arg k "${4:-}" \
		'[.results[] | select(.id == $id) | .findings[] |
		  select(.object == $o and .status == $s and
			 ($k == "" or .key == $k))] | length > 0' "$R" >/dev/null ||
		{ echo "no $3 finding of $1 on $2 ${4:-}; there are:";
		  jq -c --arg id "$1" '.results[] | select(.id == $id) | .findings[] | [.object, .status, .key, .message]' "$R"; return 1; }
}
hasnt() {
	! jq -e --arg id "$1" --arg o "$2" --arg s "$3" \
		'[.results[] | select(.id == $id) | .findings[] |
		  select(.object == $o and .status == $s)] | length > 0' "$R" >/dev/null ||
		{ echo "a $3 finding of $1 on $2:"; jq -c --arg id "$1" '.results[] | select(.id == $id) | .findings[]' "$R"; return 1; }
}
check "NET-002 fails on member b: core.metrics_address on every interface" \
	has LXD-NET-002 '/1.0?target=b' fail core.metrics_address
check "NET-002 fails on member b: core.debug_address (critical)" \
	jq -e '[.results[] | select(.id == "LXD-NET-002") | .findings[] |
		select(.object == "/1.0?target=b" and .key == "core.debug_address" and
		       .severity == "critical" and .source == "/1.0?target=b")] | length == 1' "$R"
check "  its remediation names the member (--target b)" \
	jq -e '[.results[] | select(.id == "LXD-NET-002") | .findings[] |
		select(.object == "/1.0?target=b") | .remediation |
		select(test("--target b"))] | length == 2' "$R"
check "NET-002 does not fail on member a (specific address, loopback)" \
	hasnt LXD-NET-002 '/1.0?target=a' fail
check "NET-002 does not fail on member c" hasnt LXD-NET-002 '/1.0?target=c' fail
check "NET-002 fails nowhere else (no finding on plain /1.0)" \
	jq -e '[.results[] | select(.id == "LXD-NET-002") | .findings[] |
		select(.status == "fail") | .object] | unique == ["/1.0?target=b"]' "$R"
for m in $MEMBERS; do
	check "NET-001 judged on member $m (its own core.https_address ${ADDR[$m]}:8443)" \
		has LXD-NET-001 "/1.0?target=$m" pass core.https_address
done
for m in $MEMBERS; do
	check "GEN-004: member $m is online (pass)" \
		has LXD-GEN-004 "/1.0/cluster/members/$m" pass
done
check "target.cluster: member a and the cluster certificate's SHA-256" \
	jq -e --arg fp "$(cli a query /1.0 | jq -r .environment.certificate_fingerprint)" \
		'.target.clustered == true and .target.cluster.member == "a" and
		 .target.cluster.fingerprint == $fp and ($fp | length) == 64' "$R"
check "  the same fingerprint through member b" bash -c "
	\"$BIN\" audit --socket '$(sock b)' --format json 2>/dev/null |
	jq -e --arg fp \"\$(jq -r .target.cluster.fingerprint '$R')\" \
		'.target.cluster.member == \"b\" and .target.cluster.fingerprint == \$fp'"
check "ACC-011: the pending join token for ghost fails" \
	jq -e '[.results[] | select(.id == "LXD-ACC-011") | .findings[] |
		select(.status == "fail" and (.message | test("cluster join token ghost")))] | length == 1' "$R"
check "ACC-009: the join token expiry is judged on a cluster" \
	jq -e '.results[] | select(.id == "LXD-ACC-009") | .status != "notapplicable"' "$R"
# (lxdh_foreign_text asks the daemon for its extensions: member a's)
# shellcheck disable=SC2046 # m_env prints VAR=VALUE words without spaces
foreign() { (LXDH_BASE=$W; export $(m_env a); lxdh_foreign_text "$SRCDIR" "$R"); }
check "the report names only $LXDH_NAME's client" foreign

# -------------------------------------------- per-member fix, rollback ----
JD=$W/journals
mkdir -p "$W/empty"
"$BIN" fix --socket "$(sock a)" --journal-dir "$JD" --host-root "$W/empty" \
	--set core.metrics_address@b="${ADDR[b]}:9100" >"$W/plan.out" 2>&1
in_plan() { grep -qF -- "$1" "$W/plan.out" || { head -n 40 "$W/plan.out"; return 1; }; }
check "the plan changes member b's keys with --target b" \
	in_plan "config unset core.debug_address --target b"
check "  and names the per-member value of --set KEY@MEMBER=VALUE" \
	in_plan "config set core.metrics_address=${ADDR[b]}:9100 --target b"
"$BIN" fix --socket "$(sock a)" --journal-dir "$JD" --host-root "$W/empty" \
	--apply --yes --only LXD-NET-002 \
	--set core.metrics_address@b="${ADDR[b]}:9100" >"$W/apply.out" 2>&1
rc=$?
check "fix --apply --only LXD-NET-002 succeeds (exit $rc)" [ "$rc" = 0 ]
keyof() { cli a query "/1.0?target=$1" | jq -r --arg k "$2" '.config[$k] // "(unset)"'; }
check "  member b: core.debug_address unset" [ "$(keyof b core.debug_address)" = "(unset)" ]
check "  member b: core.metrics_address on its own address" \
	[ "$(keyof b core.metrics_address)" = "${ADDR[b]}:9100" ]
check "  member a untouched (debug on loopback, metrics on its address)" \
	[ "$(keyof a core.debug_address)/$(keyof a core.metrics_address)" = "127.0.0.1:8444/${ADDR[a]}:9100" ]
J=$(ls "$JD"/*.jsonl 2>/dev/null | head -n 1)
check "  the journal records member b on object /1.0?target=b" \
	jq -se '[.[] | select(.type == "change")] |
		length == 1 and .[0].member == "b" and .[0].object == "/1.0?target=b" and
		.[0].kind == "server"' "$J"
audit "$W/r2.json"
check "  audited again: NET-002 passes on every member" \
	jq -e '.results[] | select(.id == "LXD-NET-002") | .status == "pass"' "$W/r2.json"
"$BIN" rollback --socket "$(sock a)" --journal-dir "$JD" >"$W/rb.out" 2>&1
rc=$?
check "rollback succeeds (exit $rc)" [ "$rc" = 0 ]
check "  member b's keys are back" \
	[ "$(keyof b core.debug_address)/$(keyof b core.metrics_address)" = "0.0.0.0:8444/0.0.0.0:9100" ]
check "  member a still as it was" \
	[ "$(keyof a core.debug_address)/$(keyof a core.metrics_address)" = "127.0.0.1:8444/${ADDR[a]}:9100" ]
# A journal whose member and object disagree is not followed.
jq -c 'if .type == "change" then .member = "c" else . end' "$J" >"$W/forged.jsonl"
grep -v rollback "$W/forged.jsonl" | grep -v rolled-back >"$JD/forged.jsonl"
chmod 0600 "$JD/forged.jsonl"
"$BIN" rollback --socket "$(sock a)" --journal-dir "$JD" "$JD/forged.jsonl" >"$W/rb2.out" 2>&1
rc=$?
check "a journal whose member is not its object's is refused (exit $rc)" \
	bash -c "[ $rc != 0 ] && grep -q 'names member c' '$W/rb2.out'"

# ------------------------ host-only on every member, then merge ----
# A cluster covered without an agent: --host-only on each member, an API
# audit, and merge; the API audit through b overlaps the one through a.
FP=$(jq -r .target.cluster.fingerprint "$R")
for m in $MEMBERS; do
	"$BIN" audit --host-only --socket "$(sock "$m")" --format json \
		--no-color >"$W/host-$m.json" 2>"$W/host-$m.err"
	check "host-only through member $m names the host, member $m and the cluster" \
		jq -e --arg m "$m" --arg fp "$FP" \
		'.target.cluster.member == $m and .target.cluster.fingerprint == $fp and
		 (.target.host | length) > 0 and
		 ([.results[] | select(.id == "LXD-NET-002") | .status] == ["skipped"])' \
		"$W/host-$m.json"
done
"$BIN" audit --socket "$(sock b)" --format json --no-color >"$W/rb.json" 2>/dev/null
"$BIN" merge --format json "$R" "$W/rb.json" "$W/host-a.json" \
	"$W/host-b.json" "$W/host-c.json" >"$W/merged.json" 2>"$W/merge.err"
M=$W/merged.json
check "merge of two API audits and three host-only reports: one fleet report of 5" \
	jq -e '.schema == "lxd-harden/fleet/v1" and (.targets | length) == 5' "$M"
check "  the pending join token (cluster-wide) is kept once" \
	jq -e '[.targets[].report.results[] | select(.id == "LXD-ACC-011") |
		.findings[] | select(.status == "fail" and (.message | test("ghost")))] |
		length == 1' "$M"
check "  member b's two listener findings are kept once" \
	jq -e '[.targets[].report.results[] | select(.id == "LXD-NET-002") |
		.findings[] | select(.object == "/1.0?target=b" and .status == "fail")] |
		length == 2' "$M"
check "  a host check is kept in every report (per host)" \
	jq -e '[.targets[].report.results[] | select(.id == "LXD-ACC-002") |
		select(.status != "skipped")] | length == 5' "$M"

# ------------------------------------------------- a member goes down ----
cli a config set cluster.offline_threshold 11 >/dev/null 2>&1
for p in $(ip netns pids "$PFX-c"); do kill -KILL "$p" 2>/dev/null; done
down=
for i in $(seq 1 40); do
	if cli a query /1.0/cluster/members/c 2>/dev/null | jq -e '.status != "Online"' >/dev/null; then
		down=1
		break
	fi
	sleep 0.5
done
audit "$W/r3.json"
R=$W/r3.json
if [ -n "$down" ]; then
	check "GEN-004: member c, killed, is an error ($(jq -r '.results[] | select(.id == "LXD-GEN-004") | .findings[] | select(.object | test("/c$")) | .message' "$R"))" \
		has LXD-GEN-004 /1.0/cluster/members/c error
else
	not_ok "member c is seen offline within 20 s of being killed"
fi
check "  NET-001 and NET-002 on member c are errors, never passes" \
	jq -e '[.results[] | select(.id == "LXD-NET-001" or .id == "LXD-NET-002") |
		.findings[] | select(.object == "/1.0?target=c") | .status] |
		length == 2 and all(. == "error")' "$R"
check "  the other members are still judged" \
	has LXD-NET-002 '/1.0?target=b' fail core.metrics_address
check "  the audit exits 2 (errors count as failing)" \
	bash -c "\"$BIN\" audit --socket '$(sock a)' --format json >/dev/null 2>&1; [ \$? = 2 ]"

echo "# whole suite: $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
finish
