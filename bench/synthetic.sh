#!/bin/bash
# synthetic.sh - parsing and evaluation at scale, without a daemon: audits
# saved states of 10,000 and 100,000 instances (bench/gen-state.py) with
# --input and records wall time and peak RSS against the size of the JSON.
# Writes bench/synthetic.md and splices it into bench/README.md.
#
#   bench/synthetic.sh                    # SIZES="1000 10000 100000" RUNS=3
#   SIZES="1000 10000" RUNS=1 bench/synthetic.sh
#   LXDH_BIN_OLD=/tmp/old/lxd-harden OLD_SIZES="1000 10000" bench/synthetic.sh
#     (an older build after each run, on the sizes OLD_SIZES names; all
#     by default: an older build can be too slow for the largest)
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BIN=${LXDH_BIN:-$SRCDIR/build/lxd-harden}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
SIZES=${SIZES:-1000 10000 100000}
RUNS=${RUNS:-3}
OUTMD=${BENCH_OUT:-$HERE/synthetic.md}
W=$(mktemp -d /tmp/lxdh-synth.XXXXXX) || exit 1
trap 'rm -rf "$W"' EXIT

[ -x "$BIN" ] || { echo "synthetic: no binary at $BIN" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "synthetic: needs /usr/bin/time (package time)" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
# What the process holds whatever the state (libraries, the catalog):
# the peak RSS of auditing 10 instances, taken off before the ratio to
# the JSON that says what the state itself costs.
python3 "$HERE/gen-state.py" 10 "$W/base" || exit 1
/usr/bin/time -f '%M' -o "$W/time" "$BIN" audit --input "$W/base" \
	--format json -o "$W/report.json" 2>/dev/null
base_kb=$(tail -n 1 "$W/time")
: >"$W/rows"
for n in $SIZES; do
	echo "synthetic: $n instances" >&2
	python3 "$HERE/gen-state.py" "$n" "$W/s$n" || exit 1
	bytes=$(cat "$W/s$n"/*.json | wc -c)
	: >"$W/t"
	: >"$W/m"
	: >"$W/ot"
	: >"$W/om"
	for _ in $(seq 1 "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$W/time" "$BIN" audit --input "$W/s$n" \
			--format json -o "$W/report.json" 2>"$W/err"
		rc=$?
		if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
			echo "synthetic: the audit failed (exit $rc): $(cat "$W/err")" >&2
			exit 1
		fi
		tail -n 1 "$W/time" | awk '{ print $1 }' >>"$W/t"
		tail -n 1 "$W/time" | awk '{ print $2 }' >>"$W/m"
		# an older build right after, under the same load
		if [ -n "${LXDH_BIN_OLD:-}" ] &&
			[[ " ${OLD_SIZES:-$SIZES} " == *" $n "* ]]; then
			/usr/bin/time -f '%e %M' -o "$W/time" "$LXDH_BIN_OLD" audit \
				--input "$W/s$n" --format json -o "$W/report-old.json" 2>/dev/null
			tail -n 1 "$W/time" | awk '{ print $1 }' >>"$W/ot"
			tail -n 1 "$W/time" | awk '{ print $2 }' >>"$W/om"
		fi
	done
	t=$(median <"$W/t")
	kb=$(sort -n "$W/m" | tail -n 1)
	ot=-1 okb=-1
	if [ -s "$W/ot" ]; then
		ot=$(median <"$W/ot")
		okb=$(sort -n "$W/om" | tail -n 1)
	fi
	errors=$(jq '.summary.error' "$W/report.json")
	report=$(stat -c %s "$W/report.json")
	echo "$n $bytes $t $kb $report $errors $ot $okb" >>"$W/rows"
	rm -rf "$W/s$n"
done

{
	cat <<MD
## Synthetic saved states: parsing and evaluation alone

\`bench/synthetic.sh\` audits saved states written by \`bench/gen-state.py N\`
(LXD 5.0.2 shapes: ten projects, six with their own profiles, one managed
bridge and one pool listing every instance in \`used_by\`) with \`--input\`:
no daemon, so this is reading, parsing, evaluating and writing the JSON
report. Wall time is the median of $RUNS runs, peak RSS the largest
(\`/usr/bin/time\`)$( [ -n "${LXDH_BIN_OLD:-}" ] && echo "; each run is followed by one of an older build ($LXDH_BIN_OLD${OLD_NOTE:+, $OLD_NOTE}) on the same state, $( [ -n "${OLD_SIZES:-}" ] && echo "for $OLD_SIZES instances" || echo "at every size")"). Measured $(date -u +%Y-%m-%d) on $(nproc) cores shared with other
work (load average $load): compare the ratios, not the absolute times.

The peak RSS of auditing 10 instances, $(awk -v k="$base_kb" 'BEGIN { printf "%.1f MiB", k / 1024 }'), is what the
process holds whatever the state; "state / JSON in" is the peak RSS
above it against the size of the JSON.

| instances | JSON in | wall time | per 1000 instances | peak RSS | RSS / JSON in | state / JSON in | report out | checks in error | older build: time, peak RSS, RSS / JSON in |
|---|---|---|---|---|---|---|---|---|---|
MD
	awk -v base="$base_kb" '{ printf "| %d | %.1f MB | %.2f s | %.3f s | %.1f MiB | %.1f | %.1f | %.1f MB | %d | %s |\n", $1, $2 / 1e6, $3, $3 / $1 * 1000, $4 / 1024, $4 * 1024 / $2, ($4 - base) * 1024 / $2, $5 / 1e6, $6,
		($7 < 0 ? "not run" : sprintf("%.2f s, %.1f MiB, %.1f", $7, $8 / 1024, $8 * 1024 / $2)) }' "$W/rows"
	first=$(head -n 1 "$W/rows")
	last=$(tail -n 1 "$W/rows")
	echo
	awk -v a="$first" -v b="$last" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "From %d to %d instances (%.0f times as many) the time grows %.1f times and\nthe peak RSS %.1f times.\n",
			x[1], y[1], y[1] / x[1], y[3] / x[3], y[4] / x[4] }'
} >"$OUTMD"

if [ -z "${BENCH_OUT:-}" ] && [ -f "$HERE/README.md" ]; then
	# replace the section where it is in README.md (up to the next
	# heading or marker comment of another script), or append it; run.sh
	# keeps it when it rewrites the top
	awk -v new="$OUTMD" '
		function put() { while ((getline l < new) > 0) print l; print ""; done = 1 }
		/^## Synthetic saved states/ { skip = 1; put(); next }
		skip && (/^## / || /^<!-- /) { skip = 0 }
		!skip { print }
		END { if (!done) { print ""; put() } }' \
		"$HERE/README.md" >"$W/readme"
	cat "$W/readme" >"$HERE/README.md"
fi
cat "$OUTMD"
