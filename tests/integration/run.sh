#!/bin/bash
# run.sh - lxd-harden against a real, private LXD or Incus daemon; prints
# TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/run.sh
#   LXDH_PRODUCT=incus LXDH_BIN=build/lxd-harden tests/integration/run.sh
#
# Starts one throw-away daemon (fresh daemon dir and client conf under a temp dir,
# HTTPS on 127.0.0.1 at a free port), plants each violation the GEN, ACC
# and NET checks look for, asserts the finding in the JSON report, puts the
# clean counterpart and asserts it passes. Then the remote paths, the error
# paths and one run under valgrind. An EXIT trap stops the daemon and
# removes everything it made, whatever happens. A missing daemon is a
# failure. Where LXD and Incus differ, a "# incus:" line says why and the
# test asserts what Incus does.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=tap.sh
. "$HERE/tap.sh"
# The shipped release table, whatever the caller's environment says.
unset LXD_HARDEN_RELEASES NO_COLOR
# The client reads YAML from a stdin that is not a terminal (lxc init,
# incus config edit ...): give it none.
exec </dev/null
LXDH_LOG_FD=1

# ---------------------------------------------------------------- TAP ----

NTEST=0
NFAIL=0
PLANNED=
W=			# scratch dir (inside the daemon's temp dir)
SERVER_PIDS=()		# helper servers this script started

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
	local p
	for p in "${SERVER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# LXDH_IT_ARTIFACTS=DIR keeps the reports and logs for a look later.
	if [ -n "${LXDH_IT_ARTIFACTS:-}" ] && [ -n "$W" ] && [ -d "$W" ]; then
		mkdir -p "$LXDH_IT_ARTIFACTS" &&
			cp -r "$W"/. "$LXDH_LOGFILE" "$LXDH_IT_ARTIFACTS"/ 2>/dev/null
		echo "# reports and logs kept in $LXDH_IT_ARTIFACTS"
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

# L CMD...: a client command (lxc or incus) whose output goes to the log;
# a failure is reported as a diagnostic and returned.
L() {
	if ! lxdh_cli "$@" >>"$W/lxc.log" 2>"$W/lxc.err"; then
		echo "# $LXDH_CLIENT $* failed:"
		sed 's/^/#   /' "$W/lxc.err"
		cat "$W/lxc.err" >>"$W/lxc.log"
		return 1
	fi
}

# srv_set KEY=VALUE...: PATCH /1.0 (never PUT, see real-lxd.md). An empty
# value unsets the key.
srv_set() {
	local json='{}' kv
	for kv in "$@"; do
		json=$(jq -c --arg k "${kv%%=*}" --arg v "${kv#*=}" '.[$k] = $v' <<<"$json")
	done
	L query -X PATCH /1.0 --data "{\"config\": $json}"
}

# run NAME ARGS...: runs the binary; stdout in $W/NAME.out, stderr in
# $W/NAME.err, exit code in RC, the output file in OUT.
run() {
	local name=$1
	shift
	"$BIN" "$@" >"$W/$name.out" 2>"$W/$name.err"
	RC=$?
	OUT=$W/$name.out
}

# audit NAME ARGS...: a JSON audit of the private daemon over its socket.
audit() {
	local name=$1
	shift
	run "$name" audit --socket "$LXDH_SOCKET" --format json --no-color "$@"
	if ! jq -e '.results' "$OUT" >/dev/null 2>&1; then
		echo "# audit $name: exit $RC and no JSON report; stderr:"
		sed 's/^/#   /' "$W/$name.err" | head -n 20
	fi
}

# expect_rc DESC WANT: the last run exited with WANT.
expect_rc() {
	if [ "$RC" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "exit code $RC, wanted $2; stderr:"
		sed 's/^/#   /' "${OUT%.out}.err" | head -n 10
	fi
}

# expect_error DESC REGEX: the last run exited 1 with one line on stderr
# starting "lxd-harden: " and matching REGEX (extended, case-insensitive).
expect_error() {
	local desc=$1 re=$2 err=${OUT%.out}.err
	if [ "$RC" = 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
		grep -q '^lxd-harden: ' "$err" && grep -qiE -- "$re" "$err"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "exit code $RC (wanted 1), stderr (wanted one line matching /$re/i):"
		sed 's/^/#   /' "$err" | head -n 10
	fi
}

# jq_filter FIELD=VALUE...: a jq condition on a finding ("status=fail"
# "object=/1.0" "key=k" "value=v" "severity=low"); values come in as
# $a0, $a1, ... so nothing needs quoting. Sets JQ_COND and JQ_ARGS.
jq_filter() {
	local i=0 kv
	JQ_COND=true
	JQ_ARGS=()
	for kv in "$@"; do
		JQ_COND="$JQ_COND and (.${kv%%=*} // \"\" | tostring) == \$a$i"
		JQ_ARGS+=(--arg "a$i" "${kv#*=}")
		i=$((i + 1))
	done
}

# show_result FILE ID: the check's result as diagnostics.
show_result() {
	jq -c --arg id "$2" '.results[] | select(.id == $id)' "$1" 2>/dev/null |
		cut -c1-1500 | sed 's/^/#   got: /'
}

# expect_finding DESC FILE ID FIELD=VALUE...: a finding of check ID with
# those fields exists (add status=fail to ask for a failing one).
expect_finding() {
	local desc=$1 file=$2 id=$3
	shift 3
	jq_filter "$@"
	if jq -e "${JQ_ARGS[@]}" --arg id "$id" \
		"[.results[] | select(.id == \$id) | .findings[] | select($JQ_COND)] | length > 0" \
		"$file" >/dev/null 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "wanted a $id finding with $*"
		show_result "$file" "$id"
	fi
}

# expect_no_fail DESC FILE ID FIELD=VALUE...: no failing finding of check
# ID matches (the object is not flagged), and the check itself ran.
expect_no_fail() {
	local desc=$1 file=$2 id=$3
	shift 3
	jq_filter status=fail "$@"
	if jq -e "${JQ_ARGS[@]}" --arg id "$id" \
		"([.results[] | select(.id == \$id)] | length == 1) and
		 ([.results[] | select(.id == \$id) | .status] != [\"error\"]) and
		 ([.results[] | select(.id == \$id) | .findings[] | select($JQ_COND)] | length == 0)" \
		"$file" >/dev/null 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "wanted no failing $id finding with $*"
		show_result "$file" "$id"
	fi
}

# expect_status DESC FILE ID STATUS [SEVERITY]: the check's result.
expect_status() {
	local desc=$1 file=$2 id=$3 st=$4 sev=${5:-}
	if jq -e --arg id "$id" --arg st "$st" --arg sev "$sev" \
		'[.results[] | select(.id == $id)] as $r |
		 ($r | length == 1) and $r[0].status == $st and
		 ($sev == "" or $r[0].severity == $sev)' "$file" >/dev/null 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "wanted $id status $st${sev:+ severity $sev}"
		show_result "$file" "$id"
	fi
}

# not_in_files DESC STRING FILE...: a secret appears in none of the files.
not_in_files() {
	local desc=$1 s=$2 hits
	shift 2
	if [ -z "$s" ]; then
		not_ok "$desc"
		diag "the secret to look for is empty (test setup failed)"
		return
	fi
	hits=$(grep -lF -- "$s" "$@" 2>/dev/null)
	if [ "$(cat "$@" 2>/dev/null | wc -c)" -lt 1000 ]; then
		not_ok "$desc"
		diag "the outputs searched are (nearly) empty: no report to look in"
	elif [ -z "$hits" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "found in: $hits"
	fi
}

# newcert NAME DAYS [openssl req options]: a self-signed EC P-256 client
# certificate $W/NAME.crt with key $W/NAME.key.
newcert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$W/$1.key" -out "$W/$1.crt" -days "$2" \
		-subj "/CN=lxdh-$1" >/dev/null 2>&1
}

# fingerprint FILE: the SHA-256 fingerprint LXD uses (lowercase hex).
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' |
		tr 'A-F' 'a-f'
}

# token_op NAME: the UUID of the pending token operation for client NAME.
token_op() {
	lxdh_cli query '/1.0/operations?recursion=1' 2>/dev/null |
		jq -r --arg n "$1" '.running // [] | .[] |
			select(.class == "token" and .metadata.request.name == $n) | .id'
}

# ---------------------------------------------------------- the suite ----

echo "# lxd-harden integration: $BIN"

if [ -x "$BIN" ]; then
	ok "the binary exists ($BIN)"
else
	not_ok "the binary exists ($BIN)"
	diag "build it first: meson setup build && ninja -C build"
	finish
fi

if ! lxdh_product; then
	not_ok "LXDH_PRODUCT names lxd or incus"
	finish
fi
if lxdh_have_daemon; then
	DVER=$(lxdh_admin --version)
	ok "$LXDH_NAME daemon and $LXDH_CLIENT are installed ($DVER)"
else
	not_ok "$LXDH_NAME daemon and $LXDH_CLIENT are installed"
	diag "LXD: apt-get install -y lxd lxd-client dnsmasq-base nftables;" \
		"Incus: apt-get install -t bookworm-backports incus-base incus-client (.ci/run does)"
	finish
fi
if [ ! -c /dev/null ]; then
	not_ok "/dev/null is a character device"
	diag "it is not (was it replaced by 'lxd-harden audit -o /dev/null'?); as root:" \
		"mknod -m 666 /dev/null.new c 1 3 && mv -f /dev/null.new /dev/null"
	finish
fi
for tool in jq openssl python3 setpriv nft dnsmasq ss; do
	command -v "$tool" >/dev/null 2>&1 || {
		not_ok "$tool is installed"
		finish
	}
done

START=$(date +%s)
if lxdh_daemon_start lxdh-it; then
	ok "a private $LXDH_NAME daemon starts (dir $LXDH_DIR)"
else
	not_ok "a private $LXDH_NAME daemon starts"
	finish
fi
W=$LXDH_BASE/work
mkdir -p "$W"
chmod 0755 "$W"
: >"$W/lxc.log"

# The binary again, where an unprivileged user can run it (the build
# directory may sit under a 0700 home).
mkdir -p "$LXDH_BASE/bin"
cp "$BIN" "$LXDH_BASE/bin/lxd-harden"
chmod 0755 "$LXDH_BASE/bin" "$LXDH_BASE/bin/lxd-harden"
PUBBIN=$LXDH_BASE/bin/lxd-harden

HTTPS_PORT=$(lxdh_free_port)
METRICS_PORT=$(lxdh_free_port)
DEBUG_PORT=$(lxdh_free_port)
SUF=$(printf '%04x' $((RANDOM % 65536)))
BR_UNUSED=lh${SUF}u	# no instance, no ACL
BR_PROF=lh${SUF}p	# used by a profile that no instance uses
BR_INST=lh${SUF}i	# used by an instance, ACL attached
BR_DEF=lh${SUF}d	# default ingress action allow
POOL_EMPTY=ext-empty
POOL_VOL=ext-vol
PROJ=lhp1

if L config set core.https_address "127.0.0.1:$HTTPS_PORT"; then
	ok "HTTPS listener on 127.0.0.1:$HTTPS_PORT"
else
	not_ok "HTTPS listener on 127.0.0.1:$HTTPS_PORT"
fi

# ---- the program's other commands ----

run version --version
if [ "$RC" = 0 ] && grep -qE '[0-9]+\.[0-9]+\.[0-9]+' "$OUT"; then
	ok "--version prints a version"
else
	not_ok "--version prints a version"
	diag "exit $RC: $(head -c 300 "$OUT" "$W/version.err")"
fi

run checks checks --format json
want_ids="LXD-GEN-001 LXD-GEN-002 LXD-GEN-003 LXD-GEN-004 LXD-ACC-003 LXD-ACC-004 LXD-ACC-005
LXD-ACC-006 LXD-ACC-009 LXD-ACC-010 LXD-ACC-011 LXD-ACC-012 LXD-ACC-013 LXD-ACC-014
LXD-NET-001 LXD-NET-002 LXD-NET-003 LXD-NET-004 LXD-NET-005 LXD-NET-006"
missing=
for id in $want_ids; do
	grep -qF "\"$id\"" "$OUT" || missing="$missing $id"
done
if [ "$RC" = 0 ] && jq -e . "$OUT" >/dev/null 2>&1 && [ -z "$missing" ]; then
	ok "checks --format json lists every GEN/ACC/NET check of the catalog"
else
	not_ok "checks --format json lists every GEN/ACC/NET check of the catalog"
	diag "exit $RC, missing:${missing:- none}"
fi

run explain explain LXD-ACC-010
if [ "$RC" = 0 ] && grep -qF core.remote_token_expiry "$OUT"; then
	ok "explain LXD-ACC-010 explains core.remote_token_expiry"
else
	not_ok "explain LXD-ACC-010 explains core.remote_token_expiry"
	diag "exit $RC: $(head -c 300 "$W/explain.err")"
fi
run explain-bad explain LXD-NOPE-999
expect_rc "explain of an unknown id exits 1" 1
run explain-lower explain lxd-acc-010
check "explain takes an id in lower case" \
	bash -c '[ "$1" = 0 ] && head -n 1 "$2" | grep -q "^LXD-ACC-010 "' _ "$RC" "$OUT"

# ---- a real container from the busybox image ----

IMG=$W/busybox.tar.gz
if "$HERE/image/build-busybox-image.sh" "$IMG" >/dev/null 2>"$W/image.err" &&
	L image import "$IMG" --alias bb; then
	ok "the busybox image builds and imports"
else
	not_ok "the busybox image builds and imports"
	diag "$(cat "$W/image.err")"
fi
if L storage create default dir &&
	L profile device add default root disk path=/ pool=default; then
	ok "a dir pool and a root disk in the default profile"
else
	not_ok "a dir pool and a root disk in the default profile"
fi
if L launch bb c-run; then
	state=
	for _ in $(seq 1 50); do
		state=$(lxdh_cli list c-run -f csv -c s 2>/dev/null)
		[ "$state" = RUNNING ] && break
		sleep 0.2
	done
	if [ "$state" = RUNNING ]; then
		ok "a busybox container reaches Running"
	else
		not_ok "a busybox container reaches Running"
		diag "state: $state"
		lxdh_cli info --show-log c-run 2>&1 | tail -n 5 | sed 's/^/#   /'
	fi
else
	not_ok "a busybox container reaches Running"
fi
audit running
if { [ "$RC" = 0 ] || [ "$RC" = 2 ]; } &&
	jq -e --arg v "$DVER" '.schema == "lxd-harden/report/v1" and .target.server_version == $v' \
		"$OUT" >/dev/null 2>&1; then
	ok "an audit with a container running succeeds (exit $RC)"
else
	not_ok "an audit with a container running succeeds"
	diag "exit $RC"
fi
L stop --force c-run

# ---- a fresh server: the defaults ----

audit base
J=$W/base.out
expect_rc "a fresh server has findings: exit 2" 2
if jq -e --arg sock "$LXDH_SOCKET" --arg v "$DVER" --arg p "$LXDH_PRODUCT" '
	.schema == "lxd-harden/report/v1" and
	(.tool.name | type) == "string" and (.tool.version | type) == "string" and
	.target.server_version == $v and .target.clustered == false and
	.target.server == $p and
	(.target.endpoint | tostring | contains($sock)) and
	(.summary.pass | type) == "number" and
	([.results[] | .status] | length) ==
		(.summary.pass + .summary.fail + .summary.manual +
		 .summary.notapplicable + .summary.error +
		 (.summary.waived // 0) + (.summary.skipped // 0))' \
	"$J" >/dev/null 2>&1; then
	ok "the JSON report has the v1 shape, the target and a summary that adds up"
else
	not_ok "the JSON report has the v1 shape, the target and a summary that adds up"
	diag "$(jq -c '{schema, tool, target, summary}' "$J" 2>&1 | cut -c1-600)"
fi
if jq -e '[.results[] | select(.status == "fail") | .findings[] |
	select(.status == "fail") | (.object | type) == "string" and
	(.message | type) == "string" and (.severity | type) == "string"] | all' \
	"$J" >/dev/null 2>&1; then
	ok "every failing finding has an object, a message and a severity"
else
	not_ok "every failing finding has an object, a message and a severity"
fi
expect_status "GEN-001 fails: $DVER is behind the newest ${DVER%.*}.x" "$J" LXD-GEN-001 fail
if jq -e --arg v "$DVER" '.results[] | select(.id == "LXD-GEN-001") | .findings[] |
	select(.status == "fail") | tostring | contains($v)' "$J" >/dev/null 2>&1; then
	ok "GEN-001 names the running version $DVER"
else
	not_ok "GEN-001 names the running version $DVER"
	show_result "$J" LXD-GEN-001
fi
expect_status "NET-001 passes with HTTPS on loopback" "$J" LXD-NET-001 pass
expect_status "ACC-003 passes with core.trust_ca_certificates unset" "$J" LXD-ACC-003 pass
if lxdh_is_incus; then
	echo "# incus: there is no core.trust_password, so ACC-004 does not apply"
	expect_status "ACC-004 is notapplicable on Incus (no trust password)" "$J" LXD-ACC-004 notapplicable
else
	expect_status "ACC-004 passes with no trust password" "$J" LXD-ACC-004 pass
fi
expect_finding "ACC-009 fails with join token expiry unset (3H)" "$J" LXD-ACC-009 \
	status=fail object=/1.0 key=cluster.join_token_expiry value=3H
expect_finding "ACC-010 fails with remote token expiry unset" "$J" LXD-ACC-010 \
	status=fail object=/1.0 key=core.remote_token_expiry
expect_status "ACC-011 passes with no pending token" "$J" LXD-ACC-011 pass
if lxdh_is_incus; then
	# Incus 6.0 has OIDC but no oidc.client.secret, and authorizes
	# through OpenFGA or scriptlets instead of LXD's auth groups.
	echo "# incus: no oidc.client.secret, OIDC unconfigured, no LXD auth groups"
	expect_status "ACC-012 is notapplicable on Incus (no oidc.client.secret)" "$J" LXD-ACC-012 notapplicable
	expect_status "ACC-013 is notapplicable on Incus (oidc.issuer unset)" "$J" LXD-ACC-013 notapplicable
	expect_status "ACC-014 is notapplicable on Incus (no identities or auth groups)" "$J" LXD-ACC-014 notapplicable
else
	expect_status "ACC-012 is notapplicable on 5.0.2 (no OIDC)" "$J" LXD-ACC-012 notapplicable
	expect_status "ACC-013 is notapplicable on 5.0.2 (no OIDC)" "$J" LXD-ACC-013 notapplicable
	expect_status "ACC-014 is notapplicable on 5.0.2 (no fine-grained auth)" "$J" LXD-ACC-014 notapplicable
fi
expect_status "NET-002 passes with no other listener" "$J" LXD-NET-002 pass
expect_status "NET-005 passes with metrics authentication at its default" "$J" LXD-NET-005 pass

# ---- plant every violation ----

PW="lxdh-pw-$RANDOM$RANDOM-s3cret"
planted=1
srv_set core.trust_ca_certificates=true \
	"core.https_address=:$HTTPS_PORT" "core.metrics_address=:$METRICS_PORT" \
	"core.debug_address=0.0.0.0:$DEBUG_PORT" core.metrics_authentication=false ||
	planted=
if lxdh_is_incus; then
	# incus: no trust password to plant; the daemon must refuse the key.
	check "incus refuses core.trust_password (so ACC-004 cannot apply)" \
		bash -c '! "$1" config set core.trust_password="$2"' _ "$LXDH_CLIENT" "$PW"
else
	srv_set "core.trust_password=$PW" || planted=
fi

# Certificates: one expiring in 5 days (unrestricted), one restricted, and
# the client certificate for the remote tests.
newcert exp5 5 && newcert restr 365 && newcert client 365 &&
	newcert untrusted 365 && newcert fakesrv 365 || planted=
T() { lxdh_trust_add_cert "$@" >>"$W/lxc.log" 2>&1; }
T "$W/exp5.crt" --name lxdh-exp5 || planted=
T "$W/restr.crt" --name lxdh-restr --restricted --projects default || planted=
T "$W/client.crt" --name lxdh-client || planted=
FP_EXP5=$(fingerprint "$W/exp5.crt")
FP_RESTR=$(fingerprint "$W/restr.crt")
FP_CLIENT=$(fingerprint "$W/client.crt")

# A token without expiry (core.remote_token_expiry unset).
TOKEN1=$(lxdh_trust_token lxdh-tok1 2>>"$W/lxc.log" | tail -n 1)
OP1=$(token_op lxdh-tok1)
SECRET1=$(lxdh_cli query '/1.0/operations?recursion=1' 2>/dev/null |
	jq -r --arg id "$OP1" '.running[] | select(.id == $id) | .metadata.secret')
[ -n "$OP1" ] && [ -n "$TOKEN1" ] && [ -n "$SECRET1" ] || planted=

# Networks and ACLs.
L network acl create acl-open &&
	L network acl rule add acl-open ingress action=allow || planted=
L network acl create acl-port &&
	L network acl rule add acl-port ingress action=allow protocol=tcp destination_port=22 &&
	L network acl rule add acl-port ingress action=allow source=0.0.0.0/0 protocol=tcp destination_port=443 ||
	planted=
lxdh_bridge_create "$BR_UNUSED" >>"$W/lxc.log" 2>&1 || planted=
lxdh_bridge_create "$BR_PROF" >>"$W/lxc.log" 2>&1 || planted=
lxdh_bridge_create "$BR_INST" security.acls=acl-open >>"$W/lxc.log" 2>&1 || planted=
lxdh_bridge_create "$BR_DEF" security.acls=acl-port \
	security.acls.default.ingress.action=allow >>"$W/lxc.log" 2>&1 || planted=
L profile create pnic && L profile device add pnic ethp nic network="$BR_PROF" || planted=
L init --empty c1 && L config device add c1 eth0 nic network="$BR_INST" || planted=

# A project with its own networks: LXD 5.0.2 refuses bridges outside the
# default project ("Network type does not support non-default projects";
# only OVN may live there), so the project-scoped object is an ACL.
L project create "$PROJ" -c features.networks=true &&
	L network acl create p1-open --project "$PROJ" &&
	L network acl rule add p1-open ingress action=allow --project "$PROJ" || planted=

# Pools on external directories (outside LXD_DIR), one empty, one with a
# custom volume.
mkdir -p "$LXDH_BASE/ext1" "$LXDH_BASE/ext2"
L storage create "$POOL_EMPTY" dir source="$LXDH_BASE/ext1" || planted=
L storage create "$POOL_VOL" dir source="$LXDH_BASE/ext2" &&
	L storage volume create "$POOL_VOL" vol1 || planted=

if [ -n "$planted" ]; then
	ok "plant: every violation is set up on the daemon"
else
	not_ok "plant: every violation is set up on the daemon"
fi

audit bad
J=$W/bad.out
expect_rc "an audit of the weak server exits 2" 2
run bad-text audit --socket "$LXDH_SOCKET" --format text --no-color
expect_rc "the text report of the weak server exits 2 too" 2
if [ "$RC" = 2 ] && grep -qF LXD-NET-002 "$OUT" && grep -qF LXD-ACC-003 "$OUT" &&
	! grep -q $'\033' "$OUT"; then
	ok "the text report names failing checks, without colour under --no-color"
else
	not_ok "the text report names failing checks, without colour under --no-color"
fi
run bad-o audit --socket "$LXDH_SOCKET" --format json -o "$W/bad-o.json"
if [ "$RC" = 2 ] && [ ! -s "$OUT" ] && jq -e '.results' "$W/bad-o.json" >/dev/null 2>&1; then
	ok "-o FILE writes the report to the file and nothing to stdout"
else
	not_ok "-o FILE writes the report to the file and nothing to stdout"
	diag "exit $RC, stdout $(wc -c <"$OUT") bytes"
fi

# -o onto things that are not regular files: written through, never
# replaced (an "atomic" rename over -o /dev/null replaces the host's
# /dev/null with a regular file).
mkdir -p "$W/odev"
if mknod -m 0666 "$W/odev/null" c 1 3 2>/dev/null; then
	run o-dev audit --socket "$LXDH_SOCKET" --format json -o "$W/odev/null"
	if [ "$RC" = 2 ] && [ -c "$W/odev/null" ]; then
		ok "-o onto a character device (like /dev/null) writes to it and leaves it a device"
	else
		not_ok "-o onto a character device (like /dev/null) writes to it and leaves it a device"
		diag "exit $RC; now: $(ls -l "$W/odev/null")"
	fi
else
	skip "-o onto a character device leaves it a device" "mknod is not permitted here"
fi
mkfifo "$W/odev/fifo"
timeout 20 cat "$W/odev/fifo" >"$W/odev/fifo.out" 2>/dev/null &
reader=$!
run o-fifo audit --socket "$LXDH_SOCKET" --format json -o "$W/odev/fifo"
# A reader still waiting on a FIFO that was replaced would wait for ever.
[ -p "$W/odev/fifo" ] || kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
if [ -p "$W/odev/fifo" ] && jq -e .results "$W/odev/fifo.out" >/dev/null 2>&1; then
	ok "-o onto a FIFO sends the report through it and leaves it a FIFO"
else
	not_ok "-o onto a FIFO sends the report through it and leaves it a FIFO"
	diag "now: $(ls -l "$W/odev/fifo"); reader got $(wc -c <"$W/odev/fifo.out") bytes"
fi
ln -s report-target.json "$W/odev/link.json"
run o-link audit --socket "$LXDH_SOCKET" --format json -o "$W/odev/link.json"
if [ -L "$W/odev/link.json" ] && jq -e .results "$W/odev/report-target.json" >/dev/null 2>&1; then
	ok "-o onto a symlink writes the file it points to and keeps the link"
else
	not_ok "-o onto a symlink writes the file it points to and keeps the link"
	diag "now: $(find "$W/odev" -printf "%y %p -> %l; ")"
fi

# ACC-003, ACC-004
expect_finding "ACC-003 fails with core.trust_ca_certificates=true" "$J" LXD-ACC-003 \
	status=fail object=/1.0 key=core.trust_ca_certificates value=true
if lxdh_is_incus; then
	echo "# incus: no trust password could be planted; ACC-004 stays notapplicable"
	expect_status "ACC-004 is notapplicable on the weak Incus server too" "$J" LXD-ACC-004 notapplicable
else
	expect_finding "ACC-004 fails with core.trust_password set" "$J" LXD-ACC-004 \
		status=fail object=/1.0 key=core.trust_password
	not_in_files "ACC-004: the trust password is in no output (text, json, stderr)" \
		"$PW" "$W"/bad*.out "$W"/bad*.err "$W/bad-o.json"
fi

# ACC-005, ACC-006
expect_finding "ACC-005: a certificate expiring in 5 days is a low finding" "$J" LXD-ACC-005 \
	status=fail severity=low "object=/1.0/certificates/$FP_EXP5"
expect_no_fail "ACC-005: a certificate valid for a year is not flagged" "$J" LXD-ACC-005 \
	"object=/1.0/certificates/$FP_RESTR"
expect_finding "ACC-006: an unrestricted client certificate fails" "$J" LXD-ACC-006 \
	status=fail "object=/1.0/certificates/$FP_EXP5"
expect_no_fail "ACC-006: a certificate restricted to a project is not flagged" "$J" LXD-ACC-006 \
	"object=/1.0/certificates/$FP_RESTR"

# ACC-011
expect_finding "ACC-011: a pending token without expiry fails" "$J" LXD-ACC-011 \
	status=fail "object=/1.0/operations/$OP1"
not_in_files "ACC-011: the token secret is in no output" \
	"$SECRET1" "$W"/bad*.out "$W"/bad*.err "$W/bad-o.json"
not_in_files "ACC-011: the token string is in no output" \
	"$TOKEN1" "$W"/bad*.out "$W"/bad*.err "$W/bad-o.json"

# NET-001, NET-002, NET-005
expect_finding "NET-001 fails high with core.https_address=:PORT" "$J" LXD-NET-001 \
	status=fail severity=high object=/1.0 key=core.https_address "value=:$HTTPS_PORT"
expect_status "NET-001 result severity is high" "$J" LXD-NET-001 fail high
expect_finding "NET-002 fails with core.metrics_address=:PORT" "$J" LXD-NET-002 \
	status=fail object=/1.0 key=core.metrics_address "value=:$METRICS_PORT"
expect_finding "NET-002: core.debug_address on 0.0.0.0 is a critical finding" "$J" LXD-NET-002 \
	status=fail severity=critical object=/1.0 key=core.debug_address \
	"value=0.0.0.0:$DEBUG_PORT"
expect_status "NET-002 result severity is critical" "$J" LXD-NET-002 fail critical
expect_finding "NET-005 fails with core.metrics_authentication=false" "$J" LXD-NET-005 \
	status=fail object=/1.0 key=core.metrics_authentication value=false

# GEN-002, NET-003, NET-004
expect_finding "GEN-002: an unused bridge fails" "$J" LXD-GEN-002 \
	status=fail "object=/1.0/networks/$BR_UNUSED?project=default"
expect_finding "GEN-002: a bridge used only by an unused profile fails" "$J" LXD-GEN-002 \
	status=fail "object=/1.0/networks/$BR_PROF?project=default"
expect_no_fail "GEN-002: a bridge an instance uses is not flagged" "$J" LXD-GEN-002 \
	"object=/1.0/networks/$BR_INST?project=default"
expect_finding "NET-003: a bridge without security.acls fails" "$J" LXD-NET-003 \
	status=fail "object=/1.0/networks/$BR_UNUSED?project=default"
expect_no_fail "NET-003: a bridge with an ACL is not flagged" "$J" LXD-NET-003 \
	"object=/1.0/networks/$BR_INST?project=default"
expect_finding "NET-004: an ACL allowing all ingress fails" "$J" LXD-NET-004 \
	status=fail "object=/1.0/network-acls/acl-open?project=default"
expect_finding "NET-004: a bridge whose default ingress action is allow fails" "$J" LXD-NET-004 \
	status=fail "object=/1.0/networks/$BR_DEF?project=default" \
	key=security.acls.default.ingress.action value=allow
expect_no_fail "NET-004: an ACL whose allow rules are port-limited is not flagged" "$J" LXD-NET-004 \
	"object=/1.0/network-acls/acl-port?project=default"
expect_finding "NET-004: an open ACL in another project is found (?project=$PROJ)" "$J" LXD-NET-004 \
	status=fail "object=/1.0/network-acls/p1-open?project=$PROJ"
expect_finding "NET-006: a restricted client of default can create images, no proxy" "$J" LXD-NET-006 \
	status=fail object=/1.0 key=core.proxy_https

# GEN-003
expect_finding "GEN-003: an empty pool on an external directory fails" "$J" LXD-GEN-003 \
	status=fail "object=/1.0/storage-pools/$POOL_EMPTY"
expect_no_fail "GEN-003: a pool holding a custom volume is not flagged" "$J" LXD-GEN-003 \
	"object=/1.0/storage-pools/$POOL_VOL"
expect_no_fail "GEN-003: the pool of the instances is not flagged" "$J" LXD-GEN-003 \
	"object=/1.0/storage-pools/default"

# The policy: an approved admin certificate is not flagged.
cat >"$W/policy-admin.yaml" <<EOF
version: 1
admins:
  certificates: ["$FP_CLIENT"]
EOF
audit bad-policy --policy "$W/policy-admin.yaml"
expect_no_fail "ACC-006: an unrestricted certificate on the policy's admin list is not flagged" \
	"$OUT" LXD-ACC-006 "object=/1.0/certificates/$FP_CLIENT"
expect_finding "ACC-006: ... while one not on the list still fails" "$OUT" LXD-ACC-006 \
	status=fail "object=/1.0/certificates/$FP_EXP5"

# Exit codes
run bad-crit audit --socket "$LXDH_SOCKET" --format json --fail-on critical
expect_rc "--fail-on critical exits 2 with a critical finding (debug listener)" 2

# ---- the same server over HTTPS ----

# The server checks of this suite; host checks (ACC-001, LOG-*, HOS-*, ...)
# are notapplicable over HTTPS by design, so comparisons leave them out.
# shellcheck disable=SC2086
IDS_JSON=$(printf '%s\n' $want_ids | jq -R . | jq -sc .)
result_digest() {
	jq -S --argjson ids "$IDS_JSON" '[.results[] | select(.id as $i | $ids | index($i)) |
		{id, status,
		 objects: ([.findings[] | select(.status == "fail") | .object] | sort)}]' "$1"
}
same_results() {
	local desc=$1 a=$2 b=$3
	if diff <(result_digest "$a") <(result_digest "$b") >"$W/digest.diff" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		head -n 30 "$W/digest.diff" | sed 's/^/#   /'
	fi
}

run url audit --url "https://127.0.0.1:$HTTPS_PORT" --cert "$W/client.crt" \
	--key "$W/client.key" --server-cert "$LXDH_DIR/server.crt" --format json
expect_rc "audit over --url with a trusted client cert and the pinned server cert" 2
same_results "--url gives the same results as the socket" "$J" "$OUT"
if jq -e --arg p "$HTTPS_PORT" '.target.endpoint | tostring | contains("https://127.0.0.1:" + $p)' \
	"$OUT" >/dev/null 2>&1; then
	ok "--url: the report names the HTTPS endpoint"
else
	not_ok "--url: the report names the HTTPS endpoint"
	diag "$(jq -c .target "$OUT" 2>&1 | head -c 300)"
fi

RCONF=$W/rconf
mkdir -p "$RCONF/servercerts"
cat >"$RCONF/config.yml" <<EOF
default-remote: local
remotes:
  lhr:
    addr: https://127.0.0.1:$HTTPS_PORT
    protocol: $LXDH_PRODUCT
    auth_type: tls
    public: false
  local:
    addr: unix://
    public: false
aliases: {}
EOF
cp "$W/client.crt" "$RCONF/client.crt"
cp "$W/client.key" "$RCONF/client.key"
cp "$LXDH_DIR/server.crt" "$RCONF/servercerts/lhr.crt"
# The client's own variable: LXD_CONF for lxc, INCUS_CONF for incus.
CONFVAR=LXD_CONF
lxdh_is_incus && CONFVAR=INCUS_CONF
env "$CONFVAR=$RCONF" "$BIN" audit --remote lhr --format json >"$W/remote.out" 2>"$W/remote.err"
RC=$?
OUT=$W/remote.out
expect_rc "audit over --remote NAME from $CONFVAR/config.yml (protocol $LXDH_PRODUCT)" 2
same_results "--remote gives the same results as the socket" "$J" "$OUT"

env "$CONFVAR=$RCONF" "$BIN" audit --remote nosuch >"$W/remote-missing.out" 2>"$W/remote-missing.err"
RC=$?
OUT=$W/remote-missing.out
expect_error "--remote with a name not in config.yml" "remote 'nosuch' not found"

run untrusted audit --url "https://127.0.0.1:$HTTPS_PORT" --cert "$W/untrusted.crt" \
	--key "$W/untrusted.key" --server-cert "$LXDH_DIR/server.crt"
expect_error "an untrusted client certificate: 'auth: untrusted'" "auth: untrusted"

run wrongsrv audit --url "https://127.0.0.1:$HTTPS_PORT" --cert "$W/client.crt" \
	--key "$W/client.key" --server-cert "$W/fakesrv.crt"
expect_error "a server certificate that does not verify" "server certificate .* did not verify"

# ---- valgrind: one full audit of the weak server ----

if ldd "$BIN" 2>/dev/null | grep -qE 'libasan|libubsan'; then
	skip "valgrind: no leaks or memory errors in a full audit" "binary built with sanitizers"
elif ! command -v valgrind >/dev/null 2>&1; then
	not_ok "valgrind: no leaks or memory errors in a full audit"
	diag "valgrind is not installed"
else
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --log-file="$W/valgrind.log" \
		"$BIN" audit --socket "$LXDH_SOCKET" --format json -o "$W/vg.json" \
		>/dev/null 2>"$W/vg.err"
	vrc=$?
	if [ "$vrc" != 99 ] && [ "$vrc" != 1 ] &&
		{ grep -q 'definitely lost: 0 bytes' "$W/valgrind.log" ||
			! grep -q 'definitely lost:' "$W/valgrind.log"; } &&
		grep -q 'ERROR SUMMARY: 0 errors' "$W/valgrind.log"; then
		ok "valgrind: no leaks or memory errors in a full audit (exit $vrc)"
	else
		not_ok "valgrind: no leaks or memory errors in a full audit"
		diag "exit $vrc"
		grep -E 'lost:|ERROR SUMMARY|Invalid|uninitialised' "$W/valgrind.log" | head -n 20 | sed 's/^/#   /'
	fi
fi

# ---- every report format, a policy and a baseline, on the weak server ----

AF=$W/formats
mkdir -p "$AF"
run formats audit --socket "$LXDH_SOCKET" -o "json=$AF/r.json" \
	-o "sarif=$AF/r.sarif" -o "junit=$AF/r.xml" -o "html=$AF/r.html" \
	-o "prometheus=$AF/r.prom" -o "text=$AF/r.txt"
expect_rc "all six formats from one audit of the real server: exit 2" 2
NCHECKS=$("$BIN" checks --format json | jq length)
check "the JSON report is the v1 schema with every check" \
	jq -e --argjson n "$NCHECKS" \
	'.schema == "lxd-harden/report/v1" and (.results | length) == $n' "$AF/r.json"
check "SARIF 2.1.0 with one rule per check, and results" \
	jq -e --argjson n "$NCHECKS" \
	'.version == "2.1.0" and (.runs[0].tool.driver.rules | length) == $n and (.runs[0].results | length) > 0' \
	"$AF/r.sarif"
cat >"$W/junit_count.py" <<'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
rep = json.load(open(sys.argv[2]))
fails = sum(1 for tc in root.iter("testcase") if tc.find("failure") is not None)
# one test case per check and object: findings on one object share it
want = len({(r["id"], f["object"]) for r in rep["results"]
            if r["status"] == "fail"
            for f in r["findings"] if f["status"] == "fail"})
print(f"junit failures {fails}, JSON failing (check, object) pairs {want}")
sys.exit(0 if fails == want and fails > 0 else 1)
PY
if python3 "$W/junit_count.py" "$AF/r.xml" "$AF/r.json" >"$W/junit_count.out" 2>&1; then
	ok "JUnit parses and has one failure per failing check and object of the JSON report"
else
	not_ok "JUnit parses and has one failure per failing check and object of the JSON report"
	diag "$(cat "$W/junit_count.out")"
fi
check "HTML is one file with no script" \
	bash -c '! grep -qi "<script" "$1" && grep -q "</html>" "$1"' _ "$AF/r.html"
check "the Prometheus file has a status series for every check" \
	bash -c '[ "$(grep -c "^lxd_harden_check_status{.*status=\"fail\"}" "$1")" = "$2" ]' \
	_ "$AF/r.prom" "$NCHECKS"
if command -v promtool >/dev/null 2>&1; then
	check "promtool accepts the Prometheus file" \
		bash -c 'promtool check metrics <"$1"' _ "$AF/r.prom"
else
	not_ok "promtool accepts the Prometheus file"
	diag "promtool is not installed (apt-get install prometheus)"
fi
check "the text report names the socket it audited" \
	grep -qF "unix://$LXDH_SOCKET" "$AF/r.txt"

# The fix plan of the weak server (no --apply: nothing changes), and what
# every output may not say: on Incus no "lxc" command, LXD version or
# LXD-only extension; on LXD no "incus" command. SARIF is left out: its
# rule help is the catalog's text about every release.
run plan fix --socket "$LXDH_SOCKET" --no-color
expect_rc "fix without --apply prints the weak server's plan: exit 2" 2
check "the plan's commands use $LXDH_CLIENT" grep -qE "command: $LXDH_CLIENT " "$W/plan.out"
if lxdh_is_incus; then
	desc="text, JSON, fix plan, HTML, JUnit and Prometheus name no lxc command, LXD version or LXD-only extension"
else
	desc="text, JSON, fix plan, HTML, JUnit and Prometheus name no incus command"
fi
check "$desc" lxdh_foreign_text "$SRCDIR" "$AF/r.txt" "$AF/r.json" "$W/plan.out" \
	"$AF/r.html" "$AF/r.xml" "$AF/r.prom"

# A waiver for one failing object, a skip, a severity override, and a
# waiver that has expired.
fp_w=$(jq -r '[.results[] | select(.id == "LXD-ACC-006") | .findings[] |
	select(.status == "fail") | .object][0] // ""' "$AF/r.json")
cat >"$W/policy-gates.yaml" <<EOF
version: 1
skip:
  - check: LXD-GEN-001
    reason: "pinned by the vendor"
severity:
  LXD-NET-005: critical
waivers:
  - check: LXD-ACC-006
    object: "$fp_w"
    reason: "break-glass certificate kept offline"
    expires: 2099-12-31
  - check: LXD-ACC-003
    reason: "an old exception"
    expires: 2020-01-01
EOF
audit gates --policy "$W/policy-gates.yaml"
expect_status "policy skip: GEN-001 is listed as skipped" "$OUT" LXD-GEN-001 skipped
expect_finding "policy waiver: the named certificate is waived with its reason" \
	"$OUT" LXD-ACC-006 status=waived "object=$fp_w"
check "the waiver's reason and expiry are in the report" \
	jq -e --arg o "$fp_w" '[.results[].findings[] | select(.object == $o and .status == "waived") |
	.waiver | .reason == "break-glass certificate kept offline" and .expires == "2099-12-31"] |
	any' "$OUT"
expect_status "policy severity override: NET-005 fails as critical" "$OUT" LXD-NET-005 fail critical
check "an expired waiver waives nothing and is reported in the notes" \
	jq -e '([.results[] | select(.id == "LXD-ACC-003")][0].status == "fail") and
	([.notes[] | select(test("expired on 2020-01-01"))] | length == 1)' "$OUT"

# A baseline: against itself everything is known; a new finding fails
# the run under --fail-on-new; a fixed one is listed.
cp "$AF/r.json" "$W/baseline.json"
audit base-same --baseline "$W/baseline.json" --fail-on-new
expect_rc "--fail-on-new with nothing new exits 0" 0
check "every failing finding is known against its own baseline" \
	jq -e '[.results[].findings[] | select(.status == "fail") | .baseline] |
	length > 0 and all(. == "known")' "$OUT"
newcert newadmin 365 && T "$W/newadmin.crt" --name lxdh-newadmin
FP_NEW=$(fingerprint "$W/newadmin.crt")
audit base-new --baseline "$W/baseline.json" --fail-on-new
expect_rc "--fail-on-new with a new finding exits 2" 2
expect_finding "the new unrestricted certificate is marked new" "$OUT" LXD-ACC-006 \
	status=fail "object=/1.0/certificates/$FP_NEW" baseline=new
L config trust remove "$FP_NEW"
srv_set core.metrics_authentication=true
audit base-fixed --baseline "$W/baseline.json"
check "a finding gone since the baseline is listed as fixed" \
	jq -e '[.fixed_since_baseline[] | select(.id == "LXD-NET-005")] | length == 1' "$OUT"
srv_set core.metrics_authentication=false

# ---- the clean counterparts ----

cleaned=1
lxdh_is_incus || srv_set core.trust_password= || cleaned=
srv_set core.trust_ca_certificates=false \
	"core.https_address=127.0.0.1:$HTTPS_PORT" core.metrics_address= \
	"core.debug_address=127.0.0.1:$DEBUG_PORT" core.metrics_authentication=true \
	cluster.join_token_expiry=15M core.remote_token_expiry=15M \
	core.proxy_http=http://192.0.2.10:3128 core.proxy_https=http://192.0.2.10:3128 ||
	cleaned=
L config trust remove "$FP_EXP5" || cleaned=
L config trust remove "$FP_CLIENT" || cleaned=
lxdh_trust_token lxdh-tok2 >/dev/null 2>>"$W/lxc.log"
OP2=$(token_op lxdh-tok2)
[ -n "$OP2" ] || cleaned=
# Every bridge used by an instance and guarded by a port-limited ACL.
L config device add c1 eth1 nic network="$BR_UNUSED" || cleaned=
L config device add c1 eth2 nic network="$BR_DEF" || cleaned=
L profile add c1 pnic || cleaned=
for br in "$BR_UNUSED" "$BR_PROF" "$BR_INST"; do
	L network set "$br" security.acls=acl-port || cleaned=
done
L network unset "$BR_DEF" security.acls.default.ingress.action || cleaned=
L network acl rule remove acl-open ingress action=allow &&
	L network acl rule add acl-open ingress action=allow protocol=tcp destination_port=80 ||
	cleaned=
L network acl rule remove p1-open ingress action=allow --project "$PROJ" || cleaned=
L storage volume create "$POOL_EMPTY" vol2 || cleaned=
if [ -n "$cleaned" ]; then
	ok "clean: every violation is put right on the daemon"
else
	not_ok "clean: every violation is put right on the daemon"
fi

audit clean
J=$W/clean.out
expect_status "ACC-003 passes with core.trust_ca_certificates=false" "$J" LXD-ACC-003 pass
if lxdh_is_incus; then
	echo "# incus: no trust password; ACC-004 stays notapplicable"
	expect_status "ACC-004 is notapplicable on the hardened Incus server" "$J" LXD-ACC-004 notapplicable
else
	expect_status "ACC-004 passes once the trust password is unset" "$J" LXD-ACC-004 pass
fi
expect_status "ACC-005 passes once the expiring certificate is removed" "$J" LXD-ACC-005 pass
expect_status "ACC-006 passes with only a restricted certificate" "$J" LXD-ACC-006 pass
expect_status "ACC-009 passes with cluster.join_token_expiry=15M" "$J" LXD-ACC-009 pass
expect_status "ACC-010 passes with core.remote_token_expiry=15M" "$J" LXD-ACC-010 pass
expect_finding "ACC-011: the token without expiry still fails" "$J" LXD-ACC-011 \
	status=fail "object=/1.0/operations/$OP1"
expect_no_fail "ACC-011: a token created with a 15M expiry is not flagged" "$J" LXD-ACC-011 \
	"object=/1.0/operations/$OP2"
expect_status "NET-001 passes with HTTPS back on 127.0.0.1" "$J" LXD-NET-001 pass
expect_status "NET-002 passes: metrics unset, debug on loopback" "$J" LXD-NET-002 pass
expect_no_fail "NET-002: a debug listener on 127.0.0.1 is not flagged" "$J" LXD-NET-002 \
	key=core.debug_address
expect_status "NET-005 passes with core.metrics_authentication=true" "$J" LXD-NET-005 pass
expect_no_fail "GEN-002: the once unused bridge, now on an instance, is not flagged" "$J" LXD-GEN-002 \
	"object=/1.0/networks/$BR_UNUSED?project=default"
expect_no_fail "GEN-002: the profile's bridge, once an instance uses the profile, is not flagged" \
	"$J" LXD-GEN-002 "object=/1.0/networks/$BR_PROF?project=default"
expect_status "GEN-002 passes with every bridge in use" "$J" LXD-GEN-002 pass
expect_status "NET-003 passes with an ACL on every bridge" "$J" LXD-NET-003 pass
expect_no_fail "NET-004: the ACL with a port-limited rule is not flagged" "$J" LXD-NET-004 \
	"object=/1.0/network-acls/acl-open?project=default"
expect_status "NET-004 passes with no allow-all rule or default" "$J" LXD-NET-004 pass
expect_status "NET-006 passes with both proxy keys set" "$J" LXD-NET-006 pass
expect_no_fail "GEN-003: the external pool, once it holds a volume, is not flagged" "$J" LXD-GEN-003 \
	"object=/1.0/storage-pools/$POOL_EMPTY"
expect_status "GEN-003 passes with every pool in use" "$J" LXD-GEN-003 pass

run clean-crit audit --socket "$LXDH_SOCKET" --format json --fail-on critical
expect_rc "--fail-on critical exits 0 when nothing critical fails" 0

# ACC-010 with an expiry longer than the policy maximum.
srv_set core.remote_token_expiry=1H
audit acc010
expect_finding "ACC-010 fails with core.remote_token_expiry=1H (value 1H)" "$OUT" LXD-ACC-010 \
	status=fail object=/1.0 key=core.remote_token_expiry value=1H
cat >"$W/policy-2h.yaml" <<EOF
version: 1
thresholds:
  token_expiry_max: 2H
EOF
audit acc010-policy --policy "$W/policy-2h.yaml"
expect_status "ACC-010 passes with 1H under a policy maximum of 2H" "$OUT" LXD-ACC-010 pass
srv_set core.remote_token_expiry=15M

# A revoked token is no longer pending.
L config trust revoke-token lxdh-tok1
audit revoked
expect_status "ACC-011 passes once the token without expiry is revoked" "$OUT" LXD-ACC-011 pass

# ---- GEN-001 and the release table ----

RELEASES_SRC=$SRCDIR/data/releases.json
if [ -f "$RELEASES_SRC" ]; then
	# The shipped table with the running version as the newest point
	# release of its series.
	jq --arg p "$LXDH_PRODUCT" --arg s "${DVER%.*}" --arg v "$DVER" \
		'.products[$p].lts |= map(if .series == $s then .latest = $v else . end)' \
		"$RELEASES_SRC" >"$W/releases-cur.json" 2>"$W/releases.err" ||
		diag "could not derive the release table: $(head -c 300 "$W/releases.err")"
	audit rel-good --releases "$W/releases-cur.json"
	expect_status "GEN-001 passes with a release table whose newest ${DVER%.*}.x is $DVER" "$OUT" LXD-GEN-001 pass
	bad_ids=$(jq -r --argjson ids "$IDS_JSON" '[.results[] | select(.id as $i | $ids | index($i)) |
		select(.status == "fail" or .status == "error") | .id] | join(" ")' "$OUT" 2>/dev/null)
	all_bad=$(jq -r '[.results[] | select(.status == "fail" or .status == "error")] | length' "$OUT" 2>/dev/null)
	if [ -n "$all_bad" ] && [ -z "$bad_ids" ]; then
		ok "the hardened server passes every GEN/ACC/NET check"
	else
		not_ok "the hardened server passes every GEN/ACC/NET check"
		diag "failing: ${bad_ids:-(no report)}"
	fi
	if { [ "$all_bad" = 0 ] && [ "$RC" = 0 ]; } || { [ "${all_bad:-0}" -gt 0 ] && [ "$RC" = 2 ]; }; then
		ok "the exit code agrees with the report ($all_bad failing checks, exit $RC)"
	else
		not_ok "the exit code agrees with the report"
		diag "$all_bad failing or error checks, exit $RC"
	fi
else
	not_ok "data/releases.json exists ($RELEASES_SRC)"
fi
audit rel-missing --releases "$W/no-such-releases.json"
expect_status "GEN-001 is error with a release table that cannot be read" "$OUT" LXD-GEN-001 error
expect_rc "a check in error counts as failing: exit 2" 2
printf '{"releases": [truncated' >"$W/releases-bad.json"
audit rel-bad --releases "$W/releases-bad.json"
expect_status "GEN-001 is error with a release table that does not parse" "$OUT" LXD-GEN-001 error

# ---- could not audit: exit 1 and one line on stderr ----

run nosock audit --socket /nonexistent/lxd.socket
expect_error "--socket to a path that does not exist" "cannot connect to .*/nonexistent/lxd\.socket"

EMPTY=$W/empty
mkdir -p "$EMPTY/home" "$EMPTY/lxddir"
if [ -e /var/lib/lxd/unix.socket ] || [ -e /var/lib/incus/unix.socket ] ||
	[ -e /run/incus/unix.socket ] || [ -e /var/snap/lxd/common/lxd/unix.socket ]; then
	skip "no socket anywhere: 'no LXD or Incus socket found' and the paths tried" \
		"a system LXD/Incus socket exists on this host"
else
	env -i PATH=/usr/bin:/bin HOME="$EMPTY/home" LXD_DIR="$EMPTY/lxddir" \
		LXD_SOCKET="$EMPTY/nowhere.socket" INCUS_DIR="$EMPTY/incusdir" \
		INCUS_SOCKET="$EMPTY/nowhere-incus.socket" \
		"$BIN" audit >"$W/nowhere.out" 2>"$W/nowhere.err"
	RC=$?
	OUT=$W/nowhere.out
	expect_error "no socket anywhere: 'no LXD or Incus socket found'" "no LXD or Incus socket found \(tried: "
	if grep -qF "$EMPTY/nowhere.socket" "$W/nowhere.err" &&
		grep -qF "$EMPTY/lxddir/unix.socket" "$W/nowhere.err" &&
		grep -qF "$EMPTY/nowhere-incus.socket" "$W/nowhere.err" &&
		grep -qF "$EMPTY/incusdir/unix.socket" "$W/nowhere.err" &&
		grep -qF /var/lib/lxd/unix.socket "$W/nowhere.err"; then
		ok "no socket anywhere: the message lists the paths tried"
	else
		not_ok "no socket anywhere: the message lists the paths tried"
		diag "$(cat "$W/nowhere.err")"
	fi
fi

# Unix sockets served by things that are not LXD.
cat >"$W/fake.py" <<'EOF'
import os, socketserver, sys

mode, path = sys.argv[1], sys.argv[2]
answers = {
    "html": (200, "OK", "text/html",
             b"<!DOCTYPE html><html><head><title>It works</title></head>"
             b"<body><h1>It works!</h1></body></html>\n"),
    "truncated": (200, "OK", "application/json",
                  b'{"type":"sync","status":"Success","status_code":200,'
                  b'"operation":"","error_code":0,"error":"","metadata":{"api_ext'),
    "error500": (500, "Internal Server Error", "application/json",
                 b'{"type":"error","status":"","status_code":0,"operation":"",'
                 b'"error_code":500,"error":"lxdh-fake: database is locked",'
                 b'"metadata":null}\n'),
}

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
            code, reason, ctype, body = answers[mode]
            head = (f"HTTP/1.1 {code} {reason}\r\nContent-Type: {ctype}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n")
            self.wfile.write(head.encode() + body)
            self.wfile.flush()

if os.path.exists(path):
    os.unlink(path)
socketserver.ThreadingUnixStreamServer.daemon_threads = True
# as LXD (somaxconn), not Python's 5: the audit connects concurrently
socketserver.ThreadingUnixStreamServer.request_queue_size = 128
with socketserver.ThreadingUnixStreamServer(path, Handler) as srv:
    srv.serve_forever()
EOF
start_fake() {
	local mode=$1 sock=$W/fake-$1.socket i
	python3 "$W/fake.py" "$mode" "$sock" 2>>"$W/fake.err" &
	SERVER_PIDS+=($!)
	for i in $(seq 1 50); do
		[ -S "$sock" ] && return 0
		sleep 0.1
	done
	diag "fake server $mode did not start: $(cat "$W/fake.err")"
	return 1
}
start_fake html
run fake-html audit --socket "$W/fake-html.socket"
expect_error "a socket answering HTML is 'not an LXD' server" "not an LXD API response"
start_fake truncated
run fake-trunc audit --socket "$W/fake-truncated.socket"
expect_error "a socket answering truncated JSON is 'not an LXD' server" "not an LXD API response.*JSON"
start_fake error500
run fake-500 audit --socket "$W/fake-error500.socket"
expect_error "a socket answering 500 with an LXD error: status code and error text" \
	"500 Internal Server Error: lxdh-fake: database is locked"

# Permission denied: the daemon's socket is 0660 root:root.
perm=$(stat -c '%a %U:%G' "$LXDH_SOCKET")
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$PUBBIN" audit --socket "$LXDH_SOCKET" >"$W/perm.out" 2>"$W/perm.err"
RC=$?
OUT=$W/perm.out
expect_error "permission denied on the socket ($perm) names the group 'root'" \
	"permission denied on '$LXDH_SOCKET'.*group 'root'"

echo "# took $(($(date +%s) - START)) s"
finish
