#!/bin/bash
# output.sh - what lxd-harden prints cannot be turned against the reader;
# TAP. Bytes from a file, the command line or a saved server state reach
# the terminal escaped (errors, parser errors, policy errors, the report);
# -o keeps to the fs.protected_symlinks rule and the umask; a client key
# others can read gets a warning. No daemon is needed.
set -u
BIN=${LXDH_BIN:?LXDH_BIN names the lxd-harden binary}
SRC=${LXDH_SRCDIR:?LXDH_SRCDIR names the source tree}
. "$SRC/tests/integration/tap.sh"

W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-cli-out.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
HOSTILE=$SRC/tests/data/workload/hostile
GOOD=$SRC/tests/data/workload/lxd-502
ESC=$'\e'
RLO=$'\u202e'
fails() { ! "$@"; }

# clean FILE: no control byte but newline, no DEL, no C1, no bidi or
# zero-width character.
clean() {
	! LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

# --------------------------------------------------------- errors ----
mkdir "$W/bad"
cp "$GOOD"/*.json "$W/bad/"
printf '{"config": %s]0;pwned\a%s }' "$ESC" "$RLO" >"$W/bad/server.json"
"$BIN" audit --input "$W/bad" >"$W/e1.out" 2>"$W/e1.err"
rc=$?
check "a parser error on hostile JSON exits 1 (got $rc)" [ "$rc" = 1 ]
check "  its message is one line, escaped" \
	eval '[ "$(wc -l <"$W/e1.err")" = 1 ] && clean "$W/e1.err"'

printf 'version: 1\nskip:\n  - check: "LXD-%s]0;x\a%sY"\n    reason: r\n' "$ESC" "$RLO" >"$W/p1.yaml"
printf 'version: 1\nskip:\n  - check: LXD-X%sY\n    reason: r\n' "$RLO" >"$W/p2.yaml"
for p in p1 p2; do
	"$BIN" audit --input "$GOOD" --policy "$W/$p.yaml" >"$W/$p.out" 2>"$W/$p.err"
	rc=$?
	check "policy $p with hostile bytes: exit 1 (got $rc), one escaped line" \
		eval '[ "$rc" = 1 ] && [ "$(wc -l <"$W/$p.err")" = 1 ] && clean "$W/$p.err"'
done
check "  the bidi override is shown as \\u202e" grep -qF '\u202e' "$W/p2.err"

"$BIN" audit "--x${ESC}]0;pwned"$'\a'"$RLO" >/dev/null 2>"$W/o.err"
rc=$?
check "a bad option with hostile bytes: exit 1 (got $rc), escaped" \
	eval '[ "$rc" = 1 ] && clean "$W/o.err" && grep -qF "bad option" "$W/o.err"'

"$BIN" audit --input "$W/no${ESC}[2Jdir${RLO}" >/dev/null 2>"$W/d.err"
rc=$?
check "a missing --input directory with hostile bytes in its name: escaped (exit $rc)" \
	eval '[ "$rc" = 1 ] && clean "$W/d.err"'

# --------------------------------------------------------- report ----
"$BIN" audit --input "$HOSTILE" >"$W/r.txt" 2>"$W/r.err"
check "the text report of hostile names holds no control or bidi byte" \
	eval 'clean "$W/r.txt" && clean "$W/r.err" && grep -qF "\\u202e" "$W/r.txt"'
check "  and its remediations are shell-quoted" \
	grep -qF "lxc profile set 'priv\$(touch\${IFS}x)'\"'\"'\`touch" "$W/r.txt"

for fmt in json sarif junit html prometheus; do
	"$BIN" audit --input "$HOSTILE" --format "$fmt" >"$W/r.$fmt" 2>/dev/null
	check "the $fmt report of hostile names holds no control or bidi byte" clean "$W/r.$fmt"
done
check "  SARIF names the object by its decoded name" \
	eval 'jq -r ".runs[0].results[].locations[0].logicalLocations[0].name" "$W/r.sarif" | grep -qF "br4\$(touch"'
check "  the JSON still holds the names as they are" \
	eval 'jq -r ".results[].findings[]?.message" "$W/r.json" | grep -qF "$RLO"'

# -------------------------------------------------------------- -o ----
( umask 077 && "$BIN" audit --input "$GOOD" --format json -o "$W/private.json" ) >/dev/null 2>&1
check "-o: a new report file honours umask 077 (mode $(stat -c %a "$W/private.json" 2>/dev/null))" \
	[ "$(stat -c %a "$W/private.json" 2>/dev/null)" = 600 ]
( umask 022 && "$BIN" audit --input "$GOOD" --format json -o "$W/public.json" ) >/dev/null 2>&1
check "-o: and umask 022 gives 644" [ "$(stat -c %a "$W/public.json" 2>/dev/null)" = 644 ]

if [ "$(id -u)" = 0 ]; then
	mkdir -m 1777 "$W/sticky"
	echo secret >"$W/target"
	ln -s "$W/target" "$W/sticky/report.json"
	chown -h 65534:65534 "$W/sticky/report.json"
	"$BIN" audit --input "$GOOD" -o "$W/sticky/report.json" >/dev/null 2>"$W/s.err"
	rc=$?
	check "-o refuses another user's link in a sticky world-writable directory (exit $rc)" \
		eval '[ "$rc" = 1 ] && [ "$(cat "$W/target")" = secret ]'
	check "  with one line saying why" \
		eval '[ "$(wc -l <"$W/s.err")" = 1 ] && grep -q "sticky world-writable" "$W/s.err"'
	chown -h 0:0 "$W/sticky/report.json"
	"$BIN" audit --input "$GOOD" -o "$W/sticky/report.json" >/dev/null 2>&1
	check "  but follows the caller's own link" \
		eval '[ "$(head -c 6 "$W/target")" != secret ]'
else
	skip "-o and links of other users in sticky directories" "needs root to own a link as another user"
fi

# ------------------------------------------------------ client key ----
cp "$SRC/tests/data/target/conf-good/client.crt" "$SRC/tests/data/target/conf-good/client.key" "$W/"
chmod 644 "$W/client.key"
PORT=1
"$BIN" audit --url "https://127.0.0.1:$PORT" --cert "$W/client.crt" --key "$W/client.key" >/dev/null 2>"$W/k.err"
check "a client key readable by everyone gets a warning" \
	grep -q "^lxd-harden: warning: client key '$W/client.key' is readable by everyone (mode 0644)" "$W/k.err"
chmod 600 "$W/client.key"
"$BIN" audit --url "https://127.0.0.1:$PORT" --cert "$W/client.crt" --key "$W/client.key" >/dev/null 2>"$W/k2.err"
check "  a 0600 key gets none" fails grep -q "warning: client key" "$W/k2.err"

echo "1..$NTEST"
exit $((NFAIL > 0))
