/* test_conn.c - connection-level options and lifecycles with time as a variable: RFC 7323, keepalive, SYN cookies, compact TIME_WAIT, active open. */
#include <arpa/inet.h>
#include <string.h>

#include "harness.h"
#include "seq.h"
#include "tcp_priv.h"
#include "tcp_suites.h"
#include "tw.h"

#define S 1000000ULL	/* one second in microseconds */
#define MS 1000ULL

static struct harness H;

static unsigned int tw_keyed, tw_unkeyed, tw_prefetched;
static const struct tcp_tw *tw_next;	/* the entry last named as the next to leave */

static void
tw_key_prefetch(void *arg, const struct tcp_tw *tw)
{
	(void)arg;
	tw_next = tw;
	tw_prefetched++;
}

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
window_scale_is_negotiated_and_applied(void)
{
	struct harness *h = &H;
	struct tcp_seg s;

	h_init(h, 1 * S);
	h->cfg.features = TCB_OPT_WS;
	h->cfg.rcv_wnd = 200000;
	h->cfg.rcv_ws = 2;
	h_establish_with(h, TCP_HAVE_WSCALE);
	CU_ASSERT(h->t.opt & TCB_OPT_WS);
	CU_ASSERT_EQUAL(h->t.snd_ws, 7);
	CU_ASSERT_EQUAL(h->t.snd_wnd, (65535u >> 7) << 7);	/* the handshake's ACK is scaled */
	h->t.rcv_wnd = 200000;
	tcp_emit_ack(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.d[0].o.wnd, 50000);	/* 200000 >> 2 */
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
	h_establish_with(h, 0);
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
	h_establish_with(h, TCP_HAVE_TIMESTAMP);
	CU_ASSERT(h->t.opt & TCB_OPT_TS);
	CU_ASSERT_EQUAL(h->t.ts_recent, 1001);
	s = h_data_seg(h, 1, 100, 0);
	s.opts.present = TCP_HAVE_TIMESTAMP;
	s.opts.ts_val = 2000;
	h_input(h, &s, &rx);
	CU_ASSERT_EQUAL(rx.data_len, 100);
	CU_ASSERT_EQUAL(h->t.ts_recent, 2000);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[0].o.opt, h->q.d[0].o.optlen, &o), 0);
	CU_ASSERT(o.present & TCP_HAVE_TIMESTAMP);
	CU_ASSERT_EQUAL(o.ts_ecr, 2000);
	CU_ASSERT_EQUAL(o.ts_val, tcp_ts_now(&h->c, &h->t));
	h_clear(h);
	/* an old duplicate from before a wrap of the sequence space: right seq, old timestamp */
	s = h_data_seg(h, 101, 100, 0);
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
	h_establish_with(h, TCP_HAVE_TIMESTAMP);
	h_send_segments(h, 1);
	h_clear(h);
	h_advance(h, 2 * S + 10 * MS);		/* RTO: resent, Karn stops the timed sample */
	CU_ASSERT_EQUAL(h->q.n, 1);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[0].o.opt, h->q.d[0].o.optlen, &o), 0);
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
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 0, 1, 0);	/* SND.UNA - 1: the peer must answer */
	h_clear(h);
	/* the peer answers: the next probe waits a full keepalive time again */
	s = h_seg(h, TCP_ACK, 1, 1, 0);
	h_input(h, &s, NULL);
	h_advance(h, 12 * S + 20 * MS);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h_advance(h, 21 * S + 20 * MS);
	CU_ASSERT_EQUAL(h->q.n, 1);
	/* silence: probes every interval, then a reset after the third */
	for (unsigned int i = 0; i < 3 && !(ev & TCP_EV_FREE); i++)
		ev = h_advance(h, (22 + i) * S + (i + 1) * 50 * MS);
	CU_ASSERT(ev & TCP_EV_FREE);
	CU_ASSERT_EQUAL(h->st.keepalive_tx, 4);
	CU_ASSERT_EQUAL(h->st.keepalive_timeouts, 1);
	CU_ASSERT_EQUAL(h->q.d[h->q.n - 1].o.flags, TCP_RST | TCP_ACK);
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

/* The end of compact_time_wait_rules(): expiry in order after 2*MSL; a full table lets the
 * oldest go early, counted, and names the next to leave (its flow-table buckets are fetched). */
static void
tw_expiry_and_eviction(struct harness *h, struct tcp_tw_table *tb)
{
	for (unsigned int i = 0; i < 5; i++) {
		h->c.now = 100 * S + i;
		tcp_tw_add(&h->c, tb, &h->t);
	}
	CU_ASSERT_EQUAL(h->st.tw_evicted, 1);
	CU_ASSERT_EQUAL(h->st.tw_entries, 4);
	CU_ASSERT(tw_prefetched >= 1);
	CU_ASSERT_PTR_EQUAL(tw_next, &tb->e[tb->head & tb->mask]);
	CU_ASSERT(tw_next->flags & TW_LIVE);
	h->c.now = 100 * S + h->cfg.time_wait_us + 2;
	CU_ASSERT_EQUAL(tcp_tw_expire(&h->c, tb, 8), 2);	/* entries 1 and 2 (0 was evicted) */
	h->c.now += 10;
	CU_ASSERT_EQUAL(tcp_tw_expire(&h->c, tb, 8), 2);
	CU_ASSERT_EQUAL(h->st.tw_entries, 0);
	CU_ASSERT_EQUAL(h->st.state_now[TCP_TIME_WAIT], 0);
	CU_ASSERT_EQUAL(h->st.tw_expired, 4);
}

static void
compact_time_wait_rules(void)
{
	struct harness *h = &H;
	struct tcp_tw mem[4], *tw;
	struct tcp_tw_table tb = { 0 };
	struct tcp_seg s;
	struct tcp_out o;
	uint16_t drop;

	tw_keyed = tw_unkeyed = 0;
	h_time_wait(h, 10 * S);			/* we closed first; the peer's FIN is rel. seq 1 */
	tcp_tw_init(&tb, mem, 4);
	tb.key = tw_key;
	tb.key_prefetch = tw_key_prefetch;
	tb.key_arg = NULL;
	tw_prefetched = 0;
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

	tw_expiry_and_eviction(h, &tb);
	h_no_leaks(h);
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
	CU_ASSERT_EQUAL(h->q.n, 1);
	CU_ASSERT_EQUAL(h->q.d[0].o.flags, TCP_SYN);
	CU_ASSERT_EQUAL(h->q.d[0].o.seq, h->t.iss);
	CU_ASSERT_EQUAL(tcp_opts_parse(h->q.d[0].o.opt, h->q.d[0].o.optlen, &o), 0);
	CU_ASSERT_EQUAL(o.present, TCP_HAVE_MSS | TCP_HAVE_WSCALE | TCP_HAVE_SACK_PERM | TCP_HAVE_TIMESTAMP);
	h_clear(h);
	/* an ACK for something else draws <SEQ=SEG.ACK><CTL=RST> and changes nothing */
	s = (struct tcp_seg){ .seq = h->peer_iss, .ack = h->t.iss + 7, .wnd = 1000, .flags = TCP_ACK };
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT_EQUAL(h->q.n, 1);
	CU_ASSERT_EQUAL(h->q.d[0].o.flags, TCP_RST);
	CU_ASSERT_EQUAL(h->q.d[0].o.seq, h->t.iss + 7);
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

/* Our open, answered: SYN-ACK in (MSS 1400), the application queues @p len bytes of its request,
 * and output runs - with the port's transmit queue backed up (no room for new data) when
 * @p backed_up. */
static void
open_with_request(struct harness *h, uint32_t len, bool backed_up)
{
	struct tcp_seg s = { .seq = h->peer_iss, .wnd = 29200, .flags = TCP_SYN | TCP_ACK };
	struct tcp_rx rx;

	tcp_active_open(&h->c, &h->t, &h->tuple);
	h_clear(h);
	s.ack = h->t.iss + 1;
	s.opts.present = TCP_HAVE_MSS;
	s.opts.mss = 1400;
	tcp_input(&h->c, &h->t, &s, &rx);
	CU_ASSERT(rx.events & TCP_EV_ESTABLISHED);
	tcp_send_queued(&h->t, len);
	h->c.tx_budgeted = backed_up;
	h->c.tx_budget = 0;
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL((h->t.flags & TCB_TX_WAIT) != 0, backed_up);
}

/*
 * The handshake's third segment rides on the request when the request has to wait for a
 * backed-up port: no lone ACK goes into the full queue; the request carries it once the port
 * takes frames, or the delayed-ACK timer sends it if the port stays full. Without delayed ACKs
 * (--delack-ms 0) it goes at once, as before.
 */
static void
handshake_ack_rides_on_request_behind_full_port(void)
{
	struct harness *h = &H;

	h_init(h, 1 * S);
	h->cfg.delack_us = 40 * MS;
	open_with_request(h, 100, true);
	CU_ASSERT_EQUAL(h->q.n, 0);
	CU_ASSERT(h->t.flags & TCB_DACK);
	CU_ASSERT_EQUAL(h->st.acks_on_data, 1);
	h->c.tx_budget = 8;			/* room again: the request carries the ACK */
	tcp_output(&h->c, &h->t);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 1, 100);
	CU_ASSERT_FALSE(h->t.flags & (TCB_DACK | TCB_ACK_NOW | TCB_TX_WAIT));
	h->c.tx_budgeted = false;
	h_clear(h);
	h->c.now += 40 * MS;			/* the delayed-ACK timer finds nothing owed */
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->q.n, 0);
	CU_ASSERT_EQUAL(h->st.delayed_acks, 0);
	h_finish(h);

	/* the port stays backed up: the delayed-ACK timer sends the ACK, the request waits */
	h_init(h, 1 * S);
	h->cfg.delack_us = 40 * MS;
	open_with_request(h, 100, true);
	CU_ASSERT_EQUAL(h->q.n, 0);
	h->c.now += 40 * MS;
	tcp_dack_run(&h->c);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(h->st.delayed_acks, 1);
	h->c.tx_budgeted = false;
	h_finish(h);

	/* no delayed ACKs configured: the ACK goes at once, the request waits */
	h_init(h, 1 * S);
	open_with_request(h, 100, true);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK, 1, 1, 0);
	CU_ASSERT_EQUAL(h->st.acks_on_data, 0);
	h->c.tx_budgeted = false;
	h_finish(h);

	/* the port has room: the request goes at once, carrying the ACK, as always */
	h_init(h, 1 * S);
	h->cfg.delack_us = 40 * MS;
	open_with_request(h, 100, false);
	CU_ASSERT_EQUAL(h->q.n, 1);
	EXPECT_OUT(h, 0, TCP_ACK | TCP_PSH, 1, 1, 100);
	CU_ASSERT_EQUAL(h->st.acks_on_data, 0);
	h_finish(h);
}

/* The per-worker cache of timestamp offsets gives exactly what the keyed hash gives, for pairs
 * that collide in it too, and one pair keeps one offset whatever its ports. */
static void
ts_offset_cache_agrees_with_the_hash(void)
{
	struct harness *h = &H;
	struct tcp_ts_cache cache[TCP_TS_CACHE];
	struct tcp_ctx plain;
	unsigned int hits = 0;

	h_init(h, 1 * S);
	memset(cache, 0, sizeof(cache));
	plain = h->c;
	plain.ts_cache = NULL;
	h->c.ts_cache = cache;
	for (uint32_t i = 0; i < 4000; i++) {
		struct tcp_tuple t = { .laddr = htonl(0xc6120001u + (i % 300)),
				       .raddr = htonl(0xc6130001u + (i % 7) * 977),
				       .lport = htons((uint16_t)(1024 + i)), .rport = htons(80) };
		uint32_t want = tcp_ts_offset(&plain, &t);
		const struct tcp_ts_cache *e =
			&cache[((t.laddr ^ (t.raddr * 0x9e3779b1u)) * 0x85ebca6bu) >>
			       (32 - TCP_TS_CACHE_BITS)];

		CU_ASSERT_EQUAL_FATAL(tcp_ts_offset(&h->c, &t), want);
		/* now remembered, so the next call for the pair is answered from the cache */
		hits += e->laddr == t.laddr && e->raddr == t.raddr && e->off == want;
		t.lport = htons((uint16_t)(60000 - i));
		CU_ASSERT_EQUAL_FATAL(tcp_ts_offset(&h->c, &t), want);	/* ports do not matter */
	}
	CU_ASSERT_EQUAL(hits, 4000);
	h->c.ts_cache = NULL;
	h_finish(h);
}

static const struct test_case cases[] = {
	TEST(window_scale_is_negotiated_and_applied),
	TEST(ts_offset_cache_agrees_with_the_hash),
	TEST(paws_drops_old_timestamps_and_echoes_ts_recent),
	TEST(echoed_timestamp_gives_rtt_after_retransmission),
	TEST(keepalive_probes_then_resets),
	TEST(syn_cookie_round_trip),
	TEST(compact_time_wait_rules),
	TEST(active_open_handshake_refusal_and_timeout),
	TEST(handshake_ack_rides_on_request_behind_full_port),
	{ NULL, NULL },
};

int
suite_conn(void)
{
	return add_suite("tcp options, cookies, TIME_WAIT, active open", cases);
}
