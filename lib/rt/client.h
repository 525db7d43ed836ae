/* client.h - client mode (--connect): the per-worker opener state and the request latency histogram. */
#ifndef TCPE_CLIENT_H
#define TCPE_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "app.h"

#define CLIENT_LAT_MAX_EXP 36	/**< values up to 2^37 us (~38 h) */
#define CLIENT_LAT_BUCKETS (16 + (CLIENT_LAT_MAX_EXP - 3) * 8)	/**< HDR-style: 3 significant bits */
#define CLIENT_OPEN_BURST 32	/**< active opens per worker iteration at most */
#define CLIENT_MAX_INFLIGHT 1024	/**< --rate 0: client connections open per worker at most */
#define CLIENT_TW_REUSE_US 1000000	/**< a TIME_WAIT port is reused after 1 s (with timestamps) */
#define CLIENT_ERROR_PAUSE_US 10000	/**< after a failed connection, no new opens for this long */
#define CLIENT_CLOSE_WAIT_MS 1000	/**< after "Connection: close", wait this long for the server's FIN */
#define CLIENT_PORT_TRIES 1024		/**< source ports tried per open at most */

struct worker;

/** One worker's share of client mode. Written by the worker; the histogram is read by the control core. */
struct client {
	bool on;
	bool resolved;			/**< the next hop's MAC is known */
	uint16_t cursor;		/**< last source port tried */
	uint32_t src_lo;		/**< first source address, host order */
	uint32_t nsrc;			/**< source addresses (--source-ips, else 1: port 0's) */
	uint32_t src_idx;		/**< the address of the last pair tried */
	uint64_t *port_used;		/**< a bit per (address, port): a record or TIME_WAIT may hold it
					     (clear: free without a flow-table lookup); NULL: always look up */
	uint32_t next_hop;		/**< network order */
	struct rte_ether_addr mac;
	uint32_t target;		/**< connections to keep open (--concurrency share), 0: rate mode */
	uint32_t live;			/**< client connections open now */
	uint64_t interval_us;		/**< --rate share: one open per interval (0: as fast as possible) */
	uint64_t next_us;		/**< when the next open is due */
	uint64_t pause_until_us;	/**< no opens before this (after an error) */
	uint16_t req_len, req_close_len;
	char req[96];			/**< the keep-alive GET */
	char req_close[128];		/**< the last GET on a connection (Connection: close) */
	uint64_t lat_hist[CLIENT_LAT_BUCKETS]; /**< request latency, microseconds, log-linear */
};

/** The client application (callbacks for connections opened by client mode). */
extern const struct tcpe_app app_client;

/** Set up @p w's share of client mode among @p nworkers (does nothing without --connect). */
void client_init(struct worker *w, unsigned int nworkers);

/** Once per worker iteration: resolve the next hop, then open connections as due. @return true if any opened. */
bool client_tick(struct worker *w);

/** Histogram bucket of a latency in microseconds (relative error at most 1/8). */
unsigned int client_lat_bucket(uint64_t us);

/** The lower bound of bucket @p b, in microseconds. */
uint64_t client_lat_value(unsigned int b);

#endif
