#!/usr/bin/env bash
# Ten thousand concurrent established connections held open on the http app, every one served
# twice over keep-alive; then all of them closed and every record released.
source "$(dirname "$0")/lib.sh"

ulimit -n 65536
peer_setup "-l 0-1" --listen 80:http --max-conns 16384 --time-wait-ms 1000
in_ns timeout 300 python3 "$(dirname "$0")/http_client.py" many "$TCPE_IP" 80 10000 >&2 ||
	fail "10000 concurrent keep-alive connections"
sleep 2	# the clients closed first: records go straight from LAST_ACK to free
peer_stop
check "connections opened" "$(counter "$T/tcpe.log" conn_opened)" 10000
check "requests answered" "$(counter "$T/tcpe.log" http_resp_2xx)" 20000
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
peer_done
