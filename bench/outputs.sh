#!/bin/bash
# outputs.sh - every report format, and every option that matches findings
# against each other (--baseline, --policy with a waiver per instance,
# fix's plan, merge), at two sizes of saved state; then the audit with
# each other kind of object scaled the same way (bench/gen-kinds.py:
# certificates, profiles, networks, ACLs, projects, beside 100
# instances). Time and peak RSS of each, and how much they grow from the
# smaller size to the larger: work that compares each object with all
# the others grows with the square and shows here. bench/synthetic.sh
# measures only the JSON report of instances. Writes bench/outputs.md and
# splices it into bench/README.md.
#
#   bench/outputs.sh                      # SIZES="2000 10000" RUNS=3
#   LXDH_BIN_OLD=/tmp/old/lxd-harden OLD_NOTE="main at abc1234" \
#       bench/outputs.sh                  # and an older build, once each
#
# Needs python3, jq and /usr/bin/time. fix reads a live API, so its plan
# is made against tests/faults/server.py replaying the saved state.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
OLD=${LXDH_BIN_OLD:-}
read -r SMALL LARGE <<<"${SIZES:-2000 10000}"
RUNS=${RUNS:-3}
OUTMD=${BENCH_OUT:-$HERE/outputs.md}
W=$(mktemp -d /tmp/lxdh-outputs.XXXXXX) || exit 1
SERVER_PIDS=
cleanup() {
	for p in $SERVER_PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$BIN" ] || { echo "outputs: no binary at $BIN" >&2; exit 1; }
[ -z "$OLD" ] || [ -x "$OLD" ] || { echo "outputs: no binary at $OLD" >&2; exit 1; }
for t in python3 jq /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "outputs: needs $t" >&2; exit 1; }
done
[ -n "$LARGE" ] || { echo "outputs: SIZES needs two sizes" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The cases: a label, then the arguments; @S@ is the state, @B@ a JSON
# report of it (the baseline), @P@ a policy, @K@ the socket of a server
# replaying it, @O@ the output, @S-KIND@ the state of N objects of KIND.
CASES=(
	"audit, JSON|audit --input @S@ --format json -o @O@"
	"audit, text|audit --input @S@ --format text -o @O@"
	"audit, SARIF|audit --input @S@ --format sarif -o @O@"
	"audit, JUnit|audit --input @S@ --format junit -o @O@"
	"audit, HTML|audit --input @S@ --format html -o @O@"
	"audit, Markdown|audit --input @S@ --format markdown -o @O@"
	"audit, Prometheus|audit --input @S@ --format prometheus -o @O@"
	"audit --baseline (its own earlier report)|audit --input @S@ --baseline @B@ --format json -o @O@"
	"audit --policy (a waiver for every other instance without limits)|audit --input @S@ --policy @P@ --format json -o @O@"
	"fix, the plan|fix --socket @K@"
	"merge of two reports, JSON|merge --format json -o @O@ @B@ @B@"
	"audit, N certificates|audit --input @S-certificates@ --format json -o @O@"
	"audit, N profiles|audit --input @S-profiles@ --format json -o @O@"
	"audit, N networks|audit --input @S-networks@ --format json -o @O@"
	"audit, N network ACLs|audit --input @S-acls@ --format json -o @O@"
	"audit, N projects|audit --input @S-projects@ --format json -o @O@"
)
KINDS="certificates profiles networks acls projects"

# one run: prints "seconds maxrss_kb", or fails
run_one() {
	local bin=$1 n=$2 args=$3
	for k in $KINDS; do args=${args//@S-$k@/$W/$k$n}; done
	args=${args//@S@/$W/s$n}
	args=${args//@B@/$W/b$n.json}
	args=${args//@P@/$W/p$n.yaml}
	args=${args//@K@/$W/k$n.sock}
	args=${args//@O@/$W/out}
	# shellcheck disable=SC2086 # the arguments are words without spaces
	/usr/bin/time -f '%e %M' -o "$W/time" "$bin" $args >/dev/null 2>"$W/err"
	local rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
		echo "outputs: '$bin $args' failed (exit $rc): $(head -c 300 "$W/err")" >&2
		return 1
	fi
	tail -n 1 "$W/time"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SMALL $LARGE; do
	echo "outputs: $n instances" >&2
	python3 "$HERE/gen-state.py" "$n" "$W/s$n" || exit 1
	for k in $KINDS; do
		python3 "$HERE/gen-kinds.py" "$k" "$n" "$W/$k$n" || exit 1
	done
	"$BIN" audit --input "$W/s$n" --format json -o "$W/b$n.json" 2>/dev/null
	[ -s "$W/b$n.json" ] || { echo "outputs: no report of $n instances" >&2; exit 1; }
	jq -r '"version: 1", "waivers:",
		([.results[] | select(.id == "LXD-INS-002") | .findings[]
		  | select(.status == "fail") | .object] | to_entries[]
		 | select(.key % 2 == 0)
		 | "  - check: LXD-INS-002\n    object: \(.value | tojson)\n    reason: \"benchmark\"\n    expires: 2099-12-31")' \
		"$W/b$n.json" >"$W/p$n.yaml" || exit 1
	python3 "$SRCDIR/tests/faults/server.py" --socket "$W/k$n.sock" \
		--data "$W/s$n" >"$W/server$n.log" 2>&1 &
	SERVER_PIDS="$SERVER_PIDS $!"
	for _ in $(seq 1 100); do [ -S "$W/k$n.sock" ] && break; sleep 0.1; done
	[ -S "$W/k$n.sock" ] || { echo "outputs: the replaying server did not start" >&2; exit 1; }
done
waivers=$(grep -c 'check:' "$W/p$LARGE.yaml")

: >"$W/rows"
for c in "${CASES[@]}"; do
	label=${c%%|*}
	args=${c#*|}
	row="$label"
	for n in $SMALL $LARGE; do
		: >"$W/t"
		: >"$W/m"
		for _ in $(seq 1 "$RUNS"); do
			r=$(run_one "$BIN" "$n" "$args") || exit 1
			echo "${r% *}" >>"$W/t"
			echo "${r#* }" >>"$W/m"
		done
		row="$row|$(median <"$W/t") $(sort -n "$W/m" | tail -n 1)"
	done
	for n in $SMALL $LARGE; do
		if [ -n "$OLD" ]; then
			r=$(run_one "$OLD" "$n" "$args") || exit 1
			row="$row|$r"
		else
			row="$row|-1 -1"
		fi
	done
	echo "outputs: $row" >&2
	echo "$row" >>"$W/rows"
done

{
	cat <<MD
## Every format and option at scale

\`bench/outputs.sh\` runs every report format, and each option that
matches findings against one another, on saved states of $SMALL and $LARGE
instances (\`bench/gen-state.py\`, as above): the baseline is the state's
own JSON report, the policy has $waivers waivers at $LARGE instances (one for
every other instance without limits, LXD-INS-002, each naming its object),
and fix's plan is made against \`tests/faults/server.py\` replaying the
state. The last rows scale another kind of object instead, beside 100
instances (\`bench/gen-kinds.py\`), with N the size of the column.
Wall time is the median of $RUNS runs, peak RSS the largest$( [ -n "$OLD" ] && echo "; an
older build (${OLD_NOTE:-$OLD}) ran once on each state, in the same run"). Linear growth is
$(awk -v a="$SMALL" -v b="$LARGE" 'BEGIN { printf "%.0f", b / a }') times from $SMALL to $LARGE instances (or objects). Measured $(date -u +%Y-%m-%d) on $(nproc) cores
shared with other work (load average $load).

| what | $SMALL: time, peak RSS | $LARGE: time, peak RSS | time grows | older build, $SMALL | older build, $LARGE | older build: time grows |
|---|---|---|---|---|---|---|
MD
	awk -F'|' '
		function cell(s,   p) { split(s, p, " "); return p[1] < 0 ? "not run" : sprintf("%.2f s, %.1f MiB", p[1], p[2] / 1024) }
		function grow(a, b,   x, y) { split(a, x, " "); split(b, y, " "); return x[1] <= 0 ? "-" : sprintf("%.1f", y[1] / x[1]) }
		{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, cell($2), cell($3), grow($2, $3), cell($4), cell($5), grow($4, $5) }' "$W/rows"
} >"$OUTMD"

if [ -z "${BENCH_OUT:-}" ] && [ -f "$HERE/README.md" ]; then
	# replace the section where it is in README.md (up to the next
	# heading or marker comment of another script), or append it after
	# the synthetic section; run.sh keeps it when it rewrites the top
	awk -v new="$OUTMD" '
		function put() { while ((getline l < new) > 0) print l; print ""; done = 1 }
		/^## Every format and option at scale/ { skip = 1; put(); next }
		skip && (/^## / || /^<!-- /) { skip = 0 }
		!done && !skip && /^<!-- fleet/ && seen_synth { put() }
		/^## Synthetic saved states/ { seen_synth = 1 }
		!skip { print }
		END { if (!done) { print ""; put() } }' \
		"$HERE/README.md" >"$W/readme"
	cat "$W/readme" >"$HERE/README.md"
fi
cat "$OUTMD"
