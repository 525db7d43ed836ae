/* worker.h - one worker's share-nothing context (queues, flow table, pool, timers, counters) and its records. */
#ifndef TCPE_WORKER_H
#define TCPE_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "app.h"
#include "arp.h"
#include "build.h"
#include "client.h"
#include "config.h"
#include "parse.h"
#include "reasm.h"
#include "sndq.h"
#include "tcb.h"
#include "trace.h"
#include "tw.h"

#define WORKER_BURST 32		/**< rx_burst size (DESIGN.md) */
#define WORKER_TX_BUF 64	/**< TX buffer per port; flushed when full and every iteration */
#define WORKER_WHEEL_SLOTS 4096	/**< x ~1 ms ticks: a 4 s rotation */
#define WORKER_TIMER_BATCH 64	/**< expiries handled per list per iteration */
#define WORKER_MAX 64		/**< workers (software steering keeps a ring per ordered pair) */
#define STEER_RETA 512		/**< RETA entries at most: owner = reta[hash & (reta size - 1)] */

struct worker;

/**
 * One connection: the core's TCB first, then what the runtime keeps (send queue, peer MAC,
 * application state). Fixed size, from the worker's preallocated pool.
 */
struct conn {
	struct tcb tcb;
	struct sndq sndq;
	struct worker *w;
	struct rte_ether_addr peer_mac;
	uint8_t port;		/**< index into worker.ports */
	uint8_t app;		/**< enum tcpe_app_id */
	uint8_t in_use : 1;
	uint8_t accepted : 1;	/**< on_accept ran: on_closed is owed */
	uint8_t aborted : 1;	/**< the application reset it */
	uint32_t trace_id;	/**< 0 = not traced */
	uint64_t app_state[4];
};

/** A port as one worker sees it: its queue pair and its TX buffer. */
struct wport {
	uint16_t port_id;
	uint16_t queue;
	uint16_t ntx;
	uint16_t ndefer;	/**< txb[0..ndefer) were refused by the queue already */
	struct net_addr addr;
	struct tx_props tx;
	struct rte_mbuf *txb[WORKER_TX_BUF];
	uint16_t txlen[WORKER_TX_BUF];	/**< pkt_len of txb[i] (tx_bytes without touching sent mbufs) */
};

/**
 * Everything a worker owns. Allocated on the worker's NUMA node; written only by that worker,
 * except `stop` (set once by the control core) and read-only configuration.
 */
struct worker {
	/* --- hot, read on every packet --- */
	struct tcp_ctx tcp;		/**< the core's context: config, counters, timers, clock */
	struct rte_mempool *mp;
	struct rte_hash *flows;
	struct conn *conns;
	uint32_t *free_idx;		/**< stack of free record indexes */
	uint32_t nfree;
	uint32_t nconns;
	uint16_t nports;
	uint16_t index;			/**< worker number = queue id */
	bool churn;			/**< a record was created/freed during this burst */
	bool trace_hold;		/**< buffer OUT trace records until the IN record is written */
	uint8_t ntrace_pending;
	uint32_t lcore;
	uint64_t tsc_mult;		/**< tsc * tsc_mult >> 32 = microseconds */
	const struct tcpe_config *cfg;
	struct tcpe_app_params params;
	uint64_t traced;		/**< connections traced so far */
	struct rte_ring *trace_ring;	/**< SP/SC towards the control core */
	struct trace_rec trace_pending[8];
	struct wport ports[TCPE_MAX_PORTS];
	struct arp_cache arp;
	struct tcp_cfg tcp_cfg;
	struct reasm *reasm;		/**< out-of-order queue pool (tcp_reasm_pool_init) */
	struct tcp_dack dack;		/**< delayed-ACK FIFO */
	struct tcp_tw_table tw;		/**< compact TIME_WAIT entries */
	struct tcp_ts_cache ts_cache[TCP_TS_CACHE]; /**< timestamp offsets of recent address pairs */
	/* owner of a tuple = steer_reta[toeplitz(tuple) & steer_mask]: the port's RETA when it has
	 * RSS (client mode picks ports with it), software steering's otherwise */
	bool steer;			/**< hand packets of tuples we do not own to their owner */
	uint16_t nworkers;
	uint16_t steer_mask;		/**< RETA size - 1 */
	uint8_t steer_reta[STEER_RETA];
	struct rte_ring *steer_out[WORKER_MAX];	/**< SP/SC to worker i (NULL for ourselves) */
	struct rte_ring *steer_in[WORKER_MAX];	/**< SP/SC from worker i */
	struct client client;		/**< client mode (--connect) */
	int64_t wall_off_us;		/**< wall clock = tcp.now + this */
	uint64_t cookie_sent_us;	/**< when the last SYN cookie went out (0: never) */
	uint8_t *body;			/**< TCPE_BODY_TEMPLATE bytes, DMA-able, read-only after start */
	struct rte_mbuf_ext_shared_info body_shinfo; /**< shared by every mbuf referencing body */
	uint8_t app_scratch[TCPE_APP_WORKER_SCRATCH] __rte_cache_aligned;
	/* --- written by the control core --- */
	volatile bool stop __rte_cache_aligned;
	/* --- large tables --- */
	uint8_t listen_app[65536] __rte_cache_aligned; /**< host-order port -> app id + 1; 0 = none */
	struct tmr_link wheel_slots[WORKER_WHEEL_SLOTS];
	/* --- counters: one writer (this worker), read by the control core --- */
	struct tcpe_stats st;
};

/* Flow-table values: a record, or (low bit set) a compact TIME_WAIT entry. */
static inline bool
ref_is_tw(const void *ref)
{
	return ((uintptr_t)ref & 1) != 0;
}

static inline struct tcp_tw *
ref_tw(void *ref)
{
	return (struct tcp_tw *)((uintptr_t)ref & ~(uintptr_t)1);
}

static inline void *
tw_ref(struct tcp_tw *tw)
{
	return (void *)((uintptr_t)tw | 1);
}

/** Count @p reason and free @p m: the one way a worker discards a packet. */
static inline void
worker_drop(struct worker *w, struct rte_mbuf *m, unsigned int reason)
{
	w->st.drop[reason]++;
	rte_pktmbuf_free(m);
}

/** Queue @p m on port @p p's TX buffer (flushing it when full). The buffer owns @p m. */
void worker_tx(struct worker *w, struct wport *p, struct rte_mbuf *m);

/** Send everything buffered on @p p now; what the device refuses is dropped as TX_FULL. */
void worker_tx_flush(struct worker *w, struct wport *p);

/**
 * Create worker @p index for @p lcore: pools, flow table, timers, listeners.
 * Control core only, before launch. @return the worker, or NULL with rte_errno set.
 */
struct worker *worker_create(unsigned int index, unsigned int lcore, const struct tcpe_config *cfg,
			     struct rte_mempool *mp, struct rte_ring *trace_ring);

/** Release what worker_create() allocated, and every connection left. Control core only, after the join. */
void worker_destroy(struct worker *w);

/**
 * Process one received burst from port @p p: classify, bulk flow lookup, TCP/ARP/ICMP input.
 * Replies go to the port's TX buffer. The loop's body; micro-benchmarks call it directly.
 */
void worker_input(struct worker *w, struct wport *p, struct rte_mbuf **pkts, uint16_t n);

/** The worker loop (rte_eal_remote_launch entry): runs until w->stop. */
int worker_main(void *arg);

/* --- stack.c: TCP glue between packets, the core and applications --- */

/** Handle a validated TCP segment; @p ref is its flow-table value (record or TIME_WAIT entry)
 * or NULL. Takes @p m. */
void stack_tcp_input(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi,
		     void *ref);

/** The worker that owns @p key under software steering (the same hash both directions). */
unsigned int worker_owner(const struct worker *w, const struct tcp_tuple *key);

/** True when flow-table value @p ref is still live and keyed by @p key (after churn in a burst). */
bool stack_ref_valid(void *ref, const struct tcp_tuple *key);

/** The TIME_WAIT table's key hook: the flow table follows entries that leave or move. */
void stack_tw_key(void *arg, struct tcp_tw *tw, bool add);

/** Handle an expired timer of @p c. */
void stack_timer(struct worker *w, struct conn *c);

/** The core's emit hook: turn a decided segment into a packet on the record's port. */
void stack_emit(void *arg, struct tcb *t, const struct tcp_out *o);

/** A new record keyed by @p key (client mode's active opens), or NULL when the pool or the flow
 * table is full. */
struct conn *stack_conn_new(struct worker *w, const struct tcp_tuple *key);

/** The core's pkt_free hook: release a packet it held out of order. */
void stack_pkt_free(void *pkt);

/** Release every connection (at shutdown, no packets sent). */
void stack_release_all(struct worker *w);

#endif
