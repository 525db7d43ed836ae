/* test_rack.c - loss detection by time (RACK-TLP, RFC 8985), D-SACK sent and received (RFC 2883) and spurious timeouts undone (RFC 4015 by timestamps, RFC 5682 F-RTO without), time as a variable. */
#include <string.h>

#include "harness.h"
#include "sack_util.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"

static struct harness H;

/* A SACK connection with an RTT of 20 ms known (RACK's reordering window is a quarter of it),
 * and the clock an RTT after the segments left: ACKs that arrive now measure 20 ms again. */
static void
rack_conn(struct harness *h, unsigned int n)
{
	sack_conn_rtt(h, n, 20000);
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
	CU_ASSERT_EQUAL(h->t.sb, 0);
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
	CU_ASSERT_FATAL(h->t.sb != 0);
	sacked = tcb_sb(&h->c, &h->t)->sacked;
	CU_ASSERT_EQUAL(sacked, 2 * mss);
	sack_ack(h, 1 + 2 * mss, 2, plain);		/* no duplicate */
	CU_ASSERT_EQUAL(h->st.dsack_rx, 2);
	CU_ASSERT_EQUAL(tcb_sb(&h->c, &h->t)->sacked, 3 * mss);
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
	sack_conn_rtt(h, n, 20000);
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
	h->c.now += 1 * S;				/* past the wait for D-SACKs */
	ack_after_rtt(h, 1 + 4 * mss);
	CU_ASSERT_EQUAL(h->t.sb, 0);			/* nothing left to judge or repair */
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
		CU_ASSERT_FATAL(h->t.sb != 0);
		CU_ASSERT(tcb_sb(&h->c, &h->t)->tlp_out && tcb_sb(&h->c, &h->t)->tlp_rexmit);
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
		CU_ASSERT_EQUAL(h->t.sb, 0);
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
	CU_ASSERT_FALSE(tcb_sb(&h->c, &h->t)->tlp_rexmit);
	h_finish(h);
}

/*
 * A spurious timeout (RFC 4015 with RFC 3522's detection): the ACKs were only late. The first
 * ACK after the resend echoes the original's timestamp: the window and threshold come back and
 * go-back-N stops (what was sent is not sent again). When it echoes the resend's, the timeout
 * stands.
 */
static void
a_spurious_timeout_is_undone(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t cwnd0, ss0, old_ts;

	for (int spurious = 1; spurious >= 0; spurious--) {
		ts_sack_sent(h);
		old_ts = tcp_ts_now(&h->c, &h->t);
		cwnd0 = h->t.cwnd;
		ss0 = h->t.ssthresh;
		h_clear(h);
		h_advance(h, h->c.now + h->t.rto_us + 2000);	/* a tail loss probe first */
		if (h->st.rto_expiries == 0)
			h_advance(h, h->c.now + h->t.rto_us + 2000);
		CU_ASSERT_EQUAL_FATAL(h->st.rto_expiries, 1);
		CU_ASSERT_EQUAL(h->t.cwnd, h->t.snd_mss);
		h_clear(h);
		s = h_seg(h, TCP_ACK, 1, 1 + 2 * h->t.snd_mss, 0);
		s.wnd = 65535;
		s.opts.present = TCP_HAVE_TIMESTAMP;
		s.opts.ts_val = 2000;
		s.opts.ts_ecr = spurious ? old_ts : tcp_ts_now(&h->c, &h->t);
		h_input(h, &s, &rx);
		CU_ASSERT_EQUAL(h->st.rto_undos, spurious ? 1 : 0);
		if (spurious) {
			CU_ASSERT(h->t.cwnd >= cwnd0);
			CU_ASSERT_EQUAL(h->t.ssthresh, ss0);
			CU_ASSERT_EQUAL(h->t.snd_nxt, h->t.snd_max);	/* no go-back-N */
			/* the resend only (and a tail loss probe before the timeout) */
			CU_ASSERT_EQUAL(h->st.retransmits, 1 + h->st.tlp_probes);
		} else {
			CU_ASSERT(h->t.cwnd < cwnd0);
		}
		h_finish(h);
	}
}

/* Data segments in what the core decided since h_clear(); the first one's sequence in @p first. */
static unsigned int
data_out(const struct harness *h, uint32_t *first)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->q.n; i++)
		if (h->q.d[i].o.len > 0 && n++ == 0 && first != NULL)
			*first = h->q.d[i].o.seq;
	return n;
}

/* An ACK of relative @p rel_ack, without options (no timestamps: F-RTO's case). */
static void
plain_ack(struct harness *h, uint32_t rel_ack)
{
	struct tcp_seg s = h_seg(h, TCP_ACK, 1, rel_ack, 0);
	struct tcp_rx rx;

	s.wnd = 65535;
	h_input(h, &s, &rx);
}

/*
 * F-RTO (RFC 5682), no timestamps (with SACK agreed and without): after a timeout the resend goes
 * alone; the first ACK acknowledges it and not all the rest, so two new segments go instead of
 * more resends. When the second ACK acknowledges more (the originals got there: the ACKs were
 * only late), the timeout was spurious: the window and threshold come back and nothing else is
 * resent. When it is a duplicate, the loss was real: back to SND.UNA with at most 3 segments.
 */
static void
frto_tells_a_spurious_timeout_from_a_real_one(void)
{
	struct harness *h = &H;

	for (int sack = 0; sack <= 1; sack++)
		for (int spurious = 1; spurious >= 0; spurious--) {
			uint32_t mss, cwnd0, ss0, max0, at = 0;
			uint64_t rtx;

			h_init(h, 5 * S);
			h->cfg.features = sack ? TCB_OPT_SACK : 0;
			h_establish_with(h, sack ? TCP_HAVE_SACK_PERM : 0);
			CU_ASSERT_EQUAL(!!(h->t.opt & TCB_OPT_SACK), sack);
			mss = h->t.snd_mss;
			h_send_segments(h, 20);		/* 10 go, 10 wait: new data for F-RTO */
			cwnd0 = h->t.cwnd;
			ss0 = h->t.ssthresh;
			max0 = h->t.snd_max;
			CU_ASSERT_EQUAL_FATAL(max0, h->t.iss + 1 + 10 * mss);
			h_clear(h);
			while (h->st.rto_expiries == 0)	/* (a tail loss probe may come first) */
				h_advance(h, h->c.now + h->t.rto_us + 2000);
			CU_ASSERT_EQUAL(h->t.cwnd, mss);
			max0 = h->t.snd_max;	/* (a probe of new data may have gone first) */
			rtx = h->st.retransmits;
			h_clear(h);
			plain_ack(h, 1 + 2 * mss);	/* the resend and one more */
			CU_ASSERT_EQUAL(h->st.frto_new_data, 1);
			CU_ASSERT_EQUAL(data_out(h, &at), 2);
			CU_ASSERT_EQUAL(at, max0);	/* new data, not resends */
			CU_ASSERT_EQUAL(h->t.snd_max, max0 + 2 * mss);
			CU_ASSERT_EQUAL(h->st.retransmits, rtx);
			h_clear(h);
			plain_ack(h, spurious ? 1 + 5 * mss : 1 + 2 * mss);
			CU_ASSERT_EQUAL(h->st.frto_undos, spurious ? 1 : 0);
			if (spurious) {
				CU_ASSERT(h->t.cwnd >= cwnd0);
				CU_ASSERT_EQUAL(h->t.ssthresh, ss0);
				CU_ASSERT_EQUAL(h->st.retransmits, rtx);	/* nothing more resent */
				CU_ASSERT(seq_ge(h->t.snd_nxt, max0 + 2 * mss));
			} else {
				CU_ASSERT(h->t.cwnd <= 3 * mss);
				CU_ASSERT(h->t.ssthresh < ss0);
				CU_ASSERT(data_out(h, &at) >= 1);
				CU_ASSERT_EQUAL(at, h->t.iss + 1 + 2 * mss);	/* back to SND.UNA */
			}
			CU_ASSERT(h->t.sb == 0 || tcb_sb(&h->c, &h->t)->frto == 0);
			h_finish(h);
		}
}

/* F-RTO steps aside: a duplicate as the first ACK after the resend, or one acknowledging all
 * that was sent before the timeout, leaves conventional recovery to go on; with timestamps,
 * Eifel decides instead; with no new data to send, there is nothing to probe with. */
static void
frto_steps_aside_where_it_cannot_tell(void)
{
	struct harness *h = &H;

	for (int k = 0; k < 4; k++) {
		uint32_t mss;

		h_init(h, 5 * S);
		h->cfg.features = k == 2 ? TCB_OPT_TS : 0;
		h_establish_with(h, k == 2 ? TCP_HAVE_TIMESTAMP : 0);
		CU_ASSERT_EQUAL(!!(h->t.opt & TCB_OPT_TS), k == 2);
		mss = h->t.snd_mss;
		h_send_segments(h, k == 3 ? 10 : 20);
		while (h->st.rto_expiries == 0)
			h_advance(h, h->c.now + h->t.rto_us + 2000);
		if (k == 0)
			plain_ack(h, 1);		/* a duplicate */
		else if (k == 1)
			plain_ack(h, 1 + 10 * mss);	/* all of it */
		else
			plain_ack(h, 1 + 2 * mss);
		CU_ASSERT_EQUAL(h->st.frto_new_data, 0);
		CU_ASSERT_EQUAL(h->st.frto_undos, 0);
		CU_ASSERT(h->t.sb == 0 || tcb_sb(&h->c, &h->t)->frto == 0);
		h_finish(h);
	}
}

static const struct test_case cases[] = {
	TEST(rack_timer_resends_a_hole_after_its_reordering_window),
	TEST(reordering_seen_gives_holes_a_window),
	TEST(a_lost_retransmission_is_resent_without_a_timeout),
	TEST(duplicates_are_reported_in_a_dsack_block),
	TEST(a_dsack_widens_the_reordering_window),
	TEST(a_tail_loss_is_probed_before_the_rto),
	TEST(a_probe_that_repaired_a_loss_reduces_the_window),
	TEST(a_spurious_timeout_is_undone),
	TEST(frto_tells_a_spurious_timeout_from_a_real_one),
	TEST(frto_steps_aside_where_it_cannot_tell),
	{ NULL, NULL },
};

int
suite_rack(void)
{
	return add_suite("RACK-TLP (RFC 8985), D-SACK (RFC 2883), spurious timeouts (RFC 4015, RFC 5682)",
			 cases);
}
