#!/usr/bin/env python3
"""Writes workload/hostile from workload/lxd-502: every instance, profile,
project (but default), network, storage pool and device gets a name that
runs commands if a printed command leaves it unquoted, and a terminal
escape. Run from tests/data/workload: python3 make-hostile.py"""
import json, os, urllib.parse

SRC, DST = "lxd-502", "hostile"
TAIL = "$(touch${IFS}x)'`touch${IFS}y`;touch z&\x1b]0;pwned\x07\u202e"

def load(n):
    with open(os.path.join(SRC, n)) as f:
        return json.load(f)

parts = {n: load(n) for n in sorted(os.listdir(SRC)) if n.endswith(".json")}
names = set()
for n in ("instances.json", "profiles.json", "projects.json",
          "networks.json", "storage-pools.json"):
    for o in parts.get(n, []):
        if o.get("name") != "default":
            names.add(o["name"])
devices = set()
for n in ("instances.json", "profiles.json"):
    for o in parts.get(n, []):
        for k in ("devices", "expanded_devices"):
            devices.update(o.get(k, {}) or {})
mapping = {n: n + TAIL for n in names}
dmap = {d: d + TAIL for d in devices}

def enc(s):
    return urllib.parse.quote(s, safe="-._~")

def url(u):
    path, _, q = u.partition("?")
    segs = path.split("/")
    segs = [enc(mapping.get(s, s)) if i > 2 else s for i, s in enumerate(segs)]
    qs = "&".join(("project=" + enc(mapping.get(v[8:], v[8:])))
                  if v.startswith("project=") else v for v in q.split("&")) if q else ""
    return "/".join(segs) + ("?" + qs if qs else "")

def walk(o, parent=None):
    if isinstance(o, dict):
        return {(dmap.get(k, k) if parent in ("devices", "expanded_devices") else k):
                walk(v, k) for k, v in o.items()}
    if isinstance(o, list):
        return [walk(v, parent) for v in o]
    if isinstance(o, str):
        if o.startswith("/1.0/"):
            return url(o)
        return o if parent in ("type", "driver", "status") else mapping.get(o, o)
    return o

os.makedirs(DST, exist_ok=True)
for n, v in parts.items():
    with open(os.path.join(DST, n), "w") as f:
        json.dump(walk(v), f, indent=1, sort_keys=True)
        f.write("\n")
