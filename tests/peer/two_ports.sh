#!/usr/bin/env bash
# Two ports in one process: two net_tap interfaces, port 0 from --ip, port 1 from [port1] in a
# configuration file, each with its own subnet, and two workers that each own a queue pair on
# both (software steering). Clients on both subnets at once: hello and byte-exact echo on each,
# ping of each address, and every connection stays on its owner (no RST, none misowned).
source "$(dirname "$0")/lib.sh"

IP1=198.18.2.1 PEER1=198.18.2.2
printf '[port1]\nip = %s/24\n' "$IP1" >"$T/ports.ini"
ns_create "$NS" || { log "cannot create namespace $NS"; exit 1; }
prefix="tcpe_$$_tp"
_tcpe_prefixes+=("$prefix")
# shellcheck disable=SC2046
ip netns exec "$NS" "$TCPE_BIN" --lcores 0@0,1@0,2@1 --no-pci $(tcpe_mem_args) --file-prefix "$prefix" \
	--vdev net_tap0,iface=tcpe0 --vdev net_tap1,iface=tcpe1 -- -c "$T/ports.ini" \
	--ip "$TCPE_IP/24" --listen 42181:hello --listen 7:echo --time-wait-ms 1000 \
	--stats-interval 0 >"$T/tcpe.log" 2>&1 &
TCPE_PID=$!
track_pid "$TCPE_PID"
for _ in $(seq 100); do in_ns ip link show tcpe1 >/dev/null 2>&1 && break; sleep 0.1; done
in_ns ip addr add "$PEER_IP/24" dev tcpe0 && in_ns ip link set tcpe0 up || fail "tcpe0"
in_ns ip addr add "$PEER1/24" dev tcpe1 && in_ns ip link set tcpe1 up || fail "tcpe1"
for ip in "$TCPE_IP" "$IP1"; do
	for _ in $(seq 50); do in_ns ping -c 1 -W 1 "$ip" >/dev/null 2>&1 && break; sleep 0.2; done
	in_ns ping -c 3 -i 0.2 -W 1 "$ip" >/dev/null || fail "no answer to ping $ip"
done
grep -q "port 1 (net_tap) .* $IP1/24" "$T/tcpe.log" || fail "banner: no port 1 with $IP1"
# Headers of both taps' traffic, bounded, from the kernel side (tcpe's --trace changes its timing):
# when a RST is sent, the report shows the packets of each connection that drew one.
dumps=()
for i in 0 1; do
	ip netns exec "$NS" tcpdump -i "tcpe$i" -nn -U -s 96 -c 400000 -w "$T/tap$i.pcap" >/dev/null 2>&1 &
	dumps+=($!)
	track_pid $!
done
sleep 0.5

pids=()
for ip in "$TCPE_IP" "$IP1"; do
	in_ns timeout 120 python3 "$(dirname "$0")/clients.py" hello "$ip" 42181 200 25 "hello client" \
		>"$T/hello_$ip.out" 2>&1 &
	pids+=($!)
	in_ns timeout 120 python3 "$(dirname "$0")/clients.py" echo "$ip" 7 $((128 << 10)) 8 \
		>"$T/echo_$ip.out" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a client failed: $(cat "$T"/*.out | tail -3)"; done
sleep 1.5
peer_stop
kill "${dumps[@]}" 2>/dev/null
wait "${dumps[@]}" 2>/dev/null
rst_report() {	# every connection tcpe sent a RST on: its packets, as the kernel saw them
	local f streams
	for f in "$T"/tap0.pcap "$T"/tap1.pcap; do
		streams=$(tshark -r "$f" -Y "tcp.flags.reset == 1 && ip.src == $TCPE_IP || \
			tcp.flags.reset == 1 && ip.src == $IP1" -T fields -e tcp.stream 2>/dev/null | sort -u)
		for s in $streams; do
			log "  --- $(basename "$f"), stream $s (RST from tcpe) ---"
			tshark -r "$f" -Y "tcp.stream == $s" -o tcp.relative_sequence_numbers:TRUE \
				-T fields -e frame.time_relative -e ip.src -e tcp.srcport -e tcp.flags.str \
				-e tcp.seq -e tcp.ack -e tcp.len -e tcp.options.timestamp.tsval >&2 2>/dev/null
		done
	done
}
read -r total w1 w2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$T/tcpe.log")
check "connections opened over both ports" "$total" 416
check_ge "connections on worker lcore 1" "${w1:-0}" 1
check_ge "connections on worker lcore 2" "${w2:-0}" 1
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
[[ $(counter "$T/tcpe.log" rst_tx) == 0 ]] || rst_report
# (a handshake's ACK that reached the owner after its connection was done: dropped, not reset)
log "  late handshake ACKs dropped: $(counter "$T/tcpe.log" drop_tcp_stale_ack)"
check "records created by a worker that does not own the tuple" \
	"$(counter "$T/tcpe.log" steer_misowned)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
peer_done
