# lib.sh - a private, throw-away LXD or Incus daemon for the integration
# tests, the demo and the benchmark. Source it from bash; it sets no shell
# options.
#
#   . tests/integration/lib.sh
#   lxdh_product incus           # or lxd (the default; LXDH_PRODUCT=... too)
#   lxdh_daemon_start            # fresh daemon dir and client conf under a temp dir
#   trap lxdh_daemon_cleanup EXIT
#   lxdh_cli ...                 # lxc or incus, talking to the private daemon only
#
# Functions (each returns non-zero on failure and says why on stderr):
#   lxdh_product [lxd|incus]     choose the product (default: $LXDH_PRODUCT,
#                                else lxd); sets LXDH_PRODUCT, LXDH_CLIENT
#                                (lxc|incus), LXDH_DAEMON (lxd|incusd path),
#                                LXDH_NAME (LXD|Incus). Call before starting.
#   lxdh_is_incus                true when the product is Incus.
#   lxdh_have_daemon             the product's daemon and client are installed
#                                (lxdh_have_lxd / lxdh_have_incus for one).
#   lxdh_daemon_start [PREFIX]   starts the private daemon (--group
#                                $LXDH_GROUP, default root, plus
#                                $LXDH_DAEMON_ARGS; $LXDH_PRESTART names a
#                                command run once the dirs exist, before
#                                the daemon starts); exports the
#                                product's own variables (LXD_DIR, LXD_CONF,
#                                LXD_SOCKET or INCUS_DIR, INCUS_CONF,
#                                INCUS_SOCKET) and the neutral LXDH_DIR,
#                                LXDH_CONF, LXDH_SOCKET; sets LXDH_BASE (temp
#                                dir), LXDH_PID, LXDH_LOGFILE (daemon log).
#   lxdh_daemon_version          the daemon's version ("5.0.2", "6.0.4").
#   lxdh_cli ARGS...             the product's client (lxc or incus).
#   lxdh_admin ARGS...           the daemon's admin verbs: "lxd init ..." or
#                                "incus admin init ..." (init, waitready,
#                                shutdown, sql, recover).
#   lxdh_trust_add_cert FILE [--name N] [--restricted] [--projects P]...
#                                adds a client certificate to the trust store
#                                (lxc config trust add FILE / incus config
#                                trust add-certificate FILE).
#   lxdh_trust_token NAME [ARGS...]
#                                a join token for client NAME; prints the
#                                client's output (the token is its last line).
#   lxdh_bridge_create NAME [KEY=VALUE...]
#                                a managed bridge with an explicit free IPv4
#                                subnet and no IPv6 (both products need it
#                                here), remembered for cleanup.
#   lxdh_stop_instances          force-stops every running instance.
#   lxdh_daemon_stop             stops our daemon (by PID and dir), its
#                                helpers, bridges and mounts; nft tables go
#                                when no daemon of the product is left.
#   lxdh_daemon_cleanup          stop, then remove the temp dir.
#   lxdh_foreign_text SRCDIR FILE...
#                                prints the lines of FILEs (reports, fix
#                                plans) that belong to the other product:
#                                on Incus an "lxc " command, an LXD version,
#                                LXD_DIR, the LXD snap or an API extension
#                                the tool tests for that the running Incus
#                                lacks; on LXD an "incus " command. Returns
#                                0 when there is none (suites assert it).
#   lxdh_free_port, lxdh_free_subnet, lxdh_pids_of_dir, lxdh_alive,
#   lxdh_say, lxdh_log           small helpers, see each one.
#
# Rules it follows (shared/docs/real-lxd.md): a fresh daemon dir and client
# conf under mktemp -d; the daemon is started with setsid and stopped by
# its own PID and dir, never by name; bridges get explicit free subnets;
# pool mounts under the temp dir are unmounted before anything is removed;
# the empty nft tables ("table inet lxd", "table inet incus", ...) left by
# a shutdown are removed only when no other daemon of that product runs.

# Set by lxdh_daemon_start.
LXDH_BASE=${LXDH_BASE:-}	# the temp dir holding everything
LXDH_PID=${LXDH_PID:-}		# the daemon's PID
LXDH_BRIDGES=()			# bridge names this run created (for cleanup)
LXDH_LOG_FD=${LXDH_LOG_FD:-2}	# the fd the helpers say what they do on
# (LXDH_LOG=/dev/stdout, /dev/stderr or a file is understood too.)

# lxdh_log: copies stdin to where the helpers' messages go. Not by opening
# /dev/stdout: with stdout on a file that writes over the caller's output.
lxdh_log() {
	case "${LXDH_LOG:-}" in
	"") cat >&"$LXDH_LOG_FD" ;;
	/dev/stdout) cat ;;
	/dev/stderr) cat >&2 ;;
	*) cat >>"$LXDH_LOG" ;;
	esac
}

lxdh_say() {
	echo "# $*" | lxdh_log
}

# lxdh_product [lxd|incus]: chooses the product every helper below drives.
INCUS_DAEMON=${INCUS_DAEMON:-/usr/libexec/incus/incusd}
lxdh_product() {
	local p=${1:-${LXDH_PRODUCT:-lxd}}
	case "$p" in
	lxd)
		LXDH_CLIENT=lxc
		LXDH_DAEMON=lxd
		LXDH_NAME=LXD
		;;
	incus)
		LXDH_CLIENT=incus
		LXDH_DAEMON=$INCUS_DAEMON
		LXDH_NAME=Incus
		;;
	*)
		echo "lxdh_product: unknown product '$p' (lxd or incus)" >&2
		return 1
		;;
	esac
	LXDH_PRODUCT=$p
}
lxdh_product || LXDH_PRODUCT=lxd lxdh_product lxd

lxdh_is_incus() {
	[ "$LXDH_PRODUCT" = incus ]
}

# lxdh_foreign_text SRCDIR FILE...: see the top of this file. The LXD-only
# extensions are those src/ asks snapshot_has_ext() (or a table's *_ext)
# about that the running daemon does not list, so a new check cannot
# slip one past the test.
lxdh_foreign_text() {
	local src=$1 re exts e
	shift
	if lxdh_is_incus; then
		re='(^|[^[:alnum:]_./-])lxc [a-z]|LXD [0-9]|LXD_DIR|LXD_CONF|/var/snap/lxd|/snap/bin/lxc|snap (install|refresh|set|get|info) lxd|process:lxd([^-]|$)'
		exts=$(grep -rhoE '(snapshot_has_ext\([^,]*, *|_ext = )"[a-z0-9_]+"' "$src/src" 2>/dev/null |
			sed 's/.*"\(.*\)"/\1/' | sort -u)
		if [ -z "$exts" ]; then
			echo "lxdh_foreign_text: found no API extension names under $src/src"
			return 1
		fi
		lxdh_cli query /1.0 </dev/null 2>/dev/null | jq -r '.api_extensions[]' >"$LXDH_BASE/exts.have" ||
			{ echo "lxdh_foreign_text: cannot read the daemon's API extensions"; return 1; }
		for e in $exts; do
			grep -qxF "$e" "$LXDH_BASE/exts.have" || re="$re|\\b$e\\b"
		done
	else
		re='(^|[^[:alnum:]_./-])incus [a-z]|process:incusd'
	fi
	for e in "$@"; do
		[ -s "$e" ] || { echo "lxdh_foreign_text: $e is missing or empty"; return 1; }
	done
	grep -nE -- "$re" "$@"
	[ $? = 1 ]
}

# lxdh_have_lxd: true when the lxd daemon and client are installed.
lxdh_have_lxd() {
	command -v lxd >/dev/null 2>&1 && command -v lxc >/dev/null 2>&1
}

# lxdh_have_incus: true when incusd and the incus client are installed.
lxdh_have_incus() {
	[ -x "$INCUS_DAEMON" ] && command -v incus >/dev/null 2>&1
}

# lxdh_have_daemon: the chosen product is installed.
lxdh_have_daemon() {
	if lxdh_is_incus; then lxdh_have_incus; else lxdh_have_lxd; fi
}

# lxdh_cli ARGS...: the product's client.
lxdh_cli() {
	"$LXDH_CLIENT" "$@"
}

# lxdh_admin VERB ARGS...: the daemon's admin verbs. Incus moved "init",
# "recover", "sql" and "shutdown"/"waitready" apart: init/recover/sql are
# "incus admin ...", waitready/shutdown stay on the daemon binary.
lxdh_admin() {
	if ! lxdh_is_incus; then
		lxd "$@"
		return
	fi
	case "$1" in
	waitready | shutdown | --version) "$INCUS_DAEMON" "$@" ;;
	*) incus admin "$@" ;;
	esac
}

# lxdh_daemon_version: the running daemon's version.
lxdh_daemon_version() {
	lxdh_cli query /1.0 </dev/null 2>/dev/null | jq -r '.environment.server_version // empty'
}

# lxdh_trust_add_cert FILE [lxc config trust add options]: a client
# certificate in the trust store.
lxdh_trust_add_cert() {
	if lxdh_is_incus; then
		incus config trust add-certificate "$@" </dev/null
	else
		lxc config trust add "$@" </dev/null
	fi
}

# lxdh_trust_token NAME [options]: a token for a new client NAME (needs a
# network listener). Prints what the client prints; the token is the last
# line.
lxdh_trust_token() {
	local name=$1
	shift
	if lxdh_is_incus; then
		incus config trust add "$name" "$@" </dev/null
	else
		lxc config trust add --name "$name" "$@" </dev/null
	fi
}

# lxdh_free_port [FIRST [SPAN]]: prints a TCP port nothing listens on.
lxdh_free_port() {
	local first=${1:-18443} span=${2:-20000} p i
	for i in $(seq 1 200); do
		p=$((first + (RANDOM * 32768 + RANDOM) % span))
		if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
			# Also skip ports handed out earlier in this process.
			case " ${LXDH_PORTS_USED:-} " in *" $p "*) continue ;; esac
			LXDH_PORTS_USED="${LXDH_PORTS_USED:-} $p"
			echo "$p"
			return 0
		fi
	done
	echo "lxdh_free_port: no free port" >&2
	return 1
}

# lxdh_free_subnet: prints "10.A.B" such that 10.A.B.0/24 is not on any
# interface or route of the host (nor handed out before in this process).
lxdh_free_subnet() {
	local used a b i
	used=$(ip -4 -o addr show 2>/dev/null; ip -4 route show table all 2>/dev/null)
	for i in $(seq 1 500); do
		a=$((100 + RANDOM % 150))
		b=$((RANDOM % 254 + 1))
		case "$used" in *"10.$a.$b."*) continue ;; esac
		case " ${LXDH_SUBNETS_USED:-} " in *" 10.$a.$b "*) continue ;; esac
		LXDH_SUBNETS_USED="${LXDH_SUBNETS_USED:-} 10.$a.$b"
		echo "10.$a.$b"
		return 0
	done
	echo "lxdh_free_subnet: no free subnet" >&2
	return 1
}

# lxdh_bridge_create NAME [network create options...]: a managed bridge
# with a free IPv4 subnet and no IPv6, remembered for cleanup.
lxdh_bridge_create() {
	local name=$1 net
	shift
	net=$(lxdh_free_subnet) || return 1
	LXDH_BRIDGES+=("$name")
	lxdh_cli network create "$name" "ipv4.address=$net.1/24" ipv6.address=none "$@" </dev/null
}

# lxdh_idmap_private: true (and writes $LXDH_BASE/subuid and subgid) when
# root has more than one range in /etc/subuid or /etc/subgid. That happens
# when incus-base is installed before lxd: each package's maintainer script
# gives root a range. Incus 6.0 then maps container root to both ranges,
# which the kernel refuses ("newuidmap: write to uid_map failed"), and no
# container starts. The copies keep root's largest range only; the daemon
# sees them in a mount namespace of its own, and the host's files stay as
# they are. (A fresh machine where .ci/run installs lxd first has one
# range and never gets here.)
lxdh_idmap_private() {
	local f n need=
	for f in subuid subgid; do
		n=$(grep -c '^root:' "/etc/$f" 2>/dev/null)
		[ "${n:-0}" -gt 1 ] && need=1
	done
	[ -n "$need" ] || return 1
	for f in subuid subgid; do
		awk -F: '$1 != "root" { print; next }
			$3 + 0 > best { best = $3 + 0; line = $0 }
			END { if (line != "") print line }' "/etc/$f" >"$LXDH_BASE/$f" || return 1
	done
	lxdh_say "root has several ranges in /etc/subuid or /etc/subgid; incusd sees only the largest (lxdh_idmap_private)"
	return 0
}

# lxdh_daemon_start [PREFIX]: starts a private daemon of the product (see
# the top of this file for what it exports).
lxdh_daemon_start() {
	local prefix=${1:-lxdh} i comm
	lxdh_product "$LXDH_PRODUCT" || return 1
	if ! lxdh_have_daemon; then
		echo "lxdh_daemon_start: $LXDH_NAME is not installed ($LXDH_DAEMON, $LXDH_CLIENT)" >&2
		return 1
	fi
	# Not $TMPDIR: containers need every directory on the way to the
	# daemon dir to be traversable, and a private TMPDIR often is not.
	LXDH_BASE=$(mktemp -d "${LXDH_TMPDIR:-/tmp}/$prefix.XXXXXX") || return 1
	# Containers run as a mapped root that must traverse the path to the
	# daemon dir: mktemp's 0700 makes them fail to start.
	chmod 0711 "$LXDH_BASE"
	LXDH_CONF=$LXDH_BASE/conf
	if lxdh_is_incus; then
		LXDH_DIR=$LXDH_BASE/incus
		LXDH_LOGFILE=$LXDH_BASE/incusd.log
		comm=incusd
		# Neither lxc's variables nor lxd-harden's discovery of them
		# must point at another daemon.
		unset LXD_DIR LXD_CONF LXD_SOCKET
		export INCUS_DIR=$LXDH_DIR INCUS_CONF=$LXDH_CONF
		export INCUS_SOCKET=$LXDH_DIR/unix.socket
	else
		LXDH_DIR=$LXDH_BASE/lxd
		LXDH_LOGFILE=$LXDH_BASE/lxd.log
		comm=lxd
		unset INCUS_DIR INCUS_CONF INCUS_SOCKET
		export LXD_DIR=$LXDH_DIR LXD_CONF=$LXDH_CONF
		export LXD_SOCKET=$LXDH_DIR/unix.socket
	fi
	LXDH_SOCKET=$LXDH_DIR/unix.socket
	mkdir -p "$LXDH_DIR" "$LXDH_CONF"
	chmod 0711 "$LXDH_DIR"
	if [ -n "${LXDH_PRESTART:-}" ] && ! $LXDH_PRESTART; then
		echo "lxdh_daemon_start: $LXDH_PRESTART failed" >&2
		return 1
	fi
	# LXDH_DAEMON_ARGS: extra daemon options, e.g. --debug (the benchmark
	# counts requests in the debug log).
	if lxdh_is_incus && lxdh_idmap_private; then
		# See lxdh_idmap_private. unshare and sh exec in place, so $!
		# is still the daemon.
		# shellcheck disable=SC2016,SC2086
		setsid unshare --mount --propagation slave sh -c \
			'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 && exec "$@"' \
			sh "$LXDH_BASE/subuid" "$LXDH_BASE/subgid" \
			"$LXDH_DAEMON" --group "${LXDH_GROUP:-root}" --logfile "$LXDH_LOGFILE" ${LXDH_DAEMON_ARGS:-} \
			</dev/null >"$LXDH_BASE/daemon.out" 2>&1 &
	else
		# shellcheck disable=SC2086
		setsid "$LXDH_DAEMON" --group "${LXDH_GROUP:-root}" --logfile "$LXDH_LOGFILE" ${LXDH_DAEMON_ARGS:-} \
			</dev/null >"$LXDH_BASE/daemon.out" 2>&1 &
	fi
	LXDH_PID=$!
	if ! lxdh_admin waitready --timeout=60 >>"$LXDH_BASE/daemon.out" 2>&1; then
		echo "lxdh_daemon_start: $comm did not become ready; its log:" >&2
		sed 's/^/#   /' "$LXDH_LOGFILE" "$LXDH_BASE/daemon.out" >&2 2>/dev/null
		return 1
	fi
	# setsid execs in place when it is not a group leader, so $! is the
	# daemon itself; make sure, since this PID is what we stop later.
	i=$(cat "/proc/$LXDH_PID/comm" 2>/dev/null)
	if [ "$i" != "$comm" ]; then
		echo "lxdh_daemon_start: PID $LXDH_PID is '$i', not $comm" >&2
		return 1
	fi
	# The client's first run prints a welcome text; have it here, quietly.
	lxdh_cli info </dev/null >/dev/null 2>&1
	lxdh_say "private $LXDH_NAME $(lxdh_daemon_version) pid $LXDH_PID, dir $LXDH_DIR"
}

# lxdh_pids_of_dir DIR: PIDs (other than ours) whose command line names DIR:
# the daemon's dnsmasq and forkproxy helpers and "[lxc monitor] DIR/..".
lxdh_pids_of_dir() {
	local dir=$1 p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] && continue
		[ "$p" = "$BASHPID" ] && continue
		if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF -- "$dir/"; then
			echo "$p"
		fi
	done
}

# lxdh_alive PID: the process exists and is not a zombie.
lxdh_alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# lxdh_stop_instances: force-stops every running instance of every project
# (busybox init ignores the clean-stop signal, and a daemon shutdown would
# wait for it).
lxdh_stop_instances() {
	timeout 30 "$LXDH_CLIENT" list --all-projects -f json </dev/null 2>/dev/null |
		jq -r '.[] | select(.status != "Stopped") | "\(.project) \(.name)"' 2>/dev/null |
		while read -r p n; do
			timeout 30 "$LXDH_CLIENT" stop --force --project "$p" "$n" </dev/null >/dev/null 2>&1
		done
}

# lxdh_daemon_stop: stops the daemon we started and everything it left.
# Safe to call more than once and from an EXIT trap.
lxdh_daemon_stop() {
	local i p mounts
	[ -n "$LXDH_BASE" ] || return 0
	# A caller that found the daemon again by its base dir (demo.sh
	# --stop) has no LXDH_DIR: never let an empty one reach the daemon,
	# which would then stop the system's.
	if [ -z "${LXDH_DIR:-}" ]; then
		if lxdh_is_incus; then LXDH_DIR=$LXDH_BASE/incus; else LXDH_DIR=$LXDH_BASE/lxd; fi
	fi
	[ -n "${LXDH_LOGFILE:-}" ] || LXDH_LOGFILE=$LXDH_BASE/$(lxdh_is_incus && echo incusd || echo lxd).log
	if [ -n "$LXDH_PID" ] && [ -d "/proc/$LXDH_PID" ]; then
		lxdh_stop_instances
		if lxdh_is_incus; then
			INCUS_DIR=$LXDH_DIR timeout 60 "$LXDH_DAEMON" shutdown >"$LXDH_BASE/shutdown.out" 2>&1
		else
			LXD_DIR=$LXDH_DIR timeout 60 lxd shutdown >"$LXDH_BASE/shutdown.out" 2>&1
		fi
		i=$?
		[ "$i" = 0 ] || lxdh_say "$LXDH_DAEMON shutdown exited $i: $(head -c 200 "$LXDH_BASE/shutdown.out")"
		for i in $(seq 1 150); do
			lxdh_alive "$LXDH_PID" || break
			sleep 0.2
		done
		if lxdh_alive "$LXDH_PID"; then
			lxdh_say "$LXDH_NAME shutdown ($(head -c 200 "$LXDH_BASE/shutdown.out" | tr '\n' ' ')) did not stop pid $LXDH_PID; killing it; its log ends:"
			tail -n 3 "$LXDH_LOGFILE" 2>/dev/null | cut -c1-300 | sed 's/^/#   /' | lxdh_log
			kill -TERM "$LXDH_PID" 2>/dev/null
			for i in $(seq 1 25); do
				lxdh_alive "$LXDH_PID" || break
				sleep 0.2
			done
			lxdh_alive "$LXDH_PID" && kill -KILL "$LXDH_PID" 2>/dev/null
		fi
		wait "$LXDH_PID" 2>/dev/null
	fi
	LXDH_PID=
	# Helpers of a daemon that did not shut down cleanly.
	for p in $(lxdh_pids_of_dir "$LXDH_BASE"); do
		kill -KILL "$p" 2>/dev/null
	done
	for i in "${LXDH_BRIDGES[@]}"; do
		ip link show "$i" >/dev/null 2>&1 && ip link delete "$i" 2>/dev/null
	done
	LXDH_BRIDGES=()
	# Unmount everything under the temp dir, deepest first.
	for i in 1 2 3; do
		mounts=$(awk -v b="$LXDH_BASE/" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
		[ -n "$mounts" ] || break
		for p in $mounts; do
			umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null
		done
	done
	lxdh_nft_cleanup
}

# lxdh_nft_cleanup [PRODUCT]: deletes the empty "table inet lxd" and
# "table bridge lxd" (the second comes with bridged-NIC filtering), or
# Incus's "incus" tables, when no daemon of that product runs on the host
# any more (they are shared by every daemon of the product). A table that
# still holds a chain, set or map is left alone.
lxdh_nft_cleanup() {
	local fam comm table
	case "${1:-$LXDH_PRODUCT}" in
	incus) comm=incusd table=incus ;;
	*) comm=lxd table=lxd ;;
	esac
	command -v nft >/dev/null 2>&1 || return 0
	# a daemon that has exited but is not reaped yet (a zombie) counts
	# as gone
	if ps -e -o stat=,comm= | awk -v c="$comm" '$1 !~ /^Z/ && $2 == c' | grep -q .; then
		return 0
	fi
	for fam in inet bridge; do
		nft list table "$fam" "$table" >/dev/null 2>&1 || continue
		if ! nft list table "$fam" "$table" 2>/dev/null |
			grep -qE '^\s*(chain|set|map) '; then
			nft delete table "$fam" "$table" 2>/dev/null
		fi
	done
}

# lxdh_daemon_cleanup: stop, then remove the temp dir (never across a
# mount that is still there).
lxdh_daemon_cleanup() {
	[ -n "$LXDH_BASE" ] || return 0
	lxdh_daemon_stop
	if awk -v b="$LXDH_BASE/" 'index($5, b) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		lxdh_say "mounts remain under $LXDH_BASE; not removing it"
	else
		rm -rf --one-file-system "$LXDH_BASE"
	fi
	LXDH_BASE='' LXDH_DIR='' LXDH_LOGFILE=''
}
