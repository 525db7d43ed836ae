#!/usr/bin/env bash
# --stats-json writes DESIGN.md's object per report; the console report has a row per worker and
# a total; SIGTERM stops tcpe cleanly with final totals.
source "$(dirname "$0")/lib.sh"

peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello --stats-json "$T/stats.jsonl"
in_ns timeout 60 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 300 30 \
	"hello client" >&2 || fail "hello clients"
sleep 3.2	# a few report intervals (1 s when the console is off but JSON is on)
kill -TERM "$TCPE_PID"
for _ in $(seq 100); do kill -0 "$TCPE_PID" 2>/dev/null || break; sleep 0.1; done
wait "$TCPE_PID"
check "exit status after SIGTERM" "$?" 0
grep -q "final totals (2 workers)" "$T/tcpe.log" || fail "no final totals after SIGTERM"
python3 "$(dirname "$0")/check_stats_json.py" "$T/stats.jsonl" 2 300 >&2 ||
	fail "--stats-json lines do not follow DESIGN.md"
peer_done
