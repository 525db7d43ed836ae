#!/usr/bin/env bash
# Client mode (--connect): tcpe opening connections, on the same stack. Against tcpe's own server
# over net_memif (two DPDK processes, no kernel): http kept alive, hello and echo a connection at
# a time at a --rate, bulk downloads; then against the Linux kernel's nginx over the tap. Every
# request completes, no errors, latency percentiles reported, both sides' counts agree.
source "$(dirname "$0")/lib.sh"

SOCK="/tmp/tcpe_memif_$$.sock"
memif_pair() {	# NAME SERVER-OPTS -- CLIENT-OPTS: tcpe server, then the client for --duration
	local name=$1; shift
	local sopts=() copts=()
	while [[ $1 != -- ]]; do sopts+=("$1"); shift; done; shift
	copts=("$@")
	local sp="tcpe_$$_ms_$name" cp="tcpe_$$_mc_$name"
	_tcpe_prefixes+=("$sp" "$cp")
	"$TCPE_BIN" --lcores 0@0,1@0 --no-pci --no-huge -m 512 --file-prefix "$sp" \
		--vdev "net_memif0,role=server,socket=$SOCK,id=0" -- --ip 198.18.1.1/24 \
		--stats-interval 0 "${sopts[@]}" >"$T/s_$name.log" 2>&1 &
	local spid=$!
	track_pid "$spid"
	sleep 1
	"$TCPE_BIN" --lcores 0@1,1@1 --no-pci --no-huge -m 512 --file-prefix "$cp" \
		--vdev "net_memif0,role=client,socket=$SOCK,id=0" -- --ip 198.18.1.2/24 \
		--connect 198.18.1.1:80 --stats-interval 1 --duration 60 "${copts[@]}" \
		>"$T/c_$name.log" 2>&1 &
	local cpid=$!
	track_pid "$cpid"
	sleep 2.5
	# Stop both at once: net_memif unmaps the rings when the peer goes away, and a worker still
	# polling them would fault (a race inside the PMD); neither side may outlive the other running.
	kill -INT "$cpid" "$spid"
	wait "$cpid"
	check "client exit status ($name)" "$?" 0
	wait "$spid"
	check "server exit status ($name)" "$?" 0
	rm -f "$SOCK"
	log "  $name: $(grep '^tcpe: client:' "$T/c_$name.log")"
	log "        $(grep '^client ' "$T/c_$name.log" | tail -1)"
}

memif_pair http --listen 80:http -- --request http --concurrency 16
req=$(counter "$T/c_http.log" client_requests)
check_ge "http requests completed over memif" "$req" 1000
check "client errors (http)" "$(counter "$T/c_http.log" client_errors)" 0
check_ge "server's responses >= client's completed requests" "$(counter "$T/s_http.log" http_requests)" "$req"
check "connections kept (concurrency 16)" "$(counter "$T/c_http.log" active_opens)" 16
grep -q "^tcpe: client: .*latency p50 [0-9]* us  p90 [0-9]* us  p99 [0-9]* us  p99.9" "$T/c_http.log" ||
	fail "no latency percentiles"

memif_pair hello --listen 80:hello --time-wait-ms 500 -- --request hello --rate 300
req=$(counter "$T/c_hello.log" client_requests)
check_ge "hello: one request per connection at --rate 300 for ~2.5 s (at least half of 750)" "$req" 375
check "client errors (hello)" "$(counter "$T/c_hello.log" client_errors)" 0
got=$(counter "$T/c_hello.log" data_rx_bytes)
check_ge "greeting bytes: 12 per completed request at least" "$got" $((req * 12))
check "greeting bytes are whole greetings" "$((got % 12))" 0

memif_pair echo --listen 80:echo -- --request echo:100K --concurrency 4 --requests-per-conn 10
req=$(counter "$T/c_echo.log" client_requests)
check_ge "echo:100K requests completed" "$req" 10
check "client errors (echo)" "$(counter "$T/c_echo.log" client_errors)" 0

memif_pair bulk --listen 80:bulk --bulk-bytes 4M -- --request bulk --concurrency 2
req=$(counter "$T/c_bulk.log" client_requests)
check_ge "bulk downloads completed" "$req" 2
check_ge "bulk bytes received" "$(counter "$T/c_bulk.log" data_rx_bytes)" $((req * 4 << 20))

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
	server { listen $PEER_IP:8080; location / { return 200 "hello from nginx"; } }
}
NGX
ip netns exec "$NS" nginx -p "$T" -c "$T/nginx.conf" -g 'daemon off;' >"$T/nginx.out" 2>&1 &
track_pid $!
tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --connect "$PEER_IP:8080" --request http \
	--concurrency 8 --duration 3 --stats-interval 1 || { fail "tcpe did not come up"; peer_done; }
wait "$TCPE_PID"
check "client exit status (nginx over the tap)" "$?" 0
log "  nginx: $(grep '^tcpe: client:' "$T/tcpe.log")"
req=$(counter "$T/tcpe.log" client_requests)
check_ge "requests completed against nginx" "$req" 100
check "client errors against nginx" "$(counter "$T/tcpe.log" client_errors)" 0
check "connections kept against nginx (concurrency 8)" "$(counter "$T/tcpe.log" active_opens)" 8
check "mbufs in use at exit" "$(sed -n 's/^tcpe: mbufs in use at exit (socket [0-9]*): //p' \
	"$T/tcpe.log" | sort -n | tail -1)" 0
peer_done
