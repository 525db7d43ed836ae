#!/usr/bin/env python3
"""report_check.py REPORT [SUMMARY...] - scripts/tcpe-report against a merge done by hand: the
given summaries (real runs) and three synthetic ones with known histograms and series. Totals are
the sums, percentiles those of the histograms added bucket by bucket, per-second rates summed on
whole seconds; a file that is not a summary exits 2. Exit status 0 only when all agree."""
import json
import os
import subprocess
import sys
import tempfile

bad = []


def check(what, got, want):
    if got != want:
        bad.append(f"{what}: got {got!r}, want {want!r}")


def by_hand(files):
    """Percentiles from every response's bucket lower bound, listed and indexed directly."""
    values = []
    for f in files:
        for lo, _hi, c in (json.load(open(f)).get("latency_us") or {}).get("buckets", []):
            values += [lo] * c
    values.sort()
    if not values:
        return {k: None for k in ("p50", "p90", "p99", "p999")}
    return {k: values[int(q * len(values))] for k, q in
            (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999))}


def synthetic(tmp):
    files = []
    specs = [  # (start, histogram rows, per-second responses)
        (1000.0, [[4, 5, 100], [64, 72, 10], [1024, 1152, 1]], [40, 41, 30]),
        (1001.0, [[4, 5, 50], [8, 9, 500], [65536, 73728, 3]], [100, 200, 253]),
        (1000.0, [], [0, 0, 0]),
    ]
    for i, (start, rows, resp) in enumerate(specs):
        n = sum(r[2] for r in rows)
        d = {"tcpe_summary": 1, "host": f"h{i}", "pid": i, "start": start, "end": start + 3,
             "duration_s": 3, "requests": n + 1, "responses": n, "errors": 1 if i == 2 else 0,
             "totals": {"client_requests": n, "rx_bytes": 1000 * (i + 1)},
             "series": {"t": [int(start), int(start) + 1, int(start) + 2], "requests": resp,
                        "responses": resp, "errors": [0, 0, 0]},
             "latency_us": {"buckets": rows}}
        p = os.path.join(tmp, f"syn{i}.json")
        json.dump(d, open(p, "w"))
        files.append(p)
    return files


def report(tool, files):
    out = subprocess.run([tool, "--json"] + files, capture_output=True, text=True)
    if out.returncode != 0:
        bad.append(f"tcpe-report {files}: exit {out.returncode}: {out.stderr.strip()}")
        return None
    return json.loads(out.stdout)


def verify(tool, files):
    r = report(tool, files)
    if r is None:
        return
    ds = [json.load(open(f)) for f in files]
    for k in ("requests", "responses", "errors"):
        check(k, r[k], sum(d[k] for d in ds))
    check("latency_us", r["latency_us"], by_hand(files))
    check("latency samples", r["latency_samples"],
          sum(c for d in ds for _lo, _hi, c in (d.get("latency_us") or {}).get("buckets", [])))
    per_t = {}
    for d in ds:
        for t, v in zip(d["series"]["t"], d["series"]["responses"]):
            per_t[t] = per_t.get(t, 0) + v
    check("responses per second", {row["t"]: row["responses"] for row in r["series"]}, per_t)
    for d in ds:
        if d.get("latency_us"):
            check(f"{d['host']} pid {d['pid']}: histogram total = responses",
                  sum(c for _lo, _hi, c in d["latency_us"]["buckets"]), d["responses"])
    return r


def main():
    tool, real = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        syn = synthetic(tmp)
        r = verify(tool, syn)
        if r is not None:
            check("synthetic p50", r["latency_us"]["p50"], 8)
            check("synthetic p999", r["latency_us"]["p999"], 65536)  # rank 663 of 664
            check("synthetic duration", r["duration_s"], 4.0)
        if real:
            verify(tool, real)
            verify(tool, real[:1])
        notjson = os.path.join(tmp, "x.json")
        open(notjson, "w").write('{"time": 1}')
        rc = subprocess.run([tool, notjson], capture_output=True).returncode
        check("exit status for a file that is not a summary", rc, 2)
    for b in bad:
        print("report_check:", b)
    print(f"report_check: {len(real)} real and 3 synthetic summaries; {len(bad)} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
