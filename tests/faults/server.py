#!/usr/bin/env python3
"""server.py - a fake LXD API on a unix socket that replays recorded
answers and injects faults into chosen endpoints.

    server.py --socket S --data tests/faults/replay \
        --fault /1.0/certificates=500 --fault /1.0/networks=endless

The data directory holds one file per kind of object, named as a saved
state (server.json for GET /1.0, instances.json, profiles.json, ...), each
a full API answer or its metadata; profiles@P.json and networks@P.json
answer for project P (other projects get an empty list). A kind without a
file answers an empty list; an unknown path answers LXD's 404.

A fault applies to every request whose path (without the query) is the
one named. Faults:

  500, 503, ...   an LXD error envelope with that HTTP status
  badjson         a 200 whose body is not valid JSON
  truncated       Content-Length promises more than is sent, then close
  endless         a 200 body that trickles forever and never completes
  hang            the request is read and never answered
  reset           the connection is reset (RST) instead of an answer
  envelope        a 200 whose JSON is a sync envelope without metadata
  huge[:MB]       metadata [[],[],...] of MB megabytes (default 32)
  deep[:N]        metadata nested N arrays deep (default 1000)
  longname[:MB]   the first item's name is a string of MB megabytes
                  (default 50)

Every request is logged to --log (one "METHOD PATH" line) when given.
Python 3 standard library only.
"""

import argparse
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

KINDS = {
    "/1.0": "server",
    "/1.0/projects": "projects",
    "/1.0/instances": "instances",
    "/1.0/profiles": "profiles",
    "/1.0/networks": "networks",
    "/1.0/network-acls": "network-acls",
    "/1.0/storage-pools": "storage-pools",
    "/1.0/certificates": "certificates",
    "/1.0/operations": "operations",
    "/1.0/auth/identities": "identities",
    "/1.0/auth/groups": "auth-groups",
    "/1.0/cluster/members": "cluster-members",
}
PER_PROJECT = {"profiles", "networks", "network-acls"}


def envelope(metadata):
    return {"type": "sync", "status": "Success", "status_code": 200,
            "operation": "", "error_code": 0, "error": "",
            "metadata": metadata}


def error_envelope(code, text):
    return {"type": "error", "status": "", "status_code": 0,
            "operation": "", "error_code": code, "error": text,
            "metadata": None}


class Replay:
    def __init__(self, data):
        self.data = data

    def load(self, name):
        path = os.path.join(self.data, name + ".json")
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            j = json.load(f)
        if isinstance(j, dict) and "type" in j and "metadata" in j:
            return j
        return envelope(j)

    def answer(self, path, query):
        kind = KINDS.get(path)
        if kind is None:
            return 404, error_envelope(404, "not found")
        project = query.get("project", ["default"])[0]
        if kind in PER_PROJECT and project != "default":
            j = self.load("%s@%s" % (kind, project))
        else:
            j = self.load(kind)
        if j is None:
            j = envelope([] if kind != "server" else {})
        return 200, j


def huge_body(mb):
    n = max(1, mb * 1000 * 1000 // 3)
    return (b'{"type":"sync","status":"Success","status_code":200,'
            b'"operation":"","error_code":0,"error":"","metadata":['
            + b"[]," * (n - 1) + b"[]]}")


def deep_body(n):
    return (b'{"type":"sync","status":"Success","status_code":200,'
            b'"operation":"","error_code":0,"error":"","metadata":'
            + b"[" * n + b"]" * n + b"}")


def longname_body(mb):
    name = b"a" * (mb * 1000 * 1000)
    return (b'{"type":"sync","status":"Success","status_code":200,'
            b'"operation":"","error_code":0,"error":"","metadata":'
            b'[{"name":"' + name + b'","project":"default",'
            b'"type":"container","status":"Running","config":{},'
            b'"expanded_config":{},"devices":{},"expanded_devices":{},'
            b'"profiles":[]}]}')


class Handler(socketserver.BaseRequestHandler):
    def read_request(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.request.recv(65536)
            if not chunk:
                return None
            buf += chunk
            if len(buf) > 1 << 20:
                return None
        head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        line = head.split("\r\n", 1)[0]
        parts = line.split(" ")
        if len(parts) < 2:
            return None
        return parts[0], parts[1]

    def send(self, code, body, ctype="application/json", length=None):
        reason = {200: "OK", 404: "Not Found"}.get(code, "Error")
        if length is None:
            length = len(body)
        head = ("HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n"
                % (code, reason, ctype, length)).encode()
        self.request.sendall(head + body)

    def handle(self):
        srv = self.server
        req = self.read_request()
        if req is None:
            return
        method, target = req
        url = urllib.parse.urlsplit(target)
        path = url.path.rstrip("/") or "/"
        query = urllib.parse.parse_qs(url.query)
        if srv.log:
            with srv.lock:
                srv.log.write("%s %s\n" % (method, target))
                srv.log.flush()
        fault = srv.faults.get(path)
        try:
            self.serve(method, path, query, fault)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def serve(self, method, path, query, fault):
        srv = self.server
        if fault is None:
            code, j = srv.replay.answer(path, query)
            self.send(code, json.dumps(j).encode())
            return
        kind, _, arg = fault.partition(":")
        if kind.isdigit():
            code = int(kind)
            self.send(code, json.dumps(error_envelope(
                code, "injected failure")).encode())
        elif kind == "badjson":
            self.send(200, b'{"type":"sync","metadata":[{"name":"x",]')
        elif kind == "truncated":
            code, j = srv.replay.answer(path, query)
            body = json.dumps(j).encode()
            self.send(200, body[: len(body) // 2], length=len(body))
        elif kind == "endless":
            self.request.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\n\r\n"
                b'{"type":"sync","metadata":[')
            while not srv.stopping.is_set():
                self.request.sendall(b" " * 64)
                time.sleep(0.05)
        elif kind == "hang":
            srv.stopping.wait()
        elif kind == "reset":
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
            self.request.close()
        elif kind == "envelope":
            self.send(200, b'{"type":"sync","status":"Success",'
                      b'"status_code":200}')
        elif kind == "huge":
            self.send(200, huge_body(int(arg or 32)))
        elif kind == "deep":
            self.send(200, deep_body(int(arg or 1000)))
        elif kind == "longname":
            self.send(200, longname_body(int(arg or 50)))
        else:
            raise SystemExit("unknown fault '%s'" % fault)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


FAULTS = ("badjson", "truncated", "endless", "hang", "reset", "envelope",
          "huge", "deep", "longname")


def parse_fault(text):
    path, sep, fault = text.partition("=")
    kind = fault.partition(":")[0]
    if not sep or not path.startswith("/1.0") or not (
            kind in FAULTS or (kind.isdigit() and 400 <= int(kind) <= 599)):
        raise argparse.ArgumentTypeError(
            "expected PATH=FAULT with FAULT one of 4xx/5xx, %s"
            % ", ".join(FAULTS))
    return path.rstrip("/") or "/", fault


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--fault", action="append", default=[], type=parse_fault)
    ap.add_argument("--log")
    a = ap.parse_args()

    if os.path.exists(a.socket):
        os.unlink(a.socket)
    srv = Server(a.socket, Handler)
    srv.replay = Replay(a.data)
    srv.faults = dict(a.fault)
    srv.log = open(a.log, "a") if a.log else None
    srv.lock = threading.Lock()
    srv.stopping = threading.Event()

    def stop(signum, frame):
        srv.stopping.set()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
        os.unlink(a.socket)


if __name__ == "__main__":
    sys.exit(main())
