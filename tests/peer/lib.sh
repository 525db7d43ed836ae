# lib.sh - harness for one peer test: a namespace of its own, tcpe on net_tap in it, cleanup on exit.
# A test script sources this, calls peer_setup, does its checks with check/fail, and ends with
# peer_done. Exit status: 0 pass, 1 fail.
# shellcheck source=../../scripts/lib/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/common.sh"

TEST_NAME=$(basename "$0" .sh)
NS="tcpe_${TEST_NAME//[^a-z0-9]/}_$$"
NS=${NS:0:30}
_failures=0

tcpe_trap
tcpe_tmpdir T
export TCPE_BAD_COUNTERS=$T/bad_counters
# the Python parts of a test import checks.py (explicit checks, not assert statements)
export PYTHONPATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"

# Record a failed expectation (the test goes on, to report everything that is wrong).
fail() { log "  FAIL: $*"; _failures=$((_failures + 1)); }

# check "what" ACTUAL EXPECTED
check() {
	if [[ "$2" == "$3" ]]; then log "  ok: $1 = $2"; else fail "$1: got '$2', want '$3'"; fi
}

# check_ge "what" ACTUAL MIN (ACTUAL must be a number)
check_ge() {
	if [[ $2 =~ ^[0-9]+$ ]] && (( $2 >= $3 )); then log "  ok: $1 = $2 (>= $3)"
	else fail "$1: got '$2', want >= $3"; fi
}

# peer_setup "EAL lcores" tcpe-options...: namespace + tcpe; the tcpe log is $T/tcpe.log.
peer_setup() {
	local lcores=$1
	shift
	ns_create "$NS" || { log "cannot create namespace $NS"; exit 1; }
	tcpe_start "$NS" "$T/tcpe.log" "$lcores" -- --stats-interval 0 "$@" || {
		log "  FAIL: tcpe did not come up"; cat "$T/tcpe.log" >&2; exit 1; }
}

# memif_tcpe ROLE LOG OPTS...: tcpe on the memif socket $T/memif.sock, --no-huge, logging to LOG:
# ROLE server (198.18.1.1, control and worker on CPU 0) or client (198.18.1.2, CPU 1), in the
# background. Sets MEMIF_PID.
memif_tcpe() {
	local role=$1 logf=$2 pfx="tcpe_$$_m${#_tcpe_prefixes[@]}" cpu=0 ip=198.18.1.1
	shift 2
	[[ $role == client ]] && cpu=1 ip=198.18.1.2
	_tcpe_prefixes+=("$pfx")
	"$TCPE_BIN" --lcores "0@$cpu,1@$cpu" --no-pci --no-huge -m 512 --file-prefix "$pfx" \
		--vdev "net_memif0,role=$role,socket=$T/memif.sock,id=0" -- --ip "$ip/24" "$@" \
		>"$logf" 2>&1 &
	MEMIF_PID=$!
	track_pid "$MEMIF_PID"
}

# memif_server LOG OPTS...: the server side, up once it reports its listeners. Sets SERVER_PID.
memif_server() {
	memif_tcpe server "$1" --stats-interval 0 "${@:2}"
	SERVER_PID=$MEMIF_PID
	for _ in $(seq 100); do grep -q "^tcpe: listening" "$1" 2>/dev/null && break; sleep 0.1; done
}

# memif_client LOG OPTS...: tcpe's client towards memif_server's port 80. Sets CLIENT_PID.
memif_client() {
	memif_tcpe client "$1" --connect 198.18.1.1:80 "${@:2}"
	CLIENT_PID=$MEMIF_PID
}

# in_ns CMD...: run a client inside the test's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# quiet_if NS IF: no offloads (an L2 relay forwards frames as they are), no IPv6 chatter.
quiet_if() {
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null 2>&1
}

# relay_client_ns: a client namespace $NS_C (c0, $PEER_IP/24) joined by a veth to m0 in the
# test's namespace, where the test's L2 relay (tests/tools/lossy_relay.c) bridges m0 and tcpe0
# (tcpe started with TCPE_TAP_BARE=1); offloads off on all three.
NS_C="${NS:0:24}_c"
relay_client_ns() {
	ns_create "$NS_C" || { fail "cannot create $NS_C"; peer_done; }
	ip link add c0 netns "$NS_C" type veth peer name m0 netns "$NS" || fail "veth c0/m0"
	quiet_if "$NS_C" c0
	quiet_if "$NS" m0
	quiet_if "$NS" tcpe0
	ip netns exec "$NS_C" ip addr add "$PEER_IP/24" dev c0
	ip netns exec "$NS_C" ip link set c0 up
	ip netns exec "$NS_C" ip link set lo up
	ip netns exec "$NS" ip link set m0 up
}

# Stop tcpe (SIGINT) and require a clean exit with final totals.
peer_stop() {
	tcpe_stop
	check "tcpe exit status after SIGINT" "$?" 0
	grep -q "final totals" "$T/tcpe.log" || fail "no final totals in the log"
	# Every mbuf back in its pool once the ports, records and queues are gone: nothing leaked.
	check "mbufs in use at exit" "$(mbufs_left "$T/tcpe.log")" 0
}

peer_done() {
	[[ -s $TCPE_BAD_COUNTERS ]] && fail "unknown counter names used: $(sort -u "$TCPE_BAD_COUNTERS" | tr '\n' ' ')"
	if (( _failures > 0 )); then
		log "  --- tcpe log (tail) ---"; tail -40 "$T/tcpe.log" >&2
		exit 1
	fi
	exit 0
}
