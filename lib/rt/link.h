/* link.h - when workers may poll a port: net_memif's rings exist only while its peer is connected, so such ports are gated on the link, and two tcpe peers agree before either closes it. */
#ifndef TCPE_LINK_H
#define TCPE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "stats.h"

#define LINK_WORKERS_MAX 64

/*
 * Why: net_memif (22.11 to 25.11) maps the peer's shared regions when the peer connects and
 * unmaps them from EAL's interrupt thread when it disconnects, with nothing that stops a worker
 * that is polling the rings at that moment; on a contended CPU a worker preempted inside
 * rx_burst resumes on unmapped memory. Nor may our own close run while the interrupt thread
 * handles the peer's disconnect. So: workers poll a gated port only while the control core has
 * seen its link up; a peer that is about to close asks first (LEAVE_REQ), and is answered
 * (LEAVE_ACK) once every worker has stopped polling; and our own close runs in the interrupt
 * thread itself, serialised with the PMD's handlers.
 */

/** Link states the control core tracks for a gated port. */
enum link_state { LINK_DOWN, LINK_UP, LINK_PAUSING, LINK_ACKED };

/** One port's gate. */
struct port_link {
	/* --- read by workers --- */
	volatile uint8_t open;		/**< workers poll the port only while set */
	bool gated;			/**< the port needs it (net_memif); others are always open */
	/* --- written by the worker that received LEAVE_REQ, read by the control core --- */
	volatile uint8_t peer_leaving;
	/* --- control core only --- */
	uint8_t state;			/**< enum link_state */
	uint16_t port_id;
	uint16_t nqueues;
	struct rte_ether_addr mac;	/**< ours */
	uint64_t loops0[LINK_WORKERS_MAX];	/**< workers' loop counters when polling stopped */
	uint64_t acks_sent, reqs_sent;
	bool stop_only;			/**< link_close() stopped it but left it open (memif server) */
};

/** Set up @p l for port @p port_id (driver @p driver, @p nqueues queue pairs, our @p mac). */
void link_init(struct port_link *l, uint16_t port_id, const char *driver, uint16_t nqueues,
	       const struct rte_ether_addr *mac);

/** Whether a worker may poll the port now (cheap: a flag, and the link for gated ports). */
static inline bool
link_pollable(const struct port_link *l)
{
	struct rte_eth_link lk;

	if (!l->gated)
		return true;
	/* The flag is the control core's word; the link read narrows the window in which the
	 * interrupt thread tears the rings down before the control core has noticed. */
	return l->open && rte_eth_link_get_nowait(l->port_id, &lk) == 0 && lk.link_status;
}

/** A worker received LEAVE_REQ on the port: the control core stops polling and answers. */
static inline void
link_peer_leaving(struct port_link *l)
{
	l->peer_leaving = 1;
}

/**
 * The control core's periodic step (every few ms): open a gated port once its link is up,
 * close it when a peer asks to leave and answer once every worker's loop counter (@p st[i]->loops)
 * has moved on twice, follow the link down and up again. @p mp supplies the answer's mbuf.
 */
void link_poll(struct port_link *l, struct tcpe_stats *const *st, unsigned int nworkers,
	       struct rte_mempool *mp);

/**
 * Before closing a gated port, with every worker stopped: ask the peer to stop polling and wait
 * (up to a second) for its answer, or answer a peer that is leaving too (the higher MAC answers,
 * the lower waits for the answer). Frames that arrive meanwhile are freed. Control core only.
 */
void link_leave(struct port_link *l, struct rte_mempool *mp);

/**
 * Stop and close the port. A gated port is closed from EAL's interrupt thread (an alarm), so
 * that no disconnect handled there runs at the same time; a net_memif server is only stopped
 * (link.c says why) and stays open until the process exits. Control core only.
 * @return true when the port is closed, false when it was left open (the caller then must not
 *         run rte_eal_cleanup(), which would unmap memory the interrupt thread may still use).
 */
bool link_close(struct port_link *l);

#endif
