#!/usr/bin/env python3
"""gen-state.py N DIR - a synthetic saved state (--input DIR) of N instances.

Shaped like LXD 5.0.2 answers (tests/data/workload/lxd-502 gives /1.0 and
the certificates): ten projects, the first six with their own profiles,
default with features.networks; per project a default profile (NIC on the
managed bridge, root disk), a privileged one and a limits one. A tenth of
the instances are privileged through that profile, a tenth have a
writable host-path disk, half take their limits from the profile. The
bridge, the pool and the projects list every instance in used_by, as LXD
does, so that lookups between instances and those lists are exercised at
scale. The output is deterministic for a given N.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "tests", "data", "workload", "lxd-502")
NPROJ = 10
OWN_PROFILES = 6


def project_name(i):
    return "default" if i == 0 else "bench-%d" % i


def url(kind, name, project):
    u = "/1.0/%s/%s" % (kind, name)
    return u if project == "default" else u + "?project=" + project


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-state.py N DIR")
    n = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for f in ("server.json", "certificates.json"):
        with open(os.path.join(SEED, f)) as src, \
                open(os.path.join(out, f), "w") as dst:
            dst.write(src.read())

    projects = [project_name(i) for i in range(NPROJ)]
    prof_home = {p: (p if i < OWN_PROFILES else "default")
                 for i, p in enumerate(projects)}
    nic = {"name": "eth0", "network": "lxdbr0", "type": "nic"}
    root = {"path": "/", "pool": "default", "type": "disk"}
    profiles = {}
    for p in projects[:OWN_PROFILES]:
        profiles[(p, "default")] = {
            "name": "default", "description": "", "config": {},
            "devices": {"eth0": nic, "root": root}, "used_by": [],
            "project": p}
        profiles[(p, "priv")] = {
            "name": "priv", "description": "", "used_by": [],
            "config": {"security.privileged": "true"}, "devices": {},
            "project": p}
        profiles[(p, "limits")] = {
            "name": "limits", "description": "", "used_by": [],
            "config": {"limits.cpu": "1", "limits.memory": "512MiB",
                       "limits.processes": "500"},
            "devices": {}, "project": p}

    instances = []
    pool_used, net_used = [], []
    proj_used = {p: [] for p in projects}
    for i in range(n):
        p = projects[i % NPROJ]
        name = "c%06d" % i
        prof = ["default"]
        cfg = {"volatile.uuid": "00000000-0000-4000-8000-%012d" % i,
               "volatile.idmap.base": "0"}
        dev = {}
        if i % 10 == 3:
            prof.append("priv")
        if i % 2 == 0:
            prof.append("limits")
        if i % 10 == 7:
            dev["data"] = {"path": "/data", "source": "/srv/data%d" % i,
                           "type": "disk"}
        ecfg = {}
        edev = {}
        for pr in prof:
            pd = profiles[(prof_home[p], pr)]
            ecfg.update(pd["config"])
            edev.update(pd["devices"])
            pd["used_by"].append(url("instances", name, p))
        ecfg.update(cfg)
        edev.update(dev)
        u = url("instances", name, p)
        instances.append({
            "architecture": "x86_64", "config": cfg, "devices": dev,
            "ephemeral": False, "profiles": prof, "stateful": False,
            "description": "", "created_at": "2026-12-01T00:00:00Z",
            "expanded_config": ecfg, "expanded_devices": edev,
            "name": name, "status": "Stopped", "status_code": 102,
            "last_used_at": "1970-01-01T00:00:00Z", "location": "none",
            "type": "container", "project": p})
        pool_used.append(u)
        net_used.append(u)
        proj_used[p].append(u)

    for (p, pr), pd in profiles.items():
        proj_used[p].append(url("profiles", pr, p))
        pool_used.append(url("profiles", pr, p))
    net_used.insert(0, "/1.0/profiles/default")

    proj = []
    for i, p in enumerate(projects):
        own = "true" if i < OWN_PROFILES else "false"
        proj.append({"name": p, "description": "",
                     "config": {"features.images": "true",
                                "features.profiles": own,
                                "features.networks":
                                    "true" if i == 0 else "false",
                                "features.storage.volumes": "true"},
                     "used_by": proj_used[p]})
    networks = [{"name": "lxdbr0", "description": "", "type": "bridge",
                 "managed": True, "status": "Created",
                 "config": {"ipv4.address": "10.10.0.1/16",
                            "ipv4.nat": "true", "ipv6.address": "none"},
                 "used_by": net_used, "locations": ["none"],
                 "project": "default"}]
    pools = [{"name": "default", "description": "", "driver": "dir",
              "status": "Created",
              "config": {"source": "/var/lib/lxd/storage-pools/default"},
              "used_by": pool_used, "locations": ["none"]}]

    def dump(name, md):
        with open(os.path.join(out, name), "w") as f:
            json.dump({"type": "sync", "status": "Success",
                       "status_code": 200, "operation": "",
                       "error_code": 0, "error": "", "metadata": md}, f,
                      separators=(",", ":"))

    dump("instances.json", instances)
    dump("profiles.json", list(profiles.values()))
    dump("projects.json", proj)
    dump("networks.json", networks)
    dump("network-acls.json", [])
    dump("storage-pools.json", pools)
    dump("operations.json", {})


if __name__ == "__main__":
    main()
