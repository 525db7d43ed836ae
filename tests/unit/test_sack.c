/* test_sack.c - the sender's SACK scoreboard and loss recovery (RFC 6675) with proportional rate reduction (RFC 6937) and undo, time as a variable. */
#include <string.h>

#include "harness.h"
#include "seq.h"
#include "tcp_priv.h"
#include "sack_util.h"
#include "tcp_suites.h"

static struct harness H;

void
sack_conn_rtt(struct harness *h, unsigned int n, uint32_t rtt_us)
{
	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_SACK;
	h_establish_with(h, TCP_HAVE_SACK_PERM);
	CU_ASSERT(h->t.opt & TCB_OPT_SACK);
	if (rtt_us != 0) {
		h->t.srtt8 = rtt_us << 3;
		h->t.rttvar4 = (rtt_us / 4) << 2;
		h->t.min_rtt64 = (uint16_t)(rtt_us / 64);
		h->t.rto_us = tcp_rto_base(&h->c, &h->t);
	}
	h->t.cwnd = n * h->t.snd_mss;
	h->t.snd_wnd = 1u << 20;
	tcp_send_queued(&h->t, n * h->t.snd_mss);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, n);
	h_clear(h);
}

void
sack_conn(struct harness *h, unsigned int n)
{
	sack_conn_rtt(h, n, 0);
}

/* Relative sequence of segment @p k (0-based) of those sent. */
uint32_t
seg_at(const struct harness *h, unsigned int k)
{
	return h->t.iss + 1 + k * h->t.snd_mss;
}

/* The peer's ACK of relative @p rel_ack with SACK blocks of segments [a_i, b_i) (0-based). */
void
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
	CU_ASSERT_FATAL(h->t.sb != 0);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->n, 1);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 2 * h->t.snd_mss);
	sack_ack(h, 1, 2, b2);				/* [4,6) touches [2,4): one block */
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->n, 2);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->b[0].s, seg_at(h, 2));
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->b[0].e, seg_at(h, 6));
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 5 * h->t.snd_mss);
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
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->b[0].s, seg_at(h, 3));
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 4 * h->t.snd_mss);
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
	/* kept a little while for D-SACKs that could undo the recovery, then returned */
	CU_ASSERT_FATAL(h->t.sb != 0);
	CU_ASSERT(tcb_sb(&h->c, &h->t)->undo_dsack && tcb_sb(&h->c, &h->t)->undo_retrans == 3);
	h->c.now += 1 * S;
	{
		const unsigned int none[][2] = { { 0, 0 } };

		sack_ack(h, 1 + 20 * mss, 0, none);
	}
	CU_ASSERT_EQUAL(h->t.sb, 0);			/* nothing SACKed, no recovery: returned */
	CU_ASSERT_EQUAL(h->st.dsack_undos, 0);
	h_finish(h);
}

/*
 * RFC 3708 §3.2: a recovery all of whose resends come back as duplicates (D-SACKs, here after
 * the recovery ended) was reordering, not loss: cwnd and ssthresh from before it return. One
 * resend without its D-SACK keeps the reduction, and a D-SACK of something it did not resend
 * does not count.
 */
static void
every_resend_dsacked_undoes_the_recovery(void)
{
	struct harness *h = &H;
	const unsigned int b[][2] = { { 1, 4 } };
	uint32_t mss, cwnd0, ss0;

	for (int all = 0; all <= 1; all++) {
		sack_conn(h, 10);
		mss = h->t.snd_mss;
		cwnd0 = h->t.cwnd;
		ss0 = h->t.ssthresh;
		sack_ack(h, 1, 1, b);			/* 0 lost: resent */
		CU_ASSERT_FATAL(h->t.flags & TCB_RECOVERY);
		CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->undo_retrans, 1);
		{
			const unsigned int none[][2] = { { 0, 0 } };

			sack_ack(h, 1 + 10 * mss, 0, none);	/* all acknowledged */
		}
		CU_ASSERT_FALSE(h->t.flags & TCB_RECOVERY);
		CU_ASSERT(h->t.cwnd < cwnd0);
		if (all) {
			const unsigned int dup[][2] = { { 0, 1 } }, other[][2] = { { 5, 6 } };

			/* a D-SACK of a segment the recovery did not resend (the path duplicated
			 * it) says nothing about this recovery */
			sack_ack(h, 1 + 10 * mss, 1, other);
			CU_ASSERT_EQUAL(h->st.dsack_undos, 0);
			CU_ASSERT(h->t.cwnd < cwnd0);
			sack_ack(h, 1 + 10 * mss, 1, dup);	/* the resend was a duplicate */
			CU_ASSERT_EQUAL(h->st.dsack_undos, 1);
			CU_ASSERT(h->t.cwnd >= cwnd0);
			CU_ASSERT_EQUAL(h->t.ssthresh, ss0);
			CU_ASSERT(h->t.reo_mult >= 1);
		} else {
			h->c.now += 1 * S;		/* no D-SACK came */
			sack_ack(h, 1 + 10 * mss, 0, b);
			CU_ASSERT_EQUAL(h->st.dsack_undos, 0);
			CU_ASSERT(h->t.cwnd < cwnd0);
		}
		h_finish(h);
	}
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
	sb = tcb_sb(&h->c, &h->t);
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
void
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

static const struct test_case cases[] = {
	TEST(scoreboard_merges_trims_and_ignores_lies),
	TEST(several_holes_are_repaired_in_one_round_trip),
	TEST(prr_send_quotas),
	TEST(after_a_timeout_sacked_data_is_not_resent),
	TEST(spurious_recovery_is_undone),
	TEST(every_resend_dsacked_undoes_the_recovery),
	{ NULL, NULL },
};

int
suite_sack(void)
{
	return add_suite("SACK loss recovery (RFC 6675, PRR RFC 6937, undo RFC 3522/3708)", cases);
}
