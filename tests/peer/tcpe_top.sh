#!/usr/bin/env bash
# tcpe-top attaches through the telemetry socket and renders a row per worker plus a total, with
# sparklines, in a real terminal (tmux); sort keys work; q quits. Batch mode prints frames.
source "$(dirname "$0")/lib.sh"

peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello
top="$TCPE_ROOT/scripts/tcpe-top"
sess="tcpe_top_$$"
# a tmux server of our own, its socket in $T (removed with it), not the user's /tmp/tmux-UID
tm() { tmux -S "$T/tmux.sock" "$@"; }
(end=$((SECONDS + 8)); while ((SECONDS < end)); do
	in_ns timeout 20 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 300 20 "hello client"
done) >/dev/null 2>&1 &
load=$!
_tcpe_pids+=("$load")
LANG=C.UTF-8 tm new-session -d -s "$sess" -x 150 -y 20 "LANG=C.UTF-8 $top $TCPE_PREFIX -d 0.5"
sleep 3
tm capture-pane -p -t "$sess" >"$T/screen1"
tm send-keys -t "$sess" c
sleep 1.2
tm capture-pane -p -t "$sess" >"$T/screen2"
tm send-keys -t "$sess" q
sleep 1
tm has-session -t "$sess" 2>/dev/null && { fail "q did not quit"; tm kill-session -t "$sess"; }
sed 's/^/    | /' "$T/screen1" >&2
grep -q "^tcpe-top  pid [0-9]*  2 workers  sort: lcore" "$T/screen1" || fail "no title line"
grep -q "lcore   busy    rx pps" "$T/screen1" || fail "no header"
check "worker rows and a total" "$(grep -cE '^ +(1|2|total) +[0-9]+% ' "$T/screen1")" 3
grep -qE '[▁▂▃▄▅▆▇█]{3,}' "$T/screen1" || fail "no sparklines"
grep -q "sort: conn" "$T/screen2" || fail "the c key did not sort by conn/s"
kill "$load" 2>/dev/null; wait "$load" 2>/dev/null
"$top" "$TCPE_PREFIX" -b -n 2 -d 0.5 >"$T/batch" || fail "batch mode"
check "batch frames" "$(grep -c '^tcpe-top ' "$T/batch")" 2
"$top" no_such_prefix -b -n 1 >/dev/null 2>&1
check "exit status for an unknown prefix" "$?" 2
peer_stop
peer_done
