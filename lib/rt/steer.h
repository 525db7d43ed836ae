/* steer.h - which worker owns a 4-tuple (the RETA over the symmetric Toeplitz hash) and the rings that hand segments to their owner. */
#ifndef TCPE_STEER_H
#define TCPE_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "parse.h"
#include "rss.h"
#include "tcb.h"

#define STEER_WORKERS_MAX 64	/**< workers (software steering keeps a ring per ordered pair) */
#define STEER_RETA 512		/**< RETA entries at most: owner = reta[hash & (reta size - 1)] */
#define STEER_RING_SIZE 4096

/**
 * One worker's view of tuple ownership. The map is the port's RETA as tcpe programmed it (entry
 * k -> queue k % workers) where the device has RSS, and the same map in software otherwise;
 * client mode picks source ports with it either way. With `on`, segments that arrive on this
 * worker's queue for a tuple another worker owns are handed over an SP/SC ring.
 */
struct steer {
	bool on;
	uint16_t self;
	uint16_t nworkers;
	uint16_t mask;				/**< RETA size - 1 */
	uint8_t reta[STEER_RETA];
	struct rte_ring *out[STEER_WORKERS_MAX];	/**< to worker i (NULL for ourselves) */
	struct rte_ring *in[STEER_WORKERS_MAX];		/**< from worker i */
};

/** Set up worker @p self's map among @p nworkers for a RETA of @p reta_size (a power of two). */
void steer_init(struct steer *s, unsigned int self, unsigned int nworkers, unsigned int reta_size,
		bool on);

/** The worker that owns @p key: the same for both directions (symmetric key). Any core. */
static inline unsigned int
steer_owner(const struct steer *s, const struct tcp_tuple *key)
{
	uint32_t h = rss_hash_v4_tcp(rss_symmetric_key, key->raddr, key->laddr, key->rport,
				     key->lport);

	return s->reta[h & s->mask];
}

/** The worker that owns the IPv6 connection between @p a and @p b (16 bytes each) on ports
 * @p pa and @p pb (network order), in either order (the key is symmetric). */
static inline unsigned int
steer_owner6(const struct steer *s, const void *a, const void *b, uint16_t pa, uint16_t pb)
{
	return s->reta[rss_hash_v6_tcp(rss_symmetric_key, a, b, pa, pb) & s->mask];
}

/** The worker that owns the connection of parsed segment @p pi: steer_owner() for IPv4; for
 * IPv6 the hash over the addresses themselves (the key holds a stand-in), as RSS sees them. */
static inline unsigned int
steer_owner_pkt(const struct steer *s, const struct pkt_info *pi)
{
	if (pi->ip6 == NULL)
		return steer_owner(s, &pi->key);
	return steer_owner6(s, &pi->ip6->src_addr, &pi->ip6->dst_addr, pi->key.rport,
			    pi->key.lport);
}

/**
 * Create the SP/SC ring of every ordered pair of the @p n workers whose steering is on (NUMA
 * node of the receiving worker's @p sockets[i]). Control core, before launch.
 * @return 0, or -ENOMEM (rings made so far stay, freed by steer_free_in()).
 */
int steer_connect(struct steer *const *all, const int *sockets, unsigned int n);

/** Free the rings @p s receives on (after every worker has stopped and drained them). */
void steer_free_in(struct steer *s);

#endif
