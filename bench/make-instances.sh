#!/bin/bash
# make-instances.sh N - creates N stopped containers (lxc init --empty) on
# the LXD that LXD_DIR points at, spread over the default project and three
# projects with their own profiles, with a little config so the report has
# something to say. Refuses to run without a private LXD_DIR.
#
#   LXD_DIR=/tmp/x/lxd LXD_CONF=/tmp/x/conf bench/make-instances.sh 1000
set -u

n=${1:?usage: make-instances.sh N}
jobs=${JOBS:-2}

case "${LXD_DIR:-}" in
"" | /var/lib/lxd | /var/lib/lxd/ | /var/snap/lxd/common/lxd*)
	echo "make-instances.sh: set LXD_DIR to a private, throw-away daemon" >&2
	exit 1
	;;
esac

projects="default bench-a bench-b bench-c"

lxc storage show default >/dev/null 2>&1 || lxc storage create default dir >/dev/null || exit 1
lxc profile device show default 2>/dev/null | grep -q '^root:' ||
	lxc profile device add default root disk path=/ pool=default >/dev/null || exit 1
for p in $projects; do
	[ "$p" = default ] && continue
	if ! lxc project show "$p" >/dev/null 2>&1; then
		lxc project create "$p" -c features.profiles=true \
			-c features.images=false -c features.storage.volumes=false >/dev/null || exit 1
		lxc profile device add default root disk path=/ pool=default \
			--project "$p" >/dev/null || exit 1
		lxc profile set default limits.cpu=1 limits.memory=512MiB \
			--project "$p" >/dev/null || exit 1
	fi
done

# One line per instance: "PROJECT NAME CONFIG..." (every 10th nested,
# every 25th privileged, every 3rd with limits).
# shellcheck disable=SC2086
set -- $projects
np=$#
# shellcheck disable=SC2016
for i in $(seq 1 "$n"); do
	k=$(((i - 1) % np + 1))
	p=${!k}
	cfg=
	[ $((i % 3)) = 0 ] && cfg="$cfg -c limits.processes=500"
	[ $((i % 10)) = 0 ] && cfg="$cfg -c security.nesting=true"
	[ $((i % 25)) = 0 ] && cfg="$cfg -c security.privileged=true"
	printf '%s c%04d%s\n' "$p" "$i" "$cfg"
done | xargs -P "$jobs" -L 1 sh -c \
	'p=$1 name=$2; shift 2; lxc init --empty "$name" --project "$p" "$@" >/dev/null 2>&1 ||
		echo "make-instances.sh: lxc init $name --project $p failed" >&2' sh

count=$(lxc list --all-projects -f csv -c n 2>/dev/null | wc -l)
echo "$count instances"
if [ "$count" -lt "$n" ]; then
	echo "make-instances.sh: only $count of $n instances exist" >&2
	exit 1
fi
