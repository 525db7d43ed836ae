#!/usr/bin/env bash
# The console report: aligned header, one row per worker plus a total, every interval.
source "$(dirname "$0")/lib.sh"

ns_create "$NS" || exit 1
tcpe_start "$NS" "$T/tcpe.log" "--lcores 0@0,1@0,2@1" -- --listen 7:echo --stats-interval 1 || exit 1
in_ns timeout 60 python3 "$(dirname "$0")/clients.py" echo "$TCPE_IP" 7 $((1 << 20)) 4 >&2 ||
	fail "echo clients"
sleep 2.5
peer_stop
reports=$(grep -c '^ lcore   busy    rx pps    tx pps  rx Mbit/s  tx Mbit/s   conn/s   active retrans/s  drops/s' "$T/tcpe.log")
check_ge "reports printed" "$reports" 2
rows=$(awk '/^ lcore /{ getline a; getline b; getline c; print a; print b; print c; exit }' "$T/tcpe.log")
log "$rows"
check "rows per report (2 workers + total)" "$(grep -cE '^ +(1|2|total) +[0-9]+% ' <<<"$rows")" 3
peer_done
