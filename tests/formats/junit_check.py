"""junit_check.py - a JUnit report is well-formed and agrees with the JSON one.

usage: junit_check.py REPORT.xml [REPORT.json]

Without the JSON report only well-formedness and the suite totals are
checked. With it, every test case must be the one the JSON report implies:
a case per check and object (one for a check with no finding), failure for
an object with a failing finding, error for one in error, skipped for
skipped, waived, manual and not-applicable objects, and one suite per
section in report order.
"""
import json
import sys
import xml.etree.ElementTree as ET


def outcome(case):
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "pass"


def expected_cases(report):
    """(suite, classname, outcome) for each case, in order."""
    out = []
    for res in report["results"]:
        groups = {}
        for f in res["findings"]:
            groups.setdefault(f["object"], set()).add(f["status"])
        if not groups:
            groups = {None: set()}
        for statuses in groups.values():
            if "fail" in statuses:
                o = "failure"
            elif "error" in statuses:
                o = "error"
            elif statuses & {"skipped", "waived", "manual"}:
                o = "skipped"
            elif not statuses or statuses & {"pass", "fixed"}:
                o = "pass"
            else:
                o = "skipped"
            out.append((res["section"] or "Other", res["id"], o))
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = ET.parse(sys.argv[1]).getroot()
    problems = []
    if root.tag != "testsuites":
        problems.append(f"root is <{root.tag}>, not <testsuites>")
    got = []
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        outs = [outcome(c) for c in cases]
        have = {"tests": len(cases), "failures": outs.count("failure"),
                "errors": outs.count("error"),
                "skipped": outs.count("skipped")}
        for k, v in have.items():
            totals[k] += v
            if int(suite.get(k, -1)) != v:
                problems.append(f"suite {suite.get('name')}: {k}="
                                f"{suite.get(k)} but {v} cases say so")
        for c, o in zip(cases, outs):
            got.append((suite.get("name"), c.get("classname"), o))
    for k, v in totals.items():
        if int(root.get(k, -1)) != v:
            problems.append(f"testsuites {k}={root.get(k)}, cases say {v}")

    if len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as f:
            report = json.load(f)
        want = expected_cases(report)
        if got != want:
            problems.append(f"{len(got)} cases, {len(want)} expected")
            for g, w in zip(got, want):
                if g != w:
                    problems.append(f"first difference: got {g}, want {w}")
                    break
        # the per-check statuses the JSON summary counts
        by_check = {}
        for _, cid, o in got:
            by_check.setdefault(cid, []).append(o)
        for res in report["results"]:
            outs = by_check.get(res["id"], [])
            st = res["status"]
            ok = {"fail": "failure" in outs,
                  "error": "error" in outs and "failure" not in outs,
                  "pass": outs and all(o == "pass" for o in outs)}.get(
                      st, outs and "failure" not in outs
                      and "error" not in outs and "skipped" in outs)
            if not ok:
                problems.append(f"{res['id']} is {st} in JSON but {outs}")
        summary = report["summary"]
        print(f"JSON: {summary['fail']} fail, {summary['error']} error, "
              f"{len(report['results'])} checks; JUnit: "
              f"{totals['tests']} cases, {totals['failures']} failures, "
              f"{totals['errors']} errors, {totals['skipped']} skipped")
        if totals["failures"] != sum(
                1 for s, _, o in want if o == "failure"):
            problems.append("failure count differs")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
