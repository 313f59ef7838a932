#!/usr/bin/env python3
"""md_check.py HTML [REPORT.json] - a Markdown report as cmark-gfm renders it.

HTML is cmark-gfm's rendering (with the table extension, in its default
safe mode). Checks that no raw HTML got through (cmark-gfm writes a
comment for it), that every link goes to the guide, that the table has
one row per failing or erring check of REPORT.json with five cells each,
that every line of every code block is, to the character, a remedy
command of REPORT.json or its target's client_setup (what is copied from
it is the command), and that
no element but those of the report's own structure appears.
"""
import json
import re
import sys
from html.parser import HTMLParser

ALLOWED = {"h2", "h3", "p", "strong", "em", "table", "thead", "tbody", "tr",
           "th", "td", "ul", "li", "a", "code", "pre"}
GUIDE = "https://documentation.ubuntu.com/lxd/latest/howto/security_harden/#"


class Walk(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []
        self.rows = []
        self.row = None
        self.pre = None
        self.blocks = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ALLOWED:
            self.problems.append(f"<{tag}> element")
        if tag == "a" and not (a.get("href") or "").startswith(GUIDE):
            self.problems.append(f"link to {a.get('href')!r}")
        if tag == "tr":
            self.row = 0
        if tag in ("td", "th") and self.row is not None:
            self.row += 1
        if tag == "pre":
            self.pre = ""

    def handle_data(self, data):
        if self.pre is not None:
            self.pre += data

    def handle_endtag(self, tag):
        if tag == "pre":
            self.blocks.append(self.pre)
            self.pre = None
        if tag == "tr":
            self.rows.append(self.row)
            self.row = None

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r} (raw HTML in the Markdown)")


def main():
    html = open(sys.argv[1], encoding="utf-8").read()
    w = Walk()
    w.feed(html)
    if any(n != 5 for n in w.rows):
        w.problems.append(f"table rows with other than 5 cells: {w.rows}")
    if len(sys.argv) > 2:
        rep = json.load(open(sys.argv[2], encoding="utf-8"))
        want = sum(1 for c in rep["results"] if c["status"] in ("fail", "error"))
        if len(w.rows) != want + 1:
            w.problems.append(f"{len(w.rows) - 1} table rows, the JSON report "
                              f"has {want} failing checks")
        cmds = {c for r in rep["results"] for f in r["findings"]
                for c in (f.get("remedy") or {}).get("commands", [])}
        if rep["target"].get("client_setup"):
            cmds.add(rep["target"]["client_setup"])
        lines = [l for b in w.blocks for l in b.splitlines()]
        if cmds and not lines:
            w.problems.append("no code block, and the report has remedy "
                              "commands")
        for l in lines:
            if l not in cmds:
                w.problems.append(f"code block line {l!r} is no remedy "
                                  "command of the JSON report")
    if re.search(r"<script", html, re.I):
        w.problems.append("a script element")
    for p in w.problems:
        print(p)
    sys.exit(1 if w.problems else 0)


main()
