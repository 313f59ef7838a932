#!/bin/bash
# host.sh - the host checks against real private LXD or Incus daemons
# (LXDH_PRODUCT=lxd|incus, see lib.sh); prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/host.sh
#   LXDH_PRODUCT=incus LXDH_BIN=build/lxd-harden tests/integration/host.sh
#
# Daemon A runs with --group (a throw-away group) --syslog --verbose and a
# PKI directory (CA and CRLs written here with OpenSSL by
# tests/data/host/make-pki.sh); daemon B runs as lib.sh starts it, with
# neither flag. Each report is checked against what the live process, the
# socket and the files really are, then the remote and --input paths, the
# usg-tailoring file (oscap must accept it), and one audit under
# valgrind. A missing daemon or oscap is a failure, not a skip. An EXIT
# trap stops the daemons, the syslog listener and removes the group. The
# usg-tailoring and saved-state parts read no daemon and run the same in
# both runs; where Incus differs a "# incus:" line says why.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
DATA=$SRCDIR/tests/data

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
LXDH_LOG=/dev/stdout
export NO_COLOR=1
unset LXD_HARDEN_RELEASES 2>/dev/null || true

# ---------------------------------------------------------------- TAP ----

NTEST=0
NFAIL=0
PLANNED=
W=			# scratch directory
GROUP=lxdh-adm-$$	# the admin group of daemon A
GROUP_MADE=false
SYSLOG_PID=		# our syslog listener, when the host has none
SYSLOG_SOCK=

finish() {
	PLANNED=1
	echo "1..$NTEST"
	if [ "$NFAIL" -gt 0 ]; then
		echo "# $NFAIL of $NTEST failed"
		exit 1
	fi
	exit 0
}

cleanup() {
	lxdh_daemon_cleanup
	if [ -n "$SYSLOG_PID" ]; then
		kill "$SYSLOG_PID" 2>/dev/null
		wait "$SYSLOG_PID" 2>/dev/null
		rm -f "$SYSLOG_SOCK"
	fi
	if $GROUP_MADE; then
		groupdel "$GROUP" 2>/dev/null
	fi
	[ -n "$W" ] && rm -rf "$W"
	if [ -z "$PLANNED" ]; then
		echo "not ok $((NTEST + 1)) - the script ended early"
		echo "1..$((NTEST + 1))"
	fi
}
trap cleanup EXIT

# ------------------------------------------------------------ helpers ----

# either VALUE A B: VALUE is A or B.
either() {
	[ "$1" = "$2" ] || [ "$1" = "$3" ]
}

# gone PID: the process has exited (a zombie counts).
gone() {
	[ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}

# status ID FILE: the status of check ID in a JSON report.
status() {
	jq -r --arg id "$1" '.results[] | select(.id == $id) | .status' "$2"
}

# messages ID FILE: every finding's message of check ID, one a line.
messages() {
	jq -r --arg id "$1" \
		'.results[] | select(.id == $id) | .findings[]? | .message' "$2"
}

# expect ID STATUS FILE [TEXT]: check ID has STATUS, and a finding TEXT.
expect() {
	local id=$1 want=$2 file=$3 text=${4:-} got
	got=$(status "$id" "$file")
	if [ "$got" != "$want" ]; then
		not_ok "$id is $want ($(basename "$file"))"
		diag "got '$got':" "$(messages "$id" "$file")"
		return
	fi
	if [ -n "$text" ] &&
		! messages "$id" "$file" | grep -qF -- "$text"; then
		not_ok "$id is $want with '$text' ($(basename "$file"))"
		diag "$(messages "$id" "$file")"
		return
	fi
	ok "$id is $want${text:+ with '$text'} ($(basename "$file"))"
}

# audit NAME [ARGS...]: a JSON report of the daemon into $W/NAME.json.
audit() {
	local name=$1 rc
	shift
	"$BIN" audit --socket "$LXDH_SOCKET" --format json \
		-o "$W/$name.json" --releases "$DATA/releases-fixed.json" \
		"$@" 2>"$W/$name.err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		not_ok "audit $name ran (exit $rc)"
		diag "$(cat "$W/$name.err")"
		return 1
	fi
	return 0
}

# policy FILE MEMBERS...: a policy whose approved admin group members
# are MEMBERS (none at all when MEMBERS is empty).
policy() {
	local f=$1 list
	shift
	list=$(printf '%s, ' "$@")
	printf 'version: 1\nadmins:\n  group_members: [%s]\n' \
		"${list%, }" >"$f"
}

# A syslog receiver when the host has none: LXD's --syslog refuses to
# start without one. Go's log/syslog also tries /var/run/syslog, which no
# Linux daemon uses, so the listener goes there, never to /dev/log.
ensure_syslog() {
	local p
	for p in /dev/log /var/run/syslog; do
		if python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])' "$p" 2>/dev/null; then
			lxdh_say "syslog: using $p"
			return 0
		fi
	done
	SYSLOG_SOCK=/var/run/syslog
	rm -f "$SYSLOG_SOCK"
	setsid python3 -c 'import socket, sys
out = open(sys.argv[2], "ab", 0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    out.write(s.recv(65536) + b"\n")' "$SYSLOG_SOCK" "$W/syslog.txt" \
		</dev/null >/dev/null 2>&1 &
	SYSLOG_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$SYSLOG_SOCK" ] && return 0
		sleep 0.1
	done
	return 1
}

# daemon_start GROUP FLAGS...: lib.sh's daemon with --group GROUP and
# other flags, the PKI files placed in the daemon dir before it starts
# (lib.sh's LXDH_PRESTART hook).
host_pki() {
	cp "$W/pki/ca.crt" "$LXDH_DIR/server.ca" &&
		cp "$W/pki/crl-good.pem" "$LXDH_DIR/ca.crl"
}
daemon_start() {
	local group=$1
	shift
	LXDH_GROUP=$group LXDH_DAEMON_ARGS="$*" LXDH_PRESTART=host_pki \
		lxdh_daemon_start lxdh-host || return 1
	lxdh_say "private $LXDH_NAME pid $LXDH_PID: $LXDH_DAEMON --group $group $*"
}

# ------------------------------------------------------------ the run ----

lxdh_product || { not_ok "LXDH_PRODUCT names lxd or incus"; finish; }
C=$LXDH_CLIENT
INCUS=
lxdh_is_incus && INCUS=1
for t in "$LXDH_DAEMON" "$C" jq openssl oscap python3 groupadd; do
	if command -v "$t" >/dev/null 2>&1; then
		ok "$t is installed"
	else
		not_ok "$t is installed"
	fi
done
if [ ! -x "$BIN" ]; then
	not_ok "lxd-harden is built ($BIN)"
	finish
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-hostw.XXXXXX") || exit 1

# --- usg-tailoring ---------------------------------------------------------

if "$BIN" usg-tailoring -o "$W/tailoring.xml" 2>"$W/usg.err"; then
	ok "usg-tailoring writes a file"
else
	not_ok "usg-tailoring writes a file"
	diag "$(cat "$W/usg.err")"
fi
if oscap info "$W/tailoring.xml" >"$W/oscap.txt" 2>&1; then
	ok "oscap info accepts the tailoring file"
else
	not_ok "oscap info accepts the tailoring file"
	diag "$(cat "$W/oscap.txt")"
fi
check "oscap sees an XCCDF tailoring with the _lxd profile" \
	grep -q "Id: xccdf_org.ssgproject.content_profile_cis_level1_server_lxd" \
	"$W/oscap.txt"
check "oscap xccdf validate accepts it" \
	oscap xccdf validate --skip-schematron "$W/tailoring.xml" >/dev/null
xsd=/usr/share/openscap/schemas/xccdf/1.2/xccdf_1.2.xsd
if command -v xmllint >/dev/null 2>&1 && [ -f "$xsd" ]; then
	check "it is valid against the XCCDF 1.2 schema" \
		xmllint --noout --schema "$xsd" "$W/tailoring.xml" 2>/dev/null
else
	skip "it is valid against the XCCDF 1.2 schema" "no xmllint"
fi
n=$(grep -c 'selected="false"' "$W/tailoring.xml")
check "three rules are turned off ($n)" [ "$n" = 3 ]
for r in grub2_uefi_password no_files_unowned_by_user \
	file_permissions_ungroupowned; do
	check "$r is turned off" grep -q \
		"content_rule_$r\" selected=\"false\"" \
		"$W/tailoring.xml"
done
"$BIN" usg-tailoring --profile cis_level2_server >"$W/t2.xml"
check "--profile picks the extended profile" grep -q \
	'extends="xccdf_org.ssgproject.content_profile_cis_level2_server"' \
	"$W/t2.xml"
check "oscap accepts the level 2 one" oscap info "$W/t2.xml" >/dev/null
"$BIN" usg-tailoring --profile 'a"b' >/dev/null 2>&1
check "a profile that is no XML id is refused (exit 1)" [ $? = 1 ]
"$BIN" usg-tailoring -o "$W/nodir/t.xml" 2>/dev/null
rc=$?
check "an unwritable -o is exit 1 ($rc)" [ "$rc" = 1 ]
check "and leaves no file" [ ! -e "$W/nodir" ]

if ! lxdh_have_daemon || ! command -v jq >/dev/null 2>&1; then
	finish
fi
# What the host looks like for this product (Debian's packages).
if [ -n "$INCUS" ]; then
	# incusd tags its syslog lines "incus", not with its process name
	INSTALL=incus DAEMON_BIN=/usr/libexec/incus/incusd COMM=incusd TAG=incus
else
	INSTALL=package DAEMON_BIN=/usr/bin/lxd COMM=lxd TAG=lxd
fi

# --- PKI --------------------------------------------------------------------

if sh "$DATA/host/make-pki.sh" "$W/pki" >"$W/pki.out" 2>&1; then
	ok "OpenSSL writes a CA, client certificates and CRLs"
else
	not_ok "OpenSSL writes a CA, client certificates and CRLs"
	diag "$(cat "$W/pki.out")"
	finish
fi

# --- daemon A: --group G --syslog --verbose ---------------------------------

if groupadd -U daemon "$GROUP"; then
	GROUP_MADE=true
	ok "a throw-away admin group $GROUP with member daemon"
else
	not_ok "a throw-away admin group $GROUP with member daemon"
	finish
fi
check "a syslog receiver is there" ensure_syslog
if daemon_start "$GROUP" --syslog --verbose; then
	ok "daemon A runs: $COMM --group $GROUP --syslog --verbose"
else
	not_ok "daemon A runs: $COMM --group $GROUP --syslog --verbose"
	finish
fi
A_PID=$LXDH_PID

audit a || finish
check "target.install is $INSTALL" \
	[ "$(jq -r .target.install "$W/a.json")" = "$INSTALL" ]
expect LXD-LOG-001 pass "$W/a.json" "(PID $A_PID) logs to syslog"
expect LXD-LOG-002 pass "$W/a.json" "(PID $A_PID) logs verbosely"
if [ -n "$SYSLOG_PID" ]; then
	check "and syslog really receives the daemon's lines" \
		grep -q "$TAG\[$A_PID\]" "$W/syslog.txt"
fi
expect LXD-ACC-001 manual "$W/a.json" \
	"Group '$GROUP' (the daemon's --group) gives full control of $LXDH_NAME"
check "ACC-001 names the member daemon" \
	grep -q "to: daemon\." <(messages LXD-ACC-001 "$W/a.json")
check "ACC-001's object is group:$GROUP" [ "$(jq -r \
	'.results[] | select(.id == "LXD-ACC-001") | .findings[0].object' \
	"$W/a.json")" = "group:$GROUP" ]
policy "$W/ok.yaml" daemon
audit a-policy --policy "$W/ok.yaml"
expect LXD-ACC-001 pass "$W/a-policy.json" "holds: daemon"
policy "$W/none.yaml"
audit a-nobody --policy "$W/none.yaml"
expect LXD-ACC-001 fail "$W/a-nobody.json" "User 'daemon' is in the admin group"

expect LXD-ACC-002 pass "$W/a.json" \
	"The socket has mode 0660, owner root and group $GROUP"
chmod 0666 "$LXDH_SOCKET"
audit a-sock
expect LXD-ACC-002 fail "$W/a-sock.json" "mode is 0666, wider than 0660"
chmod 0660 "$LXDH_SOCKET"

expect LXD-ACC-008 pass "$W/a.json" "is signed by the CA, revokes 1"
cp "$W/pki/crl-expired.pem" "$LXDH_DIR/ca.crl"
audit a-expired
expect LXD-ACC-008 fail "$W/a-expired.json" "next update was due 2020-02-01"
cp "$W/pki/crl-foreign.pem" "$LXDH_DIR/ca.crl"
audit a-foreign
expect LXD-ACC-008 fail "$W/a-foreign.json" "does not verify with the CA's key"
rm "$LXDH_DIR/ca.crl"
audit a-nocrl
expect LXD-ACC-008 fail "$W/a-nocrl.json" "without a revocation list"
cp "$W/pki/crl-good.pem" "$LXDH_DIR/ca.crl"

# client certificates signed by the CA, one longer than 90 days
if lxdh_trust_add_cert "$W/pki/client-short.crt" --name short \
	>"$W/trust.out" 2>&1 &&
	lxdh_trust_add_cert "$W/pki/client-long.crt" --name long \
		>>"$W/trust.out" 2>&1; then
	ok "two CA-signed client certificates are trusted"
else
	not_ok "two CA-signed client certificates are trusted"
	diag "$(cat "$W/trust.out")"
fi
audit a-certs
expect LXD-ACC-007 fail "$W/a-certs.json" \
	"Client certificate 'long' is valid for 1y 35d"
expect LXD-ACC-007 fail "$W/a-certs.json" "'short' is valid for 30d"

# name leakage, as the real files are
want=pass
for f in /proc/sched_debug:0400 /sys/kernel/slab:0700; do
	p=${f%%:*}
	[ -e "$p" ] || continue
	m=$(stat -c %a "$p")
	[ $((8#$m & ~8#${f#*:})) -ne 0 ] && want=fail
done
expect LXD-MUL-004 "$want" "$W/a.json"
if [ -n "$INCUS" ]; then
	echo "# incus: its own groups split full control (incus-admin) from the per-user daemon (incus)"
	expect LXD-MUL-001 pass "$W/a.json" "Incus separates them by design"
else
	expect LXD-MUL-001 notapplicable "$W/a.json" "no service starts it"
fi

# auditd: no rules for the packaged binaries on this host
if ! grep -rqs -- "$DAEMON_BIN" /etc/audit/audit.rules /etc/audit/rules.d &&
	! { auditctl -l 2>/dev/null | grep -q "$DAEMON_BIN"; }; then
	expect LXD-LOG-003 fail "$W/a.json" \
		"No audit rule records the execution of $DAEMON_BIN."
else
	skip "LXD-LOG-003 fails without rules" "this host has LXD audit rules"
fi
got=$(status LXD-HOS-001 "$W/a.json")
check "LXD-HOS-001 judges the real APT settings ($got)" \
	either "$got" pass fail
got=$(status LXD-HOS-002 "$W/a.json")
check "LXD-HOS-002 reads the real ruleset ($got)" \
	either "$got" pass fail
expect LXD-HOS-003 manual "$W/a.json" "usg-tailoring"
# HOS-004 follows /etc/os-release: not Ubuntu here means notapplicable,
# on Ubuntu it must have read pro status (pass or fail, never error)
if grep -qx 'ID=ubuntu' /etc/os-release 2>/dev/null; then
	got=$(status LXD-HOS-004 "$W/a.json")
	check "LXD-HOS-004 reads the real pro status ($got)" \
		either "$got" pass fail
else
	expect LXD-HOS-004 notapplicable "$W/a.json" "not Ubuntu"
fi

"$BIN" audit --socket "$LXDH_SOCKET" \
	--releases "$DATA/releases-fixed.json" >"$W/a.txt" 2>&1
check "the text header names the install" \
	grep -q "(standalone, install: $INSTALL)" "$W/a.txt"
"$BIN" fix --socket "$LXDH_SOCKET" --releases "$DATA/releases-fixed.json" \
	</dev/null >"$W/a-plan.txt" 2>&1
check "the host's text report, JSON and fix plan name only $LXDH_NAME's client and releases" \
	lxdh_foreign_text "$SRCDIR" "$W/a.txt" "$W/a.json" "$W/a-plan.txt"

# the same server over HTTPS: a remote audit reads no host
port=$(lxdh_free_port 20443 20000)
if lxdh_cli config set core.https_address "127.0.0.1:$port" >/dev/null 2>&1; then
	"$BIN" audit --url "https://127.0.0.1:$port" \
		--cert "$W/pki/client-short.crt" \
		--key "$W/pki/client-short.key" \
		--server-cert "$LXDH_DIR/server.crt" --format json \
		--releases "$DATA/releases-fixed.json" -o "$W/remote.json" \
		2>"$W/remote.err"
	rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 2 ]; then
		ok "a remote audit over HTTPS with a CA-signed certificate"
		check "target.remote and no install" [ "$(jq -r \
			'"\(.target.remote) \(.target.install)"' \
			"$W/remote.json")" = "true null" ]
		for id in LXD-ACC-001 LXD-ACC-002 LXD-ACC-007 LXD-ACC-008 \
			LXD-LOG-001 LXD-LOG-002 LXD-LOG-003 LXD-MUL-001 \
			LXD-MUL-004 LXD-HOS-001 LXD-HOS-002 LXD-HOS-003 \
			LXD-HOS-004; do
			expect "$id" notapplicable "$W/remote.json" \
				"this audit is remote"
		done
		if [ -n "$INCUS" ]; then
			# incus: 6.0 has Loki, so LOG-004 judges it remotely too
			expect LXD-LOG-004 fail "$W/remote.json" \
				"loki.api.url is not set"
		else
			expect LXD-LOG-004 notapplicable "$W/remote.json" \
				"LXD 5.0.2 has no Loki support"
		fi
	else
		not_ok "a remote audit over HTTPS with a CA-signed certificate"
		diag "$(cat "$W/remote.err")"
	fi
	lxdh_cli config unset core.https_address >/dev/null 2>&1
else
	not_ok "the daemon listens on 127.0.0.1:$port"
fi

if ldd "$BIN" 2>/dev/null | grep -qE 'libasan|libubsan'; then
	skip "valgrind: the host audit runs clean" "binary built with sanitizers"
elif command -v valgrind >/dev/null 2>&1; then
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite "$BIN" audit \
		--socket "$LXDH_SOCKET" --format json -o "$W/vg.json" \
		--releases "$DATA/releases-fixed.json" >"$W/vg.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 2 ]; then
		ok "valgrind: the host audit runs clean"
	else
		not_ok "valgrind: the host audit runs clean (exit $rc)"
		diag "$(tail -n 30 "$W/vg.out")"
	fi
else
	skip "valgrind: the host audit runs clean" "no valgrind"
fi

lxdh_daemon_cleanup
check "daemon A is gone" gone "$A_PID"

# --- daemon B: lib.sh's, without --syslog or --verbose ----------------------

if lxdh_daemon_start lxdh-hostb; then
	ok "daemon B runs: $COMM --group root"
else
	not_ok "daemon B runs: $COMM --group root"
	finish
fi
B_PID=$LXDH_PID
audit b
expect LXD-LOG-001 fail "$W/b.json" "(PID $B_PID) runs without --syslog"
expect LXD-LOG-002 fail "$W/b.json" "runs without --verbose (or --debug)"
check "ACC-001 takes the group root from --group" [ "$(jq -r \
	'.results[] | select(.id == "LXD-ACC-001") | .findings[0].object' \
	"$W/b.json")" = "group:root" ]
expect LXD-ACC-002 pass "$W/b.json" "owner root and group root"
expect LXD-ACC-008 notapplicable "$W/b.json" "not in PKI mode"
lxdh_daemon_cleanup

# --- saved state: no host unless --host-root --------------------------------

"$BIN" audit --input "$DATA/snap/sample-502" --format json -o "$W/input.json" \
	--releases "$DATA/releases-fixed.json" 2>/dev/null
expect LXD-LOG-001 notapplicable "$W/input.json" "give --host-root"
check "target.install is null" \
	[ "$(jq -r .target.install "$W/input.json")" = null ]
cp -a "$DATA/host/snap-bad" "$W/tree"
"$BIN" audit --input "$DATA/snap/sample-502" --host-root "$W/tree" \
	--format json -o "$W/tree.json" \
	--releases "$DATA/releases-fixed.json" 2>/dev/null
check "--host-root: target.install is snap" \
	[ "$(jq -r .target.install "$W/tree.json")" = snap ]
expect LXD-LOG-001 fail "$W/tree.json" "daemon.syslog=true is not in effect yet"
expect LXD-MUL-001 fail "$W/tree.json" "both 'lxd'"
expect LXD-LOG-003 fail "$W/tree.json" "/snap/bin/lxd.check-kernel"
check "--host-root runs no command: auditctl is reported, not run" \
	grep -q "not run: the host is read from" \
	<(messages LXD-LOG-003 "$W/tree.json")
"$BIN" audit --input "$DATA/snap/sample-502" --host-root "$W/nosuch" \
	>/dev/null 2>"$W/noroot.err"
check "a missing --host-root is exit 1" [ $? = 1 ]
check "saying so" grep -q "nosuch" "$W/noroot.err"

finish
