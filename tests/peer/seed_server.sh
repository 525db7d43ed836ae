#!/usr/bin/env bash
# The seed the other way round: tcpe's client (--connect, --request hello) against the seed's own
# unmodified tcp-server.js (Node on Linux, listening on 127.0.0.1:42181, reached through DNAT from
# the tap). tcpe's --trace must print the client side of the notes' table, row by row, and tcpe
# must print the greeting it received. --delack-ms 0: tcpe acknowledges the greeting at once, as
# Linux does in its quick-ACK start (with the default 40 ms the ACK rides on tcpe's FIN).
# Default time slices: they count the application's time, not the worker's, so a preempted
# iteration does not hold the greeting for a later slice (which made the FIN's ACK leave alone,
# before tcpe's FIN: when slices counted wall time, 4-5 runs in 12 with two busy loops beside
# the test, and once in CI).
source "$(dirname "$0")/lib.sh"

ns_create "$NS" || { log "cannot create namespace $NS"; exit 1; }
in_ns sysctl -qw net.ipv4.conf.all.route_localnet=1
in_ns iptables -t nat -A PREROUTING -p tcp -d "$PEER_IP" --dport 42181 \
	-j DNAT --to-destination 127.0.0.1:42181
# not through in_ns (a function: in the background it is a subshell, and $! would be its PID,
# not node's, which then outlives the test)
ip netns exec "$NS" node "$SEED_DIR/tcp-server.js" >"$T/node.log" 2>&1 &
node_pid=$!
track_pid "$node_pid"
for _ in $(seq 50); do in_ns ss -ltn 2>/dev/null | grep -q "127.0.0.1:42181" && break; sleep 0.1; done
in_ns ss -ltn | grep -q "127.0.0.1:42181" || { fail "node is not listening"; peer_done; }

tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --stats-interval 0 --connect "$PEER_IP:42181" \
	--request hello --rate 1 --trace 1 --delack-ms 0 --duration 3 ||
	{ fail "tcpe did not come up"; peer_done; }
wait "$TCPE_PID"
check "tcpe exit status" "$?" 0
kill -TERM "$node_pid" 2>/dev/null	# node leaves on SIGTERM (SIGINT would wait for its socket)
wait "$node_pid" 2>/dev/null
sed 's/^/    /' "$T/tcpe.log" | grep -E "trace|received" >&2
sed 's/^/    node: /' "$T/node.log" | head -3 >&2

grep -q "^connected from: $TCPE_IP:" "$T/node.log" || fail "node saw no connection from $TCPE_IP"
rows=$(awk '/^trace: +0\.1 /{ printf "%s %s %s %s %s %s;", $4, $5, $6, $7, $8, $9 }' "$T/tcpe.log")
check "tcpe --trace rows (dir flags seq ack len state)" "$rows" \
	"out SYN 0 - 0 SYN_SENT;in SYN,ACK 0 1 0 ESTABLISHED;out ACK 1 1 0 ESTABLISHED;in PSH,ACK 1 1 12 ESTABLISHED;out ACK 1 13 0 ESTABLISHED;in FIN,ACK 13 1 0 CLOSE_WAIT;out FIN,ACK 1 14 0 LAST_ACK;in ACK 14 2 0 CLOSED;"
grep -q '^tcpe: client: the first connection of lcore 1 received 12 bytes: "hello client"$' \
	"$T/tcpe.log" || fail "tcpe did not print the greeting"
check "client errors" "$(counter "$T/tcpe.log" client_errors)" 0
check_ge "client requests completed" "$(counter "$T/tcpe.log" client_requests)" 1
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
check "mbufs in use at exit" "$(mbufs_left "$T/tcpe.log")" 0
peer_done
