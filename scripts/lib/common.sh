# common.sh - shared shell helpers: namespaces, starting/stopping tcpe on net_tap, cleanup traps.
# Sourced by scripts/ and tests/peer/. Safety rules: --no-pci always; traffic only inside the
# namespaces created here, on 198.18.0.0/15; processes stopped by PID; everything removed on exit.

TCPE_ROOT=${TCPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if [[ -n ${TCPE_DPDK:-} ]]; then	# built against a newer DPDK release (scripts/build.sh)
	TCPE_BUILD=${TCPE_BUILD:-$TCPE_ROOT/build-dpdk-$TCPE_DPDK}
else
	TCPE_BUILD=${TCPE_BUILD:-$TCPE_ROOT/build}
fi
TCPE_BIN=${TCPE_BIN:-$TCPE_BUILD/app/tcpe}
SEED_DIR=${SEED_DIR:-$TCPE_ROOT/../shared/seed}

TCPE_IP=${TCPE_IP:-198.18.0.1}
PEER_IP=${PEER_IP:-198.18.0.2}

_tcpe_pids=()
_tcpe_netns=()
_tcpe_tmp=()
_tcpe_prefixes=()

log() { printf '%s\n' "$*" >&2; }

# Remove everything this shell created. Safe to call twice.
tcpe_cleanup() {
	local pid ns d p
	local -
	set +e	# callers may run under set -e: every step here must run, whatever failed before
	for pid in "${_tcpe_pids[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -INT "$pid" 2>/dev/null
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	_tcpe_pids=()
	for ns in "${_tcpe_netns[@]}"; do ip netns del "$ns" 2>/dev/null; done
	_tcpe_netns=()
	for p in "${_tcpe_prefixes[@]}"; do
		rm -rf "/var/run/dpdk/$p" 2>/dev/null
		rm -f /dev/hugepages/"$p"map_* 2>/dev/null
	done
	_tcpe_prefixes=()
	for d in "${_tcpe_tmp[@]}"; do rm -rf "$d"; done
	_tcpe_tmp=()
}

# Install the cleanup trap; callers that have their own trap call tcpe_cleanup from it.
tcpe_trap() { trap 'tcpe_cleanup' EXIT; trap 'tcpe_cleanup; exit 130' INT TERM; }

# tcpe_tmpdir VAR: a temporary directory removed at cleanup.
tcpe_tmpdir() {
	local d
	d=$(mktemp -d /tmp/tcpe.XXXXXX)
	_tcpe_tmp+=("$d")
	printf -v "$1" '%s' "$d"
}

# track_pid PID: stop this process (by PID) at cleanup too.
track_pid() { _tcpe_pids+=("$1"); }

# ns_create NAME: a fresh network namespace with loopback up.
ns_create() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || return 1
	_tcpe_netns+=("$1")
	ip netns exec "$1" ip link set lo up
}

# EAL memory options: hugepages when the caller reserved them (TCPE_HUGE=1), else --no-huge.
tcpe_mem_args() {
	if [[ ${TCPE_HUGE:-0} == 1 && ${TCPE_SECONDARY:-0} == 1 ]]; then
		echo "-m ${TCPE_MEM_MB:-512}"	# keep hugepage files: secondaries (dpdk-dumpcap) map them
	elif [[ ${TCPE_HUGE:-0} == 1 ]]; then
		echo "-m ${TCPE_MEM_MB:-512} --huge-unlink"
	else
		echo "--no-huge -m ${TCPE_MEM_MB:-512}"
	fi
}

# tcpe_start NS LOG "EAL-LCORE-OPTIONS" -- tcpe options...   (e.g. "-l 0-1")
# Starts tcpe inside NS on a net_tap named tcpe0, configures the kernel side with PEER_IP/24,
# waits until tcpe answers ping. Sets TCPE_PID.
tcpe_start() {
	local ns=$1 logf=$2 lcores=$3
	shift 3
	[[ $1 == -- ]] && shift
	local prefix="tcpe_$$_${#_tcpe_prefixes[@]}"
	TCPE_PREFIX=$prefix	# for telemetry clients: /var/run/dpdk/$TCPE_PREFIX/
	_tcpe_prefixes+=("$prefix")
	# shellcheck disable=SC2046
	# shellcheck disable=SC2086
	ip netns exec "$ns" "$TCPE_BIN" $lcores --no-pci $(tcpe_mem_args) \
		--file-prefix "$prefix" --vdev "net_tap0,iface=tcpe0" -- \
		--ip "$TCPE_IP/24" "$@" >"$logf" 2>&1 &
	TCPE_PID=$!
	_tcpe_pids+=("$TCPE_PID")
	for _ in $(seq 100); do
		ip netns exec "$ns" ip link show tcpe0 >/dev/null 2>&1 && break
		kill -0 "$TCPE_PID" 2>/dev/null || { log "tcpe exited early:"; tail -20 "$logf" >&2; return 1; }
		sleep 0.1
	done
	if [[ ${TCPE_TAP_BARE:-0} == 1 ]]; then
		# The caller bridges the tap's kernel side elsewhere (an L2 relay): no address here.
		ip netns exec "$ns" ip link set tcpe0 up || return 1
		return 0
	fi
	ip netns exec "$ns" ip addr add "$PEER_IP/24" dev tcpe0 || return 1
	ip netns exec "$ns" ip link set tcpe0 up || return 1
	for _ in $(seq 50); do
		ip netns exec "$ns" ping -c 1 -W 1 "$TCPE_IP" >/dev/null 2>&1 && return 0
		kill -0 "$TCPE_PID" 2>/dev/null || { log "tcpe exited early:"; tail -20 "$logf" >&2; return 1; }
		sleep 0.2
	done
	log "tcpe does not answer ping"; return 1
}

# tcpe_stop: SIGINT the tcpe started last and wait for its final totals. Returns its status.
tcpe_stop() {
	local pid=${1:-$TCPE_PID} rc
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

# Every name tcpe's final totals can show, from the one list (lib/core/*.def), one per line.
counter_names() {
	local d=$TCPE_ROOT/lib/core
	sed -n 's/^TCPE_CTR(\([a-z0-9_]*\),.*/\1/p' "$d/stats.def"
	sed -n 's/^TCPE_DROP([A-Z0-9_]*, *\([a-z0-9_]*\),.*/drop_\1/p' "$d/drop.def"
	sed -n 's/^TCPE_STATE([A-Z0-9_]*, *\([a-z0-9_]*\),.*/state_\1\nenter_\1/p' "$d/state.def"
	sed -n 's/^TCPE_RTT_BUCKET(\([a-z0-9_]*\),.*/rtt_\1/p' "$d/rtt.def"
}

# counter LOG NAME: a counter from tcpe's final totals (which list only non-zero ones: absent is
# 0). A NAME that is not a counter at all is a broken test, not a zero: it prints "unknown
# counter" (so no check can pass on it), says so on stderr and is remembered in
# $TCPE_BAD_COUNTERS, which peer_done fails on.
counter() {
	if ! counter_names | grep -qx -- "$2"; then
		log "  FAIL: counter '$2' is not in lib/core/*.def (a typo in the test?)"
		[[ -n ${TCPE_BAD_COUNTERS:-} ]] && echo "$2" >>"$TCPE_BAD_COUNTERS"
		echo "unknown counter '$2'"
		return 1
	fi
	awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$1"
}

# mbufs_left LOG: the most mbufs any of tcpe's pools still had in use at exit (a leak when > 0).
mbufs_left() {
	sed -n 's/^tcpe: mbufs in use at exit ([^)]*): //p' "$1" | sort -n | tail -1
}

# Route the seed client's fixed 127.0.0.1:42181 to tcpe inside NS (DNAT + MASQUERADE).
seed_nat() {
	local ns=$1
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.route_localnet=1
	ip netns exec "$ns" iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport 42181 \
		-j DNAT --to-destination "$TCPE_IP:42181"
	ip netns exec "$ns" iptables -t nat -A POSTROUTING -o tcpe0 -j MASQUERADE
}

# capture_start NS IFACE FILE FILTER...: tcpdump in NS; returns when it is capturing. Sets CAPTURE_PID.
capture_start() {
	local ns=$1 ifc=$2 file=$3
	shift 3
	ip netns exec "$ns" tcpdump --immediate-mode -Z root -i "$ifc" -U -w "$file" "$@" 2>"$file.log" &
	CAPTURE_PID=$!
	_tcpe_pids+=("$CAPTURE_PID")
	for _ in $(seq 100); do
		grep -q "listening on" "$file.log" 2>/dev/null && return 0
		sleep 0.1
	done
	log "tcpdump did not start: $(cat "$file.log")"
	return 1
}

# capture_stop: let the last packets land, then stop tcpdump by PID.
capture_stop() {
	sleep 0.5
	kill -INT "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
}

# host_state: how far apart CPUs 0 and 1 are right now, as "c2c NS ns away PCT %" (the cache
# line round trip and the share of 200 ms one of them was not running; tests/bench/c2c.c), or
# "c2c -" without the tool. The benchmarks print it before and after each run: on a VM the
# host moves the vCPUs, and a pair's rate follows the round trip (README: Benchmarks).
host_state() {
	local c2c=$TCPE_BUILD/tests/tcpe_c2c out
	if [[ -x $c2c ]] && out=$("$c2c" -m 200 2>/dev/null); then
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		       printf "c2c %s ns away %s %%\n", v["c2c_ns"], v["away_pct"] }' <<<"$out"
	else
		echo "c2c -"
	fi
}
