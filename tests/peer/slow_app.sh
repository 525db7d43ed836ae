#!/usr/bin/env bash
# A slow application does not stop the worker: with the http app spending 20 ms per response, a
# client that pipelines 40 requests in one segment (800 ms of work) gets all 40 answers in order,
# while the worker keeps polling its port between responses (--app-slice-us): pings are answered
# and another client's request is served after at most a response or two, not after the 40.
source "$(dirname "$0")/lib.sh"

N=40
peer_setup "-l 0-1" --listen 80:http --http-work-ns 20000000
ip netns exec "$NS" python3 - "$TCPE_IP" "$N" >"$T/pipe.out" 2>&1 <<'PY' &
import socket, sys
from checks import check
ip, n = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((ip, 80), timeout=30)
req = b"GET /x HTTP/1.1\r\nHost: tcpe\r\n\r\n"
s.sendall(req * n)	# one write: one segment of n requests
print("sent", flush=True)
data, answers = b"", 0
while answers < n:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
    answers = data.count(b"HTTP/1.1 200")
check(answers == n, f"pipelined answers: {answers} of {n}")
s.close()
PY
PIPE_PID=$!
track_pid "$PIPE_PID"
for _ in $(seq 100); do grep -q sent "$T/pipe.out" && break; sleep 0.05; done
sleep 0.05	# the 40 requests are in, the first response is being worked on
ip netns exec "$NS" curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 \
	"http://$TCPE_IP/" >"$T/curl" 2>&1 &
CURL_PID=$!
track_pid "$CURL_PID"
in_ns ping -q -c 20 -i 0.02 "$TCPE_IP" >"$T/ping" 2>&1 || fail "ping while the app works"
wait "$CURL_PID" || fail "curl during the pipeline"
curl_t=$(cat "$T/curl")
wait "$PIPE_PID" || fail "the pipelining client: $(cat "$T/pipe.out")"
peer_stop
grep rtt "$T/ping" | sed 's/^/    /' >&2
log "    curl during the pipeline: $curl_t (code, seconds)"
grep -q " 0% packet loss" "$T/ping" || fail "pings lost while the app works"
# Without the slice one iteration takes the whole 800 ms: pings wait for it, curl's request waits
# behind the 40. With it, a ping waits for at most the response being computed (20 ms), and
# curl's request for that one and its own. Both bounds leave ten times the margin.
ping_max=$(awk -F/ '/rtt/ { printf "%d", $(NF-1) }' "$T/ping")
[[ $ping_max =~ ^[0-9]+$ ]] && (( ping_max < 250 )) ||
	fail "slowest ping while the app works: ${ping_max} ms (want < 250; one iteration ran the whole pipeline)"
read -r code secs <<<"$curl_t"
check "curl's answer during the pipeline" "$code" 200
awk -v s="$secs" 'BEGIN { exit !(s < 0.4) }' ||
	fail "curl waited ${secs} s behind the pipeline (want < 0.4 s)"
check_ge "input held for a later slice (app_deferred)" "$(counter "$T/tcpe.log" app_deferred)" 1
check "responses" "$(counter "$T/tcpe.log" http_resp_2xx)" $((N + 1))
peer_done
