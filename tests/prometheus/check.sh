#!/bin/bash
# check.sh - the Prometheus rules and the Grafana dashboard that ship in
# contrib/ work with what lxd-harden really exports. TAP.
#
#   promtool check rules / test rules (tests/prometheus/*.test.yml: each
#   alert fires and stays quiet when it should); the tool's own output,
#   with a baseline, passes promtool check metrics; and every metric the
#   rules and the dashboard's queries name is in that output
#   (metric_names.py).
set -u
srcdir=${LXDH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${LXDH_BIN:-$srcdir/build/lxd-harden}
# shellcheck source=../integration/tap.sh
. "$srcdir/tests/integration/tap.sh"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795880000}
W=$(mktemp -d) || exit 1
trap 'rm -rf "$W"' EXIT
rules=$srcdir/contrib/prometheus/lxd-harden.rules.yml
dash=$srcdir/contrib/grafana/lxd-harden.json

if ! command -v promtool >/dev/null; then
	echo "1..0 # SKIP promtool is not installed (Debian package prometheus)"
	exit 0
fi

if promtool check rules "$rules" >"$W/out" 2>&1; then
	ok "promtool check rules: $(grep -o '[0-9]* rules found' "$W/out")"
else
	not_ok "promtool check rules $rules"
	diag "$(cat "$W/out")"
fi
for t in "$srcdir"/tests/prometheus/*.test.yml; do
	if (cd "$(dirname "$t")" && promtool test rules "$(basename "$t")") >"$W/out" 2>&1; then
		ok "promtool test rules $(basename "$t")"
	else
		not_ok "promtool test rules $(basename "$t")"
		diag "$(cat "$W/out")"
	fi
done
# Every alert of the rules file has a unit test.
missing=
for a in $(sed -n 's/^ *- alert: *//p' "$rules"); do
	grep -q "alertname: $a\$" "$srcdir"/tests/prometheus/*.test.yml || missing="$missing $a"
done
if [ -z "$missing" ]; then
	ok "every alert has a promtool unit test"
else
	not_ok "alerts without a promtool unit test:$missing"
fi

# The real output: the sample state against a baseline made from it, with
# one finding a week older, so that every metric family is there.
A=(audit --input tests/data/snapshot/sample-5.0.2 --releases tests/data/releases-fixed.json)
(cd "$srcdir" && "$bin" "${A[@]}" --format json) >"$W/old.json"
jq '.generated_at = "2026-11-21T15:33:20Z" |
	(.results[] | select(.status == "fail") | .findings[0].first_seen) = "2026-11-21T15:33:20Z"' \
	"$W/old.json" >"$W/base.json"
(cd "$srcdir" && "$bin" "${A[@]}" --baseline "$W/base.json" --format prometheus) >"$W/out.prom"
if promtool check metrics <"$W/out.prom" >"$W/lint" 2>&1; then
	ok "promtool check metrics accepts the tool's output"
else
	not_ok "promtool check metrics accepts the tool's output"
	diag "$(head -20 "$W/lint")"
fi
if grep -q '^lxd_harden_oldest_finding_first_seen_timestamp_seconds{.*} 1795275200$' "$W/out.prom"; then
	ok "the oldest open finding's first_seen comes from the baseline (a week ago)"
else
	not_ok "the oldest open finding's first_seen comes from the baseline (a week ago)"
	diag "$(grep oldest "$W/out.prom" | head -5)"
fi

# The names the rules and the dashboard use, against that output.
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok [0-9]* - }" ;;
	"not ok "*) not_ok "${line#not ok [0-9]* - }" ;;
	esac
done < <(python3 "$srcdir/tests/prometheus/metric_names.py" "$W/out.prom" "$dash" "$rules" 2>&1)
# and the checker itself catches a name the tool does not export
sed 's/lxd_harden_open_findings/lxd_harden_open_finding/' "$dash" >"$W/bad.json"
if ! python3 "$srcdir/tests/prometheus/metric_names.py" "$W/out.prom" "$W/bad.json" >"$W/out" 2>&1 &&
	grep -q 'not exported: lxd_harden_open_finding$' "$W/out"; then
	ok "a dashboard naming a metric the tool does not export is refused"
else
	not_ok "a dashboard naming a metric the tool does not export is refused"
	diag "$(cat "$W/out")"
fi
if jq -e '.uid == "lxd-harden" and (.panels | length) > 0' "$dash" >/dev/null; then
	ok "the dashboard is JSON with panels"
else
	not_ok "the dashboard is JSON with panels"
fi
echo "1..$NTEST"
[ "$NFAIL" = 0 ]
