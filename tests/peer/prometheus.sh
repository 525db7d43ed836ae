#!/usr/bin/env bash
# --prometheus serves /metrics in the text exposition format from the control core: HELP and TYPE
# for every metric, a worker label, values equal to /tcpe/stats read at the same moment; also
# /stats.json, and 404 elsewhere.
source "$(dirname "$0")/lib.sh"

peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello --prometheus 127.0.0.1:9100
in_ns timeout 60 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 150 15 "hello client" >&2 ||
	fail "hello clients"
sleep 0.5
in_ns curl -s -D "$T/mh" -o "$T/metrics" http://127.0.0.1:9100/metrics || fail "scrape /metrics"
python3 "$(dirname "$0")/telemetry_client.py" "$TCPE_PREFIX" /tcpe/stats >"$T/tel.json" || fail "telemetry"
in_ns curl -s -o "$T/stats.json" http://127.0.0.1:9100/stats.json || fail "GET /stats.json"
check "unknown path" "$(in_ns curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9100/nope)" 404
grep -qi '^content-type: text/plain; version=0.0.4' "$T/mh" || fail "exposition content type"
python3 - "$T/metrics" "$T/tel.json" "$T/stats.json" <<'PY' >&2 || fail "/metrics content"
import json, re, sys
from checks import check
text = open(sys.argv[1]).read()
tel = json.load(open(sys.argv[2]))["/tcpe/stats"]
js = json.load(open(sys.argv[3]))
helps, types, samples, xstats = {}, {}, [], {}
for line in text.splitlines():
    if line.startswith("# HELP "):
        name, h = line[7:].split(" ", 1); helps[name] = h
    elif line.startswith("# TYPE "):
        name, t = line[7:].split(" "); types[name] = t
    else:
        x = re.fullmatch(r'tcpe_port_xstat\{port="0",name="([a-z0-9_]+)"\} (\d+)', line)
        if x:
            xstats[x.group(1)] = int(x.group(2)); continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{worker="(\d+)"\})? (\d+)', line)
        check(m, f"not an exposition line: {line!r}")
        samples.append((m.group(1), m.group(3), int(m.group(4))))
for name, worker, value in samples:
    check(name in helps and name in types, f"{name} lacks HELP or TYPE")
    check(types[name] in ("counter", "gauge"), 'types[name] in ("counter", "gauge")')
    check((types[name] == "counter") == name.endswith("_total"), name)
names = {n for n, _, _ in samples}
check(len(names) >= 110, len(names))
check(all(v > 1000 for n, _, v in samples if n == "tcpe_mbufs_free"), 'all(v > 1000 for n, _, v in samples if n == "tcpe_mbufs_free")')
rxfree = {wk: v for n, wk, v in samples if n == "tcpe_rx_mbufs_free"}
check(set(rxfree) == {"1", "2"} and all(v > 1000 for v in rxfree.values()), rxfree)
# counters that cannot move while the clients are done must equal /tcpe/stats
for key in ("conn_opened", "syn_rx", "fin_tx", "data_tx_bytes", "conn_closed"):
    for w in ("1", "2"):
        v = [val for n, wk, val in samples if n == f"tcpe_{key}_total" and wk == w]
        check(v == [tel[f"lcore_{w}"][key]], (key, w, v, tel[f"lcore_{w}"][key]))
check(sum(val for n, _, val in samples if n == "tcpe_conn_opened_total") == 150, 'sum(val for n, _, val in samples if n == "tcpe_conn_opened_total") == 150')
check(js["total"]["conn_opened"] == 150 and len(js["workers"]) == 2, 'js["total"]["conn_opened"] == 150 and len(js["workers"]) == 2')
check(xstats.get("rx_good_packets", 0) >= 150 * 3 and "rx_missed_errors" in xstats, xstats)
check("tcpe_port_xstat" in types and "tcpe_mbufs_free" in types, '"tcpe_port_xstat" in types and "tcpe_mbufs_free" in types')
print(f"  ok: /metrics: {len(names)} metrics, {len(samples)} samples, all with HELP/TYPE and a worker "
      f"label, equal to /tcpe/stats; /stats.json agrees")
PY
# Nothing a client of the endpoint does may hold up the control core: 80 idle connections (more
# than its 64 client slots) and one that asks for /metrics again and again and never reads.
# Every other scrape is still answered, each within a second.
ip netns exec "$NS" timeout 20 python3 - <<'PY' >"$T/hold.out" 2>&1 &
import socket, time
held = [socket.create_connection(("127.0.0.1", 9100)) for _ in range(80)]
slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(("127.0.0.1", 9100))
slow.setblocking(False)
req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
for _ in range(200):
    try:
        slow.send(req)
    except BlockingIOError:
        break
print("holding", len(held) + 1, flush=True)
time.sleep(6)
PY
holder=$!
track_pid "$holder"
for _ in $(seq 50); do grep -q holding "$T/hold.out" 2>/dev/null && break; sleep 0.1; done
ok=0
for i in $(seq 5); do
	code=$(in_ns curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:9100/metrics)
	[[ $code == 200 ]] && ok=$((ok + 1))
	sleep 0.3
done
check "scrapes answered within 1 s while 81 clients hold connections (of 5)" "$ok" 5
wait "$holder" 2>/dev/null
peer_stop
peer_done
