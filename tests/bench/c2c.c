/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe_c2c: how far apart two CPUs are right now - the round trip of one cache line between
 * them, and how much of the time one of them was away (its vCPU descheduled by the host).
 *
 * A pair benchmark over net_memif moves every frame from one core's cache to the other's, so its
 * rate follows this round trip. On a virtual machine the host may move the two vCPUs between
 * cores that share a cache and cores that do not, and may take one away for milliseconds; the
 * pair's rate then changes by 2x or more with the same binary. scripts/bench and
 * scripts/bench-cost print this before and after each run so a figure carries the state it was
 * measured in. Not a test and not a DPDK program: two pinned threads, no packets.
 *
 *   tcpe_c2c [-a CPU] [-b CPU] [-m MS]   (defaults: CPUs 0 and 1, 200 ms)
 * prints one line: c2c_ns=MEDIAN c2c_p90_ns=P90 away_pct=SHARE rounds=N
 * where MEDIAN and P90 are per round trip over chunks of CHUNK round trips, and SHARE is the
 * part of the time spent in chunks that took more than 20 times the median chunk (a thread
 * that was not running). Exit 2 on bad options, 1 when a CPU cannot be used.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 256, MAX_CHUNKS = 1 << 16 };

/* the two lines the threads bounce, each alone in its cache line */
static struct {
	alignas(64) _Atomic uint64_t ping;
	alignas(64) _Atomic uint64_t pong;
	alignas(64) _Atomic int stop;
} line;

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The far side: answers each ping with the same number, until told to stop. */
static void *
responder(void *arg)
{
	uint64_t seen = 0;

	if (pin(*(const int *)arg) != 0) {	/* (tried before; the CPU went offline since) */
		atomic_store(&line.stop, 1);
		return (void *)1;
	}
	while (!atomic_load_explicit(&line.stop, memory_order_relaxed)) {
		uint64_t v = atomic_load_explicit(&line.ping, memory_order_acquire);

		if (v != seen) {
			seen = v;
			atomic_store_explicit(&line.pong, v, memory_order_release);
		}
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
parse_int(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "tcpe_c2c: %s: '%s' is not a number in %ld..%ld\n", opt, s, lo, hi);
		exit(2);
	}
	return (int)v;
}

int
main(int argc, char **argv)
{
	static uint64_t chunk_ns[MAX_CHUNKS];
	int a = 0, b = 1, ms = 200, opt;
	uint64_t seq = 0, start, end, total = 0, away = 0;
	size_t n = 0;
	pthread_t t;
	void *ret;

	while ((opt = getopt(argc, argv, "a:b:m:h")) != -1) {
		switch (opt) {
		case 'a': a = parse_int("-a", optarg, 0, CPU_SETSIZE - 1); break;
		case 'b': b = parse_int("-b", optarg, 0, CPU_SETSIZE - 1); break;
		case 'm': ms = parse_int("-m", optarg, 1, 10000); break;
		default:
			fprintf(stderr, "usage: tcpe_c2c [-a CPU] [-b CPU] [-m MS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc || a == b) {
		fprintf(stderr, "tcpe_c2c: %s\n", a == b ? "-a and -b must be two different CPUs" :
			"unexpected argument (usage: tcpe_c2c [-a CPU] [-b CPU] [-m MS])");
		return 2;
	}
	/* both CPUs tried here first: the measurement would wait forever for a responder that
	 * could not be placed */
	if (pin(b) != 0 || pin(a) != 0) {
		fprintf(stderr, "tcpe_c2c: cannot run on CPU %d\n", pin(b) != 0 ? b : a);
		return 1;
	}
	if (pthread_create(&t, NULL, responder, &b) != 0) {
		fprintf(stderr, "tcpe_c2c: no thread\n");
		return 1;
	}
	/* the clock starts once the responder answers (its thread start and move are not timed) */
	atomic_store_explicit(&line.ping, ++seq, memory_order_release);
	while (atomic_load_explicit(&line.pong, memory_order_acquire) != seq &&
	       !atomic_load_explicit(&line.stop, memory_order_relaxed))
		;
	start = now_ns();
	end = start + (uint64_t)ms * 1000000u;
	for (uint64_t t0 = start; n < MAX_CHUNKS && t0 < end; n++) {
		uint64_t t1;

		for (int i = 0; i < CHUNK; i++) {
			atomic_store_explicit(&line.ping, ++seq, memory_order_release);
			while (atomic_load_explicit(&line.pong, memory_order_acquire) != seq)
				if (atomic_load_explicit(&line.stop, memory_order_relaxed))
					break;
		}
		if (atomic_load_explicit(&line.stop, memory_order_relaxed))
			break;
		t1 = now_ns();
		chunk_ns[n] = t1 - t0;
		t0 = t1;
	}
	atomic_store(&line.stop, 1);
	pthread_join(t, &ret);
	if (ret != NULL) {
		fprintf(stderr, "tcpe_c2c: cannot run on CPU %d\n", b);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		total += chunk_ns[i];
	qsort(chunk_ns, n, sizeof(chunk_ns[0]), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (chunk_ns[i] > 20 * chunk_ns[n / 2])
			away += chunk_ns[i];
	printf("c2c_ns=%.0f c2c_p90_ns=%.0f away_pct=%.1f rounds=%llu\n",
	       (double)chunk_ns[n / 2] / CHUNK, (double)chunk_ns[n * 9 / 10] / CHUNK,
	       total != 0 ? 100.0 * (double)away / (double)total : 0.0, (unsigned long long)seq);
	return 0;
}
