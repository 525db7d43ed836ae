#!/usr/bin/env bash
# A SYN flood from spoofed sources and random ports while ordinary clients keep connecting: the
# backlog fills, SYN cookies take over, every real client is still served, and once the flood
# stops every half-open record is gone.
source "$(dirname "$0")/lib.sh"

FLOOD=${SYNFLOOD_COUNT:-150000}
peer_setup "-l 0-1" --listen 42181:hello --syn-backlog 256 --synack-retries 1 \
	--rto-init-ms 200 --time-wait-ms 500
mac=$(in_ns cat /sys/class/net/tcpe0/address)
# tcpe's MAC: the one the kernel resolved for $TCPE_IP
tmac=$(in_ns ip neigh show "$TCPE_IP" dev tcpe0 | awk '{print $3}')
[[ -n $tmac ]] || fail "tcpe's MAC not in the neighbour table"
in_ns timeout 60 python3 "$(dirname "$0")/synflood.py" tcpe0 "$tmac" "$TCPE_IP" 42181 "$FLOOD" 30 \
	>"$T/flood.out" 2>&1 &
flood=$!
track_pid "$flood"
sleep 0.5	# the backlog is full by now
in_ns timeout 120 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 500 50 \
	"hello client" >&2 || fail "not every client got 'hello client' while the flood ran"
kill -0 "$flood" 2>/dev/null || log "  (the flood ended before the clients did)"
wait "$flood"
log "  flood: $(cat "$T/flood.out") from $mac"
sleep 1.5	# half-open records: one SYN-ACK retransmission at 200 ms, gone by ~600 ms
peer_stop
syn=$(counter "$T/tcpe.log" syn_rx)
check_ge "SYNs received" "$syn" $((FLOOD / 2))
check_ge "SYN cookies sent" "$(counter "$T/tcpe.log" syncookies_sent)" 1000
check_ge "connections opened from cookies" "$(counter "$T/tcpe.log" syncookies_ok)" 1
check_ge "connections opened" "$(counter "$T/tcpe.log" conn_opened)" 500
check "half-open records left" "$(counter "$T/tcpe.log" state_syn_rcvd)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
check "greetings sent (bytes)" "$(counter "$T/tcpe.log" data_tx_bytes)" $((500 * 12))
peer_done
