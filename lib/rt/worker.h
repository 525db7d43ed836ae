/* worker.h - one worker's share-nothing context: its port queues and TX buffers, ARP, steering, client mode and connection table. */
#ifndef TCPE_WORKER_H
#define TCPE_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "arp.h"
#include "build.h"
#include "config.h"
#include "conn.h"
#include "link.h"
#include "parse.h"
#include "port.h"
#include "steer.h"
#include "txbuf.h"

#define WORKER_BURST 32		/**< rx_burst size (DESIGN.md) */
#define WORKER_MAX STEER_WORKERS_MAX
#define WORKER_TX_RESERVE 64	/**< TX buffer slots a backed-up port keeps from new data */
#define WORKER_ADMIT_WINDOW_US 1000	/**< RX saturation is judged per window of this (worker.c) */
#define WORKER_LOAD_WINDOW_US 10000	/**< busy share and releases are measured per window of this */
#define WORKER_ADMIT_BUSY_PCT 95	/**< busy share at which a worker counts as overloaded */
#define WORKER_ADMIT_LATENCY_US 200000	/**< overloaded: no more records than it releases in this */
#define WORKER_ADMIT_FLOOR 4096		/**< ... and never fewer than this many */

struct client;

/** A port as one worker sees it: its queue pair, addresses and TX buffer. */
struct wport {
	struct txbuf txb;
	struct net_addr addr;
	struct port_link *link;	/**< shared gate (net_memif); always open for other drivers */
};

/** Everything worker_create() needs to know besides the configuration. */
struct worker_spec {
	const struct tcpe_config *cfg;
	unsigned int index;		/**< worker number = queue id on every port */
	unsigned int lcore;
	unsigned int nworkers;
	struct rte_mempool *mp;		/**< the send pool (mem.h) */
	struct rte_mempool *rx_mp;	/**< the receive pool its first port's queue fills from */
	uint32_t data_budget;		/**< send-queue mbufs this worker may hold (0: no limit) */
	uint16_t nports;
	const uint16_t *port_ids;	/**< [nports] */
	const struct port_info *pinfo;	/**< [nports]: MAC, RSS, offloads */
	struct port_link *links;	/**< [nports] */
};

/**
 * Everything a worker owns. Allocated on the worker's NUMA node; written only by that worker,
 * except `stop` (set once by the control core) and the gates in `links` (control core).
 */
struct worker {
	/* --- hot, read on every packet --- */
	struct conn_table *conn;
	struct rte_mempool *mp;
	uint16_t nports;
	uint16_t index;
	uint32_t lcore;
	uint64_t tsc_mult;		/**< tsc * tsc_mult >> 32 = microseconds */
	struct steer steer;
	struct client *client;		/**< client mode (--connect), or NULL */
	uint64_t rx_hold_tsc;		/**< --rx-coalesce-us in TSC cycles (0: poll back to back) */
	bool rx_full;			/**< a burst of the last iteration (port or steering) was full */
	/* admission of new connections (worker.c: admission()) */
	uint64_t adm_start;		/**< this packet window's start, microseconds */
	bool adm_drained;		/**< an RX poll in this window found its ring drained */
	bool adm_saturated;		/**< none did in the last window: SYNs past the backlog shed */
	bool adm_busy;			/**< the last load window was busy: nothing is shed otherwise */
	bool adm_held_back;		/**< ... and applications were held back in it */
	uint64_t adm_conn_limit;	/**< records in use beyond which an overloaded worker sheds */
	uint64_t load_start, load_busy, load_closed, load_held_back;	/**< the load window:
					     start, busy_us, conn_closed, send_refused + rcv_full then */
	uint64_t load_closed8;		/**< records released per load window, average x8 */
	const struct tcpe_config *cfg;
	struct rte_mempool *rx_mp;	/**< the receive pool (worker_spec), read by the control core */
	struct rte_ring *trace_ring;	/**< SP/SC towards the control core, or NULL */
	struct arp_cache arp;
	struct net_ip6_keys ip6_keys;	/**< IPv6 peers' tuple stand-ins, all ports' (parse.h) */
	struct tx_props tx[TCPE_MAX_PORTS];
	struct wport ports[TCPE_MAX_PORTS];
	/* --- written by the control core --- */
	volatile bool stop __rte_cache_aligned;
	/* --- counters: one writer (this worker), read by the control core --- */
	struct tcpe_stats st;
};

/** Count @p reason and free @p m: the one way a worker discards a packet. */
static inline void
worker_drop(struct worker *w, struct rte_mbuf *m, unsigned int reason)
{
	w->st.drop[reason]++;
	rte_pktmbuf_free(m);
}

/**
 * Build worker @p spec->index from the configuration: its connection table, port queues,
 * steering map, trace ring and client mode. Control core only, before launch.
 * @return the worker, or NULL with rte_errno set.
 */
struct worker *worker_create(const struct worker_spec *spec);

/** Release what worker_create() allocated, every connection left and every buffered packet.
 * Control core only, after the join (and after every worker stopped: steering rings). */
void worker_destroy(struct worker *w);

/**
 * Process one received burst from port index @p port: classify, steer, ARP/ICMP, then the
 * connection table for the TCP segments. Replies go to the port's TX buffer. The loop's body;
 * tests and micro-benchmarks call it directly.
 */
void worker_input(struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/** Take what other workers steered to @p w (worker_iterate() does this every iteration; the
 * fuzzer calls it with its own clock). @return true if there was any. */
bool worker_steer_drain(struct worker *w);

/** One iteration of the loop: clock, steering rings, every open port's RX, client opens, timers,
 * TX flush. @return true when it received or opened anything. */
bool worker_iterate(struct worker *w);

/** The worker loop (rte_eal_remote_launch entry): worker_iterate() until w->stop, each
 * iteration that found its queues drained followed by the --rx-coalesce-us hold. */
int worker_main(void *arg);

/** Queue @p m for transmission on port index @p port (the TX buffer owns it). */
static inline void
worker_tx(struct worker *w, uint16_t port, struct rte_mbuf *m)
{
	txbuf_add(&w->ports[port].txb, &w->st, m);
}

#endif
