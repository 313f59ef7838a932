#!/bin/bash
# remedy.sh - every printed remedy command, pasted, fixes its finding
# (LXDH_PRODUCT=lxd|incus against a real private daemon, see lib.sh); TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/remedy.sh
#   LXDH_PRODUCT=incus LXDH_BIN=build/lxd-harden tests/integration/remedy.sh
#
# Plants a weak configuration, audits it (JSON) the way a person names a
# private daemon, --socket PATH with no LXD_DIR or LXD_SOCKET (INCUS_*)
# set, and runs the remedy.commands of every failing finding as that
# person would paste them: the report's target.client_setup line first
# (export LXD_SOCKET=PATH), then bash -c COMMAND, with no other variable
# pointing the client at the daemon (only its _CONF). Then audits again:
# each finding whose commands ran must be gone. Excluded, and counted in
# a diag line:
#   - remedies with scope "host": their commands change this machine
#     (chmod of the daemon's socket, audit rules, snap or apt); the suite
#     must not touch the host, and the host suite covers fix's own writes;
#   - remedies with needs: a value only the user knows (an address, a
#     proxy) comes first; they carry no command for it;
#   - findings without commands (prose only).
# Every executed command must also exit 0, and name only this product's
# client.
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

finish() {
	lxdh_daemon_cleanup
	[ -n "$W" ] && rm -rf "$W"
	echo "1..$NTEST"
}
trap finish EXIT

if ! lxdh_product; then
	not_ok "LXDH_PRODUCT names lxd or incus"
	exit 1
fi
if ! lxdh_have_daemon; then
	not_ok "$LXDH_NAME is installed (.ci/run installs it)"
	exit 1
fi
if ! lxdh_daemon_start lxdh-remedy; then
	not_ok "private $LXDH_NAME daemon starts"
	exit 1
fi
ok "private $LXDH_NAME daemon starts"
C=$LXDH_CLIENT
INCUS=
lxdh_is_incus && INCUS=1
W=$(mktemp -d /tmp/lxdh-remedy-w.XXXXXX)
SHARE=$W/share
mkdir -p "$SHARE"

# ------------------------------------------------ the weak configuration ----
lxdh_cli storage create rmpool dir >/dev/null </dev/null
lxdh_cli storage create rmidle dir >/dev/null </dev/null
lxdh_cli profile device add default root disk path=/ pool=rmpool >/dev/null </dev/null
NET=10.211.$((RANDOM % 200 + 20))
LXDH_BRIDGES+=(rmbr0 rmidle0)
lxdh_cli network create rmbr0 ipv4.address=$NET.1/24 ipv6.address=none >/dev/null </dev/null
lxdh_cli network create rmidle0 ipv4.address=10.212.$((RANDOM % 200 + 20)).1/24 \
	ipv6.address=none >/dev/null </dev/null
lxdh_cli profile create weak >/dev/null </dev/null
lxdh_cli profile set weak security.nesting true </dev/null
lxdh_cli profile device add weak eth0 nic network=rmbr0 name=eth0 >/dev/null </dev/null
lxdh_cli init --empty c1 -p default -p weak >/dev/null </dev/null
lxdh_cli config set c1 security.privileged true </dev/null
lxdh_cli config device add c1 data disk source="$SHARE" path=/mnt/data >/dev/null </dev/null
# a sensitive host path: removed, not made read-only
lxdh_cli config device add c1 etc disk source=/etc path=/mnt/etc readonly=true >/dev/null </dev/null
lxdh_cli init --empty c2 -p default >/dev/null 2>&1 </dev/null
lxdh_cli config set core.remote_token_expiry 1H </dev/null
lxdh_cli config set core.https_address "127.0.0.1:$(lxdh_free_port 21500 2000)" </dev/null
lxdh_cli config set cluster.join_token_expiry 1H </dev/null
lxdh_cli config set core.trust_ca_certificates true </dev/null
lxdh_cli config set core.metrics_authentication false </dev/null
[ -z "$INCUS" ] && lxdh_cli config set core.trust_password s3cret-rm </dev/null
# an unrestricted client certificate (ACC-006): restricted by its remedy
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$W/client.key" -out "$W/client.crt" -days 30 \
	-subj "/CN=remedy-client" >/dev/null 2>&1
lxdh_trust_add_cert "$W/client.crt" --name remedy-client >/dev/null </dev/null

# the client's own variables unset: only the report says where to go
bare() {
	env -u LXD_DIR -u LXD_SOCKET -u INCUS_DIR -u INCUS_SOCKET "$@"
}
audit_json() {	# audit_json FILE: the JSON report in FILE
	bare "$BIN" audit --socket "$LXDH_SOCKET" --format json </dev/null \
		>"$1" 2>"$W/audit.err"
	local rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 2 ] || { cat "$W/audit.err"; return 1; }
}
check "the audit of the weak configuration runs" audit_json "$W/before.json"

# The findings to paste: check, object, key, device, then its commands.
jq -c '.results[] | .id as $id | .findings[] |
	select(.status == "fail" and .remedy != null) |
	{id: $id, object, key, device, scope: .remedy.scope,
	 needs: (.remedy.needs | length), commands: .remedy.commands}' \
	"$W/before.json" >"$W/failing.jsonl"
jq -c 'select(.scope == "daemon" and .needs == 0 and (.commands | length) > 0)' \
	"$W/failing.jsonl" >"$W/run.jsonl"
diag "failing findings: $(wc -l <"$W/failing.jsonl"); pasted: $(wc -l <"$W/run.jsonl");" \
	"host scope: $(jq -c 'select(.scope == "host")' "$W/failing.jsonl" | wc -l);" \
	"with needs: $(jq -c 'select(.needs > 0)' "$W/failing.jsonl" | wc -l);" \
	"checks pasted: $(jq -r .id "$W/run.jsonl" | sort -u | tr '\n' ' ')"
check "the audit has daemon remedies to paste (at least 12)" \
	[ "$(wc -l <"$W/run.jsonl")" -ge 12 ]
want_ids="LXD-ACC-003 LXD-ACC-006 LXD-ACC-009 LXD-ACC-010 LXD-NET-005
	LXD-INS-001 LXD-INS-002 LXD-INS-003 LXD-DEV-002 LXD-DEV-003 LXD-GEN-002
	LXD-GEN-003"
[ -z "$INCUS" ] && want_ids="$want_ids LXD-ACC-004"
missing=
for id in $want_ids; do
	grep -q "\"id\":\"$id\"" "$W/run.jsonl" || missing="$missing $id"
done
check "every planted weakness has a pasteable remedy${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]

# Each distinct command once (a profile's fix serves every inheritor), in
# the report's order; a delete may find its object gone already.
jq -r '.commands[]' "$W/run.jsonl" | awk '!seen[$0]++' >"$W/commands.txt"
foreign=
while IFS= read -r cmd; do
	case "$cmd" in
	"$C "*) ;;
	*) foreign="$foreign [$cmd]" ;;
	esac
done <"$W/commands.txt"
check "every command names $C${foreign:+ (not:$foreign)}" [ -z "$foreign" ]
setup=$(jq -r '.target.client_setup // ""' "$W/before.json")
if lxdh_is_incus; then want_setup="export INCUS_SOCKET=$LXDH_SOCKET"
else want_setup="export LXD_SOCKET=$LXDH_SOCKET"; fi
check "the report says how to point $C at this daemon ($setup)" \
	[ "$setup" = "$want_setup" ]
failed=
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	if ! bare bash -c "$setup; $cmd" </dev/null >"$W/cmd.out" 2>&1; then
		failed="$failed [$cmd: $(tail -1 "$W/cmd.out")]"
	fi
done <"$W/commands.txt"
check "all $n pasted commands exit 0${failed:+ (failed:$failed)}" [ -z "$failed" ]

check "the audit runs again" audit_json "$W/after.json"
still=
while IFS= read -r f; do
	id=$(jq -r .id <<<"$f")
	obj=$(jq -r .object <<<"$f")
	key=$(jq -r '.key // ""' <<<"$f")
	dev=$(jq -r '.device // ""' <<<"$f")
	left=$(jq --arg id "$id" --arg o "$obj" --arg k "$key" --arg d "$dev" \
		'[.results[] | select(.id == $id) | .findings[] |
		  select(.status == "fail" and .object == $o and
			 (.key // "") == $k and (.device // "") == $d)] | length' \
		"$W/after.json")
	[ "$left" = 0 ] || still="$still [$id $obj $key $dev]"
done <"$W/run.jsonl"
check "a re-audit shows every pasted finding fixed${still:+ (still failing:$still)}" \
	[ -z "$still" ]
check "the reports name only $LXDH_NAME's client" \
	lxdh_foreign_text "$SRCDIR" "$W/before.json" "$W/after.json"
