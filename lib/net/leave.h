/* leave.h - the frame two tcpe processes exchange before one of them closes a shared link (net_memif unmaps its rings under a peer that still polls them). */
#ifndef TCPE_LEAVE_H
#define TCPE_LEAVE_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define LEAVE_ETHERTYPE 0x88B5	/**< IEEE 802 local experimental ethertype 1 */
#define LEAVE_MAGIC "tcpe-lv"	/**< 7 bytes after the Ethernet header, then the type byte */
#define LEAVE_LEN (RTE_ETHER_HDR_LEN + 8)

/** What a leave frame says. */
enum leave_type {
	LEAVE_REQ = 1,	/**< "I am about to close this link: stop polling it and answer" */
	LEAVE_ACK = 2,	/**< "none of my threads polls it any more" */
};

/**
 * A broadcast leave frame of @p type from @p src, in a new mbuf from @p mp.
 * @return the frame, or NULL when the pool is empty.
 */
struct rte_mbuf *leave_frame(struct rte_mempool *mp, const struct rte_ether_addr *src,
			     uint8_t type);

#endif
