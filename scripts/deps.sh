#!/usr/bin/env bash
# deps.sh - install what tcpe needs to build, test and demo on Debian 12 (idempotent; root).
set -euo pipefail

PKGS=(gcc pkg-config meson ninja-build libdpdk-dev dpdk libnuma-dev libcunit1-dev
      iproute2 iptables iputils-ping tcpdump tshark nodejs curl netcat-openbsd python3 ethtool
      wrk apache2-utils hey nginx-light dpdk-dev chromium fonts-liberation tmux
      clang libclang-rt-14-dev python3-scapy man-db python3-pyelftools debhelper dpkg-dev gnuplot-nox libpcap-dev)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [[ $(id -u) != 0 ]]; then
	echo "deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
