#!/bin/bash
# fix.sh - lxd-harden fix and rollback against a real, private LXD or
# Incus (LXDH_PRODUCT=lxd|incus, see lib.sh); TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/fix.sh
#   LXDH_PRODUCT=incus LXDH_BIN=build/lxd-harden tests/integration/fix.sh
#
# Plants a weak configuration in a private daemon, then: the plan changes
# nothing; --apply fixes the safe part (a re-audit passes it) and leaves
# opt-in fixes alone; --only applies what it names; rollback restores every
# touched object byte for byte (its JSON, ETag aside); a concurrent change
# between audit and apply is reported, not overwritten; a kill in the
# middle of an apply (test hook LXDH_FIX_PAUSE_AFTER) is undone by
# rollback. A missing daemon is a failure. An EXIT trap stops the daemon.
# Where Incus differs, a "# incus:" line says why and the test asserts
# what Incus does.
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

NTEST=0
NFAIL=0
W=

fails() { ! "$@"; }
finish() {
	lxdh_daemon_cleanup
	[ -n "$W" ] && [ -z "${LXDH_FIX_KEEP:-}" ] && rm -rf "$W"
	echo "1..$NTEST"
}
trap finish EXIT

if ! lxdh_product; then
	not_ok "LXDH_PRODUCT names lxd or incus"
	exit 1
fi
if ! lxdh_have_daemon; then
	not_ok "$LXDH_NAME is installed (.ci/run installs it)"
	exit 1
fi
if ! lxdh_daemon_start lxdh-fix; then
	not_ok "private $LXDH_NAME daemon starts"
	exit 1
fi
ok "private $LXDH_NAME daemon starts"
C=$LXDH_CLIENT
INCUS=
lxdh_is_incus && INCUS=1
# the guest API key of the hardened profile
DEVAPI=security.devlxd.images
[ -n "$INCUS" ] && DEVAPI=security.guestapi.images
W=$(mktemp -d /tmp/lxdh-fix-w.XXXXXX)
JD=$W/journals
SHARE=$W/share
mkdir -p "$SHARE"

# The weak configuration.
lxdh_cli storage create fxpool dir >/dev/null </dev/null
lxdh_cli profile device add default root disk path=/ pool=fxpool >/dev/null </dev/null
NET=10.210.$((RANDOM % 200 + 20))
LXDH_BRIDGES+=(fxbr0)
lxdh_cli network create fxbr0 ipv4.address=$NET.1/24 ipv6.address=none >/dev/null </dev/null
lxdh_cli profile create weak >/dev/null </dev/null
lxdh_cli profile set weak security.nesting true </dev/null
lxdh_cli profile device add weak eth0 nic network=fxbr0 name=eth0 >/dev/null </dev/null
lxdh_cli init --empty c1 -p default -p weak >/dev/null </dev/null
lxdh_cli config set c1 security.privileged true </dev/null
lxdh_cli config device add c1 data disk source="$SHARE" path=/mnt/data >/dev/null </dev/null
lxdh_cli config set core.remote_token_expiry 1H </dev/null
# A listener on loopback: without one the server cannot issue cluster
# join tokens and LXD-ACC-009 is notapplicable.
lxdh_cli config set core.https_address "127.0.0.1:$(lxdh_free_port 21000 2000)" </dev/null
lxdh_cli config set cluster.join_token_expiry 1H </dev/null
lxdh_cli config set core.trust_ca_certificates true </dev/null
lxdh_cli config set core.metrics_authentication false </dev/null
if [ -n "$INCUS" ]; then
	echo "# incus: there is no core.trust_password to plant"
else
	lxdh_cli config set core.trust_password s3cret-fx </dev/null
fi

# state: the JSON of every object fix may touch, ETags aside.
state() {
	local u
	for u in /1.0 /1.0/instances/c1 /1.0/profiles/weak /1.0/profiles/default \
		/1.0/networks/fxbr0 /1.0/projects/default; do
		lxdh_cli query "$u" </dev/null | jq -S 'del(.etag) | del(.environment)' || return 1
	done
}
state >"$W/before.json"
# full server listing, to show plan touches nothing at all
full() {
	local k
	for k in instances profiles networks storage-pools projects; do
		lxdh_cli query "/1.0/$k?recursion=1" </dev/null | jq -S .
	done
	lxdh_cli query /1.0 </dev/null | jq -S 'del(.environment)'
}
full >"$W/full-before.json"
same_as_before() {
	state >"$W/now.json" && cmp -s "$W/before.json" "$W/now.json" ||
		{ diff "$W/before.json" "$W/now.json" | head -20 | sed 's/^/#   /'; return 1; }
}
# Never the real host's files: an empty fake root unless a test names one.
EMPTY=$W/empty-root
mkdir -p "$EMPTY"
fx() {
	case " $* " in
	*" --host-root "*) "$BIN" fix --journal-dir "$JD" "$@" </dev/null ;;
	*) "$BIN" fix --journal-dir "$JD" --host-root "$EMPTY" "$@" </dev/null ;;
	esac
}
# the plan, a text and a JSON audit: nothing of the other product
_foreign_check() {
	"$BIN" audit --format text --no-color </dev/null >"$W/plan-audit.txt" 2>&1
	"$BIN" audit --format json </dev/null >"$W/plan-audit.json" 2>&1
	lxdh_foreign_text "$SRCDIR" "$W/plan.out" "$W/plan-audit.txt" "$W/plan-audit.json"
}
audit_status() {	# audit_status ID -> its status
	"$BIN" audit --format json </dev/null 2>/dev/null |
		jq -r --arg id "$1" '.results[] | select(.id == $id) | .status'
}

# ---------------------------------------------------------------- plan ----
fx >"$W/plan.out" 2>"$W/plan.err"
rc=$?
check "fix (plan) exits 2 when there are changes (got $rc)" [ "$rc" = 2 ]
missing=
for want in "core.trust_ca_certificates: \"true\" -> \"false\"" \
	"cluster.join_token_expiry: \"1H\" -> \"15M\"" \
	"core.remote_token_expiry: \"1H\" -> \"15M\"" \
	"core.metrics_authentication: \"false\" -> \"true\"" \
	"core.trust_password: \"(hidden)\" -> (absent)" \
	"LXD-INS-001 /1.0/instances/c1?project=default" \
	"LXD-INS-003 /1.0/profiles/weak?project=default" \
	"LXD-DEV-002 /1.0/instances/c1?project=default device data" \
	"LXD-DEV-003 /1.0/profiles/weak?project=default device eth0" \
	"$C config set core.remote_token_expiry=15M" \
	"$C profile set weak security.nesting=false" \
	"$C config device set c1 data readonly=true"; do
	case "$want" in core.trust_password*) [ -n "$INCUS" ] && continue ;; esac
	grep -qF -- "$want" "$W/plan.out" || missing="$missing [$want]"
done
check "plan lists every expected change${missing:+ (missing:$missing)}" [ -z "$missing" ]
if [ -n "$INCUS" ]; then
	check "plan has nothing about a trust password (Incus has none)" \
		fails grep -q "trust_password" "$W/plan.out"
else
	check "plan says the trust password removal is not reversible" \
		grep -q "not reversible: LXD never returns the trust password" "$W/plan.out"
fi
check "the plan, text report and JSON name only $LXDH_NAME's client and releases" \
	_foreign_check
check "plan says what opt-in fixes do to running instances" \
	grep -q "restart needed" "$W/plan.out"
full >"$W/full-after.json"
check "plan changes nothing (full server state equal)" cmp -s "$W/full-before.json" "$W/full-after.json"
check "plan writes no journal" [ ! -e "$JD" ]

# --------------------------------------------------- refuses, no tty ----
setsid "$BIN" fix --apply --journal-dir "$JD" --host-root "$EMPTY" </dev/null >"$W/notty.out" 2>"$W/notty.err"
rc=$?
check "--apply without a terminal and without --yes refuses (exit $rc)" \
	[ "$rc" = 1 ]
check "  with a message naming --yes" grep -q -- "--yes" "$W/notty.err"
check "  and changes nothing" same_as_before

# ------------------------------------------------------------- apply ----
fx --apply --yes >"$W/apply.out" 2>"$W/apply.err"
rc=$?
check "fix --apply --yes exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(cat "$W/apply.out" "$W/apply.err" | tail -15)"
check "apply reports 4 fixed" grep -q "^4 fixed, 0 not" "$W/apply.out"
all=true
for id in LXD-ACC-003 LXD-ACC-009 LXD-ACC-010 LXD-NET-005; do
	s=$(audit_status $id)
	[ "$s" = pass ] || { all=false; diag "$id is $s"; }
done
check "a re-audit passes the safe checks" $all
_cond() {
	[ "$(lxdh_cli profile get weak security.nesting </dev/null)" = true ] &&
	[ "$(lxdh_cli config get c1 security.privileged </dev/null)" = true ]
}
check "opt-in fixes were not applied (nesting, privileged)" _cond
if [ -n "$INCUS" ]; then
	check "ACC-004 is notapplicable on Incus (no trust password)" \
		[ "$(audit_status LXD-ACC-004)" = notapplicable ]
else
	check "core.trust_password (not reversible) is still set" \
		[ "$(lxdh_cli query /1.0 </dev/null | jq -r '.config["core.trust_password"]')" = true ]
fi
J1=$(ls "$JD"/*.jsonl 2>/dev/null | tail -1)
_cond() {
	[ "$(stat -c %a "$JD")" = 700 ] && [ "$(stat -c %a "$J1")" = 600 ]
}
check "journal is 0600 in a 0700 directory" _cond
check "journal holds no secret" fails grep -q "s3cret-fx" "$J1"

"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/rb.out" 2>&1
rc=$?
check "rollback exits 0 (got $rc)" [ "$rc" = 0 ]
check "rollback restores every object byte for byte" same_as_before
"$BIN" rollback --journal-dir "$JD" "$J1" </dev/null >"$W/rb2.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && grep -q "Already rolled back" "$W/rb2.out"
}
check "a second rollback of the same journal is a no-op (exit $rc)" _cond

# ------------------------------------- undo only what the fix changed ----
lxdh_cli config set c1 user.secret s3cret-old </dev/null
fx --apply --yes --only LXD-DEV-002:c1/data --only LXD-ACC-010 >"$W/u.out" 2>&1
rc=$?
check "an apply of a device key and a server key exits 0 (got $rc)" [ "$rc" = 0 ]
JU=$(ls "$JD"/*.jsonl | tail -1)
check "  the journal keeps none of the object's other keys (user.secret)" fails grep -q s3cret-old "$JU"
t_ju() {
	[ "$(jq -c 'select(.type == "change" and (.object | startswith("/1.0/instances/"))) | .items | map([.field, .device, .key, .before, .after])' "$JU")" = \
		'[["device-key","data","readonly",null,"true"]]' ]
}
check "  only the device key, before and after" t_ju
t_ju || diag "$(grep change "$JU")"
# after the fix: a secret rotated, a limit set, the fixed key changed
lxdh_cli config set c1 user.secret s3cret-new </dev/null
lxdh_cli config set c1 limits.memory 1GiB </dev/null
lxdh_cli config set core.remote_token_expiry 30M </dev/null
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/u.rb" 2>&1
rc=$?
check "rollback with a key changed since the fix exits 2 (got $rc)" [ "$rc" = 2 ]
check "  it names the conflict" grep -q "conflict: core.remote_token_expiry is '30M' now, not '15M' as the fix left it; left alone" "$W/u.rb"
[ "$rc" = 2 ] || diag "$(cat "$W/u.rb")"
check "  the secret rotated since stays rotated" [ "$(lxdh_cli config get c1 user.secret </dev/null)" = s3cret-new ]
check "  the limit set since stays" [ "$(lxdh_cli config get c1 limits.memory </dev/null)" = 1GiB ]
check "  the key only the fix changed is restored" [ -z "$(lxdh_cli config device get c1 data readonly </dev/null)" ]
check "  the conflicting key is left alone" [ "$(lxdh_cli config get core.remote_token_expiry </dev/null)" = 30M ]
"$BIN" rollback --journal-dir "$JD" --force </dev/null >"$W/u.rb2" 2>&1
rc=$?
t_force() { [ "$rc" = 0 ] && [ "$(lxdh_cli config get core.remote_token_expiry </dev/null)" = 1H ]; }
check "rollback --force puts it back (exit $rc)" t_force
lxdh_cli config unset c1 user.secret </dev/null
lxdh_cli config unset c1 limits.memory </dev/null
check "  and everything is as before" same_as_before

# ------------------------------------------------ planted journals ----
PUB=$W/pub
mkdir -p "$PUB"
chmod 1777 "$PUB"
cp "$JU" "$PUB/20990101T000000.000000000Z-1.jsonl"
"$BIN" rollback --journal-dir "$PUB" </dev/null >"$W/pl.out" 2>&1
rc=$?
t_pl() {
	[ "$rc" = 1 ] && [ "$(wc -l <"$W/pl.out")" = 1 ] &&
	grep -q "journal directory '$PUB' is writable by others (mode 1777)" "$W/pl.out"
}
check "rollback refuses a journal in a world-writable directory, in one line (exit $rc)" t_pl
t_pl || diag "$(cat "$W/pl.out")"
"$BIN" rollback "$PUB/20990101T000000.000000000Z-1.jsonl" </dev/null >"$W/pl2.out" 2>&1
rc=$?
check "  named directly too (exit $rc)" [ "$rc" = 1 ]
"$BIN" fix --apply --yes --journal-dir "$PUB" --host-root "$EMPTY" </dev/null >"$W/pl3.out" 2>&1
rc=$?
check "fix --apply refuses to journal there (exit $rc)" [ "$rc" = 1 ]
# a crafted journal of this very server that would make a profile
# privileged: refused as well, and nothing happens
FP=$(lxdh_cli query /1.0 </dev/null | jq -r .environment.certificate_fingerprint)
rm -f "$PUB"/*.jsonl
{
	jq -cn --arg fp "$FP" '{type: "header", schema: "lxd-harden/journal/v2", created: "2099-01-01T00:00:00Z", endpoint: "", server: $fp, host_root: "/"}'
	jq -cn '{type: "change", seq: 1, object: "/1.0/profiles/weak?project=default", kind: "object", reversible: true, items: [{check: "LXD-INS-001", field: "config", key: "security.privileged", before: "true", after: null}]}'
	jq -cn '{type: "state", seq: 1, state: "applied"}'
} >"$PUB/20990101T000000.000000000Z-3.jsonl"
"$BIN" rollback --journal-dir "$PUB" </dev/null >"$W/pl4.out" 2>&1
rc=$?
t_pl4() {
	[ "$rc" = 1 ] && [ "$(wc -l <"$W/pl4.out")" = 1 ] &&
	grep -q "is writable by others" "$W/pl4.out" &&
	[ -z "$(lxdh_cli profile get weak security.privileged </dev/null)" ]
}
check "a crafted journal there cannot make a profile privileged (exit $rc)" t_pl4
t_pl4 || diag "$(cat "$W/pl4.out")"
check "  and nothing changed" same_as_before

# ------------------------------------ a journal of another server ----
OTHER=$W/other-j
mkdir -m 700 "$OTHER"
jq -c 'if .type == "header" then .server = "00ff00ff00ff00ff00ff00ff00ff00ff" else . end' \
	"$JU" >"$OTHER/20990101T000000.000000000Z-2.jsonl"
chmod 600 "$OTHER"/*.jsonl
"$BIN" rollback "$OTHER/20990101T000000.000000000Z-2.jsonl" </dev/null >"$W/os.out" 2>&1
rc=$?
t_os() { [ "$rc" = 1 ] && grep -q "is of the server with certificate 00ff00ff00ff00ff..., not of" "$W/os.out"; }
check "rollback refuses a journal of another server (exit $rc)" t_os
t_os || diag "$(cat "$W/os.out")"
"$BIN" rollback --journal-dir "$OTHER" </dev/null >"$W/os2.out" 2>&1
rc=$?
t_os2() { [ "$rc" = 1 ] && grep -q "no journal of this server in '$OTHER'" "$W/os2.out"; }
check "  and does not take it for this server's newest (exit $rc)" t_os2
check "  nothing changed" same_as_before

# ------------------------------------------------------------ opt-in ----
fx --apply --yes --only LXD-INS-003 >"$W/o1.out" 2>&1
rc=$?
check "--only LXD-INS-003 applies (exit $rc)" [ "$rc" = 0 ]
check "  the nesting fix lands on the profile (the source)" \
	[ "$(lxdh_cli profile get weak security.nesting </dev/null)" = false ]
_cond() {
	[ "$(lxdh_cli config get c1 security.privileged </dev/null)" = true ] &&
	[ "$(lxdh_cli config get core.remote_token_expiry </dev/null)" = 1H ]
}
check "  and nothing else changed (privileged, server keys)" _cond
fx --apply --yes --only LXD-DEV-002:c1/data >"$W/o2.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && [ "$(lxdh_cli config device get c1 data readonly </dev/null)" = true ]
}
check "--only LXD-DEV-002:c1/data sets the disk read-only (exit $rc)" _cond
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1 &&
	"$BIN" rollback --journal-dir "$JD" "$(ls "$JD"/*.jsonl | tail -2 | head -1)" </dev/null >"$W/rb3.out" 2>&1
check "rolling back both opt-in applies restores everything" same_as_before

# ----------------------------------------------------- concurrency ----
LXDH_FIX_STOP_BEFORE_APPLY=1 "$BIN" fix --apply --yes --journal-dir "$JD" --host-root "$EMPTY" \
	</dev/null >"$W/cc.out" 2>&1 &
FXPID=$!
stopped=false
for _ in $(seq 1 100); do
	if [ "$(awk '{print $3}' "/proc/$FXPID/stat" 2>/dev/null)" = T ]; then
		stopped=true
		break
	fi
	sleep 0.1
done
fx --apply --yes >"$W/lk.out" 2>&1
lrc=$?
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/lk2.out" 2>&1
lrc2=$?
lxdh_cli config set core.remote_token_expiry 2H </dev/null
kill -CONT "$FXPID" 2>/dev/null
wait "$FXPID"
rc=$?
_cond() {
	$stopped && [ "$rc" = 2 ]
}
check "a concurrent change between audit and apply: exit 2 (got $rc)" _cond
check "  it is reported as a conflict" grep -q "conflict LXD-ACC-010 /1.0 .*changed since the audit" "$W/cc.out"
_cond() {
	[ "$lrc" = 1 ] && [ "$lrc2" = 1 ] &&
	grep -q "another lxd-harden is changing this server (pid $FXPID, since .*: fix --apply); wait" "$W/lk.out" &&
	grep -q "another lxd-harden is changing this server (pid $FXPID, since .*: fix --apply); wait" "$W/lk2.out"
}
check "  meanwhile a second apply and a rollback say who holds the lock and exit 1 ($lrc, $lrc2)" _cond
_cond || diag "$(cat "$W/lk.out" "$W/lk2.out" | tail -4)"
check "  and not overwritten" [ "$(lxdh_cli config get core.remote_token_expiry </dev/null)" = 2H ]
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
lxdh_cli config set core.remote_token_expiry 1H </dev/null
check "  rollback of the rest restores everything" same_as_before

# ------------------------------------------------------- kill -9 ----
LXDH_FIX_PAUSE_AFTER=1 "$BIN" fix --apply --yes --journal-dir "$JD" --host-root "$EMPTY" \
	--only LXD-ACC-010 --only LXD-INS-001 --only LXD-INS-003 </dev/null >"$W/kill.out" 2>&1
rc=$?
check "apply killed after the first change (exit $rc = 137)" [ "$rc" = 137 ]
JK=$(ls "$JD"/*.jsonl | tail -1)
_cond() {
	[ "$(grep -c '"type":"change"' "$JK")" = 3 ] && [ "$(grep -c '"state":"applied"' "$JK")" = 1 ]
}
check "  its journal lists 3 objects, 1 applied" _cond
check "  something did change" fails same_as_before
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/rbk.out" 2>&1
rc=$?
check "rollback of the half-applied journal exits 0 (got $rc)" [ "$rc" = 0 ]
check "  and restores everything" same_as_before

# ------------------------------------------------ host, fake root ----
R=$W/root
mkdir -p "$R/proc" "$R/sys/kernel/slab" "$R/etc"
echo "sched" >"$R/proc/sched_debug"
chmod 0444 "$R/proc/sched_debug"
chmod 0755 "$R/sys/kernel/slab"
fx --host-root "$R" >"$W/h.out" 2>&1
_cond() {
	grep -q "chmod 400 /proc/sched_debug" "$W/h.out" &&
	grep -q "chmod 700 /sys/kernel/slab" "$W/h.out" &&
	grep -q "tmpfiles.d/lxd-harden-names.conf" "$W/h.out"
}
check "plan on a fake root: chmod of the name-leak files and a tmpfiles.d entry" _cond
_cond() {
	[ "$(stat -c %a "$R/proc/sched_debug")" = 444 ] && [ ! -e "$R/etc/tmpfiles.d" ]
}
check "  the plan changed nothing on the tree" _cond
fx --host-root "$R" --apply --yes --only LXD-MUL-004 >"$W/h2.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && grep -q "fixed    LXD-MUL-004 file:///proc/sched_debug" "$W/h2.out"
}
check "host fix applies (exit $rc) and a re-audit reports it fixed" _cond
[ "$rc" = 0 ] || diag "$(tail -8 "$W/h2.out")"
_cond() {
	[ "$(stat -c %a "$R/proc/sched_debug")" = 400 ] &&
	[ "$(stat -c %a "$R/sys/kernel/slab")" = 700 ] &&
	grep -q "^z /proc/sched_debug 0400" "$R/etc/tmpfiles.d/lxd-harden-names.conf"
}
check "  modes are 0400 and 0700, the tmpfiles.d entry is written" _cond
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/h3.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && [ "$(stat -c %a "$R/proc/sched_debug")" = 444 ] &&
	[ "$(stat -c %a "$R/sys/kernel/slab")" = 755 ] &&
	[ ! -e "$R/etc/tmpfiles.d/lxd-harden-names.conf" ]
}
check "  rollback restores the modes and removes the file (exit $rc)" _cond
check "  and the server is as before" same_as_before

# --------------------------------------------------- needs a value ----
PORT=$(lxdh_free_port 21000 2000)
lxdh_cli config set core.https_address ":$PORT" </dev/null
state >"$W/before.json"
fx >"$W/nv.out" 2>&1
check "core.https_address on every interface needs a value (--set)" \
	grep -q "name it with --set core.https_address=VALUE" "$W/nv.out"
fx --apply --yes --only LXD-NET-001 --set "core.https_address=127.0.0.1:$PORT" >"$W/nv2.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && [ "$(lxdh_cli config get core.https_address </dev/null)" = "127.0.0.1:$PORT" ]
}
check "--set core.https_address=127.0.0.1:$PORT applies and fixes NET-001 (exit $rc)" _cond
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
check "  rollback puts the old listener back" same_as_before
lxdh_cli config unset core.https_address </dev/null

# ------------------------------------------------- profile create ----
# The default profile gets a NIC on the bridge: the hardened profile
# copies it with filtering. c2 is a second instance for --attach all.
lxdh_cli profile device add default eth0 nic network=fxbr0 name=eth0 >/dev/null </dev/null
lxdh_cli init --empty c2 >/dev/null </dev/null
pstate() {
	local u
	for u in /1.0/instances/c1 /1.0/instances/c2 /1.0/profiles/default \
		/1.0/profiles/weak; do
		lxdh_cli query "$u" </dev/null | jq -S 'del(.etag)' || return 1
	done
	lxdh_cli query /1.0/profiles </dev/null | jq -S . || return 1
}
pstate >"$W/p-before.json"
p_same() {
	pstate >"$W/p-now.json" && cmp -s "$W/p-before.json" "$W/p-now.json" ||
		{ diff "$W/p-before.json" "$W/p-now.json" | head -20 | sed 's/^/#   /'; return 1; }
}
pc() { "$BIN" profile create --journal-dir "$JD" "$@" </dev/null; }
pc hardened --attach all >"$W/pc.out" 2>&1
rc=$?
check "profile create (plan) exits 2 (got $rc)" [ "$rc" = 2 ]
missing=
for want in "create it:" "limits.cpu=2" "limits.memory=2GiB" "limits.processes=500" \
	"security.privileged=false" "security.nesting=false" \
	"security.idmap.isolated=true" "$DEVAPI=false" \
	"security.ipv4_filtering\":\"true\"" \
	"profiles: [\"default\",\"weak\"] -> [\"default\",\"weak\",\"hardened\"]" \
	"profiles: [\"default\"] -> [\"default\",\"hardened\"]" \
	"overrides the default profile's eth0" \
	"$C profile add c1 hardened"; do
	grep -qF -- "$want" "$W/pc.out" || missing="$missing [$want]"
done
check "the plan lists the profile, its NIC and both attachments${missing:+ (missing:$missing)}" [ -z "$missing" ]
[ -z "$missing" ] || diag "$(cat "$W/pc.out")"
check "  and says that idmap isolation needs a start (stopped instances)" \
	grep -q "Stopped: everything takes effect at its next start" "$W/pc.out"
check "  and it changes nothing" p_same
check "  the plan does not say ipv6 (the bridge has none)" fails grep -q ipv6_filtering "$W/pc.out"

pc hardened --cpu 3 --memory 1GiB --processes 300 --no-idmap-isolated --apply --yes >"$W/pc1.out" 2>&1
rc=$?
check "profile create --apply --yes exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(tail -12 "$W/pc1.out")"
lxdh_cli query /1.0/profiles/hardened </dev/null >"$W/hp.json" 2>/dev/null
check "  the profile has the flags' limits and the security keys" \
	[ "$(jq -r '.config["limits.cpu"]+" "+.config["limits.memory"]+" "+.config["limits.processes"]+" "+.config["security.privileged"]+" "+.config["security.nesting"]+" "+.config[$k]' --arg k "$DEVAPI" "$W/hp.json")" = "3 1GiB 300 false false false" ]
check "  --no-idmap-isolated leaves security.idmap.isolated out" \
	[ "$(jq -r '.config["security.idmap.isolated"] // "absent"' "$W/hp.json")" = absent ]
check "  and a filtered copy of the default profile's NIC" \
	[ "$(jq -c '.devices.eth0' "$W/hp.json")" = '{"name":"eth0","network":"fxbr0","security.ipv4_filtering":"true","type":"nic"}' ]
check "  instances were not touched (no --attach)" \
	[ "$(lxdh_cli query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak"]' ]
pc hardened >"$W/pc2.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 1 ] && grep -q "profile 'hardened' already exists in project 'default'; --update" "$W/pc2.out"
}
check "creating it again is an error (exit $rc) with a clear message" _cond
pc hardened --update --attach all --apply --yes >"$W/pc3.out" 2>&1
rc=$?
check "--update --attach all --apply exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(tail -12 "$W/pc3.out")"
_cond() {
	grep -q "limits.cpu: \"3\" -> \"2\"" "$W/pc3.out" &&
	grep -q "security.idmap.isolated: (absent) -> \"true\"" "$W/pc3.out" &&
	fails grep -q "security.nesting:" "$W/pc3.out"
}
check "  --update changed only what differs (limits, idmap)" _cond
_cond() {
	[ "$(lxdh_cli query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak","hardened"]' ] &&
	[ "$(lxdh_cli query /1.0/instances/c2 </dev/null | jq -c .profiles)" = '["default","hardened"]' ]
}
check "  every instance has it last in its list" _cond
check "  and the instance's expanded config has the hardened limits" \
	[ "$(lxdh_cli query /1.0/instances/c2 </dev/null | jq -r '.expanded_config["limits.processes"]')" = 500 ]
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/prb1.out" 2>&1
rc=$?
check "rollback of --update --attach exits 0 (got $rc)" [ "$rc" = 0 ]
_cond() {
	[ "$(lxdh_cli query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak"]' ] &&
	[ "$(lxdh_cli query /1.0/profiles/hardened </dev/null | jq -r '.config["limits.cpu"]')" = 3 ]
}
check "  the instances have their old lists, the profile its old config" _cond
"$BIN" rollback --journal-dir "$JD" "$(ls "$JD"/*.jsonl | tail -2 | head -1)" </dev/null >"$W/prb2.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && ! lxdh_cli query /1.0/profiles/hardened </dev/null >/dev/null 2>&1
}
check "rollback of the create deletes the profile (exit $rc)" _cond
check "  and everything is byte for byte as before" p_same

pc hardened --attach c1 --apply --yes >"$W/pc4.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] &&
	[ "$(lxdh_cli query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak","hardened"]' ] &&
	[ "$(lxdh_cli query /1.0/instances/c2 </dev/null | jq -c .profiles)" = '["default"]' ]
}
check "create and --attach c1 in one apply (exit $rc)" _cond
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/prb3.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && p_same
}
check "  rollback detaches it, deletes it, and restores everything byte for byte (exit $rc)" _cond
[ "$rc" = 0 ] || diag "$(cat "$W/prb3.out")"
pc hardened --attach nosuch >"$W/pc5.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 1 ] &&
	grep -q "no instance 'nosuch' in project 'default'" "$W/pc5.out"
}
check "an unknown instance is an error (exit $rc)" _cond
setsid "$BIN" profile create hardened --apply --journal-dir "$JD" </dev/null >"$W/pc6.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 1 ] && grep -q -- "--yes" "$W/pc6.out" && p_same
}
check "--apply without a terminal and without --yes refuses (exit $rc)" _cond

# ------------------------------------------- LOG-003, fake root ----
R3=$W/root3
mkdir -p "$R3/usr/sbin" "$R3/usr/bin" "$R3/usr/sbin" "$R3/etc/audit/rules.d"
# The product's client (already watched) and daemon (not yet).
if [ -n "$INCUS" ]; then
	B_CLI=/usr/bin/incus B_D=/usr/libexec/incus/incusd
else
	B_CLI=/usr/bin/lxc B_D=/usr/bin/lxd
fi
mkdir -p "$R3/usr/libexec/incus"
for b in usr/sbin/auditd "${B_CLI#/}" "${B_D#/}" usr/sbin/lxd; do
	printf '#!/bin/sh\n' >"$R3/$b"
	chmod 0755 "$R3/$b"
done
printf -- '-w %s -p x -k mine\n' "$B_CLI" >"$R3/etc/audit/rules.d/lxd-harden.rules"
cp "$R3/etc/audit/rules.d/lxd-harden.rules" "$W/rules.before"
fx --host-root "$R3" >"$W/l3.out" 2>&1
_cond() {
	grep -q "LXD-LOG-003 file:///etc/audit/rules.d/lxd-harden.rules" "$W/l3.out" &&
	grep -q "+ -w $B_D -p x -k lxd_execution" "$W/l3.out" &&
	fails grep -q "+ -w $B_CLI" "$W/l3.out"
}
check "LOG-003 is planned as opt-in: the rules file with the missing binaries" _cond
[ $? = 0 ] || diag "$(grep -A12 LOG-003 "$W/l3.out")"
fx --host-root "$R3" --apply --yes >"$W/l3a.out" 2>&1
check "  fix --apply without --only leaves it alone" cmp -s "$W/rules.before" "$R3/etc/audit/rules.d/lxd-harden.rules"
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
fx --host-root "$R3" --apply --yes --only LXD-LOG-003 >"$W/l3b.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && grep -q "^-w $B_CLI -p x -k mine" "$R3/etc/audit/rules.d/lxd-harden.rules" &&
	grep -q "^-w $B_D -p x -k lxd_execution" "$R3/etc/audit/rules.d/lxd-harden.rules" &&
	grep -q "fixed    LXD-LOG-003" "$W/l3b.out"
}
check "  --only LXD-LOG-003 writes it (exit $rc), keeping the old line" _cond
[ "$rc" = 0 ] || diag "$(tail -8 "$W/l3b.out")"
_cond() {
	[ "$(stat -c %a "$R3/etc/audit/rules.d/lxd-harden.rules")" = 644 ] &&
	[ "$(ls "$R3/etc/audit/rules.d" | wc -l)" = 1 ]
}
check "  mode kept (0644 before), written atomically (no temp file left)" _cond
JL=$(ls "$JD"/*.jsonl | tail -1)
check "  the journal keeps the previous content" grep -q 'k mine' "$JL"
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/l3c.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && cmp -s "$W/rules.before" "$R3/etc/audit/rules.d/lxd-harden.rules"
}
check "  rollback restores the previous content (exit $rc)" _cond
rm "$R3/etc/audit/rules.d/lxd-harden.rules"
fx --host-root "$R3" --apply --yes --only LXD-LOG-003 >"$W/l3d.out" 2>&1
rc=$?
_cond() {
	[ "$rc" = 0 ] && [ "$(stat -c %a "$R3/etc/audit/rules.d/lxd-harden.rules")" = 640 ]
}
check "  with no file before: written 0640 (exit $rc)" _cond
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
check "  and rollback removes it" [ ! -e "$R3/etc/audit/rules.d/lxd-harden.rules" ]

# ------------------------- ACC-005 setup: a certificate about to expire ----
# LXD refuses adding an expired certificate, so plant one valid for a few
# seconds now and judge it once it has expired (after the next sections).
CERTS_OK=false
if python3 - "$W" <<'PY' 2>"$W/certgen.err"
import datetime, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
w = sys.argv[1]
k = ec.generate_private_key(ec.SECP384R1())
n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fx-short")])
now = datetime.datetime.now(datetime.timezone.utc)
def mk(nb, na, fn):
    c = (x509.CertificateBuilder().subject_name(n).issuer_name(n)
         .public_key(k.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na).sign(k, hashes.SHA384()))
    open(fn, "wb").write(c.public_bytes(serialization.Encoding.PEM))
mk(now - datetime.timedelta(minutes=5), now + datetime.timedelta(seconds=15), w + "/short.crt")
mk(now - datetime.timedelta(days=5), now - datetime.timedelta(days=1), w + "/expired.crt")
PY
then
	lxdh_trust_add_cert "$W/short.crt" --name fx-short >/dev/null 2>"$W/short.err" &&
		CERTS_OK=true
	SHORT_AT=$(date +%s)
fi
$CERTS_OK || diag "cannot plant a short-lived certificate: $(cat "$W/certgen.err" "$W/short.err" 2>/dev/null | tail -3)"

# ------------------------------------------ GEN-003, unused pool ----
# An unused dir pool on a directory outside LXD_DIR.
EXT=$W/ext/fxspare
mkdir -p "$EXT"
lxdh_cli storage create fxspare dir source="$EXT" >/dev/null </dev/null
lxdh_cli storage set fxspare --property description "spare pool" </dev/null 2>/dev/null ||
	lxdh_cli query -X PATCH -d '{"description":"spare pool"}' /1.0/storage-pools/fxspare </dev/null >/dev/null
pool_exists() { lxdh_cli storage show "$1" </dev/null >/dev/null 2>&1; }
pool_state() { lxdh_cli query /1.0/storage-pools/fxspare </dev/null | jq -S 'del(.etag)'; }
pool_state >"$W/pool-before.json"
fx >"$W/g3.out" 2>&1
t_g3_plan() {
	grep -q "^  \[ \] LXD-GEN-003 /1.0/storage-pools/fxspare$" "$W/g3.out" &&
	grep -qF "storage pool fxspare (driver dir, source $EXT) -> (deleted)" "$W/g3.out" &&
	grep -q "command: $C storage delete fxspare" "$W/g3.out" &&
	! grep -q "LXD-GEN-003 /1.0/storage-pools/fxpool" "$W/g3.out"
}
check "GEN-003: the plan deletes the unused pool, opt-in (not the pool in use)" t_g3_plan
check "  and says the pool's directory stays on disk" \
	grep -qF "the server empties its directory $EXT, which stays on disk" "$W/g3.out"
fx --apply --yes >"$W/g3n.out" 2>&1
check "  fix --apply without --only leaves it" pool_exists fxspare
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
fx --apply --yes --only LXD-GEN-003 >"$W/g3a.out" 2>&1
rc=$?
t_g3_apply() {
	[ "$rc" = 0 ] && grep -q "fixed    LXD-GEN-003 /1.0/storage-pools/fxspare" "$W/g3a.out" &&
	! pool_exists fxspare
}
check "  --only LXD-GEN-003 deletes it (exit $rc) and a re-audit says fixed" t_g3_apply
[ "$rc" = 0 ] || diag "$(tail -8 "$W/g3a.out")"
check "  the directory is still there" [ -d "$EXT" ]
check "  the default profile's pool is still there" pool_exists fxpool
JG=$(ls "$JD"/*.jsonl | tail -1)
check "  the journal has the pool's driver, config and description" \
	[ "$(jq -c 'select(.type == "change") | .previous | [.name, .driver, .config.source, .description]' "$JG")" = \
		"[\"fxspare\",\"dir\",\"$EXT\",\"spare pool\"]" ]
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/g3r.out" 2>&1
rc=$?
pool_state >"$W/pool-after.json" 2>/dev/null
t_g3_rb() { [ "$rc" = 0 ] && cmp -s "$W/pool-before.json" "$W/pool-after.json"; }
check "  rollback recreates it with the same driver, config and description (exit $rc)" t_g3_rb
[ "$rc" = 0 ] || diag "$(cat "$W/g3r.out")"
cmp -s "$W/pool-before.json" "$W/pool-after.json" || diag "$(diff "$W/pool-before.json" "$W/pool-after.json")"
lxdh_cli storage delete fxspare </dev/null >/dev/null 2>&1

# ------------------------------------ ACC-002, socket in a fake root ----
R2=$W/root2
SOCK=$R2$LXDH_DIR/unix.socket
mkdir -p "$(dirname "$SOCK")"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SOCK"
chmod 0666 "$SOCK"
chown 1234:1234 "$SOCK"
fx --host-root "$R2" >"$W/a2.out" 2>&1
t_a2_plan() {
	grep -q "^  \[x\] LXD-ACC-002 file://$LXDH_DIR/unix.socket$" "$W/a2.out" &&
	grep -q "mode 0666 -> 0660" "$W/a2.out" &&
	grep -q "owner 1234:1234 -> 0:0" "$W/a2.out" &&
	grep -qF "command: chmod 0660 $LXDH_DIR/unix.socket" "$W/a2.out" &&
	grep -qF "then: chown root:root $LXDH_DIR/unix.socket" "$W/a2.out"
}
check "ACC-002: the plan (safe, selected) puts the socket back to 0660 root:root" t_a2_plan
t_a2_plan || diag "$(grep -A6 ACC-002 "$W/a2.out")"
check "  the plan changed nothing" [ "$(stat -c '%a %u %g' "$SOCK")" = "666 1234 1234" ]
fx --host-root "$R2" --apply --yes --only LXD-ACC-002 >"$W/a2a.out" 2>&1
rc=$?
t_a2_apply() {
	[ "$rc" = 0 ] && [ "$(stat -c '%a %u %g' "$SOCK")" = "660 0 0" ] &&
	grep -q "fixed    LXD-ACC-002 file://$LXDH_DIR/unix.socket" "$W/a2a.out"
}
check "  --apply fixes it (exit $rc) under the root, and a re-audit says fixed" t_a2_apply
[ "$rc" = 0 ] || diag "$(tail -8 "$W/a2a.out")"
check "  the real socket was not touched" [ "$(stat -c %a "$LXDH_DIR/unix.socket")" = 660 ]
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/a2r.out" 2>&1
rc=$?
t_a2_rb() { [ "$rc" = 0 ] && [ "$(stat -c '%a %u %g' "$SOCK")" = "666 1234 1234" ]; }
check "  rollback restores mode and owner (exit $rc)" t_a2_rb

# ----------------------------------------- ACC-011, pending token ----
PORT=$(lxdh_free_port 21000 2000)
lxdh_cli config set core.https_address "127.0.0.1:$PORT" </dev/null
lxdh_trust_token fx-tok >"$W/tok.txt" 2>&1
OPID=$(lxdh_cli query '/1.0/operations?recursion=1' </dev/null |
	jq -r '.running[]? | select(.class == "token") | .id' | head -1)
SECRET=$(lxdh_cli query "/1.0/operations/$OPID" </dev/null | jq -r .metadata.secret)
t_tok() { [ -n "$OPID" ] && [ -n "$SECRET" ] && [ "$SECRET" != null ]; }
check "ACC-011: a pending trust token exists" t_tok
fx >"$W/t.out" 2>&1
t_tok_plan() {
	grep -q "^  \[ \] LXD-ACC-011 /1.0/operations/$OPID$" "$W/t.out" &&
	grep -q "pending trust token fx-tok -> (deleted)" "$W/t.out" &&
	grep -q "command: $C operation delete $OPID" "$W/t.out" &&
	grep -A4 "LXD-ACC-011 /1.0/operations/$OPID" "$W/t.out" | grep -q "not reversible: rollback cannot undo this"
}
check "  the plan revokes it, opt-in, and says it is not reversible" t_tok_plan
check "  the plan does not print the secret" fails grep -qF "$SECRET" "$W/t.out"
fx --apply --yes --only LXD-ACC-011 >"$W/ta.out" 2>&1
rc=$?
t_tok_apply() { [ "$rc" = 0 ] && grep -q "fixed    LXD-ACC-011 /1.0/operations/$OPID" "$W/ta.out"; }
check "  --only LXD-ACC-011 revokes it (exit $rc), a re-audit says fixed" t_tok_apply
[ "$rc" = 0 ] || diag "$(tail -8 "$W/ta.out")"
t_tok_gone() { ! lxdh_cli query /1.0/operations </dev/null | jq -r '.running[]?' | grep -q "$OPID"; }
check "  it is gone from the pending operations" t_tok_gone
JT=$(ls "$JD"/*.jsonl | tail -1)
t_tok_journal() { grep -q '"name":"fx-tok"' "$JT" && ! grep -qF "$SECRET" "$JT"; }
check "  the journal names the token, never its secret" t_tok_journal
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/tr.out" 2>&1
rc=$?
t_tok_rb() { [ "$rc" = 0 ] && grep -q "not restored /1.0/operations/$OPID (not reversible)" "$W/tr.out"; }
check "  rollback says it is not restored (exit $rc)" t_tok_rb
lxdh_cli config unset core.https_address </dev/null

# -------------------------------------- ACC-005, expired certificate ----
if $CERTS_OK; then
	lxdh_trust_add_cert "$W/expired.crt" --name fx-expired >"$W/exp.out" 2>&1
	rc=$?
	t_c_refused() { [ "$rc" != 0 ] && grep -qi "expired" "$W/exp.out"; }
	check "ACC-005: $LXDH_NAME $(lxdh_daemon_version) refuses adding an already expired certificate (exit $rc)" t_c_refused
	left=$((SHORT_AT + 17 - $(date +%s)))
	[ "$left" -gt 0 ] && sleep "$left"
	FP=$(lxdh_cli query '/1.0/certificates?recursion=1' </dev/null | jq -r '.[] | select(.name == "fx-short") | .fingerprint')
	t_c_planted() { [ -n "$FP" ] && [ "$(audit_status LXD-ACC-005)" = fail ]; }
	check "  the planted certificate has expired and is still in the trust store" t_c_planted
	fx >"$W/c.out" 2>&1
	t_c_plan() {
		grep -q "^  \[ \] LXD-ACC-005 /1.0/certificates/$FP$" "$W/c.out" &&
		grep -q "certificate fx-short (type client, expired on .*) -> (deleted)" "$W/c.out" &&
		grep -q "the server refuses to add an expired certificate" "$W/c.out" &&
		grep -A6 "LXD-ACC-005 /1.0/certificates/$FP" "$W/c.out" | grep -q "not reversible: rollback cannot undo this"
	}
	check "  the plan removes it, opt-in, not reversible, and says why" t_c_plan
	t_c_plan || diag "$(grep -A6 ACC-005 "$W/c.out")"
	fx --apply --yes --only LXD-ACC-005 >"$W/ca.out" 2>&1
	rc=$?
	t_c_apply() {
		[ "$rc" = 0 ] && grep -q "fixed    LXD-ACC-005 /1.0/certificates/$FP" "$W/ca.out" &&
		! lxdh_cli query "/1.0/certificates/$FP" </dev/null >/dev/null 2>&1
	}
	check "  --only LXD-ACC-005 removes it (exit $rc), a re-audit says fixed" t_c_apply
	[ "$rc" = 0 ] || diag "$(tail -8 "$W/ca.out")"
	JC=$(ls "$JD"/*.jsonl | tail -1)
	check "  the journal keeps its name, type, restrictions and PEM" \
		[ "$(jq -c 'select(.type == "change") | .previous | [.name, .type, .restricted, .projects, (.certificate | startswith("-----BEGIN CERTIFICATE"))]' "$JC")" = \
			'["fx-short","client",false,[],true]' ]
	"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/cr.out" 2>&1
	rc=$?
	t_c_rb() { [ "$rc" = 0 ] && grep -q "not restored /1.0/certificates/$FP (not reversible)" "$W/cr.out"; }
	check "  rollback says it is not restored (exit $rc)" t_c_rb
else
	not_ok "ACC-005: plant a certificate that expires (python3 cryptography)"
fi

# ------------------------------------ a name a URL would cut at '#' ----
# --only names profile 'ha#sh'; before names were percent-encoded the
# request went to /1.0/profiles/ha and changed profile ha instead.
lxdh_cli profile create ha </dev/null >/dev/null 2>&1
lxdh_cli profile set ha security.privileged=true </dev/null
if lxdh_cli profile create 'ha#sh' </dev/null >"$W/hash-create.out" 2>&1; then
	lxdh_cli profile set 'ha#sh' security.privileged=true </dev/null
	fx --apply --yes --only 'LXD-INS-001:ha#sh' >"$W/hash.out" 2>&1
	rc=$?
	t_hash() {
		[ "$(lxdh_cli profile get 'ha#sh' security.privileged </dev/null)" = false ] &&
		grep -qF "fixed    LXD-INS-001 /1.0/profiles/ha%23sh?project=default" "$W/hash.out"
	}
	check "--only LXD-INS-001:ha#sh fixes profile ha#sh (exit $rc)" t_hash
	t_hash || diag "$(tail -8 "$W/hash.out")"
	check "  and leaves profile ha as it was" \
		[ "$(lxdh_cli profile get ha security.privileged </dev/null)" = true ]
	"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/hash-rb.out" 2>&1
	check "  rollback puts ha#sh back" \
		[ "$(lxdh_cli profile get 'ha#sh' security.privileged </dev/null)" = true ]
	lxdh_cli profile delete 'ha#sh' </dev/null >/dev/null
else
	not_ok "the server accepts a profile named ha#sh"
	diag "$(cat "$W/hash-create.out")"
fi
lxdh_cli profile delete ha </dev/null >/dev/null

exit $((NFAIL > 0))
