/* tcp_priv.h - helpers shared by the core's tcp*.c files only; not part of the core's API. */
#ifndef TCPE_TCP_PRIV_H
#define TCPE_TCP_PRIV_H

#include "tcp.h"

/** Sequence space a segment occupies: payload plus one each for SYN and FIN. */
static inline uint32_t
tcp_seg_space(const struct tcp_seg *s)
{
	return s->len + ((s->flags & TCP_SYN) ? 1 : 0) + ((s->flags & TCP_FIN) ? 1 : 0);
}

/** Mark the record as discarding the current segment for @p reason. */
static inline void
tcp_rx_drop(struct tcp_rx *rx, unsigned int reason)
{
	rx->drop = (uint16_t)reason;
}

void tcp_rto_arm(struct tcp_ctx *c, struct tcb *t);
/** Start timing a segment that begins at @p seq, unless one is being timed already. */
void tcp_rtt_start(struct tcp_ctx *c, struct tcb *t, uint32_t seq);
/** An ACK up to @p ack arrived: take an RTT sample if it covers the timed segment. */
void tcp_rtt_ack(struct tcp_ctx *c, struct tcb *t, uint32_t ack);
/** The RTO the estimator gives now (or the initial one before any sample), clamped. */
uint32_t tcp_rto_base(const struct tcp_ctx *c, const struct tcb *t);
/** Start or restart the idle timer when the record is ESTABLISHED and quiet. */
void tcp_idle_check(struct tcp_ctx *c, struct tcb *t);
void tcp_enter_time_wait(struct tcp_ctx *c, struct tcb *t);
void tcp_enter_fin_wait2(struct tcp_ctx *c, struct tcb *t);
void tcp_to_closed(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx);
void tcp_emit_synack(struct tcp_ctx *c, struct tcb *t);
void tcp_emit_ack(struct tcp_ctx *c, struct tcb *t);

#endif
