#!/bin/bash
# auth.sh - authorization checks against real private daemons; prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/auth.sh
#
# Incus 6.0.4: LXD-ACC-009 with and without core.https_address, LXD-ACC-015
# with OIDC and no OpenFGA (every OIDC client a full admin), with an
# authorization scriptlet, and with a restricted certificate (6.0 has no
# authorization.client.* keys: the daemon must refuse them, and a
# restricted certificate stays under the TLS driver). LXD 5.0.2: ACC-009
# the same way, and the fine-grained checks notapplicable. LXD 5.21/6.x
# and Incus 7.3 semantics are covered by the unit tests on release
# fixtures (tests/unit/test_checks_access.c).
#
# The Incus daemon is started here (INCUS_DIR under a temp dir, setsid,
# stopped by its own PID and INCUS_DIR); the LXD daemon through lib.sh.
# An EXIT trap stops both and removes what they left. Run it under
# flock /tmp/lxdh-integration.lock.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
INCUSD=${LXDH_INCUSD:-/usr/libexec/incus/incusd}

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
LXDH_LOG=/dev/stdout
export NO_COLOR=1

W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-auth.XXXXXX") || exit 1
IBASE=			# the Incus temp dir
IPID=			# the Incus daemon's PID
NFT_INCUS_BEFORE=false	# whether "table inet incus" existed before we ran

finish() {
	echo "1..$NTEST"
	if [ "$NFAIL" -gt 0 ]; then
		echo "# $NFAIL of $NTEST failed"
		exit 1
	fi
	exit 0
}

incus_stop() {
	local i
	[ -n "$IBASE" ] || return 0
	if [ -n "$IPID" ] && lxdh_alive "$IPID"; then
		INCUS_DIR=$IBASE/incus timeout 60 "$INCUSD" shutdown \
			>"$IBASE/shutdown.out" 2>&1
		for i in $(seq 1 150); do
			lxdh_alive "$IPID" || break
			sleep 0.2
		done
		if lxdh_alive "$IPID"; then
			kill -TERM "$IPID" 2>/dev/null
			sleep 2
			lxdh_alive "$IPID" && kill -KILL "$IPID" 2>/dev/null
		fi
		wait "$IPID" 2>/dev/null
	fi
	IPID=
	for i in $(lxdh_pids_of_dir "$IBASE"); do
		kill -KILL "$i" 2>/dev/null
	done
	for i in $(awk -v b="$IBASE/" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$i" 2>/dev/null || umount -l "$i" 2>/dev/null
	done
	# only a table this run made, empty, and with no other incusd left
	if ! $NFT_INCUS_BEFORE && command -v nft >/dev/null 2>&1 &&
		! ps -e -o stat=,comm= | awk '$1 !~ /^Z/ && $2 == "incusd"' | grep -q . &&
		nft list table inet incus >/dev/null 2>&1 &&
		! nft list table inet incus 2>/dev/null | grep -qE '^\s*(chain|set|map) '; then
		nft delete table inet incus 2>/dev/null
	fi
	if ! awk -v b="$IBASE/" 'index($5, b) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		rm -rf --one-file-system "$IBASE"
	fi
	IBASE=
}

cleanup() {
	incus_stop
	lxdh_daemon_cleanup
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

incus_start() {
	nft list table inet incus >/dev/null 2>&1 && NFT_INCUS_BEFORE=true
	IBASE=$(mktemp -d "${LXDH_TMPDIR:-/tmp}/lxdh-incus.XXXXXX") || return 1
	chmod 0711 "$IBASE"
	export INCUS_DIR=$IBASE/incus INCUS_CONF=$IBASE/conf
	mkdir -p "$INCUS_DIR" "$INCUS_CONF"
	setsid "$INCUSD" --group root --logfile "$IBASE/incusd.log" \
		</dev/null >"$IBASE/incusd.out" 2>&1 &
	IPID=$!
	if ! "$INCUSD" waitready --timeout=60 >>"$IBASE/incusd.out" 2>&1; then
		sed 's/^/#   /' "$IBASE/incusd.log" "$IBASE/incusd.out" 2>/dev/null | tail -n 20
		return 1
	fi
	[ "$(cat "/proc/$IPID/comm" 2>/dev/null)" = incusd ] || return 1
	incus info </dev/null >/dev/null 2>&1
	echo "# private Incus $("$INCUSD" --version) pid $IPID, INCUS_DIR=$INCUS_DIR"
}

# audit SOCKET: the JSON report of the daemon behind SOCKET into $W/r.json
audit() {
	"$BIN" audit --socket "$1" --format json -o "$W/r.json" </dev/null \
		>"$W/audit.out" 2>&1
	case $? in 0 | 2) return 0 ;; esac
	cat "$W/audit.out"
	return 1
}
# status ID: the status of check ID in the last report
status() {
	jq -r --arg id "$1" '.results[] | select(.id == $id) | .status' "$W/r.json"
}
# field ID JQ: a jq expression over the findings of check ID
field() {
	jq -r --arg id "$1" ".results[] | select(.id == \$id) | .findings[] | $2" "$W/r.json"
}
# is ID STATUS: check ID has STATUS (says what it has when not)
is() {
	local s
	s=$(status "$1")
	[ "$s" = "$2" ] && return 0
	echo "$1 is $s, want $2"
	field "$1" '.message'
	return 1
}
# ------------------------------------------------------------ Incus 6.0 ----
if ! [ -x "$INCUSD" ] || ! command -v incus >/dev/null 2>&1; then
	not_ok "Incus is installed ($INCUSD and incus)"
	finish
fi
if ! incus_start; then
	not_ok "a private Incus daemon starts"
	finish
fi
ok "a private Incus daemon starts"
S=$INCUS_DIR/unix.socket

check "audit of a fresh Incus runs" audit "$S"
check "ACC-009 notapplicable without a listener (not clustered)" is LXD-ACC-009 notapplicable
check "  and says why" bash -c "jq -e '.results[] | select(.id == \"LXD-ACC-009\") | .findings[0].message | test(\"core.https_address is not set\")' '$W/r.json' >/dev/null"
check "ACC-015 passes with no OIDC" is LXD-ACC-015 pass
check "ACC-014 notapplicable on Incus, pointing at ACC-015" bash -c "
	[ \"\$(jq -r '.results[] | select(.id == \"LXD-ACC-014\") | .status' '$W/r.json')\" = notapplicable ] &&
	jq -e '.results[] | select(.id == \"LXD-ACC-014\") | .findings[0].message | test(\"LXD-ACC-015\")' '$W/r.json' >/dev/null"
check "ACC-016 notapplicable on Incus" is LXD-ACC-016 notapplicable

PORT=$(lxdh_free_port 22000 2000)
incus config set core.https_address "127.0.0.1:$PORT" </dev/null
check "with core.https_address: audit runs" audit "$S"
check "ACC-009 fails on the 3H default" is LXD-ACC-009 fail
check "  naming incus, never lxc" bash -c "
	[ \"\$(jq -r '.results[] | select(.id == \"LXD-ACC-009\") | .findings[0].remediation' '$W/r.json')\" = 'incus config set cluster.join_token_expiry=15M' ]"
incus config set cluster.join_token_expiry 10M </dev/null
audit "$S"
check "ACC-009 passes at 10M" is LXD-ACC-009 pass
incus config unset cluster.join_token_expiry </dev/null

# OIDC with neither OpenFGA nor a scriptlet: every OIDC client is admin
if incus config set oidc.issuer=https://idp.invalid/realms/incus \
	oidc.client.id=incus </dev/null >"$W/oidc.out" 2>&1; then
	check "OIDC set: audit runs" audit "$S"
	check "ACC-015 fails: OIDC clients are full admins" is LXD-ACC-015 fail
	check "  the finding names oidc.issuer and Incus 6.0.4" bash -c "
		[ \"\$(jq -r '.results[] | select(.id == \"LXD-ACC-015\") | .findings[0].key' '$W/r.json')\" = oidc.issuer ] &&
		jq -e '.results[] | select(.id == \"LXD-ACC-015\") | .findings[0].message | test(\"Incus 6.0.4\")' '$W/r.json' >/dev/null"
	check "  and never names lxc or an LXD version" bash -c "
		! jq -r '.results[] | select(.id == \"LXD-ACC-015\") | .findings[] | [.message, .remediation] | join(\" \")' '$W/r.json' | grep -E 'lxc |LXD [0-9]'"
	cat >"$W/authz.star" <<'EOF'
def authorize(details, object, entitlement):
    return details.Protocol == "unix"
EOF
	if incus config set authorization.scriptlet "$(cat "$W/authz.star")" </dev/null >"$W/sc.out" 2>&1; then
		audit "$S"
		check "with an authorization scriptlet ACC-015 is manual" is LXD-ACC-015 manual
		incus config unset authorization.scriptlet </dev/null
	else
		not_ok "Incus 6.0.4 accepts authorization.scriptlet"
		diag "$(cat "$W/sc.out")"
	fi
	incus config unset oidc.issuer </dev/null
	incus config unset oidc.client.id </dev/null
	audit "$S"
	check "OIDC unset again: ACC-015 passes" is LXD-ACC-015 pass
else
	not_ok "Incus 6.0.4 accepts oidc.issuer and oidc.client.id"
	diag "$(cat "$W/oidc.out")"
fi

# 6.0 has no per-class routes: a restricted certificate stays restricted
check "Incus 6.0.4 refuses authorization.client.tls-restricted (7.3 and later only)" \
	bash -c "! incus config set authorization.client.tls-restricted allow </dev/null"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/r.key" -out "$W/r.crt" -days 30 -subj /CN=restricted \
	>/dev/null 2>&1
if incus config trust add-certificate "$W/r.crt" --restricted --projects default \
	--name restricted-ci </dev/null >"$W/tr.out" 2>&1; then
	audit "$S"
	check "a restricted certificate: ACC-015 passes (TLS driver)" is LXD-ACC-015 pass
	check "  and ACC-006 does not count it as an admin" is LXD-ACC-006 pass
else
	not_ok "a restricted certificate can be added"
	diag "$(cat "$W/tr.out")"
fi
incus_stop

# ------------------------------------------------------------ LXD 5.0.2 ----
if ! lxdh_have_lxd; then
	not_ok "LXD is installed"
	finish
fi
if ! lxdh_daemon_start lxdh-auth; then
	not_ok "a private LXD daemon starts"
	finish
fi
ok "a private LXD daemon starts"
check "audit of a fresh LXD runs" audit "$LXD_SOCKET"
check "LXD: ACC-009 notapplicable without a listener" is LXD-ACC-009 notapplicable
check "LXD: ACC-014 notapplicable (no access_management in 5.0)" is LXD-ACC-014 notapplicable
check "LXD: ACC-015 notapplicable (Incus only)" is LXD-ACC-015 notapplicable
check "LXD: ACC-016 notapplicable (no bearer identities in 5.0)" is LXD-ACC-016 notapplicable
PORT=$(lxdh_free_port 22000 2000)
lxc config set core.https_address "127.0.0.1:$PORT" </dev/null
audit "$LXD_SOCKET"
check "LXD: ACC-009 fails on the 3H default with a listener" is LXD-ACC-009 fail
lxc config set cluster.join_token_expiry 10M </dev/null
audit "$LXD_SOCKET"
check "LXD: ACC-009 passes at 10M" is LXD-ACC-009 pass
lxdh_daemon_cleanup

finish
