/* tw.h - compact TIME-WAIT entries: what 2*MSL needs of a closed connection, in 40 bytes instead of a record. */
#ifndef TCPE_TW_H
#define TCPE_TW_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp.h"

/** Bits of tcp_tw.flags. */
enum {
	TW_LIVE = 1u << 0,	/**< in use (dead entries wait in the ring until they reach its head) */
	TW_TS = 1u << 1,	/**< timestamps were agreed: ACKs carry them, SYNs are judged by them */
	TW_ACKED = 1u << 2,	/**< ack_tick holds when the entry last sent an ACK */
};

/** One connection in TIME-WAIT (RFC 9293 §3.10.7.4): enough to re-ACK, judge SYNs and expire. */
#define TW_ACK_TICK_SHIFT 19	/**< 2^19 us (~0.5 s, Linux's tcp_invalid_ratelimit): the
				     ACK rate limit of one TIME_WAIT entry */

struct tcp_tw {
	struct tcp_tuple tuple;
	uint32_t snd_nxt;	/**< after our FIN */
	uint32_t rcv_nxt;	/**< after the peer's FIN */
	uint32_t ts_off;	/**< our timestamp clock's offset */
	uint32_t ts_recent;
	uint16_t wnd;		/**< window field for our ACKs */
	uint8_t flags;		/**< TW_* */
	uint8_t ack_tick;	/**< when this entry last sent an ACK, in TW_ACK_TICK_SHIFT units
				     (mod 256): one ACK per tick at most */
	uint64_t expire_us;
};
_Static_assert(sizeof(struct tcp_tw) == 40, "a TIME-WAIT entry is 40 bytes");

/**
 * All of a worker's entries, in a ring in the order they entered TIME-WAIT: with one fixed
 * 2*MSL that is also expiry order, so there are no timers or links per entry.
 */
struct tcp_tw_table {
	struct tcp_tw *e;
	uint32_t mask;		/**< capacity - 1 (a power of two) */
	uint32_t head, tail;	/**< free-running */
	/** Called when a live entry leaves (expired, evicted, reopened) or moves: the flow table
	 * forgets @p tw's tuple (@p add false) or points it at @p tw (@p add true). */
	void (*key)(void *arg, struct tcp_tw *tw, bool add);
	/** Called for the live entry that leaves next when the ring is full, two evictions
	 * ahead of it: the flow table starts fetching its tuple's buckets (NULL: nothing). */
	void (*key_prefetch)(void *arg, const struct tcp_tw *tw);
	void *key_arg;
};

/** What a segment to a TIME-WAIT entry calls for. */
enum tcp_tw_action {
	TW_DROP,	/**< nothing; *drop says why */
	TW_ACK,		/**< send @p o (the ACK that restates our state), then drop the segment */
	TW_REOPEN,	/**< the entry is gone: handle the segment as a new SYN */
};

/** Set up @p tb over @p mem, @p n entries (a power of two). */
void tcp_tw_init(struct tcp_tw_table *tb, struct tcp_tw *mem, uint32_t n);

/**
 * Record @p t, which just entered TIME_WAIT, as a compact entry expiring 2*MSL from now; the
 * caller then releases the record and keys the tuple to the entry. When the table is full the
 * oldest entry leaves early (counted as tw_evicted). Counts the entry in state_now[TIME_WAIT].
 */
struct tcp_tw *tcp_tw_add(struct tcp_ctx *c, struct tcp_tw_table *tb, const struct tcb *t);

/**
 * A segment for entry @p tw (RFC 9293 §3.10.7.4 in TIME-WAIT, RFC 6191 for SYNs, RFC 1337 for
 * RSTs). A retransmitted FIN is re-ACKed and restarts the 2*MSL wait (the entry moves to the
 * tail of the ring; the key hook is told).
 */
enum tcp_tw_action tcp_tw_input(struct tcp_ctx *c, struct tcp_tw_table *tb, struct tcp_tw *tw,
				 const struct tcp_seg *s, struct tcp_out *o, uint16_t *drop);

/**
 * Client mode's port reuse (Linux's tcp_tw_reuse): end @p tw early when timestamps were in use and
 * it is over @p min_age_us old, so the 4-tuple can open again (the new SYN's timestamp is newer,
 * which is what the peer's RFC 6191 check needs). @return true when it was ended.
 */
bool tcp_tw_reuse(struct tcp_ctx *c, struct tcp_tw_table *tb, struct tcp_tw *tw, uint64_t min_age_us);

/** Release entries whose 2*MSL is over (at most @p max); @return how many left. */
unsigned int tcp_tw_expire(struct tcp_ctx *c, struct tcp_tw_table *tb, unsigned int max);

#endif
