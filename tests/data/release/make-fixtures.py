#!/usr/bin/env python3
"""Regenerates the release fixtures under tests/data/release/.

usage: make-fixtures.py LXD_GITDIR INCUS_GITDIR

LXD_GITDIR and INCUS_GITDIR are clones (bare is fine) of
https://github.com/canonical/lxd and https://github.com/lxc/incus. The
API extension lists come from the tags named in RELEASES (through
make-extensions.sh); every other field was written by hand after the
structs in shared/api/ and the config tables of the same tag (see
tests/data/README.md). The output is deterministic: run it again after
changing a tag and review the diff.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (directory, product, repo key, tag, api.go path, server_version, lts)
RELEASES = [
    ("lxd-5.21.7", "lxd", "lxd", "lxd-5.21.7", "shared/version/api.go",
     "5.21.7", True),
    ("lxd-6.9", "lxd", "lxd", "lxd-6.9", "shared/version/api.go",
     "6.9", False),
    ("incus-6.0.6", "incus", "incus", "v6.0.6", "internal/version/api.go",
     "6.0.6", True),
    ("incus-7.3", "incus", "incus", "v7.3.0", "internal/version/api.go",
     "7.3", False),
]

# The client certificate (EC P-256, CN good-ec256, valid 2026-2030) shared
# with tests/data/snap/lxd-521; its SHA-256 fingerprint:
CLIENT_FP = "4b8a355043565d88d94d649b8232f5dbb72492cb5f4c7adaa657b553aef850b1"
SERVER_FP = "9d1f0c3b2a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"


def client_pem():
    path = os.path.join(HERE, "..", "snap", "lxd-521", "certificates.json")
    with open(path) as f:
        for c in json.load(f)["metadata"]:
            if c["fingerprint"] == CLIENT_FP:
                return c["certificate"]
    raise SystemExit("no certificate %s in %s" % (CLIENT_FP, path))


def extensions(gitdir, tag, path):
    out = subprocess.run([os.path.join(HERE, "make-extensions.sh"), gitdir,
                          tag, path], check=True, capture_output=True,
                         text=True).stdout
    return out.split()


def envelope(md):
    return {"type": "sync", "status": "Success", "status_code": 200,
            "operation": "", "error_code": 0, "error": "", "metadata": md}


def server(product, version, lts, exts):
    lxd = product == "lxd"
    bridge = "lxdbr0" if lxd else "incusbr0"
    env = {
        "addresses": ["192.0.2.10:8443"],
        "architectures": ["x86_64", "i686"],
        "certificate": "-----BEGIN CERTIFICATE-----\n(server certificate "
                       "not kept)\n-----END CERTIFICATE-----\n",
        "certificate_fingerprint": SERVER_FP,
        "driver": "lxc | qemu",
        "driver_version": "6.0.4 | 9.1.0" if lxd else "6.0.4 | 9.2.1",
        "firewall": "nftables",
        "kernel": "Linux",
        "kernel_architecture": "x86_64",
        "kernel_features": {"idmapped_mounts": "true",
                            "netnsid_getifaddrs": "true",
                            "seccomp_listener": "true",
                            "seccomp_listener_continue": "true",
                            "uevent_injection": "true",
                            "unpriv_binfmt": "true",
                            "unpriv_fscaps": "true"},
        "kernel_version": "6.8.0-60-generic",
        "lxc_features": {"cgroup2": "true", "core_scheduling": "true",
                         "devpts_fd": "true", "idmapped_mounts_v2": "true",
                         "mount_injection_file": "true",
                         "network_gateway_device_route": "true",
                         "network_ipvlan": "true", "network_l2proxy": "true",
                         "network_phys_macvlan_mtu": "true",
                         "network_veth_router": "true", "pidfd": "true",
                         "seccomp_allow_deny_syntax": "true",
                         "seccomp_notify": "true",
                         "seccomp_proxy_send_notify_fd": "true"},
        "os_name": "Ubuntu",
        "os_version": "24.04",
        "project": "default",
        "server": product,
        "server_clustered": False,
        "server_event_mode": "full-mesh",
        "server_name": "host1",
        "server_pid": 1234,
        "server_version": version,
        "storage": "dir",
        "storage_version": "1",
        "storage_supported_drivers": [
            {"Name": "dir", "Version": "1", "Remote": False},
            {"Name": "zfs", "Version": "2.2.2-0ubuntu9", "Remote": False},
        ],
    }
    if lxd:
        # LXD only: server_lts (server_version_lts), instance_types and
        # backup_metadata_version_range.
        env["server_lts"] = lts
        env["instance_types"] = ["container", "virtual-machine"]
        env["backup_metadata_version_range"] = [1, 2]
    auth_methods = ["tls"]
    if lxd and "auth_bearer" in exts:
        auth_methods.append("bearer")
    md = {
        "config": {"core.https_address": "192.0.2.10:8443",
                   "images.auto_update_interval": "6"},
        "api_extensions": exts,
        "api_status": "stable",
        "api_version": "1.0",
        "auth": "trusted",
        "public": False,
        "auth_methods": auth_methods,
        "auth_user_name": "root",
        "auth_user_method": "unix",
        "environment": env,
    }
    if lxd:
        md["client_certificate"] = False
    return md, bridge


def fixtures(product, version, lts, exts):
    lxd = product == "lxd"
    srv, bridge = server(product, version, lts, exts)
    files = {"server": srv}
    feats = {"features.images": "true", "features.networks": "true",
             "features.networks.zones": "true",
             "features.profiles": "true",
             "features.storage.buckets": "true",
             "features.storage.volumes": "true"}
    default = {"name": "default", "description": "Default %s project"
               % ("LXD" if lxd else "Incus"), "config": feats,
               "used_by": ["/1.0/instances/c1", "/1.0/profiles/default"]}
    if lxd and "project_replica_mode" in exts:
        default["replica_mode"] = ""
    files["projects"] = [default]
    devices = {"eth0": {"name": "eth0", "network": bridge, "type": "nic"},
               "root": {"path": "/", "pool": "default", "type": "disk"}}
    inst = {"name": "c1", "description": "", "status": "Running",
            "status_code": 103, "created_at": "2026-10-01T09:00:00Z",
            "last_used_at": "2026-11-27T08:00:00Z", "location": "none",
            "type": "container", "project": "default",
            "architecture": "x86_64", "ephemeral": False,
            "stateful": False, "profiles": ["default"],
            "config": {"image.architecture": "amd64",
                       "image.description": "Ubuntu noble amd64",
                       "image.os": "Ubuntu", "image.release": "noble",
                       "volatile.base_image": "3f1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
                       "volatile.idmap.base": "0",
                       "volatile.last_state.power": "RUNNING"},
            "devices": {},
            "expanded_config": {},
            "expanded_devices": devices}
    inst["expanded_config"] = dict(inst["config"])
    if not lxd:
        inst["disk_only"] = False
    files["instances"] = [inst]
    files["profiles"] = [{"name": "default",
                          "description": "Default %s profile"
                          % ("LXD" if lxd else "Incus"),
                          "config": {}, "devices": devices,
                          "used_by": ["/1.0/instances/c1"],
                          "project": "default"}]
    files["networks"] = [
        {"name": bridge, "description": "", "type": "bridge",
         "managed": True, "status": "Created",
         "config": {"ipv4.address": "10.128.7.1/24", "ipv4.nat": "true",
                    "ipv6.address": "fd42:1:2:3::1/64", "ipv6.nat": "true"},
         "used_by": ["/1.0/profiles/default"], "locations": ["none"],
         "project": "default"},
        {"name": "eth0", "description": "", "type": "physical",
         "managed": False, "status": "", "config": {}, "used_by": [],
         "locations": [], "project": "default"},
    ]
    files["network-acls"] = []
    files["storage-pools"] = [
        {"name": "default", "description": "", "driver": "dir",
         "status": "Created",
         "config": {"source": ("/var/snap/lxd/common/lxd/storage-pools/"
                               "default" if lxd else
                               "/var/lib/incus/storage-pools/default")},
         "used_by": ["/1.0/instances/c1", "/1.0/profiles/default"],
         "locations": ["none"]}]
    cert = {"name": "admin-laptop", "type": "client", "restricted": False,
            "projects": [], "certificate": client_pem(),
            "fingerprint": CLIENT_FP}
    if not lxd:
        cert["description"] = ""
    files["certificates"] = [cert]
    files["operations"] = {}
    if lxd:
        files["identities"] = [
            {"authentication_method": "tls",
             "type": "Client certificate (unrestricted)",
             "id": CLIENT_FP, "name": "admin-laptop", "groups": [],
             "tls_certificate": client_pem()}]
        files["auth-groups"] = [
            {"name": "viewers", "description": "Read-only access",
             "permissions": [{"entity_type": "server", "url": "/1.0",
                              "entitlement": "viewer"}],
             "identities": {}, "identity_provider_groups": []}]
    return files


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    repos = {"lxd": sys.argv[1], "incus": sys.argv[2]}
    for d, product, repo, tag, path, version, lts in RELEASES:
        exts = extensions(repos[repo], tag, path)
        out = os.path.join(HERE, d)
        os.makedirs(out, exist_ok=True)
        for name, md in fixtures(product, version, lts, exts).items():
            with open(os.path.join(out, name + ".json"), "w") as f:
                json.dump(envelope(md), f, indent=2, sort_keys=True)
                f.write("\n")
        print("%s: %s %s, %d API extensions" % (d, repo, tag, len(exts)))


if __name__ == "__main__":
    main()
