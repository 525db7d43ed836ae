#!/usr/bin/env bash
# A path whose MTU is 1400, not the 1500 both ends see: the L2 relay (tests/tools/lossy_relay.c)
# between the client's veth and tcpe's tap does not pass IPv4 packets over 1400 bytes. With ICMP
# "fragmentation needed" coming back (a router's answer), tcpe lowers the connection's segment
# size at once (RFC 1191, the quote checked per RFC 5927); with the ICMP filtered away (a black
# hole), it finds the size after two timeouts of full-size segments (RFC 4821). Either way 1 MiB
# downloads byte for byte. An echo request with IP options is answered without them.
source "$(dirname "$0")/lib.sh"

RELAY="$TCPE_BUILD/tests/lossy_relay"
BYTES=$((1 << 20))

relay_start() {	# LOG RELAY-OPTIONS...: the 1400-byte hop between m0 and tcpe0
	local log=$1
	shift
	ip netns exec "$NS" "$RELAY" -a m0 -b tcpe0 --mtu 1400 --duration 120 "$@" >"$log" 2>&1 &
	RELAY_PID=$!
	track_pid "$RELAY_PID"
	sleep 0.3
	kill -0 "$RELAY_PID" 2>/dev/null || { cat "$log" >&2; fail "relay did not start"; peer_done; }
}

relay_stop() { kill -INT "$RELAY_PID" 2>/dev/null; wait "$RELAY_PID" 2>/dev/null; }

download() {	# LABEL: 1 MiB over a new connection, checked against the body pattern
	local t0 t1
	t0=$(date +%s.%N)
	if ! ip netns exec "$NS_C" curl -s -m 30 -o "$T/body" "http://$TCPE_IP/bytes/$BYTES"; then
		fail "$1: download did not complete"
		return
	fi
	t1=$(date +%s.%N)
	check "$1: body" "$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
p = b"0123456789abcdefghijklmnopqrstuv"
print("ok" if len(d) == int(sys.argv[2]) and all(d[i] == p[i % 32] for i in range(0, len(d), 997)) else "bad %d" % len(d))
' "$T/body" "$BYTES")" ok
	log "  $1: 1 MiB in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
}

# client ns (c0) <-> veth <-> tcpe's ns (m0) =relay, MTU 1400= tcpe0 (tcpe's tap)
TCPE_TAP_BARE=1 peer_setup "-l 0-1" --listen 80:http --rto-init-ms 200 --rto-min-ms 100 \
	--time-wait-ms 500
relay_client_ns

relay_start "$T/relay_icmp.log" --icmp
for _ in $(seq 20); do ip netns exec "$NS_C" ping -c 1 -W 1 "$TCPE_IP" >/dev/null 2>&1 && break; done
download "with ICMP fragmentation needed"
relay_stop
icmp_sent=$(sed -n 's/.*b->a: .* icmp \([0-9]*\).*/\1/p' "$T/relay_icmp.log")
check_ge "fragmentation-needed messages the hop sent tcpe" "${icmp_sent:-0}" 1

relay_start "$T/relay_hole.log"
download "through a black hole (no ICMP)"
# echo with IP options (record route): answered, without the options
ip netns exec "$NS_C" /usr/bin/python3 - "$TCPE_IP" >"$T/ping_opts" 2>&1 <<'PY'
import sys
from scapy.all import IP, ICMP, IPOption_RR, sr1, conf
conf.verb = 0
r = sr1(IP(dst=sys.argv[1], options=[IPOption_RR(routers=["0.0.0.0"])]) / ICMP(id=7, seq=1) / (b"x" * 32), timeout=3)
print("no reply" if r is None else "ihl %d type %d options %d" % (r[IP].ihl, r[ICMP].type, len(r[IP].options)))
PY
check "echo reply to a request with IP options" "$(cat "$T/ping_opts")" "ihl 5 type 0 options 0"
relay_stop
cat "$T/relay_icmp.log" "$T/relay_hole.log" >&2

peer_stop
check "connections lowered by ICMP" "$(counter "$T/tcpe.log" pmtu_reduced)" 1
check_ge "black-hole steps taken" "$(counter "$T/tcpe.log" pmtu_blackhole)" 1
check "ICMP quoting what was not in flight" "$(counter "$T/tcpe.log" drop_icmp_stale)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
check "connections reset" "$(counter "$T/tcpe.log" conn_reset)" 0
peer_done
