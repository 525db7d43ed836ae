#!/usr/bin/env bash
# build.sh - configure (once) and build tcpe and its tests with meson + ninja into build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ ! -f build/build.ninja ]]; then
	meson setup build --buildtype=release >/dev/null
fi
ninja -C build
