/* cksum.h - ones'-complement sums (RFC 1071) for headers and short segments, eight bytes a step: what received frames are verified with where the port does not check them. */
#ifndef TCPE_CKSUM_H
#define TCPE_CKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

/* Segments up to this many bytes are summed by net_sum(); longer ones by DPDK's
 * __rte_raw_cksum(), which the compiler vectorises: faster once its set-up is paid for. */
#define NET_SUM_SHORT 256

/* @p s + @p x with the carry out of bit 63 added back in (end-around carry). */
static inline uint64_t
net_sum_add(uint64_t s, uint64_t x)
{
	s += x;
	return s + (s < x);
}

/**
 * @p sum plus the ones'-complement sum of the @p n bytes at @p p, in 16-bit words as they lie in
 * memory - what __rte_raw_cksum() adds up, and the same once folded by net_fold() - but eight
 * bytes an addition, with the carries wrapped around (2^64 - 1 is a multiple of 2^16 - 1).
 */
static inline uint64_t
net_sum(const void *p, uint32_t n, uint64_t sum)
{
	const uint8_t *b = p;
	uint64_t x, y;

	for (; n >= 16; n -= 16, b += 16) {
		memcpy(&x, b, 8);
		memcpy(&y, b + 8, 8);
		sum = net_sum_add(net_sum_add(sum, x), y);
	}
	if (n >= 8) {
		memcpy(&x, b, 8);
		sum = net_sum_add(sum, x);
		n -= 8;
		b += 8;
	}
	if (n >= 4) {
		uint32_t w;

		memcpy(&w, b, 4);
		sum = net_sum_add(sum, w);
		n -= 4;
		b += 4;
	}
	if (n >= 2) {
		uint16_t h;

		memcpy(&h, b, 2);
		sum = net_sum_add(sum, h);
		n -= 2;
		b += 2;
	}
	if (n > 0) {
		uint16_t last = 0;	/* the odd byte, first in its word (as __rte_raw_cksum()) */

		memcpy(&last, b, 1);
		sum = net_sum_add(sum, last);
	}
	return sum;
}

/** The 32-bit @p sum folded to 16 bits (RFC 1071); 0 only when every word summed was 0. */
static inline uint16_t
net_fold16(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/** The 64-bit @p sum folded to 16 bits; 0 only when every byte summed was 0. */
static inline uint16_t
net_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	return net_fold16((uint32_t)sum);
}

/**
 * @p sum plus the sum of the @p n bytes at @p p, as __rte_raw_cksum() (the same once folded):
 * net_sum() for short ones, DPDK's vectorised loop for the rest.
 */
static inline uint32_t
net_raw(const void *p, uint32_t n, uint32_t sum)
{
	return n <= NET_SUM_SHORT ? net_fold(net_sum(p, n, sum)) : __rte_raw_cksum(p, n, sum);
}

/** Whether the IPv4 header at @p ip, @p hlen bytes, has a right checksum. */
static inline bool
net_ipv4_hdr_ok(const struct rte_ipv4_hdr *ip, uint32_t hlen)
{
	return net_fold(net_sum(ip, hlen, 0)) == 0xffff;
}

/**
 * Whether the TCP segment at @p l4 (@p l4_len bytes, header and payload) under the IPv4 header
 * @p ip has a right checksum: its sum with the pseudo-header's (the addresses, the protocol, the
 * length - RFC 9293 §3.1) is all ones.
 */
static inline bool
net_tcp4_ok(const struct rte_ipv4_hdr *ip, const void *l4, uint32_t l4_len)
{
	uint64_t sum = net_sum_add(net_sum_add((uint64_t)ip->src_addr, ip->dst_addr),
				   (uint64_t)rte_cpu_to_be_16(IPPROTO_TCP) +
				   rte_cpu_to_be_16((uint16_t)l4_len));

	return net_fold(net_sum_add(sum, net_raw(l4, l4_len, 0))) == 0xffff;
}

/**
 * Whether the TCP segment at @p l4 (@p l4_len bytes) under the IPv6 header @p ip6 (no extension
 * headers) has a right checksum: with the pseudo-header of RFC 8200 §8.1 (both addresses, the
 * length and the next header as 32-bit words).
 */
_Static_assert(offsetof(struct rte_ipv6_hdr, dst_addr) ==
	       offsetof(struct rte_ipv6_hdr, src_addr) + 16, "the two addresses are summed as one run");

static inline bool
net_tcp6_ok(const struct rte_ipv6_hdr *ip6, const void *l4, uint32_t l4_len)
{
	uint64_t sum = net_sum((const uint8_t *)ip6 + offsetof(struct rte_ipv6_hdr, src_addr), 32,
			       (uint64_t)rte_cpu_to_be_32(l4_len) +
			       rte_cpu_to_be_32(IPPROTO_TCP));

	return net_fold(net_sum_add(sum, net_raw(l4, l4_len, 0))) == 0xffff;
}

#endif
