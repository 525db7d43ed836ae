/* test_sender.c - what the sender does while holes wait out their reordering window: new data by the pipe, RTT samples from SACKed segments, Karn's rule on resends; time as a variable. */
#include "harness.h"
#include "sack_util.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"

static struct harness H;

/* Segments at or beyond @p from among what the core decided since h_clear(). */
static unsigned int
sent_from(const struct harness *h, uint32_t from)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->q.n; i++)
		if (h->q.d[i].o.len > 0 && !seq_lt(h->q.d[i].o.seq, from))
			n++;
	return n;
}

/*
 * Ten segments out (the whole window), the first held back by the path, the other nine SACKed.
 * The hole waits out its reordering window (reordering was seen) - no recovery yet - but nine
 * segments have left the network: the pipe is one segment, and new data goes out up to the
 * window again (Linux's tcp_cwnd_test(); SND.UNA + cwnd would send nothing for an SRTT).
 */
static void
new_data_goes_while_a_hole_waits_out_its_window(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 10 } };
	uint32_t mss;

	sack_conn_rtt(h, 10, 20000);
	mss = h->t.snd_mss;
	h->t.reo_mult = 1;			/* the path was seen to reorder */
	tcp_send_queued(&h->t, 20 * mss);	/* more to send, held by the window */
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h->c.now += 20000;
	sack_ack(h, 1, 1, b);
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT(h->t.flags & TCB_REO_TIMER);
	CU_ASSERT_EQUAL(h->st.retransmits, 0);
	/* cwnd - pipe = 9, and one more for the duplicate ACK (limited transmit, RFC 3042) */
	CU_ASSERT_EQUAL(sent_from(h, seg_at(h, 10)), 10);
	CU_ASSERT_EQUAL(tcp_sb_pipe(&h->c, &h->t), 11 * mss);
	h_clear(h);
	/* the window is full again: only limited transmit's second segment */
	sack_ack(h, 1, 1, b);
	CU_ASSERT_EQUAL(sent_from(h, seg_at(h, 10)), 1);
	CU_ASSERT_EQUAL(h->st.retransmits, 0);
	h_finish(h);
}

/*
 * The segment being timed sits above a hole. Its SACK gives the RTT sample (Linux's sack_rtt):
 * waiting for the cumulative ACK would time the hole's repair as well - on a lossy path that
 * inflated SRTT several times over, and with it RACK's window cap and the RTO.
 */
static void
a_sacked_timed_segment_gives_the_rtt(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 4 } };
	uint64_t t0;
	uint64_t samples;

	sack_conn_rtt(h, 4, 20000);
	h->t.reo_mult = 1;
	t0 = h->c.now;
	/* time segment 1 (sent at t0 with the others) instead of segment 0 */
	h->t.flags &= (uint16_t)~TCB_RTT_TIMING;
	tcp_rtt_start(&h->c, &h->t, seg_at(h, 1));
	samples = h->st.rtt_samples;
	h->c.now = t0 + 30000;
	sack_ack(h, 1, 1, b);
	CU_ASSERT_EQUAL(h->st.rtt_samples, samples + 1);
	CU_ASSERT_FALSE(h->t.flags & TCB_RTT_TIMING);
	CU_ASSERT_EQUAL(h->t.srtt8 >> 3, 20000 + (30000 - 20000) / 8);
	/* segment 0 arrives 50 ms later: the cumulative ACK is no sample of 80 ms */
	h->c.now = t0 + 80000;
	sack_ack(h, 1 + 4 * h->t.snd_mss, 0, NULL);
	CU_ASSERT_EQUAL(h->st.rtt_samples, samples + 1);
	CU_ASSERT_EQUAL(h->t.srtt8 >> 3, 20000 + (30000 - 20000) / 8);
	h_finish(h);
}

/*
 * Karn's rule: the timed segment lost and resent (here by RACK, in recovery) is timed no more -
 * the ACK cannot tell which copy it answers. It used to stay timed when a loss-recovery resend,
 * not the RTO, sent it again, and its ACK gave a sample of the whole repair.
 */
static void
a_resent_timed_segment_is_timed_no_more(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 4 } };
	uint64_t t0, samples;
	uint32_t reo;

	sack_conn_rtt(h, 4, 20000);		/* segment 0 is the timed one */
	CU_ASSERT(h->t.flags & TCB_RTT_TIMING);
	CU_ASSERT_EQUAL(h->t.rtt_seq, seg_at(h, 0));
	h->t.reo_mult = 1;
	t0 = h->c.now;
	h->c.now = t0 + 20000;
	sack_ack(h, 1, 1, b);			/* 1-3 SACKed, 0 missing */
	samples = h->st.rtt_samples;
	reo = tcp_sb_reo_wnd(&h->c, &h->t);
	h_advance(h, h->c.now + reo + 1100);	/* RACK: 0 is lost, resent */
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->st.retransmits, 1);
	CU_ASSERT_FALSE(h->t.flags & TCB_RTT_TIMING);
	h->c.now += 20000;
	sack_ack(h, 1 + 4 * h->t.snd_mss, 0, NULL);
	CU_ASSERT_EQUAL(h->st.rtt_samples, samples);
	CU_ASSERT(h->t.srtt8 >> 3 < 25000);
	h_finish(h);
}


/* Were segment @p k's bytes among what the last input sent? */
static bool
sent_seg(const struct harness *h, unsigned int k)
{
	for (unsigned int i = 0; i < h->q.n; i++)
		if (h->q.d[i].o.len > 0 && h->q.d[i].o.seq == seg_at(h, k))
			return true;
	return false;
}

/* The peer's ACK of segment @p una (0-based: all before it) with SACKs of [a1, b1) and [a2, b2)
 * (b2 = 0: one block), @p dt_us after the last input. */
static void
ack_at(struct harness *h, uint64_t dt_us, unsigned int una, unsigned int a1, unsigned int b1,
       unsigned int a2, unsigned int b2)
{
	const unsigned int b[][2] = { { a1, b1 }, { a2, b2 } };

	h_clear(h);
	h->c.now += dt_us;
	sack_ack(h, 1 + una * h->t.snd_mss, b2 != 0 ? 2 : 1, b);
}

/*
 * A recovery that ends while holes in the data it sent as new are resent and on their way: the
 * next loss starts a new recovery at once (the data SACKed above those holes is old), and it
 * used to take them for lost and send every one of them again - on a reordering path with a
 * loss every round trip, half of all resends were such duplicates. They stay resent.
 */
static void
a_new_recovery_keeps_the_last_ones_resends(void)
{
	struct harness *h = &H;
	uint32_t reo;

	sack_conn_rtt(h, 10, 20000);
	h->t.reo_mult = 1;
	ack_at(h, 20000, 0, 1, 10, 0, 0);		/* segment 0 missing */
	reo = tcp_sb_reo_wnd(&h->c, &h->t);
	h_clear(h);
	h_advance(h, h->c.now + reo + 1100);		/* RACK: lost, recovery up to 10 */
	CU_ASSERT_FATAL(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->t.recover, seg_at(h, 10));
	CU_ASSERT(sent_seg(h, 0));
	/* more data: the recovery sends it as ACKs come (segments 10-16) */
	tcp_send_queued(&h->t, 10 * h->t.snd_mss);
	for (unsigned int k = 0; k < 4; k++)
		ack_at(h, 1000, 0, 1, 10, 0, 0);
	ack_at(h, 20000, 0, 11, 14, 1, 10);		/* segment 10 missing too */
	h_clear(h);
	h_advance(h, h->c.now + reo + 1100);		/* 0's resend lost: sent again */
	ack_at(h, 1000, 0, 11, 17, 1, 10);		/* ... and 10 is resent, in this recovery */
	CU_ASSERT(sent_seg(h, 10));
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->high_rxt, seg_at(h, 11));
	ack_at(h, 5000, 10, 11, 17, 0, 0);		/* 0 arrives: the recovery is over */
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->st.sack_rxt_carried, 0);
	/* a duplicate ACK: segment 10 is still missing and 11-16 were SACKed long ago - a new
	 * recovery, but 10's resend is on its way: nothing is sent again */
	ack_at(h, 1000, 10, 11, 17, 0, 0);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->st.sack_rxt_carried, 1);
	CU_ASSERT_FALSE(sent_seg(h, 10));
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->high_rxt, seg_at(h, 11));
	CU_ASSERT_EQUAL(tcp_sb_pipe(&h->c, &h->t), 4 * h->t.snd_mss);	/* 10 again, 17-19 */
	h_finish(h);
}

/*
 * A pure ACK that PAWS turns away - overtaken on the way back by a newer one - still gives its
 * SACK blocks to the scoreboard (nothing else: TS.Recent, the window and SND.UNA stay); an ACK
 * whose timestamp is more than an RTO older is dropped whole, as before.
 */
static void
a_late_ack_still_gives_its_sack_blocks(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t wnd;

	ts_sack_sent(h);
	h->t.rto_us = 200000;
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 1, 0);			/* a newer ACK first */
	s.wnd = 65535;
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 1050;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1050);
	wnd = h->t.snd_wnd;
	s.opts.present = TCP_HAVE_TIMESTAMP | TCP_HAVE_SACK;
	s.opts.ts_val = 1047;				/* 3 ms older: late */
	s.opts.nsack = 1;
	s.opts.sack[0].left = seg_at(h, 2);
	s.opts.sack[0].right = seg_at(h, 4);
	s.wnd = 1000;
	h_input(h, &s, &rx);
	CU_ASSERT_NOT_EQUAL(rx.drop, TCPE_DROP_TCP_PAWS);
	CU_ASSERT_EQUAL(h->st.late_sacks, 1);
	CU_ASSERT_FATAL(h->t.sb != 0);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->n, 1);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 2 * h->t.snd_mss);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1050);
	CU_ASSERT_EQUAL(h->t.snd_wnd, wnd);
	CU_ASSERT_EQUAL(h->q.n, 0);			/* not answered */
	/* 500 ms older than TS.Recent, with an RTO of 200 ms: an old duplicate, dropped */
	s.opts.ts_val = 550;
	s.opts.sack[0].left = seg_at(h, 6);
	s.opts.sack[0].right = seg_at(h, 8);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_PAWS);
	CU_ASSERT_EQUAL(h->st.late_sacks, 1);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 2 * h->t.snd_mss);
	h_finish(h);
}

/*
 * The scoreboard remembers SB_BLOCKS holes: a window of 300 segments with every third one
 * missing (100 holes, as a reordering path makes them) is held whole; beyond, what has no room
 * is counted. The pipe, one pass over the blocks, agrees with RFC 6675's definition per hole.
 */
static void
a_hundred_holes_fit_the_scoreboard(void)
{
	struct harness *h = &H;
	const unsigned int n = 300;
	uint32_t reo, pipe = 0;

	sack_conn_rtt(h, 10, 20000);
	h->t.reo_mult = 1;
	h->t.cwnd = n * h->t.snd_mss;
	tcp_send_queued(&h->t, (n - 10) * h->t.snd_mss);
	while (tcp_output(&h->c, &h->t))
		h_clear(h);			/* (the runtime drains the queue and calls again) */
	h_clear(h);
	CU_ASSERT_EQUAL_FATAL(h->t.snd_max, seg_at(h, n));
	for (unsigned int k = 1; k + 2 <= n; k += 3) {
		const unsigned int b[][2] = { { k, k + 2 } };

		h->c.now += 10;
		sack_ack(h, 1, 1, b);
	}
	CU_ASSERT_FATAL(h->t.sb != 0);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->n, n / 3);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 2 * (n / 3) * h->t.snd_mss);
	CU_ASSERT_EQUAL(h->st.sack_sb_full, 0);
	/* half a reordering window after the middle block: holes below it are lost, the rest not */
	reo = tcp_sb_reo_wnd(&h->c, &h->t);
	h->c.now = h->c.now - 10 * (n / 6) + reo;
	for (unsigned int k = 0; k < n; k += 3)
		if (!tcp_sb_lost(&h->c, &h->t, seg_at(h, k)))
			pipe += h->t.snd_mss;
	CU_ASSERT(pipe > 0 && pipe < (n / 3) * h->t.snd_mss);
	CU_ASSERT_EQUAL(tcp_sb_pipe(&h->c, &h->t), pipe);
	h_finish(h);
}

static const struct test_case cases[] = {
	TEST(new_data_goes_while_a_hole_waits_out_its_window),
	TEST(a_sacked_timed_segment_gives_the_rtt),
	TEST(a_resent_timed_segment_is_timed_no_more),
	TEST(a_new_recovery_keeps_the_last_ones_resends),
	TEST(a_late_ack_still_gives_its_sack_blocks),
	TEST(a_hundred_holes_fit_the_scoreboard),
	{ NULL, NULL },
};

int
suite_sender(void)
{
	return add_suite("sending past holes: the pipe, RTT from SACKs, Karn, resends kept across recoveries, late SACKs, 100 holes", cases);
}
