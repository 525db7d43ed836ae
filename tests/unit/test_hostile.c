/* test_hostile.c - what an off-path attacker, a hostile peer or a bad path can send: one test per defect a review found (TS.Recent, TIME_WAIT FINs, out-of-order FINs, MAX.SND.WND, wrapping arithmetic, blind SYNs). */
#include <string.h>

#include "harness.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"
#include "tw.h"

#define S 1000000ULL

static struct harness H;

/*
 * RFC 7323 §4.3: TS.Recent moves only for a segment that is then accepted. A blind segment at
 * RCV.NXT with an unacceptable ACK and a huge TSval used to move it, and PAWS then dropped every
 * real segment of the peer.
 */
static void
ts_recent_moves_only_for_accepted_segments(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_TS;
	h_establish_with(h, TCP_HAVE_TIMESTAMP);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1001);
	s = h_data_seg(h, 1, 10, 0);
	s.ack = h->t.snd_max + 100000;		/* acknowledges what was never sent */
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 0x7ffffff0u;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_ACK_INVALID);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1001);
	h_clear(h);
	/* the real peer's next segment is not taken for an old duplicate */
	s = h_data_seg(h, 1, 10, 1);
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 1002;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 10);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1002);
	h_finish(h);
}

static unsigned int tw_moves;

static void
tw_key(void *arg, struct tcp_tw *tw, bool add)
{
	(void)arg;
	(void)tw;
	tw_moves += add;
}

/*
 * TIME_WAIT: only the peer's retransmitted FIN restarts 2*MSL (and moves the entry to a new slot
 * of the ring); any other FIN is answered like a stray segment, and an entry sends at most one
 * ACK per ~0.5 s. A stream of FINs to one tuple used to flush every other entry of the worker and
 * draw an ACK each.
 */
static void
time_wait_fins_and_acks_are_bounded(void)
{
	struct harness *h = &H;
	struct tcp_tw mem[8], *tw;
	struct tcp_tw_table tb = { 0 };
	struct tcp_seg s;
	struct tcp_out o;
	uint16_t drop;
	uint64_t acks;

	tw_moves = 0;
	h_time_wait(h, 10 * S);			/* the peer's FIN is rel. seq 1 */
	tcp_tw_init(&tb, mem, 8);
	tb.key = tw_key;
	tb.key_arg = NULL;
	tw = tcp_tw_add(&h->c, &tb, &h->t);
	tcp_abort(&h->c, &h->t);
	/* FINs elsewhere in the sequence space: answered (once), never re-armed */
	for (uint32_t i = 0; i < 100; i++) {
		s = h_seg(h, TCP_FIN | TCP_ACK, 1000 + i * 10, 2, 0);
		tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop);
	}
	CU_ASSERT_EQUAL(tw_moves, 0);
	CU_ASSERT(tw->flags & TW_LIVE);
	CU_ASSERT_EQUAL(tw->expire_us, 10 * S + h->cfg.time_wait_us);
	CU_ASSERT_EQUAL(h->st.tw_acks, 1);
	CU_ASSERT_EQUAL(h->st.tw_acks_limited, 99);
	/* stray data and old SYNs: the same single ACK per tick */
	acks = h->st.tw_acks;
	s = h_seg(h, TCP_ACK, 5, 2, 10);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_DROP);
	CU_ASSERT_EQUAL(h->st.tw_acks, acks);
	/* a tick later, the real retransmitted FIN (it ends at RCV.NXT): ACKed and re-armed */
	h->c.now += 1ULL << TW_ACK_TICK_SHIFT;
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 2, 0);
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_ACK);
	CU_ASSERT_EQUAL(o.ack, h->peer_iss + 2);
	CU_ASSERT_EQUAL(tw_moves, 1);
	tw = &mem[1];
	CU_ASSERT_EQUAL(tw->expire_us, h->c.now + h->cfg.time_wait_us);
	/* again within the same tick: neither ACKed nor moved */
	CU_ASSERT_EQUAL(tcp_tw_input(&h->c, &tb, tw, &s, &o, &drop), TW_DROP);
	CU_ASSERT_EQUAL(tw_moves, 1);
	h->c.now = tw->expire_us;
	CU_ASSERT_EQUAL(tcp_tw_expire(&h->c, &tb, 8), 1);
	h_no_leaks(h);
}

/* The peer's out-of-order FIN, then data beyond it: the data is not the peer's (nothing follows
 * a FIN), and the FIN still closes the stream once the hole fills. It used to be forgotten. */
static void
out_of_order_fin_survives_data_beyond_it(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	void *pkt;
	unsigned int got = 0;
	uint32_t ev = 0;

	h_established(h, 1 * S);
	s = h_data_seg(h, 101, 100, 1);		/* [101, 201) and the FIN, beyond a hole */
	s.flags |= TCP_FIN;
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_HELD);
	s = h_data_seg(h, 201, 100, 2);		/* beyond the FIN */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_DATA_CLOSED);
	CU_ASSERT_EQUAL(h->st.ooo_held, 1);
	s = h_data_seg(h, 1, 100, 3);		/* the hole */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 100);
	while (tcp_reasm_next(&h->c, &h->t, &rx, &pkt)) {
		got += rx.data_len;
		ev |= rx.events;
	}
	CU_ASSERT_EQUAL(got, 100);
	CU_ASSERT(ev & TCP_EV_PEER_FIN);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	CU_ASSERT_EQUAL(h->t.rcv_nxt - h->t.irs, 202);
	CU_ASSERT_EQUAL(h->st.ooo_held, 0);
	h_finish(h);

	/* the other order: data held beyond where a FIN then turns out to be is let go */
	h_established(h, 1 * S);
	s = h_data_seg(h, 201, 100, 4);
	h_input(h, &s, &rx);
	s = h_data_seg(h, 101, 100, 5);
	s.flags |= TCP_FIN;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->st.ooo_held, 1);
	s = h_data_seg(h, 1, 100, 6);
	h_input(h, &s, &rx);
	got = 0;
	while (tcp_reasm_next(&h->c, &h->t, &rx, &pkt))
		got += rx.data_len;
	CU_ASSERT_EQUAL(got, 100);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	h_finish(h);
}

/* RFC 5961 §5.2 bounds old ACKs by the largest window the peer has offered, not by 65535 shifted
 * by its scale (with a shift of 7 that let 8 MiB of stale ACK space pass). */
static void
old_acks_are_bounded_by_the_window_offered(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t max_wnd;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_WS;
	h_establish_with(h, TCP_HAVE_WSCALE);
	CU_ASSERT_EQUAL(h->t.snd_ws, 7);
	max_wnd = (uint32_t)h->t.max_wnd_raw << 7;
	CU_ASSERT(max_wnd > 0 && max_wnd < 70000);	/* the ACK offered 65535 bytes */
	h_send_segments(h, 4);
	h_clear(h);
	/* just beyond what the peer can still be acknowledging from an old window */
	s = h_seg(h, TCP_ACK, 1, 0, 0);
	s.ack = h->t.snd_una - max_wnd - 1;
	s.wnd = 512;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_ACK_INVALID);
	/* within it: an old duplicate ACK, accepted */
	s.ack = h->t.snd_una - max_wnd + 1;
	h_input(h, &s, &rx);
	CU_ASSERT_NOT_EQUAL(rx.drop, TCPE_DROP_TCP_ACK_INVALID);
	h_finish(h);
}

/* Arithmetic that used to wrap: a keepalive of two hours (32-bit microseconds held 71 minutes),
 * an RTT sample from a hostile echoed timestamp (r << 3), cwnd inflation by endless duplicate
 * ACKs in fast recovery. */
static void
large_values_do_not_wrap(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;
	uint32_t cap;
	uint32_t before;

	h_init(h, 1 * S);
	h->cfg.keepalive_us = 7200 * S;
	h_establish(h);
	tcp_output(&h->c, &h->t);		/* quiet: the keepalive timer starts */
	h_advance(h, 7201 * S - 10000);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h_advance(h, 7201 * S + 20000);
	CU_ASSERT_EQUAL(h->q.n, 1);		/* the first probe, at two hours */
	h_finish(h);

	h_established(h, 1 * S);
	tcp_rtt_sample(&h->c, &h->t, 1000);
	before = h->t.srtt8;
	tcp_rtt_sample(&h->c, &h->t, 0xf0000000u);	/* ~67 minutes */
	CU_ASSERT(h->t.srtt8 > before);
	CU_ASSERT(h->t.srtt8 >> 3 <= h->cfg.rto_max_us);
	CU_ASSERT_EQUAL(h->t.rto_us, h->cfg.rto_max_us);
	h_finish(h);

	h_established(h, 1 * S);
	h_send_segments(h, 10);
	h_clear(h);
	for (unsigned int i = 0; i < 1000; i++) {
		s = h_seg(h, TCP_ACK, 1, 1, 0);
		s.wnd = 65535;
		h_input(h, &s, &rx);
		h_clear(h);
	}
	CU_ASSERT(h->t.flags & TCB_RECOVERY);
	cap = h->t.ssthresh + 3 * h->t.snd_mss + (h->t.snd_max - h->t.snd_una);
	CU_ASSERT(h->t.cwnd <= cap);
	h_finish(h);
}

/* A SYN without an ACK while we open: a blind one used to turn the open into SYN-RECEIVED with
 * the attacker's sequence number, and the real SYN-ACK then ended it. */
static void
blind_syn_does_not_take_over_an_open(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_init(h, 1 * S);
	tcp_active_open(&h->c, &h->t, &h->tuple);
	h_clear(h);
	s = (struct tcp_seg){ .seq = 12345, .wnd = 1000, .flags = TCP_SYN };
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_SYN_IN_SYN_SENT);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_SENT);
	CU_ASSERT_EQUAL(h->q.n, 0);
	s = (struct tcp_seg){ .seq = h->peer_iss, .ack = h->t.iss + 1, .wnd = 29200,
			      .flags = TCP_SYN | TCP_ACK };
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.irs, h->peer_iss);
	h_finish(h);
}

/* Another ESTABLISHED record @p t on peer port @p port, next to h->t. */
static void
open_extra(struct harness *h, struct tcb *t, uint16_t port)
{
	struct tcp_tuple tuple = h->tuple;
	struct tcp_seg syn = { .seq = h->peer_iss, .wnd = 65535, .flags = TCP_SYN };
	struct tcp_seg ack;
	struct tcp_rx rx;

	tuple.rport = port;
	syn.opts.present = TCP_HAVE_MSS;
	syn.opts.mss = 1460;
	tcp_passive_open(&h->c, t, &tuple, &syn);
	ack = (struct tcp_seg){ .seq = h->peer_iss + 1, .ack = t->iss + 1, .wnd = 65535,
				.flags = TCP_ACK };
	tcp_input(&h->c, t, &ack, &rx);
	CU_ASSERT_EQUAL(t->state, TCP_ESTABLISHED);
	h_clear(h);
}

/* An out-of-order segment of 100 bytes at relative 1001 (a hole before it) for @p t. */
static void
ooo_for(struct harness *h, struct tcb *t, unsigned int pkt)
{
	struct tcp_seg s = { .seq = h->peer_iss + 1001, .ack = t->iss + 1, .len = 100,
			     .wnd = 65535, .flags = TCP_ACK, .pkt = h_pkt(pkt), .pkt_off = 54 };
	struct tcp_rx rx;

	tcp_input(&h->c, t, &s, &rx);
	h_clear(h);
}

/*
 * The out-of-order store is shared by a worker's connections: when its queues or its packets run
 * out, the connection whose hole has waited longest gives its data up, and data whose hole never
 * moves ages out. Connections each holding a byte beyond a hole used to disable reassembly for
 * every other connection, forever.
 */
static void
out_of_order_holders_cannot_keep_the_store(void)
{
	struct harness *h = &H;
	struct tcb t[5];

	h_init(h, 1 * S);
	memset(t, 0, sizeof(t));
	for (unsigned int i = 0; i < 5; i++)
		open_extra(h, &t[i], (uint16_t)(0x1000 + i));
	for (unsigned int i = 0; i < 4; i++) {		/* the harness's pool has 4 queues */
		h->c.now += 1000;
		ooo_for(h, &t[i], i);
		CU_ASSERT_PTR_NOT_NULL(t[i].rq);
	}
	h->c.now += 1000;
	ooo_for(h, &t[4], 4);				/* no queue left: t[0]'s is the oldest */
	CU_ASSERT_PTR_NOT_NULL(t[4].rq);
	CU_ASSERT_PTR_NULL(t[0].rq);
	CU_ASSERT_EQUAL(h->st.ooo_reclaimed, 1);
	CU_ASSERT_EQUAL(h->st.ooo_held, 4);
	/* the packet budget too: with room for 4 packets, a fifth connection's takes t[1]'s */
	h->cfg.reasm_max_pkts = 4;
	h->c.now += 1000;
	ooo_for(h, &t[0], 5);
	CU_ASSERT_PTR_NOT_NULL(t[0].rq);
	CU_ASSERT_PTR_NULL(t[1].rq);
	CU_ASSERT_EQUAL(h->st.ooo_held, 4);
	/* and nothing is held for ever: past the age limit every queue is given up */
	h->c.now += 10 * S;
	CU_ASSERT_EQUAL(tcp_reasm_expire(&h->c, 10 * S, 8), 4);
	CU_ASSERT_EQUAL(h->st.ooo_held, 0);
	CU_ASSERT_EQUAL(h->st.ooo_expired, 4);
	CU_ASSERT_EQUAL(h_pkts_freed, 6);
	for (unsigned int i = 0; i < 5; i++) {
		CU_ASSERT_PTR_NULL(t[i].rq);
		tcp_abort(&h->c, &t[i]);
	}
	h_clear(h);
	h_no_leaks(h);
}

/*
 * Path MTU (RFC 1191, RFC 5927, RFC 4821): a fragmentation-needed that quotes what is in flight
 * lowers the segment size and resends at once; one quoting anything else changes nothing; and
 * without any ICMP, repeated timeouts of full-size segments step the size down.
 */
static void
path_mtu_from_icmp_and_from_black_holes(void)
{
	struct harness *h = &H;
	uint32_t ev = 0;

	h_established(h, 1 * S);
	CU_ASSERT_EQUAL(h->t.snd_mss, 1400);
	h_send_segments(h, 4);
	h_clear(h);
	CU_ASSERT_FALSE(tcp_pmtu_toobig(&h->c, &h->t, h->t.snd_max + 10, 1300));	/* not sent */
	CU_ASSERT_FALSE(tcp_pmtu_toobig(&h->c, &h->t, h->t.snd_una - 1, 1300));	/* acked */
	CU_ASSERT_EQUAL(h->t.snd_mss, 1400);
	CU_ASSERT_TRUE(tcp_pmtu_toobig(&h->c, &h->t, h->t.snd_una + 1400, 1300));
	CU_ASSERT_EQUAL(h->t.snd_mss, 1260);
	CU_ASSERT_EQUAL(h->st.pmtu_reduced, 1);
	tcp_output(&h->c, &h->t);			/* resent from SND.UNA at the new size */
	CU_ASSERT(h->q.n >= 4);
	CU_ASSERT_EQUAL(h->q.d[0].o.seq, h->t.snd_una);
	CU_ASSERT_EQUAL(h->q.d[0].o.len, 1260);
	CU_ASSERT_TRUE(tcp_pmtu_toobig(&h->c, &h->t, h->t.snd_una, 100));	/* floor: 576 */
	CU_ASSERT_EQUAL(h->t.snd_mss, 536);
	h_finish(h);

	/* no ICMP at all: after the second timeout of a full-size segment, 1024; after the fourth,
	 * 536 */
	h_established(h, 1 * S);
	h_send_segments(h, 2);
	for (unsigned int i = 1; i <= 4 && !(ev & TCP_EV_FREE); i++) {
		h_clear(h);
		ev = h_advance(h, h->c.now + h->t.rto_us + 10000);
		if (i == 2)
			CU_ASSERT_EQUAL(h->t.snd_mss, TCP_BLACKHOLE_MSS);
	}
	CU_ASSERT_EQUAL(h->t.snd_mss, 536);
	CU_ASSERT_EQUAL(h->st.pmtu_blackhole, 2);
	h_finish(h);
}

static const struct test_case cases[] = {
	TEST(ts_recent_moves_only_for_accepted_segments),
	TEST(time_wait_fins_and_acks_are_bounded),
	TEST(out_of_order_fin_survives_data_beyond_it),
	TEST(old_acks_are_bounded_by_the_window_offered),
	TEST(large_values_do_not_wrap),
	TEST(blind_syn_does_not_take_over_an_open),
	TEST(out_of_order_holders_cannot_keep_the_store),
	TEST(path_mtu_from_icmp_and_from_black_holes),
	{ NULL, NULL },
};

int
suite_hostile(void)
{
	return add_suite("hostile peers and bad paths", cases);
}
