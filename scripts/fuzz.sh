#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer target (clang, AddressSanitizer + UndefinedBehaviorSanitizer)
# over the production input path - a real worker on a net_ring port: classification, the
# connection table, the TCP core, the apps, client mode - seed it from the corpus kept in
# tests/fuzz/corpus and the captured sessions in tests/fuzz/seed, and run it for SECONDS
# (default 60). Exit status: 0 when no crash, leak or invariant failure.
#   FUZZ_JOBS=N    run N fuzzer processes at once (default 1)
#   FUZZ_MERGE=1   afterwards, merge what was found into tests/fuzz/corpus (minimised)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=$root/build-fuzz
mkdir -p "$out/corpus"
srcs=("$root/tests/fuzz/fuzz_worker.c")
for f in "$root"/lib/core/*.c "$root"/lib/net/*.c "$root"/lib/apps/*.c; do srcs+=("$f"); done
for f in config port link txbuf steer conn conn_io conn_app conn_life client worker trace; do
	srcs+=("$root/lib/rt/$f.c")
done
# Alignment is not checked: x86 loads any alignment, and DPDK's CRC hash (rte_hash_crc.h) reads
# the 12-byte 4-aligned flow key a word at a time by design.
# shellcheck disable=SC2046
clang -g -O1 -std=c11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -Wall -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-sanitize=alignment \
	$(pkg-config --cflags libdpdk) -I"$root/lib/core" -I"$root/lib/net" -I"$root/lib/apps" \
	-I"$root/lib/rt" "${srcs[@]}" -o "$out/tcpe_fuzz" $(pkg-config --libs libdpdk) \
	-lrte_net_ring -lnuma
# The seed corpus: client-side frames of real sessions (tests/fuzz/seed/*.pcap), one input each.
seeds=("$root"/tests/fuzz/seed/*.pcap)
[[ -f ${seeds[0]} ]] || { echo "fuzz: no seed capture in tests/fuzz/seed" >&2; exit 1; }
python3 "$root/tests/fuzz/pcap2corpus.py" "$out/seed" "${seeds[@]}"
kept=()
[[ -d $root/tests/fuzz/corpus ]] && kept=("$root/tests/fuzz/corpus")
nkept=0
[[ ${#kept[@]} -gt 0 ]] && nkept=$(ls "${kept[0]}" | wc -l)
echo "fuzz: $(ls "$out/seed" | wc -l) seed inputs, $nkept kept in tests/fuzz/corpus, running ${secs} s"
# EAL runs inside the target (--no-huge, its own file prefix): remove its runtime directory after.
trap 'rm -rf /var/run/dpdk/tcpe_fuzz_*' EXIT
jobs=${FUZZ_JOBS:-1}
par=()
(( jobs > 1 )) && par=(-jobs="$jobs" -workers="$jobs")
rm -f "$out"/fuzz-*.log
# -jobs writes fuzz-N.log into the working directory: run from the build folder
(cd "$out" && ./tcpe_fuzz -max_total_time="$secs" -timeout=10 -artifact_prefix="$out/" \
	-rss_limit_mb=4096 -print_final_stats=1 "${par[@]}" "$out/corpus" "$out/seed" "${kept[@]}") \
	>"$out/fuzz.log" 2>&1 || { tail -60 "$out/fuzz.log"; cat "$out"/fuzz-*.log 2>/dev/null | tail -60; exit 1; }
(( jobs > 1 )) && cat "$out"/fuzz-*.log >>"$out/fuzz.log" 2>/dev/null
grep -E '^stat::number_of_executed_units|^stat::peak_rss|^#[0-9]+.*DONE' "$out/fuzz.log" | tail -4 || true
tail -2 "$out/fuzz.log"
if [[ ${FUZZ_MERGE:-0} == 1 ]]; then
	mkdir -p "$root/tests/fuzz/corpus"
	"$out/tcpe_fuzz" -merge=1 "$root/tests/fuzz/corpus" "$out/corpus" >"$out/merge.log" 2>&1
	echo "fuzz: corpus in tests/fuzz/corpus: $(ls "$root/tests/fuzz/corpus" | wc -l) inputs"
fi
