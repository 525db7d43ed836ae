/* rss.h - the symmetric Toeplitz key tcpe programs into ports, and software RSS over it. */
#ifndef TCPE_RSS_H
#define TCPE_RSS_H

#include <stdint.h>

#define RSS_KEY_LEN 40

/**
 * A Toeplitz key made of one repeated 16-bit pattern, so hash(src, dst) == hash(dst, src) and
 * both directions of a connection land on the same queue (Woo and Park, "Scalable TCP Session
 * Monitoring with Symmetric Receive-side Scaling").
 */
extern const uint8_t rss_symmetric_key[RSS_KEY_LEN];

/**
 * Toeplitz hash of an IPv4/TCP 4-tuple over @p key, as a NIC computes it (rte_softrss).
 * Addresses and ports in network order, as on the wire.
 */
uint32_t rss_hash_v4_tcp(const uint8_t *key, uint32_t saddr, uint32_t daddr, uint16_t sport,
			 uint16_t dport);

/**
 * Toeplitz hash of an IPv6/TCP 4-tuple over @p key (RTE_THASH_V6_L4_LEN words, as a NIC hashes
 * IPv6 TCP without extension headers): addresses 16 bytes each, ports in network order.
 */
uint32_t rss_hash_v6_tcp(const uint8_t *key, const void *saddr, const void *daddr,
			 uint16_t sport, uint16_t dport);

#endif
