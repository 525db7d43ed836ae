/* leave.c - building the leave-handshake frame (parse.c recognises it). */
#include "leave.h"

#include <string.h>

#include <rte_byteorder.h>

struct rte_mbuf *
leave_frame(struct rte_mempool *mp, const struct rte_ether_addr *src, uint8_t type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	eth = (struct rte_ether_hdr *)p;
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = RTE_BE16(LEAVE_ETHERTYPE);
	p = (uint8_t *)(eth + 1);
	memcpy(p, LEAVE_MAGIC, 7);
	p[7] = type;
	return m;
}
