#!/usr/bin/env python3
"""Writes hostile OCI image layouts, one per case, for ctrgit's import tests.

    hostile.py [--force] DIR [CASE...]

Each case is a complete OCI image layout in DIR/<case>/ (oci-layout,
index.json, blobs/sha256/...) with a tag "v1", in which only the named defect
is wrong: every other digest, size and diff_id is correct. Output is
deterministic (fixed mtimes, gzip header without time or name), so the blob
digests are the same on every machine and run. A case whose directory exists
is left alone unless --force is given.

Also writes DIR/CASES (case names, one a line) and DIR/CASES.tsv
(name, verdict, what the fixture holds). Verdicts:
  legal           import must succeed and give the tree the description says
  reject          import must fail with an error naming the defect
  contain         import may fail or succeed, but nothing may be written
                  outside the store, and no path in it may leave the image root
  no-materialise  import succeeds; the nodes are recorded, never created
  either          supported (correct result) or rejected with a clear error
Python's tarfile writes every layer it can express; the GNU sparse header is
crafted by hand, and the 4 GiB layer is streamed without a 4 GiB file.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zlib

MTIME = 1700000000          # fixed so the fixtures are byte-for-byte stable
CREATED = "2023-11-14T22:13:20Z"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def gzip_bytes(data, level=6):
    # wbits=31: a gzip wrapper with MTIME 0 and no file name, so it is stable.
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def gzip_stored(data):
    """gzip with deflate level 0 (stored blocks): the size depends only on the
    length of data, so two equal-length inputs give equal-size blobs."""
    return gzip_bytes(data, level=0)


# --- tar layers -------------------------------------------------------------

class Layer:
    """A tar stream built entry by entry with tarfile (PAX format)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, type_, mode, uid=0, gid=0):
        ti = tarfile.TarInfo(name)   # TarInfo keeps the name as given: no "/" stripping
        ti.type = type_
        ti.mode = mode
        ti.uid, ti.gid = uid, gid
        ti.uname = ti.gname = ""
        ti.mtime = MTIME
        return ti

    def dir(self, name, mode=0o755):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode))
        return self

    def file(self, name, content, mode=0o644, uid=0, gid=0, xattrs=None):
        if isinstance(content, str):
            content = content.encode()
        ti = self._info(name, tarfile.REGTYPE, mode, uid, gid)
        ti.size = len(content)
        if xattrs:
            ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
        self.tar.addfile(ti, io.BytesIO(content))
        return self

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.tar.addfile(ti)
        return self

    def device(self, name, type_, major=0, minor=0, mode=0o666):
        ti = self._info(name, type_, mode)
        ti.devmajor, ti.devminor = major, minor
        self.tar.addfile(ti)
        return self

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def octal(n, width):
    """A tar numeric field: zero-padded octal, NUL-terminated."""
    s = b"%0*o" % (width - 1, n)
    if len(s) != width - 1:
        raise ValueError("%d does not fit in %d octal digits" % (n, width - 1))
    return s + b"\0"


def gnu_sparse_tar():
    """One old-GNU sparse entry (typeflag 'S'), as GNU tar writes with
    --sparse --format=gnu: a 1 MiB file with 512 bytes of 'A' at offset 0 and
    512 bytes of 'B' at its end; 1024 bytes are stored in the archive."""
    real_size = 1 << 20
    chunks = [(0, b"A" * 512), (real_size - 512, b"B" * 512)]
    stored = b"".join(d for _, d in chunks)
    h = bytearray(512)

    def put(off, b):
        h[off:off + len(b)] = b
    put(0, b"sparse-file")
    put(100, octal(0o644, 8))
    put(108, octal(0, 8))
    put(116, octal(0, 8))
    put(124, octal(len(stored), 12))     # size: bytes stored, not the real size
    put(136, octal(MTIME, 12))
    put(156, b"S")
    put(257, b"ustar  \0")               # old GNU magic+version
    put(265, b"root")
    put(297, b"root")
    off = 386                             # struct sparse sp[4]: offset[12] numbytes[12]
    for o, d in chunks:
        put(off, octal(o, 12))
        put(off + 12, octal(len(d), 12))
        off += 24
    put(482, b"\0")                       # isextended: no continuation headers
    put(483, octal(real_size, 12))        # realsize
    put(148, b" " * 8)
    put(148, b"%06o\0 " % sum(h))
    data = stored + b"\0" * (-len(stored) % 512)
    return bytes(h) + data + b"\0" * 1024


# --- layouts ----------------------------------------------------------------

class Layout:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"))
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob_path(self, digest):
        return os.path.join(self.path, "blobs", "sha256", digest.split(":", 1)[1])

    def put(self, data, digest=None):
        """Stores data under its digest (or, for hostile cases, another one)."""
        digest = digest or sha256(data)
        with open(self.blob_path(digest), "wb") as f:
            f.write(data)
        return {"digest": digest, "size": len(data)}

    def index(self, manifest_desc, media_type=MT_MANIFEST):
        idx = {
            "schemaVersion": 2,
            "mediaType": MT_INDEX,
            "manifests": [dict(mediaType=media_type, **manifest_desc,
                               annotations={"org.opencontainers.image.ref.name": "v1"})],
        }
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(idx, f, indent=2)


def config_json(diff_ids, labels=None):
    cfg = {
        "created": CREATED,
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": CREATED, "created_by": "hostile.py layer %d" % i}
                    for i in range(len(diff_ids))],
    }
    if labels:
        cfg["config"]["Labels"] = labels
    return cfg


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def image(path, tars, *, gz=None, config=None, config_bytes=None,
          manifest_edit=None, manifest_raw=None, media_type=MT_MANIFEST):
    """Writes a one-tag layout. tars: uncompressed layer tars. Hooks let a
    case replace exactly one piece:
      gz(tar) -> (blob bytes, digest to store it under, or None for its own)
      config(diff_ids) -> config dict;  config_bytes: raw config JSON
      manifest_edit(dict) mutates the manifest; manifest_raw(bytes) -> bytes
    Returns the Layout."""
    lay = Layout(path)
    layers, diff_ids = [], []
    for t in tars:
        diff_ids.append(sha256(t))
        blob, name = gz(t) if gz else (gzip_bytes(t), None)
        layers.append(dict(mediaType=MT_LAYER_GZIP, **lay.put(blob, name)))
    if config_bytes is None:
        config_bytes = canon(config(diff_ids) if config else config_json(diff_ids))
    cdesc = lay.put(config_bytes)
    m = {"schemaVersion": 2, "mediaType": media_type,
         "config": dict(mediaType=MT_CONFIG, **cdesc), "layers": layers}
    if manifest_edit:
        manifest_edit(m)
    mbytes = canon(m)
    if manifest_raw:
        mbytes = manifest_raw(mbytes)
    lay.index(lay.put(mbytes), media_type)
    return lay


def base_layer():
    return (Layer().dir("etc").file("etc/os-release", "ID=hostile\n")
            .file("hello.txt", "hello\n"))


def case_ok(p):
    image(p, [base_layer().bytes()])


def case_traversal_dotdot(p):
    image(p, [Layer().file("ok.txt", "fine\n").file("../../etc/evil", "evil\n").bytes()])


def case_traversal_absolute(p):
    t = Layer().file("ok.txt", "fine\n").file("/etc/evil", "evil\n").bytes()
    assert t[512 + 512:][:10] == b"/etc/evil\0", "tar header lost the leading slash"
    image(p, [t])


def case_symlink_escape(p):
    image(p, [Layer().symlink("evil", "../../../../etc").file("evil/passwd", "evil::0:0::/:/bin/sh\n").bytes()])


def case_symlink_escape_abs(p):
    image(p, [Layer().symlink("evil", "/etc").file("evil/passwd", "evil::0:0::/:/bin/sh\n").bytes()])


def case_hardlink_escape(p):
    image(p, [Layer().file("ok.txt", "fine\n").hardlink("passwd", "../../etc/passwd").bytes()])


def case_hardlink_missing(p):
    image(p, [Layer().file("ok.txt", "fine\n").hardlink("link", "not/in/layer").bytes()])


def case_file_then_dir(p):
    image(p, [Layer().file("a", "a file\n").bytes(),
              Layer().file("a/b", "under a file\n").bytes()])


def case_dir_then_file(p):
    image(p, [Layer().dir("a").file("a/x", "x in dir a\n").bytes(),
              Layer().file("a", "a is a file now\n").bytes()])


def case_whiteout_missing(p):
    image(p, [Layer().file("present", "here\n").bytes(),
              Layer().file(".wh.nothere", "").bytes()])


def case_whiteout_in_base(p):
    image(p, [Layer().file("present", "here\n").file("kept", "kept\n").file(".wh.kept", "")
              .file(".wh.nothere", "").bytes()])


def case_device_over_file(p):
    image(p, [Layer().file("x", "a file first\n").device("x", tarfile.CHRTYPE, 1, 3, 0o666)
              .file("ok.txt", "fine\n").bytes()])


def case_duplicate_entries(p):
    image(p, [Layer().file("dup", "first\n").file("dup", "second, wins\n", mode=0o600).bytes()])


def case_device_nodes(p):
    image(p, [Layer().dir("dev")
              .device("dev/null", tarfile.CHRTYPE, 1, 3, 0o666)
              .device("dev/sda", tarfile.BLKTYPE, 8, 0, 0o660)
              .device("dev/fifo", tarfile.FIFOTYPE, 0, 0, 0o644)
              .file("ok.txt", "fine\n").bytes()])


TAR_BOMB_SIZE = 4 << 30


def case_tar_bomb(p):
    """One regular file 'zeros' of 4 GiB. The deflate stream is a run of
    independently compressed 1 MiB pieces, each ended with a sync flush (byte
    aligned, not final, no references before its start), which the deflate
    format allows to be concatenated; so one compressed piece is repeated
    instead of deflating 4 GiB. CRC32, ISIZE (mod 2^32), digest and diff_id
    are all computed over the real 4 GiB stream."""
    ti = tarfile.TarInfo("zeros")
    ti.size, ti.mode, ti.mtime = TAR_BOMB_SIZE, 0o644, MTIME
    ti.uname = ti.gname = ""
    head = ti.tobuf(format=tarfile.USTAR_FORMAT)   # 4 GiB fits in 11 octal digits
    tail = b"\0" * 1024
    chunk = bytes(1 << 20)

    def piece(data, final=False):
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)

    zpiece = piece(chunk)
    lay = Layout(p)
    tmp = os.path.join(p, "layer.tmp")
    crc, h_tar, h_gz, total = 0, hashlib.sha256(), hashlib.sha256(), 0
    with open(tmp, "wb") as f:
        def out(b):
            f.write(b)
            h_gz.update(b)
        out(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
        for data, z in [(head, piece(head))] + [(chunk, zpiece)] * (TAR_BOMB_SIZE // len(chunk)) \
                + [(tail, piece(tail, final=True))]:
            crc = zlib.crc32(data, crc)
            h_tar.update(data)
            total += len(data)
            out(z)
        out(crc.to_bytes(4, "little") + (total & 0xffffffff).to_bytes(4, "little"))
    digest = "sha256:" + h_gz.hexdigest()
    os.rename(tmp, lay.blob_path(digest))
    ldesc = {"mediaType": MT_LAYER_GZIP, "digest": digest, "size": os.path.getsize(lay.blob_path(digest))}
    cdesc = lay.put(canon(config_json(["sha256:" + h_tar.hexdigest()])))
    m = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
         "config": dict(mediaType=MT_CONFIG, **cdesc), "layers": [ldesc]}
    lay.index(lay.put(canon(m)))


def case_sparse_entry(p):
    t = gnu_sparse_tar()
    m = tarfile.open(fileobj=io.BytesIO(t)).getmember("sparse-file")
    assert m.issparse() and m.size == 1 << 20, "sparse header not understood"
    image(p, [t])


def big_layer():
    """~200 KiB of incompressible, deterministic content in a few files, so a
    cut in the gzip stream lands in the middle of the data."""
    lay = Layer().dir("data")
    for i in range(4):
        lay.file("data/f%d" % i, b"".join(hashlib.sha256(b"%d-%d" % (i, j)).digest()
                                         for j in range(1600)))
    return lay.bytes()


def large_data():
    return b"".join(hashlib.sha256(b"big-%d" % j).digest() for j in range(6 << 15))


def large_file_layer():
    """One 6 MiB file of deterministic, incompressible bytes: larger than the
    size up to which the store hashes files in memory, so it takes the
    streaming path."""
    return Layer().file("large.bin", large_data()).bytes()


def case_large_file(p):
    image(p, [large_file_layer()])


def case_large_twice(p):
    data = large_data()
    lay = (Layer().file("large.bin", data).file("copy.bin", data).file("run.bin", data, mode=0o755)
           .file("other.bin", data[::-1]))
    image(p, [lay.bytes()])


def case_zstd_layer(p):
    def zst(t):
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=t, stdout=subprocess.PIPE,
                              check=True).stdout, None

    def edit(m):
        for layer in m["layers"]:
            layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+zstd"
    image(p, [base_layer().bytes(), large_file_layer()], gz=zst, manifest_edit=edit)


DPKG_V1 = """Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4

Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-10

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9
"""

DPKG_V2 = """Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u4

Package: python3-minimal
Status: install ok installed
Architecture: amd64
Version: 3.11.2-1
"""


def history_v1_layer():
    return (Layer().dir("etc").file("etc/os-release", "ID=history\nVERSION_ID=1\n")
            .dir("var").dir("var/lib").dir("var/lib/dpkg").file("var/lib/dpkg/status", DPKG_V1)
            .dir("opq").file("opq/a", "a\n").file("opq/b", "b\n")
            .file("x.txt", "same bytes\n", xattrs={"user.a": "1"})
            .file("own.txt", "owned\n").symlink("link", "x.txt")
            .file("f2l", "a file first\n").file("keep.txt", "unchanged\n").bytes())


def case_history_v1(p):
    image(p, [history_v1_layer()])


def case_history_v2(p):
    """v1 plus one layer: opaque dir, xattr-only, owner-only and dir-mode-only
    changes, a symlink retarget, a file turned symlink."""
    layer2 = (Layer().dir("etc", mode=0o700).dir("opq").file("opq/.wh..wh..opq", "")
              .file("opq/c", "c\n")
              .file("x.txt", "same bytes\n", xattrs={"user.a": "2"})
              .file("own.txt", "owned\n", uid=1000, gid=1000)
              .symlink("link", "own.txt").symlink("f2l", "x.txt")
              .file("var/lib/dpkg/status", DPKG_V2))
    image(p, [history_v1_layer(), layer2.bytes()])


def case_history_rebuild(p):
    """v1's files again, byte for byte, in a new layer with new mtimes."""
    global MTIME
    saved, MTIME = MTIME, MTIME + 86400
    try:
        image(p, [history_v1_layer()])
    finally:
        MTIME = saved


def case_symlink_dotdot_read(p):
    """Legal: a symlink climbing out of the root; reads resolve it in the image."""
    image(p, [Layer().dir("etc").file("etc/passwd", "root:x:0:0:image passwd:/:/bin/sh\n")
              .symlink("evil", "../../../../../etc/passwd")
              .symlink("abs", "/etc/passwd").bytes()])


APK_V1 = "C:Q1abc=\nP:musl\nV:1.2.4-r1\nA:x86_64\n\nC:Q1def=\nP:busybox\nV:1.36.1-r2\nA:x86_64\n\n"
APK_V2 = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nC:Q1ghi=\nP:curl\nV:8.5.0-r0\nA:x86_64\n\n"


def case_apk_v1(p):
    image(p, [Layer().dir("lib").dir("lib/apk").dir("lib/apk/db")
              .file("lib/apk/db/installed", APK_V1).bytes()])


def case_apk_v2(p):
    image(p, [Layer().dir("lib").dir("lib/apk").dir("lib/apk/db")
              .file("lib/apk/db/installed", APK_V2).bytes()])


def rpm_header(tags):
    """An rpm header blob as rpm stores it in rpmdb.sqlite: il, dl, then
    (tag, type, offset, count) entries, then the data. tags: tag -> str|int."""
    import struct
    index, data = b"", b""
    for tag, value in sorted(tags.items()):
        if isinstance(value, int):
            while len(data) % 4:
                data += b"\0"
            index += struct.pack(">IIII", tag, 4, len(data), 1)
            data += struct.pack(">I", value)
        else:
            index += struct.pack(">IIII", tag, 6, len(data), 1)
            data += value.encode() + b"\0"
    return struct.pack(">II", len(tags), len(data)) + index + data


def rpm_db(packages):
    import sqlite3, tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rpmdb.sqlite")
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        for name, ver, rel, arch, epoch in packages:
            tags = {1000: name, 1001: ver, 1002: rel, 1022: arch}
            if epoch is not None:
                tags[1003] = epoch
            db.execute("INSERT INTO Packages (blob) VALUES (?)", (rpm_header(tags),))
        db.commit()
        db.close()
        return open(path, "rb").read()


def case_rpm_v1(p):
    db = rpm_db([("bash", "5.2.15", "2.fc38", "x86_64", None), ("openssl-libs", "3.0.9", "1.fc38", "x86_64", 1)])
    image(p, [Layer().dir("var").dir("var/lib").dir("var/lib/rpm").file("var/lib/rpm/rpmdb.sqlite", db).bytes()])


def case_rpm_v2(p):
    db = rpm_db([("bash", "5.2.15", "2.fc38", "x86_64", None), ("openssl-libs", "3.0.9", "2.fc38", "x86_64", 1),
                 ("curl", "8.0.1", "1.fc38", "x86_64", None)])
    image(p, [Layer().dir("var").dir("var/lib").dir("var/lib/rpm").file("var/lib/rpm/rpmdb.sqlite", db).bytes()])


def case_multiarch(p):
    """An image index (tag v1) with linux/amd64 and linux/arm64/v8 images,
    each its own layer (/arch says which)."""
    lay = Layout(p)
    entries = []
    for arch, variant in (("amd64", None), ("arm64", "v8")):
        t = Layer().file("arch", arch + "\n").bytes()
        layer = lay.put(gzip_bytes(t))
        cfg = config_json([sha256(t)])
        cfg["architecture"] = arch
        if variant:
            cfg["variant"] = variant
        cdesc = lay.put(canon(cfg))
        m = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
             "config": dict(mediaType=MT_CONFIG, **cdesc),
             "layers": [dict(mediaType=MT_LAYER_GZIP, **layer)]}
        plat = {"os": "linux", "architecture": arch}
        if variant:
            plat["variant"] = variant
        entries.append(dict(mediaType=MT_MANIFEST, platform=plat, **lay.put(canon(m))))
    idx = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": entries}
    lay.index(lay.put(canon(idx)), MT_INDEX)


def case_truncated_gzip(p):
    def gz(t):
        blob = gzip_bytes(t)
        return blob[:len(blob) // 2], None
    image(p, [big_layer()], gz=gz)


def case_blob_digest_mismatch(p):
    # The manifest names the digest of a tar holding "good\n"; the blob file of
    # that name is a tar holding "evil\n": the same size, itself a valid gzip
    # of a valid tar, so only hashing the blob tells them apart.
    good = Layer().file("ok.txt", "good\n").bytes()
    evil = Layer().file("ok.txt", "evil\n").bytes()

    def gz(t):
        g, e = gzip_stored(good), gzip_stored(evil)
        assert len(g) == len(e)
        return e, sha256(g)
    image(p, [good], gz=gz)


def case_diffid_mismatch(p):
    image(p, [base_layer().bytes()],
          config=lambda ids: config_json([sha256(b"not the diff_id of any layer")]))


def case_bad_json_manifest(p):
    def cut(m):
        half = m[:len(m) // 2]
        try:
            json.loads(half)
        except ValueError:
            return half
        raise AssertionError("half a manifest still parses")
    image(p, [base_layer().bytes()], manifest_raw=cut)


def case_wrong_mediatype(p):
    # Both the manifest and its index descriptor say application/x-evil, so the
    # two agree and the type itself is the only defect.
    image(p, [base_layer().bytes()], media_type="application/x-evil")


def case_missing_config(p):
    image(p, [base_layer().bytes()], manifest_edit=lambda m: m.pop("config"))


DEEP = 10000


def case_deep_nesting(p):
    lay_tar = base_layer().bytes()
    cfg = canon(config_json([sha256(lay_tar)], labels={"deep": "@DEEP@"}))
    cfg = cfg.replace(b'"@DEEP@"', b"[" * DEEP + b"]" * DEEP)
    image(p, [lay_tar], config_bytes=cfg)


def case_index_absent_blob(p):
    lay = image(p, [base_layer().bytes()])
    with open(os.path.join(p, "index.json")) as f:
        digest = json.load(f)["manifests"][0]["digest"]
    os.unlink(lay.blob_path(digest))     # config and layer stay; the manifest is gone


LONG_PATH = 10000


def case_long_path(p):
    # 99 directories of 99 characters and a 100-character file name: each
    # under NAME_MAX, 10000 in all, far over PATH_MAX; only a PAX "path"
    # record can carry it.
    name = "".join("d%02d" % i + "x" * 96 + "/" for i in range(99)) + "f" * 100
    assert len(name) == LONG_PATH, len(name)
    t = Layer().file("ok.txt", "fine\n").file(name, "deep\n").bytes()
    assert b"path=" + name.encode() in t
    image(p, [t])


def case_schema1(p):
    lay_tar = base_layer().bytes()
    blob = gzip_bytes(lay_tar)
    lay = Layout(p)
    ldesc = lay.put(blob)
    v1 = json.dumps({"id": hashlib.sha256(b"schema1-v1").hexdigest(), "created": CREATED,
                     "architecture": "amd64", "os": "linux",
                     "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
                     "container_config": {"Cmd": ["/bin/sh -c #(nop) ADD file"]}},
                    sort_keys=True, separators=(",", ":"))
    m = {"schemaVersion": 1, "name": "ctrgit/schema1", "tag": "v1", "architecture": "amd64",
         "fsLayers": [{"blobSum": ldesc["digest"]}],
         "history": [{"v1Compatibility": v1}]}
    lay.index(lay.put(json.dumps(m, indent=3).encode()), MT_SCHEMA1)


# name, verdict, description (what the fixture holds)
CASES = [
    ("ok", "legal", "one layer: etc/, etc/os-release, hello.txt"),
    ("traversal-dotdot", "reject", "ok.txt, then regular file ../../etc/evil"),
    ("traversal-absolute", "contain", "ok.txt, then regular file whose tar header name is literally /etc/evil"),
    ("symlink-escape", "contain", "symlink evil -> ../../../../etc, then regular file evil/passwd, one layer"),
    ("symlink-escape-abs", "contain", "symlink evil -> /etc, then regular file evil/passwd, one layer"),
    ("hardlink-escape", "reject", "ok.txt, then hardlink passwd -> ../../etc/passwd"),
    ("hardlink-missing", "reject", "ok.txt, then hardlink link -> not/in/layer (nowhere in the image)"),
    ("file-then-dir", "reject", "layer 1: regular file a; layer 2: regular file a/b, no entry for a"),
    ("dir-then-file", "legal", "layer 1: dir a, file a/x; layer 2: regular file a. Result: /a file 'a is a file now\\n', no /a/x"),
    ("whiteout-missing", "legal", "layer 1: file present; layer 2: .wh.nothere. Result: /present only"),
    ("whiteout-in-base", "legal", "one layer: present, kept, .wh.kept, .wh.nothere. Result: /present and /kept (whiteouts hide only lower layers)"),
    ("device-over-file", "legal", "one layer: file x, then char device x 1,3, ok.txt. Result: /ok.txt only"),
    ("duplicate-entries", "legal", "one layer: dup 'first\\n' 0644, then dup 'second, wins\\n' 0600. Result: the second"),
    ("device-nodes", "no-materialise", "dev/, dev/null char 1,3 0666, dev/sda block 8,0 0660, dev/fifo fifo 0644, ok.txt"),
    ("tar-bomb", "reject", "one regular file zeros, 4 GiB of zeros (ustar size field), gzip ~4 MB; gzip ISIZE wraps to 1536"),
    ("sparse-entry", "either", "old-GNU sparse 'S' entry sparse-file: real size 1 MiB, 512 x 'A' at 0, 512 x 'B' at 1 MiB-512"),
    ("truncated-gzip", "reject", "layer (data/, data/f0..f3, 51200 random bytes each) gzip cut in half; manifest digest/size are the cut blob's, diff_id the full tar's"),
    ("blob-digest-mismatch", "reject", "manifest names the digest of gzip(tar ok.txt='good\\n'); the blob file of that name is gzip(tar ok.txt='evil\\n'), same size"),
    ("diffid-mismatch", "reject", "config rootfs.diff_ids[0] is sha256 of an unrelated string"),
    ("bad-json-manifest", "reject", "manifest blob is the first half of a valid manifest (digest/size in index.json match the half)"),
    ("wrong-mediatype", "reject", "manifest mediaType and its index.json descriptor both application/x-evil"),
    ("missing-config", "reject", "manifest has no config field"),
    ("deep-nesting", "reject", "config Labels.deep is 10000 nested arrays [[[...]]]"),
    ("index-absent-blob", "reject", "index.json names a manifest whose blob is absent (config and layer blobs present)"),
    ("long-path", "reject", "ok.txt, then a file whose PAX path is 10000 characters (99 dirs of 99 chars, a 100-char name)"),
    ("large-file", "legal", "one 6 MiB file large.bin (over the in-memory hashing size)"),
    ("large-twice", "legal", "large.bin, copy.bin (the same bytes), run.bin (the same, mode 0755), other.bin (reversed)"),
    ("zstd-layer", "legal", "two zstd layers: the ok layer, then large.bin"),
    ("history-v1", "legal", "v1 of a version chain: etc/os-release, opq/{a,b}, x.txt (xattr user.a=1), own.txt, link -> x.txt, f2l file, keep.txt"),
    ("history-v2", "legal", "v1 + layer: etc/ 0700, opaque opq/ with c, x.txt xattr user.a=2, own.txt uid 1000, link -> own.txt, f2l -> x.txt"),
    ("history-rebuild", "legal", "history-v1's files, same bytes, mtimes one day later"),
    ("symlink-dotdot-read", "legal", "etc/passwd, evil -> ../../../../../etc/passwd, abs -> /etc/passwd"),
    ("apk-v1", "legal", "lib/apk/db/installed: musl 1.2.4-r1, busybox 1.36.1-r2"),
    ("apk-v2", "legal", "lib/apk/db/installed: musl 1.2.4-r2, curl 8.5.0-r0"),
    ("rpm-v1", "legal", "var/lib/rpm/rpmdb.sqlite (headers written by hostile.py): bash, openssl-libs 1:3.0.9-1"),
    ("rpm-v2", "legal", "rpmdb.sqlite: bash, openssl-libs 1:3.0.9-2, curl 8.0.1-1"),
    ("multiarch", "legal", "index v1 -> an index of linux/amd64 and linux/arm64/v8 images; /arch names each"),
    ("schema1", "either", "index.json -> unsigned docker schema1 manifest (fsLayers/history, no config) with one gzip layer"),
]


def main(argv):
    force = "--force" in argv
    args = [a for a in argv if a != "--force"]
    if not args:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out, only = os.path.abspath(args[0]), set(args[1:])
    names = [c[0] for c in CASES]
    unknown = only - set(names)
    if unknown:
        print("hostile.py: unknown case(s): %s" % " ".join(sorted(unknown)), file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    for name, _, _ in CASES:
        if only and name not in only:
            continue
        final = os.path.join(out, name)
        if os.path.exists(os.path.join(final, "index.json")) and not force:
            continue
        tmp = os.path.join(out, ".%s.tmp" % name)
        shutil.rmtree(tmp, ignore_errors=True)
        globals()["case_" + name.replace("-", "_")](tmp)
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        print("built %s" % final)
    with open(os.path.join(out, "CASES"), "w") as f:
        f.writelines(n + "\n" for n in names)
    with open(os.path.join(out, "CASES.tsv"), "w") as f:
        f.writelines("%s\t%s\t%s\n" % c for c in CASES)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
