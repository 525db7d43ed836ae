/* icmp.c - echo replies: swap addresses, retype, patch the checksum incrementally (RFC 1624). */
#include "icmp.h"

#include <rte_byteorder.h>

void
icmp_echo_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi, const struct tx_props *tx)
{
	struct rte_ether_hdr *eth = pi->eth;
	struct rte_ipv4_hdr *ip = pi->ip;
	struct rte_icmp_hdr *ic = pi->icmp;
	uint32_t tmp = ip->src_addr;
	uint32_t sum;

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
