/* txbuf.h - a worker's transmit buffer for one port queue: frames collect here and leave in bursts. */
#ifndef TCPE_TXBUF_H
#define TCPE_TXBUF_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "stats.h"

#define TXBUF_SIZE 256	/**< frames buffered per port queue; flushed when full and every iteration */

/** One port queue's buffer. Owned by one worker. */
struct txbuf {
	uint16_t port_id;
	uint16_t queue;
	uint16_t n;			/**< frames waiting */
	uint16_t ndefer;		/**< m[0..ndefer) were refused by the queue already */
	uint16_t vlan;			/**< 802.1Q VLAN ID every frame is tagged with (0: none) */
	bool vlan_offload;		/**< ... by the device (RTE_ETH_TX_OFFLOAD_VLAN_INSERT) */
	struct rte_mbuf *m[TXBUF_SIZE];
	uint16_t len[TXBUF_SIZE];	/**< pkt_len of m[i] (tx_bytes without touching sent mbufs) */
};

/**
 * Hand everything buffered to the queue now. What the queue refuses waits for the next flush
 * (counted once as tx_deferred). Owning worker only.
 */
void txbuf_flush(struct txbuf *b, struct tcpe_stats *st);

/** Buffer @p m (flushing when full), tagged with the port's VLAN if it has one; the buffer owns
 * it. A frame that finds the buffer still full after a flush is dropped as TX_FULL, one that
 * cannot take its tag as VLAN_INSERT. Owning worker only. */
void txbuf_add(struct txbuf *b, struct tcpe_stats *st, struct rte_mbuf *m);

/** Free whatever is still buffered, counted as NOT_SENT_DOWN (at shutdown). */
void txbuf_discard(struct txbuf *b, struct tcpe_stats *st);

#endif
