#!/usr/bin/env python3
"""Hostile inputs for patrol's linear-time guarantee (issue 14), each followed by one real token.

    python3 benchmarks/pathological-inputs.py OUT_DIR SIZE_MB TOKEN

Writes OUT_DIR/<name>.txt for each input below: SIZE_MB megabytes (10^6 bytes) of the pattern,
a newline, then `github_token = TOKEN` (TOKEN comes from `patrol rules generate github-pat`, so
no token is ever stored in this repository). Python 3 standard library only; the same seed
gives the same bytes.

- percent-run:       one run of percent-encoded bytes with `ghp_` in the middle of it
- percent-keywords:  `ghp_` and percent escapes, repeated (a keyword hit every 10 bytes)
- json-keywords:     JSON strings of 8 KB holding `ghp_\\n` over and over
- password-lines:    `password = value` lines
- password-repeat:   `password=` repeated, no newline
- aws-dense:         AWS access key ids and random 40-character keys, one pair a line: every
                     line is a finding, so placing many matches in one file is measured too
"""

from __future__ import annotations

import os
import random
import sys

NAMES = ["percent-run", "percent-keywords", "json-keywords", "password-lines", "password-repeat", "aws-dense"]


def body(name: str, size: int, rng: random.Random) -> bytes:
    if name == "percent-run":
        half = size // 2 // 3
        escapes = "".join(f"%{rng.randrange(256):02X}" for _ in range(4096))
        run = (escapes * (half // 4096 + 1))[: half * 3]
        return (run + "ghp_" + run).encode()
    if name == "percent-keywords":
        unit = "ghp_%2B%3D"
        return (unit * (size // len(unit) + 1))[:size].encode()
    if name == "json-keywords":
        unit = '"' + "ghp_\\n" * 1365 + '",\n'
        return (unit * (size // len(unit) + 1))[:size].encode()
    if name == "password-lines":
        unit = "password = value\n"
        return (unit * (size // len(unit) + 1))[:size].encode()
    if name == "password-repeat":
        unit = "password="
        return (unit * (size // len(unit) + 1))[:size].encode()
    if name == "aws-dense":
        upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        lines = []
        total = 0
        while total < size:
            key_id = "AKIA" + "".join(rng.choice(upper) for _ in range(16))
            key = "".join(rng.choice(base64) for _ in range(40))
            line = f"{key_id} {key}\n"
            lines.append(line)
            total += len(line)
        return "".join(lines).encode()[:size]
    raise SystemExit(f"pathological-inputs: unknown input {name}")


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    out, size_mb, token = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    size = int(size_mb * 1_000_000)
    for name in NAMES:
        rng = random.Random(name)
        with open(os.path.join(out, name + ".txt"), "wb") as f:
            f.write(body(name, size, rng))
            f.write(b"\ngithub_token = " + token.encode() + b"\n")


if __name__ == "__main__":
    main()
