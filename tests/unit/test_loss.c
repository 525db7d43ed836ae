/* test_loss.c - loss and reordering with time as a variable: reassembly, SACK, NewReno, CUBIC, delayed ACK. */
#include <string.h>

#include "harness.h"
#include "reasm.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"
#include "tw.h"

#define S 1000000ULL	/* one second in microseconds */
#define MS 1000ULL

static struct harness H;

#define PKT(i) h_pkt(i)

static unsigned int released;

static void
count_release(void *pkt)
{
	(void)pkt;
	released++;
}

static void
reasm_queue_stays_disjoint_and_sorted(void)
{
	struct reasm r = { 0 };
	struct reasm_seg out;
	struct tcp_opts o;
	unsigned int n = 0;

	released = 0;
	CU_ASSERT_EQUAL(reasm_add(&r, 3000, 1000, 0, PKT(1), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, 1000, 1000, 0, PKT(2), count_release, &n), REASM_HELD);
	/* overlapping both ends: only [2000, 3000) is new */
	CU_ASSERT_EQUAL(reasm_add(&r, 1500, 2000, 0, PKT(3), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(r.n, 3);
	CU_ASSERT_EQUAL(r.seg[r.head + 1].seq, 2000);
	CU_ASSERT_EQUAL(r.seg[r.head + 1].len, 1000);
	CU_ASSERT_EQUAL(r.seg[r.head + 1].off, 500);	/* the payload offset moved with the trim */
	CU_ASSERT_EQUAL(reasm_add(&r, 1200, 300, 0, PKT(4), count_release, &n), REASM_DUP);
	/* across the seam of two adjacent held segments: nothing new, nothing empty held (the
	 * fuzzer's find: a zero-length entry) */
	CU_ASSERT_EQUAL(reasm_add(&r, 1800, 400, 0, PKT(4), count_release, &n), REASM_DUP);
	CU_ASSERT_EQUAL(reasm_add(&r, 2500, 1000, 0, PKT(4), count_release, &n), REASM_DUP);
	CU_ASSERT_EQUAL(r.n, 3);
	/* one block [1000, 4000) plus [6000, 6100), the most recent first */
	CU_ASSERT_EQUAL(reasm_add(&r, 6000, 100, 0, PKT(5), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_sack(&r, &o, 3), 2);
	CU_ASSERT_EQUAL(o.sack[0].left, 6000);
	CU_ASSERT_EQUAL(o.sack[1].left, 1000);
	CU_ASSERT_EQUAL(o.sack[1].right, 4000);
	/* a segment covering held ones replaces them */
	CU_ASSERT_EQUAL(reasm_add(&r, 5000, 2000, 0, PKT(6), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(released, 1);
	CU_ASSERT_EQUAL(r.n, 4);
	/* pop trims what the receive point already passed and frees what it covered */
	CU_ASSERT_TRUE(reasm_pop(&r, 1100, &out, count_release, &n));
	CU_ASSERT_EQUAL(out.seq, 1100);
	CU_ASSERT_EQUAL(out.len, 900);
	CU_ASSERT_EQUAL(out.off, 100);
	CU_ASSERT_FALSE(reasm_pop(&r, 4500, &out, count_release, &n));	/* a hole at 4500 */
	CU_ASSERT_EQUAL(released, 3);		/* but [2000, 4000) was covered and is freed */
	CU_ASSERT_TRUE(reasm_pop(&r, 5000, &out, count_release, &n));
	CU_ASSERT_EQUAL(out.pkt, PKT(6));
	CU_ASSERT_EQUAL(out.seq, 5000);
	CU_ASSERT_FALSE(reasm_pop(&r, 5000, &out, count_release, &n));
	CU_ASSERT_EQUAL(r.n, 0);
	/* wraps around 2^32 like any sequence arithmetic */
	CU_ASSERT_EQUAL(reasm_add(&r, 0xffffff00u, 0x200, 0, PKT(7), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, 0x80, 0x100, 0, PKT(8), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(r.seg[r.head + 1].seq, 0x100);
	CU_ASSERT_EQUAL(r.seg[r.head + 1].len, 0x80);
	/* full at REASM_SEGS */
	reasm_purge(&r, count_release);
	for (unsigned int i = 0; i < REASM_SEGS; i++)
		CU_ASSERT_EQUAL(reasm_add(&r, 100 * i, 10, 0, PKT(i), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, 100000, 10, 0, PKT(40), count_release, &n), REASM_FULL);
	CU_ASSERT_EQUAL(reasm_purge(&r, count_release), REASM_SEGS);
}

static void
out_of_order_data_is_held_then_delivered_in_order(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx, hrx;
	struct tcp_opts o;
	void *p;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_SACK;
	h_establish_with(h, TCP_HAVE_SACK_PERM);
	CU_ASSERT(h->t.opt & TCB_OPT_SACK);
	s = h_data_seg(h, 1001, 1000, 1);		/* bytes 1..1000 were lost */
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	CU_ASSERT_FALSE(rx.events & TCP_EV_DATA);
	CU_ASSERT_EQUAL(h->st.ooo_held, 1);
	CU_ASSERT_EQUAL(h->q.n, 1);		/* an immediate duplicate ACK with a SACK block */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[0].o.opt, h->q.d[0].o.optlen, &o), 0);
	CU_ASSERT_EQUAL(o.nsack, 1);
	CU_ASSERT_EQUAL(o.sack[0].left - h->peer_iss, 1001);
	CU_ASSERT_EQUAL(o.sack[0].right - h->peer_iss, 2001);
	h_clear(h);
	s = h_data_seg(h, 2001, 1000, 2);
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[0].o.opt, h->q.d[0].o.optlen, &o), 0);
	CU_ASSERT_EQUAL(o.nsack, 1);		/* adjacent segments are one block */
	CU_ASSERT_EQUAL(o.sack[0].right - h->peer_iss, 3001);
	h_clear(h);
	/* the hole fills: its own data first, then the held segments in order */
	s = h_data_seg(h, 1, 1000, 3);
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_DATA);
	CU_ASSERT_EQUAL(rx.data_len, 1000);
	CU_ASSERT_TRUE(tcp_reasm_next(&h->c, &h->t, &hrx, &p));
	CU_ASSERT_PTR_EQUAL(p, PKT(1));
	CU_ASSERT_EQUAL(hrx.data_off, 54);
	CU_ASSERT_EQUAL(hrx.data_len, 1000);
	CU_ASSERT_TRUE(tcp_reasm_next(&h->c, &h->t, &hrx, &p));
	CU_ASSERT_PTR_EQUAL(p, PKT(2));
	CU_ASSERT_FALSE(tcp_reasm_next(&h->c, &h->t, &hrx, &p));
	CU_ASSERT_EQUAL(h->t.rcv_nxt, h->peer_iss + 3001);
	CU_ASSERT_EQUAL(h->t.rq, 0);		/* the queue went back to the pool */
	CU_ASSERT_EQUAL(h->st.ooo_delivered, 2);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 3001, 0);	/* at once, no SACK block left */
	CU_ASSERT_EQUAL(h->q.d[0].o.optlen, 0);
	CU_ASSERT_EQUAL(h_pkts_freed, 0);	/* delivered packets are the runtime's to free */
	h_finish(h);
}

static void
out_of_order_fin_closes_when_the_hole_fills(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx, hrx;
	void *p;

	h_established(h, 1 * S);
	s = h_data_seg(h, 101, 100, 1);
	s.flags |= TCP_FIN;
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	s = h_data_seg(h, 1, 100, 2);
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_TRUE(tcp_reasm_next(&h->c, &h->t, &hrx, &p));
	CU_ASSERT(hrx.events & TCP_EV_PEER_FIN);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	CU_ASSERT_EQUAL(h->t.rcv_nxt, h->peer_iss + 202);
	h_finish(h);
}

static void
reassembly_is_bounded_per_connection_and_per_worker(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	unsigned int held = 0;

	h_established(h, 1 * S);
	h->cfg.reasm_max_pkts = 2 * REASM_SEGS;	/* (the worker's cap further down) */
	/* one connection holds at most REASM_SEGS segments, whatever the peer sends (tiny ones
	 * here, all within the window) */
	for (unsigned int i = 0; i < REASM_SEGS + 8; i++) {
		s = h_data_seg(h, 1 + 3 * (i + 1), 2, i % 64);
		h_clear(h);
		h_input(h, &s, &rx);
		if (rx.events & TCP_EV_HELD)
			held++;
		else
			CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_OOO_LIMIT);
	}
	CU_ASSERT_EQUAL(held, REASM_SEGS);
	CU_ASSERT_EQUAL(h->st.ooo_held, REASM_SEGS);
	/* the same bytes again: already held, nothing more kept */
	s = h_data_seg(h, 4, 2, 50);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_OOO_DUP);
	/* closing releases everything held */
	h_finish(h);
	CU_ASSERT_EQUAL(h_pkts_freed, REASM_SEGS);

	/* the worker-wide cap binds before the per-connection one */
	h_established(h, 1 * S);
	h->cfg.reasm_max_pkts = 5;
	held = 0;
	for (unsigned int i = 0; i < 10; i++) {
		s = h_data_seg(h, 1 + 100 * (i + 1), 10, i);
		h_input(h, &s, &rx);
		if (rx.events & TCP_EV_HELD)
			held++;
		else
			CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_OOO_LIMIT);
	}
	CU_ASSERT_EQUAL(held, 5);
	h_finish(h);
	CU_ASSERT_EQUAL(h_pkts_freed, 5);
}

static void
initial_window_is_ten_segments(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_established(h, 1 * S);		/* MSS 1400: IW = min(14000, max(2800, 14600)) */
	CU_ASSERT_EQUAL(h->t.cwnd, 14000);
	h_send_segments(h, 30);
	CU_ASSERT_EQUAL(h->q.n, 10);
	h_clear(h);
	/* slow start: each ACK of two segments opens two more (appropriate byte counting, L=2) */
	s = h_seg(h, TCP_ACK, 1, 1 + 2800, 0);
	s.wnd = 0xffff;
	h->t.snd_wnd = 1u << 20;
	tcp_input(&h->c, &h->t, &s, &(struct tcp_rx){ 0 });
	h->t.snd_wnd = 1u << 20;
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.cwnd, 14000 + 2800);
	CU_ASSERT_EQUAL(h->q.n, 4);
	h_finish(h);
}

/* A duplicate ACK for @p rel_ack, as the peer sends for each segment beyond a hole. */
static void
dup_ack(struct harness *h, uint32_t rel_ack)
{
	struct tcp_seg s = h_seg(h, TCP_ACK, 1, rel_ack, 0);
	struct tcp_rx rx;

	tcp_input(&h->c, &h->t, &s, &rx);
	tcp_output(&h->c, &h->t);
}

static void
three_dup_acks_fast_retransmit_then_newreno_recovers(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t mss;

	h_established(h, 1 * S);
	mss = h->t.snd_mss;
	h->t.snd_wnd = 65535;
	tcp_send_queued(&h->t, 20 * mss);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 10);		/* IW10; segments 1 and 4 are "lost" */
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 1, 0);		/* keeps the window as it is */
	s.wnd = 65535;
	dup_ack(h, 1);
	dup_ack(h, 1);
	/* two duplicates are not yet a loss; limited transmit (RFC 3042) sends one new segment
	 * for each, so that a small window can still produce the third duplicate */
	CU_ASSERT_EQUAL(h->st.fast_retransmits, 0);
	CU_ASSERT_EQUAL(h->q.n, 2);
	EXPECT_OUT(h, 0, TCP_ACK, 1 + 10 * mss, 1, mss);
	EXPECT_OUT(h, 1, TCP_ACK, 1 + 11 * mss, 1, mss);
	h_clear(h);
	dup_ack(h, 1);
	CU_ASSERT_EQUAL(h->st.fast_retransmits, 1);
	CU_ASSERT_EQUAL(h->st.cc_recoveries, 1);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, mss);	/* the first segment again */
	CU_ASSERT_EQUAL(h->t.ssthresh, 6 * mss);	/* half of the twelve in flight */
	CU_ASSERT_EQUAL(h->t.cwnd, 9 * mss);	/* ssthresh + 3 */
	h_clear(h);
	/* more duplicates inflate the window; once it passes the flight, new data goes */
	for (unsigned int i = 0; i < 4; i++)
		dup_ack(h, 1);
	CU_ASSERT_EQUAL(h->t.cwnd, 13 * mss);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1 + 12 * mss, 1, mss);
	h_clear(h);
	/* partial ACK: up to segment 4, which was lost too: resent at once, still recovering */
	s = h_seg(h, TCP_ACK, 1, 1 + 3 * mss, 0);
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_EQUAL(h->q.n, 1);		/* input itself decides the retransmission */
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->st.partial_acks, 1);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	EXPECT_OUT(h, 0, TCP_ACK, 1 + 3 * mss, 1, mss);
	CU_ASSERT_EQUAL(h->t.cwnd, 11 * mss);	/* 13 - 3 acked + 1 */
	EXPECT_OUT(h, 1, TCP_ACK, 1 + 13 * mss, 1, mss);	/* and the window has room for one */
	h_clear(h);
	/* full ACK of everything sent before recovery began: recovery ends, window deflates */
	s = h_seg(h, TCP_ACK, 1, 1 + 12 * mss, 0);
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->t.cwnd, 3 * mss);	/* min(ssthresh, flight (two segments) + MSS) */
	CU_ASSERT_EQUAL(h->st.retransmits, 2);
	h_finish(h);
}

static void
rto_restarts_from_one_segment(void)
{
	struct harness *h = &H;
	uint32_t mss;

	h_established(h, 1 * S);
	mss = h->t.snd_mss;
	h_send_segments(h, 10);
	h_clear(h);
	h_advance(h, 2 * S + 10 * MS);		/* initial RTO 1 s, no RTT sample yet */
	CU_ASSERT_EQUAL(h->st.rto_expiries, 1);
	CU_ASSERT_EQUAL(h->t.cwnd, mss);
	CU_ASSERT_EQUAL(h->t.ssthresh, 5 * mss);
	CU_ASSERT_EQUAL(h->q.n, 1);		/* go-back-N, one segment at a time */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, mss);
	h_finish(h);
}

static void
delayed_ack_every_second_segment_or_timer(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_init(h, 1 * S);
	h->cfg.delack_us = 40 * MS;
	h_establish(h);
	s = h_data_seg(h, 1, 100, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->q.n, 0);		/* owed, not sent */
	CU_ASSERT(h->t.flags & TCB_DACK);
	s = h_data_seg(h, 101, 100, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->q.n, 1);		/* the second segment is ACKed at once */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 201, 0);
	h_clear(h);
	s = h_data_seg(h, 201, 100, 0);
	h_input(h, &s, NULL);
	h->c.now += 39 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h->c.now += 1 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->q.n, 1);		/* the timer, 40 ms after the segment */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 301, 0);
	CU_ASSERT_EQUAL(h->st.delayed_acks, 1);
	h_clear(h);
	/* data of ours carries the owed ACK; the timer then finds nothing to do */
	s = h_data_seg(h, 301, 100, 0);
	h_input(h, &s, NULL);
	tcp_send_queued(&h->t, 10);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 401, 10);
	h->c.now += 100 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->q.n, 1);
	CU_ASSERT_EQUAL(h->st.delayed_acks, 1);
	h_finish(h);
}

/* One window's worth of ACKs of one MSS each, every RTT, for @p secs; cwnd sampled each second. */
static void
cubic_run(struct harness *h, uint32_t rtt_ms, unsigned int secs, uint32_t *at)
{
	uint32_t mss = h->t.snd_mss;

	for (unsigned int step = 0; step < secs * 1000 / rtt_ms; step++) {
		uint32_t n = h->t.cwnd / mss;

		for (uint32_t k = 0; k < n; k++)
			tcp_cc_avoid(&h->c, &h->t, mss);
		h->c.now += rtt_ms * MS;
		if ((step + 1) % (1000 / rtt_ms) == 0)
			at[(step + 1) / (1000 / rtt_ms)] = h->t.cwnd / mss;
	}
}

/* With the worker's CUBIC states all taken, a connection responds to loss as NewReno does,
 * counted once; it keeps no state, and the pool is whole again afterwards. */
static void
cubic_without_a_state_left_responds_as_newreno(void)
{
	struct harness *h = &H;
	uint32_t mss, free1;

	h_init(h, 1 * S);
	h->cfg.cc = TCP_CC_CUBIC;
	h_establish(h);
	mss = h->t.snd_mss;
	free1 = h->c.cubic_free;
	h->c.cubic_free = 0;				/* every state taken by others */
	h->t.cwnd = 100 * mss;
	h->t.snd_max = h->t.snd_una + 100 * mss;
	tcp_cc_loss(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.ssthresh, 50 * mss);	/* half, not 0.7 */
	CU_ASSERT_EQUAL(h->t.cubic, CUBIC_NONE);
	CU_ASSERT_EQUAL(h->st.cubic_fallbacks, 1);
	h->c.cubic_free = free1;			/* a state is free again: not taken now */
	tcp_cc_loss(&h->c, &h->t);
	tcp_cc_avoid(&h->c, &h->t, mss);
	CU_ASSERT_EQUAL(h->t.cubic, CUBIC_NONE);
	CU_ASSERT_EQUAL(h->st.cubic_fallbacks, 1);
	h->t.snd_max = h->t.snd_una;
	h_finish(h);
}

static void
cubic_reduces_by_beta_and_regrows_around_w_max(void)
{
	struct harness *h = &H;
	uint32_t mss, at[16] = { 0 };

	h_init(h, 1 * S);
	h->cfg.cc = TCP_CC_CUBIC;
	h_establish(h);
	mss = h->t.snd_mss;
	/* a loss with 1000 segments in flight */
	h->t.cwnd = 1000 * mss;
	h->t.snd_max = h->t.snd_una + 1000 * mss;
	tcp_cc_loss(&h->c, &h->t);
	CU_ASSERT(h->t.ssthresh >= 699 * mss && h->t.ssthresh <= 701 * mss);	/* beta = 0.7 */
	CU_ASSERT_EQUAL(h->t.cubic, 1);			/* taken at the first reduction */
	CU_ASSERT_EQUAL(tcp_cubic_of(&h->c, &h->t)->wmax, 1000 * mss);
	h->t.snd_max = h->t.snd_una;
	h->t.cwnd = h->t.ssthresh;
	h->t.srtt8 = 100 * MS * 8;
	cubic_run(h, 100, 15, at);
	/* K = cbrt(300 / 0.4) = 9.1 s: concave up to W_max, flat near it, convex beyond */
	CU_ASSERT(at[2] > 760 && at[2] < 900);
	CU_ASSERT(at[9] >= 980 && at[9] <= 1010);
	CU_ASSERT(at[15] > 1050);
	CU_ASSERT(at[5] - at[3] > at[9] - at[7]);	/* slowing down towards W_max */
	/* a second loss below W_max: fast convergence remembers less */
	h->t.cwnd = 900 * mss;
	h->t.snd_max = h->t.snd_una + 900 * mss;
	tcp_cubic_of(&h->c, &h->t)->wmax = 1000 * mss;
	tcp_cc_loss(&h->c, &h->t);
	CU_ASSERT(tcp_cubic_of(&h->c, &h->t)->wmax < 900 * mss &&
		  tcp_cubic_of(&h->c, &h->t)->wmax > 760 * mss);	/* 0.85 x 900 */
	h->t.snd_max = h->t.snd_una;
	h_finish(h);

	/* NewReno for comparison: half the flight, one segment per RTT */
	h_established(h, 1 * S);
	h->t.cwnd = 100 * h->t.snd_mss;
	h->t.snd_max = h->t.snd_una + 100 * h->t.snd_mss;
	tcp_cc_loss(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.ssthresh, 50 * h->t.snd_mss);
	h->t.snd_max = h->t.snd_una;
	h->t.cwnd = h->t.ssthresh;
	cubic_run(h, 100, 2, at);
	CU_ASSERT_EQUAL(at[2], 70);		/* +1 segment per RTT over 20 RTTs */
	h_finish(h);
}

/*
 * A reader that keeps up (the window reopens fully after every segment) still gets delayed
 * ACKs: one per two full segments, not a window update per segment. A window the reader let
 * close is announced at once when it reopens.
 */
static void
full_segments_are_acked_every_second_one(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	unsigned int acks = 0;

	h_init(h, 1 * S);
	h->cfg.delack_us = 40 * MS;
	h_establish(h);
	for (uint32_t i = 0; i < 8; i++) {
		s = h_data_seg(h, 1 + i * 1460, 1460, 0);
		h_input(h, &s, NULL);
		acks += h->q.n;
		h_clear(h);
	}
	CU_ASSERT_EQUAL(acks, 4);
	/* the reader stalls: the runtime keeps what arrives for it, so its room shrinks by what it
	 * holds, while the peer fills what was announced */
	while (h->t.rcv_nxt != h->t.rcv_adv) {
		uint32_t left = h->t.rcv_adv - h->t.rcv_nxt, n = left < 1460 ? left : 1460;
		struct tcp_rx rx;

		h->t.rcv_wnd = left;
		s = h_data_seg(h, h->t.rcv_nxt - h->t.irs, n, 0);
		tcp_input(&h->c, &h->t, &s, &rx);
		CU_ASSERT_EQUAL_FATAL(rx.data_len, n);
		h->t.rcv_wnd = left - n;	/* held for the reader: the room shrinks by it */
		tcp_output(&h->c, &h->t);
	}
	h_clear(h);
	h->t.rcv_wnd = 65535;		/* it reads everything: announce the reopened window now */
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, h->t.rcv_nxt - h->t.irs, 0);
	CU_ASSERT(h->q.n == 1 && h->q.d[0].o.wnd > 0);
	h_finish(h);
}

/* The runtime can take less than the window announced (an application that does not read, a
 * worker whose holding for readers is full): what lies beyond its room is refused like a loss
 * (not acknowledged, counted), and the announced window is not taken back. */
static void
data_beyond_the_runtimes_room_is_refused_not_acked(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t adv;

	h_established(h, 1 * S);
	adv = h->t.rcv_adv;
	h->t.rcv_wnd = 1000;
	s = h_data_seg(h, 1, 1460, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 1000);			/* the room's worth */
	CU_ASSERT_EQUAL(h->t.rcv_nxt - h->t.irs, 1001);
	CU_ASSERT(h->q.n >= 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1001, 0);		/* at once: part of it was not taken */
	CU_ASSERT(seq_ge(h->t.rcv_adv, adv));		/* the right edge never moves left */
	h_clear(h);
	h->t.rcv_wnd = 0;
	s = h_data_seg(h, 1001, 460, 1);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_RCV_FULL);
	CU_ASSERT_FALSE(rx.events & TCP_EV_DATA);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1001, 0);
	h_clear(h);
	/* out of order beyond the room: not held either */
	s = h_data_seg(h, 3001, 100, 2);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_RCV_FULL);
	CU_ASSERT_FALSE(rx.events & TCP_EV_HELD);
	CU_ASSERT_EQUAL(h->t.rq, 0);
	h_finish(h);
}

/* The runtime could not keep data that came with a FIN: both are taken back, the state the FIN
 * entered is left as if never entered, and what was kept is ACKed at once. */
static void
data_and_fin_can_be_taken_back(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint64_t cw_enter;

	h_established(h, 1 * S);
	cw_enter = h->st.state_enter[TCP_CLOSE_WAIT];
	s = h_data_seg(h, 1, 100, 0);
	s.flags |= TCP_FIN;
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_DATA);
	CU_ASSERT(rx.events & TCP_EV_PEER_FIN);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	/* the application took 40 bytes; the other 60 and the FIN cannot be kept */
	CU_ASSERT_TRUE(tcp_rcv_refuse(&h->c, &h->t, 60, true));
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.rcv_nxt - h->t.irs, 41);
	CU_ASSERT_FALSE(h->t.flags & TCB_PEER_FIN);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_CLOSE_WAIT], 0);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_ESTABLISHED], 1);
	CU_ASSERT_EQUAL(h->st.state_enter[TCP_CLOSE_WAIT], cw_enter);
	h_clear(h);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 41, 0);
	h_clear(h);
	/* resent whole, it is accepted again */
	s = h_data_seg(h, 41, 60, 1);
	s.flags |= TCP_FIN;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 60);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	CU_ASSERT_EQUAL(h->t.rcv_nxt - h->t.irs, 102);
	/* once the FIN has moved the record on (here to LAST-ACK), it cannot be taken back */
	tcp_close(&h->c, &h->t);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.state, TCP_LAST_ACK);
	CU_ASSERT_FALSE(tcp_rcv_refuse(&h->c, &h->t, 0, true));
	CU_ASSERT_EQUAL(h->t.state, TCP_LAST_ACK);
	CU_ASSERT_EQUAL(h->t.rcv_nxt - h->t.irs, 102);
	h_finish(h);
}

/*
 * SACK blocks (RFC 2018 §4): the block of the newest segment first, then those of the segments
 * held just before it, newest first - so that every block is reported by several ACKs in a row
 * (one lost, or overtaken and dropped by the sender's PAWS, hides nothing) - then the rest in
 * sequence order. Before, after the first the lowest blocks always came: a block in the middle
 * of a queue was reported by one ACK only.
 */
static void
reasm_sack_blocks_follow_recency(void)
{
	static struct reasm r;
	struct tcp_opts o;
	unsigned int n = 0;

	memset(&r, 0, sizeof(r));
	for (uint32_t k = 0; k < 6; k++)	/* blocks at 1000, 3000, ... 11000 */
		CU_ASSERT_EQUAL(reasm_add(&r, 1000 + 2000 * k, 1000, 0, PKT(k), count_release, &n),
				REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, 6000, 100, 0, PKT(6), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_sack(&r, &o, 4), 4);
	CU_ASSERT_EQUAL(o.sack[0].left, 5000);		/* [5000, 6000) + [6000, 6100): one block */
	CU_ASSERT_EQUAL(o.sack[0].right, 6100);
	CU_ASSERT_EQUAL(o.sack[1].left, 11000);		/* then the ones held before, newest first */
	CU_ASSERT_EQUAL(o.sack[2].left, 9000);
	CU_ASSERT_EQUAL(o.sack[3].left, 7000);
	/* a block whose segments were all delivered is skipped; the lowest fill in */
	reasm_purge(&r, count_release);
	CU_ASSERT_EQUAL(reasm_add(&r, 3000, 1000, 0, PKT(1), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, 5000, 1000, 0, PKT(2), count_release, &n), REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, 7000, 1000, 0, PKT(3), count_release, &n), REASM_HELD);
	CU_ASSERT_FALSE(reasm_pop(&r, 2000, NULL, count_release, &n));
	CU_ASSERT_EQUAL(reasm_sack(&r, &o, 3), 3);
	CU_ASSERT_EQUAL(o.sack[0].left, 7000);
	CU_ASSERT_EQUAL(o.sack[1].left, 5000);
	CU_ASSERT_EQUAL(o.sack[2].left, 3000);
	reasm_purge(&r, count_release);
}

/*
 * A full window's worth behind a hole: the queue takes REASM_SEGS segments, hands them out in
 * order as the hole fills - taking the first moves nothing - and keeps taking new ones at the
 * top while it drains (the array's end reached: the queue moves back to its start).
 */
static void
reasm_drains_and_refills_in_order(void)
{
	static struct reasm r;
	struct reasm_seg out;
	unsigned int n = 0;
	uint32_t next = 1000, top = 1000;

	memset(&r, 0, sizeof(r));
	for (unsigned int k = 0; k < REASM_SEGS; k++, top += 100)
		CU_ASSERT_EQUAL(reasm_add(&r, top, 100, 0, PKT(k % 64), count_release, &n),
				REASM_HELD);
	CU_ASSERT_EQUAL(reasm_add(&r, top, 100, 0, PKT(0), count_release, &n), REASM_FULL);
	for (unsigned int round = 0; round < 3 * REASM_SEGS; round++) {
		CU_ASSERT_TRUE_FATAL(reasm_pop(&r, next, &out, count_release, &n));
		CU_ASSERT_EQUAL(out.seq, next);
		CU_ASSERT_EQUAL(out.len, 100);
		next += 100;
		CU_ASSERT_EQUAL(reasm_add(&r, top, 100, 0, PKT(1), count_release, &n), REASM_HELD);
		top += 100;
		CU_ASSERT(r.head + r.n <= REASM_SEGS);
	}
	CU_ASSERT_EQUAL(r.n, REASM_SEGS);
	CU_ASSERT_EQUAL(r.seg[r.head].seq, next);
	CU_ASSERT_EQUAL(reasm_purge(&r, count_release), REASM_SEGS);
}

static const struct test_case cases[] = {
	TEST(cubic_reduces_by_beta_and_regrows_around_w_max),
	TEST(cubic_without_a_state_left_responds_as_newreno),
	TEST(reasm_queue_stays_disjoint_and_sorted),
	TEST(reasm_sack_blocks_follow_recency),
	TEST(reasm_drains_and_refills_in_order),
	TEST(out_of_order_data_is_held_then_delivered_in_order),
	TEST(out_of_order_fin_closes_when_the_hole_fills),
	TEST(reassembly_is_bounded_per_connection_and_per_worker),
	TEST(initial_window_is_ten_segments),
	TEST(three_dup_acks_fast_retransmit_then_newreno_recovers),
	TEST(rto_restarts_from_one_segment),
	TEST(delayed_ack_every_second_segment_or_timer),
	TEST(full_segments_are_acked_every_second_one),
	TEST(data_beyond_the_runtimes_room_is_refused_not_acked),
	TEST(data_and_fin_can_be_taken_back),
	{ NULL, NULL },
};

int
suite_loss(void)
{
	return add_suite("tcp loss, options and timers", cases);
}
