#!/usr/bin/env python3
"""A slow TCP relay in front of a registry, for the tests of resumed pulls.

    registry-proxy.py --upstream 127.0.0.1:PORT --port-file F --log L [--rate BYTES_PER_S]

Listens on a free port of 127.0.0.1 (written to --port-file once it listens)
and relays every connection to --upstream byte for byte. It reads the
requests going up just enough to log them, one line each:

    REQ METHOD PATH range=RANGE|-
    SENT PATH BYTES          every MiB relayed down for that request
    UPSTREAM-DOWN            a connection the upstream refused

Responses to requests without a Range header go down at --rate (so a test
can kill the registry while a blob is half sent); a request with a Range
(a resumed download) goes at full speed, which keeps the test short. When
the upstream closes, the relay passes on what it has and closes too: to the
client it looks like the registry itself went away. It never rewrites a
byte, so digests and the registry's own answers are untouched.
"""

import argparse
import os
import socket
import sys
import threading
import time

MIB = 1 << 20


class Conn:
    def __init__(self, log, rate):
        self.log = log
        self.rate = rate
        self.path = "-"
        self.throttle = True
        self.sent = 0


def log_line(log, lock, text):
    with lock:
        log.write(text + "\n")
        log.flush()


def pump_up(client, upstream, conn, log, lock):
    """Client to registry: logs each request line and its Range header."""
    buf = b""
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            upstream.sendall(data)
            buf += data
            # GET requests carry no body: every request is a header block.
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                rng = "-"
                for h in lines[1:]:
                    name, _, value = h.partition(":")
                    if name.strip().lower() == "range":
                        rng = value.strip()
                conn.path = parts[1] if len(parts) > 1 else "-"
                conn.throttle = rng == "-"
                conn.sent = 0
                log_line(log, lock, "REQ %s %s range=%s" % (parts[0], conn.path, rng))
                if len(buf) > 1 << 20:
                    buf = b""   # a request body (push): nothing to log in it
    except OSError:
        pass
    finally:
        for s in (upstream, client):
            try:
                s.shutdown(socket.SHUT_WR if s is upstream else socket.SHUT_RD)
            except OSError:
                pass


def pump_down(upstream, client, conn, log, lock):
    """Registry to client, at conn.rate unless the request had a Range."""
    try:
        while True:
            data = upstream.recv(16384)
            if not data:
                break
            client.sendall(data)
            before = conn.sent
            conn.sent += len(data)
            if before // MIB != conn.sent // MIB:
                log_line(log, lock, "SENT %s %d" % (conn.path, conn.sent))
            if conn.throttle and conn.rate:
                time.sleep(len(data) / conn.rate)
    except OSError:
        pass
    finally:
        # The registry is gone: so is the connection, as the client sees it.
        # shutdown, not only close: pump_up still blocks in recv on client,
        # and a close alone would leave the connection open until it returns.
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def serve(client, up_addr, rate, log, lock):
    try:
        upstream = socket.create_connection(up_addr, timeout=5)
        upstream.settimeout(None)
    except OSError:
        log_line(log, lock, "UPSTREAM-DOWN")
        client.close()
        return
    conn = Conn(log, rate)
    threading.Thread(target=pump_up, args=(client, upstream, conn, log, lock), daemon=True).start()
    pump_down(upstream, client, conn, log, lock)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rate", type=float, default=4 * MIB)
    a = ap.parse_args()
    host, _, port = a.upstream.rpartition(":")
    up_addr = (host, int(port))
    log = open(a.log, "a")
    lock = threading.Lock()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, up_addr, a.rate, log, lock), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
