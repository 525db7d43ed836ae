/* nd.h - ICMPv6 answers built in place from the request: neighbour advertisements for our address (RFC 4861) and echo replies (RFC 4443). */
#ifndef TCPE_ND_H
#define TCPE_ND_H

#include <stdbool.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "build.h"
#include "parse.h"

/**
 * Turn neighbour solicitation @p m (PKT_ND_NS: its target is ours) into the solicited
 * advertisement in place (RFC 4861 §7.2.4): to the solicitation's source, Solicited and
 * Override set, with our MAC as the target link-layer address option.
 * @return false (m untouched) when the mbuf has no room for the answer.
 */
bool nd_advert_in_place(struct rte_mbuf *m, const struct pkt_info *pi, const struct tx_props *tx);

/** Turn ICMPv6 echo request @p m (PKT_ICMP6_ECHO) into its reply in place. */
void icmp6_echo_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi,
			       const struct tx_props *tx);

/**
 * A neighbour solicitation for @p target from @p ifa's IPv6 address to the target's
 * solicited-node group (RFC 4861 §7.2.2), with our MAC as the source link-layer address option.
 * @return the frame from @p mp, or NULL when the pool is empty.
 */
struct rte_mbuf *nd_solicit(struct rte_mempool *mp, const struct net_addr *ifa,
			    const uint8_t target[16]);

/**
 * The MAC @p pi (PKT_ND_NA) advertises for @p target: its target link-layer address option, or
 * the frame's source without one. @return false when it advertises another address.
 */
bool nd_advert_mac(const struct pkt_info *pi, const uint8_t target[16],
		   struct rte_ether_addr *mac);

/**
 * An unsolicited advertisement of @p ifa's IPv6 address to all nodes (ff02::1), Override set
 * (RFC 4861 §7.2.6): neighbours that knew another MAC for it learn ours. From @p mp.
 * @return the frame, or NULL when the pool is empty.
 */
struct rte_mbuf *nd_announce(struct rte_mempool *mp, const struct net_addr *ifa);

#endif
