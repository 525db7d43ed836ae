#!/usr/bin/env bash
# Impaired path, both directions: a seeded L2 relay (tests/tools/lossy_relay.c) drops, duplicates,
# delays and reorders frames between the client's namespace and tcpe's tap. Megabytes up through
# echo and down from bulk arrive byte-exact; the same transfers against the Linux kernel's TCP over
# the same impaired path give the goodput to compare. Nothing leaks.
source "$(dirname "$0")/lib.sh"

# The harsh path by default: 3 % loss, 1 % duplicated, 10 % reordered, 5 ms +- 2 ms each way
# (RTT ~12-16 ms); 16 MiB through echo, 8 MiB from bulk.
LOSS=${LOSSY_LOSS:-0.03} DUP=${LOSSY_DUP:-0.01} REORDER=${LOSSY_REORDER:-0.10}
DELAY=${LOSSY_DELAY_US:-5000} JITTER=${LOSSY_JITTER_US:-2000} SEED=${LOSSY_SEED:-7}
UP=${LOSSY_UP:-$((16 << 20))} DOWN=${LOSSY_DOWN:-$((8 << 20))}	# bytes echoed, bytes from bulk
RELAY="$TCPE_BUILD/tests/lossy_relay"
NS_L="${NS:0:24}_l"	# (NS_C: lib.sh)

relay_start() {	# IF_A IF_B LOG: relay in the middle namespace
	ip netns exec "$NS" "$RELAY" -a "$1" -b "$2" --seed "$SEED" --loss "$LOSS" --dup "$DUP" \
		--reorder "$REORDER" --delay-us "$DELAY" --jitter-us "$JITTER" --duration 240 >"$3" 2>&1 &
	RELAY_PID=$!
	track_pid "$RELAY_PID"
	sleep 0.3
	kill -0 "$RELAY_PID" 2>/dev/null || { cat "$3" >&2; fail "relay did not start"; peer_done; }
}

relay_stop() { kill -INT "$RELAY_PID" 2>/dev/null; wait "$RELAY_PID" 2>/dev/null; }

transfer() {	# LABEL MODE PORT BYTES: run one client; record its goodput line
	local out
	out=$(ip netns exec "$NS_C" timeout 120 python3 "$(dirname "$0")/lossy_client.py" "$2" \
		"$TCPE_IP" "$3" "$4" 2>&1)
	local rc=$?
	log "  $1: $out"
	echo "$1: $out" >>"$T/goodput"
	return $rc
}

# --- topology: client ns (c0) <-> veth <-> middle ns (m0) =relay= tcpe0 (tcpe's tap) ----------
TCPE_TAP_BARE=1 peer_setup "-l 0-1" --listen 7:echo --listen 9:bulk --bulk-bytes "$DOWN" --cc "${LOSSY_CC:-newreno}" \
	--rto-min-ms ${LOSSY_RTO_MIN_MS:-50} --time-wait-ms 500 ${LOSSY_TCPE_ARGS:-}
ns_create "$NS_C" || { fail "cannot create $NS_C"; peer_done; }
ns_create "$NS_L" || { fail "cannot create $NS_L"; peer_done; }
ip link add c0 netns "$NS_C" type veth peer name m0 netns "$NS" || fail "veth c0/m0"
ip link add l0 netns "$NS_L" type veth peer name m1 netns "$NS" || fail "veth l0/m1"
for p in "$NS_C c0" "$NS m0" "$NS m1" "$NS tcpe0" "$NS_L l0"; do
	# shellcheck disable=SC2086
	quiet_if $p
done
ip netns exec "$NS_C" ip addr add "$PEER_IP/24" dev c0
ip netns exec "$NS_C" ip link set c0 up
ip netns exec "$NS" ip link set m0 up
ip netns exec "$NS" ip link set m1 up

relay_start m0 tcpe0 "$T/relay_tcpe.log"
for _ in $(seq 20); do ip netns exec "$NS_C" ping -c 1 -W 1 "$TCPE_IP" >/dev/null 2>&1 && break; done
log "  tcpe over the impaired path (loss $LOSS dup $DUP reorder $REORDER delay ${DELAY}+-${JITTER} us, each way):"
transfer "tcpe echo up+back" echo 7 "$UP" || fail "echo through the impaired path"
transfer "tcpe bulk down" bulk 9 "$DOWN" || fail "bulk download through the impaired path"
sleep 0.5
relay_stop
cat "$T/relay_tcpe.log" >&2

# --- the same path to the Linux kernel's TCP, with Reno and with BBR (the two this kernel lets a
# namespace choose), servers restarted for each so that their sockets take it ----------------------
ip netns exec "$NS_L" ip addr add "$TCPE_IP/24" dev l0
ip netns exec "$NS_L" ip link set l0 up
ip netns exec "$NS_C" ip neigh flush dev c0
relay_start m0 m1 "$T/relay_linux.log"
for cc in ${LOSSY_LINUX_CC:-reno bbr}; do
	if ! ip netns exec "$NS_L" sysctl -qw "net.ipv4.tcp_congestion_control=$cc" 2>/dev/null; then
		log "  (Linux: no $cc here)"
		continue
	fi
	ip netns exec "$NS_L" python3 "$(dirname "$0")/linux_servers.py" "$TCPE_IP" 7 9 "$DOWN" 200 \
		>"$T/linux_$cc.log" 2>&1 &
	lpid=$!
	track_pid "$lpid"
	for _ in $(seq 20); do ip netns exec "$NS_C" ping -c 1 -W 1 "$TCPE_IP" >/dev/null 2>&1 && break; done
	sleep 0.3
	log "  Linux $(uname -r) ($cc) over the same path:"
	transfer "linux/$cc echo up+back" echo 7 "$UP" || log "  (Linux reference transfer failed)"
	transfer "linux/$cc bulk down" bulk 9 "$DOWN" || log "  (Linux reference transfer failed)"
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
done
relay_stop
cat "$T/relay_linux.log" >&2

peer_stop
check "connections opened" "$(counter "$T/tcpe.log" conn_opened)" 2
check "echo bytes received in order" "$(counter "$T/tcpe.log" data_rx_bytes)" "$UP"
check_ge "segments retransmitted (the path really lost some)" "$(counter "$T/tcpe.log" retransmits)" 1
check_ge "out-of-order segments held" "$(counter "$T/tcpe.log" ooo_rx)" 1
check "out-of-order packets still held" "$(counter "$T/tcpe.log" ooo_held)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
check "connections reset" "$(counter "$T/tcpe.log" conn_reset)" 0
# A duplicated last ACK can arrive after its record is gone: the RST it draws is RFC behaviour.
check "RSTs other than to segments without a record" \
	"$(( $(counter "$T/tcpe.log" rst_tx) - $(counter "$T/tcpe.log" rst_no_conn) ))" 0
[[ -n ${LOSSY_SHOW:-} ]] && grep -E "retransmits|rto_exp|fast_re|recover|partial|dup_acks|ooo_|sack_|dsack|rack_|tlp_|bbr_|paced|cc_undos|rtt_srtt|delayed|late_sacks|sack_sb_full|drop_" "$T/tcpe.log" >&2
log "  goodput:"; sed 's/^/    /' "$T/goodput" >&2
peer_done
