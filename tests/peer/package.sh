#!/usr/bin/env bash
# The installed tcpe: `meson install` puts every file in place, and the Debian package built by
# scripts/package.sh installs with apt, shows its man pages and completion, and serves the seed's
# client from /usr/bin/tcpe. The package is removed again at the end (and on failure).
source "$(dirname "$0")/lib.sh"

# meson install into a staging root: the files the README promises, where they belong.
meson install -C "$TCPE_BUILD" --destdir "$T/root" --no-rebuild >"$T/install.log" 2>&1 ||
	{ fail "meson install failed"; tail -20 "$T/install.log" >&2; }
prefix=$(meson introspect "$TCPE_BUILD" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
for f in bin/tcpe bin/tcpe-top bin/tcpe-report share/man/man8/tcpe.8 share/man/man1/tcpe-top.1 \
	 share/man/man1/tcpe-report.1 share/tcpe/grafana/tcpe.json \
	 share/bash-completion/completions/tcpe share/doc/tcpe/examples/tcpe.ini; do
	[[ -e $T/root$prefix/$f ]] && log "  ok: meson install: $prefix/$f" || fail "meson install: no $prefix/$f"
done

if dpkg-query -W -f='${Status}' tcpe 2>/dev/null | grep -q "install ok installed"; then
	log "  a tcpe package is installed already (not ours to replace): package checks skipped"
	peer_done
fi
deb=$(bash "$TCPE_ROOT/scripts/package.sh" "$T/pkg") || { fail "scripts/package.sh failed"; peer_done; }
log "  built $deb"
trap 'dpkg -r tcpe >/dev/null 2>&1; tcpe_cleanup' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$T/apt.log" 2>&1 ||
	{ fail "apt-get install $deb failed"; tail -20 "$T/apt.log" >&2; peer_done; }
check "installed tcpe" "$(command -v tcpe)" /usr/bin/tcpe
version=$(/usr/bin/tcpe --version)
log "  $version"
[[ $version =~ ^tcpe\ [0-9.]+\ \(built\ with\ DPDK\ [0-9.]+,\ running\ DPDK\ [0-9.]+\)$ ]] ||
	fail "tcpe --version: '$version'"
check "man -w tcpe" "$(man -w tcpe)" /usr/share/man/man8/tcpe.8.gz
check "man -w tcpe-top" "$(man -w tcpe-top)" /usr/share/man/man1/tcpe-top.1.gz
check "man -w tcpe-report" "$(man -w tcpe-report)" /usr/share/man/man1/tcpe-report.1.gz
/usr/bin/tcpe-report /dev/null >/dev/null 2>&1
check "installed tcpe-report on a file that is not a summary: exit status" "$?" 2
# Every option of the installed --help in the installed man page (docs.py checks the full text).
missing=$(for o in $(/usr/bin/tcpe --help | grep -oE '^  (-\w, )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+'); do
	MANWIDTH=200 man --nh --nj tcpe 2>/dev/null | grep -qE -- "^ +(-\w, )?$o( |$)" || echo "$o"; done)
check "options of --help missing from man tcpe" "${missing:-none}" none
words=$(bash -c 'source /usr/share/bash-completion/completions/tcpe; COMP_WORDS=(tcpe -- --cc ""); COMP_CWORD=3; _tcpe; echo "${COMPREPLY[*]}"')
check "completion of --cc" "$words" "newreno cubic bbr"

# The installed binary on a tap, with the drivers the package pulled in: the seed's client.
TCPE_BIN=/usr/bin/tcpe
peer_setup "-l 0-1" --listen 42181:hello
seed_nat "$NS"
out=$(in_ns timeout 20 node "$SEED_DIR/tcp-client.js" 2>&1)
grep -qx "Received : hello client" <<<"$out" || fail "node against /usr/bin/tcpe: $out"
peer_stop
dpkg -r tcpe >/dev/null 2>&1 || fail "dpkg -r tcpe failed"
[[ ! -e /usr/bin/tcpe ]] || fail "/usr/bin/tcpe still there after dpkg -r"
peer_done
