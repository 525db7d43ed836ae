/* sndq.h - a connection's send queue: application bytes in a list of mbufs, until acknowledged. */
#ifndef TCPE_SNDQ_H
#define TCPE_SNDQ_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "bodysum.h"

/**
 * Bytes [0, bytes) of the queue are the unacknowledged and unsent stream; byte 0 has sequence
 * number seq (the connection's SND.UNA once its SYN is acknowledged). Segments are linked
 * through mbuf->next; each holds data_len bytes.
 */
struct sndq {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint32_t bytes;
	uint32_t seq;		/**< TCP sequence number of byte 0 */
	uint32_t nsegs;		/**< mbufs in the list (what the queue costs its pool) */
};

/** Sequence number @p s as an offset into @p q (the caller checked it is inside). */
static inline uint32_t
sndq_off(const struct sndq *q, uint32_t s)
{
	return s - q->seq;
}

/** Bodies up to this size are copied into the queue rather than referenced (one mbuf less). */
#define SNDQ_COPY_BODY_MAX 512

/**
 * Append @p len bytes, filling the tail mbuf first, then at most @p max_segs new mbufs from
 * @p mp. @return bytes appended: less than @p len when that was not enough or @p mp ran out.
 */
uint32_t sndq_append(struct sndq *q, struct rte_mempool *mp, const void *data, uint32_t len,
		     uint32_t max_segs);

/**
 * Append @p len bytes of the long-lived buffer @p base (DMA-able at IO address @p iova, e.g.
 * from rte_malloc, never freed while the process runs) by reference: mbufs from @p mp are attached to it as external
 * buffers sharing @p shinfo, so nothing is copied. Each mbuf covers at most @p chunk bytes
 * (<= 65535) starting at @p base: byte i of what is queued is base[i % chunk]. At most
 * @p max_segs mbufs are taken.
 * @return bytes appended: less than @p len when @p max_segs was not enough or @p mp ran out.
 */
uint32_t sndq_append_ref(struct sndq *q, struct rte_mempool *mp, void *base, rte_iova_t iova,
			 uint16_t chunk, struct rte_mbuf_ext_shared_info *shinfo, uint32_t len,
			 uint32_t max_segs);

/**
 * Build a chain of indirect mbufs from @p mp that covers @p len bytes at @p off in the queue,
 * sharing the queue's buffers (zero copy: for transmitting large segments).
 * @return the chain head (nb_segs and pkt_len set), or NULL when @p mp ran out.
 */
struct rte_mbuf *sndq_ref_range(const struct sndq *q, struct rte_mempool *mp, uint32_t off,
				uint32_t len);

/** sndq_ref_range() from byte @p off of queue mbuf @p src on (a position sndq_seek() found),
 * without walking the queue from its head. */
struct rte_mbuf *sndq_ref_from(struct rte_mbuf *src, uint32_t off, struct rte_mempool *mp,
			       uint32_t len);

/** Copy @p len bytes starting @p off bytes into the queue to @p dst (the range must exist). */
void sndq_copy(const struct sndq *q, uint32_t off, void *dst, uint32_t len);

/** sndq_copy() from byte @p off of queue mbuf @p m on. */
void sndq_copy_from(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len);

/**
 * The mbuf of @p q holding byte @p off, walked from @p from (an mbuf of @p q that starts at byte
 * @p from_off <= @p off; NULL: the head), and in *in where @p off lies in it; *start: where the
 * mbuf starts. @return the mbuf, or NULL when @p off is past the end.
 */
struct rte_mbuf *sndq_seek(const struct sndq *q, uint32_t off, struct rte_mbuf *from,
			   uint32_t from_off, uint32_t *in, uint32_t *start);

/** Release the first @p n bytes (acknowledged data); seq moves on by @p n. */
void sndq_trim(struct sndq *q, uint32_t n);

/** Release everything. */
void sndq_free(struct sndq *q);

/**
 * Ones'-complement sum (folded, not inverted) of the @p len queued bytes from offset @p off, as
 * if they started at an even offset of a packet; pieces that lie in the body template @p bs
 * (may be NULL) are summed from its precomputed sums, without reading them.
 */
uint16_t sndq_sum(const struct sndq *q, uint32_t off, uint32_t len, const struct body_sums *bs);

#endif
