/* build.h - write Ethernet/IPv4|IPv6/TCP headers and checksums into mbufs (offloaded or in software). */
#ifndef TCPE_BUILD_H
#define TCPE_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "bodysum.h"
#include "tcb.h"
#include "tcp.h"

/** Per-port transmit properties, chosen once when the port is configured. */
struct tx_props {
	struct rte_ether_addr mac;	/**< our source MAC */
	bool cksum_offload;		/**< device fills IPv4 and TCP checksums */
	bool multiseg;			/**< device sends chained mbufs: large payloads go zero-copy */
	uint8_t ip6[16];		/**< our IPv6 address on the port (source of IPv6 frames) */
};

/** Payloads from this size on are chained by reference rather than copied (when multiseg). */
#define BUILD_ZEROCOPY_MIN 1024

/** Size of Ethernet + IPv4 (no options) + TCP (no options) headers. */
#define HDRS_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
		  sizeof(struct rte_tcp_hdr))

/**
 * Prepend Ethernet, IPv4 and TCP headers for segment @p o of @p tuple in front of the payload
 * already in @p m (may be empty), towards @p dst, with checksums per @p tx.
 *
 * @param m  a fresh mbuf holding o->len payload bytes, in it or in mbufs chained after it;
 *           it must have HDRS_LEN + o->optlen headroom (a pool mbuf has 128)
 * @return 0, or -ENOSPC if the headroom is short (m untouched).
 */
int build_tcp(struct rte_mbuf *m, const struct tx_props *tx, const struct rte_ether_addr *dst,
	      const struct tcp_tuple *tuple, const struct tcp_out *o);

/** Size of Ethernet + IPv6 (no extension headers) + TCP (no options) headers. */
#define HDRS6_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) + \
		   sizeof(struct rte_tcp_hdr))

/**
 * build_tcp_psum() for an IPv6 connection (tuple_is_ip6()): from tx->ip6 to the peer's
 * @p raddr6 (16 bytes), hop limit 64, no flow label. @p m needs HDRS6_LEN + o->optlen headroom.
 */
int build_tcp6_psum(struct rte_mbuf *m, const struct tx_props *tx,
		    const struct rte_ether_addr *dst, const void *raddr6,
		    const struct tcp_tuple *tuple, const struct tcp_out *o, int32_t psum);

/**
 * build_tcp() for a payload whose ones'-complement sum @p psum (folded, not inverted: what
 * sndq_sum() returns) is known, so that the checksum reads only the headers; @p psum -1: unknown.
 */
int build_tcp_psum(struct rte_mbuf *m, const struct tx_props *tx, const struct rte_ether_addr *dst,
		   const struct tcp_tuple *tuple, const struct tcp_out *o, int32_t psum);

/**
 * Turn received TCP frame @p m (IPv4 or IPv6) into the reply @p o in place: swap MACs,
 * addresses and ports, drop options and payload. Used for RSTs to segments that match no
 * connection, SYN cookies and TIME_WAIT's ACKs.
 */
void build_tcp_reply_in_place(struct rte_mbuf *m, const struct tx_props *tx,
			      const struct tcp_out *o);

/**
 * Ones'-complement sum (not inverted) of @p len bytes at offset @p off of the chain @p m,
 * correct for segments of any length (unlike 22.11's rte_raw_cksum_mbuf at odd boundaries);
 * pieces inside the body template @p bs (may be NULL) are summed without being read.
 */
uint16_t build_cksum_chain(const struct rte_mbuf *m, uint32_t off, uint32_t len,
			   const struct body_sums *bs);

/**
 * Chained packets get software checksums and no offload flags: some drivers (net_tap in 22.11)
 * rewrite chained frames wrongly when asked to checksum them.
 */

/** Fill the IPv4 header checksum (and set offload flags) of IPv4 frame @p m. */
void build_ipv4_cksum(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, const struct tx_props *tx);

#endif
