#!/bin/bash
# check.sh - the Debian package builds, is lintian-clean, installs into a
# clean Debian 12 root, works there, and purges without a trace. TAP.
#
#   tests/package/check.sh            (from the source tree; needs root)
#
# The build runs in a copy of the tree (git's tracked and unignored files),
# so neither the checkout nor its parent directory is written. The clean
# root is made by mmdebstrap from Debian's own packages; the package goes
# in with `apt-get install ./lxd-harden_*.deb`, as an admin would do it.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=../integration/tap.sh
. "$SRCDIR/tests/integration/tap.sh"
MIRROR=${LXDH_DEBIAN_MIRROR:-http://deb.debian.org/debian}

NTEST=0
NFAIL=0
W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-pkg.XXXXXX") || exit 1
trap 'rm -rf --one-file-system -- "$W"' EXIT

finish() {
	echo "1..$NTEST"
	[ "$NFAIL" = 0 ]
	exit
}

# ---- build
mkdir "$W/src"
(cd "$SRCDIR" && git ls-files -z -co --exclude-standard |
	xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$W/src"
if (cd "$W/src" && dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds the package"
else
	not_ok "dpkg-buildpackage -us -uc -b builds the package"
	tail -30 "$W/build.log" | sed 's/^/# /'
	finish
fi
deb=$(ls "$W"/lxd-harden_*_*.deb 2>/dev/null | head -1)
version=$(dpkg-parsechangelog -l "$SRCDIR/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
if [ "$(basename "$deb")" = "lxd-harden_${version}_${arch}.deb" ]; then
	ok "the package is lxd-harden_${version}_${arch}.deb"
else
	not_ok "the package is lxd-harden_${version}_${arch}.deb (got '$deb')"
	finish
fi

# ---- lintian: no error and no warning that the package does not justify
lintian --fail-on error,warning --no-tag-display-limit "$W"/*.changes \
	>"$W/lintian.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	ok "lintian reports no error and no warning"
else
	not_ok "lintian reports no error and no warning"
	grep -E '^(E|W):' "$W/lintian.log" | head -20 | sed 's/^/# /'
fi

# ---- contents
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/bin/lxd-harden ./usr/share/lxd-harden/releases.json \
	./usr/share/man/man1/lxd-harden.1.gz \
	./usr/share/man/man1/lxd-harden-audit.1.gz \
	./usr/share/man/man5/lxd-harden-policy.5.gz \
	./usr/share/bash-completion/completions/lxd-harden \
	./usr/share/zsh/vendor-completions/_lxd-harden \
	./usr/share/doc/lxd-harden/examples/policy.yaml \
	./usr/share/doc/lxd-harden/copyright \
	./lib/systemd/system/lxd-harden.service \
	./lib/systemd/system/lxd-harden.timer \
	./lib/systemd/system/lxd-harden-watch.service \
	./usr/libexec/lxd-harden/lxd-harden-audit \
	./usr/share/lxd-harden/prometheus/lxd-harden.rules.yml \
	./usr/share/lxd-harden/grafana/lxd-harden.json; do
	if grep -qx -- "$f" <<<"$contents"; then
		ok "the package holds $f"
	else
		not_ok "the package holds $f"
	fi
done

# The units start what the package holds.
dpkg-deb -x "$deb" "$W/x"
for u in lxd-harden.service lxd-harden-watch.service; do
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$W/x/lib/systemd/system/$u" 2>/dev/null)
	if [ -n "$exe" ] && [ -x "$W/x$exe" ]; then
		ok "$u starts $exe, which the package holds"
	else
		not_ok "$u starts '$exe', which the package holds"
	fi
done

# ---- a clean root: install, use, purge
cp "$deb" "$W/pkg.deb"
probe='set -e
lxd-harden --version
man -w lxd-harden
man -w lxd-harden-audit
lxd-harden checks >/dev/null
lxd-harden checks --format ids | wc -l'
if mmdebstrap --variant=apt --include=man-db bookworm "$W/root" "$MIRROR" \
	>"$W/mmdebstrap.log" 2>&1; then
	ok "mmdebstrap makes a clean Debian 12 root"
else
	not_ok "mmdebstrap makes a clean Debian 12 root"
	tail -20 "$W/mmdebstrap.log" | sed 's/^/# /'
	finish
fi
cp "$W/pkg.deb" "$W/root/tmp/$(basename "$deb")"
cp /etc/resolv.conf "$W/root/etc/resolv.conf" 2>/dev/null
inroot() {
	chroot "$W/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 /bin/sh -c "$1"
}
mount -t proc proc "$W/root/proc" 2>/dev/null && MOUNTED=1 || MOUNTED=
trap '[ -n "$MOUNTED" ] && umount "$W/root/proc"; rm -rf --one-file-system -- "$W"' EXIT
if inroot "apt-get update -q && cd /tmp && apt-get install -y -q ./$(basename "$deb")" \
	>"$W/install.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb") in the clean root"
else
	not_ok "apt-get install ./$(basename "$deb") in the clean root"
	tail -20 "$W/install.log" | sed 's/^/# /'
	finish
fi
# What the package put there: its files (not the directories it shares).
inroot "dpkg -L lxd-harden" | while read -r f; do
	[ -d "$W/root$f" ] || echo "$f"
done >"$W/files"
if inroot "$probe" >"$W/probe.log" 2>&1; then
	ok "--version, man -w and checks work in the clean root"
	sed 's/^/# /' "$W/probe.log"
else
	not_ok "--version, man -w and checks work in the clean root"
	sed 's/^/# /' "$W/probe.log"
fi
if inroot "apt-get purge -y -q lxd-harden && apt-get autoremove --purge -y -q" \
	>"$W/purge.log" 2>&1 &&
	! inroot "dpkg -s lxd-harden" >/dev/null 2>&1; then
	ok "apt-get purge removes the package"
else
	not_ok "apt-get purge removes the package"
	tail -20 "$W/purge.log" | sed 's/^/# /'
fi
rm -f "$W/root/tmp/$(basename "$deb")"
# Nothing of it remains: none of its files, and no path named after it
# (a state or config directory it might have made).
left=$(while read -r f; do [ -e "$W/root$f" ] && echo "$f"; done <"$W/files"
	(cd "$W/root" && find . -xdev -path ./proc -prune -o -name '*lxd-harden*' -print))
if [ -s "$W/files" ] && [ -z "$left" ]; then
	ok "purging leaves nothing behind ($(wc -l <"$W/files") files checked)"
else
	not_ok "purging leaves nothing behind"
	head -20 <<<"$left" | sed 's/^/# /'
fi
finish
