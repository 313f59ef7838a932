#!/bin/bash
# demo.sh - build lxd-harden and audit a deliberately weak, throw-away LXD.
#
#   sudo scripts/demo.sh            install, build, seed, audit, clean up
#   sudo scripts/demo.sh --keep     ... and leave the demo daemon running
#   sudo scripts/demo.sh --stop DIR stop a daemon left by --keep
#
# The demo daemon has its own LXD_DIR under a temp dir; a system LXD (if
# any) is never touched. Exits with the audit's exit code (2: findings).
set -u

usage() {
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

KEEP=
STOP=
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) KEEP=1 ;;
	--stop)
		STOP=${2:-}
		[ -n "$STOP" ] || usage 1
		shift
		;;
	-h | --help) usage 0 ;;
	*)
		echo "demo.sh: unknown option '$1'" >&2
		usage 1 >&2
		;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: run it as root: sudo $0" >&2
	exit 1
fi

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# lxc reads YAML from a stdin that is not a terminal: give it none.
exec </dev/null
. "$SRCDIR/tests/integration/lib.sh"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	B=$'\033[1m' N=$'\033[0m'
else
	B='' N=''
fi
step() {
	echo "${B}==> $*${N}"
}

# ---- --stop DIR: the cleanup of a daemon that --keep left running ----
if [ -n "$STOP" ]; then
	if [ ! -f "$STOP/demo.pid" ] || [ ! -d "$STOP/lxd" ]; then
		echo "demo.sh: $STOP is not a demo directory (no demo.pid)" >&2
		exit 1
	fi
	LXDH_BASE=$(cd "$STOP" && pwd)
	LXDH_PID=$(cat "$LXDH_BASE/demo.pid")
	mapfile -t LXDH_BRIDGES <"$LXDH_BASE/demo.bridges"
	export LXD_DIR=$LXDH_BASE/lxd LXD_CONF=$LXDH_BASE/conf
	# Only stop the PID if it still is the daemon of this LXD_DIR.
	if ! { tr '\0' ' ' <"/proc/$LXDH_PID/cmdline"; } 2>/dev/null | grep -qF "$LXDH_BASE/"; then
		LXDH_PID=
	fi
	step "Stopping the demo LXD in $LXD_DIR"
	lxdh_daemon_cleanup
	exit 0
fi

# ---- packages ----
PKGS="meson ninja-build gcc pkg-config libcurl4-openssl-dev libjansson-dev
libssl-dev libyaml-dev libcmocka-dev lxd lxd-client dnsmasq-base nftables
jq openssl iproute2"
missing=
for p in $PKGS; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	step "Installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -q $PKGS </dev/null || exit 1
else
	step "Packages already installed"
fi

# ---- build ----
cd "$SRCDIR" || exit 1
if [ -f build/build.ninja ]; then
	step "Building lxd-harden (reusing build/)"
else
	step "Configuring build/"
	wipe=
	[ -d build ] && wipe=--wipe
	meson setup $wipe build >build-setup.log 2>&1 || {
		cat build-setup.log
		exit 1
	}
	rm -f build-setup.log
	step "Building lxd-harden"
fi
ninja -C build lxd-harden >/dev/null || {
	ninja -C build lxd-harden
	exit 1
}
BIN=$SRCDIR/build/lxd-harden

# ---- a weak, throw-away LXD ----
step "Starting a private LXD ($(lxd --version))"
exec 9>/dev/null
LXDH_LOG_FD=9
demo_exit() {
	if [ -n "$KEEP" ] && [ -n "$LXDH_PID" ] && [ -d "/proc/$LXDH_PID" ]; then
		return
	fi
	lxdh_daemon_cleanup
}
trap demo_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
lxdh_daemon_start lxdh-demo || exit 1
echo "$LXDH_PID" >"$LXDH_BASE/demo.pid"
: >"$LXDH_BASE/demo.bridges"

seed() {
	local port mport dport suf pw
	port=$(lxdh_free_port 20000 20000) || return 1
	mport=$(lxdh_free_port 20000 20000) || return 1
	dport=$(lxdh_free_port 20000 20000) || return 1
	suf=$(printf '%04x' $((RANDOM % 65536)))
	pw=demo-$RANDOM$RANDOM
	echo "    HTTPS on every interface (:$port), a trust password, metrics on"
	echo "    :$mport without authentication, pprof debug on 0.0.0.0:$dport"
	lxc query -X PATCH /1.0 --data "$(jq -nc --arg h ":$port" --arg m ":$mport" \
		--arg d "0.0.0.0:$dport" --arg pw "$pw" '{config: {
			"core.https_address": $h, "core.trust_password": $pw,
			"core.metrics_address": $m, "core.metrics_authentication": "false",
			"core.debug_address": $d}}')" >/dev/null || return 1
	echo "    an unused bridge lhdemo${suf}u, a bridge lhdemo${suf}a with an allow-all ACL"
	echo "lhdemo${suf}u" >>"$LXDH_BASE/demo.bridges"
	echo "lhdemo${suf}a" >>"$LXDH_BASE/demo.bridges"
	lxdh_bridge_create "lhdemo${suf}u" >/dev/null || return 1
	lxc network acl create demo-allow-all >/dev/null &&
		lxc network acl rule add demo-allow-all ingress action=allow >/dev/null &&
		lxdh_bridge_create "lhdemo${suf}a" security.acls=demo-allow-all >/dev/null ||
		return 1
	echo "    an unrestricted client certificate, a pending token that never expires"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$LXDH_BASE/demo-client.key" -out "$LXDH_BASE/demo-client.crt" \
		-days 3650 -subj /CN=demo-admin >/dev/null 2>&1 &&
		lxc config trust add "$LXDH_BASE/demo-client.crt" --name demo-admin >/dev/null &&
		lxc config trust add --name demo-pending >/dev/null || return 1
	seed_instances
}

# Stopped containers with no image (lxc init --empty): enough for every
# instance and device check, nothing runs.
seed_instances() {
	# lxc init says on stderr that there is no network: keep it in a log
	sl() {
		lxc "$@" >/dev/null 2>>"$LXDH_BASE/demo-seed.log" || {
			cat "$LXDH_BASE/demo-seed.log" >&2
			return 1
		}
	}
	echo "    a dir storage pool, and four containers:"
	mkdir -p "$LXDH_BASE/pool" "$LXDH_BASE/shared" || return 1
	sl storage create demo dir source="$LXDH_BASE/pool" &&
		sl profile device add default root disk path=/ pool=demo ||
		return 1
	echo "      demo-priv:   privileged through the profile 'privileged'"
	sl profile create privileged &&
		sl profile set privileged security.privileged=true &&
		sl init --empty demo-priv -p default -p privileged ||
		return 1
	echo "      demo-nested: security.nesting=true"
	sl init --empty demo-nested -c security.nesting=true ||
		return 1
	echo "      demo-disk:   a writable disk from the host ($LXDH_BASE/shared)"
	sl init --empty demo-disk &&
		sl config device add demo-disk shared disk \
			source="$LXDH_BASE/shared" path=/srv/shared ||
		return 1
	echo "      demo-clean:  nothing special"
	sl init --empty demo-clean || return 1
	echo "    a restricted project 'tenant' that allows nesting again"
	sl project create tenant -c restricted=true \
		-c restricted.containers.nesting=allow &&
		sl profile device add default root disk path=/ pool=demo \
			--project tenant || return 1
}
step "Seeding a weak configuration"
if ! seed; then
	echo "demo.sh: seeding the demo daemon failed; its log: $LXDH_BASE/lxd.log" >&2
	KEEP=
	exit 1
fi

# ---- the audit ----
step "Auditing unix://$LXD_SOCKET (the demo daemon, not the system's)"
echo
"$BIN" audit --socket "$LXD_SOCKET"
rc=$?
echo
echo "lxd-harden exited $rc (0: clean, 2: findings, 1: could not audit)"

# Every path below is printed as one shell word, so the lines paste.
q() {
	printf '%q' "$1"
}
if [ -n "$KEEP" ]; then
	cat <<MSG

The demo LXD keeps running (pid $LXDH_PID). To reach it:
  export LXD_DIR=$(q "$LXD_DIR") LXD_CONF=$(q "$LXD_CONF")
  lxc config show
  $(q "$BIN") audit --socket $(q "$LXD_SOCKET")
Next, see what 'fix' would change on it (nothing changes without --apply;
the host's own files are left alone: this is a private daemon):
  $(q "$BIN") fix --socket $(q "$LXD_SOCKET")
To stop it and remove everything it made:
  sudo $(q "$SRCDIR/scripts/demo.sh") --stop $(q "$LXDH_BASE")
MSG
else
	cat <<MSG
Next: keep the demo daemon running, and it prints the 'lxd-harden fix'
command that shows what fix would change on it:
  sudo $(q "$SRCDIR/scripts/demo.sh") --keep
MSG
	step "Stopping the demo LXD and removing $LXDH_BASE"
fi
exit "$rc"
