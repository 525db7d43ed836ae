/* test_loss.c - loss and reordering with time as a variable: reassembly, SACK, NewReno, delayed ACK, RFC 7323, keepalive. */
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

/* Distinct fake packets: the core only stores and hands back the pointers. */
static char pkts[64];
#define PKT(i) ((void *)&pkts[i])

static unsigned int released;

static void
count_release(void *pkt)
{
	(void)pkt;
	released++;
}

/* A SYN offering @p present options (window shift 7, timestamp 1000), then the peer's ACK. */
static void
establish_with(struct harness *h, uint8_t present)
{
	struct tcp_seg syn = { .seq = h->peer_iss, .wnd = 65535, .flags = TCP_SYN };
	struct tcp_seg ack;

	syn.opts.present = (uint8_t)(TCP_HAVE_MSS | present);
	syn.opts.mss = 1400;
	syn.opts.wscale = 7;
	syn.opts.ts_val = 1000;
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	ack = h_seg(h, TCP_ACK, 1, 1, 0);
	ack.opts.present = present & TCP_HAVE_TIMESTAMP;
	ack.opts.ts_val = 1001;
	ack.opts.ts_ecr = h->out[0].opt[0];	/* not checked by the core */
	ack.wnd = 65535 >> ((present & TCP_HAVE_WSCALE) ? 7 : 0);
	h_input(h, &ack, NULL);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	h_clear(h);
}

/* Peer data segment with a packet the core may hold. */
static struct tcp_seg
data_seg(const struct harness *h, uint32_t rel_seq, uint32_t len, unsigned int pkt)
{
	struct tcp_seg s = h_seg(h, TCP_ACK, rel_seq, 1, len);

	s.pkt = PKT(pkt);
	s.pkt_off = 54;
	return s;
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
	CU_ASSERT_EQUAL(r.seg[1].seq, 2000);
	CU_ASSERT_EQUAL(r.seg[1].len, 1000);
	CU_ASSERT_EQUAL(r.seg[1].off, 500);	/* the payload offset moved with the trim */
	CU_ASSERT_EQUAL(reasm_add(&r, 1200, 300, 0, PKT(4), count_release, &n), REASM_DUP);
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
	CU_ASSERT_EQUAL(r.seg[1].seq, 0x100);
	CU_ASSERT_EQUAL(r.seg[1].len, 0x80);
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
	establish_with(h, TCP_HAVE_SACK_PERM);
	CU_ASSERT(h->t.opt & TCB_OPT_SACK);
	s = data_seg(h, 1001, 1000, 1);		/* bytes 1..1000 were lost */
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	CU_ASSERT_FALSE(rx.events & TCP_EV_DATA);
	CU_ASSERT_EQUAL(h->st.ooo_held, 1);
	CU_ASSERT_EQUAL(h->nout, 1);		/* an immediate duplicate ACK with a SACK block */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->out[0].opt, h->out[0].optlen, &o), 0);
	CU_ASSERT_EQUAL(o.nsack, 1);
	CU_ASSERT_EQUAL(o.sack[0].left - h->peer_iss, 1001);
	CU_ASSERT_EQUAL(o.sack[0].right - h->peer_iss, 2001);
	h_clear(h);
	s = data_seg(h, 2001, 1000, 2);
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->out[0].opt, h->out[0].optlen, &o), 0);
	CU_ASSERT_EQUAL(o.nsack, 1);		/* adjacent segments are one block */
	CU_ASSERT_EQUAL(o.sack[0].right - h->peer_iss, 3001);
	h_clear(h);
	/* the hole fills: its own data first, then the held segments in order */
	s = data_seg(h, 1, 1000, 3);
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
	CU_ASSERT_PTR_NULL(h->t.rq);		/* the queue went back to the pool */
	CU_ASSERT_EQUAL(h->st.ooo_delivered, 2);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->nout, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 3001, 0);	/* at once, no SACK block left */
	CU_ASSERT_EQUAL(h->out[0].optlen, 0);
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
	s = data_seg(h, 101, 100, 1);
	s.flags |= TCP_FIN;
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	s = data_seg(h, 1, 100, 2);
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
	/* one connection holds at most REASM_SEGS segments, whatever the peer sends */
	for (unsigned int i = 0; i < REASM_SEGS + 8; i++) {
		s = data_seg(h, 1 + 100 * (i + 1), 10, i % 64);
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
	s = data_seg(h, 101, 10, 50);
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
		s = data_seg(h, 1 + 100 * (i + 1), 10, i);
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

/* Queue @p n full segments on an established connection with a wide peer window and send. */
static void
send_segments(struct harness *h, unsigned int n)
{
	h->t.snd_wnd = 1u << 20;
	tcp_send_queued(&h->t, n * h->t.snd_mss);
	tcp_output(&h->c, &h->t);
}

static void
initial_window_is_ten_segments(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_established(h, 1 * S);		/* MSS 1400: IW = min(14000, max(2800, 14600)) */
	CU_ASSERT_EQUAL(h->t.cwnd, 14000);
	send_segments(h, 30);
	CU_ASSERT_EQUAL(h->nout, 10);
	h_clear(h);
	/* slow start: each ACK of two segments opens two more (appropriate byte counting, L=2) */
	s = h_seg(h, TCP_ACK, 1, 1 + 2800, 0);
	s.wnd = 0xffff;
	h->t.snd_wnd = 1u << 20;
	tcp_input(&h->c, &h->t, &s, &(struct tcp_rx){ 0 });
	h->t.snd_wnd = 1u << 20;
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.cwnd, 14000 + 2800);
	CU_ASSERT_EQUAL(h->nout, 4);
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
	CU_ASSERT_EQUAL(h->nout, 10);		/* IW10; segments 1 and 4 are "lost" */
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 1, 0);		/* keeps the window as it is */
	s.wnd = 65535;
	dup_ack(h, 1);
	dup_ack(h, 1);
	/* two duplicates are not yet a loss; limited transmit (RFC 3042) sends one new segment
	 * for each, so that a small window can still produce the third duplicate */
	CU_ASSERT_EQUAL(h->st.fast_retransmits, 0);
	CU_ASSERT_EQUAL(h->nout, 2);
	EXPECT_OUT(h, 0, TCP_ACK, 1 + 10 * mss, 1, mss);
	EXPECT_OUT(h, 1, TCP_ACK, 1 + 11 * mss, 1, mss);
	h_clear(h);
	dup_ack(h, 1);
	CU_ASSERT_EQUAL(h->st.fast_retransmits, 1);
	CU_ASSERT_EQUAL(h->st.cc_recoveries, 1);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->nout, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, mss);	/* the first segment again */
	CU_ASSERT_EQUAL(h->t.ssthresh, 6 * mss);	/* half of the twelve in flight */
	CU_ASSERT_EQUAL(h->t.cwnd, 9 * mss);	/* ssthresh + 3 */
	h_clear(h);
	/* more duplicates inflate the window; once it passes the flight, new data goes */
	for (unsigned int i = 0; i < 4; i++)
		dup_ack(h, 1);
	CU_ASSERT_EQUAL(h->t.cwnd, 13 * mss);
	CU_ASSERT_EQUAL(h->nout, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1 + 12 * mss, 1, mss);
	h_clear(h);
	/* partial ACK: up to segment 4, which was lost too: resent at once, still recovering */
	s = h_seg(h, TCP_ACK, 1, 1 + 3 * mss, 0);
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_EQUAL(h->nout, 0);		/* nothing leaves from inside input */
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
	send_segments(h, 10);
	h_clear(h);
	h_advance(h, 2 * S + 10 * MS);		/* initial RTO 1 s, no RTT sample yet */
	CU_ASSERT_EQUAL(h->st.rto_expiries, 1);
	CU_ASSERT_EQUAL(h->t.cwnd, mss);
	CU_ASSERT_EQUAL(h->t.ssthresh, 5 * mss);
	CU_ASSERT_EQUAL(h->nout, 1);		/* go-back-N, one segment at a time */
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
	s = data_seg(h, 1, 100, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->nout, 0);		/* owed, not sent */
	CU_ASSERT(h->t.flags & TCB_DACK);
	s = data_seg(h, 101, 100, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->nout, 1);		/* the second segment is ACKed at once */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 201, 0);
	h_clear(h);
	s = data_seg(h, 201, 100, 0);
	h_input(h, &s, NULL);
	h->c.now += 39 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->nout, 0);
	h->c.now += 1 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->nout, 1);		/* the timer, 40 ms after the segment */
	EXPECT_OUT(h, 0, TCP_ACK, 1, 301, 0);
	CU_ASSERT_EQUAL(h->st.delayed_acks, 1);
	h_clear(h);
	/* data of ours carries the owed ACK; the timer then finds nothing to do */
	s = data_seg(h, 301, 100, 0);
	h_input(h, &s, NULL);
	tcp_send_queued(&h->t, 10);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 401, 10);
	h->c.now += 100 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->nout, 1);
	CU_ASSERT_EQUAL(h->st.delayed_acks, 1);
	h_finish(h);
}

static void
window_scale_is_negotiated_and_applied(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_WS;
	h->cfg.rcv_wnd = 200000;
	h->cfg.rcv_ws = 2;
	establish_with(h, TCP_HAVE_WSCALE);
	CU_ASSERT(h->t.opt & TCB_OPT_WS);
	CU_ASSERT_EQUAL(h->t.snd_ws, 7);
	CU_ASSERT_EQUAL(h->t.snd_wnd, (65535u >> 7) << 7);	/* the handshake's ACK is scaled */
	h->t.rcv_wnd = 200000;
	tcp_emit_ack(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->out[0].wnd, 50000);	/* 200000 >> 2 */
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 1, 0);
	s.wnd = 1000;
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.snd_wnd, 128000);
	h_finish(h);

	/* a SYN without the option: neither side scales, our window fits 16 bits */
	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_WS;
	h->cfg.rcv_wnd = 200000;
	h->cfg.rcv_ws = 2;
	establish_with(h, 0);
	CU_ASSERT_EQUAL(h->t.rcv_ws, 0);
	CU_ASSERT_EQUAL(tcp_adv_window(&h->t), 65535);
	h_finish(h);
}

static void
paws_drops_old_timestamps_and_echoes_ts_recent(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	struct tcp_opts o;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_TS;
	establish_with(h, TCP_HAVE_TIMESTAMP);
	CU_ASSERT(h->t.opt & TCB_OPT_TS);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1001);
	s = data_seg(h, 1, 100, 0);
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 2000;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 100);
	CU_ASSERT_EQUAL(h->t.ts_recent, 2000);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->out[0].opt, h->out[0].optlen, &o), 0);
	CU_ASSERT(o.present & TCP_HAVE_TIMESTAMP);
	CU_ASSERT_EQUAL(o.ts_ecr, 2000);
	CU_ASSERT_EQUAL(o.ts_val, tcp_ts_now(&h->c, &h->t));
	h_clear(h);
	/* an old duplicate from before a wrap of the sequence space: right seq, old timestamp */
	s = data_seg(h, 101, 100, 0);
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 1500;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_PAWS);
	CU_ASSERT_FALSE(rx.events & TCP_EV_DATA);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 101, 0);
	/* timestamps are compared modulo 2^32 */
	h->t.ts_recent = 0xfffffff0u;
	s.opts.ts_val = 0x10;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 100);
	h_finish(h);
}

static void
echoed_timestamp_gives_rtt_after_retransmission(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_opts o;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_TS;
	establish_with(h, TCP_HAVE_TIMESTAMP);
	send_segments(h, 1);
	h_clear(h);
	h_advance(h, 2 * S + 10 * MS);		/* RTO: resent, Karn stops the timed sample */
	CU_ASSERT_EQUAL(h->nout, 1);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->out[0].opt, h->out[0].optlen, &o), 0);
	h->c.now += 50 * MS;
	h->t.srtt8 = 0;				/* forget the handshake's sample: this one is first */
	s = h_seg(h, TCP_ACK, 1, 1 + h->t.snd_mss, 0);
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 1002;
	s.opts.ts_ecr = o.ts_val;		/* echoes the retransmission */
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->st.rtt_samples_ts, 1);
	/* ~50 ms measured in ~1 ms ticks */
	CU_ASSERT((h->t.srtt8 >> 3) >= 45 * MS && (h->t.srtt8 >> 3) <= 55 * MS);
	h_finish(h);
}

static void
keepalive_probes_then_resets(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	uint32_t ev = 0;

	h_init(h, 1 * S);
	h->cfg.keepalive_us = 10 * S;
	h_establish(h);
	tcp_output(&h->c, &h->t);		/* quiet: the keepalive timer starts */
	h_advance(h, 11 * S + 10 * MS);
	CU_ASSERT_EQUAL(h->nout, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 0, 1, 0);	/* SND.UNA - 1: the peer must answer */
	h_clear(h);
	/* the peer answers: the next probe waits a full keepalive time again */
	s = h_seg(h, TCP_ACK, 1, 1, 0);
	h_input(h, &s, NULL);
	h_advance(h, 12 * S + 20 * MS);
	CU_ASSERT_EQUAL(h->nout, 0);
	h_advance(h, 21 * S + 20 * MS);
	CU_ASSERT_EQUAL(h->nout, 1);
	/* silence: probes every interval, then a reset after the third */
	for (unsigned int i = 0; i < 3 && !(ev & TCP_EV_FREE); i++)
		ev = h_advance(h, (22 + i) * S + (i + 1) * 50 * MS);
	CU_ASSERT(ev & TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->st.keepalive_tx, 4);
	CU_ASSERT_EQUAL(h->st.keepalive_timeouts, 1);
	CU_ASSERT_EQUAL(h->out[h->nout - 1].flags, TCP_RST | TCP_ACK);
	h_no_leaks(h);
}

static void
syn_cookie_round_trip(void)
{
	struct harness *h = &H;
	struct tcp_seg syn = { .seq = 0xfffffff0u, .wnd = 64240, .flags = TCP_SYN };
	struct tcp_seg ack;
	struct tcp_opts agreed, o;
	struct tcp_out out;
	struct tcp_tuple other;

	h_init(h, 100 * S);
	h->cfg.features = TCB_OPT_WS | TCB_OPT_TS | TCB_OPT_SACK;
	h->cfg.rcv_ws = 2;
	syn.opts.present = TCP_HAVE_MSS | TCP_HAVE_WSCALE | TCP_HAVE_SACK_PERM | TCP_HAVE_TIMESTAMP;
	syn.opts.mss = 1400;
	syn.opts.wscale = 7;
	syn.opts.ts_val = 5000;
	tcp_syncookie_synack(&h->c, &h->tuple, &syn, &out);
	CU_ASSERT_EQUAL(out.flags, TCP_SYN | TCP_ACK);
	CU_ASSERT_EQUAL(out.ack, syn.seq + 1);
	CU_ASSERT_EQUAL(tcp_opts_parse(out.opt, out.optlen, &o), 0);
	CU_ASSERT_EQUAL(o.present, TCP_HAVE_MSS | TCP_HAVE_WSCALE | TCP_HAVE_SACK_PERM | TCP_HAVE_TIMESTAMP);
	CU_ASSERT_EQUAL(o.wscale, 2);
	CU_ASSERT_EQUAL(o.ts_ecr, 5000);
	CU_ASSERT_EQUAL(h->st.syncookies_sent, 1);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_SYN_RCVD], 0);	/* no state at all */

	ack = (struct tcp_seg){ .seq = syn.seq + 1, .ack = out.seq + 1, .wnd = 502, .flags = TCP_ACK };
	ack.opts.present = TCP_HAVE_TIMESTAMP;
	ack.opts.ts_val = 5001;
	ack.opts.ts_ecr = o.ts_val;
	/* forged: another ISN, another tuple, another peer ISN */
	ack.ack += 1u << 12;
	CU_ASSERT_FALSE(tcp_syncookie_check(&h->c, &h->tuple, &ack, &agreed));
	ack.ack -= 1u << 12;
	other = h->tuple;
	other.rport++;
	CU_ASSERT_FALSE(tcp_syncookie_check(&h->c, &other, &ack, &agreed));
	ack.seq++;
	CU_ASSERT_FALSE(tcp_syncookie_check(&h->c, &h->tuple, &ack, &agreed));
	ack.seq--;
	/* a RST or SYN never completes a cookie */
	ack.flags = TCP_ACK | TCP_RST;
	CU_ASSERT_FALSE(tcp_syncookie_check(&h->c, &h->tuple, &ack, &agreed));
	ack.flags = TCP_ACK;
	/* valid in its slot and the next, stale after that */
	h->c.now += 1ULL << 26;
	CU_ASSERT_TRUE(tcp_syncookie_check(&h->c, &h->tuple, &ack, &agreed));
	h->c.now += 2ULL << 26;
	CU_ASSERT_FALSE(tcp_syncookie_check(&h->c, &h->tuple, &ack, &agreed));
	h->c.now -= 3ULL << 26;
	CU_ASSERT_TRUE(tcp_syncookie_check(&h->c, &h->tuple, &ack, &agreed));
	CU_ASSERT_EQUAL(agreed.mss, 1220);	/* the largest table entry the peer takes */
	CU_ASSERT_EQUAL(agreed.wscale, 7);
	CU_ASSERT(agreed.present & TCP_HAVE_SACK_PERM);
	CU_ASSERT(agreed.present & TCP_HAVE_TIMESTAMP);

	tcp_syncookie_open(&h->c, &h->t, &h->tuple, &ack, &agreed);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.iss, out.seq);
	CU_ASSERT_EQUAL(h->t.rcv_nxt, syn.seq + 1);
	CU_ASSERT_EQUAL(h->t.snd_ws, 7);
	CU_ASSERT_EQUAL(h->t.rcv_ws, 2);
	CU_ASSERT_EQUAL(h->t.snd_wnd, 502u << 7);
	CU_ASSERT_EQUAL(h->t.snd_mss, 1220 - TCP_TS_SPACE);
	CU_ASSERT_EQUAL(h->t.opt, TCB_OPT_WS | TCB_OPT_TS | TCB_OPT_SACK);
	CU_ASSERT_EQUAL(h->t.ts_recent, 5001);
	CU_ASSERT_EQUAL(h->st.syncookies_ok, 1);
	/* and it carries data like any connection */
	tcp_send_queued(&h->t, 100);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 1, 100);
	h_finish(h);
}

static unsigned int tw_keyed, tw_unkeyed;

static void
tw_key(void *arg, struct tcp_tw *tw, bool add)
{
	(void)arg;
	(void)tw;
	if (add)
		tw_keyed++;
	else
		tw_unkeyed++;
}

static void
compact_time_wait_rules(void)
{
	struct harness *h = &H;
	struct tcp_tw mem[4], *tw;
	struct tcp_tw_table tb;
	struct tcp_seg s;
	struct tcp_out o;
	uint16_t drop;

	tw_keyed = tw_unkeyed = 0;
	h_time_wait(h, 10 * S);			/* we closed first; the peer's FIN is rel. seq 1 */
	tcp_tw_init(&tb, mem, 4);
	tb.key = tw_key;
	tb.key_arg = NULL;
	tw = tcp_tw_add(&h->c, &tb, &h->t);
	tcp_abort(&h->c, &h->t);		/* the record is released as the runtime would */
	CU_ASSERT_EQUAL(h->st.state_now[TCP_TIME_WAIT], 1);
	CU_ASSERT_EQUAL(h->st.tw_entries, 1);
	CU_ASSERT_EQUAL(tw->rcv_nxt, h->peer_iss + 2);
	CU_ASSERT_EQUAL(tw->snd_nxt, h->t.iss + 2);
	/* a stray ACK in place says nothing; data or an old segment is answered with our state */
	s = h_seg(h, TCP_ACK, 2, 2, 0);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_DROP);
	CU_ASSERT_EQUAL(drop, TCPE_DROP_TCP_TIME_WAIT);
	s = h_seg(h, TCP_ACK, 1, 2, 10);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_ACK);
	CU_ASSERT_EQUAL(o.seq, h->t.iss + 2);
	CU_ASSERT_EQUAL(o.ack, h->peer_iss + 2);
	/* RFC 1337: no assassination */
	s = h_seg(h, TCP_RST, 2, 0, 0);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_DROP);
	/* a retransmitted FIN: ACKed again, and the 2*MSL wait starts over (the entry moves) */
	h->c.now = 40 * S;
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 2, 0);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_ACK);
	CU_ASSERT_EQUAL(o.ack, h->peer_iss + 2);
	CU_ASSERT_EQUAL(tw_keyed, 1);
	tw = &mem[1];
	CU_ASSERT(tw->flags & TW_LIVE);
	CU_ASSERT_FALSE(mem[0].flags & TW_LIVE);
	CU_ASSERT_EQUAL(tw->expire_us, 40 * S + h->cfg.time_wait_us);
	h->c.now = 10 * S + h->cfg.time_wait_us + 1;	/* the first wait would be over */
	CU_ASSERT_EQUAL(tcp_tw_expire(&h->c, &tb, 8), 0);
	/* a SYN at or below the old sequence is an old duplicate: answered, not reopened */
	s = h_seg(h, TCP_SYN, 1, 0, 0);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_ACK);
	/* above it, a new incarnation may begin */
	s = h_seg(h, TCP_SYN, 100000, 0, 0);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_REOPEN);
	CU_ASSERT_EQUAL(h->st.tw_reopened, 1);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_TIME_WAIT], 0);
	CU_ASSERT_EQUAL(tw_unkeyed, 2);		/* moved once, reopened once */

	/* with timestamps, RFC 6191: a newer timestamp reopens even at a lower sequence number */
	tw = tcp_tw_add(&h->c, &tb, &h->t);
	tw->flags |= TW_TS;
	tw->ts_recent = 1000;
	s = h_seg(h, TCP_SYN, 0, 0, 0);
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 999;
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_ACK);
	s.opts.ts_val = 1001;
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_REOPEN);

	/* expiry in order after 2*MSL; a full table lets the oldest go early, counted */
	for (unsigned int i = 0; i < 5; i++) {
		h->c.now = 100 * S + i;
		tcp_tw_add(&h->c, &tb, &h->t);
	}
	CU_ASSERT_EQUAL(h->st.tw_evicted, 1);
	CU_ASSERT_EQUAL(h->st.tw_entries, 4);
	h->c.now = 100 * S + h->cfg.time_wait_us + 2;
	CU_ASSERT_EQUAL(tcp_tw_expire(&h->c, &tb, 8), 2);	/* entries 1 and 2 (0 was evicted) */
	h->c.now += 10;
	CU_ASSERT_EQUAL(tcp_tw_expire(&h->c, &tb, 8), 2);
	CU_ASSERT_EQUAL(h->st.tw_entries, 0);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_TIME_WAIT], 0);
	CU_ASSERT_EQUAL(h->st.tw_expired, 4);
	h_no_leaks(h);
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
	CU_ASSERT_EQUAL(h->t.cubic_wmax, 1000 * mss);
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
	h->t.cubic_wmax = 1000 * mss;
	tcp_cc_loss(&h->c, &h->t);
	CU_ASSERT(h->t.cubic_wmax < 900 * mss && h->t.cubic_wmax > 760 * mss);	/* 0.85 x 900 */
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

static void
active_open_handshake_refusal_and_timeout(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	struct tcp_opts o;
	uint32_t ev = 0;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_WS | TCB_OPT_TS | TCB_OPT_SACK;
	h->cfg.rcv_ws = 2;
	tcp_active_open(&h->c, &h->t, &h->tuple);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_SENT);
	CU_ASSERT_EQUAL(h->nout, 1);
	CU_ASSERT_EQUAL(h->out[0].flags, TCP_SYN);
	CU_ASSERT_EQUAL(h->out[0].seq, h->t.iss);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->out[0].opt, h->out[0].optlen, &o), 0);
	CU_ASSERT_EQUAL(o.present, TCP_HAVE_MSS | TCP_HAVE_WSCALE | TCP_HAVE_SACK_PERM | TCP_HAVE_TIMESTAMP);
	h_clear(h);
	/* an ACK for something else draws <SEQ=SEG.ACK><CTL=RST> and changes nothing */
	s = (struct tcp_seg){ .seq = h->peer_iss, .ack = h->t.iss + 7, .wnd = 1000, .flags = TCP_ACK };
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_EQUAL(h->nout, 1);
	CU_ASSERT_EQUAL(h->out[0].flags, TCP_RST);
	CU_ASSERT_EQUAL(h->out[0].seq, h->t.iss + 7);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_SENT);
	h_clear(h);
	/* the SYN-ACK: established, the options agreed, the third segment goes at once */
	s = (struct tcp_seg){ .seq = h->peer_iss, .ack = h->t.iss + 1, .wnd = 29200,
			      .flags = TCP_SYN | TCP_ACK };
	s.opts.present = TCP_HAVE_MSS | TCP_HAVE_WSCALE | TCP_HAVE_TIMESTAMP;
	s.opts.mss = 1400;
	s.opts.wscale = 5;
	s.opts.ts_val = 77;
	s.opts.ts_ecr = o.ts_val;
	h->c.now += 300;
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.snd_ws, 5);
	CU_ASSERT_EQUAL(h->t.opt, TCB_OPT_WS | TCB_OPT_TS);	/* no SACK: the peer did not agree */
	CU_ASSERT_EQUAL(h->t.snd_mss, 1400 - TCP_TS_SPACE);
	CU_ASSERT_EQUAL(h->t.ts_recent, 77);
	CU_ASSERT_EQUAL(h->st.rtt_samples, 1);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_FALSE(h->t.flags & TCB_RTT_TIMING);
	h_finish(h);

	/* refused: a RST acknowledging our SYN */
	h_init(h, 1 * S);
	tcp_active_open(&h->c, &h->t, &h->tuple);
	s = (struct tcp_seg){ .seq = 0, .ack = h->t.iss + 1, .flags = TCP_RST | TCP_ACK };
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_RESET);
	CU_ASSERT(rx.events & TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->st.conn_refused, 1);
	h_no_leaks(h);

	/* no answer: the SYN is resent with backoff, then the open fails */
	h_init(h, 1 * S);
	h->cfg.synack_retries = 2;
	tcp_active_open(&h->c, &h->t, &h->tuple);
	for (unsigned int i = 1; i <= 8 && !(ev & TCP_EV_FREE); i++)
		ev = h_advance(h, (1 + i * i) * S);
	CU_ASSERT(ev & TCP_EV_RESET);
	CU_ASSERT_EQUAL(h->st.syn_rexmit, 2);
	CU_ASSERT_EQUAL(h->st.conn_timeout, 1);
	h_no_leaks(h);
}

static const struct test_case cases[] = {
	TEST(active_open_handshake_refusal_and_timeout),
	TEST(cubic_reduces_by_beta_and_regrows_around_w_max),
	TEST(compact_time_wait_rules),
	TEST(syn_cookie_round_trip),
	TEST(reasm_queue_stays_disjoint_and_sorted),
	TEST(out_of_order_data_is_held_then_delivered_in_order),
	TEST(out_of_order_fin_closes_when_the_hole_fills),
	TEST(reassembly_is_bounded_per_connection_and_per_worker),
	TEST(initial_window_is_ten_segments),
	TEST(three_dup_acks_fast_retransmit_then_newreno_recovers),
	TEST(rto_restarts_from_one_segment),
	TEST(delayed_ack_every_second_segment_or_timer),
	TEST(window_scale_is_negotiated_and_applied),
	TEST(paws_drops_old_timestamps_and_echoes_ts_recent),
	TEST(echoed_timestamp_gives_rtt_after_retransmission),
	TEST(keepalive_probes_then_resets),
	{ NULL, NULL },
};

int
suite_loss(void)
{
	return add_suite("tcp loss, options and timers", cases);
}
