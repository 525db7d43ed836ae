/* bbr.c - BBR congestion control: the bottleneck bandwidth (max delivery rate over 10 round trips) and min-RTT (10 s) model, Startup/Drain/ProbeBW/ProbeRTT, the pacing rate and window they give, and pacing without a timer per packet. */
#include "bbr.h"

#include <stddef.h>
#include <string.h>

#include "seq.h"

#define HIGH_GAIN 739		/* 2 / ln 2 = 2.885: doubles the delivery rate each round */
#define DRAIN_GAIN 89		/* its inverse: empties the queue Startup built */
#define CWND_GAIN 512		/* ProbeBW's window: twice the estimated BDP */

/* ProbeBW's eight phases: probe for more bandwidth, drain what that queued, cruise. */
static const uint16_t cycle_gain[8] = { 320, 192, 256, 256, 256, 256, 256, 256 };

static struct tcp_bbr *
bbr_of(const struct tcp_ctx *c, const struct tcb *t)
{
	if (c->cfg->cc != TCP_CC_BBR || t->bbr == 0 || t->bbr == BBR_NONE)
		return NULL;
	return &c->bbr_pool[t->bbr - 1];
}

void
tcp_bbr_pool_init(struct tcp_ctx *c, struct tcp_bbr *pool, uint32_t n)
{
	c->bbr_pool = pool;
	c->bbr_free = NULL;
	for (uint32_t i = n; i-- > 0;) {
		pool[i].next_free = c->bbr_free;
		c->bbr_free = &pool[i];
	}
}

void
tcp_bbr_put(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_bbr *b = bbr_of(c, t);

	if (c->cfg->cc == TCP_CC_BBR)
		t->bbr = 0;
	if (b == NULL)
		return;
	tmr_wheel_cancel(&c->pace_wheel, &b->pace);
	b->owner = NULL;
	b->next_free = c->bbr_free;
	c->bbr_free = b;
}

struct tcb *
tcp_bbr_owner(struct tmr_link *l)
{
	return ((struct tcp_bbr *)((char *)l - offsetof(struct tcp_bbr, pace)))->owner;
}

/* The state for @p t, taken on its first ACK: the first window leaves at line rate, the model
 * starts from the handshake's RTT and Startup's gain over the initial window. */
static struct tcp_bbr *
bbr_take(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_bbr *b = c->bbr_free;
	uint32_t srtt = t->srtt8 >> 3;

	if (b == NULL) {
		t->bbr = BBR_NONE;
		c->st->bbr_fallbacks++;
		return NULL;
	}
	c->bbr_free = b->next_free;
	memset(b, 0, sizeof(*b));
	b->owner = t;
	t->bbr = (uint32_t)(b - c->bbr_pool) + 1;
	b->min_rtt = srtt;
	b->min_rtt_stamp = c->now;
	b->round_start = c->now;
	b->delivered_time = c->now;
	b->first_sent_time = c->now;
	b->pace_next = c->now;
	b->rate = (uint64_t)t->cwnd * 1000000 * HIGH_GAIN / BBR_UNIT / (srtt > 1000 ? srtt : 1000);
	return b;
}

static void
enter_probe_bw(struct tcp_ctx *c, struct tcp_bbr *b)
{
	b->mode = BBR_PROBE_BW;
	/* any phase but the draining one, so that flows do not probe in step */
	b->cycle = (uint8_t)((c->now >> 4) % 7);
	if (b->cycle >= 1)
		b->cycle++;
	b->cycle_stamp = c->now;
}

void
tcp_bbr_rtt(struct tcp_ctx *c, struct tcb *t, uint32_t rtt_us)
{
	struct tcp_bbr *b = bbr_of(c, t);
	bool expired;

	if (b == NULL)
		return;
	expired = c->now - b->min_rtt_stamp > BBR_MIN_RTT_US;
	if (b->min_rtt == 0 || rtt_us < b->min_rtt || expired) {
		b->min_rtt = rtt_us;
		b->min_rtt_stamp = c->now;
	}
	/* no sample lower in 10 s: drain the queue for a moment to see the path's own RTT */
	if (expired && b->mode != BBR_PROBE_RTT) {
		b->mode = BBR_PROBE_RTT;
		b->prior_cwnd = t->cwnd;
		b->probe_rtt_done = 0;
		c->st->bbr_probe_rtt++;
	}
}

void
tcp_bbr_sent(struct tcp_ctx *c, struct tcb *t, uint32_t end)
{
	struct tcp_bbr *b = bbr_of(c, t);
	struct bbr_sent *e;
	uint32_t now = (uint32_t)c->now;

	if (b == NULL)
		return;
	if (seq_gt(end + t->snd_mss, t->snd_una + t->snd_wnd))
		b->rwnd_limited = 1;	/* the receiver's window, not the path, bounds this round */
	if (t->snd_max == t->snd_una)	/* nothing in flight: the intervals start now */
		b->first_sent_time = b->delivered_time = c->now;
	if (b->sent_n > 0) {
		const struct bbr_sent *last = &b->sent[(b->sent_head + b->sent_n - 1) % BBR_SAMPLES];

		if (now - last->sent_time < b->min_rtt / 16)
			return;
	}
	if (b->sent_n == BBR_SAMPLES)
		return;		/* full: the ones in flight still make their samples */
	e = &b->sent[(b->sent_head + b->sent_n) % BBR_SAMPLES];
	b->sent_n++;
	e->end = end;
	e->delivered = (uint32_t)b->delivered;
	e->delivered_time = (uint32_t)b->delivered_time;
	e->first_sent_time = (uint32_t)b->first_sent_time;
	e->sent_time = now;
	/* the application had nothing more and the window had room: a rate limited by it */
	if (end == t->snd_end && t->snd_max - t->snd_una < t->cwnd)
		b->app_limited_until = b->delivered + (t->snd_max - t->snd_una) + 1;
	e->app_limited = b->app_limited_until != 0;
}

/* The newest remembered send that is delivered (below @p hi) gives a rate sample: what was
 * delivered since, over the longer of its send and ACK intervals; none shorter than min RTT.
 * A round trip ends when a send made after the round began is delivered (Linux's
 * next_rtt_delivered): by delivery counts, not sequence numbers, so resends do not confuse it. */
static bool
rate_sample(struct tcp_ctx *c, struct tcp_bbr *b, uint32_t hi)
{
	const struct bbr_sent *e = NULL;
	uint64_t interval, bw;
	uint32_t send_el, ack_el;
	bool round = false;

	while (b->sent_n > 0 && seq_le(b->sent[b->sent_head].end, hi)) {
		e = &b->sent[b->sent_head];
		b->sent_head = (uint8_t)((b->sent_head + 1) % BBR_SAMPLES);
		b->sent_n--;
	}
	if (e == NULL)
		return false;
	if ((int32_t)(e->delivered - (uint32_t)b->round_delivered) >= 0)
		round = true;
	b->first_sent_time = c->now - (uint32_t)((uint32_t)c->now - e->sent_time);
	send_el = e->sent_time - e->first_sent_time;
	ack_el = (uint32_t)b->delivered_time - e->delivered_time;
	interval = send_el > ack_el ? send_el : ack_el;
	if (interval == 0 || interval < b->min_rtt)
		return round;
	bw = (uint64_t)((uint32_t)b->delivered - e->delivered) * 1000000 / interval;
	/* an application-limited sample says little: only a rate above the estimate counts */
	if (e->app_limited && bw < b->btl_bw)
		return round;
	b->sampled = 1;
	if (bw > b->bw[b->rounds % BBR_BW_ROUNDS])
		b->bw[b->rounds % BBR_BW_ROUNDS] = bw;
	if (bw > b->btl_bw)
		b->btl_bw = bw;
	return round;
}

/* The bandwidth filter keeps the best sample of each of the last BBR_BW_ROUNDS rounds. */
static bool
round_update(struct tcp_ctx *c, struct tcb *t, struct tcp_bbr *b, uint32_t hi)
{
	uint64_t bw;

	if (seq_lt(hi, t->snd_una))
		hi = t->snd_una;
	if (!rate_sample(c, b, hi))
		return false;
	b->rounds++;
	b->bw[b->rounds % BBR_BW_ROUNDS] = 0;	/* the oldest round leaves the filter */
	bw = 0;
	for (unsigned int k = 0; k < BBR_BW_ROUNDS; k++)
		if (b->bw[k] > bw)
			bw = b->bw[k];
	if (bw != 0)
		b->btl_bw = bw;		/* (ten rounds without a sample keep the estimate) */
	b->round_start = c->now;
	b->round_delivered = b->delivered;
	b->app_limited = b->app_limited_until != 0;
	b->round_sampled = b->sampled;
	b->sampled = 0;
	b->round_rwnd = b->rwnd_limited;
	b->rwnd_limited = 0;
	return true;
}

/* Bytes acknowledged beyond what the estimated bandwidth explains since the epoch began: the
 * window keeps that much more in flight, up to 100 ms of the bandwidth. */
static void
ack_aggregation(struct tcp_ctx *c, struct tcp_bbr *b, uint32_t delivered, bool round)
{
	uint64_t expected, extra, cap = b->btl_bw / 10;

	if (round && b->rounds % 5 == 0) {
		b->extra_slot ^= 1;
		b->extra_acked[b->extra_slot] = 0;
	}
	expected = b->btl_bw * (c->now - b->ack_epoch_start) / 1000000;
	if (b->ack_epoch_acked <= expected || b->ack_epoch_acked + delivered >= (1u << 30)) {
		b->ack_epoch_start = c->now;	/* back on the bandwidth's pace: a new epoch */
		b->ack_epoch_acked = 0;
		expected = 0;
	}
	b->ack_epoch_acked += delivered;
	extra = b->ack_epoch_acked - expected;
	if (extra > cap)
		extra = cap;
	if (extra > b->extra_acked[b->extra_slot])
		b->extra_acked[b->extra_slot] = (uint32_t)extra;
}

/* Startup ends when three rounds in a row grew the bandwidth by less than 25 %; Drain when the
 * flight is down to one BDP; ProbeBW moves through its phases one min RTT each; ProbeRTT holds
 * four segments for 200 ms and a round trip. */
static void
mode_update(struct tcp_ctx *c, struct tcb *t, struct tcp_bbr *b, bool round, uint32_t inflight,
	    uint64_t bdp)
{
	/* (a round without a sample - all of it spent repairing losses - tells nothing; nor does
	 * one the receiver's window held back: early in a transfer the peer's autotuning opens it
	 * a round or two behind, and three such rounds ended Startup at a fraction of the path) */
	if (round && !b->filled && b->round_sampled) {
		if (b->btl_bw >= b->full_bw * 5 / 4) {
			b->full_bw = b->btl_bw;
			b->full_cnt = 0;
		} else if (!b->app_limited && !b->round_rwnd && ++b->full_cnt >= 3) {
			b->filled = 1;
			b->mode = BBR_DRAIN;
		}
	}
	if (b->mode == BBR_DRAIN && inflight <= bdp)
		enter_probe_bw(c, b);
	if (b->mode == BBR_PROBE_BW) {
		uint16_t g = cycle_gain[b->cycle];
		bool full = c->now - b->cycle_stamp > b->min_rtt;
		bool next = g > BBR_UNIT ? full && inflight >= bdp * g / BBR_UNIT :
			    g < BBR_UNIT ? full || inflight <= bdp : full;

		if (next) {
			b->cycle = (uint8_t)((b->cycle + 1) % 8);
			b->cycle_stamp = c->now;
		}
	}
	if (b->mode == BBR_PROBE_RTT) {
		if (b->probe_rtt_done == 0 && inflight <= 4u * t->snd_mss) {
			b->probe_rtt_done = c->now + BBR_PROBE_RTT_US;
			b->probe_rtt_round = 0;
			b->round_delivered = b->delivered;	/* and a round trip from now */
		} else if (b->probe_rtt_done != 0) {
			if (round)
				b->probe_rtt_round = 1;
			if (b->probe_rtt_round && c->now >= b->probe_rtt_done) {
				b->min_rtt_stamp = c->now;
				if (t->cwnd < b->prior_cwnd)
					t->cwnd = b->prior_cwnd;
				if (b->filled)
					enter_probe_bw(c, b);
				else
					b->mode = BBR_STARTUP;
			}
		}
	}
}

void
tcp_bbr_ack(struct tcp_ctx *c, struct tcb *t, uint32_t delivered, uint32_t inflight,
	    uint32_t hi)
{
	struct tcp_bbr *b;
	uint32_t mss = t->snd_mss, gain;
	uint64_t bdp, target, rate;
	bool round;

	if (c->cfg->cc != TCP_CC_BBR || t->bbr == BBR_NONE || delivered == 0 ||
	    (t->bbr == 0 && t->snd_max == t->iss + 1))
		return;		/* (a handshake's ACK: only connections that send take a model) */
	b = t->bbr != 0 ? &c->bbr_pool[t->bbr - 1] : bbr_take(c, t);
	if (b == NULL)
		return;
	b->delivered += delivered;
	b->delivered_time = c->now;
	if (b->app_limited_until != 0 && b->delivered > b->app_limited_until)
		b->app_limited_until = 0;
	round = round_update(c, t, b, hi);
	ack_aggregation(c, b, delivered, round);
	bdp = b->btl_bw * b->min_rtt / 1000000;
	mode_update(c, t, b, round, inflight, bdp);
	gain = b->mode == BBR_STARTUP ? HIGH_GAIN : b->mode == BBR_DRAIN ? DRAIN_GAIN :
	       b->mode == BBR_PROBE_BW ? cycle_gain[b->cycle] : BBR_UNIT;
	if (b->btl_bw > 0) {
		rate = b->btl_bw * gain / BBR_UNIT;
		if (b->filled || rate > b->rate)	/* Startup never slows down */
			b->rate = rate;
	}
	/* Loss recovery: for its first round only what was delivered goes out again (packet
	 * conservation), then the model's window as before; afterwards the window from before
	 * recovery is back. BBR does not read loss as congestion. */
	if ((t->flags & TCB_RECOVERY) && !b->in_recovery) {
		b->in_recovery = 1;
		b->recovery_cwnd = t->cwnd;
		b->conserve_until = b->rounds + 1;
		t->cwnd = inflight + delivered;
	} else if (!(t->flags & TCB_RECOVERY) && b->in_recovery) {
		b->in_recovery = 0;
		if (t->cwnd < b->recovery_cwnd)
			t->cwnd = b->recovery_cwnd;
	}
	if (b->in_recovery && b->rounds < b->conserve_until) {
		if (t->cwnd < inflight + delivered)
			t->cwnd = inflight + delivered;
	} else if (b->btl_bw == 0 || b->min_rtt == 0) {
		t->cwnd += delivered;			/* no model yet: slow start */
	} else {
		target = bdp * (b->filled && b->mode != BBR_DRAIN ? CWND_GAIN : HIGH_GAIN) /
			 BBR_UNIT + 3u * mss;		/* + room for delayed, stretched ACKs */
		if (b->filled)
			target += b->extra_acked[0] > b->extra_acked[1] ? b->extra_acked[0] :
									  b->extra_acked[1];
		if (target > (1u << 30))
			target = 1u << 30;
		if (b->filled)
			t->cwnd = t->cwnd + delivered < target ? t->cwnd + delivered : (uint32_t)target;
		else if (t->cwnd < target)
			t->cwnd += delivered;
	}
	if (t->cwnd < 4 * mss)
		t->cwnd = 4 * mss;
	if (b->mode == BBR_PROBE_RTT && t->cwnd > 4 * mss)
		t->cwnd = 4 * mss;
	if (t->cwnd > (1u << 30))
		t->cwnd = 1u << 30;
}

bool
tcp_bbr_pace(struct tcp_ctx *c, struct tcb *t, uint32_t len)
{
	struct tcp_bbr *b = bbr_of(c, t);

	if (b == NULL || b->rate == 0)
		return true;
	if (b->pace_next > c->now + BBR_PACE_SLACK_US) {
		if (!tmr_armed(&b->pace)) {
			c->st->paced_waits++;
			tmr_wheel_arm(&c->pace_wheel, &b->pace, b->pace_next - BBR_PACE_SLACK_US);
		}
		return false;
	}
	if (b->pace_next < c->now)
		b->pace_next = c->now;		/* credit does not pile up while idle */
	b->pace_next += (uint64_t)len * 1000000 / b->rate;
	return true;
}
