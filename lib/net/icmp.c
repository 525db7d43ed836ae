/* icmp.c - echo replies: swap addresses, drop IP options, retype, patch the checksum incrementally (RFC 1624). */
#include "icmp.h"

#include <string.h>

#include <rte_byteorder.h>

void
icmp_echo_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi, const struct tx_props *tx)
{
	struct rte_ether_hdr *eth = pi->eth;
	struct rte_ipv4_hdr *ip = pi->ip;
	struct rte_icmp_hdr *ic = pi->icmp;
	uint32_t tmp = ip->src_addr;
	uint32_t sum;
	unsigned int hlen = (unsigned int)(ip->version_ihl & 0xf) * 4;

	if (hlen > sizeof(*ip)) {
		/* RFC 1122 §3.2.2.6 lets a reply carry the request's options; tcpe sends none (RFC
		 * 7126: a reply that followed a record-route or source-route option back would serve
		 * whoever forged it). The ICMP message moves up behind a plain 20-byte header. */
		memmove((uint8_t *)ip + sizeof(*ip), ic, pi->l4_len);
		ic = (struct rte_icmp_hdr *)((uint8_t *)ip + sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + pi->l4_len));
	}

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	/* Type 8 -> 0 lowers the first 16-bit word by 0x0800: HC' = ~(~HC + ~m + m') (RFC 1624). */
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	sum = (uint16_t)~rte_be_to_cpu_16(ic->icmp_cksum);
	sum += (uint16_t)~(RTE_IP_ICMP_ECHO_REQUEST << 8) + (RTE_IP_ICMP_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ic->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	m->ol_flags = 0;
	/* Drop Ethernet padding so the reply is exactly the request's IP length. */
	rte_pktmbuf_data_len(m) = (uint16_t)(sizeof(*eth) + rte_be_to_cpu_16(ip->total_length));
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	build_ipv4_cksum(m, ip, tx);
}
