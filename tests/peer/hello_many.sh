#!/usr/bin/env bash
# 1000 hello connections, 100 at a time: every client gets the greeting and a clean close; the
# port's queues are the smallest --rx-desc and --tx-desc allow, and the banner says so (rings:
# 32 + 32 descriptors, the 256-frame TX buffer and two bursts of 32 in the receive pool).
source "$(dirname "$0")/lib.sh"

peer_setup "-l 0-1" --listen 42181:hello --time-wait-ms 2000 --rx-desc 32 --tx-desc 32
grep -q "descriptors rx:32 tx:32\$" "$T/tcpe.log" ||
	fail "banner: no 'descriptors rx:32 tx:32' ($(grep -m1 'tcpe: port 0' "$T/tcpe.log"))"
grep -q "rings 384 for 32 RX + 32 TX descriptors a port" "$T/tcpe.log" ||
	fail "banner: the receive pool does not count 32 + 32 descriptors" \
	     "($(grep -m1 'memory per' "$T/tcpe.log"))"
in_ns timeout 120 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 1000 100 \
	"hello client" >&2 || fail "not every client got 'hello client' and a close"
sleep 3	# let TIME_WAIT (2 s here) expire: records must all come back
peer_stop
check "connections opened" "$(counter "$T/tcpe.log" conn_opened)" 1000
check "greetings sent (bytes)" "$(counter "$T/tcpe.log" data_tx_bytes)" 12000
check "FINs sent" "$(counter "$T/tcpe.log" fin_tx)" 1000
check "TIME_WAIT expiries" "$(counter "$T/tcpe.log" tw_expired)" 1000
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
peer_done
