#!/usr/bin/env bash
# package.sh - build tcpe's Debian package with the distribution's own tooling (dpkg-buildpackage,
# debhelper, meson) from the tracked sources and config/debian/; prints the .deb's path.
#   scripts/package.sh [OUTDIR]     (default: build-pkg/ in the tree)
# Install it with: apt-get install ./build-pkg/tcpe_VERSION_amd64.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build-pkg}" && cd "${1:-$root/build-pkg}" && pwd)

need=()
for p in debhelper dpkg-dev meson ninja-build pkg-config libdpdk-dev libnuma-dev python3; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
	[[ $(id -u) == 0 ]] || { echo "package: missing ${need[*]}; run as root" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

version=$(sed -n "s/^  version: '\([^']*\)'.*/\1/p" "$root/meson.build")
[[ -n $version ]] || { echo "package: no version in meson.build" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tcpe-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/tcpe-$version
mkdir -p "$src"
# The tracked files and new ones not ignored: what a clone would hold, plus work in progress.
(cd "$root" && git ls-files -z -c -o --exclude-standard | xargs -0 cp --parents -t "$src")
cp -r "$root/config/debian" "$src/debian"
commit=$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
cat >"$src/debian/changelog" <<EOC
tcpe ($version) unstable; urgency=medium

  * Built from commit $commit by scripts/package.sh.

 -- $maint  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")
EOC
t0=$(date +%s)
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	exit 1
}
deb=$(find "$work" -maxdepth 1 -name "tcpe_${version}_*.deb" | head -n 1)
mv "$deb" "$out/"
echo "package: $(basename "$deb") built in $(($(date +%s) - t0)) s" >&2
echo "$out/$(basename "$deb")"
