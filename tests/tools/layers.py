#!/usr/bin/env python3
"""layers.py [LIB] - the include graph of lib/: no import circles between modules, and every
include pointing down the layers (rt -> net | apps -> core; net and apps never see each other).

A module is a .c file with its .h (x.c, x.h) and its private header (x_priv.h), so a file and
its own header are one node; the graph's edges are '#include "..."' lines. Prints the circles
and the upward includes it finds; exit status 0 only when there are none."""
import os
import re
import sys

LAYER = {"core": 0, "net": 1, "apps": 1, "rt": 2}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(name):
    base = os.path.splitext(name)[0]
    return base[:-5] if base.endswith("_priv") else base


def graph(lib):
    where = {}      # header file name -> layer directory
    edges = {}      # module -> set of modules it includes
    files = []
    for layer in LAYER:
        for f in sorted(os.listdir(os.path.join(lib, layer))):
            if f.endswith((".c", ".h", ".def")):
                where[f] = layer
                files.append((layer, f))
    for layer, f in files:
        if f.endswith(".def"):
            continue
        src = open(os.path.join(lib, layer, f), errors="replace").read()
        m = module(f)
        edges.setdefault(m, set())
        for inc in INCLUDE.findall(src):
            if inc in where and not inc.endswith(".def") and module(inc) != m:
                edges[m].add(module(inc))
    mod_layer = {module(f): layer for f, layer in where.items() if not f.endswith(".def")}
    return edges, mod_layer


def circles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main(argv):
    lib = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "lib")
    edges, mod_layer = graph(lib)
    bad = 0
    for comp in circles(edges):
        print("import circle: " + " <-> ".join(comp))
        bad += 1
    for m, deps in sorted(edges.items()):
        for d in sorted(deps):
            a, b = mod_layer[m], mod_layer[d]
            if LAYER[b] > LAYER[a] or (LAYER[a] == LAYER[b] and a != b):
                print(f"upward include: {a}/{m} -> {b}/{d}")
                bad += 1
    nedges = sum(len(d) for d in edges.values())
    print(f"layers: {len(edges)} modules, {nedges} include edges, "
          f"{'no circles, every include downward' if bad == 0 else str(bad) + ' problems'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
