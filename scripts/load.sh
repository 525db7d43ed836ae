#!/usr/bin/env bash
# load.sh - load-test tcpe's http app with real clients (wrk, ab, hey, curl) through net_tap, and
# nginx (Debian's) over a veth pair with the same clients in the same run; print a table with the
# ratio and where each run's time went. A benchmark, not a test: nothing is asserted. Root.
#   LOAD_SECONDS=5 scripts/load.sh
# Layout: namespace tcpe_ld_<pid> holds the clients, tcpe's tap (tcpe 198.18.0.1) and one end of
# a veth pair; namespace tcpe_ng_<pid> holds nginx on the other end (198.18.1.1). tcpe's worker
# and nginx's single worker run on CPU 1, every client on CPU 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
SECS=${LOAD_SECONDS:-5}
"$root/scripts/deps.sh" >/dev/null || exit 1
"$root/scripts/build.sh" >/dev/null || exit 1
source "$root/scripts/lib/common.sh"
source "$root/scripts/hugepages.sh"
NS="tcpe_ld_$$"
NG="tcpe_ng_$$"
NGINX_IP=198.18.1.1
ngx_pid=
trap '[[ -n $ngx_pid ]] && kill "$ngx_pid" 2>/dev/null; tcpe_cleanup; hugepages_release' EXIT
trap 'exit 130' INT TERM
tcpe_tmpdir T
hugepages_reserve 512 >/dev/null
ulimit -n 65536
body=$(python3 -c "print(('0123456789abcdefghijklmnopqrstuv' * 2)[:64], end='')")

echo "== setting up: tcpe on net_tap, nginx on veth (both on CPU 1), clients on CPU 0"
ns_create "$NS" && ns_create "$NG" || exit 1
ip link add ld_c type veth peer name ld_s || exit 1
ip link set ld_c netns "$NS" && ip link set ld_s netns "$NG"
ip netns exec "$NS" ip addr add 198.18.1.2/24 dev ld_c
ip netns exec "$NG" ip addr add "$NGINX_IP/24" dev ld_s
ip netns exec "$NS" ip link set ld_c up && ip netns exec "$NG" ip link set ld_s up
cat >"$T/nginx.conf" <<NGX
worker_processes 1;
worker_cpu_affinity 10;
worker_rlimit_nofile 65536;
error_log $T/nginx.err;
pid $T/nginx.pid;
events { worker_connections 20000; }
http {
	access_log off;
	keepalive_requests 1000000;
	keepalive_timeout 60s;
	client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
	uwsgi_temp_path $T; scgi_temp_path $T;
	server {
		listen $NGINX_IP:80 backlog=4096;
		location / { default_type text/plain; return 200 "$body"; }
	}
}
NGX
ip netns exec "$NG" nginx -p "$T" -c "$T/nginx.conf" -g 'daemon off;' &
ngx_pid=$!
_tcpe_pids+=("$ngx_pid")
for _ in $(seq 50); do ip netns exec "$NS" curl -s -o /dev/null "http://$NGINX_IP/" && break; sleep 0.1; done
ngx_worker=$(pgrep -P "$ngx_pid" | head -1)

cli() { ip netns exec "$NS" taskset -c 0 "$@"; }
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }	# ticks
pkts() {	# tcpe's running packet totals (rx tx) from its last --stats-json line
	python3 - "$T/stats.jsonl" <<'PY'
import json, sys
try:
    t = json.loads(open(sys.argv[1]).read().splitlines()[-1])["total"]
    print(t["rx_pkts"], t["busy_us"])
except (OSError, IndexError, ValueError):
    print(0, 0)
PY
}

declare -A R
run() {	# run NAME SERVER URL CMD...: one scenario against one server; sets R[NAME,SERVER]
	local name=$1 srv=$2 url=$3 out rate extra b0 b1 n0 l0 l1 c0 c1 t0 t1 clcpu
	shift 3
	printf '  %-34s %-6s ... ' "$name" "$srv"
	[[ $srv == tcpe ]] && { sleep 1.1; read -r b0 l0 < <(pkts); }
	c0=$(cpu_of "${ngx_worker:-0}")
	t0=$(date +%s.%N)
	TIMEFORMAT=%P
	clcpu=$( { time cli "$@" "$url" >"$T/out" 2>&1; } 2>&1 )
	t1=$(date +%s.%N)
	c1=$(cpu_of "${ngx_worker:-0}")
	case $1 in
	wrk) rate=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$T/out")
	     extra="p50 $(awk '/ 50%/ { print $2 }' "$T/out"), p99 $(awk '/ 99%/ { print $2 }' "$T/out")"
	     grep -q "Socket errors\|Non-2xx" "$T/out" && extra+=", ERRORS: $(grep -h 'Socket errors\|Non-2xx' "$T/out" | tr -s ' ')" ;;
	ab)  rate=$(awk '/Requests per second/ { printf "%.0f", $4 }' "$T/out")
	     extra="failed $(awk '/Failed requests/ { print $3 }' "$T/out")" ;;
	hey) rate=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$T/out")
	     extra="$(awk '/\[200\]/ { print $2 }' "$T/out") x 200, $(grep -A3 '^Error distribution' "$T/out" | grep -c '\[') error kinds" ;;
	*)   rate=$(awk -v a="$t0" -v b="$t1" -v n=200 'BEGIN { printf "%.0f", n / (b - a) }')
	     extra="sequential" ;;
	esac
	sleep 1.2	# one more JSON report: the packet totals then cover the whole run
	if [[ $srv == tcpe ]]; then
		read -r b1 l1 < <(pkts)
		extra+=", client CPU ${clcpu}%, tcpe $(awk -v a="$b0" -v b="$b1" -v c="$l0" -v d="$l1" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 'BEGIN { printf "rx %.0fk pkt/s, worker busy %.0f%%", (b - a) / s / 1000, (d - c) / s / 1e4 }')"
	else
		extra+=", client CPU ${clcpu}%, nginx CPU $(awk -v a="$c0" -v b="$c1" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / s }')%"
	fi
	R[$name,$srv]=$rate
	echo "$rate/s  ($extra)"
}

curl200() { local u=$1 a=(); for _ in $(seq 200); do a+=(-o /dev/null "$u"); done; curl -s "${a[@]}"; }
export -f curl200 2>/dev/null

scenarios() {	# scenarios SERVER IP
	local srv=$1 ip=$2
	run "wrk keep-alive, 100 conns" "$srv" "http://$ip/" wrk -t1 -c100 -d"${SECS}s" --latency
	run "wrk keep-alive, 1000 conns" "$srv" "http://$ip/" wrk -t1 -c1000 -d"${SECS}s" --latency
	run "ab, a connection per request, c=50" "$srv" "http://$ip/" ab -q -n 20000 -c 50
	run "hey keep-alive, c=50" "$srv" "http://$ip/" hey -n 50000 -c 50
	run "curl, 200 sequential keep-alive" "$srv" "http://$ip/" bash -c 'curl200 "$0"'
}

# One server at a time on CPU 1: nginx first, then tcpe (whose worker polls its core).
echo "== nginx ${SECS} s per timed scenario"
scenarios nginx "$NGINX_IP"
kill "$ngx_pid"; wait "$ngx_pid" 2>/dev/null; ngx_pid=; ngx_worker=
echo "== tcpe"
# the tap is created in $NS, which already has the veth: tcpe_start adds 198.18.0.2 on tcpe0
tcpe_start "$NS" "$T/tcpe.log" "-l 0-1" -- --listen 80:http --stats-interval 0 \
	--stats-json "$T/stats.jsonl" --max-conns 32768 --time-wait-ms 2000 || exit 1
scenarios tcpe "$TCPE_IP"

echo
printf '%-38s %12s %12s %8s\n' "requests/s (median of one run each)" "tcpe (tap)" "nginx (veth)" "ratio"
for name in "wrk keep-alive, 100 conns" "wrk keep-alive, 1000 conns" "ab, a connection per request, c=50" \
	    "hey keep-alive, c=50" "curl, 200 sequential keep-alive"; do
	a=${R[$name,tcpe]:-0}; b=${R[$name,nginx]:-0}
	printf '%-38s %12s %12s %8s\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
done
tcpe_stop
echo
echo "tcpe counters: $(grep -E '^  (http_resp_2xx|http_resp_4xx|rst_tx|retransmits) ' "$T/tcpe.log" | awk '{ printf "%s=%s ", $1, $2 }')drops=$(awk '/drops \(all reasons\)/ { print $4 }' "$T/tcpe.log")"
