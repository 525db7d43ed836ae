/* parse.h - classify and validate one received frame: Ethernet -> ARP | IPv4 -> ICMP | TCP. */
#ifndef TCPE_PARSE_H
#define TCPE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dpdk_compat.h"
#include "stats.h"
#include "tcb.h"
#include "tcp.h"

/** The addresses a port answers for. */
struct net_addr {
	struct rte_ether_addr mac;
	uint32_t ip;		/**< network order */
	uint32_t mask;		/**< network order */
	uint32_t alias_lo;	/**< more addresses, host order: alias_lo .. alias_lo + alias_n - 1 */
	uint32_t alias_n;	/**< (client mode's --source-ips), 0: none */
	uint16_t vlan;		/**< 802.1Q VLAN ID the port is on (0: untagged) */
};

/** True when @p ip_be (network order) is one of @p ifa's addresses: its own or an alias. */
static inline bool
net_addr_is_ours(const struct net_addr *ifa, uint32_t ip_be)
{
	return ip_be == ifa->ip || rte_be_to_cpu_32(ip_be) - ifa->alias_lo < ifa->alias_n;
}

#define ICMP_DEST_UNREACH 3	/**< ICMP type: destination unreachable (RFC 792) */
#define ICMP_FRAG_NEEDED 4	/**< ... code: fragmentation needed and DF set (RFC 1191) */

/** What the classifier found; PKT_DROP comes with a drop reason. */
enum pkt_class { PKT_DROP, PKT_ARP, PKT_ICMP, PKT_TCP, PKT_LEAVE, PKT_ICMP_TOOBIG };

/** Pointers into a validated frame and, for TCP, the parsed segment and its flow key. */
struct pkt_info {
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	union {
		struct rte_arp_hdr *arp;
		struct rte_icmp_hdr *icmp;
		struct rte_tcp_hdr *tcp;
	};
	uint8_t *payload;	/**< TCP payload */
	uint8_t leave;		/**< PKT_LEAVE: enum leave_type */
	uint16_t mtu;		/**< PKT_ICMP_TOOBIG: the next-hop MTU (key and seg.seq: the quoted
				     segment's connection and sequence number) */
	uint16_t l4_len;	/**< IP payload bytes (from the IP total length, not the frame) */
	struct tcp_tuple key;	/**< TCP: remote = source, local = destination */
	struct tcp_seg seg;
};

/**
 * Classify and validate @p m (single-segment) for the port @p ifa. Checksums are taken from
 * the RX offload flags when the device reports GOOD or BAD, and computed otherwise. TCP options
 * are parsed into pi->seg.opts. An 802.1Q tag is removed (in software unless the device
 * stripped it): the frame must carry the port's VLAN, or none on a port without one.
 *
 * @param drop  set to an enum tcpe_drop when PKT_DROP is returned
 * @return the class; the mbuf (untouched but for a tag removed) is still owned by the caller.
 */
enum pkt_class pkt_parse(const struct net_addr *ifa, struct rte_mbuf *m, struct pkt_info *pi,
			 uint16_t *drop);

#endif
