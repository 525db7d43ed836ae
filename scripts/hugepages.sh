# hugepages.sh - sourced: reserve 2 MiB hugepages for a run with DPDK's own dpdk-hugepages.py,
# or fall back to --no-huge. hugepages_release undoes exactly what hugepages_reserve did.

_huge_reserved=0
_huge_was_mounted=0
_huge_made_dir=0

# hugepages_reserve MB: sets TCPE_HUGE=1 on success, TCPE_HUGE=0 (no-huge) otherwise.
hugepages_reserve() {
	local mb=$1 free
	TCPE_HUGE=0
	grep -q hugetlbfs /proc/mounts && _huge_was_mounted=1
	free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
	if (( free * 2 >= mb )) && grep -q hugetlbfs /proc/mounts; then
		TCPE_HUGE=1	# enough already reserved and mounted by someone: use, don't touch
	elif [[ $(cat /proc/sys/vm/nr_hugepages 2>/dev/null) == 0 ]] && command -v dpdk-hugepages.py >/dev/null; then
		if [[ ! -d /dev/hugepages ]]; then
			mkdir -p /dev/hugepages && _huge_made_dir=1
		fi
		dpdk-hugepages.py -p 2M --setup "${mb}M" >/dev/null 2>&1
		free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
		_huge_reserved=1
		(( free * 2 >= mb )) && grep -q hugetlbfs /proc/mounts && TCPE_HUGE=1
	fi
	export TCPE_HUGE
	if [[ $TCPE_HUGE == 1 ]]; then
		echo "hugepages: using $((free * 2)) MiB of 2 MiB pages"
	else
		echo "hugepages: none available; running with --no-huge"
	fi
}

hugepages_release() {
	if (( _huge_reserved )); then
		dpdk-hugepages.py --clear >/dev/null 2>&1
		(( _huge_was_mounted )) || dpdk-hugepages.py --unmount >/dev/null 2>&1
		_huge_reserved=0
_huge_was_mounted=0
_huge_made_dir=0
	fi
}
