/* mem.c - sizing the receive and send pools from the per-worker bounds, and each worker's send budget. */
#include "mem.h"

#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "arp.h"
#include "steer.h"
#include "txbuf.h"
#include "worker.h"

#define DATA_BUDGET_MIN 256	/**< send-queue mbufs a worker needs at the very least */

int
mem_plan(struct mem_plan *p, const struct tcpe_config *cfg, unsigned int nworkers,
	 unsigned int per_socket, const struct mem_ports *ports, FILE *err)
{
	uint32_t nports = ports->n;
	/* a mempool's per-lcore cache can hold up to 1.5 times its size */
	uint32_t cache = MEM_MBUF_CACHE * 3 / 2;
	uint64_t rx, share = 0;

	p->rx_desc = ports->rx_desc;
	p->tx_desc = ports->tx_desc;
	/* its RX rings filled, and its TX rings full of replies written in place */
	p->rx_rings = nports * (p->rx_desc + p->tx_desc + TXBUF_SIZE + 2 * WORKER_BURST);
	p->rx_ooo = (uint32_t)cfg->ooo_pkts;
	p->rx_hold = (uint32_t)cfg->rcv_hold_pkts;
	p->rx_steer = nworkers > 1 && cfg->steer != STEER_OFF ?
		      (nworkers - 1) * STEER_RING_SIZE : 0;
	p->rx_other = ARP_CACHE_SIZE * ARP_HOLD_MAX + cache;
	p->rx_per_worker = p->rx_rings + p->rx_ooo + p->rx_hold + p->rx_steer + p->rx_other;
	rx = (uint64_t)p->rx_per_worker * nworkers + cache;	/* and the control core's cache */
	if (cfg->rx_mbufs != 0 && cfg->rx_mbufs < rx) {
		fprintf(err, "tcpe: --rx-mbufs %llu is below what %u worker%s need: %llu (rings %u, "
			"out-of-order %u, held for readers %u, steering %u, other %u per worker)\n",
			(unsigned long long)cfg->rx_mbufs, nworkers, nworkers == 1 ? "" : "s",
			(unsigned long long)rx, p->rx_rings, p->rx_ooo, p->rx_hold, p->rx_steer,
			p->rx_other);
		return -EINVAL;
	}
	p->rx_mbufs = (uint32_t)(cfg->rx_mbufs != 0 ? cfg->rx_mbufs : rx);
	p->rx_cache = MEM_MBUF_CACHE;
	/* Frames in flight: a header and a reference to a send-queue buffer each (a segment that
	 * spans two buffers takes one more; should the pool then run short, that frame is dropped,
	 * counted, and resent - receiving never depends on this pool). The cache: the largest
	 * (with 256 a worker's cache over- and underflowed into the pool's ring at a few hundred
	 * thousand connections a second, and each mbuf the ring gave back was cold: README,
	 * "Round 14"), the smaller one where --mbufs has no room. */
	p->data_mbufs = (uint32_t)cfg->mbufs;
	for (p->data_cache = MEM_MBUF_CACHE;; p->data_cache = MEM_MBUF_CACHE_SMALL) {
		cache = p->data_cache * 3 / 2;
		p->data_reserve = nports * (p->tx_desc + TXBUF_SIZE) * 2 + cache;
		share = (cfg->mbufs > cache ? cfg->mbufs - cache : 0) / (per_socket ? per_socket : 1);
		if (share >= (uint64_t)p->data_reserve + DATA_BUDGET_MIN ||
		    p->data_cache == MEM_MBUF_CACHE_SMALL)
			break;
	}
	if (share < (uint64_t)p->data_reserve + DATA_BUDGET_MIN) {
		fprintf(err, "tcpe: --mbufs %llu is too small for %u worker%s on one socket: each "
			"needs %u for frames in flight and at least %u for its send queues\n",
			(unsigned long long)cfg->mbufs, per_socket, per_socket == 1 ? "" : "s",
			p->data_reserve, DATA_BUDGET_MIN);
		return -EINVAL;
	}
	p->data_budget = (uint32_t)(share - p->data_reserve);
	return 0;
}

void
mem_describe(const struct mem_plan *p, FILE *out)
{
	fprintf(out, "tcpe: memory per socket: receive pool %u mbufs (per worker: rings %u for "
		"%u RX + %u TX descriptors a port, out-of-order %u, held for readers %u, steering "
		"%u, other %u; cache %u a core); send pool %u mbufs (per worker: send queues %u, "
		"frames in flight %u; cache %u a core)\n", p->rx_mbufs, p->rx_rings, p->rx_desc,
		p->tx_desc, p->rx_ooo, p->rx_hold, p->rx_steer, p->rx_other, p->rx_cache,
		p->data_mbufs, p->data_budget, p->data_reserve, p->data_cache);
}

/* True when this process has a mempool handler called @p name. */
static bool
ops_registered(const char *name)
{
	for (uint32_t i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return true;
	return false;
}

struct rte_mempool *
mem_pool_create(const char *name, unsigned int n, unsigned int cache, int socket,
		const char **ops)
{
	/* Past a cache's worth of mbufs in flight (a deep queue, many connections), a core's
	 * cache empties and refills from the shared pool: a ring hands back the mbufs freed
	 * longest ago, long gone from every cache, a stack the ones a flush of the cache put
	 * there last (README, "Overload and hostile peers"). */
	if (rte_mbuf_user_mempool_ops() == NULL && rte_mbuf_platform_mempool_ops() == NULL &&
	    ops_registered(MEM_POOL_OPS)) {
		*ops = MEM_POOL_OPS;
		return rte_pktmbuf_pool_create_by_ops(name, n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						      socket, MEM_POOL_OPS);
	}
	/* (a DPDK built without its mempool/stack driver) */
	*ops = rte_mbuf_best_mempool_ops();
	return rte_pktmbuf_pool_create(name, n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
}
