# lib.sh - a private, throw-away LXD daemon for the integration tests, the
# demo and the benchmark. Source it from bash; it sets no shell options.
#
#   . tests/integration/lib.sh
#   lxdh_daemon_start            # fresh LXD_DIR/LXD_CONF under a temp dir
#   trap lxdh_daemon_cleanup EXIT
#   lxc ...                      # talks to the private daemon only
#
# Rules it follows (shared/docs/real-lxd.md): a fresh LXD_DIR and LXD_CONF
# under mktemp -d; the daemon is started with setsid and stopped by its own
# PID and LXD_DIR, never by name; bridges get explicit free subnets; pool
# mounts under the temp dir are unmounted before anything is removed; the
# empty nft "table inet lxd" left by a shutdown is removed only when no
# other LXD daemon is running.

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

# lxdh_have_lxd: true when the lxd daemon and client are installed.
lxdh_have_lxd() {
	command -v lxd >/dev/null 2>&1 && command -v lxc >/dev/null 2>&1
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

# lxdh_bridge_create NAME [lxc network create options...]: a managed bridge
# with a free IPv4 subnet and no IPv6, remembered for cleanup.
lxdh_bridge_create() {
	local name=$1 net
	shift
	net=$(lxdh_free_subnet) || return 1
	LXDH_BRIDGES+=("$name")
	lxc network create "$name" "ipv4.address=$net.1/24" ipv6.address=none "$@" </dev/null
}

# lxdh_daemon_start [PREFIX]: starts a private LXD and exports LXD_DIR,
# LXD_CONF and LXD_SOCKET for it. Sets LXDH_BASE and LXDH_PID.
lxdh_daemon_start() {
	local prefix=${1:-lxdh} i
	# Not $TMPDIR: containers need every directory on the way to LXD_DIR to
	# be traversable, and a private TMPDIR often is not.
	LXDH_BASE=$(mktemp -d "${LXDH_TMPDIR:-/tmp}/$prefix.XXXXXX") || return 1
	# Containers run as a mapped root that must traverse the path to
	# LXD_DIR: mktemp's 0700 makes them fail to start.
	chmod 0711 "$LXDH_BASE"
	export LXD_DIR=$LXDH_BASE/lxd
	export LXD_CONF=$LXDH_BASE/conf
	export LXD_SOCKET=$LXD_DIR/unix.socket
	mkdir -p "$LXD_DIR" "$LXD_CONF"
	chmod 0711 "$LXD_DIR"
	# LXDH_DAEMON_ARGS: extra daemon options, e.g. --debug (the benchmark
	# counts requests in the debug log).
	# shellcheck disable=SC2086
	setsid lxd --group root --logfile "$LXDH_BASE/lxd.log" ${LXDH_DAEMON_ARGS:-} \
		</dev/null >"$LXDH_BASE/lxd.out" 2>&1 &
	LXDH_PID=$!
	if ! lxd waitready --timeout=60 >>"$LXDH_BASE/lxd.out" 2>&1; then
		echo "lxdh_daemon_start: lxd did not become ready; its log:" >&2
		sed 's/^/#   /' "$LXDH_BASE/lxd.log" "$LXDH_BASE/lxd.out" >&2 2>/dev/null
		return 1
	fi
	# setsid execs in place when it is not a group leader, so $! is lxd
	# itself; make sure, since this PID is what we stop later.
	i=$(cat "/proc/$LXDH_PID/comm" 2>/dev/null)
	if [ "$i" != lxd ]; then
		echo "lxdh_daemon_start: PID $LXDH_PID is '$i', not lxd" >&2
		return 1
	fi
	# The client's first run prints a welcome text; have it here, quietly.
	lxc info </dev/null >/dev/null 2>&1
	lxdh_say "private LXD $(lxd --version) pid $LXDH_PID, LXD_DIR=$LXD_DIR"
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
	timeout 30 lxc list --all-projects -f json </dev/null 2>/dev/null |
		jq -r '.[] | select(.status != "Stopped") | "\(.project) \(.name)"' 2>/dev/null |
		while read -r p n; do
			timeout 30 lxc stop --force --project "$p" "$n" </dev/null >/dev/null 2>&1
		done
}

# lxdh_daemon_stop: stops the daemon we started and everything it left.
# Safe to call more than once and from an EXIT trap.
lxdh_daemon_stop() {
	local i p mounts
	[ -n "$LXDH_BASE" ] || return 0
	if [ -n "$LXDH_PID" ] && [ -d "/proc/$LXDH_PID" ]; then
		lxdh_stop_instances
		LXD_DIR=$LXDH_BASE/lxd timeout 60 lxd shutdown >"$LXDH_BASE/shutdown.out" 2>&1
		i=$?
		[ "$i" = 0 ] || lxdh_say "lxd shutdown exited $i: $(head -c 200 "$LXDH_BASE/shutdown.out")"
		for i in $(seq 1 150); do
			lxdh_alive "$LXDH_PID" || break
			sleep 0.2
		done
		if lxdh_alive "$LXDH_PID"; then
			lxdh_say "lxd shutdown did not stop pid $LXDH_PID; killing it; its log ends:"
			tail -n 3 "$LXDH_BASE/lxd.log" 2>/dev/null | cut -c1-300 | sed 's/^/#   /' | lxdh_log
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

# lxdh_nft_cleanup: deletes the empty "table inet lxd" and "table bridge
# lxd" (the second comes with bridged-NIC filtering) when no LXD daemon
# runs on the host any more (they are shared by every daemon).
lxdh_nft_cleanup() {
	local fam
	command -v nft >/dev/null 2>&1 || return 0
	# a daemon that has exited but is not reaped yet (a zombie) counts
	# as gone
	if ps -e -o stat=,comm= | awk '$1 !~ /^Z/ && $2 == "lxd"' | grep -q .; then
		return 0
	fi
	for fam in inet bridge; do
		nft list table "$fam" lxd >/dev/null 2>&1 || continue
		if ! nft list table "$fam" lxd 2>/dev/null |
			grep -qE '^\s*(chain|set|map) '; then
			nft delete table "$fam" lxd 2>/dev/null
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
	LXDH_BASE=
}
