#!/usr/bin/env bash
# 802.1Q: tcpe on VLAN 100 (--vlan 100). This kernel has no 802.1Q sub-interfaces, so the trunk
# is the L2 relay (tests/tools/lossy_relay.c --vlan 100) between the client's veth and tcpe's tap:
# it tags what goes to tcpe and passes on from tcpe only what is tagged 100. ARP, ping (also a
# full-MTU frame: 1518 bytes tagged), echo byte-exact, HTTP and the seed's greeting go through,
# and IPv6 too (neighbour discovery, ping -6, echo byte-exact over IPv6);
# every frame tcpe sends is tagged 100 (a capture on the tap says so); frames tagged 200 and
# untagged ones are dropped and counted (vlan_other), never answered.
source "$(dirname "$0")/lib.sh"

RELAY="$TCPE_BUILD/tests/lossy_relay"

# client ns (c0) <-> veth <-> tcpe's ns (m0) =relay, trunk of VLAN 100= tcpe0 (tcpe's tap)
TCPE_TAP_BARE=1 peer_setup "-l 0-1" --vlan 100 --ip6 2001:2::1/64 --listen 7:echo \
	--listen 80:http --listen 42181:hello
relay_client_ns
ip netns exec "$NS" "$RELAY" -a m0 -b tcpe0 --vlan 100 --duration 120 >"$T/relay.log" 2>&1 &
RELAY_PID=$!
track_pid "$RELAY_PID"
ip netns exec "$NS" tcpdump -i tcpe0 -nn -U -w "$T/vlan.pcap" >/dev/null 2>&1 &
DUMP_PID=$!
track_pid "$DUMP_PID"
sleep 1
kill -0 "$RELAY_PID" 2>/dev/null || { cat "$T/relay.log" >&2; fail "relay did not start"; peer_done; }

in_c() { ip netns exec "$NS_C" "$@"; }
in_c ping -q -c 20 -i 0.01 "$TCPE_IP" >"$T/ping" 2>&1 || fail "ping over VLAN 100"
# IPv6 on the client's side of the trunk (quiet_if turned it off there)
in_c sysctl -qw net.ipv6.conf.c0.disable_ipv6=0
in_c ip -6 addr add 2001:2::2/64 dev c0 nodad
for _ in $(seq 50); do in_c ping -6 -c 1 -W 1 2001:2::1 >/dev/null 2>&1 && break; sleep 0.2; done
in_c ping -6 -q -c 10 -i 0.01 2001:2::1 >"$T/ping6" 2>&1 || fail "ping -6 over VLAN 100"
in_c timeout 120 python3 "$(dirname "$0")/clients.py" echo 2001:2::1 7 $((1 << 20)) 2 >&2 ||
	fail "1 MiB through echo over IPv6 over VLAN 100 on each of 2 connections"
in_c ping -q -c 5 -i 0.01 -s 1472 -M do "$TCPE_IP" >"$T/ping_full" 2>&1 ||
	fail "ping of a full-MTU frame over VLAN 100 (1518 bytes tagged)"
in_c timeout 120 python3 "$(dirname "$0")/clients.py" echo "$TCPE_IP" 7 $((4 << 20)) 2 >&2 ||
	fail "4 MiB through echo over VLAN 100 on each of 2 connections"
code=$(in_c curl -s -o "$T/body" -w '%{http_code}' --max-time 5 "http://$TCPE_IP/bytes/100000")
check "HTTP over VLAN 100" "$code" 200
check "HTTP body bytes" "$(stat -c %s "$T/body" 2>/dev/null)" 100000
# the seed's client connects to 127.0.0.1:42181: DNAT it to tcpe (as seed_nat does on a tap)
in_c sysctl -qw net.ipv4.conf.all.route_localnet=1
in_c iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport 42181 -j DNAT \
	--to-destination "$TCPE_IP:42181"
in_c iptables -t nat -A POSTROUTING -o c0 -j MASQUERADE
out=$(in_c timeout 20 node "$SEED_DIR/tcp-client.js" 2>&1)
grep -qx "Received : hello client" <<<"$out" || fail "the seed's client over VLAN 100: $out"
# Echo requests for tcpe tagged 200 and untagged, straight onto the tap: dropped, not answered.
mac=$(sed -n 's/^tcpe: port 0 (net_tap) \([0-9A-Fa-f:]*\) .*/\1/p' "$T/tcpe.log" | tr 'A-F' 'a-f')
ip netns exec "$NS" /usr/bin/python3 - "$mac" "$TCPE_IP" <<'PY' || fail "scapy frames"
import sys
from scapy.all import Ether, Dot1Q, IP, ICMP, sendp, conf
conf.verb = 0
mac, ip = sys.argv[1], sys.argv[2]
base = IP(src="198.18.0.9", dst=ip) / ICMP(id=9, seq=1)
sendp(Ether(dst=mac, src="02:00:00:00:00:09") / Dot1Q(vlan=200) / base, iface="tcpe0")
sendp(Ether(dst=mac, src="02:00:00:00:00:09") / base, iface="tcpe0")
PY
sleep 0.5
kill -INT "$DUMP_PID" "$RELAY_PID" 2>/dev/null
wait "$DUMP_PID" 2>/dev/null
wait "$RELAY_PID" 2>/dev/null
peer_stop
grep -h "transmitted" "$T/ping" "$T/ping_full" | sed 's/^/    /' >&2
sed 's/^/    /' "$T/relay.log" >&2
grep -q " 0% packet loss" "$T/ping" || fail "ping loss over VLAN 100"
grep -q " 0% packet loss" "$T/ping_full" || fail "full-MTU ping loss over VLAN 100"
grep -q " 0% packet loss" "$T/ping6" || fail "ping -6 loss over VLAN 100"
# every frame from tcpe's MAC on the wire carried tag 100
tshark -r "$T/vlan.pcap" -Y "eth.src == $mac" -T fields -e vlan.id >"$T/tags" 2>/dev/null
check_ge "frames from tcpe in the capture" "$(grep -c . "$T/tags")" 1000
check "frames from tcpe without tag 100" "$(grep -cvx 100 "$T/tags")" 0
check "frames from tcpe the trunk would not pass (relay b->a vlan_other)" \
	"$(sed -n 's/.*b->a: .* vlan_other \([0-9]*\).*/\1/p' "$T/relay.log")" 0
grep -q "vlan 100 (strip:sw insert:sw)" "$T/tcpe.log" || fail "the banner does not show the VLAN"
check_ge "frames tagged 200 or untagged, dropped (vlan_other)" \
	"$(counter "$T/tcpe.log" drop_vlan_other)" 2
check "echo requests answered (25 pings; not the two off the VLAN)" \
	"$(counter "$T/tcpe.log" icmp_tx)" 25
check_ge "ICMPv6 echo replies over VLAN 100 (11 pings at least)" \
	"$(counter "$T/tcpe.log" icmp6_tx)" 11
check_ge "neighbour advertisements over VLAN 100" "$(counter "$T/tcpe.log" nd_tx)" 2
check "frames that could not be tagged" "$(counter "$T/tcpe.log" drop_vlan_insert)" 0
check "echo bytes received in order (2 x 4 MiB and 2 x 1 MiB over IPv6 at least)" \
	"$(( $(counter "$T/tcpe.log" data_rx_bytes) >= 2 * (4 << 20) + 2 * (1 << 20) ))" 1
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
peer_done
