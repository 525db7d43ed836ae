#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer)
# over the production input path and run each for SECONDS (default 60), side by side:
#   tcpe_fuzz        one worker on a net_ring port on VLAN 7: classification, ARP, ICMP, the connection
#                    table, the TCP core, the apps (the HTTP parser), client mode
#   tcpe_fuzz_steer  two workers on a two-queue port with software steering on: everything
#                    arrives on worker 0's queue and crosses the steering ring to its owner;
#                    its workers send by BBR (--cc bbr: the model, its pool, the pacing wheel)
# Both are seeded from the corpus kept in tests/fuzz/corpus and the captured sessions in
# tests/fuzz/seed. Exit status: 0 when no crash, leak or invariant failure.
#   FUZZ_TARGETS="tcpe_fuzz"  run only these (default: both)
#   FUZZ_JOBS=N    run N fuzzer processes per target (default 1)
#   FUZZ_MERGE=1   afterwards, merge what was found into tests/fuzz/corpus (minimised)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=$root/build-fuzz
targets=(${FUZZ_TARGETS:-tcpe_fuzz tcpe_fuzz_steer})
mkdir -p "$out"
srcs=("$root/tests/fuzz/fuzz_worker.c")
for f in "$root"/lib/core/*.c "$root"/lib/net/*.c "$root"/lib/apps/*.c; do srcs+=("$f"); done
for f in config config_addr config_client config_doc port link txbuf steer conn conn_io conn_app conn_life client worker trace; do
	srcs+=("$root/lib/rt/$f.c")
done

# build NAME EXTRA-CFLAGS...: one target. Alignment is not checked: x86 loads any alignment, and
# DPDK's CRC hash (rte_hash_crc.h) reads the 12-byte 4-aligned flow key a word at a time by design.
build() {
	local name=$1
	shift
	# shellcheck disable=SC2046
	clang -g -O1 -std=c11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -Wall -Wno-unused-parameter \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-sanitize=alignment \
		"$@" $(pkg-config --cflags libdpdk) -I"$root/lib/core" -I"$root/lib/net" \
		-I"$root/lib/apps" -I"$root/lib/rt" "${srcs[@]}" -o "$out/$name" \
		$(pkg-config --libs libdpdk) -lrte_net_ring -lnuma -lm
}
pids=()
for t in "${targets[@]}"; do
	if [[ $t == tcpe_fuzz_steer ]]; then build "$t" -DFUZZ_WORKERS=2 & else build "$t" & fi
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

# The seed corpus: client-side frames of real sessions (tests/fuzz/seed/*.pcap), one input each.
seeds=("$root"/tests/fuzz/seed/*.pcap)
[[ -f ${seeds[0]} ]] || { echo "fuzz: no seed capture in tests/fuzz/seed" >&2; exit 1; }
python3 "$root/tests/fuzz/pcap2corpus.py" "$out/seed" "${seeds[@]}"
kept=()
[[ -d $root/tests/fuzz/corpus ]] && kept=("$root/tests/fuzz/corpus")
nkept=0
[[ ${#kept[@]} -gt 0 ]] && nkept=$(ls "${kept[0]}" | wc -l)
echo "fuzz: $(ls "$out/seed" | wc -l) seed inputs, $nkept kept in tests/fuzz/corpus, ${targets[*]} for ${secs} s each"
# EAL runs inside the target (--no-huge, its own file prefix): remove its runtime directory after.
trap 'rm -rf /var/run/dpdk/tcpe_fuzz_*' EXIT
jobs=${FUZZ_JOBS:-1}
par=()
(( jobs > 1 )) && par=(-jobs="$jobs" -workers="$jobs")

# run NAME: one target in its own folder (-jobs writes fuzz-N.log into the working directory)
run() {
	local name=$1 dir=$out/run-$1
	mkdir -p "$dir/corpus"
	rm -f "$dir"/fuzz-*.log
	(cd "$dir" && "$out/$name" -max_total_time="$secs" -timeout=10 -artifact_prefix="$out/$name-" \
		-rss_limit_mb=4096 -print_final_stats=1 "${par[@]}" "$dir/corpus" "$out/seed" "${kept[@]}") \
		>"$dir/fuzz.log" 2>&1
}
declare -A pid_of
for t in "${targets[@]}"; do
	run "$t" &
	pid_of[$t]=$!
done
rc=0
for t in "${targets[@]}"; do
	dir=$out/run-$t
	if ! wait "${pid_of[$t]}"; then
		rc=1
		echo "fuzz: $t failed"
		tail -60 "$dir/fuzz.log"
		cat "$dir"/fuzz-*.log 2>/dev/null | tail -60
		continue
	fi
	(( jobs > 1 )) && cat "$dir"/fuzz-*.log >>"$dir/fuzz.log" 2>/dev/null
	echo "fuzz: $t: $(grep -E '^#[0-9]+.*DONE' "$dir/fuzz.log" | tail -1)"
	grep -E '^stat::number_of_executed_units' "$dir/fuzz.log" | tail -1 | sed "s/^/fuzz: $t: /"
done
if [[ $rc == 0 && ${FUZZ_MERGE:-0} == 1 ]]; then
	mkdir -p "$root/tests/fuzz/corpus"
	for t in "${targets[@]}"; do
		"$out/$t" -merge=1 "$root/tests/fuzz/corpus" "$out/run-$t/corpus" >"$out/merge-$t.log" 2>&1
	done
	echo "fuzz: corpus in tests/fuzz/corpus: $(ls "$root/tests/fuzz/corpus" | wc -l) inputs"
fi
exit "$rc"
