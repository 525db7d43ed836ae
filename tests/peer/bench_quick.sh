#!/usr/bin/env bash
# scripts/bench --quick (2 s per scenario) so that the benchmark cannot rot: every scenario runs,
# the table, the JSON and the per-second series come out, and each tcpe figure is non-zero. No
# figure is compared with a target here: performance is never asserted by a test.
source "$(dirname "$0")/lib.sh"

BENCH_SECONDS=2 timeout 400 bash "$TCPE_ROOT/scripts/bench" --quick >"$T/bench.out" 2>&1
check "bench --quick exit status" "$?" 0
tail -11 "$T/bench.out" >&2
for row in "short HTTP connections/s" "keep-alive requests/s" "bulk Mbit/s, CPU 0 -> CPU 1" \
	"bulk Mbit/s, CPU 1 -> CPU 0" "short HTTP connections/s over IPv6" \
	"keep-alive requests/s over IPv6"; do
	# the tcpe column of the first row that starts so (IPv4's come before IPv6's)
	v=$(grep -F "$row" "$T/bench.out" | head -1 | cut -c45- | awk '{print $1}')
	check_ge "$row (tcpe, non-zero)" "${v:-0}" 1
done
python3 -c "import json,sys; from checks import check; d=json.load(open(sys.argv[1]));
check(all(v > 0 for v in d['tcpe'].values() if v is not None), 'a zero tcpe figure')" \
	"$TCPE_BUILD/bench/bench.json" || fail "bench.json has a zero tcpe figure"
for s in conn req down up; do
	[[ -s "$TCPE_BUILD/bench/$s.dat" ]] || fail "no per-second series for $s"
done
left=$(ip netns list | grep -c 'tcpe_bench_' || true)
check "bench namespaces left behind" "$left" 0
peer_done
