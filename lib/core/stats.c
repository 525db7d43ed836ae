/* stats.c - the name/offset tables behind every exported counter, generated from the .def lists. */
#include "stats.h"

#define WORD(field) ((uint32_t)(offsetof(struct tcpe_stats, field) / sizeof(uint64_t)))

const struct tcpe_stat_desc tcpe_stat_descs[] = {
#define TCPE_CTR(n, k, h) { #n, h, TCPE_STAT_##k, WORD(n) },
#include "stats.def"
#undef TCPE_CTR
#define TCPE_DROP(e, key, h) { "drop_" #key, h, TCPE_STAT_COUNTER, WORD(drop[TCPE_DROP_##e]) },
#include "drop.def"
#undef TCPE_DROP
#define TCPE_STATE(e, key, s) { "state_" #key, "connections now in " s, TCPE_STAT_GAUGE, \
			   WORD(state_now[TCP_##e]) },
#include "state.def"
#undef TCPE_STATE
#define TCPE_STATE(e, key, s) { "enter_" #key, "transitions into " s, TCPE_STAT_COUNTER, \
			   WORD(state_enter[TCP_##e]) },
#include "state.def"
#undef TCPE_STATE
#define TCPE_RTT_BUCKET(key, bound) { "rtt_" #key, "RTT samples in this bucket (RFC 6298 timing)", \
				      TCPE_STAT_COUNTER, WORD(rtt_hist[TCPE_RTT_##key]) },
#include "rtt.def"
#undef TCPE_RTT_BUCKET
};

const unsigned int tcpe_stat_ndescs = RTE_DIM(tcpe_stat_descs);

_Static_assert(RTE_DIM(tcpe_stat_descs) * sizeof(uint64_t) ==
	       offsetof(struct tcpe_stats, rtt_hist) + sizeof(((struct tcpe_stats *)0)->rtt_hist),
	       "every word of struct tcpe_stats has a descriptor");

static const char *const state_names[] = {
#define TCPE_STATE(e, key, s) s,
#include "state.def"
#undef TCPE_STATE
};

static const char *const drop_names[] = {
#define TCPE_DROP(e, key, h) #key,
#include "drop.def"
#undef TCPE_DROP
};

const char *
tcp_state_name(unsigned int state)
{
	return state < RTE_DIM(state_names) ? state_names[state] : "?";
}

const char *
tcpe_drop_name(unsigned int reason)
{
	return reason < RTE_DIM(drop_names) ? drop_names[reason] : "?";
}

uint64_t
tcpe_stats_drops(const struct tcpe_stats *st)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < TCPE_DROP__COUNT; i++)
		sum += tcpe_stats_word(st, WORD(drop[i]));
	return sum;
}
