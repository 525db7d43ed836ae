/* stack.c - the per-worker TCP glue: flow records, passive opens, core input/output, app callbacks, packets out. */
#include "worker.h"

#include <string.h>

#include "apps.h"
#include "flow.h"
#include "seq.h"
#include "tcp.h"

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

/* Sequence number of the first byte in the send queue. */
static inline uint32_t
sndq_seq(const struct conn *c)
{
	return c->tcb.snd_una == c->tcb.iss ? c->tcb.iss + 1 : c->tcb.snd_una;
}

/* --- tracing ---------------------------------------------------------------------------- */

static void
trace_push(struct worker *w, struct trace_rec *r)
{
	if (rte_ring_sp_enqueue_elem(w->trace_ring, r, sizeof(*r)) != 0)
		w->st.trace_lost++;
}

static void
trace_seg(struct worker *w, const struct conn *c, uint8_t dir, uint8_t flags, uint32_t seq,
	  uint32_t ack, uint32_t len)
{
	const struct tcb *t = &c->tcb;
	struct trace_rec r = {
		.t_us = w->tcp.now, .conn = c->trace_id, .len = len, .dir = dir, .flags = flags,
		.state = t->state, .worker = (uint8_t)w->index, .lcore = w->lcore,
		.raddr = t->tuple.raddr, .laddr = t->tuple.laddr,
		.rport = t->tuple.rport, .lport = t->tuple.lport,
	};

	r.seq = seq - (dir == TRACE_IN ? t->irs : t->iss);
	r.ack = ack - (dir == TRACE_IN ? t->iss : t->irs);
	if (dir == TRACE_OUT && w->trace_hold && w->ntrace_pending < RTE_DIM(w->trace_pending)) {
		w->trace_pending[w->ntrace_pending++] = r;
		return;
	}
	trace_push(w, &r);
}

/* Write the IN record, then the replies it caused, so the trace reads in causal order. */
static void
trace_flush_in(struct worker *w, const struct conn *c, const struct tcp_seg *s)
{
	if (c->trace_id != 0)
		trace_seg(w, c, TRACE_IN, s->flags, s->seq, s->ack, s->len);
	for (unsigned int i = 0; i < w->ntrace_pending; i++)
		trace_push(w, &w->trace_pending[i]);
	w->ntrace_pending = 0;
	w->trace_hold = false;
}

/* --- records ---------------------------------------------------------------------------- */

static struct conn *
conn_alloc(struct worker *w)
{
	struct conn *c;

	if (w->nfree == 0)
		return NULL;
	c = &w->conns[w->free_idx[--w->nfree]];
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->in_use = 1;
	w->st.conn_active++;
	w->churn = true;
	return c;
}

/* Release @p c; @p unkey false leaves its flow-table key to whoever takes the tuple over. */
static void
conn_free(struct worker *w, struct conn *c, bool reset, bool unkey)
{
	const struct tcpe_app *app = apps_get(c->app);

	if (c->accepted && app->on_closed != NULL)
		app->on_closed(sock_of(c), reset || c->aborted);
	tcp_timer_stop(&w->tcp, &c->tcb);
	tcp_reasm_purge(&w->tcp, &c->tcb);
	tcp_set_state(&w->tcp, &c->tcb, TCP_CLOSED);
	sndq_free(&c->sndq);
	if (unkey)
		flow_del(w->flows, &c->tcb.tuple);
	c->in_use = 0;
	w->free_idx[w->nfree++] = (uint32_t)(c - w->conns);
	w->st.conn_closed++;
	w->st.conn_active--;
	w->churn = true;
}

static void
conn_release(struct worker *w, struct conn *c, bool reset)
{
	conn_free(w, c, reset, true);
}

/* TIME_WAIT needs 40 bytes, not a record: hand the tuple to a compact entry, free the record. */
static void
tw_convert(struct worker *w, struct conn *c)
{
	struct tcp_tw *tw = tcp_tw_add(&w->tcp, &w->tw, &c->tcb);

	conn_free(w, c, false, false);
	if (flow_add(w->flows, &tw->tuple, tw_ref(tw)) != 0)
		flow_del(w->flows, &tw->tuple);	/* cannot happen: the key existed */
}

void
stack_tw_key(void *arg, struct tcp_tw *tw, bool add)
{
	struct worker *w = arg;

	if (add)
		flow_add(w->flows, &tw->tuple, tw_ref(tw));
	else
		flow_del(w->flows, &tw->tuple);
	w->churn = true;
}

bool
stack_ref_valid(void *ref, const struct tcp_tuple *key)
{
	if (ref == NULL)
		return false;
	if (ref_is_tw(ref)) {
		const struct tcp_tw *tw = ref_tw(ref);

		return (tw->flags & TW_LIVE) && memcmp(&tw->tuple, key, sizeof(*key)) == 0;
	}
	return ((struct conn *)ref)->in_use &&
	       memcmp(&((struct conn *)ref)->tcb.tuple, key, sizeof(*key)) == 0;
}

void
stack_release_all(struct worker *w)
{
	for (uint32_t i = 0; i < w->nconns; i++)
		if (w->conns[i].in_use)
			conn_release(w, &w->conns[i], true);
}

/* --- output ----------------------------------------------------------------------------- */

static void
count_out(struct worker *w, const struct tcp_out *o)
{
	w->st.tcp_tx++;
	if (o->flags & TCP_RST)
		w->st.rst_tx++;
	else if ((o->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		w->st.synack_tx++;
	else if (o->flags & TCP_SYN)
		w->st.syn_tx++;
	else if (o->flags & TCP_FIN)
		w->st.fin_tx++;
	else if (o->len == 0)
		w->st.ack_tx++;
}

void
stack_emit(void *arg, struct tcb *t, const struct tcp_out *o)
{
	struct worker *w = arg;
	struct conn *c = conn_of(t);
	struct wport *p = &w->ports[c->port];
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->mp);

	if (m == NULL) {
		w->st.drop[TCPE_DROP_NO_MBUF]++;	/* TCP recovers by retransmission */
		return;
	}
	if (o->len >= BUILD_ZEROCOPY_MIN && p->tx.multiseg) {
		/* Large payloads leave by reference to the send queue's buffers. */
		struct rte_mbuf *data = sndq_ref_range(&c->sndq, w->mp, o->seq - sndq_seq(c), o->len);

		if (data == NULL || rte_pktmbuf_chain(m, data) != 0) {
			rte_pktmbuf_free(data);
			worker_drop(w, m, TCPE_DROP_NO_MBUF);
			return;
		}
		w->st.tx_zerocopy++;
	} else if (o->len > 0) {
		uint8_t *dst = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)o->len);

		sndq_copy(&c->sndq, o->seq - sndq_seq(c), dst, o->len);
	}
	if (build_tcp(m, &p->tx, &c->peer_mac, &t->tuple, o) != 0) {
		worker_drop(w, m, TCPE_DROP_NO_MBUF);
		return;
	}
	count_out(w, o);
	if (c->trace_id != 0)
		trace_seg(w, c, TRACE_OUT, o->flags, o->seq, o->ack, o->len);
	worker_tx(w, p, m);
}

/* Answer a segment that has no record with a RST built in its own mbuf, or drop it. */
static void
reply_closed(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi,
	     uint64_t *counter)
{
	struct tcp_out o;

	if (!tcp_reply_closed(&pi->seg, &o)) {
		worker_drop(w, m, TCPE_DROP_TCP_RST_NO_CONN);
		return;
	}
	(*counter)++;
	build_tcp_reply_in_place(m, &p->tx, &o);
	count_out(w, &o);
	worker_tx(w, p, m);
}

/* The window we offer shrinks as the send queue fills, so a peer that will not read
 * our replies (echo) is throttled instead of growing our memory. */
static inline void
set_rcv_window(struct worker *w, struct conn *c)
{
	uint64_t sb = w->cfg->sndbuf, used = c->sndq.bytes;
	uint32_t room = used >= sb ? 0 : (uint32_t)(sb - used);

	c->tcb.rcv_wnd = room < w->tcp_cfg.rcv_wnd ? room : w->tcp_cfg.rcv_wnd;
}

/* --- input ------------------------------------------------------------------------------ */

static void conn_input(struct worker *w, struct rte_mbuf *m, struct pkt_info *pi, struct conn *c,
		       uint32_t extra);

static inline bool
gone(const struct conn *c)
{
	return c->tcb.state == TCP_CLOSED;
}

void
stack_pkt_free(void *pkt)
{
	rte_pktmbuf_free(pkt);
}

/* Hand the core's events to the application, in the order a socket program would see them. */
static void
deliver(struct conn *c, const uint8_t *payload, const struct tcp_rx *rx)
{
	const struct tcpe_app *app = apps_get(c->app);
	struct tcpe_sock *s = sock_of(c);

	if (rx->events & TCP_EV_ACKED) {
		sndq_trim(&c->sndq, rx->acked);
		if (c->accepted && app->on_acked != NULL)
			app->on_acked(s, rx->acked);
	}
	if ((rx->events & TCP_EV_ESTABLISHED) && !gone(c)) {
		c->accepted = 1;
		if (app->on_accept != NULL)
			app->on_accept(s);
	}
	if ((rx->events & TCP_EV_DATA) && !gone(c) && app->on_data != NULL)
		app->on_data(s, payload + rx->data_off, rx->data_len);
	if ((rx->events & TCP_EV_PEER_FIN) && !gone(c) && app->on_peer_fin != NULL)
		app->on_peer_fin(s);
}

/* The invariant of software steering: a record is only ever created by its tuple's owner. */
static inline void
check_owner(struct worker *w, const struct tcp_tuple *key)
{
	if (w->steer && worker_owner(w, key) != w->index)
		w->st.steer_misowned++;
}

/* A record keyed by @p key, or NULL with @p why set (no record, or the flow table full). */
static struct conn *
conn_new(struct worker *w, const struct tcp_tuple *key, uint16_t *why)
{
	struct conn *c = conn_alloc(w);

	if (c == NULL) {
		*why = TCPE_DROP_TCP_POOL_FULL;
		return NULL;
	}
	c->tcb.tuple = *key;
	if (flow_add(w->flows, key, c) != 0) {
		c->in_use = 0;
		w->free_idx[w->nfree++] = (uint32_t)(c - w->conns);
		w->st.conn_active--;
		*why = TCPE_DROP_TCP_FLOW_FULL;
		return NULL;
	}
	check_owner(w, key);
	return c;
}

struct conn *
stack_conn_new(struct worker *w, const struct tcp_tuple *key)
{
	uint16_t why;

	return conn_new(w, key, &why);
}

static void
passive_open(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi,
	     unsigned int app)
{
	uint16_t why;
	struct conn *c = conn_new(w, &pi->key, &why);

	if (c == NULL) {
		worker_drop(w, m, why);
		return;
	}
	rte_ether_addr_copy(&pi->eth->src_addr, &c->peer_mac);
	c->port = (uint8_t)(p - w->ports);
	c->app = (uint8_t)app;
	if (w->traced < w->cfg->trace)
		c->trace_id = (uint32_t)++w->traced;
	w->trace_hold = true;
	tcp_passive_open(&w->tcp, &c->tcb, &pi->key, &pi->seg);
	trace_flush_in(w, c, &pi->seg);
	if (pi->seg.len > 0)
		w->st.drop[TCPE_DROP_TCP_SYN_DATA]++;	/* the peer resends it after the handshake */
	rte_pktmbuf_free(m);
}

/* Cookies went out within the last two cookie slots (~2 min): ACKs may be completing them. */
static inline bool
cookies_recent(const struct worker *w)
{
	return w->cookie_sent_us != 0 && w->tcp.now - w->cookie_sent_us < (2ULL << 26);
}

/* The SYN backlog or the record pool is full: answer with a SYN cookie, in the SYN's own mbuf. */
static void
syn_cookie_reply(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi)
{
	struct tcp_out o;

	if (!w->cfg->syncookies) {
		worker_drop(w, m, w->nfree == 0 ? TCPE_DROP_TCP_POOL_FULL : TCPE_DROP_TCP_SYN_BACKLOG);
		return;
	}
	tcp_syncookie_synack(&w->tcp, &pi->key, &pi->seg, &o);
	w->cookie_sent_us = w->tcp.now;
	build_tcp_reply_in_place(m, &p->tx, &o);
	count_out(w, &o);
	worker_tx(w, p, m);
}

/* An ACK that completes a cookie handshake becomes an ESTABLISHED record, then is processed. */
static bool
cookie_ack(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi,
	   unsigned int app)
{
	struct tcp_opts agreed;
	struct conn *c;
	uint16_t why;

	if (!cookies_recent(w))
		return false;
	if (!tcp_syncookie_check(&w->tcp, &pi->key, &pi->seg, &agreed)) {
		w->st.syncookies_bad++;
		return false;
	}
	c = conn_new(w, &pi->key, &why);
	if (c == NULL) {
		worker_drop(w, m, why);
		return true;
	}
	rte_ether_addr_copy(&pi->eth->src_addr, &c->peer_mac);
	c->port = (uint8_t)(p - w->ports);
	c->app = (uint8_t)app;
	tcp_syncookie_open(&w->tcp, &c->tcb, &pi->key, &pi->seg, &agreed);
	conn_input(w, m, pi, c, TCP_EV_ESTABLISHED);
	return true;
}

/* RFC 9293 §3.10.7.1-2: segments with no record go to a listener or get a RST. */
static void
no_record_input(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi)
{
	unsigned int app = w->listen_app[rte_be_to_cpu_16(pi->key.lport)];
	uint8_t f = pi->seg.flags;

	if (app == 0) {
		reply_closed(w, p, m, pi, &w->st.rst_closed_port);
		return;
	}
	if (f & TCP_RST) {
		worker_drop(w, m, TCPE_DROP_TCP_RST_NO_CONN);
		return;
	}
	if (f & TCP_ACK) {
		if (!(f & TCP_SYN) && cookie_ack(w, p, m, pi, app - 1))
			return;
		reply_closed(w, p, m, pi, &w->st.rst_no_conn);	/* <SEQ=SEG.ACK><CTL=RST> */
		return;
	}
	if (!(f & TCP_SYN)) {
		worker_drop(w, m, TCPE_DROP_TCP_LISTEN_OTHER);
		return;
	}
	if (w->nfree == 0 || w->st.state_now[TCP_SYN_RCVD] >= w->cfg->syn_backlog) {
		syn_cookie_reply(w, p, m, pi);
		return;
	}
	passive_open(w, p, m, pi, app - 1);
}

/* A segment for a compact TIME_WAIT entry. */
static void
tw_input(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi,
	 struct tcp_tw *tw)
{
	struct tcp_out o;
	uint16_t drop;

	switch (tcp_tw_input(&w->tcp, &w->tw, tw, &pi->seg, &o, &drop)) {
	case TW_REOPEN:
		no_record_input(w, p, m, pi);
		break;
	case TW_ACK:
		w->st.dup_acks_tx++;
		build_tcp_reply_in_place(m, &p->tx, &o);
		count_out(w, &o);
		worker_tx(w, p, m);
		break;
	default:
		worker_drop(w, m, drop);
		break;
	}
}

void
stack_tcp_input(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi,
		void *ref)
{
	const struct tcp_seg *s = &pi->seg;
	struct conn *c = ref;

	w->st.tcp_rx++;
	if (s->flags & TCP_SYN)
		w->st.syn_rx++;
	if (s->flags & TCP_FIN)
		w->st.fin_rx++;
	if (s->flags & TCP_RST)
		w->st.rst_rx++;
	if (ref != NULL && ref_is_tw(ref)) {
		tw_input(w, p, m, pi, ref_tw(ref));
		return;
	}
	/* No record is ever found in TIME_WAIT: it became a compact entry (tw_input) on entering. */
	if (c == NULL) {
		no_record_input(w, p, m, pi);
		return;
	}
	conn_input(w, m, pi, c, 0);
}

/* A segment for record @p c; @p extra are events that happened before it (a cookie open). */
static void
conn_input(struct worker *w, struct rte_mbuf *m, struct pkt_info *pi, struct conn *c, uint32_t extra)
{
	const struct tcp_seg *s = &pi->seg;
	struct tcp_rx rx;
	bool held;

	w->trace_hold = true;
	pi->seg.pkt = m;
	pi->seg.pkt_off = (uint32_t)(pi->payload - rte_pktmbuf_mtod(m, uint8_t *));
	tcp_input(&w->tcp, &c->tcb, s, &rx);
	rx.events |= extra;
	trace_flush_in(w, c, s);
	held = (rx.events & TCP_EV_HELD) != 0;
	if (rx.events != 0)
		deliver(c, pi->payload, &rx);
	if ((rx.events & TCP_EV_DATA) && c->tcb.rq != NULL) {
		/* The segment may have filled a hole: what was held out of order follows it. */
		struct tcp_rx hrx;
		void *hp;

		while (!gone(c) && tcp_reasm_next(&w->tcp, &c->tcb, &hrx, &hp)) {
			deliver(c, rte_pktmbuf_mtod((struct rte_mbuf *)hp, uint8_t *), &hrx);
			rte_pktmbuf_free(hp);
		}
	}
	if ((rx.events & TCP_EV_FREE) || gone(c)) {
		conn_release(w, c, (rx.events & TCP_EV_RESET) != 0);
	} else {
		set_rcv_window(w, c);
		tcp_output(&w->tcp, &c->tcb);
		if (gone(c))
			conn_release(w, c, true);
		else if (c->tcb.state == TCP_TIME_WAIT)
			tw_convert(w, c);
	}
	if (held)
		return;	/* the record's out-of-order queue owns m now */
	if (rx.drop != TCPE_DROP__COUNT)
		worker_drop(w, m, rx.drop);
	else
		rte_pktmbuf_free(m);
}

void
stack_timer(struct worker *w, struct conn *c)
{
	struct tcp_rx rx;

	set_rcv_window(w, c);
	tcp_timer(&w->tcp, &c->tcb, &rx);
	if (rx.events & TCP_EV_IDLE) {
		/* Idle past the application's limit: close gracefully, like a keep-alive timeout. */
		tcp_close(&w->tcp, &c->tcb);
		tcp_output(&w->tcp, &c->tcb);
	}
	if ((rx.events & TCP_EV_FREE) || gone(c))
		conn_release(w, c, (rx.events & TCP_EV_RESET) != 0);
	else if (c->tcb.state == TCP_TIME_WAIT)
		tw_convert(w, c);
}

/* --- the application API (app.h) -------------------------------------------------------- */

uint32_t
tcpe_send(struct tcpe_sock *s, const void *data, uint32_t len)
{
	struct conn *c = (struct conn *)s;
	uint32_t n;

	if (!tcp_can_send(&c->tcb))
		return 0;
	n = sndq_append(&c->sndq, c->w->mp, data, len);
	tcp_send_queued(&c->tcb, n);
	return n;
}

uint32_t
tcpe_send_body(struct tcpe_sock *s, uint64_t len)
{
	struct conn *c = (struct conn *)s;
	struct worker *w = c->w;
	uint32_t n;

	if (!tcp_can_send(&c->tcb) || len > UINT32_MAX)
		return 0;
	/* A small body is cheaper copied behind what is queued (usually the header, one mbuf for
	 * the whole response) than referenced: no second mbuf and no refcount to free at the ACK. */
	if (len <= SNDQ_COPY_BODY_MAX)
		n = sndq_append(&c->sndq, w->mp, w->body, (uint32_t)len);
	else
		n = sndq_append_ref(&c->sndq, w->mp, w->body, TCPE_BODY_TEMPLATE, &w->body_shinfo,
				    (uint32_t)len);
	tcp_send_queued(&c->tcb, n);
	return n;
}

void
tcpe_set_idle_ms(struct tcpe_sock *s, uint32_t ms)
{
	struct conn *c = (struct conn *)s;

	tcp_set_idle(&c->w->tcp, &c->tcb, ms * 1000);
}

struct tcpe_stats *
tcpe_stats(struct tcpe_sock *s)
{
	return &((struct conn *)s)->w->st;
}

uint64_t
tcpe_now_us(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->w->tcp.now;
}

int64_t
tcpe_wall_offset_us(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->w->wall_off_us;
}

void *
tcpe_app_worker(struct tcpe_sock *s)
{
	return ((struct conn *)s)->w->app_scratch;
}

uint32_t
tcpe_sendq_bytes(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->sndq.bytes;
}

void
tcpe_close(struct tcpe_sock *s)
{
	struct conn *c = (struct conn *)s;

	if (apps_get(c->app)->fin_with_data)
		c->tcb.flags |= TCB_FIN_DATA;
	tcp_close(&c->w->tcp, &c->tcb);
}

void
tcpe_abort(struct tcpe_sock *s)
{
	struct conn *c = (struct conn *)s;

	c->aborted = 1;
	tcp_abort(&c->w->tcp, &c->tcb);
}

void *
tcpe_app_state(struct tcpe_sock *s)
{
	return ((struct conn *)s)->app_state;
}

const struct tcpe_app_params *
tcpe_params(const struct tcpe_sock *s)
{
	return &((const struct conn *)s)->w->params;
}
