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

# in_ns CMD...: run a client inside the test's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

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
