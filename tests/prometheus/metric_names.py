#!/usr/bin/env python3
"""metric_names.py - the PromQL of the Grafana dashboard and the alerting
rules names only metrics that lxd-harden exports.

    metric_names.py EXPORTED.prom FILE...

EXPORTED.prom is real `lxd-harden audit --format prometheus` output; each
FILE is a Grafana dashboard (.json: every target's expr and every query
variable) or Prometheus rules (.yml: every expr). Prints TAP, one case per
file, and exits 1 when a query names a metric the output does not have,
or when a file has no query at all.
"""
import json
import os
import re
import sys

import yaml

# PromQL words that are not metric names when not followed by "(".
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "inf", "nan",
    # aggregation operators, which may put "by (...)" before their "("
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
    "count_values", "bottomk", "topk", "quantile",
}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def exported(path):
    names = set()
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def metric_names(expr):
    """The metric names an expression selects."""
    # label matchers, strings, durations and grouping lists name no metric
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)",
                  r"\1", expr)
    # Grafana variables ($instance, ${datasource}, $__interval)
    expr = re.sub(r"\$\{?\w+\}?", "", expr)
    names = []
    for m in IDENT.finditer(expr):
        word = m.group(0)
        rest = expr[m.end():].lstrip()
        start = m.start()
        if start and (expr[start - 1].isdigit() or expr[start - 1] == "."):
            continue  # 2e5, 1.5h
        if rest.startswith("(") or word.lower() in KEYWORDS:
            continue  # a function or a keyword
        names.append(word)
    return names


def dashboard_exprs(path):
    dash = json.load(open(path, encoding="utf-8"))
    exprs = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if "expr" in t:
                    exprs.append(t["expr"])
            walk(p.get("panels", []))

    walk(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"\s*label_values\(\s*(.*),\s*\w+\s*\)\s*$", q or "")
        exprs.append(m.group(1) if m else q or "")
    return exprs


def rules_exprs(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    return [r["expr"] for g in doc["groups"] for r in g["rules"]]


def main(argv):
    have = exported(argv[1])
    files = argv[2:]
    print(f"1..{len(files)}")
    bad = 0
    for n, path in enumerate(files, 1):
        exprs = dashboard_exprs(path) if path.endswith(".json") else rules_exprs(path)
        used = sorted({name for e in exprs for name in metric_names(e)})
        unknown = [u for u in used if u not in have]
        if exprs and used and not unknown:
            print(f"ok {n} - {os.path.basename(path)}: {len(exprs)} queries name only exported metrics ({', '.join(used)})")
        else:
            bad += 1
            print(f"not ok {n} - {os.path.basename(path)}: {len(exprs)} queries; metrics not exported: {', '.join(unknown) or '(no metric named at all)'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
