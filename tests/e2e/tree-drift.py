#!/usr/bin/env python3
"""The reference for the crawler's file drift, computed the slow, obvious way.

    tree-drift.py IMAGE_ROOT MERGED_ROOT MOUNTINFO [RUNTIME_PATH...]

IMAGE_ROOT is the image checked out (`ctrgit checkout`), MERGED_ROOT the
running container's root (/proc/PID/root), MOUNTINFO its mountinfo: paths
mounted over (/proc, /etc/hosts, ...) are the runtime's, not drift. Prints
"added|changed|deleted PATH" sorted: a path is changed when its type, mode,
owner, symlink target or content differ. RUNTIME_PATHs are files the runtime
creates (podman's /etc/mtab, /run/.containerenv): not drift either (mtimes and directory sizes do not
count). Under an added directory every path is listed; a deleted directory
is one line, its contents implied (as overlayfs records it, and podman diff
prints it).
"""
import os
import stat
import sys

image, merged, mountinfo = sys.argv[1:4]

mounts = set(sys.argv[4:])
for line in open(mountinfo, encoding="utf-8", errors="surrogateescape"):
    point = line.split()[4]
    point = point.encode().decode("unicode_escape") if "\\" in point else point
    if point != "/":
        mounts.add(point)


def walk(root):
    out = {}
    for dirpath, dirs, files in os.walk(root.encode()):
        rel = os.path.relpath(dirpath, root.encode())
        base = b"/" if rel == b"." else b"/" + rel
        keep = []
        for name in dirs + files:
            path = os.path.join(base, name)
            if path.decode(errors="surrogateescape") in mounts:
                continue
            out[path] = os.lstat(os.path.join(dirpath, name))
            if name in dirs:
                keep.append(name)
        dirs[:] = [d for d in dirs if d in keep]
    return out


def content(root, path):
    with open(root.encode() + path, "rb") as f:
        return f.read()


def same(path, a, b):
    if stat.S_IFMT(a.st_mode) != stat.S_IFMT(b.st_mode):
        return False
    if (stat.S_IMODE(a.st_mode), a.st_uid, a.st_gid) != (stat.S_IMODE(b.st_mode), b.st_uid, b.st_gid):
        return False
    if stat.S_ISLNK(a.st_mode):
        return os.readlink(image.encode() + path) == os.readlink(merged.encode() + path)
    if stat.S_ISREG(a.st_mode):
        return a.st_size == b.st_size and content(image, path) == content(merged, path)
    return True


old, new = walk(image), walk(merged)
lines = []
for path in set(old) | set(new):
    if path not in new:
        if os.path.dirname(path) in new or os.path.dirname(path) == b"/":
            lines.append(("deleted", path))
    elif path not in old:
        lines.append(("added", path))
    elif not same(path, old[path], new[path]):
        lines.append(("changed", path))
for change, path in sorted(lines, key=lambda l: l[1]):
    sys.stdout.buffer.write(change.encode() + b" " + path + b"\n")
