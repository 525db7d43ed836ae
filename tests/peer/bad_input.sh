#!/usr/bin/env bash
# Bad options and config files: one message naming the problem, exit status 2, no port touched.
source "$(dirname "$0")/lib.sh"

ns_create "$NS" || exit 1

# expect_bad "what the message must contain" tcpe-options...
expect_bad() {
	local want=$1 rc
	shift
	in_ns "$TCPE_BIN" -l 0-1 --no-pci --no-huge -m 256 --file-prefix "tcpe_bad_$$" \
		--vdev net_tap0,iface=tcpe0 -- "$@" >"$T/out" 2>&1
	rc=$?
	if [[ $rc != 2 ]]; then
		fail "tcpe -- $*: exit $rc, want 2"
	elif ! grep -qF -- "$want" "$T/out"; then
		fail "tcpe -- $*: message '$(head -c 200 "$T/out")' does not say '$want'"
	elif in_ns ip link show tcpe0 >/dev/null 2>&1; then
		fail "tcpe -- $*: the tap was created before the input was rejected"
	else
		log "  ok: [$*] -> $(grep -m1 tcpe: "$T/out")"
	fi
}

ip="--ip $TCPE_IP/24"
expect_bad "unknown option '--frobnicate'" $ip --frobnicate
expect_bad "option '--listen' needs a value" $ip --listen
expect_bad "'198.18.0.300/24' is not an IPv4 ADDR/PREFIX" --ip 198.18.0.300/24
expect_bad "'198.18.0.1' is not an IPv4 ADDR/PREFIX" --ip 198.18.0.1
expect_bad "'198.18.0.1/33' is not an IPv4 ADDR/PREFIX" --ip 198.18.0.1/33
expect_bad "port 0 has no address" --listen 80:hello
expect_bad "unknown app 'gopher'" $ip --listen 70:gopher
expect_bad "port '0' is not in 1..65535" $ip --listen 0:hello
expect_bad "port '70000' is not in 1..65535" $ip --listen 70000:echo
expect_bad "'80' is not PORT:APP" $ip --listen 80
expect_bad "--max-conns: '0' is out of range" $ip --max-conns 0
expect_bad "--mss: '12x' is not an unsigned number" $ip --mss 12x
expect_bad "--mss: '9000' is out of range (536..1460)" $ip --mss 9000
expect_bad "--stats-interval: '-1' is not an unsigned number" $ip --stats-interval -1
expect_bad "--rx-desc: '16' is out of range (32..32768)" $ip --rx-desc 16
expect_bad "--tx-desc: '65536' is out of range (32..32768)" $ip --tx-desc 65536
expect_bad "--rx-coalesce-us: '101' is out of range (0..100)" $ip --rx-coalesce-us 101
expect_bad "gateway is outside the port's prefix" $ip --gateway 198.19.0.1
expect_bad "'198.18.0' is not an IPv4 address" $ip --gateway 198.18.0
expect_bad "--vlan: '0' is not a VLAN ID (1..4094)" $ip --vlan 0
expect_bad "--vlan: '4095' is not a VLAN ID (1..4094)" $ip --vlan 4095
expect_bad "--vlan: '10x' is not a VLAN ID (1..4094)" $ip --vlan 10x
expect_bad "rto-max-ms (100) is below rto-init-ms (1000)" $ip --rto-max-ms 100
expect_bad "rto-min-ms (2000) is above rto-init-ms (1000)" $ip --rto-min-ms 2000
expect_bad "unexpected argument 'extra'" $ip extra
expect_bad "--prometheus: 'localhost9100' is not ADDR:PORT" $ip --prometheus localhost9100
expect_bad "--prometheus: '127.0.0.1:0' is not ADDR:PORT" $ip --prometheus 127.0.0.1:0
expect_bad "cannot open '/nonexistent.ini'" -c /nonexistent.ini
expect_bad "--connect: '198.18.0.2' is not ADDR:PORT" $ip --connect 198.18.0.2
expect_bad "--request: 'ftp' is not http[:PATH], hello, echo:BYTES or bulk" $ip --connect 198.18.0.2:80 --request ftp
expect_bad "--request: the path in 'http:/a b' has a space" $ip --connect 198.18.0.2:80 --request 'http:/a b'
expect_bad "--pipeline: '0' is out of range (1..64)" $ip --connect 198.18.0.2:80 --pipeline 0
expect_bad "--source-ips: '198.18.0.9-198.18.0.3' is not FIRST[-LAST]" $ip --connect 198.18.0.2:80 \
	--source-ips 198.18.0.9-198.18.0.3
expect_bad "--source-ips: '198.19.0.3' is not inside port 0's subnet" $ip --connect 198.18.0.2:80 \
	--source-ips 198.19.0.3

expect_bad "--ip6: '2001:2::1' is not a unicast IPv6 ADDR/PREFIX" $ip --ip6 2001:2::1
expect_bad "--ip6: '2001:2::1/129' is not a unicast IPv6 ADDR/PREFIX" $ip --ip6 2001:2::1/129
expect_bad "--ip6: 'ff02::1/64' is not a unicast IPv6 ADDR/PREFIX" $ip --ip6 ff02::1/64
expect_bad "--ip6: '2001:2::g/64' is not a unicast IPv6 ADDR/PREFIX" $ip --ip6 2001:2::g/64
expect_bad "--gateway6: 'router' is not a unicast IPv6 address" $ip --ip6 2001:2::1/64 \
	--gateway6 router
expect_bad "port 0 has a gateway6 but no ip6" $ip --gateway6 2001:2::9
expect_bad "gateway6 is neither link-local (fe80::/10) nor in the port's ip6 prefix /64" $ip \
	--ip6 2001:2::1/64 --gateway6 2001:3::1
expect_bad "--connect: an IPv6 server needs an IPv6 address on port 0 (--ip6)" $ip \
	--connect "[2001:2::2]:80"
expect_bad "--connect: '[2001:2::2:80' is not ADDR:PORT" $ip --ip6 2001:2::1/64 \
	--connect "[2001:2::2:80"
expect_bad "--connect: '[ff02::1]:80' is not ADDR:PORT" $ip --ip6 2001:2::1/64 \
	--connect "[ff02::1]:80"
expect_bad "--source-ips: IPv4 sources only (the server is IPv6)" $ip --ip6 2001:2::1/64 \
	--connect "[2001:2::2]:80" --source-ips 198.18.0.10-198.18.0.11
ini() { printf '%s\n' "$@" >"$T/bad.ini"; }
ini "[port1]" "ip6 = 2001:2:0:1::1/64"
expect_bad "port 1 has an ip6 but no ip (IPv6 is dual stack)" -c "$T/bad.ini" $ip
ini "[tcpe]" "max-conns = lots"
expect_bad "[tcpe] max-conns: 'lots' is not a size (digits with an optional K, M or G suffix)" -c "$T/bad.ini" $ip
ini "[tcp]" "nagle = 1"
expect_bad "[tcp] nagle: unknown key" -c "$T/bad.ini" $ip
ini "[gopher]" "x = 1"
expect_bad "[gopher]: unknown section" -c "$T/bad.ini" $ip
ini "[listen]" "80 = ftp"
expect_bad "[listen] 80: unknown app 'ftp'" -c "$T/bad.ini" $ip
ini "[port0]" "ip = 198.18.0.1/24" "mtu = 9000"
expect_bad "[port0] mtu: unknown key" -c "$T/bad.ini"
ini "[port1]" "vlan = 7"
expect_bad "port 1 has a vlan but no ip" -c "$T/bad.ini" $ip
ini "[tcpe]" "this line has no equals sign"
expect_bad "bad.ini:2: 'this line has no equals sign' is neither" -c "$T/bad.ini" $ip
ini "[tcpe" "trace = 1"
expect_bad "bad.ini:1: '[tcpe' is neither" -c "$T/bad.ini" $ip
ini "[tcp]" "= 5"
expect_bad "bad.ini:2: '= 5' is neither" -c "$T/bad.ini" $ip
ini "[port9]" "ip = 198.18.0.1/24"
expect_bad "[port9]: unknown section" -c "$T/bad.ini"

# The command line overrides the file; the example file is valid as shipped.
in_ns "$TCPE_BIN" -l 0-1 --no-pci --no-huge -m 256 --file-prefix "tcpe_bad_$$" \
	--vdev net_tap0,iface=tcpe0 -- -c "$TCPE_ROOT/config/tcpe.ini" --duration 1 \
	--stats-interval 0 --max-conns 1024 --mbufs 8192 --listen 42181:echo >"$T/out" 2>&1
check "exit status with config/tcpe.ini" "$?" 0
grep -q "listening on 42181 (echo)" "$T/out" || fail "--listen did not override [listen] 42181"
grep -q "listening on 9 (discard)" "$T/out" || fail "[listen] 9 from the file is missing"
grep -q ", 1024 per worker;" "$T/out" || fail "--max-conns did not override the file"
# EAL's own input errors also exit 2.
in_ns "$TCPE_BIN" -l 0 --no-pci --no-huge -m 256 --file-prefix "tcpe_bad_$$" -- $ip >"$T/out" 2>&1
check "exit status with no worker lcore" "$?" 2
grep -q "no worker lcore" "$T/out" || fail "no message for a missing worker lcore"
"$TCPE_BIN" --help >"$T/out" 2>&1
check "--help exit status" "$?" 0
grep -q -- "--listen PORT:APP" "$T/out" || fail "--help does not list --listen"
rm -rf "/var/run/dpdk/tcpe_bad_$$"
peer_done
