#!/bin/bash
# fix.sh - lxd-harden fix and rollback against a real, private LXD; TAP.
#
#   LXDH_BIN=build/lxd-harden tests/integration/fix.sh
#
# Plants a weak configuration in a private daemon, then: the plan changes
# nothing; --apply fixes the safe part (a re-audit passes it) and leaves
# opt-in fixes alone; --only applies what it names; rollback restores every
# touched object byte for byte (its JSON, ETag aside); a concurrent change
# between audit and apply is reported, not overwritten; a kill in the
# middle of an apply (test hook LXDH_FIX_PAUSE_AFTER) is undone by
# rollback. A missing lxd is a failure. An EXIT trap stops the daemon.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${LXDH_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac

# shellcheck source=lib.sh
. "$HERE/lib.sh"
LXDH_LOG=/dev/stdout
export NO_COLOR=1

NTEST=0
NFAIL=0
W=

ok() { NTEST=$((NTEST + 1)); echo "ok $NTEST - $*"; }
not_ok() { NTEST=$((NTEST + 1)); NFAIL=$((NFAIL + 1)); echo "not ok $NTEST - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }
fails() { ! "$@"; }
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

finish() {
	lxdh_daemon_cleanup
	[ -n "$W" ] && [ -z "${LXDH_FIX_KEEP:-}" ] && rm -rf "$W"
	echo "1..$NTEST"
}
trap finish EXIT

if ! lxdh_have_lxd; then
	not_ok "lxd and lxc are installed (apt-get install lxd lxd-client)"
	exit 1
fi
if ! lxdh_daemon_start lxdh-fix; then
	not_ok "private LXD daemon starts"
	exit 1
fi
ok "private LXD daemon starts"
W=$(mktemp -d /tmp/lxdh-fix-w.XXXXXX)
JD=$W/journals
SHARE=$W/share
mkdir -p "$SHARE"

# The weak configuration.
lxc storage create fxpool dir >/dev/null </dev/null
lxc profile device add default root disk path=/ pool=fxpool >/dev/null </dev/null
NET=10.210.$((RANDOM % 200 + 20))
LXDH_BRIDGES+=(fxbr0)
lxc network create fxbr0 ipv4.address=$NET.1/24 ipv6.address=none >/dev/null </dev/null
lxc profile create weak >/dev/null </dev/null
lxc profile set weak security.nesting true </dev/null
lxc profile device add weak eth0 nic network=fxbr0 name=eth0 >/dev/null </dev/null
lxc init --empty c1 -p default -p weak >/dev/null </dev/null
lxc config set c1 security.privileged true </dev/null
lxc config device add c1 data disk source="$SHARE" path=/mnt/data >/dev/null </dev/null
lxc config set core.remote_token_expiry 1H </dev/null
lxc config set cluster.join_token_expiry 1H </dev/null
lxc config set core.trust_ca_certificates true </dev/null
lxc config set core.metrics_authentication false </dev/null
lxc config set core.trust_password s3cret-fx </dev/null

# state: the JSON of every object fix may touch, ETags aside.
state() {
	local u
	for u in /1.0 /1.0/instances/c1 /1.0/profiles/weak /1.0/profiles/default \
		/1.0/networks/fxbr0 /1.0/projects/default; do
		lxc query "$u" </dev/null | jq -S 'del(.etag) | del(.environment)' || return 1
	done
}
state >"$W/before.json"
# full server listing, to show plan touches nothing at all
full() {
	local k
	for k in instances profiles networks storage-pools projects; do
		lxc query "/1.0/$k?recursion=1" </dev/null | jq -S .
	done
	lxc query /1.0 </dev/null | jq -S 'del(.environment)'
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
	"lxc config set core.remote_token_expiry=15M" \
	"lxc profile set weak security.nesting=false" \
	"lxc config device set c1 data readonly=true"; do
	grep -qF -- "$want" "$W/plan.out" || missing="$missing [$want]"
done
check "plan lists every expected change${missing:+ (missing:$missing)}" [ -z "$missing" ]
check "plan says the trust password removal is not reversible" \
	grep -q "not reversible: LXD never returns the trust password" "$W/plan.out"
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
check "opt-in fixes were not applied (nesting, privileged)" \
	[ "$(lxc profile get weak security.nesting </dev/null)" = true ] &&
	[ "$(lxc config get c1 security.privileged </dev/null)" = true ]
check "core.trust_password (not reversible) is still set" \
	[ "$(lxc query /1.0 </dev/null | jq -r '.config["core.trust_password"]')" = true ]
J1=$(ls "$JD"/*.jsonl 2>/dev/null | tail -1)
check "journal is 0600 in a 0700 directory" \
	[ "$(stat -c %a "$JD")" = 700 ] && [ "$(stat -c %a "$J1")" = 600 ]
check "journal holds no secret" fails grep -q "s3cret-fx" "$J1"

"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/rb.out" 2>&1
rc=$?
check "rollback exits 0 (got $rc)" [ "$rc" = 0 ]
check "rollback restores every object byte for byte" same_as_before
"$BIN" rollback --journal-dir "$JD" "$J1" </dev/null >"$W/rb2.out" 2>&1
rc=$?
check "a second rollback of the same journal is a no-op (exit $rc)" \
	[ "$rc" = 0 ] && grep -q "Already rolled back" "$W/rb2.out"

# ------------------------------------------------------------ opt-in ----
fx --apply --yes --only LXD-INS-003 >"$W/o1.out" 2>&1
rc=$?
check "--only LXD-INS-003 applies (exit $rc)" [ "$rc" = 0 ]
check "  the nesting fix lands on the profile (the source)" \
	[ "$(lxc profile get weak security.nesting </dev/null)" = false ]
check "  and nothing else changed (privileged, server keys)" \
	[ "$(lxc config get c1 security.privileged </dev/null)" = true ] &&
	[ "$(lxc config get core.remote_token_expiry </dev/null)" = 1H ]
fx --apply --yes --only LXD-DEV-002:c1/data >"$W/o2.out" 2>&1
rc=$?
check "--only LXD-DEV-002:c1/data sets the disk read-only (exit $rc)" \
	[ "$rc" = 0 ] && [ "$(lxc config device get c1 data readonly </dev/null)" = true ]
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1 &&
	"$BIN" rollback --journal-dir "$JD" "$(ls "$JD"/*.jsonl | sed -n 2p)" </dev/null >"$W/rb3.out" 2>&1
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
lxc config set core.remote_token_expiry 2H </dev/null
kill -CONT "$FXPID" 2>/dev/null
wait "$FXPID"
rc=$?
check "a concurrent change between audit and apply: exit 2 (got $rc)" $stopped && [ "$rc" = 2 ]
check "  it is reported as a conflict" grep -q "conflict LXD-ACC-010 /1.0 .*changed since the audit" "$W/cc.out"
check "  and not overwritten" [ "$(lxc config get core.remote_token_expiry </dev/null)" = 2H ]
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
lxc config set core.remote_token_expiry 1H </dev/null
check "  rollback of the rest restores everything" same_as_before

# ------------------------------------------------------- kill -9 ----
LXDH_FIX_PAUSE_AFTER=1 "$BIN" fix --apply --yes --journal-dir "$JD" --host-root "$EMPTY" \
	--only LXD-ACC-010 --only LXD-INS-001 --only LXD-INS-003 </dev/null >"$W/kill.out" 2>&1
rc=$?
check "apply killed after the first change (exit $rc = 137)" [ "$rc" = 137 ]
JK=$(ls "$JD"/*.jsonl | tail -1)
check "  its journal lists 3 objects, 1 applied" \
	[ "$(grep -c '"type":"change"' "$JK")" = 3 ] && [ "$(grep -c '"state":"applied"' "$JK")" = 1 ]
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
check "plan on a fake root: chmod of the name-leak files and a tmpfiles.d entry" \
	grep -q "chmod 400 /proc/sched_debug" "$W/h.out" &&
	grep -q "chmod 700 /sys/kernel/slab" "$W/h.out" &&
	grep -q "tmpfiles.d/lxd-harden-names.conf" "$W/h.out"
check "  the plan changed nothing on the tree" \
	[ "$(stat -c %a "$R/proc/sched_debug")" = 444 ] && [ ! -e "$R/etc/tmpfiles.d" ]
fx --host-root "$R" --apply --yes --only LXD-MUL-004 >"$W/h2.out" 2>&1
rc=$?
check "host fix applies (exit $rc) and a re-audit reports it fixed" \
	[ "$rc" = 0 ] && grep -q "fixed    LXD-MUL-004 file:///proc/sched_debug" "$W/h2.out"
[ "$rc" = 0 ] || diag "$(tail -8 "$W/h2.out")"
check "  modes are 0400 and 0700, the tmpfiles.d entry is written" \
	[ "$(stat -c %a "$R/proc/sched_debug")" = 400 ] &&
	[ "$(stat -c %a "$R/sys/kernel/slab")" = 700 ] &&
	grep -q "^z /proc/sched_debug 0400" "$R/etc/tmpfiles.d/lxd-harden-names.conf"
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/h3.out" 2>&1
rc=$?
check "  rollback restores the modes and removes the file (exit $rc)" \
	[ "$rc" = 0 ] && [ "$(stat -c %a "$R/proc/sched_debug")" = 444 ] &&
	[ "$(stat -c %a "$R/sys/kernel/slab")" = 755 ] &&
	[ ! -e "$R/etc/tmpfiles.d/lxd-harden-names.conf" ]
check "  and the server is as before" same_as_before

# --------------------------------------------------- needs a value ----
PORT=$(lxdh_free_port 21000 2000)
lxc config set core.https_address ":$PORT" </dev/null
state >"$W/before.json"
fx >"$W/nv.out" 2>&1
check "core.https_address on every interface needs a value (--set)" \
	grep -q "give --set core.https_address=VALUE" "$W/nv.out"
fx --apply --yes --only LXD-NET-001 --set "core.https_address=127.0.0.1:$PORT" >"$W/nv2.out" 2>&1
rc=$?
check "--set core.https_address=127.0.0.1:$PORT applies and fixes NET-001 (exit $rc)" \
	[ "$rc" = 0 ] && [ "$(lxc config get core.https_address </dev/null)" = "127.0.0.1:$PORT" ]
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
check "  rollback puts the old listener back" same_as_before
lxc config unset core.https_address </dev/null

# ------------------------------------------------- profile create ----
# The default profile gets a NIC on the bridge: the hardened profile
# copies it with filtering. c2 is a second instance for --attach all.
lxc profile device add default eth0 nic network=fxbr0 name=eth0 >/dev/null </dev/null
lxc init --empty c2 >/dev/null </dev/null
pstate() {
	local u
	for u in /1.0/instances/c1 /1.0/instances/c2 /1.0/profiles/default \
		/1.0/profiles/weak; do
		lxc query "$u" </dev/null | jq -S 'del(.etag)' || return 1
	done
	lxc query /1.0/profiles </dev/null | jq -S . || return 1
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
	"security.idmap.isolated=true" "security.devlxd.images=false" \
	"security.ipv4_filtering\":\"true\"" \
	"profiles: [\"default\",\"weak\"] -> [\"default\",\"weak\",\"hardened\"]" \
	"profiles: [\"default\"] -> [\"default\",\"hardened\"]" \
	"overrides the default profile's eth0" \
	"lxc profile add c1 hardened"; do
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
lxc query /1.0/profiles/hardened </dev/null >"$W/hp.json" 2>/dev/null
check "  the profile has the flags' limits and the security keys" \
	[ "$(jq -r '.config["limits.cpu"]+" "+.config["limits.memory"]+" "+.config["limits.processes"]+" "+.config["security.privileged"]+" "+.config["security.nesting"]+" "+.config["security.devlxd.images"]' "$W/hp.json")" = "3 1GiB 300 false false false" ]
check "  --no-idmap-isolated leaves security.idmap.isolated out" \
	[ "$(jq -r '.config["security.idmap.isolated"] // "absent"' "$W/hp.json")" = absent ]
check "  and a filtered copy of the default profile's NIC" \
	[ "$(jq -c '.devices.eth0' "$W/hp.json")" = '{"name":"eth0","network":"fxbr0","security.ipv4_filtering":"true","type":"nic"}' ]
check "  instances were not touched (no --attach)" \
	[ "$(lxc query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak"]' ]
pc hardened >"$W/pc2.out" 2>&1
rc=$?
check "creating it again is an error (exit $rc) with a clear message" \
	[ "$rc" = 1 ] && grep -q "profile 'hardened' already exists in project 'default'; --update" "$W/pc2.out"
pc hardened --update --attach all --apply --yes >"$W/pc3.out" 2>&1
rc=$?
check "--update --attach all --apply exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || diag "$(tail -12 "$W/pc3.out")"
check "  --update changed only what differs (limits, idmap)" \
	grep -q "limits.cpu: \"3\" -> \"2\"" "$W/pc3.out" &&
	grep -q "security.idmap.isolated: (absent) -> \"true\"" "$W/pc3.out" &&
	fails grep -q "security.nesting:" "$W/pc3.out"
check "  every instance has it last in its list" \
	[ "$(lxc query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak","hardened"]' ] &&
	[ "$(lxc query /1.0/instances/c2 </dev/null | jq -c .profiles)" = '["default","hardened"]' ]
check "  and the instance's expanded config has the hardened limits" \
	[ "$(lxc query /1.0/instances/c2 </dev/null | jq -r '.expanded_config["limits.processes"]')" = 500 ]
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/prb1.out" 2>&1
rc=$?
check "rollback of --update --attach exits 0 (got $rc)" [ "$rc" = 0 ]
check "  the instances have their old lists, the profile its old config" \
	[ "$(lxc query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak"]' ] &&
	[ "$(lxc query /1.0/profiles/hardened </dev/null | jq -r '.config["limits.cpu"]')" = 3 ]
"$BIN" rollback --journal-dir "$JD" "$(ls "$JD"/*.jsonl | tail -2 | head -1)" </dev/null >"$W/prb2.out" 2>&1
rc=$?
check "rollback of the create deletes the profile (exit $rc)" \
	[ "$rc" = 0 ] && ! lxc query /1.0/profiles/hardened </dev/null >/dev/null 2>&1
check "  and everything is byte for byte as before" p_same

pc hardened --attach c1 --apply --yes >"$W/pc4.out" 2>&1
rc=$?
check "create and --attach c1 in one apply (exit $rc)" [ "$rc" = 0 ] &&
	[ "$(lxc query /1.0/instances/c1 </dev/null | jq -c .profiles)" = '["default","weak","hardened"]' ] &&
	[ "$(lxc query /1.0/instances/c2 </dev/null | jq -c .profiles)" = '["default"]' ]
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/prb3.out" 2>&1
rc=$?
check "  rollback detaches it, deletes it, and restores everything byte for byte (exit $rc)" \
	[ "$rc" = 0 ] && p_same
[ "$rc" = 0 ] || diag "$(cat "$W/prb3.out")"
pc hardened --attach nosuch >"$W/pc5.out" 2>&1
rc=$?
check "an unknown instance is an error (exit $rc)" [ "$rc" = 1 ] &&
	grep -q "no instance 'nosuch' in project 'default'" "$W/pc5.out"
setsid "$BIN" profile create hardened --apply --journal-dir "$JD" </dev/null >"$W/pc6.out" 2>&1
rc=$?
check "--apply without a terminal and without --yes refuses (exit $rc)" \
	[ "$rc" = 1 ] && grep -q -- "--yes" "$W/pc6.out" && p_same

# ------------------------------------------- LOG-003, fake root ----
R3=$W/root3
mkdir -p "$R3/usr/sbin" "$R3/usr/bin" "$R3/usr/sbin" "$R3/etc/audit/rules.d"
for b in usr/sbin/auditd usr/bin/lxc usr/bin/lxd usr/sbin/lxd; do
	printf '#!/bin/sh\n' >"$R3/$b"
	chmod 0755 "$R3/$b"
done
printf -- '-w /usr/bin/lxc -p x -k mine\n' >"$R3/etc/audit/rules.d/lxd-harden.rules"
cp "$R3/etc/audit/rules.d/lxd-harden.rules" "$W/rules.before"
fx --host-root "$R3" >"$W/l3.out" 2>&1
check "LOG-003 is planned as opt-in: the rules file with the missing binaries" \
	grep -q "LXD-LOG-003 file:///etc/audit/rules.d/lxd-harden.rules" "$W/l3.out" &&
	grep -q "+ -w /usr/bin/lxd -p x -k lxd_execution" "$W/l3.out" &&
	fails grep -q "+ -w /usr/bin/lxc" "$W/l3.out"
[ $? = 0 ] || diag "$(grep -A12 LOG-003 "$W/l3.out")"
fx --host-root "$R3" --apply --yes >"$W/l3a.out" 2>&1
check "  fix --apply without --only leaves it alone" cmp -s "$W/rules.before" "$R3/etc/audit/rules.d/lxd-harden.rules"
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
fx --host-root "$R3" --apply --yes --only LXD-LOG-003 >"$W/l3b.out" 2>&1
rc=$?
check "  --only LXD-LOG-003 writes it (exit $rc), keeping the old line" \
	[ "$rc" = 0 ] && grep -q "^-w /usr/bin/lxc -p x -k mine" "$R3/etc/audit/rules.d/lxd-harden.rules" &&
	grep -q "^-w /usr/bin/lxd -p x -k lxd_execution" "$R3/etc/audit/rules.d/lxd-harden.rules" &&
	grep -q "fixed    LXD-LOG-003" "$W/l3b.out"
[ "$rc" = 0 ] || diag "$(tail -8 "$W/l3b.out")"
check "  mode kept (0644 before), written atomically (no temp file left)" \
	[ "$(stat -c %a "$R3/etc/audit/rules.d/lxd-harden.rules")" = 644 ] &&
	[ "$(ls "$R3/etc/audit/rules.d" | wc -l)" = 1 ]
JL=$(ls "$JD"/*.jsonl | tail -1)
check "  the journal keeps the previous content" grep -q 'k mine' "$JL"
"$BIN" rollback --journal-dir "$JD" </dev/null >"$W/l3c.out" 2>&1
rc=$?
check "  rollback restores the previous content (exit $rc)" \
	[ "$rc" = 0 ] && cmp -s "$W/rules.before" "$R3/etc/audit/rules.d/lxd-harden.rules"
rm "$R3/etc/audit/rules.d/lxd-harden.rules"
fx --host-root "$R3" --apply --yes --only LXD-LOG-003 >"$W/l3d.out" 2>&1
rc=$?
check "  with no file before: written 0640 (exit $rc)" \
	[ "$rc" = 0 ] && [ "$(stat -c %a "$R3/etc/audit/rules.d/lxd-harden.rules")" = 640 ]
"$BIN" rollback --journal-dir "$JD" </dev/null >/dev/null 2>&1
check "  and rollback removes it" [ ! -e "$R3/etc/audit/rules.d/lxd-harden.rules" ]

exit $((NFAIL > 0))
