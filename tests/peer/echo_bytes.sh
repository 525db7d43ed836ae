#!/usr/bin/env bash
# Megabytes through the echo app come back byte for byte; discard swallows an upload; no leaks.
source "$(dirname "$0")/lib.sh"

peer_setup "-l 0-1" --listen 7:echo --listen 9:discard
in_ns timeout 180 python3 "$(dirname "$0")/clients.py" echo "$TCPE_IP" 7 $((8 << 20)) 1 >&2 ||
	fail "8 MiB through echo on one connection"
in_ns timeout 180 python3 "$(dirname "$0")/clients.py" echo "$TCPE_IP" 7 $((1 << 20)) 4 >&2 ||
	fail "1 MiB through echo on each of 4 concurrent connections"
in_ns timeout 120 python3 "$(dirname "$0")/clients.py" upload "$TCPE_IP" 9 $((16 << 20)) >&2 ||
	fail "16 MiB upload to discard"
sleep 0.5
peer_stop
check "connections opened" "$(counter "$T/tcpe.log" conn_opened)" 6
check "bytes received in order" "$(counter "$T/tcpe.log" data_rx_bytes)" $(( (8 << 20) + (4 << 20) + (16 << 20) ))
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
# The peer closed last on echo/discard, so every record is released: nothing leaked.
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
peer_done
