#!/usr/bin/env python3
"""check_stats_json.py FILE NWORKERS CONNS - validate tcpe's --stats-json lines against DESIGN.md:
one JSON object per line, {"time", "interval", "total": {...}, "workers": [{"lcore", ...}]}, total
and every worker with the same keys, the required counters present, running totals that never go
back, counters in total equal to the sum over workers, and CONNS connections opened in the end."""
import json
import sys

from checks import CheckFailed, check

REQUIRED = ["rx_pkts", "tx_pkts", "rx_bytes", "tx_bytes", "conn_opened", "conn_closed",
            "conn_active", "retransmits", "drops"]


def main(path, nworkers, conns):
    lines = open(path).read().splitlines()
    check(len(lines) >= 3, f"only {len(lines)} report lines")
    prev = None
    for n, line in enumerate(lines, 1):
        o = json.loads(line)
        check(set(o) == {"time", "interval", "total", "workers"}, f"line {n}: keys {set(o)}")
        check(o["interval"] > 0 and o["time"] > 1.7e9, f"line {n}: time/interval")
        ws = o["workers"]
        check(len(ws) == nworkers, f"line {n}: {len(ws)} workers")
        keys = set(o["total"])
        for k in REQUIRED:
            check(k in keys, f"line {n}: total lacks {k}")
        for w in ws:
            check(isinstance(w["lcore"], int), 'isinstance(w["lcore"], int)')
            check(set(w) - {"lcore"} == keys, f"line {n}: worker keys differ from total")
        for k in keys:
            check(o["total"][k] == sum(w[k] for w in ws), f"line {n}: total {k} != sum")
        if prev is not None:
            check(o["time"] >= prev["time"], 'o["time"] >= prev["time"]')
            for k in REQUIRED:
                if k != "conn_active":
                    check(o["total"][k] >= prev["total"][k], f"line {n}: {k} went back")
        prev = o
    check(prev["total"]["conn_opened"] == conns,
          f"conn_opened {prev['total']['conn_opened']} != {conns}")
    print(f"stats-json: {len(lines)} lines, {len(keys)} keys each, totals = sum of "
          f"{nworkers} workers, {conns} connections")


if __name__ == "__main__":
    try:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    except (CheckFailed, ValueError, KeyError) as e:
        print(f"stats-json: {e}")
        sys.exit(1)
