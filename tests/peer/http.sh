#!/usr/bin/env bash
# The http app against curl, raw sockets, wrk and ab: statuses, keep-alive, pipelining, byte-by-byte
# requests, /bytes/N bodies byte-exact, idle timeout; zero errors from the load tools.
source "$(dirname "$0")/lib.sh"

peer_setup "-l 0-1" --listen 80:http --http-max-bytes 2M --http-idle-ms 700 --max-conns 4096
url="http://$TCPE_IP"
hc() {	# hc MODE [ARGS]: http_client.py MODE HOST PORT [ARGS]
	local mode=$1
	shift
	in_ns timeout 60 python3 "$(dirname "$0")/http_client.py" "$mode" "$TCPE_IP" 80 "$@" >&2
}
pattern() { python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.buffer.write((b'0123456789abcdefghijklmnopqrstuv'*(n//32+1))[:n])" "$1"; }

# curl: headers, HEAD, bodies
in_ns curl -s -D "$T/h" -o "$T/b" "$url/"
check "GET / status" "$(head -1 "$T/h" | tr -d '\r')" "HTTP/1.1 200 OK"
check "GET / Content-Length" "$(grep -i '^content-length' "$T/h" | tr -d '\r' | awk '{ print $2 }')" 64
check "GET / body" "$(cat "$T/b")" "$(pattern 64)"
date_hdr=$(grep -i '^date:' "$T/h" | cut -d' ' -f2- | tr -d '\r')
skew=$(( $(date +%s) - $(date -d "$date_hdr" +%s 2>/dev/null || echo 0) ))
(( skew >= -2 && skew <= 2 )) && log "  ok: Date: $date_hdr" || fail "Date header '$date_hdr' is $skew s off"
# the worker keeps the last response head it composed: a new second must compose it again
sleep 1.2
date2=$(in_ns curl -s -D - -o /dev/null "$url/" | grep -i '^date:' | cut -d' ' -f2- | tr -d '\r')
moved=$(( $(date -d "$date2" +%s 2>/dev/null || echo 0) - $(date -d "$date_hdr" +%s 2>/dev/null || echo 0) ))
(( moved >= 1 && moved <= 3 )) && log "  ok: Date 1.2 s later: $date2" || fail "Date 1.2 s later is '$date2' (was '$date_hdr')"
check "HEAD body bytes" "$(in_ns curl -s -I "$url/x" | wc -c | awk '{ print ($1 > 0) }')$(in_ns curl -s -X HEAD -o - "$url/" 2>/dev/null | wc -c)" 10
for n in 0 1 1460 1461 100000 $((2 << 20)); do
	got=$(in_ns curl -s "$url/bytes/$n" | sha256sum | cut -c1-16)
	check "GET /bytes/$n sha256" "$got" "$(pattern "$n" | sha256sum | cut -c1-16)"
done
check "GET /bytes/10M capped at --http-max-bytes" "$(in_ns curl -s "$url/bytes/$((10 << 20))" | wc -c)" $((2 << 20))
check "keep-alive: connections for 5 requests" \
	"$(in_ns curl -s -w '%{num_connects}' -o /dev/null "$url/1" -o /dev/null "$url/2" \
		-o /dev/null "$url/3" -o /dev/null "$url/4" -o /dev/null "$url/5")" 10000

# raw sockets
hc pipeline || fail "pipelining"
hc bytewise || fail "byte-by-byte request"
hc statuses || fail "400/431/405 and close"
hc close || fail "Connection: close / HTTP/1.0"
hc idle 700 || fail "idle keep-alive timeout"

# load tools: no errors allowed
in_ns wrk -t2 -c64 -d3s --latency "$url/" >"$T/wrk" 2>&1 || fail "wrk exited non-zero"
sed -n '/Requests\/sec/p;/Socket errors/p;/Non-2xx/p;/requests in/p' "$T/wrk" | sed 's/^/    wrk: /' >&2
grep -q "Socket errors\|Non-2xx" "$T/wrk" && fail "wrk saw errors"
grep -q "requests in" "$T/wrk" || fail "wrk ran no requests"
in_ns ab -q -n 3000 -c 32 "$url/" >"$T/ab" 2>&1 || fail "ab exited non-zero"
sed -n '/Complete requests/p;/Failed requests/p;/Requests per second/p' "$T/ab" | sed 's/^/    ab: /' >&2
check "ab failed requests" "$(awk '/Failed requests/ { print $3 }' "$T/ab")" 0
check "ab complete requests" "$(awk '/Complete requests/ { print $3 }' "$T/ab")" 3000
grep -q "Non-2xx" "$T/ab" && fail "ab saw non-2xx responses"
sleep 1
peer_stop
check "400 responses" "$(counter "$T/tcpe.log" http_bad_request)" 2
check "405 responses" "$(counter "$T/tcpe.log" http_bad_method)" 1
check "431 responses" "$(counter "$T/tcpe.log" http_too_large)" 1
check_ge "idle timeouts" "$(counter "$T/tcpe.log" idle_timeouts)" 1
check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
peer_done
