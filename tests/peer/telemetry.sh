#!/usr/bin/env bash
# DPDK telemetry: /tcpe/stats, /tcpe/workers, /tcpe/drops and /tcpe/config return the documented
# JSON, per worker values add up to the totals, and the values agree with --stats-json.
source "$(dirname "$0")/lib.sh"

# a --stats-json path longer than a telemetry string may be (128): /tcpe/config used to fail with
# E2BIG on it; the value is cut short, the reply stands
LONG="$T/$(printf 'a%.0s' $(seq 180))"
mkdir -p "$LONG"
peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello --listen 8080:http --stats-json "$LONG/s.jsonl"
in_ns timeout 60 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 200 20 "hello client" >&2 ||
	fail "hello clients"
in_ns timeout 5 nc -z "$TCPE_IP" 9 2>/dev/null	# one RST for a closed port
sleep 1.5
python3 "$(dirname "$0")/telemetry_client.py" "$TCPE_PREFIX" /tcpe/stats /tcpe/stats,2 /tcpe/workers \
	/tcpe/drops /tcpe/config /tcpe/ports /ethdev/list >"$T/tel.json" || fail "telemetry socket"
python3 - "$T/tel.json" "$LONG/s.jsonl" "$T/tcpe.log" <<'PY' >&2 || fail "telemetry replies"
import json, re, sys
from checks import check
t = json.load(open(sys.argv[1]))
st, one, wk, dr, cf = (t[k] for k in ("/tcpe/stats", "/tcpe/stats,2", "/tcpe/workers", "/tcpe/drops", "/tcpe/config"))
check(set(st) == {"total", "lcore_1", "lcore_2"}, set(st))
for k, v in st["total"].items():
    check(v == st["lcore_1"][k] + st["lcore_2"][k], k)
check(st["total"]["conn_opened"] == 200, st["total"]["conn_opened"])
check(st["total"]["rst_closed_port"] == 1, 'st["total"]["rst_closed_port"] == 1')
check(set(one) == {"lcore_2"} and one["lcore_2"]["conn_opened"] == st["lcore_2"]["conn_opened"], 'set(one) == {"lcore_2"} and one["lcore_2"]["conn_opened"] == st["lcore_2"]["conn_opened"]')
check(set(wk) == {"lcore_1", "lcore_2"} and wk["lcore_2"]["queue"] == 1 and wk["lcore_1"]["max_conns"] > 0, 'set(wk) == {"lcore_1", "lcore_2"} and wk["lcore_2"]["queue"] == 1 and wk["lcore_1"]["max_conns"] > 0')
check("tcp_cksum" in dr and "eth_multicast" in dr and len(dr) > 40, '"tcp_cksum" in dr and "eth_multicast" in dr and len(dr) > 40')
check(sum(dr.values()) == st["total"]["drops"], 'sum(dr.values()) == st["total"]["drops"]')
check(cf["listen/42181"] == "hello" and cf["listen/8080"] == "http" and cf["mss"] == "1460", 'cf["listen/42181"] == "hello" and cf["listen/8080"] == "http" and cf["mss"] == "1460"')
check(cf["max_conns"] == "65536" and cf["port0/ip"] == "198.18.0.1/24", cf)
check(cf["stats_json"].endswith("...") and len(cf["stats_json"]) < 128, cf["stats_json"])
# the JSON report taken around the same moment agrees on what no longer changes
last = json.loads(open(sys.argv[2]).read().splitlines()[-1])
check(last["total"]["conn_opened"] == st["total"]["conn_opened"], 'last["total"]["conn_opened"] == st["total"]["conn_opened"]')
# every counter of the report is in telemetry: in /tcpe/stats, or a drop reason in /tcpe/drops (a
# telemetry dict holds 256 entries and loses the rest without a word: "drops" went missing once)
both = set(st["total"]) | {"drop_" + r for r in dr}
check(both == set(last["total"]), sorted(both ^ set(last["total"])))
check(not any(k.startswith("drop_") for k in st["total"]), "drop reasons in /tcpe/stats")
check(t["/ethdev/list"] == [0], 't["/ethdev/list"] == [0]')
tot = st["total"]
check(tot["tx_flushes"] > 0 and tot["tx_flush_pkts"] >= tot["tx_pkts"] > 0, 'tot["tx_flushes"] > 0 and tot["tx_flush_pkts"] >= tot["tx_pkts"] > 0')
check(1 <= tot["tx_flush_pkts"] / tot["tx_flushes"] <= wk["lcore_1"]["txbuf_size"], '1 <= tot["tx_flush_pkts"] / tot["tx_flushes"] <= wk["lcore_1"]["txbuf_size"]')
check(0 < wk["lcore_1"]["mbufs_free"] <= wk["lcore_1"]["mbufs_total"], '0 < wk["lcore_1"]["mbufs_free"] <= wk["lcore_1"]["mbufs_total"]')
# the receive pool: the banner's size, and all of it free but what the port's rings hold
rxpool = int(re.search(r"receive pool of socket 0: (\d+) mbufs", open(sys.argv[3]).read()).group(1))
for w in ("lcore_1", "lcore_2"):
    check(wk[w]["rx_mbufs_total"] == rxpool, (w, wk[w]["rx_mbufs_total"], rxpool))
    check(rxpool // 2 < wk[w]["rx_mbufs_free"] < rxpool, (w, wk[w]["rx_mbufs_free"], rxpool))
ports = t["/tcpe/ports"]
check(set(ports) == {"port_0"} and ports["port_0"]["rx_good_packets"] > 0 and "rx_missed_errors" in ports["port_0"], ports)
print(f"  ok: telemetry: {len(st['total'])} counters x (total + 2 workers), {len(dr)} drop reasons, "
      f"{len(cf)} config keys; totals = sum of workers = --stats-json")
PY
# DPDK's own client (dpdk-dev) reads the same commands.
echo /tcpe/stats | dpdk-telemetry.py -f "$TCPE_PREFIX" >"$T/dpdk-tel" 2>&1 || fail "dpdk-telemetry.py"
python3 - "$T/dpdk-tel" <<'PY' >&2 || fail "dpdk-telemetry.py reply"
import json, sys
from checks import check
lines = [l for l in open(sys.argv[1]) if l.startswith('{"/tcpe/stats"')]
st = json.loads(lines[-1])["/tcpe/stats"]
check(st["total"]["conn_opened"] == 200, st["total"]["conn_opened"])
print("  ok: dpdk-telemetry.py: /tcpe/stats total conn_opened = 200")
PY
peer_stop
peer_done
