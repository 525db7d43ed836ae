#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer target (clang, AddressSanitizer + UndefinedBehaviorSanitizer)
# over the packet parser and the TCP core, seed it from the captured sessions in tests/fuzz/seed,
# and run it for SECONDS (default 60). Exit status: 0 when no crash, leak or invariant failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=$root/build-fuzz
mkdir -p "$out/corpus"
core=(stats opts isn timer reasm syncookie tw cc tcp tcp_in tcp_out)
srcs=("$root/tests/fuzz/fuzz_stack.c" "$root/lib/net/parse.c" "$root/lib/net/build.c")
for f in "${core[@]}"; do srcs+=("$root/lib/core/$f.c"); done
# shellcheck disable=SC2046
clang -g -O1 -std=c11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -Wall -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	$(pkg-config --cflags libdpdk) -I"$root/lib/core" -I"$root/lib/net" \
	"${srcs[@]}" -o "$out/tcpe_fuzz" $(pkg-config --libs libdpdk)
# The seed corpus: client-side frames of real sessions (tests/fuzz/seed/*.pcap), one input each.
seeds=("$root"/tests/fuzz/seed/*.pcap)
[[ -f ${seeds[0]} ]] || { echo "fuzz: no seed capture in tests/fuzz/seed" >&2; exit 1; }
python3 "$root/tests/fuzz/pcap2corpus.py" "$out/seed" "${seeds[@]}"
echo "fuzz: $(ls "$out/seed" | wc -l) seed inputs, running ${secs} s"
"$out/tcpe_fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	"$out/corpus" "$out/seed" 2>"$out/fuzz.log" || { tail -60 "$out/fuzz.log"; exit 1; }
grep -E '^stat::number_of_executed_units|^stat::peak_rss|^#[0-9]+.*DONE' "$out/fuzz.log" || true
tail -3 "$out/fuzz.log"
