#!/usr/bin/env bash
# microbench.sh [UNITS] - the packet path without a NIC (tests/bench/microbench.c): nanoseconds per
# packet natively, and instructions per packet under valgrind's callgrind (repeatable on a noisy
# machine). Appends a dated line per scenario to tests/bench/microbench.tsv so changes can be compared.
# Not a test: it asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
bin=$root/build/tests/tcpe_microbench
units=${1:-131072}
eal=(-l 1 --no-pci --no-huge -m 2048 --log-level=error)
tmp=$(mktemp -d /tmp/tcpe_mb.XXXXXX)
trap 'rm -rf "$tmp" /var/run/dpdk/tcpe_mb_$$*' EXIT
echo "== native ($units units per scenario, worker on CPU 1)"
"$bin" "${eal[@]}" --file-prefix "tcpe_mb_$$" -- "$units" | tee "$tmp/native"
command -v valgrind >/dev/null || { echo "valgrind not installed: no instruction counts"; exit 0; }
echo "== instructions per packet (callgrind, 8192 units, only the timed work: feed())"
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
for s in syn http deep http6 data ack keep; do
	valgrind --tool=callgrind --toggle-collect='feed*' --callgrind-out-file="$tmp/cg.$s" \
		"$bin" "${eal[@]}" --file-prefix "tcpe_mb_$$_$s" -- 8192 "$s" >"$tmp/out.$s" 2>&1
	ir=$(sed -n 's/^summary: //p' "$tmp/cg.$s")
	pk=$(awk -v s="$s" '$1 == s {print $2 * (s ~ /^(http|deep|http6)$/ ? 4 : 1)}' "$tmp/out.$s")
	ns=$(awk -v s="$s" '$1 == s {print $4}' "$tmp/native")
	ipp=$(( ir / pk ))
	printf '%-5s %8d packets  %6d instructions/packet  %7s ns/packet (native)\n' "$s" "$pk" "$ipp" "$ns"
	printf '%s\t%s\t%s\t%d\t%s\n' "$(date -u +%F)" "$rev" "$s" "$ipp" "$ns" >>"$root/tests/bench/microbench.tsv"
done
echo "(appended to tests/bench/microbench.tsv: date, commit, scenario, instructions/packet, ns/packet)"
