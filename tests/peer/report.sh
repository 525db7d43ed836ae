#!/usr/bin/env bash
# --summary-json and scripts/tcpe-report: two runs of tcpe's client against tcpe's http server
# (net_memif, two DPDK processes) each write a summary; the report of both gives the summed
# totals and the percentiles of the two histograms merged by hand (tests/tools/report_check.py),
# draws its plot, and refuses a file that is not a summary.
source "$(dirname "$0")/lib.sh"

memif_server "$T/tcpe.log" --listen 80:http
spid=$SERVER_PID

for run in 1 2; do
	# the second run opens a connection per request at a rate: another latency distribution
	opts=(--request http --concurrency 16)
	((run == 2)) && opts=(--request http --rate 2000)
	memif_client "$T/client$run.log" --stats-interval 0 --duration 3 "${opts[@]}" \
		--summary-json "$T/run$run.json"
	wait "$CLIENT_PID"
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
