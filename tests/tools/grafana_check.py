#!/usr/bin/env python3
"""grafana_check.py DASHBOARD METRICS... - every metric the Grafana dashboard queries exists in
the /metrics scrapes given (a server's and a client's): plain names exactly, {__name__=~"RE"}
selectors by at least one match; the client latency histogram has cumulative buckets ending in
+Inf equal to its count. Exit status 0 only when all hold."""
import json
import re
import sys

NAME = re.compile(r"\b(tcpe_[a-z0-9_]+)")
PATTERN = re.compile(r'__name__=~"([^"]+)"')
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def main():
    dash = json.load(open(sys.argv[1]))
    names, hist = set(), {}
    for path in sys.argv[2:]:
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            m = SAMPLE.match(line.strip())
            if not m:
                print(f"grafana_check: not an exposition line in {path}: {line!r}")
                return 1
            names.add(m.group(1))
            if m.group(1) == "tcpe_client_latency_us_bucket":
                w = re.search(r'worker="(\d+)"', m.group(2)).group(1)
                le = re.search(r'le="([^"]+)"', m.group(2)).group(1)
                hist.setdefault(w, []).append((le, float(m.group(3))))
            elif m.group(1) == "tcpe_client_latency_us_count":
                w = re.search(r'worker="(\d+)"', m.group(2)).group(1)
                hist.setdefault(w + "_count", []).append(("", float(m.group(3))))
    bad, queried = [], 0
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    exprs += [v["query"]["query"] for v in dash["templating"]["list"] if isinstance(v.get("query"), dict)]
    for e in exprs:
        for pat in PATTERN.findall(e):
            queried += 1
            if not any(re.fullmatch(pat, n) for n in names):
                bad.append(f"no metric matches {pat} (in {e})")
        for n in NAME.findall(PATTERN.sub("", e)):
            queried += 1
            if n not in names:
                bad.append(f"{n} is not in /metrics (in {e})")
    if not hist:
        bad.append("no tcpe_client_latency_us histogram in the scrapes")
    for w, rows in hist.items():
        if w.endswith("_count"):
            continue
        counts = [c for _, c in rows]
        if rows[-1][0] != "+Inf" or counts != sorted(counts):
            bad.append(f"worker {w}: buckets not cumulative or not ending in +Inf: {rows}")
        elif hist.get(w + "_count", [("", -1)])[0][1] != counts[-1] or counts[-1] <= 0:
            bad.append(f"worker {w}: +Inf bucket {counts[-1]} is not the count (or zero)")
    for b in bad:
        print("grafana_check:", b)
    print(f"grafana_check: {len(dash['panels'])} panels, {queried} metric references, "
          f"{len(names)} metrics scraped; {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
