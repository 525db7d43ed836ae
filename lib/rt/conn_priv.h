/* conn_priv.h - what conn.c, conn_io.c and conn_app.c share inside the connection table; not its API. */
#ifndef TCPE_CONN_PRIV_H
#define TCPE_CONN_PRIV_H

#include "conn.h"

/** The record of a core TCB. */
static inline struct conn *
conn_of(struct tcb *t)
{
	return container_of(t, struct conn, tcb);
}

static inline struct tcpe_sock *
sock_of(struct conn *c)
{
	return (struct tcpe_sock *)c;
}

/** True once the core has closed the record (it is about to be released). */
static inline bool
conn_gone(const struct conn *c)
{
	return c->tcb.state == TCP_CLOSED;
}

/** Allocate @p f with room for @p entries (rounded up to a power of two, 64 at least) on
 * @p socket. @return 0 or -ENOMEM. */
int conn_fifo_init(struct conn_fifo *f, uint64_t entries, int socket);

/** True when @p f lists nothing. */
static inline bool
conn_fifo_empty(const struct conn_fifo *f)
{
	return f->head == f->tail;
}

/** List record @p idx. False when stale entries have filled the list (a record waits for its
 * own timer then). */
static inline bool
conn_fifo_push(struct conn_fifo *f, uint32_t idx)
{
	if (f->tail - f->head > f->mask)
		return false;
	f->q[f->tail++ & f->mask] = idx;
	return true;
}

/** The oldest listed record index (@p f not empty). */
static inline uint32_t
conn_fifo_pop(struct conn_fifo *f)
{
	return f->q[f->head++ & f->mask];
}

/** Count @p reason and free @p m: the one way the table discards a packet. */
static inline void
conn_drop(struct conn_table *tab, struct rte_mbuf *m, unsigned int reason)
{
	tab->st->drop[reason]++;
	rte_pktmbuf_free(m);
}

/** conn_flush() for a queue that holds something. */
void conn_flush_queued(struct conn_table *tab);

/** Build every segment the core has queued (tcp_outq) and hand the frames to the tx hook. */
static inline void
conn_flush(struct conn_table *tab)
{
	if (tab->outq.n != 0)
		conn_flush_queued(tab);
}

/** Turn received frame @p m into stateless reply @p o (RST, cookie SYN-ACK, TIME_WAIT ACK) on
 * port @p port and send it. */
void conn_reply(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, const struct tcp_out *o);

/** Write the IN trace record of segment @p s on traced record @p c. */
void conn_trace_in(struct conn_table *tab, const struct conn *c, const struct tcp_seg *s);

/** The application that runs @p c. */
static inline const struct tcpe_app *
conn_app(const struct conn *c)
{
	return c->tab->apps[c->app];
}

/* --- conn_app.c: events to the application, budgets, held input, orphans --- */

/**
 * Hand the core's verdict on a segment (@p rx; its payload at @p payload in @p m) to the
 * application: ACKed bytes leave the send queue, then accept, data, the peer's FIN, in the order
 * a socket program would see them. @p from_ooo: @p m comes from the out-of-order store (its
 * data can no longer be refused). @return true when the application left bytes that are now
 * kept in @p m (the caller must not free it).
 */
bool conn_deliver(struct conn_table *tab, struct conn *c, struct rte_mbuf *m,
		  const uint8_t *payload, const struct tcp_rx *rx, bool from_ooo);

/** What @p c can take now (tcb.rcv_wnd): the receive window less what its application holds. */
void conn_set_rcv_window(struct conn_table *tab, struct conn *c);

/** Wake up to @p max records that wait for the worker's send budget, if it has room; each woken
 * one is in @p woken (the caller sends what it queued). @return how many. */
uint32_t conn_wake(struct conn_table *tab, struct conn **woken, uint32_t max);

/** Offer @p c's held input to its application, popped from the ready list (at least its first
 * piece when @p now). @return false when the entry was stale (nothing was done). */
bool conn_resume_ready(struct conn_table *tab, struct conn *c, bool now);

/** True when the applications' time slice of this iteration is used up. */
bool conn_slice_over(const struct conn_table *tab);

/** Drop what @p c holds for its application. */
void conn_rcvq_purge(struct conn_table *tab, struct conn *c);

/** Release @p n acknowledged bytes of @p c's send queue, keeping the worker's count. An emptied
 * queue keeps its record: the caller gives it back (conn_q_settle()). */
void conn_sndq_trim(struct conn_table *tab, struct conn *c, uint32_t n);

/** Release @p c's whole send queue, keeping the worker's count. */
void conn_sndq_free(struct conn_table *tab, struct conn *c);

/** @p c's queues, taken from the worker's pool if it has none (an empty send queue starting at
 * SND.END, the next byte queued). @return NULL (counted) when the pool is empty. */
struct conn_q *conn_q_get(struct conn_table *tab, struct conn *c);

/** Give @p c's queues back to the pool if both are empty. */
void conn_q_settle(struct conn_table *tab, struct conn *c);

/** True when @p c holds input its application has not taken. */
static inline bool
conn_has_input(const struct conn *c)
{
	const struct conn_q *q = conn_q_of(c);

	return q != NULL && q->rcvq != NULL;
}

/** Close @p c's sending side (the application's close, or its idle timeout): the FIN follows
 * the queued data, and the record is an orphan from now on. */
void conn_close(struct conn_table *tab, struct conn *c);

/** Take @p c off the orphan list (when it is released). */
void conn_orphan_remove(struct conn_table *tab, struct conn *c);

/** The orphan closed longest ago, or NULL. */
struct conn *conn_oldest_orphan(struct conn_table *tab);

/* --- conn.c --- */

/** Release @p c (see conn.c); @p unkey false leaves its flow-table key to a TIME_WAIT entry. */
void conn_free(struct conn_table *tab, struct conn *c, bool reset, bool unkey);

/** The TIME_WAIT table's key hook: the flow table follows entries that leave or move. */
void conn_tw_key(void *arg, struct tcp_tw *tw, bool add);
/** tcp_tw_table.key_prefetch: the flow-table buckets of @p tw's tuple on their way. */
void conn_tw_key_prefetch(void *arg, const struct tcp_tw *tw);

#endif
