#!/usr/bin/env bash
# config/grafana/tcpe.json queries only what tcpe exports: a tcpe http server and tcpe's client
# (net_memif) both serve /metrics on loopback while traffic runs; every metric name and
# {__name__=~...} selector of the dashboard is found in the two scrapes, and the client's latency
# histogram is a proper Prometheus histogram.
source "$(dirname "$0")/lib.sh"

sport=$((20000 + $$ % 20000)) cport=$((20001 + $$ % 20000))
memif_server "$T/tcpe.log" --listen 80:http --prometheus "127.0.0.1:$sport"
spid=$SERVER_PID
memif_client "$T/client.log" --stats-interval 0 --duration 60 --request http --rate 5000 \
	--prometheus "127.0.0.1:$cport"
cpid=$CLIENT_PID
for _ in $(seq 100); do
	curl -s -m 1 -o "$T/client.metrics" "http://127.0.0.1:$cport/metrics" &&
		grep -q '^tcpe_client_requests_total{worker="1"} [1-9]' "$T/client.metrics" && break
	sleep 0.2
done
curl -s -m 2 -o "$T/server.metrics" "http://127.0.0.1:$sport/metrics" || fail "scrape the server"
curl -s -m 2 -o "$T/client.metrics" "http://127.0.0.1:$cport/metrics" || fail "scrape the client"
kill -INT "$cpid" "$spid"
wait "$cpid"
check "client exit status" "$?" 0
wait "$spid"
check "server exit status" "$?" 0
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TCPE_ROOT/config/grafana/tcpe.json" ||
	fail "the dashboard is not JSON"
python3 "$TCPE_ROOT/tests/tools/grafana_check.py" "$TCPE_ROOT/config/grafana/tcpe.json" \
	"$T/server.metrics" "$T/client.metrics" >&2 || fail "the dashboard queries what tcpe does not export"
peer_done
