/* fuzz_worker.c - libFuzzer target: frames into the production path (worker_input -> classify -> steering -> connection table -> apps, timers, client mode), every frame out checked, invariants after every step. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "build.h"
#include "isn.h"
#include "client.h"
#include "config.h"
#include "conn.h"
#include "flow.h"
#include "link.h"
#include "parse.h"
#include "port.h"
#include "seq.h"
#include "worker.h"

/*
 * Input: records of [control byte][2-byte length, little endian][frame]. Control byte: bit 7
 * keeps the frame's checksums as they are (otherwise the IPv4 and TCP sums are made right, or
 * nearly every mutation would stop at the checksum check); bit 6 puts the frame in the same
 * burst as the one before (the bulk lookup and its churn check); bits 0-5 advance the clock
 * before the frame (0-49 ms, then 50-63 as 1-14 s) and run the timers, so retransmission,
 * keepalive, delayed ACK, TIME_WAIT, idle closes and client opens are explored too.
 * Acknowledgment numbers of frames whose tuple we have sent a SYN or SYN-ACK for are relative
 * to that ISN (ours are keyed hashes no fuzzer could guess), as in the seed's trace.
 *
 * The target is a real worker on a net_ring port, built from a real configuration: listeners
 * for every app, small tables (SYN cookies, pool and TIME_WAIT limits are reached), client mode
 * towards 198.18.0.2:80 (the input plays that server too). Built with -DFUZZ_WORKERS=2 (the
 * tcpe_fuzz_steer target), two workers share a two-queue port with software steering on: every
 * frame arrives on worker 0's queue, and what worker 1 owns (its passive opens, its client
 * connections) crosses the steering ring - as on a NIC without RSS.
 *
 * The one-worker target's port is on VLAN 7 (--vlan 7): each input frame gets the tag after it
 * is prepared, unless bit 15 of its length field says to send it as it is (untagged, or with
 * whatever tag it carries), and every frame out must carry tag 7.
 *
 * The port is dual stack (--ip6 2001:2::1/64): IPv6 frames get the same treatment (TCP and
 * ICMPv6 checksums made right over the pseudo-header, TCP acknowledgment numbers made absolute),
 * and what tcpe sends over IPv6 is checked as over IPv4. Tuples are remembered with IPv6
 * addresses folded by a hash of the fuzzer's own (tcpe's stand-ins are keyed per worker).
 */
#ifndef FUZZ_WORKERS
#define FUZZ_WORKERS 1
#endif
#define FUZZ_VLAN (FUZZ_WORKERS == 1 ? 7 : 0)
#define RAW_FRAME 0x8000	/* in an input frame's length field: not tagged (FUZZ_VLAN) */
#define NB_MBUF 8192
#define MAX_BURST 32
#define NISN 64

static struct {
	struct rte_mempool *mp;
	struct rte_ring *wire_in[FUZZ_WORKERS], *wire_out[FUZZ_WORKERS];
	uint16_t port_id;
	struct port_info pinfo;
	struct port_link link;
	struct tcpe_config cfg;
	struct worker *w[FUZZ_WORKERS];
	struct net_addr peer;		/* how the fuzzer parses what tcpe sends */
	struct {
		struct tcp_tuple t;	/* as tcpe keys it */
		uint32_t isn;
	} isn[NISN];
	unsigned int nisn;
	uint64_t now;
} F;

#define CHECK(x) do { if (!(x)) { fprintf(stderr, "CHECK failed: %s (%s:%d)\n", #x, __FILE__, \
					  __LINE__); __builtin_trap(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
remember_isn(const struct tcp_tuple *t, uint32_t isn)
{
	unsigned int i;

	for (i = 0; i < F.nisn; i++)
		if (memcmp(&F.isn[i].t, t, sizeof(*t)) == 0)
			break;
	if (i == F.nisn) {
		if (F.nisn == NISN)
			i = (unsigned int)(isn % NISN);	/* forget one */
		else
			F.nisn++;
	}
	F.isn[i].t = *t;
	F.isn[i].isn = isn;
}

static bool
find_isn(const struct tcp_tuple *t, uint32_t *isn)
{
	for (unsigned int i = 0; i < F.nisn; i++) {
		if (memcmp(&F.isn[i].t, t, sizeof(*t)) == 0) {
			*isn = F.isn[i].isn;
			return true;
		}
	}
	return false;
}

/* The fuzzer's name of the IPv6 connection from @p src to @p dst: addresses folded by a hash. */
static struct tcp_tuple
tuple6(const void *src, const void *dst, uint16_t sport, uint16_t dport)
{
	static const uint8_t key[16] = { 6 };

	return (struct tcp_tuple){ .raddr = (uint32_t)siphash24(key, src, 16),
				   .laddr = (uint32_t)siphash24(key, dst, 16),
				   .rport = sport, .lport = dport };
}

/* One IPv6 frame tcpe sent: ICMPv6 (advertisements, solicitations, echo replies) with a right
 * checksum, or a TCP segment towards the address it names. */
static void
check_out6(struct rte_mbuf *m, struct rte_ether_hdr *eth)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	struct net_addr to = F.peer;
	struct pkt_info pi;
	uint16_t drop = 0;

	CHECK(rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*ip6) +
					  rte_be_to_cpu_16(ip6->payload_len));
	if (ip6->proto == IPPROTO_ICMPV6) {
		CHECK(rte_ipv6_udptcp_cksum_verify(ip6, ip6 + 1) == 0);
		return;
	}
	CHECK(ip6->proto == IPPROTO_TCP);
	to.mac = eth->dst_addr;
	to.has_ip6 = true;
	memcpy(to.ip6, &ip6->dst_addr, 16);
	CHECK(pkt_parse(&to, m, &pi, &drop) == PKT_TCP);
	CHECK(pi.seg.len <= 1440);
	if (pi.seg.flags & TCP_SYN) {
		struct tcp_tuple ours = tuple6(&ip6->dst_addr, &ip6->src_addr, pi.key.lport,
					       pi.key.rport);

		remember_isn(&ours, pi.seg.seq);
	}
}

/* One frame tcpe sent: it must be a well-formed ARP, ICMP echo reply or TCP segment towards
 * the address it names, IPv4 or IPv6. Our ISNs are learned from SYNs and SYN-ACKs. */
static void
check_out(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct net_addr to = F.peer;
	struct pkt_info pi;
	uint16_t drop = 0;

	CHECK(rte_pktmbuf_data_len(m) >= sizeof(*eth));
	if (FUZZ_VLAN != 0) {	/* tagged with the port's VLAN, whatever it is */
		CHECK(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN));
		CHECK(rte_vlan_strip(m) == 0 && (m->vlan_tci & 0xfff) == FUZZ_VLAN);
		m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		ip = (struct rte_ipv4_hdr *)(eth + 1);
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return;
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		check_out6(m, eth);
		return;
	}
	CHECK(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4));
	CHECK(rte_ipv4_cksum(ip) == 0 || rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff);
	if (ip->next_proto_id == IPPROTO_ICMP) {
		uint32_t l4 = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);

		CHECK(rte_raw_cksum((uint8_t *)ip + rte_ipv4_hdr_len(ip), l4) == 0xffff);
		return;
	}
	to.mac = eth->dst_addr;
	to.ip = ip->dst_addr;
	to.mask = 0;
	CHECK(pkt_parse(&to, m, &pi, &drop) == PKT_TCP);
	CHECK(pi.seg.len <= 1460);
	if (pi.seg.flags & TCP_SYN) {
		struct tcp_tuple ours = { .raddr = pi.key.laddr, .laddr = pi.key.raddr,
					  .rport = pi.key.lport, .lport = pi.key.rport };

		remember_isn(&ours, pi.seg.seq);
	}
}

/* Everything tcpe sent, checked and freed. */
static void
drain_wire(void)
{
	struct rte_mbuf *out[64];
	unsigned int n;

	for (unsigned int q = 0; q < FUZZ_WORKERS; q++)
	while ((n = rte_ring_dequeue_burst(F.wire_out[q], (void **)out, RTE_DIM(out), NULL)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct rte_mbuf *m = out[i];

			if (m->nb_segs > 1) {	/* linearise a zero-copy chain to parse it */
				struct rte_mbuf *l = rte_pktmbuf_alloc(F.mp);

				CHECK(l != NULL && rte_pktmbuf_pkt_len(m) <= rte_pktmbuf_tailroom(l));
				rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m),
						 rte_pktmbuf_append(l, (uint16_t)rte_pktmbuf_pkt_len(m)));
				rte_pktmbuf_free(m);
				m = l;
			}
			check_out(m);
			rte_pktmbuf_free(m);
		}
	}
}

/* The orphan list: each of the @p orphans on it once (unless it was full: counted). */
static void
check_orphan_list(const struct conn_table *tab, uint32_t orphans)
{
	const struct conn_orphanq *q = &tab->orphq;
	uint32_t live = 0;

	CHECK(q->n <= q->cap && q->head < q->cap);
	for (uint32_t k = 0; k < q->n; k++) {
		const struct conn_orphan_ent *e = &q->e[(q->head + k) % q->cap];
		const struct conn *c;

		CHECK(e->idx < tab->nconns);
		c = &tab->conns[e->idx];
		live += c->in_use && c->orphan && c->orphan_gen == e->gen;
	}
	CHECK(live <= orphans);
	CHECK(live == orphans || tab->st->orphans_unlisted > 0);
}

/* A record's SACK scoreboard and out-of-order queue, when it has them. */
static void
check_record_sets(const struct conn_table *tab, const struct tcb *t)
{
	const struct scoreboard *sb = tcb_sb(&tab->tcp, t);
	const struct reasm *rq = tcb_rq(&tab->tcp, t);

	/* the SACK scoreboard: sorted, disjoint, within what is sent and not acknowledged */
	if (sb != NULL) {
		uint32_t sacked = 0;

		CHECK(t->sb <= tab->nsb);
		CHECK(sb->n <= SB_BLOCKS);
		for (unsigned int k = 0; k < sb->n; k++) {
			CHECK(seq_lt(sb->b[k].s, sb->b[k].e));
			CHECK(seq_ge(sb->b[k].s, t->snd_una) && seq_le(sb->b[k].e, t->snd_max));
			if (k > 0)
				CHECK(seq_lt(sb->b[k - 1].e, sb->b[k].s));
			sacked += sb->b[k].e - sb->b[k].s;
		}
		CHECK(sacked == sb->sacked);
	}
	if (rq != NULL) {
		const struct reasm_seg *q = &rq->seg[rq->head];

		CHECK(t->rq <= tab->nreasm && rq->owner == t);
		CHECK(rq->n > 0 && rq->head + rq->n <= REASM_SEGS);
		for (unsigned int k = 0; k < rq->n; k++) {
			CHECK(q[k].len > 0);
			CHECK(seq_gt(q[k].seq, t->rcv_nxt));
			if (k > 0)
				CHECK(seq_le(q[k - 1].seq + q[k - 1].len, q[k].seq));
		}
	}
}

/* The connection table's invariants for every live record. */
static void
check_table(const struct worker *w)
{
	const struct conn_table *tab = w->conn;
	uint32_t segs = 0, held = 0, orphans = 0, queues = 0;

	CHECK(tab->st->drop[TCPE_DROP_TX_OUTSIDE_SNDQ] == 0);
	CHECK(tab->st->outq_overflow == 0);
	CHECK(tab->outq.n == 0);
	for (uint32_t i = 0; i < tab->nconns; i++) {
		const struct conn *c = &tab->conns[i];
		const struct tcb *t = &c->tcb;
		const struct conn_q *q = conn_q_of(c);
		static const struct conn_q none;
		uint32_t bytes = 0;

		if (!c->in_use) {
			CHECK(c->q == 0);
			continue;
		}
		/* a record holds queues only while one of them holds something */
		if (q != NULL) {
			CHECK(c->q <= tab->nq);
			CHECK(q->sndq.head != NULL || q->rcvq != NULL);
			queues++;
		} else {
			q = &none;
		}
		/* the worker's accounts are the sums over its records */
		segs += q->sndq.nsegs;
		orphans += c->orphan;
		for (const struct rte_mbuf *m = q->rcvq; m != NULL; m = m->next) {
			held++;
			bytes += m->data_len;
		}
		CHECK(bytes == q->rcvq_bytes);
		CHECK(c->orphan == ((t->flags & TCB_FIN_QUEUED) != 0));
		CHECK(t->state != TCP_CLOSED && t->state != TCP_TIME_WAIT && t->state < TCP_STATE__COUNT);
		CHECK(seq_le(t->snd_una, t->snd_nxt) && seq_le(t->snd_nxt, t->snd_max));
		CHECK(seq_le(t->snd_max, t->snd_end + 1));
		/* the send queue holds exactly what was queued and is not acknowledged */
		{
			uint32_t base = t->snd_una == t->iss ? t->iss + 1 :
					seq_le(t->snd_una, t->snd_end) ? t->snd_una : t->snd_end;

			CHECK(q == &none || q->sndq.seq == base);
			CHECK(q->sndq.bytes == t->snd_end - base);
		}
		CHECK(t->snd_mss >= 64 - TCP_TS_SPACE && t->snd_mss <= 1460);
		check_record_sets(tab, t);
	}
	/* out-of-order queues in use: each on the LRU list once, owned by the record that has it */
	{
		uint32_t lru = 0, with_rq = 0;

		for (const struct reasm *r = tab->tcp.reasm_lru; r != NULL; r = r->lru_next) {
			CHECK(r->owner != NULL && tcb_rq(&tab->tcp, r->owner) == r);
			CHECK(r->lru_next != NULL || tab->tcp.reasm_mru == r);
			CHECK(++lru <= tab->nreasm);
		}
		for (uint32_t i = 0; i < tab->nconns; i++)
			with_rq += tab->conns[i].in_use && tab->conns[i].tcb.rq != 0;
		CHECK(lru == with_rq);
	}
	CHECK(segs == tab->sndq_segs && segs <= tab->data_budget);
	CHECK(held == tab->rcv_held && held <= tab->rcv_hold_max + MAX_BURST);
	CHECK(orphans == tab->norphans);
	check_orphan_list(tab, orphans);
	CHECK(queues == tab->nq - tab->nq_free && queues <= segs + held);
}

/* Run steering, timers and client opens, flush, check - every worker. */
static void
step(void)
{
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++) {
		struct worker *w = F.w[i];

		conn_set_now(w->conn, F.now);
		if (w->steer.on)
			worker_steer_drain(w);
		if (w->client != NULL && client_resolved(w->client))
			client_tick(w->client, F.now, false, false);
		conn_app_slice(w->conn);
		conn_timers(w->conn);
		/* Application time slices, decided by the input's clock (not the TSC): in odd
		 * milliseconds the slice is armed and the applications have used it from the start,
		 * so input is held for later steps and comes back a piece per step; in even ones it
		 * is not armed (nothing timed) and its wall time never runs out. */
		if ((F.now / 1000) & 1) {
			conn_slice_done(w->conn, UINT64_MAX / 2);
			conn_set_slice(w->conn, 0);
			w->conn->slice_used = w->conn->slice_cycles;
		} else {
			conn_slice_done(w->conn, 0);
			w->conn->slice_armed = false;	/* (also with input waiting) */
			conn_set_slice(w->conn, rte_rdtsc() + (1ULL << 50));
		}
		txbuf_flush(&w->ports[0].txb, &w->st);
	}
	drain_wire();
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++) {
		CHECK(F.w[i]->st.steer_misowned == 0);
		check_table(F.w[i]);
	}
}

/* An ICMP message: a fragmentation-needed quoting one of our connections gets the quoted
 * sequence number made absolute (as acknowledgment numbers are), then the checksum is made
 * right. */
static void
prepare_icmp(struct rte_ipv4_hdr *ip, uint32_t ihl, uint32_t tot, bool keep_sums)
{
	uint8_t *ic = (uint8_t *)ip + ihl, *q = ic + 8;
	uint32_t l4 = tot - ihl, qihl, isn;
	struct tcp_tuple t;

	if (l4 < 8)
		return;
	if (ic[0] == ICMP_DEST_UNREACH && l4 >= 8 + 20 + 8 && (qihl = (q[0] & 15u) * 4) >= 20 &&
	    l4 >= 8 + qihl + 8) {
		/* the quote is of our packet: its source is us, its destination the peer */
		memcpy(&t.laddr, q + 12, 4);
		memcpy(&t.raddr, q + 16, 4);
		memcpy(&t.lport, q + qihl, 2);
		memcpy(&t.rport, q + qihl + 2, 2);
		if (find_isn(&t, &isn)) {
			rte_be32_t s;

			memcpy(&s, q + qihl + 4, 4);
			s = rte_cpu_to_be_32(rte_be_to_cpu_32(s) + isn);
			memcpy(q + qihl + 4, &s, 4);
		}
	}
	if (keep_sums)
		return;
	{
		uint16_t sum;

		ic[2] = ic[3] = 0;
		sum = (uint16_t)~rte_raw_cksum(ic, l4);
		memcpy(ic + 2, &sum, 2);
	}
}

/* An IPv6 frame without extension headers: TCP gets its acknowledgment number made absolute
 * (and a packet too big quoting our segment, its sequence number), then TCP and ICMPv6 their
 * checksums made right over the pseudo-header. */
static void
prepare6(struct rte_ipv6_hdr *ip6, uint32_t avail, bool keep_sums)
{
	uint32_t plen = rte_be_to_cpu_16(ip6->payload_len), isn;
	uint8_t *l4 = (uint8_t *)(ip6 + 1);
	struct tcp_tuple t;

	if (avail < sizeof(*ip6) || plen > avail - sizeof(*ip6))
		return;
	if (ip6->proto == IPPROTO_TCP && plen >= sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		t = tuple6(&ip6->src_addr, &ip6->dst_addr, th->src_port, th->dst_port);
		if (find_isn(&t, &isn))
			th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->recv_ack) + isn);
		if (!keep_sums) {
			th->cksum = 0;
			th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
		}
	} else if (ip6->proto == IPPROTO_ICMPV6 && plen >= 8) {
		const struct rte_ipv6_hdr *q = (const struct rte_ipv6_hdr *)(l4 + 8);

		if (l4[0] == ICMP6_PACKET_TOO_BIG && plen >= 8 + 40 + 8) {
			uint8_t *qt = l4 + 48;	/* the quoted segment is ours: our port first */
			uint16_t ours, peers;
			rte_be32_t s;

			memcpy(&ours, qt, 2);
			memcpy(&peers, qt + 2, 2);
			t = tuple6(&q->dst_addr, &q->src_addr, peers, ours);
			if (find_isn(&t, &isn)) {
				memcpy(&s, qt + 4, 4);
				s = rte_cpu_to_be_32(rte_be_to_cpu_32(s) + isn);
				memcpy(qt + 4, &s, 4);
			}
		}
		if (!keep_sums) {
			((struct rte_icmp_hdr *)l4)->icmp_cksum = 0;
			((struct rte_icmp_hdr *)l4)->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, l4);
		}
	}
}

/* Recompute the IPv4 header and TCP checksums of a frame that looks like IPv4/TCP, after
 * making its acknowledgment number absolute; ICMP: prepare_icmp(); IPv6: prepare6(). */
static void
prepare(struct rte_mbuf *m, bool keep_sums)
{
	uint32_t len = rte_pktmbuf_data_len(m), ihl, tot;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th;
	struct tcp_tuple t;
	uint32_t isn;

	if (len >= sizeof(*eth) && eth->ether_type == rte_cpu_to_be_16(0x86dd)) {
		prepare6((struct rte_ipv6_hdr *)(eth + 1), len - (uint32_t)sizeof(*eth), keep_sums);
		return;
	}
	if (len < sizeof(*eth) + sizeof(*ip) || eth->ether_type != rte_cpu_to_be_16(0x0800))
		return;
	ihl = (ip->version_ihl & 15u) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl >= 20 && tot >= ihl && sizeof(*eth) + tot <= len && ip->next_proto_id == 1)
		prepare_icmp(ip, ihl, tot, keep_sums);
	if (ihl < 20 || tot < ihl || sizeof(*eth) + tot > len || ip->next_proto_id != 6 ||
	    tot < ihl + sizeof(*th)) {
		if (!keep_sums && ihl >= 20 && sizeof(*eth) + ihl <= len) {
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		return;
	}
	th = (struct rte_tcp_hdr *)((uint8_t *)ip + ihl);
	t = (struct tcp_tuple){ .raddr = ip->src_addr, .laddr = ip->dst_addr,
				.rport = th->src_port, .lport = th->dst_port };
	if (find_isn(&t, &isn))
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->recv_ack) + isn);
	if (keep_sums)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

static void
reset(void)
{
	F.now = 1000000;
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++) {
		struct worker *w = F.w[i];

		if (w->steer.on)
			worker_steer_drain(w);	/* what is still in a steering ring is processed */
		conn_set_now(w->conn, F.now);
		conn_table_reset(w->conn);
		arp_cache_flush(&w->arp);
		arp_cache_init(&w->arp, 300ULL * 1000000, 1000000);
		if (w->client != NULL) {
			client_reset(w->client);
			client_set_mac(w->client, &F.peer.mac, F.now);
		}
		txbuf_flush(&w->ports[0].txb, &w->st);
	}
	F.nisn = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *burst[MAX_BURST];
	unsigned int nb = 0;

	reset();
	step();	/* client mode's first opens */
	while (size >= 3) {
		uint8_t ctl = data[0];
		size_t len = ((size_t)data[1] | (size_t)data[2] << 8) & ~(size_t)RAW_FRAME;
		bool raw = (data[2] << 8) & RAW_FRAME;
		struct rte_mbuf *m = rte_pktmbuf_alloc(F.mp);
		unsigned int dt = ctl & 63;

		CHECK(m != NULL);
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len > 1600)
			len = 1600;
		if (!(ctl & 0x40) || nb == MAX_BURST) {
			if (nb > 0)
				worker_input(F.w[0], 0, burst, (uint16_t)nb);
			nb = 0;
			F.now += dt < 50 ? dt * 1000ULL : (dt - 49) * 1000000ULL;
			step();
		}
		m->port = F.port_id;	/* as the PMD sets it (steering groups by it) */
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
		data += len;
		size -= len;
		prepare(m, (ctl & 0x80) != 0);
		if (FUZZ_VLAN != 0 && !raw && len >= sizeof(struct rte_ether_hdr)) {
			m->vlan_tci = FUZZ_VLAN;
			CHECK(rte_vlan_insert(&m) == 0);
			m->ol_flags = 0;	/* as a PMD hands it over: the tag in the frame */
		}
		burst[nb++] = m;
	}
	if (nb > 0)
		worker_input(F.w[0], 0, burst, (uint16_t)nb);
	step();
	/* Teardown: whatever is left goes, and every mbuf comes back. */
	reset();
	drain_wire();
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++)
		CHECK(F.w[i]->st.ooo_held == 0);
	CHECK(rte_mempool_in_use_count(F.mp) == 0);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = { "tcpe_fuzz", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", "--file-prefix", prefix, "--log-level", "*:error", NULL };
	char *args[] = { "fuzz", "--ip", "198.18.0.1/24", "--ip6", "2001:2::1/64",
			 "--listen", "80:http", "--listen", "7:echo", "--listen", "9:discard", "--listen", "42181:hello", "--listen",
			 "5001:bulk", "--bulk-bytes", "64K", "--max-conns", "16", "--time-wait-max",
			 "16", "--syn-backlog", "4", "--ooo-pkts", "64", "--mbufs", "8192",
			 "--keepalive-s", "5", "--keepalive-intvl-s", "1", "--keepalive-probes", "2",
			 "--http-idle-ms", "3000", "--challenge-ack-limit", "10", "--time-wait-ms",
			 "3000", "--fin-wait2-ms", "3000", "--rto-max-ms", "4000",
			 "--connect", "198.18.0.2:80", "--concurrency", "2", "--requests-per-conn", "3",
			 "--steer", FUZZ_WORKERS > 1 ? "on" : "off",
			 "--app-slice-us", "1",	/* application time slices come into play */
			 /* the two-worker target sends by BBR: its model, pool and pacing wheel */
			 "--cc", FUZZ_WORKERS > 1 ? "bbr" : "newreno",
			 FUZZ_VLAN ? "--vlan" : "--sack", FUZZ_VLAN ? "7" : "1", NULL };
	struct rte_ring *rx[FUZZ_WORKERS], *tx[FUZZ_WORKERS];
	struct steer *steers[FUZZ_WORKERS];
	int p, sockets[FUZZ_WORKERS] = { 0 };

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "tcpe_fuzz_%d", (int)getpid());
	CHECK(rte_eal_init((int)RTE_DIM(eal) - 1, eal) >= 0);
	CHECK(config_parse(&F.cfg, (int)RTE_DIM(args) - 1, args, stderr) == 0);
	F.mp = rte_pktmbuf_pool_create("fuzz_mp", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	CHECK(F.mp != NULL);
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fuzz_in%u", i);
		rx[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "fuzz_out%u", i);
		tx[i] = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		CHECK(rx[i] != NULL && tx[i] != NULL);
		F.wire_in[i] = rx[i];
		F.wire_out[i] = tx[i];
	}
	p = rte_eth_from_rings("net_ring_fuzz", rx, FUZZ_WORKERS, tx, FUZZ_WORKERS, 0);
	CHECK(p >= 0);
	F.port_id = (uint16_t)p;
	CHECK(port_setup(F.port_id, FUZZ_WORKERS, F.mp, &F.pinfo, NULL) == 0);
	link_init(&F.link, F.port_id, F.pinfo.driver, FUZZ_WORKERS, &F.pinfo.mac);
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++) {
		struct worker_spec spec = {
			.cfg = &F.cfg, .index = i, .lcore = rte_lcore_id(), .nworkers = FUZZ_WORKERS,
			.mp = F.mp, .nports = 1, .port_ids = &F.port_id, .pinfo = &F.pinfo,
			.links = &F.link,
		};

		F.w[i] = worker_create(&spec);
		CHECK(F.w[i] != NULL);
		steers[i] = &F.w[i]->steer;
	}
	if (FUZZ_WORKERS > 1)
		CHECK(steer_connect(steers, sockets, FUZZ_WORKERS) == 0);
	/* the input's frames come from 02:00:00:00:00:02 at 198.18.0.2; they are sent to us */
	F.peer.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 2 } };
	inet_pton(AF_INET, "198.18.0.2", &F.peer.ip);
	F.peer.mask = htonl(0xffffff00u);
	/* (IPv6: check_out6() sets the address; any key serves to parse) */
	/* the seed corpus addresses frames to 02:00:00:00:00:01: that is our MAC here */
	for (unsigned int i = 0; i < FUZZ_WORKERS; i++) {
		F.w[i]->ports[0].addr.mac = (struct rte_ether_addr){ { 2, 0, 0, 0, 0, 1 } };
		F.w[i]->tx[0].mac = F.w[i]->ports[0].addr.mac;
	}
	return 0;
}
