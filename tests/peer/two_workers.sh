#!/usr/bin/env bash
# Two workers on a two-queue tap: connections spread over both, and no connection's segments
# ever reach the other worker (that worker would have no record and answer with a RST).
source "$(dirname "$0")/lib.sh"

# Control and worker 1 share CPU 0 (the control core sleeps), worker 2 has CPU 1.
peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello --listen 7:echo --time-wait-ms 1000
in_ns timeout 180 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 400 50 \
	"hello client" >&2 || fail "hello clients over two workers"
in_ns timeout 180 python3 "$(dirname "$0")/clients.py" echo "$TCPE_IP" 7 $((256 << 10)) 16 >&2 ||
	fail "echo over two workers"
sleep 1.5
peer_stop
grep -q "2 workers on lcores 1 2" "$T/tcpe.log" || fail "tcpe did not start two workers"
read -r total w1 w2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$T/tcpe.log")
check "connections opened in total" "$total" 416
check_ge "connections on worker lcore 1" "${w1:-0}" 1
check_ge "connections on worker lcore 2" "${w2:-0}" 1
# The invariant: a segment of a connection on the wrong worker finds no record there.
check "RSTs for segments without a record" "$(counter "$T/tcpe.log" rst_no_conn)" 0
check "segments dropped in LISTEN" "$(counter "$T/tcpe.log" drop_tcp_listen_other)" 0
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
peer_done
