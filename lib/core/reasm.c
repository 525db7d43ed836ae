/* reasm.c - out-of-order segment queues: disjoint sorted insert with overlap trimming, in-order pop, SACK blocks. */
#include "reasm.h"

#include <string.h>

#include "seq.h"

/* The i-th held segment (0: the lowest). */
static inline struct reasm_seg *
at(struct reasm *r, unsigned int i)
{
	return &r->seg[r->head + i];
}

static inline const struct reasm_seg *
cat(const struct reasm *r, unsigned int i)
{
	return &r->seg[r->head + i];
}

static inline uint32_t
seg_end(const struct reasm_seg *s)
{
	return s->seq + s->len;
}

/* Take out the i-th segment: the first by a step of head, others by moving what follows. */
static void
remove_at(struct reasm *r, unsigned int i)
{
	if (i == 0)
		r->head++;
	else
		memmove(at(r, i), at(r, i + 1), (r->n - i - 1) * sizeof(r->seg[0]));
	if (--r->n == 0)
		r->head = 0;
}

/* Room for a segment at index i: the queue is moved to the start of the array first when its
 * end has reached the array's. */
static struct reasm_seg *
open_at(struct reasm *r, unsigned int i)
{
	if (r->head + r->n == REASM_SEGS) {
		memmove(&r->seg[0], at(r, 0), r->n * sizeof(r->seg[0]));
		r->head = 0;
	}
	memmove(at(r, i + 1), at(r, i), (r->n - i) * sizeof(r->seg[0]));
	r->n++;
	return at(r, i);
}

/* Remember that a segment starting at @p seq was just held (newest first, no repeats). */
static void
note_recent(struct reasm *r, uint32_t seq)
{
	unsigned int k = 0, n = r->nrecent;

	while (k < n && r->recent[k] != seq)
		k++;
	if (k == n && n < REASM_RECENT)
		r->nrecent = (uint8_t)++n;
	if (k == REASM_RECENT)
		k--;
	memmove(&r->recent[1], &r->recent[0], k * sizeof(r->recent[0]));
	r->recent[0] = seq;
}

enum reasm_result
reasm_add(struct reasm *r, uint32_t seq, uint32_t len, uint32_t off, void *pkt,
	  void (*release)(void *pkt), unsigned int *released)
{
	uint32_t end = seq + len;
	unsigned int i = 0, j;
	struct reasm_seg *s;

	/* The first held segment that reaches beyond our start: most arrivals go at the top, so
	 * look from there down. */
	i = r->n;
	while (i > 0 && seq_gt(seg_end(at(r, i - 1)), seq))
		i--;
	if (i < r->n && seq_le(at(r, i)->seq, seq)) {
		uint32_t have = seg_end(at(r, i));

		if (seq_ge(have, end))
			return REASM_DUP;
		off += have - seq;	/* keep only what lies beyond the left neighbour */
		seq = have;
		i++;
	}
	/* Held segments we cover entirely give way to us (unless there is no room for us). */
	j = i;
	while (j < r->n && seq_le(seg_end(at(r, j)), end))
		j++;
	if (r->n - (j - i) == REASM_SEGS)
		return REASM_FULL;
	while (j-- > i) {
		release(at(r, i)->pkt);
		(*released)++;
		remove_at(r, i);
	}
	if (i < r->n && seq_lt(at(r, i)->seq, end))
		end = at(r, i)->seq;	/* the right neighbour keeps its bytes */
	if (end == seq)
		return REASM_DUP;	/* between two adjacent neighbours: nothing new (and nothing
					   was covered, or the bytes it held would be new) */
	s = open_at(r, i);
	*s = (struct reasm_seg){ .seq = seq, .len = (uint16_t)(end - seq), .off = (uint16_t)off,
				 .pkt = pkt };
	note_recent(r, seq);
	return REASM_HELD;
}

bool
reasm_pop(struct reasm *r, uint32_t rcv_nxt, struct reasm_seg *out, void (*release)(void *pkt),
	  unsigned int *released)
{
	while (r->n > 0 && seq_le(at(r, 0)->seq, rcv_nxt)) {
		struct reasm_seg s = *at(r, 0);

		remove_at(r, 0);
		if (seq_le(seg_end(&s), rcv_nxt)) {
			release(s.pkt);	/* the in-order data covered all of it */
			(*released)++;
			continue;
		}
		s.off = (uint16_t)(s.off + (rcv_nxt - s.seq));
		s.len = (uint16_t)(s.len - (rcv_nxt - s.seq));
		s.seq = rcv_nxt;
		*out = s;
		return true;
	}
	return false;
}

/* The index of the held segment starting at @p seq, or -1 (delivered, or trimmed since). */
static int
find(const struct reasm *r, uint32_t seq)
{
	unsigned int lo = 0, hi = r->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (seq_lt(cat(r, mid)->seq, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && cat(r, lo)->seq == seq ? (int)lo : -1;
}

/* The block of adjacent segments around index i: [*lo, *hi) in indexes. */
static void
block_of(const struct reasm *r, unsigned int i, unsigned int *lo, unsigned int *hi)
{
	unsigned int a = i, b = i + 1;

	while (a > 0 && seg_end(cat(r, a - 1)) == cat(r, a)->seq)
		a--;
	while (b < r->n && seg_end(cat(r, b - 1)) == cat(r, b)->seq)
		b++;
	*lo = a;
	*hi = b;
}

/* Add the block [lo, hi) unless it is among the @p nb written (their first indexes in @p los). */
static unsigned int
put_block(const struct reasm *r, struct tcp_opts *o, unsigned int *los, unsigned int nb,
	  unsigned int lo, unsigned int hi)
{
	for (unsigned int k = 0; k < nb; k++)
		if (los[k] == lo)
			return nb;
	los[nb] = lo;
	o->sack[nb].left = cat(r, lo)->seq;
	o->sack[nb].right = seg_end(cat(r, hi - 1));
	return nb + 1;
}

unsigned int
reasm_sack(const struct reasm *r, struct tcp_opts *o, unsigned int max)
{
	unsigned int nb = 0, lo, hi, los[TCP_SACK_MAX_BLOCKS];

	if (max > TCP_SACK_MAX_BLOCKS)
		max = TCP_SACK_MAX_BLOCKS;
	for (unsigned int k = 0; k < r->nrecent && nb < max; k++) {
		int i = find(r, r->recent[k]);

		if (i >= 0) {
			block_of(r, (unsigned int)i, &lo, &hi);
			nb = put_block(r, o, los, nb, lo, hi);
		}
	}
	for (unsigned int i = 0; i < r->n && nb < max; i = hi) {
		block_of(r, i, &lo, &hi);
		nb = put_block(r, o, los, nb, lo, hi);
	}
	return nb;
}

unsigned int
reasm_purge(struct reasm *r, void (*release)(void *pkt))
{
	unsigned int n = r->n;

	for (unsigned int i = 0; i < n; i++)
		release(at(r, i)->pkt);
	r->n = 0;
	r->head = 0;
	r->nrecent = 0;
	r->fin = 0;
	return n;
}

unsigned int
reasm_trim_end(struct reasm *r, uint32_t end, void (*release)(void *pkt))
{
	unsigned int freed = 0;

	while (r->n > 0 && seq_ge(at(r, r->n - 1)->seq, end)) {
		release(at(r, r->n - 1)->pkt);
		remove_at(r, r->n - 1);
		freed++;
	}
	if (r->n > 0 && seq_gt(seg_end(at(r, r->n - 1)), end))
		at(r, r->n - 1)->len = (uint16_t)(end - at(r, r->n - 1)->seq);
	return freed;
}
