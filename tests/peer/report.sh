#!/usr/bin/env bash
# --summary-json and scripts/tcpe-report: two runs of tcpe's client against tcpe's http server
# (net_memif, two DPDK processes) each write a summary; the report of both gives the summed
# totals and the percentiles of the two histograms merged by hand (tests/tools/report_check.py),
# draws its plot, and refuses a file that is not a summary.
source "$(dirname "$0")/lib.sh"

SOCK="$T/memif.sock"
sp="tcpe_$$_rs"
_tcpe_prefixes+=("$sp")
"$TCPE_BIN" --lcores 0@0,1@0 --no-pci --no-huge -m 512 --file-prefix "$sp" \
	--vdev "net_memif0,role=server,socket=$SOCK,id=0" -- --ip 198.18.1.1/24 \
	--stats-interval 0 --listen 80:http >"$T/tcpe.log" 2>&1 &
spid=$!
track_pid "$spid"
for _ in $(seq 100); do grep -q "^tcpe: listening" "$T/tcpe.log" 2>/dev/null && break; sleep 0.1; done

for run in 1 2; do
	cp="tcpe_$$_rc$run"
	_tcpe_prefixes+=("$cp")
	# the second run opens a connection per request at a rate: another latency distribution
	opts=(--request http --concurrency 16)
	((run == 2)) && opts=(--request http --rate 2000)
	timeout 60 "$TCPE_BIN" --lcores 0@1,1@1 --no-pci --no-huge -m 512 --file-prefix "$cp" \
		--vdev "net_memif0,role=client,socket=$SOCK,id=0" -- --ip 198.18.1.2/24 \
		--connect 198.18.1.1:80 --stats-interval 0 --duration 3 "${opts[@]}" \
		--summary-json "$T/run$run.json" >"$T/client$run.log" 2>&1
	check "client run $run exit status" "$?" 0
	grep -q "summary written to $T/run$run.json" "$T/client$run.log" || fail "run $run: no summary line"
	resp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["responses"])' "$T/run$run.json")
	check_ge "run $run responses" "$resp" 100
done
kill -INT "$spid"
wait "$spid"
check "server exit status" "$?" 0

python3 "$TCPE_ROOT/tests/tools/report_check.py" "$TCPE_ROOT/scripts/tcpe-report" \
	"$T/run1.json" "$T/run2.json" >&2 || fail "tcpe-report disagrees with the merge by hand"
"$TCPE_ROOT/scripts/tcpe-report" "$T/run1.json" "$T/run2.json" >"$T/report.txt" ||
	fail "text report failed"
sed 's/^/    /' "$T/report.txt" | head -8 >&2
grep -q "^latency (us, merged histogram" "$T/report.txt" || fail "no latency line in the text report"
if command -v gnuplot >/dev/null; then
	"$TCPE_ROOT/scripts/tcpe-report" --plot "$T/report.png" "$T/run1.json" "$T/run2.json" >/dev/null ||
		fail "--plot failed"
	[[ $(head -c 4 "$T/report.png" | od -An -c | tr -d ' ') == 211PNG ]] || fail "--plot wrote no PNG"
fi
peer_done
