#!/bin/bash
# releases.sh - release-dependent checks against a real private Incus 6.0
# daemon; prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/releases.sh
#
# What the fixtures under tests/data/release/ claim about Incus 6.0.4 is
# checked on the real daemon here (it has loki.* but not the named loggers
# of server_logging), and LXD-LOG-004 is planted and cleared on it. The
# daemon runs in its own temp dir (INCUS_DIR, INCUS_CONF) and is stopped
# by its own PID from an EXIT trap; nothing else is touched. A missing
# incusd is a failure, not a skip: the suite exists to run on it.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
DATA=$SRCDIR/tests/data
INCUSD=${LXDH_INCUSD:-/usr/libexec/incus/incusd}

# shellcheck source=tap.sh
. "$HERE/tap.sh"
export NO_COLOR=1
unset LXD_HARDEN_RELEASES 2>/dev/null || true

NTEST=0
NFAIL=0
BASE=		# our temp dir
IPID=		# our incusd

finish() {
	echo "1..$NTEST"
	if [ "$NFAIL" -gt 0 ]; then
		echo "# $NFAIL of $NTEST failed"
		exit 1
	fi
	exit 0
}

alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

cleanup() {
	local i p
	[ -n "$BASE" ] || return 0
	if [ -n "$IPID" ] && alive "$IPID"; then
		INCUS_DIR=$BASE/incus timeout 60 "$INCUSD" shutdown \
			>"$BASE/shutdown.out" 2>&1
		for i in $(seq 1 150); do
			alive "$IPID" || break
			sleep 0.2
		done
		if alive "$IPID"; then
			kill -TERM "$IPID" 2>/dev/null
			sleep 2
			alive "$IPID" && kill -KILL "$IPID" 2>/dev/null
		fi
		wait "$IPID" 2>/dev/null
	fi
	# helpers of our daemon only: their command line names our dir
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] && continue
		if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null |
			grep -qF -- "$BASE/"; then
			kill -KILL "$p" 2>/dev/null
		fi
	done
	if awk -v b="$BASE/" 'index($5, b) == 1 { f = 1 } END { exit !f }' \
		/proc/self/mountinfo; then
		for p in $(awk -v b="$BASE/" 'index($5, b) == 1 { print $5 }' \
			/proc/self/mountinfo | sort -r); do
			umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null
		done
	fi
	rm -rf --one-file-system "$BASE"
	BASE=
}
trap cleanup EXIT

# expect ID STATUS [TEXT]: the check's status in $W/last.json, and TEXT in
# one of its findings' messages or remediations.
expect() {
	local id=$1 want=$2 text=${3:-} got
	got=$(jq -r --arg id "$id" '.results[] | select(.id == $id) | .status' \
		"$BASE/last.json" 2>/dev/null)
	if [ "$got" != "$want" ]; then
		not_ok "$id is $want${text:+ with '$text'} (got '$got')"
		diag "$(jq -c --arg id "$id" '.results[] | select(.id == $id) | .findings' \
			"$BASE/last.json" 2>/dev/null | head -c 1500)"
		return
	fi
	if [ -n "$text" ] && ! jq -e --arg id "$id" --arg t "$text" \
		'.results[] | select(.id == $id) | .findings[] |
		 select(((.message // "") | contains($t)) or
			((.remediation // "") | contains($t)))' \
		"$BASE/last.json" >/dev/null 2>&1; then
		not_ok "$id is $want with '$text'"
		diag "$(jq -c --arg id "$id" '.results[] | select(.id == $id) | .findings' \
			"$BASE/last.json" 2>/dev/null | head -c 1500)"
		return
	fi
	ok "$id is $want${text:+ with '$text'}"
}

audit() {
	local rc
	"$BIN" audit --socket "$INCUS_DIR/unix.socket" --format json \
		-o "$BASE/last.json" --releases "$DATA/releases-fixed.json" \
		2>"$BASE/last.err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		not_ok "audit ran (exit $rc)"
		diag "$(cat "$BASE/last.err")"
		return 1
	fi
	return 0
}

# no_lxd_terms: no finding of the whole report names the lxc client or an
# LXD version.
no_lxd_terms() {
	local all
	all=$(jq -er '.results[] | .id as $id | .findings[] |
		[$id, (.message // ""), (.remediation // "")] | @tsv' \
		"$BASE/last.json") || { echo "no findings in the report"; return 1; }
	[ -n "$all" ] || { echo "no findings in the report"; return 1; }
	! printf '%s\n' "$all" | grep -E 'lxc |LXD ?[0-9]'
}

if [ ! -x "$INCUSD" ] || ! command -v incus >/dev/null 2>&1; then
	not_ok "incusd ($INCUSD) and the incus client are installed"
	finish
fi
BASE=$(mktemp -d /tmp/lxdh-rel.XXXXXX) || exit 1
chmod 0711 "$BASE"
export INCUS_DIR=$BASE/incus INCUS_CONF=$BASE/conf
mkdir -p "$INCUS_DIR" "$INCUS_CONF"
setsid "$INCUSD" --group root --logfile "$BASE/incusd.log" \
	</dev/null >"$BASE/incusd.out" 2>&1 &
IPID=$!
if ! "$INCUSD" waitready --timeout=60 >>"$BASE/incusd.out" 2>&1; then
	not_ok "a private incusd starts"
	diag "$(tail -n 5 "$BASE/incusd.log" "$BASE/incusd.out" 2>/dev/null)"
	finish
fi
ok "a private incusd starts (pid $IPID)"
incus info </dev/null >/dev/null 2>&1

VERSION=$(incus query /1.0 </dev/null | jq -r .environment.server_version)
echo "# Incus $VERSION, INCUS_DIR=$INCUS_DIR"

# ------------------------------------------------- what 6.0.4 has --------
has_ext() {
	incus query /1.0 </dev/null | jq -e --arg e "$1" \
		'.api_extensions | index($e) != null' >/dev/null
}
check "Incus $VERSION has API extension loki" has_ext loki
if has_ext server_logging; then
	HAS_LOGGING=true
	ok "Incus $VERSION has server_logging (named loggers)"
else
	HAS_LOGGING=false
	check "Incus $VERSION refuses a named logger without server_logging" \
		eval '! incus config set logging.remote.target.type=loki </dev/null'
fi

# ------------------------------------------------------------ LOG-004 ----
audit || finish
if $HAS_LOGGING; then
	expect LXD-LOG-004 fail "incus config set logging.remote.target.type=loki"
else
	# the address is the user's: a need, the command in the note
	expect LXD-LOG-004 fail "needs loki.api.url: the address of your Loki server"
fi
check "no finding on Incus names lxc or an LXD version" no_lxd_terms

if incus config set loki.api.url=http://127.0.0.1:9 </dev/null; then
	audit || finish
	expect LXD-LOG-004 pass "Events go to Loki at http://127.0.0.1:9"
	incus config unset loki.api.url </dev/null
else
	not_ok "incus config set loki.api.url"
fi
if $HAS_LOGGING; then
	incus config set logging.siem.target.type=syslog \
		logging.siem.target.address=udp://127.0.0.1:9 </dev/null
	audit || finish
	expect LXD-LOG-004 pass "syslog logger siem at udp://127.0.0.1:9"
	incus config unset logging.siem.target.type </dev/null
	incus config unset logging.siem.target.address </dev/null
fi
audit || finish
expect LXD-LOG-004 fail

finish
