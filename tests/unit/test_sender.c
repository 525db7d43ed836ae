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

static const struct test_case cases[] = {
	TEST(new_data_goes_while_a_hole_waits_out_its_window),
	TEST(a_sacked_timed_segment_gives_the_rtt),
	TEST(a_resent_timed_segment_is_timed_no_more),
	{ NULL, NULL },
};

int
suite_sender(void)
{
	return add_suite("sending past holes: the pipe, RTT from SACKs, Karn on resends", cases);
}
