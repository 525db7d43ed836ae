/* reasm.c - out-of-order segment queues: disjoint sorted insert with overlap trimming, in-order pop, SACK blocks. */
#include "reasm.h"

#include <string.h>

#include "seq.h"

static inline uint32_t
seg_end(const struct reasm_seg *s)
{
	return s->seq + s->len;
}

static void
remove_at(struct reasm *r, unsigned int i)
{
	memmove(&r->seg[i], &r->seg[i + 1], (r->n - i - 1) * sizeof(r->seg[0]));
	r->n--;
	if (r->last > i)
		r->last--;
	else if (r->last == i)
		r->last = 0;
}

enum reasm_result
reasm_add(struct reasm *r, uint32_t seq, uint32_t len, uint32_t off, void *pkt,
	  void (*release)(void *pkt), unsigned int *released)
{
	uint32_t end = seq + len;
	unsigned int i = 0, j;

	/* The first held segment that reaches beyond our start. */
	while (i < r->n && seq_le(seg_end(&r->seg[i]), seq))
		i++;
	if (i < r->n && seq_le(r->seg[i].seq, seq)) {
		uint32_t have = seg_end(&r->seg[i]);

		if (seq_ge(have, end))
			return REASM_DUP;
		off += have - seq;	/* keep only what lies beyond the left neighbour */
		seq = have;
		i++;
	}
	/* Held segments we cover entirely give way to us (unless there is no room for us). */
	j = i;
	while (j < r->n && seq_le(seg_end(&r->seg[j]), end))
		j++;
	if (r->n - (j - i) == REASM_SEGS)
		return REASM_FULL;
	while (j-- > i) {
		release(r->seg[i].pkt);
		(*released)++;
		remove_at(r, i);
	}
	if (i < r->n && seq_lt(r->seg[i].seq, end))
		end = r->seg[i].seq;	/* the right neighbour keeps its bytes */
	if (end == seq)
		return REASM_DUP;	/* between two adjacent neighbours: nothing new (and nothing
					   was covered, or the bytes it held would be new) */
	memmove(&r->seg[i + 1], &r->seg[i], (r->n - i) * sizeof(r->seg[0]));
	r->seg[i] = (struct reasm_seg){ .seq = seq, .len = end - seq, .off = off, .pkt = pkt };
	r->n++;
	r->last = (uint8_t)i;
	return REASM_HELD;
}

bool
reasm_pop(struct reasm *r, uint32_t rcv_nxt, struct reasm_seg *out, void (*release)(void *pkt),
	  unsigned int *released)
{
	while (r->n > 0 && seq_le(r->seg[0].seq, rcv_nxt)) {
		struct reasm_seg s = r->seg[0];

		remove_at(r, 0);
		if (seq_le(seg_end(&s), rcv_nxt)) {
			release(s.pkt);	/* the in-order data covered all of it */
			(*released)++;
			continue;
		}
		s.off += rcv_nxt - s.seq;
		s.len -= rcv_nxt - s.seq;
		s.seq = rcv_nxt;
		*out = s;
		return true;
	}
	return false;
}

/* The block of adjacent segments around index i: [*lo, *hi) in indexes. */
static void
block_of(const struct reasm *r, unsigned int i, unsigned int *lo, unsigned int *hi)
{
	unsigned int a = i, b = i + 1;

	while (a > 0 && seg_end(&r->seg[a - 1]) == r->seg[a].seq)
		a--;
	while (b < r->n && seg_end(&r->seg[b - 1]) == r->seg[b].seq)
		b++;
	*lo = a;
	*hi = b;
}

unsigned int
reasm_sack(const struct reasm *r, struct tcp_opts *o, unsigned int max)
{
	unsigned int nb = 0, lo, hi, first_lo;

	if (r->n == 0 || max == 0)
		return 0;
	block_of(r, r->last, &lo, &hi);
	first_lo = lo;
	o->sack[nb].left = r->seg[lo].seq;
	o->sack[nb].right = seg_end(&r->seg[hi - 1]);
	nb++;
	for (unsigned int i = 0; i < r->n && nb < max; i = hi) {
		block_of(r, i, &lo, &hi);
		if (lo == first_lo)
			continue;
		o->sack[nb].left = r->seg[lo].seq;
		o->sack[nb].right = seg_end(&r->seg[hi - 1]);
		nb++;
	}
	return nb;
}

unsigned int
reasm_purge(struct reasm *r, void (*release)(void *pkt))
{
	unsigned int n = r->n;

	for (unsigned int i = 0; i < n; i++)
		release(r->seg[i].pkt);
	r->n = 0;
	r->last = 0;
	r->fin = 0;
	return n;
}

unsigned int
reasm_trim_end(struct reasm *r, uint32_t end, void (*release)(void *pkt))
{
	unsigned int freed = 0;

	while (r->n > 0 && seq_ge(r->seg[r->n - 1].seq, end)) {
		release(r->seg[r->n - 1].pkt);
		remove_at(r, r->n - 1);
		freed++;
	}
	if (r->n > 0 && seq_gt(seg_end(&r->seg[r->n - 1]), end))
		r->seg[r->n - 1].len = end - r->seg[r->n - 1].seq;
	return freed;
}
