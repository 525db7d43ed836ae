#!/usr/bin/env bash
# Hand-made segments (scapy) on the tap: RFC 5961 challenge ACKs, ACK validation, out-of-window and
# out-of-order data with SACK, PAWS, zero-window probing, malformed frames never answered; a blind
# huge timestamp, an out-of-order FIN with data beyond it, FINs flooding a TIME_WAIT entry.
source "$(dirname "$0")/lib.sh"

peer_setup "-l 0-1" --listen 7:echo --listen 42181:hello --delack-ms 0 --rto-init-ms 1000 \
	--rto-min-ms 1000
tmac=$(in_ns ip neigh show "$TCPE_IP" dev tcpe0 | awk '{print $3}')
in_ns timeout 120 /usr/bin/python3 "$(dirname "$0")/crafted.py" tcpe0 "$tmac" "$TCPE_IP" >&2 ||
	fail "crafted segments (see above)"
peer_stop
check_ge "TCP checksum drops" "$(counter "$T/tcpe.log" drop_tcp_cksum)" 1
check_ge "data offset drops" "$(counter "$T/tcpe.log" drop_tcp_doff)" 1
check_ge "option drops" "$(counter "$T/tcpe.log" drop_tcp_opts)" 1
check_ge "fragment drops" "$(counter "$T/tcpe.log" drop_ip_fragment)" 1
check_ge "broadcast-source drops" "$(counter "$T/tcpe.log" drop_eth_src)" 1
check_ge "challenge ACKs" "$(counter "$T/tcpe.log" challenge_acks)" 2
check_ge "PAWS drops" "$(counter "$T/tcpe.log" drop_tcp_paws)" 1
check_ge "zero-window probes" "$(counter "$T/tcpe.log" zwp_tx)" 1
check_ge "data beyond an out-of-order FIN dropped" "$(counter "$T/tcpe.log" drop_tcp_data_closed)" 1
check_ge "TIME_WAIT ACKs withheld" "$(counter "$T/tcpe.log" tw_acks_limited)" 28
peer_done
