/* test_bbr.c - the model-based sender (--cc bbr) on a simulated path: a bottleneck of known rate, a 20 ms round trip, random loss; time as a variable. */
#include <string.h>

#include "harness.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"

#define S 1000000ULL
#define OWD_US 10000		/* one-way delay: a 20 ms round trip */
#define STEP_US 250		/* the simulation's clock step (the pacing wheel's tick) */

static struct harness H;

/* A one-queue path and a SACK receiver: segments leave the bottleneck at rate bytes/s and arrive
 * OWD_US later; every second arrival (and every one out of order) sends an ACK back. */
struct path {
	uint64_t rate;		/* bottleneck, bytes per second */
	uint64_t free_at;	/* when the bottleneck finishes what it holds */
	unsigned int loss_every;	/* drop every n-th segment (0: none) */
	unsigned int nsent;
	struct { uint64_t at; uint32_t s, e; } fly[4096];	/* in flight, by arrival time */
	unsigned int head, n;
	struct { uint64_t at; uint32_t ack; unsigned int nb; uint32_t b[3][2]; } acks[4096];
	unsigned int ahead, an;
	uint32_t rcv_nxt;	/* the receiver */
	uint32_t ooo[1024][2];
	unsigned int nooo, unacked;
	uint64_t delivered;	/* bytes the receiver took in order */
	uint64_t max_queue;	/* most bytes ever waiting at the bottleneck */
	uint64_t idle_us;	/* time the bottleneck had nothing to send */
	int jitter;
	uint32_t wnd;		/* the receiver's window in bytes (0: the largest) */
};

static struct path P;

static void
path_init(struct path *p, uint64_t rate, unsigned int loss_every, uint32_t rcv_nxt)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate;
	p->loss_every = loss_every;
	p->rcv_nxt = rcv_nxt;
}

/* What the core sent since the last call enters the bottleneck. */
static void
path_take(struct harness *h, struct path *p)
{
	for (unsigned int i = 0; i < h->q.n; i++) {
		const struct tcp_out *o = &h->q.d[i].o;
		uint64_t start;

		if (o->len == 0)
			continue;
		if (p->loss_every != 0 && ++p->nsent % p->loss_every == 0)
			continue;	/* lost before the bottleneck */
		start = p->free_at > h->c.now ? p->free_at : h->c.now;
		if ((p->free_at > h->c.now ? p->free_at - h->c.now : 0) * p->rate / S > p->max_queue)
			p->max_queue = (p->free_at - h->c.now) * p->rate / S;
		p->free_at = start + (uint64_t)o->len * S / p->rate;
		CU_ASSERT_FATAL(p->n < 4096);
		{ static uint32_t rs = 12345; rs = rs * 1103515245u + 12345u; uint64_t j = P.jitter ? (rs >> 8) % 2000 : 0; rs = rs * 1103515245u + 12345u; if (P.jitter && (rs >> 8) % 10 == 0) j += 2000;
		p->fly[(p->head + p->n) % 4096].at = p->free_at + OWD_US - 5000 * (P.jitter != 0) + j; }
		p->fly[(p->head + p->n) % 4096].s = o->seq;
		p->fly[(p->head + p->n) % 4096].e = o->seq + o->len;
		p->n++;
	}
	h_clear(h);
}

/* The receiver takes [s, e) and may answer. */
static void
receive(struct harness *h, struct path *p, uint32_t s, uint32_t e)
{
	bool in_order = !seq_gt(s, p->rcv_nxt), dup = !seq_gt(e, p->rcv_nxt);
	unsigned int k;

	for (k = 0; k < p->nooo && !dup; k++)
		dup = !seq_lt(s, p->ooo[k][0]) && !seq_gt(e, p->ooo[k][1]);
	if (dup) {	/* a copy: a D-SACK (RFC 2883) */
		unsigned int a = (p->ahead + p->an) % 4096;

		p->acks[a].at = h->c.now + OWD_US;
		p->acks[a].ack = p->rcv_nxt;
		p->acks[a].nb = 1;
		p->acks[a].b[0][0] = s;
		p->acks[a].b[0][1] = e;
		for (k = 0; k < p->nooo && k < 2; k++) {
			p->acks[a].b[k + 1][0] = p->ooo[p->nooo - 1 - k][0];
			p->acks[a].b[k + 1][1] = p->ooo[p->nooo - 1 - k][1];
			p->acks[a].nb++;
		}
		p->an++;
		return;
	}

	if (in_order) {
		if (seq_gt(e, p->rcv_nxt)) {
			p->delivered += e - p->rcv_nxt;
			p->rcv_nxt = e;
		}
		for (bool more = true; more;) {	/* absorb what is now contiguous */
			more = false;
			for (k = 0; k < p->nooo; k++)
				if (!seq_gt(p->ooo[k][0], p->rcv_nxt)) {
					if (seq_gt(p->ooo[k][1], p->rcv_nxt)) {
						p->delivered += p->ooo[k][1] - p->rcv_nxt;
						p->rcv_nxt = p->ooo[k][1];
					}
					memmove(&p->ooo[k], &p->ooo[k + 1],
						(p->nooo - k - 1) * sizeof(p->ooo[0]));
					p->nooo--;
					more = true;
					break;
				}
		}
	} else {
		/* merge with a touching block, or add one; the block just touched moves to the end
		 * (most recent): it is reported first (RFC 2018 §4) */
		for (k = 0; k < p->nooo; k++)
			if (!seq_gt(s, p->ooo[k][1]) && !seq_lt(e, p->ooo[k][0])) {
				if (seq_lt(p->ooo[k][0], s))
					s = p->ooo[k][0];
				if (seq_gt(p->ooo[k][1], e))
					e = p->ooo[k][1];
				memmove(&p->ooo[k], &p->ooo[k + 1],
					(p->nooo - k - 1) * sizeof(p->ooo[0]));
				p->nooo--;
				k--;	/* it may touch another too */
			}
		if (p->nooo < 1024) {
			p->ooo[p->nooo][0] = s;
			p->ooo[p->nooo][1] = e;
			p->nooo++;
		}
	}
	if (in_order && p->nooo == 0 && ++p->unacked < 2)
		return;		/* delayed: every second segment */
	p->unacked = 0;
	CU_ASSERT_FATAL(p->an < 4096);
	{
		unsigned int a = (p->ahead + p->an) % 4096;

		p->acks[a].at = h->c.now + OWD_US;
		p->acks[a].ack = p->rcv_nxt;
		p->acks[a].nb = p->nooo < 3 ? p->nooo : 3;
		for (k = 0; k < p->acks[a].nb; k++) {
			p->acks[a].b[k][0] = p->ooo[p->nooo - 1 - k][0];
			p->acks[a].b[k][1] = p->ooo[p->nooo - 1 - k][1];
		}
		p->an++;
	}
}

/* Run the path and the sender for @p us microseconds of simulated time. */
static void
run(struct harness *h, struct path *p, uint64_t us)
{
	uint64_t end = h->c.now + us;

	while (h->c.now < end) {
		if (p->free_at <= h->c.now)
			p->idle_us += STEP_US;	/* the bottleneck waits for the sender */
		h->c.now += STEP_US;
		for (unsigned int k = 0; k < p->n; k++) {
			unsigned int i = (p->head + k) % 4096;
			if (p->fly[i].at <= h->c.now && p->fly[i].at != 0) { receive(h, p, p->fly[i].s, p->fly[i].e); p->fly[i].at = 0; }
		}
		while (p->n > 0 && p->fly[p->head].at == 0) { p->head = (p->head + 1) % 4096; p->n--; }
		while (p->an > 0 && p->acks[p->ahead].at <= h->c.now) {
			struct tcp_seg s = h_seg(h, TCP_ACK, 1, 0, 0);
			struct tcp_rx rx;

			s.ack = p->acks[p->ahead].ack;
			s.wnd = p->wnd != 0 ? (uint16_t)(p->wnd >> h->t.snd_ws) : 65535;
			s.opts.present = p->acks[p->ahead].nb > 0 ? TCP_HAVE_SACK : 0;
			s.opts.nsack = (uint8_t)p->acks[p->ahead].nb;
			for (unsigned int k = 0; k < s.opts.nsack; k++) {
				s.opts.sack[k].left = p->acks[p->ahead].b[k][0];
				s.opts.sack[k].right = p->acks[p->ahead].b[k][1];
			}
			p->ahead = (p->ahead + 1) % 4096;
			p->an--;
			h_input(h, &s, &rx);
			path_take(h, p);
		}
		/* the runtime's timers: RTO / RACK / TLP, and the pacing wheel */
		h_advance(h, h->c.now);
		path_take(h, p);
		{
			struct tmr_link *due[8];

			if (tmr_wheel_expire(&h->c.pace_wheel, h->c.now, due, 8) > 0)
				while (tcp_output(&h->c, &h->t))
					path_take(h, p);
		}
		path_take(h, p);
	}
}

/* An ESTABLISHED --cc bbr connection with SACK, window scaling and a bulk of data queued. */
static void
bbr_conn(struct harness *h)
{
	h_init(h, 1 * S);
	h->cfg.cc = TCP_CC_BBR;
	h->cfg.features = TCB_OPT_SACK | TCB_OPT_WS;
	h->cfg.rto_min_us = 200000;
	h_establish_with(h, TCP_HAVE_SACK_PERM | TCP_HAVE_WSCALE);
	h->t.srtt8 = 20000u << 3;
	h->t.rttvar4 = 5000u << 2;
	h->t.rto_us = tcp_rto_base(&h->c, &h->t);
	tcp_send_queued(&h->t, 1u << 30);
	path_init(&P, 0, 0, h->t.snd_una);
}

static const struct tcp_bbr *
model(const struct harness *h)
{
	CU_ASSERT_FATAL(h->t.bbr != 0 && h->t.bbr <= 2);
	return &h->c.bbr_pool[h->t.bbr - 1];
}

/*
 * A 5 MB/s bottleneck, 20 ms: Startup doubles its way up, finds the plateau, drains, and then
 * cruises in ProbeBW with the bandwidth estimate near 5 MB/s, the window near two BDPs (100 KB
 * each) and the bottleneck's queue about one BDP - where a loss-based sender fills any buffer
 * (this one has no limit). Sends are paced, not bursts of a window.
 */
static void
bbr_finds_the_bottleneck_and_keeps_its_queue_small(void)
{
	struct harness *h = &H;
	const struct tcp_bbr *b;
	uint64_t rate = 5000000, bdp = rate * 20000 / S;

	bbr_conn(h);
	P.rate = rate;
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, 2 * S);
	b = model(h);
	CU_ASSERT_EQUAL(b->mode, BBR_PROBE_BW);
	CU_ASSERT(b->filled);
	CU_ASSERT(b->btl_bw > rate * 85 / 100 && b->btl_bw < rate * 115 / 100);
	CU_ASSERT(b->min_rtt >= 20000 && b->min_rtt < 22000);
	CU_ASSERT(h->t.cwnd > bdp && h->t.cwnd < 4 * bdp);
	CU_ASSERT(h->st.paced_waits > 0);
	P.max_queue = 0;
	P.idle_us = 0;
	run(h, &P, 1 * S);
	/* the second second: the bottleneck is kept busy (idle under 10 % of the time) and its
	 * queue is about one BDP at most (the window is two BDPs: ProbeBW's 1.25 phase queues,
	 * its 0.75 phase drains) */
	CU_ASSERT(P.idle_us < S / 10);
	CU_ASSERT(P.max_queue < bdp * 5 / 4);
	CU_ASSERT_EQUAL(h->st.retransmits, 0);
	h_finish(h);
}

/*
 * Random loss (one segment in 30) does not shrink BBR's window: recovery resends the holes and
 * the model still says 5 MB/s, so the bottleneck stays busy most of the time - a loss-based
 * sender at this loss rate is held to a few hundred KB/s (Mathis: 1.22 MSS / (RTT sqrt(p))).
 */
static void
bbr_keeps_its_rate_through_random_loss(void)
{
	struct harness *h = &H;
	uint64_t rate = 5000000;

	bbr_conn(h);
	P.rate = rate;
	P.loss_every = 30;
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, 2 * S);
	P.idle_us = 0;
	run(h, &P, 2 * S);
	CU_ASSERT(h->st.sack_recoveries > 10);
	CU_ASSERT(model(h)->btl_bw > rate * 70 / 100);
	CU_ASSERT(P.idle_us < 2 * S * 30 / 100);	/* busy 70 % of the time, losses and all */
	CU_ASSERT_EQUAL(h->st.bbr_fallbacks, 0);
	h_finish(h);
}

/*
 * A receiver whose window opens late (autotuning a round or two behind the sender): Startup's
 * first rounds are held to 30 KB per round trip by the receiver, not by the 5 MB/s path. Those
 * rounds do not count as "no more growth" - Startup goes on once the window opens and finds the
 * path within five round trips; ending Startup there left ProbeBW's +25 % per eight round trips
 * to climb from a third of the path.
 */
static void
bbr_startup_outlasts_a_small_receive_window(void)
{
	struct harness *h = &H;
	uint64_t rate = 5000000;

	bbr_conn(h);
	P.rate = rate;
	P.wnd = 30000;
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, 200000);		/* ten round trips behind the receiver's window */
	CU_ASSERT_FALSE(model(h)->filled);
	CU_ASSERT(model(h)->btl_bw < rate / 2);
	P.wnd = 0;			/* it opens */
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, 100000);		/* five round trips: Startup doubles up to the path */
	CU_ASSERT(model(h)->btl_bw > rate * 80 / 100);	/* (ended: 2.3 MB/s here, 5 at 250 ms) */
	h_finish(h);
}

/* Ten seconds without a lower RTT sample: ProbeRTT holds the window at four segments for 200 ms
 * and a round trip, then the window comes back. */
static void
bbr_probes_the_rtt_every_ten_seconds(void)
{
	struct harness *h = &H;
	uint32_t cwnd;

	bbr_conn(h);
	P.rate = 2000000;
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, 3 * S);
	cwnd = h->t.cwnd;
	CU_ASSERT_EQUAL(h->st.bbr_probe_rtt, 0);
	run(h, &P, 8 * S);
	CU_ASSERT(h->st.bbr_probe_rtt >= 1);
	CU_ASSERT(h->st.bbr_probe_rtt <= 2);
	CU_ASSERT_EQUAL(model(h)->mode, BBR_PROBE_BW);
	CU_ASSERT(h->t.cwnd >= cwnd / 2);
	h_finish(h);
}

/* The pool: a connection that finds none left stays with NewReno and says so; the model goes
 * back with the record. */
static void
bbr_pool_runs_out_gracefully(void)
{
	struct harness *h = &H;
	struct tcp_bbr *keep;

	bbr_conn(h);
	keep = h->c.bbr_free;
	h->c.bbr_free = NULL;			/* the worker's models all taken */
	P.rate = 2000000;
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, S / 10);
	CU_ASSERT_EQUAL(h->st.bbr_fallbacks, 1);
	CU_ASSERT_FALSE(tcp_bbr_active(&h->c, &h->t));
	CU_ASSERT(P.delivered > 0);		/* it still sends, by NewReno */
	tcp_abort(&h->c, &h->t);
	h->c.bbr_free = keep;
	h_no_leaks(h);
}

/*
 * Pacing lets at most BBR_PACE_SLACK_US (200 us) of the rate leave back to back: at 10 MB/s two
 * full segments, then the next waits on the wheel (64 us ticks) for its time. A millisecond of
 * slack let seven go at once and overflowed a shallow buffer in the test relay that Linux's
 * per-packet pacing never filled.
 */
static void
bbr_bursts_are_at_most_200_us_of_the_rate(void)
{
	struct harness *h = &H;
	struct tcp_bbr *b;
	unsigned int burst = 0;

	bbr_conn(h);
	P.rate = 5000000;
	tcp_output(&h->c, &h->t);
	path_take(h, &P);
	run(h, &P, S / 5);
	b = (struct tcp_bbr *)model(h);
	b->rate = 10000000;
	b->pace_next = h->c.now;
	while (burst < 100 && tcp_bbr_pace(&h->c, &h->t, 1448))
		burst++;
	CU_ASSERT_EQUAL(burst, 2);
	CU_ASSERT(tmr_armed(&b->pace));
	CU_ASSERT_EQUAL(BBR_PACE_SLACK_US, 200);
	CU_ASSERT_EQUAL(1u << BBR_PACE_TICK_SHIFT, 64);
	h_finish(h);
}

static const struct test_case cases[] = {
	TEST(bbr_finds_the_bottleneck_and_keeps_its_queue_small),
	TEST(bbr_keeps_its_rate_through_random_loss),
	TEST(bbr_startup_outlasts_a_small_receive_window),
	TEST(bbr_probes_the_rtt_every_ten_seconds),
	TEST(bbr_pool_runs_out_gracefully),
	TEST(bbr_bursts_are_at_most_200_us_of_the_rate),
	{ NULL, NULL },
};

int
suite_bbr(void)
{
	return add_suite("BBR (model-based sending, pacing)", cases);
}
