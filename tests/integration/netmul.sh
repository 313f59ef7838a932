#!/bin/bash
# netmul.sh - ACLs (NET-003/004), outbound proxy (NET-006) and restricted
# projects (MUL-003) against real private LXD 5.0.2 and Incus 6.0.4
# daemons; prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/netmul.sh
#
# Each semantic is planted on each daemon, audited over the socket, then
# planted clean and audited again: the same expected finding on both
# products, with the product's own client in every remediation. Where the
# two differ (a bridged NIC carries ACLs only on Incus) the test says why.
# The daemons are started with lib.sh when it knows the product, else here
# the way shared/docs/real-lxd.md says; an EXIT trap stops them. A missing
# daemon is a failure, not a skip.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
# shellcheck disable=SC2034 # read by lib.sh
LXDH_LOG=/dev/stdout
export NO_COLOR=1

W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-netmul.XXXXXX") || exit 1
P=			# product of the running daemon: lxd or incus
CLI=			# its client
SOCK=			# its socket
OWN_BASE=		# an Incus daemon started here (not by lib.sh)
OWN_PID=
OWN_BRIDGES=()

own_incus_stop() {
	local i b
	[ -n "$OWN_BASE" ] || return 0
	if [ -n "$OWN_PID" ] && lxdh_alive "$OWN_PID"; then
		INCUS_DIR=$OWN_BASE/incus timeout 60 /usr/libexec/incus/incusd shutdown \
			>"$OWN_BASE/shutdown.out" 2>&1
		for i in $(seq 1 150); do
			lxdh_alive "$OWN_PID" || break
			sleep 0.2
		done
		lxdh_alive "$OWN_PID" && kill -KILL "$OWN_PID" 2>/dev/null
		wait "$OWN_PID" 2>/dev/null
	fi
	OWN_PID=
	for i in $(lxdh_pids_of_dir "$OWN_BASE"); do
		kill -KILL "$i" 2>/dev/null
	done
	for b in "${OWN_BRIDGES[@]}"; do
		ip link show "$b" >/dev/null 2>&1 && ip link delete "$b" 2>/dev/null
	done
	OWN_BRIDGES=()
	# the empty nft tables of a shutdown, only when no incusd is left
	if command -v nft >/dev/null 2>&1 &&
		! ps -e -o stat=,comm= | awk '$1 !~ /^Z/ && $2 == "incusd"' | grep -q .; then
		for i in inet bridge; do
			nft list table "$i" incus >/dev/null 2>&1 || continue
			nft list table "$i" incus 2>/dev/null |
				grep -qE '^\s*(chain|set|map) ' ||
				nft delete table "$i" incus 2>/dev/null
		done
	fi
	if ! awk -v b="$OWN_BASE/" 'index($5, b) == 1 { f = 1 } END { exit !f }' \
		/proc/self/mountinfo; then
		rm -rf --one-file-system "$OWN_BASE"
	fi
	OWN_BASE=
}

cleanup() {
	lxdh_daemon_cleanup
	own_incus_stop
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start PRODUCT: a private daemon; sets P, CLI, SOCK.
start() {
	P=$1
	if [ "$P" = lxd ] || declare -F lxdh_product >/dev/null; then
		if declare -F lxdh_product >/dev/null; then
			lxdh_product "$P" || return 1
		fi
		lxdh_daemon_start "netmul-$P" || return 1
		CLI=lxc
		SOCK=${LXDH_SOCKET:-$LXD_SOCKET}
		[ "$P" = incus ] && CLI=incus
		return 0
	fi
	[ -x /usr/libexec/incus/incusd ] && command -v incus >/dev/null || {
		echo "# incus is not installed"
		return 1
	}
	OWN_BASE=$(mktemp -d /tmp/netmul-incus.XXXXXX) || return 1
	chmod 0711 "$OWN_BASE"
	export INCUS_DIR=$OWN_BASE/incus INCUS_CONF=$OWN_BASE/conf
	export INCUS_SOCKET=$INCUS_DIR/unix.socket
	mkdir -p "$INCUS_DIR" "$INCUS_CONF"
	chmod 0711 "$INCUS_DIR"
	setsid /usr/libexec/incus/incusd --group root --logfile "$OWN_BASE/incusd.log" \
		</dev/null >"$OWN_BASE/incusd.out" 2>&1 &
	OWN_PID=$!
	if ! /usr/libexec/incus/incusd waitready --timeout=60 >>"$OWN_BASE/incusd.out" 2>&1; then
		echo "# incusd did not become ready"
		sed 's/^/#   /' "$OWN_BASE/incusd.log" | tail -n 5
		return 1
	fi
	incus info </dev/null >/dev/null 2>&1
	CLI=incus
	SOCK=$INCUS_SOCKET
	echo "# private Incus $(incus version 2>/dev/null | tail -n 1) pid $OWN_PID"
}

stop() {
	if [ -n "$OWN_BASE" ]; then
		own_incus_stop
	else
		lxdh_daemon_cleanup
	fi
}

# c ARGS...: the product's client, quiet; says what failed.
c() {
	local out
	if ! out=$("$CLI" "$@" </dev/null 2>&1); then
		echo "# $CLI $*: $out"
		return 1
	fi
}

bridge() {
	local name=$1 net
	shift
	net=$(lxdh_free_subnet) || return 1
	if [ -n "$OWN_BASE" ]; then
		OWN_BRIDGES+=("$name")
	else
		LXDH_BRIDGES+=("$name")
	fi
	c network create "$name" "ipv4.address=$net.1/24" ipv6.address=none "$@"
}

# audit NAME: a JSON audit of the daemon; the report in $W/NAME.json.
audit() {
	"$BIN" audit --socket "$SOCK" --format json --no-color \
		>"$W/$1.json" 2>"$W/$1.err"
	if ! jq -e .results "$W/$1.json" >/dev/null 2>&1; then
		echo "# audit $1: no report; stderr:"
		sed 's/^/#   /' "$W/$1.err" | head -n 10
	fi
}

# status NAME ID: the status of check ID in report NAME.
status() {
	jq -r --arg id "$2" '.results[] | select(.id == $id) | .status' "$W/$1.json" 2>/dev/null
}

# expect NAME ID STATUS DESC: check ID has STATUS.
expect() {
	local got
	got=$(status "$1" "$2")
	if [ "$got" = "$3" ]; then
		ok "$P: $2 $3: $4"
	else
		not_ok "$P: $2 $3: $4"
		diag "status $got; findings:"
		jq -r --arg id "$2" '.results[] | select(.id == $id) | .findings[] |
			"\(.status) \(.object): \(.message) | fix: \(.remediation // "-")"' \
			"$W/$1.json" 2>/dev/null | head -n 12 | sed 's/^/#   /'
	fi
}

# has NAME ID JQ-CONDITION DESC: some finding of ID satisfies the condition.
has() {
	if jq -e --arg id "$2" ".results[] | select(.id == \$id) | .findings |
		any($3)" "$W/$1.json" >/dev/null 2>&1; then
		ok "$P: $2: $4"
	else
		not_ok "$P: $2: $4"
		jq -r --arg id "$2" '.results[] | select(.id == $id) | .findings[] |
			"\(.status) \(.object) \(.key // "-")=\(.value // "-"): \(.message) | fix: \(.remediation // "-")"' \
			"$W/$1.json" 2>/dev/null | head -n 12 | sed 's/^/#   /'
	fi
}

# no_foreign NAME: no remediation names the other product's client.
no_foreign() {
	local other=incus
	[ "$P" = incus ] && other=lxc
	if jq -e --arg o "$other " '[.. | .remediation? // empty |
		select(startswith($o) or contains(", or " + $o))] | length == 0' \
		"$W/$1.json" >/dev/null 2>&1; then
		ok "$P: no remediation names $other"
	else
		not_ok "$P: no remediation names $other"
	fi
}

# ------------------------------------------------------------ suites ----

acls() {
	local b1=nm$$a b2=nm$$b acl_json

	bridge "$b1" || return 1
	bridge "$b2" || return 1
	# ingress from a union of halves, TCP out to all of IPv6, no ports
	c network acl create wide || return 1
	c network acl rule add wide ingress action=allow \
		source=0.0.0.0/1,128.0.0.0/1 || return 1
	c network acl rule add wide ingress action=allow \
		source=0.0.0.0-255.255.255.255 protocol=udp || return 1
	c network acl rule add wide egress action=allow destination=::/0 \
		protocol=tcp || return 1
	c network set "$b1" security.acls=wide \
		security.acls.default.egress.action=allow || return 1

	audit acl-open
	expect acl-open LXD-NET-004 fail "sources and destinations that cover everything"
	has acl-open LXD-NET-004 '.key == "source" and .value == "0.0.0.0/1,128.0.0.0/1" and (.message | contains("every IPv4 source"))' \
		"0.0.0.0/1,128.0.0.0/1 counts as every source"
	has acl-open LXD-NET-004 '.key == "source" and (.value | startswith("0.0.0.0-255.255.255.255")) and (.message | contains("every UDP port"))' \
		"0.0.0.0-255.255.255.255 counts as every source"
	has acl-open LXD-NET-004 '.key == "destination" and (.message | contains("egress rule 1")) and (.message | contains("every IPv6 destination"))' \
		"an egress rule to ::/0 with no port"
	has acl-open LXD-NET-004 '.key == "security.acls.default.egress.action" and (.remediation | startswith("'"$CLI"' network set '"$b1"' security.acls.default.egress.action=reject"))' \
		"the default egress action allow, with the product's client"
	expect acl-open LXD-NET-003 fail "a bridge without ACLs"
	has acl-open LXD-NET-003 '.object == "/1.0/networks/'"$b2"'?project=default" and .status == "fail"' \
		"names the bridge without ACLs"

	# the clean counterpart: a port limit, a narrow peer, reject
	acl_json=$(jq -n '{description: "", config: {},
		ingress: [{action: "allow", source: "0.0.0.0/1", state: "enabled"},
			  {action: "allow", source: "0.0.0.0-255.255.255.255",
			   protocol: "udp", destination_port: "53", state: "enabled"}],
		egress: [{action: "allow", destination: "::/0", protocol: "tcp",
			  destination_port: "443", state: "enabled"}]}')
	"$CLI" network acl edit wide <<<"$acl_json" >/dev/null 2>&1 ||
		echo "# network acl edit failed"
	c network set "$b1" security.acls.default.egress.action=reject
	c network set "$b2" security.acls=wide
	audit acl-clean
	expect acl-clean LXD-NET-004 pass "narrow peers, port limits, reject"
	expect acl-clean LXD-NET-003 pass "both bridges carry ACLs"
	no_foreign acl-open

	# NIC ACLs stand in for the network's only where the release has
	# network_bridge_acl_devices (Incus 6.0.4, not LXD 5.0.2)
	c network unset "$b2" security.acls
	c storage create pool dir || return 1
	c profile device add default root disk path=/ pool=pool || return 1
	c init --empty nic1 || return 1
	if "$CLI" config device add nic1 eth0 nic network="$b2" \
		security.acls=wide </dev/null >"$W/nic.out" 2>&1; then
		audit nic-acl
		if [ "$P" = incus ]; then
			expect nic-acl LXD-NET-003 pass "the only NIC on the bridge carries ACLs"
		else
			expect nic-acl LXD-NET-003 fail "LXD took a bridged NIC ACL but has no network_bridge_acl_devices"
		fi
		c config device unset nic1 eth0 security.acls
		audit nic-bare
		expect nic-bare LXD-NET-003 fail "the NIC on the bridge carries no ACLs"
		has nic-bare LXD-NET-003 '.message | contains("instance nic1 device eth0")' \
			"names the NIC without ACLs"
	elif [ "$P" = lxd ]; then
		# LXD 5.0.2 refuses security.acls on a bridged NIC, which is
		# why its NICs never count (no network_bridge_acl_devices)
		check "$P: a bridged NIC cannot carry ACLs" grep -qi acl "$W/nic.out"
		c config device add nic1 eth0 nic network="$b2"
		audit nic-bare
		expect nic-bare LXD-NET-003 fail "the NIC on the bridge carries no ACLs"
		has nic-bare LXD-NET-003 '.message | contains("LXD has no ACLs on bridged NICs")' \
			"says why its NICs cannot stand in"
	else
		not_ok "$P: a bridged NIC with security.acls"
		diag "$(cat "$W/nic.out")"
	fi
	c delete nic1
}

mul() {
	c project create tenant -c features.profiles=true -c features.images=true \
		-c restricted=true || return 1
	audit mul-default
	expect mul-default LXD-MUL-003 pass "a restricted project with every key at its default"

	c project set tenant restricted.devices.disk=allow restricted.devices.disk.paths=/srv,/ \
		restricted.idmap.uid=0-65535 restricted.devices.proxy=allow \
		restricted.devices.nic=allow restricted.containers.interception=allow \
		restricted.cluster.target=allow || return 1
	audit mul-open
	expect mul-open LXD-MUL-003 fail "keys that re-open what restriction closes"
	has mul-open LXD-MUL-003 '.key == "restricted.devices.disk" and (.message | contains("includes / itself"))' \
		"disk.paths holding / is no limit"
	has mul-open LXD-MUL-003 '.key == "restricted.idmap.uid" and (.message | contains("host uid 0"))' \
		"an idmap range with host uid 0"
	local k
	for k in restricted.devices.proxy restricted.devices.nic \
		restricted.containers.interception restricted.cluster.target; do
		has mul-open LXD-MUL-003 '.key == "'"$k"'" and (.message | contains("re-opens")) and (.remediation | startswith("'"$CLI"' project set tenant '"$k"'=block") or startswith("'"$CLI"' project set tenant '"$k"'=managed"))' \
			"$k=allow says what it re-opens"
	done
	no_foreign mul-open

	c project set tenant restricted.devices.disk.paths=/srv/tenant \
		restricted.idmap.uid=1000000-1065535 restricted.devices.proxy=block
	c project unset tenant restricted.devices.nic
	c project unset tenant restricted.containers.interception
	c project unset tenant restricted.cluster.target
	audit mul-clean
	expect mul-clean LXD-MUL-003 pass "disk confined below /, ids without 0, the rest blocked"
}

outbound() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$W/ci.key" -out "$W/ci.crt" -days 30 -subj /CN=ci \
		>/dev/null 2>&1 || return 1
	audit proxy-none
	expect proxy-none LXD-NET-006 notapplicable "no restricted client can create images"
	has proxy-none LXD-NET-006 '.message | contains("No non-admin client can create images")' \
		"says why it does not apply"

	if [ "$P" = incus ]; then
		c config trust add-certificate "$W/ci.crt" --name ci --restricted \
			--projects tenant || return 1
	else
		c config trust add "$W/ci.crt" --name ci --restricted \
			--projects tenant || return 1
	fi
	audit proxy-open
	expect proxy-open LXD-NET-006 fail "a restricted client of a project with its own images"
	has proxy-open LXD-NET-006 '.key == "core.proxy_https" and (.message | contains("restricted certificate ci (tenant)")) and (.remedy.commands | length) == 0 and .remedy.needs[0].name == "core.proxy_https" and .remedy.fixable' \
		"names the client and the key; the proxy is a need fix --set takes"

	c config set core.proxy_http=http://192.0.2.10:3128 \
		core.proxy_https=http://192.0.2.10:3128 || return 1
	audit proxy-set
	expect proxy-set LXD-NET-006 pass "both proxy keys set"
	c config set core.proxy_ignore_hosts='*'
	audit proxy-bypass
	expect proxy-bypass LXD-NET-006 fail "core.proxy_ignore_hosts=* bypasses the proxy"
	c config unset core.proxy_ignore_hosts
	c config unset core.proxy_http
	c config unset core.proxy_https
	c project set tenant features.images=false
	audit proxy-noimages
	expect proxy-noimages LXD-NET-006 fail "its project keeps no images of its own, yet it can upload"
	upload_as_ci
}

# upload_as_ci: the restricted client ci uploads an image into tenant,
# which has features.images=false: the daemon accepts it and stores it in
# the default project. This is why NET-006 counts every restricted client.
upload_as_ci() {
	local port=$((20000 + RANDOM % 20000)) fp i
	c config set core.https_address=127.0.0.1:$port || return 1
	mkdir -p "$W/img/rootfs" &&
		printf 'architecture: %s\ncreation_date: 1700000000\nproperties:\n  description: lxdh-ci\n' \
			"$(uname -m)" >"$W/img/metadata.yaml" &&
		tar -C "$W/img" -cf "$W/img.tar" metadata.yaml rootfs || return 1
	fp=$(sha256sum "$W/img.tar" | cut -d' ' -f1)
	curl -s -k --cert "$W/ci.crt" --key "$W/ci.key" \
		-H 'Content-Type: application/octet-stream' \
		--data-binary @"$W/img.tar" \
		"https://127.0.0.1:$port/1.0/images?project=tenant" >"$W/upload.json"
	for i in $(seq 1 30); do
		c image list --project default --format csv -c f | grep -q "^${fp:0:12}" && break
		sleep 1
	done
	if "$CLI" image list --project default --format csv -c f </dev/null 2>/dev/null |
		grep -q "^${fp:0:12}"; then
		ok "$P: restricted ci uploaded an image via tenant (features.images=false), stored in default"
	else
		not_ok "$P: restricted ci uploaded an image via tenant (features.images=false)"
		sed 's/^/# /' "$W/upload.json"
	fi
	"$CLI" image delete "$fp" --project default </dev/null >/dev/null 2>&1
	c config unset core.https_address
}

for product in lxd incus; do
	if ! start "$product"; then
		not_ok "$product: start a private daemon"
		stop
		continue
	fi
	ok "$product: private daemon"
	acls || not_ok "$product: plant the ACLs"
	mul || not_ok "$product: plant the restricted project"
	outbound || not_ok "$product: plant the image creator"
	stop
done

echo "1..$NTEST"
[ "$NFAIL" -eq 0 ] || {
	echo "# $NFAIL of $NTEST failed"
	exit 1
}
exit 0
