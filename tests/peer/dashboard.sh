#!/usr/bin/env bash
# The web dashboard renders in headless Chromium: it polls /stats.json, draws a chart per metric
# with a line per worker, and the numbers it shows equal the JSON's. A screenshot is kept.
source "$(dirname "$0")/lib.sh"

peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello --listen 80:http --prometheus 127.0.0.1:9100
in_ns timeout 60 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 300 30 "hello client" >&2 ||
	fail "hello clients"
check "GET / content type" "$(in_ns curl -s -o /dev/null -w '%{content_type}' http://127.0.0.1:9100/)" \
	"text/html; charset=utf-8"
chrome() {	# flags from the machine notes: no sandbox as root, no background networking
	in_ns timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-quic --user-data-dir="$T/chrome" --window-size=1400,1100 \
		"$@" http://127.0.0.1:9100/ 2>>"$T/chrome.log"
}
# The screenshot while load runs (bounded: 12 s at most), the numbers check once it has stopped.
(end=$((SECONDS + 12)); while ((SECONDS < end)); do
	in_ns timeout 20 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 500 40 "hello client"
done) >/dev/null 2>&1 &
load=$!
_tcpe_pids+=("$load")
ip netns exec "$NS" wrk -t1 -c32 -d12s "http://$TCPE_IP/" >/dev/null 2>&1 &
wrk=$!
_tcpe_pids+=("$wrk")
sleep 2
# Virtual time: the page's 1 s timer runs fast, so a few polls happen within the budget (rates
# are then taken over milliseconds; the DOM check below uses only running totals).
chrome --virtual-time-budget=6000 --screenshot="$T/dashboard.png" >/dev/null ||
	fail "chromium --screenshot"
kill "$load" "$wrk" 2>/dev/null; wait "$load" "$wrk" 2>/dev/null
sleep 2.5
chrome --virtual-time-budget=6000 --dump-dom >"$T/dom.html" || fail "chromium --dump-dom"
in_ns curl -s -o "$T/stats.json" http://127.0.0.1:9100/stats.json
python3 - "$T/dom.html" "$T/stats.json" <<'PY' >&2 || fail "dashboard content"
import json, re, sys
from checks import check
dom = open(sys.argv[1]).read()
js = json.load(open(sys.argv[2]))
updates = int(re.search(r'data-updates="(\d+)"', dom).group(1))
check(updates >= 2, f"only {updates} updates")
check(dom.count('<canvas width="840"') == 8, dom.count('<canvas width="840"'))
for w in js["workers"]:
    row = re.search(r"<tr data-row=\"lcore %d\">(.*?)</tr>" % w["lcore"], dom).group(1)
    shown = int(re.search(r"class=\"conn_opened\">(\d+)<", row).group(1))
    check(shown == w["conn_opened"], (w["lcore"], shown, w["conn_opened"]))
total = re.search(r"<tr data-row=\"total\">(.*?)</tr>", dom).group(1)
check(int(re.search(r"class=\"conn_opened\">(\d+)<", total).group(1)) == js["total"]["conn_opened"] >= 300, 'int(re.search(r"class=\\"conn_opened\\">(\\d+)<", total).group(1)) == js["total"]["conn_opened"] >= 300')
check("2 workers, updated" in dom, '"2 workers, updated" in dom')
print(f"  ok: dashboard: {updates} updates, 8 charts, rows for {len(js['workers'])} workers + total "
      f"equal to /stats.json (conn_opened {js['total']['conn_opened']})")
PY
size=$(stat -c %s "$T/dashboard.png" 2>/dev/null || echo 0)
check_ge "screenshot bytes" "$size" 20000
[[ -n ${TCPE_KEEP_SCREENSHOT:-} ]] && cp "$T/dashboard.png" "$TCPE_KEEP_SCREENSHOT"
peer_stop
peer_done
