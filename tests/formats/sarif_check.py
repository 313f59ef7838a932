"""sarif_check.py - a SARIF log against the 2.1.0 schema or GitHub's rules.

usage: sarif_check.py schema SCHEMA.json LOG.sarif
       sarif_check.py github LOG.sarif
"""
import json
import re
import sys


def schema(schema_path, log_path):
    import jsonschema

    with open(schema_path, encoding="utf-8") as f:
        sch = json.load(f)
    with open(log_path, encoding="utf-8") as f:
        log = json.load(f)
    validator = jsonschema.Draft4Validator(sch)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    for e in errors[:20]:
        print("/".join(str(p) for p in e.path), e.message[:300])
    try:
        from importlib.metadata import version
        ver = version("jsonschema")
    except Exception:  # pylint: disable=broad-except
        ver = "?"
    print(f"jsonschema {ver} (Draft 4): {len(errors)} error(s)")
    return not errors


def github(log_path):
    """The properties code scanning marks required, and its limits."""
    with open(log_path, encoding="utf-8") as f:
        log = json.load(f)
    problems = []

    def need(cond, what):
        if not cond:
            problems.append(what)

    need(log.get("version") == "2.1.0", "version is not 2.1.0")
    need(str(log.get("$schema", "")).endswith("sarif-2.1.0.json"),
         "$schema is not the 2.1.0 schema")
    for ri, run in enumerate(log.get("runs", [])):
        driver = run.get("tool", {}).get("driver", {})
        need(driver.get("name"), f"run {ri}: no tool.driver.name")
        rules = driver.get("rules", [])
        ids = [r.get("id") for r in rules]
        need(len(set(ids)) == len(ids), f"run {ri}: rule ids repeat")
        for r in rules:
            rid = r.get("id")
            for k in ("shortDescription", "fullDescription", "help"):
                text = r.get(k, {}).get("text", "")
                need(text, f"rule {rid}: no {k}.text")
                if k != "help":
                    need(len(text) <= 1024, f"rule {rid}: {k} > 1024")
            sev = r.get("properties", {}).get("security-severity")
            need(sev is not None and re.fullmatch(r"\d+\.\d", sev)
                 and 0.0 <= float(sev) <= 10.0,
                 f"rule {rid}: security-severity {sev!r}")
            need("security" in r.get("properties", {}).get("tags", []),
                 f"rule {rid}: not tagged security")
        for i, res in enumerate(run.get("results", [])):
            where = f"result {i} ({res.get('ruleId')})"
            need(res.get("message", {}).get("text"), f"{where}: no message")
            idx = res.get("ruleIndex")
            need(idx is not None and 0 <= idx < len(rules)
                 and rules[idx]["id"] == res.get("ruleId"),
                 f"{where}: ruleIndex does not name ruleId")
            locs = res.get("locations", [])
            need(1 <= len(locs) <= 10, f"{where}: needs 1-10 locations")
            for loc in locs[:1]:
                phys = loc.get("physicalLocation", {})
                uri = phys.get("artifactLocation", {}).get("uri", "")
                # a scheme that differs from the checkout's (file) makes
                # code scanning reject the whole upload
                need(uri and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri)
                     and not uri.startswith("/"),
                     f"{where}: artifact uri {uri!r} is not relative")
                need(re.fullmatch(r"[A-Za-z0-9\-._~/!$&'()*+,;=@%]+", uri),
                     f"{where}: artifact uri {uri!r} is not URI text")
                region = phys.get("region", {})
                need(region.get("startLine", 0) >= 1,
                     f"{where}: region.startLine")
                need(loc.get("logicalLocations"),
                     f"{where}: no logical location for the LXD object")
            fp = res.get("partialFingerprints", {})
            need(fp.get("primaryLocationLineHash"),
                 f"{where}: no primaryLocationLineHash")
            level = res.get("level")
            kind = res.get("kind", "fail")
            need(level in ("error", "warning", "note")
                 if kind == "fail" else level in (None, "none"),
                 f"{where}: level {level!r} with kind {kind!r}")
    for p in problems[:30]:
        print(p)
    print(f"{len(problems)} problem(s)")
    return not problems


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "schema":
        ok = schema(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "github":
        ok = github(sys.argv[2])
    else:
        sys.exit(__doc__)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
