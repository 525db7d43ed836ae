#!/usr/bin/env bash
# dpdk-build.sh - build one newer DPDK LTS release, minimally (only the buses, drivers and libraries
# tcpe uses), into a cached prefix outside the tree, and print how meson finds it.
#   scripts/dpdk-build.sh 24.11|25.11|VERSION   build (or reuse) that release; prints its pkg-config dir
#   scripts/dpdk-build.sh --print-dir VERSION    only print the pkg-config dir (nothing is built)
# Sources: ../shared/dpdk/dpdk-VERSION*.tar.xz beside the checkout (or $TCPE_DPDK_SRC, a folder of
# such tarballs). Prefix: $TCPE_DPDK_CACHE (default /var/cache/tcpe/dpdk)/VERSION; a build is reused
# while its tarball and this script's options are unchanged. Then:
#   PKG_CONFIG_PATH=$(scripts/dpdk-build.sh 24.11) meson setup build-24.11 && ninja -C build-24.11
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

print_only=0
if [[ ${1:-} == --print-dir ]]; then
	print_only=1
	shift
fi
want=${1:-}
if [[ -z $want || $want == -* ]]; then
	echo "usage: $0 [--print-dir] VERSION   (e.g. 24.11 or 25.11.2)" >&2
	exit 2
fi

src_dir=${TCPE_DPDK_SRC:-$root/../shared/dpdk}
cache=${TCPE_DPDK_CACHE:-/var/cache/tcpe/dpdk}
# The newest tarball whose version starts with what was asked (24.11 -> dpdk-24.11.6.tar.xz).
tarball=$(find "$src_dir" -maxdepth 1 -name "dpdk-$want*.tar.xz" 2>/dev/null | sort -V | tail -n 1)
if [[ -z $tarball ]]; then
	echo "dpdk-build: no dpdk-$want*.tar.xz in $src_dir" >&2
	exit 2
fi
# EAL loads the drivers from the prefix, and refuses a driver directory that has a world-writable
# directory above it (/tmp, for one): say so now, not when tcpe cannot start.
mkdir -p "$cache"
d=$(cd "$cache" && pwd -P)
while [[ $d != / ]]; do
	if [[ $(stat -c %A "$d") == ????????w? ]]; then
		echo "dpdk-build: $d is world-writable: EAL would refuse to load drivers from below it;" \
		     "choose another TCPE_DPDK_CACHE" >&2
		exit 2
	fi
	d=$(dirname "$d")
done
full=$(basename "$tarball" .tar.xz)
full=${full#dpdk-}
prefix=$cache/$full
# x86_64-linux-gnu on Debian: DPDK installs its .pc files under lib/<multiarch>/pkgconfig.
pcdir() { find "$prefix" -name libdpdk.pc -printf '%h\n' 2>/dev/null | head -n 1; }

# What tcpe links: EAL and the libraries meson always enables, plus these; the vdev bus, the
# ports the tests and demos use, the ring and stack mempools (tcpe's pools are stacks: mem.h);
# of the apps only dpdk-dumpcap (a secondary must match its primary's release). Examples, tests,
# docs and kernel modules are not built. A generic CPU target, so a cached prefix runs on any
# x86-64 machine.
libs=cfgfile,pdump,bpf,pcapng,gso
drivers=bus/vdev,net/tap,net/memif,net/ring,mempool/ring,mempool/stack
opts=(-Dplatform=generic -Denable_libs=$libs -Denable_drivers=$drivers -Denable_apps=dumpcap
      -Dtests=false -Dexamples= -Denable_docs=false -Denable_kmods=false -Dmax_lcores=128
      --buildtype=release --default-library=shared)
stamp="$(sha256sum "$tarball" | cut -d' ' -f1) ${opts[*]}"

if [[ -f $prefix/.tcpe-stamp && $(cat "$prefix/.tcpe-stamp") == "$stamp" && -n $(pcdir) ]]; then
	pcdir
	exit 0
fi
if ((print_only)); then
	echo "dpdk-build: DPDK $full is not built yet (run $0 $want)" >&2
	exit 1
fi

# pyelftools: DPDK's build reads driver metadata with it, through the system's python3 (put first
# in PATH, so that a python3 of pyenv or a venv without Debian's modules is not the one meson finds).
export PATH=/usr/bin:$PATH
/usr/bin/python3 -c 'import elftools' 2>/dev/null || {
	[[ $(id -u) == 0 ]] || { echo "dpdk-build: python3-pyelftools missing; run as root" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pyelftools >/dev/null
}

work=$(mktemp -d "${TMPDIR:-/tmp}/tcpe-dpdk-$full.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
echo "dpdk-build: DPDK $full from $tarball into $prefix" >&2
tar -C "$work" -xf "$tarball"
srcdir=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
# Only the options this release has (25.11 dropped enable_kmods, for one).
setup_opts=()
for o in "${opts[@]}"; do
	if [[ $o == -D* ]]; then
		name=${o#-D}
		name=${name%%=*}
		grep -q "option('$name'" "$srcdir/meson_options.txt" || continue
	fi
	setup_opts+=("$o")
done
rm -rf "$prefix"
# DPDK's configure step leaves a temporary file of its own (an AVX-512 check); keep it in $work
export TMPDIR=$work
meson setup "$work/build" "$srcdir" --prefix="$prefix" "${setup_opts[@]}" >"$work/setup.log" 2>&1 || {
	tail -n 30 "$work/setup.log" >&2
	exit 1
}
ninja -C "$work/build" install >"$work/build.log" 2>&1 || {
	tail -n 30 "$work/build.log" >&2
	exit 1
}
echo "$stamp" >"$prefix/.tcpe-stamp"
echo "dpdk-build: DPDK $full built in $(($(date +%s) - t0)) s" >&2
pcdir
