/* parse.c - frame classification and validation; every rejection names a drop reason. */
#include "parse.h"

#include <string.h>

#include <netinet/in.h>

#include <rte_byteorder.h>

#include "cksum.h"
#include "isn.h"
#include "leave.h"

#define IP_FRAG_MASK (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

static inline enum pkt_class
reject(uint16_t *drop, unsigned int reason)
{
	*drop = (uint16_t)reason;
	return PKT_DROP;
}

static enum pkt_class
parse_arp(struct rte_mbuf *m, struct pkt_info *pi, uint16_t *drop)
{
	struct rte_arp_hdr *a;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*a))
		return reject(drop, TCPE_DROP_ARP_MALFORMED);
	a = (struct rte_arp_hdr *)(pi->eth + 1);
	if (a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4)
		return reject(drop, TCPE_DROP_ARP_MALFORMED);
	pi->arp = a;
	return PKT_ARP;
}

/* Source addresses nobody may send from (RFC 1122 3.2.1.3): 0/8, 127/8, class D/E, ours. */
static inline bool
bad_source(uint32_t src_be, const struct net_addr *ifa)
{
	uint32_t s = rte_be_to_cpu_32(src_be);
	uint8_t top = (uint8_t)(s >> 24);

	if (top == 0 || top == 127 || top >= 224 || net_addr_is_ours(ifa, src_be))
		return true;
	/* The directed broadcast of our own subnet (when it has one: not /31 or /32). */
	return rte_be_to_cpu_32(ifa->mask) < 0xfffffffeu &&
	       ((src_be ^ ifa->ip) & ifa->mask) == 0 && (src_be | ifa->mask) == 0xffffffffu;
}

/* The TCP checksum with its pseudo-header, IPv4 or IPv6: 0 when right. */
static inline int
tcp_cksum_bad(const struct pkt_info *pi)
{
	if (pi->ip6 != NULL)
		return !net_tcp6_ok(pi->ip6, pi->tcp, pi->l4_len);
	return !net_tcp4_ok(pi->ip, pi->tcp, pi->l4_len);
}

uint32_t
net_ip6_key(const struct net_addr *ifa, const void *a)
{
	const uint8_t *b = a;
	uint32_t i = (uint32_t)(b[12] ^ b[13] ^ b[14] ^ b[15]) & (NET_IP6_KEYS - 1);
	struct net_ip6_keys *k = ifa->ip6_keys;

	if (k == NULL)
		return (uint32_t)siphash24(ifa->ip6_key, a, 16);
	if (memcmp(k->e[i].a, a, 16) != 0) {
		memcpy(k->e[i].a, a, 16);
		k->e[i].key = (uint32_t)siphash24(ifa->ip6_key, a, 16);
	}
	return k->e[i].key;
}

void
net_ip6_key_init(struct net_addr *ifa, const uint8_t secret[16], struct net_ip6_keys *keys)
{
	static const uint8_t any[16];
	uint32_t key;

	memcpy(ifa->ip6_key, secret, 16);
	ifa->ip6_keys = keys;
	if (keys == NULL)
		return;
	key = (uint32_t)siphash24(secret, any, 16);
	for (unsigned int i = 0; i < NET_IP6_KEYS; i++) {
		memset(keys->e[i].a, 0, 16);
		keys->e[i].key = key;
	}
}

static enum pkt_class
parse_tcp(const struct net_addr *ifa, struct rte_mbuf *m, struct pkt_info *pi, uint16_t *drop)
{
	struct rte_tcp_hdr *th = pi->tcp;
	unsigned int hlen;
	uint64_t l4f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	struct tcp_seg *s = &pi->seg;

	if (pi->l4_len < sizeof(*th))
		return reject(drop, TCPE_DROP_TCP_SHORT);
	hlen = (unsigned int)(th->data_off >> 4) * 4;
	if (hlen < sizeof(*th) || hlen > pi->l4_len)
		return reject(drop, TCPE_DROP_TCP_DOFF);
	if (l4f == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	    (l4f == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN && tcp_cksum_bad(pi) != 0))
		return reject(drop, TCPE_DROP_TCP_CKSUM);
	if (th->src_port == 0 || th->dst_port == 0)
		return reject(drop, TCPE_DROP_TCP_PORT_ZERO);
	s->flags = th->tcp_flags & 0x3f;
	/* RFC 9293 leaves SYN+FIN and SYN+RST meaningless; a segment with no flags is a scan. */
	if ((s->flags & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN) ||
	    (s->flags & (TCP_SYN | TCP_RST)) == (TCP_SYN | TCP_RST) || s->flags == 0)
		return reject(drop, TCPE_DROP_TCP_FLAGS);
	if (tcp_opts_parse((const uint8_t *)(th + 1), hlen - sizeof(*th), &s->opts) != 0)
		return reject(drop, TCPE_DROP_TCP_OPTS);
	s->seq = rte_be_to_cpu_32(th->sent_seq);
	s->ack = rte_be_to_cpu_32(th->recv_ack);
	s->wnd = rte_be_to_cpu_16(th->rx_win);
	s->len = pi->l4_len - hlen;
	pi->payload = (uint8_t *)th + hlen;
	if (pi->ip6 != NULL) {
		pi->key.raddr = net_ip6_key(ifa, &pi->ip6->src_addr);
		pi->key.laddr = ifa->laddr6;
	} else {
		pi->key.raddr = pi->ip->src_addr;
		pi->key.laddr = pi->ip->dst_addr;
	}
	pi->key.rport = th->src_port;
	pi->key.lport = th->dst_port;
	return PKT_TCP;
}

/*
 * ICMP destination unreachable, fragmentation needed (RFC 792, RFC 1191): the quoted IPv4
 * header must be one of ours carrying TCP, with at least the 8 bytes RFC 792 promises (ports
 * and sequence number). The connection's key and the quoted sequence go into pi->key and
 * pi->seg.seq, the next-hop MTU into pi->mtu.
 */
static enum pkt_class
parse_icmp_toobig(const struct net_addr *ifa, struct pkt_info *pi, uint16_t *drop)
{
	const uint8_t *p = (const uint8_t *)(pi->icmp + 1);
	const struct rte_ipv4_hdr *in = (const struct rte_ipv4_hdr *)p;
	unsigned int left = pi->l4_len - sizeof(struct rte_icmp_hdr), ihl;
	const uint8_t *th;

	if (left < sizeof(*in) + 8)
		return reject(drop, TCPE_DROP_ICMP_SHORT);
	ihl = (unsigned int)(in->version_ihl & 0xf) * 4;
	if ((in->version_ihl >> 4) != 4 || ihl < sizeof(*in) || left < ihl + 8 ||
	    in->next_proto_id != IPPROTO_TCP || !net_addr_is_ours(ifa, in->src_addr))
		return reject(drop, TCPE_DROP_ICMP_QUOTE);
	th = p + ihl;
	pi->key.laddr = in->src_addr;
	pi->key.raddr = in->dst_addr;
	memcpy(&pi->key.lport, th, 2);
	memcpy(&pi->key.rport, th + 2, 2);
	pi->seg.seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	/* the next-hop MTU is the second half of the "unused" word (RFC 1191 §4) */
	pi->mtu = rte_be_to_cpu_16(pi->icmp->icmp_seq_nb);
	return PKT_ICMP_TOOBIG;
}

static enum pkt_class
parse_icmp(const struct net_addr *ifa, struct pkt_info *pi, uint16_t *drop)
{
	if (pi->l4_len < sizeof(struct rte_icmp_hdr))
		return reject(drop, TCPE_DROP_ICMP_SHORT);
	if (rte_raw_cksum(pi->icmp, pi->l4_len) != 0xffff)
		return reject(drop, TCPE_DROP_ICMP_CKSUM);
	if (pi->icmp->icmp_type == RTE_ICMP_TYPE_ECHO_REQUEST && pi->icmp->icmp_code == 0)
		return PKT_ICMP;
	if (pi->icmp->icmp_type == ICMP_DEST_UNREACH && pi->icmp->icmp_code == ICMP_FRAG_NEEDED)
		return parse_icmp_toobig(ifa, pi, drop);
	return reject(drop, TCPE_DROP_ICMP_TYPE);
}

static enum pkt_class
parse_ipv4(const struct net_addr *ifa, struct rte_mbuf *m, struct pkt_info *pi, uint16_t *drop)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(pi->eth + 1);
	unsigned int avail = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	unsigned int hlen, tlen;
	uint64_t l3f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (avail < sizeof(*ip))
		return reject(drop, TCPE_DROP_IP_SHORT);
	if ((ip->version_ihl >> 4) != 4)
		return reject(drop, TCPE_DROP_IP_VERSION);
	hlen = (unsigned int)(ip->version_ihl & 0xf) * 4;
	if (hlen < sizeof(*ip) || hlen > avail)
		return reject(drop, TCPE_DROP_IP_HDR_LEN);
	/* Frames may carry Ethernet padding, so the total length may be shorter, never longer. */
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (tlen < hlen || tlen > avail)
		return reject(drop, TCPE_DROP_IP_TOTAL_LEN);
	if (l3f == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (l3f == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN && !net_ipv4_hdr_ok(ip, hlen)))
		return reject(drop, TCPE_DROP_IP_CKSUM);
	if (ip->fragment_offset & rte_cpu_to_be_16(IP_FRAG_MASK))
		return reject(drop, TCPE_DROP_IP_FRAGMENT);
	if (!net_addr_is_ours(ifa, ip->dst_addr))
		return reject(drop, TCPE_DROP_IP_NOT_FOR_US);
	if (bad_source(ip->src_addr, ifa))
		return reject(drop, TCPE_DROP_IP_SRC);
	pi->ip = ip;
	pi->ip6 = NULL;
	pi->l4_len = (uint16_t)(tlen - hlen);	/* IP options are skipped, not interpreted */
	pi->tcp = (struct rte_tcp_hdr *)((uint8_t *)ip + hlen);
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		return parse_tcp(ifa, m, pi, drop);
	case IPPROTO_ICMP:
		return parse_icmp(ifa, pi, drop);
	default:
		return reject(drop, TCPE_DROP_IP_PROTO);
	}
}

/* --- IPv6 ----------------------------------------------------------------------------------- */

/* ff02::1:ffXX:XXXX, the solicited-node group of our address (RFC 4291 §2.7.1). */
static bool
solicited_node_ours(const struct net_addr *ifa, const uint8_t *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	return memcmp(a, pfx, 13) == 0 && memcmp(a + 13, ifa->ip6 + 13, 3) == 0;
}

/* Sources nobody may send from (RFC 4291 §2.5.2-2.5.5): ::, ::1, multicast, IPv4-mapped, ours. */
static bool
bad_source6(const struct net_addr *ifa, const uint8_t *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint8_t any = 0;

	for (unsigned int i = 0; i < 15; i++)
		any |= a[i];
	return (any == 0 && a[15] <= 1) || a[0] == 0xff || memcmp(a, mapped, 12) == 0 ||
	       net_ip6_is_ours(ifa, a);
}

/*
 * ICMPv6 Packet Too Big (RFC 4443 §3.2, RFC 8201): the quoted header must be one of ours
 * carrying TCP, with the 8 bytes that hold ports and sequence number.
 */
static enum pkt_class
parse_icmp6_toobig(const struct net_addr *ifa, struct pkt_info *pi, uint16_t *drop)
{
	const uint8_t *p = (const uint8_t *)(pi->icmp + 1);
	const struct rte_ipv6_hdr *in = (const struct rte_ipv6_hdr *)p;
	const uint8_t *th = p + sizeof(*in);
	uint32_t mtu;

	if (pi->l4_len < sizeof(struct rte_icmp_hdr) + sizeof(*in) + 8)
		return reject(drop, TCPE_DROP_ICMP6_SHORT);
	if ((rte_be_to_cpu_32(in->vtc_flow) >> 28) != 6 || in->proto != IPPROTO_TCP ||
	    !net_ip6_is_ours(ifa, &in->src_addr))
		return reject(drop, TCPE_DROP_ICMP_QUOTE);
	pi->ip6 = (struct rte_ipv6_hdr *)(uintptr_t)in;	/* steering hashes its addresses */
	pi->key.laddr = ifa->laddr6;
	pi->key.raddr = net_ip6_key(ifa, &in->dst_addr);
	memcpy(&pi->key.lport, th, 2);
	memcpy(&pi->key.rport, th + 2, 2);
	pi->seg.seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	/* the MTU is the whole second word here; IPv6 links carry at least 1280 (RFC 8200 §5) */
	memcpy(&mtu, &pi->icmp->icmp_ident, 4);
	mtu = rte_be_to_cpu_32(mtu);
	pi->mtu = (uint16_t)(mtu > 65535 ? 65535 : mtu < 1280 ? 1280 : mtu);
	return PKT_ICMP_TOOBIG;
}

/* Neighbour discovery (RFC 4861 §7.1.1-2): hop limit 255, code 0, a unicast target. */
static enum pkt_class
parse_nd(const struct net_addr *ifa, struct pkt_info *pi, uint16_t *drop)
{
	const uint8_t *target = (const uint8_t *)(pi->icmp + 1);

	if (pi->ip6->hop_limits != 255 || pi->icmp->icmp_code != 0 || pi->l4_len < 24 ||
	    target[0] == 0xff)
		return reject(drop, TCPE_DROP_ND_MALFORMED);
	if (pi->icmp->icmp_type == ICMP6_ND_NA)
		return PKT_ND_NA;
	if (!net_ip6_is_ours(ifa, target))
		return reject(drop, TCPE_DROP_ND_NOT_FOR_US);
	return PKT_ND_NS;
}

static enum pkt_class
parse_icmp6(const struct net_addr *ifa, struct pkt_info *pi, bool to_group, uint16_t *drop)
{
	uint8_t type;

	if (pi->l4_len < sizeof(struct rte_icmp_hdr))
		return reject(drop, TCPE_DROP_ICMP6_SHORT);
	if (rte_ipv6_udptcp_cksum_verify(pi->ip6, pi->icmp) != 0)
		return reject(drop, TCPE_DROP_ICMP6_CKSUM);
	type = pi->icmp->icmp_type;
	if (type == ICMP6_ND_NS || type == ICMP6_ND_NA)
		return parse_nd(ifa, pi, drop);
	if (to_group)	/* only solicitations go to the solicited-node group */
		return reject(drop, TCPE_DROP_IP6_NOT_FOR_US);
	if (type == ICMP6_ECHO_REQUEST && pi->icmp->icmp_code == 0)
		return PKT_ICMP6_ECHO;
	if (type == ICMP6_PACKET_TOO_BIG)
		return parse_icmp6_toobig(ifa, pi, drop);
	return reject(drop, TCPE_DROP_ICMP6_TYPE);
}

/* Extension headers (RFC 8200 §4, and the protocols it lists as such): not walked. */
static inline bool
ext_header(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 50 || nh == 51 || nh == 60 || nh == 135 ||
	       nh == 139 || nh == 140 || nh == 253 || nh == 254;
}

static enum pkt_class
parse_ipv6(const struct net_addr *ifa, struct rte_mbuf *m, struct pkt_info *pi, uint16_t *drop)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(pi->eth + 1);
	unsigned int avail = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr), plen;
	const uint8_t *dst = (const uint8_t *)&ip6->dst_addr;
	bool to_group = false;

	if (!ifa->has_ip6)
		return reject(drop, TCPE_DROP_IP6_OFF);
	if (avail < sizeof(*ip6))
		return reject(drop, TCPE_DROP_IP6_SHORT);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return reject(drop, TCPE_DROP_IP_VERSION);
	/* Frames may carry Ethernet padding: the payload may be shorter, never longer. */
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if (plen > avail - sizeof(*ip6))
		return reject(drop, TCPE_DROP_IP6_PAYLOAD_LEN);
	if (!net_ip6_is_ours(ifa, dst)) {
		if (!solicited_node_ours(ifa, dst))
			return reject(drop, TCPE_DROP_IP6_NOT_FOR_US);
		to_group = true;
	}
	if (bad_source6(ifa, (const uint8_t *)&ip6->src_addr))
		return reject(drop, TCPE_DROP_IP6_SRC);
	pi->ip = NULL;
	pi->ip6 = ip6;
	pi->l4_len = (uint16_t)plen;
	pi->tcp = (struct rte_tcp_hdr *)(ip6 + 1);
	switch (ip6->proto) {
	case IPPROTO_TCP:
		if (to_group)
			return reject(drop, TCPE_DROP_IP6_NOT_FOR_US);
		return parse_tcp(ifa, m, pi, drop);
	case IPPROTO_ICMPV6:
		return parse_icmp6(ifa, pi, to_group, drop);
	case IPPROTO_FRAGMENT:
		return reject(drop, TCPE_DROP_IP6_FRAGMENT);
	default:
		return reject(drop, ext_header(ip6->proto) ? TCPE_DROP_IP6_EXT_HDR :
							      TCPE_DROP_IP_PROTO);
	}
}

/* 33:33:ff:XX:XX:XX, the MAC of our solicited-node group (RFC 2464 §7). */
static inline bool
solicited_mac_ours(const struct net_addr *ifa, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	return ifa->has_ip6 && b[0] == 0x33 && b[1] == 0x33 && b[2] == 0xff &&
	       memcmp(b + 3, ifa->ip6 + 13, 3) == 0;
}

/*
 * 802.1Q: the frame's VLAN (its tag removed here unless the device stripped it) must be the
 * port's. PKT_TCP: go on with the untagged frame. The priority bits are not looked at; a frame
 * whose tag the device left but whose VID is 0 (priority-tagged) counts as untagged. tcpe's own
 * leave frames (memif link protocol) are never tagged.
 */
static enum pkt_class
vlan_untag(const struct net_addr *ifa, struct rte_mbuf *m, uint16_t *drop)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t vid = 0;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		vid = m->vlan_tci & 0xfff;
	} else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(struct rte_vlan_hdr))
			return reject(drop, TCPE_DROP_ETH_SHORT);
		rte_vlan_strip(m);	/* sets RX_VLAN_STRIPPED: a steered frame is not stripped twice */
		vid = m->vlan_tci & 0xfff;
	} else if (eth->ether_type == RTE_BE16(LEAVE_ETHERTYPE)) {
		return PKT_TCP;
	}
	return vid == ifa->vlan ? PKT_TCP : reject(drop, TCPE_DROP_VLAN_OTHER);
}

enum pkt_class
pkt_parse(const struct net_addr *ifa, struct rte_mbuf *m, struct pkt_info *pi, uint16_t *drop)
{
	struct rte_ether_hdr *eth;

	if (m->nb_segs != 1)
		return reject(drop, TCPE_DROP_MBUF_CHAINED);
	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return reject(drop, TCPE_DROP_ETH_SHORT);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	if (unlikely(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) ||
	    unlikely(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) || unlikely(ifa->vlan != 0)) {
		enum pkt_class k = vlan_untag(ifa, m, drop);

		if (k != PKT_TCP)
			return k;
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	}
	pi->eth = eth;
	if (!rte_is_unicast_ether_addr(&eth->src_addr))
		return reject(drop, TCPE_DROP_ETH_SRC);
	if (!rte_is_same_ether_addr(&eth->dst_addr, &ifa->mac) &&
	    !rte_is_broadcast_ether_addr(&eth->dst_addr) &&
	    !solicited_mac_ours(ifa, &eth->dst_addr))
		return reject(drop, rte_is_multicast_ether_addr(&eth->dst_addr) ?
				    TCPE_DROP_ETH_MULTICAST : TCPE_DROP_ETH_DST);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return parse_ipv4(ifa, m, pi, drop);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return parse_ipv6(ifa, m, pi, drop);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return parse_arp(m, pi, drop);
	case RTE_BE16(LEAVE_ETHERTYPE):
		if (rte_pktmbuf_data_len(m) < LEAVE_LEN ||
		    memcmp(eth + 1, LEAVE_MAGIC, 7) != 0)
			return reject(drop, TCPE_DROP_ETH_TYPE);
		pi->leave = ((const uint8_t *)(eth + 1))[7];
		return PKT_LEAVE;
	default:
		return reject(drop, TCPE_DROP_ETH_TYPE);
	}
}
