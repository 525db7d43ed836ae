/* fuzz_stack.c - libFuzzer target: frames -> pkt_parse -> the TCP core (listen, cookies, input, reassembly, timers, TIME_WAIT), with invariants checked after every step. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "parse.h"
#include "reasm.h"
#include "seq.h"
#include "tcp.h"
#include "tw.h"

/*
 * Input: records of [1 control byte][2 bytes length, little endian][frame]. The control byte's
 * low 7 bits advance the clock (ms below 100, else seconds) and run due timers first, so the
 * fuzzer explores retransmission, keepalive, delayed ACK and TIME-WAIT expiry too. Unless its top
 * bit is set, the frame's IPv4 and TCP checksums are made right first: otherwise nearly every
 * mutation would stop at the checksum check and never reach the TCP core. Acknowledgment numbers
 * in the input are relative to our ISN (or to the last SYN cookie we sent), as in the seed's
 * trace: our ISNs are keyed hashes no fuzzer could guess.
 */
#define NCONN 8
#define LISTEN_PORT 80

struct fake_mbuf {
	struct rte_mbuf m;
	uint8_t buf[4096 + RTE_PKTMBUF_HEADROOM];
};

static struct {
	struct tcp_ctx c;
	struct tcp_cfg cfg;
	struct tcpe_stats st;
	struct tmr_link slots[64];
	struct reasm reasm[4];
	struct tcp_dack dack;
	struct tcp_dack_ent dack_ents[32];
	struct tcp_tw tw_mem[4];
	struct tcp_tw_table tw;
	struct tcb conn[NCONN];
	bool used[NCONN];
	struct tcp_tw *tw_of[4];
	struct tcp_tuple cookie_tuple;	/* the last SYN answered with a cookie, and the cookie */
	uint32_t cookie_isn;
	struct net_addr ifa;
	struct tx_props tx;
	long held;		/* packets the core holds (allocated copies not yet freed) */
} S;

static struct fake_mbuf out_mb;

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void
pkt_free(void *pkt)
{
	free(pkt);
	S.held--;
}

static struct rte_mbuf *
mb_init(struct fake_mbuf *f)
{
	memset(&f->m, 0, sizeof(f->m));
	f->m.buf_addr = f->buf;
	f->m.buf_len = sizeof(f->buf);
	f->m.data_off = RTE_PKTMBUF_HEADROOM;
	f->m.nb_segs = 1;
	return &f->m;
}

/* Every segment the core emits must build into a frame that parses back as valid TCP. */
static void
emit(void *arg, struct tcb *t, const struct tcp_out *o)
{
	struct rte_mbuf *m = mb_init(&out_mb);
	struct net_addr peer = { .mac = { { 0x02, 0, 0, 0, 0, 2 } } };
	struct tcp_tuple tuple;
	struct pkt_info pi;
	uint16_t drop;

	(void)arg;
	CHECK(o->len <= 1460 && o->optlen <= TCP_OPT_MAX_LEN && (o->optlen & 3) == 0);
	if (t == NULL)
		return;
	CHECK(t->state != TCP_CLOSED || (o->flags & TCP_RST));
	tuple = t->tuple;
	memset(rte_pktmbuf_append(m, (uint16_t)o->len), 'd', o->len);
	CHECK(build_tcp(m, &S.tx, &peer.mac, &tuple, o) == 0);
	peer.ip = tuple.raddr;
	peer.mask = 0;
	CHECK(pkt_parse(&peer, m, &pi, &drop) == PKT_TCP);
	CHECK(pi.seg.len == o->len && pi.seg.seq == o->seq && pi.seg.flags == o->flags);
}

static void
tw_key(void *arg, struct tcp_tw *tw, bool add)
{
	(void)arg;
	for (unsigned int i = 0; i < 4; i++)
		if (&S.tw_mem[i] == tw)
			S.tw_of[i] = add ? tw : NULL;
}

static void
reset(void)
{
	memset(&S, 0, sizeof(S));
	S.cfg.mss = 1460;
	S.cfg.rcv_wnd = 200000;
	S.cfg.rcv_ws = 2;
	S.cfg.features = TCB_OPT_WS | TCB_OPT_TS | TCB_OPT_SACK;
	S.cfg.rto_init_us = 1000000;
	S.cfg.rto_min_us = 200000;
	S.cfg.rto_max_us = 4000000;
	S.cfg.delack_us = 40000;
	S.cfg.keepalive_us = 5000000;
	S.cfg.keepalive_intvl_us = 1000000;
	S.cfg.keepalive_probes = 2;
	S.cfg.synack_retries = 2;
	S.cfg.data_retries = 3;
	S.cfg.init_cwnd = 10;
	S.cfg.reasm_max_pkts = 48;
	S.cfg.time_wait_us = 3000000;
	S.cfg.fin_wait2_us = 3000000;
	S.cfg.challenge_ack_limit = 10;
	memset(S.cfg.isn_key, 7, sizeof(S.cfg.isn_key));
	S.c.cfg = &S.cfg;
	S.c.st = &S.st;
	S.c.now = 1000000;
	S.c.emit = emit;
	S.c.pkt_free = pkt_free;
	tmr_wheel_init(&S.c.wheel, S.slots, 64, 10, S.c.now);
	tmr_fifo_init(&S.c.time_wait, S.cfg.time_wait_us);
	tmr_fifo_init(&S.c.fin_wait2, S.cfg.fin_wait2_us);
	tcp_reasm_pool_init(&S.c, S.reasm, 4);
	tcp_dack_init(&S.c, &S.dack, S.dack_ents, 32);
	tcp_tw_init(&S.tw, S.tw_mem, 4);
	S.tw.key = tw_key;
	S.ifa.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	S.ifa.ip = htonl(0xc6120001);	/* 198.18.0.1 */
	S.ifa.mask = htonl(0xffffff00);
	S.tx.mac = S.ifa.mac;
}

/* The core's own invariants for a live record. */
static void
check_tcb(const struct tcb *t)
{
	CHECK(t->state < TCP_STATE__COUNT);
	CHECK(seq_le(t->snd_una, t->snd_nxt) && seq_le(t->snd_nxt, t->snd_max));
	CHECK(seq_le(t->snd_max, t->snd_end + 1));
	CHECK(t->snd_mss >= 64 - TCP_TS_SPACE && t->snd_mss <= 1460);
	CHECK(t->cwnd >= t->snd_mss || t->state == TCP_SYN_RCVD || t->cwnd == 0);
	if (t->rq != NULL) {
		CHECK(t->rq->n > 0 && t->rq->n <= REASM_SEGS);
		for (unsigned int i = 0; i < t->rq->n; i++) {
			CHECK(seq_gt(t->rq->seg[i].seq, t->rcv_nxt));
			if (i > 0)
				CHECK(seq_le(t->rq->seg[i - 1].seq + t->rq->seg[i - 1].len,
					     t->rq->seg[i].seq));
		}
	}
}

static void
release(unsigned int i)
{
	tcp_timer_stop(&S.c, &S.conn[i]);
	tcp_reasm_purge(&S.c, &S.conn[i]);
	tcp_set_state(&S.c, &S.conn[i], TCP_CLOSED);
	S.used[i] = false;
}

/* What the runtime does after input or a timer: free, or trade the record for a TW entry. */
static void
settle(unsigned int i, const struct tcp_rx *rx)
{
	struct tcb *t = &S.conn[i];

	if ((rx->events & TCP_EV_FREE) || t->state == TCP_CLOSED) {
		release(i);
		return;
	}
	check_tcb(t);
	if (t->state == TCP_TIME_WAIT) {
		struct tcp_tw *tw = tcp_tw_add(&S.c, &S.tw, t);

		S.tw_of[tw - S.tw_mem] = tw;
		release(i);
	}
}

/* A tiny application: echo what arrives, close after the peer's FIN. */
static void
app(struct tcb *t, const struct tcp_rx *rx, const uint8_t *data, uint32_t avail)
{
	volatile uint8_t sink = 0;

	if (rx->events & TCP_EV_DATA) {
		CHECK(rx->data_off + rx->data_len <= avail);
		for (uint32_t k = 0; k < rx->data_len; k++)
			sink ^= data[rx->data_off + k];	/* ASan checks every byte delivered */
		if (tcp_can_send(t))
			tcp_send_queued(t, rx->data_len);
	}
	if ((rx->events & TCP_EV_PEER_FIN) && t->state != TCP_CLOSED)
		tcp_close(&S.c, t);
	(void)sink;
}

static void
run_timers(void)
{
	struct tmr_link *due[16];
	unsigned int n;

	n = tmr_wheel_expire(&S.c.wheel, S.c.now, due, 16);
	n += tmr_fifo_expire(&S.c.time_wait, S.c.now, due + n, 16 - n);
	n += tmr_fifo_expire(&S.c.fin_wait2, S.c.now, due + n, 16 - n);
	for (unsigned int k = 0; k < n; k++) {
		struct tcb *t = (struct tcb *)((char *)due[k] - offsetof(struct tcb, timer));
		unsigned int i = (unsigned int)(t - S.conn);
		struct tcp_rx rx;

		CHECK(i < NCONN && S.used[i]);
		tcp_timer(&S.c, t, &rx);
		if (rx.events & TCP_EV_IDLE)
			tcp_close(&S.c, t);
		if (!(rx.events & TCP_EV_FREE) && t->state != TCP_CLOSED)
			tcp_output(&S.c, t);
		settle(i, &rx);
	}
	tcp_dack_run(&S.c);
	tcp_tw_expire(&S.c, &S.tw, 8);
}

static void
segment(struct rte_mbuf *m, struct pkt_info *pi)
{
	struct tcp_seg *s = &pi->seg;
	struct tcp_rx rx;
	struct tcp_out o;
	unsigned int i, free_i = NCONN;
	uint32_t flen = rte_pktmbuf_data_len(m);
	uint8_t *copy;
	uint16_t drop;

	for (i = 0; i < 4; i++)
		if (S.tw_of[i] != NULL && memcmp(&S.tw_of[i]->tuple, &pi->key, sizeof(pi->key)) == 0) {
			s->ack += S.tw_of[i]->snd_nxt - 2;	/* relative, as for the record it was */
			if (tcp_tw_input(&S.c, &S.tw, S.tw_of[i], s, &o, &drop) != TW_REOPEN)
				return;
			s->ack -= S.tw_of[i]->snd_nxt - 2;
			break;
		}
	for (i = 0; i < NCONN; i++) {
		if (S.used[i] && memcmp(&S.conn[i].tuple, &pi->key, sizeof(pi->key)) == 0)
			break;
		if (!S.used[i] && free_i == NCONN)
			free_i = i;
	}
	if (i < NCONN)
		s->ack += S.conn[i].iss;
	else if (memcmp(&S.cookie_tuple, &pi->key, sizeof(pi->key)) == 0)
		s->ack += S.cookie_isn;
	if (i == NCONN) {
		struct tcp_opts agreed;

		if (rte_be_to_cpu_16(pi->key.lport) != LISTEN_PORT || free_i == NCONN) {
			tcp_reply_closed(s, &o);
			return;
		}
		if ((s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
			/* every other SYN is answered with a cookie, as under a flood */
			if (s->seq & 1) {
				tcp_syncookie_synack(&S.c, &pi->key, s, &o);
				S.cookie_tuple = pi->key;
				S.cookie_isn = o.seq;
				return;
			}
			S.used[free_i] = true;
			tcp_passive_open(&S.c, &S.conn[free_i], &pi->key, s);
			check_tcb(&S.conn[free_i]);
			return;
		}
		if (!tcp_syncookie_check(&S.c, &pi->key, s, &agreed)) {
			tcp_reply_closed(s, &o);
			return;
		}
		i = free_i;
		S.used[i] = true;
		tcp_syncookie_open(&S.c, &S.conn[i], &pi->key, s, &agreed);
	}
	copy = malloc(flen);
	CHECK(copy != NULL);
	memcpy(copy, rte_pktmbuf_mtod(m, uint8_t *), flen);
	s->pkt = copy;
	s->pkt_off = (uint32_t)(pi->payload - rte_pktmbuf_mtod(m, uint8_t *));
	S.held++;
	tcp_input(&S.c, &S.conn[i], s, &rx);
	app(&S.conn[i], &rx, copy + s->pkt_off, flen - s->pkt_off);
	if (!(rx.events & TCP_EV_HELD))
		pkt_free(copy);
	if (rx.events & TCP_EV_DATA) {
		struct tcp_rx hrx;
		void *hp;

		while (S.conn[i].state != TCP_CLOSED && tcp_reasm_next(&S.c, &S.conn[i], &hrx, &hp)) {
			app(&S.conn[i], &hrx, hp, UINT32_MAX);	/* bounds: ASan on the copy */
			pkt_free(hp);
		}
	}
	if (!(rx.events & TCP_EV_FREE) && S.conn[i].state != TCP_CLOSED) {
		S.conn[i].rcv_wnd = S.cfg.rcv_wnd;
		tcp_output(&S.c, &S.conn[i]);
	}
	settle(i, &rx);
}

/* Recompute the IPv4 header and TCP checksums of a frame that looks like IPv4/TCP. */
static void
fix_checksums(struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m), ihl, tot;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th;

	if (len < sizeof(*eth) + sizeof(*ip) || eth->ether_type != rte_cpu_to_be_16(0x0800))
		return;
	ihl = (ip->version_ihl & 15u) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl < 20 || tot < ihl || sizeof(*eth) + tot > len)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (ip->next_proto_id != 6 || tot < ihl + sizeof(*th) || ihl != 20)
		return;
	th = (struct rte_tcp_hdr *)((uint8_t *)ip + ihl);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_mbuf in;

	reset();
	while (size >= 3) {
		uint8_t dt = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		struct rte_mbuf *m = mb_init(&in);
		struct pkt_info pi;
		uint16_t drop = 0;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len > 2048)
			len = 2048;
		S.c.now += (dt & 127) >= 100 ? (uint64_t)((dt & 127) - 99) * 1000000 :
					       (uint64_t)(dt & 127) * 1000;
		run_timers();
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
		if (!(dt & 0x80))
			fix_checksums(m);
		data += len;
		size -= len;
		switch (pkt_parse(&S.ifa, m, &pi, &drop)) {
		case PKT_TCP:
			segment(m, &pi);
			break;
		case PKT_DROP:
			CHECK(drop < TCPE_DROP__COUNT);	/* every drop has a counted reason */
			break;
		default:
			break;
		}
	}
	/* Teardown: whatever is left goes, and nothing the core held may leak. */
	for (unsigned int i = 0; i < NCONN; i++)
		if (S.used[i]) {
			tcp_abort(&S.c, &S.conn[i]);
			release(i);
		}
	CHECK(S.held == 0);
	CHECK(S.st.ooo_held == 0);
	CHECK(S.c.wheel.armed == 0);
	return 0;
}
