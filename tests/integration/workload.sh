#!/bin/bash
# workload.sh - the INS, DEV, STO and MUL checks against a real, private
# LXD or Incus daemon (LXDH_PRODUCT=lxd|incus, see lib.sh); prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/workload.sh
#   LXDH_PRODUCT=incus LXDH_BIN=build/lxd-harden tests/integration/workload.sh
#
# Starts its own throw-away LXD (fresh LXD_DIR and LXD_CONF under a temp
# dir, unix socket only, bridges on 10.201.x.0/24 so that it never meets
# tests/integration/run.sh's daemon), plants every workload violation in
# the ways LXD offers (set on the instance, inherited from a profile, in
# the default project and in others), asserts id, object, device, key,
# value and source of each finding and that the clean counterparts are not
# flagged. One real busybox container runs during the audit. Then it
# applies the remediation commands the report gives and audits again, and
# audits a fake clustered server (a unix socket answering from
# tests/data/workload/cluster), which 5.0.2 cannot be here.
# An EXIT trap stops the daemon and removes everything it made. A missing
# daemon is a failure, not a skip. Where Incus differs, a "# incus:" line
# says why and the test asserts what Incus does.
set -u
# lxc reads YAML from a standard input that is not a terminal: give it
# an empty pipe (not /dev/null, which a careless process can replace)
exec < <(:)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
unset LXD_HARDEN_RELEASES NO_COLOR
LXDH_LOG=/dev/stdout

# ---------------------------------------------------------------- TAP ----

NTEST=0
NFAIL=0
PLANNED=
W=

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
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
	fi
	if [ -n "${LXDH_IT_ARTIFACTS:-}" ] && [ -n "$W" ] && [ -d "$W" ]; then
		mkdir -p "$LXDH_IT_ARTIFACTS" &&
			cp -r "$W"/. "$LXDH_IT_ARTIFACTS"/ 2>/dev/null
	fi
	if [ -n "$LXDH_BASE" ] && [ -f "${LXDH_LOGFILE:-}" ] && [ "$NFAIL" -gt 0 ]; then
		echo "# daemon log (tail):"
		tail -n 15 "$LXDH_LOGFILE" | sed 's/^/#   /'
	fi
	lxdh_daemon_cleanup
	if [ -z "$PLANNED" ]; then
		not_ok "the suite ran to its end"
		echo "1..$NTEST"
		exit 1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ helpers ----

# L ARGS...: lxc or incus, logged; a failure is a diagnostic and a non-zero
# return.
L() {
	if ! lxdh_cli "$@" >>"$W/lxc.log" 2>"$W/lxc.err"; then
		echo "# $LXDH_CLIENT $* failed:"
		sed 's/^/#   /' "$W/lxc.err"
		SETUP_FAILED=1
		return 1
	fi
}

# A free 10.201.N.0/24 (this suite's range; run.sh uses lib.sh's).
wl_subnet() {
	local used n i
	used=$(ip -4 -o addr show 2>/dev/null; ip -4 route show table all 2>/dev/null)
	for i in $(seq 1 200); do
		n=$((RANDOM % 250 + 2))
		case "$used" in *"10.201.$n."*) continue ;; esac
		case " ${WL_NETS:-} " in *" $n "*) continue ;; esac
		WL_NETS="${WL_NETS:-} $n"
		echo "10.201.$n"
		return 0
	done
	return 1
}

# wl_bridge NAME IPV6: a managed bridge on a free 10.201.N.0/24; with
# IPV6 "yes" it also gets a ULA /64.
wl_bridge() {
	local name=$1 v6=none net
	net=$(wl_subnet) || return 1
	[ "$2" = yes ] && v6="fd42:201:$(printf %x $((RANDOM % 65536)))::1/64"
	LXDH_BRIDGES+=("$name")
	L network create "$name" "ipv4.address=$net.1/24" "ipv6.address=$v6"
}

audit() {
	local name=$1
	"$BIN" audit --socket "$LXDH_SOCKET" --format json --no-color \
		>"$W/$name.json" 2>"$W/$name.err"
	RC=$?
	R=$W/$name.json
	if ! jq -e '.results' "$R" >/dev/null 2>&1; then
		echo "# audit $name: exit $RC and no JSON report; stderr:"
		sed 's/^/#   /' "$W/$name.err" | head -n 20
	fi
}

# finding ID OBJECT DEVICE KEY: the failing findings matching ("-" for a
# field that must be absent, "*" for any).
finding() {
	jq -c --arg id "$1" --arg o "$2" --arg d "$3" --arg k "$4" '
		.results[] | select(.id == $id) | .findings[] |
		select(.status == "fail" and .object == $o) |
		select($d == "*" or (.device // "-") == $d) |
		select($k == "*" or (.key // "-") == $k)' "$R" 2>/dev/null
}

# expect ID OBJECT DEVICE KEY VALUE SOURCE SEVERITY [REMEDIATION]: exactly
# one failing finding with these fields ("-": absent).
expect() {
	local id=$1 obj=$2 dev=$3 key=$4 val=$5 src=$6 sev=$7 fix=${8:-}
	local f n desc
	desc="$id $obj${dev:+ }${dev#-} $key"
	f=$(finding "$id" "$obj" "$dev" "$key")
	n=$(printf '%s' "$f" | grep -c .)
	if [ "$n" -ne 1 ]; then
		not_ok "$desc"
		diag "wanted one failing finding, got $n:" "$f"
		return
	fi
	if jq -e --arg v "$val" --arg s "$src" --arg sev "$sev" --arg fix "$fix" '
		(.value // "-") == $v and (.source // "-") == $s and
		.severity == $sev and ($fix == "" or .remediation == $fix)' \
		<<<"$f" >/dev/null; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "wanted value=$val source=$src severity=$sev${fix:+ fix=$fix}" \
			"got: $f"
	fi
}

# clean ID OBJECT [DEVICE]: no failing or error finding of ID is about
# OBJECT (and DEVICE), and the check ran.
clean() {
	local id=$1 obj=$2 dev=${3:-*} n
	n=$(jq --arg id "$id" --arg o "$obj" --arg d "$dev" '
		[.results[] | select(.id == $id) | .findings[] |
		 select(.object == $o and (.status == "fail" or .status == "error")) |
		 select($d == "*" or .device == $d)] | length' "$R" 2>/dev/null)
	if [ "$n" = 0 ] && jq -e --arg id "$id" \
		'[.results[] | select(.id == $id)] | length == 1' "$R" >/dev/null; then
		ok "$id $obj${3:+ $3} is clean"
	else
		not_ok "$id $obj${3:+ $3} is clean"
		diag "$(finding "$id" "$obj" "$dev" '*')"
	fi
}

status_is() {
	local id=$1 st=$2 sev=${3:-} got
	got=$(jq -r --arg id "$id" '.results[] | select(.id == $id) |
		"\(.status) \(.severity)"' "$R" 2>/dev/null)
	if [ "${got%% *}" = "$st" ] && { [ -z "$sev" ] || [ "${got#* }" = "$sev" ]; }; then
		ok "$id is $st${sev:+ ($sev)}"
	else
		not_ok "$id is $st${sev:+ ($sev)}"
		diag "got: $got"
	fi
}

# fix_of ID OBJECT DEVICE KEY: the remediation of that finding.
fix_of() {
	finding "$@" | jq -r '.remediation' | head -n 1
}

I() { echo "/1.0/instances/$1?project=${2:-default}"; }
P() { echo "/1.0/profiles/$1?project=${2:-default}"; }

# ------------------------------------------------------------- daemon ----

if [ ! -x "$BIN" ]; then
	not_ok "lxd-harden is built ($BIN)"
	finish
fi
if ! lxdh_product; then
	not_ok "LXDH_PRODUCT names lxd or incus"
	finish
fi
if ! lxdh_have_daemon; then
	not_ok "$LXDH_NAME is installed (.ci/run installs lxd lxd-client dnsmasq-base nftables, and incus-base incus-client from bookworm-backports)"
	finish
fi
if ! lxdh_daemon_start lxdh-wl; then
	not_ok "a private $LXDH_NAME daemon starts"
	finish
fi
ok "a private $LXDH_NAME $(lxdh_daemon_version) daemon starts"
C=$LXDH_CLIENT
# The guest API key: Incus renamed /dev/lxd to /dev/incus and its key.
DEVAPI=security.devlxd.images
if lxdh_is_incus; then
	DEVAPI=security.guestapi.images
	echo "# incus: the /dev/lxd images key is $DEVAPI"
fi
W=$LXDH_BASE/work
HOST=$LXDH_BASE/host
mkdir -p "$W" "$HOST/data" "$HOST/ro" "$LXDH_BASE/pools/ext"
SETUP_FAILED=

# --------------------------------------------------------------- setup ----

BR4=wlb4$$
BR6=wlb6$$
L storage create default dir
L profile device add default root disk path=/ pool=default
wl_bridge "$BR4" no
wl_bridge "$BR6" yes

# Profiles of the default project.
L profile create limits
L profile set limits limits.cpu=1 limits.memory=256MiB limits.processes=200 \
	security.idmap.isolated=true
L profile create priv
L profile set priv security.privileged=true security.nesting=true
L profile create lowlevel
L profile set lowlevel raw.lxc=lxc.cap.drop=
L profile create sys
L profile set sys security.syscalls.intercept.mount.allowed=ext4
L profile create devlxd
L profile set devlxd "$DEVAPI=true"
L profile create gpu
L profile device add gpu gpu0 gpu
L profile create hostroot
L profile device add hostroot hr disk source=/ path=/mnt/host
L profile create nicmac
L profile device add nicmac eth1 nic nictype=bridged parent="$BR6" \
	security.mac_filtering=true
L profile create proxyp
L profile device add proxyp web proxy listen=tcp:0.0.0.0:29101 \
	connect=tcp:127.0.0.1:80
L profile create isooff
L profile set isooff security.idmap.isolated=false
L profile create unused
L profile set unused security.privileged=true

# Instances of the default project (stopped, no image).
E() {
	L init --empty "$@"
}
E c-clean -p default -p limits
L config device add c-clean eth0 nic network="$BR4" security.ipv4_filtering=true
E c-priv -c security.privileged=true
E c-privprof -p default -p priv
E c-privoff -p default -p priv -c security.privileged=false
E c-nest -c security.nesting=true
E c-weak -p default -p limits -c limits.memory=1GiB -c limits.processes=100
E c-noiso -p default -p limits -c security.idmap.isolated=false
E c-isooff -p default -p isooff
E c-raw -p default -p lowlevel -c raw.idmap="both 1000 1000"
E c-sys -p default -p sys -c security.syscalls.intercept.mknod=true
E c-sysold -c security.syscalls.blacklist_default=false
E c-sysnew -c security.syscalls.deny_default=false
E c-allow -c security.syscalls.whitelist="$(printf 'read\nkexec_load')"
E c-devlxd -c "$DEVAPI=true"
E c-devlxdp -p default -p devlxd
E c-devs -p default -p gpu
L config device add c-devs kmsg unix-char source=/dev/null
E c-disks -p default -p hostroot
L config device add c-disks data disk source="$HOST/data" path=/data
L config device add c-disks ro disk source="$HOST/ro" path=/ro readonly=true
L config device add c-disks etc disk source=/etc path=/mnt/etc readonly=true
L config device add c-disks lxddir disk source="$LXDH_DIR/containers" \
	path=/mnt/lxd readonly=true
E c-nics
L config device add c-nics eth0 nic network="$BR4"
L config device add c-nics eth1 nic network="$BR6" \
	security.ipv4_filtering=true security.ipv6_filtering=true
# LXD allows one NIC per instance on a managed network (DNS names)
E c-nics2
L config device add c-nics2 eth2 nic network="$BR6" security.ipv4_filtering=true
E c-nics3
L config device add c-nics3 eth3 nic nictype=bridged parent="$BR4" \
	security.ipv4_filtering=true
E c-nicmac -p default -p nicmac
E c-proxy -p default -p proxyp
L config device add c-proxy p-any proxy listen=tcp:0.0.0.0:29102 \
	connect=tcp:127.0.0.1:80
L config device add c-proxy p-local proxy listen=tcp:127.0.0.1:29103 \
	connect=tcp:127.0.0.1:80
L config device add c-proxy p-rev proxy bind=instance \
	listen=tcp:127.0.0.1:29104 connect=tcp:127.0.0.1:22

# A project with its own profiles, one without, restricted ones.
L project create p2 -c features.profiles=true
L profile device add default root disk path=/ pool=default --project p2
L profile create privp2 --project p2
L profile set privp2 security.privileged=true --project p2
L profile create usbp --project p2
L profile device add usbp usb1 usb vendorid=1d6b --project p2
E p2-priv -p default -p privp2 --project p2
E p2-kmod -c linux.kernel_modules=overlay --project p2
E p2-nic --project p2
L config device add p2-nic eth0 nic network="$BR4" --project p2
E p2-usb -p default -p usbp --project p2
L project create p3 -c features.profiles=false
E p3-priv -p default -p priv --project p3
L project create tenant -c restricted=true \
	-c restricted.containers.nesting=allow -c restricted.devices.disk=allow
L profile device add default root disk path=/ pool=default --project tenant
E t-nest -c security.nesting=true --project tenant
L project create tenant2 -c restricted=true -c restricted.devices.disk=allow \
	-c restricted.devices.disk.paths=/srv
L project create open
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/ci.key" -out "$W/ci.crt" -days 30 -subj /CN=ci \
	>/dev/null 2>&1
lxdh_trust_add_cert "$W/ci.crt" --restricted --projects tenant,open >>"$W/lxc.log" 2>&1 ||
	{ SETUP_FAILED=1; echo "# adding the restricted certificate failed"; }

# Two pools, one inside the other's directory (5.0.2 accepts that).
L storage create ext dir source="$LXDH_BASE/pools/ext"
mkdir -p "$LXDH_BASE/pools/ext/sub"
L storage create nested dir source="$LXDH_BASE/pools/ext/sub"

# One real, running container (busybox-static image).
if "$SRCDIR/tests/integration/image/build-busybox-image.sh" "$W/bb.tar.gz" \
	>>"$W/lxc.log" 2>&1; then
	L image import "$W/bb.tar.gz" --alias wl-busybox
	L init wl-busybox run1 -p default -p limits -c security.nesting=true
	L config device add run1 eth0 nic network="$BR4" security.ipv4_filtering=true
	L start run1
else
	SETUP_FAILED=1
	echo "# the busybox image could not be built (apt-get install busybox-static)"
fi

if [ -z "$SETUP_FAILED" ]; then ok "every violation can be planted"; else not_ok "every violation can be planted"; fi
state=$(lxdh_cli list run1 -c s -f csv 2>/dev/null)
if [ "$state" = RUNNING ]; then ok "busybox container run1 is running"; else not_ok "busybox container run1 is running"; diag "state: $state"; fi

# --------------------------------------------------------------- audit ----

audit first
if [ "$RC" = 2 ]; then ok "audit exits 2 (findings)"; else not_ok "audit exits 2 (findings)"; diag "exit $RC"; fi
NREQ=$(jq -r '.target.requests // empty' "$R" 2>/dev/null)
if [ -n "$NREQ" ] && [ "$NREQ" -le 30 ]; then
	ok "the audit needs a few requests, not one per instance ($NREQ)"
else
	not_ok "the audit needs a few requests, not one per instance ($NREQ)"
fi

# INS-001: instance, profile, other project's profile, default's profile
expect LXD-INS-001 "$(I c-priv)" - security.privileged true "$(I c-priv)" high \
	"$C config set c-priv security.privileged=false --project default"
expect LXD-INS-001 "$(I c-privprof)" - security.privileged true "$(P priv)" high \
	"$C profile set priv security.privileged=false --project default"
expect LXD-INS-001 "$(I p2-priv p2)" - security.privileged true "$(P privp2 p2)" high \
	"$C profile set privp2 security.privileged=false --project p2"
expect LXD-INS-001 "$(I p3-priv p3)" - security.privileged true "$(P priv)" high
expect LXD-INS-001 "$(P priv)" - security.privileged true "$(P priv)" high
expect LXD-INS-001 "$(P unused)" - security.privileged true "$(P unused)" high
clean LXD-INS-001 "$(I c-clean)"
clean LXD-INS-001 "$(I c-privoff)"
clean LXD-INS-001 "$(I run1)"

# INS-002
expect LXD-INS-002 "$(I c-priv)" - limits.cpu,limits.memory,limits.processes - - medium \
	"$C config set c-priv limits.cpu=2 limits.memory=2GiB limits.processes=1000 --project default"
expect LXD-INS-002 "$(I t-nest tenant)" - limits.cpu,limits.memory,limits.processes - - medium
clean LXD-INS-002 "$(I c-clean)"
clean LXD-INS-002 "$(I c-weak)"
clean LXD-INS-002 "$(I run1)"

# INS-003: critical with privileged; on the running container
expect LXD-INS-003 "$(I c-privprof)" - security.nesting true "$(P priv)" critical
expect LXD-INS-003 "$(I c-privoff)" - security.nesting true "$(P priv)" medium
expect LXD-INS-003 "$(I c-nest)" - security.nesting true "$(I c-nest)" medium \
	"$C config set c-nest security.nesting=false --project default"
expect LXD-INS-003 "$(I t-nest tenant)" - security.nesting true "$(I t-nest tenant)" medium
expect LXD-INS-003 "$(I run1)" - security.nesting true "$(I run1)" medium
expect LXD-INS-003 "$(P priv)" - security.nesting true "$(P priv)" critical
clean LXD-INS-003 "$(I c-clean)"
status_is LXD-INS-003 fail critical

# INS-004
clean LXD-INS-004 "$(I c-priv)"
expect LXD-INS-004 "$(I c-nest)" - security.idmap.isolated - - low \
	"$C config set c-nest security.idmap.isolated=true --project default"
expect LXD-INS-004 "$(I c-noiso)" - security.idmap.isolated false "$(I c-noiso)" low
expect LXD-INS-004 "$(I c-isooff)" - security.idmap.isolated false "$(P isooff)" low \
	"$C profile set isooff security.idmap.isolated=true --project default"
expect LXD-INS-004 "$(P isooff)" - security.idmap.isolated false "$(P isooff)" low
clean LXD-INS-004 "$(I c-clean)"
clean LXD-INS-004 "$(I run1)"

# INS-005
expect LXD-INS-005 "$(I c-weak)" - limits.memory 1GiB "$(I c-weak)" low \
	"$C config unset c-weak limits.memory --project default"
expect LXD-INS-005 "$(I c-noiso)" - security.idmap.isolated false "$(I c-noiso)" low
clean LXD-INS-005 "$(I c-clean)"
clean LXD-INS-005 "$(I c-privoff)"

# INS-006
expect LXD-INS-006 "$(I c-raw)" - raw.lxc lxc.cap.drop= "$(P lowlevel)" high \
	"$C profile unset lowlevel raw.lxc --project default"
expect LXD-INS-006 "$(I c-raw)" - raw.idmap "both 1000 1000" "$(I c-raw)" high
expect LXD-INS-006 "$(I p2-kmod p2)" - linux.kernel_modules overlay "$(I p2-kmod p2)" high \
	"$C config unset p2-kmod linux.kernel_modules --project p2"
expect LXD-INS-006 "$(P lowlevel)" - raw.lxc lxc.cap.drop= "$(P lowlevel)" high
clean LXD-INS-006 "$(I c-clean)"

# INS-007: profile and instance, 5.0 names and new names
expect LXD-INS-007 "$(I c-sys)" - security.syscalls.intercept.mount.allowed ext4 "$(P sys)" critical \
	"$C profile unset sys security.syscalls.intercept.mount.allowed --project default"
expect LXD-INS-007 "$(I c-sys)" - security.syscalls.intercept.mknod true "$(I c-sys)" high
expect LXD-INS-007 "$(I c-sysold)" - security.syscalls.blacklist_default false "$(I c-sysold)" high \
	"$C config set c-sysold security.syscalls.blacklist_default=true --project default"
expect LXD-INS-007 "$(I c-sysnew)" - security.syscalls.deny_default false "$(I c-sysnew)" high
expect LXD-INS-007 "$(I c-allow)" - security.syscalls.whitelist "$(printf 'read\nkexec_load')" "$(I c-allow)" high
expect LXD-INS-007 "$(P sys)" - security.syscalls.intercept.mount.allowed ext4 "$(P sys)" critical
clean LXD-INS-007 "$(I c-clean)"
clean LXD-INS-007 "$(I run1)"

# INS-008
expect LXD-INS-008 "$(I c-devlxd)" - "$DEVAPI" true "$(I c-devlxd)" low
expect LXD-INS-008 "$(I c-devlxdp)" - "$DEVAPI" true "$(P devlxd)" low \
	"$C profile set devlxd $DEVAPI=false --project default"
expect LXD-INS-008 "$(P devlxd)" - "$DEVAPI" true "$(P devlxd)" low
clean LXD-INS-008 "$(I c-clean)"

# INS-009: no VM on this host (5.0.2 needs vhost_vsock)
status_is LXD-INS-009 notapplicable

# DEV-001
expect LXD-DEV-001 "$(I c-devs)" kmsg type unix-char "$(I c-devs)" medium \
	"$C config device remove c-devs kmsg --project default"
expect LXD-DEV-001 "$(I c-devs)" gpu0 type gpu "$(P gpu)" medium \
	"$C profile device remove gpu gpu0 --project default"
expect LXD-DEV-001 "$(I p2-usb p2)" usb1 type usb "$(P usbp p2)" medium \
	"$C profile device remove usbp usb1 --project p2"
expect LXD-DEV-001 "$(P gpu)" gpu0 type gpu "$(P gpu)" medium
expect LXD-DEV-001 "$(P usbp p2)" usb1 type usb "$(P usbp p2)" medium
clean LXD-DEV-001 "$(I c-clean)"
clean LXD-DEV-001 "$(I run1)"

# DEV-002
expect LXD-DEV-002 "$(I c-disks)" data readonly - "$(I c-disks)" medium \
	"$C config device set c-disks data readonly=true --project default"
expect LXD-DEV-002 "$(I c-disks)" hr source / "$(P hostroot)" high \
	"$C profile device remove hostroot hr --project default"
expect LXD-DEV-002 "$(I c-disks)" etc source /etc "$(I c-disks)" high
expect LXD-DEV-002 "$(I c-disks)" lxddir source "$LXDH_DIR/containers" "$(I c-disks)" high
expect LXD-DEV-002 "$(P hostroot)" hr source / "$(P hostroot)" high
clean LXD-DEV-002 "$(I c-disks)" ro
clean LXD-DEV-002 "$(I c-disks)" root
clean LXD-DEV-002 "$(I c-clean)"

# DEV-003: BR4 has no IPv6, BR6 has
expect LXD-DEV-003 "$(I c-nics)" eth0 security.ipv4_filtering - "$(I c-nics)" medium \
	"$C config device set c-nics eth0 security.ipv4_filtering=true --project default"
expect LXD-DEV-003 "$(I c-nics2)" eth2 security.ipv6_filtering - "$(I c-nics2)" low
expect LXD-DEV-003 "$(I c-nicmac)" eth1 security.ipv4_filtering - "$(P nicmac)" low \
	"$C profile device set nicmac eth1 security.ipv4_filtering=true security.ipv6_filtering=true --project default"
expect LXD-DEV-003 "$(I p2-nic p2)" eth0 security.ipv4_filtering - "$(I p2-nic p2)" medium
expect LXD-DEV-003 "$(P nicmac)" eth1 security.ipv4_filtering - "$(P nicmac)" low
clean LXD-DEV-003 "$(I c-nics)" eth1
clean LXD-DEV-003 "$(I c-nics3)" eth3
clean LXD-DEV-003 "$(I c-clean)"
clean LXD-DEV-003 "$(I run1)"

# DEV-004
expect LXD-DEV-004 "$(I c-proxy)" p-any listen tcp:0.0.0.0:29102 "$(I c-proxy)" low \
	"$C config device set c-proxy p-any listen=tcp:127.0.0.1:29102 --project default"
expect LXD-DEV-004 "$(I c-proxy)" p-rev bind instance "$(I c-proxy)" low
expect LXD-DEV-004 "$(I c-proxy)" web listen tcp:0.0.0.0:29101 "$(P proxyp)" low
expect LXD-DEV-004 "$(P proxyp)" web listen tcp:0.0.0.0:29101 "$(P proxyp)" low
clean LXD-DEV-004 "$(I c-proxy)" p-local

# STO-001
expect LXD-STO-001 /1.0/storage-pools/nested - source "$LXDH_BASE/pools/ext/sub" /1.0/storage-pools/nested low
clean LXD-STO-001 /1.0/storage-pools/ext
clean LXD-STO-001 /1.0/storage-pools/default

# MUL-002, MUL-003
expect LXD-MUL-002 /1.0/projects/open - restricted - /1.0/projects/open medium \
	"$C project set open restricted=true"
clean LXD-MUL-002 /1.0/projects/tenant
clean LXD-MUL-002 /1.0/projects/p2
expect LXD-MUL-003 /1.0/projects/tenant - restricted.containers.nesting allow /1.0/projects/tenant medium \
	"$C project set tenant restricted.containers.nesting=block"
expect LXD-MUL-003 /1.0/projects/tenant - restricted.devices.disk allow /1.0/projects/tenant medium
clean LXD-MUL-003 /1.0/projects/tenant2

# Nothing is an error on this healthy server.
errs=$(jq -r '.results[] | select(.id | test("INS|DEV|STO|MUL")) |
	select(.status == "error") | .id' "$R" 2>/dev/null)
if [ -z "$errs" ]; then ok "no workload check is in error"; else not_ok "no workload check is in error"; diag "$errs"; fi

# The text report and the fix plan of the same server (no --apply), and
# what no output may say: the other product's client, on Incus an LXD
# version or an LXD-only extension (see lxdh_foreign_text).
"$BIN" audit --socket "$LXDH_SOCKET" --format text --no-color >"$W/first.txt" 2>>"$W/first.err"
"$BIN" fix --socket "$LXDH_SOCKET" --no-color >"$W/plan.txt" 2>"$W/plan.err"
rc=$?
check "fix without --apply plans the workload fixes with $C commands (exit $rc)" \
	bash -c '[ "$1" = 2 ] && grep -q "command: $2 " "$3"' _ "$rc" "$C" "$W/plan.txt"
check "the workload's text, JSON and fix plan name only $LXDH_NAME's client and releases" \
	lxdh_foreign_text "$SRCDIR" "$W/first.txt" "$W/first.json" "$W/plan.txt"

# ------------------------------------------------------- remediation ----

# Run the commands the report gives, then audit again: each finding goes.
FIXES=(
	"LXD-INS-001|$(I c-priv)|-|security.privileged"
	"LXD-INS-003|$(I c-nest)|-|security.nesting"
	"LXD-INS-004|$(I c-isooff)|-|security.idmap.isolated"
	"LXD-INS-005|$(I c-weak)|-|limits.memory"
	"LXD-INS-006|$(I p2-kmod p2)|-|linux.kernel_modules"
	"LXD-INS-007|$(I c-sysold)|-|security.syscalls.blacklist_default"
	"LXD-INS-007|$(I c-allow)|-|security.syscalls.whitelist"
	"LXD-INS-008|$(I c-devlxdp)|-|$DEVAPI"
	"LXD-DEV-001|$(I c-devs)|kmsg|type"
	"LXD-DEV-002|$(I c-disks)|data|readonly"
	"LXD-DEV-003|$(I c-nics)|eth0|security.ipv4_filtering"
	"LXD-DEV-003|$(I c-nicmac)|eth1|security.ipv4_filtering"
	"LXD-DEV-004|$(I c-proxy)|p-any|listen"
	"LXD-MUL-002|/1.0/projects/open|-|restricted"
	# LXD refuses a restriction that an instance breaks: fix it first
	"LXD-INS-003|$(I t-nest tenant)|-|security.nesting"
	"LXD-MUL-003|/1.0/projects/tenant|-|restricted.containers.nesting"
)
failed_fix=
for fx in "${FIXES[@]}"; do
	IFS='|' read -r id obj dev key <<<"$fx"
	cmd=$(fix_of "$id" "$obj" "$dev" "$key")
	case "$cmd" in
	"$C "*) ;;
	*) failed_fix="$failed_fix; no command for $fx ($cmd)"; continue ;;
	esac
	if ! eval "$cmd" >>"$W/lxc.log" 2>"$W/fix.err"; then
		failed_fix="$failed_fix; '$cmd': $(cat "$W/fix.err")"
	fi
done
if [ -z "$failed_fix" ]; then ok "every remediation command runs"; else not_ok "every remediation command runs"; diag "$failed_fix"; fi
audit second
for fx in "${FIXES[@]}"; do
	IFS='|' read -r id obj dev key <<<"$fx"
	if [ -z "$(finding "$id" "$obj" "$dev" "$key")" ]; then
		ok "after its fix: $id $obj${dev#-} $key is gone"
	else
		not_ok "after its fix: $id $obj${dev#-} $key is gone"
		diag "$(finding "$id" "$obj" "$dev" "$key")"
	fi
done
# A fix on a profile fixes every instance using it.
clean LXD-INS-008 "$(I c-devlxdp)"
clean LXD-DEV-003 "$(I c-nicmac)"

# ------------------------------------------------------- a cluster ----

# The same in both runs: the fake cluster is an LXD fixture (its
# remediations say lxc); Incus's real cluster is not formed here.
# 5.0.2 cannot form a cluster here, so a fake clustered LXD on a unix
# socket answers from tests/data/workload/cluster: three members, pools
# whose backing keys only ?target= shows, member m3 unreachable (its
# ?target= answers 500, its instances come back with status Error).
cat >"$W/fake.py" <<'PY'
import json, os, socketserver, sys
from urllib.parse import urlsplit, parse_qs

data, path, log = sys.argv[1], sys.argv[2], sys.argv[3]
simple = {"/1.0": "server", "/1.0/instances": "instances",
          "/1.0/projects": "projects", "/1.0/storage-pools": "storage-pools",
          "/1.0/cluster/members": "cluster-members",
          "/1.0/certificates": "certificates",
          "/1.0/operations": "operations", "/1.0/networks": "networks",
          "/1.0/network-acls": "network-acls",
          "/1.0/auth/identities": "identities",
          "/1.0/auth/groups": "auth-groups"}


def load(name, default):
    try:
        with open(os.path.join(data, name + ".json")) as f:
            j = json.load(f)
    except FileNotFoundError:
        return default
    if isinstance(j, dict) and "type" in j and "metadata" in j:
        return j["metadata"]
    return j


def route(target):
    u = urlsplit(target)
    q = parse_qs(u.query)
    p = u.path.rstrip("/")
    if p == "/1.0/profiles":
        proj = q.get("project", ["default"])[0]
        return 200, [x for x in load("profiles", [])
                     if x.get("project", "default") == proj]
    if p == "/1.0" and "target" in q:
        for e in load("member-servers", []):
            if e.get("member") == q["target"][0]:
                if "error" in e:
                    return 500, e["error"]
                srv = load("server", {})
                srv["config"] = dict(srv.get("config") or {}, **e["config"])
                srv["environment"]["addresses"] = e.get("addresses", [])
                srv["environment"]["server_name"] = e["member"]
                return 200, srv
        return 404, "not found"
    if p in simple:
        return 200, load(simple[p], {} if p == "/1.0" else [])
    if p.startswith("/1.0/storage-pools/") and "target" in q:
        name, member = p.split("/")[-1], q["target"][0]
        for e in load("storage-pools-members", []):
            if e.get("name") == name and e.get("member") == member:
                if "error" in e:
                    return 500, e["error"]
                return 200, {k: v for k, v in e.items() if k != "member"}
    return 404, "not found"


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline()
            if not line:
                return
            length = 0
            while True:
                h = self.rfile.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                if h.lower().startswith(b"content-length:"):
                    length = int(h.split(b":", 1)[1])
            if length:
                self.rfile.read(length)
            target = line.split()[1].decode()
            with open(log, "a") as f:
                f.write(target + "\n")
            code, md = route(target)
            if code == 200:
                body = {"type": "sync", "status": "Success",
                        "status_code": 200, "operation": "",
                        "error_code": 0, "error": "", "metadata": md}
            else:
                body = {"type": "error", "status": "", "status_code": 0,
                        "operation": "", "error_code": code, "error": md,
                        "metadata": None}
            b = json.dumps(body).encode()
            reason = {200: "OK", 404: "Not Found",
                      500: "Internal Server Error"}[code]
            head = (f"HTTP/1.1 {code} {reason}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(b)}\r\n\r\n")
            self.wfile.write(head.encode() + b)
            self.wfile.flush()


if os.path.exists(path):
    os.unlink(path)
socketserver.ThreadingUnixStreamServer.daemon_threads = True
# as LXD (somaxconn), not Python's 5: the audit connects concurrently
socketserver.ThreadingUnixStreamServer.request_queue_size = 128
with socketserver.ThreadingUnixStreamServer(path, Handler) as srv:
    srv.serve_forever()
PY
FAKE=$W/fake-cluster.socket
python3 "$W/fake.py" "$SRCDIR/tests/data/workload/cluster" "$FAKE" \
	"$W/fake.log" 2>"$W/fake.err" &
FAKE_PID=$!
for _ in $(seq 1 50); do
	[ -S "$FAKE" ] && break
	sleep 0.1
done
"$BIN" audit --socket "$FAKE" --format json --no-color \
	>"$W/cluster.json" 2>"$W/cluster.err"
RC=$?
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
FAKE_PID=
R=$W/cluster.json
if [ "$RC" = 2 ] && jq -e .results "$R" >/dev/null 2>&1; then
	ok "a clustered server is audited"
else
	not_ok "a clustered server is audited"
	diag "exit $RC" "$(cat "$W/cluster.err" "$W/fake.err" 2>/dev/null | head -n 20)"
fi
targets=$(grep -c '^/1.0/storage-pools/.*target=' "$W/fake.log" 2>/dev/null)
servers=$(grep -c '^/1.0?target=' "$W/fake.log" 2>/dev/null)
members=$(grep -c '^/1.0/cluster/members' "$W/fake.log" 2>/dev/null)
desc="each member is asked for each pool (9 ?target= requests) and for its own /1.0 (3), never per instance"
if [ "$targets" = 9 ] && [ "$servers" = 3 ] && [ "$members" = 1 ] &&
	! grep -q '^/1.0/instances/' "$W/fake.log"; then
	ok "$desc"
else
	not_ok "$desc"
	diag "$(cat "$W/fake.log")"
fi
expect LXD-STO-001 /1.0/storage-pools/p2 - source aaaa-uuid \
	/1.0/storage-pools/p2 medium \
	"lxc storage set p2 btrfs.mount_options=compress=zstd"
n=$(jq '[.results[] | select(.id == "LXD-STO-001") | .findings[] |
	select(.status == "error" and (.message | test("member m3")))] | length' "$R")
desc="LXD-STO-001: each pool on the unreachable member is an error"
if [ "$n" = 3 ]; then ok "$desc"; else not_ok "$desc"; diag "got $n"; fi
n=$(jq '[.results[] | select(.id | test("INS|DEV")) | .findings[] |
	select(.status == "error" and
	       .object == "/1.0/instances/lost?project=default")] | length' "$R")
nother=$(jq '[.results[] | select(.id | test("INS|DEV")) | .findings[] |
	select(.object == "/1.0/instances/lost?project=default" and
	       .status != "error")] | length' "$R")
desc="an instance on the unreachable member is an error in each check that judges it"
if [ "$n" = 12 ] && [ "$nother" = 0 ]; then
	ok "$desc"
else
	not_ok "$desc"
	diag "errors $n (want 12: 8 container INS checks, 4 DEV), other $nother"
fi

# ------------------------------------------------------------ valgrind ----

if ldd "$BIN" 2>/dev/null | grep -qE 'libasan|libubsan'; then
	# the sanitizers watched every audit above instead
	ok "the audit is clean under valgrind # SKIP binary built with sanitizers"
elif command -v valgrind >/dev/null 2>&1; then
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		"$BIN" audit --socket "$LXDH_SOCKET" --format json \
		>"$W/vg.json" 2>"$W/vg.err"
	rc=$?
	if [ "$rc" = 2 ] && jq -e .results "$W/vg.json" >/dev/null 2>&1; then
		ok "the audit is clean under valgrind"
	else
		not_ok "the audit is clean under valgrind"
		diag "exit $rc" "$(head -n 30 "$W/vg.err")"
	fi
else
	not_ok "valgrind is installed"
fi

finish
