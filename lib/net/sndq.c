/* sndq.c - mbuf-backed send queues: append, copy out for (re)transmission, trim on ACK. */
#include "sndq.h"

#include <string.h>

#include "build.h"


static inline void
link_tail(struct sndq *q, struct rte_mbuf *m)
{
	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->nsegs++;
}

uint32_t
sndq_append(struct sndq *q, struct rte_mempool *mp, const void *data, uint32_t len,
	    uint32_t max_segs)
{
	const uint8_t *src = data;
	uint32_t done = 0, segs = 0;

	while (done < len) {
		struct rte_mbuf *t = q->tail;
		uint32_t room = t != NULL ? rte_pktmbuf_tailroom(t) : 0;
		uint32_t n;

		/* never write into a node that shares someone else's buffer */
		if (t != NULL && !RTE_MBUF_DIRECT(t))
			room = 0;
		if (room == 0) {
			if (segs == max_segs || (t = rte_pktmbuf_alloc(mp)) == NULL)
				break;
			segs++;
			/* payload only: no headroom is needed in queue segments */
			t->data_off = 0;
			link_tail(q, t);
			room = rte_pktmbuf_tailroom(t);
		}
		n = len - done < room ? len - done : room;
		memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len), src + done, n);
		t->data_len = (uint16_t)(t->data_len + n);
		done += n;
	}
	q->bytes += done;
	return done;
}

uint32_t
sndq_append_ref(struct sndq *q, struct rte_mempool *mp, void *base, rte_iova_t iova,
		uint16_t chunk, struct rte_mbuf_ext_shared_info *shinfo, uint32_t len,
		uint32_t max_segs)
{
	uint32_t done = 0;

	for (uint32_t segs = 0; done < len && segs < max_segs; segs++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint16_t n = (uint16_t)(len - done < chunk ? len - done : chunk);

		if (m == NULL)
			break;
		rte_mbuf_ext_refcnt_update(shinfo, 1);
		rte_pktmbuf_attach_extbuf(m, base, iova, chunk, shinfo);
		m->data_len = n;
		link_tail(q, m);
		done += n;
	}
	q->bytes += done;
	return done;
}

struct rte_mbuf *
sndq_seek(const struct sndq *q, uint32_t off, struct rte_mbuf *from, uint32_t from_off,
	  uint32_t *in, uint32_t *start)
{
	struct rte_mbuf *m = from != NULL ? from : q->head;
	uint32_t at = from != NULL ? from_off : 0;

	while (m != NULL && off - at >= m->data_len) {
		at += m->data_len;
		m = m->next;
	}
	*in = off - at;
	*start = at;
	return m;
}

struct rte_mbuf *
sndq_ref_range(const struct sndq *q, struct rte_mempool *mp, uint32_t off, uint32_t len)
{
	uint32_t in, start;
	struct rte_mbuf *src = sndq_seek(q, off, NULL, 0, &in, &start);

	return sndq_ref_from(src, in, mp, len);
}

struct rte_mbuf *
sndq_ref_from(struct rte_mbuf *src, uint32_t off, struct rte_mempool *mp, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t total = len;
	uint16_t nseg = 0;

	while (len > 0 && src != NULL) {
		struct rte_mbuf *mi = rte_pktmbuf_alloc(mp);
		uint32_t n = src->data_len - off;

		if (mi == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (n > len)
			n = len;
		rte_pktmbuf_attach(mi, src);	/* shares src's buffer (direct or external) */
		mi->data_off = (uint16_t)(src->data_off + off);
		mi->data_len = (uint16_t)n;
		mi->next = NULL;
		if (tail != NULL)
			tail->next = mi;
		else
			head = mi;
		tail = mi;
		nseg++;
		len -= n;
		off = 0;
		src = src->next;
	}
	if (head != NULL) {
		head->nb_segs = nseg;
		head->pkt_len = total - len;
	}
	return head;
}

void
sndq_copy(const struct sndq *q, uint32_t off, void *dst, uint32_t len)
{
	uint32_t in, start;
	const struct rte_mbuf *m = sndq_seek(q, off, NULL, 0, &in, &start);

	sndq_copy_from(m, in, dst, len);
}

void
sndq_copy_from(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *out = dst;

	while (len > 0 && m != NULL) {
		uint32_t n = m->data_len - off;

		if (n > len)
			n = len;
		memcpy(out, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		out += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

void
sndq_trim(struct sndq *q, uint32_t n)
{
	if (n > q->bytes)
		n = q->bytes;
	q->bytes -= n;
	q->seq += n;
	while (n > 0 && q->head != NULL) {
		struct rte_mbuf *h = q->head;

		if (n < h->data_len) {
			h->data_off = (uint16_t)(h->data_off + n);
			h->data_len = (uint16_t)(h->data_len - n);
			return;
		}
		n -= h->data_len;
		q->head = h->next;
		h->next = NULL;
		rte_pktmbuf_free_seg(h);
		q->nsegs--;
	}
	if (q->head == NULL)
		q->tail = NULL;
}

void
sndq_free(struct sndq *q)
{
	while (q->head != NULL) {
		struct rte_mbuf *h = q->head;

		q->head = h->next;
		h->next = NULL;
		rte_pktmbuf_free_seg(h);
	}
	q->tail = NULL;
	q->bytes = 0;
	q->nsegs = 0;
}

uint16_t
sndq_sum(const struct sndq *q, uint32_t off, uint32_t len, const struct body_sums *bs)
{
	return build_cksum_chain(q->head, off, len, bs);	/* the queue is an mbuf chain */
}
