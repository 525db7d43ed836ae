/* sndq.c - mbuf-backed send queues: append, copy out for (re)transmission, trim on ACK. */
#include "sndq.h"

#include <string.h>

uint32_t
sndq_append(struct sndq *q, struct rte_mempool *mp, const void *data, uint32_t len)
{
	const uint8_t *src = data;
	uint32_t done = 0;

	while (done < len) {
		struct rte_mbuf *t = q->tail;
		uint32_t room = t != NULL ? rte_pktmbuf_tailroom(t) : 0;
		uint32_t n;

		if (room == 0) {
			t = rte_pktmbuf_alloc(mp);
			if (t == NULL)
				break;
			/* payload only: no headroom is needed in queue segments */
			t->data_off = 0;
			if (q->tail != NULL)
				q->tail->next = t;
			else
				q->head = t;
			q->tail = t;
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

void
sndq_copy(const struct sndq *q, uint32_t off, void *dst, uint32_t len)
{
	const struct rte_mbuf *m = q->head;
	uint8_t *out = dst;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
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
}
