#!/usr/bin/env bash
# The README's first command, scripts/demo.sh, so that it cannot rot: a short run (DEMO_SECONDS=4)
# must end with status 0, every client it drives must have been answered correctly (the seed's
# Node client, nc, ping, curl's 1 MiB body, wrk, the hello/echo/upload clients), tcpe must give
# every mbuf back at exit, and the demo must leave no namespace behind. No rate is checked.
source "$(dirname "$0")/lib.sh"

DEMO_SECONDS=4 timeout 300 bash "$TCPE_ROOT/scripts/demo.sh" >"$T/demo.out" 2>&1
check "demo.sh exit status" "$?" 0
out=$T/demo.out
has() { grep -qE -- "$2" "$out" && log "  ok: $1" || fail "$1: no line matching '$2'"; }
has "the seed's Node client got the greeting" "node: Received : hello client"
has "nc got the greeting" "nc: hello client"
has "ping, 64 bytes: all answered" "200 packets transmitted, 200 received"
has "ping, 1400 bytes: all answered" "100 packets transmitted, 100 received"
has "curl: 200 with the head" "curl: HTTP/1.1 200 OK"
has "curl: the whole 1 MiB body" "GET /bytes/1048576 -> 1048576 bytes"
# every batch the load loops ran, not just one: as many clean lines as lines
every() {
	local all clean
	all=$(grep -cE -- "$2" "$out")
	clean=$(grep -cE -- "$3" "$out")
	check_ge "$1: batches" "$all" 1
	check "$1: clean batches of $all" "$clean" "$all"
}
every "hello clients, 2000 a batch, byte-exact" "hello: [0-9]+ ok" "hello: 2000 ok, 0 wrong data, 0 errors"
every "echo streams byte-exact" "echo: [0-9]+/[0-9]+ connections" "echo: 2/2 connections byte-exact"
every "uploads to discard: all sent" "upload: " "upload: 33554432 bytes in .*server sent back 0 bytes"
has "the worked example's server rows" "out +FIN,ACK +13 +1 +0 +FIN_WAIT_1"
has "the live report" "^ +total +[0-9]+%"
rps=$(awk '/Requests\/sec:/ { printf "%d", $NF }' "$out")
check_ge "wrk requests/s (answered at all)" "${rps:-0}" 1
grep -q "Socket errors" "$out" && fail "wrk saw socket errors: $(grep 'Socket errors' "$out")"
check "receive mbufs in use at exit" \
	"$(sed -n 's/.*mbufs in use at exit (socket 0, receive): //p' "$out")" 0
check "send mbufs in use at exit" "$(sed -n 's/.*mbufs in use at exit (socket 0, send): //p' "$out")" 0
check "demo namespaces left behind" "$(ip netns list | grep -c '^tcpe_demo_' || true)" 0
[[ $_failures -eq 0 ]] || tail -60 "$out" >&2
peer_done
