/* test_ipv6.c - IPv6 on hand-made mbufs: parse and its drop reasons, TCP built and parsed back, neighbour discovery, echo, packet too big, in-place RSTs, and the core's IPv6 MSS. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>

#include "build.h"
#include "fake_mbuf.h"
#include "harness.h"
#include "nd.h"
#include "parse.h"
#include "tcp_suites.h"

static struct fake_mbuf F;
static struct net_addr ifa;
static struct tx_props tx;	/* ours */
static struct tx_props ptx;	/* the peer's, to build what it sends */
static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0, 2 } };
static uint8_t us6[16], peer6[16];

static struct rte_mbuf *
fresh(void)
{
	return fake_mbuf_fresh(&F);
}

static void
setup(void)
{
	memset(&ifa, 0, sizeof(ifa));
	ifa.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	inet_pton(AF_INET, "198.18.0.1", &ifa.ip);
	ifa.mask = htonl(0xffffff00u);
	inet_pton(AF_INET6, "2001:2::1", us6);
	inet_pton(AF_INET6, "2001:2::2", peer6);
	ifa.has_ip6 = true;
	memcpy(ifa.ip6, us6, 16);
	ifa.ip6_prefix = 64;
	ifa.laddr6 = tuple_laddr_ip6(0);
	for (unsigned int i = 0; i < 16; i++)
		ifa.ip6_key[i] = (uint8_t)(i * 7 + 1);
	memset(&tx, 0, sizeof(tx));
	tx.mac = ifa.mac;
	memcpy(tx.ip6, us6, 16);
	memset(&ptx, 0, sizeof(ptx));
	ptx.mac = peer_mac;
	memcpy(ptx.ip6, peer6, 16);
}

/* The peer's TCP segment to us, built with tcpe's own IPv6 builder from the peer's side. */
static struct rte_mbuf *
peer_segment6(uint8_t flags, uint32_t len)
{
	struct rte_mbuf *m = fresh();
	struct tcp_tuple tp = { .lport = htons(40000), .rport = htons(80) };
	struct tcp_out o = { .seq = 1000, .ack = 2000, .len = len, .wnd = 8192, .flags = flags };

	setup();
	if (len > 0)
		memset(rte_pktmbuf_append(m, (uint16_t)len), 'x', len);
	CU_ASSERT_EQUAL_FATAL(build_tcp6_psum(m, &ptx, &ifa.mac, us6, &tp, &o, -1), 0);
	return m;
}

static struct rte_ipv6_hdr *
ip6_of(struct rte_mbuf *m)
{
	return (struct rte_ipv6_hdr *)(rte_pktmbuf_mtod(m, struct rte_ether_hdr *) + 1);
}

static void
refresh_tcp_cksum(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip6 = ip6_of(m);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip6 + 1);

	th->cksum = 0;
	th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
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
ipv6_segment_built_parses_back(void)
{
	struct rte_mbuf *m = peer_segment6(TCP_ACK | TCP_PSH, 700);
	struct pkt_info pi;
	uint16_t reason;
	uint8_t other[16];

	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 14 + 40 + 20 + 700);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_TCP);
	CU_ASSERT_PTR_NULL(pi.ip);
	CU_ASSERT_PTR_NOT_NULL(pi.ip6);
	CU_ASSERT_EQUAL(pi.seg.seq, 1000);
	CU_ASSERT_EQUAL(pi.seg.len, 700);
	CU_ASSERT_EQUAL(pi.payload[699], 'x');
	CU_ASSERT_EQUAL(pi.key.lport, htons(80));
	CU_ASSERT_EQUAL(pi.key.rport, htons(40000));
	/* the key: our port's IPv6 laddr, and the keyed stand-in of the peer's address */
	CU_ASSERT(tuple_is_ip6(&pi.key));
	CU_ASSERT_EQUAL(pi.key.laddr, tuple_laddr_ip6(0));
	CU_ASSERT_EQUAL(pi.key.raddr, net_ip6_key(&ifa, peer6));
	memcpy(other, peer6, 16);
	other[15] = 3;
	CU_ASSERT_NOT_EQUAL(net_ip6_key(&ifa, other), net_ip6_key(&ifa, peer6));
	ifa.ip6_key[0] ^= 1;	/* another secret, another key */
	CU_ASSERT_NOT_EQUAL(net_ip6_key(&ifa, peer6), pi.key.raddr);
	/* an IPv4 tuple is never taken for IPv6, nor the other way round */
	CU_ASSERT_FALSE(tuple_is_ip6(&(struct tcp_tuple){ .laddr = ifa.ip }));
	CU_ASSERT(tuple_is_ip6(&(struct tcp_tuple){ .laddr = tuple_laddr_ip6(3) }));
	CU_ASSERT_NOT_EQUAL(tuple_laddr_ip6(0), tuple_laddr_ip6(1));
}

/* The worker's kept stand-ins are the computed ones, whichever addresses share a slot, also
 * for :: (what empty slots hold) and after the secret changed. */
static void
kept_ipv6_keys_are_the_computed_ones(void)
{
	static struct net_ip6_keys keys;
	struct net_addr plain, kept;
	uint8_t a[16], secret[16] = { 1, 2, 3 };

	setup();
	plain = ifa;
	kept = ifa;
	net_ip6_key_init(&plain, secret, NULL);
	net_ip6_key_init(&kept, secret, &keys);
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < 4096; i++) {
			memcpy(a, peer6, 16);
			a[15] = (uint8_t)(i * 7);	/* slots shared by many addresses */
			a[9] = (uint8_t)(i >> 3);
			CU_ASSERT_EQUAL(net_ip6_key(&kept, a), net_ip6_key(&plain, a));
		}
		memset(a, 0, 16);
		CU_ASSERT_EQUAL(net_ip6_key(&kept, a), net_ip6_key(&plain, a));
		secret[0]++;
		net_ip6_key_init(&plain, secret, NULL);
		net_ip6_key_init(&kept, secret, &keys);
	}
	CU_ASSERT_EQUAL(net_ip6_key(&kept, peer6), net_ip6_key(&plain, peer6));
}

/* Each malformed or foreign IPv6 frame is dropped for its own reason. */
static void
ipv6_drops_each_malformed_class_by_reason(void)
{
	struct rte_mbuf *m;
	struct rte_ipv6_hdr *ip6;

	m = peer_segment6(TCP_SYN, 0);
	ifa.has_ip6 = false;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_OFF);

	m = peer_segment6(TCP_SYN, 0);
	rte_pktmbuf_data_len(m) = 14 + 30;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_SHORT);

	m = peer_segment6(TCP_SYN, 0);
	ip6_of(m)->vtc_flow = RTE_BE32(4u << 28);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_VERSION);

	m = peer_segment6(TCP_SYN, 0);
	ip6_of(m)->payload_len = RTE_BE16(21);	/* one byte beyond the frame */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_PAYLOAD_LEN);

	m = peer_segment6(TCP_SYN, 0);
	ip6_of(m)->proto = 0;	/* hop-by-hop options */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_EXT_HDR);
	m = peer_segment6(TCP_SYN, 0);
	ip6_of(m)->proto = 43;	/* routing */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_EXT_HDR);
	m = peer_segment6(TCP_SYN, 0);
	ip6_of(m)->proto = IPPROTO_FRAGMENT;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_FRAGMENT);
	m = peer_segment6(TCP_SYN, 0);
	ip6_of(m)->proto = IPPROTO_UDP;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP_PROTO);

	m = peer_segment6(TCP_SYN, 0);
	((uint8_t *)&ip6_of(m)->dst_addr)[15] = 9;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_NOT_FOR_US);

	/* sources: ::, ::1, multicast, IPv4-mapped, our own */
	static const char *const bad_src[] = { "::", "::1", "ff02::1", "::ffff:198.18.0.2",
					       "2001:2::1" };
	for (unsigned int i = 0; i < RTE_DIM(bad_src); i++) {
		m = peer_segment6(TCP_SYN, 0);
		inet_pton(AF_INET6, bad_src[i], &ip6_of(m)->src_addr);
		refresh_tcp_cksum(m);
		CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_SRC);
	}

	m = peer_segment6(TCP_SYN, 0);
	((uint8_t *)(ip6_of(m) + 1))[16] ^= 0x40;	/* the TCP checksum */
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_TCP_CKSUM);

	/* TCP to our solicited-node group: only solicitations go there */
	m = peer_segment6(TCP_SYN, 0);
	inet_pton(AF_INET6, "ff02::1:ff00:1", &ip6_of(m)->dst_addr);
	refresh_tcp_cksum(m);
	memcpy(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes,
	       (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 1 }, 6);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_NOT_FOR_US);

	/* multicast MACs other than our solicited-node group's (MLD reports, another group) */
	m = peer_segment6(TCP_SYN, 0);
	memcpy(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes,
	       (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 0x16 }, 6);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_MULTICAST);
	m = peer_segment6(TCP_SYN, 0);
	memcpy(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes,
	       (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 9 }, 6);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ETH_MULTICAST);
	ip6 = ip6_of(peer_segment6(TCP_SYN, 0));
	CU_ASSERT_EQUAL(ip6->hop_limits, 64);
}

/* An ICMPv6 message of @p len bytes (type, code, then @p body) from the peer to @p dst, with
 * hop limit @p hops and a right checksum. */
static struct rte_mbuf *
icmp6_frame(const char *dst, const struct rte_ether_addr *mac, uint8_t hops, uint8_t type,
	    const uint8_t *body, uint16_t len)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct rte_icmp_hdr *ic;

	setup();
	m = fresh();
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(14 + 40 + len));
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	ic = (struct rte_icmp_hdr *)(ip6 + 1);
	eth->dst_addr = *mac;
	eth->src_addr = peer_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(len);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = hops;
	memcpy(&ip6->src_addr, peer6, 16);
	inet_pton(AF_INET6, dst, &ip6->dst_addr);
	memcpy(ic, body, len);
	ic->icmp_type = type;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, ic);
	return m;
}

/* A solicitation for @p target (with the source's link-layer address option). */
static struct rte_mbuf *
solicitation(const char *dst, const struct rte_ether_addr *mac, uint8_t hops, const char *target)
{
	uint8_t body[32] = { 0 };

	inet_pton(AF_INET6, target, body + 8);
	body[24] = 1;
	body[25] = 1;
	memcpy(body + 26, peer_mac.addr_bytes, 6);
	return icmp6_frame(dst, mac, hops, ICMP6_ND_NS, body, sizeof(body));
}

static void
solicitation_for_us_gets_an_advertisement(void)
{
	static const struct rte_ether_addr group_mac = { { 0x33, 0x33, 0xff, 0, 0, 1 } };
	struct rte_mbuf *m = solicitation("ff02::1:ff00:1", &group_mac, 255, "2001:2::1");
	struct pkt_info pi;
	uint16_t reason;
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	const uint8_t *na;

	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ND_NS);
	CU_ASSERT_FATAL(nd_advert_in_place(m, &pi, &tx));
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	na = (const uint8_t *)(ip6 + 1);
	CU_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, &peer_mac));
	CU_ASSERT(rte_is_same_ether_addr(&eth->src_addr, &ifa.mac));
	CU_ASSERT_EQUAL(memcmp(&ip6->src_addr, us6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(&ip6->dst_addr, peer6, 16), 0);
	CU_ASSERT_EQUAL(ip6->hop_limits, 255);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip6->payload_len), 32);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 14 + 40 + 32);
	CU_ASSERT_EQUAL(na[0], ICMP6_ND_NA);
	CU_ASSERT_EQUAL(na[4], 0x60);	/* solicited, override */
	CU_ASSERT_EQUAL(memcmp(na + 8, us6, 16), 0);
	CU_ASSERT_EQUAL(na[24], 2);	/* target link-layer address */
	CU_ASSERT_EQUAL(memcmp(na + 26, ifa.mac.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(ip6, na), 0);
	/* and what we say parses as an advertisement on the peer's side */
	memcpy(ifa.ip6, peer6, 16);
	ifa.mac = peer_mac;
	CU_ASSERT_EQUAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ND_NA);

	/* unicast solicitations (neighbour unreachability detection) too */
	m = solicitation("2001:2::1", &ifa.mac, 255, "2001:2::1");
	CU_ASSERT_EQUAL(parse_reason(m, PKT_ND_NS), 0xffff);
	/* RFC 4861 §7.1.1: hop limit 255, or it came through a router */
	m = solicitation("2001:2::1", &ifa.mac, 64, "2001:2::1");
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ND_MALFORMED);
	m = solicitation("2001:2::1", &ifa.mac, 255, "ff02::1");
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ND_MALFORMED);
	m = solicitation("2001:2::1", &ifa.mac, 255, "2001:2::7");
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ND_NOT_FOR_US);
	m = solicitation("ff02::1:ff00:7", &group_mac, 255, "2001:2::7");
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_IP6_NOT_FOR_US);
	m = solicitation("2001:2::1", &ifa.mac, 255, "2001:2::1");
	((uint8_t *)(ip6_of(m) + 1))[3] ^= 1;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ICMP6_CKSUM);
	m = solicitation("2001:2::1", &ifa.mac, 255, "2001:2::1");
	ip6_of(m)->payload_len = RTE_BE16(2);
	rte_pktmbuf_data_len(m) = 14 + 40 + 2;
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ICMP6_SHORT);
}

static void
icmp6_echo_is_answered_with_a_valid_reply(void)
{
	uint8_t body[64];
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint16_t reason;
	struct rte_ipv6_hdr *ip6;

	for (unsigned int i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 13);
	body[1] = 0;
	m = icmp6_frame("2001:2::1", &ifa.mac, 64, ICMP6_ECHO_REQUEST, body, sizeof(body));
	rte_pktmbuf_append(m, 6);	/* Ethernet padding: not echoed */
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP6_ECHO);
	icmp6_echo_reply_in_place(m, &pi, &tx);
	ip6 = ip6_of(m);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 14 + 40 + sizeof(body));
	CU_ASSERT_EQUAL(((uint8_t *)(ip6 + 1))[0], ICMP6_ECHO_REPLY);
	CU_ASSERT_EQUAL(memcmp(&ip6->src_addr, us6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(&ip6->dst_addr, peer6, 16), 0);
	CU_ASSERT_EQUAL(memcmp((uint8_t *)(ip6 + 1) + 4, body + 4, sizeof(body) - 4), 0);
	CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(ip6, ip6 + 1), 0);
	/* router solicitations, MLD and the like are not ours to answer */
	m = icmp6_frame("2001:2::1", &ifa.mac, 255, 133, body, 16);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ICMP6_TYPE);
}

/* ICMPv6 packet too big quoting one of our segments: the connection's key, its sequence number
 * and the MTU (at least IPv6's 1280); quoting someone else's: dropped. */
static void
packet_too_big_names_the_connection(void)
{
	uint8_t body[8 + 40 + 20] = { 0 };
	struct rte_ipv6_hdr *in = (struct rte_ipv6_hdr *)(body + 8);
	uint8_t *th = body + 48;
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint16_t reason;

	setup();
	body[6] = 0x05;	/* MTU 1400 */
	body[7] = 0x78;
	in->vtc_flow = RTE_BE32(6u << 28);
	in->proto = IPPROTO_TCP;
	memcpy(&in->src_addr, us6, 16);
	memcpy(&in->dst_addr, peer6, 16);
	th[0] = 0;	/* source port 80 (ours), destination 40000 */
	th[1] = 80;
	th[2] = 0x9c;
	th[3] = 0x40;
	th[4] = 0x12;
	th[5] = 0x34;
	th[6] = 0x56;
	th[7] = 0x78;
	m = icmp6_frame("2001:2::1", &ifa.mac, 64, ICMP6_PACKET_TOO_BIG, body, sizeof(body));
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP_TOOBIG);
	CU_ASSERT_EQUAL(pi.mtu, 1400);
	CU_ASSERT_EQUAL(pi.seg.seq, 0x12345678u);
	CU_ASSERT_EQUAL(pi.key.laddr, tuple_laddr_ip6(0));
	CU_ASSERT_EQUAL(pi.key.raddr, net_ip6_key(&ifa, peer6));
	CU_ASSERT_EQUAL(pi.key.lport, htons(80));
	CU_ASSERT_EQUAL(pi.key.rport, htons(40000));
	body[6] = 0x01;	/* 256: below IPv6's minimum */
	m = icmp6_frame("2001:2::1", &ifa.mac, 64, ICMP6_PACKET_TOO_BIG, body, sizeof(body));
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&ifa, m, &pi, &reason), PKT_ICMP_TOOBIG);
	CU_ASSERT_EQUAL(pi.mtu, 1280);
	memcpy(&in->src_addr, peer6, 16);	/* a segment that was not ours */
	m = icmp6_frame("2001:2::1", &ifa.mac, 64, ICMP6_PACKET_TOO_BIG, body, sizeof(body));
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ICMP_QUOTE);
	m = icmp6_frame("2001:2::1", &ifa.mac, 64, ICMP6_PACKET_TOO_BIG, body, 8 + 40);
	CU_ASSERT_EQUAL(parse_reason(m, PKT_DROP), TCPE_DROP_ICMP6_SHORT);
}

/* A RST (or cookie SYN-ACK) built in place of an IPv6 segment goes back to its source. */
static void
ipv6_reply_in_place_swaps_ends(void)
{
	struct rte_mbuf *m = peer_segment6(TCP_ACK, 300);
	struct tcp_out o = { .seq = 2000, .flags = TCP_RST };
	struct rte_ipv6_hdr *ip6;
	struct rte_tcp_hdr *th;

	build_tcp_reply_in_place(m, &tx, &o);
	ip6 = ip6_of(m);
	th = (struct rte_tcp_hdr *)(ip6 + 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 14 + 40 + 20);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip6->payload_len), 20);
	CU_ASSERT_EQUAL(memcmp(&ip6->src_addr, us6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(&ip6->dst_addr, peer6, 16), 0);
	CU_ASSERT_EQUAL(th->src_port, htons(80));
	CU_ASSERT_EQUAL(th->dst_port, htons(40000));
	CU_ASSERT_EQUAL(th->tcp_flags, TCP_RST);
	CU_ASSERT_EQUAL(rte_ipv6_udptcp_cksum_verify(ip6, th), 0);
	CU_ASSERT(rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
					 &peer_mac));
}

/* Over IPv6 the MSS we announce and send is 20 bytes less (a 40-byte header); cookies too. */
static void
ipv6_connections_announce_a_smaller_mss(void)
{
	static struct harness h;
	struct tcp_seg syn = { .seq = 100, .wnd = 29200, .flags = TCP_SYN };
	struct tcp_tuple t6 = { .raddr = 0x12345678u, .laddr = tuple_laddr_ip6(0),
				.rport = htons(40000), .lport = htons(80) };
	struct tcp_opts o;
	struct tcp_out co;

	h_init(&h, 5000000);
	syn.opts.present = TCP_HAVE_MSS;
	syn.opts.mss = 1460;
	tcp_passive_open(&h.c, &h.t, &t6, &syn);
	CU_ASSERT_EQUAL_FATAL(h.q.n, 1);
	CU_ASSERT_EQUAL(tcp_opts_parse(h.q.d[0].o.opt, h.q.d[0].o.optlen, &o), 0);
	CU_ASSERT_EQUAL(o.mss, h.cfg.mss - 20);
	CU_ASSERT_EQUAL(h.t.snd_mss, h.cfg.mss - 20);
	tcp_syncookie_synack(&h.c, &t6, &syn, &co);
	CU_ASSERT_EQUAL(tcp_opts_parse(co.opt, co.optlen, &o), 0);
	CU_ASSERT_EQUAL(o.mss, h.cfg.mss - 20);
	h_finish(&h);
}

static const struct test_case cases[] = {
	TEST(ipv6_segment_built_parses_back),
	TEST(kept_ipv6_keys_are_the_computed_ones),
	TEST(ipv6_drops_each_malformed_class_by_reason),
	TEST(solicitation_for_us_gets_an_advertisement),
	TEST(icmp6_echo_is_answered_with_a_valid_reply),
	TEST(packet_too_big_names_the_connection),
	TEST(ipv6_reply_in_place_swaps_ends),
	TEST(ipv6_connections_announce_a_smaller_mss),
	{ NULL, NULL },
};

int
suite_ipv6(void)
{
	return add_suite("ipv6", cases);
}
