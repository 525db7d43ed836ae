/* tw.c - compact TIME-WAIT: a FIFO ring of 40-byte entries, the segment rules of TIME-WAIT, expiry. */
#include "tw.h"

#include <stddef.h>
#include <string.h>

#include "seq.h"

void
tcp_tw_init(struct tcp_tw_table *tb, struct tcp_tw *mem, uint32_t n)
{
	tb->e = mem;
	tb->mask = n - 1;
	tb->head = tb->tail = 0;
	memset(mem, 0, sizeof(*mem) * n);
}

static void
tw_leave(struct tcp_ctx *c, struct tcp_tw_table *tb, struct tcp_tw *tw)
{
	tw->flags &= (uint8_t)~TW_LIVE;
	c->st->state_now[TCP_TIME_WAIT]--;
	c->st->tw_entries--;
	tb->key(tb->key_arg, tw, false);
}

/*
 * The next slot at the tail; the oldest entry gives way when the ring is full. Full, the ring
 * evicts an entry per new one, each written a ring's length ago (seconds): cold, and so are its
 * flow-table buckets. They are fetched ahead, two steps deep: the entry after next now, and the
 * buckets of the next one (its tuple fetched by the previous eviction).
 */
static struct tcp_tw *
tw_slot(struct tcp_ctx *c, struct tcp_tw_table *tb)
{
	struct tcp_tw *tw;

	if (tb->tail - tb->head > tb->mask) {
		tw = &tb->e[tb->head & tb->mask];
		if (tw->flags & TW_LIVE) {
			c->st->tw_evicted++;
			tw_leave(c, tb, tw);
		}
		tb->head++;
		__builtin_prefetch(&tb->e[(tb->head + 1) & tb->mask]);
		tw = &tb->e[tb->head & tb->mask];
		if (tb->key_prefetch != NULL && (tw->flags & TW_LIVE))
			tb->key_prefetch(tb->key_arg, tw);
	}
	tw = &tb->e[tb->tail & tb->mask];
	tb->tail++;
	return tw;
}

struct tcp_tw *
tcp_tw_add(struct tcp_ctx *c, struct tcp_tw_table *tb, const struct tcb *t)
{
	struct tcp_tw *tw = tw_slot(c, tb);
	uint32_t adv = tcp_adv_window(t) >> t->rcv_ws;

	tw->tuple = t->tuple;
	tw->snd_nxt = t->snd_nxt;
	tw->rcv_nxt = t->rcv_nxt;
	tw->ts_off = t->ts_off;
	tw->ts_recent = t->ts_recent;
	tw->wnd = (uint16_t)(adv > 65535 ? 65535 : adv);
	tw->flags = (uint8_t)(TW_LIVE | ((t->opt & TCB_OPT_TS) ? TW_TS : 0));
	tw->expire_us = c->now + c->cfg->time_wait_us;
	c->st->state_now[TCP_TIME_WAIT]++;
	c->st->tw_entries++;
	return tw;
}

static void
tw_ack(struct tcp_ctx *c, const struct tcp_tw *tw, struct tcp_out *o)
{
	memset(o, 0, offsetof(struct tcp_out, opt));
	o->seq = tw->snd_nxt;
	o->ack = tw->rcv_nxt;
	o->flags = TCP_ACK;
	o->wnd = tw->wnd;
	if (tw->flags & TW_TS) {
		struct tcp_opts opts = { .present = TCP_HAVE_TIMESTAMP };

		opts.ts_val = tw->ts_off + (uint32_t)(c->now >> 10);
		opts.ts_ecr = tw->ts_recent;
		o->optlen = (uint8_t)tcp_opts_build(o->opt, &opts);
	}
	c->st->tw_acks++;
}

/* One ACK per entry per tick at most (RFC 5961 §7 in spirit): a stream of segments to one
 * TIME_WAIT tuple must not turn into a stream of ACKs. */
static enum tcp_tw_action
tw_ack_limited(struct tcp_ctx *c, struct tcp_tw *tw, struct tcp_out *o)
{
	uint8_t tick = (uint8_t)(c->now >> TW_ACK_TICK_SHIFT);

	if ((tw->flags & TW_ACKED) && tw->ack_tick == tick) {
		c->st->tw_acks_limited++;
		return TW_DROP;
	}
	tw->flags |= TW_ACKED;
	tw->ack_tick = tick;
	tw_ack(c, tw, o);
	return TW_ACK;
}

enum tcp_tw_action
tcp_tw_input(struct tcp_ctx *c, struct tcp_tw_table *tb, struct tcp_tw *tw,
	     const struct tcp_seg *s, struct tcp_out *o, uint16_t *drop)
{
	bool ts = (tw->flags & TW_TS) && (s->opts.present & TCP_HAVE_TIMESTAMP);

	*drop = TCPE_DROP_TCP_TIME_WAIT;
	/* RFC 1337: a RST must not cut TIME-WAIT short ("TIME-WAIT assassination"). */
	if (s->flags & TCP_RST)
		return TW_DROP;
	if ((s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		/*
		 * A new incarnation is safe when its SYN is newer than anything of the old one:
		 * by timestamp where both sides used them (RFC 6191), else by sequence number
		 * (RFC 9293 §3.10.7.4 / RFC 1122 4.2.2.13).
		 */
		if (ts ? seq_gt(s->opts.ts_val, tw->ts_recent) : seq_gt(s->seq, tw->rcv_nxt)) {
			c->st->tw_reopened++;
			tw_leave(c, tb, tw);
			return TW_REOPEN;
		}
		return tw_ack_limited(c, tw, o);
	}
	if (ts && seq_lt(s->opts.ts_val, tw->ts_recent)) {
		*drop = TCPE_DROP_TCP_PAWS;	/* an old duplicate */
		return tw_ack_limited(c, tw, o);
	}
	/*
	 * The peer did not hear our ACK of its FIN: ACK again and wait 2*MSL anew (RFC 9293
	 * §3.10.7.4). Only the FIN itself does that - the one ending at RCV.NXT - and at most once a
	 * tick: moving the entry takes a new slot of the ring, so any other FIN would let one tuple
	 * push every other entry of the worker out early.
	 */
	if ((s->flags & TCP_FIN) && s->seq + s->len + 1 == tw->rcv_nxt &&
	    !((tw->flags & TW_ACKED) && tw->ack_tick == (uint8_t)(c->now >> TW_ACK_TICK_SHIFT))) {
		struct tcp_tw copy = *tw;
		struct tcp_tw *nw;

		tw_leave(c, tb, tw);
		nw = tw_slot(c, tb);
		*nw = copy;
		nw->expire_us = c->now + c->cfg->time_wait_us;
		c->st->state_now[TCP_TIME_WAIT]++;
		c->st->tw_entries++;
		tb->key(tb->key_arg, nw, true);
		return tw_ack_limited(c, nw, o);
	}
	/* A bare ACK at the right place says nothing new; anything else gets our state again. */
	if (s->len == 0 && s->seq == tw->rcv_nxt && !(s->flags & TCP_FIN))
		return TW_DROP;
	return tw_ack_limited(c, tw, o);
}

bool
tcp_tw_reuse(struct tcp_ctx *c, struct tcp_tw_table *tb, struct tcp_tw *tw, uint64_t min_age_us)
{
	uint64_t born = tw->expire_us - c->cfg->time_wait_us;

	if (!(tw->flags & TW_LIVE) || !(tw->flags & TW_TS) || c->now < born + min_age_us)
		return false;
	c->st->tw_reused++;
	tw_leave(c, tb, tw);
	return true;
}

unsigned int
tcp_tw_expire(struct tcp_ctx *c, struct tcp_tw_table *tb, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && tb->head != tb->tail) {
		struct tcp_tw *tw = &tb->e[tb->head & tb->mask];

		if ((tw->flags & TW_LIVE) && tw->expire_us > c->now)
			break;
		if (tw->flags & TW_LIVE) {
			c->st->tw_expired++;
			c->st->timers_fired++;
			tw_leave(c, tb, tw);
			n++;
		}
		tb->head++;
	}
	return n;
}
