#!/usr/bin/env bash
# Two tcpe processes over net_memif, started and stopped again and again while a busy loop
# contends for one of the two CPUs: both sides stopping at once (also while the link is still
# coming up), the server stopping alone, the client stopping alone. net_memif unmaps its rings
# from the interrupt thread when the peer leaves, and frees its listener's state when a server
# port closes; tcpe gates memif ports on the link, agrees with its peer before either closes
# (a leave handshake) and closes from the interrupt thread (lib/rt/link.h). Every exit is clean:
# status 0, final totals, every mbuf back, no core dump. The send pools are 8192 mbufs, not 65536:
# what is tested is the ports' coming and going, and a --no-huge process then starts in half the
# time (it faults the pool in page by page) - 28 starts a run.
source "$(dirname "$0")/lib.sh"

SOCK="/tmp/tcpe_churn_$$.sock"
ROUNDS=${CHURN_ROUNDS:-6}

# A bounded competitor on CPU 0 (where the server's control core and both its workers run).
timeout 300 taskset -c 0 bash -c 'while :; do :; done' &
track_pid $!

# one NAME SERVER_SECONDS CLIENT_SECONDS HOLD: start both, stop both after HOLD seconds (a side
# with a --duration below HOLD stops on its own first).
one() {
	local name=$1 sd=$2 cd=$3 hold=$4 sp="tcpe_$$_cs_$1" cp="tcpe_$$_cc_$1" spid cpid rc
	_tcpe_prefixes+=("$sp" "$cp")
	"$TCPE_BIN" --lcores 0@0,1@0,2@0 --no-pci --no-huge -m 512 --file-prefix "$sp" \
		--vdev "net_memif0,role=server,socket=$SOCK,id=0" -- --ip 198.18.1.1/24 \
		--stats-interval 0 --listen 80:http --steer on --duration "$sd" --mbufs 8192 \
		>"$T/s_$name.log" 2>&1 &
	spid=$!
	track_pid "$spid"
	for _ in $(seq 100); do grep -q "^tcpe: listening" "$T/s_$name.log" 2>/dev/null && break; sleep 0.05; done
	"$TCPE_BIN" --lcores 0@1,1@1,2@1 --no-pci --no-huge -m 512 --file-prefix "$cp" \
		--vdev "net_memif0,role=client,socket=$SOCK,id=0" -- --ip 198.18.1.2/24 \
		--connect 198.18.1.1:80 --stats-interval 0 --duration "$cd" --request http \
		--concurrency 32 --requests-per-conn 1 --source-ips 198.18.1.10-198.18.1.13 \
		--mbufs 8192 >"$T/c_$name.log" 2>&1 &
	cpid=$!
	track_pid "$cpid"
	sleep "$hold"
	kill -INT "$cpid" "$spid" 2>/dev/null
	wait "$cpid"
	rc=$?
	check "$name: client exit status" "$rc" 0
	wait "$spid"
	rc=$?
	check "$name: server exit status" "$rc" 0
	for side in s c; do
		grep -q "final totals" "$T/${side}_$name.log" || fail "$name: no final totals ($side)"
		check "$name: mbufs in use at exit ($side)" \
			"$(mbufs_left "$T/${side}_$name.log")" 0
	done
	rm -f "$SOCK"
}

for r in $(seq "$ROUNDS"); do
	one "both_early_$r" 60 60 0.$((RANDOM % 4 + 2))	# stopped while the link comes up
	one "both_$r" 60 60 1.5					# stopped together, traffic running
done
one server_alone 2 60 3.5	# the server leaves; the client stops polling, then stops later
one client_alone 60 2 3.5	# the client leaves; the server answers and runs on
check_ge "the server answered a leave while running (client_alone)" \
	"$(counter "$T/s_client_alone.log" leave_rx)" 1
check_ge "the client answered a leave while running (server_alone)" \
	"$(counter "$T/c_server_alone.log" leave_rx)" 1
check_ge "requests served before the client left (client_alone)" \
	"$(counter "$T/s_client_alone.log" http_requests)" 1
peer_done
