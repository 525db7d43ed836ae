/* tcp_in.c - segment arrival for an existing record, in RFC 9293 §3.10.7.4 step order. */
#include "bbr.h"
#include "isn.h"
#include "reasm.h"
#include "sack.h"
#include "seq.h"
#include "tcp_priv.h"

#include <string.h>

/* RFC 5961 §5.2 bounds old ACKs by MAX.SND.WND: the largest window the peer has offered (not
 * the largest it could: with a shift of 14 that would let a quarter of the ACK space pass). */
static inline uint32_t
max_snd_wnd(const struct tcb *t)
{
	return (uint32_t)t->max_wnd_raw << t->snd_ws;
}

/* Note the window field of an acceptable segment for max_snd_wnd(). */
static inline void
note_wnd(struct tcb *t, uint16_t wnd)
{
	if (wnd > t->max_wnd_raw)
		t->max_wnd_raw = wnd;
}

static inline uint32_t
rcv_window(const struct tcb *t)
{
	return seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
}

/* What may be received now: the window we announced, and no more than the runtime can take
 * (rcv_wnd: an application that does not read shrinks it). Data inside the announced window but
 * beyond that is refused like loss, and the peer resends it: the window itself never shrinks. */
static inline uint32_t
rcv_room(const struct tcb *t)
{
	uint32_t w = rcv_window(t);

	return w < t->rcv_wnd ? w : t->rcv_wnd;
}

/*
 * Step 1, segment acceptability (RFC 9293 §3.10.7.4 first, the four cases). With a zero
 * window only a segment at RCV.NXT is acceptable, so that its ACK and RST are still processed
 * ("special allowance ... valid ACKs, URGs, and RSTs"); its data is trimmed away in step 7.
 */
static bool
acceptable(const struct tcb *t, const struct tcp_seg *s)
{
	uint32_t wnd = rcv_window(t);
	uint32_t space = tcp_seg_space(s);

	if (wnd == 0)
		return s->seq == t->rcv_nxt;
	if (space == 0)
		return seq_in(s->seq, t->rcv_nxt, t->rcv_nxt + wnd);
	return seq_in(s->seq, t->rcv_nxt, t->rcv_nxt + wnd) ||
	       seq_in(s->seq + space - 1, t->rcv_nxt, t->rcv_nxt + wnd);
}

/*
 * RFC 5961 §7: challenge ACKs are rate-limited, or a spoofer could make us send them at line rate.
 * The per-second budget is randomised between half and one and a half times the limit, as Linux
 * does since CVE-2016-5696, so that the limit itself cannot serve as a side channel.
 */
static bool
challenge_allowed(struct tcp_ctx *c)
{
	uint32_t limit = c->cfg->challenge_ack_limit;
	uint64_t sec = (c->now >> 20) + 1;	/* ~1.05 s windows (a shift); 0 means "none yet" */

	if (limit == 0)
		return true;
	if (sec != c->chack_second) {
		c->chack_second = sec;
		c->chack_left = limit / 2 +
			(uint32_t)(siphash24(c->cfg->isn_key, &sec, sizeof(sec)) % (limit + 1));
	}
	if (c->chack_left == 0)
		return false;
	c->chack_left--;
	return true;
}

static void
challenge_ack(struct tcp_ctx *c, struct tcb *t)
{
	if (!challenge_allowed(c)) {
		c->st->challenge_acks_limited++;
		return;
	}
	c->st->challenge_acks++;
	tcp_emit_ack(c, t);
}

/* Step 2: RST. RFC 5961 §3.2: only an exact match resets; in-window others are challenged. */
static void
rst_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	if (s->seq != t->rcv_nxt) {
		challenge_ack(c, t);
		tcp_rx_drop(rx, TCPE_DROP_TCP_RST_INVALID);
		return;
	}
	c->st->conn_reset++;
	rx->events |= TCP_EV_RESET;
	tcp_to_closed(c, t, rx);
}

/* Step 5 in SYN-RECEIVED: the ACK that completes the handshake. Returns false to stop. */
static bool
synrcvd_ack(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	struct tcp_out o;

	if (!seq_gt(s->ack, t->snd_una) || seq_gt(s->ack, t->snd_max)) {
		/* <SEQ=SEG.ACK><CTL=RST>; the half-open record stays for the real peer. */
		memset(&o, 0, offsetof(struct tcp_out, opt));
		o.seq = s->ack;
		o.flags = TCP_RST;
		tcp_emit(c, t, &o);
		return false;
	}
	tcp_set_state(c, t, TCP_ESTABLISHED);
	c->st->conn_opened++;
	rx->events |= TCP_EV_ESTABLISHED;
	if (t->retries > 0)
		t->cwnd = t->snd_mss;	/* the SYN-ACK was lost once: start from one segment */
	t->snd_wnd = (uint32_t)s->wnd << t->snd_ws;
	note_wnd(t, s->wnd);
	t->snd_wl1 = s->seq;
	t->snd_wl2 = s->ack;
	return true;
}

/* Resend the oldest unacknowledged segment (fast retransmit, NewReno partial ACK). */
static void
retransmit_head(struct tcp_ctx *c, struct tcb *t)
{
	t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn */
	c->st->fast_retransmits++;
	tcp_rexmit_head(c, t);
}

/* RFC 5681 §3.2 / RFC 6582 §3.2 step 2: the third duplicate ACK starts fast retransmit. */
static void
cc_dupack(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t mss = t->snd_mss;

	c->st->dup_acks_rx++;
	if (t->flags & TCB_RECOVERY) {
		/* step 4: each further dup ACK means a segment left the network - never more of
		 * them than were in flight, however many duplicates a peer sends */
		if (t->cwnd < t->ssthresh + 3 * mss + (t->snd_max - t->snd_una))
			t->cwnd += mss;
		return;
	}
	if (++t->dupacks < 3) {
		/* Limited transmit (RFC 3042): each of the first two duplicates lets one new
		 * segment go beyond the window, so small windows still reach three. */
		t->flags |= TCB_LIMITED_TX;
		return;
	}
	/* a new episode once the last one's recovery point is acknowledged (RFC 6582 §3.2) */
	if (t->dupacks != 3 || !seq_ge(t->snd_una, t->recover))
		return;
	tcp_cc_loss(c, t);
	t->recover = t->snd_max;
	t->flags |= TCB_RECOVERY;
	c->st->cc_recoveries++;
	retransmit_head(c, t);
	t->cwnd = t->ssthresh + 3 * mss;
}

/* New data acknowledged: grow the window, or leave / continue fast recovery (RFC 6582 §3.2). */
static void
cc_ack(struct tcp_ctx *c, struct tcb *t, uint32_t acked, uint32_t flight_before)
{
	uint32_t mss = t->snd_mss;

	t->dupacks = 0;
	if (t->flags & TCB_RECOVERY) {
		if (seq_ge(t->snd_una, t->recover)) {
			/* Full ACK: deflate to min(ssthresh, FlightSize + SMSS) (step 3, option 1). */
			uint32_t flight = t->snd_max - t->snd_una;
			uint32_t w = (flight > mss ? flight : mss) + mss;

			t->cwnd = w < t->ssthresh ? w : t->ssthresh;
			t->flags &= (uint16_t)~TCB_RECOVERY;
			return;
		}
		/* Partial ACK: the next hole is lost too; resend it and deflate by what left. */
		c->st->partial_acks++;
		t->cwnd = t->cwnd > acked ? t->cwnd - acked : 0;
		if (acked >= mss)
			t->cwnd += mss;
		if (t->cwnd < mss)
			t->cwnd = mss;
		retransmit_head(c, t);
		return;
	}
	/* Grow only while the window is being used (RFC 7661's spirit): an application that
	 * sends little must not build up a window it never tested. BBR sets its own. */
	if (flight_before * 2 < t->cwnd || tcp_bbr_active(c, t))
		return;
	if (t->cwnd < t->ssthresh)
		t->cwnd += acked < 2 * mss ? acked : 2 * mss;	/* slow start, L = 2 (RFC 3465) */
	else
		tcp_cc_avoid(c, t, acked);
	if (t->cwnd > (1u << 30))
		t->cwnd = 1u << 30;
}

/*
 * Congestion response of a connection with a SACK scoreboard (RFC 6675, RFC 6937): @p delta_una
 * bytes newly acknowledged, @p newly bytes newly SACKed, @p sacked_before what was SACKed before
 * this ACK. An ACK that SACKs new data is a duplicate ACK whatever its window field says.
 */
static void
sack_cc(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, uint32_t delta_una,
	uint32_t newly, uint32_t sacked_before, uint32_t flight_before, bool dup)
{
	struct scoreboard *sb = tcb_sb(c, t);
	int64_t delivered = (int64_t)delta_una + (int64_t)sb->sacked - (int64_t)sacked_before;

	if (t->flags & TCB_RECOVERY) {
		if (delta_una > 0 && tcp_sb_undo(c, t, s))
			return;
		if (seq_ge(t->snd_una, t->recover)) {
			/* RFC 6937: the window is ssthresh when recovery ends */
			t->cwnd = t->ssthresh;
			t->flags &= (uint16_t)~TCB_RECOVERY;
			t->dupacks = 0;
			tcp_sb_recovery_exit(c, t);
		} else {
			tcp_sb_recovery_ack(c, t, delivered > 0 ? (uint32_t)delivered : 0);
		}
		return;
	}
	if (delta_una > 0 && tcp_sb_rto_undo(c, t, s))
		return;
	if (delta_una > 0)
		cc_ack(c, t, delta_una, flight_before);
	if (((newly > 0 && delta_una == 0) || dup) && t->dupacks < UINT8_MAX)
		t->dupacks++;
	/* RACK (RFC 8985) in place of RFC 6675's three duplicates: SND.UNA is lost once data above
	 * it was SACKed a reordering window ago (no window until reordering is seen and DupThresh
	 * segments are SACKed: RFC 6675's rule); a new episode only once SND.UNA is past the last
	 * one's recovery point (RFC 6582 §3.2) */
	if (seq_ge(t->snd_una, t->recover) && t->snd_una != t->snd_max &&
	    tcp_sb_lost(c, t, t->snd_una)) {
		tcp_sb_recovery_enter(c, t);
		return;
	}
	if (t->dupacks > 0 && t->dupacks < SB_DUPTHRESH)
		t->flags |= TCB_LIMITED_TX;	/* RFC 3042 */
}

/* The congestion response to an ACK with SACK blocks, or while a scoreboard is kept: RFC 6675
 * (sack_cc), the delivery BBR's model counts. Returns false when the worker's pool had no
 * scoreboard left (NewReno then). */
static bool
ack_sack(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, uint32_t delta_una,
	 uint32_t sacked_before, uint32_t flight_before, bool dup)
{
	uint32_t newly = tcp_sb_update(c, t, s, t->snd_una - delta_una);
	int64_t got;

	if (t->sb == 0)
		return false;
	if (!tcb_sb(c, t)->frto || !tcp_frto_ack(c, t, delta_una))
		sack_cc(c, t, s, delta_una, newly, sacked_before, flight_before, dup);
	/* delivered: newly acknowledged, plus the change in what is SACKed (bytes SACKed before
	 * and acknowledged now are not delivered twice; a block the scoreboard had no room for can
	 * make it negative) */
	got = (int64_t)delta_una + tcb_sb(c, t)->sacked - sacked_before;
	if (got > 0 && c->cfg->cc == TCP_CC_BBR) {
		tcp_bbr_ack(c, t, (uint32_t)got, tcp_sb_pipe(c, t),
			    tcb_sb(c, t)->n > 0 ? tcb_sb(c, t)->b[tcb_sb(c, t)->n - 1].e : t->snd_una);
		if (tcp_bbr_active(c, t))
			tcp_sb_quota_cwnd(c, t);
	}
	if (!(t->flags & TCB_RECOVERY) && tcb_sb(c, t)->n == 0 && !tcb_sb(c, t)->tlp_out && !tcb_sb(c, t)->rto_undo &&
	    !tcb_sb(c, t)->frto && !tcp_sb_awaits_dsacks(c, t))
		tcp_sb_put(c, t);	/* nothing SACKed, no recovery: none needed */
	else
		tcp_sb_arm_reo(c, t);	/* a hole still inside its window */
	return true;
}

/* The congestion response to an ACK: with SACK blocks or a scoreboard, ack_sack(); otherwise
 * NewReno on the cumulative ACK and duplicate ACKs. */
static void
ack_cc(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, uint32_t delta_una,
       uint32_t sacked_before, uint32_t flight_before, bool dup)
{
	if ((t->opt & TCB_OPT_SACK) && (s->opts.nsack > 0 || t->sb != 0) &&
	    ack_sack(c, t, s, delta_una, sacked_before, flight_before, dup))
		return;
	if (t->sb != 0 && tcb_sb(c, t)->frto && tcp_frto_ack(c, t, delta_una))
		;	/* F-RTO decided */
	else if (delta_una > 0)
		cc_ack(c, t, delta_una, flight_before);
	else if (dup)
		cc_dupack(c, t);
	if (t->sb != 0 && !(t->opt & TCB_OPT_SACK) && !tcb_sb(c, t)->frto && !tcb_sb(c, t)->rto_undo)
		tcp_sb_put(c, t);	/* (a timeout's undo state, without SACK) */
	if (delta_una > 0 && c->cfg->cc == TCP_CC_BBR)
		tcp_bbr_ack(c, t, delta_una, t->snd_max - t->snd_una, t->snd_una);
}

/* Step 5: ACK processing for synchronized states. Returns false when the segment stops here. */
static bool
ack_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	uint32_t swnd = (uint32_t)s->wnd << t->snd_ws;
	uint32_t sacked_before = t->sb != 0 ? tcb_sb(c, t)->sacked : 0, delta_una = 0;
	uint32_t flight_before = t->snd_max - t->snd_una;
	bool fin_acked, dup;

	if (t->state == TCP_SYN_RCVD && !synrcvd_ack(c, t, s, rx))
		return false;
	/* RFC 5961 §5.2: acceptable iff SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT. */
	if (seq_gt(s->ack, t->snd_max) || seq_lt(s->ack, t->snd_una - max_snd_wnd(t))) {
		tcp_emit_ack(c, t);
		tcp_rx_drop(rx, TCPE_DROP_TCP_ACK_INVALID);
		return false;
	}
	/* RFC 5681 §2: a duplicate ACK acknowledges nothing new, carries nothing and keeps the
	 * window, while data is outstanding. */
	dup = s->ack == t->snd_una && s->len == 0 && !(s->flags & (TCP_SYN | TCP_FIN)) &&
	      swnd == t->snd_wnd && t->snd_max != t->snd_una;
	if (seq_gt(s->ack, t->snd_una)) {
		uint32_t seq_acked = s->ack - t->snd_una;
		uint32_t acked = seq_acked;

		if (t->snd_una == t->iss)
			acked--;	/* our SYN */
		if ((t->flags & TCB_FIN_QUEUED) && seq_gt(s->ack, t->snd_end))
			acked--;	/* our FIN */
		t->snd_una = s->ack;
		if (seq_lt(t->snd_nxt, t->snd_una))
			t->snd_nxt = t->snd_una;
		t->retries = 0;
		tcp_rtt_ack(c, t, s);
		t->rto_us = tcp_rto_base(c, t);	/* progress ends any backoff (RFC 6298 §5.7) */
		if (t->snd_una != t->snd_max)
			tcp_rto_arm(c, t);
		else if (!(t->flags & TCB_IDLE)) {
			tmr_wheel_cancel(&c->wheel, &t->timer);	/* the idle timer, if any, stays */
			t->flags &= (uint16_t)~(TCB_REO_TIMER | TCB_TLP_TIMER);
		}
		delta_una = seq_acked;
		if (acked > 0) {
			rx->acked = acked;
			rx->events |= TCP_EV_ACKED;
		}
	}
	ack_cc(c, t, s, delta_una, sacked_before, flight_before, dup);
	/* Window update: only from a segment no older than the last one used (SND.WL1/WL2). */
	if (seq_lt(t->snd_wl1, s->seq) ||
	    (t->snd_wl1 == s->seq && seq_le(t->snd_wl2, s->ack))) {
		t->snd_wnd = swnd;
		note_wnd(t, s->wnd);
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
	}
	/* RFC 1122 §4.2.2.17: a receiver that answers our zero-window probes is alive; keep probing
	 * (with backoff) for as long as it does, instead of counting the probes toward giving up.
	 * Not once the application has closed: an orphan's probes count, so a peer that keeps its
	 * window shut cannot hold the record (and its send queue) forever. */
	if (t->snd_wnd == 0 && s->ack == t->snd_una && !(t->flags & TCB_FIN_QUEUED))
		t->retries = 0;
	fin_acked = (t->flags & TCB_FIN_QUEUED) && t->snd_una == t->snd_end + 1;
	switch (t->state) {
	case TCP_FIN_WAIT_1:
		if (fin_acked)
			tcp_enter_fin_wait2(c, t);
		break;
	case TCP_CLOSING:
		if (fin_acked)
			tcp_enter_time_wait(c, t);
		break;
	case TCP_LAST_ACK:
		if (fin_acked) {
			tcp_to_closed(c, t, rx);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

/* The ACK for a segment we will not take: a data segment wholly below RCV.NXT arrived twice,
 * and the peer learns so from a D-SACK block (RFC 2883 §4.1). */
static void
dup_ack(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	if (s->len > 0 && seq_le(s->seq + s->len, t->rcv_nxt))
		tcp_emit_dsack(c, t, s->seq, s->seq + s->len);
	else
		tcp_emit_ack(c, t);
}

/* Out-of-order data: hold what fits the window and the limits, and ACK at once (with SACK
 * blocks naming it) so that the sender can fast-retransmit the hole (RFC 5681 §4.2). */
static void
ooo_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	uint32_t edge = t->rcv_nxt + rcv_room(t), len = s->len;
	unsigned int released = 0;
	enum reasm_result res;

	t->flags |= TCB_ACK_NOW;
	c->st->dup_acks_tx++;
	c->st->ooo_rx++;
	if (!seq_lt(s->seq, edge)) {
		tcp_rx_drop(rx, TCPE_DROP_TCP_RCV_FULL);	/* in the window, not in our room */
		return;
	}
	if (seq_gt(s->seq + len, edge))
		len = edge - s->seq;
	if (t->rq != 0 && tcb_rq(c, t)->fin) {
		/* Nothing follows the peer's FIN: not data beyond it, nor another FIN elsewhere. */
		if (!seq_lt(s->seq, tcb_rq(c, t)->fin_seq)) {
			tcp_rx_drop(rx, TCPE_DROP_TCP_DATA_CLOSED);
			return;
		}
		if (seq_gt(s->seq + len, tcb_rq(c, t)->fin_seq))
			len = tcb_rq(c, t)->fin_seq - s->seq;
	}
	/* The worker's store is shared: when it is full, the connection whose held data has waited
	 * longest for its hole to fill gives it up (it is resent: SACKed data may be reneged on,
	 * RFC 2018 §8), so a few connections holding data forever cannot disable reassembly for
	 * everyone else. */
	if (c->st->ooo_held >= c->cfg->reasm_max_pkts)
		tcp_reasm_reclaim(c, t);
	if (s->pkt == NULL || c->pkt_free == NULL || c->st->ooo_held >= c->cfg->reasm_max_pkts ||
	    (t->rq == 0 && tcp_reasm_get(c, t) == NULL)) {
		tcp_rx_drop(rx, TCPE_DROP_TCP_OOO_LIMIT);
		return;
	}
	res = reasm_add(tcb_rq(c, t), s->seq, len, s->pkt_off, s->pkt, c->pkt_free, &released);
	c->st->ooo_held -= released;
	switch (res) {
	case REASM_HELD:
		c->st->ooo_held++;
		rx->events |= TCP_EV_HELD;
		break;
	case REASM_DUP:
		tcp_rx_drop(rx, TCPE_DROP_TCP_OOO_DUP);
		tcp_emit_dsack(c, t, s->seq, s->seq + len);	/* held already */
		break;
	case REASM_FULL:
		tcp_rx_drop(rx, TCPE_DROP_TCP_OOO_LIMIT);
		break;
	}
	if (res != REASM_FULL && (s->flags & TCP_FIN) && len == s->len && !tcb_rq(c, t)->fin) {
		/* the end of the stream (its data held now or before): what is held beyond it was
		 * never the peer's */
		tcb_rq(c, t)->fin = 1;
		tcb_rq(c, t)->fin_seq = s->seq + len;
		c->st->ooo_held -= reasm_trim_end(tcb_rq(c, t), tcb_rq(c, t)->fin_seq, c->pkt_free);
	}
	if (tcb_rq(c, t)->n == 0)
		tcp_reasm_put(c, t);
}

/* Step 7: segment text. Returns true when the whole segment was taken (so its FIN counts). */
static bool
text_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	uint32_t off = 0, n, wnd;
	bool refused = false;

	if (!tcp_can_receive(t)) {
		/* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent its FIN. */
		tcp_rx_drop(rx, TCPE_DROP_TCP_DATA_CLOSED);
		return false;
	}
	if (seq_lt(s->seq, t->rcv_nxt)) {
		off = t->rcv_nxt - s->seq;
		if (off >= s->len) {
			tcp_emit_dsack(c, t, s->seq, s->seq + s->len);	/* a pure duplicate */
			return true;
		}
	} else if (s->seq != t->rcv_nxt) {
		ooo_input(c, t, s, rx);
		return false;
	}
	n = s->len - off;
	wnd = rcv_window(t);
	if (n > wnd)
		n = wnd;
	if (t->rq != 0 && tcb_rq(c, t)->fin && n > tcb_rq(c, t)->fin_seq - t->rcv_nxt)
		n = tcb_rq(c, t)->fin_seq - t->rcv_nxt;	/* nothing beyond the FIN already held */
	if (n > t->rcv_wnd) {
		n = t->rcv_wnd;	/* the runtime can take no more now: the rest is resent */
		refused = true;
	}
	if (n == 0) {
		t->flags |= TCB_ACK_NOW;
		tcp_rx_drop(rx, refused ? TCPE_DROP_TCP_RCV_FULL : TCPE_DROP_TCP_WINDOW_PROBE);
		return false;
	}
	rx->data_off = off;
	rx->data_len = n;
	rx->events |= TCP_EV_DATA;
	t->rcv_nxt += n;
	c->st->data_rx_bytes += n;
	if (t->rq != 0 || n < s->len - off || (s->flags & TCP_FIN))
		t->flags |= TCB_ACK_NOW;	/* a hole may fill, the window is full, or a FIN */
	else
		tcp_dack_owe(c, t);
	return n == s->len - off;
}

bool
tcp_rcv_refuse(struct tcp_ctx *c, struct tcb *t, uint32_t len, bool fin)
{
	if (fin) {
		unsigned int back = t->state == TCP_CLOSE_WAIT ? TCP_ESTABLISHED :
				    t->state == TCP_CLOSING ? TCP_FIN_WAIT_1 : TCP_CLOSED;

		if (back == TCP_CLOSED)
			return false;
		/* undo tcp_fin_reached(): the state it entered is left as if never entered */
		c->st->state_now[t->state]--;
		c->st->state_enter[t->state]--;
		c->st->state_now[back]++;
		t->state = (uint8_t)back;
		t->flags &= (uint16_t)~TCB_PEER_FIN;
		t->rcv_nxt--;
	}
	t->rcv_nxt -= len;
	c->st->data_rx_bytes -= len;
	t->flags |= TCB_ACK_NOW;	/* the peer learns at once what was kept */
	return true;
}

/* Step 8: FIN, once everything before it has been received. */
static void
fin_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	if (s->seq + s->len != t->rcv_nxt || (t->flags & TCB_PEER_FIN))
		return;
	if (t->rq != 0)
		tcp_reasm_put(c, t);	/* nothing can follow the FIN */
	tcp_fin_reached(c, t, rx);
}

void
tcp_fin_reached(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx)
{
	t->rcv_nxt++;
	t->flags |= TCB_PEER_FIN | TCB_ACK_NOW;
	rx->events |= TCP_EV_PEER_FIN;
	switch (t->state) {
	case TCP_ESTABLISHED:
		tcp_set_state(c, t, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT_1:
		tcp_set_state(c, t, TCP_CLOSING);	/* our FIN is not acked yet */
		break;
	case TCP_FIN_WAIT_2:
		tcp_enter_time_wait(c, t);
		break;
	default:
		break;
	}
}

/* RFC 9293 §3.10.7.3: a segment for a record in SYN-SENT. */
static void
syn_sent_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	bool ack_ok = (s->flags & TCP_ACK) && seq_gt(s->ack, t->iss) && seq_le(s->ack, t->snd_max);
	uint16_t peer_mss;

	if ((s->flags & TCP_ACK) && !ack_ok) {
		if (!(s->flags & TCP_RST)) {
			struct tcp_out o;

			memset(&o, 0, offsetof(struct tcp_out, opt));
			o.seq = s->ack;
			o.flags = TCP_RST;
			tcp_emit(c, t, &o);
		}
		tcp_rx_drop(rx, TCPE_DROP_TCP_ACK_INVALID);
		return;
	}
	if (s->flags & TCP_RST) {
		if (!ack_ok) {
			tcp_rx_drop(rx, TCPE_DROP_TCP_RST_INVALID);
			return;
		}
		c->st->conn_refused++;	/* "connection reset" before it existed: refused */
		c->st->conn_reset++;
		rx->events |= TCP_EV_RESET;
		tcp_to_closed(c, t, rx);
		return;
	}
	if (!(s->flags & TCP_SYN)) {
		tcp_rx_drop(rx, TCPE_DROP_TCP_NO_ACK);
		return;
	}
	if (!ack_ok) {
		/* A SYN without an ACK: a simultaneous open (RFC 9293 §3.5), or a blind SYN that would
		 * take the open over with its own sequence number, and the real SYN-ACK would then
		 * end it. tcpe opens towards servers, never towards an opener: drop it, keep waiting. */
		tcp_rx_drop(rx, TCPE_DROP_TCP_SYN_IN_SYN_SENT);
		return;
	}
	t->irs = s->seq;
	t->rcv_nxt = s->seq + 1;
	t->rcv_adv = t->rcv_nxt;
	peer_mss = (s->opts.present & TCP_HAVE_MSS) ? s->opts.mss : 536;
	if (peer_mss < 64)
		peer_mss = 64;
	t->snd_mss = peer_mss < c->cfg->mss ? peer_mss : c->cfg->mss;
	tcp_negotiate(c, t, &s->opts);
	t->snd_wnd = s->wnd;		/* a SYN's window is never scaled */
	t->max_wnd_raw = (uint16_t)(s->wnd >> t->snd_ws);
	t->snd_wl1 = s->seq;
	t->snd_wl2 = s->ack;
	t->snd_una = s->ack;
	tcp_rtt_ack(c, t, s);
	tcp_cc_init(c, t);
	if (t->retries > 0)
		t->cwnd = t->snd_mss;	/* the SYN was lost once: start from one segment */
	t->retries = 0;
	t->rto_us = tcp_rto_base(c, t);
	tmr_wheel_cancel(&c->wheel, &t->timer);
	tcp_set_state(c, t, TCP_ESTABLISHED);
	c->st->conn_opened++;
	rx->events |= TCP_EV_ESTABLISHED;
	t->rcv_adv = t->rcv_nxt + tcp_adv_window(t);
	t->flags |= TCB_ACK_NOW;	/* the handshake's third segment */
}

/*
 * A pure ACK that PAWS turns away is, on a path that reorders, merely late: overtaken on the way
 * back by newer ones. Its SACK blocks are still news - thrown away, data the peer holds looked
 * lost a reordering window later and was sent again (on a path reordering a tenth of the ACKs,
 * most resends were of data the peer had). The scoreboard takes them when the timestamp is at
 * most one RTO's worth of the peer's milliseconds old (the bound of Linux's
 * tcp_disordered_ack()) and the ACK moves nothing: no window update, no RTT from the ACK,
 * TS.Recent stays, SND.UNA stays. Returns true when it was used.
 */
static bool
late_sack(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	uint32_t age = t->ts_recent - s->opts.ts_val, tol = t->rto_us / 1000;

	if (s->opts.nsack == 0 || !(t->opt & TCB_OPT_SACK) || !(s->flags & TCP_ACK) ||
	    t->state == TCP_SYN_RCVD || t->snd_una == t->snd_max || age > (tol > 1 ? tol : 1) ||
	    seq_gt(s->ack, t->snd_una) || seq_lt(s->ack, t->snd_una - max_snd_wnd(t)))
		return false;
	if (!ack_sack(c, t, s, 0, t->sb != 0 ? tcb_sb(c, t)->sacked : 0, t->snd_max - t->snd_una,
		      false))
		return false;	/* no scoreboard to give them to */
	c->st->late_sacks++;
	return true;
}

void
tcp_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	bool ts_update;

	memset(rx, 0, sizeof(*rx));
	rx->drop = TCPE_DROP__COUNT;

	if (t->state == TCP_SYN_SENT) {
		syn_sent_input(c, t, s, rx);
		return;
	}

	/* A retransmitted SYN while half-open: our SYN-ACK was lost, send it again. */
	if (t->state == TCP_SYN_RCVD && (s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    s->seq == t->irs) {
		c->st->synack_rexmit++;
		t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn: which SYN-ACK gets acked is unknown */
		tcp_emit_synack(c, t);
		return;
	}
	/* RFC 7323 §5.3 R1, PAWS: a timestamp older than TS.Recent marks an old duplicate. Its ACK
	 * tells the sender where we are - but not for a pure ACK: on a reordering path those are
	 * merely late, and answering each would double the ACK traffic; their SACK blocks are
	 * used (late_sack). */
	if ((t->opt & TCB_OPT_TS) && (s->opts.present & TCP_HAVE_TIMESTAMP) &&
	    !(s->flags & TCP_RST) && seq_lt(s->opts.ts_val, t->ts_recent)) {
		if (s->len > 0 || (s->flags & (TCP_SYN | TCP_FIN)))
			dup_ack(c, t, s);
		else if (late_sack(c, t, s))
			return;
		tcp_rx_drop(rx, TCPE_DROP_TCP_PAWS);
		return;
	}
	if (!acceptable(t, s)) {
		if (s->flags & TCP_RST) {
			tcp_rx_drop(rx, TCPE_DROP_TCP_RST_INVALID);
			return;
		}
		/* A retransmitted FIN in TIME-WAIT restarts the 2*MSL wait (RFC 9293 §3.10.7.4). */
		if (t->state == TCP_TIME_WAIT && (s->flags & TCP_FIN))
			tmr_fifo_push(&c->time_wait, &t->timer, c->now);
		c->st->dup_acks_tx++;
		dup_ack(c, t, s);
		tcp_rx_drop(rx, TCPE_DROP_TCP_UNACCEPTABLE);
		return;
	}
	/* R3: remember the newest timestamp of a segment that starts at or before the ACK point -
	 * once its ACK has been found acceptable (RFC 7323 §4.3): an unacceptable one must not move
	 * TS.Recent, or a blind segment with a huge TSval makes PAWS drop the peer from then on. */
	ts_update = (t->opt & TCB_OPT_TS) && (s->opts.present & TCP_HAVE_TIMESTAMP) &&
		    seq_le(s->seq, t->rcv_nxt) && seq_ge(s->opts.ts_val, t->ts_recent);
	if (s->flags & TCP_RST) {
		rst_input(c, t, s, rx);
		return;
	}
	if (s->flags & TCP_SYN) {
		tcp_rx_drop(rx, TCPE_DROP_TCP_SYN_SYNCED);
		if (t->state == TCP_SYN_RCVD) {
			/* A passive half-open record "returns to LISTEN": it simply goes. */
			tcp_to_closed(c, t, rx);
			return;
		}
		challenge_ack(c, t);	/* RFC 5961 §4.2 */
		return;
	}
	if (!(s->flags & TCP_ACK)) {
		tcp_rx_drop(rx, TCPE_DROP_TCP_NO_ACK);
		return;
	}
	if (!ack_input(c, t, s, rx))
		return;
	if (ts_update)
		t->ts_recent = s->opts.ts_val;
	if (s->len > 0 && !text_input(c, t, s, rx))
		return;
	if (s->flags & TCP_FIN)
		fin_input(c, t, s, rx);
}
