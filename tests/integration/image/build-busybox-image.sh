#!/bin/bash
# build-busybox-image.sh OUT.tar.gz - a tiny LXD container image (unified
# tarball: metadata.yaml + rootfs/) made from Debian's busybox-static.
#
#   tests/integration/image/build-busybox-image.sh /tmp/bb.tar.gz
#   lxc image import /tmp/bb.tar.gz --alias bb
#   lxc launch bb c1          # busybox init ignores SIGPWR: stop with --force
#
# Needs /bin/busybox to be the static build (apt-get install busybox-static).
set -eu

out=${1:?usage: build-busybox-image.sh OUT.tar.gz}
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ]; then
	echo "build-busybox-image: $busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
	echo "build-busybox-image: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bbimage.XXXXXX")
trap 'rm -rf "$work"' EXIT

arch=$(uname -m)
now=$(date +%s)
root=$work/rootfs

mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin \
	"$root"/dev "$root"/proc "$root"/sys "$root"/tmp "$root"/run \
	"$root"/root "$root"/var/log "$root"/etc/init.d
chmod 1777 "$root"/tmp
chmod 0700 "$root"/root
cp "$busybox" "$root"/bin/busybox
chmod 0755 "$root"/bin/busybox

# The applets the init sequence and an interactive shell need; everything
# else can be called as "busybox APPLET".
for a in sh ash cat ls ps mount umount mkdir rm cp mv ln echo sleep kill \
	hostname ip ifconfig udhcpc grep sed vi ping true false env id; do
	ln -s busybox "$root/bin/$a"
done
for a in init halt poweroff reboot; do
	ln -s ../bin/busybox "$root/sbin/$a"
done

cat >"$root"/etc/inittab <<'INITTAB'
::sysinit:/etc/init.d/rcS
::respawn:/bin/sh -c 'exec /bin/sleep 2147483647'
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
INITTAB
cat >"$root"/etc/init.d/rcS <<'RCS'
#!/bin/sh
mount -t tmpfs tmpfs /run 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
hostname -F /etc/hostname 2>/dev/null
exit 0
RCS
chmod 0755 "$root"/etc/init.d/rcS
echo "root:x:0:0:root:/root:/bin/sh" >"$root"/etc/passwd
echo "root:x:0:" >"$root"/etc/group
echo "busybox" >"$root"/etc/hostname

cat >"$work"/metadata.yaml <<META
architecture: $arch
creation_date: $now
properties:
  architecture: $arch
  description: busybox-static test image
  os: busybox
  release: static
  name: lxd-harden-busybox
templates: {}
META

tar -C "$work" --numeric-owner --owner=0 --group=0 -czf "$out" metadata.yaml rootfs
echo "$out"
