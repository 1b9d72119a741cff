#!/usr/bin/env python3
"""A receiver for the http emitter's tests.

    http-receiver.py --dir DIR [--fail N]

Listens on a free port of 127.0.0.1 and writes it to DIR/port once it
listens. Each POST is kept as DIR/N.body with its Content-Type in
DIR/N.type (N counts from 1); the first --fail POSTs are answered 503
(and still kept, as N.failed), to exercise the emitter's retries.
"""
import argparse
import http.server
import os
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--fail", type=int, default=0)
args = ap.parse_args()
lock = threading.Lock()
count = {"n": 0, "failed": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            if count["failed"] < args.fail:
                count["failed"] += 1
                with open(os.path.join(args.dir, "%d.failed" % count["failed"]), "wb") as f:
                    f.write(body)
                self.send_response(503)
                self.end_headers()
                return
            count["n"] += 1
            n = count["n"]
        with open(os.path.join(args.dir, "%d.type" % n), "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        with open(os.path.join(args.dir, "%d.body" % n), "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errors":false}')

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = os.path.join(args.dir, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, os.path.join(args.dir, "port"))
server.serve_forever()
