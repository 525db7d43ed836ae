/* reasm.h - out-of-order segment queues (RFC 9293 §3.10.7.4 step 7), bounded per connection and per worker. */
#ifndef TCPE_REASM_H
#define TCPE_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "tcb.h"

#define REASM_SEGS 768	/**< out-of-order segments one connection may hold: a 1 MiB window of
			 *   full segments (a window's worth waits behind a hole for a round trip) */
#define REASM_RECENT 4	/**< segments remembered for the SACK blocks' order (RFC 2018 §4) */

/** One held segment: len bytes at seq, found at byte off of the runtime's packet pkt. */
struct reasm_seg {
	uint32_t seq;
	uint16_t len;
	uint16_t off;
	void *pkt;
};

/**
 * A connection's out-of-order queue: disjoint segments sorted by sequence number, in
 * seg[head .. head + n) (taking the first is a step of head, not a move of the others). Queues
 * come from a per-worker pool and are attached to a record only while it holds something.
 */
struct reasm {
	struct reasm *next_free;
	struct reasm *lru_prev;	/**< queues in use, the one that progressed longest ago first */
	struct reasm *lru_next;
	struct tcb *owner;	/**< the record holding it */
	uint64_t touched_us;	/**< taken, or last delivered from */
	uint32_t fin_seq;	/**< valid when fin: the peer's FIN follows the byte before it */
	uint32_t recent[REASM_RECENT];	/**< starts of the last segments held, newest first */
	uint16_t head;
	uint16_t n;
	uint8_t nrecent;
	uint8_t fin;
	struct reasm_seg seg[REASM_SEGS];
};

/** What reasm_add() did with a segment. */
enum reasm_result {
	REASM_HELD,	/**< stored (possibly trimmed); the queue owns the packet */
	REASM_DUP,	/**< every byte is held already; the caller keeps (frees) the packet */
	REASM_FULL,	/**< no room in this queue; the caller keeps the packet */
};

/**
 * Insert @p len bytes at @p seq (all beyond the receive point) into @p r, keeping the queue
 * disjoint: overlap with held neighbours is trimmed from the new segment, held segments it covers
 * entirely are released through @p release (called with each such packet).
 */
enum reasm_result reasm_add(struct reasm *r, uint32_t seq, uint32_t len, uint32_t off, void *pkt,
			    void (*release)(void *pkt), unsigned int *released);

/**
 * Take the first segment if it starts at or before @p rcv_nxt, trimmed to start there. Segments
 * wholly before @p rcv_nxt are released through @p release (counted in @p released).
 * @return true with @p out filled, false when the head is still beyond a hole.
 */
bool reasm_pop(struct reasm *r, uint32_t rcv_nxt, struct reasm_seg *out,
	       void (*release)(void *pkt), unsigned int *released);

/**
 * Write up to @p max SACK blocks (RFC 2018 §4): the block holding the most recent segment first,
 * then those of the segments held before it, newest first (so that each block is reported in
 * several ACKs: one lost, or reordered behind a newer one, does not hide it), then the others in
 * sequence order; adjacent segments merge into one block. @return blocks written.
 */
unsigned int reasm_sack(const struct reasm *r, struct tcp_opts *o, unsigned int max);

/** Release every held packet and empty @p r. @return packets released. */
unsigned int reasm_purge(struct reasm *r, void (*release)(void *pkt));

/** Forget what is held at or beyond @p end (the peer's FIN is there: nothing can follow it);
 * whole segments beyond are released. @return how many packets were released. */
unsigned int reasm_trim_end(struct reasm *r, uint32_t end, void (*release)(void *pkt));

/** @p t's out-of-order queue, or NULL when it holds none. */
static inline struct reasm *
tcb_rq(const struct tcp_ctx *c, const struct tcb *t)
{
	return t->rq != 0 ? &c->reasm_pool[t->rq - 1] : NULL;
}

#endif
