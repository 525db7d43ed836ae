/* tcp.c - connection lifecycle in the core: passive open, close, abort, state and timer bookkeeping. */
#include "tcp.h"

#include <stddef.h>
#include <string.h>

#include "isn.h"
#include "seq.h"
#include "tcp_priv.h"

void
tcp_set_state(struct tcp_ctx *c, struct tcb *t, unsigned int state)
{
	if (t->state == state)
		return;
	/* Records in CLOSED are free or about to be: only live states are gauged. */
	if (t->state != TCP_CLOSED)
		c->st->state_now[t->state]--;
	if (state != TCP_CLOSED)
		c->st->state_now[state]++;
	c->st->state_enter[state]++;
	c->st->state_changes++;
	t->state = (uint8_t)state;
}

void
tcp_timer_stop(struct tcp_ctx *c, struct tcb *t)
{
	if (t->flags & TCB_ON_TW)
		tmr_fifo_cancel(&c->time_wait, &t->timer);
	else if (t->flags & TCB_ON_FW2)
		tmr_fifo_cancel(&c->fin_wait2, &t->timer);
	else
		tmr_wheel_cancel(&c->wheel, &t->timer);
	t->flags &= (uint8_t)~(TCB_ON_TW | TCB_ON_FW2 | TCB_IDLE);
}

void
tcp_rto_arm(struct tcp_ctx *c, struct tcb *t)
{
	t->flags &= (uint8_t)~TCB_IDLE;	/* the RTO takes the link over */
	tmr_wheel_arm(&c->wheel, &t->timer, c->now + t->rto_us);
}

void
tcp_rtt_start(struct tcp_ctx *c, struct tcb *t, uint32_t seq)
{
	if (t->flags & TCB_RTT_TIMING)
		return;
	t->flags |= TCB_RTT_TIMING;
	t->rtt_seq = seq;
	t->rtt_start_us = (uint32_t)c->now;
}

uint32_t
tcp_rto_base(const struct tcp_ctx *c, const struct tcb *t)
{
	uint32_t rto;

	if (t->srtt8 == 0)
		return c->cfg->rto_init_us;
	/* RTO = SRTT + max(G, 4 * RTTVAR) (RFC 6298 §2.3); G, the clock granularity, is 1 us */
	rto = (t->srtt8 >> 3) + (t->rttvar4 > 1 ? t->rttvar4 : 1);
	if (rto < c->cfg->rto_min_us)
		rto = c->cfg->rto_min_us;
	return rto < c->cfg->rto_max_us ? rto : c->cfg->rto_max_us;
}

void
tcp_rtt_ack(struct tcp_ctx *c, struct tcb *t, uint32_t ack)
{
	uint32_t r;

	if (!(t->flags & TCB_RTT_TIMING) || !seq_gt(ack, t->rtt_seq))
		return;
	t->flags &= (uint8_t)~TCB_RTT_TIMING;
	r = (uint32_t)c->now - t->rtt_start_us;
	if (r == 0)
		r = 1;
	if (t->srtt8 == 0) {
		/* first measurement (RFC 6298 §2.2): SRTT = R, RTTVAR = R / 2 */
		t->srtt8 = r << 3;
		t->rttvar4 = r << 1;
	} else {
		/* §2.3 with alpha = 1/8, beta = 1/4, in Jacobson's scaled integers */
		int32_t err = (int32_t)r - (int32_t)(t->srtt8 >> 3);

		t->srtt8 = (uint32_t)((int32_t)t->srtt8 + err);
		if (err < 0)
			err = -err;
		t->rttvar4 = (uint32_t)((int32_t)t->rttvar4 + err - (int32_t)(t->rttvar4 >> 2));
	}
	t->rto_us = tcp_rto_base(c, t);
	c->st->rtt_samples++;
	c->st->rtt_hist[tcpe_rtt_bucket(r)]++;
	c->st->rtt_srtt_us = c->st->rtt_srtt_us ?
		c->st->rtt_srtt_us - (c->st->rtt_srtt_us >> 3) + (r >> 3) : r;
}

void
tcp_idle_check(struct tcp_ctx *c, struct tcb *t)
{
	bool quiet = t->state == TCP_ESTABLISHED && t->snd_una == t->snd_max &&
		     t->snd_nxt == t->snd_end;

	if (t->idle_us == 0 || !quiet || (tmr_armed(&t->timer) && !(t->flags & TCB_IDLE)))
		return;
	tmr_wheel_arm(&c->wheel, &t->timer, c->now + t->idle_us);	/* (re)start */
	t->flags |= TCB_IDLE;
}

void
tcp_set_idle(struct tcp_ctx *c, struct tcb *t, uint32_t us)
{
	t->idle_us = us;
	if (us == 0 && (t->flags & TCB_IDLE)) {
		tmr_wheel_cancel(&c->wheel, &t->timer);
		t->flags &= (uint8_t)~TCB_IDLE;
	}
}

void
tcp_enter_time_wait(struct tcp_ctx *c, struct tcb *t)
{
	tcp_timer_stop(c, t);
	tcp_set_state(c, t, TCP_TIME_WAIT);
	tmr_fifo_push(&c->time_wait, &t->timer, c->now);
	t->flags |= TCB_ON_TW;
}

void
tcp_enter_fin_wait2(struct tcp_ctx *c, struct tcb *t)
{
	tcp_timer_stop(c, t);
	tcp_set_state(c, t, TCP_FIN_WAIT_2);
	/* The application has closed, so the record is orphaned: bound its wait for the FIN. */
	tmr_fifo_push(&c->fin_wait2, &t->timer, c->now);
	t->flags |= TCB_ON_FW2;
}

void
tcp_to_closed(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx)
{
	tcp_timer_stop(c, t);
	tcp_set_state(c, t, TCP_CLOSED);
	if (rx != NULL)
		rx->events |= TCP_EV_FREE;
}

void
tcp_passive_open(struct tcp_ctx *c, struct tcb *t, const struct tcp_tuple *tuple,
		 const struct tcp_seg *seg)
{
	const struct tcp_cfg *cfg = c->cfg;
	/* RFC 9293 §3.7.1: without an MSS option the peer accepts 536 bytes. */
	uint16_t peer_mss = (seg->opts.present & TCP_HAVE_MSS) ? seg->opts.mss : 536;

	memset(t, 0, sizeof(*t));
	t->tuple = *tuple;
	t->state = TCP_CLOSED;
	t->irs = seg->seq;
	t->rcv_nxt = seg->seq + 1;
	t->rcv_wnd = cfg->rcv_wnd;
	t->rcv_adv = t->rcv_nxt;
	t->iss = tcp_isn(cfg->isn_key, tuple, sizeof(*tuple), c->now);
	t->snd_una = t->iss;
	t->snd_nxt = t->iss + 1;
	t->snd_max = t->iss + 1;
	t->snd_end = t->iss + 1;
	t->snd_wnd = seg->wnd;
	t->snd_wl1 = seg->seq;
	t->snd_wl2 = t->iss;
	if (peer_mss < 64)
		peer_mss = 64;	/* a tiny MSS would only multiply our packets */
	t->snd_mss = peer_mss < cfg->mss ? peer_mss : cfg->mss;
	t->rto_us = cfg->rto_init_us;
	tcp_set_state(c, t, TCP_SYN_RCVD);
	tcp_emit_synack(c, t);
	tcp_rtt_start(c, t, t->iss);	/* the handshake's ACK gives the first sample */
	tcp_rto_arm(c, t);
}

void
tcp_send_queued(struct tcb *t, uint32_t len)
{
	t->snd_end += len;
}

void
tcp_close(struct tcp_ctx *c, struct tcb *t)
{
	switch (t->state) {
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
		/* RFC 9293 §3.10.4: the FIN follows the queued data; enter FIN-WAIT-1 either way. */
		t->flags |= TCB_FIN_QUEUED;
		tcp_set_state(c, t, TCP_FIN_WAIT_1);
		break;
	case TCP_CLOSE_WAIT:
		t->flags |= TCB_FIN_QUEUED;
		tcp_set_state(c, t, TCP_LAST_ACK);
		break;
	default:
		break;	/* already closing */
	}
}

void
tcp_abort(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_out o = { .seq = t->snd_nxt, .ack = t->rcv_nxt, .flags = TCP_RST | TCP_ACK };

	/* RFC 9293 §3.10.5: synchronized states send <SEQ=SND.NXT><CTL=RST>. */
	if (t->state != TCP_CLOSED && t->state != TCP_TIME_WAIT)
		c->emit(c->emit_arg, t, &o);
	c->st->conn_reset++;
	tcp_to_closed(c, t, NULL);
}

bool
tcp_reply_closed(const struct tcp_seg *seg, struct tcp_out *o)
{
	memset(o, 0, offsetof(struct tcp_out, opt));
	if (seg->flags & TCP_RST)
		return false;	/* never answer a RST */
	if (seg->flags & TCP_ACK) {
		o->seq = seg->ack;
		o->flags = TCP_RST;
	} else {
		o->seq = 0;
		o->ack = seg->seq + tcp_seg_space(seg);
		o->flags = TCP_RST | TCP_ACK;
	}
	return true;
}

bool
tcp_time_wait_reopen(const struct tcb *t, const struct tcp_seg *s)
{
	/*
	 * RFC 9293 §3.10.7.4 / RFC 1122 4.2.2.13: a new SYN may reopen a TIME-WAIT connection when
	 * its sequence number is above the old connection's final one.
	 */
	return t->state == TCP_TIME_WAIT && (s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	       seq_gt(s->seq, t->rcv_nxt);
}
