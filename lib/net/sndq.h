/* sndq.h - a connection's send queue: application bytes in a list of mbufs, until acknowledged. */
#ifndef TCPE_SNDQ_H
#define TCPE_SNDQ_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/**
 * Bytes [0, bytes) of the queue are the unacknowledged and unsent stream starting at the
 * connection's SND.UNA. Segments are linked through mbuf->next; each holds data_len bytes.
 */
struct sndq {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint32_t bytes;
};

/**
 * Append @p len bytes, filling the tail mbuf first, then new mbufs from @p mp.
 * @return bytes appended: less than @p len only when @p mp ran out.
 */
uint32_t sndq_append(struct sndq *q, struct rte_mempool *mp, const void *data, uint32_t len);

/** Copy @p len bytes starting @p off bytes into the queue to @p dst (the range must exist). */
void sndq_copy(const struct sndq *q, uint32_t off, void *dst, uint32_t len);

/** Release the first @p n bytes (acknowledged data). */
void sndq_trim(struct sndq *q, uint32_t n);

/** Release everything. */
void sndq_free(struct sndq *q);

#endif
