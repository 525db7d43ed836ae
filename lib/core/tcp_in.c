/* tcp_in.c - segment arrival for an existing record, in RFC 9293 §3.10.7.4 step order. */
#include "isn.h"
#include "seq.h"
#include "tcp_priv.h"

#include <string.h>

/* RFC 5961 §5.2 bounds old ACKs by MAX.SND.WND; without window scaling that is 64 KiB. */
#define MAX_SND_WND 65535u

static inline uint32_t
rcv_window(const struct tcb *t)
{
	return seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
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
		c->emit(c->emit_arg, t, &o);
		return false;
	}
	tcp_set_state(c, t, TCP_ESTABLISHED);
	c->st->conn_opened++;
	rx->events |= TCP_EV_ESTABLISHED;
	t->snd_wnd = s->wnd;
	t->snd_wl1 = s->seq;
	t->snd_wl2 = s->ack;
	return true;
}

/* Step 5: ACK processing for synchronized states. Returns false when the segment stops here. */
static bool
ack_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	bool fin_acked;

	if (t->state == TCP_SYN_RCVD && !synrcvd_ack(c, t, s, rx))
		return false;
	/* RFC 5961 §5.2: acceptable iff SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT. */
	if (seq_gt(s->ack, t->snd_max) || seq_lt(s->ack, t->snd_una - MAX_SND_WND)) {
		tcp_emit_ack(c, t);
		tcp_rx_drop(rx, TCPE_DROP_TCP_ACK_INVALID);
		return false;
	}
	if (seq_gt(s->ack, t->snd_una)) {
		uint32_t acked = s->ack - t->snd_una;

		if (t->snd_una == t->iss)
			acked--;	/* our SYN */
		if ((t->flags & TCB_FIN_QUEUED) && seq_gt(s->ack, t->snd_end))
			acked--;	/* our FIN */
		t->snd_una = s->ack;
		if (seq_lt(t->snd_nxt, t->snd_una))
			t->snd_nxt = t->snd_una;
		t->retries = 0;
		tcp_rtt_ack(c, t, s->ack);
		t->rto_us = tcp_rto_base(c, t);	/* progress ends any backoff (RFC 6298 §5.7) */
		if (t->snd_una != t->snd_max)
			tcp_rto_arm(c, t);
		else if (!(t->flags & TCB_IDLE))
			tmr_wheel_cancel(&c->wheel, &t->timer);	/* the idle timer, if any, stays */
		if (acked > 0) {
			rx->acked = acked;
			rx->events |= TCP_EV_ACKED;
		}
	}
	/* Window update: only from a segment no older than the last one used (SND.WL1/WL2). */
	if (seq_lt(t->snd_wl1, s->seq) ||
	    (t->snd_wl1 == s->seq && seq_le(t->snd_wl2, s->ack))) {
		t->snd_wnd = s->wnd;
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
	}
	/* RFC 1122 §4.2.2.17: a receiver that answers our zero-window probes is alive; keep probing
	 * (with backoff) for as long as it does, instead of counting the probes toward giving up. */
	if (t->snd_wnd == 0 && s->ack == t->snd_una)
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

/* Step 7: segment text. Returns true when the whole segment was taken (so its FIN counts). */
static bool
text_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	uint32_t off = 0, n, wnd;

	if (!tcp_can_receive(t)) {
		/* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent its FIN. */
		tcp_rx_drop(rx, TCPE_DROP_TCP_DATA_CLOSED);
		return false;
	}
	if (seq_lt(s->seq, t->rcv_nxt)) {
		off = t->rcv_nxt - s->seq;
		if (off >= s->len) {
			t->flags |= TCB_ACK_NOW;	/* a pure duplicate: re-ACK */
			return true;
		}
	} else if (s->seq != t->rcv_nxt) {
		/* Out of order: ACK at once so the sender can fast-retransmit (RFC 5681 §4.2). */
		c->st->dup_acks_tx++;
		tcp_emit_ack(c, t);
		tcp_rx_drop(rx, TCPE_DROP_TCP_OUT_OF_ORDER);
		return false;
	}
	n = s->len - off;
	wnd = rcv_window(t);
	t->flags |= TCB_ACK_NOW;
	if (n > wnd)
		n = wnd;
	if (n == 0) {
		tcp_rx_drop(rx, TCPE_DROP_TCP_WINDOW_PROBE);
		return false;
	}
	rx->data_off = off;
	rx->data_len = n;
	rx->events |= TCP_EV_DATA;
	t->rcv_nxt += n;
	c->st->data_rx_bytes += n;
	return n == s->len - off;
}

/* Step 8: FIN, once everything before it has been received. */
static void
fin_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	if (s->seq + s->len != t->rcv_nxt || (t->flags & TCB_PEER_FIN))
		return;
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

void
tcp_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, struct tcp_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->drop = TCPE_DROP__COUNT;

	/* A retransmitted SYN while half-open: our SYN-ACK was lost, send it again. */
	if (t->state == TCP_SYN_RCVD && (s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    s->seq == t->irs) {
		c->st->synack_rexmit++;
		t->flags &= (uint8_t)~TCB_RTT_TIMING;	/* Karn: which SYN-ACK gets acked is unknown */
		tcp_emit_synack(c, t);
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
		tcp_emit_ack(c, t);
		tcp_rx_drop(rx, TCPE_DROP_TCP_UNACCEPTABLE);
		return;
	}
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
	if (s->len > 0 && !text_input(c, t, s, rx))
		return;
	if (s->flags & TCP_FIN)
		fin_input(c, t, s, rx);
}
