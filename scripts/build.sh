#!/usr/bin/env bash
# build.sh - configure (once) and build tcpe and its tests with meson + ninja.
#   scripts/build.sh                     against the system's DPDK (Debian 12: 22.11), into build/
#   TCPE_DPDK=24.11 scripts/build.sh     against a newer LTS release built by dpdk-build.sh (cached),
#                                        into build-dpdk-24.11/ (its libraries found by DT_RPATH,
#                                        which also serves the libraries they load)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ -z ${TCPE_DPDK:-} ]]; then
	[[ -f build/build.ninja ]] || meson setup build --buildtype=release >/dev/null
	ninja -C build
	exit 0
fi
pc=$("$root/scripts/dpdk-build.sh" "$TCPE_DPDK")
dir=build-dpdk-$TCPE_DPDK
if [[ ! -f $dir/build.ninja ]]; then
	PKG_CONFIG_PATH=$pc meson setup "$dir" --buildtype=release \
		-Dc_link_args="-Wl,--disable-new-dtags,-rpath,$(dirname "$pc")" >/dev/null
fi
ninja -C "$dir"
