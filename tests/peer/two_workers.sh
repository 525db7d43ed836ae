#!/usr/bin/env bash
# Two workers on a two-queue tap: connections spread over both, and no connection's segments
# are ever processed by two workers (the other would have no record and answer with a RST).
# net_tap has no RSS, so by default tcpe steers in software: the worker that receives a segment
# hands it to the owner its Toeplitz hash names, over an SP/SC ring. Run again with --steer off,
# where only the kernel's per-flow queue choice keeps each connection on one worker.
source "$(dirname "$0")/lib.sh"

run_two() {	# STEER
	# Control and worker 1 share CPU 0 (the control core sleeps), worker 2 has CPU 1.
	peer_setup "--lcores 0@0,1@0,2@1" --listen 42181:hello --listen 7:echo --time-wait-ms 1000 \
		--steer "$1"
	in_ns timeout 180 python3 "$(dirname "$0")/clients.py" hello "$TCPE_IP" 42181 400 50 \
		"hello client" >&2 || fail "hello clients over two workers (steer $1)"
	in_ns timeout 180 python3 "$(dirname "$0")/clients.py" echo "$TCPE_IP" 7 $((256 << 10)) 16 >&2 ||
		fail "echo over two workers (steer $1)"
	sleep 1.5
	peer_stop
	grep -q "2 workers on lcores 1 2" "$T/tcpe.log" || fail "tcpe did not start two workers"
	read -r total w1 w2 < <(awk '$1 == "conn_opened" { print $2, $3, $4 }' "$T/tcpe.log")
	check "connections opened in total (steer $1)" "$total" 416
	check_ge "connections on worker lcore 1" "${w1:-0}" 1
	check_ge "connections on worker lcore 2" "${w2:-0}" 1
	# The invariant: a segment of a connection on the wrong worker finds no record there.
	check "RSTs for segments without a record" "$(counter "$T/tcpe.log" rst_no_conn)" 0
	check "segments dropped in LISTEN" "$(counter "$T/tcpe.log" drop_tcp_listen_other)" 0
	check "RSTs sent" "$(counter "$T/tcpe.log" rst_tx)" 0
	check "records created by a worker that does not own the tuple" \
		"$(counter "$T/tcpe.log" steer_misowned)" 0
	check "records in use at exit" "$(counter "$T/tcpe.log" conn_active)" 0
}

run_two auto
grep -q "software steering on: 2 workers" "$T/tcpe.log" || fail "software steering not on"
out=$(counter "$T/tcpe.log" steered_out)
check_ge "segments handed to their owner (the kernel's queue choice differs from our hash)" "$out" 1
check "segments received from the other worker = handed over" "$(counter "$T/tcpe.log" steered_in)" "$out"
ns_del_all() { for n in "${_tcpe_netns[@]}"; do ip netns del "$n" 2>/dev/null; done; _tcpe_netns=(); }
ns_del_all
sleep 0.5
run_two off
grep -q "software steering on" "$T/tcpe.log" && fail "steering on despite --steer off"
check "segments handed over with --steer off" "$(counter "$T/tcpe.log" steered_out)" 0
peer_done
