#!/usr/bin/env bash
# --mix: each HTTP request's target drawn by weight. tcpe's client asks tcpe's http server (net_memif)
# for /bytes/100 with weight 3 and /bytes/1000 with weight 1, keep-alive; the server's own counts
# say how many of each it answered: about a quarter of the large ones. Bad --mix values exit 2.
source "$(dirname "$0")/lib.sh"

memif_server "$T/tcpe.log" --listen 80:http
spid=$SERVER_PID
memif_client "$T/client.log" --stats-interval 0 --duration 3 --request http --concurrency 8 \
	--mix /bytes/100@3,/bytes/1000
wait "$CLIENT_PID"
check "client exit status" "$?" 0
kill -INT "$spid"
wait "$spid"
check "server exit status" "$?" 0
n=$(counter "$T/tcpe.log" http_requests)
body=$(counter "$T/tcpe.log" http_body_bytes)
check_ge "requests answered" "$n" 4000
check "client errors" "$(counter "$T/client.log" client_errors)" 0
# body = 100 * small + 1000 * large, small + large = n
large=$(( (body - 100 * n) / 900 ))
check "body bytes are 100s and 1000s" "$(( (body - 100 * n) % 900 ))" 0
share=$(( large * 1000 / n ))
log "  $n requests: $large for /bytes/1000 (${share} per mille; weight 1 of 4: 250)"
(( share > 200 && share < 300 )) && log "  ok: /bytes/1000 drawn about one time in four" ||
	fail "/bytes/1000 drawn $share per mille of the requests, want about 250"
for bad in "/bytes/1@0" "bytes/1" "/a b" "/1,/2,/3,/4,/5,/6,/7,/8,/9" "/x@y"; do
	"$TCPE_BIN" -- --ip 198.18.1.2/24 --connect 198.18.1.1:80 --mix "$bad" >"$T/bad.out" 2>&1
	rc=$?
	check "--mix '$bad': exit status ($(head -c 70 "$T/bad.out"))" "$rc" 2
done
"$TCPE_BIN" -- --ip 198.18.1.2/24 --connect 198.18.1.1:80 --request hello --mix /x >"$T/bad.out" 2>&1
rc=$?
check "--mix with --request hello: exit status ($(head -c 70 "$T/bad.out"))" "$rc" 2
peer_done
