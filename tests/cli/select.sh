#!/bin/bash
# select.sh - audit's selection options and where -o sends the reports
#
# TAP. The binary on the sample saved state: --check, --skip, --section,
# --project and --min-severity (and their "did you mean"); -o FORMAT=-
# writes to stdout, text still reaches stdout when the other reports go
# to files, and -o text=/dev/stdout works on a pipe.
set -u

srcdir=${LXDH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${LXDH_BIN:-$srcdir/build/lxd-harden}
. "$srcdir/tests/integration/tap.sh"
export NO_COLOR=1 SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795880000}
unset COLUMNS LXD_DIR LXD_SOCKET 2>/dev/null || true

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
in=(--input "$srcdir/tests/data/snapshot/sample-5.0.2"
	--releases "$srcdir/tests/data/releases-fixed.json")

# a ARGS...: runs audit on the sample; sets rc, out ($tmp/out), err
a() {
	timeout 30 "$bin" audit "${in[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
}

# status ID: the status of check ID in $tmp/out (a JSON report)
status() {
	jq -r --arg id "$1" '.results[] | select(.id == $id) | .status' "$tmp/out"
}

# bad DESC NEEDLE ARGS...: exit 1, one line on stderr saying NEEDLE
bad() {
	local desc=$1 needle=$2
	shift 2
	a "$@"
	if [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
	   grep -qF -- "$needle" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "rc=$rc" "stderr: $err"
	fi
}

# ------------------------------------------------------------ select ----
a --format json --check 'LXD-INS-*' --skip LXD-INS-002
check "--check GLOB --skip ID: exit 2 on the failures left ($rc)" [ "$rc" = 2 ]
check "--check keeps INS-001 failing" [ "$(status LXD-INS-001)" = fail ]
check "--skip lists INS-002 as skipped" [ "$(status LXD-INS-002)" = skipped ]
check "a check --check leaves out is listed as skipped" \
	[ "$(status LXD-ACC-004)" = skipped ]
check "the reason names the option" \
	jq -e '.results[] | select(.id == "LXD-INS-002") |
		.findings[0].message | test("--skip LXD-INS-002")' "$tmp/out"

a --format json --section acc --section Network
check "--section by prefix and by name" eval \
	'[ "$(status LXD-ACC-004)" = fail ] && [ "$(status LXD-NET-001)" = fail ] &&
	 [ "$(status LXD-INS-001)" = skipped ]'

a --format json --project semi
check "--project keeps only that project's objects" \
	jq -e '[.results[].findings[] | select(.status == "fail") | .object |
		select(test("project=semi$|^/1.0/projects/semi$") | not)] |
		length == 0' "$tmp/out"
check "--project: s-priv stays failing" \
	jq -e '.results[] | select(.id == "LXD-INS-001") | .findings[0].object ==
		"/1.0/instances/s-priv?project=semi"' "$tmp/out"

a --check LXD-NET-006
check "--check of one check: only it in the text" eval \
	'grep -q LXD-NET-006 "$tmp/out" && ! grep -q LXD-INS-001 "$tmp/out"'

bad "--check typo: did you mean" "did you mean LXD-ACC-004?" --check LXD-ACC-04
bad "--skip glob matching nothing" "matches no check" --skip 'LXD-ZZZ-*'
bad "--section typo: did you mean" "did you mean" --section netwrk
bad "--project typo: did you mean" "did you mean 'semi'?" --project semii
bad "--min-severity unknown" "unknown severity 'hgh'" --min-severity hgh

# fix takes the same options and checks them before it connects
timeout 30 "$bin" fix --check LXD-ACC-04 >"$tmp/out" 2>"$tmp/err"
rc=$?
check "fix --check typo: exit 1, did you mean ($rc)" eval \
	'[ "$rc" = 1 ] && grep -qF "did you mean LXD-ACC-004?" "$tmp/err"'
timeout 30 "$bin" fix --section nowhere-at-all >"$tmp/out" 2>"$tmp/err"
rc=$?
check "fix --section unknown: exit 1 ($rc)" eval \
	'[ "$rc" = 1 ] && grep -qF "names no section" "$tmp/err"'

# --min-severity: display only; the exit status still follows --fail-on
a --min-severity critical
check "--min-severity critical hides high failures" eval \
	'grep -q LXD-INS-003 "$tmp/out" && ! grep -q LXD-NET-001 "$tmp/out"'
check "--min-severity leaves the exit status to --fail-on ($rc)" [ "$rc" = 2 ]
check "--min-severity: the hidden failures are counted" \
	grep -q 'failing below critical (--min-severity)' "$tmp/out"
a --min-severity critical --fail-on critical --skip LXD-INS-003
check "--fail-on critical with no critical left: exit 0 ($rc)" [ "$rc" = 0 ]

# the policy skips a check the command line asks for: a note
printf 'version: 1\nskip:\n  - check: LXD-ACC-004\n    reason: accepted\n' >"$tmp/policy.yaml"
a --policy "$tmp/policy.yaml" --check LXD-ACC-004 --check LXD-NET-001
check "--check of a policy-skipped check is a note, and stays skipped" \
	grep -q -- '--check LXD-ACC-004 selects LXD-ACC-004, but the policy skips it' \
		"$tmp/out"
# (the command may be wrapped with trailing backslashes: join it first)
check "the next steps carry the selection to fix" \
	sh -c 'sed -e :a -e "/\\\\\$/N; s/ *\\\\\n */ /; ta" "$1" |
		grep -q -- "--check=LXD-ACC-004 --check=LXD-NET-001"' sh "$tmp/out"

# ---------------------------------------------------------- baseline ----
# A baseline that had two more INS-002 findings, in projects semi and
# locked, which the state no longer has: both are fixed, unless the check
# did not run this time (then it says nothing of them) or --project
# leaves the object out.
a --format json
jq '(.results[] | select(.id == "LXD-INS-002") | .findings) +=
	[{"object": "/1.0/instances/gone?project=semi", "status": "fail",
	  "severity": "medium", "message": "gone", "remedy": {}},
	 {"object": "/1.0/instances/gone?project=locked", "status": "fail",
	  "severity": "medium", "message": "gone"}]' "$tmp/out" >"$tmp/base.json"
fixed() {
	jq -r '[.fixed_since_baseline[] | .object] | join(" ")' "$tmp/out"
}
a --format json --baseline "$tmp/base.json"
check "--baseline: what is gone is fixed ($(fixed))" [ "$(fixed)" = \
	"/1.0/instances/gone?project=semi /1.0/instances/gone?project=locked" ]
a --format json --baseline "$tmp/base.json" --skip LXD-INS-002
check "--baseline --skip: a check not run fixed nothing ($(fixed))" \
	[ -z "$(fixed)" ]
a --format json --baseline "$tmp/base.json" --project semi
check "--baseline --project: only that project's are fixed ($(fixed))" \
	[ "$(fixed)" = "/1.0/instances/gone?project=semi" ]
a --format sarif --baseline "$tmp/base.json" --project semi
check "--baseline --project: SARIF lists the same one" \
	jq -e '[.runs[0].properties.fixedSinceBaseline[]] | length == 1' \
	"$tmp/out"

# ------------------------------------------------------------ output ----
a -o "json=$tmp/r.json" -o "sarif=$tmp/r.sarif"
check "reports to files: the text report still goes to stdout" \
	grep -q '^summary: ' "$tmp/out"
check "reports to files: the files are written" eval \
	'jq -e .schema "$tmp/r.json" && jq -e .version "$tmp/r.sarif"'

a -o json=- -o "text=$tmp/r.txt"
check "-o json=-: JSON on stdout, and no text there" \
	jq -e '.schema == "lxd-harden/report/v1"' "$tmp/out"
check "-o text=FILE beside it" grep -q '^summary: ' "$tmp/r.txt"

a --format json -o -
check "-o -: the --format report on stdout" jq -e '.schema' "$tmp/out"

a --format json -o "$tmp/plain.json"
check "a plain -o FILE keeps stdout quiet" eval \
	'[ ! -s "$tmp/out" ] && jq -e .schema "$tmp/plain.json"'

timeout 30 "$bin" audit "${in[@]}" -o text=/dev/stdout -o "json=$tmp/p.json" |
	cat >"$tmp/pipe"
prc=${PIPESTATUS[0]}
check "-o text=/dev/stdout works on a pipe ($prc)" eval \
	'[ "$prc" = 2 ] && grep -q "^summary: " "$tmp/pipe"'
check "... and the text is there once" \
	[ "$(grep -c '^summary: ' "$tmp/pipe")" = 1 ]

bad "two reports to stdout" "two reports would be written to stdout" \
	-o json=- -o sarif=/dev/stdout

echo "1..$NTEST"
[ "$NFAIL" -eq 0 ]
