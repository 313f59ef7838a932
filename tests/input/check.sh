#!/bin/bash
# check.sh - `audit --input DIR` on saved states that cannot be used
#
# TAP. A missing file leaves its part absent (the checks that need it
# err, exit 2); a file that exists but cannot be used (a FIFO, a device,
# a directory, a symbolic link or a loop of them, an unreadable file) and
# a DIR that is not a directory are one line on stderr and exit 1, and
# never block: every run has a 20 s limit, and a FIFO with no writer would
# otherwise hang open() forever.
set -u

srcdir=${LXDH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${LXDH_BIN:-$srcdir/build/lxd-harden}
. "$srcdir/tests/integration/tap.sh"
export NO_COLOR=1 SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795880000}
export LXD_HARDEN_RELEASES=$srcdir/data/releases.json

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fixture=$srcdir/tests/data/snap/sample-502

# fresh STATE: a copy of the fixture
fresh() {
	rm -rf "$tmp/s"
	cp -r "$fixture" "$tmp/s"
}

# audit DIR: runs the audit with a time limit; sets rc, out, err
audit() {
	timeout 20 "$bin" audit --input "$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
}

# unusable DESC NEEDLE: exit 1, one line on stderr that says NEEDLE
unusable() {
	if [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
	   grep -qF -- "$2" "$tmp/err"; then
		ok "$1"
	else
		not_ok "$1"
		diag "rc=$rc (124: timed out)" "stderr: $err"
	fi
}

fresh
rm "$tmp/s/projects.json"
audit "$tmp/s"
if [ "$rc" = 2 ] && [ ! -s "$tmp/err" ] &&
   grep -q 'no projects.json in the snapshot directory' "$tmp/out"; then
	ok "a missing file leaves its part absent and the checks err"
else
	not_ok "a missing file leaves its part absent and the checks err"
	diag "rc=$rc" "$err"
fi

fresh
rm "$tmp/s/projects.json"
mkfifo "$tmp/s/projects.json"
audit "$tmp/s"
unusable "a FIFO is refused without blocking" "projects.json': it is a FIFO"

fresh
rm "$tmp/s/certificates.json"
mkdir "$tmp/s/certificates.json"
audit "$tmp/s"
unusable "a directory is refused" "certificates.json': it is a directory"

fresh
rm "$tmp/s/networks.json"
ln -s networks.json "$tmp/s/networks.json"
audit "$tmp/s"
unusable "a symbolic link loop is refused" "networks.json': it is a symbolic link"

fresh
rm "$tmp/s/server.json"
ln -s "$fixture/server.json" "$tmp/s/server.json"
audit "$tmp/s"
unusable "a symbolic link is not followed" "server.json': it is a symbolic link"

fresh
rm "$tmp/s/operations.json"
if mknod "$tmp/s/operations.json" c 1 3 2>/dev/null; then
	audit "$tmp/s"
	unusable "a character device is refused" "operations.json': it is a character device"
else
	skip "a character device is refused" "mknod needs root"
fi

# root reads any file: as root, the run drops to nobody for this one
fresh
chmod 755 "$tmp" "$tmp/s"
chmod 644 "$tmp"/s/*.json
chmod 000 "$tmp/s/profiles.json"
if [ "$(id -u)" != 0 ]; then
	audit "$tmp/s"
	unusable "an unreadable file is refused" "profiles.json': Permission denied"
elif command -v setpriv >/dev/null; then
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$bin" audit --input "$tmp/s" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
	unusable "an unreadable file is refused" "profiles.json': Permission denied"
else
	skip "an unreadable file is refused" "root reads any file and setpriv is missing"
fi

audit "$tmp/nonexistent"
unusable "a missing directory is named" "cannot read the saved state '$tmp/nonexistent': No such file"

audit "$fixture/server.json"
unusable "a file given as the directory is refused" "Not a directory"

fresh
echo '{"type":"sync","status_code":200,"error_code":0,"metadata":[1,2]}' \
	>"$tmp/s/certificates.json"
audit "$tmp/s"
if [ "$rc" = 2 ] &&
   grep -q 'certificates.json: at \$\[0\]: expected object, got integer' "$tmp/out" &&
   grep -qE '^ *ERROR .*LXD-ACC-006 ' "$tmp/out" &&
   ! grep -E '^ *(PASS|N/A) .*LXD-ACC-00[56] ' "$tmp/out" >/dev/null; then
	ok "certificates given as numbers make the certificate checks err"
else
	not_ok "certificates given as numbers make the certificate checks err"
	diag "rc=$rc" "$(grep -E 'ACC-00[56]|certificates.json' "$tmp/out")"
fi

echo "1..$NTEST"
[ "$NFAIL" = 0 ]
