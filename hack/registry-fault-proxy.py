#!/usr/bin/env python3
"""An HTTP proxy in front of a registry that breaks chunked blob uploads and
blob downloads on purpose, for the tests of ctrgit push's and pull's
recovery (tests/e2e/test-push-faults.sh, test-pull-faults.sh).

    registry-fault-proxy.py --upstream 127.0.0.1:PORT --port-file F --log L
                            [--fail-patch N]... [--drop-patch-response N]...
                            [--chunk-min BYTES] [--cut-blob-get BYTES]
                            [--ignore-range] [--change-blob OFFSET]
                            [--change-first]

Listens on a free port of 127.0.0.1 (written to --port-file once it listens)
and forwards every request to --upstream: method, path, headers (Host as the
client sent it, so the registry's Location URLs point back at the proxy) and
the body (Content-Length bytes); the answer goes back as the registry gave
it (read whole first: the tests' blobs are a few MiB). PATCH requests are
counted from 1, over all connections:

    --fail-patch N           the Nth PATCH is answered 500 and never reaches
                             the registry (repeat it to fail several)
    --drop-patch-response N  the Nth PATCH goes to the registry, which takes
                             the chunk; the client's connection is then
                             closed without an answer
    --chunk-min BYTES        answers to POST .../blobs/uploads/ get the header
                             OCI-Chunk-Min-Length: BYTES

GETs of a blob (.../blobs/sha256:...) are counted per blob:

    --cut-blob-get BYTES     the first GET of a blob longer than BYTES gets
                             its headers (which announce the whole length)
                             and its first BYTES bytes; then the connection
                             is closed, as a connection lost mid-blob
    --ignore-range           GETs of blobs go to the registry without their
                             Range header: it answers 200 and the whole
                             blob, as servers without range support do
    --change-blob OFFSET     every GET of a blob after its first gets the
                             byte at OFFSET of the blob inverted: a registry
                             whose bytes changed between two tries
    --change-first           the first GET instead, and only it: a try that
                             brought bad bytes before the one that is right

One log line per request, once it is answered:

    METHOD PATH CONTENT-RANGE STATUS RANGE

PATH without its query; CONTENT-RANGE the request's header or - (for a GET:
its Range header, as the client sent it); STATUS the registry's status,
FAULT-500 / FAULT-DROP for an injected fault, FAULT-CUT for a cut blob GET,
STATUS-CHANGED (200-CHANGED, FAULT-CUT-CHANGED) for a changed one,
UPSTREAM-ERROR when the registry gave no answer (the client's connection is
then closed), or NOT-HTTP for a request that was not HTTP at all (a TLS
handshake: the other fields are then -); RANGE the registry's Range header or - (for an upload session:
the bytes it holds, "0-N").
"""

import argparse
import http.client
import http.server
import os
import sys
import threading

# not passed on: they describe one connection, not the message
HOP = {"connection", "keep-alive", "transfer-encoding", "expect", "proxy-connection"}


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, and 100-continue for curl's uploads
    cfg = None
    lock = threading.Lock()
    patches = 0
    blob_gets = {}   # path -> GETs so far

    def log_message(self, fmt, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # A request line that is not HTTP (a TLS handshake, say) is logged
        # too, as "- - - NOT-HTTP -", so tests see every connection's try.
        if not getattr(self, "command", None):
            with self.lock:
                self.cfg.log.write("- - - NOT-HTTP -\n")
                self.cfg.log.flush()
        super().send_error(code, message, explain)

    def log(self, status, rng="-"):
        asked = self.headers.get("Range" if self.command == "GET" else "Content-Range", "-")
        line = "%s %s %s %s %s\n" % (self.command, self.path.split("?", 1)[0],
                                      asked, status, rng)
        with self.lock:
            self.cfg.log.write(line)
            self.cfg.log.flush()

    def handle_one(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = None
        blob_get = 0   # this GET's number among its blob's, or 0
        if self.command == "GET" and "/blobs/sha256:" in self.path:
            with self.lock:
                blob_get = Proxy.blob_gets.get(self.path, 0) + 1
                Proxy.blob_gets[self.path] = blob_get
        if self.command == "PATCH":
            with self.lock:
                Proxy.patches += 1
                n = Proxy.patches
            fault = ("500" if n in self.cfg.fail_patch
                     else "DROP" if n in self.cfg.drop_patch_response else None)
        if fault == "500":
            msg = b'{"errors":[{"code":"UNKNOWN","message":"injected by the fault proxy"}]}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return self.log("FAULT-500")
        try:
            resp, data = self.forward(body)
        except (OSError, http.client.HTTPException):
            self.close_connection = True   # the client sees the connection go
            return self.log("UPSTREAM-ERROR")
        if fault == "DROP":
            # the registry has the chunk; the client never hears of it
            self.close_connection = True
            return self.log("FAULT-DROP", resp.getheader("Range", "-"))
        status = resp.status
        cut = blob_get == 1 and self.cfg.cut_blob_get and len(data) > self.cfg.cut_blob_get
        if (blob_get == 1) == self.cfg.change_first and blob_get > 0 \
                and self.cfg.change_blob is not None and resp.status == 200 \
                and len(data) > self.cfg.change_blob:
            data = bytearray(data)
            data[self.cfg.change_blob] ^= 0xFF
            status = "%d-CHANGED" % resp.status
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            # send_response wrote Date and Server; Content-Length is below
            if k.lower() not in HOP | {"content-length", "date", "server"}:
                self.send_header(k, v)
        if (self.cfg.chunk_min and self.command == "POST"
                and self.path.split("?", 1)[0].endswith("/blobs/uploads/")):
            self.send_header("OCI-Chunk-Min-Length", str(self.cfg.chunk_min))
        # HEAD: the registry's length of what a GET would send, and no body
        self.send_header("Content-Length", resp.getheader("Content-Length", "0")
                         if self.command == "HEAD" else str(len(data)))
        self.end_headers()
        if cut:
            self.wfile.write(data[:self.cfg.cut_blob_get])
            self.wfile.flush()
            self.close_connection = True
            return self.log("FAULT-CUT" + ("-CHANGED" if str(status).endswith("CHANGED") else ""))
        try:
            if self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # a client may stop reading on the status line alone (curl, when
            # a server answers a resume's Range with 200): still answered
            self.close_connection = True
        self.log(status, resp.getheader("Range", "-"))

    def forward(self, body):
        """The request to the registry: its response and body."""
        up = http.client.HTTPConnection(self.cfg.host, self.cfg.port, timeout=120)
        try:
            up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            ignore_range = (self.cfg.ignore_range and self.command == "GET"
                            and "/blobs/sha256:" in self.path)
            for k, v in self.headers.items():
                if k.lower() not in HOP and not (ignore_range and k.lower() == "range"):
                    up.putheader(k, v)
            try:
                up.endheaders(body)
            except (BrokenPipeError, ConnectionResetError):
                pass   # it answered before taking the whole body: read that answer
            resp = up.getresponse()
            return resp, resp.read()
        finally:
            up.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-patch", type=int, action="append", default=[])
    ap.add_argument("--drop-patch-response", type=int, action="append", default=[])
    ap.add_argument("--chunk-min", type=int, default=0)
    ap.add_argument("--cut-blob-get", type=int, default=0)
    ap.add_argument("--ignore-range", action="store_true")
    ap.add_argument("--change-blob", type=int, default=None)
    ap.add_argument("--change-first", action="store_true")
    a = ap.parse_args()
    a.host, _, port = a.upstream.rpartition(":")
    a.port = int(port)
    a.log = open(a.log, "a")
    Proxy.cfg = a
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    srv.daemon_threads = True
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
