/* tcp.c - connection lifecycle in the core: passive open, close, abort, state and timer bookkeeping. */
#include "tcp.h"

#include <stddef.h>
#include <string.h>

#include "bbr.h"
#include "isn.h"
#include "reasm.h"
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
	t->flags &= (uint16_t)~(TCB_ON_TW | TCB_ON_FW2 | TCB_IDLE | TCB_REO_TIMER | TCB_TLP_TIMER);
}

void
tcp_rto_arm(struct tcp_ctx *c, struct tcb *t)
{
	/* the RTO takes the link over */
	t->flags &= (uint16_t)~(TCB_IDLE | TCB_REO_TIMER | TCB_TLP_TIMER);
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
tcp_rtt_sample(struct tcp_ctx *c, struct tcb *t, uint32_t r)
{
	uint32_t r64;

	if (r == 0)
		r = 1;
	if (r > c->cfg->rto_max_us)
		r = c->cfg->rto_max_us;	/* a hostile echoed timestamp: no sample beyond the ceiling
					   (and r << 3 cannot wrap) */
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
	r64 = (r + 63) >> 6;
	if (r64 > UINT16_MAX)
		r64 = UINT16_MAX;
	if (t->min_rtt64 == 0 || r64 < t->min_rtt64)
		t->min_rtt64 = (uint16_t)r64;	/* RACK's base (RFC 8985 §6.2) */
	if (c->cfg->cc == TCP_CC_BBR)
		tcp_bbr_rtt(c, t, r);
	c->st->rtt_samples++;
	c->st->rtt_hist[tcpe_rtt_bucket(r)]++;
	c->st->rtt_srtt_us = c->st->rtt_srtt_us ?
		c->st->rtt_srtt_us - (c->st->rtt_srtt_us >> 3) + (r >> 3) : r;
}

void
tcp_rtt_ack(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	if ((t->flags & TCB_RTT_TIMING) && seq_gt(s->ack, t->rtt_seq)) {
		t->flags &= (uint16_t)~TCB_RTT_TIMING;
		tcp_rtt_sample(c, t, (uint32_t)c->now - t->rtt_start_us);
		return;
	}
	/*
	 * No timed segment (Karn's rule stopped it after a retransmission): the echoed timestamp
	 * still tells when the segment that arrived was sent (RFC 7323 §4.1), to ~1 ms.
	 */
	if (!(t->flags & TCB_RTT_TIMING) && (t->opt & TCB_OPT_TS) &&
	    (s->opts.present & TCP_HAVE_TIMESTAMP) && s->opts.ts_ecr != 0) {
		uint32_t ticks = tcp_ts_now(c, t) - s->opts.ts_ecr;

		if (ticks < (1u << 20)) {	/* sane: under ~18 minutes */
			c->st->rtt_samples_ts++;
			tcp_rtt_sample(c, t, ticks << 10);
		}
	}
}

void
tcp_idle_check(struct tcp_ctx *c, struct tcb *t)
{
	bool quiet = t->state == TCP_ESTABLISHED && t->snd_una == t->snd_max &&
		     t->snd_nxt == t->snd_end;
	uint64_t us = t->idle_ms != 0 ? (uint64_t)t->idle_ms * 1000 : c->cfg->keepalive_us;

	if (us == 0 || !quiet || (tmr_armed(&t->timer) && !(t->flags & TCB_IDLE)))
		return;
	if (t->flags & TCB_KEEPALIVE) {
		/* Something came from the peer since the last probe: it is alive. */
		t->flags &= (uint16_t)~TCB_KEEPALIVE;
		t->retries = 0;
	}
	tmr_wheel_arm(&c->wheel, &t->timer, c->now + us);	/* (re)start */
	t->flags |= TCB_IDLE;
}

void
tcp_set_idle(struct tcp_ctx *c, struct tcb *t, uint32_t ms)
{
	t->idle_ms = ms;
	if (ms == 0 && (t->flags & TCB_IDLE)) {
		tmr_wheel_cancel(&c->wheel, &t->timer);
		t->flags &= (uint16_t)~(TCB_IDLE | TCB_KEEPALIVE);
		tcp_idle_check(c, t);	/* the keepalive, if configured, takes over */
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
	tcp_reasm_purge(c, t);
	tcp_sb_put(c, t);
	tcp_bbr_put(c, t);
	tcp_cubic_put(c, t);
	tcp_set_state(c, t, TCP_CLOSED);
	if (rx != NULL)
		rx->events |= TCP_EV_FREE;
}

uint32_t
tcp_ts_offset(const struct tcp_ctx *c, const struct tcp_tuple *tuple)
{
	uint32_t in[3] = { tuple->laddr, tuple->raddr, 0x54534f46u /* keeps it apart from ISNs */ };
	struct tcp_ts_cache *e = NULL;
	uint32_t off;

	/* Few address pairs carry most connections (a load generator, a proxy): remember them
	 * rather than hash again. The offset is a pure function of the pair and the key. */
	if (c->ts_cache != NULL) {
		e = &c->ts_cache[((tuple->laddr ^ (tuple->raddr * 0x9e3779b1u)) * 0x85ebca6bu) >>
				 (32 - TCP_TS_CACHE_BITS)];
		if (e->laddr == tuple->laddr && e->raddr == tuple->raddr && e->laddr != 0)
			return e->off;
	}
	off = (uint32_t)siphash24(c->cfg->ts_key, in, sizeof(in));
	if (e != NULL) {
		e->laddr = tuple->laddr;
		e->raddr = tuple->raddr;
		e->off = off;
	}
	return off;
}

void
tcp_negotiate(const struct tcp_ctx *c, struct tcb *t, const struct tcp_opts *peer)
{
	const struct tcp_cfg *cfg = c->cfg;

	/* RFC 7323 §2.2: scaling is on only when both SYNs carry the option. */
	if ((cfg->features & TCB_OPT_WS) && (peer->present & TCP_HAVE_WSCALE)) {
		t->opt |= TCB_OPT_WS;
		t->snd_ws = peer->wscale;	/* already clamped to 14 by the parser */
		t->rcv_ws = cfg->rcv_ws;
	}
	if ((cfg->features & TCB_OPT_TS) && (peer->present & TCP_HAVE_TIMESTAMP)) {
		t->opt |= TCB_OPT_TS;
		t->ts_recent = peer->ts_val;
		t->ts_off = tcp_ts_offset(c, &t->tuple);
		/* The MSS counts payload only (RFC 6691): every segment now carries 12 option bytes. */
		t->snd_mss = (uint16_t)(t->snd_mss - TCP_TS_SPACE);
	}
	if ((cfg->features & TCB_OPT_SACK) && (peer->present & TCP_HAVE_SACK_PERM))
		t->opt |= TCB_OPT_SACK;
}

void
tcp_cc_init(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t mss = t->snd_mss, n = c->cfg->init_cwnd;
	uint32_t cap = n * 1460u > 2 * mss ? n * 1460u : 2 * mss;

	/* RFC 6928: IW = min(10 * MSS, max(2 * MSS, 14600)), for any configured segment count. */
	t->cwnd = n * mss < cap ? n * mss : cap;
	t->ssthresh = 0x7fffffffu;	/* "arbitrarily high" (RFC 5681 §3.1) */
	t->recover = t->iss;
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
	t->snd_mss = peer_mss < tcp_our_mss(cfg, tuple) ? peer_mss : tcp_our_mss(cfg, tuple);
	t->rto_us = cfg->rto_init_us;
	tcp_negotiate(c, t, &seg->opts);
	t->max_wnd_raw = (uint16_t)(seg->wnd >> t->snd_ws);	/* a SYN's window is unscaled */
	tcp_cc_init(c, t);
	tcp_set_state(c, t, TCP_SYN_RCVD);
	tcp_emit_synack(c, t);
	/* The SYN-ACK could only offer 64 KiB (its window is never scaled); the rest of the
	 * window is ours to take as offered, so the first scaled segment need not be an update. */
	t->rcv_adv = seq_max(t->rcv_adv, t->rcv_nxt + tcp_adv_window(t));
	tcp_rtt_start(c, t, t->iss);	/* the handshake's ACK gives the first sample */
	tcp_rto_arm(c, t);
}

/* --- out-of-order queues --------------------------------------------------------------- */

void
tcp_reasm_pool_init(struct tcp_ctx *c, struct reasm *blocks, uint32_t n)
{
	c->reasm_pool = blocks;
	c->reasm_free = NULL;
	c->reasm_lru = c->reasm_mru = NULL;
	for (uint32_t i = n; i-- > 0;) {
		blocks[i].next_free = c->reasm_free;
		c->reasm_free = &blocks[i];
	}
	c->st->ooo_held = 0;
}

static void
lru_unlink(struct tcp_ctx *c, struct reasm *r)
{
	if (r->lru_prev != NULL)
		r->lru_prev->lru_next = r->lru_next;
	else
		c->reasm_lru = r->lru_next;
	if (r->lru_next != NULL)
		r->lru_next->lru_prev = r->lru_prev;
	else
		c->reasm_mru = r->lru_prev;
	r->lru_prev = r->lru_next = NULL;
}

static void
lru_append(struct tcp_ctx *c, struct reasm *r)
{
	r->lru_next = NULL;
	r->lru_prev = c->reasm_mru;
	if (c->reasm_mru != NULL)
		c->reasm_mru->lru_next = r;
	else
		c->reasm_lru = r;
	c->reasm_mru = r;
	r->touched_us = c->now;
}

void
tcp_reasm_touch(struct tcp_ctx *c, struct reasm *r)
{
	if (c->reasm_mru != r) {
		lru_unlink(c, r);
		lru_append(c, r);
	}
	r->touched_us = c->now;
}

void
tcp_reasm_put(struct tcp_ctx *c, struct tcb *t)
{
	struct reasm *r = tcb_rq(c, t);

	c->st->ooo_held -= reasm_purge(r, c->pkt_free);
	lru_unlink(c, r);
	r->owner = NULL;
	r->next_free = c->reasm_free;
	c->reasm_free = r;
	t->rq = 0;
}

struct reasm *
tcp_reasm_get(struct tcp_ctx *c, struct tcb *t)
{
	struct reasm *r = c->reasm_free;

	if (r == NULL) {
		/* every queue is taken: the one that progressed longest ago gives way */
		if (c->reasm_lru == NULL || c->reasm_lru->owner == t)
			return NULL;
		c->st->ooo_reclaimed += c->reasm_lru->n;
		tcp_reasm_put(c, c->reasm_lru->owner);
		r = c->reasm_free;
	}
	c->reasm_free = r->next_free;
	r->n = 0;
	r->head = 0;
	r->nrecent = 0;
	r->fin = 0;
	r->owner = t;
	t->rq = (uint32_t)(r - c->reasm_pool) + 1;
	lru_append(c, r);
	return r;
}

bool
tcp_reasm_reclaim(struct tcp_ctx *c, const struct tcb *t)
{
	struct reasm *r = c->reasm_lru;

	if (r == NULL || r->owner == t)
		return false;
	c->st->ooo_reclaimed += r->n;
	tcp_reasm_put(c, r->owner);
	return true;
}

unsigned int
tcp_reasm_expire(struct tcp_ctx *c, uint64_t max_age_us, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && c->reasm_lru != NULL && c->now - c->reasm_lru->touched_us >= max_age_us) {
		c->st->ooo_expired += c->reasm_lru->n;
		tcp_reasm_put(c, c->reasm_lru->owner);
		n++;
	}
	return n;
}

void
tcp_reasm_purge(struct tcp_ctx *c, struct tcb *t)
{
	if (t->rq != 0)
		tcp_reasm_put(c, t);
}

bool
tcp_reasm_next(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx, void **pkt)
{
	struct reasm *r = tcb_rq(c, t);
	struct reasm_seg seg;
	unsigned int released = 0;
	bool got;

	memset(rx, 0, sizeof(*rx));
	rx->drop = TCPE_DROP__COUNT;
	if (r == NULL)
		return false;
	if (!tcp_can_receive(t)) {
		tcp_reasm_put(c, t);
		return false;
	}
	got = reasm_pop(r, t->rcv_nxt, &seg, c->pkt_free, &released);
	c->st->ooo_held -= released;
	if (got) {
		c->st->ooo_held--;
		c->st->ooo_delivered++;
		rx->events |= TCP_EV_DATA;
		rx->data_off = seg.off;
		rx->data_len = seg.len;
		t->rcv_nxt += seg.len;
		c->st->data_rx_bytes += seg.len;
		t->flags |= TCB_ACK_NOW;	/* a hole filled: ACK at once (RFC 5681 §4.2) */
		*pkt = seg.pkt;
		tcp_reasm_touch(c, r);
		if (r->fin && r->fin_seq == t->rcv_nxt) {
			c->st->ooo_held -= reasm_purge(r, c->pkt_free);	/* nothing beyond (trimmed) */
			tcp_fin_reached(c, t, rx);
		}
	}
	if (t->rq != 0 && r->n == 0)
		tcp_reasm_put(c, t);	/* a FIN beyond a hole that never filled is forgotten */
	return got;
}

/* --- delayed ACKs ------------------------------------------------------------------------ */

void
tcp_dack_init(struct tcp_ctx *c, struct tcp_dack *d, struct tcp_dack_ent *ents, uint32_t n)
{
	d->q = ents;
	d->mask = n - 1;
	d->head = d->tail = 0;
	c->dack = d;
}

void
tcp_dack_owe(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_dack *d = c->dack;

	if (d != NULL && d->tail - d->head > d->mask && c->cfg->delack_us != 0 &&
	    !(t->flags & TCB_DACK))
		c->st->delack_queue_full++;
	if (d == NULL || c->cfg->delack_us == 0 || (t->flags & TCB_DACK) ||
	    d->tail - d->head > d->mask) {
		/* The second segment (RFC 5681 §4.2: ACK at least every second full-sized
		 * segment), no delayed ACKs configured, or the FIFO is full: ACK now. */
		t->flags |= TCB_ACK_NOW;
		return;
	}
	t->flags |= TCB_DACK;
	d->q[d->tail & d->mask] = (struct tcp_dack_ent){ .t = t, .due = c->now + c->cfg->delack_us };
	d->tail++;
}

bool
tcp_dack_run(struct tcp_ctx *c)
{
	struct tcp_dack *d = c->dack;

	if (d == NULL)
		return false;
	while (d->head != d->tail && d->q[d->head & d->mask].due <= c->now) {
		struct tcb *t = d->q[d->head & d->mask].t;

		if (tcp_outq_room(c) <= TCP_OUTQ_CALL_MAX)
			return true;
		d->head++;
		/* The ACK may have left with other data already, or the record may be gone. */
		if ((t->flags & TCB_DACK) && t->state != TCP_CLOSED) {
			c->st->delayed_acks++;
			tcp_emit_ack(c, t);
		}
	}
	return false;
}

void
tcp_active_open(struct tcp_ctx *c, struct tcb *t, const struct tcp_tuple *tuple)
{
	const struct tcp_cfg *cfg = c->cfg;

	memset(t, 0, sizeof(*t));
	t->tuple = *tuple;
	t->state = TCP_CLOSED;
	t->rcv_wnd = cfg->rcv_wnd;
	t->iss = tcp_isn(cfg->isn_key, tuple, sizeof(*tuple), c->now);
	t->snd_una = t->iss;
	t->snd_nxt = t->snd_max = t->snd_end = t->iss + 1;
	t->snd_mss = tcp_our_mss(cfg, tuple);
	t->rto_us = cfg->rto_init_us;
	t->ts_off = tcp_ts_offset(c, tuple);	/* our SYN carries a timestamp already */
	tcp_set_state(c, t, TCP_SYN_SENT);
	c->st->active_opens++;
	tcp_emit_syn(c, t);
	tcp_rtt_start(c, t, t->iss);
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
		tcp_emit(c, t, &o);
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
