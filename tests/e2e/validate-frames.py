#!/usr/bin/python3
"""Validates frames (one JSON document per line, as `ctrgit crawl` writes
them) against docs/frame.schema.json; prints each violation with the frame's
line number and exits 1 if there is any.

    validate-frames.py SCHEMA FILE...
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft7Validator(schema)
bad = 0
frames = 0
for name in sys.argv[2:]:
    for n, line in enumerate(open(name, encoding="utf-8"), 1):
        if not line.strip():
            continue
        frames += 1
        for err in validator.iter_errors(json.loads(line)):
            bad += 1
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{name}:{n}: {where}: {err.message[:300]}")
if frames == 0:
    print("no frames to validate")
    sys.exit(1)
sys.exit(1 if bad else 0)
