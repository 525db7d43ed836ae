#!/usr/bin/env bash
# ARP and ICMP echo (64 and 1400 bytes); closed ports answer with RST (connection refused).
source "$(dirname "$0")/lib.sh"

peer_setup "-l 0-1" --listen 42181:hello
in_ns ping -q -c 50 -i 0.01 "$TCPE_IP" >"$T/ping1" 2>&1 || fail "ping 56 bytes"
in_ns ping -q -c 20 -i 0.01 -s 1400 "$TCPE_IP" >"$T/ping2" 2>&1 || fail "ping 1400 bytes"
in_ns ping -q -c 5 -i 0.01 -s 1472 -M do "$TCPE_IP" >"$T/ping3" 2>&1 || fail "ping 1472 bytes (full MTU, DF)"
cat "$T"/ping? | grep -E "transmitted|rtt" | sed 's/^/    /' >&2
grep -q " 0% packet loss" "$T/ping1" || fail "loss at 56 bytes"
grep -q " 0% packet loss" "$T/ping2" || fail "loss at 1400 bytes"
in_ns nc -z -w 2 "$TCPE_IP" 9999 2>/dev/null && fail "closed port 9999 accepted a connection"
in_ns timeout 5 curl -s -o /dev/null "http://$TCPE_IP:80/" 2>/dev/null
check "curl's exit to a closed port (7 = refused, not a timeout)" "$?" 7
# Forget tcpe's MAC: the next ping needs an ARP request, which tcpe must answer.
in_ns ip neigh flush dev tcpe0
in_ns ping -q -c 1 -W 2 "$TCPE_IP" >/dev/null 2>&1 || fail "ping after an ARP flush"
arp=$(in_ns ip neigh show "$TCPE_IP" | awk '{ print $NF }')
[[ $arp == REACHABLE || $arp == STALE || $arp == DELAY ]] || fail "no ARP entry for tcpe ($arp)"
peer_stop
check_ge "ARP requests received" "$(counter "$T/tcpe.log" arp_rx)" 1
check "echo replies" "$(counter "$T/tcpe.log" icmp_tx)" "$(counter "$T/tcpe.log" icmp_rx)"
check_ge "echo replies" "$(counter "$T/tcpe.log" icmp_tx)" 76
check "RSTs for closed ports" "$(counter "$T/tcpe.log" rst_closed_port)" 2
check_ge "ARP sent (the start-up announcement and replies)" "$(counter "$T/tcpe.log" arp_tx)" 2
peer_done
