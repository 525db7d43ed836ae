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

/** Count @p reason and free @p m: the one way the table discards a packet. */
static inline void
conn_drop(struct conn_table *tab, struct rte_mbuf *m, unsigned int reason)
{
	tab->st->drop[reason]++;
	rte_pktmbuf_free(m);
}

/** Build every segment the core has queued (tcp_outq) and hand the frames to the tx hook. */
void conn_flush(struct conn_table *tab);

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

#endif
