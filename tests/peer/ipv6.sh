#!/usr/bin/env bash
# IPv6, dual stack (--ip6): the kernel resolves tcpe by neighbour discovery, pings it (also a
# full-MTU frame), and reaches it over TCP with the seed's own client (the notes' table, over
# IPv6, in the capture and in tcpe's --trace), curl and echo byte-exact, while IPv4 keeps working;
# the SYN-ACK announces an MSS of 1440 (1500 - 40 - 20); IPv6 frames with extension headers, a
# fragment header or a payload length beyond the frame are dropped and counted, never answered.
# Then the kernel as an IPv6 router between tcpe and a client behind a 1400-byte link: its
# packet too big makes tcpe lower the connection's segment size (RFC 8201) and a 1 MiB download
# completes byte for byte. Then SYN cookies over IPv6: with the SYN backlog held by spoofed SYNs,
# curl -6 is served from a cookie. Then two workers on a two-queue tap: software steering hands IPv6 segments to the worker the
# Toeplitz hash of their addresses names, so no connection is seen by both. Then client mode
# over IPv6 (--connect [ADDR6]:PORT): against the kernel's nginx on the tap (tcpe resolves it by
# neighbour solicitation), and tcpe against tcpe over net_memif with two workers on each side,
# where the client picks source ports whose IPv6 Toeplitz owner is the opening worker.
source "$(dirname "$0")/lib.sh"

TCPE6=2001:2::1
PEER6=2001:2::2

peer_setup "-l 0-1" --ip6 "$TCPE6/64" --listen 7:echo --listen 80:http --listen 42181:hello \
	--trace 1
in_ns ip -6 addr add "$PEER6/64" dev tcpe0 nodad
ok6=0
for _ in $(seq 50); do
	in_ns ping -6 -c 1 -W 1 "$TCPE6" >/dev/null 2>&1 && { ok6=1; break; }
	sleep 0.2
done
check "tcpe answers ping -6 (its address resolved by neighbour discovery)" "$ok6" 1
grep -q "198.18.0.1/24 $TCPE6/64 " "$T/tcpe.log" || fail "the banner does not show the IPv6 address"

# The seed's client, unmodified, dials 127.0.0.1: no kernel NAT turns IPv4 into IPv6, so a module
# preloaded into node (-r) sends that one connection to tcpe's IPv6 address instead.
cat >"$T/to_ipv6.js" <<JS
const net = require('net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (port, host, cb) {
  if (port === 42181 && host === '127.0.0.1') host = '$TCPE6';
  return connect.call(this, port, host, cb);
};
JS
capture_start "$NS" tcpe0 "$T/seed6.pcap" ip6 and tcp port 42181 || fail "no capture"
out=$(in_ns timeout 20 node -r "$T/to_ipv6.js" "$SEED_DIR/tcp-client.js" 2>&1)
log "$out" | sed 's/^/    node: /' >&2
capture_stop
grep -qx "Received : hello client" <<<"$out" || fail "the seed's client over IPv6: $out"
grep -qx "Client: Disconnected from Server" <<<"$out" || fail "node did not print the disconnect line"
tshark -r "$T/seed6.pcap" -o tcp.relative_sequence_numbers:TRUE -T fields -E separator=' ' \
	-e ipv6.src -e tcp.flags -e tcp.seq -e tcp.ack -e tcp.len >"$T/segs.txt" 2>/dev/null
log "    capture (src flags seq ack len):"; sed 's/^/      /' "$T/segs.txt" >&2
server=$(awk -v s="$TCPE6" '$1 == s { printf "%s %s %s %s;", $2, $3, $4, $5 }' "$T/segs.txt")
check "server segments over IPv6 (the seed table's rows 2, 4, 6, 9)" "$server" \
	"0x0012 0 1 0;0x0018 1 1 12;0x0011 13 1 0;0x0010 14 2 0;"
client_fin=$(awk -v s="$PEER6" '$1 == s && $2 == "0x0011" { print $3, $4 }' "$T/segs.txt")
check "client's FIN+ACK over IPv6 (seq ack)" "$client_fin" "1 14"
check "MSS in tcpe's SYN-ACK over IPv6" \
	"$(tshark -r "$T/seed6.pcap" -Y "ipv6.src == $TCPE6 && tcp.flags.syn == 1" -T fields \
	   -e tcp.options.mss_val 2>/dev/null | head -1)" 1440
grep -q "trace: connection 0.1  \[$PEER6\]:[0-9]* -> \[$TCPE6\]:42181" "$T/tcpe.log" ||
	fail "--trace does not name the IPv6 ends"
trace=$(awk '/^trace: +0\.1 /{ printf "%s %s %s %s %s;", $4, $5, $6, $7, $8 }' "$T/tcpe.log" |
	sed -E 's/in ACK 1 1[34] 0;//g')
check "tcpe --trace rows over IPv6 (dir flags seq ack len)" "$trace" \
	"in SYN 0 - 0;out SYN,ACK 0 1 0;in ACK 1 1 0;out PSH,ACK 1 1 12;out FIN,ACK 13 1 0;in FIN,ACK 1 14 0;out ACK 14 2 0;"

in_ns ping -6 -q -c 20 -i 0.01 "$TCPE6" >"$T/ping" 2>&1 || fail "ping -6"
in_ns ping -6 -q -c 5 -i 0.01 -s 1452 -M do "$TCPE6" >"$T/ping_full" 2>&1 ||
	fail "ping -6 of a full-MTU packet (1500 bytes)"
in_ns timeout 120 python3 "$(dirname "$0")/clients.py" echo "$TCPE6" 7 $((4 << 20)) 2 >&2 ||
	fail "4 MiB through echo over IPv6 on each of 2 connections"
code=$(in_ns curl -6 -s -o "$T/body" -w '%{http_code}' --max-time 5 "http://[$TCPE6]/bytes/100000")
check "HTTP over IPv6" "$code" 200
check "HTTP body bytes over IPv6" "$(stat -c %s "$T/body" 2>/dev/null)" 100000
code=$(in_ns curl -s -o "$T/body4" -w '%{http_code}' --max-time 5 "http://$TCPE_IP/bytes/1000")
check "HTTP over IPv4 beside it" "$code" 200

# Malformed IPv6, straight onto the tap from scapy: each dropped for its reason, none answered.
mac=$(sed -n 's/^tcpe: port 0 (net_tap) \([0-9A-Fa-f:]*\) .*/\1/p' "$T/tcpe.log" | tr 'A-F' 'a-f')
in_ns /usr/bin/python3 - "$mac" "$TCPE6" <<'PY' || fail "scapy frames"
import sys
from scapy.all import (Ether, IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrFragment,
                       TCP, raw, sendp, conf)
conf.verb = 0
mac, dst = sys.argv[1], sys.argv[2]
eth = Ether(dst=mac, src="02:00:00:00:00:09")
ip = IPv6(src="2001:2::9", dst=dst)
syn = TCP(sport=40009, dport=80, flags="S", seq=1)
frames = [eth / ip / IPv6ExtHdrHopByHop() / syn,
          eth / ip / IPv6ExtHdrRouting() / syn,
          eth / ip / IPv6ExtHdrFragment(m=1, id=7) / syn]
bad_len = bytearray(raw(eth / ip / syn))
bad_len[18:20] = (200).to_bytes(2, "big")     # payload length 200 in a 20-byte payload
for f in frames:
    sendp(f, iface="tcpe0")
sendp(Ether(bytes(bad_len)), iface="tcpe0")
PY
sleep 0.5
peer_stop
grep -h "transmitted" "$T/ping" "$T/ping_full" | sed 's/^/    /' >&2
grep -q " 0% packet loss" "$T/ping" || fail "ping -6 loss"
grep -q " 0% packet loss" "$T/ping_full" || fail "full-MTU ping -6 loss"
check_ge "neighbour advertisements sent" "$(counter "$T/tcpe.log" nd_tx)" 2
check_ge "echo replies over IPv6 (26 pings at least)" "$(counter "$T/tcpe.log" icmp6_tx)" 26
check_ge "TCP segments over IPv6" "$(counter "$T/tcpe.log" tcp6_rx)" 1000
check "extension headers dropped (hop-by-hop, routing)" \
	"$(counter "$T/tcpe.log" drop_ip6_ext_hdr)" 2
check "fragments dropped" "$(counter "$T/tcpe.log" drop_ip6_fragment)" 1
check "payload length beyond the frame dropped" "$(counter "$T/tcpe.log" drop_ip6_payload_len)" 1
check "key clashes" "$(counter "$T/tcpe.log" drop_ip6_key_clash)" 0
check "connections opened (seed, 2 echo, 2 curl)" "$(counter "$T/tcpe.log" conn_opened)" 5
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
check "echo bytes received in order (2 x 4 MiB at least)" \
	"$(( $(counter "$T/tcpe.log" data_rx_bytes) >= 2 * (4 << 20) ))" 1

# Path MTU over IPv6: tcpe (2001:2::1) - tap - the test's namespace, forwarding - veth with
# MTU 1400 - the client (2001:2:0:1::2). The client announces an MSS of 1440 (advmss) as if its
# link took 1500 bytes, so tcpe's full segments reach the router, which answers packet too big.
ip netns del "$NS"
sleep 0.5
peer_setup "-l 0-1" --ip6 "$TCPE6/64" --listen 80:http --rto-init-ms 200 --rto-min-ms 100
in_ns ip -6 addr add "$PEER6/64" dev tcpe0 nodad
ns_create "$NS_C" || { fail "cannot create $NS_C"; peer_done; }
ip link add c0 netns "$NS_C" type veth peer name r0 netns "$NS" || fail "veth c0/r0"
in_ns ip link set r0 mtu 1400 up
in_ns ip -6 addr add 2001:2:0:1::1/64 dev r0 nodad
in_ns sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec "$NS_C" ip link set c0 mtu 1400 up
ip netns exec "$NS_C" ip -6 addr add 2001:2:0:1::2/64 dev c0 nodad
ip netns exec "$NS_C" ip -6 route add 2001:2::/64 via 2001:2:0:1::1 advmss 1440
ok6=0
for _ in $(seq 50); do
	ip netns exec "$NS_C" ping -6 -c 1 -W 1 "$TCPE6" >/dev/null 2>&1 && { ok6=1; break; }
	sleep 0.2
done
check "tcpe answers ping -6 through the router" "$ok6" 1
ip netns exec "$NS_C" curl -6 -s -m 30 -o "$T/big" "http://[$TCPE6]/bytes/1048576" ||
	fail "1 MiB through the 1400-byte hop did not complete"
check "1 MiB through the 1400-byte hop, byte for byte" "$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
p = b"0123456789abcdefghijklmnopqrstuv"
print("ok" if len(d) == 1048576 and all(d[i] == p[i % 32] for i in range(0, len(d), 997)) else "bad %d" % len(d))
' "$T/big")" ok
peer_stop
check_ge "packet too big messages taken" "$(counter "$T/tcpe.log" icmp6_rx)" 1
check "connections whose segment size packet too big lowered" \
	"$(counter "$T/tcpe.log" pmtu_reduced)" 1
check "packet too big quoting nothing in flight" "$(counter "$T/tcpe.log" drop_icmp_stale)" 0
ip netns del "$NS_C"

# SYN cookies over IPv6: three spoofed SYNs (never completed) hold a backlog of 1.
ip netns del "$NS"
sleep 0.5
peer_setup "-l 0-1" --ip6 "$TCPE6/64" --listen 80:http --syn-backlog 1
in_ns ip -6 addr add "$PEER6/64" dev tcpe0 nodad
for _ in $(seq 50); do in_ns ping -6 -c 1 -W 1 "$TCPE6" >/dev/null 2>&1 && break; sleep 0.2; done
mac=$(sed -n 's/^tcpe: port 0 (net_tap) \([0-9A-Fa-f:]*\) .*/\1/p' "$T/tcpe.log" | tr 'A-F' 'a-f')
in_ns /usr/bin/python3 - "$mac" "$TCPE6" <<'PY' || fail "scapy SYNs"
import sys
from scapy.all import Ether, IPv6, TCP, sendp, conf
conf.verb = 0
for port in (40001, 40002, 40003):
    sendp(Ether(dst=sys.argv[1], src="02:00:00:00:00:09") / IPv6(src="2001:2::9", dst=sys.argv[2])
          / TCP(sport=port, dport=80, flags="S", seq=1, options=[("MSS", 1440)]), iface="tcpe0")
PY
code=$(in_ns curl -6 -s -o "$T/body6c" -w '%{http_code}' --max-time 5 "http://[$TCPE6]/bytes/5000")
check "HTTP over IPv6 from a SYN cookie" "$code" 200
check "its body" "$(stat -c %s "$T/body6c" 2>/dev/null)" 5000
peer_stop
check_ge "SYN cookies sent over IPv6" "$(counter "$T/tcpe.log" syncookies_sent)" 1
check "connections opened from a cookie" "$(counter "$T/tcpe.log" syncookies_ok)" 1

# Two workers (control and worker 1 share CPU 0, worker 2 has CPU 1), IPv6 clients only.
ip netns del "$NS"
sleep 0.5
peer_setup "--lcores 0@0,1@0,2@1" --ip6 "$TCPE6/64" --listen 42181:hello --listen 7:echo \
	--time-wait-ms 1000
in_ns ip -6 addr add "$PEER6/64" dev tcpe0 nodad
for _ in $(seq 50); do in_ns ping -6 -c 1 -W 1 "$TCPE6" >/dev/null 2>&1 && break; sleep 0.2; done
in_ns timeout 180 python3 "$(dirname "$0")/clients.py" hello "$TCPE6" 42181 400 50 \
	"hello client" >&2 || fail "hello clients over IPv6 on two workers"
in_ns timeout 180 python3 "$(dirname "$0")/clients.py" echo "$TCPE6" 7 $((256 << 10)) 16 >&2 ||
	fail "echo over IPv6 on two workers"
sleep 1.5
peer_stop
grep -q "software steering on: 2 workers" "$T/tcpe.log" || fail "software steering not on"
read -r total w1 w2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$T/tcpe.log")
check "IPv6 connections opened on two workers" "$total" 416
check_ge "connections on worker lcore 1" "${w1:-0}" 1
check_ge "connections on worker lcore 2" "${w2:-0}" 1
out=$(counter "$T/tcpe.log" steered_out)
check_ge "IPv6 segments handed to their owner" "$out" 1
check "segments received from the other worker = handed over" \
	"$(counter "$T/tcpe.log" steered_in)" "$out"
check "RSTs for segments without a record" "$(counter "$T/tcpe.log" rst_no_conn)" 0
check "segments dropped in LISTEN" "$(counter "$T/tcpe.log" drop_tcp_listen_other)" 0
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0

# Client mode against nginx over IPv6 on the tap.
ip netns del "$NS"
sleep 0.5
ns_create "$NS" || { fail "namespace"; peer_done; }
in_ns sysctl -qw net.ipv6.ip_nonlocal_bind=1	# nginx binds before the tap has its address
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
	server { listen [$PEER6]:8080; location / { return 200 "hello from nginx over IPv6"; } }
}
NGX
# (ip netns exec itself, not the in_ns function: $! must be nginx's PID, for the trap to stop it)
ip netns exec "$NS" nginx -p "$T" -c "$T/nginx.conf" -g 'daemon off;' >"$T/nginx.out" 2>&1 &
track_pid $!
tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --ip6 "$TCPE6/64" --connect "[$PEER6]:8080" \
	--request http --concurrency 8 --duration 4 --stats-interval 1 --trace 1 ||
	{ fail "tcpe did not come up"; peer_done; }
in_ns ip -6 addr add "$PEER6/64" dev tcpe0 nodad
wait "$TCPE_PID"
check "client exit status (nginx over IPv6)" "$?" 0
log "  nginx over IPv6: $(grep '^tcpe: client:' "$T/tcpe.log")"
check_ge "requests completed against nginx over IPv6" "$(counter "$T/tcpe.log" client_requests)" 100
check "client errors against nginx over IPv6" "$(counter "$T/tcpe.log" client_errors)" 0
check "connections kept (concurrency 8)" "$(counter "$T/tcpe.log" active_opens)" 8
check_ge "neighbour solicitations sent (the server's MAC resolved)" \
	"$(counter "$T/tcpe.log" nd_tx)" 1
grep -q "trace: connection 0.1  \[$PEER6\]:8080 -> \[$TCPE6\]:[0-9]*" "$T/tcpe.log" ||
	fail "--trace of the client connection does not name the IPv6 ends"
check "mbufs in use at exit" "$(mbufs_left "$T/tcpe.log")" 0

# tcpe against tcpe over net_memif, IPv6 short connections, two workers on each side (memif has
# no RSS: worker i polls queue i on both sides, so every reply reaching its opener and every
# request its server-side owner rests on the client's choice of source port).
SOCK="$T/memif.sock"
for role in server client; do
	ip=1 cpus=0@0,1@0,2@0 opts=(--listen 80:http)
	[[ $role == client ]] && ip=2 cpus=0@1,1@1,2@1 opts=(--connect "[$TCPE6]:80" --request http
		--concurrency 32 --requests-per-conn 1 --duration 4 --stats-interval 0)
	pfx="tcpe_$$_m6$role"
	_tcpe_prefixes+=("$pfx")
	"$TCPE_BIN" --lcores "$cpus" --no-pci --no-huge -m 512 --file-prefix "$pfx" \
		--vdev "net_memif0,role=$role,socket=$SOCK,id=0" -- --ip "198.18.1.$ip/24" \
		--ip6 "2001:2::$ip/64" --stats-interval 0 "${opts[@]}" >"$T/m6_$role.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	[[ $role == server ]] && SPID=$pid
	[[ $role == client ]] && CPID=$pid
	for _ in $(seq 100); do grep -q "^tcpe: listening" "$T/m6_server.log" 2>/dev/null && break; sleep 0.1; done
done
wait "$CPID"
check "client exit status (memif, IPv6)" "$?" 0
kill -INT "$SPID"
wait "$SPID"
check "server exit status (memif, IPv6)" "$?" 0
log "  memif over IPv6: $(grep '^tcpe: client:' "$T/m6_client.log")"
c=$T/m6_client.log s=$T/m6_server.log
check_ge "short IPv6 connections completed over memif" "$(counter "$c" client_requests)" 1000
check "client errors (memif, IPv6)" "$(counter "$c" client_errors)" 0
read -r _ cw1 cw2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$c")
check_ge "client worker 1 opened IPv6 connections" "${cw1:-0}" 100
check_ge "client worker 2 opened IPv6 connections" "${cw2:-0}" 100
check "server: segments that arrived at a worker that does not own them (steered_out)" \
	"$(counter "$s" steered_out)" 0
for f in "$s" "$c"; do
	check "$(basename "$f" .log): RSTs for segments without a record" "$(counter "$f" rst_no_conn)" 0
	check "$(basename "$f" .log): key clashes" "$(counter "$f" drop_ip6_key_clash)" 0
	check "$(basename "$f" .log): mbufs in use at exit" "$(mbufs_left "$f")" 0
done
peer_done
