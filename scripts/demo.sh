#!/usr/bin/env bash
# demo.sh - tcpe's main job on the built-in default: install, build, then tcpe on a net_tap port in a
# network namespace, answering real clients (the seed's Node client, nc, curl, ping, Python load)
# with the live per-worker report on screen. Bounded in time; removes everything it made. Root.
#   DEMO_SECONDS=30 scripts/demo.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DEMO_SECONDS=${DEMO_SECONDS:-30}

"$root/scripts/deps.sh" || exit 1
"$root/scripts/build.sh" >/dev/null || { "$root/scripts/build.sh"; exit 1; }
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"
# shellcheck source=hugepages.sh
source "$root/scripts/hugepages.sh"

NS="tcpe_demo_$$"
tailpid=
finish() { [[ -n $tailpid ]] && kill "$tailpid" 2>/dev/null; tcpe_cleanup; hugepages_release; }
trap finish EXIT
trap 'finish; exit 130' INT TERM
tcpe_tmpdir T
hugepages_reserve 512

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "tcpe on net_tap 'tcpe0' in namespace $NS: tcpe $TCPE_IP, Linux peer $PEER_IP"
ns_create "$NS" || exit 1
tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --listen 42181:hello --listen 7:echo \
	--listen 9:discard --listen 80:http --trace 1 --stats-interval 2 --stats-json "$T/stats.jsonl" \
	--time-wait-ms 5000 --duration $((DEMO_SECONDS + 10)) || exit 1
tail -n +1 -f --pid="$TCPE_PID" "$T/tcpe.log" | grep --line-buffered -v '^EAL\|^tap_\|^qdisc\|^eth_dev_tap\|^TELEMETRY' &
tailpid=$!
sleep 1
in_ns() { ip netns exec "$NS" "$@"; }

step "the seed's own Node client (tcp-client.js, unmodified; 127.0.0.1:42181 is NATed to tcpe)"
seed_nat "$NS"
in_ns timeout 10 node "$SEED_DIR/tcp-client.js" | sed 's/^/    node: /'
sleep 0.5

step "nc reads the greeting; ping, 64 and 1400 bytes"
in_ns timeout 5 nc -N "$TCPE_IP" 42181 </dev/null | sed 's/^/    nc: /'; echo
in_ns ping -q -c 200 -i 0.005 "$TCPE_IP" | grep -E 'transmitted|rtt' | sed 's/^/    /'
in_ns ping -q -c 100 -i 0.005 -s 1400 "$TCPE_IP" | grep -E 'transmitted|rtt' | sed 's/^/    /'

step "curl against the http app: a response head, then a 1 MiB body checked"
in_ns curl -s -i "http://$TCPE_IP/" | sed 's/^/    curl: /'; echo
in_ns curl -s "http://$TCPE_IP/bytes/1048576" | wc -c | sed 's/^/    curl: GET \/bytes\/1048576 -> /; s/$/ bytes/'

step "load for ${DEMO_SECONDS} s: wrk on the http app, hello connections, echo and discard streams (watch the report)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"	# (a container may cap the hard limit)
in_ns taskset -c 0 wrk -t1 -c200 -d"${DEMO_SECONDS}s" --latency "http://$TCPE_IP/" >"$T/wrk.out" 2>&1 &
wrk_pid=$!
end=$((SECONDS + DEMO_SECONDS))
(while ((SECONDS < end)); do
	in_ns timeout 60 python3 "$root/tests/peer/clients.py" hello "$TCPE_IP" 42181 2000 64 "hello client"
done) >"$T/hello.out" 2>&1 &
hello_pid=$!
(while ((SECONDS < end)); do
	in_ns timeout 60 python3 "$root/tests/peer/clients.py" echo "$TCPE_IP" 7 $((4 << 20)) 2
	in_ns timeout 60 python3 "$root/tests/peer/clients.py" upload "$TCPE_IP" 9 $((32 << 20))
done) >"$T/stream.out" 2>&1 &
stream_pid=$!
wait "$hello_pid" "$stream_pid" "$wrk_pid"

step "what the clients saw"
grep -E "Requests/sec|requests in|Socket errors|Non-2xx| 99%" "$T/wrk.out" | sed 's/^/    wrk: /'
tail -3 "$T/hello.out" | sed 's/^/    /'
tail -4 "$T/stream.out" | sed 's/^/    /'

step "stopping tcpe (SIGINT): final totals"
tcpe_stop
sleep 0.3
echo "    $(wc -l <"$T/stats.jsonl") JSON reports were written to --stats-json (kept until exit)"
