/* icmp.c - echo replies: swap addresses, drop IP options, retype, checksum. */
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
	/* Summed anew, not patched: RFC 1624's incremental update gives 0x0000 where 0xffff is
	 * due when the rest of the message sums to zero (the fuzzer found one; pings are rare). */
	ic->icmp_type = RTE_ICMP_TYPE_ECHO_REPLY;
	ic->icmp_cksum = 0;
	sum = rte_raw_cksum(ic, pi->l4_len);
	ic->icmp_cksum = (uint16_t)~sum;
	m->ol_flags = 0;
	/* Drop Ethernet padding so the reply is exactly the request's IP length. */
	rte_pktmbuf_data_len(m) = (uint16_t)(sizeof(*eth) + rte_be_to_cpu_16(ip->total_length));
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	build_ipv4_cksum(m, ip, tx);
}
