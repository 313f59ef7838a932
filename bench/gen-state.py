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


def expand(inst, profiles, prof_home, profiles_used=None):
    """Fills an instance's expanded_config and expanded_devices from its
    profiles and its own keys; adds it to the used_by of its profiles
    (those named in profiles_used, when given)."""
    p = inst["project"]
    u = url("instances", inst["name"], p)
    ecfg, edev = {}, {}
    for pr in inst["profiles"]:
        pd = profiles[(prof_home[p], pr)]
        ecfg.update(pd["config"])
        edev.update(pd["devices"])
        if profiles_used is None or pr in profiles_used:
            pd["used_by"].append(u)
    ecfg.update(inst["config"])
    edev.update(inst["devices"])
    inst["expanded_config"] = ecfg
    inst["expanded_devices"] = edev


def build(n):
    """The state of n instances, as lists of each part (and the profiles
    by (project, name), prof_home: where a project's profiles live)."""
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
        inst = {
            "architecture": "x86_64", "config": cfg, "devices": dev,
            "ephemeral": False, "profiles": prof, "stateful": False,
            "description": "", "created_at": "2026-12-01T00:00:00Z",
            "expanded_config": {}, "expanded_devices": {},
            "name": name, "status": "Stopped", "status_code": 102,
            "last_used_at": "1970-01-01T00:00:00Z", "location": "none",
            "type": "container", "project": p}
        expand(inst, profiles, prof_home)
        instances.append(inst)
        u = url("instances", name, p)
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
    return {"projects": projects, "prof_home": prof_home,
            "profiles": profiles, "instances": instances, "proj": proj,
            "networks": networks, "acls": [], "pools": pools,
            "certificates": None}


def write(out, st):
    """Writes st (build()'s parts) as a saved state in out; certificates
    None means the seed's."""
    os.makedirs(out, exist_ok=True)
    files = ["server.json"] + (["certificates.json"]
                               if st["certificates"] is None else [])
    for f in files:
        with open(os.path.join(SEED, f)) as src, \
                open(os.path.join(out, f), "w") as dst:
            dst.write(src.read())

    def dump(name, md):
        with open(os.path.join(out, name), "w") as f:
            json.dump({"type": "sync", "status": "Success",
                       "status_code": 200, "operation": "",
                       "error_code": 0, "error": "", "metadata": md}, f,
                      separators=(",", ":"))

    dump("instances.json", st["instances"])
    dump("profiles.json", list(st["profiles"].values()))
    dump("projects.json", st["proj"])
    dump("networks.json", st["networks"])
    dump("network-acls.json", st["acls"])
    dump("storage-pools.json", st["pools"])
    if st["certificates"] is not None:
        dump("certificates.json", st["certificates"])
    dump("operations.json", {})


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-state.py N DIR")
    write(sys.argv[2], build(int(sys.argv[1])))


if __name__ == "__main__":
    main()
