#!/usr/bin/env python3
"""What a terminal shows at the end of a byte stream (stdin), line by line.

Enough of a terminal for ctrgit's progress: printable text, \\r, \\n, ESC[K
(clear to the end of the line) and ESC[nA (cursor up n lines); any other
escape sequence is an error, so a test notices output it does not expect.
Lines are printed without trailing blanks."""

import re
import sys

CSI = re.compile(r"\x1b\[(\d*)([A-Za-z])")


def screen(text):
    rows, r, c = [[]], 0, 0
    i = 0
    while i < len(text):
        m = CSI.match(text, i)
        if m:
            n, op = int(m.group(1) or 1), m.group(2)
            if op == "A":
                r = max(0, r - n)
            elif op == "K":
                del rows[r][c:]
            else:
                sys.exit("term-screen: unexpected escape %r" % m.group(0))
            i = m.end()
            continue
        ch = text[i]
        i += 1
        if ch == "\r":
            c = 0
        elif ch == "\n":
            r, c = r + 1, 0
            while len(rows) <= r:
                rows.append([])
        elif ch == "\x1b":
            sys.exit("term-screen: unexpected escape at byte %d" % (i - 1))
        else:
            line = rows[r]
            line.extend(" " * (c - len(line)))
            if c < len(line):
                line[c] = ch
            else:
                line.append(ch)
            c += 1
    return ["".join(l).rstrip() for l in rows]


if __name__ == "__main__":
    data = sys.stdin.buffer.read().decode("utf-8", "replace")
    lines = screen(data)
    while lines and not lines[-1]:
        lines.pop()
    print("\n".join(lines))
