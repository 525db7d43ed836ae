/* conn.c - the connection table: records, TIME_WAIT conversion, listeners, SYN cookies, and the dispatch of each segment (RFC 9293 §3.10.7). */
#include "conn.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_debug.h>
#include <rte_prefetch.h>

#include "conn_priv.h"
#include "flow.h"
#include "isn.h"

/* --- records ---------------------------------------------------------------------------- */

static bool orphan_reset(struct conn_table *tab);

static struct conn *
conn_alloc(struct conn_table *tab)
{
	struct conn *c;

	/* Out of records: an orphan (nobody reads it) makes room before a connection is refused. */
	if (tab->nfree == 0 && !orphan_reset(tab))
		return NULL;
	c = &tab->conns[tab->free_head - 1];
	tab->free_head = c->tcb.iss;
	tab->nfree--;
	memset(c, 0, sizeof(*c));
	if (tab->app_state != NULL)
		memset(&tab->app_state[c - tab->conns], 0, sizeof(tab->app_state[0]));
	c->tab = tab;
	c->in_use = 1;
	tab->st->conn_active++;
	return c;
}

static void
conn_put(struct conn_table *tab, struct conn *c)
{
	c->in_use = 0;
	c->tcb.iss = tab->free_head;
	tab->free_head = (uint32_t)(c - tab->conns) + 1;
	tab->nfree++;
	tab->st->conn_active--;
}

/*
 * Release @p c. What the core decided to send for it leaves first (its send queue is about to
 * go). @p unkey false leaves the flow-table key to whoever takes the tuple over (TIME_WAIT).
 */
void
conn_free(struct conn_table *tab, struct conn *c, bool reset, bool unkey)
{
	const struct tcpe_app *app = conn_app(c);

	conn_flush(tab);
	if (c->accepted && app->on_closed != NULL)
		app->on_closed(sock_of(c), reset || c->aborted);
	tcp_timer_stop(&tab->tcp, &c->tcb);
	tcp_reasm_purge(&tab->tcp, &c->tcb);
	tcp_sb_put(&tab->tcp, &c->tcb);
	tcp_bbr_put(&tab->tcp, &c->tcb);
	tcp_cubic_put(&tab->tcp, &c->tcb);
	tcp_set_state(&tab->tcp, &c->tcb, TCP_CLOSED);
	conn_sndq_free(tab, c);
	conn_rcvq_purge(tab, c);
	conn_orphan_remove(tab, c);
	c->blocked = 0;
	c->txwait = 0;
	c->ready = 0;
	if (unkey) {
		flow_del(tab->flows, &c->tcb.tuple);
		tab->churn = true;
	}
	conn_put(tab, c);
	tab->st->conn_closed++;
}

/*
 * Reset the orphan closed longest ago (RFC 9293 §3.10.5: a RST to its peer): over --max-orphans,
 * or when a new connection needs its record. Returns false when there is none.
 */
static bool
orphan_reset(struct conn_table *tab)
{
	struct conn *c = conn_oldest_orphan(tab);

	if (c == NULL)
		return false;
	tab->st->orphans_reset++;
	tcp_abort(&tab->tcp, &c->tcb);
	conn_free(tab, c, true, true);
	return true;
}

/* TIME_WAIT needs 40 bytes, not a record: hand the tuple to a compact entry, free the record. */
static void
tw_convert(struct conn_table *tab, struct conn *c)
{
	struct tcp_tw *tw = tcp_tw_add(&tab->tcp, &tab->tw, &c->tcb);

	c->time_wait = 1;
	conn_free(tab, c, false, false);
	/* the key exists: this only points it at the entry */
	flow_add(tab->flows, &tw->tuple, (void *)((uintptr_t)tw | 1));
	tab->churn = true;
}

void
conn_tw_key(void *arg, struct tcp_tw *tw, bool add)
{
	struct conn_table *tab = arg;

	if (add)
		flow_add(tab->flows, &tw->tuple, (void *)((uintptr_t)tw | 1));
	else
		flow_del(tab->flows, &tw->tuple);
	tab->churn = true;
}

void
conn_tw_key_prefetch(void *arg, const struct tcp_tw *tw)
{
	const struct conn_table *tab = arg;

	flow_prefetch(tab->flows, &tw->tuple);
}

/* A record keyed by @p key, or NULL with @p why set (no record, or the flow table full). */
static struct conn *
conn_new(struct conn_table *tab, const struct tcp_tuple *key, uint16_t *why)
{
	struct conn *c = conn_alloc(tab);

	if (c == NULL) {
		*why = TCPE_DROP_TCP_POOL_FULL;
		return NULL;
	}
	c->tcb.tuple = *key;
	if (flow_add(tab->flows, key, c) != 0) {
		conn_put(tab, c);
		*why = TCPE_DROP_TCP_FLOW_FULL;
		return NULL;
	}
	tab->churn = true;
	/* the invariant of steering: a record is only ever created by its tuple's owner */
	if (tab->hooks.owns != NULL && !tab->hooks.owns(tab->hooks.arg, key))
		tab->st->steer_misowned++;
	return c;
}

/* True when flow-table value @p ref is still live and keyed by @p key (after churn). */
static bool
ref_valid(void *ref, const struct tcp_tuple *key)
{
	if (ref == NULL)
		return false;
	if (conn_ref_is_tw(ref)) {
		const struct tcp_tw *tw = conn_ref_tw(ref);

		return (tw->flags & TW_LIVE) && memcmp(&tw->tuple, key, sizeof(*key)) == 0;
	}
	return ((struct conn *)ref)->in_use &&
	       memcmp(&((struct conn *)ref)->tcb.tuple, key, sizeof(*key)) == 0;
}

/* --- after input or a timer -------------------------------------------------------------- */

/* Everything the record may send now, built and handed over; new data only as far as its port's
 * transmit queue has room (tcp_ctx.tx_budget): the rest waits on the txwait list. */
static void
output(struct conn_table *tab, struct conn *c)
{
	uint32_t room = tab->hooks.tx_room != NULL ? tab->hooks.tx_room(tab->hooks.arg, c->port) :
			UINT32_MAX;

	tab->tcp.tx_budgeted = room != UINT32_MAX;
	tab->tcp.tx_budget = room;
	conn_set_rcv_window(tab, c);
	while (tcp_output(&tab->tcp, &c->tcb))
		conn_flush(tab);
	conn_flush(tab);
	tab->tcp.tx_budgeted = false;
	if ((c->tcb.flags & TCB_TX_WAIT) && !c->txwait &&
	    conn_fifo_push(&tab->txwait, (uint32_t)(c - tab->conns)))
		c->txwait = 1;
}

/* After the core has run for @p c: release it, send what it may, or make it a TIME_WAIT entry. */
static void
settle(struct conn_table *tab, struct conn *c, uint32_t events)
{
	if ((events & TCP_EV_FREE) || conn_gone(c)) {
		conn_free(tab, c, (events & TCP_EV_RESET) != 0, true);
		return;
	}
	output(tab, c);
	if (conn_gone(c))
		conn_free(tab, c, true, true);
	else if (c->tcb.state == TCP_TIME_WAIT)
		tw_convert(tab, c);
}

/* --- input ------------------------------------------------------------------------------ */

/* Received frame @p m is consumed: in a burst it goes back to its pool with the burst's others
 * (rte_pktmbuf_free_bulk(): one pool access for all of them), else now. */
static inline void
rx_consumed(struct conn_table *tab, struct rte_mbuf *m)
{
	if (likely(tab->rx_batch && tab->rx_ndone < RTE_DIM(tab->rx_done)))
		tab->rx_done[tab->rx_ndone++] = m;
	else
		rte_pktmbuf_free(m);
}

/* A segment for record @p c; @p extra are events that happened before it (a cookie open). */
static void
record_input(struct conn_table *tab, struct rte_mbuf *m, struct pkt_info *pi, struct conn *c,
	     uint32_t extra, struct tcp_rx *rx_out)
{
	struct tcp_seg *s = &pi->seg;
	struct rte_ether_addr was;
	struct tcp_rx rx;
	bool held, moved = !rte_is_same_ether_addr(&pi->eth->src_addr, &c->peer_mac);

	s->pkt = m;
	s->pkt_off = (uint32_t)(pi->payload - rte_pktmbuf_mtod(m, uint8_t *));
	if (unlikely(moved)) {
		/* From another MAC than the connection's (the peer's host restarted, a new client
		 * reuses the tuple of a dead one's half-open record, a failover): what this segment
		 * draws goes back where it came from, so that a new incarnation sees the ACK it must
		 * answer with a RST. Only a segment the core accepts moves the connection. */
		was = c->peer_mac;
		rte_ether_addr_copy(&pi->eth->src_addr, &c->peer_mac);
	}
	tcp_input(&tab->tcp, &c->tcb, s, &rx);
	rx.events |= extra;
	if (c->traced)
		conn_trace_in(tab, c, s);
	conn_flush(tab);	/* before the send queue is trimmed: descriptors carry sequence numbers */
	if (unlikely(moved)) {
		tab->st->peer_mac_moved += rx.drop == TCPE_DROP__COUNT;
		if (rx.drop != TCPE_DROP__COUNT)
			c->peer_mac = was;
	}
	held = (rx.events & TCP_EV_HELD) != 0;
	if (rx.events != 0)
		held |= conn_deliver(tab, c, m, pi->payload, &rx, false);
	if ((rx.events & TCP_EV_DATA) && c->tcb.rq != 0) {
		/* The segment may have filled a hole: what was held out of order follows it. */
		struct tcp_rx hrx;
		void *hp;

		while (!conn_gone(c) && tcp_reasm_next(&tab->tcp, &c->tcb, &hrx, &hp)) {
			struct rte_mbuf *hm = hp;

			if (!conn_deliver(tab, c, hm, rte_pktmbuf_mtod(hm, uint8_t *), &hrx, true))
				rte_pktmbuf_free(hm);
		}
	}
	settle(tab, c, rx.events);
	if (rx_out != NULL)
		*rx_out = rx;
	if (held)
		return;	/* the record holds m now: out of order, or for its application */
	if (rx.drop != TCPE_DROP__COUNT)
		conn_drop(tab, m, rx.drop);
	else
		rx_consumed(tab, m);
}

/* Answer a segment that has no record with a RST built in its own mbuf, or drop it. */
static void
reply_closed(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi,
	     uint64_t *counter)
{
	struct tcp_out o;

	if (!tcp_reply_closed(&pi->seg, &o)) {
		conn_drop(tab, m, TCPE_DROP_TCP_RST_NO_CONN);
		return;
	}
	(*counter)++;
	conn_reply(tab, port, m, &o);
}

/* Set up the runtime half of a new record: where its frames go and who runs it. */
static void
conn_bind(struct conn_table *tab, struct conn *c, uint16_t port,
	  const struct rte_ether_addr *mac, unsigned int app)
{
	rte_ether_addr_copy(mac, &c->peer_mac);
	c->port = (uint8_t)port;
	c->app = (uint8_t)app;
	if (tab->traced < tab->cfg->trace) {
		c->traced = 1;
		tab->trace_ids[c - tab->conns] = (uint32_t)++tab->traced;
	}
}

/* An IPv6 record keeps its peer's address: its key holds only a stand-in (tcb.h). */
static inline void
conn_bind6(struct conn_table *tab, struct conn *c, const struct pkt_info *pi)
{
	if (pi->ip6 != NULL)
		memcpy(tab->raddr6[c - tab->conns], &pi->ip6->src_addr, 16);
}

static void
passive_open(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi,
	     unsigned int app)
{
	uint16_t why;
	struct conn *c = conn_new(tab, &pi->key, &why);

	if (c == NULL) {
		conn_drop(tab, m, why);
		return;
	}
	conn_bind(tab, c, port, &pi->eth->src_addr, app);
	conn_bind6(tab, c, pi);
	tcp_passive_open(&tab->tcp, &c->tcb, &pi->key, &pi->seg);
	if (c->traced)
		conn_trace_in(tab, c, &pi->seg);
	conn_flush(tab);
	if (pi->seg.len > 0)
		tab->st->drop[TCPE_DROP_TCP_SYN_DATA]++;	/* the peer resends it after the handshake */
	rx_consumed(tab, m);
}

/* Cookies went out within the last two cookie slots (~2 min): ACKs may be completing them. */
static inline bool
cookies_recent(const struct conn_table *tab)
{
	return tab->cookie_sent_us != 0 && tab->tcp.now - tab->cookie_sent_us < (2ULL << 26);
}

/* The SYN backlog or the record pool is full: answer with a SYN cookie, in the SYN's own mbuf. */
static void
syn_cookie_reply(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi)
{
	struct tcp_out o;

	if (!tab->cfg->syncookies) {
		conn_drop(tab, m, tab->nfree == 0 ? TCPE_DROP_TCP_POOL_FULL : TCPE_DROP_TCP_SYN_BACKLOG);
		return;
	}
	tcp_syncookie_synack(&tab->tcp, &pi->key, &pi->seg, &o);
	tab->cookie_sent_us = tab->tcp.now;
	conn_reply(tab, port, m, &o);
}

/* An ACK that completes a cookie handshake becomes an ESTABLISHED record, then is processed. */
static bool
cookie_ack(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi,
	   unsigned int app, struct tcp_rx *rx)
{
	struct tcp_opts agreed;
	struct conn *c;
	uint16_t why;

	if (!cookies_recent(tab))
		return false;
	if (!tcp_syncookie_check(&tab->tcp, &pi->key, &pi->seg, &agreed)) {
		tab->st->syncookies_bad++;
		return false;
	}
	c = conn_new(tab, &pi->key, &why);
	if (c == NULL) {
		conn_drop(tab, m, why);
		return true;
	}
	conn_bind(tab, c, port, &pi->eth->src_addr, app);
	conn_bind6(tab, c, pi);
	tcp_syncookie_open(&tab->tcp, &c->tcb, &pi->key, &pi->seg, &agreed);
	record_input(tab, m, pi, c, TCP_EV_ESTABLISHED, rx);
	return true;
}

/*
 * A bare ACK of SEG.ACK = ISN + 1, the ISN one we gave this tuple within 2*MSL: the ACK that
 * completed one of our handshakes, arriving after the connection closed and its record went
 * (a passive close keeps no TIME_WAIT). Software steering makes these: a tap sends a flow's
 * first packets to the queue its hash picks until we transmit on the owner's, so the handshake's
 * ACK can come the long way round, through another worker, behind the data that followed it.
 * An old duplicate: dropped, not answered with a RST that would cut the peer's TIME_WAIT short.
 * A live connection we do not know still gets its RST from its first data or FIN.
 */
static bool
stale_handshake_ack(const struct conn_table *tab, const struct pkt_info *pi)
{
	const struct tcp_cfg *cfg = tab->tcp.cfg;

	return pi->seg.len == 0 && (pi->seg.flags & (TCP_SYN | TCP_FIN | TCP_RST)) == 0 &&
	       tcp_isn_recent(cfg->isn_key, &pi->key, sizeof(pi->key), pi->seg.ack - 1,
			      tab->tcp.now, cfg->time_wait_us);
}

/* RFC 9293 §3.10.7.1-2: segments with no record go to a listener or get a RST. */
static void
no_record_input(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi,
		struct tcp_rx *rx)
{
	unsigned int app = tab->listen_app[rte_be_to_cpu_16(pi->key.lport)];
	uint8_t f = pi->seg.flags;

	if (app == 0) {
		reply_closed(tab, port, m, pi, &tab->st->rst_closed_port);
		return;
	}
	if (f & TCP_RST) {
		conn_drop(tab, m, TCPE_DROP_TCP_RST_NO_CONN);
		return;
	}
	if (f & TCP_ACK) {
		if (!(f & TCP_SYN) && cookie_ack(tab, port, m, pi, app - 1, rx))
			return;
		if (stale_handshake_ack(tab, pi)) {
			conn_drop(tab, m, TCPE_DROP_TCP_STALE_ACK);
			return;
		}
		reply_closed(tab, port, m, pi, &tab->st->rst_no_conn);	/* <SEQ=SEG.ACK><CTL=RST> */
		return;
	}
	if (!(f & TCP_SYN)) {
		conn_drop(tab, m, TCPE_DROP_TCP_LISTEN_OTHER);
		return;
	}
	if ((tab->nfree == 0 && tab->norphans == 0) ||
	    tab->st->state_now[TCP_SYN_RCVD] >= tab->cfg->syn_backlog) {
		syn_cookie_reply(tab, port, m, pi);
		return;
	}
	passive_open(tab, port, m, pi, app - 1);
}

/* A segment for a compact TIME_WAIT entry. */
static void
tw_input(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi,
	 struct tcp_tw *tw, struct tcp_rx *rx)
{
	struct tcp_out o;
	uint16_t drop;

	switch (tcp_tw_input(&tab->tcp, &tab->tw, tw, &pi->seg, &o, &drop)) {
	case TW_REOPEN:
		no_record_input(tab, port, m, pi, rx);
		break;
	case TW_ACK:
		tab->st->dup_acks_tx++;
		conn_reply(tab, port, m, &o);
		break;
	default:
		conn_drop(tab, m, drop);
		break;
	}
}

static void
segment_input(struct conn_table *tab, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi,
	      void *ref, struct tcp_rx *rx)
{
	const struct tcp_seg *s = &pi->seg;

	tab->st->tcp_rx++;
	if (s->flags & TCP_SYN)
		tab->st->syn_rx++;
	if (s->flags & TCP_FIN)
		tab->st->fin_rx++;
	if (s->flags & TCP_RST)
		tab->st->rst_rx++;
	if (ref == NULL)
		no_record_input(tab, port, m, pi, rx);
	else if (unlikely(pi->ip6 != NULL) && !conn_ref_is_tw(ref) &&
		 memcmp(tab->raddr6[(struct conn *)ref - tab->conns], &pi->ip6->src_addr, 16) != 0)
		conn_drop(tab, m, TCPE_DROP_IP6_KEY_CLASH);	/* 2^-32 per peer pair, keyed */
	else if (conn_ref_is_tw(ref))
		tw_input(tab, port, m, pi, conn_ref_tw(ref), rx);
	else	/* never a record in TIME_WAIT: it became a compact entry on entering */
		record_input(tab, m, pi, ref, 0, rx);
}

/* A SYN that would open a new connection: no record, to a listening port (or refused there). */
static inline bool
new_syn(const struct pkt_info *pi, const void *ref)
{
	return ref == NULL && (pi->seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
}

/* How many segments ahead in a burst their records (and queues) are fetched, and how many
 * the oldest mbufs of their send queues. */
#define CONN_PREFETCH_AHEAD 4
#define CONN_PREFETCH_HEAD 2

/* The queues of the record at @p ref, or NULL. */
static inline const struct conn_q *
ref_q(const void *ref)
{
	return ref == NULL || conn_ref_is_tw(ref) ? NULL : conn_q_of((const struct conn *)ref);
}

/* The record of a segment CONN_PREFETCH_AHEAD ahead: all of it (the lookup read only its key;
 * the line with its queue index was fetched when the burst began), and its queues if it has
 * any. */
static inline void
prefetch_conn(const void *ref)
{
	const struct conn_q *q;

	if (ref == NULL || conn_ref_is_tw(ref))
		return;
	for (size_t off = 0; off < sizeof(struct conn); off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0((const char *)ref + off);
	if ((q = ref_q(ref)) != NULL)
		rte_prefetch0(q);
}

/* The oldest mbuf of the send queue of a segment CONN_PREFETCH_HEAD ahead, which an ACK frees an
 * RTT after anything last touched it (both of its lines: data_len, and next with the pool). With
 * 2048 connections in flight that freeing had been 3.9-4.8 % of a worker's samples, cache misses
 * all; then 0.4 % (README, "Overload"). */
static inline void
prefetch_head(const void *ref)
{
	const struct conn_q *q = ref_q(ref);
	const struct rte_mbuf *h = q != NULL ? q->sndq.head : NULL;

	if (h != NULL) {
		rte_prefetch0(h);
		rte_prefetch0(&h->next);
	}
}

void
conn_input_burst(struct conn_table *tab, uint16_t port, struct rte_mbuf **m,
		 struct pkt_info **pi, unsigned int n, struct tcp_rx *rx)
{
	const struct tcp_tuple *keys[FLOW_BULK_MAX];
	void *refs[FLOW_BULK_MAX];
	unsigned int syns = 0;

	RTE_ASSERT(n <= FLOW_BULK_MAX);
	tab->rx_batch = true;
	for (unsigned int i = 0; i < n; i++)
		keys[i] = &pi[i]->key;
	flow_lookup_bulk(tab->flows, keys, n, refs);
	tab->churn = false;
	/* (a segment of the same connection as the one before it needs nothing fetched) */
	for (unsigned int i = 0; i < n; i++)
		if (refs[i] != NULL && !conn_ref_is_tw(refs[i]) && (i == 0 || refs[i] != refs[i - 1]))
			rte_prefetch0(&((struct conn *)refs[i])->q);
	for (unsigned int i = 0; i < n && i < CONN_PREFETCH_AHEAD; i++)
		if (i == 0 || refs[i] != refs[i - 1])
			prefetch_conn(refs[i]);
	for (unsigned int i = 0; i < n && i < CONN_PREFETCH_HEAD; i++)
		if (i == 0 || refs[i] != refs[i - 1])
			prefetch_head(refs[i]);
	/* Connections we have before connections we might have: new SYNs wait for the rest of the
	 * burst (the worker sheds those it cannot admit before they get here: worker.c). */
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < n; i++) {
			void *ref = refs[i];

			if (pass == 0 && i + CONN_PREFETCH_AHEAD < n &&
			    refs[i + CONN_PREFETCH_AHEAD] != refs[i + CONN_PREFETCH_AHEAD - 1])
				prefetch_conn(refs[i + CONN_PREFETCH_AHEAD]);
			if (pass == 0 && i + CONN_PREFETCH_HEAD < n &&
			    refs[i + CONN_PREFETCH_HEAD] != refs[i + CONN_PREFETCH_HEAD - 1])
				prefetch_head(refs[i + CONN_PREFETCH_HEAD]);
			if (m[i] == NULL)
				continue;
			/* A record created or freed earlier in this burst may make the answer stale. */
			if (tab->churn && !ref_valid(ref, keys[i]))
				ref = flow_lookup(tab->flows, keys[i]);
			if (pass == 0 && new_syn(pi[i], ref)) {
				syns++;
				continue;
			}
			segment_input(tab, port, m[i], pi[i], ref, rx);
			m[i] = NULL;
		}
		if (syns == 0)
			break;
	}
	tab->rx_batch = false;
	if (tab->rx_ndone != 0) {
		rte_pktmbuf_free_bulk(tab->rx_done, tab->rx_ndone);
		tab->rx_ndone = 0;
	}
}

/* --- timers ----------------------------------------------------------------------------- */

static inline struct conn *
conn_of_timer(struct tmr_link *l)
{
	return conn_of(container_of(l, struct tcb, timer));
}

static void
timer_fired(struct conn_table *tab, struct conn *c)
{
	struct tcp_rx rx;

	conn_set_rcv_window(tab, c);
	tcp_timer(&tab->tcp, &c->tcb, &rx);
	if (rx.events & TCP_EV_IDLE)
		conn_close(tab, c);	/* idle past the application's limit: a graceful close */
	settle(tab, c, rx.events);
}

/* Records whose new data waited for transmit room, oldest first, while their ports have some. */
static void
tx_resume(struct conn_table *tab)
{
	for (unsigned int k = 0; k < CONN_TIMER_BATCH && !conn_fifo_empty(&tab->txwait); k++) {
		struct conn *c = &tab->conns[tab->txwait.q[tab->txwait.head & tab->txwait.mask]];

		if (c->in_use && c->txwait && tab->hooks.tx_room != NULL &&
		    tab->hooks.tx_room(tab->hooks.arg, c->port) == 0)
			return;	/* its port is still backed up: so is everything behind it, mostly */
		conn_fifo_pop(&tab->txwait);
		if (!c->in_use || !c->txwait)
			continue;	/* released since */
		c->txwait = 0;
		tab->st->tx_resumed++;
		settle(tab, c, 0);
	}
}

bool
conn_app_slice(struct conn_table *tab)
{
	bool first = true;

	while (!conn_fifo_empty(&tab->ready) && (first || !conn_slice_over(tab))) {
		struct conn *c = &tab->conns[conn_fifo_pop(&tab->ready)];

		if (!conn_resume_ready(tab, c, first))
			continue;
		first = false;
		if (c->in_use)
			settle(tab, c, 0);
	}
	return !first;
}

bool
conn_app_pending(const struct conn_table *tab)
{
	return !conn_fifo_empty(&tab->ready);
}

/* Records waiting for transmit room, applications waiting for send budget, when there is some;
 * orphans over --max-orphans. */
static void
housekeeping(struct conn_table *tab)
{
	struct conn *woken[CONN_TIMER_BATCH];
	uint32_t n;

	tx_resume(tab);
	n = conn_wake(tab, woken, CONN_TIMER_BATCH);

	for (uint32_t i = 0; i < n; i++)
		if (woken[i]->in_use)
			settle(tab, woken[i], 0);
	for (unsigned int k = 0; k < CONN_TIMER_BATCH && tab->norphans > tab->cfg->max_orphans; k++)
		orphan_reset(tab);
}

void
conn_timers(struct conn_table *tab)
{
	struct tmr_link *due[CONN_TIMER_BATCH];
	unsigned int n;

	n = tmr_wheel_expire(&tab->tcp.wheel, tab->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		timer_fired(tab, conn_of_timer(due[i]));
	n = tmr_fifo_expire(&tab->tcp.time_wait, tab->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		timer_fired(tab, conn_of_timer(due[i]));
	n = tmr_fifo_expire(&tab->tcp.fin_wait2, tab->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		timer_fired(tab, conn_of_timer(due[i]));
	/* paced records whose next send time came (BBR): one wheel entry each, not one per packet */
	n = tmr_wheel_expire(&tab->tcp.pace_wheel, tab->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		settle(tab, conn_of(tcp_bbr_owner(due[i])), 0);
	tcp_tw_expire(&tab->tcp, &tab->tw, CONN_TIMER_BATCH);
	tcp_reasm_expire(&tab->tcp, tab->cfg->ooo_max_age_ms * 1000, CONN_TIMER_BATCH);
	while (tcp_dack_run(&tab->tcp))
		conn_flush(tab);
	conn_flush(tab);
	housekeeping(tab);
}

void
conn_timers_step(struct conn_table *tab)
{
	if (tab->tcp.now >= tab->timers_at) {
		tab->timers_at = tab->tcp.now + CONN_TIMER_US;
		conn_timers(tab);
	} else {
		conn_flush(tab);
	}
}

void
conn_icmp_toobig(struct conn_table *tab, struct rte_mbuf *m, const struct tcp_tuple *key,
		 uint32_t seq, uint16_t mtu)
{
	void *ref = flow_lookup(tab->flows, key);
	struct conn *c = ref != NULL && !conn_ref_is_tw(ref) ? ref : NULL;

	if (c == NULL) {
		conn_drop(tab, m, TCPE_DROP_ICMP_NO_CONN);
		return;
	}
	if (!tcp_pmtu_toobig(&tab->tcp, &c->tcb, seq, mtu)) {
		conn_drop(tab, m, TCPE_DROP_ICMP_STALE);
		return;
	}
	rte_pktmbuf_free(m);
	settle(tab, c, 0);
}

/* --- active opens ----------------------------------------------------------------------- */

struct tcpe_sock *
conn_open(struct conn_table *tab, const struct tcp_tuple *tuple, const void *raddr6,
	  uint16_t port, const struct rte_ether_addr *mac, unsigned int app)
{
	uint16_t why;
	struct conn *c = conn_new(tab, tuple, &why);

	if (c == NULL)
		return NULL;
	conn_bind(tab, c, port, mac, app);
	if (raddr6 != NULL)
		memcpy(tab->raddr6[c - tab->conns], raddr6, 16);
	c->accepted = 1;	/* the opener's application is told of the end whatever happens */
	tcp_active_open(&tab->tcp, &c->tcb, tuple);
	conn_flush(tab);
	return sock_of(c);
}

void
conn_open_prefetch(const struct conn_table *tab, const struct tcp_tuple *tuple)
{
	flow_prefetch(tab->flows, tuple);
}

bool
conn_tuple_free(struct conn_table *tab, const struct tcp_tuple *tuple, uint64_t tw_reuse_us)
{
	void *ref = flow_lookup(tab->flows, tuple);

	if (ref == NULL)
		return true;
	return conn_ref_is_tw(ref) &&
	       tcp_tw_reuse(&tab->tcp, &tab->tw, conn_ref_tw(ref), tw_reuse_us);
}
