#!/usr/bin/env bash
# Hostile peers against a deliberately small send pool (--mbufs 4096) and record table: peers
# that never ACK a large answer, that pipeline 16 MiB requests behind a zero window and answer
# every probe, and that vanish after their FIN. While they hold on, an ordinary client (curl,
# the kernel's TCP) is served, each request within a second; the send queues stay inside the
# worker's budget and held input inside --rcv-hold-pkts; once the peers are silent, every record
# is released within the give-up times (data retries, orphan retries, the http idle timeout) and
# at exit every mbuf is back.
source "$(dirname "$0")/lib.sh"

NOACK=40 ZEROWIN=40 VANISH=100 SECS=6
peer_setup "-l 0-1" --listen 80:http --mbufs 4096 --max-conns 1024 --rcv-hold-pkts 64 \
	--rto-init-ms 200 --rto-min-ms 100 --rto-max-ms 800 --data-retries 4 --orphan-retries 2 \
	--http-idle-ms 2000 --time-wait-ms 1000 --fin-wait2-ms 1000 --stats-interval 1 --stats-json "$T/stats.json"
budget=$(sed -n 's/.*per worker: send queues \([0-9]*\),.*/\1/p' "$T/tcpe.log" | head -1)
check_ge "send-queue budget in the banner" "${budget:-x}" 1
tmac=$(in_ns ip neigh show "$TCPE_IP" dev tcpe0 | awk '{print $3}')
[[ -n $tmac ]] || fail "tcpe's MAC not in the neighbour table"

in_ns timeout $((SECS + 30)) python3 "$(dirname "$0")/hostile.py" tcpe0 "$tmac" "$TCPE_IP" 80 \
	"$NOACK" "$ZEROWIN" "$VANISH" "$SECS" >"$T/hostile.out" 2>&1 &
hostile=$!
track_pid "$hostile"
sleep 2	# every hostile connection is open and holding by now
served=0 slow=0
for i in $(seq 10); do
	out=$(in_ns curl -s -o /dev/null -m 1 -w '%{http_code} %{time_total}' "http://$TCPE_IP/bytes/65536")
	read -r code secs <<<"$out"
	if [[ $code == 200 ]]; then served=$((served + 1)); else slow=$((slow + 1)); log "  request $i: '$out'"; fi
	sleep 0.2
done
check "ordinary requests served within 1 s while the peers hold on (of 10)" "$served" 10
wait "$hostile"
check "every hostile connection established" "$?" 0
log "  hostile peers: $(cat "$T/hostile.out")"

# Silent peers cost their give-up times: 4 retransmissions (~3 s at these RTOs), the idle close
# and 2 orphan retries for the zero-window ones (~4 s), 2 orphan retries for the vanished.
active=
for _ in $(seq 40); do
	active=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["total"]["conn_active"])' \
		"$T/stats.json" 2>/dev/null)
	[[ $active == 0 ]] && break
	sleep 0.5
done
check "records in use once the peers are silent" "$active" 0
in_ns curl -s -o /dev/null -m 1 -w '%{http_code}' "http://$TCPE_IP/" >"$T/after" 2>&1
check "a request afterwards" "$(cat "$T/after")" 200

# Bounded all along: the largest send-queue holding and held input any report saw.
read -r sndq_max held_max < <(python3 - "$T/stats.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(max(r["total"]["sndq_mbufs"] for r in rows), max(r["total"]["rcv_held"] for r in rows))
PY
)
log "  largest send-queue holding $sndq_max mbufs of $budget; largest held input $held_max"
(( sndq_max <= budget )) || fail "send queues held $sndq_max mbufs, over the budget $budget"
(( held_max <= 64 )) || fail "held input reached $held_max packets (--rcv-hold-pkts 64)"
peer_stop
check_ge "connections given up on (no ACK, retries spent)" \
	"$(( $(counter "$T/tcpe.log" conn_timeout) + $(counter "$T/tcpe.log" orphans_reset) ))" "$NOACK"
check_ge "zero-window probes answered by the peers" "$(sed -n 's/.*probes answered \([0-9]*\).*/\1/p' "$T/hostile.out")" 1
check "mbuf allocation failures" "$(counter "$T/tcpe.log" drop_no_mbuf)" 0
check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
check "orphans at exit" "$(counter "$T/tcpe.log" orphans)" 0
peer_done
