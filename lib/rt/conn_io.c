/* conn_io.c - the connection table's frames out: segments the core decided, built from records and send queues; stateless replies; trace records. */
#include "conn.h"

#include <string.h>

#include "conn_priv.h"
#include "trace.h"

static void
count_out(struct conn_table *tab, const struct tcp_out *o)
{
	struct tcpe_stats *st = tab->st;

	st->tcp_tx++;
	if (o->flags & TCP_RST)
		st->rst_tx++;
	else if ((o->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		st->synack_tx++;
	else if (o->flags & TCP_SYN)
		st->syn_tx++;
	else if (o->flags & TCP_FIN)
		st->fin_tx++;
	else if (o->len == 0)
		st->ack_tx++;
}

/* --- tracing ---------------------------------------------------------------------------- */

static void
trace_seg(struct conn_table *tab, const struct conn *c, uint8_t dir, uint8_t flags, uint32_t seq,
	  uint32_t ack, uint32_t len)
{
	const struct tcb *t = &c->tcb;
	struct trace_rec r = {
		.t_us = tab->tcp.now, .conn = tab->trace_ids[c - tab->conns], .len = len,
		.dir = dir, .flags = flags,
		.state = t->state, .worker = (uint8_t)tab->index, .lcore = tab->lcore,
		.raddr = t->tuple.raddr, .laddr = t->tuple.laddr,
		.rport = t->tuple.rport, .lport = t->tuple.lport,
	};

	if (tab->trace_ring == NULL)
		return;
	if (tuple_is_ip6(&t->tuple)) {
		r.ip6 = 1;
		memcpy(r.raddr6, tab->raddr6[c - tab->conns], 16);
		memcpy(r.laddr6, tab->tx[c->port].ip6, 16);
	}
	r.seq = seq - (dir == TRACE_IN ? t->irs : t->iss);
	r.ack = ack - (dir == TRACE_IN ? t->iss : t->irs);
	if (rte_ring_sp_enqueue_elem(tab->trace_ring, &r, sizeof(r)) != 0)
		tab->st->trace_lost++;
}

void
conn_trace_in(struct conn_table *tab, const struct conn *c, const struct tcp_seg *s)
{
	trace_seg(tab, c, TRACE_IN, s->flags, s->seq, s->ack, s->len);
}

/* --- segments decided by the core -------------------------------------------------------- */

/*
 * The mbuf of @p q's send queue that holds byte @p off, and in *in where in it. A segment mostly
 * follows the record's last one: the search starts where that one was found (the queue's
 * cursor), when that mbuf is still queued and not after @p off - an mbuf whose first byte is at
 * or after SND.UNA has not been trimmed; a queue taken from the pool starts with no cursor. Bulk
 * over memif spent 56 % of the sender's samples walking queues of ~130 mbufs from their heads,
 * once for the data and once for its checksum (README, "Benchmarks").
 */
static struct rte_mbuf *
sndq_pos(struct conn_q *q, uint32_t off, uint32_t *in)
{
	uint32_t from_off = 0, start;
	struct rte_mbuf *from = NULL, *m;

	if (q->cur_m != NULL && q->cur_seq - q->sndq.seq < q->sndq.bytes &&
	    q->cur_seq - q->sndq.seq <= off) {
		from = q->cur_m;
		from_off = q->cur_seq - q->sndq.seq;
	}
	m = sndq_seek(&q->sndq, off, from, from_off, in, &start);
	if (m != NULL) {
		q->cur_seq = q->sndq.seq + start;
		q->cur_m = m;
	}
	return m;
}

/* The payload of @p o from the record's send queue: by reference for large segments when the
 * port sends chains, copied otherwise. Returns false (counted) when it cannot be had. */
static bool
attach_payload(struct conn_table *tab, struct conn *c, struct rte_mbuf *m,
	       const struct tcp_out *o, const struct tx_props *tx, int32_t *psum)
{
	struct conn_q *q = conn_q_of(c);
	uint32_t off = q != NULL ? sndq_off(&q->sndq, o->seq) : 0, in;
	struct rte_mbuf *at;

	/* The core only ever names bytes the application queued and the peer has not acked. */
	if (q == NULL || off > q->sndq.bytes || q->sndq.bytes - off < o->len ||
	    (at = sndq_pos(q, off, &in)) == NULL) {
		tab->st->drop[TCPE_DROP_TX_OUTSIDE_SNDQ]++;
		return false;
	}
	if (o->len >= BUILD_ZEROCOPY_MIN && tx->multiseg) {
		struct rte_mbuf *data = sndq_ref_from(at, in, tab->mp, o->len);

		if (data == NULL || rte_pktmbuf_chain(m, data) != 0) {
			rte_pktmbuf_free(data);
			tab->st->drop[TCPE_DROP_NO_MBUF]++;
			return false;
		}
		tab->st->tx_zerocopy++;
	} else {
		uint8_t *dst = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)o->len);

		if (dst == NULL) {
			tab->st->drop[TCPE_DROP_NO_MBUF]++;
			return false;
		}
		sndq_copy_from(at, in, dst, o->len);
	}
	/* Software checksums: the payload's sum from the queue, where body template bytes cost
	 * nothing to sum (lib/net/bodysum.h); the device's otherwise. */
	if (!tx->cksum_offload || m->nb_segs > 1)
		*psum = build_cksum_chain(at, in, o->len, &tab->body_sums);
	return true;
}

/* One decided segment as a frame on the record's port. */
static void
send_decided(struct conn_table *tab, struct conn *c, const struct tcp_out *o)
{
	const struct tx_props *tx = &tab->tx[c->port];
	struct rte_mbuf *m = rte_pktmbuf_alloc(tab->mp);
	int32_t psum = -1;

	if (m == NULL) {
		tab->st->drop[TCPE_DROP_NO_MBUF]++;	/* TCP recovers by retransmission */
		return;
	}
	if (o->len > 0 && !attach_payload(tab, c, m, o, tx, &psum)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(tuple_is_ip6(&c->tcb.tuple))) {
		if (build_tcp6_psum(m, tx, &c->peer_mac, tab->raddr6[c - tab->conns], &c->tcb.tuple,
				    o, psum) != 0) {
			conn_drop(tab, m, TCPE_DROP_NO_MBUF);
			return;
		}
		tab->st->ip6_tx++;
	} else if (build_tcp_psum(m, tx, &c->peer_mac, &c->tcb.tuple, o, psum) != 0) {
		conn_drop(tab, m, TCPE_DROP_NO_MBUF);
		return;
	}
	count_out(tab, o);
	if (c->traced)
		trace_seg(tab, c, TRACE_OUT, o->flags, o->seq, o->ack, o->len);
	tab->hooks.tx(tab->hooks.arg, c->port, m);
}

void
conn_flush_queued(struct conn_table *tab)
{
	struct tcp_outq *q = &tab->outq;

	for (uint32_t i = 0; i < q->n; i++)
		send_decided(tab, conn_of(q->d[i].t), &q->d[i].o);
	q->n = 0;
}

void
conn_reply(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, const struct tcp_out *o)
{
	build_tcp_reply_in_place(m, &tab->tx[port], o);
	count_out(tab, o);
	if (unlikely(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type ==
		     RTE_BE16(RTE_ETHER_TYPE_IPV6)))
		tab->st->ip6_tx++;
	tab->hooks.tx(tab->hooks.arg, port, m);
}
