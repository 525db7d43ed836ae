/* test_packets.c - parse, build, ICMP and ARP on mbufs laid out by hand (no mempool, no EAL). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "arp.h"
#include "build.h"
#include "fake_mbuf.h"
#include "icmp.h"
#include "parse.h"
#include "sndq.h"
#include "tcp_suites.h"

static struct fake_mbuf F;
static struct net_addr ifa;
static struct tx_props tx;
static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0, 2 } };

static struct rte_mbuf *
fresh(void)
{
	return fake_mbuf_fresh(&F);
}

static void
setup_addrs(void)
{
	ifa.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	inet_pton(AF_INET, "198.18.0.1", &ifa.ip);
	ifa.mask = htonl(0xffffff00u);
	ifa.alias_lo = 0;
	ifa.alias_n = 0;
	ifa.vlan = 0;
	tx.mac = ifa.mac;
	tx.cksum_offload = false;
}

/* A TCP segment from the peer to us, built with tcpe's own builder (then addresses swapped). */
static struct rte_mbuf *
peer_segment(uint8_t flags, uint32_t len)
{
	struct rte_mbuf *m = fresh();
	struct tcp_tuple tp;
	struct tcp_out o = { .seq = 1000, .ack = 2000, .len = len, .wnd = 8192, .flags = flags };
	struct tcp_opts opts = { .present = TCP_HAVE_MSS, .mss = 1400 };
	struct rte_ether_hdr *eth;

	setup_addrs();
	inet_pton(AF_INET, "198.18.0.2", &tp.laddr);	/* the builder writes laddr as source */
	tp.raddr = ifa.ip;
	tp.lport = htons(40000);
	tp.rport = htons(7);
	o.optlen = (uint8_t)tcp_opts_build(o.opt, &opts);
	if (len > 0)
		memset(rte_pktmbuf_append(m, (uint16_t)len), 'x', len);
	CU_ASSERT_EQUAL_FATAL(build_tcp(m, &tx, &ifa.mac, &tp, &o), 0);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->src_addr = peer_mac;
	return m;
}

static uint16_t
parse_reason(struct rte_mbuf *m, enum pkt_class want)
{
	struct pkt_info pi;
	uint16_t reason = 0xffff;

	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), want);
	return reason;
}

static void
built_segment_parses_back(void)
{
	struct rte_mbuf *m = peer_segment(TCP_SYN, 0);
	struct pkt_info pi;
	uint16_t reason;

	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	CU_ASSERT_EQUAL(pi.seg.seq, 1000);
	CU_ASSERT_EQUAL(pi.seg.flags, TCP_SYN);
	CU_ASSERT_EQUAL(pi.seg.wnd, 8192);
	CU_ASSERT_EQUAL(pi.seg.len, 0);
	CU_ASSERT_EQUAL(pi.seg.opts.mss, 1400);
	CU_ASSERT_EQUAL(pi.key.lport, htons(7));
	CU_ASSERT_EQUAL(pi.key.rport, htons(40000));
	m = peer_segment(TCP_ACK | TCP_PSH, 700);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	CU_ASSERT_EQUAL(pi.seg.len, 700);
	CU_ASSERT_EQUAL(pi.payload[0], 'x');
	CU_ASSERT_EQUAL(pi.payload[699], 'x');
}

/* Software IPv4 and TCP sums of built segments (headers summed from the values written, payloads
 * from the frame or given as the send path does) agree with DPDK's, with addresses that carry. */
static void
built_checksums_match_dpdks(void)
{
	static const char *addrs[] = { "198.18.0.1", "198.18.0.2", "198.19.255.255",
				       "198.19.255.254", "198.18.128.0", "198.19.127.255" };
	static const uint32_t lens[] = { 0, 1, 7, 700, 1459 };
	static const uint8_t flags[] = { TCP_ACK | TCP_PSH, TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK };
	struct tcp_opts opts = { .present = TCP_HAVE_TIMESTAMP | TCP_HAVE_MSS | TCP_HAVE_WSCALE,
				 .ts_val = 0xffffffffu, .ts_ecr = 1, .mss = 1460, .wscale = 14 };

	for (unsigned int k = 0; k < 6 * RTE_DIM(lens); k++) {	/* psum or not, 3 address pairs */
		struct rte_mbuf *m = fresh();
		struct tcp_tuple tp = { .lport = htons(65535), .rport = htons((uint16_t)(80 + k)) };
		struct tcp_out o = { .seq = 0xfffffff0u + k * 0x01010101u, .ack = 7 + k * 0x80808080u,
				     .len = lens[k % RTE_DIM(lens)], .wnd = (uint16_t)(65535 - k * 999),
				     .flags = flags[k % RTE_DIM(flags)] };
		void *payload = memset(rte_pktmbuf_append(m, (uint16_t)o.len), (int)(0xa5 + k), o.len);
		int32_t psum = o.len > 0 && k >= 3 * RTE_DIM(lens) ? rte_raw_cksum(payload, o.len) : -1;
		struct rte_ipv4_hdr *ip;

		inet_pton(AF_INET, addrs[2 * ((k / RTE_DIM(lens)) % 3)], &tp.laddr);
		inet_pton(AF_INET, addrs[2 * ((k / RTE_DIM(lens)) % 3) + 1], &tp.raddr);
		o.optlen = (uint8_t)(k % 2 ? tcp_opts_build(o.opt, &opts) : 0);
		CU_ASSERT_EQUAL_FATAL(build_tcp_psum(m, &tx, &peer_mac, &tp, &o, psum), 0);
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
		CU_ASSERT_EQUAL(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
		rte_pktmbuf_free(m);
	}
}

/* A peer segment tagged @p vid (802.1Q inserted in front of its ethertype). */
static struct rte_mbuf *
tagged_segment(uint16_t vid)
{
	struct rte_mbuf *m = peer_segment(TCP_ACK | TCP_PSH, 100);

	m->vlan_tci = vid;
	CU_ASSERT_EQUAL_FATAL(rte_vlan_insert(&m), 0);
	return m;
}

static void
vlan_tags_are_checked_and_removed(void)
{
	struct rte_mbuf *m = tagged_segment(100);
	struct pkt_info pi;
	uint16_t reason, len = rte_pktmbuf_data_len(m);

	ifa.vlan = 100;	/* (peer_segment() resets it: set after building) */
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), len - 4);	/* the tag is gone */
	CU_ASSERT_EQUAL(pi.eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	CU_ASSERT(rte_is_same_ether_addr(&pi.eth->src_addr, &peer_mac));
	CU_ASSERT_EQUAL(pi.seg.seq, 1000);
	CU_ASSERT_EQUAL(pi.seg.len, 100);
	/* parsed again (a segment steered to its owner): the tag was taken already */
	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	/* another VLAN, none, or a tag on a port without one */
	m = tagged_segment(200);
	ifa.vlan = 100;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_VLAN_OTHER);
	m = peer_segment(TCP_ACK, 0);
	ifa.vlan = 100;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_VLAN_OTHER);
	m = tagged_segment(100);
	ifa.vlan = 0;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_VLAN_OTHER);
	/* a tag the device stripped counts as the frame's */
	m = peer_segment(TCP_ACK, 0);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 0x2000 | 100;	/* priority bits are not looked at */
	ifa.vlan = 100;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_TCP), 0xffff);
	/* a tagged frame cut inside its tag */
	m = tagged_segment(100);
	m->data_len = m->pkt_len = 16;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_SHORT);
	ifa.vlan = 0;
}

static void
parse_drops_each_malformed_class_by_reason(void)
{
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

#define IP(m) ((struct rte_ipv4_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + 14))
#define TH(m) ((struct rte_tcp_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + 34))
	m = peer_segment(TCP_ACK, 10);
	m->data_len = 10;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_SHORT);
	m = peer_segment(TCP_ACK, 10);
	m->data_len = 14 + 12;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_SHORT);
	m = peer_segment(TCP_ACK, 10);
	IP(m)->version_ihl = 0x65;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_VERSION);
	m = peer_segment(TCP_ACK, 10);
	IP(m)->version_ihl = 0x44;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_HDR_LEN);
	m = peer_segment(TCP_ACK, 10);
	IP(m)->total_length = htons(2000);		/* lies: longer than the frame */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_TOTAL_LEN);
	m = peer_segment(TCP_ACK, 10);
	IP(m)->time_to_live--;				/* header changed, checksum not */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_CKSUM);
	m = peer_segment(TCP_ACK, 10);
	ip = IP(m);
	ip->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_FRAGMENT);
	m = peer_segment(TCP_ACK, 10);
	ip = IP(m);
	ip->dst_addr ^= htonl(1);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_NOT_FOR_US);
	m = peer_segment(TCP_ACK, 10);
	ip = IP(m);
	inet_pton(AF_INET, "198.18.0.255", &ip->src_addr);	/* our subnet's broadcast */
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_SRC);
	m = peer_segment(TCP_ACK, 10);
	TH(m)->rx_win ^= 0xffff;			/* payload changed, checksum not */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_TCP_CKSUM);
	m = peer_segment(TCP_ACK, 0);
	th = TH(m);
	th->data_off = 0x40;				/* 16 bytes: below the minimum */
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(IP(m), th);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_TCP_DOFF);
	m = peer_segment(TCP_ACK, 0);
	th = TH(m);
	((uint8_t *)(th + 1))[1] = 9;			/* MSS option claims 9 bytes */
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(IP(m), th);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_TCP_OPTS);
	m = peer_segment(TCP_SYN | TCP_FIN, 0);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_TCP_FLAGS);
	m = peer_segment(TCP_ACK, 0);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = htons(0x88cc);	/* LLDP */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_TYPE);
	m = peer_segment(TCP_ACK, 0);	/* IPv6 on a port without --ip6 */
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = htons(0x86dd);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_OFF);
	m = peer_segment(TCP_ACK, 0);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes[0] = 0x33;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_MULTICAST);
	m = peer_segment(TCP_ACK, 0);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr.addr_bytes[0] = 0x01;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_SRC);
	/* Ethernet padding after a short IP packet is fine, and not payload. */
	m = peer_segment(TCP_ACK, 0);
	memset(rte_pktmbuf_append(m, 6), 0, 6);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_TCP), 0xffff);
#undef IP
#undef TH
}

/* RFC 791 options (here NOP NOP NOP EOL) are skipped, not rejected. */
static void
ip_options_are_accepted(void)
{
	struct rte_mbuf *m = peer_segment(TCP_ACK | TCP_PSH, 50);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t len = (uint16_t)rte_pktmbuf_data_len(m);
	struct rte_ipv4_hdr *ip;
	struct pkt_info pi;
	uint16_t reason;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(m, 4));
	memmove(p + 14 + 24, p + 14 + 20, (size_t)len - 34);	/* open a 4-byte gap */
	memcpy(p + 14 + 20, "\x01\x01\x01\x00", 4);
	ip = (struct rte_ipv4_hdr *)(p + 14);
	ip->version_ihl = 0x46;
	ip->total_length = htons((uint16_t)(rte_be_to_cpu_16(ip->total_length) + 4));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	CU_ASSERT_EQUAL(pi.seg.len, 50);
	CU_ASSERT_EQUAL(pi.seg.seq, 1000);
	CU_ASSERT_EQUAL(pi.payload[0], 'x');
}

static void
rst_reply_in_place_swaps_ends(void)
{
	struct rte_mbuf *m = peer_segment(TCP_ACK | TCP_PSH, 100);
	struct tcp_out o = { .seq = 2000, .flags = TCP_RST };
	struct pkt_info pi;
	uint16_t reason;
	struct rte_ether_hdr *eth;

	build_tcp_reply_in_place(m, &tx, &o);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	CU_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, &peer_mac));
	CU_ASSERT_EQUAL(m->pkt_len, HDRS_LEN);
	/* Seen from the peer: swap the roles and parse it as they would. */
	ifa.ip = ((struct rte_ipv4_hdr *)(eth + 1))->dst_addr;
	eth->dst_addr = ifa.mac;
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	CU_ASSERT_EQUAL(pi.seg.flags, TCP_RST);
	CU_ASSERT_EQUAL(pi.seg.seq, 2000);
	CU_ASSERT_EQUAL(pi.seg.len, 0);
	CU_ASSERT_EQUAL(pi.key.lport, htons(40000));
}

static void
icmp_echo_reply_has_valid_checksums(void)
{
	static const unsigned int sizes[] = { 0, 1, 56, 1400, 1472 };

	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned int plen = sizes[k];
		struct rte_mbuf *m = fresh();
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + 20 + 8 + plen));
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
		struct pkt_info pi;
		uint16_t reason;
		uint32_t src;

		setup_addrs();
		inet_pton(AF_INET, "198.18.0.2", &src);
		eth->dst_addr = ifa.mac;
		eth->src_addr = peer_mac;
		eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
		*ip = (struct rte_ipv4_hdr){ .version_ihl = 0x45, .total_length =
					     htons((uint16_t)(20 + 8 + plen)), .time_to_live = 64,
					     .next_proto_id = IPPROTO_ICMP, .src_addr = src,
					     .dst_addr = ifa.ip };
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		*ic = (struct rte_icmp_hdr){ .icmp_type = RTE_ICMP_TYPE_ECHO_REQUEST,
					     .icmp_ident = htons(77), .icmp_seq_nb = htons(k) };
		for (unsigned int i = 0; i < plen; i++)
			((uint8_t *)(ic + 1))[i] = (uint8_t)(i * 7 + k);
		ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8 + plen);
		CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP);
		icmp_echo_reply_in_place(m, &pi, &tx);
		CU_ASSERT_EQUAL(ic->icmp_type, RTE_ICMP_TYPE_ECHO_REPLY);
		CU_ASSERT_EQUAL(rte_raw_cksum(ic, 8 + plen), 0xffff);	/* incremental update right */
		CU_ASSERT_EQUAL(rte_raw_cksum(ip, 20), 0xffff);
		CU_ASSERT_EQUAL(ip->dst_addr, src);
		CU_ASSERT_EQUAL(ip->src_addr, ifa.ip);
		CU_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, &peer_mac));
		CU_ASSERT_EQUAL(ic->icmp_ident, htons(77));
	}
}

/* The reply whose message sums to zero: its checksum must be 0xffff, not the 0x0000 an
 * incremental update (RFC 1624) gives (found by the fuzzer). */
static void
icmp_echo_reply_checksum_of_an_all_zero_message(void)
{
	struct rte_mbuf *m = fresh();
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 14 + 20 + 8);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	struct pkt_info pi;
	uint16_t reason;

	setup_addrs();
	eth->dst_addr = ifa.mac;
	eth->src_addr = peer_mac;
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	*ip = (struct rte_ipv4_hdr){ .version_ihl = 0x45, .total_length = htons(28),
				     .time_to_live = 64, .next_proto_id = IPPROTO_ICMP,
				     .dst_addr = ifa.ip };
	inet_pton(AF_INET, "198.18.0.2", &ip->src_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*ic = (struct rte_icmp_hdr){ .icmp_type = RTE_ICMP_TYPE_ECHO_REQUEST };	/* id 0, seq 0 */
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP);
	icmp_echo_reply_in_place(m, &pi, &tx);
	CU_ASSERT_EQUAL(ic->icmp_cksum, 0xffff);
	CU_ASSERT_EQUAL(rte_raw_cksum(ic, 8), 0xffff);
	rte_pktmbuf_free(m);
}

/* An echo request with 8 bytes of IP options (a record-route, as a forger would send): the reply
 * goes back without them, and its IP and ICMP checksums are right. */
static void
icmp_echo_reply_drops_ip_options(void)
{
	struct rte_mbuf *m = fresh();
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 14 + 28 + 8 + 32);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *opt = (uint8_t *)(ip + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(opt + 8), *rc;
	struct pkt_info pi;
	uint16_t reason;
	uint32_t src;

	setup_addrs();
	inet_pton(AF_INET, "198.18.0.2", &src);
	eth->dst_addr = ifa.mac;
	eth->src_addr = peer_mac;
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	*ip = (struct rte_ipv4_hdr){ .version_ihl = 0x47, .total_length = htons(28 + 8 + 32),
				     .time_to_live = 64, .next_proto_id = IPPROTO_ICMP,
				     .src_addr = src, .dst_addr = ifa.ip };
	memcpy(opt, "\x07\x07\x04\x00\x00\x00\x00\x00", 8);	/* record route, one slot; EOL */
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*ic = (struct rte_icmp_hdr){ .icmp_type = RTE_ICMP_TYPE_ECHO_REQUEST, .icmp_ident = htons(9),
				     .icmp_seq_nb = htons(1) };
	memset(ic + 1, 0xab, 32);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8 + 32);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP);
	icmp_echo_reply_in_place(m, &pi, &tx);
	CU_ASSERT_EQUAL(ip->version_ihl, 0x45);
	CU_ASSERT_EQUAL(ntohs(ip->total_length), 20 + 8 + 32);
	CU_ASSERT_EQUAL(m->pkt_len, 14 + 20 + 8 + 32);
	CU_ASSERT_EQUAL(rte_raw_cksum(ip, 20), 0xffff);
	rc = (struct rte_icmp_hdr *)(ip + 1);
	CU_ASSERT_EQUAL(rc->icmp_type, RTE_ICMP_TYPE_ECHO_REPLY);
	CU_ASSERT_EQUAL(rc->icmp_ident, htons(9));
	CU_ASSERT_EQUAL(((uint8_t *)(rc + 1))[31], 0xab);
	CU_ASSERT_EQUAL(rte_raw_cksum(rc, 8 + 32), 0xffff);
	rte_pktmbuf_free(m);
}

/* ICMP fragmentation needed quoting our segment @p quote_src -> peer, TCP 80 -> 40000 at seq
 * 1000, next-hop MTU 1400; @p inner_len bytes of the quoted packet kept. */
static struct rte_mbuf *
toobig_frame(uint32_t quote_src, uint8_t proto, unsigned int inner_len)
{
	struct rte_mbuf *m = fresh();
	unsigned int ilen = 8 + inner_len;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + 20 + ilen));
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	struct rte_ipv4_hdr *in = (struct rte_ipv4_hdr *)(ic + 1);
	uint8_t *th = (uint8_t *)(in + 1);
	uint32_t src;

	inet_pton(AF_INET, "198.18.0.254", &src);
	eth->dst_addr = ifa.mac;
	eth->src_addr = peer_mac;
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	*ip = (struct rte_ipv4_hdr){ .version_ihl = 0x45, .total_length = htons((uint16_t)(20 + ilen)),
				     .time_to_live = 64, .next_proto_id = IPPROTO_ICMP,
				     .src_addr = src, .dst_addr = ifa.ip };
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*ic = (struct rte_icmp_hdr){ .icmp_type = ICMP_DEST_UNREACH, .icmp_code = ICMP_FRAG_NEEDED,
				     .icmp_seq_nb = htons(1400) };
	memset(in, 0, inner_len);
	if (inner_len >= 28) {
		*in = (struct rte_ipv4_hdr){ .version_ihl = 0x45, .total_length = htons(1500),
					     .next_proto_id = proto, .src_addr = quote_src };
		inet_pton(AF_INET, "198.18.0.2", &in->dst_addr);
		memcpy(th, "\x00\x50\x9c\x40\x00\x00\x03\xe8", 8);	/* 80, 40000, seq 1000 */
	}
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, ilen);
	return m;
}

/* ICMP fragmentation needed: the quoted segment's connection, sequence number and the next-hop
 * MTU come out; quotes of another host's packet, of UDP, or cut short are refused by reason. */
static void
icmp_fragmentation_needed_is_parsed_and_checked(void)
{
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint16_t reason;
	uint32_t other;

	setup_addrs();
	m = toobig_frame(ifa.ip, IPPROTO_TCP, 28);
	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP_TOOBIG);
	CU_ASSERT_EQUAL(pi.mtu, 1400);
	CU_ASSERT_EQUAL(pi.seg.seq, 1000);
	CU_ASSERT_EQUAL(pi.key.laddr, ifa.ip);
	CU_ASSERT_EQUAL(pi.key.lport, htons(80));
	CU_ASSERT_EQUAL(pi.key.rport, htons(40000));
	rte_pktmbuf_free(m);
	inet_pton(AF_INET, "198.18.0.77", &other);
	m = toobig_frame(other, IPPROTO_TCP, 28);
	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), PKT_DROP);
	CU_ASSERT_EQUAL(reason, TCPE_DROP_ICMP_QUOTE);
	rte_pktmbuf_free(m);
	m = toobig_frame(ifa.ip, IPPROTO_UDP, 28);
	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), PKT_DROP);
	CU_ASSERT_EQUAL(reason, TCPE_DROP_ICMP_QUOTE);
	rte_pktmbuf_free(m);
	m = toobig_frame(ifa.ip, IPPROTO_TCP, 24);
	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), PKT_DROP);
	CU_ASSERT_EQUAL(reason, TCPE_DROP_ICMP_SHORT);
	rte_pktmbuf_free(m);
}

/* A broadcast ARP request from the peer (198.18.0.2) for @p tip, in a fresh frame. */
static struct rte_mbuf *
arp_request_frame(uint32_t tip, struct rte_ether_hdr **ethp, struct rte_arp_hdr **ap)
{
	struct rte_mbuf *m = fresh();
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 28);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);

	memset(&eth->dst_addr, 0xff, 6);
	eth->src_addr = peer_mac;
	eth->ether_type = htons(RTE_ETHER_TYPE_ARP);
	*a = (struct rte_arp_hdr){ .arp_hardware = htons(1), .arp_protocol = htons(0x0800),
				   .arp_hlen = 6, .arp_plen = 4, .arp_opcode = htons(1) };
	a->arp_data.arp_sha = peer_mac;
	inet_pton(AF_INET, "198.18.0.2", &a->arp_data.arp_sip);
	a->arp_data.arp_tip = tip;
	*ethp = eth;
	*ap = a;
	return m;
}

static void
arp_request_for_us_becomes_a_reply(void)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint16_t reason;
	uint32_t asker;

	setup_addrs();
	inet_pton(AF_INET, "198.18.0.2", &asker);
	m = arp_request_frame(ifa.ip, &eth, &a);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ARP);
	CU_ASSERT_TRUE(arp_reply_in_place(m, &pi, &ifa));
	CU_ASSERT_EQUAL(a->arp_opcode, htons(2));
	CU_ASSERT(rte_is_same_ether_addr(&a->arp_data.arp_sha, &ifa.mac));
	CU_ASSERT_EQUAL(a->arp_data.arp_sip, ifa.ip);
	CU_ASSERT(rte_is_same_ether_addr(&a->arp_data.arp_tha, &peer_mac));
	CU_ASSERT_EQUAL(a->arp_data.arp_tip, asker);
	CU_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, &peer_mac));
	/* A request for someone else is not answered. */
	a->arp_opcode = htons(1);
	a->arp_data.arp_tip = asker;
	CU_ASSERT_FALSE(arp_reply_in_place(m, &pi, &ifa));
	memset(&eth->dst_addr, 0xff, 6);
	a->arp_hlen = 8;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ARP_MALFORMED);
}

/* Client mode's --source-ips are the port's addresses too: ARP for them is answered with the
 * asked address, segments to them are ours, and none of them is a valid peer source. */
static void
source_ips_are_ours_for_arp_and_ip(void)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint16_t reason;
	uint32_t asker, alias, past;

	setup_addrs();
	ifa.alias_lo = 0xc612000a;	/* 198.18.0.10 .. 198.18.0.13 */
	ifa.alias_n = 4;
	inet_pton(AF_INET, "198.18.0.2", &asker);
	inet_pton(AF_INET, "198.18.0.12", &alias);
	inet_pton(AF_INET, "198.18.0.14", &past);
	m = arp_request_frame(alias, &eth, &a);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ARP);
	CU_ASSERT_TRUE(arp_reply_in_place(m, &pi, &ifa));
	CU_ASSERT_EQUAL(a->arp_data.arp_sip, alias);	/* answered as the address asked for */
	CU_ASSERT(rte_is_same_ether_addr(&a->arp_data.arp_sha, &ifa.mac));
	a->arp_opcode = htons(1);
	a->arp_data.arp_sip = asker;
	a->arp_data.arp_tip = past;			/* one past the range */
	CU_ASSERT_FALSE(arp_reply_in_place(m, &pi, &ifa));

#define IP(m) ((struct rte_ipv4_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + 14))
#define TH(m) ((struct rte_tcp_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + 34))
	m = peer_segment(TCP_ACK, 10);
	ifa.alias_lo = 0xc612000a;
	ifa.alias_n = 4;
	IP(m)->dst_addr = alias;
	IP(m)->hdr_checksum = 0;
	IP(m)->hdr_checksum = rte_ipv4_cksum(IP(m));
	TH(m)->cksum = 0;
	TH(m)->cksum = rte_ipv4_udptcp_cksum(IP(m), TH(m));
	CU_ASSERT_EQUAL(parse_reason(m, PKT_TCP), 0xffff);
	IP(m)->dst_addr = past;
	IP(m)->hdr_checksum = 0;
	IP(m)->hdr_checksum = rte_ipv4_cksum(IP(m));
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_NOT_FOR_US);
	IP(m)->dst_addr = ifa.ip;
	IP(m)->src_addr = alias;			/* a packet "from" one of us */
	IP(m)->hdr_checksum = 0;
	IP(m)->hdr_checksum = rte_ipv4_cksum(IP(m));
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_SRC);
#undef IP
#undef TH
	setup_addrs();
}

static void
arp_cache_holds_until_resolved(void)
{
	static struct arp_cache c;
	struct rte_ether_addr mac;
	struct rte_mbuf *out[ARP_HOLD_MAX];
	struct rte_mbuf *m = fresh();
	bool ask;
	uint32_t ip = htonl(0xc6120002u);

	rte_pktmbuf_append(m, 60);
	arp_cache_init(&c, 300000000ULL, 1000000);
	CU_ASSERT_EQUAL(arp_resolve(&c, ip, 10, m, &mac, &ask), 0);	/* held */
	CU_ASSERT_TRUE(ask);
	CU_ASSERT_EQUAL(arp_resolve(&c, ip, 20, NULL, &mac, &ask), 0);
	CU_ASSERT_FALSE(ask);					/* rate-limited */
	CU_ASSERT_EQUAL(arp_learn(&c, ip, &peer_mac, 30, out), 1);
	CU_ASSERT_PTR_EQUAL(out[0], m);
	CU_ASSERT(rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
					 &peer_mac));
	CU_ASSERT_EQUAL(arp_resolve(&c, ip, 40, NULL, &mac, &ask), 1);
	CU_ASSERT(rte_is_same_ether_addr(&mac, &peer_mac));
	CU_ASSERT_EQUAL(arp_resolve(&c, ip, 400000000ULL, NULL, &mac, &ask), 0);	/* aged */
	CU_ASSERT_TRUE(ask);
}

/* A chained payload split at every boundary, odd and even, sums like the flat bytes. */
static void
chain_checksum_is_right_at_any_split(void)
{
	static struct fake_mbuf a, b, c;
	uint8_t flat[1500];

	for (unsigned int i = 0; i < sizeof(flat); i++)
		flat[i] = (uint8_t)(i * 131 + 7);
	for (uint32_t cut1 = 1; cut1 < 300; cut1 += 1) {
		uint32_t cut2 = cut1 + 517 + (cut1 % 3);
		struct fake_mbuf *f[3] = { &a, &b, &c };
		uint32_t at[4] = { 0, cut1, cut2, sizeof(flat) };

		for (unsigned int k = 0; k < 3; k++) {
			memset(&f[k]->m, 0, sizeof(f[k]->m));
			f[k]->m.buf_addr = f[k]->buf;
			f[k]->m.buf_len = sizeof(f[k]->buf);
			f[k]->m.data_off = (uint16_t)(k * 3 + 1);	/* odd addresses too */
			memcpy(f[k]->buf + f[k]->m.data_off, flat + at[k], at[k + 1] - at[k]);
			f[k]->m.data_len = (uint16_t)(at[k + 1] - at[k]);
			f[k]->m.next = k < 2 ? &f[k + 1]->m : NULL;
		}
		a.m.nb_segs = 3;
		a.m.pkt_len = sizeof(flat);
		CU_ASSERT_EQUAL(build_cksum_chain(&a.m, 0, sizeof(flat), NULL),
				__rte_raw_cksum_reduce(__rte_raw_cksum(flat, sizeof(flat), 0)));
		CU_ASSERT_EQUAL(build_cksum_chain(&a.m, 5, 1001, NULL),
				__rte_raw_cksum_reduce(__rte_raw_cksum(flat + 5, 1001, 0)));
	}
}

/* Positions in queue @p q (mbufs @p m0 of 333 bytes, @p m1 of 1201, @p m2 of 1400; its bytes
 * @p flat): found from the head or from an earlier mbuf alike; copies and sums from there. */
static void
seek_agrees(const struct sndq *q, const struct body_sums *bs, const uint8_t *flat,
	    const struct rte_mbuf *m0, struct rte_mbuf *m1, const struct rte_mbuf *m2)
{
	uint32_t in, start, in2, start2;

	for (uint32_t off = 0; off < 2934; off += 97) {
		struct rte_mbuf *a = sndq_seek(q, off, NULL, 0, &in, &start);
		struct rte_mbuf *b = sndq_seek(q, off, off >= 333 ? m1 : NULL, 333, &in2, &start2);
		uint8_t got[200];
		uint32_t n = RTE_MIN(2934 - off, (uint32_t)sizeof(got));

		CU_ASSERT_PTR_EQUAL(a, off < 333 ? m0 : off < 1534 ? m1 : m2);
		CU_ASSERT_PTR_EQUAL(a, b);
		CU_ASSERT_EQUAL(in, in2);
		CU_ASSERT_EQUAL(start, start2);
		CU_ASSERT_EQUAL(start + in, off);
		sndq_copy_from(a, in, got, n);
		CU_ASSERT_EQUAL(memcmp(got, flat + off, n), 0);
		CU_ASSERT_EQUAL(build_cksum_chain(a, in, n, bs), sndq_sum(q, off, n, bs));
	}
	CU_ASSERT_PTR_NULL(sndq_seek(q, 2934, NULL, 0, &in, &start));	/* past the end */
}

/* A segment built with sndq_sum()'s payload sum carries the checksum of one whose payload was read. */
static void
built_both_ways(const struct sndq *q, const struct body_sums *bs, const uint8_t *flat)
{
	struct tcp_tuple tu = { .raddr = ifa.ip + htonl(1), .laddr = ifa.ip, .rport = htons(40000),
				.lport = htons(80) };
	struct tcp_out o = { .seq = 1, .ack = 1, .flags = TCP_ACK | TCP_PSH, .wnd = 1000,
			     .len = 1300 };
	struct rte_ether_hdr *e;
	uint16_t c1, c2;
	struct rte_mbuf *m = fresh();

	memcpy(rte_pktmbuf_append(m, 1300), flat + 5, 1300);
	CU_ASSERT_EQUAL_FATAL(build_tcp(m, &tx, &peer_mac, &tu, &o), 0);
	e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	c1 = ((struct rte_tcp_hdr *)((uint8_t *)(e + 1) + 20))->cksum;
	m = fresh();
	memcpy(rte_pktmbuf_append(m, 1300), flat + 5, 1300);
	CU_ASSERT_EQUAL_FATAL(build_tcp_psum(m, &tx, &peer_mac, &tu, &o,
					     sndq_sum(q, 5, 1300, bs)), 0);
	e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	c2 = ((struct rte_tcp_hdr *)((uint8_t *)(e + 1) + 20))->cksum;
	CU_ASSERT_EQUAL(c1, c2);
	CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify((struct rte_ipv4_hdr *)(e + 1),
						     (struct rte_tcp_hdr *)((uint8_t *)(e + 1) + 20)), 0);
}

/* The body template's sums (bodysum.h): every range, at every phase and length, odd ones too,
 * sums as its bytes do; a send queue mixing copied bytes and template pieces at odd offsets
 * sums as its flat bytes. */
static void
body_template_sums_without_reading(void)
{
	static uint8_t tpl[4096];
	static struct fake_mbuf own, r1, r2;
	static const char pattern[] = "0123456789abcdefghijklmnopqrstuv";	/* period 32 */
	struct body_sums bs;
	uint8_t flat[3000];
	struct sndq q;
	uint32_t sum = 0;

	for (unsigned int i = 0; i < sizeof(tpl); i++)
		tpl[i] = (uint8_t)pattern[i % 32];
	CU_ASSERT_EQUAL_FATAL(body_sums_init(&bs, tpl, sizeof(tpl), 32), 0);
	for (uint32_t at = 0; at < 200; at += 3)
		for (uint32_t n = 0; n + at <= sizeof(tpl); n += 37) {
			CU_ASSERT_FATAL(body_sum(&bs, tpl + at, n, &sum));
			CU_ASSERT_EQUAL(__rte_raw_cksum_reduce(sum),
					__rte_raw_cksum_reduce(__rte_raw_cksum(tpl + at, n, 0)));
		}
	CU_ASSERT_FALSE(body_sum(&bs, tpl + 4000, 200, &sum));	/* runs past the end */
	CU_ASSERT_FALSE(body_sum(&bs, flat, 10, &sum));		/* elsewhere */
	tpl[100] ^= 1;
	CU_ASSERT_EQUAL(body_sums_init(&bs, tpl, sizeof(tpl), 32), -EINVAL);	/* not periodic */
	tpl[100] ^= 1;
	CU_ASSERT_EQUAL_FATAL(body_sums_init(&bs, tpl, sizeof(tpl), 32), 0);

	/* a queue: 333 copied bytes, then 1201 template bytes from phase 7, then 1400 from 0 */
	memset(&q, 0, sizeof(q));
	memset(&own.m, 0, sizeof(own.m));
	own.m.buf_addr = own.buf;
	own.m.data_off = 1;
	own.m.data_len = 333;
	for (unsigned int i = 0; i < 333; i++)
		own.buf[1 + i] = flat[i] = (uint8_t)(i * 29 + 3);
	memset(&r1.m, 0, sizeof(r1.m));
	r1.m.buf_addr = tpl;
	r1.m.data_off = 7;
	r1.m.data_len = 1201;
	memcpy(flat + 333, tpl + 7, 1201);
	memset(&r2.m, 0, sizeof(r2.m));
	r2.m.buf_addr = tpl;
	r2.m.data_off = 0;
	r2.m.data_len = 1400;
	memcpy(flat + 1534, tpl, 1400);
	own.m.next = &r1.m;
	r1.m.next = &r2.m;
	q.head = &own.m;
	q.tail = &r2.m;
	q.bytes = 2934;
	for (uint32_t off = 0; off < 400; off += 13)
		for (uint32_t len = 1; off + len <= 2934; len += 211) {
			uint16_t want = __rte_raw_cksum_reduce(__rte_raw_cksum(flat + off, len, 0));

			CU_ASSERT_EQUAL(sndq_sum(&q, off, len, &bs), want);
			CU_ASSERT_EQUAL(sndq_sum(&q, off, len, NULL), want);
		}

	seek_agrees(&q, &bs, flat, &own.m, &r1.m, &r2.m);
	built_both_ways(&q, &bs, flat);
}

static const struct test_case cases[] = {
	TEST(chain_checksum_is_right_at_any_split),
	TEST(body_template_sums_without_reading),
	TEST(built_segment_parses_back),
	TEST(built_checksums_match_dpdks),
	TEST(vlan_tags_are_checked_and_removed),
	TEST(parse_drops_each_malformed_class_by_reason),
	TEST(ip_options_are_accepted),
	TEST(rst_reply_in_place_swaps_ends),
	TEST(icmp_echo_reply_has_valid_checksums),
	TEST(icmp_echo_reply_drops_ip_options),
	TEST(icmp_echo_reply_checksum_of_an_all_zero_message),
	TEST(icmp_fragmentation_needed_is_parsed_and_checked),
	TEST(arp_request_for_us_becomes_a_reply),
	TEST(source_ips_are_ours_for_arp_and_ip),
	TEST(arp_cache_holds_until_resolved),
	{ NULL, NULL },
};

int
suite_packets(void)
{
	return add_suite("packets", cases);
}
