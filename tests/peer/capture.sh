#!/usr/bin/env bash
# dpdk-dumpcap captures tcpe's port into pcapng (rte_pdump): a whole hello connection, read back by
# tshark. dumpcap is a DPDK secondary process: tcpe runs on hugepages with its files kept.
# dumpcap 22.11 takes no EAL options, so it cannot be given --no-pci; it runs in a private mount
# namespace with an empty /sys/bus/pci/devices instead, so its PCI scan sees no device at all and
# the machine's NIC is never probed or touched.
source "$(dirname "$0")/lib.sh"
source "$TCPE_ROOT/scripts/hugepages.sh"
trap 'tcpe_cleanup; hugepages_release' EXIT
trap 'tcpe_cleanup; hugepages_release; exit 130' INT TERM

hugepages_reserve 512 >&2
[[ $TCPE_HUGE == 1 ]] || { log "  FAIL: no hugepages: dpdk-dumpcap needs a primary on hugepages"; exit 1; }
export TCPE_SECONDARY=1
peer_setup "-l 0-1" --listen 42181:hello
# A secondary must be the primary's DPDK: Debian's dpdk-dumpcap, or, for a tcpe built against a
# newer release (TCPE_DPDK), the one scripts/dpdk-build.sh built into that release's prefix.
DUMPCAP=dpdk-dumpcap
DUMPCAP_LIBS=
if [[ -n ${TCPE_DPDK:-} ]]; then
	pc=$("$TCPE_ROOT/scripts/dpdk-build.sh" --print-dir "$TCPE_DPDK") || fail "no DPDK $TCPE_DPDK"
	DUMPCAP=$(cd "$pc/../../.." && pwd)/bin/dpdk-dumpcap
	DUMPCAP_LIBS=$(dirname "$pc")
fi
dumpcap() {
	unshare --mount --propagation private env LD_LIBRARY_PATH="$DUMPCAP_LIBS" sh -c \
		'mount -t tmpfs -o size=64k none /sys/bus/pci/devices && exec "$0" "$@"' \
		"$DUMPCAP" --file-prefix="$TCPE_PREFIX" "$@"
}
dumpcap -D >"$T/list" 2>&1
grep -q "0. net_tap0" "$T/list" || fail "dumpcap does not list net_tap0: $(tr '\n' ' ' <"$T/list")"
grep -qi "0000:" "$T/list" && fail "dumpcap saw a PCI device"
dumpcap -i 0 -w "$T/cap.pcapng" -a duration:5 >"$T/dumpcap.log" 2>&1 &
dc=$!
_tcpe_pids+=("$dc")
sleep 2
out=$(in_ns timeout 5 nc -N "$TCPE_IP" 42181 </dev/null)
check "greeting read during the capture" "$out" "hello client"
wait "$dc"
check "dumpcap exit status" "$?" 0
grep -qi "0000:" "$T/dumpcap.log" && fail "dumpcap saw a PCI device"
tshark -r "$T/cap.pcapng" -T fields -E separator=' ' -e ip.src -e tcp.flags -e tcp.seq -e tcp.ack \
	-e tcp.len "tcp.port == 42181" >"$T/segs" 2>/dev/null
sed 's/^/    /' "$T/segs" >&2
server=$(awk -v s="$TCPE_IP" '$1 == s { printf "%s %s %s %s;", $2, $3, $4, $5 }' "$T/segs")
check "server segments in the capture (flags seq ack len)" "$server" \
	"0x0012 0 1 0;0x0018 1 1 12;0x0011 13 1 0;0x0010 14 2 0;"
check "client's SYN is in the capture" "$(awk -v s="$TCPE_IP" '$1 != s { print $2, $3; exit }' "$T/segs")" "0x0002 0"
peer_stop
peer_done
