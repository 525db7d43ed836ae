/* test_worker.c - EAL tests: the real worker loop on a net_ring port, frames in and replies out. */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "build.h"
#include "config.h"
#include "isn.h"
#include "parse.h"
#include "port.h"
#include "rss.h"
#include "suites.h"
#include "worker.h"

#define NB_MBUF 4096

static struct rte_mempool *mp;
static struct rte_ring *wire_in, *wire_out;	/* towards tcpe, from tcpe */
static uint16_t port_id;
static struct port_info pinfo;
static struct tcpe_config cfg;
static struct worker *w;
static unsigned int worker_lcore;

static struct port_link plink;
static struct net_addr peer;	/* the test plays the peer at 198.18.0.2 */
static struct tx_props peer_tx;
static uint32_t tcpe_ip;

/* --- wire helpers --------------------------------------------------------------------- */

static void
inject(struct rte_mbuf **m, unsigned int n)
{
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue_burst(wire_in, (void **)m, n, NULL), n);
}

/* Collect what tcpe sends until @p want frames arrived or 1 s passed; returns the count. */
static unsigned int
collect(struct rte_mbuf **out, unsigned int want)
{
	unsigned int n = 0;
	uint64_t end = rte_get_tsc_cycles() + rte_get_tsc_hz();

	while (n < want && rte_get_tsc_cycles() < end) {
		n += rte_ring_dequeue_burst(wire_out, (void **)out + n, want - n, NULL);
		if (n < want)
			rte_delay_us_sleep(200);
	}
	return n;
}

/* Nothing more comes out within 50 ms. */
static void
expect_silence(void)
{
	struct rte_mbuf *m;

	rte_delay_us_sleep(50000);
	if (rte_ring_dequeue(wire_out, (void **)&m) == 0) {
		CU_FAIL("tcpe sent a frame when none was expected");
		rte_pktmbuf_free(m);
	}
}

static struct rte_mbuf *
peer_tcp(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
	 const void *data, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct tcp_tuple tp = { .raddr = tcpe_ip, .laddr = peer.ip, .rport = htons(dport),
				.lport = htons(sport) };
	struct tcp_out o = { .seq = seq, .ack = ack, .len = len, .wnd = 65535, .flags = flags };

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	if (flags & TCP_SYN) {
		struct tcp_opts opts = { .present = TCP_HAVE_MSS, .mss = 1460 };

		o.optlen = (uint8_t)tcp_opts_build(o.opt, &opts);
	}
	if (len > 0)
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	CU_ASSERT_EQUAL_FATAL(build_tcp(m, &peer_tx, &pinfo.mac, &tp, &o), 0);
	return m;
}

/* Parse a frame from tcpe as the peer would; frees it. */
static enum pkt_class
peer_parse(struct rte_mbuf *m, struct pkt_info *pi, struct tcp_seg *seg)
{
	uint16_t reason;
	enum pkt_class k = pkt_parse(&peer, m, pi, &reason);

	if (k == PKT_TCP && seg != NULL)
		*seg = pi->seg;
	rte_pktmbuf_free(m);
	return k;
}

static uint64_t
stat(uint32_t word)
{
	return tcpe_stats_word(&w->st, word);
}
#define STAT(f) (stat((uint32_t)(offsetof(struct tcpe_stats, f) / 8)))

static void
wait_for(uint64_t (*get)(void), uint64_t want)
{
	for (int i = 0; i < 200 && get() != want; i++)
		rte_delay_us_sleep(1000);
}

static uint64_t conn_active(void) { return STAT(conn_active); }
static uint64_t tw_entries(void) { return STAT(tw_entries); }

/* --- tests ---------------------------------------------------------------------------- */

static void
arp_request_is_answered(void)
{
	struct rte_mbuf *m = arp_request(mp, &peer, tcpe_ip), *r;
	struct pkt_info pi;

	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(&r, 1), 1);
	CU_ASSERT_EQUAL(peer_parse(r, &pi, NULL), PKT_ARP);
	CU_ASSERT_EQUAL(pi.arp->arp_opcode, htons(RTE_ARP_OP_REPLY));
	CU_ASSERT(rte_is_same_ether_addr(&pi.arp->arp_data.arp_sha, &pinfo.mac));
	CU_ASSERT_EQUAL(pi.arp->arp_data.arp_sip, tcpe_ip);
}

static void
hello_connection_runs_through_the_worker_loop(void)
{
	struct rte_mbuf *m, *r[4];
	struct tcp_seg s = { 0 };
	struct pkt_info pi;
	uint32_t iss, cseq = 0x7ffffff0u;
	uint64_t opened = STAT(conn_opened);

	m = peer_tcp(41000, 42181, TCP_SYN, cseq, 0, NULL, 0);
	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(r, 1), 1);
	CU_ASSERT_EQUAL_FATAL(peer_parse(r[0], &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_SYN | TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, cseq + 1);
	CU_ASSERT_EQUAL(s.opts.mss, 1460);
	iss = s.seq;
	m = peer_tcp(41000, 42181, TCP_ACK, cseq + 1, iss + 1, NULL, 0);
	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(r, 2), 2);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&peer, r[0], &pi, &(uint16_t){ 0 }), PKT_TCP);
	CU_ASSERT_EQUAL(pi.seg.flags, TCP_ACK | TCP_PSH);
	CU_ASSERT_EQUAL(pi.seg.seq, iss + 1);
	CU_ASSERT_EQUAL(pi.seg.len, 12);
	CU_ASSERT_EQUAL(memcmp(pi.payload, "hello client", 12), 0);
	rte_pktmbuf_free(r[0]);
	CU_ASSERT_EQUAL(peer_parse(r[1], &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_FIN | TCP_ACK);
	CU_ASSERT_EQUAL(s.seq, iss + 13);
	m = peer_tcp(41000, 42181, TCP_FIN | TCP_ACK, cseq + 1, iss + 14, NULL, 0);
	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(r, 1), 1);
	CU_ASSERT_EQUAL(peer_parse(r[0], &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_ACK);
	CU_ASSERT_EQUAL(s.seq, iss + 14);
	CU_ASSERT_EQUAL(s.ack, cseq + 2);
	CU_ASSERT_EQUAL(STAT(conn_opened), opened + 1);
	CU_ASSERT_EQUAL(STAT(state_now[TCP_TIME_WAIT]), 1);
	/* TIME_WAIT lives on in a 40-byte entry: the record itself is free at once */
	CU_ASSERT_EQUAL(STAT(conn_active), 0);
	CU_ASSERT_EQUAL(STAT(tw_entries), 1);
	wait_for(tw_entries, 0);			/* time-wait-ms is 100 here */
	CU_ASSERT_EQUAL(STAT(tw_entries), 0);
	CU_ASSERT_EQUAL(STAT(state_now[TCP_TIME_WAIT]), 0);
}

/* An acknowledgment number from @p ack on that the keyed check of stale handshake ACKs
 * (conn.c) does not take for one of @p sport -> @p dport's ISNs of the last 2*MSL, now or in
 * the next 10 s: 1 in ~290 numbers would be, under the worker's random secret, and dropped. */
static uint32_t
ack_of_no_handshake(uint16_t sport, uint16_t dport, uint32_t ack)
{
	const struct tcp_cfg *c = &w->conn->tcp_cfg;
	struct tcp_tuple key = { .raddr = peer.ip, .laddr = cfg.ports[0].ip, .rport = htons(sport),
				 .lport = htons(dport) };
	uint64_t now = __atomic_load_n(&w->conn->tcp.now, __ATOMIC_RELAXED);

	while (tcp_isn_recent(c->isn_key, &key, sizeof(key), ack - 1, now, c->time_wait_us) ||
	       tcp_isn_recent(c->isn_key, &key, sizeof(key), ack - 1, now + 10000000,
			      c->time_wait_us))
		ack += 1u << 24;
	return ack;
}

static void
closed_port_gets_rst_and_rst_gets_nothing(void)
{
	struct rte_mbuf *m, *r;
	struct tcp_seg s = { 0 };
	struct pkt_info pi;
	uint32_t ack = ack_of_no_handshake(41001, 42181, 123456);

	m = peer_tcp(41001, 9999, TCP_SYN, 500, 0, NULL, 0);
	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(&r, 1), 1);
	CU_ASSERT_EQUAL(peer_parse(r, &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_RST | TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, 501);
	m = peer_tcp(41001, 42181, TCP_RST, 500, 0, NULL, 0);
	inject(&m, 1);
	expect_silence();
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_TCP_RST_NO_CONN]), 1);
	/* An ACK to a listening port with no connection: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.2). */
	m = peer_tcp(41001, 42181, TCP_ACK, 500, ack, NULL, 0);
	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(&r, 1), 1);
	CU_ASSERT_EQUAL(peer_parse(r, &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_RST);
	CU_ASSERT_EQUAL(s.seq, ack);
	CU_ASSERT_EQUAL(STAT(conn_active), 0);		/* and no record was made */
}

static void
malformed_frames_are_counted_not_answered(void)
{
	struct rte_mbuf *m[3];
	uint64_t ck = STAT(drop[TCPE_DROP_TCP_CKSUM]), sh = STAT(drop[TCPE_DROP_IP_SHORT]);
	uint64_t ty = STAT(drop[TCPE_DROP_ETH_TYPE]);

	m[0] = peer_tcp(41002, 42181, TCP_SYN, 1, 0, NULL, 0);
	rte_pktmbuf_mtod_offset(m[0], uint8_t *, 14 + 20 + 4)[0] ^= 0xff;	/* seq: bad sum */
	m[1] = peer_tcp(41002, 42181, TCP_SYN, 1, 0, NULL, 0);
	rte_pktmbuf_trim(m[1], (uint16_t)(rte_pktmbuf_pkt_len(m[1]) - 20));	/* 6 bytes of IP */
	m[2] = peer_tcp(41002, 42181, TCP_SYN, 1, 0, NULL, 0);
	rte_pktmbuf_mtod(m[2], struct rte_ether_hdr *)->ether_type = htons(0x88cc);	/* LLDP */
	inject(m, 3);
	expect_silence();
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_TCP_CKSUM]), ck + 1);
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_IP_SHORT]), sh + 1);
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_ETH_TYPE]), ty + 1);
}

/* A frame received in two segments (as net_memif 25.11 delivers a chained sender's frames) is
 * copied into one and answered; before, it was dropped as mbuf_chained. */
static void
chained_frame_is_linearized(void)
{
	struct rte_mbuf *m, *tail, *r;
	struct tcp_seg s = { 0 };
	struct pkt_info pi;
	uint64_t lin = STAT(rx_linearized), chained = STAT(drop[TCPE_DROP_MBUF_CHAINED]);
	uint16_t cut = 14 + 20 + 7;	/* inside the TCP header, at an odd offset */
	uint16_t rest;

	m = peer_tcp(41004, 42181, TCP_SYN, 777, 0, NULL, 0);
	tail = rte_pktmbuf_alloc(mp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
	rest = (uint16_t)(rte_pktmbuf_data_len(m) - cut);
	memcpy(rte_pktmbuf_append(tail, rest), rte_pktmbuf_mtod_offset(m, uint8_t *, cut), rest);
	rte_pktmbuf_trim(m, rest);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, tail), 0);
	CU_ASSERT_EQUAL(m->nb_segs, 2);
	inject(&m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(&r, 1), 1);
	CU_ASSERT_EQUAL(peer_parse(r, &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_SYN | TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, 778);
	CU_ASSERT_EQUAL(STAT(rx_linearized), lin + 1);
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_MBUF_CHAINED]), chained);
	m = peer_tcp(41004, 42181, TCP_RST, 778, 0, NULL, 0);	/* leave no half-open record */
	inject(&m, 1);
	expect_silence();
}

/* A SYN and its retransmission in one burst: the second must find the record the first made. */
static void
same_burst_duplicate_syn_finds_the_new_record(void)
{
	struct rte_mbuf *m[2], *r[3];
	struct tcp_seg s = { 0 };
	struct pkt_info pi;
	uint64_t rex = STAT(synack_rexmit), rst = STAT(rst_tx);
	unsigned int n;

	m[0] = peer_tcp(41003, 7, TCP_SYN, 9000, 0, NULL, 0);
	m[1] = peer_tcp(41003, 7, TCP_SYN, 9000, 0, NULL, 0);
	inject(m, 2);
	n = collect(r, 2);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(peer_parse(r[i], &pi, &s), PKT_TCP);
		CU_ASSERT_EQUAL(s.flags, TCP_SYN | TCP_ACK);
	}
	CU_ASSERT_EQUAL(STAT(synack_rexmit), rex + 1);
	CU_ASSERT_EQUAL(STAT(rst_tx), rst);
	/* Finish it: ACK, then data through echo, then our FIN after the peer's. */
	m[0] = peer_tcp(41003, 7, TCP_ACK, 9001, s.seq + 1, NULL, 0);
	m[1] = peer_tcp(41003, 7, TCP_ACK | TCP_PSH | TCP_FIN, 9001, s.seq + 1, "ping!", 5);
	inject(m, 2);
	n = collect(r, 1);
	/* one segment: the echo carries the ACK of data and FIN, and our FIN (echo closes with
	 * fin_with_data). Not collect(r, 2): its second's wait ran into this segment's first RTO
	 * (1 s: no RTT sample after the SYN-ACK was resent), whose copy then reached the next test. */
	CU_ASSERT_EQUAL_FATAL(n, 1);
	expect_silence();
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&peer, r[0], &pi, &(uint16_t){ 0 }), PKT_TCP);
	CU_ASSERT_EQUAL(pi.seg.len, 5);
	CU_ASSERT_EQUAL(memcmp(pi.payload, "ping!", 5), 0);
	CU_ASSERT_EQUAL(pi.seg.ack, 9001 + 5 + 1);	/* data and FIN acknowledged */
	CU_ASSERT_EQUAL(pi.seg.flags, TCP_ACK | TCP_PSH | TCP_FIN);
	s = pi.seg;
	s.seq += 5;		/* the FIN's sequence number */
	rte_pktmbuf_free(r[0]);
	m[0] = peer_tcp(41003, 7, TCP_ACK, 9007, s.seq + 1, NULL, 0);
	inject(m, 1);
	wait_for(conn_active, 0);
	CU_ASSERT_EQUAL(STAT(conn_active), 0);		/* LAST_ACK -> CLOSED: released */
}

static uint64_t arp_tx(void) { return STAT(arp_tx); }

/* A port that cannot send: the wire's ring full (1023 replies nobody took) and 200 more waiting
 * in the worker's TX buffer. A new SYN is shed, counted as tcp_syn_tx_full, and no record made
 * (its SYN-ACK would have taken the room the connections there keep); once the wire drains,
 * what waited leaves in order and the same SYN is answered. */
static void
syn_is_shed_while_its_port_cannot_send(void)
{
	enum { QUEUED = 1023 + 200 };
	struct rte_mbuf *m[64], *r;
	struct tcp_seg s = { 0 };
	struct pkt_info pi;
	uint64_t arps = STAT(arp_tx), shed = STAT(drop[TCPE_DROP_TCP_SYN_TX_FULL]);
	uint64_t full = STAT(drop[TCPE_DROP_TX_FULL]);
	unsigned int got = 0, n;

	CU_ASSERT_EQUAL_FATAL(STAT(conn_active), 0);
	CU_ASSERT_EQUAL_FATAL(rte_ring_count(wire_out), 0);
	for (unsigned int sent = 0; sent < QUEUED; sent += n) {
		n = RTE_MIN(RTE_DIM(m), QUEUED - sent);
		for (unsigned int i = 0; i < n; i++)
			m[i] = arp_request(mp, &peer, tcpe_ip);
		inject(m, n);
		wait_for(arp_tx, arps + sent + n);
	}
	CU_ASSERT_EQUAL_FATAL(STAT(arp_tx), arps + QUEUED);
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_TX_FULL]), full);	/* all held: none lost */
	m[0] = peer_tcp(41010, 42181, TCP_SYN, 777, 0, NULL, 0);
	inject(m, 1);
	for (int i = 0; i < 200 && STAT(drop[TCPE_DROP_TCP_SYN_TX_FULL]) == shed; i++)
		rte_delay_us_sleep(1000);
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_TCP_SYN_TX_FULL]), shed + 1);
	CU_ASSERT_EQUAL(STAT(conn_active), 0);
	/* the wire drains: every reply arrives, an ARP reply each, and no SYN-ACK among them */
	while ((n = collect(m, RTE_MIN(RTE_DIM(m), QUEUED - got))) > 0) {
		for (unsigned int i = 0; i < n; i++)
			CU_ASSERT_EQUAL(peer_parse(m[i], &pi, NULL), PKT_ARP);
		got += n;
		if (got == QUEUED)
			break;
	}
	CU_ASSERT_EQUAL_FATAL(got, QUEUED);
	m[0] = peer_tcp(41010, 42181, TCP_SYN, 777, 0, NULL, 0);
	inject(m, 1);
	CU_ASSERT_EQUAL_FATAL(collect(&r, 1), 1);
	CU_ASSERT_EQUAL_FATAL(peer_parse(r, &pi, &s), PKT_TCP);
	CU_ASSERT_EQUAL(s.flags, TCP_SYN | TCP_ACK);
	CU_ASSERT_EQUAL(s.ack, 778);
	m[0] = peer_tcp(41010, 42181, TCP_RST, 778, 0, NULL, 0);
	inject(m, 1);
	wait_for(conn_active, 0);
	CU_ASSERT_EQUAL(STAT(conn_active), 0);
	CU_ASSERT_EQUAL(STAT(drop[TCPE_DROP_TX_FULL]), full);
}

/*
 * The owner of a tuple is the queue a NIC with our key and RETA delivers it to: Toeplitz over
 * the host-order (src, dst, sport << 16 | dport) words, as rte_softrss() (checked against
 * Microsoft's vectors in the unit tests) computes it, then RETA[hash & (size - 1)]; and both
 * directions have one owner. An earlier worker_owner() hashed byte-swapped fields: consistent
 * between two tcpe workers, but not the queue a real NIC picks.
 */
static void
owner_is_the_nic_queue(void)
{
	struct steer *o = calloc(1, sizeof(*o));
	struct tcp_tuple t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	steer_init(o, 0, 3, 128, false);
	inet_pton(AF_INET, "198.18.1.2", &t.laddr);
	inet_pton(AF_INET, "198.18.1.1", &t.raddr);
	t.rport = htons(80);
	for (unsigned int port = 1024; port < 65536; port += 7) {
		uint32_t in[3] = { ntohl(t.raddr), ntohl(t.laddr), 80u << 16 | port };
		uint32_t h = rte_softrss(in, 3, rss_symmetric_key);
		struct tcp_tuple r = { .laddr = t.raddr, .raddr = t.laddr, .lport = t.rport };

		t.lport = htons((uint16_t)port);
		r.rport = t.lport;
		CU_ASSERT_EQUAL(steer_owner(o, &t), (h & 127) % 3);
		CU_ASSERT_EQUAL(steer_owner(o, &r), steer_owner(o, &t));
	}
	/* one value pinned: 198.18.1.1:80 -> 198.18.1.2:10001 under the symmetric key */
	t.lport = htons(10001);
	CU_ASSERT_EQUAL(rss_hash_v4_tcp(rss_symmetric_key, t.raddr, t.laddr, t.rport, t.lport),
			0xca05ca05u);
	CU_ASSERT_EQUAL(steer_owner(o, &t), (0xca05ca05u & 127) % 3);
	free(o);
}

/*
 * --rx-coalesce-us: frames that come one by one while the worker holds its next poll back are
 * received in one iteration and answered together. Five ARP requests 2 ms apart under a 1 s
 * hold: one iteration takes them all (two if a hold happened to end among them), where polling
 * back to back takes one an iteration; all five are answered and the wait is counted. The hold
 * is set on the running worker directly (the option caps it at 100 us, too short to test by).
 */
static void
short_bursts_wait_for_the_hold(void)
{
	uint64_t busy0, rx0, held0, loops0;
	struct rte_mbuf *r[5];
	struct pkt_info pi;
	unsigned int n = 0;

	__atomic_store_n(&w->rx_hold_tsc, rte_get_tsc_hz(), __ATOMIC_RELAXED);
	rte_delay_us_sleep(5000);	/* the worker's next iteration ends in a hold */
	busy0 = STAT(busy_loops);
	rx0 = STAT(rx_pkts);
	held0 = STAT(rx_coalesce_us);
	for (int i = 0; i < 5; i++) {
		struct rte_mbuf *m = arp_request(mp, &peer, tcpe_ip);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		inject(&m, 1);
		rte_delay_us_sleep(2000);
	}
	/* rx_pkts moves as the iteration receives, busy_loops as it ends (after its flush) */
	for (int i = 0; i < 3000 && (STAT(rx_pkts) < rx0 + 5 || STAT(busy_loops) == busy0); i++)
		rte_delay_us_sleep(1000);
	CU_ASSERT_EQUAL(STAT(rx_pkts), rx0 + 5);
	CU_ASSERT(STAT(busy_loops) - busy0 <= 2);
	CU_ASSERT(STAT(busy_loops) - busy0 >= 1);
	CU_ASSERT(STAT(rx_coalesce_us) - held0 >= 500000);
	n = collect(r, 5);
	CU_ASSERT_EQUAL(n, 5);
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(peer_parse(r[i], &pi, NULL), PKT_ARP);
		CU_ASSERT_EQUAL(pi.arp->arp_opcode, htons(RTE_ARP_OP_REPLY));
	}
	/* back to polling back to back: wait out the hold the worker may be in */
	__atomic_store_n(&w->rx_hold_tsc, 0, __ATOMIC_RELAXED);
	loops0 = STAT(loops);
	for (int i = 0; i < 3000 && STAT(loops) < loops0 + 2; i++)
		rte_delay_us_sleep(1000);
	CU_ASSERT(STAT(loops) >= loops0 + 2);
}

/* --- setup ---------------------------------------------------------------------------- */

static int
setup(void)
{
	char *args[] = { "tcpe_eal_test", "--ip", "198.18.0.1/24", "--listen", "42181:hello",
			 "--listen", "7:echo", "--max-conns", "64", "--mbufs", "4096",
			 "--time-wait-ms", "100", "--trace", "0", NULL };
	struct rte_ring *rx, *tx;

	if (config_parse(&cfg, (int)RTE_DIM(args) - 1, args, stderr) != 0)
		return -1;
	mp = rte_pktmbuf_pool_create("eal_test_mp", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	rx = rte_ring_create("eal_test_in", 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx = rte_ring_create("eal_test_out", 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (mp == NULL || rx == NULL || tx == NULL)
		return -1;
	wire_in = rx;
	wire_out = tx;
	int p = rte_eth_from_rings("net_ring_tcpe", &rx, 1, &tx, 1, (unsigned int)rte_socket_id());
	if (p < 0)
		return -1;
	port_id = (uint16_t)p;
	if (port_setup(port_id, 1, mp, &pinfo, NULL) != 0)
		return -1;
	worker_lcore = rte_get_next_lcore(-1, 1, 0);
	link_init(&plink, port_id, pinfo.driver, 1, &pinfo.mac);
	{
		struct worker_spec spec = {
			.cfg = &cfg, .index = 0, .lcore = worker_lcore, .nworkers = 1, .mp = mp,
			.nports = 1, .port_ids = &port_id, .pinfo = &pinfo, .links = &plink,
		};

		w = worker_create(&spec);
	}
	if (w == NULL)
		return -1;
	tcpe_ip = cfg.ports[0].ip;
	peer.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 2 } };
	inet_pton(AF_INET, "198.18.0.2", &peer.ip);
	peer.mask = htonl(0xffffff00u);
	peer_tx.mac = peer.mac;
	if (rte_eal_remote_launch(worker_main, w, worker_lcore) != 0)
		return -1;
	/* The start-up gratuitous ARP is the first frame out. */
	struct rte_mbuf *g;
	if (collect(&g, 1) != 1)
		return -1;
	rte_pktmbuf_free(g);
	return 0;
}

static int
teardown(void)
{
	struct rte_mbuf *m;

	w->stop = true;
	rte_eal_wait_lcore(worker_lcore);
	while (rte_ring_dequeue(wire_out, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	worker_destroy(w);
	port_teardown(port_id);
	/* Every mbuf back in the pool: nothing leaked on any path above. */
	if (rte_mempool_avail_count(mp) != NB_MBUF) {
		fprintf(stderr, "mbuf leak: %u of %u in the pool\n", rte_mempool_avail_count(mp),
			NB_MBUF);
		return -1;
	}
	rte_mempool_free(mp);
	return 0;
}

int
suite_worker(void)
{
	CU_pSuite s = CU_add_suite("worker loop on net_ring", setup, teardown);

	if (s == NULL ||
	    CU_add_test(s, "arp_request_is_answered", arp_request_is_answered) == NULL ||
	    CU_add_test(s, "owner_is_the_nic_queue", owner_is_the_nic_queue) == NULL ||
	    CU_add_test(s, "hello_connection_runs_through_the_worker_loop",
			hello_connection_runs_through_the_worker_loop) == NULL ||
	    CU_add_test(s, "closed_port_and_stray_ack_get_rst_and_rst_gets_nothing",
			closed_port_gets_rst_and_rst_gets_nothing) == NULL ||
	    CU_add_test(s, "malformed_frames_are_counted_not_answered",
			malformed_frames_are_counted_not_answered) == NULL ||
	    CU_add_test(s, "chained_frame_is_linearized", chained_frame_is_linearized) == NULL ||
	    CU_add_test(s, "same_burst_duplicate_syn_finds_the_new_record",
			same_burst_duplicate_syn_finds_the_new_record) == NULL ||
	    CU_add_test(s, "syn_is_shed_while_its_port_cannot_send",
			syn_is_shed_while_its_port_cannot_send) == NULL ||
	    CU_add_test(s, "short_bursts_wait_for_the_hold", short_bursts_wait_for_the_hold) == NULL)
		return -1;
	return 0;
}

/* Remove EAL's runtime directory @p dir (its files; EAL leaves them behind at cleanup). */
static void
remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	char prefix[64], rundir[PATH_MAX];
	char *eal[] = { argv[0], "-l", "0-1", "--no-huge", "-m", "256", "--no-pci",
			"--file-prefix", prefix, "--log-level", "lib.eal:warning", NULL };
	unsigned int failures;

	(void)argc;
	/* the runner names the prefix so it can remove /var/run/dpdk/<prefix> also after a crash */
	if (getenv("TCPE_EAL_PREFIX") != NULL)
		snprintf(prefix, sizeof(prefix), "%s", getenv("TCPE_EAL_PREFIX"));
	else
		snprintf(prefix, sizeof(prefix), "tcpe_eal_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS || suite_flow() != 0 || suite_table() != 0 ||
	    suite_client() != 0 ||
	    suite_worker() != 0 || suite_mem() != 0)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		   CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(rundir);	/* run by hand too, nothing is left in /var/run/dpdk */
	return failures == 0 ? 0 : 1;
}
