/* arp.h - ARP (RFC 826): answer for our address, a small per-worker neighbour cache with a hold queue. */
#ifndef TCPE_ARP_H
#define TCPE_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "parse.h"

#define ARP_CACHE_SIZE 64	/**< entries per worker (open addressing, power of two) */
#define ARP_HOLD_MAX 4		/**< packets held per unresolved neighbour */

struct arp_entry {
	uint32_t ip;			/**< network order; 0 = free slot */
	bool resolved;
	uint8_t nhold;
	struct rte_ether_addr mac;
	uint64_t stamp_us;		/**< learned, or last request sent */
	struct rte_mbuf *hold[ARP_HOLD_MAX];
};

/** A worker's neighbours. Entries age out after ttl_us and are refreshed by any ARP seen. */
struct arp_cache {
	struct arp_entry e[ARP_CACHE_SIZE];
	uint64_t ttl_us;
	uint64_t retry_us;		/**< minimum gap between requests for one address */
};

/** Empty cache with the given lifetimes. */
void arp_cache_init(struct arp_cache *c, uint64_t ttl_us, uint64_t retry_us);

/**
 * Record @p ip at @p mac (from an ARP packet). Held packets for @p ip get their destination MAC
 * filled and are returned in @p out (at most ARP_HOLD_MAX) for the caller to send.
 * @return number of packets released into @p out.
 */
unsigned int arp_learn(struct arp_cache *c, uint32_t ip, const struct rte_ether_addr *mac,
		       uint64_t now_us, struct rte_mbuf **out);

/**
 * Find the MAC of @p ip. When unknown, @p m (an Ethernet frame, or NULL) is held until the reply
 * and *want_request says whether a request should go out now (rate-limited per address).
 *
 * @return 1 resolved (@p mac filled, @p m not taken), 0 held (m taken), -ENOSPC hold queue or
 *         cache full (m not taken: the caller drops it with ARP_HOLD_FULL).
 */
int arp_resolve(struct arp_cache *c, uint32_t ip, uint64_t now_us, struct rte_mbuf *m,
		struct rte_ether_addr *mac, bool *want_request);

/** Free every held packet (at shutdown). */
void arp_cache_flush(struct arp_cache *c);

/**
 * Answer ARP request @p m for one of our addresses (aliases too) in place (it becomes the reply).
 * @return true when @p m is now a reply to send; false when it is not a request for us.
 */
bool arp_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi, const struct net_addr *ifa);

/**
 * Build an ARP request for @p target from @p ifa in a new mbuf from @p mp; a gratuitous
 * announcement when target == ifa->ip (RFC 5227 §3).
 * @return the frame, or NULL when the pool is empty.
 */
struct rte_mbuf *arp_request(struct rte_mempool *mp, const struct net_addr *ifa, uint32_t target);

#endif
