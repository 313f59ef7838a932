#!/usr/bin/env python3
"""matrix.py - the README's release x check matrix, computed from the tests.

    scripts/matrix.py --build build            print the matrix (Markdown)
    scripts/matrix.py --build build --check    exit 1 unless README.md holds it
    scripts/matrix.py --build build --write    rewrite README.md's matrix

Evidence, never a hand-typed cell:
  fixture       the unit tests that check a release's behaviour (the
                test_checks_* and test_releases programs of the build) run
                with LXDH_EVIDENCE set; every status a test asserted and got
                is logged with its fixture (tests/unit/evidence.h). A check
                has "fixture" on a release when tests asserted both a
                failing status (fail or manual) and pass (or the
                notapplicable that expect.json names as the clean
                variant, e.g. ACC-013 without OIDC) on a fixture of
                that release, the release being the fixture's own
                (server.json) and still the one at assertion time.
  not applicable  tests/data/release/expect.json declares the check
                notapplicable on the release and a test asserted it.
  fixture (manual only)  a check that no test anywhere sees pass (only a
                person can judge it) whose manual finding a test asserted
                on that release.
  fixture (pass by design)  expect.json's by_design names the check for
                the product (with why) and a test asserted pass there.
  real daemon   an integration suite under tests/integration/ names the
                check and starts that daemon (LXD 5.0.2: LXD_DIR or
                lxdh_daemon_start; Incus 6.0.4: INCUS_DIR or incusd).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

BEGIN = "<!-- matrix:begin (scripts/matrix.py --write; do not edit) -->"
END = "<!-- matrix:end -->"

# label, product, version pattern, daemon that runs here (or None)
ROWS = [
    ("LXD 5.0.2", "lxd", r"5\.0\.", "lxd"),
    ("LXD 5.21", "lxd", r"5\.21\.", None),
    ("LXD 6.x", "lxd", r"6\.", None),
    ("Incus 6.0", "incus", r"6\.0\.", "incus"),
    ("Incus 7", "incus", r"7\.", None),
]

FAILING = {"fail", "manual"}
# Checks whose weak outcome is error by design: a cluster member that is
# not online cannot be audited, so LXD-GEN-004 never fails, it errs.
FAILING_AS = {"LXD-GEN-004": {"error"}}

UNIT = ["test_checks_general", "test_checks_access", "test_checks_network",
        "test_checks_instances", "test_checks_devices", "test_checks_storage",
        "test_checks_multiuser", "test_checks_netmul_release",
        "test_checks_host", "test_releases"]


def row_of(product, version):
    for label, prod, pat, _ in ROWS:
        if product == prod and re.match(pat, version or ""):
            return label
    return None


def fixture_release(data, fixture):
    try:
        with open(os.path.join(data, fixture, "server.json")) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None
    m = d.get("metadata") if isinstance(d.get("metadata"), dict) else d
    env = m.get("environment") or {}
    return row_of(env.get("server"), env.get("server_version"))


def unit_evidence(build, src):
    data = os.path.join(src, "tests", "data")
    ev = {}  # (row, check) -> set of statuses
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "evidence")
        env = dict(os.environ, LXDH_EVIDENCE=log, LXDH_TESTDATA=data,
                   LXDH_SRCDIR=src, SOURCE_DATE_EPOCH="1795880000",
                   CMOCKA_MESSAGE_OUTPUT="TAP")
        for t in UNIT:
            exe = os.path.join(build, "tests", t)
            r = subprocess.run([exe], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                sys.exit("matrix.py: %s failed; fix the unit tests first\n%s"
                         % (exe, r.stdout[-2000:]))
        with open(log) as f:
            lines = f.read().splitlines()
    for line in lines:
        fixture, product, version, check, status = line.split("\t")
        row = fixture_release(data, fixture)
        if row is None or row != row_of(product, version):
            continue  # not a release fixture, or a simulated other release
        ev.setdefault((row, check), set()).add(status)
    return ev


def declared_na(src):
    """(row, check) pairs that tests/data/release/expect.json calls
    notapplicable: a weak variant that is notapplicable and no clean one."""
    out = set()
    data = os.path.join(src, "tests", "data")
    with open(os.path.join(data, "release", "expect.json")) as f:
        exp = json.load(f)
    for rel in sorted(os.listdir(os.path.join(data, "release"))):
        if not os.path.isfile(os.path.join(data, "release", rel,
                                           "server.json")):
            continue
        row = fixture_release(data, "release/" + rel)
        entries = dict(exp.get("common", {}))
        entries.update(exp.get(rel, {}))
        for check, e in entries.items():
            if (e.get("weak") or {}).get("status") == "notapplicable" \
                    and "clean" not in e:
                out.add((row, check, "weak"))
            if (e.get("clean") or {}).get("status") == "notapplicable":
                out.add((row, check, "clean"))
    for check, bd in exp.get("by_design", {}).items():
        for label, prod, _, _ in ROWS:
            if prod in bd.get("products", []):
                out.add((label, check, "design"))
    return out


def daemon_evidence(src, ids):
    out = set()  # (daemon, check)
    d = os.path.join(src, "tests", "integration")
    for name in sorted(os.listdir(d)):
        if not name.endswith(".sh") or name in ("lib.sh", "tap.sh",
                                                "faults.sh"):
            continue
        with open(os.path.join(d, name)) as f:
            text = f.read()
        daemons = set()
        if re.search(r"LXD_DIR=|lxdh_daemon_start", text):
            daemons.add("lxd")
        if re.search(r"INCUS_DIR=|incusd", text):
            daemons.add("incus")
        named = set(re.findall(r"LXD-[A-Z]{3}-[0-9]{3}", text)) & ids
        out |= {(dm, c) for dm in daemons for c in named}
    return out


def compute(build, src):
    exe = os.path.join(build, "lxd-harden")
    ids = subprocess.run([exe, "checks", "--format", "ids"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.split()
    ev = unit_evidence(build, src)
    na = declared_na(src)
    real = daemon_evidence(src, set(ids))
    # A check no test ever saw pass (HOS-003: only a person can run the
    # CIS audit) is backed on a release by its asserted manual finding.
    passes = {c for (_, c), st in ev.items() if "pass" in st}
    table = {}
    for label, _, _, daemon in ROWS:
        for c in ids:
            s = ev.get((label, c), set())
            cell = []
            if daemon and (daemon, c) in real:
                cell.append("real daemon")
            clean = "pass" in s or ("notapplicable" in s and
                                    (label, c, "clean") in na)
            if s & (FAILING | FAILING_AS.get(c, set())) and clean:
                cell.append("fixture")
            elif (label, c, "weak") in na and "notapplicable" in s:
                cell.append("not applicable (fixture)")
            elif (label, c, "design") in na and "pass" in s:
                cell.append("fixture (pass by design)")
            elif c not in passes and "manual" in s:
                cell.append("fixture (manual only)")
            table[(label, c)] = ", ".join(cell) or "-"
    return ids, table


def render(ids, table):
    out = [BEGIN, "",
           "| Check | " + " | ".join(r[0] for r in ROWS) + " |",
           "|---" * (len(ROWS) + 1) + "|"]
    for c in ids:
        out.append("| %s | %s |" % (c, " | ".join(table[(r[0], c)]
                                                   for r in ROWS)))
    out += ["", END]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", default=os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true")
    g.add_argument("--write", action="store_true")
    a = ap.parse_args()
    ids, table = compute(os.path.abspath(a.build), a.src)
    text = render(ids, table)
    gaps = sorted("%s on %s" % (c, r[0]) for r in ROWS for c in ids
                  if table[(r[0], c)] == "-")
    if not (a.check or a.write):
        sys.stdout.write(text)
        for g in gaps:
            print("gap: " + g, file=sys.stderr)
        return 0
    readme = os.path.join(a.src, "README.md")
    with open(readme) as f:
        cur = f.read()
    i, j = cur.find(BEGIN), cur.find(END)
    if i < 0 or j < i:
        sys.exit("matrix.py: README.md has no matrix markers")
    new = cur[:i] + text.rstrip("\n") + cur[j + len(END):]
    if a.write:
        with open(readme, "w") as f:
            f.write(new)
        return 0
    ok = new == cur
    print("%s 1 - README.md's release x check matrix is what the tests show"
          % ("ok" if ok else "not ok"))
    if not ok:
        print("# regenerate: scripts/matrix.py --build BUILDDIR --write")
        if os.geteuid() != 0:
            print("# not root: the host cases that chown skip, so their "
                  "cells lack evidence here")
    # A cell nothing backs yet is a known gap, reported, not hidden.
    print("%s 2 - every check has evidence on every release%s" %
          ("ok" if not gaps else "not ok",
           "" if not gaps else " # TODO %d cells" % len(gaps)))
    for g in gaps:
        print("# no evidence: " + g)
    print("1..2")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
