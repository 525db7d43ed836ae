/* table_harness.h - the connection table driven synchronously for the EAL tests: tcpe options in, real frames through its input path, every frame out captured and parsed, time as a variable. */
#ifndef TCPE_TABLE_HARNESS_H
#define TCPE_TABLE_HARNESS_H

#include <stdint.h>

#include <CUnit/Basic.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "build.h"
#include "config.h"
#include "conn.h"
#include "parse.h"

#define NB_MBUF 2048
#define CAP 64
#define S 1000000ULL

/** The table under test, its pool and what it sent (test_table.c, test_client.c). */
struct table_harness {
	struct tcpe_config cfg;
	struct rte_mempool *mp;
	struct rte_ring *trace;
	struct tcpe_stats st;
	struct conn_table *tab;
	struct tx_props tx;		/* ours */
	struct tx_props peer_tx;
	struct net_addr us, peer;
	struct rte_mbuf *out[CAP];	/* frames the table sent, until t_clear() */
	struct pkt_info opi[CAP];	/* ... parsed as the peer sees them */
	unsigned int nout;
	uint64_t now;
	struct tcp_rx rx;		/* the core's verdict on the last segment in */
};

extern struct table_harness T;

/** The pool, the trace ring and both ends' addresses: a suite's init. @return 0 or -1. */
int t_harness_init(void);

/** Free what t_harness_init() made: a suite's cleanup. @return 0. */
int t_harness_fini(void);

/** Free the frames captured so far. */
void t_clear(void);

/** A fresh table from tcpe options @p extra (NULL-terminated, after the shared defaults). */
void t_table(const char *extra[]);

/** The table gone, the trace drained, and every mbuf back in the pool (asserted). */
void t_done(void);

/** A frame from the peer's @p sport to our @p dport, through the table's real input path. */
void t_in(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
	  const void *data, uint32_t len);

/** Move time to @p now and run the table's timers. */
void t_advance(uint64_t now);

/** What the flow table holds for the peer's @p sport -> our @p dport. */
void *t_ref(uint16_t sport, uint16_t dport);

/* Captured frame @p i: these flags, absolute seq/ack and payload length. */
#define OUT(i, fl, sq, ak, ln) do {						\
	CU_ASSERT_FATAL((i) < T.nout);						\
	CU_ASSERT_EQUAL(T.opi[i].seg.flags, (fl));				\
	CU_ASSERT_EQUAL(T.opi[i].seg.seq, (sq));				\
	CU_ASSERT_EQUAL(T.opi[i].seg.ack, (ak));				\
	CU_ASSERT_EQUAL(T.opi[i].seg.len, (ln));				\
} while (0)

#endif
