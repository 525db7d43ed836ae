/* client.h - client mode (--connect): a worker's opener (rates, concurrency, source ports that hash back to it) and the application its connections run. */
#ifndef TCPE_CLIENT_H
#define TCPE_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>

#include "config.h"
#include "conn.h"
#include "steer.h"

#define CLIENT_MIX_MAX 8	/**< --mix targets, at most */
#define CLIENT_GREETING_MAX 64	/**< bytes of a hello greeting kept for the final report */
#define CLIENT_LAT_MAX_EXP 36	/**< values up to 2^37 us (~38 h) */
#define CLIENT_LAT_BUCKETS (16 + (CLIENT_LAT_MAX_EXP - 3) * 8)	/**< HDR-style: 3 significant bits */
#define CLIENT_OPEN_BURST 32	/**< active opens per worker iteration at most */
#define CLIENT_OPEN_BURST_BEHIND 4	/**< --rate: ... when the receive burst came back full */
#define CLIENT_MAX_INFLIGHT 1024	/**< --rate 0: client connections open per worker at most */
#define CLIENT_TW_REUSE_US 1000000	/**< a TIME_WAIT port is reused after 1 s (with timestamps) */
#define CLIENT_ERROR_PAUSE_US 10000	/**< after a failed connection, no new opens for this long */
#define CLIENT_CLOSE_WAIT_MS 1000	/**< after "Connection: close", wait this long for the server's FIN */
#define CLIENT_PORT_TRIES 1024		/**< source ports tried per open at most */
#define CLIENT_PORT_MIN 1024		/**< client source ports are CLIENT_PORT_MIN..65535 */
#define CLIENT_AHEAD 4			/**< opens whose pairs are picked (and prefetched) early */
#define CLIENT_PORT_RANGE (65536 - CLIENT_PORT_MIN)

/** One worker's share of client mode. Written by the worker; `live` and the histogram are read
 * by the control core. */
struct client {
	bool on;
	bool resolved;			/**< the next hop's MAC is known */
	uint16_t cursor;		/**< last port step tried (0..CLIENT_PORT_RANGE-1) */
	uint16_t index;			/**< the worker's number */
	uint16_t nworkers;
	uint32_t src_lo;		/**< first source address, host order */
	uint32_t nsrc;			/**< source addresses (--source-ips, else 1: port 0's) */
	uint32_t src_idx;		/**< the address of the last pair tried */
	uint8_t ahead_head;		/**< the next open's pair in @c ahead */
	uint8_t ahead_n;		/**< pairs picked ahead */
	struct tcp_tuple ahead[CLIENT_AHEAD];	/**< the next opens' free pairs, marked in
						     port_used, their flow buckets prefetched */
	uint16_t *port_off;		/**< per source address: a random offset into the port range,
					     so that its ports cannot be guessed (RFC 6056 §3.3.3) */
	uint64_t *port_used;		/**< a bit per (address, port): a record or TIME_WAIT may hold it
					     (clear: free without a flow-table lookup); NULL: always look up */
	uint32_t next_hop;		/**< network order */
	uint32_t server_ip;		/**< network order (IPv6: the tuple's stand-in, tcb.h) */
	bool v6;			/**< the server is IPv6 (--connect [ADDR6]:PORT) */
	uint8_t server6[16];		/**< its address */
	uint8_t next_hop6[16];		/**< whose MAC it needs: the server's, or --gateway6's */
	uint8_t src6[16];		/**< port 0's IPv6 address: the source */
	uint64_t ns_sent_us;		/**< the last neighbour solicitation for next_hop6 */
	uint16_t server_port;		/**< network order */
	struct rte_ether_addr mac;
	uint32_t target;		/**< connections to keep open (--concurrency share), 0: rate mode */
	volatile uint32_t live;		/**< client connections open now */
	uint64_t interval;		/**< --rate share: one open per interval, in 2^-16 us (0: as
					     fast as possible) */
	uint64_t next;			/**< when the next open is due, in 2^-16 us */
	uint64_t pause_until_us;	/**< no opens before this (after an error) */
	bool capped;			/**< the last tick opened as many as a tick may */
	uint8_t arrivals;		/**< enum client_arrivals */
	uint64_t ramp_us;		/**< --ramp, microseconds (0: none) */
	uint64_t start_us;		/**< when opening began (the ramp's origin) */
	uint64_t requests_per_conn;
	uint64_t echo_bytes;
	uint8_t kind;			/**< enum client_kind */
	uint8_t pipeline;		/**< http: requests sent at once (--pipeline) */
	uint8_t nreq;			/**< request variants (--mix; 1 without) */
	uint32_t wsum;			/**< their weights' sum */
	struct client_req {
		uint32_t wcum;		/**< weights of this and the earlier variants */
		uint16_t len, close_len;
		char req[192];		/**< the keep-alive GET */
		char close[224];	/**< the last GET on a connection (Connection: close) */
	} reqs[CLIENT_MIX_MAX];
	struct conn_table *tab;
	const struct steer *steer;
	struct tcpe_stats *st;
	uint64_t lat_hist[CLIENT_LAT_BUCKETS]; /**< request latency, microseconds, log-linear */
	/* --request hello: what the first connection that received anything was told, for the
	 * control core to print at the end (the worker never prints) */
	const void *greet_sock;		/**< that connection while it is open */
	uint8_t greet_len;
	char greeting[CLIENT_GREETING_MAX];
};

/**
 * Worker @p index's share of client mode among @p nworkers (--connect given), opening through
 * @p tab from source ports @p steer says this worker owns, from port 0 (@p ifa0: its addresses
 * and the worker's IPv6 key secret). Control core, before launch.
 * @return the client, or NULL with rte_errno set.
 */
struct client *client_create(const struct tcpe_config *cfg, unsigned int index,
			     unsigned int nworkers, int socket, struct conn_table *tab,
			     const struct steer *steer, const struct net_addr *ifa0);

/** Release what client_create() allocated (after the connection table is gone). */
void client_destroy(struct client *k);

/** The address whose MAC client mode needs (the server, or port 0's gateway), network order. */
static inline uint32_t
client_next_hop(const struct client *k)
{
	return k->next_hop;
}

/** True once the next hop's MAC is known. */
static inline bool
client_resolved(const struct client *k)
{
	return k->resolved;
}

/** True when client mode waits for the MAC of IPv6 next hop @p a (16 bytes). */
static inline bool
client_wants6(const struct client *k, const void *a)
{
	return k->v6 && !k->resolved && memcmp(a, k->next_hop6, 16) == 0;
}

/** The next hop is at @p mac: opens may start at @p now_us. */
void client_set_mac(struct client *k, const struct rte_ether_addr *mac, uint64_t now_us);

/** Start again as just created (unresolved, nothing open, histogram empty): the fuzzer between
 * inputs, after the connection table's reset has closed every client connection. */
void client_reset(struct client *k);

/**
 * Once per worker iteration: open connections as due. With @p tx_backlog (the port refused
 * frames that still wait) no connection is opened: its SYN would only push the frames of
 * connections already open out of a full queue. With @p rx_behind (this iteration's receive
 * burst came back full: the ring holds more of the connections already open) a --rate schedule
 * opens CLIENT_OPEN_BURST_BEHIND at most, so that receiving catches up. @return true if any
 * opened.
 */
bool client_tick(struct client *k, uint64_t now_us, bool tx_backlog, bool rx_behind);

/** The last client_tick() opened as many connections as one tick may: more may be due now, so
 * the worker should come back at once (no --rx-coalesce-us hold). */
static inline bool
client_capped(const struct client *k)
{
	return k->capped;
}

/** Histogram bucket of a latency in microseconds (relative error at most 1/8). */
unsigned int client_lat_bucket(uint64_t us);

/** The lower bound of bucket @p b, in microseconds. */
uint64_t client_lat_value(unsigned int b);

#endif
