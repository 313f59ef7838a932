"""html_check.py - the HTML report as the browser built it.

usage: html_check.py DOM.html [REPORT.json]

DOM.html is Chromium's --dump-dom. The page must hold no script, no event
handler attribute and no reference to anything outside itself. With the
JSON report of the same run, the counts shown (elements with data-count,
data-score and data-severity) must be the report's.
"""
import json
import re
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.values = {}
        self.stack = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "iframe", "object", "embed", "link", "img",
                   "base", "form"):
            self.problems.append(f"<{tag}> element")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"<{tag} {k}=...> event handler")
            # Links to the guide and reference pages load nothing; any
            # other URL, and any URL on a loading element, is a problem.
            doc_link = tag == "a" and k == "href" and v and v.startswith(
                ("https://documentation.ubuntu.com/lxd/",
                 "https://linuxcontainers.org/incus/")) and \
                a.get("rel") == "noreferrer"
            if k in ("src", "href", "action", "srcset") and v and \
                    not v.startswith("#") and not doc_link:
                self.problems.append(f"<{tag} {k}={v!r}> points outside")
        if "style" in a and re.search(r"url\(|@import", a["style"] or ""):
            self.problems.append(f"<{tag} style> loads something")
        key = None
        for attr in ("data-count", "data-severity"):
            if attr in a:
                key = f"{attr}={a[attr]}"
        if "data-score" in a:
            key = "data-score"
        if tag not in ("meta", "br", "hr", "input", "img", "link"):
            self.stack.append(key)
            if key:
                self.text.append([key, ""])

    def handle_endtag(self, tag):
        if tag in ("meta", "br", "hr", "input", "img", "link"):
            return
        if self.stack:
            key = self.stack.pop()
            if key:
                k, t = self.text.pop()
                self.values[k] = t.strip()

    def handle_data(self, data):
        for entry in self.text:
            entry[1] += data


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        dom = f.read()
    page = Page()
    page.feed(dom)
    page.close()
    problems = list(page.problems)
    if re.search(r"@import|url\(\s*['\"]?(https?:|//)", dom):
        problems.append("the style sheet loads something")

    if len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as f:
            report = json.load(f)
        want = {f"data-count={k}": str(v)
                for k, v in report["summary"].items()}
        want["data-count=checks"] = str(len(report["results"]))
        failing = [f for r in report["results"] for f in r["findings"]
                   if f["status"] == "fail"]
        want["data-count=findings"] = str(len(failing))
        for sev in ("critical", "high", "medium", "low", "info"):
            want[f"data-severity={sev}"] = str(
                sum(1 for f in failing if f["severity"] == sev))
        score = report.get("score")
        want["data-score"] = "n/a" if score is None else f"{score:.1f}"
        for k, v in want.items():
            if page.values.get(k) != v:
                problems.append(f"{k} shows {page.values.get(k)!r}, "
                                f"the JSON report has {v!r}")
        for r in report["results"]:
            if r["id"] not in dom:
                problems.append(f"{r['id']} is not on the page")
        print("shown: " + ", ".join(f"{k.split('=')[-1]} {v}" for k, v in
                                    sorted(page.values.items())))
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
