/* test_tcp.c - the RFC 9293 state machine: handshake, both close orders, RST/SYN rules, timers. */
#include <string.h>

#include "harness.h"
#include "seq.h"
#include "tcp_suites.h"

#define S 1000000ULL	/* one second in microseconds */

static struct harness H;

static void
passive_open_sends_synack_with_mss(void)
{
	struct harness *h = &H;
	struct tcp_seg syn = { .seq = 0xfffffff0u, .wnd = 29200, .flags = TCP_SYN };
	struct tcp_opts o;

	h_init(h, 5 * S);
	syn.opts.present = TCP_HAVE_MSS;
	syn.opts.mss = 1400;
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_RCVD);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_SYN | TCP_ACK, 0, 1, 0);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[0].o.opt, h->q.d[0].o.optlen, &o), 0);
	CU_ASSERT(o.present & TCP_HAVE_MSS);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_EQUAL(h->t.snd_mss, 1400);	/* the peer's, smaller than ours */
	CU_ASSERT_EQUAL(h->q.d[0].o.wnd, 65535);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_SYN_RCVD], 1);
	h_finish(h);
}

/* The seed notes' worked example, from the server's side: greeting, then our FIN first. */
static void
hello_close_matches_seed_table(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 5 * S);
	tcp_send_queued(&h->t, 12);
	tcp_close(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.state, TCP_FIN_WAIT_1);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 2);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 1, 12);	/* row 4: data, separate from the FIN */
	EXPECT_OUT(h, 1, TCP_FIN | TCP_ACK, 13, 1, 0);	/* row 6 */
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 13, 0);		/* row 5 */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.acked, 12);
	CU_ASSERT_EQUAL(h->t.state, TCP_FIN_WAIT_1);
	s = h_seg(h, TCP_ACK, 1, 14, 0);		/* row 7 */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.acked, 0);			/* a FIN is not application data */
	CU_ASSERT_EQUAL(h->t.state, TCP_FIN_WAIT_2);
	CU_ASSERT_EQUAL(h->q.n, 0);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 14, 0);	/* row 8 */
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_PEER_FIN);
	CU_ASSERT_EQUAL(h->t.state, TCP_TIME_WAIT);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 14, 2, 0);		/* row 9 */
	CU_ASSERT_EQUAL(h_advance(h, 5 * S + 59 * S), 0);	/* 2*MSL not over yet */
	CU_ASSERT_EQUAL(h->t.state, TCP_TIME_WAIT);
	CU_ASSERT(h_advance(h, 5 * S + 61 * S) & TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSED);
	CU_ASSERT_EQUAL(h->st.tw_expired, 1);
	h_no_leaks(h);
}

/* An application that asks for it (fin_with_data) gets data and FIN in one segment, also when
 * that segment is retransmitted; the ACK of both moves on to FIN_WAIT_2. */
static void
fin_rides_on_the_last_data_segment(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 5 * S);
	tcp_send_queued(&h->t, 100);
	h->t.flags |= TCB_FIN_DATA;
	tcp_close(&h->c, &h->t);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH | TCP_FIN, 1, 1, 100);
	CU_ASSERT_EQUAL(h->t.snd_nxt, h->t.snd_end + 1);
	h_clear(h);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 0);			/* no second FIN */
	h_advance(h, 5 * S + 2 * S);			/* RTO: the same segment again */
	CU_ASSERT(h->q.n >= 1);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH | TCP_FIN, 1, 1, 100);
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 101, 0);		/* data acked, FIN not yet */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.acked, 100);
	CU_ASSERT_EQUAL(h->t.state, TCP_FIN_WAIT_1);
	s = h_seg(h, TCP_ACK, 1, 102, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->t.state, TCP_FIN_WAIT_2);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 102, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->t.state, TCP_TIME_WAIT);
	CU_ASSERT(h_advance(h, 5 * S + 70 * S) & TCP_EV_FREE);
	h_no_leaks(h);
}

static void
peer_closes_first_close_wait_last_ack(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 1, 0);
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_PEER_FIN);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 2, 0);
	h_clear(h);
	tcp_close(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->t.state, TCP_LAST_ACK);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_FIN | TCP_ACK, 1, 2, 0);
	s = h_seg(h, TCP_ACK, 2, 2, 0);
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSED);
	h_no_leaks(h);
}

static void
simultaneous_close_goes_through_closing(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_established(h, 1 * S);
	tcp_close(&h->c, &h->t);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_FIN | TCP_ACK, 1, 1, 0);
	h_clear(h);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 1, 0);	/* crosses ours: does not ack our FIN */
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSING);
	EXPECT_OUT(h, 0, TCP_ACK, 2, 2, 0);
	s = h_seg(h, TCP_ACK, 2, 2, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.state, TCP_TIME_WAIT);
	CU_ASSERT(h_advance(h, 62 * S) & TCP_EV_FREE);
	h_no_leaks(h);
}

static void
data_then_fin_is_delivered_in_order(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_ACK | TCP_PSH | TCP_FIN, 1, 1, 100);
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_DATA);
	CU_ASSERT(rx.events & TCP_EV_PEER_FIN);
	CU_ASSERT_EQUAL(rx.data_off, 0);
	CU_ASSERT_EQUAL(rx.data_len, 100);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSE_WAIT);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 102, 0);		/* data and FIN acked at once */
	h_finish(h);
}

static void
exact_rst_resets_established(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_RST, 1, 0, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.events & (TCP_EV_RESET | TCP_EV_FREE), TCP_EV_RESET | TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->t.state, TCP_CLOSED);
	CU_ASSERT_EQUAL(h->q.n, 0);			/* never answer a RST */
	CU_ASSERT_EQUAL(h->st.conn_reset, 1);
	h_no_leaks(h);
}

static void
in_window_rst_gets_challenge_ack(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_RST, 101, 0, 0);		/* in window, not RCV.NXT */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_RST_INVALID);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(h->st.challenge_acks, 1);
	h_finish(h);
}

static void
out_of_window_rst_is_dropped_silently(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_RST, 1 + 70000, 0, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_RST_INVALID);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h_finish(h);
}

static void
syn_in_established_gets_challenge_ack(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_SYN, 500, 0, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_SYN_SYNCED);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(h->st.challenge_acks, 1);
	h_finish(h);
}

static void
syn_rcvd_bad_ack_sends_rst(void)
{
	struct harness *h = &H;
	struct tcp_seg syn = { .seq = 0xfffffff0u, .wnd = 65535, .flags = TCP_SYN };
	struct tcp_seg s;

	h_init(h, 1 * S);
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 7, 0);			/* acks data never sent */
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_RCVD);
	CU_ASSERT_EQUAL(h->q.n, 1);
	CU_ASSERT_EQUAL(h->q.d[0].o.flags, TCP_RST);
	CU_ASSERT_EQUAL(h->q.d[0].o.seq, s.ack);		/* <SEQ=SEG.ACK><CTL=RST> */
	h_finish(h);
}

static void
duplicate_syn_resends_synack(void)
{
	struct harness *h = &H;
	struct tcp_seg syn = { .seq = 0xfffffff0u, .wnd = 65535, .flags = TCP_SYN };

	h_init(h, 1 * S);
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	h_input(h, &syn, NULL);
	CU_ASSERT_EQUAL(h->q.n, 2);
	EXPECT_OUT(h, 1, TCP_SYN | TCP_ACK, 0, 1, 0);
	CU_ASSERT_EQUAL(h->st.synack_rexmit, 1);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_RCVD);
	h_finish(h);
}

static void
closed_port_replies_follow_rfc9293(void)
{
	struct tcp_seg s = { .seq = 1000, .ack = 5000, .len = 10, .flags = TCP_ACK };
	struct tcp_out o;

	CU_ASSERT_TRUE(tcp_reply_closed(&s, &o));	/* ACK: <SEQ=SEG.ACK><CTL=RST> */
	CU_ASSERT_EQUAL(o.flags, TCP_RST);
	CU_ASSERT_EQUAL(o.seq, 5000);
	s.flags = TCP_SYN;				/* no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN> */
	CU_ASSERT_TRUE(tcp_reply_closed(&s, &o));
	CU_ASSERT_EQUAL(o.flags, TCP_RST | TCP_ACK);
	CU_ASSERT_EQUAL(o.seq, 0);
	CU_ASSERT_EQUAL(o.ack, 1011);			/* 10 bytes + the SYN */
	s.flags = TCP_RST | TCP_ACK;			/* a RST is never answered */
	CU_ASSERT_FALSE(tcp_reply_closed(&s, &o));
}

static void
unacceptable_segment_is_acked_and_dropped(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_ACK, 1 + 100000, 1, 50);	/* beyond the 64 KiB window */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_UNACCEPTABLE);
	CU_ASSERT_FALSE(rx.events & TCP_EV_DATA);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	h_finish(h);
}

static void
out_of_order_data_is_dup_acked(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_ACK, 1 + 1000, 1, 100);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_OOO_LIMIT);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);		/* still expecting byte 1 */
	CU_ASSERT_EQUAL(h->t.rcv_nxt, h->peer_iss + 1);
	h_finish(h);
}

static void
partly_old_data_is_trimmed(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_ACK, 1, 1, 100);
	h_input(h, &s, &rx);
	s = h_seg(h, TCP_ACK, 91, 1, 30);		/* bytes 91..120: 91..100 are old */
	h_input(h, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_DATA);
	CU_ASSERT_EQUAL(rx.data_off, 10);
	CU_ASSERT_EQUAL(rx.data_len, 20);
	CU_ASSERT_EQUAL(h->t.rcv_nxt, h->peer_iss + 121);
	h_finish(h);
}

static void
ack_of_unsent_data_is_acked_and_dropped(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 1 * S);
	s = h_seg(h, TCP_ACK, 1, 500, 0);
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.drop, TCPE_DROP_TCP_ACK_INVALID);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(h->t.snd_una, h->t.iss + 1);
	h_finish(h);
}

static void
data_is_cut_at_mss_and_peer_window(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_init(h, 1 * S);
	h_establish(h);				/* peer MSS 1400 */
	h->t.snd_wnd = 3000;
	tcp_send_queued(&h->t, 5000);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 2);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 1400);
	EXPECT_OUT(h, 1, TCP_ACK, 1401, 1, 1400);
	/* The window ends at 3000: a 200-byte runt would be silly-window syndrome (RFC 9293
	 * §3.8.6.2.1): under half the window and not the end of the data, so it waits. */
	h_clear(h);
	s = h_seg(h, TCP_ACK, 1, 2801, 0);
	s.wnd = 10000;
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->q.n, 2);
	EXPECT_OUT(h, 0, TCP_ACK, 2801, 1, 1400);
	EXPECT_OUT(h, 1, TCP_ACK | TCP_PSH, 4201, 1, 800);	/* PSH empties the queue */
	h_clear(h);
	/* A small window with nothing in flight: the runt goes (it is the whole window). */
	s = h_seg(h, TCP_ACK, 1, 5001, 0);
	s.wnd = 300;
	h_input(h, &s, NULL);
	tcp_send_queued(&h->t, 1000);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 5001, 1, 300);
	h_finish(h);
}

static void
synack_retransmits_with_backoff_then_gives_up(void)
{
	struct harness *h = &H;
	struct tcp_seg syn = { .seq = 0xfffffff0u, .wnd = 65535, .flags = TCP_SYN };
	uint64_t t = 0, rto = 1 * S;

	h_init(h, 0);
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	for (unsigned int i = 1; i <= 3; i++) {		/* 1 s, then 2 s, then 4 s */
		CU_ASSERT_EQUAL(h_advance(h, t + rto - 5000), 0);
		CU_ASSERT_EQUAL(h->q.n, i);		/* nothing early */
		t += rto + 5000;
		h_advance(h, t);
		rto *= 2;
		CU_ASSERT_EQUAL(h->q.n, i + 1);
		EXPECT_OUT(h, i, TCP_SYN | TCP_ACK, 0, 1, 0);
	}
	CU_ASSERT(h_advance(h, t + rto + 5000) & TCP_EV_FREE);	/* 3 retries, then gone */
	CU_ASSERT_EQUAL(h->q.n, 4);
	CU_ASSERT_EQUAL(h->st.synack_rexmit, 3);
	CU_ASSERT_EQUAL(h->st.conn_timeout, 1);
	h_no_leaks(h);
}

static void
data_rto_backs_off_then_resets(void)
{
	struct harness *h = &H;
	uint64_t t = 0, rto;
	uint32_t ev = 0;

	h_established(h, 0);
	/* the handshake's RTT sample is ~0, so the RTO is the configured floor (RFC 6298 §2.4) */
	rto = h->t.rto_us;
	CU_ASSERT_EQUAL(rto, h->cfg.rto_min_us);
	tcp_send_queued(&h->t, 100);
	tcp_output(&h->c, &h->t);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 1, 100);
	/* Each expiry re-arms from the moment it fired, with the RTO doubled (RFC 6298 §5.5). */
	for (unsigned int i = 1; i <= 4; i++) {
		CU_ASSERT_EQUAL(h_advance(h, t + rto - 5000), 0);	/* not early */
		CU_ASSERT_EQUAL(h->q.n, i);
		t += rto + 5000;
		h_advance(h, t);
		rto *= 2;
		CU_ASSERT_EQUAL(h->q.n, 1 + i);
		EXPECT_OUT(h, i, TCP_ACK | TCP_PSH, 1, 1, 100);	/* the same bytes again */
	}
	CU_ASSERT_EQUAL(h->st.retransmits, 4);
	t += rto + 5000;
	ev = h_advance(h, t);				/* 5th expiry > data_retries (4) */
	CU_ASSERT_EQUAL(ev & (TCP_EV_RESET | TCP_EV_FREE), TCP_EV_RESET | TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->q.d[h->q.n - 1].o.flags & TCP_RST, TCP_RST);
	CU_ASSERT_EQUAL(h->st.conn_timeout, 1);
	h_no_leaks(h);
}

static void
ack_stops_the_retransmission_timer(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_established(h, 0);
	tcp_send_queued(&h->t, 100);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_TRUE(tmr_armed(&h->t.timer));
	s = h_seg(h, TCP_ACK, 1, 101, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_FALSE(tmr_armed(&h->t.timer));
	h_advance(h, 10 * S);
	CU_ASSERT_EQUAL(h->q.n, 1);			/* no retransmission */
	h_finish(h);
}

static void
zero_window_is_probed(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_established(h, 0);
	s = h_seg(h, TCP_ACK, 1, 1, 0);
	s.wnd = 0;					/* same seq, same ack: it updates SND.WND */
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.snd_wnd, 0);
	tcp_send_queued(&h->t, 500);
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 0);			/* closed window: nothing */
	CU_ASSERT_TRUE(tmr_armed(&h->t.timer));		/* but the persist timer runs */
	h_advance(h, 1 * S + 2000);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 1);		/* one byte into the zero window */
	CU_ASSERT_EQUAL(h->st.zwp_tx, 1);
	h_finish(h);
}

static void
time_wait_reacks_fin_and_restarts_2msl(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_time_wait(h, 0);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 2, 0);
	h_clear(h);
	h_advance(h, 50 * S);
	h_input(h, &s, NULL);				/* our last ACK was lost: FIN again */
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 2, 2, 0);
	CU_ASSERT_EQUAL(h_advance(h, 100 * S), 0);	/* restarted at 50 s: still here at 100 */
	CU_ASSERT(h_advance(h, 111 * S) & TCP_EV_FREE);
	h_no_leaks(h);
}

static void
time_wait_reopens_for_a_higher_syn(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_time_wait(h, 0);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 2, 0);
	s = h_seg(h, TCP_SYN, 100000, 0, 0);
	CU_ASSERT_TRUE(tcp_time_wait_reopen(&h->t, &s));
	s = h_seg(h, TCP_SYN, 1, 0, 0);			/* not above the old sequence space */
	CU_ASSERT_FALSE(tcp_time_wait_reopen(&h->t, &s));
	s = h_seg(h, TCP_SYN | TCP_ACK, 100000, 0, 0);
	CU_ASSERT_FALSE(tcp_time_wait_reopen(&h->t, &s));
	tcp_timer_stop(&h->c, &h->t);
	tcp_set_state(&h->c, &h->t, TCP_CLOSED);
	h_no_leaks(h);
}

static void
window_reopening_is_announced(void)
{
	struct harness *h = &H;

	h_established(h, 0);
	h->t.rcv_wnd = 0;				/* the application stopped reading */
	h->t.rcv_adv = h->t.rcv_nxt;
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h->t.rcv_wnd = 20000;				/* it drained its queue */
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(h->q.d[0].o.wnd, 20000);
	h_finish(h);
}

static void
idle_timer_fires_when_quiet_and_restarts_on_activity(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	struct tcp_rx rx;

	h_established(h, 0);
	tcp_set_idle(&h->c, &h->t, 5 * S / 1000);
	tcp_output(&h->c, &h->t);			/* quiet: the idle timer starts */
	CU_ASSERT_EQUAL(h_advance(h, 4 * S), 0);
	s = h_seg(h, TCP_ACK | TCP_PSH, 1, 1, 10);	/* activity at 4 s */
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(h_advance(h, 8 * S), 0);	/* restarted: not at 5 s from the start */
	tcp_send_queued(&h->t, 100);			/* data in flight: the RTO owns the timer */
	tcp_output(&h->c, &h->t);
	CU_ASSERT_FALSE(h->t.flags & TCB_IDLE);
	s = h_seg(h, TCP_ACK, 11, 101, 0);		/* all acked: idle again from 8 s */
	h_input(h, &s, &rx);
	CU_ASSERT_TRUE(h->t.flags & TCB_IDLE);
	CU_ASSERT_EQUAL(h_advance(h, 12 * S), 0);
	CU_ASSERT_EQUAL(h_advance(h, 13 * S + 5000) & TCP_EV_IDLE, TCP_EV_IDLE);
	CU_ASSERT_EQUAL(h->st.idle_timeouts, 1);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);	/* the runtime decides what idle means */
	h_finish(h);
}

/* RFC 6298: the first sample sets SRTT = R and RTTVAR = R/2, so RTO = R + 4 * R/2 = 3R. */
static void
rtt_sample_sets_the_rto(void)
{
	struct harness *h = &H;
	struct tcp_seg syn = { .seq = 0xfffffff0u, .wnd = 65535, .flags = TCP_SYN };
	struct tcp_seg s;

	h_init(h, 0);
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	h->c.now = 100000;				/* the handshake ACK after 100 ms */
	s = h_seg(h, TCP_ACK, 1, 1, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->st.rtt_samples, 1);
	CU_ASSERT_EQUAL(h->t.srtt8 >> 3, 100000);
	CU_ASSERT_EQUAL(h->t.rto_us, 300000);
	CU_ASSERT_EQUAL(h->st.rtt_hist[TCPE_RTT_le_131ms], 1);
	CU_ASSERT_EQUAL(h->st.rtt_srtt_us, 100000);
	/* data timed and acked after 20 ms: SRTT 7/8*100 + 1/8*20 = 90 ms, RTTVAR 3/4*50 + 1/4*80 = 57.5 */
	tcp_send_queued(&h->t, 100);
	tcp_output(&h->c, &h->t);
	h->c.now = 120000;
	s = h_seg(h, TCP_ACK, 1, 101, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->st.rtt_samples, 2);
	CU_ASSERT_EQUAL(h->t.srtt8 >> 3, 90000);
	CU_ASSERT_EQUAL(h->t.rto_us, 90000 + 230000);
	CU_ASSERT_EQUAL(h->st.rtt_hist[TCPE_RTT_le_32ms], 1);
	h_finish(h);
}

/* Karn's rule: an ACK for retransmitted data gives no sample, and the backoff stays until one does. */
static void
retransmitted_data_gives_no_rtt_sample(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_established(h, 0);
	CU_ASSERT_EQUAL(h->st.rtt_samples, 1);		/* the handshake's */
	tcp_send_queued(&h->t, 100);
	tcp_output(&h->c, &h->t);
	h_advance(h, 2 * S);				/* RTO: resent */
	CU_ASSERT_EQUAL(h->st.retransmits, 1);
	s = h_seg(h, TCP_ACK, 1, 101, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->st.rtt_samples, 1);		/* ambiguous: not sampled */
	CU_ASSERT_FALSE(h->t.flags & TCB_RTT_TIMING);
	h_finish(h);
}

static void
rtt_buckets_are_powers_of_two(void)
{
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(0), TCPE_RTT_le_64us);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(64), TCPE_RTT_le_64us);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(65), TCPE_RTT_le_128us);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(1024), TCPE_RTT_le_1ms);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(1025), TCPE_RTT_le_2ms);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(1048576), TCPE_RTT_le_1s);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(1048577), TCPE_RTT_gt_1s);
	CU_ASSERT_EQUAL(tcpe_rtt_bucket(UINT64_MAX), TCPE_RTT_gt_1s);
}

/* A peer that keeps answering probes with a zero window is probed on, never reset. */
static void
answered_zero_window_probes_never_give_up(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	uint64_t t;

	h_established(h, 0);
	s = h_seg(h, TCP_ACK, 1, 1, 0);
	s.wnd = 0;
	h_input(h, &s, NULL);
	tcp_send_queued(&h->t, 500);
	tcp_output(&h->c, &h->t);
	t = 0;
	for (unsigned int i = 0; i < 3 * h->cfg.data_retries; i++) {
		t += h->t.rto_us + 2000;
		CU_ASSERT_FALSE(h_advance(h, t) & TCP_EV_FREE);
		s = h_seg(h, TCP_ACK, 1, 1, 0);		/* "still closed" */
		s.wnd = 0;
		h_input(h, &s, NULL);
	}
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(h->st.zwp_tx, 3 * h->cfg.data_retries);
	CU_ASSERT_EQUAL(h->st.conn_timeout, 0);
	h_finish(h);
}

/* RFC 5961 §7: a flood of in-window RSTs gets at most the (randomised) budget of challenge ACKs per
 * second; the budget comes back the next second; the connection survives it all. */
static void
challenge_acks_are_rate_limited(void)
{
	struct harness *h = &H;
	struct tcp_seg s;
	uint64_t sent1, sent2, wire = 0;

	h_established(h, 0);
	h->cfg.challenge_ack_limit = 100;
	h->c.now = 5ULL << 20;				/* the start of a budget window */
	for (unsigned int i = 0; i < 1000; i++) {
		h_clear(h);
		s = h_seg(h, TCP_RST, 2 + i, 0, 0);	/* in window, never exact */
		h_input(h, &s, NULL);
		wire += h->q.n;
	}
	sent1 = h->st.challenge_acks;
	CU_ASSERT(sent1 >= 50 && sent1 <= 150);		/* limit/2 .. limit*3/2 */
	CU_ASSERT_EQUAL(wire, sent1);			/* what was counted is what went out */
	CU_ASSERT_EQUAL(h->st.challenge_acks_limited, 1000 - sent1);
	h->c.now = 6ULL << 20;				/* the next window: a new budget */
	s = h_seg(h, TCP_SYN, 40, 0, 0);
	h_input(h, &s, NULL);
	sent2 = h->st.challenge_acks;
	CU_ASSERT_EQUAL(sent2, sent1 + 1);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	h->cfg.challenge_ack_limit = 0;			/* 0: unlimited */
	h->c.now = 6ULL << 20;
	for (unsigned int i = 0; i < 300; i++) {
		h_clear(h);
		s = h_seg(h, TCP_RST, 2 + i, 0, 0);
		h_input(h, &s, NULL);
	}
	CU_ASSERT_EQUAL(h->st.challenge_acks, sent2 + 300);
	h_finish(h);
}

static const struct test_case cases[] = {
	TEST(passive_open_sends_synack_with_mss),
	TEST(hello_close_matches_seed_table),
	TEST(fin_rides_on_the_last_data_segment),
	TEST(peer_closes_first_close_wait_last_ack),
	TEST(simultaneous_close_goes_through_closing),
	TEST(data_then_fin_is_delivered_in_order),
	TEST(exact_rst_resets_established),
	TEST(in_window_rst_gets_challenge_ack),
	TEST(out_of_window_rst_is_dropped_silently),
	TEST(syn_in_established_gets_challenge_ack),
	TEST(syn_rcvd_bad_ack_sends_rst),
	TEST(duplicate_syn_resends_synack),
	TEST(closed_port_replies_follow_rfc9293),
	TEST(unacceptable_segment_is_acked_and_dropped),
	TEST(out_of_order_data_is_dup_acked),
	TEST(partly_old_data_is_trimmed),
	TEST(ack_of_unsent_data_is_acked_and_dropped),
	TEST(data_is_cut_at_mss_and_peer_window),
	TEST(synack_retransmits_with_backoff_then_gives_up),
	TEST(data_rto_backs_off_then_resets),
	TEST(ack_stops_the_retransmission_timer),
	TEST(zero_window_is_probed),
	TEST(time_wait_reacks_fin_and_restarts_2msl),
	TEST(time_wait_reopens_for_a_higher_syn),
	TEST(window_reopening_is_announced),
	TEST(idle_timer_fires_when_quiet_and_restarts_on_activity),
	TEST(rtt_sample_sets_the_rto),
	TEST(retransmitted_data_gives_no_rtt_sample),
	TEST(rtt_buckets_are_powers_of_two),
	TEST(answered_zero_window_probes_never_give_up),
	TEST(challenge_acks_are_rate_limited),
	{ NULL, NULL },
};

int
suite_tcp(void)
{
	return add_suite("tcp state machine", cases);
}
