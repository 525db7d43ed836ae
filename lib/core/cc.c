/* cc.c - congestion window response to loss and growth in congestion avoidance: NewReno (RFC 5681) or CUBIC (RFC 9438); BBR's model is in bbr.c. */
#include <string.h>

#include "bbr.h"
#include "tcp_priv.h"

/*
 * CUBIC in integers, time in ticks of 2^10 us (~1 ms): W(t) = C (t - K)^3 + W_max with C = 0.4
 * segments/s^3 is (d^3 * 945) >> 41 segments for d in ticks; K^3 = (W_max - cwnd) / C, so
 * K in ticks = cbrt(segments * 2328306437). beta = 0.7 (717/1024), fast convergence 0.85.
 */
#define CUBIC_D_MAX 150000	/* |t - K| cap in ticks (~150 s) keeps d^3 * 945 in 63 bits */

static uint32_t
icbrt(uint64_t x)
{
	uint64_t r = 0;

	for (int s = 63; s >= 0; s -= 3) {
		uint64_t b;

		r <<= 1;
		b = 3 * r * (r + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			r++;
		}
	}
	return (uint32_t)r;
}

void
tcp_cubic_pool_init(struct tcp_ctx *c, struct tcp_cubic *pool, uint32_t n)
{
	c->cubic_pool = pool;
	c->cubic_free = 0;
	for (uint32_t i = n; i-- > 0;) {
		pool[i].next_free = c->cubic_free;
		c->cubic_free = i + 1;
	}
}

void
tcp_cubic_put(struct tcp_ctx *c, struct tcb *t)
{
	if (c->cfg->cc != TCP_CC_CUBIC || t->cubic == 0)
		return;
	if (t->cubic != CUBIC_NONE) {
		c->cubic_pool[t->cubic - 1].next_free = c->cubic_free;
		c->cubic_free = t->cubic;
	}
	t->cubic = 0;
}

struct tcp_cubic *
tcp_cubic_of(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_cubic *k;

	if (t->cubic != 0)
		return t->cubic != CUBIC_NONE ? &c->cubic_pool[t->cubic - 1] : NULL;
	if (c->cubic_free == 0) {
		t->cubic = CUBIC_NONE;	/* NewReno's response from now on */
		c->st->cubic_fallbacks++;
		return NULL;
	}
	t->cubic = c->cubic_free;
	k = &c->cubic_pool[t->cubic - 1];
	c->cubic_free = k->next_free;
	memset(k, 0, sizeof(*k));
	return k;
}

void
tcp_cc_loss(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t mss = t->snd_mss, flight = t->snd_max - t->snd_una, ss;
	struct tcp_cubic *k;

	if (tcp_bbr_active(c, t)) {
		/* BBR does not take a loss for congestion: recovery (PRR) may keep the window */
		t->ssthresh = t->cwnd > 4u * mss ? t->cwnd : 4u * mss;
		return;
	}
	if (c->cfg->cc == TCP_CC_CUBIC && (k = tcp_cubic_of(c, t)) != NULL) {
		/* fast convergence (§4.7): a flow that lost below its last W_max yields more */
		k->wmax = t->cwnd < k->wmax ? (uint32_t)(((uint64_t)t->cwnd * 871) >> 10) :
							t->cwnd;
		ss = (uint32_t)(((uint64_t)flight * 717) >> 10);	/* beta = 0.7 (§4.6) */
		k->epoch = 0;
	} else {
		ss = flight >> 1;
	}
	t->ssthresh = ss > 2 * mss ? ss : 2 * mss;
}

/* One MSS more once `acked` bytes since the last increase reach cwnd * mss / d (no division). */
static bool
due(struct tcb *t, uint32_t acked, uint64_t d)
{
	t->cwnd_acc += acked;
	if ((uint64_t)t->cwnd_acc * d < (uint64_t)t->cwnd * t->snd_mss)
		return false;
	t->cwnd_acc = 0;
	return true;
}

static void
cubic_avoid(struct tcp_ctx *c, struct tcb *t, struct tcp_cubic *k, uint32_t acked)
{
	uint32_t mss = t->snd_mss, now = (uint32_t)(c->now >> 10);
	int64_t d, w;
	uint64_t target;

	if (k->epoch == 0) {
		/* a new epoch: K from how far below W_max we restart (§4.2) */
		k->epoch = now != 0 ? now : 1;	/* 0 means "no epoch" */
		k->west = t->cwnd;
		k->west_acc = 0;
		if (t->cwnd < k->wmax)
			k->k = icbrt((uint64_t)((k->wmax - t->cwnd) / mss) * 2328306437ULL);
		else {
			k->k = 0;
			k->wmax = t->cwnd;
		}
	}
	/* W_cubic(t + RTT) */
	d = (int64_t)(int32_t)(now - k->epoch);
	if (d < 0)
		d = 0;
	d += (int64_t)(t->srtt8 >> 13) - (int64_t)k->k;
	if (d > CUBIC_D_MAX)
		d = CUBIC_D_MAX;
	if (d < -CUBIC_D_MAX)
		d = -CUBIC_D_MAX;
	w = (int64_t)k->wmax + ((d * d * d * 945) >> 41) * (int64_t)mss;
	target = w < (int64_t)t->cwnd ? t->cwnd : (uint64_t)w;
	if (target > (uint64_t)t->cwnd + (t->cwnd >> 1))
		target = (uint64_t)t->cwnd + (t->cwnd >> 1);	/* at most 1.5 cwnd per RTT (§4.2) */
	/* Reno-friendly estimate (§4.3): alpha = 3 (1 - beta) / (1 + beta) ~ 0.53 MSS per RTT */
	k->west_acc += acked;
	if ((uint64_t)k->west_acc * 1024 >= (uint64_t)t->cwnd * 1936) {
		k->west_acc = 0;
		k->west += mss;
	}
	if (k->west > target) {
		if (due(t, acked, k->west - t->cwnd > 0 ? k->west - t->cwnd : 1))
			t->cwnd += mss;
		return;
	}
	if (target > t->cwnd) {
		if (due(t, acked, target - t->cwnd))
			t->cwnd += mss;
	} else if (due(t, acked, (uint64_t)mss / 100 + 1)) {
		t->cwnd += mss;	/* on the plateau: barely (§4.2, "cwnd/100") */
	}
}

void
tcp_cc_avoid(struct tcp_ctx *c, struct tcb *t, uint32_t acked)
{
	struct tcp_cubic *k;

	if (c->cfg->cc == TCP_CC_CUBIC && (k = tcp_cubic_of(c, t)) != NULL) {
		cubic_avoid(c, t, k, acked);
		return;
	}
	/* NewReno: one SMSS per window, by byte counting (no division) */
	t->cwnd_acc += acked;
	if (t->cwnd_acc >= t->cwnd) {
		t->cwnd_acc -= t->cwnd;
		t->cwnd += t->snd_mss;
	}
}
