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

/**
 * Append segment @p o of record @p t to the output queue. Callers keep within the room the
 * queue's contract promises (tcp.h); should it ever be full the segment is counted and lost,
 * and TCP's retransmission recovers it.
 */
static inline void
tcp_emit(struct tcp_ctx *c, struct tcb *t, const struct tcp_out *o)
{
	struct tcp_outq *q = c->outq;

	if (q->n == TCP_OUTQ_MAX) {
		c->st->outq_overflow++;
		return;
	}
	q->d[q->n].t = t;
	q->d[q->n].o = *o;
	q->n++;
}

/** The MSS we announce and send at most on connection @p tu: --mss, less what an IPv6 header
 * takes beyond IPv4's (1460 -> 1440 on a 1500-byte MTU). */
static inline uint16_t
tcp_our_mss(const struct tcp_cfg *cfg, const struct tcp_tuple *tu)
{
	return (uint16_t)(cfg->mss - (tuple_is_ip6(tu) ? TUPLE_IP6_EXTRA : 0));
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
/** An ACK arrived that acknowledges new data: sample the RTT from the timed segment or, after
 * a retransmission, from the echoed timestamp. */
void tcp_rtt_ack(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s);
/** Feed one RTT measurement @p r (microseconds) to the RFC 6298 estimator. */
void tcp_rtt_sample(struct tcp_ctx *c, struct tcb *t, uint32_t r);
/** Take what the peer's SYN offers that we accept: window scale, timestamps, SACK. */
void tcp_negotiate(const struct tcp_ctx *c, struct tcb *t, const struct tcp_opts *peer);
/** Initial congestion state (RFC 5681 §3.1, RFC 6928). */
void tcp_cc_init(struct tcp_ctx *c, struct tcb *t);
/** A loss was detected (third duplicate ACK, or an RTO): set ssthresh per the configured
 * algorithm and remember what CUBIC needs. */
void tcp_cc_loss(struct tcp_ctx *c, struct tcb *t);
/** Congestion avoidance (cwnd >= ssthresh): grow for @p acked newly acknowledged bytes. */
void tcp_cc_avoid(struct tcp_ctx *c, struct tcb *t, uint32_t acked);
/** Send @p len bytes of data at SND.NXT (a retransmission when below SND.MAX). */
void tcp_send_at(struct tcp_ctx *c, struct tcb *t, uint32_t len);

/* --- sack.c --- */
/** Record the SACK blocks of @p s (taking a scoreboard when the first arrives; none left: the
 * connection recovers as NewReno); @p prev_una is SND.UNA before this ACK. Notes reordering (a
 * hole filled by its original) and lost retransmissions. @return bytes newly SACKed. */
uint32_t tcp_sb_update(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s,
		       uint32_t prev_una);
/** RACK's reordering window now (RFC 8985 §6.2), microseconds. */
uint32_t tcp_sb_reo_wnd(const struct tcp_ctx *c, const struct tcb *t);
/** IsLost(@p seq), by time (RFC 8985 in place of RFC 6675's DupThresh): data above the hole at
 * @p seq was SACKed at least a reordering window ago. */
bool tcp_sb_lost(const struct tcp_ctx *c, const struct tcb *t, uint32_t seq);
/** RFC 6675 SetPipe(): bytes still in the network. */
uint32_t tcp_sb_pipe(const struct tcp_ctx *c, const struct tcb *t);
/** Arm the RACK timer (TCB_REO_TIMER) for the next hole whose reordering window has not run
 * out yet, when that comes before the RTO. */
void tcp_sb_arm_reo(struct tcp_ctx *c, struct tcb *t);
/** The RACK timer expired: holes whose window ran out are lost; recover. */
void tcp_sb_reo_timeout(struct tcp_ctx *c, struct tcb *t);
/** Arm a tail loss probe (TCB_TLP_TIMER, RFC 8985 §7.2) when it comes before the RTO: data in
 * flight, nothing SACKed, no recovery, no probe unjudged. */
void tcp_tlp_arm(struct tcp_ctx *c, struct tcb *t);
/** tcp_rto_arm() then tcp_tlp_arm() in one: the timer link is filed once, at the earlier of
 * the two times. */
void tcp_rto_tlp_arm(struct tcp_ctx *c, struct tcb *t);
/** The probe timer expired: send new data, or resend the last segment, to draw an ACK whose
 * SACK blocks start recovery without waiting for the RTO (RFC 8985 §7.3). @return false when
 * no probe may go (recovery under way, no scoreboard left): the caller times out instead. */
bool tcp_tlp_timeout(struct tcp_ctx *c, struct tcb *t);
/** @p seq moved past SACKed bytes; @p room: bytes up to the next SACKed block (UINT32_MAX:
 * none above). */
uint32_t tcp_sb_skip(const struct tcp_ctx *c, const struct tcb *t, uint32_t seq,
		     uint32_t *room);
/** Enter SACK-based loss recovery (RFC 6675 §5) with PRR (RFC 6937). */
void tcp_sb_recovery_enter(struct tcp_ctx *c, struct tcb *t);
/** A scoreboard from the worker's pool for @p t (t->sb), or NULL when none is left (counted). */
struct scoreboard *tcp_sb_take(struct tcp_ctx *c, struct tcb *t);
/** A first RTO expiry without timestamps: F-RTO (RFC 5682) watches the next two ACKs, if there
 * is new data to send and a scoreboard to remember the window in. */
void tcp_frto_start(struct tcp_ctx *c, struct tcb *t);
/** An ACK while F-RTO watches (tcb_sb(c, t)->frto): @p delta_una bytes newly acknowledged. @return true
 * when F-RTO decided the congestion response (the usual one is skipped). */
bool tcp_frto_ack(struct tcp_ctx *c, struct tcb *t, uint32_t delta_una);
/** A first RTO expiry: remember the window and our timestamp, for an Eifel undo. */
void tcp_sb_rto_mark(struct tcp_ctx *c, struct tcb *t);
/** The first ACK after an RTO's resend: spurious timeout (its echo is older)? Then the window
 * returns and go-back-N stops. @return true when it undid. */
bool tcp_sb_rto_undo(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s);
/** A D-SACK of [@p l, @p r): when it is the last of the resends of the recovery (RFC 3708), the
 * recovery was spurious and is undone. */
void tcp_sb_dsack_undo(struct tcp_ctx *c, struct tcb *t, uint32_t l, uint32_t r);
/** Recovery ended: D-SACKs for its resends are awaited a little longer (undo, RFC 3708). */
void tcp_sb_recovery_exit(struct tcp_ctx *c, struct tcb *t);
/** Is @p t's scoreboard still awaiting D-SACKs that could undo the last recovery? */
bool tcp_sb_awaits_dsacks(const struct tcp_ctx *c, const struct tcb *t);
/** During recovery by a window that is not PRR's (BBR): what may go is cwnd - pipe. */
void tcp_sb_quota_cwnd(struct tcp_ctx *c, struct tcb *t);
/** An ACK during recovery that delivered @p delivered bytes: PRR's new quota. */
void tcp_sb_recovery_ack(struct tcp_ctx *c, struct tcb *t, uint32_t delivered);
/** Eifel (RFC 3522): @p s shows the recovery in progress was spurious (reordering, not loss):
 * cwnd and ssthresh go back and recovery ends. @return true when it undid. */
bool tcp_sb_undo(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s);
/** Send what recovery may: lost segments first (NextSeg), then new data, within PRR's quota.
 * @return true when it stopped for room in the output queue. */
bool tcp_sb_output(struct tcp_ctx *c, struct tcb *t);

/** Return @p t's out-of-order queue, and what it holds, to the worker. */
void tcp_reasm_put(struct tcp_ctx *c, struct tcb *t);

/** A queue for @p t from the pool (the least recently progressed one of another record when
 * the pool is empty), on the LRU list. @return it, or NULL. */
struct reasm *tcp_reasm_get(struct tcp_ctx *c, struct tcb *t);

/** @p r made progress: to the LRU list's tail. */
void tcp_reasm_touch(struct tcp_ctx *c, struct reasm *r);

/** Release the least recently progressed queue, unless it is @p t's. @return true if one went. */
bool tcp_reasm_reclaim(struct tcp_ctx *c, const struct tcb *t);
/** In-order data was accepted: ACK now or owe a delayed ACK. */
void tcp_dack_owe(struct tcp_ctx *c, struct tcb *t);
/** The peer's FIN is next in sequence: consume it and move the state on (step 8). */
void tcp_fin_reached(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx);
/** The RTO the estimator gives now (or the initial one before any sample), clamped. */
uint32_t tcp_rto_base(const struct tcp_ctx *c, const struct tcb *t);
/** Start or restart the idle timer when the record is ESTABLISHED and quiet. */
void tcp_idle_check(struct tcp_ctx *c, struct tcb *t);
void tcp_enter_time_wait(struct tcp_ctx *c, struct tcb *t);
void tcp_enter_fin_wait2(struct tcp_ctx *c, struct tcb *t);
void tcp_to_closed(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx);
void tcp_emit_synack(struct tcp_ctx *c, struct tcb *t);
/** Our SYN (active open), with the options we offer. */
void tcp_emit_syn(struct tcp_ctx *c, struct tcb *t);
void tcp_emit_ack(struct tcp_ctx *c, struct tcb *t);
/** The ACK owed for a duplicate segment [@p left, @p right): with SACK agreed, its first block
 * reports the duplicate (D-SACK, RFC 2883), so the peer can tell a needless resend. */
void tcp_emit_dsack(struct tcp_ctx *c, struct tcb *t, uint32_t left, uint32_t right);
/** Send one segment at snd_nxt (data up to an MSS, or the FIN): for retransmitting the head. */
void tcp_output_one(struct tcp_ctx *c, struct tcb *t);
/** Resend the oldest unacknowledged segment now (fast retransmit, a NewReno partial ACK). */
void tcp_rexmit_head(struct tcp_ctx *c, struct tcb *t);

#endif
