/* nd.c - neighbour discovery (advertisements, solicitations) and ICMPv6 echo replies: addresses swapped or set, checksum over the pseudo-header. */
#include "nd.h"

#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>

#define ND_HOP_LIMIT 255	/* every ND message (RFC 4861 §7.1.2) */
#define ND_FLAG_SOLICITED 0x40	/* first byte of the advertisement's flags word */
#define ND_FLAG_OVERRIDE 0x20
#define ND_OPT_SOURCE_LLADDR 1
#define ND_OPT_TARGET_LLADDR 2
#define NA_LEN 32		/* ICMPv6 header, target, one 8-byte link-layer address option
				   (a solicitation with one is as long) */

/* The ICMPv6 checksum of @p ip6's payload (RFC 4443 §2.3). */
static void
icmp6_cksum(struct rte_ipv6_hdr *ip6, struct rte_icmp_hdr *ic)
{
	ic->icmp_cksum = 0;
	ic->icmp_cksum = rte_ipv6_udptcp_cksum(ip6, ic);
}

/* A neighbour discovery message of @p type (NS or NA, @p flags its first flags byte) about
 * @p target behind @p ip6 (whose addresses are set), with @p mac as its one link-layer address
 * option (@p opt: source's or target's). */
static void
fill_nd(struct rte_ipv6_hdr *ip6, uint8_t type, uint8_t flags, const uint8_t *target,
	uint8_t opt, const struct rte_ether_addr *mac)
{
	uint8_t *p = (uint8_t *)(ip6 + 1);

	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = RTE_BE16(NA_LEN);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = ND_HOP_LIMIT;
	memset(p, 0, NA_LEN);
	p[0] = type;
	p[4] = flags;
	memcpy(p + 8, target, 16);
	p[24] = opt;
	p[25] = 1;	/* in units of 8 bytes */
	memcpy(p + 26, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	icmp6_cksum(ip6, (struct rte_icmp_hdr *)p);
}

/* A new frame from @p ifa's MAC and IPv6 address to multicast group @p group (its MAC: 33:33
 * and the group's last four bytes, RFC 2464 §7), room for an ND message. @return its IPv6
 * header (the frame in *m), or NULL when the pool is empty. */
static struct rte_ipv6_hdr *
nd_frame(struct rte_mempool *mp, const struct net_addr *ifa, const uint8_t group[16],
	 struct rte_mbuf **m)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;

	*m = rte_pktmbuf_alloc(mp);
	if (*m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(*m, (uint16_t)(sizeof(*eth) +
									sizeof(*ip6) + NA_LEN));
	if (eth == NULL) {
		rte_pktmbuf_free(*m);
		return NULL;
	}
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	memcpy(eth->dst_addr.addr_bytes, (const uint8_t[]){ 0x33, 0x33, group[12], group[13],
							    group[14], group[15] }, 6);
	rte_ether_addr_copy(&ifa->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	memcpy(&ip6->src_addr, ifa->ip6, 16);
	memcpy(&ip6->dst_addr, group, 16);
	return ip6;
}

bool
nd_advert_in_place(struct rte_mbuf *m, const struct pkt_info *pi, const struct tx_props *tx)
{
	struct rte_ether_hdr *eth = pi->eth;
	struct rte_ipv6_hdr *ip6 = pi->ip6;
	uint8_t target[16];
	uint16_t len = (uint16_t)(sizeof(*eth) + sizeof(*ip6) + NA_LEN);

	/* a solicitation without its source's address option is 8 bytes shorter than the answer */
	if ((uint8_t *)ip6 + sizeof(*ip6) + NA_LEN > (uint8_t *)m->buf_addr + m->buf_len)
		return false;
	memcpy(target, pi->icmp + 1, 16);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	memcpy(&ip6->dst_addr, &ip6->src_addr, 16);
	memcpy(&ip6->src_addr, target, 16);
	fill_nd(ip6, ICMP6_ND_NA, ND_FLAG_SOLICITED | ND_FLAG_OVERRIDE, target,
		ND_OPT_TARGET_LLADDR, &tx->mac);
	m->ol_flags = 0;
	rte_pktmbuf_data_len(m) = len;
	rte_pktmbuf_pkt_len(m) = len;
	return true;
}

void
icmp6_echo_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi,
			  const struct tx_props *tx)
{
	struct rte_ether_hdr *eth = pi->eth;
	struct rte_ipv6_hdr *ip6 = pi->ip6;
	uint8_t peer[16];

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	memcpy(peer, &ip6->src_addr, 16);
	memcpy(&ip6->src_addr, &ip6->dst_addr, 16);
	memcpy(&ip6->dst_addr, peer, 16);
	ip6->hop_limits = 64;
	pi->icmp->icmp_type = ICMP6_ECHO_REPLY;
	icmp6_cksum(ip6, pi->icmp);
	m->ol_flags = 0;
	/* Drop Ethernet padding so the reply is exactly the request's length. */
	rte_pktmbuf_data_len(m) = (uint16_t)(sizeof(*eth) + sizeof(*ip6) + pi->l4_len);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
}

struct rte_mbuf *
nd_announce(struct rte_mempool *mp, const struct net_addr *ifa)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	struct rte_mbuf *m;
	struct rte_ipv6_hdr *ip6 = nd_frame(mp, ifa, all_nodes, &m);

	if (ip6 == NULL)
		return NULL;
	fill_nd(ip6, ICMP6_ND_NA, ND_FLAG_OVERRIDE, ifa->ip6, ND_OPT_TARGET_LLADDR, &ifa->mac);
	return m;
}

struct rte_mbuf *
nd_solicit(struct rte_mempool *mp, const struct net_addr *ifa, const uint8_t target[16])
{
	uint8_t group[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	struct rte_mbuf *m;
	struct rte_ipv6_hdr *ip6;

	memcpy(group + 13, target + 13, 3);	/* its solicited-node group (RFC 4291 §2.7.1) */
	ip6 = nd_frame(mp, ifa, group, &m);
	if (ip6 == NULL)
		return NULL;
	fill_nd(ip6, ICMP6_ND_NS, 0, target, ND_OPT_SOURCE_LLADDR, &ifa->mac);
	return m;
}

bool
nd_advert_mac(const struct pkt_info *pi, const uint8_t target[16], struct rte_ether_addr *mac)
{
	const uint8_t *p = (const uint8_t *)pi->icmp;

	if (memcmp(p + 8, target, 16) != 0)
		return false;
	*mac = pi->eth->src_addr;
	/* options from byte 24 on, each a type, a length in 8-byte units, and its data */
	for (unsigned int off = 24; off + 8 <= pi->l4_len && p[off + 1] != 0;
	     off += (unsigned int)p[off + 1] * 8) {
		if (p[off] == ND_OPT_TARGET_LLADDR && p[off + 1] == 1) {
			memcpy(mac->addr_bytes, p + off + 2, RTE_ETHER_ADDR_LEN);
			break;
		}
	}
	return true;
}
