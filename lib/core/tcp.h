/* tcp.h - the TCP protocol core's entry points: segment input, output, timers and user calls (RFC 9293 §3.10). */
#ifndef TCPE_TCP_H
#define TCPE_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "tcb.h"

/** An inbound segment, parsed and validated by the packet layer; host byte order. */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;		/**< payload bytes */
	uint16_t wnd;
	uint8_t flags;		/**< TCP_* bits */
	uint32_t pkt_off;	/**< where the payload starts in pkt (for out-of-order holding) */
	void *pkt;		/**< the runtime's packet; the core may hold it (TCP_EV_HELD) */
	struct tcp_opts opts;
};

/** An outbound segment as decided by the core; the runtime turns it into a packet. */
struct tcp_out {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;		/**< payload bytes taken from the send queue at seq */
	uint16_t wnd;
	uint8_t flags;
	uint8_t optlen;
	uint8_t opt[TCP_OPT_MAX_LEN];
};

/**
 * Segments the core decided to send, in order, for the runtime to turn into packets after the
 * call that produced them returns (headers from the record's tuple, o.len payload bytes at o.seq
 * from its send queue). Nothing is sent from inside the core: every entry point appends here.
 * The runtime drains the queue after each call; a call appends at most TCP_OUTQ_CALL_MAX
 * descriptors beyond what tcp_output() may add, which stops while fewer than that are free.
 */
#define TCP_OUTQ_MAX 64
#define TCP_OUTQ_CALL_MAX 4	/**< descriptors one input, timer or close may add at most */

/** One segment to send: @p t is the record (its tuple, send queue and port). */
struct tcp_txd {
	struct tcb *t;
	struct tcp_out o;
};

/** A worker's output queue (tcp_ctx.outq). */
struct tcp_outq {
	uint32_t n;			/**< descriptors waiting */
	struct tcp_txd d[TCP_OUTQ_MAX];
};

/** Free descriptor slots of @p c's output queue. */
static inline uint32_t
tcp_outq_room(const struct tcp_ctx *c)
{
	return TCP_OUTQ_MAX - c->outq->n;
}

/** What tcp_input() tells the runtime (events to hand to the application). */
enum {
	TCP_EV_ESTABLISHED = 1u << 0, /**< handshake completed: the application accepts */
	TCP_EV_DATA = 1u << 1,	      /**< data_len in-order bytes at payload offset data_off */
	TCP_EV_ACKED = 1u << 2,	      /**< acked bytes of the send queue may be released */
	TCP_EV_PEER_FIN = 1u << 3,    /**< the peer will send no more */
	TCP_EV_RESET = 1u << 4,	      /**< the connection was reset: the application is told */
	TCP_EV_FREE = 1u << 5,	      /**< state is CLOSED: release the record */
	TCP_EV_IDLE = 1u << 6,	      /**< the idle timer expired (nothing in flight for idle_us) */
	TCP_EV_HELD = 1u << 7,	      /**< the core holds seg->pkt (out of order): do not free it */
};

/** Records owing a delayed ACK, in the order they began to owe it (a fixed-timeout FIFO). */
struct tcp_dack {
	struct tcp_dack_ent {
		struct tcb *t;
		uint64_t due;	/**< microseconds */
	} *q;
	uint32_t mask;		/**< capacity - 1 (a power of two) */
	uint32_t head, tail;	/**< free-running indexes */
};

/** Result of processing one segment or timer on a record. */
struct tcp_rx {
	uint32_t events;	/**< TCP_EV_* */
	uint32_t data_off;	/**< first payload byte to deliver (after trimming old bytes) */
	uint32_t data_len;	/**< bytes to deliver */
	uint32_t acked;		/**< application bytes newly acknowledged */
	uint16_t drop;		/**< enum tcpe_drop if the segment was discarded, else TCPE_DROP__COUNT */
};

/**
 * Initialise a fresh record for a SYN that arrived on a listening port (RFC 9293 §3.10.7.2) and
 * queue the SYN-ACK. The caller has checked that @p seg is a SYN without ACK/RST and has
 * allocated @p t and keyed it in its flow table under @p tuple.
 */
void tcp_passive_open(struct tcp_ctx *c, struct tcb *t, const struct tcp_tuple *tuple,
		      const struct tcp_seg *seg);

/**
 * Active open (RFC 9293 §3.10.1): initialise @p t for @p tuple (chosen by the caller, keyed in
 * its flow table), queue the SYN with our options, enter SYN_SENT. The SYN-ACK completes it
 * (TCP_EV_ESTABLISHED); the RTO resends the SYN up to synack_retries times.
 */
void tcp_active_open(struct tcp_ctx *c, struct tcb *t, const struct tcp_tuple *tuple);

/**
 * Answer a SYN without creating state (RFC 4987 §3.6), when the SYN backlog or the record pool is
 * full: fill @p o with a SYN-ACK whose sequence number encodes the MSS, window scale, SACK and
 * timestamp choices under a keyed MAC.
 */
void tcp_syncookie_synack(const struct tcp_ctx *c, const struct tcp_tuple *tuple,
			  const struct tcp_seg *syn, struct tcp_out *o);

/**
 * True when @p ack (matching no record) completes a cookie handshake of the last ~1-2 minutes;
 * @p agreed then holds the options the SYN-ACK agreed to. No state is touched.
 */
bool tcp_syncookie_check(const struct tcp_ctx *c, const struct tcp_tuple *tuple,
			 const struct tcp_seg *ack, struct tcp_opts *agreed);

/** Set up @p t ESTABLISHED from a validated cookie ACK; the caller then feeds it @p ack. */
void tcp_syncookie_open(struct tcp_ctx *c, struct tcb *t, const struct tcp_tuple *tuple,
			const struct tcp_seg *ack, const struct tcp_opts *agreed);

/**
 * Process one segment for an existing record, in RFC 9293 §3.10.7.4 step order.
 * Queues what the segment calls for at once (challenge ACKs, RSTs, a fast retransmission); ACKs
 * owed for data are left pending for tcp_output(). Fills @p rx.
 */
void tcp_input(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *seg, struct tcp_rx *rx);

/**
 * Build the reply to a segment that matches no record (RFC 9293 §3.10.7.1): a RST, or nothing
 * when the segment itself is a RST.
 * @return true when @p o holds a RST to send.
 */
bool tcp_reply_closed(const struct tcp_seg *seg, struct tcp_out *o);

/**
 * Queue what the record allows: new data within the peer's window, the FIN, a pending ACK.
 * @return true when it stopped because the output queue is nearly full: drain it and call again.
 */
bool tcp_output(struct tcp_ctx *c, struct tcb *t);

/**
 * The runtime could keep only part of the in-order data the last tcp_input() accepted: its last
 * @p len bytes, and the FIN that came after them when @p fin, are taken back as if refused for a
 * full receive buffer (RCV.NXT moves back; the peer resends them). Nothing has been ACKed for
 * them yet: ACKs go out with tcp_output(), after the runtime has delivered. A FIN can be taken
 * back from CLOSE-WAIT and CLOSING (the state it left returns); @return false, changing
 * nothing, from any other state.
 */
bool tcp_rcv_refuse(struct tcp_ctx *c, struct tcb *t, uint32_t len, bool fin);

/**
 * ICMP "fragmentation needed" (RFC 1191) quoting our segment at @p seq with next-hop MTU @p mtu:
 * lower the MSS and resend what is in flight. Checked first (RFC 5927): the quoted sequence
 * number must be in flight. @return false when the message is not believable (nothing changes).
 */
bool tcp_pmtu_toobig(struct tcp_ctx *c, struct tcb *t, uint32_t seq, uint16_t mtu);

/** The application queued @p len more bytes; they go out with the next tcp_output(). */
void tcp_send_queued(struct tcb *t, uint32_t len);

/** The application closes its sending side (RFC 9293 §3.10.4): the FIN follows the data. */
void tcp_close(struct tcp_ctx *c, struct tcb *t);

/**
 * Arm an idle timer: when ESTABLISHED with nothing in flight or queued for @p ms milliseconds
 * (up to 49 days), tcp_timer() reports TCP_EV_IDLE (0 turns it off). Any segment from the peer
 * restarts it.
 */
void tcp_set_idle(struct tcp_ctx *c, struct tcb *t, uint32_t ms);

/** Abort (RFC 9293 §3.10.5): queue a RST, go to CLOSED. The caller frees the record. */
void tcp_abort(struct tcp_ctx *c, struct tcb *t);

/**
 * Handle a timer that fired for @p t (RTO, TIME_WAIT or FIN_WAIT_2 expiry).
 * Fills @p rx; TCP_EV_FREE says the record must be released.
 */
void tcp_timer(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx);

/**
 * Take the next held out-of-order segment that the receive point has reached, after
 * tcp_input() delivered its own data. Fills @p rx (TCP_EV_DATA with data_off/data_len relative
 * to the start of *pkt's data, maybe TCP_EV_PEER_FIN) and @p pkt, which the caller then owns.
 * @return false when nothing more is in order.
 */
bool tcp_reasm_next(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx, void **pkt);

/**
 * Give up out-of-order queues whose hole has not moved for @p max_age_us (oldest first, at most
 * @p max): their packets are released and the peer resends them. @return queues given up.
 */
unsigned int tcp_reasm_expire(struct tcp_ctx *c, uint64_t max_age_us, unsigned int max);

/** Release every packet @p t holds out of order (before releasing the record). */
void tcp_reasm_purge(struct tcp_ctx *c, struct tcb *t);

/**
 * Give the core @p n out-of-order queues in @p blocks (a per-worker pool); the context's
 * pkt_free hook releases held packets.
 */
void tcp_reasm_pool_init(struct tcp_ctx *c, struct reasm *blocks, uint32_t n);

/** Give the worker @p n SACK scoreboards at @p sbs (sack.h) for connections in loss recovery. */
void tcp_sb_pool_init(struct tcp_ctx *c, struct scoreboard *sbs, uint32_t n);

/** Return @p t's SACK scoreboard, if any, to the worker (the record is being released). */
void tcp_sb_put(struct tcp_ctx *c, struct tcb *t);

/** Give the worker @p n CUBIC states at @p pool (--cc cubic), taken by connections at their
 * first reduction of the window. */
void tcp_cubic_pool_init(struct tcp_ctx *c, struct tcp_cubic *pool, uint32_t n);

/** @p t's CUBIC state, taken from the pool if it has none yet; NULL (counted the first time)
 * when none is left: the connection responds as NewReno does. */
struct tcp_cubic *tcp_cubic_of(struct tcp_ctx *c, struct tcb *t);

/** Return @p t's CUBIC state, if any, to the worker (the record is being released). */
void tcp_cubic_put(struct tcp_ctx *c, struct tcb *t);

/** Set up the delayed-ACK FIFO over @p ents (a power of two @p n entries). */
void tcp_dack_init(struct tcp_ctx *c, struct tcp_dack *d, struct tcp_dack_ent *ents, uint32_t n);

/**
 * Queue the delayed ACKs that are due (once per worker iteration, after setting now).
 * @return true when it stopped because the output queue is nearly full: drain it and call again.
 */
bool tcp_dack_run(struct tcp_ctx *c);

/** Our timestamp clock for @p t (RFC 7323 §5.4): ~1 ms ticks from a per-address-pair offset. */
static inline uint32_t
tcp_ts_now(const struct tcp_ctx *c, const struct tcb *t)
{
	return t->ts_off + (uint32_t)(c->now >> 10);
}

/**
 * The timestamp offset for a connection of @p tuple: a keyed hash of the two addresses only, so
 * that every incarnation of a 4-tuple (and every port of the pair) sees one monotonic clock.
 */
uint32_t tcp_ts_offset(const struct tcp_ctx *c, const struct tcp_tuple *tuple);

/** Cancel any timer of @p t (before releasing it). */
void tcp_timer_stop(struct tcp_ctx *c, struct tcb *t);

/**
 * True when SYN @p s may replace TIME_WAIT record @p t: the caller then releases @p t and
 * handles @p s as a new passive open.
 */
bool tcp_time_wait_reopen(const struct tcb *t, const struct tcp_seg *s);

/** Move @p t to @p state, keeping the per-state counters in step. */
void tcp_set_state(struct tcp_ctx *c, struct tcb *t, unsigned int state);

/** Window we would advertise now (never moving the right edge left, RFC 9293 §3.8.6.2.2). */
uint32_t tcp_adv_window(const struct tcb *t);

/** True when the state can carry application data towards us (ESTABLISHED, FIN_WAIT_1/2). */
static inline bool
tcp_can_receive(const struct tcb *t)
{
	return t->state == TCP_ESTABLISHED || t->state == TCP_FIN_WAIT_1 ||
	       t->state == TCP_FIN_WAIT_2;
}

/** True when the application may still queue data (ESTABLISHED, CLOSE_WAIT, before close). */
static inline bool
tcp_can_send(const struct tcb *t)
{
	return (t->state == TCP_ESTABLISHED || t->state == TCP_CLOSE_WAIT) &&
	       !(t->flags & TCB_FIN_QUEUED);
}

#endif
