/* mem.h - the memory plan: how many mbufs the receive and send pools hold and what each worker may take of them, so that no account can drain another. */
#ifndef TCPE_MEM_H
#define TCPE_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define MEM_MBUF_CACHE 512	/**< per-lcore mempool cache (DPDK's largest) */
#define MEM_MBUF_CACHE_SMALL 256	/**< the send pool's, when --mbufs has no room for the larger */

/*
 * Two pools per NUMA socket. The receive pool fills the RX rings and holds what a worker keeps
 * of received packets: out-of-order segments, input its applications have not taken, frames
 * answered in place on their way out, segments on their way to another worker. Each of those
 * has a per-worker bound, and the pool is their sum: connections can never take what the rings
 * need to receive the ACKs that would release them. The send pool holds send queues and the
 * frames built from them; each worker's send queues may hold its share less what its frames in
 * flight need, and applications past that budget are back-pressured (app.h).
 */
struct mem_plan {
	uint32_t rx_desc;		/**< RX descriptors per queue (the most any port takes) */
	uint32_t tx_desc;		/**< TX descriptors per queue (the most any port takes) */
	/* per worker, in mbufs */
	uint32_t rx_rings;		/**< descriptors of its queues (RX filled, TX in-place replies) */
	uint32_t rx_ooo;		/**< --ooo-pkts */
	uint32_t rx_hold;		/**< --rcv-hold-pkts */
	uint32_t rx_steer;		/**< steering rings towards it */
	uint32_t rx_other;		/**< ARP hold queues, the pool's per-lcore cache */
	uint32_t rx_per_worker;		/**< all of the above */
	uint32_t rx_mbufs;		/**< receive pool, per socket in use */
	uint32_t rx_cache;		/**< its per-lcore cache */
	uint32_t data_mbufs;		/**< send pool, per socket in use (--mbufs) */
	uint32_t data_cache;		/**< its per-lcore cache */
	uint32_t data_reserve;		/**< per worker: frames in flight, cache */
	uint32_t data_budget;		/**< per worker: what its send queues may hold */
};

/** The ports a plan is for: how many, and the most descriptors any of their queues takes. */
struct mem_ports {
	unsigned int n;
	unsigned int rx_desc;
	unsigned int tx_desc;
};

/**
 * Plan the pools for @p nworkers workers (at most @p per_socket of them on one NUMA socket) and
 * the ports @p ports. Control core, before the pools exist.
 * @return 0, or -EINVAL with a message on @p err when --rx-mbufs or --mbufs is too small.
 */
int mem_plan(struct mem_plan *p, const struct tcpe_config *cfg, unsigned int nworkers,
	     unsigned int per_socket, const struct mem_ports *ports, FILE *err);

/** The mempool handler tcpe asks for when neither the user nor the platform names one. */
#define MEM_POOL_OPS "stack"

struct rte_mempool;

/**
 * Create the mbuf pool @p name of @p n mbufs (per-lcore cache @p cache) on NUMA @p socket. Its
 * handler: the one named with EAL's --mbuf-pool-ops-name, else the platform's hardware pool,
 * else MEM_POOL_OPS - a LIFO, so that what a core takes back from the shared pool is what was
 * freed last, not (as from DPDK's default ring) what has waited longest and left every cache -
 * else, when that driver is not there, DPDK's default. @p ops gets the handler's name.
 * Control core. @return the pool, or NULL with rte_errno set.
 */
struct rte_mempool *mem_pool_create(const char *name, unsigned int n, unsigned int cache,
				    int socket, const char **ops);

/** One line for the start-up banner: how the memory is split. */
void mem_describe(const struct mem_plan *p, FILE *out);

#endif
