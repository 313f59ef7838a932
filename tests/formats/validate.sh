#!/bin/sh
# validate.sh - every report format through a real validator (TAP)
#
# One audit of the sample snapshot writes all formats at once; the unit
# test test_formats adds renderings of a report full of hostile strings.
# Then:
#   SARIF   the official 2.1.0 JSON schema (shipped in the npm package
#           @microsoft/sarif-matcher-utils) with python3-jsonschema, what
#           GitHub code scanning requires, and Microsoft's SARIF multitool
#           (npm @microsoft/sarif-multitool-linux, a .NET program) with its
#           SARIF and GitHub rules;
#   JUnit   python3 xml.etree, and every test case against the JSON report;
#   metrics promtool check metrics (Debian's prometheus);
#   Markdown cmark-gfm (GitHub's CommonMark with tables): a table row per
#           failing check of the JSON report, no raw HTML and no link but
#           the guide's, whatever the strings;
#   HTML    headless Chromium: a screenshot kept as an artifact, no console
#           message at all (the page has no script, so any is an error, a
#           blocked script included), and the counts the JSON report has.
# npm downloads go to $LXDH_BUILDDIR/formats-cache; reports and screenshots
# to $LXDH_BUILDDIR/formats-artifacts.
set -u

srcdir=${LXDH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${LXDH_BUILDDIR:-$srcdir/build}
bin=${LXDH_BIN:-$builddir/lxd-harden}
unit=${LXDH_FORMATS_TEST:-$builddir/tests/test_formats}
art=$builddir/formats-artifacts
cache=$builddir/formats-cache
here=$srcdir/tests/formats

SCHEMA_PKG=@microsoft/sarif-matcher-utils@1.0.0-beta.0
SCHEMA_FILE=package/lib/schemas/sarif-2.1.0-rtm.5.json
MULTITOOL_PKG=@microsoft/sarif-multitool-linux@5.7.0

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795880000}
export NO_COLOR=1

rm -rf "$art"
mkdir -p "$art/hostile" "$cache" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# indent a file as TAP diagnostics
diag() { sed 's/^/# /' "$@" | head -40; }

# Debian's python3 has python3-jsonschema; a python3 earlier in PATH may not.
python=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then
		python=$p
		break
	fi
done
[ -n "$python" ] || python=python3

echo "1..27"

# 1: all formats from one run, so they describe the same report
(cd "$srcdir" && "$bin" audit --input tests/data/snapshot/sample-5.0.2 \
	--releases tests/data/releases-fixed.json \
	-o "json=$art/report.json" -o "sarif=$art/report.sarif" \
	-o "junit=$art/report.xml" -o "html=$art/report.html" \
	-o "prometheus=$art/report.prom" -o "markdown=$art/report.md") \
	>"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then
	ok "audit wrote json, sarif, junit, html, prometheus and markdown in one run"
else
	not_ok "audit with -o FORMAT=FILE exited $rc"
	diag "$tmp/out"
fi

# 2: renderings of the hostile report from the unit test
if LXDH_FORMATS_DUMP=$art/hostile CMOCKA_MESSAGE_OUTPUT=TAP "$unit" \
	>"$tmp/out" 2>&1 && [ -s "$art/hostile/hostile.html" ]; then
	ok "test_formats wrote the hostile renderings"
else
	not_ok "test_formats did not write the hostile renderings ($unit)"
	diag "$tmp/out"
fi

# 3: the schema, from npm (cached)
schema=$cache/sarif-schema-2.1.0.json
if [ ! -s "$schema" ]; then
	(cd "$tmp" && npm pack --silent "$SCHEMA_PKG" >pack.out 2>&1 &&
		tar xzf ./*.tgz "$SCHEMA_FILE" &&
		cp "$SCHEMA_FILE" "$schema") >"$tmp/out" 2>&1
fi
if [ -s "$schema" ]; then
	ok "SARIF 2.1.0 schema from npm $SCHEMA_PKG"
else
	not_ok "cannot get the SARIF schema from npm $SCHEMA_PKG"
	diag "$tmp/out" "$tmp/pack.out" 2>/dev/null
fi

# 4-6: schema validation
for f in report.sarif hostile/hostile.sarif hostile/empty.sarif; do
	if "$python" "$here/sarif_check.py" schema "$schema" "$art/$f" \
		>"$tmp/out" 2>&1; then
		ok "$f is valid against the SARIF 2.1.0 schema ($python jsonschema)"
	else
		not_ok "$f is not valid against the SARIF 2.1.0 schema"
		diag "$tmp/out"
	fi
done

# 7-8: what GitHub code scanning needs beyond the schema
for f in report.sarif hostile/hostile.sarif; do
	if "$python" "$here/sarif_check.py" github "$art/$f" \
		>"$tmp/out" 2>&1; then
		ok "$f has what GitHub code scanning requires"
	else
		not_ok "$f lacks what GitHub code scanning requires"
		diag "$tmp/out"
	fi
done

# 9-10: Microsoft's SARIF multitool, if it runs here
mt=$cache/multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$mt" ]; then
	npm install --prefix "$cache/multitool" --ignore-scripts --no-audit \
		--no-fund --no-save "$MULTITOOL_PKG" >"$tmp/npm.out" 2>&1
	[ -f "$mt" ] && chmod u+x "$mt"
fi
mt_runs=false
if [ -x "$mt" ] && "$mt" --version >"$tmp/mt.out" 2>&1; then
	mt_runs=true
fi
for f in report.sarif hostile/hostile.sarif; do
	if ! $mt_runs; then
		skip "SARIF multitool $MULTITOOL_PKG cannot run here: $(head -c 200 "$tmp/mt.out" "$tmp/npm.out" 2>/dev/null | tr '\n' ' ')"
		continue
	fi
	"$mt" validate "$art/$f" --rule-kind "Sarif;Gh" \
		-o "$tmp/validation.sarif" --log ForceOverwrite >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q ': error ' "$tmp/out"; then
		ok "$f passes the SARIF multitool's SARIF and GitHub rules"
		grep ': warning ' "$tmp/out" | diag
	else
		not_ok "$f fails the SARIF multitool (exit $rc)"
		diag "$tmp/out"
	fi
done

# 11-12: JUnit is well-formed XML; the sample's cases match the JSON report
if "$python" "$here/junit_check.py" "$art/report.xml" "$art/report.json" \
	>"$tmp/out" 2>&1; then
	ok "report.xml is well-formed JUnit and its cases match report.json"
else
	not_ok "report.xml does not match report.json"
fi
diag "$tmp/out"
if "$python" "$here/junit_check.py" "$art/hostile/hostile.xml" \
	>"$tmp/out" 2>&1; then
	ok "hostile.xml is well-formed JUnit"
else
	not_ok "hostile.xml is not well-formed JUnit"
	diag "$tmp/out"
fi

# 13-14: promtool
for f in report.prom hostile/hostile.prom; do
	if ! command -v promtool >/dev/null; then
		not_ok "$f: promtool is missing (apt-get install prometheus)"
	elif promtool check metrics <"$art/$f" >"$tmp/out" 2>&1 &&
		[ ! -s "$tmp/out" ]; then
		ok "$f passes promtool check metrics"
	else
		not_ok "$f fails promtool check metrics"
		diag "$tmp/out"
	fi
done

# 15-21: Chromium
chromium=$(command -v chromium || command -v chromium-browser || true)
chrome() {
	profile=$(mktemp -d)
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 \
		--hide-scrollbars "$@"
	rc=$?
	rm -rf "$profile"
	return $rc
}
for page in report hostile/hostile; do
	name=$(basename "$page")
	html=$art/$page.html
	png=$art/$name.png
	if [ -z "$chromium" ]; then
		for what in screenshot "console" "DOM"; do
			not_ok "$name.html $what: chromium is missing (apt-get install chromium)"
		done
		continue
	fi
	chrome --window-size=1280,3600 --screenshot="$png" "file://$html" \
		>"$tmp/shot.out" 2>&1
	if [ -s "$png" ]; then
		ok "$name.html rendered to $png"
	else
		not_ok "$name.html could not be rendered"
		diag "$tmp/shot.out"
	fi
	chrome --dump-dom "file://$html" >"$tmp/dom.html" 2>"$tmp/dom.err"
	if grep -E ':CONSOLE|Uncaught|Refused to' "$tmp/shot.out" \
		"$tmp/dom.err" >"$tmp/console"; then
		not_ok "$name.html logs to the console"
		diag "$tmp/console"
	else
		ok "$name.html renders with no console message"
	fi
	if [ "$name" = report ]; then
		set -- "$art/report.json"
	else
		set --
	fi
	if [ -s "$tmp/dom.html" ] &&
		"$python" "$here/html_check.py" "$tmp/dom.html" "$@" \
			>"$tmp/out" 2>&1; then
		ok "$name.html as Chromium sees it: ${*:+the counts of report.json, }no script"
	else
		not_ok "$name.html as Chromium sees it"
		diag "$tmp/out" "$tmp/dom.err"
	fi
done
# the page is readable on a phone too
if [ -n "$chromium" ]; then
	chrome --window-size=420,1600 --screenshot="$art/report-narrow.png" \
		"file://$art/report.html" >"$tmp/shot.out" 2>&1
	if [ -s "$art/report-narrow.png" ]; then
		ok "report.html rendered narrow to $art/report-narrow.png"
	else
		not_ok "report.html could not be rendered narrow"
	fi
else
	not_ok "report.html narrow: chromium is missing"
fi

# 22-23: Markdown as GitHub renders it (cmark-gfm with tables)
for f in report hostile/hostile; do
	if [ "$f" = report ]; then set -- "$art/report.json"; else set --; fi
	if command -v cmark-gfm >/dev/null 2>&1 &&
		cmark-gfm -e table "$art/$f.md" >"$tmp/md.html" 2>"$tmp/out" &&
		"$python" "$here/md_check.py" "$tmp/md.html" "$@" \
			>>"$tmp/out" 2>&1; then
		ok "$f.md renders with cmark-gfm: ${*:+a table row per failing check, }no raw HTML, no foreign link"
	else
		not_ok "$f.md as cmark-gfm renders it"
		command -v cmark-gfm >/dev/null 2>&1 ||
			echo "cmark-gfm is not installed" >>"$tmp/out"
		diag "$tmp/out"
	fi
done

# 24-27: a fleet (merge of the same report twice and a fleet with a
# target that could not be audited) in SARIF, JUnit and Prometheus
mkdir -p "$art/fleet"
jq -n --slurpfile r "$art/report.json" '{schema: "lxd-harden/fleet/v1",
	targets: [{name: "ok-1", status: "audited", report: $r[0]},
		  {name: "down", status: "error", error: "cannot connect"}]}' \
	>"$art/fleet/in.json"
for f in sarif junit prometheus; do
	"$bin" merge --format "$f" -o "$art/fleet/fleet.$f" "$art/report.json" \
		"$art/fleet/in.json" >"$tmp/out" 2>&1
done
if "$python" "$here/sarif_check.py" schema "$schema" "$art/fleet/fleet.sarif" \
	>"$tmp/out" 2>&1 &&
	[ "$(jq '.runs | length' "$art/fleet/fleet.sarif")" = 3 ]; then
	ok "a fleet's SARIF (a run per target, one failed) is valid against the schema"
else
	not_ok "a fleet's SARIF is not valid against the schema"
	diag "$tmp/out"
fi
if "$python" "$here/sarif_check.py" github "$art/fleet/fleet.sarif" \
	>"$tmp/out" 2>&1; then
	ok "a fleet's SARIF has what GitHub code scanning requires"
else
	not_ok "a fleet's SARIF lacks what GitHub code scanning requires"
	diag "$tmp/out"
fi
if "$python" -c 'import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1]); s = d.getElementsByTagName("testsuite")
assert [x.getAttribute("name") for x in s] == ["vm", "ok-1", "down"], s
for x in s:
    assert int(x.getAttribute("tests")) == len(x.getElementsByTagName("testcase"))' \
	"$art/fleet/fleet.junit" >"$tmp/out" 2>&1; then
	ok "a fleet's JUnit: well-formed, one suite per target, counts that add up"
else
	not_ok "a fleet's JUnit"
	diag "$tmp/out"
fi
if command -v promtool >/dev/null &&
	promtool check metrics <"$art/fleet/fleet.prometheus" >"$tmp/out" 2>&1 &&
	! grep -v '^#' "$art/fleet/fleet.prometheus" | grep -qv 'target="'; then
	ok "a fleet's metrics pass promtool, every sample with a target label"
else
	not_ok "a fleet's metrics"
	diag "$tmp/out"
fi

if [ "$n" -ne 27 ]; then
	not_ok "ran $n checks, planned 27"
fi
[ "$failed" -eq 0 ]
