#!/usr/bin/env bash
# test.sh - install dependencies, build, and run every tcpe test: CUnit unit tests of the protocol
# core, EAL tests on in-process ports, and peer tests against the Linux TCP stack on net_tap in
# namespaces. Root. Prints "N passed, M failed" last; exit status 0 only when all passed.
#   scripts/test.sh            everything
#   scripts/test.sh PATTERN    only the peer tests whose name matches PATTERN (units always run)
# Then the same program against the newer DPDK LTS releases in $TCPE_TEST_DPDK (default "24.11
# 25.11"; empty: none), each built by scripts/dpdk-build.sh (cached): build, unit and EAL tests, and
# the peer tests matching $TCPE_TEST_DPDK_PEER. With TCPE_DPDK=VERSION set, the whole run is
# against that release (scripts/build.sh puts it in build-dpdk-VERSION/).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/deps.sh" || exit 1
"$root/scripts/build.sh" >/dev/null || { echo "build failed"; "$root/scripts/build.sh"; exit 1; }
export TCPE_BUILD=$root/${TCPE_DPDK:+build-dpdk-$TCPE_DPDK}
[[ -n ${TCPE_DPDK:-} ]] || TCPE_BUILD=$root/build
"$TCPE_BUILD/app/tcpe" --version

# The newer DPDK releases (see the end) are built now, in the background, on the cycles the tests
# leave idle: SCHED_IDLE (and the idle I/O class) gives them only CPU time and disk that no test
# asks for (they still share caches and memory). Their turn below finds them built, or waits.
dpdk_versions=
[[ -z ${TCPE_DPDK:-} && ( -z ${1:-} || dpdk =~ $1 ) ]] && dpdk_versions=${TCPE_TEST_DPDK-24.11 25.11}
bg_pid=
bg_log=$(mktemp "${TMPDIR:-/tmp}/tcpe-test-dpdk.XXXXXX")
if [[ -n $dpdk_versions ]]; then
	# its own process group, so that an interrupted run stops the compilers too
	setsid bash -c 'for v in $1; do TCPE_DPDK=$v chrt -i 0 ionice -c 3 "$2/scripts/build.sh"; done' \
		_ "$dpdk_versions" "$root" >"$bg_log" 2>&1 &
	bg_pid=$!
fi
stop_bg() { [[ -n $bg_pid ]] && kill -- "-$bg_pid" 2>/dev/null; rm -f "$bg_log"; }
trap stop_bg EXIT

passed=0
failed=0
failed_names=()
start=$(date +%s)

run() {	# run NAME CMD...: one test program; its output is shown only when it fails
	local name=$1 t0 rc out
	shift
	t0=$(date +%s.%N)
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == 0)); then
		passed=$((passed + 1))
		printf 'PASS %-28s %6.1f s\n' "$name" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		printf 'FAIL %-28s (exit %d)\n' "$name" "$rc"
		printf '%s\n' "$out" | sed 's/^/    | /'
	fi
	[[ -n ${TCPE_TEST_VERBOSE:-} ]] && printf '%s\n' "$out" | sed 's/^/    | /'
	return 0
}

echo "== the tree: layers (no import circles, includes only downward) and STYLE.md's sizes"
run layers python3 "$root/tests/tools/layers.py"
run sizes python3 "$root/tests/tools/sizes.py"
echo "== the documentation: tcpe(8) and the bash completion against --help"
run docs python3 "$root/tests/tools/docs.py" "$TCPE_BUILD"
echo "== unit tests (CUnit, no EAL)"
run unit "$TCPE_BUILD/tests/tcpe_unit"
echo "== EAL tests (--no-huge --no-pci): the connection table driven directly, the worker loop on ring ports"
export TCPE_EAL_PREFIX="tcpe_eal_$$"
run eal "$TCPE_BUILD/tests/eal/tcpe_eal_test"
rm -rf "/var/run/dpdk/$TCPE_EAL_PREFIX"	# EAL leaves its runtime directory behind
echo "== fuzzing (libFuzzer + ASan + UBSan over the production input path, ${TCPE_FUZZ_SECONDS:-60} s)"
[[ -z ${TCPE_DPDK:-} && ( -z ${1:-} || fuzz =~ $1 ) ]] && run fuzz bash "$root/scripts/fuzz.sh" "${TCPE_FUZZ_SECONDS:-60}"
echo "== peer tests (net_tap in a namespace, the Linux TCP stack as the peer)"
for t in "$root"/tests/peer/*.sh; do
	name=$(basename "$t" .sh)
	[[ $name == lib ]] && continue
	[[ -n ${1:-} && ! $name =~ $1 ]] && continue
	run "peer/$name" timeout 600 bash "$t"
done

# Newer DPDK LTS releases: the same sources, built against each (the compatibility header is
# lib/net/dpdk_compat.h), with a few peer tests that touch the APIs most likely to move (ports,
# memif, telemetry) and the seed's worked example.
dpdk_peer=${TCPE_TEST_DPDK_PEER:-seed_client|http\.sh|two_workers|memif_churn|telemetry|ipv6}
if [[ -n $dpdk_versions ]]; then
	if [[ -n $bg_pid ]]; then
		t0=$(date +%s)
		wait "$bg_pid"
		bg_pid=
		echo "== the background builds of DPDK $dpdk_versions ended $(( $(date +%s) - t0 )) s after the tests above"
	fi
	for v in $dpdk_versions; do
		echo "== DPDK $v (scripts/dpdk-build.sh $v, then tcpe against it)"
		b=$root/build-dpdk-$v
		# built in the background already (then nothing is left to do) or, if that failed, again
		# here, where the failure is shown
		run "dpdk-$v/build" env TCPE_DPDK="$v" "$root/scripts/build.sh"
		[[ -x $b/app/tcpe ]] || continue
		run "dpdk-$v/version" bash -c "'$b/app/tcpe' --version | grep 'built with DPDK $v.*running DPDK $v'"
		run "dpdk-$v/unit" "$b/tests/tcpe_unit"
		run "dpdk-$v/eal" "$b/tests/eal/tcpe_eal_test"
		rm -rf "/var/run/dpdk/$TCPE_EAL_PREFIX"
		for t in "$root"/tests/peer/*.sh; do
			name=$(basename "$t")
			[[ $name =~ $dpdk_peer ]] || continue
			run "dpdk-$v/peer/${name%.sh}" env TCPE_BUILD="$b" timeout 600 bash "$t"
		done
	done
fi

left=$(ip netns list 2>/dev/null | grep -c '^tcpe_' || true)
((left == 0)) || echo "warning: $left tcpe_* namespaces left behind"
left=$(find /var/run/dpdk -maxdepth 1 -name 'tcpe_*' 2>/dev/null | wc -l)
((left == 0)) || echo "warning: $left tcpe_* DPDK runtime directories left behind"
# processes a test started (tcpe, its helpers under tests/, the seed's Node programs) and did not
# stop: a failure, not a warning
stray="$root/build|$root/tests/|/shared/seed/"
if pgrep -f "$stray" >/dev/null; then
	echo "FAIL leftover processes:"
	pgrep -af "$stray" | sed 's/^/    | /'
	failed=$((failed + 1))
	failed_names+=(leftover-processes)
fi
echo "== $(( $(date +%s) - start )) s; failed: ${failed_names[*]:-none}"
echo "$passed passed, $failed failed"
((failed == 0))
