/* test_mem.c - tcpe's mbuf pools: a stack by default, so the mbufs freed last are the first handed back; the user's handler wins. */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>

#include "mem.h"
#include "suites.h"

#define NPOOL 1024
#define NBACK 16

/* Take every mbuf of @p mp, free them in order, take NBACK: how many of those are the NBACK freed
 * last, newest first (in @p lifo), and how many the NBACK freed first, oldest first (@p fifo).
 * No per-lcore cache, so the order is the handler's own. */
static void
hand_back(struct rte_mempool *mp, unsigned int *lifo, unsigned int *fifo)
{
	static struct rte_mbuf *m[NPOOL];
	struct rte_mbuf *b[NBACK];

	*lifo = *fifo = 0;
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(mp, m, NPOOL), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), 0);
	for (unsigned int i = 0; i < NPOOL; i++)
		rte_pktmbuf_free(m[i]);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(mp, b, NBACK), 0);
	for (unsigned int i = 0; i < NBACK; i++) {
		*lifo += b[i] == m[NPOOL - 1 - i];
		*fifo += b[i] == m[i];
	}
	rte_pktmbuf_free_bulk(b, NBACK);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), NPOOL);
}

/* The handler of @p mp by name. */
static const char *
handler(const struct rte_mempool *mp)
{
	return rte_mempool_get_ops(mp->ops_index)->name;
}

/* tcpe's pool is a stack: what was freed last comes back first (a ring would give the oldest). */
static void
pool_hands_back_the_mbufs_freed_last(void)
{
	const char *ops = NULL;
	struct rte_mempool *mp = mem_pool_create("t_mem_lifo", NPOOL, 0, (int)rte_socket_id(), &ops);
	unsigned int lifo, fifo;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	CU_ASSERT_STRING_EQUAL(ops, MEM_POOL_OPS);
	CU_ASSERT_STRING_EQUAL(handler(mp), MEM_POOL_OPS);
	CU_ASSERT_EQUAL(mp->size, NPOOL);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_room_size(mp), RTE_MBUF_DEFAULT_BUF_SIZE);
	hand_back(mp, &lifo, &fifo);
	CU_ASSERT_EQUAL(lifo, NBACK);
	CU_ASSERT_EQUAL(fifo, 0);
	rte_mempool_free(mp);

	/* what the pools were before, for contrast: DPDK's default hands back the oldest */
	mp = rte_pktmbuf_pool_create("t_mem_ring", NPOOL, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	CU_ASSERT_STRING_NOT_EQUAL(handler(mp), MEM_POOL_OPS);
	hand_back(mp, &lifo, &fifo);
	CU_ASSERT_EQUAL(fifo, NBACK);
	rte_mempool_free(mp);
}

/* A handler the user named (EAL's --mbuf-pool-ops-name, here set the way it stores it) wins.
 * Last test of the run: the setting stays for the rest of the process. */
static void
user_named_handler_wins(void)
{
	const char *ops = NULL;
	struct rte_mempool *mp;

	CU_ASSERT_EQUAL_FATAL(rte_mbuf_set_user_mempool_ops("ring_mp_mc"), 0);
	mp = mem_pool_create("t_mem_user", NPOOL, 0, (int)rte_socket_id(), &ops);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	CU_ASSERT_STRING_EQUAL(ops, "ring_mp_mc");
	CU_ASSERT_STRING_EQUAL(handler(mp), "ring_mp_mc");
	rte_mempool_free(mp);
}

int
suite_mem(void)
{
	CU_pSuite s = CU_add_suite("mbuf pools", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "pool_hands_back_the_mbufs_freed_last",
			pool_hands_back_the_mbufs_freed_last) == NULL ||
	    CU_add_test(s, "user_named_handler_wins", user_named_handler_wins) == NULL)
		return -1;
	return 0;
}
