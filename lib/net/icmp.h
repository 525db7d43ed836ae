/* icmp.h - ICMP echo replies (RFC 792), built in place from the request. */
#ifndef TCPE_ICMP_H
#define TCPE_ICMP_H

#include <rte_mbuf.h>

#include "build.h"
#include "parse.h"

/** Turn validated echo request @p m into its reply in place (any size up to the MTU), without
 * the request's IP options. */
void icmp_echo_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi,
			      const struct tx_props *tx);

#endif
