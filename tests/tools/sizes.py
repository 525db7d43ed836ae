#!/usr/bin/env python3
"""sizes.py [DIR...] - STYLE.md's sizes: C files under 800 lines, functions under 80 (from the
opening brace in column 0 to the closing one). Prints what is over; exit status 0 when nothing is."""
import os
import re
import sys

FILE_MAX = 800
FUNC_MAX = 80


def functions(lines):
    start = name = None
    for i, line in enumerate(lines):
        if line.startswith("{") and i > 0:
            j = i - 1
            while j >= 0 and "(" not in lines[j]:
                j -= 1
            m = re.search(r"(\w+)\s*\(", lines[j]) if j >= 0 else None
            name, start = (m.group(1) if m else "?"), i
        elif line.startswith("}") and start is not None:
            yield name, start + 1, i - start + 1
            start = None


def main(argv):
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    dirs = argv[1:] or [os.path.join(root, d) for d in ("lib", "app", "tests")]
    bad = nfiles = nfuncs = 0
    for d in dirs:
        for top, _, names in os.walk(d):
            for n in sorted(names):
                if not n.endswith((".c", ".h")):
                    continue
                path = os.path.join(top, n)
                lines = open(path, errors="replace").read().split("\n")
                nfiles += 1
                if len(lines) > FILE_MAX:
                    print(f"{path}: {len(lines)} lines (over {FILE_MAX})")
                    bad += 1
                for name, at, length in functions(lines):
                    nfuncs += 1
                    if length > FUNC_MAX:
                        print(f"{path}:{at}: {name}() {length} lines (over {FUNC_MAX})")
                        bad += 1
    print(f"sizes: {nfiles} files, {nfuncs} functions, {bad} over the limits")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
