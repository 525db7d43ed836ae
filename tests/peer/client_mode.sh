#!/usr/bin/env bash
# Client mode (--connect): tcpe opening connections, on the same stack. Against tcpe's own server
# over net_memif (two DPDK processes, no kernel): http kept alive, hello and echo a connection at
# a time at a --rate, bulk downloads, short connections from several source addresses with two
# workers on each side (steering on and off); then against the Linux kernel's nginx over the tap,
# side by side with wrk. Every request completes, no errors, latency percentiles reported, both
# sides' counts agree.
source "$(dirname "$0")/lib.sh"

SOCK="/tmp/tcpe_memif_$$.sock"
# wait_progress JSON KEY MIN: until the client's --stats-json shows the running total KEY at MIN
# or more (bounded: 60 s). Progress, not a clock, decides how long a scenario runs, so a
# contended CPU makes it slower, never wrong.
wait_progress() {
	local json=$1 key=$2 min=$3
	for _ in $(seq 600); do
		python3 - "$json" "$key" "$min" <<'PY' 2>/dev/null && return 0
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if rows and rows[-1]["total"][sys.argv[2]] >= int(sys.argv[3]) else 1)
PY
		sleep 0.1
	done
	return 1
}
memif_pair() {	# NAME KEY MIN SERVER-OPTS -- CLIENT-OPTS: run until the client's KEY reaches MIN
	local name=$1 key=$2 min=$3; shift 3
	local sopts=() copts=()
	while [[ $1 != -- ]]; do sopts+=("$1"); shift; done; shift
	copts=("$@")
	local sp="tcpe_$$_ms_$name" cp="tcpe_$$_mc_$name"
	_tcpe_prefixes+=("$sp" "$cp")
	"$TCPE_BIN" --lcores "${SL:-0@0,1@0}" --no-pci --no-huge -m 512 --file-prefix "$sp" \
		--vdev "net_memif0,role=server,socket=$SOCK,id=0" -- --ip 198.18.1.1/24 \
		--stats-interval 0 "${sopts[@]}" >"$T/s_$name.log" 2>&1 &
	local spid=$!
	track_pid "$spid"
	# up once it reports its listeners (net_memif sockets are abstract: no file to wait for)
	for _ in $(seq 100); do grep -q "^tcpe: listening" "$T/s_$name.log" 2>/dev/null && break; sleep 0.1; done
	"$TCPE_BIN" --lcores "${CL:-0@1,1@1}" --no-pci --no-huge -m 512 --file-prefix "$cp" \
		--vdev "net_memif0,role=client,socket=$SOCK,id=0" -- --ip 198.18.1.2/24 \
		--connect 198.18.1.1:80 --stats-interval 1 --duration 90 --stats-json "$T/c_$name.json" \
		"${copts[@]}" >"$T/c_$name.log" 2>&1 &
	local cpid=$!
	track_pid "$cpid"
	wait_progress "$T/c_$name.json" "$key" "$min" || fail "$name: the client's $key did not reach $min"
	# Both stop at once; before closing the link they agree that neither polls it any more
	# (net_memif unmaps the rings under a peer that still polls: lib/rt/link.h).
	kill -INT "$cpid" "$spid"
	wait "$cpid"
	check "client exit status ($name)" "$?" 0
	wait "$spid"
	check "server exit status ($name)" "$?" 0
	rm -f "$SOCK"
	log "  $name: $(grep '^tcpe: client:' "$T/c_$name.log")"
	log "        $(grep '^client ' "$T/c_$name.log" | tail -1)"
}

memif_pair http responses 1000 --listen 80:http -- --request http --concurrency 16
req=$(counter "$T/c_http.log" client_requests)
check_ge "http requests completed over memif" "$req" 1000
check "client errors (http)" "$(counter "$T/c_http.log" client_errors)" 0
check_ge "server's responses >= client's completed requests" "$(counter "$T/s_http.log" http_requests)" "$req"
check "connections kept (concurrency 16)" "$(counter "$T/c_http.log" active_opens)" 16
grep -q "^tcpe: client: .*latency p50 [0-9]* us  p90 [0-9]* us  p99 [0-9]* us  p99.9" "$T/c_http.log" ||
	fail "no latency percentiles"

memif_pair hello responses 400 --listen 80:hello --time-wait-ms 500 -- --request hello --rate 300
req=$(counter "$T/c_hello.log" client_requests)
check_ge "hello: one request per connection at --rate 300" "$req" 400
check "client errors (hello)" "$(counter "$T/c_hello.log" client_errors)" 0
got=$(counter "$T/c_hello.log" data_rx_bytes)
check_ge "greeting bytes: 12 per completed request at least" "$got" $((req * 12))
check "greeting bytes are whole greetings" "$((got % 12))" 0

memif_pair echo responses 10 --listen 80:echo -- --request echo:100K --concurrency 4 --requests-per-conn 10
req=$(counter "$T/c_echo.log" client_requests)
check_ge "echo:100K requests completed" "$req" 10
check "client errors (echo)" "$(counter "$T/c_echo.log" client_errors)" 0

memif_pair bulk responses 2 --listen 80:bulk --bulk-bytes 4M -- --request bulk --concurrency 2
req=$(counter "$T/c_bulk.log" client_requests)
check_ge "bulk downloads completed" "$req" 2
check_ge "bulk bytes received" "$(counter "$T/c_bulk.log" data_rx_bytes)" $((req * 4 << 20))

# Both sides with --rx-coalesce-us: every poll after a short burst waits for the hold, so the
# segments of many connections are taken and answered together. Nothing may be lost or reordered
# into an error by it; the held time is counted on both sides.
memif_pair coalesce responses 3000 --listen 80:http --rx-coalesce-us 20 -- --request http \
	--concurrency 32 --requests-per-conn 1 --rx-coalesce-us 20
s=$T/s_coalesce.log c=$T/c_coalesce.log
check_ge "short connections completed (--rx-coalesce-us 20)" "$(counter "$c" client_requests)" 3000
check "client errors (--rx-coalesce-us 20)" "$(counter "$c" client_errors)" 0
check "server: RSTs for segments without a record (--rx-coalesce-us 20)" "$(counter "$s" rst_no_conn)" 0
check_ge "server: time held after short bursts, us" "$(counter "$s" rx_coalesce_us)" 1
check_ge "client: time held after short bursts, us" "$(counter "$c" rx_coalesce_us)" 1
log "  coalesce: server frames per busy iteration $(( $(counter "$s" rx_pkts) / ($(counter "$s" busy_loops) + 1) ))"

# Short connections (one request each; the server closes first and keeps the TIME_WAIT) from four
# source addresses, two workers on each side. memif has no RSS: worker i of each side polls queue
# i, so a reply reaches the opening worker only because the client chose a source (address, port)
# whose Toeplitz owner is that worker, and the request lands on the server's owning worker for
# the same reason. With server steering on, a segment on the wrong queue would be handed over
# (none may be); with it off, a wrong one would find no record (RST). Either way: the invariant.
for steer in on off; do
	SL=0@0,1@0,2@0 CL=0@1,1@1,2@1 memif_pair "conn_$steer" responses 5000 --listen 80:http \
		--steer "$steer" --trace 32 -- --request http --concurrency 32 --requests-per-conn 1 \
		--source-ips 198.18.1.10-198.18.1.13
	s=$T/s_conn_$steer.log c=$T/c_conn_$steer.log
	req=$(counter "$c" client_requests)
	check_ge "short connections completed (steer $steer)" "$req" 5000
	check "client errors (steer $steer)" "$(counter "$c" client_errors)" 0
	check "server: segments handed to another worker (steer $steer)" "$(counter "$s" steered_out)" 0
	for side in server client; do
		f=$s; [[ $side == client ]] && f=$c
		check "$side: records made by a worker that does not own the tuple" \
			"$(counter "$f" steer_misowned)" 0
		check "$side: RSTs for segments without a record" "$(counter "$f" rst_no_conn)" 0
	done
	read -r _ cw1 cw2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$c")
	read -r _ sw1 sw2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$s")
	check_ge "client worker 1 opened connections" "${cw1:-0}" 1000
	check_ge "client worker 2 opened connections" "${cw2:-0}" 1000
	# a few may still be in the handshake when both stop
	check "server worker 1 took client worker 1's connections (within 32)" \
		"$(( ${sw1:-0} > ${cw1:-0} - 33 && ${sw1:-0} <= ${cw1:-0} ))" 1
	check "server worker 2 took client worker 2's connections (within 32)" \
		"$(( ${sw2:-0} > ${cw2:-0} - 33 && ${sw2:-0} <= ${cw2:-0} ))" 1
	# A response + FIN that reaches the client after its worker's time slice was used up (three
	# threads share a CPU here) waits for the next iteration: the FIN is ACKed at once, and the
	# client's own FIN follows in a segment of its own (one more per client app_deferred).
	check "server: 6 segments per connection, FIN on the response (tcp_rx ~ 3 per conn)" \
		"$(( $(counter "$s" tcp_rx) <= 3 * $(counter "$s" conn_opened) + 200 + \
		     $(counter "$c" app_deferred) ))" 1
	check "client kept no TIME_WAIT (the server closed first)" "$(counter "$c" tw_entries)" 0
done
srcs=$(sed -n 's/^trace: connection [0-9.]*  \(198\.18\.1\.[0-9]*\):.*/\1/p' "$T/s_conn_on.log" | sort -u | wc -l)
# (32 traced per worker: client ports start at a random offset per address, RFC 6056, so which
# address a worker's first few connections use is not fixed; 64 connections see all four)
check "distinct source addresses the server saw in its traced connections" "$srcs" 4
python3 - "$T/c_conn_on.json" <<'PY' || fail "client-mode keys in --stats-json"
import json, sys
from checks import check
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
check(len(rows) >= 1, "no --stats-json line")
keys = ("requests", "responses", "errors", "lat_p50_us", "lat_p99_us", "lat_p999_us")
for r in rows:
    for obj in [r["total"]] + r["workers"]:
        missing = [k for k in keys if k not in obj]
        check(not missing, missing)
    check(r["total"]["responses"] == sum(w["responses"] for w in r["workers"]), 'r["total"]["responses"] == sum(w["responses"] for w in r["workers"])')
    check(r["total"]["requests"] >= r["total"]["responses"], 'r["total"]["requests"] >= r["total"]["responses"]')
busy = [r for r in rows if r["total"]["lat_p50_us"] > 0]
check(busy, "no interval with latency")
for r in busy:
    t = r["total"]
    check(0 < t["lat_p50_us"] <= t["lat_p99_us"] <= t["lat_p999_us"], t)
print("  ok: --stats-json has requests/responses/errors/lat_p50_us/lat_p99_us/lat_p999_us, total and per worker")
PY

# --- against the Linux kernel's TCP (nginx) over the tap -------------------------------------
ns_create "$NS" || { fail "namespace"; peer_done; }
in_ns sysctl -qw net.ipv4.ip_nonlocal_bind=1	# nginx binds before the tap has its address
cat >"$T/nginx.conf" <<NGX
worker_processes 1;
error_log $T/nginx.err;
pid $T/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 1000000;
	client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
	uwsgi_temp_path $T; scgi_temp_path $T;
	server { listen $PEER_IP:8080; listen 127.0.0.1:8080;
		 location / { return 200 "hello from nginx"; }
		 location = /nginx_status { stub_status; } }
}
NGX
ip netns exec "$NS" nginx -p "$T" -c "$T/nginx.conf" -g 'daemon off;' >"$T/nginx.out" 2>&1 &
track_pid $!
# nginx's own count of the requests it handled (stub_status "requests"; the status request itself
# counts too).
nginx_requests() { in_ns curl -s "http://127.0.0.1:8080/nginx_status" | awk 'NR == 3 { print $3 }'; }
tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --connect "$PEER_IP:8080" --request http \
	--concurrency 8 --duration 3 --stats-interval 1 || { fail "tcpe did not come up"; peer_done; }
wait "$TCPE_PID"
check "client exit status (nginx over the tap)" "$?" 0
log "  nginx: $(grep '^tcpe: client:' "$T/tcpe.log")"
req=$(counter "$T/tcpe.log" client_requests)
check_ge "requests completed against nginx" "$req" 100
check "client errors against nginx" "$(counter "$T/tcpe.log" client_errors)" 0
check "connections kept against nginx (concurrency 8)" "$(counter "$T/tcpe.log" active_opens)" 8
# The same server measured by wrk, over the namespace's loopback (the tap left with tcpe). Both
# clients' counts must agree with what nginx says it handled; their rates are reported, not
# compared (the paths differ: the tap's reads and writes cost nginx's CPU about half its rate).
n0=$(nginx_requests)
check "tcpe's completed requests = nginx's count (within its 8 connections)" \
	"$(( n0 - 1 >= req && n0 - 1 <= req + 8 ))" 1
sleep 0.5
n1=$(nginx_requests)
served=$((n1 - n0 - 1))
check "nginx is idle again (requests served between two status reads)" "$served" 0
wrk_out=$(in_ns taskset -c 1 timeout 20 wrk -t1 -c8 -d3s "http://127.0.0.1:8080/" 2>&1)
n2=$(nginx_requests)
wrk_req=$(awk '/requests in/ { print $1 }' <<<"$wrk_out")
wrk_rate=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$wrk_out")
tcpe_rate=$((req / 3))
log "  same nginx: tcpe client (tap, 8 conns) $tcpe_rate req/s, wrk (loopback, 8 conns) $wrk_rate req/s"
# wrk counts completed responses; nginx also counts the few it answered after wrk stopped reading
wrk_nginx=$((n2 - n1 - 1))
check "wrk's requests = nginx's count (within wrk's 8 connections)" \
	"$(( wrk_nginx >= wrk_req && wrk_nginx <= wrk_req + 8 ))" 1
check "mbufs in use at exit" "$(mbufs_left "$T/tcpe.log")" 0
peer_done
