/* parse.c - frame classification and validation; every rejection names a drop reason. */
#include "parse.h"

#include <string.h>

#include <rte_byteorder.h>

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

static enum pkt_class
parse_tcp(struct rte_mbuf *m, struct pkt_info *pi, uint16_t *drop)
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
	    (l4f == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN && rte_ipv4_udptcp_cksum_verify(pi->ip, th) != 0))
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
	pi->key.raddr = pi->ip->src_addr;
	pi->key.laddr = pi->ip->dst_addr;
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
	    (l3f == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN && rte_raw_cksum(ip, hlen) != 0xffff))
		return reject(drop, TCPE_DROP_IP_CKSUM);
	if (ip->fragment_offset & rte_cpu_to_be_16(IP_FRAG_MASK))
		return reject(drop, TCPE_DROP_IP_FRAGMENT);
	if (!net_addr_is_ours(ifa, ip->dst_addr))
		return reject(drop, TCPE_DROP_IP_NOT_FOR_US);
	if (bad_source(ip->src_addr, ifa))
		return reject(drop, TCPE_DROP_IP_SRC);
	pi->ip = ip;
	pi->l4_len = (uint16_t)(tlen - hlen);	/* IP options are skipped, not interpreted */
	pi->tcp = (struct rte_tcp_hdr *)((uint8_t *)ip + hlen);
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		return parse_tcp(m, pi, drop);
	case IPPROTO_ICMP:
		return parse_icmp(ifa, pi, drop);
	default:
		return reject(drop, TCPE_DROP_IP_PROTO);
	}
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
	    !rte_is_broadcast_ether_addr(&eth->dst_addr))
		return reject(drop, rte_is_multicast_ether_addr(&eth->dst_addr) ?
				    TCPE_DROP_ETH_MULTICAST : TCPE_DROP_ETH_DST);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return parse_ipv4(ifa, m, pi, drop);
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
