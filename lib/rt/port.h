/* port.h - bring a DPDK port up with one queue pair per worker, symmetric RSS and checksum offloads. */
#ifndef TCPE_PORT_H
#define TCPE_PORT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

/** What the device gave us, for the workers and the start-up report. */
struct port_info {
	struct rte_ether_addr mac;
	bool rss;		/**< RSS over IPv4/TCP with the symmetric key is on */
	uint16_t reta_size;	/**< with rss: RETA entries, programmed entry k -> queue k % nq */
	bool rx_cksum;		/**< RX checksum flags are reported */
	bool tx_cksum;		/**< IPv4 and TCP checksums are offloaded on TX */
	bool tx_multiseg;	/**< chained mbufs can be sent */
	uint16_t vlan;		/**< in: the port's VLAN (0: none), for the offloads below */
	uint16_t nb_rxd;	/**< in: RX descriptors per queue (0: PORT_DESC_DEFAULT); out: taken */
	uint16_t nb_txd;	/**< in: TX descriptors per queue (0: PORT_DESC_DEFAULT); out: taken */
	bool rx_vlan_strip;	/**< with vlan: the device strips tags (RX_VLAN_STRIPPED) */
	bool tx_vlan;		/**< with vlan: the device inserts the tag (TX_VLAN) */
	int socket;
	char driver[32];
	bool started;		/**< false: a stop came before the port could start */
};

#define PORT_DESC_DEFAULT 1024	/**< descriptors per queue when none are asked for (--rx-desc) */
#define PORT_STOP_GRACE_MS 500	/**< a memif client that cannot start waits this long for a stop */

/**
 * Configure and start @p port_id with @p nq RX and TX queues, RX buffers from @p mp. A memif
 * client port that cannot start while *@p stop is raised (or is within PORT_STOP_GRACE_MS;
 * @p stop may be NULL) is left stopped (info->started false), which is no error.
 * Control core only, before workers launch.
 * @return 0, or -errno (message logged).
 */
int port_setup(uint16_t port_id, uint16_t nq, struct rte_mempool *mp, struct port_info *info,
	       const volatile sig_atomic_t *stop);

/**
 * The descriptor counts @p port_id will get for *@p nrx and *@p ntx asked for: rounded into the
 * driver's limits and alignment, as port_setup() will. Control core, before port_setup(), so that
 * the memory plan counts what the rings will really hold.
 * @return 0, or -errno.
 */
int port_desc(uint16_t port_id, uint16_t *nrx, uint16_t *ntx);

/** One port's extended statistics, names resolved: free with port_xstats_free(). */
struct port_xstats {
	int n;
	struct rte_eth_xstat_name *names;	/**< indexed by the value's id */
	struct rte_eth_xstat *vals;
};

/**
 * Read @p port_id's xstats (imissed, ierrors, per-queue counts...). Control core or telemetry
 * thread. @return 0, or -errno (x is empty then).
 */
int port_xstats_get(uint16_t port_id, struct port_xstats *x);

/** Release what port_xstats_get() allocated. */
void port_xstats_free(struct port_xstats *x);

/** Stop and close @p port_id. */
void port_teardown(uint16_t port_id);

#endif
