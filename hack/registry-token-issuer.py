#!/usr/bin/env python3
"""A token issuer for docker-registry's `auth: token` mode (hack/registry).

    registry-token-issuer.py --key KEY.pem --cert CERT.pem --users FILE
                             --port-file FILE [--issuer ISS] [--service SVC]

Listens on 127.0.0.1 (a free port, written to --port-file once listening)
and answers the Docker token protocol:

    GET  /token?service=SVC&scope=repository:NAME:pull,push[&scope=...]
    POST /token   (OAuth2 form: grant_type=password, username, password,
                   service, scope)

with {"token": JWT, "access_token": JWT, "expires_in": 300, "issued_at": ...}.

Who gets what (the grant is the intersection with what was asked for):
  - a user of --users (lines "user:password"), by Basic auth: pull, push
    and delete on every repository, and registry:catalog:*;
  - anonymous (no Authorization): pull on repositories under public/ only;
  - wrong credentials: 401 with a Basic challenge, no token.

The JWT is RS256, signed by `openssl dgst -sha256 -sign KEY` (the standard
library has no RSA), and its header carries x5c (the signing certificate,
which is the registry's rootcertbundle) and kid (libtrust's key id of the
same public key); distribution 2.8 checks x5c first. Standard library only.
"""
import argparse
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TTL = 300


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def pem_to_der(path):
    r = subprocess.run(["openssl", "x509", "-in", path, "-outform", "DER"],
                       check=True, capture_output=True)
    return r.stdout


def libtrust_kid(cert):
    """libtrust's KeyID: base32 of the first 240 bits of sha256(DER SPKI), in groups of 4."""
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-pubkey"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         check=True, capture_output=True).stdout
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


class Issuer:
    def __init__(self, args):
        self.key = args.key
        self.issuer = args.issuer
        self.service = args.service
        self.users = {}
        with open(args.users) as f:
            for line in f:
                line = line.rstrip("\n")
                if ":" in line:
                    u, p = line.split(":", 1)
                    self.users[u] = p
        self.header = {
            "typ": "JWT",
            "alg": "RS256",
            "x5c": [base64.b64encode(pem_to_der(args.cert)).decode()],
            "kid": libtrust_kid(args.cert),
        }

    def sign(self, data):
        r = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=data,
                           check=True, capture_output=True)
        return r.stdout

    def grant(self, user, scopes):
        access = []
        for scope in scopes:
            # TYPE:NAME:ACTIONS; NAME may hold a port-less host but no colon
            # except in a type like "repository(plugin)", so split from both ends.
            typ, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if not typ or not name:
                continue
            asked = [a for a in actions.split(",") if a]
            if user is not None:
                if typ == "repository":
                    allowed = {"pull", "push", "delete"}
                elif typ == "registry" and name == "catalog":
                    allowed = {"*"}
                else:
                    allowed = set()
            elif typ == "repository" and name.startswith("public/"):
                allowed = {"pull"}
            else:
                allowed = set()
            got = [a for a in asked if a in allowed]
            # A scope asked for and refused is left out, not an error: the
            # registry then answers 401 insufficient_scope (the protocol's way).
            if got:
                access.append({"type": typ, "name": name, "actions": got})
        return access

    def token(self, user, scopes, service):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user or "",
            "aud": service,
            "exp": now + TTL,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": self.grant(user, scopes),
        }
        signing_input = (b64url(json.dumps(self.header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        jwt = signing_input + "." + b64url(self.sign(signing_input.encode()))
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return {"token": jwt, "access_token": jwt, "expires_in": TTL, "issued_at": issued}, claims


class Handler(BaseHTTPRequestHandler):
    server_version = "ctrgit-token-issuer/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), fmt % args))

    def reply(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def unauthorized(self, why):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": why}]},
                   [("WWW-Authenticate", 'Basic realm="ctrgit-token"')])

    def authenticate(self, user, password):
        """(ok, user): ok False means wrong credentials."""
        iss = self.server.issuer
        if user is None:
            return True, None
        want = iss.users.get(user)
        if want is None or not secrets.compare_digest(want.encode(), password.encode()):
            return False, None
        return True, user

    def basic(self):
        h = self.headers.get("Authorization")
        if not h:
            return None, None
        kind, _, val = h.partition(" ")
        if kind.lower() != "basic":
            return "", ""  # something we do not accept: refused like a wrong password
        try:
            u, _, p = base64.b64decode(val.strip(), validate=True).decode().partition(":")
        except Exception:
            return "", ""
        return u, p

    def issue(self, user, password, service, scopes):
        iss = self.server.issuer
        if service and service != iss.service:
            return self.reply(400, {"errors": [{"code": "DENIED",
                                                "message": "unknown service %r" % service}]})
        ok, who = self.authenticate(user, password)
        if not ok:
            return self.unauthorized("invalid username or password")
        body, claims = iss.token(who, scopes, service or iss.service)
        self.log_message("token for %s: %s", who or "anonymous",
                         json.dumps(claims["access"], separators=(",", ":")))
        self.reply(200, body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": u.path}]})
        q = urllib.parse.parse_qs(u.query)
        user, password = self.basic()
        self.issue(user, password, q.get("service", [""])[0],
                   [s for v in q.get("scope", []) for s in v.split(" ") if s])

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode()) if n else {}
        if u.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": u.path}]})
        grant = form.get("grant_type", [""])[0]
        if grant != "password":
            return self.reply(400, {"error": "unsupported_grant_type"})
        user = form.get("username", [None])[0]
        password = form.get("password", [""])[0]
        self.issue(user, password, form.get("service", [""])[0],
                   [s for v in form.get("scope", []) for s in v.split(" ") if s])


def main():
    ap = argparse.ArgumentParser(description="token issuer for docker-registry (hack/registry)")
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--issuer", default="ctrgit-issuer")
    ap.add_argument("--service", default="ctrgit-registry")
    args = ap.parse_args()

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.issuer = Issuer(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
