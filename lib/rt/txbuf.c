/* txbuf.c - per-queue transmit buffers: burst flushes, refused frames kept for the next one, drops counted. */
#include "txbuf.h"

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>

void
txbuf_flush(struct txbuf *b, struct tcpe_stats *st)
{
	uint16_t n = b->n, sent;
	uint64_t bytes = 0;

	if (n == 0)
		return;
	st->tx_flushes++;
	st->tx_flush_pkts += n;
	sent = rte_eth_tx_burst(b->port_id, b->queue, b->m, n);
	/* lengths were noted at enqueue: the PMD may have freed what it took already */
	for (uint16_t i = 0; i < sent; i++)
		bytes += b->len[i];
	st->tx_pkts += sent;
	st->tx_bytes += bytes;
	/* What the queue refused waits for the next flush (a full ring drains in microseconds);
	 * only a frame that finds the buffer still full is dropped, in txbuf_add(). */
	if (sent < n) {
		/* counted once each: the first ndefer were refused before */
		uint16_t before = b->ndefer > sent ? (uint16_t)(b->ndefer - sent) : 0;

		st->tx_deferred += (uint16_t)(n - sent) - before;
		memmove(b->m, b->m + sent, (size_t)(n - sent) * sizeof(b->m[0]));
		memmove(b->len, b->len + sent, (size_t)(n - sent) * sizeof(b->len[0]));
	}
	b->n = (uint16_t)(n - sent);
	b->ndefer = b->n;
}

/* Tag @p m with the port's VLAN: by the device, or here (4 bytes of headroom; l2_len follows).
 * False: it could not be (dropped, counted). */
static bool
vlan_tag(const struct txbuf *b, struct tcpe_stats *st, struct rte_mbuf *m)
{
	m->vlan_tci = b->vlan;
	if (b->vlan_offload) {
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		return true;
	}
	if (rte_vlan_insert(&m) == 0)
		return true;
	st->drop[TCPE_DROP_VLAN_INSERT]++;
	rte_pktmbuf_free(m);
	return false;
}

void
txbuf_add(struct txbuf *b, struct tcpe_stats *st, struct rte_mbuf *m)
{
	if (unlikely(b->vlan != 0) && !vlan_tag(b, st, m))
		return;
	if (b->n == TXBUF_SIZE) {
		txbuf_flush(b, st);
		if (b->n == TXBUF_SIZE) {
			st->drop[TCPE_DROP_TX_FULL]++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	b->len[b->n] = (uint16_t)rte_pktmbuf_pkt_len(m);
	b->m[b->n++] = m;
	if (b->n == TXBUF_SIZE)
		txbuf_flush(b, st);
}

void
txbuf_discard(struct txbuf *b, struct tcpe_stats *st)
{
	for (uint16_t i = 0; i < b->n; i++) {
		st->drop[TCPE_DROP_NOT_SENT_DOWN]++;
		rte_pktmbuf_free(b->m[i]);
	}
	b->n = b->ndefer = 0;
}
