#!/usr/bin/env bash
# The seed's unmodified tcp-client.js against tcpe's hello app; the capture must be the seed's table.
source "$(dirname "$0")/lib.sh"

peer_setup "-l 0-1" --listen 42181:hello --trace 1
seed_nat "$NS"
capture_start "$NS" tcpe0 "$T/seed.pcap" tcp port 42181 || fail "no capture"
out=$(in_ns timeout 20 node "$SEED_DIR/tcp-client.js" 2>&1)
log "$out" | sed 's/^/    node: /' >&2
capture_stop
peer_stop

grep -qx "Received : hello client" <<<"$out" || fail "node did not print 'Received : hello client'"
grep -qx "Client: Disconnected from Server" <<<"$out" || fail "node did not print the disconnect line"

# Relative seq/ack as Wireshark shows them; server = tcpe's address.
tshark -r "$T/seed.pcap" -o tcp.relative_sequence_numbers:TRUE -T fields -E separator=' ' \
	-e ip.src -e tcp.flags -e tcp.seq -e tcp.ack -e tcp.len >"$T/segs.txt" 2>/dev/null
log "    capture (src flags seq ack len):"; sed 's/^/      /' "$T/segs.txt" >&2

# The server's segments, in order: exactly the seed table's rows 2, 4, 6 and 9.
server=$(awk -v s="$TCPE_IP" '$1 == s { printf "%s %s %s %s;", $2, $3, $4, $5 }' "$T/segs.txt")
check "server segments (flags seq ack len)" "$server" \
	"0x0012 0 1 0;0x0018 1 1 12;0x0011 13 1 0;0x0010 14 2 0;"
# The client: SYN at 0 first, and its FIN+ACK at seq 1 acknowledging 14 (greeting + our FIN).
client_first=$(awk -v s="$TCPE_IP" '$1 != s { print $2, $3, $5; exit }' "$T/segs.txt")
check "client's first segment (flags seq len)" "$client_first" "0x0002 0 0"
client_fin=$(awk -v s="$TCPE_IP" '$1 != s && $2 == "0x0011" { print $3, $4 }' "$T/segs.txt")
check "client's FIN+ACK (seq ack)" "$client_fin" "1 14"
# The data ACK (row 5) may be merged with row 7 by the client; ack 13 or 14 must appear.
grep -Eq "^[0-9.]+ 0x0010 1 1[34] 0$" "$T/segs.txt" || fail "no client ACK of the greeting"

# tcpe's own --trace prints the same table (less the client's pure ACKs, which it may merge).
trace=$(awk '/^trace: +0\.1 /{ printf "%s %s %s %s %s;", $4, $5, $6, $7, $8 }' "$T/tcpe.log" |
	sed -E 's/in ACK 1 1[34] 0;//g')
check "tcpe --trace rows (dir flags seq ack len)" "$trace" \
	"in SYN 0 - 0;out SYN,ACK 0 1 0;in ACK 1 1 0;out PSH,ACK 1 1 12;out FIN,ACK 13 1 0;in FIN,ACK 1 14 0;out ACK 14 2 0;"
check "connections opened" "$(counter "$T/tcpe.log" conn_opened)" 1
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "retransmissions" "$(counter "$T/tcpe.log" retransmits)" 0
peer_done
