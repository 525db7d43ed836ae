/* test_sack.c - the sender's SACK scoreboard and loss recovery (RFC 6675) with RACK's time-based detection (RFC 8985) and proportional rate reduction (RFC 6937), time as a variable. */
#include <string.h>

#include "harness.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"

#define S 1000000ULL

static struct harness H;

/* An ESTABLISHED connection that agreed on SACK, @p n full segments sent at once. */
static void
sack_conn(struct harness *h, unsigned int n)
{
	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_SACK;
	h_establish_with(h, TCP_HAVE_SACK_PERM);
	CU_ASSERT(h->t.opt & TCB_OPT_SACK);
	h->t.cwnd = n * h->t.snd_mss;
	h->t.snd_wnd = 1u << 20;
	tcp_send_queued(&h->t, n * h->t.snd_mss);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, n);
	h_clear(h);
}

/* Relative sequence of segment @p k (0-based) of those sent. */
static uint32_t
seg_at(const struct harness *h, unsigned int k)
{
	return h->t.iss + 1 + k * h->t.snd_mss;
}

/* The peer's ACK of relative @p rel_ack with SACK blocks of segments [a_i, b_i) (0-based). */
static void
sack_ack(struct harness *h, uint32_t rel_ack, unsigned int nblocks, const unsigned int (*blk)[2])
{
	struct tcp_seg s = h_seg(h, TCP_ACK, 1, rel_ack, 0);
	struct tcp_rx rx;

	s.wnd = 65535;
	s.opts.present = TCP_HAVE_SACK;
	s.opts.nsack = (uint8_t)nblocks;
	for (unsigned int k = 0; k < nblocks; k++) {
		s.opts.sack[k].left = seg_at(h, blk[k][0]);
		s.opts.sack[k].right = seg_at(h, blk[k][1]);
	}
	h_input(h, &s, &rx);
}

/* The scoreboard keeps what the peer holds above SND.UNA: blocks merge, SND.UNA trims them,
 * D-SACK blocks (below SND.UNA) and blocks beyond what was sent mark nothing. */
static void
scoreboard_merges_trims_and_ignores_lies(void)
{
	struct harness *h = &H;
	const unsigned int b1[][2] = { { 2, 4 } }, b2[][2] = { { 4, 6 }, { 8, 9 } };
	struct tcp_seg s;
	struct tcp_rx rx;

	sack_conn(h, 10);
	sack_ack(h, 1, 1, b1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h->t.sb);
	CU_ASSERT_EQUAL(h->t.sb->n, 1);
	CU_ASSERT_EQUAL(h->t.sb->sacked, 2 * h->t.snd_mss);
	sack_ack(h, 1, 2, b2);				/* [4,6) touches [2,4): one block */
	CU_ASSERT_EQUAL(h->t.sb->n, 2);
	CU_ASSERT_EQUAL(h->t.sb->b[0].s, seg_at(h, 2));
	CU_ASSERT_EQUAL(h->t.sb->b[0].e, seg_at(h, 6));
	CU_ASSERT_EQUAL(h->t.sb->sacked, 5 * h->t.snd_mss);
	/* a lie beyond SND.MAX and a D-SACK below SND.UNA change nothing */
	s = h_seg(h, TCP_ACK, 1, 1 + 3 * h->t.snd_mss, 0);
	s.wnd = 65535;
	s.opts.present = TCP_HAVE_SACK;
	s.opts.nsack = 2;
	s.opts.sack[0].left = h->t.snd_max + 100;
	s.opts.sack[0].right = h->t.snd_max + 2000;
	s.opts.sack[1].left = h->t.iss + 1;
	s.opts.sack[1].right = h->t.iss + 100;
	h_input(h, &s, &rx);
	/* the cumulative ACK to segment 3 trimmed the first block to [3, 6) */
	CU_ASSERT_EQUAL(h->t.sb->b[0].s, seg_at(h, 3));
	CU_ASSERT_EQUAL(h->t.sb->sacked, 4 * h->t.snd_mss);
	h_finish(h);
}

/*
 * Three holes in one window (segments 0, 5 and 10 of 20 lost): the scoreboard finds all three
 * and recovery resends each within the same round trip, where NewReno repaired one hole per
 * round trip; then the full ACK ends recovery at ssthresh.
 */
static void
several_holes_are_repaired_in_one_round_trip(void)
{
	struct harness *h = &H;
	uint32_t mss, rexmit[8];
	unsigned int nre = 0;

	sack_conn(h, 20);
	mss = h->t.snd_mss;
	/* segments 1..4 arrive: each draws a duplicate ACK with a growing block */
	for (unsigned int k = 1; k <= 4; k++) {
		const unsigned int b[][2] = { { 1, k + 1 } };

		sack_ack(h, 1, 1, b);
		for (unsigned int i = 0; i < h->q.n; i++)
			if (h->q.d[i].o.len > 0 && seq_lt(h->q.d[i].o.seq, h->t.snd_max) && nre < 8)
				rexmit[nre++] = h->q.d[i].o.seq;
		h_clear(h);
	}
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->st.sack_recoveries, 1);
	/* segments 6..9 and 11..19 arrive */
	for (unsigned int k = 6; k <= 19; k++) {
		const unsigned int b2[][2] = { { 1, 5 }, { 6, k < 10 ? k + 1 : 10 }, { 11, k + 1 } };
		const unsigned int b1[][2] = { { 6, k + 1 }, { 1, 5 } };

		if (k == 10)
			continue;
		if (k < 10)
			sack_ack(h, 1, 2, b1);
		else
			sack_ack(h, 1, 3, b2);
		for (unsigned int i = 0; i < h->q.n; i++)
			if (h->q.d[i].o.len > 0 && seq_lt(h->q.d[i].o.seq, h->t.snd_max) && nre < 8)
				rexmit[nre++] = h->q.d[i].o.seq;
		h_clear(h);
	}
	/* all three holes resent, in order, and nothing the peer holds */
	CU_ASSERT_EQUAL_FATAL(nre, 3);
	CU_ASSERT_EQUAL(rexmit[0], seg_at(h, 0));
	CU_ASSERT_EQUAL(rexmit[1], seg_at(h, 5));
	CU_ASSERT_EQUAL(rexmit[2], seg_at(h, 10));
	CU_ASSERT_EQUAL(h->st.sack_rexmits, 3);
	CU_ASSERT_EQUAL(h->st.rto_expiries, 0);
	/* the retransmissions arrive: everything acknowledged, recovery over at ssthresh */
	{
		const unsigned int none[][2] = { { 0, 0 } };

		sack_ack(h, 1 + 20 * mss, 0, none);
	}
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->t.cwnd, h->t.ssthresh);
	CU_ASSERT_PTR_NULL(h->t.sb);			/* nothing SACKed, no recovery: returned */
	h_finish(h);
}

/* PRR (RFC 6937 §3) in numbers: while the pipe is above ssthresh, sndcnt follows
 * ceil(prr_delivered * ssthresh / RecoverFS) - prr_out; below it, the slow-start reduction bound
 * lets the window climb back by at most what was delivered plus one MSS. */
static void
prr_send_quotas(void)
{
	struct harness *h = &H;
	struct scoreboard *sb;
	uint32_t mss;

	sack_conn(h, 20);
	mss = h->t.snd_mss;
	{
		const unsigned int b[][2] = { { 1, 4 } };

		sack_ack(h, 1, 1, b);			/* 3 segments SACKed above a hole: lost */
	}
	sb = h->t.sb;
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(sb->recover_fs, 20 * mss);
	CU_ASSERT_EQUAL(h->t.ssthresh, 10 * mss);
	CU_ASSERT_EQUAL(sb->prr_out, mss);		/* the first retransmission */
	h_clear(h);
	/* pipe (16 segments) > ssthresh (10): proportional */
	sb->prr_delivered = 3 * mss;
	tcp_sb_recovery_ack(&h->c, &h->t, mss);		/* delivered: 4 segments in all */
	CU_ASSERT_EQUAL(sb->quota, 2 * mss - mss);	/* ceil(4 * 10 / 20) - 1 */
	tcp_sb_recovery_ack(&h->c, &h->t, mss);		/* 5: ceil(2.5) = 3 segments' worth */
	CU_ASSERT_EQUAL(sb->quota, (5 * mss * 10 + 19) / 20 - mss);
	/* pipe below ssthresh: PRR-SSRB */
	sb->sacked = 18 * mss;
	sb->b[0].s = seg_at(h, 1);
	sb->b[0].e = seg_at(h, 19);
	sb->prr_delivered = 18 * mss;
	sb->prr_out = 9 * mss;
	tcp_sb_recovery_ack(&h->c, &h->t, mss);
	/* pipe: the lost hole at 0 was resent (1) + segment 19 (1) = 2 segments; room to ssthresh:
	 * 8; limit: max(19 - 9, 1) + 1 = 11 segments: sndcnt = 8 */
	CU_ASSERT_EQUAL(tcp_sb_pipe(&h->c, &h->t), 2 * mss);
	CU_ASSERT_EQUAL(sb->quota, 8 * mss);
	h_finish(h);
}

/* After an RTO the scoreboard stays: going back to SND.UNA resends the holes only. */
static void
after_a_timeout_sacked_data_is_not_resent(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 3 }, { 4, 6 } };
	uint32_t ev;

	sack_conn(h, 6);
	sack_ack(h, 1, 2, b);	/* holes: 0 and 3; not yet recovery (one duplicate, 4 SACKed) */
	h_clear(h);
	ev = h_advance(h, h->c.now + h->t.rto_us + 10000);
	(void)ev;
	CU_ASSERT_EQUAL(h->st.rto_expiries, 1);
	/* cwnd is one segment after the RTO: the first hole */
	CU_ASSERT_EQUAL(h->q.n, 1);
	CU_ASSERT_EQUAL(h->q.d[0].o.seq, seg_at(h, 0));
	h_clear(h);
	{
		const unsigned int b2[][2] = { { 4, 6 } };

		sack_ack(h, 1 + 3 * h->t.snd_mss, 1, b2);	/* 0..2 now acknowledged */
	}
	/* next: segment 3 only - 4 and 5 are held by the peer */
	for (unsigned int i = 0; i < h->q.n; i++)
		CU_ASSERT(h->q.d[i].o.len == 0 || h->q.d[i].o.seq == seg_at(h, 3));
	CU_ASSERT(h->q.n >= 1);
	h_finish(h);
}

/* SACK and timestamps agreed, 10 full segments sent at once. */
static void
ts_sack_sent(struct harness *h)
{
	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_SACK | TCB_OPT_TS;
	h_establish_with(h, TCP_HAVE_SACK_PERM | TCP_HAVE_TIMESTAMP);
	h->t.cwnd = 10 * h->t.snd_mss;
	h->t.snd_wnd = 1u << 20;
	tcp_send_queued(&h->t, 10 * h->t.snd_mss);
	tcp_output(&h->c, &h->t);
}

/* Eifel (RFC 3522): the first ACK that covers the resent hole echoes a timestamp from before
 * the resend - the original arrived, reordered: cwnd and ssthresh go back, recovery ends. One
 * that echoes the resend's own timestamp leaves the reduction in place. */
static void
spurious_recovery_is_undone(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 5 } };
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t cwnd0, ss0, old_ts;

	ts_sack_sent(h);
	old_ts = tcp_ts_now(&h->c, &h->t);		/* what the originals carried */
	cwnd0 = h->t.cwnd;
	ss0 = h->t.ssthresh;
	h_clear(h);
	h->c.now += 20000;				/* 20 ms later, the SACKs */
	sack_ack(h, 1, 1, b);				/* segments 1..4 held: 0 "lost" */
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT(h->t.ssthresh < ss0);			/* reduced (PRR sends by it) */
	h_clear(h);
	/* the original segment 0 arrives after all: the peer's ACK echoes its timestamp */
	s = h_seg(h, TCP_ACK, 1, 1 + 5 * h->t.snd_mss, 0);
	s.wnd = 65535;
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 2000;
	s.opts.ts_ecr = old_ts;
	h_input(h, &s, &rx);
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->st.cc_undos, 1);
	CU_ASSERT(h->t.cwnd >= cwnd0);
	CU_ASSERT_EQUAL(h->t.ssthresh, ss0);
	CU_ASSERT_EQUAL(h->t.reo_mult, 1);		/* reordering: holes get a window now */
	CU_ASSERT_EQUAL(h->t.reo_persist, SB_REO_PERSIST);
	h_finish(h);

	/* the same, but the resend filled the hole: its timestamp is echoed, no undo */
	ts_sack_sent(h);
	h_clear(h);
	h->c.now += 20000;
	sack_ack(h, 1, 1, b);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	ss0 = h->t.ssthresh;
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 1 + 5 * h->t.snd_mss, 0);
	s.wnd = 65535;
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 2000;
	s.opts.ts_ecr = tcp_ts_now(&h->c, &h->t);	/* the resend's */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->st.cc_undos, 0);
	CU_ASSERT_EQUAL(h->t.ssthresh, ss0);
	h_finish(h);
}

/* sack_conn() with an RTT of 20 ms known (RACK's reordering window is a quarter of it), and
 * the clock an RTT after the segments left: ACKs that arrive now measure 20 ms again. */
static void
rack_conn(struct harness *h, unsigned int n)
{
	sack_conn(h, n);
	h->t.srtt8 = 20000u << 3;
	h->t.rttvar4 = 5000u << 2;
	h->t.min_rtt64 = 20000 / 64;
	h->t.rto_us = tcp_rto_base(&h->c, &h->t);
	h->c.now += 20000;
}

/* Data segments below @p below (sent before) in what the core decided since h_clear(). */
static unsigned int
resent(const struct harness *h, uint32_t below, uint32_t *first)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->q.n; i++)
		if (h->q.d[i].o.len > 0 && seq_lt(h->q.d[i].o.seq, below)) {
			if (n++ == 0 && first != NULL)
				*first = h->q.d[i].o.seq;
		}
	return n;
}

/*
 * RACK (RFC 8985 §6.3): one segment SACKed above a hole is not enough to call it lost at once;
 * the hole gets a quarter of the minimum RTT, and when no ACK comes to tell, the RACK timer
 * declares it lost then - long before the RTO - and recovery resends it.
 */
static void
rack_timer_resends_a_hole_after_its_reordering_window(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 2 } };
	uint32_t reo, first = 0;
	uint64_t t0;

	rack_conn(h, 4);
	t0 = h->c.now;
	sack_ack(h, 1, 1, b);
	reo = tcp_sb_reo_wnd(&h->c, &h->t);
	CU_ASSERT_EQUAL(reo, (20000 / 64) * 64 / 4);
	CU_ASSERT(reo < h->t.rto_us);
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT(h->t.flags & TCB_REO_TIMER);
	CU_ASSERT_EQUAL(resent(h, seg_at(h, 4), NULL), 0);
	h_clear(h);
	h_advance(h, t0 + reo - 1500);			/* inside the window: nothing */
	CU_ASSERT_EQUAL(h->st.rack_timeouts, 0);
	CU_ASSERT_EQUAL(resent(h, seg_at(h, 4), NULL), 0);
	h_advance(h, t0 + reo + 1100);			/* the window ran out (1 ms ticks) */
	CU_ASSERT_EQUAL(h->st.rack_timeouts, 1);
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(resent(h, seg_at(h, 4), &first), 1);
	CU_ASSERT_EQUAL(first, seg_at(h, 0));
	CU_ASSERT_EQUAL(h->st.rto_expiries, 0);
	CU_ASSERT_FALSE(h->t.flags & TCB_REO_TIMER);	/* the RTO guards the resend */
	CU_ASSERT(tmr_armed(&h->t.timer));
	h_finish(h);
}

/*
 * A hole filled by its own original (sent once, arrived late) is reordering: from then on even
 * DupThresh SACKed segments wait out the window - the late original acknowledges them without
 * a resend or a reduction. An undo widens the window; SB_REO_PERSIST recoveries later it is
 * back to one quarter of the minimum RTT.
 */
static void
reordering_seen_gives_holes_a_window(void)
{
	struct harness *h = &H;
	const unsigned int b1[][2] = { { 2, 3 } }, b2[][2] = { { 4, 8 } };
	const unsigned int none[][2] = { { 0, 0 } };
	uint32_t mss, reo1;

	rack_conn(h, 10);
	mss = h->t.snd_mss;
	CU_ASSERT_EQUAL(h->t.reo_mult, 0);
	sack_ack(h, 1, 1, b1);				/* 2 arrived before 0 and 1 */
	sack_ack(h, 1 + 3 * mss, 0, none);		/* 0 and 1 arrive: originals */
	CU_ASSERT_EQUAL(h->st.sack_reordering, 1);
	CU_ASSERT_EQUAL(h->t.reo_mult, 1);
	/* four segments SACKed above 3: RFC 6675 would resend 3 at once; RACK waits */
	sack_ack(h, 1 + 3 * mss, 1, b2);
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT(h->t.flags & TCB_REO_TIMER);
	reo1 = tcp_sb_reo_wnd(&h->c, &h->t);
	CU_ASSERT(reo1 > 0);
	h->c.now += reo1 / 2;
	sack_ack(h, 1 + 8 * mss, 0, none);		/* 3's original, half a window late */
	CU_ASSERT_EQUAL(h->st.retransmits, 0);
	CU_ASSERT_EQUAL(h->st.cc_recoveries, 0);
	CU_ASSERT_EQUAL(h->st.sack_reordering, 2);
	CU_ASSERT_PTR_NULL(h->t.sb);
	h_finish(h);

	/* a grown window falls back after SB_REO_PERSIST recoveries */
	rack_conn(h, 10);
	h->t.reo_mult = 4;
	h->t.reo_persist = 1;
	reo1 = (20000 / 64) * 64 / 4;
	{
		const unsigned int b[][2] = { { 1, 4 } };

		sack_ack(h, 1, 1, b);
		CU_ASSERT_EQUAL(tcp_sb_reo_wnd(&h->c, &h->t), 4 * reo1);
		h_advance(h, h->c.now + 4 * reo1 + 1100);
	}
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(h->st.rack_timeouts, 1);
	CU_ASSERT_EQUAL(h->t.reo_mult, 1);
	CU_ASSERT_EQUAL(tcp_sb_reo_wnd(&h->c, &h->t), reo1);
	h_finish(h);
}

/*
 * A retransmission can be lost too. RFC 6675 alone waits for the RTO; RACK sees data sent after
 * the resend SACKed while the resent hole stays open, and resends it again.
 */
static void
a_lost_retransmission_is_resent_without_a_timeout(void)
{
	struct harness *h = &H;
	const unsigned int b1[][2] = { { 1, 4 } }, b2[][2] = { { 1, 10 } };
	uint32_t mss, first = 0, sent_max;

	rack_conn(h, 10);
	mss = h->t.snd_mss;
	tcp_send_queued(&h->t, 10 * mss);		/* more to send during recovery */
	sent_max = h->t.snd_max;
	sack_ack(h, 1, 1, b1);				/* three above 0: lost, resent */
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_EQUAL(resent(h, sent_max, &first), 1);
	CU_ASSERT_EQUAL(first, seg_at(h, 0));
	h_clear(h);
	sack_ack(h, 1, 1, b2);				/* 4..9 arrive: PRR sends new data */
	CU_ASSERT(seq_gt(h->t.snd_max, seg_at(h, 10)));
	sent_max = h->t.snd_max;
	h_clear(h);
	h->c.now += 25000;				/* an RTT later: the new data arrives,
							   the resent 0 does not */
	{
		struct tcp_seg s = h_seg(h, TCP_ACK, 1, 1, 0);
		struct tcp_rx rx;

		s.wnd = 65535;
		s.opts.present = TCP_HAVE_SACK;
		s.opts.nsack = 1;
		s.opts.sack[0].left = seg_at(h, 1);
		s.opts.sack[0].right = sent_max;
		h_input(h, &s, &rx);
	}
	CU_ASSERT_EQUAL(h->st.sack_rxt_lost, 1);
	CU_ASSERT_EQUAL(resent(h, sent_max, &first), 1);
	CU_ASSERT_EQUAL(first, seg_at(h, 0));
	CU_ASSERT_EQUAL(h->st.sack_rexmits, 2);
	CU_ASSERT_EQUAL(h->st.rto_expiries, 0);
	h_finish(h);
}

/* The options of the last segment the core decided on. */
static struct tcp_opts
last_opts(const struct harness *h)
{
	struct tcp_opts o;

	memset(&o, 0, sizeof(o));
	CU_ASSERT_FATAL(h->q.n > 0);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[h->q.n - 1].o.opt, h->q.d[h->q.n - 1].o.optlen, &o), 0);
	return o;
}

/*
 * D-SACK, sent (RFC 2883 §4): a segment that arrives twice is reported in the first SACK block
 * of the ACK it draws - wholly below RCV.NXT, or a copy of one held out of order (then followed
 * by the block that holds it) - so that the sender can tell its resend was needless.
 */
static void
duplicates_are_reported_in_a_dsack_block(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_opts o;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_SACK;
	h_establish_with(h, TCP_HAVE_SACK_PERM);
	s = h_data_seg(h, 1, 100, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.rcv_nxt, h->peer_iss + 101);
	h_clear(h);
	h_input(h, &s, NULL);				/* again */
	o = last_opts(h);
	CU_ASSERT(o.present & TCP_HAVE_SACK);
	CU_ASSERT_EQUAL_FATAL(o.nsack, 1);
	CU_ASSERT_EQUAL(o.sack[0].left, h->peer_iss + 1);
	CU_ASSERT_EQUAL(o.sack[0].right, h->peer_iss + 101);
	CU_ASSERT_EQUAL(h->st.dsack_tx, 1);
	CU_ASSERT_EQUAL(h->q.n, 1);			/* one ACK, not two */
	h_clear(h);
	s = h_data_seg(h, 301, 100, 1);			/* out of order: held */
	h_input(h, &s, NULL);
	h_clear(h);
	h_input(h, &s, NULL);				/* its copy */
	o = last_opts(h);
	CU_ASSERT_EQUAL_FATAL(o.nsack, 2);
	CU_ASSERT_EQUAL(o.sack[0].left, h->peer_iss + 301);
	CU_ASSERT_EQUAL(o.sack[0].right, h->peer_iss + 401);
	CU_ASSERT_EQUAL(o.sack[1].left, h->peer_iss + 301);	/* the block that holds it */
	CU_ASSERT_EQUAL(h->st.dsack_tx, 2);
	CU_ASSERT_EQUAL(h->q.n, 1);
	h_clear(h);
	/* the next ACK reports the held block only */
	s = h_data_seg(h, 501, 100, 2);
	h_input(h, &s, NULL);
	o = last_opts(h);
	CU_ASSERT_EQUAL(o.nsack, 2);
	CU_ASSERT_EQUAL(o.sack[0].left, h->peer_iss + 501);
	CU_ASSERT_EQUAL(h->st.dsack_tx, 2);
	h_finish(h);

	/* without SACK agreed: a plain ACK */
	h_init(h, 1 * S);
	h_establish_with(h, 0);
	s = h_data_seg(h, 1, 100, 0);
	h_input(h, &s, NULL);
	h_clear(h);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->q.n, 1);
	o = last_opts(h);
	CU_ASSERT_FALSE(o.present & TCP_HAVE_SACK);
	CU_ASSERT_EQUAL(h->st.dsack_tx, 0);
	h_finish(h);
}

/* D-SACK, received: a first block below the cumulative ACK or inside the second is a duplicate
 * report; it marks nothing and widens RACK's reordering window (RFC 8985 §6.2 step 4), up to
 * where SRTT caps the window anyway. */
static void
a_dsack_widens_the_reordering_window(void)
{
	struct harness *h = &H;
	const unsigned int below[][2] = { { 0, 1 } }, inside[][2] = { { 4, 5 }, { 4, 6 } };
	const unsigned int plain[][2] = { { 6, 7 }, { 4, 6 } };
	uint32_t mss, sacked;

	rack_conn(h, 10);
	mss = h->t.snd_mss;
	sack_ack(h, 1 + 2 * mss, 1, below);		/* segment 0 arrived twice */
	CU_ASSERT_EQUAL(h->st.dsack_rx, 1);
	CU_ASSERT_EQUAL(h->t.reo_mult, 1);
	CU_ASSERT_EQUAL(h->t.reo_persist, SB_REO_PERSIST);
	sack_ack(h, 1 + 2 * mss, 2, inside);		/* segment 4 twice, 4..5 held */
	CU_ASSERT_EQUAL(h->st.dsack_rx, 2);
	CU_ASSERT_EQUAL(h->t.reo_mult, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h->t.sb);
	sacked = h->t.sb->sacked;
	CU_ASSERT_EQUAL(sacked, 2 * mss);
	sack_ack(h, 1 + 2 * mss, 2, plain);		/* no duplicate */
	CU_ASSERT_EQUAL(h->st.dsack_rx, 2);
	CU_ASSERT_EQUAL(h->t.sb->sacked, 3 * mss);
	/* once the window reaches SRTT (4 x 19 968 / 4 is just below 20 000) it stops growing */
	for (unsigned int k = 0; k < 6; k++)
		sack_ack(h, 1 + 2 * mss, 1, below);
	CU_ASSERT_EQUAL(h->t.reo_mult, 5);
	CU_ASSERT_EQUAL(tcp_sb_reo_wnd(&h->c, &h->t), 20000);
	h_finish(h);
}

/* SACK agreed, an RTT of 20 ms known before anything is sent, @p n segments sent at once (the
 * RTO is the 200 ms floor): a tail loss probe is armed at 2 SRTT + 2 ms. */
static void
tlp_conn(struct harness *h, unsigned int n)
{
	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_SACK;
	h_establish_with(h, TCP_HAVE_SACK_PERM);
	h->t.srtt8 = 20000u << 3;
	h->t.rttvar4 = 5000u << 2;
	h->t.min_rtt64 = 20000 / 64;
	h->t.rto_us = tcp_rto_base(&h->c, &h->t);
	h->t.cwnd = n * h->t.snd_mss;
	h->t.snd_wnd = 1u << 20;
	tcp_send_queued(&h->t, n * h->t.snd_mss);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, n);
	h_clear(h);
}

/* The peer's plain ACK of relative @p rel_ack, 20 ms after now. */
static void
ack_after_rtt(struct harness *h, uint32_t rel_ack)
{
	const unsigned int none[][2] = { { 0, 0 } };

	h->c.now += 20000;
	sack_ack(h, rel_ack, 0, none);
}

/*
 * Tail loss (RFC 8985 §7): the last two of four segments are lost and no ACK will say so. At
 * 2 SRTT the probe resends the last segment; the peer SACKs it, RACK calls the hole below lost a
 * reordering window later - the tail is repaired in ~90 ms where the RTO alone takes 200 ms
 * (and resends everything from one segment on).
 */
static void
a_tail_loss_is_probed_before_the_rto(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 3, 4 } };
	uint32_t mss, first = 0, sent_max;
	uint64_t t0;

	tlp_conn(h, 4);
	mss = h->t.snd_mss;
	t0 = h->c.now;
	ack_after_rtt(h, 1 + 2 * mss);			/* 0 and 1 arrived; 2 and 3 did not */
	CU_ASSERT(h->t.flags & TCB_TLP_TIMER);
	h_clear(h);
	sent_max = h->t.snd_max;
	h_advance(h, t0 + 20000 + 40000 - 1000);	/* before 2 SRTT: nothing */
	CU_ASSERT_EQUAL(h->st.tlp_probes, 0);
	h_advance(h, t0 + 20000 + 42000 + 1100);
	CU_ASSERT_EQUAL(h->st.tlp_probes, 1);
	CU_ASSERT_EQUAL(resent(h, sent_max, &first), 1);
	CU_ASSERT_EQUAL(first, seg_at(h, 3));		/* the last segment */
	CU_ASSERT_FALSE(h->t.flags & TCB_TLP_TIMER);	/* the RTO now */
	CU_ASSERT(tmr_armed(&h->t.timer));
	h_clear(h);
	h->c.now += 20000;
	sack_ack(h, 1 + 2 * mss, 1, b);			/* the probe arrived: 2 is a hole */
	h_advance(h, h->c.now + tcp_sb_reo_wnd(&h->c, &h->t) + 1100);
	CU_ASSERT_EQUAL(h->st.rack_timeouts, 1);
	CU_ASSERT_EQUAL(resent(h, sent_max, &first), 1);
	CU_ASSERT_EQUAL(first, seg_at(h, 2));
	CU_ASSERT(h->c.now - t0 < 100000);
	CU_ASSERT_EQUAL(h->st.rto_expiries, 0);
	ack_after_rtt(h, 1 + 4 * mss);
	CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
	CU_ASSERT_PTR_NULL(h->t.sb);			/* nothing left to judge or repair */
	h_finish(h);
}

/*
 * How a probe is judged (RFC 8985 §7.4): the resent last segment alone repaired a loss when an
 * ACK beyond it comes with no D-SACK - the window is reduced as for any loss. When the original
 * arrived too, the peer's D-SACK says so and nothing is reduced. Probes of new data need no
 * judgement.
 */
static void
a_probe_that_repaired_a_loss_reduces_the_window(void)
{
	struct harness *h = &H;
	const unsigned int dup[][2] = { { 2, 3 } };
	uint32_t mss, cwnd0;

	for (int spurious = 0; spurious <= 1; spurious++) {
		tlp_conn(h, 3);
		mss = h->t.snd_mss;
		ack_after_rtt(h, 1 + mss);		/* 1 arrives with its ACK lost; 2 lost */
		h_clear(h);
		h_advance(h, h->c.now + 42000 + 1100);
		CU_ASSERT_EQUAL_FATAL(h->st.tlp_probes, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h->t.sb);
		CU_ASSERT(h->t.sb->tlp_out && h->t.sb->tlp_rexmit);
		h_clear(h);
		cwnd0 = h->t.cwnd;
		h->c.now += 20000;
		if (spurious)
			sack_ack(h, 1 + 3 * mss, 1, dup);	/* 2 had arrived: a D-SACK */
		else
			ack_after_rtt(h, 1 + 3 * mss);	/* the probe filled the hole */
		tcp_send_queued(&h->t, mss);		/* one more segment, ACKed beyond */
		tcp_output(&h->c, &h->t);
		ack_after_rtt(h, 1 + 4 * mss);
		CU_ASSERT_EQUAL(h->st.tlp_recoveries, spurious ? 0 : 1);
		CU_ASSERT(spurious ? h->t.cwnd >= cwnd0 : h->t.cwnd < cwnd0);
		CU_ASSERT_EQUAL(h->st.rto_expiries, 0);
		CU_ASSERT_PTR_NULL(h->t.sb);
		h_finish(h);
	}

	/* with new data waiting beyond cwnd, the probe sends it instead (nothing to judge) */
	tlp_conn(h, 2);
	mss = h->t.snd_mss;
	tcp_send_queued(&h->t, 4 * mss);
	h_advance(h, h->c.now + 42000 + 1100);
	CU_ASSERT_EQUAL(h->st.tlp_probes, 1);
	CU_ASSERT_EQUAL_FATAL(h->q.n, 1);
	CU_ASSERT_EQUAL(h->q.d[0].o.seq, seg_at(h, 2));	/* new data */
	CU_ASSERT_FALSE(h->t.sb->tlp_rexmit);
	h_finish(h);
}

static const struct test_case cases[] = {
	TEST(scoreboard_merges_trims_and_ignores_lies),
	TEST(several_holes_are_repaired_in_one_round_trip),
	TEST(prr_send_quotas),
	TEST(after_a_timeout_sacked_data_is_not_resent),
	TEST(spurious_recovery_is_undone),
	TEST(rack_timer_resends_a_hole_after_its_reordering_window),
	TEST(reordering_seen_gives_holes_a_window),
	TEST(a_lost_retransmission_is_resent_without_a_timeout),
	TEST(duplicates_are_reported_in_a_dsack_block),
	TEST(a_dsack_widens_the_reordering_window),
	TEST(a_tail_loss_is_probed_before_the_rto),
	TEST(a_probe_that_repaired_a_loss_reduces_the_window),
	{ NULL, NULL },
};

int
suite_sack(void)
{
	return add_suite("SACK loss recovery (RFC 6675, RACK-TLP RFC 8985, PRR RFC 6937, D-SACK RFC 2883)", cases);
}
