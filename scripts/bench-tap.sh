#!/usr/bin/env bash
# bench-tap.sh - numbers through the net_tap path (not a test: nothing is asserted): ping rate,
# hello connections/s, echo and upload throughput, each the median of 3 runs. Root.
# The tap itself is the bottleneck here (kernel -> DPDK ~100 k packets/s, DESIGN.md).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" >/dev/null || exit 1
"$root/scripts/build.sh" >/dev/null || exit 1
source "$root/scripts/lib/common.sh"
source "$root/scripts/hugepages.sh"
NS="tcpe_bench_$$"
trap 'tcpe_cleanup; hugepages_release' EXIT
tcpe_tmpdir T
hugepages_reserve 512 >/dev/null
ns_create "$NS" || exit 1
tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --listen 42181:hello --listen 7:echo --listen 9:discard \
	--stats-interval 0 --time-wait-ms 1000 --max-conns 262144 --mbufs 131072 || exit 1
py="$root/tests/peer/clients.py"
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
nsx() { ip netns exec "$NS" "$@"; }

echo "tcpe over net_tap, one worker (lcore 1), control on lcore 0; clients: Linux in the namespace"
printf '%-44s %s\n' "measure" "median of 3"
r=$(for _ in 1 2 3; do nsx ping -q -f -c 20000 "$TCPE_IP" | awk -F'[ ,]+' '/transmitted/ { for (i = 1; i <= NF; i++) if ($i == "time") t = $(i+1); print 20000 / (t / 1000) }'; done | median)
printf '%-44s %.0f /s\n' "ping -f (56 bytes), echo replies" "$r"
r=$(for _ in 1 2 3; do nsx python3 "$py" hello "$TCPE_IP" 42181 20000 200 "hello client" | sed -E 's/.*\(([0-9]+) conn\/s\).*/\1/'; sleep 1.5; done | median)
printf '%-44s %s conn/s\n' "hello: 20000 connections, 200 at a time" "$r"
r=$(for _ in 1 2 3; do nsx python3 "$py" echo "$TCPE_IP" 7 $((32 << 20)) 1 | sed -E 's/.*\(([0-9.]+) Mbit.*/\1/'; done | median)
printf '%-44s %s Mbit/s each way\n' "echo: 32 MiB on one connection" "$r"
r=$(for _ in 1 2 3; do nsx python3 "$py" upload "$TCPE_IP" 9 $((256 << 20)) | sed -E 's/.*\(([0-9.]+) Mbit.*/\1/'; done | median)
printf '%-44s %s Mbit/s\n' "discard: 256 MiB upload" "$r"
tcpe_stop
printf '%-44s %s\n' "drops during the run" "$(awk '/drops \(all reasons\)/ { print $4 }' "$T/tcpe.log")"
printf '%-44s %s\n' "retransmissions during the run" "$(counter "$T/tcpe.log" retransmits)"
grep "connection record" "$T/tcpe.log" | sed 's/^tcpe: //'
