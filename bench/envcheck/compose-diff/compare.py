#!/usr/bin/env python3
"""Compares compose_dump and envcheck_dump on every file given: prints the first
differences and "N files, M differ". Usage: compare.py COMPOSE_DUMP ENVCHECK_DUMP FILE..."""
import subprocess, sys
files = sys.argv[3:]
def run(tool, fs):
    out = subprocess.run([tool] + fs, capture_output=True).stdout.decode()
    res, cur = [], []
    for line in out.splitlines():
        if line in ("ERROR", "IOERR"):
            res.append(line); continue
        if line == "END":
            res.append("\n".join(cur)); cur = []; continue
        cur.append(line)
    return res
bad = 0
for i in range(0, len(files), 200):
    chunk = files[i:i+200]
    a, b = run(sys.argv[1], chunk), run(sys.argv[2], chunk)
    assert len(a) == len(chunk) and len(b) == len(chunk), (len(a), len(b), len(chunk))
    for f, x, y in zip(chunk, a, b):
        if x != y:
            bad += 1
            if bad <= 8:
                print("DIFF", f, repr(open(f,'rb').read()[:200]))
                print("  compose:", x[:300]); print("  mine:   ", y[:300])
print(f"{len(files)} files, {bad} differ")
