#!/usr/bin/env python3
"""Writes N random .env files made of the tokens where parsers disagree (quotes, escapes,
interpolation operators, comments, export, CR/LF, BOM, non-ASCII) into DIR.
Usage: generate.py DIR [N] [SEED]"""
import os
import random
import sys

TOKENS = ['A', 'B', 'FOO', '_x', 'a.b', 'k-1', '[0]', '=', ':', ' ', '  ', '\t', '\r\n', '\n', '\n',
          '\n', '#', ' #', '"', "'", '\\', '\\n', '\\"', "\\'", '\\$', '\\0123', '\\0', '\\\\', '$',
          '$$', '${', '}', '{', '${A}', '${B:-d}', '${A-x}', '${UNSET:?e}', '${A:?}', '${HOME}',
          '$HOME', '${A:+r}', '${B+q}', '${X:-${Y:-z}}', '${', 'export ', 'export\t', 'é', 'ű',
          '\xa0', '\u2003', '\x85', '\x0c', '\x0b', 'val', 'x y', '=v', '1']
RAW = [b'\x8c', b'\xff', b'\xc3', b'\x00', b'\xe2\x80']  # invalid UTF-8 and NUL

out, n, seed = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000, int(sys.argv[3]) if len(sys.argv) > 3 else 42
random.seed(seed)
os.makedirs(out, exist_ok=True)
for i in range(n):
    parts = []
    for _ in range(random.randint(1, 40)):
        parts.append(random.choice(RAW) if random.random() < 0.05 else random.choice(TOKENS).encode())
    data = b''.join(parts)
    if random.random() < 0.2:
        data = '\ufeff'.encode() + data
    with open(os.path.join(out, f'{i}.env'), 'wb') as f:
        f.write(data)
