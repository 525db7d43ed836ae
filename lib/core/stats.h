/* stats.h - per-worker counters, drop reasons and state names, all generated from the .def lists. */
#ifndef TCPE_STATS_H
#define TCPE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

/** Connection states of RFC 9293 §3.3.2, in state.def order. */
enum tcp_state {
#define TCPE_STATE(e, key, s) TCP_##e,
#include "state.def"
#undef TCPE_STATE
	TCP_STATE__COUNT
};

/** RTT histogram buckets, in rtt.def order. */
enum tcpe_rtt_bucket {
#define TCPE_RTT_BUCKET(key, bound) TCPE_RTT_##key,
#include "rtt.def"
#undef TCPE_RTT_BUCKET
	TCPE_RTT__COUNT
};

/** Why a packet was freed without an answer, in drop.def order. */
enum tcpe_drop {
#define TCPE_DROP(e, key, h) TCPE_DROP_##e,
#include "drop.def"
#undef TCPE_DROP
	TCPE_DROP__COUNT
};

/**
 * One worker's counters. Written only by the owning worker (plain stores, no atomics); the
 * control core reads them racily, which is safe for naturally aligned 64-bit words on the
 * 64-bit targets DPDK supports. Cache-aligned so two workers never share a line.
 */
struct tcpe_stats {
#define TCPE_CTR(n, k, h) uint64_t n;
#include "stats.def"
#undef TCPE_CTR
	uint64_t drop[TCPE_DROP__COUNT];	/**< by enum tcpe_drop */
	uint64_t state_now[TCP_STATE__COUNT];	/**< gauge: records currently in each state */
	uint64_t state_enter[TCP_STATE__COUNT];	/**< transitions into each state */
	uint64_t rtt_hist[TCPE_RTT__COUNT];	/**< RTT samples by bucket (not cumulative) */
} __rte_cache_aligned;

/* The struct is read as a flat array of words by the descriptor table below. */
_Static_assert(sizeof(struct tcpe_stats) % sizeof(uint64_t) == 0, "stats must be whole words");
_Static_assert(sizeof(struct tcpe_stats) % RTE_CACHE_LINE_SIZE == 0, "stats must fill whole lines");

/** Kind of a counter, for exposition (Prometheus TYPE, rate computation). */
enum tcpe_stat_kind { TCPE_STAT_COUNTER, TCPE_STAT_GAUGE };

/** One exported number: its key, help text, kind and word index in struct tcpe_stats. */
struct tcpe_stat_desc {
	const char *name;
	const char *help;
	enum tcpe_stat_kind kind;
	uint32_t index;
};

/** Table of every word of struct tcpe_stats with its exported name (drop_*, state_*, enter_*). */
extern const struct tcpe_stat_desc tcpe_stat_descs[];
/** Number of entries in tcpe_stat_descs (equals the number of words in struct tcpe_stats). */
extern const unsigned int tcpe_stat_ndescs;

/** Printed name of a state ("SYN_RECEIVED"); "?" for an out-of-range value. */
const char *tcp_state_name(unsigned int state);
/** Exported key of a drop reason ("tcp_cksum"); "?" when out of range. */
const char *tcpe_drop_name(unsigned int reason);

/** Read word @p index of @p st (a racy snapshot read, for the control core). */
static inline uint64_t
tcpe_stats_word(const struct tcpe_stats *st, uint32_t index)
{
	return ((const volatile uint64_t *)st)[index];
}

/**
 * Histogram bucket of an RTT sample: bucket k holds samples up to 64 << k microseconds, the last
 * everything above 1 s. No loop, no division.
 */
static inline unsigned int
tcpe_rtt_bucket(uint64_t us)
{
	unsigned int lg = us <= 64 ? 6 : 64 - (unsigned int)__builtin_clzll(us - 1);

	return lg - 6 < TCPE_RTT__COUNT - 1 ? lg - 6 : TCPE_RTT__COUNT - 1;
}

/** Sum of all drop reasons in @p st. */
uint64_t tcpe_stats_drops(const struct tcpe_stats *st);

#endif
