#!/usr/bin/env python3
"""remedy_check.py - the advice a person pastes and the words it uses (TAP)

Audits every saved state under tests/data (snap/, workload/, release/,
snapshot/sample-5.0.2) with `lxd-harden audit --input DIR -o json=- -o
sarif=FILE`, reads the catalog (`lxd-harden checks --format json`), and
checks:

  1. every failing finding has a "remedy" object of the documented shape
     (the schema below), in the JSON report and in the SARIF result's
     properties, the two the same; "remediation" is derived from it;
  2. every command of every remedy pastes: `bash -n` parses it, and outside
     its quoted words it has no placeholder (<x>, an all-capital word such
     as VALUE or LOKI, "..."), no parenthesis and no prose (" or ", a final
     full stop);
  3. every policy key named anywhere (catalog, messages, remedies) is one
     the policy parser knows (the key tables of src/policy.c), written with
     its section (admins.certificates, not admin_certs);
  4. every lxd-harden option named anywhere is one the named command takes
     (its --help lists it);
  5. the text report, wrapped to 60 columns, shows every command of a
     failing finding that holds no control or invisible character on a
     "fix:" line that pastes
     as it is: its continuation lines joined, it is the command to the
     character (a printf '%s\n' keeps its one backslash).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SRC = os.environ.get("LXDH_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
BIN = os.environ.get("LXDH_BIN") or os.path.join(SRC, "build", "lxd-harden")
DATA = os.path.join(SRC, "tests", "data")

SCHEMA = {
    "type": "object",
    "required": ["commands", "needs", "note", "fixable", "reversible",
                 "restart", "opt_in", "scope"],
    "additionalProperties": False,
    "properties": {
        "commands": {"type": "array", "items": {"type": "string",
                                                "minLength": 1}},
        "needs": {"type": "array", "items": {
            "type": "object", "required": ["name", "why"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "minLength": 1},
                           "why": {"type": "string", "minLength": 1}}}},
        "note": {"type": ["string", "null"]},
        "fixable": {"type": "boolean"},
        "reversible": {"type": "boolean"},
        "restart": {"type": "boolean"},
        "opt_in": {"type": "boolean"},
        "scope": {"enum": ["daemon", "host"]},
    },
}

n = 0
fails = 0


def ok(cond, what, diag=None):
    global n, fails
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, what))
    if not cond:
        fails += 1
        for line in (diag or [])[:20]:
            print("#   " + line)


def validate(obj, schema, path="remedy"):
    """A small JSON-schema subset, enough for SCHEMA (no dependency)."""
    errs = []
    t = schema.get("type")
    types = t if isinstance(t, list) else [t] if t else []
    pytypes = {"object": dict, "array": list, "string": str,
               "boolean": bool, "null": type(None)}
    if types and not any(isinstance(obj, pytypes[x]) for x in types):
        return ["%s: %r is not %s" % (path, obj, t)]
    if "enum" in schema and obj not in schema["enum"]:
        errs.append("%s: %r not in %s" % (path, obj, schema["enum"]))
    if isinstance(obj, str) and len(obj) < schema.get("minLength", 0):
        errs.append("%s: empty" % path)
    if isinstance(obj, dict):
        for k in schema.get("required", []):
            if k not in obj:
                errs.append("%s: no %s" % (path, k))
        props = schema.get("properties", {})
        for k, v in obj.items():
            if k in props:
                errs += validate(v, props[k], path + "." + k)
            elif schema.get("additionalProperties") is False:
                errs.append("%s: unknown field %s" % (path, k))
    if isinstance(obj, list) and "items" in schema:
        for i, v in enumerate(obj):
            errs += validate(v, schema["items"], "%s[%d]" % (path, i))
    return errs


def unquoted(cmd):
    """cmd without the contents of its single- and double-quoted words."""
    out, q = [], None
    for ch in cmd:
        if q:
            if ch == q:
                q = None
            continue
        if ch in "'\"":
            q = ch
            out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


# Placeholders are looked for in the whole command, quoted words too
# ('security.acls=<acl>' was one); ${IFS} is a hostile name's, not ours.
PLACEHOLDER = [
    (re.compile(r"<[A-Za-z][^>]*>"), "a <placeholder>"),
    (re.compile(r"(?<![A-Za-z0-9_{])[A-Z][A-Z_]{2,}(?![A-Za-z0-9_])"),
     "an all-capital placeholder word"),
    (re.compile(r"\.\.\."), "an ellipsis"),
]
# Prose is looked for outside the quoted words (names may hold anything).
PROSE = [
    (re.compile(r"[()]"), "a parenthesis"),
    (re.compile(r" or "), "prose (' or ')"),
    (re.compile(r"\.\s*$"), "a final full stop"),
]


def paste_problems(cmd):
    probs = []
    bare = unquoted(cmd)
    for rx, what in PLACEHOLDER:
        if rx.search(cmd):
            probs.append("%s: %s" % (what, cmd))
    for rx, what in PROSE:
        if rx.search(bare):
            probs.append("%s: %s" % (what, cmd))
    r = subprocess.run(["bash", "-n", "-c", cmd], capture_output=True,
                       text=True)
    if r.returncode != 0:
        probs.append("bash -n: %s: %s" % (cmd, r.stderr.strip()))
    return probs


def remedy_text(rm):
    """The one-line remediation, as finding.c derives it."""
    t = " && ".join(rm["commands"])
    for need in rm["needs"]:
        t += "%sneeds %s: %s" % ("; " if t else "", need["name"],
                                 need["why"])
        if rm["fixable"]:
            t += " (fix --set %s=VALUE)" % need["name"]
    if rm["note"]:
        t += "%s%s" % (". " if t else "", rm["note"])
    return t or None


# What the terminal escaper would change (then a command is shown escaped,
# not pasteable): C0/C1 controls, DEL, invisible and reordering characters,
# the noncharacters U+FFFE and U+FFFF.
UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-"
                        "\u202e\u2060-\u2069\ufeff\ufffe\uffff]")


def text_fix_commands(text):
    """The commands of the "fix:" lines, continuation lines joined."""
    out, cur = [], None
    for line in text.split("\n"):
        if cur is not None:
            cur += " " + line.strip()
        else:
            m = re.match(r"\s+fix: (.*)$", line)
            if not m:
                continue
            cur = m.group(1)
        if cur.endswith(" \\"):
            cur = cur[:-2]
            continue
        out.append(cur)
        cur = None
    return out


def policy_keys():
    """The dotted keys of src/policy.c's tables: section.key and top."""
    src = open(os.path.join(SRC, "src", "policy.c")).read()
    tables = {}
    for m in re.finditer(r"static const struct policy_key (\w+)\[\] = \{"
                         r"(.*?)\n\};", src, re.S):
        tables[m.group(1)] = m.group(2)
    keys = set()
    sections = {}
    for m in re.finditer(r'\.name = "(\w+)"(.*?)\}', tables["top_keys"],
                         re.S):
        keys.add(m.group(1))
        km = re.search(r"\.keys = (\w+)", m.group(2))
        if km:
            sections[m.group(1)] = km.group(1)
    for sec, table in sections.items():
        for m in re.finditer(r'\.name = "(\w+)"', tables[table]):
            keys.add(sec + "." + m.group(1))
    return keys, set(sections)


def options_of(cmd):
    r = subprocess.run([BIN, cmd, "--help"], capture_output=True, text=True)
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", r.stdout + r.stderr))


def main():
    keys, sections = policy_keys()
    # the leaves that read as identifiers (certificates is also a word)
    leaves = {k.split(".", 1)[1] for k in keys if "." in k and "_" in k}
    ok("admins.certificates" in keys and "thresholds.token_expiry_max" in keys,
       "the policy key table reads (%d keys)" % len(keys))

    texts = []      # (where, string) every string a person reads
    commands = []   # (where, command)
    shape, derive, sarif_same = [], [], []

    cat = json.loads(subprocess.run([BIN, "checks", "--format", "json"],
                                    capture_output=True, text=True,
                                    check=True).stdout)
    for c in cat if isinstance(cat, list) else cat.get("checks", []):
        for k in ("title", "rationale", "reads", "remediation"):
            if c.get(k):
                texts.append(("catalog %s %s" % (c["id"], k), c[k]))

    dirs = []
    for sub in ("snap", "workload", "release"):
        base = os.path.join(DATA, sub)
        for d in sorted(os.listdir(base)):
            if os.path.isfile(os.path.join(base, d, "server.json")):
                dirs.append(os.path.join(base, d))
    sample = os.path.join(DATA, "snapshot", "sample-5.0.2")
    runs = [(os.path.relpath(d, DATA), ["--input", d]) for d in dirs]
    runs.append(("snapshot/sample-5.0.2", ["--input", sample]))
    # the host checks' remedies: the sample server on each saved host
    hosts = os.path.join(DATA, "host")
    for h in sorted(os.listdir(hosts)):
        if os.path.isdir(os.path.join(hosts, h, "etc")):
            runs.append(("host/" + h, ["--input", sample, "--host-root",
                                       os.path.join(hosts, h)]))
    releases = os.path.join(DATA, "releases-fixed.json")
    failing = 0
    host_cmds = 0
    text_missing = []
    text_checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in runs:
            sarif = os.path.join(tmp, "r.sarif")
            r = subprocess.run([BIN, "audit"] + args + ["--releases",
                                releases, "-o", "json=-", "-o",
                                "sarif=" + sarif],
                               capture_output=True, text=True)
            if r.returncode not in (0, 2):
                ok(False, "%s: audit --input" % name, r.stderr.splitlines())
                continue
            rep = json.loads(r.stdout)
            sres = json.load(open(sarif))["runs"][0]["results"]
            sremedies = [x["properties"].get("remedy") for x in sres
                         if "remedy" in x.get("properties", {})]
            jremedies = []
            for res in rep["results"]:
                for f in res["findings"]:
                    where = "%s %s %s" % (name, res["id"], f["object"])
                    texts.append((where + " message", f["message"]))
                    rm = f.get("remedy")
                    if f["status"] == "fail":
                        failing += 1
                        if rm is None:
                            shape.append(where + ": no remedy")
                            continue
                    if rm is None:
                        continue
                    jremedies.append(rm)
                    shape += [where + ": " + e for e in validate(rm, SCHEMA)]
                    if rm.get("note"):
                        texts.append((where + " note", rm["note"]))
                    for need in rm.get("needs", []):
                        texts.append((where + " need", need["why"]))
                    for c in rm.get("commands", []):
                        commands.append((where, c))
                        host_cmds += rm.get("scope") == "host"
                        if (rm.get("scope") == "daemon" and
                                not c.startswith(("lxc ", "incus "))):
                            shape.append("%s: %s is not the client's, "
                                         "but scope is daemon" % (where, c))
                        texts.append((where + " command", c))
                    if (rm.get("commands") or rm.get("needs") or
                            rm.get("note")) and not f.get("remediation"):
                        derive.append(where + ": remedy without remediation")
                    want = remedy_text(rm)
                    if want != f.get("remediation"):
                        derive.append("%s: remediation %r, the remedy says "
                                      "%r" % (where, f.get("remediation"),
                                              want))
            # 5: the same run as text, narrow, so that commands wrap
            t = subprocess.run([BIN, "audit"] + args + ["--releases",
                               releases, "--no-color"],
                               capture_output=True, text=True,
                               env=dict(os.environ, COLUMNS="60"))
            shown = set(text_fix_commands(t.stdout))
            # the default view shows the failing checks' failing findings
            for rm in [f["remedy"] for res in rep["results"]
                       if res["status"] == "fail" for f in res["findings"]
                       if f["status"] == "fail" and f.get("remedy")]:
                for c in rm.get("commands", []):
                    if UNSHOWABLE.search(c):
                        continue
                    text_checked += 1
                    if c not in shown:
                        text_missing.append("%s: %s" % (name, c))
            if sremedies != jremedies:
                sarif_same.append("%s: %d SARIF remedies, %d JSON" %
                                  (name, len(sremedies), len(jremedies)))
    ok(failing > 100, "the saved states have failing findings (%d)" % failing)
    ok(host_cmds > 20, "the saved hosts give host-scope commands (%d)" %
       host_cmds)
    ok(not shape, "every failing finding has a remedy of the documented "
       "shape", shape)
    ok(not derive, "remediation is derived from the remedy", derive)
    ok(not sarif_same, "SARIF result properties carry the same remedies",
       sarif_same)

    ok(text_checked > 100 and not text_missing,
       "the text report shows every command (%d) on a fix: line that "
       "pastes as it is, at 60 columns" % text_checked, text_missing)

    seen, probs = set(), []
    for where, c in commands:
        if c in seen:
            continue
        seen.add(c)
        probs += ["%s: %s" % (where, p) for p in paste_problems(c)]
    ok(len(seen) > 50 and not probs,
       "every remedy command (%d distinct) parses with bash -n and has no "
       "placeholder, parenthesis or prose" % len(seen), probs)

    # 3: policy keys, with their section
    bad = []
    dotted = re.compile(r"\b(%s)\.([a-z_]+)" % "|".join(sorted(sections)))
    bare_leaf = re.compile(r"(?<![.\w])(%s|admin_[a-z_]+)(?![\w])" %
                           "|".join(sorted(leaves)))
    for where, s in texts:
        for m in dotted.finditer(s):
            if m.group(0) not in keys:
                bad.append("%s: unknown policy key %s" % (where, m.group(0)))
        for m in bare_leaf.finditer(s):
            # a leaf without its section, or an old name (admin_certs)
            bad.append("%s: policy key %s without its section" %
                       (where, m.group(0)))
    ok(not bad, "every policy key named is in the policy's key table, "
       "with its section", sorted(set(bad)))

    # 4: lxd-harden options
    bad = []
    opts = {}
    cmd_rx = re.compile(r"lxd-harden (audit|fix|rollback|profile create|"
                        r"checks|explain|usg-tailoring)((?: +[^ ,;:()'`]+)*)")
    for where, s in texts:
        for m in cmd_rx.finditer(s):
            sub = m.group(1).split()[0]
            if sub not in opts:
                opts[sub] = options_of(sub)
            for o in re.findall(r"(--[a-z][a-z0-9-]*)", m.group(2)):
                if o not in opts[sub]:
                    bad.append("%s: lxd-harden %s has no %s" %
                               (where, sub, o))
        for m in re.finditer(r"\bfix (--[a-z][a-z0-9-]*)", s):
            if "fix" not in opts:
                opts["fix"] = options_of("fix")
            if m.group(1) not in opts["fix"]:
                bad.append("%s: fix has no %s" % (where, m.group(1)))
    ok(opts and not bad, "every lxd-harden option named is one the command "
       "takes", sorted(set(bad)))

    print("1..%d" % n)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
