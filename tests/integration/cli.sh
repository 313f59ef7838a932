#!/bin/bash
# cli.sh - the errors a new user meets, each with its next step; prints TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/cli.sh
#
# Without a daemon: a wrong option is one line naming it and where the help
# is, with a "did you mean"; 'help CMD' is 'CMD --help'; -V is --version;
# a typo in a check id (explain, fix --only) names the id meant; a missing
# baseline names its path. Against a real private LXD 5.0.2 (lib.sh): a
# self-signed server certificate without --server-cert says how to fetch
# and pin it, and the printed openssl command, pasted, fetches the
# certificate that then works; "--remote NAME:" as lxc spells it; a
# private daemon's fix plan leaves the host alone without --host; a
# stopped daemon and a closed port say what was tried and what to check.
# Run it under flock /tmp/lxdh-integration.lock.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
LXDH_LOG=/dev/stdout
export NO_COLOR=1

W=$(mktemp -d "${TMPDIR:-/tmp}/lxdh-cli.XXXXXX") || exit 1
SAMPLE=$SRCDIR/tests/data/snapshot/sample-5.0.2

finish() {
	echo "1..$NTEST"
	if [ "$NFAIL" -gt 0 ]; then
		echo "# $NFAIL of $NTEST failed"
		exit 1
	fi
	exit 0
}

cleanup() {
	lxdh_daemon_cleanup
	rm -rf -- "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run NAME ARGS...: the program, stdout and stderr to $W/NAME.{out,err};
# RC its exit code.
run() {
	local name=$1
	shift
	"$BIN" "$@" </dev/null >"$W/$name.out" 2>"$W/$name.err"
	RC=$?
	ERR=$W/$name.err
}

# one_line DESC REGEX: exit 1, nothing on stdout, one stderr line matching.
one_line() {
	local desc=$1 re=$2 out=${ERR%.err}.out
	if [ "$RC" = 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -s "$out" ] &&
		grep -q '^lxd-harden: ' "$ERR" && grep -qE -- "$re" "$ERR"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "exit $RC (wanted 1); stderr (wanted one line matching /$re/):"
		head -n 5 "$ERR" | sed 's/^/#   /' >&3
	fi
}

# ------------------------------------------------ usage, no daemon ----

run opt audit --fial-on high
one_line "a misspelt option: one line, did you mean, where the help is" \
	"audit: unknown option '--fial-on' \(did you mean --fail-on\?\); see 'lxd-harden audit --help'$"
run opt2 fix --aply
one_line "fix: did you mean --apply" "did you mean --apply\?"
run amb audit --fail
one_line "an ambiguous prefix names the options it could be" \
	"option '--fail' is ambiguous \(--fail-on, --fail-on-new\)"
run noval audit --baseline
one_line "an option without its value" "option '--baseline' needs a value; see 'lxd-harden audit --help'"
run short checks -x
one_line "an unknown short option" "checks: unknown option '-x'; see 'lxd-harden checks --help'"
run prof profile create p --attatch all
one_line "profile: did you mean --attach" "profile: unknown option '--attatch' \(did you mean --attach\?\)"
run usg usg-tailoring --benchmrk x
one_line "usg-tailoring: did you mean --benchmark" "did you mean --benchmark\?"
run rb rollback --jurnal-dir x
one_line "rollback: did you mean --journal-dir" "did you mean --journal-dir\?"
run cmd audti
one_line "a misspelt command: did you mean" "unknown command 'audti' \(did you mean 'audit'\?\)"

for c in audit fix rollback checks usg-tailoring profile; do
	"$BIN" help "$c" >"$W/h1" 2>&1
	r1=$?
	if [ "$c" = profile ]; then
		"$BIN" profile create --help >"$W/h2" 2>&1
	else
		"$BIN" "$c" --help >"$W/h2" 2>&1
	fi
	r2=$?
	check "'help $c' prints what '$c --help' prints, exit 0" \
		[ "$r1" = 0 ] && [ "$r2" = 0 ] && cmp -s "$W/h1" "$W/h2"
done
run helpbad help nosuch
one_line "'help' of no command" "help takes one command name"
"$BIN" -V >"$W/v1" 2>&1
"$BIN" --version >"$W/v2" 2>&1
check "-V is --version" cmp -s "$W/v1" "$W/v2"

run exp explain acc-1
check "explain takes an id the way people type it (acc-1)" [ "$RC" = 0 ]
check "  and explains LXD-ACC-001" grep -q '^LXD-ACC-001 ' "$W/exp.out"
run exp2 explain LXD-ISN-001
one_line "explain: a misspelt id names the id meant" "no check 'LXD-ISN-001' \(did you mean LXD-INS-001\?\)"
run only fix --only LXD-INS-03:c1
one_line "fix --only: a misspelt id names the one meant, NAME kept" \
	"no check 'LXD-INS-03' \(did you mean LXD-INS-003:c1\?\)"
run only2 fix --only nonsense
one_line "fix --only: no id like it: the form and where ids are" \
	"check id from 'lxd-harden checks'"

run base audit --input "$SAMPLE" --baseline "$W/nosuch.json"
one_line "a missing baseline names its path and what a baseline is" \
	"cannot read baseline '$W/nosuch.json': No such file or directory \(a baseline is the JSON report of an earlier audit"
if grep -q 'line -1' "$ERR"; then
	not_ok "  and no 'line -1 column -1'"
else
	ok "  and no 'line -1 column -1'"
fi

# ------------------------------------------------ a real LXD 5.0.2 ----

if ! lxdh_have_lxd; then
	skip "the cases against a real LXD" "lxd and lxc are not installed"
	finish
fi
if ! lxdh_daemon_start lxdh-cli; then
	not_ok "a private LXD starts"
	finish
fi
PORT=$(lxdh_free_port)
lxc config set core.https_address "127.0.0.1:$PORT" >/dev/null 2>&1 &&
	lxc config set core.trust_password cli-pw >/dev/null 2>&1
check "the private LXD listens on 127.0.0.1:$PORT" \
	lxc config get core.https_address
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$W/client.key" -out "$W/client.crt" -days 30 -subj /CN=lxdh-cli \
	>/dev/null 2>&1
lxc config trust add "$W/client.crt" --name lxdh-cli >/dev/null 2>&1

# The self-signed certificate, nothing pinned: how to pin it.
run tls audit --url "https://127.0.0.1:$PORT" --cert "$W/client.crt" --key "$W/client.key"
one_line "a self-signed server certificate without --server-cert: how to pin it" \
	"did not verify: .*self-signed.*--server-cert FILE.*openssl s_client -connect 127\.0\.0\.1:$PORT </dev/null \| openssl x509 > server\.crt.*'lxc remote add' / 'incus remote add'"
# The printed command, pasted as it is, in a fresh directory.
fetch=$(grep -o 'openssl s_client [^(]*server\.crt' "$ERR")
mkdir -p "$W/paste"
(cd "$W/paste" && bash -c "$fetch" >/dev/null 2>&1)
check "  the printed openssl command, pasted, fetches the server's certificate" \
	cmp -s <(openssl x509 -in "$W/paste/server.crt" -outform der 2>/dev/null) \
	<(openssl x509 -in "$LXD_DIR/server.crt" -outform der)
run tls2 audit --url "https://127.0.0.1:$PORT" --cert "$W/client.crt" \
	--key "$W/client.key" --server-cert "$W/paste/server.crt" --format json
check "  and --server-cert with it audits (exit 2: findings)" [ "$RC" = 2 ]

# --remote NAME: as lxc writes it, after 'lxc remote add'.
if lxc remote add clitest "https://127.0.0.1:$PORT" --accept-certificate \
	--password cli-pw >"$W/remote.log" 2>&1; then
	run rem audit --remote clitest: --format json
	check "--remote clitest: (lxc's spelling) audits remote clitest" [ "$RC" = 2 ]
	check "  and names it clitest" \
		jq -e '.target.endpoint // .endpoint // "" | tostring | test("clitest")' "$W/rem.out"
	run rem2 audit --remote 'clitest::'
	one_line "  '--remote clitest::' is not a remote name" "invalid remote name 'clitest::'"
else
	not_ok "lxc remote add for the --remote case"
	diag "$(cat "$W/remote.log")"
fi

# A private daemon: fix plans nothing on this machine without --host.
run aud audit --socket "$LXD_SOCKET" --format json
host_fail=$(jq -r '.results[] | select(.status == "fail") | .id' "$W/aud.out" 2>/dev/null |
	grep -xE 'LXD-(ACC-002|MUL-004|LOG-001|LOG-002|LOG-003)')
run plan fix --socket "$LXD_SOCKET"
check "fix on a private daemon: no host file in the plan" \
	eval "! grep -E '^  \[.\] LXD-(ACC-002|MUL-004|LOG-00[123]) ' '$W/plan.out'"
if [ -z "$host_fail" ]; then
	skip "  each failing host check is named with --host" "no host check fails on this machine"
else
	for id in $host_fail; do
		check "  $id: 'not planned ... add --host'" \
			grep -q "$id: not planned: it changes this machine.*add --host to plan it" "$W/plan.out"
	done
	run planh fix --socket "$LXD_SOCKET" --host
	check "  with --host they are planned again" \
		eval "! grep -q 'add --host to plan it' '$W/planh.out'"
fi

# A closed port, then a stopped daemon: what was tried and what to check.
CLOSED=$(lxdh_free_port)
run refused audit --url "https://127.0.0.1:$CLOSED" --cert "$W/client.crt" --key "$W/client.key"
one_line "a closed port: refused, is the daemon running, core.https_address" \
	"cannot connect to 'https://127\.0\.0\.1:$CLOSED': Connection refused \(is the daemon running, and is core\.https_address"
SOCK=$LXD_SOCKET
lxdh_daemon_stop
run stopped audit --socket "$SOCK"
one_line "a stopped daemon: the socket tried and is the daemon running" \
	"cannot connect to 'unix://$SOCK': .*(no daemon listens on this socket|no socket there): is (it|the daemon) running\?"

finish
