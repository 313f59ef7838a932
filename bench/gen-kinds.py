#!/usr/bin/env python3
"""gen-kinds.py KIND N DIR - a saved state (--input DIR) of 100 instances
(shaped as bench/gen-state.py's) with one other kind of object scaled to N:
what bench/outputs.sh uses to show that no check grows faster than the
objects of any kind.

KIND: certificates | profiles | networks | acls | projects | pools |
      pools-own | base. pools are a quarter zfs datasets of one zpool
(LXD-STO-001 pairs them), pools-own each on a backing of its own.
Deterministic for a given KIND and N.
"""
import hashlib
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")
CERTS = os.path.join(DATA, "snap", "certs", "certificates.json")
CLEAN_CERTS = os.path.join(DATA, "snap", "clean-509", "certificates.json")
NINST = 100

sys.dont_write_bytecode = True  # no __pycache__ in bench/
_spec = importlib.util.spec_from_file_location(
    "gen_state", os.path.join(HERE, "gen-state.py"))
gs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gs)
url = gs.url


def fp(s):
    return hashlib.sha256(s.encode()).hexdigest()


def load_meta(path):
    with open(path) as f:
        d = json.load(f)
    return d["metadata"] if isinstance(d, dict) and "metadata" in d else d


def extra_profile(k):
    """The k-th extra profile's config and devices: a mix of what the
    checks look at."""
    cfg, dev = {"user.tag": "t%d" % k}, {}
    if k % 7 == 0:
        cfg["security.privileged"] = "true"
    if k % 5 == 0:
        cfg["security.nesting"] = "true"
    if k % 3 == 0:
        cfg["limits.cpu"] = str(1 + k % 4)
        cfg["limits.memory"] = "%dMiB" % (256 * (1 + k % 8))
    if k % 11 == 0:
        cfg["raw.lxc"] = "lxc.apparmor.profile=unconfined"
    if k % 13 == 0:
        cfg["security.idmap.isolated"] = "true"
    if k % 2 == 0:
        dev["eth%d" % (1 + k % 3)] = {"name": "eth%d" % (1 + k % 3),
                                      "network": "lxdbr0", "type": "nic"}
    if k % 4 == 1:
        dev["data"] = {"path": "/mnt/d", "source": "/srv/p%d" % k,
                       "type": "disk"}
    if k % 4 == 3:
        dev["vol"] = {"path": "/mnt/v", "pool": "default",
                      "source": "v%d" % k, "type": "disk"}
    if k % 9 == 0:
        dev["web"] = {"type": "proxy",
                      "listen": "tcp:0.0.0.0:%d" % (10000 + k % 50000),
                      "connect": "tcp:127.0.0.1:80"}
    if k % 17 == 0:
        dev["kvm"] = {"type": "unix-char", "path": "/dev/kvm"}
    return cfg, dev


def add_profiles(st, n):
    """n more profiles over the projects with their own, listed in the
    used_by of their project and of the bridge and pool they name, as
    LXD lists them; each instance takes three of its project's."""
    homes = st["projects"][:gs.OWN_PROFILES]
    extra = {p: [] for p in homes}
    proj = {e["name"]: e for e in st["proj"]}
    for k in range(n):
        p = homes[k % len(homes)]
        name = "p%05d" % k
        cfg, dev = extra_profile(k)
        st["profiles"][(p, name)] = {"name": name, "description": "d%d" % k,
                                     "config": cfg, "devices": dev,
                                     "used_by": [], "project": p}
        extra[p].append(name)
        u = url("profiles", name, p)
        proj[p]["used_by"].append(u)
        if any(d.get("network") == "lxdbr0" for d in dev.values()):
            st["networks"][0]["used_by"].append(u)
        if any(d.get("pool") == "default" for d in dev.values()):
            st["pools"][0]["used_by"].append(u)
    for i, inst in enumerate(st["instances"]):
        home = st["prof_home"][inst["project"]]
        ex = extra[home] if home in extra else []
        added = []
        for j in range(3):
            if ex:
                name = ex[(i * 7 + j * 131) % len(ex)]
                if name not in inst["profiles"]:
                    inst["profiles"].append(name)
                    added.append(name)
        gs.expand(inst, st["profiles"], st["prof_home"], added)


def add_networks(st, n):
    """n more networks, every 50th an unmanaged interface; every other
    instance has a NIC on one of them."""
    users = {}
    for i, inst in enumerate(st["instances"]):
        if i % 2:
            continue
        net = "br%05d" % (i * 37 % n)
        inst["devices"]["eth9"] = {"name": "eth9", "network": net,
                                   "type": "nic"}
        gs.expand(inst, st["profiles"], st["prof_home"], [])
        users.setdefault(net, []).append(
            url("instances", inst["name"], inst["project"]))
    for k in range(n):
        name = "br%05d" % k
        cfg = {"ipv4.address": "10.%d.%d.1/24" % (100 + k // 250, k % 250),
               "ipv4.nat": ["true", "false"][k % 2],
               "ipv6.address": ["none", "fd42:%x::1/64" % k][k % 3 == 0]}
        if k % 4 == 0:
            cfg["ipv4.firewall"] = "false"
        if k % 6 == 0:
            cfg["security.acls"] = "web-acl"
        if k % 9 == 0:
            cfg["dns.domain"] = "n%d.lxd" % k
        ub = list(users.get(name, []))
        if k % 5 == 0:
            ub.append("/1.0/profiles/default?project=bench-%d" % (1 + k % 5))
        if k % 8 == 1:
            ub.append("/1.0/profiles/priv")
        typ, managed = "bridge", True
        if k % 50 == 49:
            typ, managed, cfg = "physical", False, {}
        st["networks"].append({"name": name, "description": "n%d" % k,
                               "type": typ, "managed": managed,
                               "status": "Created", "config": cfg,
                               "used_by": ub, "locations": ["none"],
                               "project": "default"})
    st["acls"].append({"name": "web-acl", "description": "", "config": {},
                       "ingress": [{"action": "allow",
                                    "source": "0.0.0.0/0",
                                    "protocol": "tcp",
                                    "destination_port": "22",
                                    "state": "enabled"}],
                       "egress": [], "project": "default",
                       "used_by": ["/1.0/networks/br%05d" % k
                                   for k in range(0, n, 6)]})


def add_acls(st, n):
    """n network ACLs of up to five rules; lxdbr0 names the first 50 of
    every tenth."""
    for k in range(n):
        ing, eg = [], []
        for r in range(1 + k % 5):
            rule = {"action": ["allow", "drop", "reject", "allow"][r % 4],
                    "state": ["enabled", "logged", "disabled"][(k + r) % 3],
                    "protocol": ["tcp", "udp", "icmp4", ""][r % 4],
                    "description": "r%d" % r}
            if r % 2 == 0:
                rule["source"] = ["0.0.0.0/0", "10.%d.0.0/16" % (k % 250),
                                  "::/0", "acl%05d" % ((k + 1) % n)][(k + r) % 4]
            if rule["protocol"] in ("tcp", "udp"):
                rule["destination_port"] = ["22", "80,443", "1-65535",
                                            "3306"][(k + r) % 4]
            ing.append(rule)
        for r in range(k % 3):
            rule = {"action": "allow", "state": "enabled",
                    "destination": ["0.0.0.0/0", "192.168.%d.0/24" % (k % 250),
                                    "@external"][(k + r) % 3]}
            if r == 1:
                rule["protocol"] = "udp"
                rule["destination_port"] = "53"
            eg.append(rule)
        ub = []
        if k % 10 == 0:
            ub.append("/1.0/networks/lxdbr0")
        if k % 7 == 0:
            ub.append("/1.0/network-acls/acl%05d" % ((k + n - 1) % n))
        st["acls"].append({"name": "acl%05d" % k, "description": "acl %d" % k,
                           "ingress": ing, "egress": eg, "config": {},
                           "used_by": ub, "project": "default"})
    cfg = st["networks"][0]["config"]
    cfg["security.acls"] = ",".join("acl%05d" % k
                                    for k in range(0, n, 10)[:50])
    cfg["security.acls.default.ingress.action"] = "drop"


def add_projects(st, n):
    """n more projects, three in four restricted with keys that reopen
    part of it."""
    for k in range(n):
        name = "proj%05d" % k
        cfg = {"features.images": ["true", "false"][k % 2],
               "features.profiles": ["true", "false"][k % 3 == 0],
               "features.networks": ["false", "true"][k % 5 == 0],
               "features.storage.volumes": "true",
               "features.storage.buckets": "true"}
        if k % 4 != 0:
            cfg["restricted"] = "true"
            if k % 4 == 1:
                cfg["restricted.containers.privilege"] = "allow"
                cfg["restricted.devices.disk"] = "allow"
            elif k % 4 == 2:
                cfg["restricted.containers.nesting"] = "allow"
                cfg["restricted.devices.disk"] = "managed"
                cfg["restricted.devices.disk.paths"] = "/srv/%d" % k
                cfg["restricted.idmap.uid"] = "1000-1010"
            else:
                cfg["restricted.devices.nic"] = "allow"
                cfg["restricted.networks.subnets"] = \
                    "lxdbr0:10.10.%d.0/24" % (k % 250)
                cfg["restricted.containers.lowlevel"] = "allow"
        if k % 3 == 1:
            cfg["limits.instances"] = "10"
            cfg["limits.memory"] = "4GiB"
        ub = ["/1.0/profiles/default?project=" + name] \
            if cfg["features.profiles"] == "true" else []
        st["proj"].append({"name": name, "description": "tenant %d" % k,
                           "config": cfg, "used_by": ub})


def add_pools(st, n, shared):
    """n more pools of four drivers; the zfs ones are datasets of one
    zpool when shared, each its own zpool otherwise. Every other instance
    has a volume on one of them."""
    users = {}
    for i, inst in enumerate(st["instances"]):
        if i % 2 == 0:
            continue
        pool = "pool%05d" % (i * 41 % n)
        inst["devices"]["vol"] = {"path": "/vol", "pool": pool,
                                  "source": "v%d" % i, "type": "disk"}
        gs.expand(inst, st["profiles"], st["prof_home"], [])
        users.setdefault(pool, []).append(
            url("instances", inst["name"], inst["project"]))
    drivers = ["dir", "zfs", "btrfs", "lvm"]
    for k in range(n):
        name = "pool%05d" % k
        drv = drivers[k % 4]
        cfg = {"source": "/var/lib/lxd/storage-pools/" + name}
        if drv == "zfs":
            zp = "tank" if shared else "tank%d" % k
            cfg = {"source": zp + "/" + name,
                   "zfs.pool_name": zp + "/" + name}
        elif drv == "lvm":
            cfg = {"source": "vg%d" % k, "lvm.vg_name": "vg%d" % k,
                   "lvm.thinpool_name": "LXDThinPool"}
        ub = list(users.get(name, []))
        if k % 3 == 0:
            ub += ["/1.0/storage-pools/%s/volumes/custom/v%d" % (name, j)
                   for j in range(k % 4)]
        if k % 7 == 0:
            ub.append("/1.0/images/" + fp("img%d" % k))
        st["pools"].append({"name": name, "description": "", "driver": drv,
                            "status": "Created", "config": cfg,
                            "used_by": ub, "locations": ["none"]})


def add_certificates(st, n):
    """n client and metrics certificates from a few real PEMs (good,
    expired, not yet valid, weak keys, none, garbage), two in three
    restricted to up to four projects, some of them gone."""
    pems = {c["name"]: c["certificate"] for c in load_meta(CERTS)}
    order = ["good", "old", "future", "rsa1024", "ec224", "soon", "",
             "garbage"]
    certs = []
    for k in range(n):
        src = order[k % len(order)]
        restricted = k % 3 != 0
        prj = []
        if restricted:
            prj = [st["projects"][(k + j) % gs.NPROJ]
                   for j in range(1 + k % 4)]
            if k % 10 == 5:
                prj.append("gone-%d" % k)
        certs.append({"name": "cert-%s-%05d" % (src or "nopem", k),
                      "type": "metrics" if k % 5 == 0 else "client",
                      "restricted": restricted, "projects": prj,
                      "fingerprint": fp("cert%d" % k),
                      "certificate": pems.get(src, "")})
    st["certificates"] = certs


def main():
    kinds = {"certificates": add_certificates, "profiles": add_profiles,
             "networks": add_networks, "acls": add_acls,
             "projects": add_projects,
             "pools": lambda st, n: add_pools(st, n, True),
             "pools-own": lambda st, n: add_pools(st, n, False),
             "base": lambda st, n: None}
    if len(sys.argv) != 4:
        sys.exit("usage: gen-kinds.py KIND N DIR")
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind not in kinds:
        sys.exit("gen-kinds.py: unknown KIND '%s' (%s)"
                 % (kind, ", ".join(kinds)))
    st = gs.build(NINST)
    # the seed's certificates have no PEM: a trust store that parses
    if st["certificates"] is None:
        st["certificates"] = load_meta(CLEAN_CERTS)
    kinds[kind](st, n)
    gs.write(out, st)


if __name__ == "__main__":
    main()
