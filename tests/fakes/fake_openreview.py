#!/usr/bin/env python3
"""A fake OpenReview API v2 for tests, on 127.0.0.1.

Serves the notes of a fixture (an API v2 notes response, e.g.
tests/fixtures/venues/openreview/iclr2023.notes.json) the way api2.openreview.net does:

  GET /notes?content.venueid=<id>&offset=<k>&limit=<n>
      {"notes": [the notes whose content.venueid is <id>, from k, at most n], "count": <all of
      them>}; limit defaults to 1000 and is capped at `max_limit`; offset defaults to 0.
      Any other path is a 404 with OpenReview's JSON error shape.

Admin (not OpenReview): POST /_admin/scenario (JSON, replaces the scenario), GET /_admin/log.

The scenario holds:
  {"with_count": true,       false leaves "count" out of every page
   "max_limit": 1000,        the most notes one page holds, whatever `limit` asks
   "faults": [{"kind": "429", "after": 1, "count": 1, "retry_after": "2"}]}
Fault kinds: 429, 500, 503, 400, 403 (with Retry-After when given), reset (the connection is
reset without a reply), malformed (HTTP 200 with the page's JSON cut in half). A fault applies to
the `count` (default 1; 0 = every) /notes requests after skipping `after` of them (default 0).

Every request is appended to --log as a JSON line {"t": monotonic seconds when it arrived,
"target", "status", "fault"} so tests can check how many requests were made and their spacing.

Usage: fake_openreview.py --fixture FILE [--port 0] [--log FILE]
Prints "PORT <n>" on stdout once listening.
"""

import argparse
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, args):
        self.args = args
        with open(args.fixture, encoding="utf-8") as f:
            self.notes = json.load(f)["notes"]
        self.lock = threading.Lock()
        self.scenario = {}
        self.notes_requests = 0  # /notes requests so far (faults count them)

    def log(self, entry):
        if not self.args.log:
            return
        with self.lock, open(self.args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def fault_for(self, index):
        """The fault that applies to the index-th /notes request (0-based), or None."""
        for fault in self.scenario.get("faults", []):
            after = int(fault.get("after", 0))
            count = int(fault.get("count", 1))
            if index >= after and (count == 0 or index < after + count):
                return fault
        return None


def notes_page(state, query):
    q = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    venue = q.get("content.venueid", "")
    try:
        offset = int(q.get("offset", "0"))
        limit = int(q.get("limit", "1000"))
    except ValueError:
        return 400, {"name": "ValidationError", "message": "offset and limit must be integers"}
    if offset < 0 or limit < 1:
        return 400, {"name": "ValidationError", "message": "offset >= 0 and limit >= 1"}
    limit = min(limit, int(state.scenario.get("max_limit", 1000)))
    match = [n for n in state.notes
             if n.get("content", {}).get("venueid", {}).get("value") == venue]
    page = {"notes": match[offset:offset + limit]}
    if state.scenario.get("with_count", True):
        page["count"] = len(match)
    return 200, page


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        if self.path != "/_admin/scenario":
            return self.reply(404, b'{"name": "NotFoundError"}')
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.state.lock:
            self.server.state.scenario = json.loads(body or b"{}")
        self.reply(200, b"{}")

    def do_GET(self):
        arrived = time.monotonic()
        state = self.server.state
        split = urllib.parse.urlsplit(self.path)
        if split.path == "/_admin/log":
            data = b""
            if state.args.log:
                with state.lock, open(state.args.log, "rb") as f:
                    data = f.read()
            return self.reply(200, data, "application/x-ndjson")
        if split.path != "/notes":
            self.reply(404, b'{"name": "NotFoundError", "message": "no such path"}')
            return state.log({"t": arrived, "target": self.path, "status": 404, "fault": None})
        with state.lock:
            index = state.notes_requests
            state.notes_requests += 1
            fault = state.fault_for(index)
        status, page = notes_page(state, split.query)
        body = json.dumps(page).encode()
        kind = str(fault["kind"]) if fault else None
        if kind is None:
            self.reply(status, body)
        elif kind in ("429", "500", "503", "400", "403"):
            headers = {}
            if fault.get("retry_after") is not None:
                headers["Retry-After"] = str(fault["retry_after"])
            status = int(kind)
            self.reply(status, json.dumps({"name": "Error", "message": "fault " + kind}).encode(),
                       headers=headers)
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            status = 0
        elif kind == "malformed":
            self.reply(200, body[:len(body) // 2])
        state.log({"t": arrived, "target": self.path, "status": status, "fault": kind})

    def reply(self, status, body, ctype="application/json; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description="fake OpenReview API v2 for tests")
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    args = ap.parse_args()
    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
