/* harness.c - the TCP core under test: captured output, manual clock, peer-relative segment builder. */
#include "harness.h"

#include <stdio.h>
#include <string.h>

unsigned int h_pkts_freed;

static void
count_free(void *pkt)
{
	CU_ASSERT_PTR_NOT_NULL(pkt);
	h_pkts_freed++;
}

void
h_init(struct harness *h, uint64_t now_us)
{
	struct tmr_space recs, models;

	memset(h, 0, sizeof(*h));
	h->cfg.mss = 1460;
	h->cfg.rcv_wnd = 65535;
	h->cfg.rto_init_us = 1000000;
	h->cfg.rto_min_us = 200000;
	h->cfg.rto_max_us = 60000000;
	h->cfg.synack_retries = 3;
	h->cfg.data_retries = 4;
	h->cfg.orphan_retries = 2;
	h->cfg.time_wait_us = 60000000;
	h->cfg.fin_wait2_us = 30000000;
	h->cfg.challenge_ack_limit = 1000;
	h->cfg.init_cwnd = 10;
	h->cfg.reasm_max_pkts = 256;
	h->cfg.keepalive_intvl_us = 1000000;
	h->cfg.keepalive_probes = 3;
	memset(h->cfg.isn_key, 0x5a, sizeof(h->cfg.isn_key));
	h->c.cfg = &h->cfg;
	h->c.st = &h->st;
	h->c.now = now_us;
	h->c.outq = &h->q;
	h->c.pkt_free = count_free;
	h_pkts_freed = 0;
	tcp_reasm_pool_init(&h->c, h->reasm, 4);
	tcp_sb_pool_init(&h->c, h->sbs, 4);
	tcp_bbr_pool_init(&h->c, h->bbrs, 2);
	tcp_cubic_pool_init(&h->c, h->cubics, 2);
	tmr_space_init(&models, &h->bbrs[0].pace, sizeof(h->bbrs[0]));
	tmr_space_init(&recs, &h->t.timer, sizeof(h->t));
	CU_ASSERT_EQUAL(tmr_wheel_init(&h->c.pace_wheel, h->pace_slots, 256, BBR_PACE_TICK_SHIFT,
				       now_us, &models), 0);
	tcp_dack_init(&h->c, &h->dack, h->dack_ents, 16);
	CU_ASSERT_EQUAL(tmr_wheel_init(&h->c.wheel, h->slots, 256, 10, now_us, &recs), 0);
	CU_ASSERT_EQUAL(tmr_fifo_init(&h->c.time_wait, h->cfg.time_wait_us, &recs), 0);
	CU_ASSERT_EQUAL(tmr_fifo_init(&h->c.fin_wait2, h->cfg.fin_wait2_us, &recs), 0);
	h->tuple = (struct tcp_tuple){ .raddr = 0x020012c6, .laddr = 0x010012c6,
				       .rport = 0x3412, .lport = 0x85a4 };
	h->peer_iss = 0xfffffff0u;	/* near the wrap: every test crosses 2^32 */
}

void
h_clear(struct harness *h)
{
	h->q.n = 0;
}

uint32_t
h_advance(struct harness *h, uint64_t now_us)
{
	struct tmr_link *due[8];
	uint32_t ev = 0;
	unsigned int n;

	h->c.now = now_us;
	n = tmr_wheel_expire(&h->c.wheel, now_us, due, 8);
	n += tmr_fifo_expire(&h->c.time_wait, now_us, due + n, 8 - n);
	n += tmr_fifo_expire(&h->c.fin_wait2, now_us, due + n, 8 - n);
	for (unsigned int i = 0; i < n; i++) {
		struct tcp_rx rx;

		CU_ASSERT_PTR_EQUAL(due[i], &h->t.timer);
		tcp_timer(&h->c, &h->t, &rx);
		ev = rx.events;
	}
	return ev;
}

struct tcp_seg
h_seg(const struct harness *h, uint8_t flags, uint32_t rel_seq, uint32_t rel_ack, uint32_t len)
{
	struct tcp_seg s = {
		.seq = h->peer_iss + rel_seq,
		.ack = h->t.iss + rel_ack,
		.len = len,
		.wnd = 65535,
		.flags = flags,
	};

	return s;
}

uint32_t
h_input(struct harness *h, const struct tcp_seg *s, struct tcp_rx *rx)
{
	struct tcp_rx local;

	if (rx == NULL)
		rx = &local;
	tcp_input(&h->c, &h->t, s, rx);
	if (!(rx->events & TCP_EV_FREE))
		tcp_output(&h->c, &h->t);
	return rx->events;
}

void
h_establish(struct harness *h)
{
	struct tcp_seg syn = { .seq = h->peer_iss, .wnd = 65535, .flags = TCP_SYN };
	struct tcp_seg ack;
	uint32_t ev;

	syn.opts.present = TCP_HAVE_MSS;
	syn.opts.mss = 1400;
	tcp_passive_open(&h->c, &h->t, &h->tuple, &syn);
	CU_ASSERT_EQUAL(h->t.state, TCP_SYN_RCVD);
	ack = h_seg(h, TCP_ACK, 1, 1, 0);
	ev = h_input(h, &ack, NULL);
	CU_ASSERT(ev & TCP_EV_ESTABLISHED);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	h_clear(h);
}

void
h_expect(const struct harness *h, unsigned int i, uint8_t flags, uint32_t rel_seq,
	 uint32_t rel_ack, uint32_t len, const char *file, int line)
{
	const struct tcp_out *o = &h->q.d[i].o;
	char msg[256];
	bool ok;

	if (i >= h->q.n) {
		snprintf(msg, sizeof(msg), "%s:%d: segment %u not sent (%u sent)", file, line, i,
			 h->q.n);
		CU_assertImplementation(false, (unsigned int)line, msg, file, "", CU_FALSE);
		return;
	}
	ok = o->flags == flags && o->seq - h->t.iss == rel_seq && o->len == len &&
	     (!(flags & TCP_ACK) || o->ack - h->peer_iss == rel_ack);
	snprintf(msg, sizeof(msg),
		 "segment %u: flags %#x seq %u ack %u len %u, want flags %#x seq %u ack %u len %u", i,
		 o->flags, o->seq - h->t.iss, o->ack - h->peer_iss, o->len, flags, rel_seq, rel_ack,
		 len);
	CU_assertImplementation(ok, (unsigned int)line, msg, file, "", CU_FALSE);
}

void
h_no_leaks(struct harness *h)
{
	CU_ASSERT_EQUAL(h->c.wheel.armed, 0);
	CU_ASSERT_EQUAL(h->st.outq_overflow, 0);
	CU_ASSERT_EQUAL(h->c.time_wait.count, 0);
	CU_ASSERT_EQUAL(h->c.fin_wait2.count, 0);
	CU_ASSERT_FALSE(tmr_armed(&h->t.timer));
	for (unsigned int s = 0; s < TCP_STATE__COUNT; s++)
		CU_ASSERT_EQUAL(h->st.state_now[s], 0);
	/* every held packet released, every queue back in the pool */
	CU_ASSERT_EQUAL(h->st.ooo_held, 0);
	CU_ASSERT_EQUAL(h->t.rq, 0);
	{
		unsigned int n = 0;

		for (struct reasm *r = h->c.reasm_free; r != NULL; r = r->next_free)
			n++;
		CU_ASSERT_EQUAL(n, 4);
		n = 0;
		for (struct scoreboard *b = h->c.sb_free; b != NULL; b = b->next_free)
			n++;
		CU_ASSERT_EQUAL(n, 4);		/* every SACK scoreboard back too */
		n = 0;
		for (struct tcp_bbr *b = h->c.bbr_free; b != NULL; b = b->next_free)
			n++;
		CU_ASSERT_EQUAL(n, 2);		/* and every BBR model */
		n = 0;
		for (uint32_t k = h->c.cubic_free; k != 0; k = h->cubics[k - 1].next_free)
			n++;
		CU_ASSERT_EQUAL(n, 2);		/* and every CUBIC state */
	}
	CU_ASSERT_EQUAL(h->c.pace_wheel.armed, 0);
	CU_ASSERT_EQUAL(h->t.sb, 0);
}

void
h_established(struct harness *h, uint64_t now_us)
{
	h_init(h, now_us);
	h_establish(h);
}

void
h_time_wait(struct harness *h, uint64_t now_us)
{
	struct tcp_seg s;

	h_established(h, now_us);
	tcp_close(&h->c, &h->t);
	tcp_output(&h->c, &h->t);
	s = h_seg(h, TCP_FIN | TCP_ACK, 1, 2, 0);
	h_input(h, &s, NULL);
	CU_ASSERT_EQUAL(h->t.state, TCP_TIME_WAIT);
}

void
h_finish(struct harness *h)
{
	tcp_abort(&h->c, &h->t);
	h_no_leaks(h);
}

static char fake_pkts[64];

void *
h_pkt(unsigned int i)
{
	return &fake_pkts[i % 64];
}

/* A SYN offering @p present options (window shift 7, timestamp 1000), then the peer's ACK. */
void
h_establish_with(struct harness *h, uint8_t present)
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
	ack.opts.ts_ecr = h->q.d[0].o.opt[0];	/* not checked by the core */
	ack.wnd = 65535 >> ((present & TCP_HAVE_WSCALE) ? 7 : 0);
	h_input(h, &ack, NULL);
	CU_ASSERT_EQUAL(h->t.state, TCP_ESTABLISHED);
	h_clear(h);
}

/* Peer data segment with a packet the core may hold. */
struct tcp_seg
h_data_seg(const struct harness *h, uint32_t rel_seq, uint32_t len, unsigned int pkt)
{
	struct tcp_seg s = h_seg(h, TCP_ACK, rel_seq, 1, len);

	s.pkt = h_pkt(pkt);
	s.pkt_off = 54;
	return s;
}

/* Queue @p n full segments on an established connection with a wide peer window and send. */
void
h_send_segments(struct harness *h, unsigned int n)
{
	h->t.snd_wnd = 1u << 20;
	tcp_send_queued(&h->t, n * h->t.snd_mss);
	tcp_output(&h->c, &h->t);
}
