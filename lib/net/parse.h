/* parse.h - classify and validate one received frame: Ethernet -> ARP | IPv4 -> ICMP | TCP, IPv6 -> ICMPv6 (ND, echo) | TCP. */
#ifndef TCPE_PARSE_H
#define TCPE_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

#define NET_IP6_KEYS 256	/**< stand-ins a worker keeps (net_ip6_keys), a power of two */

/** IPv6 peers' tuple stand-ins computed lately (net_ip6_key()), direct-mapped by the address's
 * last bytes, so that a peer's segments cost one SipHash rather than one each. */
struct net_ip6_keys {
	struct {
		uint8_t a[16];
		uint32_t key;
	} e[NET_IP6_KEYS];
};

/** The addresses a port answers for. */
struct net_addr {
	struct rte_ether_addr mac;
	uint32_t ip;		/**< network order */
	uint32_t mask;		/**< network order */
	uint32_t alias_lo;	/**< more addresses, host order: alias_lo .. alias_lo + alias_n - 1 */
	uint32_t alias_n;	/**< (client mode's --source-ips), 0: none */
	uint16_t vlan;		/**< 802.1Q VLAN ID the port is on (0: untagged) */
	bool has_ip6;		/**< the port has an IPv6 address (--ip6): IPv6 frames are taken */
	uint8_t ip6[16];	/**< that address */
	uint8_t ip6_prefix;
	uint32_t laddr6;	/**< the tuple laddr of IPv6 connections here (tuple_laddr_ip6()) */
	uint8_t ip6_key[16];	/**< secret of the tuple raddr's hash of IPv6 peers (net_ip6_key()) */
	struct net_ip6_keys *ip6_keys;	/**< its results kept (the worker's), or NULL */
};

/** True when @p ip_be (network order) is one of @p ifa's addresses: its own or an alias. */
static inline bool
net_addr_is_ours(const struct net_addr *ifa, uint32_t ip_be)
{
	return ip_be == ifa->ip || rte_be_to_cpu_32(ip_be) - ifa->alias_lo < ifa->alias_n;
}

/** The 32-bit stand-in of IPv6 peer address @p a (16 bytes) in a tuple's raddr: a keyed hash
 * (tcb.h explains the IPv6 tuple), from ifa->ip6_keys when it has it. */
uint32_t net_ip6_key(const struct net_addr *ifa, const void *a);

/** Set @p ifa's IPv6 key secret to @p secret and empty @p keys for it (every entry the stand-in
 * of ::); @p ifa keeps results in @p keys from then on (NULL: none kept). */
void net_ip6_key_init(struct net_addr *ifa, const uint8_t secret[16], struct net_ip6_keys *keys);

/** True when @p a (16 bytes) is @p ifa's IPv6 address. */
static inline bool
net_ip6_is_ours(const struct net_addr *ifa, const void *a)
{
	return ifa->has_ip6 && memcmp(a, ifa->ip6, 16) == 0;
}

#define ICMP_DEST_UNREACH 3	/**< ICMP type: destination unreachable (RFC 792) */
#define ICMP_FRAG_NEEDED 4	/**< ... code: fragmentation needed and DF set (RFC 1191) */

/** What the classifier found; PKT_DROP comes with a drop reason. */
enum pkt_class {
	PKT_DROP, PKT_ARP, PKT_ICMP, PKT_TCP, PKT_LEAVE, PKT_ICMP_TOOBIG,
	PKT_ICMP6_ECHO,		/**< ICMPv6 echo request to our address */
	PKT_ND_NS,		/**< neighbour solicitation for our address (RFC 4861 §7.2.3) */
	PKT_ND_NA,		/**< neighbour advertisement */
};

#define ICMP6_PACKET_TOO_BIG 2	/**< ICMPv6 types (RFC 4443, RFC 4861) */
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_ND_NS 135
#define ICMP6_ND_NA 136

/** Pointers into a validated frame and, for TCP, the parsed segment and its flow key. */
struct pkt_info {
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;	/**< IPv4 frames, else NULL */
	struct rte_ipv6_hdr *ip6;	/**< IPv6 frames, else NULL (PKT_ICMP_TOOBIG: the header
					     the ICMPv6 message quotes) */
	union {
		struct rte_arp_hdr *arp;
		struct rte_icmp_hdr *icmp;	/**< ICMP and ICMPv6 (same first 8 bytes) */
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
 * stripped it): the frame must carry the port's VLAN, or none on a port without one. IPv6 is
 * taken on a port with an IPv6 address only, without extension headers (dropped and counted);
 * frames to our solicited-node multicast group carry only neighbour solicitations.
 *
 * @param drop  set to an enum tcpe_drop when PKT_DROP is returned
 * @return the class; the mbuf (untouched but for a tag removed) is still owned by the caller.
 */
enum pkt_class pkt_parse(const struct net_addr *ifa, struct rte_mbuf *m, struct pkt_info *pi,
			 uint16_t *drop);

#endif
